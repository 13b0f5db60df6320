//! Golden fixtures: every Janus API JSON shape of `janus-api.md` decodes into the typed model,
//! encodes back without losing a known field, and is routed by a [`Client`] to an event.
//!
//! The fixtures live in `tests/fixtures/requests` (client → server) and
//! `tests/fixtures/server` (server → client). Every file there must have an entry in the
//! tables below, and every entry a file: a new fixture cannot be skipped silently.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Instant;

use janus_proto::testing::ServerEncode;
use janus_proto::wire::{Request, RequestBody, ServerMessage};
use janus_proto::{
    Candidate, Client, Command, Config, ConnectionEvent, Event, HandleEventKind, HandleId,
    IceCandidate, Input, JsepType, PluginData, Reply, ReplyKind, RequestError, SessionEnd,
    SessionEvent, SessionId, Trickle,
};
use serde_json::{json, Value};

/// The session most fixtures use.
const S: u64 = 3783524939493389;
/// The handle most fixtures use.
const H: u64 = 6942190213558236;
/// A VideoRoom participant.
const BOB: u64 = 1881928259283018;
const CAND: &str = "candidate:1 1 udp 2015363327 192.0.2.2 43541 typ host";
const CAND2: &str = "candidate:2 1 tcp 1518149375 192.0.2.2 9 typ host tcptype active";

/// The one clock reading of this test binary: everything else is derived from it.
#[allow(clippy::disallowed_methods)]
fn base() -> Instant {
    Instant::now()
}

/// `(name, text)` of every fixture in `tests/fixtures/<kind>`, sorted by name.
fn fixtures(kind: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("readable directory entry").path();
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let name = file
            .strip_suffix(".json")
            .unwrap_or_else(|| panic!("{}: fixtures must be *.json files", path.display()));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        out.push((name.to_owned(), text));
    }
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

fn value(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))
}

/// Asserts that `text` is one JSON object with nothing before or after it (and, if
/// `one_line`, no line break inside).
fn assert_single_object(text: &str, what: &str, one_line: bool) {
    assert!(text.starts_with('{'), "{what}: leading bytes in {text:?}");
    assert!(text.ends_with('}'), "{what}: trailing bytes in {text:?}");
    assert!(
        !one_line || !text.contains('\n'),
        "{what}: newline in {text:?}"
    );
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    assert!(
        matches!(stream.next(), Some(Ok(Value::Object(_)))),
        "{what}: not an object"
    );
    assert_eq!(
        stream.byte_offset(),
        text.len(),
        "{what}: bytes after the object"
    );
    assert!(stream.next().is_none(), "{what}: a second value");
}

// ------------------------------------------------------------------------------------------
// Requests (client → server)
// ------------------------------------------------------------------------------------------

fn secrets(r: &Request) -> (Option<&str>, Option<&str>) {
    (
        r.apisecret.as_ref().map(|s| s.expose()),
        r.token.as_ref().map(|s| s.expose()),
    )
}

fn no_auth(r: &Request) {
    assert_eq!(secrets(r), (None, None));
}

fn ice(candidate: &str, mid: &str, index: u32) -> Candidate {
    Candidate::Ice(IceCandidate::new(candidate, mid, index))
}

fn message_parts(r: &Request) -> (&Value, Option<&janus_proto::Jsep>) {
    let RequestBody::Message {
        session_id,
        handle_id,
        body,
        jsep,
    } = &r.body
    else {
        panic!("not a message: {r:?}");
    };
    assert_eq!((*session_id, *handle_id), (SessionId(S), HandleId(H)));
    (body, jsep.as_ref())
}

fn trickle_of(r: &Request) -> &Trickle {
    let RequestBody::Trickle {
        session_id,
        handle_id,
        trickle,
    } = &r.body
    else {
        panic!("not a trickle: {r:?}");
    };
    assert_eq!((*session_id, *handle_id), (SessionId(S), HandleId(H)));
    trickle
}

type RequestCheck = fn(&Request);

fn request_expectations() -> BTreeMap<&'static str, RequestCheck> {
    let table: Vec<(&'static str, RequestCheck)> = vec![
        ("info", |r| {
            assert_eq!(r.body, RequestBody::Info);
            assert_eq!(r.transaction, "Vb7Zp1cQw9Lr");
            no_auth(r);
        }),
        ("ping", |r| {
            assert_eq!(r.body, RequestBody::Ping);
            assert_eq!(r.transaction, "Qm2Xr8Tn4Kd0");
            no_auth(r);
        }),
        ("create", |r| {
            assert_eq!(r.body, RequestBody::Create { id: None });
            no_auth(r);
        }),
        ("create_with_id", |r| {
            assert_eq!(
                r.body,
                RequestBody::Create {
                    id: Some(SessionId(9007199254740993))
                }
            );
        }),
        ("create_apisecret", |r| {
            assert_eq!(r.body, RequestBody::Create { id: None });
            assert_eq!(secrets(r), (Some("probesecret"), None));
        }),
        ("create_token", |r| {
            assert_eq!(r.body, RequestBody::Create { id: None });
            assert_eq!(secrets(r), (None, Some("a1b2c3d4-token")));
        }),
        ("attach", |r| {
            assert_eq!(
                r.body,
                RequestBody::Attach {
                    session_id: SessionId(S),
                    plugin: "janus.plugin.videoroom".into(),
                    opaque_id: None,
                    loop_index: None,
                }
            );
            no_auth(r);
        }),
        ("attach_opaque_id", |r| {
            assert_eq!(
                r.body,
                RequestBody::Attach {
                    session_id: SessionId(S),
                    plugin: "janus.plugin.echotest".into(),
                    opaque_id: Some("my-opaque-123".into()),
                    loop_index: None,
                }
            );
        }),
        ("attach_apisecret_token", |r| {
            assert!(matches!(
                &r.body,
                RequestBody::Attach {
                    opaque_id: None,
                    ..
                }
            ));
            assert_eq!(secrets(r), (Some("probesecret"), Some("a1b2c3d4-token")));
        }),
        ("attach_loop_index", |r| {
            assert!(matches!(
                &r.body,
                RequestBody::Attach { plugin, loop_index: Some(1), .. }
                    if plugin == "janus.plugin.streaming"
            ));
        }),
        ("message_body", |r| {
            let (body, jsep) = message_parts(r);
            assert_eq!(body, &json!({"request": "exists", "room": 1234}));
            assert!(jsep.is_none());
            no_auth(r);
        }),
        ("message_join", |r| {
            let (body, jsep) = message_parts(r);
            assert_eq!(body["ptype"], "publisher");
            assert_eq!(body["display"], "alice");
            assert!(jsep.is_none());
        }),
        ("message_jsep_offer", |r| {
            let (body, jsep) = message_parts(r);
            assert_eq!(body["request"], "publish");
            let jsep = jsep.expect("jsep");
            assert_eq!(jsep.kind, JsepType::Offer);
            assert!(jsep.sdp.starts_with("v=0\r\n"), "{:?}", jsep.sdp);
            assert_eq!(
                (jsep.trickle, &jsep.rid_order, jsep.force_relay, jsep.e2ee),
                (None, &None, None, None)
            );
        }),
        ("message_jsep_answer_no_trickle", |r| {
            let (body, jsep) = message_parts(r);
            assert_eq!(body, &json!({"request": "start"}));
            let jsep = jsep.expect("jsep");
            assert_eq!(jsep.kind, JsepType::Answer);
            assert_eq!(jsep.trickle, Some(false));
        }),
        ("message_jsep_offer_extras", |r| {
            let (_, jsep) = message_parts(r);
            let jsep = jsep.expect("jsep");
            assert_eq!(jsep.kind, JsepType::Offer);
            assert_eq!(jsep.trickle, Some(true));
            assert_eq!(jsep.rid_order.as_deref(), Some("hml"));
            assert_eq!(jsep.force_relay, Some(true));
            assert_eq!(jsep.e2ee, Some(true));
        }),
        ("message_apisecret", |r| {
            let (body, _) = message_parts(r);
            assert_eq!(body, &json!({"audio": true, "video": false}));
            assert_eq!(secrets(r), (Some("probesecret"), None));
        }),
        ("message_token", |r| {
            message_parts(r);
            assert_eq!(secrets(r), (None, Some("a1b2c3d4-token")));
        }),
        ("trickle_candidate", |r| {
            assert_eq!(trickle_of(r), &Trickle::One(ice(CAND, "0", 0)));
            no_auth(r);
        }),
        ("trickle_candidates", |r| {
            assert_eq!(
                trickle_of(r),
                &Trickle::Many(vec![ice(CAND, "0", 0), ice(CAND2, "1", 1)])
            );
        }),
        ("trickle_completed", |r| {
            assert_eq!(trickle_of(r), &Trickle::completed());
        }),
        ("trickle_token", |r| {
            assert_eq!(trickle_of(r), &Trickle::One(ice(CAND, "0", 0)));
            assert_eq!(secrets(r), (None, Some("a1b2c3d4-token")));
        }),
        ("hangup", |r| {
            assert_eq!(
                r.body,
                RequestBody::Hangup {
                    session_id: SessionId(S),
                    handle_id: HandleId(H)
                }
            );
        }),
        ("detach", |r| {
            assert_eq!(
                r.body,
                RequestBody::Detach {
                    session_id: SessionId(S),
                    handle_id: HandleId(H)
                }
            );
            no_auth(r);
        }),
        ("detach_apisecret", |r| {
            assert!(matches!(r.body, RequestBody::Detach { .. }));
            assert_eq!(secrets(r), (Some("probesecret"), None));
        }),
        ("destroy", |r| {
            assert_eq!(
                r.body,
                RequestBody::Destroy {
                    session_id: SessionId(S)
                }
            );
        }),
        ("keepalive", |r| {
            assert_eq!(
                r.body,
                RequestBody::Keepalive {
                    session_id: SessionId(S)
                }
            );
            assert_eq!(r.transaction, "Kv2Bo6Np4Jt0");
            no_auth(r);
        }),
        ("keepalive_apisecret", |r| {
            assert!(matches!(r.body, RequestBody::Keepalive { .. }));
            assert_eq!(secrets(r), (Some("probesecret"), None));
        }),
        ("keepalive_token", |r| {
            assert!(matches!(r.body, RequestBody::Keepalive { .. }));
            assert_eq!(secrets(r), (None, Some("a1b2c3d4-token")));
        }),
        ("claim", |r| {
            assert_eq!(
                r.body,
                RequestBody::Claim {
                    session_id: SessionId(S)
                }
            );
            no_auth(r);
        }),
        ("claim_apisecret", |r| {
            assert!(matches!(r.body, RequestBody::Claim { .. }));
            assert_eq!(secrets(r), (Some("probesecret"), None));
        }),
    ];
    collect_table(table)
}

fn collect_table<T>(table: Vec<(&'static str, T)>) -> BTreeMap<&'static str, T> {
    let mut map = BTreeMap::new();
    for (name, entry) in table {
        assert!(map.insert(name, entry).is_none(), "{name} listed twice");
    }
    map
}

#[test]
fn every_request_fixture_decodes_and_encodes_back_to_the_same_json() {
    let mut table = request_expectations();
    for (name, text) in fixtures("requests") {
        let check = table
            .remove(name.as_str())
            .unwrap_or_else(|| panic!("request fixture {name} has no expectation entry"));
        let request =
            Request::decode(&text).unwrap_or_else(|e| panic!("{name}: does not decode: {e}"));
        check(&request);
        let encoded = request.encode();
        assert_single_object(&encoded, &name, true);
        assert_eq!(
            value(&encoded, &name),
            value(&text, &name),
            "{name}: encoding changed the request"
        );
        let again = Request::decode(&encoded)
            .unwrap_or_else(|e| panic!("{name}: its encoding does not decode: {e}"));
        assert_eq!(again, request, "{name}: decode(encode(x)) != x");
        assert_eq!(again.encode(), encoded, "{name}: encoding is not stable");
    }
    assert!(
        table.is_empty(),
        "expectations without a fixture: {:?}",
        table.keys().collect::<Vec<_>>()
    );
}

// ------------------------------------------------------------------------------------------
// Server messages (server → client)
// ------------------------------------------------------------------------------------------

/// Which fields of a JSON value the typed model knows.
enum Shape {
    /// The whole value.
    Any,
    /// An object: only these keys, each with its own shape.
    Fields(Vec<(&'static str, Shape)>),
    /// An object whose every value has this shape.
    MapOf(Box<Shape>),
}

fn fields(names: &[&'static str]) -> Vec<(&'static str, Shape)> {
    names.iter().map(|n| (*n, Shape::Any)).collect()
}

fn obj(names: &[&'static str]) -> Shape {
    Shape::Fields(fields(names))
}

/// `value` without the fields `shape` does not know.
fn restrict(value: &Value, shape: &Shape) -> Value {
    match (shape, value) {
        (Shape::Any, v) => v.clone(),
        (Shape::Fields(known), Value::Object(map)) => Value::Object(
            known
                .iter()
                .filter_map(|(k, s)| map.get(*k).map(|v| ((*k).to_owned(), restrict(v, s))))
                .collect(),
        ),
        (Shape::MapOf(inner), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), restrict(v, inner)))
                .collect(),
        ),
        (_, v) => v.clone(),
    }
}

/// The fields the typed model keeps for `msg`'s kind.
fn known_shape(msg: &ServerMessage) -> Shape {
    let jsep = || obj(&["type", "sdp", "trickle", "rid_order", "force_relay", "e2ee"]);
    let plugindata = || obj(&["plugin", "data"]);
    let mut top = fields(&["janus"]);
    match msg {
        ServerMessage::ServerInfo { .. } => {
            top.extend(fields(&[
                "transaction",
                "name",
                "version",
                "version_string",
                "author",
                "commit-hash",
                "compile-time",
                "data_channels",
                "accepting-new-sessions",
                "session-timeout",
                "reclaim-session-timeout",
                "candidates-timeout",
                "server-name",
                "local-ip",
                "ipv6",
                "ice-lite",
                "ice-tcp",
                "full-trickle",
                "mdns-enabled",
                "api_secret",
                "auth_token",
                "event_handlers",
                "opaqueid_in_api",
                "dependencies",
            ]));
            let component = || obj(&["name", "author", "description", "version_string", "version"]);
            for key in ["transports", "events", "loggers", "plugins"] {
                top.push((key, Shape::MapOf(Box::new(component()))));
            }
        }
        ServerMessage::Pong { .. } => top.extend(fields(&["transaction"])),
        ServerMessage::Success { .. } => {
            top.extend(fields(&["transaction", "session_id", "sender"]));
            top.push(("data", obj(&["id"])));
            top.push(("plugindata", plugindata()));
        }
        ServerMessage::Ack { .. } => top.extend(fields(&["transaction", "session_id", "hint"])),
        ServerMessage::Error { .. } => {
            top.extend(fields(&["transaction", "session_id"]));
            top.push(("error", obj(&["code", "reason"])));
        }
        ServerMessage::Event { .. } => {
            top.extend(fields(&["transaction", "session_id", "sender"]));
            top.push(("plugindata", plugindata()));
            top.push(("jsep", jsep()));
        }
        ServerMessage::WebrtcUp { .. } | ServerMessage::Detached { .. } => {
            top.extend(fields(&["session_id", "sender"]))
        }
        ServerMessage::Media { .. } => top.extend(fields(&[
            "session_id",
            "sender",
            "mid",
            "type",
            "receiving",
            "seconds",
            "substream",
        ])),
        ServerMessage::SlowLink { .. } => top.extend(fields(&[
            "session_id",
            "sender",
            "mid",
            "media",
            "uplink",
            "lost",
            "nacks",
        ])),
        ServerMessage::Hangup { .. } => top.extend(fields(&["session_id", "sender", "reason"])),
        ServerMessage::Timeout { .. } => top.extend(fields(&["session_id"])),
        ServerMessage::Trickle { .. } => {
            top.extend(fields(&["session_id", "sender"]));
            top.push((
                "candidate",
                obj(&["candidate", "sdpMid", "sdpMLineIndex", "completed"]),
            ));
        }
        ServerMessage::Unknown { .. } => {
            top.extend(fields(&["transaction", "session_id", "sender"]))
        }
    }
    Shape::Fields(top)
}

// Typed checks of the decoded message, shared by the table entries.

fn sid(id: u64) -> Option<SessionId> {
    Some(SessionId(id))
}

fn hid(id: u64) -> Option<HandleId> {
    Some(HandleId(id))
}

/// A `success`: checks the envelope, returns its `plugindata`.
fn success<'m>(
    m: &'m ServerMessage,
    txn: &str,
    session: Option<SessionId>,
    sender: Option<HandleId>,
    id: Option<u64>,
) -> Option<&'m PluginData> {
    let ServerMessage::Success {
        transaction,
        session_id,
        sender: got_sender,
        id: got_id,
        plugindata,
    } = m
    else {
        panic!("not a success: {m:?}");
    };
    assert_eq!(transaction, txn);
    assert_eq!(*session_id, session);
    assert_eq!(*got_sender, sender);
    assert_eq!(*got_id, id);
    plugindata.as_ref()
}

/// A sync plugin `success` on `S`/`H`.
fn plugin_success<'m>(m: &'m ServerMessage, txn: &str, plugin: &str) -> &'m PluginData {
    let data = success(m, txn, sid(S), hid(H), None).expect("plugindata");
    assert_eq!(data.plugin, plugin);
    data
}

fn bare_success(m: &ServerMessage, txn: &str) {
    assert!(success(m, txn, sid(S), None, None).is_none());
}

fn ack(m: &ServerMessage, txn: &str, want_hint: Option<&str>) {
    let ServerMessage::Ack {
        transaction,
        session_id,
        hint,
    } = m
    else {
        panic!("not an ack: {m:?}");
    };
    assert_eq!(transaction, txn);
    assert_eq!(*session_id, sid(S));
    assert_eq!(hint.as_deref(), want_hint);
}

fn error(m: &ServerMessage, txn: Option<&str>, session: Option<SessionId>, code: u32, text: &str) {
    let ServerMessage::Error {
        transaction,
        session_id,
        error,
    } = m
    else {
        panic!("not an error: {m:?}");
    };
    assert_eq!(transaction.as_deref(), txn);
    assert_eq!(*session_id, session);
    assert_eq!(error.code, code);
    assert_eq!(error.reason, text);
}

/// An `event` on `S`/`H`: returns `plugindata` and `jsep`.
fn event<'m>(
    m: &'m ServerMessage,
    txn: Option<&str>,
    plugin: &str,
) -> (&'m PluginData, Option<&'m janus_proto::Jsep>) {
    let ServerMessage::Event {
        transaction,
        session_id,
        sender,
        plugindata,
        jsep,
    } = m
    else {
        panic!("not an event: {m:?}");
    };
    assert_eq!(transaction.as_deref(), txn);
    assert_eq!((*session_id, *sender), (SessionId(S), HandleId(H)));
    assert_eq!(plugindata.plugin, plugin);
    (plugindata, jsep.as_ref())
}

fn jsep_of(jsep: Option<&janus_proto::Jsep>, kind: JsepType) {
    let jsep = jsep.expect("jsep");
    assert_eq!(jsep.kind, kind);
    assert!(jsep.sdp.starts_with("v=0\r\n"), "{:?}", jsep.sdp);
    assert!(jsep.sdp.ends_with("\r\n"), "{:?}", jsep.sdp);
}

fn hangup(m: &ServerMessage, why: &str) {
    assert_eq!(
        m,
        &ServerMessage::Hangup {
            session_id: SessionId(S),
            sender: HandleId(H),
            reason: Some(why.into())
        }
    );
}

const VR: &str = "janus.plugin.videoroom";
const ECHO: &str = "janus.plugin.echotest";

/// The request a reply answers: submitted on the client before the fixture is fed, and the
/// fixture's transaction replaced by the one the client put on the wire.
#[derive(Clone, Copy, Debug)]
enum Via {
    /// Unsolicited, or uncorrelatable.
    Nothing,
    Info,
    Ping,
    Create,
    CreateWithId,
    Attach,
    Message,
    Trickle,
    Hangup,
    Detach,
    Destroy,
    Keepalive,
    Claim,
}

impl Via {
    fn command(self, session: SessionId, handle: HandleId) -> Option<Command> {
        Some(match self {
            Via::Nothing => return None,
            Via::Info => Command::Info,
            Via::Ping => Command::Ping,
            Via::Create => Command::create(),
            Via::CreateWithId => Command::Create { id: Some(session) },
            Via::Attach => Command::attach(session, ECHO),
            Via::Message => Command::message(handle, json!({"request": "x"}), None),
            Via::Trickle => Command::Trickle {
                handle,
                trickle: Trickle::completed(),
            },
            Via::Hangup => Command::Hangup { handle },
            Via::Detach => Command::Detach { handle },
            Via::Destroy => Command::Destroy { session },
            Via::Keepalive => Command::Keepalive { session },
            Via::Claim => Command::Claim {
                session,
                handles: vec![handle],
            },
        })
    }
}

type Outcome = Result<Reply, RequestError>;

/// What the client must report for the fixture.
#[derive(Clone, Copy)]
enum Want {
    /// `Completed` for the submitted transaction, with an outcome passing the check.
    Done(fn(&Outcome) -> bool),
    /// `Acked` for the submitted transaction, with this hint.
    Acked(Option<&'static str>),
    /// A handle event on the fixture's session and handle.
    Handle(fn(&HandleEventKind) -> bool),
    /// A session event on the fixture's session.
    Session(fn(&SessionEvent) -> bool),
    /// A transaction-less core error with this code.
    ConnectionError(u32),
    /// Nothing can route it.
    Unroutable,
}

struct Case {
    check: fn(&ServerMessage),
    via: Via,
    want: Want,
}

fn case(check: fn(&ServerMessage), via: Via, want: Want) -> Case {
    Case { check, via, want }
}

fn ok_plugin(o: &Outcome, jsep: Option<JsepType>) -> bool {
    matches!(o, Ok(Reply { kind: ReplyKind::Plugin { jsep: j, .. }, .. })
        if j.as_ref().map(|j| j.kind.clone()) == jsep)
}

fn janus_err(o: &Outcome, code: u32) -> bool {
    matches!(o, Err(RequestError::Janus(e)) if e.code == code)
}

fn plugin_err(o: &Outcome, code: i64) -> bool {
    matches!(o, Err(RequestError::Plugin(e)) if e.code == code)
}

fn hung_up(k: &HandleEventKind, why: &str) -> bool {
    matches!(k, HandleEventKind::Hangup { reason: Some(r) } if r == why)
}

fn info_of(o: &Outcome) -> Option<&janus_proto::wire::ServerInfo> {
    match o {
        Ok(Reply {
            kind: ReplyKind::ServerInfo(info),
            ..
        }) => Some(info),
        _ => None,
    }
}

fn plugin_event(k: &HandleEventKind, jsep: Option<JsepType>) -> bool {
    matches!(k, HandleEventKind::Plugin { jsep: j, txn: None, .. }
        if j.as_ref().map(|j| j.kind.clone()) == jsep)
}

fn server_expectations() -> BTreeMap<&'static str, Case> {
    use Via as V;
    use Want as W;
    let table: Vec<(&'static str, Case)> = vec![
        // --- info / ping / create / attach / bare successes
        (
            "server_info",
            case(
                |m| {
                    let ServerMessage::ServerInfo { transaction, info } = m else {
                        panic!("{m:?}")
                    };
                    assert_eq!(transaction, "Vb7Zp1cQw9Lr");
                    assert_eq!(info.name.as_deref(), Some("Janus WebRTC Server"));
                    assert_eq!(info.version, Some(1102));
                    assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
                    assert_eq!(info.commit_hash.as_deref(), Some("not-a-git-repo"));
                    assert_eq!(info.session_timeout, Some(10));
                    assert_eq!(info.reclaim_session_timeout, Some(0));
                    assert_eq!(info.candidates_timeout, Some(45));
                    assert_eq!(info.accepting_new_sessions, Some(true));
                    assert_eq!(info.full_trickle, Some(false));
                    assert_eq!(info.api_secret, Some(false));
                    assert_eq!(info.auth_token, Some(false));
                    assert_eq!(info.opaqueid_in_api, Some(false));
                    assert_eq!(info.local_ip.as_deref(), Some("127.0.0.1"));
                    assert_eq!(info.dependencies.get("jansson").map(|s| &**s), Some("2.14"));
                    assert_eq!(info.transports.len(), 3);
                    assert!(info.events.is_empty() && info.loggers.is_empty());
                    assert_eq!(info.plugins.len(), 8);
                    let vr = &info.plugins["janus.plugin.videoroom"];
                    assert_eq!(vr.name.as_deref(), Some("JANUS VideoRoom plugin"));
                    assert_eq!(vr.version, Some(9));
                    assert_eq!(vr.version_string.as_deref(), Some("0.0.9"));
                },
                V::Info,
                W::Done(|o| info_of(o).is_some_and(|i| i.session_timeout == Some(10))),
            ),
        ),
        (
            "server_info_secured",
            case(
                |m| {
                    let ServerMessage::ServerInfo { info, .. } = m else {
                        panic!("{m:?}")
                    };
                    assert_eq!(info.api_secret, Some(true));
                    assert_eq!(info.full_trickle, Some(true));
                    assert_eq!(info.opaqueid_in_api, Some(true));
                    assert_eq!(info.reclaim_session_timeout, Some(8));
                },
                V::Info,
                W::Done(|o| info_of(o).is_some_and(|i| i.api_secret == Some(true))),
            ),
        ),
        (
            "pong",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Pong {
                            transaction: "Qm2Xr8Tn4Kd0".into()
                        }
                    )
                },
                V::Ping,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Pong,
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "create_success",
            case(
                |m| assert!(success(m, "Hs3Jd9Wq1Zx7", None, None, Some(S)).is_none()),
                V::Create,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::SessionCreated(SessionId(S)),
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "create_success_pretty",
            case(
                |m| {
                    assert!(
                        success(m, "Pf6Tk2Ln8Rb3", None, None, Some(9007199254740993)).is_none()
                    )
                },
                V::Create,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::SessionCreated(SessionId(9007199254740993)),
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "attach_success",
            case(
                |m| assert!(success(m, "Zt5Ka1Xp7Mv2", sid(S), None, Some(H)).is_none()),
                V::Attach,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Attached(HandleId(H)),
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "hangup_success",
            case(
                |m| bare_success(m, "Wb8Zc2Ma6Oe4"),
                V::Hangup,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Success,
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "detach_success",
            case(
                |m| bare_success(m, "Xn3Qf7Iv1Rg5"),
                V::Detach,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Success,
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "destroy_success",
            case(
                |m| bare_success(m, "Ds5Ey9Gk3Lp1"),
                V::Destroy,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Success,
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "claim_success",
            case(
                |m| bare_success(m, "Pj3Vh7Lx1Oa5"),
                V::Claim,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Success,
                            ..
                        })
                    )
                }),
            ),
        ),
        // --- synchronous plugin replies
        (
            "videoroom_exists_success",
            case(
                |m| {
                    let d = plugin_success(m, "Rx7Mb1Qg9Vc3", VR)
                        .value()
                        .expect("JSON value");
                    assert_eq!(
                        d,
                        json!({"videoroom": "success", "room": 1234, "exists": true})
                    );
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "videoroom_created_success",
            case(
                |m| {
                    let d = plugin_success(m, "Aq2Wn6Ye0Tu4", VR)
                        .value()
                        .expect("JSON value");
                    assert_eq!(
                        d,
                        json!({"videoroom": "created", "room": 4242, "permanent": false})
                    );
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "videoroom_list_success",
            case(
                |m| {
                    let d = plugin_success(m, "Bm9Ev3Ri7Oy1", VR);
                    assert_eq!(d.error(), None);
                    let d = d.value().expect("JSON value");
                    assert_eq!(d["videoroom"], "success");
                    let list = d["list"].as_array().expect("list");
                    assert_eq!(list.len(), 2);
                    assert_eq!(list[0]["room"], 1234);
                    assert_eq!(list[0].as_object().map(|o| o.len()), Some(22));
                    assert_eq!(list[1]["num_participants"], 2);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "videoroom_listparticipants_success",
            case(
                |m| {
                    let d = plugin_success(m, "Cx6Lb0Tf4Wh8", VR)
                        .value()
                        .expect("JSON value");
                    assert_eq!(d["videoroom"], "participants");
                    assert_eq!(d["participants"][0]["id"], BOB);
                    assert_eq!(d["participants"][1]["publisher"], false);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "videoroom_destroyed_success",
            case(
                |m| {
                    let d = plugin_success(m, "Dn1Gs5Jk9Pz3", VR)
                        .value()
                        .expect("JSON value");
                    assert_eq!(
                        d,
                        json!({"videoroom": "destroyed", "room": 4242, "permanent": false})
                    );
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "videoroom_plugin_error_success",
            case(
                |m| {
                    let d = plugin_success(m, "Ew4Hm8Ka2Qx6", VR);
                    assert_eq!(d.error(), Some((426, "No such room (9999)".into())));
                },
                V::Message,
                W::Done(|o| plugin_err(o, 426)),
            ),
        ),
        (
            "textroom_error_success",
            case(
                |m| {
                    let d = plugin_success(m, "Fy7Io1Lc5Rv9", "janus.plugin.textroom");
                    assert_eq!(d.value().expect("JSON value")["textroom"], "error");
                    assert_eq!(d.error(), Some((417, "No such room (9999)".into())));
                },
                V::Message,
                W::Done(|o| plugin_err(o, 417)),
            ),
        ),
        (
            "textroom_listparticipants_success",
            case(
                |m| {
                    let d = plugin_success(m, "Gz0Jp4Md8Sw2", "janus.plugin.textroom")
                        .value()
                        .expect("JSON value");
                    assert_eq!(d, json!({"room": 1234, "participants": []}));
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "audiobridge_created_success",
            case(
                |m| {
                    let d = plugin_success(m, "Ha3Kq7Ne1Tx5", "janus.plugin.audiobridge")
                        .value()
                        .expect("JSON value");
                    assert_eq!(d["audiobridge"], "created");
                    assert_eq!(d["room"], 6161);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "streaming_created_success",
            case(
                |m| {
                    let d = plugin_success(m, "Ib6Lr0Of4Uy8", "janus.plugin.streaming")
                        .value()
                        .expect("JSON value");
                    assert_eq!(d["created"], "mp-7171");
                    assert_eq!(d["stream"]["ports"][0]["port"], 10000);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "recordplay_list_success",
            case(
                |m| {
                    let d = plugin_success(m, "Jc9Ms3Pg7Vz1", "janus.plugin.recordplay")
                        .value()
                        .expect("JSON value");
                    assert_eq!(d, json!({"recordplay": "list", "list": []}));
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        // --- acks
        (
            "ack",
            case(|m| ack(m, "Ju3Sf5Ka7Wd1", None), V::Message, W::Acked(None)),
        ),
        (
            "ack_hint",
            case(
                |m| ack(m, "Ik5Au3Sy9Ez1", Some("I'm taking my time!")),
                V::Message,
                W::Acked(Some("I'm taking my time!")),
            ),
        ),
        (
            "ack_keepalive",
            case(
                |m| ack(m, "Kv2Bo6Np4Jt0", None),
                V::Keepalive,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Ack,
                            ..
                        })
                    )
                }),
            ),
        ),
        (
            "ack_trickle",
            case(
                |m| ack(m, "Mq7Lv3Rh1Bn9", None),
                V::Trickle,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Ack,
                            ..
                        })
                    )
                }),
            ),
        ),
        // --- core errors with a transaction
        (
            "error_458_no_such_session",
            case(
                |m| {
                    error(
                        m,
                        Some("Kd2Nt6Qh0Wa4"),
                        sid(123),
                        458,
                        "No such session 123",
                    )
                },
                V::Keepalive,
                W::Done(|o| janus_err(o, 458)),
            ),
        ),
        (
            "error_468_session_conflict",
            case(
                |m| {
                    error(
                        m,
                        Some("Le5Ou9Ri3Xb7"),
                        sid(S),
                        468,
                        "Session ID already in use",
                    )
                },
                V::CreateWithId,
                W::Done(|o| janus_err(o, 468)),
            ),
        ),
        (
            "error_472_not_accepting",
            case(
                |m| {
                    error(
                        m,
                        Some("Mf8Pv2Sj6Yc0"),
                        None,
                        472,
                        "Currently not accepting new sessions",
                    )
                },
                V::Create,
                W::Done(|o| janus_err(o, 472)),
            ),
        ),
        (
            "error_403_unauthorized",
            case(
                |m| {
                    error(
                        m,
                        Some("Ng1Qw5Tk9Zd3"),
                        None,
                        403,
                        "Unauthorized request (wrong or missing secret/token)",
                    )
                },
                V::Create,
                W::Done(|o| janus_err(o, 403)),
            ),
        ),
        (
            "error_403_unauthorized_session",
            case(
                |m| {
                    error(
                        m,
                        Some("Oh4Rx8Ul2Ae6"),
                        sid(S),
                        403,
                        "Unauthorized request (wrong or missing secret/token)",
                    )
                },
                V::Attach,
                W::Done(|o| janus_err(o, 403)),
            ),
        ),
        (
            "error_405_unauthorized_plugin",
            case(
                |m| {
                    error(
                        m,
                        Some("Pi7Sy1Vm5Bf9"),
                        sid(S),
                        405,
                        "Provided token can't access plugin 'janus.plugin.echotest'",
                    )
                },
                V::Attach,
                W::Done(|o| janus_err(o, 405)),
            ),
        ),
        (
            "error_453_unknown_request",
            case(
                |m| {
                    error(
                        m,
                        Some("Qj0Tz4Wn8Cg2"),
                        sid(S),
                        453,
                        "Unknown request 'info'",
                    )
                },
                V::Info,
                W::Done(|o| janus_err(o, 453)),
            ),
        ),
        (
            "error_454_both_candidates",
            case(
                |m| {
                    error(
                        m,
                        Some("Rk3Ua7Xo1Dh5"),
                        sid(S),
                        454,
                        "Can't have both candidate and candidates",
                    )
                },
                V::Trickle,
                W::Done(|o| janus_err(o, 454)),
            ),
        ),
        (
            "error_455_invalid_jsep",
            case(
                |m| error(m, Some("Sl6Vb0Yp4Ei8"), sid(S), 455, "Invalid jsep object"),
                V::Message,
                W::Done(|o| janus_err(o, 455)),
            ),
        ),
        (
            "error_456_missing_body",
            case(
                |m| {
                    error(
                        m,
                        Some("Tm9Wc3Zq7Fj1"),
                        sid(S),
                        456,
                        "Missing mandatory element (body)",
                    )
                },
                V::Message,
                W::Done(|o| janus_err(o, 456)),
            ),
        ),
        (
            "error_457_unhandled_path",
            case(
                |m| {
                    error(
                        m,
                        Some("Un2Xd6Ar0Gk4"),
                        sid(S),
                        457,
                        "Unhandled request 'message' at this path",
                    )
                },
                V::Message,
                W::Done(|o| janus_err(o, 457)),
            ),
        ),
        (
            "error_458_session_not_found_handle_only",
            case(
                |m| error(m, Some("Vo5Ye9Bs3Hl7"), None, 458, "Session not found"),
                V::Hangup,
                W::Done(|o| janus_err(o, 458)),
            ),
        ),
        (
            "error_459_no_such_handle",
            case(
                |m| {
                    let reason = format!("No such handle 42 in session {S}");
                    error(m, Some("Wp8Zf2Ct6Im0"), sid(S), 459, &reason)
                },
                V::Message,
                W::Done(|o| janus_err(o, 459)),
            ),
        ),
        (
            "error_460_no_such_plugin",
            case(
                |m| {
                    error(
                        m,
                        Some("Xq1Ag5Du9Jn3"),
                        sid(S),
                        460,
                        "No such plugin 'janus.plugin.sip'",
                    )
                },
                V::Attach,
                W::Done(|o| janus_err(o, 460)),
            ),
        ),
        (
            "error_464_jsep_unknown_type",
            case(
                |m| {
                    error(
                        m,
                        Some("Yr4Bh8Ev2Ko6"),
                        sid(S),
                        464,
                        "JSEP error: unknown message type 'foo'",
                    )
                },
                V::Message,
                W::Done(|o| janus_err(o, 464)),
            ),
        ),
        (
            "error_465_invalid_sdp",
            case(
                |m| {
                    error(
                        m,
                        Some("Zs7Ci1Fw5Lp9"),
                        sid(S),
                        465,
                        "Invalid SDP (doesn't start with v=)",
                    )
                },
                V::Message,
                W::Done(|o| janus_err(o, 465)),
            ),
        ),
        (
            "error_467_body_not_object",
            case(
                |m| {
                    error(
                        m,
                        Some("At0Dj4Gx8Mq2"),
                        sid(S),
                        467,
                        "Invalid element type (body should be an object)",
                    )
                },
                V::Message,
                W::Done(|o| janus_err(o, 467)),
            ),
        ),
        (
            "error_469_unexpected_answer",
            case(
                |m| {
                    error(
                        m,
                        Some("Bu3Ek7Hy1Nr5"),
                        sid(S),
                        469,
                        "Unexpected ANSWER (did we offer?)",
                    )
                },
                V::Message,
                W::Done(|o| janus_err(o, 469)),
            ),
        ),
        // --- core errors without a transaction
        (
            "error_454_invalid_json_no_transaction",
            case(
                |m| {
                    error(
                        m,
                        None,
                        None,
                        454,
                        concat!(
                            "Invalid Janus API request - <string>(2,0): ",
                            "'[' or '{' expected near end of file"
                        ),
                    )
                },
                V::Nothing,
                W::ConnectionError(454),
            ),
        ),
        (
            "error_456_json_array_no_transaction",
            case(
                |m| {
                    error(
                        m,
                        None,
                        None,
                        456,
                        "Missing mandatory element (transaction)",
                    )
                },
                V::Nothing,
                W::ConnectionError(456),
            ),
        ),
        (
            "error_456_no_transaction_with_session",
            case(
                |m| {
                    error(
                        m,
                        None,
                        sid(S),
                        456,
                        "Missing mandatory element (transaction)",
                    )
                },
                V::Nothing,
                W::ConnectionError(456),
            ),
        ),
        (
            "error_467_bad_id_no_transaction",
            case(
                |m| {
                    error(
                        m,
                        None,
                        None,
                        467,
                        "Invalid element type (id should be a positive integer)",
                    )
                },
                V::Nothing,
                W::ConnectionError(467),
            ),
        ),
        // --- events answering a request
        (
            "event_echotest_ok_jsep",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Ik5Au3Sy9Ez1"), ECHO);
                    assert_eq!(
                        d.value().expect("JSON value"),
                        json!({"echotest": "event", "result": "ok"})
                    );
                    jsep_of(jsep, JsepType::Answer);
                    assert!(jsep
                        .and_then(|j| j.sdp.find("a=end-of-candidates"))
                        .is_some());
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Answer))),
            ),
        ),
        (
            "event_e2ee_jsep",
            case(
                |m| {
                    let (_, jsep) = event(m, Some("Kd3Nt7Qh1Wa5"), ECHO);
                    jsep_of(jsep, JsepType::Answer);
                    assert_eq!(jsep.and_then(|j| j.e2ee), Some(true));
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Answer))),
            ),
        ),
        (
            "event_videoroom_joined",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Ju3Sf5Ka7Wd1"), VR);
                    let d = d.value().expect("JSON value");
                    assert_eq!(d["videoroom"], "joined");
                    assert_eq!(d["publishers"][0]["id"], BOB);
                    assert_eq!(d["publishers"][0]["streams"][1]["mid"], "1");
                    assert!(jsep.is_none());
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "event_videoroom_configured_jsep",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Bt6Ho2Ne8Lx4"), VR);
                    assert_eq!(d.value().expect("JSON value")["configured"], "ok");
                    jsep_of(jsep, JsepType::Answer);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Answer))),
            ),
        ),
        (
            "event_videoroom_attached_offer",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Cv9Fl3Iz7Os1"), VR);
                    let d = d.value().expect("JSON value");
                    assert_eq!(d["videoroom"], "attached");
                    assert_eq!(d["streams"][0]["feed_id"], BOB);
                    jsep_of(jsep, JsepType::Offer);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Offer))),
            ),
        ),
        (
            "event_videoroom_plugin_error",
            case(
                |m| {
                    let (d, _) = event(m, Some("Dw2Gm6Ja0Pt4"), VR);
                    assert_eq!(
                        d.error(),
                        Some((425, "Already in as a publisher on this handle".into()))
                    );
                },
                V::Message,
                W::Done(|o| plugin_err(o, 425)),
            ),
        ),
        (
            "event_echotest_plugin_error",
            case(
                |m| {
                    let (d, _) = event(m, Some("Ex5Hn9Kb3Qu7"), ECHO);
                    assert_eq!(
                        d.error(),
                        Some((413, "Message error: no supported attributes found".into()))
                    );
                },
                V::Message,
                W::Done(|o| plugin_err(o, 413)),
            ),
        ),
        (
            "event_audiobridge_joined",
            case(
                |m| {
                    let (d, _) = event(m, Some("Fy8Io2Lc6Rv0"), "janus.plugin.audiobridge");
                    assert_eq!(d.value().expect("JSON value")["audiobridge"], "joined");
                    assert_eq!(d.error(), None);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "event_textroom_setup_offer",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Gz1Jp5Md9Sw3"), "janus.plugin.textroom");
                    assert_eq!(d.value().expect("JSON value")["result"], "ok");
                    jsep_of(jsep, JsepType::Offer);
                    assert!(jsep.is_some_and(|j| j.sdp.contains("m=application")));
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Offer))),
            ),
        ),
        (
            "event_streaming_preparing_offer",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Ha4Kq8Ne2Tx6"), "janus.plugin.streaming");
                    assert_eq!(
                        d.value().expect("JSON value")["result"]["status"],
                        "preparing"
                    );
                    jsep_of(jsep, JsepType::Offer);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Offer))),
            ),
        ),
        (
            "event_videocall_registered",
            case(
                |m| {
                    let (d, _) = event(m, Some("Ib7Lr1Of5Uy9"), "janus.plugin.videocall");
                    assert_eq!(
                        d.value().expect("JSON value")["result"]["event"],
                        "registered"
                    );
                },
                V::Message,
                W::Done(|o| ok_plugin(o, None)),
            ),
        ),
        (
            "event_videocall_error_478",
            case(
                |m| {
                    let (d, _) = event(m, Some("Jc0Ms4Pg8Vz2"), "janus.plugin.videocall");
                    assert_eq!(
                        d.error(),
                        Some((478, "Username 'nobody' doesn't exist".into()))
                    );
                },
                V::Message,
                W::Done(|o| plugin_err(o, 478)),
            ),
        ),
        // --- unsolicited plugin events
        (
            "event_videoroom_joining",
            case(
                |m| {
                    let (d, _) = event(m, None, VR);
                    assert_eq!(
                        d.value().expect("JSON value")["joining"],
                        json!({"id": BOB, "display": "bob"})
                    );
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_videoroom_publishers",
            case(
                |m| {
                    let (d, _) = event(m, None, VR);
                    let d = d.value().expect("JSON value");
                    assert_eq!(d["publishers"][0]["id"], BOB);
                    assert_eq!(d["publishers"][0]["streams"][1]["simulcast"], true);
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_videoroom_unpublished",
            case(
                |m| {
                    assert_eq!(
                        event(m, None, VR).0.value().expect("JSON value")["unpublished"],
                        BOB
                    )
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_videoroom_unpublished_ok",
            case(
                |m| {
                    assert_eq!(
                        event(m, None, VR).0.value().expect("JSON value")["unpublished"],
                        "ok"
                    )
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_videoroom_leaving",
            case(
                |m| {
                    assert_eq!(
                        event(m, None, VR).0.value().expect("JSON value")["leaving"],
                        BOB
                    )
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_videoroom_display",
            case(
                |m| {
                    let d = event(m, None, VR).0.value().expect("JSON value");
                    assert_eq!((&d["id"], &d["display"]), (&json!(BOB), &json!("robert")));
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_videoroom_updated_offer",
            case(
                |m| {
                    let (d, jsep) = event(m, None, VR);
                    assert_eq!(d.value().expect("JSON value")["videoroom"], "updated");
                    jsep_of(jsep, JsepType::Offer);
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, Some(JsepType::Offer))),
            ),
        ),
        (
            "event_videoroom_destroyed",
            case(
                |m| {
                    let d = event(m, None, VR).0.value().expect("JSON value");
                    assert_eq!(d, json!({"videoroom": "destroyed", "room": 4242}));
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_echotest_done",
            case(
                |m| {
                    let d = event(m, None, ECHO).0.value().expect("JSON value");
                    assert_eq!(d, json!({"echotest": "event", "result": "done"}));
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_echotest_slow_link",
            case(
                |m| {
                    let d = event(m, None, ECHO).0.value().expect("JSON value");
                    assert_eq!(d["event"], "slow_link");
                    assert_eq!(d["current-bitrate"], 0);
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_streaming_stopped",
            case(
                |m| {
                    let d = event(m, None, "janus.plugin.streaming")
                        .0
                        .value()
                        .expect("JSON value");
                    assert_eq!(d["result"], json!({"status": "stopped"}));
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        (
            "event_audiobridge_joined_other",
            case(
                |m| {
                    let d = event(m, None, "janus.plugin.audiobridge")
                        .0
                        .value()
                        .expect("JSON value");
                    assert_eq!(d["participants"][0]["display"], "bob");
                },
                V::Nothing,
                W::Handle(|k| plugin_event(k, None)),
            ),
        ),
        // --- server-initiated core messages
        (
            "webrtcup",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::WebrtcUp {
                            session_id: SessionId(S),
                            sender: HandleId(H)
                        }
                    )
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::WebrtcUp)),
            ),
        ),
        (
            "media_receiving",
            case(
                |m| {
                    let ServerMessage::Media { media, .. } = m else {
                        panic!("{m:?}")
                    };
                    assert_eq!(media.mid.as_deref(), Some("0"));
                    assert_eq!(media.kind.as_deref(), Some("audio"));
                    assert!(media.receiving);
                    assert_eq!((media.seconds, media.substream), (None, None));
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::Media(m) if m.receiving)),
            ),
        ),
        (
            "media_stopped_seconds",
            case(
                |m| {
                    let ServerMessage::Media { media, .. } = m else {
                        panic!("{m:?}")
                    };
                    assert_eq!(media.mid.as_deref(), Some("1"));
                    assert!(!media.receiving);
                    assert_eq!((media.seconds, media.substream), (Some(3), None));
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::Media(m) if !m.receiving)),
            ),
        ),
        (
            "media_substream",
            case(
                |m| {
                    let ServerMessage::Media { media, .. } = m else {
                        panic!("{m:?}")
                    };
                    assert_eq!(media.kind.as_deref(), Some("video"));
                    assert_eq!((media.seconds, media.substream), (None, Some(2)));
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::Media(m) if m.substream == Some(2))),
            ),
        ),
        (
            "slowlink_downlink",
            case(
                |m| {
                    let ServerMessage::SlowLink { slowlink, .. } = m else {
                        panic!("{m:?}")
                    };
                    assert_eq!(slowlink.mid.as_deref(), Some("0"));
                    assert_eq!(slowlink.media.as_deref(), Some("audio"));
                    assert!(!slowlink.uplink);
                    assert_eq!((slowlink.lost, slowlink.nacks), (Some(2), None));
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::SlowLink(s) if !s.uplink)),
            ),
        ),
        (
            "slowlink_uplink",
            case(
                |m| {
                    let ServerMessage::SlowLink { slowlink, .. } = m else {
                        panic!("{m:?}")
                    };
                    assert!(slowlink.uplink);
                    assert_eq!(slowlink.lost, Some(17));
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::SlowLink(s) if s.uplink)),
            ),
        ),
        (
            "hangup_dtls_alert",
            case(
                |m| hangup(m, "DTLS alert"),
                V::Nothing,
                W::Handle(|k| hung_up(k, "DTLS alert")),
            ),
        ),
        (
            "hangup_ice_failed",
            case(
                |m| hangup(m, "ICE failed"),
                V::Nothing,
                W::Handle(|k| hung_up(k, "ICE failed")),
            ),
        ),
        (
            "hangup_janus_api",
            case(
                |m| hangup(m, "Janus API"),
                V::Nothing,
                W::Handle(|k| hung_up(k, "Janus API")),
            ),
        ),
        (
            "hangup_close_pc",
            case(
                |m| hangup(m, "Close PC"),
                V::Nothing,
                W::Handle(|k| hung_up(k, "Close PC")),
            ),
        ),
        (
            "hangup_admin_api",
            case(
                |m| hangup(m, "Admin API"),
                V::Nothing,
                W::Handle(|k| hung_up(k, "Admin API")),
            ),
        ),
        (
            "detached",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Detached {
                            session_id: SessionId(S),
                            sender: HandleId(H)
                        }
                    )
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::Detached)),
            ),
        ),
        (
            "timeout",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Timeout {
                            session_id: SessionId(S)
                        }
                    )
                },
                V::Nothing,
                W::Session(|e| matches!(e, SessionEvent::Ended(SessionEnd::TimedOut(_)))),
            ),
        ),
        (
            "trickle_candidate_no_mid",
            case(
                |m| {
                    let want = Candidate::Ice(IceCandidate {
                        candidate: CAND.into(),
                        sdp_mid: None,
                        sdp_mline_index: Some(0),
                    });
                    assert_eq!(
                        m,
                        &ServerMessage::Trickle {
                            session_id: SessionId(S),
                            sender: HandleId(H),
                            candidate: want
                        }
                    );
                },
                V::Nothing,
                W::Handle(|k| {
                    matches!(k, HandleEventKind::Trickle(Candidate::Ice(c))
                            if c.sdp_mid.is_none() && c.sdp_mline_index == Some(0))
                }),
            ),
        ),
        (
            "trickle_completed",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Trickle {
                            session_id: SessionId(S),
                            sender: HandleId(H),
                            candidate: Candidate::Completed
                        }
                    )
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::Trickle(Candidate::Completed))),
            ),
        ),
        // --- unknown kinds and unknown fields
        (
            "unknown_kind_handle",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Unknown {
                            janus: "notification".into(),
                            transaction: None,
                            session_id: sid(S),
                            sender: hid(H)
                        }
                    )
                },
                V::Nothing,
                W::Handle(
                    |k| matches!(k, HandleEventKind::Other { janus } if janus == "notification"),
                ),
            ),
        ),
        (
            "unknown_kind_session",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Unknown {
                            janus: "claimed".into(),
                            transaction: None,
                            session_id: sid(S),
                            sender: None
                        }
                    )
                },
                V::Nothing,
                W::Session(
                    |e| matches!(e, SessionEvent::Other { janus, .. } if janus == "claimed"),
                ),
            ),
        ),
        (
            "unknown_kind_bare",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::Unknown {
                            janus: "keepalive".into(),
                            transaction: None,
                            session_id: None,
                            sender: None
                        }
                    )
                },
                V::Nothing,
                W::Unroutable,
            ),
        ),
        (
            "extra_fields_event",
            case(
                |m| {
                    let (d, jsep) = event(m, Some("Le6Ou0Ri4Xb8"), ECHO);
                    assert_eq!(
                        d.value().expect("JSON value"),
                        json!({"echotest": "event", "result": "ok"})
                    );
                    jsep_of(jsep, JsepType::Answer);
                },
                V::Message,
                W::Done(|o| ok_plugin(o, Some(JsepType::Answer))),
            ),
        ),
        (
            "extra_fields_webrtcup",
            case(
                |m| {
                    assert_eq!(
                        m,
                        &ServerMessage::WebrtcUp {
                            session_id: SessionId(S),
                            sender: HandleId(H)
                        }
                    )
                },
                V::Nothing,
                W::Handle(|k| matches!(k, HandleEventKind::WebrtcUp)),
            ),
        ),
        (
            "extra_fields_success",
            case(
                |m| {
                    let id = Some(5539017356212847);
                    assert!(success(m, "Mf9Pv3Sj7Yc1", sid(S), None, id).is_none());
                },
                V::Attach,
                W::Done(|o| {
                    matches!(
                        o,
                        Ok(Reply {
                            kind: ReplyKind::Attached(HandleId(5539017356212847)),
                            ..
                        })
                    )
                }),
            ),
        ),
    ];
    collect_table(table)
}

#[test]
fn every_server_fixture_decodes_into_its_variant_and_encodes_back() {
    let mut table = server_expectations();
    for (name, text) in fixtures("server") {
        let case = table
            .remove(name.as_str())
            .unwrap_or_else(|| panic!("server fixture {name} has no expectation entry"));
        let msg = ServerMessage::decode(text.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: does not decode: {e}"));
        (case.check)(&msg);

        // `plugindata.data` is kept verbatim (it is raw JSON), so a pretty fixture's
        // indentation survives inside it: one object, but not necessarily one line.
        let encoded = msg.encode();
        assert_single_object(&encoded, &name, false);
        let again = ServerMessage::decode(encoded.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: its encoding does not decode: {e}"));
        assert_eq!(again, msg, "{name}: decode(encode(x)) != x");
        assert_eq!(
            value(&encoded, &name),
            restrict(&value(&text, &name), &known_shape(&msg)),
            "{name}: a field the typed model knows was lost or changed by encode"
        );
    }
    assert!(
        table.is_empty(),
        "expectations without a fixture: {:?}",
        table.keys().collect::<Vec<_>>()
    );
}

#[test]
fn restricting_to_known_fields_drops_only_unknown_ones() {
    // The comparison above is only as good as `restrict`: check it keeps what it must.
    let text = r#"{"janus":"event","session_id":1,"sender":2,"opaque_id":"o",
        "plugindata":{"plugin":"p","data":{"a":1},"extra":true},
        "jsep":{"type":"offer","sdp":"v=0","x":1}}"#;
    let msg = ServerMessage::decode(text.as_bytes()).expect("decodes");
    let restricted = restrict(&value(text, "inline"), &known_shape(&msg));
    assert_eq!(
        restricted,
        json!({"janus": "event", "session_id": 1, "sender": 2,
               "plugindata": {"plugin": "p", "data": {"a": 1}},
               "jsep": {"type": "offer", "sdp": "v=0"}})
    );
    assert_ne!(restricted, value(text, "inline"));
}

#[test]
fn at_least_a_third_of_server_fixtures_are_pretty_printed_like_janus() {
    let all = fixtures("server");
    let pretty = all
        .iter()
        .filter(|(_, text)| text.starts_with("{\n   \""))
        .count();
    assert!(
        pretty * 3 >= all.len(),
        "{pretty} of {} server fixtures are pretty-printed",
        all.len()
    );
}

// ------------------------------------------------------------------------------------------
// Every server fixture through a Client
// ------------------------------------------------------------------------------------------

fn drain(client: &mut Client) -> (Vec<String>, Vec<Event>) {
    let mut transmits = Vec::new();
    let mut events = Vec::new();
    for _ in 0..1000 {
        match client.poll_transmit() {
            Some(t) => transmits.push(t),
            None => break,
        }
    }
    for _ in 0..1000 {
        match client.poll_event() {
            Some(e) => events.push(e),
            None => break,
        }
    }
    (transmits, events)
}

/// Submits `command` and answers it with a `success` carrying `data.id = id`.
fn establish(client: &mut Client, now: Instant, command: Command, id: u64) -> ReplyKind {
    let txn = client.submit(now, command).expect("submit");
    let (sent, _) = drain(client);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let transaction = Request::decode(&sent[0]).expect("request").transaction;
    let reply = ServerMessage::Success {
        transaction,
        session_id: None,
        sender: None,
        id: Some(id),
        plugindata: None,
    };
    client
        .handle_input(now, Input::text(reply.encode()))
        .expect("reply accepted");
    let (_, events) = drain(client);
    match &events[..] {
        [Event::Completed {
            txn: t,
            outcome: Ok(reply),
        }] if *t == txn => reply.kind.clone(),
        other => panic!("setup: {other:?}"),
    }
}

/// A client holding session `s` with handle `h`.
fn client_with(now: Instant, s: SessionId, h: HandleId) -> Client {
    let mut client = Client::new(Config::new(), now);
    let created = establish(&mut client, now, Command::Create { id: Some(s) }, s.0);
    assert_eq!(created, ReplyKind::SessionCreated(s));
    let attached = establish(&mut client, now, Command::attach(s, VR), h.0);
    assert_eq!(attached, ReplyKind::Attached(h));
    client
}

fn ids_of(msg: &ServerMessage) -> (Option<SessionId>, Option<HandleId>) {
    match msg {
        ServerMessage::ServerInfo { .. } | ServerMessage::Pong { .. } => (None, None),
        ServerMessage::Success {
            session_id, sender, ..
        }
        | ServerMessage::Unknown {
            session_id, sender, ..
        } => (*session_id, *sender),
        ServerMessage::Ack { session_id, .. } | ServerMessage::Error { session_id, .. } => {
            (*session_id, None)
        }
        ServerMessage::Event {
            session_id, sender, ..
        }
        | ServerMessage::WebrtcUp { session_id, sender }
        | ServerMessage::Media {
            session_id, sender, ..
        }
        | ServerMessage::SlowLink {
            session_id, sender, ..
        }
        | ServerMessage::Hangup {
            session_id, sender, ..
        }
        | ServerMessage::Detached { session_id, sender }
        | ServerMessage::Trickle {
            session_id, sender, ..
        } => (Some(*session_id), Some(*sender)),
        ServerMessage::Timeout { session_id } => (Some(*session_id), None),
    }
}

fn assert_wanted(
    name: &str,
    want: Want,
    events: &[Event],
    txn: Option<janus_proto::TransactionId>,
    s: SessionId,
    h: HandleId,
) {
    let found = events.iter().any(|e| match (want, e) {
        (Want::Done(ok), Event::Completed { txn: t, outcome }) => Some(*t) == txn && ok(outcome),
        (Want::Acked(want_hint), Event::Acked { txn: t, hint }) => {
            Some(*t) == txn && hint.as_deref() == want_hint
        }
        (
            Want::Handle(ok),
            Event::Handle {
                session,
                handle,
                event,
            },
        ) => *session == s && *handle == h && ok(&event.kind),
        (Want::Session(ok), Event::Session { session, event }) => *session == s && ok(event),
        (Want::ConnectionError(code), Event::Connection(ConnectionEvent::Error { error, .. })) => {
            error.code == code
        }
        (Want::Unroutable, Event::Connection(ConnectionEvent::Unroutable { .. })) => true,
        _ => false,
    });
    assert!(found, "{name}: the wanted event is not among {events:#?}");
}

#[test]
fn every_server_fixture_fed_to_a_client_produces_its_event() {
    let table = server_expectations();
    let now = base();
    for (name, text) in fixtures("server") {
        let case = table
            .get(name.as_str())
            .unwrap_or_else(|| panic!("server fixture {name} has no expectation entry"));
        let msg = ServerMessage::decode(text.as_bytes()).expect("decodes");
        let (s, h) = ids_of(&msg);
        let s = s.unwrap_or(SessionId(S));
        let h = h.unwrap_or(HandleId(H));
        // An attach reply names a new handle: the client must not already hold it.
        let setup_h = match case.via {
            Via::Attach => HandleId(h.0 + 1),
            _ => h,
        };
        let mut client = client_with(now, s, setup_h);

        let mut frame = text.clone();
        let txn = match case.via.command(s, h) {
            None => {
                assert!(
                    !matches!(case.want, Want::Done(_) | Want::Acked(_)),
                    "{name}: a reply needs a request"
                );
                None
            }
            Some(command) => {
                let txn = client.submit(now, command).expect("submit");
                let (sent, _) = drain(&mut client);
                assert_eq!(sent.len(), 1, "{name}: {sent:?}");
                let wire = Request::decode(&sent[0]).expect("request").transaction;
                let theirs = msg
                    .transaction()
                    .unwrap_or_else(|| panic!("{name}: a reply fixture needs a transaction"));
                let theirs = serde_json::to_string(theirs).expect("string");
                assert_eq!(
                    frame.matches(&theirs).count(),
                    1,
                    "{name}: {theirs} not unique"
                );
                let ours = serde_json::to_string(&wire).expect("string");
                frame = frame.replace(&theirs, &ours);
                Some(txn)
            }
        };

        client
            .handle_input(now, Input::text(frame))
            .unwrap_or_else(|e| panic!("{name}: rejected by the client: {e}"));
        let (_, events) = drain(&mut client);
        assert!(!events.is_empty(), "{name}: dropped silently");
        assert_wanted(&name, case.want, &events, txn, s, h);
    }
}

/// Found by the `decode` fuzz target: a number far beyond `f64` is valid JSON by the grammar
/// (so the frame decodes and its typed view works), but `serde_json::Value` cannot hold it.
/// `value()` says so instead of answering `Null`.
#[test]
fn a_payload_serde_json_value_cannot_hold_decodes_and_value_reports_the_error() {
    let frame = format!(
        r#"{{"janus":"event","session_id":{S},"sender":{H},"plugindata":{{"plugin":"janus.plugin.audiobridge","data":{{"audiobridge":"joined","room":6161,"participants":[{{"id":18810E928259283018,"display":"bob"}}]}}}}}}"#
    );
    let now = base();
    let mut client = client_with(now, SessionId(S), HandleId(H));
    client
        .handle_input(now, Input::text(frame))
        .expect("valid JSON is accepted");
    let (_, events) = drain(&mut client);
    let [Event::Handle { event, .. }] = events.as_slice() else {
        panic!("one handle event expected: {events:#?}");
    };
    let HandleEventKind::Plugin { data, .. } = &event.kind else {
        panic!("a plugin event expected: {event:#?}");
    };
    #[derive(serde::Deserialize)]
    struct Joined<'a> {
        audiobridge: &'a str,
        room: u64,
    }
    let joined: Joined<'_> = data.parse().expect("the typed view skips the huge number");
    assert_eq!((joined.audiobridge, joined.room), ("joined", 6161));
    let err = data
        .value()
        .expect_err("Value cannot hold 1.8e928259283018");
    assert!(err.to_string().contains("number out of range"), "{err}");
    let err = event.raw.value().expect_err("nor can it hold the frame");
    assert!(err.to_string().contains("number out of range"), "{err}");
}
