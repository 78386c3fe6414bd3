//! The core's views and records as JavaScript objects with TIM's field
//! names (`conversationID`, `payload`, `selfInfo`, ...), built field by
//! field: a serializer would bring TIM's names only through attributes on
//! the core's wire types, and cost more bundle than these few builders.

use js_sys::{Array, Object, Reflect};
use tinyim_core::model::{Conversation, GroupView};
use tinyim_core::wire::body::{Elem, RemindType};
use tinyim_core::wire::elem::{Image, ImageInfo, Merger};
use tinyim_core::wire::group::{
    GroupInfo, GroupMember, GroupProfile, GroupRecord, GroupRole, GroupTip, GroupType, JoinOption,
    JoinStatus,
};
use tinyim_core::wire::user::{AllowType, Gender, StatusType, UserProfile, UserRecord, UserStatus};
use tinyim_core::{ConversationType, Flow, MessageView};
use wasm_bindgen::JsValue;

/// An object under construction.
pub(crate) struct Obj(Object);

impl Obj {
    pub(crate) fn new() -> Self {
        Self(Object::new())
    }

    /// Sets `key` (keys are ours and values are plain: this cannot fail).
    pub(crate) fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub(crate) fn done(self) -> JsValue {
        self.0.into()
    }
}

/// A u64 as a JavaScript number: exact up to 2^53, which seqs, times and
/// counts stay below (client message ids do not: they travel as strings).
pub(crate) fn num(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

/// TIM's conversation type string.
fn conversation_type(kind: ConversationType) -> &'static str {
    match kind {
        ConversationType::C2c => "C2C",
        ConversationType::Group => "GROUP",
        ConversationType::System => "@TIM#SYSTEM",
    }
}

/// A comma-separated user list as an array.
fn id_list(list: &str) -> Array {
    list.split(',')
        .filter(|id| !id.is_empty())
        .map(JsValue::from_str)
        .collect()
}

/// TIM `Message`. `me` is the logged-in user, the `to` of one-to-one
/// messages that came in.
pub(crate) fn message(m: &MessageView<'_>, me: &str) -> JsValue {
    let (kind, target) =
        ConversationType::split(m.conversation_id).unwrap_or((m.conversation_type, ""));
    let outgoing = m.flow == Flow::Out;
    let to = if kind == ConversationType::C2c && !outgoing {
        me
    } else {
        target
    };
    let (elem_type, payload) = element(&m.elem, 0);
    let at_users = id_list(m.extra.at_users.0);
    Obj::new()
        .set("ID", m.client_msg_id.to_string())
        .set("type", elem_type)
        .set("payload", payload)
        .set("conversationID", m.conversation_id)
        .set("conversationType", conversation_type(kind))
        .set("to", to)
        .set("from", m.from)
        .set("flow", if outgoing { "out" } else { "in" })
        .set("time", num(m.time_ms / 1000))
        .set("sequence", num(m.seq))
        .set("status", "success")
        .set("isRevoked", matches!(m.elem, Elem::Revoked { .. }))
        .set("nick", m.extra.nick)
        .set("avatar", m.extra.avatar)
        .set("nameCard", m.extra.name_card)
        .set("cloudCustomData", m.extra.cloud_custom_data)
        .set("atUserList", at_users)
        .set("version", m.extra.version)
        .set("needReadReceipt", m.extra.need_read_receipt)
        .done()
}

/// Mergers nested deeper than this show no `messageList`: the server
/// refuses deeper ones, and a hostile peer's must not exhaust the stack.
const MAX_MERGER_DEPTH: usize = 8;

/// TIM's element type name and payload; `depth` is how many mergers it is
/// inside.
fn element(elem: &Elem<'_>, depth: usize) -> (&'static str, JsValue) {
    match *elem {
        Elem::Text { text } => ("TIMTextElem", Obj::new().set("text", text).done()),
        Elem::Custom {
            data,
            description,
            extension,
        } => (
            "TIMCustomElem",
            Obj::new()
                .set("data", data)
                .set("description", description)
                .set("extension", extension)
                .done(),
        ),
        Elem::Face { index, data } => (
            "TIMFaceElem",
            Obj::new().set("index", index).set("data", data).done(),
        ),
        Elem::Location {
            description,
            longitude,
            latitude,
        } => (
            "TIMLocationElem",
            Obj::new()
                .set("description", description)
                .set("longitude", longitude.0)
                .set("latitude", latitude.0)
                .done(),
        ),
        Elem::Image(image) => ("TIMImageElem", image_payload(&image)),
        Elem::File {
            url,
            name,
            size,
            uuid,
        } => (
            "TIMFileElem",
            Obj::new()
                .set("uuid", uuid)
                .set("fileUrl", url)
                .set("fileName", name)
                .set("fileSize", size)
                .done(),
        ),
        Elem::Sound {
            url,
            uuid,
            size,
            seconds,
        } => (
            "TIMSoundElem",
            Obj::new()
                .set("uuid", uuid)
                .set("url", url)
                .set("size", size)
                .set("second", seconds)
                .done(),
        ),
        Elem::Video(video) => (
            "TIMVideoFileElem",
            Obj::new()
                .set("videoUrl", video.url)
                .set("videoUUID", video.uuid)
                .set("videoSize", video.size)
                .set("videoSecond", video.seconds)
                .set("videoFormat", video.format)
                .set("thumbUrl", video.thumbnail.url)
                .set("thumbWidth", video.thumbnail.width)
                .set("thumbHeight", video.thumbnail.height)
                .set("thumbSize", video.thumbnail.size)
                .done(),
        ),
        Elem::Merger(merger) => (
            "TIMRelayElem",
            Obj::new()
                .set("title", merger.title)
                .set("abstractList", lines(merger.abstracts))
                .set("compatibleText", merger.compatible_text)
                .set("messageList", merged_list(&merger, depth + 1))
                .done(),
        ),
        Elem::GroupTip(tip) => ("TIMGroupTipElem", tip_payload(&tip)),
        Elem::GroupSystemNotice(notice) => (
            "TIMGroupSystemNoticeElem",
            Obj::new()
                .set("operationType", notice.op.code())
                .set("operatorID", notice.operator)
                .set(
                    "groupProfile",
                    Obj::new()
                        .set("groupID", notice.group_id)
                        .set("name", notice.group_name)
                        .done(),
                )
                .set("handleMessage", notice.message)
                .set("userDefinedField", notice.data)
                .done(),
        ),
        Elem::Revoked { by } => (
            "TIMTextElem",
            Obj::new().set("text", "").set("revoker", by).done(),
        ),
        Elem::RevokeNotice { seq } => (
            "TIMRevokeNotice",
            Obj::new().set("sequence", num(seq)).done(),
        ),
        // Kinds a web page has no view for (too large to carry, a kind newer
        // than this build, notices the adapter turns into events).
        _ => ("TIMUnknownElem", Obj::new().done()),
    }
}

/// A merger's messages as TIM's `messageList` (what
/// `downloadMergerMessage` resolves with): each with its sender, time and
/// element; empty past [`MAX_MERGER_DEPTH`], and up to a malformed one.
fn merged_list(merger: &Merger<'_>, depth: usize) -> Array {
    if depth > MAX_MERGER_DEPTH {
        return Array::new();
    }
    merger
        .messages
        .iter()
        .map_while(Result::ok)
        .map(|m| {
            let (elem_type, payload) = element(&m.elem, depth);
            Obj::new()
                .set("type", elem_type)
                .set("payload", payload)
                .set("from", m.from)
                .set("time", num(m.time_ms / 1000))
                .set("nick", m.extra.nick)
                .set("avatar", m.extra.avatar)
                .set("cloudCustomData", m.extra.cloud_custom_data)
                .done()
        })
        .collect()
}

fn lines(text: &str) -> Array {
    text.lines().map(JsValue::from_str).collect()
}

fn image_payload(image: &Image<'_>) -> JsValue {
    // TIM's variant types: 0 original, 1 large, 2 thumbnail.
    let variant = |kind: u32, info: &ImageInfo<'_>| {
        Obj::new()
            .set("type", kind)
            .set("url", info.url)
            .set("size", info.size)
            .set("width", info.width)
            .set("height", info.height)
            .done()
    };
    let variants: Array = [
        variant(0, &image.original),
        variant(1, &image.large),
        variant(2, &image.thumbnail),
    ]
    .into_iter()
    .collect();
    Obj::new()
        .set("uuid", image.uuid)
        .set("imageFormat", image.format.tim_number())
        .set("imageInfoArray", variants)
        .done()
}

fn tip_payload(tip: &GroupTip<'_>) -> JsValue {
    Obj::new()
        .set("operationType", tip.op.code())
        .set("operatorID", tip.operator)
        .set(
            "groupProfile",
            Obj::new().set("groupID", tip.group_id).done(),
        )
        .set("userIDList", id_list(tip.users.0))
        .set("memberCount", tip.member_count)
        .done()
}

/// TIM's `messageRemindType`.
fn remind_type(remind: RemindType) -> &'static str {
    match remind {
        RemindType::AcceptAndNotify => "AcceptAndNotify",
        RemindType::AcceptNotNotify => "AcceptNotNotify",
        RemindType::Discard => "Discard",
    }
}

/// TIM `Conversation`, with the group's list entry when it is a group's.
pub(crate) fn conversation(c: &Conversation, group: Option<GroupView<'_>>) -> JsValue {
    let at = c.group_at_info();
    // TIM's `groupAtInfoList` entries: 1 someone @ me, 2 @ all, 3 both.
    let at_type = u32::from(at.at_me) | (u32::from(at.at_all) << 1);
    let at_list = Array::new();
    if at_type != 0 {
        at_list.push(
            &Obj::new()
                .set("atTypeArray", Array::of1(&at_type.into()))
                .done(),
        );
    }
    let last = Obj::new()
        .set("lastTime", num(c.last_time_ms() / 1000))
        .set("lastSequence", num(c.last_seq()))
        .set("fromAccount", c.last_from())
        .set("messageForShow", c.preview())
        .done();
    let mut conversation = Obj::new()
        .set("conversationID", c.id())
        .set("type", conversation_type(c.kind()))
        .set("unreadCount", num(c.unread_count()))
        .set("isPinned", c.is_pinned())
        .set("messageRemindType", remind_type(c.remind_type()))
        .set("groupAtInfoList", at_list)
        .set("lastMessage", last)
        .set("peerReadSequence", num(c.peer_read_seq()))
        .set("markList", marks(c.marks()));
    conversation = match (c.kind(), group) {
        (ConversationType::Group, Some(group)) => {
            conversation.set("groupProfile", group_entry(group))
        }
        (ConversationType::Group, None) => {
            conversation.set("groupProfile", Obj::new().set("groupID", c.target()).done())
        }
        _ => conversation.set("userProfile", Obj::new().set("userID", c.target()).done()),
    };
    conversation.done()
}

/// TIM's `markList`: each mark bit set, as its number.
fn marks(bits: u64) -> Array {
    (0..64)
        .map(|bit| 1u64 << bit)
        .filter(|mark| bits & mark != 0)
        .map(num)
        .collect()
}

fn group_type(kind: GroupType) -> &'static str {
    kind.tim_name()
}

fn role(role: GroupRole) -> &'static str {
    match role {
        GroupRole::Owner => "Owner",
        GroupRole::Admin => "Admin",
        GroupRole::Member => "Member",
    }
}

fn join_option(option: JoinOption) -> &'static str {
    match option {
        JoinOption::FreeAccess => "FreeAccess",
        JoinOption::NeedPermission => "NeedPermission",
        JoinOption::DisableApply => "DisableApply",
    }
}

/// TIM `Group` as `getGroupList` lists it, from the client's table.
pub(crate) fn group_entry(g: GroupView<'_>) -> JsValue {
    Obj::new()
        .set("groupID", g.group.id())
        .set("name", g.group.name())
        .set("type", group_type(g.group.group_type()))
        .set("muteAllMembers", g.group.mute_all())
        .set("unreadCount", num(g.unread))
        .set(
            "selfInfo",
            Obj::new().set("role", role(g.group.role())).done(),
        )
        .done()
}

fn group_info(g: &GroupInfo<'_>) -> JsValue {
    Obj::new()
        .set("groupID", g.group_id)
        .set("name", g.name)
        .set("type", group_type(g.group_type))
        .set("muteAllMembers", g.mute_all)
        .set("selfInfo", Obj::new().set("role", role(g.role)).done())
        .done()
}

fn group_profile(p: &GroupProfile<'_>) -> JsValue {
    Obj::new()
        .set("groupID", p.group_id)
        .set("type", group_type(p.group_type))
        .set("name", p.name)
        .set("introduction", p.introduction)
        .set("notification", p.notification)
        .set("avatar", p.avatar)
        .set("ownerID", p.owner)
        .set("createTime", num(p.created_ms / 1000))
        .set("memberCount", p.member_count)
        .set("maxMemberCount", p.max_members)
        .set("joinOption", join_option(p.join_option))
        .set("muteAllMembers", p.mute_all)
        .set("nextMessageSeq", num(p.last_seq + 1))
        .done()
}

fn group_member(m: &GroupMember<'_>) -> JsValue {
    Obj::new()
        .set("userID", m.user_id)
        .set("role", role(m.role))
        .set("joinTime", num(m.join_ms / 1000))
        .set("nameCard", m.name_card)
        .set("muteUntil", num(m.muted_until_ms / 1000))
        .done()
}

/// The last record of a paged answer.
pub(crate) fn page(next_offset: u32, more: bool) -> JsValue {
    Obj::new()
        .set("record", "page")
        .set("nextOffset", next_offset)
        .set("isCompleted", !more)
        .done()
}

/// `kind` tags a record for the JavaScript side, which shapes each call's
/// answer from its records.
pub(crate) fn tagged(kind: &str, value: JsValue) -> JsValue {
    let _ = Reflect::set(
        &value,
        &JsValue::from_str("record"),
        &JsValue::from_str(kind),
    );
    value
}

/// One record of a group call's answer; `None` for kinds no web call asks.
pub(crate) fn group_record(record: &GroupRecord<'_>) -> Option<JsValue> {
    Some(match record {
        GroupRecord::Created { group_id } => {
            tagged("created", Obj::new().set("groupID", *group_id).done())
        }
        GroupRecord::Join(status) => {
            let status = match status {
                JoinStatus::Joined => "JoinedSuccess",
                JoinStatus::WaitApproval => "WaitAdminApproval",
                JoinStatus::AlreadyMember => "AlreadyInGroup",
            };
            tagged("join", Obj::new().set("status", status).done())
        }
        GroupRecord::Profile(profile) => tagged("group", group_profile(profile)),
        GroupRecord::Member(member) => tagged("member", group_member(member)),
        GroupRecord::Info(info) => tagged("group", group_info(info)),
        GroupRecord::Left { group_id } => {
            tagged("left", Obj::new().set("groupID", *group_id).done())
        }
        GroupRecord::OnlineCount(count) => {
            tagged("count", Obj::new().set("memberCount", *count).done())
        }
        GroupRecord::Application(application) => tagged(
            "application",
            Obj::new()
                .set("groupID", application.group_id)
                .set("applicant", application.applicant)
                .set("applyMessage", application.message)
                .set("time", num(application.time_ms / 1000))
                .done(),
        ),
        GroupRecord::ReadReceipt(receipt) => tagged(
            "receipt",
            Obj::new()
                .set("groupID", receipt.group_id)
                .set("sequence", num(receipt.seq))
                .set("readCount", receipt.read_count)
                .set("unreadCount", receipt.unread_count)
                .done(),
        ),
        GroupRecord::ReceiptMember { user_id } => {
            tagged("receiptMember", Obj::new().set("userID", *user_id).done())
        }
        GroupRecord::Page { next_offset, more } => page(*next_offset, *more),
        _ => return None,
    })
}

fn gender(gender: Gender) -> &'static str {
    match gender {
        Gender::Unknown => "Gender_Type_Unknown",
        Gender::Female => "Gender_Type_Female",
        Gender::Male => "Gender_Type_Male",
    }
}

fn allow_type(allow: AllowType) -> &'static str {
    match allow {
        AllowType::AllowAny => "AllowType_Type_AllowAny",
        AllowType::NeedConfirm => "AllowType_Type_NeedConfirm",
        AllowType::DenyAny => "AllowType_Type_DenyAny",
    }
}

/// TIM `Profile`.
pub(crate) fn profile(p: &UserProfile<'_>) -> JsValue {
    Obj::new()
        .set("userID", p.user_id)
        .set("nick", p.nick)
        .set("gender", gender(p.gender))
        .set("birthday", p.birthday)
        .set("location", p.location)
        .set("selfSignature", p.self_signature)
        .set("allowType", allow_type(p.allow_type))
        .set("language", p.language)
        .set("avatar", p.avatar)
        .set("level", p.level)
        .set("role", p.role)
        .set("lastUpdatedNumber", num(p.updated_ms))
        .done()
}

/// TIM's user status: `statusType` 1 online, 2 offline.
pub(crate) fn user_status(status: &UserStatus<'_>) -> JsValue {
    let online = status.status_type == StatusType::Online;
    Obj::new()
        .set("userID", status.user_id)
        .set("statusType", if online { 1 } else { 2 })
        .set("customStatus", status.custom_status)
        .done()
}

/// One record of a user call's answer; `None` for kinds no web call asks.
pub(crate) fn user_record(record: &UserRecord<'_>) -> Option<JsValue> {
    Some(match record {
        UserRecord::Profile(p) => tagged("profile", profile(p)),
        UserRecord::Blocked { user_id } => {
            tagged("blocked", Obj::new().set("userID", *user_id).done())
        }
        UserRecord::Page { next_offset, more } => page(*next_offset, *more),
        UserRecord::Status(status) => tagged("status", user_status(status)),
        UserRecord::ProfileCustom {
            user_id,
            key,
            value,
        } => tagged(
            "custom",
            Obj::new()
                .set("userID", *user_id)
                .set("key", *key)
                .set("value", *value)
                .done(),
        ),
        UserRecord::Upload(ticket) => tagged(
            "upload",
            Obj::new()
                .set("uuid", ticket.uuid)
                .set("uploadUrl", ticket.upload_url)
                .set("downloadUrl", ticket.download_url)
                .set("largeUrl", ticket.large_url)
                .set("thumbnailUrl", ticket.thumbnail_url)
                .set("expiresAt", num(ticket.expires_at_ms))
                .done(),
        ),
        UserRecord::Download(download) => tagged(
            "download",
            Obj::new()
                .set("uuid", download.uuid)
                .set("url", download.url)
                .set("largeUrl", download.large_url)
                .set("thumbnailUrl", download.thumbnail_url)
                .set("expiresAt", num(download.expires_at_ms))
                .done(),
        ),
        _ => return None,
    })
}
