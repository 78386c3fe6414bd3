// TIM's relationship chain over the module's friend calls (the friendship
// build only: tim.js answers these with 2998 in the plain one, as TIM's
// plain build does). Each call takes the module's Session and TIM's
// options and returns what TIM's promise resolves with.

import { ids, records, str } from './args.js';

// Every record of a paged call, `page(offset)` asked from offset 0 until
// its page record says the list is complete.
const allPages = async (page) => {
  const all = [];
  for (let offset = 0; ; ) {
    const answer = await page(offset);
    const [end] = records(answer, 'page');
    all.push(...answer.filter((r) => r.record !== 'page'));
    if (!end || end.isCompleted) return all;
    offset = end.nextOffset;
  }
};

// TIM `Friend`s from friend records, each followed by its custom fields,
// with their users' profiles (a profile call per hundred).
const friends = async (s, list) => {
  const out = [];
  for (const r of list) {
    if (r.record === 'friend') {
      const { record, groups, ...friend } = r;
      out.push({ ...friend, groupList: groups ? groups.split(',') : [], friendCustomField: [], profile: {} });
    } else if (r.record === 'custom' && out.length) {
      out[out.length - 1].friendCustomField.push({ key: r.key, value: r.value });
    }
  }
  for (let i = 0; i < out.length; i += 100) {
    const page = out.slice(i, i + 100);
    const profiles = records(await s.getUserProfile(page.map((f) => f.userID)), 'profile');
    page.forEach((f, n) => (f.profile = profiles[n] ?? {}));
  }
  return out;
};

// TIM `FriendGroup`s from group records, each followed by its members.
const friendGroups = (list) => {
  const out = [];
  for (const r of list) {
    if (r.record === 'friendGroup') out.push({ name: r.name, count: r.count, userIDList: [] });
    else if (r.record === 'member' && out.length) out[out.length - 1].userIDList.push(r.userID);
  }
  return out;
};

// The friend group as it now is, for the calls that answer with it.
const friendGroup = async (s, name) =>
  friendGroups(await allPages((o) => s.getFriendGroupList(o))).find((g) => g.name === name);

export const friendCalls = {
  async addFriend(s, options) {
    const [added] = records(await s.addFriend(options), 'added');
    // TIM answers a request that waits for the other's approval with 30539.
    return { userID: options.to, code: added?.pending ? 30539 : 0, message: '' };
  },
  async deleteFriend(s, { userIDList, type = 'Delete_Type_Both' }) {
    await s.deleteFriend(ids(userIDList), str(type));
    return {
      successUserIDList: ids(userIDList).map((userID) => ({ userID, code: 0, message: '' })),
      failureUserIDList: [],
    };
  },
  async checkFriend(s, { userIDList, type = 'CheckResult_Type_Both' }) {
    const checked = records(await s.checkFriend(ids(userIDList), str(type)), 'check');
    return {
      successUserIDList: checked.map(({ userID, relation }) => ({ userID, code: 0, relation })),
      failureUserIDList: [],
    };
  },
  async getFriendList(s) {
    return friends(s, await allPages((o) => s.getFriendList(o)));
  },
  async getFriendProfile(s, { userIDList }) {
    const answer = await s.getFriendProfile(ids(userIDList));
    return {
      friendList: await friends(s, answer),
      failureUserIDList: records(answer, 'notFriend').map(({ userID }) => ({ userID, code: 2700, message: 'not a friend' })),
    };
  },
  async updateFriend(s, { userID, remark, friendCustomField = [] }) {
    const user = str(userID);
    if (typeof remark === 'string') await s.updateFriend(user, remark, '', '');
    for (const { key, value } of friendCustomField) await s.updateFriend(user, undefined, str(key), str(value));
    return (await friends(s, await s.getFriendProfile([user])))[0];
  },
  async getFriendApplicationList(s) {
    const list = await allPages((o) => s.getFriendApplicationList(o));
    return {
      applicationList: records(list, 'application').map(({ record, ...application }) => application),
      unreadCount: records(list, 'unread')[0]?.unreadCount ?? 0,
    };
  },
  async acceptFriendApplication(s, { userID, remark = '', type = 'Response_Action_AgreeAndAdd' }) {
    await s.acceptFriendApplication(str(userID), str(remark), str(type));
    return {};
  },
  async refuseFriendApplication(s, { userID }) {
    await s.refuseFriendApplication(str(userID));
    return {};
  },
  async deleteFriendApplication(s, { userID, type = 'Pendency_Type_ComeIn' }) {
    await s.deleteFriendApplication(str(userID), str(type));
    return {};
  },
  async setFriendApplicationRead(s) {
    await s.setFriendApplicationRead();
    return {};
  },
  async getFriendGroupList(s) {
    return friendGroups(await allPages((o) => s.getFriendGroupList(o)));
  },
  async createFriendGroup(s, { name, userIDList = [] }) {
    await s.createFriendGroup(str(name), ids(userIDList));
    return { friendGroup: await friendGroup(s, name), failureUserIDList: [] };
  },
  async deleteFriendGroup(s, { name }) {
    await s.deleteFriendGroup(str(name));
    return { name };
  },
  async renameFriendGroup(s, { oldName, newName }) {
    await s.renameFriendGroup(str(oldName), str(newName));
    return { friendGroup: await friendGroup(s, newName) };
  },
  async addToFriendGroup(s, { name, userIDList }) {
    await s.addToFriendGroup(str(name), ids(userIDList));
    return { friendGroup: await friendGroup(s, name), failureUserIDList: [] };
  },
  async removeFromFriendGroup(s, { name, userIDList }) {
    await s.removeFromFriendGroup(str(name), ids(userIDList));
    return { friendGroup: await friendGroup(s, name), failureUserIDList: [] };
  },
};

// The calls' names, which the plain build keeps (to answer them with 2998)
// when it drops the calls themselves.
export const FRIEND_CALLS = [
  'addFriend', 'deleteFriend', 'checkFriend', 'getFriendList', 'getFriendProfile', 'updateFriend',
  'getFriendApplicationList', 'acceptFriendApplication', 'refuseFriendApplication',
  'deleteFriendApplication', 'setFriendApplicationRead', 'getFriendGroupList', 'createFriendGroup',
  'deleteFriendGroup', 'renameFriendGroup', 'addToFriendGroup', 'removeFromFriendGroup',
];
