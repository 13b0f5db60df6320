//! A publisher's str0m peer, sending tagged audio on a thread of its own until stopped.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::peer::{Peer, PeerStats, OPUS_SILENCE};

/// The longest a sender runs (far longer than any run; it is stopped well before).
const LIFETIME: Duration = Duration::from_secs(600);

/// A peer whose answer was applied, sending one Opus frame every 20 ms: the silent frame
/// followed by its tag byte, so that a receiver tells the publishers apart (Janus does not
/// touch an audio payload on its way through the SFU).
#[derive(Debug)]
pub struct Sender {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<PeerStats, String>>>,
}

impl Sender {
    /// Starts sending from `peer` on a new thread.
    pub fn start(mut peer: Peer, tag: u8) -> Self {
        let mut frame = OPUS_SILENCE.to_vec();
        frame.push(tag);
        peer.set_audio_payload(Some(frame));
        peer.send_audio(u32::MAX);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(format!("sender-{tag:02x}"))
            .spawn(move || {
                peer.run_until(Instant::now() + LIFETIME, |_, _| {
                    if flag.load(Ordering::Relaxed) {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .map_err(|e| e.to_string())?;
                // Best effort: tell Janus's side we are gone.
                let _ = peer.close();
                Ok(peer.stats())
            })
            .ok();
        Sender { stop, thread }
    }

    /// Whether the thread is still sending.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops sending; what the peer sent (its error if it failed).
    pub fn stop(mut self) -> Result<PeerStats, String> {
        self.stop_now()
    }

    fn stop_now(&mut self) -> Result<PeerStats, String> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err("the sender thread panicked".to_owned())),
            None => Err("the sender thread could not be started".to_owned()),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop_now();
        }
    }
}
