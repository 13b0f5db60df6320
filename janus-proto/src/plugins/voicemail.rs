//! VoiceMail (`janus.plugin.voicemail`, Janus 1.1.2 only): records ten seconds of a
//! peer's Opus audio to an `.opus` file and gives back its URL.
//!
//! The plugin is gone from Janus 1.4: attaching to it there fails (Janus error 460, no
//! such plugin). Debian 12's `janus` package (1.1.2) ships it
//! (`libjanus_voicemail.so`, configured in `janus.plugin.voicemail.jcfg`). This model
//! follows the 1.1.2 source.
//!
//! Every request is asynchronous: its outcome is the plugin's event carrying the request's
//! transaction. [`Record`] goes with the peer's offer (the plugin's documentation says the
//! plugin makes the offer; its code answers the peer's) and gets `starting` and Janus's
//! answer; [`Update`] renegotiates; [`Stop`] ends the recording early and gets `done` with
//! the file's URL. Events that answer no request ([`Event`]): `started` once the
//! PeerConnection is up, and `done` after ten seconds, after which Janus detaches the
//! handle. Failures are plugin errors whose codes are [`ErrorCode`]s.
//!
//! ```
//! use janus_proto::plugins::voicemail::{Record, VoiceMail};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::wire::Jsep;
//! use janus_proto::{Command, HandleId};
//!
//! let record = Record::builder().jsep(Jsep::offer("v=0\r\n…")).build();
//! match PluginHandle::<VoiceMail>::new(HandleId(7)).request(record).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(body, serde_json::json!({"request": "record"}));
//!         assert_eq!(jsep, Some(Jsep::offer("v=0\r\n…")));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::plugins::{Plugin, PluginRequest};
use crate::wire::{Jsep, PluginData};
use monostate::MustBe;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.voicemail";

/// The VoiceMail plugin (Janus 1.1.2 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceMail;

impl Plugin for VoiceMail {
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

/// `record`: start recording (asynchronous), with the peer's offer in
/// [`jsep`](Self::jsep) (audio only: Janus answers with Opus and rejects video). Its
/// outcome is [`Started`] (`starting`) with Janus's answer in
/// [`Typed::jsep`](crate::plugins::Typed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "record")]
#[non_exhaustive]
pub struct Record {
    /// The peer's offer (end-to-end encrypted media is refused).
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Record {
    type Plugin = VoiceMail;
    type Response = Started;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `update`: renegotiate (e.g. an ICE restart) during a recording (asynchronous), with the
/// peer's new offer. Its outcome is [`Updating`] with Janus's answer. (Not in the plugin's
/// documentation; in its code.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "update")]
#[non_exhaustive]
pub struct Update {
    /// The peer's new offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Update {
    type Plugin = VoiceMail;
    type Response = Updating;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `stop`: end the recording before its ten seconds (asynchronous). Its outcome is
/// [`Done`] with the file's URL; Janus then detaches the handle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop")]
#[non_exhaustive]
pub struct Stop {}

impl PluginRequest for Stop {
    type Plugin = VoiceMail;
    type Response = Done;
}

/// `{"voicemail": "event", "status": "starting" | "started"}`: the outcome of a [`Record`]
/// (`starting`, or `started` when the PeerConnection is already up), and the event that
/// tells the PeerConnection is up and recording began (`started`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Started {
    voicemail: MustBe!("event"),
    /// `starting` or `started`.
    pub status: StartStatus,
}

/// The status of a [`Started`] event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StartStatus {
    /// Waiting for the PeerConnection.
    Starting,
    /// Recording.
    Started,
}

/// `{"voicemail": "event", "status": "updating"}`: the outcome of an [`Update`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Updating {
    voicemail: MustBe!("event"),
    status: MustBe!("updating"),
}

/// `{"voicemail": "event", "status": "done", "recording": "<URL>"}`: the recording is over
/// (the outcome of a [`Stop`], or an event after ten seconds).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Done {
    voicemail: MustBe!("event"),
    status: MustBe!("done"),
    /// The URL of the `.opus` file (the plugin's `base` followed by
    /// `janus-voicemail-<id>.opus`).
    pub recording: Option<String>,
}

/// A VoiceMail event as a handle sees it (its raw [`PluginData`] keeps every field).
/// Serializes back to its JSON; `Other` serializes as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// `starting` or `started`.
    Started(Started),
    /// `updating`.
    Updating(Updating),
    /// `done`, with the recording's URL.
    Done(Done),
    /// A VoiceMail event this model does not know, or one that does not decode; see the
    /// raw data.
    Other,
}

/// The keys that tell a VoiceMail event's kind.
#[derive(Deserialize)]
struct Probe {
    voicemail: Option<String>,
    status: Option<String>,
}

impl Event {
    /// The typed view of a VoiceMail event's plugin data: `Other` when it is not the
    /// VoiceMail plugin's, not known, or does not decode.
    ///
    /// ```
    /// use janus_proto::plugins::voicemail::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.voicemail","data":{"voicemail":"event","status":"done","recording":"/voicemail/janus-voicemail-1.opus"}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// match Event::from_data(&plugindata) {
    ///     Event::Done(done) => assert_eq!(done.recording.as_deref(), Some("/voicemail/janus-voicemail-1.opus")),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(probe) = data.parse::<Probe>() else {
            return Event::Other;
        };
        if probe.voicemail.as_deref() != Some("event") {
            return Event::Other;
        }
        let decoded = match probe.status.as_deref() {
            Some("starting" | "started") => data.parse().map(Event::Started),
            Some("updating") => data.parse().map(Event::Updating),
            Some("done") => data.parse().map(Event::Done),
            _ => return Event::Other,
        };
        decoded.unwrap_or(Event::Other)
    }
}

error_codes! {
    /// VoiceMail's error codes (`error_code` of a plugin error; Janus 1.1.2).
    ///
    /// ```
    /// use janus_proto::plugins::voicemail::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(465), ErrorCode::AlreadyRecording);
    /// assert_eq!(ErrorCode::AlreadyRecording.code(), 465);
    /// ```
    ErrorCode {
        /// 460: no message.
        NoMessage = 460,
        /// 461: the message is not valid JSON.
        InvalidJson = 461,
        /// 462: an unknown request.
        InvalidRequest = 462,
        /// 463: a required field is missing.
        MissingElement = 463,
        /// 464: a field has the wrong type or value (or the media is end-to-end encrypted).
        InvalidElement = 464,
        /// 465: already recording.
        AlreadyRecording = 465,
        /// 466: the file could not be opened.
        IoError = 466,
        /// 467: the Ogg stream could not be set up.
        LiboggError = 467,
        /// 468: not valid in the handle's state (an `update` while not recording).
        InvalidState = 468,
        /// 499: any other failure.
        UnknownError = 499,
    }
}

#[cfg(test)]
mod tests {
    use crate::plugins::testing::{outcome, plugin_data};

    use serde_json::{json, Value};

    use super::*;
    use crate::command::Command;
    use crate::error::{PluginError, RequestError};

    use crate::ids::HandleId;
    use crate::plugins::PluginHandle;
    use crate::request::Request;

    /// The body and SDP `request` is sent with.
    fn sent<M: PluginRequest<Plugin = VoiceMail>>(request: M) -> (Value, Option<Jsep>) {
        match PluginHandle::<VoiceMail>::new(HandleId(1))
            .request(request)
            .into_command()
        {
            Command::Message { body, jsep, .. } => (body, jsep),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_request_encodes_as_janus_expects_and_decodes_back() {
        let offer = Jsep::offer("v=0\r\n");
        assert_eq!(
            sent(Record::builder().jsep(offer.clone()).build()),
            (json!({"request": "record"}), Some(offer.clone()))
        );
        assert_eq!(
            sent(Update::builder().jsep(offer.clone()).build()),
            (json!({"request": "update"}), Some(offer))
        );
        assert_eq!(sent(Stop::default()), (json!({"request": "stop"}), None));
        assert_eq!(
            serde_json::from_value::<Record>(json!({"request": "record"})).ok(),
            Some(Record::default())
        );
        assert_eq!(
            serde_json::from_value::<Update>(json!({"request": "update"})).ok(),
            Some(Update::default())
        );
        assert_eq!(
            serde_json::from_value::<Stop>(json!({"request": "stop"})).ok(),
            Some(Stop::default())
        );
    }

    #[test]
    fn the_outcomes_are_typed_and_encode_back() {
        let data = json!({"voicemail": "event", "status": "starting"});
        let typed = outcome::<Record>(&data, Some(Jsep::answer("v=0\r\n"))).expect("typed");
        assert_eq!(typed.value.status, StartStatus::Starting);
        assert_eq!(typed.jsep, Some(Jsep::answer("v=0\r\n")));
        assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data));
        let data = json!({"voicemail": "event", "status": "started"});
        let typed = outcome::<Record>(&data, None).expect("typed");
        assert_eq!(typed.value.status, StartStatus::Started);
        let data = json!({"voicemail": "event", "status": "updating"});
        let typed = outcome::<Update>(&data, None).expect("typed");
        assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data));
        let data = json!({"voicemail": "event", "status": "done", "recording": "/voicemail/janus-voicemail-7.opus"});
        let typed = outcome::<Stop>(&data, None).expect("typed");
        assert_eq!(
            typed.value.recording.as_deref(),
            Some("/voicemail/janus-voicemail-7.opus")
        );
        assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data));
        fn refused<M: PluginRequest>(data: Value) {
            assert!(
                matches!(
                    outcome::<M>(&data, None),
                    Err(RequestError::UnexpectedReply(_))
                ),
                "{data}"
            );
        }
        refused::<Record>(json!({"voicemail": "event", "status": "done"}));
        refused::<Update>(json!({"voicemail": "event", "status": "starting"}));
        refused::<Record>(json!({"voicemail": "event"}));
        refused::<Record>(json!({"status": "starting"}));
        refused::<Stop>(json!({"voicemail": "event", "status": "updating"}));
    }

    #[test]
    fn every_event_has_its_typed_view_and_unknown_ones_are_other() {
        for data in [
            json!({"voicemail": "event", "status": "starting"}),
            json!({"voicemail": "event", "status": "started"}),
            json!({"voicemail": "event", "status": "updating"}),
            json!({"voicemail": "event", "status": "done", "recording": "/voicemail/janus-voicemail-7.opus"}),
            json!({"voicemail": "event", "status": "done"}),
        ] {
            let event = Event::from_data(&plugin_data(PACKAGE, &data));
            assert_ne!(event, Event::Other, "{data}");
            assert_eq!(
                serde_json::to_value(&event).ok(),
                Some(data.clone()),
                "{data}"
            );
        }
        assert!(matches!(
            Event::from_data(&plugin_data(
                PACKAGE,
                &json!({"voicemail": "event", "status": "started"})
            )),
            Event::Started(Started {
                status: StartStatus::Started,
                ..
            })
        ));
        for data in [
            json!({"voicemail": "event", "status": "brand-new"}),
            json!({"voicemail": "event", "status": "done", "recording": 3}),
            json!({"voicemail": "event", "error_code": 465, "error": "Already recording"}),
            json!({"status": "done"}),
        ] {
            assert_eq!(
                Event::from_data(&plugin_data(PACKAGE, &data)),
                Event::Other,
                "{data}"
            );
        }
        let foreign = plugin_data(
            "janus.plugin.recordplay",
            &json!({"voicemail": "event", "status": "done"}),
        );
        assert_eq!(Event::from_data(&foreign), Event::Other);
        assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
    }

    #[test]
    fn error_codes_map_both_ways() {
        let codes = [
            (460, ErrorCode::NoMessage),
            (461, ErrorCode::InvalidJson),
            (462, ErrorCode::InvalidRequest),
            (463, ErrorCode::MissingElement),
            (464, ErrorCode::InvalidElement),
            (465, ErrorCode::AlreadyRecording),
            (466, ErrorCode::IoError),
            (467, ErrorCode::LiboggError),
            (468, ErrorCode::InvalidState),
            (499, ErrorCode::UnknownError),
        ];
        for (code, typed) in codes {
            assert_eq!(ErrorCode::from_code(code), typed);
            assert_eq!(typed.code(), code);
        }
        assert_eq!(ErrorCode::from_code(470), ErrorCode::Other(470));
        assert_eq!(ErrorCode::Other(470).code(), 470);
        let error = |plugin: &str| PluginError {
            plugin: plugin.into(),
            code: 465,
            reason: "Already recording".into(),
            data: plugin_data(plugin, &json!({"voicemail": "event", "error_code": 465})),
        };
        assert_eq!(
            VoiceMail::error_of(&error(PACKAGE)),
            Some(ErrorCode::AlreadyRecording)
        );
        assert_eq!(VoiceMail::error_of(&error("janus.plugin.echotest")), None);
    }
}
