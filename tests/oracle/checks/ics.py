"""SCTP and the industrial / telecom protocols: SCTP, Modbus, ENIP, CIP, Diameter.

  sctp      tcpdump -v (run here on the capture): ports, chunk types, DATA
            TSN/stream/PPID, INIT initiate tag, packet by packet; the
            verification tag from tcpdump's hex dump of the same packet
  modbus    tshark modbus.tsv (transaction id, unit id, function code per
            frame) and Zeek modbus.log (tid, unit, function name, REQ/RESP,
            exception, in order)
  enip      tshark enip.tsv: ENIP commands and session handles per frame,
            CIP services (embedded ones flattened in order) and, for frames
            of requests, the classes of their paths; Suricata's enip checks
            (sv-enip-identity): ListIdentity request, response status and
            identity (revision, product name, vendor)
  diameter  Arkime sessions' diameter object: commands (code and R bit),
            application ids, Origin/Destination Host/Realm, Result-Code,
            Session-Id, User-Name, as sets per session
"""

import collections
import re
import subprocess

import compare

TITLES = collections.OrderedDict([
    ("sctp", "tcpdump -v: SCTP ports, chunks, DATA TSN/PPID, INIT tag, verification tag"),
    ("modbus", "tshark modbus.tsv / Zeek modbus.log: Modbus ADUs"),
    ("enip", "tshark enip.tsv / Suricata enip: ENIP commands, sessions, CIP services and classes"),
    ("diameter", "Arkime sessions: Diameter commands, applications, AVP values"),
])

# ------------------------------------------------------------------ SCTP

CHUNK_NAMES = {"DATA": 0, "INIT": 1, "INIT ACK": 2, "SACK": 3, "HB REQ": 4, "HB ACK": 5, "ABORT": 6,
               "SHUTDOWN": 7, "SHUTDOWN ACK": 8, "ERROR": 9, "COOKIE ECHO": 10, "COOKIE ACK": 11,
               "ECN ECHO": 12, "ECN CWR": 13, "SHUTDOWN COMPLETE": 14, "FOR CUM TSN": 192}
# tcpdump's PPID names (print-sctp.c), IANA SCTP Payload Protocol Identifiers
PPID_NAMES = {"IUA": 1, "M2UA": 2, "M3UA": 3, "SUA": 4, "M2PA": 5, "V5.2": 6, "H.248": 7,
              "BICC/Q.2150.3": 8, "TALI": 9, "DUA": 10, "ASAP": 11, "ENRP": 12, "H.323": 13,
              "Q.IPC/Q.2150.3": 14, "SIMCO": 15, "DDP Segment": 16, "DDP Stream": 17, "S1AP": 18,
              "RUA": 19, "HNBAP": 20, "ForCES-HP": 21, "ForCES-MP": 22, "ForCES-LP": 23, "SBc-AP": 24,
              "NBAP": 25, "X2AP": 27, "IRCP": 28, "LCS-AP": 29, "MPICH2": 30, "SABP": 31, "FGP": 32,
              "PPP": 33, "CALCAPP": 34, "SSP": 35, "NPMP-CTRL": 36, "NPMP-DATA": 37, "ECHO": 38,
              "DISCARD": 39, "DAYTIME": 40, "CHARGEN": 41, "3GPP RNA": 42, "3GPP M2AP": 43,
              "3GPP M3AP": 44, "SSH": 45, "DIAMETER": 46, "DIAMETER DTLS": 47, "R14P": 48}

TD_HEAD = re.compile(r"^(\d+)\.(\d+) IP6? ")
TD_SCTP = re.compile(r"^\s+(\S+)\.(\d+) > (\S+)\.(\d+): sctp(.*)$")
TD_CHUNK = re.compile(r"\(\d+\) \[([A-Z ]+)\]")


def tcpdump_sctp(pcap):
    """[(ts_us, sport, dport, [chunk types], [(tsn, sid, sseq, ppid|None)], [init tags], vtag)]"""
    try:
        p = subprocess.run(["tcpdump", "-nn", "-tt", "-v", "-x", "-r", pcap, "sctp"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = []
    cur = None
    hexb = []

    def flush():
        if cur is not None:
            cur[6] = vtag_from_hex(hexb)
            out.append(cur)
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        m = TD_HEAD.match(line)
        if m:
            flush()
            cur = [int(m.group(1)) * 1000000 + int(m.group(2)[:6].ljust(6, "0")), None, None, [], [], [], None]
            hexb = []
            continue
        if cur is None:
            continue
        if line.startswith("\t0x"):
            hexb.extend(bytes.fromhex("".join(line.split(":", 1)[1].split())))
            continue
        m = TD_SCTP.match(line)
        if m:
            cur[1], cur[2] = int(m.group(2)), int(m.group(4))
            rest = m.group(5)
            cur[3] = [CHUNK_NAMES.get(n, -1) for n in TD_CHUNK.findall(rest)]
            for d in re.finditer(r"\[DATA\][^\[]*(?:\([A-Z]\))*\s*\[TSN: (\d+)\] \[SID: (\d+)\] \[SSEQ (\d+)\] "
                                 r"\[PPID ([^\]]+)\]", rest):
                pp = d.group(4).strip()
                if pp.startswith("0x"):
                    ppid = int(pp, 16)
                else:
                    ppid = PPID_NAMES.get(pp.upper(), PPID_NAMES.get(pp))
                cur[4].append((int(d.group(1)), int(d.group(2)), int(d.group(3)), ppid))
            cur[5] = [int(t) for t in re.findall(r"\[init tag: (\d+)\]", rest)]
    flush()
    return out


def vtag_from_hex(b):
    """The verification tag from the IP packet's bytes (IPv4 or IPv6 without extensions)."""
    if not b:
        return None
    if b[0] >> 4 == 4:
        off = (b[0] & 15) * 4
    elif b[0] >> 4 == 6 and len(b) > 6 and b[6] == 132:
        off = 40
    else:
        return None
    if len(b) < off + 8:
        return None
    return int.from_bytes(b[off + 4:off + 8], "big")


def check_sctp(ctx):
    recs = ctx.recs.get("SCTP", [])
    td = tcpdump_sctp(ctx.pcap)
    if td is None or not td and not recs:
        return None
    c = compare.Check("%s/sctp" % ctx.case)
    c.fig("SCTP packets", len(td) == len(recs))
    if len(td) != len(recs):
        c.problem("tcpdump %d SCTP packets, netcap %d SCTP records" % (len(td), len(recs)))
    for i, (t, r) in enumerate(zip(td, recs)):
        ts, sp, dp, types, datas, tags, vtag = t
        if r["timestamp"] // 1000 != ts:
            c.problem("packet %d: tcpdump time %d us, netcap %d ns" % (i + 1, ts, r["timestamp"]))
            c.fig("timestamp", False)
            continue
        chunks = r.get("chunks", [])
        ours_data = [(ch["tsn"], ch["stream_id"], ch["stream_sequence_number"], ch["ppid"]) for ch in chunks if ch["type"] == 0]
        ours_tags = [ch["initiate_tag"] for ch in chunks if ch["type"] in (1, 2)]
        pairs = [("src_port", sp, r["src_port"]), ("dst_port", dp, r["dst_port"]),
                 ("verification_tag", vtag, r["verification_tag"]),
                 ("chunk types", types, [ch["type"] for ch in chunks]),
                 ("DATA tsn/sid/sseq", [d[:3] for d in datas], [d[:3] for d in ours_data]),
                 ("initiate_tag", tags, ours_tags)]
        known = [d[3] for d in datas]
        if all(p is not None for p in known):
            pairs.append(("DATA ppid", known, [d[3] for d in ours_data]))
        else:
            c.notes.append("packet %d: a PPID tcpdump names but this table does not: not compared" % (i + 1))
        for lab, tv, ov in pairs:
            if tv is None:
                continue
            ok = tv == ov
            c.fig(lab, ok)
            if not ok:
                c.problem("packet %d: %s: tcpdump %s, netcap %s" % (i + 1, lab, tv, ov))
    return c


# ---------------------------------------------------------------- Modbus

def by_ts(recs):
    d = collections.OrderedDict()
    for r in recs:
        d.setdefault(r["timestamp"], []).append(r)
    return d


def frames_by_no(ctx):
    return {f.no: f for f in ctx.frames or []}


def check_modbus_tshark(ctx, path):
    c = compare.Check("%s/modbus" % ctx.case)
    fr = frames_by_no(ctx)
    head, rows = compare.read_tsv(path)
    want = collections.OrderedDict()
    for row in rows:
        f = fr.get(int(row["frame.number"]))
        if f is None:
            continue
        tids = compare.split_multi(row["mbtcp.trans_id"], "|")
        units = compare.split_multi(row["mbtcp.unit_id"], "|")
        fcs = compare.split_multi(row["modbus.func_code"], "|")
        w = want.setdefault(f.ts, [])
        for i, t in enumerate(tids):
            w.append((int(t), int(units[i]) if i < len(units) else None,
                      int(fcs[i]) if i < len(fcs) else None, f.no))
    ours = by_ts(ctx.recs.get("Modbus", []))
    for ts in list(want) + [t for t in ours if t not in want]:
        w = want.get(ts, [])
        o = ours.get(ts, [])
        ok = len(w) == len(o)
        c.fig("ADUs", ok)
        if not ok:
            c.problem("t=%d (frame %s): tshark %d ADU(s), netcap %d" % (ts, w[0][3] if w else "?", len(w), len(o)))
        for (tid, unit, fc, no), r in zip(w, o):
            for lab, tv, ov in (("trans_id", tid, r["transaction_id"]), ("unit_id", unit, r["unit_id"]),
                                ("func_code", fc, r["function_code"])):
                if tv is None:
                    continue
                good = tv == ov
                c.fig(lab, good)
                if not good:
                    c.problem("frame %d: %s tshark %s, netcap %s" % (no, lab, tv, ov))
    return c


def check_modbus_zeek(ctx, path):
    c = compare.Check("%s/zeek-modbus" % ctx.case)
    rows = compare.read_zeek_log(path)
    ours = ctx.recs.get("Modbus", [])
    ok = len(rows) == len(ours)
    c.fig("ADUs", ok)
    if not ok:
        c.problem("zeek %d modbus lines, netcap %d records" % (len(rows), len(ours)))
    for i, (z, r) in enumerate(zip(rows, ours)):
        name = r["function_name"] + ("_EXCEPTION" if r["exception"] else "")
        exc = "-" if not r["exception"] else str(r["exception_code"])
        for lab, zv, ov in (("tid", int(z["tid"]), r["transaction_id"]), ("unit", int(z["unit"]), r["unit_id"]),
                            ("func", z["func"], name),
                            ("pdu_type (REQ/RESP)", z.get("pdu_type"), "RESP" if r["response"] else "REQ"),
                            ("orig_p", int(z["id.orig_p"]), r["dst_port"] if r["response"] else r["src_port"]),
                            ("exception", z.get("exception", "-"), exc)):
            if zv is None:
                continue
            good = zv == ov
            c.fig(lab, good)
            if not good:
                c.problem("line %d: %s zeek %s, netcap %s" % (i + 1, lab, zv, ov))
    return c


# ------------------------------------------------------------ ENIP / CIP

def cip_flat(recs):
    """Services (reply bit included) and request classes, embedded ones flattened in order."""
    svcs, classes, any_reply = [], [], False
    for r in recs:
        if r.get("io"):
            continue
        items = [r] + list(r.get("embedded", []))
        for it in items:
            svcs.append(it["service_id"] | (0x80 if it["response"] else 0))
            any_reply = any_reply or it["response"]
            if it.get("has_class"):
                classes.append(it["class_id"])
    return svcs, classes, any_reply


def check_enip_tshark(ctx, path):
    c = compare.Check("%s/enip" % ctx.case)
    fr = frames_by_no(ctx)
    head, rows = compare.read_tsv(path)
    enip = by_ts(ctx.recs.get("ENIP", []))
    cip = by_ts(ctx.recs.get("CIP", []))
    seen = set()
    for row in rows:
        f = fr.get(int(row["frame.number"]))
        if f is None:
            continue
        if f.ts in seen:
            c.notes.append("frame %d shares its time with another: not compared" % f.no)
            continue
        seen.add(f.ts)
        cmds = [int(x, 16) for x in compare.split_multi(row["enip.command"], "|")]
        sess = [int(x, 16) for x in compare.split_multi(row["enip.session"], "|")]
        svcs = [int(x, 16) for x in compare.split_multi(row["cip.service"], "|")]
        classes = [int(x, 16) for x in compare.split_multi(row["cip.class"], "|")]
        oe = enip.get(f.ts, [])
        for lab, tv, ov in (("enip.command", cmds, [r["command"] for r in oe]),
                            ("enip.session", sess, [r["session_handle"] for r in oe])):
            ok = tv == ov
            c.fig(lab, ok)
            if not ok:
                c.problem("frame %d: %s tshark %s, netcap %s" % (f.no, lab, [hex(x) for x in tv][:8],
                                                                  [hex(x) for x in ov][:8]))
        osv, ocl, reply = cip_flat(cip.get(f.ts, []))
        if svcs or osv:
            ok = svcs == osv
            c.fig("cip.service", ok)
            if not ok:
                c.problem("frame %d: cip.service tshark %s, netcap %s" % (f.no, [hex(x) for x in svcs][:10],
                                                                            [hex(x) for x in osv][:10]))
        if svcs and not reply:
            ok = classes == ocl
            c.fig("cip.class (requests)", ok)
            if not ok:
                c.problem("frame %d: cip.class tshark %s, netcap %s" % (f.no, [hex(x) for x in classes][:10],
                                                                          [hex(x) for x in ocl][:10]))
    n_t = len(rows)
    n_o = len(set(r["timestamp"] for r in ctx.recs.get("ENIP", [])))
    ok = n_t == n_o
    c.fig("frames with ENIP", ok)
    if not ok:
        c.problem("tshark %d frames with ENIP, netcap %d" % (n_t, n_o))
    return c


# ODVA vendor id registry entries the corpus names
ODVA_VENDORS = {"Rockwell Automation/Allen-Bradley": 1}


def check_enip_suricata(ctx, path):
    """Suricata-verify's enip checks: 'key: value' lines under 'match:'."""
    c = compare.Check("%s/suricata-enip" % ctx.case)
    want = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"\s+(enip\.[\w.]+):\s*\"?([^\"]*)\"?\s*$", line)
            if m:
                want[m.group(1)] = m.group(2).strip()
    recs = ctx.recs.get("ENIP", [])
    cmd_names = {"list_identity": 0x63, "list_services": 0x04, "register_session": 0x65,
                 "send_rr_data": 0x6f, "send_unit_data": 0x70}
    reqs = [r for r in recs if not r["response"]]
    resps = [r for r in recs if r["response"]]
    if "enip.request.command" in want:
        ok = any(r["command"] == cmd_names.get(want["enip.request.command"]) for r in reqs)
        c.fig("request.command", ok)
        if not ok:
            c.problem("no request with command %s" % want["enip.request.command"])
    ident = None
    for r in resps:
        if r["command_specific"] and r["command_specific"].get("identity"):
            ident = r
            break
    if "enip.response.status" in want:
        ok = ident is not None and want["enip.response.status"] == "success" and ident["status"] == 0
        c.fig("response.status", ok)
        if not ok:
            c.problem("response status: suricata %s, netcap %s" % (want["enip.response.status"],
                                                                 ident and ident["status"]))
    idd = ident["command_specific"]["identity"] if ident else {}
    for key, ours in (("revision", idd.get("revision")), ("product_name", idd.get("product_name")),
                      ("vendor_id", idd.get("vendor_id"))):
        k = "enip.response.identity." + key
        if k not in want:
            continue
        sv = want[k]
        if key == "vendor_id":
            sv = ODVA_VENDORS.get(sv, sv)
        ok = sv == ours
        c.fig("identity." + key, ok)
        if not ok:
            c.problem("identity %s: suricata %s, netcap %s" % (key, sv, ours))
    return c


# -------------------------------------------------------------- Diameter

ARKIME_DIAM_AVPS = [("originHost", 264), ("originRealm", 296), ("destHost", 293), ("destRealm", 283),
                    ("sessionId", 263), ("user", 1)]


def avp_values(avps, code, out):
    for a in avps:
        if a["attribute_code"] == code and a["vendor_code"] == 0:
            out.add(a["decoded_value"])
        avp_values(a.get("avps", []), code, out)


def check_diameter_arkime(ctx, paths):
    import json
    c = compare.Check("%s/diameter" % ctx.case)
    recs = ctx.recs.get("Diameter", [])
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            d = json.load(f)
        for s in d.get("sessions3", []):
            b = s.get("body", {})
            dm = b.get("diameter")
            if not dm:
                continue
            src, dst = b.get("source", {}), b.get("destination", {})
            ends = {(compare.canon_ip(src.get("ip")), src.get("port")),
                    (compare.canon_ip(dst.get("ip")), dst.get("port"))}
            mine = [r for r in recs if {(compare.canon_ip(r["src_ip"]), r["src_port"]),
                                         (compare.canon_ip(r["dst_ip"]), r["dst_port"])} == ends]
            tag = "%s:%s -> %s:%s" % (src.get("ip"), src.get("port"), dst.get("ip"), dst.get("port"))
            ok = bool(mine)
            c.fig("sessions with Diameter", ok)
            if not ok:
                c.problem("%s: no netcap Diameter records" % tag)
                continue
            tcmd = set()
            tnames = set()
            for x in dm.get("cmd", []):
                m = re.match(r"(.*)-(Request|Answer) \((\d+)\)$", x)
                if m:
                    tcmd.add((int(m.group(3)), m.group(2) == "Request"))
                    tnames.add((int(m.group(3)), m.group(1)))
            ocmd = {(r["command_code"], r["request"]) for r in mine}
            onames = {(r["command_code"], r["command_name"]) for r in mine if r["command_name"]}
            tapp = {int(re.search(r"\((\d+)\)", x).group(1)) for x in dm.get("app", []) if re.search(r"\((\d+)\)", x)}
            oapp = {r["application_id"] for r in mine}
            pairs = [("command code + R bit", tcmd, ocmd), ("application_id", tapp, oapp),
                     ("command_name (named codes)", {t for t in tnames if t[0] in {o[0] for o in onames}}, onames)]
            for key, code in ARKIME_DIAM_AVPS:
                if key in dm:
                    ov = set()
                    for r in mine:
                        avp_values(r["avps"], code, ov)
                    pairs.append((key, set(dm[key]), ov))
            if "resultCode" in dm:
                ov = set()
                for r in mine:
                    avp_values(r["avps"], 268, ov)
                pairs.append(("resultCode", {str(x) for x in dm["resultCode"]}, ov))
            for lab, tv, ov in pairs:
                good = tv == ov
                c.fig(lab, good)
                if not good:
                    c.problem("%s: %s arkime %s, netcap %s" % (tag, lab, sorted(tv), sorted(ov)))
    if not c.figures:
        return None
    return c


def run(ctx):
    out = []
    if ctx.recs.get("SCTP") or (ctx.frames and any("sctp" in f.tokens for f in ctx.frames)):
        out.append(check_sctp(ctx))
    p = compare.os.path.join(ctx.casedir, "oracle", "tshark", "modbus.tsv")
    if compare.os.path.exists(p) and ctx.frames is not None:
        out.append(check_modbus_tshark(ctx, p))
    for p in ctx.oracle("zeek", lambda n: n == "modbus.log"):
        out.append(check_modbus_zeek(ctx, p))
    p = compare.os.path.join(ctx.casedir, "oracle", "tshark", "enip.tsv")
    if compare.os.path.exists(p) and ctx.frames is not None:
        out.append(check_enip_tshark(ctx, p))
    for p in ctx.oracle("suricata", lambda n: n.endswith("test.yaml")):
        if "enip" in open(p, encoding="utf-8", errors="replace").read():
            out.append(check_enip_suricata(ctx, p))
    ark = ctx.oracle("arkime", lambda n: n.endswith(".test"))
    if ark and ctx.recs.get("Diameter"):
        out.append(check_diameter_arkime(ctx, ark))
    return [c for c in out if c is not None]
