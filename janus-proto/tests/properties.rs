//! Property tests of the sans-IO core (sans-io-style.md §8.5 item 4):
//!
//! * (a) every outgoing [`Request`] and every [`ServerMessage`] survives `encode` → `decode`,
//!   and an encoded request is exactly one JSON object with nothing after it;
//! * (b) random sequences of commands, server frames (answers, reordered, duplicated,
//!   unsolicited, garbage), cancellations, time steps, closes and reconnects never panic, end
//!   every transaction exactly once, and never leave a deadline at or before `now` after
//!   `handle_timeout(now)`;
//! * (c) replaying a sequence on a fresh client gives byte-identical transmits and identical
//!   events (also shifted in time), and (c') the same sequence without its refused
//!   `submit`/`cancel` calls gives the same outputs less theirs;
//! * (d) draining after every frame or once after a batch of frames gives the same events;
//! * (e) observing (`Config::observe`) changes no output, and the observations add up: each
//!   started request ends once with the outcome its caller got, the sessions and handles
//!   opened less those ended are the live ones, every dropped event is counted.
//!
//! The harness of (b)–(d) also checks, after every step: every transmit decodes as one
//! canonical `Request` carrying the configured `apisecret`/`token` exactly when it needs
//! them; nothing is sent while closed; refused calls and refused frames produce no output
//! and move no timer; a well-formed Janus message is never a `ProtocolError`; `pending()`
//! matches the completions seen; `poll_timeout` is never later than a pending request's
//! deadline, nor more than a keepalive interval away while a session is active, and is
//! `None` once closed; no request times out early or outlives its deadline, and `TimedOut`
//! says `acked` exactly when `Acked` was seen; `submit` accepts exactly the ids the client
//! reports live, and `sessions`/`handles`/`session_of` agree; acks and late replies only
//! name the right transactions; on an `Ordered` handle a request is held until the earlier
//! messages are accepted (or, for `hangup`/`detach`, finished). The checks are shown to
//! fail on hand-made violations in the unit tests at the end or by the bug reproducers
//! there; the main ones were also seen to fail on deliberately broken copies of client.rs.
//!
//! `PROPTEST_CASES` overrides every case count. Failures are not persisted to files: a
//! failure found here is kept below as a named `#[test]` reproducer instead.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use janus_proto::observe::{Observation, Outcome};
use janus_proto::testing::answers::{Answer, AnswerId, Answerer, Notice};
use janus_proto::testing::{Ledger, ServerEncode};
use janus_proto::wire::{
    ComponentInfo, MediaState, PluginData, Request, RequestBody, ServerInfo, ServerMessage,
    SlowLink,
};
use janus_proto::{
    Candidate, Client, Command, Config, ConnectionEvent, Event, HandleEventKind, HandleId,
    IceCandidate, Input, JanusError, Jsep, JsepType, Ordering, ProtocolError, Reply, ReplyKind,
    RequestError, Secret, SessionEvent, SessionId, SessionState, TransactionId, Trickle,
    UsageError,
};
use proptest::option;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------
// Run settings
// ---------------------------------------------------------------------------------------

/// The case count: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn proptest_config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default_cases),
        // Shrunk failures become named `#[test]`s in this file, not regression files.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The one real clock reading: the origin of simulated time.
#[allow(clippy::disallowed_methods)]
fn base_instant() -> Instant {
    Instant::now()
}

// ---------------------------------------------------------------------------------------
// Strategies: text and JSON
// ---------------------------------------------------------------------------------------

/// Characters that stress JSON escaping, plus anything at all.
fn arb_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        3 => prop::char::range('a', 'z'),
        2 => prop::sample::select(vec![
            '"', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{1f}', '\u{7f}', 'é', '€', '😀',
            '\u{2028}', '\u{feff}', '{', '}', ' ', '0', '9',
        ]),
    ]
}

/// Short strings, including empty, non-ASCII, quotes, backslashes and control characters.
fn arb_text() -> BoxedStrategy<String> {
    prop::collection::vec(arb_char(), 0..10)
        .prop_map(String::from_iter)
        .boxed()
}

/// Floats that serde_json's default parser (no `float_roundtrip` feature) reads back
/// exactly: short decimal expansions. Arbitrary `f64`s may come back one ULP off, which is a
/// property of the parser, not of this crate's wire model.
fn arb_f64() -> impl Strategy<Value = f64> {
    (any::<i16>(), 0u32..7).prop_map(|(n, k)| f64::from(n) / f64::from(1u32 << k))
}

fn arb_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        arb_f64().prop_map(Value::from),
        arb_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(arb_text(), inner, 0..4).prop_map(object),
        ]
    })
    .boxed()
}

fn object(map: BTreeMap<String, Value>) -> Value {
    Value::Object(map.into_iter().collect())
}

/// A JSON object with arbitrary keys and values.
fn arb_object() -> BoxedStrategy<Value> {
    prop::collection::btree_map(arb_text(), arb_json(), 0..5)
        .prop_map(object)
        .boxed()
}

/// A plugin payload carrying `error_code` (and usually `error`) next to other fields.
fn arb_plugin_error_object() -> BoxedStrategy<Value> {
    (any::<i64>(), option::of(arb_text()), arb_object())
        .prop_map(|(code, reason, mut data)| {
            if let Value::Object(map) = &mut data {
                map.insert("error_code".into(), code.into());
                if let Some(reason) = reason {
                    map.insert("error".into(), reason.into());
                }
            }
            data
        })
        .boxed()
}

/// Ids across the whole `u64` range, with the edges (0, 2^53, 2^63, `u64::MAX`) likely.
fn arb_u64_id() -> BoxedStrategy<u64> {
    prop_oneof![
        4 => any::<u64>(),
        1 => prop::sample::select(vec![0, 1, 1 << 53, (1 << 53) + 1, 1 << 63, u64::MAX]),
    ]
    .boxed()
}

fn arb_session() -> BoxedStrategy<SessionId> {
    arb_u64_id().prop_map(SessionId).boxed()
}

fn arb_handle() -> BoxedStrategy<HandleId> {
    arb_u64_id().prop_map(HandleId).boxed()
}

// ---------------------------------------------------------------------------------------
// Strategies: the wire model
// ---------------------------------------------------------------------------------------

fn arb_jsep_type() -> BoxedStrategy<JsepType> {
    prop_oneof![
        4 => Just(JsepType::Offer),
        4 => Just(JsepType::Answer),
        // `Other("offer")` would decode as `Offer`: only strings that are not a known type.
        1 => arb_text()
            .prop_filter("a known type", |s| s != "offer" && s != "answer")
            .prop_map(JsepType::Other),
    ]
    .boxed()
}

fn arb_jsep() -> BoxedStrategy<Jsep> {
    let rid_order = prop_oneof![Just("hml".to_owned()), Just("lmh".to_owned()), arb_text()];
    (
        arb_jsep_type(),
        prop_oneof![
            Just("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n".to_owned()),
            arb_text()
        ],
        option::of(any::<bool>()),
        option::of(rid_order),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
    )
        .prop_map(|(kind, sdp, trickle, rid_order, force_relay, e2ee)| Jsep {
            kind,
            sdp,
            trickle,
            rid_order,
            force_relay,
            e2ee,
        })
        .boxed()
}

fn arb_candidate() -> BoxedStrategy<Candidate> {
    let ice = (
        prop_oneof![
            Just("candidate:1 1 udp 2015363327 192.0.2.2 43541 typ host".to_owned()),
            arb_text(),
        ],
        option::of(arb_text()),
        option::of(any::<u32>()),
    )
        .prop_map(|(candidate, sdp_mid, sdp_mline_index)| {
            Candidate::Ice(IceCandidate {
                candidate,
                sdp_mid,
                sdp_mline_index,
            })
        });
    prop_oneof![1 => Just(Candidate::Completed), 4 => ice].boxed()
}

fn arb_trickle() -> BoxedStrategy<Trickle> {
    prop_oneof![
        arb_candidate().prop_map(Trickle::One),
        prop::collection::vec(arb_candidate(), 0..4).prop_map(Trickle::Many),
    ]
    .boxed()
}

/// Every `RequestBody` variant with every field.
fn arb_request_body() -> BoxedStrategy<RequestBody> {
    let sh = || (arb_session(), arb_handle());
    prop_oneof![
        Just(RequestBody::Info),
        Just(RequestBody::Ping),
        option::of(arb_session()).prop_map(|id| RequestBody::Create { id }),
        (
            arb_session(),
            arb_text(),
            option::of(arb_text()),
            option::of(any::<u32>())
        )
            .prop_map(
                |(session_id, plugin, opaque_id, loop_index)| RequestBody::Attach {
                    session_id,
                    plugin,
                    opaque_id,
                    loop_index,
                }
            ),
        (
            sh(),
            prop_oneof![4 => arb_object(), 1 => arb_json()],
            option::of(arb_jsep())
        )
            .prop_map(
                |((session_id, handle_id), body, jsep)| RequestBody::Message {
                    session_id,
                    handle_id,
                    body,
                    jsep,
                }
            ),
        (sh(), arb_trickle()).prop_map(|((session_id, handle_id), trickle)| {
            RequestBody::Trickle {
                session_id,
                handle_id,
                trickle,
            }
        }),
        sh().prop_map(|(session_id, handle_id)| RequestBody::Hangup {
            session_id,
            handle_id
        }),
        sh().prop_map(|(session_id, handle_id)| RequestBody::Detach {
            session_id,
            handle_id
        }),
        arb_session().prop_map(|session_id| RequestBody::Destroy { session_id }),
        arb_session().prop_map(|session_id| RequestBody::Keepalive { session_id }),
        arb_session().prop_map(|session_id| RequestBody::Claim { session_id }),
    ]
    .boxed()
}

fn arb_request() -> BoxedStrategy<Request> {
    (
        arb_text(),
        arb_request_body(),
        option::of(arb_text()),
        option::of(arb_text()),
    )
        .prop_map(|(transaction, body, apisecret, token)| Request {
            transaction,
            body,
            apisecret: apisecret.map(Secret::new),
            token: token.map(Secret::new),
        })
        .boxed()
}

fn plugin_data(plugin: &str, data: &Value) -> PluginData {
    PluginData {
        plugin: plugin.to_owned(),
        // Serializing a `Value` cannot fail.
        data: serde_json::value::to_raw_value(data).expect("a Value serializes"),
    }
}

fn arb_plugindata() -> BoxedStrategy<PluginData> {
    (
        arb_text(),
        prop_oneof![3 => arb_json(), 2 => arb_plugin_error_object()],
    )
        .prop_map(|(plugin, data)| plugin_data(&plugin, &data))
        .boxed()
}

fn arb_component() -> BoxedStrategy<ComponentInfo> {
    (
        option::of(arb_text()),
        option::of(arb_text()),
        option::of(arb_text()),
        option::of(arb_text()),
        option::of(any::<u64>()),
    )
        .prop_map(
            |(name, author, description, version_string, version)| ComponentInfo {
                name,
                author,
                description,
                version_string,
                version,
            },
        )
        .boxed()
}

fn arb_server_info() -> BoxedStrategy<ServerInfo> {
    let strings = prop::collection::vec(option::of(arb_text()), 7);
    let numbers = prop::collection::vec(option::of(any::<u64>()), 4);
    let flags = prop::collection::vec(option::of(any::<bool>()), 11);
    let maps = (
        prop::collection::btree_map(arb_text(), arb_text(), 0..3),
        prop::collection::vec(
            prop::collection::btree_map(arb_text(), arb_component(), 0..3),
            4,
        ),
    );
    (strings, numbers, flags, maps)
        .prop_map(|(s, n, b, (dependencies, mut components))| {
            let plugins = components.pop().unwrap_or_default();
            let loggers = components.pop().unwrap_or_default();
            let events = components.pop().unwrap_or_default();
            let transports = components.pop().unwrap_or_default();
            ServerInfo {
                name: s[0].clone(),
                version: n[0],
                version_string: s[1].clone(),
                author: s[2].clone(),
                commit_hash: s[3].clone(),
                compile_time: s[4].clone(),
                data_channels: b[0],
                accepting_new_sessions: b[1],
                session_timeout: n[1],
                reclaim_session_timeout: n[2],
                candidates_timeout: n[3],
                server_name: s[5].clone(),
                local_ip: s[6].clone(),
                ipv6: b[2],
                ice_lite: b[3],
                ice_tcp: b[4],
                full_trickle: b[5],
                mdns_enabled: b[6],
                api_secret: b[7],
                auth_token: b[8],
                event_handlers: b[9],
                opaqueid_in_api: b[10],
                dependencies,
                transports,
                events,
                loggers,
                plugins,
            }
        })
        .boxed()
}

fn arb_media() -> BoxedStrategy<MediaState> {
    (
        option::of(arb_text()),
        option::of(prop_oneof![Just("audio".to_owned()), arb_text()]),
        any::<bool>(),
        option::of(any::<u64>()),
        option::of(any::<u32>()),
    )
        .prop_map(|(mid, kind, receiving, seconds, substream)| MediaState {
            mid,
            kind,
            receiving,
            seconds,
            substream,
        })
        .boxed()
}

fn arb_slowlink() -> BoxedStrategy<SlowLink> {
    (
        option::of(arb_text()),
        option::of(arb_text()),
        any::<bool>(),
        option::of(any::<u64>()),
        option::of(any::<u64>()),
    )
        .prop_map(|(mid, media, uplink, lost, nacks)| SlowLink {
            mid,
            media,
            uplink,
            lost,
            nacks,
        })
        .boxed()
}

const KNOWN_KINDS: &[&str] = &[
    "server_info",
    "pong",
    "success",
    "ack",
    "error",
    "event",
    "webrtcup",
    "media",
    "slowlink",
    "hangup",
    "detached",
    "timeout",
    "trickle",
];

/// A `janus` value this crate does not model.
fn arb_unknown_kind() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec!["claimed", "", "SUCCESS", "keepalive", "info"])
            .prop_map(str::to_owned),
        arb_text().prop_filter("a known kind", |s| !KNOWN_KINDS.contains(&s.as_str())),
    ]
    .boxed()
}

fn arb_janus_error() -> BoxedStrategy<JanusError> {
    (
        prop_oneof![
            prop::sample::select(vec![403u32, 454, 456, 457, 458, 459, 460, 467, 468, 490]),
            any::<u32>()
        ],
        arb_text(),
    )
        .prop_map(|(code, reason)| JanusError { code, reason })
        .boxed()
}

/// Every `ServerMessage` variant with every field.
fn arb_server_message() -> BoxedStrategy<ServerMessage> {
    let sh = || (arb_session(), arb_handle());
    prop_oneof![
        (arb_text(), arb_server_info()).prop_map(|(transaction, info)| {
            ServerMessage::ServerInfo {
                transaction,
                info: Box::new(info),
            }
        }),
        arb_text().prop_map(|transaction| ServerMessage::Pong { transaction }),
        (
            arb_text(),
            option::of(arb_session()),
            option::of(arb_handle()),
            option::of(any::<u64>()),
            option::of(arb_plugindata())
        )
            .prop_map(|(transaction, session_id, sender, id, plugindata)| {
                ServerMessage::Success {
                    transaction,
                    session_id,
                    sender,
                    id,
                    plugindata,
                }
            }),
        (
            arb_text(),
            option::of(arb_session()),
            option::of(arb_text())
        )
            .prop_map(|(transaction, session_id, hint)| ServerMessage::Ack {
                transaction,
                session_id,
                hint,
            }),
        (
            option::of(arb_text()),
            option::of(arb_session()),
            arb_janus_error()
        )
            .prop_map(|(transaction, session_id, error)| ServerMessage::Error {
                transaction,
                session_id,
                error,
            }),
        (
            option::of(arb_text()),
            sh(),
            arb_plugindata(),
            option::of(arb_jsep())
        )
            .prop_map(|(transaction, (session_id, sender), plugindata, jsep)| {
                ServerMessage::Event {
                    transaction,
                    session_id,
                    sender,
                    plugindata,
                    jsep,
                }
            }),
        sh().prop_map(|(session_id, sender)| ServerMessage::WebrtcUp { session_id, sender }),
        (sh(), arb_media()).prop_map(|((session_id, sender), media)| ServerMessage::Media {
            session_id,
            sender,
            media,
        }),
        (sh(), arb_slowlink()).prop_map(|((session_id, sender), slowlink)| {
            ServerMessage::SlowLink {
                session_id,
                sender,
                slowlink,
            }
        }),
        (sh(), option::of(arb_text())).prop_map(|((session_id, sender), reason)| {
            ServerMessage::Hangup {
                session_id,
                sender,
                reason,
            }
        }),
        sh().prop_map(|(session_id, sender)| ServerMessage::Detached { session_id, sender }),
        arb_session().prop_map(|session_id| ServerMessage::Timeout { session_id }),
        (sh(), arb_candidate()).prop_map(|((session_id, sender), candidate)| {
            ServerMessage::Trickle {
                session_id,
                sender,
                candidate,
            }
        }),
        (
            arb_unknown_kind(),
            option::of(arb_text()),
            option::of(arb_session()),
            option::of(arb_handle())
        )
            .prop_map(|(janus, transaction, session_id, sender)| {
                ServerMessage::Unknown {
                    janus,
                    transaction,
                    session_id,
                    sender,
                }
            }),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Checks shared by the properties (each one is shown to fail in the unit tests below)
// ---------------------------------------------------------------------------------------

/// The keys of a JSON object in document order, duplicates kept.
struct TopLevelKeys(Vec<String>);

impl<'de> Deserialize<'de> for TopLevelKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = TopLevelKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevelKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(TopLevelKeys(keys))
            }
        }
        d.deserialize_map(Keys)
    }
}

/// An outgoing frame is exactly one JSON object, ends with `}`, has no duplicate keys.
fn check_frame(frame: &str) -> Result<Map<String, Value>, String> {
    if !frame.ends_with('}') {
        return Err(format!("frame does not end with `}}`: {frame:?}"));
    }
    let mut values = serde_json::Deserializer::from_str(frame).into_iter::<Value>();
    let first = match values.next() {
        None => return Err("empty frame".into()),
        Some(Err(e)) => return Err(format!("not JSON ({e}): {frame:?}")),
        Some(Ok(v)) => v,
    };
    if let Some(extra) = values.next() {
        return Err(format!("more than one JSON value ({extra:?}): {frame:?}"));
    }
    let Value::Object(map) = first else {
        return Err(format!("not a JSON object: {frame:?}"));
    };
    let TopLevelKeys(keys) =
        serde_json::from_str(frame).map_err(|e| format!("not an object ({e}): {frame:?}"))?;
    let unique: BTreeSet<&String> = keys.iter().collect();
    if unique.len() != keys.len() {
        return Err(format!("duplicate keys {keys:?}: {frame:?}"));
    }
    Ok(map)
}

/// The envelope fields of an encoded request say what the typed value says.
fn check_request_fields(map: &Map<String, Value>, req: &Request) -> Result<(), String> {
    let str_field = |k: &str| map.get(k).and_then(Value::as_str);
    let u64_field = |k: &str| map.get(k).and_then(Value::as_u64);
    let checks = [
        ("janus", str_field("janus") == Some(req.body.name())),
        (
            "transaction",
            str_field("transaction") == Some(req.transaction.as_str()),
        ),
        (
            "session_id",
            u64_field("session_id") == req.body.session_id().map(|s| s.0),
        ),
        (
            "handle_id",
            u64_field("handle_id") == req.body.handle_id().map(|h| h.0),
        ),
        (
            "apisecret",
            str_field("apisecret") == req.apisecret.as_ref().map(Secret::expose),
        ),
        (
            "token",
            str_field("token") == req.token.as_ref().map(Secret::expose),
        ),
    ];
    match checks.iter().find(|(_, ok)| !ok) {
        Some((field, _)) => Err(format!("field `{field}` does not match {req:?}: {map:?}")),
        None => Ok(()),
    }
}

/// Property (b), ordering: on an `Ordered` handle a `message` goes out only once every
/// earlier message on the handle was accepted (acknowledged or completed), and a `hangup` or
/// `detach` only once every earlier message completed.
#[derive(Debug, Default)]
struct OrderModel {
    attach_ordering: BTreeMap<TransactionId, Ordering>,
    claims: BTreeMap<TransactionId, Vec<u64>>,
    /// Handles seen attached, with whether they are `Ordered`; `None` once ambiguous (the
    /// id was handed out again, or claimed).
    handles: BTreeMap<u64, Option<bool>>,
    /// Per `Ordered` handle: its messages (`false`) and hangups/detaches (`true`) in
    /// submission order.
    queues: BTreeMap<u64, Vec<(TransactionId, bool)>>,
    transmitted: BTreeSet<TransactionId>,
    /// How many transmits had an earlier message to wait for (coverage).
    constrained: usize,
}

impl OrderModel {
    fn submitted(&mut self, txn: TransactionId, command: &Command, default: Ordering) {
        match command {
            Command::Attach { ordering, .. } => {
                self.attach_ordering
                    .insert(txn, ordering.unwrap_or(default));
            }
            Command::Claim { handles, .. } => {
                self.claims
                    .insert(txn, handles.iter().map(|h| h.0).collect());
            }
            Command::Message { handle, .. } => self.enqueue(*handle, txn, false),
            Command::Hangup { handle } | Command::Detach { handle } => {
                self.enqueue(*handle, txn, true)
            }
            _ => {}
        }
    }

    fn enqueue(&mut self, handle: HandleId, txn: TransactionId, barrier: bool) {
        if self.handles.get(&handle.0) == Some(&Some(true)) {
            self.queues
                .entry(handle.0)
                .or_default()
                .push((txn, barrier));
        }
    }

    fn forget(&mut self, handle: u64) {
        self.handles.insert(handle, None);
        self.queues.remove(&handle);
    }

    fn observe(&mut self, event: &Event) {
        let Event::Completed {
            txn,
            outcome: Ok(reply),
        } = event
        else {
            return;
        };
        match reply.kind {
            ReplyKind::Attached(h) => {
                if let Some(ordering) = self.attach_ordering.get(txn) {
                    let ordered = Some(*ordering == Ordering::Ordered);
                    if self.handles.insert(h.0, ordered).is_some() {
                        // Handed out before: which entry the client keeps is its business.
                        self.forget(h.0);
                    }
                }
            }
            ReplyKind::Success => {
                for h in self.claims.remove(txn).unwrap_or_default() {
                    self.forget(h);
                }
            }
            _ => {}
        }
    }

    /// Checks a transmitted request against the completions and acks seen so far.
    fn transmitted(&mut self, txn: TransactionId, ledger: &Ledger) -> Result<(), String> {
        self.transmitted.insert(txn);
        for (handle, queue) in &self.queues {
            let Some(i) = queue.iter().position(|(t, _)| *t == txn) else {
                continue;
            };
            let barrier = queue[i].1;
            if queue[..i].iter().any(|(_, b)| !b) {
                self.constrained += 1;
            }
            for &(earlier, _) in queue[..i].iter().filter(|(_, b)| !b) {
                let done = ledger.is_done(earlier);
                let accepted =
                    done || (self.transmitted.contains(&earlier) && ledger.is_acked(earlier));
                if (barrier && !done) || !accepted {
                    return Err(format!(
                        "{txn} went out on Ordered handle {handle} before message {earlier} \
                         was {}",
                        if barrier { "completed" } else { "accepted" }
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A `TimedOut` outcome comes no earlier than the request's deadline (when known: a
/// timeout of `Duration::MAX` saturates somewhere far off), and says `acked` exactly when an
/// `Acked` event was seen.
fn check_timed_out(
    outcome: &Result<Reply, RequestError>,
    deadline: Option<Instant>,
    now: Instant,
    was_acked: bool,
) -> Result<(), String> {
    let Err(RequestError::TimedOut { acked }) = outcome else {
        return Ok(());
    };
    if let Some(due) = deadline.filter(|due| *due > now) {
        return Err(format!("timed out {:?} before its deadline", due - now));
    }
    if *acked != was_acked {
        return Err(format!(
            "TimedOut {{ acked: {acked} }}, but Acked seen: {was_acked}"
        ));
    }
    Ok(())
}

/// The client's views agree: every handle `handles(s)` lists is live in `s` by
/// `session_of`, and every listed session has a state.
fn check_views(client: &Client) -> Result<(), String> {
    for (session, _) in client.sessions() {
        if client.session_state(session).is_none() {
            return Err(format!(
                "sessions() lists {session}, session_state says none"
            ));
        }
        for handle in client.handles(session) {
            let of = client.session_of(handle);
            if of != Some(session) {
                return Err(format!(
                    "handles({session}) lists {handle}, but session_of({handle}) is {of:?}"
                ));
            }
        }
    }
    Ok(())
}

/// After `handle_timeout(now)`, the next deadline is `None` or later than `now`.
fn check_deadline(next: Option<Instant>, now: Instant) -> Result<(), String> {
    match next {
        Some(at) if at <= now => Err(format!(
            "poll_timeout is {:?} at or before now after handle_timeout",
            now - at
        )),
        _ => Ok(()),
    }
}

/// `poll_timeout` is no later than the earliest deadline of a pending transaction, so a
/// caller that sleeps until it never misses one.
fn check_deadline_covers(next: Option<Instant>, earliest: Option<Instant>) -> Result<(), String> {
    match (next, earliest) {
        (_, None) => Ok(()),
        (Some(at), Some(due)) if at <= due => Ok(()),
        (next, Some(due)) => Err(format!(
            "poll_timeout {next:?} is after a pending transaction's deadline {due:?}"
        )),
    }
}

/// While the connection is open and a session is active, a keepalive is due within one
/// interval.
fn check_keepalive_armed(
    next: Option<Instant>,
    now: Instant,
    interval: Duration,
) -> Result<(), String> {
    match next {
        Some(at) if at <= now + interval => Ok(()),
        next => Err(format!(
            "an active session but poll_timeout is {next:?}, more than {interval:?} away"
        )),
    }
}

// ---------------------------------------------------------------------------------------
// (a) Wire round trips
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(proptest_config(1024))]

    #[test]
    fn every_request_round_trips_as_one_json_object(req in arb_request()) {
        let frame = req.encode();
        let map = check_frame(&frame).map_err(TestCaseError::fail)?;
        check_request_fields(&map, &req).map_err(TestCaseError::fail)?;
        let decoded = Request::decode(&frame)
            .map_err(|e| TestCaseError::fail(format!("decode failed ({e}): {frame}")))?;
        prop_assert_eq!(&decoded, &req, "frame: {}", frame);
        // Encoding is canonical: the decoded value encodes to the same bytes.
        prop_assert_eq!(decoded.encode(), frame);
    }

    #[test]
    fn every_server_message_round_trips(msg in arb_server_message()) {
        let frame = msg.encode();
        check_frame(&frame).map_err(TestCaseError::fail)?;
        let decoded = ServerMessage::decode(frame.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("decode failed ({e}): {frame}")))?;
        prop_assert_eq!(&decoded, &msg, "frame: {}", frame);
        prop_assert_eq!(decoded.transaction(), msg.transaction());
    }
}

// ---------------------------------------------------------------------------------------
// The model-driving harness for (b), (c) and (d)
// ---------------------------------------------------------------------------------------

/// The client's configuration, kept small so that timeouts, limits and drops happen.
#[derive(Debug, Clone)]
struct Setup {
    request_timeout_ms: u64,
    keepalive_ms: u64,
    ordering: Ordering,
    event_queue_capacity: Option<usize>,
    max_pending: Option<usize>,
    memory: usize,
    prefix: String,
    apisecret: Option<String>,
    token: Option<String>,
    keepalive_from_server_info: bool,
    max_outgoing_frame: Option<usize>,
    max_incoming_frame: Option<usize>,
}

impl Setup {
    fn config(&self) -> Config {
        let mut config = Config::new()
            .request_timeout(Duration::from_millis(self.request_timeout_ms))
            .keepalive_interval(Duration::from_millis(self.keepalive_ms))
            .ordering(self.ordering)
            .memory(self.memory)
            .transaction_prefix(self.prefix.clone())
            .keepalive_from_server_info(self.keepalive_from_server_info);
        if let Some(n) = self.event_queue_capacity {
            config = config.event_queue_capacity(n);
        }
        if let Some(n) = self.max_pending {
            config = config.max_pending(n);
        }
        if let Some(s) = &self.apisecret {
            config = config.apisecret(s.as_str());
        }
        if let Some(t) = &self.token {
            config = config.token(t.as_str());
        }
        if let Some(n) = self.max_outgoing_frame {
            config = config.max_outgoing_frame(n);
        }
        if let Some(n) = self.max_incoming_frame {
            config = config.max_incoming_frame(n);
        }
        config
    }

    /// Every default but a short request timeout: the plain configuration of reproducers.
    fn plain(ordering: Ordering) -> Self {
        Self {
            request_timeout_ms: 1000,
            keepalive_ms: 2000,
            ordering,
            event_queue_capacity: None,
            max_pending: None,
            memory: 1024,
            prefix: String::new(),
            apisecret: None,
            token: None,
            keepalive_from_server_info: true,
            max_outgoing_frame: None,
            max_incoming_frame: None,
        }
    }
}

fn arb_setup() -> BoxedStrategy<Setup> {
    (
        (
            prop_oneof![1 => Just(0u64), 3 => 1u64..3000, 4 => 3000u64..20_000],
            1u64..5000,
            prop_oneof![Just(Ordering::Ordered), Just(Ordering::Pipelined)],
            prop_oneof![3 => Just(None), 1 => (1usize..6).prop_map(Some)],
            prop_oneof![5 => Just(None), 1 => (0usize..5).prop_map(Some)],
            prop::sample::select(vec![0usize, 1, 2, 1024]),
        ),
        (
            prop::sample::select(vec!["", "c-", "é\"\\ ", "7"]).prop_map(str::to_owned),
            option::of(arb_text()),
            option::of(arb_text()),
            any::<bool>(),
            prop_oneof![9 => Just(None), 1 => (60usize..200).prop_map(Some)],
            prop_oneof![9 => Just(None), 1 => (40usize..300).prop_map(Some)],
        ),
    )
        .prop_map(
            |(
                (request_timeout_ms, keepalive_ms, ordering, capacity, max_pending, memory),
                (prefix, apisecret, token, from_info, max_out, max_in),
            )| Setup {
                request_timeout_ms,
                keepalive_ms,
                ordering,
                event_queue_capacity: capacity,
                max_pending,
                memory,
                prefix,
                apisecret,
                token,
                keepalive_from_server_info: from_info,
                max_outgoing_frame: max_out,
                max_incoming_frame: max_in,
            },
        )
        .boxed()
}

/// A session or handle id: one the client holds now (by index), one the harness has seen
/// (ended ones too), or any other.
#[derive(Debug, Clone, Copy)]
enum IdPick {
    Live(usize),
    Seen(usize),
    Unknown(u64),
}

fn arb_pick() -> BoxedStrategy<IdPick> {
    prop_oneof![
        12 => (0usize..8).prop_map(IdPick::Live),
        2 => (0usize..16).prop_map(IdPick::Seen),
        1 => arb_u64_id().prop_map(IdPick::Unknown),
    ]
    .boxed()
}

/// A command, with its ids still to be resolved against what the harness has seen.
#[derive(Debug, Clone)]
enum Cmd {
    Info,
    Ping,
    Create(Option<IdPick>),
    Attach {
        session: IdPick,
        plugin: String,
        opaque_id: Option<String>,
        ordering: Option<Ordering>,
    },
    Message {
        handle: IdPick,
        body: Value,
        jsep: Option<Jsep>,
    },
    Trickle {
        handle: IdPick,
        trickle: Trickle,
    },
    Hangup(IdPick),
    Detach(IdPick),
    Destroy(IdPick),
    Keepalive(IdPick),
    Claim {
        session: IdPick,
        handles: Vec<IdPick>,
    },
}

fn arb_small_object() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => Just(serde_json::json!({"request": "list"})),
        2 => prop::collection::btree_map(arb_text(), arb_text().prop_map(Value::String), 0..3)
            .prop_map(object),
        1 => arb_object(),
    ]
    .boxed()
}

fn arb_cmd() -> BoxedStrategy<Cmd> {
    let ordering = option::of(prop_oneof![
        Just(Ordering::Ordered),
        Just(Ordering::Pipelined)
    ]);
    prop_oneof![
        1 => Just(Cmd::Info),
        1 => Just(Cmd::Ping),
        3 => option::weighted(0.2, arb_pick()).prop_map(Cmd::Create),
        5 => (
            arb_pick(),
            prop_oneof![Just("janus.plugin.echotest".to_owned()), arb_text()],
            option::of(arb_text()),
            ordering,
        )
            .prop_map(|(session, plugin, opaque_id, ordering)| Cmd::Attach {
                session,
                plugin,
                opaque_id,
                ordering,
            }),
        8 => (
            arb_pick(),
            prop_oneof![12 => arb_small_object(), 1 => arb_json()],
            option::weighted(0.2, arb_jsep()),
        )
            .prop_map(|(handle, body, jsep)| Cmd::Message { handle, body, jsep }),
        2 => (arb_pick(), arb_trickle())
            .prop_map(|(handle, trickle)| Cmd::Trickle { handle, trickle }),
        1 => arb_pick().prop_map(Cmd::Hangup),
        2 => arb_pick().prop_map(Cmd::Detach),
        1 => arb_pick().prop_map(Cmd::Destroy),
        1 => arb_pick().prop_map(Cmd::Keepalive),
        1 => (arb_pick(), prop::collection::vec(arb_pick(), 0..3))
            .prop_map(|(session, handles)| Cmd::Claim { session, handles }),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
enum Timeout {
    Default,
    Millis(u64),
    Forever,
}

/// How the synthetic server answers a request: an [`Answer`], with the ids it names picked
/// from those the harness has seen when the answer is sent.
#[derive(Debug, Clone)]
struct Shape {
    answer: Answer,
    /// A `success` carries one of the ids seen.
    id: Option<IdPick>,
    /// An `event` comes from one of the handles seen.
    sender: Option<IdPick>,
}

impl Shape {
    fn answer(answer: Answer) -> Self {
        Self {
            answer,
            id: None,
            sender: None,
        }
    }

    fn natural(v: u8) -> Self {
        Self::answer(Answer::Natural(v))
    }
}

fn arb_plugin_payload() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => Just(serde_json::json!({"echotest": "event", "result": "ok"})),
        1 => arb_small_object(),
        2 => (prop::sample::select(vec![411i64, 426, 455, 499]), arb_text()).prop_map(
            |(code, reason)| serde_json::json!({"videoroom": "event", "error_code": code, "error": reason})
        ),
        1 => arb_json(),
    ]
    .boxed()
}

fn arb_shape() -> BoxedStrategy<Shape> {
    prop_oneof![
        24 => any::<u8>().prop_map(Shape::natural),
        2 => option::of(arb_text()).prop_map(|hint| Shape::answer(Answer::Ack(hint))),
        2 => (
            prop_oneof![
                Just((AnswerId::Absent, None)),
                Just((AnswerId::Fresh, None)),
                arb_pick().prop_map(|p| (AnswerId::Absent, Some(p)))
            ],
            option::of(arb_plugin_payload()),
            any::<bool>(),
        )
            .prop_map(|((id, pick), plugindata, sender)| Shape {
                answer: Answer::Success {
                    id,
                    plugindata,
                    sender,
                },
                id: pick,
                sender: None,
            }),
        2 => arb_janus_error().prop_map(|e| Shape::answer(Answer::Error(e))),
        2 => (
            arb_plugin_payload(),
            option::weighted(0.2, arb_jsep()),
            option::weighted(0.2, arb_pick()),
        )
            .prop_map(|(data, jsep, pick)| Shape {
                answer: Answer::Event {
                    data,
                    jsep,
                    sender: None,
                },
                id: None,
                sender: pick,
            }),
        1 => Just(Shape::answer(Answer::Pong)),
        1 => option::of(prop_oneof![Just(0u64), Just(1), Just(60), any::<u64>()])
            .prop_map(|t| Shape::answer(Answer::ServerInfo(t))),
        1 => arb_unknown_kind().prop_map(|k| Shape::answer(Answer::Unknown(k))),
    ]
    .boxed()
}

/// A transaction string that is not one this client has on the wire.
#[derive(Debug, Clone)]
enum Foreign {
    Text(String),
    /// The client's prefix and a number near the last one `submit` returned (possibly one
    /// still held back, or one a keepalive used).
    Near(u8),
    /// The client's prefix followed by junk.
    PrefixJunk(String),
}

fn arb_foreign() -> BoxedStrategy<Foreign> {
    prop_oneof![
        2 => prop_oneof![
            Just(String::new()),
            Just("99999999999999999999999".to_owned()),
            Just("-1".to_owned()),
            arb_text()
        ]
        .prop_map(Foreign::Text),
        2 => (0u8..4).prop_map(Foreign::Near),
        1 => prop_oneof![Just("+1".to_owned()), Just(" 1".to_owned()), arb_text()]
            .prop_map(Foreign::PrefixJunk),
    ]
    .boxed()
}

/// A message Janus sends on its own; an event names one of the sent requests' transactions
/// (by index) when `txn` is set.
fn arb_notice() -> BoxedStrategy<(Notice, Option<usize>)> {
    let plain = |n: Notice| (n, None);
    prop_oneof![
        4 => (
            arb_plugin_payload(),
            option::weighted(0.2, arb_jsep()),
            option::of(any::<usize>()),
        )
            .prop_map(|(data, jsep, txn)| (
                Notice::Event {
                    data,
                    jsep,
                    transaction: None
                },
                txn
            )),
        1 => Just(plain(Notice::WebrtcUp)),
        1 => arb_media().prop_map(move |m| plain(Notice::Media(m))),
        1 => arb_slowlink().prop_map(move |l| plain(Notice::SlowLink(l))),
        1 => option::of(prop_oneof![Just("DTLS alert".to_owned()), arb_text()])
            .prop_map(move |r| plain(Notice::Hangup(r))),
        2 => Just(plain(Notice::Detached)),
        2 => Just(plain(Notice::Timeout)),
        1 => arb_candidate().prop_map(move |c| plain(Notice::Trickle(c))),
        1 => (arb_unknown_kind(), any::<bool>(), any::<bool>()).prop_map(
            move |(janus, session, sender)| plain(Notice::Unknown {
                janus,
                session,
                sender,
            })
        ),
        1 => arb_janus_error().prop_map(move |e| plain(Notice::ErrorWithoutTransaction(e))),
    ]
    .boxed()
}

/// Frames that are not Janus messages (or barely are).
const JUNK: &[&str] = &[
    "",
    " ",
    "null",
    "42",
    "\"success\"",
    "[]",
    r#"[{"janus":"ack","transaction":"1"}]"#,
    "{}",
    r#"{"janus":1}"#,
    r#"{"janus":null}"#,
    r#"{"janus":"success"}"#,
    r#"{"janus":"ack"}"#,
    r#"{"janus":"error","transaction":"1"}"#,
    r#"{"janus":"event","session_id":1,"sender":2}"#,
    r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"p"}}"#,
    r#"{"janus":"media","session_id":1,"sender":2}"#,
    r#"{"janus":"success","transaction":"1","data":{"id":-1}}"#,
    r#"{"janus":"success","transaction":"1","data":{"id":1.5}}"#,
    r#"{"janus":"success","transaction":"1","data":"x"}"#,
    r#"{"janus":"success","transaction":1}"#,
    r#"{"janus":"success","transaction":"1","session_id":18446744073709551616}"#,
    r#"{"janus":"timeout","session_id":"1"}"#,
    r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{}}"#,
    r#"{"janus":"server_info","transaction":"1","session-timeout":-1}"#,
    r#"{"janus":"ack","transaction":"1"}{}"#,
    r#"{"janus":"ack","transaction":"1"} x"#,
    r#"{"janus":"ack","transaction":"1""#,
    "\u{feff}{\"janus\":\"pong\",\"transaction\":\"1\"}",
    // Valid, or nearly: the harness expects nothing of junk either way.
    "{\"janus\":\"ack\",\"transaction\":\"1\"}\n",
    r#"{"janus":"pong","transaction":"1","transaction":"2"}"#,
];

#[derive(Debug, Clone)]
enum Garbage {
    Fixed(usize),
    Bytes(Vec<u8>),
    Text(String),
    /// A delivered frame cut short (possibly inside a UTF-8 sequence).
    Truncated {
        pick: usize,
        cut: usize,
    },
    /// A delivered frame with something after it.
    Trailing {
        pick: usize,
        suffix: String,
    },
    /// Deeply nested arrays or objects.
    Deep {
        depth: usize,
        objects: bool,
    },
}

fn arb_garbage() -> BoxedStrategy<Garbage> {
    prop_oneof![
        4 => (0..JUNK.len()).prop_map(Garbage::Fixed),
        2 => prop::collection::vec(any::<u8>(), 0..24).prop_map(Garbage::Bytes),
        1 => arb_text().prop_map(Garbage::Text),
        2 => (any::<usize>(), any::<usize>())
            .prop_map(|(pick, cut)| Garbage::Truncated { pick, cut }),
        1 => (
            any::<usize>(),
            prop_oneof![Just("x".to_owned()), Just("{}".to_owned()), arb_text()]
        )
            .prop_map(|(pick, suffix)| Garbage::Trailing { pick, suffix }),
        1 => (100usize..2000, any::<bool>())
            .prop_map(|(depth, objects)| Garbage::Deep { depth, objects }),
    ]
    .boxed()
}

/// One step of a scenario.
#[derive(Debug, Clone)]
enum Op {
    Submit(Cmd, Timeout),
    /// Cancel a pending transaction (by index), or the given id when none is picked.
    Cancel(Option<usize>, u64),
    /// Answer a sent request: one not yet answered when `fresh` (if any), else any.
    Reply {
        pick: usize,
        fresh: bool,
        shape: Shape,
        pretty: bool,
    },
    /// Answer as if to a sent request, but with a transaction that is not on the wire.
    Foreign {
        pick: usize,
        txn: Foreign,
        shape: Shape,
        pretty: bool,
    },
    /// A message for a handle (and its session, or another one).
    Unsolicited {
        kind: Notice,
        /// An event names the transaction of this sent request (by index).
        txn: Option<usize>,
        handle: IdPick,
        session: Option<IdPick>,
        pretty: bool,
    },
    /// Deliver an earlier frame again.
    Duplicate(usize),
    Garbage(Garbage),
    /// Advance time by this many milliseconds and call `handle_timeout`.
    Advance(u64),
    /// Jump to the deadline `poll_timeout` reports and call `handle_timeout`.
    ToDeadline,
    /// Call `handle_timeout` with a time this many milliseconds in the past.
    StaleTick(u64),
    /// `Input::Closed`, then `reconnect` at once when set.
    Close(bool),
    Reconnect,
}

fn arb_frame_op() -> BoxedStrategy<Op> {
    prop_oneof![
        30 => (any::<usize>(), prop::bool::weighted(0.8), arb_shape(), prop::bool::weighted(0.1))
            .prop_map(|(pick, fresh, shape, pretty)| Op::Reply {
                pick,
                fresh,
                shape,
                pretty,
            }),
        3 => (any::<usize>(), arb_foreign(), arb_shape(), prop::bool::weighted(0.1)).prop_map(
            |(pick, txn, shape, pretty)| Op::Foreign {
                pick,
                txn,
                shape,
                pretty,
            }
        ),
        8 => (
            arb_notice(),
            arb_pick(),
            option::weighted(0.3, arb_pick()),
            prop::bool::weighted(0.1)
        )
            .prop_map(|((kind, txn), handle, session, pretty)| Op::Unsolicited {
                kind,
                txn,
                handle,
                session,
                pretty,
            }),
        3 => any::<usize>().prop_map(Op::Duplicate),
        4 => arb_garbage().prop_map(Op::Garbage),
    ]
    .boxed()
}

fn arb_op() -> BoxedStrategy<Op> {
    let timeout = prop_oneof![
        6 => Just(Timeout::Default),
        2 => (0u64..3000).prop_map(Timeout::Millis),
        1 => Just(Timeout::Forever),
    ];
    let step = prop_oneof![
        1 => Just(0u64),
        3 => 1u64..50,
        4 => 50u64..2000,
        1 => 2000u64..60_000,
    ];
    prop_oneof![
        30 => (arb_cmd(), timeout).prop_map(|(cmd, t)| Op::Submit(cmd, t)),
        3 => (option::weighted(0.8, any::<usize>()), any::<u64>())
            .prop_map(|(pick, raw)| Op::Cancel(pick, raw)),
        48 => arb_frame_op(),
        8 => step.prop_map(Op::Advance),
        4 => Just(Op::ToDeadline),
        1 => (0u64..5000).prop_map(Op::StaleTick),
        2 => prop::bool::weighted(0.7).prop_map(Op::Close),
        1 => Just(Op::Reconnect),
    ]
    .boxed()
}

/// Ops that create `sessions` sessions with `handles` handles each, answered naturally.
fn bootstrap(sessions: usize, handles: usize) -> Vec<Op> {
    let answer = Op::Reply {
        pick: 0,
        fresh: true,
        shape: Shape::natural(0),
        pretty: false,
    };
    let mut ops = Vec::new();
    for s in 0..sessions {
        ops.push(Op::Submit(Cmd::Create(None), Timeout::Default));
        ops.push(answer.clone());
        for _ in 0..handles {
            ops.push(Op::Submit(
                Cmd::Attach {
                    session: IdPick::Live(s),
                    plugin: "janus.plugin.echotest".into(),
                    opaque_id: None,
                    ordering: None,
                },
                Timeout::Default,
            ));
            ops.push(answer.clone());
        }
    }
    ops
}

/// Up to `max` random ops, usually after a bootstrap that gives them sessions and handles
/// to work on.
fn arb_ops(max: usize) -> BoxedStrategy<Vec<Op>> {
    (
        prop_oneof![1 => Just((0, 0)), 4 => (1usize..3, 0usize..3)],
        prop::collection::vec(arb_op(), 0..max),
    )
        .prop_map(|((sessions, handles), ops)| {
            let mut all = bootstrap(sessions, handles);
            all.extend(ops);
            all
        })
        .boxed()
}

/// Everything observable, in order: what (c) compares between runs.
#[derive(Debug, Clone, PartialEq)]
enum Record {
    Submit(Result<TransactionId, UsageError>),
    Cancel(Result<(), UsageError>),
    Input(Result<(), String>),
    Transmit(String),
    Event(Event),
    /// `poll_timeout` after an op, relative to the start.
    Deadline(Option<Duration>),
}

/// A request the client put on the wire.
#[derive(Debug)]
struct Sent {
    req: Request,
    answered: bool,
}

/// A `Client` driven by ops, with a synthetic server answering from what it was sent.
struct Harness {
    client: Client,
    prefix: String,
    base: Instant,
    now: Instant,
    ledger: Ledger,
    log: Vec<Record>,
    sent: Vec<Sent>,
    /// Frames delivered so far, and whether each is a well-formed Janus message.
    delivered: Vec<(Bytes, bool)>,
    /// Session ids seen (requests sent, ids the server handed out), first-seen order.
    sessions: Vec<u64>,
    /// Handle ids seen, with their session.
    handles: Vec<(u64, u64)>,
    /// The synthetic server: it builds the answers and hands out fresh ids.
    answers: Answerer,
    last_submitted: u64,
    request_timeout: Duration,
    /// The configured keepalive interval, when keepalives can always be sent (no tiny
    /// `max_outgoing_frame`).
    keepalive: Option<Duration>,
    /// The deadline of every transaction submitted with a finite one.
    deadlines: BTreeMap<TransactionId, Instant>,
    /// For each op applied: whether it was a refused `submit` or `cancel`, and where its
    /// records start and end in `log`.
    calls: Vec<(bool, usize, usize)>,
    default_ordering: Ordering,
    order: OrderModel,
    /// The configured `apisecret` and `token`.
    auth: (Option<String>, Option<String>),
}

impl Harness {
    fn new(setup: &Setup, base: Instant) -> Self {
        Self {
            client: Client::new(setup.config(), base),
            prefix: setup.prefix.clone(),
            base,
            now: base,
            ledger: Ledger::new(setup.prefix.clone()),
            log: Vec::new(),
            sent: Vec::new(),
            delivered: Vec::new(),
            sessions: Vec::new(),
            handles: Vec::new(),
            answers: Answerer::new(1000),
            last_submitted: 0,
            request_timeout: Duration::from_millis(setup.request_timeout_ms),
            keepalive: setup
                .max_outgoing_frame
                .is_none()
                .then(|| Duration::from_millis(setup.keepalive_ms)),
            deadlines: BTreeMap::new(),
            calls: Vec::new(),
            default_ordering: setup.ordering,
            order: OrderModel::default(),
            auth: (setup.apisecret.clone(), setup.token.clone()),
        }
    }

    /// The earliest deadline of a pending transaction.
    fn earliest_deadline(&self) -> Option<Instant> {
        self.ledger
            .pending()
            .filter_map(|t| self.deadlines.get(&t))
            .min()
            .copied()
    }

    /// Whether the command names a session or handle the client reports live, if it names
    /// one that must be live.
    fn names_live(&self, command: &Command) -> Option<bool> {
        match command {
            Command::Attach { session, .. }
            | Command::Destroy { session }
            | Command::Keepalive { session } => Some(self.client.session_state(*session).is_some()),
            Command::Message { handle, .. }
            | Command::Trickle { handle, .. }
            | Command::Hangup { handle }
            | Command::Detach { handle } => Some(self.client.session_of(*handle).is_some()),
            _ => None,
        }
    }

    /// Runs the ops, then closes the connection and checks that nothing is left pending.
    fn run(setup: &Setup, ops: &[Op], base: Instant) -> Self {
        let mut h = Self::new(setup, base);
        for op in ops {
            h.apply(op);
        }
        h.finish();
        h
    }

    fn finish(&mut self) {
        let r = self.client.handle_input(self.now, Input::Closed);
        assert!(r.is_ok(), "Input::Closed failed: {r:?}");
        self.drain(false);
        assert_eq!(
            self.client.poll_timeout(),
            None,
            "a timer armed after Input::Closed"
        );
        if let Err(e) = self.ledger.all_done() {
            panic!("after Input::Closed: {e}");
        }
        assert_eq!(self.client.pending(), 0, "pending() after Input::Closed");
    }

    fn add_session(&mut self, s: u64) {
        if !self.sessions.contains(&s) {
            self.sessions.push(s);
        }
    }

    fn add_handle(&mut self, s: u64, h: u64) {
        self.add_session(s);
        if !self.handles.iter().any(|&(_, x)| x == h) {
            self.handles.push((s, h));
        }
    }

    fn session(&self, pick: IdPick) -> u64 {
        let live: Vec<u64> = self.client.sessions().map(|(s, _)| s.0).collect();
        match pick {
            IdPick::Live(i) if !live.is_empty() => live[i % live.len()],
            IdPick::Live(i) | IdPick::Seen(i) if !self.sessions.is_empty() => {
                self.sessions[i % self.sessions.len()]
            }
            IdPick::Live(i) | IdPick::Seen(i) => i as u64,
            IdPick::Unknown(x) => x,
        }
    }

    /// A handle and, when the harness knows it, its session.
    fn handle(&self, pick: IdPick) -> (Option<u64>, u64) {
        let live: Vec<(u64, u64)> = self
            .client
            .sessions()
            .flat_map(|(s, _)| self.client.handles(s).map(move |h| (s.0, h.0)))
            .collect();
        match pick {
            IdPick::Live(i) if !live.is_empty() => {
                let (s, h) = live[i % live.len()];
                (Some(s), h)
            }
            IdPick::Live(i) | IdPick::Seen(i) if !self.handles.is_empty() => {
                let (s, h) = self.handles[i % self.handles.len()];
                (Some(s), h)
            }
            IdPick::Live(i) | IdPick::Seen(i) => (None, i as u64),
            IdPick::Unknown(x) => (None, x),
        }
    }

    /// Any id seen, session or handle.
    fn any_id(&self, pick: IdPick) -> u64 {
        let all: Vec<u64> = self
            .sessions
            .iter()
            .copied()
            .chain(self.handles.iter().map(|&(_, h)| h))
            .collect();
        match pick {
            IdPick::Live(i) | IdPick::Seen(i) if !all.is_empty() => all[i % all.len()],
            IdPick::Live(i) | IdPick::Seen(i) => i as u64,
            IdPick::Unknown(x) => x,
        }
    }

    fn command(&self, cmd: &Cmd) -> Command {
        let handle = |p: &IdPick| HandleId(self.handle(*p).1);
        match cmd {
            Cmd::Info => Command::Info,
            Cmd::Ping => Command::Ping,
            Cmd::Create(id) => Command::Create {
                id: id.map(|p| SessionId(self.session(p))),
            },
            Cmd::Attach {
                session,
                plugin,
                opaque_id,
                ordering,
            } => Command::Attach {
                session: SessionId(self.session(*session)),
                plugin: plugin.clone(),
                opaque_id: opaque_id.clone(),
                ordering: *ordering,
            },
            Cmd::Message {
                handle: h,
                body,
                jsep,
            } => Command::Message {
                handle: handle(h),
                body: body.clone(),
                jsep: jsep.clone(),
            },
            Cmd::Trickle { handle: h, trickle } => Command::Trickle {
                handle: handle(h),
                trickle: trickle.clone(),
            },
            Cmd::Hangup(h) => Command::Hangup { handle: handle(h) },
            Cmd::Detach(h) => Command::Detach { handle: handle(h) },
            Cmd::Destroy(s) => Command::Destroy {
                session: SessionId(self.session(*s)),
            },
            Cmd::Keepalive(s) => Command::Keepalive {
                session: SessionId(self.session(*s)),
            },
            Cmd::Claim { session, handles } => Command::Claim {
                session: SessionId(self.session(*session)),
                handles: handles.iter().map(handle).collect(),
            },
        }
    }

    fn apply(&mut self, op: &Op) {
        let start = self.log.len();
        // Whether the op must produce no output at all (it failed).
        let mut silent = false;
        match op {
            Op::Submit(cmd, timeout) => {
                let command = self.command(cmd);
                let live = self.names_live(&command);
                let deadline = match timeout {
                    Timeout::Default => self.now.checked_add(self.request_timeout),
                    Timeout::Millis(ms) => self.now.checked_add(Duration::from_millis(*ms)),
                    // Not representable: the client saturates it somewhere far off.
                    Timeout::Forever => self.now.checked_add(Duration::MAX),
                };
                let r = match timeout {
                    Timeout::Default => self.client.submit(self.now, command.clone()),
                    Timeout::Millis(ms) => self.client.submit_with_timeout(
                        self.now,
                        command.clone(),
                        Duration::from_millis(*ms),
                    ),
                    Timeout::Forever => {
                        self.client
                            .submit_with_timeout(self.now, command.clone(), Duration::MAX)
                    }
                };
                match &r {
                    Ok(txn) => {
                        if let Err(e) = self.ledger.submitted(*txn) {
                            panic!("{e}");
                        }
                        self.last_submitted = txn.0;
                        if let Some(at) = deadline {
                            self.deadlines.insert(*txn, at);
                        }
                        self.order.submitted(*txn, &command, self.default_ordering);
                        assert_ne!(live, Some(false), "submit accepted a dead id: {cmd:?}");
                    }
                    Err(e) => {
                        silent = true;
                        let unknown = matches!(
                            e,
                            UsageError::UnknownHandle(_)
                                | UsageError::HandleEnded(_)
                                | UsageError::UnknownSession(_)
                                | UsageError::SessionEnded(_)
                        );
                        assert!(
                            !(unknown && live == Some(true)),
                            "submit refused a live id with {e:?}: {cmd:?}"
                        );
                    }
                }
                self.log.push(Record::Submit(r));
            }
            Op::Cancel(pick, raw) => {
                let outstanding = self.ledger.pending_count();
                let txn = match pick {
                    Some(i) if outstanding > 0 => self.ledger.pending().nth(i % outstanding),
                    _ => None,
                }
                .unwrap_or(TransactionId(*raw));
                let pending = self.ledger.is_pending(txn);
                let r = self.client.cancel(self.now, txn);
                assert_eq!(
                    r.is_ok(),
                    pending,
                    "cancel({txn}) gave {r:?}, pending per the events: {pending}"
                );
                silent = r.is_err();
                self.log.push(Record::Cancel(r));
            }
            Op::Reply { .. }
            | Op::Foreign { .. }
            | Op::Unsolicited { .. }
            | Op::Duplicate(_)
            | Op::Garbage(_) => {
                if let Some((frame, valid)) = self.synthesize(op) {
                    silent = self.deliver(frame, valid).is_err();
                }
            }
            Op::Advance(ms) => {
                self.now += Duration::from_millis(*ms);
                self.tick(self.now);
            }
            Op::ToDeadline => {
                if let Some(at) = self.client.poll_timeout() {
                    self.now = self.now.max(at);
                }
                self.tick(self.now);
            }
            Op::StaleTick(ms) => {
                let then = self
                    .now
                    .checked_sub(Duration::from_millis(*ms))
                    .unwrap_or(self.now);
                self.tick(then);
            }
            Op::Close(reconnect) => {
                let r = self.client.handle_input(self.now, Input::Closed);
                assert!(r.is_ok(), "Input::Closed failed: {r:?}");
                assert!(self.client.is_closed());
                self.drain(false);
                assert_eq!(
                    self.client.poll_timeout(),
                    None,
                    "a timer armed after Input::Closed"
                );
                if *reconnect {
                    self.client.reconnect(self.now);
                }
            }
            Op::Reconnect => {
                self.client.reconnect(self.now);
                assert!(!self.client.is_closed());
            }
        }
        self.drain(silent);
        if let Err(e) = check_views(&self.client) {
            panic!("{e}");
        }
        let next = self.client.poll_timeout();
        if let Err(e) = check_deadline_covers(next, self.earliest_deadline()) {
            panic!("{e}");
        }
        let active = self
            .client
            .sessions()
            .any(|(_, state)| state == SessionState::Active);
        if let (Some(interval), true, false) = (self.keepalive, active, self.client.is_closed()) {
            if let Err(e) = check_keepalive_armed(next, self.now, interval) {
                panic!("{e}");
            }
        }
        let deadline = next.map(|at| at.saturating_duration_since(self.base));
        self.log.push(Record::Deadline(deadline));
        let refused = silent && matches!(op, Op::Submit(..) | Op::Cancel(..));
        self.calls.push((refused, start, self.log.len()));
    }

    /// `handle_timeout(at)`, then the deadline check against the latest time seen.
    fn tick(&mut self, at: Instant) {
        self.client.handle_timeout(at);
        if let Err(e) = check_deadline(self.client.poll_timeout(), self.now) {
            panic!("{e}");
        }
        // The transactions `handle_timeout` ended are still in the queue: drain, then look.
        self.drain(false);
        if let Some(due) = self.earliest_deadline().filter(|due| *due <= self.now) {
            panic!(
                "a transaction outlived its deadline {due:?} (now {:?})",
                self.now
            );
        }
    }

    /// Feeds one frame. A well-formed Janus message must be accepted (unless too large).
    fn deliver(&mut self, frame: Bytes, valid: bool) -> Result<(), String> {
        self.delivered.push((frame.clone(), valid));
        let before = self.client.poll_timeout();
        let r = self
            .client
            .handle_input(self.now, Input::Frame(frame.clone()));
        if r.is_err() {
            assert_eq!(
                self.client.poll_timeout(),
                before,
                "a refused frame moved a timer"
            );
        }
        if valid {
            if let Err(e) = &r {
                assert!(
                    matches!(e, ProtocolError::FrameTooLarge { .. }),
                    "a well-formed frame was refused ({e}): {}",
                    String::from_utf8_lossy(&frame)
                );
            }
        }
        let r = r.map_err(|e| e.to_string());
        self.log.push(Record::Input(r.clone()));
        r
    }

    /// Takes every transmit and event, checking each against the contract.
    fn drain(&mut self, silent: bool) {
        let mut transmitted = Vec::new();
        while let Some(frame) = self.client.poll_transmit() {
            assert!(!silent, "a failed call produced a transmit: {frame}");
            assert!(
                !self.client.is_closed(),
                "a transmit while the connection is closed: {frame}"
            );
            if let Err(e) = check_frame(&frame) {
                panic!("transmit: {e}");
            }
            let req = Request::decode(&frame)
                .unwrap_or_else(|e| panic!("transmit is not a Request ({e}): {frame}"));
            assert_eq!(req.encode(), frame, "transmit is not canonical");
            let expected =
                |configured: &Option<String>| configured.clone().filter(|_| req.body.needs_auth());
            let sent = |secret: &Option<Secret>| secret.as_ref().map(|s| s.expose().to_owned());
            assert_eq!(
                sent(&req.apisecret),
                expected(&self.auth.0),
                "apisecret: {frame}"
            );
            assert_eq!(sent(&req.token), expected(&self.auth.1), "token: {frame}");
            if let Some(s) = req.body.session_id() {
                match req.body.handle_id() {
                    Some(h) => self.add_handle(s.0, h.0),
                    None => self.add_session(s.0),
                }
            }
            if let Err(e) = self.ledger.sent(&req) {
                panic!("{e}");
            }
            if let Some(n) = self.ledger.number(&req.transaction) {
                transmitted.push(n);
            }
            self.sent.push(Sent {
                req,
                answered: false,
            });
            self.log.push(Record::Transmit(frame));
        }
        while let Some(event) = self.client.poll_event() {
            assert!(!silent, "a failed call produced an event: {event:?}");
            if let Event::Completed { txn, outcome } = &event {
                let deadline = self.deadlines.get(txn).copied();
                let acked = self.ledger.is_acked(*txn);
                if let Err(e) = check_timed_out(outcome, deadline, self.now, acked) {
                    panic!("{txn}: {e}");
                }
            }
            if let Err(e) = self.ledger.observe(&event) {
                panic!("{e}");
            }
            self.order.observe(&event);
            self.log.push(Record::Event(event));
        }
        // Checked against the acks and completions of the same drain: they come from the
        // input that released the request.
        for txn in transmitted {
            if let Err(e) = self.order.transmitted(txn, &self.ledger) {
                panic!("{e}");
            }
        }
        assert_eq!(
            self.client.pending(),
            self.ledger.pending_count(),
            "pending() disagrees with the transactions not yet completed"
        );
    }

    /// The frame a frame op delivers, and whether it is a well-formed Janus message.
    fn synthesize(&mut self, op: &Op) -> Option<(Bytes, bool)> {
        match op {
            Op::Reply {
                pick,
                fresh,
                shape,
                pretty,
            } => {
                // Prefer requests the client still waits for, then any not answered yet.
                let live: Vec<usize> = (0..self.sent.len())
                    .filter(|&i| !self.sent[i].answered && self.awaited(&self.sent[i].req))
                    .collect();
                let unanswered: Vec<usize> = (0..self.sent.len())
                    .filter(|&i| !self.sent[i].answered)
                    .collect();
                let index = if *fresh && !live.is_empty() {
                    live[pick % live.len()]
                } else if *fresh && !unanswered.is_empty() {
                    unanswered[pick % unanswered.len()]
                } else if self.sent.is_empty() {
                    return None;
                } else {
                    pick % self.sent.len()
                };
                let req = self.sent[index].req.clone();
                let msg = self.answer(&req, shape);
                let interim = matches!(msg, ServerMessage::Ack { .. })
                    && matches!(req.body, RequestBody::Message { .. });
                if !interim {
                    self.sent[index].answered = true;
                }
                Some((render(&msg, *pretty), true))
            }
            Op::Foreign {
                pick,
                txn,
                shape,
                pretty,
            } => {
                let mut req = match self.sent.len() {
                    0 => Request::new("", RequestBody::Ping),
                    n => self.sent[pick % n].req.clone(),
                };
                req.transaction = match txn {
                    Foreign::Text(t) => t.clone(),
                    Foreign::Near(k) => {
                        let n = (self.last_submitted + u64::from(*k)).saturating_sub(1);
                        format!("{}{n}", self.prefix)
                    }
                    Foreign::PrefixJunk(junk) => format!("{}{junk}", self.prefix),
                };
                let msg = self.answer(&req, shape);
                Some((render(&msg, *pretty), true))
            }
            Op::Unsolicited {
                kind,
                txn,
                handle,
                session,
                pretty,
            } => {
                let msg = self.unsolicited(kind, *txn, *handle, *session);
                Some((render(&msg, *pretty), true))
            }
            Op::Duplicate(pick) => match self.delivered.len() {
                0 => None,
                n => Some(self.delivered[pick % n].clone()),
            },
            Op::Garbage(g) => Some((self.garbage(g), false)),
            _ => None,
        }
    }

    /// Whether the client may still be waiting for an answer to `req`: a transaction it
    /// returned and has not completed, or one of its own keepalives.
    fn awaited(&self, req: &Request) -> bool {
        match self.ledger.number(&req.transaction) {
            Some(n) => {
                self.ledger.is_pending(n)
                    || (matches!(req.body, RequestBody::Keepalive { .. })
                        && !self.ledger.is_done(n))
            }
            None => false,
        }
    }

    fn garbage(&self, g: &Garbage) -> Bytes {
        match g {
            Garbage::Fixed(i) => Bytes::from_static(JUNK[i % JUNK.len()].as_bytes()),
            Garbage::Bytes(b) => Bytes::from(b.clone()),
            Garbage::Text(t) => Bytes::from(t.clone()),
            Garbage::Truncated { pick, cut } => match self.delivered.len() {
                0 => Bytes::from_static(b"{\"janus\":"),
                n => {
                    let frame = &self.delivered[pick % n].0;
                    frame.slice(..cut % frame.len().max(1))
                }
            },
            Garbage::Trailing { pick, suffix } => {
                let mut frame = match self.delivered.len() {
                    0 => b"{\"janus\":\"pong\",\"transaction\":\"1\"}".to_vec(),
                    n => self.delivered[pick % n].0.to_vec(),
                };
                frame.extend_from_slice(suffix.as_bytes());
                Bytes::from(frame)
            }
            Garbage::Deep { depth, objects } => {
                let (open, close) = if *objects {
                    ("{\"a\":", "}")
                } else {
                    ("[", "]")
                };
                Bytes::from(format!("{}1{}", open.repeat(*depth), close.repeat(*depth)))
            }
        }
    }

    /// The synthetic server's answer to `req`, learning the ids it hands out.
    fn answer(&mut self, req: &Request, shape: &Shape) -> ServerMessage {
        let mut answer = shape.answer.clone();
        match &mut answer {
            Answer::Success { id, .. } => {
                if let Some(pick) = shape.id {
                    *id = AnswerId::Given(self.any_id(pick));
                }
            }
            Answer::Event { sender, .. } => {
                *sender = shape.sender.map(|pick| HandleId(self.handle(pick).1));
            }
            _ => {}
        }
        let msg = self.answers.answer(req, &answer);
        // The client learns ids from `success` replies to `create` and `attach`: so does
        // the harness.
        if let ServerMessage::Success { id: Some(id), .. } = &msg {
            match &req.body {
                RequestBody::Create { .. } => self.add_session(*id),
                RequestBody::Attach { session_id, .. } => self.add_handle(session_id.0, *id),
                _ => {}
            }
        }
        msg
    }

    /// A message Janus sends on its own, for a handle picked and its session (or another).
    fn unsolicited(
        &self,
        kind: &Notice,
        txn: Option<usize>,
        handle: IdPick,
        session: Option<IdPick>,
    ) -> ServerMessage {
        let (own_session, sender) = self.handle(handle);
        let session_id = SessionId(match (session, own_session) {
            (Some(p), _) => self.session(p),
            (None, Some(s)) => s,
            (None, None) => self.session(IdPick::Live(0)),
        });
        let mut kind = kind.clone();
        if let Notice::Event { transaction, .. } = &mut kind {
            *transaction = txn.and_then(|i| match self.sent.len() {
                0 => None,
                n => Some(self.sent[i % n].req.transaction.clone()),
            });
        }
        kind.message(session_id, HandleId(sender))
    }

    fn events(&self) -> impl Iterator<Item = &Event> {
        self.log.iter().filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
    }
}

/// A message as Janus would frame it: compact, or indented as Janus itself does.
fn render(msg: &ServerMessage, pretty: bool) -> Bytes {
    let compact = msg.encode();
    if !pretty {
        return Bytes::from(compact);
    }
    let value: Value = serde_json::from_str(&compact).expect("encode gives JSON");
    Bytes::from(serde_json::to_string_pretty(&value).expect("a Value serializes"))
}

// ---------------------------------------------------------------------------------------
// (b) Random scenarios keep the contract; (c) replays are identical
// ---------------------------------------------------------------------------------------

/// The records of one kind after position `from`.
fn only(log: &[Record], from: usize, keep: fn(&Record) -> bool) -> Vec<&Record> {
    log[from..].iter().filter(|r| keep(r)).collect()
}

/// Events the queue never drops, whatever its capacity.
fn essential(record: &Record) -> bool {
    match record {
        Record::Event(event) => match event {
            Event::Completed { .. } | Event::Acked { .. } | Event::Session { .. } => true,
            Event::Handle { event, .. } => matches!(event.kind, HandleEventKind::Detached),
            Event::Connection(c) => matches!(c, ConnectionEvent::Closed),
            _ => false,
        },
        _ => false,
    }
}

/// Property (d): one harness drains after every frame of `batch`, the other after all of
/// them; both ran `prefix` first. Compares every event when `all_events`, else only those
/// the queue never drops.
fn chunking(setup: &Setup, prefix: &[Op], batch: &[Op], all_events: bool) -> Result<(), String> {
    let base = base_instant();
    let mut each = Harness::new(setup, base);
    let mut once = Harness::new(setup, base);
    for op in prefix {
        each.apply(op);
        once.apply(op);
    }
    let (mark_each, mark_once) = (each.log.len(), once.log.len());
    let mut frames = Vec::new();
    for op in batch {
        if let Some((frame, valid)) = each.synthesize(op) {
            frames.push((frame.clone(), valid));
            let failed = each.deliver(frame, valid).is_err();
            each.drain(failed);
        }
    }
    for (frame, valid) in frames {
        // Failed inputs must be silent: `drain` checks that in `each`.
        let _ = once.deliver(frame, valid);
    }
    once.drain(false);
    let is_input = |r: &Record| matches!(r, Record::Input(_));
    let is_transmit = |r: &Record| matches!(r, Record::Transmit(_));
    let is_event = |r: &Record| matches!(r, Record::Event(_));
    compare_logs(
        "input results",
        &only(&each.log, mark_each, is_input),
        &only(&once.log, mark_once, is_input),
    )?;
    compare_logs(
        "transmits",
        &only(&each.log, mark_each, is_transmit),
        &only(&once.log, mark_once, is_transmit),
    )?;
    let keep = if all_events { is_event } else { essential };
    compare_logs(
        "events",
        &only(&each.log, mark_each, keep),
        &only(&once.log, mark_once, keep),
    )
}

fn compare_logs(what: &str, a: &[&Record], b: &[&Record]) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    Err(format!(
        "{what} differ at {at} (lengths {} and {}): {:?} vs {:?}",
        a.len(),
        b.len(),
        a.get(at),
        b.get(at)
    ))
}

/// Property (c): two runs of the same ops have identical records.
fn replay(setup: &Setup, ops: &[Op]) -> Result<(), String> {
    let base = base_instant();
    let first = Harness::run(setup, ops, base);
    let second = Harness::run(setup, ops, base);
    let all = |_: &Record| true;
    compare_logs(
        "replay on a fresh client",
        &only(&first.log, 0, all),
        &only(&second.log, 0, all),
    )?;
    // Nothing depends on the absolute time either.
    let later = Harness::run(setup, ops, base + Duration::from_secs(86_400 * 365));
    compare_logs(
        "replay shifted in time",
        &only(&first.log, 0, all),
        &only(&later.log, 0, all),
    )
}

/// Property (c'): a refused `submit` or `cancel` changes nothing. The same ops without the
/// refused calls give the same records, less those of the refused calls (transaction ids
/// included: a refused submit does not use one up).
fn refused_calls_leave_no_trace(setup: &Setup, ops: &[Op]) -> Result<(), String> {
    let base = base_instant();
    let full = Harness::run(setup, ops, base);
    let kept: Vec<Op> = ops
        .iter()
        .zip(&full.calls)
        .filter(|(_, (refused, _, _))| !refused)
        .map(|(op, _)| op.clone())
        .collect();
    if kept.len() == ops.len() {
        return Ok(());
    }
    let mut expected = Vec::new();
    let mut at = 0;
    for &(refused, start, end) in &full.calls {
        if refused {
            expected.extend(&full.log[at..start]);
            at = end;
        }
    }
    expected.extend(&full.log[at..]);
    let short = Harness::run(setup, &kept, base);
    let all = |_: &Record| true;
    compare_logs(
        "without the refused calls",
        &expected,
        &only(&short.log, 0, all),
    )
}

proptest! {
    #![proptest_config(proptest_config(1024))]

    /// (b): no panic, every transaction ends exactly once, no busy deadline.
    #[test]
    fn random_scenarios_keep_the_contract(setup in arb_setup(), ops in arb_ops(60)) {
        Harness::run(&setup, &ops, base_instant());
    }
}

/// Property (e): observing ([`Config::observe`]) changes no output, and the observations
/// account for everything: every request that started ends once, with the kind it started
/// with and the outcome its caller got; the sessions and handles opened less those ended are
/// the ones the client still holds; every event a full queue dropped is counted.
fn observing_changes_nothing(setup: &Setup, ops: &[Op]) -> Result<(), String> {
    let base = base_instant();
    let plain = Harness::run(setup, ops, base);
    let mut h = Harness::new(setup, base);
    h.client = Client::new(setup.config().observe(true), base);
    for op in ops {
        h.apply(op);
    }
    h.finish();
    let all = |_: &Record| true;
    compare_logs(
        "observed and not",
        &only(&plain.log, 0, all),
        &only(&h.log, 0, all),
    )?;
    let mut open: BTreeMap<TransactionId, (&'static str, bool)> = BTreeMap::new();
    let mut outcomes: BTreeMap<TransactionId, Outcome> = BTreeMap::new();
    let mut sessions: BTreeSet<SessionId> = BTreeSet::new();
    let mut handles: BTreeSet<HandleId> = BTreeSet::new();
    let mut dropped = 0;
    while let Some(o) = h.client.poll_observation() {
        let wrong = match o {
            Observation::RequestStarted {
                txn,
                kind,
                internal,
                ..
            } => (open.insert(txn, (kind, internal)).is_some() || outcomes.contains_key(&txn))
                .then(|| format!("{txn} started twice")),
            Observation::RequestEnded {
                txn,
                kind,
                outcome,
                internal,
                ..
            } => match open.remove(&txn) {
                Some(started) if started == (kind, internal) => {
                    if !internal {
                        outcomes.insert(txn, outcome);
                    }
                    None
                }
                other => Some(format!("{txn} ended as {kind} after {other:?}")),
            },
            Observation::SessionOpened { session } => {
                (!sessions.insert(session)).then(|| format!("session {session} opened twice"))
            }
            Observation::SessionEnded { session, .. } => (!sessions.remove(&session))
                .then(|| format!("session {session} ended while not open")),
            Observation::HandleOpened {
                session, handle, ..
            } => (!sessions.contains(&session) || !handles.insert(handle))
                .then(|| format!("handle {handle} opened twice or outside {session}")),
            Observation::HandleEnded { handle, .. } => {
                (!handles.remove(&handle)).then(|| format!("handle {handle} ended while not open"))
            }
            Observation::Lagged { dropped: n } => {
                dropped += n;
                None
            }
            _ => None,
        };
        if let Some(wrong) = wrong {
            return Err(wrong);
        }
    }
    if !open.is_empty() {
        return Err(format!("requests never ended: {open:?}"));
    }
    let mut completed = 0;
    let mut lagged = 0;
    for record in &h.log {
        match record {
            Record::Event(Event::Completed { txn, outcome }) => {
                completed += 1;
                if outcomes.get(txn) != Some(&Outcome::of(outcome)) {
                    return Err(format!(
                        "{txn}: observed {:?}, got {outcome:?}",
                        outcomes.get(txn)
                    ));
                }
            }
            Record::Event(Event::Lagged { dropped }) => lagged += dropped,
            _ => {}
        }
    }
    if completed != outcomes.len() {
        return Err(format!(
            "{completed} completions, {} observed",
            outcomes.len()
        ));
    }
    if lagged != dropped {
        return Err(format!("{lagged} events dropped, {dropped} observed"));
    }
    let live: BTreeSet<SessionId> = h.client.sessions().map(|(s, _)| s).collect();
    let live_handles: BTreeSet<HandleId> = live.iter().flat_map(|s| h.client.handles(*s)).collect();
    if live != sessions || live_handles != handles {
        return Err(format!(
            "live {live:?} {live_handles:?}, observed {sessions:?} {handles:?}"
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(256))]

    /// (c): byte-identical transmits and identical events on replay.
    #[test]
    fn replaying_a_scenario_gives_identical_outputs(setup in arb_setup(), ops in arb_ops(60)) {
        replay(&setup, &ops).map_err(TestCaseError::fail)?;
    }

    /// (e): observing changes nothing, and the observations add up.
    #[test]
    fn observing_changes_nothing_and_accounts_for_everything(setup in arb_setup(), ops in arb_ops(60)) {
        observing_changes_nothing(&setup, &ops).map_err(TestCaseError::fail)?;
    }

    /// (c'): refused calls change nothing.
    #[test]
    fn refused_calls_change_nothing(setup in arb_setup(), ops in arb_ops(60)) {
        refused_calls_leave_no_trace(&setup, &ops).map_err(TestCaseError::fail)?;
    }

    /// (d): draining after each frame or once after the batch gives the same events.
    #[test]
    fn draining_per_frame_or_per_batch_gives_the_same_events(
        setup in arb_setup(),
        prefix in arb_ops(40),
        batch in prop::collection::vec(arb_frame_op(), 1..30),
    ) {
        // A small queue drops unsolicited events when drained late (and says so with
        // `Lagged`): then compare what it never drops.
        let all_events = setup.event_queue_capacity.is_none();
        chunking(&setup, &prefix, &batch, all_events).map_err(TestCaseError::fail)?;
    }
}

// ---------------------------------------------------------------------------------------
// The checks can fail: each is shown rejecting a hand-made bad input
// ---------------------------------------------------------------------------------------

fn completed(txn: u64) -> Event {
    Event::Completed {
        txn: TransactionId(txn),
        outcome: Err(RequestError::Cancelled),
    }
}

#[test]
fn order_model_catches_a_request_released_too_early() {
    let (attach, m1, m2, hangup) = (
        TransactionId(1),
        TransactionId(2),
        TransactionId(3),
        TransactionId(4),
    );
    let mut ledger = Ledger::new("");
    let mut model = OrderModel::default();
    let session = SessionId(1);
    let handle = HandleId(9);
    ledger.submitted(attach).unwrap();
    model.submitted(
        attach,
        &Command::attach(session, "janus.plugin.echotest"),
        Ordering::Ordered,
    );
    let reply = |kind| Reply {
        kind,
        raw: some_raw_frame(),
    };
    let attached = Event::Completed {
        txn: attach,
        outcome: Ok(reply(ReplyKind::Attached(handle))),
    };
    ledger.observe(&attached).unwrap();
    model.observe(&attached);
    for (txn, command) in [
        (m1, Command::message(handle, serde_json::json!({}), None)),
        (m2, Command::message(handle, serde_json::json!({}), None)),
        (hangup, Command::Hangup { handle }),
    ] {
        ledger.submitted(txn).unwrap();
        model.submitted(txn, &command, Ordering::Ordered);
    }
    model.transmitted(m1, &ledger).unwrap();
    assert!(
        model.transmitted(m2, &ledger).is_err(),
        "m1 not accepted yet"
    );
    ledger
        .observe(&Event::Acked {
            txn: m1,
            hint: None,
        })
        .unwrap();
    model.transmitted(m2, &ledger).unwrap();
    assert!(
        model.transmitted(hangup, &ledger).is_err(),
        "m1 and m2 open"
    );
    ledger.observe(&completed(m1.0)).unwrap();
    ledger.observe(&completed(m2.0)).unwrap();
    model.transmitted(hangup, &ledger).unwrap();
}

#[test]
fn timed_out_check_rejects_early_or_mislabelled_timeouts() {
    let now = base_instant();
    let s = Duration::from_secs(1);
    let timed_out = |acked| Err(RequestError::TimedOut { acked });
    assert!(check_timed_out(&timed_out(false), Some(now), now, false).is_ok());
    assert!(check_timed_out(&timed_out(true), Some(now - s), now, true).is_ok());
    assert!(check_timed_out(&timed_out(false), Some(now + s), now, false).is_err());
    assert!(check_timed_out(&timed_out(false), None, now, false).is_ok());
    assert!(check_timed_out(&timed_out(true), Some(now), now, false).is_err());
    assert!(check_timed_out(&timed_out(false), Some(now), now, true).is_err());
    assert!(check_timed_out(&Err(RequestError::Cancelled), None, now, false).is_ok());
}

#[test]
fn deadline_check_rejects_a_deadline_that_is_due() {
    let now = base_instant();
    let ms = Duration::from_millis(1);
    assert!(check_deadline(None, now).is_ok());
    assert!(check_deadline(Some(now + ms), now).is_ok());
    assert!(check_deadline(Some(now), now).is_err());
    assert!(check_deadline(Some(now), now + ms).is_err());
}

#[test]
fn deadline_coverage_and_keepalive_checks_reject_late_timers() {
    let now = base_instant();
    let s = Duration::from_secs(1);
    assert!(check_deadline_covers(None, None).is_ok());
    assert!(check_deadline_covers(Some(now), Some(now + s)).is_ok());
    assert!(check_deadline_covers(Some(now + s), Some(now + s)).is_ok());
    assert!(check_deadline_covers(Some(now + 2 * s), Some(now + s)).is_err());
    assert!(check_deadline_covers(None, Some(now)).is_err());
    assert!(check_keepalive_armed(Some(now + s), now, s).is_ok());
    assert!(check_keepalive_armed(Some(now + 2 * s), now, s).is_err());
    assert!(check_keepalive_armed(None, now, s).is_err());
}

/// A `RawFrame` (only a client makes them): an unroutable frame's.
fn some_raw_frame() -> janus_proto::wire::RawFrame {
    let now = base_instant();
    let mut client = Client::new(Config::new(), now);
    let frame = r#"{"janus":"webrtcup","session_id":1,"sender":2}"#;
    client.handle_input(now, Input::text(frame)).unwrap();
    match client.poll_event() {
        Some(Event::Connection(ConnectionEvent::Unroutable { raw })) => raw,
        other => panic!("expected an unroutable frame, got {other:?}"),
    }
}

#[test]
fn frame_check_rejects_anything_but_one_object() {
    assert!(check_frame(r#"{"janus":"ping","transaction":"1"}"#).is_ok());
    for bad in [
        r#"{"janus":"ping"} "#,
        r#"{"janus":"ping"}{}"#,
        r#"{"janus":"ping"} {}"#,
        r#"{"a":1,"a":2}"#,
        r#"[{}]"#,
        "",
        r#"{"janus":"#,
        r#"}"#,
    ] {
        assert!(check_frame(bad).is_err(), "accepted {bad:?}");
    }
    let req = Request::new("t", RequestBody::Ping);
    let map = check_frame(&req.encode()).unwrap();
    assert!(check_request_fields(&map, &req).is_ok());
    let other = Request::new("u", RequestBody::Ping);
    assert!(check_request_fields(&map, &other).is_err());
}

/// The harness itself panics on a violated contract: a client whose `pending()` count
/// disagrees with the completions seen is caught (here, a transaction submitted behind the
/// ledger's back, its request taken off the wire before the harness saw it).
#[test]
#[should_panic(expected = "pending() disagrees")]
fn harness_catches_a_pending_count_mismatch() {
    let mut h = Harness::new(&Setup::plain(Ordering::Ordered), base_instant());
    let _ = h.client.submit(h.now, Command::Ping);
    let _ = h.client.poll_transmit();
    h.drain(false);
}

/// A request on the wire that `submit` never returned (and that is not a keepalive) is
/// caught by the ledger.
#[test]
#[should_panic(expected = "nobody submitted")]
fn harness_catches_a_request_nobody_submitted() {
    let mut h = Harness::new(&Setup::plain(Ordering::Ordered), base_instant());
    let _ = h.client.submit(h.now, Command::Ping);
    h.drain(false);
}

#[test]
#[should_panic(expected = "a failed call produced")]
fn harness_catches_output_from_a_failed_call() {
    let mut h = Harness::new(&Setup::plain(Ordering::Ordered), base_instant());
    let txn = h.client.submit(h.now, Command::Ping).unwrap();
    h.ledger.submitted(txn).unwrap();
    h.drain(true);
}

/// Three unroutable frames: drained one by one they are three events; drained at once
/// through a queue of one, one event and `Lagged { dropped: 2 }`. The full comparison of (d)
/// sees that; the comparison of events the queue never drops does not.
#[test]
fn chunking_comparison_catches_a_difference() {
    let mut setup = Setup::plain(Ordering::Ordered);
    setup.event_queue_capacity = Some(1);
    let stray = Op::Unsolicited {
        kind: Notice::WebrtcUp,
        txn: None,
        handle: IdPick::Unknown(77),
        session: Some(IdPick::Unknown(88)),
        pretty: false,
    };
    let batch = [stray.clone(), stray.clone(), stray];
    assert!(chunking(&setup, &[], &batch, true).is_err());
    assert!(chunking(&setup, &[], &batch, false).is_ok());
    setup.event_queue_capacity = None;
    assert!(chunking(&setup, &[], &batch, true).is_ok());
}

#[test]
fn log_comparison_catches_a_difference() {
    let setup = Setup::plain(Ordering::Ordered);
    let base = base_instant();
    let ping = [Op::Submit(Cmd::Ping, Timeout::Default)];
    let info = [Op::Submit(Cmd::Info, Timeout::Default)];
    let a = Harness::run(&setup, &ping, base);
    let b = Harness::run(&setup, &info, base);
    let all = |_: &Record| true;
    assert!(compare_logs("x", &only(&a.log, 0, all), &only(&b.log, 0, all)).is_err());
    assert!(compare_logs("x", &only(&a.log, 0, all), &only(&a.log, 0, all)).is_ok());
}

// ---------------------------------------------------------------------------------------
// The generators are not vacuous
// ---------------------------------------------------------------------------------------

/// Runs many generated scenarios and checks that each interesting outcome happens in some
/// of them, so that (b)–(d) exercise the client rather than bounce off usage errors.
#[test]
fn scenarios_reach_every_interesting_outcome() {
    let mut runner = TestRunner::deterministic();
    let strategy = (arb_setup(), arb_ops(60));
    let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
    for _ in 0..cases(128) {
        let (setup, ops) = strategy
            .new_tree(&mut runner)
            .expect("generate a scenario")
            .current();
        let h = Harness::run(&setup, &ops, base_instant());
        for event in h.events() {
            let class = match event {
                Event::Completed { outcome, .. } => match outcome {
                    Ok(Reply { kind, .. }) => match kind {
                        ReplyKind::SessionCreated(_) => "created",
                        ReplyKind::Attached(_) => "attached",
                        ReplyKind::Plugin { .. } => "plugin reply",
                        ReplyKind::Ack => "ack",
                        ReplyKind::Success => "success",
                        ReplyKind::Pong => "pong",
                        ReplyKind::ServerInfo(_) => "server info",
                        _ => "other reply",
                    },
                    Err(RequestError::Janus(_)) => "janus error",
                    Err(RequestError::Plugin(_)) => "plugin error",
                    Err(RequestError::TimedOut { acked: true }) => "timed out after ack",
                    Err(RequestError::TimedOut { acked: false }) => "timed out",
                    Err(RequestError::ConnectionLost) => "connection lost",
                    Err(RequestError::Cancelled) => "cancelled",
                    Err(RequestError::SessionEnded(_)) => "session ended",
                    Err(RequestError::HandleDetached(_)) => "handle detached",
                    Err(RequestError::UnexpectedReply(_)) => "unexpected reply",
                    Err(_) => "other error",
                },
                Event::Acked { .. } => "acked",
                Event::Handle { event, .. } => match event.kind {
                    HandleEventKind::Plugin { .. } => "handle plugin event",
                    HandleEventKind::Detached => "detached",
                    _ => "other handle event",
                },
                Event::Session { event, .. } => match event {
                    SessionEvent::Ended(_) => "session end",
                    SessionEvent::KeepaliveFailed(_) => "keepalive failed",
                    SessionEvent::Disconnected => "disconnected",
                    _ => "other session event",
                },
                Event::Connection(c) => match c {
                    ConnectionEvent::LateReply { .. } => "late reply",
                    ConnectionEvent::Unroutable { .. } => "unroutable",
                    ConnectionEvent::Error { .. } => "connection error",
                    _ => "connection other",
                },
                Event::Lagged { .. } => "lagged",
                _ => "other event",
            };
            *seen.entry(class).or_default() += 1;
        }
        for r in &h.log {
            if let Record::Submit(r) = r {
                let k = match r {
                    Ok(_) => "submit ok",
                    Err(UsageError::Closed) => "submit refused: closed",
                    Err(UsageError::UnknownSession(_) | UsageError::SessionEnded(_)) => {
                        "submit refused: session"
                    }
                    Err(UsageError::UnknownHandle(_) | UsageError::HandleEnded(_)) => {
                        "submit refused: handle"
                    }
                    Err(UsageError::TooManyPending { .. }) => "submit refused: too many",
                    Err(UsageError::FrameTooLarge { .. }) => "submit refused: too large",
                    Err(UsageError::BodyNotObject) => "submit refused: body",
                    Err(_) => "submit refused: other",
                };
                *seen.entry(k).or_default() += 1;
            }
        }
        let keepalives = h
            .log
            .iter()
            .filter(|r| matches!(r, Record::Transmit(t) if t.contains(r#""janus":"keepalive""#)));
        *seen.entry("keepalive sent").or_default() += keepalives.count();
        *seen.entry("ordered transmit checked").or_default() += h.order.constrained;
    }
    println!("{seen:#?}");
    for class in [
        "created",
        "attached",
        "plugin reply",
        "plugin error",
        "janus error",
        "acked",
        "timed out",
        "timed out after ack",
        "connection lost",
        "cancelled",
        "session ended",
        "handle detached",
        "late reply",
        "unroutable",
        "handle plugin event",
        "detached",
        "keepalive sent",
        "ordered transmit checked",
        "submit ok",
        "submit refused: closed",
        "submit refused: session",
        "submit refused: handle",
        "submit refused: too many",
        "submit refused: too large",
        "submit refused: body",
    ] {
        assert!(
            seen.get(class).is_some_and(|n| *n > 0),
            "never saw {class}: {seen:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Reproducers of bugs the properties found
// ---------------------------------------------------------------------------------------

/// Regression test of a bug `random_scenarios_keep_the_contract` found (fixed in df3661a):
/// `Input::Closed` released a request held on an `Ordered` handle and queued its frame, so
/// `poll_transmit` returned a request after the connection closed, for a transaction also
/// failed with `ConnectionLost`. `Client::on_closed` cleared `transmits` and then failed
/// every pending request; finishing the sent message called `pump`, which sent the held one.
#[test]
fn bug_closing_releases_a_held_request_onto_the_wire() {
    let now = base_instant();
    let mut client = client_with_handle(now);
    let body = || serde_json::json!({"request": "list"});
    client
        .submit(now, Command::message(HandleId(2), body(), None))
        .unwrap();
    client
        .submit(now, Command::message(HandleId(2), body(), None))
        .unwrap();
    assert!(
        client.poll_transmit().is_some(),
        "the first message is sent"
    );
    assert_eq!(client.poll_transmit(), None, "the second one is held");
    while client.poll_event().is_some() {}

    client.handle_input(now, Input::Closed).unwrap();
    assert_eq!(
        client.poll_transmit(),
        None,
        "a frame to send after Input::Closed"
    );
}

/// A client holding session 1 with handle 2 (transactions "1" and "2" used), events
/// drained.
fn client_with_handle(now: Instant) -> Client {
    let mut client = Client::new(Config::new(), now);
    client.submit(now, Command::create()).unwrap();
    let created = r#"{"janus":"success","transaction":"1","data":{"id":1}}"#;
    client.handle_input(now, Input::text(created)).unwrap();
    client
        .submit(now, Command::attach(SessionId(1), "janus.plugin.echotest"))
        .unwrap();
    let attached = r#"{"janus":"success","transaction":"2","session_id":1,"data":{"id":2}}"#;
    client.handle_input(now, Input::text(attached)).unwrap();
    while client.poll_transmit().is_some() {}
    while client.poll_event().is_some() {}
    client
}

/// Regression (found by `random_scenarios_keep_the_contract` through `check_views`, shrunk
/// to create, attach, claim): a claim for session 5 naming handle 2, live in session 1, used
/// to be accepted and to list handle 2 under both sessions; ending session 5 then removed a
/// handle that lives on in session 1. Such a claim is now refused up front.
#[test]
fn claim_naming_a_handle_of_another_session_is_refused() {
    let now = base_instant();
    let mut client = client_with_handle(now);
    let claim = Command::Claim {
        session: SessionId(5),
        handles: vec![HandleId(2)],
    };
    assert_eq!(
        client.submit(now, claim),
        Err(UsageError::HandleInOtherSession {
            handle: HandleId(2),
            session: SessionId(1),
        })
    );
    assert!(client.poll_transmit().is_none());
    check_views(&client).unwrap();
}

/// Regression, the same conflict arising after submit: a claim names handle 7, unknown when
/// it is submitted; an attach reply then hands out id 7 in session 1 before the claim's
/// success arrives. Handle 7 stays in session 1 (the claim's reply does not take it), and
/// the views stay consistent.
#[test]
fn claim_reply_does_not_take_a_handle_attached_meanwhile() {
    let now = base_instant();
    let mut client = client_with_handle(now);
    let claim = Command::Claim {
        session: SessionId(5),
        handles: vec![HandleId(7)],
    };
    client.submit(now, claim).unwrap();
    client
        .submit(now, Command::attach(SessionId(1), "janus.plugin.echotest"))
        .unwrap();
    let attached = r#"{"janus":"success","transaction":"4","session_id":1,"data":{"id":7}}"#;
    client.handle_input(now, Input::text(attached)).unwrap();
    let claimed = r#"{"janus":"success","transaction":"3","session_id":5}"#;
    client.handle_input(now, Input::text(claimed)).unwrap();
    assert_eq!(client.session_of(HandleId(7)), Some(SessionId(1)));
    assert!(!client.handles(SessionId(5)).any(|h| h == HandleId(7)));
    check_views(&client).unwrap();
}

/// Regression (found by `random_scenarios_keep_the_contract` through `check_views`): an
/// `attach` success whose `data.id` is a handle already live in another session used to
/// replace that handle's entry (held requests left their queue). The attach now fails with
/// `RequestError::UnexpectedReply` and the live handle is untouched.
#[test]
fn attach_reply_reusing_a_live_handle_id_fails_the_attach() {
    let now = base_instant();
    let mut client = client_with_handle(now);
    client.submit(now, Command::create()).unwrap();
    let created = r#"{"janus":"success","transaction":"3","data":{"id":3}}"#;
    client.handle_input(now, Input::text(created)).unwrap();
    let attach = client
        .submit(now, Command::attach(SessionId(3), "janus.plugin.echotest"))
        .unwrap();
    let reused = r#"{"janus":"success","transaction":"4","session_id":3,"data":{"id":2}}"#;
    client.handle_input(now, Input::text(reused)).unwrap();
    let outcome = std::iter::from_fn(|| client.poll_event()).find_map(|event| match event {
        Event::Completed { txn, outcome } if txn == attach => Some(outcome),
        _ => None,
    });
    assert!(
        matches!(outcome, Some(Err(RequestError::UnexpectedReply(_)))),
        "{outcome:?}"
    );
    assert_eq!(client.session_of(HandleId(2)), Some(SessionId(1)));
    assert!(client.handles(SessionId(3)).next().is_none());
    check_views(&client).unwrap();
}

/// Regression (found by `refused_calls_change_nothing` once claims could name ended
/// handles): a `pong` answering a claim counted as its success and revived the detached
/// handle it named. A `pong` or `server_info` answers only `ping` or `info`: anything else
/// fails with `RequestError::UnexpectedReply` and changes no state.
#[test]
fn a_pong_answering_a_claim_is_unexpected_and_revives_nothing() {
    let now = base_instant();
    let mut client = client_with_handle(now);
    client
        .submit(
            now,
            Command::Detach {
                handle: HandleId(2),
            },
        )
        .unwrap();
    let detached = r#"{"janus":"success","transaction":"3","session_id":1}"#;
    client.handle_input(now, Input::text(detached)).unwrap();
    let claim = Command::Claim {
        session: SessionId(1),
        handles: vec![HandleId(2)],
    };
    let txn = client.submit(now, claim).unwrap();
    let pong = r#"{"janus":"pong","transaction":"4"}"#;
    client.handle_input(now, Input::text(pong)).unwrap();
    let outcome = std::iter::from_fn(|| client.poll_event()).find_map(|event| match event {
        Event::Completed { txn: t, outcome } if t == txn => Some(outcome),
        _ => None,
    });
    assert!(
        matches!(outcome, Some(Err(RequestError::UnexpectedReply(_)))),
        "{outcome:?}"
    );
    assert_eq!(client.session_of(HandleId(2)), None);
    check_views(&client).unwrap();
}

/// A fixed scenario through the harness: create, attach, a message acknowledged then
/// answered by its event, a held message released by that ack.
#[test]
fn ordered_message_is_held_until_the_previous_one_is_acked() {
    let mut h = Harness::new(&Setup::plain(Ordering::Ordered), base_instant());
    let reply = |pick, v| Op::Reply {
        pick,
        fresh: true,
        shape: Shape::natural(v),
        pretty: false,
    };
    let message = || {
        Op::Submit(
            Cmd::Message {
                handle: IdPick::Live(0),
                body: serde_json::json!({"request": "list"}),
                jsep: None,
            },
            Timeout::Default,
        )
    };
    h.apply(&Op::Submit(Cmd::Create(None), Timeout::Default));
    h.apply(&reply(0, 0));
    h.apply(&Op::Submit(
        Cmd::Attach {
            session: IdPick::Live(0),
            plugin: "janus.plugin.echotest".into(),
            opaque_id: None,
            ordering: None,
        },
        Timeout::Default,
    ));
    h.apply(&reply(0, 0));
    h.apply(&message());
    h.apply(&message());
    assert_eq!(h.sent.len(), 3, "the second message is held");
    h.apply(&reply(0, 0)); // ack of the first message
    assert_eq!(h.sent.len(), 4, "the ack releases the second message");
    h.apply(&reply(0, 1)); // event of the first message
    h.apply(&reply(0, 2)); // sync reply to the second
    h.finish();
    let outcomes: Vec<bool> = h
        .events()
        .filter_map(|e| match e {
            Event::Completed { outcome, .. } => Some(outcome.is_ok()),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes, [true, true, true, true]);
}

// ---------------------------------------------------------------------------------------
// (e) Reading by subscriber or reading everything gives the same events
// ---------------------------------------------------------------------------------------

/// One input to the routing property.
#[derive(Debug, Clone)]
enum RouteInput {
    /// A plugin event of handle 2, 3 (both attached) or 99 (never attached) in session 1.
    PluginEvent(u64, u32),
    /// `detached` of handle 2 or 3.
    Detached(u64),
    /// The server expires session 1.
    Timeout,
    /// An event of a session the client never had.
    Stranger,
    /// A ping and its pong.
    Ping,
}

fn arb_route_input() -> impl Strategy<Value = RouteInput> {
    prop_oneof![
        6 => (prop::sample::select(vec![2u64, 3, 99]), any::<u32>())
            .prop_map(|(h, n)| RouteInput::PluginEvent(h, n)),
        1 => prop::sample::select(vec![2u64, 3]).prop_map(RouteInput::Detached),
        1 => Just(RouteInput::Timeout),
        1 => Just(RouteInput::Stranger),
        2 => Just(RouteInput::Ping),
    ]
}

/// A client with session 1 and handles 2 and 3, everything it sent and said taken.
fn routed_client(capacity: usize, now: Instant) -> Client {
    let mut client = Client::new(Config::new().event_queue_capacity(capacity), now);
    let replies = [
        r#"{"janus":"success","transaction":"1","data":{"id":1}}"#,
        r#"{"janus":"success","transaction":"2","session_id":1,"data":{"id":2}}"#,
        r#"{"janus":"success","transaction":"3","session_id":1,"data":{"id":3}}"#,
    ];
    let commands = [
        Command::create(),
        Command::attach(SessionId(1), "janus.plugin.echotest"),
        Command::attach(SessionId(1), "janus.plugin.echotest"),
    ];
    for (command, reply) in commands.into_iter().zip(replies) {
        client.submit(now, command).expect("submit");
        client.handle_input(now, Input::text(reply)).expect("reply");
    }
    while client.poll_transmit().is_some() {}
    while client.poll_event().is_some() {}
    client
}

/// Feeds one input; pings are answered with the transaction the client chose.
fn route_input(client: &mut Client, now: Instant, input: &RouteInput) {
    let frames = match input {
        RouteInput::PluginEvent(h, n) => vec![format!(
            r#"{{"janus":"event","session_id":1,"sender":{h},"plugindata":{{"plugin":"janus.plugin.echotest","data":{{"n":{n}}}}}}}"#
        )],
        RouteInput::Detached(h) => {
            vec![format!(
                r#"{{"janus":"detached","session_id":1,"sender":{h}}}"#
            )]
        }
        RouteInput::Timeout => vec![r#"{"janus":"timeout","session_id":1}"#.to_owned()],
        RouteInput::Stranger => vec![
            r#"{"janus":"event","session_id":5,"sender":6,"plugindata":{"plugin":"x","data":{}}}"#
                .to_owned(),
        ],
        RouteInput::Ping => {
            let txn = client.submit(now, Command::Ping).expect("ping");
            while client.poll_transmit().is_some() {}
            vec![format!(r#"{{"janus":"pong","transaction":"{}"}}"#, txn.0)]
        }
    };
    for frame in frames {
        client.handle_input(now, Input::text(frame)).expect("valid");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (e): after every input, one client reads everything (`poll_event`) and an identical
    /// one reads subscriber by subscriber (`poll_event_for`): they get the same events,
    /// each once, and each subscriber's events in arrival order.
    #[test]
    fn reading_by_subscriber_or_everything_gives_the_same_events(
        capacity in 1usize..6,
        inputs in prop::collection::vec(arb_route_input(), 1..60),
    ) {
        use janus_proto::EventTarget;
        let now = base_instant();
        let mut all = routed_client(capacity, now);
        let mut each = routed_client(capacity, now);
        let targets = [
            EventTarget::Outcomes,
            EventTarget::Connection,
            EventTarget::Session(SessionId(1)),
            EventTarget::Handle(HandleId(2)),
            EventTarget::Handle(HandleId(3)),
        ];
        for input in &inputs {
            route_input(&mut all, now, input);
            route_input(&mut each, now, input);
            let everything: Vec<Event> = std::iter::from_fn(|| all.poll_event()).collect();
            let mut count = 0;
            for target in targets {
                let mine: Vec<Event> =
                    std::iter::from_fn(|| each.poll_event_for(target)).collect();
                count += mine.len();
                // In arrival order: a subsequence of everything.
                let mut rest = everything.iter();
                for event in &mine {
                    prop_assert!(
                        rest.any(|e| e == event),
                        "{target:?} gave {event:?} out of order or not at all: {everything:?}"
                    );
                }
            }
            prop_assert_eq!(each.poll_event(), None, "an event no subscriber read");
            prop_assert_eq!(count, everything.len(), "each event once");
            prop_assert_eq!(all.queued(None), 0);
        }
    }
}
