//! The whole flow: session, room, follower, publishers in, publishers out, cleanup.

use std::time::Instant;

use janus_proto::plugins::videoroom::{Create, Destroy, VideoRoom};
use janus_transport_ws::{Client, Session, TypedHandle};

use super::report::PublisherReport;
use super::{
    pause, wait_for, Config, Failure, Follower, Log, Publisher, Report, View, ENOUGH, QUIET, SETTLE,
};

/// Runs the flow of the [module docs](super) on `client`'s connection (whose driver the
/// caller runs), logging to `log`; `stop` is asked between steps and while waiting (a
/// signal came). The report says what happened, and how it failed if it did.
pub async fn run(
    client: &Client,
    config: &Config,
    log: &Log,
    stop: &(dyn Fn() -> bool + Sync),
) -> Report {
    let started = Instant::now();
    let mut report = Report::new(config);
    let outcome = in_session(client, config, log, stop, &mut report).await;
    report.failure = outcome.err();
    report.elapsed = started.elapsed();
    report
}

/// A session for everything; destroyed whatever happens.
async fn in_session(
    client: &Client,
    config: &Config,
    log: &Log,
    stop: &(dyn Fn() -> bool + Sync),
    report: &mut Report,
) -> Result<(), Failure> {
    let session = client
        .create()
        .await
        .map_err(Failure::step("create session"))?;
    let outcome = in_room(&session, config, log, stop, report).await;
    let destroyed = session
        .destroy()
        .await
        .map_err(Failure::step("destroy session"));
    outcome.and(destroyed)
}

/// The room, created on a handle of its own and destroyed whatever happens.
async fn in_room(
    session: &Session,
    config: &Config,
    log: &Log,
    stop: &(dyn Fn() -> bool + Sync),
    report: &mut Report,
) -> Result<(), Failure> {
    let owner: TypedHandle<VideoRoom> = session
        .attach_plugin::<VideoRoom>()
        .await
        .map_err(Failure::step("attach"))?;
    let publishers = u32::try_from(config.publishers + 1).unwrap_or(u32::MAX);
    let created = owner
        .call(
            Create::builder()
                .room(config.room)
                .publishers(publishers)
                .audiocodec("opus".to_owned())
                .build(),
        )
        .await
        .map_err(Failure::step("create room"))?;
    log.line("room", format!("created room {}", created.value.room));
    let outcome = with_follower(session, config, log, stop, report).await;
    let destroyed = owner
        .call(Destroy::builder().room(config.room).build())
        .await
        .map(|_| log.line("room", format!("destroyed room {}", config.room)))
        .map_err(Failure::step("destroy room"));
    outcome.and(destroyed)
}

/// The follower joins and follows while the publishers come and go.
async fn with_follower(
    session: &Session,
    config: &Config,
    log: &Log,
    stop: &(dyn Fn() -> bool + Sync),
    report: &mut Report,
) -> Result<(), Failure> {
    let view = View::new();
    let follower = Follower::join(
        session,
        config.room,
        config.peer_ip,
        view.clone(),
        log.clone(),
    )
    .await?;
    // Dropping `done` tells the follower to leave.
    let (done, until_done) = smol::channel::bounded::<()>(1);
    let publishing = async {
        let outcome = publishers(session, config, &view, log, stop, report).await;
        drop(done);
        outcome
    };
    let (followed, published) = smol::future::zip(follower.follow(until_done), publishing).await;
    let state = view.lock();
    report.offers_answered = state.offers_answered;
    // Those that did not get to leave (a failure, a signal): what reached the subscriber.
    for entry in report
        .publishers
        .iter_mut()
        .filter(|p| p.after_gone.is_none())
    {
        entry.received = state.received(entry.tag);
        if let Some(seen) = state.feeds.get(&entry.feed) {
            entry.mid.clone_from(&seen.last_mid);
        }
    }
    drop(state);
    published.and(followed)
}

/// The publishers join and publish, reach the subscriber, and leave one by one.
async fn publishers(
    session: &Session,
    config: &Config,
    view: &View,
    log: &Log,
    stop: &(dyn Fn() -> bool + Sync),
    report: &mut Report,
) -> Result<(), Failure> {
    let mut publishers = Vec::new();
    for index in 0..config.publishers {
        if stop() {
            return Err(Failure::at("publish", "stopped"));
        }
        let publisher =
            Publisher::join_and_publish(session, config.room, index, config.peer_ip, log).await?;
        report.publishers.push(PublisherReport::new(&publisher));
        publishers.push(publisher);
    }

    // Every publisher's packets reach the subscriber, each on its own mid.
    let feeds: Vec<_> = publishers.iter().map(|p| (p.feed.clone(), p.tag)).collect();
    wait_for(view, stop, "media", |state| {
        feeds.iter().all(|(feed, tag)| {
            let mid = state.feeds.get(feed).and_then(|f| f.mid.as_deref());
            mid.is_some_and(|mid| state.received_on(mid, *tag) >= ENOUGH)
        })
    })
    .await?;
    log.line(
        "subscriber",
        format!("receiving: {}", counts(view, &publishers)),
    );
    if !config.hold.is_zero() {
        pause(config.hold, stop).await?;
        log.line(
            "subscriber",
            format!("receiving: {}", counts(view, &publishers)),
        );
    }

    // One by one, they leave; the subscriber's stream of each goes away.
    for index in 0..publishers.len() {
        let publisher = &mut publishers[index];
        if stop() {
            return Err(Failure::at("leave", "stopped"));
        }
        let stats = publisher.leave(log).await?;
        let feed = publisher.feed.clone();
        wait_for(view, stop, "unpublished, leaving, stream gone", |state| {
            state
                .feeds
                .get(&feed)
                .is_some_and(|f| f.unpublished && f.left && f.removed)
        })
        .await?;
        pause(SETTLE, stop).await?;
        let received = view.lock().received(publisher.tag);
        pause(QUIET, stop).await?;
        let after = view.lock().received(publisher.tag) - received;
        let entry = &mut report.publishers[index];
        entry.sent = stats.rtp_sent;
        entry.received = received;
        entry.after_gone = Some(after);
        {
            let state = view.lock();
            let seen = state.feeds.get(&feed).cloned().unwrap_or_default();
            entry.mid.clone_from(&seen.last_mid);
            entry.heard_unpublished = seen.unpublished;
            entry.heard_leaving = seen.left;
            entry.unpublished_events = seen.unpublished_events;
            entry.gone_display = seen.gone_display;
            entry.stream_removed = seen.removed;
        }
        let publisher = &publishers[index];
        log.line(
            "subscriber",
            format!(
                "{}'s stream went away: {received} of its {} packets received, {after} since",
                publisher.display, stats.rtp_sent
            ),
        );
        if index + 1 < publishers.len() {
            log.line(
                "subscriber",
                format!("receiving: {}", counts(view, &publishers[index + 1..])),
            );
        }
    }
    Ok(())
}

/// `pub1 312 (mid 0), pub2 280 (mid 1)`: what the subscriber got so far from `publishers`.
fn counts(view: &View, publishers: &[Publisher]) -> String {
    let state = view.lock();
    publishers
        .iter()
        .map(|p| {
            let mid = state
                .feeds
                .get(&p.feed)
                .and_then(|f| f.mid.clone())
                .unwrap_or_else(|| "-".to_owned());
            format!("{} {} (mid {mid})", p.display, state.received(p.tag))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
