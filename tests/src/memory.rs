//! The test process's own memory, from `/proc/self`: its peak resident set size, and a way
//! to start measuring a new peak from now.

use std::io;

/// The peak resident set size of this process in bytes (`VmHWM` of `/proc/self/status`).
pub fn peak_rss() -> io::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no VmHWM in /proc/self/status"))
}

/// Resets the peak to the current resident set size (`5` to `/proc/self/clear_refs`), so
/// that [`peak_rss`] afterwards measures from now.
pub fn reset_peak_rss() -> io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}
