#!/bin/bash
# agent-bench.sh - hostfishd's benchmark (run by hand; not a test, nothing here is asserted):
#
#   - requests per second of N sequential GETs through the agent (HTTP/1.1 keep-alive on its
#     Unix socket) and directly (libhostfish, one keep-alive TLS connection), on loopback
#     against the emulator;
#   - the agent's added latency per request: the agent's median (p95) minus the direct median
#     (p95), per round, then the median over the rounds;
#   - hostfishd's resident memory idle (after its login) and under 8 concurrent keep-alive
#     clients (VmRSS sampled while they run, and VmHWM).
#
# Targets (issue 6): added latency below 0.5 ms per request on loopback, RSS below 10 MiB.
#
# Usage: tests/bench/agent-bench.sh [BUILDDIR]      (default: the current directory)
#   N=2000 (GETs per round and mode), ROUNDS=5, CONC=8 (concurrent clients), RES=path
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
N=${N:-2000}
ROUNDS=${ROUNDS:-5}
CONC=${CONC:-8}
RES=${RES:-/redfish/v1/Systems/1/}
HOSTFISHD=$build/hostfishd
BENCH=$build/tests/bench/bench-get
[ -x "$HOSTFISHD" ] || { echo "agent-bench: build hostfishd first ($HOSTFISHD)" >&2; exit 1; }
[ -x "$BENCH" ] || make -C "$build" tests/bench/bench-get >/dev/null

T=$(mktemp -d "${TMPDIR:-/tmp}/hostfishd-bench.XXXXXX")
EMU_PID=
AGENT_PID=
cleanup() {
	[ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	[ -n "$EMU_PID" ] && kill -TERM "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

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

"$src/tests/emulator/ilo-emulator" --listen 127.0.0.1:0 --port-file "$T/port" \
	--tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --user admin:adminpass \
	>"$T/emu.log" 2>&1 </dev/null &
EMU_PID=$!
for _ in $(seq 300); do [ -s "$T/port" ] && break; sleep 0.05; done
URL=https://127.0.0.1:$(cat "$T/port")

# the agent and the direct client get runtime directories of their own: each keeps its
# connections (and their host-wide slots) for its lifetime
SOCK=$T/hostfishd.sock
HOSTFISH_RUNTIME_DIR=$T/run-agent HOSTFISH_PASSWORD=adminpass "$HOSTFISHD" --socket "$SOCK" \
	--url "$URL" --cacert "$T/ca.pem" --user admin >"$T/agent.log" 2>&1 </dev/null &
AGENT_PID=$!
for _ in $(seq 300); do
	curl -sf --unix-socket "$SOCK" -o "$T/status" http://localhost/hostfishd/status 2>/dev/null &&
		grep -q '"active":true' "$T/status" && break
	sleep 0.05
done
exe=$(readlink "/proc/$AGENT_PID/exe")
case $exe in
*hostfishd) ;;
*) echo "agent-bench: pid $AGENT_PID is $exe, not hostfishd" >&2; exit 1 ;;
esac

rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$AGENT_PID/status"; }
pss() { awk '$1 == "Pss:" { print $2 }' "/proc/$AGENT_PID/smaps_rollup"; }

# warm up both paths (TLS handshakes, first session use), then let the agent idle
"$BENCH" agent "$SOCK" "$RES" 50 >/dev/null
HOSTFISH_RUNTIME_DIR=$T/run-direct HOSTFISH_PASSWORD=adminpass \
	"$BENCH" direct "$URL" "$T/ca.pem" admin "$RES" 50 >/dev/null
sleep 1
rss_idle=$(rss VmRSS)
anon_idle=$(rss RssAnon)
file_idle=$(rss RssFile)
pss_idle=$(pss)

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$T/rounds"
for r in $(seq "$ROUNDS"); do
	d=$(HOSTFISH_RUNTIME_DIR=$T/run-direct HOSTFISH_PASSWORD=adminpass \
		"$BENCH" direct "$URL" "$T/ca.pem" admin "$RES" "$N")
	a=$("$BENCH" agent "$SOCK" "$RES" "$N")
	echo "$(field rps "$d") $(field median_us "$d") $(field p95_us "$d")" \
		"$(field rps "$a") $(field median_us "$a") $(field p95_us "$a")" >>"$T/rounds"
	echo "round $r: direct: $d" >&2
	echo "round $r: agent:  $a" >&2
done

col() { awk -v c="$1" '{ print $c }' "$T/rounds" | median; }
diffcol() { awk -v a="$1" -v b="$2" '{ print $a - $b }' "$T/rounds" | median; }
d_rps=$(col 1)
d_med=$(col 2)
d_p95=$(col 3)
a_rps=$(col 4)
a_med=$(col 5)
a_p95=$(col 6)
add_med=$(diffcol 5 2)
add_p95=$(diffcol 6 3)

# resident memory under CONC concurrent keep-alive clients
"$BENCH" agent "$SOCK" "$RES" "$N" "$CONC" >"$T/conc" &
bench_pid=$!
rss_peak=0
anon_peak=0
while kill -0 "$bench_pid" 2>/dev/null; do
	v=$(rss VmRSS)
	[ "${v:-0}" -gt "$rss_peak" ] && rss_peak=$v
	v=$(rss RssAnon)
	[ "${v:-0}" -gt "$anon_peak" ] && anon_peak=$v
	sleep 0.05
done
wait "$bench_pid" || true
rss_hwm=$(rss VmHWM)
c=$(cat "$T/conc")

kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.3f ms", u / 1000 }'; }

cat <<EOF

hostfishd benchmark: GET $RES, $N requests x $ROUNDS rounds per mode (medians over the rounds),
emulator on 127.0.0.1 ($(nproc) CPUs, $(uname -r))

| measure | direct (libhostfish, TLS keep-alive) | through hostfishd (Unix socket, keep-alive) |
|---|---|---|
| requests/s, 1 client | $d_rps | $a_rps |
| latency median | $(ms "$d_med") | $(ms "$a_med") |
| latency p95 | $(ms "$d_p95") | $(ms "$a_p95") |
| **added latency, median** (target < 0.5 ms) | | **$(ms "$add_med")** |
| added latency, p95 | | $(ms "$add_p95") |
| requests/s, $CONC clients | | $(field rps "$c") (median $(ms "$(field median_us "$c")"), failures $(field failures "$c")) |
| **RSS idle** (VmRSS; target < 10 MiB) | | **$(kib "$rss_idle")** |
| of which anonymous (the agent's own memory) / shared-library pages | | $(kib "$anon_idle") / $(kib "$file_idle") |
| PSS idle (shared pages divided among their users) | | $(kib "$pss_idle") |
| **RSS, $CONC concurrent clients** (peak VmRSS sample / VmHWM) | | **$(kib "$rss_peak") / $(kib "$rss_hwm")** |
| anonymous, $CONC concurrent clients (peak sample) | | $(kib "$anon_peak") |
EOF
