//! Remote publishers (room cascading): making a publisher of one Janus instance available
//! in a room of another. All synchronous.
//!
//! On the target instance, [`AddRemotePublisher`] creates the remote publisher and answers
//! with the address to send its media to; on the source instance, [`PublishRemotely`] starts
//! sending it there. [`UpdateRemotePublisher`] follows the source's renegotiations;
//! [`UnpublishRemotely`] and [`RemoveRemotePublisher`] undo the two halves.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{HostFamily, PublisherStream, VideoRoom};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use monostate::MustBe;

/// `add_remote_publisher`: adds a publisher whose media comes from another instance
/// (synchronous, on the target instance). Its outcome is [`RemotePublisherAdded`]; the
/// room's participants are told of the new publisher ([`Publishers`](super::Publishers))
/// at once.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "add_remote_publisher")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct AddRemotePublisher {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The remote publisher's id here; `None`: Janus picks one.
    #[builder(into)]
    pub id: Option<Id>,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// A multicast group to receive the RTP packets on.
    pub mcast: Option<String>,
    /// The interface or address to bind to (default: all).
    pub iface: Option<String>,
    /// The local port for all its RTP packets (default 0: a random one).
    pub port: Option<u16>,
    /// The local port for RTCP (default 0: a random one).
    pub rtcp_port: Option<u16>,
    /// SRTP: the authentication tag length, 32 or 80 (Janus 1.3.0 and later).
    pub srtp_suite: Option<u8>,
    /// SRTP: the base64 key, as in SDES (Janus 1.3.0 and later).
    #[builder(into)]
    pub srtp_crypto: Option<Secret>,
    /// Its streams, as the source instance describes them (the `streams` of the
    /// publisher's [`Configured`](super::Configured)); audio and video need a `codec`.
    pub streams: Vec<PublisherStream>,
}

impl PluginRequest for AddRemotePublisher {
    type Plugin = VideoRoom;
    type Response = RemotePublisherAdded;
}

/// The answer to [`AddRemotePublisher`]: `{"videoroom": "success", ...}` with where to send
/// the media (the `host`, `port` and `rtcp_port` of [`PublishRemotely`]).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemotePublisherAdded {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The remote publisher's id.
    pub id: Id,
    /// The address to send its RTP to, when bound to one.
    pub ip: Option<String>,
    /// The port to send its RTP to.
    pub port: u16,
    /// The port to latch to for RTCP feedback.
    pub rtcp_port: u16,
}

/// `update_remote_publisher`: updates a remote publisher after the source renegotiated
/// (synchronous). Its outcome is [`Success`](super::Success).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "update_remote_publisher")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct UpdateRemotePublisher {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The remote publisher.
    #[builder(into)]
    pub id: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// A new display name.
    pub display: Option<String>,
    /// New metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// SRTP of new streams: the authentication tag length (Janus 1.3.0 and later).
    pub srtp_suite: Option<u8>,
    /// SRTP of new streams: the base64 key (Janus 1.3.0 and later).
    #[builder(into)]
    pub srtp_crypto: Option<Secret>,
    /// The new or changed streams only.
    pub streams: Vec<PublisherStream>,
}

impl PluginRequest for UpdateRemotePublisher {
    type Plugin = VideoRoom;
    type Response = super::Success;
}

/// `remove_remote_publisher`: removes a remote publisher (synchronous). Its outcome is
/// [`Success`](super::Success); the participants are told, as when a local publisher goes
/// away.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "remove_remote_publisher")]
#[non_exhaustive]
pub struct RemoveRemotePublisher {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The remote publisher.
    #[builder(into)]
    pub id: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for RemoveRemotePublisher {
    type Plugin = VideoRoom;
    type Response = super::Success;
}

/// `publish_remotely`: sends a local publisher's media to a remote publisher of another
/// instance (synchronous, on the source instance). Its outcome is [`RemotelyPublished`].
/// With the plugin's `admin_key` locking RTP forwarding, `admin_key` must match it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "publish_remotely")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct PublishRemotely {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The local publisher.
    #[builder(into)]
    pub publisher_id: Id,
    /// A name for this remotization, unique for the publisher (not its id remotely).
    pub remote_id: String,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when it locks RTP forwarding.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The address to send to ([`RemotePublisherAdded::ip`]).
    pub host: String,
    /// The family to resolve `host` to.
    pub host_family: Option<HostFamily>,
    /// The port to send to ([`RemotePublisherAdded::port`]).
    pub port: u16,
    /// The port to get RTCP feedback from ([`RemotePublisherAdded::rtcp_port`]).
    pub rtcp_port: Option<u16>,
    /// SRTP: the authentication tag length, 32 or 80 (Janus 1.3.0 and later).
    pub srtp_suite: Option<u8>,
    /// SRTP: the base64 key (Janus 1.3.0 and later).
    #[builder(into)]
    pub srtp_crypto: Option<Secret>,
}

impl PluginRequest for PublishRemotely {
    type Plugin = VideoRoom;
    type Response = RemotelyPublished;
}

/// The answer to [`PublishRemotely`]: `{"videoroom": "success", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemotelyPublished {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The local publisher.
    pub id: Id,
    /// The remotization (for [`UnpublishRemotely`]).
    pub remote_id: String,
}

/// `unpublish_remotely`: stops a remotization (synchronous; the remote publisher stays on
/// the other instance until [`RemoveRemotePublisher`]). Its outcome is
/// [`RemotelyUnpublished`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "unpublish_remotely")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct UnpublishRemotely {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The local publisher.
    #[builder(into)]
    pub publisher_id: Id,
    /// The remotization.
    pub remote_id: String,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for UnpublishRemotely {
    type Plugin = VideoRoom;
    type Response = RemotelyUnpublished;
}

/// The answer to [`UnpublishRemotely`]: `{"videoroom": "success", "room": ..., "id": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemotelyUnpublished {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The local publisher.
    pub id: Id,
}

/// `listremotes`: the remotizations of a local publisher (synchronous). Its outcome is
/// [`Remotes`]. (Janus's documentation calls it `list_remotes`; the plugin answers to
/// `listremotes`.)
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listremotes")]
#[non_exhaustive]
pub struct ListRemotes {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The local publisher.
    #[builder(into)]
    pub publisher_id: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for ListRemotes {
    type Plugin = VideoRoom;
    type Response = Remotes;
}

/// The answer to [`ListRemotes`]: `{"videoroom": "success", ..., "list": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Remotes {
    #[serde(rename = "videoroom")]
    word: MustBe!("success"),
    /// The room.
    pub room: Id,
    /// The local publisher.
    pub id: Id,
    /// Its remotizations.
    pub list: Vec<Remotization>,
}

/// A remotization of a local publisher, in [`Remotes`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Remotization {
    /// Its name.
    pub remote_id: String,
    /// The address media is sent to.
    pub host: String,
    /// The port media is sent to.
    pub port: u16,
    /// The RTCP port, if any.
    pub rtcp_port: Option<u16>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plugins::videoroom::testing::{assert_rejects, assert_request, round_trip};
    use crate::plugins::videoroom::{MediaType, Success};

    fn streams() -> Vec<PublisherStream> {
        vec![
            PublisherStream::builder()
                .kind(MediaType::Audio)
                .mindex(0)
                .mid("0")
                .codec("opus")
                .stereo(false)
                .fec(true)
                .dtx(false)
                .audiolevel_ext_id(1)
                .build(),
            PublisherStream::builder()
                .kind(MediaType::Video)
                .mindex(1)
                .mid("1")
                .codec("vp9")
                .vp9_profile("0")
                .description("Webcam")
                .simulcast(false)
                .svc(true)
                .videoorient_ext_id(13)
                .playoutdelay_ext_id(6)
                .build(),
            PublisherStream::builder()
                .kind(MediaType::Data)
                .mindex(2)
                .mid("2")
                .disabled(true)
                .build(),
        ]
    }

    fn streams_json() -> serde_json::Value {
        json!([
            {"type": "audio", "mindex": 0, "mid": "0", "codec": "opus", "stereo": false,
             "fec": true, "dtx": false, "audiolevel_ext_id": 1},
            {"type": "video", "mindex": 1, "mid": "1", "codec": "vp9", "vp9_profile": "0",
             "description": "Webcam", "simulcast": false, "svc": true,
             "videoorient_ext_id": 13, "playoutdelay_ext_id": 6},
            {"type": "data", "mindex": 2, "mid": "2", "disabled": true}
        ])
    }

    #[test]
    fn add_remote_publisher_and_its_answer() {
        let add = AddRemotePublisher::builder()
            .room(1234u64)
            .id(9999u64)
            .secret("adminpwd")
            .display("Remote Bob")
            .metadata(json!({"server": "b"}))
            .mcast("232.0.0.1")
            .iface("192.0.2.1")
            .port(0)
            .rtcp_port(0)
            .srtp_suite(32)
            .srtp_crypto("a2V5a2V5")
            .streams(streams())
            .build();
        assert_request(
            add,
            json!({
                "request": "add_remote_publisher", "room": 1234, "id": 9999,
                "secret": "adminpwd", "display": "Remote Bob", "metadata": {"server": "b"},
                "mcast": "232.0.0.1", "iface": "192.0.2.1", "port": 0, "rtcp_port": 0,
                "srtp_suite": 32, "srtp_crypto": "a2V5a2V5", "streams": streams_json()
            }),
            None,
        );
        let added: RemotePublisherAdded = round_trip(
            r#"{"videoroom":"success","room":1234,"id":9999,"ip":"192.0.2.1","port":40000,"rtcp_port":40001}"#,
        );
        assert_eq!((added.room, added.id), (Id::from(1234), Id::from(9999)));
        assert_eq!(added.ip.as_deref(), Some("192.0.2.1"));
        assert_eq!((added.port, added.rtcp_port), (40000, 40001));
        assert_rejects::<RemotePublisherAdded>(r#"{"videoroom":"success","room":1234,"id":9999}"#);
    }

    #[test]
    fn update_and_remove_remote_publisher() {
        assert_request(
            UpdateRemotePublisher::builder()
                .room(1234u64)
                .id(9999u64)
                .secret("adminpwd")
                .display("Bob again")
                .metadata(json!({"server": "c"}))
                .srtp_suite(80)
                .srtp_crypto("a2V5")
                .streams(streams())
                .build(),
            json!({
                "request": "update_remote_publisher", "room": 1234, "id": 9999,
                "secret": "adminpwd", "display": "Bob again", "metadata": {"server": "c"},
                "srtp_suite": 80, "srtp_crypto": "a2V5", "streams": streams_json()
            }),
            None,
        );
        assert_request(
            RemoveRemotePublisher::builder()
                .room(1234u64)
                .id(9999u64)
                .secret("adminpwd")
                .build(),
            json!({"request": "remove_remote_publisher", "room": 1234, "id": 9999, "secret": "adminpwd"}),
            None,
        );
        let _: Success = round_trip(r#"{"videoroom":"success"}"#);
    }

    #[test]
    fn publish_and_unpublish_remotely() {
        assert_request(
            PublishRemotely::builder()
                .room(1234u64)
                .publisher_id(5678u64)
                .remote_id("to-b")
                .secret("adminpwd")
                .admin_key("supersecret")
                .host("192.0.2.1")
                .host_family(HostFamily::Ipv4)
                .port(40000)
                .rtcp_port(40001)
                .srtp_suite(32)
                .srtp_crypto("a2V5a2V5")
                .build(),
            json!({
                "request": "publish_remotely", "room": 1234, "publisher_id": 5678,
                "remote_id": "to-b", "secret": "adminpwd", "admin_key": "supersecret",
                "host": "192.0.2.1", "host_family": "ipv4", "port": 40000, "rtcp_port": 40001,
                "srtp_suite": 32, "srtp_crypto": "a2V5a2V5"
            }),
            None,
        );
        let published: RemotelyPublished =
            round_trip(r#"{"videoroom":"success","room":1234,"id":5678,"remote_id":"to-b"}"#);
        assert_eq!(
            (published.room, published.id, published.remote_id.as_str()),
            (Id::from(1234), Id::from(5678), "to-b")
        );
        assert_request(
            UnpublishRemotely::builder()
                .room(1234u64)
                .publisher_id(5678u64)
                .remote_id("to-b")
                .secret("adminpwd")
                .build(),
            json!({
                "request": "unpublish_remotely", "room": 1234, "publisher_id": 5678,
                "remote_id": "to-b", "secret": "adminpwd"
            }),
            None,
        );
        let unpublished: RemotelyUnpublished =
            round_trip(r#"{"videoroom":"success","room":1234,"id":5678}"#);
        assert_eq!(
            (unpublished.room, unpublished.id),
            (Id::from(1234), Id::from(5678))
        );
        assert_rejects::<RemotelyPublished>(r#"{"videoroom":"success","room":1234,"id":5678}"#);
    }

    #[test]
    fn listremotes_and_the_remotizations() {
        assert_request(
            ListRemotes::builder()
                .room(1234u64)
                .publisher_id(5678u64)
                .secret("adminpwd")
                .build(),
            json!({"request": "listremotes", "room": 1234, "publisher_id": 5678, "secret": "adminpwd"}),
            None,
        );
        let remotes: Remotes = round_trip(
            r#"{"videoroom":"success","room":1234,"id":5678,"list":[
                {"remote_id":"to-b","host":"192.0.2.1","port":40000,"rtcp_port":40001},
                {"remote_id":"to-c","host":"192.0.2.2","port":40002}]}"#,
        );
        assert_eq!((remotes.room, remotes.id), (Id::from(1234), Id::from(5678)));
        let [b, c] = &remotes.list[..] else {
            panic!("two remotizations");
        };
        assert_eq!(
            (b.remote_id.as_str(), b.host.as_str(), b.port, b.rtcp_port),
            ("to-b", "192.0.2.1", 40000, Some(40001))
        );
        assert_eq!((c.remote_id.as_str(), c.rtcp_port), ("to-c", None));
        assert_rejects::<Remotes>(r#"{"videoroom":"success","room":1234,"id":5678}"#);
    }
}
