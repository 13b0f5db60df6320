//! SIP: every request that needs neither a PeerConnection nor a SIP peer's answer, on both
//! versions. The SIP peers are UDP sockets of the test that never answer (so no SIP
//! transaction ends while a scenario runs), or a closed loopback port.
//!
//! - `registration`: unregister before any register, register as a guest (answered
//!   `registered` at once, no REGISTER sent), register the guest again (answered the same:
//!   a guest is not registered for the plugin), unregister a guest (`WrongState`), a helper
//!   of the guest (registered with the master's id) and its unregister (answered
//!   `unregistering`), register without a secret, with an address that does not parse, as a
//!   helper of no master; an account with credentials and `send_register: false` (answered
//!   `registered`, nothing sent) and its unregister (`WrongState`).
//! - `registrar_unreachable`: register with a registrar on a closed loopback port: answered
//!   `registering`, then the `registration_failed` event; a guest's subscribe and
//!   out-of-dialog message to that port: answered `subscribing` and `messagesent`, then the
//!   `subscribe_failed` and `messagedelivery` events.
//! - `out_of_call`: as a guest, with no call: call before registering, call without an SDP,
//!   call an address that does not parse; message, info and dtmf_info in no call (the
//!   plugin's error without a code), a message out of dialog (answered `messagesent`),
//!   accept and update in no call and decline of a transfer nobody made (`WrongState`),
//!   recording and transfer in no call (the error without a code), subscribe (answered
//!   `subscribing`), unsubscribe of it (answered `unsubscribing`) and of an event nobody
//!   subscribed to, reset (answered `reset`).
//! - `janus_1_4_requests`: on 1.4.1 progress and send_ringing with no incoming call,
//!   keyframe and rtp_forward with no call (send_ringing and keyframe: the error without a
//!   code), stop_rtp_forward of no forwarder, listforwarders (empty); on 1.1.2 each is the
//!   typed "unknown request".
//!
//! Left for the media tests (they need a WebRTC peer's SDP and a SIP peer): `call` with an
//! offer and what follows it (`calling`, `proceeding`, `ringing`, `progress`, `accepted`,
//! `hangup`), `accept` / `progress` / `decline` / `send_ringing` of an incoming call, `update`,
//! `hold` / `unhold`, `transfer`, `info`, `dtmf_info`, `keyframe`, `recording`, in-dialog
//! `message`, and `rtp_forward` in a call (with `listforwarders` / `stop_rtp_forward` of its
//! forwarders). In no call the plugin drops `hold`, `unhold`, `hangup`, and `decline`
//! without a `refer_id`, without answering them: they are not sent here.

use std::fmt::Debug;
use std::net::UdpSocket;

use janus_proto::plugins::sip::{
    Accept, Call, Decline, DtmfInfo, ErrorCode, Event, ForwardStream, ForwardType, Info, Keyframe,
    ListForwarders, Message, Progress, Recording, RecordingAction, Register, RegisterType,
    Registration, Reset, RtpForward, SendRinging, Sip, StopRtpForward, Subscribe, Transfer,
    Unregister, Unsubscribe, Update,
};
use janus_proto::plugins::{Plugin, PluginHandle, PluginRequest, Typed};
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;

use super::Setup;

every_driver_and_version!(
    registration,
    registrar_unreachable,
    out_of_call,
    janus_1_4_requests
);

/// Sends `request` on `handle`, recording it.
fn call<D, M>(
    s: &mut Setup<D, Sip>,
    handle: PluginHandle<Sip>,
    request: M,
) -> Result<Typed<M::Response>, Error>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = Sip> + Debug + 'static,
    M::Response: Send + 'static,
{
    s.recorder.call(&mut s.conn, handle, request)
}

/// Sends `request` on `handle`, recording it, and returns its typed outcome.
fn ok<D, M>(s: &mut Setup<D, Sip>, handle: PluginHandle<Sip>, request: M) -> M::Response
where
    D: JanusDriver,
    M: PluginRequest<Plugin = Sip> + Debug + 'static,
    M::Response: Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Ok(typed) => typed.value,
        Err(e) => panic!("{}: {shown}: {e:?}", D::NAME),
    }
}

/// Sends `request` on `handle`, recording it, and returns the typed code it fails with.
fn fails<D, M>(s: &mut Setup<D, Sip>, handle: PluginHandle<Sip>, request: M) -> ErrorCode
where
    D: JanusDriver,
    M: PluginRequest<Plugin = Sip> + Debug + 'static,
    M::Response: Debug + Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Err(Error::Request(e)) => Sip::request_error(&e)
            .unwrap_or_else(|| panic!("{}: {shown}: not a SIP error: {e:?}", D::NAME)),
        other => panic!(
            "{}: {shown}: expected a plugin error, got {other:?}",
            D::NAME
        ),
    }
}

/// A SIP peer that never answers: a UDP socket of the test, and a URI at it.
struct SilentPeer {
    _socket: UdpSocket,
    port: u16,
}

impl SilentPeer {
    fn new() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let port = socket.local_addr().expect("local address").port();
        SilentPeer {
            _socket: socket,
            port,
        }
    }

    /// A URI of `user` at this peer.
    fn uri(&self, user: &str) -> String {
        format!("sip:{user}@127.0.0.1:{}", self.port)
    }
}

/// A unique SIP user name.
fn user(prefix: &str) -> String {
    format!("{prefix}{}", unique_id())
}

/// Registers `handle` as a guest with `uri`, and returns the `registered` answer.
fn register_guest<D: JanusDriver>(
    s: &mut Setup<D, Sip>,
    handle: PluginHandle<Sip>,
    uri: &str,
) -> janus_proto::plugins::sip::Registered {
    let answer = ok(
        s,
        handle,
        Register::builder()
            .kind(RegisterType::Guest)
            .username(uri)
            .display_name("Guest")
            .build(),
    );
    match answer.result {
        Registration::Registered(registered) => registered,
        other => panic!("{}: a guest is registered at once: {other:?}", D::NAME),
    }
}

fn registration<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Sip>::new(version, "registration");
    let guest = s.handle;
    let peer = SilentPeer::new();
    let name = user("guest");
    let uri = peer.uri(&name);

    // Nothing to unregister yet.
    let early = fails(&mut s, guest, Unregister::builder().build());
    assert_eq!(early, ErrorCode::WrongState);

    // A guest: `registered` at once, no REGISTER sent, a master id for helpers.
    let registered = register_guest(&mut s, guest, &uri);
    assert_eq!(registered.username, name);
    assert!(!registered.register_sent);
    let master_id = registered.master_id.expect("a master id");
    assert_ne!(master_id, 0);
    assert_eq!(registered.helper, None);
    assert_eq!(
        registered.unique_id.is_some(),
        version == JanusVersion::V1_4_1,
        "{registered:?}"
    );

    // A guest is not "registered" for the plugin: it may register again (no
    // `AlreadyRegistered`, which needs a registrar), keeping its master id, and cannot
    // unregister.
    let again = register_guest(&mut s, guest, &uri);
    assert_eq!(again.username, name);
    assert_eq!(again.master_id, Some(master_id));
    let not_registered = fails(&mut s, guest, Unregister::builder().build());
    assert_eq!(not_registered, ErrorCode::WrongState);

    // A helper of the guest, on a second handle: registered with the master's id; its
    // unregister only ends the association.
    let helper = s.conn.attach_plugin::<Sip>(s.session).expect("attach");
    let answer = ok(
        &mut s,
        helper,
        Register::builder()
            .kind(RegisterType::Helper)
            .master_id(master_id)
            .username(&uri)
            .build(),
    );
    let Registration::Registered(helped) = answer.result else {
        panic!("{}: a helper is registered at once: {answer:?}", D::NAME);
    };
    assert_eq!(helped.username, name);
    assert!(!helped.register_sent);
    assert_eq!(helped.master_id, Some(master_id));
    assert_eq!(helped.helper, Some(true));
    ok(&mut s, helper, Unregister::builder().build());

    // Register errors, on a fresh handle: no secret for a real account, an address that
    // does not parse, a helper of no master.
    let other = s.conn.attach_plugin::<Sip>(s.session).expect("attach");
    let no_secret = fails(
        &mut s,
        other,
        Register::builder()
            .username(peer.uri(&user("nosecret")))
            .build(),
    );
    assert_eq!(no_secret, ErrorCode::MissingElement);
    let bad_uri = fails(
        &mut s,
        other,
        Register::builder()
            .kind(RegisterType::Guest)
            .username("not a sip uri")
            .build(),
    );
    assert_eq!(bad_uri, ErrorCode::InvalidAddress);
    let no_master = fails(
        &mut s,
        other,
        Register::builder()
            .kind(RegisterType::Helper)
            .master_id(master_id.wrapping_add(1))
            .username(&uri)
            .build(),
    );
    assert_eq!(no_master, ErrorCode::HelperError);

    // An account with credentials and `send_register: false`: registered at once like a
    // guest, with nothing sent; a REGISTER-less account cannot unregister either.
    let account = user("carol");
    let answer = ok(
        &mut s,
        other,
        Register::builder()
            .username(peer.uri(&account))
            .secret("secret")
            .authuser(&account)
            .display_name("Carol")
            .user_agent("janus-tests")
            .send_register(false)
            .force_udp(true)
            .incoming_header_prefixes(vec!["X-".to_owned()])
            .headers(std::collections::BTreeMap::from([(
                "X-Test".to_owned(),
                "1".to_owned(),
            )]))
            .build(),
    );
    let Registration::Registered(carol) = answer.result else {
        panic!("{}: no REGISTER to wait for: {answer:?}", D::NAME);
    };
    assert_eq!(carol.username, account);
    assert!(!carol.register_sent);
    let not_registered = fails(&mut s, other, Unregister::builder().build());
    assert_eq!(not_registered, ErrorCode::WrongState);
    s.finish();
}

fn registrar_unreachable<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Sip>::new(version, "registrar_unreachable");
    let handle = s.handle;
    // A loopback port nobody listens on: the REGISTER fails on the transport at once.
    let closed = UdpSocket::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("local address")
        .port();
    let name = user("alice");
    let answer = ok(
        &mut s,
        handle,
        Register::builder()
            .username(format!("sip:{name}@127.0.0.1:{closed}"))
            .secret("secret")
            .proxy(format!("sip:127.0.0.1:{closed}"))
            .register_ttl(60)
            .build(),
    );
    let Registration::Registering(_) = answer.result else {
        panic!("{}: a REGISTER went out: {answer:?}", D::NAME);
    };
    let failed = s.wait_event(handle, |event| match event {
        Event::RegistrationFailed(failed) => Some(failed.clone()),
        _ => None,
    });
    assert!(failed.result.code >= 400, "{failed:?}");
    assert!(!failed.result.reason.is_empty(), "{failed:?}");

    // A guest on another handle: a SUBSCRIBE and an out-of-dialog MESSAGE to the closed
    // port are answered at once, and fail on the transport: `subscribe_failed` and
    // `messagedelivery` with the error code.
    let guest = s.conn.attach_plugin::<Sip>(s.session).expect("attach");
    register_guest(
        &mut s,
        guest,
        &format!("sip:{}@127.0.0.1:{closed}", user("guest")),
    );
    let target = format!("sip:{}@127.0.0.1:{closed}", user("bob"));
    let sub_id = format!("subscribe-{}", unique_id());
    let subscribing = ok(
        &mut s,
        guest,
        Subscribe::builder()
            .event("message-summary")
            .to(&target)
            .call_id(&sub_id)
            .build(),
    );
    assert_eq!(subscribing.result.call_id.as_deref(), Some(sub_id.as_str()));
    let failed = s.wait_event(guest, |event| match event {
        Event::SubscribeFailed(failed) => Some(failed.clone()),
        _ => None,
    });
    assert!(failed.result.code >= 400, "{failed:?}");
    assert!(!failed.result.reason.is_empty(), "{failed:?}");
    let message_id = format!("message-{}", unique_id());
    let sent = ok(
        &mut s,
        guest,
        Message::builder()
            .content("hello")
            .uri(&target)
            .call_id(&message_id)
            .build(),
    );
    assert_eq!(sent.result.call_id, message_id);
    let delivery = s.wait_event(guest, |event| match event {
        Event::MessageDelivery(delivery) => Some(delivery.clone()),
        _ => None,
    });
    assert_eq!(delivery.call_id.as_deref(), Some(message_id.as_str()));
    assert!(delivery.result.code >= 400, "{delivery:?}");
    s.finish();
}

fn out_of_call<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Sip>::new(version, "out_of_call");
    let handle = s.handle;
    let peer = SilentPeer::new();
    let callee = peer.uri(&user("bob"));

    // Calling before registering.
    let early = fails(&mut s, handle, Call::builder().uri(&callee).build());
    assert_eq!(early, ErrorCode::WrongState);

    register_guest(&mut s, handle, &peer.uri(&user("guest")));

    // A call needs an address that parses, and the WebRTC peer's offer.
    let bad_uri = fails(&mut s, handle, Call::builder().uri("not a sip uri").build());
    assert_eq!(bad_uri, ErrorCode::InvalidAddress);
    let no_sdp = fails(&mut s, handle, Call::builder().uri(&callee).build());
    assert_eq!(no_sdp, ErrorCode::MissingSdp);

    // In no call, these fail with the plugin's error that has no code (0).
    let no_code = ErrorCode::Unspecified;
    let message = fails(&mut s, handle, Message::builder().content("hello").build());
    assert_eq!(message, no_code);
    let info = fails(
        &mut s,
        handle,
        Info::builder()
            .content_type("text/plain")
            .content("hello")
            .build(),
    );
    assert_eq!(info, no_code);
    let dtmf = fails(&mut s, handle, DtmfInfo::builder().digit('5').build());
    assert_eq!(dtmf, no_code);

    // A message out of dialog needs no call: answered `messagesent` with its Call-ID.
    let call_id = format!("message-{}", unique_id());
    let sent = ok(
        &mut s,
        handle,
        Message::builder()
            .content("hello")
            .content_type("text/plain")
            .uri(&callee)
            .call_id(&call_id)
            .build(),
    );
    assert_eq!(sent.result.call_id, call_id);

    // The call requests in no call: wrong state, or the error without a code. (hold,
    // unhold, hangup, and decline without a `refer_id` get no answer at all in no call.)
    for code in [
        fails(&mut s, handle, Accept::builder().build()),
        fails(&mut s, handle, Update::builder().build()),
        fails(&mut s, handle, Decline::builder().refer_id(12345).build()),
    ] {
        assert_eq!(code, ErrorCode::WrongState);
    }
    for code in [
        fails(
            &mut s,
            handle,
            Recording::builder()
                .action(RecordingAction::Start)
                .audio(true)
                .build(),
        ),
        fails(&mut s, handle, Transfer::builder().uri(&callee).build()),
    ] {
        assert_eq!(code, no_code);
    }

    // A subscription needs no call: answered `subscribing` (with the Call-ID asked for),
    // then `unsubscribing`; an event package nobody subscribed to is a wrong state.
    let sub_id = format!("subscribe-{}", unique_id());
    let subscribing = ok(
        &mut s,
        handle,
        Subscribe::builder()
            .event("message-summary")
            .to(&callee)
            .call_id(&sub_id)
            .subscribe_ttl(60)
            .build(),
    );
    assert_eq!(subscribing.result.call_id.as_deref(), Some(sub_id.as_str()));
    ok(
        &mut s,
        handle,
        Unsubscribe::builder()
            .event("message-summary")
            .to(&callee)
            .build(),
    );
    let unsubscribed = fails(
        &mut s,
        handle,
        Unsubscribe::builder().event("presence").build(),
    );
    assert_eq!(unsubscribed, ErrorCode::WrongState);

    // reset: clears the call flags.
    ok(&mut s, handle, Reset::builder().build());
    s.finish();
}

fn janus_1_4_requests<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Sip>::new(version, "janus_1_4_requests");
    let handle = s.handle;
    let peer = SilentPeer::new();
    register_guest(&mut s, handle, &peer.uri(&user("guest")));
    let target = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let streams = vec![ForwardStream::builder()
        .kind(ForwardType::PeerAudio)
        .host("127.0.0.1")
        .port(target.local_addr().expect("local address").port())
        .build()];

    if version == JanusVersion::V1_1_2 {
        for code in [
            fails(&mut s, handle, Progress::builder().build()),
            fails(&mut s, handle, SendRinging::builder().build()),
            fails(&mut s, handle, Keyframe::builder().user(true).build()),
            fails(
                &mut s,
                handle,
                RtpForward::builder().streams(streams).build(),
            ),
            fails(
                &mut s,
                handle,
                StopRtpForward::builder().stream_id(1).build(),
            ),
            fails(&mut s, handle, ListForwarders::builder().build()),
        ] {
            assert_eq!(code, ErrorCode::InvalidRequest);
        }
        s.finish();
        return;
    }

    let no_code = ErrorCode::Unspecified;
    let progress = fails(&mut s, handle, Progress::builder().build());
    assert_eq!(progress, ErrorCode::WrongState);
    let ringing = fails(&mut s, handle, SendRinging::builder().build());
    assert_eq!(ringing, no_code);
    let keyframe = fails(&mut s, handle, Keyframe::builder().user(true).build());
    assert_eq!(keyframe, no_code);
    let forward = fails(
        &mut s,
        handle,
        RtpForward::builder().streams(streams).build(),
    );
    assert_eq!(forward, ErrorCode::WrongState);
    let stop = fails(
        &mut s,
        handle,
        StopRtpForward::builder().stream_id(1).build(),
    );
    assert_eq!(stop, ErrorCode::NoSuchStream);
    let listed = ok(&mut s, handle, ListForwarders::builder().build());
    assert!(listed.result.rtp_forwarders.is_empty(), "{listed:?}");
    s.finish();
}
