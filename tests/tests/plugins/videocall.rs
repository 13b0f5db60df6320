//! VideoCall: every request that needs no PeerConnection, on both versions.
//!
//! - `users_and_errors`: list, register two users on two handles (their `registered`
//!   answers), list shows both, a taken username, a second username on a registered handle, a
//!   register without a username, call before registering, call without an SDP, call
//!   yourself, call a username nobody has, accept with no incoming call, set (with its `set`
//!   answer) and a set with a bad substream, hangup with no call (answered `hangup`, not an
//!   error), and list without the users once their handles are detached.
//!
//! Left for the media tests (they need a negotiated PeerConnection): `call` with an SDP offer
//! (`calling`, `incomingcall`), `accept` with an answer (`accepted`), `set` with an SDP
//! (`update`), `hangup` of a live call, the busy answer to a call, and the `simulcast` and
//! `slow_link` events.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use janus_proto::plugins::videocall::{
    Accept, Call, ErrorCode, Hangup, List, Register, Set, VideoCall,
};
use janus_proto::plugins::{Plugin, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Detach;
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;

use super::Setup;

every_driver_and_version!(users_and_errors);

/// Sends `request` on `handle`, recording it.
fn call<D, M>(
    s: &mut Setup<D, VideoCall>,
    handle: PluginHandle<VideoCall>,
    request: M,
) -> Result<Typed<M::Response>, Error>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = VideoCall> + Debug + 'static,
    M::Response: Send + 'static,
{
    s.recorder.call(&mut s.conn, handle, request)
}

/// Sends `request` on `handle`, recording it, and returns its typed outcome.
fn ok<D, M>(s: &mut Setup<D, VideoCall>, handle: PluginHandle<VideoCall>, request: M) -> M::Response
where
    D: JanusDriver,
    M: PluginRequest<Plugin = VideoCall> + Debug + 'static,
    M::Response: Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Ok(typed) => typed.value,
        Err(e) => panic!("{}: {shown}: {e:?}", D::NAME),
    }
}

/// Sends `request` on `handle`, recording it, and returns the typed code it fails with.
fn fails<D, M>(
    s: &mut Setup<D, VideoCall>,
    handle: PluginHandle<VideoCall>,
    request: M,
) -> ErrorCode
where
    D: JanusDriver,
    M: PluginRequest<Plugin = VideoCall> + Debug + 'static,
    M::Response: Debug + Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Err(Error::Request(e)) => VideoCall::request_error(&e)
            .unwrap_or_else(|| panic!("{}: {shown}: not a VideoCall error: {e:?}", D::NAME)),
        other => panic!(
            "{}: {shown}: expected a plugin error, got {other:?}",
            D::NAME
        ),
    }
}

/// The usernames registered in the plugin (every session's, the shared server's included).
fn listed<D: JanusDriver>(s: &mut Setup<D, VideoCall>) -> Vec<String> {
    let handle = s.handle;
    ok(s, handle, List::builder().build()).result.list
}

fn users_and_errors<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, VideoCall>::new(version, "users_and_errors");
    let alice = s.handle;
    let bob = s
        .conn
        .attach_plugin::<VideoCall>(s.session)
        .expect("attach");
    let alice_name = format!("alice-{}", unique_id());
    let bob_name = format!("bob-{}", unique_id());

    let before = listed(&mut s);
    assert!(!before.contains(&alice_name), "{before:?}");

    // Calling before registering.
    let early = fails(&mut s, alice, Call::builder().username(&bob_name).build());
    assert_eq!(early, ErrorCode::RegisterFirst);

    // Two users on two handles, each answered `registered` with its name.
    let registered = ok(
        &mut s,
        alice,
        Register::builder().username(&alice_name).build(),
    );
    assert_eq!(registered.result.username, alice_name);
    let registered = ok(&mut s, bob, Register::builder().username(&bob_name).build());
    assert_eq!(registered.result.username, bob_name);
    let now = listed(&mut s);
    assert!(now.contains(&alice_name), "{now:?}");
    assert!(now.contains(&bob_name), "{now:?}");

    // Registration errors: a taken name (on a fresh handle), a second name on a registered
    // handle, a register without a username.
    let carol = s
        .conn
        .attach_plugin::<VideoCall>(s.session)
        .expect("attach");
    let taken = fails(
        &mut s,
        carol,
        Register::builder().username(&alice_name).build(),
    );
    assert_eq!(taken, ErrorCode::UsernameTaken);
    let second = fails(
        &mut s,
        alice,
        Register::builder()
            .username(format!("again-{}", unique_id()))
            .build(),
    );
    assert_eq!(second, ErrorCode::AlreadyRegistered);
    let missing = s
        .conn
        .call(janus_proto::request::Message::new(
            carol.id(),
            serde_json::json!({"request": "register"}),
        ))
        .expect_err("a register without a username");
    let Error::Request(missing) = missing else {
        panic!("{missing:?}");
    };
    assert_eq!(
        VideoCall::request_error(&missing),
        Some(ErrorCode::MissingElement)
    );

    // Call errors: no SDP, yourself, a username nobody has.
    let no_sdp = fails(&mut s, alice, Call::builder().username(&bob_name).build());
    assert_eq!(no_sdp, ErrorCode::MissingSdp);
    let yourself = fails(&mut s, alice, Call::builder().username(&alice_name).build());
    assert_eq!(yourself, ErrorCode::UseEchoTest);
    let nobody = fails(
        &mut s,
        alice,
        Call::builder()
            .username(format!("nobody-{}", unique_id()))
            .build(),
    );
    assert_eq!(nobody, ErrorCode::NoSuchUsername);

    // Accept with no incoming call.
    let no_call = fails(&mut s, bob, Accept::builder().build());
    assert_eq!(no_call, ErrorCode::NoCall);

    // Set: audio, video and bitrate (no PeerConnection needed), answered `set`; a bad
    // substream is refused.
    let set = ok(
        &mut s,
        alice,
        Set::builder()
            .audio(true)
            .video(false)
            .bitrate(256_000)
            .build(),
    );
    assert_eq!(
        serde_json::to_value(&set).expect("encodes"),
        serde_json::json!({"videocall": "event", "result": {"event": "set"}})
    );
    let bad = fails(&mut s, alice, Set::builder().substream(3).build());
    assert_eq!(bad, ErrorCode::InvalidElement);

    // Hangup with no call: the plugin answers `hangup` anyway (it only logs "No call to
    // hangup"), with the handle's username and the fixed reason.
    let hung_up = ok(
        &mut s,
        bob,
        Hangup::builder().reason("not in a call").build(),
    );
    assert_eq!(hung_up.result.username.as_deref(), Some(bob_name.as_str()));
    assert_eq!(hung_up.result.reason, "Explicit hangup");

    // The users leave the list with their handles (not at once on 1.1.2, whose plugin may
    // still list a detached handle's name for a moment: wait for it, unrecorded).
    s.conn.call(Detach(alice.id())).expect("detach");
    s.conn.call(Detach(bob.id())).expect("detach");
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let list = s
            .conn
            .plugin_call(carol, List::builder().build())
            .expect("list")
            .value
            .result
            .list;
        if !list.contains(&alice_name) && !list.contains(&bob_name) {
            break;
        }
        assert!(
            Instant::now() < until,
            "{}: still listed: {list:?}",
            D::NAME
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = listed_on(&mut s, carol);
    assert!(!after.contains(&alice_name), "{after:?}");
    assert!(!after.contains(&bob_name), "{after:?}");
    s.finish();
}

/// [`listed`] through another handle.
fn listed_on<D: JanusDriver>(
    s: &mut Setup<D, VideoCall>,
    handle: PluginHandle<VideoCall>,
) -> Vec<String> {
    ok(s, handle, List::builder().build()).result.list
}
