#!/usr/bin/env python3
"""TCP streams out of a capture, and HTTP records compared with oracles.

Standard library only. Two commands:

  http_streams.py streams FILE.pcap[ng]
      Follows every TCP connection of the capture and writes, on stdout, the
      bytes of each direction in sequence order, interleaved in capture order
      (what the stream stage hands a parser). Events, one per line; D lines
      are followed by exactly <len> raw bytes:
        C <id> <client-ip> <client-port> <server-ip> <server-port>
        D <id> <dir> <ts-ns> <len>       bytes (dir 0: client -> server)
        G <id> <dir> <ts-ns> <len>       <len> bytes missing before the next D
        E <id> <ts-ns>                   end of the connection
      The client is the side that sent the SYN; without a SYN, the side whose
      port is the higher one. Segments are reassembled per direction
      (retransmissions and overlaps trimmed, out-of-order segments held until
      the hole is filled; holes left at the end become G events).

  http_streams.py compare CASE-DIR RECORDS
      RECORDS: lines "<client-ip> <client-port> <server-ip> <server-port>\\t<JSON
      HTTP record>" in the order written. Compares per exchange the method,
      host, URI, user agent and status code (and, with tshark, the response's
      Content-Type) with CASE-DIR/oracle/zeek/http.log
      (matched on connection and trans_depth) and with
      CASE-DIR/oracle/tshark/http.tsv (requests and responses matched in order
      per connection, connections found through frames.tsv; tshark's interim
      1xx responses other than 101 are left out, as they answer nothing). Prints
      matched/compared per field and oracle; exits 1 if a field matches
      fewer than MIN_RATIO of its comparisons (or none was compared).
"""
import ipaddress
import json
import os
import struct
import sys

MIN_RATIO = 0.95


# ------------------------------------------------------------------ capture

def packets(path):
    """(ts_ns, linktype, frame bytes) for each packet of a pcap or pcapng."""
    d = open(path, "rb").read()
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        lt = struct.unpack(e + "I", d[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(d):
            sec, frac, cl, _ = struct.unpack_from(e + "IIII", d, off)
            if off + 16 + cl > len(d):
                break
            ts = sec * 1000000000 + (frac if nsec else frac * 1000)
            yield ts, lt, d[off + 16:off + 16 + cl]
            off += 16 + cl
        return
    if magic != b"\x0a\x0d\x0d\x0a":
        raise SystemExit("%s: not a pcap or pcapng file" % path)
    off = 0
    e = "<"
    ifs = []
    while off + 12 <= len(d):
        btype = struct.unpack_from(e + "I", d, off)[0]
        if btype == 0x0A0D0D0A:
            e = "<" if d[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifs = []
        blen = struct.unpack_from(e + "I", d, off + 4)[0]
        if blen < 12 or off + blen > len(d):
            break
        body = d[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            lt = struct.unpack_from(e + "H", body, 0)[0]
            res = 1000000  # microseconds unless if_tsresol says otherwise
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack_from(e + "HH", body, o)
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    v = body[o + 4]
                    res = 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
                o += 4 + olen + (-olen % 4)
            ifs.append((lt, res))
        elif btype == 6 and len(body) >= 20:  # EPB
            iface, hi, lo, cl = struct.unpack_from(e + "IIII", body, 0)
            if iface < len(ifs):
                lt, res = ifs[iface]
                t = (hi << 32) | lo
                yield t * 1000000000 // res, lt, body[20:20 + cl]
        elif btype == 3 and len(body) >= 4 and ifs:  # SPB
            yield 0, ifs[0][0], body[4:]
        off += blen


def tcp_of(lt, f):
    """(src, dst, sport, dport, seq, flags, payload) of a TCP frame, or None."""
    if lt == 1:
        off = 12
        et = struct.unpack_from(">H", f, off)[0] if len(f) >= 14 else 0
        off += 2
        while et in (0x8100, 0x88A8, 0x9100) and len(f) >= off + 4:
            et = struct.unpack_from(">H", f, off + 2)[0]
            off += 4
    elif lt == 113:
        if len(f) < 16:
            return None
        et = struct.unpack_from(">H", f, 14)[0]
        off = 16
    elif lt in (101, 12, 14):
        if not f:
            return None
        et = 0x0800 if f[0] >> 4 == 4 else 0x86DD
        off = 0
    elif lt in (0, 108):
        if len(f) < 4:
            return None
        fam = struct.unpack_from("<I" if lt == 0 else ">I", f, 0)[0]
        et = 0x0800 if fam == 2 else 0x86DD
        off = 4
    else:
        return None
    if et == 0x0800 and len(f) >= off + 20:
        ihl = (f[off] & 0x0F) * 4
        tot = struct.unpack_from(">H", f, off + 2)[0]
        if f[off + 9] != 6 or struct.unpack_from(">H", f, off + 6)[0] & 0x1FFF:
            return None
        src = str(ipaddress.IPv4Address(f[off + 12:off + 16]))
        dst = str(ipaddress.IPv4Address(f[off + 16:off + 20]))
        end = min(len(f), off + tot) if tot else len(f)
        off += ihl
    elif et == 0x86DD and len(f) >= off + 40:
        nxt = f[off + 6]
        plen = struct.unpack_from(">H", f, off + 4)[0]
        src = str(ipaddress.IPv6Address(f[off + 8:off + 24]))
        dst = str(ipaddress.IPv6Address(f[off + 24:off + 40]))
        end = min(len(f), off + 40 + plen)
        off += 40
        while nxt in (0, 43, 60) and len(f) >= off + 8:
            nxt, hl = f[off], (f[off + 1] + 1) * 8
            off += hl
        if nxt != 6:
            return None
    else:
        return None
    if len(f) < off + 20:
        return None
    sport, dport, seq = struct.unpack_from(">HHI", f, off)
    doff = (f[off + 12] >> 4) * 4
    flags = f[off + 13]
    return src, dst, sport, dport, seq, flags, f[off + doff:end]


class Dir:
    def __init__(self):
        self.next = None  # next expected sequence number
        self.held = {}    # seq -> bytes, out of order


class Conn:
    def __init__(self, cid, client, server):
        self.id, self.client, self.server = cid, client, server
        self.dirs = [Dir(), Dir()]
        self.ended = False


def emit(out, s):
    out.write(s.encode())


def deliver(out, c, d, seq, data, ts):
    """Hand in-order bytes of direction d on, then what was held after them."""
    st = c.dirs[d]
    if st.next is None:
        st.next = seq
    delta = (seq - st.next) & 0xFFFFFFFF
    if delta >= 0x80000000:  # starts before next: trim what was delivered
        back = 0x100000000 - delta
        if back >= len(data):
            return
        data, seq = data[back:], (seq + back) & 0xFFFFFFFF
    elif delta > 0:
        if len(st.held) < 4096 and seq not in st.held:
            st.held[seq] = data
        return
    if data:
        emit(out, "D %d %d %d %d\n" % (c.id, d, ts, len(data)))
        out.write(data)
        st.next = (st.next + len(data)) & 0xFFFFFFFF
    while st.held:
        progressed = False
        for hs in list(st.held):
            hd = st.held[hs]
            delta = (hs - st.next) & 0xFFFFFFFF
            if delta >= 0x80000000 or delta == 0:
                del st.held[hs]
                back = 0 if delta == 0 else 0x100000000 - delta
                if back < len(hd):
                    hd = hd[back:]
                    emit(out, "D %d %d %d %d\n" % (c.id, d, ts, len(hd)))
                    out.write(hd)
                    st.next = (st.next + len(hd)) & 0xFFFFFFFF
                progressed = True
        if not progressed:
            break


def flush(out, c, ts):
    """End of a connection: what is still held is delivered after gaps."""
    for d in (0, 1):
        st = c.dirs[d]
        while st.held:
            first = min(st.held, key=lambda s: (s - st.next) & 0xFFFFFFFF)
            gap = (first - st.next) & 0xFFFFFFFF
            emit(out, "G %d %d %d %d\n" % (c.id, d, ts, gap))
            st.next = first
            deliver(out, c, d, first, st.held.pop(first), ts)
    emit(out, "E %d %d\n" % (c.id, ts))


def cmd_streams(path):
    out = sys.stdout.buffer
    conns = {}
    order = []
    last_ts = 0
    for ts, lt, f in packets(path):
        last_ts = max(last_ts, ts)
        t = tcp_of(lt, f)
        if not t:
            continue
        src, dst, sport, dport, seq, flags, payload = t
        a, b = (src, sport), (dst, dport)
        key = (min(a, b), max(a, b))
        c = conns.get(key)
        syn, ack, fin, rst = flags & 2, flags & 16, flags & 1, flags & 4
        if c is not None and c.ended and syn and not ack:
            flush(out, c, ts)  # port reuse: a new connection
            del conns[key]
            c = None
        if c is None:
            if syn and not ack:
                client, server = a, b
            elif syn and ack:
                client, server = b, a
            else:
                client, server = (a, b) if sport > dport else (b, a)
            c = Conn(len(order) + 1, client, server)
            conns[key] = c
            order.append(c)
            emit(out, "C %d %s %d %s %d\n" % (c.id, client[0], client[1], server[0], server[1]))
        d = 0 if a == c.client else 1
        st = c.dirs[d]
        if syn:
            st.next = (seq + 1) & 0xFFFFFFFF
            seq = (seq + 1) & 0xFFFFFFFF
        if payload:
            deliver(out, c, d, seq, payload, ts)
        if fin or rst:
            c.ended = True
    for c in conns.values():
        flush(out, c, last_ts)
    out.flush()


# ------------------------------------------------------------------ compare

FIELDS = ("method", "host", "uri", "user_agent", "status", "res_content_type")


def ours(path):
    """{(client, cport, server, sport): [exchange dict, ...]} in record order."""
    by = {}
    for ln in open(path, encoding="utf-8", errors="replace"):
        ln = ln.rstrip("\n")
        if not ln:
            continue
        tup, js = ln.split("\t", 1)
        ci, cp, si, sp = tup.split()
        r = json.loads(js)
        ex = {
            "method": r.get("method", ""),
            "host": r.get("host", ""),
            "uri": r.get("url", ""),
            "user_agent": r.get("user_agent", ""),
            "status": str(r.get("status_code", 0) or ""),
            "res_content_type": r.get("res_content_type", ""),
        }
        by.setdefault((ci, int(cp), si, int(sp)), []).append(ex)
    return by


def zeek_oracle(case):
    p = os.path.join(case, "oracle", "zeek", "http.log")
    if not os.path.exists(p):
        return None
    fields = None
    rows = {}
    for ln in open(p, encoding="utf-8", errors="replace"):
        ln = ln.rstrip("\n")
        if ln.startswith("#fields"):
            fields = ln.split("\t")[1:]
            continue
        if ln.startswith("#") or not fields:
            continue
        v = dict(zip(fields, ln.split("\t")))

        def z(k):
            x = v.get(k, "-")
            return "" if x in ("-", "(empty)") else x
        key = (z("id.orig_h"), int(z("id.orig_p")), z("id.resp_h"), int(z("id.resp_p")))
        rows[(key, int(z("trans_depth") or 0))] = {
            "method": z("method"), "host": z("host"), "uri": z("uri"),
            "user_agent": z("user_agent"), "status": z("status_code"),
        }
    return rows


def tshark_oracle(case, conns):
    p = os.path.join(case, "oracle", "tshark", "http.tsv")
    fp = os.path.join(case, "oracle", "tshark", "frames.tsv")
    if not os.path.exists(p) or not os.path.exists(fp):
        return None
    frames = {}
    hdr = None
    for ln in open(fp, encoding="utf-8", errors="replace"):
        cols = ln.rstrip("\n").split("\t")
        if hdr is None:
            hdr = cols
            continue
        v = dict(zip(hdr, cols))
        src = v.get("ip.src") or v.get("ipv6.src") or ""
        dst = v.get("ip.dst") or v.get("ipv6.dst") or ""
        # the innermost addresses when tunnelled: tshark joins them with ","
        src, dst = src.split(",")[-1], dst.split(",")[-1]
        try:
            frames[int(v["frame.number"])] = (src, int(v.get("tcp.srcport") or 0),
                                              dst, int(v.get("tcp.dstport") or 0))
        except ValueError:
            continue
    # the orientation (client first) comes from our connections
    orient = {}
    for (ci, cp, si, sp) in conns:
        orient[(ci, cp, si, sp)] = (ci, cp, si, sp)
        orient[(si, sp, ci, cp)] = (ci, cp, si, sp)
    reqs, resps = {}, {}
    hdr = None
    for ln in open(p, encoding="utf-8", errors="replace"):
        cols = ln.rstrip("\n").split("\t")
        if hdr is None:
            hdr = cols
            continue
        v = dict(zip(hdr, cols))
        fr = frames.get(int(v["frame.number"]))
        if not fr:
            continue
        key = orient.get(fr)
        if key is None:
            key = fr if v.get("http.request.method") else (fr[2], fr[3], fr[0], fr[1])
        if v.get("http.request.method"):
            reqs.setdefault(key, []).append(v)
        code = v.get("http.response.code", "")
        # interim responses (100 Continue) answer nothing: tshark lists them
        if code and not (code.startswith("1") and code != "101"):
            resps.setdefault(key, []).append(v)
    rows = {}
    for key in set(reqs) | set(resps):
        rq, rs = reqs.get(key, []), resps.get(key, [])
        for i in range(max(len(rq), len(rs))):
            ex = {}
            if i < len(rq):
                ex.update(method=rq[i].get("http.request.method", ""),
                          host=rq[i].get("http.host", ""),
                          uri=rq[i].get("http.request.uri", ""),
                          user_agent=rq[i].get("http.user_agent", ""))
            if i < len(rs):
                ex["status"] = rs[i].get("http.response.code", "")
                ex["res_content_type"] = rs[i].get("http.content_type", "")
            rows[(key, i + 1)] = ex
    return rows


def compare(name, oracle, mine, fields=FIELDS):
    counts = {f: [0, 0] for f in fields}
    misses = []
    for (key, depth), ex in sorted(oracle.items()):
        got = mine.get(key, [])
        g = got[depth - 1] if 0 < depth <= len(got) else None
        for f in fields:
            if f not in ex:
                continue
            counts[f][1] += 1
            if g is not None and g[f] == ex[f]:
                counts[f][0] += 1
            elif len(misses) < 10:
                misses.append("  %s %s#%d %s: oracle %r, ours %r" % (
                    name, key, depth, f, ex[f], g[f] if g else None))
    return counts, misses


def cmd_compare(case, records):
    mine = ours(records)
    ok = True
    total = 0
    cname = os.path.basename(os.path.normpath(case))
    n_ours = sum(len(v) for v in mine.values())
    for name, oracle in (("zeek", zeek_oracle(case)), ("tshark", tshark_oracle(case, mine))):
        if oracle is None:
            continue
        counts, misses = compare(name, oracle, mine)
        parts = []
        for f in FIELDS:
            m, c = counts[f]
            total += c
            if c or f != "res_content_type":
                parts.append("%s %d/%d" % (f, m, c))
            if c and m < MIN_RATIO * c:
                ok = False
        print("%s %s (%d exchanges, ours %d): %s" % (cname, name, len(oracle), n_ours,
                                                     ", ".join(parts)))
        for m in misses:
            print(m)
    if total == 0:
        print("%s: nothing compared" % cname)
        ok = False
    return 0 if ok else 1


def main(argv):
    if len(argv) == 3 and argv[1] == "streams":
        cmd_streams(argv[2])
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return cmd_compare(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
