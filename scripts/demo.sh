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

# The master key (0600) and two demo users (extensions 100 and 101), each
# with a fresh one-time link to the web softphone on every run; the devices
# of the previous run's links are revoked first.
[ -f "$var/master.key" ] || sc key init >/dev/null
for u in "demo:100:Demo User" "demo2:101:Second Demo"; do
	IFS=: read -r name ext display <<<"$u"
	sc --json user list 2>/dev/null | grep -q "\"$name\"" ||
		sc user add "$name" --extension "$ext" --display "$display" >/dev/null
done
if [ -f "$var/demo.links" ]; then
	while read -r id; do
		sc device revoke "$id" >/dev/null 2>&1 || true
	done <"$var/demo.links"
fi
link1=$(sc device link demo --ttl 1h --label "make run")
link2=$(sc --json device link demo2 --ttl 1h --label "make run")
{
	sed -n '1s/^device \([0-9]*\) .*/\1/p' <<<"$link1"
	field "$link2" device
} >"$var/demo.links"

cat <<MSG

  sipcloak demo gateway
  ---------------------
  Web softphone:       https://127.0.0.1:8443/   (self-signed certificate: accept it once)
  SIP over WebSocket:  wss://127.0.0.1:8443/ws   (subprotocol "sip")
  Health check:        https://127.0.0.1:8443/healthz
  SIP UDP/TCP:         sip:sipcloak.test;transport=udp  at 127.0.0.1:5060
  SIP TLS:             127.0.0.1:5061
  Config:              $cfg

  Open this one-time link in a browser (on this machine) to set up the web
  softphone as "Demo User" (extension 100), then dial *43 for the echo test:
  $link1

  A second one-time link, "Second Demo" (extension 101): open it in another
  browser profile or a private window, and the two can call 100 and 101:
    $(field "$link2" url)

  (new links on every \`make run\`; more: build/sipcloak -c $cfg device link demo)

  Echo test: call *43 from the device: the gateway answers and plays your own
  voice back through the whole media path (DTLS-SRTP, Opus <-> G.711).

  Stop with Ctrl-C.

MSG
exec build/sipcloak serve -c "$cfg"
