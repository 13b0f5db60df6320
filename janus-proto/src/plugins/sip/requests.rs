//! The SIP plugin's requests. Every one is asynchronous: Janus acknowledges the message,
//! and the plugin's event carrying the request's transaction is its outcome (its
//! [`PluginRequest::Response`]), or a plugin error.

use serde::{Deserialize, Serialize};

use super::events::{
    Accepted, Accepting, Calling, Declining, DtmfSent, Forwarders, Hangingup, Holding, InfoSent,
    KeyframeSent, MessageSent, Progressed, RecordingUpdated, Registered, Registering, ResetDone,
    Resuming, RtpForwardStopped, RtpForwarded, Subscribing, Transferring, Unregistering,
    Unsubscribing, Updated, Updating,
};
use super::{
    ForwardType, Headers, HoldDirection, HostFamily, RecordingAction, RegisterType, RingingSent,
    Sip, SipEvent, Srtp, SrtpProfile,
};
use crate::plugins::PluginRequest;
use crate::secret::Secret;
use crate::wire::Jsep;

/// `register`: start using a SIP account on this handle. Unless the handle registers as a
/// guest, with `send_register: false` or as a helper, a REGISTER goes to the registrar
/// (401/407 challenges are answered with the credentials given).
///
/// Its outcome is [`Registration::Registering`] when a REGISTER went out ([`Registered`] or
/// [`RegistrationFailed`](super::RegistrationFailed) follows as an event), or
/// [`Registration::Registered`] at once otherwise. A second `register` on a registered
/// handle fails with [`AlreadyRegistered`](super::ErrorCode::AlreadyRegistered) unless it
/// is a `refresh`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "register")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Register {
    /// `guest` (use the URI without registering) or `helper` (an extra handle for the
    /// account registered with [`master_id`](Self::master_id)); `type` on the wire.
    #[serde(rename = "type")]
    pub kind: Option<RegisterType>,
    /// `false`: do not send a REGISTER. Not `true` for a guest (Janus 1.1.2 refuses the
    /// field for a guest whatever its value, with
    /// [`InvalidElement`](super::ErrorCode::InvalidElement)).
    pub send_register: Option<bool>,
    /// Use UDP for SIP (the default when neither is set).
    pub force_udp: Option<bool>,
    /// Use TCP for SIP (not with `force_udp`).
    pub force_tcp: Option<bool>,
    /// Configure a SIPS URI too.
    pub sips: Option<bool>,
    /// CANCEL pending INVITEs even before a provisional response came.
    pub rfc2543_cancel: Option<bool>,
    /// `false`: do not answer incoming INVITEs with 180 Ringing on their own (send it with
    /// [`SendRinging`]) (Janus 1.4 only).
    pub automatic_ringing: Option<bool>,
    /// The SIP URI to register, e.g. `sip:alice@example.com` (required, guests included).
    pub username: String,
    /// The password (not with `ha1_secret`; one of them is required unless guest).
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The password as an HA1 hash (not with `secret`).
    #[builder(into)]
    pub ha1_secret: Option<Secret>,
    /// The user to authenticate as, if not the URI's user part.
    pub authuser: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The User-Agent.
    pub user_agent: Option<String>,
    /// The registrar, e.g. `sip:example.com`.
    pub proxy: Option<String>,
    /// An outbound proxy.
    pub outbound_proxy: Option<String>,
    /// Extra headers for the REGISTER.
    pub headers: Option<Headers>,
    /// Extra Contact URI parameters for the REGISTER.
    pub contact_params: Option<Headers>,
    /// The master's id ([`Registered::master_id`]), for a helper (required then).
    pub master_id: Option<u32>,
    /// Re-REGISTER an account already registered on this handle, replacing its settings.
    pub refresh: Option<bool>,
    /// Prefixes of headers (e.g. `X-`) to copy into incoming events' `headers`.
    pub incoming_header_prefixes: Option<Vec<String>>,
    /// The registration's lifetime in seconds (the plugin's default otherwise).
    pub register_ttl: Option<u32>,
}

impl PluginRequest for Register {
    type Plugin = Sip;
    type Response = SipEvent<Registration>;
}

/// The answer to a [`Register`]: `registering` when a REGISTER went out, `registered` when
/// none needed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Registration {
    /// A REGISTER went out; the registrar's answer comes as an event.
    Registering(Registering),
    /// Registered without a REGISTER (guest, `send_register: false`, helper).
    Registered(Registered),
}

/// `unregister`: stop using the account. For a registered account an unREGISTER goes out
/// and [`Unregistered`](super::Unregistered) follows; for a helper this only ends its
/// association with its master. Its outcome is [`Unregistering`]; it fails with
/// [`WrongState`](super::ErrorCode::WrongState) when nothing is registered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "unregister")]
#[non_exhaustive]
pub struct Unregister {}

impl PluginRequest for Unregister {
    type Plugin = Sip;
    type Response = SipEvent<Unregistering>;
}

/// `subscribe`: send a SUBSCRIBE (e.g. for `message-summary`); its NOTIFYs come as
/// [`Notify`](super::Notify) events. Needs a registered (or guest) account. Its outcome is
/// [`Subscribing`]; [`SubscribeSucceeded`](super::SubscribeSucceeded) or
/// [`SubscribeFailed`](super::SubscribeFailed) follows.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "subscribe")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Subscribe {
    /// The Call-ID to use for the subscription (random otherwise).
    pub call_id: Option<String>,
    /// The event package, e.g. `message-summary` (required).
    pub event: String,
    /// The Accept header.
    pub accept: Option<String>,
    /// Whom to subscribe to (the account's own URI otherwise).
    pub to: Option<String>,
    /// The subscription's lifetime in seconds (the plugin's default otherwise).
    pub subscribe_ttl: Option<u32>,
    /// A body for the SUBSCRIBE (sent with `content_type`) (Janus 1.4 only).
    pub content: Option<String>,
    /// The body's content type (Janus 1.4 only).
    pub content_type: Option<String>,
    /// Extra headers for the SUBSCRIBE.
    pub headers: Option<Headers>,
}

impl PluginRequest for Subscribe {
    type Plugin = Sip;
    type Response = SipEvent<Subscribing>;
}

/// `unsubscribe`: end a subscription (a SUBSCRIBE with `Expires: 0`). Its outcome is
/// [`Unsubscribing`]; it fails with [`WrongState`](super::ErrorCode::WrongState) when there
/// is no subscription to this event package.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "unsubscribe")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Unsubscribe {
    /// The event package subscribed to (required).
    pub event: String,
    /// Whom the subscription is to (the account's own URI otherwise).
    pub to: Option<String>,
}

impl PluginRequest for Unsubscribe {
    type Plugin = Sip;
    type Response = SipEvent<Unsubscribing>;
}

/// `call`: send an INVITE to `uri` with the JSEP offer that must go with it (without one it
/// fails with [`MissingSdp`](super::ErrorCode::MissingSdp); data channels are refused too).
/// Its outcome is [`Calling`]; then come [`Proceeding`](super::Proceeding),
/// [`Ringing`](super::Ringing), [`SessionProgress`](super::SessionProgress) (early media,
/// with the JSEP answer), [`Accepted`] (with the JSEP answer unless early media gave it) or
/// [`HungUp`](super::HungUp).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "call")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Call {
    /// The SIP URI to call (required).
    pub uri: String,
    /// The Call-ID to use for the whole call (random otherwise).
    pub call_id: Option<String>,
    /// The [`IncomingTransfer::refer_id`](super::IncomingTransfer) this call follows up, so
    /// the transferor is told how it goes.
    pub refer_id: Option<u32>,
    /// Extra headers for the INVITE.
    pub headers: Option<Headers>,
    /// Offer or mandate SDES-SRTP.
    pub srtp: Option<Srtp>,
    /// The SRTP profile to offer with `srtp`.
    pub srtp_profile: Option<SrtpProfile>,
    /// A password, when the INVITE must authenticate and no REGISTER was sent (not with
    /// `ha1_secret`).
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The same as an HA1 hash.
    #[builder(into)]
    pub ha1_secret: Option<Secret>,
    /// The user to authenticate the INVITE as.
    pub authuser: Option<String>,
    /// `false`: pass the peer's re-INVITEs to the application as
    /// [`UpdatingCall`](super::UpdatingCall) instead of accepting them (the default).
    pub autoaccept_reinvites: Option<bool>,
    /// The JSEP offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Call {
    type Plugin = Sip;
    type Response = SipEvent<Calling>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `accept`: answer an [`IncomingCall`](super::IncomingCall) with 200 OK, with the JSEP
/// answer (or, for an offerless INVITE, a JSEP offer) that must go with it. Its outcome is
/// [`AcceptOutcome::Accepted`] for an answer, or [`AcceptOutcome::Accepting`] for an offer
/// ([`Accepted`] follows with the caller's answer from the ACK).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "accept")]
#[non_exhaustive]
pub struct Accept {
    /// Offer or mandate SDES-SRTP (fails with [`TooStrict`](super::ErrorCode::TooStrict)
    /// when mandated and the caller did not offer it).
    pub srtp: Option<Srtp>,
    /// The SRTP profile, for an offerless INVITE (Janus 1.4 only).
    pub srtp_profile: Option<SrtpProfile>,
    /// Extra headers for the 200 OK.
    pub headers: Option<Headers>,
    /// `false`: pass the peer's re-INVITEs to the application as
    /// [`UpdatingCall`](super::UpdatingCall) instead of accepting them (the default).
    pub autoaccept_reinvites: Option<bool>,
    /// The JSEP answer, or offer for an offerless INVITE.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Accept {
    type Plugin = Sip;
    type Response = SipEvent<AcceptOutcome>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// The answer to an [`Accept`]: `accepted` for an SDP answer, `accepting` for an SDP offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum AcceptOutcome {
    /// The call is up.
    Accepted(Accepted),
    /// The 200 OK carried an offer; [`Accepted`] follows with the caller's answer.
    Accepting(Accepting),
}

/// `progress`: answer an [`IncomingCall`](super::IncomingCall) with 183 Session Progress
/// (early media), with the JSEP answer (or offer for an offerless INVITE) that must go
/// with it; [`Accept`] later completes the call. Its outcome is [`Progressed`]
/// (Janus 1.4 only).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "progress")]
#[non_exhaustive]
pub struct Progress {
    /// Offer or mandate SDES-SRTP.
    pub srtp: Option<Srtp>,
    /// The SRTP profile, for an offerless INVITE.
    pub srtp_profile: Option<SrtpProfile>,
    /// Extra headers for the 183.
    pub headers: Option<Headers>,
    /// `false`: pass the peer's re-INVITEs to the application instead of accepting them.
    pub autoaccept_reinvites: Option<bool>,
    /// The JSEP answer, or offer for an offerless INVITE.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Progress {
    type Plugin = Sip;
    type Response = SipEvent<Progressed>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `send_ringing`: send 180 Ringing for an incoming call, for accounts registered with
/// `automatic_ringing: false` (Janus 1.4 only). Its outcome is an event with no `result`
/// ([`RingingSent`]). Outside an incoming call it fails with the error code 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "send_ringing")]
#[non_exhaustive]
pub struct SendRinging {}

impl PluginRequest for SendRinging {
    type Plugin = Sip;
    type Response = RingingSent;
}

/// `decline`: refuse an [`IncomingCall`](super::IncomingCall) with `code` (by default 603
/// Decline in Janus 1.4, 486 Busy Here in 1.1.2, whatever the plugin's documentation
/// says), or, with `refer_id`, an [`IncomingTransfer`](super::IncomingTransfer) (a NOTIFY
/// with `code`, 603 Decline by default). Its outcome is [`Declining`], with the code sent.
///
/// With no incoming call to decline (and no `refer_id`), the plugin drops the request
/// without answering: it ends with the request's deadline.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "decline")]
#[non_exhaustive]
pub struct Decline {
    /// The SIP code to answer with; one below 400 is replaced by 486 for a call, 603 for a
    /// transfer.
    pub code: Option<u16>,
    /// Extra headers for the response.
    pub headers: Option<Headers>,
    /// The transfer to decline instead of a call.
    pub refer_id: Option<u32>,
}

impl PluginRequest for Decline {
    type Plugin = Sip;
    type Response = SipEvent<Declining>;
}

/// `transfer`: send a REFER to the peer of the established call, for a blind transfer to
/// `uri`, or an attended one replacing the call `replace` (another call of this account).
/// Its outcome is [`Transferring`]; its progress comes as [`Notify`](super::Notify)
/// events. Unknown `replace` fails with [`NoSuchCallid`](super::ErrorCode::NoSuchCallid);
/// with no established call it fails with the error code 0.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "transfer")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Transfer {
    /// The SIP URI to transfer the peer to (required).
    pub uri: String,
    /// The Call-ID of the call this attended transfer replaces.
    pub replace: Option<String>,
}

impl PluginRequest for Transfer {
    type Plugin = Sip;
    type Response = SipEvent<Transferring>;
}

/// `hold`: put the call on hold with a re-INVITE (no WebRTC renegotiation). Its outcome is
/// [`Holding`].
///
/// Outside an established call the plugin drops the request without answering: it ends
/// with the request's deadline.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "hold")]
#[non_exhaustive]
pub struct Hold {
    /// The media direction to offer (`sendonly` by default).
    pub direction: Option<HoldDirection>,
    /// Extra headers for the re-INVITE.
    pub headers: Option<Headers>,
}

impl PluginRequest for Hold {
    type Plugin = Sip;
    type Response = SipEvent<Holding>;
}

/// `unhold`: take the call off hold, restoring the media directions from before. Its
/// outcome is [`Resuming`].
///
/// Outside an established call the plugin drops the request without answering: it ends
/// with the request's deadline.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "unhold")]
#[non_exhaustive]
pub struct Unhold {
    /// Extra headers for the re-INVITE.
    pub headers: Option<Headers>,
}

impl PluginRequest for Unhold {
    type Plugin = Sip;
    type Response = SipEvent<Resuming>;
}

/// `update`: renegotiate the established call, with the JSEP that must go with it (Janus
/// marks a renegotiation's JSEP as an update itself): an offer sends a re-INVITE
/// ([`UpdateOutcome::Updating`]); an answer to an [`UpdatingCall`](super::UpdatingCall)
/// sends the 200 OK ([`UpdateOutcome::Updated`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "update")]
#[non_exhaustive]
pub struct Update {
    /// The new JSEP offer, or the answer to a re-INVITE.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Update {
    type Plugin = Sip;
    type Response = SipEvent<UpdateOutcome>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// The answer to an [`Update`]: `updating` for an offer, `updated` for an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum UpdateOutcome {
    /// A re-INVITE went out with the offer.
    Updating(Updating),
    /// The peer's re-INVITE was answered.
    Updated(Updated),
}

/// `hangup`: end the call: a BYE for an established call, a CANCEL for one still ringing.
/// Its outcome is [`Hangingup`]; [`HungUp`](super::HungUp) follows.
///
/// With no call to hang up, the plugin drops the request without answering: it ends with
/// the request's deadline.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "hangup")]
#[non_exhaustive]
pub struct Hangup {
    /// Extra headers for the BYE.
    pub headers: Option<Headers>,
}

impl PluginRequest for Hangup {
    type Plugin = Sip;
    type Response = SipEvent<Hangingup>;
}

/// `recording`: start, stop, pause or resume recording the call, each side and medium to
/// its own `.mjr` file. At least one of `audio`, `video`, `peer_audio`, `peer_video` must
/// be `true` ([`RecordingError`](super::ErrorCode::RecordingError) otherwise). Its outcome
/// is [`RecordingUpdated`]. Outside a call it fails with the error code 0.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "recording")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Recording {
    /// What to do (required).
    pub action: RecordingAction,
    /// This user's audio.
    pub audio: Option<bool>,
    /// This user's video.
    pub video: Option<bool>,
    /// The peer's audio.
    pub peer_audio: Option<bool>,
    /// The peer's video.
    pub peer_video: Option<bool>,
    /// Send the peer a PLI when starting its video recording, even if its SDP did not
    /// negotiate PLI.
    pub send_peer_pli: Option<bool>,
    /// The base path of the files (`-user-audio`, `-peer-video`, … and `.mjr` are
    /// appended; a name is made up otherwise).
    pub filename: Option<String>,
}

impl PluginRequest for Recording {
    type Plugin = Sip;
    type Response = SipEvent<RecordingUpdated>;
}

/// `info`: send a SIP INFO in the established call. Its outcome is [`InfoSent`]. Outside a
/// call it fails with the error code 0.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "info")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Info {
    /// The content type (required; `type` on the wire).
    #[serde(rename = "type")]
    pub content_type: String,
    /// The body (required).
    pub content: String,
    /// Extra headers for the INFO.
    pub headers: Option<Headers>,
}

impl PluginRequest for Info {
    type Plugin = Sip;
    type Response = SipEvent<InfoSent>;
}

/// `message`: send a SIP MESSAGE: in the call's dialog, or, with `uri`, out of dialog
/// (needs a registered or guest account). Its outcome is [`MessageSent`];
/// [`MessageDelivery`](super::MessageDelivery) follows. In dialog with no call it fails
/// with the error code 0.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "message")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Message {
    /// The body (required).
    pub content: String,
    /// The content type (`text/plain` otherwise).
    pub content_type: Option<String>,
    /// The recipient, for a MESSAGE out of dialog.
    pub uri: Option<String>,
    /// Extra headers for the MESSAGE.
    pub headers: Option<Headers>,
    /// The Call-ID of a MESSAGE out of dialog (random otherwise).
    pub call_id: Option<String>,
}

impl PluginRequest for Message {
    type Plugin = Sip;
    type Response = SipEvent<MessageSent>;
}

/// `dtmf_info`: send a DTMF tone as a SIP INFO (`application/dtmf-relay`) in the
/// established call. Its outcome is [`DtmfSent`]. Outside a call it fails with the error
/// code 0.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "dtmf_info")]
#[non_exhaustive]
pub struct DtmfInfo {
    /// The key (required): one character.
    pub digit: char,
    /// The duration in milliseconds (160 when absent or beyond 5000).
    pub duration: Option<u32>,
    /// Extra headers for the INFO.
    pub headers: Option<Headers>,
}

impl PluginRequest for DtmfInfo {
    type Plugin = Sip;
    type Response = SipEvent<DtmfSent>;
}

/// `keyframe`: send a PLI to this user, to the SIP peer (if it negotiated PLI), or both
/// (Janus 1.4 only). Its outcome is [`KeyframeSent`]. Outside a call it fails with the
/// error code 0.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "keyframe")]
#[non_exhaustive]
pub struct Keyframe {
    /// Ask this user's browser for a keyframe.
    pub user: Option<bool>,
    /// Ask the SIP peer for a keyframe.
    pub peer: Option<bool>,
}

impl PluginRequest for Keyframe {
    type Plugin = Sip;
    type Response = SipEvent<KeyframeSent>;
}

/// One stream to forward in an [`RtpForward`] (SIP or NoSIP).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct ForwardStream {
    /// What to forward (required; `type` on the wire).
    #[serde(rename = "type")]
    pub kind: ForwardType,
    /// The address to send to (required; resolved by the plugin).
    pub host: String,
    /// The address family to resolve `host` in (`ipv4` by default).
    pub host_family: Option<HostFamily>,
    /// The port to send to (required).
    pub port: u16,
    /// The SSRC to write.
    pub ssrc: Option<u32>,
    /// The payload type to write.
    pub pt: Option<u8>,
    /// The SRTP authentication tag length, 32 or 80 (with `srtp_crypto`).
    pub srtp_suite: Option<u8>,
    /// The SRTP key, base64 as in SDES (with `srtp_suite`).
    #[builder(into)]
    pub srtp_crypto: Option<Secret>,
}

/// `rtp_forward`: forward streams of the established call as plain (or SRTP) RTP to other
/// hosts (Janus 1.4 only). Its outcome is [`RtpForwarded`]. The forwarders end with the
/// call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "rtp_forward")]
#[non_exhaustive]
pub struct RtpForward {
    /// The streams (required, at least one).
    pub streams: Vec<ForwardStream>,
}

impl PluginRequest for RtpForward {
    type Plugin = Sip;
    type Response = SipEvent<RtpForwarded>;
}

/// `stop_rtp_forward`: stop a forwarder (Janus 1.4 only). Its outcome is
/// [`RtpForwardStopped`]; an unknown id fails with
/// [`NoSuchStream`](super::ErrorCode::NoSuchStream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop_rtp_forward")]
#[non_exhaustive]
pub struct StopRtpForward {
    /// The forwarder's [`stream_id`](super::Forwarder::stream_id) (required).
    pub stream_id: u32,
}

impl PluginRequest for StopRtpForward {
    type Plugin = Sip;
    type Response = SipEvent<RtpForwardStopped>;
}

/// `listforwarders`: the call's RTP forwarders (Janus 1.4 only). Its outcome is
/// [`Forwarders`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listforwarders")]
#[non_exhaustive]
pub struct ListForwarders {}

impl PluginRequest for ListForwarders {
    type Plugin = Sip;
    type Response = SipEvent<Forwarders>;
}

/// `reset`: clear the handle's "call in progress" flags when no call is going on (a
/// workaround for handles stuck answering 486 Busy). Its outcome is [`ResetDone`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "reset")]
#[non_exhaustive]
pub struct Reset {}

impl PluginRequest for Reset {
    type Plugin = Sip;
    type Response = SipEvent<ResetDone>;
}
