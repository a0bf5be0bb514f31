#!/bin/sh
# Tests of the Python module python/netcap (docs/PYTHON.md):
#   NETCAP=build/netcap tests/python/run.sh
# check.py captures the corpus captures (CORPUS; examples/ only without it),
# reads every record file written with netcap.read and compares every value
# with `netcap dump -json`, checks the DataFrame dtypes, the multi-frame
# pitfall (many zstd frames / gzip members give all records, also through
# the zstd command), and the refusal of garbage, pcaps, newer schemas and
# damaged files. Skips when no python3 has the protobuf runtime
# (python3-protobuf, which scripts/bootstrap.sh installs). PYTHON picks the
# interpreter; otherwise the first of python3 and /usr/bin/python3 that
# imports google.protobuf. Prints PASS/FAIL/SKIP lines and
# "python: N passed, M failed, K skipped".
set -u
suite=python
. "$(dirname "$0")/../lib.sh"
require_netcap

py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import google.protobuf' 2>/dev/null; then
        py=$p
        break
    fi
done
if [ -z "$py" ]; then
    skp module "no python3 with the protobuf runtime (apt-get install python3-protobuf; scripts/bootstrap.sh installs it)"
    summary
    exit $?
fi
"$py" -c 'import pandas' 2>/dev/null || echo "note: $py has no pandas: DataFrame checks skip"
"$py" -c 'import zstandard' 2>/dev/null || echo "note: $py has no zstandard: .zst files are read through the zstd command"

# the captures: every corpus case (they are small), or the shipped example
cases=""
if [ -n "$CORPUS" ]; then
    for d in "$CORPUS"/*/; do
        for f in "$d"*.pcap "$d"*.pcapng "$d"*.cap; do
            [ -f "$f" ] || continue
            # under sanitizers, only the captures below 64 KiB (speed)
            if [ "${NC_SANITIZED:-0}" = 1 ] && [ "$(wc -c <"$f")" -gt 65536 ]; then
                continue
            fi
            cases="$cases $f"
            break
        done
    done
else
    skp corpus "../shared/corpus is absent: only examples/ is compared"
fi
[ -n "$cases" ] || cases="$root/examples/loopback.pcap"

"$py" "$here/check.py" "$NETCAP" "$tmp" $cases >"$tmp/log" 2>&1
rc=$?
while IFS= read -r line; do
    case $line in
        "PASS "*) ok "${line#PASS }" ;;
        "FAIL "*) n=${line#FAIL }; bad "${n%%: *}" "${n#*: }" ;;
        "SKIP "*) n=${line#SKIP }; skp "${n%%: *}" "${n#*: }" ;;
        *) echo "$line" ;;
    esac
done <"$tmp/log"
[ "$rc" = 0 ] || bad check.py "exited with status $rc (its output is above)"
summary
