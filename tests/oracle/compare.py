#!/usr/bin/env python3
"""Oracle suite: compare netcap's records field by field with trusted peers.

For every case of the shared corpus (<corpus>/<case>/<case>.pcap[ng]|.cap,
oracle outputs in <case>/oracle/<kind>/) this runs `netcap capture`, dumps
every record file with `netcap dump -json` and compares:

  frames   tshark frames.tsv (+ arp.tsv): Ethernet MACs, 802.1Q VLAN ids,
           IPv4/IPv6 addresses and protocol, TCP ports and flags, UDP ports,
           ICMPv4/ICMPv6 type and code, ARP fields, frame by frame.  Records
           are aligned to frames by timestamp and packet order; a frame's
           headers of one kind are compared outermost first.
  dns      tshark dns.tsv: id, QR, rcode, question names and types, A/AAAA/
           CNAME answers, TTLs, transport (UDP, or TCP from the stream
           parser), message by message (mDNS/LLMNR, which the
           tshark filter left out, are only checked to be present)
  conv     tshark conversations: TCP/UDP flows (frames and frame bytes each
           way) and IPv4/IPv6 address pairs (sum of our connections)
  zeek     Zeek conn.log: per connection protocol, packets each way, IP-level
           bytes each way (Zeek counts IP bytes, our Connection frame bytes:
           compared with the sum of our IPv4/IPv6 records' lengths), payload
           bytes (UDP; TCP: Zeek's sequence span) and duration
  cid      Zeek Community ID baselines: exact Community ID v1 string
  ndpi     ndpiReader expected output: packets and frame bytes each way
  arkime   Arkime sessions: packets, frame bytes, payload bytes each way,
           first/last packet time (ms)
  tls      tshark tls.tsv: ClientHello (legacy version, SNI, cipher list,
           ALPN, JA3, JA3 string) and ServerHello (version, cipher, ALPN, JA3S,
           JA3S string), matched by direction and endpoints, then by order in
           the connection
  ndpi-tls nDPI flow lines: JA3C, JA4, advertised ALPNs (first ClientHello of
           the flow), JA3S, negotiated ALPN (first ServerHello); nDPI's known
           JA4 differences (IP-literal SNI, ALPN characters) are applied only
           where their condition holds on our record, and are XFAILs
  arkime-tls  Arkime sessions' tls object: ja3, ja3s (+ strings, ja4 when
           present), session ids, version and cipher names, as value sets
  http     tshark http.tsv (+ frames.tsv for endpoints): requests (method,
           host, uri, user agent) and final responses (code, content type),
           paired in order per connection, matched to our HTTP records in order
  zeek-http  Zeek http.log: method, host, uri, referrer, version, user agent,
           body lengths, status code and message, per connection by trans_depth
  uid      every TLSClientHello/TLSServerHello/HTTP/DNS-over-TCP record has
           the uid of exactly one TCP Connection with its endpoints, and lies
           in that connection's time span
(The corpus has no Suricata oracle with TLS or HTTP fields: its only
suricata-verify case, sv-enip-identity, checks ENIP.)

Differences that exist by design, or because a feature is not there yet, have
a one-line reason (the REASON_* strings and STOP_TOKENS/UNSUPPORTED_LINKTYPES
below).  Each is applied only where its condition is verified (e.g. the
outer headers of a tunnelled frame match and only the inner ones are absent;
split flows add up exactly), and makes the test "XFAIL" (counted as passed).
Everything else that differs is a FAIL, and so is netcap decoding a header
it is expected not to ("update the expectation").  Output: one line per test,
PASS/XFAIL/FAIL/SKIP <name>[: why], indented detail and figure lines, and last
"oracle: N passed, M failed, K skipped".

Python 3 standard library only.
"""

import argparse
import collections
import concurrent.futures
import ipaddress
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
    288: "USB 2.0 packets link type (288) is not decoded: netcap writes no records",
}

# frame.protocols tokens after which netcap (by design or not yet) decodes
# nothing: tshark lists the fields of the inner headers, we have no records.
STOP_TOKENS = {
    "usbll": "USB 2.0 packets (link type 288) are not decoded",
}
REASON_ICMP_QUOTE = ("ICMP error messages quote the offending packet: tshark lists the quoted "
                     "headers, netcap records the outer packet only (by design)")
# Tunnels (GRE, IP in IP, VXLAN, Geneve, ERSPAN, Teredo) are decapsulated:
# a tunnelled packet counts in the Connection of its innermost IP header and
# in that of its outermost tunnel's carrier; a carrier in between (a tunnel
# inside a tunnel) gets no Connection.
REASON_CARRIER = ("netcap gives a tunnelled packet to its innermost connection and to its outermost "
                  "tunnel's carrier; a carrier in between (a tunnel inside a tunnel) gets no "
                  "Connection, the peer counts it as a flow of its own")

# Kinds compared in the frames check: tshark frame.protocols token -> kind,
# record type, [(tshark column, our field)].
KINDS = collections.OrderedDict([
    ("eth", ("Ethernet", [("eth.src", "src_mac"), ("eth.dst", "dst_mac")])),
    ("vlan", ("Dot1Q", [("vlan.id", "vlan_id")])),
    ("ip", ("IPv4", [("ip.src", "src_ip"), ("ip.dst", "dst_ip"), ("ip.proto", "protocol")])),
    ("ipv6", ("IPv6", [("ipv6.src", "src_ip"), ("ipv6.dst", "dst_ip"), ("ipv6.nxt", "next_header")])),
    ("tcp", ("TCP", [("tcp.srcport", "src_port"), ("tcp.dstport", "dst_port"), ("tcp.flags", "@flags")])),
    ("udp", ("UDP", [("udp.srcport", "src_port"), ("udp.dstport", "dst_port")])),
    ("icmp", ("ICMPv4", [("icmp.type", "type"), ("icmp.code", "code")])),
    ("icmpv6", ("ICMPv6", [("icmpv6.type", "type"), ("icmpv6.code", "code")])),
    # from arp.tsv (8 cases), merged into the frame columns
    ("arp", ("ARP", [("arp.opcode", "operation"), ("arp.src.hw_mac", "src_hw_address"),
                     ("arp.src.proto_ipv4", "src_protocol_address"), ("arp.dst.hw_mac", "dst_hw_address"),
                     ("arp.dst.proto_ipv4", "dst_protocol_address")])),
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
    return ", ".join("%s %d/%d" % (k, figs[k][0], figs[k][1]) for k in sorted(figs, key=figure_rank))


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


def guess_sep(head, rows, skip=5):
    vals = [r.get(h, "") for r in rows for h in head[skip:]]
    if not any("|" in v for v in vals) and any("," in v for v in vals):
        return ","
    return "|"


def load_frames(path):
    head, rows = read_tsv(path)
    sep = guess_sep(head, rows)
    extra = {}
    apath = os.path.join(os.path.dirname(path), "arp.tsv")
    if os.path.exists(apath):
        ahead, arows = read_tsv(apath)
        asep = guess_sep(ahead, arows, 1)
        for r in arows:
            extra[r["frame.number"]] = {h: split_multi(r[h], asep) for h in ahead[1:]}
    frames = []
    for r in rows:
        fr = Frame()
        fr.no = int(r["frame.number"])
        fr.ts = ts_ns(r["frame.time_epoch"])
        fr.len = int(r["frame.len"] or 0)
        fr.caplen = int(r.get("frame.cap_len") or 0)
        fr.tokens = r["frame.protocols"].split(":") if r["frame.protocols"] else []
        fr.cols = {h: split_multi(r[h], sep) for h in head[5:]}
        fr.cols.update(extra.get(r["frame.number"], {}))
        fr.occ, fr.stop_reason = protocol_stack(fr.tokens)
        frames.append(fr)
    return frames


def protocol_stack(tokens):
    """Occurrences of compared kinds in frame.protocols order: [(kind, reason)]
    where reason is None when netcap is expected to decode that header, else
    why it does not.  Also returns the first stop reason of the frame."""
    occ = []
    reason = None
    for t in tokens:
        if reason is None:
            if t in STOP_TOKENS:
                reason = STOP_TOKENS[t]
        kind = TOKEN_KIND.get(t)
        if kind:
            occ.append((kind, reason))
        if reason is None and t in ("icmp", "icmpv6"):
            reason = REASON_ICMP_QUOTE
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
    if col in ("ip.proto", "ipv6.nxt", "arp.opcode", "vlan.id", "tcp.srcport", "tcp.dstport", "udp.srcport",
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
    # IPv6 fragment headers: one IPv6Fragment record per fragment; the
    # reassembled datagram is decoded on the fragment that completes it, as
    # tshark does
    fexp = [1 if "ipv6.fraghdr" in f.tokens else 0 for f in frames]
    fper, forph = align(frames, recs.get("IPv6Fragment", []), fexp)
    for f, mine, e in zip(frames, fper, fexp):
        if e or mine:
            ok = len(mine) == e
            c.fig("IPv6Fragment records", ok)
            if not ok:
                c.problem("frame %d: %d IPv6Fragment record(s), expected %d" % (f.no, len(mine), e))
    for r in forph[:3]:
        c.problem("IPv6Fragment record at t=%d matches no frame" % r["timestamp"])
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
                c.problem("frame %d: %d extra %s record(s) (tshark shows %d)"
                          % (f.no, m - ntok, rtype, ntok))
    # 802.1ad S-tags: tshark has no id column; compare the count only
    qinq = [r for r in recs.get("Dot1Q", []) if r.get("tpid") == 0x88A8]
    nq = sum(1 for f in frames for k, why in f.occ if k == "qinq" and why is None)
    if nq or qinq:
        c.fig("802.1ad tags", len(qinq) == nq, max(nq, len(qinq)))
        if len(qinq) != nq:
            c.problem("802.1ad S-tags: tshark %d, netcap %d Dot1Q records with tpid 0x88a8" % (nq, len(qinq)))
    return c


# --------------------------------------------------------------------------
# Check 2: tshark dns.tsv
# --------------------------------------------------------------------------

DNS_TOKENS = ("dns", "mdns", "llmnr")

def dns_name(v):
    return "<Root>" if v in ("", ".") else v  # netcap writes the root as "."


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
                    out["dns.cname"].append(dns_name(rr.get("cname", "")))
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
    for t in f.tokens:
        if reason is None:
            if t in STOP_TOKENS:
                reason = STOP_TOKENS[t]
        if t in DNS_TOKENS:
            return t, reason
        if reason is None and t in ("icmp", "icmpv6"):
            reason = REASON_ICMP_QUOTE
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
                c.fig("mDNS/LLMNR messages decoded (not in dns.tsv)", False)
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
        l4 = [x for x in f.tokens[:f.tokens.index(tok)] if x in ("udp", "tcp")]
        l4 = l4[-1] if l4 else ""
        for r in mine:
            ok = r.get("transport") == l4
            c.fig("transport (udp/tcp)", ok)
            if l4 == "tcp":
                c.fig("messages over TCP", ok)
            if not ok:
                c.problem("frame %d: DNS over %s, netcap transport %r" % (f.no, l4 or "?", r.get("transport")))
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
# Flows: shared matching of a peer's flows to our Connection records
# --------------------------------------------------------------------------

REASON_TIMEOUT_SPLIT = ("netcap ends a connection after 5 min idle (-conn-timeout) and starts a new "
                        "one; the peer keeps one flow: compared as the sum of netcap's connections")
REASON_TCP_END_SPLIT = ("netcap ends a TCP connection at FIN/RST and starts a new one for later "
                        "packets; the peer keeps one flow: compared as the sum of netcap's connections")
REASON_TUNNEL_CARRIER = ("netcap gives a tunnel's carrier flow (GRE, IP in IP, VXLAN...) a Connection of "
                         "its own; this peer logs no such flow (Zeek and tshark's TCP/UDP tables keep "
                         "none for GRE or IP in IP)")
TUNNEL_UDP_PORTS = {4789, 6081, 4790}
TUNNEL_IP_PROTOS = {4, 41, 47}


def canon_ip(s):
    if not s:
        return ""
    try:
        return ipaddress.ip_address(s).compressed
    except ValueError:
        return s


class Peer:
    """One flow (or session) of a peer tool, oriented a -> b."""

    def __init__(self, tag, proto, a, ap, b, bp, values, info=None):
        self.tag = tag
        self.proto = proto
        self.a, self.ap, self.b, self.bp = canon_ip(a), ap, canon_ip(b), bp
        self.values = values        # label -> value (None = not comparable)
        self.info = info or {}


REASON_NONIP_TUNNEL = ("%s keys a tunnel's non-IP payload (ARP in VXLAN) by the outer addresses without "
                       "ports; netcap counts those packets in their UDP carrier flows (compared as sums)")


def is_carrier(cn):
    return cn.get("ip_protocol") in TUNNEL_IP_PROTOS or (
        cn.get("ip_protocol") == 17 and (cn["src_port"] in TUNNEL_UDP_PORTS or cn["dst_port"] in TUNNEL_UDP_PORTS))


def carriers(frames):
    """Carrier headers: in each frame, the IP headers netcap decodes that come
    before the innermost one it decodes (ICMP quotes aside).  Returns a list,
    per frame, of (kind, index among that kind's headers, src, dst, l4) where
    l4 is (proto, sport, dport) when a UDP header follows the carrier IP
    header before the next IP header, else None."""
    out = []
    for f in frames or []:
        idx = collections.Counter()
        seq = []
        for kind, why in f.occ:
            i = idx[kind]
            idx[kind] += 1
            if why is None and kind in ("ip", "ipv6", "udp"):
                seq.append((kind, i))
        ips = [k for k, (kind, _) in enumerate(seq) if kind in ("ip", "ipv6")]
        res = []
        for n, k in enumerate(ips[:-1]):
            kind, i = seq[k]
            try:
                a, b = canon_ip(f.cols[kind + ".src"][i]), canon_ip(f.cols[kind + ".dst"][i])
            except (KeyError, IndexError):
                continue
            l4 = None
            nxt = seq[k + 1] if k + 1 < len(seq) else None
            if nxt and nxt[0] == "udp":
                try:
                    l4 = (17, int(f.cols["udp.srcport"][nxt[1]]), int(f.cols["udp.dstport"][nxt[1]]))
                except (KeyError, IndexError, ValueError):
                    l4 = None
            res.append((kind, i, a, b, l4))
        out.append(res)
    return out


def carrier_keys(frames):
    """Address pairs and UDP endpoint pairs of the carrier headers that get
    no Connection of ours: all but the outermost (see carriers)."""
    pairs, l4 = set(), set()
    for res in carriers(frames):
        for _, _, a, b, u in res[1:]:
            pairs.add(frozenset((a, b)))
            if u:
                l4.add(frozenset(((a, u[1]), (b, u[2]))))
    return pairs, l4


def inner_pairs(frames):
    """Address pairs seen only inside headers netcap does not decode (tunnels,
    unsupported link types), never in a header it decodes: pair -> reason."""
    out, visible = {}, set()
    for f in frames or []:
        idx = {"ip": 0, "ipv6": 0}
        for kind, why in f.occ:
            if kind not in idx:
                continue
            i = idx[kind]
            idx[kind] += 1
            s = f.cols.get(kind + ".src", [])
            d = f.cols.get(kind + ".dst", [])
            if i >= len(s) or i >= len(d):
                continue
            pair = frozenset((canon_ip(s[i]), canon_ip(d[i])))
            if why is None:
                visible.add(pair)
            elif why != REASON_ICMP_QUOTE:
                out.setdefault(pair, why)
    return {k: v for k, v in out.items() if k not in visible}


def inner_flows(frames):
    """Like inner_pairs, for TCP/UDP endpoints: the innermost IP header and
    transport header of a frame, when netcap does not decode them and no frame
    has that 5-tuple in headers netcap decodes: {(a, ap), (b, bp)} -> reason."""
    out, visible = {}, set()
    for f in frames or []:
        last = {}
        idx = collections.Counter()
        for kind, why in f.occ:
            if kind in ("ip", "ipv6", "tcp", "udp"):
                last["ip" if kind in ("ip", "ipv6") else "l4"] = (kind, idx[kind], why)
            idx[kind] += 1
        if "ip" not in last or "l4" not in last:
            continue
        (ik, ii, iwhy), (lk, li, lwhy) = last["ip"], last["l4"]
        try:
            a, b = f.cols[ik + ".src"][ii], f.cols[ik + ".dst"][ii]
            ap, bp = int(f.cols[lk + ".srcport"][li]), int(f.cols[lk + ".dstport"][li])
        except (KeyError, IndexError, ValueError):
            continue
        key = frozenset(((canon_ip(a), ap), (canon_ip(b), bp)))
        if iwhy is None and lwhy is None:
            visible.add(key)
        elif lwhy is not None and lwhy != REASON_ICMP_QUOTE:
            out.setdefault(key, lwhy)
    return {k: v for k, v in out.items() if k not in visible}


def conn_sides(cn, ipb, peer, mode):
    """Our counts for one connection, oriented like the peer flow (a -> b)."""
    if mode == "all":
        fwd = True
    elif mode == "port":
        fwd = cn["src_port"] == peer.ap
    elif mode == "ip":
        fwd = cn["_src"] == peer.a
    else:
        fwd = (cn["_src"], cn["src_port"]) == (peer.a, peer.ap)
        if cn["_src"] == cn["_dst"] and cn["src_port"] == cn["dst_port"]:
            fwd = True
    c2s = (cn["packets_client_to_server"], cn["bytes_client_to_server"], cn["payload_client_to_server"],
           ipb[0], ipb[2])
    s2c = (cn["packets_server_to_client"], cn["bytes_server_to_client"], cn["payload_server_to_client"],
           ipb[1], ipb[3])
    x, y = (c2s, s2c) if fwd else (s2c, c2s)
    if mode == "all":
        x = tuple(p + q for p, q in zip(c2s, s2c))
        y = (0, 0, 0, 0, 0)
    return {"pkts_a": x[0], "pkts_b": y[0], "bytes_a": x[1], "bytes_b": y[1],
            "payload_a": x[2], "payload_b": y[2], "ipbytes_a": x[3], "ipbytes_b": y[3],
            "first": cn["timestamp_first"], "last": cn["timestamp_last"]}


def sum_sides(items):
    out = {}
    for d in items:
        for k, v in d.items():
            if k == "first":
                out[k] = min(out.get(k, v), v)
            elif k == "last":
                out[k] = max(out.get(k, v), v)
            else:
                out[k] = out.get(k, 0) + v
    return out


class FlowMatch:
    """Groups peer flows and our connections by a key, pairs them and hands
    each pair (or explained aggregate) to compare(check, peer, ours)."""

    def __init__(self, check, conns, recs, frames, keyfn, modefn, compare, tool):
        self.c = check
        self.conns = conns
        for cn in conns:
            cn["_src"], cn["_dst"] = canon_ip(cn.get("src_ip")), canon_ip(cn.get("dst_ip"))
        self.ipb = ip_bytes_per_conn(conns, recs)
        self.inner = inner_pairs(frames)
        self.inner_l4 = inner_flows(frames)
        self.carrier_pairs, self.carrier_l4 = carrier_keys(frames)
        self.keyfn = keyfn            # (proto, a, ap, b, bp) -> key
        self.modefn = modefn          # peer -> orientation mode
        self.compare = compare
        self.tool = tool

    def ours_key(self, cn):
        return self.keyfn(cn.get("ip_protocol"), cn["_src"], cn["src_port"], cn["_dst"], cn["dst_port"])

    def run(self, peers, peer_unmatched=None, ours_unmatched=None):
        c = self.c
        pg = collections.OrderedDict()
        for p in peers:
            pg.setdefault(self.keyfn(p.proto, p.a, p.ap, p.b, p.bp), []).append(p)
        og = collections.OrderedDict()
        for i, cn in enumerate(self.conns):
            og.setdefault(self.ours_key(cn), []).append(i)
        for key in list(pg) + [k for k in og if k not in pg]:
            P = list(pg.get(key, []))
            O = list(og.get(key, []))

            def side(i, p):
                return conn_sides(self.conns[i], self.ipb[i], p, self.modefn(p))
            # 1. as many peer flows as our connections: pair equal packet counts
            #    first, then in order; 2. one side has one flow: the other side's
            #    flows are summed (split flows, explained); 3. unmatched flows
            if len(P) > 1 and len(O) > 1 or len(P) == len(O):
                for p in list(P):
                    for i in O:
                        sd = side(i, p)
                        if (sd["pkts_a"], sd["pkts_b"]) == (p.values.get("pkts_a"), p.values.get("pkts_b")):
                            self.pair(p, sd, [i])
                            P.remove(p)
                            O.remove(i)
                            break
                if len(P) == len(O):
                    for p, i in zip(P, O):
                        self.pair(p, side(i, p), [i])
                    continue
            if len(P) == 1 and O:
                p = P[0]
                if len(O) > 1 and self.modefn(p) == "ep":
                    self.explain_split(p, O)
                self.pair(p, sum_sides(side(i, p) for i in O), O)
            elif len(P) > 1 and len(O) == 1:
                c.problem("%s: %s has %d flows for this one netcap connection"
                          % (P[0].tag, self.tool, len(P)))
                agg = Peer(P[0].tag + " (+%d)" % (len(P) - 1), P[0].proto, P[0].a, P[0].ap, P[0].b, P[0].bp,
                           {}, P[0].info)
                for p in P:
                    for k, v in p.values.items():
                        if v is None or agg.values.get(k, 0) is None:
                            agg.values[k] = None
                        elif k == "first":
                            agg.values[k] = min(agg.values.get(k, v), v)
                        elif k == "last":
                            agg.values[k] = max(agg.values.get(k, v), v)
                        else:
                            agg.values[k] = agg.values.get(k, 0) + v
                self.pair(agg, side(O[0], P[0]), O)
            else:
                for p in P:
                    why = self.explain_peer(p, peer_unmatched)
                    if why:
                        c.expect(why)
                    else:
                        c.fig("flows matched", False)
                        c.problem("%s: no netcap connection" % p.tag)
                for i in O:
                    why = self.explain_ours(self.conns[i], ours_unmatched)
                    if why:
                        c.expect(why)
                    else:
                        cn = self.conns[i]
                        c.problem("netcap connection %d %s:%d -> %s:%d has no %s counterpart"
                                  % (cn.get("ip_protocol"), cn["src_ip"], cn["src_port"], cn["dst_ip"],
                                     cn["dst_port"], self.tool))

    def explain_split(self, p, idx):
        """Several of our connections for one peer flow: all but one must have
        ended by the idle timeout (or, for TCP, by FIN/RST); the remaining one
        may be open at the end of the input.  Anything else is a problem."""
        parts = [self.conns[i] for i in idx]
        ers = [cn.get("end_reason") for cn in parts]
        other = [er for er in ers if er not in ("timeout", "fin", "rst")]
        if len(other) > 1 or (other and other[0] != "eof") or \
                any(er in ("fin", "rst") for er in ers) and parts[0].get("ip_protocol") != 6:
            self.c.problem("%s: netcap split it into %d connections (end reasons %s)"
                           % (p.tag, len(parts), ",".join(str(e) for e in ers)))
            return
        if "timeout" in ers:
            self.c.expect(REASON_TIMEOUT_SPLIT)
        if "fin" in ers or "rst" in ers:
            self.c.expect(REASON_TCP_END_SPLIT)

    def pair(self, p, ours, idx):
        self.c.fig("flows matched", True)
        self.compare(self.c, p, ours, [self.conns[i] for i in idx])

    def explain_peer(self, p, extra):
        pair = frozenset((p.a, p.b))
        why = self.inner.get(pair)
        if p.proto in (6, 17):
            why = why or self.inner_l4.get(frozenset(((p.a, p.ap), (p.b, p.bp))))
        if why:
            return "%s reports a flow inside traffic netcap does not decode: %s" % (self.tool, why)
        if p.proto == 17 and frozenset(((p.a, p.ap), (p.b, p.bp))) in self.carrier_l4 or \
                p.proto not in (6, 17) and pair in self.carrier_pairs:
            return REASON_CARRIER
        if p.proto == 17 and p.ap == p.bp == 0:
            cs = [cn for cn in self.conns if is_carrier(cn) and frozenset((cn["_src"], cn["_dst"])) == pair]
            if cs:
                # the peer lumps a tunnel's non-IP payload (ARP in VXLAN) into one
                # portless session; ours are the carrier flows: compare the sums
                # (which also hold the tunnel's IP packets: at least as many)
                ours = sum(cn["packets_client_to_server"] + cn["packets_server_to_client"] for cn in cs)
                theirs = (p.values.get("pkts_a") or 0) + (p.values.get("pkts_b") or 0)
                self.c.fig("tunnelled non-IP packets (within carrier flows)", ours >= theirs)
                if ours < theirs:
                    self.c.problem("%s: %d packets, netcap's carrier flows only %d" % (p.tag, theirs, ours))
                return REASON_NONIP_TUNNEL % self.tool
        return extra(p) if extra else None

    def explain_ours(self, cn, extra):
        if is_carrier(cn):
            return REASON_TUNNEL_CARRIER
        return extra(cn) if extra else None


REASON_ZEEK_FLIP = ("Zeek flipped the connection's direction ('^' in its history: its port/state "
                    "heuristics); netcap's client is the first packet's sender")
REASON_SYNACK_FIRST = ("the first packet is a SYN+ACK: netcap makes its sender the server (documented "
                       "rule); the peer's first endpoint is the first packet's sender")


def is_client(cn, p):
    return (cn["_src"], cn["src_port"]) == (p.a, p.ap)


def leading_synack(cn, recs):
    """True if the first TCP segment of the connection is a SYN+ACK."""
    ends = {(cn["src_ip"], cn["src_port"]), (cn["dst_ip"], cn["dst_port"])}
    for r in recs.get("TCP", []):
        if r["timestamp"] == cn["timestamp_first"] and \
                {(r["src_ip"], r["src_port"]), (r["dst_ip"], r["dst_port"])} == ends:
            return bool(r.get("syn") and r.get("ack"))
    return False


def check_orientation(c, p, conns, label, why=None):
    """The peer's first endpoint should be our client; `why` explains a flip."""
    if len(conns) != 1:
        return
    ok = is_client(conns[0], p)
    c.fig(label, ok)
    if not ok:
        if why:
            c.expect(why)
        else:
            c.problem("%s: %s, but netcap's client is %s:%d" % (p.tag, label, conns[0]["src_ip"],
                                                                 conns[0]["src_port"]))


def cmp_values(c, p, ours, pairs, why=None):
    """pairs: [(label, peer value, our value)]; None peer values are skipped.
    A difference is a problem, or the expected difference `why` if given."""
    for label, pv, ov in pairs:
        if pv is None:
            continue
        ok = pv == ov
        c.fig(label, ok)
        if not ok:
            if why:
                c.expect(why)
            else:
                c.problem("%s: %s %s, netcap %s" % (p.tag, label, pv, ov))


def ip_bytes_per_conn(conns, recs):
    """IP-level bytes and packets per connection and direction, summed from our
    IPv4 (total length) and IPv6 (payload length + 40) records."""
    idx = collections.defaultdict(list)
    for i, cn in enumerate(conns):
        idx[(cn.get("src_ip"), cn.get("dst_ip"))].append(i)
        idx[(cn.get("dst_ip"), cn.get("src_ip"))].append(i)
    res = [[0, 0, 0, 0] for _ in conns]   # bytes c2s, s2c, pkts c2s, s2c
    for rtype, extra in (("IPv4", 0), ("IPv6", 40)):
        for r in recs.get(rtype, []):
            best = None
            for i in idx.get((r["src_ip"], r["dst_ip"]), []):
                cn = conns[i]
                if not (cn["timestamp_first"] <= r["timestamp"] <= cn["timestamp_last"]):
                    continue
                if rtype == "IPv4" and r.get("protocol") != cn.get("ip_protocol"):
                    continue
                if cn.get("ip_protocol") in (6, 17, 132) and \
                        {(r["src_ip"], r.get("src_port")), (r["dst_ip"], r.get("dst_port"))} != \
                        {(cn["src_ip"], cn["src_port"]), (cn["dst_ip"], cn["dst_port"])}:
                    continue
                best = i
                break
            if best is None:
                continue
            cn = conns[best]
            if cn.get("ip_protocol") in (6, 17, 132):
                c2s = (r["src_ip"], r.get("src_port")) == (cn["src_ip"], cn["src_port"])
            else:
                c2s = r["src_ip"] == cn["src_ip"]
            if cn["src_ip"] == cn["dst_ip"] and cn["src_port"] == cn["dst_port"]:
                c2s = True
            res[best][0 if c2s else 1] += r.get("length", 0) + extra
            res[best][2 if c2s else 3] += 1
    return res


def default_key(proto, a, ap, b, bp):
    return (proto, tuple(sorted(((a, ap), (b, bp)))))


# --------------------------------------------------------------------------
# Check 3: Zeek conn.log and Community ID
# --------------------------------------------------------------------------

ZEEK_PROTO = {"tcp": 6, "udp": 17, "icmp": 1}


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


def zopt(v):
    return None if v in ("-", "(empty)", "") else v


def check_zeek_conn(case, path, recs, frames):
    c = Check("%s/zeek" % case)
    peers = []
    for z in read_zeek_log(path):
        proto = int(z["ip_proto"]) if zopt(z.get("ip_proto")) else ZEEK_PROTO.get(z["proto"])
        ap, bp = int(z["id.orig_p"]), int(z["id.resp_p"])
        tag = "%s %s:%d -> %s:%d" % (z["proto"], z["id.orig_h"], ap, z["id.resp_h"], bp)
        v = {"pkts_a": int(z["orig_pkts"]), "pkts_b": int(z["resp_pkts"]),
             "ipbytes_a": int(z["orig_ip_bytes"]), "ipbytes_b": int(z["resp_ip_bytes"])}
        if zopt(z.get("duration")):
            v["duration_us"] = int(round(float(z["duration"]) * 1e6))
        if zopt(z.get("orig_bytes")) and zopt(z.get("resp_bytes")):
            v["payload_a"], v["payload_b"] = int(z["orig_bytes"]), int(z["resp_bytes"])
        peers.append(Peer(tag, proto, z["id.orig_h"], ap, z["id.resp_h"], bp, v, z))

    def compare(c, p, o, conns):
        zp = p.info.get("proto")
        ok = all(IPPROTO_NAMES.get(cn.get("ip_protocol")) == zp for cn in conns)
        c.fig("proto", ok)
        if not ok:
            c.problem("%s: netcap ip_protocol %s" % (p.tag, [cn.get("ip_protocol") for cn in conns]))
        v = p.values
        pairs = [("orig_pkts", v.get("pkts_a"), o["pkts_a"]), ("resp_pkts", v.get("pkts_b"), o["pkts_b"]),
                 ("orig_ip_bytes", v.get("ipbytes_a"), o["ipbytes_a"]),
                 ("resp_ip_bytes", v.get("ipbytes_b"), o["ipbytes_b"])]
        if "duration_us" in v and len(conns) == 1:
            if zp == "tcp":
                last = zeek_tcp_last(conns[0], recs)
                pairs.append(("duration (us, tcp: to the closing FIN/RST)", v["duration_us"],
                              int(round((last - o["first"]) / 1000.0))))
            else:
                pairs.append(("duration (us)", v["duration_us"], int(round((o["last"] - o["first"]) / 1000.0))))
        if "payload_a" in v:
            if zp == "tcp":
                tcp_payload_compare(c, p, o)
            else:
                pairs += [("orig_bytes (%s payload)" % zp, v["payload_a"], o["payload_a"]),
                          ("resp_bytes (%s payload)" % zp, v["payload_b"], o["payload_b"])]
        cmp_values(c, p, o, pairs)
        check_orientation(c, p, conns, "orig = netcap client",
                          REASON_ZEEK_FLIP if "^" in p.info.get("history", "") else None)
        # frame bytes minus IP bytes is the link-layer overhead: never negative
        if o["bytes_a"] < o["ipbytes_a"] or o["bytes_b"] < o["ipbytes_b"]:
            c.problem("%s: frame bytes (%d, %d) smaller than IP bytes (%d, %d)"
                      % (p.tag, o["bytes_a"], o["bytes_b"], o["ipbytes_a"], o["ipbytes_b"]))

    fm = FlowMatch(c, recs.get("Connection", []), recs, frames, zeek_key, lambda p: "ep", compare, "Zeek")
    fm.run(peers)
    return c


def zeek_key(proto, a, ap, b, bp):
    """Zeek's ICMP 'ports' are the first packet's type and its counterpart type
    (128 -> 129); ours the first packet's type and code: key ICMP by the
    address pair and the first type only."""
    if proto in (1, 58):
        return (proto, tuple(sorted((a, b))), ap)
    return default_key(proto, a, ap, b, bp)


def zeek_tcp_last(cn, recs):
    """Zeek's TCP duration ends at the packet that closes the connection (the
    one by which both sides have sent FIN, or the first RST); later packets are
    counted but do not extend it.  Model that from our TCP records."""
    ends = {(cn["src_ip"], cn["src_port"]), (cn["dst_ip"], cn["dst_port"])}
    fins = set()
    for r in recs.get("TCP", []):
        if not (cn["timestamp_first"] <= r["timestamp"] <= cn["timestamp_last"]):
            continue
        s, d = (r["src_ip"], r["src_port"]), (r["dst_ip"], r["dst_port"])
        if {s, d} != ends:
            continue
        if r.get("rst"):
            return r["timestamp"]
        if r.get("fin"):
            fins.add(s)
            if len(fins) == 2:
                return r["timestamp"]
    return cn["timestamp_last"]


def tcp_payload_compare(c, p, o):
    """Zeek's TCP orig_bytes/resp_bytes come from the sequence-number span; ours
    sum segment payloads.  They agree when nothing was retransmitted (true of
    every corpus connection so far; a retransmission would need a reason)."""
    v = p.values
    for lab, zv, ov in (("orig_bytes (tcp payload)", v["payload_a"], o["payload_a"]),
                        ("resp_bytes (tcp payload)", v["payload_b"], o["payload_b"])):
        ok = zv == ov
        c.fig(lab, ok)
        if not ok:
            c.problem("%s: %s zeek %d, netcap %d" % (p.tag, lab, zv, ov))


CID_RE = re.compile(r"orig_h=([^,]+), orig_p=(\d+)/(\w+), resp_h=([^,]+), resp_p=(\d+)/(\w+), "
                    r"proto=(\d+).*?(1:[A-Za-z0-9+/=]+)\s*$")


REASON_CID_SCTP_ZEEK = ("Zeek has no SCTP analyzer: its Community ID hashes SCTP with ports 0; netcap "
                        "hashes the SCTP ports, as the Community ID v1 specification says (both values "
                        "recomputed here from the specification: Zeek's with ports 0, ours with our ports)")


def community_id_v1(proto, a, ap, b, bp, seed=0):
    """Community ID v1 (corelight/community-id-spec), for TCP/UDP/SCTP and
    port-less protocols: base64(sha1(seed, addrs, proto, 0, ports)), the
    smaller (address, port) endpoint first."""
    import base64
    import hashlib
    import struct
    ia, ib = ipaddress.ip_address(a).packed, ipaddress.ip_address(b).packed
    if (ia, ap) > (ib, bp):
        ia, ap, ib, bp = ib, bp, ia, ap
    data = struct.pack("!H", seed) + ia + ib + struct.pack("!BB", proto, 0)
    if proto in (6, 17, 132):
        data += struct.pack("!HH", ap, bp)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def check_cid(case, paths, recs):
    c = Check("%s/cid" % case)
    conns = recs.get("Connection", [])
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = CID_RE.search(line)
                if not m:
                    continue
                a, ap, _, b, bp, _, proto, cid = m.groups()
                a, b, ap, bp, proto = canon_ip(a), canon_ip(b), int(ap), int(bp), int(proto)
                # Zeek keys SCTP without ports (no analyzer): match by addresses
                keyf = (lambda pr, x, xp, y, yp: (pr, tuple(sorted((x, y))))) if proto == 132 and ap == bp == 0 \
                    else default_key
                key = keyf(proto, a, ap, b, bp)
                cands = [cn for cn in conns if cn.get("ip_protocol") == proto and keyf(
                    proto, canon_ip(cn["src_ip"]), cn["src_port"], canon_ip(cn["dst_ip"]), cn["dst_port"]) == key]
                if not cands:
                    c.problem("no netcap connection for %d %s:%d %s:%d" % (proto, a, ap, b, bp))
                    c.fig("community_id", False)
                    continue
                lab = "community_id"
                for cn in cands:
                    ours = cn.get("community_id", "")
                    ok = ours == cid
                    if not ok and proto == 132 and ap == bp == 0 and (cn["src_port"] or cn["dst_port"]):
                        # the difference must be exactly the ports: Zeek's value is the
                        # specification's with ports 0, ours the specification's with ours
                        lab = "community_id (sctp; Zeek ports 0, ours recomputed with ports)"
                        spec0 = community_id_v1(proto, a, 0, b, 0)
                        spec = community_id_v1(proto, cn["src_ip"], cn["src_port"], cn["dst_ip"], cn["dst_port"])
                        ok = spec0 == cid and spec == ours
                        c.fig(lab, ok)
                        if ok:
                            c.expect(REASON_CID_SCTP_ZEEK)
                        else:
                            c.problem("%d %s <-> %s: zeek %s (spec, ports 0: %s), netcap %s (spec: %s)"
                                      % (proto, a, b, cid, spec0, ours, spec))
                        continue
                    c.fig(lab, ok)
                    if not ok:
                        c.problem("%d %s:%d <-> %s:%d: zeek %s, netcap %s" % (proto, a, ap, b, bp, cid, ours))
    if not c.figures:
        c.skip = "no Community ID lines"
    return c


# --------------------------------------------------------------------------
# Check 4: nDPI
# --------------------------------------------------------------------------

NDPI_RE = re.compile(r"^\s+\d+\s+(\S+)\s+(\S+)\s+(<->|->)\s+(\S+)\s+\[")
NDPI_CNT_RE = re.compile(r"\[(\d+) pkts/(\d+) bytes (?:<->|->) (\d+) pkts/(\d+) bytes\]")
NDPI_PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "SCTP": 132, "AH": 51, "ESP": 50, "GRE": 47}


def split_hostport(s):
    if s.startswith("["):
        h, _, p = s[1:].rpartition("]:")
        return h, int(p)
    h, _, p = s.rpartition(":")
    return h, int(p)


def read_ndpi(path):
    peers = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = NDPI_RE.match(line)
            cm = NDPI_CNT_RE.search(line)
            if not m or not cm:
                continue
            proto, a, _, b = m.groups()
            ah, ap = split_hostport(a)
            bh, bp = split_hostport(b)
            pa, ba, pb, bb = (int(x) for x in cm.groups())
            pn = NDPI_PROTO.get(proto.upper())
            if pn is None and proto.isdigit():
                pn = int(proto)
            peers.append(Peer("%s %s <-> %s" % (proto, a, b), pn, ah, ap, bh, bp,
                              {"pkts_a": pa, "pkts_b": pb, "bytes_a": ba, "bytes_b": bb}, {"line": line}))
    return peers


def ndpi_key(proto, a, ap, b, bp):
    if proto not in (6, 17):
        return (proto, tuple(sorted((a, b))))
    return default_key(proto, a, ap, b, bp)


def check_ndpi(case, path, recs, frames):
    c = Check("%s/ndpi" % case)
    peers = read_ndpi(path)
    if not peers:
        c.skip = "no flow lines in nDPI output"
        return c

    def compare(c, p, o, conns):
        v = p.values
        cmp_values(c, p, o, [("pkts a->b", v["pkts_a"], o["pkts_a"]), ("pkts b->a", v["pkts_b"], o["pkts_b"]),
                             ("bytes a->b", v["bytes_a"], o["bytes_a"]),
                             ("bytes b->a", v["bytes_b"], o["bytes_b"])])
        if p.proto in (6, 17):
            check_orientation(c, p, conns, "a = netcap client",
                              REASON_SYNACK_FIRST if leading_synack(conns[0], recs) else None)

    ah_inner(c, peers, recs)
    fm = FlowMatch(c, recs.get("Connection", []), recs, frames, ndpi_key,
                   lambda p: "ep" if p.proto in (6, 17) else "ip", compare, "nDPI")
    fm.run(peers)
    return c


REASON_AH_INNER = ("netcap decodes through IPsec AH (as through an IPv6 extension header): its "
                   "connection is keyed by the protocol inside AH; the peer keys the flow by AH (51)")


def ah_inner(c, peers, recs):
    """A peer flow of protocol 51 whose every AH record of ours (same address
    pair) names one inner protocol without ports (ICMP...): compare it with
    our connection of that protocol."""
    inner = collections.defaultdict(set)
    for r in recs.get("IPSecAH", []):
        inner[frozenset((canon_ip(r.get("src_ip")), canon_ip(r.get("dst_ip"))))].add(r.get("next_header"))
    for p in peers:
        nh = inner.get(frozenset((p.a, p.b)), set())
        if p.proto == 51 and len(nh) == 1 and next(iter(nh)) not in (6, 17, 132):
            p.proto = next(iter(nh))
            c.expect(REASON_AH_INNER)


# --------------------------------------------------------------------------
# Check 6: tshark conversations (TCP, UDP, IPv4, IPv6 tables)
# --------------------------------------------------------------------------

CONV_RE = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)\s+(\d+)\s+(\d+)\s+"
                     r"(bytes|kB|MB|GB)\s+(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)\s")
CONV_UNIT = {"bytes": 1, "kB": 1000, "MB": 1000000, "GB": 1000000000}


def read_conversations(path):
    tables = collections.OrderedDict()
    cur = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^(\S+) Conversations", line)
            if m:
                cur = tables.setdefault(m.group(1), [])
                continue
            if line.startswith("====="):
                cur = None
                continue
            m = CONV_RE.match(line)
            if m and cur is not None:
                g = m.groups()
                # "<-" is B -> A, "->" is A -> B
                cur.append(dict(a=g[0], b=g[1], pkts_b=int(g[2]), bytes_b=(int(g[3]), CONV_UNIT[g[4]]),
                                pkts_a=int(g[5]), bytes_a=(int(g[6]), CONV_UNIT[g[7]])))
    return tables


def conv_bytes(label, tv, ov):
    """tshark prints bytes exactly below 10000, else floor-divided kB/MB."""
    n, unit = tv
    if unit == 1:
        return label, n, ov
    return "%s (%s)" % (label, {1000: "kB", 1000000: "MB"}.get(unit, "GB")), n, ov // unit


def check_conversations(case, path, recs, frames):
    c = Check("%s/conv" % case)
    tables = read_conversations(path)
    conns = recs.get("Connection", [])
    peers = []
    for name, proto in (("TCP", 6), ("UDP", 17)):
        for r in tables.get(name, []):
            a, _, ap = r["a"].rpartition(":")
            b, _, bp = r["b"].rpartition(":")
            v = {"pkts_a": r["pkts_a"], "pkts_b": r["pkts_b"], "bytes_a": r["bytes_a"], "bytes_b": r["bytes_b"]}
            peers.append(Peer("%s %s <-> %s" % (name, r["a"], r["b"]), proto, a, int(ap), b, int(bp), v))

    frag = {frozenset((canon_ip(f.cols.get("ipv6.src", [""])[0]), canon_ip(f.cols.get("ipv6.dst", [""])[0])))
            for f in frames or [] if "ipv6.fraghdr" in f.tokens}

    def compare(c, p, o, cs):
        v = p.values
        cmp_values(c, p, o, [("frames a->b", v["pkts_a"], o["pkts_a"]), ("frames b->a", v["pkts_b"], o["pkts_b"]),
                             conv_bytes("bytes a->b", v["bytes_a"], o["bytes_a"]),
                             conv_bytes("bytes b->a", v["bytes_b"], o["bytes_b"])],
                   REASON_CONV_FRAG if frozenset((p.a, p.b)) in frag else None)
        check_orientation(c, p, cs, "A = netcap client",
                          REASON_SYNACK_FIRST if leading_synack(cs[0], recs) else None)

    def ours_reason(cn):
        if frozenset((canon_ip(cn["src_ip"]), canon_ip(cn["dst_ip"]))) in frag and cn["src_port"] == 0:
            return REASON_CONV_FRAG_PORTS
        return None

    tcpudp = [cn for cn in conns if cn.get("ip_protocol") in (6, 17)]
    fm = FlowMatch(c, tcpudp, recs, frames, default_key, lambda p: "ep", compare, "tshark")
    fm.run(peers, ours_unmatched=ours_reason)
    # IPv4/IPv6 tables: all traffic of an address pair = all our connections of it
    pairs = collections.defaultdict(list)
    for cn in conns:
        pairs[frozenset((canon_ip(cn["src_ip"]), canon_ip(cn["dst_ip"])))].append(cn)
    inner = inner_pairs(frames)
    carrier_pairs, _ = carrier_keys(frames)
    seen = set()
    for name in ("IPv4", "IPv6"):
        for r in tables.get(name, []):
            a, b = canon_ip(r["a"]), canon_ip(r["b"])
            key = frozenset((a, b))
            seen.add(key)
            tag = "%s %s <-> %s" % (name, r["a"], r["b"])
            cs = pairs.get(key)
            if not cs:
                if key in inner:
                    c.expect("tshark counts an address pair seen only inside traffic netcap does not "
                             "decode: %s" % inner[key])
                elif key in carrier_pairs:
                    c.expect(REASON_CARRIER)
                else:
                    c.fig("address pairs matched", False)
                    c.problem("%s: no netcap connection between these addresses" % tag)
                continue
            c.fig("address pairs matched", True)
            o = {"pkts_a": 0, "pkts_b": 0, "bytes_a": 0, "bytes_b": 0}
            for cn in cs:
                fwd = canon_ip(cn["src_ip"]) == a
                if a == b:
                    fwd = True
                o["pkts_a" if fwd else "pkts_b"] += cn["packets_client_to_server"]
                o["pkts_b" if fwd else "pkts_a"] += cn["packets_server_to_client"]
                o["bytes_a" if fwd else "bytes_b"] += cn["bytes_client_to_server"]
                o["bytes_b" if fwd else "bytes_a"] += cn["bytes_server_to_client"]
            p = Peer(tag, None, a, 0, b, 0, {})
            inner_o = conv_inner_occurrences(frames, key, a)
            if inner_o["pkts_a"] or inner_o["pkts_b"]:
                # tshark also counts the headers inside tunnels that netcap does not decode
                o = {k: o[k] + inner_o[k] for k in o}
                c.expect(REASON_CONV_TUNNEL)
            carrier_o = conv_carrier_occurrences(frames, key, a)
            if carrier_o["pkts_a"] or carrier_o["pkts_b"]:
                # tshark counts the carrier headers too, which belong to no Connection of ours
                o = {k: o[k] + carrier_o[k] for k in o}
                c.expect(REASON_CONV_CARRIER)
            if a == b:      # tshark puts a host talking to itself in one direction
                o = {"pkts_a": o["pkts_a"] + o["pkts_b"], "pkts_b": 0,
                     "bytes_a": o["bytes_a"] + o["bytes_b"], "bytes_b": 0}
            cmp_values(c, p, o, [("%s pair frames a->b" % name, r["pkts_a"], o["pkts_a"]),
                                 ("%s pair frames b->a" % name, r["pkts_b"], o["pkts_b"]),
                                 conv_bytes("%s pair bytes a->b" % name, r["bytes_a"], o["bytes_a"]),
                                 conv_bytes("%s pair bytes b->a" % name, r["bytes_b"], o["bytes_b"])],
                       REASON_CONV_FRAG if key in frag else None)
    for key, cs in pairs.items():
        if key not in seen:
            cn = cs[0]
            c.problem("netcap connections between %s and %s: no tshark IPv4/IPv6 conversation"
                      % (cn["src_ip"], cn["dst_ip"]))
    return c


REASON_CONV_TUNNEL = ("tshark's address-pair table also counts IP headers inside tunnels netcap does "
                      "not decapsulate: compared after adding those frames (from frames.tsv) to netcap's counts")


def conv_inner_occurrences(frames, key, a):
    """Frames and bytes, oriented to address a, of IP headers with this address
    pair that tshark taps but netcap does not record (tunnelled headers; not
    ICMP-quoted headers or fragments, which tshark does not count either)."""
    out = {"pkts_a": 0, "pkts_b": 0, "bytes_a": 0, "bytes_b": 0}
    for f in frames or []:
        for kind in ("ip", "ipv6"):
            occ = [why for k, why in f.occ if k == kind]
            s, d = f.cols.get(kind + ".src", []), f.cols.get(kind + ".dst", [])
            for i, why in enumerate(occ):
                if why is None or why == REASON_ICMP_QUOTE:
                    continue
                if i < len(s) and i < len(d) and frozenset((canon_ip(s[i]), canon_ip(d[i]))) == key:
                    side = "a" if canon_ip(s[i]) == a else "b"
                    out["pkts_" + side] += 1
                    out["bytes_" + side] += f.len
    return out


REASON_CONV_CARRIER = ("tshark's address-pair table also counts the carrier headers of tunnels inside "
                       "tunnels, which belong to no netcap Connection (only the innermost and the "
                       "outermost carrier's do): compared after adding those frames to netcap's counts")


def conv_carrier_occurrences(frames, key, a):
    """Frames and bytes, oriented to address a, of carrier IP headers (see
    carriers) with this address pair."""
    out = {"pkts_a": 0, "pkts_b": 0, "bytes_a": 0, "bytes_b": 0}
    for f, res in zip(frames or [], carriers(frames)):
        for _, _, s, d, _ in res[1:]:
            if frozenset((s, d)) == key:
                side = "a" if s == a else "b"
                out["pkts_" + side] += 1
                out["bytes_" + side] += f.len
    return out


REASON_CONV_FRAG = ("tshark counts a fragmented IPv6 datagram once, in the frame that completes "
                    "its reassembly (and lone fragments not at all); netcap counts every fragment")
REASON_CONV_FRAG_PORTS = ("non-first IPv6 fragments carry no UDP/TCP header: netcap counts them in a "
                          "connection with ports 0; tshark in the reassembled datagram's conversation")


# --------------------------------------------------------------------------
# Check 5: Arkime
# --------------------------------------------------------------------------

REASON_ARKIME_NONIP = ("Arkime keeps sessions for non-IP traffic (LLDP, IS-IS, ARP, ...); netcap "
                       "Connection records are IP flows only (by design)")
REASON_ARKIME_LUMP = ("Arkime lumps all IGMP (all PIM) packets of a capture into one session; "
                      "compared with the sum of netcap's IGMP (PIM) connections")
REASON_ARKIME_DHCP = ("Arkime keys DHCP by client MAC (request and reply in one session); "
                      "compared with the sum of netcap's UDP 67/68 connections")
REASON_ARKIME_ICMP = ("Arkime keys ICMP sessions by address pair; netcap by type/code (Community ID "
                      "style): compared with the sum of netcap's ICMP connections of that pair")


REASON_ARKIME_MIDSTREAM = ("Arkime counts TCP payload (client/server.bytes) only once it has seen the "
                           "handshake; these sessions start mid-stream (no SYN): Arkime 0")


def arkime_key(proto, a, ap, b, bp):
    if proto in (2, 103):
        return (proto,)
    if proto == 17 and {ap, bp} <= {67, 68} and (ap or bp):
        return ("dhcp",)
    if proto not in (6, 17, 132):
        return (proto, tuple(sorted((a, b))))
    return default_key(proto, a, ap, b, bp)


def arkime_mode(p):
    if p.proto in (2, 103):
        return "all"
    if p.proto == 17 and {p.ap, p.bp} <= {67, 68}:
        return "port"
    if p.proto not in (6, 17, 132):
        return "ip"
    return "ep"


def check_arkime(case, paths, recs, frames):
    c = Check("%s/arkime" % case)
    peers = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            d = json.load(f)
        for s in d.get("sessions3", []):
            b = s.get("body", {})
            src, dst = b.get("source", {}), b.get("destination", {})
            proto = b.get("ipProtocol", 0)
            tag = "%s %s:%s -> %s:%s" % (proto, src.get("ip"), src.get("port", 0), dst.get("ip"), dst.get("port", 0))
            if src.get("ip") is None:
                c.expect(REASON_ARKIME_NONIP)
                continue
            v = {"pkts_a": src.get("packets", 0), "pkts_b": dst.get("packets", 0),
                 "bytes_a": src.get("bytes", 0), "bytes_b": dst.get("bytes", 0),
                 "payload_a": b.get("client", {}).get("bytes"), "payload_b": b.get("server", {}).get("bytes"),
                 "first": b.get("firstPacket"), "last": b.get("lastPacket")}
            peers.append(Peer(tag, proto, src.get("ip"), src.get("port", 0), dst.get("ip"), dst.get("port", 0), v))

    def compare(c, p, o, conns):
        v = p.values
        mode = arkime_mode(p)
        if mode == "all":
            c.expect(REASON_ARKIME_LUMP)
            o = dict(o)
            o["pkts_a"] += o["pkts_b"]
            o["bytes_a"] += o["bytes_b"]
            o["payload_a"] += o["payload_b"]
            o["pkts_b"] = o["bytes_b"] = o["payload_b"] = 0
            v = dict(v)
            v["pkts_a"] += v["pkts_b"]
            v["bytes_a"] += v["bytes_b"]
            v["pkts_b"] = v["bytes_b"] = 0
        elif mode == "port" and len(conns) > 1:
            c.expect(REASON_ARKIME_DHCP)
        elif mode == "ip" and len(conns) > 1:
            c.expect(REASON_ARKIME_ICMP)
        pa, pb = v["payload_a"], v["payload_b"]
        oa, ob = o["payload_a"], o["payload_b"]
        plab = "payload"
        if p.proto in (1, 58):
            # Arkime's ICMP "payload" starts at the ICMP header; ours after its 8 bytes
            oa, ob = oa + 8 * o["pkts_a"], ob + 8 * o["pkts_b"]
            plab = "payload, ICMP: +8/pkt"
        elif p.proto == 6 and (pa, pb) == (0, 0) and (oa or ob) and \
                all(cn.get("num_syn_flags", 0) == 0 for cn in conns):
            c.expect(REASON_ARKIME_MIDSTREAM)
            pa = pb = None
        elif p.proto not in (6, 17) and (oa, ob) == (0, 0) and (pa or pb):
            c.expect("netcap has no decoder for IP protocol %d: its payload counts are 0 (Arkime "
                     "counts the bytes after the IP header)" % p.proto)
            pa = pb = None
        cmp_values(c, p, o, [("source.packets", v["pkts_a"], o["pkts_a"]),
                             ("destination.packets", v["pkts_b"], o["pkts_b"]),
                             ("source.bytes", v["bytes_a"], o["bytes_a"]),
                             ("destination.bytes", v["bytes_b"], o["bytes_b"]),
                             ("firstPacket (ms)", v["first"], o["first"] // 1000000),
                             ("lastPacket (ms)", v["last"], o["last"] // 1000000)])
        cmp_values(c, p, o, [("client.bytes (%s)" % plab, pa, oa), ("server.bytes (%s)" % plab, pb, ob)])
        if mode == "ep":
            check_orientation(c, p, conns, "source = netcap client",
                              REASON_SYNACK_FIRST if leading_synack(conns[0], recs) else None)

    fm = FlowMatch(c, recs.get("Connection", []), recs, frames, arkime_key, arkime_mode, compare, "Arkime")
    fm.run(peers)
    return c


# --------------------------------------------------------------------------
# Check 7: stream parsers (TLS hellos, HTTP exchanges, uid joins)
# --------------------------------------------------------------------------

def conn_key(a, ap, b, bp):
    """Undirected TCP endpoints."""
    return frozenset(((canon_ip(a), int(ap)), (canon_ip(b), int(bp))))


def rec_key(r):
    return conn_key(r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"])


def innermost(v):
    vs = split_multi(v, "|")
    return vs[-1] if vs else ""


def by_conn(rs):
    """Records grouped by undirected endpoints, each group in capture order."""
    out = collections.OrderedDict()
    for r in sorted(rs, key=lambda r: r["timestamp"]):
        out.setdefault(rec_key(r), []).append(r)
    return out


def tag_of(a, ap, b, bp):
    return "%s:%s -> %s:%s" % (a, ap, b, bp)


def rec_tag(r):
    return tag_of(r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"])


def cmp_field(c, label, pv, ov, where, why=None):
    """One compared value; a difference is a problem or the expected `why`."""
    ok = pv == ov
    c.fig(label, ok)
    if not ok:
        if why:
            c.expect(why)
        else:
            c.problem("%s: %s: peer %r, netcap %r" % (where, label, pv, ov))
    return ok


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def is_ip_literal(s):
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


REASON_TUNNEL_HELLO = "the peer decodes a TLS hello inside traffic netcap does not decode: %s"
REASON_SSL2_CIPHERS = ("SSL 2.0 compatible ClientHello: tshark puts its 3-byte cipher specs in "
                       "ssl.handshake.cipherspec, not in tls.handshake.ciphersuite; netcap's cipher_suites "
                       "holds them")


def check_tls_tshark(case, path, frames, recs):
    """tshark tls.tsv: one row per frame with hello messages; rows are matched
    to our records by direction and endpoints, then by order in the connection."""
    c = Check("%s/tls" % case)
    _, rows = read_tsv(path)
    fby = {f.no: f for f in frames or []}
    peer = {1: collections.OrderedDict(), 2: collections.OrderedDict()}
    for r in rows:
        types = split_multi(r["tls.handshake.type"], "|")
        f = fby.get(int(r["frame.number"]))
        why = f.stop_reason if f is not None else None
        a = innermost(r["ip.src"]) or innermost(r["ipv6.src"])
        b = innermost(r["ip.dst"]) or innermost(r["ipv6.dst"])
        ap, bp = int(innermost(r["tcp.srcport"])), int(innermost(r["tcp.dstport"]))
        for t in (1, 2):
            n = types.count(str(t))
            if n == 0:
                continue
            if n > 1:
                c.problem("frame %s: %d hellos of type %d in one frame: the check cannot split "
                          "tshark's columns" % (r["frame.number"], n, t))
                continue
            if why:
                c.expect(REASON_TUNNEL_HELLO % why)
                continue
            r["_tag"] = "frame %s %s" % (r["frame.number"], tag_of(a, ap, b, bp))
            peer[t].setdefault((canon_ip(a), ap, canon_ip(b), bp), []).append(r)
    for t, rtype in ((1, "TLSClientHello"), (2, "TLSServerHello")):
        ours = collections.OrderedDict()
        for o in sorted(recs.get(rtype, []), key=lambda r: r["timestamp"]):
            k = (canon_ip(o["src_ip"]), o["src_port"], canon_ip(o["dst_ip"]), o["dst_port"])
            ours.setdefault(k, []).append(o)
        P = peer[t]
        label = "ClientHello" if t == 1 else "ServerHello"
        for key in list(P) + [k for k in ours if k not in P]:
            ps, os_ = P.get(key, []), ours.get(key, [])
            for i in range(max(len(ps), len(os_))):
                if i >= len(os_):
                    c.fig("%ss matched" % label, False)
                    c.problem("%s: tshark %s #%d, no netcap %s record" % (ps[i]["_tag"], label, i + 1, rtype))
                    continue
                if i >= len(ps):
                    c.fig("%ss matched" % label, False)
                    c.problem("netcap %s %s at t=%d: no tshark hello" % (rtype, rec_tag(os_[i]), os_[i]["timestamp"]))
                    continue
                c.fig("%ss matched" % label, True)
                if t == 1:
                    compare_tshark_ch(c, ps[i], os_[i])
                else:
                    compare_tshark_sh(c, ps[i], os_[i])
    return c


def compare_tshark_ch(c, r, o):
    w = r["_tag"]
    cmp_field(c, "version (ClientHello)", int(split_multi(r["tls.handshake.version"], "|")[0], 16),
              o["handshake_version"], w)
    cmp_field(c, "sni", r["tls.handshake.extensions_server_name"], o["sni"], w)
    tl = [int(x, 16) for x in split_multi(r["tls.handshake.ciphersuite"], "|")]
    ssl2 = o.get("version") == 2 and not tl and o["cipher_suites"]
    cmp_field(c, "cipher suites (ClientHello)", tl, o["cipher_suites"], w, REASON_SSL2_CIPHERS if ssl2 else None)
    cmp_field(c, "alpn (ClientHello)", split_multi(r["tls.handshake.extensions_alpn_str"], "|"), o["alpns"], w)
    cmp_field(c, "ja3", r["tls.handshake.ja3"], o["ja3"], w)
    cmp_field(c, "ja3_full", r["tls.handshake.ja3_full"], o["ja3_string"], w)


def compare_tshark_sh(c, r, o):
    w = r["_tag"]
    cmp_field(c, "version (ServerHello)", int(split_multi(r["tls.handshake.version"], "|")[0], 16), o["version"], w)
    cmp_field(c, "cipher suite (ServerHello)", int(split_multi(r["tls.handshake.ciphersuite"], "|")[0], 16),
              o["cipher_suite"], w)
    cmp_field(c, "alpn (ServerHello)", r["tls.handshake.extensions_alpn_str"], o["alpn_protocol"], w)
    cmp_field(c, "ja3s", r["tls.handshake.ja3s"], o["ja3s"], w)
    cmp_field(c, "ja3s_full", r["tls.handshake.ja3s_full"], o["ja3s_string"], w)


# nDPI: per-flow TLS facts on the flow line
NDPI_TLS_RE = collections.OrderedDict([
    ("JA3C", re.compile(r"\[JA3C: ([0-9a-f]{32})")),
    ("JA4", re.compile(r"\[JA4: ([^\]\s]+)\]")),
    ("ALPNs", re.compile(r"\[\(Advertised\) ALPNs: ([^\]]*)\]")),
    ("JA3S", re.compile(r"\[JA3S: ([0-9a-f]{32})")),
    ("ALPN", re.compile(r"\[\(Negotiated\) ALPN: ([^\]]*)\]")),
])
NDPI_MAX_NUM_JA = 128
REASON_NDPI_JA4_IP = ("nDPI writes 'i' in JA4 when the SNI is an IP literal; FoxIO (and netcap) write 'd' "
                      "whenever the server_name extension is present (docs/JA4.md)")
REASON_NDPI_JA4_ALPN = ("nDPI writes the first two characters of the ALPN in JA4 ('ht' for http/1.1); "
                        "FoxIO (and netcap) write the first and last ('h1') (docs/JA4.md)")
REASON_NDPI_INVALID_JA = ("nDPI computes no JA3C/JA4 for a ClientHello with more than %d ciphers or "
                          "extensions (invalid_ja in src/lib/protocols/tls.c); netcap does" % NDPI_MAX_NUM_JA)


def ndpi_ja4_normalise(pv, o):
    """Apply nDPI's documented JA4 differences where their condition holds on
    our record; returns (value, reasons applied)."""
    why = []
    if len(pv) > 10 and len(o["ja4"]) > 10:
        if pv[3] == "i" and o["ja4"][3] == "d" and is_ip_literal(o["sni"]):
            pv = pv[:3] + "d" + pv[4:]
            why.append(REASON_NDPI_JA4_IP)
        alpn = o["alpns"][0] if o["alpns"] else ""
        if pv[8:10] == alpn[:2] and o["ja4"][8:10] == alpn[:1] + alpn[-1:] and pv[8:10] != o["ja4"][8:10]:
            pv = pv[:8] + o["ja4"][8:10] + pv[10:]
            why.append(REASON_NDPI_JA4_ALPN)
    return pv, why


def check_ndpi_tls(case, path, recs, frames):
    c = Check("%s/ndpi-tls" % case)
    chs, shs = by_conn(recs.get("TLSClientHello", [])), by_conn(recs.get("TLSServerHello", []))
    inner_l4 = inner_flows(frames)
    seen = set()
    for p in read_ndpi(path):
        if p.proto != 6:
            continue
        key = conn_key(p.a, p.ap, p.b, p.bp)
        seen.add(key)
        line = p.info["line"]
        v = {k: (m.group(1) if m else None) for k, rx in NDPI_TLS_RE.items() for m in [rx.search(line)]}
        ch, sh = chs.get(key, [None])[0], shs.get(key, [None])[0]
        tunnel = inner_l4.get(key)
        if v["JA3C"] or v["JA4"]:
            if ch is None:
                if tunnel:
                    c.expect(REASON_TUNNEL_HELLO % tunnel)
                else:
                    c.fig("ClientHellos matched", False)
                    c.problem("%s: nDPI has JA3C/JA4, netcap no ClientHello" % p.tag)
            else:
                c.fig("ClientHellos matched", True)
                if v["JA3C"]:
                    cmp_field(c, "JA3C", v["JA3C"], ch["ja3"], p.tag)
                if v["JA4"]:
                    pv, why = ndpi_ja4_normalise(v["JA4"], ch)
                    if why and pv == ch["ja4"]:
                        c.fig("JA4", False)
                        for w in why:
                            c.expect(w)
                    else:
                        cmp_field(c, "JA4", v["JA4"], ch["ja4"], p.tag)
                if v["ALPNs"] is not None or ch["alpns"]:
                    cmp_field(c, "advertised ALPNs", v["ALPNs"] or "", ";".join(ch["alpns"]), p.tag)
        elif ch is not None:
            nc = sum(1 for x in ch["cipher_suites"] if not is_grease(x))
            ne = sum(1 for x in ch["extensions"] if not is_grease(x))
            if max(nc, ne) > NDPI_MAX_NUM_JA:
                c.fig("ClientHellos matched", False)
                c.expect(REASON_NDPI_INVALID_JA)
            else:
                c.fig("ClientHellos matched", False)
                c.problem("%s: netcap ClientHello (ja3 %s), nDPI prints no JA3C/JA4" % (p.tag, ch["ja3"]))
        if v["JA3S"]:
            if sh is None:
                if tunnel:
                    c.expect(REASON_TUNNEL_HELLO % tunnel)
                else:
                    c.fig("ServerHellos matched", False)
                    c.problem("%s: nDPI has JA3S, netcap no ServerHello" % p.tag)
            else:
                c.fig("ServerHellos matched", True)
                cmp_field(c, "JA3S", v["JA3S"], sh["ja3s"], p.tag)
                if v["ALPN"] is not None or sh["alpn_protocol"]:
                    cmp_field(c, "negotiated ALPN", v["ALPN"] or "", sh["alpn_protocol"], p.tag)
        elif sh is not None:
            c.fig("ServerHellos matched", False)
            c.problem("%s: netcap ServerHello (ja3s %s), nDPI prints no JA3S" % (p.tag, sh["ja3s"]))
    for key in list(chs) + list(shs):
        if key not in seen:
            r = (chs.get(key) or shs.get(key))[0]
            c.problem("netcap TLS hello %s: no nDPI flow" % rec_tag(r))
            seen.add(key)
    if not c.figures and not c.xfail and not c.nproblems:
        return None
    return c


ARKIME_TLS_VERSION = {0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
# IANA names as Arkime prints them, for the suites of the corpus's Arkime TLS sessions
ARKIME_CIPHER = {0x0004: "TLS_RSA_WITH_RC4_128_MD5", 0x0005: "TLS_RSA_WITH_RC4_128_SHA",
                 0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
                 0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                 0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
                 0x1303: "TLS_CHACHA20_POLY1305_SHA256"}


def check_arkime_tls(case, paths, recs):
    """Arkime sessions' tls object: value sets per session (Arkime keeps unique
    values), compared with the sets over our hellos of that connection."""
    c = Check("%s/arkime-tls" % case)
    chs, shs = by_conn(recs.get("TLSClientHello", [])), by_conn(recs.get("TLSServerHello", []))
    seen = set()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            d = json.load(f)
        for s in d.get("sessions3", []):
            b = s.get("body", {})
            src, dst = b.get("source", {}), b.get("destination", {})
            if b.get("ipProtocol") != 6 or src.get("ip") is None:
                continue
            key = conn_key(src["ip"], src.get("port", 0), dst["ip"], dst.get("port", 0))
            tag = tag_of(src["ip"], src.get("port", 0), dst["ip"], dst.get("port", 0))
            seen.add(key)
            t = b.get("tls")
            ch, sh = chs.get(key, []), shs.get(key, [])
            if t is None:
                if ch or sh:
                    c.problem("%s: netcap TLS hellos, Arkime session has no tls" % tag)
                continue
            if not ch and not sh:
                c.fig("sessions matched", False)
                c.problem("%s: Arkime tls, netcap no hellos" % tag)
                continue
            c.fig("sessions matched", True)

            def uniq(xs):
                return sorted(set(x for x in xs if x not in ("", None)))
            pairs = [("ja3", [o["ja3"] for o in ch]), ("ja3string", [o["ja3_string"] for o in ch]),
                     ("ja4", [o["ja4"] for o in ch]), ("ja4_r", [o["ja4_r"] for o in ch]),
                     ("srcSessionId", [o["session_id"] for o in ch]),
                     ("ja3s", [o["ja3s"] for o in sh]), ("ja3sstring", [o["ja3s_string"] for o in sh]),
                     ("ja4s", [o["ja4s"] for o in sh]), ("dstSessionId", [o["session_id"] for o in sh])]
            for fld, ours in pairs:
                if fld in t:
                    cmp_field(c, fld, uniq(t[fld]), uniq(ours), tag)
                elif fld in ("ja3", "ja3s") and uniq(ours):
                    c.fig(fld, False)
                    c.problem("%s: Arkime has no tls.%s, netcap %s" % (tag, fld, uniq(ours)))
            if "version" in t:
                vs = [ARKIME_TLS_VERSION.get(o["supported_version"] or o["version"], "0x%04x" % o["version"])
                      for o in sh]
                cmp_field(c, "version", uniq(t["version"]), uniq(vs), tag)
            if "cipher" in t:
                names = []
                for o in sh:
                    n = ARKIME_CIPHER.get(o["cipher_suite"])
                    if n is None:
                        c.problem("%s: cipher 0x%04x not in ARKIME_CIPHER: add its IANA name"
                                  % (tag, o["cipher_suite"]))
                    names.append(n)
                cmp_field(c, "cipher", uniq(t["cipher"]), uniq(names), tag)
    for key in list(chs) + list(shs):
        if key not in seen:
            c.problem("netcap TLS hello %s: no Arkime session" % rec_tag((chs.get(key) or shs.get(key))[0]))
            seen.add(key)
    if not c.figures and not c.xfail and not c.nproblems:
        return None
    return c


# HTTP ----------------------------------------------------------------------

REASON_HTTP_SNAPLEN = ("the capture's snaplen cut these frames (frame.cap_len < frame.len): the HTTP "
                       "message is incomplete; tshark dissects the partial start line, netcap's reassembly "
                       "has a gap and writes no exchange")
REASON_HTTP_SCTP = ("HTTP over SCTP: netcap decodes SCTP chunks but reassembles only TCP streams, so no "
                    "stream parser sees it")
REASON_TSHARK_HTTP_PORT = ("tshark dissects HTTP only on its configured ports: no frame of this connection has "
                           "an http layer in frames.tsv; netcap parses HTTP on any port")
REASON_ZEEK_HTTP_PARTIAL = ("Zeek's HTTP analyzer skips partial connections (TCP()->IsPartial(): no SYN seen, "
                            "conn.log history without s/h); netcap parses them")
REASON_TSHARK_HTTP_BODY = ("the response body ends before its Content-Length in the capture (netcap "
                           "res_content_length < res_declared_length): tshark, reassembling bodies "
                           "(http.desegment_body), never completes the response and shows none; netcap writes "
                           "the exchange with its status line")
TSHARK_HTTP_PORTS = {80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710}


def frame_endpoints(f):
    kind = "ip" if f.cols.get("ip.src") else "ipv6"
    try:
        return (canon_ip(f.cols[kind + ".src"][-1]), int(f.cols["tcp.srcport"][-1]),
                canon_ip(f.cols[kind + ".dst"][-1]), int(f.cols["tcp.dstport"][-1]))
    except (KeyError, IndexError, ValueError):
        return None


def interim(code):
    return 100 <= code < 200 and code != 101


def check_http_tshark(case, path, frames, recs):
    """tshark http.tsv: request rows (method, host, uri, user agent) and
    response rows (code, content type); frames.tsv gives their endpoints.
    Requests and final responses of a connection are paired in order (1xx
    interim responses other than 101 are not exchanges) and matched to our
    HTTP records of that connection in order."""
    c = Check("%s/http" % case)
    _, rows = read_tsv(path)
    fby = {f.no: f for f in frames}
    conn_frames = collections.defaultdict(list)
    for f in frames:
        ep = frame_endpoints(f) if "tcp" in f.tokens else None
        if ep:
            conn_frames[conn_key(*ep)].append(f)
    peer = collections.OrderedDict()    # key -> {"req": [...], "resp": [...], "client": (ip, port)}
    for r in rows:
        f = fby.get(int(r["frame.number"]))
        isreq, isresp = bool(r["http.request.method"]), bool(r["http.response.code"])
        if not (isreq or isresp):
            continue       # body continuation frames
        if f is None:
            c.problem("http.tsv frame %s not in frames.tsv" % r["frame.number"])
            continue
        why = f.stop_reason or (REASON_HTTP_SCTP if "sctp" in f.tokens else None)
        if why:
            c.expect(why)
            continue
        ep = frame_endpoints(f)
        if ep is None:
            c.problem("frame %d: HTTP without TCP endpoints" % f.no)
            continue
        key = conn_key(*ep)
        e = peer.setdefault(key, {"req": [], "resp": [], "client": None, "frames": conn_frames.get(key, [])})
        r["_no"] = f.no
        if isreq:
            e["req"].append(r)
            e["client"] = (ep[0], ep[1])
        if isresp:
            if interim(int(r["http.response.code"])):
                c.notes.append("frame %d: interim %s response, not an exchange" % (f.no, r["http.response.code"]))
            else:
                e["resp"].append(r)
                if e["client"] is None:
                    e["client"] = (ep[2], ep[3])
    ours = by_conn(recs.get("HTTP", []))
    for key in list(peer) + [k for k in ours if k not in peer]:
        e = peer.get(key, {"req": [], "resp": [], "frames": conn_frames.get(key, [])})
        os_ = ours.get(key, [])
        n = max(len(e["req"]), len(e["resp"]))
        for i in range(max(n, len(os_))):
            rq = e["req"][i] if i < len(e["req"]) else None
            rs = e["resp"][i] if i < len(e["resp"]) else None
            if i >= len(os_):
                no = (rq or rs)["_no"]
                if any(f.caplen < f.len for f in e["frames"]):
                    c.expect(REASON_HTTP_SNAPLEN)
                else:
                    c.fig("exchanges matched", False)
                    c.problem("frame %d: tshark HTTP exchange #%d, no netcap record" % (no, i + 1))
                continue
            o = os_[i]
            if i >= n:
                sport = o["dst_port"]
                if not any("http" in f.tokens for f in e["frames"]) and sport not in TSHARK_HTTP_PORTS:
                    c.expect(REASON_TSHARK_HTTP_PORT)
                else:
                    c.fig("exchanges matched", False)
                    c.problem("netcap HTTP %s %s %s: no tshark exchange" % (rec_tag(o), o["method"], o["url"][:60]))
                continue
            c.fig("exchanges matched", True)
            w = "frame %d %s" % ((rq or rs)["_no"], rec_tag(o))
            if rq is not None:
                cmp_field(c, "http.request.method", rq["http.request.method"], o["method"], w)
                cmp_field(c, "http.host", rq["http.host"], o["host"], w)
                cmp_field(c, "http.request.uri", rq["http.request.uri"], o["url"], w)
                cmp_field(c, "http.user_agent", rq["http.user_agent"], o["user_agent"], w)
            else:
                cmp_field(c, "http.request.method", "", o["method"], w + " (tshark: no request)")
            body_cut = rs is None and o["status_code"] and 0 <= o["res_content_length"] < o["res_declared_length"]
            cmp_field(c, "http.response.code", int(rs["http.response.code"]) if rs else 0, o["status_code"], w,
                      REASON_TSHARK_HTTP_BODY if body_cut else None)
            if rs is not None:
                cmp_field(c, "http.content_type", rs["http.content_type"], o["res_content_type"], w)
    return c


def zeek_conn_history(casedir):
    out = {}
    p = os.path.join(casedir, "oracle", "zeek", "conn.log")
    if os.path.exists(p):
        for z in read_zeek_log(p):
            out[conn_key(z["id.orig_h"], z["id.orig_p"], z["id.resp_h"], z["id.resp_p"])] = z.get("history", "")
    return out


def zint(v):
    v = zopt(v)
    return int(v) if v is not None else 0


def check_http_zeek(case, path, recs, history):
    """Zeek http.log: one line per exchange, trans_depth = order in the
    connection; '-' is empty."""
    c = Check("%s/zeek-http" % case)
    peer = collections.OrderedDict()
    for z in read_zeek_log(path):
        key = conn_key(z["id.orig_h"], z["id.orig_p"], z["id.resp_h"], z["id.resp_p"])
        peer.setdefault(key, []).append(z)
    ours = by_conn(recs.get("HTTP", []))
    for key in list(peer) + [k for k in ours if k not in peer]:
        zs = sorted(peer.get(key, []), key=lambda z: int(z["trans_depth"]))
        os_ = ours.get(key, [])
        for i in range(max(len(zs), len(os_))):
            if i >= len(os_):
                z = zs[i]
                c.fig("exchanges matched", False)
                c.problem("%s depth %s: Zeek exchange, no netcap record"
                          % (tag_of(z["id.orig_h"], z["id.orig_p"], z["id.resp_h"], z["id.resp_p"]), z["trans_depth"]))
                continue
            o = os_[i]
            if i >= len(zs):
                h = history.get(key)
                if h is not None and not any(ch in h.lower() for ch in "sh"):
                    c.expect(REASON_ZEEK_HTTP_PARTIAL)
                else:
                    c.fig("exchanges matched", False)
                    c.problem("netcap HTTP %s %s %s: no Zeek exchange" % (rec_tag(o), o["method"], o["url"][:60]))
                continue
            z = zs[i]
            c.fig("exchanges matched", True)
            w = "%s depth %s" % (rec_tag(o), z["trans_depth"])
            ver = o["res_proto"] if o["status_code"] else o["proto"]
            for label, zv, ov in (("method", zopt(z["method"]) or "", o["method"]),
                                  ("host", zopt(z["host"]) or "", o["host"]),
                                  ("uri", zopt(z["uri"]) or "", o["url"]),
                                  ("referrer", zopt(z["referrer"]) or "", o["referer"]),
                                  ("version", zopt(z["version"]) or "", ver.replace("HTTP/", "")),
                                  ("user_agent", zopt(z["user_agent"]) or "", o["user_agent"]),
                                  ("request_body_len", zint(z["request_body_len"]), o["req_content_length"]),
                                  ("response_body_len", zint(z["response_body_len"]), o["res_content_length"]),
                                  ("status_code", zint(z["status_code"]), o["status_code"]),
                                  ("status_msg", zopt(z["status_msg"]) or "", o["status_msg"])):
                cmp_field(c, label, zv, ov, w)
    return c


def check_uid(case, recs):
    """Every stream-parser record names its connection: its uid is the uid of
    exactly one TCP Connection record with the same endpoints, whose time span
    contains the record."""
    targets = [("TLSClientHello", recs.get("TLSClientHello", [])),
               ("TLSServerHello", recs.get("TLSServerHello", [])),
               ("HTTP", recs.get("HTTP", [])),
               ("DNS over TCP", [r for r in recs.get("DNS", []) if r.get("transport") == "tcp"])]
    if not any(rs for _, rs in targets):
        return None
    c = Check("%s/uid" % case)
    conns = [cn for cn in recs.get("Connection", []) if cn.get("ip_protocol") == 6]
    idx = collections.defaultdict(list)
    for cn in conns:
        idx[conn_key(cn["src_ip"], cn["src_port"], cn["dst_ip"], cn["dst_port"])].append(cn)
    uids = collections.Counter(cn["uid"] for cn in recs.get("Connection", []))
    dup = [u for u, n in uids.items() if n > 1]
    c.fig("Connection uids distinct", not dup, len(uids))
    for u in dup[:3]:
        c.problem("Connection uid %s used by %d connections" % (u, uids[u]))
    for rtype, rs in targets:
        for r in rs:
            cands = idx.get(rec_key(r), [])
            same = [cn for cn in cands if cn["uid"] == r.get("uid")]
            ok = len(same) == 1 and same[0]["timestamp_first"] <= r["timestamp"] <= same[0]["timestamp_last"]
            c.fig("%s uid" % rtype, ok)
            if not ok:
                c.problem("%s %s t=%d uid %r: %d connection(s) with these endpoints, %d with this uid%s"
                          % (rtype, rec_tag(r), r["timestamp"], r.get("uid"), len(cands), len(same),
                             "" if len(same) != 1 else " (record outside its time span)"))
    return c


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
        checks.append(check_zeek_conn(case, p, recs, frames))
    cid = [p for p in oracle_files(casedir, "zeek", lambda n: n.endswith(".out"))
           if "1:" in open(p, encoding="utf-8", errors="replace").read()]
    if cid:
        checks.append(check_cid(case, cid, recs))
    for p in oracle_files(casedir, "ndpi", lambda n: n.endswith(".out")):
        checks.append(check_ndpi(case, p, recs, frames))
    cpath = os.path.join(casedir, "oracle", "tshark", "conversations.txt")
    if os.path.exists(cpath):
        checks.append(check_conversations(case, cpath, recs, frames))
    ark = oracle_files(casedir, "arkime", lambda n: n.endswith(".test"))
    if ark:
        checks.append(check_arkime(case, ark, recs, frames))
    # stream parsers
    tpath = os.path.join(casedir, "oracle", "tshark", "tls.tsv")
    if os.path.exists(tpath):
        checks.append(check_tls_tshark(case, tpath, frames, recs))
    for p in oracle_files(casedir, "ndpi", lambda n: n.endswith(".out")):
        checks.append(check_ndpi_tls(case, p, recs, frames))
    if ark:
        checks.append(check_arkime_tls(case, ark, recs))
    hpath = os.path.join(casedir, "oracle", "tshark", "http.tsv")
    if os.path.exists(hpath) and frames is not None:
        checks.append(check_http_tshark(case, hpath, frames, recs))
    for p in oracle_files(casedir, "zeek", lambda n: n == "http.log"):
        checks.append(check_http_zeek(case, p, recs, zeek_conn_history(casedir)))
    checks.append(check_uid(case, recs))
    # one module per protocol family in checks/ (see load_plugins)
    ctx = PluginContext(case=case, casedir=casedir, recs=recs, frames=frames, linktype=linktype,
                        netcap=netcap, pcap=pcap, outdir=outdir)
    for mod in PLUGINS:
        checks.extend(mod.run(ctx) or [])
    return [c for c in checks if c is not None]


class PluginContext:
    """What a check module gets: the case, its directory, our records by type
    (lists of dicts from `netcap dump -json`), tshark's frames (or None), the
    link type, the netcap binary, the capture and our output directory."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def oracle(self, kind, pred):
        """Paths of oracle files <casedir>/oracle/<kind>/* with pred(name)."""
        return oracle_files(self.casedir, kind, pred)


def load_plugins():
    """Check modules: tests/oracle/checks/<name>.py, each with TITLES (kind ->
    one-line description, in the order of the figures table) and run(ctx) ->
    [Check]. A module may use everything in this file (import compare)."""
    import importlib.util
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks")
    mods = []
    if os.path.isdir(d):
        sys.modules.setdefault("compare", sys.modules[__name__])
        for n in sorted(os.listdir(d)):
            if n.endswith(".py") and not n.startswith("_"):
                spec = importlib.util.spec_from_file_location("checks_" + n[:-3], os.path.join(d, n))
                m = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(m)
                mods.append(m)
    return mods


CHECK_TITLES = collections.OrderedDict([
    ("frames", "tshark frames.tsv (+ arp.tsv): header fields frame by frame"),
    ("dns", "tshark dns.tsv: DNS messages"),
    ("conv", "tshark conversations: TCP/UDP flows and IPv4/IPv6 address pairs"),
    ("zeek", "Zeek conn.log: connections"),
    ("cid", "Zeek Community ID baselines"),
    ("ndpi", "nDPI ndpiReader flows"),
    ("arkime", "Arkime sessions"),
    ("tls", "tshark tls.tsv: TLS ClientHello/ServerHello"),
    ("ndpi-tls", "nDPI flows: JA3C/JA4/JA3S and ALPN"),
    ("arkime-tls", "Arkime sessions: tls (ja3, ja3s, session ids, version, cipher)"),
    ("http", "tshark http.tsv: HTTP exchanges"),
    ("zeek-http", "Zeek http.log: HTTP exchanges"),
    ("uid", "uid joins: stream-parser records to their Connection"),
])


PLUGINS = []


def main():
    PLUGINS.extend(load_plugins())
    for m in PLUGINS:
        CHECK_TITLES.update(getattr(m, "TITLES", {}))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netcap", default=os.environ.get("NETCAP", "build/netcap"))
    ap.add_argument("--corpus", default=os.environ.get("CORPUS", ""))
    ap.add_argument("--figures", metavar="FILE", help="also write the agreement figures (markdown) to FILE")
    ap.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 2))
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep netcap's output directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every problem")
    args = ap.parse_args()

    netcap = os.path.abspath(args.netcap)
    corpus = args.corpus
    if not corpus or not os.path.isdir(corpus):
        print("SKIP oracle: corpus %s absent" % (corpus or "../shared/corpus"))
        print("oracle: 0 passed, 0 failed, 1 skipped")
        return 0
    if not os.access(netcap, os.X_OK):
        print("FAIL oracle/setup: netcap binary %s not found or not executable" % netcap)
        print("oracle: 0 passed, 1 failed, 0 skipped")
        return 1
    cases = sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
    if args.case:
        cases = [c for c in cases if c in args.case]
    manifest = read_manifest(corpus)
    work = tempfile.mkdtemp(prefix="netcap-oracle-")
    results = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = {ex.submit(process_case, netcap, corpus, c, work, manifest): c for c in cases}
            for fu in concurrent.futures.as_completed(futs):
                case = futs[fu]
                try:
                    results[case] = fu.result()
                except Exception as e:  # a crash in a check fails that case
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
            if st == "PASS":
                npass += 1
                print("PASS %s" % c.name)
            elif st == "XFAIL":
                npass += 1
                reasons = list(c.xfail.items())
                print("XFAIL %s: %s [%d]" % (c.name, reasons[0][0], reasons[0][1]))
                for r, n in reasons[1:]:
                    print("    + %s [%d]" % (r, n))
            else:
                nfail += 1
                shown = c.problems if args.verbose else c.problems[:5]
                more = c.nproblems - len(shown)
                print("FAIL %s: %s%s" % (c.name, shown[0], " (+%d more)" % more if more else ""))
                for p in shown[1:]:
                    print("    %s" % p)
                for r, n in c.xfail.items():
                    print("    (expected: %s [%d])" % (r, n))
            if c.figures:
                print("    figures: %s" % fmt_figs(c.figures))
            if args.verbose:
                for n in c.notes:
                    print("    note: %s" % n)
    totals = aggregate(allchecks)
    print("# agreement figures, matched/compared over all cases:")
    for kind, figs in totals.items():
        print("#   %s: %s" % (kind, fmt_figs(figs)))
    if args.figures:
        write_figures(args.figures, netcap, corpus, allchecks, totals, npass, nfail, nskip)
        print("# figures written to %s" % args.figures)
    print("oracle: %d passed, %d failed, %d skipped" % (npass, nfail, nskip))
    return 1 if nfail else 0


def figure_rank(label):
    """Stable order of figure labels: by the order the checks define them."""
    order = ["IPv6Fragment records"]
    for _, (_, fields) in KINDS.items():
        order += [col for col, _ in fields]
    order += ["802.1ad tags", "messages", "transport (udp/tcp)", "messages over TCP"] + DNS_FIELDS
    order += ["mDNS/LLMNR messages decoded"]
    order += ["flows matched", "proto", "orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes",
              "orig_bytes", "resp_bytes", "duration", "orig = netcap client", "community_id",
              "pkts a->b", "pkts b->a", "frames a->b", "frames b->a", "bytes a->b", "bytes b->a",
              "a = netcap client", "A = netcap client"]
    order += ["address pairs matched"]
    for v in ("IPv4", "IPv6"):
        order += ["%s pair %s %s" % (v, what, d) for what in ("frames", "bytes") for d in ("a->b", "b->a")]
    order += ["source.packets", "destination.packets", "source.bytes",
              "destination.bytes", "client.bytes", "server.bytes", "firstPacket", "lastPacket",
              "source = netcap client"]
    order += ["ClientHellos matched", "ServerHellos matched", "sessions matched", "exchanges matched"]
    order += ["version", "sni",
              "cipher suites", "cipher suite", "cipher", "alpn", "advertised ALPNs", "negotiated ALPN",
              "ja3", "JA3C", "ja3_full", "ja3string", "ja4", "JA4", "ja4_r", "srcSessionId", "ja3s", "JA3S",
              "ja3s_full", "ja3sstring", "ja4s", "dstSessionId"]
    order += ["http.request.method", "method", "http.host", "host", "http.request.uri",
              "uri", "referrer", "version", "http.user_agent", "user_agent", "request_body_len",
              "response_body_len", "http.response.code", "status_code", "status_msg", "http.content_type"]
    order += ["Connection uids distinct", "TLSClientHello uid", "TLSServerHello uid", "HTTP uid",
              "DNS over TCP uid"]
    base = label.split(" (")[0]
    if base in order:
        return (order.index(base), label)
    return (len(order), label)


def aggregate(checks):
    tot = collections.OrderedDict((k, {}) for k in CHECK_TITLES)
    for c in checks:
        kind = c.name.split("/", 1)[1]
        for k, (ok, n) in c.figures.items():
            t = tot.setdefault(kind, {}).setdefault(k, [0, 0])
            t[0] += ok
            t[1] += n
    out = collections.OrderedDict()
    for kind, figs in tot.items():
        if figs:
            out[kind] = collections.OrderedDict((k, figs[k]) for k in sorted(figs, key=figure_rank))
    return out


def write_figures(path, netcap, corpus, checks, totals, npass, nfail, nskip):
    try:
        _, ver, _ = run([netcap, "version"])
        ver = ver.strip().splitlines()[0] if ver.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        ver = "unknown"
    try:
        with open(os.path.join(corpus, "README.txt"), encoding="utf-8") as f:
            corpus_line = f.readline().strip()
    except OSError:
        corpus_line = "unknown corpus"
    nx = sum(1 for c in checks if c.status == "XFAIL")
    L = []
    L.append("# Oracle agreement figures")
    L.append("")
    L.append("Generated by `tests/oracle/run.sh --figures`; do not edit by hand.")
    L.append("")
    L.append("- netcap: `%s`" % ver)
    L.append("- corpus: %s (%d cases)" % (corpus_line, len({c.name.split('/')[0] for c in checks})))
    L.append("- result: %d passed (%d of them expected differences), %d failed, %d skipped"
             % (npass, nx, nfail, nskip))
    L.append("")
    L.append("Figures are matched/compared values, summed over all cases.  Headers and flows that")
    L.append("netcap does not produce for a documented reason (tunnel carrier flows, unsupported")
    L.append("link types, ...) are not compared; values that differ for a documented reason count as")
    L.append("not matched.  Both are listed under \"Expected differences\" with their occurrences.")
    L.append("")
    for kind, figs in totals.items():
        L.append("## %s" % CHECK_TITLES.get(kind, kind))
        L.append("")
        L.append("| field | matched | compared | agreement |")
        L.append("|---|---:|---:|---:|")
        for k, (ok, n) in figs.items():
            L.append("| %s | %d | %d | %s |" % (k, ok, n, ("%.2f%%" % (100.0 * ok / n)) if n else "-"))
        L.append("")
    L.append("## Expected differences")
    L.append("")
    L.append("| reason | occurrences | tests |")
    L.append("|---|---:|---|")
    reasons = collections.OrderedDict()
    for c in checks:
        for r, n in c.xfail.items():
            e = reasons.setdefault(r, [0, []])
            e[0] += n
            e[1].append(c.name)
    for r in sorted(reasons):
        n, names = reasons[r]
        L.append("| %s | %d | %s |" % (r.replace("|", "/"), n, ", ".join(names)))
    L.append("")
    L.append("## Per test")
    L.append("")
    L.append("| test | status | figures |")
    L.append("|---|---|---|")
    for c in checks:
        st = c.status
        if st == "SKIP":
            fig = c.skip
        elif st == "FAIL":
            fig = "%s; %s" % (c.problems[0] if c.problems else "", fmt_figs(c.figures))
        else:
            fig = fmt_figs(c.figures)
        L.append("| %s | %s | %s |" % (c.name, st, fig.replace("|", "/")))
    L.append("")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
