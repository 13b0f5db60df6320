//! EchoTest (`janus.plugin.echotest`): the peer gets back the media it sends.
//!
//! One request, [`Configure`], asynchronous: its outcome is the plugin's event (`"result":
//! "ok"`), with Janus's SDP answer when the request carried an offer. Events that answer no
//! request are [`Event`]s; failures are plugin errors whose codes are [`ErrorCode`]s.
//!
//! ```
//! use janus_proto::plugins::echotest::{Configure, EchoTest};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId};
//!
//! let configure = Configure::builder().audio(true).video(false).bitrate(128_000).build();
//! match PluginHandle::<EchoTest>::new(HandleId(7)).request(configure).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(body, serde_json::json!({"audio": true, "video": false, "bitrate": 128000}));
//!         assert!(jsep.is_none());
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::plugins::{Plugin, PluginRequest};
use crate::wire::{Jsep, PluginData};

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.echotest";

/// The EchoTest plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoTest;

impl Plugin for EchoTest {
    const PACKAGE: &'static str = PACKAGE;
    type Event = Event;
    type ErrorCode = ErrorCode;

    fn event(data: &PluginData) -> Event {
        Event::from_data(data)
    }

    fn error_code(code: i64) -> ErrorCode {
        ErrorCode::from_code(code)
    }
}

/// The EchoTest's one request: settings for the handle (every field optional, only the ones
/// given are sent), and an SDP offer to negotiate a PeerConnection (or renegotiate one). Its
/// outcome is the plugin's [`Accepted`] event, with Janus's answer in
/// [`Typed::jsep`](crate::plugins::Typed) when an offer went with it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Configure {
    /// Bounce audio back.
    pub audio: Option<bool>,
    /// Audio codec to prefer when a PeerConnection is negotiated.
    pub audiocodec: Option<String>,
    /// Bounce video back.
    pub video: Option<bool>,
    /// Video codec to prefer when a PeerConnection is negotiated.
    pub videocodec: Option<String>,
    /// Video codec profile to force (VP9 `0`/`2`, H.264 e.g. `42e01f`).
    pub videoprofile: Option<String>,
    /// Bitrate cap in bits per second (through REMB).
    pub bitrate: Option<u64>,
    /// Record the peer.
    pub record: Option<bool>,
    /// Base path of the recording (`-audio.mjr`, `-video.mjr`, `-data.mjr` are appended).
    pub filename: Option<String>,
    /// Simulcast substream to receive (0–2).
    pub substream: Option<u8>,
    /// Simulcast temporal layer to receive (0–2).
    pub temporal: Option<u8>,
    /// Fallback (microseconds) before dropping to a lower substream when packets stop.
    pub fallback: Option<u64>,
    /// Whether SVC is in use.
    pub svc: Option<bool>,
    /// SVC spatial layer to receive (0–2).
    pub spatial_layer: Option<u8>,
    /// SVC temporal layer to receive (0–2).
    pub temporal_layer: Option<u8>,
    /// Minimum delay of the playout delay extension (ms; 1.4).
    pub min_delay: Option<i64>,
    /// Maximum delay of the playout delay extension (ms; 1.4).
    pub max_delay: Option<i64>,
    /// An offer (or a renegotiation) sent with the request.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Configure {
    type Plugin = EchoTest;
    type Response = Accepted;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// The plugin's answer to a [`Configure`]: `{"echotest": "event", "result": "ok"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepted {
    /// `ok`.
    pub result: String,
}

/// An EchoTest event that answers no request (its raw [`PluginData`] keeps every field).
/// It encodes (untagged) to the fields it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// The PeerConnection is gone: the echo test is over (`"result": "done"`). Janus 1.1.2
    /// also sends it after a `hangup` of a handle that never had a PeerConnection; 1.4
    /// does not.
    Done,
    /// Janus sees many NACKs on the downlink (`"event": "slow_link"`).
    SlowLink {
        /// `audio` or `video`.
        media: String,
        /// The bitrate cap in force, for video.
        #[serde(rename = "current-bitrate", skip_serializing_if = "Option::is_none")]
        current_bitrate: Option<u64>,
    },
    /// The simulcast substream asked for is the one received.
    Substream {
        /// The video codec.
        videocodec: String,
        /// The substream.
        substream: u8,
    },
    /// The simulcast temporal layer asked for is the one received.
    Temporal {
        /// The video codec.
        videocodec: String,
        /// The layer.
        temporal: u8,
    },
    /// An EchoTest event this model does not know; see the raw data.
    Other,
}

/// The fields an EchoTest event may carry.
#[derive(Deserialize)]
struct EventFields {
    result: Option<String>,
    event: Option<String>,
    media: Option<String>,
    #[serde(rename = "current-bitrate")]
    current_bitrate: Option<u64>,
    videocodec: Option<String>,
    substream: Option<u8>,
    temporal: Option<u8>,
}

impl Event {
    /// The typed view of an event's plugin data; [`Event::Other`] when the model does not
    /// know it (or it is not the EchoTest's).
    ///
    /// ```
    /// use janus_proto::plugins::echotest::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,
    ///   "plugindata":{"plugin":"janus.plugin.echotest","data":{"echotest":"event","result":"done"}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// assert_eq!(Event::from_data(&plugindata), Event::Done);
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(fields) = data.parse::<EventFields>() else {
            return Event::Other;
        };
        match fields {
            EventFields {
                result: Some(result),
                ..
            } if result == "done" => Event::Done,
            EventFields {
                event: Some(event),
                media: Some(media),
                current_bitrate,
                ..
            } if event == "slow_link" => Event::SlowLink {
                media,
                current_bitrate,
            },
            EventFields {
                videocodec: Some(videocodec),
                substream: Some(substream),
                ..
            } => Event::Substream {
                videocodec,
                substream,
            },
            EventFields {
                videocodec: Some(videocodec),
                temporal: Some(temporal),
                ..
            } => Event::Temporal {
                videocodec,
                temporal,
            },
            _ => Event::Other,
        }
    }
}

error_codes! {
    /// The EchoTest's error codes (`error_code` of a plugin error).
    ///
    /// ```
    /// use janus_proto::plugins::echotest::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(414), ErrorCode::InvalidSdp);
    /// assert_eq!(ErrorCode::InvalidSdp.code(), 414);
    /// ```
    ErrorCode {
        /// 411: no message.
        NoMessage = 411,
        /// 412: the message is not valid JSON.
        InvalidJson = 412,
        /// 413: a field is missing or of the wrong type.
        InvalidElement = 413,
        /// 414: the SDP could not be processed.
        InvalidSdp = 414,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::error::PluginError;
    use crate::ids::HandleId;
    use crate::plugins::PluginHandle;
    use crate::request::Request;
    use crate::wire::ServerMessage;

    fn handle() -> PluginHandle<EchoTest> {
        PluginHandle::new(HandleId(1))
    }

    /// The plugin data of an event frame carrying `data`.
    fn plugin_data(plugin: &str, data: &str) -> PluginData {
        let frame = format!(
            r#"{{"janus":"event","session_id":1,"sender":2,"plugindata":{{"plugin":"{plugin}","data":{data}}}}}"#
        );
        match ServerMessage::decode(frame.as_bytes()) {
            Ok(ServerMessage::Event { plugindata, .. }) => plugindata,
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn every_documented_event_has_its_typed_view_and_unknown_ones_are_kept() {
        let cases = [
            (r#"{"echotest":"event","result":"done"}"#, Event::Done),
            (
                r#"{"echotest":"event","event":"slow_link","media":"video","current-bitrate":256000}"#,
                Event::SlowLink {
                    media: "video".into(),
                    current_bitrate: Some(256_000),
                },
            ),
            (
                r#"{"echotest":"event","event":"slow_link","media":"audio"}"#,
                Event::SlowLink {
                    media: "audio".into(),
                    current_bitrate: None,
                },
            ),
            (
                r#"{"echotest":"event","videocodec":"vp8","substream":2}"#,
                Event::Substream {
                    videocodec: "vp8".into(),
                    substream: 2,
                },
            ),
            (
                r#"{"echotest":"event","videocodec":"vp8","temporal":1}"#,
                Event::Temporal {
                    videocodec: "vp8".into(),
                    temporal: 1,
                },
            ),
            (r#"{"echotest":"event","something":"new"}"#, Event::Other),
            (
                r#"{"echotest":"event","substream":"not a number"}"#,
                Event::Other,
            ),
        ];
        for (data, expected) in cases {
            let data = plugin_data(PACKAGE, data);
            assert_eq!(Event::from_data(&data), expected, "{data:?}");
            // The raw data keeps every field.
            assert!(data.value().is_ok());
        }
        let other = plugin_data("janus.plugin.videoroom", r#"{"videoroom":"event"}"#);
        assert_eq!(Event::from_data(&other), Event::Other);
    }

    #[test]
    fn settings_encode_only_what_is_set_and_decode_back() {
        let configure = Configure::builder()
            .audio(true)
            .audiocodec("opus")
            .video(false)
            .videocodec("vp9")
            .videoprofile("2")
            .bitrate(64_000)
            .record(true)
            .filename("/tmp/echo")
            .substream(1)
            .temporal(2)
            .svc(true)
            .spatial_layer(0)
            .temporal_layer(1)
            .build();
        let settings = configure.clone();
        let Command::Message { body, .. } = handle().request(configure).into_command() else {
            panic!("a message");
        };
        assert_eq!(
            body,
            serde_json::json!({
                "audio": true, "audiocodec": "opus", "video": false, "videocodec": "vp9",
                "videoprofile": "2", "bitrate": 64000, "record": true, "filename": "/tmp/echo",
                "substream": 1, "temporal": 2, "svc": true, "spatial_layer": 0,
                "temporal_layer": 1
            })
        );
        let back: Configure = serde_json::from_value(body).expect("decodes");
        assert_eq!(back, settings);
        let Command::Message { body, .. } = handle().request(Configure::default()).into_command()
        else {
            panic!("a message");
        };
        assert_eq!(body, serde_json::json!({}));
    }

    #[test]
    fn error_codes_are_typed_and_other_plugins_errors_are_not_the_echotests() {
        assert_eq!(ErrorCode::from_code(411), ErrorCode::NoMessage);
        assert_eq!(ErrorCode::from_code(412), ErrorCode::InvalidJson);
        assert_eq!(ErrorCode::from_code(413), ErrorCode::InvalidElement);
        assert_eq!(ErrorCode::from_code(414), ErrorCode::InvalidSdp);
        assert_eq!(ErrorCode::from_code(499), ErrorCode::Other(499));
        assert_eq!(ErrorCode::Other(499).code(), 499);
        let error = |plugin: &str| PluginError {
            plugin: plugin.into(),
            code: 413,
            reason: "Invalid element".into(),
            data: plugin_data(plugin, r#"{"error_code":413,"error":"Invalid element"}"#),
        };
        assert_eq!(
            EchoTest::error_of(&error(PACKAGE)),
            Some(ErrorCode::InvalidElement)
        );
        assert_eq!(EchoTest::error_of(&error("janus.plugin.videoroom")), None);
    }
}
