"""Routing and IPsec: IGMP, IPsec AH/ESP, OSPFv2/OSPFv3 and VRRP records
against tshark field tables (igmp.tsv, ipsec.tsv, ospf.tsv, vrrp.tsv) and
the tcpdump -v decodes (parsed from their text), frame by frame.

Records are aligned to tshark's frames by timestamp and packet order
(compare.align), one record per frame that carries the protocol; the tcpdump
decodes are numbered with -#, which is the frame number. Each field that a
peer prints is compared: a frame's values of one label are compared as an
ordered list, and every difference is a FAIL (there is no documented design
difference in this family yet).
"""

import ipaddress
import re

import compare

TITLES = {
    "igmp": "IGMP: version, type, group addresses (tshark), max response time (tcpdump)",
    "ipsec": "IPsec AH/ESP: SPI, sequence number (tshark, tcpdump), ESP length (tcpdump)",
    "ospf": "OSPFv2/v3: header, hello, DB description, LSA headers, requests, LSA bodies (tcpdump, tshark)",
    "vrrp": "VRRP v2/v3: version, vrid, priority, addresses (tshark), auth, interval (tcpdump)",
}


def run(ctx):
    if ctx.frames is None:
        return []
    out = []
    for fn in (check_igmp, check_ipsec, check_ospf, check_vrrp):
        c = fn(ctx)
        # a peer table without any of these protocols: nothing was compared
        if c is not None and (c.figures or c.nproblems or c.xfail):
            out.append(c)
    return out


# ---------------------------------------------------------------- helpers


def visible(f, tokens):
    """(present, reason): does frame f carry one of tokens, and if so, why
    netcap is expected not to decode it (None: it is expected to)."""
    reason = None
    prev = None
    for t in f.tokens:
        if reason is None:
            if t in compare.STOP_TOKENS:
                reason = compare.STOP_TOKENS[t]
            elif t in ("ip", "ipv6") and prev in ("ip", "ipv6"):
                reason = compare.REASON_IP_IN_IP
        if t in tokens:
            return True, reason
        if reason is None and t in ("icmp", "icmpv6"):
            reason = compare.REASON_ICMP_QUOTE
        if t != "ethertype":
            prev = t
    return False, None


def per_frame(c, ctx, rtypes, tokens):
    """Our records of rtypes aligned to the frames carrying tokens: a list of
    (frame, record) for the frames expected to have one; missing, extra and
    orphan records are problems."""
    recs = []
    for t in rtypes:
        recs.extend(ctx.recs.get(t, []))
    if sum(1 for t in rtypes if ctx.recs.get(t)) > 1:
        # two files: merged by time (stable: packet order within a type);
        # a single file stays in packet order, whatever its timestamps do
        recs.sort(key=lambda r: r["timestamp"])
    vis = [visible(f, tokens) for f in ctx.frames]
    expected = [1 if p and why is None else 0 for p, why in vis]
    per, orphans = compare.align(ctx.frames, recs, expected)
    for r in orphans[:3]:
        c.problem("%s record at t=%d matches no frame" % ("/".join(rtypes), r["timestamp"]))
    if len(orphans) > 3:
        c.problem("... %d more orphan records" % (len(orphans) - 3))
    out = []
    c.counts = {f.no: len(mine) for f, mine in zip(ctx.frames, per)}
    for f, mine, (p, why) in zip(ctx.frames, per, vis):
        if p and why is not None:
            if mine:
                c.problem("frame %d: decoded although expected not to be (%s): update the expectation"
                          % (f.no, why))
            else:
                c.expect(why)
            continue
        if not p:
            if mine:
                c.problem("frame %d: %d %s record(s) but the peer shows none" % (f.no, len(mine), rtypes[0]))
            continue
        c.fig("records", len(mine) == 1)
        if len(mine) != 1:
            c.problem("frame %d: %d %s records, expected 1" % (f.no, len(mine), "/".join(rtypes)))
            continue
        out.append((f, mine[0]))
    return out


def tsv_rows(ctx, name):
    paths = ctx.oracle("tshark", lambda n: n == name)
    if not paths:
        return None, "|"
    head, rows = compare.read_tsv(paths[0])
    sep = compare.guess_sep(head, rows, 1)
    return {r["frame.number"]: r for r in rows}, sep


FRAME_RE = re.compile(r"^\s*(\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def tcpdump_blocks(ctx):
    """frame number -> the lines tcpdump printed for it (from *.out)."""
    blocks = {}
    for p in ctx.oracle("tcpdump", lambda n: n.endswith(".out")):
        cur = None
        with open(p, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                m = FRAME_RE.match(line)
                if m:
                    cur = int(m.group(1))
                    blocks[cur] = []
                if cur is not None:
                    blocks[cur].append(line.rstrip("\n"))
    return blocks


def cmp(c, f, label, peer, ours, tool):
    ok = peer == ours
    c.fig(label, ok)
    if not ok:
        c.problem("frame %d: %s: %s %r, netcap %r" % (f.no, label, tool, peer, ours))


def cmp_list(c, f, label, peer, ours, tool):
    """Ordered lists: one figure per position of the longer list."""
    n = max(len(peer), len(ours))
    if n == 0:
        return
    ok = sum(1 for a, b in zip(peer, ours) if a == b)
    c.figures.setdefault(label, [0, 0])
    c.figures[label][0] += ok
    c.figures[label][1] += n
    if ok != n:
        c.problem("frame %d: %s: %s %s, netcap %s" % (f.no, label, tool, peer[:6], ours[:6]))


def u32(s):
    return int(ipaddress.IPv4Address(s))


def quad(v):
    return str(ipaddress.IPv4Address(v & 0xFFFFFFFF))


def duration_s(s):
    """tcpdump's relative times: '1.0s', '51m12s', '1h2m3s' -> seconds (float)."""
    m = re.fullmatch(r"([\d.]+)s", s)
    if m:
        return float(m.group(1))
    total = 0
    for num, unit in re.findall(r"(\d+)([dhms])", s):
        total += int(num) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    return float(total)


# ------------------------------------------------------------------- IGMP


def igmp_groups(r):
    if r.get("type") == 0x22:
        return [g.get("multicast_address", "") for g in r.get("group_records") or []]
    return [r.get("group_address", "")]


def check_igmp(ctx):
    rows, sep = tsv_rows(ctx, "igmp.tsv")
    blocks = tcpdump_blocks(ctx)
    if rows is None and not any("igmp" in " ".join(b[:2]) for b in blocks.values()):
        return None
    c = compare.Check("%s/igmp" % ctx.case)
    for f, r in per_frame(c, ctx, ["IGMP"], ("igmp",)):
        row = rows.get(str(f.no)) if rows else None
        if row:
            cmp(c, f, "version", int(row["igmp.version"]), r.get("version"), "tshark")
            cmp(c, f, "type", int(row["igmp.type"], 16), r.get("type"), "tshark")
            cmp_list(c, f, "group addresses", compare.split_multi(row["igmp.maddr"], sep), igmp_groups(r),
                     "tshark")
        text = " ".join(blocks.get(f.no, []))
        m = re.search(r"igmp (query v[123]|v[123] report|leave)(.*)", text)
        if not m:
            continue
        what, rest = m.group(1), m.group(2)
        if what.startswith("query"):
            cmp(c, f, "tcpdump version", int(what[-1]), r.get("version"), "tcpdump")
            mt = re.search(r"\[max resp time ([^\]]+)\]", rest)
            code = r.get("max_response_code")
            if r.get("version") == 2:
                peer = int(mt.group(1)) if mt else 100
                cmp(c, f, "max response code", peer, code, "tcpdump")
                cmp(c, f, "max response time (ms)", peer * 100, r.get("max_response_time"), "tcpdump")
            elif r.get("version") == 3:
                peer_ms = round(duration_s(mt.group(1)) * 1000) if mt else 10000
                cmp(c, f, "max response time (ms)", peer_ms, r.get("max_response_time"), "tcpdump")
            mg = re.search(r"\[gaddr ([\d.]+)(?: \{([^}]*)\})?\]", rest)
            cmp(c, f, "group address", mg.group(1) if mg else "0.0.0.0", r.get("group_address"), "tcpdump")
            srcs = mg.group(2).split() if mg and mg.group(2) else []
            cmp_list(c, f, "query sources", srcs, r.get("source_addresses") or [], "tcpdump")
        else:
            ver = 2 if what == "leave" else int(what[1])
            cmp(c, f, "tcpdump version", ver, r.get("version"), "tcpdump")
            cmp(c, f, "type", {"leave": 0x17, "v1 report": 0x12, "v2 report": 0x16, "v3 report": 0x22}[what],
                r.get("type"), "tcpdump")
            mg = re.match(r"\s*([\d.]+)", rest)
            if mg:
                cmp(c, f, "group address", mg.group(1), r.get("group_address"), "tcpdump")
    return c


# ------------------------------------------------------------------ IPsec


def check_ipsec(ctx):
    rows, sep = tsv_rows(ctx, "ipsec.tsv")
    blocks = tcpdump_blocks(ctx)
    has_tcpdump = any("ESP(" in " ".join(b) or "AH(" in " ".join(b) for b in blocks.values())
    if rows is None and not has_tcpdump:
        return None
    c = compare.Check("%s/ipsec" % ctx.case)
    for f, r in per_frame(c, ctx, ["IPSecAH"], ("ah",)):
        row = rows.get(str(f.no)) if rows else None
        if row and row.get("ah.spi"):
            cmp(c, f, "AH spi", int(compare.split_multi(row["ah.spi"], sep)[0], 16), r.get("spi"), "tshark")
        m = re.search(r"AH\(spi=0x([0-9a-f]+),(?:sumlen=\d+,)?seq=0x([0-9a-f]+)\)", " ".join(blocks.get(f.no, [])))
        if m:
            cmp(c, f, "AH spi (tcpdump)", int(m.group(1), 16), r.get("spi"), "tcpdump")
            cmp(c, f, "AH seq", int(m.group(2), 16), r.get("sequence_number"), "tcpdump")
    esp = per_frame(c, ctx, ["IPSecESP"], ("esp",))
    # IKE behind the non-ESP marker and NAT keepalives on UDP 4500 are not ESP
    for f in ctx.frames:
        if "udpencap" in f.tokens and "esp" not in f.tokens:
            c.fig("UDP 4500 non-ESP frames declined", c.counts.get(f.no, 0) == 0)
    for f, r in esp:
        row = rows.get(str(f.no)) if rows else None
        if row and row.get("esp.spi"):
            cmp(c, f, "ESP spi", int(compare.split_multi(row["esp.spi"], sep)[0], 16), r.get("spi"), "tshark")
            cmp(c, f, "ESP seq", int(compare.split_multi(row["esp.sequence"], sep)[0]), r.get("sequence_number"), "tshark")
        cmp(c, f, "ESP in UDP", "udpencap" in f.tokens, r.get("udp_encapsulated"), "tshark")
        m = re.search(r"ESP\(spi=0x([0-9a-f]+),seq=0x([0-9a-f]+)\), length (\d+)", " ".join(blocks.get(f.no, [])))
        if m:
            cmp(c, f, "ESP spi (tcpdump)", int(m.group(1), 16), r.get("spi"), "tcpdump")
            cmp(c, f, "ESP seq (tcpdump)", int(m.group(2), 16), r.get("sequence_number"), "tcpdump")
            cmp(c, f, "ESP length", int(m.group(3)), r.get("length"), "tcpdump")
            cmp(c, f, "ESP encrypted length", int(m.group(3)) - 8, r.get("len_encrypted"), "tcpdump")
    return c


# ------------------------------------------------------------------- OSPF

OSPF_TYPES = {"Hello": 1, "Database Description": 2, "LS-Request": 3, "LS-Update": 4, "LS-Ack": 5}
DD_FLAGS = {"Init": 4, "More": 2, "Master": 1}
RLA_FLAGS = {"ABR": 1, "ASBR": 2, "Virtual": 4}  # v2 "Router LSA Options" and v3 "RLA-Flags"
IP4 = r"\d+\.\d+\.\d+\.\d+"


def flag_bits(text, table):
    return sum(table.get(x.strip(), 0) for x in text.split(",") if x.strip() not in ("", "none"))


class Facts:
    def __init__(self):
        self.d = {}

    def add(self, label, value):
        self.d.setdefault(label, []).append(value)


def tcpdump_ospf_facts(lines):
    """What tcpdump -v printed about one OSPF packet, as labelled values."""
    F = Facts()
    pending = None      # an LSA header line waiting for its type line
    lsr_adv = None      # v3 LS request: "Advertising Router X" then its type line
    in_list = None      # "neighbors" / "attached routers": bare addresses follow
    ptype = None
    for raw in lines:
        line = raw.strip()
        m = re.search(r"OSPFv(\d), ([\w -]+?), length (\d+)(?: \[len (\d+)\])?", line)
        if m:
            ptype = OSPF_TYPES.get(m.group(2))
            F.add("version", int(m.group(1)))
            F.add("type", ptype)
            F.add("packet length", int(m.group(4) or m.group(3)))
            continue
        if in_list and re.fullmatch(IP4, line):
            F.add(in_list, line)
            continue
        in_list = None
        m = re.match(r"Router-ID (%s), (?:Backbone Area|Area (%s))" % (IP4, IP4), line)
        if m:
            F.add("router id", m.group(1))
            F.add("area", m.group(2) or "0.0.0.0")
            continue
        m = re.search(r"Authentication Type: .*\((\d+)\)", line)
        if m:
            F.add("au type", int(m.group(1)))
        m = re.search(r", (\d+) LSAs?$", line)
        if m and ptype == 4:
            F.add("LSA count", int(m.group(1)))
        m = re.match(r"Hello Timer (\d+)s, Dead Timer (\d+)s, (?:Mask (%s)|Interface-ID (%s)), Priority (\d+)"
                     % (IP4, IP4), line)
        if m:
            F.add("hello interval", int(m.group(1)))
            F.add("dead interval", int(m.group(2)))
            if m.group(3):
                F.add("hello mask", m.group(3))
            else:
                F.add("interface id", m.group(4))
            F.add("priority", int(m.group(5)))
            continue
        m = re.match(r"Designated Router (%s)" % IP4, line)
        if m:
            F.add("DR", m.group(1))
        m = re.search(r"Backup Designated Router (%s)" % IP4, line)
        if m:
            F.add("BDR", m.group(1))
        if line == "Neighbor List:":
            in_list = "neighbors"
            continue
        if line == "Connected Routers:":
            in_list = "attached routers"
            continue
        m = re.search(r"DD Flags \[([^\]]*)\], MTU:? (\d+), (?:DD-)?Sequence:? 0x([0-9a-f]+)", line)
        if m:
            F.add("DD flags", flag_bits(m.group(1), DD_FLAGS))
            F.add("MTU", int(m.group(2)))
            F.add("DD sequence", int(m.group(3), 16))
            continue
        m = re.match(r"Advertising Router (%s), seq 0x([0-9a-f]+), age (\d+)s, length (\d+)" % IP4, line)
        if m:
            pending = (m.group(1), int(m.group(2), 16), int(m.group(3)), int(m.group(4)))
            continue
        m = re.match(r"Advertising Router: (%s), .*LSA \((\d+)\), LSA-ID: (%s)" % (IP4, IP4), line)
        if m:
            F.add("LS request", (m.group(1), int(m.group(2)), m.group(3)))
            continue
        m = re.match(r"Advertising Router (%s)$" % IP4, line)
        if m:
            lsr_adv = m.group(1)
            continue
        m = re.match(r"(?:.* )?LSA \((\d+)\),(?: [\w ]+ Scope,)? LSA-ID:? (%s)(?:, metric (\d+))?" % IP4, line)
        if m:
            if pending:
                F.add("LSA header", pending + (int(m.group(1)), m.group(2)))
                pending = None
                if m.group(3):
                    F.add("inter-area metric", int(m.group(3)))
            elif lsr_adv:
                F.add("LS request", (lsr_adv, int(m.group(1)), m.group(2)))
                lsr_adv = None
            else:
                F.add("intra-area reference", (int(m.group(1)), m.group(2)))
            continue
        m = re.search(r"RLA-Flags \[([^\]]*)\]", line) or re.match(r"Router LSA Options: \[([^\]]*)\]", line)
        if m:
            F.add("router-LSA flags", flag_bits(m.group(1), RLA_FLAGS))
            continue
        m = re.match(r"(Stub Network|Neighbor Network-ID|Neighbor Router-ID): (%s), "
                     r"(?:Mask|Interface Address): (%s)" % (IP4, IP4), line)
        if m:
            kind = {"Stub Network": 3, "Neighbor Network-ID": 2, "Neighbor Router-ID": 1}[m.group(1)]
            F.add("router link", (kind, m.group(2), m.group(3)))
            continue
        m = re.match(r"topology default \(0\), metric (\d+)$", line)
        if m:
            F.add("router link metric", int(m.group(1)))
            continue
        m = re.match(r"topology default \(0\), type (\d), metric (\d+)(.*)", line)
        if m:
            tag = re.search(r"tag (%s)" % IP4, m.group(3))
            fwd = re.search(r"forward (%s)" % IP4, m.group(3))
            F.add("external", (int(m.group(1)), int(m.group(2)), tag.group(1) if tag else None,
                               fwd.group(1) if fwd else None))
            continue
        m = re.match(r"Mask (%s)$" % IP4, line)
        if m:
            F.add("LSA mask", m.group(1))
            continue
        m = re.match(r"Neighbor Network-ID (%s)$" % IP4, line)
        if m:
            F.add("v3 neighbor", m.group(1))
            continue
        m = re.match(r"Neighbor Interface-ID (%s), Interface (%s), metric (\d+)" % (IP4, IP4), line)
        if m:
            F.add("v3 interface", (m.group(1), m.group(2), int(m.group(3))))
            continue
        m = re.match(r"Priority (\d+), Link-local address ([0-9a-f:]+), Prefixes (\d+):", line)
        if m:
            F.add("link-LSA", (int(m.group(1)), m.group(2), int(m.group(3))))
            continue
        m = re.match(r"Prefixes (\d+):", line)
        if m:
            F.add("intra-area prefixes", int(m.group(1)))
            continue
        m = re.match(r"([0-9a-f:]+/\d+)(?:, Options \[[^\]]*\])?, metric (\d+)", line)
        if m:
            F.add("prefix", (m.group(1), int(m.group(2))))
            continue
    return F.d


def our_lsa_header_facts(F, h, ver):
    t = h["ls_type"] if ver == 2 else h["ls_type"] & 0x1FFF
    F.add("LSA header", (quad(h["adv_router"]), h["ls_sequence_number"], h["ls_age"], h["length"] - 20, t,
                         quad(h["link_state_id"])))


def our_ospf_facts(r):
    """The same labelled values from our record (what tcpdump would print)."""
    F = Facts()
    ver = r["version"]
    F.add("version", ver)
    F.add("type", r["type"])
    F.add("packet length", r["packet_length"])
    F.add("router id", r["router_id_str"])
    F.add("area", r["area_id_str"])
    if ver == 2:
        F.add("au type", r["au_type"])
    h = r.get("hello_v2") if ver == 2 else r.get("hello")
    if h:
        F.add("hello interval", h["hello_interval"])
        F.add("dead interval", h["router_dead_interval"])
        if ver == 2:
            F.add("hello mask", quad(h["network_mask"]))
        else:
            F.add("interface id", quad(h["interface_id"]))
        F.add("priority", h["rtr_priority"])
        if h["designated_router_id"]:
            F.add("DR", quad(h["designated_router_id"]))
        if h["backup_designated_router_id"]:
            F.add("BDR", quad(h["backup_designated_router_id"]))
        for n in h.get("neighbor_id") or []:
            F.add("neighbors", quad(n))
    d = r.get("db_desc")
    if d:
        F.add("DD flags", d["flags"] & 7)
        F.add("MTU", d["interface_mtu"])
        F.add("DD sequence", d["dd_sequence_number"])
        for x in d.get("lsa_info") or []:
            our_lsa_header_facts(F, x, ver)
    for q in r.get("lsr") or []:
        t = q["ls_type"] if ver == 2 else q["ls_type"] & 0x1FFF
        F.add("LS request", (quad(q["adv_router"]), t, quad(q["link_state_id"])))
    for x in r.get("lsas") or []:
        our_lsa_header_facts(F, x, ver)
    u = r.get("lsu")
    if u:
        if ver == 2:
            F.add("LSA count", u["num_of_lsas"])
        for lsa in u.get("lsas") or []:
            our_lsa_header_facts(F, lsa["header"], ver)
            our_lsa_body_facts(F, lsa, ver)
    return F.d


def our_lsa_body_facts(F, lsa, ver):
    if lsa.get("router_lsa_v2"):
        m = lsa["router_lsa_v2"]
        F.add("router-LSA flags", m["flags"] & 7)
        for l in m.get("routers") or []:
            F.add("router link", (l["type"], quad(l["link_id"]), quad(l["link_data"])))
            F.add("router link metric", l["metric"])
    if lsa.get("network_lsa"):
        m = lsa["network_lsa"]
        if ver == 2:
            F.add("LSA mask", quad(m["network_mask"]))
        for a in m.get("attached_router") or []:
            F.add("attached routers", quad(a))
    if lsa.get("ase_lsa_v2"):
        m = lsa["ase_lsa_v2"]
        F.add("LSA mask", quad(m["network_mask"]))
        F.add("external", (2 if m["external_bit"] else 1, m["metric"],
                           quad(m["external_route_tag"]) if m["external_route_tag"] else None,
                           quad(m["forwarding_address"]) if m["forwarding_address"] else None))
    if lsa.get("router_lsa"):
        m = lsa["router_lsa"]
        F.add("router-LSA flags", m["flags"] & 7)
        for i in m.get("routers") or []:
            F.add("v3 neighbor", quad(i["neighbor_router_id"]))
            F.add("v3 interface", (quad(i["neighbor_interface_id"]), quad(i["interface_id"]), i["metric"]))
    if lsa.get("inter_area_prefix_lsa"):
        m = lsa["inter_area_prefix_lsa"]
        F.add("inter-area metric", m["metric"])
        F.add("prefix", (m["prefix"], 0))
    if lsa.get("link_lsa"):
        m = lsa["link_lsa"]
        F.add("link-LSA", (m["rtr_priority"], m["link_local_address"], m["num_of_prefixes"]))
        for p in m.get("prefixes") or []:
            F.add("prefix", (p["prefix"], p["metric"]))
    if lsa.get("intra_area_prefix_lsa"):
        m = lsa["intra_area_prefix_lsa"]
        F.add("intra-area reference", (m["ref_ls_type"] & 0x1FFF, quad(m["ref_link_state_id"])))
        F.add("intra-area prefixes", m["num_of_prefixes"])
        for p in m.get("prefixes") or []:
            F.add("prefix", (p["prefix"], p["metric"]))


def check_ospf(ctx):
    rows, sep = tsv_rows(ctx, "ospf.tsv")
    blocks = tcpdump_blocks(ctx)
    has_tcpdump = any("OSPFv" in " ".join(b[:2]) for b in blocks.values())
    if rows is None and not has_tcpdump:
        return None
    c = compare.Check("%s/ospf" % ctx.case)
    for f, r in per_frame(c, ctx, ["OSPFv2", "OSPFv3"], ("ospf",)):
        want = "OSPFv2" if "ip" in f.tokens and "ipv6" not in f.tokens else "OSPFv3"
        got = "OSPFv%d" % r.get("version", 0)
        c.fig("record type by version", got == want)
        if got != want:
            c.problem("frame %d: %s record, expected %s" % (f.no, got, want))
        row = rows.get(str(f.no)) if rows else None
        if row:
            cmp(c, f, "message type", int(row["ospf.msg"]), r.get("type"), "tshark")
            cmp(c, f, "router id", row["ospf.srcrouter"], r.get("router_id_str"), "tshark")
            cmp(c, f, "router id (uint32)", u32(row["ospf.srcrouter"]), r.get("router_id"), "tshark")
            cmp(c, f, "area", row["ospf.area_id"], r.get("area_id_str"), "tshark")
        if f.no in blocks:
            peer = tcpdump_ospf_facts(blocks[f.no])
            ours = our_ospf_facts(r)
            for label in sorted(set(peer) | set(ours)):
                if label not in peer and label in ("au type",):
                    continue
                cmp_list(c, f, "tcpdump " + label, peer.get(label, []), ours.get(label, []), "tcpdump")
    return c


# ------------------------------------------------------------------- VRRP

AUTH_TYPES = {"none": 0, "simple": 1, "ah": 2}


def check_vrrp(ctx):
    rows, sep = tsv_rows(ctx, "vrrp.tsv")
    blocks = tcpdump_blocks(ctx)
    has_tcpdump = any("VRRPv" in " ".join(b[:2]) for b in blocks.values())
    if rows is None and not has_tcpdump:
        return None
    c = compare.Check("%s/vrrp" % ctx.case)
    for f, r in per_frame(c, ctx, ["VRRPv2"], ("vrrp",)):
        row = rows.get(str(f.no)) if rows else None
        if row:
            cmp(c, f, "version", int(row["vrrp.version"]), r.get("version"), "tshark")
            cmp(c, f, "type", int(row["vrrp.type"]), r.get("type"), "tshark")
            cmp(c, f, "vrid", int(row["vrrp.virt_rtr_id"]), r.get("virtual_rtr_id"), "tshark")
            cmp(c, f, "priority", int(row["vrrp.prio"]), r.get("priority"), "tshark")
            if "ipv6" not in f.tokens:  # the table has vrrp.ip_addr (IPv4) only
                cmp_list(c, f, "IPv4 addresses", compare.split_multi(row["vrrp.ip_addr"], sep),
                         r.get("ip_address") or [], "tshark")
        text = " ".join(blocks.get(f.no, []))
        m = re.search(r"VRRPv(\d), Advertisement, vrid (\d+), prio (\d+), (?:authtype (\w+), )?"
                      r"intvl (\d+)(s|cs), length (\d+)(?:, addrs(?:\(\d+\))?: (\S+))?(?: auth \"([^\"]*)\")?", text)
        if not m:
            continue
        cmp(c, f, "tcpdump version", int(m.group(1)), r.get("version"), "tcpdump")
        cmp(c, f, "tcpdump vrid", int(m.group(2)), r.get("virtual_rtr_id"), "tcpdump")
        cmp(c, f, "tcpdump priority", int(m.group(3)), r.get("priority"), "tcpdump")
        if m.group(4):
            cmp(c, f, "auth type", AUTH_TYPES.get(m.group(4), -1), r.get("auth_type"), "tcpdump")
        cmp(c, f, "advert interval", int(m.group(5)), r.get("adver_int"), "tcpdump")
        cs = int(m.group(5)) * (100 if m.group(6) == "s" else 1)
        cmp(c, f, "advert interval (cs)", cs, r.get("adver_int_cs"), "tcpdump")
        addrs = m.group(8).split(",") if m.group(8) else []
        cmp_list(c, f, "tcpdump addresses", addrs, r.get("ip_address") or [], "tcpdump")
        cmp(c, f, "address count", len(addrs), r.get("count_ip_addr"), "tcpdump")
        if m.group(9) is not None:
            ours = r.get("auth_password") or ""
            cmp(c, f, "auth text", m.group(9), ours, "tcpdump")
    return c
