//! AudioBridge (`janus.plugin.audiobridge`): an audio conference bridge that mixes the
//! participants' Opus (or G.711) streams, one mix per room.
//!
//! Room management is synchronous: [`Create`], [`Edit`], [`Destroy`], [`Exists`],
//! [`Allowed`], [`Kick`], [`KickAll`], [`List`], [`ListParticipants`], [`Mute`] and the
//! rest answer at once with a `success`-kind reply. Taking part is asynchronous: [`Join`],
//! [`Configure`], [`ChangeRoom`], [`Leave`] and [`Hangup`] are answered by a plugin event
//! carrying the request's transaction, with Janus's SDP (answer, or offer with
//! `generate_offer`) in [`Typed::jsep`](crate::plugins::Typed). What happens in the room
//! (joins, leaves, mutes, talking, announcements) arrives as [`Event`]s; failures are
//! plugin errors whose codes are [`ErrorCode`]s.
//!
//! Requests marked "(Janus 1.4 only)" are refused by 1.1.2 with
//! [`ErrorCode::InvalidRequest`]; fields marked so are ignored by 1.1.2.
//!
//! ```
//! use janus_proto::plugins::audiobridge::{AudioBridge, Join};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId, Jsep};
//!
//! let join = Join::builder()
//!     .room(1234)
//!     .display("Alice")
//!     .muted(true)
//!     .jsep(Jsep::offer("v=0\r\n…"))
//!     .build();
//! match PluginHandle::<AudioBridge>::new(HandleId(7)).request(join).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(
//!             body,
//!             serde_json::json!({"request": "join", "room": 1234, "display": "Alice", "muted": true})
//!         );
//!         assert!(jsep.is_some());
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::plugins::{Id, Plugin};
use crate::wire::PluginData;

mod events;
mod requests;
mod responses;
#[cfg(test)]
mod tests;

pub use events::*;
pub use requests::*;
pub use responses::*;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.audiobridge";

/// The AudioBridge plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioBridge;

impl Plugin for AudioBridge {
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

/// A participant's (or forwarder's) audio codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AudioCodec {
    /// Opus (the default).
    Opus,
    /// G.711 A-law.
    Pcma,
    /// G.711 µ-law.
    Pcmu,
}

/// What an [`Allowed`] request does to the room's token list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowedAction {
    /// Check tokens on `join`.
    Enable,
    /// Stop checking tokens.
    Disable,
    /// Add the given tokens.
    Add,
    /// Remove the given tokens.
    Remove,
}

/// The address family to resolve an RTP forwarder's host to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostFamily {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

/// A participant as rooms list them: in [`ParticipantList`], [`Joined`], [`RoomChanged`],
/// [`ParticipantsChanged`] and [`Resumed`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Participant {
    /// The participant id.
    pub id: Id,
    /// The display name, if any.
    pub display: Option<String>,
    /// Whether its PeerConnection (or plain RTP session) is up.
    pub setup: bool,
    /// Whether it is muted.
    pub muted: bool,
    /// Whether it is talking; only sent when the audio-level extension is in use.
    pub talking: Option<bool>,
    /// Its panning (0 left, 50 centre, 100 right); only sent in spatial-audio rooms.
    pub spatial_position: Option<u8>,
    /// `true` when it is suspended; absent otherwise (Janus 1.4 only).
    pub suspended: Option<bool>,
}

/// The remote side of a plain-RTP participant, in [`Join`] and [`Configure`] (instead of a
/// PeerConnection).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RtpEndpoint {
    /// Address to send the room's mix to; none: the participant only sends.
    pub ip: Option<String>,
    /// Port to send the room's mix to.
    pub port: Option<u16>,
    /// Payload type for Opus (G.711 uses the static ones); 100 when absent.
    pub payload_type: Option<u8>,
    /// Id of the audio-level RTP extension, if used.
    pub audiolevel_ext: Option<u8>,
    /// Inband FEC from Janus to the participant (Opus only).
    pub fec: Option<bool>,
}

/// Where Janus expects a plain-RTP participant's media, in [`Joined`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpInfo {
    /// Janus's address.
    pub ip: String,
    /// Janus's port.
    pub port: u16,
    /// The payload type to use.
    pub payload_type: u8,
}

error_codes! {
    /// The AudioBridge's error codes (`error_code` of a plugin error). Both versions have
    /// the same ones.
    ///
    /// ```
    /// use janus_proto::plugins::audiobridge::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(485), ErrorCode::NoSuchRoom);
    /// assert_eq!(ErrorCode::NoSuchRoom.code(), 485);
    /// ```
    ErrorCode {
        /// 480: no message.
        NoMessage = 480,
        /// 481: the message is not valid JSON.
        InvalidJson = 481,
        /// 482: unknown request (or a 1.4 request sent to 1.1.2, or a feature not built in).
        InvalidRequest = 482,
        /// 483: a required field is missing.
        MissingElement = 483,
        /// 484: a field has the wrong type or value.
        InvalidElement = 484,
        /// 485: no such room.
        NoSuchRoom = 485,
        /// 486: a room with that id exists.
        RoomExists = 486,
        /// 487: the handle is not in a room.
        NotJoined = 487,
        /// 488: libopus failed.
        LibopusError = 488,
        /// 489: wrong secret, pin, token or admin key.
        Unauthorized = 489,
        /// 490: a participant (or announcement) with that id exists.
        IdExists = 490,
        /// 491: the handle is already in the room.
        AlreadyJoined = 491,
        /// 492: no such participant.
        NoSuchUser = 492,
        /// 493: the SDP could not be processed.
        InvalidSdp = 493,
        /// 494: no such group.
        NoSuchGroup = 494,
        /// 499: any other failure.
        UnknownError = 499,
    }
}
