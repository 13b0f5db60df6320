//! Golden fixtures of the plugin models, recorded from real Janus servers (1.1.2 and 1.4.1)
//! by the `janus-tests` crate's plugin tests (`JANUS_RECORD_FIXTURES=1`, see its `fixtures`
//! module).
//!
//! Each fixture file is `tests/fixtures/plugins/<version>/<plugin>/<scenario>.json`: a list
//! of entries, either a request (its model type, its body as sent and the real outcome: the
//! reply's plugin data or the plugin error's) or an event (its plugin data). Every request
//! body must decode into its model type and encode back to the same JSON; every reply must
//! decode into the request's response type and encode back to the fields it had; every error
//! code must be one the plugin's model knows; every event must be typed (not `Other`) and
//! encode back. And every request type of every model must appear in the fixtures of every
//! version that has it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::fs;
use std::path::{Path, PathBuf};

use janus_proto::plugins::{
    audiobridge, echotest, nosip, recordplay, sip, streaming, textroom, videocall, videoroom,
    voicemail, Plugin, PluginRequest,
};
use janus_proto::wire::ServerMessage;
use janus_proto::PluginData;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// The Janus versions fixtures are recorded on.
const VERSIONS: [&str; 2] = ["1.1.2", "1.4.1"];

/// The name of a model type as fixtures name it (see janus-tests' `fixtures::model_name`).
fn model_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.strip_prefix("janus_proto::plugins::").unwrap_or(name)
}

/// Checks one recorded request of model type `M`.
type Check = fn(&Value, &str);

/// What the fixtures are checked against: for each plugin (the short name of its package),
/// its request types (with the versions that lack them) and how to type its events. The
/// fixtures come from the plugin tests and, for what needs a negotiated PeerConnection or
/// a data channel, from the media tests.
struct Model {
    requests: Vec<(&'static str, Check, &'static [&'static str])>,
    event: fn(&PluginData) -> Value,
}

/// The check of a request type.
fn request<M>() -> (&'static str, Check, &'static [&'static str])
where
    M: PluginRequest + DeserializeOwned + PartialEq + Debug,
    M::Response: Serialize,
{
    request_missing_in::<M>(&[])
}

/// The check of a request type that the versions `missing` do not have.
fn request_missing_in<M>(
    missing: &'static [&'static str],
) -> (&'static str, Check, &'static [&'static str])
where
    M: PluginRequest + DeserializeOwned + PartialEq + Debug,
    M::Response: Serialize,
{
    (model_name::<M>(), check_request::<M>, missing)
}

/// Whether a typed value is its type's `Other` case (a code or an event the model does not
/// know).
fn is_other(typed: &impl Debug) -> bool {
    let shown = format!("{typed:?}");
    shown == "Other" || shown.starts_with("Other(")
}

/// The typed view of an event of plugin `P`, encoded back (`null` for a case without
/// fields); panics when the model does not know the event.
fn event_of<P: Plugin>(data: &PluginData) -> Value
where
    P::Event: Serialize,
{
    let event = P::event(data);
    assert!(
        !is_other(&event),
        "{}: an event the model does not know: {}",
        P::PACKAGE,
        data.data.get()
    );
    serde_json::to_value(&event).expect("an event encodes")
}

fn models() -> BTreeMap<&'static str, Model> {
    /// The versions that lack a request only Janus 1.4 has.
    const ONLY_1_4: &[&str] = &["1.1.2"];
    BTreeMap::from([
        (
            "audiobridge",
            Model {
                requests: {
                    use audiobridge::*;
                    vec![
                        request::<Create>(),
                        request::<Edit>(),
                        request::<Destroy>(),
                        request::<EnableRecording>(),
                        request::<EnableMjrs>(),
                        request::<Exists>(),
                        request::<Allowed>(),
                        request::<Kick>(),
                        request::<KickAll>(),
                        request_missing_in::<Suspend>(ONLY_1_4),
                        request_missing_in::<Resume>(ONLY_1_4),
                        request::<List>(),
                        request::<ListParticipants>(),
                        request::<ResetDecoder>(),
                        request::<RtpForward>(),
                        request::<StopRtpForward>(),
                        request::<ListForwarders>(),
                        request::<PlayFile>(),
                        request::<IsPlaying>(),
                        request::<StopFile>(),
                        request_missing_in::<StopAllFiles>(ONLY_1_4),
                        request_missing_in::<ListAnnouncements>(ONLY_1_4),
                        request::<Mute>(),
                        request::<Unmute>(),
                        request::<MuteRoom>(),
                        request::<UnmuteRoom>(),
                        // Recorded on 1.4.1 with their error only: the harness's 1.4.1 is
                        // built without RNNoise, which they need.
                        request_missing_in::<DenoiseEnable>(ONLY_1_4),
                        request_missing_in::<DenoiseDisable>(ONLY_1_4),
                        request::<Join>(),
                        request::<Configure>(),
                        request::<ChangeRoom>(),
                        request::<Leave>(),
                        request::<Hangup>(),
                    ]
                },
                event: event_of::<audiobridge::AudioBridge>,
            },
        ),
        (
            "echotest",
            Model {
                requests: vec![request::<echotest::Configure>()],
                event: event_of::<echotest::EchoTest>,
            },
        ),
        (
            "textroom",
            Model {
                requests: {
                    use textroom::*;
                    vec![
                        request::<Setup>(),
                        request::<Ack>(),
                        request::<Restart>(),
                        request::<Create>(),
                        request::<Edit>(),
                        request::<Destroy>(),
                        request::<Exists>(),
                        request::<List>(),
                        request::<ListParticipants>(),
                        request::<Allowed>(),
                        request::<Kick>(),
                        request::<Announcement>(),
                    ]
                },
                event: event_of::<textroom::TextRoom>,
            },
        ),
        (
            "streaming",
            Model {
                requests: vec![
                    request::<streaming::List>(),
                    request::<streaming::Info>(),
                    request::<streaming::Create>(),
                    request::<streaming::Edit>(),
                    request::<streaming::Destroy>(),
                    request::<streaming::Recording>(),
                    request::<streaming::Enable>(),
                    request::<streaming::Disable>(),
                    request::<streaming::KickAll>(),
                    request::<streaming::Watch>(),
                    request::<streaming::Start>(),
                    request::<streaming::Pause>(),
                    request::<streaming::Configure>(),
                    request::<streaming::Switch>(),
                    request::<streaming::Stop>(),
                ],
                // Janus 1.1.2 answers a `stop` only on a started viewer (1.4.1 answers `idle`).
                event: event_of::<streaming::Streaming>,
            },
        ),
        (
            "recordplay",
            Model {
                requests: vec![
                    request::<recordplay::List>(),
                    request::<recordplay::Update>(),
                    request::<recordplay::Configure>(),
                    request::<recordplay::Record>(),
                    request::<recordplay::Play>(),
                    request::<recordplay::Start>(),
                    request::<recordplay::Pause>(),
                    request::<recordplay::Resume>(),
                    request::<recordplay::Stop>(),
                ],
                event: event_of::<recordplay::RecordPlay>,
            },
        ),
        (
            "videoroom",
            Model {
                requests: {
                    use videoroom::*;
                    vec![
                        request::<Create>(),
                        request::<Edit>(),
                        request::<Destroy>(),
                        request::<Exists>(),
                        request::<List>(),
                        request::<Allowed>(),
                        request::<Kick>(),
                        request::<Moderate>(),
                        request::<ListParticipants>(),
                        request::<EnableRecording>(),
                        request::<RtpForward>(),
                        request::<StopRtpForward>(),
                        request::<ListForwarders>(),
                        // Janus 1.1.2 has the remote publishers too.
                        request::<AddRemotePublisher>(),
                        request::<UpdateRemotePublisher>(),
                        request::<RemoveRemotePublisher>(),
                        request::<PublishRemotely>(),
                        request::<UnpublishRemotely>(),
                        request::<ListRemotes>(),
                        request::<JoinPublisher>(),
                        request::<JoinAndConfigure>(),
                        request::<Publish>(),
                        request::<ConfigurePublisher>(),
                        request::<Unpublish>(),
                        request::<LeavePublisher>(),
                        request::<JoinSubscriber>(),
                        request::<Start>(),
                        request::<Pause>(),
                        request::<Subscribe>(),
                        request::<Unsubscribe>(),
                        request::<Update>(),
                        request::<ConfigureSubscriber>(),
                        request::<Switch>(),
                        request::<LeaveSubscriber>(),
                    ]
                },
                event: event_of::<videoroom::VideoRoom>,
            },
        ),
        (
            "voicemail",
            Model {
                requests: vec![
                    request_missing_in::<voicemail::Record>(&["1.4.1"]),
                    request_missing_in::<voicemail::Update>(&["1.4.1"]),
                    request_missing_in::<voicemail::Stop>(&["1.4.1"]),
                ],
                event: event_of::<voicemail::VoiceMail>,
            },
        ),
        (
            "nosip",
            Model {
                requests: {
                    use nosip::*;
                    vec![
                        request::<Generate>(),
                        request::<Process>(),
                        request::<Hangup>(),
                        request::<Recording>(),
                        request_missing_in::<Keyframe>(ONLY_1_4),
                        request_missing_in::<RtpForward>(ONLY_1_4),
                        request_missing_in::<StopRtpForward>(ONLY_1_4),
                        request_missing_in::<ListForwarders>(ONLY_1_4),
                    ]
                },
                event: event_of::<nosip::NoSip>,
            },
        ),
        (
            "sip",
            Model {
                requests: {
                    use sip::*;
                    vec![
                        request::<Register>(),
                        request::<Unregister>(),
                        request::<Subscribe>(),
                        request::<Unsubscribe>(),
                        request::<Call>(),
                        request::<Accept>(),
                        request_missing_in::<Progress>(ONLY_1_4),
                        request_missing_in::<SendRinging>(ONLY_1_4),
                        request::<Decline>(),
                        request::<Transfer>(),
                        request::<Hold>(),
                        request::<Unhold>(),
                        request::<Update>(),
                        request::<Hangup>(),
                        request::<Recording>(),
                        request::<Info>(),
                        request::<Message>(),
                        request::<DtmfInfo>(),
                        request_missing_in::<Keyframe>(ONLY_1_4),
                        request_missing_in::<RtpForward>(ONLY_1_4),
                        request_missing_in::<StopRtpForward>(ONLY_1_4),
                        request_missing_in::<ListForwarders>(ONLY_1_4),
                        request::<Reset>(),
                    ]
                },
                event: event_of::<sip::Sip>,
            },
        ),
        (
            "videocall",
            Model {
                requests: {
                    use videocall::*;
                    vec![
                        request::<List>(),
                        request::<Register>(),
                        request::<Call>(),
                        request::<Accept>(),
                        request::<Set>(),
                        request::<Hangup>(),
                    ]
                },
                event: event_of::<videocall::VideoCall>,
            },
        ),
    ])
}

/// `back` (a typed value encoded again) holds nothing `original` did not say, with the same
/// value: the typed model lost or changed no field it knows.
fn assert_encodes_back(back: &Value, original: &Value, what: &str) {
    match (back, original) {
        (Value::Object(back), Value::Object(original)) => {
            for (key, value) in back {
                match original.get(key) {
                    Some(was) => assert_encodes_back(value, was, &format!("{what}.{key}")),
                    None => assert!(
                        value.is_null(),
                        "{what}: `{key}` = {value} was not in the original"
                    ),
                }
            }
        }
        (Value::Array(back), Value::Array(original)) => {
            assert_eq!(back.len(), original.len(), "{what}: length");
            for (i, (b, o)) in back.iter().zip(original).enumerate() {
                assert_encodes_back(b, o, &format!("{what}[{i}]"));
            }
        }
        _ => assert_eq!(back, original, "{what}"),
    }
}

/// Plugin data holding `data`, as a frame of `plugin` would carry it.
fn plugin_data(plugin: &str, data: &Value) -> PluginData {
    let frame = json!({"janus": "event", "session_id": 1, "sender": 2,
        "plugindata": {"plugin": plugin, "data": data}});
    match ServerMessage::decode(frame.to_string().as_bytes()) {
        Ok(ServerMessage::Event { plugindata, .. }) => plugindata,
        other => panic!("not an event: {other:?}"),
    }
}

fn check_request<M>(entry: &Value, what: &str)
where
    M: PluginRequest + DeserializeOwned + PartialEq + Debug,
    M::Response: Serialize,
{
    let body = &entry["request"];
    let request: M = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{what}: the request does not decode: {e}\n{body:#}"));
    let back = serde_json::to_value(&request).expect("a request encodes");
    assert_eq!(
        &back, body,
        "{what}: the request encodes back to what was sent"
    );
    let outcome = &entry["outcome"];
    let package = <M::Plugin as Plugin>::PACKAGE;
    if let Some(reply) = outcome.get("reply") {
        let typed: M::Response = serde_json::from_value(reply.clone())
            .unwrap_or_else(|e| panic!("{what}: the reply does not decode: {e}\n{reply:#}"));
        let back = serde_json::to_value(&typed).expect("a reply encodes");
        assert_encodes_back(&back, reply, what);
    } else if let Some(error) = outcome.get("error") {
        let data = plugin_data(package, error);
        let Some((code, _)) = data.error() else {
            panic!("{what}: an error without a code: {error}");
        };
        let typed = <M::Plugin as Plugin>::error_code(code);
        assert!(
            !is_other(&typed),
            "{what}: error code {code} is not in the model"
        );
    } else {
        panic!("{what}: an entry without an outcome: {entry}");
    }
}

/// Every fixture file: `(version, plugin, scenario, entries)`.
fn fixture_files() -> Vec<(String, String, String, Vec<Value>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins");
    let mut files = Vec::new();
    for version in VERSIONS {
        for plugin in entries(&root.join(version)) {
            let plugin_name = name(&plugin);
            for file in entries(&plugin) {
                let text =
                    fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                let list: Vec<Value> = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                let scenario = name(&file);
                let scenario = scenario
                    .strip_suffix(".json")
                    .unwrap_or(&scenario)
                    .to_owned();
                files.push((version.to_owned(), plugin_name.clone(), scenario, list));
            }
        }
    }
    files
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(read) => read
            .map(|e| e.expect("readable directory entry").path())
            .collect(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    out.sort();
    out
}

fn name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{}: not a UTF-8 name", path.display()))
        .to_owned()
}

#[test]
fn every_recorded_request_reply_error_and_event_decodes_into_its_model_and_back() {
    let models = models();
    let mut seen: BTreeSet<(String, &str)> = BTreeSet::new();
    for (version, plugin, scenario, list) in fixture_files() {
        let Some(model) = models.get(plugin.as_str()) else {
            panic!("fixtures of {plugin}, which has no model in this test");
        };
        let package = format!("janus.plugin.{plugin}");
        for (i, entry) in list.iter().enumerate() {
            let what = format!("{version}/{plugin}/{scenario}.json[{i}]");
            if let Some(event) = entry.get("event") {
                let back = (model.event)(&plugin_data(&package, event));
                if !back.is_null() {
                    assert_encodes_back(&back, event, &what);
                }
                continue;
            }
            let Some(ty) = entry["type"].as_str() else {
                panic!("{what}: neither an event nor a typed request: {entry}");
            };
            let Some((name, check, _)) = model.requests.iter().find(|(name, ..)| *name == ty)
            else {
                panic!("{what}: `{ty}` is not a request type of the {plugin} model");
            };
            check(entry, &what);
            seen.insert((version.clone(), name));
        }
    }
    for version in VERSIONS {
        for (plugin, model) in &models {
            for (name, _, missing) in &model.requests {
                if missing.contains(&version) {
                    continue;
                }
                assert!(
                    seen.contains(&(version.to_owned(), *name)),
                    "{plugin}: no fixture of `{name}` recorded on Janus {version}"
                );
            }
        }
    }
}
