//! Driver and event-routing tests against a scripted WebSocket server on loopback (no
//! Janus needed; the integration tests against a real Janus live in the `janus-tests`
//! crate).

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use async_io::Async;
use async_tungstenite::tungstenite::handshake::server::{Request, Response};
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::Message;
use async_tungstenite::WebSocketStream;
use futures_util::StreamExt;
use janus_proto::{ConnectionEvent, Event, HandleEventKind, SessionEvent};
use serde_json::{json, Value};

use crate::*;

type ServerWs = WebSocketStream<Async<TcpStream>>;

/// A loopback listener and its `ws://` URL.
fn listen() -> (Async<TcpListener>, String) {
    let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind");
    let addr = listener.get_ref().local_addr().expect("local address");
    (listener, format!("ws://{addr}"))
}

/// Accepts one WebSocket client, agreeing to the Janus subprotocol.
#[allow(clippy::result_large_err)] // the callback's error type is tungstenite's
async fn accept(listener: &Async<TcpListener>) -> ServerWs {
    let (tcp, _) = listener.accept().await.expect("accept");
    async_tungstenite::accept_hdr_async(tcp, |_: &Request, mut response: Response| {
        response.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(JANUS_PROTOCOL),
        );
        Ok(response)
    })
    .await
    .expect("server handshake")
}

/// The next request the client sent: checked to be exactly one JSON object.
async fn request(ws: &mut ServerWs) -> Value {
    loop {
        match ws.next().await.expect("a message").expect("readable") {
            Message::Text(text) => {
                let text = text.as_str();
                assert!(
                    text.starts_with('{') && text.ends_with('}'),
                    "one JSON object, no trailing bytes: {text:?}"
                );
                return serde_json::from_str(text).expect("JSON");
            }
            Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn send(ws: &mut ServerWs, value: Value) {
    ws.send(Message::text(value.to_string()))
        .await
        .expect("send");
}

async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    smol::future::or(async { Some(fut.await) }, async {
        smol::Timer::after(Duration::from_secs(5)).await;
        None
    })
    .await
    .unwrap_or_else(|| panic!("{what}: nothing within 5 s"))
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Client>();
    send_sync::<Session>();
    send_sync::<Handle>();
    send_sync::<AdminClient>();
    send_sync::<HandleEvents>();
    send_sync::<SessionEvents>();
    send_sync::<ConnectionEvents>();
    send::<Driver>();
    send::<AdminDriver>();
}

#[test]
fn exact_frames_pings_bad_frames_and_a_server_close() {
    smol::block_on(async {
        let (listener, url) = listen();
        let server = smol::spawn(async move {
            let mut ws = accept(&listener).await;
            let ping = request(&mut ws).await;
            assert_eq!(ping["janus"], "ping");
            // A WebSocket ping (tungstenite answers it), a reply in a binary message, and a
            // frame that is not JSON.
            ws.send(Message::Ping(b"hi".to_vec().into()))
                .await
                .expect("ping");
            let reply = json!({"janus": "pong", "transaction": ping["transaction"]});
            ws.send(Message::binary(reply.to_string().into_bytes()))
                .await
                .expect("send");
            ws.send(Message::text("not json")).await.expect("send");
            match ws.next().await.expect("a message").expect("readable") {
                Message::Pong(payload) => assert_eq!(&payload[..], b"hi"),
                other => panic!("expected the client's pong, got {other:?}"),
            }
            ws.send(Message::Close(Some(CloseFrame {
                code: CloseCode::Away,
                reason: "bye".into(),
            })))
            .await
            .expect("close");
            while let Some(Ok(_)) = ws.next().await {}
        });

        let (client, driver) = connect(&url, ConnectOptions::new()).await.expect("connect");
        let driver = smol::spawn(driver);
        let mut events = client.connection_events();
        within("ping", client.ping()).await.expect("pong");
        let bad = within("bad frame", events.next()).await;
        assert!(matches!(bad, Some(StreamItem::BadFrame(_))), "{bad:?}");
        match within("driver", driver).await {
            DriverEnd::ServerClosed { code, reason } => {
                assert_eq!(code, Some(1001));
                assert_eq!(reason, "bye");
            }
            other => panic!("expected a server close, got {other:?}"),
        }
        within("server", server).await;
        assert!(client.is_closed());
        let rest: Vec<StreamItem> = within("stream end", events.collect()).await;
        assert!(
            rest.iter()
                .any(|i| matches!(i.event(), Some(Event::Connection(ConnectionEvent::Closed)))),
            "{rest:?}"
        );
    });
}

#[test]
fn connect_timeout_and_request_deadline() {
    smol::block_on(async {
        // A server that accepts TCP but never answers the handshake.
        let (listener, url) = listen();
        let options = ConnectOptions::new().connect_timeout(Duration::from_millis(200));
        let connecting = connect(&url, options);
        let (result, _tcp) = smol::future::zip(connecting, listener.accept()).await;
        match result {
            Err(Error::Connect(ConnectError::TimedOut { timeout })) => {
                assert_eq!(timeout, Duration::from_millis(200))
            }
            other => panic!("expected a connect timeout, got {other:?}"),
        }

        // A server that never answers requests.
        let (listener, url) = listen();
        let server = smol::spawn(async move {
            let mut ws = accept(&listener).await;
            while let Some(Ok(_)) = ws.next().await {}
        });
        let options = ConnectOptions::new().request_timeout(Duration::from_millis(100));
        let (client, driver) = connect(&url, options).await.expect("connect");
        let driver = smol::spawn(driver);
        match within("ping", client.ping()).await {
            Err(Error::Request(RequestError::TimedOut { acked: false })) => {}
            other => panic!("expected the deadline, got {other:?}"),
        }
        assert_eq!(client.pending(), 0);
        drop(client);
        assert!(matches!(
            within("driver", driver).await,
            DriverEnd::ClientsDropped
        ));
        within("server", server).await;
    });
}

#[test]
fn dropping_the_driver_fails_requests_and_ends_streams() {
    smol::block_on(async {
        let (listener, url) = listen();
        let server = smol::spawn(async move {
            let mut ws = accept(&listener).await;
            let create = request(&mut ws).await;
            send(
                &mut ws,
                json!({"janus": "success", "transaction": create["transaction"], "data": {"id": 7}}),
            )
            .await;
            // Swallow everything else.
            while let Some(Ok(_)) = ws.next().await {}
        });
        let (client, driver) = connect(&url, ConnectOptions::new()).await.expect("connect");
        let driver = smol::spawn(driver);
        let session = within("create", client.create()).await.expect("create");
        let mut session_events = session.events();
        let attach = session.attach("janus.plugin.echotest");
        // Stop the driver (cancelling its task drops it).
        drop(driver);
        match within("attach", attach).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected a lost connection, got {other:?}"),
        }
        let items: Vec<StreamItem> =
            within("session stream", session_events.by_ref().collect()).await;
        assert!(
            items
                .iter()
                .any(|i| matches!(i.session_event(), Some(SessionEvent::Disconnected))),
            "{items:?}"
        );
        assert!(matches!(
            client.ping().await,
            Err(Error::Request(RequestError::ConnectionLost))
        ));
        drop(server);
    });
}

#[test]
fn every_event_waits_in_its_own_subscribers_queue_until_read() {
    smol::block_on(async {
        let (listener, url) = listen();
        let server = smol::spawn(async move {
            let mut ws = accept(&listener).await;
            let create = request(&mut ws).await;
            send(
                &mut ws,
                json!({"janus": "success", "transaction": create["transaction"], "data": {"id": 7}}),
            )
            .await;
            for handle in [70, 71] {
                let attach = request(&mut ws).await;
                send(
                    &mut ws,
                    json!({"janus": "success", "session_id": 7, "transaction": attach["transaction"], "data": {"id": handle}}),
                )
                .await;
            }
            // Wait for the client to say it subscribed (a ping), then the events.
            let ping = request(&mut ws).await;
            for (handle, n) in [(70, 1), (71, 2), (70, 3)] {
                send(
                    &mut ws,
                    json!({"janus": "event", "session_id": 7, "sender": handle,
                           "plugindata": {"plugin": "janus.plugin.echotest", "data": {"n": n}}}),
                )
                .await;
            }
            send(
                &mut ws,
                json!({"janus": "detached", "session_id": 7, "sender": 70}),
            )
            .await;
            send(
                &mut ws,
                json!({"janus": "event", "session_id": 99, "sender": 1,
                                 "plugindata": {"plugin": "x", "data": {}}}),
            )
            .await;
            send(
                &mut ws,
                json!({"janus": "pong", "transaction": ping["transaction"]}),
            )
            .await;
            send(&mut ws, json!({"janus": "timeout", "session_id": 7})).await;
            while let Some(Ok(_)) = ws.next().await {}
        });
        let (client, driver) = connect(&url, ConnectOptions::new()).await.expect("connect");
        let _driver = smol::spawn(driver);
        let mut connection = client.connection_events();
        let session = within("create", client.create()).await.expect("create");
        let h70 = within("attach", session.attach("p")).await.expect("attach");
        let h71 = within("attach", session.attach("p")).await.expect("attach");
        let mut handle_events = h70.events();
        let mut session_events = session.events();
        within("ping", client.ping()).await.expect("pong");

        let n = |item: &StreamItem| match item.handle_event().map(|e| &e.kind) {
            Some(HandleEventKind::Plugin { data, .. }) => {
                data.value().expect("JSON value")["n"].as_i64()
            }
            _ => None,
        };
        let on_handle: Vec<StreamItem> =
            within("handle stream", handle_events.by_ref().collect()).await;
        assert_eq!(on_handle.len(), 3, "{on_handle:?}");
        assert_eq!(n(&on_handle[0]), Some(1));
        assert_eq!(n(&on_handle[1]), Some(3));
        assert!(matches!(
            on_handle[2].handle_event().map(|e| &e.kind),
            Some(HandleEventKind::Detached)
        ));

        let on_session: Vec<StreamItem> =
            within("session stream", session_events.by_ref().collect()).await;
        assert_eq!(
            on_session.len(),
            1,
            "only the session's own: {on_session:?}"
        );
        assert!(matches!(
            on_session[0].session_event(),
            Some(SessionEvent::Ended(_))
        ));
        assert_eq!(h71.client().session_state(session.id()), None);

        // h71's event waited in its queue, though its stream was opened only now, after
        // its session ended; then the stream ends.
        let on_h71: Vec<StreamItem> = within("late handle stream", h71.events().collect()).await;
        assert_eq!(on_h71.len(), 1, "{on_h71:?}");
        assert_eq!(n(&on_h71[0]), Some(2));

        let unroutable = within("connection stream", connection.next()).await;
        assert!(
            matches!(
                unroutable.as_ref().and_then(|i| i.event()),
                Some(Event::Connection(ConnectionEvent::Unroutable { .. }))
            ),
            "{unroutable:?}"
        );
        drop(server);
    });
}

#[test]
fn the_stream_of_all_events_gives_every_subscribers_events_once_in_order() {
    smol::block_on(async {
        let (listener, url) = listen();
        let server = smol::spawn(async move {
            let mut ws = accept(&listener).await;
            let create = request(&mut ws).await;
            send(
                &mut ws,
                json!({"janus": "success", "transaction": create["transaction"], "data": {"id": 7}}),
            )
            .await;
            let attach = request(&mut ws).await;
            send(
                &mut ws,
                json!({"janus": "success", "session_id": 7, "transaction": attach["transaction"], "data": {"id": 70}}),
            )
            .await;
            for n in 0..3 {
                send(
                    &mut ws,
                    json!({"janus": "event", "session_id": 7, "sender": 70,
                           "plugindata": {"plugin": "janus.plugin.echotest", "data": {"n": n}}}),
                )
                .await;
            }
            send(&mut ws, json!({"janus": "timeout", "session_id": 7})).await;
            while let Some(Ok(_)) = ws.next().await {}
        });
        let (client, driver) = connect(&url, ConnectOptions::new()).await.expect("connect");
        let _driver = smol::spawn(driver);
        let session = within("create", client.create()).await.expect("create");
        let handle = within("attach", session.attach("p")).await.expect("attach");
        let mut all = client.events();
        let mut seen = Vec::new();
        while seen.len() < 4 {
            let item = within("event", all.next()).await.expect("an item");
            seen.push(item);
        }
        let n: Vec<Option<i64>> = seen[..3]
            .iter()
            .map(|item| match item.handle_event().map(|e| &e.kind) {
                Some(HandleEventKind::Plugin { data, .. }) => {
                    data.value().expect("JSON value")["n"].as_i64()
                }
                _ => None,
            })
            .collect();
        assert_eq!(n, [Some(0), Some(1), Some(2)], "{seen:?}");
        assert!(matches!(
            seen[3].session_event(),
            Some(SessionEvent::Ended(_))
        ));
        // Read once: the handle's own stream finds nothing left and ends (its session ended).
        let rest: Vec<StreamItem> = within("handle stream", handle.events().collect()).await;
        assert!(rest.is_empty(), "{rest:?}");
        drop(server);
    });
}
