//! # tinyim-tokio
//!
//! An async tinyim client for desktop tools and services, with TIM's
//! vocabulary. A driver task owns the sans-IO [`tinyim_core::Client`], the TCP
//! (or TLS, see [`Tls`]) stream and the timers; it only moves bytes and time, every protocol
//! decision (reconnect backoff, resync, resend) is the core's.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tinyim_tokio::TimError> {
//! use tinyim_tokio::{Options, Tim, TimEvent};
//!
//! let (tim, mut events) = Tim::connect("127.0.0.1:7878", Options::default());
//! tim.login("alice", "<UserSig>").await?;
//! let sent = tim.send_text("bob", "hello").await?;
//! println!("stored as seq {}", sent.seq);
//! while let Some(event) = events.recv().await {
//!     if let TimEvent::MessageReceived(m) = event {
//!         println!("{}: {:?}", m.from, m.payload);
//!     }
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod connector;
mod driver;
mod error;
mod event;
mod friend;
mod group;
mod media_http;
mod payload;
mod streams;
mod sync_file;
mod tim;
mod tim_conversation_data;
mod tim_friends;
mod tim_groups;
mod tim_media;
mod tim_receipts;
mod tim_users;
mod tls;
mod upload;
mod user;

pub use error::TimError;
pub use event::{ConversationInfo, HistoryPage, Message, Outgoing, SentMessage, TimEvent};
pub use friend::{
    AddFriendOptions, AddResult, ApplicationType, Both, Friend, FriendApplication, FriendGroup,
    Relation, Response,
};
pub use group::{
    GroupApplicationInfo, GroupListEntry, GroupMemberInfo, GroupNoticeInfo, GroupOptions,
    GroupProfileInfo, GroupProfileUpdate, GroupRole, GroupTipInfo, GroupType, JoinOption,
    JoinStatus, MemberPage, NoticeOp, ReadReceiptInfo, TipDetail, TipOp,
};
pub use payload::{MergedItem, MergerError, MergerInfo, Payload, Picture, VideoInfo};
pub use tim::{EventStream, Options, Tim};
// What the public API takes and returns, so that an application depends
// on this crate alone.
pub use tinyim_core::wire::body::{
    Degrees, DeviceClass, HopDirection, ImageFormat, ReadScope, RemindType,
};
pub use tinyim_core::wire::conversation_data::{MARK_FOLD, MARK_HIDE, MARK_STAR, MARK_UNREAD};
pub use tinyim_core::wire::extra::AT_ALL;
pub use tinyim_core::wire::media::MediaKind;
pub use tinyim_core::{
    CommandError, Config, ConversationType, Flow, GroupAtInfo, KickReason, NetState, Priority,
    RequestError,
};
pub use tls::{Tls, TlsError};
pub use upload::{
    DirectoryUploader, MediaError, UploadError, UploadFile, UploadFuture, UploadedFile, Uploader,
};
pub use user::{
    AllowType, DownloadUrlInfo, Gender, MyProfileUpdate, Profile, StatusType, UploadTicketInfo,
    UserStatus,
};
