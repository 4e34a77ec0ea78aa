#!/usr/bin/env bash
# Makes sure the system packages ScoreKit builds against are present: OpenBLAS (libopenblas-dev),
# found through pkg-config. Installs them with apt-get when running as root on Debian/Ubuntu;
# otherwise says exactly what to run. Exits non-zero when they are still missing.
set -euo pipefail

have_openblas() {
    command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas
}

if have_openblas; then
    exit 0
fi

packages="libopenblas-dev pkg-config"
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        echo "scorekit: installing $packages (needed for matrix products)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq $packages >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "scorekit: installing $packages with sudo (needed for matrix products)" >&2
        sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
    fi
fi

if ! have_openblas; then
    cat >&2 <<'MSG'
scorekit: error: OpenBLAS was not found (pkg-config openblas).
  ScoreKit needs it for matrix products. Install it, then run this command again:
    sudo apt-get update && sudo apt-get install -y libopenblas-dev pkg-config
  (on other systems: install OpenBLAS with its pkg-config file openblas.pc)
MSG
    exit 1
fi
