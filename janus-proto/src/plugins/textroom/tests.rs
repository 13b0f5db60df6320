use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::datachannel::{self, DataRequest, Incoming};
use super::*;
use crate::error::PluginError;
use crate::plugins::testing::{self, sends};
use crate::plugins::Id;
use crate::secret::Secret;
use crate::wire::{Jsep, PluginData};

fn plugin_data(data: &Value) -> PluginData {
    testing::plugin_data(PACKAGE, data)
}

/// `data` decoded as `T` (inside a frame, as the core gets it); it encodes back to `data`.
fn decodes<T: DeserializeOwned + Serialize>(data: Value) -> T {
    let typed: T = plugin_data(&data).parse().expect("decodes");
    assert_eq!(
        serde_json::to_value(&typed).expect("encodes"),
        data,
        "encodes back"
    );
    typed
}

/// `request` is sent on the data channel as exactly `expected`, and `expected` (as text)
/// parses back to it.
fn sends_on_channel(request: impl Into<DataRequest>, transaction: &str, expected: Value) {
    let request = request.into();
    assert_eq!(request.transaction(), transaction);
    let text = request.to_text();
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        expected
    );
    let back: DataRequest = serde_json::from_str(&text).expect("parses back");
    assert_eq!(back, request);
}

/// `text` is `expected`, and encodes back to the same JSON.
fn receives(text: &str, expected: Incoming) {
    let incoming = Incoming::from_text(text);
    assert_eq!(incoming, expected, "{text}");
    assert_eq!(
        serde_json::to_value(&incoming).expect("encodes"),
        serde_json::from_str::<Value>(text).expect("JSON"),
    );
}

fn participant(username: &str, display: Option<&str>) -> Participant {
    Participant {
        username: username.into(),
        display: display.map(str::to_owned),
    }
}

#[test]
fn janus_api_requests_encode_as_documented() {
    sends(Setup::new(), json!({"request": "setup"}));
    sends(
        Ack::builder().jsep(Jsep::answer("v=0\r\n")).build(),
        json!({"request": "ack"}),
    );
    sends(Restart::new(), json!({"request": "restart"}));
    sends(
        Create::builder()
            .room(1234)
            .admin_key("supersecret")
            .description("Chat")
            .secret("adminpwd")
            .pin("1111")
            .is_private(true)
            .allowed(vec![Secret::from("t1")])
            .history(10)
            .post("http://127.0.0.1:8080/chat")
            .permanent(false)
            .build(),
        json!({
            "request": "create", "room": 1234, "admin_key": "supersecret",
            "description": "Chat", "secret": "adminpwd", "pin": "1111", "is_private": true,
            "allowed": ["t1"], "history": 10, "post": "http://127.0.0.1:8080/chat",
            "permanent": false
        }),
    );
    sends(Create::builder().build(), json!({"request": "create"}));
    sends(
        Edit::builder()
            .room("chat-a")
            .secret("adminpwd")
            .new_description("New")
            .new_secret("newpwd")
            .new_pin("2222")
            .new_post("http://127.0.0.1:8080/other")
            .new_is_private(false)
            .permanent(true)
            .build(),
        json!({
            "request": "edit", "room": "chat-a", "secret": "adminpwd",
            "new_description": "New", "new_secret": "newpwd", "new_pin": "2222",
            "new_post": "http://127.0.0.1:8080/other", "new_is_private": false,
            "permanent": true
        }),
    );
    sends(
        Destroy::builder()
            .room(1234)
            .secret("adminpwd")
            .permanent(true)
            .build(),
        json!({"request": "destroy", "room": 1234, "secret": "adminpwd", "permanent": true}),
    );
    sends(
        Exists::builder().room(1234).build(),
        json!({"request": "exists", "room": 1234}),
    );
    sends(List::builder().build(), json!({"request": "list"}));
    sends(
        List::builder().admin_key("supersecret").build(),
        json!({"request": "list", "admin_key": "supersecret"}),
    );
    sends(
        ListParticipants::builder().room(1234).build(),
        json!({"request": "listparticipants", "room": 1234}),
    );
    sends(
        Allowed::builder()
            .room(1234)
            .secret("adminpwd")
            .action(AllowedAction::Remove)
            .allowed(vec![Secret::from("t1")])
            .build(),
        json!({
            "request": "allowed", "room": 1234, "secret": "adminpwd", "action": "remove",
            "allowed": ["t1"]
        }),
    );
    for (action, word) in [
        (AllowedAction::Enable, "enable"),
        (AllowedAction::Disable, "disable"),
        (AllowedAction::Add, "add"),
    ] {
        sends(
            Allowed::builder().room(1).action(action).build(),
            json!({"request": "allowed", "room": 1, "action": word}),
        );
    }
    sends(
        Kick::builder()
            .room(1234)
            .secret("adminpwd")
            .username("bob")
            .build(),
        json!({"request": "kick", "room": 1234, "secret": "adminpwd", "username": "bob"}),
    );
    sends(
        Announcement::builder()
            .room(1234)
            .secret("adminpwd")
            .text("Closing in 5 minutes")
            .build(),
        json!({
            "request": "announcement", "room": 1234, "secret": "adminpwd",
            "text": "Closing in 5 minutes"
        }),
    );
}

#[test]
fn janus_api_replies_decode_as_documented() {
    let created: Created =
        decodes(json!({"textroom": "created", "room": 1234, "permanent": false}));
    assert_eq!((created.room, created.permanent), (Id::from(1234), false));
    let edited: Edited =
        decodes(json!({"textroom": "edited", "room": "chat-a", "permanent": true}));
    assert_eq!((edited.room, edited.permanent), (Id::from("chat-a"), true));
    let destroyed: Destroyed =
        decodes(json!({"textroom": "destroyed", "room": 1234, "permanent": false}));
    assert_eq!(destroyed.room, Id::from(1234));
    let exists: RoomExists = decodes(json!({"textroom": "success", "room": 1234, "exists": false}));
    assert!(!exists.exists);
    let list: RoomList = decodes(json!({
        "textroom": "success",
        "list": [{"room": 1234, "description": "Chat", "pin_required": false,
                  "num_participants": 3, "history": 10}]
    }));
    assert_eq!(
        list.list,
        vec![RoomInfo {
            room: Id::from(1234),
            description: "Chat".into(),
            pin_required: false,
            num_participants: 3,
            history: 10,
        }]
    );
    let participants: ParticipantList = decodes(json!({
        "textroom": "success", "room": 1234,
        "participants": [{"username": "alice", "display": "Alice"}, {"username": "bob"}]
    }));
    assert_eq!(
        participants.participants,
        vec![
            participant("alice", Some("Alice")),
            participant("bob", None)
        ]
    );
    let allowed: AllowedTokens =
        decodes(json!({"textroom": "success", "room": 1234, "allowed": ["t1", "t2"]}));
    assert_eq!(
        allowed.allowed,
        Some(vec![Secret::from("t1"), Secret::from("t2")])
    );
    let disabled: AllowedTokens = decodes(json!({"textroom": "success", "room": 1234}));
    assert_eq!(disabled.allowed, None);
    let _: Success = decodes(json!({"textroom": "success"}));
    let accepted: Accepted = decodes(json!({"textroom": "event", "result": "ok"}));
    assert_eq!(accepted.result, "ok");
}

#[test]
fn janus_1_1_2_replies_decode_too() {
    // 1.1.2's `listparticipants` reply has no "textroom" word.
    // It decodes, and encodes back without the word.
    let participants: ParticipantList =
        decodes(json!({"room": 1234, "participants": [{"username": "bob"}]}));
    assert_eq!(participants.participants, vec![participant("bob", None)]);
    assert_eq!(participants.word, None);
    // 1.1.2 answers `kick` with a misspelt word.
    let old = plugin_data(&json!({"textbridge": "success"}));
    assert!(old.parse::<Success>().is_ok());
}

#[test]
fn replies_missing_a_required_field_do_not_decode() {
    let data = plugin_data(&json!({"textroom": "created", "room": 1234}));
    assert!(data.parse::<Created>().is_err());
    let data = plugin_data(&json!({"textroom": "success", "room": 1234}));
    assert!(data.parse::<RoomExists>().is_err());
    assert!(data.parse::<ParticipantList>().is_err());
    let data = plugin_data(&json!({"textroom": "success"}));
    assert!(data.parse::<RoomList>().is_err());
    let data = plugin_data(&json!({"textroom": "success", "list": [{"room": 1}]}));
    assert!(data.parse::<RoomList>().is_err());
}

#[test]
fn janus_api_events_have_their_typed_view() {
    for (data, expected) in [
        (
            json!({"textroom": "event", "result": "ok"}),
            Event::Accepted(Accepted {
                word: Default::default(),
                result: "ok".into(),
            }),
        ),
        (
            json!({"textroom": "error", "error_code": 416, "error": "PeerConnection already setup"}),
            Event::Failure(Failure {
                textroom: "error".into(),
                error_code: 416,
                error: "PeerConnection already setup".into(),
            }),
        ),
        (
            json!({"textroom": "event", "error_code": 415, "error": "Unknown request 'join'"}),
            Event::Failure(Failure {
                textroom: "event".into(),
                error_code: 415,
                error: "Unknown request 'join'".into(),
            }),
        ),
    ] {
        let event = Event::from_data(&plugin_data(&data));
        assert_eq!(event, expected);
        assert_eq!(serde_json::to_value(&event).ok(), Some(data));
    }
    assert_eq!(
        TextRoom::event(&plugin_data(&json!({"textroom": "event", "result": "ok"}))),
        Event::Accepted(Accepted {
            word: Default::default(),
            result: "ok".into()
        })
    );
    for data in [
        json!({"textroom": "something-new"}),
        json!({"textroom": "event"}),
        json!({"textroom": "error", "error_code": "not a number"}),
        json!("text"),
    ] {
        let event = Event::from_data(&plugin_data(&data));
        assert_eq!(event, Event::Other, "{data}");
        assert_eq!(serde_json::to_value(&event).ok(), Some(Value::Null));
    }
    let foreign = testing::plugin_data(
        "janus.plugin.echotest",
        &json!({"textroom": "event", "result": "ok"}),
    );
    assert_eq!(Event::from_data(&foreign), Event::Other);
}

#[test]
fn data_channel_requests_encode_as_documented() {
    sends_on_channel(
        datachannel::Join::builder()
            .transaction("t1")
            .room(1234)
            .username("alice")
            .pin("1111")
            .display("Alice")
            .token("t9")
            .history(false)
            .build(),
        "t1",
        json!({
            "textroom": "join", "transaction": "t1", "room": 1234, "username": "alice",
            "pin": "1111", "display": "Alice", "token": "t9", "history": false
        }),
    );
    sends_on_channel(
        datachannel::Leave::builder()
            .transaction("t2")
            .room(1234)
            .build(),
        "t2",
        json!({"textroom": "leave", "transaction": "t2", "room": 1234}),
    );
    sends_on_channel(
        datachannel::Message::builder()
            .transaction("t3")
            .room(1234)
            .text("Hello!")
            .ack(false)
            .build(),
        "t3",
        json!({"textroom": "message", "transaction": "t3", "room": 1234, "text": "Hello!", "ack": false}),
    );
    sends_on_channel(
        datachannel::Message::builder()
            .transaction("t4")
            .room(1234)
            .text("psst")
            .to("bob")
            .build(),
        "t4",
        json!({"textroom": "message", "transaction": "t4", "room": 1234, "text": "psst", "to": "bob"}),
    );
    sends_on_channel(
        datachannel::Message::builder()
            .transaction("t5")
            .room(1234)
            .text("psst")
            .tos(vec!["bob".to_owned(), "carol".to_owned()])
            .build(),
        "t5",
        json!({
            "textroom": "message", "transaction": "t5", "room": 1234, "text": "psst",
            "tos": ["bob", "carol"]
        }),
    );
    sends_on_channel(
        datachannel::Announcement::builder()
            .transaction("t6")
            .room(1234)
            .secret("adminpwd")
            .text("Closing")
            .build(),
        "t6",
        json!({
            "textroom": "announcement", "transaction": "t6", "room": 1234,
            "secret": "adminpwd", "text": "Closing"
        }),
    );
    sends_on_channel(
        datachannel::List::builder()
            .transaction("t7")
            .admin_key("supersecret")
            .build(),
        "t7",
        json!({"textroom": "list", "transaction": "t7", "admin_key": "supersecret"}),
    );
    sends_on_channel(
        datachannel::ListParticipants::builder()
            .transaction("t8")
            .room(1234)
            .build(),
        "t8",
        json!({"textroom": "listparticipants", "transaction": "t8", "room": 1234}),
    );
    sends_on_channel(
        datachannel::Allowed::builder()
            .transaction("t9")
            .room(1234)
            .secret("adminpwd")
            .action(AllowedAction::Add)
            .allowed(vec![Secret::from("t1")])
            .build(),
        "t9",
        json!({
            "textroom": "allowed", "transaction": "t9", "room": 1234, "secret": "adminpwd",
            "action": "add", "allowed": ["t1"]
        }),
    );
    sends_on_channel(
        datachannel::Kick::builder()
            .transaction("t10")
            .room(1234)
            .secret("adminpwd")
            .username("bob")
            .build(),
        "t10",
        json!({
            "textroom": "kick", "transaction": "t10", "room": 1234, "secret": "adminpwd",
            "username": "bob"
        }),
    );
    sends_on_channel(
        datachannel::Create::builder()
            .transaction("t11")
            .room(1234)
            .admin_key("supersecret")
            .description("Chat")
            .secret("adminpwd")
            .pin("1111")
            .is_private(false)
            .allowed(vec![Secret::from("t1")])
            .history(20)
            .post("http://127.0.0.1:8080/chat")
            .permanent(true)
            .build(),
        "t11",
        json!({
            "textroom": "create", "transaction": "t11", "room": 1234,
            "admin_key": "supersecret", "description": "Chat", "secret": "adminpwd",
            "pin": "1111", "is_private": false, "allowed": ["t1"], "history": 20,
            "post": "http://127.0.0.1:8080/chat", "permanent": true
        }),
    );
    sends_on_channel(
        datachannel::Edit::builder()
            .transaction("t12")
            .room(1234)
            .secret("adminpwd")
            .new_description("New")
            .new_secret("newpwd")
            .new_pin("2222")
            .new_post("http://127.0.0.1:8080/other")
            .new_is_private(true)
            .permanent(false)
            .build(),
        "t12",
        json!({
            "textroom": "edit", "transaction": "t12", "room": 1234, "secret": "adminpwd",
            "new_description": "New", "new_secret": "newpwd", "new_pin": "2222",
            "new_post": "http://127.0.0.1:8080/other", "new_is_private": true,
            "permanent": false
        }),
    );
    sends_on_channel(
        datachannel::Destroy::builder()
            .transaction("t13")
            .room(1234)
            .secret("adminpwd")
            .permanent(true)
            .build(),
        "t13",
        json!({
            "textroom": "destroy", "transaction": "t13", "room": 1234, "secret": "adminpwd",
            "permanent": true
        }),
    );
    sends_on_channel(
        datachannel::Exists::builder()
            .transaction("t14")
            .room("chat-a")
            .build(),
        "t14",
        json!({"textroom": "exists", "transaction": "t14", "room": "chat-a"}),
    );
    // A request without its transaction, or with an unknown word, does not parse.
    assert!(serde_json::from_str::<DataRequest>(r#"{"textroom":"leave","room":1}"#).is_err());
    assert!(serde_json::from_str::<DataRequest>(
        r#"{"textroom":"dance","transaction":"t","room":1}"#
    )
    .is_err());
}

/// A data-channel success reply with its `"textroom": "success"` word.
fn reply(transaction: &str) -> datachannel::Reply {
    datachannel::Reply {
        word: Some(Default::default()),
        ..reply_without_word(transaction)
    }
}

/// A data-channel success reply as Janus 1.1.2 sends some: without the word.
fn reply_without_word(transaction: &str) -> datachannel::Reply {
    datachannel::Reply {
        word: None,
        transaction: transaction.into(),
        room: None,
        participants: None,
        list: None,
        permanent: None,
        exists: None,
        allowed: None,
        sent: None,
    }
}

#[test]
fn data_channel_replies_parse_as_documented() {
    receives(
        r#"{"textroom":"success","transaction":"t1","participants":[{"username":"bob","display":"Bob"}]}"#,
        Incoming::Success(datachannel::Reply {
            participants: Some(vec![participant("bob", Some("Bob"))]),
            ..reply("t1")
        }),
    );
    receives(
        r#"{"textroom":"success","transaction":"t2"}"#,
        Incoming::Success(reply("t2")),
    );
    receives(
        r#"{"textroom":"success","transaction":"t5","sent":{"bob":true,"carol":false}}"#,
        Incoming::Success(datachannel::Reply {
            sent: Some(BTreeMap::from([
                ("bob".to_owned(), true),
                ("carol".to_owned(), false),
            ])),
            ..reply("t5")
        }),
    );
    receives(
        r#"{"textroom":"success","transaction":"t7","list":[{"room":1234,"description":"Chat","pin_required":true,"num_participants":1,"history":0}]}"#,
        Incoming::Success(datachannel::Reply {
            list: Some(vec![RoomInfo {
                room: Id::from(1234),
                description: "Chat".into(),
                pin_required: true,
                num_participants: 1,
                history: 0,
            }]),
            ..reply("t7")
        }),
    );
    receives(
        r#"{"textroom":"success","transaction":"t8","room":1234,"participants":[]}"#,
        Incoming::Success(datachannel::Reply {
            room: Some(Id::from(1234)),
            participants: Some(vec![]),
            ..reply("t8")
        }),
    );
    receives(
        r#"{"textroom":"success","transaction":"t9","room":1234,"allowed":["t1"]}"#,
        Incoming::Success(datachannel::Reply {
            room: Some(Id::from(1234)),
            allowed: Some(vec![Secret::from("t1")]),
            ..reply("t9")
        }),
    );
    receives(
        r#"{"textroom":"success","transaction":"t11","room":1234,"permanent":true}"#,
        Incoming::Success(datachannel::Reply {
            room: Some(Id::from(1234)),
            permanent: Some(true),
            ..reply("t11")
        }),
    );
    receives(
        r#"{"textroom":"success","transaction":"t14","room":"chat-a","exists":true}"#,
        Incoming::Success(datachannel::Reply {
            room: Some(Id::from("chat-a")),
            exists: Some(true),
            ..reply("t14")
        }),
    );
    let error = Incoming::from_text(
        r#"{"textroom":"error","error_code":420,"error":"Username already taken","transaction":"t1"}"#,
    );
    let Incoming::Error(ref refused) = error else {
        panic!("an error: {error:?}");
    };
    assert_eq!(refused.code(), ErrorCode::UsernameExists);
    assert_eq!(error.transaction(), Some("t1"));
    receives(
        r#"{"textroom":"error","error_code":413,"error":"Missing element (transaction)"}"#,
        Incoming::Error(datachannel::ErrorReply {
            word: Default::default(),
            transaction: None,
            error_code: 413,
            error: "Missing element (transaction)".into(),
        }),
    );
    assert_eq!(
        Incoming::from_text(r#"{"textroom":"success","transaction":"t2"}"#).transaction(),
        Some("t2")
    );
}

#[test]
fn data_channel_notifications_parse_as_documented() {
    receives(
        r#"{"textroom":"join","room":1234,"username":"bob","display":"Bob"}"#,
        Incoming::Join(datachannel::JoinNotice {
            word: Default::default(),
            room: Id::from(1234),
            username: "bob".into(),
            display: Some("Bob".into()),
        }),
    );
    receives(
        r#"{"textroom":"join","room":1234,"username":"carol"}"#,
        Incoming::Join(datachannel::JoinNotice {
            word: Default::default(),
            room: Id::from(1234),
            username: "carol".into(),
            display: None,
        }),
    );
    receives(
        r#"{"textroom":"leave","room":1234,"username":"bob"}"#,
        Incoming::Leave(datachannel::LeaveNotice {
            word: Default::default(),
            room: Id::from(1234),
            username: "bob".into(),
        }),
    );
    receives(
        r#"{"textroom":"message","room":1234,"from":"bob","date":"2024-05-01T10:00:00+0200","text":"Hi"}"#,
        Incoming::Message(datachannel::ChatMessage {
            word: Default::default(),
            room: Id::from(1234),
            from: "bob".into(),
            date: "2024-05-01T10:00:00+0200".into(),
            text: "Hi".into(),
            whisper: None,
            display: None,
        }),
    );
    receives(
        r#"{"textroom":"message","room":1234,"from":"bob","date":"2024-05-01T10:00:00+0200","text":"psst","whisper":true}"#,
        Incoming::Message(datachannel::ChatMessage {
            word: Default::default(),
            room: Id::from(1234),
            from: "bob".into(),
            date: "2024-05-01T10:00:00+0200".into(),
            text: "psst".into(),
            whisper: Some(true),
            display: None,
        }),
    );
    receives(
        r#"{"textroom":"message","room":1234,"from":"bob","date":"2024-05-01T10:00:00+0200","text":"earlier","display":"Bob"}"#,
        Incoming::Message(datachannel::ChatMessage {
            word: Default::default(),
            room: Id::from(1234),
            from: "bob".into(),
            date: "2024-05-01T10:00:00+0200".into(),
            text: "earlier".into(),
            whisper: None,
            display: Some("Bob".into()),
        }),
    );
    receives(
        r#"{"textroom":"announcement","room":1234,"date":"2024-05-01T10:00:00+0200","text":"Closing"}"#,
        Incoming::Announcement(datachannel::AnnouncementNotice {
            word: Default::default(),
            room: Id::from(1234),
            date: "2024-05-01T10:00:00+0200".into(),
            text: "Closing".into(),
        }),
    );
    receives(
        r#"{"textroom":"kicked","room":1234,"username":"bob"}"#,
        Incoming::Kicked(datachannel::KickNotice {
            word: Default::default(),
            room: Id::from(1234),
            username: "bob".into(),
        }),
    );
    receives(
        r#"{"textroom":"destroyed","room":1234}"#,
        Incoming::Destroyed(datachannel::DestroyNotice {
            word: Default::default(),
            room: Id::from(1234),
        }),
    );
    assert_eq!(
        Incoming::from_text(r#"{"textroom":"destroyed","room":1234}"#).transaction(),
        None
    );
}

#[test]
fn janus_1_1_2_data_channel_replies_are_successes() {
    // `kick`, misspelt.
    assert_eq!(
        Incoming::from_text(r#"{"textbridge":"success","transaction":"t10"}"#),
        Incoming::Success(reply_without_word("t10"))
    );
    // `listparticipants`, with no word.
    assert_eq!(
        Incoming::from_text(
            r#"{"room":1234,"participants":[{"username":"bob"}],"transaction":"t8"}"#
        ),
        Incoming::Success(datachannel::Reply {
            room: Some(Id::from(1234)),
            participants: Some(vec![participant("bob", None)]),
            ..reply_without_word("t8")
        })
    );
}

#[test]
fn unknown_data_channel_messages_are_kept_as_json() {
    for text in [
        r#"{"textroom":"dance","room":1234}"#,
        r#"{"textroom":"join","room":1234}"#,
        r#"{"textroom":"success"}"#,
        r#"{"textroom":7}"#,
        r#"{"something":"else"}"#,
        r#"[1,2,3]"#,
        r#"42"#,
    ] {
        let value: Value = serde_json::from_str(text).expect("JSON");
        assert_eq!(Incoming::from_text(text), Incoming::Other(value.clone()));
        assert_eq!(
            serde_json::to_value(Incoming::from_text(text)).ok(),
            Some(value)
        );
    }
    assert_eq!(
        Incoming::from_text("not JSON"),
        Incoming::Other(Value::String("not JSON".into()))
    );
    assert_eq!(Incoming::from_text("not JSON").transaction(), None);
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let join = datachannel::Join::builder()
        .transaction("t")
        .room(1)
        .username("alice")
        .pin("1111")
        .token("t9")
        .build();
    let debug = format!("{join:?}");
    assert!(!debug.contains("1111") && !debug.contains("t9"));
}

#[test]
fn error_codes_map_both_ways() {
    let codes = [
        (411, ErrorCode::NoMessage),
        (412, ErrorCode::InvalidJson),
        (413, ErrorCode::MissingElement),
        (414, ErrorCode::InvalidElement),
        (415, ErrorCode::InvalidRequest),
        (416, ErrorCode::AlreadySetup),
        (417, ErrorCode::NoSuchRoom),
        (418, ErrorCode::RoomExists),
        (419, ErrorCode::Unauthorized),
        (420, ErrorCode::UsernameExists),
        (421, ErrorCode::AlreadyInRoom),
        (422, ErrorCode::NotInRoom),
        (423, ErrorCode::NoSuchUser),
        (499, ErrorCode::UnknownError),
    ];
    for (code, typed) in codes {
        assert_eq!(ErrorCode::from_code(code), typed);
        assert_eq!(typed.code(), code);
    }
    assert_eq!(ErrorCode::from_code(424), ErrorCode::Other(424));
    assert_eq!(ErrorCode::Other(424).code(), 424);
    let error = |plugin: &str| PluginError {
        plugin: plugin.into(),
        code: 417,
        reason: "No such room (1234)".into(),
        data: testing::plugin_data(
            plugin,
            &json!({"textroom": "error", "error_code": 417, "error": "No such room (1234)"}),
        ),
    };
    assert_eq!(
        TextRoom::error_of(&error(PACKAGE)),
        Some(ErrorCode::NoSuchRoom)
    );
    assert_eq!(TextRoom::error_of(&error("janus.plugin.audiobridge")), None);
}
