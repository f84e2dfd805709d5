#!/usr/bin/env bash
# run_reg.sh: the REGISTER benchmark behind `make bench` (run.sh calls it at
# its end): SIP REGISTER with digest authentication over WSS (RFC 3261 10,
# 22; RFC 7118) from bench/wsload --mode register against sipcloak and, in
# the same run, Kamailio 5.6 with auth and an in-memory registrar
# (bench/kamailio/reg.cfg) over its own WSS and behind HAProxy.
#
# Per server and size (persistent connections): two runs on one server
# process, "challenge" (each round REGISTER, 401, REGISTER with
# Authorization nc=1, 200) and "reuse" (after a device's first challenge one
# REGISTER with the same nonce and nc+1 per round). Then the memory of
# 10,000 registered devices: 1,000 connections each registering 10 devices
# in turn; PSS when all connections are open and nothing is registered,
# and after every device has a 200. Prints a table with ratios and writes it
# to bench/results/register.txt. Loopback only; every process it starts is
# stopped by pid on exit, even on failure.
#
# Devices: Kamailio's passwords are "bench-" USER (reg.cfg derives them);
# sipcloak's come from `sipcloak device add USER --count 64 --json` (64
# devices per user at most, one transaction per user), created once into
# REG_STORE and reused by later runs. sipcloak is probed first with one
# device: when it does not answer REGISTER with a challenge its rows say so
# and no devices are created.
#
# Environment: BUILD (build), REG_SECONDS (5 per run), REG_SIZES
# ("1 100 1000"), REG_SERVERS ("sipcloak kamailio-wss kamailio-haproxy"),
# REG_OUT (bench/results/register.txt), REG_DEADLINE (300: no measurement
# starts later, in seconds after the devices exist), REG_STORE
# ($BUILD/regbench-store), REG_MEM (1: run the 10,000-device measurement).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
RUN_SECONDS=${REG_SECONDS:-5}
SIZES=${REG_SIZES:-"1 100 1000"}
SERVERS=${REG_SERVERS:-"sipcloak kamailio-wss kamailio-haproxy"}
OUT=${REG_OUT:-bench/results/register.txt}
DEADLINE=${REG_DEADLINE:-300}
STORE=${REG_STORE:-/dev/shm/sipcloak-regbench-store}
MEM=${REG_MEM:-1}
WSLOAD=$BUILD/bench/wsload
SIPCLOAK=$BUILD/sipcloak
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
DOMAIN=sipcloak.test
RAMP_SECONDS=25          # wsload gives up opening connections after this
MEM_CONNS=1000           # memory: connections
MEM_PER_CONN=10          # memory: devices each connection registers
MEM_SECONDS=12           # memory: at most this long to register them all
KAM_MAX_CONNS=100        # Kamailio's own TLS crashes near 1,000 (run.sh)
DEVICES_PER_USER=64      # STORE_USER_DEVICES_MAX, device add --count's max
START_TIMEOUT_TENTHS=100 # a server must listen within 10 s
STOP_TIMEOUT_TENTHS=50   # SIGTERM, then SIGKILL after 5 s
SAMPLE_SLEEP=0.2         # PSS sampling period

TMP=$(mktemp -d /tmp/sipcloak-regbench.XXXXXX)
SRV_PIDS=()
SRV_TREE=
LOG=
WL_PID=
SIPCLOAK_NOTE= # why sipcloak is not measured, once the probe says so

log() { echo "regbench: $*" >&2; }

# shared with run.sh: stop_servers, free_port, tree_pids, pss_kib, fill, ...
source "$(dirname "$0")/lib.sh"

# sipcloak's config; the store lives in $STORE so its devices are reused.
sipcloak_ini() { # port
	mkdir -p "$STORE"
	sipcloak_reg_ini "$1" "$STORE" "$STORE/sipcloak.sock" >"$STORE/sipcloak.ini"
}

# Makes sure the store holds at least $1 devices and writes the first $1
# as "user password" lines to $TMP/creds-sipcloak. Devices come
# DEVICES_PER_USER at a time from `device add USER --count N --json` (one
# transaction each); devices.jsonl keeps one device object per line.
sipcloak_devices() {
	local want=$1 have u n out
	sipcloak_ini 1 # the CLI does not listen
	local sc=("$SIPCLOAK" -c "$STORE/sipcloak.ini")
	if [ ! -f "$STORE/master.key" ]; then
		rm -f "$STORE/devices.jsonl" "$STORE"/sipcloak.db*
		"${sc[@]}" key init >/dev/null || return 1
	fi
	touch "$STORE/devices.jsonl"
	chmod 600 "$STORE/devices.jsonl"
	have=$(wc -l <"$STORE/devices.jsonl")
	[ "$have" -lt "$want" ] && log "sipcloak: creating $((want - have)) devices in $STORE (once)"
	while [ "$have" -lt "$want" ]; do
		u="bench$((have / DEVICES_PER_USER))"
		if [ $((have % DEVICES_PER_USER)) = 0 ]; then
			"${sc[@]}" user add "$u" >/dev/null || return 1
		fi
		n=$((DEVICES_PER_USER - have % DEVICES_PER_USER))
		[ "$n" -gt $((want - have)) ] && n=$((want - have))
		out=$("${sc[@]}" --json device add "$u" --count "$n") || return 1
		# the array's elements, one a line: strip "[", "," and "]"
		sed 's/^\[//; s/,$//; s/\]$//' <<<"$out" >>"$STORE/devices.jsonl"
		have=$(wc -l <"$STORE/devices.jsonl")
	done
	reg_creds "$STORE" "$want" >"$TMP/creds-sipcloak"
	[ "$(wc -l <"$TMP/creds-sipcloak")" = "$want" ]
}

kamailio_devices() { # n: users u0.. with passwords as reg.cfg derives them
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "u%d bench-u%d\n", i, i }' \
		>"$TMP/creds-kamailio"
}

start_sipcloak() {
	sipcloak_ini "$1"
	"$SIPCLOAK" serve -c "$STORE/sipcloak.ini" >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	URL="wss://127.0.0.1:$1/ws"
	wait_listen "$1" $!
}

start_kamailio() { # port [-A WITH_TLS]
	local rt="$TMP/kamailio-run-$1"
	mkdir -p "$rt"
	fill bench/kamailio/tls.cfg 0 >"$TMP/kamailio-tls.cfg"
	fill bench/kamailio/reg.cfg "$1" >"$TMP/kamailio.cfg"
	"$KAMAILIO" -f "$TMP/kamailio.cfg" "${@:2}" -DD -E -P "$rt/kamailio.pid" \
		-Y "$rt" -w "$rt" -m 512 -M 16 >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	wait_listen "$1" $!
}

start_haproxy() { # port backend
	fill bench/haproxy/wss.cfg "$1" "$2" >"$TMP/haproxy.cfg"
	"$HAPROXY" -db -f "$TMP/haproxy.cfg" >>"$LOG" 2>&1 &
	SRV_PIDS+=($!)
	wait_listen "$1" $!
}

start_server() { # name; sets URL
	local port back
	port=$(free_port)
	case "$1" in
	sipcloak) start_sipcloak "$port" ;;
	kamailio-wss)
		URL="wss://127.0.0.1:$port/ws"
		start_kamailio "$port" -A WITH_TLS ;;
	kamailio-haproxy)
		back=$(free_port)
		URL="wss://127.0.0.1:$port/ws"
		start_kamailio "$back" && start_haproxy "$port" "$back" ;;
	esac
}

field() { # name line
	sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1
}

creds_for() { [ "$1" = sipcloak ] && echo "$TMP/creds-sipcloak" || echo "$TMP/creds-kamailio"; }

# wsload in the background; sets WL_PID. Args: conns users seconds [extra]
wsload_start() {
	local conns=$1 users=$2 secs=$3
	shift 3
	# Empty now: run_mem reads the error file while wsload runs.
	: >"$TMP/wsload.out"
	: >"$TMP/wsload.err"
	"$WSLOAD" --url "$URL" --mode register --cred-file "$(creds_for "$SRV")" \
		--users "$users" --connections "$conns" --seconds "$secs" \
		--domain "$DOMAIN" --ramp-seconds "$RAMP_SECONDS" --insecure \
		--sample-pids "$PIDS" "$@" >"$TMP/wsload.out" 2>"$TMP/wsload.err" &
	WL_PID=$!
}

# Waits for wsload, tracking the peak PSS in PEAK (not in a subshell);
# its result line is then in $TMP/wsload.out.
wsload_wait() {
	local p
	while kill -0 "$WL_PID" 2>/dev/null; do
		p=$(pss "$PIDS")
		[ "$p" -gt "$PEAK" ] && PEAK=$p
		sleep "$SAMPLE_SLEEP"
	done
	wait "$WL_PID" || log "$SRV: wsload failed: $(tail -1 "$TMP/wsload.err")"
	WL_PID=
}

# Appends a row: server conns variant line note
row() {
	local line=$4 note=$5 cpu rps
	if [ -z "$line" ]; then
		printf '%s %s %s - - - - - - - %s\n' "$1" "$2" "$3" "${note:-no-result}" >>"$TMP/rows"
		return
	fi
	rps=$(field rps "$line")
	cpu=$(field server_cpu_pct "$line")
	[ "$(field errors "$line")" = 0 ] || note="${note:+$note,}errors(last=$(field last_bad_status "$line"))"
	[ "$(field open "$line")" = "$2" ] || note="${note:+$note,}open=$(field open "$line")"
	printf '%s %s %s %s %s %s %s %s %s %s %s\n' "$1" "$2" "$3" "$rps" \
		"$(field p50_us "$line")" "$(field p99_us "$line")" \
		"$(field errors "$line")" "$cpu" "$((PEAK / 1024))" \
		"$(field challenges "$line")" "${note:--}" >>"$TMP/rows"
}

server_up() { # name n: starts it, sets PIDS, PEAK, IDLE
	LOG="$TMP/$1-$2.log"
	SRV=$1
	if ! start_server "$1"; then
		log "$1 did not start; skipped"
		tail -n 30 "$LOG" >&2 || true
		stop_servers
		return 1
	fi
	sleep 1
	PIDS=$(tree "${SRV_PIDS[@]}")
	SRV_TREE=$PIDS
	IDLE=$(pss "$PIDS")
	PEAK=$IDLE
}

server_alive() {
	local p
	for p in "${SRV_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || return 1
	done
}

# run_size SERVER N: the two variants on one server process.
run_size() {
	local srv=$1 n=$2 variant line note
	if [ "$srv" = sipcloak ] && [ -n "$SIPCLOAK_NOTE" ]; then
		for variant in challenge reuse; do row "$srv" "$n" "$variant" "" "$SIPCLOAK_NOTE"; done
		return
	fi
	if ! server_up "$srv" "$n"; then
		for variant in challenge reuse; do row "$srv" "$n" "$variant" "" not-running; done
		return
	fi
	for variant in challenge reuse; do
		note=
		wsload_start "$n" "$n" "$RUN_SECONDS" $([ $variant = reuse ] && echo --reuse-nonce)
		wsload_wait
		line=$(cat "$TMP/wsload.out")
		server_alive || note=server-died
		row "$srv" "$n" "$variant" "$line" "$note"
		log "$srv n=$n $variant: $line pss_peak=${PEAK}KiB"
		[ -z "$note" ] || break
	done
	stop_servers
}

# The memory of MEM_CONNS x MEM_PER_CONN registered devices.
run_mem() {
	local srv=$1 devs=$((MEM_CONNS * MEM_PER_CONN)) before after line note=
	if [ "$srv" = sipcloak ] && [ -n "$SIPCLOAK_NOTE" ]; then
		printf '%s %s - - - - %s\n' "$srv" "$devs" "$SIPCLOAK_NOTE" >>"$TMP/mem"
		return
	fi
	server_up "$srv" mem || { printf '%s %s - - - - not-running\n' "$srv" "$devs" >>"$TMP/mem"; return; }
	wsload_start "$MEM_CONNS" "$devs" "$MEM_SECONDS"
	# PSS with every connection open, before the first REGISTER.
	while kill -0 "$WL_PID" 2>/dev/null && ! grep -q "phase run" "$TMP/wsload.err"; do
		sleep 0.05
	done
	before=$(pss "$PIDS")
	wsload_wait
		line=$(cat "$TMP/wsload.out")
	after=$(pss "$PIDS")
	server_alive || note=server-died
	[ "$(field registered "$line")" = "$devs" ] ||
		note="${note:+$note,}registered=$(field registered "$line")"
	printf '%s %s %s %s %s %s %s\n' "$srv" "$devs" "$((IDLE / 1024))" \
		"$((before / 1024))" "$((after / 1024))" \
		"$(awk -v a="$after" -v b="$before" -v d="$devs" 'BEGIN { printf "%.2f", (a - b) / d }')" \
		"${note:--}" >>"$TMP/mem"
	log "$srv memory: idle=${IDLE}KiB open=${before}KiB registered=${after}KiB $line"
	stop_servers
}

# One REGISTER round with one device: does sipcloak serve REGISTER yet?
probe_sipcloak() {
	local line
	[ -x "$SIPCLOAK" ] || { SIPCLOAK_NOTE=not-built; return; }
	sipcloak_devices 1 || { SIPCLOAK_NOTE=no-devices; return; }
	server_up sipcloak probe || { SIPCLOAK_NOTE=not-running; return; }
	wsload_start 1 1 1
	wsload_wait
		line=$(cat "$TMP/wsload.out")
	stop_servers
	if [ "$(field registered "$line")" != 1 ]; then
		SIPCLOAK_NOTE="no-REGISTER(answers=$(field last_bad_status "$line"))"
		log "sipcloak does not register a device: $line"
	fi
}

machine() {
	local ver
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	for ver in kamailio haproxy openssl; do
		echo "$ver: $(dpkg-query -W -f='${Version}' "$ver" 2>/dev/null || echo none)"
	done
	echo "sipcloak: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "per run: ${RUN_SECONDS} s after the ramp; one REGISTER outstanding per connection; wsload on the same 2 cores"
	echo "load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

table() {
	echo "registrations/s (reg/s: 200s per second; p50/p99: from the first REGISTER of a"
	echo "round to its 200, so 'challenge' rounds are two round trips; 401s: challenges answered;"
	echo "cpu%: server, of one core; reg/cpu-s = reg/s per server CPU second)"
	printf '%-17s %5s %-9s %7s %8s %8s %6s %5s %9s %7s %7s  %s\n' server conns \
		variant reg/s p50_us p99_us errors cpu% reg/cpu-s pss_MiB 401s notes
	awk '{
		eff = ($4 == "-" || $8 == "-" || $8 + 0 == 0) ? "-" : sprintf("%.0f", $4 / ($8 / 100))
		printf "%-17s %5s %-9s %7s %8s %8s %6s %5s %9s %7s %7s  %s\n",
			$1, $2, $3, $4, $5, $6, $7, $8, eff, $9, $10, $11 }' "$TMP/rows"
	echo
	echo "ratios sipcloak / Kamailio anchor (reg/s, reg/cpu-s: > 1 favours sipcloak; p99: < 1)"
	printf '%-17s %5s %-9s %6s %6s %9s\n' anchor conns variant reg/s p99 reg/cpu-s
	awk '
	function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
	function eff(x, c) { return (x == "-" || c == "-" || c + 0 == 0) ? "-" : x / (c / 100) }
	{ k = $1 SUBSEP $2 SUBSEP $3; rps[k] = $4; p99[k] = $6; cpu[k] = $8; key[$2 SUBSEP $3] = 1; s[$1] = 1 }
	END {
		for (kv in key) for (a in s) {
			if (a !~ /^kamailio/) continue
			split(kv, c, SUBSEP)
			kx = "sipcloak" SUBSEP kv; ka = a SUBSEP kv
			if (!(kx in rps) || !(ka in rps) || rps[kx] == "-" || rps[ka] == "-") continue
			printf "%-17s %5s %-9s %6s %6s %9s\n", a, c[1], c[2],
				r(rps[kx], rps[ka]), r(p99[kx], p99[ka]),
				r(eff(rps[kx], cpu[kx]), eff(rps[ka], cpu[ka]))
		}
	}' "$TMP/rows" | sort -k2,2n -k3,3 -k1,1
	[ -s "$TMP/mem" ] || return 0
	echo
	echo "memory of $((MEM_CONNS * MEM_PER_CONN)) registered devices ($MEM_CONNS connections x $MEM_PER_CONN devices, PSS in MiB:"
	echo "idle server, all connections open, all devices registered; KiB/device = (registered - open) / devices)"
	printf '%-17s %7s %6s %6s %10s %10s  %s\n' server devices idle open registered KiB/device notes
	awk '{ printf "%-17s %7s %6s %6s %10s %10s  %s\n", $1, $2, $3, $4, $5, $6, $7 }' "$TMP/mem"
}

main() {
	local n srv
	[ -x "$WSLOAD" ] || { log "$WSLOAD missing: run make first"; exit 1; }
	ulimit -n "$(ulimit -Hn)"
	make_cert
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	: >"$TMP/rows"
	: >"$TMP/mem"
	kamailio_devices $((MEM_CONNS * MEM_PER_CONN))
	case " $SERVERS " in *" sipcloak "*) probe_sipcloak ;; esac
	if [ -z "$SIPCLOAK_NOTE" ] && [[ " $SERVERS " == *" sipcloak "* ]]; then
		local want=0
		for n in $SIZES; do [ "$n" -gt "$want" ] && want=$n; done
		[ "$MEM" = 1 ] && want=$((MEM_CONNS * MEM_PER_CONN))
		sipcloak_devices "$want" || SIPCLOAK_NOTE=no-devices
	fi
	# The time budget counts from here: creating sipcloak's devices the
	# first time is setup, not measurement.
	SECONDS=0
	for n in $SIZES; do
		for srv in $SERVERS; do
			# Kamailio's own TLS: up to KAM_MAX_CONNS; HAProxy from there.
			[ "$srv" = kamailio-wss ] && [ "$n" -gt "$KAM_MAX_CONNS" ] && continue
			[ "$srv" = kamailio-haproxy ] && [ "$n" -le "$KAM_MAX_CONNS" ] && continue
			if [ "$SECONDS" -ge "$DEADLINE" ]; then
				log "$srv n=$n: skipped, past the ${DEADLINE} s budget"
				row "$srv" "$n" all "" skipped-time
				continue
			fi
			run_size "$srv" "$n"
		done
	done
	if [ "$MEM" = 1 ]; then
		for srv in $SERVERS; do
			[ "$srv" = kamailio-wss ] && continue # its TLS at 1,000
			run_mem "$srv"
		done
	fi
	mkdir -p "$(dirname "$OUT")"
	{
		echo "# bench/run_reg.sh: SIP REGISTER with digest over WebSocket (wsload --mode register)"
		machine
		echo
		table
	} >"$TMP/register.txt"
	cp "$TMP/register.txt" "$OUT"
	cat "$OUT"
}

main "$@"
