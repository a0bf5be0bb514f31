#!/bin/sh
# Runs every shell test suite against one netcap binary.
#   NETCAP=build/netcap tests/run-all.sh           all suites
#   NETCAP=build-address/netcap tests/run-all.sh   same, under ASan+UBSan
# Each suite is tests/<suite>/run.sh; it prints PASS/FAIL/SKIP lines and ends
# with "<suite>: N passed, M failed, K skipped"; its exit status is non-zero
# if anything failed. Suites that need ../shared/corpus skip (counted) when it
# is absent. Environment for the suites:
#   NETCAP   the binary under test (absolute path)
#   CORPUS   ../shared/corpus if present, else empty
#   HOSTILE  ../shared/hostile if present, else empty
#   NC_SANITIZED=1 when NETCAP is a sanitizer build (suites may skip slow parts)
set -u
cd "$(dirname "$0")/.."
NETCAP=$(cd "$(dirname "${NETCAP:-build/netcap}")" && pwd)/$(basename "${NETCAP:-build/netcap}")
export NETCAP
shared=$(cd .. && pwd)/shared
CORPUS=""; HOSTILE=""
[ -d "$shared/corpus" ] && CORPUS="$shared/corpus"
[ -d "$shared/hostile" ] && HOSTILE="$shared/hostile"
export CORPUS HOSTILE
export TZ=UTC LC_ALL=C
suites="${SUITES:-cli dump util label golden oracle features determinism hostile torture limits live sessions python install export sensors}"
# SKIP_SUITES: names left out of the list above (make check runs the heavy
# matrices, hostile and torture, only in its sanitizer pass)
for s in ${SKIP_SUITES:-}; do
    suites=$(echo " $suites " | sed "s/ $s / /")
done
failed=""
total_pass=0; total_fail=0; total_skip=0
for s in $suites; do
    script=tests/$s/run.sh
    if [ ! -x "$script" ]; then
        continue
    fi
    echo "== $s"
    out=$(mktemp)
    "$script" 2>&1 | tee "$out"
    rc=$(tail -n 1 "$out" | grep -q "0 failed" && echo 0 || echo 1)
    line=$(grep -E "^$s: [0-9]+ passed" "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    k=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
    total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-1})); total_skip=$((total_skip + ${k:-0}))
    if [ "$rc" != 0 ] || [ -z "$line" ]; then
        failed="$failed $s"
    fi
    rm -f "$out"
done
echo "== all suites: $total_pass passed, $total_fail failed, $total_skip skipped ($NETCAP)"
if [ -n "$failed" ]; then
    echo "FAILED suites:$failed"
    exit 1
fi
