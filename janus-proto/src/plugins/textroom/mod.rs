//! TextRoom (`janus.plugin.textroom`): text chat rooms over a WebRTC data channel.
//!
//! Two protocols:
//!
//! - The Janus API (this module's requests): [`Setup`] makes Janus offer a data-channel-only
//!   PeerConnection, [`Ack`] carries the answer, [`Restart`] asks for an ICE-restart offer;
//!   all three are asynchronous and their outcome is the [`Accepted`] event, Janus's offer
//!   in [`Typed::jsep`](crate::plugins::Typed). Room management ([`Create`], [`Edit`],
//!   [`Destroy`], [`Exists`], [`List`], [`ListParticipants`], [`Allowed`], [`Kick`],
//!   [`Announcement`]) is synchronous. Joining a room, leaving it and sending messages are
//!   not possible here: Janus answers them with [`ErrorCode::InvalidRequest`].
//! - The data channel ([`datachannel`]): the whole chat protocol, as text messages: a
//!   [`DataRequest`](datachannel::DataRequest) out (each with its `transaction`), an
//!   [`Incoming`](datachannel::Incoming) in (replies, and what happens in the joined rooms).
//!
//! Failures are plugin errors whose codes are [`ErrorCode`]s (on the data channel, an
//! [`Incoming::Error`](datachannel::Incoming::Error) with the same codes).
//!
//! ```
//! use janus_proto::plugins::textroom::{Create, TextRoom};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId};
//!
//! let create = Create::builder().room(1234).description("Chat").history(10).build();
//! match PluginHandle::<TextRoom>::new(HandleId(7)).request(create).into_command() {
//!     Command::Message { body, .. } => assert_eq!(
//!         body,
//!         serde_json::json!({"request": "create", "room": 1234, "description": "Chat", "history": 10})
//!     ),
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plugins::Plugin;
use crate::wire::PluginData;
use monostate::MustBe;

/// The word of a TextRoom success reply (optional where Janus 1.1.2 leaves it out).
type SuccessWord = MustBe!("success");

pub mod datachannel;
mod requests;
#[cfg(test)]
mod tests;

pub use requests::*;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.textroom";

/// The TextRoom plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRoom;

impl Plugin for TextRoom {
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

/// What an `allowed` request does to the room's token list.
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

/// A room in a `list` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomInfo {
    /// The room id.
    pub room: crate::plugins::Id,
    /// Its pretty name.
    pub description: String,
    /// Whether joining needs a PIN.
    pub pin_required: bool,
    /// How many participants it has.
    pub num_participants: u64,
    /// How many messages it keeps as history (0: none).
    pub history: u16,
}

/// A participant in a `listparticipants` or `join` reply.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Participant {
    /// Its username (unique in the room).
    pub username: String,
    /// Its display name, if any.
    pub display: Option<String>,
}

/// `{"textroom": "event", "result": "ok"}`: the outcome of [`Setup`], [`Ack`] and
/// [`Restart`] (with Janus's offer for the first and the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepted {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("event"),
    /// `ok`.
    pub result: String,
}

/// A failure as an event: `{"textroom": "error", "error_code": ..., "error": ...}` (an
/// asynchronous request refused), or with `"textroom": "event"` (a message refused before
/// it was looked at). The core reports the failure of a request as its
/// [`RequestError::Plugin`](crate::RequestError::Plugin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Failure {
    /// `error` or `event`.
    pub textroom: String,
    /// The code; [`ErrorCode::from_code`] types it.
    pub error_code: i64,
    /// The reason.
    pub error: String,
}

/// A TextRoom event on the Janus API (its raw [`PluginData`] keeps every field). It
/// encodes back to its JSON with serde; `Other` encodes as `null`. What happens in the
/// rooms arrives on the data channel instead, as
/// [`Incoming`](datachannel::Incoming) messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// A `setup`, `ack` or `restart` went through.
    Accepted(Accepted),
    /// A failure.
    Failure(Failure),
    /// A TextRoom event this model does not know, or another plugin's; see the raw data.
    Other,
}

impl Event {
    /// The typed view of an event's plugin data. Never fails: data that is not the
    /// TextRoom's, or does not decode, is [`Event::Other`].
    ///
    /// ```
    /// use janus_proto::plugins::textroom::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"transaction":"t",
    ///   "plugindata":{"plugin":"janus.plugin.textroom","data":{"textroom":"event","result":"ok"}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// assert!(matches!(Event::from_data(&plugindata), Event::Accepted(_)));
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(value) = data.value() else {
            return Event::Other;
        };
        if value.get("error_code").is_some() {
            return data.parse().map(Event::Failure).unwrap_or(Event::Other);
        }
        match value.get("textroom").and_then(Value::as_str) {
            Some("event") => data.parse().map(Event::Accepted).unwrap_or(Event::Other),
            _ => Event::Other,
        }
    }
}

error_codes! {
    /// The TextRoom's error codes (`error_code` of a plugin error, or of an
    /// [`Incoming::Error`](datachannel::Incoming::Error)). Both versions have the same ones.
    ///
    /// ```
    /// use janus_proto::plugins::textroom::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(417), ErrorCode::NoSuchRoom);
    /// assert_eq!(ErrorCode::NoSuchRoom.code(), 417);
    /// ```
    ErrorCode {
        /// 411: no message.
        NoMessage = 411,
        /// 412: the message is not valid JSON.
        InvalidJson = 412,
        /// 413: a required field is missing.
        MissingElement = 413,
        /// 414: a field has the wrong type or value.
        InvalidElement = 414,
        /// 415: unknown request.
        InvalidRequest = 415,
        /// 416: `setup` on a handle already set up, or `restart` on one that is not.
        AlreadySetup = 416,
        /// 417: no such room.
        NoSuchRoom = 417,
        /// 418: a room with that id exists.
        RoomExists = 418,
        /// 419: wrong secret, PIN, token or admin key.
        Unauthorized = 419,
        /// 420: the username is taken in that room.
        UsernameExists = 420,
        /// 421: already in that room.
        AlreadyInRoom = 421,
        /// 422: not in that room.
        NotInRoom = 422,
        /// 423: no such participant.
        NoSuchUser = 423,
        /// 499: any other failure.
        UnknownError = 499,
    }
}
