#!/usr/bin/env bash
# The main job: a real WebRTC call through Janus's EchoTest plugin, signalled with this
# workspace's janus-blocking client, media from a str0m peer (tests/examples/echotest.rs).
#
# On a fresh Debian machine: installs what is missing (Janus, iproute2, a C compiler for the
# peer's crypto), builds the example, runs it as root (it makes a network namespace with a
# private Janus inside), and cleans up after it, also when interrupted (Ctrl-C, SIGTERM):
# no namespace, veth, Janus process or temp folder is left behind.
#
#   scripts/echotest.sh                          # both candidate styles, one call each
#   scripts/echotest.sh --candidates trickle --full-trickle
#   scripts/echotest.sh --packets 500
#   scripts/echotest.sh --restart-janus          # Janus restarted between the two calls
#   scripts/echotest.sh --janus-url ws://HOST:8188 --peer-ip IP   # your own Janus
#
# The calls share one connection (with a reconnect policy) and one session. --restart-janus
# stops the private Janus (SIGTERM) between the calls and starts it again on the same port,
# without restarting the program: the connection reconnects by itself and reports the first
# call's session lost (458), the second call runs in a new session, and the report shows the
# restart, the reconnect (attempts, time down) and both calls. With one candidate style
# (--candidates sdp|trickle) that style is called twice.
#
# Every argument goes to the example (`--help` lists them). Exit status: the example's (0 all
# calls OK, 1 a step or the restart failed, 2 bad arguments, 128+N stopped by signal N).
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

say() { printf 'echotest.sh: %s\n' "$*" >&2; }

# Root: network namespaces, veth pairs, apt-get.
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        say "network namespaces need root: re-running with sudo"
        # Keep the caller's PATH (cargo) and toolchain settings; the build runs as the
        # caller again (below), so target/ gets no root-owned files.
        exec sudo -- env PATH="$PATH" \
            ${CARGO_HOME:+"CARGO_HOME=$CARGO_HOME"} \
            ${RUSTUP_HOME:+"RUSTUP_HOME=$RUSTUP_HOME"} \
            ${CARGO_TARGET_DIR:+"CARGO_TARGET_DIR=$CARGO_TARGET_DIR"} \
            bash "$self" "$@"
    fi
    say "this needs root (it creates a network namespace and a veth pair, and installs"
    say "packages with apt-get), and sudo is not installed: run it again as root."
    exit 1
fi

apt_install() {
    say "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

say "checking what is installed"
bash scripts/install-janus.sh janus >&2
command -v ip >/dev/null 2>&1 || apt_install iproute2
# aws-lc-rs, the peer's crypto, compiles C.
command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev
if ! command -v cargo >/dev/null 2>&1; then
    say "cargo is missing: install a Rust toolchain (1.89 or newer, e.g. with rustup) and"
    say "run this again. (Debian's own rustc is too old for this workspace.)"
    exit 1
fi

# Build as the user who called sudo, if any.
build_as=()
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && command -v runuser >/dev/null 2>&1; then
    build_as=(runuser -u "$SUDO_USER" --)
fi
say "building the example (cargo build --release -p janus-tests --example echotest)"
build_log=$(mktemp)
if ! "${build_as[@]}" cargo build --release --locked -p janus-tests --example echotest \
    --message-format=json-render-diagnostics >"$build_log"; then
    rm -f "$build_log"
    say "the build failed"
    exit 1
fi
bin=$(sed -n 's/.*"executable":"\([^"]*\/examples\/echotest\)".*/\1/p' "$build_log" | tail -n 1)
rm -f "$build_log"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    say "cannot find the built example"
    exit 1
fi

# Everything the run leaves in the temp folder (Janus's configs and log) goes in here.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/janus-echotest.XXXXXX")
child=""

cleanup() {
    trap '' INT TERM HUP
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        kill -KILL "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    # Namespaces and veths of dead runs (this one's, if it could not remove them itself),
    # with any Janus still inside; then the run's temp folder.
    "$bin" --cleanup >/dev/null || say "cleanup of namespaces failed"
    rm -rf "$run_tmp"
}

# Stop the example the way it expects (it then hangs up, stops Janus and removes its
# namespace), give it 25 s (its longest blocking step is 10 s, stopping Janus up to 10 s
# more), then kill it; cleanup follows on EXIT.
on_signal() {
    local signal=$1 code=$2
    trap '' INT TERM HUP
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        say "got SIG$signal: stopping the example"
        # SIGTERM: a background job of a non-interactive shell ignores SIGINT.
        kill -TERM "$child" 2>/dev/null || true
        for _ in $(seq 250); do
            kill -0 "$child" 2>/dev/null || break
            sleep 0.1
        done
    fi
    exit "$code"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

say "running $bin $*"
# In the background, so that this shell's traps run while it waits.
TMPDIR="$run_tmp" "$bin" "$@" &
child=$!
set +e
wait "$child"
status=$?
set -e
child=""
exit "$status"
