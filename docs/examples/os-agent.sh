#!/bin/bash
# SPDX-License-Identifier: MIT
# os-agent.sh - an OS agent's inventory step: what the BMC knows about this server, as one JSON
# object for a monitoring agent or a CMDB.  hostfish picks the way to the BMC itself (hostfishd
# when it runs, else the Redfish host interface or CHIF); HOSTFISH_OPTS adds options, e.g.
# "--user inventory --cacert /etc/hostfish/bmc-ca.pem" (the password in HOSTFISH_PASSWORD).
# On failure it exits with hostfish's exit code (see "Exit codes").
set -euo pipefail
hostfish=${HOSTFISH:-hostfish}
read -r -a opts <<<"${HOSTFISH_OPTS:-}"

status=$("$hostfish" "${opts[@]}" --json status) # manager, model, serial, power, health
system=$("$hostfish" "${opts[@]}" get /redfish/v1/Systems/1/) # any resource, as JSON

python3 - "$status" "$system" <<'PY'
import json, sys
status, system = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "bmc_firmware": status["manager"]["firmware"],
    "model": status["system"]["model"],
    "serial": status["system"]["serial"],
    "power": status["system"]["power_state"],
    "health": status["system"]["health"],
    "bios_version": system.get("BiosVersion"),
    "memory_gib": system.get("MemorySummary", {}).get("TotalSystemMemoryGiB"),
}, sort_keys=True))
PY
