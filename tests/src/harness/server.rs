//! [`JanusServer`]: one private Janus process started from the repo's config templates (or a
//! handle on the user's own Janus), its URLs and secrets, and its lifecycle.

use std::ffi::OsString;
use std::fs::File;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use super::command::{run, tail};
use super::probe::{exchange, exchange_http, exchange_unix, squeeze};
use super::version::Installation;
use super::{config, tls, HarnessError, JanusOptions, JanusVersion};

/// How long [`JanusServer::stop`] waits after SIGTERM before it sends SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one readiness probe step may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Start attempts when the chosen ports turn out to be taken by another process, or Janus's
/// Unix sockets thread ended as it started.
const START_ATTEMPTS: u32 = 8;
/// Janus's log line when a websocket listener cannot bind its port.
const BIND_FAILURE: &str = "Error creating vhost";
/// Janus's log line when its Unix sockets thread ends. At startup that is a race in Janus
/// (1.1.2 to 1.4.1 at least): `janus_pfunix_init` starts the thread before it sets the flag
/// the thread's loop checks, so now and then the thread finds it unset, ends at once and
/// unlinks both sockets. Janus goes on without them; the harness starts it again.
const UNIX_THREAD_ENDED: &str = "Unix Sockets thread ended";
/// The longest Unix socket path (`sun_path` holds 108 bytes with the terminating NUL; Janus
/// cuts a longer one short without failing).
const MAX_UNIX_PATH: usize = 107;
/// Numbers the instances of this process, to give each its own `server_name`.
static NEXT_INSTANCE: AtomicU32 = AtomicU32::new(0);

/// A Janus server for a test: a private process with its own configs, free ports, Unix
/// sockets and log, stopped when dropped; or, with [`JanusServer::external`], the user's own
/// Janus.
///
/// ```no_run
/// use janus_tests::{JanusOptions, JanusServer};
/// # fn main() -> Result<(), janus_tests::HarnessError> {
/// let janus = JanusServer::start(JanusOptions::new().session_timeout(10))?;
/// println!("Janus API at {}, Admin API at {}", janus.ws_url(), janus.admin_url());
/// println!("and at {:?}, {:?}", janus.unix_path(), janus.admin_unix_path());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct JanusServer {
    ws_url: String,
    wss_url: Option<String>,
    admin_url: String,
    unix_path: Option<PathBuf>,
    admin_unix_path: Option<PathBuf>,
    http_url: Option<String>,
    https_url: Option<String>,
    admin_http_url: Option<String>,
    admin_secret: String,
    api_secret: Option<String>,
    /// `None` for an external Janus.
    version: Option<JanusVersion>,
    process: Option<Process>,
}

/// What exists only when the harness runs Janus itself.
#[derive(Debug)]
struct Process {
    child: Child,
    /// Program and arguments, kept for [`JanusServer::restart`].
    command: Vec<OsString>,
    /// The temp folder holding configs, certificates, recordings and logs; deleted on drop.
    _dir: tempfile::TempDir,
    log: PathBuf,
    /// Janus's stdout and stderr (errors that come before its log is open).
    output: PathBuf,
    ca_pem: Option<PathBuf>,
    /// Used for the kept log's file name.
    name: String,
    /// Janus's `server_name`, to recognise our own instance in `info` replies.
    server_name: String,
    ws_url: String,
    ws_addr: SocketAddr,
    wss_addr: Option<SocketAddr>,
    admin_url: String,
    admin_addr: SocketAddr,
    unix_path: PathBuf,
    admin_unix_path: PathBuf,
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    admin_http_addr: SocketAddr,
    startup_timeout: Duration,
    /// How long the log was when the running Janus was started.
    log_at_spawn: usize,
}

impl JanusServer {
    /// The Janus 1.1.2 this process's tests share when they need no special configuration:
    /// [`shared_version`](Self::shared_version) with [`JanusVersion::V1_1_2`].
    pub fn shared(name: &str) -> Arc<JanusServer> {
        Self::shared_version(name, JanusVersion::V1_1_2)
    }

    /// The Janus `version` this process's tests share when they need no special
    /// configuration: one instance per version, started on first use with
    /// [`JanusOptions::name`] `NAME-VERSION` (e.g. `scenarios-shared-1.4.1`), stopped when
    /// the last test holding it drops it. Panics if it does not start.
    pub fn shared_version(name: &str, version: JanusVersion) -> Arc<JanusServer> {
        static SHARED: [Mutex<Weak<JanusServer>>; JanusVersion::ALL.len()] =
            [const { Mutex::new(Weak::new()) }; JanusVersion::ALL.len()];
        let mut slot = SHARED[version.index()]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(janus) = slot.upgrade() {
            return janus;
        }
        let options = JanusOptions::new()
            .version(version)
            .name(&format!("{name}-{version}"));
        let janus = JanusServer::start(options)
            .unwrap_or_else(|e| panic!("Janus {version} did not start: {e}"));
        let janus = Arc::new(janus);
        *slot = Arc::downgrade(&janus);
        janus
    }

    /// Starts a private Janus of [`JanusOptions::version`] with `options` and returns once
    /// its Janus API and Admin API answer. For 1.1.2 it first installs the Debian package if
    /// `janus` is not on `PATH`; for 1.4.1 it first builds it from source if the cache has no
    /// complete build (once per machine; see `scripts/build-janus.sh`).
    ///
    /// Fails with [`HarnessError::WrongVersion`] if the `janus` found is another version.
    /// Fails with [`HarnessError::Exited`] or [`HarnessError::NotReady`] (both carrying the
    /// log's tail, the whole log being copied to `target/janus-logs/`) if Janus does not come
    /// up within [`JanusOptions::startup_timeout`].
    pub fn start(options: JanusOptions) -> Result<Self, HarnessError> {
        let janus = options.version.installation()?;
        let mut attempt = 1;
        loop {
            match Self::start_once(&janus, &options) {
                Err((error, true)) if attempt < START_ATTEMPTS => {
                    eprintln!("janus-tests: starting Janus again: {error}");
                    attempt += 1;
                }
                result => return result.map_err(|(error, _)| error),
            }
        }
    }

    /// A handle on the user's own Janus when `JANUS_WS_URL` is set (else `None`); nothing is
    /// started. Also read: `JANUS_ADMIN_URL` (default `ws://127.0.0.1:7188`),
    /// `JANUS_ADMIN_SECRET` (default `janusoverlord`), `JANUS_API_SECRET` (default none),
    /// the paths of its Unix sockets transport, `JANUS_UNIX_PATH` and
    /// `JANUS_ADMIN_UNIX_PATH`, and the base URLs of its HTTP transport, `JANUS_HTTP_URL` and
    /// `JANUS_ADMIN_HTTP_URL` (default none).
    /// [`kill`](Self::kill), [`stop`](Self::stop), [`restart`](Self::restart) and
    /// [`cpu_time`](Self::cpu_time) then fail with [`HarnessError::External`].
    pub fn external() -> Option<Self> {
        let var = |name| std::env::var(name).ok();
        Some(Self {
            ws_url: var("JANUS_WS_URL")?,
            wss_url: None,
            admin_url: var("JANUS_ADMIN_URL").unwrap_or_else(|| "ws://127.0.0.1:7188".into()),
            unix_path: var("JANUS_UNIX_PATH").map(PathBuf::from),
            admin_unix_path: var("JANUS_ADMIN_UNIX_PATH").map(PathBuf::from),
            http_url: var("JANUS_HTTP_URL"),
            https_url: None,
            admin_http_url: var("JANUS_ADMIN_HTTP_URL"),
            admin_secret: var("JANUS_ADMIN_SECRET").unwrap_or_else(|| "janusoverlord".into()),
            api_secret: var("JANUS_API_SECRET"),
            version: None,
            process: None,
        })
    }

    /// The version running ([`JanusOptions::version`]); `None` for an
    /// [`external`](Self::external) Janus, whose version the harness does not know.
    pub fn version(&self) -> Option<JanusVersion> {
        self.version
    }

    /// The Janus API URL (`ws://127.0.0.1:PORT`, subprotocol `janus-protocol`).
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// The secure Janus API URL (`wss://127.0.0.1:PORT`) when started with
    /// [`JanusOptions::tls`]; trust [`ca_cert_path`](Self::ca_cert_path) to connect.
    pub fn wss_url(&self) -> Option<&str> {
        self.wss_url.as_deref()
    }

    /// The Admin API URL (`ws://127.0.0.1:PORT`, subprotocol `janus-admin-protocol`).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The Janus API's Unix socket (`SOCK_SEQPACKET`, Janus's Unix sockets transport), in the
    /// instance's temp folder; connect with the URL `unix:` followed by this path. `None`
    /// for an external Janus without `JANUS_UNIX_PATH`.
    pub fn unix_path(&self) -> Option<&Path> {
        self.unix_path.as_deref()
    }

    /// The Janus API over HTTP (Janus's REST transport, `janus.transport.http`):
    /// `http://127.0.0.1:PORT/janus`.
    pub fn http_url(&self) -> Option<&str> {
        self.http_url.as_deref()
    }

    /// The Janus API over HTTPS (`https://127.0.0.1:PORT/janus`, with the harness's
    /// certificate) when [`JanusOptions::tls`] is on.
    pub fn https_url(&self) -> Option<&str> {
        self.https_url.as_deref()
    }

    /// The Admin API over HTTP: `http://127.0.0.1:PORT/admin`.
    pub fn admin_http_url(&self) -> Option<&str> {
        self.admin_http_url.as_deref()
    }

    /// The Admin API's Unix socket (see [`unix_path`](Self::unix_path)).
    pub fn admin_unix_path(&self) -> Option<&Path> {
        self.admin_unix_path.as_deref()
    }

    /// The `admin_secret` every Admin API request (but `info`/`ping`) must carry.
    pub fn admin_secret(&self) -> &str {
        &self.admin_secret
    }

    /// The `api_secret` Janus API requests must carry as `apisecret`, if one is configured.
    pub fn api_secret(&self) -> Option<&str> {
        self.api_secret.as_deref()
    }

    /// The id of the Janus process last started (`None` for an external Janus).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(|p| p.child.id())
    }

    /// The Janus log file, inside the temp folder (`None` for an external Janus).
    pub fn log_path(&self) -> Option<&Path> {
        self.process.as_ref().map(|p| p.log.as_path())
    }

    /// Copies the log so far (and Janus's stdout/stderr) to `target/janus-logs/NAME-PID.log`,
    /// which outlives the temp folder, and returns that path (`None` for an external Janus).
    /// For programs that fail without panicking; a panicking test keeps it on drop anyway.
    pub fn keep_log(&self) -> Result<Option<PathBuf>, HarnessError> {
        self.process.as_ref().map(Process::keep_log).transpose()
    }

    /// The PEM file of the CA that signed the `wss` certificate (with [`JanusOptions::tls`]).
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.process.as_ref().and_then(|p| p.ca_pem.as_deref())
    }

    /// Kills Janus with SIGKILL, as a crash would, and reaps it. Clients see their TCP
    /// connections drop; [`restart`](Self::restart) brings it back on the same ports.
    pub fn kill(&mut self) -> Result<(), HarnessError> {
        let process = self.process_mut("kill")?;
        process
            .child
            .kill()
            .and_then(|()| process.child.wait())
            .map(drop)
            .map_err(|e| HarnessError::io("killing Janus", "janus", e))
    }

    /// Stops Janus with SIGTERM, waits for it up to 10 s, then SIGKILLs it. Returns how it
    /// ended (immediately if it had already ended).
    pub fn stop(&mut self) -> Result<ExitStatus, HarnessError> {
        self.process_mut("stop")?.terminate()
    }

    /// Stops Janus if it runs, then starts it again with the same configs and ports (sessions
    /// are gone; the log continues in the same file) and waits until it answers.
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        let process = self.process_mut("restart")?;
        let mut attempt = 1;
        loop {
            process.terminate()?;
            process.respawn()?;
            match process.ready_or_error() {
                Err((error, true)) if attempt < START_ATTEMPTS => {
                    eprintln!("janus-tests: starting Janus again: {error}");
                    attempt += 1;
                }
                result => return result.map_err(|(error, _)| error),
            }
        }
    }

    /// User plus system CPU time used by the Janus process so far (from `/proc/PID/stat`).
    pub fn cpu_time(&self) -> Result<Duration, HarnessError> {
        let pid = self.pid().ok_or(HarnessError::External {
            operation: "cpu_time",
        })?;
        let path = format!("/proc/{pid}/stat");
        let line = std::fs::read_to_string(&path)
            .map_err(|e| HarnessError::io("reading CPU time", &path, e))?;
        // Fields after the `(comm)` one, which may contain spaces: state is field 3,
        // utime field 14 and stime field 15.
        let fields: Vec<&str> = line
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
        match (ticks(11), ticks(12)) {
            (Some(user), Some(system)) => Ok(Duration::from_secs_f64(
                (user + system) as f64 / clock_ticks_per_second() as f64,
            )),
            _ => Err(HarnessError::ProcStat { pid, line }),
        }
    }

    fn process_mut(&mut self, operation: &'static str) -> Result<&mut Process, HarnessError> {
        self.process
            .as_mut()
            .ok_or(HarnessError::External { operation })
    }

    /// One start attempt; the flag in the error says the ports were taken by someone else.
    fn start_once(janus: &Installation, o: &JanusOptions) -> Result<Self, (HarnessError, bool)> {
        let no_clash = |e| (e, false);
        let dir = tempfile::Builder::new()
            .prefix("janus-tests-")
            .tempdir()
            .map_err(|e| {
                no_clash(HarnessError::io(
                    "creating a temp folder",
                    std::env::temp_dir(),
                    e,
                ))
            })?;
        let (conf, recordings) = (dir.path().join("conf"), dir.path().join("recordings"));
        for folder in [&conf, &recordings] {
            std::fs::create_dir(folder)
                .map_err(|e| no_clash(HarnessError::io("creating a folder", folder, e)))?;
        }
        let tls = match o.tls {
            true => Some(tls::generate(dir.path(), o.bind_ip).map_err(no_clash)?),
            false => None,
        };
        let [ws_port, wss_port, admin_port, http_port, https_port, admin_http_port] =
            config::free_ports().map_err(no_clash)?;
        let server_name = format!(
            "janus-tests-{}-{}",
            std::process::id(),
            NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed)
        );
        let log = dir.path().join("janus.log");
        let (unix_path, admin_unix_path) =
            (dir.path().join("api.sock"), dir.path().join("admin.sock"));
        for path in [&unix_path, &admin_unix_path] {
            if path.as_os_str().len() > MAX_UNIX_PATH {
                return Err(no_clash(HarnessError::InvalidOption {
                    option: "TMPDIR",
                    reason: format!(
                        "the Unix socket path {} is longer than {MAX_UNIX_PATH} bytes",
                        path.display()
                    ),
                }));
            }
        }
        let vars = template_vars(
            o,
            &janus.lib_dir,
            &dir,
            &server_name,
            [
                ws_port,
                wss_port,
                admin_port,
                http_port,
                https_port,
                admin_http_port,
            ],
            [&unix_path, &admin_unix_path],
            tls.as_ref(),
        )
        .map_err(no_clash)?;
        config::render(&conf, &vars).map_err(no_clash)?;

        let mut command: Vec<OsString> = match &o.netns {
            Some(ns) => ["ip", "netns", "exec", ns].map(OsString::from).to_vec(),
            None => Vec::new(),
        };
        command.extend([
            janus.binary.clone().into(),
            "-F".into(),
            conf.into(),
            "-L".into(),
            log.clone().into(),
        ]);
        let output = dir.path().join("janus.out");
        let child = spawn(&command, &output).map_err(no_clash)?;

        let url = |scheme, port| format!("{scheme}://{}:{port}", o.bind_ip);
        let addr = |port| SocketAddr::from((o.bind_ip, port));
        let mut process = Process {
            child,
            command,
            _dir: dir,
            log,
            output,
            ca_pem: tls.map(|t| t.ca_pem),
            name: log_name(o.name.as_deref()),
            server_name,
            ws_url: url("ws", ws_port),
            ws_addr: addr(ws_port),
            wss_addr: o.tls.then(|| addr(wss_port)),
            admin_url: url("ws", admin_port),
            admin_addr: addr(admin_port),
            unix_path: unix_path.clone(),
            admin_unix_path: admin_unix_path.clone(),
            http_addr: addr(http_port),
            https_addr: o.tls.then(|| addr(https_port)),
            admin_http_addr: addr(admin_http_port),
            startup_timeout: o.startup_timeout,
            log_at_spawn: 0,
        };
        process.ready_or_error()?;
        Ok(Self {
            ws_url: url("ws", ws_port),
            wss_url: o.tls.then(|| url("wss", wss_port)),
            admin_url: url("ws", admin_port),
            unix_path: Some(unix_path),
            admin_unix_path: Some(admin_unix_path),
            http_url: Some(format!("{}/janus", url("http", http_port))),
            https_url: o.tls.then(|| format!("{}/janus", url("https", https_port))),
            admin_http_url: Some(format!("{}/admin", url("http", admin_http_port))),
            admin_secret: o.admin_secret.clone(),
            api_secret: o.api_secret.clone(),
            version: Some(o.version),
            process: Some(process),
        })
    }
}

impl Drop for JanusServer {
    /// Stops Janus; keeps its log in `target/janus-logs/` if the thread is panicking or
    /// `JANUS_KEEP_LOGS=1`; deletes the temp folder.
    fn drop(&mut self) {
        let Some(process) = self.process.as_mut() else {
            return;
        };
        if let Err(e) = process.terminate() {
            eprintln!("janus-tests: could not stop Janus: {e}");
        }
        if std::thread::panicking() || std::env::var("JANUS_KEEP_LOGS").is_ok_and(|v| v == "1") {
            match process.keep_log() {
                Ok(kept) => eprintln!("janus-tests: Janus log kept at {}", kept.display()),
                Err(e) => eprintln!("janus-tests: could not keep the Janus log: {e}"),
            }
        }
    }
}

/// Why a readiness wait ended without success.
enum Unready {
    Exited(ExitStatus),
    /// Still no good answer at the deadline: the last probe failure.
    Timeout(String),
    /// Someone else answers on our port, or Janus could not bind one: ports clashed.
    Clash(String),
    /// Janus's Unix sockets thread ended as it started (see [`UNIX_THREAD_ENDED`]).
    NoUnixSockets,
}

impl Process {
    /// Waits for readiness; on failure kills Janus, keeps its log and describes why.
    fn ready_or_error(&mut self) -> Result<(), (HarnessError, bool)> {
        let started = Instant::now();
        let unready = match self.wait_ready() {
            Ok(()) => return Ok(()),
            Err(unready) => unready,
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = self.keep_log().unwrap_or_else(|_| self.log.clone());
        let log_tail = self.log_tail();
        let again = matches!(unready, Unready::Clash(_) | Unready::NoUnixSockets);
        let error = match unready {
            Unready::Exited(status) => HarnessError::Exited {
                status: status.to_string(),
                log,
                log_tail,
            },
            Unready::NoUnixSockets => HarnessError::NotReady {
                url: self.ws_url.clone(),
                waited: started.elapsed(),
                reason: "Janus's Unix sockets thread ended as it started (a race in Janus)"
                    .to_owned(),
                log,
                log_tail,
            },
            Unready::Timeout(reason) | Unready::Clash(reason) => HarnessError::NotReady {
                url: self.ws_url.clone(),
                waited: started.elapsed(),
                reason,
                log,
                log_tail,
            },
        };
        Err((error, again || self.log_text().contains(BIND_FAILURE)))
    }

    /// Polls until the Janus API answers a `ping` and both APIs answer `info` with our
    /// `server_name`, over WebSockets and over Unix sockets, Janus exits, or the startup
    /// timeout passes.
    fn wait_ready(&mut self) -> Result<(), Unready> {
        let deadline = Instant::now() + self.startup_timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Err(Unready::Exited(status)),
                Ok(None) => {}
                Err(e) => return Err(Unready::Timeout(format!("cannot check the process: {e}"))),
            }
            let reason = match self.probe() {
                Ok(()) if self.log_text().contains(BIND_FAILURE) => {
                    return Err(Unready::Clash(format!("a listener failed: {BIND_FAILURE}")))
                }
                Ok(()) => return Ok(()),
                Err(Unready::Timeout(_)) if self.log_since_spawn().contains(UNIX_THREAD_ENDED) => {
                    return Err(Unready::NoUnixSockets)
                }
                Err(Unready::Timeout(reason)) => reason,
                Err(other) => return Err(other),
            };
            if Instant::now() >= deadline {
                return Err(Unready::Timeout(reason));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One round of readiness checks.
    fn probe(&self) -> Result<(), Unready> {
        let protocol = "janus-protocol";
        let pong = exchange(&self.ws_url, self.ws_addr, protocol, PING, PROBE_TIMEOUT)
            .map_err(|e| Unready::Timeout(format!("ping: {e}")))?;
        if !squeeze(&pong).contains(r#""janus":"pong""#) {
            return Err(Unready::Timeout(format!("ping answered with {pong}")));
        }
        let ours = format!(r#""server-name":"{}""#, self.server_name);
        let apis = [
            (&self.ws_url, self.ws_addr, protocol),
            (&self.admin_url, self.admin_addr, "janus-admin-protocol"),
        ];
        for (url, addr, protocol) in apis {
            let info = exchange(url, addr, protocol, INFO, PROBE_TIMEOUT)
                .map_err(|e| Unready::Timeout(format!("info on {url}: {e}")))?;
            if !squeeze(&info).contains(&ours) {
                return Err(Unready::Clash(format!("another server answers on {url}")));
            }
        }
        for path in [&self.unix_path, &self.admin_unix_path] {
            let info = exchange_unix(path, INFO, PROBE_TIMEOUT)
                .map_err(|e| Unready::Timeout(format!("info on {}: {e}", path.display())))?;
            if !squeeze(&info).contains(&ours) {
                return Err(Unready::Timeout(format!(
                    "{} answers as another server: {info}",
                    path.display()
                )));
            }
        }
        let info = exchange_http(self.http_addr, "/janus/info", PROBE_TIMEOUT)
            .map_err(|e| Unready::Timeout(format!("info on http {}: {e}", self.http_addr)))?;
        if !squeeze(&info).contains(&ours) {
            return Err(Unready::Clash(format!(
                "another server answers on http {}",
                self.http_addr
            )));
        }
        let listeners = [
            ("wss", self.wss_addr),
            ("https", self.https_addr),
            ("admin http", Some(self.admin_http_addr)),
        ];
        for (what, addr) in listeners {
            if let Some(addr) = addr {
                TcpStream::connect_timeout(&addr, PROBE_TIMEOUT)
                    .map_err(|e| Unready::Timeout(format!("{what} port {addr}: {e}")))?;
            }
        }
        Ok(())
    }

    /// SIGTERM, bounded wait, SIGKILL; returns immediately if Janus already ended.
    fn terminate(&mut self) -> Result<ExitStatus, HarnessError> {
        let wait_error = |e| HarnessError::io("waiting for Janus to end", "janus", e);
        if let Some(status) = self.child.try_wait().map_err(wait_error)? {
            return Ok(status);
        }
        // The child is not reaped before we wait for it, so its pid cannot have been reused.
        let pid = self.child.id().to_string();
        let sent = run(
            "sending SIGTERM to Janus",
            Command::new("sh").args(["-c", r#"kill -TERM "$1""#, "sh", &pid]),
        );
        if sent.is_ok() {
            let deadline = Instant::now() + STOP_TIMEOUT;
            while Instant::now() < deadline {
                if let Some(status) = self.child.try_wait().map_err(wait_error)? {
                    return Ok(status);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            eprintln!(
                "janus-tests: Janus pid {pid} ignored SIGTERM for {STOP_TIMEOUT:?}, killing it"
            );
        }
        let _ = self.child.kill();
        self.child.wait().map_err(wait_error)
    }

    /// Copies the log (and Janus's stdout/stderr, if any) to `target/janus-logs/NAME-PID.log`.
    fn keep_log(&self) -> Result<PathBuf, HarnessError> {
        let folder = target_dir().join("janus-logs");
        std::fs::create_dir_all(&folder)
            .map_err(|e| HarnessError::io("creating the kept-logs folder", &folder, e))?;
        let kept = folder.join(format!("{}-{}.log", self.name, self.child.id()));
        let mut text = self.log_text();
        let output = std::fs::read_to_string(&self.output).unwrap_or_default();
        if !output.trim().is_empty() {
            text.push_str("\n--- janus stdout/stderr ---\n");
            text.push_str(&output);
        }
        std::fs::write(&kept, text)
            .map_err(|e| HarnessError::io("keeping the Janus log", &kept, e))?;
        Ok(kept)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// What the running Janus has logged (a restarted one appends to the same file).
    fn log_since_spawn(&self) -> String {
        let text = self.log_text();
        text.get(self.log_at_spawn..).unwrap_or_default().to_owned()
    }

    /// Starts Janus again with the same command, its log continuing where it is.
    fn respawn(&mut self) -> Result<(), HarnessError> {
        self.log_at_spawn = self.log_text().len();
        self.child = spawn(&self.command, &self.output)?;
        Ok(())
    }

    /// The last lines of the log and of stdout/stderr, for error messages.
    fn log_tail(&self) -> String {
        let output = std::fs::read_to_string(&self.output).unwrap_or_default();
        let mut text = tail(&self.log_text(), 40);
        if !output.trim().is_empty() {
            text.push_str("\n--- janus stdout/stderr ---\n");
            text.push_str(&tail(&output, 20));
        }
        text
    }
}

const PING: &str = r#"{"janus":"ping","transaction":"harness-ready"}"#;
const INFO: &str = r#"{"janus":"info","transaction":"harness-ready"}"#;

/// The `@NAME@` values for the templates.
fn template_vars(
    o: &JanusOptions,
    lib: &Path,
    dir: &tempfile::TempDir,
    server_name: &str,
    [ws_port, wss_port, admin_port, http_port, https_port, admin_http_port]: [u16; 6],
    [unix_path, admin_unix_path]: [&Path; 2],
    tls: Option<&tls::TlsFiles>,
) -> Result<Vec<(&'static str, String)>, HarnessError> {
    let path = |p: PathBuf| config::quoted("temp folder", &p.to_string_lossy());
    let flag = |b: bool| b.to_string();
    let api_secret = match &o.api_secret {
        Some(secret) => format!(
            r#"api_secret = "{}""#,
            config::quoted("api_secret", secret)?
        ),
        None => "# no api_secret".to_owned(),
    };
    let ice_enforce_list = match &o.ice_enforce_list {
        Some(list) => format!(
            r#"ice_enforce_list = "{}""#,
            config::quoted("ice_enforce_list", list)?
        ),
        None => "# no ice_enforce_list".to_owned(),
    };
    let (cert_pem, cert_key) = match tls {
        Some(t) => (path(t.cert_pem.clone())?, path(t.key_pem.clone())?),
        None => (String::new(), String::new()),
    };
    if o.debug_level > 7 {
        return Err(HarnessError::InvalidOption {
            option: "debug_level",
            reason: format!("{} is not in 0..=7", o.debug_level),
        });
    }
    Ok(vec![
        ("SERVER_NAME", server_name.to_owned()),
        ("CONFIGS_FOLDER", path(dir.path().join("conf"))?),
        ("PLUGINS_FOLDER", path(lib.join("plugins"))?),
        ("TRANSPORTS_FOLDER", path(lib.join("transports"))?),
        ("EVENTS_FOLDER", path(lib.join("events"))?),
        ("LOGGERS_FOLDER", path(lib.join("loggers"))?),
        ("LOG_FILE", path(dir.path().join("janus.log"))?),
        ("RECORDINGS_FOLDER", path(dir.path().join("recordings"))?),
        ("DEBUG_LEVEL", o.debug_level.to_string()),
        ("SESSION_TIMEOUT", o.session_timeout.to_string()),
        (
            "RECLAIM_SESSION_TIMEOUT",
            o.reclaim_session_timeout.to_string(),
        ),
        (
            "ADMIN_SECRET",
            config::quoted("admin_secret", &o.admin_secret)?,
        ),
        ("API_SECRET", api_secret),
        ("TOKEN_AUTH", flag(o.token_auth)),
        ("FULL_TRICKLE", flag(o.full_trickle)),
        ("IGNORE_MDNS", flag(o.ignore_mdns)),
        ("ICE_ENFORCE_LIST", ice_enforce_list),
        ("BIND_IP", o.bind_ip.to_string()),
        ("WS_PORT", ws_port.to_string()),
        ("WSS", flag(o.tls)),
        ("WSS_PORT", wss_port.to_string()),
        ("ADMIN_WS_PORT", admin_port.to_string()),
        ("HTTP_PORT", http_port.to_string()),
        ("HTTPS_PORT", https_port.to_string()),
        ("ADMIN_HTTP_PORT", admin_http_port.to_string()),
        ("CERT_PEM", cert_pem),
        ("CERT_KEY", cert_key),
        ("UNIX_PATH", path(unix_path.to_owned())?),
        ("ADMIN_UNIX_PATH", path(admin_unix_path.to_owned())?),
    ])
}

/// Spawns `command` (program first) with stdout and stderr going to `output`.
fn spawn(command: &[OsString], output: &Path) -> Result<Child, HarnessError> {
    let program = command.first().map(PathBuf::from).unwrap_or_default();
    let out = File::options()
        .create(true)
        .append(true)
        .open(output)
        .map_err(|e| HarnessError::io("creating Janus's output file", output, e))?;
    let err = out
        .try_clone()
        .map_err(|e| HarnessError::io("creating Janus's output file", output, e))?;
    let child = Command::new(&program)
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| HarnessError::io("starting Janus", &program, e))?;
    watch(child.id(), output)?;
    Ok(child)
}

/// Starts a watchdog that kills Janus if this test process dies without stopping it (killed
/// by a timeout, or a shared instance that is never dropped). It checks the process is still
/// this Janus (its command line names our temp folder) before killing, and exits when Janus
/// is gone.
fn watch(janus: u32, output: &Path) -> Result<(), HarnessError> {
    let marker = output
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let script = r#"while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
if kill -0 "$2" 2>/dev/null && tr '\0' ' ' < "/proc/$2/cmdline" | grep -qF -- "$3"; then kill -KILL "$2"; fi"#;
    Command::new("sh")
        .args(["-c", script, "janus-watchdog"])
        .arg(std::process::id().to_string())
        .arg(janus.to_string())
        .arg(marker)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| HarnessError::io("starting the Janus watchdog", "sh", e))
}

/// A file-name-safe name for the kept log: the given one, else the thread's (the test's) name.
fn log_name(name: Option<&str>) -> String {
    let thread = std::thread::current();
    let raw = name.or(thread.name()).unwrap_or("janus");
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `CARGO_TARGET_DIR`, else the workspace's `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// `getconf CLK_TCK` (the unit of `/proc/PID/stat` times), 100 if that fails.
fn clock_ticks_per_second() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .filter(|&ticks| ticks > 0)
            .unwrap_or(100)
    })
}
