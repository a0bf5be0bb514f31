#!/usr/bin/env python3
"""Oracle suite: compare netcap's records field by field with trusted peers.

For every case of the shared corpus (<corpus>/<case>/<case>.pcap[ng]|.cap,
oracle outputs in <case>/oracle/<kind>/) this runs `netcap capture`, dumps
every record file with `netcap dump -json` and compares:

  frames   tshark frames.tsv: Ethernet MACs, 802.1Q VLAN ids, IPv4/IPv6
           addresses and protocol, TCP ports and flags, UDP ports,
           ICMPv4/ICMPv6 type and code, frame by frame
  dns      tshark dns.tsv: id, QR, rcode, question names and types, A/AAAA/
           CNAME answers, TTLs, message by message
  zeek     Zeek conn.log: per connection protocol and packets each way; IP-level
           bytes each way (from our IPv4/IPv6 length fields); UDP payload bytes
  cid      Zeek Community ID baselines: exact Community ID v1 string
  ndpi     ndpiReader expected output: packets and frame bytes each way per flow
  arkime   Arkime sessions: packets and frame bytes each way per session

Differences that exist by design or because a feature is not there yet are
listed in EXPECTED_* below with a one-line reason; they make a test "XFAIL"
(counted as passed) only when exactly that difference occurs.  Everything
else that differs is a FAIL.  Output lines: PASS/XFAIL/FAIL/SKIP <name>[: why],
figure lines indented, and last "oracle: N passed, M failed, K skipped".

Python 3 standard library only.
"""

import argparse
import base64
import collections
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# --------------------------------------------------------------------------
# Expected differences (documented; each one is printed when it occurs)
# --------------------------------------------------------------------------

# Link types netcap does not decode (yet): it writes no records for them.
UNSUPPORTED_LINKTYPES = {
    9: "PPP link type (9) is not decoded yet: netcap writes no records",
    105: "802.11 link type (105) is not decoded yet: netcap writes no records",
    127: "802.11 radiotap link type (127) is not decoded yet: netcap writes no records",
    220: "USB (usbmon) link type (220) is not decoded: netcap writes no records",
    249: "USBPcap link type (249) is not decoded: netcap writes no records",
    288: "USB 2.0 packets link type (288) is not decoded: netcap writes no records",
}

# frame.protocols tokens after which netcap (by design or not yet) decodes
# nothing: tshark lists the fields of the inner headers, we have no records.
STOP_TOKENS = {
    "gre": "GRE payload is not decapsulated (no tunnel decoding yet)",
    "vxlan": "VXLAN payload is not decapsulated (no tunnel decoding yet)",
    "geneve": "Geneve payload is not decapsulated (no tunnel decoding yet)",
    "mpls": "MPLS label stack is not decoded yet",
    "pppoes": "PPPoE session payload is not decoded yet",
    "ppp": "PPP is not decoded yet",
    "radiotap": "802.11 radiotap link type is not decoded yet",
    "wlan": "802.11 link type is not decoded yet",
    "usb": "USB is not decoded",
    "usbll": "USB is not decoded",
    "ah": "IPsec AH payload is not decoded yet (no AH decoder)",
    "ipv6.fraghdr": "IPv6 fragments are not reassembled (tshark decodes the reassembled "
                    "datagram on the last fragment; netcap decodes the first fragment only)",
}
REASON_ICMP_QUOTE = ("ICMP error messages quote the offending packet: tshark lists the quoted "
                     "headers, netcap records the outer packet only (by design)")
REASON_IP_IN_IP = "IP-in-IP encapsulation is not decapsulated (no tunnel decoding yet)"

# Kinds compared in the frames check: tshark frame.protocols token -> kind,
# record type, [(tshark column, our field)].
KINDS = collections.OrderedDict([
    ("eth", ("Ethernet", [("eth.src", "src_mac"), ("eth.dst", "dst_mac")])),
    ("vlan", ("Dot1Q", [("vlan.id", "vlan_identifier")])),
    ("ip", ("IPv4", [("ip.src", "src_ip"), ("ip.dst", "dst_ip"), ("ip.proto", "protocol")])),
    ("ipv6", ("IPv6", [("ipv6.src", "src_ip"), ("ipv6.dst", "dst_ip"), ("ipv6.nxt", "next_header")])),
    ("tcp", ("TCP", [("tcp.srcport", "src_port"), ("tcp.dstport", "dst_port"), ("tcp.flags", "@flags")])),
    ("udp", ("UDP", [("udp.srcport", "src_port"), ("udp.dstport", "dst_port")])),
    ("icmp", ("ICMPv4", [("icmp.type", "type"), ("icmp.code", "code")])),
    ("icmpv6", ("ICMPv6", [("icmpv6.type", "type"), ("icmpv6.code", "code")])),
])
TOKEN_KIND = {k: k for k in KINDS}
TOKEN_KIND["ieee8021ad"] = "qinq"   # 802.1ad S-tag: tshark has no vlan.id for it

TCP_FLAG_BITS = [("fin", 0x001), ("syn", 0x002), ("rst", 0x004), ("psh", 0x008), ("ack", 0x010),
                 ("urg", 0x020), ("ece", 0x040), ("cwr", 0x080), ("ns", 0x100)]

IPPROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp", 132: "sctp"}

# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


class Check:
    """Outcome of one test: figures, unexplained problems, expected differences."""

    def __init__(self, name):
        self.name = name
        self.figures = collections.OrderedDict()   # label -> [matched, total]
        self.problems = []                         # unexplained differences
        self.nproblems = 0
        self.xfail = collections.OrderedDict()     # reason -> count
        self.notes = []
        self.skip = None

    def fig(self, label, ok, n=1):
        f = self.figures.setdefault(label, [0, 0])
        f[0] += n if ok else 0
        f[1] += n

    def problem(self, msg):
        self.nproblems += 1
        if len(self.problems) < 8:
            self.problems.append(msg)

    def expect(self, reason, n=1):
        self.xfail[reason] = self.xfail.get(reason, 0) + n

    @property
    def status(self):
        if self.skip:
            return "SKIP"
        if self.nproblems:
            return "FAIL"
        if self.xfail:
            return "XFAIL"
        return "PASS"


def fmt_figs(figs):
    return ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in figs.items())


# --------------------------------------------------------------------------
# Running netcap
# --------------------------------------------------------------------------


def run(cmd, timeout=120):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def capture_case(netcap, pcap, outdir):
    rc, _, err = run([netcap, "capture", "-read", pcap, "-out", outdir, "-workers", "1", "-quiet"])
    return rc, err.strip()


def dump_file(netcap, path):
    rc, out, err = run([netcap, "dump", "-read", path, "-json"])
    if rc != 0:
        raise RuntimeError("netcap dump %s: exit %d: %s" % (path, rc, err.strip()[:200]))
    return [json.loads(l) for l in out.splitlines() if l.strip()]


# --------------------------------------------------------------------------
# Corpus parsing
# --------------------------------------------------------------------------


def ts_ns(s):
    """tshark 'sec.frac' -> int ns, exactly."""
    s = s.strip()
    if "." in s:
        a, b = s.split(".", 1)
        return int(a) * 1000000000 + int((b + "000000000")[:9])
    return int(s) * 1000000000


def read_tsv(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    if not lines:
        return [], []
    head = lines[0].split("\t")
    rows = []
    for l in lines[1:]:
        c = l.split("\t")
        c += [""] * (len(head) - len(c))
        rows.append(dict(zip(head, c)))
    return head, rows


def split_multi(v, sep):
    v = v.strip()
    if v == "":
        return []
    return v.split(sep)


class Frame:
    __slots__ = ("no", "ts", "len", "caplen", "tokens", "cols", "occ", "stop_reason")


def load_frames(path):
    head, rows = read_tsv(path)
    sep = "|"
    if not any("|" in r.get(h, "") for r in rows for h in head[5:]) and \
            any("," in r.get(h, "") for r in rows for h in head[5:]):
        sep = ","
    frames = []
    for r in rows:
        fr = Frame()
        fr.no = int(r["frame.number"])
        fr.ts = ts_ns(r["frame.time_epoch"])
        fr.len = int(r["frame.len"] or 0)
        fr.caplen = int(r.get("frame.cap_len") or 0)
        fr.tokens = r["frame.protocols"].split(":") if r["frame.protocols"] else []
        fr.cols = {h: split_multi(r[h], sep) for h in head[5:]}
        fr.occ, fr.stop_reason = protocol_stack(fr.tokens)
        frames.append(fr)
    return frames


def protocol_stack(tokens):
    """Occurrences of compared kinds in frame.protocols order: [(kind, reason)]
    where reason is None when netcap is expected to decode that header, else
    why it does not.  Also returns the first stop reason of the frame."""
    occ = []
    reason = None
    prev = None
    for t in tokens:
        if reason is None:
            if t in STOP_TOKENS:
                reason = STOP_TOKENS[t]
            elif t in ("ip", "ipv6") and prev in ("ip", "ipv6"):
                reason = REASON_IP_IN_IP
        kind = TOKEN_KIND.get(t)
        if kind:
            occ.append((kind, reason))
        if reason is None and t in ("icmp", "icmpv6"):
            reason = REASON_ICMP_QUOTE
        if t != "ethertype":
            prev = t
    return occ, reason


def read_manifest(corpus):
    m = {}
    p = os.path.join(corpus, "MANIFEST.tsv")
    if os.path.exists(p):
        _, rows = read_tsv(p)
        for r in rows:
            m[r.get("case", "")] = r
    return m


def find_capture(casedir, case):
    for ext in (".pcap", ".pcapng", ".cap"):
        p = os.path.join(casedir, case + ext)
        if os.path.exists(p):
            return p
    for n in sorted(os.listdir(casedir)):
        if n.endswith((".pcap", ".pcapng", ".cap")):
            return os.path.join(casedir, n)
    return None


# --------------------------------------------------------------------------
# Alignment of records to frames
# --------------------------------------------------------------------------


def align(frames, recs, expected, tsfield="timestamp"):
    """Assign records (in packet order) to frames by timestamp.  Frames with
    equal consecutive timestamps share the pool of records with that time,
    distributed in order by the expected counts (the last takes the rest).
    Returns (per-frame record lists, orphan records)."""
    remaining = collections.Counter(f.ts for f in frames)
    out = [[] for _ in frames]
    orphans = []
    j = 0
    i = 0
    n = len(frames)
    while i < n:
        ts = frames[i].ts
        g = i
        while g + 1 < n and frames[g + 1].ts == ts:
            g += 1
        while j < len(recs) and recs[j][tsfield] != ts and remaining[recs[j][tsfield]] == 0:
            orphans.append(recs[j])
            j += 1
        pool = []
        while j < len(recs) and recs[j][tsfield] == ts:
            pool.append(recs[j])
            j += 1
        for k in range(i, g + 1):
            take = len(pool) if k == g else min(expected[k], len(pool))
            out[k] = pool[:take]
            pool = pool[take:]
            remaining[ts] -= 1
        i = g + 1
    orphans.extend(recs[j:])
    return out, orphans


# --------------------------------------------------------------------------
# Check 1: tshark frames.tsv
# --------------------------------------------------------------------------


def tcp_flags(r):
    v = 0
    for name, bit in TCP_FLAG_BITS:
        if r.get(name):
            v |= bit
    return v


def our_value(kind, field, r):
    if field == "@flags":
        return tcp_flags(r)
    return r.get(field)


def tshark_value(kind, col, v):
    if col == "tcp.flags":
        return int(v, 16) & 0x1FF
    if col in ("ip.proto", "ipv6.nxt", "vlan.id", "tcp.srcport", "tcp.dstport", "udp.srcport",
               "udp.dstport", "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code"):
        return int(v)
    return v


def check_frames(case, frames, recs, linktype):
    c = Check("%s/frames" % case)
    ntotal = sum(len(v) for v in recs.values())
    if ntotal == 0 and linktype in UNSUPPORTED_LINKTYPES:
        c.expect(UNSUPPORTED_LINKTYPES[linktype], len(frames))
        c.notes.append("%d frames, 0 records" % len(frames))
        return c
    for kind, (rtype, fields) in KINDS.items():
        rl = recs.get(rtype, [])
        if kind == "vlan":
            rl = [r for r in rl if r.get("tpid") != 0x88A8]
        expected = [sum(1 for k, why in f.occ if k == kind and why is None) for f in frames]
        per, orphans = align(frames, rl, expected)
        for r in orphans[:3]:
            c.problem("%s record at t=%d matches no frame" % (rtype, r["timestamp"]))
        if len(orphans) > 3:
            c.problem("... %d more orphan %s records" % (len(orphans) - 3, rtype))
        for f, mine in zip(frames, per):
            occ = [why for k, why in f.occ if k == kind]
            ntok = len(occ)
            vis = sum(1 for w in occ if w is None)
            m = len(mine)
            cols = [f.cols.get(col, []) for col, _ in fields]
            for i in range(min(m, ntok)):
                if occ[i] is not None:
                    c.problem("frame %d: %s #%d decoded although expected not to be (%s): "
                              "update the expectation" % (f.no, rtype, i + 1, occ[i]))
                for (col, fld), vals in zip(fields, cols):
                    if i >= len(vals):
                        continue
                    tv = tshark_value(kind, col, vals[i])
                    ov = our_value(kind, fld, mine[i])
                    ok = tv == ov
                    c.fig(col, ok)
                    if not ok:
                        c.problem("frame %d: %s #%d %s: tshark %r, netcap %s=%r"
                                  % (f.no, rtype, i + 1, col, vals[i], fld.lstrip("@"), ov))
            if m < vis:
                c.problem("frame %d: %d %s record(s) missing (tshark shows %d)"
                          % (f.no, vis - m, rtype, vis))
                for col, _ in fields:
                    c.fig(col, False, vis - m)
            for i in range(max(m, vis), ntok):
                c.expect(occ[i])
            if m > ntok:
                why = allowed_extra(f, kind)
                if why:
                    c.expect(why, m - ntok)
                else:
                    c.problem("frame %d: %d extra %s record(s) (tshark shows %d)"
                              % (f.no, m - ntok, rtype, ntok))
    # 802.1ad S-tags: tshark has no id column; compare the count only
    qinq = [r for r in recs.get("Dot1Q", []) if r.get("tpid") == 0x88A8]
    nq = sum(1 for f in frames for k, why in f.occ if k == "qinq" and why is None)
    if nq or qinq:
        c.fig("802.1ad tags", len(qinq) == nq, max(nq, len(qinq)) if len(qinq) == nq else max(nq, len(qinq)))
        if len(qinq) != nq:
            c.problem("802.1ad S-tags: tshark %d, netcap %d Dot1Q records with tpid 0x88a8" % (nq, len(qinq)))
    return c


def allowed_extra(frame, kind):
    if "ipv6.fraghdr" in frame.tokens and kind in ("tcp", "udp", "icmpv6"):
        return STOP_TOKENS["ipv6.fraghdr"]
    return None


# --------------------------------------------------------------------------
# Check 2: tshark dns.tsv
# --------------------------------------------------------------------------

DNS_TOKENS = ("dns", "mdns", "llmnr")


def dns_name(v):
    return "<Root>" if v == "" else v


def hex_to_name(h):
    if not h:
        return ""
    try:
        return bytes.fromhex(h).decode("utf-8", "replace")
    except ValueError:
        return h


def our_dns_lists(rs):
    out = collections.defaultdict(list)
    for r in rs:
        out["dns.id"].append(r.get("id", 0))
        out["dns.flags.response"].append(1 if r.get("qr") else 0)
        if r.get("qr"):
            out["dns.flags.rcode"].append(r.get("response_code", 0))
        for q in r.get("questions") or []:
            out["dns.qry.name"].append(dns_name(q.get("name", "")))
            out["dns.qry.type"].append(q.get("type", 0))
        for sect in ("answers", "authorities", "additionals"):
            for rr in r.get(sect) or []:
                t = rr.get("type")
                if t == 1:
                    out["dns.a"].append(rr.get("ip", ""))
                elif t == 28:
                    out["dns.aaaa"].append(rr.get("ip", ""))
                elif t == 5:
                    out["dns.cname"].append(dns_name(hex_to_name(rr.get("cname", ""))))
                if t != 41:
                    out["dns.resp.ttl"].append(rr.get("ttl", 0))
    return out


def tshark_dns_lists(row, sep):
    out = {}
    out["dns.id"] = [int(x, 16) for x in split_multi(row["dns.id"], sep)]
    out["dns.flags.response"] = [int(x) for x in split_multi(row["dns.flags.response"], sep)]
    out["dns.flags.rcode"] = [int(x) for x in split_multi(row["dns.flags.rcode"], sep)]
    out["dns.qry.name"] = split_multi(row["dns.qry.name"], sep)
    out["dns.qry.type"] = [int(x) for x in split_multi(row["dns.qry.type"], sep)]
    out["dns.a"] = split_multi(row["dns.a"], sep)
    out["dns.aaaa"] = split_multi(row["dns.aaaa"], sep)
    out["dns.cname"] = split_multi(row["dns.cname"], sep)
    out["dns.resp.ttl"] = [int(x) for x in split_multi(row["dns.resp.ttl"], sep)]
    return out


DNS_FIELDS = ["dns.id", "dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type",
              "dns.a", "dns.aaaa", "dns.cname", "dns.resp.ttl"]


def dns_visible(f):
    """(has a DNS-like layer, reason it is not expected from netcap or None)."""
    reason = None
    prev = None
    for t in f.tokens:
        if reason is None:
            if t in STOP_TOKENS:
                reason = STOP_TOKENS[t]
            elif t in ("ip", "ipv6") and prev in ("ip", "ipv6"):
                reason = REASON_IP_IN_IP
        if t in DNS_TOKENS:
            return t, reason
        if reason is None and t in ("icmp", "icmpv6"):
            reason = REASON_ICMP_QUOTE
        if t != "ethertype":
            prev = t
    return None, None


def check_dns(case, frames, dnspath, recs):
    c = Check("%s/dns" % case)
    head, rows = read_tsv(dnspath)
    sep = "|" if any("|" in v for r in rows for v in r.values()) else ","
    byno = {r["frame.number"]: r for r in rows}
    vis = [dns_visible(f) for f in frames]
    expected = [1 if t and why is None else 0 for t, why in vis]
    per, orphans = align(frames, recs.get("DNS", []), expected)
    for r in orphans[:5]:
        c.problem("DNS record at t=%d matches no frame" % r["timestamp"])
    nomsg = 0
    for f, mine, (tok, why) in zip(frames, per, vis):
        row = byno.get(str(f.no))
        if row is None:
            if mine:
                if tok in ("mdns", "llmnr"):
                    c.fig("mDNS/LLMNR messages decoded (not in dns.tsv)", True, len(mine))
                else:
                    c.problem("frame %d (%s): %d DNS record(s) but tshark shows no DNS"
                              % (f.no, ":".join(f.tokens[-3:]), len(mine)))
            elif tok in ("mdns", "llmnr") and why is None:
                c.problem("frame %d: %s message not decoded" % (f.no, tok))
            continue
        if not mine:
            if why is not None:
                c.expect(why)
            else:
                c.problem("frame %d: DNS message missing" % f.no)
                c.fig("messages", False)
            continue
        if why is not None:
            c.problem("frame %d: DNS decoded although expected not to be (%s): update the "
                      "expectation" % (f.no, why))
        c.fig("messages", True)
        t = tshark_dns_lists(row, sep)
        o = our_dns_lists(mine)
        for fld in DNS_FIELDS:
            a, b = t[fld], o.get(fld, [])
            n = max(len(a), len(b))
            ok = sum(1 for x, y in zip(a, b) if x == y)
            if n:
                c.figures.setdefault(fld, [0, 0])
                c.figures[fld][0] += ok
                c.figures[fld][1] += n
            if ok != n:
                c.problem("frame %d: %s: tshark %s, netcap %s" % (f.no, fld, a[:6], b[:6]))
    return c


# --------------------------------------------------------------------------
# Flow matching helpers
# --------------------------------------------------------------------------


def conn_endpoints(cn):
    return (cn.get("src_ip", ""), cn.get("src_port", 0), cn.get("dst_ip", ""), cn.get("dst_port", 0))


class FlowIndex:
    def __init__(self, conns):
        self.conns = conns
        self.by = collections.defaultdict(list)
        self.used = set()
        for i, cn in enumerate(conns):
            a, ap, b, bp = conn_endpoints(cn)
            self.by[(a, ap, b, bp)].append(i)
            self.by[(b, bp, a, ap)].append(i)

    def find(self, a, ap, b, bp, proto=None, prefer=None):
        """Unused connections with these endpoints (either direction).
        Returns list of (index, forward) where forward means our client is a."""
        out = []
        for i in self.by.get((a, ap, b, bp), []):
            if i in self.used:
                continue
            cn = self.conns[i]
            if proto is not None and cn.get("ip_protocol") != proto:
                continue
            fwd = (cn.get("src_ip"), cn.get("src_port")) == (a, ap)
            if a == b and ap == bp:
                fwd = True
            out.append((i, fwd))
        return out


def dir_counts(cn, fwd):
    """(pkts a->b, pkts b->a, frame bytes a->b, b->a, payload a->b, b->a)"""
    if fwd:
        return (cn["packets_client_to_server"], cn["packets_server_to_client"],
                cn["bytes_client_to_server"], cn["bytes_server_to_client"],
                cn["payload_client_to_server"], cn["payload_server_to_client"])
    return (cn["packets_server_to_client"], cn["packets_client_to_server"],
            cn["bytes_server_to_client"], cn["bytes_client_to_server"],
            cn["payload_server_to_client"], cn["payload_client_to_server"])


def ip_bytes_per_conn(conns, recs):
    """IP-level bytes per connection and direction, summed from our IPv4
    (total length) and IPv6 (payload length + 40) records."""
    idx = collections.defaultdict(list)
    for i, cn in enumerate(conns):
        a, ap, b, bp = conn_endpoints(cn)
        idx[(a, b)].append(i)
        idx[(b, a)].append(i)
    res = [[0, 0, 0, 0] for _ in conns]   # bytes c2s, s2c, pkts c2s, s2c
    for rtype, extra in (("IPv4", 0), ("IPv6", 40)):
        for r in recs.get(rtype, []):
            cands = idx.get((r["src_ip"], r["dst_ip"]), [])
            best = None
            for i in cands:
                cn = conns[i]
                if not (cn["timestamp_first"] <= r["timestamp"] <= cn["timestamp_last"]):
                    continue
                if rtype == "IPv4" and r.get("protocol") != cn.get("ip_protocol"):
                    continue
                p = cn.get("ip_protocol")
                if p in (6, 17, 132):
                    if {(r["src_ip"], r.get("src_port")), (r["dst_ip"], r.get("dst_port"))} != \
                            {(cn["src_ip"], cn["src_port"]), (cn["dst_ip"], cn["dst_port"])}:
                        continue
                best = i
                break
            if best is None:
                continue
            cn = conns[best]
            c2s = (r["src_ip"], r.get("src_port")) == (cn["src_ip"], cn["src_port"]) or \
                (cn.get("ip_protocol") not in (6, 17, 132) and r["src_ip"] == cn["src_ip"])
            if cn["src_ip"] == cn["dst_ip"] and cn["src_port"] == cn["dst_port"]:
                c2s = True
            res[best][0 if c2s else 1] += r.get("length", 0) + extra
            res[best][2 if c2s else 3] += 1
    return res


# --------------------------------------------------------------------------
# Check 3: Zeek conn.log and Community ID
# --------------------------------------------------------------------------


def read_zeek_log(path):
    fields = None
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#") or not line.strip() or fields is None:
                continue
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def zint(v):
    return 0 if v in ("-", "(empty)", "") else int(v)


def check_zeek_conn(case, path, recs):
    c = Check("%s/zeek" % case)
    zs = read_zeek_log(path)
    conns = recs.get("Connection", [])
    fi = FlowIndex(conns)
    ipb = ip_bytes_per_conn(conns, recs)
    for z in zs:
        a, b = z["id.orig_h"], z["id.resp_h"]
        ap, bp = zint(z["id.orig_p"]), zint(z["id.resp_p"])
        proto = z["proto"]
        tag = "%s %s:%d -> %s:%d" % (proto, a, ap, b, bp)
        cands = fi.find(a, ap, b, bp)
        if not cands:
            why = zeek_unmatched_reason(case, z)
            if why:
                c.expect(why)
            else:
                c.problem("%s: no netcap connection" % tag)
                c.fig("connections matched", False)
            continue
        zo, zr = zint(z["orig_pkts"]), zint(z["resp_pkts"])
        pick = cands[0]
        for i, fwd in cands:
            d = dir_counts(conns[i], fwd)
            if (d[0], d[1]) == (zo, zr):
                pick = (i, fwd)
                break
        i, fwd = pick
        fi.used.add(i)
        cn = conns[i]
        c.fig("connections matched", True)
        ok = IPPROTO_NAMES.get(cn.get("ip_protocol"), "unknown_transport") == proto
        c.fig("proto", ok)
        if not ok:
            c.problem("%s: netcap ip_protocol %d" % (tag, cn.get("ip_protocol")))
        d = dir_counts(cn, fwd)
        ib = ipb[i]
        ib = (ib[0], ib[1]) if fwd else (ib[1], ib[0])
        for label, zv, ov in (("orig_pkts", zo, d[0]), ("resp_pkts", zr, d[1]),
                              ("orig_ip_bytes", zint(z["orig_ip_bytes"]), ib[0]),
                              ("resp_ip_bytes", zint(z["resp_ip_bytes"]), ib[1])):
            ok = zv == ov
            c.fig(label, ok)
            if not ok:
                why = zeek_diff_reason(case, z, label, zv, ov)
                if why:
                    c.expect(why)
                else:
                    c.problem("%s: %s zeek %d, netcap %d" % (tag, label, zv, ov))
        if proto == "udp":
            for label, zv, ov in (("orig_bytes (udp payload)", z["orig_bytes"], d[4]),
                                  ("resp_bytes (udp payload)", z["resp_bytes"], d[5])):
                if zv == "-":
                    zv = "0"
                ok = int(zv) == ov
                c.fig(label, ok)
                if not ok:
                    c.problem("%s: %s zeek %s, netcap %d" % (tag, label, zv, ov))
        # frame bytes vs IP bytes: the link-layer overhead, never negative
        fb = (d[2], d[3])
        if fb[0] < ib[0] or fb[1] < ib[1]:
            c.problem("%s: frame bytes %s smaller than IP bytes %s" % (tag, fb, ib))
    extra = [cn for k, cn in enumerate(conns) if k not in fi.used]
    if extra:
        c.notes.append("%d netcap connection(s) not in conn.log" % len(extra))
        for cn in extra:
            why = zeek_extra_reason(case, cn)
            if why:
                c.expect(why)
            else:
                c.problem("netcap connection %s %s:%d -> %s:%d not in Zeek conn.log"
                          % (cn.get("ip_protocol"), cn["src_ip"], cn["src_port"], cn["dst_ip"], cn["dst_port"]))
    return c


def zeek_unmatched_reason(case, z):
    if z.get("tunnel_parents", "-") not in ("-", "(empty)", ""):
        return "Zeek decapsulates tunnels and logs the inner connections; netcap does not (yet)"
    return None


def zeek_diff_reason(case, z, label, zv, ov):
    return None


def zeek_extra_reason(case, cn):
    return None


CID_RE = re.compile(r"orig_h=([^,]+), orig_p=(\d+)/(\w+), resp_h=([^,]+), resp_p=(\d+)/(\w+), "
                    r"proto=(\d+).*?(1:[A-Za-z0-9+/=]+)\s*$")


def check_cid(case, paths, recs):
    c = Check("%s/cid" % case)
    conns = recs.get("Connection", [])
    fi = FlowIndex(conns)
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = CID_RE.search(line)
                if not m:
                    continue
                a, ap, _, b, bp, _, proto, cid = m.groups()
                ap, bp, proto = int(ap), int(bp), int(proto)
                cands = fi.find(a, ap, b, bp, proto)
                if not cands:
                    # ports are 0 in Zeek when it has no analyzer for the protocol
                    cands = [(i, fwd) for i, cn in enumerate(conns)
                             if cn.get("ip_protocol") == proto and {cn["src_ip"], cn["dst_ip"]} == {a, b}
                             for fwd in [cn["src_ip"] == a]]
                if not cands:
                    c.problem("no netcap connection for %s %s:%d %s:%d" % (proto, a, ap, b, bp))
                    c.fig("community_id", False)
                    continue
                for i, _ in cands:
                    ours = conns[i].get("community_id", "")
                    ok = ours == cid
                    c.fig("community_id", ok)
                    if not ok:
                        c.problem("%d %s:%d <-> %s:%d: zeek %s, netcap %s" % (proto, a, ap, b, bp, cid, ours))
    if not c.figures:
        c.skip = "no Community ID lines"
    return c


# --------------------------------------------------------------------------
# Check 4: nDPI
# --------------------------------------------------------------------------

NDPI_RE = re.compile(r"^\s+\d+\s+(\S+)\s+(\S+)\s+(<->|->)\s+(\S+)\s+\[(.*)$")
NDPI_CNT_RE = re.compile(r"\[(\d+) pkts/(\d+) bytes (?:<->|->) (\d+) pkts/(\d+) bytes\]")
NDPI_PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "SCTP": 132, "AH": 51, "ESP": 50}


def split_hostport(s):
    if s.startswith("["):
        h, _, p = s[1:].rpartition("]:")
        return h, int(p)
    h, _, p = s.rpartition(":")
    return h, int(p)


def read_ndpi(path):
    flows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = NDPI_RE.match(line)
            if not m:
                continue
            proto, a, arrow, b, rest = m.groups()
            cm = NDPI_CNT_RE.search(line)
            if not cm:
                continue
            ah, ap = split_hostport(a)
            bh, bp = split_hostport(b)
            flows.append(dict(proto=proto, a=ah, ap=ap, b=bh, bp=bp, line=line.strip(),
                              vlan="[VLAN:" in line, tunnel=re.search(r"\[proto: (VXLAN|GTP|GRE)", line) is not None,
                              cnt=tuple(int(x) for x in cm.groups())))
    return flows


def check_ndpi(case, path, recs):
    c = Check("%s/ndpi" % case)
    conns = recs.get("Connection", [])
    fi = FlowIndex(conns)
    flows = read_ndpi(path)
    if not flows:
        c.skip = "no flow lines in nDPI output"
        return c
    for fl in flows:
        tag = "%s %s:%d <-> %s:%d" % (fl["proto"], fl["a"], fl["ap"], fl["b"], fl["bp"])
        proto = NDPI_PROTO.get(fl["proto"].upper())
        cands = fi.find(fl["a"], fl["ap"], fl["b"], fl["bp"], proto)
        if not cands:
            why = ndpi_unmatched_reason(case, fl)
            if why:
                c.expect(why)
            else:
                c.problem("%s: no netcap connection" % tag)
                c.fig("flows matched", False)
            continue
        pa, ba, pb, bb = fl["cnt"]
        pick = cands[0]
        for i, fwd in cands:
            d = dir_counts(conns[i], fwd)
            if (d[0], d[1]) == (pa, pb):
                pick = (i, fwd)
                break
        i, fwd = pick
        fi.used.add(i)
        d = dir_counts(conns[i], fwd)
        c.fig("flows matched", True)
        for label, nv, ov in (("pkts a->b", pa, d[0]), ("pkts b->a", pb, d[1]),
                              ("bytes a->b", ba, d[2]), ("bytes b->a", bb, d[3])):
            ok = nv == ov
            c.fig(label, ok)
            if not ok:
                why = ndpi_diff_reason(case, fl, label, nv, ov)
                if why:
                    c.expect(why)
                else:
                    c.problem("%s: %s ndpi %d, netcap %d" % (tag, label, nv, ov))
    extra = [cn for k, cn in enumerate(conns) if k not in fi.used]
    for cn in extra:
        why = ndpi_extra_reason(case, cn)
        if why:
            c.expect(why)
        else:
            c.problem("netcap connection %d %s:%d -> %s:%d not in nDPI output"
                      % (cn.get("ip_protocol"), cn["src_ip"], cn["src_port"], cn["dst_ip"], cn["dst_port"]))
    return c


def ndpi_unmatched_reason(case, fl):
    if fl["tunnel"]:
        return "nDPI decapsulates tunnels (VXLAN) and reports the inner flows; netcap does not (yet)"
    return None


def ndpi_diff_reason(case, fl, label, nv, ov):
    return None


def ndpi_extra_reason(case, cn):
    return None


# --------------------------------------------------------------------------
# Check 5: Arkime
# --------------------------------------------------------------------------


def read_arkime(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        d = json.load(f)
    out = []
    for s in d.get("sessions3", []):
        b = s.get("body", {})
        src, dst = b.get("source", {}), b.get("destination", {})
        out.append(dict(proto=b.get("ipProtocol", 0), a=src.get("ip"), ap=src.get("port", 0),
                        b=dst.get("ip"), bp=dst.get("port", 0),
                        pa=src.get("packets", 0), ba=src.get("bytes", 0),
                        pb=dst.get("packets", 0), bb=dst.get("bytes", 0),
                        first=b.get("firstPacket"), last=b.get("lastPacket")))
    return out


def check_arkime(case, paths, recs):
    c = Check("%s/arkime" % case)
    conns = recs.get("Connection", [])
    fi = FlowIndex(conns)
    for p in paths:
        for s in read_arkime(p):
            tag = "%s %s:%s -> %s:%s" % (s["proto"], s["a"], s["ap"], s["b"], s["bp"])
            if s["a"] is None:
                c.expect("Arkime keeps sessions for non-IP traffic (LLDP, IS-IS, ...); netcap "
                         "Connection records are IP flows only (by design)")
                continue
            cands = fi.find(s["a"], s["ap"], s["b"], s["bp"], s["proto"])
            agg = None
            if not cands and s["proto"] not in (6, 17, 132):
                # Arkime keys ICMP/other sessions by address pair only
                idx = [(i, cn["src_ip"] == s["a"]) for i, cn in enumerate(conns)
                       if i not in fi.used and cn.get("ip_protocol") == s["proto"]
                       and {cn["src_ip"], cn["dst_ip"]} == {s["a"], s["b"]}]
                if idx:
                    agg = idx
            if not cands and not agg:
                why = arkime_unmatched_reason(case, s)
                if why:
                    c.expect(why)
                else:
                    c.problem("%s: no netcap connection" % tag)
                    c.fig("sessions matched", False)
                continue
            if agg:
                d = [0] * 6
                for i, fwd in agg:
                    fi.used.add(i)
                    dd = dir_counts(conns[i], fwd)
                    d = [x + y for x, y in zip(d, dd)]
            else:
                pick = cands[0]
                for i, fwd in cands:
                    dd = dir_counts(conns[i], fwd)
                    if (dd[0], dd[1]) == (s["pa"], s["pb"]):
                        pick = (i, fwd)
                        break
                fi.used.add(pick[0])
                d = dir_counts(conns[pick[0]], pick[1])
            c.fig("sessions matched", True)
            for label, av, ov in (("source.packets", s["pa"], d[0]), ("destination.packets", s["pb"], d[1]),
                                  ("source.bytes", s["ba"], d[2]), ("destination.bytes", s["bb"], d[3])):
                ok = av == ov
                c.fig(label, ok)
                if not ok:
                    why = arkime_diff_reason(case, s, label, av, ov)
                    if why:
                        c.expect(why)
                    else:
                        c.problem("%s: %s arkime %d, netcap %d" % (tag, label, av, ov))
    extra = [cn for k, cn in enumerate(conns) if k not in fi.used]
    for cn in extra:
        why = arkime_extra_reason(case, cn)
        if why:
            c.expect(why)
        else:
            c.problem("netcap connection %d %s:%d -> %s:%d not in Arkime sessions"
                      % (cn.get("ip_protocol"), cn["src_ip"], cn["src_port"], cn["dst_ip"], cn["dst_port"]))
    return c


def arkime_unmatched_reason(case, s):
    return None


def arkime_diff_reason(case, s, label, av, ov):
    return None


def arkime_extra_reason(case, cn):
    return None


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def oracle_files(casedir, kind, pred=None):
    d = os.path.join(casedir, "oracle", kind)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d) if pred is None or pred(n))


def process_case(netcap, corpus, case, work, manifest):
    """Run netcap on one case and every applicable check.  Returns [Check]."""
    casedir = os.path.join(corpus, case)
    pcap = find_capture(casedir, case)
    checks = []
    if pcap is None:
        c = Check("%s/capture" % case)
        c.skip = "no capture file"
        return [c]
    outdir = os.path.join(work, case)
    rc, err = capture_case(netcap, pcap, outdir)
    if rc != 0:
        c = Check("%s/capture" % case)
        c.problem("netcap capture exit %d: %s" % (rc, err[:300]))
        return [c]
    recs = {}
    if os.path.isdir(outdir):
        for n in sorted(os.listdir(outdir)):
            if n.endswith(".ncap.zst"):
                recs[n[:-len(".ncap.zst")]] = dump_file(netcap, os.path.join(outdir, n))
    try:
        linktype = int(manifest.get(case, {}).get("linktype") or 1)
    except ValueError:
        linktype = 1
    fpath = os.path.join(casedir, "oracle", "tshark", "frames.tsv")
    frames = load_frames(fpath) if os.path.exists(fpath) else None
    if frames is None:
        c = Check("%s/frames" % case)
        c.skip = "no tshark frames.tsv"
        checks.append(c)
    else:
        checks.append(check_frames(case, frames, recs, linktype))
    dpath = os.path.join(casedir, "oracle", "tshark", "dns.tsv")
    if os.path.exists(dpath) and frames is not None:
        checks.append(check_dns(case, frames, dpath, recs))
    for p in oracle_files(casedir, "zeek", lambda n: n == "conn.log"):
        checks.append(check_zeek_conn(case, p, recs))
    cid = [p for p in oracle_files(casedir, "zeek", lambda n: n.endswith(".out"))
           if "1:" in open(p, encoding="utf-8", errors="replace").read()]
    if cid:
        checks.append(check_cid(case, cid, recs))
    for p in oracle_files(casedir, "ndpi", lambda n: n.endswith(".out")):
        checks.append(check_ndpi(case, p, recs))
    ark = oracle_files(casedir, "arkime", lambda n: n.endswith(".test"))
    if ark:
        checks.append(check_arkime(case, ark, recs))
    return checks


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netcap", default=os.environ.get("NETCAP", "build/netcap"))
    ap.add_argument("--corpus", default=os.environ.get("CORPUS", ""))
    ap.add_argument("--figures", metavar="FILE", help="write the agreement figures (markdown) to FILE")
    ap.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 2))
    ap.add_argument("--case", action="append", help="only these cases (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the netcap output directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every problem and note")
    args = ap.parse_args()

    corpus = args.corpus
    cases = sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
    if args.case:
        cases = [c for c in cases if c in args.case]
    manifest = read_manifest(corpus)
    work = tempfile.mkdtemp(prefix="netcap-oracle-")
    results = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = {ex.submit(process_case, args.netcap, corpus, c, work, manifest): c for c in cases}
            for fu in concurrent.futures.as_completed(futs):
                case = futs[fu]
                try:
                    results[case] = fu.result()
                except Exception as e:  # a crash in a check is a failure of that case
                    c = Check("%s/run" % case)
                    c.problem("%s: %s" % (type(e).__name__, e))
                    results[case] = [c]
    finally:
        if args.keep:
            print("# netcap output kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    npass = nfail = nskip = 0
    allchecks = []
    for case in cases:
        for c in results.get(case, []):
            allchecks.append(c)
            st = c.status
            if st == "SKIP":
                nskip += 1
                print("SKIP %s: %s" % (c.name, c.skip))
                continue
            figs = fmt_figs(c.figures)
            if st == "PASS":
                npass += 1
                print("PASS %s" % c.name)
            elif st == "XFAIL":
                npass += 1
                print("XFAIL %s: %s" % (c.name, "; ".join("%s [%d]" % (r, n) for r, n in c.xfail.items())))
            else:
                nfail += 1
                more = "" if c.nproblems <= len(c.problems) else " (+%d more)" % (c.nproblems - len(c.problems))
                print("FAIL %s: %s%s" % (c.name, c.problems[0], more))
                for p in c.problems[1:]:
                    print("    %s" % p)
            if figs:
                print("    %s" % figs)
            if args.verbose:
                for n in c.notes:
                    print("    note: %s" % n)
    totals = aggregate(allchecks)
    print_totals(totals)
    if args.figures:
        write_figures(args.figures, allchecks, totals, npass, nfail, nskip)
    print("oracle: %d passed, %d failed, %d skipped" % (npass, nfail, nskip))
    return 1 if nfail else 0


def aggregate(checks):
    tot = collections.OrderedDict()
    for c in checks:
        kind = c.name.split("/", 1)[1]
        for k, (ok, n) in c.figures.items():
            t = tot.setdefault(kind, collections.OrderedDict()).setdefault(k, [0, 0])
            t[0] += ok
            t[1] += n
    return tot


def print_totals(tot):
    print("# agreement figures (matched/compared, all cases)")
    for kind in sorted(tot):
        print("#   %-7s %s" % (kind, fmt_figs(tot[kind])))


def write_figures(path, checks, tot, npass, nfail, nskip):
    pass


if __name__ == "__main__":
    sys.exit(main())
