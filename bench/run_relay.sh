#!/usr/bin/env bash
# run_relay.sh: the media relay benchmark behind `make bench` (run.sh calls
# it at its end). bench/relay/relayload simulates N browser calls at once
# (ICE checks, a DTLS 1.2 handshake with use_srtp, SRTP at 50 packets/s;
# a plain RTP peer at 50 packets/s on the other side) through each relay,
# driven over the ng control protocol:
#   sipcloak   bench/relay/relay_sipcloak (src/media's engine, its own process)
#   sipcloak-plain  the same with --plain-io: a system call per datagram
#              instead of io_uring batches (only when named in RELAY_SERVERS)
#   rtpengine  rtpengine-daemon from Debian, userspace only (--table=-1)
# Modes: webrtc (DTLS-SRTP <-> RTP, PCMU pass-through), transcode (Opus on
# the browser leg <-> PCMU on the peer leg), plain (RTP <-> RTP, the
# anchoring baseline). For each mode the call count steps up through the
# sizes, both relays at each size in turn (same run, same load); a relay
# stops stepping after its first size that fails (loss > 0.1 % or added
# jitter p95 > 5 ms each way, or a call that never got media). Prints a
# table and the ratios sipcloak / rtpengine, writes bench/results/relayload.txt.
# Loopback only; every process it starts is stopped by pid, even on failure.
#
# Environment: BUILD (build), RELAY_SECONDS (8: measured window per run),
# RELAY_MODES ("webrtc transcode"), RELAY_SIZES_webrtc ("50 150 400 800"),
# RELAY_SIZES_transcode ("25 75 150 300"), RELAY_SIZES_plain (as webrtc),
# RELAY_SERVERS ("sipcloak rtpengine"; also sipcloak-plain), RELAY_WORKERS (2: media threads of
# each relay), RELAY_OUT (bench/results/relayload.txt), RELAY_DEADLINE (240: no
# measurement starts later, in seconds from the start), RELAY_NICE (0: the
# nice value both relays and relayload run at; a negative one, as root,
# shields all three alike from other load on a shared machine),
# RELAY_SRTP (empty: the browsers offer AEAD_AES_128_GCM then
# AES_CM_128_HMAC_SHA1_80; e.g. SRTP_AES128_CM_SHA1_80 to offer only that),
# RELAY_PIN (empty; "1": the relays run on CPU 1 and relayload on CPU 0
# with taskset, so that they do not take each other's core; use it with
# RELAY_WORKERS=1, and the largest size passed is then calls per core).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
RUN_SECONDS=${RELAY_SECONDS:-8}
MODES=${RELAY_MODES:-"webrtc transcode"}
SERVERS=${RELAY_SERVERS:-"sipcloak rtpengine"}
WORKERS=${RELAY_WORKERS:-2}
OUT=${RELAY_OUT:-bench/results/relayload.txt}
DEADLINE=${RELAY_DEADLINE:-240}
NICE=${RELAY_NICE:-0}
SRTP=${RELAY_SRTP:-}
PIN_RELAY=()
PIN_LOAD=()
if [ -n "${RELAY_PIN:-}" ]; then
	PIN_RELAY=(taskset -c 1)
	PIN_LOAD=(taskset -c 0)
fi
RELAYLOAD=$BUILD/bench/relayload
RELAY_SIPCLOAK=$BUILD/bench/relay_sipcloak
RTPENGINE=${RTPENGINE:-/usr/bin/rtpengine}
PORT_MIN=20000 # relay media ports: below the ephemeral range, where
PORT_MAX=29999 # relayload's own sockets live
SETUP_SECONDS=20
START_TIMEOUT_TENTHS=100 # the ng port must be up within 10 s
STOP_TIMEOUT_TENTHS=50   # SIGTERM, then SIGKILL after 5 s

TMP=$(mktemp -d /tmp/sipcloak-relaybench.XXXXXX)
SRV_PIDS=()
SRV_TREE=
LOG=
WL_PID=

log() { echo "relaybench: $*" >&2; }

# stop_servers, stop_pid, free_port, cleanup on exit
source "$(dirname "$0")/lib.sh"

sizes_of() { # mode
	local v="RELAY_SIZES_$1" d
	case "$1" in
	transcode) d="25 75 150 300" ;;
	*) d="50 150 400 800" ;;
	esac
	echo "${!v:-$d}"
}

wait_udp() { # port pid
	local i
	for ((i = 0; i < START_TIMEOUT_TENTHS; i++)); do
		ss -Huln "sport = :$1" | grep -q . && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

start_relay() { # name ng_port
	case "$1" in
	sipcloak | sipcloak-plain)
		[ -x "$RELAY_SIPCLOAK" ] || return 1
		local io=
		[ "$1" = sipcloak-plain ] && io=--plain-io
		"${PIN_RELAY[@]}" nice -n "$NICE" "$RELAY_SIPCLOAK" --ng "127.0.0.1:$2" --workers "$WORKERS" \
			--ports "$PORT_MIN-$PORT_MAX" $io >>"$LOG" 2>&1 &
		;;
	rtpengine)
		[ -x "$RTPENGINE" ] || return 1
		# userspace only, no config file, no syslog; ECDSA P-256 like
		# the browsers and sipcloak
		"${PIN_RELAY[@]}" nice -n "$NICE" "$RTPENGINE" --config-file=none --table=-1 --foreground \
			--log-stderr --log-level=4 --interface=127.0.0.1 \
			--listen-ng="127.0.0.1:$2" --port-min=$PORT_MIN \
			--port-max=$PORT_MAX --num-threads="$WORKERS" \
			--dtls-cert-cipher=prime256v1 >>"$LOG" 2>&1 &
		;;
	*) return 1 ;;
	esac
	SRV_PIDS+=($!)
	wait_udp "$2" $!
}

field() { # name line
	sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1
}

# run_one MODE RELAY N: one measurement; appends a row to $TMP/rows and
# returns 1 when it did not pass.
run_one() {
	local mode=$1 srv=$2 n=$3 port line flag= rc=0
	LOG="$TMP/$srv-$mode-$n.log"
	port=$(free_port)
	if ! start_relay "$srv" "$port"; then
		log "$srv did not start; skipped"
		echo "$mode $srv $n not-running" >>"$TMP/rows"
		stop_servers
		return 1
	fi
	case "$mode" in
	transcode) flag=--transcode ;;
	plain) flag=--plain ;;
	esac
	[ -n "$SRTP" ] && flag="$flag --srtp-profiles $SRTP"
	line=$("${PIN_LOAD[@]}" nice -n "$NICE" "$RELAYLOAD" --ng "127.0.0.1:$port" --calls "$n" \
		--seconds "$RUN_SECONDS" --setup-seconds "$SETUP_SECONDS" \
		--relay-pids "${SRV_PIDS[0]}" $flag 2>>"$LOG" | tail -1) || rc=$?
	for p in "${SRV_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || line="$line server-died"
	done
	stop_servers
	if [ -z "$line" ]; then
		log "$mode $srv n=$n: no result (rc $rc): $(tail -2 "$LOG" | tr '\n' ' ')"
		echo "$mode $srv $n no-result" >>"$TMP/rows"
		cp "$LOG" "$(dirname "$OUT")/relay-$srv-$mode-$n.log" 2>/dev/null || true
		return 1
	fi
	log "$mode $srv n=$n: $line"
	echo "$mode $srv $n $line" >>"$TMP/rows"
	[ "$(field pass "$line")" = 1 ]
}

machine() {
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "kernel: $(uname -r)"
	echo "rtpengine-daemon: $(dpkg-query -W -f='${Version}' rtpengine-daemon 2>/dev/null || echo none)"
	echo "sipcloak: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "per run: ${RUN_SECONDS} s measured after setup and 1 s settling; $WORKERS media threads per relay; relayload is one process on the same cores; nice $NICE; pinned ${RELAY_PIN:-no}"
	echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The table, then per mode the largest passing size and the ratios.
table() {
	printf '%-9s %-9s %5s %4s %7s %7s %7s %7s %7s %7s %6s %6s %8s %6s %6s %9s %9s %5s %s\n' \
		mode relay calls ok loss_up% loss_dn% jit_up jit_dn setup50 setup95 \
		dtls50 hs/s hs/cpu-s cpu% load% cpu-s/cm calls/core pass notes
	while read -r mode srv n rest; do
		if [[ "$rest" != calls=* ]]; then
			printf '%-9s %-9s %5s %s\n' "$mode" "$srv" "$n" "$rest"
			continue
		fi
		local note
		note=$(field why "$rest")
		[ "$note" = "-" ] && note=
		[[ "$rest" == *server-died* ]] && note="${note:+$note,}server-died"
		[ "$(field late "$rest")" != 0 ] && note="${note:+$note,}load-late=$(field late "$rest")"
		[ "$(field gaps "$rest")" != 0 ] && note="${note:+$note,}gaps=$(field gaps "$rest"),max=$(field gap_max_ms "$rest")ms"
		printf '%-9s %-9s %5s %4s %7s %7s %7s %7s %7s %7s %6s %6s %8s %6s %6s %9s %9s %5s %s\n' \
			"$mode" "$srv" "$n" "$(field ok "$rest")" \
			"$(field up_loss_pct "$rest")" "$(field down_loss_pct "$rest")" \
			"$(field jit_up_p95_ms "$rest")" "$(field jit_down_p95_ms "$rest")" \
			"$(field setup_p50_ms "$rest")" "$(field setup_p95_ms "$rest")" \
			"$(field dtls_p50_ms "$rest")" "$(field hs_per_s "$rest")" \
			"$(field hs_per_cpu_s "$rest")" "$(field relay_cpu_pct "$rest")" \
			"$(field load_cpu_pct "$rest")" "$(field cpu_s_per_call_min "$rest")" \
			"$(field calls_per_core "$rest")" "$(field pass "$rest")" "${note:--}"
	done <"$TMP/rows"
	echo
	echo "summary: max_pass = the most calls that passed (loss <= 0.1 %, jitter p95 <= 5 ms,"
	echo "every call connected) on this machine; calls/core = 60 / (relay CPU-s per call-minute)"
	echo "at that size (at the smallest size when none passed); ratio = sipcloak / rtpengine"
	awk '
	function f(line, k,   i, n, a, kv) {
		n = split(line, a, " ")
		for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == k) return kv[2] }
		return ""
	}
	$4 ~ /^calls=/ {
		k = $1 SUBSEP $2
		line = $0
		if (!(k in first)) { first[k] = f(line, "calls_per_core"); fhs[k] = f(line, "hs_per_cpu_s") }
		if (f(line, "pass") == 1 && $3 + 0 >= best[k] + 0) {
			best[k] = $3; cpc[k] = f(line, "calls_per_core"); hs[k] = f(line, "hs_per_cpu_s")
		}
		modes[$1] = 1; srvs[$2] = 1
	}
	END {
		printf "%-9s %-9s %8s %10s %9s\n", "mode", "relay", "max_pass", "calls/core", "hs/cpu-s"
		for (m in modes) {
			for (s in srvs) {
				k = m SUBSEP s
				if (!(k in first)) continue
				c[k] = (k in cpc) ? cpc[k] : first[k]
				h[k] = (k in hs) ? hs[k] : fhs[k]
				printf "%-9s %-9s %8s %10s %9s\n", m, s, (k in best) ? best[k] : "none", c[k], h[k]
			}
			a = m SUBSEP "sipcloak"; b = m SUBSEP "rtpengine"
			if ((a in c) && (b in c) && c[b] + 0 > 0)
				printf "%-9s %-9s %8s %10.2f %9s\n", m, "ratio", \
					((a in best) && (b in best) && best[b] > 0) ? sprintf("%.2f", best[a] / best[b]) : "-", \
					c[a] / c[b], (h[b] + 0 > 0) ? sprintf("%.2f", h[a] / h[b]) : "-"
		}
	}' "$TMP/rows"
}

main() {
	local mode n srv alive
	[ -x "$RELAYLOAD" ] || { log "$RELAYLOAD missing: run make first"; exit 1; }
	ulimit -n "$(ulimit -Hn)"
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	: >"$TMP/rows"
	for mode in $MODES; do
		alive=" $SERVERS "
		for n in $(sizes_of "$mode"); do
			for srv in $SERVERS; do
				[[ "$alive" == *" $srv "* ]] || continue
				if [ "$SECONDS" -ge "$DEADLINE" ]; then
					log "$mode $srv n=$n: skipped, past the ${DEADLINE} s budget"
					echo "$mode $srv $n skipped-time" >>"$TMP/rows"
					continue
				fi
				# a relay that failed a size is not tried at larger ones
				run_one "$mode" "$srv" "$n" || alive=${alive/ $srv / }
			done
		done
	done
	mkdir -p "$(dirname "$OUT")"
	{
		echo "# bench/run_relay.sh: media relay, relayload against relay_sipcloak and rtpengine"
		machine
		echo
		table
	} >"$TMP/relay.txt"
	cp "$TMP/relay.txt" "$OUT"
	cat "$OUT"
}

main "$@"
