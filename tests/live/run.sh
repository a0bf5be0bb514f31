#!/bin/sh
# Live capture on the loopback interface (needs root or CAP_NET_RAW; skipped
# otherwise): traffic sent while netcap runs is recorded, and SIGINT and
# SIGTERM each stop the capture cleanly: exit 0 (a file read stopped so exits
# 130/143: tests/cli), "stopped by SIGx" in the summary, every record file
# complete and readable, no *.partial file left.
set -u
suite=live
. "$(dirname "$0")/../lib.sh"
require_netcap

# send N UDP datagrams to 127.0.0.1:53 (DNS queries for example.test)
send_udp() {
    python3 - "$1" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    q = struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0) + b"\x07example\x04test\x00\x00\x01\x00\x01"
    s.sendto(q, ("127.0.0.1", 53))
    time.sleep(0.01)
PY
}

live_case() {
    sig=$1
    out="$tmp/$sig"
    "$NETCAP" capture -iface lo -bpf "udp port 53" -out "$out" -workers 2 > "$tmp/$sig.out" 2> "$tmp/$sig.err" &
    pid=$!
    # wait until the capture is up (it prints nothing before packets; give it time)
    sleep 1
    if ! kill -0 "$pid" 2>/dev/null; then
        if grep -qiE "permission|not permitted|CAP_NET_RAW|root" "$tmp/$sig.err"; then
            skp "live-$sig" "no permission for live capture"; return
        fi
        bad "live-$sig" "capture exited early: $(head -c 300 "$tmp/$sig.err")"; return
    fi
    send_udp 20
    sleep 1
    kill -"$sig" "$pid"
    wait "$pid"
    st=$?
    if [ "$st" != 0 ]; then
        bad "live-$sig" "exit status $st after SIG$sig: $(head -c 300 "$tmp/$sig.err")"; return
    fi
    if ! grep -q "records written" "$tmp/$sig.err"; then
        bad "live-$sig" "no summary after SIG$sig"; return
    fi
    # the normal way to end a live capture: said, but not an interruption
    if ! grep -q "^  stopped by SIG$sig" "$tmp/$sig.err" || grep -q "interrupted" "$tmp/$sig.err"; then
        bad "live-$sig" "summary does not say 'stopped by SIG$sig' (or says interrupted)"; return
    fi
    if ls "$out" | grep -q '\.partial$'; then
        bad "live-$sig" ".partial file left"; return
    fi
    n=$("$NETCAP" dump -read "$out/DNS.ncap.zst" -csv 2>/dev/null | grep -c "(example.test-1-1)")
    # each query is seen on lo once (no DNS server answers: ICMP port unreachable is filtered out)
    if [ "$n" -lt 20 ]; then
        bad "live-$sig" "expected 20 DNS records, got $n"; return
    fi
    for f in "$out"/*; do
        "$NETCAP" dump -read "$f" -json > /dev/null 2>&1 || { bad "live-$sig" "unreadable $(basename "$f")"; return; }
    done
    ok "live-$sig: 20 queries recorded, clean stop on SIG$sig, files complete"
}

# Records reach the disk while a sensor runs: a few packets, then a pause,
# are in the (still .partial) file within seconds, and survive kill -9.
live_kill9() {
    out="$tmp/kill9"
    "$NETCAP" capture -iface lo -bpf "udp port 53" -out "$out" -workers 2 -quiet \
        > "$tmp/kill9.out" 2> "$tmp/kill9.err" &
    pid=$!
    sleep 1
    if ! kill -0 "$pid" 2>/dev/null; then
        if grep -qiE "permission|not permitted|CAP_NET_RAW|root" "$tmp/kill9.err"; then
            skp "live-kill9" "no permission for live capture"; return
        fi
        bad "live-kill9" "capture exited early: $(head -c 300 "$tmp/kill9.err")"; return
    fi
    send_udp 5
    sleep 3
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    f="$out/DNS.ncap.zst.partial"
    if [ ! -s "$f" ]; then
        bad "live-kill9" "no DNS records on disk 3 s after 5 queries (files: $(ls "$out" 2>/dev/null | tr '\n' ' '))"; return
    fi
    cp "$f" "$tmp/kill9-DNS.ncap.zst"
    n=$("$NETCAP" dump -read "$tmp/kill9-DNS.ncap.zst" -csv 2>/dev/null | grep -c "(example.test-1-1)")
    if [ "$n" -lt 5 ]; then
        bad "live-kill9" "expected 5 DNS records in the file left by kill -9, got $n"; return
    fi
    ok "live-kill9: 5 queries on disk within 3 s and readable after kill -9"
}

if ! ip link show lo > /dev/null 2>&1 && [ ! -d /sys/class/net/lo ]; then
    skp live "no loopback interface"
else
    live_case INT
    live_case TERM
    live_kill9
fi
summary
