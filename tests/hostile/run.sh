#!/bin/sh
# Hostile input: netcap must survive every capture it is given.
#   tests/hostile/run.sh          (NETCAP=path/to/netcap, default build/netcap)
# Inputs: every capture under $HOSTILE (recursively: *.pcap, *.pcapng, *.cap);
# every corpus capture; the golden captures (tests/golden/cases.txt) cut to
# snap lengths 64, 96, 128 and 200 (editcap -s, or tests/cli/pcaptool.py snap
# for classic pcaps when editcap is missing); and the classic-pcap golden
# captures with garbled packet bytes (pcaptool.py mutate, seeds 1-4, python3).
# A case passes if `netcap capture` exits 0, 1 or 2 (not a signal or abort)
# within TIMEOUT seconds (default 60), prints no sanitizer report and leaves
# no *.partial file, and `netcap dump` (table, -csv, -json) reads every file
# it wrote with exit status 0 and no sanitizer report; with python3, the CSV
# and JSON must also parse (validate.py). Snapped and garbled golden captures
# are valid files, so capture must exit 0 on them. JOBS cases run at a time
# (default 2).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NETCAP=${NETCAP:-$root/build/netcap}
TIMEOUT=${TIMEOUT:-60}
JOBS=${JOBS:-2}
VALIDATE=$here/validate.py
export NETCAP TIMEOUT VALIDATE TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# ---- one case: run.sh --one INDEX (reads line INDEX of $JOBLIST, writes
#      $RESULTS/INDEX: the PASS/FAIL line, then indented details)
if [ "${1:-}" = "--one" ]; then
    i=$2
    line=$(sed -n "${i}p" "$JOBLIST")
    want=${line%%	*}; rest=${line#*	}
    name=${rest%%	*}; rest=${rest#*	}
    file=${rest%%	*}; origin=${rest#*	}
    w=$WORKDIR/$i
    rm -rf "$w"; mkdir -p "$w"
    res=$RESULTS/$i
    to=""
    command -v timeout >/dev/null 2>&1 && to="timeout -s KILL $TIMEOUT"
    report() { # FAIL reason, details from file $2 (optional)
        echo "FAIL $name: $1${origin:+ [input made with: $origin]}" >"$res"
        [ -n "${2:-}" ] && [ -f "$2" ] && sed -n '1,12s/^/    /p' "$2" >>"$res"
        rm -rf "$w"
        exit 0
    }
    san='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|Sanitizer'
    $to "$NETCAP" capture -read "$file" -out "$w/out" -workers 2 -quiet >"$w/stdout" 2>"$w/stderr"
    rc=$?
    cmd="netcap capture -read $file -out OUT -workers 2 -quiet"
    if grep -qE "$san" "$w/stderr"; then report "sanitizer report (status $rc): $cmd" "$w/stderr"; fi
    if [ "$rc" = 137 ] && [ -n "$to" ]; then report "no exit after ${TIMEOUT}s (hang?): $cmd"; fi
    if [ "$rc" -gt 2 ]; then report "crashed, status $rc: $cmd" "$w/stderr"; fi
    if [ "$want" = ok ] && [ "$rc" != 0 ]; then
        report "exit status $rc on a valid (snapped) capture: $cmd: $(head -n 1 "$w/stderr")"
    fi
    if [ -d "$w/out" ] && [ -n "$(find "$w/out" -name '*.partial')" ]; then
        report "left *.partial files (status $rc): $cmd"
    fi
    nfiles=0
    for f in "$w/out"/*; do
        [ -f "$f" ] || continue
        nfiles=$((nfiles + 1))
        t=$(basename "$f"); t=${t%%.*}
        for view in table -csv -json; do
            v=$view; [ "$v" = table ] && v=""
            dst=/dev/null; [ -n "$v" ] && dst="$VIEWS/$i/$t.${v#-}"
            mkdir -p "$VIEWS/$i"
            # shellcheck disable=SC2086
            $to "$NETCAP" dump -read "$f" $v >"$dst" 2>"$w/dump.err"
            drc=$?
            dcmd="netcap dump -read $(basename "$f") $v (after $cmd)"
            if grep -qE "$san" "$w/dump.err"; then report "sanitizer report in dump: $dcmd" "$w/dump.err"; fi
            if [ "$drc" != 0 ]; then report "dump exited $drc: $dcmd: $(head -n 1 "$w/dump.err")" "$w/dump.err"; fi
        done
    done
    echo "PASS $name (status $rc, $nfiles files)" >"$res"
    rm -rf "$w"
    exit 0
fi

if [ -z "${CORPUS+set}" ]; then
    CORPUS=""
    [ -d "$root/../shared/corpus" ] && CORPUS=$(cd "$root/../shared/corpus" && pwd)
fi
if [ -z "${HOSTILE+set}" ]; then
    HOSTILE=""
    [ -d "$root/../shared/hostile" ] && HOSTILE=$(cd "$root/../shared/hostile" && pwd)
fi
suite=hostile
pass=0; fail=0; skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netcap-hostile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
JOBLIST=$tmp/jobs; RESULTS=$tmp/results; WORKDIR=$tmp/work; VIEWS=$tmp/views
export JOBLIST RESULTS WORKDIR VIEWS
mkdir -p "$RESULTS" "$WORKDIR" "$VIEWS" "$tmp/snap"
: >"$JOBLIST"

skp() { skip=$((skip + 1)); echo "SKIP $1: $2"; }

if [ ! -x "$NETCAP" ]; then
    echo "FAIL binary: NETCAP=$NETCAP is not an executable"
    echo "$suite: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

# job lines: "<any|ok><TAB><name><TAB><file><TAB><how it was made>"
# (ok: capture must exit 0)
add() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$JOBLIST"; }

if [ -n "$HOSTILE" ]; then
    find "$HOSTILE" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort \
        | while read -r f; do add any "hostile/${f#"$HOSTILE"/}" "$f"; done
else
    skp hostile-captures "HOSTILE is empty (no ../shared/hostile)"
fi

if [ -n "$CORPUS" ]; then
    for d in "$CORPUS"/*/; do
        c=$(basename "$d")
        for f in "$d$c".pcap "$d$c".pcapng "$d$c".cap; do
            [ -f "$f" ] && add any "corpus/$c" "$f"
        done
    done
else
    skp corpus-captures "CORPUS is empty (no ../shared/corpus)"
fi

# truncation replay: the golden captures cut to a few snap lengths
editcap=""
command -v editcap >/dev/null 2>&1 && editcap=editcap
py=""
command -v python3 >/dev/null 2>&1 && py=python3
while read -r gname src _; do
    case "$gname" in ''|'#'*) continue ;; esac
    case "$src" in
    */*) cap=$root/$src ;;
    *)   [ -n "$CORPUS" ] || continue
         cap=""
         for ext in pcap pcapng cap; do
             [ -f "$CORPUS/$src/$src.$ext" ] && cap="$CORPUS/$src/$src.$ext" && break
         done ;;
    esac
    if [ -z "$cap" ] || [ ! -f "$cap" ]; then continue; fi
    for s in 64 96 128 200; do
        out=$tmp/snap/$gname-s$s.${cap##*.}
        if [ -n "$editcap" ]; then
            how="editcap -s $s $cap OUT"
            editcap -s "$s" "$cap" "$out" >/dev/null 2>&1 || { skp "snap$s/$gname" "editcap failed"; continue; }
        elif [ -n "$py" ] && [ "${cap##*.}" = pcap ]; then
            how="python3 tests/cli/pcaptool.py snap $cap OUT $s"
            "$py" "$root/tests/cli/pcaptool.py" snap "$cap" "$out" "$s" \
                || { skp "snap$s/$gname" "pcaptool.py failed"; continue; }
        else
            skp "snap$s/$gname" "needs editcap (wireshark-common), or python3 for classic pcaps"
            continue
        fi
        add ok "snap$s/$gname" "$out" "$how"
    done
    # mutation replay: packet bytes garbled, record headers intact (pcap only)
    if [ -n "$py" ] && [ "${cap##*.}" = pcap ]; then
        m=$tmp/snap/$gname-m
        if "$py" "$root/tests/cli/pcaptool.py" mutate "$cap" "${m}1.pcap" 1 "${m}2.pcap" 2 \
            "${m}3.pcap" 3 "${m}4.pcap" 4; then
            for seed in 1 2 3 4; do
                add ok "mutate$seed/$gname" "$m$seed.pcap" "python3 tests/cli/pcaptool.py mutate $cap OUT $seed"
            done
        fi
    fi
done <"$root/tests/golden/cases.txt"

n=$(wc -l <"$JOBLIST" | tr -d ' ')
if [ "$n" -gt 0 ]; then
    seq 1 "$n" | xargs -P "$JOBS" -n 1 "$here/run.sh" --one
fi
# the CSV and JSON that dump printed must parse (one python3 run for all)
if [ "$n" -gt 0 ] && [ -n "$py" ] && [ -n "$(ls "$VIEWS")" ]; then
    "$py" "$VALIDATE" --dirs "$VIEWS"/* >"$tmp/valid.txt" 2>&1
    while IFS= read -r l; do
        j=${l#"$VIEWS"/}; j=${j%%:*}
        case "$j" in *[!0-9]*|'') continue ;; esac
        if head -n 1 "$RESULTS/$j" | grep -q '^PASS'; then
            name=$(sed -n "${j}p" "$JOBLIST" | cut -f2)
            { echo "FAIL $name: dump -csv/-json output does not parse (tests/hostile/validate.py)"
              echo "    ${l#"$VIEWS"/}"; } >"$RESULTS/$j"
        fi
    done <"$tmp/valid.txt"
fi
i=1
while [ "$i" -le "$n" ]; do
    if [ -f "$RESULTS/$i" ]; then
        cat "$RESULTS/$i"
        case $(head -n 1 "$RESULTS/$i") in
        PASS*) pass=$((pass + 1)) ;;
        *) fail=$((fail + 1)) ;;
        esac
    else
        echo "FAIL $(sed -n "${i}p" "$JOBLIST" | cut -f2): the case did not report (runner killed?)"
        fail=$((fail + 1))
    fi
    i=$((i + 1))
done

echo "$suite: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
