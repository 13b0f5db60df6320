//! The VideoRoom's events: what it sends on its own, and the answers to asynchronous
//! requests as a handle's event stream shows them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Attached, Configured, Destroyed, ErrorCode, Joined, LeavingOk, Left, Paused, Publisher,
    Started, Switched, UnpublishedOk, Updated, Updating, PACKAGE,
};
use crate::plugins::Id;
use crate::wire::PluginData;
use monostate::MustBe;

/// A VideoRoom event, typed by its `videoroom` word and the keys Janus puts in it. The raw
/// [`PluginData`] next to it (in [`Typed::data`](crate::plugins::Typed)) keeps every field.
///
/// `"ok"` where Janus puts either an acknowledgement or a participant id (`leaving`,
/// `unpublished`) is read as the acknowledgement: with `string_ids`, a participant whose
/// id is the string `ok` is indistinguishable from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// `joined`: this handle joined as a publisher.
    Joined(Joined),
    /// `attached`: this handle's subscription, with Janus's offer.
    Attached(Attached),
    /// `updated`: this subscription's new layout, with an offer when the SDP changed.
    Updated(Updated),
    /// `updating`: an update of this subscription was postponed.
    Updating(Updating),
    /// Publishers started publishing, or changed their streams.
    Publishers(Publishers),
    /// A participant joined (rooms with `notify_joining`).
    Joining(Joining),
    /// A publisher stopped publishing.
    Unpublished(Unpublished),
    /// A participant left.
    Leaving(Leaving),
    /// A participant was kicked.
    Kicked(Kicked),
    /// A participant changed its display name.
    DisplayChanged(DisplayChanged),
    /// A participant changed its metadata (Janus 1.3.0 and later).
    MetadataChanged(MetadataChanged),
    /// A moderator muted or unmuted a participant's stream.
    Moderated(Moderated),
    /// A participant started or stopped talking (rooms with `audiolevel_event`).
    Talking(Talking),
    /// The room was destroyed.
    Destroyed(Destroyed),
    /// This handle's PeerConnection loses many packets.
    SlowLink(SlowLink),
    /// A subscription stream now gets another simulcast substream or SVC layer.
    Layer(LayerChanged),
    /// `configured: ok`: the answer to a `configure` or `publish`.
    Configured(Configured),
    /// `started: ok`: the answer to a `start`.
    Started(Started),
    /// `paused: ok`: the answer to a `pause`.
    Paused(Paused),
    /// `switched: ok`: the answer to a `switch`.
    Switched(Switched),
    /// `unpublished: ok`: the answer to an `unpublish`.
    UnpublishedOk(UnpublishedOk),
    /// `leaving: ok`: the answer to a publisher's `leave`, or this participant was kicked.
    LeavingOk(LeavingOk),
    /// `left: ok`: the answer to a subscriber's `leave`.
    Left(Left),
    /// An error the plugin reports in an event (the failure of an asynchronous request
    /// shows as a plugin error of that request instead).
    Error(ErrorEvent),
    /// A VideoRoom event this model does not know, or another plugin's; see the raw data.
    Other,
}

/// The keys that tell an event's kind.
#[derive(Deserialize)]
struct Probe {
    videoroom: String,
    error_code: Option<Value>,
    publishers: Option<Value>,
    joining: Option<Value>,
    configured: Option<Value>,
    started: Option<Value>,
    paused: Option<Value>,
    switched: Option<Value>,
    left: Option<Value>,
    leaving: Option<Value>,
    unpublished: Option<Value>,
    kicked: Option<Value>,
    moderation: Option<Value>,
    substream: Option<Value>,
    temporal: Option<Value>,
    spatial_layer: Option<Value>,
    temporal_layer: Option<Value>,
    display: Option<Value>,
    metadata: Option<Value>,
}

/// `"ok"`: an acknowledgement rather than a participant id.
fn is_ok(value: &Option<Value>) -> bool {
    matches!(value, Some(Value::String(word)) if word == "ok")
}

impl Event {
    /// The typed view of a VideoRoom event's plugin data; [`Event::Other`] for anything
    /// else (another plugin's data, an unknown event, a known one missing a field).
    ///
    /// ```
    /// use janus_proto::plugins::videoroom::Event;
    /// use janus_proto::plugins::Id;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{
    ///   "plugin":"janus.plugin.videoroom","data":{"videoroom":"event","room":1234,"leaving":5678}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// let Event::Leaving(leaving) = Event::from_data(&plugindata) else {
    ///     panic!("a leaving participant");
    /// };
    /// assert_eq!(leaving.leaving, Id::from(5678));
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(probe) = data.parse::<Probe>() else {
            return Event::Other;
        };
        let typed = match probe.videoroom.as_str() {
            "joined" => data.parse().map(Event::Joined),
            "attached" => data.parse().map(Event::Attached),
            "updated" => data.parse().map(Event::Updated),
            "updating" => data.parse().map(Event::Updating),
            "destroyed" => data.parse().map(Event::Destroyed),
            "talking" | "stopped-talking" => data.parse().map(Event::Talking),
            "slow_link" => data.parse().map(Event::SlowLink),
            "event" => Self::of_event(data, &probe),
            _ => return Event::Other,
        };
        typed.unwrap_or(Event::Other)
    }

    /// The typed view of a `"videoroom": "event"`, told by its keys.
    fn of_event(data: &PluginData, probe: &Probe) -> Result<Event, serde_json::Error> {
        Ok(if probe.error_code.is_some() {
            Event::Error(data.parse()?)
        } else if probe.publishers.is_some() {
            Event::Publishers(data.parse()?)
        } else if probe.joining.is_some() {
            Event::Joining(data.parse()?)
        } else if probe.configured.is_some() {
            Event::Configured(data.parse()?)
        } else if probe.started.is_some() {
            Event::Started(data.parse()?)
        } else if probe.paused.is_some() {
            Event::Paused(data.parse()?)
        } else if probe.switched.is_some() {
            Event::Switched(data.parse()?)
        } else if probe.left.is_some() {
            Event::Left(data.parse()?)
        } else if is_ok(&probe.leaving) {
            Event::LeavingOk(data.parse()?)
        } else if probe.leaving.is_some() {
            Event::Leaving(data.parse()?)
        } else if is_ok(&probe.unpublished) {
            Event::UnpublishedOk(data.parse()?)
        } else if probe.unpublished.is_some() {
            Event::Unpublished(data.parse()?)
        } else if probe.kicked.is_some() {
            Event::Kicked(data.parse()?)
        } else if probe.moderation.is_some() {
            Event::Moderated(data.parse()?)
        } else if probe.substream.is_some()
            || probe.temporal.is_some()
            || probe.spatial_layer.is_some()
            || probe.temporal_layer.is_some()
        {
            Event::Layer(data.parse()?)
        } else if probe.display.is_some() {
            Event::DisplayChanged(data.parse()?)
        } else if probe.metadata.is_some() {
            Event::MetadataChanged(data.parse()?)
        } else {
            Event::Other
        })
    }
}

/// `{"videoroom": "event", "publishers": [...]}`: publishers became active, or an active
/// one changed its streams (a renegotiation, new descriptions). Always one publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Publishers {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The publishers, with their streams.
    pub publishers: Vec<Publisher>,
}

/// A participant: in [`Joining`] and in the `attendees` of [`Joined`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attendee {
    /// Its id.
    pub id: Id,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
}

/// `{"videoroom": "event", "joining": {...}}`: a participant joined (rooms with
/// `notify_joining`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Joining {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub joining: Attendee,
}

/// `{"videoroom": "event", "unpublished": <id>}`: a publisher stopped publishing (it may
/// still be in the room).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unpublished {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The publisher.
    pub unpublished: Id,
    /// Its display name (Janus 1.3.0 and later).
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
}

/// `{"videoroom": "event", "leaving": <id>}`: a participant left the room.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Leaving {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub leaving: Id,
    /// Its display name (Janus 1.3.0 and later).
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
}

/// `{"videoroom": "event", "kicked": <id>}`: a participant was kicked out of the room.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Kicked {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub kicked: Id,
    /// Its display name (Janus 1.3.0 and later).
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
}

/// `{"videoroom": "event", "id": ..., "display": ...}`: a participant changed its display
/// name (the event names no room).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DisplayChanged {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The participant.
    pub id: Id,
    /// Its new display name.
    pub display: String,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
}

/// `{"videoroom": "event", "id": ..., "metadata": ...}`: a participant changed its
/// metadata (Janus 1.3.0 and later; the event names no room).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetadataChanged {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The participant.
    pub id: Id,
    /// Its new metadata.
    pub metadata: Value,
}

/// `{"videoroom": "event", "moderation": ...}`: a moderator muted or unmuted a
/// participant's stream ([`Moderate`](super::Moderate)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Moderated {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub id: Id,
    /// The mid of its stream.
    pub mid: String,
    /// Muted or unmuted.
    pub moderation: Moderation,
}

/// The `moderation` of a [`Moderated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    /// The stream is muted by a moderator.
    Muted,
    /// The moderator's mute is lifted.
    Unmuted,
}

/// `{"videoroom": "talking" | "stopped-talking", ...}`: a participant's audio activity
/// changed (rooms with `audiolevel_event`; the participant gets it too).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Talking {
    /// Started or stopped talking (the `videoroom` word).
    #[serde(rename = "videoroom")]
    pub state: TalkingState,
    /// The room.
    pub room: Id,
    /// The participant.
    pub id: Id,
    /// The m-line index of its audio stream.
    pub mindex: Option<u32>,
    /// The mid of its audio stream.
    pub mid: Option<String>,
    /// The average audio level, dBov (127 muted, 0 loud) (`audio-level-dBov-avg`).
    #[serde(rename = "audio-level-dBov-avg")]
    pub audio_level_dbov_avg: Option<f64>,
}

/// The `videoroom` word of a [`Talking`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TalkingState {
    /// `talking`.
    #[serde(rename = "talking")]
    Talking,
    /// `stopped-talking`.
    #[serde(rename = "stopped-talking")]
    StoppedTalking,
}

/// `{"videoroom": "slow_link", ...}`: many packets are lost on this handle's
/// PeerConnection (publishers: towards Janus; subscribers: from Janus).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlowLink {
    #[serde(rename = "videoroom")]
    word: MustBe!("slow_link"),
    /// Publishers: the bitrate cap in force (`current-bitrate`).
    #[serde(rename = "current-bitrate")]
    pub current_bitrate: Option<u32>,
}

/// `{"videoroom": "event", "mid": ..., "substream" | "temporal" | "spatial_layer" |
/// "temporal_layer": ...}`: a subscription stream now gets another simulcast substream or
/// temporal layer, or another SVC layer (also sent when a `configure` asks for the one in
/// use). One of the four is set.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LayerChanged {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// The mid of the subscription's stream.
    pub mid: String,
    /// The simulcast substream now relayed.
    pub substream: Option<i32>,
    /// The simulcast temporal layer now relayed.
    pub temporal: Option<i32>,
    /// The SVC spatial layer now relayed.
    pub spatial_layer: Option<i32>,
    /// The SVC temporal layer now relayed.
    pub temporal_layer: Option<i32>,
}

/// `{"videoroom": "event", "error_code": ..., "error": ...}` in an event that answers no
/// request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorEvent {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The code.
    pub error_code: i64,
    /// What went wrong.
    pub error: String,
}

impl ErrorEvent {
    /// The typed code.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::from_code(self.error_code)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plugins::videoroom::testing::{assert_encodes_back, plugin_data};
    use crate::plugins::videoroom::{MediaType, VideoRoom};
    use crate::plugins::Plugin;

    /// The typed event of VideoRoom data `data`, checked to encode back to it.
    fn event(data: &str) -> Event {
        let event = Event::from_data(&plugin_data(PACKAGE, data));
        assert_ne!(event, Event::Other, "{data}");
        assert_encodes_back(&event, data);
        assert_eq!(VideoRoom::event(&plugin_data(PACKAGE, data)), event);
        event
    }

    const STREAM: &str = r#"{"type":"audio","active":true,"mindex":0,"mid":"0","ready":true,"send":true,"feed_id":5678,"codec":"opus"}"#;

    #[test]
    fn answers_to_requests_are_typed_as_events_too() {
        assert!(matches!(
            event(r#"{"videoroom":"joined","room":1234,"description":"Demo","id":1,"private_id":2,"publishers":[]}"#),
            Event::Joined(joined) if joined.id == Id::from(1) && joined.private_id == 2
        ));
        assert!(matches!(
            event(&format!(r#"{{"videoroom":"attached","room":1234,"streams":[{STREAM}]}}"#)),
            Event::Attached(attached) if attached.streams.len() == 1
        ));
        assert!(matches!(
            event(&format!(r#"{{"videoroom":"updated","room":1234,"streams":[{STREAM}]}}"#)),
            Event::Updated(updated) if updated.streams.as_ref().map(Vec::len) == Some(1)
        ));
        assert!(matches!(
            event(r#"{"videoroom":"updating","room":1234}"#),
            Event::Updating(updating) if updating.room == Id::from(1234)
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"configured":"ok"}"#),
            Event::Configured(configured) if configured.configured == "ok"
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"started":"ok"}"#),
            Event::Started(started) if started.started == "ok"
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"paused":"ok"}"#),
            Event::Paused(paused) if paused.paused == "ok"
        ));
        assert!(matches!(
            event(&format!(r#"{{"videoroom":"event","switched":"ok","room":1234,"changes":2,"streams":[{STREAM}]}}"#)),
            Event::Switched(switched) if switched.changes == 2
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"unpublished":"ok"}"#),
            Event::UnpublishedOk(ok) if ok.unpublished == "ok"
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"leaving":"ok"}"#),
            Event::LeavingOk(ok) if ok.reason.is_none()
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"leaving":"ok","reason":"kicked"}"#),
            Event::LeavingOk(ok) if ok.reason.as_deref() == Some("kicked")
        ));
        assert!(matches!(
            event(r#"{"videoroom":"event","room":1234,"left":"ok"}"#),
            Event::Left(left) if left.left == "ok"
        ));
    }

    #[test]
    fn new_publishers() {
        let Event::Publishers(publishers) = event(
            r#"{"videoroom":"event","room":1234,"publishers":[{"id":5678,"display":"Bob","metadata":{"a":1},
                "audio_codec":"opus","video_codec":"vp8","streams":[
                  {"type":"audio","mindex":0,"mid":"0","codec":"opus","fec":true},
                  {"type":"video","mindex":1,"mid":"1","codec":"vp8","simulcast":true,"moderated":true}]}]}"#,
        ) else {
            panic!("publishers");
        };
        assert_eq!(publishers.room, Id::from(1234));
        let [bob] = &publishers.publishers[..] else {
            panic!("one publisher");
        };
        assert_eq!(bob.id, Id::from(5678));
        assert_eq!(bob.display.as_deref(), Some("Bob"));
        assert_eq!(bob.metadata, Some(json!({"a": 1})));
        assert_eq!(bob.streams[0].kind, MediaType::Audio);
        assert_eq!(bob.streams[1].moderated, Some(true));
    }

    #[test]
    fn participants_coming_and_going() {
        let Event::Joining(joining) = event(
            r#"{"videoroom":"event","room":1234,"joining":{"id":5678,"display":"Bob","metadata":{"a":1}}}"#,
        ) else {
            panic!("joining");
        };
        assert_eq!(joining.room, Id::from(1234));
        assert_eq!(joining.joining.id, Id::from(5678));
        assert_eq!(joining.joining.display.as_deref(), Some("Bob"));
        assert_eq!(joining.joining.metadata, Some(json!({"a": 1})));

        let Event::Unpublished(unpublished) = event(
            r#"{"videoroom":"event","room":1234,"display":"Bob","metadata":{"a":1},"unpublished":5678}"#,
        ) else {
            panic!("unpublished");
        };
        assert_eq!(
            (unpublished.room, unpublished.unpublished),
            (Id::from(1234), Id::from(5678))
        );
        assert_eq!(unpublished.display.as_deref(), Some("Bob"));
        assert_eq!(unpublished.metadata, Some(json!({"a": 1})));

        let Event::Leaving(leaving) =
            event(r#"{"videoroom":"event","room":1234,"display":"Bob","leaving":"bob-id"}"#)
        else {
            panic!("leaving");
        };
        assert_eq!(leaving.leaving, Id::from("bob-id"));
        assert_eq!(leaving.display.as_deref(), Some("Bob"));
        assert_eq!(leaving.metadata, None);

        let Event::Kicked(kicked) = event(
            r#"{"videoroom":"event","room":1234,"display":"Bob","metadata":{"a":1},"kicked":5678}"#,
        ) else {
            panic!("kicked");
        };
        assert_eq!(
            (kicked.room, kicked.kicked),
            (Id::from(1234), Id::from(5678))
        );
        assert_eq!(kicked.display.as_deref(), Some("Bob"));
        assert_eq!(kicked.metadata, Some(json!({"a": 1})));
    }

    #[test]
    fn display_and_metadata_changes() {
        let Event::DisplayChanged(display) =
            event(r#"{"videoroom":"event","id":5678,"display":"Robert","metadata":{"a":2}}"#)
        else {
            panic!("display");
        };
        assert_eq!(display.id, Id::from(5678));
        assert_eq!(display.display, "Robert");
        assert_eq!(display.metadata, Some(json!({"a": 2})));
        let Event::MetadataChanged(metadata) =
            event(r#"{"videoroom":"event","id":5678,"metadata":{"a":3}}"#)
        else {
            panic!("metadata");
        };
        assert_eq!(
            (metadata.id, metadata.metadata),
            (Id::from(5678), json!({"a": 3}))
        );
    }

    #[test]
    fn moderation_talking_and_slow_links() {
        for (word, typed) in [
            ("muted", Moderation::Muted),
            ("unmuted", Moderation::Unmuted),
        ] {
            let Event::Moderated(moderated) = event(&format!(
                r#"{{"videoroom":"event","room":1234,"id":5678,"mid":"0","moderation":"{word}"}}"#
            )) else {
                panic!("moderated");
            };
            assert_eq!(
                (
                    moderated.room,
                    moderated.id,
                    moderated.mid.as_str(),
                    moderated.moderation
                ),
                (Id::from(1234), Id::from(5678), "0", typed)
            );
        }
        for (word, state) in [
            ("talking", TalkingState::Talking),
            ("stopped-talking", TalkingState::StoppedTalking),
        ] {
            let Event::Talking(talking) = event(&format!(
                r#"{{"videoroom":"{word}","room":1234,"id":5678,"mindex":0,"mid":"0","audio-level-dBov-avg":24.5}}"#
            )) else {
                panic!("talking");
            };
            assert_eq!(talking.state, state);
            assert_eq!((talking.room, talking.id), (Id::from(1234), Id::from(5678)));
            assert_eq!(
                (talking.mindex, talking.mid.as_deref()),
                (Some(0), Some("0"))
            );
            assert_eq!(talking.audio_level_dbov_avg, Some(24.5));
        }
        let Event::SlowLink(publisher) =
            event(r#"{"videoroom":"slow_link","current-bitrate":256000}"#)
        else {
            panic!("slow link");
        };
        assert_eq!(publisher.current_bitrate, Some(256_000));
        let Event::SlowLink(subscriber) = event(r#"{"videoroom":"slow_link"}"#) else {
            panic!("slow link");
        };
        assert_eq!(subscriber.current_bitrate, None);
    }

    #[test]
    fn destroyed_rooms_and_layer_changes() {
        let Event::Destroyed(destroyed) = event(r#"{"videoroom":"destroyed","room":1234}"#) else {
            panic!("destroyed");
        };
        assert_eq!(destroyed.room, Id::from(1234));
        for (key, value) in [
            ("substream", 2),
            ("temporal", 1),
            ("spatial_layer", 0),
            ("temporal_layer", 2),
        ] {
            let Event::Layer(layer) = event(&format!(
                r#"{{"videoroom":"event","room":1234,"mid":"1","{key}":{value}}}"#
            )) else {
                panic!("layer");
            };
            assert_eq!(layer.room, Some(Id::from(1234)));
            assert_eq!(layer.mid, "1");
            let got = [
                ("substream", layer.substream),
                ("temporal", layer.temporal),
                ("spatial_layer", layer.spatial_layer),
                ("temporal_layer", layer.temporal_layer),
            ];
            for (name, field) in got {
                assert_eq!(field, (name == key).then_some(value), "{key}: {name}");
            }
        }
    }

    #[test]
    fn errors_in_events() {
        let Event::Error(error) =
            event(r#"{"videoroom":"event","error_code":428,"error":"No such feed (5678)"}"#)
        else {
            panic!("error");
        };
        assert_eq!(error.error_code, 428);
        assert_eq!(error.error, "No such feed (5678)");
        assert_eq!(error.code(), ErrorCode::NoSuchFeed);
    }

    #[test]
    fn unknown_malformed_and_foreign_events_are_other() {
        for data in [
            r#"{"videoroom":"something-new","room":1}"#,
            r#"{"videoroom":"event","room":1234}"#,
            r#"{"videoroom":"event","room":1234,"brand_new":true}"#,
            r#"{"videoroom":"joined","room":1234}"#,
            r#"{"videoroom":"event","room":1234,"moderation":"maybe","id":1,"mid":"0"}"#,
            r#"{"videoroom":"talking","room":1234}"#,
            r#"{"not_videoroom":"event"}"#,
            r#"[1,2,3]"#,
        ] {
            let data = plugin_data(PACKAGE, data);
            assert_eq!(Event::from_data(&data), Event::Other, "{data:?}");
            assert!(data.value().is_ok());
        }
        let foreign = plugin_data("janus.plugin.echotest", r#"{"videoroom":"slow_link"}"#);
        assert_eq!(Event::from_data(&foreign), Event::Other);
        assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
    }

    #[test]
    fn a_handle_event_is_typed_through_the_plugin_model() {
        use bytes::Bytes;

        use crate::event::{Event as CoreEvent, HandleEvent, HandleEventKind};
        use crate::ids::{HandleId, SessionId};
        use crate::plugins::PluginEvent;
        use crate::wire::RawFrame;

        let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","room":1234,"unpublished":5678}}}"#;
        let core = CoreEvent::Handle {
            session: SessionId(1),
            handle: HandleId(2),
            event: HandleEvent {
                kind: HandleEventKind::Plugin {
                    data: plugin_data(
                        PACKAGE,
                        r#"{"videoroom":"event","room":1234,"unpublished":5678}"#,
                    ),
                    jsep: None,
                    txn: None,
                },
                raw: RawFrame::new(Bytes::copy_from_slice(frame.as_bytes())),
            },
        };
        match PluginEvent::of::<VideoRoom>(core) {
            PluginEvent::Plugin(typed) => assert!(matches!(
                typed.value,
                Event::Unpublished(unpublished) if unpublished.unpublished == Id::from(5678)
            )),
            other => panic!("{other:?}"),
        }
    }
}
