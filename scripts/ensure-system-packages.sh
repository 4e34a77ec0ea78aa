#!/usr/bin/env bash
# Makes sure the system packages ScoreKit builds against are present: OpenBLAS (libopenblas-dev)
# and Open MPI (libopenmpi-dev, with mpirun from openmpi-bin), found through pkg-config.
# Installs them with apt-get when running as root on Debian/Ubuntu; otherwise says exactly what
# to run. Exits non-zero when they are still missing.
set -euo pipefail

have_all() {
    command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas && pkg-config --exists mpi-c \
        && command -v mpirun >/dev/null 2>&1
}

if have_all; then
    exit 0
fi

packages="libopenblas-dev libopenmpi-dev openmpi-bin pkg-config"
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        echo "scorekit: installing $packages (matrix products; runs on several processes)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq $packages >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "scorekit: installing $packages with sudo (matrix products; runs on several processes)" >&2
        sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
    fi
fi

if ! have_all; then
    cat >&2 <<'MSG'
scorekit: error: OpenBLAS or Open MPI was not found (pkg-config openblas, pkg-config mpi-c, mpirun).
  ScoreKit needs OpenBLAS for matrix products and an MPI library to run on several processes
  (`mpirun -np R scorekit train …`; without mpirun it runs as one process). Install them, then
  run this command again:
    sudo apt-get update && sudo apt-get install -y libopenblas-dev libopenmpi-dev openmpi-bin pkg-config
  (on other systems: OpenBLAS with its openblas.pc, and Open MPI or MPICH with an mpi-c.pc)
MSG
    exit 1
fi
