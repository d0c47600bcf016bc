# SPDX-License-Identifier: MIT
# tests/integration/lib.sh - shared helpers for the hostfish integration tests.
#
# Sourced (bash) by every tests/integration/*.test script.  It provides:
#   - TAP output: plan, tap_ok, tap_not_ok, skip, diag, assert DESC CMD..., is GOT EXP DESC,
#     done_testing (prints the plan at the end), skip_all, bail_out
#   - running the CLI: hf (raw), hfe (+ --url/--cacert of the running emulator), hfa / hfr
#     (+ --user admin / ro with the password in HOSTFISH_PASSWORD), hf_rss (hfe + peak RSS in
#     HF_RSS_KB), run (any command); each leaves stdout in $OUT, stderr in $ERR, the exit code
#     in $HF_RC and the wall time in $HF_MS (milliseconds)
#   - assertions on them: check EXP DESC CMD..., rc_is EXP DESC, contains, not_contains,
#     contains_re, not_contains_re ([-i] out|err|FILE TEXT DESC), out_empty out|err DESC
#   - JSON: json_get FILE KEY.PATH, json_py FILE EXPR, json_valid FILE, json_is FILE KEY.PATH VAL DESC
#   - the emulator: emu_start [extra args], emu_stop, emu_sync, st KEY.PATH, st_py EXPR,
#     st_is KEY.PATH VALUE DESC, no_leftover DESC, emu_requests [METHOD], emu_log_count METHOD PATH,
#     wait_state EXPR DESC
#   - the test proxy: proxy_start, proxy_stop (PROXY_PORT, PROXY_STATE)
#   - fixture machines (tests/shim): fixture_root DIR, redirect_paths ROOT [PREFIX...]
#   - certificates: pki_init (test CA + server certificate for 127.0.0.1 and localhost),
#     mk_ca NAME CN, mk_cert NAME CA SAN EKU CN, cert_fingerprint FILE; mode_of FILE
#
# Environment from `make check` (see Makefile.am): HOSTFISH, ILO_EMULATOR, top_srcdir,
# top_builddir.  The scripts talk only to 127.0.0.1.  Nothing here sleeps to synchronise:
# every wait is a bounded poll of a condition.  A trap stops the emulator and removes the
# temporary directory on every exit; a watchdog does the same if the script is SIGKILLed.

# ---------------------------------------------------------------------------------------------
# TAP

_tap_n=0
_tap_failed=0

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# print a file (or part of it) as TAP comments
diag_file() { # FILE [MAXLINES]
	local f=$1 max=${2:-20}
	[ -s "$f" ] || { diag "  (empty)"; return 0; }
	head -n "$max" -- "$f" | tr -d '\r' | awk '{ print "#   " $0 }'
}

_tap_desc() { # TAP descriptions must stay on one line and must not look like directives
	local d=$*
	d=${d//$'\n'/ }
	d=${d//$'\r'/ }
	d=${d//#/no.}
	printf '%s' "$d"
}

plan() { echo "1..$1"; _tap_planned=1; }

tap_ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $(_tap_desc "$*")"
}

tap_not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $(_tap_desc "$*")"
}

skip() { # DESC REASON
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $(_tap_desc "$1") # SKIP $(_tap_desc "$2")"
}

# assert DESC COMMAND...: ok when COMMAND succeeds
assert() {
	local desc=$1
	shift
	if "$@"; then
		tap_ok "$desc"
		return 0
	fi
	tap_not_ok "$desc"
	return 1
}

# is GOT EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then
		tap_ok "$3"
		return 0
	fi
	tap_not_ok "$3"
	diag "  got:      '$1'"
	diag "  expected: '$2'"
	return 1
}

done_testing() {
	[ -n "${_tap_planned:-}" ] || echo "1..$_tap_n"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	exit 99
}

# ---------------------------------------------------------------------------------------------
# prerequisites

[ -n "${HOSTFISH:-}" ] || bail_out "HOSTFISH is not set (run through make check)"
[ -x "$HOSTFISH" ] || bail_out "HOSTFISH=$HOSTFISH is not an executable"
[ -n "${ILO_EMULATOR:-}" ] || bail_out "ILO_EMULATOR is not set (run through make check)"
[ -f "$ILO_EMULATOR" ] || bail_out "ILO_EMULATOR=$ILO_EMULATOR does not exist"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed (apt-get install openssl)"
command -v timeout >/dev/null 2>&1 || skip_all "timeout (coreutils) is not installed"

# The tests decide every input themselves.
unset HOSTFISH_URL HOSTFISH_PASSWORD HOSTFISH_RUNTIME_DIR http_proxy https_proxy HTTPS_PROXY \
	ALL_PROXY all_proxy no_proxy NO_PROXY CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
export LC_ALL=C
umask 022
exec </dev/null

# ---------------------------------------------------------------------------------------------
# temporary directory and cleanup (always, even when interrupted)

T=$(mktemp -d "${TMPDIR:-/tmp}/hostfish-itest.XXXXXX") || bail_out "mktemp failed"
OUT=$T/stdout
ERR=$T/stderr
PKI=$T/pki
mkdir -m 0755 "$T/run" || bail_out "mkdir $T/run"
# /run exists on a real system, /run/hostfish is created by hostfish itself
HF_RUNTIME_DIR=$T/run/hostfish
HF_SESSIONS_DIR=$HF_RUNTIME_DIR/sessions
# every hostfish a test starts, with or without hf(), stays out of the machine's own
# /run/hostfish and /var/lib/hostfish
export HOSTFISH_RUNTIME_DIR=$HF_RUNTIME_DIR
# and each test has its own state (service-root and registry caches, cursors): a cache left by
# another test's emulator on the same port must not decide what this one sends
export HOSTFISH_STATE_DIR=$T/state
: "${HF_TIMEOUT:=25}" # seconds a single hostfish invocation may take before it counts as hung
_script_pid=$$
EMU_PID=
_watchdog_pid=
_run_pid=

_cleanup() {
	trap - EXIT HUP INT TERM
	if [ -n "${_run_pid:-}" ]; then
		kill -TERM "$_run_pid" 2>/dev/null
		wait "$_run_pid" 2>/dev/null
	fi
	emu_stop
	proxy_stop
	if [ -n "$_watchdog_pid" ]; then
		kill "$_watchdog_pid" 2>/dev/null
		wait "$_watchdog_pid" 2>/dev/null
	fi
	_remove_extra_dirs
	[ -n "${T:-}" ] && [ -d "$T" ] && rm -rf -- "$T"
}
trap _cleanup EXIT

# directories a test had to make outside $T (listed in $T/.extra_dirs)
_remove_extra_dirs() {
	local d
	[ -f "$T/.extra_dirs" ] || return 0
	while IFS= read -r d; do
		case $d in /tmp/hostfish-*) rm -rf -- "$d" ;; esac
	done <"$T/.extra_dirs"
}
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# A daemon a test starts (hostfishd) runs under "timeout [--foreground] SECONDS", without -k:
# the bound ends it should the test die without its trap, and timeout forwards the test's
# signals to it.  With -k, every forwarded signal (SIGHUP too) also starts timeout's kill
# timer, and the daemon would be SIGKILLed a few seconds later, in the middle of an orderly
# stop (a request in flight, the logout) on a loaded machine.
# kill_guarded PID: SIGKILL such a daemon (the children of its timeout wrapper PID), then the
# wrapper: the last resort of a test whose daemon did not stop.
kill_guarded() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		kill -KILL "$c" 2>/dev/null
	done
	kill -KILL "$1" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# running commands

HF_RC=
HF_MS=

_show_cmd() {
	local a s=
	for a in "$@"; do
		s+=" $(printf '%q' "$a")"
	done
	printf '%s' "${s# }"
}

# run COMMAND...: stdout -> $OUT, stderr -> $ERR, exit code -> $HF_RC (also returned)
run() {
	local t0 t1
	t0=$(date +%s%N)
	# in the background + wait, so that a signal to this script runs its trap at once
	# (the explicit <&0 keeps stdin: bash gives background commands /dev/null otherwise)
	timeout --foreground -k 5 "$HF_TIMEOUT" "$@" >"$OUT" 2>"$ERR" <&0 &
	_run_pid=$!
	wait "$_run_pid"
	HF_RC=$?
	_run_pid=
	t1=$(date +%s%N)
	HF_MS=$(((t1 - t0) / 1000000))
	HF_CMD=$(_show_cmd "$@")
	rm -f -- "$T/.synced"
	echo "# \$ $HF_CMD  -> exit $HF_RC (${HF_MS} ms)"
	return "$HF_RC"
}

# hf ARGS...: run the hostfish CLI with the test's own runtime directory
hf() {
	HOSTFISH_RUNTIME_DIR=$HF_RUNTIME_DIR run "$HOSTFISH" "$@"
}

# hfe ARGS...: hostfish against the running emulator, trusting the test CA
hfe() {
	hf --url "$EMU_URL" --cacert "$EMU_CA" "$@"
}

# hf_rss ARGS...: like hfe, additionally sets HF_RSS_KB to the peak RSS of hostfish
hf_rss() {
	local rssf=$T/rss
	HOSTFISH_RUNTIME_DIR=$HF_RUNTIME_DIR run python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
' "$rssf" "$HOSTFISH" --url "$EMU_URL" --cacert "$EMU_CA" "$@"
	HF_RSS_KB=$(cat "$rssf" 2>/dev/null || echo 0)
	return "$HF_RC"
}

_show_result() {
	diag "  command: $HF_CMD"
	diag "  exit code: $HF_RC"
	diag "  stdout:"
	diag_file "$OUT" 15
	diag "  stderr:"
	diag_file "$ERR" 25
}

# rc_is EXPECTED DESC: EXPECTED is a number, "A|B" alternatives, or "fail" (non-zero, not a
# crash, not killed by the timeout wrapper: 1..123)
rc_is() {
	local exp=$1 desc=$2 good=0 e
	case $exp in
	fail) [ "$HF_RC" -ge 1 ] && [ "$HF_RC" -le 123 ] && good=1 ;;
	*)
		local IFS='|'
		for e in $exp; do
			[ "$HF_RC" = "$e" ] && good=1
		done
		;;
	esac
	if [ "$good" = 1 ]; then
		tap_ok "$desc"
		return 0
	fi
	tap_not_ok "$desc"
	diag "  expected exit code: $exp"
	_show_result
	return 1
}

# check EXPECTED DESC COMMAND...: runs COMMAND (hf, hfe, hf_rss or `run cmd...`) and checks
# its exit code
check() {
	local exp=$1 desc=$2
	shift 2
	# shell functions (hf, hfe, run, a test's own wrappers) capture output themselves
	declare -F "$1" >/dev/null || set -- run "$@"
	"$@"
	rc_is "$exp" "$desc"
}

_where() {
	case $1 in
	out) echo "$OUT" ;;
	err) echo "$ERR" ;;
	*) echo "$1" ;;
	esac
}

# contains [-i] out|err|FILE STRING DESC (fixed string)
contains() {
	local gopt=-F
	[ "$1" = -i ] && { gopt=-Fi; shift; }
	local f
	f=$(_where "$1")
	if grep -q $gopt -e "$2" -- "$f" 2>/dev/null; then
		tap_ok "$3"
		return 0
	fi
	tap_not_ok "$3"
	diag "  '$2' not found in $1"
	diag_file "$f" 30
	return 1
}

# not_contains [-i] out|err|FILE STRING DESC
not_contains() {
	local gopt=-F
	[ "$1" = -i ] && { gopt=-Fi; shift; }
	local f
	f=$(_where "$1")
	if ! grep -q $gopt -e "$2" -- "$f" 2>/dev/null; then
		tap_ok "$3"
		return 0
	fi
	tap_not_ok "$3"
	diag "  '$2' was found in $1:"
	grep -n $gopt -e "$2" -- "$f" | head -n 5 | awk '{ print "#   " $0 }'
	return 1
}

# contains_re [-i] out|err|FILE ERE DESC
contains_re() {
	local gopt=-E
	[ "$1" = -i ] && { gopt=-Ei; shift; }
	local f
	f=$(_where "$1")
	if grep -q $gopt -e "$2" -- "$f" 2>/dev/null; then
		tap_ok "$3"
		return 0
	fi
	tap_not_ok "$3"
	diag "  /$2/ does not match $1"
	diag_file "$f" 30
	return 1
}

# not_contains_re [-i] out|err|FILE ERE DESC
not_contains_re() {
	local gopt=-E
	[ "$1" = -i ] && { gopt=-Ei; shift; }
	local f
	f=$(_where "$1")
	if ! grep -q $gopt -e "$2" -- "$f" 2>/dev/null; then
		tap_ok "$3"
		return 0
	fi
	tap_not_ok "$3"
	diag "  /$2/ matches $1:"
	grep -n $gopt -e "$2" -- "$f" | head -n 5 | awk '{ print "#   " $0 }'
	return 1
}

# out_empty out|err DESC
out_empty() {
	local f
	f=$(_where "$1")
	if [ ! -s "$f" ]; then
		tap_ok "$2"
		return 0
	fi
	tap_not_ok "$2"
	diag "  $1 is not empty:"
	diag_file "$f" 10
	return 1
}

# ---------------------------------------------------------------------------------------------
# JSON

_JSON_PY='
import json, sys

def walk(d, path):
    segs = path.split(".") if path else []
    i = 0
    while i < len(segs):
        if isinstance(d, list):
            try:
                d = d[int(segs[i])]
            except (ValueError, IndexError):
                raise KeyError(path)
            i += 1
            continue
        if not isinstance(d, dict):
            raise KeyError(path)
        # keys may contain dots (@odata.id): take the longest key that matches
        for j in range(len(segs), i, -1):
            k = ".".join(segs[i:j])
            if k in d:
                d = d[k]
                i = j
                break
        else:
            raise KeyError(path)
    return d

def show(v):
    if isinstance(v, str):
        return v
    return json.dumps(v)

def load(f):
    with open(f, "rb") as fh:
        return json.loads(fh.read().decode("utf-8"))
'

# json_get FILE KEY.PATH: prints the value (strings raw, the rest as JSON); exit 1 when missing,
# 2 when FILE is not JSON
json_get() {
	python3 -c "$_JSON_PY"'
try:
    d = load(sys.argv[1])
except Exception as e:
    sys.exit(2)
try:
    print(show(walk(d, sys.argv[2])))
except KeyError:
    sys.exit(1)
' "$(_where "$1")" "$2"
}

# json_py FILE EXPR: evaluates the python expression EXPR with d = the document
json_py() {
	python3 -c "$_JSON_PY"'
try:
    d = load(sys.argv[1])
except Exception as e:
    sys.exit(2)
try:
    print(show(eval(sys.argv[2])))
except Exception as e:
    print("error: %r" % e, file=sys.stderr)
    sys.exit(1)
' "$(_where "$1")" "$2"
}

json_valid() {
	python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$(_where "$1")" 2>/dev/null
}

# json_is FILE KEY.PATH EXPECTED DESC
json_is() {
	local got
	got=$(json_get "$1" "$2")
	local rc=$?
	if [ $rc -eq 0 ] && [ "$got" = "$3" ]; then
		tap_ok "$4"
		return 0
	fi
	tap_not_ok "$4"
	case $rc in
	1) diag "  $2 is missing in $1" ;;
	2) diag "  $1 is not valid JSON" ;;
	*) diag "  $2: got '$got', expected '$3'" ;;
	esac
	diag_file "$(_where "$1")" 15
	return 1
}

# ---------------------------------------------------------------------------------------------
# the machine hostfish sees: fixture trees in place of /sys and /dev (tests/shim)

# fixture_root DIR: an empty machine below DIR: no NIC, PCI function, SMBIOS table, UEFI
# variable, hpilo or IPMI device
fixture_root() {
	mkdir -p "$1/sys/class/net" "$1/sys/bus/pci/devices" "$1/sys/firmware/dmi/tables" \
		"$1/sys/firmware/efi/efivars" "$1/dev" || bail_out "cannot make the fixture root $1"
}

# redirect_paths ROOT [PREFIX...]: every program the test starts from now on sees ROOT's copies
# of the PREFIXes (default: /sys /dev/hpilo /dev/ipmi0 /proc/bus/pci) in their place, through
# the LD_PRELOAD shim tests/shim/path-redirect.c (HF_SHIM); ASan is told that the shim comes
# before its runtime.  Another call replaces the root and the prefixes.
redirect_paths() {
	HF_SHIM=$top_builddir/tests/shim/.libs/libpath-redirect.so
	[ -f "$HF_SHIM" ] || bail_out "$HF_SHIM is not built (make check builds it)"
	export HOSTFISH_TEST_ROOT=$1
	shift
	if [ $# -gt 0 ]; then
		HOSTFISH_TEST_REDIRECT=$(IFS=:; echo "$*")
		export HOSTFISH_TEST_REDIRECT
	else
		unset HOSTFISH_TEST_REDIRECT
	fi
	case ":${LD_PRELOAD:-}:" in
	*":$HF_SHIM:"*) ;;
	*) export LD_PRELOAD=$HF_SHIM${LD_PRELOAD:+:$LD_PRELOAD} ;;
	esac
	case ":${ASAN_OPTIONS:-}:" in
	*":verify_asan_link_order=0:"*) ;;
	*) export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 ;;
	esac
}

# ---------------------------------------------------------------------------------------------
# certificates (openssl), made once per test script

_ossl() {
	local log=$PKI/openssl.log
	if ! openssl "$@" >>"$log" 2>&1; then
		awk '{ print "# " $0 }' "$log"
		bail_out "openssl $1 failed"
	fi
}

# mk_ca NAME CN: $PKI/NAME.pem, $PKI/NAME.key
mk_ca() {
	[ -d "$PKI" ] || mkdir -m 0700 "$PKI"
	_ossl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.pem" -days 3 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

# mk_cert NAME CA SAN EKU CN: a leaf certificate signed by CA; SAN may be empty;
# EKU serverAuth or clientAuth
mk_cert() {
	local name=$1 ca=$2 san=$3 eku=$4 cn=$5
	[ -d "$PKI" ] || mkdir -m 0700 "$PKI"
	{
		echo "basicConstraints=CA:FALSE"
		echo "keyUsage=critical,digitalSignature"
		echo "extendedKeyUsage=$eku"
		[ -n "$san" ] && echo "subjectAltName=$san"
	} >"$PKI/$name.ext"
	_ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "/CN=$cn"
	_ossl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.pem" -CAkey "$PKI/$ca.key" \
		-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
		-out "$PKI/$name.pem" -days 3 -extfile "$PKI/$name.ext"
}

# cert_fingerprint FILE: SHA-256 fingerprint as printed by openssl (AA:BB:...)
cert_fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/^.*=//'
}

pki_init() {
	[ -f "$PKI/server.pem" ] && return 0
	mk_ca ca "hostfish integration test CA"
	mk_cert server ca "IP:127.0.0.1,DNS:localhost" serverAuth "localhost"
}

# ---------------------------------------------------------------------------------------------
# the emulator

EMU_N=0

# emu_start [EXTRA EMULATOR ARGS...]
# Server certificate: $PKI/server.{pem,key} unless EMU_SERVER_CERT/EMU_SERVER_KEY are set.
emu_start() {
	emu_stop
	pki_init
	EMU_N=$((EMU_N + 1))
	EMU_DIR=$T/emu$EMU_N
	mkdir -p "$EMU_DIR"
	EMU_STATE=$EMU_DIR/state.json
	EMU_CA=$PKI/ca.pem
	echo 0 >"$T/.syncs"
	rm -f -- "$T/.synced"
	local portfile=$EMU_DIR/port
	"$ILO_EMULATOR" --listen 127.0.0.1:0 --port-file "$portfile" \
		--tls-cert "${EMU_SERVER_CERT:-$PKI/server.pem}" \
		--tls-key "${EMU_SERVER_KEY:-$PKI/server.key}" \
		--state-file "$EMU_STATE" --log "$EMU_DIR/requests.log" \
		--user admin:adminpass --user ro:ropass:ReadOnly "$@" \
		>"$EMU_DIR/emulator.out" 2>"$EMU_DIR/emulator.err" </dev/null &
	EMU_PID=$!
	echo "# emulator $EMU_N (pid $EMU_PID): $(_show_cmd "$@")"
	_watchdog_start
	echo "$EMU_PID" >"$T/.emu_pid"
	_wait_port_file "$portfile" "$EMU_PID" "$EMU_DIR/emulator.err" emulator
	EMU_PORT=$_port
	EMU_URL=https://127.0.0.1:$EMU_PORT
	export EMU_URL EMU_CA EMU_STATE EMU_PORT
}

# a watchdog that stops the emulator and the proxy if this script dies without running its trap
_watchdog_start() {
	if [ -z "$_watchdog_pid" ]; then
		(
			trap - EXIT HUP INT TERM
			while kill -0 "$_script_pid" 2>/dev/null; do sleep 1; done
			for f in "$T/.emu_pid" "$T/.proxy_pid"; do
				p=$(cat "$f" 2>/dev/null)
				[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
			done
			_remove_extra_dirs
			rm -rf -- "$T"
		) >/dev/null 2>&1 </dev/null &
		_watchdog_pid=$!
	fi
}

# _wait_port_file FILE PID STDERR-FILE NAME: bounded poll (15 s) for the port number a server
# writes atomically once it listens; sets _port
_wait_port_file() {
	local portfile=$1 pid=$2 errfile=$3 name=$4 i=0 port=
	while [ $i -lt 300 ]; do
		if [ -s "$portfile" ]; then
			port=$(cat "$portfile")
			case $port in
			'' | *[!0-9]*) port= ;;
			*) break ;;
			esac
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			diag "$name exited early; its stderr:"
			diag_file "$errfile" 40
			bail_out "the $name did not start"
		fi
		sleep 0.05
		i=$((i + 1))
	done
	if [ -z "$port" ]; then
		diag_file "$errfile" 40
		bail_out "the $name did not write its port file within 15 s"
	fi
	_port=$port
}

# proxy_start: tests/emulator/test-proxy (HTTP CONNECT + SOCKS5, loopback only); sets
# PROXY_PORT and PROXY_STATE (JSON: {"tunnels": [{"kind","host","port"}], "refused": N})
PROXY_PID=
proxy_start() {
	proxy_stop
	local d=$T/proxy
	mkdir -p "$d"
	rm -f -- "$d/port"
	PROXY_STATE=$d/state.json
	"$(dirname "$ILO_EMULATOR")/test-proxy" --listen 127.0.0.1:0 --port-file "$d/port" \
		--state-file "$PROXY_STATE" >"$d/proxy.out" 2>"$d/proxy.err" </dev/null &
	PROXY_PID=$!
	_watchdog_start
	echo "$PROXY_PID" >"$T/.proxy_pid"
	_wait_port_file "$d/port" "$PROXY_PID" "$d/proxy.err" "test proxy"
	PROXY_PORT=$_port
}

proxy_stop() {
	[ -n "${PROXY_PID:-}" ] || return 0
	local i=0
	kill -TERM "$PROXY_PID" 2>/dev/null
	while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
	rm -f -- "$T/.proxy_pid"
}

emu_stop() {
	[ -n "${EMU_PID:-}" ] || return 0
	local i=0
	kill -TERM "$EMU_PID" 2>/dev/null
	while kill -0 "$EMU_PID" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 "$EMU_PID" 2>/dev/null; then
		diag "emulator $EMU_PID did not stop on SIGTERM within 10 s, killing it"
		kill -KILL "$EMU_PID" 2>/dev/null
	fi
	wait "$EMU_PID" 2>/dev/null
	EMU_PID=
	rm -f -- "$T/.emu_pid"
}

# emu_sync: make sure the state file reflects every request that completed before now.
# Sends one unauthenticated GET of a path outside /redfish (so no fault matches it) and polls
# until the state file's log shows it.  The state helpers subtract these requests again.
# Works inside $(...) too: its bookkeeping lives in files ($T/.syncs, $T/.synced; run() removes
# the latter).
emu_sync() {
	[ -e "$T/.synced" ] && return 0
	local n
	n=$(($(cat "$T/.syncs" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$T/.syncs"
	if python3 - "$EMU_PORT" "/hostfish-test-sync/$EMU_N/$n" "$EMU_STATE" <<'PYEOF' >&2
import http.client, json, ssl, sys, time
port, path, state = int(sys.argv[1]), sys.argv[2], sys.argv[3]
try:
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                    context=ssl._create_unverified_context())
    c.request("GET", path, headers={"Connection": "close"})
    c.getresponse().read()
    c.close()
except Exception as e:
    print("emu_sync: request failed: %r" % (e,))
    sys.exit(1)
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        with open(state) as f:
            d = json.load(f)
        if any(len(e) > 1 and e[1] == path for e in d.get("log", [])):
            sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.02)
print("emu_sync: %s did not appear in the state file's log within 10 s" % path)
sys.exit(1)
PYEOF
	then
		: >"$T/.synced"
	fi
	return 0
}

# st_py EXPR: a python expression over the emulator's state (after emu_sync); in EXPR, s is
# the state and syncs the number of emu_sync requests (which the state counts too)
st_py() {
	local expr=$1
	shift
	emu_sync
	python3 -c "$_JSON_PY"'
try:
    s = load(sys.argv[1])
except Exception as e:
    print("state file unreadable: %r" % (e,), file=sys.stderr)
    sys.exit(2)
syncs = int(open(sys.argv[2]).read().strip() or 0)
try:
    print(show(eval(sys.argv[3])))
except Exception as e:
    print("error: %r" % (e,), file=sys.stderr)
    sys.exit(1)
' "$EMU_STATE" "$T/.syncs" "$expr" "$@"
}

# st KEY.PATH: a value from the emulator's state file (after emu_sync)
st() {
	st_py "walk(s, sys.argv[4])" "$1" 2>/dev/null
}

# emu_requests [METHOD]: requests the BMC saw, not counting emu_sync's
emu_requests() {
	case ${1:-} in
	'') st_py "s['requests'] - syncs" ;;
	GET) st_py "s.get('requests_by_method', {}).get('GET', 0) - syncs" ;;
	*) st_py "s.get('requests_by_method', {}).get('$1', 0)" ;;
	esac
}

# emu_log_count METHOD PATH: how many logged requests had METHOD and PATH (trailing slash
# ignored)
emu_log_count() {
	st_py "len([e for e in s.get('log', []) if e[0] == '$1' and e[1].rstrip('/') == '$2'.rstrip('/')])"
}

# wait_state EXPR DESC: bounded poll (10 s) until the python expression EXPR over the state
# (s) is true; each round sends a fresh emu_sync request
wait_state() {
	local i=0 v
	while [ $i -lt 100 ]; do
		rm -f -- "$T/.synced"
		v=$(st_py "bool($1)")
		if [ "$v" = true ]; then
			tap_ok "$2"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	tap_not_ok "$2"
	diag "  $1 did not become true within 10 s"
	return 1
}

# st_is KEY.PATH EXPECTED DESC
st_is() {
	local got
	got=$(st "$1")
	is "$got" "$2" "$3"
}

# no_leftover DESC: no open session on the BMC and every session created was deleted (a
# session a reset of the BMC ended counts as expired: nobody could delete it)
no_leftover() {
	local v
	v=$(st_py "'%s %s %s %s' % (s['open_sessions'], s['sessions_created'], s['sessions_deleted'], s.get('sessions_expired', 0) + s.get('reset', {}).get('sessions_reset', 0))")
	local open created deleted expired
	read -r open created deleted expired <<<"$v"
	if [ "$open" = 0 ] && [ -n "$created" ] && [ "$created" = $((deleted + expired)) ]; then
		tap_ok "$1"
		return 0
	fi
	tap_not_ok "$1"
	diag "  open_sessions=$open sessions_created=$created sessions_deleted=$deleted sessions_expired=$expired"
	st_py "s.get('sessions')" | awk '{ print "#   " $0 }'
	return 1
}

# mode_of FILE: octal permission bits
mode_of() {
	stat -c %a -- "$1" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# users of the emulator (emu_start creates them)

ADMIN_PW=adminpass
RO_PW=ropass

# unprivileged_copy: a copy of the built hostfish and hostfishd (binaries, libhostfish and the
# emulated CHIF library) that an unprivileged user can run, whatever the build directory's parents allow
# (a clone under the 0700 /root, say).  Sets UNPRIV_HOSTFISH and UNPRIV_HOSTFISHD (run them
# with LD_LIBRARY_PATH=$UNPRIV_DIR) and UNPRIV_CHIF_LIBRARY; removed with $T's watchdog-safe
# cleanup because it lives in a directory this script owns.
unprivileged_copy() {
	local libs=$top_builddir/.libs f
	UNPRIV_DIR=$(mktemp -d /tmp/hostfish-unpriv.XXXXXX) || bail_out "mktemp failed"
	echo "$UNPRIV_DIR" >>"$T/.extra_dirs"
	chmod 0755 "$UNPRIV_DIR"
	[ -x "$libs/hostfish" ] || bail_out "$libs/hostfish is not built"
	cp "$libs/hostfish" "$UNPRIV_DIR/hostfish" || bail_out "cannot copy hostfish"
	[ -x "$libs/hostfishd" ] && cp "$libs/hostfishd" "$UNPRIV_DIR/hostfishd"
	for f in "$libs"/libhostfish.so.*; do
		cp -P "$f" "$UNPRIV_DIR/" || bail_out "cannot copy $f"
	done
	f=$top_builddir/tests/emulator/chif/.libs/libilorestchif-emu.so
	[ -f "$f" ] && cp "$f" "$UNPRIV_DIR/libilorestchif-emu.so"
	chmod -R a+rX "$UNPRIV_DIR"
	UNPRIV_HOSTFISH=$UNPRIV_DIR/hostfish
	UNPRIV_CHIF_LIBRARY=$UNPRIV_DIR/libilorestchif-emu.so
	UNPRIV_HOSTFISHD=$UNPRIV_DIR/hostfishd
}

# hfa ARGS...: hostfish as the Administrator "admin", password from the environment
hfa() {
	HOSTFISH_PASSWORD=$ADMIN_PW hfe --user admin "$@"
}

# hfr ARGS...: hostfish as the ReadOnly user "ro"
hfr() {
	HOSTFISH_PASSWORD=$RO_PW hfe --user ro "$@"
}
