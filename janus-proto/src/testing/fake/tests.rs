//! Unit tests of the fake server.

use super::*;
use std::time::Duration;

use crate::testing::start_instant;

/// Every frame due up to a second after the fake's latest time.
fn frames(janus: &mut FakeJanus, now: Instant) -> Vec<Value> {
    let later = janus.now.map_or(now, |t| t.max(now)) + Duration::from_secs(1);
    std::iter::from_fn(|| janus.poll_frame(later))
        .map(|f| serde_json::from_str(&f).unwrap_or(Value::String(f)))
        .collect()
}

fn one(janus: &mut FakeJanus, now: Instant, frame: &str) -> Value {
    janus.handle_frame(now, frame);
    let mut out = frames(janus, now);
    assert_eq!(out.len(), 1, "{out:?}");
    out.remove(0)
}

#[test]
fn bad_frames_get_the_transactionless_errors_janus_sends() {
    let now = start_instant();
    let mut janus = FakeJanus::new(FakeConfig::new());
    for (frame, code) in [
        ("", 454),
        ("hello", 454),
        ("5", 454),
        ("[]", 456),
        (r#"{"janus":"ping","transaction":"t"}"#, 0),
        ("{\"janus\":\"ping\",\"transaction\":\"t\"}\n", 454),
        (r#"{"janus":"ping"}"#, 456),
        (r#"{"janus":5,"transaction":"t"}"#, 467),
        (r#"{"janus":"create","transaction":"t","id":-5}"#, 467),
    ] {
        let reply = one(&mut janus, now, frame);
        if code == 0 {
            assert_eq!(reply["janus"], "pong");
        } else {
            assert_eq!(reply["janus"], "error", "{frame:?}");
            assert_eq!(reply["error"]["code"], code, "{frame:?}");
            assert!(reply.get("transaction").is_none(), "{frame:?}");
        }
    }
}

#[test]
fn concatenated_requests_all_run_in_order() {
    let now = start_instant();
    let mut janus = FakeJanus::new(FakeConfig::new());
    let ping = |t: &str| format!(r#"{{"janus":"PING","transaction":"{t}"}}"#);
    janus.handle_frame(now, &format!("{}{}", ping("a"), ping("b")));
    let out = frames(&mut janus, now);
    let txns: Vec<&Value> = out.iter().map(|v| &v["transaction"]).collect();
    assert_eq!(txns, ["a", "b"]);
}

#[test]
fn level_errors_follow_janus() {
    let now = start_instant();
    let mut janus = FakeJanus::new(FakeConfig::new());
    let cases = [
        (r#"{"janus":"keepalive","transaction":"t"}"#, 457),
        (r#"{"janus":"info","transaction":"t","session_id":1}"#, 453),
        (r#"{"janus":"bogus","transaction":"t"}"#, 457),
        (
            r#"{"janus":"keepalive","transaction":"t","session_id":9}"#,
            458,
        ),
        (
            r#"{"janus":"hangup","transaction":"t","session_id":9}"#,
            457,
        ),
        (r#"{"janus":"detach","transaction":"t","handle_id":9}"#, 458),
    ];
    for (frame, code) in cases {
        let reply = one(&mut janus, now, frame);
        assert_eq!(reply["error"]["code"], code, "{frame}");
        assert_eq!(reply["transaction"], "t", "{frame}");
    }
}

#[test]
fn sessions_conflict_and_plugins_must_exist() {
    let now = start_instant();
    let mut janus = FakeJanus::new(FakeConfig::new());
    let created = one(
        &mut janus,
        now,
        r#"{"janus":"create","transaction":"a","id":77}"#,
    );
    assert_eq!(created["data"]["id"], 77);
    let again = one(
        &mut janus,
        now,
        r#"{"janus":"create","transaction":"b","id":77}"#,
    );
    assert_eq!(again["error"]["code"], 468);
    assert_eq!(again["session_id"], 77);
    let sip = r#"{"janus":"attach","transaction":"c","session_id":77,"plugin":"janus.plugin.sip"}"#;
    assert_eq!(one(&mut janus, now, sip)["error"]["code"], 460);
    for plugin in Plugin::all() {
        let attach = format!(
            r#"{{"janus":"attach","transaction":"d","session_id":77,"plugin":"{}"}}"#,
            plugin.package()
        );
        assert!(one(&mut janus, now, &attach)["data"]["id"].is_u64());
    }
    assert_eq!(janus.handles(SessionId(77)).len(), 3);
}

#[test]
fn auth_is_checked_on_everything_but_info_and_ping() {
    let now = start_instant();
    let mut janus = FakeJanus::new(FakeConfig::new().api_secret("s").tokens(["tok"]));
    let info = one(&mut janus, now, r#"{"janus":"info","transaction":"a"}"#);
    assert_eq!(info["api_secret"], true);
    assert_eq!(info["auth_token"], true);
    let create = one(&mut janus, now, r#"{"janus":"create","transaction":"b"}"#);
    assert_eq!(create["error"]["code"], 403);
    let bad = r#"{"janus":"create","transaction":"c","apisecret":"x"}"#;
    assert_eq!(one(&mut janus, now, bad)["error"]["code"], 403);
    let secret = r#"{"janus":"create","transaction":"d","apisecret":"s"}"#;
    assert!(one(&mut janus, now, secret)["data"]["id"].is_u64());
    let token = r#"{"janus":"create","transaction":"e","token":"tok"}"#;
    assert!(one(&mut janus, now, token)["data"]["id"].is_u64());
}

#[test]
fn an_expired_session_sends_timeout_and_detached_as_configured() {
    for (mode, expected) in [
        (DetachedOnTimeout::Never, vec!["timeout"]),
        (DetachedOnTimeout::After, vec!["timeout", "detached"]),
        (DetachedOnTimeout::Before, vec!["detached", "timeout"]),
    ] {
        let now = start_instant();
        let config = FakeConfig::new()
            .session_timeout(Duration::from_secs(10))
            .detached_on_timeout(mode);
        let mut janus = FakeJanus::new(config);
        janus.handle_frame(now, r#"{"janus":"create","transaction":"a","id":5}"#);
        let attach = r#"{"janus":"attach","transaction":"b","session_id":5,"plugin":"janus.plugin.echotest"}"#;
        janus.handle_frame(now, attach);
        let replies = [
            janus.poll_frame(now + Duration::from_secs(9)),
            janus.poll_frame(now + Duration::from_secs(9)),
        ];
        assert!(replies
            .iter()
            .all(|r| r.as_deref().is_some_and(|r| r.contains("success"))));
        assert_eq!(janus.next_timeout(), Some(now + Duration::from_secs(10)));
        assert_eq!(janus.poll_frame(now + Duration::from_secs(9)), None);
        let expired = now + Duration::from_secs(10);
        let out: Vec<Value> =
            std::iter::from_fn(|| janus.poll_frame(expired + Duration::from_millis(1)))
                .filter_map(|f| serde_json::from_str(&f).ok())
                .collect();
        let kinds: Vec<&str> = out.iter().filter_map(|v| v["janus"].as_str()).collect();
        assert_eq!(kinds, expected, "{mode:?}");
        assert!(janus.sessions().is_empty());
    }
}

#[test]
fn a_killed_connection_orphans_sessions_only_with_reclaim() {
    let now = start_instant();
    for (reclaim, kept) in [(0, false), (30, true)] {
        let config = FakeConfig::new().reclaim_session_timeout(Duration::from_secs(reclaim));
        let mut janus = FakeJanus::new(config);
        one(
            &mut janus,
            now,
            r#"{"janus":"create","transaction":"a","id":5}"#,
        );
        janus.kill();
        janus.handle_frame(now, r#"{"janus":"ping","transaction":"p"}"#);
        assert_eq!(janus.next_delivery(), None);
        assert_eq!(!janus.sessions().is_empty(), kept);
        janus.reconnect();
        let claim = one(
            &mut janus,
            now,
            r#"{"janus":"claim","transaction":"c","session_id":5}"#,
        );
        assert_eq!(claim["janus"], if kept { "success" } else { "error" });
        assert_eq!(janus.owns(SessionId(5)), kept);
    }
}

#[test]
fn nothing_a_client_sends_makes_it_panic() {
    let seeds = [
        r#"{"janus":"create","transaction":"a","id":5}"#,
        r#"{"janus":"attach","transaction":"b","session_id":5,"plugin":"janus.plugin.videoroom"}"#,
        r#"{"janus":"message","transaction":"c","session_id":5,"handle_id":1,"body":{"request":"join","room":1234,"ptype":"publisher"}}"#,
        r#"{"janus":"message","transaction":"d","session_id":5,"handle_id":1,"body":[],"jsep":{"type":"answer","sdp":"v=0"}}"#,
        r#"{"janus":"trickle","transaction":"e","session_id":5,"handle_id":1,"candidates":[{"completed":true}]}"#,
        r#"{"janus":"claim","transaction":"f","session_id":5,"handle_id":1}"#,
        r#"{"janus":"destroy","transaction":"g","session_id":5}"#,
    ];
    let now = start_instant();
    let config = FakeConfig::new()
        .reorder_messages(0.5)
        .event_before_ack(0.5)
        .duplicate_events(0.5)
        .garbage_frames(0.1)
        .stray_errors(0.1);
    let mut janus = FakeJanus::new(config);
    let mut rng = Rng::new(11);
    let tokens = [
        "{", "}", "[", "]", ",", ":", "\"", "0", "-1", "1e400", "null", "ü", " ", "\n",
    ];
    for round in 0..20_000u64 {
        let mut chars: Vec<char> = seeds[rng.below(seeds.len() as u64) as usize]
            .chars()
            .collect();
        for _ in 0..rng.below(4) {
            let at = rng.below(chars.len() as u64 + 1) as usize;
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => chars.truncate(at),
                _ => {
                    let token = tokens[rng.below(tokens.len() as u64) as usize];
                    for (i, c) in token.chars().enumerate() {
                        chars.insert(at + i, c);
                    }
                }
            }
        }
        let frame: String = chars.into_iter().collect();
        let t = now + Duration::from_millis(round);
        janus.handle_frame(t, &frame);
        while janus.poll_frame(t + Duration::from_millis(20)).is_some() {}
        if round % 5000 == 0 {
            janus.kill();
            janus.reconnect();
        }
    }
    assert!(janus.stats().requests > 1000);
}

#[test]
fn rng_is_deterministic_and_in_range() {
    let mut a = Rng::new(3);
    let mut b = Rng::new(3);
    for _ in 0..100 {
        assert_eq!(a.next_u64(), b.next_u64());
    }
    let range = Duration::from_millis(5)..=Duration::from_millis(7);
    for _ in 0..100 {
        let d = a.duration(&range);
        assert!(range.contains(&d));
        let id = a.janus_id();
        assert!((1..1 << 53).contains(&id));
    }
    let hits = (0..1000).filter(|_| a.chance(0.3)).count();
    assert!((200..400).contains(&hits), "{hits}");
}

impl Plugin {
    fn all() -> [Plugin; 3] {
        [Plugin::EchoTest, Plugin::VideoRoom, Plugin::Streaming]
    }
}
