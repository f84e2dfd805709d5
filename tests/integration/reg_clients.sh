#!/usr/bin/env bash
# reg_clients.sh REG_HARNESS: JsSIP and SIP.js register through gw_reg
# (reg_clients.mjs) against the test build of the gateway (reg_harness.c);
# then checks in its log that closing the WebSockets removed the bindings.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
[ -d "$TESTDIR/node_modules/jssip" ] && [ -d "$TESTDIR/node_modules/sip.js" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
export REG_USERS="dev1:Xq3v9TzL0pWcB7sN2mKe4RyH8uJd6fGa,dev2:a7Fh2Kq9Lm3Np5Rs8Tv1Wx4Yz6Bc0De2,dev3:Hb5Nc8Pd1Qf4Rg7Sh0Tj3Uk6Vl9Wm2Xn"
export REG_REVOKED=drevoked
export REG_BAN_PERIOD_MS=3000
start_gateway
node "$TESTDIR/reg_clients.mjs" "$HTTPS_PORT"
grep -q "flow closed" "$WORK/gateway.log" || fail "no flow close was seen"
stop_gateway
