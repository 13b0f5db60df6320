//! The AudioBridge's synchronous replies.

use serde::{Deserialize, Serialize};

use super::{AudioCodec, Participant};
use crate::plugins::Id;
use crate::secret::Secret;
use monostate::MustBe;

/// The reply to [`Create`](super::Create): `{"audiobridge": "created", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Created {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("created"),
    /// The room id (the one asked for, or Janus's pick).
    pub room: Id,
    /// Whether it was saved to the configuration file (`false` when asked for but saving
    /// failed).
    pub permanent: bool,
}

/// The reply to [`Edit`](super::Edit): `{"audiobridge": "edited", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Edited {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("edited"),
    /// The room.
    pub room: Id,
    /// Whether the change was saved to the configuration file.
    pub permanent: bool,
}

/// `{"audiobridge": "destroyed", ...}`: the reply to [`Destroy`](super::Destroy), and the
/// event every participant of the destroyed room gets (without `permanent`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Destroyed {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("destroyed"),
    /// The room.
    pub room: Id,
    /// In the reply: whether it was removed from the configuration file too.
    pub permanent: Option<bool>,
}

/// The reply to [`EnableRecording`](super::EnableRecording):
/// `{"audiobridge": "success", "record": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingStatus {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// Whether the mix is being recorded now.
    pub record: bool,
}

/// The reply to [`EnableMjrs`](super::EnableMjrs): `{"audiobridge": "success", "mjrs": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MjrsStatus {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// Whether participants are being recorded to `.mjr` files now.
    pub mjrs: bool,
}

/// The reply to [`Exists`](super::Exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomExists {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room asked about.
    pub room: Id,
    /// Whether it exists.
    pub exists: bool,
}

/// The reply to [`Allowed`](super::Allowed).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AllowedTokens {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The complete token list after the change; absent after `disable`.
    pub allowed: Option<Vec<Secret>>,
}

/// `{"audiobridge": "success"}`: the reply to [`Kick`](super::Kick),
/// [`KickAll`](super::KickAll), [`Suspend`](super::Suspend), [`Resume`](super::Resume),
/// [`ResetDecoder`](super::ResetDecoder), the mute requests and the denoise requests.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Success {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room: sent by the mute requests when they changed something, and by the
    /// denoise requests.
    pub room: Option<Id>,
}

/// The reply to [`List`](super::List).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomList {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The rooms (the documentation calls this `rooms`; Janus sends `list`).
    pub list: Vec<RoomInfo>,
}

/// A room in a [`RoomList`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomInfo {
    /// The room id.
    pub room: Id,
    /// Its pretty name.
    pub description: String,
    /// The mix's sampling rate.
    pub sampling_rate: u32,
    /// Whether the mix is spatial (stereo).
    pub spatial_audio: bool,
    /// Whether joining needs a PIN.
    pub pin_required: bool,
    /// Whether the mix is being recorded.
    pub record: bool,
    /// Whether the room is muted (`mute_room`).
    pub muted: bool,
    /// How many participants it has.
    pub num_participants: u64,
}

/// The reply to [`ListParticipants`](super::ListParticipants):
/// `{"audiobridge": "participants", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantList {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("participants"),
    /// The room.
    pub room: Id,
    /// Its participants.
    pub participants: Vec<Participant>,
}

/// The reply to [`RtpForward`](super::RtpForward).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwarded {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The group forwarded, when one was asked for.
    pub group: Option<String>,
    /// The new forwarder's id.
    pub stream_id: u32,
    /// The address it sends to (resolved).
    pub host: String,
    /// The port it sends to.
    pub port: u16,
}

/// The reply to [`StopRtpForward`](super::StopRtpForward).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwardStopped {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The forwarder.
    pub stream_id: u32,
}

/// The reply to [`ListForwarders`](super::ListForwarders):
/// `{"audiobridge": "forwarders", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForwarderList {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("forwarders"),
    /// The room.
    pub room: Id,
    /// Its forwarders.
    pub rtp_forwarders: Vec<Forwarder>,
}

/// An RTP forwarder in a [`ForwarderList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forwarder {
    /// Its id.
    pub stream_id: u32,
    /// The group it forwards, if any.
    pub group: Option<String>,
    /// The address it sends to.
    pub ip: String,
    /// The port it sends to.
    pub port: u16,
    /// Its SSRC.
    pub ssrc: u32,
    /// Its codec.
    pub codec: AudioCodec,
    /// Its payload type.
    pub ptype: u8,
    /// `true` when it sends SRTP; absent otherwise.
    pub srtp: Option<bool>,
    /// Whether it forwards silence when the room is empty.
    pub always_on: bool,
}

/// The reply to [`PlayFile`](super::PlayFile) and [`StopFile`](super::StopFile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Playback {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The announcement (Janus's pick when none was given).
    pub file_id: String,
}

/// The reply to [`IsPlaying`](super::IsPlaying).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaybackStatus {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The announcement.
    pub file_id: String,
    /// Whether it is playing.
    pub playing: bool,
}

/// The reply to [`StopAllFiles`](super::StopAllFiles) (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaybacksStopped {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The announcements that were playing and are stopped.
    pub file_id_list: Vec<String>,
}

/// The reply to [`ListAnnouncements`](super::ListAnnouncements):
/// `{"audiobridge": "announcements", ...}` (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnnouncementList {
    #[serde(rename = "audiobridge")]
    pub(crate) word: MustBe!("announcements"),
    /// The room.
    pub room: Id,
    /// Its announcements.
    pub announcements: Vec<Announcement>,
}

/// An announcement in an [`AnnouncementList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Announcement {
    /// Its id.
    pub file_id: String,
    /// The file it plays.
    pub filename: Option<String>,
    /// Whether it has started playing.
    pub playing: bool,
    /// Whether it plays in a loop.
    #[serde(rename = "loop")]
    pub looping: bool,
}
