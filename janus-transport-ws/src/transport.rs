//! Connection setup: URL, TCP, TLS and the WebSocket handshake. Nothing here knows Janus
//! beyond the subprotocol name.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use async_tungstenite::WebSocketStream;
use futures_io::{AsyncRead, AsyncWrite};
use janus_ws_connect::{handshake_error, ConnectError, Target, TlsSettings};

use crate::options::Sleep;

/// A byte stream the driver can own.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// The WebSocket the driver owns.
pub(crate) type Ws = WebSocketStream<Box<dyn Io>>;

/// Dials the target over TCP with async-io, with `TCP_NODELAY` set.
///
/// Host names go through the system resolver, which blocks the calling task while it runs;
/// resolve them yourself and use `connect_with_stream` if that matters.
#[cfg(feature = "async-io")]
pub(crate) async fn dial(
    target: &Target,
) -> Result<async_io::Async<std::net::TcpStream>, ConnectError> {
    use std::net::ToSocketAddrs;
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()?
        .collect();
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} resolves to no address", target.host),
    );
    for addr in addrs {
        match async_io::Async::<std::net::TcpStream>::connect(addr).await {
            Ok(stream) => {
                stream.get_ref().set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last.into())
}

/// TLS (for `wss://`) and the WebSocket handshake with `subprotocol` over `stream`.
pub(crate) async fn open(
    stream: Box<dyn Io>,
    url: &str,
    target: &Target,
    subprotocol: &'static str,
    tls: &TlsSettings,
    ws_config: WebSocketConfig,
) -> Result<Ws, ConnectError> {
    let stream: Box<dyn Io> = if target.secure {
        tls_wrap(stream, target, tls).await?
    } else {
        stream
    };
    let request = janus_ws_connect::request(url, subprotocol)?;
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
pub(crate) async fn with_deadline<T>(
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
