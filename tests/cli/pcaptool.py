#!/usr/bin/env python3
"""Small pcap/pcapng helpers for the shell suites (no dependencies).

  pcaptool.py count FILE              complete packets in a classic pcap (even if
                                      the file ends inside a packet)
  pcaptool.py end FILE                byte offset where the complete packets end (where
                                      a truncated last packet starts)
  pcaptool.py udp OUT N [HOLD]        a classic pcap of N (a multiple of 1000) DNS
                                      queries in UDP, OUT "-" for stdout; with HOLD,
                                      keep OUT open HOLD seconds after the last one (a
                                      pipe that stalls, for signal tests)
  pcaptool.py corrupt IN OUT N        copy IN (classic pcap) with packet N (1-based)
                                      claiming caplen 0x7fffffff
  pcaptool.py topcapng IN OUT [big]   rewrite a classic pcap as pcapng (SHB, one IDB
                                      with if_tsresol for ns captures, EPBs), same
                                      packets and timestamps; "big": big-endian section
  pcaptool.py tobig IN OUT            rewrite a classic pcap in big-endian byte order
  pcaptool.py corruptng IN OUT N      like topcapng, but block N (1-based EPB) claims
                                      a total length of 0x7ffffff0
  pcaptool.py snap IN OUT LEN         copy IN (classic pcap) with every packet cut to
                                      LEN captured bytes (like editcap -s LEN)
  pcaptool.py mutate IN OUT SEED [OUT SEED...]
                                      copy IN (classic pcap) with about 1 byte in 16 of
                                      each packet's data replaced by a pseudo-random
                                      value (deterministic for a SEED); record headers
                                      stay intact, so every packet reaches the decoders
"""
import struct
import sys
import time


def read_pcap(path):
    d = open(path, "rb").read()
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap" % path)
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    hdr = d[:24]
    linktype = struct.unpack(e + "I", d[20:24])[0] & 0x0FFFFFFF
    pkts = []
    off = 24
    while off + 16 <= len(d):
        ts, frac, cl, ol = struct.unpack_from(e + "IIII", d, off)
        if off + 16 + cl > len(d):
            break
        pkts.append((off, ts, frac, cl, ol, d[off + 16:off + 16 + cl]))
        off += 16 + cl
    return d, e, hdr, linktype, nsec, pkts


def block(btype, body, e="<"):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def to_pcapng(src, out, bad=0, e="<"):
    _, _, _, linktype, nsec, pkts = read_pcap(src)
    # the byte-order magic is written in the section's order: readers tell by it
    res = block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)
    # a comment option first, so option walking is exercised in both orders
    opts = struct.pack(e + "HH", 1, 4) + b"test"
    if nsec:  # if_tsresol = 9 (nanoseconds)
        opts += struct.pack(e + "HHB3x", 9, 1, 9)
    opts += struct.pack(e + "HH", 0, 0)
    res += block(1, struct.pack(e + "HHI", linktype, 0, 65535) + opts, e)
    for i, (_, ts, frac, cl, ol, data) in enumerate(pkts, 1):
        t = ts * (10**9 if nsec else 10**6) + frac
        b = block(6, struct.pack(e + "IIIII", 0, t >> 32, t & 0xFFFFFFFF, cl, ol) + data, e)
        if i == bad:
            b = b[:4] + struct.pack(e + "I", 0x7FFFFFF0) + b[8:]
        res += b
    open(out, "wb").write(res)


def to_big(src, out):
    d, e, hdr, linktype, nsec, pkts = read_pcap(src)
    magic, vmaj, vmin, zone, sigfigs, snap, lt = struct.unpack(e + "IHHiIII", hdr)
    res = bytearray(struct.pack(">IHHiIII", magic, vmaj, vmin, zone, sigfigs, snap, lt))
    for _, ts, frac, cl, ol, data in pkts:
        res += struct.pack(">IIII", ts, frac, cl, ol) + data
    open(out, "wb").write(res)


def udp_pcap(path, n, hold):
    out = sys.stdout.buffer if path == "-" else open(path, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x07example\x04test\x00\x00\x01\x00\x01"
    udp = struct.pack("!HHHH", 40000, 53, 8 + len(q), 0) + q
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip
    # 1000 packets a microsecond apart, written n / 1000 times (fast enough
    # for millions of packets; the timestamps repeat, which netcap allows)
    chunk = b"".join(struct.pack("<IIII", 1700000000, i, len(eth), len(eth)) + eth
                     for i in range(1000))
    for _ in range(n // 1000):
        out.write(chunk)
    out.flush()
    if hold:
        time.sleep(hold)


def main(a):
    if len(a) < 2:
        raise SystemExit(__doc__)
    cmd = a[0]
    if cmd == "count":
        print(len(read_pcap(a[1])[5]))
    elif cmd == "end":
        pkts = read_pcap(a[1])[5]
        print(pkts[-1][0] + 16 + pkts[-1][3] if pkts else 24)
    elif cmd == "udp":
        udp_pcap(a[1], int(a[2]), float(a[3]) if a[3:] else 0)
    elif cmd == "corrupt":
        d, e, _, _, _, pkts = read_pcap(a[1])
        n = int(a[3])
        off = pkts[n - 1][0]
        d = bytearray(d)
        struct.pack_into(e + "I", d, off + 8, 0x7FFFFFFF)
        open(a[2], "wb").write(d)
    elif cmd == "topcapng":
        to_pcapng(a[1], a[2], 0, ">" if a[3:4] == ["big"] else "<")
    elif cmd == "tobig":
        to_big(a[1], a[2])
    elif cmd == "corruptng":
        to_pcapng(a[1], a[2], int(a[3]))
    elif cmd == "snap":
        d, e, hdr, _, _, pkts = read_pcap(a[1])
        snap = int(a[3])
        res = bytearray(hdr)
        for _, ts, frac, cl, ol, data in pkts:
            data = data[:snap]
            res += struct.pack(e + "IIII", ts, frac, len(data), ol) + data
        open(a[2], "wb").write(res)
    elif cmd == "mutate":
        d, e, hdr, _, _, pkts = read_pcap(a[1])
        for out, seed in zip(a[2::2], a[3::2]):
            x = int(seed) * 2654435761 + 1
            res = bytearray(hdr)
            for _, ts, frac, cl, ol, data in pkts:
                data = bytearray(data)
                for j in range(len(data)):
                    x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
                    if (x >> 60) == 0:
                        data[j] = (x >> 33) & 0xFF
                res += struct.pack(e + "IIII", ts, frac, cl, ol) + data
            open(out, "wb").write(res)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
