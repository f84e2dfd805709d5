#!/usr/bin/env bash
# run.sh MEDIA_PEER MODE OUTDIR: the browser media test (browser_media.mjs)
# with a fresh 1 kHz tone file and Chromium profile under OUTDIR, where
# screenshots and console logs stay on failure.
set -euo pipefail
peer=$1 mode=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
modules="$here/../../integration/node_modules"
[ -d "$modules/playwright-core" ] ||
	{ echo "FAIL: tests/integration/node_modules missing (scripts/deps.sh test)" >&2; exit 1; }
command -v sox >/dev/null || { echo "FAIL: sox missing" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium missing" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
sox -n -r 48000 -c 1 -b 16 "$out/tone.wav" synth 20 sine 1000 vol 0.5
NODE_PATH="$modules" node "$here/browser_media.mjs" "$peer" "$mode" "$out"
