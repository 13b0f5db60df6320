//! Arbitrary bytes as every plugin model's event data (see `janus_proto::testing::fuzz::plugin_data`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_proto::testing::fuzz::plugin_data(data));
