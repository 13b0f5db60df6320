//! The TextRoom's data-channel protocol: JSON text messages on the PeerConnection's data
//! channel, once [`Setup`](super::Setup) and [`Ack`](super::Ack) have set it up.
//!
//! Outgoing, a [`DataRequest`]: its `"textroom"` word says what it is and its
//! `transaction` comes back in the reply. Incoming, an [`Incoming`]: the reply to a request
//! ([`Incoming::Success`], [`Incoming::Error`]), or what happens in the rooms this handle
//! joined (a participant joined or left, a message, an announcement, a kick, the room's
//! end), which carry no transaction. A message this model does not know is kept as JSON,
//! never an error.
//!
//! ```
//! use janus_proto::plugins::textroom::datachannel::{DataRequest, Incoming, Message};
//!
//! let message: DataRequest = Message::builder()
//!     .transaction("t1")
//!     .room(1234)
//!     .text("Hello!")
//!     .build()
//!     .into();
//! assert_eq!(
//!     serde_json::from_str::<serde_json::Value>(&message.to_text()).unwrap(),
//!     serde_json::json!({"textroom": "message", "transaction": "t1", "room": 1234, "text": "Hello!"})
//! );
//!
//! let incoming = Incoming::from_text(
//!     r#"{"textroom":"message","room":1234,"from":"bob","date":"2024-05-01T10:00:00+0200","text":"Hi"}"#,
//! );
//! let Incoming::Message(chat) = incoming else { panic!("a message") };
//! assert_eq!((chat.from.as_str(), chat.text.as_str()), ("bob", "Hi"));
//! ```

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AllowedAction, ErrorCode, Participant, RoomInfo};
use crate::plugins::Id;
use crate::secret::Secret;
use monostate::MustBe;

use super::SuccessWord;

/// A request sent on the data channel. It serializes (with serde, or
/// [`to_text`](Self::to_text)) to `{"textroom": "<word>", "transaction": ..., ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "textroom", rename_all = "lowercase")]
#[non_exhaustive]
pub enum DataRequest {
    /// `join`.
    Join(Join),
    /// `leave`.
    Leave(Leave),
    /// `message`.
    Message(Message),
    /// `announcement`.
    Announcement(Announcement),
    /// `list`.
    List(List),
    /// `listparticipants`.
    ListParticipants(ListParticipants),
    /// `allowed`.
    Allowed(Allowed),
    /// `kick`.
    Kick(Kick),
    /// `create`.
    Create(Create),
    /// `edit`.
    Edit(Edit),
    /// `destroy`.
    Destroy(Destroy),
    /// `exists`.
    Exists(Exists),
}

impl DataRequest {
    /// The request's transaction (the reply carries it back).
    pub fn transaction(&self) -> &str {
        match self {
            DataRequest::Join(r) => &r.transaction,
            DataRequest::Leave(r) => &r.transaction,
            DataRequest::Message(r) => &r.transaction,
            DataRequest::Announcement(r) => &r.transaction,
            DataRequest::List(r) => &r.transaction,
            DataRequest::ListParticipants(r) => &r.transaction,
            DataRequest::Allowed(r) => &r.transaction,
            DataRequest::Kick(r) => &r.transaction,
            DataRequest::Create(r) => &r.transaction,
            DataRequest::Edit(r) => &r.transaction,
            DataRequest::Destroy(r) => &r.transaction,
            DataRequest::Exists(r) => &r.transaction,
        }
    }

    /// The text to send on the data channel.
    pub fn to_text(&self) -> String {
        // These types serialize to JSON objects by construction (named fields, string
        // keys), so this cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `From` each request type into [`DataRequest`].
macro_rules! into_data_request {
    ($($name:ident),+) => {
        $(
            impl From<$name> for DataRequest {
                fn from(request: $name) -> Self {
                    DataRequest::$name(request)
                }
            }
        )+
    };
}

into_data_request!(
    Join,
    Leave,
    Message,
    Announcement,
    List,
    ListParticipants,
    Allowed,
    Kick,
    Create,
    Edit,
    Destroy,
    Exists
);

/// `join`: enter a room (a handle can be in several). The reply is a [`Reply`] with the
/// other `participants`; the room's history (if any, and unless `history` is `false`) is
/// sent first as [`ChatMessage`]s and [`AnnouncementNotice`]s, and everybody, this handle
/// included, gets a [`JoinNotice`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Join {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The username (unique in the room).
    pub username: String,
    /// The room's PIN, when it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// The display name.
    pub display: Option<String>,
    /// An invitation token, when the room checks them.
    #[builder(into)]
    pub token: Option<Secret>,
    /// Get the room's history (default `true`).
    pub history: Option<bool>,
}

/// `leave`: leave a room. The reply is an empty [`Reply`]; everybody, this handle
/// included, gets a [`LeaveNotice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Leave {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
}

/// `message`: a message to a room (everybody, the sender included), or a whisper to some
/// of its participants (`to` or `tos`, not both). The reply, unless `ack` is `false`, is a
/// [`Reply`], whose `sent` says, for a whisper, who got it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Message {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The text (any string: plain text, serialized JSON, …).
    pub text: String,
    /// Whisper to this username.
    pub to: Option<String>,
    /// Whisper to these usernames.
    pub tos: Option<Vec<String>>,
    /// Ask for a reply (default `true`).
    pub ack: Option<bool>,
}

/// `announcement`: a message from the room itself (needs the room's secret). The reply is
/// an empty [`Reply`]; everybody gets an [`AnnouncementNotice`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Announcement {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The text.
    pub text: String,
}

/// `list`: the rooms (private ones only with the admin key). The reply is a [`Reply`] with
/// the `list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct List {
    /// The transaction.
    pub transaction: String,
    /// The plugin's admin key: private rooms are listed too.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

/// `listparticipants`: a room's participants. The reply is a [`Reply`] with the `room` and
/// its `participants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct ListParticipants {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
}

/// `allowed`: turn token checking on or off, or change the room's tokens. The reply is a
/// [`Reply`] with the `room` and (but after `disable`) the complete `allowed` list.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Allowed {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// What to do.
    pub action: AllowedAction,
    /// The tokens to add or remove.
    pub allowed: Option<Vec<Secret>>,
}

/// `kick`: throw a participant out of a room. The reply is an empty [`Reply`]; everybody
/// in the room, the kicked one included, gets a [`KickNotice`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Kick {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant's username.
    pub username: String,
}

/// `create`: a new room. The reply is a [`Reply`] with the `room` and `permanent`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Create {
    /// The transaction.
    pub transaction: String,
    /// The room id; `None`: Janus picks one.
    #[builder(into)]
    pub room: Option<Id>,
    /// The plugin's admin key, when it has one.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The room's pretty name.
    pub description: Option<String>,
    /// The secret needed to edit or destroy the room.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The PIN needed to join the room.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// Leave the room out of `list` replies.
    pub is_private: Option<bool>,
    /// Tokens that may join (turns token checking on).
    pub allowed: Option<Vec<Secret>>,
    /// How many messages to keep and send to newcomers.
    pub history: Option<u16>,
    /// An HTTP backend Janus POSTs every message to.
    pub post: Option<String>,
    /// Save the room in the plugin's configuration file.
    pub permanent: Option<bool>,
}

/// `edit`: change a room's description, secret, PIN, privacy or HTTP backend. The reply
/// is a [`Reply`] with the `room` and `permanent`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Edit {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// A new pretty name.
    pub new_description: Option<String>,
    /// A new secret.
    #[builder(into)]
    pub new_secret: Option<Secret>,
    /// A new PIN.
    #[builder(into)]
    pub new_pin: Option<Secret>,
    /// A new HTTP backend.
    pub new_post: Option<String>,
    /// Whether the room is left out of `list` replies.
    pub new_is_private: Option<bool>,
    /// Save the change in the configuration file.
    pub permanent: Option<bool>,
}

/// `destroy`: remove a room. The reply is a [`Reply`] with the `room` and `permanent`;
/// everybody in the room, this handle included, gets a [`DestroyNotice`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Destroy {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Remove it from the configuration file too.
    pub permanent: Option<bool>,
}

/// `exists`: whether a room exists. The reply is a [`Reply`] with the `room` and `exists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Exists {
    /// The transaction.
    pub transaction: String,
    /// The room.
    #[builder(into)]
    pub room: Id,
}

/// A message received on the data channel. It encodes back to its JSON with serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Incoming {
    /// `{"textroom": "success", "transaction": ...}`: a request went through.
    Success(Reply),
    /// `{"textroom": "error", "error_code": ...}`: a request was refused.
    Error(ErrorReply),
    /// `{"textroom": "join"}`: a participant joined a room.
    Join(JoinNotice),
    /// `{"textroom": "leave"}`: a participant left a room.
    Leave(LeaveNotice),
    /// `{"textroom": "message"}`: a message or a whisper.
    Message(ChatMessage),
    /// `{"textroom": "announcement"}`: a message from the room itself.
    Announcement(AnnouncementNotice),
    /// `{"textroom": "kicked"}`: a participant was kicked.
    Kicked(KickNotice),
    /// `{"textroom": "destroyed"}`: a room was destroyed.
    Destroyed(DestroyNotice),
    /// Anything else, as it came (text that is not JSON is kept as a JSON string).
    Other(Value),
}

impl Incoming {
    /// The typed view of a data-channel text. Never fails: a message this model does not
    /// know, or that does not decode, is [`Incoming::Other`].
    pub fn from_text(text: &str) -> Incoming {
        match serde_json::from_str(text) {
            Ok(value) => Incoming::from_value(value),
            Err(_) => Incoming::Other(Value::String(text.to_owned())),
        }
    }

    /// The typed view of a data-channel message already parsed as JSON.
    pub fn from_value(value: Value) -> Incoming {
        match word(&value) {
            Some("success") => decode(value, Incoming::Success),
            Some("error") => decode(value, Incoming::Error),
            Some("join") => decode(value, Incoming::Join),
            Some("leave") => decode(value, Incoming::Leave),
            Some("message") => decode(value, Incoming::Message),
            Some("announcement") => decode(value, Incoming::Announcement),
            Some("kicked") => decode(value, Incoming::Kicked),
            Some("destroyed") => decode(value, Incoming::Destroyed),
            _ => Incoming::Other(value),
        }
    }

    /// The transaction of a reply (`None` for what happens in the rooms, and for an error
    /// about a request that had none).
    pub fn transaction(&self) -> Option<&str> {
        match self {
            Incoming::Success(reply) => Some(&reply.transaction),
            Incoming::Error(error) => error.transaction.as_deref(),
            _ => None,
        }
    }
}

/// What kind of message `value` is. Janus 1.1.2 answers `kick` with
/// `"textbridge": "success"` and `listparticipants` with no word at all: both are
/// successes.
fn word(value: &Value) -> Option<&str> {
    if let Some(word) = value.get("textroom") {
        return word.as_str();
    }
    let textbridge = value.get("textbridge").and_then(Value::as_str) == Some("success");
    let bare_reply = value.get("transaction").is_some() && value.get("error_code").is_none();
    (textbridge || bare_reply).then_some("success")
}

/// `value` decoded as `T` and wrapped, or kept as [`Incoming::Other`].
fn decode<T: DeserializeOwned>(value: Value, wrap: fn(T) -> Incoming) -> Incoming {
    match T::deserialize(&value) {
        Ok(typed) => wrap(typed),
        Err(_) => Incoming::Other(value),
    }
}

/// A successful reply: `{"textroom": "success", "transaction": ...}` with the fields of the
/// request's answer (each request's documentation says which).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reply {
    /// Absent in Janus 1.1.2's answer to `kick`, which says `{"textbridge": "success"}`.
    #[serde(rename = "textroom", default, skip_serializing_if = "Option::is_none")]
    pub(crate) word: Option<SuccessWord>,
    /// The request's transaction.
    pub transaction: String,
    /// The room (`listparticipants`, `allowed`, `create`, `edit`, `destroy`, `exists`).
    pub room: Option<Id>,
    /// The participants (`join`: the others; `listparticipants`: all).
    pub participants: Option<Vec<Participant>>,
    /// The rooms (`list`).
    pub list: Option<Vec<RoomInfo>>,
    /// Whether the change was saved to the configuration file (`create`, `edit`,
    /// `destroy`).
    pub permanent: Option<bool>,
    /// Whether the room exists (`exists`).
    pub exists: Option<bool>,
    /// The complete token list (`allowed`, but after `disable`).
    pub allowed: Option<Vec<Secret>>,
    /// For a whisper: each recipient, and whether it was in the room to get it.
    pub sent: Option<BTreeMap<String, bool>>,
}

/// A refused request: `{"textroom": "error", "error_code": ..., "error": ...}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorReply {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("error"),
    /// The request's transaction (absent when the request had none).
    pub transaction: Option<String>,
    /// The code.
    pub error_code: i64,
    /// The reason.
    pub error: String,
}

impl ErrorReply {
    /// The typed code.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::from_code(self.error_code)
    }
}

/// `{"textroom": "join", ...}`: a participant joined a room.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JoinNotice {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("join"),
    /// The room.
    pub room: Id,
    /// The participant's username.
    pub username: String,
    /// Its display name, if any.
    pub display: Option<String>,
}

/// `{"textroom": "leave", ...}`: a participant left a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeaveNotice {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("leave"),
    /// The room.
    pub room: Id,
    /// The participant's username.
    pub username: String,
}

/// `{"textroom": "message", ...}`: a message to the room, or a whisper.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessage {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("message"),
    /// The room.
    pub room: Id,
    /// The sender's username.
    pub from: String,
    /// When Janus relayed it (its local time, `%FT%T%z`).
    pub date: String,
    /// The text.
    pub text: String,
    /// `true` for a whisper; absent for a message to the room.
    pub whisper: Option<bool>,
    /// The sender's display name: only in messages replayed from the room's history.
    pub display: Option<String>,
}

/// `{"textroom": "announcement", ...}`: a message from the room itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnnouncementNotice {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("announcement"),
    /// The room.
    pub room: Id,
    /// When Janus sent it (its local time, `%FT%T%z`).
    pub date: String,
    /// The text.
    pub text: String,
}

/// `{"textroom": "kicked", ...}`: a participant was kicked from a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KickNotice {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("kicked"),
    /// The room.
    pub room: Id,
    /// The participant's username.
    pub username: String,
}

/// `{"textroom": "destroyed", ...}`: a room was destroyed; this handle is no longer in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DestroyNotice {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("destroyed"),
    /// The room.
    pub room: Id,
}
