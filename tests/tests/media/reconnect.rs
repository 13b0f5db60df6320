//! Issue 11 with media: an echotest call through a cut of its signalling connection, through
//! both drivers.
//!
//! Janus runs in the namespace with `reclaim_session_timeout` 20, so it keeps the session
//! (and the call) when its WebSocket goes. The signalling goes through a
//! [`FaultProxy`] in the root namespace, in front of Janus's API; the media goes straight
//! between the peer and Janus over the veth, not through the proxy. The proxy cuts the
//! connection and refuses new ones until the peer has had 50 more packets echoed, so the gap
//! is known to last that long; then the client's reconnect gets through and claims the
//! session with its handle. Audio is echoed before the cut, during the gap and after it;
//! `hangup` on the same handle ends the call with its event, and the media stops.

use std::time::{Duration, Instant};

use janus_blocking::{ConnectionEvent, Event, SessionState};
use janus_proto::Reconnect;
use janus_tests::drivers::Options;
use janus_tests::echotest::STEP;
use janus_tests::faults::FaultProxy;
use janus_tests::peer::CandidateMode;
use janus_tests::JanusServer;

use super::{call_up, hang_up, netns_or_skip, signalling, Transport};

/// Packets echoed in each phase: before the cut, during the gap, after the reconnect.
const PHASE: u64 = 50;
/// Audio queued at the start: more than the three phases take, so that frames are still
/// being sent when the call is hung up.
const QUEUED: u32 = 1000;

fn echotest_through_a_signalling_cut(test: &str, transport: Transport) {
    let Some(ns) = netns_or_skip(test) else {
        return;
    };
    let janus = JanusServer::start(ns.janus_options().reclaim_session_timeout(20).name(test))
        .expect("starting Janus in the namespace");
    // In the root namespace, in front of the namespaced Janus's API.
    let proxy = FaultProxy::start(janus.ws_url()).expect("starting the proxy");
    let policy = Reconnect::new()
        .first_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(200))
        .give_up_after(STEP);
    let options = Options::new().request_timeout(STEP).reconnect(policy);
    let conn = signalling(transport, &proxy.url(), &options);
    let (session, handle) = conn.ids();
    let (mut call, _, _) = call_up(conn, &ns, CandidateMode::InSdp, false);

    call.peer.send_audio(QUEUED);
    call.pump("audio echoed before the cut", |_, peer| {
        peer.stats().rtp_received >= PHASE
    });
    let before_cut = call.peer.stats().rtp_received;

    proxy.refuse(true);
    proxy.cut();
    let disconnected = call.wait_event("Disconnected", |e| {
        matches!(e, Event::Connection(ConnectionEvent::Disconnected { .. }))
    });
    let at_disconnect = call.peer.stats().rtp_received;
    call.pump("audio echoed while the signalling is down", |_, peer| {
        peer.stats().rtp_received >= at_disconnect + PHASE
    });
    let in_gap = call.peer.stats().rtp_received - at_disconnect;
    // The gap so far: no reconnect could get through the proxy.
    let early: Vec<&Event> = call
        .seen
        .inbox
        .iter()
        .filter(|e| matches!(e, Event::Connection(ConnectionEvent::Reconnected { .. })))
        .collect();
    assert!(
        early.is_empty(),
        "reconnected through a refusing proxy: {early:?}"
    );
    proxy.refuse(false);

    let reconnected = call.wait_event("Reconnected", |e| {
        matches!(e, Event::Connection(ConnectionEvent::Reconnected { .. }))
    });
    let Event::Connection(ConnectionEvent::Reconnected {
        claimed,
        lost,
        down_for,
    }) = reconnected
    else {
        unreachable!("matched above")
    };
    assert_eq!(claimed, [session], "the session is claimed");
    assert!(lost.is_empty(), "nothing lost: {lost:?}");
    let attempts = call
        .seen
        .inbox
        .iter()
        .filter_map(|e| match e {
            Event::Connection(ConnectionEvent::Reconnecting { attempt, .. }) => Some(*attempt),
            _ => None,
        })
        .max()
        .expect("Reconnecting events before Reconnected");
    assert!(
        attempts >= 2,
        "the refused dials were attempts too: {attempts}"
    );
    // The same ids: the client files the handle under the session, which is live again.
    assert_eq!(call.conn.ids(), (session, handle));
    assert_eq!(call.conn.session_state(), Some(SessionState::Active));
    assert_eq!(call.conn.session_of_handle(), Some(session));

    let at_reconnect = call.peer.stats().rtp_received;
    call.pump("audio echoed after the reconnect", |_, peer| {
        peer.stats().rtp_received >= at_reconnect + PHASE
    });
    let after = call.peer.stats().rtp_received - at_reconnect;

    // `hangup` on the same handle: success, its event, the echotest's done, DTLS closed.
    assert!(call.peer.audio_pending() > 0, "audio is still being sent");
    let reason = hang_up(&mut call);
    assert_eq!(reason.as_deref(), Some("Janus API"));
    // The media stops: nothing more comes back.
    let at_hangup = call.peer.stats().rtp_received;
    let settle = Instant::now() + Duration::from_millis(500);
    call.pump("settling", |_, _| Instant::now() >= settle);
    assert_eq!(
        call.peer.stats().rtp_received,
        at_hangup,
        "audio after the hangup"
    );
    call.conn.destroy();

    println!(
        "{test}: audio echoed: {before_cut} before the cut, {in_gap} while the signalling was \
         down ({disconnected:?}), {after} after the reconnect ({attempts} attempts, down for \
         {down_for:?}); session {session} and handle {handle} claimed; hangup reason \
         {reason:?}; nothing echoed after it"
    );
    drop(call);
    drop(proxy);
    drop(janus);
    drop(ns);
}

/// Through janus-blocking: the caller's thread drives the connection (and its reconnect)
/// between the peer's ticks.
#[test]
fn echotest_media_through_a_signalling_cut_blocking() {
    echotest_through_a_signalling_cut("echotest_cut_blocking", Transport::Blocking);
}

/// Through janus-transport-ws: its driver thread reconnects on its own.
#[test]
fn echotest_media_through_a_signalling_cut_async() {
    echotest_through_a_signalling_cut("echotest_cut_async", Transport::Async);
}
