#!/bin/bash
# SPDX-License-Identifier: MIT
# hostfish's main job on a fresh Debian 12 machine (as root): installs what it needs, builds,
# and runs "hostfish status" (manager, firmware, system, power, health) and
# "hostfish sessions".
#
# Against a real BMC:   HOSTFISH_URL=https://bmc HOSTFISH_USER=admin HOSTFISH_PASSWORD=... \
#                       HOSTFISH_CACERT=/path/ca.pem ./run-demo.sh
# Without HOSTFISH_URL: starts the bundled emulated iLO 5 on 127.0.0.1 with a certificate
# made for the occasion, and talks to it over verified HTTPS.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
cd "$src"

bash .ci/deps.sh
build=$(bash .ci/build.sh)
hostfish="$build/hostfish"

work=$(mktemp -d /tmp/hostfish-demo.XXXXXX)
emu_pid=
cleanup() {
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${HOSTFISH_URL:-}" ]; then
	echo "No BMC given (HOSTFISH_URL): starting the bundled iLO 5 emulator."
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
	python3 tests/emulator/ilo-emulator --listen 127.0.0.1:0 --port-file "$work/port" \
		--tls-cert "$work/cert.pem" --tls-key "$work/key.pem" \
		--user Administrator:demo-password >"$work/emulator.log" 2>&1 &
	emu_pid=$!
	for _ in $(seq 100); do
		[ -s "$work/port" ] && break
		kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.log"; exit 1; }
		sleep 0.1
	done
	[ -s "$work/port" ] || { echo "the emulator did not start" >&2; exit 1; }
	export HOSTFISH_URL="https://127.0.0.1:$(cat "$work/port")"
	export HOSTFISH_USER=Administrator HOSTFISH_PASSWORD=demo-password
	export HOSTFISH_CACERT="$work/cert.pem"
fi
export HOSTFISH_RUNTIME_DIR="$work/run"

args=(--user "${HOSTFISH_USER:-Administrator}")
[ -n "${HOSTFISH_CACERT:-}" ] && args+=(--cacert "$HOSTFISH_CACERT")

echo "\$ hostfish status    # $HOSTFISH_URL"
"$hostfish" "${args[@]}" status
echo
echo "\$ hostfish sessions"
"$hostfish" "${args[@]}" sessions
