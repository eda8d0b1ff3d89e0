#!/usr/bin/env bash
# `pnpm test`: every check and test, with what they need installed first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
[ -d node_modules/.pnpm ] || pnpm install --frozen-lockfile
pnpm --filter @sluice/tracker build
pnpm exec biome check .
pnpm exec tsc -p tsconfig.json
pnpm exec vitest run "$@"
