//! AudioBridge: every request that needs no PeerConnection, on both versions.
//!
//! - `room_lifecycle`: create with options, create again, exists, list, edit, listparticipants,
//!   allowed, enable_recording, enable_mjrs, mute_room / unmute_room, rtp_forward (plain RTP
//!   and SRTP to loopback ports, the first one's packets read back), listforwarders,
//!   stop_rtp_forward, destroy.
//! - `error_paths`: a missing room, a bad or missing secret, a wrong PIN or token, a wrong
//!   field, a duplicate room or participant id, a missing or unknown group, requests of a
//!   handle that is not in a room: each its typed code.
//! - `participants`: join (asynchronous, no PeerConnection needed), configure, mute / unmute,
//!   mute_room, resetdecoder, changeroom, kick, kick_all, leave, hangup, a join asking Janus
//!   for an offer (`generate_offer`: the offer comes with the outcome), and a room destroyed
//!   under a participant, with the events the other handles see. What follows a kick differs:
//!   without a PeerConnection, 1.1.2 drops the kicked participant (the others see it leave),
//!   1.4.1 keeps it in the room (the core tells the plugin of no hangup).
//! - `announcements`: play_file / is_playing / stop_file with an Ogg Opus file written for the
//!   test (silent frames), the announcement events, a file that ends by itself, a missing
//!   file; on 1.4.1 listannouncements and stop_all_files too.
//! - `janus_1_4_requests`: suspend / resume (with paused events and the recap),
//!   stop_all_files, listannouncements, denoise_enable / denoise_disable on 1.4.1, and the
//!   typed "unknown request" of each on 1.1.2.
//! - `plain_rtp_participant`: a participant joining over plain RTP, whose media Janus sets up
//!   without a PeerConnection (the `rtp` details of `joined`, `setup: true`, the mix sent to
//!   its port). 1.4.1 sets it up at once, 1.1.2 on the first RTP packet it receives.
//!
//! Left for the media tests (they need a negotiated PeerConnection): `join` / `configure`
//! with an SDP offer or answer, `configure` with `update` (ICE restart), the `talking` /
//! `stopped-talking` events, `hangup` of a live PeerConnection.

use std::fmt::Debug;
use std::fs;
use std::net::UdpSocket;
use std::path::Path;
use std::time::{Duration, Instant};

use janus_proto::plugins::audiobridge::{
    Allowed, AllowedAction, AudioBridge, AudioCodec, ChangeRoom, Configure, Create, DenoiseDisable,
    DenoiseEnable, Destroy, Edit, EnableMjrs, EnableRecording, ErrorCode, Event, Exists, HangingUp,
    Hangup, HostFamily, IsPlaying, Join, Kick, KickAll, Leave, List, ListAnnouncements,
    ListForwarders, ListParticipants, Mute, MuteRoom, Participant, PlayFile, ResetDecoder, Resume,
    RoomInfo, RtpEndpoint, RtpForward, StopAllFiles, StopFile, StopRtpForward, Suspend, Unmute,
    UnmuteRoom,
};
use janus_proto::plugins::{Id, Plugin, PluginHandle, PluginRequest, Typed};
use janus_proto::{JsepType, Secret};
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;

use super::Setup;

every_driver_and_version!(
    room_lifecycle,
    error_paths,
    participants,
    announcements,
    janus_1_4_requests,
    plain_rtp_participant,
);

/// The secret of the rooms the scenarios create.
const SECRET: &str = "s3cret";

/// One 20 ms Opus frame: TOC byte 0xF8 (CELT-only, full band, 20 ms, mono, one frame) and a
/// silent frame.
const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];

/// Sends `request` on `handle`, recording it.
fn call<D, M>(
    s: &mut Setup<D, AudioBridge>,
    handle: PluginHandle<AudioBridge>,
    request: M,
) -> Result<Typed<M::Response>, Error>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = AudioBridge> + Debug + 'static,
    M::Response: Send + 'static,
{
    s.recorder.call(&mut s.conn, handle, request)
}

/// Sends `request` on `handle`, recording it, and returns its typed outcome.
fn ok<D, M>(
    s: &mut Setup<D, AudioBridge>,
    handle: PluginHandle<AudioBridge>,
    request: M,
) -> M::Response
where
    D: JanusDriver,
    M: PluginRequest<Plugin = AudioBridge> + Debug + 'static,
    M::Response: Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Ok(typed) => typed.value,
        Err(e) => panic!("{}: {shown}: {e:?}", D::NAME),
    }
}

/// Sends `request` on `handle`, recording it, and returns the typed code it fails with.
fn fails<D, M>(
    s: &mut Setup<D, AudioBridge>,
    handle: PluginHandle<AudioBridge>,
    request: M,
) -> ErrorCode
where
    D: JanusDriver,
    M: PluginRequest<Plugin = AudioBridge> + Debug + 'static,
    M::Response: Debug + Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Err(Error::Request(e)) => AudioBridge::request_error(&e)
            .unwrap_or_else(|| panic!("{}: {shown}: not an AudioBridge error: {e:?}", D::NAME)),
        other => panic!(
            "{}: {shown}: expected a plugin error, got {other:?}",
            D::NAME
        ),
    }
}

/// A room with [`SECRET`] and nothing else.
fn create_room<D: JanusDriver>(s: &mut Setup<D, AudioBridge>, description: &str) -> u64 {
    let room = unique_id();
    let created = ok(
        s,
        s.handle,
        Create::builder()
            .room(room)
            .description(description)
            .secret(SECRET)
            .build(),
    );
    assert_eq!(created.room, Id::Number(room));
    room
}

/// Destroys a room of [`create_room`].
fn destroy_room<D: JanusDriver>(s: &mut Setup<D, AudioBridge>, room: u64) {
    let destroyed = ok(
        s,
        s.handle,
        Destroy::builder().room(room).secret(SECRET).build(),
    );
    assert_eq!(destroyed.room, Id::Number(room));
}

/// The room `room` as `list` shows it, if it does.
fn listed<D: JanusDriver>(s: &mut Setup<D, AudioBridge>, room: u64) -> Option<RoomInfo> {
    let list = ok(s, s.handle, List::builder().build());
    list.list.into_iter().find(|r| r.room == Id::Number(room))
}

/// The participants of `room`, sorted by id.
fn participants_of<D: JanusDriver>(s: &mut Setup<D, AudioBridge>, room: u64) -> Vec<Participant> {
    let list = ok(s, s.handle, ListParticipants::builder().room(room).build());
    assert_eq!(list.room, Id::Number(room));
    let mut participants = list.participants;
    participants.sort_by(|a, b| a.id.cmp(&b.id));
    participants
}

/// The tokens of an `allowed` reply, sorted.
fn tokens(allowed: Option<Vec<Secret>>) -> Option<Vec<String>> {
    allowed.map(|list| {
        let mut list: Vec<String> = list.iter().map(|t| t.expose().to_owned()).collect();
        list.sort();
        list
    })
}

/// Joins `room` on `handle` and returns the participant id Janus answered with.
fn join<D: JanusDriver>(
    s: &mut Setup<D, AudioBridge>,
    handle: PluginHandle<AudioBridge>,
    join: Join,
) -> Id {
    let room = join.room.clone();
    let joined = ok(s, handle, join);
    assert_eq!(joined.room, room);
    joined
        .id
        .expect("the outcome of join carries the participant's id")
}

/// A participant of a list, by id.
fn find(participants: &[Participant], id: &Id) -> Participant {
    participants
        .iter()
        .find(|p| &p.id == id)
        .unwrap_or_else(|| panic!("{id} is not in {participants:#?}"))
        .clone()
}

fn room_lifecycle<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, AudioBridge>::new(version, "room_lifecycle");
    let h = s.handle;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let dir = folder.path().to_str().expect("a UTF-8 path").to_owned();
    let room = unique_id();

    // Create, with most options.
    let create = Create::builder()
        .room(room)
        .description("Lifecycle")
        .secret(SECRET)
        .pin("1234")
        .is_private(false)
        .allowed(vec![Secret::from("token-a")])
        .sampling_rate(24_000)
        .spatial_audio(true)
        .audiolevel_ext(true)
        .audiolevel_event(true)
        .audio_active_packets(50)
        .audio_level_average(40)
        .default_expectedloss(5)
        .default_bitrate(32_000)
        .record(false)
        .record_dir(dir.clone())
        .mjrs(false)
        .mjrs_dir(dir.clone())
        .allow_rtp_participants(true)
        .permanent(false)
        .build();
    let created = ok(&mut s, h, create.clone());
    assert_eq!(created.room, Id::Number(room));
    assert!(!created.permanent);
    assert_eq!(fails(&mut s, h, create), ErrorCode::RoomExists);

    // Exists.
    let exists = ok(&mut s, h, Exists::builder().room(room).build());
    assert_eq!((exists.room, exists.exists), (Id::Number(room), true));
    let missing = unique_id();
    let exists = ok(&mut s, h, Exists::builder().room(missing).build());
    assert_eq!((exists.room, exists.exists), (Id::Number(missing), false));

    // List.
    let info = listed(&mut s, room).expect("a public room is listed");
    assert_eq!(info.description, "Lifecycle");
    assert_eq!(info.sampling_rate, 24_000);
    assert!(info.spatial_audio);
    assert!(info.pin_required);
    assert!(!info.record);
    assert!(!info.muted);
    assert_eq!(info.num_participants, 0);

    // Edit: a wrong secret, then a private room with another name and no PIN.
    let edit = Edit::builder()
        .room(room)
        .secret("wrong")
        .new_description("Edited")
        .build();
    assert_eq!(fails(&mut s, h, edit), ErrorCode::Unauthorized);
    let edited = ok(
        &mut s,
        h,
        Edit::builder()
            .room(room)
            .secret(SECRET)
            .new_description("Edited")
            .new_pin("")
            .new_is_private(true)
            .new_record_dir(dir.clone())
            .new_mjrs_dir(dir.clone())
            .permanent(false)
            .build(),
    );
    assert_eq!(edited.room, Id::Number(room));
    assert!(!edited.permanent);
    assert_eq!(listed(&mut s, room), None, "a private room is not listed");
    let exists = ok(&mut s, h, Exists::builder().room(room).build());
    assert!(exists.exists);
    // Public again, with a new secret.
    let edited = ok(
        &mut s,
        h,
        Edit::builder()
            .room(room)
            .secret(SECRET)
            .new_secret("n3w")
            .new_is_private(false)
            .build(),
    );
    assert_eq!(edited.room, Id::Number(room));
    let info = listed(&mut s, room).expect("listed again");
    assert_eq!(info.description, "Edited");
    assert!(!info.pin_required, "an empty new_pin removes the PIN");
    let secret = "n3w";

    // Listparticipants of an empty room.
    assert_eq!(participants_of(&mut s, room), vec![]);

    // Allowed: enable, add, remove, disable.
    let allowed = |action, list: Option<&[&str]>| {
        let builder = Allowed::builder().room(room).secret(secret).action(action);
        match list {
            Some(list) => builder
                .allowed(list.iter().map(|t| Secret::from(*t)).collect())
                .build(),
            None => builder.build(),
        }
    };
    let reply = ok(&mut s, h, allowed(AllowedAction::Enable, None));
    assert_eq!(reply.room, Id::Number(room));
    assert_eq!(tokens(reply.allowed), Some(vec!["token-a".to_owned()]));
    let reply = ok(
        &mut s,
        h,
        allowed(AllowedAction::Add, Some(&["token-b", "token-c"])),
    );
    assert_eq!(
        tokens(reply.allowed),
        Some(vec!["token-a".into(), "token-b".into(), "token-c".into()])
    );
    let reply = ok(
        &mut s,
        h,
        allowed(AllowedAction::Remove, Some(&["token-a"])),
    );
    assert_eq!(
        tokens(reply.allowed),
        Some(vec!["token-b".into(), "token-c".into()])
    );
    let reply = ok(&mut s, h, allowed(AllowedAction::Disable, None));
    assert_eq!(reply.room, Id::Number(room));
    assert_eq!(reply.allowed, None, "disable answers without the list");

    // Recording the mix, and each participant.
    let recording = ok(
        &mut s,
        h,
        EnableRecording::builder()
            .room(room)
            .secret(secret)
            .record(true)
            .record_file("mix")
            .record_dir(dir.clone())
            .build(),
    );
    assert!(recording.record);
    assert!(listed(&mut s, room).expect("listed").record);
    let recording = ok(
        &mut s,
        h,
        EnableRecording::builder()
            .room(room)
            .secret(secret)
            .record(false)
            .build(),
    );
    assert!(!recording.record);
    assert!(!listed(&mut s, room).expect("listed").record);
    let mjrs = ok(
        &mut s,
        h,
        EnableMjrs::builder()
            .room(room)
            .secret(secret)
            .mjrs(true)
            .mjrs_dir(dir.clone())
            .build(),
    );
    assert!(mjrs.mjrs);
    let mjrs = ok(
        &mut s,
        h,
        EnableMjrs::builder()
            .room(room)
            .secret(secret)
            .mjrs(false)
            .build(),
    );
    assert!(!mjrs.mjrs);

    // Muting the room.
    let muted = ok(
        &mut s,
        h,
        MuteRoom::builder().room(room).secret(secret).build(),
    );
    assert_eq!(muted.room, Some(Id::Number(room)));
    assert!(listed(&mut s, room).expect("listed").muted);
    let unmuted = ok(
        &mut s,
        h,
        UnmuteRoom::builder().room(room).secret(secret).build(),
    );
    assert_eq!(unmuted.room, Some(Id::Number(room)));
    assert!(!listed(&mut s, room).expect("listed").muted);

    // RTP forwarders: plain RTP (whose packets arrive), and SRTP with G.711.
    let plain = UdpSocket::bind("127.0.0.1:0").expect("a loopback UDP socket");
    let plain_port = plain.local_addr().expect("its address").port();
    let srtp = UdpSocket::bind("127.0.0.1:0").expect("a loopback UDP socket");
    let srtp_port = srtp.local_addr().expect("its address").port();
    let forwarded = ok(
        &mut s,
        h,
        RtpForward::builder()
            .room(room)
            .secret(secret)
            .host("127.0.0.1")
            .host_family(HostFamily::Ipv4)
            .port(plain_port)
            .ssrc(4242)
            .codec(AudioCodec::Opus)
            .ptype(111)
            .always_on(true)
            .build(),
    );
    assert_eq!(forwarded.room, Id::Number(room));
    assert_eq!(forwarded.host, "127.0.0.1");
    assert_eq!(forwarded.port, plain_port);
    assert_eq!(forwarded.group, None);
    let first = forwarded.stream_id;
    let forwarded = ok(
        &mut s,
        h,
        RtpForward::builder()
            .room(room)
            .secret(secret)
            .host("127.0.0.1")
            .port(srtp_port)
            .codec(AudioCodec::Pcma)
            .ptype(8)
            .srtp_suite(80)
            .srtp_crypto("WbTBosdVUZqEb6Htqhn+m3z7wUh4RJVR8nE15GbN")
            .build(),
    );
    assert_eq!(forwarded.port, srtp_port);
    let second = forwarded.stream_id;
    assert_ne!(first, second);
    // An always-on forwarder of an empty room sends the (silent) mix.
    plain
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    let mut packet = [0u8; 1500];
    let (len, _) = plain
        .recv_from(&mut packet)
        .expect("an RTP packet of the mix");
    assert!(len > 12, "an RTP header and a payload: {len} bytes");
    assert_eq!(packet[0] >> 6, 2, "RTP version 2");
    assert_eq!(packet[1] & 0x7f, 111, "the payload type asked for");
    assert_eq!(
        u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]),
        4242,
        "the SSRC asked for"
    );
    let list = ok(
        &mut s,
        h,
        ListForwarders::builder().room(room).secret(secret).build(),
    );
    assert_eq!(list.room, Id::Number(room));
    assert_eq!(list.rtp_forwarders.len(), 2);
    let one = list
        .rtp_forwarders
        .iter()
        .find(|f| f.stream_id == first)
        .expect("the first forwarder");
    assert_eq!((one.ip.as_str(), one.port), ("127.0.0.1", plain_port));
    assert_eq!(
        (one.ssrc, one.codec, one.ptype),
        (4242, AudioCodec::Opus, 111)
    );
    assert!(one.always_on);
    assert_eq!(one.srtp, None);
    assert_eq!(one.group, None);
    let two = list
        .rtp_forwarders
        .iter()
        .find(|f| f.stream_id == second)
        .expect("the second forwarder");
    assert_eq!(
        (two.port, two.codec, two.ptype),
        (srtp_port, AudioCodec::Pcma, 8)
    );
    assert_eq!(two.srtp, Some(true));
    assert!(!two.always_on);
    for stream_id in [first, second] {
        let stopped = ok(
            &mut s,
            h,
            StopRtpForward::builder()
                .room(room)
                .secret(secret)
                .stream_id(stream_id)
                .build(),
        );
        assert_eq!(
            (stopped.room, stopped.stream_id),
            (Id::Number(room), stream_id)
        );
    }
    let list = ok(
        &mut s,
        h,
        ListForwarders::builder().room(room).secret(secret).build(),
    );
    assert!(list.rtp_forwarders.is_empty());

    // Destroy: a wrong secret, then for real.
    let destroy = Destroy::builder().room(room).secret("wrong").build();
    assert_eq!(fails(&mut s, h, destroy), ErrorCode::Unauthorized);
    let destroyed = ok(
        &mut s,
        h,
        Destroy::builder()
            .room(room)
            .secret(secret)
            .permanent(false)
            .build(),
    );
    assert_eq!(destroyed.room, Id::Number(room));
    assert_eq!(destroyed.permanent, Some(false));
    let exists = ok(&mut s, h, Exists::builder().room(room).build());
    assert!(!exists.exists);
    assert_eq!(listed(&mut s, room), None);
    let again = Destroy::builder().room(room).secret(secret).build();
    assert_eq!(fails(&mut s, h, again), ErrorCode::NoSuchRoom);
    s.finish();
}

fn error_paths<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, AudioBridge>::new(version, "error_paths");
    let h = s.handle;
    let other = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");

    // A missing room.
    let missing = unique_id();
    let code = fails(
        &mut s,
        h,
        Edit::builder().room(missing).new_description("x").build(),
    );
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(&mut s, h, ListParticipants::builder().room(missing).build());
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(&mut s, h, Kick::builder().room(missing).id(1).build());
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(&mut s, h, ListForwarders::builder().room(missing).build());
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let forward = RtpForward::builder()
        .room(missing)
        .host("127.0.0.1")
        .port(9)
        .build();
    assert_eq!(fails(&mut s, h, forward), ErrorCode::NoSuchRoom);
    let code = fails(&mut s, h, Join::builder().room(missing).build());
    assert_eq!(code, ErrorCode::NoSuchRoom, "join fails asynchronously");

    // Room settings Janus refuses.
    let too_many_groups = Create::builder()
        .room(unique_id())
        .groups((1..=6).map(|i| format!("group-{i}")).collect())
        .build();
    assert_eq!(fails(&mut s, h, too_many_groups), ErrorCode::InvalidElement);
    let odd_rate = Create::builder()
        .room(unique_id())
        .sampling_rate(44_100)
        .build();
    assert_eq!(fails(&mut s, h, odd_rate), ErrorCode::UnknownError);

    // A room with a secret, a PIN and tokens.
    let room = unique_id();
    let create = Create::builder()
        .room(room)
        .secret(SECRET)
        .pin("1234")
        .allowed(vec![Secret::from("token")])
        .build();
    ok(&mut s, h, create.clone());
    assert_eq!(fails(&mut s, h, create), ErrorCode::RoomExists);
    // A missing secret, and a bad one.
    let code = fails(&mut s, h, Destroy::builder().room(room).build());
    assert_eq!(code, ErrorCode::MissingElement);
    let code = fails(
        &mut s,
        h,
        Destroy::builder().room(room).secret("wrong").build(),
    );
    assert_eq!(code, ErrorCode::Unauthorized);
    let code = fails(
        &mut s,
        h,
        KickAll::builder().room(room).secret("wrong").build(),
    );
    assert_eq!(code, ErrorCode::Unauthorized);
    let code = fails(
        &mut s,
        h,
        EnableRecording::builder().room(room).record(true).build(),
    );
    assert_eq!(code, ErrorCode::MissingElement);
    // Joining without the PIN, with a wrong one, without a token.
    let code = fails(&mut s, h, Join::builder().room(room).build());
    assert_eq!(code, ErrorCode::MissingElement);
    let code = fails(&mut s, h, Join::builder().room(room).pin("0000").build());
    assert_eq!(code, ErrorCode::Unauthorized);
    let code = fails(&mut s, h, Join::builder().room(room).pin("1234").build());
    assert_eq!(code, ErrorCode::Unauthorized, "no token");
    let code = fails(
        &mut s,
        h,
        Join::builder()
            .room(room)
            .pin("1234")
            .token("other")
            .build(),
    );
    assert_eq!(code, ErrorCode::Unauthorized, "a token not allowed");

    // Requests of a handle that is in no room.
    assert_eq!(fails(&mut s, h, Leave::new()), ErrorCode::NotJoined);
    let configure = Configure::builder().muted(true).build();
    assert_eq!(fails(&mut s, h, configure), ErrorCode::NotJoined);
    assert_eq!(fails(&mut s, h, ResetDecoder::new()), ErrorCode::NotJoined);
    let change = ChangeRoom::builder().room(room).pin("1234").build();
    assert_eq!(fails(&mut s, h, change), ErrorCode::NotJoined);

    // In the room: joining twice, a taken id, an unknown participant.
    let id = unique_id();
    let joined = join(
        &mut s,
        h,
        Join::builder()
            .room(room)
            .id(id)
            .pin("1234")
            .token("token")
            .build(),
    );
    assert_eq!(joined, Id::Number(id));
    let again = Join::builder()
        .room(room)
        .pin("1234")
        .token("token")
        .build();
    assert_eq!(fails(&mut s, h, again), ErrorCode::AlreadyJoined);
    let taken = Join::builder()
        .room(room)
        .id(id)
        .pin("1234")
        .token("token")
        .build();
    assert_eq!(fails(&mut s, other, taken), ErrorCode::IdExists);
    let stranger = unique_id();
    let kick = Kick::builder()
        .room(room)
        .secret(SECRET)
        .id(stranger)
        .build();
    assert_eq!(fails(&mut s, h, kick), ErrorCode::NoSuchUser);
    let mute = Mute::builder()
        .room(room)
        .secret(SECRET)
        .id(stranger)
        .build();
    assert_eq!(fails(&mut s, h, mute), ErrorCode::NoSuchUser);
    let change = ChangeRoom::builder().room(missing).build();
    assert_eq!(fails(&mut s, h, change), ErrorCode::NoSuchRoom);

    // Groups: a room with groups needs one on join and play_file, and a known one.
    let grouped = unique_id();
    ok(
        &mut s,
        h,
        Create::builder()
            .room(grouped)
            .secret(SECRET)
            .groups(vec!["left".to_owned(), "right".to_owned()])
            .build(),
    );
    let code = fails(&mut s, other, Join::builder().room(grouped).build());
    assert_eq!(code, ErrorCode::MissingElement);
    let code = fails(
        &mut s,
        other,
        Join::builder().room(grouped).group("middle").build(),
    );
    assert_eq!(code, ErrorCode::NoSuchGroup);
    let play = PlayFile::builder()
        .room(grouped)
        .secret(SECRET)
        .filename("/nonexistent.opus")
        .build();
    assert_eq!(fails(&mut s, h, play), ErrorCode::MissingElement);
    let play = PlayFile::builder()
        .room(grouped)
        .secret(SECRET)
        .group("middle")
        .filename("/nonexistent.opus")
        .build();
    assert_eq!(fails(&mut s, h, play), ErrorCode::NoSuchGroup);
    let joined = join(
        &mut s,
        other,
        Join::builder().room(grouped).group("left").build(),
    );
    let participants = participants_of(&mut s, grouped);
    assert_eq!(participants.len(), 1);
    assert_eq!(participants[0].id, joined);

    destroy_room(&mut s, room);
    destroy_room(&mut s, grouped);
    s.finish();
}

fn participants<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, AudioBridge>::new(version, "participants");
    let alice = s.handle;
    let bob = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");
    let carol = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");
    let room = create_room(&mut s, "Participants");
    let sidebar = create_room(&mut s, "Sidebar");

    // Alice joins an empty room (Janus picks her id), then Bob with his own id, muted.
    let joined = ok(
        &mut s,
        alice,
        Join::builder()
            .room(room)
            .display("Alice")
            .muted(false)
            .bitrate(24_000)
            .quality(5)
            .expected_loss(2)
            .volume(100)
            .build(),
    );
    assert_eq!(joined.room, Id::Number(room));
    assert!(joined.participants.is_empty(), "nobody else: {joined:?}");
    assert_eq!(joined.rtp, None);
    let alice_id = joined.id.expect("Alice's id");
    let bob_id = Id::Number(unique_id());
    let joined = ok(
        &mut s,
        bob,
        Join::builder()
            .room(room)
            .id(bob_id.clone())
            .display("Bob")
            .muted(true)
            .build(),
    );
    assert_eq!(joined.id, Some(bob_id.clone()));
    let seen = find(&joined.participants, &alice_id);
    assert_eq!(seen.display.as_deref(), Some("Alice"));
    assert!(!seen.setup, "no PeerConnection yet");
    assert!(!seen.muted);
    // Alice is told about Bob.
    let newcomer = s.wait_event(alice, |e| match e {
        Event::Joined(j) => Some(j.clone()),
        _ => None,
    });
    assert_eq!(newcomer.room, Id::Number(room));
    assert_eq!(newcomer.id, None, "the others' event has no id of its own");
    assert_eq!(newcomer.participants.len(), 1);
    assert_eq!(newcomer.participants[0].id, bob_id);
    assert_eq!(newcomer.participants[0].display.as_deref(), Some("Bob"));
    assert!(newcomer.participants[0].muted);
    let listed = participants_of(&mut s, room);
    assert_eq!(listed.len(), 2);
    assert!(find(&listed, &bob_id).muted);
    assert!(!find(&listed, &alice_id).setup);
    assert_eq!(room_count(&mut s, room), 2, "list counts them");

    // Bob configures himself: unmuted, another name. Alice sees the change.
    let accepted = ok(
        &mut s,
        bob,
        Configure::builder()
            .muted(false)
            .display("Bobby")
            .bitrate(16_000)
            .quality(4)
            .expected_loss(1)
            .volume(110)
            .build(),
    );
    assert_eq!(accepted.result, "ok");
    let changed = s.wait_event(alice, |e| match e {
        Event::ParticipantsChanged(c) => Some(c.clone()),
        _ => None,
    });
    assert_eq!(changed.room, Id::Number(room));
    let bobby = find(&changed.participants, &bob_id);
    assert_eq!(bobby.display.as_deref(), Some("Bobby"));
    assert!(!bobby.muted);

    // A moderator (Alice, with the secret) mutes and unmutes Bob: both see it.
    let muted = ok(
        &mut s,
        alice,
        Mute::builder()
            .room(room)
            .secret(SECRET)
            .id(bob_id.clone())
            .build(),
    );
    assert_eq!(muted.room, Some(Id::Number(room)));
    for handle in [alice, bob] {
        let changed = s.wait_event(handle, |e| match e {
            Event::ParticipantsChanged(c) => Some(c.clone()),
            _ => None,
        });
        assert!(find(&changed.participants, &bob_id).muted);
    }
    // Muting again changes nothing: no room in the reply.
    let again = ok(
        &mut s,
        alice,
        Mute::builder()
            .room(room)
            .secret(SECRET)
            .id(bob_id.clone())
            .build(),
    );
    assert_eq!(again.room, None);
    let unmuted = ok(
        &mut s,
        alice,
        Unmute::builder()
            .room(room)
            .secret(SECRET)
            .id(bob_id.clone())
            .build(),
    );
    assert_eq!(unmuted.room, Some(Id::Number(room)));
    for handle in [alice, bob] {
        let changed = s.wait_event(handle, |e| match e {
            Event::ParticipantsChanged(c) => Some(c.clone()),
            _ => None,
        });
        assert!(!find(&changed.participants, &bob_id).muted);
    }

    // The whole room muted and unmuted.
    for (mute, expected) in [(true, true), (false, false)] {
        let reply = if mute {
            ok(
                &mut s,
                alice,
                MuteRoom::builder().room(room).secret(SECRET).build(),
            )
        } else {
            ok(
                &mut s,
                alice,
                UnmuteRoom::builder().room(room).secret(SECRET).build(),
            )
        };
        assert_eq!(reply.room, Some(Id::Number(room)));
        for handle in [alice, bob] {
            let event = s.wait_event(handle, |e| match e {
                Event::RoomMuted(m) => Some(m.clone()),
                _ => None,
            });
            assert_eq!(
                (event.room.clone(), event.muted),
                (Id::Number(room), expected)
            );
        }
    }

    // A new decoder for a participant in a room.
    let reset = ok(&mut s, alice, ResetDecoder::new());
    assert_eq!(reset.room, None);

    // Bob moves to the sidebar: Alice sees him leave; the sidebar was empty.
    let moved = ok(
        &mut s,
        bob,
        ChangeRoom::builder()
            .room(sidebar)
            .display("Bob")
            .muted(false)
            .build(),
    );
    assert_eq!(moved.room, Id::Number(sidebar));
    assert!(moved.participants.is_empty());
    let bob_id = moved.id;
    let leaving = s.wait_event(alice, |e| match e {
        Event::Leaving(l) => Some(l.clone()),
        _ => None,
    });
    assert_eq!(leaving.room, Id::Number(room));
    assert_eq!(participants_of(&mut s, room).len(), 1);

    // Carol joins the sidebar; Bob kicks her out (with the secret): both are told.
    let carol_id = join(
        &mut s,
        carol,
        Join::builder().room(sidebar).display("Carol").build(),
    );
    let newcomer = s.wait_event(bob, |e| match e {
        Event::Joined(j) => Some(j.clone()),
        _ => None,
    });
    assert_eq!(newcomer.participants[0].id, carol_id);
    let kicked = ok(
        &mut s,
        bob,
        Kick::builder()
            .room(sidebar)
            .secret(SECRET)
            .id(carol_id.clone())
            .build(),
    );
    assert_eq!(kicked.room, None);
    for handle in [bob, carol] {
        let event = s.wait_event(handle, |e| match e {
            Event::Kicked(k) => Some(k.clone()),
            _ => None,
        });
        assert_eq!(
            (event.room, event.kicked),
            (Id::Number(sidebar), carol_id.clone())
        );
    }

    // A kick asks the core to close the participant's PeerConnection, and the plugin drops
    // the participant when told of the hangup. Without a PeerConnection, 1.1.2 still tells
    // the plugin (Carol leaves the room, Bob is told), 1.4.1 does not (Carol stays listed).
    let sidebar_ids = |s: &mut Setup<D, AudioBridge>| -> Vec<Id> {
        participants_of(s, sidebar)
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    if version < JanusVersion::V1_4_1 {
        let leaving = s.wait_event(bob, |e| match e {
            Event::Leaving(l) => Some(l.clone()),
            _ => None,
        });
        assert_eq!(
            (leaving.room, leaving.leaving),
            (Id::Number(sidebar), carol_id.clone())
        );
        assert_eq!(sidebar_ids(&mut s), vec![bob_id.clone()]);
    } else {
        let mut expected = vec![bob_id.clone(), carol_id.clone()];
        expected.sort();
        assert_eq!(sidebar_ids(&mut s), expected);
    }

    // Everybody out of the sidebar: each participant gets its own kicked_all (on 1.4.1, Carol
    // too, as she is still there).
    let kicked = ok(
        &mut s,
        alice,
        KickAll::builder().room(sidebar).secret(SECRET).build(),
    );
    assert_eq!(kicked.room, None);
    let event = s.wait_event(bob, |e| match e {
        Event::KickedAll(k) => Some(k.clone()),
        _ => None,
    });
    assert_eq!(
        (event.room, event.kicked_all),
        (Id::Number(sidebar), bob_id)
    );
    if version >= JanusVersion::V1_4_1 {
        let event = s.wait_event(carol, |e| match e {
            Event::KickedAll(k) => Some(k.clone()),
            _ => None,
        });
        assert_eq!(
            (event.room, event.kicked_all),
            (Id::Number(sidebar), carol_id)
        );
    }

    // Alice leaves.
    let left = ok(&mut s, alice, Leave::new());
    assert_eq!((left.room, left.id), (Some(Id::Number(room)), alice_id));
    assert_eq!(
        participants_of(&mut s, room),
        vec![],
        "nobody left in the room"
    );

    // A hangup without a PeerConnection is still answered.
    let _: HangingUp = ok(&mut s, alice, Hangup::new());

    // A room destroyed under a participant: it is told. This one asked Janus for an offer
    // (a PeerConnection Janus would start), which comes with the outcome of join.
    let doomed = create_room(&mut s, "Doomed");
    let dave = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");
    let joined = call(
        &mut s,
        dave,
        Join::builder()
            .room(doomed)
            .display("Dave")
            .generate_offer(true)
            .build(),
    )
    .expect("join with generate_offer");
    assert_eq!(joined.value.room, Id::Number(doomed));
    let offer = joined.jsep.expect("Janus's offer");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(offer.sdp.contains("m=audio"), "{}", offer.sdp);
    destroy_room(&mut s, doomed);
    let destroyed = s.wait_event(dave, |e| match e {
        Event::Destroyed(d) => Some(d.clone()),
        _ => None,
    });
    assert_eq!(destroyed.room, Id::Number(doomed));
    assert_eq!(destroyed.permanent, None, "the event has no `permanent`");

    destroy_room(&mut s, room);
    destroy_room(&mut s, sidebar);
    s.finish();
}

/// How many participants `list` says `room` has.
fn room_count<D: JanusDriver>(s: &mut Setup<D, AudioBridge>, room: u64) -> u64 {
    listed(s, room).expect("a public room").num_participants
}

/// An Ogg Opus file of `frames` silent 20 ms mono frames (the one frame the media tests
/// send), as libogg and Janus's AudioBridge read it.
fn write_opus_file(path: &Path, frames: usize) {
    const SERIAL: u32 = 0x4a52_5553;
    let mut head = b"OpusHead".to_vec();
    head.push(1); // version
    head.push(1); // channels
    head.extend_from_slice(&312u16.to_le_bytes()); // pre-skip
    head.extend_from_slice(&48_000u32.to_le_bytes()); // input sample rate
    head.extend_from_slice(&0i16.to_le_bytes()); // output gain
    head.push(0); // mapping family
    let vendor = b"janus-tests";
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0u32.to_le_bytes()); // no comments
    let mut file = Vec::new();
    let mut sequence = 0;
    file.extend(ogg_page(SERIAL, sequence, 0x02, 0, &[&head]));
    sequence += 1;
    file.extend(ogg_page(SERIAL, sequence, 0, 0, &[&tags]));
    let frame: &[u8] = &OPUS_SILENCE;
    let mut granule = 312u64;
    let mut left = frames;
    while left > 0 {
        let count = left.min(50);
        left -= count;
        granule += 960 * count as u64;
        sequence += 1;
        let flags = if left == 0 { 0x04 } else { 0 };
        let packets = vec![frame; count];
        file.extend(ogg_page(SERIAL, sequence, flags, granule, &packets));
    }
    fs::write(path, file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// One Ogg page holding whole `packets` (each under 255 bytes).
fn ogg_page(serial: u32, sequence: u32, flags: u8, granule: u64, packets: &[&[u8]]) -> Vec<u8> {
    let mut page = b"OggS".to_vec();
    page.push(0); // version
    page.push(flags);
    page.extend_from_slice(&granule.to_le_bytes());
    page.extend_from_slice(&serial.to_le_bytes());
    page.extend_from_slice(&sequence.to_le_bytes());
    page.extend_from_slice(&[0; 4]); // CRC, filled below
    page.push(u8::try_from(packets.len()).expect("at most 255 packets"));
    for packet in packets {
        page.push(u8::try_from(packet.len()).expect("a packet under 255 bytes"));
    }
    for packet in packets {
        page.extend_from_slice(packet);
    }
    let crc = ogg_crc(&page);
    page[22..26].copy_from_slice(&crc.to_le_bytes());
    page
}

/// Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value and final XOR 0.
fn ogg_crc(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for byte in data {
        crc ^= u32::from(*byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn announcements<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, AudioBridge>::new(version, "announcements");
    let h = s.handle;
    let listener = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let long = folder.path().join("long.opus");
    write_opus_file(&long, 250);
    let long = long.to_str().expect("a UTF-8 path").to_owned();
    let short = folder.path().join("short.opus");
    write_opus_file(&short, 10);
    let short = short.to_str().expect("a UTF-8 path").to_owned();
    let room = create_room(&mut s, "Announcements");
    join(
        &mut s,
        listener,
        Join::builder().room(room).display("Listener").build(),
    );

    // A looping announcement: started, playing, stopped.
    let file_id = format!("loop-{}", unique_id());
    let play = PlayFile::builder()
        .room(room)
        .secret(SECRET)
        .file_id(file_id.clone())
        .filename(long.clone())
        .looping(true)
        .build();
    let playing = ok(&mut s, h, play.clone());
    assert_eq!(
        (playing.room, playing.file_id.as_str()),
        (Id::Number(room), file_id.as_str())
    );
    let started = s.wait_event(listener, |e| match e {
        Event::AnnouncementStarted(a) => Some(a.clone()),
        _ => None,
    });
    assert_eq!(
        (started.room, started.file_id.as_str()),
        (Id::Number(room), file_id.as_str())
    );
    let status = ok(
        &mut s,
        h,
        IsPlaying::builder()
            .room(room)
            .secret(SECRET)
            .file_id(file_id.clone())
            .build(),
    );
    assert_eq!(
        (status.room, status.file_id.as_str()),
        (Id::Number(room), file_id.as_str())
    );
    assert!(status.playing);
    assert_eq!(fails(&mut s, h, play), ErrorCode::IdExists);
    let stopped = ok(
        &mut s,
        h,
        StopFile::builder()
            .room(room)
            .secret(SECRET)
            .file_id(file_id.clone())
            .build(),
    );
    assert_eq!(stopped.file_id, file_id);
    let event = s.wait_event(listener, |e| match e {
        Event::AnnouncementStopped(a) => Some(a.clone()),
        _ => None,
    });
    assert_eq!(
        (event.room, event.file_id.as_str()),
        (Id::Number(room), file_id.as_str())
    );
    let status = ok(
        &mut s,
        h,
        IsPlaying::builder()
            .room(room)
            .secret(SECRET)
            .file_id(file_id.clone())
            .build(),
    );
    assert!(!status.playing);

    // A short one, with an id Janus picks, that ends by itself.
    let playing = ok(
        &mut s,
        h,
        PlayFile::builder()
            .room(room)
            .secret(SECRET)
            .filename(short)
            .build(),
    );
    assert!(!playing.file_id.is_empty(), "Janus picks an id");
    let picked = playing.file_id;
    let started = s.wait_event(listener, |e| match e {
        Event::AnnouncementStarted(a) => Some(a.file_id.clone()),
        _ => None,
    });
    assert_eq!(started, picked);
    let ended = s.wait_event(listener, |e| match e {
        Event::AnnouncementStopped(a) => Some(a.file_id.clone()),
        _ => None,
    });
    assert_eq!(ended, picked);

    // A file that is not there.
    let missing = PlayFile::builder()
        .room(room)
        .secret(SECRET)
        .filename(folder.path().join("missing.opus").to_str().expect("UTF-8"))
        .build();
    assert_eq!(fails(&mut s, h, missing), ErrorCode::UnknownError);
    let wrong = StopFile::builder()
        .room(room)
        .secret("wrong")
        .file_id(file_id.clone())
        .build();
    assert_eq!(fails(&mut s, h, wrong), ErrorCode::Unauthorized);

    // 1.4.1: two at once, listed, then all stopped.
    if version >= JanusVersion::V1_4_1 {
        let ids = [format!("a-{}", unique_id()), format!("b-{}", unique_id())];
        for id in &ids {
            ok(
                &mut s,
                h,
                PlayFile::builder()
                    .room(room)
                    .secret(SECRET)
                    .file_id(id.clone())
                    .filename(long.clone())
                    .looping(true)
                    .build(),
            );
        }
        let mut started = Vec::new();
        while started.len() < 2 {
            started.push(s.wait_event(listener, |e| match e {
                Event::AnnouncementStarted(a) => Some(a.file_id.clone()),
                _ => None,
            }));
        }
        started.sort();
        assert_eq!(started, ids.to_vec());
        let list = ok(
            &mut s,
            h,
            ListAnnouncements::builder()
                .room(room)
                .secret(SECRET)
                .build(),
        );
        assert_eq!(list.room, Id::Number(room));
        let mut listed: Vec<_> = list
            .announcements
            .iter()
            .map(|a| a.file_id.clone())
            .collect();
        listed.sort();
        assert_eq!(listed, ids.to_vec());
        for announcement in &list.announcements {
            assert!(announcement.playing && announcement.looping);
            assert_eq!(announcement.filename.as_deref(), Some(long.as_str()));
        }
        let stopped = ok(
            &mut s,
            h,
            StopAllFiles::builder().room(room).secret(SECRET).build(),
        );
        assert_eq!(stopped.room, Id::Number(room));
        let mut stopped = stopped.file_id_list;
        stopped.sort();
        assert_eq!(stopped, ids.to_vec());
        let mut ended = Vec::new();
        while ended.len() < 2 {
            ended.push(s.wait_event(listener, |e| match e {
                Event::AnnouncementStopped(a) => Some(a.file_id.clone()),
                _ => None,
            }));
        }
        ended.sort();
        assert_eq!(ended, ids.to_vec());
        let list = ok(
            &mut s,
            h,
            ListAnnouncements::builder()
                .room(room)
                .secret(SECRET)
                .build(),
        );
        assert!(list.announcements.is_empty());
    }

    destroy_room(&mut s, room);
    s.finish();
}

fn janus_1_4_requests<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, AudioBridge>::new(version, "janus_1_4_requests");
    let h = s.handle;
    let quiet = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");
    let room = create_room(&mut s, "Janus 1.4");
    let id = join(
        &mut s,
        h,
        Join::builder().room(room).display("Watcher").build(),
    );
    let quiet_id = join(
        &mut s,
        quiet,
        Join::builder().room(room).display("Quiet").build(),
    );
    s.wait_event(h, |e| matches!(e, Event::Joined(_)).then_some(()));

    let suspend = Suspend::builder()
        .room(room)
        .secret(SECRET)
        .id(quiet_id.clone())
        .pause_events(true)
        .stop_record(true)
        .build();
    let resume = Resume::builder()
        .room(room)
        .secret(SECRET)
        .id(quiet_id.clone())
        .record(false)
        .build();
    let stop_all = StopAllFiles::builder().room(room).secret(SECRET).build();
    let list = ListAnnouncements::builder()
        .room(room)
        .secret(SECRET)
        .build();
    let denoise = DenoiseEnable::builder()
        .room(room)
        .secret(SECRET)
        .id(id.clone())
        .build();
    let no_denoise = DenoiseDisable::builder()
        .room(room)
        .secret(SECRET)
        .id(id.clone())
        .build();

    if version < JanusVersion::V1_4_1 {
        // 1.1.2 has none of them.
        assert_eq!(fails(&mut s, h, suspend), ErrorCode::InvalidRequest);
        assert_eq!(fails(&mut s, h, resume), ErrorCode::InvalidRequest);
        assert_eq!(fails(&mut s, h, stop_all), ErrorCode::InvalidRequest);
        assert_eq!(fails(&mut s, h, list), ErrorCode::InvalidRequest);
        assert_eq!(fails(&mut s, h, denoise), ErrorCode::InvalidRequest);
        assert_eq!(fails(&mut s, h, no_denoise), ErrorCode::InvalidRequest);
        destroy_room(&mut s, room);
        s.finish();
        return;
    }

    // Suspended with its events paused: the others are told, the listing says so.
    let reply = ok(&mut s, h, suspend);
    assert_eq!(reply.room, None);
    let event = s.wait_event(h, |e| match e {
        Event::Suspended(x) => Some(x.clone()),
        _ => None,
    });
    assert_eq!(
        (event.room, event.suspended),
        (Id::Number(room), quiet_id.clone())
    );
    let listed = participants_of(&mut s, room);
    assert_eq!(find(&listed, &quiet_id).suspended, Some(true));
    assert_eq!(find(&listed, &id).suspended, None);
    // Resumed: the others are told, and the participant gets the recap it missed.
    let reply = ok(&mut s, h, resume);
    assert_eq!(reply.room, None);
    let event = s.wait_event(h, |e| match e {
        Event::Resumed(x) => Some(x.clone()),
        _ => None,
    });
    assert_eq!(
        (event.room, event.resumed),
        (Id::Number(room), quiet_id.clone())
    );
    assert_eq!(event.participants, None, "the others get no recap");
    let recap = s.wait_event(quiet, |e| match e {
        Event::Resumed(x) => Some(x.clone()),
        _ => None,
    });
    let others = recap.participants.expect("the recap");
    assert_eq!(find(&others, &id).display.as_deref(), Some("Watcher"));
    assert_eq!(
        find(&participants_of(&mut s, room), &quiet_id).suspended,
        None
    );
    // Suspending oneself needs no secret.
    let reply = ok(
        &mut s,
        quiet,
        Suspend::builder().room(room).id(quiet_id.clone()).build(),
    );
    assert_eq!(reply.room, None);
    let code = fails(
        &mut s,
        h,
        Suspend::builder().room(room).id(quiet_id.clone()).build(),
    );
    assert_eq!(
        code,
        ErrorCode::MissingElement,
        "another's suspension needs the secret"
    );

    // Announcements, with none playing.
    let stopped = ok(&mut s, h, stop_all);
    assert_eq!(
        (stopped.room, stopped.file_id_list),
        (Id::Number(room), vec![])
    );
    let listed = ok(&mut s, h, list);
    assert_eq!(
        (listed.room, listed.announcements),
        (Id::Number(room), vec![])
    );

    // Denoising needs RNNoise, which this build of 1.4.1 lacks: an unknown request.
    assert_eq!(fails(&mut s, h, denoise), ErrorCode::InvalidRequest);
    assert_eq!(fails(&mut s, h, no_denoise), ErrorCode::InvalidRequest);

    destroy_room(&mut s, room);
    s.finish();
}

fn plain_rtp_participant<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, AudioBridge>::new(version, "plain_rtp_participant");
    let h = s.handle;
    let watcher = s
        .conn
        .attach_plugin::<AudioBridge>(s.session)
        .expect("attach");
    let room = unique_id();
    ok(
        &mut s,
        h,
        Create::builder()
            .room(room)
            .secret(SECRET)
            .allow_rtp_participants(true)
            .build(),
    );
    join(
        &mut s,
        watcher,
        Join::builder().room(room).display("Watcher").build(),
    );
    // The plain-RTP participant's own socket, where Janus sends the mix.
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback UDP socket");
    let port = socket.local_addr().expect("its address").port();
    let joined = ok(
        &mut s,
        h,
        Join::builder()
            .room(room)
            .display("Plain")
            .rtp(
                RtpEndpoint::builder()
                    .ip("127.0.0.1")
                    .port(port)
                    .payload_type(111)
                    .fec(true)
                    .build(),
            )
            .build(),
    );
    let id = joined.id.expect("an id");
    let rtp = joined
        .rtp
        .expect("where Janus expects the participant's RTP");
    assert!(rtp.port > 0);
    assert!(!rtp.ip.is_empty());
    assert_eq!(rtp.payload_type, 111);
    // Some RTP to Janus (1.1.2 sets the participant's media up on its first packet; 1.4.1
    // at once, when it has the address to send to). The others see it set up.
    let janus = format!("{}:{}", rtp.ip, rtp.port);
    for seq in 0u16..10 {
        let mut packet = vec![0x80, 111];
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
        packet.extend_from_slice(&0x0102_0304u32.to_be_bytes());
        packet.extend_from_slice(&OPUS_SILENCE);
        socket
            .send_to(&packet, &janus)
            .expect("an RTP packet to Janus");
    }
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let changed = s.wait_event(watcher, |e| match e {
            Event::ParticipantsChanged(c) => Some(c.participants.clone()),
            Event::Joined(j) => Some(j.participants.clone()),
            _ => None,
        });
        if changed.iter().any(|p| p.id == id && p.setup) {
            break;
        }
        assert!(Instant::now() < until, "never set up");
    }
    assert!(find(&participants_of(&mut s, room), &id).setup);
    // It gets the room's mix.
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    let mut packet = [0u8; 1500];
    let (len, _) = socket
        .recv_from(&mut packet)
        .expect("an RTP packet of the mix");
    assert!(len > 12 && packet[0] >> 6 == 2, "an RTP packet");
    assert_eq!(packet[1] & 0x7f, 111);
    let left = ok(&mut s, h, Leave::new());
    assert_eq!(left.id, id);
    destroy_room(&mut s, room);
    s.finish();
}
