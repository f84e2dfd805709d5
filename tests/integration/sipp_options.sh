#!/usr/bin/env bash
# sipp_options.sh SIPCLOAK: sipp sends OPTIONS to the gateway over UDP and
# over TCP; every one must get a 200 with an Allow header listing OPTIONS.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"

command -v sipp >/dev/null || fail "sipp is not installed (scripts/deps.sh test installs it)"
start_gateway

for t in u1 t1; do
	sipp 127.0.0.1:"$SIP_PORT" -sf "$TESTDIR/sipp/options.xml" -t "$t" \
		-i 127.0.0.1 -p "$(free_port)" -m 20 -r 50 -timeout 20s \
		-timeout_error -nostdin -nd >"$WORK/sipp-$t.log" 2>&1 ||
		fail "sipp over $t: not every OPTIONS got a 200 (exit $?)"
	echo "sipp over $t: 20 OPTIONS, 20 x 200 OK"
done
stop_gateway
echo "1 passed, 0 failed"
