#!/bin/bash
# SPDX-License-Identifier: MIT
# crawl-bench.sh - the benchmark of "hostfish crawl" (run by hand; not a test, nothing here is
# asserted): the wall time of a crawl of the whole emulated iLO 5 tree (tests/emulator,
# over TLS on loopback) with 1, 4 and 8 jobs, the median of RUNS runs each, once with
# every request taking 20 ms on the BMC side (emulator --fault latency:ms=20,count=0) and once
# without.
#
# Target (issue 7): with 20 ms per request, 8 jobs at least 4x faster than 1 job.
#
# Output contract (as every tests/bench/*-bench.sh): a Markdown section starting with
# "## Crawl" on stdout, with a table and "target met: yes/no"; diagnostics on stderr; exit 0
# even when the target is missed.
#
# Usage: tests/bench/crawl-bench.sh [BUILDDIR]      (default: the current directory)
#   RUNS=3 (runs per configuration), LATENCY_MS=20
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
RUNS=${RUNS:-3}
LATENCY_MS=${LATENCY_MS:-20}
HOSTFISH=$build/hostfish
if [ ! -x "$HOSTFISH" ]; then
	echo "crawl-bench: build hostfish first ($HOSTFISH)" >&2
	printf '## Crawl\n\nNot run: %s is not built.\n\ntarget met: no\n' "$HOSTFISH"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/hostfish-crawl-bench.XXXXXX")
# hostfish's state directory (service-root and registry caches): never the machine's own
mkdir -m 700 "$T/state"
export HOSTFISH_STATE_DIR=$T/state
EMU_PID=
stop_emu() {
	if [ -n "$EMU_PID" ]; then
		kill -TERM "$EMU_PID" 2>/dev/null
		wait "$EMU_PID" 2>/dev/null
		EMU_PID=
	fi
}
trap 'stop_emu; rm -rf -- "$T"' EXIT

# a CA and a certificate for 127.0.0.1
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

# start_emu [EMULATOR ARGS...]: no state file (it is rewritten after every request, which
# would measure the emulator's bookkeeping)
start_emu() {
	stop_emu
	rm -f -- "$T/port"
	"$src/tests/emulator/ilo-emulator" --listen 127.0.0.1:0 --port-file "$T/port" \
		--tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --user admin:adminpass "$@" \
		>"$T/emu.log" 2>&1 </dev/null &
	EMU_PID=$!
	for _ in $(seq 300); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	URL=https://127.0.0.1:$(cat "$T/port")
}

# crawl JOBS: one crawl into a fresh directory; prints "SECONDS RESOURCES"
n=0
crawl() {
	local out t0 t1 res
	n=$((n + 1))
	out=$T/out$n
	t0=$(date +%s%N)
	HOSTFISH_RUNTIME_DIR=$T/run HOSTFISH_PASSWORD=adminpass "$HOSTFISH" --url "$URL" \
		--cacert "$T/ca.pem" --user admin --no-progress --json crawl --jobs "$1" \
		--out "$out" >"$T/report.json" 2>"$T/crawl.err"
	t1=$(date +%s%N)
	res=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["resources"])' \
		"$T/report.json" 2>/dev/null || echo 0)
	rm -rf -- "$out"
	echo "$(((t1 - t0) / 1000000)) $res"
}

median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A MED RES
for mode in latency none; do
	if [ "$mode" = latency ]; then
		start_emu --fault "latency:ms=$LATENCY_MS,count=0"
	else
		start_emu
	fi
	for jobs in 1 4 8; do
		times=
		for _ in $(seq "$RUNS"); do
			read -r ms res < <(crawl "$jobs")
			echo "crawl-bench: $mode, $jobs jobs: $ms ms, $res resources" >&2
			times+="$ms "
		done
		MED[$mode,$jobs]=$(median <<<"${times% }")
		RES[$mode,$jobs]=$res
	done
done
stop_emu

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f", n * 1000 / ms; else print "-" }'; }

speedup=$(ratio "${MED[latency,1]}" "${MED[latency,8]}")
met=$(awk -v a="${MED[latency,1]}" -v b="${MED[latency,8]}" 'BEGIN { print (b > 0 && a >= 4 * b) ? "yes" : "no" }')

echo "## Crawl"
echo
echo "\`hostfish crawl\` of the whole emulated iLO 5 tree (${RES[none,1]} files; TLS on loopback,"
echo "one login and logout per run), wall time, median of $RUNS runs."
echo "Target: with ${LATENCY_MS} ms per request on the BMC side, 8 jobs at least 4x faster than 1."
echo
echo "| BMC latency | jobs | median (s) | resources/s | speed-up vs 1 job |"
echo "|---|---|---|---|---|"
for mode in latency none; do
	label=$([ "$mode" = latency ] && echo "${LATENCY_MS} ms" || echo "none")
	for jobs in 1 4 8; do
		echo "| $label | $jobs | $(secs "${MED[$mode,$jobs]}") | $(rate "${RES[$mode,$jobs]}" "${MED[$mode,$jobs]}") | $(ratio "${MED[$mode,1]}" "${MED[$mode,$jobs]}")x |"
	done
done
echo
echo "8 jobs vs 1 with ${LATENCY_MS} ms latency: ${speedup}x"
echo
echo "target met: $met"
exit 0
