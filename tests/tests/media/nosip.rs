//! NoSIP: a str0m peer's offer becomes a barebone plain-RTP SDP (`generate`); the test is
//! the legacy side: a UDP socket on the host end of the veth, whose barebone answer goes to
//! `process`, which gives the peer its WebRTC answer. Then RTP flows both ways, counted at
//! each end: the peer's Opus frames reach the test's socket, and the test's packets (told
//! apart by their payload size) reach the peer.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_proto::plugins::nosip::{Event, Generate, Hangup, NoSip, Process};
use janus_proto::request;
use janus_proto::{Jsep, JsepType};
use janus_tests::drivers::JanusDriver;
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, OPUS_SILENCE};
use janus_tests::JanusVersion;

use crate::netns_or_skip;
use crate::streams_common::{connect, janus_in, Events, RtpSource, Running};

/// Frames the peer sends; packets the test's source sends are counted as they go.
const FRAMES: u32 = 100;
/// Payload size of the test's packets.
const LEGACY_SIZE: usize = 6;

#[test]
fn nosip_generate_process_rtp_both_ways_1_1_2() {
    generate_process(JanusVersion::V1_1_2);
}

#[test]
fn nosip_generate_process_rtp_both_ways_1_4_1() {
    generate_process(JanusVersion::V1_4_1);
}

/// The address, port and first payload type of the audio m-line of a barebone SDP.
fn audio_of(sdp: &str) -> (Ipv4Addr, u16, u8) {
    let ip = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("c=IN IP4 "))
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or_else(|| panic!("an IPv4 connection line:\n{sdp}"));
    let m: Vec<&str> = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("m=audio "))
        .unwrap_or_else(|| panic!("an audio m-line:\n{sdp}"))
        .split_whitespace()
        .collect();
    let port = m[0].parse().expect("the audio port");
    assert_eq!(m[1], "RTP/AVP", "plain RTP:\n{sdp}");
    let pt = m[2].parse().expect("a payload type");
    (ip, port, pt)
}

/// Two UDP sockets on `ip`, on ports `p` (RTP) and `p + 1` (RTCP, which NoSIP sends to).
fn rtp_pair(ip: Ipv4Addr) -> (UdpSocket, UdpSocket) {
    for _ in 0..50 {
        let rtp = UdpSocket::bind((ip, 0)).expect("an RTP socket");
        let port = rtp.local_addr().expect("its address").port();
        if !port.is_multiple_of(2) || port == u16::MAX {
            continue;
        }
        if let Ok(rtcp) = UdpSocket::bind((ip, port + 1)) {
            return (rtp, rtcp);
        }
    }
    panic!("no free even port with the next one free");
}

/// An RTP packet as the legacy side got it: payload type and payload.
type Packet = (u8, Vec<u8>);

/// RTP packets arriving at the test's socket.
struct Sink {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Packet>>>,
}

impl Sink {
    fn start(socket: UdpSocket) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("a read timeout");
        let thread = std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = [0u8; 2000];
            let until = Instant::now() + Duration::from_secs(60);
            while !flag.load(Ordering::Relaxed) && Instant::now() < until {
                if let Ok(n) = socket.recv(&mut buf) {
                    if let Some(packet) = rtp_payload(&buf[..n]) {
                        got.push(packet);
                    }
                }
            }
            got
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<Packet> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .expect("running")
            .join()
            .expect("the sink's thread")
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The payload type and payload of an RTP packet (after CSRCs and header extensions,
/// without padding).
fn rtp_payload(packet: &[u8]) -> Option<Packet> {
    if packet.len() < 12 || packet[0] >> 6 != 2 {
        return None;
    }
    let mut start = 12 + 4 * usize::from(packet[0] & 0x0f);
    if packet[0] & 0x10 != 0 {
        let words = packet.get(start + 2..start + 4)?;
        start += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    let mut end = packet.len();
    if packet[0] & 0x20 != 0 {
        end = end.checked_sub(usize::from(*packet.last()?))?;
    }
    Some((packet[1] & 0x7f, packet.get(start..end)?.to_vec()))
}

fn generate_process(version: JanusVersion) {
    let test = format!("nosip_{}", version.as_str().replace('.', "_"));
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let janus = janus_in(&ns, version, &test);
    let mut conn = connect(&janus);
    let mut rec = Recorder::new(&mut conn, "media_generate_process");
    assert_eq!(rec.version(), version.as_str());
    let session = conn.call(request::Create::new()).expect("create");
    let handle = conn.attach_plugin::<NoSip>(session).expect("attach");
    let mut events = Events::new(handle);

    // Generate: the peer's offer as a barebone SDP.
    let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = peer
        .offer(OfferOptions::new().audio(true))
        .expect("the peer's offer");
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(false);
    let generated = rec
        .call(
            &mut conn,
            handle,
            Generate::builder().info("media test").jsep(jsep).build(),
        )
        .expect("generate");
    let generated = generated.value.result;
    assert_eq!(generated.kind, JsepType::Offer);
    assert!(generated.update.is_none_or(|u| !u), "{generated:?}");
    assert_eq!(
        generated.unique_id.is_some(),
        version == JanusVersion::V1_4_1,
        "only 1.4.1 names the session: {generated:?}"
    );
    let (janus_ip, janus_port, pt) = audio_of(&generated.sdp);
    assert_eq!(janus_ip, ns.inner_ip(), "Janus's address in the namespace");
    assert!(
        generated
            .sdp
            .contains(&format!("a=rtpmap:{pt} opus/48000/2")),
        "{}",
        generated.sdp
    );

    // The legacy side answers with its own port.
    let (socket, _rtcp) = rtp_pair(ns.host_ip());
    let port = socket.local_addr().expect("its address").port();
    let host = ns.host_ip();
    let answer = format!(
        "v=0\r\no=- 1 1 IN IP4 {host}\r\ns=legacy\r\nc=IN IP4 {host}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {pt}\r\na=rtpmap:{pt} opus/48000/2\r\na=sendrecv\r\n"
    );
    let processed = rec
        .call(
            &mut conn,
            handle,
            Process::builder()
                .kind(JsepType::Answer)
                .sdp(answer)
                .info("legacy")
                .build(),
        )
        .expect("process");
    assert!(processed.value.result.srtp.is_none(), "{processed:?}");
    let webrtc_answer = processed.jsep.clone().expect("the WebRTC answer");
    assert_eq!(webrtc_answer.kind, JsepType::Answer);
    peer.accept_answer(&webrtc_answer.sdp)
        .expect("applying the answer");
    let sink = Sink::start(socket.try_clone().expect("a second handle on the socket"));
    let peer = Running::start("webrtc peer", peer);
    events.webrtcup(&mut conn, &mut rec);

    // Both ways at once.
    peer.send_audio(FRAMES);
    let to: SocketAddr = (janus_ip, janus_port).into();
    let source = RtpSource::start_on(socket, to, pt, LEGACY_SIZE, 0x5151);
    let seen = peer.wait_for(
        "the peer's frames sent and the legacy packets received",
        STEP + Duration::from_millis(20 * u64::from(FRAMES)),
        |s| s.audio_pending == 0 && s.of_size(LEGACY_SIZE) >= 50,
    );
    drop(source);
    // The last frames' way to the sink (no event tells they arrived).
    std::thread::sleep(Duration::from_millis(200));
    let got = sink.finish();
    let from_peer = got
        .iter()
        .filter(|(p, payload)| *p == pt && payload.as_slice() == OPUS_SILENCE)
        .count();
    assert_eq!(seen.rtp_sent, u64::from(FRAMES));
    assert!(
        from_peer as u64 >= u64::from(FRAMES) * 9 / 10,
        "most of the peer's {FRAMES} frames reached the legacy side: {from_peer} of {} packets",
        got.len()
    );
    assert_eq!(
        seen.by_size.keys().copied().collect::<Vec<_>>(),
        [LEGACY_SIZE],
        "only the legacy side's packets reach the peer: {seen:?}"
    );

    // Hangup: `hangingup`, then the PeerConnection goes.
    // Its outcome decodes only as `{"event": "hangingup"}`.
    rec.call(&mut conn, handle, Hangup::builder().build())
        .expect("hangup");
    let reason = events.hangup(&mut conn, &mut rec);
    let closed = peer.wait_for("the peer to see the close", STEP, |s| s.closed);
    println!(
        "{test}: Janus's plain RTP at {janus_ip}:{janus_port} (pt {pt}); peer sent {} frames, \
         the legacy socket got {from_peer} of them ({} packets in all); the legacy side's \
         packets reached the peer: {}; hangup reason {reason:?}; other events {:?}",
        seen.rtp_sent,
        got.len(),
        closed.of_size(LEGACY_SIZE),
        events
            .kept_plugin_events()
            .iter()
            .filter(|e| !matches!(e, Event::Other))
            .collect::<Vec<_>>(),
    );
    drop(peer);
    conn.call(request::Destroy(session)).expect("destroy");
    conn.close();
    rec.finish();
}
