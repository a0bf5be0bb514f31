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
expect help-new-flags "for f in -time -utc -where -begin -end -summary -top -k -no-names -struct-begin -struct-end; do grep -q -- \"^  \$f \" '$tmp/out' || exit 1; done"

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


# ------------------------------------------- readable records: real captures
# Record files from examples/loopback.pcap (always) and corpus captures
# (when CORPUS is set): times, filters, the summary and names.
r=$tmp/rec
if ! "$NETCAP" capture -read examples/loopback.pcap -out "$r/lo" -workers 1 -quiet >"$tmp/cap.log" 2>&1; then
    bad capture-loopback "$(head -c 300 "$tmp/cap.log")"
fi
lo=$r/lo
# first record: DNS query at 1795681955.554642000 (2026-11-26T08:32:35.554642Z)
T0=1795681955554642000
for v in table csv tsv json; do
    case $v in table) f="" ;; *) f="-$v" ;; esac
    for mode in utc local unix ns; do
        case $mode in
            utc) want='2026-11-26T08:32:35.554642000Z' ;;
            local) want='2026-11-26T08:32:35.554642000+00:00' ;;
            unix) want='1795681955.554642000' ;;
            ns) want=$T0 ;;
        esac
        run "time-$mode-$v" 0 "" -- dump -read "$lo/DNS.ncap.zst" $f -time $mode -select timestamp,id -n 1
        expect "time-$mode-$v-value" "grep -qF '$want' '$tmp/out'"
    done
done
run time-default-table 0 "" -- dump -read "$lo/DNS.ncap.zst" -select timestamp -n 1
expect time-default-table-utc "sed -n 2p '$tmp/out' | grep -qx '2026-11-26T08:32:35.554642000Z'"
run time-default-csv 0 "" -- dump -read "$lo/DNS.ncap.zst" -csv -select timestamp -n 1
expect time-default-csv-ns "sed -n 2p '$tmp/out' | grep -qx '$T0'"
run time-default-json 0 "" -- dump -read "$lo/DNS.ncap.zst" -json -select timestamp -n 1
expect time-default-json-ns "grep -qx '{\"timestamp\":$T0}' '$tmp/out'"
run time-json-utc-string 0 "" -- dump -read "$lo/DNS.ncap.zst" -json -time utc -select timestamp -n 1
expect time-json-utc-is-string "grep -qx '{\"timestamp\":\"2026-11-26T08:32:35.554642000Z\"}' '$tmp/out'"
run time-utc-flag 0 "" -- dump -read "$lo/DNS.ncap.zst" -csv -utc -select timestamp -n 1
expect time-utc-flag-value "sed -n 2p '$tmp/out' | grep -qx '2026-11-26T08:32:35.554642000Z'"
TZ=XST-5:30 "$NETCAP" dump -read "$lo/DNS.ncap.zst" -time local -select timestamp -n 1 >"$tmp/out" 2>&1
expect time-local-tz "grep -qF '2026-11-26T14:02:35.554642000+05:30' '$tmp/out'"
run time-bad-mode 1 "-time takes utc, local, unix or ns" -- dump -read "$lo/DNS.ncap.zst" -time gmt
run time-utc-conflict 1 "-utc is -time utc" -- dump -read "$lo/DNS.ncap.zst" -utc -time ns
run duration-table 0 "" -- dump -read "$lo/Connection.ncap.zst" -select duration
expect duration-human "grep -qE '^ *[0-9.]+(ns|µs|ms|s)$' '$tmp/out'"
run duration-csv 0 "" -- dump -read "$lo/Connection.ncap.zst" -csv -select duration
expect duration-csv-ns "sed -n 2p '$tmp/out' | grep -qxE '[0-9]+'"

# -where: each operator, CIDRs, regex, and/or/not, names, times
count() { # count FILE EXPR: data rows of dump -csv -where EXPR
    "$NETCAP" dump -read "$1" -csv -select uid -where "$2" 2>"$tmp/err" | tail -n +2 | wc -l | tr -d ' '
}
where() { # where NAME FILE EXPR WANT_ROWS
    got=$(count "$2" "$3")
    if [ "$got" = "$4" ] && [ ! -s "$tmp/err" ]; then ok "$1"; else bad "$1" "-where '$3': $got rows, want $4; $(head -c 200 "$tmp/err")"; fi
}
C=$lo/Connection.ncap.zst
"$NETCAP" dump -read "$C" -csv -select src_ip,dst_port,ip_protocol,application_proto,timestamp_first,num_packets >"$tmp/conn.csv"
# independent counts with awk over the plain CSV
n_all=$(tail -n +2 "$tmp/conn.csv" | wc -l | tr -d ' ')
n_53=$(awk -F, 'NR>1 && $2==53' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_ge1024=$(awk -F, 'NR>1 && $2>=1024' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_lt1024=$(awk -F, 'NR>1 && $2<1024' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_gt53=$(awk -F, 'NR>1 && $2>53' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_le53=$(awk -F, 'NR>1 && $2<=53' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_v4=$(awk -F, 'NR>1 && $1 ~ /^127\./' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_v6=$(awk -F, 'NR>1 && $1 == "::1"' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_tcp=$(awk -F, 'NR>1 && $3==6' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_udp53=$(awk -F, 'NR>1 && $3==17 && $2==53' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_late=$(awk -F, 'NR>1 && $5>=1795681956000000000' "$tmp/conn.csv" | wc -l | tr -d ' ')
n_http=$(awk -F, 'NR>1 && $4 ~ /HTTP/' "$tmp/conn.csv" | wc -l | tr -d ' ')
expect where-counts-sane "[ $n_all -gt 10 ] && [ $n_53 -gt 0 ] && [ $n_v6 -gt 0 ] && [ $n_late -gt 0 ] && [ $n_http -gt 0 ]"
where where-eq "$C" "dst_port=53" "$n_53"
where where-ne "$C" "dst_port!=53" "$((n_all - n_53))"
where where-lt "$C" "dst_port<1024" "$n_lt1024"
where where-gt "$C" "dst_port>53" "$n_gt53"
where where-le "$C" "dst_port<=53" "$n_le53"
where where-ge "$C" "dst_port>=1024" "$n_ge1024"
where where-cidr-v4 "$C" "src_ip=127.0.0.0/8" "$n_v4"
where where-cidr-v4-32 "$C" "src_ip=127.0.0.1/32" "$n_v4"
where where-cidr-v4-0 "$C" "src_ip=0.0.0.0/0" "$n_v4"
where where-cidr-v6 "$C" "src_ip=::/0" "$n_v6"
where where-cidr-v6-128 "$C" "src_ip=::1/128" "$n_v6"
where where-cidr-miss "$C" "src_ip=10.0.0.0/8" 0
where where-name "$C" "ip_protocol=TCP" "$n_tcp"
where where-name-column "$C" "ip_protocol_name=TCP" "$n_tcp"
where where-substring "$C" "application_proto~TTP" "$n_http"
where where-regex "$C" "application_proto~/^H.*P\$/" "$n_http"
where where-not-regex "$C" "application_proto!~/HTTP/" "$((n_all - n_http))"
where where-and "$C" "ip_protocol=UDP and dst_port=53" "$n_udp53"
where where-or "$C" "src_ip=::1 or src_ip=127.0.0.0/8" "$n_all"
where where-not-parens "$C" "not (src_ip=::1 or dst_port=53)" "$(awk -F, 'NR>1 && $1!="::1" && $2!=53' "$tmp/conn.csv" | wc -l | tr -d ' ')"
where where-time-rfc3339 "$C" "timestamp_first>=2026-11-26T08:32:36Z" "$n_late"
where where-time-seconds "$C" "timestamp_first>=1795681956" "$n_late"
D=$lo/DNS.ncap.zst
n_aaaa=$("$NETCAP" dump -read "$D" -json | grep -c '"questions":\[{"name":"[^"]*","type":28,')
expect dns-has-aaaa "[ $n_aaaa -gt 0 ]"
where where-rcode-name "$D" "response_code=NXDOMAIN" "$("$NETCAP" dump -read "$D" -csv -select response_code | grep -cx 3)"
run where-bad-field 1 "unknown field (fields of Connection: timestamp_first," -- dump -read "$C" -where 'srcip=1'
expect where-bad-field-points "grep -qF \"column 1 'srcip'\" '$tmp/err'"
run where-bad-op 1 "column 9 (the end): expected =" -- dump -read "$C" -where 'dst_port'
run where-bad-value 1 "column 10 'eighty': 'dst_port' is a number" -- dump -read "$C" -where 'dst_port=eighty'
run where-bad-join 1 "expected 'and', 'or' or the end" -- dump -read "$C" -where 'dst_port=1 src_port=2'
run where-bad-paren 1 "expected ')'" -- dump -read "$C" -where '(dst_port=1'
run where-bad-regex 1 "bad regex" -- dump -read "$C" -where 'uid~/(/'
run where-bad-time 1 "no such date" -- dump -read "$C" -where 'timestamp_first>2026-02-30'
run where-time-no-zone 1 "lacks its zone" -- dump -read "$C" -where 'timestamp_first>2026-11-26T08:32:36'
run where-bad-name 1 "a number or a known name" -- dump -read "$C" -where 'ip_protocol=NOPE'
run where-empty 1 "empty expression" -- dump -read "$C" -where ''

# -begin / -end (begin inclusive, end exclusive) and -n after the filter
where begin-end-none "$C" "timestamp_first<0" 0
"$NETCAP" dump -read "$C" -csv -select uid -begin 2026-11-26T08:32:36Z >"$tmp/out" 2>"$tmp/err"
expect begin-rfc3339 "[ \$(tail -n +2 '$tmp/out' | wc -l) = $n_late ]"
"$NETCAP" dump -read "$C" -csv -select uid -end 1795681956 >"$tmp/out" 2>"$tmp/err"
expect end-seconds "[ \$(tail -n +2 '$tmp/out' | wc -l) = $((n_all - n_late)) ]"
"$NETCAP" dump -read "$C" -csv -select uid -begin $T0 -end $((T0 + 1)) >"$tmp/out" 2>"$tmp/err"
expect begin-end-ns-one "[ \$(tail -n +2 '$tmp/out' | wc -l) = 1 ]"
run begin-bad 1 "-begin 'soon'" -- dump -read "$C" -begin soon
run begin-no-zone 1 "lacks its zone" -- dump -read "$C" -begin 2026-11-26T08:32:36
run end-eleven-digits-is-ns 0 "" -- dump -read "$C" -csv -select uid -end 17956819560
expect end-eleven-digits-is-ns-empty "[ \$(tail -n +2 '$tmp/out' | wc -l) = 0 ]"
run n-after-where 0 "" -- dump -read "$C" -csv -select dst_port -where 'dst_port=53' -n 2
expect n-after-where-rows "[ \"\$(tail -n +2 '$tmp/out' | tr '\n' ' ')\" = '53 53 ' ]"
run n-after-begin 0 "" -- dump -read "$C" -csv -select timestamp_first -begin 1795681956 -n 1
expect n-after-begin-row "[ \$(sed -n 2p '$tmp/out') -ge 1795681956000000000 ]"

# names: the table shows them, CSV/JSON keep the numbers and add _name
run names-table 0 "" -- dump -read "$D" -select questions,response_code
expect names-table-aaaa "grep -qF -- '-AAAA-IN)' '$tmp/out' && grep -q NXDOMAIN '$tmp/out'"
run names-csv 0 "" -- dump -read "$D" -csv
expect names-csv-numbers "grep -qF -- '-28-1)' '$tmp/out' && ! grep -qF -- '-AAAA-' '$tmp/out'"
expect names-csv-columns "head -n 1 '$tmp/out' | grep -q ',op_code,op_code_name,' && head -n 1 '$tmp/out' | grep -q ',response_code,response_code_name,'"
expect names-csv-nxdomain "grep -q ',3,NXDOMAIN,' '$tmp/out'"
run names-json 0 "" -- dump -read "$D" -json -n 1
expect names-json-key "grep -qF '\"response_code\":0,\"response_code_name\":\"NOERROR\"' '$tmp/out'"
run names-select 0 "" -- dump -read "$lo/ICMPv6.ncap.zst" -csv -select type_name,type -n 1
expect names-select-row "sed -n 2p '$tmp/out' | grep -qx 'EchoRequest,128'"
run names-off 0 "" -- dump -read "$D" -csv -no-names
expect names-off-no-column "! head -n 1 '$tmp/out' | grep -q _name"
run names-off-table 0 "" -- dump -read "$lo/IPv4.ncap.zst" -no-names -select protocol -n 1
expect names-off-table-number "sed -n 2p '$tmp/out' | grep -qxE ' *(6|17|1)'"
run names-ip-proto 0 "" -- dump -read "$lo/IPv4.ncap.zst" -select protocol
expect names-ip-proto-udp "grep -qx 'UDP *' '$tmp/out' && grep -qx 'TCP *' '$tmp/out'"
run names-ethertype 0 "" -- dump -read "$lo/Ethernet.ncap.zst" -csv -select ethernet_type,ethernet_type_name -n 1
expect names-ethertype-row "sed -n 2p '$tmp/out' | grep -qxE '(2048,IPv4|34525,IPv6)'"

# -summary: counts checked against an awk recount of dump -csv
run summary 0 "" -- dump -read "$C" -summary -top src_ip,dst_port -top ip_protocol -k 3
cp "$tmp/out" "$tmp/summary"
expect summary-records "grep -qx 'records   $n_all' '$tmp/summary'"
expect summary-first "grep -qx 'first     2026-11-26T08:32:35.554642000Z' '$tmp/summary'"
top_port=$(awk -F, 'NR>1 {c[$2]++} END {for (k in c) print c[k], k}' "$tmp/conn.csv" | sort -k1,1nr -k2,2 | head -n 1)
expect summary-top-port "awk '/^dst_port:/ {f=1; next} f && \$2 != \"share\" {print \$1, \$3; exit}' '$tmp/summary' | grep -qx '$top_port'"
expect summary-v4-count "grep -qE '^ +$n_v4 +[0-9.]+%  127\\.0\\.0\\.1\$' '$tmp/summary'"
expect summary-tcp-name "grep -qE '^ +$n_tcp +[0-9.]+%  TCP\$' '$tmp/summary'"
expect summary-k-others "grep -q 'other value' '$tmp/summary'"
run summary-where 0 "" -- dump -read "$C" -summary -where 'dst_port=53' -top dst_port
expect summary-where-count "grep -qx 'records   $n_53' '$tmp/out' && grep -qE '^ +$n_53 +100\\.0%  53\$' '$tmp/out'"
run summary-n 0 "" -- dump -read "$C" -summary -n 3
expect summary-n-count "grep -qx 'records   3' '$tmp/out'"
run summary-bad-top 1 "-top: unknown field 'nosuch'" -- dump -read "$C" -summary -top nosuch
run summary-csv 1 "-summary is a view of its own" -- dump -read "$C" -summary -csv
run top-without-summary 1 "-top goes with -summary" -- dump -read "$C" -top src_ip
run summary-empty 0 "" -- dump -read "$C" -summary -where 'dst_port<0' -top src_ip
expect summary-empty-zero "grep -qx 'records   0' '$tmp/out'"
if command -v python3 >/dev/null 2>&1; then
    "$NETCAP" dump -read "$C" -csv -select src_ip,dst_port >"$tmp/c2.csv"
    "$NETCAP" dump -read "$C" -summary -top src_ip,dst_port -k 100 >"$tmp/s2" 2>&1
    expect summary-python-recount "python3 - '$tmp/c2.csv' '$tmp/s2' <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
want = {f: collections.Counter(r[f] for r in rows) for f in ('src_ip', 'dst_port')}
got, cur = {}, None
for line in open(sys.argv[2], encoding='utf-8'):
    if line.endswith(' distinct values\n') or line.endswith(' distinct value\n'):
        cur = line.split(':')[0]; got[cur] = collections.Counter(); continue
    p = line.split()
    if cur and len(p) == 3 and p[0].isdigit():
        got[cur][p[2]] = int(p[0])
sys.exit(0 if got == want else 1)
PY"
fi

# corpus captures: HTTP and DNS over the real thing
if [ -n "${CORPUS:-}" ] && [ -d "$CORPUS/zeek-http-get" ]; then
    "$NETCAP" capture -read "$CORPUS"/zeek-http-get/zeek-http-get.pcap -out "$r/http" -workers 1 -quiet >/dev/null 2>&1
    run corpus-http-table 0 "" -- dump -read "$r/http/HTTP.ncap.zst" -select timestamp,done_after,host
    expect corpus-http-times "sed -n 2p '$tmp/out' | grep -qE '^2013-03-07T21:42:06\\.[0-9]{9}Z +[0-9.]+(ms|s|µs) '"
    where corpus-http-host "$r/http/HTTP.ncap.zst" "host~/^bro\\./" 1
    where corpus-conn-cidr "$r/http/Connection.ncap.zst" "src_ip=141.142.0.0/16 and dst_port=80" 1
    "$NETCAP" capture -read "$CORPUS"/arkime-dns-udp/arkime-dns-udp.pcap -out "$r/dns" -workers 1 -quiet >/dev/null 2>&1
    run corpus-dns-summary 0 "" -- dump -read "$r/dns/DNS.ncap.zst" -summary -top response_code -time unix
    expect corpus-dns-summary-first "grep -qx 'first     1385400647.217572000' '$tmp/out'"
    where corpus-dns-rcode "$r/dns/DNS.ncap.zst" "response_code=NOERROR" "$("$NETCAP" dump -read "$r/dns/DNS.ncap.zst" -csv -select response_code | grep -cx 0)"
else
    skipped corpus-dump "no CORPUS"
fi

echo "dump: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
