//! What the follower saw, shared with the flow (which waits on it) and the subscriber's
//! peer thread (which counts packets into it).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use janus_proto::plugins::Id;

/// A shared [`State`]; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct View(Arc<Mutex<State>>);

impl View {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// The state, locked (a poisoned lock is taken as it is: the counters stay valid).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What the follower knows.
#[derive(Debug, Default)]
pub struct State {
    /// The publishers it heard of, by feed id.
    pub feeds: BTreeMap<Id, FeedView>,
    /// Packets received per (mid, tag).
    pub packets: BTreeMap<(String, u8), u64>,
    /// Janus's offers answered with `start`.
    pub offers_answered: u32,
    /// Why the follower stopped early.
    pub failure: Option<String>,
}

impl State {
    /// Packets received carrying `tag`, on any mid.
    pub fn received(&self, tag: u8) -> u64 {
        self.packets
            .iter()
            .filter(|((_, t), _)| *t == tag)
            .map(|(_, n)| n)
            .sum()
    }

    /// Packets received carrying `tag` on `mid`.
    pub fn received_on(&self, mid: &str, tag: u8) -> u64 {
        self.packets
            .get(&(mid.to_owned(), tag))
            .copied()
            .unwrap_or(0)
    }

    /// The feed `id`, created on first sight.
    pub fn feed(&mut self, id: &Id) -> &mut FeedView {
        self.feeds.entry(id.clone()).or_default()
    }
}

/// One publisher as the follower sees it.
#[derive(Debug, Clone, Default)]
pub struct FeedView {
    /// Its display name.
    pub display: Option<String>,
    /// A `publishers` event (or the join's list) announced it.
    pub announced: bool,
    /// Its stream's mid in the subscription, while active there.
    pub mid: Option<String>,
    /// The mid its stream had in the subscription, last time it was there.
    pub last_mid: Option<String>,
    /// It was in the subscription once.
    pub subscribed: bool,
    /// Its stream went inactive in the subscription (or left it) after being in it.
    pub removed: bool,
    /// An `unpublished` event named it.
    pub unpublished: bool,
    /// How many `unpublished` events named it.
    pub unpublished_events: u32,
    /// The display name the `unpublished` and `leaving` events carried (Janus 1.4.1 puts
    /// it there, 1.1.2 does not).
    pub gone_display: Option<String>,
    /// A `leaving` event named it.
    pub left: bool,
}
