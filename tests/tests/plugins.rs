//! The plugin models against real Janus servers: every plugin's requests through both
//! drivers' typed handles, on Janus 1.1.2 and on 1.4.1, with their real replies, events and
//! typed plugin errors. Each scenario records what it saw as golden fixtures when
//! `JANUS_RECORD_FIXTURES=1` (see `janus_tests::fixtures`); janus-proto's `plugins` test
//! decodes them.
//!
//! One module per plugin; each scenario is a generic function over the driver and the
//! version, run for every pair by [`every_driver_and_version!`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle};
use janus_proto::request::{Create, Destroy};
use janus_proto::SessionId;
use janus_tests::drivers::{JanusDriver, Options};
use janus_tests::fixtures::Recorder;
use janus_tests::{JanusServer, JanusVersion};

/// How long a scenario waits for one reply or event.
const BOUND: Duration = Duration::from_secs(10);

/// Runs each scenario `$scenario::<D>(version)` through both drivers on both versions.
macro_rules! every_driver_and_version {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use janus_tests::drivers::{AsyncWs, Blocking};
            use janus_tests::JanusVersion::{V1_1_2, V1_4_1};

            #[test]
            fn blocking_1_1_2() {
                super::$scenario::<Blocking>(V1_1_2);
            }
            #[test]
            fn async_ws_1_1_2() {
                super::$scenario::<AsyncWs>(V1_1_2);
            }
            #[test]
            fn blocking_1_4_1() {
                super::$scenario::<Blocking>(V1_4_1);
            }
            #[test]
            fn async_ws_1_4_1() {
                super::$scenario::<AsyncWs>(V1_4_1);
            }
        }
    )*};
}

/// The one Janus of each version the plugin tests share.
fn janus(version: JanusVersion) -> Arc<JanusServer> {
    JanusServer::shared_version("plugins", version)
}

/// A scenario's start: a connection to the shared Janus of `version`, a session, a handle
/// of plugin `P`, and a recorder of fixtures named `scenario`.
struct Setup<D, P> {
    conn: D,
    session: SessionId,
    handle: PluginHandle<P>,
    recorder: Recorder,
    /// Keeps the shared server alive for the scenario.
    _janus: Arc<JanusServer>,
}

impl<D: JanusDriver, P: Plugin> Setup<D, P> {
    fn new(version: JanusVersion, scenario: &str) -> Self {
        let janus = janus(version);
        let mut conn = D::connect(janus.ws_url(), &Options::new())
            .unwrap_or_else(|e| panic!("{}: connect: {e}", D::NAME));
        let recorder = Recorder::new(&mut conn, scenario);
        assert_eq!(recorder.version(), version.as_str());
        let session = conn.call(Create::new()).expect("create");
        let handle = conn.attach_plugin::<P>(session).expect("attach");
        Self {
            conn,
            session,
            handle,
            recorder,
            _janus: janus,
        }
    }

    /// Waits for the first plugin event of `handle` that `pick` accepts, recording every
    /// plugin event on the way.
    fn wait_event<T>(
        &mut self,
        handle: PluginHandle<P>,
        mut pick: impl FnMut(&P::Event) -> Option<T>,
    ) -> T {
        let until = Instant::now() + BOUND;
        let mut seen = Vec::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{}: no such event; saw {seen:#?}", D::NAME);
            match self.conn.next_plugin_event(handle, left) {
                Ok(Some(event)) => {
                    self.recorder.event::<P>(&event);
                    if let PluginEvent::Plugin(typed) = &event {
                        if let Some(found) = pick(&typed.value) {
                            return found;
                        }
                    }
                    seen.push(event);
                }
                Ok(None) => {}
                Err(e) => panic!("{}: next_plugin_event: {e}; saw {seen:#?}", D::NAME),
            }
        }
    }

    /// Destroys the session, closes the connection and writes the fixtures.
    fn finish(mut self) {
        self.conn.call(Destroy(self.session)).expect("destroy");
        self.conn.close();
        self.recorder.finish();
    }
}

#[path = "plugins/audiobridge.rs"]
mod audiobridge;
#[path = "plugins/echotest.rs"]
mod echotest;
#[path = "plugins/nosip.rs"]
mod nosip;
#[path = "plugins/recordplay.rs"]
mod recordplay;
#[path = "plugins/sip.rs"]
mod sip;
#[path = "plugins/streaming.rs"]
mod streaming;
#[path = "plugins/textroom.rs"]
mod textroom;
#[path = "plugins/videocall.rs"]
mod videocall;
#[path = "plugins/videoroom.rs"]
mod videoroom;
#[path = "plugins/voicemail.rs"]
mod voicemail;
