//! Makes sure `janus` (or `openssl`) is installed, running `scripts/install-janus.sh` once per
//! process when it is not: a fresh machine has neither.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::command::{run, which};
use super::HarnessError;

/// Serialises installs: parallel tests must not run apt-get at the same time.
static INSTALL_LOCK: Mutex<()> = Mutex::new(());

/// The repository's installer script.
pub(crate) fn installer() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-janus.sh")
}

/// The path of `program` (a Debian package's command of the same name), installing the
/// package first if it is not on `PATH`.
pub(crate) fn ensure(program: &'static str) -> Result<PathBuf, HarnessError> {
    if let Some(found) = which(program) {
        return Ok(found);
    }
    let _guard = INSTALL_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = which(program) {
        return Ok(found);
    }
    let script = installer();
    eprintln!(
        "janus-tests: `{program}` not found, running {}",
        script.display()
    );
    run(
        "installing a missing program",
        Command::new("sh").arg(&script).arg(program),
    )?;
    which(program).ok_or(HarnessError::Missing {
        program,
        installer: script,
    })
}
