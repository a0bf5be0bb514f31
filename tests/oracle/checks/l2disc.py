"""Oracle checks for the link-layer discovery and 802.1X decoders: LLC,
SNAP, LLDP, CDP, Ethernet CTP (loopback), EAPOL, EAP and EAPOL-Key.

  l2-frames   tshark frames.tsv: every frame whose protocol list has llc,
              lldp, cdp, loop or eapol has our record of that type at
              its timestamp, and we have no such record anywhere else
              (frames of link types or encapsulations netcap does not
              decode yet are XFAILs with compare.py's reasons)
  lldp        tcpdump -v text (oracle/tcpdump/*.out): chassis and port id
              (subtype, text), TTL, system name and description, port
              description, capabilities (system and enabled bits), the
              TLV types in order, organisation TLVs (OUI, subtype), 802.1
              PVID, 802.3 MAC/PHY (autonegotiation, PMD capability, MAU
              type); tshark lldp.tsv: chassis MAC, port id, system name
  cdp         tcpdump -v text: version, TTL, checksum, every TLV's type and
              value length in order, device id, port id, platform, software
              version, capabilities, addresses, management addresses,
              native VLAN, duplex, VTP domain, trust and untrusted CoS,
              power available; tshark cdp.tsv: device id, port id, platform
  ctp         tcpdump text: skipCount, the function it points at, forwarding
              address, receipt number, bytes after the relevant message
  eapol       tcpdump text: EAPOL type, version, body length; with -v also
              EAP code, id, length, method type and identity (when the stored
              text is not verbose and tcpdump is installed, `tcpdump -v` is
              run on the capture: eapol-tcpdump-v; SKIP without tcpdump)
Packets are matched by capture time (tcpdump prints microseconds in UTC;
ours are ns). Python 3 standard library only.
"""
import calendar
import collections
import os
import re
import shutil
import subprocess
import tempfile

import compare

TITLES = collections.OrderedDict([
    ("l2-frames", "tshark frames.tsv: LLC, LLDP, CDP, CTP, EAPOL records per frame"),
    ("lldp", "tcpdump -v: LLDP TLVs"),
    ("lldp-tshark", "tshark lldp.tsv: LLDP chassis, port, system name"),
    ("cdp", "tcpdump -v: CDP header and TLVs"),
    ("cdp-tshark", "tshark cdp.tsv: CDP device id, port id, platform"),
    ("ctp", "tcpdump: Ethernet CTP (loopback) messages"),
    ("eapol", "tcpdump: EAPOL (and EAP where the text is verbose)"),
    ("eapol-tcpdump-v", "tcpdump -v run on the capture: EAPOL and EAP headers, method, identity"),
])

# frame.protocols token -> our record type (tshark's frames.tsv stops its
# list at eapol, so EAP is checked through tcpdump's text instead)
TOKENS = collections.OrderedDict([
    ("llc", "LLC"), ("lldp", "LinkLayerDiscovery"), ("cdp", "CiscoDiscovery"),
    ("loop", "EthernetCTP"), ("eapol", "EAPOL"),
])
REASON_CDP_GRE = ("CDP inside GRE: netcap decodes no GRE payload yet (CDP claims GRE's "
                  "protocol type 0x2000 for when it does)")

# ----------------------------------------------------------------------------
# tcpdump text


PKT_RE = re.compile(r"^\s*(\d+)\s+(\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) (.*)$")


def tcpdump_packets(path):
    """Yields (ts_ns, first line after the time, [following lines]) for a
    tcpdump -# text file with dates (-tttt or a version that prints them)."""
    cur = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = PKT_RE.match(line)
            if m:
                if cur:
                    yield cur
                y, mo, d = (int(x) for x in m.group(2).split("-"))
                secs = calendar.timegm((y, mo, d, int(m.group(3)), int(m.group(4)), int(m.group(5))))
                cur = (secs * 10**9 + int(m.group(6)) * 1000, m.group(7), [])
            elif cur:
                cur[2].append(line)
    if cur:
        yield cur


def by_ts(recs):
    out = collections.defaultdict(list)
    for r in recs:
        out[r["timestamp"]].append(r)
    return out


def hexnum(s):
    return int(s, 16)


def field(c, label, ours, want):
    c.fig(label, ours == want)
    if ours != want:
        c.problem("%s: netcap %r, tcpdump %r" % (label, ours, want))


# ---- LLDP -------------------------------------------------------------------

TLV_RE = re.compile(r"^\t(.+?) TLV \((\d+)\), length (\d+)(?:: (.*))?$")


def parse_lldp(lines):
    """tcpdump -v LLDP lines -> dict of what it printed."""
    p = {"types": [], "orgs": []}
    cur = None
    for l in lines:
        m = TLV_RE.match(l)
        if m:
            cur = int(m.group(2))
            p["types"].append(cur)
            rest = m.group(4)
            if cur == 3 and rest:
                p["ttl"] = int(re.search(r"TTL (\d+)s", rest).group(1))
            elif cur == 4:
                p["port_desc"] = rest
            elif cur == 5:
                p["sys_name"] = rest
            elif cur == 127 and rest:
                p["orgs"].append([hexnum(re.search(r"\((0x[0-9a-f]+)\)\s*$", rest).group(1)), None])
            continue
        s = l.strip()
        if cur in (1, 2):
            m = re.match(r"Subtype .*\((\d+)\): (.*)$", s)
            if m:
                p["chassis" if cur == 1 else "port"] = (int(m.group(1)), m.group(2))
        elif cur == 6 and "sys_desc" not in p:
            p["sys_desc"] = s.replace("^J", "\n")
        elif cur == 7:
            m = re.match(r"(System|Enabled)\s+Capabilities \[.*\] \((0x[0-9a-f]+)\)", s)
            if m:
                p["cap_" + m.group(1).lower()] = hexnum(m.group(2))
        elif cur == 127 and p["orgs"]:
            m = re.match(r".* Subtype \((\d+)\)$", s)
            if m and p["orgs"][-1][1] is None:
                p["orgs"][-1][1] = int(m.group(1))
            m = re.match(r"port vlan id \(PVID\): (\d+)", s)
            if m:
                p["pvid"] = int(m.group(1))
            m = re.match(r"autonegotiation \[.*\] \((0x[0-9a-f]+)\)", s)
            if m:
                p["autoneg"] = hexnum(m.group(1))
            m = re.match(r"PMD autoneg capability \[.*\] \((0x[0-9a-f]+)\)", s)
            if m:
                p["pmd"] = hexnum(m.group(1))
            m = re.match(r"MAU type .*\((0x[0-9a-f]+)\)", s)
            if m:
                p["mau"] = hexnum(m.group(1))
    return p


def check_lldp_pkt(c, p, base, info):
    if "chassis" in p:
        field(c, "lldp chassis id", (base["chassis_id"]["subtype"], base["chassis_id"]["text"]),
              p["chassis"])
    if "port" in p:
        field(c, "lldp port id", (base["port_id"]["subtype"], base["port_id"]["text"]), p["port"])
    if "ttl" in p:
        field(c, "lldp ttl", base["ttl"], p["ttl"])
    ours = [1, 2, 3] + [v["type"] for v in base["values"]]
    field(c, "lldp TLV types", ours, [t for t in p["types"] if t != 0])
    for k, ok in (("sys_name", "sys_name"), ("port_desc", "port_description"),
                  ("sys_desc", "sys_description")):
        if k in p:
            field(c, "lldp " + ok, info[ok], p[k])
    caps = info.get("sys_capabilities") or {}
    if "cap_system" in p:
        field(c, "lldp capabilities", ((caps.get("system_cap") or {}).get("bits"),
                                       (caps.get("enabled_cap") or {}).get("bits")),
              (p["cap_system"], p.get("cap_enabled")))
    field(c, "lldp org TLVs", [[o["oui"], o["sub_type"]] for o in info["org_tlvs"]], p["orgs"])
    if "pvid" in p:
        field(c, "lldp PVID", info["port_vlan_id"], p["pvid"])
    if "mau" in p:
        mp = info.get("mac_phy") or {}
        field(c, "lldp MAC/PHY", (int(mp.get("autoneg_supported", False))
                                  | int(mp.get("autoneg_enabled", False)) << 1,
                                  mp.get("pmd_autoneg_capability"), mp.get("mau_type")),
              (p.get("autoneg"), p.get("pmd"), p["mau"]))


# ---- CDP --------------------------------------------------------------------

CDP_HDR_RE = re.compile(r"CDPv(\d+), ttl: (\d+)s, checksum: (0x[0-9a-f]+)")
CDP_TLV_RE = re.compile(r"^\t(.+?) \((0x[0-9a-f]+)\), value length: (\d+) bytes?: ?(.*)$")


def parse_cdp(first, lines):
    m = CDP_HDR_RE.search(first)
    p = {"version": int(m.group(1)), "ttl": int(m.group(2)), "checksum": hexnum(m.group(3)),
         "tlvs": []}
    cur = None
    for l in lines:
        m = CDP_TLV_RE.match(l)
        if m:
            cur = [hexnum(m.group(2)), int(m.group(3)), m.group(4), []]
            p["tlvs"].append(cur)
        elif cur is not None and l.startswith("\t  "):
            cur[3].append(l[3:])
    return p


def quoted(v):
    m = re.match(r"^'(.*)'$", v)
    return m.group(1) if m else None


def cdp_addrs(v):
    return re.findall(r"IPv[46] \(\d+\) (\S+)", v)


def check_cdp_pkt(c, p, base, info):
    field(c, "cdp header", (base["version"], base["ttl"], base["checksum"]),
          (p["version"], p["ttl"], p["checksum"]))
    field(c, "cdp TLV types and lengths", [(v["type"], v["length"] - 4) for v in base["values"]],
          [(t[0], t[1]) for t in p["tlvs"]])
    for t, vlen, v, more in p["tlvs"]:
        if t in (0x01, 0x03, 0x06, 0x09):
            ours = {0x01: "device_id", 0x03: "port_id", 0x06: "platform", 0x09: "vtp_domain"}[t]
            field(c, "cdp " + ours, info[ours], quoted(v))
        elif t == 0x05:
            field(c, "cdp version", info["version"], "\n".join(more))
        elif t == 0x02:
            field(c, "cdp addresses", info["addresses"], cdp_addrs(v))
        elif t == 0x16:
            field(c, "cdp mgmt addresses", info["mgmt_addresses"], cdp_addrs(v))
        elif t == 0x04:
            field(c, "cdp capabilities", (info.get("capabilities") or {}).get("bits"),
                  hexnum(re.search(r"\((0x[0-9a-f]+)\)", v).group(1)))
        elif t == 0x0a:
            field(c, "cdp native vlan", info["native_vlan"], int(v))
        elif t == 0x0b:
            field(c, "cdp duplex", info["full_duplex"], v == "full")
        elif t in (0x12, 0x13):
            ours = "extended_trust" if t == 0x12 else "untrusted_cos"
            field(c, "cdp " + ours, info[ours], hexnum(v))
        elif t == 0x1a:
            m = re.match(r"reqid (\d+), mgmtid (\d+), pwravail (.*)$", v)
            pa = info.get("power_available") or {}
            field(c, "cdp power available", (pa.get("id"), pa.get("mgmt_id"), pa.get("values")),
                  (int(m.group(1)), int(m.group(2)), [int(x) for x in re.findall(r"(\d+) mW", m.group(3))]))


# ---- CTP --------------------------------------------------------------------

def check_ctp_pkt(c, first, base, reply):
    m = re.search(r"Loopback, skipCount (\d+)(?: \(bogus\))?, (Reply|Forward Data)"
                  r"(?:, receipt number (\d+))?(?:, forwarding address (\S+))?, data \((\d+) octets\)",
                  first)
    if not m:
        c.fig("ctp parsed", False)
        c.problem("tcpdump line not understood: %s" % first[:120])
        return
    skip = int(m.group(1))
    field(c, "ctp skip count", base["skip_count"], skip)
    field(c, "ctp relevant function", base["function"], 1 if m.group(2) == "Reply" else 2)
    fwd = base.get("forward_addresses") or []
    k = skip // 8
    if m.group(2) == "Forward Data":
        field(c, "ctp forwarding address", fwd[k] if k < len(fwd) else None, m.group(4))
        # what follows the relevant message: later forwards, the reply header, its data
        after = 8 * (len(fwd) - k - 1) + (4 + len(bytes.fromhex(reply["data"])) if reply else 0)
    else:
        field(c, "ctp receipt number", reply["receipt_number"] if reply else None, int(m.group(3)))
        after = len(bytes.fromhex(reply["data"])) if reply else None
    field(c, "ctp data octets", after, int(m.group(5)))


# ---- EAPOL ------------------------------------------------------------------

EAPOL_RE = re.compile(r"(EAP packet|EAPOL start|EAPOL logoff|EAPOL key|EAPOL encapsulated ASF alert|"
                      r"unknown) \((\d+)\) v(\d+), len (\d+)(.*)$")
EAP_RE = re.compile(r", (Request|Response|Success|Failure|Initiate|Finish) \((\d+)\), id (\d+), len (\d+)")


def check_eapol_pkt(c, first, lines, eapol, eap):
    m = EAPOL_RE.search(first)
    if not m:
        return False
    field(c, "eapol type/version/length", (eapol["type"], eapol["version"], eapol["length"]),
          (int(m.group(2)), int(m.group(3)), int(m.group(4))))
    e = EAP_RE.search(m.group(5))
    if e:
        if eap is None:
            c.fig("eap present", False)
            c.problem("no EAP record for a tcpdump EAP packet")
            return True
        field(c, "eap code/id/length", (eap["code"], eap["id"], eap["length"]),
              (int(e.group(2)), int(e.group(3)), int(e.group(4))))
        for l in lines:
            t = re.search(r"Type (.+?) \((\d+)\)(?:, Identity: (.*))?", l)
            if t:
                field(c, "eap type", eap["type"], int(t.group(2)))
                if t.group(3) is not None:
                    field(c, "eap identity", eap["identity"], t.group(3))
                break
    return True


# ----------------------------------------------------------------------------


def run_tcpdump(ctx):
    """Checks of every tcpdump text file of the case."""
    out = []
    recs = ctx.recs
    idx = {t: by_ts(recs.get(t, [])) for t in ("LinkLayerDiscovery", "LinkLayerDiscoveryInfo",
                                               "CiscoDiscovery", "CiscoDiscoveryInfo", "EthernetCTP",
                                               "EthernetCTPReply", "EAPOL", "EAP")}
    checks = {k: compare.Check("%s/%s" % (ctx.case, k)) for k in ("lldp", "cdp", "ctp", "eapol")}
    used = set()
    for path in ctx.oracle("tcpdump", lambda n: n.endswith(".out")):
        for ts, first, lines in tcpdump_packets(path):
            def one(t):
                rs = idx[t].get(ts) or []
                return rs[0] if rs else None
            kind = ("lldp" if "LLDP, length" in first else "cdp" if "CDPv" in first
                    else "ctp" if "Loopback, skipCount" in first
                    else "eapol" if EAPOL_RE.search(first) else None)
            if kind is None:
                continue
            c = checks[kind]
            used.add(kind)
            want = {"lldp": "LinkLayerDiscovery", "cdp": "CiscoDiscovery", "ctp": "EthernetCTP",
                    "eapol": "EAPOL"}[kind]
            base = one(want)
            c.fig("%s packets" % kind, base is not None)
            if base is None:
                c.problem("no %s record at %d (%s)" % (want, ts, first[:60]))
                continue
            if kind == "lldp":
                check_lldp_pkt(c, parse_lldp(lines), base, one("LinkLayerDiscoveryInfo") or {})
            elif kind == "cdp":
                check_cdp_pkt(c, parse_cdp(first, lines), base, one("CiscoDiscoveryInfo") or {})
            elif kind == "ctp":
                check_ctp_pkt(c, first, base, one("EthernetCTPReply"))
            else:
                check_eapol_pkt(c, first, lines, base, one("EAP"))
    for k in ("lldp", "cdp", "ctp", "eapol"):
        if k in used:
            out.append(checks[k])
    return out


def run_tshark_tables(ctx):
    """lldp.tsv and cdp.tsv, joined to frames.tsv for the time."""
    out = []
    if ctx.frames is None:
        return out
    ts_of = {f.no: f.ts for f in ctx.frames}
    tokens_of = {f.no: f.tokens for f in ctx.frames}
    for name, rtype, cols in (
            ("lldp", "LinkLayerDiscovery", [("lldp.chassis.id.mac", "chassis"), ("lldp.port.id", "port"),
                                            ("lldp.tlv.system.name", "sys_name")]),
            ("cdp", "CiscoDiscoveryInfo", [("cdp.deviceid", "device_id"), ("cdp.portid", "port_id"),
                                           ("cdp.platform", "platform")])):
        path = os.path.join(ctx.casedir, "oracle", "tshark", name + ".tsv")
        if not os.path.exists(path):
            continue
        c = compare.Check("%s/%s-tshark" % (ctx.case, name))
        idx = by_ts(ctx.recs.get(rtype, []))
        info = by_ts(ctx.recs.get("LinkLayerDiscoveryInfo", []))
        _, rows = compare.read_tsv(path)
        for row in rows:
            ts = ts_of.get(int(row["frame.number"]))
            rs = idx.get(ts) or []
            if not rs and "gre" in tokens_of.get(int(row["frame.number"]), []):
                c.expect(REASON_CDP_GRE)
                continue
            c.fig("%s frames" % name, bool(rs))
            if not rs:
                c.problem("frame %s: no %s record" % (row["frame.number"], rtype))
                continue
            r = rs[0]
            for col, what in cols:
                if not row.get(col):
                    continue
                if name == "lldp":
                    ours = {"chassis": r["chassis_id"]["text"], "port": r["port_id"]["text"],
                            "sys_name": ((info.get(ts) or [{}])[0]).get("sys_name")}[what]
                else:
                    ours = r[what]
                c.fig("%s %s" % (name, what), ours == row[col])
                if ours != row[col]:
                    c.problem("frame %s %s: netcap %r, tshark %r" % (row["frame.number"], what, ours,
                                                                    row[col]))
        out.append(c)
    return out


def run_frames(ctx):
    """Presence per frame: tshark's protocol tokens against our records."""
    if ctx.frames is None:
        return []
    tokens_seen = any(set(TOKENS) & set(f.tokens) for f in ctx.frames)
    ours_any = any(ctx.recs.get(t) for t in TOKENS.values())
    if not tokens_seen and not ours_any:
        return []
    c = compare.Check("%s/l2-frames" % ctx.case)
    idx = {t: collections.Counter(r["timestamp"] for r in ctx.recs.get(t, [])) for t in TOKENS.values()}
    linkstop = compare.UNSUPPORTED_LINKTYPES.get(ctx.linktype)
    for f in ctx.frames:
        for tok, rtype in TOKENS.items():
            want = tok in f.tokens
            have = idx[rtype].get(f.ts, 0) > 0
            if want and not have:
                stop = next((compare.STOP_TOKENS[t] for t in f.tokens[:f.tokens.index(tok)]
                             if t in compare.STOP_TOKENS), None)
                if linkstop or stop:
                    c.expect(linkstop or stop)
                    continue
                if tok == "cdp" and "gre" in f.tokens:
                    c.expect(REASON_CDP_GRE)
                    continue
            c.fig("%s frames" % tok, want == have) if (want or have) else None
            if want != have:
                c.problem("frame %d: tshark %s %s, netcap %s record %s" % (
                    f.no, "has" if want else "has no", tok, rtype, "present" if have else "absent"))
    return [c]


def run_tcpdump_live(ctx):
    """EAP fields need tcpdump -v, which tcpdump-eapon1's stored text was
    not made with: when tcpdump is installed, run it (its EAP printer has
    been stable since 4.9) and check EAPOL/EAP against that text."""
    if not ctx.recs.get("EAPOL") or any(
            "Type " in open(p, encoding="utf-8", errors="replace").read()
            for p in ctx.oracle("tcpdump", lambda n: n.endswith(".out"))):
        return []
    c = compare.Check("%s/eapol-tcpdump-v" % ctx.case)
    tcpdump = shutil.which("tcpdump")
    if not tcpdump:
        c.skip = "tcpdump not installed (EAP fields need tcpdump -v)"
        return [c]
    env = dict(os.environ, TZ="GMT0")
    p = subprocess.run([tcpdump, "-#", "-n", "-tttt", "-v", "-r", ctx.pcap, "ether proto 0x888e"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, timeout=120)
    with tempfile.NamedTemporaryFile("wb", suffix=".out") as f:
        f.write(p.stdout)
        f.flush()
        eapol = by_ts(ctx.recs.get("EAPOL", []))
        eap = by_ts(ctx.recs.get("EAP", []))
        for ts, first, lines in tcpdump_packets(f.name):
            base = (eapol.get(ts) or [None])[0]
            c.fig("eapol packets", base is not None)
            if base is None:
                c.problem("no EAPOL record at %d" % ts)
                continue
            check_eapol_pkt(c, first, lines, base, (eap.get(ts) or [None])[0])
    c.notes.append("tcpdump -v run here: " + subprocess.run(
        [tcpdump, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True).stdout.splitlines()[0])
    return [c]


def run(ctx):
    return run_frames(ctx) + run_tcpdump(ctx) + run_tcpdump_live(ctx) + run_tshark_tables(ctx)
