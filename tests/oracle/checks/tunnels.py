"""Tunnels and encapsulations: GRE, ERSPAN, VXLAN, Geneve, MPLS, PPPoE
headers, and the records inside tunnels, against three peers:

  tunnels-tcpdump  `tcpdump -nn -v -tt` run on the capture: GRE (version,
                   key, sequence, call id, ack, length), VXLAN (flags, VNI),
                   Geneve (VNI, O/C flags, each option's class, type and
                   length), MPLS (label, TC, S, TTL per entry), PPPoE (code,
                   session id, number of tags), packet by packet
  tunnels-tshark   tshark tunnel.tsv (gre.proto, vxlan.vni, geneve.vni) and
                   frames.tsv (mpls.label; the innermost IP addresses and
                   TCP/UDP ports): the record of the innermost IP header has
                   tshark's innermost addresses, tunnel_depth = the number
                   of carrier IP headers before it and a tunnel_parent; the
                   outermost IP record has depth 0
  tunnels-zeek     Zeek conn.log tunnel_parents with tunnel.log: each inner
                   connection has tunnel_depth > 0 and, as tunnel_parent,
                   the Community ID of one of its parent tunnels' endpoints

ERSPAN has no field-level peer in the corpus (this tcpdump prints
gre-proto-0x88be; the tshark tables have no erspan columns): its mirrored
frames are compared by the frames check and here (innermost headers).
"""

import base64
import collections
import hashlib
import ipaddress
import re
import struct
import subprocess

import compare

TITLES = collections.OrderedDict([
    ("tunnels-tcpdump", "tcpdump -v decode: GRE, VXLAN, Geneve, MPLS, PPPoE headers"),
    ("tunnels-tshark", "tshark tunnel.tsv/frames.tsv: GRE protocol, VNIs, MPLS labels, innermost headers"),
    ("tunnels-zeek", "Zeek conn.log tunnel_parents + tunnel.log: inner connections' tunnel_depth/tunnel_parent"),
])

TUNNEL_TYPES = ("GRE", "ERSPAN", "VXLAN", "Geneve", "MPLS", "PPPoE", "PPP", "Teredo")


class Pkt:
    __slots__ = ("ts", "text", "no")


def tcpdump_packets(pcap):
    try:
        p = subprocess.run(["tcpdump", "-nn", "-v", "-tt", "-r", pcap], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        m = re.match(r"^(\d+)\.(\d{6}) ", line)
        if m:
            pk = Pkt()
            pk.ts = int(m.group(1)) * 1000000000 + int(m.group(2)) * 1000
            pk.text = line
            pk.no = len(out) + 1
            out.append(pk)
        elif out:
            out[-1].text += "\n" + line
    return out


GRE_RE = re.compile(r"GREv(\d),(.*?)length (\d+)")
VXLAN_RE = re.compile(r"VXLAN, flags \[(\w*)\] \(0x([0-9a-f]+)\), vni (\d+)")
GENEVE_RE = re.compile(r"Geneve, Flags \[([^\]]*)\], vni 0x([0-9a-f]+)(?:, proto [^,]+)?(?:, options \[(.*?)\])?")
GENEVE_OPT_RE = re.compile(r"class [^()]*\(0x([0-9a-f]+)\) type 0x([0-9a-f]+)(?:\(C\))? len (\d+)")
MPLS_RE = re.compile(r"\(label (\d+), tc (\d+), (\[S\], )?ttl (\d+)\)")
PPPOE_RE = re.compile(r"PPPoE (PADI|PADO|PADR|PADS|PADT|) ?(\[ses 0x([0-9a-f]+)\])?(.*)")
PPPOE_CODES = {"PADI": 0x09, "PADO": 0x07, "PADR": 0x19, "PADS": 0x65, "PADT": 0xA7, "": 0}


REASON_TCPDUMP_STOP = ("tcpdump stops at a GRE payload type it does not decode (0x8909, Cisco metadata); "
                       "netcap decodes the GRE header inside as well: those are not compared")


def gre_hdr_len(r):
    n = 4
    if r.get("checksum_present") or r.get("routing_present"):
        n += 4
    for k in ("key_present", "sequence_number_present", "ack_number_present"):
        n += 4 if r.get(k) else 0
    return n


def per_packet(pkts, recs, count):
    """Our records of one type aligned to tcpdump's packets by timestamp."""
    expected = [count(p) for p in pkts]
    per, orphans = compare.align(pkts, recs, expected)
    return per, expected, orphans


def cmp(c, label, pv, ov, where):
    ok = pv == ov
    c.fig(label, ok)
    if not ok:
        c.problem("%s: %s: tcpdump %r, netcap %r" % (where, label, pv, ov))


def check_tcpdump(ctx):
    recs = ctx.recs
    if not any(recs.get(t) for t in ("GRE", "VXLAN", "Geneve", "MPLS", "PPPoE")):
        return None
    pkts = tcpdump_packets(ctx.pcap)
    c = compare.Check("%s/tunnels-tcpdump" % ctx.case)
    if pkts is None:
        c.skip = "tcpdump not runnable"
        return c
    # GRE
    per, exp, orph = per_packet(pkts, recs.get("GRE", []), lambda p: len(GRE_RE.findall(p.text)))
    for p, mine, e in zip(pkts, per, exp):
        hs = GRE_RE.findall(p.text)
        if len(mine) > e and re.search(r"gre-proto-0x(?!88be)", p.text):
            # tcpdump stopped at a payload type it does not decode
            c.expect(REASON_TCPDUMP_STOP, len(mine) - e)
            mine = mine[:e]
        if len(mine) != e:
            c.fig("GRE headers", False, max(e, len(mine)))
            c.problem("packet %d: tcpdump %d GRE headers, netcap %d" % (p.no, e, len(mine)))
            continue
        for (ver, mid, length), r in zip(hs, mine):
            w = "packet %d" % p.no
            c.fig("GRE headers", True)
            cmp(c, "GRE version", int(ver), r.get("version"), w)
            km = re.search(r"key=0x([0-9a-f]+)", mid)
            cmp(c, "GRE key present", bool(km) or "call " in mid, r.get("key_present"), w)
            if km:
                cmp(c, "GRE key", int(km.group(1), 16), r.get("key"), w)
            cm = re.search(r"call (\d+)", mid)
            if cm:
                cmp(c, "GRE v1 call id", int(cm.group(1)), r.get("call_id"), w)
            sm = re.search(r"seq (\d+)", mid)
            cmp(c, "GRE seq present", bool(sm), r.get("sequence_number_present"), w)
            if sm:
                cmp(c, "GRE seq", int(sm.group(1)), r.get("sequence_number"), w)
            am = re.search(r"ack (\d+)", mid)
            cmp(c, "GRE ack present", bool(am), r.get("ack_number_present"), w)
            if am:
                cmp(c, "GRE ack", int(am.group(1)), r.get("ack_number"), w)
            cmp(c, "GRE length (header + payload)", int(length), gre_hdr_len(r) + r.get("payload_size", 0), w)
    for r in orph[:3]:
        c.problem("GRE record at t=%d matches no packet" % r["timestamp"])
    # VXLAN
    per, exp, orph = per_packet(pkts, recs.get("VXLAN", []), lambda p: len(VXLAN_RE.findall(p.text)))
    for p, mine, e in zip(pkts, per, exp):
        hs = VXLAN_RE.findall(p.text)
        if e or mine:
            c.fig("VXLAN headers", len(mine) == e, max(e, len(mine)))
        if len(mine) != e:
            c.problem("packet %d: tcpdump %d VXLAN headers, netcap %d" % (p.no, e, len(mine)))
            continue
        for (fl, flhex, vni), r in zip(hs, mine):
            w = "packet %d" % p.no
            cmp(c, "VXLAN flags", int(flhex, 16), r.get("flags"), w)
            cmp(c, "VXLAN I flag", "I" in fl, r.get("valid_id_flag"), w)
            cmp(c, "VXLAN vni", int(vni), r.get("vni"), w)
    # Geneve
    per, exp, orph = per_packet(pkts, recs.get("Geneve", []), lambda p: len(GENEVE_RE.findall(p.text)))
    for p, mine, e in zip(pkts, per, exp):
        hs = GENEVE_RE.findall(p.text)
        if e or mine:
            c.fig("Geneve headers", len(mine) == e, max(e, len(mine)))
        if len(mine) != e:
            c.problem("packet %d: tcpdump %d Geneve headers, netcap %d" % (p.no, e, len(mine)))
            continue
        for (fl, vni, opts), r in zip(hs, mine):
            w = "packet %d" % p.no
            cmp(c, "Geneve vni", int(vni, 16), r.get("vni"), w)
            cmp(c, "Geneve O flag", "O" in fl, r.get("oam_packet"), w)
            cmp(c, "Geneve C flag", "C" in fl, r.get("critical_option"), w)
            topts = GENEVE_OPT_RE.findall(opts or "")
            oopts = r.get("options") or []
            cmp(c, "Geneve options (count)", len(topts), len(oopts), w)
            for (cls, typ, ln), o in zip(topts, oopts):
                cmp(c, "Geneve option class", int(cls, 16), o.get("class"), w)
                cmp(c, "Geneve option type", int(typ, 16), o.get("type"), w)
                cmp(c, "Geneve option length", int(ln), o.get("length"), w)
    # MPLS
    per, exp, orph = per_packet(pkts, recs.get("MPLS", []), lambda p: len(MPLS_RE.findall(p.text)))
    for p, mine, e in zip(pkts, per, exp):
        hs = MPLS_RE.findall(p.text)
        if len(mine) != e:
            c.fig("MPLS entries", False, max(e, len(mine)))
            c.problem("packet %d: tcpdump %d MPLS entries, netcap %d" % (p.no, e, len(mine)))
            continue
        for (label, tc, s, ttl), r in zip(hs, mine):
            w = "packet %d" % p.no
            c.fig("MPLS entries", True)
            cmp(c, "MPLS label", int(label), r.get("label"), w)
            cmp(c, "MPLS tc", int(tc), r.get("traffic_class"), w)
            cmp(c, "MPLS bottom of stack", bool(s), r.get("stack_bottom"), w)
            cmp(c, "MPLS ttl", int(ttl), r.get("ttl"), w)
    # PPPoE
    per, exp, orph = per_packet(pkts, recs.get("PPPoE", []), lambda p: len(PPPOE_RE.findall(p.text)))
    for p, mine, e in zip(pkts, per, exp):
        hs = PPPOE_RE.findall(p.text)
        if len(mine) != e:
            c.fig("PPPoE headers", False, max(e, len(mine)))
            c.problem("packet %d: tcpdump %d PPPoE headers, netcap %d" % (p.no, e, len(mine)))
            continue
        for (code, _, ses, rest), r in zip(hs, mine):
            w = "packet %d" % p.no
            c.fig("PPPoE headers", True)
            cmp(c, "PPPoE code", PPPOE_CODES[code], r.get("code"), w)
            cmp(c, "PPPoE session id", int(ses, 16) if ses else 0, r.get("session_id"), w)
            if code:
                cmp(c, "PPPoE discovery tags (count)", len(re.findall(r"\[[A-Za-z-]+", rest)),
                    len(r.get("tags") or []), w)
                acm = re.search(r'\[AC-Name "([^"]*)"\]', rest)
                if acm:
                    cmp(c, "PPPoE AC-Name", acm.group(1), r.get("ac_name"), w)
    if not c.figures:
        return None
    return c


# ------------------------------------------------------------------ tshark

def check_tshark(ctx):
    frames = ctx.frames
    recs = ctx.recs
    if frames is None or not any(recs.get(t) for t in TUNNEL_TYPES):
        return None
    c = compare.Check("%s/tunnels-tshark" % ctx.case)
    tpath = ctx.oracle("tshark", lambda n: n == "tunnel.tsv")
    if tpath:
        _, rows = compare.read_tsv(tpath[0])
        byno = {int(r["frame.number"]): r for r in rows}
        for col, rtype, fld, conv in (("gre.proto", "GRE", "protocol", lambda v: int(v, 16)),
                                      ("vxlan.vni", "VXLAN", "vni", int),
                                      ("geneve.vni", "Geneve", "vni", lambda v: int(v, 0))):
            vals = [compare.split_multi(byno.get(f.no, {}).get(col, ""), "|") for f in frames]
            per, orph = compare.align(frames, recs.get(rtype, []), [len(v) for v in vals])
            for f, v, mine in zip(frames, vals, per):
                if not v and not mine:
                    continue
                if len(v) != len(mine):
                    c.fig(col, False, max(len(v), len(mine)))
                    c.problem("frame %d: tshark %s %s, netcap %d %s records" % (f.no, col, v, len(mine), rtype))
                    continue
                for tv, r in zip(v, mine):
                    ok = conv(tv) == r.get(fld)
                    c.fig(col, ok)
                    if not ok:
                        c.problem("frame %d: %s tshark %s, netcap %s=%r" % (f.no, col, tv, fld, r.get(fld)))
            for r in orph[:3]:
                c.problem("%s record at t=%d matches no frame" % (rtype, r["timestamp"]))
    # MPLS labels per frame
    labels = [[x for l in (f.cols.get("mpls.label") or []) for x in l.split("|") if x] for f in frames]
    if any(labels) or recs.get("MPLS"):
        per, orph = compare.align(frames, recs.get("MPLS", []), [len(v) for v in labels])
        for f, v, mine in zip(frames, labels, per):
            if not v and not mine:
                continue
            ours = [r.get("label") for r in mine]
            ok = [int(x) for x in v] == ours
            c.fig("mpls.label (stack per frame)", ok)
            if not ok:
                c.problem("frame %d: tshark labels %s, netcap %s" % (f.no, v, ours))
    # innermost headers of tunnelled frames
    car = compare.carriers(frames)
    for rtype, kind in (("IPv4", "ip"), ("IPv6", "ipv6")):
        n_kind = [sum(1 for k, why in f.occ if k == kind and why is None) for f in frames]
        per, _ = compare.align(frames, recs.get(rtype, []), n_kind)
        for f, mine, cs in zip(frames, per, car):
            if not cs or not mine:
                continue
            # the innermost IP header of the frame (either version)
            seq = _ip_order(f)
            if seq and seq[0][0] == kind:
                ok = mine[0].get("tunnel_depth", 0) == 0 and not mine[0].get("tunnel_parent")
                c.fig("outermost IP record: tunnel_depth 0", ok)
                if not ok:
                    c.problem("frame %d: outer %s record has tunnel_depth %r"
                              % (f.no, rtype, mine[0].get("tunnel_depth")))
            if not seq or seq[-1][0] != kind:
                continue
            r = mine[-1]
            k, i = seq[-1]
            src = compare.canon_ip(f.cols[k + ".src"][i])
            dst = compare.canon_ip(f.cols[k + ".dst"][i])
            ok = (compare.canon_ip(r.get("src_ip")), compare.canon_ip(r.get("dst_ip"))) == (src, dst)
            c.fig("innermost IP addresses", ok)
            if not ok:
                c.problem("frame %d: innermost %s %s > %s, netcap %s > %s"
                          % (f.no, kind, src, dst, r.get("src_ip"), r.get("dst_ip")))
            ok = r.get("tunnel_depth", 0) == len(cs) and bool(r.get("tunnel_parent"))
            c.fig("innermost IP record: tunnel_depth = carriers, tunnel_parent set", ok)
            if not ok:
                c.problem("frame %d: innermost %s record tunnel_depth %r (carriers %d), parent %r"
                          % (f.no, rtype, r.get("tunnel_depth"), len(cs), r.get("tunnel_parent")))
    for rtype, kind in (("TCP", "tcp"), ("UDP", "udp")):
        n_kind = [sum(1 for k, why in f.occ if k == kind and why is None) for f in frames]
        per, _ = compare.align(frames, recs.get(rtype, []), n_kind)
        for f, mine, cs, n in zip(frames, per, car, n_kind):
            if not cs or not mine or len(mine) != n:
                continue
            last = n - 1
            r = mine[last]
            sp = int(f.cols[kind + ".srcport"][last])
            dp = int(f.cols[kind + ".dstport"][last])
            if any(u and frozenset(((a, u[1]), (b, u[2]))) == frozenset(((compare.canon_ip(r.get("src_ip")), sp),
                   (compare.canon_ip(r.get("dst_ip")), dp))) for _, _, a, b, u in cs):
                continue  # the innermost UDP header is the carrier's (nothing decoded inside)
            ok = (r.get("src_port"), r.get("dst_port")) == (sp, dp)
            c.fig("innermost %s ports" % rtype, ok)
            if not ok:
                c.problem("frame %d: innermost %s %d > %d, netcap %r > %r"
                          % (f.no, rtype, sp, dp, r.get("src_port"), r.get("dst_port")))
            ok = r.get("tunnel_depth", 0) > 0 and bool(r.get("tunnel_parent"))
            c.fig("innermost %s record: tunnel_depth > 0, tunnel_parent set" % rtype, ok)
            if not ok:
                c.problem("frame %d: inner %s record without tunnel_depth/parent" % (f.no, rtype))
    if not c.figures:
        return None
    return c


def _ip_order(f):
    """(kind, index) of the frame's decoded IP headers, outermost first."""
    idx = collections.Counter()
    out = []
    for kind, why in f.occ:
        i = idx[kind]
        idx[kind] += 1
        if why is None and kind in ("ip", "ipv6"):
            out.append((kind, i))
    return out


# -------------------------------------------------------------------- Zeek

def community_id(proto, a, ap, b, bp):
    """Community ID v1, seed 0 (ports only for TCP/UDP/SCTP)."""
    ia, ib = ipaddress.ip_address(a).packed, ipaddress.ip_address(b).packed
    ports = proto in (6, 17, 132)
    if (ia, ap if ports else 0) > (ib, bp if ports else 0):
        ia, ib, ap, bp = ib, ia, bp, ap
    data = struct.pack("!H", 0) + ia + ib + struct.pack("!BB", proto, 0)
    if ports:
        data += struct.pack("!HH", ap, bp)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


TUNNEL_PROTO = {"Tunnel::GRE": 47, "Tunnel::VXLAN": 17, "Tunnel::GENEVE": 17, "Tunnel::TEREDO": 17}


# Zeek services that name a tunnel's carrier connection
CARRIER_SERVICES = {"vxlan", "geneve", "teredo"}


def check_zeek(ctx):
    conn = ctx.oracle("zeek", lambda n: n == "conn.log")
    tun = ctx.oracle("zeek", lambda n: n == "tunnel.log")
    if not conn or not tun:
        return None
    c = compare.Check("%s/tunnels-zeek" % ctx.case)
    tunnels = {}
    for t in compare.read_zeek_log(tun[0]):
        tunnels.setdefault(t["uid"], t)
    ours = ctx.recs.get("Connection", [])
    for z in compare.read_zeek_log(conn[0]):
        parents = compare.zopt(z.get("tunnel_parents"))
        service = (compare.zopt(z.get("service")) or "").lower()
        carrier = service in CARRIER_SERVICES
        if not parents and not carrier:
            continue
        proto = int(z["ip_proto"]) if compare.zopt(z.get("ip_proto")) else compare.ZEEK_PROTO.get(z["proto"])
        a, b = compare.canon_ip(z["id.orig_h"]), compare.canon_ip(z["id.resp_h"])
        ap, bp = int(z["id.orig_p"]), int(z["id.resp_p"])
        key = compare.zeek_key(proto, a, ap, b, bp)
        mine = [cn for cn in ours if compare.zeek_key(cn.get("ip_protocol"), compare.canon_ip(cn["src_ip"]),
                                                      cn["src_port"], compare.canon_ip(cn["dst_ip"]),
                                                      cn["dst_port"]) == key]
        tag = "%s %s:%d -> %s:%d" % (z["proto"], a, ap, b, bp)
        if carrier and not parents:
            # a tunnel's carrier (also one whose inner frames are not IP,
            # ARP in VXLAN): Zeek's service is our application_proto
            c.fig("carrier connections found", bool(mine))
            if not mine:
                c.problem("%s: no netcap connection for the %s carrier" % (tag, service))
            for cn in mine:
                ok = (cn.get("application_proto") or "").lower() == service
                c.fig("carrier application_proto = Zeek service", ok)
                if not ok:
                    c.problem("%s: netcap application_proto %r, Zeek service %s" % (tag, cn.get("application_proto"), service))
            continue
        c.fig("inner connections found", bool(mine))
        if not mine:
            c.problem("%s: no netcap connection" % tag)
            continue
        cids = set()
        for uid in parents.split(","):
            t = tunnels.get(uid)
            if not t:
                continue
            tp = TUNNEL_PROTO.get(t["tunnel_type"])
            if tp is None:   # Tunnel::IP: the inner header's version tells 4 or 41
                tp = 4 if ":" not in z["id.orig_h"] else 41
            cids.add(community_id(tp, t["id.orig_h"], int(t["id.orig_p"]), t["id.resp_h"], int(t["id.resp_p"])))
        for cn in mine:
            ok = cn.get("tunnel_depth", 0) > 0
            c.fig("tunnel_depth > 0", ok)
            if not ok:
                c.problem("%s: netcap tunnel_depth %r" % (tag, cn.get("tunnel_depth")))
            ok = cn.get("tunnel_parent") in cids
            c.fig("tunnel_parent = a parent tunnel's Community ID", ok)
            if not ok:
                c.problem("%s: netcap tunnel_parent %r, Zeek's parents %s" % (tag, cn.get("tunnel_parent"), sorted(cids)))
    if not c.figures:
        return None
    return c


def run(ctx):
    return [x for x in (check_tcpdump(ctx), check_tshark(ctx), check_zeek(ctx)) if x is not None]
