#!/bin/sh
# Shell tests for `netcap dump`: output views and bad input.
#   NETCAP=build/netcap tests/dump/run.sh
# The sample record files come from the unit test binary in developer mode
# (NC_TEST_OUT=DIR build/tests/test_reflect writes them and exits), so this
# suite needs `make unit` (or `make check`) first; without the binary the
# file-based cases are skipped. Set TEST_REFLECT to use another binary.
# Prints PASS/FAIL/SKIP lines and "dump: N passed, M failed, K skipped";
# exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/../.."
NETCAP=${NETCAP:-build/netcap}
TEST_REFLECT=${TEST_REFLECT:-$(dirname "$NETCAP")/tests/test_reflect}
export LC_ALL=C TZ=UTC
unset COLUMNS

pass=0
fail=0
skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nc_dump_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() {
    pass=$((pass + 1))
    echo "PASS $1"
}
bad() {
    fail=$((fail + 1))
    echo "FAIL $1: $2"
}
skipped() {
    skip=$((skip + 1))
    echo "SKIP $1: $2"
}

# run NAME WANT_RC STDERR_SUBSTRING -- ARGS...: runs netcap with ARGS,
# stdout to $tmp/out, stderr to $tmp/err; checks the exit status, that
# stderr contains the substring (if not empty) and is at most one line.
run() {
    name=$1 want_rc=$2 want_err=$3
    shift 4
    "$NETCAP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        bad "$name" "exit status $rc, want $want_rc; stderr: $(head -c 300 "$tmp/err")"
        return 1
    fi
    if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/err"; then
        bad "$name" "stderr lacks '$want_err': $(head -c 300 "$tmp/err")"
        return 1
    fi
    if [ "$(wc -l <"$tmp/err")" -gt 1 ]; then
        bad "$name" "more than one line on stderr: $(head -c 300 "$tmp/err")"
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

if [ ! -x "$NETCAP" ]; then
    echo "dump: netcap binary '$NETCAP' not found (build it first)"
    echo "dump: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

# ------------------------------------------------------------- flag errors
run unknown-flag 1 "unknown flag '-bogus'" -- dump -bogus
run missing-read 1 "-read FILE is required" -- dump -csv
run two-formats 1 "choose one of" -- dump -read x -csv -json
run sep-with-json 1 "-sep applies to -csv only" -- dump -read x -json -sep ';'
run sep-with-quote 1 "-sep must be" -- dump -read x -sep '"'
run bad-n 1 "-n" -- dump -read x -n -3
run help 0 "" -- dump -h
expect help-mentions-table "grep -q 'field: value' '$tmp/out'"

# ----------------------------------------------------- files that are not records
run missing-file 2 "$tmp/does-not-exist.ncap: cannot open" -- dump -read "$tmp/does-not-exist.ncap"
run directory 2 "is a directory" -- dump -read "$tmp"
: >"$tmp/empty.ncap"
run empty-file 2 "$tmp/empty.ncap: empty file" -- dump -read "$tmp/empty.ncap"

if [ ! -x "$TEST_REFLECT" ]; then
    skipped samples "no $TEST_REFLECT (run make unit first); file cases skipped"
    echo "dump: $pass passed, $fail failed, $skip skipped"
    [ "$fail" = 0 ]
    exit
fi
s=$tmp/s
mkdir "$s"
if ! NC_TEST_OUT="$s" "$TEST_REFLECT" >"$tmp/gen.log" 2>&1; then
    bad samples "writing sample files failed: $(head -c 300 "$tmp/gen.log")"
    echo "dump: $pass passed, $fail failed, $skip skipped"
    exit 1
fi

run pcap-file 2 "not a netcap record file" -- dump -read "$s/capture.pcap"
expect pcap-file-hint "grep -q 'pcap' '$tmp/err'"
run garbage-file 2 "$s/garbage.ncap: not a netcap record file" -- dump -read "$s/garbage.ncap"
head -c 100 "$s/dns.ncap.zst" >"$tmp/cut.zst"
run truncated-zstd-header 2 "truncated" -- dump -read "$tmp/cut.zst"

# ------------------------------------------------- corrupt record files
run truncated 2 "$s/trunc.ncap: record 4: truncated" -- dump -read "$s/trunc.ncap" -csv -select id
expect truncated-prints-records-before "[ \"\$(tr '\n' ' ' <'$tmp/out')\" = 'id 1 2 3 ' ]"
run truncated-json 2 "record 4: truncated" -- dump -read "$s/trunc.ncap" -json
expect truncated-json-3-lines "[ \$(wc -l <'$tmp/out') = 3 ]"
run truncated-table 2 "record 4: truncated" -- dump -read "$s/trunc.ncap"
expect truncated-table-4-lines "[ \$(wc -l <'$tmp/out') = 4 ]"
run huge-length 2 "record 2: length 4000000000 exceeds the limit" -- dump -read "$s/huge.ncap" -json
expect huge-length-prints-record-1 "[ \$(wc -l <'$tmp/out') = 1 ]"
cat "$s/dns.ncap.gz" >"$tmp/junk.gz"
printf 'junk after the last member' >>"$tmp/junk.gz"
run gzip-trailing-junk 2 "record 6: corrupt gzip data" -- dump -read "$tmp/junk.gz" -csv
expect gzip-trailing-junk-rows "[ \$(wc -l <'$tmp/out') = 6 ]"

# ------------------------------------------------------------- views
run csv 0 "" -- dump -read "$s/dns.ncap" -csv
cp "$tmp/out" "$tmp/plain.csv"
expect csv-header "head -n 1 '$tmp/plain.csv' | grep -q '^timestamp,id,qr,op_code,'"
expect csv-rows "[ \$(wc -l <'$tmp/plain.csv') = 6 ]"
expect csv-nested "grep -qF '(a.com-1-1)|(b.org-28-1),(a.com-1-1-300-0-01020304-1.2.3.4----(6e73--7-0-0-0-0)---6869|00)' '$tmp/plain.csv'"
run csv-zstd 0 "" -- dump -read "$s/dns.ncap.zst" -csv
expect zstd-same-as-plain "cmp -s '$tmp/out' '$tmp/plain.csv'"
run csv-gzip 0 "" -- dump -read "$s/dns.ncap.gz" -csv
expect gzip-same-as-plain "cmp -s '$tmp/out' '$tmp/plain.csv'"
"$NETCAP" dump -read - -csv <"$s/dns.ncap.zst" >"$tmp/stdin.csv" 2>"$tmp/err"
expect stdin-same-as-file "cmp -s '$tmp/stdin.csv' '$tmp/plain.csv'"
run header-only 0 "" -- dump -read "$s/header-only.ncap" -csv
expect header-only-one-line "[ \$(wc -l <'$tmp/out') = 1 ]"

run select 0 "" -- dump -read "$s/dns.ncap" -csv -select dst_port,id
expect select-order "[ \"\$(head -n 2 '$tmp/out' | tr '\n' ' ')\" = 'dst_port,id 0,1 ' ]"
run select-unknown 1 "unknown field 'nosuch'" -- dump -read "$s/dns.ncap" -select id,nosuch
expect select-unknown-lists-fields "grep -q 'timestamp, id, qr' '$tmp/err' && grep -q 'transport' '$tmp/err'"
run select-camelcase 0 "" -- dump -read "$s/dns.ncap" -csv -select SrcIP,ID
expect select-camelcase-header "head -n 1 '$tmp/out' | grep -qx 'src_ip,id'"

run tsv 0 "" -- dump -read "$s/dns.ncap" -tsv -select id,src_ip
expect tsv-tabs "[ \"\$(sed -n 2p '$tmp/out')\" = \"\$(printf '1\\t192.168.0.1')\" ]"
run sep 0 "" -- dump -read "$s/dns.ncap" -sep ';' -select id,src_ip
expect sep-semicolon "head -n 1 '$tmp/out' | grep -qx 'id;src_ip'"
run struct-seps 0 "" -- dump -read "$s/dns.ncap" -csv -select questions -struct-begin '[' -struct-end ']' -struct-sep : -list-sep ' + '
expect struct-seps-cell "grep -qxF '[a.com:1:1] + [b.org:28:1]' '$tmp/out'"
run limit 0 "" -- dump -read "$s/dns.ncap" -json -n 2
expect limit-2-lines "[ \$(wc -l <'$tmp/out') = 2 ]"

run json 0 "" -- dump -read "$s/dns.ncap.zst" -json
if command -v python3 >/dev/null 2>&1; then
    expect json-valid "python3 -c 'import json,sys
for l in open(sys.argv[1], encoding=\"utf-8\"): json.loads(l)' '$tmp/out'"
    expect csv-columns-match "python3 -c 'import csv,sys
rows=list(csv.reader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
sys.exit(0 if len(rows) == 6 and all(len(r) == len(rows[0]) for r in rows) else 1)' '$tmp/plain.csv'"
else
    skipped json-valid "no python3"
    skipped csv-columns-match "no python3"
fi
expect json-nested "grep -qF '\"questions\":[{\"name\":\"a.com\",\"type\":1,\"class\":1}' '$tmp/out'"

run table 0 "" -- dump -read "$s/dns.ncap"
expect table-header "head -n 1 '$tmp/out' | grep -q '^timestamp  *id  qr '"
expect table-rows "[ \$(wc -l <'$tmp/out') = 6 ]"
expect table-cut-marked "grep -q '…' '$tmp/out'"
COLUMNS=60 "$NETCAP" dump -read "$s/dns.ncap" >"$tmp/out" 2>"$tmp/err"
expect blocks-when-narrow "grep -qx 'record 3' '$tmp/out' && grep -qx '  transport:       udp' '$tmp/out'"

run fields 0 "" -- dump -read "$s/dns.ncap" -fields
expect fields-nested "grep -q '^questions  *repeated DNSQuestion$' '$tmp/out' && grep -q '^  name  *string$' '$tmp/out'"
run header 0 "" -- dump -read "$s/dns.ncap.gz" -header
expect header-lines "grep -q '^input_source: *test.pcap$' '$tmp/out' && grep -q '^type: *NC_DNS$' '$tmp/out' && grep -q '^compression: *gzip$' '$tmp/out'"
run header-json 0 "" -- dump -read "$s/dns.ncap" -header -json
expect header-json-type "grep -qF '\"type\":\"NC_DNS\"' '$tmp/out'"

# A reader that goes away early (| head) ends dump quietly with status 0.
("$NETCAP" dump -read "$s/many.ncap.zst" -csv 2>"$tmp/err"; echo $? >"$tmp/rc") | head -n 2 >/dev/null
expect sigpipe-quiet "[ \"\$(cat '$tmp/rc')\" = 0 ] && [ ! -s '$tmp/err' ]"
("$NETCAP" dump -read "$s/many.ncap.zst" 2>"$tmp/err"; echo $? >"$tmp/rc") | head -n 1 >/dev/null
expect sigpipe-quiet-table "[ \"\$(cat '$tmp/rc')\" = 0 ] && [ ! -s '$tmp/err' ]"
run many 0 "" -- dump -read "$s/many.ncap.zst" -json
expect many-count "[ \$(wc -l <'$tmp/out') = 200000 ]"

echo "dump: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
