//! The frame decoder and every body decoder on arbitrary bytes: errors, never
//! panics; and the hand-written message decoder agrees with the derived one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyim_core::wire::{body, parse_frame, records};

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Ok(Some((frame, size))) = parse_frame(rest, 16 * 1024) {
        let b = frame.body;
        let _ = records::decode_exact::<body::Hello>(b);
        let _ = records::decode_exact::<body::HelloAck>(b);
        let _ = records::decode_exact::<(u32, body::Login<'_>)>(b);
        let _ = records::decode_exact::<(u32, body::SendMessage<'_>)>(b);
        let _ = records::decode_exact::<(u32, body::MessageRange<'_>)>(b);
        let _ = records::decode_exact::<(u32, body::ErrorBody<'_>)>(b);
        if let Ok((_, tail)) = records::take::<(u32, body::SyncPage)>(b) {
            for _ in records::Records::<body::ConversationSummary<'_>>::new(tail) {}
        }
        if let Ok((_, tail)) = records::take::<body::PushMessage>(b) {
            for _ in records::Records::<body::Message<'_>>::new(tail) {}
        }
        assert_eq!(
            body::Message::take(b).ok(),
            records::take::<body::Message<'_>>(b).ok()
        );
        rest = &rest[size..];
    }
});
