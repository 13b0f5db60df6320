//! Typed models of Janus's stock plugins: each plugin's requests, its replies, its
//! asynchronous events and its error codes. Whatever a model does not know is kept as the
//! raw [`PluginData`] next to the typed view, never dropped and never an error.
//!
//! A model is data over the core's one generic path:
//!
//! - a [`Plugin`] names the package and types its events and error codes;
//! - each request is a [`PluginRequest`]: it serializes to the message body (with its
//!   `"request"` word) and says what its successful outcome decodes into;
//! - [`PluginHandle`] is a handle typed by its plugin. [`PluginHandle::request`] addresses a
//!   request to it, giving an [`OnHandle`], which is a [`Request`] of the core: every driver
//!   sends it through its one generic `call` and gets back a [`Typed`] outcome;
//! - [`PluginEvent`] is the typed view of an event of such a handle.
//!
//! The raw path ([`Message`](crate::request::Message) with a JSON body, and [`PluginData`]
//! on the way back) stays for anything the models do not cover: Lua and Duktape plugins,
//! third-party plugins, custom fields.
//!
//! ```
//! use janus_proto::plugins::echotest::{Configure, EchoTest};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId};
//!
//! let handle = PluginHandle::<EchoTest>::new(HandleId(7));
//! let request = handle.request(Configure::builder().audio(true).bitrate(128_000).build());
//! match request.into_command() {
//!     Command::Message { handle, body, .. } => {
//!         assert_eq!(handle, HandleId(7));
//!         assert_eq!(body, serde_json::json!({"audio": true, "bitrate": 128000}));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! [`Request`]: crate::Request

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::command::Command;
use crate::error::{PluginError, RequestError};
use crate::event::{Event, HandleEventKind, Reply, ReplyKind};
use crate::ids::{HandleId, SessionId};
use crate::request::{Attach, Request};
use crate::wire::{Jsep, PluginData};

/// A plugin's error codes: an enum with one case per code Janus documents, `Other` for the
/// rest, `from_code` and `code`.
macro_rules! error_codes {
    ($(#[$doc:meta])* $name:ident { $($(#[$case_doc:meta])* $case:ident = $code:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$case_doc])* $case,)+
            /// A code this model does not know.
            Other(i64),
        }

        impl $name {
            /// The typed view of a numeric code.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($code => Self::$case,)+
                    other => Self::Other(other),
                }
            }

            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    $(Self::$case => $code,)+
                    Self::Other(code) => code,
                }
            }
        }
    };
}

pub mod audiobridge;
pub mod echotest;
pub mod nosip;
pub mod recordplay;
pub mod sip;
pub mod streaming;
#[cfg(test)]
mod testing;
pub mod textroom;
pub mod videocall;
pub mod videoroom;
pub mod voicemail;

/// A plugin's model: its package, the typed view of its events and of its error codes.
pub trait Plugin: 'static {
    /// The package, e.g. `janus.plugin.videoroom`.
    const PACKAGE: &'static str;

    /// Its asynchronous events. Each model has an `Other` case for an event it does not
    /// know (the raw data is next to it in [`Typed::data`]).
    type Event: fmt::Debug + Clone + PartialEq;

    /// Its error codes.
    type ErrorCode: fmt::Debug + Clone + Copy + PartialEq;

    /// The typed view of one of its events' data.
    fn event(data: &PluginData) -> Self::Event;

    /// The typed view of one of its error codes.
    fn error_code(code: i64) -> Self::ErrorCode;

    /// The typed code of a plugin error; `None` when the error is another plugin's.
    fn error_of(error: &PluginError) -> Option<Self::ErrorCode> {
        (error.plugin == Self::PACKAGE).then(|| Self::error_code(error.code))
    }

    /// The typed plugin error of a failed request; `None` when it failed otherwise.
    fn request_error(error: &RequestError) -> Option<Self::ErrorCode> {
        match error {
            RequestError::Plugin(error) => Self::error_of(error),
            _ => None,
        }
    }
}

/// A request of a plugin's model: its message body (which carries its `"request"` word), the
/// SDP that goes with it, and the type its successful outcome decodes into.
pub trait PluginRequest: Serialize {
    /// The plugin it is a request of.
    type Plugin: Plugin;
    /// Its outcome: the plugin's synchronous reply, or the event that answers it.
    type Response: DeserializeOwned;

    /// The offer or answer that goes with it, taken out of the request.
    fn take_jsep(&mut self) -> Option<Jsep> {
        None
    }
}

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

/// A handle attached to plugin `P`: requests addressed through it are `P`'s only.
pub struct PluginHandle<P> {
    id: HandleId,
    plugin: PhantomData<fn() -> P>,
}

impl<P> Clone for PluginHandle<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for PluginHandle<P> {}

impl<P> PartialEq for PluginHandle<P> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<P> Eq for PluginHandle<P> {}

impl<P: Plugin> fmt::Debug for PluginHandle<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PluginHandle({}, {})", P::PACKAGE, self.id.0)
    }
}

impl<P: Plugin> PluginHandle<P> {
    /// Types a handle the caller knows is attached to `P`.
    pub fn new(id: HandleId) -> Self {
        Self {
            id,
            plugin: PhantomData,
        }
    }

    /// The handle id.
    pub fn id(self) -> HandleId {
        self.id
    }

    /// `request` addressed to this handle: a [`Request`] of the core.
    pub fn request<M: PluginRequest<Plugin = P>>(self, request: M) -> OnHandle<M> {
        OnHandle {
            handle: self.id,
            request,
        }
    }
}

/// A plugin request addressed to a handle ([`PluginHandle::request`]); its output is the
/// typed outcome. A plugin-level failure is [`RequestError::Plugin`], whose code
/// [`Plugin::error_of`] types.
#[derive(Debug, Clone, PartialEq)]
pub struct OnHandle<M> {
    /// The handle.
    pub handle: HandleId,
    /// The request.
    pub request: M,
}

impl<M: PluginRequest> Request for OnHandle<M> {
    type Command = Command;
    type Reply = Reply;
    type Output = Typed<M::Response>;

    fn into_command(mut self) -> Command {
        let jsep = self.request.take_jsep();
        Command::Message {
            handle: self.handle,
            body: body_of(&self.request),
            jsep,
        }
    }

    fn output(reply: Reply) -> Result<Typed<M::Response>, RequestError> {
        typed_reply(<M::Plugin as Plugin>::PACKAGE, reply)
    }
}

/// The message body of a request. The models' types serialize to JSON objects by
/// construction (named fields, string-keyed maps); were one not to, the body would be
/// `null`, which the core refuses as a [`UsageError`](crate::UsageError) at submit.
fn body_of<M: Serialize>(request: &M) -> Value {
    serde_json::to_value(request).unwrap_or(Value::Null)
}

/// `attach` to plugin `P`; its output is the typed handle.
///
/// ```
/// use janus_proto::plugins::echotest::EchoTest;
/// use janus_proto::plugins::AttachPlugin;
/// use janus_proto::request::Request;
/// use janus_proto::{Command, SessionId};
///
/// let Command::Attach { plugin, .. } = AttachPlugin::<EchoTest>::new(SessionId(1)).into_command() else {
///     panic!("an attach");
/// };
/// assert_eq!(plugin, "janus.plugin.echotest");
/// ```
pub struct AttachPlugin<P> {
    attach: Attach,
    plugin: PhantomData<fn() -> P>,
}

impl<P: Plugin> AttachPlugin<P> {
    /// Attaches `P` to `session`.
    pub fn new(session: SessionId) -> Self {
        Self::with(Attach::new(session, P::PACKAGE))
    }

    /// Attaches with these settings (opaque id, ordering); the plugin is `P` whatever
    /// `attach` names.
    pub fn with(mut attach: Attach) -> Self {
        attach.plugin = P::PACKAGE.to_owned();
        Self {
            attach,
            plugin: PhantomData,
        }
    }
}

impl<P: Plugin> fmt::Debug for AttachPlugin<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AttachPlugin").field(&self.attach).finish()
    }
}

impl<P: Plugin> Request for AttachPlugin<P> {
    type Command = Command;
    type Reply = Reply;
    type Output = PluginHandle<P>;

    fn into_command(self) -> Command {
        self.attach.into_command()
    }

    fn output(reply: Reply) -> Result<PluginHandle<P>, RequestError> {
        Attach::output(reply).map(PluginHandle::new)
    }
}

/// An event seen through plugin `P`'s model: the plugin's own events typed, everything else
/// (WebRTC state, hangup, detach, session and connection events, `Lagged`) as it came.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PluginEvent<E> {
    /// An event of the plugin, typed, with its SDP and its whole data.
    Plugin(Typed<E>),
    /// Any other event.
    Other(Event),
}

impl<E> PluginEvent<E> {
    /// The typed view of `event` for plugin `P`: a plugin event of `P` is typed, any
    /// other event is kept as it is.
    pub fn of<P: Plugin<Event = E>>(event: Event) -> Self {
        match event {
            Event::Handle {
                event:
                    crate::event::HandleEvent {
                        kind: HandleEventKind::Plugin { data, jsep, .. },
                        ..
                    },
                ..
            } if data.plugin == P::PACKAGE => PluginEvent::Plugin(Typed {
                value: P::event(&data),
                jsep,
                data,
            }),
            other => PluginEvent::Other(other),
        }
    }
}

/// A room, mountpoint or participant id. Janus uses numbers, or strings where the plugin is
/// configured with `string_ids`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    /// A numeric id (the default).
    Number(u64),
    /// A string id (`string_ids = true` in the plugin's configuration).
    Text(String),
}

impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Id::Number(id)
    }
}

impl From<&str> for Id {
    fn from(id: &str) -> Self {
        Id::Text(id.to_owned())
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Id::Text(id)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => write!(f, "{n}"),
            Id::Text(s) => f.write_str(s),
        }
    }
}

/// The typed view of a plugin's reply to a request of `package`. A reply of another kind or
/// another plugin, or one that does not decode into `T`, is
/// [`RequestError::UnexpectedReply`]: the request's outcome is not what the model says it is.
fn typed_reply<T: DeserializeOwned>(package: &str, reply: Reply) -> Result<Typed<T>, RequestError> {
    match reply.kind {
        ReplyKind::Plugin { data, jsep } if data.plugin == package => match data.parse() {
            Ok(value) => Ok(Typed { value, jsep, data }),
            Err(_) => Err(RequestError::UnexpectedReply(reply.raw)),
        },
        _ => Err(RequestError::UnexpectedReply(reply.raw)),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::event::HandleEvent;
    use crate::wire::{RawFrame, ServerMessage};

    /// The event `frame` (a plugin event) becomes in the core.
    fn handle_event(frame: &str) -> Event {
        let Ok(ServerMessage::Event { plugindata, .. }) = ServerMessage::decode(frame.as_bytes())
        else {
            panic!("not an event: {frame}");
        };
        Event::Handle {
            session: SessionId(1),
            handle: HandleId(2),
            event: HandleEvent {
                kind: HandleEventKind::Plugin {
                    data: plugindata,
                    jsep: None,
                    txn: None,
                },
                raw: RawFrame::new(Bytes::copy_from_slice(frame.as_bytes())),
            },
        }
    }

    #[test]
    fn a_plugin_event_is_typed_by_its_own_model_only() {
        let done = handle_event(
            r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.echotest","data":{"echotest":"event","result":"done"}}}"#,
        );
        match PluginEvent::of::<echotest::EchoTest>(done) {
            PluginEvent::Plugin(typed) => {
                assert_eq!(typed.value, echotest::Event::Done);
                assert_eq!(typed.data.plugin, echotest::PACKAGE);
            }
            other => panic!("{other:?}"),
        }
        let foreign = handle_event(
            r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event"}}}"#,
        );
        assert!(matches!(
            PluginEvent::of::<echotest::EchoTest>(foreign.clone()),
            PluginEvent::Other(event) if event == foreign
        ));
    }

    #[test]
    fn ids_are_numbers_or_strings_on_the_wire() {
        assert_eq!(
            serde_json::to_value(Id::from(7)).ok(),
            Some(serde_json::json!(7))
        );
        assert_eq!(
            serde_json::from_value::<Id>(serde_json::json!("room-a")).ok(),
            Some(Id::from("room-a"))
        );
        assert_eq!(Id::from(7).to_string(), "7");
    }
}
