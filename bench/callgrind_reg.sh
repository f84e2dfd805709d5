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
# lib.sh's variables: its make_cert writes into TMP (here the output dir)
TMP=$T SRV_PIDS=() SRV_TREE= LOG= WL_PID=
STOP_TIMEOUT_TENTHS=100 START_TIMEOUT_TENTHS=600
log() { echo "regcg: $*" >&2; }
source "$(dirname "$0")/lib.sh"
trap stop_servers EXIT # keep $T (callgrind's output)
PORT=$(free_port)
make_cert
sipcloak_reg_ini "$PORT" "$STORE" "$T/sc.sock" >$T/sc.ini
reg_creds "$STORE" 1000 >$T/creds
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$T/cg.out \
  $BUILD/sipcloak serve -c $T/sc.ini > $T/server.log 2>&1 &
SP=$!
SRV_PIDS+=($SP)
wait_listen "$PORT" $SP || { echo "the server did not listen: $T/server.log" >&2; exit 1; }
extra=(); [ "$VAR" = reuse ] && extra=(--reuse-nonce)
# warm-up (connections, first challenge, cache fill) without collection
$BUILD/bench/wsload --url wss://127.0.0.1:$PORT/ws --insecure --mode register --cred-file $T/creds \
  --users $CONNS --connections $CONNS --seconds 2 --domain sipcloak.test "${extra[@]}" > $T/warm.out 2>&1 || true
callgrind_control -i on $SP >/dev/null
$BUILD/bench/wsload --url wss://127.0.0.1:$PORT/ws --insecure --mode register --cred-file $T/creds \
  --users $CONNS --connections $CONNS --seconds $SECS --domain sipcloak.test "${extra[@]}" > $T/run.out 2>$T/run.err || true
callgrind_control -i off $SP >/dev/null
stop_servers # SIGTERM: callgrind writes its output
ir=$(callgrind_annotate $T/cg.out 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
ok=$(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' $T/run.out)
echo "run: $(cat $T/run.out)"
echo "$NAME conns=$CONNS $VAR Ir=$ir registers=$ok Ir/REGISTER=$((ir / ok))"
echo "per function: callgrind_annotate --inclusive=yes $T/cg.out"
