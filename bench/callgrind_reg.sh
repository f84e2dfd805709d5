#!/usr/bin/env bash
# callgrind_reg.sh BUILD NAME CONNS challenge|reuse SECONDS: instructions per
# REGISTER of `sipcloak serve` (BENCHMARKS.md, REGISTER). The server runs under
# callgrind with instrumentation off; a 2 s wsload warm-up (connections, first
# challenge, HA1 cache) runs first, then instrumentation is on for one wsload run
# of SECONDS. Prints the Ir and Ir per REGISTER answered 200. Loopback only; uses
# the device store of run_reg.sh (REG_STORE), output in /tmp/regcg-NAME.
set -euo pipefail
BUILD=$1; NAME=$2; CONNS=$3; VAR=$4; SECS=$5
T=/tmp/regcg-$NAME; rm -rf $T; mkdir -p $T
STORE=${REG_STORE:-/dev/shm/sipcloak-regbench-store}
PORT=$((20000 + RANDOM % 20000))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -keyout $T/key.pem -out $T/cert.pem 2>/dev/null
cat > $T/sc.ini <<INI
[server]
public_address = 127.0.0.1
control_socket = $T/sc.sock
[https]
listen = 127.0.0.1:$PORT
cert = $T/cert.pem
key = $T/key.pem
max_connections_per_ip = 20000
[sip]
domain = sipcloak.test
[store]
path = $STORE/sipcloak.db
master_key = $STORE/master.key
[log]
level = warn
INI
sed -n 's/.*"sip_username":"\([^"]*\)","password":"\([^"]*\)".*/\1 \2/p' $STORE/devices.jsonl > $T/creds.all; head -n 1000 $T/creds.all > $T/creds
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$T/cg.out \
  $BUILD/sipcloak serve -c $T/sc.ini > $T/server.log 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null || true' EXIT
for i in $(seq 1 300); do ss -ltn | grep -q ":$PORT " && break; sleep 0.2; done
extra=(); [ "$VAR" = reuse ] && extra=(--reuse-nonce)
# warm-up (connections, first challenge, cache fill) without collection
$BUILD/bench/wsload --url wss://127.0.0.1:$PORT/ws --insecure --mode register --cred-file $T/creds \
  --users $CONNS --connections $CONNS --seconds 2 --domain sipcloak.test "${extra[@]}" > $T/warm.out 2>&1 || true
callgrind_control -i on $SP >/dev/null
$BUILD/bench/wsload --url wss://127.0.0.1:$PORT/ws --insecure --mode register --cred-file $T/creds \
  --users $CONNS --connections $CONNS --seconds $SECS --domain sipcloak.test "${extra[@]}" > $T/run.out 2>$T/run.err || true
callgrind_control -i off $SP >/dev/null
kill $SP; wait $SP || true
ir=$(callgrind_annotate $T/cg.out 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
ok=$(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' $T/run.out)
echo "run: $(cat $T/run.out)"
echo "$NAME conns=$CONNS $VAR Ir=$ir registers=$ok Ir/REGISTER=$((ir / ok))"
echo "per function: callgrind_annotate --inclusive=yes $T/cg.out"
