//! Running one runner (or the core micro-benchmark) as a child process, bounded in time, and
//! collecting what it printed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long to wait for a child's output pipes to close once it has exited.
const PIPE_GRACE: Duration = Duration::from_secs(5);
/// How often to look whether the child has exited.
const POLL: Duration = Duration::from_millis(2);

/// A program and the arguments that always come first (`node runner.js`).
#[derive(Clone, Debug)]
pub struct Program {
    /// The executable.
    pub path: PathBuf,
    /// Arguments before the run's own.
    pub prefix: Vec<String>,
}

impl Program {
    /// An executable run as is.
    pub fn binary(path: PathBuf) -> Self {
        Program {
            path,
            prefix: Vec::new(),
        }
    }

    /// The command line, for messages.
    pub fn display(&self) -> String {
        let mut words = vec![self.path.display().to_string()];
        words.extend(self.prefix.iter().cloned());
        words.join(" ")
    }
}

/// What a finished child left behind.
#[derive(Debug)]
pub struct Finished {
    /// `exit 0`, `exit 1`, `signal 9`, `timed out after 120 s`, `cannot start: …`.
    pub status: String,
    /// Whether it exited with status 0.
    pub success: bool,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

/// Runs `program` with `args` (after its prefix), killing it after `limit`.
pub fn run(program: &Program, args: &[String], limit: Duration) -> Finished {
    let spawned = Command::new(&program.path)
        .args(&program.prefix)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Finished {
                status: format!("cannot start {}: {e}", program.display()),
                success: false,
                stdout: String::new(),
                stderr: String::new(),
            }
        }
    };
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    let (status, success) = match wait(&mut child, limit) {
        Ok(Some(status)) => (describe(status), status.success()),
        Ok(None) => (format!("timed out after {} s", limit.as_secs()), false),
        Err(e) => (format!("cannot wait for the child: {e}"), false),
    };
    Finished {
        status,
        success,
        stdout: stdout.recv_timeout(PIPE_GRACE).unwrap_or_default(),
        stderr: stderr.recv_timeout(PIPE_GRACE).unwrap_or_default(),
    }
}

/// Reads a pipe to its end on a thread; the text arrives on the channel.
fn collect(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
        });
    }
    rx
}

/// Waits for the child at most `limit`; kills it past that (`Ok(None)`).
fn wait(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        thread::sleep(POLL);
    }
}

/// `exit N` or `signal N`.
fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => status.to_string(),
    }
}

/// The last `lines` lines of `text`, for error reports.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `name` found in a directory of `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a file with an execute bit.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
