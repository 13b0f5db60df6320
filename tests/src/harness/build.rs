//! Makes sure a Janus built from source exists, running `scripts/build-janus.sh` once per
//! process: the script verifies the tarball, builds into a cache prefix outside the checkout
//! only when no complete build is there, serialises concurrent callers (other test binaries)
//! with `flock`, and prints the prefix.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{HarnessError, JanusVersion};

/// The repository's build script.
pub(crate) fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/build-janus.sh")
}

/// The install prefix of `version` built from source (holding `bin/janus` and
/// `lib/janus/plugins/`), building it first if the cache has no complete build. The script's
/// messages (and apt-get's, when build dependencies are missing), including how long the
/// build took, go straight to this process's stderr as they come (libtest does not capture
/// a child's output), since a first build takes minutes.
pub(crate) fn ensure(version: JanusVersion) -> Result<PathBuf, HarnessError> {
    let script = script();
    let mut command = Command::new("sh");
    command
        .arg(&script)
        .arg(version.as_str())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    let shown = format!("{command:?}");
    let step = "building Janus from source";
    let output = command
        .output()
        .map_err(|e| HarnessError::io(step, &script, e))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(HarnessError::Command {
            step,
            command: shown,
            status: output.status.to_string(),
            output: format!("{stdout}(its messages are on stderr above)"),
        });
    }
    let prefix = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .map(|line| PathBuf::from(line.trim()))
        .filter(|prefix| prefix.is_absolute())
        .ok_or_else(|| HarnessError::Command {
            step: "reading the prefix printed by build-janus.sh",
            command: shown,
            status: output.status.to_string(),
            output: format!("expected an absolute path as the last line, got {stdout:?}"),
        })?;
    Ok(prefix)
}
