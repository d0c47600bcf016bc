#!/bin/bash
# SPDX-License-Identifier: MIT
# hostfish's whole test suite: installs what it needs (Debian 12, as root), builds, runs every
# test (unit, fuzz-corpus replay, emulator, integration, build) twice - once as built for
# release and once under AddressSanitizer + UndefinedBehaviorSanitizer - and ends with
# "N passed, N failed[, N skipped]" over both runs.
# Then, once, tests/packaging/packages.test: the Debian and RPM packages built from a clone
# of HEAD, linted and installed in a throwaway root.
#   HOSTFISH_TEST_SANITIZERS=no ./run-tests.sh   skips the sanitizer run
#   HOSTFISH_TEST_PACKAGES=no ./run-tests.sh     skips the packages
set -uo pipefail
src=$(cd "$(dirname "$0")" && pwd)
cd "$src"

bash .ci/deps.sh || exit 1

total_pass=0 total_fail=0 total_skip=0

# run_suite NAME BUILD_DIR [CONFIGURE ARGS...]
run_suite() {
	local name=$1 build rc pass fail err skip xpass log
	shift
	build=$(BUILD_DIR=$1 bash .ci/build.sh "${@:2}") || {
		echo "[$name] build failed"
		total_fail=$((total_fail + 1))
		return
	}
	: >"$build/.check-start"
	( cd "$build" && make -j"$(nproc)" check >check.out 2>&1 )
	rc=$?
	echo "[$name] $(grep -E '^# TOTAL:' "$build/check.out" | tail -1)"
	grep -E '^(FAIL|ERROR|XPASS):' "$build/check.out" | sed "s/^/[$name] /"
	if [ $rc -ne 0 ]; then
		# this run's test logs only: a rerun must not show an earlier run's failures
		for log in $(cd "$build" && find . -name '*.log' -newer .check-start \
			! -name 'test-suite.log' ! -name 'config.log' ! -name 'packages.log'); do
			grep -qE '^(not ok|Bail out)|^# (FAIL|ERROR)' "$build/$log" 2>/dev/null || continue
			echo "===== [$name] $log"
			grep -E -B3 -A25 '^(not ok|Bail out)' "$build/$log" | head -80
		done
	fi
	count() { sed -n "s/^# $1: *\([0-9]*\)$/\1/p" "$build/check.out" | tail -1; }
	pass=$(count PASS) fail=$(count FAIL) err=$(count ERROR) skip=$(count SKIP) xpass=$(count XPASS)
	pass=${pass:-0} skip=${skip:-0}
	fail=$(( ${fail:-0} + ${err:-0} + ${xpass:-0} ))
	if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then
		tail -30 "$build/check.out"
		fail=1
	fi
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
}

# The machine's own runtime and state directories: no test may touch them (every test
# picks its own); what they hold before and after the suite must be the same.
system_dirs_listing() {
	local d
	for d in /run/hostfish /var/lib/hostfish; do
		if [ -e "$d" ]; then
			find "$d" -printf '%p %M %s %T@\n' 2>/dev/null | sort
		else
			echo "$d absent"
		fi
	done
}
system_dirs_before=$(system_dirs_listing)

run_suite release "$src/_build"
if [ "${HOSTFISH_TEST_SANITIZERS:-yes}" != no ]; then
	run_suite sanitizers "$src/_build-asan" --enable-sanitizers
fi

# The Debian and RPM packages, built from a clone of HEAD: once, not per build variant.
if [ "${HOSTFISH_TEST_PACKAGES:-yes}" != no ]; then
	mkdir -p "$src/_build"
	log=$src/_build/packages.log
	bash tests/packaging/packages.test >"$log" 2>&1
	rc=$?
	pass=$(grep -cE '^ok [0-9]+ - ' "$log" | head -1)
	skip=$(grep -cE '^ok [0-9]+ - .*# SKIP' "$log" | head -1)
	fail=$(grep -cE '^not ok ' "$log" | head -1)
	grep -q '^1\.\.0 # SKIP' "$log" && skip=1
	pass=$((pass - skip))
	if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1
	fi
	echo "[packaging] $pass passed, $fail failed, $skip skipped (log: $log)"
	grep -E '^not ok ' "$log" | sed 's/^/[packaging] /'
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
fi

if [ "$(system_dirs_listing)" = "$system_dirs_before" ]; then
	total_pass=$((total_pass + 1))
else
	echo "[host] the tests changed /run/hostfish or /var/lib/hostfish:"
	diff <(echo "$system_dirs_before") <(system_dirs_listing) | head -20 | sed 's/^/[host] /'
	total_fail=$((total_fail + 1))
fi

if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
