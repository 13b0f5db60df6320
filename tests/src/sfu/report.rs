//! What a run did, per publisher, and whether it worked.

use std::time::Duration;

use janus_proto::plugins::Id;

use super::{Config, Failure, Publisher, ENOUGH};

/// The outcome of [`run`](super::run).
#[derive(Debug)]
pub struct Report {
    /// The room.
    pub room: u64,
    /// How many publishers were asked for.
    pub wanted: usize,
    /// The publishers that published, in order.
    pub publishers: Vec<PublisherReport>,
    /// Janus's offers the subscriber answered (the first subscription, each change).
    pub offers_answered: u32,
    /// How it failed, if it did.
    pub failure: Option<Failure>,
    /// How long it took.
    pub elapsed: Duration,
}

/// One publisher, as the subscriber saw it.
#[derive(Debug, Clone)]
pub struct PublisherReport {
    /// Its display name.
    pub display: String,
    /// Its feed id.
    pub feed: Id,
    /// The byte its frames ended with.
    pub tag: u8,
    /// The subscription's mid that carried it.
    pub mid: Option<String>,
    /// Packets it sent (known once it left).
    pub sent: u64,
    /// Packets with its tag the subscriber got while it published (so far, if it did not
    /// leave).
    pub received: u64,
    /// Packets with its tag after its stream went away (`None`: it never left).
    pub after_gone: Option<u64>,
    /// The subscriber heard `unpublished`.
    pub heard_unpublished: bool,
    /// The subscriber heard `leaving`.
    pub heard_leaving: bool,
    /// How many `unpublished` events named it: one or two on both versions (`unpublish`
    /// hangs the media up at once, and the core's hangup of the closed PeerConnection may
    /// notify again).
    pub unpublished_events: u32,
    /// The display name in its `unpublished`/`leaving` events (1.4.1 only).
    pub gone_display: Option<String>,
    /// Its stream left the subscription.
    pub stream_removed: bool,
}

impl PublisherReport {
    /// A publisher that just published.
    pub fn new(publisher: &Publisher) -> Self {
        Self {
            display: publisher.display.clone(),
            feed: publisher.feed.clone(),
            tag: publisher.tag,
            mid: None,
            sent: 0,
            received: 0,
            after_gone: None,
            heard_unpublished: false,
            heard_leaving: false,
            unpublished_events: 0,
            gone_display: None,
            stream_removed: false,
        }
    }

    /// Its packets reached the subscriber while it published, and stopped once it left.
    pub fn ok(&self) -> bool {
        self.received >= ENOUGH
            && self.after_gone == Some(0)
            && self.heard_unpublished
            && self.heard_leaving
            && self.stream_removed
    }
}

impl Report {
    /// Nothing done yet.
    pub fn new(config: &Config) -> Self {
        Self {
            room: config.room,
            wanted: config.publishers,
            publishers: Vec::new(),
            offers_answered: 0,
            failure: None,
            elapsed: Duration::ZERO,
        }
    }

    /// Every step worked and every publisher's packets reached the subscriber.
    pub fn ok(&self) -> bool {
        self.failure.is_none()
            && self.publishers.len() == self.wanted
            && self.publishers.iter().all(PublisherReport::ok)
    }

    /// Prints the summary, ending with the outcome.
    pub fn print(&self) {
        println!(
            "videoroom-sfu: room {}, {} publisher(s)",
            self.room, self.wanted
        );
        for p in &self.publishers {
            let mid = p.mid.as_deref().unwrap_or("-");
            let after = match p.after_gone {
                Some(n) => format!("{n} after it left"),
                None => "did not leave".to_owned(),
            };
            let verdict = if p.ok() { "ok" } else { "FAILED" };
            let sent = match p.after_gone {
                Some(_) => p.sent.to_string(),
                None => "-".to_owned(),
            };
            println!(
                "  {:<6} feed {:<18} tag {:#04x}  mid {mid}  sent {sent:>4}  received {:>4}  {after}  {verdict}",
                p.display, p.feed.to_string(), p.tag, p.received
            );
        }
        println!(
            "  offers answered by the subscriber: {}; {:.1} s",
            self.offers_answered,
            self.elapsed.as_secs_f64()
        );
        match (&self.failure, self.ok()) {
            (Some(failure @ Failure::Interrupted { .. }), _) => {
                println!("  result: INTERRUPTED {failure}")
            }
            (Some(failure), _) => println!("  result: FAILED {failure}"),
            (None, true) => println!("  result: OK"),
            (None, false) => {
                println!("  result: FAILED (a publisher's packets did not reach the subscriber)")
            }
        }
    }
}
