#!/bin/bash
# SPDX-License-Identifier: MIT
# latency-bench.sh - what an operation costs on a BMC that takes a real iLO's time per request
# (a benchmark, run by hand or by run-benchmarks.sh; nothing here is asserted).
#
# The emulated iLO 5 (tests/emulator, TLS on loopback) runs with its latency model
# (--latency, tests/emulator/iloemu/latency.py): each request waits as long as an iLO takes,
# without holding up the emulator's other connections.  For each operation, each tool that has
# it runs ROUNDS times, the rows interleaved round by round; the table shows the BMC requests
# it made (the emulator's state file, before and after), the sessions it left open on the BMC,
# and its median wall time, with the ratio to the fastest peer (ilorest, redfishtool) of the
# same operation.
#
# Operations and their rows:
#   GET       one GET of $RES: hostfish --user (login, GET, logout), hostfish with a kept
#             session (hostfish login first), hostfish through hostfishd (logged in already),
#             ilorest rawget, redfishtool raw GET (Basic, its default; and -A Session)
#   status    hostfish status (--user, and through hostfishd); ilorest serverinfo --system;
#             redfishtool Systems
#   firmware  hostfish firmware list (--user, and through hostfishd);
#             ilorest list --selector SoftwareInventory.
#   sessions  hostfish sessions (--user); redfishtool SessionService Sessions list
#   crawl     hostfish crawl of the whole tree with 1 and with 8 jobs (no peer has one)
#
# Usage: tests/bench/latency-bench.sh [BUILDDIR]      (default: the current directory)
#   LATENCY=default  the model (--latency of the emulator; "default" is latency.py's DEFAULT:
#                    get=150ms,post=400ms,patch=400ms,delete=200ms,session=1s)
#   ROUNDS=3         runs per row (median); CRAWL_ROUNDS=1 for the crawls
#   OPS="get status firmware sessions crawl1 crawl8"   the operations measured
#   TOOLS="hostfish ilorest redfishtool"               the tools (a missing one is left out)
#   RES=/redfish/v1/Systems/1/
# Output (tests/bench contract): a Markdown section on stdout, diagnostics on stderr.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
LATENCY=${LATENCY:-default}
ROUNDS=${ROUNDS:-3}
CRAWL_ROUNDS=${CRAWL_ROUNDS:-1}
OPS=${OPS:-get status firmware sessions crawl1 crawl8}
TOOLS=${TOOLS:-hostfish ilorest redfishtool}
RES=${RES:-/redfish/v1/Systems/1/}
[ -x "$BUILD/hostfish" ] || { echo "latency-bench: build hostfish first" >&2; exit 1; }
[ -x "$BUILD/hostfishd" ] || { echo "latency-bench: build hostfishd first" >&2; exit 1; }
read -r -a HOSTFISH <<<"$(bench_bin hostfish)"
read -r -a HOSTFISHD <<<"$(bench_bin hostfishd)"
trap 'bench_agent_stop; _bench_cleanup' EXIT

want_tool() {
	case " $TOOLS " in
	*" $1 "*) [ "$1" = hostfish ] || bench_have "$1" ;;
	*) return 1 ;;
	esac
}
want_op() { case " $OPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ilorest and redfishtool leave sessions behind (their own way of working); the emulator
# allows many, so that they never run out
bench_emu_start --latency "$LATENCY" --max-sessions 100000
cp "$T/pki/ca.pem" "$T/ca.pem"
URL=$EMU_URL
STATE=$T/emu/state.json
MODEL=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from iloemu.latency import Latency; print(Latency(sys.argv[2]).describe())' \
	"$SRC/tests/emulator" "$LATENCY")
# ilorest and redfishtool write logs and caches into the current directory and $HOME
mkdir -p "$T/cwd" "$T/home"
cd "$T/cwd"

# the CLI's own runtime directory ($HOSTFISH_RUNTIME_DIR from bench_init); the agent's socket
# lives in another one, which the "through hostfishd" rows use (auto finds the agent there)
RUN_AG=$T/run-ag
mkdir -m 700 "$RUN_AG"
# the kept session lives in a runtime directory of its own: the --user rows must not find it
RUN_KEPT=$T/run-kept
mkdir -m 700 "$RUN_KEPT"
export HOSTFISH_PASSWORD=adminpass HOME=$T/home

hf() { env "${HOSTFISH[@]}" --url "$URL" --cacert "$T/ca.pem" "$@"; }
hfu() { hf --user admin "$@"; }
hfag() { HOSTFISH_RUNTIME_DIR=$RUN_AG env "${HOSTFISH[@]}" --url "$URL" --cacert "$T/ca.pem" "$@"; }
ilo() { ilorest --nologo --nocache "$@" --url "$URL" -u admin -p adminpass --logout; }
rft() { redfishtool -r "127.0.0.1:$EMU_PORT" -u admin -p adminpass -S Always "$@"; }

# rows: ID|OPERATION|TOOL|MODE, then its command as the function row_ID
ROWS=()
row() { ROWS+=("$1|$2|$3|$4"); }
if want_op get; then
	if want_tool hostfish; then
		row get_hf get hostfish "\`--user\`: login, GET, logout"
		row get_kept get hostfish "kept session (\`hostfish login\` before)"
		row get_agent get hostfish "through hostfishd (logged in)"
	fi
	want_tool ilorest && row get_ilo get ilorest "\`rawget\` (session)"
	if want_tool redfishtool; then
		row get_rft get redfishtool "\`raw GET\` (Basic, its default)"
		row get_rfts get redfishtool "\`-A Session raw GET\`"
	fi
fi
if want_op status; then
	if want_tool hostfish; then
		row st_hf status hostfish "\`--user status\`"
		row st_agent status hostfish "\`status\` through hostfishd"
	fi
	want_tool ilorest && row st_ilo status ilorest "\`serverinfo --system\`"
	want_tool redfishtool && row st_rft status redfishtool "\`Systems\` (Basic)"
fi
if want_op firmware; then
	if want_tool hostfish; then
		row fw_hf firmware hostfish "\`--user firmware list\`"
		row fw_agent firmware hostfish "\`firmware list\` through hostfishd"
	fi
	want_tool ilorest && row fw_ilo firmware ilorest "\`list --selector SoftwareInventory.\`"
fi
if want_op sessions; then
	want_tool hostfish && row se_hf sessions hostfish "\`--user sessions\`"
	want_tool redfishtool && row se_rft sessions redfishtool "\`SessionService Sessions list\` (Basic)"
fi
if want_tool hostfish; then
	want_op crawl1 && row cr1 "crawl, 1 job" hostfish "\`--user crawl --jobs 1\`"
	want_op crawl8 && row cr8 "crawl, 8 jobs" hostfish "\`--user crawl --jobs 8\`"
fi
[ ${#ROWS[@]} -gt 0 ] || { echo "latency-bench: nothing to measure (OPS, TOOLS)" >&2; exit 1; }

row_get_hf() { hfu get "$RES"; }
row_get_kept() { HOSTFISH_RUNTIME_DIR=$RUN_KEPT hf --user admin get "$RES"; }
row_get_agent() { hfag get "$RES"; }
row_get_ilo() { ilo rawget "$RES"; }
row_get_rft() { rft raw GET "$RES"; }
row_get_rfts() { rft -A Session raw GET "$RES"; }
row_st_hf() { hfu status; }
row_st_agent() { hfag status; }
row_st_ilo() { ilo serverinfo --system; }
row_st_rft() { rft Systems; }
row_fw_hf() { hfu firmware list; }
row_fw_agent() { hfag firmware list; }
row_fw_ilo() { ilo list --selector SoftwareInventory.; }
row_se_hf() { hfu sessions; }
row_se_rft() { rft SessionService Sessions list; }
crawl() { rm -rf -- "$T/crawl"; hfu --no-progress crawl --jobs "$1" --out "$T/crawl"; }
row_cr1() { crawl 1; }
row_cr8() { crawl 8; }

# the emulator's counters: "requests open_sessions"
counters() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["requests"], d["open_sessions"])' "$STATE"
}

# the URIs of the sessions open on the BMC, one a line
session_uris() {
	python3 -c 'import json, sys; [print(s["uri"]) for s in json.load(open(sys.argv[1]))["sessions"]]' "$STATE"
}

# delete the sessions a row left open (ilorest does, by design), after it was measured: every
# row starts with the same sessions on the BMC (a growing list would cost "sessions" more reads)
drop_left_sessions() { # FILE-OF-URIS-BEFORE
	local uri
	session_uris | sort >"$T/sessions.after"
	sort "$1" | comm -13 - "$T/sessions.after" | while read -r uri; do
		uri=${uri#https://127.0.0.1:"$EMU_PORT"}
		HOSTFISH_RUNTIME_DIR=$RUN_KEPT hf --user admin delete "$uri" >/dev/null 2>&1 ||
			echo "latency-bench: cannot delete the session $uri" >&2
	done
}

# set up the kept session and the agent when a row needs them
for r in "${ROWS[@]}"; do
	case ${r%%|*} in
	get_kept) [ -n "${KEPT:-}" ] || { HOSTFISH_RUNTIME_DIR=$RUN_KEPT hfu login >/dev/null; KEPT=1; } ;;
	*_agent) [ -n "${AGENT_PID:-}" ] || {
		# bench_agent_start's socket goes into $RUN_AG, where the CLI's auto finds it
		SOCK=$RUN_AG/hostfishd.sock
		mkdir -m 700 "$T/run-agent"
		HOSTFISH_RUNTIME_DIR=$T/run-agent env "${HOSTFISHD[@]}" --socket "$SOCK" --url "$URL" \
			--cacert "$T/ca.pem" --user admin >"$T/agent.log" 2>&1 </dev/null &
		AGENT_PID=$!
		for _ in $(seq 300); do
			curl -sf --unix-socket "$SOCK" -o "$T/status" http://localhost/hostfishd/status \
				2>/dev/null && grep -q '"active":true' "$T/status" && break
			sleep 0.05
		done
		grep -q '"active":true' "$T/status" 2>/dev/null ||
			{ echo "latency-bench: hostfishd did not start: $(tail -3 "$T/agent.log")" >&2; exit 1; }
	} ;;
	esac
done

declare -A TIMES REQS LEFT FAILS
for round in $(seq "$ROUNDS"); do
	for r in "${ROWS[@]}"; do
		IFS='|' read -r id op tool mode <<<"$r"
		case $id in cr*) [ "$round" -le "$CRAWL_ROUNDS" ] || continue ;; esac
		session_uris >"$T/sessions.before"
		read -r req0 open0 < <(counters)
		t0=$(date +%s%N)
		rc=0
		"row_$id" >"$T/out" 2>"$T/err" </dev/null || rc=$?
		# a crawl of the emulated iLO 5 ends with exit 2: some of the tree's links lead to
		# answers of 400 or 404, as on the iLO the mockup was taken from; the rest is mirrored
		case $id in cr*) [ "$rc" -eq 2 ] && grep -q 'resources could not be mirrored' "$T/err" && rc=0 ;; esac
		t1=$(date +%s%N)
		read -r req1 open1 < <(counters)
		ms=$(((t1 - t0) / 1000000))
		echo "latency-bench: round $round, $op, $tool $mode: $ms ms, $((req1 - req0)) requests, rc $rc" >&2
		if [ "$rc" -ne 0 ]; then
			FAILS[$id]="exit $rc: $(cat "$T/out" "$T/err" | grep -v '^\s*$' | tail -n 1 | cut -c1-100)"
			echo "latency-bench:   $(tail -n 2 "$T/err")" >&2
		fi
		TIMES[$id]+="$ms "
		REQS[$id]+="$((req1 - req0)) "
		LEFT[$id]+="$((open1 - open0)) "
		[ "$open1" -le "$open0" ] || drop_left_sessions "$T/sessions.before"
	done
done
if [ -n "${KEPT:-}" ]; then
	HOSTFISH_RUNTIME_DIR=$RUN_KEPT hf --user admin logout >/dev/null 2>&1 || true
fi
bench_agent_stop

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
span() { # "a b c" -> "a" when all equal, else "min-max"
	tr ' ' '\n' | grep . | sort -n | uniq | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print (lo == hi) ? lo : lo "–" hi }'
}
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }

# the fastest peer per operation (rows of ilorest and redfishtool that did not fail)
declare -A BEST MED
for r in "${ROWS[@]}"; do
	IFS='|' read -r id op tool mode <<<"$r"
	MED[$id]=$(median <<<"${TIMES[$id]}")
	[ "$tool" = hostfish ] && continue
	[ -n "${FAILS[$id]:-}" ] && continue
	if [ -z "${BEST[$op]:-}" ] || [ "${MED[$id]}" -lt "${BEST[$op]}" ]; then BEST[$op]=${MED[$id]}; fi
done

echo "## Under a real BMC's latency: requests and wall time per operation"
echo
echo "\`tests/bench/latency-bench.sh\`: the emulated iLO 5 (TLS on loopback) with the latency"
echo "model \`--latency $MODEL\` (per request, before the emulator carries it out, other"
echo "connections going on meanwhile; the values are chosen, see tests/emulator/iloemu/latency.py:"
echo "the one published iLO timing found is 39 ms for a GET on an iLO 6).  Median wall time of"
echo "$ROUNDS runs per row ($CRAWL_ROUNDS for the crawls), rows interleaved round by round; BMC"
echo "requests and the sessions each run left open counted by the emulator (and deleted after it,"
echo "so that each run finds the same sessions).  \"× best peer\": the"
echo "row's wall time over that of the fastest ilorest or redfishtool row of the same operation."
echo "hostfish, hostfishd: verify TLS against the test CA; ilorest and redfishtool: never verify."
echo
echo "| operation | tool | how | BMC requests | sessions left | wall (s) | × best peer |"
echo "|---|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do
	IFS='|' read -r id op tool mode <<<"$r"
	if [ -n "${FAILS[$id]:-}" ]; then
		wall="failed (${FAILS[$id]//|/\\|})"
		ratio="–"
	else
		wall=$(secs "${MED[$id]}")
		ratio=$(awk -v a="${MED[$id]}" -v b="${BEST[$op]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "–" }')
		[ "$tool" = hostfish ] && [ "$ratio" != "–" ] && ratio="**$ratio**"
	fi
	echo "| $op | $tool | $mode | $(span <<<"${REQS[$id]}") | $(span <<<"${LEFT[$id]}") | $wall | $ratio |"
done
echo
echo "Machine: $(bench_machine).  hostfish git $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')."
exit 0
