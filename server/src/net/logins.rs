//! Connections not logged in yet, counted per source address, so that one
//! address cannot hold more than its share of them (a flood of silent or
//! failing clients from one place). Only such connections have an entry: a
//! logged-in idle connection costs nothing here.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::engine::ConnId;

#[derive(Default)]
struct Counts {
    by_address: HashMap<IpAddr, u32>,
    by_conn: HashMap<ConnId, IpAddr>,
}

/// The connections of each address that have not logged in.
pub(crate) struct PendingLogins {
    per_address: u32,
    counts: Mutex<Counts>,
}

impl PendingLogins {
    /// At most `per_address` connections of one address before login.
    pub(crate) fn new(per_address: u32) -> Self {
        PendingLogins {
            per_address,
            counts: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts `conn`, from `address`, as not logged in; false (and not
    /// counted) if its address has its share already.
    pub(crate) fn opened(&self, conn: ConnId, address: IpAddr) -> bool {
        let mut counts = self.lock();
        let count = counts.by_address.entry(address).or_default();
        if *count >= self.per_address {
            return false;
        }
        *count += 1;
        counts.by_conn.insert(conn, address);
        true
    }

    /// Connections not logged in yet, from every address.
    pub(crate) fn len(&self) -> usize {
        self.lock().by_conn.len()
    }

    /// `conn` logged in or closed: it no longer counts.
    pub(crate) fn done(&self, conn: ConnId) {
        let mut counts = self.lock();
        let Some(address) = counts.by_conn.remove(&conn) else {
            return;
        };
        if let Some(count) = counts.by_address.get_mut(&address) {
            *count -= 1;
            if *count == 0 {
                counts.by_address.remove(&address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_its_share_until_one_logs_in_or_closes() {
        let logins = PendingLogins::new(2);
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        let there: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(logins.opened(1, here));
        assert!(logins.opened(2, here));
        assert!(!logins.opened(3, here), "a third before any logs in");
        assert!(logins.opened(4, there), "another address has its own");
        logins.done(1);
        assert!(logins.opened(5, here));
        logins.done(5);
        logins.done(5);
        assert!(logins.opened(6, here), "done twice counts once");
        assert!(!logins.opened(7, here));
    }
}
