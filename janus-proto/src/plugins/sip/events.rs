//! The `result` objects of the SIP plugin's events, one type per `"event"` word. Each
//! comes inside a [`SipEvent`](super::SipEvent), which adds the `call_id` the event is about.

use monostate::MustBe;
use serde::{Deserialize, Serialize};

use super::{ForwardType, Headers, Media, Srtp};

/// `registering`: a REGISTER went out (the answer to a [`Register`](super::Register) that
/// sends one). [`Registered`] or [`RegistrationFailed`] follows.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Registering {
    event: MustBe!("registering"),
    /// The session's unique id in the plugin (Janus 1.4 only).
    pub unique_id: Option<String>,
}

/// `registered`: the account can be used. The direct answer to a
/// [`Register`](super::Register) that sends no REGISTER (guests, `send_register: false`,
/// helpers), or the event that follows [`Registering`] once the registrar said 200 OK.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Registered {
    event: MustBe!("registered"),
    /// The user part of the SIP URI.
    pub username: String,
    /// Whether a REGISTER was sent.
    pub register_sent: bool,
    /// The id to give helpers of this account ([`Register::master_id`](super::Register)); a
    /// helper gets its master's.
    pub master_id: Option<u32>,
    /// `true` when this handle registered as a helper.
    pub helper: Option<bool>,
    /// The session's unique id in the plugin, in the direct answer (Janus 1.4 only; after a
    /// REGISTER, 1.4 puts it in [`SipEvent::unique_id`](super::SipEvent) instead).
    pub unique_id: Option<String>,
    /// Headers of the registrar's 200 OK matching the account's
    /// `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `registration_failed`: the registrar refused the REGISTER (authentication included); the
/// account is unregistered again.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegistrationFailed {
    event: MustBe!("registration_failed"),
    /// The SIP status code.
    pub code: u16,
    /// The SIP reason phrase.
    pub reason: String,
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `unregistering`: the answer to an [`Unregister`](super::Unregister). For a helper the
/// association with its master is gone and nothing follows; otherwise [`Unregistered`]
/// follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unregistering {
    event: MustBe!("unregistering"),
}

/// `unregistered`: the registrar accepted the unREGISTER. The account's helpers are detached.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unregistered {
    event: MustBe!("unregistered"),
    /// The user part of the SIP URI.
    pub username: String,
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `calling`: the answer to a [`Call`](super::Call): the INVITE went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Calling {
    event: MustBe!("calling"),
    /// The INVITE's Call-ID (the one asked for, or a random one).
    pub call_id: String,
}

/// `proceeding`: the callee's side is working on the INVITE (a provisional response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Proceeding {
    event: MustBe!("proceeding"),
    /// The SIP status code.
    pub code: u16,
}

/// `ringing`: a 180 Ringing (or a 183 without SDP) for the call.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ringing {
    event: MustBe!("ringing"),
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `progress`: a 183 Session Progress with SDP: early media. Its JSEP answer is the call's
/// answer; the [`Accepted`] that follows has none.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionProgress {
    event: MustBe!("progress"),
    /// The SIP URI called.
    pub username: String,
    /// `true` when the callee's Contact has `isfocus` (a conference bridge).
    pub isfocus: Option<bool>,
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `accepted`: the call is up. As an answer to [`Accept`](super::Accept) (with an SDP
/// answer) it has no other field; as the event of the callee's 200 OK (or of the ACK that
/// answers an offerless INVITE) it has the peer and, unless early media came first, the
/// JSEP answer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepted {
    event: MustBe!("accepted"),
    /// The peer's SIP URI (in the event only).
    pub username: Option<String>,
    /// `true` when the peer's Contact has `isfocus` (a conference bridge).
    pub isfocus: Option<bool>,
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `accepting`: the answer to an [`Accept`](super::Accept) that carried an SDP offer (for
/// an offerless INVITE): the 200 OK went out, and [`Accepted`] follows with the caller's
/// answer from the ACK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepting {
    event: MustBe!("accepting"),
}

/// `progressed`: the answer to a [`Progress`](super::Progress): the 183 Session Progress
/// went out (Janus 1.4 only; its documentation calls it `progressing`, the code sends
/// `progressed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Progressed {
    event: MustBe!("progressed"),
}

/// `incomingcall`: an INVITE for this account, with the caller's JSEP offer unless it is
/// offerless. Answer with [`Progress`](super::Progress), [`Accept`](super::Accept) or
/// [`Decline`](super::Decline).
///
/// Janus pushes this event before it keeps the INVITE's SIP handle (which it does right
/// after its automatic 180 Ringing): an answer sent at once is acknowledged but nothing
/// goes out to the caller (Janus logs "NUA Handle for 200 OK still null??"), in 1.1.2 and
/// 1.4.1. Answer once the caller got the 180, or a moment later.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncomingCall {
    event: MustBe!("incomingcall"),
    /// The caller's SIP URI.
    pub username: String,
    /// The INVITE's Call-ID.
    pub call_id: Option<String>,
    /// The caller's display name.
    pub displayname: Option<String>,
    /// The SIP URI called (the To header).
    pub callee: String,
    /// The Referred-By header, when the call follows a transfer.
    pub referred_by: Option<String>,
    /// The Call-ID this call replaces (attended transfer).
    pub replaces: Option<String>,
    /// `true` when the caller's Contact has `isfocus` (a conference bridge).
    pub isfocus: Option<bool>,
    /// Whether the caller offers or mandates SDES-SRTP.
    pub srtp: Option<Srtp>,
    /// Headers of the INVITE matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `updatingcall`: a re-INVITE the plugin did not accept on its own (the call was set up
/// with `autoaccept_reinvites: false`), with its JSEP offer unless offerless. Answer with an
/// [`Update`](super::Update) carrying the JSEP answer (or offer).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdatingCall {
    event: MustBe!("updatingcall"),
    /// The peer's SIP URI.
    pub username: String,
    /// The call's Call-ID.
    pub call_id: Option<String>,
    /// The peer's display name.
    pub displayname: Option<String>,
    /// The SIP URI the re-INVITE is addressed to.
    pub callee: String,
    /// The Referred-By header, if any.
    pub referred_by: Option<String>,
    /// The Replaces header's Call-ID, if any.
    pub replaces: Option<String>,
    /// `true` when the peer's Contact has `isfocus`.
    pub isfocus: Option<bool>,
    /// Whether the peer offers or mandates SDES-SRTP.
    pub srtp: Option<Srtp>,
    /// Headers of the re-INVITE matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `missed_call`: an INVITE arrived while this handle (and every helper) was busy; it was
/// answered 486 Busy Here.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MissedCall {
    event: MustBe!("missed_call"),
    /// The caller's SIP URI.
    pub caller: String,
    /// The caller's display name.
    pub displayname: Option<String>,
    /// The SIP URI called.
    pub callee: String,
}

/// `updating`: the answer to an [`Update`](super::Update) carrying an offer: the re-INVITE
/// went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Updating {
    event: MustBe!("updating"),
}

/// `updated`: the answer to an [`Update`](super::Update) carrying an answer to an
/// [`UpdatingCall`]: the 200 OK went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Updated {
    event: MustBe!("updated"),
}

/// `declining`: the answer to a [`Decline`](super::Decline).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Declining {
    event: MustBe!("declining"),
    /// The SIP code sent.
    pub code: u16,
    /// The transfer declined, when the request named one.
    pub refer_id: Option<u32>,
    /// The declined call's Call-ID (absent when the call was already gone by then).
    pub call_id: Option<String>,
}

/// `hangingup`: the answer to a [`Hangup`](super::Hangup) (BYE or CANCEL sent), or the
/// event of the PeerConnection closing during a call. [`HungUp`] follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hangingup {
    event: MustBe!("hangingup"),
}

/// `hangup`: the call is over, or never started (declined, cancelled, failed). The code and
/// reason are the SIP ones: for a BYE, 200 `Session Terminated` when the peer sent it and 200
/// `to BYE` when this side did (Janus's documentation says `SIP BYE`; 1.1.2 and 1.4.1 alike).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HungUp {
    event: MustBe!("hangup"),
    /// The SIP status code.
    pub code: u16,
    /// The SIP reason phrase.
    pub reason: String,
    /// The text of the peer's Reason header.
    pub reason_header: Option<String>,
    /// The protocol of the peer's Reason header.
    pub reason_header_protocol: Option<String>,
    /// The cause of the peer's Reason header.
    pub reason_header_cause: Option<String>,
    /// Headers of the BYE, CANCEL or error response matching `incoming_header_prefixes`
    /// (Janus 1.4 only).
    pub headers: Option<Headers>,
}

/// `holding`: the answer to a [`Hold`](super::Hold): a re-INVITE with the hold direction
/// went out (nothing is sent when the call is already on hold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Holding {
    event: MustBe!("holding"),
}

/// `resuming`: the answer to an [`Unhold`](super::Unhold): a re-INVITE restoring the media
/// directions went out (nothing is sent when the call is not on hold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resuming {
    event: MustBe!("resuming"),
}

/// `info`: a SIP INFO from the peer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncomingInfo {
    event: MustBe!("info"),
    /// The sender's SIP URI.
    pub sender: String,
    /// The sender's display name.
    pub displayname: Option<String>,
    /// The content type (`type` on the wire).
    #[serde(rename = "type")]
    pub content_type: String,
    /// The body.
    pub content: String,
    /// Headers of the INFO matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `infosent`: the answer to an [`Info`](super::Info).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InfoSent {
    event: MustBe!("infosent"),
}

/// `message`: a SIP MESSAGE for this account, in a call or out of one.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncomingMessage {
    event: MustBe!("message"),
    /// The sender's SIP URI.
    pub sender: String,
    /// The sender's display name.
    pub displayname: Option<String>,
    /// The content type.
    pub content_type: String,
    /// The body.
    pub content: String,
    /// Headers of the MESSAGE matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `messagesent`: the answer to a [`Message`](super::Message). [`MessageDelivery`] follows
/// with the same Call-ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageSent {
    event: MustBe!("messagesent"),
    /// The MESSAGE's Call-ID.
    pub call_id: String,
}

/// `messagedelivery`: the final response to a MESSAGE this account sent (the event's
/// `call_id` is the MESSAGE's).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageDelivery {
    event: MustBe!("messagedelivery"),
    /// The SIP status code.
    pub code: u16,
    /// The SIP reason phrase.
    pub reason: Option<String>,
}

/// `notify`: a NOTIFY with a body: for a [`Subscribe`](super::Subscribe), or about a
/// transfer this account asked for.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notify {
    event: MustBe!("notify"),
    /// The event package (e.g. `message-summary`, `refer`).
    pub notify: Option<String>,
    /// The subscription state (e.g. `active`, `terminated`).
    pub substate: Option<String>,
    /// The body's content type (`content-type` on the wire).
    #[serde(rename = "content-type")]
    pub content_type: Option<String>,
    /// The body.
    pub content: String,
    /// Headers of the NOTIFY matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `transfer`: the peer sent a REFER. Nothing happens on its own: to follow it, send a
/// [`Call`](super::Call) to `refer_to` with this `refer_id` (from a helper if this handle is
/// busy); to refuse it, a [`Decline`](super::Decline) with the `refer_id`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncomingTransfer {
    event: MustBe!("transfer"),
    /// The plugin's id of this referral.
    pub refer_id: u32,
    /// The SIP URI to call.
    pub refer_to: String,
    /// The transferor (Referred-By, or From).
    pub referred_by: Option<String>,
    /// The Call-ID to replace (attended transfer).
    pub replaces: Option<String>,
    /// Headers of the REFER matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `transferring`: the answer to a [`Transfer`](super::Transfer): the REFER went out; its
/// progress comes as [`Notify`] events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transferring {
    event: MustBe!("transferring"),
}

/// `dtmf`: an RFC 2833 DTMF tone from the peer (Janus 1.4 only).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Dtmf {
    event: MustBe!("dtmf"),
    /// The peer's SIP URI.
    pub sender: Option<String>,
    /// The key: `0`–`9`, `*`, `#`, `A`–`D`.
    pub signal: String,
    /// The tone's duration, in RTP timestamp units.
    pub duration: u16,
}

/// `dtmfsent`: the answer to a [`DtmfInfo`](super::DtmfInfo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DtmfSent {
    event: MustBe!("dtmfsent"),
}

/// `keyframesent`: the answer to a [`Keyframe`](super::Keyframe) (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KeyframeSent {
    event: MustBe!("keyframesent"),
}

/// `recordingupdated`: the answer to a [`Recording`](super::Recording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingUpdated {
    event: MustBe!("recordingupdated"),
}

/// `subscribing`: the answer to a [`Subscribe`](super::Subscribe): the SUBSCRIBE went out.
/// [`SubscribeSucceeded`] or [`SubscribeFailed`] follows.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscribing {
    event: MustBe!("subscribing"),
    /// The Call-ID the request asked for, if it did.
    pub call_id: Option<String>,
}

/// `subscribe_succeeded`: the SUBSCRIBE was accepted (200 or 202).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscribeSucceeded {
    event: MustBe!("subscribe_succeeded"),
    /// The SIP status code.
    pub code: u16,
    /// The SIP reason phrase.
    pub reason: String,
    /// The subscription's lifetime in seconds (the Expires header).
    pub expires: Option<u32>,
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `subscribe_failed`: the SUBSCRIBE was refused.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscribeFailed {
    event: MustBe!("subscribe_failed"),
    /// The SIP status code.
    pub code: u16,
    /// The SIP reason phrase.
    pub reason: String,
    /// Headers of the response matching `incoming_header_prefixes`.
    pub headers: Option<Headers>,
}

/// `unsubscribing`: the answer to an [`Unsubscribe`](super::Unsubscribe): a SUBSCRIBE
/// with `Expires: 0` went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unsubscribing {
    event: MustBe!("unsubscribing"),
}

/// One RTP forwarder of a call, as the plugin describes it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forwarder {
    /// Its id, for [`StopRtpForward`](super::StopRtpForward).
    pub stream_id: u32,
    /// What it forwards, as the request that created it spelt it (`type` on the wire;
    /// normally one of [`ForwardType`]'s words).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The address it sends to (resolved).
    pub host: String,
    /// The port it sends to.
    pub port: u16,
    /// Audio or video.
    pub media: Media,
    /// The SSRC it writes, if it rewrites it.
    pub ssrc: Option<u32>,
    /// The payload type it writes, if it rewrites it.
    pub pt: Option<u8>,
    /// `true` when it encrypts (SRTP).
    pub srtp: Option<bool>,
}

impl Forwarder {
    /// What it forwards, when the request spelt one of the known words (in any case).
    pub fn forward_type(&self) -> Option<ForwardType> {
        self.kind.as_deref().and_then(ForwardType::from_word)
    }
}

/// `rtp_forward`: the answer to an [`RtpForward`](super::RtpForward): the forwarders created
/// (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwarded {
    event: MustBe!("rtp_forward"),
    /// The new forwarders, in the order of the request's streams (one that could not be
    /// created is missing).
    pub forwarders: Vec<Forwarder>,
}

/// `stop_rtp_forward`: the answer to a [`StopRtpForward`](super::StopRtpForward) (Janus 1.4
/// only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwardStopped {
    event: MustBe!("stop_rtp_forward"),
    /// The forwarder stopped.
    pub stream_id: u32,
}

/// `forwarders`: the answer to a [`ListForwarders`](super::ListForwarders) (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forwarders {
    event: MustBe!("forwarders"),
    /// Every forwarder of the handle's call (`rtp_forwarders` on the wire).
    pub rtp_forwarders: Vec<Forwarder>,
}

/// `reset`: the answer to a [`Reset`](super::Reset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResetDone {
    event: MustBe!("reset"),
}
