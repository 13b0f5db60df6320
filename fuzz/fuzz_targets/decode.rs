//! Arbitrary bytes → `ServerMessage::decode`; whatever decodes must survive
//! encode → decode unchanged.
#![no_main]

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
    // The encoding is plain JSON a generic parser accepts.
    assert!(serde_json::from_str::<serde_json::Value>(&encoded).is_ok());
});
