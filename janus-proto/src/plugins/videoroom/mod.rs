//! VideoRoom (`janus.plugin.videoroom`): the SFU, with the multistream API of Janus 1.x.
//!
//! A handle is either a *publisher* (a participant of a room, who may publish a
//! PeerConnection of any number of streams and gets the room's notifications) or a
//! *subscriber* (a PeerConnection receiving streams of one or more publishers). The requests
//! are grouped the way the plugin's documentation groups them:
//!
//! - room management, answered synchronously (a `success`-kind reply): [`Create`],
//!   [`Edit`], [`Destroy`], [`Exists`], [`List`], [`Allowed`], [`Kick`], [`Moderate`],
//!   [`ListParticipants`], [`EnableRecording`];
//! - RTP forwarding, synchronous too: [`RtpForward`], [`StopRtpForward`],
//!   [`ListForwarders`];
//! - remote publishers (room cascading), synchronous: [`AddRemotePublisher`],
//!   [`UpdateRemotePublisher`], [`RemoveRemotePublisher`], [`PublishRemotely`],
//!   [`UnpublishRemotely`], [`ListRemotes`];
//! - publishers, asynchronous (the outcome is the plugin's event carrying the request's
//!   transaction, with Janus's SDP answer when an offer went with it): [`JoinPublisher`],
//!   [`JoinAndConfigure`], [`Publish`], [`ConfigurePublisher`], [`Unpublish`],
//!   [`LeavePublisher`];
//! - subscribers, asynchronous (Janus sends the offers, the subscriber answers with
//!   [`Start`]): [`JoinSubscriber`], [`Start`], [`Pause`], [`Subscribe`], [`Unsubscribe`],
//!   [`Update`], [`ConfigureSubscriber`], [`Switch`], [`LeaveSubscriber`].
//!
//! Everything the plugin sends on its own (new publishers, leaving participants, talking
//! events, renegotiations of a subscription…) is an [`Event`]; failures are plugin errors
//! whose codes are [`ErrorCode`]s (an error the plugin reports in an event that answers no
//! request is [`Event::Error`]).
//!
//! Room, participant and feed ids are [`Id`](crate::plugins::Id)s: numbers, or strings when
//! the plugin runs with `string_ids`. Secrets, PINs, tokens, admin keys and SRTP keys are
//! [`Secret`](crate::Secret)s.
//!
//! Versions: the model follows Janus 1.4.1's source and also covers 1.1.2 (Debian 12). What
//! appeared after 1.1.2 is documented with the version that introduced it (e.g. `metadata`,
//! 1.3.0); what 1.1.2 has and 1.4 dropped (`video_svc`) says so.
//!
//! ```
//! use janus_proto::plugins::videoroom::{JoinPublisher, SubscribeStream, JoinSubscriber, VideoRoom};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId};
//!
//! let join = JoinPublisher::builder().room(1234u64).display("Alice").build();
//! match PluginHandle::<VideoRoom>::new(HandleId(7)).request(join).into_command() {
//!     Command::Message { body, .. } => assert_eq!(
//!         body,
//!         serde_json::json!({"request": "join", "ptype": "publisher", "room": 1234, "display": "Alice"})
//!     ),
//!     other => panic!("{other:?}"),
//! }
//!
//! let subscribe = JoinSubscriber::builder()
//!     .room(1234u64)
//!     .streams(vec![SubscribeStream::builder().feed(5678u64).mid("0").build()])
//!     .build();
//! match PluginHandle::<VideoRoom>::new(HandleId(8)).request(subscribe).into_command() {
//!     Command::Message { body, .. } => assert_eq!(
//!         body,
//!         serde_json::json!({
//!             "request": "join", "ptype": "subscriber", "room": 1234,
//!             "streams": [{"feed": 5678, "mid": "0"}]
//!         })
//!     ),
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::plugins::Plugin;
use crate::wire::PluginData;

mod events;
mod forwarding;
mod publisher;
mod remote;
mod room;
mod streams;
mod subscriber;

pub use events::{
    Attendee, DisplayChanged, ErrorEvent, Event, Joining, Kicked, LayerChanged, Leaving,
    MetadataChanged, Moderated, Moderation, Publishers, SlowLink, Talking, TalkingState,
    Unpublished,
};
pub use forwarding::{
    ForwardStream, ForwarderInfo, Forwarders, HostFamily, LegacyRtpStream, ListForwarders,
    PublisherForwarders, RtpForward, RtpForwardStopped, RtpForwarded, StopRtpForward,
};
pub use publisher::{
    ConfigurePublisher, Configured, JoinAndConfigure, JoinPublisher, Joined, LeavePublisher,
    LeavingOk, Publish, PublisherStreamConfig, Unpublish, UnpublishedOk,
};
pub use remote::{
    AddRemotePublisher, ListRemotes, PublishRemotely, RemotePublisherAdded, RemotelyPublished,
    RemotelyUnpublished, Remotes, Remotization, RemoveRemotePublisher, UnpublishRemotely,
    UpdateRemotePublisher,
};
pub use room::{
    Allowed, AllowedAction, AllowedList, Create, Created, Destroy, Destroyed, DummyStream, Edit,
    Edited, EnableRecording, Exists, ExistsResult, Kick, List, ListParticipants, Moderate,
    ParticipantInfo, Participants, RecordingState, RoomInfo, RoomList, Success,
};
pub use streams::{
    MediaType, PlayoutDelay, Publisher, PublisherStream, SimulcastState, StreamDescription,
    SubscriberStream, SvcState,
};
pub use subscriber::{
    Attached, ConfigureSubscriber, JoinSubscriber, LeaveSubscriber, Left, Pause, Paused, Start,
    Started, Subscribe, SubscribeStream, SubscriberStreamConfig, SubscriptionUpdate, Switch,
    SwitchOutcome, SwitchStream, Switched, Unsubscribe, UnsubscribeStream, Update, Updated,
    Updating,
};

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.videoroom";

/// The VideoRoom plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoRoom;

impl Plugin for VideoRoom {
    const PACKAGE: &'static str = PACKAGE;
    type Event = Event;
    type ErrorCode = ErrorCode;

    fn event(data: &PluginData) -> Event {
        Event::from_data(data)
    }

    fn error_code(code: i64) -> ErrorCode {
        ErrorCode::from_code(code)
    }
}

error_codes! {
    /// The VideoRoom's error codes (`error_code` of a plugin error), the
    /// `JANUS_VIDEOROOM_ERROR_*` defines of Janus 1.4.1; 1.1.2 has all but
    /// [`InvalidFeed`](Self::InvalidFeed).
    ///
    /// ```
    /// use janus_proto::plugins::videoroom::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(426), ErrorCode::NoSuchRoom);
    /// assert_eq!(ErrorCode::NoSuchRoom.code(), 426);
    /// ```
    ErrorCode {
        /// 499: an unknown or internal error (e.g. a permanent room without a configuration
        /// file, a socket that could not be opened).
        UnknownError = 499,
        /// 421: no message.
        NoMessage = 421,
        /// 422: the message is not valid JSON.
        InvalidJson = 422,
        /// 423: the request is unknown, or not valid here (e.g. an offer sent to create a
        /// subscriber).
        InvalidRequest = 423,
        /// 424: the handle must join a room first.
        JoinFirst = 424,
        /// 425: the handle already joined (as a publisher or a subscriber).
        AlreadyJoined = 425,
        /// 426: no such room.
        NoSuchRoom = 426,
        /// 427: a room with that id exists already.
        RoomExists = 427,
        /// 428: no such feed (publisher, stream, mid or forwarder).
        NoSuchFeed = 428,
        /// 429: a mandatory field is missing.
        MissingElement = 429,
        /// 430: a field is of the wrong type or has an invalid value.
        InvalidElement = 430,
        /// 431: the JSEP type is neither offer nor answer, or not the one expected.
        InvalidSdpType = 431,
        /// 432: the room has as many active publishers as it allows.
        PublishersFull = 432,
        /// 433: wrong secret, PIN or token, not in the allowed list, or kicked.
        Unauthorized = 433,
        /// 434: already publishing (a `publish` while published).
        AlreadyPublished = 434,
        /// 435: not publishing (an `unpublish` while not published).
        NotPublished = 435,
        /// 436: a participant or remotization with that id exists already.
        IdExists = 436,
        /// 437: the SDP could not be processed, or would have no stream.
        InvalidSdp = 437,
        /// 438: a feed that cannot go in this subscription (end-to-end encryption mismatch;
        /// not defined in Janus 1.1.2).
        InvalidFeed = 438,
    }
}

/// Declares the unit type of a `ptype` word. The reply and event words of the model are
/// `monostate::MustBe!` fields, exact as Janus sends them; the `ptype` of a join is the one
/// word Janus reads ignoring case (`strcasecmp`), so its type serializes to the word and
/// decodes from it in any case, which `MustBe!` (exact) cannot express.
macro_rules! ptype {
    ($(#[$doc:meta])* $name:ident = $word:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($word)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                if word.eq_ignore_ascii_case($word) {
                    Ok($name)
                } else {
                    Err(serde::de::Error::invalid_value(
                        serde::de::Unexpected::Str(&word),
                        &$word,
                    ))
                }
            }
        }
    };
}

ptype! {
    /// The `ptype` of [`JoinPublisher`] and [`JoinAndConfigure`]: always `"publisher"`
    /// (Janus compares it ignoring case, and so does decoding).
    PtypePublisher = "publisher"
}

ptype! {
    /// The `ptype` of [`JoinSubscriber`]: always `"subscriber"` (Janus compares it ignoring
    /// case, and so does decoding).
    PtypeSubscriber = "subscriber"
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::PluginError;
    use testing::plugin_data;

    #[test]
    fn every_error_code_maps_both_ways() {
        let codes = [
            (499, ErrorCode::UnknownError),
            (421, ErrorCode::NoMessage),
            (422, ErrorCode::InvalidJson),
            (423, ErrorCode::InvalidRequest),
            (424, ErrorCode::JoinFirst),
            (425, ErrorCode::AlreadyJoined),
            (426, ErrorCode::NoSuchRoom),
            (427, ErrorCode::RoomExists),
            (428, ErrorCode::NoSuchFeed),
            (429, ErrorCode::MissingElement),
            (430, ErrorCode::InvalidElement),
            (431, ErrorCode::InvalidSdpType),
            (432, ErrorCode::PublishersFull),
            (433, ErrorCode::Unauthorized),
            (434, ErrorCode::AlreadyPublished),
            (435, ErrorCode::NotPublished),
            (436, ErrorCode::IdExists),
            (437, ErrorCode::InvalidSdp),
            (438, ErrorCode::InvalidFeed),
        ];
        for (code, typed) in codes {
            assert_eq!(ErrorCode::from_code(code), typed);
            assert_eq!(typed.code(), code);
            assert_eq!(VideoRoom::error_code(code), typed);
        }
        assert_eq!(ErrorCode::from_code(420), ErrorCode::Other(420));
        assert_eq!(ErrorCode::Other(420).code(), 420);
    }

    #[test]
    fn plugin_errors_are_typed_only_when_they_are_the_videorooms() {
        let error = |plugin: &str| PluginError {
            plugin: plugin.into(),
            code: 426,
            reason: "No such room (1234)".into(),
            data: plugin_data(
                plugin,
                r#"{"videoroom":"event","error_code":426,"error":"No such room (1234)"}"#,
            ),
        };
        assert_eq!(
            VideoRoom::error_of(&error(PACKAGE)),
            Some(ErrorCode::NoSuchRoom)
        );
        assert_eq!(VideoRoom::error_of(&error("janus.plugin.echotest")), None);
    }

    /// A plugin reply carrying `data` (and `jsep`), as the core hands it to a request.
    fn reply(data: &str, jsep: Option<crate::wire::Jsep>) -> crate::event::Reply {
        use bytes::Bytes;
        crate::event::Reply {
            kind: crate::event::ReplyKind::Plugin {
                data: plugin_data(PACKAGE, data),
                jsep,
            },
            raw: crate::wire::RawFrame::new(Bytes::copy_from_slice(data.as_bytes())),
        }
    }

    #[test]
    fn outcomes_are_typed_through_the_request_and_wrong_replies_are_unexpected() {
        use crate::error::RequestError;
        use crate::plugins::{Id, OnHandle};
        use crate::request::Request;
        use crate::wire::Jsep;

        let created = OnHandle::<Create>::output(reply(
            r#"{"videoroom":"created","room":1234,"permanent":false}"#,
            None,
        ));
        assert!(matches!(&created, Ok(typed) if typed.value.room == Id::from(1234)));
        let wrong = OnHandle::<Create>::output(reply(
            r#"{"videoroom":"edited","room":1234,"permanent":false}"#,
            None,
        ));
        assert!(matches!(wrong, Err(RequestError::UnexpectedReply(_))));

        let offer = Jsep::offer("v=0\r\n");
        let attached = OnHandle::<JoinSubscriber>::output(reply(
            r#"{"videoroom":"attached","room":1234,"streams":[]}"#,
            Some(offer.clone()),
        ));
        assert!(matches!(&attached, Ok(typed) if typed.jsep == Some(offer.clone())));
        let updating =
            OnHandle::<Subscribe>::output(reply(r#"{"videoroom":"updating","room":1234}"#, None));
        assert!(matches!(
            updating,
            Ok(typed) if matches!(typed.value, SubscriptionUpdate::Updating(_))
        ));
        let not_started = OnHandle::<Start>::output(reply(
            r#"{"videoroom":"event","room":1234,"paused":"ok"}"#,
            None,
        ));
        assert!(matches!(not_started, Err(RequestError::UnexpectedReply(_))));
    }

    #[test]
    fn ptypes_are_fixed_words() {
        assert_eq!(
            serde_json::to_value(PtypePublisher).ok(),
            Some(serde_json::json!("publisher"))
        );
        assert_eq!(
            serde_json::to_value(PtypeSubscriber).ok(),
            Some(serde_json::json!("subscriber"))
        );
        assert!(serde_json::from_value::<PtypePublisher>(serde_json::json!("Publisher")).is_ok());
        assert!(serde_json::from_value::<PtypePublisher>(serde_json::json!("subscriber")).is_err());
        assert!(serde_json::from_value::<PtypeSubscriber>(serde_json::json!("publisher")).is_err());
    }
}
