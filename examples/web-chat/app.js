// The example page: TIM's API as a web developer uses it, nothing else.
import TIM from './tim/tim.js';
import { genTestUserSig } from './usersig.js';

const $ = (id) => document.getElementById(id);
let tim = null;
let me = '';
let current = null; // { conversationID, type, to }
let messages = []; // the open conversation's, oldest first

const show = (element, visible) => (element.hidden = !visible);
const target = (conversationID) => conversationID.replace(/^(C2C|GROUP)/, '');
const typeOf = (conversationID) => (conversationID.startsWith('GROUP') ? TIM.TYPES.CONV_GROUP : TIM.TYPES.CONV_C2C);

function describe(message) {
  const p = message.payload;
  switch (message.type) {
    case TIM.TYPES.MSG_TEXT:
      return message.isRevoked ? '(revoked)' : p.text;
    case TIM.TYPES.MSG_CUSTOM:
      return `[custom] ${p.data}`;
    case TIM.TYPES.MSG_FACE:
      return `[face ${p.index}]`;
    case TIM.TYPES.MSG_LOCATION:
      return `[location] ${p.description}`;
    case TIM.TYPES.MSG_IMAGE: {
      const [original, , thumbnail] = p.imageInfoArray ?? [];
      const source = thumbnail?.url || original?.url;
      if (!source) return '[image]';
      const img = document.createElement('img');
      img.src = source;
      img.alt = 'image';
      return img;
    }
    case TIM.TYPES.MSG_FILE: {
      if (!p.fileUrl) return `[file] ${p.fileName ?? ''}`;
      const link = document.createElement('a');
      link.href = p.fileUrl;
      link.textContent = `${p.fileName} (${Math.ceil(p.fileSize / 1024)} KB)`;
      return link;
    }
    case TIM.TYPES.MSG_VIDEO: {
      if (!p.videoUrl) return '[video]';
      const video = player('video', p.videoUrl);
      if (p.thumbUrl) video.poster = p.thumbUrl;
      return video;
    }
    case TIM.TYPES.MSG_AUDIO:
      return p.url ? player('audio', p.url) : '[voice]';
    case TIM.TYPES.MSG_MERGER:
      return `[chat history] ${p.title}: ${(p.abstractList ?? []).join(' / ')}`;
    case TIM.TYPES.MSG_GRP_TIP:
      return `group tip ${p.operationType}: ${p.operatorID} ${p.userIDList.join(', ')}`;
    case TIM.TYPES.MSG_GRP_SYS_NOTICE:
      return `group notice ${p.operationType}: ${p.groupProfile.groupID}`;
    default:
      return `[${message.type}]`;
  }
}

/** A `video` or `audio` element playing `src`, fetched once played. */
function player(tag, src) {
  const element = document.createElement(tag);
  element.controls = true;
  element.preload = 'none';
  element.src = src;
  return element;
}

function renderMessages() {
  const list = $('messages');
  list.replaceChildren(
    ...messages.map((m) => {
      const li = document.createElement('li');
      const tip = m.type === TIM.TYPES.MSG_GRP_TIP;
      li.className = tip ? 'tip' : m.flow;
      li.dataset.status = m.status;
      if (!tip && m.conversationType === TIM.TYPES.CONV_GROUP && m.flow === 'in') {
        const from = document.createElement('span');
        from.className = 'from';
        from.textContent = m.nick || m.from;
        li.append(from);
      }
      li.append(describe(m));
      if (m.flow === 'out') {
        const status = document.createElement('span');
        status.className = 'status';
        status.textContent = { unSend: 'sending', success: '✓', fail: 'failed' }[m.status] ?? '';
        li.append(status);
      }
      return li;
    }),
  );
  list.scrollTop = list.scrollHeight;
}

function renderConversations(conversations) {
  $('conversations').replaceChildren(
    ...conversations.map((c) => {
      const li = document.createElement('li');
      li.className = 'conversation' + (c.conversationID === current?.conversationID ? ' active' : '');
      li.dataset.id = c.conversationID;
      const name = c.groupProfile?.name || target(c.conversationID);
      const label = document.createElement('span');
      label.textContent = name;
      const preview = document.createElement('span');
      preview.className = 'preview';
      preview.textContent = c.lastMessage.messageForShow;
      label.append(preview);
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = c.unreadCount > 0 ? String(c.unreadCount) : '';
      li.append(label, badge);
      li.onclick = () => open(c.conversationID);
      return li;
    }),
  );
}

function renderGroups(groups) {
  $('groups').replaceChildren(
    ...groups.map((g) => {
      const li = document.createElement('li');
      li.className = 'group';
      li.dataset.id = g.groupID;
      li.textContent = `${g.name} (${g.groupID})`;
      li.onclick = () => open(`GROUP${g.groupID}`);
      return li;
    }),
  );
}

async function open(conversationID) {
  current = { conversationID, type: typeOf(conversationID), to: target(conversationID) };
  $('title').textContent = conversationID;
  $('text').disabled = $('send').disabled = $('attach').disabled = false;
  messages = [];
  renderMessages();
  const { data } = await tim.getMessageList({ conversationID, count: 30 });
  if (current?.conversationID !== conversationID) return;
  messages = data.messageList;
  renderMessages();
  await tim.setMessageRead({ conversationID }).catch(() => {});
  renderConversations((await tim.getConversationList()).data.conversationList);
}

function received({ data }) {
  for (const m of data) {
    if (m.conversationID !== current?.conversationID) continue;
    if (messages.some((shown) => shown.sequence === m.sequence)) continue;
    messages.push(m);
  }
  renderMessages();
  if (current && data.some((m) => m.conversationID === current.conversationID)) {
    tim.setMessageRead({ conversationID: current.conversationID }).catch(() => {});
  }
}

async function send(event) {
  event.preventDefault();
  const text = $('text').value;
  if (!text || !current) return;
  $('text').value = '';
  const message = tim.createTextMessage({ to: current.to, conversationType: current.type, payload: { text } });
  messages.push(message);
  renderMessages();
  await tim.sendMessage(message).catch(() => {});
  renderMessages();
}

// An image, a video, a voice clip or a file picked: uploaded with its
// progress shown, then sent.
async function attach() {
  const file = $('attach').files[0];
  $('attach').value = '';
  if (!file || !current) return;
  const options = {
    to: current.to,
    conversationType: current.type,
    payload: { file },
    onProgress: (done) => ($('upload').textContent = `uploading ${file.name}: ${Math.round(done * 100)}%`),
  };
  const create = file.type.startsWith('image/')
    ? tim.createImageMessage
    : file.type.startsWith('video/')
      ? tim.createVideoMessage
      : file.type.startsWith('audio/')
        ? tim.createAudioMessage
        : tim.createFileMessage;
  const message = create.call(tim, options);
  messages.push(message);
  renderMessages();
  await tim.sendMessage(message).catch((e) => ($('upload').textContent = `${file.name}: ${e.message}`));
  if (message.status === 'success') $('upload').textContent = '';
  renderMessages();
}

async function login(event) {
  event.preventDefault();
  me = $('user').value.trim();
  $('login-error').textContent = '';
  const SDKAppID = Number($('app').value);
  tim = TIM.create({ SDKAppID, server: $('server').value.trim() || undefined });
  tim.on(TIM.EVENT.MESSAGE_RECEIVED, received);
  tim.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, ({ data }) => renderConversations(data));
  tim.on(TIM.EVENT.GROUP_LIST_UPDATED, ({ data }) => renderGroups(data));
  tim.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, ({ data }) => ($('total-unread').textContent = data || ''));
  tim.on(TIM.EVENT.NET_STATE_CHANGE, ({ data }) => ($('net').textContent = data.state));
  tim.on(TIM.EVENT.KICKED_OUT, ({ data }) => alert(`kicked out: ${data.type}`));
  try {
    const userSig = await genTestUserSig({ SDKAppID, secretKey: $('key').value, userID: me });
    await tim.login({ userID: me, userSig });
  } catch (e) {
    $('login-error').textContent = `login failed: ${e.code} ${e.message}`;
    return;
  }
  $('me').textContent = me;
  show($('login'), false);
  show($('chat'), true);
  renderConversations((await tim.getConversationList()).data.conversationList);
  renderGroups((await tim.getGroupList()).data.groupList);
}

$('login').onsubmit = login;
$('composer').onsubmit = send;
$('attach').onchange = attach;
$('open-c2c').onsubmit = (e) => {
  e.preventDefault();
  open(`C2C${$('peer').value.trim()}`);
};
$('create-group').onsubmit = async (e) => {
  e.preventDefault();
  const { data } = await tim.createGroup({
    type: TIM.TYPES.GRP_PUBLIC,
    name: $('group-name').value.trim(),
    joinOption: TIM.TYPES.JOIN_OPTIONS_FREE_ACCESS,
  });
  open(`GROUP${data.group.groupID}`);
};
$('join-group').onsubmit = async (e) => {
  e.preventDefault();
  const groupID = $('group-id').value.trim();
  await tim.joinGroup({ groupID });
  open(`GROUP${groupID}`);
};
$('logout').onclick = async () => {
  await tim.logout();
  location.reload();
};
