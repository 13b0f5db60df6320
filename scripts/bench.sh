#!/usr/bin/env bash
# Runs the benchmarks: W1, W2 and W3 through our two transports (the async one on smol and
# on tokio), jarust and (when node is installed) janode against one private Janus, in
# alternation; then the janus-proto core micro-benchmark. Prints the tables and writes bench/results/ (results.json, summary.md,
# w1-latency.svg).
#
#   scripts/bench.sh                 # full run: 3 rounds, W1 long run of 10,000 iterations
#   scripts/bench.sh --quick         # small sizes, 1 round (about a minute with the build done)
#   scripts/bench.sh --rounds 5 --clients ours-blocking,jarust --out /tmp/bench
#   scripts/bench.sh --transport http   # every client over Janus's HTTP transport (unix: ours only)
#   OURS_NO_TRACING=1 scripts/bench.sh  # our runner built without the drivers' tracing
#
# Arguments go to `janus-bench run` (see bench/orchestrator, or `--help`). Installs what is
# missing first: Janus, libssl-dev and pkg-config for jarust's native-tls and strace for the
# system call counts (Debian packages, as root or through sudo), and janode's npm packages
# (bench/janode) when node and npm exist.
# The exit status is janus-bench's: non-zero when one of our runners failed.
set -euo pipefail

cd "$(dirname "$0")/.."

# A Debian package that is not installed (a library: no command to look for).
missing_debs=()
packages=(libssl-dev pkg-config strace)
# janode's npm packages build a native module (unix-dgram) with node-gyp.
if command -v node >/dev/null 2>&1; then
    packages+=(g++ make python3)
fi
for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing_debs+=("$pkg")
done
if [ "${#missing_debs[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "bench.sh: need root or sudo to install: ${missing_debs[*]}" >&2
        exit 1
    fi
    echo "bench.sh: installing: ${missing_debs[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing_debs[@]}"
fi

bash scripts/install-janus.sh janus

# janode: install its locked packages when they are missing or older than the lock file.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    janode=bench/janode
    if [ ! -d "$janode/node_modules" ] \
        || [ "$janode/package-lock.json" -nt "$janode/node_modules/.package-lock.json" ]; then
        echo "bench.sh: npm ci in $janode"
        if ! (cd "$janode" && npm ci --no-audit --no-fund); then
            echo "bench.sh: npm ci failed: janode will be skipped"
            rm -rf "$janode/node_modules"
        fi
    fi
else
    echo "bench.sh: node or npm is not installed: janode will be skipped"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "bench.sh: cargo is not installed (https://rustup.rs)" >&2
    exit 1
fi
(cd bench && cargo build --release --locked)
# OURS_NO_TRACING=1: our runner with the drivers' tracing compiled out, to compare with the
# default (compiled in, nobody listening); see BENCHMARKS.md, "Tracing overhead".
if [ -n "${OURS_NO_TRACING:-}" ]; then
    (cd bench && cargo build --release --locked -p janus-bench-ours --no-default-features)
fi

exec bench/target/release/janus-bench run "$@"
