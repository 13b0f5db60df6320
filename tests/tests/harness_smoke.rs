//! Proves the harness: a default instance serves the Janus API and the Admin API with the
//! configured plugins and transports only; every version (Debian's 1.1.2, 1.4.1 built from
//! source) starts, reports its version, loads every stock plugin it has and answers on its
//! Unix sockets (Janus API and Admin API, `SOCK_SEQPACKET`); a TLS instance
//! serves wss with a certificate that verifies against the generated CA and enforces its API
//! secret; kill/restart/stop work.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use janus_tests::{JanusOptions, JanusServer, JanusVersion};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

fn start(options: JanusOptions) -> JanusServer {
    JanusServer::start(options).unwrap_or_else(|e| panic!("Janus did not start: {e}"))
}

/// A handshake request for `url` asking for websocket subprotocol `protocol`.
fn handshake_request(url: &str, protocol: &'static str) -> tungstenite::handshake::client::Request {
    let mut request = url.into_client_request().expect("valid URL");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
    request
}

/// Connects over plain ws and checks that Janus agreed to the subprotocol.
fn connect(url: &str, protocol: &'static str) -> WebSocket<impl Read + Write> {
    let (ws, response) = tungstenite::connect(handshake_request(url, protocol))
        .unwrap_or_else(|e| panic!("handshake with {url}: {e}"));
    let agreed = response.headers().get("Sec-WebSocket-Protocol");
    assert_eq!(agreed.and_then(|v| v.to_str().ok()), Some(protocol));
    ws
}

/// Sends one request and returns the next JSON message.
fn request(ws: &mut WebSocket<impl Read + Write>, body: Value) -> Value {
    ws.send(Message::text(body.to_string())).expect("send");
    loop {
        match ws.read().expect("read") {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON"),
            Message::Close(frame) => panic!("server closed the socket: {frame:?}"),
            _ => {}
        }
    }
}

/// Sends `body` as one packet on the `SOCK_SEQPACKET` socket at `path` and returns the one
/// packet that answers it.
fn unix_request(path: &Path, body: Value) -> Value {
    use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketType};
    let fd = rustix::net::socket(AddressFamily::UNIX, SocketType::SEQPACKET, None).expect("socket");
    let bound = Some(Duration::from_secs(5));
    for which in [
        rustix::net::sockopt::Timeout::Send,
        rustix::net::sockopt::Timeout::Recv,
    ] {
        rustix::net::sockopt::set_socket_timeout(&fd, which, bound).expect("socket timeout");
    }
    let address = SocketAddrUnix::new(path).expect("socket path");
    rustix::net::connect(&fd, &address).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = body.to_string();
    rustix::net::send(&fd, text.as_bytes(), SendFlags::NOSIGNAL).expect("send");
    let mut reply = vec![0; 256 * 1024];
    let (n, _) = rustix::net::recv(&fd, &mut reply[..], RecvFlags::empty()).expect("reply");
    serde_json::from_slice(&reply[..n]).expect("a JSON reply")
}

#[test]
fn default_instance_serves_janus_and_admin_api() {
    let janus = start(JanusOptions::new());
    assert!(
        janus.ws_url().starts_with("ws://127.0.0.1:"),
        "{}",
        janus.ws_url()
    );
    assert_ne!(janus.ws_url(), janus.admin_url());
    assert_eq!(janus.wss_url(), None);
    assert_eq!(janus.api_secret(), None);

    let mut ws = connect(janus.ws_url(), "janus-protocol");
    let info = request(&mut ws, json!({"janus": "info", "transaction": "i"}));
    assert_eq!(info["janus"], "server_info");
    assert_eq!(info["version_string"], "1.1.2");
    assert_eq!(info["session-timeout"], 60);
    assert_eq!(info["api_secret"], false);
    let plugins = info["plugins"].as_object().expect("plugins object");
    for plugin in [
        "echotest",
        "videoroom",
        "audiobridge",
        "textroom",
        "streaming",
    ] {
        let key = format!("janus.plugin.{plugin}");
        assert!(plugins.contains_key(&key), "{key} missing: {plugins:?}");
    }
    assert!(
        !plugins.contains_key("janus.plugin.lua"),
        "the Lua plugin should be disabled"
    );
    let transports: Vec<&String> = info["transports"]
        .as_object()
        .expect("transports")
        .keys()
        .collect();
    assert_eq!(
        transports,
        [
            "janus.transport.http",
            "janus.transport.pfunix",
            "janus.transport.websockets"
        ]
    );

    let created = request(&mut ws, json!({"janus": "create", "transaction": "c"}));
    assert_eq!(created["janus"], "success", "{created}");
    let session = created["data"]["id"].as_u64().expect("session id");

    let mut admin = connect(janus.admin_url(), "janus-admin-protocol");
    let denied = request(
        &mut admin,
        json!({"janus": "list_sessions", "transaction": "a"}),
    );
    assert_eq!(denied["error"]["code"], 403, "{denied}");
    let listed = request(
        &mut admin,
        json!({"janus": "list_sessions", "transaction": "b", "admin_secret": janus.admin_secret()}),
    );
    assert_eq!(listed["janus"], "success", "{listed}");
    assert_eq!(listed["sessions"], json!([session]));

    // The same over the Unix sockets: the Janus API (this session is not claimed, so only
    // the Admin API socket sees it) and the Admin API, each on its own path in the temp
    // folder.
    let (path, admin_path) = (janus.unix_path(), janus.admin_unix_path());
    let (path, admin_path) = (
        path.expect("Unix path"),
        admin_path.expect("Admin Unix path"),
    );
    assert_ne!(path, admin_path);
    for path in [path, admin_path] {
        let kind = std::fs::metadata(path).expect("socket file").file_type();
        assert!(kind.is_socket(), "{}", path.display());
        assert!(path.starts_with(
            janus
                .log_path()
                .and_then(Path::parent)
                .expect("temp folder")
        ));
    }
    let pong = unix_request(path, json!({"janus": "ping", "transaction": "p"}));
    assert_eq!(pong["janus"], "pong", "{pong}");
    let listed = unix_request(
        admin_path,
        json!({"janus": "list_sessions", "transaction": "u", "admin_secret": janus.admin_secret()}),
    );
    assert_eq!(listed["sessions"], json!([session]), "{listed}");

    // And over HTTP: the Janus API at `/janus` (GET of `/info`), the Admin API at `/admin`.
    let http = janus.http_url().expect("HTTP URL");
    assert!(
        http.starts_with("http://127.0.0.1:") && http.ends_with("/janus"),
        "{http}"
    );
    let admin_http = janus.admin_http_url().expect("Admin HTTP URL");
    assert!(
        admin_http.ends_with("/admin") && admin_http != http,
        "{admin_http}"
    );
    assert_eq!(janus.https_url(), None);
    let info = http_request(&format!("{http}/info"), None);
    assert_eq!(info["janus"], "server_info", "{info}");
    let listed = http_request(
        admin_http,
        Some(
            json!({"janus": "list_sessions", "transaction": "h", "admin_secret": janus.admin_secret()}),
        ),
    );
    assert_eq!(listed["sessions"], json!([session]), "{listed}");

    let log = std::fs::read_to_string(janus.log_path().expect("own log")).expect("log readable");
    assert!(log.contains("Admin Websockets server started"), "{log}");
    assert!(log.contains("HTTP webserver started"), "{log}");
}

/// One plain HTTP/1.1 exchange (`GET`, or `POST` of `body`) with `Connection: close`; the
/// JSON of a 200 response.
fn http_request(url: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let (method, body) = match body {
        Some(b) => ("POST", b.to_string()),
        None => ("GET", String::new()),
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a whole response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return serde_json::from_str(body).expect("a JSON body");
    }
    let (mut rest, mut whole) = (body, String::new());
    loop {
        let (size, after) = rest.split_once("\r\n").expect("a chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("a hex chunk size");
        if size == 0 {
            break serde_json::from_str(&whole).expect("a JSON body");
        }
        whole.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

/// Every version starts, says which it is (`version`, `version_string`), loads exactly the
/// stock plugins it has (VoiceMail only in 1.1.2; never the script engines) and the
/// WebSockets and Unix sockets transports, answers on both Unix sockets, and each plugin
/// accepts a handle.
#[test]
fn every_version_starts_with_every_stock_plugin() {
    for version in JanusVersion::ALL {
        let janus = start(
            JanusOptions::new()
                .version(version)
                .name(&format!("every-version-{version}")),
        );
        assert_eq!(janus.version(), Some(version));
        let mut ws = connect(janus.ws_url(), "janus-protocol");
        let info = request(&mut ws, json!({"janus": "info", "transaction": "i"}));
        assert_eq!(info["janus"], "server_info", "{info}");
        assert_eq!(info["version"], version.number(), "{version}: {info}");
        assert_eq!(info["version_string"], version.to_string(), "{info}");

        let expected: &[&str] = match version {
            JanusVersion::V1_1_2 => &[
                "janus.plugin.audiobridge",
                "janus.plugin.echotest",
                "janus.plugin.nosip",
                "janus.plugin.recordplay",
                "janus.plugin.sip",
                "janus.plugin.streaming",
                "janus.plugin.textroom",
                "janus.plugin.videocall",
                "janus.plugin.videoroom",
                "janus.plugin.voicemail",
            ],
            JanusVersion::V1_4_1 => &[
                "janus.plugin.audiobridge",
                "janus.plugin.echotest",
                "janus.plugin.nosip",
                "janus.plugin.recordplay",
                "janus.plugin.sip",
                "janus.plugin.streaming",
                "janus.plugin.textroom",
                "janus.plugin.videocall",
                "janus.plugin.videoroom",
            ],
        };
        let mut plugins: Vec<&str> = info["plugins"]
            .as_object()
            .expect("plugins object")
            .keys()
            .map(String::as_str)
            .collect();
        plugins.sort_unstable();
        assert_eq!(plugins, expected, "plugins loaded by Janus {version}");
        assert_eq!(
            version.plugins(),
            expected,
            "JanusVersion::plugins({version})"
        );
        let transports: Vec<&String> = info["transports"]
            .as_object()
            .expect("transports")
            .keys()
            .collect();
        assert_eq!(
            transports,
            [
                "janus.transport.http",
                "janus.transport.pfunix",
                "janus.transport.websockets"
            ],
            "{version}"
        );
        let unix = janus.unix_path().expect("Unix path");
        let info = unix_request(unix, json!({"janus": "info", "transaction": "u"}));
        assert_eq!(info["version_string"], version.to_string(), "{info}");
        let admin = janus.admin_unix_path().expect("Admin Unix path");
        let info = unix_request(admin, json!({"janus": "info", "transaction": "a"}));
        assert_eq!(info["version_string"], version.to_string(), "{info}");

        let created = request(&mut ws, json!({"janus": "create", "transaction": "c"}));
        let session = created["data"]["id"].as_u64().expect("session id");
        for plugin in expected {
            let attached = request(
                &mut ws,
                json!({"janus": "attach", "transaction": "a", "session_id": session, "plugin": plugin}),
            );
            assert_eq!(
                attached["janus"], "success",
                "{version} {plugin}: {attached}"
            );
        }
    }
}

/// `shared_version` hands out one instance per version: the same one to every caller while
/// it is held, a different one for another version.
#[test]
fn shared_instances_are_per_version() {
    let old = JanusServer::shared("smoke-shared");
    let new = JanusServer::shared_version("smoke-shared", JanusVersion::V1_4_1);
    let again = JanusServer::shared_version("smoke-shared", JanusVersion::V1_4_1);
    assert!(Arc::ptr_eq(&new, &again));
    assert!(!Arc::ptr_eq(&old, &new));
    assert_eq!(old.version(), Some(JanusVersion::V1_1_2));
    assert_eq!(new.version(), Some(JanusVersion::V1_4_1));
    let mut ws = connect(new.ws_url(), "janus-protocol");
    let info = request(&mut ws, json!({"janus": "info", "transaction": "i"}));
    assert_eq!(info["version_string"], "1.4.1", "{info}");
}

/// Opens a TLS connection to `url` trusting only `roots`, then the websocket handshake.
fn connect_wss(
    url: &str,
    roots: rustls::RootCertStore,
) -> Result<WebSocket<impl Read + Write>, String> {
    let host_port = url.strip_prefix("wss://").expect("wss URL");
    let (host, _) = host_port.rsplit_once(':').expect("host:port");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).expect("server name");
    let tls = rustls::ClientConnection::new(Arc::new(config), name).expect("TLS client");
    let addr = host_port
        .to_socket_addrs()
        .expect("address")
        .next()
        .expect("one address");
    let tcp = TcpStream::connect(addr).expect("TCP connect");
    let stream = rustls::StreamOwned::new(tls, tcp);
    tungstenite::client(handshake_request(url, "janus-protocol"), stream)
        .map(|(ws, _)| ws)
        .map_err(|e| e.to_string())
}

#[test]
fn tls_instance_enforces_api_secret_over_wss() {
    let janus = start(JanusOptions::new().tls(true).api_secret(Some("s3cret")));
    let url = janus.wss_url().expect("wss listener").to_owned();
    assert!(url.starts_with("wss://127.0.0.1:"), "{url}");
    assert_eq!(janus.api_secret(), Some("s3cret"));

    let untrusted = connect_wss(&url, rustls::RootCertStore::empty());
    let error = untrusted
        .err()
        .expect("a server certificate from an unknown CA is refused");
    assert!(error.contains("UnknownIssuer"), "{error}");

    let ca_path = janus.ca_cert_path().expect("CA certificate");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca_path).expect("CA PEM"))
        .expect("CA accepted as a root");
    let mut ws = connect_wss(&url, roots).unwrap_or_else(|e| panic!("wss handshake: {e}"));

    let info = request(&mut ws, json!({"janus": "info", "transaction": "i"}));
    assert_eq!(info["api_secret"], true, "{info}");
    let denied = request(&mut ws, json!({"janus": "create", "transaction": "c1"}));
    assert_eq!(denied["janus"], "error", "{denied}");
    assert_eq!(denied["error"]["code"], 403, "{denied}");
    let created = request(
        &mut ws,
        json!({"janus": "create", "transaction": "c2", "apisecret": "s3cret"}),
    );
    assert_eq!(created["janus"], "success", "{created}");
    assert!(
        created["data"]["id"].as_u64().is_some_and(|id| id > 0),
        "{created}"
    );
}

#[test]
fn kill_restart_and_stop() {
    let mut janus = start(JanusOptions::new().session_timeout(10).name("kill-restart"));
    let first_pid = janus.pid().expect("own process");
    assert!(janus.cpu_time().is_ok_and(|t| t.as_secs() < 60));

    janus.kill().expect("kill");
    assert!(tungstenite::connect(handshake_request(janus.ws_url(), "janus-protocol")).is_err());

    janus.restart().expect("restart");
    assert_ne!(janus.pid(), Some(first_pid));
    let mut ws = connect(janus.ws_url(), "janus-protocol");
    let info = request(&mut ws, json!({"janus": "info", "transaction": "i"}));
    assert_eq!(info["session-timeout"], 10);

    let status = janus.stop().expect("stop");
    // Janus 1.1.2 sometimes aborts in GLib's thread-local destructors after its last log
    // line ("Bye!"), i.e. once its shutdown is complete: that is Janus's, not a failed stop.
    let log = janus
        .log_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let aborted_after_bye = {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(6) && log.contains("Bye!")
    };
    assert!(
        status.success() || aborted_after_bye,
        "Janus ended with {status} after SIGTERM"
    );
    assert_eq!(
        janus.stop().expect("second stop"),
        status,
        "stop is idempotent"
    );
}
