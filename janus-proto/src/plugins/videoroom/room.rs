//! Room management: the synchronous requests that create, edit, inspect and moderate rooms,
//! and their replies.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::VideoRoom;
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use monostate::MustBe;

/// `create`: a new room (synchronous). Its outcome is [`Created`]. Fields not given take the
/// plugin's defaults (the same settings as the rooms of its configuration file).
///
/// When the plugin is configured with an `admin_key`, `admin_key` must match it.
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
    /// Its name (default `Room <id>`).
    pub description: Option<String>,
    /// The secret needed to edit, destroy or moderate the room.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The PIN needed to join the room.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// Leave the room out of [`List`] (unless the `admin_key` is given there).
    pub is_private: Option<bool>,
    /// Tokens allowed to join (an ACL; see [`Allowed`]).
    pub allowed: Option<Vec<Secret>>,
    /// Subscriptions must carry a valid `private_id`.
    pub require_pvtid: Option<bool>,
    /// Joining requires a signed token (with signed tokens enabled in the core).
    pub signed_tokens: Option<bool>,
    /// Video bitrate cap for publishers, bits per second (REMB; at least 64000).
    pub bitrate: Option<u32>,
    /// The cap cannot be raised by publishers.
    pub bitrate_cap: Option<bool>,
    /// Seconds between keyframe requests to publishers (0: none).
    pub fir_freq: Option<u16>,
    /// Maximum number of concurrent publishers (default 3).
    pub publishers: Option<u32>,
    /// Allowed audio codecs in order of preference, comma separated (up to 5 of `opus`,
    /// `g722`, `pcmu`, `pcma`, `isac32`, `isac16`; default `opus`).
    pub audiocodec: Option<String>,
    /// Allowed video codecs in order of preference, comma separated (up to 5 of `vp8`, `vp9`,
    /// `h264`, `av1`, `h265`; default `vp8`).
    pub videocodec: Option<String>,
    /// VP9 profile to prefer, e.g. `2`.
    pub vp9_profile: Option<String>,
    /// H.264 profile to prefer, e.g. `42e01f`.
    pub h264_profile: Option<String>,
    /// Negotiate Opus inband FEC (default true).
    pub opus_fec: Option<bool>,
    /// Negotiate Opus DTX.
    pub opus_dtx: Option<bool>,
    /// Enable VP9 SVC (Janus 1.1.2 only: from 1.1.4 on Janus detects SVC by itself and
    /// ignores this field).
    pub video_svc: Option<bool>,
    /// Negotiate the audio-level RTP extension (default true).
    pub audiolevel_ext: Option<bool>,
    /// Send talking events ([`Talking`](super::Talking)).
    pub audiolevel_event: Option<bool>,
    /// Packets with audio level to consider for talking events (default 100).
    pub audio_active_packets: Option<u32>,
    /// Average audio level threshold for talking events (127 muted, 0 loud; default 25).
    pub audio_level_average: Option<u32>,
    /// Negotiate the video-orientation RTP extension (default true).
    pub videoorient_ext: Option<bool>,
    /// Negotiate the playout-delay RTP extension (default true).
    pub playoutdelay_ext: Option<bool>,
    /// Negotiate the transport-wide CC RTP extension (default true).
    pub transport_wide_cc_ext: Option<bool>,
    /// Record the room.
    pub record: Option<bool>,
    /// Folder of the recordings.
    pub rec_dir: Option<String>,
    /// Recording can only be started or stopped with the room's secret.
    pub lock_record: Option<bool>,
    /// Notify participants of every join, not only of new publishers
    /// ([`Joining`](super::Joining)).
    pub notify_joining: Option<bool>,
    /// Publishers and subscribers must use end-to-end encryption.
    pub require_e2ee: Option<bool>,
    /// Create a dummy publisher, with a placeholder stream per codec of the room.
    pub dummy_publisher: Option<bool>,
    /// The dummy publisher's streams (default: every codec of the room).
    pub dummy_streams: Option<Vec<DummyStream>>,
    /// Advertise the dummy publisher as end-to-end encrypted (Janus 1.3.2 and later).
    pub dummy_e2ee: Option<bool>,
    /// Helper threads relaying the room's media (Janus 1.2.3 and later; default 0).
    pub threads: Option<u32>,
    /// The plugin's admin key, when it is configured with one.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for Create {
    type Plugin = VideoRoom;
    type Response = Created;
}

/// A placeholder stream of a room's dummy publisher, in [`Create::dummy_streams`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct DummyStream {
    /// The codec, e.g. `opus`, `vp8`.
    pub codec: String,
    /// The fmtp to match (parsed by Janus for a few codecs only).
    pub fmtp: Option<String>,
}

/// The answer to [`Create`]: `{"videoroom": "created", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Created {
    #[serde(rename = "videoroom")]
    word: MustBe!("created"),
    /// The room id.
    pub room: Id,
    /// Saved in the configuration file (`false` when asked for but saving failed).
    pub permanent: bool,
}

/// `edit`: changes some properties of a room (synchronous). Its outcome is [`Edited`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "edit")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Edit {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// A new name.
    pub new_description: Option<String>,
    /// A new secret.
    #[builder(into)]
    pub new_secret: Option<Secret>,
    /// A new PIN.
    #[builder(into)]
    pub new_pin: Option<Secret>,
    /// Private or not.
    pub new_is_private: Option<bool>,
    /// Whether subscriptions need a `private_id`.
    pub new_require_pvtid: Option<bool>,
    /// A new bitrate cap for publishers (bits per second).
    pub new_bitrate: Option<u32>,
    /// A new keyframe request period (seconds).
    pub new_fir_freq: Option<u16>,
    /// A new maximum number of concurrent publishers.
    pub new_publishers: Option<u32>,
    /// Whether recording can only be changed with the secret.
    pub new_lock_record: Option<bool>,
    /// A new folder for the next recordings.
    pub new_rec_dir: Option<String>,
    /// Save the change in the configuration file.
    pub permanent: Option<bool>,
}

impl PluginRequest for Edit {
    type Plugin = VideoRoom;
    type Response = Edited;
}

/// The answer to [`Edit`]: `{"videoroom": "edited", ...}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Edited {
    #[serde(rename = "videoroom")]
    word: MustBe!("edited"),
    /// The room id.
    pub room: Id,
    /// Saved in the configuration file.
    pub permanent: Option<bool>,
}

/// `destroy`: removes a room, kicking everybody out (synchronous). Its outcome is
/// [`Destroyed`]; the participants get a [`Destroyed`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "destroy")]
#[non_exhaustive]
pub struct Destroy {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Remove the room from the configuration file too.
    pub permanent: Option<bool>,
}

impl PluginRequest for Destroy {
    type Plugin = VideoRoom;
    type Response = Destroyed;
}

/// `{"videoroom": "destroyed", ...}`: the answer to [`Destroy`], and the event the room's
/// participants get when it is destroyed ([`Event::Destroyed`](super::Event::Destroyed)).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Destroyed {
    #[serde(rename = "videoroom")]
    word: MustBe!("destroyed"),
    /// The room id.
    pub room: Id,
    /// Removed from the configuration file too (in the answer only).
    pub permanent: Option<bool>,
}

/// `exists`: whether a room exists (synchronous). Its outcome is [`ExistsResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "exists")]
#[non_exhaustive]
pub struct Exists {
    /// The room.
    #[builder(into)]
    pub room: Id,
}

impl PluginRequest for Exists {
    type Plugin = VideoRoom;
    type Response = ExistsResult;
}

/// The answer to [`Exists`]: `{"videoroom": "success", "room": ..., "exists": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExistsResult {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room asked about.
    pub room: Id,
    /// Whether it exists.
    pub exists: bool,
}

/// `list`: the rooms (synchronous). Its outcome is [`RoomList`]. Private rooms are listed
/// only with the plugin's `admin_key`.
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
    type Plugin = VideoRoom;
    type Response = RoomList;
}

/// The answer to [`List`]: `{"videoroom": "success", "list": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomList {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The rooms.
    pub list: Vec<RoomInfo>,
}

/// A room in [`RoomList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomInfo {
    /// The room id.
    pub room: Id,
    /// Its name.
    pub description: String,
    /// A PIN is needed to join.
    pub pin_required: bool,
    /// It is private.
    pub is_private: bool,
    /// Maximum number of concurrent publishers.
    pub max_publishers: u32,
    /// Bitrate cap of publishers (0: none).
    pub bitrate: u32,
    /// The cap cannot be raised by publishers (sent only when set).
    pub bitrate_cap: Option<bool>,
    /// Seconds between keyframe requests.
    pub fir_freq: u32,
    /// Subscriptions need a `private_id`.
    pub require_pvtid: bool,
    /// End-to-end encryption is required.
    pub require_e2ee: bool,
    /// There is a dummy publisher.
    pub dummy_publisher: bool,
    /// Every join is notified.
    pub notify_joining: bool,
    /// Allowed audio codecs, comma separated.
    pub audiocodec: String,
    /// Allowed video codecs, comma separated.
    pub videocodec: String,
    /// Opus FEC is negotiated (sent only when set).
    pub opus_fec: Option<bool>,
    /// Opus DTX is negotiated (sent only when set).
    pub opus_dtx: Option<bool>,
    /// VP9 SVC is enabled (Janus 1.1.2 only).
    pub video_svc: Option<bool>,
    /// It is being recorded.
    pub record: bool,
    /// Folder of the recordings, if set.
    pub rec_dir: Option<String>,
    /// Recording can only be changed with the secret.
    pub lock_record: bool,
    /// Participants (publishers, active or not; not subscribers).
    pub num_participants: u32,
    /// The audio-level extension is negotiated.
    pub audiolevel_ext: bool,
    /// Talking events are sent.
    pub audiolevel_event: bool,
    /// Packets considered for talking events (with `audiolevel_event`).
    pub audio_active_packets: Option<u32>,
    /// Audio level threshold for talking events (with `audiolevel_event`).
    pub audio_level_average: Option<u32>,
    /// The video-orientation extension is negotiated.
    pub videoorient_ext: bool,
    /// The playout-delay extension is negotiated.
    pub playoutdelay_ext: bool,
    /// The transport-wide CC extension is negotiated.
    pub transport_wide_cc_ext: bool,
}

/// `allowed`: manages a room's ACL of tokens (synchronous). Its outcome is [`AllowedList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "allowed")]
#[non_exhaustive]
pub struct Allowed {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// What to do.
    pub action: AllowedAction,
    /// The tokens to add or remove (with [`AllowedAction::Add`] and
    /// [`AllowedAction::Remove`]).
    pub allowed: Option<Vec<Secret>>,
}

impl PluginRequest for Allowed {
    type Plugin = VideoRoom;
    type Response = AllowedList;
}

/// The `action` of an [`Allowed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowedAction {
    /// Check tokens when joining.
    Enable,
    /// Stop checking tokens.
    Disable,
    /// Add tokens to the list.
    Add,
    /// Remove tokens from the list.
    Remove,
}

/// The answer to [`Allowed`]: `{"videoroom": "success", "room": ..., "allowed": [...]}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AllowedList {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The whole list of tokens after the change (absent after `disable`).
    pub allowed: Option<Vec<Secret>>,
}

/// `kick`: removes a participant from a room (synchronous; it may join again unless its
/// token is removed first). Its outcome is [`Success`]; the participant gets a
/// [`LeavingOk`](super::LeavingOk) with reason `kicked`, the others a
/// [`Kicked`](super::Kicked) event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "kick")]
#[non_exhaustive]
pub struct Kick {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant.
    #[builder(into)]
    pub id: Id,
}

impl PluginRequest for Kick {
    type Plugin = VideoRoom;
    type Response = Success;
}

/// `moderate`: mutes or unmutes a stream of a participant (synchronous). Its outcome is
/// [`Success`]; everybody in the room, the participant too, gets a
/// [`Moderated`](super::Moderated) event. Unmuting lifts the moderator's block only: a
/// stream the participant muted stays muted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "moderate")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Moderate {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The participant.
    #[builder(into)]
    pub id: Id,
    /// The mid of the participant's stream.
    pub mid: String,
    /// Mute (`true`) or lift the moderator's mute (`false`).
    pub mute: bool,
}

impl PluginRequest for Moderate {
    type Plugin = VideoRoom;
    type Response = Success;
}

/// A bare `{"videoroom": "success"}`: the answer to [`Kick`], [`Moderate`],
/// [`UpdateRemotePublisher`](super::UpdateRemotePublisher) and
/// [`RemoveRemotePublisher`](super::RemoveRemotePublisher).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Success {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
}

/// `listparticipants`: the participants of a room, publishing or not (synchronous). Its
/// outcome is [`Participants`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listparticipants")]
#[non_exhaustive]
pub struct ListParticipants {
    /// The room.
    #[builder(into)]
    pub room: Id,
}

impl PluginRequest for ListParticipants {
    type Plugin = VideoRoom;
    type Response = Participants;
}

/// The answer to [`ListParticipants`]: `{"videoroom": "participants", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Participants {
    #[serde(rename = "videoroom")]
    word: MustBe!("participants"),
    /// The room.
    pub room: Id,
    /// Its participants.
    pub participants: Vec<ParticipantInfo>,
}

/// A participant in [`Participants`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantInfo {
    /// Its id.
    pub id: Id,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// It is the room's dummy publisher.
    pub dummy: Option<bool>,
    /// It is a remote publisher ([`AddRemotePublisher`](super::AddRemotePublisher)).
    pub remote: Option<bool>,
    /// It is publishing.
    pub publisher: bool,
    /// It is talking (publishers, in rooms with audio levels).
    pub talking: Option<bool>,
}

/// `enable_recording`: starts or stops recording every participant of a room (synchronous).
/// Its outcome is [`RecordingState`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "enable_recording")]
#[non_exhaustive]
pub struct EnableRecording {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Record (`true`) or stop (`false`).
    pub record: bool,
}

impl PluginRequest for EnableRecording {
    type Plugin = VideoRoom;
    type Response = RecordingState;
}

/// The answer to [`EnableRecording`]: `{"videoroom": "success", "record": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingState {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room's recording state now.
    pub record: bool,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plugins::videoroom::testing::{assert_rejects, assert_request, round_trip};

    #[test]
    fn create_encodes_every_setting_and_decodes_back() {
        let create = Create::builder()
            .room(1234u64)
            .permanent(false)
            .description("Demo")
            .secret("adminpwd")
            .pin("1111")
            .is_private(true)
            .allowed(vec![Secret::new("token-a"), Secret::new("token-b")])
            .require_pvtid(true)
            .signed_tokens(false)
            .bitrate(128_000)
            .bitrate_cap(true)
            .fir_freq(10)
            .publishers(6)
            .audiocodec("opus,pcmu")
            .videocodec("vp9,vp8,h264")
            .vp9_profile("2")
            .h264_profile("42e01f")
            .opus_fec(true)
            .opus_dtx(false)
            .video_svc(false)
            .audiolevel_ext(true)
            .audiolevel_event(true)
            .audio_active_packets(100)
            .audio_level_average(25)
            .videoorient_ext(true)
            .playoutdelay_ext(true)
            .transport_wide_cc_ext(true)
            .record(false)
            .rec_dir("/tmp/rec")
            .lock_record(true)
            .notify_joining(true)
            .require_e2ee(false)
            .dummy_publisher(true)
            .dummy_streams(vec![
                DummyStream::builder().codec("opus").build(),
                DummyStream::builder()
                    .codec("h264")
                    .fmtp("profile-level-id=42e01f")
                    .build(),
            ])
            .dummy_e2ee(false)
            .threads(2)
            .admin_key("supersecret")
            .build();
        assert_request(
            create,
            json!({
                "request": "create", "room": 1234, "permanent": false, "description": "Demo",
                "secret": "adminpwd", "pin": "1111", "is_private": true,
                "allowed": ["token-a", "token-b"], "require_pvtid": true,
                "signed_tokens": false, "bitrate": 128000, "bitrate_cap": true, "fir_freq": 10,
                "publishers": 6, "audiocodec": "opus,pcmu", "videocodec": "vp9,vp8,h264",
                "vp9_profile": "2", "h264_profile": "42e01f", "opus_fec": true,
                "opus_dtx": false, "video_svc": false, "audiolevel_ext": true,
                "audiolevel_event": true, "audio_active_packets": 100,
                "audio_level_average": 25, "videoorient_ext": true, "playoutdelay_ext": true,
                "transport_wide_cc_ext": true, "record": false, "rec_dir": "/tmp/rec",
                "lock_record": true, "notify_joining": true, "require_e2ee": false,
                "dummy_publisher": true,
                "dummy_streams": [{"codec": "opus"}, {"codec": "h264", "fmtp": "profile-level-id=42e01f"}],
                "dummy_e2ee": false, "threads": 2, "admin_key": "supersecret"
            }),
            None,
        );
        assert_request(
            Create::builder().build(),
            json!({"request": "create"}),
            None,
        );
        assert_request(
            Create::builder().room("room-a").build(),
            json!({"request": "create", "room": "room-a"}),
            None,
        );
    }

    #[test]
    fn created_decodes_and_a_wrong_reply_does_not() {
        let created: Created =
            round_trip(r#"{"videoroom":"created","room":1234,"permanent":false}"#);
        assert_eq!(created.room, Id::from(1234));
        assert!(!created.permanent);
        assert_rejects::<Created>(r#"{"videoroom":"created","permanent":true}"#);
        assert_rejects::<Created>(r#"{"videoroom":"edited","room":1234,"permanent":true}"#);
        assert_rejects::<Created>(r#"{"room":1234,"permanent":true}"#);
    }

    #[test]
    fn edit_and_edited() {
        let edit = Edit::builder()
            .room(1234u64)
            .secret("adminpwd")
            .new_description("Renamed")
            .new_secret("newpwd")
            .new_pin("2222")
            .new_is_private(false)
            .new_require_pvtid(false)
            .new_bitrate(256_000)
            .new_fir_freq(5)
            .new_publishers(10)
            .new_lock_record(false)
            .new_rec_dir("/var/rec")
            .permanent(true)
            .build();
        assert_request(
            edit,
            json!({
                "request": "edit", "room": 1234, "secret": "adminpwd",
                "new_description": "Renamed", "new_secret": "newpwd", "new_pin": "2222",
                "new_is_private": false, "new_require_pvtid": false, "new_bitrate": 256000,
                "new_fir_freq": 5, "new_publishers": 10, "new_lock_record": false,
                "new_rec_dir": "/var/rec", "permanent": true
            }),
            None,
        );
        let edited: Edited = round_trip(r#"{"videoroom":"edited","room":1234,"permanent":true}"#);
        assert_eq!(
            (edited.room, edited.permanent),
            (Id::from(1234), Some(true))
        );
        assert_rejects::<Edited>(r#"{"videoroom":"edited"}"#);
    }

    #[test]
    fn destroy_and_destroyed() {
        assert_request(
            Destroy::builder()
                .room(1234u64)
                .secret("adminpwd")
                .permanent(true)
                .build(),
            json!({"request": "destroy", "room": 1234, "secret": "adminpwd", "permanent": true}),
            None,
        );
        let destroyed: Destroyed =
            round_trip(r#"{"videoroom":"destroyed","room":1234,"permanent":false}"#);
        assert_eq!(destroyed.room, Id::from(1234));
        assert_eq!(destroyed.permanent, Some(false));
        let event: Destroyed = round_trip(r#"{"videoroom":"destroyed","room":"room-a"}"#);
        assert_eq!((event.room, event.permanent), (Id::from("room-a"), None));
        assert_rejects::<Destroyed>(r#"{"videoroom":"destroyed"}"#);
    }

    #[test]
    fn exists_and_its_answer() {
        assert_request(
            Exists::builder().room(1234u64).build(),
            json!({"request": "exists", "room": 1234}),
            None,
        );
        let answer: ExistsResult =
            round_trip(r#"{"videoroom":"success","room":1234,"exists":true}"#);
        assert_eq!((answer.room, answer.exists), (Id::from(1234), true));
        assert_rejects::<ExistsResult>(r#"{"videoroom":"success","room":1234}"#);
    }

    #[test]
    fn list_and_the_rooms() {
        assert_request(List::default(), json!({"request": "list"}), None);
        assert_request(
            List::builder().admin_key("supersecret").build(),
            json!({"request": "list", "admin_key": "supersecret"}),
            None,
        );
        let list: RoomList = round_trip(
            r#"{"videoroom":"success","list":[{
                "room":1234,"description":"Demo Room","pin_required":false,"is_private":false,
                "max_publishers":6,"bitrate":128000,"bitrate_cap":true,"fir_freq":10,
                "require_pvtid":false,"require_e2ee":false,"dummy_publisher":false,
                "notify_joining":false,"audiocodec":"opus","videocodec":"vp8,h264",
                "opus_fec":true,"opus_dtx":true,"video_svc":false,"record":false,
                "rec_dir":"/tmp","lock_record":false,"num_participants":2,
                "audiolevel_ext":true,"audiolevel_event":true,"audio_active_packets":100,
                "audio_level_average":25,"videoorient_ext":true,"playoutdelay_ext":true,
                "transport_wide_cc_ext":true}]}"#,
        );
        let [room] = &list.list[..] else {
            panic!("one room");
        };
        assert_eq!(room.room, Id::from(1234));
        assert_eq!(room.description, "Demo Room");
        assert!(!room.pin_required && !room.is_private);
        assert_eq!(
            (room.max_publishers, room.bitrate, room.fir_freq),
            (6, 128_000, 10)
        );
        assert_eq!(room.bitrate_cap, Some(true));
        assert!(!room.require_pvtid && !room.require_e2ee);
        assert!(!room.dummy_publisher && !room.notify_joining);
        assert_eq!(
            (room.audiocodec.as_str(), room.videocodec.as_str()),
            ("opus", "vp8,h264")
        );
        assert_eq!(
            (room.opus_fec, room.opus_dtx, room.video_svc),
            (Some(true), Some(true), Some(false))
        );
        assert!(!room.record && !room.lock_record);
        assert_eq!(room.rec_dir.as_deref(), Some("/tmp"));
        assert_eq!(room.num_participants, 2);
        assert!(room.audiolevel_ext && room.audiolevel_event);
        assert_eq!(
            (room.audio_active_packets, room.audio_level_average),
            (Some(100), Some(25))
        );
        assert!(room.videoorient_ext && room.playoutdelay_ext && room.transport_wide_cc_ext);
        let empty: RoomList = round_trip(r#"{"videoroom":"success","list":[]}"#);
        assert!(empty.list.is_empty());
        assert_rejects::<RoomList>(r#"{"videoroom":"success"}"#);
    }

    #[test]
    fn allowed_and_the_list_of_tokens() {
        assert_request(
            Allowed::builder()
                .room(1234u64)
                .secret("adminpwd")
                .action(AllowedAction::Add)
                .allowed(vec![Secret::new("token-c")])
                .build(),
            json!({
                "request": "allowed", "room": 1234, "secret": "adminpwd", "action": "add",
                "allowed": ["token-c"]
            }),
            None,
        );
        for (action, word) in [
            (AllowedAction::Enable, "enable"),
            (AllowedAction::Disable, "disable"),
            (AllowedAction::Remove, "remove"),
        ] {
            assert_request(
                Allowed::builder().room(1u64).action(action).build(),
                json!({"request": "allowed", "room": 1, "action": word}),
                None,
            );
        }
        let list: AllowedList =
            round_trip(r#"{"videoroom":"success","room":1234,"allowed":["token-a","token-c"]}"#);
        assert_eq!(list.room, Id::from(1234));
        assert_eq!(
            list.allowed,
            Some(vec![Secret::new("token-a"), Secret::new("token-c")])
        );
        let disabled: AllowedList = round_trip(r#"{"videoroom":"success","room":1234}"#);
        assert_eq!(disabled.allowed, None);
    }

    #[test]
    fn kick_and_moderate_answer_success() {
        assert_request(
            Kick::builder()
                .room(1234u64)
                .secret("adminpwd")
                .id(5678u64)
                .build(),
            json!({"request": "kick", "room": 1234, "secret": "adminpwd", "id": 5678}),
            None,
        );
        assert_request(
            Moderate::builder()
                .room(1234u64)
                .id(5678u64)
                .mid("0")
                .mute(true)
                .build(),
            json!({"request": "moderate", "room": 1234, "id": 5678, "mid": "0", "mute": true}),
            None,
        );
        let _: Success = round_trip(r#"{"videoroom":"success"}"#);
        assert_rejects::<Success>(r#"{"videoroom":"event"}"#);
    }

    #[test]
    fn listparticipants_and_the_participants() {
        assert_request(
            ListParticipants::builder().room(1234u64).build(),
            json!({"request": "listparticipants", "room": 1234}),
            None,
        );
        let participants: Participants = round_trip(
            r#"{"videoroom":"participants","room":1234,"participants":[
                {"id":5678,"display":"Bob","metadata":{"role":"host"},"publisher":true,"talking":false},
                {"id":1,"dummy":true,"publisher":true},
                {"id":"remote-1","remote":true,"publisher":true}]}"#,
        );
        assert_eq!(participants.room, Id::from(1234));
        let [bob, dummy, remote] = &participants.participants[..] else {
            panic!("three participants");
        };
        assert_eq!(bob.id, Id::from(5678));
        assert_eq!(bob.display.as_deref(), Some("Bob"));
        assert_eq!(bob.metadata, Some(json!({"role": "host"})));
        assert!(bob.publisher);
        assert_eq!(bob.talking, Some(false));
        assert_eq!(dummy.dummy, Some(true));
        assert_eq!(remote.remote, Some(true));
        assert_eq!(remote.id, Id::from("remote-1"));
        assert_rejects::<Participants>(r#"{"videoroom":"participants","room":1234}"#);
    }

    #[test]
    fn enable_recording_and_its_state() {
        assert_request(
            EnableRecording::builder()
                .room(1234u64)
                .secret("adminpwd")
                .record(true)
                .build(),
            json!({"request": "enable_recording", "room": 1234, "secret": "adminpwd", "record": true}),
            None,
        );
        let state: RecordingState = round_trip(r#"{"videoroom":"success","record":true}"#);
        assert!(state.record);
        assert_rejects::<RecordingState>(r#"{"videoroom":"success"}"#);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let create = Create::builder().secret("adminpwd").pin("1111").build();
        let debug = format!("{create:?}");
        assert!(
            !debug.contains("adminpwd") && !debug.contains("1111"),
            "{debug}"
        );
    }
}
