#!/usr/bin/env bash
# Prints the compiler flags for this machine's CPU: on x86-64 with AVX2 and FMA, code for that
# level (`-target-cpu haswell`), so that the engine's elementwise kernels (SiLU's exp, Adam)
# run 8 floats wide instead of SSE2's 4 (≈20 % on sampling workloads). Nothing elsewhere, or
# when SCOREKIT_PORTABLE=1 (a binary that runs on any x86-64). OpenBLAS picks its own kernels
# at run time either way.
set -euo pipefail
if [ "${SCOREKIT_PORTABLE:-0}" = "1" ] || [ "$(uname -m)" != "x86_64" ] || [ ! -r /proc/cpuinfo ]; then
  exit 0
fi
flags="$(grep -m1 '^flags' /proc/cpuinfo || true)"
case " $flags " in
  *" avx2 "*) case " $flags " in *" fma "*) echo "-Xswiftc -target-cpu -Xswiftc haswell" ;; esac ;;
esac
