//! Arbitrary bytes → `ServerMessage::decode`; whatever decodes must survive
//! encode → decode unchanged, and encode to JSON no harder to parse than the input.
#![no_main]

use janus_proto::testing::ServerEncode;
use janus_proto::wire::ServerMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = ServerMessage::decode(data) else {
        return;
    };
    let encoded = msg.encode();
    let again = match ServerMessage::decode(encoded.as_bytes()) {
        Ok(again) => again,
        Err(e) => panic!("the encoding of {msg:?} does not decode: {e}\n{encoded}"),
    };
    assert_eq!(again, msg, "decode(encode(x)) != x; encoded: {encoded}");
    assert_eq!(again.encode(), encoded, "encoding is not stable");
    // The encoding is JSON by the grammar, and is no harder for a generic parser than the
    // input: valid JSON `serde_json::Value` cannot hold (a number beyond f64) may pass through
    // in plugindata, but encoding never makes it.
    assert!(serde_json::from_str::<serde::de::IgnoredAny>(&encoded).is_ok());
    if serde_json::from_slice::<serde_json::Value>(data).is_ok() {
        assert!(
            serde_json::from_str::<serde_json::Value>(&encoded).is_ok(),
            "the encoding of a frame serde_json::Value accepts is rejected: {encoded}"
        );
    }
});
