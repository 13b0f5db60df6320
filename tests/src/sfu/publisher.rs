//! One publisher: its handle, its feed, its sending peer.

use std::net::IpAddr;
use std::time::Instant;

use futures_util::StreamExt;
use janus_proto::plugins::videoroom::{
    JoinPublisher, LeavePublisher, MediaType, Publish, Unpublish, VideoRoom,
};
use janus_proto::plugins::{Id, PluginEvent};
use janus_transport_ws::{Event, HandleEventKind, Jsep, JsepType, Session, TypedHandle};

use super::{display, tag, Failure, Log, Sender, STEP};
use crate::peer::{CandidateMode, OfferOptions, Peer, PeerStats};

/// A publisher in the room, sending.
#[derive(Debug)]
pub struct Publisher {
    /// Its index (from 0).
    pub index: usize,
    /// Its display name.
    pub display: String,
    /// Its feed id.
    pub feed: Id,
    /// The mid of its audio stream (its own PeerConnection's).
    pub mid: String,
    /// The byte at the end of its frames.
    pub tag: u8,
    handle: TypedHandle<VideoRoom>,
    sender: Option<Sender>,
}

impl Publisher {
    /// Attaches, joins `room` as `pub<index+1>`, publishes one Opus stream (its offer with
    /// `publish`, Janus's answer in the reply), starts sending, and waits for `webrtcup`.
    pub async fn join_and_publish(
        session: &Session,
        room: u64,
        index: usize,
        peer_ip: IpAddr,
        log: &Log,
    ) -> Result<Self, Failure> {
        let display = display(index);
        let handle = session
            .attach_plugin::<VideoRoom>()
            .await
            .map_err(Failure::step("attach"))?;
        // Opened before anything can happen on the handle.
        let mut events = handle.events();
        let joined = handle
            .call(
                JoinPublisher::builder()
                    .room(room)
                    .display(display.as_str())
                    .build(),
            )
            .await
            .map_err(Failure::step("join"))?
            .value;
        let feed = joined.id.clone();

        let mut peer =
            Peer::bind(peer_ip, CandidateMode::InSdp).map_err(Failure::step("publish"))?;
        let offer = peer
            .offer(OfferOptions::new().audio(true))
            .map_err(Failure::step("publish"))?;
        let published = handle
            .call(Publish::builder().jsep(Jsep::offer(offer)).build())
            .await
            .map_err(Failure::step("publish"))?;
        let answer = match published.jsep {
            Some(jsep) if jsep.kind == JsepType::Answer => jsep,
            other => return Err(Failure::at("publish", format!("no answer: {other:?}"))),
        };
        peer.accept_answer(&answer.sdp)
            .map_err(Failure::step("publish"))?;
        let streams = published.value.streams.unwrap_or_default();
        let mid = streams
            .iter()
            .find(|s| s.kind == MediaType::Audio)
            .map(|s| s.mid.clone())
            .ok_or_else(|| Failure::at("publish", format!("no audio stream: {streams:?}")))?;
        let tag = tag(index);
        let sender = Sender::start(peer, tag);
        log.line(
            &display,
            format!(
                "joined as feed {feed}, publishing audio (mid {mid}), frames tagged {tag:#04x}"
            ),
        );

        // webrtcup: Janus has the PeerConnection (and tells the room about the publisher).
        let until = Instant::now() + STEP;
        loop {
            let next = smol::future::or(async { Some(events.next().await) }, async {
                smol::Timer::at(until).await;
                None
            });
            match next.await {
                Some(Some(PluginEvent::Other(Event::Handle { event, .. })))
                    if matches!(event.kind, HandleEventKind::WebrtcUp) =>
                {
                    break
                }
                Some(Some(_)) => {}
                Some(None) => return Err(Failure::at("webrtcup", "the connection ended")),
                None => {
                    return Err(Failure::at(
                        "webrtcup",
                        format!("{display}: no webrtcup within {} s", STEP.as_secs()),
                    ))
                }
            }
        }
        Ok(Publisher {
            index,
            display,
            feed,
            mid,
            tag,
            handle,
            sender: Some(sender),
        })
    }

    /// `unpublish` (Janus closes the PeerConnection), stops sending, then `leave`. What the
    /// peer sent.
    pub async fn leave(&mut self, log: &Log) -> Result<PeerStats, Failure> {
        let unpublished = self
            .handle
            .call(Unpublish::new())
            .await
            .map_err(Failure::step("unpublish"))?;
        if unpublished.value.unpublished != "ok" {
            return Err(Failure::at("unpublish", format!("{:?}", unpublished.value)));
        }
        let stats = match self.sender.take() {
            Some(sender) => sender.stop().map_err(Failure::step("unpublish"))?,
            None => PeerStats::default(),
        };
        let left = self
            .handle
            .call(LeavePublisher::new())
            .await
            .map_err(Failure::step("leave"))?;
        if left.value.leaving != "ok" {
            return Err(Failure::at("leave", format!("{:?}", left.value)));
        }
        log.line(
            &self.display,
            format!("unpublished and left ({} packets sent)", stats.rtp_sent),
        );
        Ok(stats)
    }

    /// Whether its peer is still sending.
    pub fn is_sending(&self) -> bool {
        self.sender.as_ref().is_some_and(Sender::is_running)
    }
}
