//! Arbitrary bytes → `ServerMessage::decode` → encode → decode (see `janus_proto::testing::fuzz::decode`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_proto::testing::fuzz::decode(data));
