use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::command::Command;
use crate::error::{PluginError, RequestError};
use crate::event::{Reply, ReplyKind};
use crate::ids::HandleId;
use crate::plugins::{OnHandle, PluginHandle, PluginRequest, Typed};
use crate::request::Request;
use crate::wire::{Jsep, JsepType, RawFrame, ServerMessage};

/// The plugin data (and SDP) of an event frame of `plugin` carrying `data`.
fn frame(plugin: &str, data: &Value, jsep: Option<&Value>) -> (PluginData, Option<Jsep>, String) {
    let mut frame = json!({
        "janus": "event", "session_id": 1, "sender": 2, "transaction": "t1",
        "plugindata": {"plugin": plugin, "data": data}
    });
    if let Some(jsep) = jsep {
        frame["jsep"] = jsep.clone();
    }
    let text = frame.to_string();
    match ServerMessage::decode(text.as_bytes()) {
        Ok(ServerMessage::Event {
            plugindata, jsep, ..
        }) => (plugindata, jsep, text),
        other => panic!("not an event: {other:?}"),
    }
}

fn plugin_data(data: &Value) -> PluginData {
    frame(PACKAGE, data, None).0
}

/// The body and SDP `request` is sent with; the body decodes back into `request`.
fn sent<M>(request: M) -> (Value, Option<Jsep>)
where
    M: PluginRequest<Plugin = Sip> + DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
{
    let Command::Message { handle, body, jsep } = PluginHandle::<Sip>::new(HandleId(3))
        .request(request.clone())
        .into_command()
    else {
        panic!("a message");
    };
    assert_eq!(handle, HandleId(3));
    let back: M = serde_json::from_value(body.clone()).expect("the body decodes back");
    let mut expected = request;
    let _ = expected.take_jsep();
    assert_eq!(back, expected);
    (body, jsep)
}

/// The outcome of request `M` when the plugin answers `data` (with `jsep`); the typed value
/// encodes back to `data`.
fn outcome<M>(data: Value, jsep: Option<Value>) -> Typed<M::Response>
where
    M: PluginRequest<Plugin = Sip>,
    M::Response: Serialize,
{
    let typed = reply::<M>(&data, jsep.as_ref()).expect("a typed outcome");
    assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data));
    typed
}

fn reply<M: PluginRequest<Plugin = Sip>>(
    data: &Value,
    jsep: Option<&Value>,
) -> Result<Typed<M::Response>, RequestError> {
    let (data, jsep, text) = frame(PACKAGE, data, jsep);
    OnHandle::<M>::output(Reply {
        kind: ReplyKind::Plugin { data, jsep },
        raw: RawFrame::new(Bytes::from(text)),
    })
}

/// The typed view of event `data`, which encodes back to `data`.
fn event(data: Value) -> Event {
    let typed = Event::from_data(&plugin_data(&data));
    assert_ne!(typed, Event::Other, "{data}");
    assert_eq!(serde_json::to_value(&typed).ok(), Some(data));
    typed
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const OFFER: &str =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

#[test]
fn register_sends_every_field_and_decodes_back() {
    let register = Register::builder()
        .kind(RegisterType::Helper)
        .send_register(false)
        .force_udp(false)
        .force_tcp(true)
        .sips(true)
        .rfc2543_cancel(true)
        .automatic_ringing(false)
        .username("sip:alice@example.com")
        .ha1_secret("0123abcd")
        .authuser("alice-auth")
        .display_name("Alice")
        .user_agent("janus-rs")
        .proxy("sip:example.com")
        .outbound_proxy("sip:edge.example.com;transport=tcp")
        .headers(headers(&[("X-Tenant", "blue")]))
        .contact_params(headers(&[("pn-provider", "acme")]))
        .master_id(3_141_592)
        .refresh(true)
        .incoming_header_prefixes(vec!["X-".to_owned(), "P-".to_owned()])
        .register_ttl(600)
        .build();
    let (body, jsep) = sent(register);
    assert_eq!(
        body,
        json!({
            "request": "register", "type": "helper", "send_register": false,
            "force_udp": false, "force_tcp": true, "sips": true, "rfc2543_cancel": true,
            "automatic_ringing": false, "username": "sip:alice@example.com",
            "ha1_secret": "0123abcd", "authuser": "alice-auth", "display_name": "Alice",
            "user_agent": "janus-rs", "proxy": "sip:example.com",
            "outbound_proxy": "sip:edge.example.com;transport=tcp",
            "headers": {"X-Tenant": "blue"}, "contact_params": {"pn-provider": "acme"},
            "master_id": 3141592, "refresh": true, "incoming_header_prefixes": ["X-", "P-"],
            "register_ttl": 600
        })
    );
    assert!(jsep.is_none());
    let (body, _) = sent(
        Register::builder()
            .username("sip:alice@example.com")
            .secret("hunter2")
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "register", "username": "sip:alice@example.com", "secret": "hunter2"})
    );
    let secret = Register::builder()
        .username("sip:a@b")
        .secret("hunter2")
        .ha1_secret("abc")
        .build();
    assert!(!format!("{secret:?}").contains("hunter2"));
    assert!(!format!("{secret:?}").contains("abc\""));
}

#[test]
fn register_is_answered_registering_or_registered() {
    let typed = outcome::<Register>(
        json!({"sip": "event", "result": {"event": "registering", "unique_id": "u-1"}}),
        None,
    );
    match typed.value.result {
        Registration::Registering(registering) => {
            assert_eq!(registering.unique_id.as_deref(), Some("u-1"));
        }
        other => panic!("{other:?}"),
    }
    let typed = outcome::<Register>(
        json!({"sip": "event", "result": {
            "event": "registered", "username": "bob", "register_sent": false,
            "master_id": 77, "unique_id": "u-2"
        }}),
        None,
    );
    match typed.value.result {
        Registration::Registered(registered) => {
            assert_eq!(registered.username, "bob");
            assert!(!registered.register_sent);
            assert_eq!(registered.master_id, Some(77));
            assert_eq!(registered.helper, None);
            assert_eq!(registered.unique_id.as_deref(), Some("u-2"));
        }
        other => panic!("{other:?}"),
    }
    // A helper's answer.
    let typed = outcome::<Register>(
        json!({"sip": "event", "result": {
            "event": "registered", "username": "bob", "register_sent": false, "helper": true,
            "master_id": 77
        }}),
        None,
    );
    assert!(matches!(
        typed.value.result,
        Registration::Registered(ref r) if r.helper == Some(true)
    ));
    // Janus 1.1.2's answers carry no unique id.
    let typed = outcome::<Register>(
        json!({"sip": "event", "result": {"event": "registering"}}),
        None,
    );
    assert!(matches!(
        typed.value.result,
        Registration::Registering(ref r) if r.unique_id.is_none()
    ));
}

#[test]
fn a_reply_of_another_kind_or_missing_a_field_is_unexpected() {
    // Another word.
    assert!(matches!(
        reply::<Register>(
            &json!({"sip": "event", "result": {"event": "ringing"}}),
            None
        ),
        Err(RequestError::UnexpectedReply(_))
    ));
    assert!(matches!(
        reply::<Hold>(
            &json!({"sip": "event", "result": {"event": "resuming"}}),
            None
        ),
        Err(RequestError::UnexpectedReply(_))
    ));
    // A required field missing.
    assert!(matches!(
        reply::<Call>(
            &json!({"sip": "event", "result": {"event": "calling"}}),
            None
        ),
        Err(RequestError::UnexpectedReply(_))
    ));
    assert!(matches!(
        reply::<Register>(
            &json!({"sip": "event", "result": {"event": "registered", "register_sent": true}}),
            None
        ),
        Err(RequestError::UnexpectedReply(_))
    ));
    // No result at all.
    assert!(matches!(
        reply::<Hangup>(&json!({"sip": "event", "call_id": "c"}), None),
        Err(RequestError::UnexpectedReply(_))
    ));
}

#[test]
fn unregister_and_its_events() {
    let (body, _) = sent(Unregister::builder().build());
    assert_eq!(body, json!({"request": "unregister"}));
    let typed = outcome::<Unregister>(
        json!({"sip": "event", "result": {"event": "unregistering"}}),
        None,
    );
    assert_eq!(typed.value.call_id, None);
    match event(json!({"sip": "event", "unique_id": "u-1", "result": {
        "event": "unregistered", "username": "alice", "headers": {"X-Reason": "bye"}
    }})) {
        Event::Unregistered(e) => {
            assert_eq!(e.unique_id.as_deref(), Some("u-1"));
            assert_eq!(e.result.username, "alice");
            assert_eq!(e.result.headers, Some(headers(&[("X-Reason", "bye")])));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn registration_events_after_a_register() {
    match event(json!({"sip": "event", "unique_id": "u-9", "result": {
        "event": "registered", "username": "alice", "register_sent": true, "master_id": 42,
        "headers": {"X-Tenant": "blue"}
    }})) {
        Event::Registered(e) => {
            assert_eq!(e.unique_id.as_deref(), Some("u-9"));
            assert_eq!(e.result.username, "alice");
            assert!(e.result.register_sent);
            assert_eq!(e.result.master_id, Some(42));
            assert_eq!(e.result.headers, Some(headers(&[("X-Tenant", "blue")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "result": {
        "event": "registration_failed", "code": 403, "reason": "Forbidden",
        "headers": {"X-Why": "quota"}
    }})) {
        Event::RegistrationFailed(e) => {
            assert_eq!(e.result.code, 403);
            assert_eq!(e.result.reason, "Forbidden");
            assert_eq!(e.result.headers, Some(headers(&[("X-Why", "quota")])));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn call_sends_its_offer_and_every_field() {
    let call = Call::builder()
        .uri("sip:bob@example.com")
        .call_id("call-1")
        .refer_id(991)
        .headers(headers(&[("X-Campaign", "7")]))
        .srtp(Srtp::Mandatory)
        .srtp_profile(SrtpProfile::AesCm128HmacSha1_32)
        .secret("pw")
        .authuser("alice")
        .autoaccept_reinvites(false)
        .jsep(Jsep::offer(OFFER))
        .build();
    let (body, jsep) = sent(call);
    assert_eq!(
        body,
        json!({
            "request": "call", "uri": "sip:bob@example.com", "call_id": "call-1",
            "refer_id": 991, "headers": {"X-Campaign": "7"}, "srtp": "sdes_mandatory",
            "srtp_profile": "AES_CM_128_HMAC_SHA1_32", "secret": "pw", "authuser": "alice",
            "autoaccept_reinvites": false
        })
    );
    assert_eq!(jsep, Some(Jsep::offer(OFFER)));
    let (body, _) = sent(
        Call::builder()
            .uri("sip:bob@example.com")
            .ha1_secret("ha1")
            .srtp(Srtp::Optional)
            .srtp_profile(SrtpProfile::AeadAes256Gcm)
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "call", "uri": "sip:bob@example.com", "ha1_secret": "ha1",
               "srtp": "sdes_optional", "srtp_profile": "AEAD_AES_256_GCM"})
    );
    for (profile, word) in [
        (SrtpProfile::AesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80"),
        (SrtpProfile::AeadAes128Gcm, "AEAD_AES_128_GCM"),
    ] {
        assert_eq!(serde_json::to_value(profile).ok(), Some(json!(word)));
    }
}

#[test]
fn the_call_flow_is_typed() {
    let typed = outcome::<Call>(
        json!({"sip": "event", "call_id": "call-1", "result": {"event": "calling", "call_id": "call-1"}}),
        None,
    );
    assert_eq!(typed.value.call_id.as_deref(), Some("call-1"));
    assert_eq!(typed.value.result.call_id, "call-1");
    match event(
        json!({"sip": "event", "call_id": "call-1", "result": {"event": "proceeding", "code": 100}}),
    ) {
        Event::Proceeding(e) => assert_eq!(e.result.code, 100),
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "call-1", "result": {
        "event": "ringing", "headers": {"X-Ring": "1"}
    }})) {
        Event::Ringing(e) => {
            assert_eq!(e.call_id.as_deref(), Some("call-1"));
            assert_eq!(e.result.headers, Some(headers(&[("X-Ring", "1")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "call-1", "result": {
        "event": "progress", "username": "sip:bob@example.com", "isfocus": true,
        "headers": {"X-Early": "yes"}
    }})) {
        Event::SessionProgress(e) => {
            assert_eq!(e.result.username, "sip:bob@example.com");
            assert_eq!(e.result.isfocus, Some(true));
            assert_eq!(e.result.headers, Some(headers(&[("X-Early", "yes")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "call-1", "result": {
        "event": "accepted", "username": "sip:bob@example.com", "headers": {"X-Ok": "1"}
    }})) {
        Event::Accepted(e) => {
            assert_eq!(e.result.username.as_deref(), Some("sip:bob@example.com"));
            assert_eq!(e.result.isfocus, None);
            assert_eq!(e.result.headers, Some(headers(&[("X-Ok", "1")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "call-1", "result": {
        "event": "hangup", "code": 486, "reason": "Busy Here", "reason_header": "busy",
        "reason_header_protocol": "SIP", "reason_header_cause": "486",
        "headers": {"X-Bye": "1"}
    }})) {
        Event::HungUp(e) => {
            assert_eq!(e.result.code, 486);
            assert_eq!(e.result.reason, "Busy Here");
            assert_eq!(e.result.reason_header.as_deref(), Some("busy"));
            assert_eq!(e.result.reason_header_protocol.as_deref(), Some("SIP"));
            assert_eq!(e.result.reason_header_cause.as_deref(), Some("486"));
            assert_eq!(e.result.headers, Some(headers(&[("X-Bye", "1")])));
        }
        other => panic!("{other:?}"),
    }
    // Janus 1.1.2's hangup: no headers.
    match event(json!({"sip": "event", "call_id": "call-1", "result": {
        "event": "hangup", "code": 200, "reason": "SIP BYE"
    }})) {
        Event::HungUp(e) => {
            assert_eq!((e.result.code, e.result.reason.as_str()), (200, "SIP BYE"));
            assert_eq!(e.result.headers, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_accepted_event_of_a_call_carries_the_answer() {
    let data = json!({"sip": "event", "call_id": "c", "result": {"event": "accepted", "username": "sip:b@x"}});
    let (data, jsep, _) = frame(
        PACKAGE,
        &data,
        Some(&json!({"type": "answer", "sdp": OFFER})),
    );
    assert!(matches!(Event::from_data(&data), Event::Accepted(_)));
    assert_eq!(jsep.map(|j| j.kind), Some(JsepType::Answer));
}

#[test]
fn incoming_calls_are_typed_and_answered() {
    match event(json!({"sip": "event", "call_id": "in-1", "result": {
        "event": "incomingcall", "username": "sip:carol@example.com", "call_id": "in-1",
        "displayname": "Carol", "callee": "sip:alice@example.com",
        "referred_by": "<sip:dave@example.com>", "replaces": "old-call", "isfocus": true,
        "srtp": "sdes_optional", "headers": {"X-Tenant": "blue"}
    }})) {
        Event::IncomingCall(e) => {
            let call = e.result;
            assert_eq!(call.username, "sip:carol@example.com");
            assert_eq!(call.call_id.as_deref(), Some("in-1"));
            assert_eq!(call.displayname.as_deref(), Some("Carol"));
            assert_eq!(call.callee, "sip:alice@example.com");
            assert_eq!(call.referred_by.as_deref(), Some("<sip:dave@example.com>"));
            assert_eq!(call.replaces.as_deref(), Some("old-call"));
            assert_eq!(call.isfocus, Some(true));
            assert_eq!(call.srtp, Some(Srtp::Optional));
            assert_eq!(call.headers, Some(headers(&[("X-Tenant", "blue")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "in-1", "result": {
        "event": "updatingcall", "username": "sip:carol@example.com", "call_id": "in-1",
        "displayname": "Carol", "callee": "sip:alice@example.com",
        "referred_by": "<sip:dave@example.com>", "replaces": "x", "isfocus": true,
        "srtp": "sdes_mandatory", "headers": {"X-A": "1"}
    }})) {
        Event::UpdatingCall(e) => {
            let call = e.result;
            assert_eq!(call.username, "sip:carol@example.com");
            assert_eq!(call.call_id.as_deref(), Some("in-1"));
            assert_eq!(call.displayname.as_deref(), Some("Carol"));
            assert_eq!(call.callee, "sip:alice@example.com");
            assert_eq!(call.referred_by.as_deref(), Some("<sip:dave@example.com>"));
            assert_eq!(call.replaces.as_deref(), Some("x"));
            assert_eq!(call.isfocus, Some(true));
            assert_eq!(call.srtp, Some(Srtp::Mandatory));
            assert_eq!(call.headers, Some(headers(&[("X-A", "1")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "in-2", "result": {
        "event": "missed_call", "caller": "sip:erin@example.com", "displayname": "Erin",
        "callee": "sip:alice@example.com"
    }})) {
        Event::MissedCall(e) => {
            assert_eq!(e.call_id.as_deref(), Some("in-2"));
            assert_eq!(e.result.caller, "sip:erin@example.com");
            assert_eq!(e.result.displayname.as_deref(), Some("Erin"));
            assert_eq!(e.result.callee, "sip:alice@example.com");
        }
        other => panic!("{other:?}"),
    }

    let (body, jsep) = sent(
        Accept::builder()
            .srtp(Srtp::Optional)
            .srtp_profile(SrtpProfile::AesCm128HmacSha1_80)
            .headers(headers(&[("X-Agent", "42")]))
            .autoaccept_reinvites(false)
            .jsep(Jsep::answer(OFFER))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "accept", "srtp": "sdes_optional",
               "srtp_profile": "AES_CM_128_HMAC_SHA1_80", "headers": {"X-Agent": "42"},
               "autoaccept_reinvites": false})
    );
    assert_eq!(jsep, Some(Jsep::answer(OFFER)));
    let typed = outcome::<Accept>(
        json!({"sip": "event", "call_id": "in-1", "result": {"event": "accepted"}}),
        None,
    );
    assert!(matches!(typed.value.result, AcceptOutcome::Accepted(ref a) if a.username.is_none()));
    let typed = outcome::<Accept>(
        json!({"sip": "event", "call_id": "in-1", "result": {"event": "accepting"}}),
        None,
    );
    assert!(matches!(typed.value.result, AcceptOutcome::Accepting(_)));

    let (body, jsep) = sent(
        Progress::builder()
            .srtp(Srtp::Mandatory)
            .srtp_profile(SrtpProfile::AeadAes128Gcm)
            .headers(headers(&[("X-Early", "1")]))
            .autoaccept_reinvites(true)
            .jsep(Jsep::answer(OFFER))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "progress", "srtp": "sdes_mandatory",
               "srtp_profile": "AEAD_AES_128_GCM", "headers": {"X-Early": "1"},
               "autoaccept_reinvites": true})
    );
    assert!(jsep.is_some());
    let typed = outcome::<Progress>(
        json!({"sip": "event", "call_id": "in-1", "result": {"event": "progressed"}}),
        None,
    );
    assert_eq!(typed.value.call_id.as_deref(), Some("in-1"));

    let (body, _) = sent(SendRinging::builder().build());
    assert_eq!(body, json!({"request": "send_ringing"}));
    let typed = outcome::<SendRinging>(json!({"sip": "event", "call_id": "in-1"}), None);
    assert_eq!(typed.value.call_id.as_deref(), Some("in-1"));
    match event(json!({"sip": "event", "call_id": "in-1"})) {
        Event::RingingSent(e) => assert_eq!(e.call_id.as_deref(), Some("in-1")),
        other => panic!("{other:?}"),
    }

    let (body, _) = sent(
        Decline::builder()
            .code(603)
            .headers(headers(&[("X-Why", "dnd")]))
            .refer_id(55)
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "decline", "code": 603, "headers": {"X-Why": "dnd"}, "refer_id": 55})
    );
    assert_eq!(
        sent(Decline::builder().build()).0,
        json!({"request": "decline"})
    );
    let typed = outcome::<Decline>(
        json!({"sip": "event", "call_id": "in-1", "result": {"event": "declining", "code": 486}}),
        None,
    );
    assert_eq!(typed.value.result.code, 486);
    assert_eq!(typed.value.result.refer_id, None);
    let typed = outcome::<Decline>(
        json!({"sip": "event", "result": {"event": "declining", "refer_id": 55, "code": 603}}),
        None,
    );
    assert_eq!(typed.value.result.refer_id, Some(55));
}

#[test]
fn in_call_requests_and_their_answers() {
    let (body, jsep) = sent(Update::builder().jsep(Jsep::offer(OFFER)).build());
    assert_eq!(body, json!({"request": "update"}));
    assert_eq!(jsep, Some(Jsep::offer(OFFER)));
    let typed = outcome::<Update>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "updating"}}),
        None,
    );
    assert!(matches!(typed.value.result, UpdateOutcome::Updating(_)));
    let typed = outcome::<Update>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "updated"}}),
        None,
    );
    assert!(matches!(typed.value.result, UpdateOutcome::Updated(_)));

    let (body, _) = sent(
        Hold::builder()
            .direction(HoldDirection::Inactive)
            .headers(headers(&[("X-Hold", "1")]))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "hold", "direction": "inactive", "headers": {"X-Hold": "1"}})
    );
    for (direction, word) in [
        (HoldDirection::SendOnly, "sendonly"),
        (HoldDirection::RecvOnly, "recvonly"),
    ] {
        assert_eq!(serde_json::to_value(direction).ok(), Some(json!(word)));
    }
    outcome::<Hold>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "holding"}}),
        None,
    );
    let (body, _) = sent(Unhold::builder().headers(headers(&[("X-U", "2")])).build());
    assert_eq!(body, json!({"request": "unhold", "headers": {"X-U": "2"}}));
    outcome::<Unhold>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "resuming"}}),
        None,
    );

    let (body, _) = sent(
        Hangup::builder()
            .headers(headers(&[("X-End", "ok")]))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "hangup", "headers": {"X-End": "ok"}})
    );
    assert_eq!(sent(Hangup::default()).0, json!({"request": "hangup"}));
    outcome::<Hangup>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "hangingup"}}),
        None,
    );

    let (body, _) = sent(
        Transfer::builder()
            .uri("sip:frank@example.com")
            .replace("other-call")
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "transfer", "uri": "sip:frank@example.com", "replace": "other-call"})
    );
    outcome::<Transfer>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "transferring"}}),
        None,
    );

    let (body, _) = sent(
        Recording::builder()
            .action(RecordingAction::Start)
            .audio(true)
            .video(true)
            .peer_audio(true)
            .peer_video(false)
            .send_peer_pli(true)
            .filename("/rec/call")
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "recording", "action": "start", "audio": true, "video": true,
               "peer_audio": true, "peer_video": false, "send_peer_pli": true,
               "filename": "/rec/call"})
    );
    for (action, word) in [
        (RecordingAction::Stop, "stop"),
        (RecordingAction::Pause, "pause"),
        (RecordingAction::Resume, "resume"),
    ] {
        let (body, _) = sent(Recording::builder().action(action).audio(true).build());
        assert_eq!(
            body,
            json!({"request": "recording", "action": word, "audio": true})
        );
    }
    outcome::<Recording>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "recordingupdated"}}),
        None,
    );

    let (body, _) = sent(Keyframe::builder().user(true).peer(false).build());
    assert_eq!(
        body,
        json!({"request": "keyframe", "user": true, "peer": false})
    );
    outcome::<Keyframe>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "keyframesent"}}),
        None,
    );

    let (body, _) = sent(Reset::builder().build());
    assert_eq!(body, json!({"request": "reset"}));
    outcome::<Reset>(json!({"sip": "event", "result": {"event": "reset"}}), None);
}

#[test]
fn info_message_and_dtmf() {
    let (body, _) = sent(
        Info::builder()
            .content_type("application/media_control+xml")
            .content("<media_control/>")
            .headers(headers(&[("X-I", "1")]))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "info", "type": "application/media_control+xml",
               "content": "<media_control/>", "headers": {"X-I": "1"}})
    );
    outcome::<Info>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "infosent"}}),
        None,
    );
    match event(json!({"sip": "event", "call_id": "c", "result": {
        "event": "info", "sender": "sip:bob@example.com", "displayname": "Bob",
        "type": "application/dtmf-relay", "content": "Signal=5", "headers": {"X-I": "2"}
    }})) {
        Event::IncomingInfo(e) => {
            assert_eq!(e.result.sender, "sip:bob@example.com");
            assert_eq!(e.result.displayname.as_deref(), Some("Bob"));
            assert_eq!(e.result.content_type, "application/dtmf-relay");
            assert_eq!(e.result.content, "Signal=5");
            assert_eq!(e.result.headers, Some(headers(&[("X-I", "2")])));
        }
        other => panic!("{other:?}"),
    }

    let (body, _) = sent(
        Message::builder()
            .content("hello")
            .content_type("text/plain")
            .uri("sip:bob@example.com")
            .headers(headers(&[("X-M", "1")]))
            .call_id("msg-1")
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "message", "content": "hello", "content_type": "text/plain",
               "uri": "sip:bob@example.com", "headers": {"X-M": "1"}, "call_id": "msg-1"})
    );
    let typed = outcome::<Message>(
        json!({"sip": "event", "result": {"event": "messagesent", "call_id": "msg-1"}}),
        None,
    );
    assert_eq!(typed.value.result.call_id, "msg-1");
    match event(json!({"sip": "event", "call_id": "msg-1", "result": {
        "event": "messagedelivery", "code": 202, "reason": "Accepted"
    }})) {
        Event::MessageDelivery(e) => {
            assert_eq!(e.call_id.as_deref(), Some("msg-1"));
            assert_eq!(e.result.code, 202);
            assert_eq!(e.result.reason.as_deref(), Some("Accepted"));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "result": {
        "event": "message", "sender": "sip:bob@example.com", "displayname": "Bob",
        "content_type": "text/plain", "content": "hi", "headers": {"X-M": "2"}
    }})) {
        Event::IncomingMessage(e) => {
            assert_eq!(e.result.sender, "sip:bob@example.com");
            assert_eq!(e.result.displayname.as_deref(), Some("Bob"));
            assert_eq!(e.result.content_type, "text/plain");
            assert_eq!(e.result.content, "hi");
            assert_eq!(e.result.headers, Some(headers(&[("X-M", "2")])));
        }
        other => panic!("{other:?}"),
    }

    let (body, _) = sent(
        DtmfInfo::builder()
            .digit('#')
            .duration(250)
            .headers(headers(&[("X-D", "1")]))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "dtmf_info", "digit": "#", "duration": 250, "headers": {"X-D": "1"}})
    );
    outcome::<DtmfInfo>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "dtmfsent"}}),
        None,
    );
    match event(json!({"sip": "event", "call_id": "c", "result": {
        "event": "dtmf", "sender": "sip:bob@example.com", "signal": "7", "duration": 800
    }})) {
        Event::Dtmf(e) => {
            assert_eq!(e.result.sender.as_deref(), Some("sip:bob@example.com"));
            assert_eq!(e.result.signal, "7");
            assert_eq!(e.result.duration, 800);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn transfers_are_typed() {
    match event(json!({"sip": "event", "result": {
        "event": "transfer", "refer_id": 12345, "refer_to": "sip:frank@example.com",
        "referred_by": "<sip:bob@example.com>", "replaces": "call-9",
        "headers": {"X-T": "1"}
    }})) {
        Event::IncomingTransfer(e) => {
            assert_eq!(e.result.refer_id, 12345);
            assert_eq!(e.result.refer_to, "sip:frank@example.com");
            assert_eq!(
                e.result.referred_by.as_deref(),
                Some("<sip:bob@example.com>")
            );
            assert_eq!(e.result.replaces.as_deref(), Some("call-9"));
            assert_eq!(e.result.headers, Some(headers(&[("X-T", "1")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "c", "result": {"event": "transferring"}})) {
        Event::Transferring(e) => assert_eq!(e.call_id.as_deref(), Some("c")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn subscriptions_are_typed() {
    let (body, _) = sent(
        Subscribe::builder()
            .call_id("sub-1")
            .event("message-summary")
            .accept("application/simple-message-summary")
            .to("sip:alice@example.com")
            .subscribe_ttl(3600)
            .content("body")
            .content_type("text/plain")
            .headers(headers(&[("X-S", "1")]))
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "subscribe", "call_id": "sub-1", "event": "message-summary",
               "accept": "application/simple-message-summary", "to": "sip:alice@example.com",
               "subscribe_ttl": 3600, "content": "body", "content_type": "text/plain",
               "headers": {"X-S": "1"}})
    );
    let typed = outcome::<Subscribe>(
        json!({"sip": "event", "result": {"event": "subscribing", "call_id": "sub-1"}}),
        None,
    );
    assert_eq!(typed.value.result.call_id.as_deref(), Some("sub-1"));
    match event(json!({"sip": "event", "call_id": "sub-1", "result": {
        "event": "subscribe_succeeded", "code": 202, "reason": "Accepted", "expires": 3600,
        "headers": {"X-S": "2"}
    }})) {
        Event::SubscribeSucceeded(e) => {
            assert_eq!(e.result.code, 202);
            assert_eq!(e.result.reason, "Accepted");
            assert_eq!(e.result.expires, Some(3600));
            assert_eq!(e.result.headers, Some(headers(&[("X-S", "2")])));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "sub-1", "result": {
        "event": "subscribe_failed", "code": 489, "reason": "Bad Event", "headers": {}
    }})) {
        Event::SubscribeFailed(e) => {
            assert_eq!(e.result.code, 489);
            assert_eq!(e.result.reason, "Bad Event");
            assert_eq!(e.result.headers, Some(Headers::new()));
        }
        other => panic!("{other:?}"),
    }
    match event(json!({"sip": "event", "call_id": "sub-1", "result": {
        "event": "notify", "notify": "message-summary", "substate": "active",
        "content-type": "application/simple-message-summary",
        "content": "Messages-Waiting: yes", "headers": {"X-N": "1"}
    }})) {
        Event::Notify(e) => {
            assert_eq!(e.result.notify.as_deref(), Some("message-summary"));
            assert_eq!(e.result.substate.as_deref(), Some("active"));
            assert_eq!(
                e.result.content_type.as_deref(),
                Some("application/simple-message-summary")
            );
            assert_eq!(e.result.content, "Messages-Waiting: yes");
            assert_eq!(e.result.headers, Some(headers(&[("X-N", "1")])));
        }
        other => panic!("{other:?}"),
    }
    let (body, _) = sent(
        Unsubscribe::builder()
            .event("message-summary")
            .to("sip:alice@example.com")
            .build(),
    );
    assert_eq!(
        body,
        json!({"request": "unsubscribe", "event": "message-summary", "to": "sip:alice@example.com"})
    );
    outcome::<Unsubscribe>(
        json!({"sip": "event", "result": {"event": "unsubscribing"}}),
        None,
    );
}

#[test]
fn rtp_forwarders_are_typed() {
    let forward = RtpForward::builder()
        .streams(vec![
            ForwardStream::builder()
                .kind(ForwardType::PeerAudio)
                .host("10.0.0.5")
                .host_family(HostFamily::Ipv4)
                .port(5004)
                .ssrc(1234)
                .pt(111)
                .srtp_suite(80)
                .srtp_crypto("c2VjcmV0a2V5")
                .build(),
            ForwardStream::builder()
                .kind(ForwardType::Video)
                .host("::1")
                .host_family(HostFamily::Ipv6)
                .port(5006)
                .build(),
        ])
        .build();
    assert!(!format!("{forward:?}").contains("c2VjcmV0a2V5"));
    let (body, _) = sent(forward);
    assert_eq!(
        body,
        json!({"request": "rtp_forward", "streams": [
            {"type": "peer_audio", "host": "10.0.0.5", "host_family": "ipv4", "port": 5004,
             "ssrc": 1234, "pt": 111, "srtp_suite": 80, "srtp_crypto": "c2VjcmV0a2V5"},
            {"type": "video", "host": "::1", "host_family": "ipv6", "port": 5006}
        ]})
    );
    let typed = outcome::<RtpForward>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "rtp_forward", "forwarders": [
            {"stream_id": 1, "type": "peer_audio", "host": "10.0.0.5", "port": 5004,
             "media": "audio", "pt": 111, "ssrc": 1234, "srtp": true},
            {"stream_id": 2, "type": "video", "host": "::1", "port": 5006, "media": "video"}
        ]}}),
        None,
    );
    let forwarders = typed.value.result.forwarders;
    assert_eq!(forwarders.len(), 2);
    assert_eq!(forwarders[0].stream_id, 1);
    assert_eq!(forwarders[0].forward_type(), Some(ForwardType::PeerAudio));
    assert_eq!(forwarders[0].host, "10.0.0.5");
    assert_eq!(forwarders[0].port, 5004);
    assert_eq!(forwarders[0].media, Media::Audio);
    assert_eq!(forwarders[0].pt, Some(111));
    assert_eq!(forwarders[0].ssrc, Some(1234));
    assert_eq!(forwarders[0].srtp, Some(true));
    assert_eq!(forwarders[1].media, Media::Video);
    assert_eq!(forwarders[1].srtp, None);

    let (body, _) = sent(StopRtpForward::builder().stream_id(1).build());
    assert_eq!(body, json!({"request": "stop_rtp_forward", "stream_id": 1}));
    let typed = outcome::<StopRtpForward>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "stop_rtp_forward", "stream_id": 1}}),
        None,
    );
    assert_eq!(typed.value.result.stream_id, 1);

    let (body, _) = sent(ListForwarders::builder().build());
    assert_eq!(body, json!({"request": "listforwarders"}));
    let typed = outcome::<ListForwarders>(
        json!({"sip": "event", "call_id": "c", "result": {"event": "forwarders", "rtp_forwarders": [
            {"stream_id": 2, "type": "PEER_VIDEO", "host": "10.0.0.5", "port": 5008, "media": "video"}
        ]}}),
        None,
    );
    let listed = &typed.value.result.rtp_forwarders;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind.as_deref(), Some("PEER_VIDEO"));
    assert_eq!(listed[0].forward_type(), Some(ForwardType::PeerVideo));
    for kind in [ForwardType::Audio, ForwardType::Video] {
        assert_eq!(ForwardType::from_word(kind.as_str()), Some(kind));
    }
    assert_eq!(ForwardType::from_word("data"), None);
}

#[test]
fn every_answer_is_an_event_too() {
    for word in [
        "unregistering",
        "accepting",
        "progressed",
        "updating",
        "updated",
        "hangingup",
        "holding",
        "resuming",
        "infosent",
        "dtmfsent",
        "keyframesent",
        "recordingupdated",
        "unsubscribing",
        "reset",
    ] {
        let data = json!({"sip": "event", "call_id": "c", "result": {"event": word}});
        let typed = event(data);
        let ok = match word {
            "unregistering" => matches!(typed, Event::Unregistering(_)),
            "accepting" => matches!(typed, Event::Accepting(_)),
            "progressed" => matches!(typed, Event::Progressed(_)),
            "updating" => matches!(typed, Event::Updating(_)),
            "updated" => matches!(typed, Event::Updated(_)),
            "hangingup" => matches!(typed, Event::Hangingup(_)),
            "holding" => matches!(typed, Event::Holding(_)),
            "resuming" => matches!(typed, Event::Resuming(_)),
            "infosent" => matches!(typed, Event::InfoSent(_)),
            "dtmfsent" => matches!(typed, Event::DtmfSent(_)),
            "keyframesent" => matches!(typed, Event::KeyframeSent(_)),
            "recordingupdated" => matches!(typed, Event::RecordingUpdated(_)),
            "unsubscribing" => matches!(typed, Event::Unsubscribing(_)),
            "reset" => matches!(typed, Event::ResetDone(_)),
            _ => false,
        };
        assert!(ok, "{word}: {typed:?}");
    }
    let answers = [
        json!({"sip": "event", "result": {"event": "registering", "unique_id": "u"}}),
        json!({"sip": "event", "call_id": "c", "result": {"event": "calling", "call_id": "c"}}),
        json!({"sip": "event", "call_id": "c", "result": {"event": "declining", "code": 486}}),
        json!({"sip": "event", "result": {"event": "messagesent", "call_id": "m"}}),
        json!({"sip": "event", "result": {"event": "subscribing"}}),
        json!({"sip": "event", "result": {"event": "rtp_forward", "forwarders": []}}),
        json!({"sip": "event", "result": {"event": "stop_rtp_forward", "stream_id": 4}}),
        json!({"sip": "event", "result": {"event": "forwarders", "rtp_forwarders": []}}),
    ];
    for data in answers {
        event(data);
    }
}

#[test]
fn unknown_or_undecodable_events_are_other() {
    for data in [
        json!({"sip": "event", "result": {"event": "something_new"}}),
        json!({"sip": "event", "result": {"no_event": true}}),
        json!({"sip": "event", "result": {"event": "proceeding", "code": "not a number"}}),
        json!({"sip": "event", "result": {"event": "incomingcall"}}),
        json!({"sip": "event", "error_code": 447, "error": "Wrong state", "call_id": "c"}),
        json!({"sip": "event", "error_code": 0, "error": "Wrong state (not in a call?)"}),
        json!("not an object"),
    ] {
        assert_eq!(
            Event::from_data(&plugin_data(&data)),
            Event::Other,
            "{data}"
        );
    }
    let foreign = frame(
        "janus.plugin.videoroom",
        &json!({"sip": "event", "result": {"event": "ringing"}}),
        None,
    )
    .0;
    assert_eq!(Event::from_data(&foreign), Event::Other);
    assert_eq!(Sip::event(&foreign), Event::Other);
    assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
}

#[test]
fn error_codes_map_both_ways() {
    let codes = [
        (499, ErrorCode::UnknownError),
        (440, ErrorCode::NoMessage),
        (441, ErrorCode::InvalidJson),
        (442, ErrorCode::InvalidRequest),
        (443, ErrorCode::MissingElement),
        (444, ErrorCode::InvalidElement),
        (445, ErrorCode::AlreadyRegistered),
        (446, ErrorCode::InvalidAddress),
        (447, ErrorCode::WrongState),
        (448, ErrorCode::MissingSdp),
        (449, ErrorCode::LibsofiaError),
        (450, ErrorCode::IoError),
        (451, ErrorCode::RecordingError),
        (452, ErrorCode::TooStrict),
        (453, ErrorCode::HelperError),
        (454, ErrorCode::NoSuchCallid),
        (455, ErrorCode::NoSuchStream),
    ];
    for (code, typed) in codes {
        assert_eq!(ErrorCode::from_code(code), typed);
        assert_eq!(typed.code(), code);
        assert_eq!(Sip::error_code(code), typed);
    }
    assert_eq!(ErrorCode::from_code(0), ErrorCode::Unspecified);
    assert_eq!(ErrorCode::Unspecified.code(), 0);
    let error = |plugin: &str| PluginError {
        plugin: plugin.into(),
        code: 447,
        reason: "Wrong state".into(),
        data: plugin_data(&json!({"sip": "event", "error_code": 447, "error": "Wrong state"})),
    };
    assert_eq!(Sip::error_of(&error(PACKAGE)), Some(ErrorCode::WrongState));
    assert_eq!(Sip::error_of(&error("janus.plugin.nosip")), None);
    assert_eq!(
        Sip::request_error(&RequestError::Plugin(error(PACKAGE))),
        Some(ErrorCode::WrongState)
    );
}

#[test]
fn enumerated_words_are_the_plugins() {
    assert_eq!(
        serde_json::to_value(RegisterType::Guest).ok(),
        Some(json!("guest"))
    );
    assert_eq!(
        serde_json::to_value(Media::Audio).ok(),
        Some(json!("audio"))
    );
    assert_eq!(
        serde_json::to_value(ForwardType::PeerVideo).ok(),
        Some(json!("peer_video"))
    );
    assert!(serde_json::from_value::<Srtp>(json!("sdes_required")).is_err());
}

#[test]
fn result_and_plugin_words_are_checked_on_decode() {
    let ringing = json!({"sip": "event", "call_id": "c1", "result": {"event": "ringing"}});
    let decoded: SipEvent<Ringing> = serde_json::from_value(ringing.clone()).unwrap();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), ringing);
    // Another result word, or another plugin word, does not decode.
    assert!(serde_json::from_value::<SipEvent<Ringing>>(
        json!({"sip": "event", "result": {"event": "calling", "call_id": "c1"}})
    )
    .is_err());
    assert!(serde_json::from_value::<SipEvent<Ringing>>(
        json!({"sip": "error", "result": {"event": "ringing"}})
    )
    .is_err());
    assert!(serde_json::from_value::<RingingSent>(json!({"sip": "events"})).is_err());
}
