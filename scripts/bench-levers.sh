#!/usr/bin/env bash
# Measures what each change bought, in one run: builds the benchmark runners (bench/ours and
# bench/jarust) at each git revision given, then against one private Janus measures, for each
# revision and client:
#   - system calls per W1 iteration: strace -f -c of a 1,200-iteration run minus a 200-one,
#     over 1,000 (what janus-bench prints);
#   - user-space instructions per W1 iteration: valgrind's cachegrind, a 600-iteration run
#     minus a 100-one, over 500 (deterministic up to how replies happen to coalesce, about
#     ±3 %; valgrind counts every byte of a `rep stosb`/`rep movsb` as an instruction, so
#     memset and memcpy weigh more here than in time);
#   - client CPU per W1 iteration (user, system, total, µs) and per W2 round (ms): the median
#     of N runs of 2,000 iterations (W2: 20 rounds of 100 sessions x 5 handles), the
#     revisions alternating run after run. The user/system split is the kernel's tick
#     sampling (HZ=250 here): about ±20 % per run; the total is exact;
#   - peak RSS of W3 (1,000 sessions held 2 s, a keepalive every second), the median of the
#     same N runs.
#
#   scripts/bench-levers.sh [--reps N] [--clients LIST] REV...
#   scripts/bench-levers.sh --reps 5 bbe2a6b 7ad9d72 HEAD
#
# Clients: ours-blocking, ours-ws, ours-ws-tokio, jarust (default: all four). Needs strace
# and valgrind (Debian packages), and the bench workspace built (scripts/bench.sh does that).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
reps=3
clients="ours-blocking,ours-ws,ours-ws-tokio,jarust"
revs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) revs+=("$1"); shift ;;
    esac
done
[ "${#revs[@]}" -gt 0 ] || { echo "bench-levers.sh: name at least one revision" >&2; exit 2; }
for tool in strace valgrind python3; do
    command -v "$tool" >/dev/null || { echo "bench-levers.sh: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bench-levers.XXXXXX)
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
    for rev in "${revs[@]}"; do
        git worktree remove --force "$work/src-$rev" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# The runners at each revision, built in one target directory (the dependencies once).
for rev in "${revs[@]}"; do
    git worktree add --detach "$work/src-$rev" "$rev" >/dev/null
    (cd "$work/src-$rev/bench" && CARGO_TARGET_DIR="$root/bench/target/levers" \
        cargo build --release --locked -p janus-bench-ours -p janus-bench-jarust 2>&1 | tail -1)
    mkdir -p "$work/bin-$rev"
    cp "$root/bench/target/levers/release/janus-bench-ours" \
        "$root/bench/target/levers/release/janus-bench-jarust" "$work/bin-$rev/"
done

"$root/bench/target/release/janus-bench" serve >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
    grep -q JANUS_WS_URL "$work/serve.log" && break
    sleep 0.2
done
url=$(sed -n 's/^JANUS_WS_URL=\([^ ]*\).*/\1/p' "$work/serve.log")
[ -n "$url" ] || { echo "bench-levers.sh: Janus did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "Janus at $url; revisions: ${revs[*]}; clients: $clients; $reps CPU runs each"

# The runner command line of a client at a revision, with the workload's arguments after.
runner() {
    local rev=$1 client=$2
    case "$client" in
        ours-blocking) echo "$work/bin-$rev/janus-bench-ours --variant blocking" ;;
        ours-ws) echo "$work/bin-$rev/janus-bench-ours --variant ws" ;;
        ours-ws-tokio) echo "$work/bin-$rev/janus-bench-ours --variant ws-tokio" ;;
        jarust) echo "$work/bin-$rev/janus-bench-jarust" ;;
        *) echo "bench-levers.sh: unknown client $client" >&2; exit 2 ;;
    esac
}
w1() { echo "--url $url --workload w1 --rss-checkpoint 0 --iterations $1"; }

# strace -c tables and cachegrind totals, differenced.
per_iteration_calls() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
def table(path):
    counts, seen = {}, False
    for line in open(path):
        w = line.split()
        if w and w[0] == '%':
            seen = True
            continue
        if not seen or not w or w[0].startswith('-') or w[-1] == 'total':
            continue
        counts[w[-1]] = int(w[3])
    return counts
short, long, n = table(sys.argv[1]), table(sys.argv[2]), float(sys.argv[3])
calls = {k: (long[k] - short.get(k, 0)) / n for k in long}
shown = sorted(((c, k) for k, c in calls.items() if abs(c) >= 0.05), reverse=True)
print("%.1f (%s)" % (sum(calls.values()), ", ".join("%s %.1f" % (k, c) for c, k in shown)))
PY
}
instructions() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
        | sed -n 's/.*I *refs: *//p' | tr -d ','
}

IFS=, read -r -a chosen <<<"$clients"
echo
echo "| revision | client | syscalls/W1 iteration | user instructions/W1 iteration |"
echo "| --- | --- | ---: | ---: |"
for rev in "${revs[@]}"; do
    for client in "${chosen[@]}"; do
        # shellcheck disable=SC2046
        strace -f -c -o "$work/s200" $(runner "$rev" "$client") $(w1 200) >/dev/null
        # shellcheck disable=SC2046
        strace -f -c -o "$work/s1200" $(runner "$rev" "$client") $(w1 1200) >/dev/null
        calls=$(per_iteration_calls "$work/s200" "$work/s1200" 1000)
        # shellcheck disable=SC2046
        a=$(instructions $(runner "$rev" "$client") $(w1 100))
        # shellcheck disable=SC2046
        b=$(instructions $(runner "$rev" "$client") $(w1 600))
        echo "| $rev | $client | $calls | $(((b - a) / 500)) |"
    done
done

# CPU: every revision and client once per repetition, in rotation.
: >"$work/cpu"
for rep in $(seq "$reps"); do
    for workload in w1 w2 w3; do
        for rev in "${revs[@]}"; do
            for client in "${chosen[@]}"; do
                case "$workload" in
                    w1) args=$(w1 2000) ;;
                    w2) args="--url $url --workload w2 --iterations 20 --sessions 100 --handles 5" ;;
                    *) args="--url $url --workload w3 --sessions 1000 --hold-ms 2000 --keepalive-ms 1000" ;;
                esac
                # shellcheck disable=SC2046
                $(runner "$rev" "$client") $args | tail -1 \
                    | python3 -c "
import json, sys
r = json.load(sys.stdin)
n = max(r['iterations'], 1)
print('$workload $rev $client %d %.2f %.2f %d' % (int(r['ok']), r['user_s'] * 1e6 / n, r['sys_s'] * 1e6 / n, r['peak_rss_kb']))
" >>"$work/cpu"
            done
        done
    done
    echo "CPU runs: repetition $rep of $reps done" >&2
done
python3 - "$work/cpu" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    workload, rev, client, ok, user, sys_, rss = line.split()
    runs[(workload, rev, client)].append((int(ok), float(user), float(sys_), int(rss)))
print()
print("| workload | revision | client | peak RSS KiB | runs ok |")
print("| --- | --- | --- | ---: | ---: |")
for (workload, rev, client), rs in runs.items():
    if workload == "w3":
        print("| W3 | %s | %s | %d | %d/%d |" % (rev, client, statistics.median(r[3] for r in rs),
                                             sum(r[0] for r in rs), len(rs)))
print()
print("| workload | revision | client | user | system | total | runs ok |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
for (workload, rev, client), rs in runs.items():
    if workload == "w3":
        continue
    unit, scale = ("µs/iteration", 1.0) if workload == "w1" else ("ms/round", 1e-3)
    user = statistics.median(r[1] for r in rs) * scale
    sys_ = statistics.median(r[2] for r in rs) * scale
    total = statistics.median(r[1] + r[2] for r in rs) * scale
    print("| %s (%s) | %s | %s | %.1f | %.1f | %.1f | %d/%d |"
          % (workload.upper(), unit, rev, client, user, sys_, total, sum(r[0] for r in rs), len(rs)))
PY
