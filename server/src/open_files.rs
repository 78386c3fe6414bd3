//! The process's open-files limit. Every connection is an open file, and
//! many systems start a process with a soft limit of 1024: left there, the
//! server would stop accepting near its thousandth client while
//! `--max-connections` says 100 000.

/// Files the server keeps open beside its connections: the store and its
/// WAL, the listeners, uploads being written, the database and cluster
/// links.
const SPARE: u64 = 1024;

/// Raises the soft open-files limit as far as the hard limit allows (no
/// privilege needed), and warns when even that is below what
/// `max_connections` connections need. Returns the limit now in force.
pub fn raise_for(max_connections: usize) -> Option<u64> {
    let needed = max_connections as u64 + SPARE;
    match rlimit::increase_nofile_limit(needed) {
        Ok(limit) => {
            if limit < needed {
                tracing::warn!(
                    limit,
                    max_connections,
                    "the open-files limit is below --max-connections: accepting fails past \
                     about {} connections; raise the hard limit (ulimit -Hn, systemd's \
                     LimitNOFILE) or lower --max-connections",
                    limit.saturating_sub(SPARE)
                );
            }
            Some(limit)
        }
        Err(e) => {
            tracing::warn!("cannot read or raise the open-files limit: {e}");
            None
        }
    }
}
