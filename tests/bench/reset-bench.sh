#!/bin/bash
# SPDX-License-Identifier: MIT
# reset-bench.sh - how soon hostfish is reconnected after the BMC is back from a reset (run by
# hand; not a test, nothing here is asserted).
#
# Each round runs "hostfish bmc reset --wait" against the emulator (--reset-seconds 1): the BMC
# vanishes, comes back, and hostfish notices, logs in again (when it uses a session) and reads
# the manager.  Measured by the emulator on CLOCK_MONOTONIC (its state file's reset.back_at and
# reset.manager_ok_at): from the moment it listens again (HTTPS) or answers on new CHIF
# channels, to the first successful GET of the manager after that.  This includes the
# back-off of the waiting client (probes every 0.1 s, doubling to 0.5 s), a new connection
# (TLS handshake) or CHIF channel, the login and the GET itself.
#   https   hostfish --url (session login, TLS verified)
#   chif    hostfish --transport chif through the CHIF emulator library (root; no session)
#   agent   hostfishd rides through the reset; the time is the agent's own reconnection
# The host-interface transport needs a network namespace and a veth (root): it is measured by
# hand only (tests/integration/hostif-reset.test shows the setup); not here.
#
# Usage: tests/bench/reset-bench.sh [BUILDDIR]   ROUNDS=7 (per transport)
# Output (tests/bench contract): a Markdown section on stdout, diagnostics on stderr.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
ROUNDS=${ROUNDS:-7}
read -r -a HOSTFISH <<<"$(bench_bin hostfish)"
read -r -a HOSTFISHD <<<"$(bench_bin hostfishd)"
CHIF_LIB=$BUILD/tests/emulator/chif/.libs/libilorestchif-emu.so
AGENT_PID=
trap '[ -n "$AGENT_PID" ] && bench_stop_pid "$AGENT_PID"; _bench_cleanup' EXIT

# one round's milliseconds from back_at to manager_ok_at (empty when not measured)
round_ms() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["reset"]
if r.get("back_at") and r.get("manager_ok_at"):
    print("%.1f" % ((r["manager_ok_at"] - r["back_at"]) * 1000))' "$T/emu/state.json"
}

# stats MS...: "median | min | max"
stats() {
	python3 -c 'import statistics, sys
v = sorted(float(x) for x in sys.argv[1:])
print("%.0f | %.0f | %.0f | %d" % (statistics.median(v), v[0], v[-1], len(v)))' "$@"
}

# measure NAME HOW COMMAND...: ROUNDS rounds of COMMAND, one table row
measure() {
	local name=$1 how=$2 i ms v=()
	shift 2
	for i in $(seq "$ROUNDS"); do
		if ! "$@" >"$T/out" 2>"$T/err"; then
			echo "reset-bench: $name round $i failed: $(tail -n 3 "$T/err")" >&2
			continue
		fi
		ms=$(round_ms)
		[ -n "$ms" ] && v+=("$ms")
	done
	if [ ${#v[@]} -eq 0 ]; then
		echo "| $name | $how | - | - | - | 0 |"
	else
		echo "| $name | $how | $(stats "${v[@]}") |"
	fi
}

echo "## Reconnecting after a BMC reset"
echo
echo "From the BMC being back (the emulator listening again / answering on new CHIF channels)"
echo "to hostfish's first successful read of the manager after it, in milliseconds; each round"
echo "is one \`hostfish bmc reset --wait\` against the emulator with \`--reset-seconds 1\`"
echo "(CLOCK_MONOTONIC on both sides, measured by the emulator; $ROUNDS rounds per transport)."
echo "The waiting client probes every 0.1 s, doubling to 0.5 s: the back-off's granularity is"
echo "most of the time."
echo
echo "| transport | what reconnecting takes | median (ms) | min (ms) | max (ms) | n |"
echo "|---|---|---:|---:|---:|---:|"

bench_emu_start --reset-seconds 1
measure https "a new TLS connection, a new session (login), GET the manager" \
	env HOSTFISH_PASSWORD=adminpass "${HOSTFISH[@]}" --url "$EMU_URL" --cacert "$CA" \
	--user admin bmc reset --wait --wait-timeout 60
bench_stop_pid "$EMU_PID"

if [ -f "$CHIF_LIB" ] && [ "$(id -u)" = 0 ]; then
	bench_emu_start --reset-seconds 1 --chif-socket "$T/chif.sock"
	measure chif "new CHIF channels (the old ones answer ENODEV), GET the manager (no session)" \
		env HOSTFISH_CHIF_LIBRARY="$CHIF_LIB" HOSTFISH_EMU_CHIF_SOCKET="$T/chif.sock" \
		"${HOSTFISH[@]}" --transport chif bmc reset --wait --wait-timeout 60
	bench_stop_pid "$EMU_PID"
else
	echo "| chif | (not measured: needs root and the CHIF emulator library) | - | - | - | 0 |"
fi

bench_emu_start --reset-seconds 1
mkdir -m 700 "$T/run-agent"
env HOSTFISH_RUNTIME_DIR="$T/run-agent" HOSTFISH_PASSWORD=adminpass "${HOSTFISHD[@]}" \
	--socket "$T/run-agent/hostfishd.sock" --url "$EMU_URL" --cacert "$CA" --user admin \
	>"$T/agent.out" 2>"$T/agent.err" </dev/null &
AGENT_PID=$!
for i in $(seq 300); do
	curl -sf --unix-socket "$T/run-agent/hostfishd.sock" -o /dev/null \
		http://localhost/hostfishd/status 2>/dev/null && break
	sleep 0.05
done
measure agent "hostfishd's rider: new connection, its session refused, a new one, GET the manager" \
	env HOSTFISH_RUNTIME_DIR="$T/run-agent" "${HOSTFISH[@]}" --transport agent --url "$EMU_URL" \
	bmc reset --wait --wait-timeout 60
bench_stop_pid "$AGENT_PID"
AGENT_PID=
bench_stop_pid "$EMU_PID"
echo
echo "| transport | not measured here |"
echo "|---|---|"
echo "| hostif | needs a network namespace and a veth pair (root): see tests/integration/hostif-reset.test |"
