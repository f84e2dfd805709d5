#!/usr/bin/env bash
# upreg.sh SIPCLOAK: connections against real peers on loopback.
# Kamailio plays the PBX registrar (kamailio/pbx.cfg, digest auth): a JsSIP
# device of alice registers to the gateway -> the gateway registers 201
# upstream (seen in Kamailio's location table), refreshes within the 10 s
# Kamailio grants, and unregisters when the device goes; bob (register =
# always on another connection, wrong PBX password) gets 403 -> status
# "forbidden"; dave (always, right password) is registered, removed by a
# clean shutdown and registered again by the next start; a connection to a port where nobody listens backs off.
# sipp answers OPTIONS as a trunk (up), then is stopped (down). An inbound
# PBX (inbound_reg.mjs) registers with the generated credential and gets
# 200. `connection status --json` shows it all.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
[ -d "$TESTDIR/node_modules/jssip" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
command -v kamailio >/dev/null || fail "kamailio is not installed"
command -v sipp >/dev/null || fail "sipp is not installed"

KPORT=$(free_port)
TPORT=$(free_port)
DEAD=$(free_port)
sed -e "s|@PORT@|$KPORT|g" -e "s|@DIR@|$WORK|g" "$TESTDIR/kamailio/pbx.cfg" \
	>"$WORK/pbx.cfg"
kamailio -f "$WORK/pbx.cfg" -DD -E -w "$WORK" >"$WORK/kamailio.log" 2>&1 &
PIDS+=($!)
sipp -sf "$TESTDIR/sipp/options_uas.xml" -i 127.0.0.1 -p "$TPORT" -m 1000 \
	-nostdin >"$WORK/sipp_trunk.log" 2>&1 &
SIPP_PID=$!
PIDS+=("$SIPP_PID")

EXTRA_CONF="[connection office]
type = registration
host = 127.0.0.1
port = $KPORT
dial_patterns = ^2[0-9]{2}\$ 10
[connection office2]
type = registration
host = 127.0.0.1
port = $KPORT
register = always
[connection dead]
type = registration
host = 127.0.0.1
port = $DEAD
register = always
[connection trunk]
type = trunk
host = 127.0.0.1
port = $TPORT
options_interval = 5
[connection pbxin]
type = inbound
allow_from = 127.0.0.1"
LOG_LEVEL=debug
write_config
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
json() { node -e "const o=JSON.parse(require('fs').readFileSync(0,'utf8')); $1"; }

cli user add alice >/dev/null || fail "user add alice"
echo "pbx-201-ok" | cli user set alice --connection office --pbx-user 201 \
	--pbx-password-stdin >/dev/null || fail "user set alice"
out=$(cli --json device add alice) || fail "device add"
DUSER=$(echo "$out" | json 'console.log(o.sip_username)')
DPW=$(echo "$out" | json 'console.log(o.password)')
cli user add bob --extension 202 >/dev/null || fail "user add bob"
echo "wrong" | cli user set bob --connection office2 --pbx-password-stdin \
	>/dev/null || fail "user set bob"
cli user add dave --extension 204 >/dev/null || fail "user add dave"
echo "pbx-204-ok" | cli user set dave --connection office2 --pbx-password-stdin \
	>/dev/null || fail "user set dave"
cli user add carol --extension 203 --connection dead >/dev/null ||
	fail "user add carol"
out=$(cli --json connection credentials pbxin) || fail "connection credentials"
IUSER=$(echo "$out" | json 'console.log(o.username)')
IPW=$(echo "$out" | json 'console.log(o.password)')

start_gateway
ul() { kamcmd -s "unix:$WORK/kamailio.ctl" ul.dump 2>/dev/null || true; }
status() { cli --json connection status; }
# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}
reg_state() { # reg_state USER STATE
	status | json "process.exit(o.registrations.some(r => r.user === '$1' && r.state === '$2') ? 0 : 1)"
}
conn_state() { # conn_state NAME STATE
	status | json "process.exit(o.connections.some(c => c.name === '$1' && c.state === '$2') ? 0 : 1)"
}
in_location() { ul | grep -q "AoR: 201"; }
not_in_location() { ! in_location; }

# nobody online: alice is not registered upstream
sleep 1
reg_state alice unregistered || fail "alice registered upstream while offline: $(status)"
in_location && fail "201 in Kamailio's location while alice is offline"

# bob (always, wrong password): 403 -> forbidden
wait_for 10 reg_state bob forbidden || fail "bob not forbidden: $(status)"
grep -q "ALARM \[connection office2\] bob: 403 Forbidden" "$WORK/gateway.log" ||
	fail "no alarm logged for bob's 403"
# the trunk answers OPTIONS: up
wait_for 10 conn_state trunk up || fail "trunk not up: $(status)"

# alice's device comes online: 201 registers upstream and refreshes
node "$TESTDIR/upreg_device.mjs" "$HTTPS_PORT" "$DUSER" "$DPW" 14 \
	>"$WORK/device.log" 2>&1 &
DEV_PID=$!
PIDS+=("$DEV_PID")
wait_for 10 in_location || fail "201 never appeared in Kamailio's location: $(status)"
wait_for 5 reg_state alice registered || fail "alice not registered: $(status)"
status | json "const r=o.registrations.find(r => r.user === 'alice');
	process.exit(r.pbx_user === '201' && r.last_code === 200 && r.expires_in <= 10 ? 0 : 1)" ||
	fail "alice's status: $(status)"
ul | grep -q "sip:[A-Za-z0-9]\{16\}@127.0.0.1:$SIP_PORT" ||
	fail "the upstream contact is not a token at the gateway: $(ul | grep -i address)"
# Kamailio grants 10 s: a refresh (a second 200) comes before 10 s
wait_for 12 bash -c "[ \$(grep -c 'alice registered as 201' '$WORK/gateway.log') -ge 2 ]" ||
	fail "no refresh of alice's registration"
# the device goes: 201 leaves the location table
wait "$DEV_PID" || fail "device: $(cat "$WORK/device.log")"
wait_for 10 not_in_location || fail "201 still in Kamailio's location after the device left"
wait_for 5 reg_state alice unregistered || fail "alice still registered: $(status)"

# the inbound PBX registers with the generated credential: 200 (a small
# UDP client: sipp cannot pick the MD5 challenge out of the two)
node "$TESTDIR/inbound_reg.mjs" 127.0.0.1 "$SIP_PORT" "$IUSER" "$IPW" \
	>"$WORK/inbound.log" 2>&1 ||
	fail "inbound REGISTER with the generated credential: $(cat "$WORK/inbound.log")"
wait_for 5 conn_state pbxin up || fail "inbound connection not up: $(status)"

# the trunk peer stops: down at the next OPTIONS (ICMP port unreachable)
kill "$SIPP_PID"
wait "$SIPP_PID" 2>/dev/null || true
wait_for 45 conn_state trunk down || fail "trunk not down after sipp stopped: $(status)"

# carol (always, nobody listening on that UDP port: the ICMP port
# unreachable fails each REGISTER at once with 503, RFC 3261 §18.4, not
# with 408 after Timer F): back-off between attempts
carol_retrying() {
	status | json "const r=o.registrations.find(r => r.user === 'carol');
		process.exit(r.last_code === 503 && /^(backoff|registering)\$/.test(r.state) ? 0 : 1)"
}
wait_for 10 carol_retrying || fail "carol not retrying: $(status)"
grep -q "\[connection dead\] carol: registration failed (503, Connection refused); retrying in" \
	"$WORK/gateway.log" || fail "carol's back-off not logged"

cli connection status >"$WORK/status.txt" || fail "connection status"
grep -q "forbidden" "$WORK/status.txt" || fail "text status: $(cat "$WORK/status.txt")"

# dave (always, right password) is registered upstream; a clean shutdown
# removes that registration (REGISTER Expires: 0), the next start restores it
aor() { ul | grep -q "AoR: $1\$"; }
no_aor() { ! aor "$1"; }
wait_for 10 aor 204 || fail "204 (dave, register = always) not in Kamailio's location: $(status)"
stop_gateway
wait_for 5 no_aor 204 || fail "204 still in Kamailio's location after the gateway stopped"
mv "$WORK/gateway.log" "$WORK/gateway-1.log"
start_gateway
wait_for 10 aor 204 || fail "204 not registered again after the gateway started: $(status)"
wait_for 10 reg_state dave registered || fail "dave's status after the restart: $(status)"
stop_gateway

# the PBX password never appears in the gateway's debug log or the store
# files (sealed), nor does the inbound PBX's password
for f in "$WORK/gateway-1.log" "$WORK/gateway.log" "$WORK"/sipcloak.db*; do
	[ -f "$f" ] || continue
	! grep -aqF "pbx-201-ok" "$f" || fail "alice's PBX password in $(basename "$f")"
	! grep -aqF "$IPW" "$f" || fail "the inbound password in $(basename "$f")"
done
echo "upreg: ok"
