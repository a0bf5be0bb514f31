#!/bin/sh
# Oracle suite: compares netcap's records field by field with trusted peers
# (tshark, Zeek, nDPI, Arkime) on the shared corpus; see compare.py.
#   NETCAP=build/netcap CORPUS=../shared/corpus tests/oracle/run.sh
#   tests/oracle/run.sh --figures      also rewrite tests/oracle/FIGURES.md
#   tests/oracle/run.sh --case zeek-vxlan -v     one case, every problem
# Prints PASS/XFAIL/FAIL/SKIP lines, ends with "oracle: N passed, M failed,
# K skipped" (XFAIL = documented expected difference, counted as passed) and
# exits non-zero if anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${CORPUS+set}" ]; then
    # not run from tests/run-all.sh: look where it would
    CORPUS=""
    [ -d "$root/../shared/corpus" ] && CORPUS=$(cd "$root/../shared/corpus" && pwd)
fi
if [ -z "$CORPUS" ]; then
    echo "SKIP oracle: ../shared/corpus absent"
    echo "oracle: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP oracle: python3 absent"
    echo "oracle: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
NETCAP=${NETCAP:-$root/build/netcap}
if [ "${1:-}" = "--figures" ]; then
    shift
    set -- --figures "$here/FIGURES.md" "$@"
fi
exec python3 "$here/compare.py" --netcap "$NETCAP" --corpus "$CORPUS" "$@"
