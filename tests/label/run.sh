#!/bin/sh
# Tests for `netcap label`: alert files and attack maps built from the real
# 5-tuples and times of corpus captures (tests/label/gen.py: forward and
# reversed alerts, a flow alerted twice in both modes, tolerance edges,
# IPv6, CIDR rows, port ranges), every labelled row recounted by an
# independent Python matcher over `netcap dump -csv` (tests/label/check.py),
# the output loaded by pandas with the expected dtypes, the one-step path
# from a pcap, -strict, and hostile alert files and maps.
#   NETCAP=build/netcap tests/label/run.sh
suite=label
. "$(dirname "$0")/../lib.sh"
require_netcap

# run NAME WANT_RC STDERR_SUBSTRING ARGS...: netcap ARGS; stdout/stderr to $tmp/out, $tmp/err
run() {
    name=$1 want_rc=$2 want_err=$3
    shift 3
    "$NETCAP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        bad "$name" "exit status $rc, want $want_rc; stderr: $(head -c 400 "$tmp/err")"
        return 1
    fi
    if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/err"; then
        bad "$name" "stderr lacks '$want_err': $(head -c 400 "$tmp/err")"
        return 1
    fi
    ok "$name"
}

# bad flags need no corpus
run flags-none 1 "exactly one of -in" label -out "$tmp/x" -eve /dev/null
run flags-no-rules 1 "at least one" label -in "$tmp" -out "$tmp/x"
run flags-mode 1 "-mode must be" label -in "$tmp" -out "$tmp/x" -eve /dev/null -mode some
run flags-tolerance 1 "-tolerance" label -in "$tmp" -out "$tmp/x" -eve /dev/null -tolerance 1parsec
run missing-eve 2 "cannot open" label -in "$tmp" -out "$tmp/x" -eve "$tmp/nope.json"

if [ -z "$CORPUS" ]; then
    skp corpus "no ../shared/corpus"
    summary
    exit $?
fi

cases="ndpi-1kxun zeek-ftp-ipv6 arkime-v6-http tcpdump-icmpv6 ndpi-synscan"
for c in $cases; do
    pcap=$(ls "$CORPUS/$c/$c".pcap* 2>/dev/null | head -n 1)
    if [ -z "$pcap" ]; then
        skp "$c" "not in the corpus"
        continue
    fi
    d=$tmp/$c
    mkdir -p "$d/g"
    if ! "$NETCAP" capture -read "$pcap" -out "$d/rec" -quiet 2>"$d/err"; then
        bad "$c-capture" "$(head -c 300 "$d/err")"
        continue
    fi
    "$NETCAP" dump -read "$d/rec/Connection.ncap.zst" -csv >"$d/g/conn.csv" &&
        python3 "$here/gen.py" "$d/g/conn.csv" "$d/g" || { bad "$c-gen" "gen.py failed"; continue; }
    for mode in first all; do
        o=$d/out-$mode
        if ! "$NETCAP" label -in "$d/rec" -eve "$d/g/eve.json" -fastlog "$d/g/fast.log" \
                -map "$d/g/map.csv" -out "$o" -mode $mode -tolerance 1s 2>"$d/err"; then
            bad "$c-$mode" "netcap label failed: $(head -c 300 "$d/err")"
            continue
        fi
        if python3 "$here/check.py" "$NETCAP" "$d/rec" "$o" $mode 1000000000 eve="$d/g/eve.json" \
                fast="$d/g/fast.log" map="$d/g/map.csv" >"$d/check" 2>&1; then
            ok "$c-$mode-recount ($(grep -c '^ok' "$d/check") types)"
        else
            bad "$c-$mode-recount" "$(grep -v '^ok' "$d/check" | head -c 400)"
        fi
    done
    # the bad line of each generated file is named with its line number
    if grep -q "eve.json (eve.json) line [0-9]*: malformed JSON" "$d/err" &&
            grep -q "map.csv (attack map) line [0-9]*: bad src" "$d/err"; then
        ok "$c-bad-lines-named"
    else
        bad "$c-bad-lines-named" "$(head -c 300 "$d/err")"
    fi
    # Connection comes first in every output directory listing of the summary
    first=$(grep -m1 ' rows, ' "$d/out-all/label-summary.txt" | cut -d: -f1)
    [ "$first" = Connection ] && ok "$c-connection-first" || bad "$c-connection-first" "first is $first"
    # tolerance edges: last + 1 s is in, last + 1 s + 1 us is out
    if python3 - "$d/out-all/Connection.csv" "$d/g/expect.txt" <<'PY'
import csv, sys
rows = {r["uid"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
for line in open(sys.argv[2]):
    kind, uid, want = line.split()
    lab = rows[uid]["nc_label"]
    if want == "yes" and "edge in" not in lab:
        sys.exit("%s: edge-in alert missing: %s" % (uid, lab))
    if want == "no-edge" and "edge out" in lab:
        sys.exit("%s: edge-out alert matched: %s" % (uid, lab))
PY
    then ok "$c-tolerance-edges"; else bad "$c-tolerance-edges" "see above"; fi
done

# a flow alerted twice with different labels: a collision; -strict fails on it
d=$tmp/ndpi-1kxun
if [ -d "$d/rec" ]; then
    grep -q "^collision: Connection row" "$d/out-first/label-summary.txt" &&
        ok collisions-reported || bad collisions-reported "no collision line"
    grep -v broken "$d/g/eve.json" >"$tmp/clean.json"
    run strict-collision 2 "different labels (-strict)" label -in "$d/rec" -eve "$tmp/clean.json" \
        -out "$tmp/strict" -strict -quiet
    [ ! -e "$tmp/strict/Connection.csv" ] && ok strict-no-output || bad strict-no-output "Connection.csv written"
    run strict-bad-line 2 "eve.json line" label -in "$d/rec" -eve "$d/g/eve.json" -out "$tmp/strict" -strict
    # one step from the pcap gives the same files as capture + label
    run one-step 0 "" label -read "$CORPUS/ndpi-1kxun/ndpi-1kxun.pcap" -eve "$d/g/eve.json" \
        -fastlog "$d/g/fast.log" -map "$d/g/map.csv" -out "$tmp/onestep" -quiet
    if diff -r -x label-summary.txt "$d/out-first" "$tmp/onestep" >/dev/null; then
        ok one-step-same-output
    else
        bad one-step-same-output "differs from capture + label"
    fi
    # pandas reads the table with the expected dtypes
    # Debian's python3-pandas lives in /usr/bin/python3's path (not a pyenv's)
    py=""
    for p in python3 /usr/bin/python3; do
        if [ -z "$py" ] && "$p" -c 'import pandas' 2>/dev/null; then py=$p; fi
    done
    if [ -n "$py" ]; then
        if "$py" - "$d/out-first/Connection.csv" "$d/out-first/TCP.csv" <<'PY'
import sys
import pandas as pd
for path in sys.argv[1:]:
    df = pd.read_csv(path, keep_default_na=False, na_values={"nc_severity": [""]})
    want = {"nc_label": "object", "nc_category": "object", "nc_rule": "object",
            "nc_severity": "float64", "nc_matches": "int64", "src_ip": "object",
            "dst_ip": "object", "src_port": "int64", "dst_port": "int64"}
    for col, dt in want.items():
        if str(df[col].dtype) != dt:
            sys.exit("%s: %s is %s, want %s" % (path, col, df[col].dtype, dt))
    ts = [c for c in df.columns if c.startswith("timestamp")][0]
    assert str(df[ts].dtype) == "int64", df[ts].dtype
    benign = df["nc_label"] == "benign"
    assert benign.any() and (~benign).any()
    assert (df.loc[benign, "nc_matches"] == 0).all() and (df.loc[~benign, "nc_matches"] > 0).all()
    assert df.loc[benign, "nc_severity"].isna().all()
    assert (df["nc_label"] != "").all()
PY
        then ok pandas-dtypes; else bad pandas-dtypes "see above"; fi
    else
        skp pandas-dtypes "python3-pandas is not installed (apt-get install python3-pandas)"
    fi
fi

# hostile alert files and maps: skipped and counted with line numbers, never a crash
d=$tmp/ndpi-1kxun/rec
if [ -d "$d" ]; then
    h=$tmp/hostile
    mkdir -p "$h"
    python3 - "$h" <<'PY'
import sys
h = sys.argv[1]
good = ('{"timestamp":"2016-08-02T02:19:33.000000+0000","event_type":"alert","src_ip":"192.168.5.57",'
        '"dest_ip":"239.255.255.250","proto":"UDP","alert":{"signature_id":1,"signature":"ok","severity":1}}')
lines = [good, '{"event_type":"alert"', '{"a":[' * 100 + ']' * 100 + '}', "\x00\x01garbage",
         '{"event_type":"alert","timestamp":"2016-08-02T02:19:33Z","src_ip":"1.2.3.4","dest_ip":"::1",'
         '"alert":{"signature_id":1,"signature":"x"}}', "{" + " " * (2 * 1024 * 1024) + "}", good]
open(h + "/mixed.json", "w").write("\n".join(lines) + "\n")
open(h + "/latin1.json", "wb").write(good.replace('"ok"', '"caf\xe9"').encode("latin-1") + b"\n")
open(h + "/utf16.json", "wb").write((good + "\n").encode("utf-16"))
open(h + "/overlap.csv", "w").write(
    "start,end,src,dst,sport,dport,proto,label\n"
    "1470104300,1470104500,192.168.5.0/24,any,any,any,any,Scan\n"
    "1470104400,1470104600,192.168.5.57,239.255.255.250,any,1900,udp,DoS\n"
    "1470104700,1470104800,192.168.5.57,239.255.255.250,any,1900,udp,DoS\n")
open(h + "/binary.csv", "wb").write(bytes(range(256)) * 64)
PY
    run hostile-mixed 0 "line 6: line longer than 1048576 bytes" label -in "$d" -eve "$h/mixed.json" -out "$h/o1"
    for n in 2 3 4 5; do
        grep -q "mixed.json (eve.json) line $n:" "$tmp/err" && ok "hostile-mixed-line-$n" ||
            bad "hostile-mixed-line-$n" "$(head -c 400 "$tmp/err")"
    done
    grep -q "mixed.json: 7 lines, 2 rules, 0 other lines .*, 4 malformed, 1 too long" "$tmp/err" &&
        ok hostile-mixed-counted || bad hostile-mixed-counted "$(tail -c 600 "$tmp/err")"
    run hostile-mixed-strict 2 "mixed.json line 2: malformed JSON" label -in "$d" -eve "$h/mixed.json" -out "$h/o2" -strict
    run hostile-latin1 0 "line 1: not valid UTF-8" label -in "$d" -eve "$h/latin1.json" -out "$h/o3"
    run hostile-utf16 0 "line 1: NUL byte" label -in "$d" -eve "$h/utf16.json" -out "$h/o4"
    run hostile-overlap 0 "overlap.csv line 3: window overlaps" label -in "$d" -map "$h/overlap.csv" -out "$h/o5"
    grep -q "map rows skipped: 1" "$tmp/err" && ok hostile-overlap-counted || bad hostile-overlap-counted "$(tail -c 400 "$tmp/err")"
    run hostile-overlap-strict 2 "overlap.csv line 3: window overlaps" label -in "$d" -map "$h/overlap.csv" -out "$h/o6" -strict
    run hostile-binary-map 2 "binary.csv: no header row" label -in "$d" -map "$h/binary.csv" -out "$h/o7"
    run hostile-binary-strict 2 "binary.csv line 1" label -in "$d" -map "$h/binary.csv" -out "$h/o8" -strict
fi
summary
