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


#FLOWCODE
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
