#!/usr/bin/env bash
# demo.sh: writes a demo configuration under var/ (once) and starts the
# gateway on loopback. Run through `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."

var=var
cfg=$var/sipcloak.ini
mkdir -p "$var/tls"
chmod 700 "$var"

if [ ! -f "$var/tls/cert.pem" ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -days 825 -subj "/CN=sipcloak demo" \
		-addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
		-keyout "$var/tls/key.pem" -out "$var/tls/cert.pem" 2>/dev/null
	chmod 600 "$var/tls/key.pem"
fi

if [ ! -f "$cfg" ]; then
	cat >"$cfg" <<INI
; Written by scripts/demo.sh for \`make run\`. Every key: docs/config.md.
[server]
public_address = 127.0.0.1
echo_number = *43

[https]
listen = 127.0.0.1:8443
cert = $var/tls/cert.pem
key = $var/tls/key.pem

[sip]
domain = sipcloak.test
udp = 127.0.0.1:5060
tcp = 127.0.0.1:5060
tls = 127.0.0.1:5061

[store]
path = $var/sipcloak.db
master_key = $var/master.key

[media]
ports = 40000-40999

[log]
level = info
INI
fi

# configs written by older versions: add the echo service
grep -q '^echo_number' "$cfg" || sed -i 's/^\[server\]$/[server]\necho_number = *43/' "$cfg"
build/sipcloak config check -c "$cfg" >/dev/null
sc() { build/sipcloak -c "$cfg" "$@"; }
field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$1" "$2"; }

# The master key (0600) and a demo user with one device. The device's
# password is shown once by the gateway: each run rotates it and prints the
# new one.
[ -f "$var/master.key" ] || sc key init >/dev/null
if [ -f "$var/demo.device" ]; then
	dev=$(sc --json device rotate "$(cat "$var/demo.device")")
else
	sc user add demo --display "Demo User" >/dev/null
	dev=$(sc --json device add demo --label "make run")
	field "$dev" device >"$var/demo.device"
fi

cat <<MSG

  sipcloak demo gateway
  ---------------------
  SIP over WebSocket:  wss://127.0.0.1:8443/ws   (subprotocol "sip")
  Health check:        https://127.0.0.1:8443/healthz
  SIP UDP/TCP:         sip:sipcloak.test;transport=udp  at 127.0.0.1:5060
  SIP TLS:             127.0.0.1:5061
  Config:              $cfg   (self-signed certificate: accept it once in the browser)

  Demo device (any SIP-over-WebSocket client, e.g. JsSIP or SIP.js):
    SIP URI:           $(field "$dev" sip_uri)
    Username:          $(field "$dev" sip_username)
    Password:          $(field "$dev" password)
    Realm:             $(field "$dev" realm)
    WebSocket:         $(field "$dev" ws_url)
  (a new password on every \`make run\`; more devices: build/sipcloak -c $cfg device add demo)

  Echo test: call *43 from the device: the gateway answers and plays your own
  voice back through the whole media path (DTLS-SRTP, Opus <-> G.711).

  Stop with Ctrl-C.

MSG
exec build/sipcloak serve -c "$cfg"
