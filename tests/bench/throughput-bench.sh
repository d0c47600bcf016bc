#!/bin/bash
# SPDX-License-Identifier: MIT
# throughput-bench.sh - libhostfish on one keep-alive connection (a benchmark, not a test).
#
#   - requests per second of N sequential GETs through libhostfish (one client, one session,
#     max_connections 1: one keep-alive TLS connection) and, side by side, through libcurl
#     alone (one easy handle, Basic auth, the body kept in memory: the floor any libcurl-based
#     client stands on), against nginx (a fast server) and the emulator; ROUNDS interleaved
#     rounds, medians over the rounds;
#   - instructions per request (valgrind --tool=callgrind, repeatable):
#     (Ir of 1 + K requests - Ir of 1 request) / K, so process start, login and the TLS
#     handshake cancel out, for both clients, against nginx.
#
# Usage: tests/bench/throughput-bench.sh [BUILDDIR]     (default: the current directory)
#   N=2000 (requests per round against nginx; a quarter of it against the emulator),
#   ROUNDS=5, K=200 (requests of the callgrind difference), CALLGRIND=1 (0: skip it),
#   SERVERS="nginx emulator" (the callgrind counts use the first)
# Output: a Markdown section on stdout, diagnostics on stderr.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
N=${N:-2000}
ROUNDS=${ROUNDS:-5}
K=${K:-200}
CALLGRIND=${CALLGRIND:-1}
SERVERS=${SERVERS:-nginx emulator}
RES=/redfish/v1/Systems/1/
[ -x "$BUILD/tests/bench/bench-get" ] || make -C "$BUILD" tests/bench/bench-get >/dev/null
# libtool makes tests/bench/bench-get a wrapper script of tests/bench/.libs/bench-get
if [ -x "$BUILD/tests/bench/.libs/bench-get" ]; then
	BENCH=(env "LD_LIBRARY_PATH=$BUILD/.libs" "$BUILD/tests/bench/.libs/bench-get")
else
	BENCH=("$BUILD/tests/bench/bench-get")
fi
export HOSTFISH_PASSWORD=adminpass
[ "$CALLGRIND" = 1 ] && bench_need valgrind callgrind_annotate
for s in $SERVERS; do
	case $s in
	nginx) bench_nginx_start ;;
	emulator) bench_emu_start ;;
	*) echo "throughput-bench: unknown server $s" >&2; exit 1 ;;
	esac
done
CA=$T/pki/ca.pem
read -r CG_SERVER _ <<<"$SERVERS"

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
stats() { # FILE -> "median p10 p90" of its numbers
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		q(0.5); printf " "; q(0.1); printf " "; q(0.9); print ""
	}
	function q(p,  x, lo) { x = (NR - 1) * p; lo = int(x); printf "%.1f", v[lo + 1] + (v[lo + 2 > NR ? NR : lo + 2] - v[lo + 1]) * (x - lo) }'
}

cat <<EOF
## Library throughput on one keep-alive connection

\`tests/bench/bench-get\` sends sequential GETs of $RES on one TLS connection kept alive:
**libhostfish** (\`bench-get direct\`: \`hf_client_new\` with \`max_connections = 1\`, a session,
\`hf_get\` per request, each response's status checked) and **libcurl alone** (\`bench-get
curl\`: one easy handle, Basic auth, the body collected in memory, nothing parsed: the floor
under any libcurl-based client).  $ROUNDS interleaved rounds per server; medians over the
rounds of each round's requests/s and of its per-request latency percentiles.
EOF

for s in $SERVERS; do
	if [ "$s" = nginx ]; then u=$NGINX_URL n=$N; else u=$EMU_URL n=$(((N + 3) / 4)); fi
	: >"$T/$s.hf.rps" ; : >"$T/$s.hf.med"; : >"$T/$s.hf.p95"
	: >"$T/$s.curl.rps"; : >"$T/$s.curl.med"; : >"$T/$s.curl.p95"
	for r in $(seq "$ROUNDS"); do
		for c in hf curl; do
			mode=direct
			[ "$c" = curl ] && mode=curl
			out=$("${BENCH[@]}" "$mode" "$u" "$CA" admin "$RES" "$n") ||
				echo "throughput-bench: $s $c round $r failed: $out" >&2
			echo "throughput-bench: $s round $r $c: $out" >&2
			field rps "$out" >>"$T/$s.$c.rps"
			field median_us "$out" >>"$T/$s.$c.med"
			field p95_us "$out" >>"$T/$s.$c.p95"
		done
	done
	read -r hf_rps hf_rps10 hf_rps90 < <(stats "$T/$s.hf.rps")
	read -r cu_rps cu_rps10 cu_rps90 < <(stats "$T/$s.curl.rps")
	read -r hf_med _ < <(stats "$T/$s.hf.med")
	read -r cu_med _ < <(stats "$T/$s.curl.med")
	read -r hf_p95 _ < <(stats "$T/$s.hf.p95")
	read -r cu_p95 _ < <(stats "$T/$s.curl.p95")
	cat <<EOF

**$s** ($n requests per round, $ROUNDS rounds)

| client | requests/s, median (p10-p90 of rounds) | latency median (us) | latency p95 (us) | requests/s / libcurl |
|---|---:|---:|---:|---:|
| libhostfish | $hf_rps ($hf_rps10-$hf_rps90) | $hf_med | $hf_p95 | $(awk -v a="$hf_rps" -v b="$cu_rps" 'BEGIN { printf "%.2f", a / b }') |
| libcurl alone | $cu_rps ($cu_rps10-$cu_rps90) | $cu_med | $cu_p95 | 1.00 |
EOF
done

if [ "$CALLGRIND" = 1 ]; then
	if [ "$CG_SERVER" = nginx ]; then cg_url=$NGINX_URL; else cg_url=$EMU_URL; fi
	ir() { # MODE N -> Ir of bench-get MODE against $CG_SERVER with N requests
		local envs=() cmd=("${BENCH[@]}")
		if [ "${cmd[0]}" = env ]; then envs=("${cmd[1]}"); cmd=("${cmd[@]:2}"); fi
		env "${envs[@]}" valgrind --tool=callgrind --callgrind-out-file="$T/cg.$1.$2" \
			"${cmd[@]}" "$1" "$cg_url" "$CA" admin "$RES" "$2" >/dev/null 2>"$T/cg.err" ||
			{ echo "throughput-bench: callgrind $1 $2 failed" >&2; cat "$T/cg.err" >&2; }
		sed -n 's/^summary: *//p; s/^totals: *//p' "$T/cg.$1.$2" | head -1
	}
	echo "throughput-bench: callgrind" >&2
	hf1=$(ir direct 1)
	hfk=$(ir direct $((K + 1)))
	cu1=$(ir curl 1)
	cuk=$(ir curl $((K + 1)))
	hf_ir=$(((hfk - hf1) / K))
	cu_ir=$(((cuk - cu1) / K))
	cat <<EOF

Instructions per request (valgrind --tool=callgrind against $CG_SERVER; (Ir of $((K + 1)) requests - Ir
of 1) / $K):

| client | Ir, 1 request | Ir, $((K + 1)) requests | **instructions per request** | / libcurl |
|---|---:|---:|---:|---:|
| libhostfish | $hf1 | $hfk | **$hf_ir** | $(awk -v a="$hf_ir" -v b="$cu_ir" 'BEGIN { printf "%.2f", a / b }') |
| libcurl alone | $cu1 | $cuk | **$cu_ir** | 1.00 |
EOF
	# where libhostfish's instructions per request go: inclusive costs, the same difference
	fn_ir() { # FILE FUNCTION -> its inclusive Ir (0 when absent)
		callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
			awk -v f=":$2 " '!found && index($0, f) { gsub(",", "", $1); v = $1; found = 1 }
				END { print found ? v : 0 }'
	}
	echo
	echo "Where libhostfish's instructions per request go (inclusive, same difference):"
	echo
	echo "| function | instructions per request | share |"
	echo "|---|---:|---:|"
	for f in hf_response_build hf_json_parse json_tokener_parse_ex curl_easy_perform \
		hf_response_free; do
		a=$(fn_ir "$T/cg.direct.$((K + 1))" "$f")
		b=$(fn_ir "$T/cg.direct.1" "$f")
		awk -v f="$f" -v a="$a" -v b="$b" -v k="$K" -v t="$hf_ir" \
			'BEGIN { printf "| %s | %d | %.0f %% |\n", f, (a - b) / k, 100 * (a - b) / k / t }'
	done
	echo
	echo "(Nested: hf_response_build holds hf_json_parse, which holds json-c's"
	echo "json_tokener_parse_ex; curl_easy_perform is the transfer itself.)"
fi
cat <<EOF

Commands: \`bench-get direct URL CA admin $RES N\` and \`bench-get curl URL CA admin $RES N\`
(HOSTFISH_PASSWORD=adminpass), the callgrind counts with \`valgrind --tool=callgrind
bench-get MODE URL CA admin $RES 1\` and \`... $((K + 1))\`.
EOF
