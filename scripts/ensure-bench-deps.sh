#!/usr/bin/env bash
# Installs what `pnpm bench` drives from Debian's packages when missing: wrk (the HTTP load
# generator, in C so the client costs little CPU next to the server) and Chromium (the
# end-to-end run). Also installs the workspace on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
bash scripts/lib/apt-install.sh "${missing[@]}"
[ -d node_modules/.pnpm ] || pnpm install --frozen-lockfile
