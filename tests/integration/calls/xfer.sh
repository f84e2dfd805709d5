#!/usr/bin/env bash
# xfer.sh SIPCLOAK: transfers through the gateway (xfer.mjs): Chromium pages
# running JsSIP (alice, bob, carol) and sipp as the PBX on two trunks:
# REFER from the PBX to a device, blind and attended transfers between
# devices, an attended transfer toward the PBX, a 422 retry, and late
# offers from PBXs on rtp, srtp (127.0.0.4) and webrtc (127.0.0.5)
# connections.
SIPCLOAK=$1
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/setup.sh"
calls_tools

PBX_PORT=$(free_port)
PBX2_PORT=$(free_port)
PBX_MEDIA_PORT=$(free_port)
PBX2_MEDIA_PORT=$(free_port)
PBX3_PORT=$(free_port) # srtp, sipp on 127.0.0.4
PBX4_PORT=$(free_port) # webrtc, sipp on 127.0.0.5
PAGE_PORT=$(free_port)
MEDIA_LO=$(( (RANDOM % 100) * 100 + 40000 ))
EXTRA_HTTPS="allowed_origins = http://127.0.0.1:$PAGE_PORT"
EXTRA_CONF="[media]
ports = $MEDIA_LO-$((MEDIA_LO + 99))
address = 127.0.0.1
[connection pbx]
type = trunk
transport = udp
host = 127.0.0.1
port = $PBX_PORT
dial_patterns = ^[0-6][0-9]+\$ 10
allow_from = 127.0.0.1/32
media = rtp
options_interval = 0
codecs = pcmu
[connection pbx2]
type = trunk
transport = udp
host = 127.0.0.1
port = $PBX2_PORT
dial_patterns = ^7[0-9]+\$ 10
media = rtp
options_interval = 0
codecs = pcmu
[connection pbx3]
type = trunk
transport = udp
host = 127.0.0.4
port = $PBX3_PORT
media = srtp
options_interval = 0
codecs = pcmu
[connection pbx4]
type = trunk
transport = udp
host = 127.0.0.5
port = $PBX4_PORT
media = webrtc
options_interval = 0
codecs = pcmu"
LOG_LEVEL=${LOG_LEVEL:-debug}
write_config
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }

cli user add alice --extension 201 --display "Alice Example" --connection pbx >/dev/null || fail "user add alice"
cli user add bob --extension 202 >/dev/null || fail "user add bob"
cli user add carol --extension 203 >/dev/null || fail "user add carol"
cli user add dave --extension 204 --connection pbx3 >/dev/null || fail "user add dave"
cli user add erin --extension 205 --connection pbx4 >/dev/null || fail "user add erin"
calls_devices alice:alice bob:bob carol:carol dave:dave erin:erin

calls_page 60


start_gateway
export WORK HTTPS_PORT SIP_PORT PBX_PORT PBX2_PORT PBX3_PORT PBX4_PORT PBX_MEDIA_PORT PBX2_MEDIA_PORT PAGE_PORT
rc=0
(cd "$NODE_DIR" && node "$CALLS_DIR/xfer.mjs") || rc=$?
if [ $rc -ne 0 ]; then
	mkdir -p "${ARTIFACTS:-/tmp}/sipcloak-xfer"
	cp "$WORK"/*.log "${ARTIFACTS:-/tmp}/sipcloak-xfer/" 2>/dev/null || true
	echo "artifacts in ${ARTIFACTS:-/tmp}/sipcloak-xfer" >&2
	LOG_TAIL=150
	fail "transfer tests failed"
fi
stop_gateway
