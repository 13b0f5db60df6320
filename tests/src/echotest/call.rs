//! [`Call`]: a str0m peer and its janus-blocking connection, driven together from the
//! peer's loop.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use janus_blocking::{
    Candidate, Connection, ConnectionEvent, Event, HandleEventKind, HandleId, SessionEvent,
};
use janus_proto::wire::MediaState;

use super::{Failure, Interrupt, POLL};
use crate::peer::{Peer, PeerEvent};

/// A peer and its signalling connection, driven together from the peer's loop.
pub struct Call<'a> {
    /// The signalling connection.
    pub conn: &'a mut Connection,
    /// The WebRTC peer.
    pub peer: Peer,
    /// The EchoTest handle.
    pub handle: HandleId,
    /// What the call has seen so far.
    pub seen: Seen,
    /// Checked on every tick.
    pub interrupt: &'a Interrupt,
}

/// What the call has seen so far.
#[derive(Default)]
pub struct Seen {
    /// When `webrtcup` came.
    pub webrtcup: Option<Instant>,
    /// The latest `media` event.
    pub media: Option<MediaState>,
    /// The `hangup` event's reason.
    pub hangup: Option<Option<String>>,
    /// Janus's trickled candidates.
    pub remote_trickled: usize,
    /// How many of them came before its answer was applied.
    pub remote_early: usize,
    /// Janus trickled its end-of-candidates.
    pub remote_completed: bool,
    /// The data channel is open.
    pub channel_open: bool,
    /// Text received on the data channel.
    pub texts: Vec<String>,
    /// The peer saw DTLS close.
    pub peer_closed: bool,
    /// Bad frames from Janus (dropped by the connection, which goes on).
    pub bad_frames: Vec<String>,
}

impl Call<'_> {
    /// Runs the peer (and polls Janus on every tick) until `done` holds (`Ok(true)`) or
    /// `deadline` passes (`Ok(false)`). Fails when the peer or the connection does, or on
    /// SIGINT/SIGTERM.
    pub fn pump(
        &mut self,
        step: &'static str,
        deadline: Instant,
        mut done: impl FnMut(&Peer, &Seen) -> bool,
    ) -> Result<bool, Failure> {
        let Call {
            conn,
            peer,
            handle,
            seen,
            interrupt,
        } = self;
        let outcome = peer
            .run_until(deadline, |peer, event| {
                if let Err(stopped) = interrupt.check(step) {
                    return ControlFlow::Break(Err(stopped));
                }
                match event {
                    PeerEvent::Tick => {
                        if let Err(reason) = poll_janus(conn, *handle, peer, seen, POLL) {
                            return ControlFlow::Break(Err(Failure::at(step, reason)));
                        }
                    }
                    PeerEvent::ChannelOpen { .. } => seen.channel_open = true,
                    PeerEvent::ChannelText(text) => seen.texts.push(text),
                    PeerEvent::Closed => seen.peer_closed = true,
                    _ => {}
                }
                if done(peer, seen) {
                    ControlFlow::Break(Ok(()))
                } else {
                    ControlFlow::Continue(())
                }
            })
            .map_err(Failure::step(step))?;
        match outcome {
            Some(Ok(())) => Ok(true),
            Some(Err(failure)) => Err(failure),
            None => Ok(false),
        }
    }

    /// Takes every event Janus has sent (waiting at most `wait` when there is none), feeding
    /// its trickled candidates to the peer and noting the rest.
    pub fn poll_janus(&mut self, wait: Duration) -> Result<(), String> {
        poll_janus(self.conn, self.handle, &mut self.peer, &mut self.seen, wait)
    }
}

/// Takes every event Janus has sent (waiting at most `wait` when there is none), feeding its
/// trickled candidates to the peer and noting the rest.
pub fn poll_janus(
    conn: &mut Connection,
    handle: HandleId,
    peer: &mut Peer,
    seen: &mut Seen,
    wait: Duration,
) -> Result<(), String> {
    loop {
        let event = match conn.next_event(wait) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(()),
            // A frame that is not a Janus message: dropped, the connection goes on.
            Err(janus_blocking::Error::Protocol(e)) => {
                seen.bad_frames.push(e.to_string());
                continue;
            }
            Err(e) => return Err(format!("the connection to Janus failed: {e}")),
        };
        match event {
            Event::Handle {
                handle: from,
                event,
                ..
            } if from == handle => match event.kind {
                HandleEventKind::Trickle(candidate) => {
                    let early = !peer.has_remote_description();
                    peer.add_remote_candidate(&candidate)
                        .map_err(|e| format!("Janus trickled a candidate the peer refused: {e}"))?;
                    match candidate {
                        Candidate::Completed => seen.remote_completed = true,
                        Candidate::Ice(_) => {
                            seen.remote_trickled += 1;
                            seen.remote_early += usize::from(early);
                        }
                    }
                }
                HandleEventKind::WebrtcUp => {
                    seen.webrtcup.get_or_insert_with(Instant::now);
                }
                HandleEventKind::Media(state) => seen.media = Some(state),
                HandleEventKind::Hangup { reason } => seen.hangup = Some(reason),
                HandleEventKind::Detached => {
                    return Err("Janus detached the EchoTest handle".to_owned())
                }
                // Plugin events (the EchoTest's "done" after a hangup), slowlink, …
                _ => {}
            },
            Event::Session {
                event: SessionEvent::Ended(end),
                ..
            } => return Err(format!("the session ended: {end:?}")),
            Event::Connection(ConnectionEvent::Closed) => {
                return Err(match conn.close_reason() {
                    Some(why) => format!("the connection to Janus closed: {why}"),
                    None => "the connection to Janus closed".to_owned(),
                })
            }
            Event::Lagged { dropped } => {
                return Err(format!(
                    "{dropped} events from Janus were dropped (event queue full)"
                ))
            }
            _ => {}
        }
    }
}
