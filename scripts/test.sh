#!/usr/bin/env bash
# The whole test suite: installs what is missing (OpenBLAS, Open MPI), builds in release mode (the
# numerical checks run at full speed) and runs every test, including the ones tagged slow.
# Then builds the plug-in example against this checkout and checks what it samples, and runs
# scripts/check-distributed.sh (mpirun -np 2 against one process, byte for byte).
#   scripts/test.sh                 # everything
#   scripts/test.sh --filter Tensor # extra arguments go to `swift test`
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-packages.sh
# shellcheck disable=SC2046  # the flags are words
swift test -c release $(scripts/build-flags.sh) -Xswiftc -enable-testing "$@"
# The plug-in example (Examples/PlugInSampler) and runs under mpirun against one process: only
# for the whole suite, not a filtered run.
if [ "$#" -eq 0 ]; then
    scripts/check-plugin-example.sh
    scripts/check-distributed.sh
fi
