#!/usr/bin/env bash
# build.sh OUTDIR: installs the pinned npm packages when package-lock.json is
# newer than node_modules (npm ci; offline once cached), then bundles the app
# into OUTDIR (build.mjs). Run by the CMake target `web`.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
node build.mjs "$1"
