//! Typed requests: each says what it asks of Janus and what its successful outcome is.
//!
//! A driver has one generic call path: it submits [`Request::into_command`] with
//! [`Request::timeout`], waits for the transaction's outcome, and hands a successful reply to
//! [`Request::output`]. Which reply fits which request is decided here, once, for every
//! driver. [`Command`] and [`AdminRequest`] are requests too (their output is the untyped
//! reply), and so is a plugin request of the typed plugin models.
//!
//! ```
//! use std::time::Duration;
//! use janus_proto::request::{Attach, Request};
//! use janus_proto::{Command, SessionId};
//!
//! let attach = Attach::new(SessionId(1), "janus.plugin.echotest").within(Duration::from_secs(3));
//! assert_eq!(attach.timeout(), Some(Duration::from_secs(3)));
//! assert!(matches!(attach.into_command(), Command::Attach { .. }));
//! ```

use std::time::Duration;

use serde_json::Value;

use crate::command::Command;
use crate::config::Ordering;
use crate::error::RequestError;
use crate::event::{Reply, ReplyKind};
use crate::ids::{HandleId, SessionId};
use crate::secret::Secret;
use crate::wire::admin::{AdminReply, AdminReplyKind, AdminRequest, AdminStatus, HandleInfo};
use crate::wire::{Jsep, PluginData, RawFrame, ServerInfo, Trickle as TrickleBody};

/// A request with a typed outcome.
pub trait Request: Sized {
    /// What the core submits: [`Command`] (Janus API) or [`AdminRequest`] (Admin API).
    type Command;
    /// A successful reply of that API: [`Reply`] or [`AdminReply`].
    type Reply;
    /// What a successful request gives its caller.
    type Output;

    /// The request as the core submits it.
    fn into_command(self) -> Self::Command;

    /// The typed outcome of a successful reply;
    /// [`RequestError::UnexpectedReply`] when the reply does not fit the request.
    fn output(reply: Self::Reply) -> Result<Self::Output, RequestError>;

    /// Its own deadline; `None`: the connection's [`Config::request_timeout`](crate::Config).
    fn timeout(&self) -> Option<Duration> {
        None
    }

    /// This request with its own deadline.
    fn within(self, timeout: Duration) -> Within<Self> {
        Within {
            request: self,
            timeout,
        }
    }
}

/// A request with its own deadline (see [`Request::within`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Within<R> {
    request: R,
    timeout: Duration,
}

impl<R: Request> Request for Within<R> {
    type Command = R::Command;
    type Reply = R::Reply;
    type Output = R::Output;

    fn into_command(self) -> R::Command {
        self.request.into_command()
    }

    fn output(reply: R::Reply) -> Result<R::Output, RequestError> {
        R::output(reply)
    }

    fn timeout(&self) -> Option<Duration> {
        Some(self.timeout)
    }
}

fn unexpected(raw: RawFrame) -> RequestError {
    RequestError::UnexpectedReply(raw)
}

/// Any Janus API command; its output is the untyped [`Reply`].
impl Request for Command {
    type Command = Command;
    type Reply = Reply;
    type Output = Reply;

    fn into_command(self) -> Command {
        self
    }

    fn output(reply: Reply) -> Result<Reply, RequestError> {
        Ok(reply)
    }
}

/// Any Admin API request; its output is the untyped [`AdminReply`].
impl Request for AdminRequest {
    type Command = AdminRequest;
    type Reply = AdminReply;
    type Output = AdminReply;

    fn into_command(self) -> AdminRequest {
        self
    }

    fn output(reply: AdminReply) -> Result<AdminReply, RequestError> {
        Ok(reply)
    }
}

/// Implements [`Request`] for a request type of the API whose command and reply types are
/// given: its command, and the reply kinds that give its output.
macro_rules! typed_request {
    ($api_command:ty, $api_reply:ty;
     $ty:ty, $output:ty, |$this:ident| $command:expr, $($kind:pat => $value:expr),+ $(,)?) => {
        impl Request for $ty {
            type Command = $api_command;
            type Reply = $api_reply;
            type Output = $output;

            #[allow(unused_variables)]
            fn into_command(self) -> $api_command {
                let $this = self;
                $command
            }

            #[allow(unused_variables)]
            fn output(reply: $api_reply) -> Result<$output, RequestError> {
                match reply.kind {
                    $($kind => Ok($value),)+
                    _ => Err(unexpected(reply.raw)),
                }
            }
        }
    };
}

/// [`typed_request!`] for the Janus API.
macro_rules! janus_request {
    ($($rest:tt)*) => { typed_request!(Command, Reply; $($rest)*); };
}

/// [`typed_request!`] for the Admin API.
macro_rules! admin_request {
    ($($rest:tt)*) => { typed_request!(AdminRequest, AdminReply; $($rest)*); };
}

/// `info`: the server's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Info;
janus_request!(Info, ServerInfo, |r| Command::Info, ReplyKind::ServerInfo(info) => *info);

/// `ping`: a round trip (keeps no session alive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ping;
janus_request!(Ping, (), |r| Command::Ping, ReplyKind::Pong => ());

/// `create`: a new session; its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Create {
    /// The id to ask for (Janus answers 468 if it is taken); `None`: Janus picks one.
    pub id: Option<SessionId>,
}

impl Create {
    /// A session with an id Janus picks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for this session id.
    pub fn with_id(id: SessionId) -> Self {
        Self { id: Some(id) }
    }
}
janus_request!(Create, SessionId, |r| Command::Create { id: r.id },
    ReplyKind::SessionCreated(id) => id);

/// `attach`: a new handle on a plugin; its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attach {
    /// The session.
    pub session: SessionId,
    /// The plugin package, e.g. `janus.plugin.videoroom`.
    pub plugin: String,
    /// Reported back in events when the server has `opaqueid_in_api`.
    pub opaque_id: Option<String>,
    /// Ordering of requests on the new handle ([`Config::ordering`](crate::Config) when
    /// `None`).
    pub ordering: Option<Ordering>,
}

impl Attach {
    /// Attaches `plugin` with no opaque id and the default ordering.
    pub fn new(session: SessionId, plugin: impl Into<String>) -> Self {
        Self {
            session,
            plugin: plugin.into(),
            opaque_id: None,
            ordering: None,
        }
    }

    /// Sets [`opaque_id`](Self::opaque_id).
    pub fn opaque_id(mut self, id: impl Into<String>) -> Self {
        self.opaque_id = Some(id.into());
        self
    }

    /// Sets [`ordering`](Self::ordering).
    pub fn ordering(mut self, ordering: Ordering) -> Self {
        self.ordering = Some(ordering);
        self
    }
}
janus_request!(Attach, HandleId, |r| Command::Attach {
        session: r.session,
        plugin: r.plugin,
        opaque_id: r.opaque_id,
        ordering: r.ordering,
    },
    ReplyKind::Attached(handle) => handle);

/// A plugin's answer to a [`Message`]: its synchronous reply, or the event that completed an
/// asynchronous request.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginReply {
    /// `plugindata`: the plugin package and its payload.
    pub data: PluginData,
    /// An SDP offer or answer from the plugin (only asynchronous replies carry one).
    pub jsep: Option<Jsep>,
    /// The frame the reply came in.
    pub raw: RawFrame,
}

impl PluginReply {
    /// The plugin's payload as a JSON value (see [`PluginData::value`] for when it fails).
    pub fn value(&self) -> Result<Value, serde_json::Error> {
        self.data.value()
    }
}

/// `message`: a plugin request with an optional SDP; the plugin's reply or the event that
/// answers it. A plugin-level failure is [`RequestError::Plugin`].
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The handle.
    pub handle: HandleId,
    /// The request body, a JSON object.
    pub body: Value,
    /// An offer or answer.
    pub jsep: Option<Jsep>,
}

impl Message {
    /// A plugin request without SDP.
    pub fn new(handle: HandleId, body: Value) -> Self {
        Self {
            handle,
            body,
            jsep: None,
        }
    }

    /// Adds an offer or answer.
    pub fn jsep(mut self, jsep: Jsep) -> Self {
        self.jsep = Some(jsep);
        self
    }
}

impl Request for Message {
    type Command = Command;
    type Reply = Reply;
    type Output = PluginReply;

    fn into_command(self) -> Command {
        Command::Message {
            handle: self.handle,
            body: self.body,
            jsep: self.jsep,
        }
    }

    fn output(reply: Reply) -> Result<PluginReply, RequestError> {
        match reply.kind {
            ReplyKind::Plugin { data, jsep } => Ok(PluginReply {
                data,
                jsep,
                raw: reply.raw,
            }),
            _ => Err(unexpected(reply.raw)),
        }
    }
}

/// `trickle`: one candidate, several, or the end of candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Trickle {
    /// The handle.
    pub handle: HandleId,
    /// What to trickle.
    pub trickle: TrickleBody,
}

impl Trickle {
    /// Trickles `trickle` on `handle`.
    pub fn new(handle: HandleId, trickle: TrickleBody) -> Self {
        Self { handle, trickle }
    }
}
janus_request!(Trickle, (), |r| Command::Trickle { handle: r.handle, trickle: r.trickle },
    ReplyKind::Ack | ReplyKind::Success => ());

/// `hangup`: closes the handle's peer connection (the handle stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hangup(pub HandleId);
janus_request!(Hangup, (), |r| Command::Hangup { handle: r.0 }, ReplyKind::Success | ReplyKind::Ack => ());

/// `detach`: releases the handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detach(pub HandleId);
janus_request!(Detach, (), |r| Command::Detach { handle: r.0 }, ReplyKind::Success | ReplyKind::Ack => ());

/// `destroy`: ends the session and its handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destroy(pub SessionId);
janus_request!(Destroy, (), |r| Command::Destroy { session: r.0 }, ReplyKind::Success | ReplyKind::Ack => ());

/// `keepalive` now (the client also sends them on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive(pub SessionId);
janus_request!(Keepalive, (), |r| Command::Keepalive { session: r.0 },
    ReplyKind::Ack | ReplyKind::Success => ());

/// `claim`: takes over a session (after a reconnect, or from another connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The session.
    pub session: SessionId,
    /// Handles of that session to route events to and accept requests for.
    pub handles: Vec<HandleId>,
}
janus_request!(Claim, (), |r| Command::Claim { session: r.session, handles: r.handles },
    ReplyKind::Success | ReplyKind::Ack => ());

/// Admin `list_sessions`: every session on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListSessions;
admin_request!(ListSessions, Vec<SessionId>, |r| AdminRequest::ListSessions,
    AdminReplyKind::Sessions(sessions) => sessions);

/// Admin `list_handles`: every handle of a session (458 for an unknown session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListHandles(pub SessionId);
admin_request!(ListHandles, Vec<HandleId>, |r| AdminRequest::ListHandles { session_id: r.0 },
    AdminReplyKind::Handles { handles, .. } => handles);

/// Admin `handle_info`: everything Janus knows about a handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetHandleInfo {
    /// The session.
    pub session: SessionId,
    /// The handle.
    pub handle: HandleId,
    /// Only the plugin's part (`plugin_only`).
    pub plugin_only: bool,
}

impl GetHandleInfo {
    /// The whole information of a handle.
    pub fn new(session: SessionId, handle: HandleId) -> Self {
        Self {
            session,
            handle,
            plugin_only: false,
        }
    }
}
admin_request!(GetHandleInfo, HandleInfo, |r| AdminRequest::HandleInfo {
        session_id: r.session,
        handle_id: r.handle,
        plugin_only: r.plugin_only.then_some(true),
    },
    AdminReplyKind::HandleInfo { info, .. } => info);

/// Admin `set_log_level` (0–7; Janus answers 467 otherwise); the level now in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetLogLevel(pub u8);
admin_request!(SetLogLevel, u8, |r| AdminRequest::SetLogLevel { level: r.0 },
    AdminReplyKind::LogLevel(level) => level);

/// Admin `detach_handle`: detaches a handle (its session's owner receives `detached`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetachHandle {
    /// The session.
    pub session: SessionId,
    /// The handle.
    pub handle: HandleId,
}
admin_request!(DetachHandle, (), |r| AdminRequest::DetachHandle {
        session_id: r.session,
        handle_id: r.handle,
    },
    AdminReplyKind::Done => ());

/// Admin `destroy_session`: destroys a session (its owner is not told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DestroySession(pub SessionId);
admin_request!(DestroySession, (), |r| AdminRequest::DestroySession { session_id: r.0 },
    AdminReplyKind::Done => ());

/// Admin `add_token` (servers with `token_auth`): a stored token for these plugins; the
/// plugins it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddToken {
    /// The token.
    pub token: Secret,
    /// The plugins it may use (`None`: all).
    pub plugins: Option<Vec<String>>,
}
admin_request!(AddToken, Vec<String>, |r| AdminRequest::AddToken {
        token: r.token,
        plugins: r.plugins,
    },
    AdminReplyKind::TokenPlugins(plugins) => plugins);

/// Admin `remove_token`: requests using it fail from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveToken(pub Secret);
admin_request!(RemoveToken, (), |r| AdminRequest::RemoveToken { token: r.0 },
    AdminReplyKind::Done => ());

/// Admin `info`: the server's description (as on the Janus API's [`Info`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdminInfo;
admin_request!(AdminInfo, ServerInfo, |r| AdminRequest::Info,
    AdminReplyKind::ServerInfo(info) => *info);

/// Admin `ping`: a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdminPing;
admin_request!(AdminPing, (), |r| AdminRequest::Ping, AdminReplyKind::Pong => ());

/// Admin `get_status`: the settings that can be changed at runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetStatus;
admin_request!(GetStatus, AdminStatus, |r| AdminRequest::GetStatus,
    AdminReplyKind::Status(status) => status);
