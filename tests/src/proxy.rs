//! [`WsProxy`]: a TCP proxy between a WebSocket client and a real Janus that forwards both
//! ways, reads the client's frames as they pass, and injects frames of its own towards the
//! client: between two of the server's ([`WsProxy::inject`]), or right behind the first server
//! frame a predicate accepts, in the same TCP write ([`WsProxy::inject_after`]).
//!
//! It parses the WebSocket framing (RFC 6455 §5.2) of both directions after the HTTP
//! upgrade, so that an injection lands on a frame boundary and the client's frames (masked)
//! can be checked. Every thread it starts ends when its connection does; dropping the proxy
//! stops accepting.
//!
//! ```no_run
//! use janus_tests::proxy::{Inject, WsProxy};
//!
//! # fn main() -> std::io::Result<()> {
//! let proxy = WsProxy::start("ws://127.0.0.1:8188")?;
//! // ... connect a client to proxy.url() ...
//! proxy.inject(Inject::Oversized { announced: 64 << 20, sent: 64 << 20 });
//! let close = proxy.wait_client_frame(|f| f.opcode == 8, std::time::Duration::from_secs(5));
//! # let _ = close;
//! # Ok(())
//! # }
//! ```

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::memory;

/// How often the server-to-client pump looks for injections while the server is quiet.
const POLL: Duration = Duration::from_millis(5);
/// Bound on one write of the proxy: a client that stops reading must not hang it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Chunk of an injected payload (streamed, never held whole).
const CHUNK: usize = 64 * 1024;

/// A frame the proxy injects towards the client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inject {
    /// A binary frame (FIN set) whose header announces `announced` payload bytes, followed
    /// by `sent` zero bytes of payload, streamed in chunks for as long as the client takes
    /// them. Nothing of the server is forwarded after it (the stream is inside a message).
    Oversized {
        /// The payload length in the frame header.
        announced: u64,
        /// How many payload bytes to send.
        sent: u64,
    },
}

/// Builds the injected text frames from the matched frame's text.
type Frames = Box<dyn FnOnce(&str) -> Vec<String> + Send>;

/// Text frames to write right behind the first server text frame `matches` accepts.
struct After {
    matches: Box<dyn FnMut(&str) -> bool + Send>,
    frames: Frames,
}

impl std::fmt::Debug for After {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("After").finish_non_exhaustive()
    }
}

/// A whole frame the client sent, unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// FIN bit.
    pub fin: bool,
    /// The opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong).
    pub opcode: u8,
    /// The payload, unmasked.
    pub payload: Vec<u8>,
}

impl Frame {
    /// The status code of a close frame (opcode 8 with at least two payload bytes).
    pub fn close_code(&self) -> Option<u16> {
        match (self.opcode, self.payload.as_slice()) {
            (8, [hi, lo, ..]) => Some(u16::from_be_bytes([*hi, *lo])),
            _ => None,
        }
    }
}

/// What the pumps and the test share.
#[derive(Debug, Default)]
struct State {
    /// Injections not yet written to the client.
    pending: Vec<Inject>,
    /// How many injections were written (or failed on a closed client).
    injected: usize,
    /// Injections waiting for a server frame to follow.
    after: Vec<After>,
    /// Every frame the clients sent, in order.
    client_frames: Vec<Frame>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits (at most `timeout`) until `done` holds; whether it does.
    fn wait_until(&self, timeout: Duration, mut done: impl FnMut(&State) -> bool) -> bool {
        let until = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if done(&state) {
                return true;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// A WebSocket-aware TCP proxy in front of one upstream server (see the module docs).
#[derive(Debug)]
pub struct WsProxy {
    port: u16,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

impl WsProxy {
    /// Listens on a free loopback port and forwards every connection to the host and port of
    /// `upstream` (a `ws://host:port` URL).
    pub fn start(upstream: &str) -> io::Result<WsProxy> {
        let authority = upstream
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| io::Error::new(ErrorKind::InvalidInput, "not a ws:// URL"))?
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (accept_shared, accept_stop) = (shared.clone(), stop.clone());
        thread::Builder::new()
            .name("ws-proxy-accept".into())
            .spawn(move || accept(listener, &authority, &accept_shared, &accept_stop))?;
        Ok(WsProxy { port, shared, stop })
    }

    /// The URL a client connects to.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// Sends `frame` to the client between two of the server's frames, and returns once its
    /// header was written (or the client was gone); a long payload is streamed after that.
    /// Panics if no client connection takes it within 10 s.
    pub fn inject(&self, frame: Inject) {
        let target = {
            let mut state = self.shared.lock();
            state.pending.push(frame);
            state.injected + state.pending.len()
        };
        self.shared.changed.notify_all();
        let done = self
            .shared
            .wait_until(Duration::from_secs(10), |s| s.injected >= target);
        assert!(done, "no client connection took the injected frame");
    }

    /// Writes the text frames `frames` builds from the first server text frame (its payload)
    /// that `matches` accepts, right behind that frame and in the same TCP write, so that the
    /// client reads them together. Returns at once; the proxy applies it to the frames it
    /// forwards from then on.
    pub fn inject_after(
        &self,
        matches: impl FnMut(&str) -> bool + Send + 'static,
        frames: impl FnOnce(&str) -> Vec<String> + Send + 'static,
    ) {
        self.shared.lock().after.push(After {
            matches: Box::new(matches),
            frames: Box::new(frames),
        });
    }

    /// The first frame from the client that `pick` accepts, waiting at most `timeout`.
    pub fn wait_client_frame(
        &self,
        mut pick: impl FnMut(&Frame) -> bool,
        timeout: Duration,
    ) -> Option<Frame> {
        let mut found = None;
        self.shared.wait_until(timeout, |s| {
            found = s.client_frames.iter().find(|f| pick(f)).cloned();
            found.is_some()
        });
        found
    }
}

impl Drop for WsProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// The oversized-message check both drivers' tests make: with a client limit of
/// [`LIMIT`](Self::LIMIT), the proxy announces and streams a message of
/// [`SIZE`](Self::SIZE) bytes; the client must answer with a close frame of code 1009 and
/// its peak RSS must grow by less than twice the limit.
#[derive(Debug)]
pub struct Oversized {
    /// Peak RSS when the message was injected.
    before: u64,
}

impl Oversized {
    /// The client's `max_incoming_frame`.
    pub const LIMIT: usize = 8 << 20;
    /// The message announced and streamed.
    pub const SIZE: u64 = 64 << 20;

    /// Starts measuring the peak RSS afresh, then has `proxy` inject the message.
    pub fn inject(proxy: &WsProxy) -> io::Result<Oversized> {
        memory::reset_peak_rss()?;
        let before = memory::peak_rss()?;
        proxy.inject(Inject::Oversized {
            announced: Self::SIZE,
            sent: Self::SIZE,
        });
        Ok(Oversized { before })
    }

    /// Asserts that the client sent a close frame with code 1009 (within 15 s) and that the
    /// peak RSS grew by less than twice the limit since [`inject`](Self::inject); returns
    /// the growth.
    pub fn check(self, proxy: &WsProxy) -> io::Result<u64> {
        let close = proxy
            .wait_client_frame(|f| f.opcode == 8, Duration::from_secs(15))
            .ok_or_else(|| io::Error::new(ErrorKind::TimedOut, "no close frame from the client"))?;
        assert_eq!(close.close_code(), Some(1009), "{close:?}");
        let growth = memory::peak_rss()?.saturating_sub(self.before);
        assert!(
            growth < 2 * Self::LIMIT as u64,
            "peak RSS grew by {growth} bytes refusing a {}-byte message (limit {})",
            Self::SIZE,
            Self::LIMIT
        );
        Ok(growth)
    }
}

fn accept(listener: TcpListener, upstream: &str, shared: &Arc<Shared>, stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                thread::sleep(POLL);
                continue;
            }
            Err(_) => return,
        };
        // A connection that cannot be set up is simply dropped: the client sees it closed.
        let _ = serve(client, upstream, shared);
    }
}

/// Starts the two pumps of one client connection.
fn serve(client: TcpStream, upstream: &str, shared: &Arc<Shared>) -> io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    for socket in [&client, &server] {
        socket.set_nonblocking(false)?;
        socket.set_nodelay(true)?;
        socket.set_write_timeout(Some(WRITE_TIMEOUT))?;
    }
    server.set_read_timeout(Some(POLL))?;
    let (c_read, s_write) = (client.try_clone()?, server.try_clone()?);
    let up_shared = shared.clone();
    thread::Builder::new()
        .name("ws-proxy-up".into())
        .spawn(move || client_to_server(c_read, s_write, &up_shared))?;
    let down_shared = shared.clone();
    thread::Builder::new()
        .name("ws-proxy-down".into())
        .spawn(move || server_to_client(server, client, &down_shared))?;
    Ok(())
}

/// Forwards the client's bytes and records its frames.
fn client_to_server(mut client: TcpStream, mut server: TcpStream, shared: &Shared) {
    let mut parser = Parser::default();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let forwarded = server.write_all(&buf[..n]).is_ok();
        let frames = parser.push(&buf[..n]);
        if !frames.is_empty() {
            shared
                .lock()
                .client_frames
                .extend(frames.into_iter().map(|raw| raw.frame));
            shared.changed.notify_all();
        }
        if !forwarded {
            break;
        }
    }
    let _ = server.shutdown(Shutdown::Write);
}

/// Forwards the server's frames whole, writing injections between them.
fn server_to_client(mut server: TcpStream, mut client: TcpStream, shared: &Shared) {
    let mut parser = Parser::default();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let injections = std::mem::take(&mut shared.lock().pending);
        let mut stop = false;
        for frame in &injections {
            // A client that went away ends the connection; the injection still counts.
            let streaming = match write_header(&mut client, frame) {
                Ok(payload) => payload,
                Err(_) => {
                    stop = true;
                    None
                }
            };
            shared.lock().injected += 1;
            shared.changed.notify_all();
            if let Some(len) = streaming {
                // The client reads it only while it waits for something: after `inject`.
                let _ = stream_zeros(&mut client, len);
                stop = true;
            }
        }
        if stop {
            break;
        }
        let n = match server.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        let whole = parser.push(&buf[..n]);
        let mut bytes = parser.take_passthrough();
        for raw in whole {
            bytes.extend_from_slice(&raw.bytes);
            for text in shared.injections_after(&raw.frame) {
                bytes.extend(text_frame(&text));
            }
        }
        if client.write_all(&bytes).is_err() {
            break;
        }
    }
    let _ = client.shutdown(Shutdown::Write);
}

impl Shared {
    /// The frames to write behind `frame`: those of the first waiting injection it matches.
    fn injections_after(&self, frame: &Frame) -> Vec<String> {
        let Ok(text) = std::str::from_utf8(&frame.payload) else {
            return Vec::new();
        };
        if frame.opcode != 1 {
            return Vec::new();
        }
        let mut state = self.lock();
        match state.after.iter_mut().position(|a| (a.matches)(text)) {
            Some(at) => (state.after.remove(at).frames)(text),
            None => Vec::new(),
        }
    }
}

/// A server-to-client text frame (FIN, unmasked) carrying `text`.
fn text_frame(text: &str) -> Vec<u8> {
    let len = text.len();
    let mut frame = vec![0x81];
    match len {
        0..=125 => frame.push(len as u8),
        126..=0xffff => {
            frame.push(126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            frame.push(127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(text.as_bytes());
    frame
}

/// Writes an injection's frame header (and a payload held in memory); returns the length of
/// a payload still to stream.
fn write_header(client: &mut TcpStream, frame: &Inject) -> io::Result<Option<u64>> {
    match frame {
        Inject::Oversized { announced, sent } => {
            // FIN + binary; a 64-bit length, no mask (server to client).
            let mut header = vec![0x82, 127];
            header.extend_from_slice(&announced.to_be_bytes());
            client.write_all(&header)?;
            Ok(Some(*sent))
        }
    }
}

/// Writes `len` zero bytes in chunks, for as long as the client takes them.
fn stream_zeros(client: &mut TcpStream, len: u64) -> io::Result<()> {
    let chunk = vec![0u8; CHUNK];
    let mut left = len;
    while left > 0 {
        let n = left.min(CHUNK as u64) as usize;
        client.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// A frame as parsed from the wire: its decoded form and its exact bytes.
struct RawFrame {
    frame: Frame,
    bytes: Vec<u8>,
}

/// Splits one direction of a WebSocket connection into the HTTP upgrade and whole frames.
#[derive(Default)]
struct Parser {
    /// Bytes not yet parsed.
    buffer: Vec<u8>,
    /// Whether the HTTP upgrade (up to the blank line) has passed.
    upgraded: bool,
    /// Bytes of the upgrade, to be forwarded as they are.
    passthrough: Vec<u8>,
}

impl Parser {
    /// Feeds bytes; returns the frames completed by them.
    fn push(&mut self, bytes: &[u8]) -> Vec<RawFrame> {
        self.buffer.extend_from_slice(bytes);
        if !self.upgraded {
            match self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(end) => {
                    self.passthrough.extend(self.buffer.drain(..end + 4));
                    self.upgraded = true;
                }
                None => return Vec::new(),
            }
        }
        let mut frames = Vec::new();
        while let Some(len) = frame_len(&self.buffer) {
            let bytes: Vec<u8> = self.buffer.drain(..len).collect();
            frames.push(RawFrame {
                frame: decode(&bytes),
                bytes,
            });
        }
        frames
    }

    /// The upgrade bytes seen so far and not yet taken.
    fn take_passthrough(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.passthrough)
    }
}

/// The header length, the payload length and the mask key of the frame at the start of
/// `bytes`, if its header is complete.
fn header(bytes: &[u8]) -> Option<(usize, usize, Option<[u8; 4]>)> {
    let (b1, rest) = (bytes.get(1)?, bytes.get(2..)?);
    let masked = b1 & 0x80 != 0;
    let (len, ext) = match b1 & 0x7f {
        126 => (
            u64::from(u16::from_be_bytes(rest.get(..2)?.try_into().ok()?)),
            2,
        ),
        127 => (u64::from_be_bytes(rest.get(..8)?.try_into().ok()?), 8),
        n => (u64::from(n), 0),
    };
    let mask_len = if masked { 4 } else { 0 };
    let mask = match masked {
        true => Some(rest.get(ext..ext + 4)?.try_into().ok()?),
        false => None,
    };
    Some((2 + ext + mask_len, usize::try_from(len).ok()?, mask))
}

/// The length of the whole frame at the start of `bytes`, if all of it is there.
fn frame_len(bytes: &[u8]) -> Option<usize> {
    let (head, len, _) = header(bytes)?;
    let total = head.checked_add(len)?;
    (bytes.len() >= total).then_some(total)
}

/// A whole frame's bytes, decoded and unmasked.
fn decode(bytes: &[u8]) -> Frame {
    let (head, _, mask) = header(bytes).unwrap_or((bytes.len(), 0, None));
    let payload = bytes[head..]
        .iter()
        .enumerate()
        .map(|(i, b)| mask.map_or(*b, |m| b ^ m[i % 4]))
        .collect();
    Frame {
        fin: bytes.first().is_some_and(|b| b & 0x80 != 0),
        opcode: bytes.first().map_or(0, |b| b & 0x0f),
        payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_client_frames_are_decoded() {
        let mut parser = Parser::default();
        assert!(parser.push(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").is_empty());
        assert_eq!(parser.take_passthrough().len(), 27);
        // A close frame with code 1009 and reason "x", masked with 1 2 3 4, in two pieces.
        let mask = [1u8, 2, 3, 4];
        let payload = [0x03u8, 0xf1, b'x'];
        let mut wire = vec![0x88, 0x80 | 3];
        wire.extend_from_slice(&mask);
        wire.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        assert!(parser.push(&wire[..4]).is_empty());
        let frames = parser.push(&wire[4..]);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].frame.close_code(), Some(1009));
        assert_eq!(frames[0].frame.payload, payload);
        assert_eq!(frames[0].bytes, wire);
    }

    #[test]
    fn text_frames_have_the_three_length_forms() {
        for len in [0, 125, 126, 0xffff, 0x10000] {
            let text = "x".repeat(len);
            let frame = text_frame(&text);
            assert_eq!(frame_len(&frame), Some(frame.len()), "{len}");
            let decoded = decode(&frame);
            assert_eq!((decoded.fin, decoded.opcode), (true, 1));
            assert_eq!(decoded.payload, text.as_bytes());
        }
    }

    /// Reads from `stream` until `want` bytes came (at most 5 s); returns each read's bytes.
    fn reads(stream: &mut TcpStream, want: usize) -> Vec<Vec<u8>> {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        let mut chunks = Vec::new();
        let mut buf = vec![0u8; CHUNK];
        while chunks.iter().map(Vec::len).sum::<usize>() < want {
            let n = stream.read(&mut buf).expect("read from the proxy");
            assert!(n > 0, "the proxy closed after {chunks:?}");
            chunks.push(buf[..n].to_vec());
        }
        chunks
    }

    /// The frames injected behind a matched frame reach the client in the same read as it,
    /// and the server's frames before and after it are forwarded as they were.
    #[test]
    fn injections_after_a_frame_come_in_its_tcp_write() {
        let upstream = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = upstream.local_addr().expect("address").port();
        let proxy = WsProxy::start(&format!("ws://127.0.0.1:{port}")).expect("proxy");
        proxy.inject_after(
            |text| text.starts_with("match"),
            |text| vec![format!("{text}: one"), format!("{text}: two")],
        );
        let upgrade = b"HTTP/1.1 101 Switching Protocols\r\n\r\n";
        let server = thread::spawn(move || {
            let (mut socket, _) = upstream.accept().expect("accept");
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") {
                socket.read_exact(&mut byte).expect("the upgrade request");
                request.push(byte[0]);
            }
            socket.write_all(upgrade).expect("upgrade");
            for text in ["before", "match 1", "match 2"] {
                thread::sleep(Duration::from_millis(50));
                socket.write_all(&text_frame(text)).expect("a frame");
            }
            // Held open until the client has read everything.
            thread::sleep(Duration::from_secs(1));
        });

        let mut client =
            TcpStream::connect(proxy.url().trim_start_matches("ws://")).expect("connect");
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("upgrade request");
        let matched: Vec<u8> = ["match 1", "match 1: one", "match 1: two"]
            .iter()
            .flat_map(|t| text_frame(t))
            .collect();
        let want = upgrade.len()
            + text_frame("before").len()
            + matched.len()
            + text_frame("match 2").len();
        let chunks = reads(&mut client, want);
        let all: Vec<u8> = chunks.concat();
        let mut expected = upgrade.to_vec();
        expected.extend(text_frame("before"));
        expected.extend(&matched);
        expected.extend(text_frame("match 2"));
        assert_eq!(all, expected, "only the first match gets the injection");
        assert!(
            chunks
                .iter()
                .any(|c| c.windows(matched.len()).any(|w| w == matched)),
            "the matched frame and its injections came in separate reads: {chunks:?}"
        );
        server.join().expect("the fake server");
    }
}
