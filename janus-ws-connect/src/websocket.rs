//! The WebSocket itself: the subprotocols, the upgrade request, what a failed handshake
//! means, and the limits a socket runs with.

use std::io::ErrorKind;

use tungstenite::client::IntoClientRequest;
use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::handshake::client::Request;
use tungstenite::http::HeaderValue;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};

use crate::error::{ConnectError, SocketError};
use crate::target::invalid_url;

/// The WebSocket subprotocol of the Janus API.
pub const JANUS_PROTOCOL: &str = "janus-protocol";
/// The WebSocket subprotocol of the Admin API.
pub const ADMIN_PROTOCOL: &str = "janus-admin-protocol";

/// tungstenite's read buffer: it zeroes this much before every read of the socket, so its
/// default (128 KiB) cost more CPU per Janus frame than decoding it. Janus's frames are
/// mostly well under 8 KiB; larger ones take several reads.
const READ_BUFFER: usize = 8 * 1024;

/// The upgrade request for `url` asking for `subprotocol`.
///
/// ```
/// let request = janus_ws_connect::request("ws://127.0.0.1:8188", janus_ws_connect::JANUS_PROTOCOL)?;
/// assert_eq!(request.headers()["Sec-WebSocket-Protocol"], "janus-protocol");
/// # Ok::<(), janus_ws_connect::ConnectError>(())
/// ```
pub fn request(url: &str, subprotocol: &'static str) -> Result<Request, ConnectError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| invalid_url(url, e.to_string()))?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(subprotocol),
    );
    Ok(request)
}

/// The WebSocket settings for a connection whose core accepts frames up to `max_incoming`
/// bytes: one limit at the socket for a whole message and for each frame, so that a message
/// that is too large is refused as soon as its frame header announces it.
///
/// tungstenite 0.30 checks the length in the header against `max_frame_size` before it
/// reserves or reads any payload (`FrameCodec::read_frame`, `protocol/frame/mod.rs`) and
/// fails with `CapacityError::MessageTooLong`; `max_message_size` bounds the sum of a
/// fragmented message the same way, as each fragment arrives (`protocol/mod.rs`). So
/// memory stays bounded by the limit whatever the peer announces; see [`too_large`].
///
/// ```
/// let config = janus_ws_connect::websocket_config(1 << 20);
/// assert_eq!(config.max_frame_size, Some(1 << 20));
/// assert_eq!(config.max_message_size, Some(1 << 20));
/// ```
pub fn websocket_config(max_incoming: usize) -> WebSocketConfig {
    let max = max_incoming.max(1);
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

/// The announced size and the limit, if `e` is tungstenite refusing a message over the
/// limit of [`websocket_config`]. The socket must then not be read again (tungstenite would
/// go on buffering the payload): send [`too_large_close`], flush it, and drop the
/// connection.
///
/// ```
/// use tungstenite::error::{CapacityError, Error};
///
/// let e = Error::Capacity(CapacityError::MessageTooLong { size: 9, max_size: 8 });
/// assert_eq!(janus_ws_connect::too_large(&e), Some((9, 8)));
/// ```
pub fn too_large(e: &tungstenite::Error) -> Option<(usize, usize)> {
    match e {
        tungstenite::Error::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
            Some((*size, *max_size))
        }
        _ => None,
    }
}

/// The close frame that answers a message over the limit: code 1009 (message too big).
///
/// ```
/// let frame = janus_ws_connect::too_large_close();
/// assert_eq!(u16::from(frame.code), 1009);
/// ```
pub fn too_large_close() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Size,
        reason: "message too large".into(),
    }
}

/// What a failed WebSocket handshake for `url` with `subprotocol` means. A server that
/// closes without answering (Janus with a wrong subprotocol), refuses the upgrade, or agrees
/// to another subprotocol is [`ConnectError::HandshakeRejected`]; the rest are socket,
/// TLS or URL errors.
///
/// ```
/// use janus_ws_connect::{handshake_error, ConnectError, JANUS_PROTOCOL};
/// use tungstenite::error::{Error, ProtocolError};
///
/// let e = handshake_error(Error::Protocol(ProtocolError::HandshakeIncomplete), "ws://h", JANUS_PROTOCOL);
/// assert!(matches!(e, ConnectError::HandshakeRejected(_)));
/// ```
pub fn handshake_error(e: tungstenite::Error, url: &str, subprotocol: &str) -> ConnectError {
    let closed = || {
        ConnectError::HandshakeRejected(format!(
            "the server closed the connection without answering the handshake \
             (does it speak subprotocol {subprotocol:?}?)"
        ))
    };
    match e {
        tungstenite::Error::Protocol(ProtocolError::HandshakeIncomplete) => closed(),
        tungstenite::Error::Io(e)
            if matches!(
                e.kind(),
                ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
            ) =>
        {
            closed()
        }
        tungstenite::Error::Protocol(ProtocolError::SecWebSocketSubProtocolError(e)) => {
            ConnectError::HandshakeRejected(format!("subprotocol {subprotocol:?} not agreed: {e}"))
        }
        tungstenite::Error::Http(response) => ConnectError::HandshakeRejected(format!(
            "the server answered {} instead of switching to WebSocket",
            response.status()
        )),
        tungstenite::Error::Protocol(p) => ConnectError::HandshakeRejected(p.to_string()),
        tungstenite::Error::Url(u) => invalid_url(url, u.to_string()),
        other => ConnectError::Socket(SocketError::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn handshake_failures_are_sorted() {
        let rejected = [
            tungstenite::Error::Protocol(ProtocolError::HandshakeIncomplete),
            tungstenite::Error::Io(io::ErrorKind::UnexpectedEof.into()),
            tungstenite::Error::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                tungstenite::error::SubProtocolError::NoSubProtocol,
            )),
        ];
        for e in rejected {
            match handshake_error(e, "ws://h", ADMIN_PROTOCOL) {
                ConnectError::HandshakeRejected(why) => {
                    assert!(why.contains("janus-admin-protocol"), "{why}")
                }
                other => panic!("{other:?}"),
            }
        }
        let refused = handshake_error(
            tungstenite::Error::Io(io::ErrorKind::ConnectionRefused.into()),
            "ws://h",
            JANUS_PROTOCOL,
        );
        assert!(
            matches!(refused, ConnectError::Socket(SocketError::Io(ref e)) if e.kind() == io::ErrorKind::ConnectionRefused),
            "{refused:?}"
        );
    }

    #[test]
    fn a_tls_error_inside_io_is_a_tls_error() {
        let inner = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = tungstenite::Error::Io(io::Error::new(io::ErrorKind::InvalidData, inner));
        assert!(matches!(
            handshake_error(e, "wss://h", JANUS_PROTOCOL),
            ConnectError::Socket(SocketError::Tls(rustls::Error::InvalidCertificate(_)))
        ));
    }
}
