//! Events over HTTP, against a real Janus through both drivers: every event reaches its own
//! session and handle (this one over every transport), a long-poll bringing several events
//! at once gives them in order, a connection reset during a poll is a connection loss (and,
//! with a reconnect policy, the sessions are claimed again), and a server answering the poll
//! with a 5xx is a typed loss, not a silent retry loop (a scripted server: Janus never does).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use janus_blocking::request::{Attach, Create, Destroy, Detach, Hangup, Message, Request};
use janus_blocking::{
    Config, ConnectionEvent, Disconnect, Error, Event, HandleEventKind, HandleId, Reconnect,
    RequestError, SessionId,
};
use janus_tests::drivers::{JanusDriver, Options, Transport, WebSocket};
use janus_tests::faults::FaultProxy;
use serde_json::{json, Value};

use super::{attach, connect, connect_with, message, plugin_event, room_id, shared, BOUND};
use super::{ECHOTEST, VIDEOROOM};

/// Three sessions of three EchoTest handles each on one connection: each handle's own
/// subscriber gets its own `hangup` answer (EchoTest's `"result":"done"`) and its own
/// `detached`, and nothing of any other handle.
pub(super) fn events_reach_their_own_session_and_handle<D: JanusDriver, T: Transport>() {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let mut handles: Vec<(SessionId, HandleId)> = Vec::new();
    for _ in 0..3 {
        let session = conn.call(Create::new()).expect("create");
        for _ in 0..3 {
            let handle = attach(&mut conn, session, ECHOTEST);
            // Its own subscriber, open from now on.
            let none = conn.next_handle_event(handle, Duration::ZERO);
            assert!(matches!(none, Ok(None)), "{none:?}");
            handles.push((session, handle));
        }
    }
    for &(_, handle) in &handles {
        conn.call(Hangup(handle)).expect("hangup");
    }
    for &(_, handle) in &handles {
        conn.call(Detach(handle)).expect("detach");
    }
    for &(session, handle) in &handles {
        let (mut done, mut detached) = (false, false);
        while !(done && detached) {
            let event = match conn.next_handle_event(handle, BOUND) {
                Ok(Some(event)) => event,
                other => panic!("{} over {}: {handle}: {other:?}", D::NAME, T::NAME),
            };
            match &event {
                Event::Handle {
                    session: s,
                    handle: h,
                    event: e,
                } => {
                    assert_eq!((*s, *h), (session, handle), "{event:#?}");
                    done |= plugin_event(&event, handle).is_some_and(|v| v["result"] == "done");
                    detached |= e.kind == HandleEventKind::Detached;
                }
                other => panic!("{handle}'s subscriber got {other:#?}"),
            }
        }
    }
    let sessions: Vec<SessionId> = handles.iter().map(|(s, _)| *s).step_by(3).collect();
    for session in sessions {
        conn.call(Destroy(session)).expect("destroy");
    }
    conn.close();
}

/// A VideoRoom publisher over HTTP is told of four others joining, one after the other,
/// through a WebSocket connection of their own: the `joining` events come in that order.
/// Through the blocking driver, idle while the others join, Janus answers the poll it
/// holds with the first event and keeps the other three for the next poll, which brings
/// them in one response (`maxev` 10).
pub(super) fn a_poll_brings_several_events_in_order<D: JanusDriver>() {
    let janus = shared();
    let url = janus.http_url().expect("HTTP URL");
    let mut conn: D = connect_with(url, &Options::new().config(Config::new().http(10)));
    let session = conn.call(Create::new()).expect("create");
    let watcher = attach(&mut conn, session, VIDEOROOM);
    let room = room_id();
    let create = json!({"request": "create", "room": room, "notify_joining": true});
    message(&mut conn, watcher, create).expect("create room");
    let join = json!({"request": "join", "ptype": "publisher", "room": room, "display": "w"});
    message(&mut conn, watcher, join).expect("join");

    let mut others: D = connect(&WebSocket::url(&janus));
    let other_session = others.call(Create::new()).expect("create");
    let mut joined = Vec::new();
    for n in 1..=4 {
        let handle = attach(&mut others, other_session, VIDEOROOM);
        let display = format!("p{n}");
        let join =
            json!({"request": "join", "ptype": "publisher", "room": room, "display": display});
        let reply = message(&mut others, handle, join).expect("join");
        let data: Value = serde_json::from_str(reply.data.data.get()).expect("JSON");
        joined.push(data["id"].clone());
    }

    let mut told = Vec::new();
    while told.len() < joined.len() {
        match conn.next_handle_event(watcher, BOUND) {
            Ok(Some(event)) => {
                if let Some(joining) = plugin_event(&event, watcher)
                    .map(|v| v["joining"].clone())
                    .filter(|j| !j.is_null())
                {
                    told.push(joining["id"].clone());
                }
            }
            other => panic!("{}: the watcher's events: {other:?}", D::NAME),
        }
    }
    assert_eq!(told, joined, "in the order they joined");
    others.call(Destroy(other_session)).expect("destroy");
    others.close();
    let destroy = json!({"request": "destroy", "room": room});
    message(&mut conn, watcher, destroy).expect("destroy room");
    conn.call(Destroy(session)).expect("destroy");
    conn.close();
}

/// Through a TCP proxy in front of Janus's HTTP port: a cut while the session's poll is held
/// loses the connection (pending requests fail, the connection closes); with a reconnect
/// policy the session is confirmed on new connections (a keepalive: Janus's HTTP transport
/// ties no session to a connection) and its handle works again.
pub(super) fn a_reset_during_a_poll_is_a_connection_loss<D: JanusDriver>() {
    let janus = shared();
    let proxy = FaultProxy::start(janus.http_url().expect("HTTP URL")).expect("proxy");
    let mut conn: D = connect(&proxy.url());
    let session = conn.call(Create::new()).expect("create");
    // The poll is held by Janus for up to 30 s: cut while it is.
    conn.idle(Duration::from_millis(300));
    proxy.cut();
    let (why, _) = conn.wait_for(BOUND, |e| match e {
        Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why.clone()),
        _ => None,
    });
    assert!(matches!(why, Disconnect::Closed { .. }), "{why:?}");
    conn.wait_for(BOUND, |e| {
        matches!(e, Event::Connection(ConnectionEvent::Closed)).then_some(())
    });
    assert!(conn.is_closed());
    match conn.call(Attach::new(session, ECHOTEST)) {
        Err(Error::Request(RequestError::ConnectionLost)) => {}
        other => panic!("{}: expected ConnectionLost, got {other:?}", D::NAME),
    }
    drop(conn);

    let policy = Reconnect::new()
        .first_delay(Duration::from_millis(100))
        .max_delay(Duration::from_secs(1))
        .give_up_after(Duration::from_secs(30));
    let mut conn: D = connect_with(&proxy.url(), &Options::new().reconnect(policy));
    let session = conn.call(Create::new()).expect("create");
    let handle = attach(&mut conn, session, ECHOTEST);
    conn.idle(Duration::from_millis(300));
    proxy.cut();
    let (claimed, skipped) = conn.wait_for(BOUND, |e| match e {
        Event::Connection(ConnectionEvent::Reconnected { claimed, .. }) => Some(claimed.clone()),
        _ => None,
    });
    assert_eq!(claimed, [session], "{skipped:#?}");
    // Janus cannot see a connection close while it holds a poll on it (libmicrohttpd
    // suspends it), so the session's next events may still go to the lost connection's
    // poll, and be lost with it: the first echo's event may not come.
    let first = Message::new(handle, json!({"audio": true})).within(Duration::from_secs(2));
    match conn.call(first) {
        Ok(_) | Err(Error::Request(RequestError::TimedOut { acked: true })) => {}
        Err(e) => panic!("{}: the first echo after the cut: {e}", D::NAME),
    }
    let reply = message(&mut conn, handle, json!({"audio": true})).expect("echo after the cut");
    assert_eq!(reply.data.plugin, ECHOTEST);
    conn.call(Destroy(session)).expect("destroy");
    conn.close();
}

/// A server that answers the session's poll with `503`: the connection is lost with
/// [`Disconnect::Http`] saying the status, the caller is told, and no second poll goes out.
pub(super) fn a_5xx_to_a_poll_is_a_typed_loss_not_a_retry_loop<D: JanusDriver>() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/janus", listener.local_addr().expect("address"));
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = polls.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let counted = counted.clone();
            std::thread::spawn(move || serve_503_to_polls(stream, &counted));
        }
    });
    let mut conn: D = connect(&url);
    let session = conn.call(Create::new()).expect("create");
    assert_eq!(session, SessionId(4321));
    let (why, _) = conn.wait_for(BOUND, |e| match e {
        Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why.clone()),
        _ => None,
    });
    assert_eq!(why, Disconnect::Http { status: 503 });
    conn.wait_for(BOUND, |e| {
        matches!(e, Event::Connection(ConnectionEvent::Closed)).then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(polls.load(Ordering::SeqCst), 1, "no second poll");
    drop(conn);
}

/// The scripted server's side of one connection: `create` succeeds with session 4321, a
/// `GET` (the poll) is answered `503`.
fn serve_503_to_polls(stream: TcpStream, polls: &AtomicUsize) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, answer) = if line.starts_with("GET") {
            polls.fetch_add(1, Ordering::SeqCst);
            (503, json!({"error": "overloaded"}))
        } else {
            let request: Value = serde_json::from_slice(&body).unwrap_or_default();
            let transaction = request["transaction"].clone();
            let answer =
                json!({"janus": "success", "transaction": transaction, "data": {"id": 4321}});
            (200, answer)
        };
        let answer = answer.to_string();
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
