#!/usr/bin/env bash
# deps.sh build|test|run|bench: installs the Debian packages (and the npm
# packages of web/ and tests/integration) that the given step needs and that
# are missing. Idempotent and silent when nothing is missing; sudo only when not
# root.
set -euo pipefail

build=(pkg-config cmake make gcc libc6-dev libuv1-dev libwebsockets-dev
       libwebsockets-evlib-uv libssl-dev openssl libcmocka-dev
       libsodium-dev libzxcvbn-dev libsqlite3-dev libqrencode-dev
       libopus-dev libsrtp2-dev liburing-dev nodejs npm)
test=(clang libclang-rt-14-dev sip-tester kamailio nodejs npm curl sqlite3
      chromium sox tcpdump dnsmasq-base)
run=(openssl)
bench=(kamailio kamailio-websocket-modules kamailio-tls-modules sip-tester haproxy
       libsrtp2-dev rtpengine-daemon)

want=("${build[@]}")
case "${1:-build}" in
build) ;;
test) want+=("${test[@]}") ;;
run) want+=("${run[@]}") ;;
bench) want+=("${bench[@]}") ;;
*) echo "usage: $0 build|test|run|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	# node and npm may come from outside Debian (as on the CI image).
	case "$p" in
	nodejs) command -v node >/dev/null && continue ;;
	npm) command -v npm >/dev/null && continue ;;
	esac
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
		grep -qx installed || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "deps: installing ${missing[*]}" >&2
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages pinned by committed lock files: the web softphone's build
# tools (every step builds it) and the JavaScript test peers (test).
npm_ci() {
	local dir=$1
	if [ -f "$dir/package-lock.json" ] &&
		{ [ ! -d "$dir/node_modules" ] ||
		  [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
}
npm_ci "$(dirname "$0")/../web"
if [ "${1:-build}" = test ]; then
	npm_ci "$(dirname "$0")/../tests/integration"
fi
