//! A client with requests in flight fed arbitrary frames and time jumps (see `janus_proto::testing::fuzz::client_frames`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_proto::testing::fuzz::client_frames(data));
