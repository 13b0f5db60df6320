//! VideoRoom: every request type, each in a form that needs no PeerConnection, on both
//! versions.
//!
//! - `room_lifecycle`: create with options (secret, PIN, ACL, codecs, audio levels, …),
//!   create again, exists, list, edit (a private room leaves the list; a new secret replaces
//!   the old one), allowed (add / remove / disable / enable), listparticipants,
//!   enable_recording, listforwarders, destroy.
//! - `error_paths`: a missing room, a bad or missing secret, a duplicate room or participant
//!   id, a wrong or missing PIN, a token not in the ACL, a missing or wrong field, a handle
//!   that has not joined or joined already, a missing participant, stream, forwarder or feed:
//!   each its typed code.
//! - `participants`: publishers joining on several handles without publishing (`joined`
//!   with the `attendees` of a `notify_joining` room, the `joining` events), `configure` and
//!   `publish` without an offer (a new display name or metadata, told to the others),
//!   `unpublish` when not published, `joinandconfigure` without an offer, `kick` (`leaving:
//!   ok, reason: kicked` for the kicked, `kicked` for the others), `leave` (`leaving` for the
//!   others), and the room destroyed under its participants (`destroyed`).
//! - `dummy_publisher`: a room's dummy publisher, a publisher without a PeerConnection:
//!   in `listparticipants` and `joined`, forwarded over RTP to loopback ports
//!   (`rtp_forward`, `listforwarders`, `stop_rtp_forward`), moderated, kicked (refused on
//!   1.4.1, accepted by 1.1.2), and subscribed to: `attached` with Janus's offer, then
//!   `pause`, `start` without an answer, `configure`, `subscribe` / `unsubscribe` / `update`
//!   (postponed while the offer is unanswered: `updating`), `switch`, `leave`.
//! - `remote_publishers` (1.1.2 has them too): `add_remote_publisher` (the room is told of
//!   the new publisher; a duplicate id refused), moderation of its stream (everybody is
//!   told), `update_remote_publisher`, `publish_remotely` / `listremotes` /
//!   `unpublish_remotely` of a local participant (refused for a remote one),
//!   `remove_remote_publisher` (the room sees it leave).
//!
//! Left for the media tests (they need a negotiated PeerConnection): `publish`,
//! `joinandconfigure` and `configure` with an SDP offer, `start` with the subscriber's
//! answer, the `updated` renegotiations that follow it, and what only flows once media
//! does (`talking`, `slow_link`, simulcast / SVC layer changes, recordings).

use std::fmt::Debug;
use std::net::UdpSocket;

use janus_proto::plugins::videoroom::{
    AddRemotePublisher, Allowed, AllowedAction, Attendee, ConfigurePublisher, Create, Destroy,
    Edit, EnableRecording, ErrorCode, Event, Exists, ForwardStream, HostFamily, JoinAndConfigure,
    JoinPublisher, JoinSubscriber, Kick, LeavePublisher, List, ListForwarders, ListParticipants,
    ListRemotes, MediaType, Moderate, Moderation, Publish, PublishRemotely, Publisher,
    PublisherStream, RemoveRemotePublisher, RtpForward, StopRtpForward, SubscribeStream, Unpublish,
    UnpublishRemotely, UpdateRemotePublisher, VideoRoom,
};
use janus_proto::plugins::{Id, Plugin, PluginHandle, PluginRequest, Typed};
use janus_proto::{JsepType, Secret};
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;
use serde_json::json;

use super::Setup;

every_driver_and_version!(
    room_lifecycle,
    error_paths,
    participants,
    dummy_publisher,
    remote_publishers,
);

/// The secret of the rooms the scenarios create.
const SECRET: &str = "s3cret";
/// The PIN of the rooms that have one.
const PIN: &str = "4321";

type S<D> = Setup<D, VideoRoom>;

/// Sends `request` on `handle`, recording it.
fn call<D, M>(
    s: &mut S<D>,
    handle: PluginHandle<VideoRoom>,
    request: M,
) -> Result<Typed<M::Response>, Error>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = VideoRoom> + Debug + 'static,
    M::Response: Send + 'static,
{
    s.recorder.call(&mut s.conn, handle, request)
}

/// Sends `request` on `handle`, recording it, and returns its typed outcome.
fn ok<D, M>(s: &mut S<D>, handle: PluginHandle<VideoRoom>, request: M) -> Typed<M::Response>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = VideoRoom> + Debug + 'static,
    M::Response: Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Ok(typed) => typed,
        Err(e) => panic!("{}: {shown}: {e:?}", D::NAME),
    }
}

/// Sends `request` on `handle`, recording it, and returns the typed code it fails with.
fn fails<D, M>(s: &mut S<D>, handle: PluginHandle<VideoRoom>, request: M) -> ErrorCode
where
    D: JanusDriver,
    M: PluginRequest<Plugin = VideoRoom> + Debug + 'static,
    M::Response: Debug + Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Err(Error::Request(e)) => VideoRoom::request_error(&e)
            .unwrap_or_else(|| panic!("{}: {shown}: not a VideoRoom error: {e:?}", D::NAME)),
        other => panic!(
            "{}: {shown}: expected a plugin error, got {other:?}",
            D::NAME
        ),
    }
}

/// Creates `create` (whose room must be set) and checks the answer.
fn create<D: JanusDriver>(s: &mut S<D>, create: Create) -> u64 {
    let Some(Id::Number(room)) = create.room.clone() else {
        panic!("a numeric room id");
    };
    let created = ok(s, s.handle, create).value;
    assert_eq!(created.room, Id::Number(room));
    assert!(!created.permanent);
    room
}

/// A room with [`SECRET`] and nothing else.
fn create_room<D: JanusDriver>(s: &mut S<D>, description: &str) -> u64 {
    let room = unique_id();
    create(
        s,
        Create::builder()
            .room(room)
            .description(description)
            .secret(SECRET)
            .build(),
    )
}

fn destroy_room<D: JanusDriver>(s: &mut S<D>, room: u64) {
    let destroyed = ok(
        s,
        s.handle,
        Destroy::builder().room(room).secret(SECRET).build(),
    )
    .value;
    assert_eq!(destroyed.room, Id::Number(room));
}

/// A second (third…) handle in the scenario's session.
fn attach<D: JanusDriver>(s: &mut S<D>) -> PluginHandle<VideoRoom> {
    s.conn
        .attach_plugin::<VideoRoom>(s.session)
        .unwrap_or_else(|e| panic!("{}: attach: {e}", D::NAME))
}

fn secrets(tokens: &[&str]) -> Vec<Secret> {
    tokens.iter().map(|t| Secret::new(*t)).collect()
}

/// The tokens of an ACL, sorted.
fn tokens(list: &Option<Vec<Secret>>) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .flatten()
        .map(|s| s.expose().to_owned())
        .collect();
    out.sort();
    out
}

fn room_lifecycle<D: JanusDriver>(version: JanusVersion) {
    let mut s = S::<D>::new(version, "room_lifecycle");
    let handle = s.handle;
    let room = unique_id();
    create(
        &mut s,
        Create::builder()
            .room(room)
            .description("lifecycle")
            .secret(SECRET)
            .pin(PIN)
            .is_private(false)
            .allowed(secrets(&["alpha", "beta"]))
            .require_pvtid(false)
            .bitrate(256_000)
            .bitrate_cap(true)
            .fir_freq(5)
            .publishers(4)
            .audiocodec("opus,pcmu")
            .videocodec("vp8,h264")
            .opus_fec(true)
            .audiolevel_ext(true)
            .audiolevel_event(true)
            .audio_active_packets(50)
            .audio_level_average(30)
            .videoorient_ext(false)
            .playoutdelay_ext(true)
            .transport_wide_cc_ext(true)
            .notify_joining(true)
            .lock_record(true)
            .rec_dir("/tmp")
            .build(),
    );

    // The same id again.
    let again = fails(
        &mut s,
        handle,
        Create::builder().room(room).description("again").build(),
    );
    assert_eq!(again, ErrorCode::RoomExists);

    let exists = ok(&mut s, handle, Exists::builder().room(room).build()).value;
    assert_eq!(exists.room, Id::Number(room));
    assert!(exists.exists);

    let list = ok(&mut s, handle, List::builder().build()).value;
    let info = list
        .list
        .iter()
        .find(|r| r.room == Id::Number(room))
        .unwrap_or_else(|| panic!("room {room} not listed: {list:#?}"));
    assert_eq!(info.description, "lifecycle");
    assert!(info.pin_required);
    assert!(!info.is_private);
    assert_eq!(info.max_publishers, 4);
    assert_eq!(info.bitrate, 256_000);
    assert_eq!(info.bitrate_cap, Some(true));
    assert_eq!(info.fir_freq, 5);
    assert!(!info.require_pvtid);
    assert!(info.notify_joining);
    assert_eq!(info.audiocodec, "opus,pcmu");
    assert_eq!(info.videocodec, "vp8,h264");
    assert!(info.audiolevel_ext);
    assert!(info.audiolevel_event);
    assert_eq!(info.audio_active_packets, Some(50));
    assert_eq!(info.audio_level_average, Some(30));
    assert!(!info.videoorient_ext);
    assert!(info.playoutdelay_ext);
    assert!(info.transport_wide_cc_ext);
    assert!(!info.record);
    assert!(info.lock_record);
    assert_eq!(info.rec_dir.as_deref(), Some("/tmp"));
    assert_eq!(info.num_participants, 0);

    let edited = ok(
        &mut s,
        handle,
        Edit::builder()
            .room(room)
            .secret(SECRET)
            .new_description("lifecycle, edited")
            .new_bitrate(512_000)
            .new_fir_freq(8)
            .new_publishers(2)
            .new_is_private(true)
            .new_require_pvtid(true)
            .new_lock_record(false)
            .new_rec_dir("/tmp/videoroom")
            .new_pin("9999")
            .build(),
    )
    .value;
    assert_eq!(edited.room, Id::Number(room));
    // A private room is not listed any more.
    let list = ok(&mut s, handle, List::builder().build()).value;
    assert!(
        list.list.iter().all(|r| r.room != Id::Number(room)),
        "a private room listed: {list:#?}"
    );
    let edited = ok(
        &mut s,
        handle,
        Edit::builder()
            .room(room)
            .secret(SECRET)
            .new_is_private(false)
            .new_secret("n3w")
            .build(),
    )
    .value;
    assert_eq!(edited.room, Id::Number(room));
    let list = ok(&mut s, handle, List::builder().build()).value;
    let info = list
        .list
        .iter()
        .find(|r| r.room == Id::Number(room))
        .unwrap_or_else(|| panic!("room {room} not listed: {list:#?}"));
    assert_eq!(info.description, "lifecycle, edited");
    assert_eq!(info.bitrate, 512_000);
    assert_eq!(info.fir_freq, 8);
    assert_eq!(info.max_publishers, 2);
    assert!(info.require_pvtid);
    assert!(!info.lock_record);
    assert_eq!(info.rec_dir.as_deref(), Some("/tmp/videoroom"));
    // The old secret does not open the room any more.
    let old = fails(
        &mut s,
        handle,
        Edit::builder()
            .room(room)
            .secret(SECRET)
            .new_secret(SECRET)
            .build(),
    );
    assert_eq!(old, ErrorCode::Unauthorized);
    ok(
        &mut s,
        handle,
        Edit::builder()
            .room(room)
            .secret("n3w")
            .new_secret(SECRET)
            .build(),
    );

    // The ACL.
    let added = ok(
        &mut s,
        handle,
        Allowed::builder()
            .room(room)
            .secret(SECRET)
            .action(AllowedAction::Add)
            .allowed(secrets(&["gamma"]))
            .build(),
    )
    .value;
    assert_eq!(added.room, Id::Number(room));
    assert_eq!(tokens(&added.allowed), ["alpha", "beta", "gamma"]);
    let removed = ok(
        &mut s,
        handle,
        Allowed::builder()
            .room(room)
            .secret(SECRET)
            .action(AllowedAction::Remove)
            .allowed(secrets(&["alpha"]))
            .build(),
    )
    .value;
    assert_eq!(tokens(&removed.allowed), ["beta", "gamma"]);
    let disabled = ok(
        &mut s,
        handle,
        Allowed::builder()
            .room(room)
            .secret(SECRET)
            .action(AllowedAction::Disable)
            .build(),
    )
    .value;
    assert_eq!(disabled.room, Id::Number(room));
    assert_eq!(disabled.allowed, None);
    let enabled = ok(
        &mut s,
        handle,
        Allowed::builder()
            .room(room)
            .secret(SECRET)
            .action(AllowedAction::Enable)
            .build(),
    )
    .value;
    assert_eq!(tokens(&enabled.allowed), ["beta", "gamma"]);

    let participants = ok(
        &mut s,
        handle,
        ListParticipants::builder().room(room).build(),
    )
    .value;
    assert_eq!(participants.room, Id::Number(room));
    assert!(participants.participants.is_empty());

    let recording = ok(
        &mut s,
        handle,
        EnableRecording::builder()
            .room(room)
            .secret(SECRET)
            .record(true)
            .build(),
    )
    .value;
    assert!(recording.record);
    let list = ok(&mut s, handle, List::builder().build()).value;
    let info = list.list.iter().find(|r| r.room == Id::Number(room));
    assert_eq!(info.map(|r| r.record), Some(true), "{list:#?}");
    let recording = ok(
        &mut s,
        handle,
        EnableRecording::builder()
            .room(room)
            .secret(SECRET)
            .record(false)
            .build(),
    )
    .value;
    assert!(!recording.record);

    let forwarders = ok(
        &mut s,
        handle,
        ListForwarders::builder().room(room).secret(SECRET).build(),
    )
    .value;
    assert_eq!(forwarders.room, Id::Number(room));
    assert!(forwarders.publishers.is_empty());

    destroy_room(&mut s, room);
    let exists = ok(&mut s, handle, Exists::builder().room(room).build()).value;
    assert!(!exists.exists);
    s.finish();
}

fn error_paths<D: JanusDriver>(version: JanusVersion) {
    let mut s = S::<D>::new(version, "error_paths");
    let handle = s.handle;
    let missing = unique_id();

    // A missing room.
    assert_eq!(
        fails(
            &mut s,
            handle,
            Edit::builder().room(missing).new_publishers(1).build()
        ),
        ErrorCode::NoSuchRoom
    );
    assert_eq!(
        fails(&mut s, handle, Destroy::builder().room(missing).build()),
        ErrorCode::NoSuchRoom
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            ListParticipants::builder().room(missing).build()
        ),
        ErrorCode::NoSuchRoom
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            ListForwarders::builder().room(missing).build()
        ),
        ErrorCode::NoSuchRoom
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            Kick::builder().room(missing).id(1u64).build()
        ),
        ErrorCode::NoSuchRoom
    );
    let joiner = attach(&mut s);
    assert_eq!(
        fails(
            &mut s,
            joiner,
            JoinPublisher::builder().room(missing).build()
        ),
        ErrorCode::NoSuchRoom
    );

    let room = unique_id();
    create(
        &mut s,
        Create::builder()
            .room(room)
            .description("errors")
            .secret(SECRET)
            .pin(PIN)
            .allowed(secrets(&["token"]))
            .build(),
    );
    // The room exists already.
    assert_eq!(
        fails(&mut s, handle, Create::builder().room(room).build()),
        ErrorCode::RoomExists
    );
    // A bad secret, or none (a missing field).
    assert_eq!(
        fails(
            &mut s,
            handle,
            Edit::builder()
                .room(room)
                .secret("wrong")
                .new_publishers(1)
                .build()
        ),
        ErrorCode::Unauthorized
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            Edit::builder().room(room).new_publishers(1).build()
        ),
        ErrorCode::MissingElement
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            Destroy::builder().room(room).secret("wrong").build()
        ),
        ErrorCode::Unauthorized
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            Allowed::builder()
                .room(room)
                .secret("wrong")
                .action(AllowedAction::Disable)
                .build()
        ),
        ErrorCode::Unauthorized
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            EnableRecording::builder()
                .room(room)
                .secret("wrong")
                .record(true)
                .build()
        ),
        ErrorCode::Unauthorized
    );
    // A missing field: a subscription that names no feed.
    let subscriber = attach(&mut s);
    assert_eq!(
        fails(
            &mut s,
            subscriber,
            JoinSubscriber::builder()
                .room(room)
                .pin(PIN)
                .token("token")
                .build()
        ),
        ErrorCode::MissingElement
    );
    // A wrong field: an unknown codec.
    assert_eq!(
        fails(
            &mut s,
            handle,
            Create::builder()
                .room(unique_id())
                .videocodec("nosuchcodec")
                .build()
        ),
        ErrorCode::InvalidElement
    );
    // A request of a handle that has not joined.
    assert_eq!(
        fails(
            &mut s,
            joiner,
            ConfigurePublisher::builder().bitrate(1).build()
        ),
        ErrorCode::JoinFirst
    );
    // A wrong PIN, a missing one (a missing field, as a missing secret is), a token not in
    // the ACL.
    assert_eq!(
        fails(
            &mut s,
            joiner,
            JoinPublisher::builder()
                .room(room)
                .pin("0000")
                .token("token")
                .build()
        ),
        ErrorCode::Unauthorized
    );
    assert_eq!(
        fails(
            &mut s,
            joiner,
            JoinPublisher::builder().room(room).token("token").build()
        ),
        ErrorCode::MissingElement
    );
    assert_eq!(
        fails(
            &mut s,
            joiner,
            JoinPublisher::builder()
                .room(room)
                .pin(PIN)
                .token("nope")
                .build()
        ),
        ErrorCode::Unauthorized
    );
    // Now in, with an id a second handle then cannot take.
    let id = unique_id();
    let joined = ok(
        &mut s,
        joiner,
        JoinPublisher::builder()
            .room(room)
            .id(id)
            .pin(PIN)
            .token("token")
            .display("first")
            .build(),
    )
    .value;
    assert_eq!(joined.id, Id::Number(id));
    // Joining twice on one handle.
    assert_eq!(
        fails(
            &mut s,
            joiner,
            JoinPublisher::builder()
                .room(room)
                .pin(PIN)
                .token("token")
                .build()
        ),
        ErrorCode::AlreadyJoined
    );
    let other = attach(&mut s);
    assert_eq!(
        fails(
            &mut s,
            other,
            JoinPublisher::builder()
                .room(room)
                .id(id)
                .pin(PIN)
                .token("token")
                .build()
        ),
        ErrorCode::IdExists
    );
    // A missing participant, a stream the participant does not have.
    assert_eq!(
        fails(
            &mut s,
            handle,
            Kick::builder()
                .room(room)
                .secret(SECRET)
                .id(unique_id())
                .build()
        ),
        ErrorCode::NoSuchFeed
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            Moderate::builder()
                .room(room)
                .secret(SECRET)
                .id(id)
                .mid("0")
                .mute(true)
                .build()
        ),
        ErrorCode::NoSuchFeed
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            Kick::builder().room(room).secret("wrong").id(id).build()
        ),
        ErrorCode::Unauthorized
    );
    // Forwarding a participant that does not publish, or that is not there.
    assert_eq!(
        fails(
            &mut s,
            handle,
            RtpForward::builder()
                .room(room)
                .secret(SECRET)
                .publisher_id(unique_id())
                .host("127.0.0.1")
                .streams(vec![ForwardStream::builder().mid("0").port(5000).build()])
                .build()
        ),
        ErrorCode::NoSuchFeed
    );
    assert_eq!(
        fails(
            &mut s,
            handle,
            StopRtpForward::builder()
                .room(room)
                .secret(SECRET)
                .publisher_id(id)
                .stream_id(1)
                .build()
        ),
        ErrorCode::NoSuchFeed
    );
    // A subscription to a feed that does not exist.
    assert_eq!(
        fails(
            &mut s,
            subscriber,
            JoinSubscriber::builder()
                .room(room)
                .pin(PIN)
                .token("token")
                .streams(vec![SubscribeStream::builder().feed(unique_id()).build()])
                .build()
        ),
        ErrorCode::NoSuchFeed
    );
    destroy_room(&mut s, room);
    s.finish();
}

/// The participant `id` in a `joining` event.
fn joining(event: &Event, id: u64) -> Option<Attendee> {
    match event {
        Event::Joining(j) if j.joining.id == Id::Number(id) => Some(j.joining.clone()),
        _ => None,
    }
}

fn participants<D: JanusDriver>(version: JanusVersion) {
    let mut s = S::<D>::new(version, "participants");
    let handle = s.handle;
    let v14 = version == JanusVersion::V1_4_1;
    let room = unique_id();
    create(
        &mut s,
        Create::builder()
            .room(room)
            .description("participants")
            .secret(SECRET)
            .pin(PIN)
            .notify_joining(true)
            .build(),
    );
    let (alice, bob, carol) = (room + 1, room + 2, room + 3);
    let a = attach(&mut s);
    let joined = ok(
        &mut s,
        a,
        JoinPublisher::builder()
            .room(room)
            .id(alice)
            .display("alice")
            .metadata(json!({"role": "host"}))
            .pin(PIN)
            .build(),
    )
    .value;
    assert_eq!(joined.room, Id::Number(room));
    assert_eq!(joined.description, "participants");
    assert_eq!(joined.id, Id::Number(alice));
    assert_ne!(joined.private_id, 0);
    // Nobody publishes: a participant is in `publishers` only once its PeerConnection is up.
    assert!(joined.publishers.is_empty());
    assert_eq!(joined.attendees.as_deref().map(<[_]>::len), Some(0));

    let b = attach(&mut s);
    let joined = ok(
        &mut s,
        b,
        JoinPublisher::builder()
            .room(room)
            .id(bob)
            .display("bob")
            .pin(PIN)
            .build(),
    )
    .value;
    assert_eq!(joined.id, Id::Number(bob));
    assert!(joined.publishers.is_empty());
    let attendees = joined.attendees.unwrap_or_default();
    assert_eq!(attendees.len(), 1, "{attendees:#?}");
    assert_eq!(attendees[0].id, Id::Number(alice));
    assert_eq!(attendees[0].display.as_deref(), Some("alice"));
    // Metadata came with Janus 1.3.0.
    let metadata = v14.then(|| json!({"role": "host"}));
    assert_eq!(attendees[0].metadata, metadata);
    // Alice is told.
    let seen = s.wait_event(a, |e| joining(e, bob));
    assert_eq!(seen.display.as_deref(), Some("bob"));

    let listed = ok(
        &mut s,
        handle,
        ListParticipants::builder().room(room).build(),
    )
    .value;
    let mut listed = listed.participants;
    listed.sort_by_key(|p| format!("{:?}", p.id));
    assert_eq!(listed.len(), 2, "{listed:#?}");
    assert_eq!(listed[0].id, Id::Number(alice));
    assert_eq!(listed[0].display.as_deref(), Some("alice"));
    assert_eq!(listed[0].metadata, metadata);
    assert!(!listed[0].publisher);
    assert_eq!(listed[1].id, Id::Number(bob));
    assert!(!listed[1].publisher);

    // Bob renames himself: a `configure` without an offer.
    let configured = ok(
        &mut s,
        b,
        ConfigurePublisher::builder().display("bobby").build(),
    )
    .value;
    assert_eq!(configured.configured, "ok");
    let renamed = s.wait_event(a, |e| match e {
        Event::DisplayChanged(d) if d.id == Id::Number(bob) => Some(d.display.clone()),
        _ => None,
    });
    assert_eq!(renamed, "bobby");

    // Alice changes her metadata (Janus 1.3.0 and later).
    if v14 {
        let configured = ok(
            &mut s,
            a,
            ConfigurePublisher::builder()
                .metadata(json!({"role": "guest"}))
                .build(),
        )
        .value;
        assert_eq!(configured.configured, "ok");
        let changed = s.wait_event(b, |e| match e {
            Event::MetadataChanged(m) if m.id == Id::Number(alice) => Some(m.metadata.clone()),
            _ => None,
        });
        assert_eq!(changed, json!({"role": "guest"}));
    }
    // Without an offer, `publish` is a `configure`, and there is nothing to unpublish.
    let configured = ok(&mut s, b, Publish::builder().display("bob").build()).value;
    assert_eq!(configured.configured, "ok");
    assert_eq!(configured.room, Some(Id::Number(room)));
    assert_eq!(configured.streams, None);
    let renamed = s.wait_event(a, |e| match e {
        Event::DisplayChanged(d) if d.id == Id::Number(bob) => Some(d.display.clone()),
        _ => None,
    });
    assert_eq!(renamed, "bob");
    assert_eq!(fails(&mut s, b, Unpublish::new()), ErrorCode::NotPublished);

    // Carol joins (`joinandconfigure` without an offer: a join) and is kicked.
    let c = attach(&mut s);
    let joined = ok(
        &mut s,
        c,
        JoinAndConfigure::builder()
            .room(room)
            .id(carol)
            .display("carol")
            .pin(PIN)
            .build(),
    )
    .value;
    assert_eq!(joined.attendees.map(|a| a.len()), Some(2));
    s.wait_event(a, |e| joining(e, carol));
    s.wait_event(b, |e| joining(e, carol));
    let kicked = ok(
        &mut s,
        handle,
        Kick::builder().room(room).secret(SECRET).id(carol).build(),
    );
    assert_eq!(
        kicked.data.value().ok(),
        Some(json!({"videoroom": "success"}))
    );
    let reason = s.wait_event(c, |e| match e {
        Event::LeavingOk(l) => Some(l.reason.clone()),
        _ => None,
    });
    assert_eq!(reason.as_deref(), Some("kicked"));
    let seen = s.wait_event(a, |e| match e {
        Event::Kicked(k) if k.kicked == Id::Number(carol) => Some(k.clone()),
        _ => None,
    });
    assert_eq!(seen.room, Id::Number(room));

    // Bob leaves.
    let left = ok(&mut s, b, LeavePublisher::new()).value;
    assert_eq!(left.leaving, "ok");
    assert_eq!(left.reason, None);
    let seen = s.wait_event(a, |e| match e {
        Event::Leaving(l) if l.leaving == Id::Number(bob) => Some(l.clone()),
        _ => None,
    });
    assert_eq!(seen.room, Id::Number(room));
    let listed = ok(
        &mut s,
        handle,
        ListParticipants::builder().room(room).build(),
    )
    .value;
    let ids: Vec<Id> = listed.participants.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids, [Id::Number(alice)]);

    // The room goes away under Alice.
    destroy_room(&mut s, room);
    let gone = s.wait_event(a, |e| match e {
        Event::Destroyed(d) => Some(d.room.clone()),
        _ => None,
    });
    assert_eq!(gone, Id::Number(room));
    s.finish();
}

/// The dummy publisher among `publishers`.
fn dummy_of(publishers: &[Publisher]) -> Publisher {
    publishers
        .iter()
        .find(|p| p.dummy == Some(true))
        .cloned()
        .unwrap_or_else(|| panic!("no dummy publisher: {publishers:#?}"))
}

fn dummy_publisher<D: JanusDriver>(version: JanusVersion) {
    let mut s = S::<D>::new(version, "dummy_publisher");
    let handle = s.handle;
    let room = unique_id();
    create(
        &mut s,
        Create::builder()
            .room(room)
            .description("dummy")
            .secret(SECRET)
            .audiocodec("opus")
            .videocodec("vp8")
            .dummy_publisher(true)
            .build(),
    );
    let listed = ok(
        &mut s,
        handle,
        ListParticipants::builder().room(room).build(),
    )
    .value;
    assert_eq!(listed.participants.len(), 1, "{listed:#?}");
    let entry = &listed.participants[0];
    assert_eq!(entry.dummy, Some(true));
    assert!(entry.publisher);
    let dummy_id = entry.id.clone();

    let a = attach(&mut s);
    let joined = ok(
        &mut s,
        a,
        JoinPublisher::builder()
            .room(room)
            .display("viewer")
            .build(),
    )
    .value;
    let dummy = dummy_of(&joined.publishers);
    assert_eq!(dummy.id, dummy_id);
    let audio = dummy
        .streams
        .iter()
        .find(|st| st.kind == MediaType::Audio)
        .unwrap_or_else(|| panic!("no audio stream: {dummy:#?}"));
    assert_eq!(audio.codec.as_deref(), Some("opus"));
    let video = dummy
        .streams
        .iter()
        .find(|st| st.kind == MediaType::Video)
        .unwrap_or_else(|| panic!("no video stream: {dummy:#?}"));
    assert_eq!(video.codec.as_deref(), Some("vp8"));
    let (audio_mid, video_mid) = (audio.mid.clone(), video.mid.clone());

    // RTP forwarding of the dummy's streams to loopback ports (nothing flows: no media).
    let audio_sink = UdpSocket::bind("127.0.0.1:0").expect("a UDP port");
    let video_sink = UdpSocket::bind("127.0.0.1:0").expect("a UDP port");
    let audio_port = audio_sink.local_addr().expect("bound").port();
    let video_port = video_sink.local_addr().expect("bound").port();
    let forwarded = ok(
        &mut s,
        handle,
        RtpForward::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(dummy_id.clone())
            .host("127.0.0.1")
            .streams(vec![
                ForwardStream::builder()
                    .mid(audio_mid.clone())
                    .port(audio_port)
                    .pt(111)
                    .ssrc(1111)
                    .build(),
                ForwardStream::builder()
                    .mid(video_mid.clone())
                    .port(video_port)
                    .build(),
            ])
            .build(),
    )
    .value;
    assert_eq!(forwarded.room, Id::Number(room));
    assert_eq!(forwarded.publisher_id, dummy_id);
    let forwarders = forwarded.forwarders.unwrap_or_default();
    assert_eq!(forwarders.len(), 2, "{forwarders:#?}");
    let audio_fwd = forwarders
        .iter()
        .find(|f| f.kind == MediaType::Audio)
        .expect("an audio forwarder")
        .clone();
    assert_eq!(audio_fwd.port, audio_port);
    assert_eq!(audio_fwd.host, "127.0.0.1");
    assert_eq!(audio_fwd.pt, Some(111));
    assert_eq!(audio_fwd.ssrc, Some(1111));
    assert!(forwarders
        .iter()
        .any(|f| f.kind == MediaType::Video && f.port == video_port));

    let listed = ok(
        &mut s,
        handle,
        ListForwarders::builder().room(room).secret(SECRET).build(),
    )
    .value;
    assert_eq!(listed.publishers.len(), 1, "{listed:#?}");
    assert_eq!(listed.publishers[0].publisher_id, dummy_id);
    assert_eq!(listed.publishers[0].forwarders.len(), 2);

    let stopped = ok(
        &mut s,
        handle,
        StopRtpForward::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(dummy_id.clone())
            .stream_id(audio_fwd.stream_id)
            .build(),
    )
    .value;
    assert_eq!(stopped.stream_id, audio_fwd.stream_id);
    assert_eq!(stopped.publisher_id, dummy_id);
    let listed = ok(
        &mut s,
        handle,
        ListForwarders::builder().room(room).secret(SECRET).build(),
    )
    .value;
    assert_eq!(listed.publishers[0].forwarders.len(), 1, "{listed:#?}");
    assert_eq!(listed.publishers[0].forwarders[0].kind, MediaType::Video);
    // SRTP, and the deprecated per-kind ports (answered with `rtp_stream`).
    let srtp = ok(
        &mut s,
        handle,
        RtpForward::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(dummy_id.clone())
            .host("127.0.0.1")
            .host_family(HostFamily::Ipv4)
            .srtp_suite(80)
            .srtp_crypto("WbTBosdVUZqEb6Htqhn+m3z7wUh4RJVR8nE15GbN")
            .streams(vec![ForwardStream::builder()
                .mid(audio_mid.clone())
                .port(audio_port)
                .build()])
            .build(),
    )
    .value;
    let srtp = srtp.forwarders.unwrap_or_default();
    assert_eq!(srtp.len(), 1, "{srtp:#?}");
    assert_eq!(srtp[0].srtp, Some(true));
    let legacy = ok(
        &mut s,
        handle,
        RtpForward::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(dummy_id.clone())
            .host("127.0.0.1")
            .audio_port(audio_port)
            .video_port(video_port)
            .build(),
    )
    .value;
    assert_eq!(legacy.forwarders, None);
    let Some(rtp) = legacy.rtp_stream else {
        panic!("{}: no rtp_stream", D::NAME);
    };
    assert_eq!(rtp.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(rtp.audio, Some(audio_port));
    assert_eq!(rtp.video, Some(video_port));
    assert_eq!(rtp.warning.as_deref(), Some("deprecated_api"));
    let (Some(legacy_audio), Some(legacy_video)) = (rtp.audio_stream_id, rtp.video_stream_id)
    else {
        panic!("{}: no stream ids: {rtp:#?}", D::NAME);
    };
    let listed = ok(
        &mut s,
        handle,
        ListForwarders::builder().room(room).secret(SECRET).build(),
    )
    .value;
    assert_eq!(listed.publishers[0].forwarders.len(), 4, "{listed:#?}");
    for stream_id in [srtp[0].stream_id, legacy_audio, legacy_video] {
        let stopped = ok(
            &mut s,
            handle,
            StopRtpForward::builder()
                .room(room)
                .secret(SECRET)
                .publisher_id(dummy_id.clone())
                .stream_id(stream_id)
                .build(),
        )
        .value;
        assert_eq!(stopped.stream_id, stream_id);
    }

    // Moderation of the dummy's audio: accepted (nobody is told: the dummy has no session).
    ok(
        &mut s,
        handle,
        Moderate::builder()
            .room(room)
            .secret(SECRET)
            .id(dummy_id.clone())
            .mid(audio_mid.clone())
            .mute(true)
            .build(),
    );
    subscriber_without_media(&mut s, room, &dummy_id, &audio_mid, &video_mid);

    // The dummy cannot be kicked on 1.4.1; 1.1.2 lets it be.
    let kick = Kick::builder()
        .room(room)
        .secret(SECRET)
        .id(dummy_id.clone())
        .build();
    if version == JanusVersion::V1_4_1 {
        assert_eq!(fails(&mut s, handle, kick), ErrorCode::NoSuchFeed);
    } else {
        ok(&mut s, handle, kick);
        let listed = ok(
            &mut s,
            handle,
            ListParticipants::builder().room(room).build(),
        )
        .value;
        assert!(
            listed.participants.iter().all(|p| p.id != dummy_id),
            "{listed:#?}"
        );
    }

    destroy_room(&mut s, room);
    s.wait_event(a, |e| matches!(e, Event::Destroyed(_)).then_some(()));
    s.finish();
}

/// A subscription to the dummy publisher: Janus's offer, and what a subscriber can ask
/// before answering it.
fn subscriber_without_media<D: JanusDriver>(
    s: &mut S<D>,
    room: u64,
    dummy: &Id,
    audio_mid: &str,
    video_mid: &str,
) {
    use janus_proto::plugins::videoroom::{
        ConfigureSubscriber, LeaveSubscriber, Pause, Start, Subscribe, SubscriberStreamConfig,
        SubscriptionUpdate, Switch, SwitchOutcome, SwitchStream, Unsubscribe, UnsubscribeStream,
        Update,
    };
    let sub = attach(s);
    let attached = ok(
        s,
        sub,
        JoinSubscriber::builder()
            .room(room)
            .streams(vec![SubscribeStream::builder()
                .feed(dummy.clone())
                .mid(audio_mid)
                .build()])
            .build(),
    );
    assert_eq!(attached.jsep.map(|j| j.kind), Some(JsepType::Offer));
    let attached = attached.value;
    assert_eq!(attached.room, Id::Number(room));
    assert_eq!(attached.streams.len(), 1, "{attached:#?}");
    let stream = &attached.streams[0];
    assert_eq!(stream.kind, MediaType::Audio);
    assert_eq!(stream.feed_id.as_ref(), Some(dummy));
    assert_eq!(stream.feed_mid.as_deref(), Some(audio_mid));
    assert_eq!(stream.codec.as_deref(), Some("opus"));
    assert!(!stream.ready);
    let sub_mid = stream.mid.clone();
    // Pausing and resuming need no PeerConnection: they only flip a flag.
    let paused = ok(s, sub, Pause::new()).value;
    assert_eq!(paused.paused, "ok");
    let started = ok(s, sub, Start::resume()).value;
    assert_eq!(started.started, "ok");
    let configured = ok(
        s,
        sub,
        ConfigureSubscriber::builder()
            .streams(vec![SubscriberStreamConfig::builder()
                .mid(sub_mid.clone())
                .send(false)
                .build()])
            .build(),
    )
    .value;
    assert_eq!(configured.configured, "ok");
    // Changes of the subscription while Janus's offer is unanswered are postponed:
    // `updating`.
    let updating = |outcome: &SubscriptionUpdate| match outcome {
        SubscriptionUpdate::Updating(u) => u.room == Id::Number(room),
        SubscriptionUpdate::Updated(_) => false,
        _ => false,
    };
    let subscribed = ok(
        s,
        sub,
        Subscribe::builder()
            .streams(vec![SubscribeStream::builder()
                .feed(dummy.clone())
                .mid(video_mid)
                .build()])
            .build(),
    )
    .value;
    assert!(updating(&subscribed), "{subscribed:#?}");
    let unsubscribed = ok(
        s,
        sub,
        Unsubscribe::builder()
            .streams(vec![UnsubscribeStream::builder()
                .feed(dummy.clone())
                .mid(video_mid)
                .build()])
            .build(),
    )
    .value;
    assert!(updating(&unsubscribed), "{unsubscribed:#?}");
    let updated = ok(
        s,
        sub,
        Update::builder()
            .subscribe(vec![SubscribeStream::builder()
                .feed(dummy.clone())
                .mid(video_mid)
                .build()])
            .build(),
    )
    .value;
    assert!(updating(&updated), "{updated:#?}");
    // Switching the audio to the same source: nothing changes.
    let switched = ok(
        s,
        sub,
        Switch::builder()
            .streams(vec![SwitchStream::builder()
                .feed(dummy.clone())
                .mid(audio_mid)
                .sub_mid(sub_mid.clone())
                .build()])
            .build(),
    )
    .value;
    let SwitchOutcome::Switched(switched) = switched else {
        panic!("{}: not switched: {switched:#?}", D::NAME);
    };
    assert_eq!(switched.switched, "ok");
    assert_eq!(switched.changes, 0);
    assert!(
        switched
            .streams
            .iter()
            .any(|st| st.mid == sub_mid && !st.send),
        "the audio stream not sent any more: {switched:#?}"
    );
    let left = ok(s, sub, LeaveSubscriber::new()).value;
    assert_eq!(left.left, "ok");

    // The deprecated `feed`: every stream of the publisher.
    let sub = attach(s);
    let attached = ok(
        s,
        sub,
        JoinSubscriber::builder()
            .room(room)
            .feed(dummy.clone())
            .build(),
    );
    assert_eq!(attached.jsep.map(|j| j.kind), Some(JsepType::Offer));
    let attached = attached.value;
    assert_eq!(attached.id.as_ref(), Some(dummy));
    let mut kinds: Vec<MediaType> = attached.streams.iter().map(|st| st.kind).collect();
    kinds.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(kinds, [MediaType::Audio, MediaType::Video], "{attached:#?}");
    let left = ok(s, sub, LeaveSubscriber::new()).value;
    assert_eq!(left.left, "ok");
}

fn remote_publishers<D: JanusDriver>(version: JanusVersion) {
    let mut s = S::<D>::new(version, "remote_publishers");
    let handle = s.handle;
    let room = create_room(&mut s, "remote");
    let remote = room + 1;
    let streams = vec![
        PublisherStream::builder()
            .kind(MediaType::Audio)
            .mindex(0)
            .mid("0")
            .codec("opus")
            .build(),
        PublisherStream::builder()
            .kind(MediaType::Video)
            .mindex(1)
            .mid("1")
            .codec("vp8")
            .build(),
    ];
    let add = AddRemotePublisher::builder()
        .room(room)
        .secret(SECRET)
        .id(remote)
        .display("far away")
        .iface("127.0.0.1")
        .streams(streams.clone())
        .build();
    let update = UpdateRemotePublisher::builder()
        .room(room)
        .secret(SECRET)
        .id(remote)
        .display("farther")
        .streams(vec![PublisherStream::builder()
            .kind(MediaType::Audio)
            .mindex(0)
            .mid("0")
            .codec("opus")
            .build()])
        .build();
    let remove = RemoveRemotePublisher::builder()
        .room(room)
        .secret(SECRET)
        .id(remote)
        .build();
    let sink = UdpSocket::bind("127.0.0.1:0").expect("a UDP port");
    let sink_port = sink.local_addr().expect("bound").port();
    let publish_remotely = |publisher: Id| {
        PublishRemotely::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(publisher)
            .remote_id("cascade")
            .host("127.0.0.1")
            .port(sink_port)
            .build()
    };
    let unpublish_remotely = |publisher: Id| {
        UnpublishRemotely::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(publisher)
            .remote_id("cascade")
            .build()
    };
    let list_remotes = |publisher: Id| {
        ListRemotes::builder()
            .room(room)
            .secret(SECRET)
            .publisher_id(publisher)
            .build()
    };
    // A participant watching the room.
    let a = attach(&mut s);
    let joined = ok(
        &mut s,
        a,
        JoinPublisher::builder()
            .room(room)
            .display("watcher")
            .build(),
    )
    .value;
    let watcher = joined.id.clone();

    let added = ok(&mut s, handle, add).value;
    assert_eq!(added.room, Id::Number(room));
    assert_eq!(added.id, Id::Number(remote));
    assert_ne!(added.port, 0);
    assert_ne!(added.rtcp_port, 0);
    let announced = s.wait_event(a, |e| match e {
        Event::Publishers(p) => p
            .publishers
            .iter()
            .find(|p| p.id == Id::Number(remote))
            .cloned(),
        _ => None,
    });
    assert_eq!(announced.display.as_deref(), Some("far away"));
    assert_eq!(announced.streams.len(), 2, "{announced:#?}");
    let listed = ok(
        &mut s,
        handle,
        ListParticipants::builder().room(room).build(),
    )
    .value;
    let entry = listed
        .participants
        .iter()
        .find(|p| p.id == Id::Number(remote))
        .unwrap_or_else(|| panic!("no remote publisher: {listed:#?}"));
    assert_eq!(entry.remote, Some(true));
    assert!(entry.publisher);
    // The same id again.
    let again = AddRemotePublisher::builder()
        .room(room)
        .secret(SECRET)
        .id(remote)
        .streams(streams)
        .build();
    assert_eq!(fails(&mut s, handle, again), ErrorCode::IdExists);

    // Moderating the remote publisher's audio: everybody is told.
    ok(
        &mut s,
        handle,
        Moderate::builder()
            .room(room)
            .secret(SECRET)
            .id(remote)
            .mid("0")
            .mute(true)
            .build(),
    );
    let moderated = s.wait_event(a, |e| match e {
        Event::Moderated(m) => Some(m.clone()),
        _ => None,
    });
    assert_eq!(moderated.id, Id::Number(remote));
    assert_eq!(moderated.mid, "0");
    assert_eq!(moderated.moderation, Moderation::Muted);
    ok(
        &mut s,
        handle,
        Moderate::builder()
            .room(room)
            .secret(SECRET)
            .id(remote)
            .mid("0")
            .mute(false)
            .build(),
    );
    let moderated = s.wait_event(a, |e| match e {
        Event::Moderated(m) => Some(m.moderation),
        _ => None,
    });
    assert_eq!(moderated, Moderation::Unmuted);

    let updated = ok(&mut s, handle, update);
    assert_eq!(
        updated.data.value().ok(),
        Some(json!({"videoroom": "success"}))
    );
    // The room is told of the change, the streams not named left as they were.
    let renamed = s.wait_event(a, |e| match e {
        Event::Publishers(p) => p
            .publishers
            .iter()
            .find(|p| p.id == Id::Number(remote) && p.display.as_deref() == Some("farther"))
            .cloned(),
        _ => None,
    });
    assert_eq!(renamed.streams.len(), 2, "{renamed:#?}");

    // Remotizing: only a local publisher can be (even one not publishing yet).
    assert_eq!(
        fails(&mut s, handle, publish_remotely(Id::Number(remote))),
        ErrorCode::InvalidElement
    );
    let published = ok(&mut s, handle, publish_remotely(watcher.clone())).value;
    assert_eq!(published.room, Id::Number(room));
    assert_eq!(published.id, watcher);
    assert_eq!(published.remote_id, "cascade");
    let remotes = ok(&mut s, handle, list_remotes(watcher.clone())).value;
    assert_eq!(remotes.id, watcher);
    assert_eq!(remotes.list.len(), 1, "{remotes:#?}");
    assert_eq!(remotes.list[0].remote_id, "cascade");
    assert_eq!(remotes.list[0].host, "127.0.0.1");
    assert_eq!(remotes.list[0].port, sink_port);
    let unpublished = ok(&mut s, handle, unpublish_remotely(watcher.clone())).value;
    assert_eq!(unpublished.room, Id::Number(room));
    assert_eq!(unpublished.id, watcher);
    let remotes = ok(&mut s, handle, list_remotes(watcher.clone())).value;
    assert!(remotes.list.is_empty(), "{remotes:#?}");
    assert_eq!(
        fails(&mut s, handle, unpublish_remotely(watcher)),
        ErrorCode::NoSuchFeed
    );

    let removed = ok(&mut s, handle, remove);
    assert_eq!(
        removed.data.value().ok(),
        Some(json!({"videoroom": "success"}))
    );
    // The room is told as when a local publisher leaves (the display name with it since
    // Janus 1.3.0).
    let gone = s.wait_event(a, |e| match e {
        Event::Leaving(l) if l.leaving == Id::Number(remote) => Some(l.clone()),
        _ => None,
    });
    assert_eq!(gone.room, Id::Number(room));
    let display = (version == JanusVersion::V1_4_1).then(|| "farther".to_owned());
    assert_eq!(gone.display, display);
    destroy_room(&mut s, room);
    s.finish();
}
