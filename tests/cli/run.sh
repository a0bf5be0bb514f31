#!/bin/sh
# Command-line behaviour: every bad input gets a one-line error that names
# the problem and a non-zero exit status, and leaves nothing half-written;
# truncated and corrupt captures (status 2), a file read stopped by SIGINT or
# SIGTERM (130, 143); -h, version, flag spellings, compressions, file names
# per -format, header-only files for -include, files of an earlier run.
#   tests/cli/run.sh            (NETCAP=path/to/netcap, default build/netcap)
# Needs python3 for the capture surgery (tests/cli/pcaptool.py); without it
# those cases SKIP. CORPUS adds a few corpus-based cases when set.
set -u
suite=cli
. "$(dirname "$0")/../lib.sh"
EXAMPLE=$root/examples/loopback.pcap
TOOL=$here/pcaptool.py
PY=""
command -v python3 >/dev/null 2>&1 && PY=python3

require_netcap

# nc ARGS...: run netcap; exit status in $rc, output in $tmp/out, $tmp/err
nc() {
    "$NETCAP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# Checks shared by every case; print the reason of the first failure.
sanitizer_report() {
    grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"
}
crashed() { # rc
    [ "$1" -gt 2 ] # 0, 1 and 2 are the documented statuses; >2 is a signal or abort
}                  # (130 and 143, the interrupted file read, are tested on their own)
partials() { # dir: names of *.partial files left behind
    [ -d "$1" ] && find "$1" -name '*.partial' | head -n 3 | tr '\n' ' '
}
files_in() { # dir: number of regular files
    if [ -d "$1" ]; then find "$1" -type f | wc -l | tr -d ' '; else echo 0; fi
}

# expect_error NAME STATUS REGEX OUTDIR ARGS...: netcap ARGS must exit with
# STATUS, print exactly one line on stderr matching REGEX (grep -E), nothing on
# stdout, and leave no file at all in OUTDIR ("-" for none).
expect_error() {
    name=$1; want=$2; re=$3; out=$4; shift 4
    nc "$@"
    why=""
    if sanitizer_report "$tmp/err"; then why="sanitizer report"
    elif crashed "$rc"; then why="crashed (status $rc)"
    elif [ "$rc" != "$want" ]; then why="exit status $rc, want $want"
    elif [ "$(wc -l <"$tmp/err" | tr -d ' ')" != 1 ]; then
        why="stderr has $(wc -l <"$tmp/err" | tr -d ' ') lines, want 1"
    elif ! grep -qE -e "$re" "$tmp/err"; then why="stderr does not match /$re/"
    elif [ -s "$tmp/out" ]; then why="unexpected stdout"
    elif [ "$out" != - ] && [ "$(files_in "$out")" != 0 ]; then
        why="left files in the output directory: $(find "$out" -type f | head -n 3 | tr '\n' ' ')"
    fi
    if [ -n "$why" ]; then
        bad "$name" "$why; stderr: $(head -n 1 "$tmp/err"); command: netcap $*"
    else
        ok "$name"
    fi
}

# all_readable DIR: every file in DIR is a complete record file (dump exits 0)
all_readable() {
    for f in "$1"/*; do
        [ -f "$f" ] || continue
        if ! "$NETCAP" dump -read "$f" -csv >/dev/null 2>"$tmp/dump.err"; then
            echo "dump of $(basename "$f") failed: $(head -n 1 "$tmp/dump.err")"
            return 1
        fi
    done
    return 0
}

# records DIR TYPE: number of records in DIR/TYPE.* (0 if no file)
records() {
    f=$(ls "$1/$2".* 2>/dev/null | head -n 1)
    if [ -z "$f" ]; then echo 0; return; fi
    "$NETCAP" dump -read "$f" -csv 2>/dev/null | tail -n +2 | wc -l | tr -d ' '
}

o=$tmp/o   # output directory of the current case (fresh for each)
fresh() { rm -rf "$o"; }

# ------------------------------------------------------------- bad input files
echo "this is a text file, not a capture; it is long enough to hold a pcap header" >"$tmp/text.txt"
: >"$tmp/empty.pcap"
printf 'ab' >"$tmp/short.pcap"

fresh; expect_error missing-file 2 "$tmp/nonexistent.pcap: .*(No such file|not found|cannot open)" "$o" \
    capture -read "$tmp/nonexistent.pcap" -out "$o" -quiet
fresh; expect_error text-file 2 "text.txt: not a pcap or pcapng" "$o" \
    capture -read "$tmp/text.txt" -out "$o" -quiet
fresh; expect_error empty-file 2 "empty.pcap: .*(empty|not a pcap)" "$o" \
    capture -read "$tmp/empty.pcap" -out "$o" -quiet
fresh; expect_error two-byte-file 2 "short.pcap: .*not a pcap or pcapng" "$o" \
    capture -read "$tmp/short.pcap" -out "$o" -quiet
mkdir -p "$tmp/adir"
fresh; expect_error directory-as-input 2 "adir" "$o" \
    capture -read "$tmp/adir" -out "$o" -quiet

# ------------------------------------------------------ bad output directories
echo x >"$tmp/regular"
expect_error out-under-regular-file 2 "regular/sub" - \
    capture -read "$EXAMPLE" -out "$tmp/regular/sub" -quiet
expect_error out-is-regular-file 2 "regular.*(not a directory|Not a directory|File exists)" - \
    capture -read "$EXAMPLE" -out "$tmp/regular" -quiet
expect_error out-in-proc 2 "/proc/netcap-test-x" - \
    capture -read "$EXAMPLE" -out /proc/netcap-test-x -quiet
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$tmp/ro"; chmod 555 "$tmp/ro"
    expect_error out-read-only 2 "ro" "$tmp/ro" capture -read "$EXAMPLE" -out "$tmp/ro" -quiet
    chmod 755 "$tmp/ro"
else
    skp out-read-only "running as root (permissions do not stop root; see out-in-proc)"
fi
# a write error half-way (file size limit; SIGXFSZ ignored so write() fails)
fresh
sh -c "trap '' XFSZ; ulimit -f 2; exec \"\$0\" \"\$@\"" "$NETCAP" capture -read "$EXAMPLE" \
    -out "$o" -quiet -compress none -workers 2 >"$tmp/out" 2>"$tmp/err"
rc=$?
if sanitizer_report "$tmp/err" || crashed "$rc"; then
    bad write-error "crashed or sanitizer report (status $rc): $(head -n 1 "$tmp/err")"
elif [ "$rc" != 2 ]; then
    bad write-error "exit status $rc, want 2 (file size limit 1 KiB, -compress none)"
elif [ -n "$(partials "$o")" ]; then
    bad write-error "left *.partial files: $(partials "$o")"
elif ! msg=$(all_readable "$o"); then
    bad write-error "a file left behind is not complete: $msg"
else
    ok write-error
fi

# ----------------------------------------------------------------- bad flags
expect_error include-unknown-type 1 "-include.*Foo.*valid types:.*Connection.*DNS" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -include TCP,Foo -quiet
expect_error exclude-unknown-type 1 "-exclude.*Bar.*valid types:.*Ethernet.*ICMPv6RouterSolicitation" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -exclude Bar -quiet
expect_error unknown-flag 1 "unknown flag '?-bogus" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -bogus -quiet
expect_error unknown-flag-dump 1 "unknown flag '?--bogus" - dump --bogus -read x
expect_error missing-flag-value 1 "-out needs a value" - capture -read "$EXAMPLE" -out
expect_error missing-flag-value-read 1 "-read needs a value" - capture -out "$tmp/o-x" -read
expect_error read-and-iface 1 "exactly one of -read .* -iface" - \
    capture -read "$EXAMPLE" -iface lo -out "$tmp/o-x" -quiet
expect_error neither-read-nor-iface 1 "exactly one of -read .* -iface" - \
    capture -out "$tmp/o-x" -quiet
expect_error bad-compress 1 "-compress.*lz4.*(zstd|gzip|none)" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -compress lz4 -quiet
expect_error bad-conn-timeout-word 1 "-conn-timeout.*abc" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -conn-timeout abc -quiet
expect_error bad-conn-timeout-zero 1 "-conn-timeout.*'0'" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -conn-timeout 0 -quiet
expect_error bad-conn-timeout-negative 1 "-conn-timeout.*-5s" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -conn-timeout -5s -quiet
expect_error bad-conn-timeout-unit 1 "-conn-timeout.*5x" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -conn-timeout 5x -quiet
expect_error bad-workers-word 1 "-workers.*abc" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -workers abc -quiet
expect_error bad-workers-zero 1 "-workers.*0" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -workers 0 -quiet
expect_error bad-format 1 "-format.*xml" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -format xml -quiet
expect_error bad-bool-value 1 "-quiet.*maybe" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -quiet=maybe
expect_error stray-argument 1 "unexpected argument 'extra'" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -quiet extra
expect_error bad-bpf 1 "-bpf" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -bpf 'tcp port (' -quiet
expect_error unknown-command 1 "unknown command 'frobnicate'" - frobnicate
expect_error gzip-level-above-9 1 "-level 15: gzip levels are 1 to 9" - \
    capture -read "$EXAMPLE" -out "$tmp/o-x" -compress gzip -level 15 -quiet
# none of the flag errors above may have created files
if [ "$(files_in "$tmp/o-x")" != 0 ]; then
    bad flag-errors-write-nothing "files in $tmp/o-x after flag errors"
else
    ok flag-errors-write-nothing
fi

# -------------------------------------------------------------- dump errors
expect_error dump-missing-file 2 "nonexistent.ncap.zst" - dump -read "$tmp/nonexistent.ncap.zst"
expect_error dump-not-a-record-file 2 "text.txt: .*not a netcap record file" - dump -read "$tmp/text.txt"
expect_error dump-a-capture 2 "not a netcap record file" - dump -read "$EXAMPLE"
expect_error dump-no-read 1 "-read" - dump -csv

# ------------------------------------------------------------------ -h, version
for args in "-h" "--help" "capture -h" "capture --help" "dump -h" "dump --help"; do
    # shellcheck disable=SC2086
    nc $args
    if crashed "$rc" || [ "$rc" != 0 ]; then bad "help: netcap $args" "exit status $rc, want 0"
    elif ! grep -q "usage: netcap" "$tmp/out"; then bad "help: netcap $args" "no 'usage: netcap' on stdout"
    elif [ -s "$tmp/err" ]; then bad "help: netcap $args" "stderr: $(head -n 1 "$tmp/err")"
    else ok "help: netcap $args"; fi
done
nc capture -h
if grep -q -- "-read FILE" "$tmp/out" && grep -q -- "-compress" "$tmp/out" && grep -q -- "-include" "$tmp/out"; then
    ok help-capture-lists-flags
else
    bad help-capture-lists-flags "capture -h does not list -read, -compress and -include"
fi
nc version
if [ "$rc" = 0 ] && grep -qE '^netcap [^ ]+' "$tmp/out" && [ "$(wc -l <"$tmp/out" | tr -d ' ')" = 1 ]; then
    ok version
else
    bad version "exit status $rc, stdout: $(head -n 1 "$tmp/out")"
fi

# ------------------------------------------------------------ flag spellings
spell_ok=1
for form in single double equals; do
    d=$tmp/spell-$form; rm -rf "$d"
    case $form in
    single) nc capture -read "$EXAMPLE" -out "$d" -workers 2 -quiet ;;
    double) nc capture --read "$EXAMPLE" --out "$d" --workers 2 --quiet ;;
    equals) nc capture --read="$EXAMPLE" --out="$d" --workers=2 --quiet=true ;;
    esac
    if [ "$rc" != 0 ]; then
        bad "flag-spelling-$form" "exit status $rc: $(head -n 1 "$tmp/err")"; spell_ok=0
    elif [ "$(files_in "$d")" = 0 ]; then
        bad "flag-spelling-$form" "no record files written"; spell_ok=0
    elif [ -s "$tmp/err" ]; then
        bad "flag-spelling-$form" "-quiet run printed on stderr: $(head -n 1 "$tmp/err")"; spell_ok=0
    fi
done
if [ "$spell_ok" = 1 ]; then
    if diff -r "$tmp/spell-single" "$tmp/spell-double" >/dev/null \
        && diff -r "$tmp/spell-single" "$tmp/spell-equals" >/dev/null; then
        ok "flag-spellings (-read, --read, --read=) give identical files"
    else
        bad flag-spellings "-read / --read / --read= runs differ (diff -r $tmp/spell-*)"
    fi
fi

# ------------------------------------------------------------------ -include
fresh; nc capture -read "$EXAMPLE" -out "$o" -include DNS,UDP -quiet
got=$(cd "$o" 2>/dev/null && ls | tr '\n' ' ')
if [ "$rc" = 0 ] && [ "$got" = "DNS.ncap.zst UDP.ncap.zst " ]; then ok include-only-those
else bad include-only-those "status $rc, files: $got (want DNS.ncap.zst UDP.ncap.zst)"; fi
fresh; nc capture -read "$EXAMPLE" -out "$o" -exclude Ethernet,Connection -quiet
if [ "$rc" = 0 ] && [ ! -e "$o/Ethernet.ncap.zst" ] && [ ! -e "$o/Connection.ncap.zst" ] \
    && [ -e "$o/DNS.ncap.zst" ]; then ok exclude-drops-those
else bad exclude-drops-those "status $rc, files: $(cd "$o" 2>/dev/null && ls | tr '\n' ' ')"; fi

# --------------------------------------------------------------- compressions
for c in zstd gzip none; do
    rm -rf "$tmp/c-$c"
    nc capture -read "$EXAMPLE" -out "$tmp/c-$c" -compress $c -workers 2 -quiet
    if [ "$rc" != 0 ]; then bad "compress-$c" "exit status $rc: $(head -n 1 "$tmp/err")"; fi
done
cmp_ok=1
for f in "$tmp/c-zstd"/*.ncap.zst; do
    t=$(basename "$f" .ncap.zst)
    "$NETCAP" dump -read "$f" -csv >"$tmp/z.csv" 2>/dev/null
    for c in gzip:ncap.gz none:ncap; do
        kind=${c%%:*}; ext=${c#*:}
        g="$tmp/c-$kind/$t.$ext"
        if [ ! -f "$g" ]; then
            bad "compress-$kind" "$t.$ext missing (zstd run wrote $t.ncap.zst)"; cmp_ok=0; continue
        fi
        if ! "$NETCAP" dump -read "$g" -csv >"$tmp/g.csv" 2>"$tmp/err"; then
            bad "compress-$kind" "dump of $t.$ext failed: $(head -n 1 "$tmp/err")"; cmp_ok=0
        elif ! cmp -s "$tmp/z.csv" "$tmp/g.csv"; then
            bad "compress-$kind" "$t.$ext holds other records than $t.ncap.zst"; cmp_ok=0
        fi
    done
done
nz=$(files_in "$tmp/c-zstd"); ng=$(files_in "$tmp/c-gzip"); nn=$(files_in "$tmp/c-none")
if [ "$nz" != "$ng" ] || [ "$nz" != "$nn" ]; then
    bad compress-same-files "zstd wrote $nz files, gzip $ng, none $nn"; cmp_ok=0
fi
if command -v gzip >/dev/null 2>&1; then
    for g in "$tmp/c-gzip"/*.gz; do
        gzip -t "$g" 2>/dev/null || { bad compress-gzip "$(basename "$g") is not valid gzip"; cmp_ok=0; }
    done
fi
if command -v zstd >/dev/null 2>&1; then
    for z in "$tmp/c-zstd"/*.zst; do
        zstd -q -t "$z" 2>/dev/null || { bad compress-zstd "$(basename "$z") is not valid zstd"; cmp_ok=0; }
    done
fi
[ "$cmp_ok" = 1 ] && ok "compressions (zstd, gzip, none: same records, valid containers)"

# ----------------------------------------------- truncated and corrupt captures
# truncated CAPTURE CUT NAME [N [OFFSET]]: capture a copy of CAPTURE without
# its last CUT bytes; want exit 2 (an input error, as dump gives for a cut
# record file), one line "input truncated after packet N (byte offset O)"
# with the number of complete packets and where the cut one starts (when
# they can be computed), every file readable, no *.partial.
truncated() {
    cap=$1; cut=$2; name=$3; want_n=${4:-}; want_off=${5:-}
    size=$(wc -c <"$cap" | tr -d ' ')
    head -c $((size - cut)) "$cap" >"$tmp/trunc.cap"
    if [ -z "$want_n" ] && [ -n "$PY" ]; then
        want_n=$($PY "$TOOL" count "$tmp/trunc.cap" 2>/dev/null)
        want_off=$($PY "$TOOL" end "$tmp/trunc.cap" 2>/dev/null)
    fi
    fresh; nc capture -read "$tmp/trunc.cap" -out "$o" -workers 2 -quiet
    if sanitizer_report "$tmp/err" || crashed "$rc"; then
        bad "$name" "crashed or sanitizer report (status $rc): $(head -n 1 "$tmp/err")"
    elif [ "$rc" != 2 ]; then
        bad "$name" "exit status $rc, want 2: $(head -n 1 "$tmp/err")"
    elif [ "$(wc -l <"$tmp/err" | tr -d ' ')" != 1 ]; then
        bad "$name" "stderr has $(wc -l <"$tmp/err" | tr -d ' ') lines with -quiet, want 1"
    elif ! grep -qE "trunc.cap: input truncated after packet ${want_n:-[0-9]+} \(byte offset ${want_off:-[0-9]+}\)" "$tmp/err"; then
        bad "$name" "no 'input truncated after packet ${want_n:-N} (byte offset ${want_off:-O})': $(head -n 1 "$tmp/err")"
    elif [ -n "$(partials "$o")" ]; then
        bad "$name" "left *.partial files: $(partials "$o")"
    elif ! msg=$(all_readable "$o"); then
        bad "$name" "$msg"
    elif [ -n "$want_n" ] && [ "$(records "$o" Ethernet)" != "$want_n" ]; then
        bad "$name" "$(records "$o" Ethernet) Ethernet records, want $want_n (one per complete packet)"
    else
        ok "$name"
    fi
}
truncated "$EXAMPLE" 50 truncated-mid-packet
if [ -n "$PY" ]; then
    # cut inside the 16-byte record header of packet 2: 1 complete packet
    first=$($PY -c "import struct,sys;d=open(sys.argv[1],'rb').read();print(24+16+struct.unpack_from('<I',d,32)[0])" "$EXAMPLE")
    size=$(wc -c <"$EXAMPLE" | tr -d ' ')
    truncated "$EXAMPLE" $((size - first - 7)) truncated-mid-record-header 1 "$first"
    # cut exactly at a packet boundary: a complete file of 1 packet, no warning
    head -c "$first" "$EXAMPLE" >"$tmp/one.pcap"
    fresh; nc capture -read "$tmp/one.pcap" -out "$o" -quiet
    if [ "$rc" = 0 ] && ! grep -q truncated "$tmp/err" && [ "$(records "$o" Ethernet)" = 1 ]; then
        ok cut-at-packet-boundary-is-not-truncated
    else
        bad cut-at-packet-boundary-is-not-truncated "status $rc, stderr: $(head -n 1 "$tmp/err"), $(records "$o" Ethernet) Ethernet records"
    fi
    $PY "$TOOL" topcapng "$EXAMPLE" "$tmp/example.pcapng"
    truncated "$tmp/example.pcapng" 50 truncated-pcapng-mid-block 109
    # without -quiet the summary says it too, and the last line gives the reason
    head -c $(($(wc -c <"$EXAMPLE") - 50)) "$EXAMPLE" >"$tmp/trunc.cap"
    fresh; nc capture -read "$tmp/trunc.cap" -out "$o" -workers 2
    if [ "$rc" = 2 ] && grep -qE "^  input truncated after packet 109 \(byte offset [0-9]+\)" "$tmp/err" \
        && grep -q "records written" "$tmp/err" && tail -n 1 "$tmp/err" | grep -q "input truncated"; then
        ok truncated-summary-line
    else
        bad truncated-summary-line "status $rc; stderr: $(grep -m1 truncated "$tmp/err")"
    fi
else
    skp truncated-mid-record-header "no python3"
    skp cut-at-packet-boundary-is-not-truncated "no python3"
    skp truncated-pcapng-mid-block "no python3"
    skp truncated-summary-line "no python3"
fi
if [ -n "$CORPUS" ] && [ -f "$CORPUS/zeek-http-get/zeek-http-get.pcap" ]; then
    truncated "$CORPUS/zeek-http-get/zeek-http-get.pcap" 100 truncated-corpus-http-get
else
    skp truncated-corpus-http-get "needs the corpus"
fi
# header only: a valid pcap with no packets is not an error
head -c 24 "$EXAMPLE" >"$tmp/header-only.pcap"
fresh; nc capture -read "$tmp/header-only.pcap" -out "$o" -quiet
if [ "$rc" = 0 ] && [ -z "$(partials "$o")" ] && all_readable "$o" >/dev/null; then
    ok header-only-pcap
else
    bad header-only-pcap "status $rc: $(head -n 1 "$tmp/err")"
fi
# a 10-byte pcap: the file header itself is cut
head -c 10 "$EXAMPLE" >"$tmp/cut-header.pcap"
fresh; expect_error cut-file-header 2 "cut-header.pcap" "$o" \
    capture -read "$tmp/cut-header.pcap" -out "$o" -quiet

# corrupt CAPTURE NAME: packet 51 is damaged; want an error (status 2) that
# says "corrupt", and complete, readable files with the 50 packets before it.
corrupt() {
    cap=$1; name=$2
    fresh; nc capture -read "$cap" -out "$o" -workers 2 -quiet
    if sanitizer_report "$tmp/err" || crashed "$rc"; then
        bad "$name" "crashed or sanitizer report (status $rc): $(head -n 1 "$tmp/err")"
    elif [ "$rc" != 2 ]; then
        bad "$name" "exit status $rc, want 2"
    elif ! grep -qi "corrupt" "$tmp/err"; then
        bad "$name" "no 'corrupt' in the error: $(head -n 1 "$tmp/err")"
    elif [ "$(wc -l <"$tmp/err" | tr -d ' ')" != 1 ]; then
        bad "$name" "stderr has $(wc -l <"$tmp/err" | tr -d ' ') lines with -quiet, want 1"
    elif [ -n "$(partials "$o")" ]; then
        bad "$name" "left *.partial files: $(partials "$o")"
    elif ! msg=$(all_readable "$o"); then
        bad "$name" "$msg"
    elif [ "$(records "$o" Ethernet)" != 50 ]; then
        bad "$name" "$(records "$o" Ethernet) Ethernet records, want the 50 packets before the damage"
    else
        ok "$name"
    fi
}
if [ -n "$PY" ]; then
    $PY "$TOOL" corrupt "$EXAMPLE" "$tmp/corrupt.pcap" 51
    corrupt "$tmp/corrupt.pcap" corrupt-huge-caplen
    $PY "$TOOL" corruptng "$EXAMPLE" "$tmp/corrupt.pcapng" 51
    corrupt "$tmp/corrupt.pcapng" corrupt-pcapng-huge-block
    # same packets as pcap and as pcapng, each in both byte orders: same records
    $PY "$TOOL" topcapng "$EXAMPLE" "$tmp/example-be.pcapng" big
    $PY "$TOOL" tobig "$EXAMPLE" "$tmp/example-be.pcap"
    rm -rf "$tmp/as-pcap"
    "$NETCAP" capture -read "$EXAMPLE" -out "$tmp/as-pcap" -quiet 2>/dev/null
    for v in pcapng:example.pcapng pcapng-big-endian:example-be.pcapng pcap-big-endian:example-be.pcap; do
        name=${v%%:*}; file=${v#*:}
        rm -rf "$tmp/as-other"
        "$NETCAP" capture -read "$tmp/$file" -out "$tmp/as-other" -quiet 2>/dev/null
        same=1
        for f in "$tmp/as-pcap"/*; do
            b=$(basename "$f")
            if [ ! -f "$tmp/as-other/$b" ] || ! "$NETCAP" dump -read "$f" -csv >"$tmp/a.csv" 2>/dev/null \
                || ! "$NETCAP" dump -read "$tmp/as-other/$b" -csv >"$tmp/b.csv" 2>/dev/null \
                || ! cmp -s "$tmp/a.csv" "$tmp/b.csv"; then
                same=0; bad "pcap-vs-$name" "$b differs between the pcap and its $name copy"; break
            fi
        done
        [ "$same" = 1 ] && ok "pcap-vs-$name"
    done
else
    skp corrupt-huge-caplen "no python3"
    skp corrupt-pcapng-huge-block "no python3"
    skp pcap-vs-pcapng "no python3"
    skp pcap-vs-pcapng-big-endian "no python3"
    skp pcap-vs-pcap-big-endian "no python3"
fi

# ------------------------------------------------------ interrupted file reads
# A file read stopped by SIGINT or SIGTERM is not a complete result: the
# packets read so far are processed to the end, every file is complete
# (util check), the summary and the last line say "interrupted by SIGx after
# packet N (byte offset O)", and the status is 128 + the signal (130, 143).
# (Live capture stopped this way exits 0: tests/live.)
# interrupt_check NAME SIG STATUS N: the verdict on the run just done
interrupt_check() {
    name=$1; sig=$2; want=$3; n=$4
    if sanitizer_report "$tmp/err"; then
        bad "$name" "sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$tmp/err")"
    elif [ "$rc" != "$want" ]; then
        bad "$name" "exit status $rc after SIG$sig, want $want: $(tail -n 1 "$tmp/err")"
    elif ! grep -qE "^  interrupted by SIG$sig after packet $n \(byte offset [0-9]+\)" "$tmp/err"; then
        bad "$name" "no summary line 'interrupted by SIG$sig after packet $n (byte offset O)'"
    elif ! tail -n 1 "$tmp/err" | grep -q "interrupted by SIG$sig after packet $n "; then
        bad "$name" "last line does not say interrupted: $(tail -n 1 "$tmp/err")"
    elif [ -n "$(partials "$o")" ]; then
        bad "$name" "left *.partial files: $(partials "$o")"
    elif ! "$NETCAP" util check "$o" >"$tmp/check" 2>&1; then
        bad "$name" "util check: $(grep -m1 BAD "$tmp/check")"
    elif [ "$(records "$o" DNS)" != "$n" ]; then
        bad "$name" "$(records "$o" DNS) DNS records, want one per packet read ($n)"
    else
        ok "$name"
    fi
}
if [ -n "$PY" ] && command -v mkfifo >/dev/null 2>&1; then
    # a pipe that stalls after 10000 packets: netcap waits in read(), the
    # signal ends the wait, and exactly those packets have their records
    for v in INT:130 TERM:143; do
        sig=${v%%:*}; want=${v#*:}
        rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
        $PY "$TOOL" udp "$tmp/fifo" 10000 60 &
        gen=$!
        fresh; "$NETCAP" capture -read "$tmp/fifo" -out "$o" -workers 2 >"$tmp/out" 2>"$tmp/err" &
        pid=$!
        sleep 2
        kill -"$sig" "$pid"
        wait "$pid"; rc=$?
        kill "$gen" 2>/dev/null; wait "$gen" 2>/dev/null
        interrupt_check "interrupt-pipe-SIG$sig" "$sig" "$want" 10000
    done
    # the brief's case: a big file read with one worker, SIGINT soon after
    $PY "$TOOL" udp "$tmp/big.pcap" 1000000
    fresh; "$NETCAP" capture -read "$tmp/big.pcap" -out "$o" -workers 1 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"; rc=$?
    n=$(sed -n 's/^  interrupted by SIGINT after packet \([0-9]*\) .*/\1/p' "$tmp/err")
    if [ "$rc" = 0 ] && grep -q "big.pcap: 1000000 packets" "$tmp/err"; then
        skp interrupt-file-SIGINT "the 1000000 packets were read before the signal"
    else
        interrupt_check interrupt-file-SIGINT INT 130 "${n:-N}"
    fi
    rm -f "$tmp/big.pcap" "$tmp/fifo"
else
    skp interrupt-pipe "no python3 or mkfifo"
    skp interrupt-file-SIGINT "no python3"
fi

# --------------------------------------------------- file names per -format
# What capture -h promises: proto <Type>.ncap.zst; csv and json plain text
# unless -compress is given, then .csv.zst, .json.gz, ...
names_ok=1
for v in "proto::DNS.ncap.zst" "csv::DNS.csv" "json::DNS.json" "csv:zstd:DNS.csv.zst" \
    "json:gzip:DNS.json.gz" "csv:none:DNS.csv" "proto:none:DNS.ncap"; do
    f=${v%%:*}; rest=${v#*:}; c=${rest%%:*}; want=${rest#*:}
    fresh; nc capture -read "$EXAMPLE" -out "$o" -include DNS -format "$f" ${c:+-compress "$c"} -quiet
    got=$(cd "$o" 2>/dev/null && ls | tr '\n' ' ')
    if [ "$rc" != 0 ] || [ "$got" != "$want " ]; then
        bad "file-name-$f${c:+-$c}" "status $rc, files: $got (want $want)"; names_ok=0
    fi
done
if [ "$names_ok" = 1 ]; then
    fresh; nc capture -read "$EXAMPLE" -out "$o" -include DNS -format csv -quiet
    if head -n 1 "$o/DNS.csv" | grep -q '^timestamp,'; then ok "file names per -format and -compress"
    else bad file-name-csv-plain "DNS.csv does not start with its header row"; fi
fi
nc capture -h
for want in '<Type>.ncap.zst' '<Type>.csv ' '.csv.zst' '<Type>.json' 'none for csv and json' \
    '130' '143' 'input truncated after packet N (byte offset O)'; do
    if ! grep -qF -- "$want" "$tmp/out"; then bad help-capture-tells-names "capture -h lacks '$want'"; names_ok=0; fi
done
[ "$names_ok" = 1 ] && ok help-capture-tells-names-and-statuses

# ----------------------------------------------------- -include: header only
# A type named in -include gets its file even without records: the Header
# record (proto), the header row (csv), an empty file (json). Types not named
# get a file only when they have records. loopback.pcap has no ARP.
fresh; nc capture -read "$EXAMPLE" -out "$o" -include DNS,ARP -quiet
got=$(cd "$o" 2>/dev/null && ls | tr '\n' ' ')
"$NETCAP" util check "$o" >"$tmp/check" 2>&1; crc=$?
"$NETCAP" dump -read "$o/ARP.ncap.zst" -csv -no-names >"$tmp/arp-dump.csv" 2>"$tmp/dump.err"; drc=$?
if [ "$rc" != 0 ] || [ "$got" != "ARP.ncap.zst DNS.ncap.zst " ]; then
    bad include-header-only-proto "status $rc, files: $got (want ARP.ncap.zst DNS.ncap.zst)"
elif [ "$crc" != 0 ] || ! grep -q "OK .*ARP.ncap.zst: 0 records, ARP" "$tmp/check"; then
    bad include-header-only-proto "util check: $(grep ARP "$tmp/check")"
elif [ "$drc" != 0 ] || [ "$(wc -l <"$tmp/arp-dump.csv" | tr -d ' ')" != 1 ]; then
    bad include-header-only-proto "dump -csv: status $drc, $(wc -l <"$tmp/arp-dump.csv") lines (want the header row): $(head -n 1 "$tmp/dump.err")"
else
    ok include-header-only-proto
fi
fresh; nc capture -read "$EXAMPLE" -out "$o" -include DNS,ARP -format csv -quiet
if [ "$rc" = 0 ] && [ -f "$o/ARP.csv" ] && cmp -s "$o/ARP.csv" "$tmp/arp-dump.csv"; then
    ok include-header-only-csv
else
    bad include-header-only-csv "status $rc; ARP.csv is not the header row dump -csv -no-names prints: $(head -c 100 "$o/ARP.csv" 2>&1)"
fi
fresh; nc capture -read "$EXAMPLE" -out "$o" -include ARP -format json -quiet
nc2=$rc
rm -rf "$tmp/oj"; "$NETCAP" capture -read "$EXAMPLE" -out "$tmp/oj" -include ARP -format json -compress gzip -quiet 2>/dev/null
if [ "$nc2" = 0 ] && [ -f "$o/ARP.json" ] && [ ! -s "$o/ARP.json" ] \
    && gzip -dc "$tmp/oj/ARP.json.gz" 2>/dev/null | cmp -s - /dev/null; then
    ok include-header-only-json
else
    bad include-header-only-json "status $nc2; want an empty ARP.json and a valid empty ARP.json.gz"
fi
fresh; nc capture -read "$EXAMPLE" -out "$o" -include DNS,ARP -exclude ARP -quiet
nc2=$rc
rm -rf "$tmp/all"; "$NETCAP" capture -read "$EXAMPLE" -out "$tmp/all" -quiet 2>/dev/null
if [ "$nc2" = 0 ] && [ ! -e "$o/ARP.ncap.zst" ] && [ ! -e "$tmp/all/ARP.ncap.zst" ]; then
    ok no-file-for-types-not-named
else
    bad no-file-for-types-not-named "an ARP file without ARP records although ARP was not asked for (or was excluded)"
fi

# ----------------------------------------------- files of an earlier run in -out
# One warning line with counts and an example name; other files are not counted.
d=$tmp/again; rm -rf "$d"
nc capture -read "$EXAMPLE" -out "$d" -quiet
n=$(files_in "$d")
if [ "$rc" != 0 ] || [ -s "$tmp/err" ]; then
    bad earlier-run-first "first run into an empty directory: status $rc, stderr: $(head -n 1 "$tmp/err")"
fi
echo notes >"$d/notes.txt"
nc capture -read "$EXAMPLE" -out "$d" -quiet
if [ "$rc" = 0 ] && [ "$(wc -l <"$tmp/err" | tr -d ' ')" = 1 ] \
    && grep -qE "warning: .*again held $n record files of an earlier run: $n replaced \(e\.g\. [A-Za-z0-9]+\.ncap\.zst\); use an empty -out" "$tmp/err"; then
    ok earlier-run-replaced
else
    bad earlier-run-replaced "status $rc, stderr: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
fi
nc capture -read "$EXAMPLE" -out "$d" -include DNS -quiet
if [ "$rc" = 0 ] && [ "$(wc -l <"$tmp/err" | tr -d ' ')" = 1 ] \
    && grep -qE "held $n record files of an earlier run: 1 replaced \(e\.g\. DNS\.ncap\.zst\), $((n - 1)) left that this capture did not write \(e\.g\. [A-Za-z0-9]+\.ncap\.zst\)" "$tmp/err"; then
    ok earlier-run-stale-types
else
    bad earlier-run-stale-types "status $rc, stderr: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
fi

# Regressions of the stateful engine's review:
# many workers fit the default memory cap (it failed with 28+ cores), and an
# explicit count that does not fit runs with fewer, saying so
nc capture -read "$EXAMPLE" -out "$tmp/w64" -workers 64 -quiet
if [ "$rc" = 0 ] && [ "$(files_in "$tmp/w64")" -gt 0 ]; then ok workers-64-default-memory
else bad workers-64-default-memory "exit $rc: $(head -n 1 "$tmp/err")"; fi
nc capture -read "$EXAMPLE" -out "$tmp/w64s" -workers 64 -max-memory 200
if [ "$rc" = 0 ] && grep -q "leaves room for [0-9]* workers, not 64: running" "$tmp/err"; then
    ok workers-64-small-memory-warns
else bad workers-64-small-memory-warns "exit $rc: $(head -n 1 "$tmp/err")"; fi
# SOURCE_DATE_EPOCH out of range: warned and ignored, no overflow (UBSan)
SOURCE_DATE_EPOCH=99999999999999 nc capture -read "$EXAMPLE" -out "$tmp/sde" -include DNS
if [ "$rc" = 0 ] && grep -q "SOURCE_DATE_EPOCH=99999999999999 is not" "$tmp/err" \
    && ! sanitizer_report "$tmp/err"; then ok source-date-epoch-overflow
else bad source-date-epoch-overflow "exit $rc: $(head -n 2 "$tmp/err" | tr '\n' ' ')"; fi

# The generated encoders cannot write a oneof: the generator must refuse a
# schema that has one (it would otherwise encode heap garbage)
if command -v protoc-c >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
    g="$tmp/oneof"; mkdir -p "$g"
    sed 's/^message Header {$/message Header {\n  oneof probe { int32 probe_a = 100; string probe_b = 101; }/' \
        "$root/schema/netcap.proto" > "$g/netcap.proto"
    if protoc-c --c_out="$g" --proto_path="$g" "$g/netcap.proto" 2>"$g/err" \
        && sh "$root/scripts/gen-records.sh" "$g/netcap.proto" "$g/netcap.pb-c.h" > "$g/records.def" \
        && cc -std=c11 -w -I"$g" -o "$g/gen" "$root/scripts/gen-encoders.c" "$g/netcap.pb-c.c" \
            $(pkg-config --cflags --libs libprotobuf-c) 2>>"$g/err"; then
        if "$g/gen" > "$g/out" 2> "$g/gen.err"; then
            bad gen-encoders-refuses-oneof "gen-encoders accepted a schema with a oneof"
        elif grep -q "Header.probe_a is in a oneof" "$g/gen.err"; then
            ok gen-encoders-refuses-oneof
        else
            bad gen-encoders-refuses-oneof "unexpected message: $(head -n 1 "$g/gen.err")"
        fi
    else
        bad gen-encoders-refuses-oneof "could not build the test generator: $(head -n 2 "$g/err")"
    fi
else
    skp gen-encoders-refuses-oneof "no protoc-c or cc"
fi

# The man pages of agent, collect, export and label are made from their -h
# text (scripts/gen-man.py): a flag added to a command must reach its page
if command -v python3 >/dev/null 2>&1; then
    for c in agent collect export label; do
        if ! python3 "$root/scripts/gen-man.py" "$NETCAP" "$c" > "$tmp/man-$c.1" 2> "$tmp/man-$c.err"; then
            bad "man-$c-current" "gen-man.py failed: $(head -n 1 "$tmp/man-$c.err")"
        elif cmp -s "$tmp/man-$c.1" "$root/man/netcap-$c.1"; then
            ok "man-$c-current"
        else
            bad "man-$c-current" "man/netcap-$c.1 differs from netcap $c -h; regenerate: python3 scripts/gen-man.py build/netcap $c > man/netcap-$c.1"
        fi
    done
else
    skp man-current "python3 absent"
fi

summary
