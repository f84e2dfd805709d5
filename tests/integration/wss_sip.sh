#!/usr/bin/env bash
# wss_sip.sh SIPCLOAK: runs wss_sip.mjs (Node + ws) against a fresh gateway.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
[ -d "$TESTDIR/node_modules/ws" ] || fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
start_gateway
node "$TESTDIR/wss_sip.mjs" "$HTTPS_PORT"
stop_gateway
