//! The raw text of a received frame.

use std::fmt;

use bytes::Bytes;

/// The exact text of one received frame, cheap to clone (reference counted).
///
/// Every event carries the frame it came from, so fields this crate does not model are never
/// lost.
#[derive(Clone, PartialEq, Eq)]
pub struct RawFrame(Bytes);

impl RawFrame {
    /// Wraps a frame that has been checked to be UTF-8.
    pub(crate) fn new(bytes: Bytes) -> Self {
        Self(bytes)
    }

    /// The frame's text.
    pub fn as_str(&self) -> &str {
        // Only constructed from frames already validated as UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The frame's bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The frame as a JSON value.
    ///
    /// Fails only on JSON that [`serde_json::Value`] cannot hold although it is valid (see
    /// [`PluginData::value`](super::PluginData::value)).
    pub fn value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(self.as_str())
    }
}

impl fmt::Debug for RawFrame {
    /// Only the size: Admin API replies (`list_tokens`, `handle_info`) carry tokens, and
    /// `Debug` output never shows secrets. Use [`RawFrame::as_str`] to see the text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawFrame(<{} bytes>)", self.0.len())
    }
}
