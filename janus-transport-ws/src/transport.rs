//! Connection setup: URL, TCP, TLS and the WebSocket handshake, a Unix socket, or the
//! first HTTP connection; and [`Transport`], the connection the driver owns. Nothing here
//! knows Janus beyond the subprotocol name.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::{Error as WsError, Message};
use async_tungstenite::WebSocketStream;
use futures_core::Stream;
use futures_sink::Sink;
use janus_http_connect::{Done, Exchanges};
use janus_ws_connect::{
    handshake_error, is_http, unix_path, websocket_config, CommonOptions, ConnectError,
    SocketError, Target,
};

use crate::options::{Sleep, Timer};

/// A byte stream the driver can own: the one type of stream WebSockets and HTTP exchanges
/// run over.
pub(crate) use janus_http_connect::ByteStream as Io;

/// The connection the driver owns.
pub(crate) enum Transport {
    /// A stream and sink of messages: a WebSocket, or a Unix socket.
    Messages(Pipe),
    /// `http://` or `https://`: the HTTP exchanges in flight (Janus's HTTP REST transport).
    Http(Exchanges),
}

impl Transport {
    /// Whether the driver answers the core's pings itself: over a Unix socket (see
    /// [`Pipe::answers_pings_itself`]) and over HTTP, which has no ping (the core asks for
    /// none there: the long-polls show the link is alive).
    pub(crate) fn answers_pings_itself(&self) -> bool {
        match self {
            Transport::Messages(pipe) => pipe.answers_pings_itself(),
            Transport::Http(_) => true,
        }
    }
}

/// A connection that carries WebSocket messages: a WebSocket, or (a `unix:` URL) a Unix
/// socket to Janus's Unix sockets transport.
pub(crate) enum Pipe {
    /// `ws://` or `wss://` (boxed: the stream is several times the size of the others).
    WebSocket(Box<WebSocketStream<Box<dyn Io>>>),
    /// `unix:`: one JSON message per packet.
    #[cfg(all(unix, any(feature = "async-io", feature = "tokio")))]
    Unix(crate::unix::Packets),
}

impl Pipe {
    /// Whether this is a Unix socket: Janus's Unix sockets transport has no ping, and the
    /// kernel reports a dead peer on the socket itself (end of file or a reset, as soon as
    /// the server dies), so the driver answers the core's pings itself.
    pub(crate) fn answers_pings_itself(&self) -> bool {
        match self {
            Pipe::WebSocket(_) => false,
            #[cfg(all(unix, any(feature = "async-io", feature = "tokio")))]
            Pipe::Unix(_) => true,
        }
    }
}

/// Forwards a call to whichever connection the pipe holds.
macro_rules! either {
    ($pipe:expr, $inner:ident => $call:expr) => {
        match $pipe.get_mut() {
            Pipe::WebSocket($inner) => $call,
            #[cfg(all(unix, any(feature = "async-io", feature = "tokio")))]
            Pipe::Unix($inner) => $call,
        }
    };
}

impl Stream for Pipe {
    type Item = Result<Message, WsError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        either!(self, inner => Pin::new(inner).poll_next(cx))
    }
}

impl Sink<Message> for Pipe {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        either!(self, inner => Pin::new(inner).poll_ready(cx))
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        either!(self, inner => Pin::new(inner).start_send(message))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        either!(self, inner => Pin::new(inner).poll_flush(cx))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        either!(self, inner => Pin::new(inner).poll_close(cx))
    }
}

/// Where a connection's byte stream comes from.
pub(crate) enum Source {
    /// Dial the URL's host with this runtime (none is compiled in without a runtime
    /// feature, and then neither is `connect`).
    #[cfg_attr(not(any(feature = "async-io", feature = "tokio")), allow(dead_code))]
    Dial(crate::runtime::Runtime),
    /// The caller's stream.
    Given(Box<dyn Io>),
}

/// What establishing a connection to Janus takes, besides the byte stream.
pub(crate) struct Setup<'a> {
    pub(crate) url: &'a str,
    pub(crate) subprotocol: &'static str,
    /// The TLS trust and the connect timeout (and, over HTTP, what the exchanges take).
    pub(crate) common: &'a CommonOptions,
    /// The core's `max_incoming_frame`: the socket's one limit.
    pub(crate) max_incoming: usize,
    pub(crate) timer: &'a Timer,
}

/// Dials (or takes the given stream), then TLS for `wss://` and the WebSocket handshake;
/// or, for a `unix:` URL, connects its socket; or, for an `http://` or `https://` URL,
/// opens the first connection of its exchanges; all within the connect timeout.
pub(crate) async fn establish(source: Source, setup: Setup<'_>) -> Result<Transport, ConnectError> {
    if let Some(path) = unix_path(setup.url)? {
        return establish_unix(source, path, &setup)
            .await
            .map(Transport::Messages);
    }
    if is_http(setup.url) {
        return establish_http(source, &setup).await.map(Transport::Http);
    }
    let target = Target::parse(setup.url)?;
    let timeout = setup.common.connect_timeout;
    with_deadline(
        async {
            let stream = match source {
                Source::Dial(runtime) => runtime.dial(&target).await?,
                Source::Given(stream) => stream,
            };
            open(stream, &target, &setup).await
        },
        setup.timer.sleep_until(after(timeout)),
        timeout,
    )
    .await
    .map(|ws| Transport::Messages(Pipe::WebSocket(Box::new(ws))))
}

/// The exchanges of an `http://` or `https://` URL, over TCP dialled with the runtime and
/// sleeping with the connection's timer, with their first connection open (TCP, TLS for
/// `https://`, within the connect timeout): that a server answers there is known before
/// the connection is handed over.
async fn establish_http(source: Source, setup: &Setup<'_>) -> Result<Exchanges, ConnectError> {
    let runtime = match source {
        Source::Dial(runtime) => runtime,
        Source::Given(_) => {
            return Err(ConnectError::InvalidUrl {
                url: setup.url.to_owned(),
                reason: "a stream of yours carries a WebSocket; connect dials an http:// or \
                         https:// URL itself (HTTP needs a connection per exchange in flight)"
                    .to_owned(),
            })
        }
    };
    let timer = setup.timer.clone();
    let io = janus_http_connect::Io::new(
        move |target| {
            let target = target.clone();
            Box::pin(async move { runtime.dial(&target).await })
        },
        move |at| timer.sleep_until(at),
    );
    let mut exchanges = Exchanges::new(setup.url, setup.common, io)?;
    exchanges.open(setup.url)?;
    match exchanges.next_done().await {
        Some(Done::Opened(opened)) => opened.map(|()| exchanges),
        // Only the opening runs, so nothing else can be done.
        other => Err(ConnectError::Socket(SocketError::Io(
            std::io::Error::other(format!(
                "opening the first HTTP connection ended with {other:?}"
            )),
        ))),
    }
}

/// Connects the socket a `unix:` URL names, within the connect timeout.
async fn establish_unix(
    source: Source,
    path: &std::path::Path,
    setup: &Setup<'_>,
) -> Result<Pipe, ConnectError> {
    let invalid = |reason: &str| ConnectError::InvalidUrl {
        url: setup.url.to_owned(),
        reason: reason.to_owned(),
    };
    match source {
        #[cfg(all(unix, any(feature = "async-io", feature = "tokio")))]
        Source::Dial(runtime) => {
            let timeout = setup.common.connect_timeout;
            let max_incoming = setup.max_incoming;
            with_deadline(
                crate::unix::dial(runtime, setup.url, path, max_incoming, setup.timer),
                setup.timer.sleep_until(after(timeout)),
                timeout,
            )
            .await
            .map(Pipe::Unix)
        }
        #[cfg(not(all(unix, any(feature = "async-io", feature = "tokio"))))]
        Source::Dial(_) => {
            let _ = path;
            Err(invalid("Unix sockets exist only on Unix systems"))
        }
        Source::Given(_) => Err(invalid(
            "a stream of yours carries a WebSocket; connect dials a unix: URL itself",
        )),
    }
}

/// TLS (for `wss://`) and the WebSocket handshake over `stream`.
async fn open(
    stream: Box<dyn Io>,
    target: &Target,
    setup: &Setup<'_>,
) -> Result<WebSocketStream<Box<dyn Io>>, ConnectError> {
    let stream: Box<dyn Io> = if target.secure {
        tls_wrap(stream, target, &setup.common.tls).await?
    } else {
        stream
    };
    let (url, subprotocol) = (setup.url, setup.subprotocol);
    let request = janus_ws_connect::request(url, subprotocol)?;
    let ws_config = websocket_config(setup.max_incoming);
    match async_tungstenite::client_async_with_config(request, stream, Some(ws_config)).await {
        Ok((ws, _response)) => Ok(ws),
        Err(e) => Err(handshake_error(e, url, subprotocol)),
    }
}

async fn tls_wrap(
    stream: Box<dyn Io>,
    target: &Target,
    tls: &janus_ws_connect::TlsSettings,
) -> Result<Box<dyn Io>, ConnectError> {
    use futures_rustls::pki_types::ServerName;
    let connector = futures_rustls::TlsConnector::from(tls.client_config()?);
    let name = ServerName::try_from(target.host.clone()).map_err(|e| ConnectError::InvalidUrl {
        url: target.host.clone(),
        reason: format!("not a TLS server name: {e}"),
    })?;
    Ok(Box::new(connector.connect(name, stream).await?))
}

/// Runs `fut` until it completes or `sleep` (the connect timeout of `timeout`) does.
async fn with_deadline<T>(
    fut: impl Future<Output = Result<T, ConnectError>>,
    sleep: Sleep,
    timeout: Duration,
) -> Result<T, ConnectError> {
    let mut fut = pin!(fut);
    let mut sleep = sleep;
    poll_fn(|cx| {
        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
            return Poll::Ready(r);
        }
        if sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(ConnectError::TimedOut { timeout }));
        }
        Poll::Pending
    })
    .await
}

/// The current time.
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// `now + d`, saturating (about a century ahead) instead of panicking on overflow.
pub(crate) fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// `d` from now, saturating.
pub(crate) fn after(d: Duration) -> Instant {
    later(now(), d)
}
