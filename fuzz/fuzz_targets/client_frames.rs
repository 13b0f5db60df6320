//! A `Client` holding a session and a handle, with requests in flight, fed arbitrary frames
//! and time jumps.
//!
//! Input: steps separated by the byte `0xFF` (which never occurs in UTF-8, so a seed that is
//! one JSON frame is one step). A step starting with `0xFE` is a control step
//! `[0xFE, op, args…]`: op % 4 == 0 advances the clock by `args` (little-endian u32, in ms)
//! and fires timers, 1 jumps to the next deadline and fires it, 2 closes the connection,
//! 3 reconnects and claims the session. Any other step is one frame from the server.
//!
//! Checked: nothing panics; after `handle_timeout(now)` the next deadline is after `now`;
//! every `Completed` is for a submitted transaction and comes once; every request sent was
//! submitted or is a keepalive of the client's own; an accepted frame produces an event
//! (except a late `ack` and replies to the client's own keepalives); after the final close
//! every transaction has ended.
#![no_main]

use janus_proto::wire::ServerMessage;
use janus_proto::{Candidate, Command, Input, Trickle};
use janus_proto_fuzz::{
    assert_no_busy_loop, base, client_with_handle, drain, later, small_config, Ledger, H, S,
};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

const SEP: u8 = 0xFF;
const CONTROL: u8 = 0xFE;

fn le_u32(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(4)
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

fuzz_target!(|data: &[u8]| {
    let mut now = base();
    let mut ledger = Ledger::default();
    // Transactions 1 (create) and 2 (attach) are done.
    let mut client = client_with_handle(small_config(), now, &mut ledger);
    // In flight, so replies can match: "3" message, "4" keepalive, "5" info, "6" ping,
    // "7" trickle, "8" hangup (held behind the message until it has its outcome).
    let in_flight = [
        Command::message(H, json!({"request": "configure"}), None),
        Command::Keepalive { session: S },
        Command::Info,
        Command::Ping,
        Command::Trickle {
            handle: H,
            trickle: Trickle::One(Candidate::Completed),
        },
        Command::Hangup { handle: H },
    ];
    for command in in_flight {
        let txn = client.submit(now, command).expect("in-flight submit");
        ledger.submitted(txn);
    }
    let out = drain(&mut client);
    ledger.note_sent(&out.transmits);
    ledger.observe(&out.events);

    for step in data.split(|b| *b == SEP) {
        let mut frame_accepted = None;
        match step {
            [CONTROL, op, args @ ..] => match op % 4 {
                0 => {
                    now = later(now, le_u32(args));
                    client.handle_timeout(now);
                    assert_no_busy_loop(&client, now);
                }
                1 => {
                    if let Some(at) = client.poll_timeout() {
                        now = now.max(at);
                    }
                    client.handle_timeout(now);
                    assert_no_busy_loop(&client, now);
                }
                2 => client
                    .handle_input(now, Input::Closed)
                    .expect("closing never fails"),
                _ => {
                    client.reconnect(now);
                    let claim = Command::Claim {
                        session: S,
                        handles: vec![H],
                    };
                    if let Ok(txn) = client.submit(now, claim) {
                        ledger.submitted(txn);
                    }
                }
            },
            frame => {
                if client
                    .handle_input(now, Input::Frame(frame.to_vec().into()))
                    .is_ok()
                {
                    frame_accepted = Some(frame);
                }
            }
        }
        let out = drain(&mut client);
        ledger.note_sent(&out.transmits);
        ledger.observe(&out.events);
        if let (Some(frame), true) = (frame_accepted, out.events.is_empty()) {
            // Nothing Janus sends is dropped, except an ack that trails its event and the
            // replies to the client's own keepalives.
            let msg = ServerMessage::decode(frame).expect("it was accepted");
            assert!(
                matches!(msg, ServerMessage::Ack { .. })
                    || msg.transaction().is_some_and(|t| ledger.is_internal(t)),
                "an accepted frame produced no event: {:?}",
                String::from_utf8_lossy(frame)
            );
        }
    }

    client
        .handle_input(now, Input::Closed)
        .expect("closing never fails");
    ledger.observe(&drain(&mut client).events);
    ledger.assert_all_completed();
    assert_eq!(client.pending(), 0, "pending after close");
});
