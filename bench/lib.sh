# lib.sh: what bench/run.sh and the REGISTER scripts (run_reg.sh,
# mem_reg.sh, callgrind_reg.sh) share: stopping server process trees by
# pid, free loopback ports, process sampling (CPU, PSS), config templates,
# and the REGISTER benchmarks' sipcloak config and device credentials.
# Sourced after the caller set TMP, SRV_PIDS, SRV_TREE, LOG, WL_PID,
# STOP_TIMEOUT_TENTHS, START_TIMEOUT_TENTHS and defined log().


stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < STOP_TIMEOUT_TENTHS; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Stops the servers' roots, then whatever is left of their trees (children
# of a crashed Kamailio main process are orphans that no tree walk finds).
stop_servers() {
	local pid
	for pid in "${SRV_PIDS[@]}"; do
		stop_pid "$pid"
	done
	for pid in ${SRV_TREE//,/ }; do
		kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
	done
	SRV_PIDS=()
	SRV_TREE=
}

cleanup() {
	local rc=$?
	[ -n "$WL_PID" ] && stop_pid "$WL_PID"
	stop_servers
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port on 127.0.0.1 no TCP or UDP socket uses right now, in any state,
# below the kernel's ephemeral range (where the thousands of client sockets
# and their TIME_WAIT leftovers live).
free_port() {
	local p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$lo" -gt 12000 ] || lo=32768
	while :; do
		p=$((10000 + RANDOM % (lo - 10000)))
		ss -Htan "sport = :$p" | grep -q . && continue
		ss -Huan "sport = :$p" | grep -q . && continue
		echo "$p"
		return
	done
}

wait_listen() {
	local port=$1 pid=$2 i
	for ((i = 0; i < START_TIMEOUT_TENTHS; i++)); do
		ss -Htln "sport = :$port" | grep -q . && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# The pids of the process trees rooted at the arguments, comma-separated.
tree() {
	ps -e -o pid=,ppid= | awk -v roots="$*" '
	{ parent[$1] = $2 }
	END {
		n = split(roots, r, " ")
		for (i = 1; i <= n; i++) if (r[i] in parent) keep[r[i]] = 1
		do {
			added = 0
			for (p in parent)
				if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 }
		} while (added)
		sep = ""
		for (p in keep) { printf "%s%s", sep, p; sep = "," }
		print ""
	}'
}

# Proportional set size in KiB summed over a comma-separated pid list
# (shared memory such as Kamailio's shm is counted once, not per process).
pss() {
	local files=() p
	for p in ${1//,/ }; do
		[ -r "/proc/$p/smaps_rollup" ] && files+=("/proc/$p/smaps_rollup")
	done
	[ ${#files[@]} -gt 0 ] || { echo 0; return; }
	awk '/^Pss:/ { s += $2; nextfile } END { print s + 0 }' "${files[@]}" 2>/dev/null || echo 0
}

make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
	cat "$TMP/cert.pem" "$TMP/key.pem" >"$TMP/haproxy.pem"
}

fill() { # template port [backend port]
	sed -e "s|@DIR@|$TMP|g; s|@PORT@|$2|g; s|@UDP_PORT@|$(free_port)|g" \
		-e "s|@BACKEND_PORT@|${3:-0}|g" "$1"
}

# The REGISTER benchmarks' sipcloak config on stdout: WSS on
# 127.0.0.1:PORT with make_cert's certificate in $TMP, the device store in
# STORE (its database and master key, reused between runs), the control
# socket SOCK, warnings only. Args: port store sock.
sipcloak_reg_ini() {
	cat <<INI
; Written by bench/lib.sh (sipcloak_reg_ini). Every key: docs/config.md.
[server]
public_address = 127.0.0.1
control_socket = $3
[https]
listen = 127.0.0.1:$1
cert = $TMP/cert.pem
key = $TMP/key.pem
max_connections_per_ip = 20000
[sip]
domain = sipcloak.test
[store]
path = $2/sipcloak.db
master_key = $2/master.key
[log]
level = warn
INI
}

# "sip_username password" lines for wsload --cred-file: the first N
# devices (all without N) of STORE/devices.jsonl, which holds one
# `sipcloak device add --json` object per line. Args: store [n].
reg_creds() {
	sed -n "1,${2:-\$}s/.*\"sip_username\":\"\([^\"]*\)\",\"password\":\"\([^\"]*\)\".*/\1 \2/p" \
		"$1/devices.jsonl"
}
