//! Realistic Janus frames, pretty-printed the way Janus sends them.
//!
//! Janus serialises every message with `json_dumps(..., JSON_INDENT(3) | JSON_PRESERVE_ORDER)`:
//! keys in the order the server set them, three spaces per level, `": "` between a key and its
//! value, a newline after every `,`, and `{}` / `[]` for empty containers. The frames here are
//! written compact in Janus's key order and re-indented by [`pretty`].

use janus_proto::{HandleId, SessionId};

/// Re-indents compact JSON text the way Jansson's `JSON_INDENT(3)` prints it.
///
/// The input must be compact (no whitespace outside strings); key order is kept as written.
pub fn pretty(compact: &str) -> String {
    const INDENT: &str = "   ";
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(INDENT);
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                out.push(c);
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// The JSON text of a string value (quotes and escapes included).
pub fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A small deterministic generator (xorshift64*), so every run feeds the same frames.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// An id like the ones Janus generates: random, non-zero, below 2^53.
    pub fn janus_id(&mut self) -> u64 {
        (self.next_u64() & ((1 << 53) - 1)).max(1)
    }
}

/// The plugin a handle is attached to; it decides which plugin events it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plugin {
    /// `janus.plugin.videoroom`.
    VideoRoom,
    /// `janus.plugin.echotest`.
    EchoTest,
}

impl Plugin {
    /// The package name.
    pub fn package(self) -> &'static str {
        match self {
            Plugin::VideoRoom => "janus.plugin.videoroom",
            Plugin::EchoTest => "janus.plugin.echotest",
        }
    }
}

/// The kind of handle event a frame must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An unsolicited plugin `event`.
    Plugin,
    /// `webrtcup`.
    WebrtcUp,
    /// `media`.
    Media,
    /// `slowlink`.
    SlowLink,
    /// `trickle` from Janus.
    Trickle,
}

impl Kind {
    /// The `janus` value of the frame.
    pub fn janus(self) -> &'static str {
        match self {
            Kind::Plugin => "event",
            Kind::WebrtcUp => "webrtcup",
            Kind::Media => "media",
            Kind::SlowLink => "slowlink",
            Kind::Trickle => "trickle",
        }
    }
}

/// The mix of one cycle of 20 frames on a handle: 14 plugin events (70 %), 2 `media`,
/// 2 `slowlink`, 1 `trickle`, 1 `webrtcup`. Nothing that changes state (no `hangup`,
/// `detached` or `timeout`), so the sessions and handles stay alive however many are fed.
pub const MIX: [Kind; 20] = [
    Kind::Plugin,
    Kind::Plugin,
    Kind::Media,
    Kind::Plugin,
    Kind::Plugin,
    Kind::SlowLink,
    Kind::Plugin,
    Kind::Plugin,
    Kind::Trickle,
    Kind::Plugin,
    Kind::Plugin,
    Kind::Media,
    Kind::Plugin,
    Kind::Plugin,
    Kind::SlowLink,
    Kind::Plugin,
    Kind::Plugin,
    Kind::WebrtcUp,
    Kind::Plugin,
    Kind::Plugin,
];

/// The compact text of one server frame of `kind` for a handle; `n` picks among variants.
pub fn compact_frame(
    kind: Kind,
    plugin: Plugin,
    session: SessionId,
    handle: HandleId,
    n: u64,
    rng: &mut Rng,
) -> String {
    let (s, h) = (session.0, handle.0);
    match kind {
        Kind::Plugin => format!(
            r#"{{"janus":"event","session_id":{s},"sender":{h},"plugindata":{{"plugin":"{}","data":{}}}}}"#,
            plugin.package(),
            plugin_data(plugin, n, rng)
        ),
        Kind::WebrtcUp => format!(r#"{{"janus":"webrtcup","session_id":{s},"sender":{h}}}"#),
        Kind::Media => {
            if n.is_multiple_of(2) {
                format!(
                    r#"{{"janus":"media","session_id":{s},"sender":{h},"mid":"0","type":"audio","receiving":true}}"#
                )
            } else {
                format!(
                    r#"{{"janus":"media","session_id":{s},"sender":{h},"mid":"1","type":"video","receiving":true,"substream":{}}}"#,
                    rng.below(3)
                )
            }
        }
        Kind::SlowLink => {
            let (mid, media, uplink) = if n.is_multiple_of(2) {
                ("0", "audio", false)
            } else {
                ("1", "video", true)
            };
            format!(
                r#"{{"janus":"slowlink","session_id":{s},"sender":{h},"mid":"{mid}","media":"{media}","uplink":{uplink},"lost":{}}}"#,
                1 + rng.below(40)
            )
        }
        Kind::Trickle => {
            if n % 4 == 3 {
                format!(
                    r#"{{"janus":"trickle","session_id":{s},"sender":{h},"candidate":{{"completed":true}}}}"#
                )
            } else {
                format!(
                    r#"{{"janus":"trickle","session_id":{s},"sender":{h},"candidate":{{"sdpMLineIndex":0,"candidate":"candidate:{} 1 udp {} 192.0.2.{} {} typ host"}}}}"#,
                    1 + rng.below(4),
                    2_015_363_327 - rng.below(1000),
                    1 + rng.below(250),
                    20_000 + rng.below(40_000)
                )
            }
        }
    }
}

/// The `data` of a plugin event, as the VideoRoom and EchoTest plugins of Janus 1.1 send them.
fn plugin_data(plugin: Plugin, n: u64, rng: &mut Rng) -> String {
    const NAMES: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];
    let room = 1234;
    let id = rng.janus_id();
    let name = NAMES[(rng.below(NAMES.len() as u64)) as usize];
    match plugin {
        Plugin::EchoTest => {
            if n % 3 == 2 {
                r#"{"echotest":"event","result":"ok"}"#.to_owned()
            } else {
                let media = if n.is_multiple_of(2) {
                    "video"
                } else {
                    "audio"
                };
                format!(
                    r#"{{"echotest":"event","event":"slow_link","media":"{media}","current-bitrate":{}}}"#,
                    rng.below(4) * 128_000
                )
            }
        }
        Plugin::VideoRoom => match n % 14 {
            0..=2 => format!(
                r#"{{"videoroom":"event","room":{room},"publishers":[{{"id":{id},"display":"{name}","audio_codec":"opus","video_codec":"vp8","streams":[{{"type":"audio","mindex":0,"mid":"0","codec":"opus","fec":true}},{{"type":"video","mindex":1,"mid":"1","codec":"vp8","simulcast":{}}}],"talking":false}}]}}"#,
                n.is_multiple_of(2)
            ),
            3 | 4 => format!(
                r#"{{"videoroom":"event","room":{room},"joining":{{"id":{id},"display":"{name}"}}}}"#
            ),
            5..=7 => format!(
                r#"{{"videoroom":"talking","room":{room},"id":{id},"mindex":0,"mid":"0","audio-level-dBov-avg":-{}.{:02}}}"#,
                20 + rng.below(30),
                rng.below(100)
            ),
            8 | 9 => format!(
                r#"{{"videoroom":"stopped-talking","room":{room},"id":{id},"mindex":0,"mid":"0","audio-level-dBov-avg":-{}.{:02}}}"#,
                50 + rng.below(20),
                rng.below(100)
            ),
            10 => format!(r#"{{"videoroom":"event","room":{room},"leaving":{id}}}"#),
            11 => format!(r#"{{"videoroom":"event","room":{room},"unpublished":{id}}}"#),
            _ => format!(
                r#"{{"videoroom":"event","room":{room},"id":{id},"display":"{name} ({})"}}"#,
                rng.below(100)
            ),
        },
    }
}

/// A `success` reply to `create`, pretty-printed as Janus sends it.
pub fn create_success(transaction: &str, session: SessionId) -> String {
    pretty(&format!(
        r#"{{"janus":"success","transaction":{},"data":{{"id":{}}}}}"#,
        json_string(transaction),
        session.0
    ))
}

/// A `success` reply to `attach`, pretty-printed as Janus sends it.
pub fn attach_success(transaction: &str, session: SessionId, handle: HandleId) -> String {
    pretty(&format!(
        r#"{{"janus":"success","session_id":{},"transaction":{},"data":{{"id":{}}}}}"#,
        session.0,
        json_string(transaction),
        handle.0
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_matches_what_janus_sends() {
        let compact = r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"completed":true},"a":[],"b":{},"c":"x,{\"y\":[1]}"}"#;
        let expected = "{\n   \"janus\": \"trickle\",\n   \"session_id\": 1,\n   \"sender\": 2,\n   \"candidate\": {\n      \"completed\": true\n   },\n   \"a\": [],\n   \"b\": {},\n   \"c\": \"x,{\\\"y\\\":[1]}\"\n}";
        assert_eq!(pretty(compact), expected);
    }

    #[test]
    fn every_frame_is_valid_json() {
        let mut rng = Rng::new(7);
        for plugin in [Plugin::VideoRoom, Plugin::EchoTest] {
            for (n, kind) in MIX.iter().enumerate() {
                let text = pretty(&compact_frame(
                    *kind,
                    plugin,
                    SessionId(1),
                    HandleId(2),
                    n as u64,
                    &mut rng,
                ));
                let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
                assert_eq!(v["janus"], kind.janus());
            }
        }
    }
}
