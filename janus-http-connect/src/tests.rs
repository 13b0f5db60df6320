//! `Exchanges` against a scripted HTTP/1.1 server on loopback, on smol.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use janus_proto::http::{Exchange, ExchangeId, Method};
use janus_ws_connect::{CommonOptions, ConnectError, Error};

use super::{Done, Exchanges, Io};

/// An `Io` on smol: async-io's sockets and timer.
fn smol_io() -> Io {
    Io::new(
        |target| {
            let addr = (target.host.clone(), target.port);
            Box::pin(async move {
                let addr = std::net::ToSocketAddrs::to_socket_addrs(&addr)?
                    .next()
                    .ok_or_else(|| std::io::Error::other("no address"))?;
                let stream = smol::Async::<TcpStream>::connect(addr).await?;
                Ok(Box::new(stream) as Box<dyn super::ByteStream>)
            })
        },
        |at| {
            Box::pin(async move {
                smol::Timer::at(at).await;
            })
        },
    )
}

/// One request as the server read it: the request line and the body.
#[derive(Debug)]
struct Seen {
    line: String,
    body: String,
}

/// Reads one request (head and a `Content-Length` body) off `reader`; `None` at end of file.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        line: line.trim_end().to_owned(),
        body: String::from_utf8(body).ok()?,
    })
}

fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn post(id: u64, path: &str, body: &str) -> Exchange {
    Exchange {
        id: ExchangeId(id),
        method: Method::Post,
        path: path.into(),
        body: Some(body.into()),
        long_poll: false,
    }
}

fn url(listener: &TcpListener) -> String {
    format!("http://{}/janus", listener.local_addr().unwrap())
}

/// Every `Done` until `n` exchanges have ended.
fn run_until(exchanges: &mut Exchanges, n: usize) -> Vec<Done> {
    smol::block_on(async {
        let mut done = Vec::new();
        while done.len() < n {
            done.push(exchanges.next_done().await.expect("something running"));
        }
        done
    })
}

#[test]
fn exchanges_reuse_one_kept_connection_and_post_to_the_base_path() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = url(&listener);
    let (seen_tx, seen_rx) = mpsc::channel();
    let accepts = Arc::new(AtomicUsize::new(0));
    let counted = accepts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            while let Some(seen) = read_request(&mut reader) {
                respond(&mut stream, 200, r#"{"janus":"ack"}"#);
                seen_tx.send(seen).unwrap();
            }
        }
    });
    let mut exchanges = Exchanges::new(&url, &CommonOptions::default(), smol_io()).unwrap();
    for i in 1..=3 {
        exchanges.start(post(i, "/7", r#"{"janus":"keepalive"}"#));
        match run_until(&mut exchanges, 1).pop() {
            Some(Done::Response { id, status, body }) => {
                assert_eq!((id, status), (ExchangeId(i), 200));
                assert_eq!(&body[..], br#"{"janus":"ack"}"#);
            }
            other => panic!("{other:?}"),
        }
        let seen = seen_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(seen.line, "POST /janus/7 HTTP/1.1");
        assert_eq!(seen.body, r#"{"janus":"keepalive"}"#);
    }
    assert_eq!(
        accepts.load(Ordering::SeqCst),
        1,
        "one connection, kept alive"
    );
    assert!(exchanges.is_idle());
}

#[test]
fn a_kept_connection_the_server_closed_is_replaced_without_a_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = url(&listener);
    let accepts = Arc::new(AtomicUsize::new(0));
    let counted = accepts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if read_request(&mut reader).is_some() {
                // Answered as kept alive, then closed: what an idle timeout does.
                respond(&mut stream, 200, "{}");
            }
        }
    });
    let mut exchanges = Exchanges::new(&url, &CommonOptions::default(), smol_io()).unwrap();
    exchanges.start(post(1, "", "{}"));
    assert!(matches!(
        run_until(&mut exchanges, 1).pop(),
        Some(Done::Response { status: 200, .. })
    ));
    std::thread::sleep(Duration::from_millis(100));
    exchanges.start(post(2, "", "{}"));
    match run_until(&mut exchanges, 1).pop() {
        Some(Done::Response {
            id, status: 200, ..
        }) => assert_eq!(id, ExchangeId(2)),
        other => panic!("the closed connection should have been replaced: {other:?}"),
    }
    assert_eq!(accepts.load(Ordering::SeqCst), 2);
}

#[test]
fn a_body_over_the_limit_and_a_refused_connection_fail_typed() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = url(&listener);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            while read_request(&mut reader).is_some() {
                respond(&mut stream, 200, &"x".repeat(2000));
            }
        }
    });
    let options = CommonOptions {
        config: janus_proto::Config::new().max_incoming_frame(1000),
        ..CommonOptions::default()
    };
    let mut exchanges = Exchanges::new(&url, &options, smol_io()).unwrap();
    exchanges.start(post(1, "", "{}"));
    match run_until(&mut exchanges, 1).pop() {
        Some(Done::Failed {
            id,
            error: Error::MessageTooLarge { size, limit },
        }) => assert_eq!((id, size, limit), (ExchangeId(1), 2000, 1000)),
        other => panic!("{other:?}"),
    }

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/janus", closed.local_addr().unwrap());
    drop(closed);
    let mut exchanges = Exchanges::new(&url, &CommonOptions::default(), smol_io()).unwrap();
    exchanges.open(&url).unwrap();
    assert!(matches!(
        run_until(&mut exchanges, 1).pop(),
        Some(Done::Opened(Err(ConnectError::Socket(_))))
    ));
    exchanges.start(post(1, "", "{}"));
    assert!(matches!(
        run_until(&mut exchanges, 1).pop(),
        Some(Done::Failed {
            error: Error::Connect(ConnectError::Socket(_)),
            ..
        })
    ));
    assert!(matches!(
        exchanges.open("ws://127.0.0.1:1"),
        Err(ConnectError::InvalidUrl { .. })
    ));
}

#[test]
fn at_most_sixteen_requests_run_at_once_and_long_polls_never_wait() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = url(&listener);
    let (held_tx, held_rx) = mpsc::channel::<(TcpStream, Seen)>();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.unwrap();
            let held = held_tx.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                while let Some(seen) = read_request(&mut reader) {
                    let _ = held.send((stream.try_clone().unwrap(), seen));
                }
            });
        }
    });
    let mut exchanges = Exchanges::new(&url, &CommonOptions::default(), smol_io()).unwrap();
    for i in 1..=20 {
        exchanges.start(post(i, "", &format!("{{\"n\":{i}}}")));
    }
    exchanges.start(Exchange {
        id: ExchangeId(21),
        method: Method::Get,
        path: "/7?maxev=1&rid=21".into(),
        body: None,
        long_poll: true,
    });
    // Drive the exchanges while the server holds every request it gets.
    let mut held = Vec::new();
    smol::block_on(async {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while held.len() < 17 && std::time::Instant::now() < deadline {
            let wait = smol::Timer::after(Duration::from_millis(20));
            futures_util::future::select(Box::pin(exchanges.next_done()), Box::pin(wait)).await;
            while let Ok(one) = held_rx.try_recv() {
                held.push(one);
            }
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    while let Ok(one) = held_rx.try_recv() {
        held.push(one);
    }
    assert_eq!(held.len(), 17, "16 requests and the long-poll");
    assert!(held
        .iter()
        .any(|(_, seen)| seen.line == "GET /janus/7?maxev=1&rid=21 HTTP/1.1"));
    // Answering the requests lets the waiting ones through.
    let mut answered = 0;
    let mut ended = Vec::new();
    let mut kept = Vec::new();
    smol::block_on(async {
        while ended.len() < 20 {
            for (mut stream, seen) in held.drain(..) {
                if seen.line.starts_with("POST") {
                    respond(&mut stream, 200, &seen.body);
                    answered += 1;
                }
                // Kept open, as a server keeping connections alive does.
                kept.push(stream);
            }
            let wait = smol::Timer::after(Duration::from_millis(20));
            if let futures_util::future::Either::Left((Some(done), _)) =
                futures_util::future::select(Box::pin(exchanges.next_done()), Box::pin(wait)).await
            {
                ended.push(done);
            }
            while let Ok(one) = held_rx.try_recv() {
                held.push(one);
            }
        }
    });
    assert_eq!(answered, 20);
    let failed: Vec<_> = ended
        .iter()
        .filter(|d| !matches!(d, Done::Response { status: 200, .. }))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(!exchanges.is_idle(), "the long-poll is still held");
    exchanges.reset();
    assert!(exchanges.is_idle());
}
