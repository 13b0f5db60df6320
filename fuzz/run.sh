#!/usr/bin/env bash
# Runs every janus-proto fuzz target for a bounded time; exits non-zero on any crash.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET]   (default 30)
#        FUZZ_TARGETS="decode client_ops" fuzz/run.sh 60   to run a subset
#
# Works on a stable toolchain: cargo-fuzz needs nightly-only flags (-Zsanitizer,
# -Cpasses=sancov-module), which RUSTC_BOOTSTRAP=1 unlocks on stable. cargo-fuzz itself is
# installed (pinned, --locked) when missing. The build goes to fuzz/target; inputs found go to
# fuzz/corpus/<target> (not committed), crashes to fuzz/artifacts/<target>. The committed
# seeds in fuzz/seeds/<target> are read, never written.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.2
seconds="${1:-30}"
targets="${FUZZ_TARGETS:-decode client_frames client_ops plugin_data}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
fi

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

export RUSTC_BOOTSTRAP=1

echo "==> building fuzz targets"
start=$(date +%s)
cargo fuzz build
echo "    built in $(( $(date +%s) - start )) s"

failed=()
for target in $targets; do
    mkdir -p "corpus/$target"
    corpus=("corpus/$target")
    if [ -d "seeds/$target" ]; then
        corpus+=("seeds/$target")
    fi
    echo "==> fuzzing $target for ${seconds} s"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a leak or blow-up.
    if ! cargo fuzz run "$target" "${corpus[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1; then
        failed+=("$target")
        echo "!!! $target failed; reproducer(s) in fuzz/artifacts/$target/" >&2
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzzing found crashes in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: no crash in ${targets}"
