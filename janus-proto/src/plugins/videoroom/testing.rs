//! Helpers shared by the VideoRoom model's tests.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{VideoRoom, PACKAGE};
use crate::command::Command;
use crate::ids::HandleId;
use crate::plugins::{PluginHandle, PluginRequest};
use crate::request::Request;
use crate::wire::{Jsep, PluginData, ServerMessage};

/// The plugin data of an event frame carrying `data`.
pub(super) fn plugin_data(plugin: &str, data: &str) -> PluginData {
    let frame = format!(
        r#"{{"janus":"event","session_id":1,"sender":2,"plugindata":{{"plugin":"{plugin}","data":{data}}}}}"#
    );
    match ServerMessage::decode(frame.as_bytes()) {
        Ok(ServerMessage::Event { plugindata, .. }) => plugindata,
        other => panic!("not an event: {other:?}"),
    }
}

/// The message `request` becomes: its body and its JSEP.
pub(super) fn message<M: PluginRequest<Plugin = VideoRoom>>(request: M) -> (Value, Option<Jsep>) {
    match PluginHandle::<VideoRoom>::new(HandleId(1))
        .request(request)
        .into_command()
    {
        Command::Message { body, jsep, .. } => (body, jsep),
        other => panic!("not a message: {other:?}"),
    }
}

/// `request` encodes to exactly `expected` (with `jsep` next to it) and decodes back.
pub(super) fn assert_request<M>(request: M, expected: Value, jsep: Option<Jsep>)
where
    M: PluginRequest<Plugin = VideoRoom> + DeserializeOwned + PartialEq + Debug + Clone,
{
    let (body, sent_jsep) = message(request.clone());
    assert_eq!(body, expected);
    assert_eq!(sent_jsep, jsep);
    let mut without_jsep = request;
    without_jsep.take_jsep();
    let back: M = serde_json::from_value(body).expect("the body decodes back");
    assert_eq!(back, without_jsep);
}

/// The typed view of VideoRoom plugin data `data` (a reply or an event).
pub(super) fn decode<T: DeserializeOwned>(data: &str) -> T {
    plugin_data(PACKAGE, data)
        .parse()
        .unwrap_or_else(|e| panic!("{data} does not decode: {e}"))
}

/// `value` encodes back to exactly `data` (which holds only modelled fields).
pub(super) fn assert_encodes_back<T: Serialize>(value: &T, data: &str) {
    let original: Value = serde_json::from_str(data).expect("test data is JSON");
    assert_eq!(
        serde_json::to_value(value).expect("encodes"),
        original,
        "{data}"
    );
}

/// `data` decodes into `T` and encodes back to the same JSON; the typed value.
pub(super) fn round_trip<T: DeserializeOwned + Serialize>(data: &str) -> T {
    let value: T = decode(data);
    assert_encodes_back(&value, data);
    value
}

/// `data` does not decode into `T`.
pub(super) fn assert_rejects<T: DeserializeOwned + Debug>(data: &str) {
    let result = plugin_data(PACKAGE, data).parse::<T>();
    assert!(result.is_err(), "{data} decoded into {result:?}");
}
