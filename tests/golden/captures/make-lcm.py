#!/usr/bin/env python3
"""Writes lcm.pcap: LCM (Lightweight Communications and Marshalling) datagrams
as its UDP multicast protocol sends them (lcm-proj.github.io, "UDP Multicast
Protocol"), which no capture of the test corpus holds.

Hand-made, deterministic, no dependencies:  python3 make-lcm.py [OUT]
  1. a short message ("LC02"): sequence 7, channel "EXAMPLE", 24 bytes of
     message (8-byte type fingerprint + data)
  2-4. one message of 3000 bytes in three fragments ("LC03"), sequence 8,
     channel "POSE" in fragment 0 only; 1400 + 1400 + 200 bytes of data
  5. a fragment numbered 3 of 3 (malformed: the number must be below the count)
  6. a datagram to port 7667 that is not LCM ("hello"): netcap declines it
From 192.168.7.10:40000 to the LCM default group 239.255.76.67:7667, TTL 1;
IPv4 checksums correct, UDP checksum 0 (none); classic pcap, microseconds,
Ethernet, snaplen 65535.
"""
import struct
import sys

MAGIC_SHORT = 0x4C433032
MAGIC_FRAG = 0x4C433033


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(payload, ident):
    src = bytes([192, 168, 7, 10])
    dst = bytes([239, 255, 76, 67])
    udp = struct.pack("!HHHH", 40000, 7667, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0, 1, 17, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    dmac = bytes.fromhex("01005e7f4c43")  # multicast MAC of 239.255.76.67
    smac = bytes.fromhex("020000000710")
    return dmac + smac + b"\x08\x00" + hdr + udp


def short(seq, channel, msg):
    return struct.pack("!II", MAGIC_SHORT, seq) + channel + b"\0" + msg


def fragment(seq, size, offset, num, count, channel, data):
    head = struct.pack("!IIIIHH", MAGIC_FRAG, seq, size, offset, num, count)
    return head + (channel + b"\0" if num == 0 else b"") + data


msg = bytes(range(3000 % 256)) * 12 + bytes(3000 - 12 * (3000 % 256))
packets = [
    short(7, b"EXAMPLE", bytes.fromhex("0123456789abcdef") + b"sixteen bytes..."),
    fragment(8, 3000, 0, 0, 3, b"POSE", msg[0:1400]),
    fragment(8, 3000, 1400, 1, 3, b"POSE", msg[1400:2800]),
    fragment(8, 3000, 2800, 2, 3, b"POSE", msg[2800:3000]),
    fragment(9, 100, 0, 3, 3, b"", bytes(10)),
    b"hello",
]
out = sys.argv[1] if len(sys.argv) > 1 else "lcm.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        fr = frame(p, 100 + i)
        f.write(struct.pack("<IIII", 1700000000 + i, 1000 * i, len(fr), len(fr)))
        f.write(fr)
