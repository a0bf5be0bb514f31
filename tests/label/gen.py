#!/usr/bin/env python3
"""Builds alert files and an attack map from the real 5-tuples and times of
a capture's Connection records (netcap dump -csv), for tests/label/run.sh.

usage: gen.py CONNECTION_CSV OUTDIR
Writes OUTDIR/eve.json, OUTDIR/fast.log, OUTDIR/map.csv and OUTDIR/expect.txt
(uids whose Connection row must or must not be labelled, per file:
"<kind> <uid> yes|no").
Cases: forward and reversed alerts, one flow alerted twice with different
signatures (a collision) and one twice with the same (deduplicated in -mode
all), tolerance edges (last + 1 s matches, last + 1 s + 1 us does not, with
-tolerance 1s), IPv6 where the capture has it, a CIDR and a port range in
the map, and a bad line in each alert file.
"""
import csv
import datetime
import ipaddress
import sys

conn_csv, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(conn_csv, newline="")))
rows = [r for r in rows if r["src_ip"] and r["dst_ip"]]
rows.sort(key=lambda r: (int(r["timestamp_first"]), r["uid"]))

def us_floor(ns):
    return ns - ns % 1000

def eve_ts(ns):
    s, rest = divmod(ns, 10**9)
    d = datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d+0000" % (rest // 1000)

def fast_ts(ns):
    s, rest = divmod(ns, 10**9)
    d = datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    return d.strftime("%m/%d/%Y-%H:%M:%S") + ".%06d" % (rest // 1000)

def rfc(ns):
    s, rest = divmod(ns, 10**9)
    d = datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % rest

PROTO = {"6": "TCP", "17": "UDP", "1": "ICMP", "58": "IPv6-ICMP", "132": "SCTP"}

def alert(ts, r, reverse, sig, sid, cat, sev):
    src, dst = (r["dst_ip"], r["src_ip"]) if reverse else (r["src_ip"], r["dst_ip"])
    sp, dp = (r["dst_port"], r["src_port"]) if reverse else (r["src_port"], r["dst_port"])
    proto = PROTO.get(r["ip_protocol"], r["ip_protocol"])
    o = '{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"alert",' % (eve_ts(ts), sid)
    o += '"src_ip":"%s",' % src
    if proto in ("TCP", "UDP", "SCTP"):
        o += '"src_port":%s,' % sp
    o += '"dest_ip":"%s",' % dst
    if proto in ("TCP", "UDP", "SCTP"):
        o += '"dest_port":%s,' % dp
    o += '"proto":"%s","alert":{"action":"allowed","gid":1,"signature_id":%d,"rev":1,' % (proto, sid)
    o += '"signature":"%s","category":"%s","severity":%d},"app_proto":"failed"}' % (sig, cat, sev)
    return o

eve, expect = [], []
pick = rows[:: max(1, len(rows) // 40)][:40]
for i, r in enumerate(pick):
    t0, t1 = int(r["timestamp_first"]), int(r["timestamp_last"])
    mid = us_floor((t0 + t1) // 2)
    if mid < t0:
        mid = us_floor(t0) + 1000
    kind = i % 6
    if kind == 0:
        eve.append(alert(mid, r, False, "ET TEST forward", 100 + i, "Misc activity", 3))
    elif kind == 1:
        eve.append(alert(mid, r, True, "ET TEST reversed", 200 + i, "Attempted Recon", 2))
    elif kind == 2:  # alerted twice, different labels: a collision
        eve.append(alert(mid, r, False, "ET TEST one", 300 + i, "A", 1))
        eve.append(alert(us_floor(t1), r, True, "ET TEST two", 400 + i, "B", 2))
    elif kind == 3:  # alerted twice by the same rule
        eve.append(alert(mid, r, False, "ET TEST same", 500, "Misc activity", 3))
        eve.append(alert(us_floor(t1), r, False, "ET TEST same", 500, "Misc activity", 3))
    elif kind == 4 and t1 % 1000 == 0:  # tolerance edge: last + 1 s exactly
        eve.append(alert(t1 + 10**9, r, False, "ET TEST edge in", 600 + i, "Edge", 3))
        expect.append("eve %s yes" % r["uid"])
    elif kind == 5 and t1 % 1000 == 0:  # 1 us beyond the tolerance
        eve.append(alert(t1 + 10**9 + 1000, r, True, "ET TEST edge out", 700 + i, "Edge", 3))
        expect.append("eve %s no-edge" % r["uid"])
eve.insert(len(eve) // 2, '{"timestamp":"2013-03-07T21:42:07.000000+0000","event_type":"flow"}')
eve.insert(len(eve) // 2, '{"event_type":"alert", broken')
open(out + "/eve.json", "w").write("\n".join(eve) + "\n")

fast = []
for i, r in enumerate(rows[1::7][:10]):
    t0, t1 = int(r["timestamp_first"]), int(r["timestamp_last"])
    proto = PROTO.get(r["ip_protocol"], "TCP")
    def hp(ip, port):
        a = ipaddress.ip_address(ip)
        if a.version == 6:
            ip = a.exploded
        return "%s:%s" % (ip, port if proto in ("TCP", "UDP", "SCTP") else 0)
    fast.append("%s  [**] [1:%d:2] FAST test %d [**] [Classification: Fast class] "
                "[Priority: %d] {%s} %s -> %s" % (fast_ts(us_floor(t0) if t0 % 1000 == 0 else us_floor(t0) + 1000),
                9000 + i, i % 3, 1 + i % 3, proto, hp(r["src_ip"], r["src_port"]),
                hp(r["dst_ip"], r["dst_port"])))
fast.append("not a fast.log line")
open(out + "/fast.log", "w").write("\n".join(fast) + "\n")

emitted = []  # (start, end, src net, dst net, sport range, dport range, proto): no overlaps

def meets(x, y):
    def addr(a, b):
        return a.version == b.version and (a.subnet_of(b) or b.subnet_of(a))
    def rng(a, b):
        return a[0] <= b[1] and b[0] <= a[1]
    if x[1] < y[0] or y[1] < x[0] or (x[6] != "any" and y[6] != "any" and x[6] != y[6]):
        return False
    fwd = addr(x[2], y[2]) and addr(x[3], y[3]) and rng(x[4], y[4]) and rng(x[5], y[5])
    rev = addr(x[2], y[3]) and addr(x[3], y[2]) and rng(x[4], y[5]) and rng(x[5], y[4])
    return fwd or rev

def keep(row):
    if any(meets(row, e) for e in emitted):
        return False
    emitted.append(row)
    return True

m = ["# attack map built by tests/label/gen.py",
     "start,end,src,dst,sport,dport,proto,label,category,severity,id"]
for i, r in enumerate(rows[2::9][:8]):
    t0, t1 = int(r["timestamp_first"]), int(r["timestamp_last"])
    a = ipaddress.ip_address(r["src_ip"])
    net = ipaddress.ip_network("%s/%d" % (r["src_ip"], 24 if a.version == 4 else 64), strict=False)
    dp = int(r["dst_port"] or 0)
    proto = {"6": "tcp", "17": "udp"}.get(r["ip_protocol"], "any")
    dst = ipaddress.ip_network(r["dst_ip"])
    if i % 2 == 0:
        if not keep((t0 - 5 * 10**8, t1, net, dst, (0, 65535), (max(0, dp - 5), min(65535, dp + 5)), proto)):
            continue
        m.append('%s,%s,%s,%s,any,%d-%d,%s,"Attack, %d",Cat%d,%d,row%d' % (
            rfc(t0 - 5 * 10**8), rfc(t1), net, r["dst_ip"], max(0, dp - 5), min(65535, dp + 5),
            proto, i, i % 2, i, i))
    else:  # reversed, epoch seconds, any port
        if not keep((t0 // 10**9 * 10**9, (t1 // 10**9 + 1) * 10**9, dst, net, (0, 65535), (0, 65535), "any")):
            continue
        m.append('%d,%d,%s,%s,,,any,Attack %d,Cat%d,,' % (
            t0 // 10**9, t1 // 10**9 + 1, r["dst_ip"], net, i, i % 2))
m.append("1,2,not-an-ip,10.0.0.1,,,,bad,,,")
open(out + "/map.csv", "w").write("\n".join(m) + "\n")
open(out + "/expect.txt", "w").write("\n".join(expect) + ("\n" if expect else ""))
