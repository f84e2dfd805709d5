#!/usr/bin/env bash
# run.sh: the signalling benchmark behind `make bench`. SIP OPTIONS over WSS
# (RFC 7118) from bench/wsload against sipcloak and, in the same run, against
# Kamailio 5.6 (its own TLS; behind HAProxy terminating TLS; plain ws) at
# 1, 100 and 1000 connections. Samples each server's CPU and PSS from /proc,
# prints a table with ratios and writes it to bench/results/latest.txt; runs
# build/bench/bench_parse when it exists. Loopback only; every process it
# starts is stopped by pid on exit, even on failure.
#
# Servers: sipcloak (the gateway), frontdoor (bench/frontdoor.c: sipcloak's
# http front door and sip codec alone answering OPTIONS, the floor under the
# gateway's cost), kamailio-wss, kamailio-haproxy, kamailio-ws.
# Environment: BUILD (build), BENCH_SECONDS (10 per run), BENCH_SIZES
# ("1 100 1000"), BENCH_SERVERS (all five), BENCH_OUT
# (bench/results/latest.txt), BENCH_DEADLINE (480: no measurement starts
# later, in seconds from the start), BENCH_REGISTER (1: run bench/run_reg.sh
# at the end, the REGISTER benchmark), BENCH_RELAY (1: then
# bench/run_relay.sh, the media relay benchmark), BENCH_CALLS (1: then
# bench/run_call.sh, the calls benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
RUN_SECONDS=${BENCH_SECONDS:-10}
SIZES=${BENCH_SIZES:-"1 100 1000"}
SERVERS=${BENCH_SERVERS:-"sipcloak frontdoor kamailio-wss kamailio-haproxy kamailio-ws"}
OUT=${BENCH_OUT:-bench/results/latest.txt}
WSLOAD=$BUILD/bench/wsload
SIPCLOAK=$BUILD/sipcloak
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
RAMP_SECONDS=25          # wsload gives up opening connections after this
# No measurement starts after this many seconds: one takes at most about a
# minute (start 10 s, ramp 25 s, run, drain 2 s, stop 5 s), so the whole
# run stays under 10 minutes even when everything is slow.
DEADLINE=${BENCH_DEADLINE:-480}
START_TIMEOUT_TENTHS=100 # a server must listen within 10 s
STOP_TIMEOUT_TENTHS=50   # SIGTERM, then SIGKILL after 5 s
SAMPLE_SLEEP=0.2         # PSS sampling period

TMP=$(mktemp -d /tmp/sipcloak-bench.XXXXXX)
SRV_PIDS=() # roots of the server process trees we started
SRV_TREE=   # every pid of those trees, comma-separated, once they are up
LOG=        # the log file of the current measurement
WL_PID=

log() { echo "bench: $*" >&2; }

# shared helpers: stop_servers, free_port, tree_pids, pss_kib, fill, ...
source "$(dirname "$0")/lib.sh"

start_sipcloak() {
	local port=$1
	[ -x "$SIPCLOAK" ] || return 1
	cat >"$TMP/sipcloak.ini" <<INI
; Written by bench/run.sh. Every key: docs/config.md.
[server]
public_address = 127.0.0.1
control_socket = $TMP/sipcloak.sock
[https]
listen = 127.0.0.1:$port
cert = $TMP/cert.pem
key = $TMP/key.pem
; one client address opens all the benchmark connections
max_connections_per_ip = 20000
[sip]
domain = sipcloak.test
[store]
path = $TMP/sipcloak.db
master_key = $TMP/master.key
[log]
level = warn
INI
	[ -f "$TMP/master.key" ] ||
		"$SIPCLOAK" key init -c "$TMP/sipcloak.ini" >/dev/null || return 1
	"$SIPCLOAK" serve -c "$TMP/sipcloak.ini" >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	URL="wss://127.0.0.1:$port/ws"
	wait_listen "$port" $!
}

start_frontdoor() {
	[ -x "$BUILD/bench/frontdoor" ] || return 1
	"$BUILD/bench/frontdoor" "127.0.0.1:$1" "$TMP/cert.pem" "$TMP/key.pem" \
		>>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	URL="wss://127.0.0.1:$1/ws"
	wait_listen "$1" $!
}

start_kamailio() { # cfg port
	local rt="$TMP/kamailio-run-$2"
	mkdir -p "$rt"
	fill bench/kamailio/tls.cfg 0 >"$TMP/kamailio-tls.cfg"
	fill "bench/kamailio/$1" "$2" >"$TMP/kamailio.cfg"
	# -DD -E: foreground, log to stderr; own pid file and runtime dir.
	"$KAMAILIO" -f "$TMP/kamailio.cfg" -DD -E -P "$rt/kamailio.pid" \
		-Y "$rt" -w "$rt" -m 512 -M 16 >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	wait_listen "$2" $!
}

start_haproxy() { # port backend
	fill bench/haproxy/wss.cfg "$1" "$2" >"$TMP/haproxy.cfg"
	"$HAPROXY" -db -f "$TMP/haproxy.cfg" >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	wait_listen "$1" $!
}

# start_server NAME: sets URL; SRV_PIDS gets the process roots.
start_server() {
	local port back
	port=$(free_port)
	case "$1" in
	sipcloak) start_sipcloak "$port" ;;
	frontdoor) start_frontdoor "$port" ;;
	kamailio-wss)
		URL="wss://127.0.0.1:$port/ws"
		start_kamailio wss.cfg "$port" ;;
	kamailio-ws)
		URL="ws://127.0.0.1:$port/ws"
		start_kamailio ws.cfg "$port" ;;
	kamailio-haproxy)
		back=$(free_port)
		URL="wss://127.0.0.1:$port/ws"
		start_kamailio ws.cfg "$back" && start_haproxy "$port" "$back" ;;
	esac
}

field() { # name line
	sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1
}

# Keeps the end of a failed server's log next to the results.
keep_log() {
	local dest
	dest="$(dirname "$OUT")/$1-$2.log"
	mkdir -p "$(dirname "$dest")"
	tail -n 60 "$LOG" >"$dest" 2>/dev/null || true
	log "$1 n=$2: server log kept in $dest"
}

# run_one SERVER N: one measurement; appends a row to $TMP/rows.
run_one() {
	local srv=$1 n=$2 out="$TMP/wsload.out" err="$TMP/wsload.err"
	local pids idle peak p cpu note= line alive

	: >"$out"
	: >"$err"
	LOG="$TMP/$srv-$n.log"
	if ! start_server "$srv"; then
		log "$srv did not start; skipped"
		keep_log "$srv" "$n"
		printf '%s %s - - - - - - - - not-running\n' "$srv" "$n" >>"$TMP/rows"
		stop_servers
		return
	fi
	sleep 1
	# The server's processes are all up by now (Kamailio forks at start).
	pids=$(tree "${SRV_PIDS[@]}")
	SRV_TREE=$pids
	idle=$(pss "$pids")
	peak=$idle
	"$WSLOAD" --url "$URL" --connections "$n" --seconds "$RUN_SECONDS" \
		--ramp-seconds "$RAMP_SECONDS" --insecure --sample-pids "$pids" \
		>"$out" 2>"$err" &
	WL_PID=$!
	while kill -0 "$WL_PID" 2>/dev/null; do
		p=$(pss "$pids")
		[ "$p" -gt "$peak" ] && peak=$p
		sleep "$SAMPLE_SLEEP"
	done
	wait "$WL_PID" || note="wsload-failed"
	WL_PID=
	alive=yes
	for p in "${SRV_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || alive=no
	done
	if [ "$alive" = no ]; then
		note="${note:+$note,}server-died"
		keep_log "$srv" "$n"
	fi
	line=$(cat "$out")
	if [ -z "$line" ]; then
		log "$srv n=$n: no result ($(tail -1 "$err"))"
		printf '%s %s - - - - - - - - %s\n' "$srv" "$n" \
			"${note:-no-result}" >>"$TMP/rows"
		stop_servers
		return
	fi
	# CPU of the server over the measured phase, in % of one core.
	cpu=$(field server_cpu_pct "$line")
	[ "$(field errors "$line")" = 0 ] || note="${note:+$note,}errors"
	[ "$(field open "$line")" = "$n" ] || note="${note:+$note,}open=$(field open "$line")"
	printf '%s %s %s %s %s %s %s %s %s %s %s\n' "$srv" "$n" \
		"$(field rps "$line")" "$(field p50_us "$line")" \
		"$(field p99_us "$line")" "$(field errors "$line")" "$cpu" \
		"$((peak / 1024))" "$(((peak - idle) / n))" \
		"$(field client_cpu_pct "$line")" "${note:--}" >>"$TMP/rows"
	log "$srv n=$n: $line pids=$pids pss_peak=${peak}KiB idle=${idle}KiB"
	stop_servers
}

machine() {
	local ver
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	for ver in kamailio haproxy openssl libssl3; do
		echo "$ver: $(dpkg-query -W -f='${Version}' "$ver" 2>/dev/null || echo none)"
	done
	echo "sipcloak: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "per run: ${RUN_SECONDS} s after the ramp; wsload --pipeline 1, one process on the same 2 cores"
	echo "load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The table (cpu% is of one core; req/cpu-s = rps per core-second the server
# used, the figure least disturbed by other load), then per size the ratio sipcloak / each Kamailio variant.
table() {
	printf '%-17s %5s %7s %8s %8s %6s %5s %9s %7s %8s %5s  %s\n' server \
		conns rps p50_us p99_us errors cpu% req/cpu-s pss_MiB KiB/conn \
		load% notes
	awk '{
		eff = ($3 == "-" || $7 == "-" || $7 + 0 == 0) ? "-" : sprintf("%.0f", $3 / ($7 / 100))
		# Memory per connection means nothing below 100 connections.
		kpc = ($2 < 100) ? "-" : $9
		printf "%-17s %5s %7s %8s %8s %6s %5s %9s %7s %8s %5s  %s\n",
			$1, $2, $3, $4, $5, $6, $7, eff, $8, kpc, $10, $11 }' "$TMP/rows"
	echo
	echo "ratios server / Kamailio anchor (rps and req/cpu-s: > 1 favours the server;"
	echo "p99, cpu%, pss: < 1 favours the server)"
	printf '%-19s %-17s %5s %6s %6s %6s %6s %9s\n' server anchor conns rps \
		p99 cpu% pss req/cpu-s
	awk '
	function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
	function eff(rps, cpu) { return (rps == "-" || cpu == "-" || cpu + 0 == 0) ? "-" : rps / (cpu / 100) }
	{ k = $1 SUBSEP $2; rps[k] = $3; p99[k] = $5; cpu[k] = $7; mem[k] = $8; n[$2] = 1; s[$1] = 1 }
	END {
		for (c in n) for (x in s) for (a in s) {
			if (x ~ /^kamailio/ || a !~ /^kamailio/) continue
			kx = x SUBSEP c; ka = a SUBSEP c
			if (!(kx in rps) || !(ka in rps) || rps[kx] == "-" || rps[ka] == "-") continue
			printf "%-19s %-17s %5s %6s %6s %6s %6s %9s\n", x, a, c,
				r(rps[kx], rps[ka]), r(p99[kx], p99[ka]),
				r(cpu[kx], cpu[ka]), r(mem[kx], mem[ka]),
				r(eff(rps[kx], cpu[kx]), eff(rps[ka], cpu[ka]))
		}
	}' "$TMP/rows" | sort -k3,3n -k1,1 -k2,2
}

main() {
	local n srv
	[ -x "$WSLOAD" ] || { log "$WSLOAD missing: run make first"; exit 1; }
	ulimit -n "$(ulimit -Hn)"
	[ "$(ulimit -n)" -ge 4096 ] || log "ulimit -n is $(ulimit -n): 1000 connections may fail"
	make_cert
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	: >"$TMP/rows"
	for n in $SIZES; do
		for srv in $SERVERS; do
			if [ "$SECONDS" -ge "$DEADLINE" ]; then
				log "$srv n=$n: skipped, past the ${DEADLINE} s budget"
				printf '%s %s - - - - - - - - skipped-time\n' "$srv" "$n" >>"$TMP/rows"
				continue
			fi
			run_one "$srv" "$n"
		done
	done
	mkdir -p "$(dirname "$OUT")"
	{
		echo "# bench/run.sh: SIP OPTIONS over WebSocket, closed loop (wsload)"
		machine
		echo
		table
		if [ -x "$BUILD/bench/bench_parse" ]; then
			echo
			echo "# bench_parse"
			"$BUILD/bench/bench_parse" 2>&1 || echo "bench_parse failed: $?"
		fi
	} >"$TMP/latest.txt"
	cp "$TMP/latest.txt" "$OUT"
	cat "$OUT"
	# Then the REGISTER benchmark (its own servers, table and results file,
	# bench/results/register.txt; under 6 minutes). BENCH_REGISTER=0 skips.
	if [ "${BENCH_REGISTER:-1}" = 1 ]; then
		echo
		BUILD=$BUILD bench/run_reg.sh
	fi
	# Then the media relay benchmark against rtpengine (bench/run_relay.sh,
	# bench/results/relayload.txt; under 5 minutes). BENCH_RELAY=0 skips.
	if [ "${BENCH_RELAY:-1}" = 1 ]; then
		echo
		BUILD=$BUILD bench/run_relay.sh
	fi
	# Then the calls benchmark (sipcloak and Kamailio + rtpengine to sipp;
	# bench/results/calls.txt, about 2 minutes; it uses run_reg.sh's
	# devices). BENCH_CALLS=0 skips.
	if [ "${BENCH_CALLS:-1}" = 1 ]; then
		echo
		BUILD=$BUILD bench/run_call.sh || echo "calls benchmark failed: $?"
	fi
}

main "$@"
