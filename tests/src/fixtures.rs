//! Recording golden fixtures of the plugin models from a real Janus.
//!
//! A plugin test sends its requests through a [`Recorder`]: each typed request goes out
//! through the driver as usual, and the recorder keeps the body as sent, the model type it
//! was sent as, and the plugin's real answer (the reply's plugin data, or the plugin error's).
//! Plugin events the test reads are kept too. With `JANUS_RECORD_FIXTURES=1` in the
//! environment, [`Recorder::finish`] writes them to
//! `janus-proto/tests/fixtures/plugins/<Janus version>/<plugin>/<scenario>.json`, where
//! janus-proto's `plugins` test decodes every entry into its model and encodes it back.
//! Without it, nothing is written and the test only checks the live outcomes.
//!
//! ```no_run
//! use janus_proto::plugins::echotest::{Configure, EchoTest};
//! use janus_tests::drivers::{Blocking, JanusDriver, Options};
//! use janus_tests::fixtures::Recorder;
//!
//! let mut conn = Blocking::connect("ws://127.0.0.1:8188", &Options::new()).unwrap();
//! let mut recorder = Recorder::new(&mut conn, "configure");
//! let session = conn.call(janus_proto::request::Create::new()).unwrap();
//! let echo = conn.attach_plugin::<EchoTest>(session).unwrap();
//! recorder.call(&mut conn, echo, Configure::builder().audio(true).build()).unwrap();
//! recorder.finish();
//! ```

use std::any::type_name;
use std::fs;
use std::path::PathBuf;

use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Info;
use janus_proto::{PluginData, RequestError};
use janus_ws_connect::Error;
use serde_json::{json, Value};

use crate::drivers::{Blocking, JanusDriver};

/// The environment variable that turns recording on.
pub const RECORD: &str = "JANUS_RECORD_FIXTURES";

/// The fixtures of one scenario of one plugin on one Janus version (see the module docs).
#[derive(Debug)]
pub struct Recorder {
    scenario: String,
    version: String,
    plugin: Option<&'static str>,
    entries: Vec<Value>,
    record: bool,
}

/// The name of a model type as fixtures name it: its path under `janus_proto::plugins`.
pub fn model_name<T>() -> &'static str {
    let name = type_name::<T>();
    name.strip_prefix("janus_proto::plugins::").unwrap_or(name)
}

/// `data` as JSON, for a fixture.
fn json_of(data: &PluginData) -> Value {
    data.value()
        .unwrap_or_else(|e| panic!("plugin data that serde_json cannot hold: {e}"))
}

impl Recorder {
    /// A recorder for `scenario`, on the server `conn` is connected to (its version is
    /// asked with `info`). Only the blocking driver's runs are written: both drivers run the
    /// same scenarios, and one set is enough.
    pub fn new<D: JanusDriver>(conn: &mut D, scenario: &str) -> Self {
        let info = conn.call(Info).expect("info");
        let Some(version) = info.version_string.clone() else {
            panic!("Janus did not say its version: {info:?}");
        };
        Self {
            scenario: scenario.to_owned(),
            version,
            plugin: None,
            entries: Vec::new(),
            record: D::NAME == Blocking::NAME && std::env::var_os(RECORD).is_some(),
        }
    }

    /// The Janus version the scenario runs on (`info`'s `version_string`, e.g. `1.4.1`).
    pub fn version(&self) -> &str {
        &self.version
    }

    fn plugin<P: Plugin>(&mut self) {
        match self.plugin {
            None => self.plugin = Some(P::PACKAGE),
            Some(plugin) => assert_eq!(plugin, P::PACKAGE, "one plugin per scenario"),
        }
    }

    /// Sends `request` on `handle` through the driver's typed handle, records it with its
    /// outcome, and returns the outcome.
    pub fn call<D, M>(
        &mut self,
        conn: &mut D,
        handle: PluginHandle<M::Plugin>,
        request: M,
    ) -> Result<Typed<M::Response>, Error>
    where
        D: JanusDriver,
        M: PluginRequest + 'static,
        M::Response: Send + 'static,
    {
        self.plugin::<M::Plugin>();
        let body = serde_json::to_value(&request).expect("a request serializes");
        let outcome = conn.plugin_call(handle, request);
        let recorded = match &outcome {
            Ok(typed) => json!({
                "reply": json_of(&typed.data),
                "jsep": typed.jsep.as_ref().map(|j| j.kind.clone()),
            }),
            Err(Error::Request(RequestError::Plugin(e))) => json!({ "error": json_of(&e.data) }),
            Err(_) => return outcome,
        };
        self.entries.push(json!({
            "type": model_name::<M>(),
            "request": body,
            "outcome": recorded,
        }));
        outcome
    }

    /// Records a plugin event the scenario read, typed by `P`'s model.
    pub fn event<P: Plugin>(&mut self, event: &PluginEvent<P::Event>) {
        if let PluginEvent::Plugin(typed) = event {
            self.plugin::<P>();
            self.entries.push(json!({ "event": json_of(&typed.data) }));
        }
    }

    /// Writes the fixtures when recording is on (see the module docs).
    pub fn finish(self) {
        if !self.record || self.entries.is_empty() {
            return;
        }
        let plugin = self.plugin.unwrap_or("none");
        let short = plugin.strip_prefix("janus.plugin.").unwrap_or(plugin);
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../janus-proto/tests/fixtures/plugins")
            .join(&self.version)
            .join(short);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = dir.join(format!("{}.json", self.scenario));
        let text = serde_json::to_string_pretty(&self.entries).expect("JSON values serialize");
        fs::write(&path, text + "\n").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("recorded {}", path.display());
    }
}
