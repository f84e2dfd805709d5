#!/usr/bin/env bash
# run_call.sh: the calls benchmark behind `make bench` (run.sh calls it at
# its end): devices over WSS (bench/wsload --mode call) place calls through
# sipcloak to sipp as the PBX (UAS, UDP): INVITE with a WebRTC offer, 401,
# INVITE with digest (RFC 3261 22.2), 200, ACK, BYE, 200, closed loop per
# connection. sipcloak rewrites the SDP and allocates relay ports per call.
# Prints calls per second, p50/p99 setup latency (first INVITE sent to 200
# received, 401 round included) and CPU per call of sipcloak and of sipp
# (to show sipp is not the bottleneck) per size; writes bench/results/calls.txt.
# Same run, same sipp: Kamailio 5.6 (bench/kamailio/call.cfg: digest auth of
# the INVITE, rtpengine_offer/answer/delete, tm) behind HAProxy for TLS, with
# rtpengine-daemon in userspace (--table=-1); its CPU is kamailio + haproxy +
# rtpengine. The two systems alternate per size and repetition.
#
# Devices: the REGISTER benchmark's store (run_reg.sh creates it once; its
# devices.jsonl holds the passwords) is copied, so CALL_USERS devices must
# exist there; when they do not, the script says so and stops.
#
# Kamailio's devices: users u0.. with passwords "bench-" USER (as reg.cfg).
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
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
RTPENGINE=${RTPENGINE:-/usr/bin/rtpengine}
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

ticks() { # pid,pid,...: utime+stime summed (all threads)
	local p t=0 v
	for p in ${1//,/ }; do
		v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# Kamailio (plain ws) + HAProxy (wss) + rtpengine; sets KAM_URL, KAM_PIDS.
start_kamailio() { # pbx_port
	local ws udp ng wss rt=$TMP/kamailio-run
	ws=$(free_port)
	udp=$(free_port)
	ng=$(free_port)
	wss=$(free_port)
	mkdir -p "$rt"
	"$RTPENGINE" --table=-1 --interface=127.0.0.1 --listen-ng="127.0.0.1:$ng" \
		--foreground --log-stderr --log-level=3 --port-min=45000 \
		--port-max=49999 --pidfile="$rt/rtpengine.pid" >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	local rtpe=$!
	sed -e "s|@DIR@|$TMP|g; s|@PORT@|$ws|g; s|@UDP_PORT@|$udp|g" \
		-e "s|@BACKEND_PORT@|$ng|g; s|@PBX_PORT@|$1|g" \
		bench/kamailio/call.cfg >"$TMP/kamailio.cfg"
	"$KAMAILIO" -f "$TMP/kamailio.cfg" -DD -E -P "$rt/kamailio.pid" -Y "$rt" \
		-w "$rt" -m 512 -M 16 >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	local kam=$!
	wait_listen "$ws" "$kam" || return 1
	fill bench/haproxy/wss.cfg "$wss" "$ws" >"$TMP/haproxy.cfg"
	"$HAPROXY" -db -f "$TMP/haproxy.cfg" >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	local hap=$!
	wait_listen "$wss" "$hap" || return 1
	KAM_URL="wss://127.0.0.1:$wss/ws"
	KAM_PIDS=$(tree "$kam" "$hap" "$rtpe")
}

# One measurement: system url creds pids size run; appends a row.
measure() {
	local sys=$1 url=$2 creds=$3 pids=$4 s=$5 r=$6 c0 p0 c1 p1 ok line
	c0=$(ticks "$pids")
	p0=$(ticks "$SIPP_PID")
	line=$("$WSLOAD" --url "$url" --mode call \
		--cred-file "$creds" --users "$s" --connections "$s" \
		--seconds "$RUN_SECONDS" --domain "$DOMAIN" --target "$TARGET" \
		--ramp-seconds "$RAMP_SECONDS" --insecure 2>>"$LOG" | tail -1) || true
	c1=$(ticks "$pids")
	p1=$(ticks "$SIPP_PID")
	ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
	ok=${ok:-0}
	awk -v sys="$sys" -v s="$s" -v r="$r" -v ok="$ok" -v secs="$RUN_SECONDS" \
		-v sc=$((c1 - c0)) -v sp=$((p1 - p0)) -v hz="$HZ" -v l="$line" '
	function f(k,  m) { m = l; if (!sub(".* " k "=", "", m)) return 0; sub(/ .*/, "", m); return m }
	BEGIN {
		printf "%-8s %-5s %-3s %8d %8.0f %8.2f %8.2f %7d %11.3f %11.3f\n",
			sys, s, r, ok, ok / secs, f("p50_us") / 1000, f("p99_us") / 1000,
			f("errors"), ok ? sc * 1000 / hz / ok : 0, ok ? sp * 1000 / hz / ok : 0
	}' >>"$TMP/calls.txt"
	echo "# $sys $s/$r: $line" >>"$TMP/raw.txt"
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
	local max=0 s https udp pbx sc_pid r
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
	HZ=$(getconf CLK_TCK)
	https=$(free_port)
	udp=$(free_port)
	pbx=$(free_port)
	sipcloak_ini "$https" "$udp" "$pbx"
	"$SIPP" -sn uas -i 127.0.0.1 -p "$pbx" -t u1 -max_socket "$SIPP_MAX_SOCKET" \
		-nostdin -nd >/dev/null 2>>"$LOG" </dev/null &
	SIPP_PID=$!
	SRV_PIDS+=("$SIPP_PID")
	sleep 0.5
	kill -0 "$SIPP_PID" 2>/dev/null || { log "sipp did not start"; exit 1; }
	"$SIPCLOAK" serve -c "$TMP/sipcloak.ini" >>"$LOG" 2>&1 &
	sc_pid=$!
	SRV_PIDS+=("$sc_pid")
	wait_listen "$https" "$sc_pid" || { log "sipcloak did not start"; exit 1; }
	awk 'BEGIN { for (i = 0; i < '"$max"'; i++) printf "u%d bench-u%d\n", i, i }' \
		>"$TMP/creds-kamailio"
	start_kamailio "$pbx" || { log "kamailio/haproxy/rtpengine did not start"; exit 1; }
	{
		echo "# bench/run_call.sh: calls, WSS devices -> gateway -> sipp (UAS, UDP); INVITE 401 INVITE 200 ACK BYE 200"
		echo "# $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); ${RUN_SECONDS}s per run"
		echo "# kamailio = kamailio 5.6 + haproxy (TLS) + rtpengine; cpu in ms per completed call"
		printf '%-8s %-5s %-3s %8s %8s %8s %8s %7s %11s %11s\n' system conns run calls cps p50_ms p99_ms errors cpu_ms/call sipp_ms/call
	} >"$TMP/calls.txt"
	for s in $SIZES; do
		for ((r = 1; r <= REPEAT; r++)); do
			measure sipcloak "wss://127.0.0.1:$https/ws" "$TMP/creds" "$sc_pid" "$s" "$r"
			measure kamailio "$KAM_URL" "$TMP/creds-kamailio" "$KAM_PIDS" "$s" "$r"
		done
	done
	# Ratios of the medians over the repetitions, per size.
	awk '/^(sipcloak|kamailio) / { k = $1 " " $2; cps[k] = cps[k] " " $5; p99[k] = p99[k] " " $7; cpu[k] = cpu[k] " " $9; sizes[$2] = 1 }
	function med(str,  a, n, i, j, t) { n = split(str, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t } return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	END {
		print "# medians: conns  cps sipcloak/kamailio  p99_ms sipcloak/kamailio  cpu_ms/call sipcloak/kamailio  cps ratio"
		for (s in sizes) {
			a = med(cps["sipcloak " s]); b = med(cps["kamailio " s])
			printf "# %5s  %6.0f/%-6.0f  %8.2f/%-8.2f  %6.3f/%-6.3f  %.2fx\n", s, a, b,
				med(p99["sipcloak " s]), med(p99["kamailio " s]),
				med(cpu["sipcloak " s]), med(cpu["kamailio " s]), b ? a / b : 0
		}
	}' "$TMP/calls.txt" >>"$TMP/calls.txt"
	cat "$TMP/raw.txt" >>"$TMP/calls.txt"
	mkdir -p "$(dirname "$OUT")"
	cp "$TMP/calls.txt" "$OUT"
	cat "$OUT"
}

main "$@"
