#!/usr/bin/env bash
# run_call.sh: the calls benchmark behind `make bench` (run.sh calls it at
# its end): devices over WSS (bench/wsload --mode call) place calls through
# sipcloak to sipp as the PBX (UAS, UDP): INVITE with a WebRTC offer, 401,
# INVITE with digest (RFC 3261 22.2), 200, ACK, BYE, 200, closed loop per
# connection. sipcloak rewrites the SDP and allocates relay ports per call.
# Prints calls per second, p50/p99 setup latency (first INVITE sent to 200
# received, 401 round included) and CPU per call of sipcloak and of sipp
# (to show sipp is not the bottleneck) per size; writes bench/results/calls.txt.
#
# Devices: the REGISTER benchmark's store (run_reg.sh creates it once; its
# devices.jsonl holds the passwords) is copied, so CALL_USERS devices must
# exist there; when they do not, the script says so and stops.
#
# Not yet: the Kamailio + rtpengine anchor of issue 5 (see BENCHMARKS.md).
#
# Environment: BUILD (build), CALL_SECONDS (5), CALL_SIZES ("10 50 200"),
# CALL_REPEAT (2), CALL_OUT (bench/results/calls.txt), REG_STORE.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
RUN_SECONDS=${CALL_SECONDS:-5}
SIZES=${CALL_SIZES:-"10 50 200"}
REPEAT=${CALL_REPEAT:-2}
OUT=${CALL_OUT:-bench/results/calls.txt}
STORE=${REG_STORE:-/dev/shm/sipcloak-regbench-store}
WSLOAD=$BUILD/bench/wsload
SIPCLOAK=$BUILD/sipcloak
SIPP=${SIPP:-/usr/bin/sipp}
DOMAIN=sipcloak.test
TARGET=9100              # matches the trunk's dial pattern
RAMP_SECONDS=20
START_TIMEOUT_TENTHS=100
STOP_TIMEOUT_TENTHS=50
SIPP_MAX_SOCKET=1024

TMP=$(mktemp -d /tmp/sipcloak-callbench.XXXXXX)
SRV_PIDS=()
SRV_TREE=
LOG=$TMP/servers.log
WL_PID=

log() { echo "callbench: $*" >&2; }

source "$(dirname "$0")/lib.sh"

ticks() { # pid: utime+stime of the process (all threads)
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

sipcloak_ini() { # https_port sip_udp_port pbx_port
	cat >"$TMP/sipcloak.ini" <<INI
; Written by bench/run_call.sh. Every key: docs/config.md.
[server]
public_address = 127.0.0.1
control_socket = $TMP/sipcloak.sock
[https]
listen = 127.0.0.1:$1
cert = $TMP/cert.pem
key = $TMP/key.pem
max_connections_per_ip = 20000
[sip]
domain = $DOMAIN
udp = 127.0.0.1:$2
[store]
path = $TMP/sipcloak.db
master_key = $TMP/master.key
[media]
ports = 20000-29999
[log]
level = warn
[connection pbx]
type = trunk
host = 127.0.0.1
port = $3
options_interval = 0
dial_patterns = ^9[0-9]+$ 10
codecs = pcmu, pcma
INI
}

main() {
	local max=0 s hz https udp pbx sc_pid sipp_pid line r
	for s in $SIZES; do [ "$s" -gt "$max" ] && max=$s; done
	if [ ! -f "$STORE/devices.jsonl" ] ||
		[ "$(wc -l <"$STORE/devices.jsonl")" -lt "$max" ]; then
		log "need $max devices in $STORE/devices.jsonl: run bench/run_reg.sh first"
		exit 1
	fi
	chmod 700 "$TMP"
	cp "$STORE/master.key" "$STORE/sipcloak.db" "$TMP/"
	head -n "$max" "$STORE/devices.jsonl" |
		sed -n 's/.*"sip_username":"\([^"]*\)","password":"\([^"]*\)".*/\1 \2/p' \
			>"$TMP/creds"
	make_cert
	hz=$(getconf CLK_TCK)
	https=$(free_port)
	udp=$(free_port)
	pbx=$(free_port)
	sipcloak_ini "$https" "$udp" "$pbx"
	"$SIPP" -sn uas -i 127.0.0.1 -p "$pbx" -t u1 -max_socket "$SIPP_MAX_SOCKET" \
		-nostdin -nd >/dev/null 2>>"$LOG" </dev/null &
	sipp_pid=$!
	SRV_PIDS+=("$sipp_pid")
	sleep 0.5
	kill -0 "$sipp_pid" 2>/dev/null || { log "sipp did not start"; exit 1; }
	"$SIPCLOAK" serve -c "$TMP/sipcloak.ini" >>"$LOG" 2>&1 &
	sc_pid=$!
	SRV_PIDS+=("$sc_pid")
	wait_listen "$https" "$sc_pid" || { log "sipcloak did not start"; exit 1; }
	{
		echo "# bench/run_call.sh: calls through the gateway, WSS devices -> sipcloak -> sipp (UAS, UDP)"
		echo "# $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); ${RUN_SECONDS}s per run"
		printf '%-5s %-3s %8s %8s %8s %8s %7s %11s %11s\n' conns run calls cps p50_ms p99_ms errors sc_ms/call sipp_ms/call
	} >"$TMP/calls.txt"
	for s in $SIZES; do
		for ((r = 1; r <= REPEAT; r++)); do
			local c0 p0 c1 p1 ok
			c0=$(ticks "$sc_pid")
			p0=$(ticks "$sipp_pid")
			line=$("$WSLOAD" --url "wss://127.0.0.1:$https/ws" --mode call \
				--cred-file "$TMP/creds" --users "$s" --connections "$s" \
				--seconds "$RUN_SECONDS" --domain "$DOMAIN" --target "$TARGET" \
				--ramp-seconds "$RAMP_SECONDS" --insecure 2>>"$LOG" | tail -1) || true
			c1=$(ticks "$sc_pid")
			p1=$(ticks "$sipp_pid")
			ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
			ok=${ok:-0}
			awk -v s="$s" -v r="$r" -v ok="$ok" -v secs="$RUN_SECONDS" \
				-v sc=$((c1 - c0)) -v sp=$((p1 - p0)) -v hz="$hz" -v l="$line" '
			function f(k,  m) { m = l; if (!sub(".* " k "=", "", m)) return 0; sub(/ .*/, "", m); return m }
			BEGIN {
				printf "%-5s %-3s %8d %8.0f %8.2f %8.2f %7d %11.3f %11.3f\n",
					s, r, ok, ok / secs, f("p50_us") / 1000, f("p99_us") / 1000,
					f("errors"), ok ? sc * 1000 / hz / ok : 0, ok ? sp * 1000 / hz / ok : 0
			}' >>"$TMP/calls.txt"
			echo "# $s/$r: $line" >>"$TMP/raw.txt"
		done
	done
	cat "$TMP/raw.txt" >>"$TMP/calls.txt"
	mkdir -p "$(dirname "$OUT")"
	cp "$TMP/calls.txt" "$OUT"
	cat "$OUT"
}

main "$@"
