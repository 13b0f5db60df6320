//! The VideoRoom SFU flow, runnable: a room, N publishers sending audio (each frame tagged
//! with a byte of its own), and one subscriber that follows the publishers: it subscribes
//! to the streams of each publisher a `publishers` event announces, answers every offer
//! with `start`, and sees Janus drop each publisher's stream when it unpublishes and
//! leaves. It prints what happened as it happens, then per publisher the packets it sent
//! and how many reached the subscriber. Exit status 0 when every publisher's packets
//! reached the subscriber while it published (and stopped once it left), 1 otherwise, 2 for
//! bad arguments, 128+N when stopped by signal N.
//!
//! Signalling: the async driver `janus_transport_ws` on smol, through the typed VideoRoom
//! model (`Session::attach_plugin::<VideoRoom>()`, `TypedHandle::call`,
//! `TypedHandle::events`). Media: str0m peers (`janus_tests::peer`), on threads of their
//! own. By default it needs root: Janus runs in a network namespace, the peers on the host
//! end of its veth. `scripts/videoroom-sfu.sh` installs what is missing, builds this, runs
//! it and cleans up, also when interrupted.
//!
//! The flow itself is `janus_tests::sfu` (`run`, `Follower`); this is the program around it:
//! arguments, Janus, the connection (whose driver *this* spawns), the report.

#![allow(clippy::disallowed_methods)] // A program reads the clock; only janus-proto may not.

use std::process::ExitCode;

use janus_tests::netns::NetNs;
use janus_tests::sfu::{self, Args, Config, Failure, Interrupt, Log, Setup, USAGE};
use janus_transport_ws::{connect, ConnectOptions};

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("videoroom_sfu: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.cleanup {
        let removed = NetNs::cleanup_stale();
        println!("videoroom_sfu: cleanup removed {removed} namespace(s) and veth(s) of dead runs");
        return ExitCode::SUCCESS;
    }
    let interrupt = match Interrupt::install() {
        Ok(interrupt) => interrupt,
        Err(e) => {
            eprintln!("videoroom_sfu: cannot install the SIGINT/SIGTERM handler: {e}");
            return ExitCode::FAILURE;
        }
    };

    // Our Janus in a namespace, or the one given.
    let mut setup: Option<Setup> = None;
    let (url, peer_ip) = match (&args.janus_url, args.peer_ip) {
        (Some(url), Some(ip)) => (url.clone(), ip),
        _ => match Setup::start("vroom_sfu", args.version) {
            Ok(started) => {
                println!(
                    "setup: Janus {} in namespace {} (peers on {}), ready in {:.1} s",
                    args.version,
                    started.ns().name(),
                    started.ns().host_ip(),
                    started.took.as_secs_f64()
                );
                let target = (started.url().to_owned(), started.peer_ip());
                setup = Some(started);
                target
            }
            Err(failure) => {
                eprintln!("videoroom_sfu: {failure}");
                return ExitCode::FAILURE;
            }
        },
    };
    let config = Config {
        room: janus_tests::unique_id(),
        publishers: args.publishers,
        hold: args.hold,
        peer_ip,
    };

    let report = smol::block_on(async {
        let options = ConnectOptions::new().request_timeout(sfu::STEP);
        let (client, driver) = match connect(&url, options).await {
            Ok(connected) => connected,
            Err(e) => {
                eprintln!("videoroom_sfu: connecting to {url}: {e}");
                return None;
            }
        };
        // The connection does nothing unless its driver runs: ours to spawn.
        let driver = smol::spawn(driver);
        println!("signalling: janus-transport-ws (smol) over {url}");
        let stop = || interrupt.signal().is_some();
        let report = sfu::run(&client, &config, &Log::stdout(), &stop).await;
        client.close();
        driver.await;
        Some(report)
    });
    let Some(mut report) = report else {
        return ExitCode::FAILURE;
    };
    // A step cut short by a signal counts as interrupted.
    if let (Some(signal), Some(Failure::Step { step, reason })) =
        (interrupt.signal(), report.failure.take())
    {
        let also = (reason != "stopped").then_some(reason);
        report.failure = Some(Failure::Interrupted { step, signal, also });
    }
    println!();
    report.print();
    if let Some(signal) = interrupt.signal() {
        drop(setup);
        eprintln!(
            "videoroom_sfu: stopped by {}; cleaned up",
            sfu::signal_name(signal)
        );
        return ExitCode::from(128u8.saturating_add(u8::try_from(signal).unwrap_or(0)));
    }
    if !report.ok() {
        if let Some(setup) = &setup {
            if let Ok(Some(path)) = setup.janus().keep_log() {
                eprintln!("videoroom_sfu: Janus log kept at {}", path.display());
            }
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
