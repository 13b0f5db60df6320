//! The driver over a Unix socket against a scripted `SOCK_SEQPACKET` server (on a thread of
//! its own, with blocking calls): a packet over the limit, pings answered without a server
//! ping, the close, and a server that writes with blocking writes and reads only once it is
//! done.

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use futures_util::StreamExt;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketType};
use serde_json::{json, Value};

use crate::*;

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
            "janus-transport-ws-{}-{}.sock",
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

    /// Runs `script` on the first connection, on a thread of its own.
    fn serve<T: Send + 'static>(
        self,
        script: impl FnOnce(OwnedFd) -> T + Send + 'static,
    ) -> (String, JoinHandle<T>) {
        let url = format!("unix:{}", self.path.display());
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

async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    smol::future::or(async { Some(fut.await) }, async {
        smol::Timer::after(BOUND).await;
        None
    })
    .await
    .unwrap_or_else(|| panic!("{what}: nothing within {BOUND:?}"))
}

#[test]
fn a_packet_over_the_limit_ends_the_connection_with_both_numbers() {
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
    smol::block_on(async {
        let options = ConnectOptions::new().config(Config::new().max_incoming_frame(1_000));
        let (client, driver) = within("connect", connect(&url, options))
            .await
            .expect("connect");
        let driver = smol::spawn(driver);
        match within("ping", client.ping()).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected the connection lost, got {other:?}"),
        }
        match within("driver", driver).await {
            DriverEnd::Lost(Error::MessageTooLarge { size, limit: 1_000 }) => {
                assert!(size > 2_000, "{size}")
            }
            other => panic!("expected MessageTooLarge, got {other:?}"),
        }
    });
    assert_eq!(server.join().expect("server"), None);
}

#[test]
fn pings_are_answered_without_the_server_and_a_close_ends_the_socket() {
    let (url, server) = Listener::new().serve(|fd| {
        // Nothing comes but the request: no ping goes to a Unix socket.
        let ping = recv(&fd).expect("a ping");
        send(
            &fd,
            &json!({"janus": "pong", "transaction": ping["transaction"]}),
        );
        recv(&fd)
    });
    smol::block_on(async {
        let options = ConnectOptions::new()
            .ping_interval(Duration::from_millis(20))
            .pong_timeout(Duration::from_millis(20));
        let (client, driver) = within("connect", connect(&url, options))
            .await
            .expect("connect");
        let driver = smol::spawn(driver);
        within("ping", client.ping()).await.expect("pong");
        let mut events = client.connection_events();
        // Ten ping intervals and more: each ping is answered at once, so the link stays up.
        let quiet = smol::future::or(async { events.next().await.map(Some) }, async {
            smol::Timer::after(Duration::from_millis(300)).await;
            None
        });
        assert!(quiet.await.is_none(), "no connection event");
        assert!(!client.is_closed());
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
    assert_eq!(
        server.join().expect("server"),
        None,
        "end of file after close"
    );
}

/// As janus-blocking's test of the same name: Janus's Unix sockets transport writes with
/// blocking writes from the thread that reads every client, and the driver keeps reading
/// while its own packets wait for room.
#[test]
fn a_batch_goes_out_while_the_server_is_blocked_writing() {
    const EVENTS: usize = 2_000;
    const REQUESTS: usize = 2_000;
    let (url, server) = Listener::new().serve(|fd| {
        let first = recv(&fd).expect("the first request");
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
    smol::block_on(async {
        let options = ConnectOptions::new().request_timeout(BOUND);
        let (client, driver) = within("connect", connect(&url, options))
            .await
            .expect("connect");
        let driver = smol::spawn(driver);
        let creates: Vec<_> = (0..REQUESTS).map(|_| client.create()).collect();
        for create in creates {
            within("create", create).await.expect("created");
        }
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
    assert_eq!(server.join().expect("server"), None);
}
