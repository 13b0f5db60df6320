//! Helpers the plugin models' unit tests share: a plugin's data as the core receives it, a
//! request's outcome for a given answer, and the exact body a request is sent as.

use std::fmt::Debug;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::command::Command;
use crate::error::RequestError;
use crate::event::{Reply, ReplyKind};
use crate::ids::HandleId;
use crate::plugins::{OnHandle, Plugin, PluginHandle, PluginRequest, Typed};
use crate::request::Request;
use crate::wire::{Jsep, PluginData, RawFrame, ServerMessage};

/// The plugin data of an event frame of `plugin` carrying `data`.
pub(crate) fn plugin_data(plugin: &str, data: &Value) -> PluginData {
    let frame = json!({
        "janus": "event", "session_id": 1, "sender": 2,
        "plugindata": {"plugin": plugin, "data": data}
    })
    .to_string();
    match ServerMessage::decode(frame.as_bytes()) {
        Ok(ServerMessage::Event { plugindata, .. }) => plugindata,
        other => panic!("not an event: {other:?}"),
    }
}

/// The outcome of request `M` when its plugin answers `data` (with `jsep`).
pub(crate) fn outcome<M: PluginRequest>(
    data: &Value,
    jsep: Option<Jsep>,
) -> Result<Typed<M::Response>, RequestError> {
    let reply = Reply {
        kind: ReplyKind::Plugin {
            data: plugin_data(<M::Plugin as Plugin>::PACKAGE, data),
            jsep,
        },
        raw: RawFrame::new(Bytes::from(data.to_string())),
    };
    <OnHandle<M> as Request>::output(reply)
}

/// `request` is sent as exactly `body` (its SDP apart, which goes next to it), and `body`
/// decodes back into it.
pub(crate) fn sends<M>(request: M, body: Value)
where
    M: PluginRequest + DeserializeOwned + PartialEq + Debug + Clone,
{
    let mut without_jsep = request.clone();
    let jsep = without_jsep.take_jsep();
    let Command::Message {
        body: sent,
        jsep: sent_jsep,
        ..
    } = PluginHandle::<M::Plugin>::new(HandleId(1))
        .request(request)
        .into_command()
    else {
        panic!("a message");
    };
    assert_eq!(sent, body);
    assert_eq!(sent_jsep, jsep);
    let back: M = serde_json::from_value(body).expect("the body decodes back");
    assert_eq!(back, without_jsep);
}
