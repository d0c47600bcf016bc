#!/bin/bash
# SPDX-License-Identifier: MIT
# agent-socket.sh - any HTTP client talks Redfish through hostfishd's socket: no credentials,
# no TLS, no session of its own (the agent's is shared); access by group membership (hostfish:
# everything, hostfish-ro: GET and HEAD).
set -euo pipefail
sock=${HOSTFISHD_SOCKET:-/run/hostfish/hostfishd.sock}

# the service root
curl -sS --fail-with-body --unix-socket "$sock" http://localhost/redfish/v1/
# one property of a resource
curl -sS --fail-with-body --unix-socket "$sock" http://localhost/redfish/v1/Systems/1/ |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["PowerState"])'
# the agent's own health: its session, connections in use, queue, counters
curl -sS --fail-with-body --unix-socket "$sock" http://localhost/hostfishd/status
