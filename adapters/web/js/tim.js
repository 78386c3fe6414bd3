// TIM's JavaScript API over tinyim's WebAssembly client.
//
// The names, option objects, event names and answers follow TIM's Web SDK
// (`tim-js-sdk`): every call resolves with `{ code: 0, data }` and rejects
// with `{ code, message }`; handlers get `{ name, data }`. The protocol,
// the sync and every decision live in the Rust core (tinyim_web.wasm);
// this file only shapes arguments and answers.

import init, { Session } from './tinyim_web.js';
import { ids, int, records, str } from './args.js';
import { FRIEND_CALLS, friendCalls } from './friendship.js';

const EVENT = Object.freeze({
  SDK_READY: 'sdkStateReady',
  SDK_NOT_READY: 'sdkStateNotReady',
  MESSAGE_RECEIVED: 'onMessageReceived',
  MESSAGE_MODIFIED: 'onMessageModified',
  MESSAGE_REVOKED: 'onMessageRevoked',
  MESSAGE_READ_BY_PEER: 'onMessageReadByPeer',
  MESSAGE_READ_RECEIPT_RECEIVED: 'onMessageReadReceiptReceived',
  USER_STATUS_UPDATED: 'onUserStatusUpdated',
  CONVERSATION_LIST_UPDATED: 'onConversationListUpdated',
  TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 'onTotalUnreadMessageCountUpdated',
  GROUP_LIST_UPDATED: 'onGroupListUpdated',
  PROFILE_UPDATED: 'onProfileUpdated',
  BLACKLIST_UPDATED: 'blacklistUpdated',
  FRIEND_LIST_UPDATED: 'onFriendListUpdated',
  FRIEND_APPLICATION_LIST_UPDATED: 'onFriendApplicationListUpdated',
  FRIEND_GROUP_LIST_UPDATED: 'onFriendGroupListUpdated',
  KICKED_OUT: 'kickedOut',
  ERROR: 'error',
  NET_STATE_CHANGE: 'netStateChange',
  // tinyim's own: every conversation changed while away is known and every
  // missed message delivered; the UserSig runs out soon.
  SYNC_COMPLETE: 'syncComplete',
  USER_SIG_EXPIRING: 'userSigExpiring',
  // tinyim's own: this user deleted messages on another device
  // (`{conversationID, sequenceList}`).
  MESSAGES_DELETED: 'onMessagesDeleted',
});

const TYPES = Object.freeze({
  MSG_TEXT: 'TIMTextElem',
  MSG_IMAGE: 'TIMImageElem',
  MSG_AUDIO: 'TIMSoundElem',
  MSG_VIDEO: 'TIMVideoFileElem',
  MSG_FILE: 'TIMFileElem',
  MSG_FACE: 'TIMFaceElem',
  MSG_LOCATION: 'TIMLocationElem',
  MSG_CUSTOM: 'TIMCustomElem',
  MSG_MERGER: 'TIMRelayElem',
  MSG_GRP_TIP: 'TIMGroupTipElem',
  MSG_GRP_SYS_NOTICE: 'TIMGroupSystemNoticeElem',
  MSG_PRIORITY_HIGH: 'High',
  MSG_PRIORITY_NORMAL: 'Normal',
  MSG_PRIORITY_LOW: 'Low',
  MSG_PRIORITY_LOWEST: 'Lowest',
  MSG_AT_ALL: '__kImSDK_MesssageAtALL__',
  CONV_C2C: 'C2C',
  CONV_GROUP: 'GROUP',
  CONV_SYSTEM: '@TIM#SYSTEM',
  GRP_WORK: 'Private',
  GRP_PUBLIC: 'Public',
  GRP_MEETING: 'ChatRoom',
  GRP_AVCHATROOM: 'AVChatRoom',
  GRP_COMMUNITY: 'Community',
  GRP_MBR_ROLE_OWNER: 'Owner',
  GRP_MBR_ROLE_ADMIN: 'Admin',
  GRP_MBR_ROLE_MEMBER: 'Member',
  JOIN_OPTIONS_FREE_ACCESS: 'FreeAccess',
  JOIN_OPTIONS_NEED_PERMISSION: 'NeedPermission',
  JOIN_OPTIONS_DISABLE_APPLY: 'DisableApply',
  JOIN_STATUS_SUCCESS: 'JoinedSuccess',
  JOIN_STATUS_ALREADY_IN_GROUP: 'AlreadyInGroup',
  JOIN_STATUS_WAIT_APPROVAL: 'WaitAdminApproval',
  GENDER_UNKNOWN: 'Gender_Type_Unknown',
  GENDER_FEMALE: 'Gender_Type_Female',
  GENDER_MALE: 'Gender_Type_Male',
  ALLOW_TYPE_ALLOW_ANY: 'AllowType_Type_AllowAny',
  ALLOW_TYPE_NEED_CONFIRM: 'AllowType_Type_NeedConfirm',
  ALLOW_TYPE_DENY_ANY: 'AllowType_Type_DenyAny',
  KICKED_OUT_MULT_DEVICE: 'multipleDevice',
  KICKED_OUT_USERSIG_EXPIRED: 'userSigExpired',
  KICKED_OUT_REST_API: 'REST_API_Kick',
  NET_STATE_CONNECTED: 'connected',
  NET_STATE_CONNECTING: 'connecting',
  NET_STATE_DISCONNECTED: 'disconnected',
  READ_ALL_C2C_MSG: 'readAllC2CMessage',
  READ_ALL_GROUP_MSG: 'readAllGroupMessage',
  READ_ALL_MSG: 'readAllMsg',
  MSG_REMIND_ACPT_AND_NOTE: 'AcceptAndNotify',
  MSG_REMIND_ACPT_NOT_NOTE: 'AcceptNotNotify',
  MSG_REMIND_DISCARD: 'Discard',
  CONV_MARK_TYPE_STAR: 1,
  CONV_MARK_TYPE_UNREAD: 2,
  CONV_MARK_TYPE_FOLD: 4,
  CONV_MARK_TYPE_HIDE: 8,
  USER_STATUS_ONLINE: 1,
  USER_STATUS_OFFLINE: 2,
  SNS_ADD_TYPE_SINGLE: 'Add_Type_Single',
  SNS_ADD_TYPE_BOTH: 'Add_Type_Both',
  SNS_DELETE_TYPE_SINGLE: 'Delete_Type_Single',
  SNS_DELETE_TYPE_BOTH: 'Delete_Type_Both',
  SNS_CHECK_TYPE_SINGLE: 'CheckResult_Type_Single',
  SNS_CHECK_TYPE_BOTH: 'CheckResult_Type_Both',
  SNS_TYPE_NO_RELATION: 'CheckResult_Type_NoRelation',
  SNS_TYPE_A_WITH_B: 'CheckResult_Type_AWithB',
  SNS_TYPE_B_WITH_A: 'CheckResult_Type_BWithA',
  SNS_TYPE_BOTH_WAY: 'CheckResult_Type_BothWay',
  SNS_APPLICATION_SENT_TO_ME: 'Pendency_Type_ComeIn',
  SNS_APPLICATION_SENT_BY_ME: 'Pendency_Type_SendOut',
  SNS_APPLICATION_AGREE: 'Response_Action_Agree',
  SNS_APPLICATION_AGREE_AND_ADD: 'Response_Action_AgreeAndAdd',
});

// The WebAssembly module, loaded once per page.
let loaded = null;
const load = () => (loaded ??= init());

// The server's WebSocket beside the page, when the tinyim server serves it.
const besideThePage = () =>
  `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

const ok = (data) => ({ code: 0, data });
// Messages by conversation, for the calls that take a message list: the
// conversation's id (and its group's) and the sequences, space-separated.
const byConversation = (messageList) => {
  const groups = new Map();
  for (const m of Array.isArray(messageList) ? messageList : []) {
    const id = str(m?.conversationID);
    groups.set(id, [...(groups.get(id) ?? []), int(m?.sequence)]);
  }
  return [...groups].map(([conversationID, sequences]) => ({
    conversationID,
    groupID: conversationID.replace(/^GROUP/, ''),
    sequences: sequences.join(' '),
  }));
};

// Messages findMessage can find: the newest this many seen.
const MESSAGES_KEPT = 1000;

// Uploads: bytes a PUT carries at most, and requests an upload may try
// before it gives up (each resumes where the server's bytes end).
const CHUNK = 1 << 20;
const ATTEMPTS = 8;
const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
// TIM's image formats by MIME type.
const IMAGE_FORMAT = { 'image/jpeg': 1, 'image/gif': 2, 'image/png': 3, 'image/bmp': 4 };
// An image variant from the server's `WIDTHxHEIGHT SIZE` header.
const picture = (type, url, header) => {
  const [, width, height, size] = /^(\d+)x(\d+) (\d+)$/.exec(header ?? '') ?? [];
  return size > 0
    ? { type, url, width: Number(width), height: Number(height), size: Number(size) }
    : { type, url: '', width: 0, height: 0, size: 0 };
};

// A frame of a video as a JPEG, and its length, where this browser can
// decode it (`null` where it cannot, or takes over five seconds): the
// frame a little way in rather than the first, which is often black (a
// fade in, or a recorder that started before its first picture).
const snapshot = (file) =>
  new Promise((resolve) => {
    const video = document.createElement('video');
    const url = URL.createObjectURL(file);
    const done = (frame) => {
      URL.revokeObjectURL(url);
      resolve(frame);
    };
    setTimeout(() => done(null), 5000);
    video.muted = true;
    video.onerror = () => done(null);
    video.onloadeddata = () => {
      const length = Number.isFinite(video.duration) ? video.duration : 0;
      video.currentTime = length > 0 ? Math.min(1, length / 3) : 0.2;
    };
    video.onseeked = () => {
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
      if (!canvas.width) return done(null);
      canvas.getContext('2d').drawImage(video, 0, 0);
      const seconds = Number.isFinite(video.duration) ? Math.round(video.duration) : 0;
      canvas.toBlob((blob) => done(blob && { blob, width: canvas.width, height: canvas.height, seconds }), 'image/jpeg', 0.8);
    };
    video.src = url;
  });

/** Sends `bytes` to the ticket's URL from where the server has them. */
async function put(url, bytes, onProgress) {
  const offset = (answer) => Number(answer.headers.get('upload-offset') ?? 0);
  let failure = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      let answer = await fetch(url, { method: 'HEAD' });
      if (!answer.ok) break;
      let at = offset(answer);
      while (at < bytes.length) {
        const body = bytes.subarray(at, Math.min(at + CHUNK, bytes.length));
        answer = await fetch(url, { method: 'PUT', headers: { 'upload-offset': String(at) }, body });
        if (answer.status === 201) at = bytes.length;
        else if (answer.status === 200 || answer.status === 409) at = offset(answer);
        else throw { code: 2040, message: `the upload was refused (${answer.status}): ${await answer.text()}` };
        onProgress?.(at / bytes.length);
      }
      return answer.headers;
    } catch (e) {
      if (e.code) throw e;
      failure = e;
    }
  }
  throw { code: 2040, message: `the upload failed: ${failure ?? 'refused'}` };
}

class Instance {
  #handlers = new Map();
  #session;
  #ready = false;
  #user = '';
  #totalUnread = 0;
  // Media messages' uploads, started at creation and awaited by sendMessage.
  #uploads = new WeakMap();

  constructor({ SDKAppID, server, keepSyncState = true }) {
    this.SDKAppID = SDKAppID;
    this.#session = load().then(
      () => new Session(server ?? besideThePage(), (name, data) => this.#emit(name, data), keepSyncState),
    );
  }

  // Messages this instance has seen (received, sent, listed) by ID, the
  // newest MESSAGES_KEPT, for findMessage.
  #seen = new Map();
  #remember(messages) {
    for (const m of messages) {
      if (!m?.ID) continue;
      this.#seen.delete(m.ID);
      this.#seen.set(m.ID, m);
      if (this.#seen.size > MESSAGES_KEPT) this.#seen.delete(this.#seen.keys().next().value);
    }
  }

  #emit(name, data) {
    if (name === EVENT.MESSAGE_RECEIVED || name === EVENT.MESSAGE_MODIFIED) this.#remember(data);
    if (name === EVENT.SDK_READY) this.#ready = true;
    if (name === EVENT.SDK_NOT_READY) this.#ready = false;
    if (name === EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED) this.#totalUnread = data;
    for (const [handler, context] of this.#handlers.get(name) ?? []) {
      try {
        handler.call(context, { name, data });
      } catch (e) {
        console.error(e);
      }
    }
  }

  async #call(run) {
    return ok(await run(await this.#session));
  }

  // Lifecycle.
  on(name, handler, context) {
    if (!this.#handlers.has(name)) this.#handlers.set(name, new Map());
    this.#handlers.get(name).set(handler, context);
  }
  off(name, handler) {
    this.#handlers.get(name)?.delete(handler);
  }
  setLogLevel() {}
  registerPlugin() {}
  login({ userID, userSig }) {
    return this.#call(async (s) => {
      await s.login(str(userID), str(userSig));
      this.#user = userID;
      return { repeatLogin: false };
    });
  }
  logout() {
    return this.#call(async (s) => {
      await s.logout();
      this.#user = '';
      return {};
    });
  }
  destroy() {
    instances.delete(this.SDKAppID);
    return this.#call(async (s) => s.destroy());
  }
  isReady() {
    return this.#ready;
  }
  getLoginUser() {
    return this.#user;
  }

  // Messages.
  #message(type, { to, conversationType, payload, priority, cloudCustomData, needReadReceipt, atUserList }) {
    return {
      ID: '',
      type,
      payload: { ...payload },
      to,
      conversationType,
      conversationID: `${conversationType}${to}`,
      from: this.#user,
      flow: 'out',
      time: Math.floor(Date.now() / 1000),
      status: 'unSend',
      priority: priority ?? TYPES.MSG_PRIORITY_NORMAL,
      cloudCustomData: cloudCustomData ?? '',
      needReadReceipt: needReadReceipt ?? false,
      atUserList: atUserList ?? payload?.atUserList ?? [],
      isRevoked: false,
    };
  }
  createTextMessage(options) {
    return this.#message(TYPES.MSG_TEXT, options);
  }
  createTextAtMessage(options) {
    return this.#message(TYPES.MSG_TEXT, options);
  }
  createCustomMessage(options) {
    return this.#message(TYPES.MSG_CUSTOM, options);
  }
  createFaceMessage(options) {
    return this.#message(TYPES.MSG_FACE, options);
  }
  createLocationMessage(options) {
    return this.#message(TYPES.MSG_LOCATION, options);
  }
  // Media: `payload.file` is a File (or an <input type=file>); the upload
  // starts at once, through the server's upload service (a ticket over the
  // connection, the bytes over HTTP, checked by their SHA-256), and
  // `onProgress(fraction)` follows it.
  #media(type, options) {
    const message = this.#message(type, { ...options, payload: {} });
    let file = options.payload?.file;
    if (file?.files) file = file.files[0];
    const start = () =>
      file instanceof Blob ? this.#upload(type, file, options.payload, options.onProgress) : Promise.reject({ code: 2251, message: 'no file to send' });
    const upload = { start, promise: start(), failed: false };
    upload.promise.catch(() => {});
    this.#uploads.set(message, upload);
    return message;
  }
  // `file`'s bytes uploaded for a message of `type`: the ticket, the
  // server's headers and the byte count.
  async #send(type, file, onProgress) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
    const s = await this.#session;
    const [ticket] = records(await s.uploadTicket(type, bytes.length, str(file.name) || 'upload', sha256), 'upload');
    return { ticket, made: await put(ticket.uploadUrl, bytes, onProgress), size: bytes.length };
  }
  async #upload(type, file, given, onProgress) {
    const { ticket, made, size } = await this.#send(type, file, onProgress);
    const name = str(file.name) || 'upload';
    const uuid = ticket.uuid;
    if (type === TYPES.MSG_IMAGE) {
      const original = picture(0, ticket.downloadUrl, made.get('image-original'));
      if (!original.url) Object.assign(original, { url: ticket.downloadUrl, size });
      return {
        uuid,
        imageFormat: IMAGE_FORMAT[file.type] ?? 255,
        imageInfoArray: [
          original,
          picture(1, ticket.largeUrl, made.get('image-large')),
          picture(2, ticket.thumbnailUrl, made.get('image-thumbnail')),
        ],
      };
    }
    if (type === TYPES.MSG_FILE) return { uuid, fileUrl: ticket.downloadUrl, fileName: name, fileSize: size };
    if (type === TYPES.MSG_VIDEO) {
      // A frame of it, when this browser decodes it, goes up as an image
      // for the thumbnail, as TIM's snapshot does.
      const frame = await snapshot(file);
      const thumb = frame && (await this.#send(TYPES.MSG_IMAGE, frame.blob)).ticket;
      return {
        videoUUID: uuid,
        videoUrl: ticket.downloadUrl,
        videoSize: size,
        videoSecond: int(given?.second) || (frame?.seconds ?? 0),
        videoFormat: (/\.(\w+)$/.exec(name)?.[1] ?? file.type.split('/')[1] ?? '').toLowerCase(),
        thumbUrl: thumb?.downloadUrl ?? '',
        thumbWidth: frame?.width ?? 0,
        thumbHeight: frame?.height ?? 0,
        thumbSize: frame?.blob.size ?? 0,
      };
    }
    return { uuid, url: ticket.downloadUrl, size, second: int(given?.second) };
  }
  createImageMessage(options) {
    return this.#media(TYPES.MSG_IMAGE, options);
  }
  createFileMessage(options) {
    return this.#media(TYPES.MSG_FILE, options);
  }
  createAudioMessage(options) {
    return this.#media(TYPES.MSG_AUDIO, options);
  }
  createVideoMessage(options) {
    return this.#media(TYPES.MSG_VIDEO, options);
  }
  // TIM `createMergerMessage`: `payload` is `{ messageList, title,
  // abstractList, compatibleText }`; the messages travel inside it.
  createMergerMessage(options) {
    return this.#message(TYPES.MSG_MERGER, options);
  }
  // TIM `downloadMergerMessage`: a merger's messages (they came with it).
  downloadMergerMessage(message) {
    return Promise.resolve(ok(message?.payload?.messageList ?? []));
  }
  // TIM `createForwardMessage`: `payload` is a message (received or sent)
  // whose element goes again to `to`.
  createForwardMessage({ payload: message, ...options }) {
    return this.#message(message.type, {
      ...options,
      payload: message.payload,
      cloudCustomData: options.cloudCustomData ?? message.cloudCustomData,
    });
  }
  // tinyim's own: a fresh URL for a message's upload (a stored one expires).
  getDownloadUrl({ conversationID, sequence }) {
    return this.#call(async (s) => records(await s.getDownloadUrl(str(conversationID), int(sequence)), 'download')[0]);
  }
  async sendMessage(message, options = {}) {
    const s = await this.#session;
    try {
      const upload = this.#uploads.get(message);
      if (upload) {
        // A resend uploads again what did not upload.
        if (upload.failed) upload.promise = upload.start();
        message.payload = await upload.promise.catch((e) => {
          upload.failed = true;
          throw e;
        });
        this.#uploads.delete(message);
      }
      const sent = await s.sendMessage(message, Boolean(options?.onlineUserOnly));
      Object.assign(message, sent, { status: 'success' });
      this.#remember([message]);
      return ok({ message });
    } catch (e) {
      message.status = 'fail';
      // A resend goes with the same ID, so the server stores it once.
      if (e.ID) message.ID = e.ID;
      throw { code: e.code, message: e.message, data: { message } };
    }
  }
  // TIM `findMessage`: a message this instance received, sent or listed
  // lately (the newest thousand), by its ID; null otherwise.
  findMessage(messageID) {
    return this.#seen.get(String(messageID)) ?? null;
  }
  // TIM `resendMessage`: a failed message again, with its ID (a message
  // the server did store is answered as stored, not stored twice).
  resendMessage(message) {
    return this.sendMessage(message);
  }
  revokeMessage(message) {
    return this.#call(async (s) => {
      await s.revokeMessage(str(message.conversationID), int(message.sequence));
      message.isRevoked = true;
      return { message };
    });
  }
  // `nextReqMessageID` is the sequence of the oldest message of the
  // previous page, as a string.
  getMessageList({ conversationID, nextReqMessageID, count = 15 }) {
    return this.#call(async (s) => {
      const page = await s.getMessageList(str(conversationID), int(nextReqMessageID), int(count));
      this.#remember(page.messageList);
      const oldest = page.messageList[0];
      return {
        messageList: page.messageList,
        nextReqMessageID: oldest ? String(oldest.sequence) : '',
        isCompleted: page.isCompleted,
      };
    });
  }
  getMessageListHopping({ conversationID, sequence, direction = 0, count = 15 }) {
    return this.#call(async (s) => {
      const page = await s.getMessageListHopping(str(conversationID), int(sequence), int(direction), int(count));
      this.#remember(page.messageList);
      return { messageList: page.messageList, isCompleted: page.isCompleted };
    });
  }
  setAllMessageRead({ scope = TYPES.READ_ALL_MSG } = {}) {
    return this.#call((s) => s.setAllMessageRead(str(scope)).then(() => ({})));
  }
  // Gone for this user, on all of their devices; the others keep them.
  deleteMessage(messageList) {
    return this.#call(async (s) => {
      for (const { conversationID, sequences } of byConversation(messageList)) {
        await s.deleteMessage(conversationID, sequences);
      }
      return { messageList };
    });
  }
  // The sender's own text or custom message with its new payload or
  // cloudCustomData, at the `version` it was read (a stale one: 2480).
  modifyMessage(message) {
    return this.#call((s) => s.modifyMessage(message).then(() => ({ message })));
  }
  clearHistoryMessage(conversationID) {
    return this.#call((s) => s.clearHistoryMessage(str(conversationID)).then(() => ({})));
  }
  setMessageRemindType({ groupID, userIDList, messageRemindType }) {
    const conversations = groupID ? [`GROUP${str(groupID)}`] : ids(userIDList ?? []).map((u) => `C2C${str(u)}`);
    return this.#call(async (s) => {
      for (const id of conversations) await s.setMessageRemindType(id, str(messageRemindType));
      return {};
    });
  }
  sendMessageReadReceipt(messageList) {
    return this.#call(async (s) => {
      for (const { groupID, sequences } of byConversation(messageList)) {
        await s.sendMessageReadReceipt(groupID, sequences);
      }
      return {};
    });
  }
  getMessageReadReceiptList(messageList) {
    return this.#call(async (s) => {
      const counts = [];
      for (const { groupID, sequences } of byConversation(messageList)) {
        counts.push(...records(await s.getMessageReadReceiptList(groupID, sequences), 'receipt'));
      }
      const list = Array.isArray(messageList) ? messageList : [];
      for (const m of list) {
        const count = counts.find((c) => `GROUP${c.groupID}` === m.conversationID && c.sequence === m.sequence);
        if (count) m.readReceiptInfo = { readCount: count.readCount, unreadCount: count.unreadCount };
      }
      return { messageList: list };
    });
  }
  getGroupMessageReadMemberList({ message, filter = 0, cursor = '', count = 100 }) {
    const read = int(filter) === 0;
    return this.#call(async (s) => {
      const answer = await s.getGroupMessageReadMemberList(str(message?.to), int(message?.sequence), read, int(cursor), int(count));
      const [page] = records(answer, 'page');
      const done = page?.isCompleted ?? true;
      return {
        messageID: message?.ID ?? '',
        [read ? 'readUserIDList' : 'unreadUserIDList']: records(answer, 'receiptMember').map((m) => m.userID),
        isCompleted: done,
        cursor: done ? '' : String(page.nextOffset),
      };
    });
  }
  setMessageRead({ conversationID }) {
    return this.#call((s) => s.setMessageRead(str(conversationID)).then(() => ({})));
  }

  // Conversations.
  getConversationList() {
    return this.#call(async (s) => ({ conversationList: await s.getConversationList() }));
  }
  getConversationProfile(conversationID) {
    return this.#call(async (s) => {
      const conversation = await s.getConversationProfile(str(conversationID));
      if (!conversation) throw { code: 2500, message: 'no such conversation' };
      return { conversation };
    });
  }
  getTotalUnreadMessageCount() {
    return this.#totalUnread;
  }
  // One id, or TIM's `{conversationIDList, clearHistoryMessage}`.
  deleteConversation(options) {
    if (typeof options === 'string') {
      return this.#call((s) => s.deleteConversation(options).then(() => ({ conversationID: options })));
    }
    const list = ids(options?.conversationIDList ?? []).map(str);
    return this.#call((s) =>
      s.deleteConversations(list.join(' '), Boolean(options?.clearHistoryMessage)).then(() => ({ conversationIDList: list })),
    );
  }
  markConversation({ conversationIDList, markType, enableMark }) {
    const list = ids(conversationIDList ?? []).map(str);
    return this.#call((s) =>
      s.markConversation(list.join(' '), int(markType), Boolean(enableMark)).then(() => ({ successConversationIDList: list })),
    );
  }
  setConversationCustomData({ conversationIDList, customData }) {
    const list = ids(conversationIDList ?? []).map(str);
    return this.#call((s) =>
      s.setConversationCustomData(list.join(' '), str(customData)).then(() => ({ successConversationIDList: list })),
    );
  }
  setConversationDraft({ conversationID, draftText }) {
    return this.#call((s) => s.setConversationDraft(str(conversationID), str(draftText)).then(() => ({})));
  }
  pinConversation({ conversationID, isPinned }) {
    return this.#call((s) => s.pinConversation(str(conversationID), Boolean(isPinned)).then(() => ({ conversationID })));
  }

  // Groups.
  getGroupList() {
    return this.#call(async (s) => ({ groupList: await s.getGroupList() }));
  }
  createGroup(options) {
    return this.#call(async (s) => {
      const [created] = records(await s.createGroup(options), 'created');
      return { group: { ...created, name: options.name, type: options.type ?? TYPES.GRP_WORK } };
    });
  }
  joinGroup({ groupID, applyMessage = '' }) {
    return this.#call(async (s) => {
      const [join] = records(await s.joinGroup(str(groupID), str(applyMessage)), 'join');
      return { status: join?.status, group: { groupID } };
    });
  }
  quitGroup(groupID) {
    return this.#call((s) => s.quitGroup(str(groupID)).then(() => ({ groupID })));
  }
  dismissGroup(groupID) {
    return this.#call((s) => s.dismissGroup(str(groupID)).then(() => ({ groupID })));
  }
  getGroupProfile({ groupID }) {
    return this.#call(async (s) => {
      const [group] = records(await s.getGroupProfile(str(groupID)), 'group');
      return { group };
    });
  }
  getGroupMemberList({ groupID, count = 15, offset = 0 }) {
    return this.#call(async (s) => {
      const answer = await s.getGroupMemberList(str(groupID), int(offset), int(count));
      const [page] = records(answer, 'page');
      return { memberList: records(answer, 'member'), offset: page?.isCompleted ? 0 : page?.nextOffset };
    });
  }
  addGroupMember({ groupID, userIDList }) {
    return this.#call((s) =>
      s.addGroupMember(str(groupID), ids(userIDList)).then(() => ({ successUserIDList: userIDList, group: { groupID } })),
    );
  }
  deleteGroupMember({ groupID, userIDList, reason = '' }) {
    return this.#call((s) =>
      s.deleteGroupMember(str(groupID), ids(userIDList), str(reason)).then(() => ({ userIDList, group: { groupID } })),
    );
  }

  updateGroupProfile(options) {
    return this.#call((s) => s.updateGroupProfile(options).then(() => ({ group: { ...options } })));
  }
  searchGroupByID(groupID) {
    return this.#call(async (s) => ({ group: records(await s.searchGroupByID(str(groupID)), 'group')[0] }));
  }
  changeGroupOwner({ groupID, newOwnerID }) {
    return this.#call((s) => s.changeGroupOwner(str(groupID), str(newOwnerID)).then(() => ({ group: { groupID } })));
  }
  getGroupApplicationList() {
    return this.#call(async (s) => ({ applicationList: records(await s.getGroupApplicationList(), 'application') }));
  }
  // The request as `getGroupApplicationList` lists it (`application`), or
  // the join request's system notice (`message`), as TIM takes either.
  handleGroupApplication({ handleAction, handleMessage = '', application, message }) {
    const groupID = application?.groupID ?? message?.payload?.groupProfile?.groupID;
    const applicant = application?.applicant ?? message?.payload?.operatorID;
    return this.#call((s) =>
      s
        .handleGroupApplication(str(groupID), str(applicant), handleAction === 'Agree', str(handleMessage))
        .then(() => ({ group: { groupID } })),
    );
  }
  setGroupMemberRole({ groupID, userID, role }) {
    return this.#call((s) =>
      s.setGroupMemberRole(str(groupID), str(userID), str(role)).then(() => ({ group: { groupID }, member: { userID, role } })),
    );
  }
  setGroupMemberMuteTime({ groupID, userID, muteTime }) {
    return this.#call((s) =>
      s.setGroupMemberMuteTime(str(groupID), str(userID), int(muteTime)).then(() => ({ group: { groupID }, member: { userID } })),
    );
  }
  setGroupMemberNameCard({ groupID, userID = this.#user, nameCard }) {
    return this.#call((s) =>
      s.setGroupMemberNameCard(str(groupID), str(userID), str(nameCard)).then(() => ({ group: { groupID }, member: { userID, nameCard } })),
    );
  }
  getGroupMemberProfile({ groupID, userIDList }) {
    return this.#call(async (s) => ({ memberList: records(await s.getGroupMemberProfile(str(groupID), ids(userIDList)), 'member') }));
  }
  getGroupOnlineMemberCount(groupID) {
    return this.#call(async (s) => records(await s.getGroupOnlineMemberCount(str(groupID)), 'count')[0]);
  }

  // Presence.
  setSelfStatus({ customStatus }) {
    return this.#call((s) => s.setSelfStatus(str(customStatus)).then(() => ({ customStatus })));
  }
  getUserStatus({ userIDList }) {
    return this.#call(async (s) => ({
      successUserList: records(await s.getUserStatus(ids(userIDList)), 'status'),
      failureUserList: [],
    }));
  }
  subscribeUserStatus({ userIDList }) {
    return this.#call((s) => s.subscribeUserStatus(ids(userIDList)).then(() => ({ failureUserList: [] })));
  }
  unsubscribeUserStatus({ userIDList }) {
    return this.#call((s) => s.unsubscribeUserStatus(ids(userIDList)).then(() => ({ failureUserList: [] })));
  }

  // The relationship chain: friendship.js's calls in the friendship build
  // (esbuild defines FRIENDSHIP), 2998 in the plain one, as in TIM.
  #friend(name, options) {
    return this.#call((s) =>
      FRIENDSHIP
        ? friendCalls[name](s, options)
        : Promise.reject({ code: 2998, message: 'friends are in the friendship build (tim/friendship/tim.js)' }),
    );
  }
  static {
    for (const name of FRIEND_CALLS) {
      this.prototype[name] = function (options) {
        return this.#friend(name, options);
      };
    }
  }

  // Profiles and the blocklist.
  // Profiles with their custom fields (TIM `profileCustomField`), asked
  // again from the first user not answered while a page is full.
  async #withCustom(s, profiles) {
    const users = profiles.map((p) => p.userID);
    const fields = [];
    for (let at = 0; at < users.length; ) {
      const answer = await s.getProfileCustom(users.slice(at));
      fields.push(...records(answer, 'custom'));
      const [page] = records(answer, 'page');
      if (!page || page.isCompleted || !page.nextOffset) break;
      at += page.nextOffset;
    }
    for (const p of profiles) {
      p.profileCustomField = fields.filter((f) => f.userID === p.userID).map(({ key, value }) => ({ key, value }));
    }
    return profiles;
  }
  getMyProfile() {
    return this.#call(async (s) => (await this.#withCustom(s, records(await s.getMyProfile(), 'profile')))[0]);
  }
  getUserProfile({ userIDList }) {
    return this.#call(async (s) => this.#withCustom(s, records(await s.getUserProfile(ids(userIDList)), 'profile')));
  }
  updateMyProfile({ profileCustomField = [], ...options }) {
    return this.#call(async (s) => {
      for (const { key, value } of profileCustomField) await s.setProfileCustom(str(key), str(value));
      // Only custom fields: nothing else to change, the profile as it is.
      const answer = Object.keys(options).length ? await s.updateMyProfile(options) : await s.getMyProfile();
      return (await this.#withCustom(s, records(answer, 'profile')))[0];
    });
  }
  getBlacklist() {
    return this.#call(async (s) => records(await s.getBlacklist(), 'blocked').map((b) => b.userID));
  }
  addToBlacklist({ userIDList }) {
    return this.#call((s) => s.addToBlacklist(ids(userIDList)).then(() => userIDList));
  }
  removeFromBlacklist({ userIDList }) {
    return this.#call((s) => s.removeFromBlacklist(ids(userIDList)).then(() => userIDList));
  }
}

// One instance per SDKAppID, as TIM does.
const instances = new Map();

const TIM = Object.freeze({
  EVENT,
  TYPES,
  create(options) {
    if (!instances.has(options.SDKAppID)) instances.set(options.SDKAppID, new Instance(options));
    return instances.get(options.SDKAppID);
  },
});

export default TIM;
