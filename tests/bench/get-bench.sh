#!/bin/bash
# SPDX-License-Identifier: MIT
# get-bench.sh - one GET per process: hostfish vs curl vs redfishtool vs ilorest (a benchmark,
# not a test; nothing here is asserted).
#
# Every run is a whole process: start, TLS handshake, authentication, the GET, logout when the
# tool logs in, exit.  Two servers on 127.0.0.1: the iLO emulator (tests/emulator, Python,
# TLS) and nginx serving the iLO 5 mockup tree over TLS with a stub session service (a fast
# server, so the clients' own costs show).  The tools are run in interleaved rounds
# (tests/bench/pertime.py); the medians and their ratios are what count.
#
# Targets (issue 9): hostfish <= 1.1 x curl; hostfish >= 10 x faster than the Python clients.
#
# Then, for the repeatable view: instructions executed by one whole process (valgrind
# --tool=callgrind, which counts the same every time) and TCP connections (TLS handshakes)
# per run (strace), against nginx.
#
# Usage: tests/bench/get-bench.sh [BUILDDIR]     (default: the current directory)
#   GET_ROUNDS=25 (counted rounds), GET_WARMUP=2, SERVERS="nginx emulator", CALLGRIND=1 (0: skip it),
#   CALLGRIND_PY=1 (also count the Python clients' instructions: slow),
#   TOOLS="hostfish curl redfishtool ilorest" (a tool that is not installed is left out, and
#   said so)
# Output: a Markdown section on stdout, diagnostics on stderr.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-.}"
GET_ROUNDS=${GET_ROUNDS:-25}
GET_WARMUP=${GET_WARMUP:-2}
SERVERS=${SERVERS:-nginx emulator}
CALLGRIND=${CALLGRIND:-1}
CALLGRIND_PY=${CALLGRIND_PY:-1}
[ -x "$BUILD/hostfish" ] || { echo "get-bench: build hostfish first ($BUILD/hostfish)" >&2; exit 1; }
read -r -a HOSTFISH <<<"$(bench_bin hostfish)"
bench_need python3 openssl
TOOLS=${TOOLS:-hostfish curl redfishtool ilorest}
tools=() left_out=()
for t in $TOOLS; do
	if [ "$t" = hostfish ] || bench_have "$t"; then tools+=("$t"); else left_out+=("$t"); fi
done
servers=() no_server=()
for s in $SERVERS; do
	if [ "$s" = nginx ] && ! { bench_have nginx || [ -x /usr/sbin/nginx ]; } ||
		{ [ "$s" = nginx ] && ! bench_have curl; }; then
		no_server+=("$s")
	else
		servers+=("$s")
	fi
done
# only the commands of the tools there are (the first word of the TOOL field)
only_tools() {
	awk -F'\t' -v tools=" ${tools[*]} " '$1 != "cmd" { print; next }
		{ split($4, w, " "); if (index(tools, " " w[1] " ")) print }'
}
RES=/redfish/v1/Systems/1/
ROOT=/redfish/v1/
export HOSTFISH_PASSWORD=adminpass
mkdir -m 700 "$T/run-disk"
cd "$T" # ilorest and redfishtool may write logs into the current directory

# curl's way to do a session from a shell: login, GET with the token, logout (3 processes)
cat >"$T/curl-session.sh" <<'EOF'
#!/bin/sh
# curl-session.sh URL CAFILE PATH: Redfish session login, GET, logout with curl
set -e
u=$1 ca=$2 p=$3 h=$(mktemp)
trap 'rm -f "$h"' EXIT
curl -sS --fail --cacert "$ca" -o /dev/null -D "$h" -H 'Content-Type: application/json' \
	-d '{"UserName":"admin","Password":"adminpass"}' "$u/redfish/v1/SessionService/Sessions/"
tok=$(sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: *\([^[:space:]]*\).*/\1/p' "$h")
loc=$(sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p' "$h")
case $loc in http*) ;; *) loc=$u$loc ;; esac
curl -sS --fail --cacert "$ca" -H "X-Auth-Token: $tok" "$u$p"
curl -sS --fail --cacert "$ca" -o /dev/null -X DELETE -H "X-Auth-Token: $tok" "$loc"
EOF
chmod +x "$T/curl-session.sh"

tab() { local IFS=$'\t'; echo "$*"; }

# spec SERVER URL PORT: the commands and targets for pertime.py
spec() {
	local s=$1 u=$2 p=$3 ca=$T/pki/ca.pem
	local G1="$s: each tool's default with credentials, GET $RES"
	local G2="$s: Basic authentication, one request (equal work)"
	local G3="$s: session login + GET $RES + logout"
	local G4="$s: no authentication, GET $ROOT (equal work)"
	tab cmd hf-default "$G1" hostfish "session (its default): POST login, GET, DELETE logout; TLS verified" \
		"${HOSTFISH[@]}" --url "$u" --cacert "$ca" --user admin --no-session-cache get "$RES"
	tab cmd curl-basic "$G2" curl "Basic (curl -u), 1 request; TLS verified" \
		curl -sS --fail --cacert "$ca" -u admin:adminpass "$u$RES"
	tab cmd rft-basic "$G1" redfishtool "Basic (its default), 1 request; TLS not verified (it cannot)" \
		redfishtool -r "127.0.0.1:$p" -u admin -p adminpass -S Always raw GET "$RES"
	tab cmd ilo-default "$G1" ilorest "session (its default): GET $ROOT, /rest/v1, $ROOT, POST login, GET, JsonSchemas and Registries (\$expand); no DELETE although told --logout (its session stays on the BMC); TLS not verified (it cannot)" \
		ilorest --nologo --nocache rawget "$RES" --url "$u" -u admin -p adminpass --logout
	tab also "$G1" curl-basic
	tab cmd hf-basic "$G2" hostfish "Basic (--auth basic), 1 request; TLS verified" \
		"${HOSTFISH[@]}" --url "$u" --cacert "$ca" --user admin --auth basic get "$RES"
	tab also "$G2" rft-basic
	tab also "$G3" hf-default
	if [ -n "$BENCH_RUN" ]; then
		# the same with hostfish's runtime directory on this machine's disk instead of tmpfs
		tab cmd hf-session-disk "$G3" "hostfish (runtime dir on disk)" "as above, its session journal (fsync, rename) on this machine's disk ($(stat -f -c %T "$T")) instead of tmpfs" \
			HOSTFISH_RUNTIME_DIR="$T/run-disk" "${HOSTFISH[@]}" --url "$u" --cacert "$ca" --user admin --no-session-cache get "$RES"
	fi
	tab cmd curl-session "$G3" "curl x3 (sh)" "3 curl processes from sh: POST login, GET with X-Auth-Token, DELETE; TLS verified" \
		"$T/curl-session.sh" "$u" "$ca" "$RES"
	tab cmd rft-session "$G3" redfishtool "session (-A Session): POST login, GET, DELETE; TLS not verified" \
		redfishtool -r "127.0.0.1:$p" -u admin -p adminpass -S Always -A Session raw GET "$RES"
	tab also "$G3" ilo-default
	tab cmd hf-none "$G4" hostfish "no credentials (--auth none), 1 request; TLS verified" \
		"${HOSTFISH[@]}" --url "$u" --cacert "$ca" --auth none get "$ROOT"
	tab cmd curl-none "$G4" curl "1 request; TLS verified" \
		curl -sS --fail --cacert "$ca" "$u$ROOT"
	tab cmd rft-none "$G4" redfishtool "-A None, 1 request; TLS not verified" \
		redfishtool -r "127.0.0.1:$p" -S Always -A None raw GET "$ROOT"
	tab le "$s: hostfish <= 1.1 x curl, Basic auth (equal work)" hf-basic curl-basic 1.1
	tab le "$s: hostfish <= 1.1 x curl, no auth (equal work)" hf-none curl-none 1.1
	tab le "$s: hostfish <= 1.15 x curl, each tool's default (hostfish: session, 3 requests; curl: Basic, 1; issue 18)" hf-default curl-basic 1.15
	tab le "$s: hostfish <= 1.1 x curl, session login + GET + logout" hf-default curl-session 1.1
	tab ge "$s: redfishtool >= 10 x hostfish, each tool's default (Basic vs session)" rft-basic hf-default 10
	tab ge "$s: redfishtool >= 10 x hostfish, Basic (equal work)" rft-basic hf-basic 10
	tab ge "$s: redfishtool >= 10 x hostfish, session (equal work)" rft-session hf-default 10
	tab ge "$s: redfishtool >= 10 x hostfish, no auth (equal work)" rft-none hf-none 10
	tab ge "$s: ilorest >= 10 x hostfish, each tool's default (both: session)" ilo-default hf-default 10
}

# the requests one run of each tool makes, from the emulator's log
requests_per_run() {
	local kind id group tool what argv arr
	echo
	echo "Requests one run makes (the emulator's request log, one run each):"
	echo
	echo "| run | requests |"
	echo "|---|---|"
	while IFS=$'\t' read -r kind id group tool what argv; do
		[ "$kind" = cmd ] || continue
		IFS=$'\t' read -r -a arr <<<"$argv"
		: >"$EMU_LOG"
		env "${arr[@]}" >/dev/null 2>&1 </dev/null || true
		echo "| $id ($tool) | $(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { if (!NR) printf "none" }' "$EMU_LOG") |"
	done <"$T/spec-emulator"
}

# Ir (instructions executed) of one whole process under callgrind, and its TCP connections
instructions() {
	local kind id group tool what argv arr envs ir conns
	local -A IR
	echo
	echo "Instructions executed by one whole process (valgrind --tool=callgrind: the same count"
	echo "every run, so the ratios here are not noisy; dynamic loading and TLS included) and the TLS"
	echo "connections it opens, and how many of them resumed an earlier TLS session (nginx's"
	echo "\$ssl_session_reused), against nginx:"
	echo
	echo "| run | instructions (Ir) | Ir / curl Basic | TLS connections |"
	echo "|---|---:|---:|---:|"
	while IFS=$'\t' read -r kind id group tool what argv; do
		[ "$kind" = cmd ] || continue
		case $tool in
		redfishtool | ilorest) [ "$CALLGRIND_PY" = 1 ] || continue ;;
		"curl x3 (sh)") continue ;; # three processes and a shell
		esac
		IFS=$'\t' read -r -a arr <<<"$argv"
		echo "get-bench: callgrind $id" >&2
		# valgrind runs the program itself: the leading NAME=VALUE fields go to env(1) first
		envs=()
		while [ ${#arr[@]} -gt 0 ] && [[ ${arr[0]} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
			envs+=("${arr[0]}")
			arr=("${arr[@]:1}")
		done
		env "${envs[@]}" valgrind --tool=callgrind --callgrind-out-file="$T/cg.$id" "${arr[@]}" \
			>/dev/null 2>"$T/cg.$id.err" </dev/null || true
		ir=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$T/cg.$id" 2>/dev/null | head -1)
		IR[$id]=${ir:-0}
		: >"$NGINX_LOG"
		env "${envs[@]}" "${arr[@]}" >/dev/null 2>&1 </dev/null || true
		conns=$(awk '!seen[$1]++ { n++; if ($2 == "r") r++ } END { printf "%d (%d resumed)", n, r }' "$NGINX_LOG")
		echo "| $id ($tool) | $ir | $(awk -v a="${ir:-0}" -v b="${IR[curl-basic]:-0}" 'BEGIN { if (b) printf "%.3f", a / b; else print "-" }') | $conns |"
	done < <(awk -F'\t' '$1 == "cmd" && $2 == "curl-basic"' "$T/spec-nginx"; awk -F'\t' '$1 == "cmd" && $2 != "curl-basic"' "$T/spec-nginx")
	[ -n "${IR[hf-basic]:-}" ] && [ -n "${IR[curl-basic]:-}" ] && [ "${IR[curl-basic]}" -gt 0 ] &&
		echo && awk -v a="${IR[hf-basic]}" -v b="${IR[curl-basic]}" -v c="${IR[hf-none]:-0}" -v d="${IR[curl-none]:-0}" -v e="${IR[hf-default]:-0}" 'BEGIN {
			printf "Instructions, hostfish <= 1.1 x curl (equal work, Basic): %.3f: **%s**", a / b, a / b <= 1.1 ? "met" : "missed"
			if (d) printf "; no auth: %.3f: **%s**", c / d, c / d <= 1.1 ? "met" : "missed"
			if (e) printf "; hostfish default (session: login, GET, logout) <= 1.15 x curl Basic: %.3f: **%s**", e / b, e / b <= 1.15 ? "met" : "missed"
			print "." }'
	return 0
}

cat <<EOF
## One GET per process: hostfish, curl, redfishtool, ilorest

Each run is a whole process (start, TLS handshake, authentication, the request, logout when
the tool logs in, exit), spawned and reaped by \`tests/bench/pertime.py\`; the tools run in
interleaved rounds ($GET_ROUNDS counted rounds after $GET_WARMUP warm-up rounds, the order rotated each
round).  Wall time from spawn to reap; CPU = the process's user + system time; max RSS = its
peak resident set.  The ratio column divides each median by the table's first row.  Servers on
127.0.0.1: **nginx** (Debian's nginx serving the iLO 5 mockup tree over TLS 1.3, a stub session
service; a fast server, so the clients' own costs show) and the **emulator**
(\`tests/emulator/ilo-emulator\`, Python, TLS).  Certificates: a P-256 CA and server key made
for the run; hostfish and curl verify the server against the CA (\`--cacert\`), redfishtool
and ilorest never verify certificates (they have no way to).
EOF

[ ${#servers[@]} -gt 0 ] || { echo; echo "No server to measure against."; exit 0; }
[ ${#left_out[@]} -eq 0 ] || echo "
Not installed, so left out: ${left_out[*]}."
[ ${#no_server[@]} -eq 0 ] || echo "
Servers left out (nginx, or curl to see it start, is not installed): ${no_server[*]}."
for s in "${servers[@]}"; do
	case $s in
	nginx)
		bench_nginx_start
		spec nginx "$NGINX_URL" "$NGINX_PORT" | only_tools >"$T/spec-nginx"
		;;
	emulator)
		# ilorest's rawget leaves its session on the BMC, even with --logout (see the
		# requests below): room for all of them, or the others' logins would be refused
		bench_emu_start --max-sessions 100000
		spec emulator "$EMU_URL" "$EMU_PORT" | only_tools >"$T/spec-emulator"
		;;
	*) echo "get-bench: unknown server $s" >&2; exit 1 ;;
	esac
	echo "get-bench: $s: $GET_ROUNDS rounds" >&2
	echo
	echo "### Server: $s"
	python3 "$BENCH_DIR/pertime.py" "$T/spec-$s" "$GET_ROUNDS" "$GET_WARMUP" "$T/out-$s"
	if [ "$s" = emulator ]; then
		requests_per_run
		echo
		python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print("Sessions on the emulator at the end: %d created, %d deleted, %d left open."
      % (d["sessions_created"], d["sessions_deleted"], d["open_sessions"]))' "$T/emu/state.json" ||
			true
	fi
	[ "$s" = nginx ] && [ "$CALLGRIND" = 1 ] && instructions
done
echo
echo "Commands (\$U = the server's URL, \$P its port, CA = the run's CA; HOSTFISH_PASSWORD=adminpass"
echo "in the environment):"
echo
echo '```'
awk -F'\t' '$1 == "cmd" { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' \
	"$T/spec-${servers[0]}" |
	sed -e "s|$BUILD/|\$BUILD/|g" -e "s|$T/pki/ca.pem|CA|g" -e "s|$T/|\$TMP/|g" \
		-e "s|https://127.0.0.1:[0-9]*|\$U|g" -e "s|127.0.0.1:[0-9]*|127.0.0.1:\$P|g"
echo '```'
