#!/usr/bin/env python3
"""Writes nortel.pcap: Nortel Discovery Protocol (SONMP) hellos, which no
capture of the test corpus holds. The format (no public specification) is
the one lldpd sends (src/daemon/protocols/sonmp.c): 802.3 frame, LLC
0xaa/0xaa UI, SNAP OUI 00-00-81, then IP address (4), segment id (3),
chassis type, backplane type, state, number of links (1 each).

Hand-made, deterministic, no dependencies:  python3 make-nortel.py [OUT]
  1. hello (PID 0x01a2) to 01:00:81:00:01:00 from 192.0.2.10, segment
     00-00-05 (port 5), chassis 1 (other), backplane 12 (Ethernet, Fast
     Ethernet and Gigabit), state 3 (new), 1 link; padded to 60 bytes
  2. the same PDU as "flatnet" (PID 0x01a1) to 01:00:81:00:01:01, segment
     00-02-18 (slot 2 port 24), state 2 (unchanged), 2 links
  3. a hello whose 802.3 length ends 4 bytes into the PDU (truncated)
  4. an unknown Nortel protocol id 0x01a3 (counted, not decoded)
Classic pcap, microseconds, Ethernet, snaplen 65535.
"""
import struct
import sys

SRC = bytes.fromhex("0000815a0b0c")


def sonmp(pid, dst, ip, seg, chassis, backplane, state, links, cut=0):
    body = bytes(ip) + bytes(seg) + bytes([chassis, backplane, state, links])
    llc = b"\xaa\xaa\x03" + b"\x00\x00\x81" + struct.pack("!H", pid)
    pdu = llc + body
    length = len(pdu) - cut
    frame = bytes.fromhex(dst) + SRC + struct.pack("!H", length) + pdu[:length]
    return frame + bytes(max(0, 60 - len(frame)))


packets = [
    sonmp(0x01A2, "010081000100", [192, 0, 2, 10], [0, 0, 5], 1, 12, 3, 1),
    sonmp(0x01A1, "010081000101", [192, 0, 2, 10], [0, 2, 24], 1, 12, 2, 2),
    sonmp(0x01A2, "010081000100", [192, 0, 2, 11], [0, 0, 6], 1, 12, 3, 1, cut=4),
    sonmp(0x01A3, "010081000100", [192, 0, 2, 12], [0, 0, 7], 1, 12, 3, 1),
]
out = sys.argv[1] if len(sys.argv) > 1 else "nortel.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1700000000 + i, 250000 * (i % 4), len(p), len(p)))
        f.write(p)
