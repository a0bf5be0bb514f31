#!/usr/bin/env python3
"""Checks of the sessions suite: netcap's records against tshark and the clients.

    check.py --netcap BIN --live DIR --file DIR --pcap FILE --clients LOG
             --http-port N --tls-port N --dns 0|1

--live: records of `netcap capture -iface lo`; --file: of `netcap capture
-read` on the pcap tcpdump wrote at the same time; --pcap is decoded once by
tshark (-T pdml, so that several HTTP or DNS messages in one segment stay
apart). Prints one line per check, tab-separated: "ok NAME", "bad NAME WHY"
or "skip NAME WHY"; NAME carries the figures (fields compared / agreeing).
"""
import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET

A = None  # the arguments


def ok(name):
    print("ok\t" + name)


def bad(name, why):
    print("bad\t%s\t%s" % (name, why))


def skip(name, why):
    print("skip\t%s\t%s" % (name, why))


def short(v):
    s = repr(v)
    return s if len(s) <= 160 else s[:150] + "...(%d chars)" % len(s)


class Tally:
    """Fields compared and mismatches of one check."""

    def __init__(self, name):
        self.name, self.n, self.good, self.errors = name, 0, 0, []

    def eq(self, what, ours, theirs):
        self.n += 1
        if ours == theirs:
            self.good += 1
        else:
            self.errors.append("%s: netcap %s, expected %s" % (what, short(ours), short(theirs)))

    def fail(self, what):
        self.n += 1
        self.errors.append(what)

    def report(self, unit="fields", extra=""):
        figures = "%s %d/%d%s" % (unit, self.good, self.n, extra)
        if self.n == 0:
            bad(self.name, "nothing compared")
        elif self.errors:
            bad(self.name + ": " + figures, "; ".join(self.errors[:6]) +
                (" (+%d more)" % (len(self.errors) - 6) if len(self.errors) > 6 else ""))
        else:
            ok(self.name + ": " + figures)


# ---------------------------------------------------------------- inputs

def records(d, rtype):
    path = os.path.join(d, rtype + ".ncap.zst")
    if not os.path.exists(path):
        return []
    out = subprocess.run([A.netcap, "dump", "-read", path, "-json"], capture_output=True, check=True).stdout
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


def fields_of(el, want=None):
    """name -> [show] for every named field under el (in document order)."""
    d = {}
    for f in el.iter("field"):
        n = f.get("name")
        if n and (want is None or n in want):
            d.setdefault(n, []).append(f.get("show"))
    return d


def first(d, name, default=None):
    v = d.get(name)
    return v[0] if v else default


class Packet:
    def __init__(self, el):
        self.protos = el.findall("proto")
        f = {}
        for pr in self.protos:
            if pr.get("name") in ("frame", "ip", "tcp", "udp", "fake-field-wrapper"):
                for k, v in fields_of(pr).items():
                    f.setdefault(k, v)
        self.num = int(first(f, "frame.number"))
        self.len = int(first(f, "frame.len"))
        self.tcp = "tcp.srcport" in f
        self.udp = "udp.srcport" in f
        p = "tcp" if self.tcp else "udp"
        self.sport = int(first(f, p + ".srcport", 0))
        self.dport = int(first(f, p + ".dstport", 0))
        self.stream = int(first(f, p + ".stream", -1))
        self.community_id = first(f, "communityid")
        if self.tcp:
            self.payload = int(first(f, "tcp.len", 0))
            self.flags = {k: first(f, "tcp.flags." + k) == "1" for k in ("syn", "ack", "fin", "reset")}
        else:
            self.payload = int(first(f, "udp.length", 8)) - 8
            self.flags = {}

    def app(self, name):
        return [pr for pr in self.protos if pr.get("name") == name]


def tshark_packets():
    cmd = ["tshark", "-r", A.pcap, "-n", "-o", "http.decompress_body:FALSE",
           "-d", "tcp.port==%d,http" % A.http_port, "-d", "tcp.port==%d,tls" % A.tls_port,
           "--enable-protocol", "communityid", "-T", "pdml"]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        raise SystemExit("tshark failed: " + res.stderr.decode()[:300])
    return [Packet(el) for el in ET.fromstring(res.stdout).findall("packet")]


def client_log():
    lines = []
    with open(A.clients) as f:
        for ln in f:
            lines.append(ln.split())
    return lines


# ------------------------------------------------------------------ HTTP

def header_line(f):
    """(name, value) of one header line as tshark shows it, from its raw bytes."""
    raw = bytes.fromhex(f.get("value")).decode("utf-8", "replace").rstrip("\r\n")
    name, _, value = raw.partition(":")
    return (name, value.strip(" \t"))


def ws(v):
    # tshark's show attribute turns control characters into spaces
    return re.sub(r"\s", " ", v)


def check_http(live, pkts, clients):
    # where tshark 4.0 is no oracle (these are checked against the clients):
    # it frames the response to a pipelined HEAD as if it had a body, and
    # shows no response whose body a reset cut short
    blind = {int(c[1]) for c in clients if c[0] == "http" and
             (c[3].startswith("/page?pipe=") or c[3].endswith("/abort"))}
    conv = {}
    for p in pkts:
        if not p.tcp:
            continue
        last = None
        for pr in p.protos:
            if pr.get("name") == "urlencoded-form" and last is not None:
                f = fields_of(pr)
                last["_form"] = list(zip(f.get("urlencoded-form.key", []), f.get("urlencoded-form.value", [])))
                continue
            if pr.get("name") != "http":
                continue
            d = fields_of(pr)
            fd = [f for f in pr.iter("field") if f.get("name") == "http.file_data"]
            d["_body"] = int(fd[0].get("size")) if fd else None
            # netcap lists the chunked trailer's fields after the header's
            d["_lines"] = [header_line(f) for f in pr.iter("field")
                           if f.get("name") in ("http.request.line", "http.response.line",
                                                "http.chunked_trailer_part")]
            last = d
            if "http.request.method" in d:
                conv.setdefault(p.sport, ([], []))[0].append(d)
            elif "http.response.code" in d:
                code = int(first(d, "http.response.code"))
                if 100 <= code < 200 and code != 101:
                    continue  # interim (100 Continue): netcap skips it too
                conv.setdefault(p.dport, ([], []))[1].append(d)
    ours = {}
    for r in live:
        ours.setdefault(r["src_port"], []).append(r)
    t = Tally("HTTP vs tshark: method/host/uri/version/user-agent/referer/cookies/content-type/headers/"
              "parameters/request body/status/reason/version/server/headers/content-type/content-length/"
              "transfer-/content-encoding/set-cookie/response body")
    exchanges = 0
    for cport in sorted(set(conv) | set(ours)):
        if cport in blind:
            continue
        reqs, resps = conv.get(cport, ([], []))
        recs = ours.get(cport, [])
        if len(recs) != len(reqs):
            t.fail("port %d: %d records, tshark %d requests" % (cport, len(recs), len(reqs)))
            continue
        for i, (q, r) in enumerate(zip(reqs, recs)):
            exchanges += 1
            w = "port %d #%d " % (cport, i + 1)
            t.eq(w + "method", r["method"], first(q, "http.request.method"))
            t.eq(w + "host", r["host"], first(q, "http.host", ""))
            t.eq(w + "uri", r["url"], first(q, "http.request.uri"))
            t.eq(w + "proto", r["proto"], first(q, "http.request.version"))
            t.eq(w + "content_type", r["content_type"], first(q, "http.content_type", ""))
            t.eq(w + "user_agent", r["user_agent"], first(q, "http.user_agent", ""))
            t.eq(w + "referer", r["referer"], first(q, "http.referer", ""))
            t.eq(w + "req_cookies", ["%s=%s" % (c["name"], c["value"]) for c in r["req_cookies"]],
                 q.get("http.cookie_pair", []))
            t.eq(w + "req_content_length", r["req_content_length"], q["_body"] or 0)
            t.eq(w + "request_header", [(h["name"], h["value"]) for h in r["request_header"]], q["_lines"])
            t.eq(w + "request_header_names", r["request_header_names"], [h[0] for h in q["_lines"]])
            # query parameters (percent-decoded) then the form's, as tshark decodes them
            params = [tuple(x.split("=", 1)) if "=" in x else (x, "")
                      for x in q.get("http.request.uri.query.parameter", [])]
            params = [(urllib.parse.unquote_plus(k), urllib.parse.unquote_plus(v)) for k, v in params]
            params += q.get("_form", [])
            t.eq(w + "parameters", [(ws(h["name"]), ws(h["value"])) for h in r["parameters"]],
                 [(ws(k), ws(v)) for k, v in params])
            if i >= len(resps):
                t.eq(w + "status_code", r["status_code"], 0)
                continue
            s = resps[i]
            t.eq(w + "status_code", r["status_code"], int(first(s, "http.response.code")))
            t.eq(w + "res_proto", r["res_proto"], first(s, "http.response.version"))
            t.eq(w + "response_header", [(h["name"], h["value"]) for h in r["response_header"]], s["_lines"])
            t.eq(w + "res_content_type", r["res_content_type"], first(s, "http.content_type", ""))
            t.eq(w + "status_msg", r["status_msg"], first(s, "http.response.phrase", ""))
            t.eq(w + "server_name", r["server_name"], first(s, "http.server", ""))
            t.eq(w + "res_declared_length", r["res_declared_length"],
                 int(first(s, "http.content_length_header", -1)))
            t.eq(w + "res_transfer_encoding", r["res_transfer_encoding"], first(s, "http.transfer_encoding", ""))
            t.eq(w + "res_content_encoding", r["res_content_encoding"], first(s, "http.content_encoding", ""))
            t.eq(w + "res_cookies", [c["name"] for c in r["res_cookies"]],
                 [c.split("=", 1)[0].strip() for c in s.get("http.set_cookie", [])])
            body = s["_body"]
            if body is None:
                # tshark gives no file_data for an encoded body it does not
                # decompress (-o http.decompress_body:FALSE), nor for no body
                body = int(first(s, "http.content_length_header", 0)) if "http.content_encoding" in s else 0
                if r["method"] == "HEAD" or int(first(s, "http.response.code")) in (204, 304):
                    body = 0
            t.eq(w + "res_content_length", r["res_content_length"], body)
    t.report(extra=" in %d exchanges on %d connections (%d more, pipelined or reset, against the clients only)"
             % (exchanges, len([p for p in conv if p not in blind]), len(blind)))

    # against the clients: every request once, with its response
    t = Tally("HTTP vs clients (curl -w, Python): method/target/status/body bytes")
    sent = {}
    for c in clients:
        if c[0] == "http":
            target = re.sub(r"^http://127\.0\.0\.1:\d+", "", c[3])  # origin-form as sent
            sent.setdefault(int(c[1]), []).append((c[2], target, int(c[4]), int(c[5])))
    n = 0
    for cport in sorted(set(sent) | set(ours)):
        recs, reqs = ours.get(cport, []), sent.get(cport, [])
        if len(recs) != len(reqs):
            t.fail("port %d: %d records for %d requests sent" % (cport, len(recs), len(reqs)))
            continue
        for i, ((m, target, status, size), r) in enumerate(zip(reqs, recs)):
            n += 1
            w = "port %d #%d " % (cport, i + 1)
            t.eq(w + "method", r["method"], m)
            t.eq(w + "url", r["url"], target)
            t.eq(w + "status_code", r["status_code"], status)
            t.eq(w + "res_content_length", r["res_content_length"], size)
    t.report(extra=" for %d requests on %d connections, each recorded once" % (n, len(sent)))


# ------------------------------------------------------------------- TLS

VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
            0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}
PROTO_NAMES = {"TLSv1.3": 0x0304, "TLSv1.2": 0x0303, "TLSv1.1": 0x0302, "TLSv1": 0x0301}


def grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def num(s):
    return int(s, 0)


def alpn_pair(v):
    if not v:
        return "00"
    b = v.encode()
    if chr(b[0]).isalnum() and chr(b[-1]).isalnum() and b[0] < 128 and b[-1] < 128:
        return chr(b[0]) + chr(b[-1])
    h = b.hex()
    return h[0] + h[-1]


def sha12(s):
    return hashlib.sha256(s.encode()).hexdigest()[:12]


def ja4(ch):
    """JA4 from tshark's view of a ClientHello (FoxIO's definition, docs/JA4.md)."""
    ciphers = [c for c in ch["ciphers"] if not grease(c)]
    exts = [e for e in ch["exts"] if not grease(e)]
    sv = [v for v in ch["versions"] if not grease(v)]
    ver = VERSIONS.get(max(sv) if sv else ch["legacy"], "00")
    a = "t%s%s%02d%02d%s" % (ver, "d" if 0 in exts else "i", min(len(ciphers), 99), min(len(exts), 99),
                              alpn_pair(ch["alpns"][0] if ch["alpns"] else ""))
    b = sha12(",".join(sorted("%04x" % c for c in ciphers))) if ciphers else "000000000000"
    ce = sorted("%04x" % e for e in exts if e not in (0, 16))
    c_in = ",".join(ce)
    if ch["sigalgs"]:
        c_in += "_" + ",".join("%04x" % s for s in ch["sigalgs"])
    c = sha12(c_in) if ce else "000000000000"
    return "%s_%s_%s" % (a, b, c)


def ja4s(sh):
    exts = sh["exts"]
    ver = VERSIONS.get(sh["selected"] or sh["legacy"], "00")
    a = "t%s%02d%s" % (ver, min(len(exts), 99), alpn_pair(sh["alpn"]))
    c = sha12(",".join("%04x" % e for e in exts)) if exts else "000000000000"
    return "%s_%04x_%s" % (a, sh["cipher"], c)


def hexs(v):
    return (v or "").replace(":", "")


def tshark_hellos(pkts):
    """client port -> [ClientHello], [ServerHello] in stream order."""
    chs, shs = {}, {}
    for p in pkts:
        for pr in p.app("tls"):
            for hs in pr.iter("field"):
                if hs.get("name") != "tls.handshake":
                    continue
                d = fields_of(hs)
                typ = first(d, "tls.handshake.type")
                if typ == "1":
                    chs.setdefault(p.sport, []).append({
                        "legacy": num(first(d, "tls.handshake.version")),
                        "random": hexs(first(d, "tls.handshake.random")),
                        "session_id": hexs(first(d, "tls.handshake.session_id")),
                        "ciphers": [num(x) for x in d.get("tls.handshake.ciphersuite", [])],
                        "comp": [int(x) for x in d.get("tls.handshake.comp_method", [])],
                        "exts": [int(x) for x in d.get("tls.handshake.extension.type", [])],
                        "groups": [num(x) for x in d.get("tls.handshake.extensions_supported_group", [])],
                        "points": [int(x) for x in d.get("tls.handshake.extensions_ec_point_format", [])],
                        "sigalgs": [num(x) for x in d.get("tls.handshake.sig_hash_alg", [])],
                        "versions": [num(x) for x in d.get("tls.handshake.extensions.supported_version", [])],
                        "alpns": d.get("tls.handshake.extensions_alpn_str", []),
                        "sni": first(d, "tls.handshake.extensions_server_name", ""),
                        "ja3": first(d, "tls.handshake.ja3"),
                        "ja3_full": first(d, "tls.handshake.ja3_full"),
                    })
                elif typ == "2":
                    sv = d.get("tls.handshake.extensions.supported_version", [])
                    exts = [int(x) for x in d.get("tls.handshake.extension.type", [])]
                    sel = first(d, "tls.handshake.extensions.psk.identity.selected")
                    shs.setdefault(p.dport, []).append({
                        "legacy": num(first(d, "tls.handshake.version")),
                        "random": hexs(first(d, "tls.handshake.random")),
                        "session_id": hexs(first(d, "tls.handshake.session_id")),
                        "cipher": num(first(d, "tls.handshake.ciphersuite")),
                        "comp": int(first(d, "tls.handshake.comp_method", 0)),
                        "exts": exts,
                        "selected": num(sv[0]) if sv else 0,
                        "alpn": first(d, "tls.handshake.extensions_alpn_str", ""),
                        # a HelloRetryRequest names the group it wants
                        "group": int(first(d, "tls.handshake.extensions_key_share_group",
                                           first(d, "tls.handshake.extensions_key_share_selected_group", 0))),
                        "psk": (sel is not None, int(sel or 0)),
                        "ems": 23 in exts, "ticket": 35 in exts, "reneg": 65281 in exts,
                        "ja3s": first(d, "tls.handshake.ja3s"),
                        "ja3s_full": first(d, "tls.handshake.ja3s_full"),
                    })
    return chs, shs


def openssl_cipher_ids():
    out = subprocess.run(["openssl", "ciphers", "-V", "ALL:COMPLEMENTOFALL"], capture_output=True,
                         text=True).stdout
    ids = {}
    for ln in out.splitlines():
        m = re.match(r"\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2}) - (\S+)", ln)
        if m:
            ids[m.group(3)] = int(m.group(1) + m.group(2), 16)
    return ids


JA4_RE = re.compile(r"^t(13|12|11|10|s3|00)[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$")


def check_tls(chello, shello, pkts, clients):
    chs, shs = tshark_hellos(pkts)
    t = Tally("TLSClientHello vs tshark: JA3/JA3 string/JA4 (recomputed)/SNI/version/random/session id/"
              "ciphers/compression/extensions/groups/point formats/signature algorithms/supported versions/ALPN")
    ours = {}
    for r in chello:
        ours.setdefault(r["src_port"], []).append(r)
    nch = 0
    for port in sorted(set(chs) | set(ours)):
        rs, cs = ours.get(port, []), chs.get(port, [])
        if len(rs) != len(cs):
            t.fail("port %d: %d ClientHello records, tshark %d" % (port, len(rs), len(cs)))
            continue
        for i, (r, c) in enumerate(zip(rs, cs)):
            nch += 1
            w = "port %d #%d " % (port, i + 1)
            t.eq(w + "ja3", r["ja3"], c["ja3"])
            t.eq(w + "ja3_string", r["ja3_string"], c["ja3_full"])
            t.eq(w + "ja4", r["ja4"], ja4(c))
            t.eq(w + "sni", r["sni"], c["sni"])
            t.eq(w + "handshake_version", r["handshake_version"], c["legacy"])
            t.eq(w + "random", (r["random"]), c["random"])
            t.eq(w + "session_id", (r["session_id"]), c["session_id"])
            t.eq(w + "cipher_suites", r["cipher_suites"], c["ciphers"])
            t.eq(w + "compress_methods", r["compress_methods"], c["comp"])
            t.eq(w + "extensions", r["extensions"], c["exts"])
            t.eq(w + "supported_groups", r["supported_groups"], c["groups"])
            t.eq(w + "supported_points", r["supported_points"], c["points"])
            t.eq(w + "signature_algs", r["signature_algs"], c["sigalgs"])
            t.eq(w + "supported_versions", r["supported_versions"], c["versions"])
            t.eq(w + "alpns", r["alpns"], c["alpns"])
    big = sum(1 for cs in chs.values() for c in cs if len(c["alpns"]) > 50)
    hrr = sum(1 for cs in chs.values() if len(cs) > 1)
    t.report(extra=" in %d ClientHellos (%d of ~2.8 KB cut over segments or records, %d after a "
             "HelloRetryRequest)" % (nch, big, hrr))

    t = Tally("TLSServerHello vs tshark: JA3S/JA3S string/JA4S (recomputed)/version/selected version/random/"
              "session id/cipher/compression/extensions/ALPN/key share group/PSK identity/EMS/ticket/renegotiation")
    srv = {}
    for r in shello:
        srv.setdefault(r["dst_port"], []).append(r)
    nsh = 0
    for port in sorted(set(shs) | set(srv)):
        rs, ss = srv.get(port, []), shs.get(port, [])
        if len(rs) != len(ss):
            t.fail("port %d: %d ServerHello records, tshark %d" % (port, len(rs), len(ss)))
            continue
        for i, (r, s) in enumerate(zip(rs, ss)):
            nsh += 1
            w = "port %d #%d " % (port, i + 1)
            t.eq(w + "ja3s", r["ja3s"], s["ja3s"])
            t.eq(w + "ja3s_string", r["ja3s_string"], s["ja3s_full"])
            t.eq(w + "ja4s", r["ja4s"], ja4s(s))
            t.eq(w + "version", r["version"], s["legacy"])
            t.eq(w + "supported_version", r["supported_version"], s["selected"])
            t.eq(w + "random", (r["random"]), s["random"])
            t.eq(w + "session_id", (r["session_id"]), s["session_id"])
            t.eq(w + "cipher_suite", r["cipher_suite"], s["cipher"])
            t.eq(w + "compression_method", r["compression_method"], s["comp"])
            t.eq(w + "extensions", r["extensions"], s["exts"])
            t.eq(w + "alpn_protocol", r["alpn_protocol"], s["alpn"])
            t.eq(w + "selected_group", r["selected_group"], s["group"])
            t.eq(w + "selected_identity", (r["selected_identity_present"], r["selected_identity"]), s["psk"])
            t.eq(w + "ems/ticket/renegotiation",
                 [r["ems"], r["ticket_supported"], r["secure_renegotiation_supported"]],
                 [s["ems"], s["ticket"], s["reneg"]])
    resumed = sum(1 for ss in shs.values() for s in ss if s["psk"][0])
    t.report(extra=" in %d ServerHellos (%d resuming with a PSK)" % (nsh, resumed))

    # the clients' own view of the negotiation; the records are found by SNI
    ids = openssl_cipher_ids()
    by_sni = {}
    for r in chello:
        if r["src_port"] in [x["src_port"] for x in by_sni.get(r["sni"], [])]:
            continue  # the second ClientHello after a HelloRetryRequest
        by_sni.setdefault(r["sni"], []).append(r)
    t = Tally("TLS vs clients (curl -v, openssl s_client -brief, Python ssl): version/cipher/ALPN")
    n = 0
    for c in clients:
        if c[0] != "tls":
            continue
        n += 1
        sni, version, cipher, alpn = c[1], c[2], c[3], c[4]
        chl = by_sni.get(sni, [])
        ch = chl.pop(0) if chl else None  # one client's connections in order
        sh = srv.get(ch["src_port"], [None])[-1] if ch else None
        if not sh:
            t.fail("%s: no %s record" % (sni, "ClientHello" if not ch else "ServerHello"))
            continue
        t.eq(sni + " version", sh["supported_version"] or sh["version"], PROTO_NAMES.get(version, version))
        t.eq(sni + " cipher", sh["cipher_suite"], ids.get(cipher, cipher))
        if alpn != "-" and version != "TLSv1.3":
            # TLS 1.3 sends the ALPN choice in EncryptedExtensions, not in the ServerHello
            t.eq(sni + " alpn", sh["alpn_protocol"], alpn)
    t.report(extra=" in %d handshakes" % n)

    # JA4 well-formed, and the same for one client's two connections
    # (NAMEa and NAMEb: the same client and options)
    t = Tally("JA4 well-formed and stable per client (JA3 too)")
    groups = {}
    for r in chello:
        t.eq("port %d ja4 format" % r["src_port"], bool(JA4_RE.match(r["ja4"])), True)
        m = re.match(r"^(.*)[ab]\.sessions\.test$", r["sni"])
        if m:
            groups.setdefault(m.group(1), []).append(r)
    pairs = 0
    for key, rs in sorted(groups.items()):
        if len(rs) != 2:
            t.fail("%s: %d connections" % (key, len(rs)))
            continue
        pairs += 1
        t.eq(key + " ja4 of both connections", rs[1]["ja4"], rs[0]["ja4"])
        t.eq(key + " ja3 of both connections", rs[1]["ja3"], rs[0]["ja3"])
    t.report(extra=" (%d clients connecting twice)" % pairs)


# ------------------------------------------------------------------- DNS

SECTIONS = {"Queries": "q", "Answers": "an", "Authoritative nameservers": "ns", "Additional records": "ar"}


def rr_value(d):
    t = int(first(d, "dns.resp.type"))
    if t == 1:
        return first(d, "dns.a")
    if t == 28:
        return first(d, "dns.aaaa")
    if t == 5:
        return first(d, "dns.cname")
    if t == 16:
        return d.get("dns.txt", [])
    if t == 6:
        return first(d, "dns.soa.mname")
    if t == 15:
        return (int(first(d, "dns.mx.preference")), first(d, "dns.mx.mail_exchange"))
    if t == 33:
        return tuple(int(first(d, "dns.srv." + k)) for k in ("priority", "weight", "port")) + \
            (first(d, "dns.srv.target"),)
    if t == 12:
        return first(d, "dns.ptr.domain_name")
    return None


def rr_name(d):
    if "dns.resp.name" in d:
        name = first(d, "dns.resp.name")
        return "." if name == "<Root>" else name
    # tshark 4.0 splits an SRV owner name into service, proto and name
    return ".".join(first(d, "dns.srv." + k) for k in ("service", "proto", "name"))


def our_rr_value(r):
    t = r["type"]
    if t in (1, 28):
        return r["ip"]
    if t == 5:
        return r["cname"]
    if t == 16:
        return r["txts"]
    if t == 6:
        return r["soa"]["mname"] if r.get("soa") else None
    if t == 15:
        return (r["mx"]["preference"], r["mx"]["exchange"]) if r.get("mx") else None
    if t == 33:
        return tuple(r["srv"][k] for k in ("priority", "weight", "port", "target")) if r.get("srv") else None
    if t == 12:
        return r["ptr"]
    return None


def tshark_dns(pkts):
    msgs = []
    for p in pkts:
        for pr in p.app("dns"):
            d = fields_of(pr, {"dns.id", "dns.flags.response", "dns.flags.opcode", "dns.flags.authoritative",
                               "dns.flags.truncated", "dns.flags.recdesired", "dns.flags.recavail",
                               "dns.flags.rcode", "dns.count.queries", "dns.count.answers",
                               "dns.count.auth_rr", "dns.count.add_rr"})
            m = {"transport": "tcp" if p.tcp else "udp", "sport": p.sport, "dport": p.dport, "f": d,
                 "q": [], "an": [], "ns": [], "ar": []}
            for sec in pr.findall("field"):
                key = SECTIONS.get(sec.get("show"))
                if not key:
                    continue
                for ent in sec.findall("field"):
                    e = fields_of(ent)
                    if key == "q":
                        m["q"].append((first(e, "dns.qry.name"), int(first(e, "dns.qry.type"))))
                    else:
                        m[key].append((rr_name(e), int(first(e, "dns.resp.type")), rr_value(e)))
            msgs.append(m)
    return msgs


def check_dns(dns, pkts, clients):
    theirs = tshark_dns(pkts)
    ours = {}
    for r in dns:
        ours.setdefault((r["transport"], r["src_port"], r["dst_port"], r["id"], r["qr"]), []).append(r)
    t = Tally("DNS vs tshark: id/qr/opcode/aa/tc/rd/ra/rcode/counts/question/answers/authority/additional types")
    used = 0
    for m in theirs:
        f = m["f"]
        qid, qr = num(first(f, "dns.id")), first(f, "dns.flags.response") == "1"
        key = (m["transport"], m["sport"], m["dport"], qid, qr)
        rs = ours.get(key)
        w = "%s %d->%d id %d%s " % (m["transport"], m["sport"], m["dport"], qid, " response" if qr else "")
        if not rs:
            t.fail(w + "no record")
            continue
        r = rs.pop(0)
        used += 1
        t.eq(w + "opcode", r["op_code"], int(first(f, "dns.flags.opcode")))
        t.eq(w + "tc", r["tc"], first(f, "dns.flags.truncated") == "1")
        t.eq(w + "rd", r["rd"], first(f, "dns.flags.recdesired") == "1")
        if qr:
            t.eq(w + "aa", r["aa"], first(f, "dns.flags.authoritative") == "1")
            t.eq(w + "ra", r["ra"], first(f, "dns.flags.recavail") == "1")
            t.eq(w + "rcode", r["response_code"], int(first(f, "dns.flags.rcode")))
        t.eq(w + "counts", [r["qd_count"], r["an_count"], r["ns_count"], r["ar_count"]],
             [int(first(f, k)) for k in ("dns.count.queries", "dns.count.answers", "dns.count.auth_rr",
                                          "dns.count.add_rr")])
        t.eq(w + "questions", [(q["name"], q["type"]) for q in r["questions"]], m["q"])
        t.eq(w + "answers", [(a["name"], a["type"], our_rr_value(a)) for a in r["answers"]], m["an"])
        t.eq(w + "authorities", [(a["name"], a["type"], our_rr_value(a)) for a in r["authorities"]], m["ns"])
        t.eq(w + "additional types", [a["type"] for a in r["additionals"]], [a[1] for a in m["ar"]])
        if m["q"]:
            t.eq(w + "query_name", r["query_name"], m["q"][0][0])
    left = sum(len(v) for v in ours.values())
    if left:
        t.fail("%d DNS records that tshark has no message for" % left)
    tcp = sum(1 for m in theirs if m["transport"] == "tcp")
    t.report(extra=" in %d messages (%d over TCP)" % (len(theirs), tcp))

    # against the clients: dig's status and answer count, the Python client's
    rcodes = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
    t = Tally("DNS vs clients (dig, Python): rcode/answer count of each response")
    n = 0
    for c in clients:
        if c[0] != "dns":
            continue
        n += 1
        port, qid, name = c[1], int(c[2]), c[3]
        cand = [r for r in dns if r["qr"] and r["id"] == qid and r["query_name"] == name and
                (port == "-" or r["dst_port"] == int(port))]
        if not cand:
            t.fail("%s id %d: no response record" % (name, qid))
            continue
        r = cand[-1]  # dig retries a truncated answer over TCP with the same id
        rcode = rcodes.get(c[5], c[5]) if port == "-" else int(c[5])
        t.eq("%s id %d rcode" % (name, qid), r["response_code"], rcode)
        t.eq("%s id %d an_count" % (name, qid), r["an_count"], int(c[6]))
    if n:
        t.report(extra=" in %d responses" % n)
    trunc = [r for r in dns if r["qr"] and r["tc"] and r["transport"] == "udp"]
    retry = [r for r in dns if r["qr"] and r["transport"] == "tcp" and r["query_name"] == "big.sessions.test"]
    if any(c[0] == "dns" and c[3] == "big.sessions.test" for c in clients):
        if trunc and retry and retry[-1]["an_count"] == 40 and len(retry[-1]["answers"]) == 40:
            ok("DNS truncated UDP answer (TC, %d answers) then the TCP retry (%d answers)"
               % (trunc[0]["an_count"], retry[-1]["an_count"]))
        else:
            bad("DNS truncated answer then TCP retry", "TC responses %d, TCP retries %s" %
                (len(trunc), [r["an_count"] for r in retry]))


# ----------------------------------------------------------- Connections

def check_connections(conns, pkts):
    convs = {}
    for p in pkts:
        if not (p.tcp or p.udp):
            continue
        key = ("tcp" if p.tcp else "udp", p.stream)
        c = convs.get(key)
        if c is None:
            c = convs[key] = {"proto": key[0], "client": None, "pk": [0, 0], "by": [0, 0], "pl": [0, 0],
                              "syn": 0, "fin": 0, "rst": 0, "end": "eof", "fins": set(),
                              "cid": p.community_id}
            if p.udp or not (p.flags["syn"] and p.flags["ack"]):
                c["client"] = (p.sport, p.dport)
            else:
                c["client"] = (p.dport, p.sport)
        d = 0 if (p.sport, p.dport) == c["client"] else 1
        c["pk"][d] += 1
        c["by"][d] += p.len
        c["pl"][d] += p.payload
        if p.tcp:
            c["syn"] += p.flags["syn"]
            c["fin"] += p.flags["fin"]
            c["rst"] += p.flags["reset"]
            if c["end"] == "eof":
                if p.flags["reset"]:
                    c["end"] = "rst"
                elif p.flags["fin"]:
                    c["fins"].add(d)
                    if len(c["fins"]) == 2:
                        c["end"] = "fin"
    ours = {}
    for r in conns:
        proto = {6: "tcp", 17: "udp"}.get(r["ip_protocol"], str(r["ip_protocol"]))
        ours.setdefault((proto, r["src_port"], r["dst_port"]), []).append(r)
    apps = {A.http_port: "HTTP", A.tls_port: "TLS", 53: "DNS"}
    t = Tally("Connection vs tshark conversations: one record each, client/server, packets/bytes/payload "
              "both ways, SYN/FIN/RST counts, end reason, application, Community ID")
    ntcp = nudp = 0
    for c in convs.values():
        key = (c["proto"],) + c["client"]
        rs = ours.pop(key, [])
        rev = ours.pop((c["proto"], c["client"][1], c["client"][0]), [])
        w = "%s %d->%d " % key
        if rev:
            t.fail(w + "recorded with client and server swapped")
            continue
        if len(rs) != 1:
            t.fail(w + "%d Connection records" % len(rs))
            continue
        r = rs[0]
        ntcp += c["proto"] == "tcp"
        nudp += c["proto"] == "udp"
        t.eq(w + "packets c->s/s->c", [r["packets_client_to_server"], r["packets_server_to_client"]], c["pk"])
        t.eq(w + "bytes c->s/s->c", [r["bytes_client_to_server"], r["bytes_server_to_client"]], c["by"])
        t.eq(w + "payload c->s/s->c", [r["payload_client_to_server"], r["payload_server_to_client"]], c["pl"])
        t.eq(w + "num_packets/total_size", [r["num_packets"], r["total_size"]], [sum(c["pk"]), sum(c["by"])])
        t.eq(w + "application_proto", r["application_proto"], apps.get(c["client"][1], ""))
        t.eq(w + "community_id", r["community_id"], c["cid"])
        if c["proto"] == "tcp":
            t.eq(w + "SYN/FIN/RST", [r["num_syn_flags"], r["num_fin_flags"], r["num_rst_flags"]],
                 [c["syn"], c["fin"], c["rst"]])
            t.eq(w + "end_reason", r["end_reason"], c["end"])
    for key, rs in ours.items():
        t.fail("%s %d->%d: %d Connection records tshark has no conversation for" % (key + (len(rs),)))
    t.report(extra=" in %d TCP and %d UDP conversations" % (ntcp, nudp))


# ------------------------------------------------------- live equals file

# Fields that legitimately differ between the two: the times. netcap and
# tcpdump each open a packet socket on lo, and for TCP the kernel stamps a
# packet for each socket as it reaches it (no skb timestamp is set on the
# way out), so the same packet gets times some microseconds apart. They are
# compared with a tolerance; all other fields must be equal.
TIMES = {"timestamp", "timestamp_first", "timestamp_last", "res_timestamp", "duration", "done_after",
         "first_byte_after", "tcp_rtt_syn_synack", "tcp_rtt_synack_ack", "tcp_rtt"}
TIME_TOLERANCE_NS = 2000000  # 2 ms


def check_live_file():
    lt = sorted(os.path.basename(p) for p in glob.glob(os.path.join(A.live, "*.ncap.zst")))
    ft = sorted(os.path.basename(p) for p in glob.glob(os.path.join(A.file, "*.ncap.zst")))
    t = Tally("live records = records of the tcpdump pcap (times within 2 ms)")
    if lt != ft:
        t.fail("record files differ: live %s, file %s" % (lt, ft))
    n, worst, exact = 0, 0, 0
    for name in sorted(set(lt) & set(ft)):
        rtype = name[:-len(".ncap.zst")]
        a, b = records(A.live, rtype), records(A.file, rtype)
        n += len(a)
        if len(a) != len(b):
            t.fail("%s: %d live records, %d from the file" % (rtype, len(a), len(b)))
            continue
        diff = []
        for i, (x, y) in enumerate(zip(a, b)):
            for k in x:
                if k in TIMES and isinstance(x[k], int) and isinstance(y.get(k), int):
                    d = abs(x[k] - y[k])
                    worst = max(worst, d)
                    exact += d == 0
                    if d > TIME_TOLERANCE_NS:
                        diff.append((i, k))
                elif x[k] != y.get(k):
                    diff.append((i, k))
        t.n += 1
        if diff:
            i, k = diff[0]
            t.errors.append("%s: %d fields differ, first: record %d %s live %s, file %s"
                            % (rtype, len(diff), i + 1, k, short(a[i][k]), short(b[i][k])))
        else:
            t.good += 1
    t.report(unit="record types", extra=" equal (%d records; times: %d equal, largest difference %.1f us)"
             % (n, exact, worst / 1000.0))


def main():
    global A
    ap = argparse.ArgumentParser()
    for k in ("netcap", "live", "file", "pcap", "clients"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--tls-port", type=int, required=True)
    ap.add_argument("--closed-port", type=int, required=True)
    ap.add_argument("--dns", type=int, default=1)
    A = ap.parse_args()
    pkts = tshark_packets()
    clients = client_log()
    print("info\ttshark: %d packets in the tcpdump capture" % len(pkts))
    check_http(records(A.live, "HTTP"), pkts, clients)
    check_tls(records(A.live, "TLSClientHello"), records(A.live, "TLSServerHello"), pkts, clients)
    if A.dns:
        check_dns(records(A.live, "DNS"), pkts, clients)
    check_connections(records(A.live, "Connection"), pkts)
    check_live_file()


if __name__ == "__main__":
    main()
