#!/bin/sh
# Tests for `netcap util` (check, stats, convert, time) and for the refusal
# of Netcap (Go) record files by the shared reader (dump and util).
#   NETCAP=build/netcap tests/util/run.sh
# Record files come from capturing examples/loopback.pcap; damaged ones are
# made by craft.py (python3; without it those cases skip). Prints PASS/FAIL/
# SKIP lines and "util: N passed, M failed, K skipped".
set -u
suite=util
. "$(dirname "$0")/../lib.sh"
require_netcap
craft="$here/craft.py"
have_py=false
command -v python3 >/dev/null 2>&1 && have_py=true

# sanitizer_report FILE: true if FILE holds an ASan/UBSan/LSan report
sanitizer_report() {
    grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"
}

# run NAME WANT_RC OUT_SUBSTRING -- ARGS...: netcap ARGS with stdout in
# $tmp/out and stderr in $tmp/err; checks the exit status, that stdout or
# stderr contains the substring (if not empty), and no sanitizer report.
run() {
    name=$1 want_rc=$2 want=$3
    shift 4
    "$NETCAP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if sanitizer_report "$tmp/err"; then
        bad "$name" "sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$tmp/err")"
        return 1
    fi
    if [ "$rc" != "$want_rc" ]; then
        bad "$name" "exit status $rc, want $want_rc; $(head -c 300 "$tmp/out" "$tmp/err")"
        return 1
    fi
    if [ -n "$want" ] && ! grep -qF -- "$want" "$tmp/out" "$tmp/err"; then
        bad "$name" "output lacks '$want': $(head -c 300 "$tmp/out") $(head -c 300 "$tmp/err")"
        return 1
    fi
    ok "$name"
}

# expect NAME COMMAND...: passes if the shell command succeeds.
expect() {
    name=$1
    shift
    if sh -c "$*" >/dev/null 2>&1; then
        ok "$name"
    else
        bad "$name" "check failed: $*"
    fi
}

# ------------------------------------------------------------------ help
run help-lists-util 0 "util" -- -h
run util-help 0 "subcommands:" -- util -h
for s in check stats convert time; do
    run "util-help-$s" 0 "" -- util -h
    expect "util-help-lists-$s" "grep -q '^  $s ' '$tmp/out'"
    run "$s-help" 0 "example" -- util $s -h
done
run util-no-sub 1 "usage: netcap util" -- util
run util-unknown-sub 1 "unknown subcommand 'frob'" -- util frob
run check-no-files 1 "name at least one FILE" -- util check
run check-bad-flag 1 "unknown flag" -- util check -frob x
run convert-no-out 1 "-read IN and -out OUT" -- util convert -read x
run convert-bad-format 1 "-format must be" -- util convert -read x -out y -format xml
run convert-bad-compress 1 "-compress must be" -- util convert -read x -out y -compress lz4

# ------------------------------------------------------- good record files
rec=$tmp/rec
"$NETCAP" capture -read "$root/examples/loopback.pcap" -out "$rec" -quiet 2>"$tmp/err" ||
    bad capture "capture of examples/loopback.pcap failed: $(head -n 1 "$tmp/err")"
"$NETCAP" capture -read "$root/examples/loopback.pcap" -out "$tmp/gz" -compress gzip -quiet 2>/dev/null
"$NETCAP" capture -read "$root/examples/loopback.pcap" -out "$tmp/plain" -compress none -quiet 2>/dev/null
nfiles=$(ls "$rec" | wc -l | tr -d ' ')
run check-dir 0 "checked $nfiles files: $nfiles good, 0 bad" -- util check "$rec"
expect check-dir-ok-lines "[ \$(grep -c '^OK ' '$tmp/out') = $nfiles ]"
expect check-ok-line-format "grep -qx 'OK $rec/DNS.ncap.zst: 20 records, DNS, schema v1' '$tmp/out'"
run check-gzip-dir 0 "$nfiles good, 0 bad" -- util check "$tmp/gz"
run check-plain-dir 0 "$nfiles good, 0 bad" -- util check "$tmp/plain"
run check-files-and-dirs 0 "" -- util check "$rec/DNS.ncap.zst" "$tmp/gz" "$tmp/plain/TCP.ncap"
run check-quiet 0 "checked" -- util check -quiet "$rec"
expect check-quiet-one-line "[ \$(wc -l <'$tmp/out') = 1 ]"
run check-ordered-loopback 0 "" -- util check -ordered "$rec"
"$NETCAP" util check - <"$rec/DNS.ncap.zst" >"$tmp/out" 2>&1
expect check-stdin "grep -qx 'OK -: 20 records, DNS, schema v1' '$tmp/out'"
mkdir "$tmp/empty"
run check-empty-dir 2 "no record files" -- util check "$tmp/empty"
run check-missing 2 "BAD $tmp/nope.ncap: cannot open" -- util check "$tmp/nope.ncap" "$rec/DNS.ncap.zst"
expect check-missing-summary "grep -qx 'checked 2 files: 1 good, 1 bad' '$tmp/out'"
run check-pcap 2 "it is a pcap/pcapng capture" -- util check "$root/examples/loopback.pcap"

# ------------------------------------------------------- damaged files
if $have_py; then
    p=$tmp/plain
    # offsets of the header and records 1, 2, ... of TCP.ncap
    python3 "$craft" offsets "$p/TCP.ncap" >"$tmp/offs"
    off() { sed -n "$(($1 + 1))p" "$tmp/offs"; }

    python3 "$craft" cut "$p/TCP.ncap" "$tmp/cut5.ncap" 5
    run cut-mid-record 2 "BAD $tmp/cut5.ncap: record #5 at offset $(off 5): truncated" -- util check "$tmp/cut5.ncap"
    python3 "$craft" badtag "$p/TCP.ncap" "$tmp/tag3.ncap" 3
    run flipped-tag 2 "BAD $tmp/tag3.ncap: record #3 at offset $(off 3): not a valid TCP message" -- util check "$tmp/tag3.ncap"
    python3 "$craft" garbage "$p/TCP.ncap" "$tmp/garbage.ncap"
    run garbage-after-header 2 "record #1 at offset $(off 1): malformed length prefix" -- util check "$tmp/garbage.ncap"
    python3 "$craft" header "$p/DNS.ncap" "$tmp/h-name.ncap" 7=s:UDP
    run header-type-name-mismatch 2 "header: type 50 is DNS but type_name says \"UDP\"" -- util check "$tmp/h-name.ncap"
    python3 "$craft" header "$p/DNS.ncap" "$tmp/h-udp.ncap" 3=41 7=s:UDP
    run header-wrong-type 2 "record #1 at offset $(python3 "$craft" offsets "$tmp/h-udp.ncap" | sed -n 2p): not a valid UDP message" -- util check "$tmp/h-udp.ncap"
    python3 "$craft" header "$p/DNS.ncap" "$tmp/h-v2.ncap" 6=2
    run header-newer-schema 2 "header: schema v2 is newer" -- util check "$tmp/h-v2.ncap"
    python3 "$craft" header "$p/DNS.ncap" "$tmp/h-v0.ncap" 6=0
    run header-no-schema 2 "header: no schema_version" -- util check "$tmp/h-v0.ncap"
    python3 "$craft" header "$p/DNS.ncap" "$tmp/h-t99.ncap" 3=99 7=s:Frob
    run header-unknown-type 2 "record type 99" -- util check "$tmp/h-t99.ncap"
    # Connection: field 16 is timestamp_last; before timestamp_first is a broken promise
    python3 "$craft" setvar "$p/Connection.ncap" "$tmp/conn.ncap" 2 16 1
    run connection-span-backwards 2 "record #2 at offset $(python3 "$craft" offsets "$tmp/conn.ncap" | sed -n 3p): timestamp_last 1 is before timestamp_first" -- util check "$tmp/conn.ncap"
    # records out of time order: fine, unless -ordered
    python3 "$craft" swap "$p/Ethernet.ncap" "$tmp/swap.ncap" 1
    run swapped-records-ok 0 "OK" -- util check "$tmp/swap.ncap"
    run swapped-records-ordered 2 "record #2 at offset $(python3 "$craft" offsets "$tmp/swap.ncap" | sed -n 3p): time" -- util check -ordered "$tmp/swap.ncap"
    # the same damage compressed: dump and check agree on the record
    "$NETCAP" util convert -read "$tmp/tag3.ncap" -out "$tmp/tag3.ncap.zst" 2>/dev/null
    expect convert-refuses-damage "[ ! -e '$tmp/tag3.ncap.zst' ] && [ ! -e '$tmp/tag3.ncap.zst.partial' ]"
    gzip -c "$tmp/tag3.ncap" >"$tmp/tag3.ncap.gz"
    run flipped-tag-gzip 2 "record #3 at offset $(off 3): not a valid TCP message" -- util check "$tmp/tag3.ncap.gz"
else
    skp damaged "no python3"
fi

# zstd cut in the middle of a frame: check names the record dump stops at
size=$(wc -c <"$rec/TCP.ncap.zst")
head -c $((size / 2)) "$rec/TCP.ncap.zst" >"$tmp/half.ncap.zst"
run zstd-cut-mid-frame 2 "truncated (compressed data ends inside a zstd frame)" -- util check "$tmp/half.ncap.zst"
k=$(sed -n 's/.*record #\([0-9]*\) at.*/\1/p' "$tmp/out")
rows=$("$NETCAP" dump -read "$tmp/half.ncap.zst" -csv 2>/dev/null | tail -n +2 | wc -l | tr -d ' ')
expect zstd-cut-index-matches-dump "[ '$k' = $((rows + 1)) ]"
# gzip cut mid-member
size=$(wc -c <"$tmp/gz/TCP.ncap.gz")
head -c $((size - 9)) "$tmp/gz/TCP.ncap.gz" >"$tmp/cut.ncap.gz"
run gzip-cut-mid-member 2 "inside a gzip member" -- util check "$tmp/cut.ncap.gz"
cat "$rec/DNS.ncap.zst" >"$tmp/junk.ncap.zst"
printf 'trailing junk' >>"$tmp/junk.ncap.zst"
run zstd-trailing-junk 2 "record #21 at offset" -- util check "$tmp/junk.ncap.zst"

# never a crash: every truncation length of a small file and a flipped byte
# at every position of another, each one of zstd, gzip and plain
: >"$tmp/rcs"
for f in "$rec/ICMPv4.ncap.zst" "$tmp/gz/ICMPv4.ncap.gz" "$tmp/plain/ICMPv4.ncap"; do
    n=$(wc -c <"$f")
    i=0
    while [ $i -lt "$n" ]; do
        head -c $i "$f" >"$tmp/t.ncap"
        "$NETCAP" util check "$tmp/t.ncap" >/dev/null 2>"$tmp/err"
        echo "trunc $i $? $(sanitizer_report "$tmp/err" && echo SAN)" >>"$tmp/rcs"
        if $have_py; then
            python3 -c 'import sys
d=bytearray(open(sys.argv[1],"rb").read()); d[int(sys.argv[2])]^=0x41
open(sys.argv[3],"wb").write(d)' "$f" $i "$tmp/t.ncap"
            "$NETCAP" util check "$tmp/t.ncap" >/dev/null 2>"$tmp/err"
            echo "flip $i $? $(sanitizer_report "$tmp/err" && echo SAN)" >>"$tmp/rcs"
        fi
        i=$((i + 7))
    done
done
expect damage-never-crashes "! grep -vE ' (0|2) \$' '$tmp/rcs'"
expect damage-mostly-bad "[ \$(grep -c ' 2 \$' '$tmp/rcs') -gt \$((\$(wc -l <'$tmp/rcs') / 2)) ]"

# samples of the dump suite (written by the unit test binary), if built
TEST_REFLECT=${TEST_REFLECT:-$(dirname "$NETCAP")/tests/test_reflect}
mkdir -p "$tmp/s"
if [ -x "$TEST_REFLECT" ] && NC_TEST_OUT="$tmp/s" "$TEST_REFLECT" >/dev/null 2>&1; then
    run sample-trunc 2 "record #4 at offset" -- util check "$tmp/s/trunc.ncap"
    run sample-huge 2 "record #2 at offset" -- util check "$tmp/s/huge.ncap"
    run sample-garbage 2 "not a netcap record file" -- util check "$tmp/s/garbage.ncap"
    run sample-good 0 "" -- util check "$tmp/s/dns.ncap" "$tmp/s/dns.ncap.zst" "$tmp/s/dns.ncap.gz" "$tmp/s/header-only.ncap"
else
    skp samples "no $TEST_REFLECT (make unit)"
fi

# hostile captures are not record files: refused, never a crash
if [ -n "$HOSTILE" ] && [ -d "$HOSTILE/tcpdump" ]; then
    n=$(ls "$HOSTILE"/tcpdump/*.pcap | wc -l | tr -d ' ')
    run hostile-pcaps 2 "checked $n files: 0 good, $n bad" -- util check "$HOSTILE"/tcpdump/*.pcap
else
    skp hostile-pcaps "no HOSTILE"
fi

# ------------------------------------------------------------------ stats
run stats 0 "total" -- util stats "$rec"
expect stats-rows "[ \$(wc -l <'$tmp/out') = $((nfiles + 2)) ]"
run stats-json 0 "" -- util stats -json "$rec"
cp "$tmp/out" "$tmp/stats.json"
if $have_py; then
    for f in "$rec"/*; do
        "$NETCAP" dump -read "$f" -csv >"$tmp/$(basename "$f").csv" 2>/dev/null
    done
    expect stats-match-dump-recount "python3 - '$tmp/stats.json' '$tmp' <<'PY'
import csv, json, os, sys
csv.field_size_limit(1 << 30)
tot = 0
lines = [json.loads(l) for l in open(sys.argv[1])]
for o in lines[:-1]:
    rows = list(csv.reader(open(os.path.join(sys.argv[2], os.path.basename(o['file']) + '.csv'), newline='')))
    h, rows = rows[0], rows[1:]
    lo = h.index('timestamp') if 'timestamp' in h else h.index('timestamp_first')
    hi = h.index('timestamp_last') if 'timestamp_last' in h else lo
    assert o['records'] == len(rows), (o, len(rows))
    assert o['first'] == min(int(r[lo]) for r in rows), o
    assert o['last'] == max(int(r[hi]) for r in rows), o
    assert o['duration_ns'] == o['last'] - o['first']
    assert o['size'] == os.path.getsize(o['file'])
    tot += o['records']
t = lines[-1]
assert t['file'] is None and t['records'] == tot and t['files'] == len(lines) - 1
PY"
    expect stats-uncompressed-is-plain-size "python3 - '$tmp/stats.json' '$tmp/plain' <<'PY'
import json, os, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o['file']:
        n = os.path.basename(o['file']).replace('.zst', '')
        assert o['uncompressed'] == os.path.getsize(os.path.join(sys.argv[2], n)), o
PY"
else
    skp stats-recount "no python3"
fi
"$NETCAP" util stats "$rec/DNS.ncap.zst" >"$tmp/out"
expect stats-dns-line "grep -q '^ *20  2026-11-26T08:32:35.554642000Z  2026-11-26T08:32:36.021642000Z  *467ms  .* DNS  *$rec/DNS.ncap.zst\$' '$tmp/out'"
run stats-bad-file 2 "truncated" -- util stats "$rec/DNS.ncap.zst" "$tmp/half.ncap.zst"
expect stats-bad-file-total "grep -q 'total  *(1 file)' '$tmp/out'"
if $have_py; then
    python3 "$craft" headeronly "$tmp/plain/DNS.ncap" "$tmp/h.ncap"
    run stats-no-records 0 "" -- util stats -json "$tmp/h.ncap"
    expect stats-no-records-null "grep -q '\"records\":0,\"first\":null' '$tmp/out'"
    run check-no-records 0 "OK $tmp/h.ncap: 0 records, DNS, schema v1" -- util check "$tmp/h.ncap"
fi

# ---------------------------------------------------------------- convert
allsame=true
mkdir "$tmp/conv"
for f in "$rec"/*.ncap.zst; do
    b=$(basename "$f" .ncap.zst)
    "$NETCAP" dump -read "$f" -csv >"$tmp/ref.csv" 2>/dev/null
    "$NETCAP" util convert -read "$f" -out "$tmp/conv/$b.ncap.gz" &&
        "$NETCAP" util convert -read "$tmp/conv/$b.ncap.gz" -out "$tmp/conv/$b.ncap" &&
        "$NETCAP" util convert -read "$tmp/conv/$b.ncap" -out "$tmp/conv/$b.rt.ncap.zst" || allsame=false
    for g in "$tmp/conv/$b.ncap.gz" "$tmp/conv/$b.ncap" "$tmp/conv/$b.rt.ncap.zst"; do
        "$NETCAP" dump -read "$g" -csv 2>/dev/null | cmp -s - "$tmp/ref.csv" || { allsame=false; echo "  differs: $g"; }
    done
    cmp -s "$tmp/conv/$b.ncap" "$tmp/plain/$b.ncap" || { allsame=false; echo "  plain copy differs from capture's: $b"; }
    "$NETCAP" util convert -read "$f" -out "$tmp/conv/$b.csv" && cmp -s "$tmp/conv/$b.csv" "$tmp/ref.csv" ||
        { allsame=false; echo "  csv differs: $b"; }
    "$NETCAP" dump -read "$f" -json >"$tmp/ref.json" 2>/dev/null
    "$NETCAP" util convert -read "$f" -out "$tmp/conv/$b.json.gz" && gzip -dc "$tmp/conv/$b.json.gz" | cmp -s - "$tmp/ref.json" ||
        { allsame=false; echo "  json differs: $b"; }
done
expect convert-round-trips "$allsame"
run convert-results-check 0 "" -- util check "$tmp/conv"
run convert-explicit 0 "" -- util convert -read "$rec/DNS.ncap.zst" -out "$tmp/x.out" -format json -compress zstd
expect convert-explicit-zstd "head -c 4 '$tmp/x.out' | od -An -tx1 | grep -q '28 b5 2f fd'"
run convert-missing-input 2 "cannot open" -- util convert -read "$tmp/nope.ncap" -out "$tmp/y.ncap"
expect convert-missing-no-output "[ ! -e '$tmp/y.ncap' ]"
run convert-truncated 2 "truncated" -- util convert -read "$tmp/half.ncap.zst" -out "$tmp/z.ncap.gz"
expect convert-truncated-no-output "[ ! -e '$tmp/z.ncap.gz' ] && [ ! -e '$tmp/z.ncap.gz.partial' ]"
run convert-unwritable 2 "cannot create" -- util convert -read "$rec/DNS.ncap.zst" -out "$tmp/no/such/dir/x.ncap"

# ------------------------------------------------------------------- time
t() { # NAME INPUT EXPECTED-LINE
    "$NETCAP" util time -- "$2" >"$tmp/out" 2>"$tmp/err"
    if [ "$(cat "$tmp/out")" = "$3" ]; then ok "time-$1"; else bad "time-$1" "'$2' gave '$(cat "$tmp/out" "$tmp/err")', want '$3'"; fi
}
t zero 0 "0  0.000000000  1970-01-01T00:00:00.000000000Z"
t ns 1700000000123456789 "1700000000123456789  1700000000.123456789  2023-11-14T22:13:20.123456789Z"
t seconds-fraction 1700000000.123456789 "1700000000123456789  1700000000.123456789  2023-11-14T22:13:20.123456789Z"
t seconds-bare 1700000000 "1700000000000000000  1700000000.000000000  2023-11-14T22:13:20.000000000Z"
t eleven-digits-is-ns 17000000000 "17000000000  17.000000000  1970-01-01T00:00:17.000000000Z"
t suffix-s 17000000000s "" # out of range as seconds: printed nothing
t suffix-ns 5ns "5  0.000000005  1970-01-01T00:00:00.000000005Z"
t negative-fraction -1.5 "-1500000000  -1.500000000  1969-12-31T23:59:58.500000000Z"
t minus-one-ns -1ns "-1  -0.000000001  1969-12-31T23:59:59.999999999Z"
t int64-max 9223372036854775807 "9223372036854775807  9223372036.854775807  2262-04-11T23:47:16.854775807Z"
t int64-min -9223372036854775808 "-9223372036854775808  -9223372036.854775808  1677-09-21T00:12:43.145224192Z"
t rfc-max 2262-04-11T23:47:16.854775807Z "9223372036854775807  9223372036.854775807  2262-04-11T23:47:16.854775807Z"
t rfc-min 1677-09-21T00:12:43.145224192Z "-9223372036854775808  -9223372036.854775808  1677-09-21T00:12:43.145224192Z"
t rfc-offset 2023-11-14T23:13:20.5+01:00 "1700000000500000000  1700000000.500000000  2023-11-14T22:13:20.500000000Z"
t rfc-negative-offset 2023-11-14T17:43:20-04:30 "1700000000000000000  1700000000.000000000  2023-11-14T22:13:20.000000000Z"
t rfc-long-fraction-zeros 2023-11-14T22:13:20.1234567890000Z "1700000000123456789  1700000000.123456789  2023-11-14T22:13:20.123456789Z"
t rfc-leap-day 2024-02-29T00:00:00Z "1709164800000000000  1709164800.000000000  2024-02-29T00:00:00.000000000Z"
t rfc-date 2000-01-01 "946684800000000000  946684800.000000000  2000-01-01T00:00:00.000000000Z"
t rfc-lowercase 2023-11-14t22:13:20z "1700000000000000000  1700000000.000000000  2023-11-14T22:13:20.000000000Z"
run time-past-max 1 "outside the range" -- util time 2262-04-11T23:47:16.854775808Z
run time-before-min 1 "outside the range" -- util time 1677-09-21T00:12:43.145224191Z
run time-ns-overflow 1 "outside the range" -- util time 9223372036854775808
run time-leap-second 1 "leap second" -- util time 2016-12-31T23:59:60Z
run time-not-leap-year 1 "no such date" -- util time 2023-02-29T00:00:00Z
run time-no-zone 1 "lacks its zone" -- util time 2023-11-14T22:13:20
run time-finer-than-ns 1 "finer than a nanosecond" -- util time 2023-11-14T22:13:20.1234567891234Z
run time-seconds-finer-than-ns 1 "finer than a nanosecond" -- util time 1700000000.0000000001
run time-bad-offset 1 "no such UTC offset" -- util time 2023-11-14T22:13:20+24:00
run time-garbage 1 "not a time" -- util time 12abc
run time-garbage-continues 1 "" -- util time abc 0
expect time-garbage-continues-out "[ \$(wc -l <'$tmp/out') = 1 ]"
printf '1700000000\n\n  2023-11-14T22:13:20Z  \n-1ns\n' | "$NETCAP" util time >"$tmp/out" 2>"$tmp/err"
expect time-stdin "[ \$(wc -l <'$tmp/out') = 3 ] && [ \$(cut -d' ' -f1 '$tmp/out' | sort -u | wc -l) = 2 ]"
# values from a record file, via stdin
"$NETCAP" dump -read "$rec/DNS.ncap.zst" -csv -select timestamp | tail -n +2 | "$NETCAP" util time >"$tmp/out" 2>"$tmp/err"
expect time-from-dump "[ \$(wc -l <'$tmp/out') = 20 ] && grep -q '2026-11-26T08:32:35.554642000Z' '$tmp/out'"

# ------------------------------------------------------ Netcap (Go) files
if $have_py; then
    python3 "$craft" netcap-go "$tmp/DNS.ncap.gz" 41
    run netcap-go-dump 2 "a record file of Netcap, the Go tool (v0.5.13, input \"traffic.pcap\")" -- dump -read "$tmp/DNS.ncap.gz"
    expect netcap-go-says-what-to-do "grep -q 're-run netcap capture -read on the pcap' '$tmp/err' && [ \$(wc -l <'$tmp/err') = 1 ]"
    run netcap-go-check 2 "BAD $tmp/DNS.ncap.gz: a record file of Netcap, the Go tool" -- util check "$tmp/DNS.ncap.gz"
    # without Created and ContainsPayloads the header unpacks as ours and
    # type 41 would read the records as UDP: the Version still gives it away
    python3 "$craft" netcap-go "$tmp/UDP.ncap" 41 nocreated plain
    run netcap-go-no-created 2 "Netcap, the Go tool" -- dump -read "$tmp/UDP.ncap"
    python3 "$craft" netcap-go "$tmp/TCP.ncap.gz" 46
    run netcap-go-tcp 2 "Netcap, the Go tool" -- dump -read "$tmp/TCP.ncap.gz" -csv
    run netcap-go-stats 2 "Netcap, the Go tool" -- util stats "$tmp/TCP.ncap.gz"
    run netcap-go-convert 2 "Netcap, the Go tool" -- util convert -read "$tmp/TCP.ncap.gz" -out "$tmp/tcp.csv"
else
    skp netcap-go "no python3"
fi

summary
