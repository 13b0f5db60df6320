//! Readiness probe: a raw websocket handshake with Janus's subprotocol, one request, one reply.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::Message;

/// Connects to `addr` (the host of `url`) with websocket subprotocol `protocol`, sends
/// `request` as one text frame and returns the first text frame received, all within `timeout`
/// per step. The error is a one-line description for the "not ready" report.
pub(crate) fn exchange(
    url: &str,
    addr: SocketAddr,
    protocol: &'static str,
    request: &str,
    timeout: Duration,
) -> Result<String, String> {
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("socket timeouts: {e}"))?;
    let mut req = url
        .into_client_request()
        .map_err(|e| format!("request: {e}"))?;
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
    let (mut ws, _) = tungstenite::client(req, stream).map_err(|e| format!("handshake: {e}"))?;
    ws.send(Message::text(request))
        .map_err(|e| format!("send: {e}"))?;
    loop {
        match ws.read().map_err(|e| format!("read: {e}"))? {
            Message::Text(text) => {
                let _ = ws.close(None);
                return Ok(text.as_str().to_owned());
            }
            Message::Close(frame) => return Err(format!("closed by server: {frame:?}")),
            _ => {}
        }
    }
}

/// `text` with all whitespace removed, so that Janus's indented JSON can be searched for
/// `"key":"value"` without a JSON parser.
pub(crate) fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
