//! The subscriber that follows the publishers: [`Follower`].

use futures_util::StreamExt;
use janus_proto::plugins::videoroom::{
    Event as VrEvent, JoinPublisher, JoinSubscriber, LeavePublisher, LeaveSubscriber, MediaType,
    Publisher as Announced, Start, Subscribe, SubscribeStream, SubscriberStream,
    SubscriptionUpdate, VideoRoom,
};
use janus_proto::plugins::{Id, PluginEvent, Typed};
use janus_transport_ws::{
    Event, HandleEventKind, Jsep, JsepType, PluginEvents, Session, TypedHandle,
};

use super::{Failure, Log, Receiver, View};
use std::net::IpAddr;

/// Who the follower's lines are from.
const WHO: &str = "subscriber";

/// The subscriber that follows the publishers.
///
/// It has two handles: a *room handle*, joined as a publisher that never publishes (that is
/// how a VideoRoom participant hears of publishers: `publishers`, `unpublished`, `leaving`),
/// and a *subscriber handle* with one multistream subscription that grows and shrinks with
/// the room. Its loop ([`Follower::follow`]) waits on both handles' typed event streams:
///
/// * `publishers` (room handle): subscribe to the announced streams: `join` as a
///   subscriber the first time (Janus answers `attached` with an offer), `subscribe`
///   afterwards (`updated` with an offer, or `updating` when an offer of ours is still
///   unanswered: the offer then follows as an `updated` event);
/// * every offer (`attached`, `updated`): the peer answers it, and `start` carries the
///   answer;
/// * `unpublished` and `leaving` (room handle): noted. Janus itself drops the gone
///   publisher's streams from the subscription and renegotiates: an `updated` event with
///   an offer on the subscriber handle, answered like the others.
#[derive(Debug)]
pub struct Follower {
    room: u64,
    /// Joined as a publisher that never publishes.
    watch: TypedHandle<VideoRoom>,
    /// The subscription.
    sub: TypedHandle<VideoRoom>,
    watch_events: PluginEvents<VideoRoom>,
    sub_events: PluginEvents<VideoRoom>,
    /// Whether the subscription exists (`join` as a subscriber was done).
    subscribed: bool,
    receiver: Receiver,
    view: View,
    log: Log,
}

/// What the loop waits for.
enum Next {
    Room(Option<PluginEvent<VrEvent>>),
    Subscription(Option<PluginEvent<VrEvent>>),
    Stop,
}

impl Follower {
    /// Attaches the two handles, starts the peer, and joins `room` (as a participant that
    /// will not publish); the publishers already there are subscribed to at once.
    pub async fn join(
        session: &Session,
        room: u64,
        peer_ip: IpAddr,
        view: View,
        log: Log,
    ) -> Result<Self, Failure> {
        let watch = session
            .attach_plugin::<VideoRoom>()
            .await
            .map_err(Failure::step("attach"))?;
        let sub = session
            .attach_plugin::<VideoRoom>()
            .await
            .map_err(Failure::step("attach"))?;
        let mut follower = Follower {
            room,
            watch_events: watch.events(),
            sub_events: sub.events(),
            watch,
            sub,
            subscribed: false,
            receiver: Receiver::start(peer_ip, view.clone())?,
            view,
            log,
        };
        let joined = follower
            .watch
            .call(
                JoinPublisher::builder()
                    .room(room)
                    .display("subscriber")
                    .build(),
            )
            .await
            .map_err(Failure::step("join"))?;
        follower.log.line(
            WHO,
            format!(
                "joined room {room} (as participant {}, not publishing); {} publisher(s) there",
                joined.value.id,
                joined.value.publishers.len()
            ),
        );
        follower.subscribe_to(&joined.value.publishers).await?;
        Ok(follower)
    }

    /// Follows the room until `stop` (a message, or the sender dropped), then leaves: the
    /// subscription first, then the room. A failure is also put in the [`View`].
    pub async fn follow(mut self, stop: smol::channel::Receiver<()>) -> Result<(), Failure> {
        let outcome = self.follow_until(stop).await;
        let outcome = match outcome {
            Ok(()) => self.leave().await,
            Err(failure) => Err(failure),
        };
        self.receiver.stop();
        if let Err(failure) = &outcome {
            let mut state = self.view.lock();
            state.failure.get_or_insert_with(|| failure.to_string());
        }
        outcome
    }

    async fn follow_until(&mut self, stop: smol::channel::Receiver<()>) -> Result<(), Failure> {
        loop {
            let (room, subscription) = (&mut self.watch_events, &mut self.sub_events);
            let next = smol::future::or(
                async { Next::Room(room.next().await) },
                smol::future::or(
                    async { Next::Subscription(subscription.next().await) },
                    async {
                        let _ = stop.recv().await;
                        Next::Stop
                    },
                ),
            )
            .await;
            match next {
                Next::Room(Some(event)) => self.on_room_event(event).await?,
                Next::Subscription(Some(event)) => self.on_subscription_event(event).await?,
                Next::Room(None) | Next::Subscription(None) => {
                    return Err(Failure::at("follow", "the connection ended"))
                }
                Next::Stop => return Ok(()),
            }
        }
    }

    /// An event of the room handle: who publishes, who stopped, who left.
    async fn on_room_event(&mut self, event: PluginEvent<VrEvent>) -> Result<(), Failure> {
        let PluginEvent::Plugin(Typed { value, .. }) = event else {
            return Ok(());
        };
        match value {
            VrEvent::Publishers(announced) => self.subscribe_to(&announced.publishers).await,
            VrEvent::Unpublished(gone) => {
                let name = self.name(&gone.unpublished);
                let first = {
                    let mut state = self.view.lock();
                    let feed = state.feed(&gone.unpublished);
                    feed.unpublished_events += 1;
                    feed.gone_display.clone_from(&gone.display);
                    !std::mem::replace(&mut feed.unpublished, true)
                };
                // Janus may say it twice: `unpublish` hangs the media up at once, and the
                // core's hangup of the PeerConnection it closes may notify again.
                if first {
                    self.log.line(WHO, format!("heard: {name} unpublished"));
                }
                Ok(())
            }
            VrEvent::Leaving(gone) => {
                let name = self.name(&gone.leaving);
                {
                    let mut state = self.view.lock();
                    let feed = state.feed(&gone.leaving);
                    feed.left = true;
                    if gone.display.is_some() {
                        feed.gone_display.clone_from(&gone.display);
                    }
                }
                self.log.line(WHO, format!("heard: {name} left"));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// An event of the subscriber handle: Janus's own renegotiations, WebRTC state.
    async fn on_subscription_event(&mut self, event: PluginEvent<VrEvent>) -> Result<(), Failure> {
        match event {
            PluginEvent::Plugin(Typed {
                value: VrEvent::Updated(updated),
                jsep,
                ..
            }) => {
                if let Some(streams) = &updated.streams {
                    self.apply_layout(streams, "updated (event)");
                }
                self.answer(jsep).await
            }
            PluginEvent::Plugin(Typed {
                value: VrEvent::Attached(attached),
                jsep,
                ..
            }) => {
                self.apply_layout(&attached.streams, "attached (event)");
                self.answer(jsep).await
            }
            PluginEvent::Other(Event::Handle { event, .. }) => {
                match event.kind {
                    HandleEventKind::WebrtcUp => {
                        self.log.line(WHO, "PeerConnection up (webrtcup)");
                    }
                    HandleEventKind::Hangup { .. } => self.log.line(WHO, "PeerConnection hung up"),
                    _ => {}
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Subscribes to the audio streams of `publishers` not yet in the subscription.
    async fn subscribe_to(&mut self, publishers: &[Announced]) -> Result<(), Failure> {
        let mut streams = Vec::new();
        {
            let mut state = self.view.lock();
            for publisher in publishers {
                let feed = state.feed(&publisher.id);
                feed.announced = true;
                feed.display.clone_from(&publisher.display);
                if feed.mid.is_some() {
                    continue;
                }
                for stream in &publisher.streams {
                    if stream.kind == MediaType::Audio && stream.disabled != Some(true) {
                        streams.push(
                            SubscribeStream::builder()
                                .feed(publisher.id.clone())
                                .mid(stream.mid.clone())
                                .build(),
                        );
                    }
                }
            }
        }
        if streams.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = publishers.iter().map(|p| self.name(&p.id)).collect();
        self.log.line(
            WHO,
            format!("heard: {} publishing: subscribing", names.join(", ")),
        );
        if !self.subscribed {
            let attached = self
                .sub
                .call(
                    JoinSubscriber::builder()
                        .room(self.room)
                        .streams(streams)
                        .build(),
                )
                .await
                .map_err(Failure::step("subscribe"))?;
            self.subscribed = true;
            self.apply_layout(&attached.value.streams, "attached");
            return self.answer(attached.jsep).await;
        }
        let update = self
            .sub
            .call(Subscribe::builder().streams(streams).build())
            .await
            .map_err(Failure::step("subscribe"))?;
        match update.value {
            SubscriptionUpdate::Updated(updated) => {
                if let Some(streams) = &updated.streams {
                    self.apply_layout(streams, "updated");
                }
                self.answer(update.jsep).await
            }
            // An offer of ours is unanswered: this one follows as an `updated` event.
            SubscriptionUpdate::Updating(_) => {
                self.log.line(WHO, "updating: the offer will follow");
                Ok(())
            }
            other => Err(Failure::at("subscribe", format!("{other:?}"))),
        }
    }

    /// Answers Janus's offer (if any) with `start`.
    async fn answer(&mut self, jsep: Option<Jsep>) -> Result<(), Failure> {
        let Some(offer) = jsep.filter(|jsep| jsep.kind == JsepType::Offer) else {
            return Ok(());
        };
        let answer = self.receiver.answer(&offer.sdp).await?;
        let started = self
            .sub
            .call(Start::answer(Jsep::answer(answer)))
            .await
            .map_err(Failure::step("start"))?;
        if started.value.started != "ok" {
            return Err(Failure::at("start", format!("{:?}", started.value)));
        }
        self.view.lock().offers_answered += 1;
        Ok(())
    }

    /// Notes which feed each mid of the subscription carries now, and logs it.
    fn apply_layout(&mut self, streams: &[SubscriberStream], what: &str) {
        let active: Vec<(&str, &Id)> = streams
            .iter()
            .filter(|s| s.active != Some(false))
            .filter_map(|s| Some((s.mid.as_str(), s.feed_id.as_ref()?)))
            .collect();
        let mut state = self.view.lock();
        for (id, feed) in state.feeds.iter_mut() {
            let now = active
                .iter()
                .find(|(_, f)| *f == id)
                .map(|(m, _)| (*m).to_owned());
            if feed.mid.is_some() && now.is_none() {
                feed.removed = true;
            }
            if let Some(mid) = &now {
                feed.subscribed = true;
                feed.last_mid = Some(mid.clone());
            }
            feed.mid = now;
        }
        let layout: Vec<String> = active
            .iter()
            .map(|(mid, id)| {
                let name = state.feeds.get(*id).and_then(|f| f.display.clone());
                format!("mid {mid} <- {}", name.unwrap_or_else(|| id.to_string()))
            })
            .collect();
        drop(state);
        let layout = if layout.is_empty() {
            "nothing active".to_owned()
        } else {
            layout.join(", ")
        };
        self.log.line(WHO, format!("{what}: {layout}"));
    }

    /// `leave` on the subscription, then on the room.
    async fn leave(&mut self) -> Result<(), Failure> {
        if self.subscribed {
            let left = self
                .sub
                .call(LeaveSubscriber::new())
                .await
                .map_err(Failure::step("leave"))?;
            if left.value.left != "ok" {
                return Err(Failure::at("leave", format!("{:?}", left.value)));
            }
        }
        let left = self
            .watch
            .call(LeavePublisher::new())
            .await
            .map_err(Failure::step("leave"))?;
        if left.value.leaving != "ok" {
            return Err(Failure::at("leave", format!("{:?}", left.value)));
        }
        self.log.line(WHO, "left the subscription and the room");
        Ok(())
    }

    /// A feed's display name (1.1.2's `unpublished` and `leaving` carry only the id).
    fn name(&self, id: &Id) -> String {
        self.view
            .lock()
            .feeds
            .get(id)
            .and_then(|f| f.display.clone())
            .unwrap_or_else(|| format!("feed {id}"))
    }
}
