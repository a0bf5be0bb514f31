#!/bin/sh
# Allocation-failure torture (curl -t, SQLite oom tests): every allocation of
# a small capture run, and of a dump run, is made to fail in turn
# (NC_FAULT_ALLOC=N). Each run must end cleanly: exit 0 (the loss counted)
# or 2 with a one-line error, no sanitizer or leak report, no *.partial file
# left, and every file it did write readable by dump.
set -u
suite=torture
. "$(dirname "$0")/../lib.sh"
require_netcap
pcap=$root/examples/loopback.pcap

# check NAME STATUS ERRFILE OUTDIR: the common verdict for one run
check_run() {
    name=$1; st=$2; err=$3; out=$4
    if grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$err"; then
        bad "$name" "sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$err")"; return 1
    fi
    if [ "$st" != 0 ] && [ "$st" != 2 ]; then
        bad "$name" "exit status $st"; return 1
    fi
    if [ "$st" = 2 ] && ! grep -q "^netcap" "$err"; then
        bad "$name" "exit 2 without an error message"; return 1
    fi
    if [ -n "$out" ] && ls "$out" 2>/dev/null | grep -q '\.partial$'; then
        bad "$name" "left a .partial file"; return 1
    fi
    return 0
}

# capture: find how many allocations a clean run makes, then fail each one.
# loopback.pcap covers the whole pipeline; tcpapps.pcap leaves message
# streams (Modbus, ENIP, SIP, Diameter) open when an allocation fails, so
# the teardown of open streams after an error is tested too.
torture_capture() { # NAME PCAP (sh has no locals: check_run owns $name)
    tname=$1; cap=$2
    total=$(NC_ALLOC_REPORT=1 "$NETCAP" capture -read "$cap" -out "$tmp/ref" -workers 1 -quiet 2>&1 |
        sed -n 's/^netcap: \([0-9]*\) allocations$/\1/p')
    if [ -z "$total" ]; then
        bad "$tname" "could not count allocations"
        return
    fi
    bad_runs=0
    n=1
    while [ "$n" -le $((total + 2)) ]; do
        rm -rf "$tmp/o"
        NC_FAULT_ALLOC=$n "$NETCAP" capture -read "$cap" -out "$tmp/o" -workers 1 -quiet \
            > /dev/null 2> "$tmp/err"
        st=$?
        if check_run "$tname N=$n" "$st" "$tmp/err" "$tmp/o"; then
            for f in "$tmp"/o/*.ncap.zst; do
                [ -e "$f" ] || continue
                if ! "$NETCAP" dump -read "$f" -json > /dev/null 2> "$tmp/derr"; then
                    bad "$tname N=$n" "unreadable $(basename "$f"): $(head -c 200 "$tmp/derr")"
                    bad_runs=$((bad_runs + 1))
                    break
                fi
            done
        else
            bad_runs=$((bad_runs + 1))
        fi
        n=$((n + 1))
    done
    [ $bad_runs = 0 ] && ok "$tname: $total allocations, each failed in turn"
}
torture_capture torture-capture "$pcap"
torture_capture torture-capture-streams "$root/tests/golden/captures/tcpapps.pcap"

# dump: the same over reading and rendering a record file
rec="$tmp/ref/DNS.ncap.zst"
total=$(NC_ALLOC_REPORT=1 "$NETCAP" dump -read "$rec" -json 2>&1 >/dev/null |
    sed -n 's/^netcap: \([0-9]*\) allocations$/\1/p')
if [ -z "$total" ]; then
    bad "torture-dump" "could not count allocations"
else
    bad_runs=0
    n=1
    while [ "$n" -le $((total + 2)) ]; do
        for view in -json -csv ""; do
            NC_FAULT_ALLOC=$n "$NETCAP" dump -read "$rec" $view > /dev/null 2> "$tmp/err"
            st=$?
            check_run "torture-dump$view N=$n" "$st" "$tmp/err" "" || bad_runs=$((bad_runs + 1))
        done
        n=$((n + 1))
    done
    [ $bad_runs = 0 ] && ok "torture-dump: $total allocations, each failed in turn (json, csv, table)"
fi
summary
