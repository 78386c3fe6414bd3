//! What the server counts, for `/metrics` (see [`crate::net`]'s metrics
//! listener): every metric's name and labels are here, one function each,
//! so the code that counts says what happened rather than how it is named.
//! Without a metrics listener no recorder is installed and these do
//! nothing.

use std::time::Duration;

use metrics::{counter, gauge, histogram};

/// A request frame of `kind` reached the writer.
pub(crate) fn request(kind: u8) {
    counter!("tinyim_requests_total", "kind" => kind_label(kind)).increment(1);
}

/// The label of each frame kind, "0x00" to "0xff", made at compile time:
/// the engine thread counts every request, recorder or not, and a label
/// formatted each time was an allocation a request.
static KIND_LABELS: [[u8; 4]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut labels = [[0; 4]; 256];
    let mut kind = 0;
    while kind < 256 {
        labels[kind] = [b'0', b'x', DIGITS[kind >> 4], DIGITS[kind & 15]];
        kind += 1;
    }
    labels
};

fn kind_label(kind: u8) -> &'static str {
    // ASCII by construction, so the fallback is never taken.
    std::str::from_utf8(&KIND_LABELS[usize::from(kind)]).unwrap_or("?")
}

/// A request was refused with `code`.
pub(crate) fn refusal(code: u32) {
    counter!("tinyim_refusals_total", "code" => code.to_string()).increment(1);
}

/// A login with a `credential` ("user_sig" or "resume") succeeded (`None`)
/// or was refused with a code.
pub(crate) fn login(credential: &'static str, refused: Option<u32>) {
    let result = refused.map_or_else(|| "ok".to_owned(), |code| code.to_string());
    counter!("tinyim_logins_total", "credential" => credential, "result" => result).increment(1);
}

/// A message was stored.
pub(crate) fn message_stored() {
    counter!("tinyim_messages_stored_total").increment(1);
}

/// A message was pushed to `sessions` online sessions.
pub(crate) fn deliveries(sessions: usize) {
    counter!("tinyim_deliveries_total").increment(sessions as u64);
}

/// A request was refused over a rate limit (`scope`: "connection", "user"
/// or "group").
pub(crate) fn rate_limited(scope: &'static str) {
    counter!("tinyim_rate_limited_total", "scope" => scope).increment(1);
}

/// A REST API call of `service` (one of the API's own names) was made.
pub(crate) fn rest_call(service: &'static str) {
    counter!("tinyim_rest_calls_total", "service" => service).increment(1);
}

/// A callback of `command` went out (`ok`), failed or timed out
/// (`failed`), or was dropped with its queue full (`dropped`).
pub(crate) fn callback(command: &'static str, result: &'static str) {
    counter!("tinyim_callbacks_total", "command" => command, "result" => result).increment(1);
}

/// Relays to the cluster's other nodes were dropped (the link was down or
/// behind): their clients catch up by sync.
pub(crate) fn relays_dropped() {
    counter!("tinyim_relays_dropped_total").increment(1);
}

/// The store failed an operation.
pub(crate) fn store_error() {
    counter!("tinyim_store_errors_total").increment(1);
}

/// A batch of `inputs` was committed in `took`.
pub(crate) fn commit(inputs: usize, took: Duration) {
    histogram!("tinyim_commit_batch_inputs").record(inputs as f64);
    histogram!("tinyim_commit_seconds").record(took.as_secs_f64());
}

/// The engine applied one input (its statements in the open transaction,
/// before the commit) in `took`.
pub(crate) fn apply(took: Duration) {
    histogram!("tinyim_apply_seconds").record(took.as_secs_f64());
}

/// The WAL's fdatasync took `took`.
pub(crate) fn fsync(took: Duration) {
    histogram!("tinyim_fsync_seconds").record(took.as_secs_f64());
}

/// Connections open (`open`), and of them not logged in yet (`pending`),
/// and the bytes queued for all of them.
pub(crate) fn connections(open: usize, pending: usize, queued_bytes: usize) {
    gauge!("tinyim_connections", "state" => "open").set(open as f64);
    gauge!("tinyim_connections", "state" => "not_logged_in").set(pending as f64);
    gauge!("tinyim_queued_bytes").set(queued_bytes as f64);
}

/// Sessions logged in.
pub(crate) fn sessions(logged_in: usize) {
    gauge!("tinyim_sessions").set(logged_in as f64);
}

#[cfg(test)]
mod tests {
    #[test]
    fn kind_labels_read_as_formatted() {
        for kind in 0..=u8::MAX {
            assert_eq!(super::kind_label(kind), format!("{kind:#04x}"));
        }
    }
}
