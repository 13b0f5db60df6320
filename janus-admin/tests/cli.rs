//! `janus-admin` against a real Janus (1.1.2): every command, through its table and its
//! `--json` output; the Admin API over HTTP and a Unix socket; stored tokens on a server with `token_auth`; and the failures (a wrong or
//! missing secret, an unknown session or handle, no server (WebSocket or HTTP), the Janus API port,
//! bad arguments), each with its message and exit code. No run shows the admin secret.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use janus_blocking::request::{Attach, Create};
use janus_blocking::{ConnectOptions, Connection};
use janus_tests::{JanusOptions, JanusServer};
use serde_json::Value;

/// Bound on one run of the binary (its own bound on connecting and on the reply is 5 s).
const RUN_BOUND: Duration = Duration::from_secs(30);

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Exit 0 with nothing on stderr; stdout.
    fn ok(self) -> String {
        assert_eq!((self.code, self.stderr.as_str()), (0, ""), "{self:?}");
        self.stdout
    }

    /// Stdout parsed as JSON, after exit 0.
    fn json(self) -> Value {
        let out = self.ok();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    /// Exit `code` with `message` on stderr (and nothing on stdout).
    fn fails(self, code: i32, message: &str) -> Self {
        assert_eq!(self.code, code, "{self:?}");
        assert!(self.stderr.contains(message), "{message:?} not in {self:?}");
        self
    }
}

/// `janus-admin` for one Admin API, its secret in a file; the environment it inherits has no
/// `JANUS_ADMIN_*` variables.
struct Admin {
    url: String,
    secret: String,
    secret_file: PathBuf,
    dir: tempfile::TempDir,
}

impl Admin {
    fn new(url: &str, secret: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let secret_file = dir.path().join("admin-secret");
        std::fs::write(&secret_file, format!("{secret}\n")).expect("write the secret file");
        Self {
            url: url.to_owned(),
            secret: secret.to_owned(),
            secret_file,
            dir,
        }
    }

    fn for_janus(janus: &JanusServer) -> Self {
        Self::new(janus.admin_url(), janus.admin_secret())
    }

    /// Runs `janus-admin --url URL --secret-file FILE --timeout 5 ARGS…`.
    fn run(&self, args: &[&str]) -> Run {
        let file = self.secret_file.to_string_lossy();
        let mut all = vec!["--url", &self.url, "--secret-file", &file, "--timeout", "5"];
        all.extend_from_slice(args);
        self.raw(&all, &[])
    }

    /// Runs `janus-admin ARGS…` with these environment variables, bounded by [`RUN_BOUND`],
    /// and checks that the secret shows nowhere in what it printed.
    fn raw(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let stdout_path = self.dir.path().join("stdout");
        let stderr_path = self.dir.path().join("stderr");
        let mut command = Command::new(env!("CARGO_BIN_EXE_janus-admin"));
        command
            .args(args)
            .env_remove("JANUS_ADMIN_URL")
            .env_remove("JANUS_ADMIN_SECRET")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(File::create(&stdout_path).expect("stdout file"))
            .stderr(File::create(&stderr_path).expect("stderr file"));
        let mut child = command.spawn().expect("spawn janus-admin");
        let deadline = Instant::now() + RUN_BOUND;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for janus-admin") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("janus-admin {args:?} still running after {RUN_BOUND:?}");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let read = |path: &Path| std::fs::read_to_string(path).expect("read the output");
        let run = Run {
            code: status.code().expect("an exit code, not a signal"),
            stdout: read(&stdout_path),
            stderr: read(&stderr_path),
        };
        for output in [&run.stdout, &run.stderr] {
            assert!(!output.contains(&self.secret), "the secret shows: {run:?}");
        }
        run
    }
}

/// A Janus API connection with a session and an EchoTest handle.
fn session_with_handle(janus: &JanusServer, token: Option<&str>) -> (Connection, u64, u64) {
    let mut options = ConnectOptions::new().request_timeout(Duration::from_secs(5));
    if let Some(token) = token {
        options = options.token(token);
    }
    let mut client = Connection::connect(janus.ws_url(), options).expect("connect");
    let session = client.call(Create::new()).expect("create");
    let attach = Attach::new(session, "janus.plugin.echotest").opaque_id("admin-cli-test");
    let handle = client.call(attach).expect("attach");
    (client, session.0, handle.0)
}

/// A line of `text` whose words are `words` (columns are aligned with runs of spaces).
fn has_row(text: &str, words: &[&str]) -> bool {
    text.lines()
        .any(|line| line.split_whitespace().eq(words.iter().copied()))
}

#[test]
fn every_command_through_tables_and_json() {
    let janus = JanusServer::start(JanusOptions::new().admin_secret("cli-t3st-overlord"))
        .unwrap_or_else(|e| panic!("Janus did not start: {e}"));
    let admin = Admin::for_janus(&janus);

    let info = admin.run(&["info"]).ok();
    assert!(has_row(&info, &["version_string", "1.1.2"]), "{info}");
    assert!(info.contains("janus.plugin.echotest"), "{info}");
    let info = admin.run(&["info", "--json"]).json();
    assert_eq!(
        (info["janus"].as_str(), info["version_string"].as_str()),
        (Some("server_info"), Some("1.1.2"))
    );
    assert!(admin.run(&["ping"]).ok().starts_with("pong in "));
    assert_eq!(admin.run(&["--json", "ping"]).json()["janus"], "pong");
    let status = admin.run(&["status"]).ok();
    assert!(has_row(&status, &["session_timeout", "60"]), "{status}");
    assert_eq!(
        admin.run(&["status", "--json"]).json()["status"]["log_level"],
        4
    );
    assert_eq!(admin.run(&["sessions"]).ok(), "no sessions\n");

    let (mut client, session, handle) = session_with_handle(&janus, None);
    let (s, h) = (session.to_string(), handle.to_string());
    assert_eq!(admin.run(&["sessions"]).ok(), format!("SESSION\n{s}\n"));
    assert_eq!(
        admin.run(&["sessions", "--json"]).json()["sessions"],
        serde_json::json!([session])
    );
    assert_eq!(admin.run(&["handles", &s]).ok(), format!("HANDLE\n{h}\n"));
    assert_eq!(
        admin.run(&["handles", &s, "--json"]).json()["handles"],
        serde_json::json!([handle])
    );
    let info = admin.run(&["handle-info", &s, &h]).ok();
    assert!(
        has_row(&info, &["plugin", "janus.plugin.echotest"]),
        "{info}"
    );
    assert!(has_row(&info, &["opaque_id", "admin-cli-test"]), "{info}");
    let info = admin.run(&["handle-info", &s, &h, "--json"]).json();
    assert_eq!(info["info"]["handle_id"], handle);
    assert!(info["info"]["flags"].is_object(), "{info}");
    let plugin_only = admin.run(&["handle-info", &s, &h, "--plugin-only"]).ok();
    assert!(plugin_only.contains("plugin_specific."), "{plugin_only}");
    let plugin_only = admin
        .run(&["handle-info", &s, &h, "--plugin-only", "--json"])
        .json();
    assert!(
        plugin_only["info"]["plugin_specific"].is_object(),
        "{plugin_only}"
    );
    assert!(plugin_only["info"].get("flags").is_none(), "{plugin_only}");

    // Every setting: the line saying what is in force, the reply's field, then get_status.
    let settings: [(&[&str], &str, &str, Value); 11] = [
        (&["log-level", "5"], "log level: 5", "level", 5.into()),
        (
            &["session-timeout", "120"],
            "session timeout: 120 s",
            "timeout",
            120.into(),
        ),
        (
            &["log-timestamps", "off"],
            "log timestamps: off",
            "log_timestamps",
            false.into(),
        ),
        (
            &["log-colors", "on"],
            "log colors: on",
            "log_colors",
            true.into(),
        ),
        (
            &["locking-debug", "off"],
            "locking debug: off",
            "locking_debug",
            false.into(),
        ),
        (
            &["refcount-debug", "off"],
            "refcount debug: off",
            "refcount_debug",
            false.into(),
        ),
        (
            &["libnice-debug", "on"],
            "libnice debug: on",
            "libnice_debug",
            true.into(),
        ),
        (
            &["min-nack-queue", "300"],
            "min NACK queue: 300 ms",
            "min_nack_queue",
            300.into(),
        ),
        (
            &["nack-optimizations", "on"],
            "NACK optimizations: on",
            "nack-optimizations",
            true.into(),
        ),
        (
            &["no-media-timer", "2"],
            "no-media timer: 2 s",
            "no_media_timer",
            2.into(),
        ),
        (
            &["slowlink-threshold", "4"],
            "slowlink threshold: 4 packets/s",
            "slowlink_threshold",
            4.into(),
        ),
    ];
    for (args, line, field, value) in settings {
        let set: Vec<&str> = ["set"].iter().chain(args).copied().collect();
        assert_eq!(admin.run(&set).ok(), format!("{line}\n"), "{args:?}");
        let json: Vec<&str> = set.iter().copied().chain(["--json"]).collect();
        assert_eq!(admin.run(&json).json()[field], value, "{args:?}");
    }
    let status = admin.run(&["status", "--json"]).json()["status"].clone();
    for (field, value) in [
        ("log_level", Value::from(5)),
        ("session_timeout", 120.into()),
        ("log_colors", true.into()),
        ("min_nack_queue", 300.into()),
        ("nack-optimizations", true.into()),
        ("no_media_timer", 2.into()),
        ("slowlink_threshold", 4.into()),
    ] {
        assert_eq!(status[field], value, "{field} in {status}");
    }
    let one = admin
        .run(&["set", "session-timeout", "30", "--session", &s])
        .ok();
    assert_eq!(one, format!("session {s}'s timeout: 30 s\n"));
    admin.run(&["set", "libnice-debug", "off"]).ok();

    // Captures: the files appear in the folder given, on the server (this machine).
    let folder = tempfile::tempdir().expect("capture folder");
    let folder_arg = folder.path().to_string_lossy().into_owned();
    for (kind, file) in [("pcap", "cli.pcap"), ("text2pcap", "cli.txt")] {
        let start = [
            kind,
            "start",
            &s,
            &h,
            "--folder",
            &folder_arg,
            "--filename",
            file,
        ];
        let started = admin.run(&start).ok();
        assert_eq!(started, format!("{kind} dump of handle {h} started\n"));
        assert!(folder.path().join(file).is_file(), "no {file}");
        let stop = admin.run(&[kind, "stop", &s, &h]).ok();
        assert_eq!(stop, format!("{kind} dump of handle {h} stopped\n"));
        // Without --filename Janus picks a random name (in the folder given, not its own).
        let again = [kind, "start", &s, &h, "--folder", &folder_arg, "--json"];
        assert_eq!(admin.run(&again).json()["janus"], "success");
        assert_eq!(
            admin.run(&[kind, "stop", &s, &h, "--json"]).json()["janus"],
            "success"
        );
    }
    let files = std::fs::read_dir(folder.path())
        .expect("capture folder")
        .count();
    assert_eq!(files, 4, "two files each for pcap and text2pcap");

    // Rooms from a shell: create, list (a table of rooms), refuse a duplicate, destroy.
    let room_id = janus_tests::unique_id();
    let room = room_id.to_string();
    let create = format!(r#"{{"request":"create","room":{room},"description":"from a shell"}}"#);
    let created = admin
        .run(&["message-plugin", "janus.plugin.videoroom", &create])
        .ok();
    assert!(has_row(&created, &["room", &room]), "{created}");
    assert!(has_row(&created, &["videoroom", "created"]), "{created}");
    let list = r#"{"request":"list"}"#;
    let listed = admin
        .run(&["message-plugin", "janus.plugin.videoroom", list])
        .ok();
    // Too wide for one table: a block of fields per room.
    let ours = listed
        .split("\n\n")
        .find(|block| has_row(block, &["room", &room]))
        .unwrap_or_else(|| panic!("room {room} not listed: {listed}"));
    assert!(ours.starts_with("list."), "{listed}");
    assert!(
        has_row(ours, &["description", "from", "a", "shell"]),
        "{ours}"
    );
    let listed = admin
        .run(&["message-plugin", "janus.plugin.videoroom", list, "--json"])
        .json();
    let rooms = listed["response"]["list"]
        .as_array()
        .expect("a list")
        .clone();
    assert!(rooms.iter().any(|r| r["room"] == room_id), "{listed}");
    admin
        .run(&["message-plugin", "janus.plugin.videoroom", &create])
        .fails(1, "janus.plugin.videoroom refused the request: ")
        .fails(1, "(error 427)");
    let destroy = format!(r#"{{"request":"destroy","room":{room}}}"#);
    let destroyed = admin.run(&[
        "message-plugin",
        "janus.plugin.videoroom",
        &destroy,
        "--json",
    ]);
    assert_eq!(destroyed.json()["response"]["videoroom"], "destroyed");

    assert_eq!(
        admin.run(&["hangup-webrtc", &s, &h]).ok(),
        format!("PeerConnection of handle {h} hung up\n")
    );
    assert_eq!(
        admin.run(&["detach-handle", &s, &h]).ok(),
        format!("handle {h} detached from session {s}\n")
    );
    assert_eq!(
        admin.run(&["handles", &s]).ok(),
        format!("no handles in session {s}\n")
    );

    // Draining: Janus refuses new sessions (472) until they are accepted again.
    let off = admin.run(&["accept-new-sessions", "off"]).ok();
    assert_eq!(off, "accepting new sessions: off\n");
    let refused = client.call(Create::new()).expect_err("no new sessions");
    assert_eq!(refused.janus_code(), Some(472), "{refused}");
    let on = admin.run(&["accept-new-sessions", "on", "--json"]).json();
    assert_eq!(on["accept"], true);
    let second = client.call(Create::new()).expect("new sessions again");

    assert_eq!(
        admin.run(&["destroy-session", &s]).ok(),
        format!("session {s} destroyed\n")
    );
    let destroyed = admin.run(&["destroy-session", &second.0.to_string(), "--json"]);
    assert_eq!(destroyed.json()["janus"], "success");
    assert_eq!(admin.run(&["sessions"]).ok(), "no sessions\n");
}

/// The same commands over Janus's HTTP Admin API and its Unix socket: the transport is the
/// URL's business.
#[test]
fn over_http_and_a_unix_socket() {
    let janus = JanusServer::start(JanusOptions::new().admin_secret("cli-t3st-overlord"))
        .unwrap_or_else(|e| panic!("Janus did not start: {e}"));
    let (_client, session, handle) = session_with_handle(&janus, None);
    let (s, h) = (session.to_string(), handle.to_string());
    let unix = format!(
        "unix:{}",
        janus.admin_unix_path().expect("Admin Unix path").display()
    );
    let http = janus.admin_http_url().expect("Admin HTTP URL");
    for url in [http, unix.as_str()] {
        let admin = Admin::new(url, janus.admin_secret());
        let info = admin.run(&["info", "--json"]).json();
        assert_eq!(info["janus"], "server_info", "{url}: {info}");
        assert_eq!(
            admin.run(&["sessions"]).ok(),
            format!("SESSION\n{s}\n"),
            "{url}"
        );
        assert_eq!(
            admin.run(&["handles", &s]).ok(),
            format!("HANDLE\n{h}\n"),
            "{url}"
        );
        let info = admin.run(&["handle-info", &s, &h, "--json"]).json();
        assert_eq!(info["info"]["handle_id"], handle, "{url}");
        let wrong = Admin::new(url, "not-the-secret");
        wrong.run(&["sessions"]).fails(4, "403");
    }
}

#[test]
fn stored_tokens() {
    let janus = JanusServer::start(JanusOptions::new().token_auth(true))
        .unwrap_or_else(|e| panic!("Janus did not start: {e}"));
    let admin = Admin::for_janus(&janus);
    let echotest = "janus.plugin.echotest";
    let videoroom = "janus.plugin.videoroom";

    assert_eq!(admin.run(&["tokens", "list"]).ok(), "no stored tokens\n");
    let added = admin
        .run(&["tokens", "add", "tok-one", "--plugin", echotest])
        .ok();
    assert_eq!(
        added,
        format!("token added; the token may use: {echotest}\n")
    );
    let allowed = admin
        .run(&[
            "tokens", "allow", "tok-one", "--plugin", videoroom, "--json",
        ])
        .json();
    let mut plugins = allowed["data"]["plugins"]
        .as_array()
        .expect("plugins")
        .clone();
    plugins.sort_by_key(ToString::to_string);
    assert_eq!(plugins, [echotest, videoroom]);
    let disallowed = admin
        .run(&["tokens", "disallow", "tok-one", "--plugin", videoroom])
        .ok();
    assert_eq!(
        disallowed,
        format!("plugins disallowed; the token may use: {echotest}\n")
    );
    let all = admin.run(&["tokens", "add", "tok-two"]).ok();
    assert!(all.contains(videoroom) && all.contains(echotest), "{all}");
    let list = admin.run(&["tokens", "list"]).ok();
    assert!(list.starts_with("TOKEN "), "{list}");
    assert!(has_row(&list, &["tok-one", echotest]), "{list}");

    // The stored token lets a Janus API client in; once removed, it does not.
    let (_client, _, _) = session_with_handle(&janus, Some("tok-one"));
    assert_eq!(
        admin.run(&["tokens", "remove", "tok-one"]).ok(),
        "token removed\n"
    );
    let options = ConnectOptions::new().token("tok-one");
    let mut client = Connection::connect(janus.ws_url(), options).expect("connect");
    let refused = client.call(Create::new()).expect_err("a removed token");
    assert_eq!(refused.janus_code(), Some(403), "{refused}");
    let tokens = admin.run(&["tokens", "list", "--json"]).json()["data"]["tokens"].clone();
    assert_eq!(tokens.as_array().map(Vec::len), Some(1), "{tokens}");
    assert_eq!(tokens[0]["token"], "tok-two");
}

#[test]
fn failures_have_clear_messages_and_exit_codes() {
    let janus = JanusServer::shared("admin-cli");
    let admin = Admin::for_janus(&janus);

    // The secret: wrong, missing, from each source; never shown.
    let wrong = Admin::new(janus.admin_url(), "not-the-secret");
    wrong.run(&["sessions"]).fails(
        4,
        "janus-admin: wrong admin secret (403 Unauthorized request",
    );
    let none = admin.raw(&["--url", janus.admin_url(), "sessions"], &[]);
    none.fails(
        4,
        "Janus wants an admin secret: give --secret-file, JANUS_ADMIN_SECRET or --secret",
    );
    let url = ["--url", janus.admin_url()];
    let from_env = admin.raw(
        &[&url[..], &["sessions", "--json"]].concat(),
        &[("JANUS_ADMIN_SECRET", janus.admin_secret())],
    );
    assert_eq!(from_env.json()["janus"], "success");
    let flag = ["--secret", janus.admin_secret(), "sessions", "--json"];
    let from_flag = admin.raw(&[&url[..], &flag].concat(), &[]);
    assert_eq!(from_flag.code, 0, "{from_flag:?}");
    assert!(
        from_flag.stderr.contains("warning: --secret is visible"),
        "{from_flag:?}"
    );
    let info = admin.raw(&[&url[..], &["info", "--json"]].concat(), &[]);
    assert_eq!(info.json()["janus"], "server_info", "info needs no secret");
    let missing = admin.raw(&["--secret-file", "/nonexistent/secret", "sessions"], &[]);
    missing.fails(2, "cannot read the secret file /nonexistent/secret: ");
    let both = ["--secret-file", "/x", "--secret", "y", "sessions"];
    admin.raw(&both, &[]).fails(2, "cannot be used with");

    // Unknown ids.
    admin
        .run(&["handles", "123"])
        .fails(5, "janus-admin: no such session 123 (Janus error 458)");
    admin
        .run(&["handle-info", "123", "456"])
        .fails(5, "no such session 123");
    admin
        .run(&["destroy-session", "123"])
        .fails(5, "no such session 123");
    let (_client, session, _) = session_with_handle(&janus, None);
    let s = session.to_string();
    let message = format!("janus-admin: no such handle 456 in session {s} (Janus error 459)");
    admin.run(&["detach-handle", &s, "456"]).fails(5, &message);
    admin.run(&["destroy-session", &s]).ok();

    // Where Janus is not, or is not the Admin API.
    let free_port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let nowhere = Admin::new(&format!("ws://127.0.0.1:{free_port}"), "x");
    nowhere.run(&["sessions"]).fails(
        3,
        &format!("janus-admin: cannot connect to ws://127.0.0.1:{free_port}: "),
    );
    let janus_api = Admin::new(janus.ws_url(), janus.admin_secret());
    janus_api
        .run(&["sessions"])
        .fails(3, "wrong subprotocol or port?");
    let http_url = format!("http://127.0.0.1:{free_port}/admin");
    let http = Admin::new(&http_url, "x");
    http.run(&["sessions"])
        .fails(3, &format!("janus-admin: cannot connect to {http_url}: "));

    // Usage errors, before any connection.
    admin
        .run(&["message-plugin", "janus.plugin.videoroom", "{not json"])
        .fails(
            2,
            "the request for janus.plugin.videoroom is not a JSON object: ",
        );
    admin
        .run(&["message-plugin", "janus.plugin.videoroom", "[1]"])
        .fails(2, "not an object");
    admin
        .run(&["set", "log-level", "8"])
        .fails(2, "8 is not in 0..=7");
    admin
        .run(&["handles", "not-a-number"])
        .fails(2, "invalid value 'not-a-number'");
    let help = admin.raw(&["--help"], &[]).ok();
    for text in [
        "Exit codes:",
        "5  no such session or handle",
        "HTTP (http:// or https://",
    ] {
        assert!(help.contains(text), "{text:?} not in the help:\n{help}");
    }
}
