//! What `janus-bench run` will do: its command line, the clients and where their runners are,
//! the workload sizes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use janus_bench_common::{RunArgs, Workload};

use crate::child::{is_executable, which, Program};

/// The usage text.
pub const USAGE: &str = "\
usage: janus-bench serve
       janus-bench run [--quick] [--rounds R] [--clients LIST] [--out DIR] [--w1-long N]
                       [--transport ws|http|unix] [--no-syscalls]

run: starts one private Janus and runs W1, W2 and W3 through every client, alternating, then
compares them (tables on stdout; results.json, summary.md and w1-latency.svg in DIR).
  --quick          small sizes, 1 round, no W1 long run
  --rounds R       rounds of every workload (default 3; --quick: 1)
  --clients LIST   comma-separated from ours-blocking,ours-ws,ours-ws-tokio,jarust,janode
                   (default: the first four, plus janode when node and
                   bench/janode/node_modules exist)
  --out DIR        where to write the results (default bench/results)
  --w1-long N      iterations of the W1 long run, once per client (default 10000; 0: skip;
                   skipped with --quick unless given)
  --transport T    which of Janus's transports every client speaks: ws (WebSocket, the
                   default), http (REST with long-polls; jarust's Restful interface, no
                   janode) or unix (SOCK_SEQPACKET; ours only)
  --no-syscalls    skip counting system calls per W1 iteration (two W1 runs of every
                   client under strace -f -c; skipped anyway when strace cannot run)";

/// Which of Janus's transports the clients speak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    /// WebSocket.
    #[default]
    Ws,
    /// HTTP REST with long-polls.
    Http,
    /// Unix `SOCK_SEQPACKET` sockets.
    Unix,
}

impl Transport {
    /// Its name on the command line and in the results.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Ws => "ws",
            Transport::Http => "http",
            Transport::Unix => "unix",
        }
    }

    fn parse(name: &str) -> Result<Self, String> {
        [Transport::Ws, Transport::Http, Transport::Unix]
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| format!("unknown transport {name:?} (ws, http, unix)"))
    }
}

/// A client library under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Client {
    /// `janus-blocking`.
    OursBlocking,
    /// `janus-transport-ws` on smol.
    OursWs,
    /// `janus-transport-ws` on a current-thread tokio runtime.
    OursWsTokio,
    /// jarust 1.10 (crates.io).
    Jarust,
    /// janode 1.8 (npm).
    Janode,
}

impl Client {
    /// Every client, in the order tables list them.
    pub const ALL: [Client; 5] = [
        Client::OursBlocking,
        Client::OursWs,
        Client::OursWsTokio,
        Client::Jarust,
        Client::Janode,
    ];

    /// The name runners put in their reports.
    pub fn name(self) -> &'static str {
        match self {
            Client::OursBlocking => "ours-blocking",
            Client::OursWs => "ours-ws",
            Client::OursWsTokio => "ours-ws-tokio",
            Client::Jarust => "jarust",
            Client::Janode => "janode",
        }
    }

    /// Whether its runner speaks `transport`: ours all three, jarust WebSocket and HTTP
    /// (its Restful interface), janode's runner WebSocket.
    pub fn speaks(self, transport: Transport) -> bool {
        match self {
            Client::OursBlocking | Client::OursWs | Client::OursWsTokio => true,
            Client::Jarust => transport != Transport::Unix,
            Client::Janode => transport == Transport::Ws,
        }
    }

    /// Whether it is one of this workspace's clients (its failure is a failure of the run).
    pub fn is_ours(self) -> bool {
        matches!(
            self,
            Client::OursBlocking | Client::OursWs | Client::OursWsTokio
        )
    }

    /// The client a report name stands for.
    fn parse(name: &str) -> Result<Self, String> {
        Client::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown client {name:?} (ours-blocking, ours-ws, ours-ws-tokio, jarust, \
                     janode)"
                )
            })
    }
}

/// The command line of `janus-bench run`.
#[derive(Debug, Default)]
pub struct Options {
    /// `--quick`.
    pub quick: bool,
    /// `--rounds`.
    pub rounds: Option<usize>,
    /// `--clients`.
    pub clients: Option<Vec<Client>>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--w1-long`.
    pub w1_long: Option<usize>,
    /// `--transport`.
    pub transport: Transport,
    /// `--no-syscalls`.
    pub no_syscalls: bool,
}

impl Options {
    /// Parses the arguments after `run` (`--flag value` or `--flag=value`).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg, None),
            };
            match flag.as_str() {
                "--quick" => {
                    options.quick = true;
                    continue;
                }
                "--no-syscalls" => {
                    options.no_syscalls = true;
                    continue;
                }
                "--rounds" | "--w1-long" | "--out" | "--clients" | "--transport" => {}
                other => return Err(format!("unknown flag {other}")),
            }
            let value = match inline.or_else(|| args.next()) {
                Some(value) => value,
                None => return Err(format!("{flag} needs a value")),
            };
            let number = || {
                value
                    .parse::<usize>()
                    .map_err(|e| format!("{flag} {value}: {e}"))
            };
            match flag.as_str() {
                "--rounds" => options.rounds = Some(number()?.max(1)),
                "--w1-long" => options.w1_long = Some(number()?),
                "--out" => options.out = Some(PathBuf::from(&value)),
                "--transport" => options.transport = Transport::parse(&value)?,
                "--clients" => {
                    let mut clients = Vec::new();
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        let client = Client::parse(name)?;
                        if !clients.contains(&client) {
                            clients.push(client);
                        }
                    }
                    if clients.is_empty() {
                        return Err("--clients names no client".to_owned());
                    }
                    options.clients = Some(clients);
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

/// A client and how to start its runner.
#[derive(Clone, Debug)]
pub struct Runner {
    /// Which client.
    pub client: Client,
    /// The program.
    pub program: Program,
    /// `--variant` to pass.
    pub variant: Option<&'static str>,
}

/// Where things are: the orchestrator's own directory (the runners are built next to it) and
/// the bench workspace.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The directory of this executable (`bench/target/release`).
    pub bin: PathBuf,
    /// The bench workspace (`bench/`).
    pub bench: PathBuf,
}

impl Layout {
    /// Finds both from this executable's path (`bench/target/release/janus-bench`), falling
    /// back to the source tree this was built from.
    pub fn find() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("where am I: {e}"))?;
        let bin = exe
            .parent()
            .ok_or_else(|| format!("{} has no directory", exe.display()))?
            .to_path_buf();
        let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let bench = [bin.join("..").join(".."), built_from]
            .into_iter()
            .find(|dir| dir.join("orchestrator").is_dir() && dir.join("Cargo.toml").is_file())
            .ok_or("cannot find the bench workspace (bench/) from this executable")?;
        let bench = bench.canonicalize().unwrap_or(bench);
        Ok(Layout { bin, bench })
    }

    /// The core micro-benchmark, if it was built.
    pub fn core(&self) -> Option<Program> {
        let path = self.bin.join("janus-bench-core");
        is_executable(&path).then(|| Program::binary(path))
    }

    /// Where a client's runner is, or why it cannot run.
    fn runner(&self, client: Client) -> Result<Runner, String> {
        let binary = |name: &str, variant| {
            let path = self.bin.join(name);
            if is_executable(&path) {
                Ok(Runner {
                    client,
                    program: Program::binary(path),
                    variant,
                })
            } else {
                Err(format!(
                    "the {} runner is missing: no {} (build the bench workspace: \
                     cargo build --release in bench/)",
                    client.name(),
                    path.display()
                ))
            }
        };
        match client {
            Client::OursBlocking => binary("janus-bench-ours", Some("blocking")),
            Client::OursWs => binary("janus-bench-ours", Some("ws")),
            Client::OursWsTokio => binary("janus-bench-ours", Some("ws-tokio")),
            Client::Jarust => binary("janus-bench-jarust", None),
            Client::Janode => {
                let script = self.bench.join("janode").join("runner.js");
                let node = which("node").ok_or("janode needs node, which is not on PATH")?;
                if !script.is_file() {
                    return Err(format!(
                        "the janode runner is missing: no {}",
                        script.display()
                    ));
                }
                if !self.janode_modules().is_dir() {
                    return Err(format!(
                        "janode is not installed: no {} (npm ci in bench/janode)",
                        self.janode_modules().display()
                    ));
                }
                Ok(Runner {
                    client,
                    program: Program {
                        path: node,
                        prefix: vec![script.display().to_string()],
                    },
                    variant: None,
                })
            }
        }
    }

    /// janode's installed npm packages.
    fn janode_modules(&self) -> PathBuf {
        self.bench.join("janode").join("node_modules")
    }

    /// The runners to use: those named by `--clients` (each must exist), or the default
    /// ones. Also says why janode is left out of the default, if it is.
    pub fn runners(
        &self,
        chosen: Option<&[Client]>,
        transport: Transport,
    ) -> Result<(Vec<Runner>, Option<String>), String> {
        if let Some(chosen) = chosen {
            if let Some(c) = chosen.iter().find(|c| !c.speaks(transport)) {
                return Err(format!("{} does not speak {}", c.name(), transport.name()));
            }
            let runners = chosen
                .iter()
                .map(|&c| self.runner(c))
                .collect::<Result<_, _>>()?;
            return Ok((runners, None));
        }
        let mut runners = [
            Client::OursBlocking,
            Client::OursWs,
            Client::OursWsTokio,
            Client::Jarust,
        ]
        .into_iter()
        .filter(|c| c.speaks(transport))
        .map(|c| {
            self.runner(c)
                .map_err(|e| format!("{e}; or leave it out with --clients"))
        })
        .collect::<Result<Vec<_>, _>>()?;
        let skipped = if !Client::Janode.speaks(transport) {
            Some(format!(
                "janode skipped: its runner does not speak {}",
                transport.name()
            ))
        } else if which("node").is_none() {
            Some("janode skipped: node is not on PATH".to_owned())
        } else if !self.janode_modules().is_dir() {
            Some(format!(
                "janode skipped: {} is missing (run npm ci in bench/janode, or scripts/bench.sh)",
                self.janode_modules().display()
            ))
        } else {
            runners.push(self.runner(Client::Janode)?);
            None
        };
        Ok((runners, skipped))
    }
}

/// The workload sizes of a full or a quick run.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// `--quick`.
    pub quick: bool,
}

impl Sizes {
    /// The arguments of one run of `workload` against `url`.
    pub fn args(self, url: &str, workload: Workload) -> RunArgs {
        let mut args = RunArgs::new(url, workload);
        match (workload, self.quick) {
            // Full runs are sized so that each uses a few hundred ms of CPU: the kernel
            // charges CPU time in scheduler ticks, too coarse for runs of a few ms.
            (Workload::W1, false) => {
                args.iterations = 2000;
                args.rss_checkpoint = 300;
            }
            (Workload::W1, true) => {
                args.iterations = 50;
                args.rss_checkpoint = 0;
            }
            (Workload::W2, quick) => {
                args.iterations = if quick { 1 } else { 20 };
                args.sessions = if quick { 20 } else { 100 };
                args.handles = 5;
            }
            (Workload::W3, false) => {
                args.sessions = 1000;
                args.hold = Duration::from_secs(10);
                args.keepalive = Duration::from_secs(5);
            }
            (Workload::W3, true) => {
                args.sessions = 100;
                args.hold = Duration::from_secs(2);
                args.keepalive = Duration::from_secs(1);
            }
        }
        args
    }

    /// The iterations of the two W1 runs whose system calls are counted (the count per
    /// iteration is the difference of the two over the difference of the iterations, so that
    /// starting, connecting and ending cancel out).
    pub fn syscall_runs(self) -> (usize, usize) {
        if self.quick {
            (20, 120)
        } else {
            (200, 1200)
        }
    }

    /// A W1 run of `iterations` for counting system calls (no RSS reading but at the end).
    pub fn counted(self, url: &str, iterations: usize) -> RunArgs {
        let mut args = RunArgs::new(url, Workload::W1);
        args.iterations = iterations;
        args.rss_checkpoint = 0;
        args
    }

    /// The W1 long run: `iterations` with an RSS reading after 300.
    pub fn long(self, url: &str, iterations: usize) -> RunArgs {
        let mut args = RunArgs::new(url, Workload::W1);
        args.iterations = iterations;
        args.rss_checkpoint = 300;
        args
    }

    /// Janus's `session_timeout`, in seconds: short enough that a W3 session without
    /// keepalives expires during the hold, long enough that one with them never does; then
    /// every successful destroy after the hold proves the keepalives went out. Janus looks
    /// every 2 s and expires a session at the second look that finds it idle for
    /// `session_timeout` (measured with 1.1.2: 6 s gives expiry within 10 s, 7 s does not),
    /// so that is one second more than the keepalive interval when the hold is at least four
    /// seconds longer still. `None` when the hold is too short for that (the quick sizes):
    /// Janus's usual 60 s.
    pub fn session_timeout(self) -> Option<u32> {
        let w3 = self.args("", Workload::W3);
        let keepalive = u32::try_from(w3.keepalive.as_secs()).ok()?;
        let hold = u32::try_from(w3.hold.as_secs()).ok()?;
        let timeout = keepalive + 1;
        (timeout + 4 <= hold).then_some(timeout)
    }

    /// How long a run may take before it is killed.
    pub fn limit(args: &RunArgs) -> Duration {
        let base = Duration::from_secs(60);
        match args.workload {
            Workload::W1 => base + Duration::from_millis(20) * args.iterations as u32,
            Workload::W2 => {
                let requests = args.iterations * args.sessions * (2 * args.handles + 2);
                base + Duration::from_millis(10) * requests as u32
            }
            Workload::W3 => base + args.hold + Duration::from_millis(20) * args.sessions as u32,
        }
    }
}
