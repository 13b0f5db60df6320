//! # janus-blocking: a blocking Janus WebRTC Server client
//!
//! Speaks the [Janus](https://janus.conf.meetecho.com/) JSON API and Admin API over a
//! WebSocket (`ws://` or `wss://`, via tungstenite and rustls), over Janus's HTTP REST
//! transport (`http://` or `https://`, see [Over HTTP](#over-http)) or over Janus's Unix
//! sockets transport (`unix:`, see [Over a Unix socket](#over-a-unix-socket)), with the
//! protocol itself done by the sans-IO core [`janus_proto`]. Everything runs on the caller's
//! thread: the library starts no thread and needs no async runtime of the caller's.
//!
//! The public interface is:
//! * [`Connection`]: one Janus API connection (subprotocol `janus-protocol`) with typed
//!   calls, pipelining ([`Connection::submit`] / [`Connection::wait`]) and events
//!   ([`Connection::next_event`]).
//! * [`AdminConnection`]: one Admin API connection (subprotocol `janus-admin-protocol`).
//! * [`Pool`]: one connection per server of a list, new sessions on the least-loaded
//!   healthy one, and the sessions lost with a server reported ([`PoolEvent`]).
//! * [`ConnectOptions`] to connect with; [`Error`] for every failure; [`PluginReply`].
//! * Re-exported from [`janus_proto`]: the ids, [`Command`], [`Event`] and friends.
//!
//! ## Quickstart
//!
//! ```no_run
//! use std::time::Duration;
//! use janus_blocking::{ConnectOptions, Connection, Error};
//! use serde_json::json;
//!
//! fn main() -> Result<(), Error> {
//!     let mut janus = Connection::connect("ws://127.0.0.1:8188", ConnectOptions::new())?;
//!     let session = janus.create()?;
//!     let handle = janus.attach(session, "janus.plugin.echotest")?;
//!     // A synchronous reply or the event answering an asynchronous request, whichever.
//!     let reply = janus.message(handle, json!({"audio": true}), None)?;
//!     println!("echotest says {}", reply.data.data);
//!     // Wait for other events; keepalives go out meanwhile.
//!     while let Some(event) = janus.next_event(Duration::from_millis(200))? {
//!         println!("{event:?}");
//!     }
//!     janus.detach(handle)?;
//!     janus.destroy(session)?;
//!     janus.close();
//!     Ok(())
//! }
//! ```
//!
//! ## How it runs
//!
//! Each call turns the run loop of the core (see `janus_proto`'s "The run loop") until its
//! own outcome arrives:
//!
//! ```text
//!   submit ──▶ janus_proto::Client ──▶ poll_transmit ──▶ WebSocket text message
//!                 ▲      │
//!   frame / ──────┘      ├──▶ poll_event ──▶ the call's outcome, or set aside for next_event
//!   timeout              └──▶ poll_timeout ──▶ socket read timeout (≥ 1 ms)
//! ```
//!
//! (Over HTTP, `poll_exchange` hands out HTTP requests and long-polls instead of frames, and
//! their responses come back in their place.)
//!
//! So keepalives, pings, request deadlines and reconnects happen **only while the caller is
//! inside a call, in [`Connection::next_event`], or in [`Connection::poll`]**. A program
//! that idles between requests should spend that time in `next_event`; one busy with its own
//! work calls `poll` by the instant `poll` returned (it never blocks). A dead connection is
//! found no later than the first of these calls after its pong deadline. Time is read here,
//! never in the core.
//!
//! ## Over HTTP
//!
//! Janus's HTTP REST transport (`janus.transport.http`) serves the Janus API at its
//! `base_path` (`http://host:8088/janus` by default) and the Admin API at its
//! `admin_base_path` (`http://host:7088/admin`). An `http://` or `https://` URL names such a
//! base path, and everything else is as over a WebSocket: the same [`Connection`],
//! [`AdminConnection`] and [`Pool`], the same typed requests, events, deadlines and errors,
//! and reconnects (a [`fallback_url`](ConnectOptions::fallback_url) must be an HTTP URL
//! too).
//!
//! ```no_run
//! use std::time::Duration;
//! use janus_blocking::{AdminConnection, Config, ConnectOptions, Connection, Error};
//!
//! fn main() -> Result<(), Error> {
//!     // Up to 5 events per long-poll response (`maxev`; 10 by default).
//!     let options = ConnectOptions::new().config(Config::new().http(5));
//!     let mut janus = Connection::connect("http://127.0.0.1:8088/janus", options)?;
//!     let session = janus.create()?;
//!     let handle = janus.attach(session, "janus.plugin.echotest")?;
//!     // The session's long-poll brings its events; it goes on while this waits.
//!     while let Some(event) = janus.next_handle_event(handle, Duration::from_secs(1))? {
//!         println!("{event:?}");
//!     }
//!     let options = ConnectOptions::new().admin_secret("janusoverlord");
//!     let mut admin = AdminConnection::connect("http://127.0.0.1:7088/admin", options)?;
//!     assert!(admin.list_sessions()?.contains(&session));
//!     Ok(())
//! }
//! ```
//!
//! How it goes:
//! * **A request is an exchange.** Each request is a `POST` of the same JSON as over a
//!   WebSocket, to the base path, `/<session>` or `/<session>/<handle>` (`info` is
//!   `GET /info`), with the `apisecret`, `token` or `admin_secret` in its body as usual. The
//!   exchanges run side by side, each on an HTTP/1.1 connection of its own, kept alive for
//!   the next ones.
//! * **One long-poll per session.** A session's events come by long-poll: one
//!   `GET /<session>?maxev=N` in flight per live session (never one per handle), with the
//!   `apisecret` and `token` as query parameters. `N` is set with [`Config::http`] in
//!   [`ConnectOptions::config`]. Janus counts each poll's arrival as the session's
//!   keepalive, so a poll going out resets the session's keepalive timer: with the default
//!   interval no keepalive request goes out (one does only where the polls, at most 30 s
//!   apart, cannot cover the server's `session_timeout`: a shorter `keepalive_interval`, or
//!   a timeout of 35 s or less learnt from `info`). Janus answers an idle poll after about
//!   30 s with a `keepalive`, which is absorbed, and the next poll goes out. Like keepalives, the polls
//!   go on only while the caller is inside a call, in `next_event` or in `poll`.
//!
//! What the transport makes different:
//! * **No ping.** Nothing is pinged: a long-poll Janus has not answered within 30 s plus
//!   [`pong_timeout`](ConnectOptions::pong_timeout) means the server is dead
//!   ([`Disconnect::PollUnanswered`]). With no session, nothing is in flight to notice it
//!   before the next request.
//! * **HTTP statuses.** A request answered with a status other than 200 ends with
//!   [`RequestError::Http`] (Janus's own errors come with 200, as
//!   [`RequestError::Janus`]). A poll answered with a 5xx (any status but 200, 403 and 404)
//!   loses the connection ([`Disconnect::Http`]), as does an exchange that cannot be carried
//!   out (refused, reset, cut off in the middle of its response): pending requests fail,
//!   or with a [`reconnect`](ConnectOptions::reconnect) policy the client claims its
//!   sessions again. A `403` or `404` to a poll ends its session
//!   ([`SessionEnd::PollRefused`]).
//! * **Responses have no order between them**, each coming on its own connection: those
//!   that arrive together are taken replies first, then long-polls (Janus sends a reply
//!   before the events that follow from it).
//! * **HTTPS** is checked with the same TLS options as `wss://`
//!   ([`tls_root_pem`](ConnectOptions::tls_root_pem),
//!   [`webpki_roots`](ConnectOptions::webpki_roots),
//!   [`tls_config`](ConnectOptions::tls_config)).
//! * **Still no thread.** The exchanges are hyper's HTTP/1.1 client connections, moved by a
//!   private current-thread tokio runtime that runs only inside the calls, on the caller's
//!   thread (host names are resolved on the caller's thread as well). Being a tokio
//!   runtime, it cannot run inside another: over HTTP, do not make these calls from a task
//!   of a tokio runtime (tokio panics); from async code use `janus-transport-ws`, or
//!   tokio's `spawn_blocking`.
//!
//! ## Over a Unix socket
//!
//! Janus's Unix sockets transport (`janus.transport.pfunix`, `type = "SOCK_SEQPACKET"`)
//! serves the Janus API at its `path` and the Admin API at its `admin_path`. A `unix:` URL
//! names such a socket (`unix:/run/janus/api.sock`, or `unix:///run/janus/api.sock`), and
//! everything else is as over a WebSocket: the same [`Connection`], [`AdminConnection`] and
//! [`Pool`], the same typed requests, events, deadlines and errors, and reconnects (the same
//! path is dialled again; a [`fallback_url`](ConnectOptions::fallback_url) may be either
//! kind). Each message is one packet.
//!
//! ```no_run
//! use janus_blocking::{AdminConnection, ConnectOptions, Connection, Error};
//!
//! fn main() -> Result<(), Error> {
//!     let mut janus = Connection::connect("unix:/run/janus/api.sock", ConnectOptions::new())?;
//!     let session = janus.create()?;
//!     let options = ConnectOptions::new().admin_secret("janusoverlord");
//!     let mut admin = AdminConnection::connect("unix:/run/janus/admin.sock", options)?;
//!     assert!(admin.list_sessions()?.contains(&session));
//!     Ok(())
//! }
//! ```
//!
//! What the transport makes different:
//! * **No ping.** The driver answers the core's pings itself: the kernel reports a dead
//!   server on the socket (end of file, or a reset) as soon as it dies, so there is nothing
//!   a ping would add. A server that hangs without dying is still found by keepalives that
//!   go unanswered.
//! * **Requests up to 8191 bytes.** Janus reads each packet into an 8 KiB buffer and drops a
//!   longer one without a word, so a `unix:` connection lowers `max_outgoing_frame` to
//!   [`PFUNIX_MAX_REQUEST`]: a longer request fails at once with
//!   [`UsageError::FrameTooLarge`] instead of at its deadline. (Janus also drops a reply
//!   larger than its socket's send buffer, `net.core.wmem_default`, 208 KiB by default; such
//!   a request ends at its deadline.)
//! * **A session timeout may close the connection.** Janus closes a Unix connection when
//!   one of its sessions times out (not always: a race in it leaves some open). Let
//!   sessions end by `destroy` rather than by timing out: a Unix client that disconnects
//!   while Janus times out a session of this transport can deadlock the transport (Janus
//!   1.1.2 to 1.4.1: its thread and the session watchdog take two locks in opposite
//!   orders). The keepalives the core sends keep sessions from timing out.
//! * **Reads while writing.** Janus writes to its Unix clients with blocking writes, from
//!   the one thread that also reads them; so while a packet of ours waits for room, the
//!   socket takes in what Janus sends (it is given to the caller next), and neither side
//!   waits for the other.
//!
//! ## Tracing and metrics
//!
//! With the feature `tracing` (on by default) every connection, session, handle and request
//! has a [`tracing`](https://docs.rs/tracing) span carrying its ids (the URL; the session;
//! the handle and its plugin; each request's transaction and kind), lifecycle events
//! (connected, lost, reconnecting, closed; keepalive failures, dropped events, late replies,
//! unroutable frames) come at INFO or WARN, and every frame in and out is logged at TRACE
//! (target `janus::frame`) with `apisecret`, `token`, `admin_secret` and the plugins'
//! `secret`s and `pin`s hidden. Nothing is formatted unless a subscriber takes it. With the
//! feature `metrics`, requests are counted by kind and outcome and timed, and pending
//! requests, sessions and handles are gauged, through the [`metrics`](https://docs.rs/metrics)
//! facade. The facts come from the core ([`janus_proto::observe`]); the spans, events and
//! metric names are listed in [`observe`].
//!
//! ```
//! // The metric names, for dashboards and alerts.
//! assert_eq!(janus_blocking::observe::REQUESTS_TOTAL, "janus_requests_total");
//! assert_eq!(janus_blocking::observe::REQUEST_DURATION_SECONDS, "janus_request_duration_seconds");
//! ```
//!
//! ## Errors versus events
//!
//! A call returns its own outcome: the reply, or an [`Error`] saying how the request ended
//! (Janus error, plugin error, deadline, connection lost, …), or why it could not be made.
//! Everything else the server says comes from [`Connection::next_event`] as a
//! [`janus_proto::Event`]: plugin events that are not a reply, `hangup`, `detached`, session
//! `timeout`, errors no request can be matched to, the connection closing. A frame that is
//! not a Janus message is reported there as [`Error::Protocol`] and does not close the
//! connection.
//!
//! ## Panics
//!
//! None: every input from the server or the caller gives a value or an [`Error`]. (One
//! misuse does: calls over HTTP from inside a tokio task, see [Over HTTP](#over-http).)
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod connection;
mod driver;
mod http;
mod options;
mod pipe;
mod pool;
mod socket;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_http;
#[cfg(all(test, unix))]
mod tests_unix;
#[cfg(unix)]
mod unix;

pub use admin::AdminConnection;
pub use connection::Connection;
pub use janus_ws_connect::{
    ConnectError, Error, PemSource, PoolError, PoolServer, SocketError, TlsRootError,
    PFUNIX_MAX_REQUEST,
};
pub use options::ConnectOptions;
pub use pool::Pool;

/// The tracing spans and events and the metrics of every connection (features `tracing`
/// and `metrics`), and the metric names.
pub use janus_ws_connect::observe;

/// The rustls in use, for [`ConnectOptions::tls_config`] and [`SocketError::Tls`].
pub use janus_ws_connect::rustls;
/// The tungstenite in use, for [`SocketError::WebSocket`].
pub use janus_ws_connect::tungstenite;

pub use janus_proto::admin::AdminEvent;
pub use janus_proto::plugins;
pub use janus_proto::pool::{Health, PoolEvent};
pub use janus_proto::request::{self, Request};
pub use janus_proto::wire::admin::{AdminReply, AdminReplyKind, AdminRequest, HandleInfo};
pub use janus_proto::wire::{RawFrame, ServerInfo};
pub use janus_proto::{
    Candidate, Command, Config, ConnectionEvent, Disconnect, Event, EventTarget, HandleEvent,
    HandleEventKind, HandleId, IceCandidate, JanusError, Jsep, JsepType, Ordering, PluginData,
    PluginError, PluginReply, ProtocolError, Reconnect, Reply, ReplyKind, RequestError, SessionEnd,
    SessionEvent, SessionId, SessionState, TransactionId, Trickle, UsageError,
};

/// The README's examples, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
