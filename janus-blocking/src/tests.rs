//! The adapter against a scripted WebSocket server on loopback: the socket-level behaviour
//! a real Janus does not show on demand (garbage frames, pings, binary frames, abrupt
//! closes, refused handshakes, exact frame bytes, keepalive timing).

use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::handshake::server::{Request, Response};
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

use crate::{
    AdminConnection, Command, ConnectError, ConnectOptions, Connection, ConnectionEvent, Error,
    Event, ReplyKind, RequestError, UsageError,
};

const BOUND: Duration = Duration::from_secs(10);

/// A one-connection server running `script` on the accepted WebSocket (after agreeing to
/// `protocol`, or without answering the handshake at all when `protocol` is `None`).
fn serve<T: Send + 'static>(
    protocol: Option<&'static str>,
    script: impl FnOnce(&mut WebSocket<TcpStream>) -> T + Send + 'static,
) -> (String, JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    let thread = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().expect("accept");
        tcp.set_read_timeout(Some(BOUND)).expect("timeout");
        let Some(protocol) = protocol else {
            // Read the request, then hang up without a word (what Janus does).
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut &tcp, &mut buf);
            drop(tcp);
            return script_never_runs();
        };
        #[allow(clippy::result_large_err)] // tungstenite's callback signature
        let callback = move |request: &Request, mut response: Response| {
            let asked = request
                .headers()
                .get("Sec-WebSocket-Protocol")
                .and_then(|v| v.to_str().ok());
            assert_eq!(asked, Some(protocol));
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
            Ok(response)
        };
        let mut ws = tungstenite::accept_hdr(tcp, callback).expect("handshake");
        script(&mut ws)
    });
    (url, thread)
}

fn script_never_runs<T>() -> T {
    panic!("the client completed a handshake the server never answered")
}

/// The next text message as JSON, with the exact text.
fn recv(ws: &mut WebSocket<TcpStream>) -> (Value, String) {
    loop {
        match ws.read().expect("read") {
            Message::Text(text) => {
                let value = serde_json::from_str(text.as_str()).expect("JSON");
                return (value, text.as_str().to_owned());
            }
            Message::Close(_) => panic!("client closed"),
            _ => {}
        }
    }
}

fn send(ws: &mut WebSocket<TcpStream>, value: Value) {
    ws.send(Message::text(value.to_string())).expect("send");
}

fn options() -> ConnectOptions {
    ConnectOptions::new()
        .request_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
}

#[test]
fn connection_is_send() {
    fn send<T: Send>() {}
    send::<Connection>();
    send::<AdminConnection>();
    send::<Error>();
}

#[test]
fn a_handshake_without_answer_is_rejected() {
    let (url, _server) = serve::<()>(None, |_| ());
    match Connection::connect(&url, options()) {
        Err(Error::Connect(ConnectError::HandshakeRejected(why))) => {
            assert!(why.contains("janus-protocol"), "{why}")
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
}

#[test]
fn another_subprotocol_is_rejected() {
    let (url, _server) = serve(Some("janus-protocol"), |_| ());
    match AdminConnection::connect(&url, options()) {
        Err(Error::Connect(ConnectError::HandshakeRejected(_))) => {}
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
}

#[test]
fn a_bad_frame_is_reported_and_the_connection_goes_on() {
    let (url, server) = serve(Some("janus-protocol"), |ws| {
        let (ping, _) = recv(ws);
        ws.send(Message::text("this is not JSON")).expect("send");
        // A reply as a binary message holding JSON.
        let pong = json!({"janus": "pong", "transaction": ping["transaction"]});
        ws.send(Message::binary(pong.to_string().into_bytes()))
            .expect("send");
        let (ping, _) = recv(ws);
        send(
            ws,
            json!({"janus": "pong", "transaction": ping["transaction"]}),
        );
    });
    let mut conn = Connection::connect(&url, options()).expect("connect");
    conn.ping().expect("first ping");
    match conn.next_event(Duration::ZERO) {
        Err(Error::Protocol(_)) => {}
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert!(!conn.is_closed());
    conn.ping().expect("second ping");
    server.join().expect("server");
}

#[test]
fn a_server_ping_is_answered_while_waiting_for_events() {
    let (url, server) = serve(Some("janus-protocol"), |ws| {
        ws.send(Message::Ping(b"are you there".to_vec().into()))
            .expect("ping");
        let pong = match ws.read().expect("read") {
            Message::Pong(payload) => payload,
            other => panic!("expected a pong, got {other:?}"),
        };
        // Tell the client: an error no request matches.
        send(
            ws,
            json!({"janus": "error", "error": {"code": 454, "reason": "x"}}),
        );
        pong
    });
    let mut conn = Connection::connect(&url, options()).expect("connect");
    let start = Instant::now();
    let event = loop {
        if let Some(event) = conn.next_event(Duration::from_millis(100)).expect("event") {
            break event;
        }
        assert!(start.elapsed() < BOUND, "no event");
    };
    assert!(
        matches!(&event, Event::Connection(ConnectionEvent::Error { error, .. }) if error.code == 454),
        "{event:?}"
    );
    assert_eq!(&server.join().expect("server")[..], b"are you there");
}

#[test]
fn keepalives_go_out_while_waiting_and_frames_have_no_trailing_bytes() {
    let (url, server) = serve(Some("janus-protocol"), |ws| {
        let (create, text) = recv(ws);
        assert_eq!(create["janus"], "create");
        let mut frames = vec![text];
        send(
            ws,
            json!({"janus": "success", "transaction": create["transaction"], "data": {"id": 7}}),
        );
        let mut keepalives = 0;
        while keepalives < 3 {
            let (request, text) = recv(ws);
            frames.push(text);
            assert_eq!(request["janus"], "keepalive");
            assert_eq!(request["session_id"], 7);
            assert_eq!(request["apisecret"], "s3cret");
            keepalives += 1;
            send(
                ws,
                json!({"janus": "ack", "session_id": 7, "transaction": request["transaction"]}),
            );
        }
        frames
    });
    let options = options()
        .keepalive_interval(Duration::from_millis(100))
        .apisecret("s3cret");
    let mut conn = Connection::connect(&url, options).expect("connect");
    let session = conn.create().expect("create");
    assert_eq!(session.0, 7);
    let start = Instant::now();
    while !server.is_finished() {
        assert!(start.elapsed() < BOUND, "keepalives did not go out");
        // Keepalive acks are internal: no events, until the server hangs up.
        match conn.next_event(Duration::from_millis(50)) {
            Ok(None) => {}
            Ok(Some(
                Event::Session { .. }
                | Event::Connection(ConnectionEvent::Closed | ConnectionEvent::Disconnected { .. }),
            )) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    let frames = server.join().expect("server");
    assert!(start.elapsed() >= Duration::from_millis(250));
    for frame in frames {
        // One compact JSON object and nothing else (Janus drops a frame with a trailing
        // newline): same length as its compact re-encoding, ending in the closing brace.
        let value: Value = serde_json::from_str(&frame).expect("JSON");
        assert!(value.is_object() && frame.ends_with('}'), "{frame:?}");
        assert_eq!(frame.len(), value.to_string().len(), "{frame:?}");
    }
}

#[test]
fn submit_all_sends_a_batch_in_order_or_nothing_of_it() {
    let (url, server) = serve(Some("janus-protocol"), |ws| {
        let txns: Vec<Value> = (0..3).map(|_| recv(ws).0["transaction"].clone()).collect();
        for txn in txns.iter().rev() {
            send(ws, json!({"janus": "pong", "transaction": txn}));
        }
        // Anything more before the client's close frame is a request that should not exist.
        let mut more = 0;
        while let Ok(message) = ws.read() {
            match message {
                Message::Text(_) => more += 1,
                Message::Close(_) => break,
                _ => {}
            }
        }
        (txns, more)
    });
    let config = janus_proto::Config::new().max_pending(3);
    let mut conn = Connection::connect(&url, options().config(config)).expect("connect");
    match conn.submit_all((0..4).map(|_| Command::Ping)) {
        Err(Error::Usage(UsageError::TooManyPending { max: 3 })) => {}
        other => panic!("expected TooManyPending, got {other:?}"),
    }
    assert_eq!(conn.core().pending(), 0, "the refused batch left requests");
    let txns = conn
        .submit_all((0..3).map(|_| Command::Ping))
        .expect("a batch within the limit");
    for txn in &txns {
        let reply = conn.wait(*txn).expect("pong");
        assert_eq!(reply.kind, ReplyKind::Pong);
    }
    assert_eq!(conn.next_event(Duration::ZERO).expect("no error"), None);
    conn.close();
    let (wire, more) = server.join().expect("server");
    assert_eq!(more, 0, "frames of the refused batch went out");
    // No transaction prefix configured: the wire string is the counter.
    let sent: Vec<Value> = txns.iter().map(|t| json!(t.0.to_string())).collect();
    assert_eq!(wire, sent, "sent out of order");
}

#[test]
fn pending_requests_fail_when_the_server_hangs_up() {
    let (url, server) = serve(Some("janus-protocol"), |ws| {
        // Take the requests, answer none, drop the TCP connection without a close frame.
        for _ in 0..3 {
            recv(ws);
        }
    });
    let mut conn = Connection::connect(&url, options()).expect("connect");
    let txns: Vec<_> = (0..3)
        .map(|_| conn.submit(Command::Info).expect("submit"))
        .collect();
    server.join().expect("server");
    let start = Instant::now();
    for txn in txns {
        assert!(matches!(
            conn.wait(txn),
            Err(Error::Request(RequestError::ConnectionLost))
        ));
    }
    assert!(start.elapsed() < Duration::from_secs(2));
    let disconnected = conn.next_event(BOUND).expect("event");
    assert!(matches!(
        disconnected,
        Some(Event::Connection(ConnectionEvent::Disconnected { .. }))
    ));
    let closed = conn.next_event(BOUND).expect("event");
    assert!(matches!(
        closed,
        Some(Event::Connection(ConnectionEvent::Closed))
    ));
    assert!(matches!(
        conn.next_event(BOUND),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    assert!(conn.close_reason().is_some());
    assert!(matches!(
        conn.info(),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
}

#[test]
fn bad_urls_and_roots() {
    for url in [
        "ftp://127.0.0.1:1/",
        "http:///janus",
        "ws://",
        "ws:///path",
        "://x",
    ] {
        assert!(
            matches!(
                Connection::connect(url, options()),
                Err(Error::Connect(ConnectError::InvalidUrl { .. }))
            ),
            "{url}"
        );
    }
    let (url, _server) = serve(Some("janus-protocol"), |_| ());
    let wss = url.replacen("ws://", "wss://", 1);
    let garbage = options().tls_root_pem(b"not a certificate".as_slice());
    assert!(matches!(
        Connection::connect(&wss, garbage),
        Err(Error::Connect(ConnectError::TlsRoot { .. }))
    ));
}

#[test]
fn connect_timeout_is_kept() {
    // A listener that never accepts: the TCP connect succeeds (backlog), the handshake
    // never gets an answer.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    let start = Instant::now();
    let result = Connection::connect(&url, options().connect_timeout(Duration::from_millis(300)));
    match result {
        Err(Error::Connect(ConnectError::TimedOut { timeout })) => {
            assert_eq!(timeout, Duration::from_millis(300))
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(listener);
}

/// A signal delivered to the thread blocked in a socket read or write makes the system call
/// fail with EINTR (always, on a socket with a timeout, whatever SA_RESTART says). That is
/// not a lost connection: the request and the wait for events go on.
#[test]
fn signals_to_the_waiting_thread_do_not_break_the_connection() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};

    use nix::sys::pthread::{pthread_kill, pthread_self};
    use nix::sys::signal::Signal;

    let (url, server) = serve(Some("janus-protocol"), |ws| {
        let (info, _) = recv(ws);
        std::thread::sleep(Duration::from_millis(700));
        send(
            ws,
            json!({"janus": "server_info", "transaction": info["transaction"], "name": "x"}),
        );
        std::thread::sleep(Duration::from_millis(700));
        let data = json!({"plugin": "janus.plugin.echotest", "data": {"echotest": "event"}});
        send(
            ws,
            json!({"janus": "event", "session_id": 99, "sender": 98, "plugindata": data}),
        );
        // Wait for the client to hang up.
        while !matches!(ws.read(), Err(_) | Ok(Message::Close(_))) {}
    });
    let caught = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, caught.clone()).expect("handler");
    let (tid_tx, tid_rx) = mpsc::channel();
    let client = std::thread::spawn(move || {
        let mut conn = Connection::connect(&url, options()).expect("connect");
        tid_tx.send(pthread_self()).expect("tid");
        let info = conn.info();
        let event = conn.next_event(BOUND);
        conn.close();
        (info, event)
    });
    let tid = tid_rx.recv_timeout(BOUND).expect("client thread started");
    let start = Instant::now();
    while !client.is_finished() && start.elapsed() < BOUND {
        std::thread::sleep(Duration::from_millis(50));
        // The thread may already be gone (ESRCH): the loop ends at the next check.
        let _ = pthread_kill(tid, Signal::SIGUSR1);
    }
    let (info, event) = client.join().expect("client");
    assert!(caught.load(Ordering::SeqCst), "no signal was delivered");
    assert!(info.is_ok(), "{info:?}");
    assert!(
        matches!(
            event,
            Ok(Some(Event::Connection(ConnectionEvent::Unroutable { .. })))
        ),
        "{event:?}"
    );
    server.join().expect("server");
}

#[test]
fn events_wait_per_handle_and_per_session_from_the_attach_reply_on() {
    let (url, server) = serve(Some("janus-protocol"), |ws| {
        let (create, _) = recv(ws);
        send(
            ws,
            json!({"janus": "success", "transaction": create["transaction"], "data": {"id": 7}}),
        );
        let (attach, _) = recv(ws);
        // The attach reply and a burst of its handle's events in one write.
        let mut burst = vec![json!({"janus": "success", "session_id": 7,
            "transaction": attach["transaction"], "data": {"id": 70}})];
        for n in 0..20 {
            burst.push(json!({"janus": "event", "session_id": 7, "sender": 70,
                "plugindata": {"plugin": "janus.plugin.echotest", "data": {"n": n}}}));
        }
        for frame in burst {
            ws.write(Message::text(frame.to_string())).expect("write");
        }
        ws.flush().expect("flush");
        send(ws, json!({"janus": "timeout", "session_id": 7}));
        while ws.read().is_ok() {}
    });
    let mut conn = Connection::connect(&url, options()).expect("connect");
    let session = conn.create().expect("create");
    let handle = conn
        .attach(session, "janus.plugin.echotest")
        .expect("attach");
    // The session's own events are apart from the handle's.
    match conn.next_session_event(session, BOUND) {
        Ok(Some(Event::Session {
            event: crate::SessionEvent::Ended(_),
            ..
        })) => {}
        other => panic!("expected the session's end, got {other:?}"),
    }
    let mut numbers = Vec::new();
    while let Some(event) = conn.next_handle_event(handle, BOUND).expect("event") {
        match event {
            Event::Handle { event, .. } => match event.kind {
                crate::HandleEventKind::Plugin { data, .. } => {
                    numbers.push(data.value().expect("JSON")["n"].as_i64().expect("n"))
                }
                other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        }
        if numbers.len() == 20 {
            break;
        }
    }
    assert_eq!(
        numbers,
        (0..20).collect::<Vec<i64>>(),
        "all, in order, once"
    );
    // Both ended and were read to their end.
    match conn.next_handle_event(handle, BOUND) {
        Err(Error::Usage(UsageError::HandleEnded(h))) => assert_eq!(h, handle),
        other => panic!("expected HandleEnded, got {other:?}"),
    }
    match conn.next_session_event(session, BOUND) {
        Err(Error::Usage(UsageError::SessionEnded(s))) => assert_eq!(s, session),
        other => panic!("expected SessionEnded, got {other:?}"),
    }
    // Nothing went elsewhere.
    assert!(matches!(conn.next_event(Duration::ZERO), Ok(None)));
    conn.close();
    server.join().expect("server");
}
