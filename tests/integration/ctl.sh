#!/usr/bin/env bash
# ctl.sh SIPCLOAK: the control socket through the real binary (ctl.mjs with
# JsSIP); before the server starts and after it stops, the CLI says it is
# not running; the socket is 0600 while it runs and gone after.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
[ -d "$TESTDIR/node_modules/jssip" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
EXTRA_CONF='[auth]
max_failures = 3
ban_time = 60'
write_config
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
sock=$WORK/sipcloak.sock

cli user add alice >/dev/null || fail "user add"
devices='{'
for d in dev1 dev2 spare; do
	out=$(cli --json device add alice --label "$d") || fail "device add $d"
	devices+="\"$d\":$(node -e 'const j=JSON.parse(process.argv[1]);
		console.log(JSON.stringify({id:j.device,user:j.sip_username,password:j.password}))' "$out"),"
done
# bob's device is revoked by a CLI that cannot reach the server (its config
# names another socket): the server must notice by itself within 1 s
cli user add bob >/dev/null || fail "user add bob"
out=$(cli --json device add bob --label lost) || fail "device add lost"
devices+="\"lost\":$(node -e 'const j=JSON.parse(process.argv[1]);
	console.log(JSON.stringify({id:j.device,user:j.sip_username,password:j.password}))' "$out"),"
sed "s|^control_socket = .*|control_socket = $WORK/nowhere.sock|" "$WORK/sipcloak.ini" >"$WORK/blind.ini"
export CTL_DEVICES="${devices%,}}" CTL_CLI=$SIPCLOAK CTL_CONFIG=$WORK/sipcloak.ini
export CTL_BLIND_CONFIG=$WORK/blind.ini

# no server yet: nothing to end, online unknown, bans need the server
out=$(cli device revoke 3) || fail "revoke without a server"
[ "$out" = $'device 3 revoked\nserver not running: nothing to end' ] ||
	fail "revoke without a server: $out"
out=$(cli device list alice) || fail "device list without a server"
grep -q "server not running: online state unknown" <<<"$out" || fail "device list: $out"
[ "$(cli --json device list alice | node -e 'const o=JSON.parse(require("fs").readFileSync(0));
	console.log(o.every((d) => d.online === null))')" = true ] || fail "online not null"
rc=0; cli ban list >/dev/null 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] && grep -q "server not running" "$WORK/err" || fail "ban list without a server: $rc"

start_gateway
[ -S "$sock" ] && [ "$(stat -c %a "$sock")" = 600 ] || fail "control socket missing or not 0600"
node "$TESTDIR/ctl.mjs" "$HTTPS_PORT"
stop_gateway
[ ! -e "$sock" ] || fail "control socket left behind"
rc=0; cli ban clear 127.0.0.1 >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "ban clear without a server: $rc"

# a stale socket (a crashed server) is replaced; a non-socket refused
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
[ -S "$sock" ] || fail "no stale socket made"
start_gateway
[ "$(cli --json ban list)" = "[]" ] || fail "ban list over the replaced socket"
stop_gateway
: >"$sock"
rc=0; "$SIPCLOAK" serve -c "$WORK/sipcloak.ini" >"$WORK/refused.log" 2>&1 || rc=$?
[ $rc -ne 0 ] && grep -q "exists and is not a socket" "$WORK/refused.log" ||
	fail "serve over a regular file: exit $rc, $(cat "$WORK/refused.log")"
echo "ctl: ok"
