//! TextRoom over the Janus API, on both versions.
//!
//! - `room_lifecycle`: create with options, create again, exists, list, edit, listparticipants,
//!   allowed, announcement, kick (of nobody: the room's participants are on data channels),
//!   destroy.
//! - `error_paths`: a missing room, a missing or bad secret, a duplicate room, and the chat
//!   requests the Janus API refuses (they belong to the data channel).
//! - `setup_ack_restart`: `setup`, whose outcome carries Janus's offer of a data channel;
//!   `setup` again; `ack` (the plugin takes it without an answer: the core only hands it an
//!   SDP when there is one); `restart` before and after `setup`.
//!
//! Left for the media tests (they need a real data channel): `ack` with a real answer and
//! the whole data-channel protocol (join, message, leave, the room requests sent there, and
//! what the participants are told), and with it a successful `kick` (there is nobody to
//! kick without one).

use std::fmt::Debug;

use janus_proto::plugins::textroom::{
    Ack, Allowed, AllowedAction, Announcement, Create, Destroy, Edit, ErrorCode, Exists, Kick,
    List, ListParticipants, Restart, RoomInfo, Setup as SetupRequest, TextRoom,
};
use janus_proto::plugins::{Id, Plugin, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Message;
use janus_proto::{JsepType, Secret};
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;
use serde_json::json;

use super::Setup;

every_driver_and_version!(room_lifecycle, error_paths, setup_ack_restart);

/// The secret of the rooms the scenarios create.
const SECRET: &str = "s3cret";

/// Sends `request` on `handle`, recording it.
fn call<D, M>(
    s: &mut Setup<D, TextRoom>,
    handle: PluginHandle<TextRoom>,
    request: M,
) -> Result<Typed<M::Response>, Error>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = TextRoom> + 'static,
    M::Response: Send + 'static,
{
    s.recorder.call(&mut s.conn, handle, request)
}

/// Sends `request` on the scenario's handle, recording it, and returns its typed outcome.
fn ok<D, M>(s: &mut Setup<D, TextRoom>, request: M) -> M::Response
where
    D: JanusDriver,
    M: PluginRequest<Plugin = TextRoom> + Debug + 'static,
    M::Response: Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, s.handle, request) {
        Ok(typed) => typed.value,
        Err(e) => panic!("{}: {shown}: {e:?}", D::NAME),
    }
}

/// Sends `request` on the scenario's handle, recording it, and returns the typed code it
/// fails with.
fn fails<D, M>(s: &mut Setup<D, TextRoom>, request: M) -> ErrorCode
where
    D: JanusDriver,
    M: PluginRequest<Plugin = TextRoom> + Debug + 'static,
    M::Response: Debug + Send + 'static,
{
    let shown = format!("{request:?}");
    typed_error::<D, _>(&shown, call(s, s.handle, request))
}

/// The typed TextRoom code of a failed request.
fn typed_error<D: JanusDriver, T: Debug>(shown: &str, outcome: Result<T, Error>) -> ErrorCode {
    match outcome {
        Err(Error::Request(e)) => TextRoom::request_error(&e)
            .unwrap_or_else(|| panic!("{}: {shown}: not a TextRoom error: {e:?}", D::NAME)),
        other => panic!(
            "{}: {shown}: expected a plugin error, got {other:?}",
            D::NAME
        ),
    }
}

/// The room `room` as `list` shows it, if it does.
fn listed<D: JanusDriver>(s: &mut Setup<D, TextRoom>, room: u64) -> Option<RoomInfo> {
    let list = ok(s, List::builder().build());
    list.list.into_iter().find(|r| r.room == Id::Number(room))
}

/// The tokens of an `allowed` reply, sorted.
fn tokens(allowed: Option<Vec<Secret>>) -> Option<Vec<String>> {
    allowed.map(|list| {
        let mut list: Vec<String> = list.iter().map(|t| t.expose().to_owned()).collect();
        list.sort();
        list
    })
}

fn room_lifecycle<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, TextRoom>::new(version, "room_lifecycle");
    let room = unique_id();

    // Create, with every option.
    let create = Create::builder()
        .room(room)
        .description("Lifecycle")
        .secret(SECRET)
        .pin("1234")
        .is_private(false)
        .allowed(vec![Secret::from("token-a")])
        .history(5)
        .post("http://127.0.0.1:9/textroom")
        .permanent(false)
        .build();
    let created = ok(&mut s, create.clone());
    assert_eq!(created.room, Id::Number(room));
    assert!(!created.permanent);
    assert_eq!(fails(&mut s, create), ErrorCode::RoomExists);

    // Exists.
    let exists = ok(&mut s, Exists::builder().room(room).build());
    assert_eq!((exists.room, exists.exists), (Id::Number(room), true));
    let missing = unique_id();
    let exists = ok(&mut s, Exists::builder().room(missing).build());
    assert_eq!((exists.room, exists.exists), (Id::Number(missing), false));

    // List.
    let info = listed(&mut s, room).expect("a public room is listed");
    assert_eq!(info.description, "Lifecycle");
    assert!(info.pin_required);
    assert_eq!(info.num_participants, 0);
    assert_eq!(info.history, 5);

    // Edit: a wrong secret; private with another name; public again with a new secret.
    let edit = Edit::builder()
        .room(room)
        .secret("wrong")
        .new_description("x")
        .build();
    assert_eq!(fails(&mut s, edit), ErrorCode::Unauthorized);
    let edited = ok(
        &mut s,
        Edit::builder()
            .room(room)
            .secret(SECRET)
            .new_description("Edited")
            .new_is_private(true)
            .new_pin("4321")
            .new_post("http://127.0.0.1:9/other")
            .permanent(false)
            .build(),
    );
    assert_eq!(edited.room, Id::Number(room));
    assert!(!edited.permanent);
    assert_eq!(listed(&mut s, room), None, "a private room is not listed");
    assert!(ok(&mut s, Exists::builder().room(room).build()).exists);
    let edited = ok(
        &mut s,
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
    assert!(info.pin_required);
    let secret = "n3w";
    let edit = Edit::builder()
        .room(room)
        .secret(SECRET)
        .new_description("x")
        .build();
    assert_eq!(
        fails(&mut s, edit),
        ErrorCode::Unauthorized,
        "the old secret"
    );

    // Nobody in the room (participants join on data channels).
    let participants = ok(&mut s, ListParticipants::builder().room(room).build());
    assert_eq!(participants.room, Id::Number(room));
    assert!(participants.participants.is_empty());

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
    let reply = ok(&mut s, allowed(AllowedAction::Enable, None));
    assert_eq!(reply.room, Id::Number(room));
    assert_eq!(tokens(reply.allowed), Some(vec!["token-a".to_owned()]));
    let reply = ok(
        &mut s,
        allowed(AllowedAction::Add, Some(&["token-b", "token-c"])),
    );
    assert_eq!(
        tokens(reply.allowed),
        Some(vec!["token-a".into(), "token-b".into(), "token-c".into()])
    );
    let reply = ok(&mut s, allowed(AllowedAction::Remove, Some(&["token-a"])));
    assert_eq!(
        tokens(reply.allowed),
        Some(vec!["token-b".into(), "token-c".into()])
    );
    let reply = ok(&mut s, allowed(AllowedAction::Disable, None));
    assert_eq!(reply.room, Id::Number(room));
    assert_eq!(reply.allowed, None, "disable answers without the list");

    // An announcement to an empty room, and a kick of nobody.
    let _ = ok(
        &mut s,
        Announcement::builder()
            .room(room)
            .secret(secret)
            .text("Hello, room")
            .build(),
    );
    let kick = Kick::builder()
        .room(room)
        .secret(secret)
        .username("nobody")
        .build();
    assert_eq!(fails(&mut s, kick), ErrorCode::NoSuchUser);

    // Destroy: a wrong secret, then for real.
    let destroy = Destroy::builder().room(room).secret("wrong").build();
    assert_eq!(fails(&mut s, destroy), ErrorCode::Unauthorized);
    let destroyed = ok(
        &mut s,
        Destroy::builder()
            .room(room)
            .secret(secret)
            .permanent(false)
            .build(),
    );
    assert_eq!(destroyed.room, Id::Number(room));
    assert!(!destroyed.permanent);
    assert!(!ok(&mut s, Exists::builder().room(room).build()).exists);
    assert_eq!(listed(&mut s, room), None);
    let again = Destroy::builder().room(room).secret(secret).build();
    assert_eq!(fails(&mut s, again), ErrorCode::NoSuchRoom);
    s.finish();
}

fn error_paths<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, TextRoom>::new(version, "error_paths");

    // A missing room.
    let missing = unique_id();
    let code = fails(
        &mut s,
        Edit::builder().room(missing).new_description("x").build(),
    );
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(&mut s, ListParticipants::builder().room(missing).build());
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(
        &mut s,
        Announcement::builder().room(missing).text("hello").build(),
    );
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(&mut s, Kick::builder().room(missing).username("u").build());
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(
        &mut s,
        Allowed::builder()
            .room(missing)
            .action(AllowedAction::Enable)
            .build(),
    );
    assert_eq!(code, ErrorCode::NoSuchRoom);
    let code = fails(&mut s, Destroy::builder().room(missing).build());
    assert_eq!(code, ErrorCode::NoSuchRoom);

    // A room with a secret: exists twice, missing and bad secrets.
    let room = unique_id();
    let create = Create::builder().room(room).secret(SECRET).build();
    ok(&mut s, create.clone());
    assert_eq!(fails(&mut s, create), ErrorCode::RoomExists);
    let code = fails(&mut s, Destroy::builder().room(room).build());
    assert_eq!(code, ErrorCode::MissingElement);
    let code = fails(
        &mut s,
        Announcement::builder().room(room).text("hello").build(),
    );
    assert_eq!(code, ErrorCode::MissingElement);
    let code = fails(
        &mut s,
        Allowed::builder()
            .room(room)
            .secret("wrong")
            .action(AllowedAction::Enable)
            .build(),
    );
    assert_eq!(code, ErrorCode::Unauthorized);
    let code = fails(
        &mut s,
        Kick::builder()
            .room(room)
            .secret("wrong")
            .username("u")
            .build(),
    );
    assert_eq!(code, ErrorCode::Unauthorized);

    // The chat requests belong to the data channel: the Janus API refuses them. (They are
    // not requests of the Janus API model, so they go out raw and are not recorded.)
    for body in [
        json!({"request": "join", "room": room, "username": "alice"}),
        json!({"request": "message", "room": room, "text": "hi"}),
        json!({"request": "leave", "room": room}),
    ] {
        let shown = body.to_string();
        let outcome = s.conn.call(Message::new(s.handle.id(), body));
        let code = match outcome {
            Err(Error::Request(e)) => TextRoom::request_error(&e),
            other => panic!("{shown}: {other:?}"),
        };
        assert_eq!(code, Some(ErrorCode::InvalidRequest), "{shown}");
    }

    let destroyed = ok(&mut s, Destroy::builder().room(room).secret(SECRET).build());
    assert_eq!(destroyed.room, Id::Number(room));
    s.finish();
}

fn setup_ack_restart<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, TextRoom>::new(version, "setup_ack_restart");
    let h = s.handle;

    // `restart` before `setup`: there is no PeerConnection to restart.
    let shown = "restart before setup";
    let code = typed_error::<D, _>(shown, call(&mut s, h, Restart::new()));
    assert_eq!(code, ErrorCode::AlreadySetup);

    // `setup`: Janus offers a data channel.
    let accepted = call(&mut s, h, SetupRequest::new()).expect("setup");
    assert_eq!(accepted.value.result, "ok");
    let offer = accepted.jsep.expect("Janus's offer");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(
        offer.sdp.contains("m=application") && offer.sdp.contains("webrtc-datachannel"),
        "an offer of a data channel: {}",
        offer.sdp
    );
    // Once is enough.
    let code = typed_error::<D, _>("setup again", call(&mut s, h, SetupRequest::new()));
    assert_eq!(code, ErrorCode::AlreadySetup);

    // `ack`: the plugin does nothing with it but answer (the answer itself goes to the core).
    let acked = call(&mut s, h, Ack::builder().build()).expect("ack");
    assert_eq!(acked.value.result, "ok");
    assert_eq!(acked.jsep, None);

    // `restart` after `setup`: a new offer, restarting ICE.
    let restarted = call(&mut s, h, Restart::new()).expect("restart");
    assert_eq!(restarted.value.result, "ok");
    let offer = restarted.jsep.expect("a new offer");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(offer.sdp.contains("m=application"), "{}", offer.sdp);
    s.finish();
}
