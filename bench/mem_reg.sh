#!/usr/bin/env bash
# mem_reg.sh BUILD [heaptrack]: what one registered device costs sipcloak
# (BENCHMARKS.md, REGISTER, memory): `sipcloak serve` alone, 1,000 wsload
# connections registering the first 10,000 devices of run_reg.sh's store
# (REG_STORE) for 12 s; PSS idle, with all connections open, and with all
# devices registered, and KiB/device = (registered - open) / 10,000, as
# run_reg.sh's memory test. With "heaptrack" the server runs under heaptrack
# and the allocation sites alive at the peak are printed (what grows per
# device, one by one). Loopback only; output in /tmp/regmem-PID.
set -euo pipefail
BUILD=$1; HT=${2:-}
STORE=${REG_STORE:-/dev/shm/sipcloak-regbench-store}
CONNS=1000; DEVS=10000; SECS=12
T=/tmp/regmem-$$; mkdir -p $T
# lib.sh's variables: its make_cert writes into TMP (here the output dir)
TMP=$T SRV_PIDS=() SRV_TREE= LOG= WL_PID=
STOP_TIMEOUT_TENTHS=50 START_TIMEOUT_TENTHS=300
log() { echo "memreg: $*" >&2; }
source "$(dirname "$0")/lib.sh"
trap stop_servers EXIT # keep $T (heaptrack's output)
[ -s "$STORE/devices.jsonl" ] || { echo "no devices in $STORE: run bench/run_reg.sh once" >&2; exit 1; }
PORT=$(free_port)
make_cert
sipcloak_reg_ini "$PORT" "$STORE" "$T/sc.sock" >$T/sc.ini
reg_creds "$STORE" "$DEVS" >$T/creds
ulimit -n "$(ulimit -Hn)"
if [ "$HT" = heaptrack ]; then
	heaptrack -o $T/ht $BUILD/sipcloak serve -c $T/sc.ini > $T/server.log 2>&1 &
else
	$BUILD/sipcloak serve -c $T/sc.ini > $T/server.log 2>&1 &
fi
SP=$!
SRV_PIDS+=($SP)
wait_listen "$PORT" $SP || { echo "the server did not listen: $T/server.log" >&2; exit 1; }
sleep 1
P=$(pgrep -n -f "$BUILD/sipcloak serve -c $T/sc.ini")
idle=$(pss "$P")
$BUILD/bench/wsload --url wss://127.0.0.1:$PORT/ws --insecure --mode register --cred-file $T/creds \
  --users $DEVS --connections $CONNS --seconds $SECS --domain sipcloak.test --ramp-seconds 25 \
  > $T/wl.out 2> $T/wl.err &
WP=$!
while kill -0 $WP 2>/dev/null && ! grep -q "phase run" $T/wl.err; do sleep 0.05; done
open=$(pss "$P")
wait $WP || true
reg=$(pss "$P")
stop_servers
echo "idle_kib=$idle open_kib=$open registered_kib=$reg $(grep -o 'registered=[0-9]*' $T/wl.out)" \
  "kib_per_device=$(awk -v a=$reg -v b=$open -v d=$DEVS 'BEGIN { printf "%.2f", (a - b) / d }')"
if [ "$HT" = heaptrack ]; then
	heaptrack_print -f $T/ht.zst --print-peaks 1 --print-allocators 0 --print-temporary 0 \
	  --print-leaks 0 --print-histogram 0 --peak-limit 40 2>/dev/null > $T/peaks.txt || true
	echo "allocation sites alive at the peak: $T/peaks.txt"
fi
