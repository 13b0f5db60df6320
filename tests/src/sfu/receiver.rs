//! The follower's str0m peer: answers Janus's offers and counts what arrives, on a thread
//! of its own; the async side talks to it through channels.

use std::ops::ControlFlow;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use smol::channel::{self, TryRecvError};

use super::view::View;
use super::Failure;
use crate::peer::{CandidateMode, Peer, PeerEvent};
use std::net::IpAddr;

/// The longest the peer runs (far longer than any run; it is stopped well before).
const LIFETIME: Duration = Duration::from_secs(600);

/// What the async side asks of the peer thread.
enum Command {
    /// Accept this offer; the answer (or why not) goes back on the channel.
    Answer(String, channel::Sender<Result<String, String>>),
}

/// The subscriber's peer thread. Dropping it stops the thread.
#[derive(Debug)]
pub struct Receiver {
    commands: Option<channel::Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// A peer bound on `ip`, counting received packets per (mid, last payload byte) into
    /// `view`.
    pub fn start(ip: IpAddr, view: View) -> Result<Self, Failure> {
        let mut peer =
            Peer::bind(ip, CandidateMode::InSdp).map_err(Failure::step("subscriber peer"))?;
        peer.set_tick(Duration::from_millis(2));
        let (commands, inbox) = channel::unbounded::<Command>();
        let thread = std::thread::Builder::new()
            .name("subscriber".into())
            .spawn(move || {
                let outcome = peer.run_until(Instant::now() + LIFETIME, |peer, event| {
                    match event {
                        PeerEvent::Media {
                            mid,
                            packets,
                            payload,
                            ..
                        } => {
                            let tag = payload.last().copied().unwrap_or(0);
                            *view.lock().packets.entry((mid, tag)).or_default() += packets;
                        }
                        PeerEvent::Tick => loop {
                            match inbox.try_recv() {
                                Ok(Command::Answer(offer, reply)) => {
                                    let answer = peer.answer(&offer).map_err(|e| e.to_string());
                                    let _ = reply.try_send(answer);
                                }
                                Err(TryRecvError::Empty) => break,
                                // The async side is done.
                                Err(TryRecvError::Closed) => return ControlFlow::Break(()),
                            }
                        },
                        _ => {}
                    }
                    ControlFlow::Continue(())
                });
                if let Err(e) = outcome {
                    view.lock().failure = Some(format!("the subscriber's peer failed: {e}"));
                }
                let _ = peer.close();
            })
            .map_err(Failure::step("subscriber peer"))?;
        Ok(Receiver {
            commands: Some(commands),
            thread: Some(thread),
        })
    }

    /// Accepts Janus's `offer`: our answer SDP.
    pub async fn answer(&self, offer: &str) -> Result<String, Failure> {
        let (reply, answer) = channel::bounded(1);
        let commands = self
            .commands
            .as_ref()
            .ok_or(Failure::at("answer", "the subscriber's peer is stopped"))?;
        commands
            .send(Command::Answer(offer.to_owned(), reply))
            .await
            .map_err(|_| Failure::at("answer", "the subscriber's peer is gone"))?;
        answer
            .recv()
            .await
            .map_err(|_| Failure::at("answer", "the subscriber's peer is gone"))?
            .map_err(Failure::step("answer"))
    }

    /// Stops the peer and waits for its thread.
    pub fn stop(&mut self) {
        self.commands = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}
