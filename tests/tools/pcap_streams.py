#!/usr/bin/env python3
"""Follow the TCP connections of a pcap/pcapng file (stdlib only).

Prints one line per connection (index, client, server, bytes each way) and,
with -d DIR, writes each direction's reassembled payload to
DIR/<index>.c2s / DIR/<index>.s2c. Segments are put in sequence order;
retransmitted or overlapping bytes are kept once (first copy wins); holes
are left out (and reported). The client is the side that sent the SYN
(else the first packet's sender).

Link types: Ethernet (1), raw IP (101, 228, 229), Linux SLL (113), SLL2
(276), BSD loopback (0, 108). VLAN/QinQ tags and VXLAN (UDP 4789) are
unwrapped.

  pcap_streams.py capture.pcap                 # list connections
  pcap_streams.py -d out capture.pcap          # dump payloads
  pcap_streams.py -d out -e capture.pcap       # and <i>.events (arrival order)
  pcap_streams.py -c 0 -x capture.pcap         # hex of connection 0, first records
  pcap_streams.py -c 0 -H name capture.pcap    # its hello records as C arrays
"""
import argparse
import os
import struct
import sys


def read_packets(path):
    """Yields (linktype, ts_float, frame bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        le = magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        e = "<" if le else ">"
        linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(data):
            sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
            off += 16
            yield linktype, sec + frac / (1e9 if nano else 1e6), data[off:off + incl]
            off += incl
        return
    if magic == b"\x0a\x0d\x0d\x0a":
        off = 0
        e = "<"
        ifaces = []
        while off + 12 <= len(data):
            btype = struct.unpack(e + "I", data[off:off + 4])[0]
            if btype == 0x0A0D0D0A:
                bom = data[off + 8:off + 12]
                e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
                ifaces = []
            blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
            if blen < 12 or off + blen > len(data):
                break
            body = data[off + 8:off + blen - 4]
            if btype == 1:
                ifaces.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6:
                iface, hi, lo, cap, _orig = struct.unpack(e + "IIIII", body[:20])
                lt = ifaces[iface] if iface < len(ifaces) else 1
                yield lt, ((hi << 32) | lo) / 1e6, body[20:20 + cap]
            elif btype == 3:
                orig = struct.unpack(e + "I", body[:4])[0]
                yield (ifaces[0] if ifaces else 1), 0.0, body[4:4 + orig]
            off += blen
        return
    raise SystemExit("%s: not a pcap or pcapng file" % path)


def l3(linktype, frame):
    """Returns (ethertype, payload) or None."""
    if linktype == 1:
        if len(frame) < 14:
            return None
        et = struct.unpack(">H", frame[12:14])[0]
        p = frame[14:]
    elif linktype in (101, 228, 229, 12, 14):
        if not frame:
            return None
        v = frame[0] >> 4
        return (0x0800 if v == 4 else 0x86DD), frame
    elif linktype == 113:
        if len(frame) < 16:
            return None
        et = struct.unpack(">H", frame[14:16])[0]
        p = frame[16:]
    elif linktype == 276:
        if len(frame) < 20:
            return None
        et = struct.unpack(">H", frame[0:2])[0]
        p = frame[20:]
    elif linktype in (0, 108):
        if len(frame) < 4:
            return None
        fam = struct.unpack("<I", frame[:4])[0]
        if fam > 0xFFFF:
            fam = struct.unpack(">I", frame[:4])[0]
        et = 0x0800 if fam == 2 else 0x86DD
        p = frame[4:]
    else:
        return None
    while et in (0x8100, 0x88A8, 0x9100) and len(p) >= 4:
        et = struct.unpack(">H", p[2:4])[0]
        p = p[4:]
    return et, p


def ip_tcp(et, p, depth=0):
    """Returns (src, dst, tcp bytes) or None; unwraps VXLAN."""
    if et == 0x0800 and len(p) >= 20 and p[0] >> 4 == 4:
        ihl = (p[0] & 15) * 4
        total = struct.unpack(">H", p[2:4])[0]
        proto = p[9]
        frag = struct.unpack(">H", p[6:8])[0] & 0x3FFF
        src, dst = p[12:16], p[16:20]
        body = p[ihl:total] if total >= ihl else p[ihl:]
        if frag:
            return None
    elif et == 0x86DD and len(p) >= 40:
        plen = struct.unpack(">H", p[4:6])[0]
        proto = p[6]
        src, dst = p[8:24], p[24:40]
        body = p[40:40 + plen]
        # skip a few extension headers
        while proto in (0, 43, 60) and len(body) >= 8:
            proto, body = body[0], body[(body[1] + 1) * 8:]
    else:
        return None
    if proto == 17 and len(body) >= 8 and depth < 3:
        dport = struct.unpack(">H", body[2:4])[0]
        if dport == 4789 and len(body) >= 16 + 14:
            r = l3(1, body[16:])
            if r:
                return ip_tcp(r[0], r[1], depth + 1)
        return None
    if proto != 6 or len(body) < 20:
        return None
    return src, dst, body


def addr(a):
    if len(a) == 4:
        return ".".join(str(b) for b in a)
    return ":".join("%x" % struct.unpack(">H", a[i:i + 2])[0] for i in range(0, 16, 2))


class Dir:
    def __init__(self):
        self.isn = None
        self.segs = {}  # relative seq -> bytes (first copy wins)
        self.first_ts = {}
        self.next = 0  # relative seq of the next in-order byte (for events)

    def deliver(self):
        """Bytes that became contiguous since the last call."""
        out = bytearray()
        while True:
            best = None
            for rel, b in self.segs.items():
                if rel <= self.next < rel + len(b):
                    best = b[self.next - rel:]
                    break
            if not best:
                return bytes(out)
            out += best
            self.next += len(best)

    def add(self, seq, flags, payload, ts):
        if flags & 0x02:  # SYN
            self.isn = (seq + 1) & 0xFFFFFFFF
            return
        if not payload:
            return
        if self.isn is None:
            self.isn = seq
        rel = (seq - self.isn) & 0xFFFFFFFF
        if rel > 0x7FFFFFFF:  # before the ISN (retransmission of old data)
            return
        if rel not in self.segs or len(self.segs[rel]) < len(payload):
            self.segs[rel] = payload
            self.first_ts.setdefault(rel, ts)

    def stream(self):
        out = bytearray()
        holes = 0
        for rel in sorted(self.segs):
            b = self.segs[rel]
            if rel > len(out):
                holes += rel - len(out)
                out += b"\0" * 0  # holes are left out
                rel = len(out)
                out += b
                continue
            if rel + len(b) > len(out):
                out += b[len(out) - rel:]
        return bytes(out), holes


def connections(path, events=None):
    """[(key, [Dir, Dir])] in order of first packet; with events (a list),
    appends (conn index, dir, ts, bytes) as bytes become in-order."""
    conns = {}
    order = []
    for lt, ts, frame in read_packets(path):
        r = l3(lt, frame)
        if not r:
            continue
        t = ip_tcp(r[0], r[1])
        if not t:
            continue
        src, dst, tcp = t
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        payload = tcp[doff:]
        a, b = (src, sport), (dst, dport)
        key = (a, b) if (a, b) in conns else (b, a) if (b, a) in conns else None
        if key is None:
            # client: SYN sender, else the first packet's sender
            if flags & 0x12 == 0x12:
                key = (b, a)
            else:
                key = (a, b)
            conns[key] = [Dir(), Dir()]
            order.append(key)
        d = 0 if (a, b) == key else 1
        conns[key][d].add(seq, flags, payload, ts)
        if events is not None:
            data = conns[key][d].deliver()
            if data:
                events.append((order.index(key), d, ts, data))
    return [(k, conns[k]) for k in order]


def hello_records(s):
    """The records of s that carry its first handshake message (a hello),
    the last one cut after the message (its length field adjusted), so a
    test can embed just the hello. An SSL 2.0 hello is its first record."""
    if s[:1] and s[0] & 0x80 and len(s) >= 2:
        return s[:2 + ((s[0] & 0x7F) << 8 | s[1])]
    out = bytearray()
    need = None
    have = 0
    off = 0
    while off + 5 <= len(s) and s[off] == 22:
        ln = struct.unpack(">H", s[off + 3:off + 5])[0]
        frag = s[off + 5:off + 5 + ln]
        if need is None and len(frag) >= 4:
            need = 4 + (frag[1] << 16 | frag[2] << 8 | frag[3])
        take = frag[:need - have] if need is not None else frag
        out += s[off:off + 3] + struct.pack(">H", len(take)) + take
        have += len(take)
        if need is not None and have >= need:
            break
        off += 5 + ln
    return bytes(out)


def c_array(name, b, comment):
    lines = ["/* %s (%d bytes) */" % (comment, len(b)), "static const uint8_t %s[] = {" % name]
    for i in range(0, len(b), 16):
        lines.append("    " + " ".join("0x%02x," % x for x in b[i:i + 16]))
    lines.append("};")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pcap")
    ap.add_argument("-d", "--dir", help="write <i>.c2s and <i>.s2c here")
    ap.add_argument("-c", "--conn", type=int, help="only this connection index")
    ap.add_argument("-x", "--hex", action="store_true", help="print the TLS records' first bytes")
    ap.add_argument("-H", "--hellos", metavar="NAME",
                    help="print the ClientHello and ServerHello records of -c CONN as C "
                    "arrays NAME_ch and NAME_sh")
    ap.add_argument("-e", "--events", action="store_true",
                    help="with -d: also write <i>.events, the bytes in capture order as "
                    "records | dir (1) | length (4, big endian) | bytes |")
    args = ap.parse_args()
    events = [] if args.events else None
    conns = connections(args.pcap, events)
    if args.dir and events is not None:
        os.makedirs(args.dir, exist_ok=True)
        files = {}
        for i, d, _ts, data in events:
            if args.conn is not None and i != args.conn:
                continue
            if i not in files:
                files[i] = open(os.path.join(args.dir, "%d.events" % i), "wb")
            files[i].write(struct.pack(">BI", d, len(data)) + data)
        for f in files.values():
            f.close()
    for i, (key, dirs) in enumerate(conns):
        if args.conn is not None and i != args.conn:
            continue
        c2s, h0 = dirs[0].stream()
        s2c, h1 = dirs[1].stream()
        (ca, cp), (sa, sp) = key
        print("%d\t%s:%d\t%s:%d\tc2s=%d\ts2c=%d\tholes=%d/%d" % (i, addr(ca), cp, addr(sa), sp,
                                                                len(c2s), len(s2c), h0, h1))
        if args.dir:
            os.makedirs(args.dir, exist_ok=True)
            with open(os.path.join(args.dir, "%d.c2s" % i), "wb") as f:
                f.write(c2s)
            with open(os.path.join(args.dir, "%d.s2c" % i), "wb") as f:
                f.write(s2c)
        if args.hellos:
            src = "%s conn %d" % (os.path.basename(args.pcap), i)
            print(c_array(args.hellos + "_ch", hello_records(c2s), src + " client hello records"))
            print(c_array(args.hellos + "_sh", hello_records(s2c), src + " server hello records"))
        if args.hex:
            for name, s in (("c2s", c2s), ("s2c", s2c)):
                off = 0
                while off + 5 <= len(s) and off < 1 << 16:
                    ln = struct.unpack(">H", s[off + 3:off + 5])[0]
                    print("  %s @%d type=%d ver=%02x%02x len=%d %s" % (
                        name, off, s[off], s[off + 1], s[off + 2], ln, s[off + 5:off + 5 + 8].hex()))
                    off += 5 + ln
    return 0


if __name__ == "__main__":
    sys.exit(main())
