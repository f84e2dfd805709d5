#!/usr/bin/env bash
# reinvite.sh SIPCLOAK: issue 5's re-INVITE edges and shutdown through the
# gateway (reinvite.mjs): Chromium pages running JsSIP and sipp as the PBX:
# 491 glare and the gateway's retry, codec changes by re-INVITE both ways,
# offer-less re-INVITEs (from the PBX, and from a SIP.js device in Node),
# an ACK without the answer, and SIGTERM with a call up (BYE both ways,
# exit 0). tcpdump records the PBX's media port so that the test can read
# the payload types the gateway sent it.
SIPCLOAK=$1
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/setup.sh"
calls_tools tcpdump
[ "$(id -u)" = 0 ] || fail "the capture needs root (tcpdump on lo)"

PBX_IP=127.0.0.1
GW_IP=127.0.0.1
PBX_PORT=$(free_port)
PBX_MEDIA_PORT=$(free_port)
PAGE_PORT=$(free_port)
MEDIA_LO=$(( (RANDOM % 100) * 100 + 30000 ))
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
codecs = pcmu, pcma"
LOG_LEVEL=${LOG_LEVEL:-debug}
write_config
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }

cli user add alice --extension 201 --display "Alice Example" --connection pbx >/dev/null || fail "user add alice"
cli user add carol --extension 203 --connection pbx >/dev/null || fail "user add carol"
calls_devices alice:alice carol:carol

calls_page 60

# what reaches the PBX's SIP and media ports (only ours: other tests use lo)
tcpdump -i lo -n -U -s 0 -w "$WORK/pbx.pcap" \
	"udp and host 127.0.0.1 and (port $PBX_PORT or port $PBX_MEDIA_PORT)" \
	2>"$WORK/tcpdump.log" &
CAP=$!
PIDS+=("$CAP")
for i in $(seq 1 50); do
	grep -q listening "$WORK/tcpdump.log" 2>/dev/null && break
	sleep 0.1
done
grep -q listening "$WORK/tcpdump.log" || fail "tcpdump did not start: $(cat "$WORK/tcpdump.log")"

start_gateway
export WORK HTTPS_PORT SIP_PORT PBX_PORT PBX_MEDIA_PORT PAGE_PORT PBX_IP GW_IP \
	CALL_DEVICES GATEWAY_PID
T0=$(date +%s)
rc=0
# the last flow sends the gateway SIGTERM and waits for it to go
(cd "$NODE_DIR" && node "$CALLS_DIR/reinvite.mjs") || rc=$?
gw=0
if kill -0 "$GATEWAY_PID" 2>/dev/null; then
	# (REINVITE_ONLY=<words> runs some flows: maybe not the shutdown)
	[ $rc -ne 0 ] || [ -n "${REINVITE_ONLY:-}" ] ||
		{ echo "the gateway is still running" >&2; rc=1; }
	kill -TERM "$GATEWAY_PID" 2>/dev/null || true
fi
wait "$GATEWAY_PID" || gw=$?
if [ $rc -eq 0 ] && [ $gw -ne 0 ]; then
	echo "not ok - the gateway exited with $gw after SIGTERM" >&2
	rc=1
fi
kill -INT "$CAP" 2>/dev/null || true
wait "$CAP" 2>/dev/null || true
echo "reinvite: $(( $(date +%s) - T0 )) s for the flows"
if [ $rc -ne 0 ]; then
	mkdir -p "${ARTIFACTS:-/tmp}/sipcloak-reinvite"
	cp "$WORK"/*.log "$WORK"/*.pcap "${ARTIFACTS:-/tmp}/sipcloak-reinvite/" 2>/dev/null || true
	echo "artifacts in ${ARTIFACTS:-/tmp}/sipcloak-reinvite" >&2
	LOG_TAIL=150
	fail "re-INVITE tests failed"
fi
