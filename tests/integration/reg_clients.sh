#!/usr/bin/env bash
# reg_clients.sh SIPCLOAK: JsSIP and SIP.js register over WSS with devices
# created through the CLI (reg_clients.mjs): digest, 403s, revocation, bans
# (shortened to 3 s by the config); then the gateway's log must show that
# closing the WebSockets removed the bindings.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
[ -d "$TESTDIR/node_modules/jssip" ] && [ -d "$TESTDIR/node_modules/sip.js" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
EXTRA_CONF='[auth]
ban_time = 3'
LOG_LEVEL=debug
write_config
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }

cli user add alice --display "Alice Example" >/dev/null || fail "user add"
devices='{'
for d in dev1 dev2 dev3 revoked; do
	out=$(cli --json device add alice --label "$d") || fail "device add $d"
	user=$(node -e 'const j=JSON.parse(process.argv[1]); console.log(j.sip_username)' "$out")
	pw=$(node -e 'const j=JSON.parse(process.argv[1]); console.log(j.password)' "$out")
	id=$(node -e 'const j=JSON.parse(process.argv[1]); console.log(j.device)' "$out")
	devices+="\"$d\":{\"user\":\"$user\",\"password\":\"$pw\"},"
	[ "$d" = revoked ] && { cli device revoke "$id" >/dev/null || fail "device revoke"; }
done
export REG_DEVICES="${devices%,}}"
cli user add bob >/dev/null || fail "user add bob"
REG_BULK=$(cli --json device add bob --count 3 --label bulk) || fail "device add --count"
export REG_BULK

start_gateway
node "$TESTDIR/reg_clients.mjs" "$HTTPS_PORT"
grep -q "WSS flow from .* closed .*: its registrations removed" "$WORK/gateway.log" ||
	fail "the log shows no binding removed when the WebSockets closed"
stop_gateway

# No device password may appear in the gateway's debug log or on disk
# (the store keeps sealed HA1s only).
for pw in $(node -e 'for (const d of Object.values(JSON.parse(process.env.REG_DEVICES))) console.log(d.password)
	for (const d of JSON.parse(process.env.REG_BULK)) console.log(d.password)'); do
	for f in "$WORK/gateway.log" "$WORK"/sipcloak.db*; do
		[ -f "$f" ] || continue
		! grep -qF "$pw" "$f" || fail "a device password appears in $(basename "$f")"
	done
done
echo "secret scan: no device password in the log or the store files"
