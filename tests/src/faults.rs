//! [`FaultProxy`]: a plain TCP proxy in front of one server that breaks the connections
//! through it on command, the way networks do: a cut (both sides see the TCP connection
//! end), a black hole (bytes in both directions vanish, nobody is told), and a server that
//! refuses new connections. No `tc`, no namespaces: everything stays on loopback.
//!
//! Every thread it starts ends with its connection; dropping the proxy stops accepting and
//! cuts what is left.
//!
//! ```no_run
//! use janus_tests::faults::FaultProxy;
//!
//! # fn main() -> std::io::Result<()> {
//! let proxy = FaultProxy::start("ws://127.0.0.1:8188")?;
//! // ... connect a client to proxy.url() ...
//! proxy.cut(); // every connection through it ends now; new ones are accepted
//! proxy.black_hole(); // the open ones go silent; new ones work
//! # Ok(())
//! # }
//! ```

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// How often a pump looks at the proxy's commands while its side is quiet.
const POLL: Duration = Duration::from_millis(20);
/// Bound on one write: a peer that stops reading must not hang the proxy.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The commands, shared by the proxy and its pumps.
#[derive(Debug, Default)]
struct Commands {
    /// Connections opened before the cut with this number end.
    cuts: AtomicU64,
    /// Connections opened before the black hole with this number go silent.
    holes: AtomicU64,
    /// The number of the next connection.
    opened: AtomicU64,
    /// New connections are closed at once.
    refusing: AtomicBool,
    stop: AtomicBool,
}

/// A TCP proxy that cuts, black-holes or refuses connections on command (see the module
/// docs).
#[derive(Debug)]
pub struct FaultProxy {
    port: u16,
    /// The upstream URL's scheme (`ws`, `http`).
    scheme: String,
    /// The upstream URL's path (`/janus`, or empty).
    path: String,
    commands: Arc<Commands>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards every connection to the host and port of
    /// `upstream` (a `ws://host:port…` or `http://host:port/path` URL).
    pub fn start(upstream: &str) -> io::Result<FaultProxy> {
        let not_tcp = || io::Error::new(ErrorKind::InvalidInput, "not a ws:// or http:// URL");
        let (scheme, rest) = upstream.split_once("://").ok_or_else(not_tcp)?;
        if scheme != "ws" && scheme != "http" {
            return Err(not_tcp());
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (scheme, path, authority) = (scheme.to_owned(), path.to_owned(), authority.to_owned());
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let commands = Arc::new(Commands::default());
        let accept_commands = commands.clone();
        thread::Builder::new()
            .name("fault-proxy-accept".into())
            .spawn(move || accept(listener, &authority, &accept_commands))?;
        Ok(FaultProxy {
            port,
            scheme,
            path,
            commands,
        })
    }

    /// The URL a client connects to: the upstream URL with the proxy's host and port.
    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}{}", self.scheme, self.port, self.path)
    }

    /// Ends every connection open now, on both sides (the client sees its socket closed);
    /// new connections are accepted as before.
    pub fn cut(&self) {
        let opened = self.commands.opened.load(Ordering::Acquire);
        self.commands.cuts.store(opened, Ordering::Release);
    }

    /// Makes every connection open now a black hole: bytes either way are read and
    /// dropped, no FIN or RST is ever sent. New connections work.
    pub fn black_hole(&self) {
        let opened = self.commands.opened.load(Ordering::Acquire);
        self.commands.holes.store(opened, Ordering::Release);
    }

    /// Whether new connections are closed at once (as by a server that is down).
    pub fn refuse(&self, refusing: bool) {
        self.commands.refusing.store(refusing, Ordering::Release);
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> u64 {
        self.commands.opened.load(Ordering::Acquire)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.commands.stop.store(true, Ordering::Release);
        self.cut();
    }
}

fn accept(listener: TcpListener, upstream: &str, commands: &Arc<Commands>) {
    while !commands.stop.load(Ordering::Acquire) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                thread::sleep(POLL);
                continue;
            }
            Err(_) => return,
        };
        if commands.refusing.load(Ordering::Acquire) {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        // Numbered from 1: a cut or black hole at `n` takes connections 1..=n.
        let number = commands.opened.fetch_add(1, Ordering::AcqRel) + 1;
        // A connection that cannot be set up is simply dropped: the client sees it closed.
        let _ = serve(client, upstream, number, commands);
    }
}

/// Starts the two pumps of one connection.
fn serve(
    client: TcpStream,
    upstream: &str,
    number: u64,
    commands: &Arc<Commands>,
) -> io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    for socket in [&client, &server] {
        socket.set_nodelay(true)?;
        socket.set_write_timeout(Some(WRITE_TIMEOUT))?;
        socket.set_read_timeout(Some(POLL))?;
    }
    let pumps = [(client.try_clone()?, server.try_clone()?), (server, client)];
    for (from, to) in pumps {
        let commands = commands.clone();
        thread::Builder::new()
            .name("fault-proxy-pump".into())
            .spawn(move || pump(from, to, number, &commands))?;
    }
    Ok(())
}

/// Forwards `from` to `to` until either ends or the connection is cut; drops the bytes
/// while it is a black hole.
fn pump(mut from: TcpStream, mut to: TcpStream, number: u64, commands: &Commands) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if commands.stop.load(Ordering::Acquire) || commands.cuts.load(Ordering::Acquire) >= number
        {
            break;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        if commands.holes.load(Ordering::Acquire) >= number {
            continue;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo server: what comes in goes back.
    fn echo_server() -> io::Result<String> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || {
                    let mut stream = stream;
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 || stream.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Ok(format!("ws://127.0.0.1:{port}"))
    }

    fn dial(proxy: &FaultProxy) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(("127.0.0.1", proxy.port))?;
        stream.set_read_timeout(Some(Duration::from_millis(500)))?;
        Ok(stream)
    }

    fn echoes(stream: &mut TcpStream) -> bool {
        let mut buf = [0u8; 4];
        stream.write_all(b"ping").is_ok() && stream.read_exact(&mut buf).is_ok() && &buf == b"ping"
    }

    #[test]
    fn cut_black_hole_and_refuse_do_what_they_say() -> io::Result<()> {
        let proxy = FaultProxy::start(&echo_server()?)?;
        let mut first = dial(&proxy)?;
        assert!(echoes(&mut first));
        proxy.cut();
        let mut buf = [0u8; 4];
        assert!(matches!(first.read(&mut buf), Ok(0) | Err(_)), "cut: EOF");

        let mut second = dial(&proxy)?;
        assert!(echoes(&mut second), "new connections work after a cut");
        proxy.black_hole();
        assert!(!echoes(&mut second), "a black hole answers nothing");
        let mut third = dial(&proxy)?;
        assert!(
            echoes(&mut third),
            "new connections work after a black hole"
        );

        proxy.refuse(true);
        let mut refused = dial(&proxy)?;
        assert!(matches!(refused.read(&mut buf), Ok(0) | Err(_)));
        proxy.refuse(false);
        assert!(echoes(&mut dial(&proxy)?));
        Ok(())
    }
}
