#!/bin/sh
# Tests of `make install` and `make uninstall` into a scratch DESTDIR:
#   NETCAP=build/netcap tests/install/run.sh
# Every file is in place, the installed netcap runs, each man page renders
# without a warning (groff -man -ww; man -l too when man works), the Python
# module imports from its installed directory with the installed schema, the
# bash completion passes bash -n and completes `netcap cap` to capture, and
# make uninstall removes every file. NETCAP's directory is the build used
# (BUILD=); a sanitizer run skips (the release run covers it). Prints
# PASS/FAIL/SKIP lines and "install: N passed, M failed, K skipped".
set -u
suite=install
. "$(dirname "$0")/../lib.sh"
require_netcap

bdir=$(cd "$(dirname "$NETCAP")" && pwd)
case $bdir in
    "$root"/*) build=${bdir#"$root"/} ;;
    *) build="" ;;
esac
if [ "${NC_SANITIZED:-0}" = 1 ]; then
    skp install "a sanitizer build: the release run tests make install"
    summary
    exit $?
fi
if [ -z "$build" ] || [ ! -f "$bdir/libnetcap.a" ] || [ "$(basename "$NETCAP")" != netcap ]; then
    skp install "NETCAP=$NETCAP is not the netcap of a build directory of this tree"
    summary
    exit $?
fi

dest=$tmp/dest
prefix=/usr/local
if ! make -C "$root" --no-print-directory -s BUILD="$build" PREFIX=$prefix DESTDIR="$dest" install >"$tmp/make.log" 2>&1; then
    bad "make install" "$(tail -n 5 "$tmp/make.log")"
    summary
    exit 1
fi
ok "make install PREFIX=$prefix DESTDIR=\$tmp"

# the files
pydir=$(find "$dest$prefix/lib" -type d -name netcap -path '*dist-packages*' | head -n 1)
missing=""
for f in bin/netcap share/man/man1/netcap.1 share/man/man1/netcap-capture.1 share/man/man1/netcap-dump.1 \
    share/man/man1/netcap-util.1 share/man/man1/netcap-agent.1 share/man/man1/netcap-collect.1 \
    share/man/man1/netcap-export.1 share/man/man1/netcap-label.1 share/bash-completion/completions/netcap; do
    [ -f "$dest$prefix/$f" ] || missing="$missing $prefix/$f"
done
for f in __init__.py reader.py schema.py dataframe.py netcap.desc; do
    [ -n "$pydir" ] && [ -f "$pydir/$f" ] || missing="$missing <dist-packages>/netcap/$f"
done
if [ -z "$missing" ]; then
    ok "every file in place (Python module in ${pydir#"$dest"})"
else
    bad files "missing:$missing"
fi
if [ -x "$dest$prefix/bin/netcap" ] && "$dest$prefix/bin/netcap" version | grep -q '^netcap '; then
    ok "the installed netcap runs: $("$dest$prefix/bin/netcap" version)"
else
    bad binary "the installed netcap does not run"
fi

# the man pages
if command -v groff >/dev/null 2>&1; then
    for p in "$dest$prefix"/share/man/man1/*.1; do
        n=$(basename "$p")
        groff -man -Tutf8 -ww -z "$p" >"$tmp/groff.err" 2>&1
        if [ -s "$tmp/groff.err" ]; then
            bad "man $n" "groff warns: $(head -n 3 "$tmp/groff.err")"
        elif [ "$(groff -man -Tutf8 "$p" 2>/dev/null | grep -c .)" -lt 10 ]; then
            bad "man $n" "renders to almost nothing"
        else
            ok "man $n renders without warnings (groff -man -ww)"
        fi
        if man -l /dev/null >/dev/null 2>&1 && command -v man >/dev/null 2>&1; then
            MANWIDTH=80 MAN_KEEP_STDERR=1 man -l "$p" >/dev/null 2>"$tmp/man.err"
            if [ -s "$tmp/man.err" ]; then
                bad "man -l $n" "$(head -n 3 "$tmp/man.err")"
            else
                ok "man -l $n"
            fi
        fi
    done
else
    skp man "groff is not installed (groff-base; scripts/bootstrap.sh installs it)"
fi

# the Python module, from where it was installed
py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import google.protobuf' 2>/dev/null; then
        py=$p
        break
    fi
done
if [ -z "$py" ]; then
    skp python "no python3 with the protobuf runtime (python3-protobuf)"
elif [ -n "$pydir" ]; then
    "$NETCAP" capture -read "$root/examples/loopback.pcap" -out "$tmp/rec" -quiet -include DNS
    out=$(cd "$tmp" && PYTHONPATH=$(dirname "$pydir") "$py" -c '
import sys, netcap, netcap.schema as s
print(netcap.__file__, s.schema().source, sum(1 for _ in netcap.read(sys.argv[1])))
' "$tmp/rec/DNS.ncap.zst" 2>&1)
    want=$("$NETCAP" dump -read "$tmp/rec/DNS.ncap.zst" -json | wc -l)
    case $out in
        "$pydir/__init__.py $pydir/netcap.desc $want")
            ok "the installed module imports with the installed netcap.desc and reads $want records" ;;
        *) bad python "got '$out', want '$pydir/__init__.py $pydir/netcap.desc $want'" ;;
    esac
fi

# the bash completion
comp=$dest$prefix/share/bash-completion/completions/netcap
if ! command -v bash >/dev/null 2>&1; then
    skp completion "no bash"
elif bash -n "$comp" 2>"$tmp/bash.err"; then
    ok "completion passes bash -n"
    got=$(PATH="$dest$prefix/bin:$PATH" bash -c '
. "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _netcap; printf "%s " "${COMPREPLY[@]}"; echo; }
complete -p netcap
t netcap cap
t netcap util co
t netcap capture -inc
t netcap capture -include DN
t netcap capture -include DNS,TLSS
t netcap dump -read "$2" -select qd_c
t netcap capture -include ""
' sh "$comp" "$tmp/rec/DNS.ncap.zst" 2>&1)
    want_types=$("$NETCAP" capture -h | sed -n '/^record types/{n;p;}' | tr -d ' ' | tr ',' ' ')
    expect="complete -F _netcap netcap
capture 
convert 
-include 
DNS 
DNS,TLSServerHello 
qd_count 
$want_types "
    if [ "$got" = "$expect" ]; then
        ok "completion: netcap cap<TAB> is capture; util subcommands, flags, record types (all $(echo "$want_types" | wc -w) of capture -h), dump fields"
    else
        bad completion "got:
$got
want:
$expect"
    fi
else
    bad completion "bash -n: $(head -n 3 "$tmp/bash.err")"
fi

# uninstall
if make -C "$root" --no-print-directory -s BUILD="$build" PREFIX=$prefix DESTDIR="$dest" uninstall >"$tmp/make.log" 2>&1; then
    left=$(find "$dest" -type f | sed "s|^$dest||")
    if [ -z "$left" ]; then
        ok "make uninstall removes every file"
    else
        bad uninstall "left: $left"
    fi
else
    bad uninstall "$(tail -n 5 "$tmp/make.log")"
fi
summary
