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
#   hostif  hostfish --transport hostif in a network namespace and veth pair made here (root,
#           iproute2): the vNIC goes and comes back with the reset (as in
#           tests/integration/hostif-reset.test); its return is seen by the udev monitor
#
# Usage: tests/bench/reset-bench.sh [BUILDDIR]   ROUNDS=7 (per transport),
#   TRANSPORTS="https chif agent hostif" (which to measure)
# Output (tests/bench contract): a Markdown section on stdout, diagnostics on stderr.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
ROUNDS=${ROUNDS:-7}
TRANSPORTS=" ${TRANSPORTS:-https chif agent hostif} "
read -r -a HOSTFISH <<<"$(bench_bin hostfish)"
read -r -a HOSTFISHD <<<"$(bench_bin hostfishd)"
CHIF_LIB=$BUILD/tests/emulator/chif/.libs/libilorestchif-emu.so
AGENT_PID=
HOSTIF_NS= HOSTIF_HV=
net_cleanup() {
	if [ -n "$HOSTIF_HV" ]; then ip link del "$HOSTIF_HV" 2>/dev/null || true; fi
	if [ -n "$HOSTIF_NS" ]; then ip netns del "$HOSTIF_NS" 2>/dev/null || true; fi
	HOSTIF_NS= HOSTIF_HV=
}
trap '[ -n "$AGENT_PID" ] && bench_stop_pid "$AGENT_PID"; _bench_cleanup; net_cleanup' EXIT

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

if [[ $TRANSPORTS == *" https "* ]]; then
bench_emu_start --reset-seconds 1
measure https "a new TLS connection, a new session (login), GET the manager" \
	env HOSTFISH_PASSWORD=adminpass "${HOSTFISH[@]}" --url "$EMU_URL" --cacert "$CA" \
	--user admin bmc reset --wait --wait-timeout 60
bench_stop_pid "$EMU_PID"
fi

if [[ $TRANSPORTS != *" chif "* ]]; then
	:
elif [ -f "$CHIF_LIB" ] && [ "$(id -u)" = 0 ]; then
	bench_emu_start --reset-seconds 1 --chif-socket "$T/chif.sock"
	measure chif "new CHIF channels (the old ones answer ENODEV), GET the manager (no session)" \
		env HOSTFISH_CHIF_LIBRARY="$CHIF_LIB" HOSTFISH_EMU_CHIF_SOCKET="$T/chif.sock" \
		"${HOSTFISH[@]}" --transport chif bmc reset --wait --wait-timeout 60
	bench_stop_pid "$EMU_PID"
else
	echo "| chif | (not measured: needs root and the CHIF emulator library) | - | - | - | 0 |"
fi

if [[ $TRANSPORTS == *" agent "* ]]; then
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
fi

# hostif: a namespace and a veth pair as tests/integration/hostif-reset.test makes them; the
# emulator removes the veth at the reset and makes it again before it listens again
hostif_measure() {
	local ns=hfbench-$$ hv=hfb$$ nv mac host_ip=169.254.97.1 bmc_ip=169.254.97.2
	hv=${hv:0:12}a
	nv=${hv%a}b
	ip netns add "$ns" || return 1
	HOSTIF_NS=$ns HOSTIF_HV=$hv
	ip link add "$hv" type veth peer name "$nv" && ip link set "$nv" netns "$ns" &&
		ip netns exec "$ns" ip addr add "$bmc_ip/24" dev "$nv" &&
		ip netns exec "$ns" ip link set "$nv" up && ip netns exec "$ns" ip link set lo up ||
		return 1
	mac=$(cat "/sys/class/net/$hv/address")
	printf '#!/bin/bash\ncase $1 in\ndown) ip link del %s ;;\nup) ip link add %s type veth peer name %s address %s && ip addr add %s/24 dev %s && ip link set %s up && ip link set %s netns %s ;;\nesac\n' \
		"$nv" "$nv" "$hv" "$mac" "$bmc_ip" "$nv" "$nv" "$hv" "$$" >"$T/vnic"
	chmod 0755 "$T/vnic"
	python3 - "$SRC/tests/fixtures/smbios/make-dumps.py" "$T/smbios.bin" "$mac" "$host_ip" "$bmc_ip" <<'PY' || return 1
import importlib.util, sys
spec = importlib.util.spec_from_file_location("make_dumps", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
out, mac, host, bmc = sys.argv[2:6]
rec = m.rfip("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8fb", m.STATIC, m.IPV4, host, "255.255.255.0",
             m.STATIC, m.IPV4, bmc, "255.255.255.0", 443, 0, "ilo-bench", nul_pad=1)
t42 = m.type42(0x0030, 0x40, m.dev_usb_v2(0x1d6b, 0x0104, 0, mac), [rec])
table = b"".join(m.preamble() + [t42, m.end_of_table()])
m.write(out, m.dump_image(m.ep_sm3(3, 6, 0, len(table), m.DUMP_TABLE_OFFSET), table))
PY
	bench_pki
	mkdir -p "$T/emu"
	rm -f -- "$T/emu/port"
	ip netns exec "$ns" python3 "$SRC/tests/emulator/ilo-emulator" --generation 7 \
		--listen "$bmc_ip:443" --port-file "$T/emu/port" --tls-cert "$T/pki/srv.pem" \
		--tls-key "$T/pki/srv.key" --user admin:adminpass --state-file "$T/emu/state.json" \
		--reset-seconds 1 --reset-command "$T/vnic" >"$T/emu/hostif.out" 2>&1 </dev/null &
	EMU_PID=$!
	_bench_pids+=("$EMU_PID")
	_bench_wait_file "$T/emu/port" "$EMU_PID" "the emulator in $ns" || return 1
	export HOSTFISH_STATE_DIR=$T/state
	env "${HOSTFISH[@]}" --smbios "$T/smbios.bin" hostif up >/dev/null || return 1
	measure hostif "the vNIC back (udev monitor), hostif up's address put back, TLS, login, GET" \
		env HOSTFISH_PASSWORD=adminpass "${HOSTFISH[@]}" --transport hostif \
		--smbios "$T/smbios.bin" --user admin bmc reset --wait --wait-timeout 60
	bench_stop_pid "$EMU_PID"
}
if [[ $TRANSPORTS != *" hostif "* ]]; then
	:
elif [ "$(id -u)" = 0 ] && bench_have ip; then
	hostif_measure || echo "| hostif | (not measured: the namespace could not be set up) | - | - | - | 0 |"
	net_cleanup
else
	echo "| hostif | (not measured: needs root and ip for a network namespace) | - | - | - | 0 |"
fi
