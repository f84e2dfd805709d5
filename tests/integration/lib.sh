# lib.sh: shared shell helpers for integration tests. Source it; it expects
# SIPCLOAK (the program under test) in the environment or as $1 of the test.
# Everything runs on 127.0.0.1 and is stopped by pid on exit.

set -euo pipefail

TESTDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d /tmp/sipcloak-it.XXXXXX)
PIDS=()

cleanup() {
	local rc=$?
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ $rc -ne 0 ] && [ -f "$WORK/gateway.log" ]; then
		echo "---- gateway log (last 40 lines) ----" >&2
		tail -n ${LOG_TAIL:-40} "$WORK/gateway.log" >&2
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# free_port: a TCP port on 127.0.0.1 that is free right now (UDP is checked too).
free_port() {
	node -e '
const net = require("net"), dgram = require("dgram");
function tryOne() {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const port = s.address().port;
    const u = dgram.createSocket("udp4");
    u.on("error", () => { s.close(); tryOne(); });
    u.bind(port, "127.0.0.1", () => { u.close(); s.close(() => console.log(port)); });
  });
}
tryOne();'
}

# make_cert DIR: a throw-away self-signed ECDSA certificate for 127.0.0.1.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}

# write_config: writes $WORK/sipcloak.ini with fresh ports (EXTRA_HTTPS
# lines go into [https], EXTRA_CONF sections at the end) and a master key.
# Sets HTTPS_PORT SIP_PORT TLS_PORT.
# start_gateway: write_config (unless done), starts the gateway and waits
# until it answers.
write_config() {
	HTTPS_PORT=$(free_port)
	SIP_PORT=$(free_port)
	TLS_PORT=$(free_port)
	make_cert "$WORK"
	cat >"$WORK/sipcloak.ini" <<INI
[server]
public_address = 127.0.0.1
control_socket = $WORK/sipcloak.sock
[https]
listen = 127.0.0.1:$HTTPS_PORT
cert = $WORK/cert.pem
key = $WORK/key.pem
${EXTRA_HTTPS:-}
[sip]
domain = sipcloak.test
udp = 127.0.0.1:$SIP_PORT
tcp = 127.0.0.1:$SIP_PORT
tls = 127.0.0.1:$TLS_PORT
[store]
path = $WORK/sipcloak.db
master_key = $WORK/master.key
[log]
level = ${LOG_LEVEL:-info}
${EXTRA_CONF:-}
INI
	"$SIPCLOAK" key init -c "$WORK/sipcloak.ini" >/dev/null ||
		fail "sipcloak key init failed"
}

start_gateway() {
	[ -f "$WORK/sipcloak.ini" ] || write_config
	"$SIPCLOAK" serve -c "$WORK/sipcloak.ini" >"$WORK/gateway.log" 2>&1 &
	GATEWAY_PID=$!
	PIDS+=("$GATEWAY_PID")
	local i
	for i in $(seq 1 100); do
		if curl -skf "https://127.0.0.1:$HTTPS_PORT/healthz" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$GATEWAY_PID" 2>/dev/null || fail "gateway exited at start"
		sleep 0.1
	done
	fail "gateway did not answer /healthz within 10 s"
}

# stop_gateway: SIGTERM, then the exit status must be 0 (clean shutdown).
stop_gateway() {
	kill -TERM "$GATEWAY_PID"
	local rc=0
	wait "$GATEWAY_PID" || rc=$?
	[ $rc -eq 0 ] || fail "gateway exited with $rc after SIGTERM"
}
