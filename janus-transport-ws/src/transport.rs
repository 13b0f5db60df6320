//! Connection setup: URL, TCP, TLS and the WebSocket handshake, or a Unix socket; and
//! [`Pipe`], the connection the driver owns. Nothing here knows Janus beyond the
//! subprotocol name.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::{Error as WsError, Message};
use async_tungstenite::WebSocketStream;
use futures_core::Stream;
use futures_io::{AsyncRead, AsyncWrite};
use futures_sink::Sink;
use janus_ws_connect::{
    handshake_error, unix_path, websocket_config, ConnectError, Target, TlsSettings,
};

use crate::options::{Sleep, Timer};

/// A byte stream the driver can own.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// The connection the driver owns: a stream and sink of WebSocket messages, over a
/// WebSocket or (a `unix:` URL) over a Unix socket to Janus's Unix sockets transport.
pub(crate) enum Pipe {
    /// `ws://` or `wss://`.
    WebSocket(WebSocketStream<Box<dyn Io>>),
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

/// What establishing a WebSocket to Janus takes, besides the byte stream.
pub(crate) struct Setup<'a> {
    pub(crate) url: &'a str,
    pub(crate) subprotocol: &'static str,
    pub(crate) tls: &'a TlsSettings,
    /// The core's `max_incoming_frame`: the socket's one limit.
    pub(crate) max_incoming: usize,
    pub(crate) connect_timeout: Duration,
    pub(crate) timer: &'a Timer,
}

/// Dials (or takes the given stream), then TLS for `wss://` and the WebSocket handshake;
/// or, for a `unix:` URL, connects its socket; all within the connect timeout.
pub(crate) async fn establish(source: Source, setup: Setup<'_>) -> Result<Pipe, ConnectError> {
    if let Some(path) = unix_path(setup.url)? {
        return establish_unix(source, path, &setup).await;
    }
    let target = Target::parse(setup.url)?;
    let deadline = after(setup.connect_timeout);
    with_deadline(
        async {
            let stream = match source {
                Source::Dial(runtime) => runtime.dial(&target).await?,
                Source::Given(stream) => stream,
            };
            open(stream, &target, &setup).await.map(Pipe::WebSocket)
        },
        setup.timer.sleep_until(deadline),
        setup.connect_timeout,
    )
    .await
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
            let deadline = after(setup.connect_timeout);
            let max_incoming = setup.max_incoming;
            with_deadline(
                crate::unix::dial(runtime, setup.url, path, max_incoming, setup.timer),
                setup.timer.sleep_until(deadline),
                setup.connect_timeout,
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
        tls_wrap(stream, target, setup.tls).await?
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
    tls: &TlsSettings,
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
