#!/bin/bash
# SPDX-License-Identifier: MIT
# upload-bench.sh - firmware upload benchmark (run by hand; not a test): "hostfish firmware
# upload" of files of SIZES MB to the emulator over HTTPS on loopback, ROUNDS times each;
# reports the throughput (file bytes / wall time of the whole command, login and logout
# included) and hostfish's peak resident memory (VmHWM, from getrusage's ru_maxrss).
#
# Target (issue 7): memory independent of the file size: the peak RSS of the largest upload is
# within 2 MiB of that of the smallest.  The emulator (Python) hashes what it receives with
# SHA-256: it, not hostfish, bounds the throughput on loopback.
#
# VIA=agent: the uploads go through hostfishd (a fresh one per size, without credentials for
# hostfish), which streams them to the emulator; its peak RSS is reported too, with the same
# target (issue 15: the relay holds no upload whole).
#
# Usage: tests/bench/upload-bench.sh [BUILDDIR]      (default: the current directory)
#   SIZES="20 200" (MB), ROUNDS=3, VIA=direct|agent
# Output: a Markdown section ("## Upload") on stdout, diagnostics on stderr; exits 0 even when
# the target is missed ("target met: no").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
SIZES=${SIZES:-20 200}
ROUNDS=${ROUNDS:-3}
VIA=${VIA:-direct}
HOSTFISH=$build/hostfish
HOSTFISHD=$build/hostfishd
[ -x "$HOSTFISH" ] || { echo "upload-bench: build hostfish first ($HOSTFISH)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/hostfish-upload-bench.XXXXXX")
# hostfish's state directory (service-root and registry caches): never the machine's own
mkdir -m 700 "$T/state"
export HOSTFISH_STATE_DIR=$T/state
EMU_PID=
AG_PID=
cleanup() {
	[ -n "$AG_PID" ] && kill -TERM "$AG_PID" 2>/dev/null && wait "$AG_PID" 2>/dev/null
	[ -n "$EMU_PID" ] && kill -TERM "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$T/ca.key" -out "$T/ca.pem" -days 1 -subj "/CN=bench CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
	>/dev/null 2>&1
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' \
	>"$T/srv.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/srv.key" \
	-out "$T/srv.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -set_serial 1 \
	-out "$T/srv.pem" -days 1 -extfile "$T/srv.ext" >/dev/null 2>&1

# Verifying and Writing last 10 ms each: the next upload is not refused as busy for long
"$src/tests/emulator/ilo-emulator" --listen 127.0.0.1:0 --port-file "$T/port" \
	--tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --user admin:adminpass \
	--state-file "$T/state.json" --update-seconds 0.01 >"$T/emu.log" 2>&1 </dev/null &
EMU_PID=$!
for _ in $(seq 300); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { echo "upload-bench: the emulator did not start" >&2; cat "$T/emu.log" >&2; exit 1; }
URL=https://127.0.0.1:$(cat "$T/port")
export HOSTFISH_RUNTIME_DIR=$T/run HOSTFISH_PASSWORD=adminpass

# wait (bounded, 10 s) until the emulator's update is over: GET the UpdateService (its state
# advances with time; the state file only shows it after a request)
idle() {
	python3 - "$(cat "$T/port")" "$T/ca.pem" <<'PYEOF'
import base64, http.client, json, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
auth = "Basic " + base64.b64encode(b"admin:adminpass").decode()
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx)
    c.request("GET", "/redfish/v1/UpdateService/", headers={"Authorization": auth})
    state = json.loads(c.getresponse().read())["Oem"]["Hpe"]["State"]
    c.close()
    if state in ("Idle", "Complete", "Error"):
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PYEOF
}

# agent_start / agent_stop: a fresh hostfishd (VIA=agent); agent_stop prints its VmHWM (KiB)
agent_start() {
	mkdir -p -m 700 "$T/run"
	"$HOSTFISHD" --socket "$T/run/hostfishd.sock" --url "$URL" --cacert "$T/ca.pem" \
		--user admin --log-file "$T/agent.log" >"$T/agent.out" 2>&1 </dev/null &
	AG_PID=$!
	for _ in $(seq 300); do
		curl -sf --max-time 5 --unix-socket "$T/run/hostfishd.sock" -o /dev/null \
			http://localhost/hostfishd/status 2>/dev/null && return 0
		sleep 0.05
	done
	echo "upload-bench: hostfishd did not start" >&2
	cat "$T/agent.out" >&2
	exit 1
}
agent_stop() {
	awk '/^VmHWM/ { print $2 }' "/proc/$AG_PID/status"
	kill -TERM "$AG_PID"
	wait "$AG_PID" || true
	AG_PID=
}

# one_upload FILE: prints "SECONDS MAXRSS_KB" (exit status of hostfish in $?)
one_upload() {
	python3 - "$@" <<'PYEOF'
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t0
print("%.3f %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
PYEOF
}

declare -A rate rss ok agrss
auth=(--user admin)
[ "$VIA" = agent ] && auth=() # hostfishd holds the session
for mb in $SIZES; do
	[ "$VIA" = agent ] && agent_start
	f=$T/fw-$mb.bin
	head -c $((mb * 1000 * 1000)) /dev/urandom >"$f"
	sha=$(sha256sum "$f" | cut -d' ' -f1)
	best=0 maxrss=0 good=yes
	for r in $(seq "$ROUNDS"); do
		idle || echo "upload-bench: the emulator stayed busy" >&2
		if ! out=$(one_upload "$HOSTFISH" --url "$URL" --cacert "$T/ca.pem" ${auth[@]+"${auth[@]}"} \
			--no-progress --timeout 60 firmware upload "$f"); then
			echo "upload-bench: the upload of $mb MB failed (round $r)" >&2
			good=no
			continue
		fi
		read -r secs kb <<<"$out"
		got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uploads"][-1]["sha256"])' "$T/state.json")
		[ "$got" = "$sha" ] || { echo "upload-bench: $mb MB arrived damaged" >&2; good=no; }
		mbs=$(python3 -c "print('%.1f' % ($mb / $secs))")
		echo "upload-bench: $mb MB round $r: ${secs} s, $mbs MB/s, peak RSS $kb KiB" >&2
		best=$(python3 -c "print(max($best, $mbs))")
		[ "$kb" -gt "$maxrss" ] && maxrss=$kb
	done
	rate[$mb]=$best
	rss[$mb]=$maxrss
	ok[$mb]=$good
	if [ "$VIA" = agent ]; then
		grep -q "relaying an upload of" "$T/agent.log" || { echo "upload-bench: hostfishd relayed nothing" >&2; ok[$mb]=no; }
		agrss[$mb]=$(agent_stop)
		echo "upload-bench: $mb MB: hostfishd's peak RSS ${agrss[$mb]} KiB" >&2
	fi
	rm -f -- "$f"
done

first=${SIZES%% *}
last=${SIZES##* }
diff=$((${rss[$last]} - ${rss[$first]}))
met=no
[ "${diff#-}" -le 2048 ] && [ "${ok[$first]}" = yes ] && [ "${ok[$last]}" = yes ] && met=yes
if [ "$VIA" = agent ]; then
	agdiff=$((${agrss[$last]} - ${agrss[$first]}))
	[ "${agdiff#-}" -le 2048 ] || met=no
	echo "## Upload through hostfishd"
	echo
	echo "\`hostfish firmware upload\` through hostfishd, which streams it to the emulator (HTTPS on"
	echo "loopback) with its own session; a fresh hostfishd per size; best of $ROUNDS rounds for"
	echo "throughput (whole command), highest peak RSS (VmHWM) of hostfish and of hostfishd."
	echo "Host: $(nproc) CPUs, $(uname -sr)."
	echo
	echo "| file size | throughput | peak RSS of hostfish | peak RSS of hostfishd | intact (SHA-256) |"
	echo "|---|---|---|---|---|"
	for mb in $SIZES; do
		echo "| $mb MB | ${rate[$mb]} MB/s | $(python3 -c "print('%.1f' % (${rss[$mb]} / 1024))") MiB | $(python3 -c "print('%.1f' % (${agrss[$mb]} / 1024))") MiB | ${ok[$mb]} |"
	done
	echo
	echo "Target: peak RSS of both independent of the file size (${last} MB within 2 MiB of" \
		"${first} MB: hostfish $(python3 -c "print('%.2f' % ($diff / 1024))") MiB, hostfishd" \
		"$(python3 -c "print('%.2f' % ($agdiff / 1024))") MiB)."
	echo
	echo "target met: $met"
	exit 0
fi

echo "## Upload"
echo
echo "\`hostfish firmware upload\` (HPE form, streamed) to the emulator over HTTPS on loopback;"
echo "best of $ROUNDS rounds for throughput (whole command: login, UpdateService check, upload,"
echo "logout), highest peak RSS (VmHWM) of hostfish.  The Python emulator, which hashes every"
echo "byte it receives, bounds the throughput.  Host: $(nproc) CPUs, $(uname -sr)."
echo
echo "| file size | throughput | peak RSS of hostfish | intact (SHA-256) |"
echo "|---|---|---|---|"
for mb in $SIZES; do
	echo "| $mb MB | ${rate[$mb]} MB/s | $(python3 -c "print('%.1f' % (${rss[$mb]} / 1024))") MiB | ${ok[$mb]} |"
done
echo
echo "Target: peak RSS independent of the file size (${last} MB within 2 MiB of ${first} MB:" \
	"difference $(python3 -c "print('%.2f' % ($diff / 1024))") MiB)."
echo
echo "target met: $met"
exit 0
