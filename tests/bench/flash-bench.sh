#!/bin/bash
# SPDX-License-Identifier: MIT
# flash-bench.sh - firmware package benchmark (run by hand; not a test): "hostfish firmware
# flash --wait" of .fwpkg packages of SIZES MB (one deflated image of random bytes in a
# FWPKG-v1 package: the image is inflated out of the zip by libzip while it is uploaded) to
# the emulator over HTTPS on loopback, ROUNDS times each; reports hostfish's peak resident
# memory (VmHWM, from getrusage's ru_maxrss) and the wall time of the whole command.
#
# Target (issue 15): memory independent of the package's size: the peak RSS of the largest
# package within 2 MiB of that of the smallest.  The emulator (Python) hashes and stores what
# it receives: it, not hostfish, bounds the throughput.
#
# Usage: tests/bench/flash-bench.sh [BUILDDIR]      (default: the current directory)
#   SIZES="20 200" (MB), ROUNDS=2
# Output: a Markdown section ("## Firmware flash") on stdout, diagnostics on stderr; exits 0
# even when the target is missed ("target met: no").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
SIZES=${SIZES:-20 200}
ROUNDS=${ROUNDS:-2}
HOSTFISH=$build/hostfish
[ -x "$HOSTFISH" ] || { echo "flash-bench: build hostfish first ($HOSTFISH)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/hostfish-flash-bench.XXXXXX")
EMU_PID=
cleanup() {
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

# the repository's files go to $T/fwrepo (next to the state file)
"$src/tests/emulator/ilo-emulator" --listen 127.0.0.1:0 --port-file "$T/port" \
	--tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --user admin:adminpass \
	--state-file "$T/state.json" --update-seconds 0.01 >"$T/emu.log" 2>&1 </dev/null &
EMU_PID=$!
for _ in $(seq 300); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { echo "flash-bench: the emulator did not start" >&2; cat "$T/emu.log" >&2; exit 1; }
URL=https://127.0.0.1:$(cat "$T/port")
export HOSTFISH_RUNTIME_DIR=$T/run HOSTFISH_STATE_DIR=$T/state HOSTFISH_PASSWORD=adminpass

# mkpkg OUT MB: a FWPKG-v1 package, type A, one deflated image of MB megabytes of random bytes
# (for the System ROM's target: no iLO reset); prints the image's SHA-256
mkpkg() {
	python3 - "$1" "$2" <<'PYEOF'
import hashlib, json, os, sys, zipfile
out, mb = sys.argv[1], int(sys.argv[2])
payload = {"PackageFormat": "FWPKG-v1", "UpdatableBy": ["Bmc"],
           "Devices": {"Device": [{"DeviceName": "bench", "Version": "9.99",
                                   "Target": "00000000-0000-0000-0000-00000000022d",
                                   "FirmwareImages": [{"FileName": "image.bin", "DirectFlashOk": True,
                                                       "ResetRequired": False,
                                                       "UefiFlashable": False}]}]}}
h = hashlib.sha256()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("payload.json", json.dumps(payload))
    with z.open("image.bin", "w", force_zip64=True) as f:
        left = mb * 1000 * 1000
        while left:
            block = os.urandom(min(left, 1 << 20))
            h.update(block)
            f.write(block)
            left -= len(block)
print(h.hexdigest())
PYEOF
}

# one_flash ARGS...: prints "SECONDS MAXRSS_KB" (exit status of hostfish in $?)
one_flash() {
	python3 - "$@" <<'PYEOF'
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t0
print("%.3f %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
PYEOF
}

declare -A secs_best rss ok pkgsize
for mb in $SIZES; do
	f=$T/bench-$mb.fwpkg
	sha=$(mkpkg "$f" "$mb")
	pkgsize[$mb]=$(stat -c %s "$f")
	best=0 maxrss=0 good=yes
	for r in $(seq "$ROUNDS"); do
		if ! out=$(one_flash "$HOSTFISH" --url "$URL" --cacert "$T/ca.pem" --user admin \
			--no-progress --timeout 60 firmware flash --wait "$f" 2>/dev/null); then
			echo "flash-bench: the flash of $mb MB failed (round $r)" >&2
			good=no
			continue
		fi
		read -r secs kb <<<"$out"
		got=$(python3 -c 'import json,sys; print([c["sha256"] for c in json.load(open(sys.argv[1]))["fwrepo"]["components"] if c["Filename"] == "image.bin"][0])' "$T/state.json")
		[ "$got" = "$sha" ] || { echo "flash-bench: $mb MB arrived damaged" >&2; good=no; }
		echo "flash-bench: $mb MB round $r: ${secs} s, peak RSS $kb KiB" >&2
		if [ "$best" = 0 ] || python3 -c "import sys; sys.exit(0 if $secs < $best else 1)"; then
			best=$secs
		fi
		[ "$kb" -gt "$maxrss" ] && maxrss=$kb
	done
	secs_best[$mb]=$best
	rss[$mb]=$maxrss
	ok[$mb]=$good
	rm -f -- "$f" "$T/fwrepo/image.bin"
done

first=${SIZES%% *}
last=${SIZES##* }
diff=$((${rss[$last]} - ${rss[$first]}))
met=no
[ "${diff#-}" -le 2048 ] && [ "${ok[$first]}" = yes ] && [ "${ok[$last]}" = yes ] && met=yes

echo "## Firmware flash"
echo
echo "\`hostfish firmware flash --wait\` of a FWPKG-v1 package (type A: one deflated image of random"
echo "bytes, inflated out of the zip by libzip while it streams to the upload form) to the"
echo "emulator over HTTPS on loopback; best of $ROUNDS rounds for the time (whole command: login,"
echo "checks, upload, the emulated flash, logout), highest peak RSS (VmHWM) of hostfish.  Host:"
echo "$(nproc) CPUs, $(uname -sr)."
echo
echo "| image size | package size | time | peak RSS of hostfish | intact (SHA-256) |"
echo "|---|---|---|---|---|"
for mb in $SIZES; do
	echo "| $mb MB | $(python3 -c "print('%.1f' % (${pkgsize[$mb]} / 1e6))") MB | ${secs_best[$mb]} s |" \
		"$(python3 -c "print('%.1f' % (${rss[$mb]} / 1024))") MiB | ${ok[$mb]} |"
done
echo
echo "Target: peak RSS independent of the package size (${last} MB within 2 MiB of ${first} MB:" \
	"difference $(python3 -c "print('%.2f' % ($diff / 1024))") MiB)."
echo
echo "target met: $met"
exit 0
