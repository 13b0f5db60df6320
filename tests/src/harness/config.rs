//! Turning the templates in `tests/janus-config/` into a private configs folder: free ports,
//! folders and options substituted for the `@NAME@` placeholders.

use std::collections::HashSet;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::HarnessError;

/// Ports handed out in this process, never handed out twice (parallel tests start at once).
static USED_PORTS: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// The repository's config templates.
pub(crate) fn template_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("janus-config")
}

/// `N` distinct loopback TCP ports that were free a moment ago and that no other instance of
/// this process has been given.
pub(crate) fn free_ports<const N: usize>() -> Result<[u16; N], HarnessError> {
    let mut used = USED_PORTS.lock().unwrap_or_else(|p| p.into_inner());
    let used = used.get_or_insert_with(HashSet::new);
    let mut held = Vec::new(); // kept bound until all N are chosen, so they differ
    let mut ports = [0; N];
    let mut i = 0;
    while i < N {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| HarnessError::io("finding a free port", "127.0.0.1:0", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| HarnessError::io("finding a free port", "127.0.0.1:0", e))?
            .port();
        if used.insert(port) {
            ports[i] = port;
            i += 1;
        }
        held.push(listener);
    }
    Ok(ports)
}

/// The Debian package's library folder (`/usr/lib/<triplet>/janus`, holding `plugins/`,
/// `transports/`, `events/`, `loggers/`), or another usual install location.
pub(crate) fn janus_lib_dir() -> Result<PathBuf, HarnessError> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .map(|dir| dir.flatten().map(|e| e.path().join("janus")).collect())
        .unwrap_or_default();
    candidates.extend(
        [
            "/usr/lib/janus",
            "/usr/local/lib/janus",
            "/opt/janus/lib/janus",
        ]
        .map(PathBuf::from),
    );
    candidates
        .into_iter()
        .find(|dir| dir.join("plugins/libjanus_echotest.so").is_file())
        .ok_or_else(|| {
            HarnessError::io(
                "finding the Janus plugins folder",
                "/usr/lib/*/janus/plugins/libjanus_echotest.so",
                io::Error::from(io::ErrorKind::NotFound),
            )
        })
}

/// A value that will sit between double quotes in a jcfg file.
pub(crate) fn quoted(option: &'static str, value: &str) -> Result<String, HarnessError> {
    if value.contains(['"', '\\', '\n', '\r']) {
        return Err(HarnessError::InvalidOption {
            option,
            reason: format!("{value:?} contains a quote, backslash or newline"),
        });
    }
    Ok(value.to_owned())
}

/// Writes every `*.jcfg` template into `out`, replacing each `@NAME@` by its value in `vars`.
pub(crate) fn render(out: &Path, vars: &[(&str, String)]) -> Result<(), HarnessError> {
    let templates = template_dir();
    let entries = std::fs::read_dir(&templates)
        .map_err(|e| HarnessError::io("reading the config templates", &templates, e))?;
    for entry in entries {
        let path = entry
            .map_err(|e| HarnessError::io("reading the config templates", &templates, e))?
            .path();
        if path.extension().is_none_or(|ext| ext != "jcfg") {
            continue;
        }
        let mut text = std::fs::read_to_string(&path)
            .map_err(|e| HarnessError::io("reading a config template", &path, e))?;
        for (name, value) in vars {
            text = text.replace(&format!("@{name}@"), value);
        }
        let target = out.join(path.file_name().unwrap_or_default());
        std::fs::write(&target, text)
            .map_err(|e| HarnessError::io("writing a config", &target, e))?;
    }
    Ok(())
}
