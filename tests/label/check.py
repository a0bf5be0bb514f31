#!/usr/bin/env python3
"""Independent recount of netcap label's output, for tests/label/run.sh.

usage: check.py NETCAP RECORDS_DIR LABELLED_DIR MODE TOL_NS [eve=F] [fast=F] [map=F] ...
For every <Type>.csv in LABELLED_DIR: the leading cells of every row must be
exactly what `netcap dump -csv` prints for RECORDS_DIR/<Type>.ncap.zst, and
the five label cells must be what this script computes from the alert files
with its own parsers (json, re, csv, ipaddress) and a brute-force match of
every record against every rule (docs/LABEL.md). Prints one line per type
and exits 1 on the first difference, naming the row.
"""
import csv
import datetime
import ipaddress
import json
import os
import re
import subprocess
import sys

netcap, recdir, outdir, mode, tol = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
files = [a.split("=", 1) for a in sys.argv[6:]]
order = {"eve": 0, "fast": 1, "map": 2}
files.sort(key=lambda kv: order[kv[0]])  # netcap loads eve, then fast.log, then maps

PROTOS = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
          "icmpv6": 58, "ipv6-icmp": 58, "icmp6": 58, "sctp": 132}

def proto_of(s):
    s = s.strip().lower()
    if s in ("", "*", "any"):
        return None
    if s in PROTOS:
        return PROTOS[s]
    return int(s)

def ns_of(text):
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        v = int(text)
        return v * 10**9 if abs(v) < 10**12 else v
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:?\d\d)?", text)
    if not m:
        raise ValueError(text)
    y, mo, d, h, mi, s, frac, tz = m.groups()
    dt = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=datetime.timezone.utc)
    ns = int(dt.timestamp()) * 10**9 + int(((frac or "") + "000000000")[:9])
    if tz and tz not in "Zz":
        sign = 1 if tz[0] == "+" else -1
        tz = tz[1:].replace(":", "")
        ns -= sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60) * 10**9
    return ns

def net(text):
    text = text.strip()
    if text in ("", "*", "any") or text.lower() == "any":
        return None
    return ipaddress.ip_network(text, strict=False)

def ports(text):
    text = text.strip()
    if text in ("", "*") or text.lower() == "any":
        return (0, 65535)
    if "-" in text:
        a, b = text.split("-")
        return (int(a), int(b))
    return (int(text), int(text))

# rule: dict(start, end, src, dst, sp, dp, proto, label, cat, sev, rule, idx)
rules = []

def add(**r):
    r["idx"] = len(rules)
    rules.append(r)

for kind, path in files:
    raw = open(path, "rb").read().split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    header = None
    for lineno, b in enumerate(raw, 1):
        try:
            line = b.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        line = line.rstrip("\r")
        try:
            if kind == "eve":
                if not line.strip():
                    continue
                e = json.loads(line)
                if e.get("event_type") != "alert":
                    continue
                a = e["alert"]
                t = ns_of(e["timestamp"])
                proto = e.get("proto")
                p = proto_of(str(proto)) if proto is not None else None
                has = "src_port" in e and "dest_port" in e
                sp = (e["src_port"],) * 2 if has else (0, 65535)
                dp = (e["dest_port"],) * 2 if has else (0, 65535)
                add(start=t, end=t, src=ipaddress.ip_network(e["src_ip"]), dst=ipaddress.ip_network(e["dest_ip"]),
                    sp=sp, dp=dp, proto=p, label=a["signature"], cat=a.get("category", ""),
                    sev=str(a["severity"]) if "severity" in a else "",
                    rule="%d:%d:%d" % (a.get("gid", 1), a["signature_id"], a.get("rev", 0)))
            elif kind == "fast":
                m = re.match(r"(\d\d)/(\d\d)/(\d{4})-(\S+)\s+\[\*\*\] \[([^\]]*)\] (.*?) \[\*\*\]"
                             r"(?: \[Classification: ([^\]]*)\])?(?: \[Priority: (\d+)\])? \{([\w-]+)\} (\S+) -> (\S+)$", line)
                if not m:
                    continue
                mo, d, y, hms, rid, sig, cat, prio, proto, s, dd = m.groups()
                t = ns_of("%s-%s-%sT%sZ" % (y, mo, d, hms))
                p = proto_of(proto)
                def hp(x):
                    h, port = x.rsplit(":", 1)
                    return ipaddress.ip_address(h.strip("[]")), int(port)
                (sa, spn), (da, dpn) = hp(s), hp(dd)
                useports = p in (6, 17, 132)
                add(start=t, end=t, src=ipaddress.ip_network(sa), dst=ipaddress.ip_network(da),
                    sp=(spn, spn) if useports else (0, 65535), dp=(dpn, dpn) if useports else (0, 65535),
                    proto=p, label=sig.strip(), cat=cat or "", sev=prio or "", rule=rid)
            else:
                if not line.strip() or line.strip().startswith("#"):
                    continue
                cells = next(csv.reader([line]))
                if header is None:
                    header = [c.strip().lower() for c in cells]
                    continue
                c = dict(zip(header, cells))
                s, e_ = ns_of(c["start"]), ns_of(c["end"])
                add(start=s, end=e_, src=net(c["src"]), dst=net(c["dst"]), sp=ports(c.get("sport", "")),
                    dp=ports(c.get("dport", "")), proto=proto_of(c.get("proto", "")), label=c["label"],
                    cat=c.get("category", ""), sev=c.get("severity", "").strip(), rule=c.get("id", ""))
        except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError):
            continue  # a bad line: skipped, as netcap does

IMPLIED = {"TCP": 6, "UDP": 17, "SCTP": 132, "ICMPv4": 1, "ICMPv6": 58, "ICMPv6Echo": 58,
           "ICMPv6NeighborSolicitation": 58, "ICMPv6NeighborAdvertisement": 58,
           "ICMPv6RouterSolicitation": 58, "ICMPv6RouterAdvertisement": 58, "IGMP": 2, "GRE": 47,
           "IPSecESP": 50, "IPSecAH": 51, "OSPFv2": 89, "OSPFv3": 89, "VRRPv2": 112}

def contains(n, a):
    return n is None or (n.version == a.version and a in n)

def fits(r, a, b, sp, dp, proto, t0, t1):
    if r["proto"] is not None and proto is not None and r["proto"] != proto:
        return False
    if r["start"] - tol > t1 or r["end"] + tol < t0:
        return False
    def inr(v, rg):
        return v is None or rg[0] <= v <= rg[1]
    fwd = contains(r["src"], a) and contains(r["dst"], b) and inr(sp, r["sp"]) and inr(dp, r["dp"])
    rev = contains(r["src"], b) and contains(r["dst"], a) and inr(dp, r["sp"]) and inr(sp, r["dp"])
    return fwd or rev

bad = 0
names = sorted(f[:-4] for f in os.listdir(outdir) if f.endswith(".csv"))
for name in names:
    dump = subprocess.run([netcap, "dump", "-read", os.path.join(recdir, name + ".ncap.zst"), "-csv"],
                          check=True, capture_output=True).stdout.decode("utf-8")
    drows = list(csv.reader(dump.splitlines(keepends=True)))
    lrows = list(csv.reader(open(os.path.join(outdir, name + ".csv"), newline="", encoding="utf-8")))
    if len(drows) != len(lrows):
        print("FAIL %s: %d rows, dump has %d" % (name, len(lrows), len(drows)))
        sys.exit(1)
    hdr = drows[0]
    if lrows[0] != hdr + ["nc_label", "nc_category", "nc_severity", "nc_rule", "nc_matches"]:
        print("FAIL %s: header %s" % (name, lrows[0][-6:]))
        sys.exit(1)
    col = {h: i for i, h in enumerate(hdr)}
    tcol = col.get("timestamp", col.get("timestamp_first"))
    t1col = col.get("timestamp_last", col.get("timestamp_end"))
    labelled = 0
    for n, (d, l) in enumerate(zip(drows[1:], lrows[1:]), 1):
        if l[:-5] != d:
            print("FAIL %s row %d: leading cells differ from dump -csv" % (name, n))
            sys.exit(1)
        matches = []
        try:
            a, b = ipaddress.ip_address(d[col["src_ip"]]), ipaddress.ip_address(d[col["dst_ip"]])
            ok = a.version == b.version
        except ValueError:
            ok = False
        if ok:
            sp = int(d[col["src_port"]]) if "src_port" in col else None
            dp = int(d[col["dst_port"]]) if "dst_port" in col else None
            proto = IMPLIED.get(name)
            if "ip_protocol" in col:
                proto = int(d[col["ip_protocol"]]) or None
            elif "transport_proto" in col and d[col["transport_proto"]]:
                try:
                    proto = proto_of(d[col["transport_proto"]])
                except ValueError:
                    proto = None
            if tcol is None:
                t0, t1 = -2**63, 2**63 - 1
            else:
                t0 = int(d[tcol])
                t1 = int(d[t1col]) if t1col is not None else t0
                t1 = max(t0, t1)
            matches = sorted((r for r in rules if fits(r, a, b, sp, dp, proto, t0, t1)),
                             key=lambda r: (r["start"], r["idx"]))
        if not matches:
            want = ["benign", "", "", "", "0"]
        else:
            labelled += 1
            use = matches if mode == "all" else matches[:1]
            uniq = []
            for r in use:
                k = (r["label"], r["cat"], r["sev"], r["rule"])
                if k not in uniq:
                    uniq.append(k)
            want = ["|".join(k[i] for k in uniq) for i in range(4)] + [str(len(matches))]
        if l[-5:] != want:
            print("FAIL %s row %d: got %s, want %s" % (name, n, l[-5:], want))
            bad += 1
            if bad > 5:
                sys.exit(1)
    print("ok %s: %d rows, %d labelled" % (name, len(lrows) - 1, labelled))
sys.exit(1 if bad else 0)
