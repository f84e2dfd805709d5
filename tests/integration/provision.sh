#!/usr/bin/env bash
# provision.sh SIPCLOAK: a one-time provisioning link end to end through the
# real program: key init, user add and device link on the command line,
# then Node's fetch (provision.mjs) against `serve`: the page, its script,
# the redeem exactly once, 410, 404 and the rate limit.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"

HTTPS_PORT=$(free_port)
SIP_PORT=$(free_port)
make_cert "$WORK"
INI="$WORK/sipcloak.ini"
cat >"$INI" <<INI
[server]
public_address = 127.0.0.1
control_socket = $WORK/sipcloak.sock
[https]
listen = 127.0.0.1:$HTTPS_PORT
cert = $WORK/cert.pem
key = $WORK/key.pem
[sip]
domain = sipcloak.test
udp = 127.0.0.1:$SIP_PORT
tcp = 127.0.0.1:$SIP_PORT
[store]
path = $WORK/sipcloak.db
master_key = $WORK/master.key
[log]
level = ${LOG_LEVEL:-info}
INI

sc() { "$SIPCLOAK" -c "$INI" "$@"; }

sc key init >/dev/null || fail "key init"
sc user add alice --extension 100 --display 'Alice "Al" Example' >/dev/null ||
	fail "user add"
LINK=$(sc --json device link alice --ttl 15m) || fail "device link"
URL=$(node -e 'console.log(JSON.parse(process.argv[1]).url)' "$LINK")
LINK2=$(sc --json device link alice --ttl 15m) || fail "device link (2)"
URL2=$(node -e 'console.log(JSON.parse(process.argv[1]).url)' "$LINK2")
case "$URL" in
"https://127.0.0.1:$HTTPS_PORT/p/"*) ;;
*) fail "unexpected link $URL" ;;
esac

"$SIPCLOAK" -c "$INI" serve >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=("$GATEWAY_PID")
for i in $(seq 1 100); do
	curl -skf "https://127.0.0.1:$HTTPS_PORT/healthz" >/dev/null 2>&1 && break
	kill -0 "$GATEWAY_PID" 2>/dev/null || fail "gateway exited at start"
	[ "$i" -lt 100 ] || fail "gateway did not answer /healthz within 10 s"
	sleep 0.1
done

NODE_EXTRA_CA_CERTS="$WORK/cert.pem" node "$TESTDIR/provision.mjs" \
	"$URL" "$URL2" "$HTTPS_PORT"
grep -q "provisioned from 127.0.0.1" "$WORK/gateway.log" ||
	fail "no log line for the redeem"
for u in "$URL" "$URL2"; do
	! grep -qF "${u##*/}" "$WORK/gateway.log" || fail "a token in the log"
done

kill -TERM "$GATEWAY_PID"
rc=0
wait "$GATEWAY_PID" || rc=$?
[ $rc -eq 0 ] || fail "gateway exited with $rc after SIGTERM"
echo "provision: OK"
