#!/usr/bin/env python3
"""Regenerates fuzz/seeds/ from the golden fixtures in janus-proto/tests/fixtures/server.

  decode/         every server fixture, verbatim
  client_frames/  every server fixture with its transaction renamed to one the harness has in
                  flight, plus multi-step sequences (steps separated by 0xFF, controls 0xFE op …)
  client_ops/     a few deterministic byte strings (each byte picks an op or one of its arguments)

Usage: python3 fuzz/make-seeds.py   (the seeds are committed; rerun after adding fixtures)
"""
import random
import re
import shutil
import struct
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
FIXTURES = FUZZ.parent / "janus-proto" / "tests" / "fixtures" / "server"
SEEDS = FUZZ / "seeds"

# The client_frames harness has these in flight (transaction wire strings): 3 message,
# 4 keepalive, 5 info, 6 ping, 7 trickle, 8 hangup (held behind the message).
TXN_BY_FIXTURE = {
    "server_info": "5",
    "server_info_secured": "5",
    "pong": "6",
    "ack_keepalive": "4",
    "error_458_no_such_session": "4",
    "ack_trickle": "7",
    "error_454_both_candidates": "7",
    "hangup_success": "8",
    "claim_success": "9",
}
DEFAULT_TXN = "3"
SEP = b"\xff"


def advance(ms):
    return b"\xfe\x00" + struct.pack("<I", ms)


FIRE = b"\xfe\x01"
CLOSE = b"\xfe\x02"
RECONNECT_AND_CLAIM = b"\xfe\x03"

TXN_RE = re.compile(rb'("transaction"\s*:\s*)"[^"]*"')


def with_txn(frame, txn):
    return TXN_RE.sub(lambda m: m.group(1) + b'"' + txn.encode() + b'"', frame, count=1)


def main():
    fixtures = {p.stem: p.read_bytes() for p in sorted(FIXTURES.glob("*.json"))}
    assert fixtures, f"no fixtures in {FIXTURES}"
    for target in ("decode", "client_frames", "client_ops"):
        shutil.rmtree(SEEDS / target, ignore_errors=True)
        (SEEDS / target).mkdir(parents=True)

    # Found by fuzzing: a number beyond f64 is valid JSON that serde_json::Value rejects; the
    # frame decodes and must encode to JSON no harder to parse.
    (SEEDS / "decode" / "found_number_beyond_f64.json").write_bytes(
        b'{"janus":"event","session_id":3783524939493389,"sender":6942190213558236,'
        b'"plugindata":{"plugin":"janus.plugin.audiobridge","data":{"audiobridge":"joined",'
        b'"room":6161,"participants":[{"id":18810E928259283018,"display":"bob"}]}}}')
    frames = {}
    for name, text in fixtures.items():
        (SEEDS / "decode" / f"{name}.json").write_bytes(text)
        frames[name] = with_txn(text, TXN_BY_FIXTURE.get(name, DEFAULT_TXN))
        (SEEDS / "client_frames" / name).write_bytes(frames[name])

    sequences = {
        "seq_ack_then_event_then_hangup": [
            frames["ack"], frames["event_videoroom_configured_jsep"], frames["hangup_success"]],
        "seq_event_then_late_ack": [frames["event_echotest_ok_jsep"], frames["ack"]],
        "seq_trickles_before_answer": [
            frames["trickle_candidate_no_mid"], frames["trickle_completed"], frames["ack"],
            frames["event_videoroom_configured_jsep"], frames["webrtcup"],
            frames["media_receiving"]],
        "seq_timeout_then_detached": [frames["timeout"], frames["detached"],
                                      frames["event_echotest_done"]],
        "seq_detached_before_success": [frames["detached"], frames["detach_success"]],
        "seq_keepalives_and_deadlines": [advance(3500), frames["ack_keepalive"], FIRE, FIRE,
                                         advance(60_000), frames["ack"]],
        "seq_close_reconnect_claim": [frames["ack"], CLOSE, frames["event_videoroom_joined"],
                                      RECONNECT_AND_CLAIM, frames["claim_success"],
                                      frames["webrtcup"]],
        "seq_info_shortens_keepalive": [frames["server_info"], advance(4000), FIRE,
                                        frames["ack_keepalive"]],
        "seq_errors_uncorrelated": [frames["error_454_invalid_json_no_transaction"],
                                    frames["error_467_bad_id_no_transaction"],
                                    b"not json", b"", b"[1,2]", frames["unknown_kind_bare"]],
        "seq_plugin_error_then_duplicate": [frames["event_videoroom_plugin_error"],
                                            frames["event_videoroom_plugin_error"],
                                            frames["ack"], frames["event_videoroom_unpublished"],
                                            frames["event_videoroom_unpublished"]],
        # Found by fuzzing: replies to the client's own keepalive (transaction 9 once 3..8
        # have timed out) are consumed without an event, by design.
        "seq_reply_to_own_keepalive": [
            advance(6000),
            b'{"janus":"success","session_id":3783524939493389,"transaction":"9"}',
            advance(3000), b'{"janus":"ack","session_id":3783524939493389,"transaction":"10"}'],
    }
    for name, steps in sequences.items():
        (SEEDS / "client_frames" / name).write_bytes(SEP.join(steps))

    rng = random.Random(0x1A2B)
    for i in range(8):
        size = 64 << (i % 4)
        (SEEDS / "client_ops" / f"random_{i}").write_bytes(
            bytes(rng.randrange(256) for _ in range(size)))
    print(f"{len(fixtures)} fixtures, {len(sequences)} sequences -> {SEEDS}")


if __name__ == "__main__":
    main()
