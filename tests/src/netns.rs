//! [`NetNs`]: a private network namespace joined to the host by a veth pair, so that a Janus
//! started inside it (see [`JanusOptions::netns`](crate::JanusOptions::netns)) gathers a real,
//! non-loopback ICE candidate that a WebRTC peer on the host can reach, without any traffic
//! leaving the machine.
//!
//! Every namespace gets its own /30 out of 10.203.0.0/16 (16384 of them): the host end of the
//! veth is `.1` of the block, the inner end `.2`. Names carry the creating process's id, so a
//! later run can tell the leftovers of a killed run from the namespaces of a live one
//! ([`NetNs::cleanup_stale`]):
//!
//! * namespace `jt-PREFIX-PID-INDEX`,
//! * host-side veth `jhINDEX` (alias `janus-tests:PID`), inner veth `jiINDEX`,
//!
//! where `INDEX` numbers the /30 block. Creating the veth pair is what reserves an index: the
//! kernel refuses a second `jhINDEX`, so parallel tests and processes never share a block.
//!
//! ```no_run
//! use janus_tests::netns::NetNs;
//! use janus_tests::{JanusOptions, JanusServer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! if let Err(reason) = NetNs::available() {
//!     eprintln!("skipped: {reason}");
//!     return Ok(());
//! }
//! let ns = NetNs::create("echotest")?;
//! let janus = JanusServer::start(
//!     JanusOptions::new()
//!         .netns(Some(ns.name()))
//!         .bind_ip(ns.inner_ip())
//!         .ice_enforce_list(Some(ns.inner_if()))
//!         .ignore_mdns(true),
//! )?;
//! println!("Janus at {}, peer binds {}", janus.ws_url(), ns.host_ip());
//! // Drop Janus before the namespace: declare `ns` first.
//! # Ok(())
//! # }
//! ```

use std::net::Ipv4Addr;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::JanusOptions;

/// Every name this module makes starts with this (namespaces) ...
const NS_PREFIX: &str = "jt-";
/// ... or these (host and inner veth ends).
const HOST_IF_PREFIX: &str = "jh";
const INNER_IF_PREFIX: &str = "ji";
/// The alias of a host-side veth: the owner's pid follows.
const ALIAS_PREFIX: &str = "janus-tests:";
/// Number of /30 blocks in 10.203.0.0/16.
const BLOCKS: u32 = 1 << 14;
/// How many blocks `create` tries before giving up.
const ATTEMPTS: u32 = 64;

/// Numbers the namespaces of this process, to spread the blocks they start from.
static NEXT: AtomicU32 = AtomicU32::new(0);
/// Serialises `apt-get`.
static INSTALL_LOCK: Mutex<()> = Mutex::new(());

/// Why a namespace could not be made or probed.
#[derive(Debug, thiserror::Error)]
pub enum NetNsError {
    /// A program could not be started at all.
    #[error("{step}: cannot run `{program}`: {source}")]
    Spawn {
        /// What was being done.
        step: &'static str,
        /// The program.
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A command ran and failed.
    #[error("{step}: `{command}` failed ({status}): {output}")]
    Command {
        /// What was being done.
        step: &'static str,
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// Its stderr and stdout.
        output: String,
    },
    /// Every /30 tried was taken.
    #[error("no free /30 in 10.203.0.0/16 after {ATTEMPTS} attempts (last error: {last})")]
    Exhausted {
        /// The last `ip link add` failure.
        last: String,
    },
    /// The name prefix would make an invalid namespace name.
    #[error("invalid namespace name prefix {0:?}: use ASCII letters, digits and `_`")]
    BadPrefix(String),
}

/// A network namespace with a veth pair to the host, deleted on drop (together with any
/// process still running inside it).
///
/// Drop whatever runs inside (Janus) before the namespace; since locals drop in reverse
/// order, declare the `NetNs` first.
#[derive(Debug)]
pub struct NetNs {
    name: String,
    index: u32,
    host_if: String,
    inner_if: String,
    host_ip: Ipv4Addr,
    inner_ip: Ipv4Addr,
}

impl NetNs {
    /// Whether namespaces can be made here: we are root, `ip` exists (installing Debian's
    /// `iproute2` with `apt-get` if it is missing) and a probe namespace with a veth pair can
    /// be created and deleted. The answer is computed once per process. The error says why
    /// not, for a "skipped" message.
    pub fn available() -> Result<(), String> {
        static ANSWER: OnceLock<Result<(), String>> = OnceLock::new();
        ANSWER.get_or_init(probe).clone()
    }

    /// Creates a namespace `jt-PREFIX-PID-INDEX` with `lo` up and a veth pair, host end
    /// [`host_ip`](Self::host_ip)/30 and inner end [`inner_ip`](Self::inner_ip)/30, both up.
    /// First removes the leftovers of dead processes ([`cleanup_stale`](Self::cleanup_stale)).
    ///
    /// `prefix` names the user (e.g. the test) and must be ASCII letters, digits or `_`.
    pub fn create(prefix: &str) -> Result<Self, NetNsError> {
        if prefix.is_empty()
            || prefix.len() > 40
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(NetNsError::BadPrefix(prefix.to_owned()));
        }
        Self::cleanup_stale();
        let pid = std::process::id();
        let start = (pid.wrapping_mul(97) + NEXT.fetch_add(1, Ordering::Relaxed) * 7) % BLOCKS;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            let index = (start + attempt) % BLOCKS;
            let (host_ip, inner_ip) = block_ips(index);
            if address_in_use(host_ip) {
                continue;
            }
            let host_if = format!("{HOST_IF_PREFIX}{index}");
            let inner_if = format!("{INNER_IF_PREFIX}{index}");
            let added = ip(
                "creating a veth pair",
                &[
                    "link", "add", &host_if, "type", "veth", "peer", "name", &inner_if,
                ],
            );
            match added {
                Ok(_) => {}
                Err(NetNsError::Command { output, .. })
                    if output.contains("exists") || output.contains("in use") =>
                {
                    last = output;
                    continue;
                }
                Err(other) => return Err(other),
            }
            let ns = NetNs {
                name: format!("{NS_PREFIX}{prefix}-{pid}-{index}"),
                index,
                host_if,
                inner_if,
                host_ip,
                inner_ip,
            };
            // From here on, dropping `ns` undoes whatever was done.
            ns.set_up()?;
            return Ok(ns);
        }
        Err(NetNsError::Exhausted { last })
    }

    /// The rest of `create`, once the veth pair exists.
    fn set_up(&self) -> Result<(), NetNsError> {
        let alias = format!("{ALIAS_PREFIX}{}", std::process::id());
        let (name, host_if, inner_if) = (&self.name, &self.host_if, &self.inner_if);
        let host = format!("{}/30", self.host_ip);
        let inner = format!("{}/30", self.inner_ip);
        ip(
            "marking the veth",
            &["link", "set", "dev", host_if, "alias", &alias],
        )?;
        ip("creating the namespace", &["netns", "add", name])?;
        ip(
            "moving the veth into the namespace",
            &["link", "set", inner_if, "netns", name],
        )?;
        ip(
            "addressing the host veth",
            &["addr", "add", &host, "dev", host_if],
        )?;
        ip("bringing up the host veth", &["link", "set", host_if, "up"])?;
        ip(
            "bringing up lo in the namespace",
            &["-n", name, "link", "set", "lo", "up"],
        )?;
        ip(
            "addressing the inner veth",
            &["-n", name, "addr", "add", &inner, "dev", inner_if],
        )?;
        ip(
            "bringing up the inner veth",
            &["-n", name, "link", "set", inner_if, "up"],
        )?;
        Ok(())
    }

    /// Options for a Janus inside this namespace: listening on the inner veth address,
    /// gathering ICE candidates only there, without mDNS.
    pub fn janus_options(&self) -> JanusOptions {
        JanusOptions::new()
            .netns(Some(self.name()))
            .bind_ip(self.inner_ip())
            .ice_enforce_list(Some(self.inner_if()))
            .ignore_mdns(true)
    }

    /// The namespace's name, for `ip netns exec NAME` and [`JanusOptions::netns`](crate::JanusOptions::netns).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The host end's address (`.1` of the block): bind the WebRTC peer here.
    pub fn host_ip(&self) -> Ipv4Addr {
        self.host_ip
    }

    /// The inner end's address (`.2` of the block): bind Janus's listeners here
    /// ([`JanusOptions::bind_ip`](crate::JanusOptions::bind_ip)).
    pub fn inner_ip(&self) -> Ipv4Addr {
        self.inner_ip
    }

    /// The inner veth's name, for Janus's `ice_enforce_list`
    /// ([`JanusOptions::ice_enforce_list`](crate::JanusOptions::ice_enforce_list)).
    pub fn inner_if(&self) -> &str {
        &self.inner_if
    }

    /// The host veth's name.
    pub fn host_if(&self) -> &str {
        &self.host_if
    }

    /// The number of this namespace's /30 block in 10.203.0.0/16.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Removes what killed runs left behind: namespaces named `jt-…-PID-INDEX` and host veths
    /// aliased `janus-tests:PID` whose PID is no longer running, after killing the processes
    /// still inside such a namespace (a Janus whose test was killed). Best effort: failures are
    /// printed, not returned. Returns how many namespaces and veths were removed.
    pub fn cleanup_stale() -> usize {
        let mut removed = 0;
        let listed = ip("listing namespaces", &["netns", "list"]).unwrap_or_default();
        for line in listed.lines() {
            let Some(name) = line.split_whitespace().next() else {
                continue;
            };
            let Some((pid, index)) = parse_ns_name(name) else {
                continue;
            };
            if process_alive(pid) {
                continue;
            }
            eprintln!("janus-tests: removing namespace {name} left by dead process {pid}");
            remove(name, &format!("{HOST_IF_PREFIX}{index}"));
            removed += 1;
        }
        let links = ip("listing links", &["-o", "link", "show"]).unwrap_or_default();
        for (host_if, pid) in links.lines().filter_map(parse_link_line) {
            if process_alive(pid) {
                continue;
            }
            eprintln!("janus-tests: removing veth {host_if} left by dead process {pid}");
            if let Err(e) = ip("deleting a stale veth", &["link", "delete", &host_if]) {
                eprintln!("janus-tests: {e}");
            }
            removed += 1;
        }
        removed
    }
}

impl Drop for NetNs {
    /// Kills any process left inside, deletes the veth pair and the namespace.
    fn drop(&mut self) {
        remove(&self.name, &self.host_if);
    }
}

/// Kills the processes inside namespace `name`, deletes veth `host_if` and the namespace.
/// Errors are printed; a namespace or link that is already gone is not an error.
fn remove(name: &str, host_if: &str) {
    if let Ok(pids) = ip(
        "listing processes in the namespace",
        &["netns", "pids", name],
    ) {
        for pid in pids.split_whitespace() {
            if pid.parse::<u32>().is_ok() {
                eprintln!("janus-tests: killing process {pid} left in namespace {name}");
                let _ = run(
                    "killing a process",
                    Command::new("kill").args(["-KILL", pid]),
                );
            }
        }
    }
    let gone = |e: &NetNsError| {
        matches!(e, NetNsError::Command { output, .. }
            if output.contains("Cannot find device") || output.contains("No such file"))
    };
    match ip("deleting the veth pair", &["link", "delete", host_if]) {
        Err(e) if !gone(&e) => eprintln!("janus-tests: {e}"),
        _ => {}
    }
    match ip("deleting the namespace", &["netns", "delete", name]) {
        Err(e) if !gone(&e) => eprintln!("janus-tests: {e}"),
        _ => {}
    }
}

/// The host and inner addresses of /30 block `index` of 10.203.0.0/16.
fn block_ips(index: u32) -> (Ipv4Addr, Ipv4Addr) {
    let base = u32::from(Ipv4Addr::new(10, 203, 0, 0)) + (index % BLOCKS) * 4;
    (Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2))
}

/// Whether the host already has an address or route in this /30 (set up by someone else).
fn address_in_use(host_ip: Ipv4Addr) -> bool {
    let net = Ipv4Addr::from(u32::from(host_ip) & !3);
    let routes = ip("listing routes", &["-4", "route", "show"]).unwrap_or_default();
    let prefix = format!("{net}/30");
    routes
        .lines()
        .any(|l| l.starts_with(&prefix) || l.contains(&format!(" {host_ip} ")))
}

/// `jt-PREFIX-PID-INDEX` → (PID, INDEX).
fn parse_ns_name(name: &str) -> Option<(u32, u32)> {
    let rest = name.strip_prefix(NS_PREFIX)?;
    let mut parts = rest.rsplitn(3, '-');
    let index = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    parts.next()?;
    Some((pid, index))
}

/// A line of `ip -o link show` for a host veth of ours → (name, owner pid).
fn parse_link_line(line: &str) -> Option<(String, u32)> {
    // "12: jh17@if11: <BROADCAST,…> mtu 1500 … \    link/ether … \    alias janus-tests:123"
    let name = line.split(": ").nth(1)?.split('@').next()?;
    let digits = name.strip_prefix(HOST_IF_PREFIX)?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let alias = line.split("alias ").nth(1)?.split_whitespace().next()?;
    let pid = alias.strip_prefix(ALIAS_PREFIX)?.parse().ok()?;
    Some((name.to_owned(), pid))
}

/// Whether a process with this id exists.
fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Runs `ip ARGS`, returning its stdout.
fn ip(step: &'static str, args: &[&str]) -> Result<String, NetNsError> {
    run(step, Command::new("ip").args(args))
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command to completion; a failure to start or a non-zero exit is an error.
fn run(step: &'static str, command: &mut Command) -> Result<Output, NetNsError> {
    let output = command.output().map_err(|source| NetNsError::Spawn {
        step,
        program: command.get_program().to_string_lossy().into_owned(),
        source,
    })?;
    if output.status.success() {
        return Ok(output);
    }
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.trim().is_empty() {
        text.push_str(" / ");
        text.push_str(stdout.trim());
    }
    Err(NetNsError::Command {
        step,
        command: format!("{command:?}"),
        status: output.status.to_string(),
        output: text,
    })
}

/// Whether this process's effective user id is 0, from `/proc/self/status`.
fn is_root() -> Result<bool, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    let uid_line = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .ok_or("no Uid line in /proc/self/status")?;
    // Real, effective, saved, file-system uid.
    Ok(uid_line.split_whitespace().nth(1) == Some("0"))
}

/// Whether `program` is an executable on `PATH`.
fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", r#"command -v "$1" >/dev/null 2>&1"#, "sh", program])
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian's `iproute2` (which provides `ip`) with apt-get.
fn install_iproute2() -> Result<(), String> {
    let _guard = INSTALL_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if on_path("ip") {
        return Ok(());
    }
    if !on_path("apt-get") {
        return Err("`ip` is missing and there is no apt-get to install iproute2".into());
    }
    eprintln!("janus-tests: `ip` not found, installing iproute2 with apt-get");
    let apt = |args: &[&str]| {
        run(
            "installing iproute2",
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
        .map(drop)
        .map_err(|e| e.to_string())
    };
    apt(&["update"])?;
    apt(&["install", "-y", "iproute2"])?;
    if on_path("ip") {
        Ok(())
    } else {
        Err("`ip` still missing after installing iproute2".into())
    }
}

/// The uncached [`NetNs::available`].
fn probe() -> Result<(), String> {
    if !is_root()? {
        return Err("network namespaces need root (run the tests as root)".into());
    }
    if !on_path("ip") {
        install_iproute2()?;
    }
    let ns = NetNs::create("probe").map_err(|e| format!("cannot create a namespace: {e}"))?;
    drop(ns);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_slash_30s_of_10_203() {
        assert_eq!(
            block_ips(0),
            (Ipv4Addr::new(10, 203, 0, 1), Ipv4Addr::new(10, 203, 0, 2))
        );
        assert_eq!(
            block_ips(65),
            (Ipv4Addr::new(10, 203, 1, 5), Ipv4Addr::new(10, 203, 1, 6))
        );
        assert_eq!(
            block_ips(BLOCKS - 1),
            (
                Ipv4Addr::new(10, 203, 255, 253),
                Ipv4Addr::new(10, 203, 255, 254)
            )
        );
    }

    #[test]
    fn names_parse() {
        assert_eq!(parse_ns_name("jt-echotest-1234-17"), Some((1234, 17)));
        assert_eq!(parse_ns_name("jt-my_test-1-0"), Some((1, 0)));
        assert_eq!(parse_ns_name("jt-1234-17"), None);
        assert_eq!(parse_ns_name("other-1-2"), None);
        let line = "12: jh17@if11: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state UP \\    link/ether 9a:1b brd ff:ff \\    alias janus-tests:4321";
        assert_eq!(parse_link_line(line), Some(("jh17".to_owned(), 4321)));
        assert_eq!(parse_link_line("3: eth0: <UP> mtu 1500"), None);
        assert_eq!(parse_link_line("4: jh5@if3: <UP> mtu 1500"), None);
    }
}
