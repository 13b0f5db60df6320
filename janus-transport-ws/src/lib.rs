//! # janus-transport-ws: an async Janus WebRTC Server client on any executor
//!
//! This crate drives the sans-IO core [`janus_proto`] over a WebSocket
//! ([async-tungstenite](https://docs.rs/async-tungstenite)), on any futures-io byte stream,
//! over Janus's Unix sockets transport (`unix:` URLs, see
//! [Over a Unix socket](#over-a-unix-socket)), or over its HTTP REST transport (`http://`
//! and `https://` URLs, see [Over HTTP](#over-http)).
//! It holds no protocol logic of its own: correlation, ordering, keepalives, deadlines and
//! event routing are the core's; this crate moves frames (or HTTP exchanges), time and
//! events between the core and a socket. smol (feature `async-io`, on by default) and tokio (feature `tokio`) are
//! supported out of the box; any other runtime works with [`connect_with_stream`] and a
//! [`Timer`].
//!
//! **It spawns nothing.** [`connect`] returns a [`Client`] and a [`Driver`]; the driver is a
//! future that you run, on your executor or raced with your own work (the tokio-postgres
//! `Connection` pattern). It resolves with the reason the connection ended ([`DriverEnd`]).
//!
//! ## Quickstart (smol)
//!
//! ```no_run
//! use janus_transport_ws::{connect, ConnectOptions};
//! use serde_json::json;
//!
//! fn main() -> Result<(), janus_transport_ws::Error> {
//!     smol::block_on(async {
//!         let (client, driver) = connect("ws://127.0.0.1:8188", ConnectOptions::new()).await?;
//!         let driver = smol::spawn(driver); // or race it: smol::future::or(...)
//!
//!         let session = client.create().await?;
//!         let handle = session.attach("janus.plugin.echotest").await?;
//!         let reply = handle.message(json!({"audio": true}), None).await?;
//!         println!("echotest says {}", reply.data.data);
//!         handle.detach().await?;
//!         session.destroy().await?;
//!
//!         client.close();
//!         println!("connection ended: {}", driver.await);
//!         Ok(())
//!     })
//! }
//! ```
//!
//! ## Requests
//!
//! Each request method ([`Client::info`], [`Session::attach`], [`Handle::message`], …, and
//! the generic [`Client::call`]) submits its request when called and returns a `Send +
//! 'static` future of its outcome: the reply, or an [`Error`] saying how it failed (Janus
//! error, plugin error, deadline, connection lost, session ended, handle detached). Every
//! request ends exactly once. Requests are **cancellation-safe**: dropping the future before
//! it completes ends its transaction cleanly (the core records it as cancelled; a late reply
//! shows up on the connection stream as such), so `select!`/timeouts around requests are
//! fine. [`Client::pending`] counts the requests that have no outcome yet.
//!
//! [`Client`], [`Session`] and [`Handle`] are cheap to clone and `Send + Sync`. Sessions and
//! handles are just ids plus a client: dropping them neither destroys nor detaches anything
//! (call [`Session::destroy`], [`Handle::detach`]).
//!
//! ## Events
//!
//! Events that answer no request arrive on bounded streams ([`futures_core::Stream`]s of
//! [`StreamItem`]):
//! * [`Handle::events`]: one handle's events. Ends after `detached`, when the session ends,
//!   or when the connection closes.
//! * [`Session::events`]: the session's own events (`timeout`, …). Ends when the session
//!   ends or the connection closes.
//! * [`Client::connection_events`]: uncorrelated errors, late replies, unroutable and
//!   undecodable frames, the final close.
//! * [`Client::events`]: all of the above in one stream, oldest first, for a program with
//!   one event loop (what `janus-blocking`'s `next_event` gives).
//!
//! The queues behind the streams are the protocol core's ([`janus_proto::EventTarget`]): a
//! handle's events wait in its own queue from the moment its attach reply is processed,
//! whether or not its stream is open yet, so nothing goes astray while you set up. Each
//! queue holds up to [`ConnectOptions::event_queue_capacity`] events; when a consumer falls
//! behind, the newest events that only inform are dropped and counted, and it then reads
//! [`StreamItem::Lagged`] with the count at the point where they were lost (events that
//! change state are always kept). A slow stream never blocks the connection or the other
//! streams. One stream per handle, session and connection: opening another ends the
//! previous one.
//!
//! ## Timers and runtimes
//!
//! The driver needs a timer for deadlines, keepalives and the close handshake, and
//! [`connect`] needs a socket. Both come from the runtime the program runs on:
//!
//! * **tokio** (feature `tokio`): called inside a tokio runtime (any flavour, including
//!   current-thread), [`connect`] dials with `tokio::net::TcpStream` and the driver sleeps
//!   with `tokio::time`. Spawn the driver with `tokio::spawn`. The crate adapts the socket to
//!   futures-io itself; your program has no compat code.
//! * **smol / async-io** (feature `async-io`, the default): anywhere else, [`connect`] dials
//!   with `async_io::Async<TcpStream>` and the driver sleeps with `async_io::Timer`.
//!
//! The rule, when both features are on: **tokio inside a tokio runtime, async-io
//! otherwise** (what [`connect`] is called in decides, checked with
//! `tokio::runtime::Handle::try_current`). That is what a program expects whichever of the
//! two it runs on, and it never mixes them: a tokio service does not start async-io's
//! reactor, and a smol program never needs a tokio runtime. [`ConnectOptions::timer`]
//! overrides the timer; [`connect_with_stream`] takes a socket you opened (it picks the
//! timer by the same rule).
//!
//! Why it matters: async-io drives its reactor from a helper thread ("async-io") that it
//! starts itself the first time the reactor is used. A smol program has that thread anyway;
//! in a tokio service it would be a thread the caller never asked for. So a tokio service
//! should depend on the crate with `default-features = false, features = ["tokio"]`: then
//! async-io is not even compiled in (`scripts/test.sh` checks that). With neither feature,
//! use [`connect_with_stream`] and supply a [`Timer`]; forgetting it is an error
//! ([`Error::NoTimer`]) rather than a hidden thread.
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # async fn f() -> Result<(), janus_transport_ws::Error> {
//! // tokio (`features = ["tokio"]`), inside `#[tokio::main]` or any tokio runtime:
//! use janus_transport_ws::{connect, ConnectOptions};
//! let (client, driver) = connect("ws://127.0.0.1:8188", ConnectOptions::new()).await?;
//! tokio::spawn(driver);
//! let session = client.create().await?;
//! # let _ = session;
//! # Ok(())
//! # }
//! ```
//!
//! ## Over a Unix socket
//!
//! Janus's Unix sockets transport (`janus.transport.pfunix`, `type = "SOCK_SEQPACKET"`)
//! serves the Janus API at its `path` and the Admin API at its `admin_path`. A `unix:` URL
//! names such a socket (`unix:/run/janus/api.sock`, or `unix:///run/janus/api.sock`), and
//! everything else is as over a WebSocket: [`connect`], [`connect_admin`] and
//! [`connect_pool`] take it, with the same clients, requests, event streams, deadlines,
//! errors and reconnects (the same path is dialled again; a
//! [`fallback_url`](ConnectOptions::fallback_url) may be either kind). Each message is one
//! packet. The socket waits with the runtime's reactor, chosen as for TCP (see
//! [Timers and runtimes](#timers-and-runtimes)): tokio's inside a tokio runtime, else
//! async-io's. [`connect_with_stream`] takes a WebSocket's byte stream, not a `unix:` URL.
//!
//! ```no_run
//! # async fn f() -> janus_transport_ws::Result<()> {
//! use janus_transport_ws::{connect, connect_admin, ConnectOptions};
//! let (client, driver) = connect("unix:/run/janus/api.sock", ConnectOptions::new()).await?;
//! let options = ConnectOptions::new().admin_secret("janusoverlord");
//! let (admin, admin_driver) = connect_admin("unix:/run/janus/admin.sock", options).await?;
//! // Run both drivers (spawn them, or race them with your work), then:
//! let session = client.create().await?;
//! assert!(admin.list_sessions().await?.contains(&session.id()));
//! # let _ = (driver, admin_driver);
//! # Ok(())
//! # }
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
//! * **A message over the limit** ([`Config::max_incoming_frame`]) is read into a buffer of
//!   the limit (the kernel discards the rest) and ends the connection with
//!   [`Error::MessageTooLarge`], its whole size and the limit; the socket is shut down (a
//!   Unix socket has no close code).
//!
//! ## Over HTTP
//!
//! Janus's HTTP REST transport (`janus.transport.http`) serves the Janus API at
//! `http://host:8088/janus` and the Admin API at `http://host:7088/admin` (`https://` on its
//! secure ports). Given such a URL, [`connect`], [`connect_admin`] and [`connect_pool`]
//! speak HTTP, with the same clients, requests, event streams, deadlines, errors and
//! reconnects as over a WebSocket; [`connect`] returns once a first TCP connection (with TLS
//! for `https://`) is open, so a server that is not there fails it. Each request is a `POST`
//! of the same JSON (`GET /info` for `info`) to the base URL, `/<session>` or
//! `/<session>/<handle>`; the `apisecret` and `token` go in its body. The protocol is the
//! core's ([`janus_proto::http`]); the driver carries out its exchanges, each on an
//! HTTP/1.1 connection of its own, kept alive and reused (hyper's low-level client).
//!
//! ```no_run
//! # async fn f() -> janus_transport_ws::Result<()> {
//! use janus_transport_ws::{connect, ConnectOptions};
//! let (client, driver) = connect("http://127.0.0.1:8088/janus", ConnectOptions::new()).await?;
//! // Run the driver (spawn it, or race it with your work), then:
//! let session = client.create().await?;
//! # let _ = (driver, session);
//! # Ok(())
//! # }
//! ```
//!
//! Events come by long-polls: **one outstanding `GET /<session>?maxev=N` per live session**
//! (never one per handle), with the `apisecret` and `token` as query parameters. Janus
//! counts each poll's arrival as the session's keepalive, so a poll going out resets the
//! session's keepalive timer: with the default interval no keepalive request goes out (one
//! does only where the polls, at most 30 s apart, cannot cover the server's
//! `session_timeout`: a shorter `keepalive_interval`, or a timeout of 35 s or less learnt
//! from `info`). Janus answers an idle poll after about 30 s with a `keepalive`, which is
//! absorbed, and the next poll goes out. A poll answer holds up to `maxev` events (10 by default; set it with
//! [`Config::http`] in [`ConnectOptions::config`]), taken in order.
//!
//! What the transport makes different:
//! * **No ping.** A dead or hung server is found by a long-poll left unanswered for 30 s
//!   plus [`ConnectOptions::pong_timeout`] ([`Disconnect::PollUnanswered`]): the connection
//!   is lost (without a reconnect policy the driver ends with [`Error::Dead`]). With no
//!   session there is no poll, and a dead server is found by the next request, which cannot
//!   be carried out.
//! * **HTTP statuses.** A request answered with a status other than `200` fails with
//!   [`RequestError::Http`] (Janus's own errors come with `200`, as
//!   [`RequestError::Janus`]). A `5xx` answer to a poll loses the connection
//!   ([`Disconnect::Http`]; [`Error::Dead`] without a reconnect policy); a `403` or `404`
//!   ends that session only ([`SessionEnd::PollRefused`]). An exchange that cannot be
//!   carried out (refused, reset, a body over [`Config::max_incoming_frame`]) loses the
//!   connection: every exchange in flight is dropped, as a broken socket would be.
//! * **No connection to close.** Janus ties no session to a TCP connection: after
//!   [`Client::close`] (which ends the driver at once, dropping the exchanges in flight) the
//!   sessions live on until their polls have been missing for Janus's `session_timeout`;
//!   destroy them first. A reconnect claims them as over a WebSocket.
//! * **TLS** for `https://` is rustls with the same trust settings as `wss://` (see
//!   [TLS and authentication](#tls-and-authentication)).
//! * [`connect_with_stream`] does not take an HTTP URL
//!   ([`ConnectError::InvalidUrl`]): HTTP needs a connection per exchange in flight, which
//!   [`connect`] dials itself, with the runtime's sockets and timer (see
//!   [Timers and runtimes](#timers-and-runtimes)). A
//!   [`fallback_url`](ConnectOptions::fallback_url) of an HTTP URL must be HTTP too.
//!
//! It still spawns nothing: the driver future polls hyper's connection futures itself, and
//! sleeps while no exchange moves.
//!
//! ## A pool of servers
//!
//! [`connect_pool`] connects to a list of servers, one connection each, and returns a
//! [`Pool`] and one [`PoolDriver`] to run. [`Pool::create`] puts a new session on the
//! least-loaded healthy server (by the pool's count, or Janus's own through the Admin API);
//! a server whose connection is lost or found dead gets nothing new until it is back, and
//! [`Pool::next_event`] reports exactly which sessions died with it
//! ([`PoolEvent::SessionsLost`]). The rules are [`janus_proto::pool`]'s.
//!
//! ## TLS and authentication
//!
//! `wss://` (and `https://`) URLs use rustls with the ring provider, trusting the webpki
//! roots plus any [`ConnectOptions::tls_root_pem`] (or exactly your
//! [`ConnectOptions::tls_config`]).
//! [`ConnectOptions::apisecret`] and [`ConnectOptions::token`] are put on every request that
//! needs them; the Admin API ([`connect_admin`]) takes the same [`ConnectOptions`] and uses
//! its [`ConnectOptions::admin_secret`].
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
//! assert_eq!(janus_transport_ws::observe::REQUESTS_TOTAL, "janus_requests_total");
//! assert_eq!(janus_transport_ws::observe::REQUEST_DURATION_SECONDS, "janus_request_duration_seconds");
//! ```
//!
//! ## Wire discipline
//!
//! Every request is one WebSocket text message (one Unix packet, one HTTP body) holding
//! exactly the core's JSON object, with no trailing bytes (Janus drops a message with a
//! trailing newline). `TCP_NODELAY` is set on
//! sockets this crate opens. Only the driver touches the socket (no split halves, so none of
//! async-tungstenite's lost-waker problems with concurrent senders).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod client;
mod driver;
mod events;
mod options;
#[cfg(any(feature = "async-io", feature = "tokio"))]
mod pool;
mod runtime;
mod shared;
#[cfg(all(test, feature = "async-io"))]
mod tests;
#[cfg(all(test, feature = "async-io"))]
mod tests_http;
#[cfg(all(test, unix, feature = "async-io"))]
mod tests_unix;
mod transport;
#[cfg(all(unix, any(feature = "async-io", feature = "tokio")))]
mod unix;

#[cfg(any(feature = "async-io", feature = "tokio"))]
pub use admin::connect_admin;
pub use admin::{connect_admin_with_stream, AdminClient, AdminDriver};
#[cfg(any(feature = "async-io", feature = "tokio"))]
pub use client::connect;
pub use client::{connect_with_stream, Client, Driver, Handle, Session, TypedHandle};
pub use driver::DriverEnd;
pub use events::{
    AllEvents, ConnectionEvents, HandleEvents, PluginEvents, SessionEvents, StreamItem,
};
pub use janus_ws_connect::{
    ConnectError, Error, PemSource, PoolError, PoolServer, SocketError, TlsRootError,
    ADMIN_PROTOCOL, JANUS_PROTOCOL, PFUNIX_MAX_REQUEST,
};
pub use options::{ConnectOptions, Sleep, Timer};

/// The tracing spans and events and the metrics of every connection (features `tracing`
/// and `metrics`), and the metric names.
pub use janus_ws_connect::observe;
#[cfg(any(feature = "async-io", feature = "tokio"))]
pub use pool::{connect_pool, Pool, PoolDriver};

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The tungstenite in use, for [`SocketError::WebSocket`].
pub use async_tungstenite::tungstenite;
/// The protocol core this crate drives, re-exported for its types (events, commands, ids).
pub use janus_proto;
pub use janus_proto::admin::AdminEvent;
pub use janus_proto::plugins;
pub use janus_proto::pool::{Health, PoolEvent};
pub use janus_proto::request::{self, Request};
pub use janus_proto::wire::admin::{
    AdminReply, AdminReplyKind, AdminRequest, AdminStatus, HandleInfo,
};
pub use janus_proto::wire::{RawFrame, ServerInfo};
pub use janus_proto::{
    Candidate, Command, Config, ConnectionEvent, Disconnect, Event, EventTarget, HandleEvent,
    HandleEventKind, HandleId, IceCandidate, JanusError, Jsep, JsepType, Ordering, PluginData,
    PluginError, PluginReply, ProtocolError, Reconnect, Reply, ReplyKind, RequestError, SessionEnd,
    SessionEvent, SessionId, SessionState, TransactionId, Trickle, UsageError,
};
/// The rustls in use, for [`ConnectOptions::tls_config`] and [`SocketError::Tls`].
pub use janus_ws_connect::rustls;

/// The README's examples, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
