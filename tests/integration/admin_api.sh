#!/usr/bin/env bash
# admin_api.sh SIPCLOAK: the admin API (/api/v1, issue 6) end to end: tokens
# made, listed and revoked with the CLI; every endpoint with curl against a
# running gateway; 401 for missing, bad and revoked tokens, 429 after
# repeated failures; 400s naming the field; a device revoked through the
# API loses its JsSIP registration at once (admin_api.mjs); audit entries
# with their actors; the token in no log or store file.
SIPCLOAK=$1
source "$(dirname "$0")/lib.sh"
[ -d "$TESTDIR/node_modules/jssip" ] ||
	fail "tests/integration/node_modules missing (scripts/deps.sh test runs npm ci)"
LOG_LEVEL=debug
write_config
cli() { "$SIPCLOAK" -c "$WORK/sipcloak.ini" "$@"; }
jget() { node -e 'let v=JSON.parse(process.argv[1]); for (const k of process.argv[2].split(".")) v=v[k]; console.log(v)' "$1" "$2"; }

# Tokens through the CLI: shown once, listed without the token, revocable.
out=$(cli --json admin token create ops) || fail "admin token create"
TOKEN=$(jget "$out" token)
[[ "$TOKEN" =~ ^sca_[A-Za-z0-9]{32}$ ]] || fail "token shape: $TOKEN"
out=$(cli --json admin token create old) || fail "admin token create old"
OLD=$(jget "$out" token)
cli admin token create ops >/dev/null 2>&1 && fail "a second token 'ops'"
list=$(cli --json admin token list) || fail "admin token list"
[ "$(jget "$list" length)" = 2 ] || fail "token list: $list"
! grep -qF "sca_" <<<"$list" || fail "token list shows a token"
cli admin token list | grep -q "^ops " || fail "token list text"

start_gateway
BASE="https://127.0.0.1:$HTTPS_PORT/api/v1"
# api METHOD PATH [BODY] [TOKEN]: sets STATUS and BODY, headers in $WORK/h
api() {
	local tok=${4-$TOKEN} args=(-sk -o "$WORK/b" -D "$WORK/h" -w '%{http_code}' -X "$1")
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data "$3")
	STATUS=$(curl "${args[@]}" "$BASE$2")
	BODY=$(cat "$WORK/b")
}
expect() { # expect STATUS WHAT
	[ "$STATUS" = "$1" ] || fail "$2: got $STATUS, want $1: $BODY"
}

api GET /users
expect 200 "GET /users"
[ "$BODY" = "[]" ] || fail "empty user list: $BODY"
grep -qi '^cache-control: no-store' "$WORK/h" || fail "no Cache-Control: no-store"
grep -qi '^content-type: application/json' "$WORK/h" || fail "not JSON"

# 401s: no header, another scheme, a bad token, a revoked one.
api GET /users "" ""
expect 401 "no token"
grep -qi '^www-authenticate: bearer' "$WORK/h" || fail "401 without WWW-Authenticate"
[ "$(jget "$BODY" error)" = unauthorized ] || fail "401 body: $BODY"
STATUS=$(curl -sk -o /dev/null -w '%{http_code}' -u a:b "$BASE/users")
[ "$STATUS" = 401 ] || fail "Basic auth: $STATUS"
api GET /users "" "sca_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect 401 "bad token"
api GET /users "" "$OLD"
expect 200 "old token before revoke"
cli admin token revoke old >/dev/null || fail "admin token revoke"
api GET /users "" "$OLD"
expect 401 "revoked token"
cli admin token revoke old >/dev/null 2>&1 && fail "revoking twice"

# Users.
api POST /users '{"name":"alice","extension":"1001","display":"Alice Example"}'
expect 201 "POST /users"
[ "$(jget "$BODY" name)" = alice ] || fail "created user: $BODY"
api POST /users '{"name":"alice"}'
expect 409 "duplicate user"
# JSON escapes are decoded (RFC 8259 §7): a quote and an é in a display name
api POST /users '{"name":"dora","display":"Dora \"D\" Expl\u00f3ra"}'
expect 201 "POST /users with escapes"
[ "$(jget "$BODY" display)" = 'Dora "D" Explóra' ] ||
	fail "escaped display name: $BODY"
api DELETE /users/dora
expect 200 "DELETE dora"
api POST /users '{"name":"bad name"}'
expect 400 "bad name"
[ "$(jget "$BODY" field)" = name ] || fail "400 names the field: $BODY"
api POST /users '{"extension":"1"}'
expect 400 "no name"
[ "$(jget "$BODY" field)" = name ] || fail "missing name: $BODY"
api POST /users '{"name":"bob","colour":"red"}'
expect 400 "unknown member"
[ "$(jget "$BODY" field)" = colour ] || fail "unknown member: $BODY"
api POST /users '{"name":'
expect 400 "malformed JSON"
[ "$(jget "$BODY" field)" = name ] || fail "malformed at name: $BODY"
api POST /users '["alice"]'
expect 400 "not an object"
[ "$(jget "$BODY" field)" = body ] || fail "not an object: $BODY"
api POST /users "{\"name\":\"$(printf 'x%.0s' $(seq 1 70))\"}"
expect 400 "long name"
[ "$(jget "$BODY" field)" = name ] || fail "long name: $BODY"
api POST /users "{\"display\":\"$(head -c 5000 /dev/zero | tr '\0' a)\"}"
expect 413 "big body"
api POST /users '{"name":"bob"}'
expect 201 "POST bob"
api GET /users
[ "$(jget "$BODY" length)" = 2 ] || fail "two users: $BODY"
api GET /users/alice
expect 200 "GET /users/alice"
[ "$(jget "$BODY" extension)" = 1001 ] || fail "alice: $BODY"
api GET /users/nobody
expect 404 "unknown user"
api PUT /users/alice '{}'
expect 405 "PUT"
grep -qi '^allow: GET, HEAD, DELETE' "$WORK/h" || fail "405 without Allow"
api GET /nothing
expect 404 "unknown path"

# Devices and links.
api POST /users/alice/devices '{"label":"laptop"}'
expect 201 "POST devices"
DEV1=$(jget "$BODY" device)
[ -n "$(jget "$BODY" password)" ] || fail "no password: $BODY"
[ "$(jget "$BODY" realm)" = sipcloak.test ] || fail "realm: $BODY"
api POST /users/nobody/devices '{}'
expect 404 "devices of unknown user"
api GET /users/alice/devices
expect 200 "GET devices"
[ "$(jget "$BODY" length)" = 1 ] || fail "one device: $BODY"
! grep -q password <<<"$BODY" || fail "device list shows a password"
api GET "/devices/$DEV1"
expect 200 "GET device"
api POST "/devices/$DEV1/rotate"
expect 200 "rotate"
[ -n "$(jget "$BODY" password)" ] || fail "rotate: $BODY"
api GET /devices/abc
expect 404 "bad device id"
api POST /users/alice/links '{"ttl":10}'
expect 400 "ttl too short"
[ "$(jget "$BODY" field)" = ttl ] || fail "ttl: $BODY"
api POST /users/alice/links '{"ttl":"x"}'
expect 400 "ttl a string"
api POST /users/alice/links '{"ttl":900,"label":"phone"}'
expect 201 "POST links"
URL=$(jget "$BODY" url)
[[ "$URL" == https://127.0.0.1:$HTTPS_PORT/p/* ]] || fail "link url: $BODY"
STATUS=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -d '{}' "$URL")
[ "$STATUS" = 200 ] || fail "the link does not redeem: $STATUS"

# A device made through the API registers with JsSIP; revoking it through
# the API ends the registration at once.
api POST /users/bob/devices '{"label":"jssip"}'
expect 201 "bob's device"
NODE_EXTRA_CA_CERTS="$WORK/cert.pem" API_TOKEN="$TOKEN" DEVICE="$BODY" \
	node "$TESTDIR/admin_api.mjs" "$HTTPS_PORT" || fail "admin_api.mjs"

# Bans and connections (the control socket's handlers, in process).
api GET /bans
expect 200 "GET /bans"
[ "$(jget "$BODY" ok)" = true ] || fail "bans: $BODY"
api DELETE /bans/192.0.2.1
expect 404 "no such ban"
api POST /bans
expect 405 "POST /bans"
api GET /connections
expect 200 "GET /connections"

# Users go with their devices.
api DELETE /users/bob
expect 200 "DELETE bob"
api GET /users/bob
expect 404 "bob gone"

# Rate limit: 10 failures from one address (4 were made above), then 429
# with Retry-After, even for a good token.
for i in $(seq 5 10); do
	api GET /users "" "sca_bad$i"
	expect 401 "failure $i"
done
api GET /users "" "sca_bad11"
expect 429 "rate limited bad token"
api GET /users
expect 429 "rate limited"
grep -qi '^retry-after: [0-9]' "$WORK/h" || fail "429 without Retry-After"

stop_gateway

# The audit trail, from the CLI: API changes as api:ops, token changes as cli.
audit=$(cli --json audit list) || fail "audit list"
for want in 'api:ops user.add' 'api:ops device.add' 'api:ops device.rotate' \
	'api:ops device.revoke' 'api:ops link.create' 'api:ops user.remove' \
	'cli token.create' 'cli token.revoke'; do
	node -e '
const [actor, action] = process.argv[2].split(" ");
const rows = JSON.parse(process.argv[1]);
process.exit(rows.some((r) => r.actor === actor && r.action === action) ? 0 : 1);' \
		"$audit" "$want" || fail "no audit row '$want'"
done
cli audit list | grep -q "api:ops" || fail "audit list text"
echo "audit: every change present with its actor"

# The tokens appear in no log and no store file.
for t in "$TOKEN" "$OLD"; do
	for f in "$WORK/gateway.log" "$WORK"/sipcloak.db*; do
		[ -f "$f" ] || continue
		! grep -qF "$t" "$f" || fail "a token appears in $(basename "$f")"
		! grep -qF "${t#sca_}" "$f" || fail "a token appears in $(basename "$f")"
	done
done
echo "secret scan: no token in the log or the store files"
echo "admin_api: all passed"
