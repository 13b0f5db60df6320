#!/usr/bin/env bash
# Runs every check and test of the workspace on a fresh machine: installs what is missing
# (Janus 1.1.2 from Debian, openssl, sipp for the SIP media tests, cargo-fuzz, the benchmarks'
# packages, python3 for the rust-version check), builds Janus 1.4.1 from ../shared/janus-src
# once per machine (cached outside the checkout), then lints, docs, the rust-version and
# crates.io package checks, unit, property and integration tests against a real Janus (the
# janus-admin tool's included), a quick benchmark run (it must work; its figures are not
# judged), and a bounded fuzz run.
#
# Usage: scripts/test.sh            (FUZZ_SECONDS=30 per fuzz target by default)
#        FUZZ_SECONDS=0 scripts/test.sh   to skip fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "installing Janus and tools when missing"
bash scripts/install-janus.sh janus openssl sipp python3

step "building Janus 1.4.1 from source when not cached (the harness runs 1.1.2 and 1.4.1)"
sh scripts/build-janus.sh 1.4.1

step "formatting"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "rust-version: no dependency needs a newer Rust (clippy's incompatible_msrv checks our code)"
python3 scripts/check-rust-version.py

step "crates.io packages of the published crates, each with its README and both licenses"
# Packages every workspace crate but janus-tests (publish = false; `cargo package` would pack
# it all the same). --no-verify: verifying builds each package again from its tarball in a
# target of its own, minutes on two cores, for the sources the steps above and below already
# build; and the crates that depend on janus-proto could only be checked against crates.io
# once it is published (cargo resolves them through a temporary local registry here).
# --allow-dirty: this checks the working tree as it is, committed or not.
cargo package --workspace --exclude janus-tests --no-verify --allow-dirty --locked
packages="${CARGO_TARGET_DIR:-target}/package"
for crate in janus-proto janus-ws-connect janus-http-connect janus-blocking janus-transport-ws janus-admin; do
    version=$(cargo pkgid --locked -p "$crate" | sed 's/.*[#@]//')
    files=$(tar tzf "$packages/$crate-$version.crate")
    for file in README.md LICENSE-MIT LICENSE-APACHE; do
        if ! grep -qx "$crate-$version/$file" <<<"$files"; then
            echo "$crate-$version.crate has no $file"; exit 1
        fi
    done
done
echo "ok"

step "janus-proto depends on no IO or async crate, nor on tracing or metrics"
bad=$(cargo tree -p janus-proto -e normal --prefix none --locked \
    | grep -Ei '^(tokio|mio|async-|smol|futures|tungstenite|socket2|rustls|hyper|reqwest|tracing|metrics)' || true)
if [ -n "$bad" ]; then
    echo "janus-proto pulls in IO/async crates:"; echo "$bad"; exit 1
fi
echo "ok"

step "janus-transport-ws with only the tokio feature does not pull in async-io"
bad=$(cargo tree -p janus-transport-ws -e normal --no-default-features --features tokio \
    --prefix none --locked | grep -E '^async-io ' || true)
if [ -n "$bad" ]; then
    echo "janus-transport-ws --features tokio pulls in async-io:"; echo "$bad"; exit 1
fi
echo "ok"

step "observability features: none, and metrics without tracing (the default is tracing alone)"
cargo clippy -p janus-ws-connect --no-default-features --all-targets --locked -- -D warnings
cargo clippy -p janus-blocking -p janus-transport-ws --no-default-features \
    --features janus-transport-ws/async-io,janus-blocking/metrics,janus-transport-ws/metrics \
    --all-targets --locked -- -D warnings

step "tests (unit, property, golden, scenarios, real Janus)"
cargo test --workspace --locked

step "benchmarks: lints and unit tests of bench/ (its own workspace)"
(cd bench && cargo fmt --all -- --check \
    && cargo clippy --release --all-targets --locked -- -D warnings \
    && cargo test --release --locked)

step "benchmarks run (quick sizes: this checks they work; BENCHMARKS.md has a full run)"
bash scripts/bench.sh --quick --out target/bench-quick
for transport in http unix; do
    bash scripts/bench.sh --quick --transport "$transport" --out "target/bench-quick-$transport"
done

if [ "${FUZZ_SECONDS:-30}" != "0" ]; then
    step "fuzzing each target for ${FUZZ_SECONDS:-30} s"
    bash fuzz/run.sh "${FUZZ_SECONDS:-30}"
fi
