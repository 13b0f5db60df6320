//! SIP (`janus.plugin.sip`): a SIP user agent in Janus on behalf of the handle's WebRTC
//! peer. A handle registers an account ([`Register`]), then calls ([`Call`]) or is called
//! ([`IncomingCall`] event, then [`Accept`], [`Progress`] or [`Decline`]); during a call it
//! can hold, transfer, send INFO, MESSAGE and DTMF, record, and forward RTP. Extra handles
//! registered as helpers of an account carry its concurrent calls.
//!
//! Every request is asynchronous: its outcome is the plugin's event carrying the request's
//! transaction, typed as the request's [`PluginRequest::Response`](crate::plugins::PluginRequest)
//! (a [`SipEvent`] around the `result` the request gets), with Janus's SDP in
//! [`Typed::jsep`](crate::plugins::Typed) when there is one. What the SIP side does next
//! (ringing, the callee's answer, hangups, incoming calls, messages, NOTIFYs) comes as
//! [`Event`]s. Failures of a request are plugin errors whose codes are [`ErrorCode`]s; SIP
//! failures (a refused REGISTER, a call that ends) are events with the SIP code.
//!
//! Requests, fields and events marked "(Janus 1.4 only)" do not exist in Janus 1.1.2
//! (Debian 12's package): 1.1.2 answers an unknown request with
//! [`InvalidRequest`](ErrorCode::InvalidRequest) and ignores an unknown field.
//!
//! ```
//! use janus_proto::plugins::sip::{Register, RegisterType, Sip};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId};
//!
//! let register = Register::builder()
//!     .username("sip:alice@example.com")
//!     .secret("hunter2")
//!     .proxy("sip:example.com")
//!     .build();
//! assert!(format!("{register:?}").contains("<redacted>"));
//! match PluginHandle::<Sip>::new(HandleId(7)).request(register).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(body, serde_json::json!({
//!             "request": "register",
//!             "username": "sip:alice@example.com",
//!             "secret": "hunter2",
//!             "proxy": "sip:example.com"
//!         }));
//!         assert!(jsep.is_none());
//!     }
//!     other => panic!("{other:?}"),
//! }
//!
//! let guest = Register::builder().kind(RegisterType::Guest).username("sip:bob@example.com").build();
//! assert_eq!(
//!     serde_json::to_value(&guest).unwrap(),
//!     serde_json::json!({"request": "register", "type": "guest", "username": "sip:bob@example.com"})
//! );
//! ```

use std::collections::BTreeMap;

use monostate::MustBe;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::plugins::Plugin;
use crate::wire::PluginData;

mod events;
mod requests;
#[cfg(test)]
mod tests;

pub use events::*;
pub use requests::*;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.sip";

/// The SIP plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sip;

impl Plugin for Sip {
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

/// The word of every SIP event.
type EventWord = MustBe!("event");

/// The plugin data of a SIP event: `{"sip": "event", "call_id": …, "result": {…}}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SipEvent<R> {
    sip: EventWord,
    /// The Call-ID of the call, message or subscription the event is about, when there is
    /// one (answers to requests carry the handle's current call's).
    pub call_id: Option<String>,
    /// The session's unique id in the plugin: Janus 1.4 puts it here in the `registered`
    /// and `unregistered` events that follow a REGISTER.
    pub unique_id: Option<String>,
    /// What happened: the type of the `"event"` word.
    pub result: R,
}

/// The answer to a [`SendRinging`]: `{"sip": "event", "call_id": …}` with no `result`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RingingSent {
    sip: EventWord,
    /// The incoming call's Call-ID.
    pub call_id: Option<String>,
}

/// SIP headers, or Contact URI parameters: names to values. Janus skips entries whose
/// name or value holds CR or LF.
pub type Headers = BTreeMap<String, String>;

/// How a [`Register`] uses the account without a REGISTER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RegisterType {
    /// Use the URI in From headers without registering: calls out only.
    Guest,
    /// An extra handle for the account registered on another handle
    /// ([`Register::master_id`]), to carry concurrent calls.
    Helper,
}

/// SDES-SRTP for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Srtp {
    /// Offer SRTP, accept plain RTP (`sdes_optional`).
    #[serde(rename = "sdes_optional")]
    Optional,
    /// Require SRTP (`sdes_mandatory`).
    #[serde(rename = "sdes_mandatory")]
    Mandatory,
}

/// An SRTP profile to negotiate with [`Srtp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SrtpProfile {
    /// `AES_CM_128_HMAC_SHA1_32`.
    #[serde(rename = "AES_CM_128_HMAC_SHA1_32")]
    AesCm128HmacSha1_32,
    /// `AES_CM_128_HMAC_SHA1_80` (the default).
    #[serde(rename = "AES_CM_128_HMAC_SHA1_80")]
    AesCm128HmacSha1_80,
    /// `AEAD_AES_128_GCM` (when Janus is built with AES-GCM support).
    #[serde(rename = "AEAD_AES_128_GCM")]
    AeadAes128Gcm,
    /// `AEAD_AES_256_GCM` (when Janus is built with AES-GCM support).
    #[serde(rename = "AEAD_AES_256_GCM")]
    AeadAes256Gcm,
}

/// The media direction a [`Hold`] offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum HoldDirection {
    /// `sendonly` (the default).
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

/// What a [`Recording`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RecordingAction {
    /// Start recording.
    Start,
    /// Stop recording (never an error, even when nothing was recorded).
    Stop,
    /// Pause recording.
    Pause,
    /// Resume a paused recording.
    Resume,
}

/// Which stream of a call an RTP forwarder forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ForwardType {
    /// This user's audio.
    Audio,
    /// This user's video.
    Video,
    /// The peer's audio.
    PeerAudio,
    /// The peer's video.
    PeerVideo,
}

impl ForwardType {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardType::Audio => "audio",
            ForwardType::Video => "video",
            ForwardType::PeerAudio => "peer_audio",
            ForwardType::PeerVideo => "peer_video",
        }
    }

    /// The type a word names, in any case (as the plugin compares them).
    pub fn from_word(word: &str) -> Option<Self> {
        [
            ForwardType::Audio,
            ForwardType::Video,
            ForwardType::PeerAudio,
            ForwardType::PeerVideo,
        ]
        .into_iter()
        .find(|kind| kind.as_str().eq_ignore_ascii_case(word))
    }
}

/// The address family to resolve a forwarder's host in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum HostFamily {
    /// `ipv4` (the default).
    Ipv4,
    /// `ipv6`.
    Ipv6,
}

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Media {
    /// Audio.
    Audio,
    /// Video.
    Video,
}

error_codes! {
    /// The SIP plugin's error codes (`error_code` of a plugin error). Some wrong-state
    /// failures (`transfer`, `info`, `dtmf_info`, `keyframe`, `recording`, `send_ringing`,
    /// `message` outside a call) carry the code 0: [`Unspecified`](Self::Unspecified).
    ///
    /// ```
    /// use janus_proto::plugins::sip::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(447), ErrorCode::WrongState);
    /// assert_eq!(ErrorCode::WrongState.code(), 447);
    /// ```
    ErrorCode {
        /// 0: no code: the plugin sets none for some wrong-state failures (`transfer`,
        /// `info`, `dtmf_info`, `keyframe`, `recording`, `send_ringing`, in-dialog `message`
        /// outside a call).
        Unspecified = 0,
        /// 499: an unexpected failure (e.g. the SIP stack did not start).
        UnknownError = 499,
        /// 440: no message.
        NoMessage = 440,
        /// 441: the message is not a JSON object.
        InvalidJson = 441,
        /// 442: unknown request.
        InvalidRequest = 442,
        /// 443: a required field is missing.
        MissingElement = 443,
        /// 444: a field has the wrong type or value, or fields conflict.
        InvalidElement = 444,
        /// 445: the handle is already registered.
        AlreadyRegistered = 445,
        /// 446: a SIP URI or proxy address does not parse.
        InvalidAddress = 446,
        /// 447: the request does not fit the handle's state (not registered, not in a call…).
        WrongState = 447,
        /// 448: the SDP is missing, does not parse, or does not fit.
        MissingSdp = 448,
        /// 449: the SIP stack failed.
        LibsofiaError = 449,
        /// 450: RTP ports could not be allocated, or the SDP not rewritten.
        IoError = 450,
        /// 451: a recording request that records nothing.
        RecordingError = 451,
        /// 452: SRTP is mandated but the peer did not offer it.
        TooStrict = 452,
        /// 453: helper misuse (no such master, already a helper, REGISTER on a helper).
        HelperError = 453,
        /// 454: no call with the Call-ID to replace.
        NoSuchCallid = 454,
        /// 455: no RTP forwarder with that id (Janus 1.4 only).
        NoSuchStream = 455,
    }
}

/// A SIP event, typed by its `"event"` word. Answers to requests are here too, so a reader
/// of events sees them typed; each case holds what the request's outcome decodes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// `registering`.
    Registering(SipEvent<Registering>),
    /// `registered`.
    Registered(SipEvent<Registered>),
    /// `registration_failed`.
    RegistrationFailed(SipEvent<RegistrationFailed>),
    /// `unregistering`.
    Unregistering(SipEvent<Unregistering>),
    /// `unregistered`.
    Unregistered(SipEvent<Unregistered>),
    /// `calling`.
    Calling(SipEvent<Calling>),
    /// `proceeding`.
    Proceeding(SipEvent<Proceeding>),
    /// `ringing`.
    Ringing(SipEvent<Ringing>),
    /// `progress` (early media).
    SessionProgress(SipEvent<SessionProgress>),
    /// `accepted`.
    Accepted(SipEvent<Accepted>),
    /// `accepting`.
    Accepting(SipEvent<Accepting>),
    /// `progressed` (Janus 1.4 only).
    Progressed(SipEvent<Progressed>),
    /// `incomingcall`.
    IncomingCall(SipEvent<IncomingCall>),
    /// `updatingcall`.
    UpdatingCall(SipEvent<UpdatingCall>),
    /// `missed_call`.
    MissedCall(SipEvent<MissedCall>),
    /// `updating`.
    Updating(SipEvent<Updating>),
    /// `updated`.
    Updated(SipEvent<Updated>),
    /// `declining`.
    Declining(SipEvent<Declining>),
    /// `hangingup`.
    Hangingup(SipEvent<Hangingup>),
    /// `hangup`.
    HungUp(SipEvent<HungUp>),
    /// `holding`.
    Holding(SipEvent<Holding>),
    /// `resuming`.
    Resuming(SipEvent<Resuming>),
    /// `info`.
    IncomingInfo(SipEvent<IncomingInfo>),
    /// `infosent`.
    InfoSent(SipEvent<InfoSent>),
    /// `message`.
    IncomingMessage(SipEvent<IncomingMessage>),
    /// `messagesent`.
    MessageSent(SipEvent<MessageSent>),
    /// `messagedelivery`.
    MessageDelivery(SipEvent<MessageDelivery>),
    /// `notify`.
    Notify(SipEvent<Notify>),
    /// `transfer`.
    IncomingTransfer(SipEvent<IncomingTransfer>),
    /// `transferring`.
    Transferring(SipEvent<Transferring>),
    /// `dtmf` (Janus 1.4 only).
    Dtmf(SipEvent<Dtmf>),
    /// `dtmfsent`.
    DtmfSent(SipEvent<DtmfSent>),
    /// `keyframesent` (Janus 1.4 only).
    KeyframeSent(SipEvent<KeyframeSent>),
    /// `recordingupdated`.
    RecordingUpdated(SipEvent<RecordingUpdated>),
    /// `subscribing`.
    Subscribing(SipEvent<Subscribing>),
    /// `subscribe_succeeded`.
    SubscribeSucceeded(SipEvent<SubscribeSucceeded>),
    /// `subscribe_failed`.
    SubscribeFailed(SipEvent<SubscribeFailed>),
    /// `unsubscribing`.
    Unsubscribing(SipEvent<Unsubscribing>),
    /// `rtp_forward` (Janus 1.4 only).
    RtpForwarded(SipEvent<RtpForwarded>),
    /// `stop_rtp_forward` (Janus 1.4 only).
    RtpForwardStopped(SipEvent<RtpForwardStopped>),
    /// `forwarders` (Janus 1.4 only).
    Forwarders(SipEvent<Forwarders>),
    /// `reset`.
    ResetDone(SipEvent<ResetDone>),
    /// The answer to a [`SendRinging`]: no `result` (Janus 1.4 only).
    RingingSent(RingingSent),
    /// An event this model does not know, or that does not decode (an error event among
    /// them); see the raw data. Encodes as `null`.
    Other,
}

/// What the dispatch of an event reads: its error code and its `"event"` word.
#[derive(Deserialize)]
struct Probe {
    error_code: Option<serde_json::Value>,
    result: Option<ProbeResult>,
}

#[derive(Deserialize)]
struct ProbeResult {
    event: Option<String>,
}

impl Event {
    /// The typed view of an event's plugin data; [`Event::Other`] when it is not the SIP
    /// plugin's, not known, or does not decode.
    ///
    /// ```
    /// use janus_proto::plugins::sip::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.sip",
    ///   "data":{"sip":"event","call_id":"c1","result":{"event":"ringing"}}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// match Event::from_data(&plugindata) {
    ///     Event::Ringing(ringing) => assert_eq!(ringing.call_id.as_deref(), Some("c1")),
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
        if probe.error_code.is_some() {
            return Event::Other;
        }
        let Some(result) = probe.result else {
            return decode(data, Event::RingingSent);
        };
        let Some(word) = result.event else {
            return Event::Other;
        };
        match word.as_str() {
            "registering" => decode(data, Event::Registering),
            "registered" => decode(data, Event::Registered),
            "registration_failed" => decode(data, Event::RegistrationFailed),
            "unregistering" => decode(data, Event::Unregistering),
            "unregistered" => decode(data, Event::Unregistered),
            "calling" => decode(data, Event::Calling),
            "proceeding" => decode(data, Event::Proceeding),
            "ringing" => decode(data, Event::Ringing),
            "progress" => decode(data, Event::SessionProgress),
            "accepted" => decode(data, Event::Accepted),
            "accepting" => decode(data, Event::Accepting),
            "progressed" => decode(data, Event::Progressed),
            "incomingcall" => decode(data, Event::IncomingCall),
            "updatingcall" => decode(data, Event::UpdatingCall),
            "missed_call" => decode(data, Event::MissedCall),
            "updating" => decode(data, Event::Updating),
            "updated" => decode(data, Event::Updated),
            "declining" => decode(data, Event::Declining),
            "hangingup" => decode(data, Event::Hangingup),
            "hangup" => decode(data, Event::HungUp),
            "holding" => decode(data, Event::Holding),
            "resuming" => decode(data, Event::Resuming),
            "info" => decode(data, Event::IncomingInfo),
            "infosent" => decode(data, Event::InfoSent),
            "message" => decode(data, Event::IncomingMessage),
            "messagesent" => decode(data, Event::MessageSent),
            "messagedelivery" => decode(data, Event::MessageDelivery),
            "notify" => decode(data, Event::Notify),
            "transfer" => decode(data, Event::IncomingTransfer),
            "transferring" => decode(data, Event::Transferring),
            "dtmf" => decode(data, Event::Dtmf),
            "dtmfsent" => decode(data, Event::DtmfSent),
            "keyframesent" => decode(data, Event::KeyframeSent),
            "recordingupdated" => decode(data, Event::RecordingUpdated),
            "subscribing" => decode(data, Event::Subscribing),
            "subscribe_succeeded" => decode(data, Event::SubscribeSucceeded),
            "subscribe_failed" => decode(data, Event::SubscribeFailed),
            "unsubscribing" => decode(data, Event::Unsubscribing),
            "rtp_forward" => decode(data, Event::RtpForwarded),
            "stop_rtp_forward" => decode(data, Event::RtpForwardStopped),
            "forwarders" => decode(data, Event::Forwarders),
            "reset" => decode(data, Event::ResetDone),
            _ => Event::Other,
        }
    }
}

/// `data` decoded as `T` and wrapped by `case`; [`Event::Other`] when it does not decode.
fn decode<T: DeserializeOwned>(data: &PluginData, case: fn(T) -> Event) -> Event {
    data.parse::<T>().map(case).unwrap_or(Event::Other)
}
