#!/usr/bin/env bash
# `bash scripts/lib/apt-install.sh PACKAGE...`: installs the given Debian packages (the ones the
# caller found missing) with apt-get, as root or through sudo. Does nothing when given none.
set -euo pipefail
[ $# -eq 0 ] && exit 0
echo "installing from Debian packages: $*"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to apt-get install $*" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
