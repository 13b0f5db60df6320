//! What the results were measured on: CPU, cores, kernel, Janus and node versions.

use std::process::Command;

use serde_json::{json, Value};

/// The machine and the software under test, for `results.json` and the summary's header.
#[derive(Debug, Clone)]
pub struct Machine {
    /// `model name` of `/proc/cpuinfo`.
    pub cpu: String,
    /// Cores this process may use.
    pub cores: usize,
    /// `/proc/sys/kernel/osrelease`.
    pub kernel: String,
    /// `PRETTY_NAME` of `/etc/os-release`.
    pub os: String,
    /// What `janus --version` says (`1.1.2`), or why it is unknown.
    pub janus: String,
    /// `node --version`, when janode runs.
    pub node: Option<String>,
}

impl Machine {
    /// Reads it all; anything unreadable becomes `unknown`.
    pub fn probe(with_node: bool) -> Self {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpu = read("/proc/cpuinfo")
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
        let os = read("/etc/os-release")
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map_or_else(|| "unknown".to_owned(), |v| v.trim_matches('"').to_owned());
        let kernel = read("/proc/sys/kernel/osrelease").trim().to_owned();
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            kernel: if kernel.is_empty() {
                "unknown".to_owned()
            } else {
                kernel
            },
            os,
            janus: janus_version(),
            node: with_node.then(|| first_line("node", &["--version"])),
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "cpu": self.cpu,
            "cores": self.cores,
            "kernel": self.kernel,
            "os": self.os,
            "janus_version": self.janus,
            "node_version": self.node,
        })
    }
}

/// `1.1.2` out of `Janus version: 1102 (1.1.2)`.
fn janus_version() -> String {
    let line = first_line("janus", &["--version"]);
    line.split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(line.clone(), |(version, _)| version.to_owned())
}

/// The first line `program args` prints (stdout, else stderr), or why there is none.
fn first_line(program: &str, args: &[&str]) -> String {
    match Command::new(program).args(args).output() {
        Ok(out) => {
            let text = if out.stdout.is_empty() {
                out.stderr
            } else {
                out.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("unknown")
                .trim()
                .to_owned()
        }
        Err(e) => format!("unknown ({program}: {e})"),
    }
}
