#!/usr/bin/env bash
# `bash scripts/pack-install.sh DEST`: installs sluice the way a user would. Builds, packs
# @sluice/cli and every workspace package it depends on (what `npm i @sluice/cli` would fetch)
# into DEST/tarballs, and installs those tarballs into an empty project in DEST, offline from
# pnpm's store (filled by the checkout's `pnpm install`). Then DEST/node_modules/.bin/sluice runs
# from built JavaScript, with no checkout and no tsx. The packaging test
# (e2e/cli-package.test.ts) and the container image (deploy/Dockerfile) both run this script,
# so the image installs exactly what the test checked.
set -euo pipefail
dest=$(realpath -m "${1:?usage: pack-install.sh DEST}")
cd "$(dirname "$0")/.."
# The CLI's build builds the packages it references; the tag has a build of its own.
pnpm --silent --filter @sluice/tracker --filter @sluice/cli build
mkdir -p "$dest/tarballs"
# The CLI and its workspace dependencies, following what a registry install follows.
mapfile -t packages < <(pnpm --silent --filter-prod '@sluice/cli...' exec pwd)
overrides=()
for dir in "${packages[@]}"; do
  packed=$(cd "$dir" && pnpm --silent pack --pack-destination "$dest/tarballs" --json)
  overrides+=("$(node -p 'const p = JSON.parse(process.argv[1]); `  "${p.name}": "file:${p.filename}"`' "$packed")")
done
printf '{"name":"sluice-install","private":true,"dependencies":{"@sluice/cli":"*"}}\n' \
  >"$dest/package.json"
# The tarballs name each other by version: the overrides point those names at the files.
# lmdb and msgpackr-extract ship prebuilt binaries; their install scripts only rebuild them.
{
  printf 'allowBuilds:\n  lmdb: false\n  msgpackr-extract: false\noverrides:\n'
  printf '%s\n' "${overrides[@]}"
} >"$dest/pnpm-workspace.yaml"
cd "$dest"
# Offline first (the store has every package); the registry only for metadata the cache lacks
# (offline, pnpm resolved lmdb without its optional prebuilt binary, @lmdb/lmdb-linux-x64).
pnpm install --prefer-offline --silent
