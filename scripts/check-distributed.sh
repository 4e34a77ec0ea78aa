#!/usr/bin/env bash
# `mpirun -np 2` (and 3) against one process, on this machine (docs/DISTRIBUTED.md):
#   - training of the VP ring recipe for 300 steps: the checkpoints are the same bytes;
#   - sample, likelihood, encode, decode and evaluate: the outputs are the same bytes;
#   - resume from 2 ranks to 1 and from 1 to 2: the same weights as the run without a stop;
#   - a rank that fails alone: every rank exits non-zero, rank 0 names the failing rank, nothing
#     is written; ranks started with different arguments are refused;
#   - a rank killed mid-training: every rank exits non-zero within 10 s, and the checkpoint resumes.
# Fails (never skips) when mpirun is missing: scripts/ensure-system-packages.sh installs it.
#   scripts/check-distributed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
command -v mpirun >/dev/null 2>&1 || {
    echo "check-distributed: mpirun not found; run scripts/ensure-system-packages.sh" >&2
    exit 1
}
# shellcheck disable=SC2046  # the flags are words
swift build -c release $(scripts/build-flags.sh) -Xswiftc -enable-testing --product scorekit
bin="$(swift build -c release $(scripts/build-flags.sh) -Xswiftc -enable-testing --show-bin-path)/scorekit"
if [ "$(id -u)" = "0" ]; then
    # Containers and CI run as root; Open MPI refuses that unless told.
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1   # 3 ranks on 2 cores
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
recipe="$root/recipes/vp-epsilon-ring.yaml"
set_flags=(--set 'training.learningRateSchedule={kind: constant}' --set training.checkpointEvery=100)
fail() { echo "check-distributed: $*" >&2; exit 1; }
same() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }
# The weights, optimizer state and average of two checkpoints (not their recipe text).
same_state() {
    python3 - "$1" "$2" <<'PY' || fail "$1 and $2 hold different states"
import json, struct, sys
def tensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    return {k: (v["shape"], body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}, meta
(a, ma), (b, mb) = tensors(sys.argv[1]), tensors(sys.argv[2])
keys = ("optimizerStepCount", "emaUpdateCount", "recentLosses")
sys.exit(0 if a == b and all(ma.get(k) == mb.get(k) for k in keys) else 1)
PY
}
cd "$out"

echo "check-distributed: training, 1 process × 2 threads, 2 ranks × 1 thread, 3 ranks"
"$bin" train "$recipe" --out one --steps 300 "${set_flags[@]}" --threads 2 --quiet
mpirun -np 2 "$bin" train "$recipe" --out two --steps 300 "${set_flags[@]}" --threads 1 --quiet
mpirun -np 3 "$bin" train "$recipe" --out three --steps 300 "${set_flags[@]}" --threads 1 --quiet
for run in two three; do
    same one/checkpoint.safetensors "$run/checkpoint.safetensors"
    same one/checkpoint-final.safetensors "$run/checkpoint-final.safetensors"
    # The logged losses too (the lines differ in their steps per second).
    sed 's/"stepsPerSecond":[^,}]*//' one/metrics.jsonl > a.txt
    sed 's/"stepsPerSecond":[^,}]*//' "$run/metrics.jsonl" > b.txt
    same a.txt b.txt
done

echo "check-distributed: resume from 2 ranks to 1 and from 1 to 2"
mpirun -np 2 "$bin" train "$recipe" --out r21 --steps 150 "${set_flags[@]}" --threads 1 --quiet
"$bin" train r21 --resume --steps 300 --quiet
same_state one/checkpoint.safetensors r21/checkpoint.safetensors
"$bin" train "$recipe" --out r12 --steps 150 "${set_flags[@]}" --quiet
mpirun -np 2 "$bin" train r12 --resume --steps 300 --threads 1 --quiet
same_state one/checkpoint.safetensors r12/checkpoint.safetensors

echo "check-distributed: sample, likelihood, encode, decode, evaluate"
"$bin" sample one --count 3000 --out s1.npy --quiet
mpirun -np 2 "$bin" sample one --count 3000 --out s2.npy --threads 1 --quiet
same s1.npy s2.npy
"$bin" likelihood one --data s1.npy --limit 700 --out l1.npy --quiet
mpirun -np 2 "$bin" likelihood one --data s1.npy --limit 700 --out l2.npy --threads 1 --quiet
same l1.npy l2.npy
"$bin" encode one --data s1.npy --limit 700 --out z1.npy --quiet
mpirun -np 2 "$bin" encode one --data s1.npy --limit 700 --out z2.npy --threads 1 --quiet
same z1.npy z2.npy
"$bin" decode one --latents z1.npy --out d1.npy --quiet
mpirun -np 2 "$bin" decode one --latents z1.npy --out d2.npy --threads 1 --quiet
same d1.npy d2.npy
"$bin" evaluate one --samples s1.npy --out e1.json --quiet
mpirun -np 2 "$bin" evaluate one --samples s1.npy --out e2.json --quiet
same e1.json e2.json

echo "check-distributed: a rank that fails alone, ranks started with different arguments"
# Rank 1 starts in a folder without the run (a node that does not see the run folder).
mkdir -p elsewhere
if mpirun -np 1 "$bin" sample one --count 3000 --out m.npy --quiet \
    : -np 1 --wdir "$out/elsewhere" "$bin" sample one --count 3000 --out m.npy --quiet 2> failed.txt; then
    fail "a failing rank 1 ended with status 0"
fi
grep -q "^rank 1 of 2: error: .*'one'" failed.txt || fail "rank 0 did not name rank 1: $(cat failed.txt)"
[ ! -e m.npy ] || fail "samples were written although rank 1 failed"
if mpirun -np 1 "$bin" sample one --count 3000 --out m.npy --quiet \
    : -np 1 "$bin" sample one --count 2000 --out m.npy --quiet 2> different.txt; then
    fail "ranks with different arguments ended with status 0"
fi
grep -q "different arguments: rank 1 of 2" different.txt || fail "no message for different arguments: $(cat different.txt)"

echo "check-distributed: a rank killed mid-training"
mpirun -np 2 "$bin" train "$recipe" --out killed --steps 100000 "${set_flags[@]}" --threads 1 --quiet \
    > killed.txt 2>&1 &
launcher=$!
for _ in $(seq 1 100); do
    [ -f killed/checkpoint.previous.safetensors ] && break
    sleep 0.2
done
[ -f killed/checkpoint.previous.safetensors ] || fail "no checkpoint within 20 s"
victim=""
for pid in $(pgrep -f "out killed" || true); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then victim=$pid; fi
done
[ -n "$victim" ] || fail "rank 1 not found"
killed_at=$(date +%s%N)
kill -9 "$victim"
status=0
wait "$launcher" || status=$?
seconds=$(( ($(date +%s%N) - killed_at) / 1000000000 ))
[ "$status" -ne 0 ] || fail "mpirun ended with status 0 after a rank was killed"
[ "$seconds" -lt 10 ] || fail "the ranks took $seconds s to end after rank 1 was killed"
if pgrep -f "out killed" >/dev/null; then fail "a rank is still running"; fi
step=$(python3 -c "
import json, struct
raw = open('killed/checkpoint.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
print(json.loads(raw[8:8 + n])['__metadata__']['optimizerStepCount'])")
"$bin" train killed --resume --steps $((step + 100)) --quiet
echo "check-distributed: ok (all ranks ended $seconds s after the kill, status $status; resumed from step $step)"
