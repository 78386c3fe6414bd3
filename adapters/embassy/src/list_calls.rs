//! TIM's calls that answer with lists on a [`Handle`]: the blocklist,
//! profiles, group profiles, members and join applications.
//!
//! A device has no room to collect a list, so each record is handed to a
//! visitor as the core's borrowed view, in the calling task, one at a time:
//! the runner copies a record into the call slot and waits until the
//! handle took it. A record whose encoding is larger than the slot (560
//! bytes: a profile with long fields) fails the call with
//! [`HandleError::TooLong`] once the answer is complete. Paged calls return
//! where their page ended.

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_core::wire::group::{GroupApplication, GroupMember};
use tinyim_core::wire::media::{MediaKind, UploadRequest, UploadTicket};
use tinyim_core::wire::user::{UserProfile, UserRecord};
use tinyim_core::GroupRecord;

use crate::call::{args, forward_group, forward_user, Applied, Apply, PageEnd};
use crate::handle::{Handle, HandleError, UserIds};

fn group_record(bytes: &[u8]) -> Option<GroupRecord<'_>> {
    postcard::from_bytes(bytes).ok()
}

fn user_record(bytes: &[u8]) -> Option<UserRecord<'_>> {
    postcard::from_bytes(bytes).ok()
}

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// TIM `getBlacklist`, a page at a time: up to `count` blocked user ids
    /// from `offset`, in the order they were added.
    pub async fn blocklist(
        &self,
        offset: u32,
        count: u16,
        mut visit: impl FnMut(&str),
    ) -> Result<PageEnd, HandleError> {
        let a = (offset, count);
        self.list(
            &a,
            |c, now, a| {
                let (offset, count) = args(a)?;
                Ok(Applied::Request(c.blocklist(now, offset, count)?))
            },
            forward_user,
            &mut |bytes| {
                if let Some(UserRecord::Blocked { user_id }) = user_record(bytes) {
                    visit(user_id);
                }
            },
        )
        .await
    }

    /// A ticket to upload `size` bytes named `name` whose SHA-256 is
    /// `sha256` ([`crate::upload::sha256_hex`]), handed to `visit` (copy
    /// what the upload needs: its `upload_url`, and the `uuid` and
    /// `download_url` a message carries); then [`crate::upload::put`] the
    /// bytes. Refused with TIM's code over the kind's size limit, 9011 over
    /// the user's quota, 9001 by a server without an upload service.
    pub async fn upload_ticket(
        &self,
        kind: MediaKind,
        size: u64,
        (name, sha256): (&str, &str),
        mut visit: impl FnMut(&UploadTicket<'_>),
    ) -> Result<(), HandleError> {
        let request = UploadRequest {
            kind,
            size,
            name,
            sha256,
        };
        self.list(
            &request,
            |c, now, a| Ok(Applied::Request(c.upload_ticket(now, &args(a)?)?)),
            forward_user,
            &mut |bytes| {
                if let Some(UserRecord::Upload(ticket)) = user_record(bytes) {
                    visit(&ticket);
                }
            },
        )
        .await
        .map(drop)
    }

    /// TIM `getMyProfile`.
    pub async fn my_profile(&self, visit: impl FnMut(&UserProfile<'_>)) -> Result<(), HandleError> {
        self.profiles(
            &(),
            |c, now, _| Ok(Applied::Request(c.my_profile(now)?)),
            visit,
        )
        .await
        .map(drop)
    }

    /// TIM `getUserProfile` (at most 100 users): as many profiles as fit
    /// the client's frame; ask again from the returned `next_offset` (an
    /// index into `users`) while `more`.
    pub async fn user_profile(
        &self,
        users: &[&str],
        visit: impl FnMut(&UserProfile<'_>),
    ) -> Result<PageEnd, HandleError> {
        let users = UserIds::checked(users)?;
        self.profiles(
            &users,
            |c, now, a| Ok(Applied::Request(c.user_profile(now, args(a)?)?)),
            visit,
        )
        .await
    }

    async fn profiles<A: serde::Serialize>(
        &self,
        a: &A,
        apply: Apply,
        mut visit: impl FnMut(&UserProfile<'_>),
    ) -> Result<PageEnd, HandleError> {
        self.list(a, apply, forward_user, &mut |bytes| {
            if let Some(UserRecord::Profile(profile)) = user_record(bytes) {
                visit(&profile);
            }
        })
        .await
    }

    /// TIM `getGroupProfile`: the group's `Profile` record, then a `Custom`
    /// record for each of its custom fields.
    pub async fn group_profile(
        &self,
        group_id: &str,
        visit: impl FnMut(&GroupRecord<'_>),
    ) -> Result<(), HandleError> {
        let apply: Apply = |c, now, a| Ok(Applied::Request(c.group_profile(now, args(a)?)?));
        self.group_records(&group_id, apply, visit).await.map(drop)
    }

    /// TIM `searchGroupByID`: what [`Handle::group_profile`] gives, for a
    /// group the user need not belong to (not for Work groups, as in TIM).
    pub async fn search_group_by_id(
        &self,
        group_id: &str,
        visit: impl FnMut(&GroupRecord<'_>),
    ) -> Result<(), HandleError> {
        let apply: Apply = |c, now, a| Ok(Applied::Request(c.search_group_by_id(now, args(a)?)?));
        self.group_records(&group_id, apply, visit).await.map(drop)
    }

    /// TIM `getGroupMemberList`, a page at a time.
    pub async fn group_member_list(
        &self,
        group_id: &str,
        offset: u32,
        count: u16,
        visit: impl FnMut(&GroupMember<'_>),
    ) -> Result<PageEnd, HandleError> {
        self.members(
            &(group_id, offset, count),
            |c, now, a| {
                let (group, offset, count) = args(a)?;
                Ok(Applied::Request(
                    c.group_member_list(now, group, offset, count)?,
                ))
            },
            visit,
        )
        .await
    }

    /// TIM `getGroupMemberProfile`: the named members (at most 50).
    pub async fn group_member_profile(
        &self,
        group_id: &str,
        users: &[&str],
        visit: impl FnMut(&GroupMember<'_>),
    ) -> Result<(), HandleError> {
        self.members(
            &(group_id, UserIds::checked(users)?),
            |c, now, a| {
                let (group, users) = args(a)?;
                Ok(Applied::Request(c.group_member_profile(now, group, users)?))
            },
            visit,
        )
        .await
        .map(drop)
    }

    async fn members<A: serde::Serialize>(
        &self,
        a: &A,
        apply: Apply,
        mut visit: impl FnMut(&GroupMember<'_>),
    ) -> Result<PageEnd, HandleError> {
        self.group_records(a, apply, |record| {
            if let GroupRecord::Member(member) = record {
                visit(member);
            }
        })
        .await
    }

    /// TIM `getGroupApplicationList`: join requests waiting for this user
    /// (an owner or admin), a page at a time.
    pub async fn group_application_list(
        &self,
        offset: u32,
        count: u16,
        mut visit: impl FnMut(&GroupApplication<'_>),
    ) -> Result<PageEnd, HandleError> {
        self.group_records(
            &(offset, count),
            |c, now, a| {
                let (offset, count) = args(a)?;
                Ok(Applied::Request(
                    c.group_application_list(now, offset, count)?,
                ))
            },
            |record| {
                if let GroupRecord::Application(application) = record {
                    visit(application);
                }
            },
        )
        .await
    }

    async fn group_records<A: serde::Serialize>(
        &self,
        a: &A,
        apply: Apply,
        mut visit: impl FnMut(&GroupRecord<'_>),
    ) -> Result<PageEnd, HandleError> {
        self.list(a, apply, forward_group, &mut |bytes| {
            if let Some(record) = group_record(bytes) {
                visit(&record);
            }
        })
        .await
    }
}
