#!/bin/sh
# Builds Janus from its source tarball into a cache prefix outside the checkout, once per
# machine, and prints that prefix as the last line of stdout (everything else goes to stderr).
#
#   scripts/build-janus.sh          # builds 1.4.1
#   scripts/build-janus.sh 1.4.1
#
# Steps: verify the tarball against SHA256SUMS; if the prefix holds a complete build, stop
# there; else install the Debian build dependencies that are missing (apt-get, only then),
# extract into a temp folder, `sh autogen.sh && ./configure --prefix=PREFIX --disable-docs &&
# make && make install`, check `PREFIX/bin/janus --version`, and only then write the stamp
# PREFIX/.complete. A build without the stamp (interrupted, failed) is deleted and redone.
# Callers are serialised with flock(1) on PREFIX.lock: when several test binaries start at
# once, one builds and the others wait, then find the stamp.
#
# Environment:
#   JANUS_SRC_DIR     folder holding janus-gateway-VERSION.tar.gz and SHA256SUMS
#                     (default: ../../shared/janus-src relative to this script, or next to
#                     the checkout this one was cloned from when that is a local path)
#   JANUS_CACHE_DIR   where prefixes live (default /var/cache/janus-rs when it is writable,
#                     else ${XDG_CACHE_HOME:-~/.cache}/janus-rs); survives between CI runs
#   JANUS_141_PREFIX  install prefix of 1.4.1 (JANUS_<digits>_PREFIX for other versions;
#                     default JANUS_CACHE_DIR/janus-VERSION-<first 12 hex of the tarball sha256>)
#   JANUS_BUILD_JOBS  make -j (default: nproc)
#
# Uses sudo for apt-get only when not root. The test harness (tests/src/harness) runs this
# script on its own the first time a test asks for Janus 1.4.1.
set -eu

say() { echo "build-janus.sh: $*" >&2; }
die() { say "$*"; exit 1; }

VERSION="${1:-1.4.1}"
case "$VERSION" in
    *[!0-9.]* | "" | .* | *.) die "not a version: '$VERSION' (expected e.g. 1.4.1)" ;;
esac
digits=$(printf '%s' "$VERSION" | tr -d .)

script_dir=$(cd "$(dirname "$0")" && pwd)
name="janus-gateway-$VERSION.tar.gz"
# Where the source is: JANUS_SRC_DIR; else ../shared/janus-src next to the checkout; else,
# for a clone of a local checkout (a CI clone in a temporary folder), next to the checkout
# it was cloned from.
if [ -n "${JANUS_SRC_DIR:-}" ]; then
    src_dir="$JANUS_SRC_DIR"
else
    src_dir="$script_dir/../../shared/janus-src"
    origin=$(git -C "$script_dir" config --get remote.origin.url 2>/dev/null || true)
    origin="${origin#file://}"
    case "$origin" in
        /*) if [ ! -f "$src_dir/$name" ] && origin=$(cd "$origin" 2>/dev/null && pwd -P); then
                src_dir="$(dirname "$origin")/shared/janus-src"
            fi ;;
    esac
fi
tarball="$src_dir/$name"
[ -f "$tarball" ] || die "no source tarball at $tarball (set JANUS_SRC_DIR)"
[ -f "$src_dir/SHA256SUMS" ] || die "no $src_dir/SHA256SUMS to verify $name against"

# SHA256SUMS lines are `HASH  NAME` (or `HASH *NAME` in binary mode).
expected=$(awk -v f="$name" '$2 == f || $2 == "*" f { print $1 }' "$src_dir/SHA256SUMS")
[ -n "$expected" ] || die "$src_dir/SHA256SUMS has no line for $name"
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$actual" = "$expected" ] || die "$tarball: sha256 $actual, SHA256SUMS says $expected"

if [ -z "${JANUS_CACHE_DIR:-}" ]; then
    JANUS_CACHE_DIR=/var/cache/janus-rs
    if ! mkdir -p "$JANUS_CACHE_DIR" 2>/dev/null || [ ! -w "$JANUS_CACHE_DIR" ]; then
        JANUS_CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/janus-rs"
    fi
fi
eval "prefix=\${JANUS_${digits}_PREFIX:-}" # $digits holds digits only (checked above)
# shellcheck disable=SC2154 # set by the eval
[ -n "$prefix" ] || prefix="$JANUS_CACHE_DIR/janus-$VERSION-$(printf '%s' "$actual" | cut -c1-12)"
case "$prefix" in
    /*) ;;
    *) die "the prefix must be an absolute path: $prefix" ;;
esac
stamp="$prefix/.complete"

if [ -f "$stamp" ]; then
    say "Janus $VERSION already built in $prefix"
    echo "$prefix"
    exit 0
fi

mkdir -p "$(dirname "$prefix")"
exec 9>"$prefix.lock"
if ! flock -n 9; then
    say "another build of Janus $VERSION is running; waiting for it ($prefix.lock)"
    flock 9
fi
if [ -f "$stamp" ]; then # the build we waited for
    say "Janus $VERSION already built in $prefix"
    echo "$prefix"
    exit 0
fi

started=$(date +%s)

# The Debian packages upstream's README lists, installed only when missing.
deps="libmicrohttpd-dev libjansson-dev libssl-dev libsrtp2-dev libsofia-sip-ua-dev
libglib2.0-dev libopus-dev libogg-dev libcurl4-openssl-dev liblua5.3-dev libconfig-dev
pkg-config libtool automake autoconf make gengetopt libnice-dev libwebsockets-dev
libusrsctp-dev libpaho-mqtt-dev librabbitmq-dev zlib1g-dev libspeexdsp-dev"
missing=""
for pkg in $deps; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        die "need root or sudo to install the build dependencies:$missing"
    fi
    say "installing build dependencies:$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update >&2
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2
    say "build dependencies installed after $(($(date +%s) - started)) s"
fi

# Only a prefix this script made (its marker file) or an empty one is ever deleted.
marker="$prefix/.build-janus.sh"
if [ -e "$prefix" ] && [ ! -f "$marker" ] && [ -n "$(ls -A "$prefix")" ]; then
    die "$prefix exists and was not made by this script; to use it as it is: touch $stamp"
fi
rm -rf "$prefix"
mkdir -p "$prefix"
: >"$marker"

work=$(mktemp -d "${TMPDIR:-/tmp}/janus-build-$VERSION.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
log="$prefix.build.log"
say "building Janus $VERSION into $prefix (log: $log)"
: >"$log"
step() {
    say "$1"
    shift
    if ! "$@" >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "failed: $* (whole log: $log)"
    fi
}
step "extracting $tarball" tar xzf "$tarball" -C "$work"
cd "$work/janus-gateway-$VERSION"
jobs="${JANUS_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
step "autogen.sh" sh autogen.sh
step "configure" ./configure --prefix="$prefix" --disable-docs
step "make -j$jobs" make -j"$jobs"
step "make install" make install

reported=$("$prefix/bin/janus" --version 2>&1 || true)
case "$reported" in
    *"($VERSION)"*) ;;
    *) die "$prefix/bin/janus --version says: $reported" ;;
esac
[ -f "$prefix/lib/janus/plugins/libjanus_echotest.so" ] \
    || die "no plugins in $prefix/lib/janus/plugins"
touch "$stamp"
say "built Janus $VERSION in $(($(date +%s) - started)) s into $prefix"
echo "$prefix"
