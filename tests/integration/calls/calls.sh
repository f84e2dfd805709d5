#!/usr/bin/env bash
# calls.sh SIPCLOAK: calls through the gateway between Chromium pages
# running JsSIP and sipp as the PBX (calls.mjs): the echo service, outgoing
# and incoming calls with audio checked in the browser, forking to two tabs,
# busy, cancel, PBX down, device to device, and what each side may see.
SIPCLOAK=$1
source "$(dirname "$0")/../lib.sh"
NODE_DIR="$TESTDIR"
CALLS_DIR=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/chromium ] || fail "chromium missing (scripts/deps.sh test installs it)"
command -v sipp >/dev/null || fail "sipp missing (scripts/deps.sh test installs it)"
command -v sox >/dev/null || fail "sox missing (scripts/deps.sh test installs it)"

PBX_PORT=$(free_port)
PBX_MEDIA_PORT=$(free_port)
PAGE_PORT=$(free_port)
DOWN_PORT=$(free_port) # nothing listens there
MEDIA_LO=$(( (RANDOM % 200) * 100 + 30000 ))
EXTRA_HTTPS="allowed_origins = http://127.0.0.1:$PAGE_PORT"
EXTRA_CONF="[media]
ports = $MEDIA_LO-$((MEDIA_LO + 99))
address = 127.0.0.1
[connection pbx]
type = trunk
transport = udp
host = 127.0.0.1
port = $PBX_PORT
dial_patterns = ^[0-8][0-9]+\$ 10
allow_from = 127.0.0.1/32
media = rtp
codecs = pcmu
[connection down]
type = trunk
transport = tcp
host = 127.0.0.1
port = $DOWN_PORT
dial_patterns = ^9[0-9]+\$ 10
media = rtp"
write_config
sed -i "s/^\[server\]$/[server]\necho_number = *43/" "$WORK/sipcloak.ini"
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }

cli user add alice --extension 201 --display "Alice Example" >/dev/null || fail "user add alice"
cli user add bob --extension 202 >/dev/null || fail "user add bob"
devices='{'
for d in alice1:alice alice2:alice bob:bob; do
	out=$(cli --json device add "${d#*:}" --label "${d%%:*}") || fail "device add $d"
	user=$(node -e 'console.log(JSON.parse(process.argv[1]).sip_username)' "$out")
	pw=$(node -e 'console.log(JSON.parse(process.argv[1]).password)' "$out")
	devices+="\"${d%%:*}\":{\"user\":\"$user\",\"password\":\"$pw\"},"
done
export CALL_DEVICES="${devices%,}}"

sox -n -r 48000 -c 1 -b 16 "$WORK/tone.wav" synth 30 sine 1000 vol 0.5 ||
	fail "sox could not make the test tone"
"$NODE_DIR/node_modules/.bin/esbuild" "$CALLS_DIR/page.js" --bundle \
	--format=iife --outfile="$WORK/page.bundle.js" --log-level=warning \
	--alias:jssip="$NODE_DIR/node_modules/jssip/lib/JsSIP.js" ||
	fail "esbuild could not bundle the test page"

LOG_LEVEL=${LOG_LEVEL:-debug}
start_gateway
export WORK HTTPS_PORT SIP_PORT PBX_PORT PBX_MEDIA_PORT PAGE_PORT
rc=0
(cd "$NODE_DIR" && node "$CALLS_DIR/calls.mjs") || rc=$?
if [ $rc -ne 0 ]; then
	mkdir -p "${ARTIFACTS:-/tmp}/sipcloak-calls"
	cp "$WORK"/*.log "${ARTIFACTS:-/tmp}/sipcloak-calls/" 2>/dev/null || true
	echo "artifacts in ${ARTIFACTS:-/tmp}/sipcloak-calls" >&2
	LOG_TAIL=150
	fail "call tests failed"
fi
stop_gateway
