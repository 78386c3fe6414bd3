//! The group list the client keeps, refreshed after every login and kept
//! current by the server's group pushes; and the requests of group calls,
//! whose answers reach the application as `GroupData` events.

use heapless::VecView;

#[cfg(feature = "full")]
use super::outbox::Op;
use super::state::State;
use crate::model::Group;
#[cfg(feature = "full")]
use crate::wire::group::{GroupRecord, ListPage};
#[cfg(feature = "full")]
use crate::wire::kind;
#[cfg(feature = "full")]
use crate::wire::records::{DecodeError, Records};

/// Where the group list refresh stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Nothing to fetch.
    Done,
    /// The page starting at this offset is to be asked for.
    #[cfg(feature = "full")]
    Wanted(u32),
    /// A page is in flight.
    #[cfg(feature = "full")]
    InFlight,
}

pub(crate) struct GroupTable<'r> {
    pub(crate) rows: &'r mut VecView<Group>,
    /// Groups the table had no room for since the application was told.
    pub(crate) dropped: u32,
    /// The list changed since the application was told.
    pub(crate) dirty: bool,
    pub(crate) refresh: Refresh,
}

impl<'r> GroupTable<'r> {
    pub(crate) fn new(rows: &'r mut VecView<Group>) -> Self {
        rows.clear();
        GroupTable {
            rows,
            dropped: 0,
            dirty: false,
            refresh: Refresh::Done,
        }
    }

    pub(crate) fn find(&self, id: &str) -> Option<&Group> {
        self.rows.iter().find(|g| g.id.as_str() == id)
    }

    #[cfg(feature = "full")]
    /// Starts refetching the whole list: groups not in it are dropped at its end.
    pub(crate) fn begin_refresh(&mut self) {
        for g in self.rows.iter_mut() {
            g.listed = false;
        }
        self.refresh = Refresh::Wanted(0);
    }

    #[cfg(feature = "full")]
    /// Applies one group record of a list page or a push.
    fn apply(&mut self, record: &GroupRecord<'_>) {
        match record {
            GroupRecord::Info(info) => {
                if let Some(g) = self
                    .rows
                    .iter_mut()
                    .find(|g| g.id.as_str() == info.group_id)
                {
                    g.update(info);
                } else if let Some(g) = Group::from_info(info) {
                    if self.rows.push(g).is_err() {
                        self.dropped = self.dropped.saturating_add(1);
                        return;
                    }
                }
                self.dirty = true;
            }
            GroupRecord::Left { group_id } => {
                if let Some(i) = self.rows.iter().position(|g| g.id.as_str() == *group_id) {
                    self.rows.swap_remove(i);
                    self.dirty = true;
                }
            }
            GroupRecord::Page { next_offset, more } => {
                if *more {
                    self.refresh = Refresh::Wanted(*next_offset);
                } else {
                    self.refresh = Refresh::Done;
                    let before = self.rows.len();
                    self.rows.retain(|g| g.listed);
                    self.dirty |= self.rows.len() != before;
                }
            }
            _ => {}
        }
    }

    #[cfg(feature = "full")]
    /// Applies every record of a body (a list page, or a push).
    pub(crate) fn apply_all(&mut self, body: &[u8]) -> Result<(), DecodeError> {
        for record in Records::<GroupRecord<'_>>::new(body) {
            self.apply(&record?);
        }
        Ok(())
    }

    #[cfg(feature = "full")]
    /// The refresh request was refused or lost: keep what the table has.
    pub(crate) fn refresh_failed(&mut self) {
        if self.refresh == Refresh::InFlight {
            self.refresh = Refresh::Done;
        }
    }
}

impl State<'_> {
    /// Asks for the next page of the group list refresh, if one is wanted.
    #[cfg(feature = "full")]
    pub(crate) fn pump_group_list(&mut self) {
        let Refresh::Wanted(offset) = self.groups.refresh else {
            return;
        };
        let id = self.next_id();
        let deadline = self.now + self.config.request_timeout;
        let page = ListPage {
            group_id: "",
            offset,
            count: 100,
        };
        if self
            .out
            .push(id, Op::GroupList, deadline, kind::GROUP_LIST, &page)
            .is_ok()
        {
            self.groups.refresh = Refresh::InFlight;
        }
    }
}
