//! Readiness probe: a raw websocket handshake with Janus's subprotocol (or a Unix socket
//! connection, or a plain HTTP/1.1 request), one request, one reply.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use rustix::net::sockopt::{set_socket_timeout, Timeout};
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketFlags, SocketType};

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

/// `GET path` on `addr` over plain HTTP/1.1 (one request, `Connection: close`), returning
/// the response body, each step within `timeout`. The error is a one-line description for
/// the "not ready" report.
pub(crate) fn exchange_http(
    addr: SocketAddr,
    path: &str,
    timeout: Duration,
) -> Result<String, String> {
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("socket timeouts: {e}"))?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("read: {e}"))?;
    match response.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.1 200") => Ok(body.to_owned()),
        _ => Err(format!(
            "answered {:?}",
            response.lines().next().unwrap_or("")
        )),
    }
}

/// Connects to the `SOCK_SEQPACKET` Unix socket at `path` (Janus's Unix sockets
/// transport), sends `request` as one packet and returns the first packet received, each
/// step within `timeout`. The error is a one-line description for the "not ready" report.
pub(crate) fn exchange_unix(
    path: &Path,
    request: &str,
    timeout: Duration,
) -> Result<String, String> {
    let fail = |step: &str, e: rustix::io::Errno| format!("{step}: {}", io::Error::from(e));
    let address = SocketAddrUnix::new(path).map_err(|e| fail("socket path", e))?;
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        None,
    )
    .map_err(|e| fail("socket", e))?;
    for which in [Timeout::Send, Timeout::Recv] {
        set_socket_timeout(&fd, which, Some(timeout)).map_err(|e| fail("socket timeouts", e))?;
    }
    rustix::net::connect(&fd, &address).map_err(|e| fail("connect", e))?;
    rustix::net::send(&fd, request.as_bytes(), SendFlags::NOSIGNAL).map_err(|e| fail("send", e))?;
    let mut reply = vec![0; 64 * 1024];
    let (n, _) =
        rustix::net::recv(&fd, &mut reply[..], RecvFlags::empty()).map_err(|e| fail("read", e))?;
    if n == 0 {
        return Err("read: closed by server".to_owned());
    }
    Ok(String::from_utf8_lossy(&reply[..n]).into_owned())
}

/// `text` with all whitespace removed, so that Janus's indented JSON can be searched for
/// `"key":"value"` without a JSON parser.
pub(crate) fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
