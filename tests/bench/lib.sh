# SPDX-License-Identifier: MIT
# tests/bench/lib.sh - helpers shared by the benchmark scripts (sourced, not run).
#
# Benchmarks are not tests: nothing here asserts.  Each tests/bench/NAME-bench.sh follows one
# contract: `NAME-bench.sh [BUILDDIR]` prints a Markdown section starting with "## " on stdout,
# diagnostics on stderr, and exits 0 even when a target is missed (non-zero only when it could
# not measure at all).  tests/bench/run-benchmarks.sh runs them all and writes BENCHMARKS.md.
#
#   bench_init [BUILDDIR]   sets SRC, BUILD, T (a private temporary directory) and a trap that
#                           stops everything started here and removes $T on every exit
#   bench_pki               a CA ($T/pki/ca.pem) and a certificate for 127.0.0.1 (srv.pem/.key)
#   bench_emu_start [ARGS]  the iLO emulator over TLS on 127.0.0.1:0 -> EMU_URL EMU_PORT EMU_PID
#   bench_nginx_start       nginx (Debian's binary, our own configuration, prefix and pid/log
#                           files under $T) serving the iLO 5 mockup tree over TLS on a free
#                           loopback port, with a stub session service -> NGINX_URL NGINX_PORT
#                           NGINX_LOG (one line a request: connection, r if the TLS session
#                           was resumed, method, URI, status)
#   bench_stop_pid PID      TERM a process started here and reap it
#
# Only 127.0.0.1 is used; only processes started here are ever signalled (by PID).

bench_init() {
	BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	SRC=$(cd "$BENCH_DIR/../.." && pwd)
	BUILD=$(cd "${1:-.}" && pwd)
	T=$(mktemp -d "${TMPDIR:-/tmp}/hostfish-bench.XXXXXX")
	_bench_pids=()
	NGINX_PID=
	trap _bench_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	# hostfish's runtime directory (sessions, slots, the session journal) is /run/hostfish,
	# a tmpfs on any systemd host; here it goes on a tmpfs too when there is one (/dev/shm),
	# else in $T (where fsync and rename may cost milliseconds on a disk).
	# BENCH_TMPFS=DIR names another tmpfs; BENCH_TMPFS=none keeps it in $T.
	local shm=${BENCH_TMPFS:-/dev/shm}
	BENCH_RUN=
	if [ "$(stat -f -c %T "$shm" 2>/dev/null)" = tmpfs ] && [ -w "$shm" ]; then
		BENCH_RUN=$(mktemp -d "$shm/hostfish-bench-run.XXXXXX")
		HOSTFISH_RUNTIME_DIR=$BENCH_RUN
	else
		HOSTFISH_RUNTIME_DIR=$T/run
		mkdir -p "$HOSTFISH_RUNTIME_DIR"
	fi
	chmod 700 "$HOSTFISH_RUNTIME_DIR"
	export HOSTFISH_RUNTIME_DIR
	# its state directory (the service-root and registry caches): never the machine's own
	mkdir -m 700 "$T/state"
	export HOSTFISH_STATE_DIR=$T/state
}

_bench_cleanup() {
	local p i
	set +e # clean up everything, whatever fails
	if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
		# QUIT: graceful stop of the master and its worker (the master reaps the worker)
		kill -QUIT "$NGINX_PID" 2>/dev/null || true
		for i in $(seq 100); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$NGINX_PID" 2>/dev/null || true
	fi
	for p in "${_bench_pids[@]}"; do
		bench_stop_pid "$p"
	done
	[ -n "$BENCH_RUN" ] && rm -rf -- "$BENCH_RUN"
	rm -rf -- "$T"
}

bench_stop_pid() {
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || return 0
	for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	return 0
}

bench_have() { command -v "$1" >/dev/null 2>&1; }

bench_need() { # CMD... : fail (exit 1) with a message unless every command exists
	local c
	for c; do
		command -v "$c" >/dev/null 2>&1 && continue
		echo "$(basename "$0"): '$c' is missing (tests/bench/run-benchmarks.sh installs it)" >&2
		exit 1
	done
}

bench_pki() {
	[ -s "$T/pki/srv.pem" ] && return 0
	mkdir -p "$T/pki"
	chmod 700 "$T/pki"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/pki/ca.key" -out "$T/pki/ca.pem" -days 1 -subj "/CN=hostfish bench CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
		>/dev/null 2>&1
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' \
		>"$T/pki/srv.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/pki/srv.key" -out "$T/pki/srv.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1
	openssl x509 -req -in "$T/pki/srv.csr" -CA "$T/pki/ca.pem" -CAkey "$T/pki/ca.key" \
		-set_serial 1 -out "$T/pki/srv.pem" -days 1 -extfile "$T/pki/srv.ext" >/dev/null 2>&1
	CA=$T/pki/ca.pem
}

# wait (bounded: 15 s) for a non-empty FILE while PID lives
_bench_wait_file() { # FILE PID WHAT
	local i
	for i in $(seq 300); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	echo "$(basename "$0"): $3 did not start" >&2
	return 1
}

bench_emu_start() {
	bench_pki
	local d=$T/emu
	mkdir -p "$d"
	rm -f -- "$d/port"
	"$SRC/tests/emulator/ilo-emulator" --listen 127.0.0.1:0 --port-file "$d/port" \
		--tls-cert "$T/pki/srv.pem" --tls-key "$T/pki/srv.key" --user admin:adminpass \
		--log "$d/requests.log" --state-file "$d/state.json" "$@" \
		>"$d/emulator.out" 2>"$d/emulator.err" </dev/null &
	EMU_PID=$!
	_bench_pids+=("$EMU_PID")
	_bench_wait_file "$d/port" "$EMU_PID" "the emulator" || { cat "$d/emulator.err" >&2; exit 1; }
	EMU_PORT=$(cat "$d/port")
	EMU_URL=https://127.0.0.1:$EMU_PORT
	EMU_LOG=$d/requests.log
}

# a loopback port that was free a moment ago (nginx cannot listen on port 0 and say which)
bench_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_nginx_start() {
	bench_pki
	local d=$T/nginx nginx try
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	[ -x "$nginx" ] || { echo "$(basename "$0"): nginx is missing" >&2; exit 1; }
	mkdir -p "$d/www/redfish" "$d/logs" "$d/tmp"
	ln -sfn "$SRC/tests/emulator/mockups/ilo5" "$d/www/redfish/v1"
	# nginx's workers drop to 'nobody' when the master runs as root, and nobody may not be
	# able to reach the mockup tree or $T: the workers run as whoever runs this script (no
	# more rights than the script has; the directive is ignored when that is not root)
	local user=
	[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
	for try in 1 2 3 4 5; do
		NGINX_PORT=$(bench_free_port)
		cat >"$d/nginx.conf" <<EOF
# hostfish benchmark: a fast static Redfish server (tests/bench/lib.sh)
daemon off;
$user
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 64; }
http {
	# connection number, r when the TLS session was resumed (. when not), the request
	log_format bench "\$connection \$ssl_session_reused \$request_method \$request_uri \$status";
	access_log $d/logs/access.log bench;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	types { }
	default_type application/json;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NGINX_PORT ssl;
		ssl_certificate $T/pki/srv.pem;
		ssl_certificate_key $T/pki/srv.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		root $d/www;
		# a stub session service: login answers a token and a location, logout 200
		location = /redfish/v1/SessionService/Sessions/ {
			if (\$request_method = POST) {
				add_header X-Auth-Token "bench0123456789abcdef0123456789ab" always;
				add_header Location "/redfish/v1/SessionService/Sessions/bench/" always;
				return 201 '{"@odata.id":"/redfish/v1/SessionService/Sessions/bench/","Id":"bench","UserName":"admin"}';
			}
			return 200 '{"@odata.id":"/redfish/v1/SessionService/Sessions/","Members":[{"@odata.id":"/redfish/v1/SessionService/Sessions/bench/"}],"Members@odata.count":1}';
		}
		location = /redfish/v1/SessionService/Sessions/bench/ {
			return 200 '{"@odata.id":"/redfish/v1/SessionService/Sessions/bench/","Id":"bench","UserName":"admin"}';
		}
		# /redfish/v1/X/ and /redfish/v1/X are X/index.json of the mockup tree
		location / {
			try_files \$uri/index.json \$uri =404;
		}
	}
}
EOF
		rm -f -- "$d/nginx.pid"
		"$nginx" -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" \
			>"$d/logs/nginx.out" 2>&1 </dev/null &
		NGINX_PID=$!
		local i up= code
		for i in $(seq 200); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			code=$(curl -s --cacert "$T/pki/ca.pem" -o /dev/null -w '%{http_code}' \
				"https://127.0.0.1:$NGINX_PORT/redfish/v1/" || true)
			[ "$code" = 200 ] && { up=1; break; }
			# it answers, but not the service root: retrying will not help
			[ -n "$code" ] && [ "$code" != 000 ] && break
			sleep 0.05
		done
		[ -n "$up" ] && break
		kill -QUIT "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
		NGINX_PID=
		[ -n "$code" ] && [ "$code" != 000 ] && break
	done
	if [ -z "$NGINX_PID" ]; then
		echo "$(basename "$0"): nginx did not start:" >&2
		cat "$d/logs/error.log" "$d/logs/nginx.out" >&2 2>/dev/null
		exit 1
	fi
	NGINX_URL=https://127.0.0.1:$NGINX_PORT
	NGINX_LOG=$d/logs/access.log
}

bench_nginx_stop() {
	[ -n "$NGINX_PID" ] || return 0
	kill -QUIT "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=
}

# bench_server_start: the BMC the benchmark talks to: nginx serving the mockup when $SERVER is
# nginx (the default) and it is installed, else the emulator.  Sets SERVER, URL and $T/ca.pem.
bench_server_start() {
	SERVER=${SERVER:-nginx}
	if [ "$SERVER" = nginx ] && { bench_have nginx || [ -x /usr/sbin/nginx ]; }; then
		bench_nginx_start
		URL=$NGINX_URL
	else
		SERVER=emulator
		bench_emu_start
		URL=$EMU_URL
	fi
	cp "$T/pki/ca.pem" "$T/ca.pem"
}

# bench_agent_start HOSTFISHD...: hostfishd (the command words of bench_bin) on
# $T/hostfishd.sock for $URL, with a runtime directory of its own (it keeps its connections
# and their host-wide slots), once its session is up.  Sets SOCK and AGENT_PID;
# bench_agent_stop stops it (put it in the EXIT trap).
AGENT_PID=
bench_agent_start() {
	local _
	SOCK=$T/hostfishd.sock
	mkdir -m 700 "$T/run-agent"
	HOSTFISH_RUNTIME_DIR=$T/run-agent HOSTFISH_PASSWORD=adminpass env "$@" --socket "$SOCK" \
		--url "$URL" --cacert "$T/ca.pem" --user admin >"$T/agent.log" 2>&1 </dev/null &
	AGENT_PID=$!
	for _ in $(seq 300); do
		curl -sf --unix-socket "$SOCK" -o "$T/status" http://localhost/hostfishd/status \
			2>/dev/null && grep -q '"active":true' "$T/status" && return 0
		sleep 0.05
	done
	echo "bench: hostfishd did not start (log: $(tail -3 "$T/agent.log"))" >&2
	return 1
}

bench_agent_stop() {
	if [ -n "$AGENT_PID" ]; then bench_stop_pid "$AGENT_PID"; fi
	AGENT_PID=
}

# one line describing this machine, for the sections' headers
bench_machine() {
	echo "$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, Linux $(uname -r)"
}

# bench_bin NAME: the real executable of a program built in $BUILD.  libtool makes $BUILD/NAME
# a shell script that sets LD_LIBRARY_PATH and runs $BUILD/.libs/NAME: timing that would time
# bash too.  Prints "LD_LIBRARY_PATH=$BUILD/.libs $BUILD/.libs/NAME" for such a program (the
# form pertime.py and env(1) take), else "$BUILD/NAME".
bench_bin() {
	local n=$1
	if [ -x "$BUILD/.libs/$n" ] && head -c 2 "$BUILD/$n" | grep -q '#!'; then
		echo "LD_LIBRARY_PATH=$BUILD/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} $BUILD/.libs/$n"
	else
		echo "$BUILD/$n"
	fi
}
