//! Observability against a real Janus, through both drivers: the tracing output of a real
//! session (create, attach, message, detach, destroy) with an `apisecret`, a stored token
//! and the Admin API's secret carries the connection's URL, the session, handle,
//! transaction and plugin in its spans, logs every frame at TRACE, and shows none of the
//! three secrets; the metrics of a workload, read with a test recorder, count every request
//! by kind and outcome, time them, count a timeout, a loss and a reconnect, and leave the
//! gauges at zero.
//!
//! The async driver runs its driver future on a thread of its own, so the subscriber and
//! the recorder are installed globally, once for this binary, and the tests take turns.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use janus_blocking::request::{AddToken, Attach, Create, Destroy, Detach, Message, Ping, Request};
use janus_blocking::{ConnectionEvent, Error, Event, HandleId, Reconnect, RequestError, SessionId};
use janus_tests::drivers::{JanusAdmin, JanusDriver, Options, Transport};
use janus_tests::faults::FaultProxy;
use janus_tests::{JanusOptions, JanusServer};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

const ECHOTEST: &str = "janus.plugin.echotest";
const API_SECRET: &str = "apis3cret-obs-q7";
const TOKEN: &str = "t0ken-obs-q7";
const ADMIN_SECRET: &str = "adm1n-obs-q7";

/// Runs each test through both drivers: `<test>::blocking` and `<test>::async_ws` over
/// WebSockets, and with `http:` also `<test>::blocking_http` and `<test>::async_http`.
macro_rules! through_both_drivers {
    (http: $($test:ident),* $(,)?) => {$(
        mod $test {
            use janus_tests::drivers::{AsyncWs, Blocking, Http, WebSocket};
            #[test]
            fn blocking() {
                super::$test::<Blocking, WebSocket>();
            }
            #[test]
            fn async_ws() {
                super::$test::<AsyncWs, WebSocket>();
            }
            #[test]
            fn blocking_http() {
                super::$test::<Blocking, Http>();
            }
            #[test]
            fn async_http() {
                super::$test::<AsyncWs, Http>();
            }
        }
    )*};
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            use janus_tests::drivers::{AsyncWs, Blocking};
            #[test]
            fn blocking() {
                super::$test::<Blocking>();
            }
            #[test]
            fn async_ws() {
                super::$test::<AsyncWs>();
            }
        }
    )*};
}

through_both_drivers!(http: a_real_session_is_traced_with_its_ids_and_without_secrets);
through_both_drivers!(
    metrics_count_a_workload_by_kind_and_outcome,
    metrics_count_a_loss_and_a_reconnect,
);

// ----- what is captured -------------------------------------------------------------------

/// Everything the global subscriber wrote, and the global recorder's snapshots.
struct Capture {
    output: Arc<Mutex<Vec<u8>>>,
    metrics: Snapshotter,
    /// Counters and gauges so far.
    totals: Mutex<BTreeMap<String, DebugValue>>,
}

/// A writer into the captured output.
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The capture, installed on first use, and this test's turn (tests of this binary run one
/// at a time: they share the subscriber, the recorder and the gauges).
fn capture() -> (&'static Capture, MutexGuard<'static, ()>) {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    static TURN: Mutex<()> = Mutex::new(());
    let turn = lock(&TURN);
    let capture = CAPTURE.get_or_init(|| {
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        let recorder = DebuggingRecorder::new();
        let metrics = recorder.snapshotter();
        metrics::set_global_recorder(recorder).expect("the only recorder");
        Capture {
            output,
            metrics,
            totals: Mutex::new(BTreeMap::new()),
        }
    });
    (capture, turn)
}

impl Capture {
    /// Takes what was written so far.
    fn take(&self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut *lock(&self.output))).into_owned()
    }

    /// Every metric now, by name and labels (`name{label=value,…}`): counters and gauges
    /// with their value, histograms with their samples since the last call. (A snapshot of
    /// the debugging recorder resets what it reads: the totals are kept here.)
    fn metrics(&self) -> BTreeMap<String, DebugValue> {
        let mut totals = lock(&self.totals);
        for (key, _, _, value) in self.metrics.snapshot().into_vec() {
            let key = key.key();
            let labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            let name = match labels.is_empty() {
                true => key.name().to_owned(),
                false => format!("{}{{{}}}", key.name(), labels.join(",")),
            };
            let total = match (totals.remove(&name), value) {
                (Some(DebugValue::Counter(a)), DebugValue::Counter(b)) => {
                    DebugValue::Counter(a + b)
                }
                (Some(DebugValue::Gauge(a)), DebugValue::Gauge(b)) => DebugValue::Gauge(a + b),
                (_, value) => value,
            };
            totals.insert(name, total);
        }
        let mut now = BTreeMap::new();
        for (name, value) in totals.iter_mut() {
            let value = match value {
                DebugValue::Counter(n) => DebugValue::Counter(*n),
                DebugValue::Gauge(v) => DebugValue::Gauge(*v),
                DebugValue::Histogram(samples) => DebugValue::Histogram(std::mem::take(samples)),
            };
            now.insert(name.clone(), value);
        }
        now
    }
}

/// A counter's value (0 when never incremented).
fn counter(metrics: &BTreeMap<String, DebugValue>, name: &str) -> u64 {
    match metrics.get(name) {
        Some(DebugValue::Counter(n)) => *n,
        None => 0,
        Some(other) => panic!("{name} is not a counter: {other:?}"),
    }
}

/// A gauge's value (0 when never set).
fn gauge(metrics: &BTreeMap<String, DebugValue>, name: &str) -> f64 {
    match metrics.get(name) {
        Some(DebugValue::Gauge(v)) => v.into_inner(),
        None => 0.0,
        Some(other) => panic!("{name} is not a gauge: {other:?}"),
    }
}

/// How many samples a histogram got since the last snapshot.
fn samples(metrics: &BTreeMap<String, DebugValue>, name: &str) -> Vec<f64> {
    match metrics.get(name) {
        Some(DebugValue::Histogram(v)) => v.iter().map(|x| x.into_inner()).collect(),
        None => Vec::new(),
        Some(other) => panic!("{name} is not a histogram: {other:?}"),
    }
}

// ----- servers and helpers ---------------------------------------------------------------

/// A Janus that wants an `apisecret`, a stored token and its own admin secret.
fn guarded_janus() -> JanusServer {
    JanusServer::start(
        JanusOptions::new()
            .api_secret(Some(API_SECRET))
            .token_auth(true)
            .admin_secret(ADMIN_SECRET),
    )
    .unwrap_or_else(|e| panic!("Janus did not start: {e}"))
}

fn connect<D: JanusDriver>(url: &str, options: &Options) -> D {
    D::connect(url, options).unwrap_or_else(|e| panic!("{}: connect to {url}: {e}", D::NAME))
}

fn attach<D: JanusDriver>(janus: &mut D, session: SessionId) -> HandleId {
    janus
        .call(Attach::new(session, ECHOTEST))
        .unwrap_or_else(|e| panic!("{}: attach: {e}", D::NAME))
}

fn echo<D: JanusDriver>(janus: &mut D, handle: HandleId) {
    let reply = janus.call(Message::new(handle, json!({"audio": true})));
    reply.unwrap_or_else(|e| panic!("{}: message: {e}", D::NAME));
}

// ----- tracing ---------------------------------------------------------------------------

fn a_real_session_is_traced_with_its_ids_and_without_secrets<D: JanusDriver, T: Transport>() {
    let (capture, _turn) = capture();
    let janus = guarded_janus();
    capture.take();

    // The stored token, added over the Admin API (whose frames carry the admin secret and
    // the token).
    let mut admin = D::admin(&T::admin_url(&janus), Some(ADMIN_SECRET))
        .unwrap_or_else(|e| panic!("{}: connect to the Admin API: {e}", D::NAME));
    let add = AddToken {
        token: TOKEN.into(),
        plugins: Some(vec![ECHOTEST.to_owned()]),
    };
    admin.call(add).expect("add_token");
    admin.close();

    let url = T::url(&janus);
    let options = Options::new().apisecret(API_SECRET).token(TOKEN);
    let mut client: D = connect(&url, &options);
    let session = client.call(Create::new()).expect("create");
    let handle = attach(&mut client, session);
    echo(&mut client, handle);
    client.call(Detach(handle)).expect("detach");
    client.call(Destroy(session)).expect("destroy");
    client.close();
    let output = capture.take();

    let context = || format!("{} over {}; the output:\n{output}", D::NAME, T::NAME);
    // The spans carry the ids: the connection's URL, the session, the handle with its
    // plugin, each request with its transaction and kind.
    let shown = [
        format!("janus.connection{{url={url}}}"),
        format!("janus.session{{session={session}}}"),
        format!("janus.handle{{session={session} handle={handle} plugin=\"{ECHOTEST}\"}}"),
    ];
    for wanted in &shown {
        assert!(
            output.contains(wanted.as_str()),
            "no {wanted} in {}",
            context()
        );
    }
    let request = |kind: &str| {
        output.lines().any(|line| {
            line.contains("janus.request{transaction=")
                && line.contains(&format!("kind=\"{kind}\""))
        })
    };
    for kind in [
        "create",
        "attach",
        "message",
        "detach",
        "destroy",
        "add_token",
    ] {
        assert!(request(kind), "no {kind} request span in {}", context());
    }
    let message =
        format!("kind=\"message\" session={session} handle={handle} plugin=\"{ECHOTEST}\"");
    assert!(output.contains(&message), "no {message} in {}", context());
    // Spans open and close; lifecycle events come at their levels.
    for wanted in [
        " new",
        " close time.busy=",
        "connected",
        "session ended",
        "connection closed",
    ] {
        assert!(output.contains(wanted), "no {wanted:?} in {}", context());
    }
    // Every frame at TRACE, out and in, secrets hidden.
    let frames: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("janus::frame"))
        .collect();
    assert!(
        frames.iter().all(|l| l.contains("TRACE")),
        "frames not at TRACE: {}",
        context()
    );
    for direction in ["direction=\"out\"", "direction=\"in\""] {
        assert!(
            frames.iter().any(|l| l.contains(direction)),
            "no frame {direction} in {}",
            context()
        );
    }
    for (janus_kind, count) in [("create", 1), ("attach", 1), ("destroy", 1)] {
        let sent = frames
            .iter()
            .filter(|l| l.contains(&format!("\"janus\":\"{janus_kind}\"")))
            .count();
        assert!(sent >= count, "no {janus_kind} frame in {}", context());
    }
    assert!(
        output.contains("<redacted>"),
        "nothing redacted in {}",
        context()
    );
    // No secret anywhere.
    for secret in [API_SECRET, TOKEN, ADMIN_SECRET] {
        assert!(!output.contains(secret), "{secret} shown in {}", context());
    }
}

// ----- metrics ---------------------------------------------------------------------------

fn requests(kind: &str, outcome: &str) -> String {
    format!("janus_requests_total{{kind={kind},outcome={outcome}}}")
}

fn metrics_count_a_workload_by_kind_and_outcome<D: JanusDriver>() {
    let (capture, _turn) = capture();
    let janus = JanusServer::start(JanusOptions::new())
        .unwrap_or_else(|e| panic!("Janus did not start: {e}"));
    // A proxy, to make a request go unanswered at the end.
    let proxy = FaultProxy::start(janus.ws_url()).expect("proxy");
    let before = capture.metrics();

    let mut client: D = connect(&proxy.url(), &Options::new());
    let session = client.call(Create::new()).expect("create");
    let handles = [attach(&mut client, session), attach(&mut client, session)];
    for handle in [handles[0], handles[1], handles[0]] {
        echo(&mut client, handle);
    }
    match client.call(Attach::new(session, "janus.plugin.nope")) {
        Err(Error::Request(RequestError::Janus(e))) if e.code == 460 => {}
        other => panic!("{}: expected Janus's 460, got {other:?}", D::NAME),
    }
    let during = capture.metrics();
    for handle in handles {
        client.call(Detach(handle)).expect("detach");
    }
    client.call(Destroy(session)).expect("destroy");
    proxy.black_hole();
    match client.call(Ping.within(Duration::from_millis(200))) {
        Err(Error::Request(RequestError::TimedOut { .. })) => {}
        other => panic!("{}: expected a timeout, got {other:?}", D::NAME),
    }
    client.close();
    let after = capture.metrics();

    let delta = |name: &str| counter(&after, name) - counter(&before, name);
    for (name, expected) in [
        (requests("create", "ok"), 1),
        (requests("attach", "ok"), 2),
        (requests("attach", "janus_error"), 1),
        (requests("message", "ok"), 3),
        (requests("detach", "ok"), 2),
        (requests("destroy", "ok"), 1),
        (requests("ping", "timed_out"), 1),
        ("janus_request_timeouts_total".to_owned(), 1),
        ("janus_connection_losses_total".to_owned(), 0),
    ] {
        assert_eq!(delta(&name), expected, "{}: {name}: {after:#?}", D::NAME);
    }
    // Every request timed, by kind (the histograms' samples since the snapshot before).
    let timed = |kind: &str| {
        let name = format!("janus_request_duration_seconds{{kind={kind}}}");
        [&during, &after]
            .iter()
            .flat_map(|m| samples(m, &name))
            .collect::<Vec<f64>>()
    };
    assert_eq!(timed("message").len(), 3, "{}", D::NAME);
    assert_eq!(timed("attach").len(), 3, "{}", D::NAME);
    assert!(timed("message").iter().all(|s| *s > 0.0 && *s < 10.0));
    let ping = timed("ping");
    assert!(ping.len() == 1 && ping[0] >= 0.2, "{}: {ping:?}", D::NAME);
    // The gauges: one session with two handles in the middle, nothing at the end.
    assert_eq!(gauge(&during, "janus_sessions"), 1.0, "{}", D::NAME);
    assert_eq!(gauge(&during, "janus_handles"), 2.0, "{}", D::NAME);
    for name in ["janus_sessions", "janus_handles", "janus_pending_requests"] {
        assert_eq!(gauge(&after, name), 0.0, "{}: {name}", D::NAME);
    }
}

fn metrics_count_a_loss_and_a_reconnect<D: JanusDriver>() {
    let (capture, _turn) = capture();
    let janus = JanusServer::start(JanusOptions::new())
        .unwrap_or_else(|e| panic!("Janus did not start: {e}"));
    let proxy = FaultProxy::start(janus.ws_url()).expect("proxy");
    let before = capture.metrics();

    let policy = Reconnect::new().first_delay(Duration::from_millis(50));
    let mut client: D = connect(&proxy.url(), &Options::new().reconnect(policy));
    client.call(Ping).expect("ping");
    proxy.cut();
    client.wait_for(Duration::from_secs(10), |event| match event {
        Event::Connection(ConnectionEvent::Reconnected { .. }) => Some(()),
        _ => None,
    });
    client.call(Ping).expect("ping after the reconnect");
    client.close();
    let after = capture.metrics();

    let delta = |name: &str| counter(&after, name) - counter(&before, name);
    assert_eq!(delta("janus_connection_losses_total"), 1, "{}", D::NAME);
    assert_eq!(delta("janus_reconnects_total"), 1, "{}", D::NAME);
    assert_eq!(delta(&requests("ping", "ok")), 2, "{}", D::NAME);
    // The `info` the client asks on every connection of its own.
    assert!(delta(&requests("info", "ok")) >= 1, "{}", D::NAME);
    assert_eq!(gauge(&after, "janus_pending_requests"), 0.0, "{}", D::NAME);
}
