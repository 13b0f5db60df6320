//! The VideoRoom SFU example's flow (`janus_tests::sfu`, run by
//! `tests/examples/videoroom_sfu.rs`), in-process on Janus 1.1.2 and 1.4.1: two publishers,
//! one subscriber following them, signalled with the async driver (`janus_transport_ws` on
//! smol; the test spawns its driver, as the example does) through the typed VideoRoom API.
//!
//! Asserted from the report: each publisher's tagged packets reached the subscriber on a
//! mid of its own (mid 0 for the first, mid 1 for the second) while it published, and none
//! after its stream went away; the subscriber heard `unpublished` and `leaving` of each,
//! and answered one offer per change of its subscription (the join, the `subscribe`, and
//! Janus's own renegotiation as each publisher left). And how the versions differ in
//! telling that a publisher went: the display name in `unpublished` and `leaving` on 1.4.1
//! only (`unpublished` itself may come once or twice on both).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use janus_tests::sfu::{self, Config, Log, Setup, ENOUGH};
use janus_tests::JanusVersion;
use janus_transport_ws::{connect, ConnectOptions, DriverEnd};

use super::netns_or_skip;

const PUBLISHERS: usize = 2;

#[test]
fn sfu_example_flow_1_1_2() {
    sfu_example_flow(JanusVersion::V1_1_2);
}

#[test]
fn sfu_example_flow_1_4_1() {
    sfu_example_flow(JanusVersion::V1_4_1);
}

fn sfu_example_flow(version: JanusVersion) {
    let test = format!("sfu_{}", version.number());
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let setup =
        Setup::start_in(ns, &test, version, Instant::now()).expect("Janus in the namespace");
    let config = Config {
        room: janus_tests::unique_id(),
        publishers: PUBLISHERS,
        peer_ip: setup.peer_ip(),
        hold: Duration::from_millis(200),
    };
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let log = Log::new(move |line| sink.lock().expect("the log").push(line));

    let (report, end) = smol::block_on(async {
        let options = ConnectOptions::new().request_timeout(sfu::STEP);
        let (client, driver) = connect(setup.url(), options)
            .await
            .expect("connecting to Janus");
        let driver = smol::spawn(driver);
        let report = sfu::run(&client, &config, &log, &|| false).await;
        client.close();
        (report, driver.await)
    });
    let lines = lines.lock().expect("the log").join("\n");
    println!("{test} (Janus {version}):\n{lines}\n{report:#?}");

    assert!(report.failure.is_none(), "{:?}\n{lines}", report.failure);
    assert!(matches!(end, DriverEnd::Closed), "{end:?}");
    assert_eq!(report.publishers.len(), PUBLISHERS, "{report:#?}");
    for (index, publisher) in report.publishers.iter().enumerate() {
        assert_eq!(publisher.display, sfu::display(index));
        assert_eq!(publisher.tag, sfu::tag(index));
        // The subscription's m-lines in the order the publishers came.
        assert_eq!(
            publisher.mid.as_deref(),
            Some(index.to_string().as_str()),
            "{publisher:?}"
        );
        assert!(publisher.received >= ENOUGH, "{publisher:?}\n{lines}");
        assert!(publisher.received <= publisher.sent, "{publisher:?}");
        assert_eq!(publisher.after_gone, Some(0), "{publisher:?}");
        assert!(
            publisher.heard_unpublished && publisher.heard_leaving,
            "{publisher:?}"
        );
        assert!(publisher.stream_removed, "{publisher:?}");
        // `unpublished` comes once or twice, on both versions: `unpublish` hangs the media
        // up at once (one notification), and the core's own hangup of the PeerConnection
        // it closes may notify again, depending on timing (janus_videoroom.c,
        // "unpublish" and janus_videoroom_hangup_media_internal).
        assert!(
            (1..=2).contains(&publisher.unpublished_events),
            "{publisher:?}"
        );
        // A version difference: 1.4.1's `unpublished` and `leaving` carry the display name,
        // 1.1.2's only the feed id.
        let display = match version {
            JanusVersion::V1_1_2 => None,
            JanusVersion::V1_4_1 => Some(publisher.display.as_str()),
        };
        assert_eq!(publisher.gone_display.as_deref(), display, "{publisher:?}");
        assert!(publisher.ok());
    }
    // Join (attached), subscribe (updated), and Janus's renegotiation as each one left.
    let expected_offers = u32::try_from(2 * PUBLISHERS).expect("small");
    assert_eq!(report.offers_answered, expected_offers, "{lines}");
    assert!(report.ok());
    drop(setup);
}
