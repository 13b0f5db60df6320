//! The wire model: every Janus API and Admin API message as a typed value, stateless.
//!
//! Outgoing requests encode to exactly one compact JSON object; incoming frames decode into
//! [`ServerMessage`] (Janus API) or [`AdminReply`](crate::wire::admin::AdminReply) (Admin
//! API). Nothing is lost: every decoded message travels with its [`RawFrame`], which keeps
//! unknown fields and kinds.

pub mod admin;
mod incoming;
mod jsep;
mod raw;
mod request;
mod server_info;

pub use incoming::{DecodeError, JanusError, MediaState, PluginData, ServerMessage, SlowLink};
pub use jsep::{Candidate, IceCandidate, Jsep, JsepType, Trickle};
pub use raw::RawFrame;
pub use request::{Request, RequestBody};
pub use server_info::{ComponentInfo, ServerInfo};
