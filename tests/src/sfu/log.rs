//! The run's running commentary: one line per thing that happened, with the time since the
//! start.

use std::sync::Arc;
use std::time::Instant;

/// Where the lines go (the example prints them; a test may collect them). Cheap to clone.
#[derive(Clone)]
pub struct Log {
    start: Instant,
    sink: Arc<dyn Fn(String) + Send + Sync>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log").field("start", &self.start).finish()
    }
}

impl Log {
    /// Lines to `sink`, timed from now.
    pub fn new(sink: impl Fn(String) + Send + Sync + 'static) -> Self {
        Self {
            start: Instant::now(),
            sink: Arc::new(sink),
        }
    }

    /// Lines to stdout.
    pub fn stdout() -> Self {
        Self::new(|line| println!("{line}"))
    }

    /// `who` did or saw `what`.
    pub fn line(&self, who: &str, what: impl std::fmt::Display) {
        let at = self.start.elapsed().as_secs_f64();
        (self.sink)(format!("{at:7.2} s  {who:<11}{what}"));
    }
}
