#!/usr/bin/env bash
# smoke.sh RELAYLOAD RELAY_SIPCLOAK: relayload against relay_sipcloak on
# 127.0.0.1, 2 calls for 1 s per mode (DTLS-SRTP <-> RTP, Opus <-> PCMU,
# plain RTP): every call must connect, media must arrive both ways in the
# expected codec. Loss and jitter limits are loose (a loaded machine is not
# what this checks). CTest runs it as bench_relay_smoke.
set -euo pipefail
RELAYLOAD=$1
RELAY=$2
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true' EXIT

port=$((21000 + RANDOM % 8000))
for i in 1 2 3 4 5; do
	ss -Huan "sport = :$port" | grep -q . || break
	port=$((21000 + RANDOM % 8000))
done
# media ports: 1,000 below the ephemeral range, picked at random so that
# parallel tests rarely share them
media=$((12000 + (RANDOM % 8) * 1000))
"$RELAY" --ng "127.0.0.1:$port" --workers 1 --ports "$media-$((media + 999))" &
PID=$!
for i in $(seq 50); do
	ss -Huln "sport = :$port" | grep -q . && break
	sleep 0.1
done
for mode in "" --transcode --plain; do
	line=$("$RELAYLOAD" --ng "127.0.0.1:$port" --calls 2 --seconds 1 \
		--relay-pids "$PID" --max-loss-pct 5 --max-jitter-ms 1000 $mode)
	echo "$line"
	case "$line" in
	*" ok=2 "*" pass=1"*) ;;
	*) echo "smoke: relayload ${mode:-webrtc} did not pass" >&2; exit 1 ;;
	esac
	case "$line" in
	*"rx_up=0 "* | *"rx_down=0 "*) echo "smoke: no media" >&2; exit 1 ;;
	esac
done
kill -TERM "$PID"
wait "$PID"
PID=
