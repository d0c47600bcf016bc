#!/bin/bash
# SPDX-License-Identifier: MIT
# agent-conns-bench.sh - hostfishd's memory over many short client connections (run by hand;
# not a test, nothing here is asserted): each connection is a new Unix socket connection
# served by a thread of its own, with one GET forwarded to the BMC, then closed.  hostfishd's
# VmRSS is read after 1,000 connections and again after 100,000: a per-connection leak (the
# per-thread error record of issue 14 kept ~350 bytes per connection) shows as the difference.
#
# Target (issue 14): RSS after 100,000 connections within 1 MiB of RSS after 1,000.
#
# Usage: tests/bench/agent-conns-bench.sh [BUILDDIR]   (default: the current directory)
#   FIRST=1000, TOTAL=100000, PAR=4 (clients connecting at once), RES=path,
#   SERVER=nginx (or emulator)
# Output (tests/bench contract): a Markdown section on stdout, diagnostics on stderr.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
FIRST=${FIRST:-1000}
TOTAL=${TOTAL:-100000}
PAR=${PAR:-4}
RES=${RES:-/redfish/v1/Systems/1/}
[ -x "$BUILD/hostfishd" ] || { echo "agent-conns-bench: build hostfishd first" >&2; exit 1; }
read -r -a HOSTFISHD <<<"$(bench_bin hostfishd)"
trap 'bench_agent_stop; _bench_cleanup' EXIT

bench_server_start
bench_agent_start "${HOSTFISHD[@]}"

# N connections, PAR at a time: connect, one GET, read the answer, close
connections() {
	python3 - "$SOCK" "$RES" "$1" "$PAR" <<'PY'
import socket, sys, threading
sock, res, n, par = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
req = ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % res).encode()
failed = [0]
def run(count):
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock)
            s.sendall(req)
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
            if not data.startswith(b"HTTP/1.1 200"):
                failed[0] += 1
        finally:
            s.close()
threads = [threading.Thread(target=run, args=(n // par + (i < n % par),)) for i in range(par)]
for t in threads: t.start()
for t in threads: t.join()
print(failed[0])
PY
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$AGENT_PID/status"; }
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$AGENT_PID/status"; }

start=$(date +%s%N)
f1=$(connections "$FIRST")
rss1=$(rss_kib)
f2=$(connections "$((TOTAL - FIRST))")
rss2=$(rss_kib)
secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
thr=$(threads_of)
echo "agent-conns-bench: $TOTAL connections in $secs s; failures $f1 + $f2; RSS $rss1 -> $rss2 KiB; threads $thr" >&2

cat <<EOF
## hostfishd: memory over $TOTAL client connections

\`tests/bench/agent-conns-bench.sh\` ($SERVER; $(bench_machine)): $TOTAL Unix socket connections
to hostfishd, $PAR at a time, each one GET $RES forwarded to the BMC and closed
($secs s in all; failed answers: $((f1 + f2))).  Target (issue 14): VmRSS after $TOTAL
connections within 1 MiB of VmRSS after $FIRST.

| after | hostfishd VmRSS |
|---|---|
| $FIRST connections | $((rss1 / 1024)).$(((rss1 % 1024) * 10 / 1024)) MiB ($rss1 KiB) |
| $TOTAL connections | $((rss2 / 1024)).$(((rss2 % 1024) * 10 / 1024)) MiB ($rss2 KiB) |
| **difference** | **$((rss2 - rss1)) KiB** |

Target $( [ $((rss2 - rss1)) -le 1024 ] && echo "**met**" || echo "**missed**") (threads alive at the end: $thr).
EOF
