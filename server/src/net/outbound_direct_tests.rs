//! Frames written straight to the socket, over real TCP on 127.0.0.1: what
//! the peer reads is whole frames in the order they were pushed, whichever
//! thread wrote them and wherever the socket stopped taking bytes.

use std::io::Read;
use std::sync::Arc;
use std::task::{Context, Poll};

use tinyim_core::wire::{kind, HEADER_LEN};
use tokio::net::TcpStream;

use super::{cost, Outbound, SEND_ANSWER_LEN};

/// A connected pair: the server's side (tokio, for direct writes) and the
/// peer's (blocking, read by the test).
async fn pair() -> (Arc<TcpStream>, std::net::TcpStream) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let peer = tokio::task::spawn_blocking(move || std::net::TcpStream::connect(address));
    let (server, _) = listener.accept().await.unwrap();
    (Arc::new(server), peer.await.unwrap().unwrap())
}

/// A frame of `len` bytes of kind `frame_kind`, each byte after the header
/// `fill`.
fn frame(frame_kind: u8, len: usize, fill: u8) -> Vec<u8> {
    let mut f = vec![fill; len];
    f[..HEADER_LEN].fill(0);
    f[HEADER_LEN - 1] = frame_kind;
    f
}

/// Whether the task would wake for something to do.
fn task_has_work(out: &Outbound) -> bool {
    let waker = futures_util::task::noop_waker();
    out.poll_queued(&mut Context::from_waker(&waker)) == Poll::Ready(())
}

/// Reads exactly `n` bytes from the peer's side.
fn read_exactly(peer: &mut std::net::TcpStream, n: usize) -> Vec<u8> {
    let mut bytes = vec![0; n];
    peer.read_exact(&mut bytes).unwrap();
    bytes
}

#[tokio::test]
async fn a_frame_for_an_idle_connection_is_on_the_socket_without_its_task() {
    let (server, mut peer) = pair().await;
    let out = Outbound::new(0);
    out.write_directly_to(server);
    let push = frame(kind::PUSH_MESSAGE, 300, 7);
    assert!(out.push_directly(push.clone(), 1 << 20));
    assert_eq!(out.queued_len(), 0, "nothing left for the task");
    assert!(!task_has_work(&out), "the task is not woken");
    assert_eq!(read_exactly(&mut peer, push.len()), push);
    // A plain push is the task's to write, socket or not.
    let queued = frame(kind::PUSH_MESSAGE, 30, 8);
    assert!(out.push(queued.clone(), 1 << 20));
    assert!(out.queued_len() > 0 && task_has_work(&out));
    assert_eq!(out.take(), (vec![queued], false));
}

#[tokio::test]
async fn a_frame_pushed_behind_queued_ones_waits_its_turn() {
    let (server, mut peer) = pair().await;
    let out = Outbound::new(0);
    let first = frame(kind::PUSH_MESSAGE, 40, 1);
    assert!(out.push(first.clone(), 1 << 20), "queued: no socket yet");
    out.write_directly_to(server.clone());
    let second = frame(kind::PUSH_MESSAGE, 50, 2);
    assert!(out.push_directly(second.clone(), 1 << 20));
    let (frames, close) = out.take();
    assert_eq!(
        (frames.clone(), close),
        (vec![first.clone(), second.clone()], false)
    );
    // Taken and not written yet: a third goes behind them too.
    let third = frame(kind::PUSH_MESSAGE, 60, 3);
    assert!(out.push_directly(third.clone(), 1 << 20));
    assert!(out.queued_len() > 0);
    for f in &frames {
        server.try_write(f).unwrap();
    }
    out.written(&frames);
    let (rest, _) = out.take();
    assert_eq!(rest, vec![third.clone()]);
    server.try_write(&rest[0]).unwrap();
    out.written(&rest);
    // Now idle again: straight to the socket.
    let fourth = frame(kind::PUSH_MESSAGE, 70, 4);
    assert!(out.push_directly(fourth.clone(), 1 << 20));
    assert_eq!(out.queued_len(), 0);
    let all = [first, second, third, fourth].concat();
    assert_eq!(read_exactly(&mut peer, all.len()), all);
}

#[tokio::test]
async fn a_full_socket_leaves_the_rest_of_a_frame_and_a_kick_writes_it_before_the_notice() {
    let (server, mut peer) = pair().await;
    let out = Outbound::new(0);
    out.write_directly_to(server.clone());
    // The peer reads nothing: frames go to the socket until it is full.
    // An odd length, so that the socket most likely stops inside one.
    let mut pushed = Vec::new();
    for i in 0.. {
        let f = frame(kind::PUSH_MESSAGE, 10_007, i as u8);
        assert!(out.push_directly(f.clone(), 64 << 20));
        pushed.push(f);
        if out.queued_len() > 0 {
            break;
        }
    }
    let notice = frame(kind::PUSH_KICKED, 20, 0xee);
    out.kick(&notice);
    let (frames, close) = out.take();
    assert!(close, "a kick closes");
    assert_eq!(frames.last(), Some(&notice), "the notice goes last");
    // What the task writes once the peer reads.
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        peer.read_to_end(&mut all).unwrap();
        all
    });
    out.end_direct_writes();
    let mut stream = Arc::try_unwrap(server).ok();
    let stream = stream.as_mut().expect("the queue let its socket go");
    for f in &frames {
        tokio::io::AsyncWriteExt::write_all(stream, f)
            .await
            .unwrap();
    }
    tokio::io::AsyncWriteExt::shutdown(stream).await.unwrap();
    let wire = reader.join().unwrap();
    // The kick drops what was queued, except the rest of a frame begun:
    // the last frame pushed went in part (and is finished) or not at all.
    let finished = [pushed.concat(), notice.clone()].concat();
    let dropped = [pushed[..pushed.len() - 1].concat(), notice].concat();
    assert!(
        wire == finished || wire == dropped,
        "whole frames, in order, then the notice ({} bytes on the wire)",
        wire.len()
    );
}

#[tokio::test]
async fn an_answer_written_directly_wakes_a_task_that_stopped_reading() {
    let (server, mut peer) = pair().await;
    let out = Outbound::new(0);
    out.write_directly_to(server);
    let budget = 2 * cost(SEND_ANSWER_LEN);
    assert!(out.admit(budget, kind::SEND_MESSAGE));
    assert!(out.admit(budget, kind::SEND_MESSAGE));
    assert!(
        !out.admit(budget, kind::SEND_MESSAGE),
        "no room for a third"
    );
    assert!(!task_has_work(&out));
    let answer = frame(kind::RESPONSE_OK, 40, 9);
    assert!(out.push_directly(answer.clone(), budget));
    assert_eq!(out.queued_len(), 0, "written directly");
    assert!(task_has_work(&out), "room was freed: the task reads again");
    let (frames, close) = out.take();
    assert_eq!((frames.len(), close), (0, false));
    assert!(!task_has_work(&out), "told once");
    assert!(
        out.admit(budget, kind::SEND_MESSAGE),
        "the answer's room is free"
    );
    assert_eq!(read_exactly(&mut peer, answer.len()), answer);
}

#[tokio::test]
async fn a_closing_connection_is_not_written_to_directly() {
    let (server, mut peer) = pair().await;
    let marked = Outbound::new(0);
    marked.write_directly_to(server.clone());
    marked.close();
    let late = frame(kind::PUSH_MESSAGE, 30, 5);
    assert!(marked.push_directly(late.clone(), 1 << 20));
    assert_eq!(
        marked.take(),
        (vec![late], true),
        "marked to close: left to the task, which closes after it"
    );

    drop(marked);
    let ended = Outbound::new(0);
    ended.write_directly_to(server.clone());
    ended.end_direct_writes();
    let after = frame(kind::PUSH_MESSAGE, 40, 6);
    assert!(ended.push_directly(after.clone(), 1 << 20));
    assert_eq!(ended.take(), (vec![after], false), "its socket was let go");
    assert_eq!(Arc::strong_count(&server), 1, "no queue holds the socket");

    // Nothing reached the peer: the next bytes it reads are these.
    let check = frame(kind::PUSH_MESSAGE, 20, 7);
    server.try_write(&check).unwrap();
    assert_eq!(read_exactly(&mut peer, check.len()), check);
}
