//! Fault injection: the seeded [`Rng`] every random choice comes from, what the fake
//! counts ([`FakeStats`]), and the paths every frame takes out of the fake, where latency,
//! lost replies, garbage and duplicated events are applied. Reordered messages are
//! [`Parked`] until a later request overtakes them or their delay runs out.

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use crate::testing::ServerEncode;
use crate::wire::{Request, ServerMessage};

use super::FakeJanus;

/// A small seeded pseudo-random generator (SplitMix64): deterministic, no dependencies.
///
/// ```
/// use janus_proto::testing::Rng;
/// let mut a = Rng::new(7);
/// let mut b = Rng::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// assert!(!a.chance(0.0) && a.chance(1.0));
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// `true` with probability `p` (clamped to 0..=1). Draws nothing when `p` is 0 or 1, so
    /// a fault switched off does not shift the other random choices.
    pub fn chance(&mut self, p: f64) -> bool {
        if p.is_nan() || p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
        }
    }

    /// A duration in `range` (its start when the range is empty or a single value).
    pub fn duration(&mut self, range: &RangeInclusive<Duration>) -> Duration {
        let (lo, hi) = (*range.start(), *range.end());
        if hi <= lo {
            return lo;
        }
        let span = u64::try_from((hi - lo).as_nanos()).unwrap_or(u64::MAX);
        lo + Duration::from_nanos(self.below(span.saturating_add(1)))
    }

    /// An id as Janus makes them: in `1..2^53`.
    pub fn janus_id(&mut self) -> u64 {
        (self.next_u64() & 0x1F_FFFF_FFFF_FFFF).max(1)
    }
}

/// Counters of what a [`FakeJanus`] did, to check that a fault was actually exercised.
///
/// ```
/// use janus_proto::testing::{FakeConfig, FakeJanus};
/// let janus = FakeJanus::new(FakeConfig::new());
/// assert_eq!(janus.stats().requests, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeStats {
    /// Requests received (frames that held a Janus request).
    pub requests: u64,
    /// Async plugin events sent before their ack.
    pub events_before_ack: u64,
    /// Messages handed to a busy worker (run after a later request, or late).
    pub reordered: u64,
    /// Messages actually overtaken by a later request.
    pub overtaken: u64,
    /// Side effects sent before the reply that caused them.
    pub side_effects_first: u64,
    /// Unsolicited messages sent twice.
    pub duplicated: u64,
    /// Replies dropped.
    pub dropped: u64,
    /// Requests answered with a transaction-less error instead.
    pub stray_errors: u64,
    /// Garbage frames sent.
    pub garbage: u64,
}

#[derive(Debug)]
pub(super) struct Parked {
    pub(super) release: Instant,
    pub(super) request: Request,
}

/// Garbage frames a faulty server might send.
const GARBAGE: [&str; 4] = [
    "not json",
    r#"{"janus":"#,
    r#"{"janus":"success"}"#,
    "[1,2,3]",
];

impl FakeJanus {
    /// Queues a frame for the client, keeping the connection's FIFO order.
    pub(super) fn emit(&mut self, now: Instant, frame: String) {
        if !self.connected {
            return;
        }
        let latency = self.rng.duration(&self.config.latency);
        let due = now.checked_add(latency).unwrap_or(now);
        let due = self.last_due.map_or(due, |last| last.max(due));
        self.last_due = Some(due);
        self.outbox.push_back((due, frame));
    }

    /// A reply to a request: it may be lost, or preceded by garbage.
    pub(super) fn reply(&mut self, now: Instant, message: ServerMessage) {
        if self.rng.chance(self.config.garbage_frames) {
            self.stats.garbage += 1;
            let garbage = GARBAGE[self.rng.below(GARBAGE.len() as u64) as usize];
            self.emit(now, garbage.to_owned());
        }
        if self.rng.chance(self.config.drop_replies) {
            self.stats.dropped += 1;
            return;
        }
        self.emit(now, message.encode());
    }

    /// A server-initiated message (already known to go to this connection): it may be
    /// duplicated.
    pub(super) fn unsolicited(&mut self, now: Instant, message: ServerMessage) {
        let frame = message.encode();
        if message.transaction().is_none() && self.rng.chance(self.config.duplicate_events) {
            self.stats.duplicated += 1;
            self.emit(now, frame.clone());
        }
        self.emit(now, frame);
    }
}
