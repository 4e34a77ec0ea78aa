#!/usr/bin/env bash
# 2 ranks × 1 thread (mpirun -np 2 … --threads 1) against 1 process × 2 threads, through the
# user's commands, alternating, on this machine (docs/BENCHMARKS.md, "Two ranks against two
# threads"):
#   - the W1-sized training step: `scorekit train recipes/ncsn-ring.yaml` (the seed's MLP, batch
#     512 in 2 shards of 256), 2,000 steps; steps/s from train.log, and rank 0's time in
#     collectives per step;
#   - W3-sized sampling: `scorekit sample` of 10,000 samples by Euler–Maruyama in 1,000 steps on the
#     VP ring recipe (recipes/vp-epsilon-ring.yaml; the weights of a 300-step run: the time does
#     not depend on them).
# Prints each round and the medians. With `digits`, the U-Net step instead: 300 steps of
# recipes/digits-unet.yaml (batch 128 in 4 shards of 32), steps/s and collectives.
#   scripts/bench/distributed.sh [rounds]          # default 3
#   scripts/bench/distributed.sh [rounds] digits
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
rounds="${1:-3}"
workload="${2:-ring}"
# shellcheck disable=SC2046  # the flags are words
swift build -c release $(scripts/build-flags.sh) --product scorekit >/dev/null
bin="$(swift build -c release $(scripts/build-flags.sh) --show-bin-path)/scorekit"
if [ "$(id -u)" = "0" ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$out"
"$bin" train "$root/recipes/vp-epsilon-ring.yaml" --out vp --steps 300 --quiet
rate() { sed -n 's/.*finished: \([0-9]*\) steps (\([0-9]*\) in \([0-9.]*\) s.*/\2 \3/p' "$1/train.log" | awk '{ printf "%.1f", $1 / $2 }'; }
collective() { sed -n 's/.*collectives: .*, \([0-9.]*\) ms a step.*/\1/p' "$1/train.log"; }
seconds() { python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['seconds'])" "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > train-threads.txt; : > train-ranks.txt; : > collectives.txt; : > sample-threads.txt; : > sample-ranks.txt
if [ "$workload" = "digits" ]; then
    for round in $(seq 1 "$rounds"); do
        rm -rf t r
        "$bin" train "$root/recipes/digits-unet.yaml" --out t --steps 300 --threads 2 --quiet
        mpirun -np 2 "$bin" train "$root/recipes/digits-unet.yaml" --out r --steps 300 --threads 1 --quiet
        cmp -s t/checkpoint.safetensors r/checkpoint.safetensors || { echo "the two runs differ" >&2; exit 1; }
        rate t >> train-threads.txt; echo >> train-threads.txt
        rate r >> train-ranks.txt; echo >> train-ranks.txt
        collective r >> collectives.txt
        echo "round $round: digits U-Net $(tail -1 train-threads.txt) / $(tail -1 train-ranks.txt) steps/s (collectives $(tail -1 collectives.txt) ms a step)"
    done
    tt=$(median < train-threads.txt); tr=$(median < train-ranks.txt); tc=$(median < collectives.txt)
    echo "median: digits U-Net 1 × 2 threads $tt steps/s, 2 ranks × 1 thread $tr steps/s (ratio $(awk -v a="$tr" -v b="$tt" 'BEGIN { printf "%.2f", a / b }')), collectives $tc ms a step"
    exit 0
fi
for round in $(seq 1 "$rounds"); do
    rm -rf t r
    "$bin" train "$root/recipes/ncsn-ring.yaml" --out t --steps 2000 --threads 2 --quiet
    mpirun -np 2 "$bin" train "$root/recipes/ncsn-ring.yaml" --out r --steps 2000 --threads 1 --quiet
    cmp -s t/checkpoint.safetensors r/checkpoint.safetensors || { echo "the two runs differ" >&2; exit 1; }
    rate t >> train-threads.txt; echo >> train-threads.txt
    rate r >> train-ranks.txt; echo >> train-ranks.txt
    collective r >> collectives.txt
    "$bin" sample vp --count 10000 --out st.npy --threads 2 --quiet
    mpirun -np 2 "$bin" sample vp --count 10000 --out sr.npy --threads 1 --quiet
    cmp -s st.npy sr.npy || { echo "the samples differ" >&2; exit 1; }
    seconds st.sampling.json >> sample-threads.txt
    seconds sr.sampling.json >> sample-ranks.txt
    echo "round $round: train $(tail -1 train-threads.txt) / $(tail -1 train-ranks.txt) steps/s" \
        "(collectives $(tail -1 collectives.txt) ms a step); sample $(tail -1 sample-threads.txt) / $(tail -1 sample-ranks.txt) s"
done
tt=$(median < train-threads.txt); tr=$(median < train-ranks.txt); tc=$(median < collectives.txt)
st=$(median < sample-threads.txt); sr=$(median < sample-ranks.txt)
echo "median: train 1 × 2 threads $tt steps/s, 2 ranks × 1 thread $tr steps/s (ratio $(awk -v a="$tr" -v b="$tt" 'BEGIN { printf "%.2f", a / b }')), collectives $tc ms a step"
echo "median: sample 1 × 2 threads $st s, 2 ranks × 1 thread $sr s (throughput ratio $(awk -v a="$st" -v b="$sr" 'BEGIN { printf "%.2f", a / b }'))"
