//! Simulated-time scenarios: every rule of the core, against the fake Janus, on simulated
//! time. Grouped by rule (the numbers are the issue's); each test names the behaviour it
//! proves.

use std::time::Duration;

use bytes::Bytes;
use janus_proto::testing::{
    event_kind, DetachedOnTimeout, FakeConfig, Pair, DEMO_ROOM, ECHOTEST, STREAMING, VIDEOROOM,
};
use janus_proto::wire::{RawFrame, ServerMessage};
use janus_proto::{
    Candidate, Command, Config, ConnectionEvent, Event, HandleEventKind, HandleId, Input,
    JanusError, Jsep, JsepType, Ordering, PluginError, Reply, ReplyKind, RequestError, SessionEnd,
    SessionEvent, SessionId, SessionState, Trickle, UsageError,
};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const MS: Duration = Duration::from_millis(1);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn offer() -> Jsep {
    Jsep::offer(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
    )
}

fn echo(handle: HandleId) -> Command {
    Command::message(handle, json!({"audio": true, "video": true}), Some(offer()))
}

fn request(handle: HandleId, body: Value) -> Command {
    Command::message(handle, body, None)
}

/// The plugin payload and SDP of a successful plugin reply.
fn plugin_reply(outcome: Option<&Result<Reply, RequestError>>) -> (Value, Option<Jsep>) {
    match outcome {
        Some(Ok(Reply {
            kind: ReplyKind::Plugin { data, jsep },
            ..
        })) => (data.value().expect("JSON value"), jsep.clone()),
        other => panic!("expected a plugin reply, got {other:?}"),
    }
}

fn plugin_error(outcome: Option<&Result<Reply, RequestError>>) -> &PluginError {
    match outcome {
        Some(Err(RequestError::Plugin(e))) => e,
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

fn janus_error(outcome: Option<&Result<Reply, RequestError>>) -> &JanusError {
    match outcome {
        Some(Err(RequestError::Janus(e))) => e,
        other => panic!("expected a Janus error, got {other:?}"),
    }
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(event_kind).collect()
}

/// Names of the requests the fake received from `from` on.
fn received_names(pair: &Pair, from: usize) -> Vec<&'static str> {
    pair.server.received()[from..]
        .iter()
        .map(|(_, r)| r.body.name())
        .collect()
}

/// A pair with a session and a handle on `plugin`, and no events collected yet.
fn with_handle(config: Config, fake: FakeConfig, plugin: &str) -> (Pair, SessionId, HandleId) {
    let mut pair = Pair::new(config, fake);
    let session = pair.create_session();
    let handle = pair.attach(session, plugin);
    pair.take_events();
    (pair, session, handle)
}

/// What the fake received, timed from the first request.
fn transcript(pair: &Pair) -> Vec<(Duration, janus_proto::wire::Request)> {
    let received = pair.server.received();
    let t0 = received.first().map(|(t, _)| *t);
    received
        .iter()
        .map(|(t, r)| (t.duration_since(t0.unwrap_or(*t)), r.clone()))
        .collect()
}

fn assert_no_misrouted(pair: &Pair) {
    assert_eq!(
        pair.count_kind("Connection.Unroutable"),
        0,
        "{:?}",
        pair.events
    );
    assert_eq!(
        pair.count_kind("Connection.LateReply"),
        0,
        "{:?}",
        pair.events
    );
}

// ---------------------------------------------------------------------------------------
// Rule 3: every transaction ends exactly once
// ---------------------------------------------------------------------------------------

#[test]
fn an_async_request_reports_its_ack_then_completes_on_its_event() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let txn = pair.submit(echo(handle));
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Acked", "Completed"]);
    assert_eq!(
        pair.events[0],
        Event::Acked {
            txn,
            hint: Some("I'm taking my time!".into())
        }
    );
    let (data, jsep) = plugin_reply(pair.outcome(txn));
    assert_eq!(data, json!({"echotest": "event", "result": "ok"}));
    assert_eq!(jsep.map(|j| j.kind), Some(JsepType::Answer));
    assert_eq!(pair.client.pending(), 0);
}

#[test]
fn an_event_before_its_ack_completes_the_request_and_the_late_ack_is_ignored() {
    let fake = FakeConfig::new().event_before_ack(1.0);
    let (mut pair, _, handle) = with_handle(Config::new(), fake, ECHOTEST);
    let txn = pair.submit(echo(handle));
    pair.drive();
    assert_eq!(pair.server.stats().events_before_ack, 1);
    // The ack came after the outcome: not reported, not an error, not a late reply.
    assert_eq!(kinds(&pair.events), ["Completed"]);
    let (data, _) = plugin_reply(pair.outcome(txn));
    assert_eq!(data["result"], "ok");
    assert!(pair.errors.is_empty());
    assert_eq!(pair.client.pending(), 0);
}

#[test]
fn echotest_200_times_with_event_before_ack_half_the_time_completes_each_exactly_once() {
    let fake = FakeConfig::new().seed(2024).event_before_ack(0.5);
    let mut pair = Pair::new(Config::new(), fake);
    for round in 0..200 {
        let session = pair.create_session();
        let handle = pair.attach(session, ECHOTEST);
        let message = pair.submit(echo(handle));
        pair.drive();
        let detach = pair.submit(Command::Detach { handle });
        let destroy = pair.submit(Command::Destroy { session });
        pair.drive();
        assert_eq!(pair.completions(message), 1, "round {round}");
        let (data, jsep) = plugin_reply(pair.outcome(message));
        assert_eq!(
            data,
            json!({"echotest": "event", "result": "ok"}),
            "round {round}"
        );
        assert!(jsep.is_some(), "round {round}");
        assert_eq!(pair.completions(detach), 1);
        assert_eq!(pair.completions(destroy), 1);
        assert!(
            matches!(pair.outcome(destroy), Some(Ok(_))),
            "round {round}"
        );
    }
    let inverted = pair.server.stats().events_before_ack;
    assert!((60..=140).contains(&inverted), "{inverted} inversions");
    // The plugin reply came exactly once each time; acks are reported only when first.
    let plugin_replies = pair.count(|e| {
        matches!(
            e,
            Event::Completed {
                outcome: Ok(Reply {
                    kind: ReplyKind::Plugin { .. },
                    ..
                }),
                ..
            }
        )
    });
    assert_eq!(plugin_replies, 200);
    assert_eq!(pair.count_kind("Acked") as u64, 200 - inverted);
    assert_no_misrouted(&pair);
    assert_eq!(pair.client.pending(), 0);
}

#[test]
fn a_synchronous_plugin_reply_is_a_success_with_plugindata() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), VIDEOROOM);
    let txn = pair.submit(request(
        handle,
        json!({"request": "exists", "room": DEMO_ROOM}),
    ));
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Completed"]);
    let (data, jsep) = plugin_reply(pair.outcome(txn));
    assert_eq!(
        data,
        json!({"videoroom": "success", "room": DEMO_ROOM, "exists": true})
    );
    assert_eq!(jsep, None);
    let Some(Ok(reply)) = pair.outcome(txn) else {
        unreachable!()
    };
    assert_eq!(reply.raw.value().expect("JSON value")["janus"], "success");
    assert_eq!(reply.raw.value().expect("JSON value")["sender"], handle.0);
}

#[test]
fn a_plugin_error_in_an_async_event_is_a_plugin_error() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let txn = pair.submit(request(handle, json!({"nothing": "known"})));
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Acked", "Completed"]);
    let error = plugin_error(pair.outcome(txn));
    assert_eq!(error.plugin, ECHOTEST);
    assert_eq!(error.code, 413);
    assert_eq!(error.reason, "Message error: no supported attributes found");
}

#[test]
fn a_plugin_error_in_a_sync_success_is_a_plugin_error() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), VIDEOROOM);
    let txn = pair.submit(request(handle, json!({"request": "destroy", "room": 999})));
    pair.drive();
    let error = plugin_error(pair.outcome(txn));
    assert_eq!((error.plugin.as_str(), error.code), (VIDEOROOM, 426));
    assert_eq!(error.reason, "No such room (999)");
    assert_eq!(error.data.value().expect("JSON value")["error_code"], 426);
}

#[test]
fn a_plugin_code_that_overlaps_a_core_code_stays_a_plugin_error() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), STREAMING);
    // Streaming's 455 "no such mountpoint" is not the core's 455.
    let plugin = pair.submit(request(handle, json!({"request": "watch", "id": 99})));
    // A core error on the same handle: an SDP that does not start with v=.
    let core = pair.submit(Command::message(
        handle,
        json!({"request": "start"}),
        Some(Jsep::offer("x")),
    ));
    pair.drive();
    let error = plugin_error(pair.outcome(plugin));
    assert_eq!((error.plugin.as_str(), error.code), (STREAMING, 455));
    let error = janus_error(pair.outcome(core));
    assert_eq!(error.code, 465);
}

#[test]
fn a_core_error_ends_the_request_as_a_janus_error() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    let session = pair.create_session();
    let txn = pair.submit(Command::attach(session, "janus.plugin.sip"));
    pair.drive();
    assert_eq!(
        pair.outcome(txn),
        Some(&Err(RequestError::Janus(JanusError {
            code: 460,
            reason: "No such plugin 'janus.plugin.sip'".into()
        })))
    );
    assert_eq!(pair.completions(txn), 1);
}

#[test]
fn an_error_without_transaction_is_a_connection_event_and_its_request_ends_at_the_deadline() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new().stray_errors(1.0));
    let txn = pair.submit(Command::Ping);
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Connection.Error"]);
    let Event::Connection(ConnectionEvent::Error { error, raw }) = &pair.events[0] else {
        unreachable!()
    };
    assert_eq!(error.code, 467);
    assert!(raw
        .value()
        .expect("JSON value")
        .get("transaction")
        .is_none());
    pair.advance(secs(15) - MS * 2);
    assert_eq!(pair.outcome(txn), None);
    pair.advance(MS * 2);
    assert_eq!(
        pair.outcome(txn),
        Some(&Err(RequestError::TimedOut { acked: false }))
    );
    assert_eq!(pair.completions(txn), 1);
}

#[test]
fn a_request_with_no_reply_ends_at_the_default_deadline_of_15_seconds() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new().drop_replies(1.0));
    let start = pair.now;
    let txn = pair.submit(Command::Info);
    pair.advance(secs(15) - MS);
    assert_eq!(pair.outcome(txn), None);
    pair.advance(MS);
    assert_eq!(pair.now - start, secs(15));
    assert_eq!(
        pair.outcome(txn),
        Some(&Err(RequestError::TimedOut { acked: false }))
    );
    pair.advance(secs(60));
    assert_eq!(pair.completions(txn), 1);
    assert_eq!(pair.server.stats().dropped, 1);
}

#[test]
fn a_per_request_timeout_overrides_the_configured_default() {
    let config = Config::new().request_timeout(secs(5));
    let mut pair = Pair::new(config, FakeConfig::new().drop_replies(1.0));
    let short = pair.submit_with_timeout(Command::Ping, secs(2));
    let default = pair.submit(Command::Ping);
    let long = pair.submit_with_timeout(Command::Ping, secs(30));
    pair.advance(secs(2));
    assert_eq!(
        pair.outcome(short),
        Some(&Err(RequestError::TimedOut { acked: false }))
    );
    assert_eq!((pair.outcome(default), pair.outcome(long)), (None, None));
    pair.advance(secs(3));
    assert!(pair.outcome(default).is_some());
    assert_eq!(pair.outcome(long), None);
    pair.advance(secs(25));
    assert!(pair.outcome(long).is_some());
    let order: Vec<_> = pair
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Completed { txn, .. } => Some(*txn),
            _ => None,
        })
        .collect();
    assert_eq!(order, [short, default, long]);
}

#[test]
fn streaming_stop_on_a_viewer_that_never_started_ends_at_its_deadline_as_acked() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), STREAMING);
    let txn = pair.submit_with_timeout(request(handle, json!({"request": "stop"})), secs(3));
    pair.drive();
    assert_eq!(pair.events, [Event::Acked { txn, hint: None }]);
    pair.advance(secs(3));
    assert_eq!(kinds(&pair.events), ["Acked", "Completed"]);
    assert_eq!(
        pair.outcome(txn),
        Some(&Err(RequestError::TimedOut { acked: true }))
    );
    assert_eq!(pair.count_kind("Handle.Plugin"), 0);
}

#[test]
fn a_cancelled_request_ends_once_and_its_reply_is_reported_late() {
    let fake = FakeConfig::new().latency(MS * 100..=MS * 100);
    let mut pair = Pair::new(Config::new(), fake);
    let txn = pair.submit(Command::Ping);
    pair.settle(); // sent
    pair.cancel(txn).unwrap();
    pair.settle();
    assert_eq!(pair.outcome(txn), Some(&Err(RequestError::Cancelled)));
    assert_eq!(pair.cancel(txn), Err(UsageError::NotPending(txn)));
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Completed", "Connection.LateReply"]);
    assert!(
        matches!(&pair.events[1], Event::Connection(ConnectionEvent::LateReply { txn: t, .. }) if *t == txn)
    );
}

#[test]
fn a_request_cancelled_before_its_frame_was_taken_is_never_sent() {
    let (mut pair, _, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let from = pair.server.received().len();
    // Not stepped yet: the message's frame still waits for poll_transmit, the hangup is held
    // behind the message (ordering per handle).
    let message = pair.submit(request(handle, json!({"audio": true})));
    let hangup = pair.submit(Command::Hangup { handle });
    pair.cancel(message).unwrap();
    pair.drive();
    let sent: Vec<_> = pair.server.received()[from..]
        .iter()
        .map(|(_, r)| r.body.name())
        .collect();
    assert_eq!(sent, ["hangup"], "the cancelled message went out");
    assert_eq!(pair.outcome(message), Some(&Err(RequestError::Cancelled)));
    assert!(matches!(pair.outcome(hangup), Some(Ok(_))));
    // The EchoTest's "done" on hangup; no late reply, since nothing was sent to answer.
    assert_eq!(
        kinds(&pair.events),
        ["Completed", "Completed", "Handle.Plugin"]
    );
    assert!(pair.errors.is_empty(), "{:?}", pair.errors);
}

#[test]
fn a_reply_after_the_deadline_is_reported_as_a_late_reply() {
    let fake = FakeConfig::new().latency(secs(20)..=secs(20));
    let mut pair = Pair::new(Config::new(), fake);
    let txn = pair.submit(Command::Ping);
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Completed", "Connection.LateReply"]);
    assert_eq!(
        pair.outcome(txn),
        Some(&Err(RequestError::TimedOut { acked: false }))
    );
    assert_eq!(pair.completions(txn), 1);
}

// ---------------------------------------------------------------------------------------
// Rule 4: routing in arrival order; nothing lost, nothing duplicated
// ---------------------------------------------------------------------------------------

#[test]
fn unsolicited_messages_reach_their_handle_in_arrival_order() {
    let (mut pair, session, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let now = pair.now;
    let s = session.0;
    let h = handle.0;
    let frames = [
        format!(r#"{{"janus":"webrtcup","session_id":{s},"sender":{h}}}"#),
        format!(
            r#"{{"janus":"media","session_id":{s},"sender":{h},"mid":"0","type":"audio","receiving":true}}"#
        ),
        format!(
            r#"{{"janus":"event","session_id":{s},"sender":{h},"plugindata":{{"plugin":"janus.plugin.echotest","data":{{"echotest":"event","result":"done"}}}}}}"#
        ),
        format!(
            r#"{{"janus":"slowlink","session_id":{s},"sender":{h},"mid":"0","media":"audio","uplink":false,"lost":2}}"#
        ),
        format!(r#"{{"janus":"ice-failed","session_id":{s},"sender":{h}}}"#),
        format!(r#"{{"janus":"hangup","session_id":{s},"sender":{h},"reason":"DTLS alert"}}"#),
    ];
    for frame in &frames {
        pair.server.inject(now, frame.clone());
    }
    pair.drive();
    assert_eq!(
        kinds(&pair.events),
        [
            "Handle.WebrtcUp",
            "Handle.Media",
            "Handle.Plugin",
            "Handle.SlowLink",
            "Handle.Other",
            "Handle.Hangup"
        ]
    );
    let raws: Vec<&str> = pair
        .handle_events(handle)
        .iter()
        .map(|e| e.raw.as_str())
        .collect();
    assert_eq!(raws, frames.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn detached_before_the_detach_success_is_delivered_once_and_the_detach_succeeds() {
    for (first, expected) in [
        (1.0, ["Handle.Detached", "Completed"]),
        (0.0, ["Completed", "Handle.Detached"]),
    ] {
        let fake = FakeConfig::new().side_effect_first(first);
        let (mut pair, session, handle) = with_handle(Config::new(), fake, ECHOTEST);
        let txn = pair.submit(Command::Detach { handle });
        pair.drive();
        assert_eq!(kinds(&pair.events), expected);
        assert_eq!(pair.server.stats().side_effects_first, first as u64);
        assert!(matches!(
            pair.outcome(txn),
            Some(Ok(Reply {
                kind: ReplyKind::Success,
                ..
            }))
        ));
        assert_eq!(pair.client.session_of(handle), None);
        assert_eq!(pair.client.handles(session).count(), 0);
        assert_no_misrouted(&pair);
    }
}

#[test]
fn videoroom_destroyed_before_the_destroy_success_is_delivered_once() {
    let fake = FakeConfig::new().side_effect_first(1.0);
    let (mut pair, session, handle) = with_handle(Config::new(), fake, VIDEOROOM);
    let join = json!({"request": "join", "ptype": "publisher", "room": DEMO_ROOM});
    let (joined, _) = plugin_reply(Some(&pair.request(request(handle, join))));
    assert_eq!(joined["videoroom"], "joined");
    pair.take_events();
    let txn = pair.submit(request(
        handle,
        json!({"request": "destroy", "room": DEMO_ROOM}),
    ));
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Handle.Plugin", "Completed"]);
    match &pair.events[0] {
        Event::Handle {
            session: s,
            handle: h,
            event,
        } => {
            assert_eq!((*s, *h), (session, handle));
            let HandleEventKind::Plugin { data, jsep, txn } = &event.kind else {
                panic!("{event:?}")
            };
            assert_eq!(
                data.value().expect("JSON value"),
                json!({"videoroom": "destroyed", "room": DEMO_ROOM})
            );
            assert_eq!((jsep, txn), (&None, &None));
        }
        other => panic!("{other:?}"),
    }
    let (data, _) = plugin_reply(pair.outcome(txn));
    assert_eq!(
        data,
        json!({"videoroom": "destroyed", "room": DEMO_ROOM, "permanent": false})
    );
    assert_eq!(pair.server.stats().side_effects_first, 1);
}

#[test]
fn server_trickles_arrive_before_the_sdp_answer_and_are_all_delivered() {
    for (before, expected) in [
        (
            0.0,
            vec!["Handle.Trickle", "Handle.Trickle", "Acked", "Completed"],
        ),
        (1.0, vec!["Handle.Trickle", "Handle.Trickle", "Completed"]),
    ] {
        let fake = FakeConfig::new()
            .full_trickle(true)
            .event_before_ack(before);
        let (mut pair, _, handle) = with_handle(Config::new(), fake, ECHOTEST);
        let txn = pair.submit(echo(handle));
        pair.drive();
        assert_eq!(kinds(&pair.events), expected);
        let candidates: Vec<Candidate> = pair
            .handle_events(handle)
            .iter()
            .filter_map(|e| match &e.kind {
                HandleEventKind::Trickle(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        match &candidates[..] {
            [Candidate::Ice(ice), Candidate::Completed] => {
                assert!(ice.candidate.starts_with("candidate:1 1 udp"));
                assert_eq!(
                    (ice.sdp_mid.as_deref(), ice.sdp_mline_index),
                    (None, Some(0))
                );
            }
            other => panic!("{other:?}"),
        }
        let (_, jsep) = plugin_reply(pair.outcome(txn));
        assert_eq!(jsep.map(|j| j.kind), Some(JsepType::Answer));
    }
}

#[test]
fn messages_for_unknown_sessions_and_transactions_are_surfaced_as_unroutable() {
    let (mut pair, _, _) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let now = pair.now;
    let frames = [
        r#"{"janus":"webrtcup","session_id":999,"sender":5}"#,
        r#"{"janus":"timeout","session_id":999}"#,
        r#"{"janus":"success","transaction":"not-ours"}"#,
        r#"{"janus":"success","transaction":"4242"}"#,
        r#"{"janus":"mystery"}"#,
    ];
    for f in frames {
        pair.server.inject(now, f);
    }
    pair.drive();
    assert_eq!(pair.count_kind("Connection.Unroutable"), frames.len());
    let raws: Vec<&str> = pair
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Connection(ConnectionEvent::Unroutable { raw }) => Some(raw.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(raws, frames);
}

#[test]
fn an_event_for_an_unknown_handle_of_a_known_session_is_unroutable() {
    let (mut pair, session, _) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let stranger = HandleId(424_242);
    let up = ServerMessage::WebrtcUp {
        session_id: session,
        sender: stranger,
    };
    assert!(pair.server.notify(pair.now, up));
    pair.drive();
    // The client never attached that handle (nor claimed it): not a handle event of its own.
    assert_eq!(kinds(&pair.events), ["Connection.Unroutable"]);
}

#[test]
fn events_trailing_a_detached_handle_are_still_delivered_to_it() {
    let (mut pair, session, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    pair.request(Command::Detach { handle }).unwrap();
    pair.take_events();
    let done = format!(
        r#"{{"janus":"event","session_id":{},"sender":{},"plugindata":{{"plugin":"janus.plugin.echotest","data":{{"echotest":"event","result":"done"}}}}}}"#,
        session.0, handle.0
    );
    pair.server.inject(pair.now, done);
    pair.drive();
    assert_eq!(kinds(&pair.events), ["Handle.Plugin"]);
}

// ---------------------------------------------------------------------------------------
// Rule 5: keepalives, session timeout, connection loss and claim
// ---------------------------------------------------------------------------------------

/// Arrival times (from `start`) of the keepalives the fake received.
fn keepalive_times(pair: &Pair, start: std::time::Instant) -> Vec<Duration> {
    pair.server
        .received()
        .iter()
        .filter(|(_, r)| r.body.name() == "keepalive")
        .map(|(t, _)| *t - start)
        .collect()
}

#[test]
fn a_keepalive_goes_out_every_25_seconds_while_the_session_is_idle() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    let start = pair.now;
    let session = pair.create_session(); // known to the client at 1 ms
    pair.advance(secs(100));
    let expected: Vec<Duration> = (1..=4).map(|k| MS + secs(25) * k).collect();
    assert_eq!(keepalive_times(&pair, start), expected);
    assert_eq!(pair.server.sessions(), [session]);
    // Keepalives are the client's own: no events.
    assert_eq!(kinds(&pair.events), ["Completed"]);
}

#[test]
fn any_request_naming_the_session_postpones_its_keepalive() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    let start = pair.now;
    let session = pair.create_session();
    pair.advance(secs(10));
    pair.attach(session, ECHOTEST); // sent at 10.001 s
    pair.advance(secs(40));
    assert_eq!(keepalive_times(&pair, start), [MS + secs(35)]);
}

#[test]
fn the_keepalive_interval_follows_the_session_timeout_in_server_info() {
    let fake = FakeConfig::new().session_timeout(secs(10));
    let mut pair = Pair::new(Config::new(), fake);
    let start = pair.now;
    pair.request(Command::Info).unwrap();
    assert_eq!(pair.client.keepalive_interval(), secs(5));
    let session = pair.create_session();
    pair.advance(secs(60));
    let times = keepalive_times(&pair, start);
    assert_eq!(times.len(), 12, "{times:?}");
    assert!(
        times.windows(2).all(|w| w[1] - w[0] == secs(5)),
        "{times:?}"
    );
    assert_eq!(pair.server.sessions(), [session]);
    assert_eq!(pair.count_kind("Session.Ended"), 0);
}

#[test]
fn without_keepalives_often_enough_the_server_times_the_session_out() {
    // The same 10 s server, but the client was not told (no info) and keeps its 25 s.
    let fake = FakeConfig::new().session_timeout(secs(10));
    let mut pair = Pair::new(Config::new(), fake);
    let session = pair.create_session();
    pair.advance(secs(30));
    assert!(pair.server.sessions().is_empty());
    assert_eq!(pair.client.session_state(session), None);
    assert!(pair.events.iter().any(|e| matches!(
        e,
        Event::Session { session: s, event: SessionEvent::Ended(SessionEnd::TimedOut(_)) } if *s == session
    )));
}

#[test]
fn keepalives_stop_after_destroy() {
    let mut pair = Pair::new(Config::new().ping_interval(None), FakeConfig::new());
    let start = pair.now;
    let session = pair.create_session();
    pair.advance(secs(30)); // one keepalive
    pair.request(Command::Destroy { session }).unwrap();
    assert_eq!(pair.client.poll_timeout(), None);
    pair.advance(secs(300));
    assert_eq!(keepalive_times(&pair, start), [MS + secs(25)]);
    assert!(pair.events.iter().any(|e| matches!(
        e,
        Event::Session {
            event: SessionEvent::Ended(SessionEnd::Destroyed),
            ..
        }
    )));
    assert_eq!(
        pair.try_submit(Command::Keepalive { session }),
        Err(UsageError::SessionEnded(session))
    );
}

#[test]
fn a_server_timeout_ends_the_session_and_its_handles_and_fails_their_pending_requests() {
    let config = Config::new().keepalive_interval(secs(600));
    let fake = FakeConfig::new().session_timeout(secs(10));
    let (mut pair, session, handle) = with_handle(config, fake, STREAMING);
    let start = pair.server.received().len();
    // A stop that only gets an ack, and a hangup held behind it (Ordered).
    let stop = pair.submit_with_timeout(request(handle, json!({"request": "stop"})), secs(60));
    let hangup = pair.submit(Command::Hangup { handle });
    pair.drive();
    pair.take_events();
    pair.advance(secs(11));
    assert_eq!(
        kinds(&pair.events),
        ["Session.Ended", "Completed", "Completed", "Handle.Detached"]
    );
    assert!(matches!(
        &pair.events[0],
        Event::Session { session: s, event: SessionEvent::Ended(SessionEnd::TimedOut(raw)) }
            if *s == session && raw.value().expect("JSON value")["janus"] == "timeout"
    ));
    assert_eq!(
        pair.outcome(stop),
        Some(&Err(RequestError::SessionEnded(session)))
    );
    assert_eq!(
        pair.outcome(hangup),
        Some(&Err(RequestError::SessionEnded(session)))
    );
    assert_eq!(pair.client.session_state(session), None);
    assert_eq!(
        pair.try_submit(Command::Hangup { handle }),
        Err(UsageError::HandleEnded(handle))
    );
    // The hangup was never sent, and nothing goes out after the timeout.
    pair.advance(secs(600));
    assert_eq!(received_names(&pair, start), ["message"]);
}

#[test]
fn a_timeout_ends_the_session_whether_detached_comes_after_before_or_never() {
    for (mode, expected) in [
        (DetachedOnTimeout::Never, vec!["Session.Ended"]),
        (
            DetachedOnTimeout::After,
            vec!["Session.Ended", "Handle.Detached", "Handle.Detached"],
        ),
        (
            DetachedOnTimeout::Before,
            vec!["Handle.Detached", "Handle.Detached", "Session.Ended"],
        ),
    ] {
        let config = Config::new().keepalive_interval(secs(600));
        let fake = FakeConfig::new()
            .session_timeout(secs(10))
            .detached_on_timeout(mode);
        let (mut pair, session, first) = with_handle(config, fake, ECHOTEST);
        let second = pair.attach(session, VIDEOROOM);
        pair.take_events();
        pair.advance(secs(20));
        assert_eq!(kinds(&pair.events), expected, "{mode:?}");
        assert_eq!(pair.client.session_state(session), None);
        for handle in [first, second] {
            assert_eq!(pair.client.session_of(handle), None);
            assert_eq!(
                pair.try_submit(Command::Detach { handle }),
                Err(UsageError::HandleEnded(handle))
            );
        }
        assert_no_misrouted(&pair);
    }
}

#[test]
fn a_keepalive_answered_with_458_ends_the_session_as_gone() {
    let mut pair = Pair::new(Config::new().ping_interval(None), FakeConfig::new());
    let session = pair.create_session();
    assert!(pair.server.destroy_session(session)); // Admin API: the owner is told nothing
    pair.advance(secs(26));
    let gone = pair.events.iter().find_map(|e| match e {
        Event::Session {
            session: s,
            event: SessionEvent::Ended(SessionEnd::Gone(error)),
        } if *s == session => Some(error.code),
        _ => None,
    });
    assert_eq!(gone, Some(458));
    assert_eq!(pair.client.session_state(session), None);
    assert_eq!(pair.client.poll_timeout(), None);
}

#[test]
fn a_458_answering_a_message_ends_the_session_locally() {
    let (mut pair, session, handle) = with_handle(
        Config::new().ping_interval(None),
        FakeConfig::new(),
        ECHOTEST,
    );
    assert!(pair.server.destroy_session(session)); // Admin API: the owner is told nothing
    let message = pair.submit(echo(handle));
    let queued = pair.submit(echo(handle)); // held behind the first (ordered handle)
    pair.drive();
    assert_eq!(janus_error(pair.outcome(message)).code, 458);
    assert_eq!(
        pair.outcome(queued),
        Some(&Err(RequestError::SessionEnded(session)))
    );
    let gone = pair.events.iter().find_map(|e| match e {
        Event::Session {
            session: s,
            event: SessionEvent::Ended(SessionEnd::Gone(error)),
        } if *s == session => Some(error.code),
        _ => None,
    });
    assert_eq!(gone, Some(458));
    assert_eq!(pair.client.session_state(session), None);
    assert_eq!(pair.client.session_of(handle), None);
    assert_eq!(
        pair.try_submit(echo(handle)),
        Err(UsageError::HandleEnded(handle))
    );
    assert_eq!(
        pair.client.poll_timeout(),
        None,
        "no keepalive for a gone session"
    );
    // The held message was never sent: only the first reached the server.
    assert_eq!(
        received_names(&pair, 0)
            .iter()
            .filter(|n| **n == "message")
            .count(),
        1
    );
}

#[test]
fn a_459_answering_a_message_ends_the_handle_locally_and_says_so_on_the_handle() {
    let now = janus_proto::testing::start_instant();
    let mut client = janus_proto::Client::new(Config::new(), now);
    let answer = |client: &mut janus_proto::Client, frame: String| {
        client.handle_input(now, Input::text(frame)).unwrap();
    };
    client.submit(now, Command::create()).unwrap();
    answer(
        &mut client,
        r#"{"janus":"success","transaction":"1","data":{"id":1}}"#.into(),
    );
    client
        .submit(now, Command::attach(SessionId(1), ECHOTEST))
        .unwrap();
    answer(
        &mut client,
        r#"{"janus":"success","transaction":"2","session_id":1,"data":{"id":2}}"#.into(),
    );
    let handle = HandleId(2);
    let message = client.submit(now, echo(handle)).unwrap();
    let held = client.submit(now, echo(handle)).unwrap();
    let frames: Vec<String> = std::iter::from_fn(|| client.poll_transmit()).collect();
    assert_eq!(
        frames.len(),
        3,
        "create, attach, the first message: {frames:?}"
    );
    while client.poll_event().is_some() {}
    answer(
        &mut client,
        r#"{"janus":"error","session_id":1,"transaction":"3","error":{"code":459,"reason":"No such handle 2 in session 1"}}"#.into(),
    );
    let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    assert_eq!(kinds(&events), ["Completed", "Handle.Gone", "Completed"]);
    assert!(
        matches!(&events[0], Event::Completed { txn, outcome: Err(RequestError::Janus(e)) } if *txn == message && e.code == 459)
    );
    assert!(
        matches!(&events[1], Event::Handle { handle: h, event, .. } if *h == handle && matches!(&event.kind, HandleEventKind::Gone(e) if e.code == 459))
    );
    assert!(
        matches!(&events[2], Event::Completed { txn, outcome: Err(RequestError::HandleDetached(h)) } if *txn == held && *h == handle)
    );
    assert_eq!(
        client.poll_transmit(),
        None,
        "the held message is never sent"
    );
    assert_eq!(client.session_of(handle), None);
    assert_eq!(
        client.session_state(SessionId(1)),
        Some(SessionState::Active)
    );
    assert_eq!(
        client.submit(now, echo(handle)),
        Err(UsageError::HandleEnded(handle))
    );
}

#[test]
fn a_closed_connection_fails_every_pending_transaction_and_orphans_the_sessions() {
    let (mut pair, session, handle) = with_handle(Config::new(), FakeConfig::new(), STREAMING);
    let stop = pair.submit(request(handle, json!({"request": "stop"}))); // acked, waiting
    pair.drive();
    let hangup = pair.submit(Command::Hangup { handle }); // held behind the stop
    let ping = pair.submit(Command::Ping); // in flight
    pair.settle();
    pair.take_events();
    let before = pair.server.received().len();
    pair.close();
    assert_eq!(
        kinds(&pair.events),
        [
            "Connection.Disconnected",
            "Completed",
            "Completed",
            "Completed",
            "Session.Disconnected",
            "Connection.Closed"
        ]
    );
    for txn in [stop, hangup, ping] {
        assert_eq!(pair.outcome(txn), Some(&Err(RequestError::ConnectionLost)));
    }
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Orphaned)
    );
    assert_eq!(pair.client.poll_timeout(), None);
    assert_eq!(pair.try_submit(Command::Ping), Err(UsageError::Closed));
    pair.advance(secs(300));
    assert_eq!(pair.server.received().len(), before);
    assert_eq!(pair.client.pending(), 0);
}

#[test]
fn claim_after_reconnect_revives_an_orphaned_session_and_keepalives_resume() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let (mut pair, session, handle) = with_handle(Config::new(), fake, ECHOTEST);
    pair.close();
    pair.advance(secs(5));
    assert_eq!(pair.server.sessions(), [session]);
    assert!(!pair.server.owns(session));
    pair.reconnect();
    let claimed = pair.request(Command::Claim {
        session,
        handles: vec![handle],
    });
    assert!(matches!(
        claimed,
        Ok(Reply {
            kind: ReplyKind::Success,
            ..
        })
    ));
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Active)
    );
    assert!(pair.server.owns(session));
    // Events come here again: the message's event completes it.
    let sent_at = pair.now;
    let after = pair.server.received().len();
    let txn = pair.submit(echo(handle));
    pair.drive();
    assert_eq!(plugin_reply(pair.outcome(txn)).0["result"], "ok");
    // Keepalives resume, counted from the last request.
    pair.advance(secs(60));
    let keepalives: Vec<Duration> = pair.server.received()[after..]
        .iter()
        .filter(|(_, r)| r.body.name() == "keepalive")
        .map(|(t, _)| *t - sent_at)
        .collect();
    assert_eq!(keepalives, [secs(25), secs(50)]);
    assert_eq!(pair.server.sessions(), [session]);
}

#[test]
fn without_reclaim_the_server_forgets_the_session_and_claim_fails_with_458_ending_it() {
    let (mut pair, session, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    pair.close();
    assert!(pair.server.sessions().is_empty());
    pair.reconnect();
    let claimed = pair.request(Command::Claim {
        session,
        handles: vec![handle],
    });
    assert_eq!(janus_error(Some(&claimed)).code, 458);
    // The server no longer has it: the client ends the session instead of keeping an orphan.
    assert_eq!(pair.client.session_state(session), None);
    assert_eq!(pair.count_kind("Session.Ended"), 1);
}

/// The `SessionEnd` of `session` among `events`, if it ended.
fn session_end(events: &[Event], session: SessionId) -> Option<SessionEnd> {
    events.iter().find_map(|e| match e {
        Event::Session {
            session: s,
            event: SessionEvent::Ended(end),
        } if *s == session => Some(end.clone()),
        _ => None,
    })
}

#[test]
fn an_orphan_not_claimed_within_the_servers_reclaim_window_ends() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let (mut pair, session, _handle) = with_handle(Config::new(), fake, ECHOTEST);
    pair.request(Command::Info)
        .expect("info tells the reclaim window");
    pair.take_events();
    pair.close();
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Orphaned)
    );
    assert_eq!(pair.client.poll_timeout(), Some(pair.now + secs(30)));
    pair.advance(secs(29));
    assert_eq!(session_end(&pair.take_events(), session), None);
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Orphaned)
    );
    pair.advance(secs(1));
    assert_eq!(
        session_end(&pair.take_events(), session),
        Some(SessionEnd::NotReclaimed { window: secs(30) })
    );
    assert_eq!(pair.client.session_state(session), None);
    assert_eq!(pair.client.poll_timeout(), None, "nothing left to wait for");
}

#[test]
fn with_a_zero_reclaim_window_the_orphans_end_with_the_connection() {
    let (mut pair, session, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    pair.request(Command::Info).expect("info");
    pair.take_events();
    pair.close();
    let events = pair.take_events();
    assert_eq!(
        session_end(&events, session),
        Some(SessionEnd::NotReclaimed {
            window: Duration::ZERO
        })
    );
    assert!(!pair
        .client
        .is_open(janus_proto::EventTarget::Handle(handle)));
    assert_eq!(pair.client.session_state(session), None);
}

#[test]
fn a_claim_within_the_reclaim_window_keeps_the_session() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let (mut pair, session, handle) = with_handle(Config::new(), fake, ECHOTEST);
    pair.request(Command::Info).expect("info");
    pair.close();
    pair.advance(secs(10));
    pair.reconnect();
    pair.request(Command::Claim {
        session,
        handles: vec![handle],
    })
    .expect("claimed");
    pair.take_events();
    pair.advance(secs(60));
    assert_eq!(session_end(&pair.take_events(), session), None);
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Active)
    );
}

#[test]
fn without_a_known_reclaim_window_an_orphan_waits_for_its_claim() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let (mut pair, session, _handle) = with_handle(Config::new(), fake, ECHOTEST);
    pair.close();
    pair.advance(secs(3600));
    assert_eq!(session_end(&pair.take_events(), session), None);
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Orphaned)
    );
}

#[test]
fn events_sent_while_disconnected_are_lost_and_not_replayed_after_claim() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let (mut pair, session, handle) = with_handle(Config::new(), fake, ECHOTEST);
    pair.close();
    let up = ServerMessage::WebrtcUp {
        session_id: session,
        sender: handle,
    };
    assert!(!pair.server.notify(pair.now, up.clone()));
    pair.reconnect();
    pair.request(Command::Claim {
        session,
        handles: vec![handle],
    })
    .unwrap();
    pair.drive();
    assert_eq!(pair.count_kind("Handle.WebrtcUp"), 0);
    assert!(pair.server.notify(pair.now, up));
    pair.drive();
    assert_eq!(pair.count_kind("Handle.WebrtcUp"), 1);
}

#[test]
fn a_session_claimed_elsewhere_stops_getting_events_but_requests_still_work() {
    let (mut pair, session, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    assert!(pair.server.claim_elsewhere(session));
    let txn = pair.submit_with_timeout(echo(handle), secs(2));
    pair.drive();
    // The ack comes back here; the event goes to the new owner.
    assert_eq!(kinds(&pair.events), ["Acked"]);
    pair.advance(secs(2));
    assert_eq!(
        pair.outcome(txn),
        Some(&Err(RequestError::TimedOut { acked: true }))
    );
}

// ---------------------------------------------------------------------------------------
// Rule 6: per-handle ordering
// ---------------------------------------------------------------------------------------

/// Submits, on a streaming handle: a `stop` (acked, never answered), a sync `list`, a
/// trickle and a hangup; returns the arrival times at the fake, relative to the submission.
fn ordering_run(ordering: Ordering) -> (Pair, Vec<(&'static str, Duration)>) {
    let config = Config::new().ordering(ordering);
    let (mut pair, _, handle) = with_handle(config, FakeConfig::new(), STREAMING);
    let from = pair.server.received().len();
    let t0 = pair.now;
    let stop = pair.submit_with_timeout(request(handle, json!({"request": "stop"})), secs(5));
    pair.submit(request(handle, json!({"request": "list"})));
    pair.submit(Command::Trickle {
        handle,
        trickle: Trickle::completed(),
    });
    let hangup = pair.submit(Command::Hangup { handle });
    pair.advance(secs(6));
    assert_eq!(
        pair.outcome(stop),
        Some(&Err(RequestError::TimedOut { acked: true }))
    );
    assert!(matches!(pair.outcome(hangup), Some(Ok(_))));
    let arrivals = pair.server.received()[from..]
        .iter()
        .map(|(t, r)| (r.body.name(), *t - t0))
        .collect();
    (pair, arrivals)
}

#[test]
fn ordered_holds_a_message_until_the_earlier_one_is_accepted_and_hangup_until_its_outcome() {
    let (_, arrivals) = ordering_run(Ordering::Ordered);
    assert_eq!(
        arrivals,
        [
            ("message", Duration::ZERO), // stop
            ("trickle", Duration::ZERO), // never held
            ("message", MS),             // list: right after the stop's ack
            ("hangup", secs(5)),         // only once the stop has its outcome
        ]
    );
}

#[test]
fn pipelined_sends_every_request_at_once() {
    let (_, arrivals) = ordering_run(Ordering::Pipelined);
    assert_eq!(
        arrivals,
        [
            ("message", Duration::ZERO),
            ("message", Duration::ZERO),
            ("trickle", Duration::ZERO),
            ("hangup", Duration::ZERO),
        ]
    );
}

/// A message then a detach on one echotest handle, against a Janus that reorders
/// messages; returns the pair, both transactions and whether the detach ran first.
fn message_then_detach(
    seed: u64,
    ordering: Ordering,
) -> (Pair, [janus_proto::TransactionId; 2], bool) {
    let fake = FakeConfig::new()
        .seed(seed)
        .reorder_messages(0.5)
        .event_before_ack(0.5);
    let (mut pair, _, handle) = with_handle(Config::new().ordering(ordering), fake, ECHOTEST);
    let message = pair.submit(echo(handle));
    let detach = pair.submit(Command::Detach { handle });
    pair.drive();
    let executed: Vec<&str> = pair
        .server
        .executed()
        .iter()
        .map(|(_, r)| r.body.name())
        .collect();
    let overtaken = match executed[2..] {
        ["message", "detach"] => false,
        ["detach", "message"] => true,
        ref other => panic!("{other:?}"),
    };
    assert_eq!(pair.completions(message), 1);
    assert_eq!(pair.completions(detach), 1);
    assert!(matches!(pair.outcome(detach), Some(Ok(_))));
    (pair, [message, detach], overtaken)
}

#[test]
fn with_reordering_ordered_never_lets_a_detach_overtake_a_message() {
    let mut reordered = 0;
    for seed in 0..100 {
        let (pair, [message, _], overtaken) = message_then_detach(seed, Ordering::Ordered);
        assert!(!overtaken, "seed {seed}");
        assert_eq!(
            plugin_reply(pair.outcome(message)).0["result"],
            "ok",
            "seed {seed}"
        );
        assert_no_misrouted(&pair);
        reordered += pair.server.stats().reordered;
    }
    // The fault was there: messages were held back by the fake, yet never overtaken.
    assert!(reordered >= 25, "{reordered}");
}

#[test]
fn with_reordering_pipelined_lets_a_detach_overtake_a_message() {
    let mut overtakes = 0;
    for seed in 0..100 {
        let (pair, [message, _], overtaken) = message_then_detach(seed, Ordering::Pipelined);
        if overtaken {
            overtakes += 1;
            // The detach ran first: the message fails, and Janus's 459 for it comes late.
            assert!(matches!(
                pair.outcome(message),
                Some(Err(RequestError::HandleDetached(_)))
            ));
            let late = pair.events.iter().find_map(|e| match e {
                Event::Connection(ConnectionEvent::LateReply { txn, raw }) if *txn == message => {
                    Some(raw.value().expect("JSON value"))
                }
                _ => None,
            });
            assert_eq!(late.map(|v| v["error"]["code"].clone()), Some(json!(459)));
        } else {
            assert_eq!(
                plugin_reply(pair.outcome(message)).0["result"],
                "ok",
                "seed {seed}"
            );
        }
    }
    assert!((20..=80).contains(&overtakes), "{overtakes} of 100");
}

// ---------------------------------------------------------------------------------------
// Rule 7: authentication
// ---------------------------------------------------------------------------------------

/// One of every request, including a keepalive the client sends on its own.
fn every_request(pair: &mut Pair) {
    pair.request(Command::Info).unwrap();
    pair.request(Command::Ping).unwrap();
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    pair.request(echo(handle)).unwrap();
    pair.request(Command::Trickle {
        handle,
        trickle: Trickle::completed(),
    })
    .unwrap();
    pair.request(Command::Hangup { handle }).unwrap();
    pair.advance(secs(26));
    pair.request(Command::Keepalive { session }).unwrap();
    pair.request(Command::Claim {
        session,
        handles: vec![handle],
    })
    .unwrap();
    pair.request(Command::Detach { handle }).unwrap();
    pair.request(Command::Destroy { session }).unwrap();
}

#[test]
fn apisecret_goes_on_every_request_but_info_and_ping() {
    let fake = FakeConfig::new().api_secret("s3cret");
    let mut pair = Pair::new(Config::new().apisecret("s3cret"), fake);
    every_request(&mut pair);
    let mut names = Vec::new();
    for (_, r) in pair.server.received() {
        let name = r.body.name();
        names.push(name);
        let expected = (!matches!(name, "info" | "ping")).then_some("s3cret");
        assert_eq!(r.apisecret.as_ref().map(|s| s.expose()), expected, "{name}");
        assert_eq!(r.token, None);
    }
    assert_eq!(
        names,
        [
            "info",
            "ping",
            "create",
            "attach",
            "message",
            "trickle",
            "hangup",
            "keepalive",
            "keepalive",
            "claim",
            "detach",
            "destroy"
        ]
    );
    assert_eq!(
        pair.count(|e| matches!(
            e,
            Event::Completed {
                outcome: Err(_),
                ..
            }
        )),
        0
    );
}

#[test]
fn token_goes_on_every_request_but_info_and_ping() {
    let fake = FakeConfig::new().tokens(["tok-1"]);
    let mut pair = Pair::new(Config::new().token("tok-1"), fake);
    every_request(&mut pair);
    assert_eq!(pair.server.received().len(), 12);
    for (_, r) in pair.server.received() {
        let expected = (!matches!(r.body.name(), "info" | "ping")).then_some("tok-1");
        assert_eq!(r.token.as_ref().map(|s| s.expose()), expected);
        assert_eq!(r.apisecret, None);
    }
    assert_eq!(
        pair.count(|e| matches!(
            e,
            Event::Completed {
                outcome: Err(_),
                ..
            }
        )),
        0
    );
}

#[test]
fn a_missing_or_wrong_secret_is_refused_with_403_while_info_works() {
    for config in [Config::new(), Config::new().apisecret("wrong")] {
        let mut pair = Pair::new(config, FakeConfig::new().api_secret("s3cret"));
        let info = pair.request(Command::Info).unwrap();
        let ReplyKind::ServerInfo(info) = info.kind else {
            panic!()
        };
        assert_eq!(info.api_secret, Some(true));
        let create = pair.request(Command::create());
        let error = janus_error(Some(&create));
        assert_eq!(
            (error.code, error.reason.as_str()),
            (403, "Unauthorized request (wrong or missing secret/token)")
        );
        assert!(pair.server.sessions().is_empty());
    }
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let config = Config::new()
        .apisecret("hunter2-apisecret")
        .token("hunter2-token");
    let fake = FakeConfig::new()
        .api_secret("hunter2-apisecret")
        .tokens(["hunter2-token"]);
    let (mut pair, session, handle) = with_handle(config, fake, STREAMING);
    // A request waiting to be sent, and one held behind an unanswered stop.
    pair.submit(request(handle, json!({"request": "stop"})));
    pair.settle();
    pair.submit(Command::Hangup { handle });
    pair.submit(Command::Keepalive { session });
    let dumps = [
        format!("{:?}", pair.client),
        format!("{:#?}", pair.client),
        format!("{:?}", pair.client.config()),
        format!("{:?}", pair.server),
        format!("{:?}", pair.server.config()),
        format!("{:?}", pair.server.received()),
        format!("{pair:?}"),
    ];
    assert!(pair.client.pending() >= 3);
    for dump in dumps {
        assert!(!dump.contains("hunter2"), "secret in {dump}");
    }
}

// ---------------------------------------------------------------------------------------
// Rule 8: bounds, and bad input
// ---------------------------------------------------------------------------------------

#[test]
fn an_outgoing_frame_over_the_limit_is_refused_and_changes_nothing() {
    let run = |oversized: bool| {
        let config = Config::new().max_outgoing_frame(512);
        let (mut pair, _, handle) = with_handle(config, FakeConfig::new(), ECHOTEST);
        if oversized {
            let big = request(handle, json!({"audio": true, "filename": "x".repeat(600)}));
            match pair.try_submit(big) {
                Err(UsageError::FrameTooLarge { len, max: 512 }) => assert!(len > 600),
                other => panic!("{other:?}"),
            }
            assert_eq!(pair.client.pending(), 0);
        }
        let txn = pair.submit(echo(handle));
        pair.drive();
        assert!(plugin_reply(pair.outcome(txn)).0["result"] == "ok");
        let sent = transcript(&pair);
        (pair.events, sent)
    };
    // The refused request left no trace: the rest of the run is identical, frame for frame.
    assert_eq!(run(true), run(false));
}

#[test]
fn an_incoming_frame_over_the_limit_is_an_error_and_its_request_ends_at_the_deadline() {
    let config = Config::new().max_incoming_frame(64 * 1024);
    let (mut pair, _, handle) = with_handle(config, FakeConfig::new(), VIDEOROOM);
    let create = json!({"request": "create", "room": 7, "description": "d".repeat(100_000)});
    plugin_reply(Some(&pair.request(request(handle, create))));
    let list = pair.submit(request(handle, json!({"request": "list"})));
    pair.drive();
    assert_eq!(pair.errors.len(), 1);
    assert!(matches!(
        pair.errors[0].1,
        janus_proto::ProtocolError::FrameTooLarge { max: 65536, len } if len > 100_000
    ));
    assert_eq!(pair.outcome(list), None);
    pair.advance(secs(15));
    assert_eq!(
        pair.outcome(list),
        Some(&Err(RequestError::TimedOut { acked: false }))
    );
    // The client carries on.
    let exists = pair.request(request(handle, json!({"request": "exists", "room": 7})));
    assert_eq!(plugin_reply(Some(&exists)).0["exists"], true);
}

#[test]
fn max_pending_refuses_more_requests_until_one_finishes() {
    let config = Config::new().max_pending(3);
    let (mut pair, _, handle) = with_handle(config, FakeConfig::new(), STREAMING);
    let from = pair.server.received().len();
    // Three stops: acked, never answered, pending for 60 s.
    let stop = || request(handle, json!({"request": "stop"}));
    let txns: Vec<_> = (0..3)
        .map(|_| pair.submit_with_timeout(stop(), secs(60)))
        .collect();
    assert_eq!(
        pair.try_submit(Command::Ping),
        Err(UsageError::TooManyPending { max: 3 })
    );
    // The client's own keepalive is not held back by the limit.
    pair.advance(secs(30));
    assert_eq!(
        received_names(&pair, from),
        ["message", "message", "message", "keepalive"]
    );
    assert_eq!(
        pair.try_submit(Command::Ping),
        Err(UsageError::TooManyPending { max: 3 })
    );
    pair.advance(secs(31));
    assert!(txns.iter().all(|t| pair.completions(*t) == 1));
    assert_eq!(pair.client.pending(), 0);
    assert!(pair.try_submit(Command::Ping).is_ok());
}

#[test]
fn a_full_event_queue_drops_unsolicited_events_reports_lagged_and_keeps_outcomes() {
    let config = Config::new().event_queue_capacity(4);
    let (mut pair, session, handle) = with_handle(config, FakeConfig::new(), ECHOTEST);
    pair.hold_events = true;
    for _ in 0..10 {
        let up = ServerMessage::WebrtcUp {
            session_id: session,
            sender: handle,
        };
        assert!(pair.server.notify(pair.now, up));
    }
    let ping = pair.submit(Command::Ping);
    pair.drive();
    assert!(pair.events.is_empty());
    pair.drain_events();
    assert_eq!(
        kinds(&pair.events),
        [
            "Handle.WebrtcUp",
            "Handle.WebrtcUp",
            "Handle.WebrtcUp",
            "Handle.WebrtcUp",
            "Lagged",
            "Completed"
        ]
    );
    assert_eq!(pair.events[4], Event::Lagged { dropped: 6 });
    assert_eq!(pair.completions(ping), 1);
}

/// Frames that are not Janus messages.
fn garbage() -> Vec<Input> {
    [
        "",
        "not json",
        r#"{"janus":"success"}"#,
        "[1,2]",
        r#"{"janus":"event","session_id":1}"#,
        r#"{"janus":"webrtcup","session_id":"x","sender":1}"#,
    ]
    .into_iter()
    .map(Input::text)
    .chain([Input::Frame(Bytes::from_static(&[0xff, 0xfe]))])
    .collect()
}

#[test]
fn garbage_from_the_server_is_an_error_and_leaves_the_state_intact() {
    let run = |with_garbage: bool| {
        let fake = FakeConfig::new().event_before_ack(0.5).seed(9);
        let mut pair = Pair::new(Config::new(), fake);
        let mut refused = 0;
        let mut feed = |pair: &mut Pair| {
            if with_garbage {
                for input in garbage() {
                    assert!(pair.client.handle_input(pair.now, input).is_err());
                    refused += 1;
                }
            }
        };
        let session = pair.create_session();
        feed(&mut pair);
        let handle = pair.attach(session, ECHOTEST);
        feed(&mut pair);
        let message = pair.submit(echo(handle));
        feed(&mut pair);
        pair.drive();
        pair.request(Command::Detach { handle }).unwrap();
        feed(&mut pair);
        pair.advance(secs(30));
        assert_eq!(plugin_reply(pair.outcome(message)).0["result"], "ok");
        let sent = transcript(&pair);
        (refused, pair.events, sent)
    };
    let (refused, events, sent) = run(true);
    assert_eq!(refused, 4 * garbage().len());
    assert_eq!((0, events, sent), run(false));
}

#[test]
fn garbage_frames_from_the_fake_are_reported_and_every_request_still_completes() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new().garbage_frames(1.0));
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    let message = pair.request(echo(handle));
    assert_eq!(plugin_reply(Some(&message)).0["result"], "ok");
    pair.request(Command::Destroy { session }).unwrap();
    let garbage = pair.server.stats().garbage;
    assert_eq!(garbage, 4); // one per reply
    assert_eq!(pair.errors.len() as u64, garbage);
    assert_eq!(
        pair.count(|e| matches!(e, Event::Completed { outcome: Ok(_), .. })),
        4
    );
}

// ---------------------------------------------------------------------------------------
// janus-api §6.2: each reordering Janus does
// ---------------------------------------------------------------------------------------

/// §6.2 "Core requests are answered in order".
#[test]
fn pipelined_core_requests_complete_in_send_order() {
    let fake = FakeConfig::new()
        .reorder_messages(1.0)
        .latency(MS..=MS * 50);
    let mut pair = Pair::new(Config::new(), fake);
    let session = pair.create_session();
    let txns: Vec<_> = (0..100)
        .map(|i| match i % 3 {
            0 => pair.submit(Command::Info),
            1 => pair.submit(Command::Ping),
            _ => pair.submit(Command::Keepalive { session }),
        })
        .collect();
    pair.take_events();
    pair.drive();
    let completed: Vec<_> = pair
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Completed {
                txn,
                outcome: Ok(_),
            } => Some(*txn),
            _ => None,
        })
        .collect();
    assert_eq!(completed, txns);
}

/// §6.2 "`message` replies are not in send order".
#[test]
fn reordered_message_replies_each_complete_their_own_transaction() {
    let config = Config::new().ordering(Ordering::Pipelined);
    let fake = FakeConfig::new().seed(5).reorder_messages(0.4);
    let (mut pair, _, handle) = with_handle(config, fake, VIDEOROOM);
    let rooms: Vec<u64> = (0..200)
        .map(|i| if i % 2 == 0 { DEMO_ROOM } else { 5000 + i })
        .collect();
    let txns: Vec<_> = rooms
        .iter()
        .map(|room| pair.submit(request(handle, json!({"request": "exists", "room": room}))))
        .collect();
    pair.drive();
    for (txn, room) in txns.iter().zip(&rooms) {
        assert_eq!(pair.completions(*txn), 1);
        let (data, _) = plugin_reply(pair.outcome(*txn));
        assert_eq!(data["room"], *room);
        assert_eq!(data["exists"], *room == DEMO_ROOM);
    }
    let completed: Vec<_> = pair
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Completed { txn, .. } => Some(*txn),
            _ => None,
        })
        .collect();
    assert_ne!(completed, txns, "no inversion happened");
    assert!(pair.server.stats().overtaken > 20);
}

/// §6.2 "`ack` and `event` of the same transaction are unordered", under a burst, with
/// every other fault at once.
#[test]
fn a_burst_of_1000_pipelined_messages_all_complete_exactly_once() {
    let config = Config::new().ordering(Ordering::Pipelined);
    let fake = FakeConfig::new()
        .seed(77)
        .latency(Duration::ZERO..=MS * 5)
        .event_before_ack(0.4)
        .reorder_messages(0.3);
    let (mut pair, _, handle) = with_handle(config, fake, ECHOTEST);
    let txns: Vec<_> = (0..1000).map(|_| pair.submit(echo(handle))).collect();
    pair.drive();
    for txn in &txns {
        assert_eq!(pair.completions(*txn), 1);
        assert_eq!(plugin_reply(pair.outcome(*txn)).0["result"], "ok");
    }
    let stats = pair.server.stats().clone();
    assert!(
        stats.events_before_ack > 300 && stats.overtaken > 200,
        "{stats:?}"
    );
    assert_eq!(
        pair.count_kind("Acked") as u64,
        1000 - stats.events_before_ack
    );
    assert_no_misrouted(&pair);
    assert_eq!(pair.client.pending(), 0);
}

/// §6.2 "Events can be duplicated".
#[test]
fn duplicated_unsolicited_events_are_each_delivered() {
    let fake = FakeConfig::new().duplicate_events(1.0);
    let (mut pair, _, handle) = with_handle(Config::new(), fake, VIDEOROOM);
    pair.request(request(
        handle,
        json!({"request": "join", "ptype": "publisher", "room": DEMO_ROOM}),
    ))
    .unwrap();
    pair.take_events();
    let destroy = pair.submit(request(
        handle,
        json!({"request": "destroy", "room": DEMO_ROOM}),
    ));
    let detach = pair.submit(Command::Detach { handle });
    pair.drive();
    assert_eq!(
        kinds(&pair.events),
        [
            "Completed",
            "Handle.Plugin",
            "Handle.Plugin",
            "Completed",
            "Handle.Detached",
            "Handle.Detached"
        ]
    );
    assert_eq!(pair.completions(destroy), 1);
    assert_eq!(pair.completions(detach), 1);
    assert_eq!(pair.server.stats().duplicated, 2);
    assert_no_misrouted(&pair);
}

// ---------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------

#[test]
fn the_same_seed_gives_the_same_run_frame_for_frame() {
    let run = |seed: u64| {
        let fake = FakeConfig::new()
            .seed(seed)
            .latency(Duration::ZERO..=MS * 30)
            .event_before_ack(0.5)
            .reorder_messages(0.5)
            .duplicate_events(0.3)
            .side_effect_first(0.5);
        let mut pair = Pair::new(Config::new().ordering(Ordering::Pipelined), fake);
        let session = pair.create_session();
        let handles: Vec<_> = (0..3).map(|_| pair.attach(session, ECHOTEST)).collect();
        for h in &handles {
            for _ in 0..10 {
                pair.submit(echo(*h));
            }
            pair.submit(Command::Detach { handle: *h });
        }
        pair.drive();
        pair.advance(secs(60));
        let raw: Vec<RawFrame> = pair
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Completed { outcome: Ok(r), .. } => Some(r.raw.clone()),
                _ => None,
            })
            .collect();
        let sent = transcript(&pair);
        (pair.events, raw, sent)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3).1, run(4).1);
}

#[test]
fn the_client_is_send_and_unwind_safe() {
    fn check<T: Send + std::panic::UnwindSafe>() {}
    check::<janus_proto::Client>();
    check::<Event>();
}

#[test]
fn typed_requests_give_typed_outputs_and_refuse_replies_that_do_not_fit() {
    use janus_proto::request::{self, Request};
    fn typed<R: Request<Command = Command, Reply = Reply>>(
        pair: &mut Pair,
        request: R,
    ) -> Result<R::Output, RequestError> {
        let reply = pair.request(request.into_command())?;
        R::output(reply)
    }
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    let info = typed(&mut pair, request::Info).expect("info");
    assert!(info.plugins.contains_key(ECHOTEST));
    typed(&mut pair, request::Ping).expect("ping");
    let session = typed(&mut pair, request::Create::new()).expect("create");
    let handle = typed(&mut pair, request::Attach::new(session, ECHOTEST)).expect("attach");
    let reply = typed(
        &mut pair,
        request::Message::new(handle, json!({"audio": true})),
    )
    .expect("message");
    assert_eq!(reply.data.plugin, ECHOTEST);
    assert_eq!(reply.value().expect("JSON")["result"], "ok");
    typed(
        &mut pair,
        request::Trickle::new(handle, Trickle::completed()),
    )
    .expect("trickle");
    typed(&mut pair, request::Keepalive(session)).expect("keepalive");
    typed(&mut pair, request::Hangup(handle)).expect("hangup");
    typed(&mut pair, request::Detach(handle)).expect("detach");
    typed(&mut pair, request::Destroy(session)).expect("destroy");
    // A reply of another kind is refused by the request it came for, with its frame.
    let pong = pair.request(Command::Ping).expect("ping");
    match request::Create::output(pong) {
        Err(RequestError::UnexpectedReply(raw)) => assert!(raw.as_str().contains("pong")),
        other => panic!("expected UnexpectedReply, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Event routing: one queue per subscriber, owned by the core
// ---------------------------------------------------------------------------------------

/// A client with session 1 and, once the returned attach reply is fed, handle 2: the frames
/// it sent are taken.
fn client_attaching(config: Config) -> (janus_proto::Client, std::time::Instant, String) {
    let now = janus_proto::testing::start_instant();
    let mut client = janus_proto::Client::new(config, now);
    client.submit(now, Command::create()).unwrap();
    client
        .handle_input(
            now,
            Input::text(r#"{"janus":"success","transaction":"1","data":{"id":1}}"#),
        )
        .unwrap();
    client
        .submit(now, Command::attach(SessionId(1), ECHOTEST))
        .unwrap();
    while client.poll_transmit().is_some() {}
    let attached =
        r#"{"janus":"success","transaction":"2","session_id":1,"data":{"id":2}}"#.to_owned();
    (client, now, attached)
}

fn plugin_event(session: u64, handle: u64, n: usize) -> String {
    format!(
        r#"{{"janus":"event","session_id":{session},"sender":{handle},"plugindata":{{"plugin":"janus.plugin.echotest","data":{{"n":{n}}}}}}}"#
    )
}

#[test]
fn events_right_after_the_attach_reply_wait_in_the_new_handles_queue() {
    use janus_proto::EventTarget;
    let (mut client, now, attached) = client_attaching(Config::new());
    client.subscribe(None); // a driver waits on every target
                            // The attach reply and a burst of its handle's events, all fed before anyone reads.
    client.handle_input(now, Input::text(attached)).unwrap();
    for n in 0..30 {
        client
            .handle_input(now, Input::text(plugin_event(1, 2, n)))
            .unwrap();
    }
    let handle = EventTarget::Handle(HandleId(2));
    assert!(client.is_open(handle));
    // Nothing spilled to the session or the connection.
    assert_eq!(
        client.poll_event_for(EventTarget::Session(SessionId(1))),
        None
    );
    assert_eq!(client.poll_event_for(EventTarget::Connection), None);
    let outcomes: Vec<Event> =
        std::iter::from_fn(|| client.poll_event_for(EventTarget::Outcomes)).collect();
    assert_eq!(kinds(&outcomes), ["Completed", "Completed"]);
    let numbers: Vec<i64> = std::iter::from_fn(|| client.poll_event_for(handle))
        .map(|e| match e {
            Event::Handle {
                event:
                    janus_proto::HandleEvent {
                        kind: HandleEventKind::Plugin { data, .. },
                        ..
                    },
                ..
            } => data.value().unwrap()["n"].as_i64().unwrap(),
            other => panic!("not a plugin event: {other:?}"),
        })
        .collect();
    assert_eq!(
        numbers,
        (0..30).collect::<Vec<i64>>(),
        "all, in order, once"
    );
    let ready: Vec<_> = std::iter::from_fn(|| client.poll_ready()).collect();
    assert!(ready.contains(&handle) && ready.contains(&EventTarget::Outcomes));
}

#[test]
fn reading_by_subscriber_and_reading_everything_may_be_mixed_and_give_each_event_once() {
    use janus_proto::EventTarget;
    let (mut client, now, attached) = client_attaching(Config::new());
    client.handle_input(now, Input::text(attached)).unwrap();
    for n in 0..4 {
        client
            .handle_input(now, Input::text(plugin_event(1, 2, n)))
            .unwrap();
    }
    client
        .handle_input(now, Input::text(r#"{"janus":"timeout","session_id":1}"#))
        .unwrap();
    // Two handle events by subscriber, then the rest in arrival order.
    let handle = EventTarget::Handle(HandleId(2));
    assert_eq!(
        kinds(&[client.poll_event_for(handle).unwrap()]),
        ["Handle.Plugin"]
    );
    assert_eq!(
        kinds(&[client.poll_event_for(handle).unwrap()]),
        ["Handle.Plugin"]
    );
    let rest: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    assert_eq!(
        kinds(&rest),
        [
            "Completed",
            "Completed",
            "Handle.Plugin",
            "Handle.Plugin",
            "Session.Ended"
        ]
    );
    // The session ended and every event of it and its handle was read: their queues are
    // gone, and a trailing event goes to the connection.
    assert!(!client.is_open(handle));
    assert!(!client.is_open(EventTarget::Session(SessionId(1))));
    client
        .handle_input(now, Input::text(plugin_event(1, 2, 9)))
        .unwrap();
    assert_eq!(
        kinds(&[client.poll_event_for(EventTarget::Connection).unwrap()]),
        ["Handle.Plugin"]
    );
}

#[test]
fn each_subscriber_has_its_own_bound_and_a_slow_one_costs_the_others_nothing() {
    use janus_proto::EventTarget;
    let (mut client, now, attached) = client_attaching(Config::new().event_queue_capacity(3));
    client.handle_input(now, Input::text(attached)).unwrap();
    for n in 0..10 {
        client
            .handle_input(now, Input::text(plugin_event(1, 2, n)))
            .unwrap();
    }
    // An unroutable frame for the connection's queue, unaffected by the full handle queue.
    client
        .handle_input(now, Input::text(plugin_event(1, 99, 0)))
        .unwrap();
    // `detached` keeps state: it passes the full queue.
    client
        .handle_input(
            now,
            Input::text(r#"{"janus":"detached","session_id":1,"sender":2}"#),
        )
        .unwrap();
    let handle: Vec<Event> =
        std::iter::from_fn(|| client.poll_event_for(EventTarget::Handle(HandleId(2)))).collect();
    assert_eq!(
        kinds(&handle),
        [
            "Handle.Plugin",
            "Handle.Plugin",
            "Handle.Plugin",
            "Lagged",
            "Handle.Detached"
        ]
    );
    assert_eq!(handle[3], Event::Lagged { dropped: 7 });
    assert_eq!(
        kinds(&[client.poll_event_for(EventTarget::Connection).unwrap()]),
        ["Connection.Unroutable"]
    );
}

#[test]
fn after_our_detach_the_handles_queue_waits_for_janus_detached_notice() {
    use janus_proto::EventTarget;
    let (mut client, now, attached) = client_attaching(Config::new());
    client.handle_input(now, Input::text(attached)).unwrap();
    client
        .submit(
            now,
            Command::Detach {
                handle: HandleId(2),
            },
        )
        .unwrap();
    client
        .handle_input(
            now,
            Input::text(r#"{"janus":"success","transaction":"3","session_id":1}"#),
        )
        .unwrap();
    let handle = EventTarget::Handle(HandleId(2));
    assert_eq!(client.session_of(HandleId(2)), None, "ended here");
    assert!(client.is_open(handle), "its queue waits for the notice");
    client
        .handle_input(
            now,
            Input::text(r#"{"janus":"detached","session_id":1,"sender":2}"#),
        )
        .unwrap();
    assert_eq!(
        kinds(&[client.poll_event_for(handle).unwrap()]),
        ["Handle.Detached"]
    );
    assert!(!client.is_open(handle), "read to its end");
}

#[test]
fn the_echotest_model_is_a_typed_request_like_any_other() {
    use janus_proto::plugins::echotest::{Configure, EchoTest, PACKAGE};
    use janus_proto::plugins::{OnHandle, PluginHandle};
    use janus_proto::request::Request;
    let (mut pair, _session, handle) = with_handle(Config::new(), FakeConfig::new(), ECHOTEST);
    let handle = PluginHandle::<EchoTest>::new(handle);
    let configure = handle.request(Configure::builder().audio(true).jsep(offer()).build());
    let reply = pair.request(configure.into_command()).expect("configure");
    let accepted = OnHandle::<Configure>::output(reply).expect("typed");
    assert_eq!(accepted.value.result, "ok");
    assert_eq!(accepted.data.plugin, PACKAGE);
    assert_eq!(
        accepted.jsep.map(|j| j.kind),
        Some(JsepType::Answer),
        "the answer to the offer"
    );
    // A reply that is not the EchoTest's is not a Configure outcome.
    let (mut pair, _session, videoroom) = with_handle(Config::new(), FakeConfig::new(), VIDEOROOM);
    let other = pair
        .request(request(videoroom, json!({"request": "list"})))
        .expect("list");
    assert!(matches!(
        OnHandle::<Configure>::output(other),
        Err(RequestError::UnexpectedReply(_))
    ));
}
