//! The EchoTest plugin (`janus.plugin.echotest`): every request is async; an offer gets
//! an answer.

use serde_json::{json, Map, Value};

use crate::ids::{HandleId, SessionId};
use crate::wire::Jsep;

use super::{plugin_error, FakeJanus, PluginReply};

impl FakeJanus {
    pub(super) fn echotest(
        &mut self,
        session: SessionId,
        handle: HandleId,
        body: &Map<String, Value>,
        offer: bool,
    ) -> PluginReply {
        const KNOWN: [&str; 10] = [
            "audio",
            "video",
            "bitrate",
            "record",
            "filename",
            "audiocodec",
            "videocodec",
            "videoprofile",
            "substream",
            "temporal",
        ];
        let bad_type = ["audio", "video", "record"]
            .into_iter()
            .find(|k| body.get(*k).is_some_and(|v| !v.is_boolean()));
        let error = if let Some(key) = bad_type {
            Some(format!("Invalid element type ({key} should be a boolean)"))
        } else if !KNOWN.iter().any(|k| body.contains_key(*k)) {
            Some("Message error: no supported attributes found".to_owned())
        } else {
            None
        };
        let ok = error.is_none();
        let data = match error {
            Some(reason) => plugin_error("echotest", 413, &reason),
            None => json!({"echotest": "event", "result": "ok"}),
        };
        let jsep = (offer && ok).then(|| {
            if let Some(h) = self.handle_mut(session, handle) {
                h.pc = true;
            }
            Jsep::answer(self.sdp("answer"))
        });
        PluginReply::Async {
            hint: Some("I'm taking my time!"),
            event: Some((data, jsep)),
            after: Vec::new(),
        }
    }
}
