#!/usr/bin/env python3
"""Writes icmpv6-rs.pcap: ICMPv6 Router Solicitations (RFC 4861 section 4.1),
which no capture of the test corpus holds in a form netcap decodes.

Hand-made, deterministic, no dependencies:  python3 make-icmpv6-rs.py [OUT]
  1. fe80::211:22ff:fe33:4455 -> ff02::2, hop limit 255, with a Source
     Link-Layer Address option (00:11:22:33:44:55)
  2. :: -> ff02::2 (host without an address yet), no options (RFC 4861: the
     option must not be sent from the unspecified address)
  3. the same as 1 plus an unknown option (type 200, 8 bytes) after it
Checksums are correct; classic pcap, microseconds, Ethernet, snaplen 65535.
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip6(addr):
    # tiny inet_pton for the few literal forms used here
    if addr == "::":
        return bytes(16)
    head, _, tail = addr.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    words = h + [0] * (8 - len(h) - len(t)) + t
    return struct.pack("!8H", *words)


def rs(src, dst, options):
    body = struct.pack("!BBHI", 133, 0, 0, 0) + options
    pseudo = ip6(src) + ip6(dst) + struct.pack("!I3xB", len(body), 58)
    c = csum(pseudo + body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    ip = struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + ip6(src) + ip6(dst)
    dmac = b"\x33\x33\x00\x00\x00\x02"
    smac = bytes.fromhex("001122334455")
    return dmac + smac + b"\x86\xdd" + ip + body


sll = bytes([1, 1]) + bytes.fromhex("001122334455")
unknown = bytes([200, 1]) + bytes(6)
packets = [
    rs("fe80::211:22ff:fe33:4455", "ff02::2", sll),
    rs("::", "ff02::2", b""),
    rs("fe80::211:22ff:fe33:4455", "ff02::2", sll + unknown),
]
out = sys.argv[1] if len(sys.argv) > 1 else "icmpv6-rs.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1700000000 + i, 250000 * i, len(p), len(p)))
        f.write(p)
