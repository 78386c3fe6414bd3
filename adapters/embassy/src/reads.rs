//! What the client knows, read from another task: the conversation list,
//! the group list and the unread total. Answered by the runner from the
//! client's tables, with no request to the server.

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_core::{Client, Conversation, GroupView};

use crate::call::{args, no_records, Applied, GroupEntry, Reply};
use crate::handle::{Handle, HandleError};

fn entry(view: GroupView<'_>) -> GroupEntry {
    GroupEntry {
        group: view.group.clone(),
        unread: view.unread,
    }
}

fn conversation(reply: Reply) -> Option<Option<Conversation>> {
    match reply {
        Reply::Conversation(c) => Some(c),
        _ => None,
    }
}

fn group(reply: Reply) -> Option<Option<GroupEntry>> {
    match reply {
        Reply::Group(g) => Some(g),
        _ => None,
    }
}

fn nth_conversation(c: &Client<'_>, index: u32) -> Option<Conversation> {
    c.conversation_at(usize::try_from(index).ok()?).cloned()
}

fn nth_group(c: &Client<'_>, index: u32) -> Option<GroupEntry> {
    c.groups().nth(usize::try_from(index).ok()?).map(entry)
}

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// TIM `getTotalUnreadMessageCount`.
    pub async fn total_unread(&self) -> Result<u64, HandleError> {
        self.answered(
            &(),
            |c, _, _| Ok(Applied::Now(Reply::Number(c.total_unread()))),
            no_records,
            |reply| match reply {
                Reply::Number(n) => Some(n),
                _ => None,
            },
        )
        .await
    }

    /// TIM `getConversationProfile`: one conversation by its id, if the
    /// client has it.
    pub async fn conversation(
        &self,
        conversation_id: &str,
    ) -> Result<Option<Conversation>, HandleError> {
        self.answered(
            &conversation_id,
            |c, _, a| {
                let found = c.conversation(args(a)?).cloned();
                Ok(Applied::Now(Reply::Conversation(found)))
            },
            no_records,
            conversation,
        )
        .await
    }

    /// TIM `getConversationList`, one entry at a time: the conversation at
    /// `index` (from 0), most recent first, `None` past the end. The list
    /// can change between two calls (a new message, a new conversation, an
    /// eviction); read again after `CONVERSATION_LIST_UPDATED`.
    pub async fn conversation_at(&self, index: u32) -> Result<Option<Conversation>, HandleError> {
        self.answered(
            &index,
            |c, _, a| {
                Ok(Applied::Now(Reply::Conversation(nth_conversation(
                    c,
                    args(a)?,
                ))))
            },
            no_records,
            conversation,
        )
        .await
    }

    /// TIM `getGroupProfile` from the group list: one of the user's groups
    /// by its id, with its unread count.
    pub async fn group(&self, group_id: &str) -> Result<Option<GroupEntry>, HandleError> {
        self.answered(
            &group_id,
            |c, _, a| Ok(Applied::Now(Reply::Group(c.group(args(a)?).map(entry)))),
            no_records,
            group,
        )
        .await
    }

    /// TIM `getGroupList`, one entry at a time: the group at `index` (from
    /// 0) of the user's group list, `None` past the end; read again after
    /// `GROUP_LIST_UPDATED`.
    pub async fn group_at(&self, index: u32) -> Result<Option<GroupEntry>, HandleError> {
        self.answered(
            &index,
            |c, _, a| Ok(Applied::Now(Reply::Group(nth_group(c, args(a)?)))),
            no_records,
            group,
        )
        .await
    }
}
