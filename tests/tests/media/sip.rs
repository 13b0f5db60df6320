//! SIP: calls between a str0m peer, through Janus's SIP plugin (signalled through the typed
//! SIP model, [`janus_proto::plugins::sip`]), and a real SIP endpoint: sipp (Debian's
//! `sip-tester`, installed by `scripts/install-janus.sh sipp` when missing) running the
//! scenarios of `tests/sip/` on the host end of the test's veth, reachable from Janus in the
//! namespace. The plain-RTP side of the call is a UDP socket of the test ([`RtpEnd`]), whose
//! address the scenarios put in their SDP: it counts the packets Janus sends it and sends
//! its own back to where Janus's come from (the plugin's RTP socket is connected to the
//! address in our SDP, and only takes packets from there).
//!
//! * [`a_call_out_to_sipp`]: sipp is the registrar and the callee (`tests/sip/uas.xml`).
//!   The handle `register`s (typed `registering`, then `registered`), `call`s
//!   `sip:service@…` with the peer's offer (typed `calling`, `proceeding` and `ringing`, then
//!   `accepted` with the answer Janus made of sipp's SDP); audio flows both ways and is
//!   counted at each end; `dtmf_info` reaches sipp as an INFO that its scenario checks;
//!   `hold` (typed `holding`) sends a re-INVITE with a=sendonly, which sipp checks and
//!   answers recvonly; while on hold the peer's audio still reaches the RTP end, and none
//!   of the RTP end's reaches the peer (Janus drops it), until the `unhold`;
//!   `unhold` (typed `resuming`) sends a re-INVITE with the direction from before the hold
//!   (none: sendrecv), which sipp checks too; no plugin event comes for sipp's answers to the
//!   re-INVITEs; the `hangup` sends the BYE (typed `hangingup`, then `hangup` with sipp's
//!   200). sipp exits 0 only when every message came as its scenario expects.
//! * [`a_call_in_from_sipp`]: sipp answers the handle's REGISTER (which tells where Janus's
//!   SIP stack listens), then calls that user (`tests/sip/uac.xml`): typed `incomingcall`
//!   with Janus's offer, the peer answers, `accept`; audio both ways; an RFC 2833 key press
//!   from the SIP side is a typed `dtmf` event on 1.4.1 (none on 1.1.2); the handle's `info`
//!   reaches sipp, which hangs up: typed `hangup` (200 `Session Terminated`).
//! * [`a_declined_call`]: sipp calls (`tests/sip/uac_declined.xml`) and the handle
//!   `decline`s without a code: 486 Busy Here on Janus 1.1.2, 603 Decline on 1.4.1, in the
//!   typed `declining`, in what sipp gets and in the typed `hangup`.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_proto::plugins::sip::{
    Accept, AcceptOutcome, Call, Decline, DtmfInfo, Event, Hangup, Hold, Info, Register,
    Registration, Sip, Unhold,
};
use janus_proto::plugins::PluginHandle;
use janus_proto::{HandleEventKind, JsepType};
use janus_tests::echotest::STEP;
use janus_tests::peer::{OfferOptions, OPUS_SILENCE};
use janus_tests::JanusVersion;

use super::videocall::{jsep, pump, pump_until, Rig};

/// sipp's `-key`s pointing a scenario's SDP at `rtp`.
fn rtp_keys(rtp: &RtpEnd) -> Vec<String> {
    [
        "-key",
        "rtp_ip",
        &rtp.addr.ip().to_string(),
        "-key",
        "rtp_port",
        &rtp.addr.port().to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The telephone-event payload type of `tests/sip/uac.xml`'s SDP.
const DTMF_PT: u8 = 101;

/// An RFC 2833 key press the RTP end sends.
#[derive(Debug, Clone, Copy)]
struct Dtmf {
    /// The event: 0–9 for the digits, 10 `*`, 11 `#`, 12–15 `A`–`D`.
    event: u8,
    /// In RTP timestamp units (8 kHz).
    duration: u16,
}

/// Audio frames each side sends.
const FRAMES: u32 = 100;
/// The DTMF digit sent as an INFO, and its duration in ms: `tests/sip/uas.xml` expects them.
const DIGIT: char = '7';
const DIGIT_MS: u32 = 200;
/// An ACK as sipp's message trace shows it (its request line).
const ACK: &str = "\nACK sip:";
/// The Opus payload type of the scenarios' SDP.
const OPUS_PT: u8 = 111;

/// Serialises the install of sipp.
static INSTALL: Mutex<()> = Mutex::new(());

/// sipp's path, installing Debian's `sip-tester` through the repository's installer when it
/// is missing.
fn sipp_program() -> PathBuf {
    let find = || {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("sipp"))
                .find(|path| path.is_file())
        })
    };
    if let Some(found) = find() {
        return found;
    }
    let _guard = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(found) = find() {
        return found;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-janus.sh");
    let status = Command::new("sh")
        .arg(&script)
        .arg("sipp")
        .status()
        .expect("running scripts/install-janus.sh");
    assert!(status.success(), "installing sipp failed: {status}");
    find().expect("sipp installed")
}

/// A scenario file of `tests/sip/`.
fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sip").join(name)
}

/// A free UDP port on `ip` (for sipp, which binds it itself).
fn free_udp_port(ip: Ipv4Addr) -> u16 {
    UdpSocket::bind((ip, 0))
        .and_then(|s| s.local_addr())
        .expect("a free UDP port")
        .port()
}

/// A sipp process running one scenario, killed on drop if it is still running. Its screen,
/// message trace and errors are in files of the test's temporary directory.
struct Sipp {
    child: Option<Child>,
    name: String,
    logs: PathBuf,
}

impl Sipp {
    /// sipp on `ip:port` running `scenario` with `args` (the remote address and `-key`s),
    /// exiting after `calls` calls (or failing after 60 s).
    fn start(
        name: &str,
        ip: Ipv4Addr,
        port: u16,
        scenario: &Path,
        calls: u32,
        args: &[String],
    ) -> Self {
        let logs = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sipp-{name}"));
        std::fs::create_dir_all(&logs).expect("sipp's log directory");
        let screen = std::fs::File::create(logs.join("screen.log")).expect("sipp's screen log");
        let child = Command::new(sipp_program())
            .arg("-sf")
            .arg(scenario)
            .args(["-i", &ip.to_string(), "-p", &port.to_string()])
            .args(["-m", &calls.to_string()])
            .args(["-nostdin", "-timeout", "60s", "-timeout_error"])
            .args(["-trace_msg", "-message_file"])
            .arg(logs.join("messages.log"))
            .args(["-trace_err", "-error_file"])
            .arg(logs.join("errors.log"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(screen.try_clone().expect("the screen log")))
            .stderr(Stdio::from(screen))
            .spawn()
            .expect("starting sipp");
        let mut sipp = Sipp {
            child: Some(child),
            name: name.to_owned(),
            logs,
        };
        sipp.wait_listening(port);
        sipp
    }

    /// Waits (at most [`STEP`]) until sipp's UDP port is bound (in `/proc/net/udp`): until
    /// then a REGISTER sent to it is refused.
    fn wait_listening(&mut self, port: u16) {
        let needle = format!(":{port:04X} ");
        let deadline = Instant::now() + STEP;
        loop {
            let table = std::fs::read_to_string("/proc/net/udp").expect("/proc/net/udp");
            // The second column is the local address, `HEXIP:HEXPORT`.
            let bound = table.lines().skip(1).any(|line| {
                line.split_whitespace()
                    .nth(1)
                    .is_some_and(|local| format!("{local} ").ends_with(&needle))
            });
            if bound {
                return;
            }
            let child = self.child.as_mut().expect("running");
            if let Some(status) = child.try_wait().expect("sipp's status") {
                panic!("sipp exited at start: {status}; {}", self.logs());
            }
            assert!(
                Instant::now() < deadline,
                "sipp did not bind UDP port {port} within {STEP:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The address in the first `Contact: <sip:USER@HOST:PORT…>` sipp received (a
    /// REGISTER's: where Janus's SIP stack for that handle listens).
    fn contact(&self) -> SocketAddr {
        let messages =
            std::fs::read_to_string(self.logs.join("messages.log")).expect("sipp's message trace");
        let line = messages
            .lines()
            .find_map(|l| l.strip_prefix("Contact: <sip:"))
            .unwrap_or_else(|| panic!("no Contact in what sipp got; {}", self.logs()));
        let after_user = line.split_once('@').map_or(line, |(_, rest)| rest);
        let end = after_user.find([';', '>']).unwrap_or(after_user.len());
        after_user[..end]
            .parse()
            .unwrap_or_else(|e| panic!("the Contact {line:?}: {e}"))
    }

    /// Waits (at most [`STEP`]) until sipp's message trace has `text`: sipp got (or sent)
    /// that message.
    fn wait_for_message(&self, text: &str) {
        self.wait_for_messages(text, 1);
    }

    /// Waits (at most [`STEP`]) until sipp's message trace has `text` `count` times.
    fn wait_for_messages(&self, text: &str, count: usize) {
        let deadline = Instant::now() + STEP;
        loop {
            let messages =
                std::fs::read_to_string(self.logs.join("messages.log")).unwrap_or_default();
            if messages.matches(text).count() >= count {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "sipp saw {text:?} fewer than {count} times within {STEP:?}; {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What sipp logged, for a failure message.
    fn logs(&self) -> String {
        let read = |f: &str| std::fs::read_to_string(self.logs.join(f)).unwrap_or_default();
        format!(
            "sipp {}: errors:\n{}\nmessages:\n{}",
            self.name,
            read("errors.log"),
            read("messages.log")
        )
    }

    /// Waits (at most `bound`) for sipp to exit, and returns its status.
    fn wait(&mut self, bound: Duration) -> ExitStatus {
        let child = self.child.as_mut().expect("running");
        let deadline = Instant::now() + bound;
        loop {
            if let Some(status) = child.try_wait().expect("sipp's status") {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "sipp still running after {bound:?}; {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What the plain-RTP end saw.
#[derive(Debug, Default, Clone)]
struct RtpReport {
    /// RTP packets received from Janus.
    received: u64,
    /// Their payload types.
    pts: Vec<u8>,
    /// Opus RTP packets sent to Janus.
    sent: u64,
    /// RFC 2833 telephone-event packets sent to Janus (after the Opus ones).
    dtmf_sent: u64,
    /// Where Janus's packets came from (where ours go).
    janus: Option<SocketAddr>,
}

/// The SIP side's RTP: a UDP socket of the test, run on a thread until stopped. It counts
/// the RTP packets that arrive and, once Janus's first one came, sends `frames` Opus
/// packets back to its source, one every 20 ms, then (with `dtmf`) one RFC 2833 key press
/// ([`DTMF_PT`], the end packet three times, as RFC 4733 says); [`RtpEnd::send_more`] sends
/// more Opus packets after those.
struct RtpEnd {
    addr: SocketAddr,
    received: Arc<AtomicU64>,
    /// Opus packets sent so far, and how many to send in all.
    sent: Arc<AtomicU64>,
    target: Arc<AtomicU64>,
    /// Whether everything was sent.
    done: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<RtpReport>>,
}

impl RtpEnd {
    fn start(ip: Ipv4Addr, frames: u32, dtmf: Option<Dtmf>) -> Self {
        let socket = UdpSocket::bind((ip, 0)).expect("binding the RTP socket");
        let addr = socket.local_addr().expect("the RTP socket's address");
        socket
            .set_read_timeout(Some(Duration::from_millis(5)))
            .expect("a read timeout");
        let received = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let target = Arc::new(AtomicU64::new(u64::from(frames)));
        let (count, halt, all_sent) = (received.clone(), stop.clone(), done.clone());
        let (sent_count, to_send) = (sent.clone(), target.clone());
        let mut dtmf = dtmf;
        let thread = std::thread::spawn(move || {
            let mut report = RtpReport::default();
            let mut buf = [0u8; 2048];
            let mut next_due: Option<Instant> = None;
            let ssrc: u32 = 0x5155_0001;
            while !halt.load(Ordering::Relaxed) {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    // RTP version 2, and not RTCP (payload types 72–76 with the marker bit).
                    if n >= 12 && buf[0] >> 6 == 2 && !(72..=76).contains(&(buf[1] & 0x7f)) {
                        report.received += 1;
                        count.fetch_add(1, Ordering::Relaxed);
                        let pt = buf[1] & 0x7f;
                        if !report.pts.contains(&pt) {
                            report.pts.push(pt);
                        }
                        report.janus.get_or_insert(from);
                    }
                }
                let Some(janus) = report.janus else {
                    continue;
                };
                if report.sent >= to_send.load(Ordering::Relaxed) {
                    // A later burst starts when it is asked for, not at once to catch up.
                    next_due = None;
                    if let Some(key) = dtmf.take() {
                        let ts = (report.sent as u32).wrapping_mul(960);
                        for i in 0..3u16 {
                            let seq = report.sent as u16 + i;
                            let marker = if i == 0 { 0x80 } else { 0 };
                            let mut packet = vec![0x80, marker | DTMF_PT];
                            packet.extend_from_slice(&seq.to_be_bytes());
                            packet.extend_from_slice(&ts.to_be_bytes());
                            packet.extend_from_slice(&ssrc.to_be_bytes());
                            // Event, end bit and volume 10, duration.
                            packet.extend_from_slice(&[key.event, 0x80 | 10]);
                            packet.extend_from_slice(&key.duration.to_be_bytes());
                            socket
                                .send_to(&packet, janus)
                                .expect("sending DTMF to Janus");
                            report.dtmf_sent += 1;
                        }
                    }
                    all_sent.store(true, Ordering::Relaxed);
                    continue;
                }
                let now = Instant::now();
                if next_due.is_some_and(|due| due > now) {
                    continue;
                }
                let seq = report.sent as u16;
                let ts = (report.sent as u32).wrapping_mul(960);
                let mut packet = vec![0x80, OPUS_PT];
                packet.extend_from_slice(&seq.to_be_bytes());
                packet.extend_from_slice(&ts.to_be_bytes());
                packet.extend_from_slice(&ssrc.to_be_bytes());
                packet.extend_from_slice(&OPUS_SILENCE);
                socket
                    .send_to(&packet, janus)
                    .expect("sending RTP to Janus");
                report.sent += 1;
                sent_count.store(report.sent, Ordering::Relaxed);
                next_due = Some(next_due.map_or(now, |due| due) + Duration::from_millis(20));
            }
            report
        });
        RtpEnd {
            addr,
            received,
            sent,
            target,
            done,
            stop,
            thread: Some(thread),
        }
    }

    fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Opus packets sent so far.
    fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends `frames` more Opus packets (after the ones asked for so far).
    fn send_more(&self, frames: u32) {
        self.target.fetch_add(u64::from(frames), Ordering::Relaxed);
    }

    /// Whether the Opus packets (and the DTMF) were all sent.
    fn all_sent(&self) -> bool {
        self.done.load(Ordering::Relaxed)
    }

    fn finish(mut self) -> RtpReport {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .expect("running")
            .join()
            .expect("the RTP thread")
    }
}

impl Drop for RtpEnd {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Registers `user` with the registrar at `registrar` (sipp): `registering`, then the
/// `registered` event. Janus 1.4 gives the session's `unique_id` in both (in `registering`'s
/// result, and beside `registered`'s), 1.1.2 in neither.
fn register(
    rig: &mut Rig<Sip>,
    version: JanusVersion,
    handle: PluginHandle<Sip>,
    user: &str,
    registrar: SocketAddr,
) {
    let register = Register::builder()
        .username(format!("sip:{user}@{}", registrar.ip()))
        .secret("unused")
        .proxy(format!("sip:{registrar}"))
        .build();
    let registering = rig
        .recorder
        .call(&mut rig.conn, handle, register)
        .expect("register");
    let Registration::Registering(registering) = &registering.value.result else {
        panic!("a REGISTER went out: {registering:?}");
    };
    let unique_id = registering.unique_id.clone();
    assert_eq!(unique_id.is_some(), version >= JanusVersion::V1_4_1);
    let registered = rig.wait_plugin(handle, &mut [], "registered", |t| match &t.value {
        Event::Registered(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(registered.result.username, user);
    assert!(registered.result.register_sent);
    assert_eq!(registered.unique_id, unique_id);
    assert_eq!(registered.result.unique_id, None);
}

#[test]
fn a_call_out_to_sipp_on_1_1_2() {
    a_call_out_to_sipp(JanusVersion::V1_1_2);
}

#[test]
fn a_call_out_to_sipp_on_1_4_1() {
    a_call_out_to_sipp(JanusVersion::V1_4_1);
}

fn a_call_out_to_sipp(version: JanusVersion) {
    let test = format!("sip_out_{}", version.number());
    let Some(mut rig) = Rig::<Sip>::start(&test, version, "media_call_out") else {
        return;
    };
    let host = rig.ns.host_ip();
    let rtp = RtpEnd::start(host, FRAMES, None);
    let registrar = SocketAddr::from((host, free_udp_port(host)));
    let mut sipp = Sipp::start(
        &test,
        host,
        registrar.port(),
        &scenario("uas.xml"),
        2,
        &rtp_keys(&rtp),
    );
    let handle = rig.attach();
    register(&mut rig, version, handle, "janus", registrar);

    // The call: our offer, `calling`, sipp's 100 and 180, then its 200 OK's SDP as Janus's
    // answer.
    let mut peer = rig.peer();
    let offer = peer
        .offer(OfferOptions::new().audio(true))
        .expect("the peer's offer");
    let callee = format!("sip:service@{registrar}");
    let call = Call::builder()
        .uri(callee.clone())
        .jsep(jsep(JsepType::Offer, offer))
        .build();
    let calling = rig
        .recorder
        .call(&mut rig.conn, handle, call)
        .expect("call");
    let call_id = calling.value.result.call_id.clone();
    assert!(!call_id.is_empty());
    assert_eq!(calling.value.call_id.as_ref(), Some(&call_id));
    assert!(calling.jsep.is_none());
    let mut progress = Vec::new();
    let (who, answer) = rig.wait_plugin(handle, &mut [], "accepted", |t| match &t.value {
        Event::Accepted(a) => {
            assert_eq!(a.call_id.as_ref(), Some(&call_id));
            Some((a.result.username.clone(), t.jsep.clone()))
        }
        Event::Proceeding(p) => {
            progress.push(format!("proceeding {}", p.result.code));
            None
        }
        Event::Ringing(_) => {
            progress.push("ringing".to_owned());
            None
        }
        _ => None,
    });
    assert_eq!(who.as_deref(), Some(callee.as_str()));
    // The 180 is `ringing` (the INVITE's response) then `proceeding` (the call state); the
    // 100 is neither.
    assert_eq!(progress, ["ringing", "proceeding 180"]);
    let answer = answer.expect("the answer comes with accepted");
    assert_eq!(answer.kind, JsepType::Answer);
    // Janus made this SDP itself: one mid (unlike VideoCall's, see `single_mid`).
    assert_eq!(answer.sdp.matches("a=mid:").count(), 1, "{}", answer.sdp);
    peer.accept_answer(&answer.sdp)
        .unwrap_or_else(|e| panic!("applying Janus's answer: {e}\n{}", answer.sdp));

    // Media: the peer's audio reaches the RTP end, and the RTP end's the peer.
    peer.send_audio(FRAMES);
    rig.wait_core(handle, &mut [&mut peer], "webrtcup", |e| {
        matches!(e, HandleEventKind::WebrtcUp).then_some(())
    });
    // (All of the RTP end's packets sent: none of them is counted as on hold below.)
    pump_until(&mut [&mut peer], "the audio both ways", |p| {
        p[0].audio_pending() == 0
            && p[0].stats().rtp_received >= u64::from(FRAMES) * 9 / 10
            && rtp.received() >= u64::from(FRAMES) * 9 / 10
            && rtp.all_sent()
    });

    // DTMF as an INFO: sipp's scenario checks it and answers 200.
    let dtmf = DtmfInfo::builder().digit(DIGIT).duration(DIGIT_MS).build();
    rig.recorder
        .call(&mut rig.conn, handle, dtmf)
        .expect("dtmf_info");

    // Hold (no direction: sendonly): the typed `holding`, and a re-INVITE offering
    // a=sendonly that sipp's scenario checks and answers recvonly (then Janus's ACK, the
    // call's second). Janus still sends the peer's audio to the SIP side, and drops what
    // comes from there: while on hold more of the peer's frames reach the RTP end, and none
    // of the RTP end's reach the peer (watched for a while after its last one was sent).
    let holding = rig
        .recorder
        .call(&mut rig.conn, handle, Hold::builder().build())
        .expect("hold");
    assert_eq!(holding.value.call_id.as_ref(), Some(&call_id));
    sipp.wait_for_messages(ACK, 2);
    // What the peer got before the hold (still in its socket, or in Janus) is counted first.
    pump(&mut [&mut peer], Duration::from_millis(200));
    let before_hold = rtp.received();
    let (peer_before_hold, sip_sent) = (peer.stats().rtp_received, rtp.sent());
    peer.send_audio(FRAMES);
    rtp.send_more(FRAMES);
    pump_until(&mut [&mut peer], "the audio on hold", |p| {
        p[0].audio_pending() == 0
            && rtp.received() >= before_hold + u64::from(FRAMES) * 9 / 10
            && rtp.sent() == sip_sent + u64::from(FRAMES)
    });
    pump(&mut [&mut peer], Duration::from_millis(300));
    let on_hold = rtp.received() - before_hold;
    let peer_on_hold = peer.stats().rtp_received - peer_before_hold;
    assert_eq!(
        peer_on_hold, 0,
        "the SIP side's audio reached the peer on hold"
    );

    // Unhold: `resuming`, and a re-INVITE restoring the direction from before the hold: no
    // a= direction at all (sendrecv), as in the first INVITE; sipp's scenario checks there is
    // none, answers sendrecv, and gets the ACK (the call's third).
    let resuming = rig
        .recorder
        .call(&mut rig.conn, handle, Unhold::builder().build())
        .expect("unhold");
    assert_eq!(resuming.value.call_id.as_ref(), Some(&call_id));
    sipp.wait_for_messages(ACK, 3);
    // The RTP end's audio reaches the peer again (counted once it was all sent).
    let peer_before_unhold = peer.stats().rtp_received;
    rtp.send_more(FRAMES);
    pump_until(&mut [&mut peer], "the SIP side's audio after unhold", |p| {
        rtp.sent() == 3 * u64::from(FRAMES)
            && p[0].stats().rtp_received >= peer_before_unhold + u64::from(FRAMES) * 9 / 10
    });
    let peer_after_unhold = peer.stats().rtp_received - peer_before_unhold;

    // Hang up: the BYE, sipp's 200, the `hangup` event; the PeerConnection closes.
    rig.recorder
        .call(&mut rig.conn, handle, Hangup::builder().build())
        .expect("hangup");
    // Janus pushes nothing for sipp's answers to the re-INVITEs (they answer its own hold
    // and unhold): no plugin event but `hangup` came since the call was accepted.
    let mut others = Vec::new();
    let (code, reason) = rig.wait_plugin(handle, &mut [&mut peer], "hangup", |t| match &t.value {
        Event::HungUp(h) => {
            assert_eq!(h.call_id.as_ref(), Some(&call_id));
            Some((h.result.code, h.result.reason.clone()))
        }
        // Seen (and left unclaimed) while the call was set up.
        Event::Ringing(_) | Event::Proceeding(_) => None,
        other => {
            others.push(format!("{other:?}"));
            None
        }
    });
    assert!(others.is_empty(), "{others:?}");
    let core_reason = rig.wait_core(handle, &mut [&mut peer], "the core hangup", |e| match e {
        HandleEventKind::Hangup { reason } => Some(reason.clone()),
        _ => None,
    });
    pump_until(&mut [&mut peer], "the peer closed", |p| p[0].is_closed());
    let status = sipp.wait(STEP);
    assert!(status.success(), "sipp: {status}; {}", sipp.logs());
    let report = rtp.finish();
    let stats = peer.stats();
    println!(
        "{test}: peer → SIP side {} of {} RTP packets ({on_hold} of them on hold; payload \
         types {:?}), SIP side → peer {} of {} ({peer_on_hold} of {FRAMES} on hold, \
         {peer_after_unhold} of {FRAMES} after unhold); progress {progress:?}; hangup {code} \
         {reason:?}, core hangup {core_reason:?}",
        report.received,
        2 * FRAMES,
        report.pts,
        stats.rtp_received,
        report.sent
    );
    assert_eq!(stats.rtp_sent, 2 * u64::from(FRAMES));
    assert!(
        report.received >= 2 * u64::from(FRAMES) * 9 / 10,
        "{report:?}"
    );
    assert_eq!(report.pts, [OPUS_PT]);
    assert_eq!(report.sent, 3 * u64::from(FRAMES));
    assert!(
        stats.rtp_received >= 2 * u64::from(FRAMES) * 9 / 10,
        "{stats:?}"
    );
    // sofia's phrase for the 200 that answers our own BYE.
    assert_eq!((code, reason.as_str()), (200, "to BYE"));
    rig.finish();
}

/// A handle registered as `janus` at a sipp registrar (`tests/sip/uas.xml`, which exits
/// after the REGISTER), and the address of Janus's SIP stack for it (the REGISTER's Contact).
fn register_at_sipp(
    rig: &mut Rig<Sip>,
    version: JanusVersion,
    test: &str,
    rtp: &RtpEnd,
) -> (PluginHandle<Sip>, SocketAddr) {
    let host = rig.ns.host_ip();
    let registrar = SocketAddr::from((host, free_udp_port(host)));
    let mut sipp = Sipp::start(
        &format!("{test}_registrar"),
        host,
        registrar.port(),
        &scenario("uas.xml"),
        1,
        &rtp_keys(rtp),
    );
    let handle = rig.attach();
    register(rig, version, handle, "janus", registrar);
    let status = sipp.wait(STEP);
    assert!(status.success(), "sipp: {status}; {}", sipp.logs());
    let janus_sip = sipp.contact();
    assert_eq!(janus_sip.ip(), std::net::IpAddr::from(rig.ns.inner_ip()));
    (handle, janus_sip)
}

/// Waits until Janus's automatic 180 Ringing reached the calling sipp. Janus pushes
/// `incomingcall` before it keeps the INVITE's SIP handle (right after sending that 180):
/// an `accept` or `decline` sent at once is answered (`accepted`, `declining`) but nothing
/// goes out ("NUA Handle for 200 OK still null??" in Janus's log), on 1.1.2 and 1.4.1.
fn ringing_sent(sipp: &Sipp) {
    sipp.wait_for_message("SIP/2.0 180 Ringing");
}

/// sipp on `host:port` calling `janus@janus_sip` once with `scenario`, its SDP pointing at
/// `rtp`.
fn sipp_calls(
    test: &str,
    host: Ipv4Addr,
    port: u16,
    scenario_file: &str,
    rtp: &RtpEnd,
    janus_sip: SocketAddr,
) -> Sipp {
    let mut args = rtp_keys(rtp);
    args.extend(["-s".to_owned(), "janus".to_owned(), janus_sip.to_string()]);
    Sipp::start(
        &format!("{test}_caller"),
        host,
        port,
        &scenario(scenario_file),
        1,
        &args,
    )
}

#[test]
fn a_call_in_from_sipp_on_1_1_2() {
    a_call_in_from_sipp(JanusVersion::V1_1_2);
}

#[test]
fn a_call_in_from_sipp_on_1_4_1() {
    a_call_in_from_sipp(JanusVersion::V1_4_1);
}

/// sipp registers nobody: first `tests/sip/uas.xml` answers the handle's REGISTER (one call,
/// then sipp exits), which tells the test where Janus's SIP stack listens; then
/// `tests/sip/uac.xml` calls that user. The handle gets the typed `incomingcall` with Janus's
/// WebRTC offer made of sipp's SDP; the peer answers and the handle `accept`s; audio flows
/// both ways and is counted at each end; the handle's `info` reaches sipp (its scenario
/// checks the body), after which sipp sends the BYE: the typed `hangup` follows and the
/// PeerConnection closes.
fn a_call_in_from_sipp(version: JanusVersion) {
    let test = format!("sip_in_{}", version.number());
    let Some(mut rig) = Rig::<Sip>::start(&test, version, "media_call_in") else {
        return;
    };
    let host = rig.ns.host_ip();
    let key = Dtmf {
        event: 5,
        duration: 1600,
    };
    let rtp = RtpEnd::start(host, FRAMES, Some(key));
    let (handle, janus_sip) = register_at_sipp(&mut rig, version, &test, &rtp);

    // sipp calls; the handle gets the call with Janus's offer.
    let caller_port = free_udp_port(host);
    let mut sipp = sipp_calls(&test, host, caller_port, "uac.xml", &rtp, janus_sip);
    let (incoming, offer) = rig.wait_plugin(handle, &mut [], "incomingcall", |t| match &t.value {
        Event::IncomingCall(call) => Some((call.clone(), t.jsep.clone())),
        _ => None,
    });
    assert_eq!(
        incoming.result.username,
        format!("sip:sipp@{host}:{caller_port}")
    );
    assert_eq!(incoming.result.callee, format!("sip:janus@{janus_sip}"));
    assert_eq!(incoming.result.displayname.as_deref(), Some("sipp"));
    assert_eq!(incoming.result.srtp, None);
    let call_id = incoming.call_id.clone().expect("the call's Call-ID");
    assert_eq!(incoming.result.call_id.as_ref(), Some(&call_id));
    ringing_sent(&sipp);
    let offer = offer.expect("the offer comes with incomingcall");
    assert_eq!(offer.kind, JsepType::Offer);
    let mut peer = rig.peer();
    let answer = peer
        .answer(&offer.sdp)
        .unwrap_or_else(|e| panic!("answering Janus's offer: {e}\n{}", offer.sdp));
    let accept = Accept::builder()
        .jsep(jsep(JsepType::Answer, answer))
        .build();
    let accepted = rig
        .recorder
        .call(&mut rig.conn, handle, accept)
        .expect("accept");
    assert!(
        matches!(accepted.value.result, AcceptOutcome::Accepted(ref a) if a.username.is_none()),
        "{accepted:?}"
    );
    assert_eq!(accepted.value.call_id.as_ref(), Some(&call_id));

    // Media both ways.
    peer.send_audio(FRAMES);
    rig.wait_core(handle, &mut [&mut peer], "webrtcup", |e| {
        matches!(e, HandleEventKind::WebrtcUp).then_some(())
    });
    pump_until(&mut [&mut peer], "the audio both ways", |p| {
        p[0].audio_pending() == 0
            && p[0].stats().rtp_received >= u64::from(FRAMES) * 9 / 10
            && rtp.received() >= u64::from(FRAMES) * 9 / 10
    });

    // A key pressed on the SIP side (RFC 2833, telephone-event in sipp's SDP): Janus 1.4.1
    // tells the handle with a `dtmf` event, 1.1.2 does not (checked after the hangup).
    pump_until(&mut [&mut peer], "the SIP side's DTMF sent", |_| {
        rtp.all_sent()
    });
    if version >= JanusVersion::V1_4_1 {
        let dtmf = rig.wait_plugin(handle, &mut [&mut peer], "the dtmf event", |t| {
            match &t.value {
                Event::Dtmf(d) => Some(d.clone()),
                _ => None,
            }
        });
        assert_eq!(dtmf.call_id.as_ref(), Some(&call_id));
        assert_eq!(dtmf.result.signal, "5");
        assert_eq!(dtmf.result.duration, key.duration);
        assert_eq!(
            dtmf.result.sender.as_deref(),
            Some(incoming.result.username.as_str())
        );
    }

    // An INFO to sipp, which then hangs up.
    let info = Info::builder()
        .content_type("text/plain")
        .content("media counted")
        .build();
    rig.recorder
        .call(&mut rig.conn, handle, info)
        .expect("info");
    let (code, reason) = rig.wait_plugin(handle, &mut [&mut peer], "hangup", |t| match &t.value {
        Event::HungUp(h) => {
            assert_eq!(h.call_id.as_ref(), Some(&call_id));
            Some((h.result.code, h.result.reason.clone()))
        }
        _ => None,
    });
    let core_reason = rig.wait_core(handle, &mut [&mut peer], "the core hangup", |e| match e {
        HandleEventKind::Hangup { reason } => Some(reason.clone()),
        _ => None,
    });
    pump_until(&mut [&mut peer], "the peer closed", |p| p[0].is_closed());
    let status = sipp.wait(STEP);
    assert!(status.success(), "sipp: {status}; {}", sipp.logs());
    let unclaimed = rig.settle(&[handle], &mut [], Duration::ZERO);
    assert!(
        !unclaimed.iter().any(|(_, e)| matches!(e, Event::Dtmf(_))),
        "no dtmf event on 1.1.2: {unclaimed:?}"
    );
    let report = rtp.finish();
    let stats = peer.stats();
    println!(
        "{test}: peer → SIP side {} of {FRAMES} RTP packets (payload types {:?}), SIP side → \
         peer {} of {} (and {} RFC 2833 packets); hangup {code} {reason:?}, core hangup \
         {core_reason:?}",
        report.received, report.pts, stats.rtp_received, report.sent, report.dtmf_sent
    );
    assert_eq!(report.dtmf_sent, 3);
    assert_eq!(stats.rtp_sent, u64::from(FRAMES));
    assert!(report.received >= u64::from(FRAMES) * 9 / 10, "{report:?}");
    assert_eq!(report.pts, [OPUS_PT]);
    assert!(
        stats.rtp_received >= u64::from(FRAMES) * 9 / 10,
        "{stats:?}"
    );
    // sofia's phrase for a BYE the peer sent (Janus's documentation says `SIP BYE`).
    assert_eq!((code, reason.as_str()), (200, "Session Terminated"));
    rig.finish();
}

#[test]
fn a_declined_call_on_1_1_2() {
    a_declined_call(JanusVersion::V1_1_2);
}

#[test]
fn a_declined_call_on_1_4_1() {
    a_declined_call(JanusVersion::V1_4_1);
}

/// sipp calls the registered handle (`tests/sip/uac_declined.xml`), which `decline`s without
/// a code: the default code is 486 Busy Here in Janus 1.1.2 and 603 Decline in 1.4.1, in
/// the typed `declining` and in the final response sipp gets; then the typed `hangup` with
/// that code. No media: the peer never answered.
fn a_declined_call(version: JanusVersion) {
    let test = format!("sip_decline_{}", version.number());
    let Some(mut rig) = Rig::<Sip>::start(&test, version, "media_call_declined") else {
        return;
    };
    let host = rig.ns.host_ip();
    let rtp = RtpEnd::start(host, 0, None);
    let (handle, janus_sip) = register_at_sipp(&mut rig, version, &test, &rtp);
    let caller_port = free_udp_port(host);
    let mut sipp = sipp_calls(
        &test,
        host,
        caller_port,
        "uac_declined.xml",
        &rtp,
        janus_sip,
    );
    let (call_id, offer) = rig.wait_plugin(handle, &mut [], "incomingcall", |t| match &t.value {
        Event::IncomingCall(call) => Some((call.call_id.clone(), t.jsep.clone())),
        _ => None,
    });
    assert!(offer.is_some_and(|o| o.kind == JsepType::Offer));
    ringing_sent(&sipp);
    let (code, phrase) = match version {
        JanusVersion::V1_1_2 => (486, "Busy Here"),
        _ => (603, "Decline"),
    };
    let declining = rig
        .recorder
        .call(&mut rig.conn, handle, Decline::builder().build())
        .expect("decline");
    assert_eq!(declining.value.result.code, code);
    assert_eq!(declining.value.result.refer_id, None);
    // The Call-ID (in the result, and beside it) is there unless the call was already gone
    // when Janus wrote the answer: the 486/603 ends it on sofia's thread meanwhile.
    for id in [&declining.value.call_id, &declining.value.result.call_id] {
        assert!(id.is_none() || *id == call_id, "{declining:?}");
    }
    let hangup = rig.wait_plugin(handle, &mut [], "hangup", |t| match &t.value {
        Event::HungUp(h) => Some((h.call_id.clone(), h.result.code, h.result.reason.clone())),
        _ => None,
    });
    let status = sipp.wait(STEP);
    let trace = sipp.logs();
    assert!(status.success(), "sipp: {status}; {trace}");
    let final_line = format!("SIP/2.0 {code} {phrase}");
    assert!(
        trace.contains(&final_line),
        "sipp got {final_line}: {trace}"
    );
    println!("{test}: decline sent {final_line}; hangup event {hangup:?}");
    assert_eq!(hangup, (call_id, code, phrase.to_owned()));
    assert_eq!(rtp.finish().received, 0);
    rig.finish();
}
