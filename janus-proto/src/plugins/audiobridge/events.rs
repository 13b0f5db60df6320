//! The AudioBridge's events: the outcomes of its asynchronous requests, and what happens in
//! the room.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Destroyed, Participant, RtpInfo, PACKAGE};
use crate::plugins::Id;
use crate::wire::PluginData;
use monostate::MustBe;

/// `{"audiobridge": "joined", ...}`: the outcome of [`Join`](super::Join) (with this
/// participant's `id` and the others in the room), and the event the others get about a
/// newcomer (no `id`; the newcomer is the only one in `participants`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Joined {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("joined"),
    /// The room.
    pub room: Id,
    /// This participant's id (in the outcome of `join` only).
    pub id: Option<Id>,
    /// The other participants, or the newcomer.
    pub participants: Vec<Participant>,
    /// For a plain-RTP participant: where Janus expects its media.
    pub rtp: Option<RtpInfo>,
}

/// `{"audiobridge": "event", "result": "ok"}`: the outcome of
/// [`Configure`](super::Configure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepted {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// `ok`.
    pub result: String,
}

/// `{"audiobridge": "roomchanged", ...}`: the outcome of
/// [`ChangeRoom`](super::ChangeRoom).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomChanged {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("roomchanged"),
    /// The new room.
    pub room: Id,
    /// This participant's id there.
    pub id: Id,
    /// The other participants there.
    pub participants: Vec<Participant>,
}

/// `{"audiobridge": "left", ...}`: the outcome of [`Leave`](super::Leave).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Left {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("left"),
    /// The room left (Janus omits it only if the participant had no room any more).
    pub room: Option<Id>,
    /// This participant's id.
    pub id: Id,
}

/// `{"audiobridge": "hangingup"}`: the outcome of [`Hangup`](super::Hangup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HangingUp {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("hangingup"),
}

/// `{"audiobridge": "event", "participants": [...]}`: participants changed: one got its
/// PeerConnection up, or changed `muted`, `display`, `spatial_position` or `denoise`
/// (itself, or through [`Mute`](super::Mute) / [`Unmute`](super::Unmute)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantsChanged {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participants that changed, as they are now.
    pub participants: Vec<Participant>,
}

/// `{"audiobridge": "event", "leaving": ...}`: a participant left the room (or hung up, or
/// moved to another room).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Leaving {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub leaving: Id,
}

/// `{"audiobridge": "event", "kicked": ...}`: a participant was kicked
/// ([`Kick`](super::Kick)); everybody in the room, the kicked one included, gets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Kicked {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub kicked: Id,
}

/// `{"audiobridge": "event", "kicked_all": ...}`: this participant was kicked by
/// [`KickAll`](super::KickAll) (each participant gets its own id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KickedAll {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub kicked_all: Id,
}

/// `{"audiobridge": "event", "suspended": ...}`: a participant was suspended
/// ([`Suspend`](super::Suspend); Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suspended {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub suspended: Id,
}

/// `{"audiobridge": "event", "resumed": ...}`: a participant was resumed
/// ([`Resume`](super::Resume); Janus 1.4 only). The resumed participant itself, if its
/// events were paused, gets the recap: the room's other participants.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resumed {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub resumed: Id,
    /// The recap, for the resumed participant whose events were paused.
    pub participants: Option<Vec<Participant>>,
}

/// `{"audiobridge": "event", "muted": ...}`: the room was muted or unmuted
/// ([`MuteRoom`](super::MuteRoom) / [`UnmuteRoom`](super::UnmuteRoom)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomMuted {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The room.
    pub room: Id,
    /// Whether it is muted now.
    pub muted: bool,
}

/// `{"audiobridge": "talking", ...}`: a participant started talking (rooms with
/// `audiolevel_event`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Talking {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("talking"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub id: Id,
}

/// `{"audiobridge": "stopped-talking", ...}`: a participant stopped talking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoppedTalking {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("stopped-talking"),
    /// The room.
    pub room: Id,
    /// The participant.
    pub id: Id,
}

/// `{"audiobridge": "announcement-started", ...}`: an announcement
/// ([`PlayFile`](super::PlayFile)) started playing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnnouncementStarted {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("announcement-started"),
    /// The room.
    pub room: Id,
    /// The announcement.
    pub file_id: String,
}

/// `{"audiobridge": "announcement-stopped", ...}`: an announcement ended or was stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnnouncementStopped {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("announcement-stopped"),
    /// The room.
    pub room: Id,
    /// The announcement.
    pub file_id: String,
}

/// `{"audiobridge": "event", "error_code": ..., "error": ...}`: a failure, as an event
/// (the core reports the failure of a request as its
/// [`RequestError::Plugin`](crate::RequestError::Plugin)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Failure {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("event"),
    /// The code; [`ErrorCode::from_code`](super::ErrorCode::from_code) types it.
    pub error_code: i64,
    /// The reason.
    pub error: String,
}

/// An AudioBridge event (its raw [`PluginData`] keeps every field). It encodes back to its
/// JSON with serde; `Other` encodes as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// Someone joined (or this handle did: the outcome of `join`).
    Joined(Joined),
    /// This handle moved to another room.
    RoomChanged(RoomChanged),
    /// This handle left its room.
    Left(Left),
    /// This handle's PeerConnection is being closed.
    HangingUp(HangingUp),
    /// A `configure` went through.
    Accepted(Accepted),
    /// Participants changed.
    ParticipantsChanged(ParticipantsChanged),
    /// A participant left.
    Leaving(Leaving),
    /// A participant was kicked.
    Kicked(Kicked),
    /// This participant was kicked with everybody else.
    KickedAll(KickedAll),
    /// A participant was suspended (Janus 1.4 only).
    Suspended(Suspended),
    /// A participant was resumed (Janus 1.4 only).
    Resumed(Resumed),
    /// The room was muted or unmuted.
    RoomMuted(RoomMuted),
    /// The room was destroyed.
    Destroyed(Destroyed),
    /// A participant started talking.
    Talking(Talking),
    /// A participant stopped talking.
    StoppedTalking(StoppedTalking),
    /// An announcement started.
    AnnouncementStarted(AnnouncementStarted),
    /// An announcement stopped.
    AnnouncementStopped(AnnouncementStopped),
    /// A failure.
    Failure(Failure),
    /// An AudioBridge event this model does not know, or another plugin's; see the raw
    /// data.
    Other,
}

impl Event {
    /// The typed view of an event's plugin data, chosen by its `"audiobridge"` word and,
    /// for `"event"`, by the key that says what happened. Never fails: data that is not the
    /// AudioBridge's, or does not decode, is [`Event::Other`].
    ///
    /// ```
    /// use janus_proto::plugins::audiobridge::{Event, Leaving};
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":
    ///   {"plugin":"janus.plugin.audiobridge","data":{"audiobridge":"event","room":1234,"leaving":42}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// let Event::Leaving(leaving) = Event::from_data(&plugindata) else { panic!("leaving") };
    /// assert_eq!(leaving.leaving, 42.into());
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(value) = data.value() else {
            return Event::Other;
        };
        let has = |key: &str| value.get(key).is_some();
        match value.get("audiobridge").and_then(Value::as_str) {
            Some("joined") => decode(data, Event::Joined),
            Some("roomchanged") => decode(data, Event::RoomChanged),
            Some("left") => decode(data, Event::Left),
            Some("hangingup") => decode(data, Event::HangingUp),
            Some("destroyed") => decode(data, Event::Destroyed),
            Some("talking") => decode(data, Event::Talking),
            Some("stopped-talking") => decode(data, Event::StoppedTalking),
            Some("announcement-started") => decode(data, Event::AnnouncementStarted),
            Some("announcement-stopped") => decode(data, Event::AnnouncementStopped),
            Some("event") if has("error_code") => decode(data, Event::Failure),
            Some("event") if has("leaving") => decode(data, Event::Leaving),
            Some("event") if has("kicked") => decode(data, Event::Kicked),
            Some("event") if has("kicked_all") => decode(data, Event::KickedAll),
            Some("event") if has("suspended") => decode(data, Event::Suspended),
            Some("event") if has("resumed") => decode(data, Event::Resumed),
            Some("event") if has("participants") => decode(data, Event::ParticipantsChanged),
            Some("event") if has("muted") => decode(data, Event::RoomMuted),
            Some("event") if has("result") => decode(data, Event::Accepted),
            _ => Event::Other,
        }
    }
}

/// `data` decoded as `T` and wrapped, or [`Event::Other`].
fn decode<T: DeserializeOwned>(data: &PluginData, wrap: fn(T) -> Event) -> Event {
    data.parse().map(wrap).unwrap_or(Event::Other)
}
