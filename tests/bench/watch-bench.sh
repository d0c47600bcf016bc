#!/bin/bash
# SPDX-License-Identifier: MIT
# watch-bench.sh - what watching costs the BMC (a benchmark, run by hand; nothing is asserted):
# the requests `hostfish inventory`, `hostfish sensors` and one metrics read make to the
# emulated iLO 5 (counted by the emulator), with the service root advertising $expand and
# without (emulator --no-expand, when the emulator has it), beside HPE's `ilorest serverinfo
# --all` on the same emulated BMC; and hostfishd's resident memory with /metrics in use.
#
# Output contract (as every tests/bench/*-bench.sh): a Markdown section starting with "## " on
# stdout, diagnostics on stderr, exit 0 unless nothing could be measured.
#
# Usage: tests/bench/watch-bench.sh [BUILDDIR]
#   SCRAPES=200 (scrapes of /metrics for the RSS measurement), INTERVAL=1 (--metrics-interval),
#   WITH_ILOREST=1 (0: leave ilorest out)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
SCRAPES=${SCRAPES:-200}
INTERVAL=${INTERVAL:-1}
HOSTFISH=$BUILD/hostfish
[ -x "$HOSTFISH" ] || { echo "watch-bench: build hostfish first" >&2; exit 1; }
bench_need curl python3 openssl

# requests the emulator has counted so far
emu_count() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["requests"])' \
		"$T/emu/state.json"
}

# cost WHAT CMD...: run CMD, print "| WHAT | requests | exit |" (requests counted by the BMC)
cost() {
	local what=$1 before after rc
	shift
	before=$(emu_count)
	"$@" >"$T/cmd.out" 2>"$T/cmd.err"
	rc=$?
	after=$(emu_count)
	[ $rc = 0 ] || echo "watch-bench: $what exited $rc: $(tail -1 "$T/cmd.err")" >&2
	printf '| %s | %d | %d |\n' "$what" "$((after - before))" "$rc"
}

hf() {
	HOSTFISH_PASSWORD=adminpass "$HOSTFISH" --url "$EMU_URL" --cacert "$CA" --user admin \
		--direct "$@"
}

ilo() {
	# ilorest writes its log and cache into the current directory and its home
	(cd "$T/ilorest" && HOME=$T/ilorest timeout 300 ilorest --nologo --nocache serverinfo \
		--all --url "$EMU_URL" -u admin -p adminpass --logout)
}

table() { # EMULATOR ARGS...
	bench_emu_start --max-sessions 64 "$@"
	echo "| command | BMC requests | exit code |"
	echo "|---|---:|---:|"
	cost "hostfish inventory" hf inventory
	cost "hostfish sensors" hf sensors
	cost "hostfish metrics (one read for /metrics)" hf metrics
	if [ "${WITH_ILOREST:-1}" = 1 ] && bench_have ilorest; then
		mkdir -p "$T/ilorest"
		cost "ilorest serverinfo --all" ilo
	fi
	bench_stop_pid "$EMU_PID"
}

echo "## Watching: requests per inventory, sensors and metrics read"
echo
echo "$(bench_machine).  Counted by the emulated iLO 5 (tests/emulator, the XL675d mockup: 2"
echo "CPUs, 32 DIMMs, 27 firmware entries, 65 temperatures, 15 fans, 6 power supplies), every"
echo "request included: hostfish's login (POST) and logout (DELETE) as well as ilorest's.  A"
echo "non-zero exit code means the command failed (its requests are still counted)."
echo
echo "### Service root advertising \$expand (ExpandQuery, Levels, MaxLevels 1) and \$select"
echo
table
echo
if "$SRC/tests/emulator/ilo-emulator" --help 2>/dev/null | grep -q -- --no-expand; then
	echo "### Without \$expand (emulator --no-expand)"
	echo
	table --no-expand
	echo
else
	echo "(This emulator has no --no-expand: the table above is the only one.)"
	echo
fi

# hostfishd's memory with /metrics scraped: SCRAPES scrapes, one every 50 ms, the BMC read
# again every INTERVAL seconds
bench_emu_start --max-sessions 64
URL=$EMU_URL
cp "$CA" "$T/ca.pem"
read -r -a agent <<<"$(bench_bin hostfishd)"
bench_agent_start "${agent[@]}" --metrics-interval "$INTERVAL"
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$AGENT_PID/status"; }
rss0=$(rss VmRSS)
t0=$(date +%s%N)
for _ in $(seq "$SCRAPES"); do
	curl -sf --unix-socket "$SOCK" -o "$T/metrics" http://localhost/metrics || break
	sleep 0.05
done
t1=$(date +%s%N)
rss1=$(rss VmRSS)
hwm=$(rss VmHWM)
refreshes=$(awk '$1 == "hostfishd_metrics_refreshes_total" { print $2 }' "$T/metrics")
lines=$(wc -l <"$T/metrics")
bench_agent_stop
echo "### hostfishd's memory with metrics on"
echo
echo "hostfishd --metrics-interval $INTERVAL, $SCRAPES scrapes of /metrics on its socket over"
echo "$(((t1 - t0) / 1000000)) ms ($refreshes reads of the BMC, $lines lines of metrics each)."
echo
echo "| | KiB |"
echo "|---|---:|"
echo "| VmRSS after start (logged in, no scrape yet) | $rss0 |"
echo "| VmRSS after the scrapes | $rss1 |"
echo "| VmHWM (peak) | $hwm |"
