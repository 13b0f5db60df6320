//! # janus-http-connect: the HTTP exchanges of the Janus drivers
//!
//! Both drivers, `janus-blocking` and `janus-transport-ws`, speak Janus's HTTP REST
//! transport when given an `http://` or `https://` URL. The protocol is the sans-IO core's
//! ([`janus_proto::http`]): it says which request goes where, when a session's long-poll is
//! due, and takes each response back. What is left is carrying out its
//! [`Exchange`]s, and that is this crate, written once for both drivers:
//!
//! * [`Exchanges`]: every exchange in flight, each on its own HTTP/1.1 connection (a
//!   long-poll holds one for up to 30 s), connections kept alive and reused, a kept
//!   connection the server closed meanwhile replaced without a word, TLS for `https://`
//!   with the same rustls trust settings as `wss://`, and response bodies bounded by the
//!   core's `max_incoming_frame`.
//! * [`Io`]: how to dial TCP and how to sleep, given by the driver for its runtime.
//!
//! HTTP itself is hyper's low-level `client::conn`, whose connection futures are polled
//! inside [`Exchanges::poll_done`]: nothing is spawned, and whichever task polls (an async
//! driver's, or the blocking driver's private current-thread runtime) drives everything.
//!
//! ```
//! use std::time::Duration;
//! use janus_http_connect::{Exchanges, Io};
//! use janus_ws_connect::CommonOptions;
//!
//! // Any runtime: a dial function and a sleep function (here ones that never finish).
//! let io = Io::new(
//!     |_target| Box::pin(std::future::pending()),
//!     |_at| Box::pin(std::future::pending()),
//! );
//! let exchanges = Exchanges::new("http://127.0.0.1:8088/janus", &CommonOptions::default(), io)?;
//! assert!(exchanges.is_idle());
//! # Ok::<(), janus_ws_connect::ConnectError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_io::{AsyncRead, AsyncWrite};
use futures_util::stream::{FuturesUnordered, StreamExt};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST, USER_AGENT};
use janus_proto::http::{Exchange, ExchangeId, Method};
use janus_ws_connect::{ConnectError, Error, HttpTarget, SocketError, Target, TlsSettings};
use smol_hyper::rt::FuturesIo;

/// A byte stream an exchange can run over: a TCP connection (or TLS over one) of any
/// runtime, as futures-io.
pub trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> ByteStream for T {}

/// A TCP connection being dialled.
pub type Dialing = Pin<Box<dyn Future<Output = Result<Box<dyn ByteStream>, ConnectError>> + Send>>;
/// A future that completes at (or after) an instant.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How a driver's runtime dials TCP and sleeps: what [`Exchanges`] needs of it.
#[derive(Clone)]
pub struct Io {
    dial: Arc<dyn Fn(&Target) -> Dialing + Send + Sync>,
    sleep_until: Arc<dyn Fn(Instant) -> Sleep + Send + Sync>,
}

impl Io {
    /// From a function that dials a target over TCP (with `TCP_NODELAY`, for latency) and one
    /// that sleeps until an instant.
    pub fn new(
        dial: impl Fn(&Target) -> Dialing + Send + Sync + 'static,
        sleep_until: impl Fn(Instant) -> Sleep + Send + Sync + 'static,
    ) -> Self {
        Self {
            dial: Arc::new(dial),
            sleep_until: Arc::new(sleep_until),
        }
    }
}

impl fmt::Debug for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Io(..)")
    }
}

/// What became of something [`Exchanges`] was asked to do.
#[derive(Debug)]
pub enum Done {
    /// An exchange got its response (any status).
    Response {
        /// Which exchange.
        id: ExchangeId,
        /// The HTTP status.
        status: u16,
        /// The whole body.
        body: Bytes,
    },
    /// An exchange could not be carried out: no connection ([`Error::Connect`]), the
    /// connection broke ([`Error::Socket`]), or a body over the limit
    /// ([`Error::MessageTooLarge`]).
    Failed {
        /// Which exchange.
        id: ExchangeId,
        /// Why.
        error: Error,
    },
    /// The connection [`Exchanges::open`] asked for is open (and kept for the next
    /// exchange), or could not be opened.
    Opened(Result<(), ConnectError>),
}

/// Where and how connections are opened: what every exchange shares.
struct Opener {
    target: HttpTarget,
    tls: Option<futures_rustls::TlsConnector>,
    io: Io,
    connect_timeout: Duration,
}

/// The body type of the requests.
type Body = Full<Bytes>;

/// hyper's future of one HTTP/1.1 connection.
type Connection = http1::Connection<FuturesIo<Box<dyn ByteStream>>, Body>;

/// One HTTP/1.1 connection: its request sender and hyper's connection future, which must be
/// polled for anything to move.
struct Conn {
    send: http1::SendRequest<Body>,
    conn: Pin<Box<Connection>>,
    /// The connection future completed: the connection is gone.
    ended: bool,
    /// Since when it is idle (when kept).
    idle_since: Instant,
}

/// A job running: an exchange, or opening a connection.
type Job = Pin<Box<dyn Future<Output = Finished> + Send>>;

/// What a job ends with.
enum Finished {
    Exchange {
        id: ExchangeId,
        long_poll: bool,
        result: Result<(u16, Bytes), Error>,
        /// The connection, if it can carry another exchange.
        conn: Option<Conn>,
    },
    Opened(Result<Conn, ConnectError>),
}

/// At most this many idle connections are kept for reuse.
const MAX_IDLE: usize = 16;
/// A kept connection idle this long is dropped rather than reused: Janus closes idle ones
/// after 120 s.
const MAX_IDLE_AGE: Duration = Duration::from_secs(60);
/// At most this many requests (exchanges other than long-polls) run at once; more wait in
/// order. Long-polls, one per session, always start at once: each must be held by Janus.
const MAX_REQUESTS_RUNNING: usize = 16;

/// The HTTP exchanges of one connection to Janus: each [`Exchange`] the core hands out is
/// [`start`](Self::start)ed and runs concurrently with the others, on a kept-alive
/// connection or a new one; [`poll_done`](Self::poll_done) drives them all and gives what
/// each came to. Nothing runs unless it is polled.
pub struct Exchanges {
    /// The URL the opener is for.
    url: String,
    tls: TlsSettings,
    opener: Arc<Opener>,
    max_body: usize,
    idle: Vec<Conn>,
    running: FuturesUnordered<Job>,
    /// Requests running (at most [`MAX_REQUESTS_RUNNING`]).
    requests_running: usize,
    /// Requests waiting for one of those to end, in the order given.
    waiting: VecDeque<Exchange>,
}

impl fmt::Debug for Exchanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchanges")
            .field("target", &self.opener.target)
            .field("idle", &self.idle.len())
            .field("running", &self.running.len())
            .field("waiting", &self.waiting.len())
            .finish()
    }
}

impl Exchanges {
    /// Exchanges with the Janus HTTP endpoint at `url` (`http://host:8088/janus`, or
    /// `https://…`), with the options' TLS trust, connect timeout and incoming limit (the
    /// core's `max_incoming_frame` bounds every response body). Opens nothing yet.
    pub fn new(
        url: &str,
        options: &janus_ws_connect::CommonOptions,
        io: Io,
    ) -> Result<Self, ConnectError> {
        Ok(Self {
            url: url.to_owned(),
            tls: options.tls.clone(),
            opener: Arc::new(Opener::new(url, &options.tls, options.connect_timeout, io)?),
            max_body: options.protocol_config().max_incoming_frame,
            idle: Vec::new(),
            running: FuturesUnordered::new(),
            requests_running: 0,
            waiting: VecDeque::new(),
        })
    }

    /// Nothing is running or waiting.
    pub fn is_idle(&self) -> bool {
        self.running.is_empty() && self.waiting.is_empty()
    }

    /// Drops every exchange in flight and every kept connection (the core found the link
    /// lost or dead, or it closed); their results never come.
    pub fn reset(&mut self) {
        self.running = FuturesUnordered::new();
        self.idle.clear();
        self.waiting.clear();
        self.requests_running = 0;
    }

    /// Opens a connection to `url` (the endpoint the core dials: the first URL, or a
    /// fallback), dropping everything of the old endpoint first; [`Done::Opened`] says how
    /// it went, and the connection is kept for the next exchange. An `url` that is not an
    /// HTTP URL fails at once.
    pub fn open(&mut self, url: &str) -> Result<(), ConnectError> {
        if url != self.url {
            let opener = Opener::new(
                url,
                &self.tls,
                self.opener.connect_timeout,
                self.opener.io.clone(),
            )?;
            self.opener = Arc::new(opener);
            url.clone_into(&mut self.url);
        }
        self.reset();
        let opener = self.opener.clone();
        self.running.push(Box::pin(
            async move { Finished::Opened(opener.open().await) },
        ));
        Ok(())
    }

    /// Starts an exchange, on a kept connection if there is one. A request (any exchange
    /// but a long-poll) waits while 16 others run: past that, more connections would only
    /// load the server.
    pub fn start(&mut self, exchange: Exchange) {
        if !exchange.long_poll {
            if self.requests_running >= MAX_REQUESTS_RUNNING {
                self.waiting.push_back(exchange);
                return;
            }
            self.requests_running += 1;
        }
        let conn = self.take_idle();
        let long_poll = exchange.long_poll;
        let opener = self.opener.clone();
        let max_body = self.max_body;
        let id = exchange.id;
        self.running.push(Box::pin(async move {
            let (result, conn) = run(&opener, conn, &opener.target, &exchange, max_body).await;
            Finished::Exchange {
                id,
                long_poll,
                result,
                conn,
            }
        }));
    }

    /// Drives every exchange in flight; `Ready(Some(_))` when one is done,
    /// `Ready(None)` when nothing is running, else `Pending` (woken when something
    /// moves).
    pub fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<Option<Done>> {
        let finished = match self.running.poll_next_unpin(cx) {
            Poll::Ready(Some(finished)) => finished,
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        Poll::Ready(Some(match finished {
            Finished::Exchange {
                id,
                long_poll,
                result,
                conn,
            } => {
                if let Some(conn) = conn {
                    self.keep(conn);
                }
                if !long_poll {
                    self.requests_running = self.requests_running.saturating_sub(1);
                    if let Some(next) = self.waiting.pop_front() {
                        self.start(next);
                    }
                }
                match result {
                    Ok((status, body)) => Done::Response { id, status, body },
                    Err(error) => Done::Failed { id, error },
                }
            }
            Finished::Opened(Ok(conn)) => {
                self.keep(conn);
                Done::Opened(Ok(()))
            }
            Finished::Opened(Err(e)) => Done::Opened(Err(e)),
        }))
    }

    /// The next thing done (`None`: nothing is running).
    pub async fn next_done(&mut self) -> Option<Done> {
        poll_fn(|cx| self.poll_done(cx)).await
    }

    fn take_idle(&mut self) -> Option<Conn> {
        while let Some(conn) = self.idle.pop() {
            let fresh = conn.idle_since.elapsed() < MAX_IDLE_AGE;
            if fresh && !conn.ended && !conn.send.is_closed() {
                return Some(conn);
            }
        }
        None
    }

    fn keep(&mut self, mut conn: Conn) {
        if self.idle.len() < MAX_IDLE {
            conn.idle_since = Instant::now();
            self.idle.push(conn);
        }
    }
}

impl Opener {
    fn new(
        url: &str,
        tls: &TlsSettings,
        connect_timeout: Duration,
        io: Io,
    ) -> Result<Self, ConnectError> {
        let target = HttpTarget::parse(url)?.ok_or_else(|| ConnectError::InvalidUrl {
            url: url.to_owned(),
            reason: "not an http:// or https:// URL".into(),
        })?;
        let tls = match target.tcp.secure {
            true => Some(futures_rustls::TlsConnector::from(tls.client_config()?)),
            false => None,
        };
        Ok(Self {
            target,
            tls,
            io,
            connect_timeout,
        })
    }

    /// TCP, TLS for `https://`, and hyper's handshake, within the connect timeout.
    async fn open(&self) -> Result<Conn, ConnectError> {
        let deadline = Instant::now()
            .checked_add(self.connect_timeout)
            .unwrap_or_else(Instant::now);
        let mut sleep = (self.io.sleep_until)(deadline);
        let mut opening = pin!(self.open_now());
        poll_fn(|cx| {
            if let Poll::Ready(r) = opening.as_mut().poll(cx) {
                return Poll::Ready(r);
            }
            match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(ConnectError::TimedOut {
                    timeout: self.connect_timeout,
                })),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    async fn open_now(&self) -> Result<Conn, ConnectError> {
        let stream = (self.io.dial)(&self.target.tcp).await?;
        let stream: Box<dyn ByteStream> = match &self.tls {
            Some(connector) => {
                let name = server_name(&self.target.tcp)?;
                Box::new(connector.connect(name, stream).await?)
            }
            None => stream,
        };
        let (send, conn) = http1::handshake(FuturesIo::new(stream))
            .await
            .map_err(|e| ConnectError::Socket(http_error(e)))?;
        Ok(Conn {
            send,
            conn: Box::pin(conn),
            ended: false,
            idle_since: Instant::now(),
        })
    }
}

/// The TLS server name of a target's host.
fn server_name(
    target: &Target,
) -> Result<futures_rustls::pki_types::ServerName<'static>, ConnectError> {
    futures_rustls::pki_types::ServerName::try_from(target.host.clone()).map_err(|e| {
        ConnectError::InvalidUrl {
            url: target.host.clone(),
            reason: format!("not a TLS server name: {e}"),
        }
    })
}

/// hyper's error as a socket error.
fn http_error(e: impl std::error::Error + Send + Sync + 'static) -> SocketError {
    SocketError::Http(Box::new(e))
}

/// The HTTP request of an exchange.
fn request(target: &HttpTarget, exchange: &Exchange) -> Result<hyper::Request<Body>, Error> {
    let uri = format!("{}{}", target.base, exchange.path);
    let uri = if uri.starts_with('/') {
        uri
    } else {
        format!("/{uri}")
    };
    let method = match exchange.method {
        Method::Get => hyper::Method::GET,
        Method::Post => hyper::Method::POST,
    };
    let body = exchange.body.clone().map(Bytes::from).unwrap_or_default();
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(uri)
        .header(HOST, &target.authority)
        .header(USER_AGENT, HeaderValue::from_static("janus-rs"));
    if exchange.body.is_some() {
        builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    builder
        .body(Full::new(body))
        .map_err(|e| Error::Socket(http_error(e)))
}

/// How one attempt at an exchange on a connection went.
enum Attempt {
    /// The result, and whether the connection can carry another exchange.
    Done(Result<(u16, Bytes), Error>, bool),
    /// The connection was closed before the request went out.
    Closed(Error),
}

/// Runs an exchange on `conn` (a kept connection) or a new one. A kept connection found
/// closed before the request went out is replaced by a new one, once: a server closing an
/// idle connection (Janus does after 120 s) is no failure of the exchange. (A close that
/// crosses the request on the wire cannot be told from a loss; kept connections idle for
/// [`MAX_IDLE_AGE`] are not reused, so that it does not come to that.)
async fn run(
    opener: &Opener,
    mut conn: Option<Conn>,
    target: &HttpTarget,
    exchange: &Exchange,
    max_body: usize,
) -> (Result<(u16, Bytes), Error>, Option<Conn>) {
    loop {
        let kept = conn.is_some();
        let mut c = match conn.take() {
            Some(c) => c,
            None => match opener.open().await {
                Ok(c) => c,
                Err(e) => return (Err(e.into()), None),
            },
        };
        let request = match request(target, exchange) {
            Ok(request) => request,
            Err(e) => return (Err(e), Some(c)),
        };
        match c.exchange(request, max_body).await {
            Attempt::Done(result, reusable) => {
                let reusable = reusable && !c.ended;
                return (result, reusable.then_some(c));
            }
            Attempt::Closed(_) if kept => {}
            Attempt::Closed(error) => return (Err(error), None),
        }
    }
}

impl Conn {
    /// Sends `request` and reads its whole response, polling the connection meanwhile
    /// (first, so that a close already received is seen before the request is given to it).
    async fn exchange(&mut self, request: hyper::Request<Body>, max_body: usize) -> Attempt {
        let Conn {
            send, conn, ended, ..
        } = self;
        let mut work = pin!(async move {
            let response = match send.try_send_request(request).await {
                Ok(response) => response,
                Err(mut e) => {
                    let unsent = e.take_message().is_some();
                    let e = e.into_error();
                    // Only a request that never went out is safe to make again: one that did
                    // may have been read (a poll reset while Janus held it is a loss).
                    let closed = unsent || e.is_canceled();
                    let error = Error::Socket(http_error(e));
                    return match closed {
                        true => Attempt::Closed(error),
                        false => Attempt::Done(Err(error), false),
                    };
                }
            };
            let status = response.status().as_u16();
            let announced = response
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if let Some(size) = announced.filter(|&size| size > max_body) {
                let too_large = Error::MessageTooLarge {
                    size,
                    limit: max_body,
                };
                return Attempt::Done(Err(too_large), false);
            }
            match Limited::new(response.into_body(), max_body).collect().await {
                Ok(body) => Attempt::Done(Ok((status, body.to_bytes())), true),
                Err(e) => Attempt::Done(Err(Error::Socket(SocketError::Http(e))), false),
            }
        });
        poll_fn(|cx| {
            // Closed, cleanly or not: the request's own future says how that affected it.
            if !*ended && conn.as_mut().poll(cx).is_ready() {
                *ended = true;
            }
            work.as_mut().poll(cx)
        })
        .await
    }
}

#[cfg(test)]
mod tests;
