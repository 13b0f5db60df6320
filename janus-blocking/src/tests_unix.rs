//! The Unix socket against a scripted `SOCK_SEQPACKET` server: what a real Janus does not
//! show on demand (a packet over the limit, pings answered without a server ping, a server
//! that writes with blocking writes and reads only once it is done).

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketType};
use serde_json::{json, Value};

use crate::{Command, Config, ConnectOptions, Connection, ConnectionEvent, Error, Event};

const BOUND: Duration = Duration::from_secs(10);

/// A listening socket at a fresh path, removed on drop.
struct Listener {
    path: PathBuf,
    fd: OwnedFd,
}

impl Listener {
    fn new() -> Listener {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "janus-blocking-{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let fd =
            rustix::net::socket(AddressFamily::UNIX, SocketType::SEQPACKET, None).expect("socket");
        let address = SocketAddrUnix::new(&path).expect("path");
        rustix::net::bind(&fd, &address).expect("bind");
        rustix::net::listen(&fd, 8).expect("listen");
        Listener { path, fd }
    }

    fn url(&self) -> String {
        format!("unix:{}", self.path.display())
    }

    /// Runs `script` on the first connection, on a thread of its own.
    fn serve<T: Send + 'static>(
        self,
        script: impl FnOnce(OwnedFd) -> T + Send + 'static,
    ) -> (String, JoinHandle<T>) {
        let url = self.url();
        let thread = std::thread::spawn(move || {
            let fd = rustix::net::accept(&self.fd).expect("accept");
            for which in [
                rustix::net::sockopt::Timeout::Recv,
                rustix::net::sockopt::Timeout::Send,
            ] {
                rustix::net::sockopt::set_socket_timeout(&fd, which, Some(BOUND)).expect("timeout");
            }
            let result = script(fd);
            drop(self);
            result
        });
        (url, thread)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The next packet as JSON; `None` at end of file.
fn recv(fd: &OwnedFd) -> Option<Value> {
    let mut buf = vec![0; 64 * 1024];
    let (n, _) = rustix::net::recv(fd, &mut buf[..], RecvFlags::empty()).expect("recv");
    (n > 0).then(|| serde_json::from_slice(&buf[..n]).expect("JSON"))
}

fn send(fd: &OwnedFd, value: &Value) {
    rustix::net::send(fd, value.to_string().as_bytes(), SendFlags::NOSIGNAL).expect("send");
}

fn options() -> ConnectOptions {
    ConnectOptions::new()
        .request_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
}

#[test]
fn a_packet_over_the_limit_closes_the_connection_with_both_numbers() {
    let (url, server) = Listener::new().serve(|fd| {
        let ping = recv(&fd).expect("a ping");
        let pad = "x".repeat(2_000);
        send(
            &fd,
            &json!({"janus": "pong", "transaction": ping["transaction"], "pad": pad}),
        );
        // The client shuts the socket down: end of file.
        recv(&fd)
    });
    let options = options().config(Config::new().max_incoming_frame(1_000));
    let mut conn = Connection::connect(&url, options).expect("connect");
    assert!(matches!(
        conn.ping(),
        Err(Error::Request(crate::RequestError::ConnectionLost))
    ));
    match conn.close_reason() {
        Some(Error::MessageTooLarge { size, limit: 1_000 }) => assert!(*size > 2_000, "{size}"),
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    assert!(conn.is_closed());
    assert_eq!(server.join().expect("server"), None);
}

#[test]
fn pings_are_answered_without_the_server() {
    let (url, server) = Listener::new().serve(|fd| {
        // Nothing comes but the request: no ping goes to a Unix socket.
        let ping = recv(&fd).expect("a ping");
        send(
            &fd,
            &json!({"janus": "pong", "transaction": ping["transaction"]}),
        );
        recv(&fd)
    });
    let options = options()
        .ping_interval(Duration::from_millis(20))
        .pong_timeout(Duration::from_millis(20));
    let mut conn = Connection::connect(&url, options).expect("connect");
    conn.ping().expect("ping");
    // Ten ping intervals and more: each ping is answered at once, so the link stays up.
    let event = conn.next_event(Duration::from_millis(300)).expect("events");
    assert!(event.is_none(), "unexpected event {event:?}");
    assert!(!conn.is_closed());
    assert!(conn.close_reason().is_none());
    conn.close();
    assert_eq!(
        server.join().expect("server"),
        None,
        "end of file after close"
    );
}

/// Janus's Unix sockets transport writes to a client with blocking writes, from the one
/// thread that also reads every client. A server that writes until it is done before it reads
/// again must not deadlock a client that is sending meanwhile: the client takes in what the
/// server sends while its own packets wait for room.
#[test]
fn a_batch_goes_out_while_the_server_is_blocked_writing() {
    const EVENTS: usize = 2_000;
    const REQUESTS: usize = 2_000;
    let (url, server) = Listener::new().serve(|fd| {
        let first = recv(&fd).expect("the first request");
        // Far more than the socket buffers hold, before reading anything more.
        let pad = "e".repeat(1_000);
        for n in 0..EVENTS {
            let event = json!({"janus": "event", "session_id": 1, "sender": 2, "n": n,
                "plugindata": {"plugin": "janus.plugin.echotest", "data": {"pad": pad}}});
            send(&fd, &event);
        }
        let mut transactions = vec![first["transaction"].clone()];
        while transactions.len() < REQUESTS {
            transactions.push(recv(&fd).expect("a request")["transaction"].clone());
        }
        for (id, transaction) in (1u64..).zip(transactions) {
            let created =
                json!({"janus": "success", "transaction": transaction, "data": {"id": id}});
            send(&fd, &created);
        }
        recv(&fd)
    });
    let options = options().request_timeout(BOUND);
    let mut conn = Connection::connect(&url, options).expect("connect");
    let txns = conn
        .submit_all((0..REQUESTS).map(|_| Command::Create { id: None }))
        .expect("the batch goes out");
    for txn in txns {
        conn.wait(txn).expect("created");
    }
    let mut events = 0;
    while let Some(event) = conn.next_event(Duration::ZERO).expect("events") {
        match event {
            Event::Connection(ConnectionEvent::Disconnected { .. }) => panic!("disconnected"),
            _ => events += 1,
        }
    }
    assert_eq!(events, EVENTS);
    conn.close();
    assert_eq!(server.join().expect("server"), None);
}
