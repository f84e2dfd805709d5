#!/usr/bin/env bash
# calls.sh SIPCLOAK: calls through the gateway between Chromium pages
# running JsSIP and sipp as the PBX (calls.mjs): the echo service, outgoing
# and incoming calls with audio checked in the browser, forking to two tabs,
# busy, cancel, PBX down, device to device, and issue 5's further flows
# (flows.mjs); tcpdump captures both sides and topology.mjs checks that
# neither side saw anything of the other. The browsers use 127.0.0.1, the
# PBX (sipp) 127.0.0.2, the gateway's SIP and media toward it 127.0.0.3.
SIPCLOAK=$1
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/setup.sh"
calls_tools tcpdump
[ "$(id -u)" = 0 ] || fail "the capture needs root (tcpdump on lo)"

PBX_IP=127.0.0.2
GW_IP=127.0.0.3
TRUNK_USER=trunk-$RANDOM
TRUNK_PASSWORD=pw-$RANDOM$RANDOM

PBX_PORT=$(free_port)
PBX_MEDIA_PORT=$(free_port)
PAGE_PORT=$(free_port)
DOWN_PORT=$(free_port) # nothing listens there
MEDIA_LO=$(( (RANDOM % 100) * 100 + 50000 ))
EXTRA_HTTPS="allowed_origins = http://127.0.0.1:$PAGE_PORT"
EXTRA_CONF="[media]
ports = $MEDIA_LO-$((MEDIA_LO + 99))
address = $GW_IP
[connection pbx]
type = trunk
transport = udp
host = $PBX_IP
port = $PBX_PORT
dial_patterns = ^[0-6][0-9]+\$ 10, ^8[0-9]+\$ 10
allow_from = $PBX_IP/32
media = rtp
options_interval = 0
codecs = pcmu
[connection badauth]
type = trunk
transport = udp
host = $PBX_IP
port = $PBX_PORT
dial_patterns = ^7[0-9]+\$ 10
media = rtp
options_interval = 0
codecs = pcmu
[connection down]
type = trunk
transport = tcp
host = $PBX_IP
port = $DOWN_PORT
dial_patterns = ^9[0-9]+\$ 10
media = rtp"
write_config
sed -i -e "s/^\[server\]$/[server]\necho_number = *43/" \
	-e "s/^public_address = .*/public_address = $GW_IP/" \
	-e "s/^\(udp\|tcp\|tls\) = 127.0.0.1:/\1 = $GW_IP:/" "$WORK/sipcloak.ini"
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
echo "$TRUNK_PASSWORD" | cli connection auth pbx --user "$TRUNK_USER" --password-stdin >/dev/null ||
	fail "connection auth pbx"
echo "not-$TRUNK_PASSWORD" | cli connection auth badauth --user "$TRUNK_USER" --password-stdin >/dev/null ||
	fail "connection auth badauth"

cli user add alice --extension 201 --display "Alice Example" --connection pbx >/dev/null || fail "user add alice"
cli user add bob --extension 202 >/dev/null || fail "user add bob"
cli user add carol --extension 203 --connection pbx >/dev/null || fail "user add carol"
calls_devices alice1:alice alice2:alice alice3:alice bob:bob carol:carol

calls_page 30

# The capture: what the PBX (sipp's SIP and media ports, and the closed
# "down" port) sends and receives, and the browsers' side: their WSS
# connections and every UDP packet of the gateway's media ports that is not
# between it and the PBX (Chromium's media comes from whatever host address
# it picked), and anything the PBX would send elsewhere.
capture() {
	tcpdump -i lo -n -U -s 0 -w "$WORK/$1.pcap" "$2" 2>"$WORK/tcpdump-$1.log" &
	PIDS+=("$!")
	eval "CAP_$1=$!"
}
# (Only our ports: others' tests may use these addresses at the same time.)
PBX_PORTS="(port $PBX_PORT or portrange $PBX_MEDIA_PORT-$((PBX_MEDIA_PORT + 3)) or port $DOWN_PORT)"
GW_MEDIA="(host $GW_IP and portrange $MEDIA_LO-$((MEDIA_LO + 99)))"
capture pbx "host $PBX_IP and $PBX_PORTS"
capture browser "tcp port $HTTPS_PORT or (udp and ($GW_MEDIA or (src host $PBX_IP and $PBX_PORTS)) and not (host $GW_IP and host $PBX_IP))"
listening() { cat "$WORK"/tcpdump-*.log 2>/dev/null | grep -c listening || true; }
for i in $(seq 1 50); do
	[ "$(listening)" -ge 2 ] && break
	sleep 0.1
done
[ "$(listening)" -ge 2 ] || fail "tcpdump did not start: $(cat "$WORK"/tcpdump-*.log)"

LOG_LEVEL=${LOG_LEVEL:-debug}
start_gateway
export WORK HTTPS_PORT SIP_PORT PBX_PORT PBX_MEDIA_PORT PAGE_PORT PBX_IP GW_IP \
	MEDIA_LO DOWN_PORT TRUNK_USER TRUNK_PASSWORD CALL_DEVICES
T0=$(date +%s)
rc=0
(cd "$NODE_DIR" && node "$CALLS_DIR/calls.mjs") || rc=$?
sleep 0.5
kill -INT "$CAP_pbx" "$CAP_browser" 2>/dev/null || true
wait "$CAP_pbx" "$CAP_browser" 2>/dev/null || true
if [ $rc -eq 0 ]; then
	(cd "$NODE_DIR" && node "$CALLS_DIR/topology.mjs") || rc=$?
fi
echo "calls: $(( $(date +%s) - T0 )) s for the flows and the capture check"
if [ $rc -ne 0 ]; then
	mkdir -p "${ARTIFACTS:-/tmp}/sipcloak-calls"
	cp "$WORK"/*.log "$WORK"/*.pcap "$WORK"/topology.json "${ARTIFACTS:-/tmp}/sipcloak-calls/" 2>/dev/null || true
	echo "artifacts in ${ARTIFACTS:-/tmp}/sipcloak-calls" >&2
	LOG_TAIL=150
	fail "call tests failed"
fi
stop_gateway
