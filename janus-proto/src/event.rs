//! Events: everything the client has to tell its caller.

use std::time::Duration;

use crate::error::RequestError;
use crate::ids::{HandleId, SessionId, TransactionId};
use crate::link::Disconnect;
use crate::wire::{
    Candidate, JanusError, Jsep, MediaState, PluginData, RawFrame, ServerInfo, SlowLink,
};

/// An input to [`Client::handle_input`](crate::Client::handle_input).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// One WebSocket message (text, or binary holding JSON), reassembled from its fragments.
    Frame(bytes::Bytes),
    /// The connection is gone (closed by either side, or broken), or a dial the client asked
    /// for ([`Action::Dial`](crate::Action::Dial)) failed.
    Closed,
    /// The same as [`Closed`](Self::Closed), with the transport's words for why.
    Lost(String),
    /// A WebSocket pong arrived (for an [`Action::Ping`](crate::Action::Ping)).
    Pong,
    /// A dial the client asked for ([`Action::Dial`](crate::Action::Dial)) succeeded: the new
    /// connection is open.
    Connected,
}

/// What a client tells its caller, in the order things happened. `R` is a successful
/// outcome: [`Reply`] on the Janus API ([`Client`](crate::Client)),
/// [`AdminReply`](crate::wire::admin::AdminReply) on the Admin API
/// ([`AdminClient`](crate::AdminClient), whose events are only [`Event::Completed`],
/// [`Event::Connection`] and [`Event::Lagged`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event<R = Reply> {
    /// A transaction ended: exactly one of these per id [`submit`](crate::Core::submit)
    /// returned.
    Completed {
        /// The transaction.
        txn: TransactionId,
        /// Its reply, or why it failed.
        outcome: Result<R, RequestError>,
    },
    /// Janus accepted an asynchronous plugin request; its outcome comes later in
    /// [`Event::Completed`]. May come after the outcome: then it is not reported.
    Acked {
        /// The transaction.
        txn: TransactionId,
        /// Free text some plugins add.
        hint: Option<String>,
    },
    /// Something happened on a handle.
    Handle {
        /// The session.
        session: SessionId,
        /// The handle.
        handle: HandleId,
        /// What happened.
        event: HandleEvent,
    },
    /// Something happened to a session.
    Session {
        /// The session.
        session: SessionId,
        /// What happened.
        event: SessionEvent,
    },
    /// Something about the connection as a whole.
    Connection(ConnectionEvent),
    /// Unsolicited events were dropped because the queue was full
    /// ([`Config::event_queue_capacity`](crate::Config::event_queue_capacity)); this many,
    /// just before this point.
    Lagged {
        /// How many were dropped.
        dropped: u64,
    },
}

impl<R> Event<R> {
    /// Whether this event ends a transaction or changes session, handle or connection
    /// state. Such events are never dropped by a full queue; the others (unsolicited
    /// notifications) may be, and are then counted in [`Event::Lagged`].
    ///
    /// ```
    /// use janus_proto::{ConnectionEvent, Event};
    /// let closed: Event = Event::Connection(ConnectionEvent::Closed);
    /// assert!(closed.keeps_state());
    /// ```
    pub fn keeps_state(&self) -> bool {
        match self {
            Event::Completed { .. }
            | Event::Acked { .. }
            | Event::Session { .. }
            | Event::Lagged { .. } => true,
            Event::Handle { event, .. } => {
                matches!(
                    event.kind,
                    HandleEventKind::Detached | HandleEventKind::Gone(_)
                )
            }
            Event::Connection(c) => matches!(
                c,
                ConnectionEvent::Closed
                    | ConnectionEvent::Disconnected { .. }
                    | ConnectionEvent::Reconnecting { .. }
                    | ConnectionEvent::Reconnected { .. }
                    | ConnectionEvent::GaveUp { .. }
            ),
        }
    }
}

/// A successful reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The typed view.
    pub kind: ReplyKind,
    /// The frame it came from.
    pub raw: RawFrame,
}

/// The typed view of a [`Reply`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReplyKind {
    /// `info` answered.
    ServerInfo(Box<ServerInfo>),
    /// `ping` answered.
    Pong,
    /// `create` answered with the new session.
    SessionCreated(SessionId),
    /// `attach` answered with the new handle.
    Attached(HandleId),
    /// A plugin answered a `message`: synchronously (`success` with `plugindata`) or with its
    /// event.
    Plugin {
        /// The plugin's payload.
        data: PluginData,
        /// An SDP from the plugin (only in events).
        jsep: Option<Jsep>,
    },
    /// `trickle` or `keepalive` acknowledged.
    Ack,
    /// `hangup`, `detach`, `destroy` or `claim` succeeded.
    Success,
}

/// Something Janus said about a handle.
#[derive(Debug, Clone, PartialEq)]
pub struct HandleEvent {
    /// The typed view.
    pub kind: HandleEventKind,
    /// The frame it came from.
    pub raw: RawFrame,
}

/// The typed view of a [`HandleEvent`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HandleEventKind {
    /// A plugin event that is not the outcome of a pending request: unsolicited, or a
    /// follow-up of a finished one.
    Plugin {
        /// The plugin's payload.
        data: PluginData,
        /// An SDP from the plugin (e.g. a VideoRoom renegotiation offer).
        jsep: Option<Jsep>,
        /// The transaction it names, if it is one of this client's.
        txn: Option<TransactionId>,
    },
    /// The peer connection is up.
    WebrtcUp,
    /// Media started or stopped flowing.
    Media(MediaState),
    /// Packet loss.
    SlowLink(SlowLink),
    /// The peer connection is gone.
    Hangup {
        /// Why.
        reason: Option<String>,
    },
    /// The handle is gone. Pending requests on it (other than `detach`) fail.
    Detached,
    /// Janus answered a request on this handle with 459 (no such handle): the server no
    /// longer has it, so it ended here too, as after [`Detached`](Self::Detached). The raw
    /// frame is that error reply.
    Gone(JanusError),
    /// A candidate from Janus (with `full_trickle`). May arrive before the SDP it belongs
    /// to: keep it until the remote description is set.
    Trickle(Candidate),
    /// A message kind this crate does not know; see the raw frame.
    Other {
        /// Its `janus` value.
        janus: String,
    },
}

/// Something that happened to a session.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// The session is over, for the given reason. Its pending requests failed with
    /// [`RequestError::SessionEnded`]; no more keepalives are sent.
    Ended(SessionEnd),
    /// The connection closed: the session is orphaned. If the server keeps sessions
    /// (`reclaim_session_timeout`), [`Command::Claim`](crate::Command::Claim) on a new
    /// connection revives it; once the window known from `info` is over, it ends with
    /// [`SessionEnd::NotReclaimed`].
    Disconnected,
    /// A keepalive failed (timed out or refused) but the session is not known to be gone.
    KeepaliveFailed(RequestError),
    /// A message kind this crate does not know, for this session; see the raw frame.
    Other {
        /// Its `janus` value.
        janus: String,
        /// The frame.
        raw: RawFrame,
    },
}

/// Why a session ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SessionEnd {
    /// Janus expired it (`timeout`).
    TimedOut(RawFrame),
    /// `destroy` succeeded.
    Destroyed,
    /// A request naming it (a keepalive, a claim, or any other) was answered with 458: the
    /// server no longer has it.
    Gone(JanusError),
    /// Its connection closed and it was not claimed within the server's reclaim window
    /// (`reclaim-session-timeout` of the last `info` reply; zero, Janus's default, means the
    /// server destroys a session with its connection): the server no longer has it.
    NotReclaimed {
        /// The window.
        window: Duration,
    },
    /// Reclaiming it after a reconnect failed for a reason other than 458 (which is
    /// [`Gone`](Self::Gone)).
    ClaimFailed(RequestError),
    /// The client gave up reconnecting (or was closed) while the session was orphaned: it
    /// can no longer be claimed here.
    Abandoned,
    /// Over HTTP, Janus refused the session's long-poll (`403`: not authorized, `404`: no
    /// such session).
    PollRefused {
        /// The HTTP status.
        status: u16,
    },
}

/// Something about the connection rather than a session or handle.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// A core error no request can be matched to (invalid JSON sent, a bad `id`, …). The
    /// request it was meant for ends at its deadline.
    Error {
        /// Code and reason.
        error: JanusError,
        /// The frame.
        raw: RawFrame,
    },
    /// A reply for a request this client gave up on (timed out or cancelled).
    LateReply {
        /// The transaction.
        txn: TransactionId,
        /// The frame.
        raw: RawFrame,
    },
    /// A message this client cannot route: a reply for an unknown transaction, an event for
    /// a session it never had, or an unknown kind with no session.
    Unroutable {
        /// The frame.
        raw: RawFrame,
    },
    /// The connection was lost, or found dead; why. Without a reconnect policy
    /// [`Closed`](Self::Closed) follows; with one, [`Reconnecting`](Self::Reconnecting).
    Disconnected {
        /// Why.
        why: Disconnect,
    },
    /// The client is dialling again ([`Action::Dial`](crate::Action::Dial)).
    Reconnecting {
        /// The attempt, from 1.
        attempt: u32,
        /// The endpoint dialled.
        endpoint: usize,
    },
    /// The connection is back and every session that could be was claimed, with its
    /// handles; requests submitted meanwhile go out now. Events Janus had for these
    /// sessions while the connection was down are lost: Janus does not keep them for a
    /// WebSocket session. Over HTTP, where Janus ties no session to a connection, each
    /// session is confirmed with a keepalive instead of claimed (its events kept by Janus
    /// meanwhile come with the next poll, unless a poll of the lost connection took them).
    Reconnected {
        /// The sessions claimed (over HTTP: confirmed), each one's handles with it.
        claimed: Vec<SessionId>,
        /// The sessions lost since the connection went down, each with why (each also had
        /// its own [`SessionEvent::Ended`]).
        lost: Vec<(SessionId, SessionEnd)>,
        /// How long the connection was down.
        down_for: Duration,
    },
    /// The reconnect policy is exhausted after this many attempts; [`Closed`](Self::Closed)
    /// follows.
    GaveUp {
        /// The attempts made.
        attempts: u32,
    },
    /// The connection closed for good: every pending request failed with
    /// [`RequestError::ConnectionLost`].
    Closed,
}
