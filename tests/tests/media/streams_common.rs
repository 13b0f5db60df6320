//! What the Streaming, RecordPlay, NoSIP and TextRoom media scenarios share: Janus of a given
//! version in the namespace, a blocking connection, typed plugin events read through a
//! [`Recorder`] with an inbox (an event another wait skipped is not lost), a str0m peer
//! running on its own thread (so that blocking typed requests can go out meanwhile), and plain
//! RTP (the test as an outside RTP source or sink).

use std::collections::{BTreeMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle, Typed};
use janus_proto::{Event, HandleEventKind};
use janus_tests::drivers::{Blocking, JanusDriver, Options};
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::netns::NetNs;
use janus_tests::peer::{Peer, PeerEvent};
use janus_tests::{JanusServer, JanusVersion};

/// Janus `version` inside `ns` (half-trickle: its candidates are in its SDP).
pub(crate) fn janus_in(ns: &NetNs, version: JanusVersion, name: &str) -> JanusServer {
    JanusServer::start(ns.janus_options().version(version).name(name))
        .expect("starting Janus in the namespace")
}

/// A blocking connection to `janus`.
pub(crate) fn connect(janus: &JanusServer) -> Blocking {
    Blocking::connect(janus.ws_url(), &Options::new().request_timeout(STEP))
        .expect("connecting to Janus")
}

/// A typed handle's events, with those a wait skipped kept for the next waits.
pub(crate) struct Events<P: Plugin> {
    pub(crate) handle: PluginHandle<P>,
    inbox: VecDeque<PluginEvent<P::Event>>,
}

impl<P: Plugin> Events<P> {
    pub(crate) fn new(handle: PluginHandle<P>) -> Self {
        Self {
            handle,
            inbox: VecDeque::new(),
        }
    }

    /// The first event (kept or new) that `pick` accepts, within [`STEP`]; plugin events
    /// are recorded as they come.
    pub(crate) fn wait<T>(
        &mut self,
        conn: &mut Blocking,
        recorder: &mut Recorder,
        what: &str,
        mut pick: impl FnMut(&PluginEvent<P::Event>) -> Option<T>,
    ) -> T {
        if let Some((at, found)) = self
            .inbox
            .iter()
            .enumerate()
            .find_map(|(at, e)| pick(e).map(|found| (at, found)))
        {
            self.inbox.remove(at);
            return found;
        }
        let until = Instant::now() + STEP;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{what}: not within {STEP:?}; unclaimed events {:#?}",
                self.inbox
            );
            match conn.next_plugin_event(self.handle, left) {
                Ok(Some(event)) => {
                    recorder.event::<P>(&event);
                    if let Some(found) = pick(&event) {
                        return found;
                    }
                    self.inbox.push_back(event);
                }
                Ok(None) => {}
                Err(e) => panic!("{what}: next_plugin_event: {e}; saw {:#?}", self.inbox),
            }
        }
    }

    /// Waits for a plugin event `pick` accepts.
    pub(crate) fn plugin<T>(
        &mut self,
        conn: &mut Blocking,
        recorder: &mut Recorder,
        what: &str,
        mut pick: impl FnMut(&Typed<P::Event>) -> Option<T>,
    ) -> T {
        self.wait(conn, recorder, what, |e| match e {
            PluginEvent::Plugin(typed) => pick(typed),
            _ => None,
        })
    }

    /// Waits for a core event of the handle (`webrtcup`, `media`, `hangup`…) `pick` accepts.
    pub(crate) fn core<T>(
        &mut self,
        conn: &mut Blocking,
        recorder: &mut Recorder,
        what: &str,
        mut pick: impl FnMut(&HandleEventKind) -> Option<T>,
    ) -> T {
        self.wait(conn, recorder, what, |e| match e {
            PluginEvent::Other(Event::Handle { event, .. }) => pick(&event.kind),
            _ => None,
        })
    }

    /// Waits for `webrtcup`.
    pub(crate) fn webrtcup(&mut self, conn: &mut Blocking, recorder: &mut Recorder) {
        self.core(conn, recorder, "webrtcup", |k| {
            matches!(k, HandleEventKind::WebrtcUp).then_some(())
        });
    }

    /// Waits for `hangup`, returning its reason.
    pub(crate) fn hangup(
        &mut self,
        conn: &mut Blocking,
        recorder: &mut Recorder,
    ) -> Option<String> {
        self.core(conn, recorder, "hangup", |k| match k {
            HandleEventKind::Hangup { reason } => Some(reason.clone()),
            _ => None,
        })
    }

    /// The plugin events kept so far (skipped by the waits), typed.
    pub(crate) fn kept_plugin_events(&self) -> Vec<P::Event> {
        self.inbox
            .iter()
            .filter_map(|e| match e {
                PluginEvent::Plugin(typed) => Some(typed.value.clone()),
                _ => None,
            })
            .collect()
    }
}

/// What a peer running on its thread has seen.
#[derive(Debug, Default, Clone)]
pub(crate) struct Seen {
    pub(crate) connected: bool,
    pub(crate) closed: bool,
    pub(crate) channel_open: bool,
    /// RTP packets received, by payload size (the tests' sources mark themselves by size).
    pub(crate) by_size: BTreeMap<usize, u64>,
    /// RTP packets received, by mid.
    pub(crate) by_mid: BTreeMap<String, u64>,
    pub(crate) rtp_received: u64,
    pub(crate) rtp_sent: u64,
    pub(crate) audio_pending: u32,
    /// Text received on the data channel, in order.
    pub(crate) texts: Vec<String>,
    /// `MediaAdded`: (mid, kind, our direction).
    pub(crate) added: Vec<(String, String, String)>,
}

impl Seen {
    /// Packets of payload size `size` received.
    pub(crate) fn of_size(&self, size: usize) -> u64 {
        self.by_size.get(&size).copied().unwrap_or(0)
    }
}

enum Command {
    Audio(u32),
    Text(String),
    Stop,
}

/// A [`Peer`] running on its own thread (until [`stop`](Self::stop) or 60 s), told what to
/// send through a channel, sharing what it saw.
pub(crate) struct Running {
    commands: mpsc::Sender<Command>,
    seen: Arc<Mutex<Seen>>,
    thread: Option<JoinHandle<Peer>>,
    name: String,
}

impl Running {
    /// Runs `peer` (its SDP already exchanged) on a thread.
    pub(crate) fn start(name: &str, mut peer: Peer) -> Self {
        let (commands, inbox) = mpsc::channel();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        let thread_name = name.to_owned();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            peer.run_until(deadline, |peer, event| {
                let mut seen = shared.lock().expect("the peer's state");
                while let Ok(command) = inbox.try_recv() {
                    match command {
                        Command::Audio(frames) => peer.send_audio(frames),
                        Command::Text(text) => peer
                            .send_text(&text)
                            .unwrap_or_else(|e| panic!("{thread_name}: sending {text:?}: {e}")),
                        Command::Stop => return ControlFlow::Break(()),
                    }
                }
                match event {
                    PeerEvent::Connected => seen.connected = true,
                    PeerEvent::Closed => seen.closed = true,
                    PeerEvent::ChannelOpen { .. } => seen.channel_open = true,
                    PeerEvent::ChannelText(text) => seen.texts.push(text),
                    PeerEvent::Media {
                        mid,
                        packets,
                        bytes,
                        ..
                    } => {
                        *seen.by_size.entry(bytes).or_default() += packets;
                        *seen.by_mid.entry(mid).or_default() += packets;
                    }
                    PeerEvent::MediaAdded {
                        mid,
                        kind,
                        direction,
                    } => seen.added.push((mid, kind, direction)),
                    _ => {}
                }
                let stats = peer.stats();
                seen.rtp_received = stats.rtp_received;
                seen.rtp_sent = stats.rtp_sent;
                seen.audio_pending = peer.audio_pending();
                ControlFlow::Continue(())
            })
            .unwrap_or_else(|e| panic!("{thread_name}: the peer failed: {e}"));
            peer
        });
        Self {
            commands,
            seen,
            thread: Some(thread),
            name: name.to_owned(),
        }
    }

    /// A copy of what the peer has seen so far.
    pub(crate) fn seen(&self) -> Seen {
        self.seen.lock().expect("the peer's state").clone()
    }

    /// Queues `frames` audio frames (sent once connected, one every 20 ms).
    pub(crate) fn send_audio(&self, frames: u32) {
        // Under the lock, so that the thread sees the command and the count together.
        let mut seen = self.seen.lock().expect("the peer's state");
        self.commands
            .send(Command::Audio(frames))
            .expect("the peer's thread runs");
        seen.audio_pending += frames;
    }

    /// Sends `text` on the data channel (which must be open).
    pub(crate) fn send_text(&self, text: String) {
        self.commands
            .send(Command::Text(text))
            .expect("the peer's thread runs");
    }

    /// Waits (at most `bound`, checking every 5 ms) until `done` holds of what the peer saw,
    /// and returns that.
    pub(crate) fn wait_for(
        &self,
        what: &str,
        bound: Duration,
        mut done: impl FnMut(&Seen) -> bool,
    ) -> Seen {
        let until = Instant::now() + bound;
        loop {
            let seen = self.seen();
            if done(&seen) {
                return seen;
            }
            assert!(
                !self.thread.as_ref().is_some_and(|t| t.is_finished()),
                "{}: the peer stopped while waiting for {what}; saw {seen:?}",
                self.name
            );
            assert!(
                Instant::now() < until,
                "{}: {what}: not within {bound:?}; saw {seen:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stops the thread and returns the peer.
    pub(crate) fn stop(mut self) -> Peer {
        let _ = self.commands.send(Command::Stop);
        self.thread
            .take()
            .expect("running")
            .join()
            .unwrap_or_else(|_| panic!("{}: the peer's thread panicked", self.name))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.commands.send(Command::Stop);
            let _ = thread.join();
        }
    }
}

/// Payload type the plain-RTP sources use (Opus's usual dynamic type).
pub(crate) const OPUS_PT: u8 = 111;

/// An RTP packet: version 2, no marker, `pt`, `seq`, `ts`, `ssrc`, then `payload`.
pub(crate) fn rtp_packet(pt: u8, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut packet = Vec::with_capacity(12 + payload.len());
    packet.extend_from_slice(&[0x80, pt & 0x7f]);
    packet.extend_from_slice(&seq.to_be_bytes());
    packet.extend_from_slice(&ts.to_be_bytes());
    packet.extend_from_slice(&ssrc.to_be_bytes());
    packet.extend_from_slice(payload);
    packet
}

/// An Opus-shaped payload of `size` bytes (≥ 1): TOC byte of a 20 ms CELT frame, then
/// filler. The sources of a test differ by size, which the receiving peer counts by.
pub(crate) fn opus_payload(size: usize) -> Vec<u8> {
    let mut payload = vec![0xFF; size.max(1)];
    payload[0] = 0xF8;
    payload
}

/// A plain-RTP source on the host end of the veth: a thread sending one Opus-shaped RTP
/// packet every 20 ms to `to` (payload `size` bytes) until dropped (or 60 s).
pub(crate) struct RtpSource {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl RtpSource {
    pub(crate) fn start(from: Ipv4Addr, to: SocketAddr, size: usize, ssrc: u32) -> Self {
        let socket = UdpSocket::bind((from, 0)).expect("binding the RTP source's socket");
        Self::start_on(socket, to, OPUS_PT, size, ssrc)
    }

    /// The same, sending from `socket` with payload type `pt`.
    pub(crate) fn start_on(
        socket: UdpSocket,
        to: SocketAddr,
        pt: u8,
        size: usize,
        ssrc: u32,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let (stop_flag, counter) = (stop.clone(), sent.clone());
        let thread = std::thread::spawn(move || {
            let payload = opus_payload(size);
            let until = Instant::now() + Duration::from_secs(60);
            let mut next = Instant::now();
            let mut seq: u16 = 1;
            let mut ts: u32 = 0;
            while !stop_flag.load(Ordering::Relaxed) && Instant::now() < until {
                let packet = rtp_packet(pt, seq, ts, ssrc, &payload);
                // UDP: a refused send (nothing bound yet) is a lost packet.
                if socket.send_to(&packet, to).is_ok() {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                seq = seq.wrapping_add(1);
                ts = ts.wrapping_add(960);
                next += Duration::from_millis(20);
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        });
        Self {
            stop,
            sent,
            thread: Some(thread),
        }
    }

    /// Packets sent so far.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for RtpSource {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A unique-enough id for rooms, mountpoints and recordings of this process.
pub(crate) fn unique_id(salt: u64) -> u64 {
    u64::from(std::process::id()) * 1000 + salt
}
