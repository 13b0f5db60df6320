//! Secrets that never show up in `Debug` output.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An `apisecret`, `token` or `admin_secret`. Its `Debug` output is redacted.
///
/// ```
/// let s = janus_proto::Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for putting on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// An encoded request frame. It may carry `apisecret`, `token` or `admin_secret`, so its
/// `Debug` shows only its size.
#[derive(PartialEq, Eq)]
pub struct OutFrame(pub(crate) String);

impl fmt::Debug for OutFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OutFrame(<{} bytes>)", self.0.len())
    }
}
