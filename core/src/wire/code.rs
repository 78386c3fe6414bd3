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
// 9006 was "no upload plugin registered": the server's upload service is
// the default now. Not to be reused.
/// Client side: the upload plugin failed to store the file.
pub const UPLOAD_FAILED: u32 = 9007;
/// The sender already sent another message with this client message id
/// into this conversation (a resend must carry the same content).
pub const CLIENT_MSG_ID_REUSED: u32 = 9008;
/// Client side: the server answered the hello in TLS; this client connects
/// over plain TCP. Like a version mismatch, dialing again cannot help.
pub const SERVER_SPEAKS_TLS: u32 = 9009;
/// The server cannot reach its database now (a cluster's PostgreSQL is
/// restarting): nothing of the request was done. The client sends a refused
/// message and a refused login again by itself after a backoff; other calls
/// may be made again.
pub const UNAVAILABLE: u32 = 9010;

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
/// `addFriend` or `checkFriend` named someone already on the list (TIM 2701).
pub const ALREADY_FRIEND: u32 = 2701;
/// A friend call named someone who is not on the caller's list (TIM 2700).
pub const NOT_FRIEND: u32 = 2700;
/// The caller's friend list is full (TIM 30010).
pub const FRIEND_LIST_FULL: u32 = 30010;
/// The other user's friend list is full (TIM 30014).
pub const PEER_FRIEND_LIST_FULL: u32 = 30014;
/// The caller blocks the user it asks to add (TIM 30515).
pub const IN_OWN_BLOCKLIST: u32 = 30515;
/// The user lets nobody add them (allow type `DenyAny`, TIM 30516).
pub const PEER_DENIES_ANY: u32 = 30516;
/// The user blocks the caller (TIM 30525).
pub const IN_PEER_BLOCKLIST: u32 = 30525;
/// The message is older than the revoke window (TIM 20016; two minutes,
/// TIM's default, unless the server is configured otherwise).
pub const REVOKE_TIME_LIMIT: u32 = 20016;
/// The message was modified since the version the edit was made on (TIM
/// 2480): read it again and edit that.
pub const MODIFY_CONFLICT: u32 = 2480;
/// An image over 28 MB (TIM's `MESSAGE_IMAGE_SIZE_LIMIT`).
pub const IMAGE_TOO_LARGE: u32 = 2252;
/// A voice message over 28 MB (TIM's `MESSAGE_AUDIO_SIZE_LIMIT`).
pub const SOUND_TOO_LARGE: u32 = 2254;
/// A video over 100 MB (TIM's `MESSAGE_VIDEO_SIZE_LIMIT`).
pub const VIDEO_TOO_LARGE: u32 = 2261;
/// A file over 100 MB (TIM's `MESSAGE_FILE_SIZE_LIMIT`).
pub const FILE_TOO_LARGE: u32 = 2272;
/// The user's uploads would pass the server's quota (`--upload-quota`).
pub const UPLOAD_QUOTA: u32 = 9011;
/// The bytes uploaded do not have the checksum the ticket named: the
/// upload is dropped; ask for a new ticket.
pub const CHECKSUM_MISMATCH: u32 = 9012;

/// What `code` means, in words a user can act on; `None` for a code this
/// version does not know.
pub fn describe(code: u32) -> Option<&'static str> {
    Some(match code {
        UNSUPPORTED => "the server does not know this request (it is older than the client)",
        BAD_REQUEST => "the request was malformed, or asked for what only the server may do",
        VERSION_MISMATCH => "the server speaks another protocol version",
        INTERNAL => "the server failed inside; try again",
        FRAME_LIMIT_TOO_SMALL => "the client's receive buffer is under 512 bytes",
        UPLOAD_FAILED => "the upload plugin could not store the file",
        CLIENT_MSG_ID_REUSED => "this message id was already used for another message",
        SERVER_SPEAKS_TLS => "the server speaks TLS: connect with TLS (its CA certificate)",
        ALREADY_FRIEND => "already a friend",
        NOT_FRIEND => "not a friend",
        FRIEND_LIST_FULL => "your friend list is full (3000)",
        PEER_FRIEND_LIST_FULL => "their friend list is full (3000)",
        IN_OWN_BLOCKLIST => "you block this user; unblock them first",
        PEER_DENIES_ANY => "this user lets nobody add them",
        IN_PEER_BLOCKLIST => "this user blocks you",
        UNAVAILABLE => "the server cannot reach its database now; try again shortly",
        USER_SIG_INVALID => "the UserSig is malformed",
        USER_SIG_EXPIRED => "the UserSig expired; get a new one",
        USER_SIG_MISMATCH => "the UserSig does not match: wrong key or app id",
        USER_SIG_WRONG_USER => "the UserSig was made for another user",
        USER_SIG_WRONG_APP => "the UserSig was made for another app id",
        INVALID_USER_ID => "not a valid user id (1 to 32 letters, digits, _ - . @)",
        NOT_LOGGED_IN => "not logged in",
        REPEAT_LOGIN => "already logged in",
        TIMEOUT => "no answer in time",
        NETWORK => "the connection was lost",
        RATE_LIMITED => "too many requests; slow down",
        BAD_CONVERSATION => "not a valid conversation id",
        MESSAGE_TOO_LARGE => "the message is over 12 KB",
        INVALID_PARAMETER => "a value is invalid or over its limit",
        NO_PERMISSION => "not allowed: not a member, or the role or group type does not permit it",
        OWNER_CANNOT_QUIT => "the owner cannot quit this type of group",
        GROUP_NOT_FOUND => "no such group (or it was dismissed)",
        ALREADY_MEMBER => "already a member",
        GROUP_FULL => "the group is full",
        INVALID_GROUP_ID => "not a valid group id",
        MUTED => "muted in this group",
        GROUP_ID_IN_USE => "that group id is taken",
        GROUP_RATE_LIMITED => "the group is over its 40 messages a second",
        BLOCKED_BY_PEER => "the other user has blocked you",
        REVOKE_TIME_LIMIT => "too late to revoke (two minutes)",
        MODIFY_CONFLICT => "the message was modified since: read it again, then edit",
        IMAGE_TOO_LARGE => "the image is over 28 MB",
        SOUND_TOO_LARGE => "the voice message is over 28 MB",
        VIDEO_TOO_LARGE => "the video is over 100 MB",
        FILE_TOO_LARGE => "the file is over 100 MB",
        UPLOAD_QUOTA => "your uploads would pass the server's quota",
        CHECKSUM_MISMATCH => "the bytes uploaded do not match the checksum; upload again",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_words() {
        let codes = [
            UNSUPPORTED,
            BAD_REQUEST,
            VERSION_MISMATCH,
            INTERNAL,
            FRAME_LIMIT_TOO_SMALL,
            UPLOAD_FAILED,
            CLIENT_MSG_ID_REUSED,
            USER_SIG_INVALID,
            USER_SIG_EXPIRED,
            USER_SIG_MISMATCH,
            USER_SIG_WRONG_USER,
            USER_SIG_WRONG_APP,
            INVALID_USER_ID,
            NOT_LOGGED_IN,
            REPEAT_LOGIN,
            TIMEOUT,
            NETWORK,
            RATE_LIMITED,
            BAD_CONVERSATION,
            MESSAGE_TOO_LARGE,
            INVALID_PARAMETER,
            NO_PERMISSION,
            OWNER_CANNOT_QUIT,
            GROUP_NOT_FOUND,
            ALREADY_MEMBER,
            GROUP_FULL,
            INVALID_GROUP_ID,
            MUTED,
            GROUP_ID_IN_USE,
            GROUP_RATE_LIMITED,
            BLOCKED_BY_PEER,
            REVOKE_TIME_LIMIT,
            MODIFY_CONFLICT,
            UNAVAILABLE,
            ALREADY_FRIEND,
            NOT_FRIEND,
            FRIEND_LIST_FULL,
            PEER_FRIEND_LIST_FULL,
            IN_OWN_BLOCKLIST,
            PEER_DENIES_ANY,
            IN_PEER_BLOCKLIST,
            IMAGE_TOO_LARGE,
            SOUND_TOO_LARGE,
            VIDEO_TOO_LARGE,
            FILE_TOO_LARGE,
            UPLOAD_QUOTA,
            CHECKSUM_MISMATCH,
        ];
        for code in codes {
            assert!(describe(code).is_some_and(|w| !w.is_empty()), "{code}");
        }
        assert_eq!(describe(1), None);
    }
}
