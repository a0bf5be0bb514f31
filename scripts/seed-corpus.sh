#!/bin/sh
# Builds the fuzz seed corpora from the shared captures and minimises them
# with libFuzzer's -merge=1 (see fuzz/README.md).
#
#   scripts/seed-corpus.sh            raw seeds in $FUZZ_BUILD/seeds/raw/<target>,
#                                     minimised sets in $FUZZ_BUILD/seeds/min/<target>
#   scripts/seed-corpus.sh --commit [DIR...]
#                                     ...and replace fuzz/corpus/<target>/ with the
#                                     union of the seeds, the current
#                                     fuzz/corpus/<target>/ and DIR/<target>/ or
#                                     DIR/<target>/corpus/ (e.g. the corpora of long
#                                     fuzz runs), minimised to
#                                     one input per covered edge
#
# Seeds per target:
#   fuzz_decode  every distinct frame of a known link type, with the selector
#                byte in front (scripts/seed-frames.py)
#   fuzz_dns     UDP/TCP payloads to or from ports 53, 5353, 5355 (same script)
#   fuzz_pcap    whole captures up to 8 KiB and the first packets of the others
#                (pcap and pcapng, hostile ones too; scripts/seed-frames.py)
#   fuzz_dump    record files written by `netcap capture` from a few captures,
#                compressed with zstd, gzip and none
# Needs `make fuzz` (the targets merge) and a netcap binary ($NETCAP).
set -eu
cd "$(dirname "$0")/.."

CORPUS=${CORPUS:-/work/shared/corpus}
HOSTILE=${HOSTILE:-/work/shared/hostile}
NETCAP=${NETCAP:-build/netcap}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
PCAP_MAX=8192    # bytes: bigger captures add run time more than coverage
DUMP_MAX=65536   # bytes per record file seed
# captures for fuzz_dump: many record types, every link type we decode
DUMP_CASES="zeek-wikipedia arkime-v6-http zeek-ipv6-frag-dns zeek-linuxsll-arp tcpdump-icmpv6
arkime-dns-tcp cs-arp-resolution tcpdump-8021ad-qinq tcpdump-linktype-raw-ipv4 tcpdump-loopback"

commit=0
if [ "${1:-}" = "--commit" ]; then
    commit=1
    shift
fi

for t in fuzz_decode fuzz_dns fuzz_pcap fuzz_dump; do
    [ -x "$FUZZ_BUILD/$t" ] || { echo "seed-corpus: $FUZZ_BUILD/$t missing (run make fuzz)" >&2; exit 1; }
done
[ -x "$NETCAP" ] || { echo "seed-corpus: $NETCAP missing (run make, or set NETCAP)" >&2; exit 1; }

raw=$FUZZ_BUILD/seeds/raw
min=$FUZZ_BUILD/seeds/min
rm -rf "$FUZZ_BUILD/seeds"
mkdir -p "$raw/fuzz_decode" "$raw/fuzz_dns" "$raw/fuzz_pcap" "$raw/fuzz_dump" "$min"

caps=$FUZZ_BUILD/seeds/captures.txt
{
    find "$CORPUS" "$HOSTILE" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \)
    find examples tests -type f \( -name '*.pcap' -o -name '*.pcapng' \)
} | sort > "$caps"
echo "seed-corpus: $(wc -l < "$caps") captures"

# fuzz_decode, fuzz_dns, heads of captures for fuzz_pcap
xargs python3 scripts/seed-frames.py "$raw/fuzz_decode" "$raw/fuzz_dns" "$raw/fuzz_pcap" \
    < "$caps"

# fuzz_pcap
while IFS= read -r f; do
    if [ "$(wc -c < "$f")" -le $PCAP_MAX ]; then
        cp "$f" "$raw/fuzz_pcap/$(basename "$(dirname "$f")")-$(basename "$f")"
    fi
done < "$caps"

# fuzz_dump
out=$FUZZ_BUILD/seeds/capture-out
for c in $DUMP_CASES; do
    f=$(ls "$CORPUS/$c/$c".pcap* "$CORPUS/$c/$c".cap 2>/dev/null | head -n 1 || true)
    [ -n "$f" ] || { echo "seed-corpus: $c not in $CORPUS, skipped" >&2; continue; }
    for comp in zstd gzip none; do
        rm -rf "$out"
        SOURCE_DATE_EPOCH=0 "$NETCAP" capture -read "$f" -out "$out" -workers 1 -quiet \
            -payload -entropy -compress $comp
        for r in "$out"/*; do
            [ "$(wc -c < "$r")" -le $DUMP_MAX ] && cp "$r" "$raw/fuzz_dump/$c-$(basename "$r")"
        done
    done
done
rm -rf "$out"

for t in fuzz_decode fuzz_dns fuzz_pcap fuzz_dump; do
    mkdir -p "$min/$t"
    mkdir -p "$FUZZ_BUILD/seeds/crashes/$t"
    "$FUZZ_BUILD/$t" -merge=1 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$FUZZ_BUILD/seeds/crashes/$t/" "$min/$t" "$raw/$t" \
        > "$FUZZ_BUILD/seeds/merge-$t.log" 2>&1 ||
        { echo "seed-corpus: merge of $t failed, see $FUZZ_BUILD/seeds/merge-$t.log" >&2; exit 1; }
    n=$(ls "$FUZZ_BUILD/seeds/crashes/$t" | wc -l)
    [ "$n" = 0 ] || echo "seed-corpus: $t: $n seeds CRASH (left out; in $FUZZ_BUILD/seeds/crashes/$t)" >&2
    echo "seed-corpus: $t: $(ls "$raw/$t" | wc -l) seeds -> $(ls "$min/$t" | wc -l)" \
        "($(du -sk "$min/$t" | cut -f1) KiB)"
done

if [ $commit = 1 ]; then
    for t in fuzz_decode fuzz_dns fuzz_pcap fuzz_dump; do
        extra=
        for d in "fuzz/corpus/$t" "$@"; do
            if [ "$d" != "fuzz/corpus/$t" ]; then
                d=$d/$t
                [ -d "$d/corpus" ] && d=$d/corpus # a run directory: corpus/, crashes/, log
            fi
            [ -d "$d" ] && extra="$extra $d"
        done
        new=$FUZZ_BUILD/seeds/commit/$t
        mkdir -p "$new"
        # shellcheck disable=SC2086 # $extra is a list of directories
        # -use_counters=0: keep one input per edge, not per hit-count bucket
        # (all edges, a tenth of the bytes)
        "$FUZZ_BUILD/$t" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=10 \
            -artifact_prefix="$FUZZ_BUILD/seeds/crashes/$t/" "$new" "$min/$t" $extra \
            > "$FUZZ_BUILD/seeds/commit-$t.log" 2>&1 ||
            { echo "seed-corpus: merge of $t failed, see $FUZZ_BUILD/seeds/commit-$t.log" >&2; exit 1; }
        rm -rf "fuzz/corpus/$t"
        mkdir -p "fuzz/corpus/$t"
        cp "$new"/* "fuzz/corpus/$t/"
        echo "seed-corpus: fuzz/corpus/$t: $(ls "fuzz/corpus/$t" | wc -l) inputs" \
            "($(du -sk "fuzz/corpus/$t" | cut -f1) KiB on disk)"
    done
fi
