#!/bin/sh
# Features suite: ConnectionFeatures against an independent Python
# implementation (ref.py) over the corpus's tshark per-frame tables; see
# compare.py and docs/FEATURES.md.
#   NETCAP=build/netcap tests/features/run.sh [--case NAME]... [-v]
# Prints PASS/FAIL/SKIP per capture and ends with "features: N passed, M
# failed, K skipped"; exits non-zero if anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${CORPUS+set}" ]; then
    CORPUS=""
    [ -d "$root/../shared/corpus" ] && CORPUS=$(cd "$root/../shared/corpus" && pwd)
fi
if [ -z "$CORPUS" ]; then
    echo "SKIP features: ../shared/corpus absent"
    echo "features: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP features: python3 absent"
    echo "features: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
NETCAP=${NETCAP:-$root/build/netcap}
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=0
exec python3 "$here/compare.py" --netcap "$NETCAP" --corpus "$CORPUS" "$@"
