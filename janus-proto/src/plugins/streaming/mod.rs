//! Streaming (`janus.plugin.streaming`): mountpoints relay RTP from outside tools, RTSP
//! sources or audio files to WebRTC viewers.
//!
//! Two kinds of requests:
//!
//! - managing mountpoints, all synchronous (the outcome is the plugin's reply):
//!   [`List`], [`Info`], [`Create`], [`Edit`], [`Destroy`], [`Recording`], [`Enable`],
//!   [`Disable`], [`KickAll`];
//! - watching one, all asynchronous (the outcome is the plugin's event carrying the
//!   request's transaction): [`Watch`] (Janus answers with an offer, or — Janus 1.4 — with
//!   an answer to the viewer's own offer, the WHEP way), [`Start`] (with the viewer's
//!   answer), [`Pause`], [`Configure`], [`Switch`], [`Stop`].
//!
//! Events that answer no request (a mountpoint going away, simulcast or SVC layer changes,
//! metadata edits, RTSP source reconnections) are [`Event`]s; failures are plugin errors
//! whose codes are [`ErrorCode`]s.
//!
//! Version notes: the model covers Janus 1.4.1 and 1.1.2. What only 1.4 has is marked
//! "(Janus 1.4 only)": the viewer's offer on [`Watch`], [`Configure::streams`], the `idle`
//! answer to a [`Stop`] with nothing to stop (1.1.2 sends no answer at all then),
//! keyframe buffering by size and time, `h264sps`, the abs-capture-time extension, RTSP
//! change notifications and error 461.
//!
//! ```
//! use janus_proto::plugins::streaming::{Create, MediaType, RtpMedia, RtpSource, Source, Streaming};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId};
//!
//! let create = Create::builder()
//!     .id(99_u64)
//!     .description("camera")
//!     .source(Source::Rtp(
//!         RtpSource::builder()
//!             .media(vec![
//!                 RtpMedia::builder().kind(MediaType::Video).mid("v").port(5004).pt(96).codec("vp8").build(),
//!             ])
//!             .build(),
//!     ))
//!     .build();
//! match PluginHandle::<Streaming>::new(HandleId(7)).request(create).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(
//!             body,
//!             serde_json::json!({
//!                 "request": "create", "type": "rtp", "id": 99, "description": "camera",
//!                 "media": [{"type": "video", "mid": "v", "port": 5004, "pt": 96, "codec": "vp8"}]
//!             })
//!         );
//!         assert!(jsep.is_none());
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::plugins::Plugin;
use crate::wire::PluginData;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.streaming";

/// The Streaming plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streaming;

impl Plugin for Streaming {
    const PACKAGE: &'static str = PACKAGE;
    type Event = Event;
    type ErrorCode = ErrorCode;

    fn event(data: &PluginData) -> Event {
        Event::from_data(data)
    }

    fn error_code(code: i64) -> ErrorCode {
        ErrorCode::from_code(code)
    }
}

/// A closed set of words Janus puts in a field, with `Other` for a word this model does not
/// know (so a reply from a newer Janus still decodes).
macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($(#[$case_doc:meta])* $case:ident = $word:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$case_doc])* $case,)+
            /// A word this model does not know.
            Other(String),
        }

        impl $name {
            /// The word on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$case => $word,)+
                    Self::Other(word) => word,
                }
            }
        }

        impl From<String> for $name {
            fn from(word: String) -> Self {
                match word.as_str() {
                    $($word => Self::$case,)+
                    _ => Self::Other(word),
                }
            }
        }

        impl From<$name> for String {
            fn from(word: $name) -> String {
                match word {
                    $name::Other(word) => word,
                    known => known.as_str().to_owned(),
                }
            }
        }
    };
}

mod replies;
mod requests;
#[cfg(test)]
mod tests;

pub use replies::*;
pub use requests::*;

words! {
    /// The kind of a mountpoint's stream (`type` of a `media` entry).
    MediaType {
        /// `audio`.
        Audio = "audio",
        /// `video`.
        Video = "video",
        /// `data` (datachannel messages).
        Data = "data",
    }
}

words! {
    /// How viewers share a mountpoint, as Janus reports it (`type` in [`List`], [`Info`] and
    /// [`Create`] replies). RTP and RTSP mountpoints, and file mountpoints created as `live`,
    /// are `live`; file mountpoints created as `ondemand` are `on demand`.
    MountpointKind {
        /// `live`: one streaming context shared by all viewers.
        Live = "live",
        /// `on demand`: each viewer gets the file from its start.
        OnDemand = "on demand",
    }
}

words! {
    /// The `status` word of a viewer's event (`{"streaming": "event", "result": {"status":
    /// …}}`).
    ///
    /// `switching` is not among them: Janus sends that word to event handlers only; a
    /// viewer gets [`Switched`].
    Status {
        /// `preparing`: Janus's offer for a [`Watch`] is attached.
        Preparing = "preparing",
        /// `updating`: Janus's offer for a [`Watch`] with `restart` (an ICE restart) is
        /// attached.
        Updating = "updating",
        /// `starting`: a [`Start`] was accepted, or Janus's answer to a [`Watch`] offer is
        /// attached; media flows once the PeerConnection is up.
        Starting = "starting",
        /// `started`: the PeerConnection is up and media flows (also the answer to a
        /// [`Start`] that resumes a paused viewer).
        Started = "started",
        /// `pausing`: a [`Pause`] was accepted.
        Pausing = "pausing",
        /// `stopping`: a [`Stop`] was accepted; the PeerConnection is being closed.
        Stopping = "stopping",
        /// `stopped`: the mountpoint was destroyed, or its source (e.g. a live file) ended.
        Stopped = "stopped",
        /// `idle`: a [`Stop`] found nothing to stop (Janus 1.4 only).
        Idle = "idle",
        /// `kicked_all`: the mountpoint's viewers were all kicked out ([`KickAll`]).
        KickedAll = "kicked_all",
    }
}

error_codes! {
    /// The Streaming plugin's error codes (`error_code` of a plugin error).
    ///
    /// ```
    /// use janus_proto::plugins::streaming::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(455), ErrorCode::NoSuchMountpoint);
    /// assert_eq!(ErrorCode::NoSuchMountpoint.code(), 455);
    /// ```
    ErrorCode {
        /// 450: no message.
        NoMessage = 450,
        /// 451: the message is not valid JSON.
        InvalidJson = 451,
        /// 452: an unknown request, or one not valid in this state (e.g. recording a
        /// non-RTP mountpoint).
        InvalidRequest = 452,
        /// 453: a required field is missing.
        MissingElement = 453,
        /// 454: a field has the wrong type or value.
        InvalidElement = 454,
        /// 455: no such mountpoint (or, for viewer requests, not watching one).
        NoSuchMountpoint = 455,
        /// 456: the mountpoint could not be created.
        CantCreate = 456,
        /// 457: wrong or missing secret, PIN or admin key.
        Unauthorized = 457,
        /// 458: the switch is not possible (only between live RTP mountpoints).
        CantSwitch = 458,
        /// 459: the recording could not be started.
        CantRecord = 459,
        /// 460: not valid in the viewer's state (e.g. already watching).
        InvalidState = 460,
        /// 461: the viewer's SDP offer is not an offer or does not parse (Janus 1.4 only).
        InvalidSdp = 461,
        /// 470: any other failure.
        UnknownError = 470,
    }
}
