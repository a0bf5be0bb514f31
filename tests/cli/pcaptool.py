#!/usr/bin/env python3
"""Small pcap/pcapng helpers for the shell suites (no dependencies).

  pcaptool.py count FILE              complete packets in a classic pcap (even if
                                      the file ends inside a packet)
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


def main(a):
    if len(a) < 2:
        raise SystemExit(__doc__)
    cmd = a[0]
    if cmd == "count":
        print(len(read_pcap(a[1])[5]))
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
