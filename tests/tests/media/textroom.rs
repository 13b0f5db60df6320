//! TextRoom: two str0m peers, each on its own handle: `setup` (Janus offers a data channel),
//! `ack` with the answer, the peer opens its channel; then the room's protocol on the data
//! channels, typed both ways (`datachannel::DataRequest` out, `datachannel::Incoming` in):
//! both join (each sees the other), a message to the room, a whisper, a leave, and the room
//! destroyed through the Janus API with one participant still in it.

use janus_proto::plugins::textroom::datachannel::{DataRequest, Incoming, Join, Leave, Message};
use janus_proto::plugins::textroom::{Ack, Create, Destroy, Participant, Setup, TextRoom};
use janus_proto::plugins::Id;
use janus_proto::request;
use janus_proto::{Jsep, JsepType};
use janus_tests::drivers::{Blocking, JanusDriver};
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::netns::NetNs;
use janus_tests::peer::{CandidateMode, Peer};
use janus_tests::JanusVersion;

use crate::netns_or_skip;
use crate::streams_common::{connect, janus_in, unique_id, Events, Running};

#[test]
fn textroom_data_channel_join_message_leave_1_1_2() {
    join_message_leave(JanusVersion::V1_1_2);
}

#[test]
fn textroom_data_channel_join_message_leave_1_4_1() {
    join_message_leave(JanusVersion::V1_4_1);
}

/// A participant: its handle's events and its peer, data channel open.
struct Member {
    events: Events<TextRoom>,
    peer: Running,
    name: &'static str,
}

impl Member {
    /// `setup`, the peer's answer with `ack`, `webrtcup`, the peer's channel open.
    fn join_janus(
        ns: &NetNs,
        conn: &mut Blocking,
        rec: &mut Recorder,
        session: janus_proto::SessionId,
        name: &'static str,
    ) -> Self {
        let handle = conn.attach_plugin::<TextRoom>(session).expect("attach");
        let mut events = Events::new(handle);
        let setup = rec.call(conn, handle, Setup::new()).expect("setup");
        assert_eq!(setup.value.result, "ok");
        let offer = setup.jsep.expect("Janus's offer");
        assert_eq!(offer.kind, JsepType::Offer);
        assert!(
            offer.sdp.contains("m=application") && !offer.sdp.contains("m=audio"),
            "a data channel only:\n{}",
            offer.sdp
        );
        let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
        let answer = peer.answer(&offer.sdp).expect("answering Janus's offer");
        peer.open_channel(name).expect("opening our channel");
        let peer = Running::start(name, peer);
        let mut jsep = Jsep::answer(answer);
        jsep.trickle = Some(false);
        let acked = rec
            .call(conn, handle, Ack::builder().jsep(jsep).build())
            .expect("ack");
        assert_eq!(acked.value.result, "ok");
        assert!(acked.jsep.is_none());
        events.webrtcup(conn, rec);
        peer.wait_for("the data channel to open", STEP, |s| s.channel_open);
        Self { events, peer, name }
    }

    fn send(&self, request: impl Into<DataRequest>) {
        self.peer.send_text(request.into().to_text());
    }

    /// Waits for a data-channel message `pick` accepts (any received so far, or a new one).
    fn wait<T>(&self, what: &str, mut pick: impl FnMut(&Incoming) -> Option<T>) -> T {
        let mut found = None;
        self.peer.wait_for(what, STEP, |seen| {
            found = seen
                .texts
                .iter()
                .find_map(|text| pick(&Incoming::from_text(text)));
            found.is_some()
        });
        found.expect("just found")
    }

    /// The success reply of the request with `transaction`.
    fn reply(&self, transaction: &str) -> janus_proto::plugins::textroom::datachannel::Reply {
        self.wait(
            &format!("{}: the reply to {transaction}", self.name),
            |m| match m {
                Incoming::Success(reply) if reply.transaction == transaction => Some(reply.clone()),
                Incoming::Error(e) if e.transaction.as_deref() == Some(transaction) => {
                    panic!("{transaction} refused: {e:?}")
                }
                _ => None,
            },
        )
    }

    /// All data-channel messages so far, typed.
    fn received(&self) -> Vec<Incoming> {
        self.peer
            .seen()
            .texts
            .iter()
            .map(|t| Incoming::from_text(t))
            .collect()
    }
}

fn join_message_leave(version: JanusVersion) {
    let test = format!("textroom_{}", version.as_str().replace('.', "_"));
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let janus = janus_in(&ns, version, &test);
    let mut conn = connect(&janus);
    let mut rec = Recorder::new(&mut conn, "media_setup_ack_data_channel");
    assert_eq!(rec.version(), version.as_str());
    let session = conn.call(request::Create::new()).expect("create");

    let mut alice = Member::join_janus(&ns, &mut conn, &mut rec, session, "alice");
    let mut bob = Member::join_janus(&ns, &mut conn, &mut rec, session, "bob");
    let room = unique_id(9);
    let created = rec
        .call(
            &mut conn,
            alice.events.handle,
            Create::builder()
                .room(room)
                .description("media test")
                .build(),
        )
        .expect("create the room");
    assert_eq!(created.value.room, Id::Number(room));

    // Alice joins an empty room, then Bob: each is told of the other.
    alice.send(
        Join::builder()
            .transaction("a-join")
            .room(room)
            .username("alice")
            .display("Alice")
            .build(),
    );
    let joined = alice.reply("a-join");
    assert_eq!(joined.participants, Some(vec![]), "{joined:?}");
    bob.send(
        Join::builder()
            .transaction("b-join")
            .room(room)
            .username("bob")
            .display("Bob")
            .build(),
    );
    let joined = bob.reply("b-join");
    let others: Vec<&Participant> = joined.participants.iter().flatten().collect();
    assert_eq!(others.len(), 1, "{joined:?}");
    assert_eq!(others[0].username, "alice");
    assert_eq!(others[0].display.as_deref(), Some("Alice"));
    let bob_joined = alice.wait("alice: bob's join", |m| match m {
        Incoming::Join(join) if join.username == "bob" => Some(join.clone()),
        _ => None,
    });
    assert_eq!(bob_joined.room, Id::Number(room));
    assert_eq!(bob_joined.display.as_deref(), Some("Bob"));

    // A message to the room: both get it, the sender included.
    alice.send(
        Message::builder()
            .transaction("a-msg")
            .room(room)
            .text("hello, room")
            .build(),
    );
    let sent = alice.reply("a-msg");
    assert_eq!(sent.sent, None, "not a whisper: {sent:?}");
    for member in [&alice, &bob] {
        let message = member.wait(&format!("{}: alice's message", member.name), |m| match m {
            Incoming::Message(message) if message.text == "hello, room" => Some(message.clone()),
            _ => None,
        });
        assert_eq!(message.from, "alice");
        assert_eq!(message.room, Id::Number(room));
        assert_eq!(message.whisper, None);
        assert!(!message.date.is_empty());
    }

    // A whisper from Bob to Alice: the reply says who got it.
    bob.send(
        Message::builder()
            .transaction("b-whisper")
            .room(room)
            .text("psst")
            .to("alice")
            .build(),
    );
    let whispered = bob.reply("b-whisper");
    assert_eq!(
        whispered.sent,
        Some([("alice".to_owned(), true)].into()),
        "{whispered:?}"
    );
    let whisper = alice.wait("alice: bob's whisper", |m| match m {
        Incoming::Message(message) if message.text == "psst" => Some(message.clone()),
        _ => None,
    });
    assert_eq!(whisper.from, "bob");
    assert_eq!(whisper.whisper, Some(true));

    // Bob leaves: Alice is told.
    bob.send(Leave::builder().transaction("b-leave").room(room).build());
    bob.reply("b-leave");
    let left = alice.wait("alice: bob's leave", |m| match m {
        Incoming::Leave(leave) if leave.username == "bob" => Some(leave.clone()),
        _ => None,
    });
    assert_eq!(left.room, Id::Number(room));

    // The room destroyed through the Janus API: Alice, still in it, is told.
    let destroyed = rec
        .call(
            &mut conn,
            alice.events.handle,
            Destroy::builder().room(room).build(),
        )
        .expect("destroy the room");
    assert_eq!(destroyed.value.room, Id::Number(room));
    let gone = alice.wait("alice: the room destroyed", |m| match m {
        Incoming::Destroyed(notice) => Some(notice.room.clone()),
        _ => None,
    });
    assert_eq!(gone, Id::Number(room));
    // Janus tells the handle that destroyed the room too (Alice's, here a participant as
    // well, so she hears it twice), on both versions.
    let notices = 2;
    let destroyed_notices = |texts: &[String]| {
        texts
            .iter()
            .filter(|t| matches!(Incoming::from_text(t), Incoming::Destroyed(_)))
            .count()
    };
    alice
        .peer
        .wait_for("alice: every destroyed notice", STEP, |s| {
            destroyed_notices(&s.texts) >= notices
        });

    // Hanging up takes a round trip: a further notice would have come by then.
    for member in [&mut alice, &mut bob] {
        let handle = member.events.handle;
        conn.call(request::Hangup(handle.id())).expect("hangup");
        member.events.hangup(&mut conn, &mut rec);
    }
    assert_eq!(
        destroyed_notices(&alice.peer.seen().texts),
        notices,
        "destroyed notices to alice"
    );
    let seen_by_alice = alice.received();
    let seen_by_bob = bob.received();
    assert!(
        !seen_by_bob
            .iter()
            .any(|m| matches!(m, Incoming::Message(message) if message.text == "psst")),
        "the whisper went to Alice only: {seen_by_bob:#?}"
    );
    assert!(
        !seen_by_alice
            .iter()
            .chain(&seen_by_bob)
            .any(|m| matches!(m, Incoming::Other(_) | Incoming::Error(_))),
        "every data-channel message typed, none an error: {seen_by_alice:#?} {seen_by_bob:#?}"
    );
    println!(
        "{test}: alice got {} data-channel messages: {:?}; bob got {}: {:?}",
        seen_by_alice.len(),
        seen_by_alice,
        seen_by_bob.len(),
        seen_by_bob
    );
    drop((alice, bob));
    conn.call(request::Destroy(session)).expect("destroy");
    conn.close();
    rec.finish();
}
