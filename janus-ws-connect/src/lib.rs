//! # janus-ws-connect: what the Janus WebSocket drivers share
//!
//! `janus-blocking` (blocking tungstenite) and `janus-transport-ws` (async-tungstenite, the
//! same tungstenite underneath) connect the same way and fail the same way; this crate is
//! that part, written once:
//!
//! * [`Target`]: the `ws://` or `wss://` URL to dial (host, port, IPv6 brackets).
//! * [`HttpTarget`]: what an `http://` or `https://` URL names (Janus's HTTP REST
//!   transport), and the wire it makes a connection speak
//!   ([`CommonOptions::protocol_config_for`], [`CommonOptions::check_urls`]).
//! * [`unix_path`]: the socket a `unix:` URL names (Janus's Unix sockets transport), and
//!   [`PFUNIX_MAX_REQUEST`] with [`CommonOptions::protocol_config_for`]: the request size
//!   that transport takes.
//! * [`TlsSettings`] and [`PemSource`]: whom to trust for `wss://`, and the rustls
//!   configuration (`ring` provider) made from it.
//! * [`request`], [`JANUS_PROTOCOL`], [`ADMIN_PROTOCOL`]: the upgrade request with its
//!   subprotocol; [`handshake_error`]: what a failed handshake means.
//! * [`websocket_config`]: one limit at the socket for incoming messages, and
//!   [`too_large`] / [`too_large_close`] for what happens when the server exceeds it.
//! * [`ConnectError`], [`SocketError`] and [`Error`], the error type both drivers export.
//! * [`CommonOptions`] and [`common_options!`]: the connection settings both drivers.
//!   `ConnectOptions` share, with one precedence (the dedicated setters win over the
//!   protocol configuration whatever the order of the calls) and the same builder methods.
//! * [`PoolServer`], [`PoolError`] and [`CommonOptions::pooled`]: what both drivers' pools of
//!   servers share.
//! * [`Observer`] ([`observe`]): both drivers' tracing spans and events (feature `tracing`,
//!   on by default) and metrics (feature `metrics`), made from the core's observations.
//!
//! It holds no IO of its own: the drivers dial and read (WebSockets, `SOCK_SEQPACKET` Unix
//! sockets, and HTTP exchanges through `janus-http-connect`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod http;
pub mod observe;
mod options;
mod pool;
mod target;
mod tls;
mod unix;
mod websocket;

pub use error::{ConnectError, Error, SocketError, TlsRootError};
pub use http::{is_http, HttpTarget, DEFAULT_MAX_EVENTS};
pub use observe::Observer;
pub use options::CommonOptions;
pub use pool::{PoolError, PoolServer};
pub use target::Target;
pub use tls::{PemSource, TlsSettings};
pub use unix::{unix_path, PFUNIX_MAX_REQUEST};
pub use websocket::{
    handshake_error, request, too_large, too_large_close, websocket_config, ADMIN_PROTOCOL,
    JANUS_PROTOCOL,
};

/// The protocol core, for the types [`Error`] wraps and [`CommonOptions`] holds.
pub use janus_proto;
/// The rustls in use, for [`TlsSettings::config`] and [`SocketError::Tls`].
pub use rustls;
/// The tungstenite in use, for [`SocketError::WebSocket`].
pub use tungstenite;

/// The README's examples, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
