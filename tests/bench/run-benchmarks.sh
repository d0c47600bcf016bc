#!/bin/bash
# SPDX-License-Identifier: MIT
# run-benchmarks.sh - run every benchmark of tests/bench and write BENCHMARKS.md at the top of
# the source tree (benchmarks, not tests: nothing here fails on a missed target).
#
# Usage: tests/bench/run-benchmarks.sh [BUILDDIR]     (default: the current directory; built
#        with `make` first, bench-get is made here when missing)
#   OUT=FILE           write there instead of $SRC/BENCHMARKS.md
#   BENCHES="get ..."  run only these (names of tests/bench/NAME-bench.sh); default: every
#                      tests/bench/*-bench.sh, in the order get, throughput, agent, then the
#                      others by name
#   NO_INSTALL=1       do not install missing packages
#   Each bench's own knobs (N, ROUNDS, ...) pass through the environment.
#
# Installs what the benchmarks need when it is missing (Debian packages, as root): curl,
# redfishtool, ilorest (its Python library is python3-ilorest), nginx, valgrind.
# The contract of a bench script: `NAME-bench.sh [BUILDDIR]` prints a Markdown section starting
# with "## " on stdout, diagnostics on stderr, exits 0 even when a target is missed.  A script
# that fails anyway is reported in BENCHMARKS.md with the end of its stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
OUT=${OUT:-$src/BENCHMARKS.md}
packages=(curl redfishtool ilorest python3-ilorest nginx valgrind openssl python3)

if [ "${NO_INSTALL:-}" != 1 ]; then
	missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "run-benchmarks: installing ${missing[*]}" >&2
		[ "$(id -u)" -eq 0 ] || { echo "run-benchmarks: run as root, or install them" >&2; exit 1; }
		export DEBIAN_FRONTEND=noninteractive
		# installing nginx must not start the system's nginx service: policy-rc.d says no
		# to every service start for the length of the install, unless one is in place
		prc=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			prc=1
		fi
		rc=0
		apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" \
			>&2 || rc=$?
		[ -n "$prc" ] && rm -f /usr/sbin/policy-rc.d
		[ "$rc" -eq 0 ] || exit "$rc"
	fi
fi
[ -x "$build/hostfish" ] || { echo "run-benchmarks: build first (no $build/hostfish)" >&2; exit 1; }
make -C "$build" tests/bench/bench-get >/dev/null

# the bench scripts: the known ones first, then whatever else tests/bench holds
benches=()
if [ -n "${BENCHES:-}" ]; then
	read -r -a benches <<<"$BENCHES"
else
	for b in get throughput agent; do
		[ -f "$here/$b-bench.sh" ] && benches+=("$b")
	done
	for f in "$here"/*-bench.sh; do
		b=$(basename "$f" -bench.sh)
		case " ${benches[*]} " in *" $b "*) ;; *) benches+=("$b") ;; esac
	done
fi

ver() { "$@" 2>&1 | head -n 1 | tr -d '\r' || true; }
# the Python a script runs with (its #! line), not the first python3 on PATH
pyver() { local i; i=$(head -n 1 "$(command -v "$1")" 2>/dev/null | sed -n 's/^#! *\([^ ]*\).*/\1/p'); ver "${i:-python3}" --version; }
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
hfver=$(LD_LIBRARY_PATH=$build/.libs "$build/.libs/hostfish" --version 2>/dev/null ||
	"$build/hostfish" --version)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostfish-benchmarks.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
start=$(date +%s)
{
	cat <<EOF
# hostfish benchmarks

Written by \`tests/bench/run-benchmarks.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), all in one run
on one machine.  That machine is shared (other jobs ran at the same time), so absolute times are
noisy: what counts are the **ratios between tools measured side by side** (interleaved rounds)
and the **instruction counts** (valgrind --tool=callgrind), which do not depend on the load.
Re-run: \`tests/bench/run-benchmarks.sh BUILDDIR\` (see the header of each
\`tests/bench/*-bench.sh\` for its knobs).

## Machine and versions

| | |
|---|---|
| CPU | $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs$(lscpu | sed -n 's/^Hypervisor vendor: *\(.*\)/ (virtual machine, hypervisor \1)/p' | head -1) |
| memory | $(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
| kernel | $(uname -sr) |
| distribution | $(. /etc/os-release && echo "$PRETTY_NAME"), Debian $(cat /etc/debian_version 2>/dev/null) |
| hostfish | $hfver, git $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo "?")$(git -C "$src" diff --quiet HEAD 2>/dev/null || echo " (with local changes)"), built with $(sed -n 's/^CFLAGS = //p' "$build/Makefile" | head -1) |
| libcurl / OpenSSL / json-c | $(pkgver libcurl4) / $(pkgver libssl3) / $(pkgver libjson-c5) |
| curl | $(ver curl --version) |
| redfishtool | $(pkgver redfishtool) (Debian package; $(pyver redfishtool), requests $(pkgver python3-requests)) |
| ilorest | $(pkgver ilorest) (Debian package; $(pyver ilorest), python3-ilorest $(pkgver python3-ilorest), urllib3 $(pkgver python3-urllib3)) |
| nginx | $(ver nginx -v) |
| valgrind | $(ver valgrind --version) |
| iLO emulator | tests/emulator/ilo-emulator, $(ver python3 --version) |

Sections: ${benches[*]/%/-bench.sh}.
EOF
} >"$tmp/out.md"

for b in "${benches[@]}"; do
	f=$here/$b-bench.sh
	echo "run-benchmarks: $b-bench.sh" >&2
	t0=$(date +%s)
	rc=0
	bash "$f" "$build" >"$tmp/$b.md" 2>"$tmp/$b.err" || rc=$?
	echo >>"$tmp/out.md"
	if [ "$rc" -eq 0 ] && grep -q '^## ' "$tmp/$b.md"; then
		cat "$tmp/$b.md" >>"$tmp/out.md"
		echo "run-benchmarks: $b-bench.sh done in $(($(date +%s) - t0)) s" >&2
	else
		{
			echo "## $b-bench.sh: failed (exit $rc)"
			echo
			echo "It printed no result.  The end of its diagnostics:"
			echo
			echo '```'
			tail -n 20 "$tmp/$b.err"
			echo '```'
		} >>"$tmp/out.md"
		echo "run-benchmarks: $b-bench.sh FAILED (exit $rc); see $OUT" >&2
		tail -n 20 "$tmp/$b.err" >&2
	fi
done
echo >>"$tmp/out.md"
echo "_The whole run took $((($(date +%s) - start) / 60)) min._" >>"$tmp/out.md"
cp -- "$tmp/out.md" "$OUT"
echo "run-benchmarks: wrote $OUT" >&2
