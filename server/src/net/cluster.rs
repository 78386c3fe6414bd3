//! The cluster's link to the other nodes: NATS carries each committed
//! batch's relays ([`Relay`]) to every node, and brings theirs to this
//! node's engine. Every node hears every relay and keeps what concerns its
//! own sessions: with a handful of nodes that costs less than keeping
//! per-user subscriptions in step with logins, and no relay is missed by a
//! session that logged in while a subscription was being made.
//!
//! While NATS is unreachable, relays are dropped (counted): what they
//! carried is stored, and clients on other nodes are told nothing live.
//! When the link comes back, every client of this node is asked to
//! reconnect (`PUSH_RECONNECT`), and its sync brings what it missed.

use std::sync::Arc;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::engine_thread::Job;
use super::shutdown::ask_every_client_to_reconnect;
use super::Shared;
use crate::engine::{encode, Input, Relay};

/// Committed batches' relays waiting for the publisher, at most; past this
/// they are dropped (and clients catch up by sync).
const QUEUE: usize = 1024;

/// Encoded bytes of one NATS message at most (NATS refuses past 1 MiB by
/// default): a batch's relays go out in as many as they need.
const MAX_PAYLOAD: usize = 256 * 1024;

/// One NATS message: whose relays, and which.
#[derive(Serialize, Deserialize)]
struct Envelope {
    node: u64,
    relays: Vec<Relay>,
}

/// The sending side, for the syncer's dispatch.
pub(crate) struct ClusterLink {
    outgoing: mpsc::Sender<Vec<Relay>>,
}

impl ClusterLink {
    /// Queues a committed batch's relays for the other nodes.
    pub(crate) fn send(&self, relays: Vec<Relay>) {
        if !relays.is_empty() && self.outgoing.try_send(relays).is_err() {
            crate::stats::relays_dropped();
            tracing::warn!("relays dropped: the link to the other nodes is behind");
        }
    }
}

/// Connects to NATS at `url` and starts the tasks that publish this node's
/// relays and hand the other nodes' to the engine.
pub(crate) async fn connect(
    url: &str,
    app_id: u64,
    shared: Arc<Shared>,
) -> std::io::Result<ClusterLink> {
    let subject = format!("tinyim.{app_id}.relay");
    let node = shared.node;
    let reconnected = shared.clone();
    let addr: async_nats::ServerAddr = url.parse().map_err(std::io::Error::other)?;
    // Credentials in the URL (nats://USER:PASSWORD@HOST) are the server's
    // to check; the client takes them from its options.
    let options = match (addr.username(), addr.password()) {
        (Some(user), Some(password)) => {
            async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
        }
        _ => async_nats::ConnectOptions::new(),
    };
    let client = options
        .name("tinyim-server")
        .event_callback(move |event| {
            let shared = reconnected.clone();
            async move {
                match event {
                    async_nats::Event::Connected => {
                        tracing::info!("the link to the other nodes is back");
                        ask_every_client_to_reconnect(&shared);
                    }
                    async_nats::Event::Disconnected => {
                        tracing::warn!("lost the link to the other nodes");
                    }
                    other => tracing::debug!("NATS: {other}"),
                }
            }
        })
        .connect(addr)
        .await
        .map_err(std::io::Error::other)?;
    let mut subscription = client
        .subscribe(subject.clone())
        .await
        .map_err(std::io::Error::other)?;
    let engine = shared.engine.clone();
    tokio::spawn(async move {
        while let Some(message) = subscription.next().await {
            let Ok(envelope) = postcard::from_bytes::<Envelope>(&message.payload) else {
                tracing::warn!("an unreadable relay from another node");
                continue;
            };
            if envelope.node == node {
                continue;
            }
            for relay in envelope.relays {
                if engine
                    .send(Job::Input(Input::Relayed {
                        node: envelope.node,
                        relay,
                    }))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    });
    let (outgoing, mut batches) = mpsc::channel::<Vec<Relay>>(QUEUE);
    tokio::spawn(async move {
        while let Some(relays) = batches.recv().await {
            for payload in envelopes(node, relays) {
                if let Err(e) = client.publish(subject.clone(), payload.into()).await {
                    crate::stats::relays_dropped();
                    tracing::warn!("a relay not published: {e}");
                }
            }
        }
    });
    Ok(ClusterLink { outgoing })
}

/// `relays` as encoded envelopes of at most [`MAX_PAYLOAD`] bytes each (a
/// single relay larger than that goes alone).
fn envelopes(node: u64, relays: Vec<Relay>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut chunk = Vec::new();
    let mut size = 0;
    for relay in relays {
        let relay_size = postcard::experimental::serialized_size(&relay).unwrap_or(MAX_PAYLOAD);
        if !chunk.is_empty() && size + relay_size > MAX_PAYLOAD {
            out.push(encode::to_bytes(&Envelope {
                node,
                relays: std::mem::take(&mut chunk),
            }));
            size = 0;
        }
        size += relay_size;
        chunk.push(relay);
    }
    if !chunk.is_empty() {
        out.push(encode::to_bytes(&Envelope {
            node,
            relays: chunk,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(size: usize) -> Relay {
        Relay::Push {
            user: "u".into(),
            frame: vec![0; size],
        }
    }

    #[test]
    fn a_large_batch_goes_out_in_envelopes_under_the_limit_with_every_relay() {
        let relays: Vec<Relay> = (0..40).map(|_| push(20_000)).collect();
        let payloads = envelopes(7, relays.clone());
        assert!(payloads.len() > 1);
        let mut back = Vec::new();
        for payload in &payloads {
            assert!(payload.len() <= MAX_PAYLOAD + 64);
            let envelope: Envelope = postcard::from_bytes(payload).unwrap();
            assert_eq!(envelope.node, 7);
            back.extend(envelope.relays);
        }
        assert_eq!(back, relays);
    }
}
