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
PORT=$((20000 + RANDOM % 20000))
[ -s "$STORE/devices.jsonl" ] || { echo "no devices in $STORE: run bench/run_reg.sh once" >&2; exit 1; }
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
sed -n 's/.*"sip_username":"\([^"]*\)","password":"\([^"]*\)".*/\1 \2/p' $STORE/devices.jsonl | head -n $DEVS > $T/creds
ulimit -n "$(ulimit -Hn)"
if [ "$HT" = heaptrack ]; then
	heaptrack -o $T/ht $BUILD/sipcloak serve -c $T/sc.ini > $T/server.log 2>&1 &
else
	$BUILD/sipcloak serve -c $T/sc.ini > $T/server.log 2>&1 &
fi
SP=$!
trap 'kill $SP 2>/dev/null || true' EXIT
for i in $(seq 1 100); do ss -ltn | grep -q ":$PORT " && break; sleep 0.2; done
sleep 1
P=$(pgrep -n -f "$BUILD/sipcloak serve -c $T/sc.ini")
pss() { awk '/^Pss:/ {print $2}' /proc/$P/smaps_rollup; }
idle=$(pss)
$BUILD/bench/wsload --url wss://127.0.0.1:$PORT/ws --insecure --mode register --cred-file $T/creds \
  --users $DEVS --connections $CONNS --seconds $SECS --domain sipcloak.test --ramp-seconds 25 \
  > $T/wl.out 2> $T/wl.err &
WP=$!
while kill -0 $WP 2>/dev/null && ! grep -q "phase run" $T/wl.err; do sleep 0.05; done
open=$(pss)
wait $WP || true
reg=$(pss)
kill $SP; wait $SP 2>/dev/null || true
echo "idle_kib=$idle open_kib=$open registered_kib=$reg $(grep -o 'registered=[0-9]*' $T/wl.out)" \
  "kib_per_device=$(awk -v a=$reg -v b=$open -v d=$DEVS 'BEGIN { printf "%.2f", (a - b) / d }')"
if [ "$HT" = heaptrack ]; then
	heaptrack_print -f $T/ht.zst --print-peaks 1 --print-allocators 0 --print-temporary 0 \
	  --print-leaks 0 --print-histogram 0 --peak-limit 40 2>/dev/null > $T/peaks.txt || true
	echo "allocation sites alive at the peak: $T/peaks.txt"
fi
