//! The Admin API: wire shapes of every request, typed views of every observed reply, and the
//! `AdminClient` state machine on simulated time.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bytes::Bytes;
use janus_proto::admin::{AdminClient, AdminEvent};
use janus_proto::wire::admin::{
    AdminMessage, AdminReply, AdminReplyKind, AdminRequest, AdminRequestFrame, AdminRequestKind,
    AdminStatus, HandleInfo, TokenInfo,
};
use janus_proto::wire::JanusError;
use janus_proto::{
    Config, ConnectionEvent, Disconnect, HandleId, Input, ProtocolError, RequestError, Secret,
    SessionId, TransactionId, UsageError,
};
use serde_json::{json, Value};

const SECRET: &str = "janusoverlord";

/// The one place the tests read the clock: every other instant is derived from this one.
#[allow(clippy::disallowed_methods)]
fn base() -> Instant {
    Instant::now()
}

/// Without pings, so that the only timers are the requests' deadlines.
fn admin_config() -> Config {
    Config::new()
        .admin_secret(SECRET)
        .transaction_prefix("a-")
        .ping_interval(None)
}

fn build_admin() -> (AdminClient, Instant) {
    let now = base();
    (AdminClient::new(admin_config(), now), now)
}

fn drain_events(admin: &mut AdminClient) -> Vec<AdminEvent> {
    std::iter::from_fn(|| admin.poll_event()).collect()
}

fn drain_transmits(admin: &mut AdminClient) -> Vec<String> {
    std::iter::from_fn(|| admin.poll_transmit()).collect()
}

/// The transaction string of a frame the client sent.
fn wire_txn(frame: &str) -> String {
    let v: Value = serde_json::from_str(frame).expect("client frames are JSON");
    v["transaction"]
        .as_str()
        .expect("client frames carry a transaction")
        .to_owned()
}

fn completed(event: AdminEvent) -> (TransactionId, Result<AdminReply, RequestError>) {
    match event {
        AdminEvent::Completed { txn, outcome } => (txn, outcome),
        other => panic!("expected Completed, got {other:?}"),
    }
}

fn sid() -> SessionId {
    SessionId(4_208_341_953_262_130)
}

fn hid() -> HandleId {
    HandleId(7_654_321_987_654_321)
}

/// Every request kind (with optional fields both absent and present where they exist) and the
/// JSON Janus expects for it, without `transaction` and `admin_secret`.
fn request_table() -> Vec<(AdminRequest, Value)> {
    let s = sid();
    let h = hid();
    vec![
        (AdminRequest::Info, json!({"janus": "info"})),
        (AdminRequest::Ping, json!({"janus": "ping"})),
        (AdminRequest::GetStatus, json!({"janus": "get_status"})),
        (
            AdminRequest::ListSessions,
            json!({"janus": "list_sessions"}),
        ),
        (
            AdminRequest::ListHandles { session_id: s },
            json!({"janus": "list_handles", "session_id": s.0}),
        ),
        (
            AdminRequest::HandleInfo {
                session_id: s,
                handle_id: h,
                plugin_only: None,
            },
            json!({"janus": "handle_info", "session_id": s.0, "handle_id": h.0}),
        ),
        (
            AdminRequest::HandleInfo {
                session_id: s,
                handle_id: h,
                plugin_only: Some(true),
            },
            json!({"janus": "handle_info", "session_id": s.0, "handle_id": h.0, "plugin_only": true}),
        ),
        (
            AdminRequest::SetSessionTimeout {
                timeout: 30,
                session_id: None,
            },
            json!({"janus": "set_session_timeout", "timeout": 30}),
        ),
        (
            AdminRequest::SetSessionTimeout {
                timeout: -1,
                session_id: Some(s),
            },
            json!({"janus": "set_session_timeout", "timeout": -1, "session_id": s.0}),
        ),
        (
            AdminRequest::SetLogLevel { level: 5 },
            json!({"janus": "set_log_level", "level": 5}),
        ),
        (
            AdminRequest::SetLogTimestamps { timestamps: true },
            json!({"janus": "set_log_timestamps", "timestamps": true}),
        ),
        (
            AdminRequest::SetLogColors { colors: false },
            json!({"janus": "set_log_colors", "colors": false}),
        ),
        (
            AdminRequest::SetLockingDebug { debug: true },
            json!({"janus": "set_locking_debug", "debug": true}),
        ),
        (
            AdminRequest::SetRefcountDebug { debug: false },
            json!({"janus": "set_refcount_debug", "debug": false}),
        ),
        (
            AdminRequest::SetLibniceDebug { debug: true },
            json!({"janus": "set_libnice_debug", "debug": true}),
        ),
        (
            AdminRequest::SetMinNackQueue {
                min_nack_queue: 200,
            },
            json!({"janus": "set_min_nack_queue", "min_nack_queue": 200}),
        ),
        (
            AdminRequest::SetNackOptimizations {
                nack_optimizations: true,
            },
            json!({"janus": "set_nack_optimizations", "nack_optimizations": true}),
        ),
        (
            AdminRequest::SetNoMediaTimer { no_media_timer: 2 },
            json!({"janus": "set_no_media_timer", "no_media_timer": 2}),
        ),
        (
            AdminRequest::SetSlowlinkThreshold {
                slowlink_threshold: 4,
            },
            json!({"janus": "set_slowlink_threshold", "slowlink_threshold": 4}),
        ),
        (
            AdminRequest::AcceptNewSessions { accept: false },
            json!({"janus": "accept_new_sessions", "accept": false}),
        ),
        (AdminRequest::LoopsInfo, json!({"janus": "loops_info"})),
        (
            AdminRequest::QueryTransport {
                transport: "janus.transport.websockets".into(),
                request: json!({"request": "connections"}),
            },
            json!({"janus": "query_transport", "transport": "janus.transport.websockets",
                   "request": {"request": "connections"}}),
        ),
        (
            AdminRequest::QueryTransport {
                transport: "janus.transport.http".into(),
                request: Value::Null,
            },
            json!({"janus": "query_transport", "transport": "janus.transport.http"}),
        ),
        (
            AdminRequest::QueryEventhandler {
                handler: "janus.eventhandler.sampleevh".into(),
                request: json!({"request": "tweak", "events": "all"}),
            },
            json!({"janus": "query_eventhandler", "handler": "janus.eventhandler.sampleevh",
                   "request": {"request": "tweak", "events": "all"}}),
        ),
        (
            AdminRequest::QueryLogger {
                logger: "janus.logger.jsonlog".into(),
                request: json!({"request": "info"}),
            },
            json!({"janus": "query_logger", "logger": "janus.logger.jsonlog",
                   "request": {"request": "info"}}),
        ),
        (
            AdminRequest::MessagePlugin {
                plugin: "janus.plugin.videoroom".into(),
                request: json!({"request": "list"}),
            },
            json!({"janus": "message_plugin", "plugin": "janus.plugin.videoroom",
                   "request": {"request": "list"}}),
        ),
        (
            AdminRequest::CustomEvent {
                schema: "my.app.cpu".into(),
                data: json!({"cpu": 42}),
            },
            json!({"janus": "custom_event", "schema": "my.app.cpu", "data": {"cpu": 42}}),
        ),
        (
            AdminRequest::CustomLogline {
                line: "hello from the admin".into(),
                level: Some(4),
            },
            json!({"janus": "custom_logline", "line": "hello from the admin", "level": 4}),
        ),
        (
            AdminRequest::CustomLogline {
                line: "default level".into(),
                level: None,
            },
            json!({"janus": "custom_logline", "line": "default level"}),
        ),
        (
            AdminRequest::AddToken {
                token: Secret::new("tok-1"),
                plugins: None,
            },
            json!({"janus": "add_token", "token": "tok-1"}),
        ),
        (
            AdminRequest::AddToken {
                token: Secret::new("tok-2"),
                plugins: Some(vec!["janus.plugin.echotest".into()]),
            },
            json!({"janus": "add_token", "token": "tok-2", "plugins": ["janus.plugin.echotest"]}),
        ),
        (
            AdminRequest::AllowToken {
                token: Secret::new("tok-1"),
                plugins: vec!["janus.plugin.videoroom".into()],
            },
            json!({"janus": "allow_token", "token": "tok-1", "plugins": ["janus.plugin.videoroom"]}),
        ),
        (
            AdminRequest::DisallowToken {
                token: Secret::new("tok-1"),
                plugins: vec![
                    "janus.plugin.echotest".into(),
                    "janus.plugin.videoroom".into(),
                ],
            },
            json!({"janus": "disallow_token", "token": "tok-1",
                   "plugins": ["janus.plugin.echotest", "janus.plugin.videoroom"]}),
        ),
        (AdminRequest::ListTokens, json!({"janus": "list_tokens"})),
        (
            AdminRequest::RemoveToken {
                token: Secret::new("tok-1"),
            },
            json!({"janus": "remove_token", "token": "tok-1"}),
        ),
        (
            AdminRequest::DestroySession { session_id: s },
            json!({"janus": "destroy_session", "session_id": s.0}),
        ),
        (
            AdminRequest::DetachHandle {
                session_id: s,
                handle_id: h,
            },
            json!({"janus": "detach_handle", "session_id": s.0, "handle_id": h.0}),
        ),
        (
            AdminRequest::HangupWebrtc {
                session_id: s,
                handle_id: h,
            },
            json!({"janus": "hangup_webrtc", "session_id": s.0, "handle_id": h.0}),
        ),
        (
            AdminRequest::StartPcap {
                session_id: s,
                handle_id: h,
                folder: None,
                filename: None,
                truncate: None,
            },
            json!({"janus": "start_pcap", "session_id": s.0, "handle_id": h.0}),
        ),
        (
            AdminRequest::StartPcap {
                session_id: s,
                handle_id: h,
                folder: Some("/tmp".into()),
                filename: Some("dump.pcap".into()),
                truncate: Some(128),
            },
            json!({"janus": "start_pcap", "session_id": s.0, "handle_id": h.0,
                   "folder": "/tmp", "filename": "dump.pcap", "truncate": 128}),
        ),
        (
            AdminRequest::StopPcap {
                session_id: s,
                handle_id: h,
            },
            json!({"janus": "stop_pcap", "session_id": s.0, "handle_id": h.0}),
        ),
        (
            AdminRequest::StartText2pcap {
                session_id: s,
                handle_id: h,
                folder: Some("/var/tmp".into()),
                filename: Some("dump.txt".into()),
                truncate: Some(0),
            },
            json!({"janus": "start_text2pcap", "session_id": s.0, "handle_id": h.0,
                   "folder": "/var/tmp", "filename": "dump.txt", "truncate": 0}),
        ),
        (
            AdminRequest::StopText2pcap {
                session_id: s,
                handle_id: h,
            },
            json!({"janus": "stop_text2pcap", "session_id": s.0, "handle_id": h.0}),
        ),
        (
            AdminRequest::ResolveAddress {
                address: "stun.l.google.com".into(),
            },
            json!({"janus": "resolve_address", "address": "stun.l.google.com"}),
        ),
        (
            AdminRequest::TestStun {
                address: "stun.l.google.com".into(),
                port: 19302,
                localport: None,
            },
            json!({"janus": "test_stun", "address": "stun.l.google.com", "port": 19302}),
        ),
        (
            AdminRequest::TestStun {
                address: "stun.l.google.com".into(),
                port: 19302,
                localport: Some(40000),
            },
            json!({"janus": "test_stun", "address": "stun.l.google.com", "port": 19302,
                   "localport": 40000}),
        ),
    ]
}

#[test]
fn every_request_kind_encodes_to_the_shape_janus_expects_with_the_secret_where_needed() {
    let (mut admin, now) = build_admin();
    let table = request_table();
    let mut kinds = BTreeSet::new();
    for (request, expected) in table {
        let name = request.name();
        kinds.insert(request.kind());
        let txn = admin.submit(now, request.clone()).expect("submit");
        let frames = drain_transmits(&mut admin);
        assert_eq!(frames.len(), 1, "{name}: one frame per request");
        let frame = &frames[0];
        assert!(
            frame.starts_with('{') && frame.ends_with('}') && !frame.contains('\n'),
            "{name}: one compact JSON object with nothing after it: {frame:?}"
        );

        let mut expected = expected;
        let obj = expected.as_object_mut().expect("table entries are objects");
        let wire = format!("a-{}", txn.0);
        obj.insert("transaction".into(), wire.clone().into());
        let secret_expected = !matches!(name, "info" | "ping");
        if secret_expected {
            obj.insert("admin_secret".into(), SECRET.into());
        }
        let got: Value = serde_json::from_str(frame).expect("frame is JSON");
        assert_eq!(got, expected, "{name}");
        assert_eq!(got["janus"], name, "name() matches the wire name");
        assert_eq!(request.needs_secret(), secret_expected, "{name}");
        assert_eq!(request.kind().name(), name);

        // Round trip: the frame decodes back to exactly what was submitted.
        let decoded = AdminRequestFrame::decode(frame).expect("decodes");
        let mut want = AdminRequestFrame::new(wire, request);
        if secret_expected {
            want = want.admin_secret(SECRET);
        }
        assert_eq!(decoded, want, "{name}");
        assert_eq!(
            decoded.encode(),
            *frame,
            "{name}: re-encoding is byte-identical"
        );
    }
    assert_eq!(kinds.len(), 39, "every Admin API request kind is covered");
}

#[test]
fn request_frames_round_trip_through_encode_and_decode_without_a_client() {
    for (request, _) in request_table() {
        let frame = AdminRequestFrame::new("t-1", request).admin_secret("s");
        let text = frame.encode();
        assert_eq!(AdminRequestFrame::decode(&text).expect("decodes"), frame);
    }
}

#[test]
fn info_and_ping_go_out_without_the_admin_secret() {
    let (mut admin, now) = build_admin();
    admin.submit(now, AdminRequest::Info).expect("submit");
    admin.submit(now, AdminRequest::Ping).expect("submit");
    admin.submit(now, AdminRequest::GetStatus).expect("submit");
    let frames = drain_transmits(&mut admin);
    assert!(!frames[0].contains("admin_secret"));
    assert!(!frames[1].contains("admin_secret"));
    assert!(frames[2].contains(r#""admin_secret":"janusoverlord""#));
}

#[test]
fn requests_carry_no_admin_secret_when_none_is_configured() {
    let now = base();
    let mut admin = AdminClient::new(Config::new().ping_interval(None), now);
    admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    let frame = admin.poll_transmit().expect("a frame");
    assert_eq!(frame, r#"{"transaction":"1","janus":"list_sessions"}"#);
}

// ---------------------------------------------------------------------------------------
// Reply shapes (janus-api.md §9, observed on 1.1.2; docs-only ones from janus.c 1.1.2)
// ---------------------------------------------------------------------------------------

fn decode(kind: AdminRequestKind, frame: &str) -> AdminReplyKind {
    let reply = AdminReply::decode(kind, frame.to_owned()).expect("a JSON object");
    assert_eq!(
        reply.raw.as_str(),
        frame,
        "the raw frame is kept byte for byte"
    );
    reply.kind
}

#[test]
fn info_answered_with_server_info_decodes_into_server_info() {
    let frame = r#"{"janus":"server_info","transaction":"t","name":"Janus WebRTC Server","version":1102,"version_string":"1.1.2","author":"Meetecho s.r.l.","session-timeout":10,"reclaim-session-timeout":0,"api_secret":false,"auth_token":false,"transports":{"janus.transport.websockets":{"name":"JANUS WebSockets transport plugin","version":1}},"plugins":{}}"#;
    match decode(AdminRequestKind::Info, frame) {
        AdminReplyKind::ServerInfo(info) => {
            assert_eq!(info.version, Some(1102));
            assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
            assert_eq!(info.session_timeout, Some(10));
            assert!(info.transports.contains_key("janus.transport.websockets"));
        }
        other => panic!("expected ServerInfo, got {other:?}"),
    }
}

#[test]
fn ping_answered_with_pong_decodes_into_pong() {
    assert_eq!(
        decode(
            AdminRequestKind::Ping,
            r#"{"janus":"pong","transaction":"t"}"#
        ),
        AdminReplyKind::Pong
    );
}

fn expected_status() -> AdminStatus {
    AdminStatus {
        token_auth: Some(true),
        session_timeout: Some(10),
        reclaim_session_timeout: Some(8),
        candidates_timeout: Some(45),
        log_level: Some(4),
        log_timestamps: Some(false),
        log_colors: Some(true),
        locking_debug: Some(false),
        refcount_debug: Some(false),
        libnice_debug: Some(false),
        min_nack_queue: Some(200),
        nack_optimizations: Some(false),
        no_media_timer: Some(1),
        slowlink_threshold: Some(0),
    }
}

#[test]
fn get_status_decodes_every_field_including_the_dashed_one() {
    let frame = r#"{"janus":"success","transaction":"t","status":{"token_auth":true,"session_timeout":10,"reclaim_session_timeout":8,"candidates_timeout":45,"log_level":4,"log_timestamps":false,"log_colors":true,"locking_debug":false,"refcount_debug":false,"libnice_debug":false,"min_nack_queue":200,"nack-optimizations":false,"no_media_timer":1,"slowlink_threshold":0}}"#;
    assert_eq!(
        decode(AdminRequestKind::GetStatus, frame),
        AdminReplyKind::Status(expected_status())
    );
}

#[test]
fn get_status_pretty_printed_with_three_space_indentation_decodes_the_same() {
    let frame = r#"{
   "janus": "success",
   "transaction": "t",
   "status": {
      "token_auth": true,
      "session_timeout": 10,
      "reclaim_session_timeout": 8,
      "candidates_timeout": 45,
      "log_level": 4,
      "log_timestamps": false,
      "log_colors": true,
      "locking_debug": false,
      "refcount_debug": false,
      "libnice_debug": false,
      "min_nack_queue": 200,
      "nack-optimizations": false,
      "no_media_timer": 1,
      "slowlink_threshold": 0
   }
}"#;
    assert_eq!(
        decode(AdminRequestKind::GetStatus, frame),
        AdminReplyKind::Status(expected_status())
    );
}

#[test]
fn list_sessions_decodes_into_session_ids_and_keeps_unknown_fields_in_the_raw_frame() {
    let frame = r#"{"janus":"success","transaction":"t","sessions":[4208341953262130,1234],"future":{"x":1}}"#;
    let reply = AdminReply::decode(AdminRequestKind::ListSessions, frame).expect("decodes");
    assert_eq!(
        reply.kind,
        AdminReplyKind::Sessions(vec![SessionId(4_208_341_953_262_130), SessionId(1234)])
    );
    assert_eq!(reply.raw.value().expect("JSON value")["future"]["x"], 1);
}

#[test]
fn list_handles_decodes_into_its_session_and_handles() {
    let frame = r#"{"janus":"success","session_id":4208341953262130,"transaction":"t","handles":[7654321987654321,5]}"#;
    assert_eq!(
        decode(AdminRequestKind::ListHandles, frame),
        AdminReplyKind::Handles {
            session: sid(),
            handles: vec![hid(), HandleId(5)],
        }
    );
}

#[test]
fn handle_info_pretty_printed_decodes_with_typed_accessors() {
    let frame = r#"{
   "janus": "success",
   "session_id": 4208341953262130,
   "transaction": "t",
   "handle_id": 7654321987654321,
   "info": {
      "session_id": 4208341953262130,
      "session_last_activity": 7927759122,
      "session_timeout": 10,
      "session_transport": "janus.transport.websockets",
      "handle_id": 7654321987654321,
      "opaque_id": "echotest-YZcsLRCI4uSV",
      "loop-running": true,
      "created": 18695669309,
      "current_time": 18706199704,
      "plugin": "janus.plugin.echotest",
      "plugin_specific": {
         "audio_active": true,
         "video_active": true,
         "bitrate": 0,
         "hangingup": 0,
         "destroyed": 0
      },
      "flags": {
         "got-offer": true,
         "got-answer": true,
         "negotiated": true,
         "processing-offer": false,
         "starting": true,
         "ice-restart": false,
         "ready": true,
         "stopped": false,
         "alert": false,
         "trickle": true,
         "all-trickles": true,
         "resend-trickles": false,
         "trickle-synced": false,
         "data-channels": false,
         "has-audio": true,
         "has-video": false,
         "new-datachan-sdp": false,
         "rfc4588-rtx": false,
         "cleaning": false,
         "e2ee": false
      },
      "sdps": {
         "profile": "UDP/TLS/RTP/SAVPF",
         "local": "v=0\r\n",
         "remote": "v=0\r\n"
      },
      "queued-packets": 0
   }
}"#;
    match decode(AdminRequestKind::HandleInfo, frame) {
        AdminReplyKind::HandleInfo {
            session,
            handle,
            info,
        } => {
            assert_eq!(session, sid());
            assert_eq!(handle, hid());
            assert_eq!(info.plugin(), Some("janus.plugin.echotest"));
            assert_eq!(info.opaque_id(), Some("echotest-YZcsLRCI4uSV"));
            assert_eq!(info.session_transport(), Some("janus.transport.websockets"));
            assert_eq!(info.flag("ready"), Some(true));
            assert_eq!(info.flag("has-video"), Some(false));
            assert_eq!(info.flag("no-such-flag"), None);
            assert_eq!(
                info.plugin_specific().and_then(|p| p.get("audio_active")),
                Some(&json!(true))
            );
            assert_eq!(
                info.sdps().and_then(|s| s.get("profile")),
                Some(&json!("UDP/TLS/RTP/SAVPF"))
            );
            assert_eq!(info.get("queued-packets"), Some(&json!(0)));
        }
        other => panic!("expected HandleInfo, got {other:?}"),
    }
}

#[test]
fn handle_info_with_plugin_only_has_no_flags() {
    let frame = r#"{"janus":"success","session_id":4208341953262130,"transaction":"t","handle_id":7654321987654321,"info":{"session_id":4208341953262130,"handle_id":7654321987654321,"plugin":"janus.plugin.echotest","plugin_specific":{"bitrate":0}}}"#;
    match decode(AdminRequestKind::HandleInfo, frame) {
        AdminReplyKind::HandleInfo { info, .. } => {
            assert_eq!(info.flag("ready"), None);
            assert_eq!(info.sdps(), None);
            assert_eq!(info.plugin(), Some("janus.plugin.echotest"));
        }
        other => panic!("expected HandleInfo, got {other:?}"),
    }
}

#[test]
fn set_session_timeout_decodes_global_and_per_session_replies() {
    assert_eq!(
        decode(
            AdminRequestKind::SetSessionTimeout,
            r#"{"janus":"success","transaction":"t","timeout":30}"#
        ),
        AdminReplyKind::SessionTimeout {
            session: None,
            timeout: 30
        }
    );
    assert_eq!(
        decode(
            AdminRequestKind::SetSessionTimeout,
            r#"{"janus":"success","transaction":"t","timeout":-1,"session_id":4208341953262130}"#
        ),
        AdminReplyKind::SessionTimeout {
            session: Some(sid()),
            timeout: -1
        }
    );
}

#[test]
fn setters_decode_into_the_value_now_in_force() {
    let cases: Vec<(AdminRequestKind, &str, AdminReplyKind)> = vec![
        (
            AdminRequestKind::SetLogLevel,
            r#"{"janus":"success","transaction":"t","level":5}"#,
            AdminReplyKind::LogLevel(5),
        ),
        (
            AdminRequestKind::SetSlowlinkThreshold,
            r#"{"janus":"success","transaction":"t","slowlink_threshold":4}"#,
            AdminReplyKind::Number(4),
        ),
        (
            AdminRequestKind::SetNoMediaTimer,
            r#"{"janus":"success","transaction":"t","no_media_timer":2}"#,
            AdminReplyKind::Number(2),
        ),
        (
            AdminRequestKind::SetMinNackQueue,
            r#"{"janus":"success","transaction":"t","min_nack_queue":300}"#,
            AdminReplyKind::Number(300),
        ),
        (
            AdminRequestKind::AcceptNewSessions,
            r#"{"janus":"success","transaction":"t","accept":false}"#,
            AdminReplyKind::Enabled(false),
        ),
        (
            AdminRequestKind::SetLogTimestamps,
            r#"{"janus":"success","transaction":"t","log_timestamps":true}"#,
            AdminReplyKind::Enabled(true),
        ),
        (
            AdminRequestKind::SetLogColors,
            r#"{"janus":"success","transaction":"t","log_colors":false}"#,
            AdminReplyKind::Enabled(false),
        ),
        (
            AdminRequestKind::SetLockingDebug,
            r#"{"janus":"success","transaction":"t","locking_debug":true}"#,
            AdminReplyKind::Enabled(true),
        ),
        (
            AdminRequestKind::SetRefcountDebug,
            r#"{"janus":"success","transaction":"t","refcount_debug":true}"#,
            AdminReplyKind::Enabled(true),
        ),
        (
            AdminRequestKind::SetLibniceDebug,
            r#"{"janus":"success","transaction":"t","libnice_debug":true}"#,
            AdminReplyKind::Enabled(true),
        ),
        (
            AdminRequestKind::SetNackOptimizations,
            r#"{"janus":"success","transaction":"t","nack-optimizations":true}"#,
            AdminReplyKind::Enabled(true),
        ),
    ];
    for (kind, frame, expected) in cases {
        assert_eq!(decode(kind, frame), expected, "{kind}");
    }
}

#[test]
fn loops_info_and_the_queries_decode_their_payloads() {
    assert_eq!(
        decode(
            AdminRequestKind::LoopsInfo,
            r#"{"janus":"success","transaction":"t","loops":[]}"#
        ),
        AdminReplyKind::Loops(json!([]))
    );
    assert_eq!(
        decode(
            AdminRequestKind::QueryTransport,
            r#"{"janus":"success","transaction":"t","response":{"result":200,"connections":1}}"#
        ),
        AdminReplyKind::Response(json!({"result": 200, "connections": 1}))
    );
    let plugin = r#"{"janus":"success","transaction":"t","response":{"videoroom":"success","list":[{"room":1234,"description":"Demo Room","num_participants":0}]}}"#;
    assert_eq!(
        decode(AdminRequestKind::MessagePlugin, plugin),
        AdminReplyKind::Response(json!({"videoroom": "success",
            "list": [{"room": 1234, "description": "Demo Room", "num_participants": 0}]}))
    );
    for kind in [
        AdminRequestKind::QueryEventhandler,
        AdminRequestKind::QueryLogger,
    ] {
        assert_eq!(
            decode(
                kind,
                r#"{"janus":"success","transaction":"t","response":{}}"#
            ),
            AdminReplyKind::Response(json!({})),
            "{kind}"
        );
    }
}

#[test]
fn token_replies_decode_into_plugins_and_token_lists() {
    for kind in [
        AdminRequestKind::AddToken,
        AdminRequestKind::AllowToken,
        AdminRequestKind::DisallowToken,
    ] {
        assert_eq!(
            decode(
                kind,
                r#"{"janus":"success","transaction":"t","data":{"plugins":["janus.plugin.echotest"]}}"#
            ),
            AdminReplyKind::TokenPlugins(vec!["janus.plugin.echotest".into()]),
            "{kind}"
        );
    }
    let list = r#"{"janus":"success","transaction":"t","data":{"tokens":[{"token":"tok-1","allowed_plugins":["janus.plugin.echotest","janus.plugin.videoroom"]}]}}"#;
    assert_eq!(
        decode(AdminRequestKind::ListTokens, list),
        AdminReplyKind::Tokens(vec![TokenInfo {
            token: Secret::new("tok-1"),
            allowed_plugins: vec![
                "janus.plugin.echotest".into(),
                "janus.plugin.videoroom".into()
            ],
        }])
    );
}

#[test]
fn bare_successes_decode_into_done() {
    let bare = r#"{"janus":"success","transaction":"t"}"#;
    let with_session = r#"{"janus":"success","session_id":4208341953262130,"transaction":"t"}"#;
    for (kind, frame) in [
        (AdminRequestKind::CustomLogline, bare),
        (AdminRequestKind::CustomEvent, bare),
        (AdminRequestKind::RemoveToken, bare),
        (AdminRequestKind::StartPcap, bare),
        (AdminRequestKind::StopPcap, bare),
        (AdminRequestKind::StartText2pcap, bare),
        (AdminRequestKind::StopText2pcap, bare),
        (AdminRequestKind::DestroySession, with_session),
        (AdminRequestKind::DetachHandle, with_session),
        (AdminRequestKind::HangupWebrtc, with_session),
    ] {
        assert_eq!(decode(kind, frame), AdminReplyKind::Done, "{kind}");
    }
}

#[test]
fn helper_requests_decode_addresses_ports_and_elapsed_microseconds() {
    assert_eq!(
        decode(
            AdminRequestKind::ResolveAddress,
            r#"{"janus":"success","transaction":"t","ip":"142.250.82.127","elapsed":1520}"#
        ),
        AdminReplyKind::Resolved {
            ip: "142.250.82.127".into(),
            elapsed: Duration::from_micros(1520),
        }
    );
    assert_eq!(
        decode(
            AdminRequestKind::TestStun,
            r#"{"janus":"success","transaction":"t","public_ip":"203.0.113.7","public_port":40000,"elapsed":30511}"#
        ),
        AdminReplyKind::StunTested {
            public_ip: "203.0.113.7".into(),
            public_port: 40000,
            elapsed: Duration::from_micros(30511),
        }
    );
}

#[test]
fn a_reply_that_does_not_fit_its_request_is_kept_whole_as_other() {
    let frame = r#"{"janus":"success","transaction":"t","sessions":"not a list"}"#;
    match decode(AdminRequestKind::ListSessions, frame) {
        AdminReplyKind::Other(v) => assert_eq!(v["sessions"], "not a list"),
        other => panic!("expected Other, got {other:?}"),
    }
    let frame = r#"{"janus":"success","transaction":"t","level":300}"#;
    assert!(matches!(
        decode(AdminRequestKind::SetLogLevel, frame),
        AdminReplyKind::Other(_)
    ));
}

#[test]
fn reply_decoding_rejects_frames_that_are_not_json_objects() {
    for frame in ["", "not json", "[1,2]", "42", "{\"janus\":"] {
        assert!(
            AdminReply::decode(AdminRequestKind::Ping, frame).is_err(),
            "{frame:?}"
        );
        assert!(AdminMessage::decode(frame.as_bytes()).is_err(), "{frame:?}");
    }
}

#[test]
fn error_frames_classify_with_and_without_transaction() {
    let wrong_secret = br#"{"janus":"error","transaction":"t","error":{"code":403,"reason":"Unauthorized request (wrong or missing secret/token)"}}"#;
    assert_eq!(
        AdminMessage::decode(wrong_secret).expect("decodes"),
        AdminMessage::Error {
            transaction: Some("t".into()),
            session_id: None,
            error: JanusError {
                code: 403,
                reason: "Unauthorized request (wrong or missing secret/token)".into(),
            },
        }
    );
    let no_txn = br#"{"janus":"error","error":{"code":456,"reason":"Missing mandatory element (transaction)"}}"#;
    let msg = AdminMessage::decode(no_txn).expect("decodes");
    assert_eq!(msg.transaction(), None);
    assert!(matches!(msg, AdminMessage::Error { error, .. } if error.code == 456));
}

// ---------------------------------------------------------------------------------------
// The state machine
// ---------------------------------------------------------------------------------------

#[test]
fn replies_arriving_out_of_order_complete_the_right_transactions() {
    let (mut admin, now) = build_admin();
    let sessions = admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    let status = admin.submit(now, AdminRequest::GetStatus).expect("submit");
    let ping = admin.submit(now, AdminRequest::Ping).expect("submit");
    let frames = drain_transmits(&mut admin);
    let (t_sessions, t_status, t_ping) = (
        wire_txn(&frames[0]),
        wire_txn(&frames[1]),
        wire_txn(&frames[2]),
    );
    assert_eq!(admin.pending(), 3);
    assert_eq!(
        admin.pending_kind(status),
        Some(AdminRequestKind::GetStatus)
    );

    // Answered in the reverse order.
    let replies = [
        format!(r#"{{"janus":"pong","transaction":"{t_ping}"}}"#),
        format!(r#"{{"janus":"success","transaction":"{t_status}","status":{{"log_level":4}}}}"#),
        format!(r#"{{"janus":"success","transaction":"{t_sessions}","sessions":[9]}}"#),
    ];
    for reply in &replies {
        admin
            .handle_input(now, Input::text(reply.clone()))
            .expect("valid frame");
    }
    let events = drain_events(&mut admin);
    assert_eq!(events.len(), 3);
    let outcomes: Vec<_> = events.into_iter().map(completed).collect();
    assert_eq!(outcomes[0].0, ping);
    assert_eq!(
        outcomes[0].1.as_ref().map(|r| &r.kind),
        Ok(&AdminReplyKind::Pong)
    );
    assert_eq!(outcomes[1].0, status);
    match &outcomes[1].1 {
        Ok(AdminReply {
            kind: AdminReplyKind::Status(s),
            ..
        }) => assert_eq!(s.log_level, Some(4)),
        other => panic!("expected Status, got {other:?}"),
    }
    assert_eq!(outcomes[2].0, sessions);
    assert_eq!(
        outcomes[2].1.as_ref().map(|r| &r.kind),
        Ok(&AdminReplyKind::Sessions(vec![SessionId(9)]))
    );
    assert_eq!(
        outcomes[2].1.as_ref().map(|r| r.raw.as_str()),
        Ok(replies[2].as_str())
    );
    assert_eq!(admin.pending(), 0);
    assert_eq!(admin.poll_timeout(), None);
}

#[test]
fn a_wrong_secret_ends_the_request_with_janus_error_403() {
    let now = base();
    let mut admin = AdminClient::new(Config::new().ping_interval(None).admin_secret("wrong"), now);
    let txn = admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    let frame = admin.poll_transmit().expect("a frame");
    let t = wire_txn(&frame);
    let reply = format!(
        "{{\n   \"janus\": \"error\",\n   \"transaction\": \"{t}\",\n   \"error\": {{\n      \"code\": 403,\n      \"reason\": \"Unauthorized request (wrong or missing secret/token)\"\n   }}\n}}"
    );
    admin
        .handle_input(now, Input::text(reply))
        .expect("valid frame");
    let (got, outcome) = completed(admin.poll_event().expect("an event"));
    assert_eq!(got, txn);
    match outcome {
        Err(RequestError::Janus(e)) => {
            assert_eq!(e.code, 403);
            assert!(e.reason.starts_with("Unauthorized"));
        }
        other => panic!("expected a Janus error, got {other:?}"),
    }
    assert_eq!(admin.poll_event(), None);
    assert_eq!(admin.pending(), 0);
}

#[test]
fn a_request_times_out_at_its_deadline_on_simulated_time() {
    let (mut admin, start) = build_admin();
    let timeout = Duration::from_secs(3);
    let txn = admin
        .submit_with_timeout(start, AdminRequest::GetStatus, timeout)
        .expect("submit");
    let default = admin
        .submit(start + Duration::from_secs(1), AdminRequest::Ping)
        .expect("submit");
    assert_eq!(admin.poll_timeout(), Some(start + timeout));

    admin.handle_timeout(start + timeout - Duration::from_millis(1));
    assert_eq!(
        admin.poll_event(),
        None,
        "early handle_timeout does nothing"
    );
    assert_eq!(admin.pending(), 2);

    admin.handle_timeout(start + timeout);
    let (got, outcome) = completed(admin.poll_event().expect("an event"));
    assert_eq!(got, txn);
    assert_eq!(outcome, Err(RequestError::TimedOut { acked: false }));
    assert_eq!(admin.poll_event(), None);
    assert_eq!(admin.pending(), 1);

    // The other request has the default 15 s deadline from its own submission.
    let next = admin.poll_timeout().expect("one deadline left");
    assert_eq!(next, start + Duration::from_secs(16));
    admin.handle_timeout(next);
    admin.handle_timeout(next + Duration::from_secs(1));
    let events = drain_events(&mut admin);
    assert_eq!(events.len(), 1, "a deadline fires once");
    assert_eq!(
        completed(events.into_iter().next().expect("one")).0,
        default
    );
    assert_eq!(admin.poll_timeout(), None);
}

#[test]
fn a_closed_connection_fails_every_pending_request_exactly_once() {
    let (mut admin, now) = build_admin();
    let txns: Vec<TransactionId> = (0..3)
        .map(|_| {
            admin
                .submit(now, AdminRequest::ListSessions)
                .expect("submit")
        })
        .collect();
    // One frame is still unsent when the connection drops.
    let _ = admin.poll_transmit();

    admin
        .handle_input(now, Input::Closed)
        .expect("closing is fine");
    admin
        .handle_input(now, Input::Closed)
        .expect("closing twice is fine");
    admin.handle_timeout(now + Duration::from_secs(60));

    let events = drain_events(&mut admin);
    assert_eq!(
        events.len(),
        5,
        "Disconnected, three outcomes and Closed: {events:?}"
    );
    assert_eq!(
        events[0],
        AdminEvent::Connection(ConnectionEvent::Disconnected {
            why: Disconnect::Closed { why: None }
        })
    );
    let events = &events[1..];
    let mut ended = Vec::new();
    for event in &events[..3] {
        let (txn, outcome) = completed(event.clone());
        assert_eq!(outcome, Err(RequestError::ConnectionLost));
        ended.push(txn);
    }
    ended.sort();
    assert_eq!(ended, txns);
    assert_eq!(events[3], AdminEvent::Connection(ConnectionEvent::Closed));
    assert!(admin.is_closed());
    assert_eq!(admin.pending(), 0);
    assert_eq!(admin.poll_transmit(), None, "unsent frames are dropped");
    assert_eq!(admin.poll_timeout(), None);
    assert_eq!(
        admin.submit(now, AdminRequest::Ping),
        Err(UsageError::Closed)
    );

    admin.reconnect(now);
    assert!(!admin.is_closed());
    let again = admin
        .submit(now, AdminRequest::Ping)
        .expect("submit after reconnect");
    assert!(!txns.contains(&again), "transaction ids are never reused");
    assert!(admin.poll_transmit().is_some());
}

#[test]
fn a_reply_after_the_deadline_is_a_late_reply_and_only_once() {
    let (mut admin, now) = build_admin();
    let txn = admin
        .submit_with_timeout(now, AdminRequest::ListSessions, Duration::from_secs(1))
        .expect("submit");
    let t = wire_txn(&admin.poll_transmit().expect("a frame"));
    admin.handle_timeout(now + Duration::from_secs(1));
    let (_, outcome) = completed(admin.poll_event().expect("timed out"));
    assert_eq!(outcome, Err(RequestError::TimedOut { acked: false }));

    let reply = format!(r#"{{"janus":"success","transaction":"{t}","sessions":[]}}"#);
    admin
        .handle_input(now + Duration::from_secs(2), Input::text(reply.clone()))
        .expect("valid frame");
    match admin.poll_event() {
        Some(AdminEvent::Connection(ConnectionEvent::LateReply { txn: late, raw })) => {
            assert_eq!(late, txn);
            assert_eq!(raw.as_str(), reply);
        }
        other => panic!("expected LateReply, got {other:?}"),
    }
    // A duplicate of it is no longer expected.
    admin
        .handle_input(now + Duration::from_secs(2), Input::text(reply))
        .expect("valid frame");
    assert!(matches!(
        admin.poll_event(),
        Some(AdminEvent::Connection(ConnectionEvent::Unroutable { .. }))
    ));
    assert_eq!(admin.poll_event(), None);
}

#[test]
fn a_cancelled_request_ends_once_and_its_reply_is_late() {
    let (mut admin, now) = build_admin();
    let txn = admin.submit(now, AdminRequest::GetStatus).expect("submit");
    let t = wire_txn(&admin.poll_transmit().expect("a frame"));
    admin.cancel(now, txn).expect("pending");
    assert_eq!(admin.cancel(now, txn), Err(UsageError::NotPending(txn)));
    let (got, outcome) = completed(admin.poll_event().expect("cancelled"));
    assert_eq!((got, outcome), (txn, Err(RequestError::Cancelled)));
    assert_eq!(admin.poll_timeout(), None);

    let error = format!(
        r#"{{"janus":"error","transaction":"{t}","error":{{"code":403,"reason":"Unauthorized request (wrong or missing secret/token)"}}}}"#
    );
    admin
        .handle_input(now, Input::text(error))
        .expect("valid frame");
    assert!(matches!(
        admin.poll_event(),
        Some(AdminEvent::Connection(ConnectionEvent::LateReply { txn: late, .. })) if late == txn
    ));
}

#[test]
fn a_request_cancelled_before_its_frame_was_taken_is_never_sent() {
    let (mut admin, now) = build_admin();
    let status = admin.submit(now, AdminRequest::GetStatus).expect("submit");
    let list = admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    admin.cancel(now, status).expect("pending");
    let (got, outcome) = completed(admin.poll_event().expect("cancelled"));
    assert_eq!((got, outcome), (status, Err(RequestError::Cancelled)));
    let sent = drain_transmits(&mut admin);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("list_sessions"), "{sent:?}");
    assert_eq!(admin.pending(), 1);
    assert_eq!(
        admin.pending_kind(list),
        Some(AdminRequestKind::ListSessions)
    );
}

#[test]
fn a_transaction_less_456_is_a_connection_error_and_leaves_requests_pending() {
    let (mut admin, now) = build_admin();
    admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    let _ = drain_transmits(&mut admin);
    let frame = "{\n   \"janus\": \"error\",\n   \"error\": {\n      \"code\": 456,\n      \"reason\": \"Missing mandatory element (transaction)\"\n   }\n}";
    admin
        .handle_input(now, Input::text(frame))
        .expect("valid frame");
    match admin.poll_event() {
        Some(AdminEvent::Connection(ConnectionEvent::Error { error, raw })) => {
            assert_eq!(error.code, 456);
            assert_eq!(error.reason, "Missing mandatory element (transaction)");
            assert_eq!(raw.as_str(), frame);
        }
        other => panic!("expected a connection error, got {other:?}"),
    }
    assert_eq!(admin.poll_event(), None);
    assert_eq!(admin.pending(), 1);
}

#[test]
fn a_garbage_frame_is_an_error_and_changes_nothing() {
    let (mut admin, now) = build_admin();
    let txn = admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    let t = wire_txn(&admin.poll_transmit().expect("a frame"));
    let deadline = admin.poll_timeout();

    for garbage in [
        "not json at all",
        "",
        "[1,2,3]",
        "\"a string\"",
        r#"{"transaction":"a-1"}"#,
        r#"{"janus":"success"}"#,
        r#"{"janus":"error","transaction":"a-1"}"#,
        r#"{"janus":"success","transaction":"a-1"} trailing"#,
    ] {
        let result = admin.handle_input(now, Input::text(garbage));
        assert!(
            matches!(result, Err(ProtocolError::Decode(_))),
            "{garbage:?}: {result:?}"
        );
    }
    assert!(matches!(
        admin.handle_input(
            now,
            Input::Frame(Bytes::from_static(b"{\"janus\":\"\xff\"}"))
        ),
        Err(ProtocolError::NotUtf8)
    ));
    assert_eq!(admin.poll_event(), None);
    assert_eq!(admin.pending(), 1);
    assert_eq!(admin.poll_timeout(), deadline);

    // The pending request still completes with its real reply.
    let reply = format!(r#"{{"janus":"success","transaction":"{t}","sessions":[1]}}"#);
    admin
        .handle_input(now, Input::text(reply))
        .expect("valid frame");
    let (got, outcome) = completed(admin.poll_event().expect("completed"));
    assert_eq!(got, txn);
    assert!(outcome.is_ok());
}

#[test]
fn a_frame_over_the_size_limit_is_refused() {
    let now = base();
    let mut admin = AdminClient::new(
        Config::new().ping_interval(None).max_incoming_frame(16),
        now,
    );
    let result = admin.handle_input(now, Input::text(r#"{"janus":"pong","transaction":"1"}"#));
    assert!(matches!(
        result,
        Err(ProtocolError::FrameTooLarge { max: 16, .. })
    ));
}

#[test]
fn replies_for_unknown_transactions_are_unroutable() {
    let (mut admin, now) = build_admin();
    admin.submit(now, AdminRequest::Ping).expect("submit");
    for frame in [
        r#"{"janus":"pong","transaction":"a-999"}"#,
        r#"{"janus":"pong","transaction":"someone-else"}"#,
        r#"{"janus":"error","transaction":"x","error":{"code":458,"reason":"No such session 1"}}"#,
        r#"{"janus":"event","session_id":1,"sender":2}"#,
    ] {
        admin
            .handle_input(now, Input::text(frame))
            .expect("valid frame");
        match admin.poll_event() {
            Some(AdminEvent::Connection(ConnectionEvent::Unroutable { raw })) => {
                assert_eq!(raw.as_str(), frame)
            }
            other => panic!("{frame}: expected Unroutable, got {other:?}"),
        }
    }
    assert_eq!(admin.pending(), 1);
}

#[test]
fn a_non_reply_kind_carrying_a_pending_transaction_is_an_unexpected_reply() {
    let (mut admin, now) = build_admin();
    let txn = admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    let t = wire_txn(&admin.poll_transmit().expect("a frame"));
    admin
        .handle_input(
            now,
            Input::text(format!(r#"{{"janus":"ack","transaction":"{t}"}}"#)),
        )
        .expect("valid frame");
    let (got, outcome) = completed(admin.poll_event().expect("completed"));
    assert_eq!(got, txn);
    assert!(matches!(outcome, Err(RequestError::UnexpectedReply(_))));
}

#[test]
fn submit_refuses_what_janus_would_reject_or_what_exceeds_the_limits() {
    let now = base();
    let mut admin = AdminClient::new(admin_config().max_pending(1).max_outgoing_frame(200), now);
    assert_eq!(
        admin.submit(
            now,
            AdminRequest::MessagePlugin {
                plugin: "janus.plugin.videoroom".into(),
                request: json!(["not", "an", "object"]),
            }
        ),
        Err(UsageError::BodyNotObject)
    );
    assert_eq!(
        admin.submit(
            now,
            AdminRequest::CustomEvent {
                schema: "s".into(),
                data: Value::Null,
            }
        ),
        Err(UsageError::BodyNotObject)
    );
    assert!(matches!(
        admin.submit(
            now,
            AdminRequest::CustomLogline {
                line: "x".repeat(500),
                level: None,
            }
        ),
        Err(UsageError::FrameTooLarge { max: 200, .. })
    ));
    assert_eq!(admin.pending(), 0);
    assert_eq!(admin.poll_transmit(), None, "nothing was sent");

    let first = admin.submit(now, AdminRequest::Ping).expect("first fits");
    assert_eq!(
        first,
        TransactionId(1),
        "a refused submit spends no transaction id"
    );
    assert_eq!(
        admin.submit(now, AdminRequest::Ping),
        Err(UsageError::TooManyPending { max: 1 })
    );
    assert_eq!(
        drain_transmits(&mut admin)
            .iter()
            .map(|f| wire_txn(f))
            .collect::<Vec<_>>(),
        ["a-1"]
    );
}

#[test]
fn the_event_queue_is_bounded_with_a_lag_count_and_outcomes_are_never_dropped() {
    let now = base();
    let mut admin = AdminClient::new(admin_config().event_queue_capacity(2), now);
    let ping = admin.submit(now, AdminRequest::Ping).expect("submit");
    drain_transmits(&mut admin);
    for _ in 0..5 {
        admin
            .handle_input(
                now,
                Input::text(r#"{"janus":"success","transaction":"elsewhere"}"#),
            )
            .expect("valid");
    }
    admin
        .handle_input(now, Input::text(r#"{"janus":"pong","transaction":"a-1"}"#))
        .expect("valid");
    let events = drain_events(&mut admin);
    assert!(
        matches!(
            &events[..],
            [
                AdminEvent::Connection(ConnectionEvent::Unroutable { .. }),
                AdminEvent::Connection(ConnectionEvent::Unroutable { .. }),
                AdminEvent::Lagged { dropped: 3 },
                AdminEvent::Completed { txn, outcome: Ok(_) },
            ] if *txn == ping
        ),
        "{events:?}"
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let requests = [
        AdminRequest::AddToken {
            token: Secret::new("tok-secret-1"),
            plugins: None,
        },
        AdminRequest::AllowToken {
            token: Secret::new("tok-secret-1"),
            plugins: vec!["janus.plugin.echotest".into()],
        },
        AdminRequest::DisallowToken {
            token: Secret::new("tok-secret-1"),
            plugins: vec!["janus.plugin.echotest".into()],
        },
        AdminRequest::RemoveToken {
            token: Secret::new("tok-secret-1"),
        },
    ];
    for request in requests {
        let frame = AdminRequestFrame::new("t", request.clone()).admin_secret(SECRET);
        assert!(frame.encode().contains("tok-secret-1"), "the wire has it");
        let shown = format!("{request:?} {frame:?}");
        assert!(!shown.contains("tok-secret-1"), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
    }

    let (admin, _) = build_admin();
    let shown = format!("{:?} {:?}", admin_config(), admin);
    assert!(!shown.contains(SECRET), "{shown}");

    let tokens = AdminReplyKind::Tokens(vec![TokenInfo {
        token: Secret::new("tok-secret-2"),
        allowed_plugins: vec![],
    }]);
    assert!(!format!("{tokens:?}").contains("tok-secret-2"));
    let info = HandleInfo(json!({"token": "tok-secret-3", "plugin": "janus.plugin.echotest"}));
    let shown = format!("{info:?}");
    assert!(!shown.contains("tok-secret-3"), "{shown}");
    assert!(shown.contains("janus.plugin.echotest"), "{shown}");
}

#[test]
fn the_admin_client_is_send_and_unwind_safe() {
    fn check<T: Send + std::panic::UnwindSafe>() {}
    check::<AdminClient>();
    check::<AdminEvent>();
}

#[test]
fn identical_inputs_give_byte_identical_outputs() {
    fn run() -> (Vec<String>, Vec<AdminEvent>) {
        let (mut admin, now) = build_admin();
        let mut frames = Vec::new();
        for (request, _) in request_table() {
            admin.submit(now, request).expect("submit");
        }
        frames.extend(drain_transmits(&mut admin));
        admin
            .handle_input(now, Input::text(r#"{"janus":"pong","transaction":"a-2"}"#))
            .expect("valid");
        admin.handle_timeout(now + Duration::from_secs(20));
        (frames, drain_events(&mut admin))
    }
    let (frames_a, events_a) = run();
    let (frames_b, events_b) = run();
    assert_eq!(frames_a, frames_b);
    assert_eq!(events_a.len(), request_table().len());
    assert_eq!(events_a, events_b);
}

/// With a reconnect policy, an Admin API connection comes back like a Janus API one (with no
/// sessions to claim): the request in flight is interrupted, one made while down waits and
/// goes out once the connection is back, and the lifecycle events say so.
#[test]
fn an_admin_connection_reconnects_with_a_policy() {
    let now = base();
    let policy = janus_proto::Reconnect::new()
        .seed(1)
        .first_delay(Duration::from_millis(100));
    let mut admin = AdminClient::new(admin_config().reconnect(policy), now);
    let in_flight = admin
        .submit(now, AdminRequest::ListSessions)
        .expect("submit");
    assert_eq!(drain_transmits(&mut admin).len(), 1);
    admin
        .handle_input(now, Input::Lost("reset".into()))
        .expect("a loss is accepted");
    let waiting = admin.submit(now, AdminRequest::GetStatus).expect("submit");
    assert!(drain_transmits(&mut admin).is_empty(), "it waits");
    let dial_at = admin.poll_timeout().expect("a dial is scheduled");
    assert!(dial_at > now && dial_at <= now + Duration::from_millis(100));
    admin.handle_timeout(dial_at);
    assert!(matches!(
        admin.poll_action(),
        Some(janus_proto::Action::Dial { attempt: 1, .. })
    ));
    admin
        .handle_input(dial_at, Input::Connected)
        .expect("connected");
    let frames = drain_transmits(&mut admin);
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert!(frames[0].contains("get_status"));
    let events = drain_events(&mut admin);
    assert!(events.contains(&AdminEvent::Completed {
        txn: in_flight,
        outcome: Err(RequestError::Interrupted)
    }));
    assert!(events.iter().any(|e| matches!(
        e,
        AdminEvent::Connection(ConnectionEvent::Reconnected { claimed, lost, .. })
            if claimed.is_empty() && lost.is_empty()
    )));
    let reply = format!(
        r#"{{"janus":"success","transaction":"{}","status":{{}}}}"#,
        wire_txn(&frames[0])
    );
    admin
        .handle_input(dial_at, Input::text(reply))
        .expect("the reply");
    let (txn, outcome) = completed(admin.poll_event().expect("its outcome"));
    assert_eq!(txn, waiting);
    assert!(outcome.is_ok(), "{outcome:?}");
}
