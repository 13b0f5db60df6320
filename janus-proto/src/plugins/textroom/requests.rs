//! The TextRoom's requests on the Janus API, and their replies.

use serde::{Deserialize, Serialize};

use super::{Accepted, AllowedAction, Participant, RoomInfo, TextRoom};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use crate::wire::Jsep;
use monostate::MustBe;

use super::SuccessWord;

/// `setup`: have Janus offer a data-channel-only PeerConnection (asynchronous). Its outcome
/// is the [`Accepted`] event with Janus's offer; answer it with [`Ack`]. A second `setup`
/// on the same handle is refused with
/// [`ErrorCode::AlreadySetup`](super::ErrorCode::AlreadySetup).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "setup")]
#[non_exhaustive]
pub struct Setup {}

impl Setup {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for Setup {
    type Plugin = TextRoom;
    type Response = Accepted;
}

/// `ack`: the answer to Janus's offer (asynchronous). Its outcome is the [`Accepted`]
/// event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "ack")]
#[non_exhaustive]
pub struct Ack {
    /// The answer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Ack {
    type Plugin = TextRoom;
    type Response = Accepted;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `restart`: have Janus send a new offer restarting ICE (asynchronous). Its outcome is the
/// [`Accepted`] event with the offer; answer it with [`Ack`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "restart")]
#[non_exhaustive]
pub struct Restart {}

impl Restart {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for Restart {
    type Plugin = TextRoom;
    type Response = Accepted;
}

/// `create`: a new room (synchronous). Its reply is [`Created`]. When the plugin is
/// configured with an `admin_key`, the request must carry it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "create")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Create {
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
    /// How many messages to keep and send to newcomers (default 0: none).
    pub history: Option<u16>,
    /// An HTTP backend Janus POSTs every message to.
    pub post: Option<String>,
    /// Save the room in the plugin's configuration file.
    pub permanent: Option<bool>,
}

impl PluginRequest for Create {
    type Plugin = TextRoom;
    type Response = Created;
}

/// `edit`: change a room's description, secret, PIN, privacy or HTTP backend
/// (synchronous). Its reply is [`Edited`]. Empty strings leave the secret, PIN and backend
/// as they are.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "edit")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Edit {
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

impl PluginRequest for Edit {
    type Plugin = TextRoom;
    type Response = Edited;
}

/// `destroy`: remove a room (synchronous). Its reply is [`Destroyed`]; its participants
/// get a [`Destroyed`](super::datachannel::Incoming::Destroyed) message on the data channel.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "destroy")]
#[non_exhaustive]
pub struct Destroy {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Remove it from the configuration file too.
    pub permanent: Option<bool>,
}

impl PluginRequest for Destroy {
    type Plugin = TextRoom;
    type Response = Destroyed;
}

/// `exists`: whether a room exists (synchronous). Its reply is [`RoomExists`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "exists")]
#[non_exhaustive]
pub struct Exists {
    /// The room.
    #[builder(into)]
    pub room: Id,
}

impl PluginRequest for Exists {
    type Plugin = TextRoom;
    type Response = RoomExists;
}

/// `list`: the rooms (private ones only with the admin key) (synchronous). Its reply is
/// [`RoomList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "list")]
#[non_exhaustive]
pub struct List {
    /// The plugin's admin key: private rooms are listed too.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for List {
    type Plugin = TextRoom;
    type Response = RoomList;
}

/// `listparticipants`: a room's participants (synchronous). Its reply is
/// [`ParticipantList`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listparticipants")]
#[non_exhaustive]
pub struct ListParticipants {
    /// The room.
    #[builder(into)]
    pub room: Id,
}

impl PluginRequest for ListParticipants {
    type Plugin = TextRoom;
    type Response = ParticipantList;
}

/// `allowed`: turn token checking on or off, or change the room's tokens (synchronous).
/// Its reply is [`AllowedTokens`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "allowed")]
#[non_exhaustive]
pub struct Allowed {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// What to do.
    pub action: AllowedAction,
    /// The tokens to add or remove (for `add` and `remove`).
    pub allowed: Option<Vec<Secret>>,
}

impl PluginRequest for Allowed {
    type Plugin = TextRoom;
    type Response = AllowedTokens;
}

/// `kick`: throw a participant out of a room (synchronous). Its reply is [`Success`]; the
/// room's participants get a [`Kicked`](super::datachannel::Incoming::Kicked) message on
/// the data channel.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "kick")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Kick {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant's username.
    pub username: String,
}

impl PluginRequest for Kick {
    type Plugin = TextRoom;
    type Response = Success;
}

/// `announcement`: a message from the room itself to everybody in it (synchronous). Its
/// reply is [`Success`]; the participants get an
/// [`Announcement`](super::datachannel::Incoming::Announcement) message on the data
/// channel.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "announcement")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Announcement {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The text.
    pub text: String,
}

impl PluginRequest for Announcement {
    type Plugin = TextRoom;
    type Response = Success;
}

/// The reply to [`Create`] on the Janus API: `{"textroom": "created", ...}` (on the data
/// channel the word is `success`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Created {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("created"),
    /// The room id (the one asked for, or Janus's pick).
    pub room: Id,
    /// Whether it was saved to the configuration file.
    pub permanent: bool,
}

/// The reply to [`Edit`] on the Janus API: `{"textroom": "edited", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Edited {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("edited"),
    /// The room.
    pub room: Id,
    /// Whether the change was saved to the configuration file.
    pub permanent: bool,
}

/// The reply to [`Destroy`] on the Janus API: `{"textroom": "destroyed", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Destroyed {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("destroyed"),
    /// The room.
    pub room: Id,
    /// Whether it was removed from the configuration file too.
    pub permanent: bool,
}

/// The reply to [`Exists`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomExists {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("success"),
    /// The room asked about.
    pub room: Id,
    /// Whether it exists.
    pub exists: bool,
}

/// The reply to [`List`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomList {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("success"),
    /// The rooms (`rooms` in 1.1.2's documentation; Janus sends `list` in both versions).
    pub list: Vec<RoomInfo>,
}

/// The reply to [`ListParticipants`]: `{"textroom": "success", ...}` in 1.4; Janus 1.1.2
/// sends it without the `"textroom"` word, so the word is a field here (not a serde tag,
/// which would add it back when encoding 1.1.2's reply).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantList {
    #[serde(rename = "textroom", default, skip_serializing_if = "Option::is_none")]
    pub(crate) word: Option<SuccessWord>,
    /// The room.
    pub room: Id,
    /// Its participants.
    pub participants: Vec<Participant>,
}

/// The reply to [`Allowed`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AllowedTokens {
    #[serde(rename = "textroom")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The complete token list after the change; absent after `disable`.
    pub allowed: Option<Vec<Secret>>,
}

/// `{"textroom": "success"}`: the reply to [`Kick`] and [`Announcement`]. (Janus 1.1.2
/// answers `kick` with a misspelt `{"textbridge": "success"}`, which decodes too.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Success {
    /// Absent in Janus 1.1.2's answer to `kick`, which says `{"textbridge": "success"}`.
    #[serde(rename = "textroom", default, skip_serializing_if = "Option::is_none")]
    pub(crate) word: Option<SuccessWord>,
}
