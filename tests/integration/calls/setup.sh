# setup.sh: what calls.sh, xfer.sh and reinvite.sh do alike before their
# flows run (sourced after ../lib.sh): the tools they need, the devices the
# pages log in with, and the page itself with its test tone.
CALLS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE_DIR="$TESTDIR"

# calls_tools [TOOL...]: Chromium, sipp, sox and the extra TOOLs are there.
calls_tools() {
	local t
	[ -x /usr/bin/chromium ] || fail "chromium missing (scripts/deps.sh test installs it)"
	for t in sipp sox "$@"; do
		command -v "$t" >/dev/null || fail "$t missing (scripts/deps.sh test installs it)"
	done
}

# calls_devices LABEL:USER...: one device per LABEL for USER (created with
# the CLI, cli() set by the caller); exports CALL_DEVICES, the JSON
# { LABEL: { user, password } } the flows log in with.
calls_devices() {
	local d out user pw devices='{'
	for d in "$@"; do
		out=$(cli --json device add "${d#*:}" --label "${d%%:*}") || fail "device add $d"
		user=$(node -e 'console.log(JSON.parse(process.argv[1]).sip_username)' "$out")
		pw=$(node -e 'console.log(JSON.parse(process.argv[1]).password)' "$out")
		devices+="\"${d%%:*}\":{\"user\":\"$user\",\"password\":\"$pw\"},"
	done
	export CALL_DEVICES="${devices%,}}"
}

# calls_page SECONDS: the fake microphone's 1 kHz tone of SECONDS and the
# bundled test page (page.js with JsSIP) in $WORK.
calls_page() {
	sox -n -r 48000 -c 1 -b 16 "$WORK/tone.wav" synth "$1" sine 1000 vol 0.5 ||
		fail "sox could not make the test tone"
	"$NODE_DIR/node_modules/.bin/esbuild" "$CALLS_DIR/page.js" --bundle \
		--format=iife --outfile="$WORK/page.bundle.js" --log-level=warning \
		--alias:jssip="$NODE_DIR/node_modules/jssip/lib/JsSIP.js" ||
		fail "esbuild could not bundle the test page"
}
