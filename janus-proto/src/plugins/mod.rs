//! Typed models of Janus's stock plugins: each plugin's requests (typed [`Request`]s of the
//! core, so every driver sends them through its one generic `call`), its replies, its
//! asynchronous events and its error codes. Whatever a model does not know is kept as the
//! raw [`PluginData`] next to the typed view, never dropped and never an error.
//!
//! The raw path ([`Command::Message`](crate::Command::Message) with a JSON body, and
//! [`PluginData`] on the way back) stays for anything the models do not cover: Lua and
//! Duktape plugins, third-party plugins, custom fields.
//!
//! [`Request`]: crate::Request

use serde::de::DeserializeOwned;

use crate::error::RequestError;
use crate::event::{Reply, ReplyKind};
use crate::wire::{Jsep, PluginData};

pub mod echotest;

/// A plugin reply decoded into the model's type `T`, with the SDP that came with it and the
/// whole `plugindata` (every field, modelled or not).
#[derive(Debug, Clone, PartialEq)]
pub struct Typed<T> {
    /// The typed view.
    pub value: T,
    /// An SDP offer or answer from the plugin.
    pub jsep: Option<Jsep>,
    /// The plugin data it was decoded from.
    pub data: PluginData,
}

/// The typed view of a plugin's reply to a request of `package`. A reply of another kind or
/// another plugin, or one that does not decode into `T`, is
/// [`RequestError::UnexpectedReply`]: the request's outcome is not what the model says it is.
pub(crate) fn typed_reply<T: DeserializeOwned>(
    package: &str,
    reply: Reply,
) -> Result<Typed<T>, RequestError> {
    match reply.kind {
        ReplyKind::Plugin { data, jsep } if data.plugin == package => match data.parse() {
            Ok(value) => Ok(Typed { value, jsep, data }),
            Err(_) => Err(RequestError::UnexpectedReply(reply.raw)),
        },
        _ => Err(RequestError::UnexpectedReply(reply.raw)),
    }
}
