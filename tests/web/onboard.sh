#!/usr/bin/env bash
# onboard.sh SIPCLOAK ARTIFACTS: the web softphone's onboarding and
# registration in headless Chromium (onboard.mjs) against the real gateway,
# plus path traversal against the static handler with curl. On failure the
# screenshots, browser consoles and the gateway log stay in ARTIFACTS.
SIPCLOAK=$1
ARTIFACTS=$2
source "$(dirname "$0")/../integration/lib.sh"
[ -d "$TESTDIR/node_modules/playwright-core" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing (scripts/deps.sh test installs it)"
WEB=$(dirname "$SIPCLOAK")/web
[ -f "$WEB/index.html" ] || fail "$WEB/index.html missing: build the target web"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

write_config
# the fake microphone: a steady 440 Hz tone (Chromium loops the file)
sox -n -r 48000 -c 1 -b 16 "$WORK/tone.wav" synth 20 sine 440 vol 0.5 ||
	fail "sox cannot make the tone"
export WEB_TONE=$WORK/tone.wav
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
cli user add alice --display "Alice Example" >/dev/null || fail "user add"
link() { cli --json device link alice "$@" || fail "device link"; }
main=$(link)
spare=$(link)
expiring=$(link --ttl 1m)
export WEB_LINKS="{\"main\":$main,\"spare\":$spare,\"expiring\":$(node -e '
	const j = JSON.parse(process.argv[1]); console.log(JSON.stringify({...j, at: j.expires_at}))' "$expiring")}"
export NODE_EXTRA_CA_CERTS=$WORK/cert.pem WEB_CLI=$SIPCLOAK WEB_CONFIG=$WORK/sipcloak.ini WEB_PORT=$HTTPS_PORT WEB_ARTIFACTS=$ARTIFACTS

rc=0
node "$(dirname "$0")/onboard.mjs" || rc=$?

# traversal and odd paths through the real server, bytes as sent (curl
# --path-as-is): never a file from outside build/web, never a listing
start_gateway
for p in '/../../../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/..%2f..%2fetc%2fpasswd' \
	'/..%5c..%5cetc%5cpasswd' '/%252e%252e/etc/passwd' '/app.js%00.html' '/.%2e/sipcloak.ini' \
	'//etc/passwd' '/web/../sipcloak' '/CMakeFiles/' '/.hidden'; do
	code=$(curl -sk --path-as-is -o "$WORK/body" -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT$p") || code=000
	case "$code" in 404 | 400 | 000) ;; *) echo "traversal $p: $code" >&2; rc=1 ;; esac
	! grep -q 'root:' "$WORK/body" 2>/dev/null || { echo "traversal $p: /etc/passwd served" >&2; rc=1; }
done
code=$(curl -sk -o /dev/null -w '%{http_code}' -X DELETE "https://127.0.0.1:$HTTPS_PORT/")
[ "$code" = 405 ] || { echo "DELETE /: $code" >&2; rc=1; }
code=$(curl -sk -o /dev/null -w '%{http_code}' -I "https://127.0.0.1:$HTTPS_PORT/app.js")
[ "$code" = 200 ] || { echo "HEAD /app.js: $code" >&2; rc=1; }
stop_gateway
cp "$WORK/gateway.log" "$ARTIFACTS/gateway-curl.log" 2>/dev/null || true
[ $rc -eq 0 ] || fail "see $ARTIFACTS"
rm -rf "$ARTIFACTS"
echo "web onboard: ok"
