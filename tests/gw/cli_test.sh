#!/usr/bin/env bash
# cli_test.sh SIPCLOAK: the command line of the built program: exit codes,
# exact stdout/stderr, and that --help agrees with docs/cli.md and the key
# list with docs/config.md. Run by CTest as gw_cli (tests/gw/cli.cmake).
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")" || exit 1
docs=../../docs
tmp=$(mktemp -d /tmp/gw_cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0
count=0

fail() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

# run RC ARGS...: runs the program, checks its exit code; output is left in
# $tmp/out and $tmp/err.
run() {
	local want=$1 rc
	shift
	count=$((count + 1))
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq "$want" ] ||
		fail "sipcloak $*: exit $rc, want $want; stderr: $(cat "$tmp/err")"
}

# expect_out/expect_err TEXT: the whole stream equals TEXT (plus newline).
expect_out() {
	[ "$(cat "$tmp/out")" = "$1" ] ||
		fail "stdout: got <<$(cat "$tmp/out")>> want <<$1>>"
}
expect_err() {
	[ "$(cat "$tmp/err")" = "$1" ] ||
		fail "stderr: got <<$(cat "$tmp/err")>> want <<$1>>"
}
# expect_in FILE TEXT: TEXT appears in FILE.
expect_in() {
	grep -qF -- "$2" "$1" || fail "$1 lacks <<$2>>"
}

# version
run 0 version
expect_out "sipcloak 0.1.0"
expect_err ""
run 0 --json version
expect_out '{"version":"0.1.0"}'
run 0 version --json

# --help everywhere: usage on stdout, exit 0, and the same text in the docs
for cmd in "" version config "config check" "config keys" serve; do
	# shellcheck disable=SC2086 # split the command words
	run 0 $cmd --help
	expect_in "$tmp/out" "usage: sipcloak [-c FILE] [--json] $cmd"
	[ -s "$tmp/err" ] && fail "$cmd --help wrote to stderr"
	doc=$(cat "$docs/cli.md")
	help=$(cat "$tmp/out")
	[[ $doc == *"$help"* ]] ||
		fail "docs/cli.md lacks the --help text of '$cmd'"
	# shellcheck disable=SC2086
	run 0 -h $cmd
done
run 0 config --help check # options go anywhere
expect_in "$tmp/out" "usage: sipcloak [-c FILE] [--json] config check"

# usage mistakes: usage on stderr, exit 2
run 2
expect_in "$tmp/err" "sipcloak: missing command"
expect_in "$tmp/err" "usage: sipcloak [-c FILE] [--json] COMMAND"
run 2 bogus
expect_in "$tmp/err" "sipcloak: unknown command 'bogus'"
expect_out ""
run 2 --bogus version
expect_in "$tmp/err" "sipcloak: unknown option '--bogus'"
run 2 version --bogus
expect_in "$tmp/err" "sipcloak: unknown option '--bogus'"
expect_in "$tmp/err" "usage: sipcloak [-c FILE] [--json] version"
run 2 version extra
expect_in "$tmp/err" "sipcloak: unexpected argument 'extra'"
run 2 config
expect_in "$tmp/err" "sipcloak: missing subcommand"
run 2 config bogus
expect_in "$tmp/err" "sipcloak: unknown command 'bogus'"
expect_in "$tmp/err" "usage: sipcloak [-c FILE] [--json] config COMMAND"
run 2 config check -c
expect_in "$tmp/err" "sipcloak: option needs a FILE: '-c'"

# config check on good files
for f in good minimal crlf_bom; do
	run 0 -c "configs/$f.ini" config check
	expect_out "configs/$f.ini: ok"
	expect_err ""
done
run 0 config check --config configs/good.ini
expect_out "configs/good.ini: ok"
run 0 config check --config=configs/good.ini
run 0 --json -c configs/good.ini config check
expect_out '{"ok":true,"file":"configs/good.ini"}'

# the default config path is var/sipcloak.ini in the working directory
mkdir -p "$tmp/var"
cp configs/minimal.ini "$tmp/var/sipcloak.ini"
(cd "$tmp" && "$bin" config check >out 2>err)
[ "$(cat "$tmp/out")" = "var/sipcloak.ini: ok" ] ||
	fail "default path: $(cat "$tmp/out" "$tmp/err")"

# config check on each kind of mistake: exit 2, every error on stderr
check_bad() {
	local f=configs/$1.ini
	shift
	run 2 -c "$f" config check
	expect_out ""
	expect_err "$(printf '%s\n' "$@" | sed "s|^|$f|")"
}
check_bad unknown_section \
	":7: [webrtc]: unknown section 'webrtc'" \
	":5: [connection office] type: required key is missing"
check_bad unknown_key ":5: [sip] udp_port: unknown key"
check_bad bad_value \
	":5: [sip] tls_verify: cannot parse boolean 'maybe' (expected yes/no/true/false/on/off/1/0)" \
	":7: [https] idle_timeout: value '5' out of range (10..86400)" \
	":8: [https] max_connections_per_ip: cannot parse integer 'lots'" \
	":10: [log] level: unknown log level 'verbose' (expected debug, info, warn or error)"
check_bad bad_address \
	":6: [sip] udp: cannot parse address '1.2.3:x' (expected host:port)" \
	":7: [sip] tcp: cannot parse address '::1:5060' (expected host:port)"
check_bad port_out_of_range \
	":5: [sip] udp: port out of range in '0.0.0.0:65536' (1..65535)" \
	":6: [sip] tcp: port out of range in '[::1]:0' (1..65535)"
check_bad ports_unparsable \
	":6: [media] ports: cannot parse port range '40000..40999' (expected LO-HI, as in 40000-40999)"
check_bad ports_reversed \
	":6: [media] ports: port range '40999-40000' is reversed (expected LO-HI with LO < HI)"
check_bad duplicate_key \
	":6: [sip] udp: duplicate key (first set at line 5)"
check_bad missing_required \
	":1: [server] public_address: required key is missing" \
	":2: [sip] domain: required key is missing"
check_bad syntax \
	":1: missing ']' in section header" \
	":5: expected 'key = value' or '[section]'" \
	":6: [sip] tls_ca_file: unterminated quoted value"

# unreadable files
run 2 -c configs/none.ini config check
expect_err "configs/none.ini: cannot read: No such file or directory"
run 2 -c configs config check
expect_err "configs: cannot read: Is a directory"

# errors as JSON on stdout
run 2 --json -c configs/duplicate_key.ini config check
expect_out '{"ok":false,"errors":[{"file":"configs/duplicate_key.ini","line":6,"section":"sip","key":"udp","message":"duplicate key (first set at line 5)"}],"truncated":false}'
expect_err ""
run 2 --json -c configs/none.ini config check
expect_out '{"ok":false,"errors":[{"file":"configs/none.ini","line":null,"section":null,"key":null,"message":"cannot read: No such file or directory"}],"truncated":false}'

# config keys: every key is documented in docs/config.md
run 0 config keys
[ "$(wc -l <"$tmp/out")" -eq 47 ] || fail "config keys: $(wc -l <"$tmp/out") lines"
while read -r sec key _; do
	expect_in "$docs/config.md" "### $sec $key"
done <"$tmp/out"
run 0 --json config keys
expect_in "$tmp/out" '{"section":"media","key":"ports","type":"port range","default":"40000-40999","required":false}'

# serve refuses a bad config: exit 2, the errors, and no server started
run 2 -c configs/ports_reversed.ini serve
expect_err "configs/ports_reversed.ini:6: [media] ports: port range '40999-40000' is reversed (expected LO-HI with LO < HI)"
run 2 -c configs/none.ini serve
expect_err "configs/none.ini: cannot read: No such file or directory"
run 2 serve extra
expect_in "$tmp/err" "sipcloak: unexpected argument 'extra'"

echo "gw_cli: $count runs, $failed failed"
[ "$failed" -eq 0 ]
