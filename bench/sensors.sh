#!/bin/sh
# Benchmark of agent -> NATS JetStream -> collect on loopback (not a test):
#   - end-to-end records per second: from the agent's start to the
#     collector's last commit, all records of the input;
#   - batch latency p50/p99: spooled -> acknowledged by the broker (agent);
#   - the CPU the agent adds over plain `capture` (user + sys, same input).
# Usage: NETCAP=build/netcap bench/sensors.sh [PCAP] [COPIES]
# Default input: ../shared/corpus/ndpi-1kxun appended COPIES (40) times.
set -eu
cd "$(dirname "$0")/.."
NETCAP=$(cd "$(dirname "${NETCAP:-build/netcap}")" && pwd)/$(basename "${NETCAP:-build/netcap}")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netcap-bench-sensors.XXXXXX")
ns=""
trap '[ -n "$ns" ] && kill $ns 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
src=${1:-../shared/corpus/ndpi-1kxun/ndpi-1kxun.pcap}
copies=${2:-40}
set --
for _ in $(seq 1 "$copies"); do set -- "$@" "$src"; done
mergecap -a -F pcap -w "$tmp/in.pcap" "$@"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listen: 127.0.0.1:%s\nmax_payload: 20MB\njetstream { store_dir: "%s/js" }\n' "$port" "$tmp" > "$tmp/ns.conf"
nats-server -c "$tmp/ns.conf" > "$tmp/ns.log" 2>&1 &
ns=$!
sleep 1
url="nats://127.0.0.1:$port"
"$NETCAP" collect -gen-keypair "$tmp/k" > /dev/null
"$NETCAP" agent -gen-keypair "$tmp/k" -sensor bench > /dev/null
mkdir "$tmp/allow" && cp "$tmp/k/bench.pub" "$tmp/allow/"

now() { python3 -c 'import time; print(time.time())'; }
# plain capture: time and CPU
/usr/bin/time -f "%e %U %S" -o "$tmp/cap.time" "$NETCAP" capture -read "$tmp/in.pcap" -out "$tmp/cap" \
    -workers 2 2> "$tmp/cap.err"
records=$(awk '/records written:/{f=1;next} f&&NF==2&&$2~/^[0-9]+$/{s+=$2} END{print s+0}' "$tmp/cap.err")
packets=$(sed -n 's/.*: \([0-9]*\) packets (.*/\1/p' "$tmp/cap.err")

"$NETCAP" collect -nats "$url" -key "$tmp/k/collector.key" -allow "$tmp/allow" -out "$tmp/out" \
    -exit-idle 3 2> "$tmp/collect.err" &
cpid=$!
sleep 1
t0=$(now)
/usr/bin/time -f "%e %U %S" -o "$tmp/agent.time" "$NETCAP" agent -read "$tmp/in.pcap" -sensor bench \
    -key "$tmp/k/bench.key" -collector-pub "$tmp/k/collector.pub" -nats "$url" -spool "$tmp/spool" \
    -workers 2 2> "$tmp/agent.err"
wait $cpid
t1=$(python3 -c 'import os,sys; print(os.path.getmtime(sys.argv[1]))' "$tmp/out/.netcap-collect.state")
read -r ce cu cs < "$tmp/cap.time"
read -r ae au as < "$tmp/agent.time"
lat=$(sed -n 's/.*p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/p50 \1 ms, p99 \2 ms/p' "$tmp/agent.err")
batches=$(sed -n 's/^netcap agent: \([0-9]*\) batches.*/\1/p' "$tmp/agent.err")
python3 - "$records" "$packets" "$t0" "$t1" "$ce" "$cu" "$cs" "$ae" "$au" "$as" "$batches" "$lat" << 'PY'
import sys
rec, pk, t0, t1, ce, cu, cs, ae, au, as_, nb, lat = sys.argv[1:]
rec, pk = int(rec), int(pk)
e2e = float(t1) - float(t0)
ccpu, acpu = float(cu) + float(cs), float(au) + float(as_)
print(f"input: {pk} packets, {rec} records, {nb} batches")
print(f"capture -workers 2 (files):        {float(ce):6.2f} s wall, {ccpu:6.2f} s CPU, {rec/float(ce):10.0f} records/s")
print(f"agent -workers 2 (to JetStream):   {float(ae):6.2f} s wall, {acpu:6.2f} s CPU")
print(f"agent -> collector end to end:     {e2e:6.2f} s, {rec/e2e:10.0f} records/s")
print(f"batch latency, spooled -> acked:   {lat}")
print(f"CPU the agent adds over capture:   {acpu-ccpu:+.2f} s ({100*(acpu-ccpu)/ccpu:+.0f}%), "
      f"{1e6*(acpu-ccpu)/max(rec,1):.2f} us per record")
PY
tail -1 "$tmp/collect.err"
