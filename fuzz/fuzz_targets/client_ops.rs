//! Arbitrary commands, answers, notifications, time steps, closes and reconnects (see `janus_proto::testing::fuzz::client_ops`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_proto::testing::fuzz::client_ops(data));
