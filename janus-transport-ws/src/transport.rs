//! Connection setup: URL, TCP, TLS and the WebSocket handshake. Nothing here knows Janus
//! beyond the subprotocol name.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::handshake::client::Request;
use async_tungstenite::tungstenite::http::{HeaderValue, Uri};
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use async_tungstenite::tungstenite::{self, error::ProtocolError};
use async_tungstenite::WebSocketStream;
use futures_io::{AsyncRead, AsyncWrite};

use crate::error::{Error, Result};
use crate::options::{PemSource, Sleep, TlsOptions};

/// A byte stream the driver can own.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// The WebSocket the driver owns.
pub(crate) type Ws = WebSocketStream<Box<dyn Io>>;

/// The parts of a `ws://` or `wss://` URL needed to dial it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) secure: bool,
    /// Host name or IP address, without IPv6 brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
}

fn invalid(url: &str, reason: String) -> Error {
    Error::InvalidUrl {
        url: url.to_owned(),
        reason,
    }
}

/// Parses a `ws://` or `wss://` URL.
pub(crate) fn parse_url(url: &str) -> Result<Target> {
    let uri: Uri = url
        .parse()
        .map_err(|e: tungstenite::http::uri::InvalidUri| invalid(url, e.to_string()))?;
    let secure = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        _ => {
            return Err(invalid(url, "the scheme must be ws:// or wss://".into()));
        }
    };
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid(url, "no host".into()))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_owned();
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    Ok(Target { secure, host, port })
}

/// Dials the target over TCP with async-io, with `TCP_NODELAY` set.
///
/// Host names go through the system resolver, which blocks the calling task while it runs;
/// resolve them yourself and use `connect_with_stream` if that matters.
#[cfg(feature = "async-io")]
pub(crate) async fn dial(target: &Target) -> Result<async_io::Async<std::net::TcpStream>> {
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
    Err(Error::Io(last))
}

/// TLS (for `wss://`) and the WebSocket handshake with `subprotocol` over `stream`.
pub(crate) async fn open(
    stream: Box<dyn Io>,
    url: &str,
    target: &Target,
    subprotocol: &'static str,
    tls: &TlsOptions,
    ws_config: WebSocketConfig,
) -> Result<Ws> {
    let stream: Box<dyn Io> = if target.secure {
        tls_wrap(stream, target, tls).await?
    } else {
        stream
    };
    let mut request: Request = url
        .into_client_request()
        .map_err(|e| invalid(url, e.to_string()))?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(subprotocol),
    );
    let (ws, response) =
        match async_tungstenite::client_async_with_config(request, stream, Some(ws_config)).await {
            Ok(ok) => ok,
            Err(e) => return Err(handshake_error(e)),
        };
    let agreed = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok());
    if agreed != Some(subprotocol) {
        return Err(Error::HandshakeRejected(format!(
            "the server agreed to subprotocol {agreed:?}, not {subprotocol:?}"
        )));
    }
    Ok(ws)
}

/// Classifies a handshake failure.
fn handshake_error(e: tungstenite::Error) -> Error {
    use tungstenite::Error as E;
    match e {
        E::Http(response) => {
            Error::HandshakeRejected(format!("the server answered HTTP {}", response.status()))
        }
        E::Protocol(ProtocolError::HandshakeIncomplete) => Error::HandshakeRejected(
            "the server closed the connection without answering (wrong subprotocol or port?)"
                .into(),
        ),
        E::Io(io) if matches!(
            io.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
        ) =>
        {
            Error::HandshakeRejected(format!(
                "the server closed the connection without answering (wrong subprotocol or port?): {io}"
            ))
        }
        E::Io(io) => Error::from_io(io),
        E::Protocol(p) => Error::HandshakeRejected(p.to_string()),
        E::Url(u) => invalid("", u.to_string()),
        other => Error::WebSocket(Box::new(other)),
    }
}

async fn tls_wrap(stream: Box<dyn Io>, target: &Target, tls: &TlsOptions) -> Result<Box<dyn Io>> {
    use futures_rustls::pki_types::ServerName;
    let connector = futures_rustls::TlsConnector::from(client_config(tls)?);
    let name = ServerName::try_from(target.host.clone()).map_err(|e| Error::InvalidUrl {
        url: target.host.clone(),
        reason: format!("not a TLS server name: {e}"),
    })?;
    match connector.connect(name, stream).await {
        Ok(s) => Ok(Box::new(s)),
        Err(e) => Err(Error::from_io(e)),
    }
}

/// The rustls configuration: the caller's, or ring with the webpki roots plus extra roots.
fn client_config(tls: &TlsOptions) -> Result<std::sync::Arc<futures_rustls::rustls::ClientConfig>> {
    use futures_rustls::rustls::{self, RootCertStore};
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    use std::sync::Arc;

    if let Some(config) = &tls.config {
        return Ok(config.clone());
    }
    let mut roots = RootCertStore::empty();
    if tls.webpki_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for source in &tls.roots {
        let (pem, name) = match source {
            PemSource::Bytes(b) => (std::borrow::Cow::Borrowed(b.as_slice()), "PEM bytes".into()),
            PemSource::File(path) => (
                std::borrow::Cow::Owned(
                    std::fs::read(path)
                        .map_err(|e| Error::TlsRoot(format!("reading {}: {e}", path.display())))?,
                ),
                path.display().to_string(),
            ),
        };
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| Error::TlsRoot(format!("{name}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::TlsRoot(format!("{name}: {e}")))?;
            found += 1;
        }
        if found == 0 {
            return Err(Error::TlsRoot(format!("{name}: no certificate")));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::Tls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Runs `fut` until it completes or `sleep` does (then an `ErrorKind::TimedOut` error).
pub(crate) async fn with_deadline<T>(
    fut: impl Future<Output = Result<T>>,
    sleep: Sleep,
) -> Result<T> {
    let mut fut = pin!(fut);
    let mut sleep = sleep;
    poll_fn(|cx| {
        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
            return Poll::Ready(r);
        }
        if sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(Error::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                "the connection setup exceeded the connect timeout",
            ))));
        }
        Poll::Pending
    })
    .await
}

/// tungstenite's read buffer: it zeroes this much before every read of the socket, so its
/// default (128 KiB) cost more CPU per Janus frame than decoding it. Janus's frames are
/// mostly well under 8 KiB; larger ones take several reads.
const READ_BUFFER: usize = 8 * 1024;

/// The WebSocket limits for a core that accepts frames up to `max_incoming` bytes: the
/// socket accepts at least tungstenite's defaults so the core, not the socket, rejects a
/// frame that is merely too large (the connection survives that).
pub(crate) fn ws_config(max_incoming: usize) -> WebSocketConfig {
    let max = max_incoming.max(64 << 20);
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_into_dial_targets() {
        let t = parse_url("ws://127.0.0.1:8188").unwrap();
        assert_eq!(
            t,
            Target {
                secure: false,
                host: "127.0.0.1".into(),
                port: 8188
            }
        );
        let t = parse_url("wss://janus.example.org/ws").unwrap();
        assert!(t.secure);
        assert_eq!(t.port, 443);
        assert_eq!(parse_url("ws://[::1]:9/").unwrap().host, "::1");
        assert!(matches!(
            parse_url("http://x"),
            Err(Error::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_url("not a url"),
            Err(Error::InvalidUrl { .. })
        ));
    }
}
