#!/usr/bin/env bash
# Builds the plug-in example (Examples/PlugInSampler) against this checkout, runs its tests, and
# samples and evaluates its recipes with its executable, scorekit-ralston: the plug-in sampler
# alone, and as predictor of predictor–corrector with the plug-in corrector. Fails unless each
# run's energy distance to the ring's held-out data is at most 0.004 and every mode holds at
# least half its weight. docs/PLUGINS.md explains the example.
#   scripts/check-plugin-example.sh [count]     # samples per recipe (default 4000)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
count="${1:-4000}"
example="$root/Examples/PlugInSampler"
# shellcheck disable=SC2046  # the flags are words
flags=$(scripts/build-flags.sh)
echo "plug-in example: building and testing against this checkout"
# shellcheck disable=SC2086
swift build --package-path "$example" -c release $flags
# Without testable imports, so that the test build reuses the modules just built.
# shellcheck disable=SC2086
swift test --package-path "$example" -c release $flags --disable-testable-imports
bin="$(swift build --package-path "$example" -c release $flags --show-bin-path)/scorekit-ralston"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$example"
"$bin" validate recipes/*.yaml
"$bin" list sampler | grep '^  ralston ' >/dev/null || { echo "scorekit-ralston does not list ralston" >&2; exit 1; }  # no -q: an early exit would cut the pipe under pipefail
for recipe in recipes/*.yaml; do
    name="$(basename "$recipe" .yaml)"
    "$bin" sample "$recipe" --count "$count" --out "$out/$name.npy" --quiet
    "$bin" evaluate "$recipe" --samples "$out/$name.npy" --out "$out/$name.json" --quiet
    python3 - "$out/$name.json" "$name" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
energy = report["energyDistance"]["value"]
shares = report["mixture"]["componentShares"]
weights = report["mixture"]["weights"]
weakest = min(s / w for s, w in zip(shares, weights))
print(f"{sys.argv[2]}: energy distance {energy:.5f}, shares {min(shares):.3f}..{max(shares):.3f}, "
      f"weakest mode at {weakest:.2f} of its weight")
if not energy <= 0.004:
    sys.exit(f"{sys.argv[2]}: energy distance {energy} is above 0.004")
if not weakest >= 0.5:
    sys.exit(f"{sys.argv[2]}: a mode holds {weakest:.2f} of its weight (< 0.5)")
PY
done
echo "plug-in example: ok"
