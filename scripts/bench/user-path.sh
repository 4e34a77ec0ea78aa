#!/usr/bin/env bash
# The user's path is the benchmarked path: W2 and W3 of the peer suite timed through
# `scorekit sample` (a run folder made from the peers' weights) and through `scorekit-bench`,
# alternating, in the same session (docs/BENCHMARKS.md).
#
#   swift build -c release $(scripts/build-flags.sh)
#   PEERS_CACHE=~/.cache/scorekit-peers ROUNDS=4 scripts/bench/user-path.sh [WORK_FOLDER]
#
# For each workload: makes the run folder (scripts/bench/peer-run-folder.py), writes the
# benchmark's initial noise with `scorekit-bench --write-init`, checks that both paths give the
# same samples bit for bit, then times ROUNDS rounds of (bench, sample) or (sample, bench),
# alternating which goes first. Prints one line per run: workload, path, wall and CPU (user +
# system) seconds of the whole process, for the bench also the seconds it reports for the
# sampling itself, and the 1-minute load average after it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${BIN:-$HERE/.build/release}"
PEERS_CACHE="${PEERS_CACHE:-$HOME/.cache/scorekit-peers}"
ROUNDS="${ROUNDS:-3}"
COUNT="${COUNT:-10000}"
WORK="${1:-$(mktemp -d)}"
CHECK="${CHECK:-1}"  # 0 skips the bit-for-bit check (the run folders must exist then)
mkdir -p "$WORK"

now() { date +%s.%N; }

for w in w2 w3; do
    [ "$CHECK" = 1 ] || break
    weights="$PEERS_CACHE/weights_ncsn.safetensors"
    [ "$w" = w3 ] && weights="$PEERS_CACHE/weights_vp.safetensors"
    run="$WORK/peers-$w"
    python3 "$HERE/scripts/bench/peer-run-folder.py" "$w" "$weights" "$run" >/dev/null
    "$BIN/scorekit-bench" "$w" --n "$COUNT" --reps 1 --threads 2 --weights "$weights" \
        --write-init "$run/init.npy" --write-samples "$WORK/$w-bench.npy" >/dev/null
    "$BIN/scorekit" sample "$run" --count "$COUNT" --init "$run/init.npy" --threads 2 \
        --out "$WORK/$w-sample.npy" --quiet
    if cmp -s "$WORK/$w-bench.npy" "$WORK/$w-sample.npy"; then
        echo "$w: scorekit sample and scorekit-bench give the same samples, bit for bit"
    else
        echo "$w: the samples differ" >&2
        exit 1
    fi
done

timed() {  # timed FILE CMD...: runs CMD, writes "wall cpu" of the process to FILE
    local file="$1" start end
    shift
    start=$(now)
    /usr/bin/time -f "%U %S" -o "$file.cpu" "$@"
    end=$(now)
    echo "$(echo "$end - $start" | bc) $(awk '{ print $1 + $2 }' "$file.cpu")" >"$file"
}

bench() {  # bench W
    local w="$1" weights="$PEERS_CACHE/weights_ncsn.safetensors"
    [ "$w" = w3 ] && weights="$PEERS_CACHE/weights_vp.safetensors"
    timed "$WORK/times" "$BIN/scorekit-bench" "$w" --n "$COUNT" --reps 1 --threads 2 --weights "$weights" \
        --tag user-path --out "$WORK/bench.jsonl" >"$WORK/bench.out"
    local reported
    reported=$(python3 -c 'import json,sys; print("%.3f" % json.loads(open(sys.argv[1]).read())["values"][0])' \
        "$WORK/bench.out")
    read -r wall cpu <"$WORK/times"
    echo "$w bench  wall $wall cpu $cpu reported $reported load $(cut -d' ' -f1 /proc/loadavg)"
}

sample() {  # sample W
    local w="$1" run="$WORK/peers-$1"
    timed "$WORK/times" "$BIN/scorekit" sample "$run" --count "$COUNT" --init "$run/init.npy" --threads 2 \
        --out "$WORK/$w-sample.npy" --quiet
    read -r wall cpu <"$WORK/times"
    echo "$w sample wall $wall cpu $cpu load $(cut -d' ' -f1 /proc/loadavg)"
}

for r in $(seq 1 "$ROUNDS"); do
    for w in w2 w3; do
        if [ $((r % 2)) = 1 ]; then bench "$w"; sample "$w"; else sample "$w"; bench "$w"; fi
    done
done
