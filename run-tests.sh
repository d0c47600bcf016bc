#!/bin/bash
# hostfish's whole test suite: installs what it needs (Debian 12, as root), builds, runs
# every test (unit, emulator, integration) and ends with "N passed, N failed[, N skipped]".
set -uo pipefail
src=$(cd "$(dirname "$0")" && pwd)
cd "$src"

bash .ci/deps.sh || exit 1
build=$(bash .ci/build.sh) || exit 1
cd "$build"

make -j"$(nproc)" check >check.out 2>&1
rc=$?
# the per-test summary, and every failure in full
grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' check.out | grep -vE '^PASS:' || true
if [ $rc -ne 0 ]; then
	for log in $(find . -name '*.log' ! -name 'test-suite.log' ! -name 'config.log'); do
		grep -qE '^(not ok|Bail out)|^# (FAIL|ERROR)' "$log" 2>/dev/null || continue
		echo "===== $log"
		tail -60 "$log"
	done
fi
count() { sed -n "s/^# $1: *\([0-9]*\)$/\1/p" check.out | tail -1; }
pass=$(count PASS); fail=$(count FAIL); err=$(count ERROR); skip=$(count SKIP); xpass=$(count XPASS)
pass=${pass:-0}; fail=$(( ${fail:-0} + ${err:-0} + ${xpass:-0} )); skip=${skip:-0}
if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then
	tail -30 check.out
	fail=1
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
