#!/usr/bin/env bash
# cli_store_test.sh SIPCLOAK: the user, device and key commands of the built
# program: exit codes, text and --json output (JSON checked with node),
# --help against docs/cli.md, weak passwords and readable key files
# refused, secrets shown once, and a scan of the database files and of
# every other output for each password and HA1. Run by CTest as
# gw_cli_store (tests/gw/cli_store.cmake).
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")" || exit 1
docs=$(realpath ../../docs)
tmp=$(mktemp -d /tmp/gw_cli_store.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0
count=0
n=0

fail() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

# run RC ARGS...: runs the program in $tmp, checks its exit code. Output is
# left in $tmp/out and $tmp/err and, unless ONCE=1 (the one-time outputs
# that carry a secret), appended to $tmp/outputs for the secret scan.
run() {
	local want=$1 rc
	shift
	count=$((count + 1))
	(cd "$tmp" && "$bin" -c sc.ini "$@" <"${STDIN:-/dev/null}" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ "$rc" -eq "$want" ] ||
		fail "sipcloak $*: exit $rc, want $want; stderr: $(cat "$tmp/err")"
	if [ "${ONCE:-0}" != 1 ]; then
		cat "$tmp/out" "$tmp/err" >>"$tmp/outputs"
	fi
	# every state of the WAL, for the secret scan
	[ -s "$tmp/var/sipcloak.db-wal" ] &&
		cat "$tmp/var/sipcloak.db-wal" >>"$tmp/wals"
	return 0
}

expect_out() {
	[ "$(cat "$tmp/out")" = "$1" ] ||
		fail "stdout: got <<$(cat "$tmp/out")>> want <<$1>>"
}
expect_in() {
	grep -qF -- "$2" "$1" || fail "$1 lacks <<$2>> ($(head -c 300 "$1"))"
}
# js EXPR: evaluates EXPR with o = the JSON on stdout; fails unless true.
js() {
	node -e "const o = JSON.parse(require('fs').readFileSync(0, 'utf8'));
		process.exit(($1) ? 0 : 1)" <"$tmp/out" ||
		fail "json: !($1) in $(cat "$tmp/out")"
}
# jsv EXPR: prints the value of EXPR on the JSON on stdout.
jsv() {
	node -e "const o = JSON.parse(require('fs').readFileSync(0, 'utf8'));
		console.log($1)" <"$tmp/out"
}

mkdir -p "$tmp/var"
cat >"$tmp/sc.ini" <<'INI'
[server]
public_address = gw.example.com
[https]
listen = 127.0.0.1:8443
cert = var/cert.pem
key = var/key.pem
[sip]
domain = example.com
[connection office]
type = registration
host = 127.0.0.1
[connection trunk]
type = trunk
host = 127.0.0.1
port = 5080
[connection in]
type = inbound
INI
db=$tmp/var/sipcloak.db

# --help of every command: stdout, exit 0, the same text in docs/cli.md
for cmd in user "user add" "user set" "user list" "user show" "user remove" device \
	"device add" "device list" "device revoke" "device rotate" \
	"device link" key "key init" "key rotate" connection \
	"connection status" "connection credentials" "connection auth"; do
	# shellcheck disable=SC2086 # split the command words
	run 0 $cmd --help
	expect_in "$tmp/out" "usage: sipcloak [-c FILE] [--json] $cmd"
	[[ $(cat "$docs/cli.md") == *"$(cat "$tmp/out")"* ]] ||
		fail "docs/cli.md lacks the --help text of '$cmd'"
done

# no key file yet: every store command refuses with exit 2
run 2 user list
expect_in "$tmp/err" "master key file var/master.key does not exist"
run 2 --json user list
js 'o.ok === false && /key init/.test(o.error)'

# key init: 0600, once
run 0 key init
expect_out "master key file var/master.key created (mode 0600, key id 1); back it up apart from the database"
[ "$(stat -c %a "$tmp/var/master.key")" = 600 ] || fail "key file mode"
run 1 key init
expect_in "$tmp/err" "exists: refusing to replace it"
run 1 --json key init
js 'o.ok === false'
run 2 key init extra
expect_in "$tmp/err" "sipcloak: unexpected argument 'extra'"

# a key file readable by group or others is refused by every store command
chmod 640 "$tmp/var/master.key"
for cmd in "user list" "user add x" "device list x" "device add x" \
	"device revoke 1" "device rotate 1" "device link x" "key rotate"; do
	# shellcheck disable=SC2086
	run 2 $cmd
	expect_in "$tmp/err" "readable by group or others: refused"
done
chmod 604 "$tmp/var/master.key"
run 2 user list
chmod 600 "$tmp/var/master.key"
[ -e "$db" ] && fail "the store was created with a bad key file"

# users
run 0 user add alice --extension 201 --display "Alice Liddell"
expect_out "user alice added"
[ "$(stat -c %a "$db")" = 600 ] || fail "database mode $(stat -c %a "$db")"

# Another connection holds the database open for the rest of the test, as
# the running server does: the -wal file then outlives each command and is
# scanned for secrets at the end.
holder=
command -v sqlite3 >/dev/null ||
	fail "the sqlite3 command is missing (scripts/deps.sh test installs it)"
if command -v sqlite3 >/dev/null; then
	mkfifo "$tmp/fifo"
	sqlite3 "$db" <"$tmp/fifo" >/dev/null 2>&1 &
	holder=$!
	exec 3>"$tmp/fifo"
	echo "SELECT count(*) FROM users;" >&3
fi
run 0 --json user add bob
js 'o.name === "bob" && o.extension === null && o.display === null &&
	typeof o.created === "number" && o.active_devices === 0'
run 1 user add alice
expect_in "$tmp/err" "sipcloak: user already exists"
run 1 --json user add alice
js 'o.ok === false && o.error === "user already exists"'
run 1 user add "bad name"
expect_in "$tmp/err" "user name 'bad name'"
run 2 user add
expect_in "$tmp/err" "sipcloak: missing argument"
run 2 user add carol --bogus
expect_in "$tmp/err" "sipcloak: unknown option '--bogus'"
run 2 user add carol --display
expect_in "$tmp/err" "sipcloak: option needs a value: '--display'"
run 0 user list
expect_in "$tmp/out" "alice                201        Alice Liddell"
run 0 --json user list
js 'o.length === 2 && o[0].name === "alice" && o[0].extension === "201" &&
	o[0].display === "Alice Liddell" && o[1].name === "bob"'
run 0 user show alice
expect_in "$tmp/out" "user alice"
run 1 user show nobody
expect_in "$tmp/err" "sipcloak: no such user"

# device add: the secret is shown once, in exactly these fields
ONCE=1 run 0 --json device add alice --label laptop
js 'Object.keys(o).join() ===
	"device,user,sip_username,password,sip_uri,ws_url,realm"'
js 'o.user === "alice" && o.realm === "example.com" &&
	o.ws_url === "wss://gw.example.com:8443/ws" &&
	o.sip_uri === "sip:" + o.sip_username + "@example.com" &&
	/^d[a-z0-9]{20}$/.test(o.sip_username) &&
	/^[A-Za-z0-9]{32}$/.test(o.password)'
dev1=$(jsv o.device)
declare -A pw user
pw[$dev1]=$(jsv o.password)
user[$dev1]=$(jsv o.sip_username)
ONCE=1 run 0 device add alice
expect_in "$tmp/out" "the password is shown only now"
dev2=$(awk '/^device/ {print $2}' "$tmp/out")
pw[$dev2]=$(awk '$1 == "password" {print $2}' "$tmp/out")
user[$dev2]=$(awk '$1 == "sip_username" {print $2}' "$tmp/out")
[ ${#pw[$dev2]} -eq 32 ] || fail "text password: ${pw[$dev2]}"
run 1 device add nobody
expect_in "$tmp/err" "sipcloak: no such user"

# operator-chosen passwords: weak ones refused with estimate and reason
echo password123 >"$tmp/weak"
STDIN=$tmp/weak run 1 device add alice --password-stdin
expect_in "$tmp/err" "weak password refused: estimated"
expect_in "$tmp/err" "at least 80 needed"
expect_in "$tmp/err" "contains a common word or password"
STDIN=$tmp/weak run 1 --json device add alice --password-stdin
js 'o.ok === false && o.error === "weak password" && o.bits < 80 &&
	o.min_bits === 80 && o.reason.length > 0'
strong='Vq8#mZr!2pLx@9wKe7$TnB4yHs'
echo "$strong" >"$tmp/strong"
STDIN=$tmp/strong ONCE=1 run 0 --json device add bob --password-stdin
js "o.password === '$strong'"
dev3=$(jsv o.device)
pw[$dev3]=$strong
user[$dev3]=$(jsv o.sip_username)

# device list never shows a secret
run 0 device list alice
expect_in "$tmp/out" "laptop"
expect_in "$tmp/out" "${user[$dev1]}"
run 0 --json device list alice
js 'o.length === 2 && o[0].label === "laptop" && o[0].revoked === false &&
	o[0].last_seen_at === null && o[0].last_address === null &&
	!("password" in o[0]) && o[1].label === null'
run 1 device list nobody

# rotate: a new secret, once; the old one is gone
ONCE=1 run 0 --json device rotate "$dev1"
js "o.device === $dev1 && o.sip_username === '${user[$dev1]}' &&
	o.password !== '${pw[$dev1]}'"
old1=${pw[$dev1]}
pw[$dev1]=$(jsv o.password)
STDIN=$tmp/weak run 1 device rotate "$dev1" --password-stdin
run 1 device rotate 999
expect_in "$tmp/err" "sipcloak: no such device"
run 2 device rotate abc
expect_in "$tmp/err" "sipcloak: not a device id 'abc'"

# links
ONCE=1 run 0 --json device link alice --ttl 1h --label phone
js 'Object.keys(o).join() === "device,url,expires_at" &&
	/^https:\/\/gw\.example\.com:8443\/p\/[A-Za-z0-9]{32}$/.test(o.url) &&
	Math.abs(o.expires_at - Date.now() / 1000 - 3600) < 60'
dev4=$(jsv o.device)
ONCE=1 run 0 device link alice
expect_in "$tmp/out" "https://gw.example.com:8443/p/"
expect_in "$tmp/out" "▀"
for t in 59s 8d 15x "" m; do
	run 2 device link alice --ttl "$t"
	expect_in "$tmp/err" "sipcloak: bad --ttl"
done
run 0 --json device list alice
js 'o.length === 4 && o[2].label === "phone"'

# revoke
run 0 device revoke "$dev2"
expect_out "device $dev2 revoked
server not running: nothing to end"
run 1 device revoke "$dev2"
expect_in "$tmp/err" "sipcloak: device is revoked"
run 0 --json device revoke "$dev4"
js "o.device === $dev4 && o.revoked === true && o.registrations_ended === null"
run 1 --json device revoke 999
js 'o.ok === false && o.error === "no such device"'
run 0 --json device list alice
js 'o[1].revoked === true && typeof o[1].revoked_at === "number"'

# key rotate re-seals everything under key 2; the store still works
run 0 --json key rotate
js 'o.key_id === 2 && o.resealed >= 4'
[ "$(stat -c %a "$tmp/var/master.key")" = 600 ] || fail "rotated key mode"
run 0 --json device list alice
js 'o[0].key_id === 2'
ONCE=1 run 0 --json device rotate "$dev3"
pw[r$dev3]=$(jsv o.password)
user[r$dev3]=${user[$dev3]}

# the PBX side: a user's PBX password, a trunk's login, an inbound PBX's
# credential; each secret shown at most once, never stored in clear
pbxpw=Pbx-$RANDOM-$RANDOM-secret
trunkpw=Trunk-$RANDOM-$RANDOM-secret
printf '%s\n' "$pbxpw" >"$tmp/pbxpw"
printf '%s\n' "$trunkpw" >"$tmp/trunkpw"
STDIN=$tmp/pbxpw run 0 user set alice --connection office --pbx-user 9201 \
	--pbx-password-stdin
expect_out "user alice changed"
run 0 --json user show alice
js 'o.connection === "office" && o.pbx_user === "9201" && o.pbx_password === true'
run 0 user show alice
expect_in "$tmp/out" "pbx password set (sealed)"
STDIN=$tmp/pbxpw run 1 user set alice --connection nowhere
expect_in "$tmp/err" "no [connection nowhere] in sc.ini"
run 1 user set alice --pbx-password-stdin
expect_in "$tmp/err" "no PBX password on stdin"
STDIN=$tmp/trunkpw run 0 connection auth trunk --user gw1 --password-stdin
expect_out "outbound credentials of connection trunk set (user gw1)"
STDIN=$tmp/trunkpw run 1 connection auth office --user gw1 --password-stdin
run 2 connection auth trunk --user gw1
ONCE=1 run 0 --json connection credentials in
js '/^p[a-z0-9]{20}$/.test(o.username) && /^[A-Za-z0-9]{22}$/.test(o.password) && o.realm === "example.com"'
inpw=$(jsv o.password)
inuser=$(jsv o.username)
run 1 connection credentials office
run 1 connection status
expect_in "$tmp/err" "server not running"
if [ -n "$holder" ]; then
	got=$(sqlite3 "$db" "SELECT kind || ':' || username FROM connection_secrets ORDER BY kind")
	[ "$got" = "$(printf 'auth:gw1\ninbound:%s' "$inuser")" ] ||
		fail "connection_secrets: $got"
fi

# remove
run 0 --json user remove bob
js 'o.removed === "bob" && o.devices.length === 1'
run 1 user remove bob
run 0 --json user list
js 'o.length === 1 && o[0].active_devices === 2'

# device add --count: N devices at once, each with its own credential, a
# JSON array of `device add --json` objects; bad N and the user's limit
# refused with nothing added
run 0 user add carol
ONCE=1 run 0 --json device add carol --count 5 --label bulk
js 'Array.isArray(o) && o.length === 5 && o.every((d) =>
	Object.keys(d).join() ===
		"device,user,sip_username,password,sip_uri,ws_url,realm" &&
	d.user === "carol" && d.realm === "example.com" &&
	d.sip_uri === "sip:" + d.sip_username + "@example.com" &&
	/^d[a-z0-9]{20}$/.test(d.sip_username) &&
	/^[A-Za-z0-9]{32}$/.test(d.password)) &&
	new Set(o.map((d) => d.sip_username)).size === 5 &&
	new Set(o.map((d) => d.password)).size === 5 &&
	new Set(o.map((d) => d.device)).size === 5'
while read -r id u p; do
	pw[$id]=$p
	user[$id]=$u
done < <(jsv 'o.map((d) => `${d.device} ${d.sip_username} ${d.password}`).join("\n")')
ONCE=1 run 0 device add carol --count 2
[ "$(grep -c "the password is shown only now" "$tmp/out")" = 2 ] ||
	fail "device add --count 2 in text: $(cat "$tmp/out")"
run 0 --json device list carol
js 'o.length === 7 && o.slice(0, 5).every((d) => d.label === "bulk") &&
	o[5].label === null'
for c in 0 65 -1 abc "" 3x 99999999999999999999; do
	run 2 device add carol --count "$c"
	expect_in "$tmp/err" "sipcloak: bad --count '$c' (expected 1 to 64)"
done
STDIN=$tmp/strong run 2 device add carol --count 2 --password-stdin
expect_in "$tmp/err" "not with --password-stdin"
run 1 device add carol --count 58
expect_in "$tmp/err" "sipcloak: user carol has 7 active device(s): 58 more would pass the limit of 64 per user"
run 1 --json device add carol --count 58
js 'o.ok === false && /has 7 active device/.test(o.error)'
run 1 device add nobody --count 2
expect_in "$tmp/err" "sipcloak: no such user"
run 0 --json device list carol
js 'o.length === 7'
ONCE=1 run 0 --json device add carol --count 57
js 'o.length === 57 && new Set(o.map((d) => d.sip_username)).size === 57'
run 0 --json device list carol
js 'o.length === 64 && new Set(o.map((d) => d.sip_username)).size === 64'
run 1 device add carol --count 1
run 0 user remove carol

# the audit trail has every change, by "cli"
if [ -n "$holder" ]; then
	[ -s "$tmp/wals" ] || fail "no WAL while the database is held open"
	actions=$(sqlite3 "$db" "SELECT DISTINCT actor || ' ' || action FROM audit ORDER BY 1")
	for a in user.add device.add device.rotate link.create \
		device.revoke store.rekey user.remove; do
		[[ $actions == *"cli $a"* ]] || fail "audit lacks cli $a: $actions"
	done
fi

# secret scan: no password, old or current, and no HA1 appears in the
# database, its WAL and shm files, or any output but the one-time ones
secrets=("$old1" "$pbxpw" "$trunkpw" "$inpw")
secrets+=("$(printf '%s' "$inuser:example.com:$inpw" | md5sum | cut -d' ' -f1)")
secrets+=("$(printf '%s' "$inuser:example.com:$inpw" | sha256sum | cut -d' ' -f1)")
for k in "${!pw[@]}"; do
	p=${pw[$k]}
	u=${user[$k]:-}
	[ -n "$p" ] || continue
	secrets+=("$p")
	if [ -n "$u" ]; then
		secrets+=("$(printf '%s' "$u:example.com:$p" | md5sum | cut -d' ' -f1)")
		secrets+=("$(printf '%s' "$u:example.com:$p" | sha256sum | cut -d' ' -f1)")
	fi
done
[ ${#secrets[@]} -ge 10 ] || fail "secret scan: only ${#secrets[@]} secrets"
files=("$tmp/outputs" "$db")
for f in "$db-wal" "$db-shm" "$tmp/wals"; do [ -e "$f" ] && files+=("$f"); done
for s in "${secrets[@]}"; do
	n=$((n + 1))
	for f in "${files[@]}"; do
		grep -aqF -- "$s" "$f" && fail "secret $s found in $f"
	done
done
if [ -n "$holder" ]; then
	exec 3>&-
	wait "$holder"
fi

echo "gw_cli_store: $count runs, $n secrets scanned, $failed failed"
[ "$failed" -eq 0 ]
