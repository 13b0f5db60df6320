//! JSEP (session descriptions) and ICE candidates, as Janus carries them.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A session description: an SDP offer or answer, with Janus's JSEP extras.
///
/// ```
/// use janus_proto::{Jsep, JsepType};
/// let offer = Jsep::offer("v=0\r\n…");
/// assert_eq!(offer.kind, JsepType::Offer);
/// assert_eq!(serde_json::to_string(&offer).unwrap(), r#"{"type":"offer","sdp":"v=0\r\n…"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jsep {
    /// `offer` or `answer`.
    #[serde(rename = "type")]
    pub kind: JsepType,
    /// The SDP text.
    pub sdp: String,
    /// `false` tells Janus the client will not trickle candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trickle: Option<bool>,
    /// Simulcast `rid` order, `"hml"` or `"lmh"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid_order: Option<String>,
    /// Ask Janus to use only relay candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_relay: Option<bool>,
    /// End-to-end encryption is in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2ee: Option<bool>,
}

impl Jsep {
    /// An offer carrying `sdp`.
    pub fn offer(sdp: impl Into<String>) -> Self {
        Self::new(JsepType::Offer, sdp)
    }

    /// An answer carrying `sdp`.
    pub fn answer(sdp: impl Into<String>) -> Self {
        Self::new(JsepType::Answer, sdp)
    }

    fn new(kind: JsepType, sdp: impl Into<String>) -> Self {
        Self {
            kind,
            sdp: sdp.into(),
            trickle: None,
            rid_order: None,
            force_relay: None,
            e2ee: None,
        }
    }
}

/// The `type` of a [`Jsep`]. Types other than offer and answer are kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsepType {
    /// `"offer"`.
    Offer,
    /// `"answer"`.
    Answer,
    /// Any other type string.
    Other(String),
}

impl JsepType {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            JsepType::Offer => "offer",
            JsepType::Answer => "answer",
            JsepType::Other(s) => s,
        }
    }
}

impl Serialize for JsepType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JsepType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(match &*s {
            "offer" => JsepType::Offer,
            "answer" => JsepType::Answer,
            _ => JsepType::Other(s.into_owned()),
        })
    }
}

/// One ICE candidate, or the end-of-candidates marker.
///
/// On the wire: `{"candidate":"candidate:…","sdpMid":"0","sdpMLineIndex":0}` or
/// `{"completed":true}`. Janus's own trickles may omit `sdpMid`: default it to the mid of
/// m-line 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// A candidate line.
    Ice(IceCandidate),
    /// No more candidates.
    Completed,
}

/// An ICE candidate line and the m-line it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidate {
    /// The `candidate:…` attribute value.
    pub candidate: String,
    /// The media id of the m-line.
    pub sdp_mid: Option<String>,
    /// The index of the m-line.
    pub sdp_mline_index: Option<u32>,
}

impl IceCandidate {
    /// A candidate for the m-line with this mid and index.
    pub fn new(candidate: impl Into<String>, sdp_mid: impl Into<String>, index: u32) -> Self {
        Self {
            candidate: candidate.into(),
            sdp_mid: Some(sdp_mid.into()),
            sdp_mline_index: Some(index),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CandidateRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    candidate: Option<String>,
    #[serde(rename = "sdpMid", default, skip_serializing_if = "Option::is_none")]
    sdp_mid: Option<String>,
    #[serde(
        rename = "sdpMLineIndex",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    sdp_mline_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completed: Option<bool>,
}

impl Serialize for Candidate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let repr = match self {
            Candidate::Completed => CandidateRepr {
                candidate: None,
                sdp_mid: None,
                sdp_mline_index: None,
                completed: Some(true),
            },
            Candidate::Ice(c) => CandidateRepr {
                candidate: Some(c.candidate.clone()),
                sdp_mid: c.sdp_mid.clone(),
                sdp_mline_index: c.sdp_mline_index,
                completed: None,
            },
        };
        repr.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Candidate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = CandidateRepr::deserialize(d)?;
        if repr.completed == Some(true) {
            return Ok(Candidate::Completed);
        }
        let candidate = repr
            .candidate
            .ok_or_else(|| D::Error::missing_field("candidate"))?;
        Ok(Candidate::Ice(IceCandidate {
            candidate,
            sdp_mid: repr.sdp_mid,
            sdp_mline_index: repr.sdp_mline_index,
        }))
    }
}

/// The candidates of one `trickle` request: `candidate` (one, or completed) or `candidates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trickle {
    /// `"candidate": {…}`: one candidate, or `{"completed":true}`.
    #[serde(rename = "candidate")]
    One(Candidate),
    /// `"candidates": [{…}, …]`.
    #[serde(rename = "candidates")]
    Many(Vec<Candidate>),
}

impl Trickle {
    /// The end-of-candidates trickle.
    pub fn completed() -> Self {
        Trickle::One(Candidate::Completed)
    }
}
