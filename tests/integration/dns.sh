#!/usr/bin/env bash
# dns.sh SIPCLOAK: RFC 3263 resolution and failover against real peers on
# loopback. dnsmasq serves a test zone on a free port ([server] dns_servers
# points there): _sip._tcp.pbx.test has two SRV targets, a (priority 10)
# and b (priority 20), each a sipp registrar. A `register = always`
# registration goes to a; sipp a is stopped; the next refresh fails at the
# transport (connection refused) and moves to b at once, without a
# back-off. A trunk whose first SRV target has nobody listening fails over
# to the second for its OPTIONS and is up. A host that does not resolve
# shows "DNS <host>: ..." in `connection status`. A UDP trunk whose first
# SRV target is a closed UDP port fails over at the ICMP port unreachable
# (RFC 3261 §18.4) and is up within about a second, not at Timer F (32 s).
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || fail "dnsmasq is not installed (scripts/deps.sh test)"
command -v sipp >/dev/null || fail "sipp is not installed"

DNS_PORT=$(free_port)
PA=$(free_port)
PB=$(free_port)
PT=$(free_port)
DEAD=$(free_port)
PU=$(free_port)
DEAD_U=$(free_port) # nothing listens there on UDP
dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
	--port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
	--local=/test/ --log-queries --log-facility="$WORK/dnsmasq.log" \
	--host-record=a.pbx.test,127.0.0.1 --host-record=b.pbx.test,127.0.0.1 \
	--srv-host="_sip._tcp.pbx.test,a.pbx.test,$PA,10,10" \
	--srv-host="_sip._tcp.pbx.test,b.pbx.test,$PB,20,10" \
	--srv-host="_sip._tcp.trunk.test,a.pbx.test,$DEAD,10,10" \
	--srv-host="_sip._tcp.trunk.test,b.pbx.test,$PT,20,10" \
	--srv-host="_sip._udp.utrunk.test,a.pbx.test,$DEAD_U,10,10" \
	--srv-host="_sip._udp.utrunk.test,b.pbx.test,$PU,20,10" \
	>"$WORK/dnsmasq.out" 2>&1 &
PIDS+=($!)
sipp_reg() { # sipp_reg PORT NAME: a registrar over TCP
	sipp -sf "$TESTDIR/sipp/register_uas.xml" -t t1 -i 127.0.0.1 -p "$1" \
		-nostdin -trace_msg -message_file "$WORK/sipp_$2.msg" \
		>"$WORK/sipp_$2.log" 2>&1 &
	PIDS+=($!)
}
sipp_reg "$PA" a
SIPP_A=$!
sipp_reg "$PB" b
sipp -sf "$TESTDIR/sipp/options_uas.xml" -t t1 -i 127.0.0.1 -p "$PT" \
	-nostdin >"$WORK/sipp_trunk.log" 2>&1 &
PIDS+=($!)
sipp -sf "$TESTDIR/sipp/options_uas.xml" -t u1 -i 127.0.0.1 -p "$PU" \
	-nostdin >"$WORK/sipp_utrunk.log" 2>&1 &
PIDS+=($!)

EXTRA_CONF="[connection office]
type = registration
transport = tcp
host = pbx.test
register = always
[connection trunk]
type = trunk
transport = tcp
host = trunk.test
options_interval = 5
[connection utrunk]
type = trunk
transport = udp
host = utrunk.test
options_interval = 60
[connection lost]
type = registration
transport = tcp
host = nowhere.test
register = always"
write_config
sed -i "/^\[server\]/a dns_servers = 127.0.0.1:$DNS_PORT" "$WORK/sipcloak.ini"
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
json() { node -e "const o=JSON.parse(require('fs').readFileSync(0,'utf8')); $1"; }
cli config check >/dev/null || fail "config check: $(cli config check 2>&1)"
cli user add alice --extension 201 --connection office >/dev/null ||
	fail "user add alice"
cli user add carol --extension 203 --connection lost >/dev/null ||
	fail "user add carol"

start_gateway
T_START=$(date +%s%N)
status() { cli --json connection status; }
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}
reg_at() { # reg_at USER STATE PORT
	status | json "process.exit(o.registrations.some(r => r.user === '$1' &&
		r.state === '$2' && r.target === '127.0.0.1:$3') ? 0 : 1)"
}
conn_at() { # conn_at NAME STATE PORT
	status | json "process.exit(o.connections.some(c => c.name === '$1' &&
		c.state === '$2' && c.target === '127.0.0.1:$3') ? 0 : 1)"
}
count_reg() { # REGISTERs sipp NAME received
	[ -f "$WORK/sipp_$1.msg" ] || { echo 0; return; }
	grep -c "^REGISTER sip:" "$WORK/sipp_$1.msg" || true
}

# SRV priority 10 first: alice registers at a
wait_for 10 reg_at alice registered "$PA" ||
	fail "alice not registered at a ($PA): $(status)"
grep -q "query\[SRV\] _sip._tcp.pbx.test" "$WORK/dnsmasq.log" ||
	fail "no SRV query for _sip._tcp.pbx.test: $(cat "$WORK/dnsmasq.log")"
grep -q "SRV pbx.test -> 127.0.0.1:$PA 127.0.0.1:$PB" "$WORK/gateway.log" ||
	fail "targets not in priority order: $(grep 'pbx.test' "$WORK/gateway.log")"
[ "$(count_reg b)" -eq 0 ] || fail "b got a REGISTER while a was up"

# the trunk: nobody at its first target: OPTIONS fail over to the second
wait_for 10 conn_at trunk up "$PT" || fail "trunk not up at $PT: $(status)"

# the UDP trunk: its first target's port is closed: the ICMP error fails
# that OPTIONS at once and the second target answers, long before Timer F
wait_for 4 conn_at utrunk up "$PU" || fail "UDP trunk not up at $PU within 4 s: $(status)"
T_UP=$(( ($(date +%s%N) - T_START) / 1000000 ))
echo "dns: UDP trunk up at its second target $T_UP ms after the gateway answered"
grep -q "\[connection utrunk\] target 127.0.0.1:$DEAD_U failed" "$WORK/gateway.log" ||
	fail "the closed UDP target's failure not logged: $(grep utrunk "$WORK/gateway.log")"
[ "$T_UP" -lt 3000 ] || fail "UDP failover took $T_UP ms"

# a name that does not resolve: a clear error, per connection and user
status | json "const c=o.connections.find(c => c.name === 'lost');
	const r=o.registrations.find(r => r.user === 'carol');
	process.exit(c.state === 'down' && c.target === null &&
		/^DNS nowhere.test: no such name/.test(c.last_error) &&
		/^DNS nowhere.test/.test(r.last_error) ? 0 : 1)" ||
	fail "no DNS error for nowhere.test: $(status)"
cli connection status >"$WORK/status.txt" || fail "connection status"
grep -q "DNS nowhere.test: no such name" "$WORK/status.txt" ||
	fail "text status: $(cat "$WORK/status.txt")"

# a stops: the next refresh (8.5 s after the last) fails at the transport
# and goes to b at once, without a back-off
kill "$SIPP_A"
wait "$SIPP_A" 2>/dev/null || true
wait_for 15 reg_at alice registered "$PB" ||
	fail "alice did not fail over to b ($PB): $(status)"
[ "$(count_reg b)" -ge 1 ] || fail "b never got a REGISTER"
grep -q "\[connection office\] target 127.0.0.1:$PA failed" "$WORK/gateway.log" ||
	fail "a's failure not logged"
! grep -q "\[connection office\] alice: registration failed" "$WORK/gateway.log" ||
	fail "alice backed off although b was there"
# and stays at b on its next refresh (a is blacklisted)
sleep 9
reg_at alice registered "$PB" || fail "alice left b: $(status)"
[ "$(count_reg b)" -ge 2 ] || fail "no refresh at b"

stop_gateway
echo "dns: ok"
