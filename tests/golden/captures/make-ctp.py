#!/usr/bin/env python3
"""Writes ctp.pcap: Ethernet Configuration Testing Protocol (loopback,
EtherType 0x9000) frames, which no capture of the test corpus holds.
Format from "The Ethernet, Version 2.0" (DEC/Intel/Xerox 1982) section 8;
all fields little-endian: skipCount (2), then messages: Forward Data =
function 2 (2) + forward address (6); Reply = function 1 (2) + receipt
number (2) + data.

Hand-made, deterministic, no dependencies:  python3 make-ctp.py [OUT]
  1. a station tests itself: skipCount 0, Reply receipt 1, data "netcap-ctp"
     (padded to 60 bytes: the padding is Reply data too)
  2. a test through 02:00:00:00:00:0a: skipCount 0, Forward Data to it,
     Reply receipt 2, 46 bytes of data
  3. the same frame after 02:00:00:00:00:0a forwarded it: skipCount 8
  4. two hops (0a, then 0b), forwarded once: skipCount 8
  5. skipCount 3 (not a multiple of 8: tcpdump says "bogus")
  6. skipCount 200, beyond the frame
  7. an unknown function (7) where a message should be
  8. a Forward Data message cut short (frame ends inside the address)
Classic pcap, microseconds, Ethernet, snaplen 65535.
"""
import struct
import sys

SRC = bytes.fromhex("02000000000a")
LOOP = bytes.fromhex("cf0000000000")  # loopback assistance multicast


def fwd(mac):
    return struct.pack("<H", 2) + bytes.fromhex(mac.replace(":", ""))


def reply(receipt, data):
    return struct.pack("<HH", 1, receipt) + data


def ctp(dst, skip, msgs, pad=True):
    frame = dst + SRC + b"\x90\x00" + struct.pack("<H", skip) + msgs
    if pad:
        frame += bytes(max(0, 60 - len(frame)))
    return frame


data46 = bytes(range(46))
packets = [
    ctp(SRC, 0, reply(1, b"netcap-ctp")),
    ctp(bytes.fromhex("02000000000b"), 0, fwd("02:00:00:00:00:0a") + reply(2, data46)),
    ctp(SRC, 8, fwd("02:00:00:00:00:0a") + reply(2, data46)),
    ctp(LOOP, 8, fwd("02:00:00:00:00:0a") + fwd("02:00:00:00:00:0b") + reply(3, data46)),
    ctp(SRC, 3, reply(4, data46)),
    ctp(SRC, 200, reply(5, data46)),
    ctp(SRC, 0, struct.pack("<H", 7) + data46),
    ctp(SRC, 0, fwd("02:00:00:00:00:0a")[:5], pad=False),
]
out = sys.argv[1] if len(sys.argv) > 1 else "ctp.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1700000100 + i, 250000 * (i % 4), len(p), len(p)))
        f.write(p)
