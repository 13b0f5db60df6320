#!/bin/sh
# Installs the Debian packages the integration tests need, only when their command is missing.
#
#   scripts/install-janus.sh            # installs `janus` if `janus` is not on PATH
#   scripts/install-janus.sh openssl    # installs `openssl` if `openssl` is not on PATH
#   scripts/install-janus.sh sipp       # installs `sip-tester` if `sipp` is not on PATH
#
# Each argument is a command; its Debian package has the same name, except `sipp` (package
# `sip-tester`, the SIP peer of the SIP plugin's media tests). Idempotent: a second run does
# nothing. Uses sudo only when not root. The test harness (tests/src/harness) runs it
# on its own when `janus` or `openssl` is missing. This is Janus 1.1.2, Debian 12's; Janus
# 1.4.1 is built from source by scripts/build-janus.sh.
set -eu

[ "$#" -gt 0 ] || set -- janus

# The Debian package that provides command $1.
package_of() {
    case "$1" in
        sipp) echo sip-tester ;;
        *) echo "$1" ;;
    esac
}

missing=""
commands=""
for cmd in "$@"; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        missing="$missing $(package_of "$cmd")"
        commands="$commands $cmd"
    fi
done
if [ -z "$missing" ]; then
    echo "install-janus.sh: already installed: $*"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-janus.sh: need root or sudo to install:$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-janus.sh: installing:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086 # word splitting of the package list is intended
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing

for cmd in $commands; do
    command -v "$cmd" >/dev/null 2>&1 || { echo "install-janus.sh: $cmd still missing" >&2; exit 1; }
done
