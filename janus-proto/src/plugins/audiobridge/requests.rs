//! The AudioBridge's requests: every `"request"` word its handlers accept.

use serde::{Deserialize, Serialize};

use super::{
    Accepted, AllowedAction, AllowedTokens, AnnouncementList, AudioBridge, AudioCodec, Created,
    Destroyed, Edited, ForwarderList, HangingUp, HostFamily, Joined, Left, MjrsStatus,
    ParticipantList, Playback, PlaybackStatus, PlaybacksStopped, RecordingStatus, RoomChanged,
    RoomExists, RoomList, RtpEndpoint, RtpForwardStopped, RtpForwarded, Success,
};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use crate::wire::Jsep;

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
    /// Save the room in the plugin's configuration file.
    pub permanent: Option<bool>,
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
    /// Sampling rate of the mix: 8000, 12000, 16000 (default), 24000 or 48000.
    pub sampling_rate: Option<u32>,
    /// Older name of `sampling_rate`, still accepted when `sampling_rate` is absent.
    pub sampling: Option<u32>,
    /// Stereo mix placing participants spatially.
    pub spatial_audio: Option<bool>,
    /// Negotiate the audio-level RTP extension (default `true`).
    pub audiolevel_ext: Option<bool>,
    /// Send `talking` / `stopped-talking` events.
    pub audiolevel_event: Option<bool>,
    /// Packets of audio level to average for talking detection (default 100).
    pub audio_active_packets: Option<u32>,
    /// Average audio level above which a participant is talking (127 muted, 0 loud;
    /// default 25).
    pub audio_level_average: Option<u8>,
    /// Packets to buffer before decoding each participant (Janus 1.1.2 only).
    pub default_prebuffering: Option<u32>,
    /// Default expected packet loss percentage (0–20) for outgoing FEC.
    pub default_expectedloss: Option<u8>,
    /// Default Opus bitrate in bits per second (0: libopus decides).
    pub default_bitrate: Option<u32>,
    /// Denoise every participant by default with RNNoise (Janus 1.4 only).
    pub denoise: Option<bool>,
    /// Record the mix to a `.wav` file.
    pub record: Option<bool>,
    /// The recording's file.
    pub record_file: Option<String>,
    /// The recording's folder (makes `record_file` relative).
    pub record_dir: Option<String>,
    /// Record each participant to its own `.mjr` file.
    pub mjrs: Option<bool>,
    /// Folder of the `.mjr` files.
    pub mjrs_dir: Option<String>,
    /// Let participants join over plain RTP.
    pub allow_rtp_participants: Option<bool>,
    /// Group names (at most 5) to tag participants with, for forwarders.
    pub groups: Option<Vec<String>>,
    /// The plugin's admin key, when it has one.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for Create {
    type Plugin = AudioBridge;
    type Response = Created;
}

/// `edit`: change a room's description, secret, PIN, privacy or recording folders
/// (synchronous). Its reply is [`Edited`].
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
    /// A new PIN; an empty one removes it.
    #[builder(into)]
    pub new_pin: Option<Secret>,
    /// Whether the room is left out of `list` replies.
    pub new_is_private: Option<bool>,
    /// A new folder for the mix recording.
    pub new_record_dir: Option<String>,
    /// A new folder for the `.mjr` files.
    pub new_mjrs_dir: Option<String>,
    /// Save the change in the configuration file.
    pub permanent: Option<bool>,
}

impl PluginRequest for Edit {
    type Plugin = AudioBridge;
    type Response = Edited;
}

/// `destroy`: remove a room, kicking everybody out (synchronous). Its reply is
/// [`Destroyed`]; every participant gets a [`Destroyed`] event.
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
    type Plugin = AudioBridge;
    type Response = Destroyed;
}

/// `enable_recording`: start or stop recording a room's mix (synchronous). Its reply is
/// [`RecordingStatus`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "enable_recording")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct EnableRecording {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Record or not.
    pub record: bool,
    /// The recording's file.
    pub record_file: Option<String>,
    /// The recording's folder.
    pub record_dir: Option<String>,
}

impl PluginRequest for EnableRecording {
    type Plugin = AudioBridge;
    type Response = RecordingStatus;
}

/// `enable_mjrs`: start or stop recording every participant to `.mjr` files
/// (synchronous). Its reply is [`MjrsStatus`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "enable_mjrs")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct EnableMjrs {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Record or not.
    pub mjrs: bool,
    /// The folder of the `.mjr` files.
    pub mjrs_dir: Option<String>,
}

impl PluginRequest for EnableMjrs {
    type Plugin = AudioBridge;
    type Response = MjrsStatus;
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
    type Plugin = AudioBridge;
    type Response = RoomExists;
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
    type Plugin = AudioBridge;
    type Response = AllowedTokens;
}

/// `kick`: throw a participant out of a room (synchronous; it may join again unless its
/// token is removed). Its reply is [`Success`]; the room gets a [`Kicked`](super::Kicked)
/// event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "kick")]
#[non_exhaustive]
pub struct Kick {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant.
    #[builder(into)]
    pub id: Id,
}

impl PluginRequest for Kick {
    type Plugin = AudioBridge;
    type Response = Success;
}

/// `kick_all`: throw every participant out of a room (synchronous). Its reply is
/// [`Success`]; each participant gets a [`KickedAll`](super::KickedAll) event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "kick_all")]
#[non_exhaustive]
pub struct KickAll {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for KickAll {
    type Plugin = AudioBridge;
    type Response = Success;
}

/// `suspend`: take a participant out of the mix while it stays in the room (synchronous;
/// Janus 1.4 only). Its reply is [`Success`]; the room gets a
/// [`Suspended`](super::Suspended) event. The secret is not needed to suspend oneself.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "suspend")]
#[non_exhaustive]
pub struct Suspend {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant.
    #[builder(into)]
    pub id: Id,
    /// Send it no room events while suspended (it gets a recap when resumed).
    pub pause_events: Option<bool>,
    /// Stop its `.mjr` recording too.
    pub stop_record: Option<bool>,
}

impl PluginRequest for Suspend {
    type Plugin = AudioBridge;
    type Response = Success;
}

/// `resume`: bring a suspended participant back into the mix (synchronous; Janus 1.4
/// only). Its reply is [`Success`]; the room gets a [`Resumed`](super::Resumed) event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "resume")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Resume {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant.
    #[builder(into)]
    pub id: Id,
    /// Record it to an `.mjr` file.
    pub record: Option<bool>,
    /// Base name of that file (`-audio.mjr` is appended).
    pub filename: Option<String>,
}

impl PluginRequest for Resume {
    type Plugin = AudioBridge;
    type Response = Success;
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
    type Plugin = AudioBridge;
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
    type Plugin = AudioBridge;
    type Response = ParticipantList;
}

/// `resetdecoder`: recreate this handle's Opus decoder, e.g. when its audio is garbled
/// (synchronous). Its reply is [`Success`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "resetdecoder")]
#[non_exhaustive]
pub struct ResetDecoder {}

impl ResetDecoder {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for ResetDecoder {
    type Plugin = AudioBridge;
    type Response = Success;
}

/// `rtp_forward`: forward a room's mix (or a group's) over plain RTP or SRTP
/// (synchronous). Its reply is [`RtpForwarded`]. When the plugin locks forwarding with
/// its admin key, the request must carry it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "rtp_forward")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RtpForward {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when forwarding is locked with it.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// Forward only this group's mix (default: the whole mix).
    pub group: Option<String>,
    /// SSRC to use (default: the stream id).
    pub ssrc: Option<u32>,
    /// Codec of the forwarded stream (default Opus).
    pub codec: Option<AudioCodec>,
    /// Payload type (default 100).
    pub ptype: Option<u8>,
    /// Host to send to.
    pub host: String,
    /// Family to resolve `host` to.
    pub host_family: Option<HostFamily>,
    /// Port to send to.
    pub port: u16,
    /// SRTP authentication tag length, 32 or 80 (with `srtp_crypto`).
    pub srtp_suite: Option<u8>,
    /// SRTP key, base64 as in SDES (with `srtp_suite`).
    #[builder(into)]
    pub srtp_crypto: Option<Secret>,
    /// Forward silence even when the room is empty.
    pub always_on: Option<bool>,
}

impl PluginRequest for RtpForward {
    type Plugin = AudioBridge;
    type Response = RtpForwarded;
}

/// `stop_rtp_forward`: remove an RTP forwarder (synchronous). Its reply is
/// [`RtpForwardStopped`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop_rtp_forward")]
#[non_exhaustive]
pub struct StopRtpForward {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when forwarding is locked with it.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The forwarder.
    pub stream_id: u32,
}

impl PluginRequest for StopRtpForward {
    type Plugin = AudioBridge;
    type Response = RtpForwardStopped;
}

/// `listforwarders`: a room's RTP forwarders (synchronous). Its reply is
/// [`ForwarderList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listforwarders")]
#[non_exhaustive]
pub struct ListForwarders {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for ListForwarders {
    type Plugin = AudioBridge;
    type Response = ForwarderList;
}

/// `play_file`: play an `.opus` file into a room's mix (synchronous; needs Janus built
/// with libogg). Its reply is [`Playback`]; the room gets
/// [`AnnouncementStarted`](super::AnnouncementStarted) and, when it ends,
/// [`AnnouncementStopped`](super::AnnouncementStopped).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "play_file")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct PlayFile {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when playback is locked with it.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The group to play in (required when the room has groups).
    pub group: Option<String>,
    /// The announcement's id; `None`: Janus picks one.
    pub file_id: Option<String>,
    /// Path of the `.opus` file on Janus's machine.
    pub filename: String,
    /// Play it in a loop until stopped.
    #[serde(rename = "loop")]
    pub looping: Option<bool>,
}

impl PluginRequest for PlayFile {
    type Plugin = AudioBridge;
    type Response = Playback;
}

/// `is_playing`: whether an announcement is playing (synchronous). Its reply is
/// [`PlaybackStatus`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "is_playing")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct IsPlaying {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when playback is locked with it.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The announcement.
    pub file_id: String,
}

impl PluginRequest for IsPlaying {
    type Plugin = AudioBridge;
    type Response = PlaybackStatus;
}

/// `stop_file`: stop an announcement (synchronous). Its reply is [`Playback`]; the room
/// gets [`AnnouncementStopped`](super::AnnouncementStopped) if it had started.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop_file")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct StopFile {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when playback is locked with it.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The announcement.
    pub file_id: String,
}

impl PluginRequest for StopFile {
    type Plugin = AudioBridge;
    type Response = Playback;
}

/// `stop_all_files`: stop every announcement of a room (synchronous; Janus 1.4 only). Its
/// reply is [`PlaybacksStopped`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop_all_files")]
#[non_exhaustive]
pub struct StopAllFiles {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when playback is locked with it.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for StopAllFiles {
    type Plugin = AudioBridge;
    type Response = PlaybacksStopped;
}

/// `listannouncements`: a room's announcements (synchronous; Janus 1.4 only). Its reply
/// is [`AnnouncementList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listannouncements")]
#[non_exhaustive]
pub struct ListAnnouncements {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, when it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for ListAnnouncements {
    type Plugin = AudioBridge;
    type Response = AnnouncementList;
}

/// Declares a moderation request on one participant: room, secret, participant id.
macro_rules! participant_request {
    ($(#[$doc:meta])* $name:ident = $word:literal) => {
        $(#[$doc])*
        #[serde_with::skip_serializing_none]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
        #[serde(tag = "request", rename = $word)]
        #[non_exhaustive]
        pub struct $name {
            /// The room.
            #[builder(into)]
            pub room: Id,
            /// The room's secret, when it has one.
            #[builder(into)]
            pub secret: Option<Secret>,
            /// The participant.
            #[builder(into)]
            pub id: Id,
        }

        impl PluginRequest for $name {
            type Plugin = AudioBridge;
            type Response = Success;
        }
    };
}

/// Declares a moderation request on a whole room: room, secret.
macro_rules! room_request {
    ($(#[$doc:meta])* $name:ident = $word:literal) => {
        $(#[$doc])*
        #[serde_with::skip_serializing_none]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
        #[serde(tag = "request", rename = $word)]
        #[non_exhaustive]
        pub struct $name {
            /// The room.
            #[builder(into)]
            pub room: Id,
            /// The room's secret, when it has one.
            #[builder(into)]
            pub secret: Option<Secret>,
        }

        impl PluginRequest for $name {
            type Plugin = AudioBridge;
            type Response = Success;
        }
    };
}

participant_request! {
    /// `mute`: mute a participant (synchronous). Its reply is [`Success`] (with the room
    /// when something changed); the room gets a [`ParticipantsChanged`](super::ParticipantsChanged)
    /// event.
    Mute = "mute"
}

participant_request! {
    /// `unmute`: unmute a participant (synchronous). Its reply is [`Success`] (with the
    /// room when something changed); the room gets a
    /// [`ParticipantsChanged`](super::ParticipantsChanged) event.
    Unmute = "unmute"
}

room_request! {
    /// `mute_room`: mute every participant but the admins (synchronous). Its reply is
    /// [`Success`] (with the room when something changed); the room gets a
    /// [`RoomMuted`](super::RoomMuted) event.
    MuteRoom = "mute_room"
}

room_request! {
    /// `unmute_room`: lift a room-wide mute (synchronous). Its reply is [`Success`] (with
    /// the room when something changed); the room gets a [`RoomMuted`](super::RoomMuted)
    /// event.
    UnmuteRoom = "unmute_room"
}

participant_request! {
    /// `denoise_enable`: denoise a participant with RNNoise (synchronous; Janus 1.4 only,
    /// built with RNNoise). Its reply is [`Success`] with the room.
    DenoiseEnable = "denoise_enable"
}

participant_request! {
    /// `denoise_disable`: stop denoising a participant (synchronous; Janus 1.4 only, built
    /// with RNNoise). Its reply is [`Success`] with the room.
    DenoiseDisable = "denoise_disable"
}

/// `join`: enter a room (asynchronous). Its outcome is the [`Joined`] event, with Janus's
/// answer when an offer went with it, or Janus's offer with `generate_offer`. The others
/// in the room get a [`Joined`] event with this participant only.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "join")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Join {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The participant id to take; `None`: Janus picks one.
    #[builder(into)]
    pub id: Option<Id>,
    /// The group to be in (required when the room has groups).
    pub group: Option<String>,
    /// The room's PIN, when it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// The display name.
    pub display: Option<String>,
    /// An invitation token, when the room checks them.
    #[builder(into)]
    pub token: Option<Secret>,
    /// Start muted.
    pub muted: Option<bool>,
    /// Start suspended (Janus 1.4 only).
    pub suspended: Option<bool>,
    /// While suspended, get no room events (Janus 1.4 only).
    pub pause_events: Option<bool>,
    /// The codec (default Opus).
    pub codec: Option<AudioCodec>,
    /// Packets to buffer before decoding (Janus 1.1.2 only).
    pub prebuffer: Option<u32>,
    /// Opus bitrate in bits per second (0: libopus decides).
    pub bitrate: Option<u32>,
    /// Opus complexity, 1–10 (default 4).
    pub quality: Option<u8>,
    /// Expected packet loss percentage, 0–20, for outgoing FEC.
    pub expected_loss: Option<u8>,
    /// Volume in percent (100: unchanged).
    pub volume: Option<u32>,
    /// Panning in spatial-audio rooms (0 left, 50 centre, 100 right).
    pub spatial_position: Option<u8>,
    /// Denoise this participant with RNNoise (Janus 1.4 only).
    pub denoise: Option<bool>,
    /// The room's secret: join as an admin, whom `mute_room` does not mute.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Overrides the room's `audio_level_average` for this participant.
    pub audio_level_average: Option<u8>,
    /// Overrides the room's `audio_active_packets` for this participant.
    pub audio_active_packets: Option<u32>,
    /// Record this participant to an `.mjr` file.
    pub record: Option<bool>,
    /// Base name of that file (`-audio.mjr` is appended).
    pub filename: Option<String>,
    /// Ask Janus for an SDP offer instead of sending one.
    pub generate_offer: Option<bool>,
    /// Join over plain RTP instead of WebRTC (ignored when an SDP goes with the request).
    pub rtp: Option<RtpEndpoint>,
    /// An offer (or, after `generate_offer`, nothing: answer with [`Configure`]).
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Join {
    type Plugin = AudioBridge;
    type Response = Joined;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `configure`: change this participant's settings, or (re)negotiate its PeerConnection
/// (asynchronous; every field optional). Its outcome is the [`Accepted`] event, with
/// Janus's answer when an offer went with it. A change of `muted`, `display`,
/// `spatial_position` or `denoise` is sent to the room as
/// [`ParticipantsChanged`](super::ParticipantsChanged).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "configure")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Configure {
    /// Mute or unmute.
    pub muted: Option<bool>,
    /// A new display name.
    pub display: Option<String>,
    /// Packets to buffer before decoding (Janus 1.1.2 only).
    pub prebuffer: Option<u32>,
    /// Opus bitrate in bits per second (0: libopus decides).
    pub bitrate: Option<u32>,
    /// Opus complexity, 1–10.
    pub quality: Option<u8>,
    /// Expected packet loss percentage, 0–20.
    pub expected_loss: Option<u8>,
    /// Volume in percent.
    pub volume: Option<u32>,
    /// Panning in spatial-audio rooms.
    pub spatial_position: Option<u8>,
    /// Denoise with RNNoise (Janus 1.4 only).
    pub denoise: Option<bool>,
    /// Start or stop recording to an `.mjr` file.
    pub record: Option<bool>,
    /// Base name of that file.
    pub filename: Option<String>,
    /// A new group (rooms with groups).
    pub group: Option<String>,
    /// Ask Janus for an SDP offer (renegotiation initiated by Janus).
    pub generate_offer: Option<bool>,
    /// With a Janus-initiated PeerConnection: have Janus send a new offer (ICE restart).
    pub update: Option<bool>,
    /// A plain-RTP participant whose offer came from Janus: its remote address
    /// (Janus 1.4 only).
    pub rtp: Option<RtpEndpoint>,
    /// An offer, or the answer to Janus's offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Configure {
    type Plugin = AudioBridge;
    type Response = Accepted;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `changeroom`: leave the current room and join another on the same PeerConnection
/// (asynchronous; no SDP). Its outcome is the [`RoomChanged`] event; the old room gets
/// [`Leaving`](super::Leaving), the new one [`Joined`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "changeroom")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct ChangeRoom {
    /// The room to move to.
    #[builder(into)]
    pub room: Id,
    /// The participant id to take there; `None`: Janus picks one.
    #[builder(into)]
    pub id: Option<Id>,
    /// The group to be in (required when the new room has groups).
    pub group: Option<String>,
    /// The new room's PIN, when it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// The display name.
    pub display: Option<String>,
    /// An invitation token, when the new room checks them.
    #[builder(into)]
    pub token: Option<Secret>,
    /// Start muted.
    pub muted: Option<bool>,
    /// Start suspended (Janus 1.4 only).
    pub suspended: Option<bool>,
    /// While suspended, get no room events (Janus 1.4 only).
    pub pause_events: Option<bool>,
    /// Opus bitrate in bits per second.
    pub bitrate: Option<u32>,
    /// Opus complexity, 1–10.
    pub quality: Option<u8>,
    /// Expected packet loss percentage, 0–20.
    pub expected_loss: Option<u8>,
    /// Volume in percent.
    pub volume: Option<u32>,
    /// Panning in spatial-audio rooms.
    pub spatial_position: Option<u8>,
    /// Denoise with RNNoise (Janus 1.4 only).
    pub denoise: Option<bool>,
    /// The new room's secret: be an admin there.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for ChangeRoom {
    type Plugin = AudioBridge;
    type Response = RoomChanged;
}

/// `leave`: leave the room (asynchronous). Its outcome is the [`Left`] event; the room
/// gets [`Leaving`](super::Leaving).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "leave")]
#[non_exhaustive]
pub struct Leave {}

impl Leave {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for Leave {
    type Plugin = AudioBridge;
    type Response = Left;
}

/// `hangup`: close this handle's PeerConnection (asynchronous). Its outcome is the
/// [`HangingUp`] event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "hangup")]
#[non_exhaustive]
pub struct Hangup {}

impl Hangup {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for Hangup {
    type Plugin = AudioBridge;
    type Response = HangingUp;
}
