//! Error codes. Tencent IM's numbers where one exists, so people who know TIM
//! recognise them; tinyim's own codes sit in 9xxx.

/// The request kind is not known to this server.
pub const UNSUPPORTED: u32 = 9001;
/// The request body could not be decoded.
pub const BAD_REQUEST: u32 = 9002;
/// The client's protocol version is not spoken here.
pub const VERSION_MISMATCH: u32 = 9003;
/// The server failed internally; the request may be retried.
pub const INTERNAL: u32 = 9004;
/// The frame limit announced in the handshake is too small.
pub const FRAME_LIMIT_TOO_SMALL: u32 = 9005;
/// Client side: an image or file message needs an upload plugin, and none is
/// registered.
pub const NO_UPLOADER: u32 = 9006;
/// Client side: the upload plugin failed to store the file.
pub const UPLOAD_FAILED: u32 = 9007;
/// The sender already sent another message with this client message id
/// into this conversation (a resend must carry the same content).
pub const CLIENT_MSG_ID_REUSED: u32 = 9008;

/// Missing or malformed UserSig (TIM 70003: invalid UserSig).
pub const USER_SIG_INVALID: u32 = 70003;
/// UserSig expired (TIM 70001).
pub const USER_SIG_EXPIRED: u32 = 70001;
/// UserSig signature does not match (TIM 70009: verification failed).
pub const USER_SIG_MISMATCH: u32 = 70009;
/// UserSig was issued for another user (TIM 70013: identifier mismatch).
pub const USER_SIG_WRONG_USER: u32 = 70013;
/// UserSig was issued for another SDKAppID (TIM 70014).
pub const USER_SIG_WRONG_APP: u32 = 70014;
/// Invalid user id (TIM 70107: user does not exist / invalid).
pub const INVALID_USER_ID: u32 = 70107;

/// Not logged in (TIM 2024).
pub const NOT_LOGGED_IN: u32 = 2024;
/// Already logged in on this connection (TIM 2025: repeat login).
pub const REPEAT_LOGIN: u32 = 2025;
/// Request timed out (TIM 2801).
pub const TIMEOUT: u32 = 2801;
/// Network failure / disconnected (TIM 2800).
pub const NETWORK: u32 = 2800;
/// Over the frequency limit (TIM 2996).
pub const RATE_LIMITED: u32 = 2996;
/// Invalid conversation id (TIM 2503).
pub const BAD_CONVERSATION: u32 = 2503;
/// Message too large (TIM 80002).
pub const MESSAGE_TOO_LARGE: u32 = 80002;
/// Invalid parameter, such as a field over its length (TIM 10004).
pub const INVALID_PARAMETER: u32 = 10004;
/// No permission: the role or the group type does not allow it, or the
/// user is not a member (TIM 10007).
pub const NO_PERMISSION: u32 = 10007;
/// The owner may not quit this type of group (TIM 10009).
pub const OWNER_CANNOT_QUIT: u32 = 10009;
/// Group not found, or dismissed (TIM 10010).
pub const GROUP_NOT_FOUND: u32 = 10010;
/// The user is already a member (TIM 10013).
pub const ALREADY_MEMBER: u32 = 10013;
/// The group is full (TIM 10014).
pub const GROUP_FULL: u32 = 10014;
/// Invalid group id (TIM 10015).
pub const INVALID_GROUP_ID: u32 = 10015;
/// The sender is muted, or the group is muted for members (TIM 10017).
pub const MUTED: u32 = 10017;
/// The group id is taken (TIM 10021).
pub const GROUP_ID_IN_USE: u32 = 10021;
/// Over the group's 40 messages a second (TIM 10023).
pub const GROUP_RATE_LIMITED: u32 = 10023;
/// Blocked by the peer (TIM 20007).
pub const BLOCKED_BY_PEER: u32 = 20007;
/// The message is older than the revoke window (TIM 20016; two minutes,
/// TIM's default, unless the server is configured otherwise).
pub const REVOKE_TIME_LIMIT: u32 = 20016;
