//! Subscribers: subscriptions to streams of one or more publishers. All asynchronous: the
//! outcome is the plugin's event carrying the request's transaction. Janus makes the
//! offers; the subscriber answers them with [`Start`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{PtypeSubscriber, SubscriberStream, VideoRoom};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use crate::wire::Jsep;
use monostate::MustBe;

/// `join` with `ptype: "subscriber"`: subscribes to streams of publishers of a room
/// (asynchronous; it must not carry an offer). Its outcome is [`Attached`], with Janus's
/// SDP offer, to answer with [`Start`].
///
/// `streams` is the multistream way; `feed` with `offer_audio`, `offer_video` and
/// `offer_data` is the deprecated one-publisher form Janus still accepts without
/// `streams`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "join")]
#[non_exhaustive]
pub struct JoinSubscriber {
    /// Always `subscriber`.
    #[builder(skip)]
    pub ptype: PtypeSubscriber,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The streams to subscribe to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[builder(default)]
    pub streams: Vec<SubscribeStream>,
    /// The `private_id` of the participant the subscription belongs to (required in rooms
    /// with `require_pvtid`).
    pub private_id: Option<u32>,
    /// Put in the SDP an msid that references the publisher (default false).
    pub use_msid: Option<bool>,
    /// Send a new offer by itself when a publisher of the subscription leaves (default
    /// true).
    pub autoupdate: Option<bool>,
    /// The room's PIN, if it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// A signed token, in rooms that require them.
    #[builder(into)]
    pub token: Option<Secret>,
    /// Deprecated form: subscribe to every stream of this publisher.
    #[builder(into)]
    pub feed: Option<Id>,
    /// Deprecated form: include the publisher's audio (default true).
    pub offer_audio: Option<bool>,
    /// Deprecated form: include the publisher's video (default true).
    pub offer_video: Option<bool>,
    /// Deprecated form: include the publisher's data channel (default true).
    pub offer_data: Option<bool>,
}

impl PluginRequest for JoinSubscriber {
    type Plugin = VideoRoom;
    type Response = Attached;
}

/// A stream to subscribe to, in [`JoinSubscriber`], [`Subscribe`] and [`Update`]: every
/// stream of a publisher (`feed` only), or one of them (`feed` and `mid`). Disabled
/// publisher streams are skipped.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct SubscribeStream {
    /// The publisher.
    #[builder(into)]
    pub feed: Id,
    /// The mid of its stream; `None`: all of them.
    pub mid: Option<String>,
    /// An id of the caller's to find this entry in the subscription's `streams`.
    pub crossrefid: Option<String>,
    /// Relay the stream or not ([`Subscribe`] and [`Update`]).
    pub send: Option<bool>,
    /// Simulcast substream to receive (0–2).
    pub substream: Option<u8>,
    /// Simulcast temporal layer to receive (0–2).
    pub temporal: Option<u8>,
    /// Microseconds without packets before dropping to a lower substream.
    pub fallback: Option<u64>,
    /// SVC spatial layer to receive (0–2).
    pub spatial_layer: Option<u8>,
    /// SVC temporal layer to receive (0–2).
    pub temporal_layer: Option<u8>,
    /// Minimum playout delay, in blocks of 10 ms; negative: disable.
    pub min_delay: Option<i16>,
    /// Maximum playout delay, in blocks of 10 ms; negative: disable.
    pub max_delay: Option<i16>,
}

/// `{"videoroom": "attached", ...}`: the answer to [`JoinSubscriber`], with Janus's offer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attached {
    #[serde(rename = "videoroom")]
    word: MustBe!("attached"),
    /// The room.
    pub room: Id,
    /// The subscription's streams.
    pub streams: Vec<SubscriberStream>,
    /// Deprecated form (`feed`): the publisher.
    pub id: Option<Id>,
    /// Deprecated form: the publisher's display name.
    pub display: Option<String>,
    /// Deprecated form: the publisher's metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// Deprecated form: `deprecated_api`.
    pub warning: Option<String>,
}

/// `start`: with Janus's offer answered (the SDP answer goes with it), starts the
/// subscription; without an answer, resumes a paused one (asynchronous). Its outcome is
/// [`Started`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "start")]
#[non_exhaustive]
pub struct Start {
    /// The answer to Janus's offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl Start {
    /// Answers Janus's offer with `answer`.
    pub fn answer(answer: Jsep) -> Self {
        Self { jsep: Some(answer) }
    }

    /// Resumes a paused subscription.
    pub fn resume() -> Self {
        Self { jsep: None }
    }
}

impl PluginRequest for Start {
    type Plugin = VideoRoom;
    type Response = Started;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `{"videoroom": "event", "started": "ok"}`: the answer to [`Start`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Started {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub started: String,
}

/// `pause`: pauses the whole subscription (asynchronous; [`Start`] without an answer
/// resumes it). Its outcome is [`Paused`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "pause")]
#[non_exhaustive]
pub struct Pause {}

impl Pause {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for Pause {
    type Plugin = VideoRoom;
    type Response = Paused;
}

/// `{"videoroom": "event", "paused": "ok"}`: the answer to [`Pause`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Paused {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub paused: String,
}

/// `subscribe`: adds streams to a subscription (asynchronous; a stream subscribed to
/// already is added again in a new m-line). Its outcome is a [`SubscriptionUpdate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "subscribe")]
#[non_exhaustive]
pub struct Subscribe {
    /// The streams to add.
    pub streams: Vec<SubscribeStream>,
}

impl PluginRequest for Subscribe {
    type Plugin = VideoRoom;
    type Response = SubscriptionUpdate;
}

/// `unsubscribe`: removes streams from a subscription (asynchronous). Its outcome is a
/// [`SubscriptionUpdate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "unsubscribe")]
#[non_exhaustive]
pub struct Unsubscribe {
    /// The streams to remove.
    pub streams: Vec<UnsubscribeStream>,
}

impl PluginRequest for Unsubscribe {
    type Plugin = VideoRoom;
    type Response = SubscriptionUpdate;
}

/// What to unsubscribe from, in [`Unsubscribe`] and [`Update`]: every stream from a
/// publisher (`feed`), from one of its streams (`feed` and `mid`), or one stream of the
/// subscription (`sub_mid`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct UnsubscribeStream {
    /// The publisher.
    #[builder(into)]
    pub feed: Option<Id>,
    /// The mid of the publisher's stream.
    pub mid: Option<String>,
    /// The mid of the subscription's stream.
    pub sub_mid: Option<String>,
}

/// `update`: subscribes and unsubscribes in one go, with one renegotiation (asynchronous;
/// at least one of the two lists is needed). Its outcome is a [`SubscriptionUpdate`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "update")]
#[non_exhaustive]
pub struct Update {
    /// The streams to add.
    pub subscribe: Option<Vec<SubscribeStream>>,
    /// The streams to remove.
    pub unsubscribe: Option<Vec<UnsubscribeStream>>,
}

impl PluginRequest for Update {
    type Plugin = VideoRoom;
    type Response = SubscriptionUpdate;
}

/// The outcome of [`Subscribe`], [`Unsubscribe`] and [`Update`]: the new layout with an
/// offer, or `updating` when Janus postponed the renegotiation (the offer then comes later
/// in an [`Event::Updated`](super::Event::Updated), possibly covering several requests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SubscriptionUpdate {
    /// Done (`updated`); with an offer unless nothing changed in the SDP.
    Updated(Updated),
    /// Postponed (`updating`).
    Updating(Updating),
}

/// `{"videoroom": "updated", ...}`: a subscription's new layout, with Janus's offer when
/// the SDP changed (answer with [`Start`]). It answers [`Subscribe`], [`Unsubscribe`],
/// [`Update`], and comes as an event when Janus renegotiates on its own (a publisher left,
/// a postponed update, an ICE restart).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Updated {
    #[serde(rename = "videoroom")]
    word: MustBe!("updated"),
    /// The room.
    pub room: Id,
    /// All the streams of the subscription; absent when the SDP did not change.
    pub streams: Option<Vec<SubscriberStream>>,
}

/// `{"videoroom": "updating", ...}`: an update was postponed until the previous offer is
/// answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Updating {
    #[serde(rename = "videoroom")]
    word: MustBe!("updating"),
    /// The room.
    pub room: Id,
}

/// `configure` on a subscriber handle: per-stream settings of a subscription, or an ICE
/// restart (asynchronous). Its outcome is [`Configured`](super::Configured), with a new
/// offer when `restart` or `update` is set.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "configure")]
#[non_exhaustive]
pub struct ConfigureSubscriber {
    /// Per-stream settings.
    pub streams: Option<Vec<SubscriberStreamConfig>>,
    /// Send a new offer with an ICE restart.
    pub restart: Option<bool>,
    /// Send a new offer.
    pub update: Option<bool>,
    /// Deprecated (use `streams` with `send`): relay the audio or not.
    pub audio: Option<bool>,
    /// Deprecated (use `streams` with `send`): relay the video or not.
    pub video: Option<bool>,
    /// Deprecated (use `streams` with `send`): relay the data or not.
    pub data: Option<bool>,
}

impl PluginRequest for ConfigureSubscriber {
    type Plugin = VideoRoom;
    type Response = super::Configured;
}

/// Settings of one stream of a subscription, in [`ConfigureSubscriber::streams`]. Layers
/// already reached are confirmed at once by a [`LayerChanged`](super::LayerChanged) event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct SubscriberStreamConfig {
    /// The mid of the subscription's stream (required when there is more than one entry;
    /// `None`: every stream).
    pub mid: Option<String>,
    /// Relay the stream or not.
    pub send: Option<bool>,
    /// Simulcast substream to receive (0–2).
    pub substream: Option<u8>,
    /// Simulcast temporal layer to receive (0–2).
    pub temporal: Option<u8>,
    /// Microseconds without packets before dropping to a lower substream (default
    /// 250000).
    pub fallback: Option<u64>,
    /// SVC spatial layer to receive (0–2).
    pub spatial_layer: Option<u8>,
    /// SVC temporal layer to receive (0–2).
    pub temporal_layer: Option<u8>,
    /// Minimum playout delay, in blocks of 10 ms; negative: disable.
    pub min_delay: Option<i16>,
    /// Maximum playout delay, in blocks of 10 ms; negative: disable.
    pub max_delay: Option<i16>,
}

/// `switch`: feeds streams of the subscription from other publisher streams, without
/// renegotiating (asynchronous; the new source must have the same codec). Its outcome is a
/// [`SwitchOutcome`]. A switch that revives an inactive m-line needs a renegotiation:
/// Janus then sends an `updated` with an offer first.
///
/// `feed` alone is the deprecated form: switch every stream to the publisher's matching
/// ones.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "switch")]
#[non_exhaustive]
pub struct Switch {
    /// The changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[builder(default)]
    pub streams: Vec<SwitchStream>,
    /// Deprecated form: the publisher to switch to.
    #[builder(into)]
    pub feed: Option<Id>,
}

impl PluginRequest for Switch {
    type Plugin = VideoRoom;
    type Response = SwitchOutcome;
}

/// A change of source, in [`Switch::streams`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct SwitchStream {
    /// The new publisher.
    #[builder(into)]
    pub feed: Id,
    /// The mid of its stream.
    pub mid: String,
    /// The mid of the subscription's stream to feed from it.
    pub sub_mid: String,
    /// Simulcast substream to receive (0–2; Janus 1.1.4 and later).
    pub substream: Option<u8>,
    /// Simulcast temporal layer to receive (0–2; Janus 1.1.4 and later).
    pub temporal: Option<u8>,
    /// SVC spatial layer to receive (0–2; Janus 1.1.4 and later).
    pub spatial_layer: Option<u8>,
    /// SVC temporal layer to receive (0–2; Janus 1.1.4 and later).
    pub temporal_layer: Option<u8>,
}

/// The outcome of [`Switch`]: `switched`, or `updated` with an offer when the switch needs
/// a renegotiation (the `switched` event follows then).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SwitchOutcome {
    /// Done without renegotiating.
    Switched(Switched),
    /// A renegotiation is needed (answer with [`Start`]).
    Updated(Updated),
}

/// `{"videoroom": "event", "switched": "ok", ...}`: the answer to [`Switch`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Switched {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub switched: String,
    /// How many streams changed source (perhaps fewer than asked).
    pub changes: u32,
    /// All the streams of the subscription.
    pub streams: Vec<SubscriberStream>,
}

/// `leave` on a subscriber handle: ends the subscription, tearing the PeerConnection down
/// (asynchronous). Its outcome is [`Left`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "leave")]
#[non_exhaustive]
pub struct LeaveSubscriber {}

impl LeaveSubscriber {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for LeaveSubscriber {
    type Plugin = VideoRoom;
    type Response = Left;
}

/// `{"videoroom": "event", "left": "ok"}`: the answer to [`LeaveSubscriber`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Left {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub left: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plugins::videoroom::testing::{assert_rejects, assert_request, decode, round_trip};
    use crate::plugins::videoroom::MediaType;

    fn stream_json() -> &'static str {
        r#"{"type":"video","active":true,"mindex":0,"mid":"0","ready":false,"send":true,"feed_id":5678,"feed_mid":"1","codec":"vp8"}"#
    }

    #[test]
    fn join_as_subscriber() {
        let join = JoinSubscriber::builder()
            .room(1234u64)
            .streams(vec![
                SubscribeStream::builder().feed(5678u64).build(),
                SubscribeStream::builder()
                    .feed(9999u64)
                    .mid("1")
                    .crossrefid("cam")
                    .substream(2)
                    .temporal(1)
                    .fallback(250_000)
                    .spatial_layer(1)
                    .temporal_layer(2)
                    .min_delay(0)
                    .max_delay(10)
                    .build(),
            ])
            .private_id(4_113_762_326)
            .use_msid(true)
            .autoupdate(false)
            .pin("1111")
            .token("signed")
            .build();
        assert_request(
            join,
            json!({
                "request": "join", "ptype": "subscriber", "room": 1234,
                "streams": [
                    {"feed": 5678},
                    {"feed": 9999, "mid": "1", "crossrefid": "cam", "substream": 2,
                     "temporal": 1, "fallback": 250000, "spatial_layer": 1,
                     "temporal_layer": 2, "min_delay": 0, "max_delay": 10}
                ],
                "private_id": 4113762326u64, "use_msid": true, "autoupdate": false,
                "pin": "1111", "token": "signed"
            }),
            None,
        );
        assert_request(
            JoinSubscriber::builder()
                .room(1234u64)
                .feed(5678u64)
                .offer_audio(true)
                .offer_video(false)
                .offer_data(false)
                .build(),
            json!({
                "request": "join", "ptype": "subscriber", "room": 1234, "feed": 5678,
                "offer_audio": true, "offer_video": false, "offer_data": false
            }),
            None,
        );
        assert!(serde_json::from_value::<JoinSubscriber>(
            json!({"request": "join", "ptype": "publisher", "room": 1})
        )
        .is_err());
    }

    #[test]
    fn attached_carries_the_streams() {
        let attached: Attached = round_trip(&format!(
            r#"{{"videoroom":"attached","room":1234,"streams":[{}]}}"#,
            stream_json()
        ));
        assert_eq!(attached.room, Id::from(1234));
        let [video] = &attached.streams[..] else {
            panic!("one stream");
        };
        assert_eq!(video.kind, MediaType::Video);
        assert_eq!(video.feed_id, Some(Id::from(5678)));
        let legacy: Attached = round_trip(
            r#"{"videoroom":"attached","room":1234,"id":5678,"display":"Bob","metadata":{"a":1},"warning":"deprecated_api","streams":[]}"#,
        );
        assert_eq!(legacy.id, Some(Id::from(5678)));
        assert_eq!(legacy.display.as_deref(), Some("Bob"));
        assert_eq!(legacy.metadata, Some(json!({"a": 1})));
        assert_eq!(legacy.warning.as_deref(), Some("deprecated_api"));
        assert_rejects::<Attached>(r#"{"videoroom":"attached","room":1234}"#);
    }

    #[test]
    fn start_answers_or_resumes_and_pause_pauses() {
        let answer = Jsep::answer("v=0\r\n");
        assert_request(
            Start::answer(answer.clone()),
            json!({"request": "start"}),
            Some(answer),
        );
        assert_request(Start::resume(), json!({"request": "start"}), None);
        let started: Started = round_trip(r#"{"videoroom":"event","room":1234,"started":"ok"}"#);
        assert_eq!(
            (started.room, started.started.as_str()),
            (Some(Id::from(1234)), "ok")
        );
        assert_rejects::<Started>(r#"{"videoroom":"event","room":1234,"paused":"ok"}"#);

        assert_request(Pause::new(), json!({"request": "pause"}), None);
        let paused: Paused = round_trip(r#"{"videoroom":"event","room":1234,"paused":"ok"}"#);
        assert_eq!(paused.paused, "ok");
        assert_rejects::<Paused>(r#"{"videoroom":"event","room":1234,"started":"ok"}"#);
    }

    #[test]
    fn subscribe_unsubscribe_and_update() {
        assert_request(
            Subscribe::builder()
                .streams(vec![SubscribeStream::builder()
                    .feed(5678u64)
                    .mid("0")
                    .send(false)
                    .build()])
                .build(),
            json!({"request": "subscribe", "streams": [{"feed": 5678, "mid": "0", "send": false}]}),
            None,
        );
        assert_request(
            Unsubscribe::builder()
                .streams(vec![
                    UnsubscribeStream::builder().feed(5678u64).build(),
                    UnsubscribeStream::builder().feed(9999u64).mid("1").build(),
                    UnsubscribeStream::builder().sub_mid("3").build(),
                ])
                .build(),
            json!({
                "request": "unsubscribe",
                "streams": [{"feed": 5678}, {"feed": 9999, "mid": "1"}, {"sub_mid": "3"}]
            }),
            None,
        );
        assert_request(
            Update::builder()
                .subscribe(vec![SubscribeStream::builder().feed("bob").build()])
                .unsubscribe(vec![UnsubscribeStream::builder().sub_mid("0").build()])
                .build(),
            json!({
                "request": "update", "subscribe": [{"feed": "bob"}],
                "unsubscribe": [{"sub_mid": "0"}]
            }),
            None,
        );
    }

    #[test]
    fn a_subscription_update_is_updated_or_updating() {
        let data = format!(
            r#"{{"videoroom":"updated","room":1234,"streams":[{}]}}"#,
            stream_json()
        );
        let SubscriptionUpdate::Updated(updated) = round_trip(&data) else {
            panic!("updated");
        };
        assert_eq!(updated.room, Id::from(1234));
        assert_eq!(updated.streams.as_ref().map(Vec::len), Some(1));
        let SubscriptionUpdate::Updated(unchanged) =
            round_trip(r#"{"videoroom":"updated","room":1234}"#)
        else {
            panic!("updated");
        };
        assert_eq!(unchanged.streams, None);
        let SubscriptionUpdate::Updating(updating) =
            round_trip(r#"{"videoroom":"updating","room":1234}"#)
        else {
            panic!("updating");
        };
        assert_eq!(updating.room, Id::from(1234));
        assert_rejects::<SubscriptionUpdate>(r#"{"videoroom":"event","room":1234}"#);
        assert_rejects::<SubscriptionUpdate>(r#"{"videoroom":"updated"}"#);
    }

    #[test]
    fn configure_a_subscription() {
        assert_request(
            ConfigureSubscriber::builder()
                .streams(vec![
                    SubscriberStreamConfig::builder()
                        .mid("0")
                        .send(true)
                        .substream(1)
                        .temporal(0)
                        .fallback(500_000)
                        .build(),
                    SubscriberStreamConfig::builder()
                        .mid("1")
                        .spatial_layer(0)
                        .temporal_layer(1)
                        .min_delay(-1)
                        .max_delay(-1)
                        .build(),
                ])
                .restart(true)
                .update(false)
                .audio(true)
                .video(true)
                .data(true)
                .build(),
            json!({
                "request": "configure",
                "streams": [
                    {"mid": "0", "send": true, "substream": 1, "temporal": 0, "fallback": 500000},
                    {"mid": "1", "spatial_layer": 0, "temporal_layer": 1, "min_delay": -1, "max_delay": -1}
                ],
                "restart": true, "update": false, "audio": true, "video": true, "data": true
            }),
            None,
        );
    }

    #[test]
    fn switch_and_its_outcome() {
        assert_request(
            Switch::builder()
                .streams(vec![
                    SwitchStream::builder()
                        .feed(9999u64)
                        .mid("1")
                        .sub_mid("0")
                        .substream(2)
                        .temporal(2)
                        .spatial_layer(1)
                        .temporal_layer(1)
                        .build(),
                    SwitchStream::builder()
                        .feed(9999u64)
                        .mid("0")
                        .sub_mid("1")
                        .build(),
                ])
                .build(),
            json!({
                "request": "switch",
                "streams": [
                    {"feed": 9999, "mid": "1", "sub_mid": "0", "substream": 2, "temporal": 2,
                     "spatial_layer": 1, "temporal_layer": 1},
                    {"feed": 9999, "mid": "0", "sub_mid": "1"}
                ]
            }),
            None,
        );
        assert_request(
            Switch::builder().feed(9999u64).build(),
            json!({"request": "switch", "feed": 9999}),
            None,
        );
        let data = format!(
            r#"{{"videoroom":"event","switched":"ok","room":1234,"changes":1,"streams":[{}]}}"#,
            stream_json()
        );
        let SwitchOutcome::Switched(switched) = round_trip(&data) else {
            panic!("switched");
        };
        assert_eq!(
            (switched.room, switched.switched.as_str(), switched.changes),
            (Some(Id::from(1234)), "ok", 1)
        );
        assert_eq!(switched.streams.len(), 1);
        let SwitchOutcome::Updated(updated) =
            decode(r#"{"videoroom":"updated","room":1234,"streams":[]}"#)
        else {
            panic!("updated");
        };
        assert_eq!(updated.streams, Some(vec![]));
        assert_rejects::<SwitchOutcome>(r#"{"videoroom":"event","room":1234,"configured":"ok"}"#);
    }

    #[test]
    fn leave_a_subscription() {
        assert_request(LeaveSubscriber::new(), json!({"request": "leave"}), None);
        let left: Left = round_trip(r#"{"videoroom":"event","room":1234,"left":"ok"}"#);
        assert_eq!(
            (left.room, left.left.as_str()),
            (Some(Id::from(1234)), "ok")
        );
        assert_rejects::<Left>(r#"{"videoroom":"event","room":1234,"leaving":"ok"}"#);
    }
}
