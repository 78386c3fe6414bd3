// TypeScript declarations of tim.js: TIM's Web SDK API as tinyim serves it.

/** What every call resolves with. */
export interface IMResponse<T> {
  code: 0;
  data: T;
}

/** What every call rejects with: a TIM error code and its words. */
export interface IMError {
  code: number;
  message: string;
  /** For `sendMessage`: the message, now `status: 'fail'`. */
  data?: { message: Message };
}

export type ConversationType = 'C2C' | 'GROUP' | '@TIM#SYSTEM';
export type GroupType = 'Private' | 'Public' | 'ChatRoom' | 'AVChatRoom' | 'Community';
export type GroupRole = 'Owner' | 'Admin' | 'Member';
export type JoinOption = 'FreeAccess' | 'NeedPermission' | 'DisableApply';
export type Priority = 'High' | 'Normal' | 'Low' | 'Lowest';

export interface Message {
  /** The client message id, as a decimal string. */
  ID: string;
  type: string;
  payload: Record<string, unknown>;
  conversationID: string;
  conversationType: ConversationType;
  to: string;
  from: string;
  flow: 'in' | 'out';
  /** Server time, unix seconds. */
  time: number;
  /** The message's place in its conversation (from 1). */
  sequence?: number;
  status: 'unSend' | 'success' | 'fail';
  isRevoked: boolean;
  priority?: Priority;
  nick?: string;
  avatar?: string;
  nameCard?: string;
  cloudCustomData: string;
  atUserList: string[];
  needReadReceipt?: boolean;
  /** Its edit count, as `modifyMessage` wants it. */
  version?: number;
}

export interface Conversation {
  conversationID: string;
  type: ConversationType;
  unreadCount: number;
  isPinned: boolean;
  messageRemindType: 'AcceptAndNotify' | 'AcceptNotNotify' | 'Discard';
  groupAtInfoList: { atTypeArray: number[] }[];
  lastMessage: { lastTime: number; lastSequence: number; fromAccount: string; messageForShow: string };
  peerReadSequence: number;
  /** TIM's mark bits that are set (1 star, 2 unread, 4 fold, 8 hide, and the application's own). */
  markList: number[];
  groupProfile?: Partial<Group> & { groupID: string };
  userProfile?: { userID: string };
}

export interface Group {
  groupID: string;
  name: string;
  type: GroupType;
  introduction?: string;
  notification?: string;
  avatar?: string;
  ownerID?: string;
  createTime?: number;
  memberCount?: number;
  maxMemberCount?: number;
  joinOption?: JoinOption;
  muteAllMembers: boolean;
  nextMessageSeq?: number;
  unreadCount?: number;
  selfInfo?: { role: GroupRole };
}

export interface GroupMember {
  userID: string;
  role: GroupRole;
  joinTime: number;
  nameCard: string;
  muteUntil: number;
}

export interface Profile {
  userID: string;
  nick: string;
  gender: string;
  birthday: number;
  location: string;
  selfSignature: string;
  allowType: string;
  language: number;
  avatar: string;
  level: number;
  role: number;
  lastUpdatedNumber: number;
  /** `Tag_Profile_Custom_*` fields. */
  profileCustomField: { key: string; value: string }[];
}

/** TIM `Friend` (friendship build). */
export interface Friend {
  userID: string;
  remark: string;
  source: string;
  wording: string;
  groupList: string[];
  /** When the friend was added, unix seconds. */
  addTime: number;
  friendCustomField: { key: string; value: string }[];
  profile: Profile;
}

/** TIM `FriendApplication` (friendship build). */
export interface FriendApplication {
  userID: string;
  type: 'Pendency_Type_ComeIn' | 'Pendency_Type_SendOut';
  wording: string;
  source: string;
  /** Unix seconds. */
  time: number;
}

/** TIM `FriendGroup` (friendship build). */
export interface FriendGroup {
  name: string;
  count: number;
  userIDList: string[];
}

export interface MessageOptions<P> {
  to: string;
  conversationType: ConversationType;
  payload: P;
  priority?: Priority;
  cloudCustomData?: string;
  needReadReceipt?: boolean;
  atUserList?: string[];
}

export interface TimEvent<T = any> {
  name: string;
  data: T;
}

export interface CreateOptions {
  SDKAppID: number;
  /** The server's WebSocket (`wss://host/ws`); the page's own server when omitted. */
  server?: string;
  /** Keep the sync state in localStorage so a reload resumes (default true). */
  keepSyncState?: boolean;
}

export interface Instance {
  readonly SDKAppID: number;
  on(event: string, handler: (event: TimEvent) => void, context?: unknown): void;
  off(event: string, handler: (event: TimEvent) => void): void;
  setLogLevel(level: number): void;
  registerPlugin(plugins: Record<string, unknown>): void;
  login(options: { userID: string; userSig: string }): Promise<IMResponse<{ repeatLogin: boolean }>>;
  logout(): Promise<IMResponse<{}>>;
  destroy(): Promise<IMResponse<void>>;
  isReady(): boolean;
  getLoginUser(): string;

  createTextMessage(options: MessageOptions<{ text: string }>): Message;
  createTextAtMessage(options: MessageOptions<{ text: string; atUserList: string[] }>): Message;
  createCustomMessage(options: MessageOptions<{ data: string; description?: string; extension?: string }>): Message;
  createFaceMessage(options: MessageOptions<{ index: number; data: string }>): Message;
  createLocationMessage(
    options: MessageOptions<{ description: string; longitude: number; latitude: number }>,
  ): Message;
  /** Uploads `payload.file` at once through the server's upload service. */
  createImageMessage(options: MessageOptions<{ file: Blob | HTMLInputElement }> & { onProgress?: (fraction: number) => void }): Message;
  createFileMessage(options: MessageOptions<{ file: Blob | HTMLInputElement }> & { onProgress?: (fraction: number) => void }): Message;
  createAudioMessage(
    options: MessageOptions<{ file: Blob | HTMLInputElement; second?: number }> & { onProgress?: (fraction: number) => void },
  ): Message;
  /** The video, and a frame of it (a little way in) as the thumbnail where this browser decodes it. */
  createVideoMessage(
    options: MessageOptions<{ file: Blob | HTMLInputElement; second?: number }> & { onProgress?: (fraction: number) => void },
  ): Message;
  /** The messages travel inside the merger (at most 12 KB together). */
  createMergerMessage(
    options: MessageOptions<{ messageList: Message[]; title: string; abstractList: string[]; compatibleText: string }>,
  ): Message;
  /** A merger's messages, nested mergers with theirs. */
  downloadMergerMessage(message: Message): Promise<IMResponse<Message[]>>;
  /** `payload` is a message whose element goes again to `to`. */
  createForwardMessage(options: MessageOptions<Message>): Message;
  /** tinyim's own: a fresh URL for a message's upload (stored URLs expire). */
  getDownloadUrl(options: { conversationID: string; sequence: number }): Promise<
    IMResponse<{ uuid: string; url: string; largeUrl: string; thumbnailUrl: string; expiresAt: number }>
  >;
  sendMessage(message: Message, options?: { onlineUserOnly?: boolean }): Promise<IMResponse<{ message: Message }>>;
  /** A message received, sent or listed lately (the newest thousand), by its `ID`; null otherwise. */
  findMessage(messageID: string): Message | null;
  /** A failed message again with its `ID` (uploading again what did not upload); the server stores it once. */
  resendMessage(message: Message): Promise<IMResponse<{ message: Message }>>;
  revokeMessage(message: Message): Promise<IMResponse<{ message: Message }>>;
  getMessageList(options: {
    conversationID: string;
    nextReqMessageID?: string;
    count?: number;
  }): Promise<IMResponse<{ messageList: Message[]; nextReqMessageID: string; isCompleted: boolean }>>;
  setMessageRead(options: { conversationID: string }): Promise<IMResponse<{}>>;
  getMessageListHopping(options: {
    conversationID: string;
    sequence: number;
    /** 0 older, 1 newer. */
    direction?: 0 | 1;
    count?: number;
  }): Promise<IMResponse<{ messageList: Message[]; isCompleted: boolean }>>;
  setAllMessageRead(options?: { scope?: 'readAllC2CMessage' | 'readAllGroupMessage' | 'readAllMsg' }): Promise<IMResponse<{}>>;
  /** Gone for this user on all of their devices; the others keep them. */
  deleteMessage(messageList: Message[]): Promise<IMResponse<{ messageList: Message[] }>>;
  /** The sender's text or custom message, at the `version` it was read. */
  modifyMessage(message: Message & { version?: number }): Promise<IMResponse<{ message: Message }>>;
  clearHistoryMessage(conversationID: string): Promise<IMResponse<{}>>;
  setMessageRemindType(options: {
    groupID?: string;
    userIDList?: string[];
    messageRemindType: 'AcceptAndNotify' | 'AcceptNotNotify' | 'Discard';
  }): Promise<IMResponse<{}>>;
  sendMessageReadReceipt(messageList: Message[]): Promise<IMResponse<{}>>;
  getMessageReadReceiptList(messageList: Message[]): Promise<
    IMResponse<{ messageList: (Message & { readReceiptInfo?: { readCount: number; unreadCount: number } })[] }>
  >;
  /** `filter` 0: who read it, 1: who has not; `cursor` from the previous page. */
  getGroupMessageReadMemberList(options: { message: Message; filter?: 0 | 1; cursor?: string; count?: number }): Promise<
    IMResponse<{ messageID: string; readUserIDList?: string[]; unreadUserIDList?: string[]; isCompleted: boolean; cursor: string }>
  >;
  markConversation(options: { conversationIDList: string[]; markType: number; enableMark: boolean }): Promise<
    IMResponse<{ successConversationIDList: string[] }>
  >;
  setConversationCustomData(options: { conversationIDList: string[]; customData: string }): Promise<
    IMResponse<{ successConversationIDList: string[] }>
  >;
  setConversationDraft(options: { conversationID: string; draftText: string }): Promise<IMResponse<{}>>;
  setSelfStatus(options: { customStatus: string }): Promise<IMResponse<{ customStatus: string }>>;
  getUserStatus(options: { userIDList: string[] }): Promise<
    IMResponse<{ successUserList: { userID: string; statusType: 1 | 2; customStatus: string }[]; failureUserList: [] }>
  >;
  subscribeUserStatus(options: { userIDList: string[] }): Promise<IMResponse<{ failureUserList: [] }>>;
  unsubscribeUserStatus(options: { userIDList: string[] }): Promise<IMResponse<{ failureUserList: [] }>>;

  getConversationList(): Promise<IMResponse<{ conversationList: Conversation[] }>>;
  getConversationProfile(conversationID: string): Promise<IMResponse<{ conversation: Conversation }>>;
  getTotalUnreadMessageCount(): number;
  deleteConversation(conversationID: string): Promise<IMResponse<{ conversationID: string }>>;
  deleteConversation(options: { conversationIDList: string[]; clearHistoryMessage?: boolean }): Promise<
    IMResponse<{ conversationIDList: string[] }>
  >;
  pinConversation(options: { conversationID: string; isPinned: boolean }): Promise<IMResponse<{ conversationID: string }>>;

  getGroupList(): Promise<IMResponse<{ groupList: Group[] }>>;
  createGroup(options: {
    name: string;
    type?: GroupType;
    groupID?: string;
    introduction?: string;
    notification?: string;
    avatar?: string;
    maxMemberNum?: number;
    joinOption?: JoinOption;
    memberList?: { userID: string }[];
  }): Promise<IMResponse<{ group: { groupID: string; name: string; type: GroupType } }>>;
  joinGroup(options: { groupID: string; applyMessage?: string }): Promise<
    IMResponse<{ status: 'JoinedSuccess' | 'WaitAdminApproval' | 'AlreadyInGroup'; group: { groupID: string } }>
  >;
  quitGroup(groupID: string): Promise<IMResponse<{ groupID: string }>>;
  dismissGroup(groupID: string): Promise<IMResponse<{ groupID: string }>>;
  getGroupProfile(options: { groupID: string }): Promise<IMResponse<{ group: Group }>>;
  getGroupMemberList(options: {
    groupID: string;
    count?: number;
    offset?: number;
  }): Promise<IMResponse<{ memberList: GroupMember[]; offset: number }>>;
  addGroupMember(options: { groupID: string; userIDList: string[] }): Promise<
    IMResponse<{ successUserIDList: string[]; group: { groupID: string } }>
  >;
  deleteGroupMember(options: { groupID: string; userIDList: string[]; reason?: string }): Promise<
    IMResponse<{ userIDList: string[]; group: { groupID: string } }>
  >;

  updateGroupProfile(options: {
    groupID: string;
    name?: string;
    introduction?: string;
    notification?: string;
    avatar?: string;
    joinOption?: JoinOption;
    muteAllMembers?: boolean;
  }): Promise<IMResponse<{ group: Partial<Group> }>>;
  searchGroupByID(groupID: string): Promise<IMResponse<{ group: Group }>>;
  changeGroupOwner(options: { groupID: string; newOwnerID: string }): Promise<IMResponse<{ group: { groupID: string } }>>;
  getGroupApplicationList(): Promise<
    IMResponse<{ applicationList: { groupID: string; applicant: string; applyMessage: string; time: number }[] }>
  >;
  handleGroupApplication(options: {
    handleAction: 'Agree' | 'Reject';
    handleMessage?: string;
    application?: { groupID: string; applicant: string };
    message?: Message;
  }): Promise<IMResponse<{ group: { groupID: string } }>>;
  setGroupMemberRole(options: { groupID: string; userID: string; role: 'Admin' | 'Member' }): Promise<IMResponse<{}>>;
  setGroupMemberMuteTime(options: { groupID: string; userID: string; muteTime: number }): Promise<IMResponse<{}>>;
  setGroupMemberNameCard(options: { groupID: string; userID?: string; nameCard: string }): Promise<IMResponse<{}>>;
  getGroupMemberProfile(options: { groupID: string; userIDList: string[] }): Promise<IMResponse<{ memberList: GroupMember[] }>>;
  getGroupOnlineMemberCount(groupID: string): Promise<IMResponse<{ memberCount: number }>>;

  getMyProfile(): Promise<IMResponse<Profile>>;
  getUserProfile(options: { userIDList: string[] }): Promise<IMResponse<Profile[]>>;
  updateMyProfile(
    options: Partial<Pick<Profile, 'nick' | 'avatar' | 'location' | 'selfSignature' | 'gender' | 'allowType' | 'profileCustomField'>>,
  ): Promise<IMResponse<Profile>>;
  getBlacklist(): Promise<IMResponse<string[]>>;
  addToBlacklist(options: { userIDList: string[] }): Promise<IMResponse<string[]>>;
  removeFromBlacklist(options: { userIDList: string[] }): Promise<IMResponse<string[]>>;

  // The relationship chain: the friendship build (tim/friendship/tim.js)
  // only; the plain build rejects each with code 2998, as TIM's does.
  addFriend(options: {
    to: string;
    source: string;
    wording?: string;
    type?: 'Add_Type_Both' | 'Add_Type_Single';
    remark?: string;
    groupName?: string;
  }): Promise<IMResponse<{ userID: string; code: number; message: string }>>;
  deleteFriend(options: {
    userIDList: string[];
    type?: 'Delete_Type_Both' | 'Delete_Type_Single';
  }): Promise<IMResponse<{ successUserIDList: { userID: string; code: number; message: string }[]; failureUserIDList: [] }>>;
  checkFriend(options: {
    userIDList: string[];
    type?: 'CheckResult_Type_Both' | 'CheckResult_Type_Single';
  }): Promise<IMResponse<{ successUserIDList: { userID: string; code: number; relation: string }[]; failureUserIDList: [] }>>;
  getFriendList(): Promise<IMResponse<Friend[]>>;
  getFriendProfile(options: {
    userIDList: string[];
  }): Promise<IMResponse<{ friendList: Friend[]; failureUserIDList: { userID: string; code: number; message: string }[] }>>;
  updateFriend(options: {
    userID: string;
    remark?: string;
    friendCustomField?: { key: string; value: string }[];
  }): Promise<IMResponse<Friend>>;
  getFriendApplicationList(): Promise<IMResponse<{ applicationList: FriendApplication[]; unreadCount: number }>>;
  acceptFriendApplication(options: {
    userID: string;
    remark?: string;
    type?: 'Response_Action_Agree' | 'Response_Action_AgreeAndAdd';
  }): Promise<IMResponse<{}>>;
  refuseFriendApplication(options: { userID: string }): Promise<IMResponse<{}>>;
  deleteFriendApplication(options: {
    userID: string;
    type?: 'Pendency_Type_ComeIn' | 'Pendency_Type_SendOut';
  }): Promise<IMResponse<{}>>;
  setFriendApplicationRead(): Promise<IMResponse<{}>>;
  getFriendGroupList(): Promise<IMResponse<FriendGroup[]>>;
  createFriendGroup(options: {
    name: string;
    userIDList?: string[];
  }): Promise<IMResponse<{ friendGroup: FriendGroup; failureUserIDList: [] }>>;
  deleteFriendGroup(options: { name: string }): Promise<IMResponse<{ name: string }>>;
  renameFriendGroup(options: { oldName: string; newName: string }): Promise<IMResponse<{ friendGroup: FriendGroup }>>;
  addToFriendGroup(options: {
    name: string;
    userIDList: string[];
  }): Promise<IMResponse<{ friendGroup: FriendGroup; failureUserIDList: [] }>>;
  removeFromFriendGroup(options: {
    name: string;
    userIDList: string[];
  }): Promise<IMResponse<{ friendGroup: FriendGroup; failureUserIDList: [] }>>;
}

declare const TIM: {
  readonly EVENT: Readonly<Record<string, string>>;
  readonly TYPES: Readonly<Record<string, string | number>>;
  /** One instance per SDKAppID, as TIM does. */
  create(options: CreateOptions): Instance;
};

export default TIM;
