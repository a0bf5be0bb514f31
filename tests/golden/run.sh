#!/bin/sh
# Golden tests: capture each case of cases.txt with -workers 1, dump every
# record file as CSV and JSON and compare with expected/<case>/.
#   tests/golden/run.sh                   all cases
#   tests/golden/run.sh v6-http dns-tcp   only these
#   UPDATE=1 tests/golden/run.sh [case]   rewrite expected/<case>/ instead
# Environment: NETCAP (binary; default build/netcap), CORPUS (corpus dir; when
# unset ../shared/corpus is used if present, when empty corpus cases SKIP).
# See README.md.
set -u
suite=golden
. "$(dirname "$0")/../lib.sh"
UPDATE=${UPDATE:-}

require_netcap

# corpus_file CASE: the capture of a corpus case, or nothing
corpus_file() {
    for ext in pcap pcapng cap; do
        if [ -f "$CORPUS/$1/$1.$ext" ]; then
            echo "$CORPUS/$1/$1.$ext"
            return
        fi
    done
}

# sanitizer_report FILE: true if FILE holds an ASan/UBSan/LSan report
sanitizer_report() {
    grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"
}

# wanted NAME: true if NAME was given on the command line (or none was)
wanted() {
    [ -z "$only" ] && return 0
    case " $only " in *" $1 "*) return 0 ;; esac
    return 1
}
only="$*"

run_case() { # name source extra-args...
    name=$1; src=$2; shift 2
    case "$src" in
    */*) cap="$root/$src"
         if [ ! -f "$cap" ]; then bad "$name" "capture $src is missing"; return; fi ;;
    *)   if [ -z "$CORPUS" ]; then skp "$name" "needs the corpus (CORPUS is empty)"; return; fi
         cap=$(corpus_file "$src")
         if [ -z "$cap" ]; then skp "$name" "corpus case $src not found in $CORPUS"; return; fi ;;
    esac
    w="$tmp/$name"
    rm -rf "$w"; mkdir -p "$w/actual"
    "$NETCAP" capture -read "$cap" -out "$w/out" -workers 1 -quiet "$@" >"$w/stdout" 2>"$w/stderr"
    rc=$?
    if sanitizer_report "$w/stderr"; then
        bad "$name" "sanitizer report from: netcap capture -read $cap -workers 1 -quiet $*"
        sed -n '1,15s/^/    /p' "$w/stderr"
        return
    fi
    if [ "$rc" != 0 ]; then
        bad "$name" "capture exited $rc: $(head -n 1 "$w/stderr")"
        return
    fi
    # --- every record file written must pass `netcap util check` (tests/util)
    if ls "$w/out" | grep -q '\.ncap' &&
        ! "$NETCAP" util check -quiet "$w/out" >"$w/check.out" 2>&1; then
        bad "$name" "util check: $(grep -m1 -E '^BAD|ERROR|runtime error' "$w/check.out")"
        return
    fi
    # --- end of util check
    (cd "$w/out" && ls -A) >"$w/actual/FILES"
    for f in "$w/out"/*; do
        [ -f "$f" ] || continue
        base=$(basename "$f")
        type=${base%%.*}
        for view in csv json; do
            if ! "$NETCAP" dump -read "$f" -$view >"$w/actual/$type.$view" 2>"$w/dump.err"; then
                bad "$name" "dump -$view of $base failed: $(head -n 1 "$w/dump.err")"
                return
            fi
            if sanitizer_report "$w/dump.err"; then
                bad "$name" "sanitizer report from dump -$view of $base"
                return
            fi
        done
    done
    exp="$here/expected/$name"
    if [ -n "$UPDATE" ]; then
        rm -rf "$exp"; mkdir -p "$exp"
        cp "$w/actual"/* "$exp/"
        for c in "$exp"/*.csv; do
            [ -f "$c" ] || continue
            n=$(($(wc -l <"$c") - 1))
            if [ "$n" -gt 300 ]; then
                echo "  note: $name: $(basename "$c") has $n records (keep cases under ~300; narrow with -include/-bpf)"
            fi
        done
        ok "$name (expected output rewritten)"
        return
    fi
    if [ ! -d "$exp" ]; then
        bad "$name" "no expected output (make it with UPDATE=1 tests/golden/run.sh $name)"
        return
    fi
    if diff -r "$exp" "$w/actual" >"$w/diff" 2>&1; then
        ok "$name"
    else
        what=$(grep -E '^(diff|Only in)' "$w/diff" | sed -e "s|$exp/||g" -e "s|$w/actual/||g" \
            -e 's|^diff -r .* \([^ ]*\)$|\1 differs|' -e "s|^Only in $exp: \(.*\)|\1 missing|" \
            -e "s|^Only in $w/actual: \(.*\)|\1 unexpected|" | tr '\n' ' ')
        bad "$name" "${what% } (diff -r tests/golden/expected/$name <actual>; UPDATE=1 to accept)"
        sed -n '1,20s/^/    /p' "$w/diff"
    fi
}

# --- the record catalogue: docs/RECORDS.md must be what the schema's
# comments give (scripts/gen-catalogue.py); UPDATE=1 regenerates it
if wanted catalogue; then
    if ! command -v python3 >/dev/null 2>&1; then
        skp catalogue "python3 absent"
    elif [ -n "$UPDATE" ]; then
        if python3 "$root/scripts/gen-catalogue.py" >"$tmp/RECORDS.md" 2>"$tmp/catalogue.err"; then
            cp "$tmp/RECORDS.md" "$root/docs/RECORDS.md"
            ok "catalogue (docs/RECORDS.md rewritten)"
        else
            bad catalogue "$(head -n 1 "$tmp/catalogue.err")"
        fi
    elif python3 "$root/scripts/gen-catalogue.py" --check "$root/docs/RECORDS.md" >"$tmp/catalogue.out" 2>&1; then
        ok catalogue
    else
        bad catalogue "$(head -n 1 "$tmp/catalogue.out")"
        sed -n '2,12s/^/    /p' "$tmp/catalogue.out"
    fi
fi

while read -r name src args; do
    case "$name" in ''|'#'*) continue ;; esac
    wanted "$name" || continue
    eval "set -- $args"
    run_case "$name" "$src" "$@"
done <"$here/cases.txt"

summary
