#!/usr/bin/env python3
"""Writes teredo.pcap: Teredo (RFC 4380, IPv6 in UDP port 3544), which no
capture of the test corpus holds.

Hand-made, deterministic, no dependencies:  python3 make-teredo.py [OUT]
  1. client 192.0.2.10:40000 -> server 198.51.100.1:3544: a bubble (IPv6
     header, next header 59, no payload) after an authentication header
     (client id "cl", authentication value 4 bytes, nonce, confirmation 0)
  2. server -> client: origin indication (port 40000, 192.0.2.10, both
     XORed with ones as sent) then a bubble
  3. client -> peer 203.0.113.7:51000, from port 40000: ICMPv6 echo request
  4. peer -> client: origin indication, then the ICMPv6 echo reply
  5. UDP to port 3544 whose payload is not IPv6 (declined: no Teredo record)
IPv4 and ICMPv6 checksums are correct, UDP checksums 0 (allowed over IPv4);
classic pcap, microseconds, Ethernet, snaplen 65535.
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


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(addr):
    head, _, tail = addr.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    words = h + [0] * (8 - len(h) - len(t)) + t
    return struct.pack("!8H", *words)


CLIENT6 = "2001:0:c633:6401:8000:63bf:3fff:fdf5"   # Teredo address of the client
PEER6 = "2001:db8::7"


def v6(src, dst, nxt, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nxt, 64) + ip6(src) + ip6(dst) + payload


def echo(src, dst, typ, ident, seq, data):
    body = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + data
    pseudo = ip6(src) + ip6(dst) + struct.pack("!I3xB", len(body), 58)
    c = csum(pseudo + body)
    return v6(src, dst, 58, body[:2] + struct.pack("!H", c) + body[4:])


def udp4(src, sport, dst, dport, payload, ident):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0, 64, 17, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x00\x00\x5e\x00\x53\x02" + b"\x00\x00\x5e\x00\x53\x01" + b"\x08\x00" + hdr + udp


def origin(port, addr):
    return b"\x00\x00" + struct.pack("!H", port ^ 0xFFFF) + bytes(b ^ 0xFF for b in ip4(addr))


auth = b"\x00\x01" + bytes([2, 4]) + b"cl" + b"\xde\xad\xbe\xef" + bytes(range(1, 9)) + b"\x00"
bubble_c = v6(CLIENT6, "fe80::8000:ffff:ffff:fffd", 59, b"")
bubble_s = v6("fe80::8000:ffff:ffff:fffe", CLIENT6, 59, b"")
packets = [
    udp4("192.0.2.10", 40000, "198.51.100.1", 3544, auth + bubble_c, 1),
    udp4("198.51.100.1", 3544, "192.0.2.10", 40000, origin(40000, "192.0.2.10") + bubble_s, 2),
    udp4("192.0.2.10", 40000, "203.0.113.7", 51000, b"", 3),  # placeholder, replaced below
    udp4("203.0.113.7", 51000, "192.0.2.10", 40000, b"", 4),
    udp4("192.0.2.10", 40001, "198.51.100.1", 3544, b"\x45not an IPv6 packet at all, but padded to forty bytes!!", 5),
]
# the echo pair goes between ports 40000 and 3544 of the peer's relay
packets[2] = udp4("192.0.2.10", 40000, "203.0.113.7", 3544,
                  echo(CLIENT6, PEER6, 128, 0x1234, 1, b"teredo-echo"), 3)
packets[3] = udp4("203.0.113.7", 3544, "192.0.2.10", 40000,
                  origin(3544, "203.0.113.7") + echo(PEER6, CLIENT6, 129, 0x1234, 1, b"teredo-echo"), 4)

out = sys.argv[1] if len(sys.argv) > 1 else "teredo.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1700000000 + i, 1000 * i, len(p), len(p)))
        f.write(p)
