#!/usr/bin/env bash
# The main job: trains the default recipe (NCSN on the seed's 8-Gaussian ring), samples it with
# annealed Langevin dynamics and draws the picture of the samples over the data.
#   scripts/run.sh                          # recipes/ncsn-ring.yaml into runs/ncsn-ring
#   scripts/run.sh recipes/other.yaml       # another recipe
# Installs what is missing (OpenBLAS, Open MPI) first, then builds the command line in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-packages.sh
recipe="${1:-recipes/ncsn-ring.yaml}"
name="$(basename "${recipe%.*}")"
run="runs/$name"
# shellcheck disable=SC2046  # the flags are words
swift build -c release $(scripts/build-flags.sh) --product scorekit
# shellcheck disable=SC2046
bin="$(swift build -c release $(scripts/build-flags.sh) --show-bin-path)/scorekit"
"$bin" train "$recipe" --out "$run" --threads 2
"$bin" sample "$run" --count 10000 --threads 2
echo "pictures: $run/samples.svg   samples: $run/samples.npy   metrics: $run/metrics.jsonl"
