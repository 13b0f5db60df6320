//! The janus-proto core micro-benchmark, shared by its two programs.
//!
//! * `janus-bench-core` (the system allocator, untouched): pretty-printed server event frames
//!   decoded and routed per second by one [`janus_proto::Client`] on one core, and the same
//!   frames parsed into a `serde_json::Value` as a baseline. It then runs the second program and
//!   prints every figure, ending with one JSON line.
//! * `janus-bench-core-alloc` (a counting global allocator): allocations and bytes allocated per
//!   frame on both paths, and the heap held per idle session and per handle.
//!
//! Two programs because a counting allocator costs atomic operations on every allocation:
//! the throughput figure comes from a program without one.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use janus_proto::{
    Client, Command, Config, Event, HandleEvent, HandleEventKind, HandleId, Input, ReplyKind,
    SessionId, TransactionId,
};

pub mod frames;

use frames::{Kind, Plugin, Rng, MIX};

/// Frames routed in the timed run by default: 2–3 s of work at 0.5–0.7 µs per frame.
pub const DEFAULT_FRAMES: u64 = 4_000_000;
/// Frames routed with `--quick` (a smoke test for CI).
pub const QUICK_FRAMES: u64 = 20_000;
/// Sessions of the routed setup.
pub const SESSIONS: usize = 4;
/// Handles per session of the routed setup: three VideoRoom handles and one EchoTest.
pub const HANDLES_PER_SESSION: usize = 4;
/// Distinct frames in the pool the timed loop cycles through (several variants per handle and
/// kind, shuffled).
pub const POOL_FRAMES: usize = 1280;
/// Sessions (and handles) created to measure the memory each holds.
pub const IDLE_COUNT: usize = 10_000;

/// The command line of both programs: `--frames N`, `--quick`.
#[derive(Debug, Clone, Copy)]
pub struct Args {
    /// Frames routed in the timed run.
    pub frames: u64,
    /// Small counts, for a smoke test.
    pub quick: bool,
}

impl Args {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut frames = None;
        let mut quick = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => quick = true,
                "--frames" => {
                    let v = args.next().ok_or("--frames needs a value")?;
                    let n: u64 = v
                        .parse()
                        .map_err(|e| format!("--frames {v:?}: not a count: {e}"))?;
                    if n == 0 {
                        return Err("--frames must be at least 1".into());
                    }
                    frames = Some(n);
                }
                "-h" | "--help" => {
                    return Err("usage: [--frames N] [--quick]".into());
                }
                other => {
                    return Err(format!(
                        "unknown argument {other:?} (usage: [--frames N] [--quick])"
                    ))
                }
            }
        }
        let default = if quick { QUICK_FRAMES } else { DEFAULT_FRAMES };
        Ok(Self {
            frames: frames.unwrap_or(default),
            quick,
        })
    }
}

/// One pre-built server frame and the event it must produce.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The frame as a transport hands it to [`Client::handle_input`].
    pub bytes: Bytes,
    /// The same text, for the `serde_json::Value` baseline.
    pub text: String,
    /// The handle event kind it must produce.
    pub kind: Kind,
    /// The session it is for.
    pub session: SessionId,
    /// The handle it is for.
    pub handle: HandleId,
}

/// A live handle of the routed setup.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// Its session.
    pub session: SessionId,
    /// The handle.
    pub handle: HandleId,
    /// The plugin it is attached to.
    pub plugin: Plugin,
}

/// A client with live sessions and handles (set up through replies, as over a real
/// connection) and the frames to feed it.
#[derive(Debug)]
pub struct Setup {
    /// The client.
    pub client: Client,
    /// The `now` every call uses (no timer falls due during the run).
    pub now: Instant,
    /// The live handles.
    pub handles: Vec<Live>,
    /// The frames, shuffled.
    pub pool: Vec<Frame>,
}

/// Takes the one frame the client has to send and the transaction string in it.
fn sent_transaction(client: &mut Client, what: &str) -> Result<String, String> {
    let frame = client
        .poll_transmit()
        .ok_or_else(|| format!("{what}: nothing transmitted"))?;
    if let Some(extra) = client.poll_transmit() {
        return Err(format!("{what}: unexpected second frame {extra}"));
    }
    let v: serde_json::Value =
        serde_json::from_str(&frame).map_err(|e| format!("{what}: sent invalid JSON: {e}"))?;
    v.get("transaction")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: no transaction in {frame}"))
}

/// Feeds a reply and takes the one event it must produce: the completion of `txn`.
fn complete(
    client: &mut Client,
    now: Instant,
    txn: TransactionId,
    reply: String,
    what: &str,
) -> Result<ReplyKind, String> {
    client
        .handle_input(now, Input::text(reply))
        .map_err(|e| format!("{what}: reply refused: {e}"))?;
    let kind = match client.poll_event() {
        Some(Event::Completed {
            txn: t,
            outcome: Ok(reply),
        }) if t == txn => reply.kind,
        other => return Err(format!("{what}: expected its completion, got {other:?}")),
    };
    if let Some(extra) = client.poll_event() {
        return Err(format!("{what}: unexpected event {extra:?}"));
    }
    Ok(kind)
}

/// Creates a session through the API: `create`, then Janus's pretty-printed `success` with `id`.
pub fn create_session(client: &mut Client, now: Instant, id: u64) -> Result<SessionId, String> {
    let txn = client
        .submit(now, Command::create())
        .map_err(|e| format!("create: {e}"))?;
    let transaction = sent_transaction(client, "create")?;
    let reply = frames::create_success(&transaction, SessionId(id));
    match complete(client, now, txn, reply, "create")? {
        ReplyKind::SessionCreated(s) if s.0 == id => Ok(s),
        other => Err(format!("create: expected session {id}, got {other:?}")),
    }
}

/// Attaches a handle through the API: `attach`, then Janus's pretty-printed `success`.
pub fn attach_handle(
    client: &mut Client,
    now: Instant,
    session: SessionId,
    plugin: Plugin,
    id: u64,
) -> Result<HandleId, String> {
    let txn = client
        .submit(now, Command::attach(session, plugin.package()))
        .map_err(|e| format!("attach: {e}"))?;
    let transaction = sent_transaction(client, "attach")?;
    let reply = frames::attach_success(&transaction, session, HandleId(id));
    match complete(client, now, txn, reply, "attach")? {
        ReplyKind::Attached(h) if h.0 == id => Ok(h),
        other => Err(format!("attach: expected handle {id}, got {other:?}")),
    }
}

impl Setup {
    /// A client with [`SESSIONS`] sessions of [`HANDLES_PER_SESSION`] handles, and
    /// [`POOL_FRAMES`] frames for them in the [`MIX`].
    pub fn new() -> Result<Self, String> {
        let now = Instant::now();
        let mut client = Client::new(Config::new(), now);
        let mut rng = Rng::new(0x6a61_6e75_735f_7270);
        let mut handles = Vec::new();
        for _ in 0..SESSIONS {
            let session = create_session(&mut client, now, rng.janus_id())?;
            for i in 0..HANDLES_PER_SESSION {
                let plugin = if i + 1 == HANDLES_PER_SESSION {
                    Plugin::EchoTest
                } else {
                    Plugin::VideoRoom
                };
                let handle = attach_handle(&mut client, now, session, plugin, rng.janus_id())?;
                handles.push(Live {
                    session,
                    handle,
                    plugin,
                });
            }
        }
        // Frame i is for handle i % handles, kind MIX[(i / handles) % 20]; `n` walks through
        // each kind's variants (plugin events: one per VideoRoom event variant per cycle).
        let mut plugin_events = vec![0u64; handles.len()];
        let mut pool = Vec::with_capacity(POOL_FRAMES);
        for i in 0..POOL_FRAMES {
            let h = i % handles.len();
            let live = handles[h];
            let m = (i / handles.len()) % MIX.len();
            let cycle = i / (handles.len() * MIX.len());
            let kind = MIX[m];
            let n = if kind == Kind::Plugin {
                plugin_events[h] += 1;
                plugin_events[h] - 1
            } else {
                (cycle + m) as u64
            };
            let compact =
                frames::compact_frame(kind, live.plugin, live.session, live.handle, n, &mut rng);
            let text = frames::pretty(&compact);
            pool.push(Frame {
                bytes: Bytes::from(text.clone()),
                text,
                kind,
                session: live.session,
                handle: live.handle,
            });
        }
        for i in (1..pool.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            pool.swap(i, j);
        }
        Ok(Self {
            client,
            now,
            handles,
            pool,
        })
    }

    /// Mean size of the pool's frames, in bytes.
    pub fn frame_bytes_avg(&self) -> f64 {
        let total: usize = self.pool.iter().map(|f| f.bytes.len()).sum();
        total as f64 / self.pool.len().max(1) as f64
    }

    /// How many frames of each kind the pool holds, in [`MIX`] order of first appearance.
    pub fn kind_counts(&self) -> Vec<(&'static str, usize)> {
        let kinds = [
            Kind::Plugin,
            Kind::Media,
            Kind::SlowLink,
            Kind::Trickle,
            Kind::WebrtcUp,
        ];
        kinds
            .iter()
            .map(|k| (k.janus(), self.pool.iter().filter(|f| f.kind == *k).count()))
            .collect()
    }

    /// Feeds `n` frames from the pool (cycling) and drains, after each, what a transport's
    /// loop drains: transmits (there must be none), events (exactly one, of the expected kind
    /// for the expected handle), the next deadline. Returns the bytes fed.
    pub fn route(&mut self, n: u64) -> Result<u64, String> {
        let mut fed = 0u64;
        let mut events = 0u64;
        for frame in self.pool.iter().cycle().take(n as usize) {
            fed += frame.bytes.len() as u64;
            self.client
                .handle_input(self.now, Input::Frame(frame.bytes.clone()))
                .map_err(|e| format!("frame refused: {e}\n{}", frame.text))?;
            if let Some(out) = self.client.poll_transmit() {
                return Err(format!("unexpected transmit {out}"));
            }
            let mut got = 0;
            while let Some(event) = self.client.poll_event() {
                check(&event, frame)?;
                got += 1;
            }
            if got != 1 {
                return Err(format!("{got} events for one frame:\n{}", frame.text));
            }
            events += got;
            black_box(self.client.poll_timeout());
        }
        if events != n {
            return Err(format!("{events} events for {n} frames"));
        }
        Ok(fed)
    }

    /// Parses `n` frames from the pool (cycling) into a `serde_json::Value` each: the least
    /// a client that parses generically does. Returns the bytes parsed.
    pub fn baseline(&self, n: u64) -> Result<u64, String> {
        let mut fed = 0u64;
        for frame in self.pool.iter().cycle().take(n as usize) {
            fed += frame.text.len() as u64;
            let v: serde_json::Value = serde_json::from_str(&frame.text)
                .map_err(|e| format!("baseline parse: {e}\n{}", frame.text))?;
            black_box(v);
        }
        Ok(fed)
    }
}

/// Checks that `event` is the handle event `frame` must produce.
fn check(event: &Event, frame: &Frame) -> Result<(), String> {
    let ok = match event {
        Event::Handle {
            session,
            handle,
            event: HandleEvent { kind, .. },
        } if *session == frame.session && *handle == frame.handle => matches!(
            (frame.kind, kind),
            (Kind::Plugin, HandleEventKind::Plugin { txn: None, .. })
                | (Kind::WebrtcUp, HandleEventKind::WebrtcUp)
                | (Kind::Media, HandleEventKind::Media(_))
                | (Kind::SlowLink, HandleEventKind::SlowLink(_))
                | (Kind::Trickle, HandleEventKind::Trickle(_))
        ),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "wrong event for a {} frame on session {} handle {}: {event:?}",
            frame.kind.janus(),
            frame.session,
            frame.handle
        ))
    }
}

/// Rates of one measurement, split into rounds.
#[derive(Debug, Clone)]
pub struct Rate {
    /// Frames per second of each round.
    pub rounds: Vec<f64>,
    /// The median round's frames per second.
    pub frames_per_s: f64,
    /// Bytes fed per second, in MB (10^6) per second, at the median rate.
    pub mb_per_s: f64,
    /// Nanoseconds per frame at the median rate.
    pub ns_per_frame: f64,
}

/// Runs `work(frames_per_round)` `rounds` times, timing each; `work` returns bytes fed.
pub fn measure(
    total: u64,
    rounds: u64,
    mut work: impl FnMut(u64) -> Result<u64, String>,
) -> Result<Rate, String> {
    let rounds = rounds.clamp(1, total.max(1));
    let per_round = (total / rounds).max(1);
    let mut rates = Vec::new();
    let mut bytes_per_frame = 0.0;
    for _ in 0..rounds {
        let start = Instant::now();
        let bytes = work(per_round)?;
        let elapsed = start.elapsed().max(Duration::from_nanos(1));
        rates.push(per_round as f64 / elapsed.as_secs_f64());
        bytes_per_frame = bytes as f64 / per_round as f64;
    }
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    let frames_per_s = sorted[sorted.len() / 2];
    Ok(Rate {
        rounds: rates,
        frames_per_s,
        mb_per_s: frames_per_s * bytes_per_frame / 1e6,
        ns_per_frame: 1e9 / frames_per_s,
    })
}

/// Whether this build's `serde_json::Map` keeps insertion order (feature `preserve_order`,
/// which another crate of the workspace may switch on): it changes the baseline's cost.
pub fn serde_json_map_kind() -> &'static str {
    let v: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap_or_default();
    match v.as_object().and_then(|m| m.keys().next()) {
        Some(k) if k == "b" => "indexmap (preserve_order)",
        _ => "btreemap",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_every_frame_and_fails_on_a_wrong_or_missing_event() {
        let mut setup = Setup::new().expect("setup");
        let n = setup.pool.len() as u64 * 2;
        assert!(setup.route(n).is_ok());
        assert!(setup.baseline(n).is_ok());

        let mut wrong_kind = Setup::new().expect("setup");
        let kind = wrong_kind.pool[0].kind;
        wrong_kind.pool[0].kind = if kind == Kind::Plugin {
            Kind::Media
        } else {
            Kind::Plugin
        };
        assert!(wrong_kind.route(1).is_err());

        let mut wrong_handle = Setup::new().expect("setup");
        wrong_handle.pool[0].handle = HandleId(wrong_handle.pool[0].handle.0 + 1);
        assert!(wrong_handle.route(1).is_err());

        let mut unroutable = Setup::new().expect("setup");
        let text = unroutable.pool[0]
            .text
            .replace(&unroutable.pool[0].session.0.to_string(), "1");
        unroutable.pool[0].bytes = Bytes::from(text);
        assert!(unroutable.route(1).is_err());
    }
}
