#!/usr/bin/env bash
# phones.sh SIPCLOAK ARTIFACTS FLOWS: the web softphone itself in headless
# Chromium against the gateway, with alice (extension 201, on a trunk to
# sipp acting as the PBX) and bob provisioned by one-time links; FLOWS is
# the script that drives them:
#   calls.mjs    *43 echo with the received level, DTMF, hold, mute and
#                hang-up; two tabs of one device ring and one answers;
#                decline; an incoming call from sipp (audio both ways), the
#                PBX hangs up;
#   features.mjs the incoming-call notification and ringtone, keyboard use
#                and the layout at phone and desktop widths, recovery after
#                the tab slept with its WebSocket gone, a call kept (or ended
#                with a reason) across a lost WebSocket, and a blind
#                transfer from the UI to sipp.
# Artifacts of a failure (screenshots, consoles, gateway and sipp logs)
# stay in ARTIFACTS.
SIPCLOAK=$1
ARTIFACTS=$2
FLOWS=$3
source "$(dirname "$0")/../integration/lib.sh"
[ -d "$TESTDIR/node_modules/playwright-core" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing (scripts/deps.sh test installs it)"
command -v sipp >/dev/null || fail "sipp missing (scripts/deps.sh test installs it)"
[ -f "$(dirname "$SIPCLOAK")/web/index.html" ] || fail "the web app is not built (target web)"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

PBX_PORT=$(free_port)
PBX_MEDIA_PORT=$(free_port)
MEDIA_LO=$(( (RANDOM % 200) * 100 + 30000 ))
EXTRA_CONF="[media]
ports = $MEDIA_LO-$((MEDIA_LO + 99))
address = 127.0.0.1
[connection pbx]
type = trunk
transport = udp
host = 127.0.0.1
port = $PBX_PORT
dial_patterns = ^[0-8][0-9]{3,}\$ 10
allow_from = 127.0.0.1/32
media = rtp
codecs = pcmu
options_interval = 0"
LOG_LEVEL=${LOG_LEVEL:-debug}
write_config
sed -i "s/^\[server\]$/[server]\necho_number = *43/" "$WORK/sipcloak.ini"
sox -n -r 48000 -c 1 -b 16 "$WORK/tone.wav" synth 30 sine 440 vol 0.5 ||
	fail "sox cannot make the tone"
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
cli user add alice --extension 201 --display "Alice Example" --connection pbx >/dev/null || fail "user add alice"
cli user add bob --extension 202 --display "Bob Example" >/dev/null || fail "user add bob"
alice=$(cli --json device link alice) || fail "link alice"
bob=$(cli --json device link bob) || fail "link bob"
export WEB_LINKS="{\"alice\":$alice,\"bob\":$bob}"
export NODE_EXTRA_CA_CERTS=$WORK/cert.pem WEB_CLI=$SIPCLOAK WEB_CONFIG=$WORK/sipcloak.ini \
	WEB_PORT=$HTTPS_PORT WEB_ARTIFACTS=$ARTIFACTS WEB_TONE=$WORK/tone.wav \
	WEB_SIP_PORT=$SIP_PORT WEB_PBX_PORT=$PBX_PORT WEB_PBX_MEDIA_PORT=$PBX_MEDIA_PORT WEB_WORK=$WORK \
	WEB_SIPP=$(dirname "$0")/sipp
rc=0
node "$(dirname "$0")/$FLOWS" || rc=$?
if [ $rc -ne 0 ]; then
	cp "$WORK"/sipp-*.log "$ARTIFACTS/" 2>/dev/null || true
	fail "see $ARTIFACTS"
fi
rm -rf "$ARTIFACTS"
echo "web ${FLOWS%.mjs}: ok"
