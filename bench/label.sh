#!/bin/sh
# Benchmark of netcap label: records per second of labelled output.
#   NETCAP=build/netcap bench/label.sh [PCAP] [WORKDIR]
# Cuts the first 200,000 packets of PCAP (default the benchmark capture,
# ~/.cache/netcap-bench/bench.pcap) with editcap, captures them, generates
# 10,000 eve.json alerts from the Connection records (random connections,
# random direction, a time inside the connection), then times
# `netcap label -mode first` over every type with addresses and prints
# records (CSV rows written) per second.
set -eu
NETCAP=${NETCAP:-build/netcap}
pcap=${1:-$HOME/.cache/netcap-bench/bench.pcap}
w=${2:-/tmp/netcap-label-bench}
mkdir -p "$w"
[ -f "$w/cut.pcap" ] || editcap -r "$pcap" "$w/cut.pcap" 1-200000
[ -d "$w/rec" ] || "$NETCAP" capture -read "$w/cut.pcap" -out "$w/rec" -quiet -workers 2
"$NETCAP" dump -read "$w/rec/Connection.ncap.zst" -csv \
    -select src_ip,src_port,dst_ip,dst_port,ip_protocol,timestamp_first,timestamp_last >"$w/conn.csv"
python3 - "$w/conn.csv" "$w/eve.json" <<'PY'
import csv, datetime, random, sys
random.seed(1)
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["src_ip"]]
P = {"6": "TCP", "17": "UDP", "1": "ICMP", "58": "IPv6-ICMP"}
with open(sys.argv[2], "w") as f:
    for i in range(10000):
        r = random.choice(rows)
        t0, t1 = int(r["timestamp_first"]), int(r["timestamp_last"])
        t = random.randint(t0, max(t0, t1))
        s, ns = divmod(t, 10**9)
        ts = datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        a, b, pa, pb = r["src_ip"], r["dst_ip"], r["src_port"], r["dst_port"]
        if random.random() < 0.5:
            a, b, pa, pb = b, a, pb, pa
        f.write('{"timestamp":"%s.%06d+0000","event_type":"alert","src_ip":"%s","src_port":%s,'
                '"dest_ip":"%s","dest_port":%s,"proto":"%s","alert":{"gid":1,"signature_id":%d,'
                '"rev":1,"signature":"BENCH sig %d","category":"Bench %d","severity":%d}}\n'
                % (ts, ns // 1000, a, pa, b, pb, P.get(r["ip_protocol"], r["ip_protocol"]),
                   1000 + i % 50, i % 50, i % 7, 1 + i % 3))
PY
rm -rf "$w/out"
start=$(date +%s.%N)
"$NETCAP" label -in "$w/rec" -eve "$w/eve.json" -out "$w/out" -quiet
end=$(date +%s.%N)
rows=$(cat "$w"/out/*.csv | wc -l)
files=$(ls "$w"/out/*.csv | wc -l)
rows=$((rows - files))
python3 -c "import sys; r=$rows; t=$end-$start; print('%d records (%d types), 10000 alerts, %.2f s: %.0f records/s' % (r, $files, t, r / t))"
grep -E '^(Connection|rules)' "$w/out/label-summary.txt"
