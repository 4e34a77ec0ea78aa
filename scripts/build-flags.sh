#!/usr/bin/env bash
# Prints the compiler flags for this machine's CPU: on x86-64 with AVX-512 (F, BW, DQ, VL), code
# for that level (`-target-cpu skylake-avx512`: 32 vector registers, so SiLU's exp keeps its
# constants in registers; W3 ≈ 20 % faster than at the AVX2 level); with AVX2 and FMA,
# `-target-cpu haswell` (the elementwise kernels run 8 floats wide instead of SSE2's 4, ≈ 20 %
# on sampling workloads). Nothing elsewhere, or when SCOREKIT_PORTABLE=1 (a binary that runs on
# any x86-64). Both levels have FMA, so `-D SCOREKIT_FMA` lets FastMath fuse its multiply-adds
# (SiLU ≈ 2× faster), and `-D SCOREKIT_AVX512` gives the panel kernels of inference their
# 16-accumulator tile (PanelKernels.swift). OpenBLAS picks its own kernels at run time either way.
set -euo pipefail
if [ "${SCOREKIT_PORTABLE:-0}" = "1" ] || [ "$(uname -m)" != "x86_64" ] || [ ! -r /proc/cpuinfo ]; then
  exit 0
fi
flags="$(grep -m1 '^flags' /proc/cpuinfo || true)"
has() { case " $flags " in *" $1 "*) return 0 ;; esac; return 1; }
if has avx512f && has avx512bw && has avx512dq && has avx512vl; then
  echo "-Xswiftc -target-cpu -Xswiftc skylake-avx512 -Xswiftc -DSCOREKIT_FMA -Xswiftc -DSCOREKIT_AVX512"
  exit 0
fi
case " $flags " in
  *" avx2 "*) case " $flags " in *" fma "*) echo "-Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DSCOREKIT_FMA" ;; esac ;;
esac
