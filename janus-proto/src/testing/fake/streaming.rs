//! The Streaming plugin (`janus.plugin.streaming`): sync `list`/`info`, async
//! `watch`/`start`/`pause`/`stop`.

use serde_json::{json, Map, Value};

use crate::ids::{HandleId, SessionId};
use crate::wire::{Jsep, ServerMessage};

use super::{plugin_error, FakeJanus, PluginReply};

/// The Streaming mountpoint every [`FakeJanus`] starts with.
pub const DEMO_MOUNTPOINT: u64 = 1;

impl FakeJanus {
    pub(super) fn streaming(
        &mut self,
        session: SessionId,
        handle: HandleId,
        body: &Map<String, Value>,
        answer: bool,
    ) -> PluginReply {
        let sync = |data| PluginReply::Sync {
            data,
            side: Vec::new(),
        };
        let asynchronous = |data: Option<Value>, jsep, after| PluginReply::Async {
            hint: None,
            event: data.map(|d| (d, jsep)),
            after,
        };
        let status = |s: &str| json!({"streaming": "event", "result": {"status": s}});
        let Some(request) = body.get("request").and_then(Value::as_str) else {
            return sync(plugin_error("streaming", 453, "Missing element (request)"));
        };
        let id = body.get("id").and_then(Value::as_u64);
        let no_such = |id: Option<u64>| {
            let id = id.map_or_else(|| "?".to_owned(), |i| i.to_string());
            plugin_error("streaming", 455, &format!("No such mountpoint/stream {id}"))
        };
        let (watching, started) = self
            .handle_mut(session, handle)
            .map_or((None, false), |h| (h.watching, h.started));
        match request {
            "list" => {
                let list: Vec<Value> = self
                    .mountpoints
                    .iter()
                    .map(|id| json!({"id": id, "type": "live", "description": "Fake stream", "enabled": true}))
                    .collect();
                sync(json!({"streaming": "list", "list": list}))
            }
            "info" => match id {
                Some(i) if self.mountpoints.contains(&i) => sync(json!({
                    "streaming": "info",
                    "info": {"id": i, "description": "Fake stream", "enabled": true, "viewers": 0, "type": "live"}
                })),
                _ => sync(no_such(id)),
            },
            "watch" => match id {
                Some(i) if self.mountpoints.contains(&i) => {
                    if let Some(h) = self.handle_mut(session, handle) {
                        h.watching = Some(i);
                        h.janus_offered = true;
                    }
                    let offer = Jsep::offer(self.sdp("offer"));
                    asynchronous(Some(status("preparing")), Some(offer), Vec::new())
                }
                _ => asynchronous(Some(no_such(id)), None, Vec::new()),
            },
            "start" => match watching {
                Some(_) => {
                    if let Some(h) = self.handle_mut(session, handle) {
                        h.started = true;
                        h.pc |= answer;
                    }
                    asynchronous(Some(status("starting")), None, Vec::new())
                }
                None => asynchronous(
                    Some(plugin_error(
                        "streaming",
                        460,
                        "Can't start: no mountpoint set",
                    )),
                    None,
                    Vec::new(),
                ),
            },
            "pause" if started => asynchronous(Some(status("pausing")), None, Vec::new()),
            // Ignored by a viewer that never started: the ack is all there is.
            "pause" | "stop" if !started => asynchronous(None, None, Vec::new()),
            "stop" => {
                if let Some(h) = self.handle_mut(session, handle) {
                    h.started = false;
                    h.watching = None;
                    h.janus_offered = false;
                    h.pc = false;
                }
                let hangup = ServerMessage::Hangup {
                    session_id: session,
                    sender: handle,
                    reason: Some("Close PC".to_owned()),
                };
                asynchronous(Some(status("stopping")), None, vec![hangup])
            }
            other => sync(plugin_error(
                "streaming",
                452,
                &format!("Unknown request '{other}'"),
            )),
        }
    }
}
