//! Running helper programs (`sh`, `openssl`, `kill`) and finding programs on `PATH`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::HarnessError;

/// Runs `command` to completion; a failure to spawn or a non-zero exit is an error naming `step`.
pub(crate) fn run(step: &'static str, command: &mut Command) -> Result<(), HarnessError> {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .map_err(|e| HarnessError::io(step, command.get_program(), e))?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(HarnessError::Command {
        step,
        command: shown,
        status: output.status.to_string(),
        output: tail(&text, 30),
    })
}

/// The first executable file called `program` in a `PATH` folder.
pub(crate) fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The last `lines` lines of `text`.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
