//! The VideoRoom SFU example (`tests/examples/videoroom_sfu.rs`, `scripts/videoroom-sfu.sh`)
//! and its media test: a room, N publishers sending audio, and **one subscriber that follows
//! the publishers**, all signalled with the async driver `janus_transport_ws` through the
//! typed VideoRoom model (`Session::attach_plugin::<VideoRoom>()`, `TypedHandle::call`,
//! `TypedHandle::events`).
//!
//! The flow ([`run`]):
//! 1. A session; the follower's two handles; the room is created.
//! 2. The follower joins the room as a publisher that never publishes ([`Follower`]'s *room
//!    handle*): that is how it hears of the publishers (`publishers`, `unpublished`,
//!    `leaving`). Its *subscriber handle* carries one multistream subscription.
//! 3. N publishers join and publish one Opus audio stream each, every frame tagged with a
//!    byte of its own ([`tag`]), from a str0m peer on a thread of its own
//!    ([`Sender`]).
//! 4. Whenever a `publishers` event announces streams, the follower subscribes to them
//!    (`join` as a subscriber the first time, `subscribe` afterwards) and answers each offer
//!    (`attached`/`updated`) with `start`. Its str0m peer ([`Receiver`]) counts what
//!    arrives per (mid, tag): per publisher.
//! 5. The publishers leave one by one (`unpublish`, then `leave`): the follower hears
//!    `unpublished` and `leaving`, and Janus renegotiates the subscription on its own (an
//!    `updated` event with an offer, which the follower answers with `start`); the stream
//!    goes inactive and its packets stop.
//! 6. The follower leaves (subscriber `leave`, then the room handle's `leave`), the room is
//!    destroyed, the session too.
//!
//! The [`Report`] says, per publisher, how many packets it sent and how many reached the
//! subscriber while it published; [`Report::ok`] holds when every publisher's did.
//!
//! This module spawns no future: [`run`] takes a connected `janus_transport_ws::Client` whose
//! [`Driver`](janus_transport_ws::Driver) the caller runs (the example spawns it with
//! `smol::spawn`). The str0m peers are blocking and run on threads of their own.

#![allow(clippy::disallowed_methods)] // A program reads the clock; only janus-proto may not.

use std::net::IpAddr;
use std::time::{Duration, Instant};

mod args;
mod flow;
mod follower;
mod log;
mod publisher;
mod receiver;
mod report;
mod sender;
mod setup;
mod view;

pub use crate::echotest::{signal_name, Failure, Interrupt};
pub use args::{Args, USAGE};
pub use flow::run;
pub use follower::Follower;
pub use log::Log;
pub use publisher::Publisher;
pub use receiver::Receiver;
pub use report::{PublisherReport, Report};
pub use sender::Sender;
pub use setup::Setup;
pub use view::{FeedView, State, View};

/// Bound of each signalling step, and of each wait for something to happen.
pub const STEP: Duration = Duration::from_secs(10);
/// Packets (20 ms each) the subscriber must get from a publisher before it counts as
/// received; also the least a publisher must have delivered for the run to be OK.
pub const ENOUGH: u64 = 25;
/// How long after a change in-flight packets may still arrive.
pub const SETTLE: Duration = Duration::from_millis(300);
/// How long a stopped stream is watched to show that nothing more comes.
pub const QUIET: Duration = Duration::from_millis(500);
/// How often the flow looks at what the follower saw.
pub const POLL: Duration = Duration::from_millis(20);

/// What [`run`] does.
#[derive(Debug, Clone)]
pub struct Config {
    /// The room to create.
    pub room: u64,
    /// How many publishers (1 to 16).
    pub publishers: usize,
    /// The address the peers bind to (Janus must reach it, not loopback).
    pub peer_ip: IpAddr,
    /// How long all publishers publish together, once the subscriber gets them all, before
    /// the first one leaves.
    pub hold: Duration,
}

/// The byte publisher `index` (from 0) appends to its silent Opus frame: 0xA1, 0xA2, …
pub fn tag(index: usize) -> u8 {
    0xA1_u8.wrapping_add(u8::try_from(index).unwrap_or(u8::MAX))
}

/// Publisher `index`'s display name: `pub1`, `pub2`, …
pub fn display(index: usize) -> String {
    format!("pub{}", index + 1)
}

/// Waits (polling every [`POLL`], at most [`STEP`]) until `done` holds for `view`, or the
/// follower failed, or `stop` says so.
pub(crate) async fn wait_for(
    view: &View,
    stop: &(dyn Fn() -> bool + Sync),
    what: &'static str,
    done: impl Fn(&view::State) -> bool,
) -> Result<(), Failure> {
    let until = Instant::now() + STEP;
    loop {
        {
            let state = view.lock();
            if let Some(failure) = &state.failure {
                return Err(Failure::at(what, format!("the follower failed: {failure}")));
            }
            if done(&state) {
                return Ok(());
            }
        }
        if stop() {
            return Err(Failure::at(what, "stopped"));
        }
        if Instant::now() >= until {
            return Err(Failure::at(
                what,
                format!("not within {} s; seen: {:?}", STEP.as_secs(), view.lock()),
            ));
        }
        smol::Timer::after(POLL).await;
    }
}

/// Sleeps `time` (the peers run on their own threads meanwhile), or until `stop` says so.
pub(crate) async fn pause(time: Duration, stop: &(dyn Fn() -> bool + Sync)) -> Result<(), Failure> {
    let until = Instant::now() + time;
    while Instant::now() < until {
        if stop() {
            return Err(Failure::at("pause", "stopped"));
        }
        smol::Timer::after(POLL.min(until.saturating_duration_since(Instant::now()))).await;
    }
    Ok(())
}
