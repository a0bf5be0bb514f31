#!/bin/sh
# Determinism: with SOURCE_DATE_EPOCH=0, capture writes byte-identical files
# whatever -workers is. Each capture (and option variant) is captured with
# -workers 1, 2 and 4, with -compress zstd and gzip, and every file compared
# with cmp.
#   tests/determinism/run.sh        (NETCAP=path/to/netcap, default build/netcap)
# Captures: examples/loopback.pcap always; with CORPUS, every corpus capture
# concatenated with mergecap -a into one pcapng (16k packets, several link
# types and interfaces, so several 4096-packet batches), the Ethernet ones
# into one classic pcap, and, without mergecap, a few big captures one by one.
set -u
suite=determinism
. "$(dirname "$0")/../lib.sh"
WORKERS="1 2 4"   # check() compares these, or the counts in W when set
W=""; COMPS=""    # COMPS: compressions check() uses (default zstd and gzip)

require_netcap

sanitizer_report() {
    grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"
}

# check NAME CAPTURE [FLAGS...]: capture with each -workers count and both
# compressions; all runs of one compression must give the same files.
check() {
    name=$1; cap=$2; shift 2
    ws=${W:-$WORKERS}
    for comp in ${COMPS:-zstd gzip}; do
        label="$name [$comp${*:+ $*}]"
        ref=""; why=""
        for w in $ws; do
            d="$tmp/$name-$comp-w$w"
            rm -rf "$d"
            "$NETCAP" capture -read "$cap" -out "$d" -workers "$w" -compress "$comp" -quiet "$@" \
                >"$tmp/out" 2>"$tmp/err"
            rc=$?
            if sanitizer_report "$tmp/err"; then
                why="sanitizer report with -workers $w"; sed -n '1,12s/^/    /p' "$tmp/err"; break
            fi
            if [ "$rc" != 0 ]; then
                why="-workers $w exited $rc: $(head -n 1 "$tmp/err")"; break
            fi
            if [ -z "$(ls -A "$d" 2>/dev/null)" ]; then
                why="-workers $w wrote no files"; break
            fi
            if [ -z "$ref" ]; then
                ref=$d; continue
            fi
            if [ "$(cd "$ref" && ls -A)" != "$(cd "$d" && ls -A)" ]; then
                why="-workers $w wrote other files than -workers 1: $(cd "$d" && ls -A | tr '\n' ' ')"; break
            fi
            for f in "$ref"/*; do
                b=$(basename "$f")
                if ! cmp -s "$f" "$d/$b"; then
                    why="$why$b "
                fi
            done
            if [ -n "$why" ]; then
                why="-workers $w differs from -workers 1 in: $why"; break
            fi
        done
        # --- the files must pass `netcap util check` (tests/util)
        if [ -z "$why" ] && ls "$ref" | grep -q '\.ncap' &&
            ! "$NETCAP" util check -quiet "$ref" >"$tmp/check.out" 2>&1; then
            why="util check: $(grep -m1 -E '^BAD|ERROR|runtime error' "$tmp/check.out")"
        fi
        # --- end of util check
        if [ -n "$why" ]; then
            bad "$label" "$why"
        else
            ok "$label ($(ls -A "$ref" | wc -l | tr -d ' ') files identical for -workers $(echo $ws | tr ' ' ','))"
        fi
        rm -rf "$tmp/$name-$comp"-w*
    done
}

check example "$root/examples/loopback.pcap"
check example-payload "$root/examples/loopback.pcap" -payload -entropy
# -include: header-only files (ARP, TLSServerHello: none in the capture) too
check example-include "$root/examples/loopback.pcap" -include DNS,ARP,TLSServerHello
# ConnectionFeatures (opt-in, so not in the default runs): written with each Connection
check example-features "$root/examples/loopback.pcap" -features -features-seq 64
COMPS=none
check example-csv "$root/examples/loopback.pcap" -format csv
check example-json "$root/examples/loopback.pcap" -format json
COMPS=""

# the header's creation time is SOURCE_DATE_EPOCH
d=$tmp/sde; rm -rf "$d"
"$NETCAP" capture -read "$root/examples/loopback.pcap" -out "$d" -quiet -include DNS 2>/dev/null
if "$NETCAP" dump -read "$d/DNS.ncap.zst" -header 2>/dev/null | grep -qE '^created: +0$'; then
    ok "SOURCE_DATE_EPOCH=0 gives created 0 in the file header"
else
    bad source-date-epoch "dump -header does not show 'created: 0': $("$NETCAP" dump -read "$d/DNS.ncap.zst" -header 2>&1 | head -n 1)"
fi

# Streams and limits: synthetic TCP connections (HTTP, TLS hellos) with
# reordered, duplicated, overlapping and lost segments, and shuffled IP
# fragments; then every limit at once, tight, so that they are hit: each is a
# fixed budget per shard, so the files must not change with -workers.
if command -v python3 >/dev/null 2>&1; then
    python3 "$root/tests/determinism/gen.py" streams 1200 "$tmp/streams.pcap"
    python3 "$root/tests/determinism/gen.py" udp-flows 60000 "$tmp/udp60k.pcap"
    W="1 2 3 8"; COMPS=zstd
    check streams "$tmp/streams.pcap"
    check streams-tight-caps "$tmp/streams.pcap" -stream-depth 700 -stream-buffer 1 \
        -stream-memcap 1 -max-flows 300 -conn-timeout 1s
    check streams-json "$tmp/streams.pcap" -format json -max-memory 200
    check streams-features-tight "$tmp/streams.pcap" -include Connection,ConnectionFeatures \
        -max-flows 300 -conn-timeout 1s -activity-timeout 100ms
    # 60,000 one-packet UDP flows under -max-memory 200 (once: 0 evictions with
    # one worker, 33,786 with four)
    check udp-60k-max-memory "$tmp/udp60k.pcap" -max-memory 200 -include Connection,UDP
    W=""; COMPS=""
    n=$("$NETCAP" capture -read "$tmp/udp60k.pcap" -out "$tmp/u1" -workers 4 -max-memory 200 \
        -include Connection 2>&1 | sed -n 's/.*connections: \([0-9]*\) written.* \([0-9]*\) evicted.*/\1 \2/p')
    if [ "$n" = "60000 0" ]; then
        ok "udp-60k: 60000 connections written, none evicted, with -workers 4 -max-memory 200"
    else
        bad udp-60k "expected '60000 0' (written, evicted), got '$n'"
    fi
else
    skp streams "no python3"
fi

if [ -z "$CORPUS" ]; then
    skp corpus-captures "needs the corpus (CORPUS is empty)"
elif command -v mergecap >/dev/null 2>&1 && [ -f "$CORPUS/MANIFEST.tsv" ]; then
    # every corpus capture, in MANIFEST order, into one pcapng
    all=$(awk -F'\t' 'NR > 1 { print $3 }' "$CORPUS/MANIFEST.tsv" | sed "s|^|$CORPUS/|")
    eth=$(awk -F'\t' 'NR > 1 && $6 == 1 { print $3 }' "$CORPUS/MANIFEST.tsv" | sed "s|^|$CORPUS/|")
    # shellcheck disable=SC2086
    if mergecap -a -w "$tmp/all.pcapng" $all 2>"$tmp/err"; then
        check corpus-all-pcapng "$tmp/all.pcapng"
        check corpus-all-pcapng-timeouts "$tmp/all.pcapng" -conn-timeout 2s -max-flows 64
        W="1 3 7 16"; COMPS=zstd
        check corpus-all-pcapng-odd-workers "$tmp/all.pcapng" -max-flows 16
        W=""
        check corpus-all-pcapng-csv "$tmp/all.pcapng" -format csv
        W="1 2 5"
        check corpus-all-pcapng-limits "$tmp/all.pcapng" -max-memory 160 -max-flows 200 \
            -stream-depth 1000 -stream-buffer 1 -stream-memcap 1
        W="1 3 7"; COMPS=zstd
        check corpus-all-pcapng-features "$tmp/all.pcapng" -features
        check corpus-all-pcapng-features-limits "$tmp/all.pcapng" -features -max-memory 160 \
            -max-flows 64 -conn-timeout 2s
        W=""
        COMPS=""
    else
        bad corpus-all-pcapng "mergecap failed: $(head -n 1 "$tmp/err")"
    fi
    # shellcheck disable=SC2086
    if mergecap -a -F pcap -w "$tmp/eth.pcap" $eth 2>"$tmp/err"; then
        check corpus-ethernet-pcap "$tmp/eth.pcap" -payload -entropy
    else
        bad corpus-ethernet-pcap "mergecap failed: $(head -n 1 "$tmp/err")"
    fi
else
    for c in ndpi-1kxun ndpi-synscan zeek-ssh-basic ndpi-443-firefox arkime-v6-http; do
        if [ -f "$CORPUS/$c/$c.pcap" ]; then
            check "$c" "$CORPUS/$c/$c.pcap"
        else
            skp "$c" "not in $CORPUS"
        fi
    done
fi

summary
