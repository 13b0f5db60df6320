//! System calls per W1 iteration: every runner runs W1 twice under `strace -f -c` (every
//! thread, counted by call), a short and a long run; the difference of the two counts over
//! the difference of their iterations is the cost of one iteration, with process start-up,
//! connecting and ending cancelled out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::child::{which, Program};

/// `strace`, found on `PATH` and able to trace here (a container may forbid `ptrace`).
#[derive(Clone, Debug)]
pub struct Strace {
    path: PathBuf,
}

impl Strace {
    /// Finds `strace` and checks that it can trace a child; otherwise says why not.
    pub fn find() -> Result<Strace, String> {
        let path = which("strace").ok_or("strace is not installed")?;
        let trial = Command::new(&path)
            .args(["-f", "-c", "-o", "/dev/null", "--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
        if trial.status.success() {
            Ok(Strace { path })
        } else {
            Err(format!(
                "strace cannot trace here: {}",
                String::from_utf8_lossy(&trial.stderr).trim()
            ))
        }
    }

    /// `program` under `strace -f -c`, its table written to `table`.
    pub fn wrap(&self, program: &Program, table: &Path) -> Program {
        let mut prefix = vec![
            "-f".to_owned(),
            "-c".to_owned(),
            "-o".to_owned(),
            table.display().to_string(),
            "--".to_owned(),
            program.path.display().to_string(),
        ];
        prefix.extend(program.prefix.iter().cloned());
        Program {
            path: self.path.clone(),
            prefix,
        }
    }
}

/// One system call's count in a run: calls, and how many of them failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Calls made.
    pub calls: u64,
    /// Calls that returned an error (`EAGAIN` included).
    pub errors: u64,
}

/// Parses the table `strace -c` writes: a header, a rule, one row per call (`% time`,
/// `seconds`, `usecs/call`, `calls`, `errors` (may be blank), `syscall`), a rule and the
/// `total` row.
pub fn parse(table: &str) -> Result<BTreeMap<String, Tally>, String> {
    let mut counts = BTreeMap::new();
    let mut seen_header = false;
    for line in table.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"%") {
            seen_header = true;
            continue;
        }
        if !seen_header
            || words.is_empty()
            || words[0].starts_with('-')
            || words.last() == Some(&"total")
        {
            continue;
        }
        let (calls, errors, name) = match words.as_slice() {
            [_, _, _, calls, errors, name] => (*calls, Some(*errors), *name),
            [_, _, _, calls, name] => (*calls, None, *name),
            _ => return Err(format!("strace -c: cannot read the row {line:?}")),
        };
        let number = |text: &str| {
            text.parse::<u64>()
                .map_err(|e| format!("strace -c: {text:?} in {line:?}: {e}"))
        };
        let tally: &mut Tally = counts.entry(name.to_owned()).or_default();
        tally.calls += number(calls)?;
        tally.errors += errors.map(number).transpose()?.unwrap_or(0);
    }
    if !seen_header {
        return Err("strace -c wrote no table".to_owned());
    }
    Ok(counts)
}

/// One client's system calls per W1 iteration.
#[derive(Clone, Debug)]
pub struct PerIteration {
    /// Iterations of the short and the long run.
    pub iterations: (usize, usize),
    /// Every call per iteration (long minus short, over the difference of iterations).
    pub total: f64,
    /// Failed calls per iteration.
    pub errors: f64,
    /// Per call, most frequent first: (name, calls, failed calls) per iteration. Calls whose
    /// count did not change are left out.
    pub by_call: Vec<(String, f64, f64)>,
}

impl PerIteration {
    /// The cost of one iteration from the counts of a short and a long run.
    pub fn between(
        short: (usize, &BTreeMap<String, Tally>),
        long: (usize, &BTreeMap<String, Tally>),
    ) -> Result<Self, String> {
        let span = long
            .0
            .checked_sub(short.0)
            .filter(|&n| n > 0)
            .ok_or(format!(
                "the long run ({}) is not longer than the short one ({})",
                long.0, short.0
            ))? as f64;
        let mut by_call = Vec::new();
        for (name, l) in long.1 {
            let s = short.1.get(name).copied().unwrap_or_default();
            let calls = (l.calls as f64 - s.calls as f64) / span;
            let errors = (l.errors as f64 - s.errors as f64) / span;
            if calls != 0.0 || errors != 0.0 {
                by_call.push((name.clone(), calls, errors));
            }
        }
        by_call.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(PerIteration {
            iterations: (short.0, long.0),
            total: by_call.iter().map(|c| c.1).sum(),
            errors: by_call.iter().map(|c| c.2).sum(),
            by_call,
        })
    }

    /// The calls worth showing: those of at least 0.05 per iteration, as
    /// `epoll_ctl 4.0, recvfrom 6.1 (1.1 failed), …`.
    pub fn breakdown(&self) -> String {
        let shown: Vec<String> = self
            .by_call
            .iter()
            .filter(|(_, calls, _)| calls.abs() >= 0.05)
            .map(|(name, calls, errors)| {
                if errors.abs() >= 0.05 {
                    format!("{name} {calls:.1} ({errors:.1} failed)")
                } else {
                    format!("{name} {calls:.1}")
                }
            })
            .collect();
        shown.join(", ")
    }

    /// As JSON.
    pub fn to_json(&self) -> Value {
        let by_call: serde_json::Map<String, Value> = self
            .by_call
            .iter()
            .map(|(name, calls, errors)| (name.clone(), json!({"calls": calls, "errors": errors})))
            .collect();
        json!({
            "iterations_short": self.iterations.0,
            "iterations_long": self.iterations.1,
            "per_iteration": self.total,
            "errors_per_iteration": self.errors,
            "by_call": by_call,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: &str = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 40.00    0.000400           4       100        20 recvfrom
 30.00    0.000300           3       100           sendto
 30.00    0.000300           3        10           mmap
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000           5       210        20 total
";

    const LONG: &str = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 40.00    0.000400           4       600        70 recvfrom
 30.00    0.000300           3       600           sendto
 20.00    0.000300           3        10           mmap
 10.00    0.000100           1        50           futex
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000           5      1260        70 total
";

    #[test]
    fn tables_are_read_and_differenced() {
        let short = parse(SHORT).expect("parses");
        assert_eq!(
            short.get("recvfrom"),
            Some(&Tally {
                calls: 100,
                errors: 20
            })
        );
        assert_eq!(short.get("sendto").map(|t| t.errors), Some(0));
        assert!(!short.contains_key("total"));
        let long = parse(LONG).expect("parses");
        let per = PerIteration::between((20, &short), (120, &long)).expect("differs");
        assert_eq!(per.total, 10.5);
        assert_eq!(per.errors, 0.5);
        let names: Vec<&str> = per.by_call.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["recvfrom", "sendto", "futex"]);
        assert_eq!(
            per.breakdown(),
            "recvfrom 5.0 (0.5 failed), sendto 5.0, futex 0.5"
        );
        assert!(PerIteration::between((20, &short), (20, &long)).is_err());
        assert!(parse("nothing here").is_err());
    }
}
