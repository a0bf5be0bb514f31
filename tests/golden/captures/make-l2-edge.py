#!/usr/bin/env python3
"""Writes l2-edge.pcap: IEEE 802.2 LLC/SNAP variants and LLDP and CDP
packets with the TLVs and malformations that tcpdump-lldp-cdp (two Cisco
switches) lacks.

Hand-made, deterministic, no dependencies:  python3 make-l2-edge.py [OUT]
 LLC and SNAP (802.3 length frames)
  1  STP configuration BPDU (SAP 0x42, UI): LLC record, SAP not decoded
  2  XID command (SAPs 0x00/0x01, control 0xaf): LLC's own PDU, nothing follows
  3  NetBIOS I-format PDU (SAP 0xf0, two control bytes): SAP not decoded
  4  S-format RR (SAP 0xf0, control 0x0101): no information field
  5  Novell raw 802.3 IPX (0xffff after the length): not LLC (declined)
  6  SNAP OUI 00-00-00 type 0x0806: an ARP request
  7  SNAP OUI 00-00-f8 (802.1H) type 0x0800: IPv4/UDP 192.0.2.1:5000 -> 192.0.2.2:6000
  8  SNAP unknown OUI 00-a0-c6 type 0x0001: SNAP record only
  9  SNAP Cisco VTP (0x2003): counted as a Cisco protocol not decoded
  10 LLC cut after DSAP and SSAP (802.3 length 2)
 LLDP (01:80:c2:00:00:0e, EtherType 0x88cc)
  11 every decoded TLV: chassis id network address (IPv4 192.0.2.1), port
     id MAC, TTL 120, port description, system name and description,
     capabilities (bridge, router, phone; enabled router), management
     addresses (IPv4 with ifIndex 3 and OID 1.3.6.1.4.1.9.1.516, IPv6
     2001:db8::1), 802.1 PVID 10 and VLAN name 10 "voice", 802.3 MAC/PHY
     and maximum frame size 1522, LLDP-MED inventory (7 strings), a TLV of
     reserved type 9, End
  12 malformed: port id before chassis id, system capabilities of 2 bytes,
     an organisation TLV of 3 bytes, a management address whose address
     string length is 0, no End TLV
  13 chassis id subtype 7 (local) with bytes that are not UTF-8, then a
     TLV whose length runs past the frame
 CDP (01:00:0c:cc:cc:cc, SNAP 00-00-0c 0x2000)
  14 every decoded TLV: device id, addresses (IPv4 and IPv6), port id,
     capabilities (router, switch, phone), software version, platform, IP
     prefixes (10.0.0.0/8, 192.168.1.0/24), cluster hello, VTP domain,
     native VLAN 1, duplex half, voice VLAN reply (1, 100) and query, power
     6300 mW, MTU 1500, trust 1, untrusted CoS 5, system name, system OID
     (BER), management address, location, power requested and available,
     EnergyWise (role, domain, name, reply-to), spare pair PoE 0x0d, and an
     undecoded TLV (0x18)
  15 a native VLAN TLV with 1 byte (too short), then a TLV of length 2
  16 CDP version 3 behind an 802.1Q tag (VLAN 20), padded to 64 bytes: the
     tag's 802.3 length keeps the padding out of the TLVs
Classic pcap, microseconds, Ethernet, snaplen 65535.
"""
import struct
import sys

SRC = bytes.fromhex("020000000a01")
BCAST = b"\xff" * 6


def dot3(dst, payload, pad=60):
    f = dst + SRC + struct.pack("!H", len(payload)) + payload
    return f + bytes(max(0, pad - len(f)))


def snap(oui, pid, payload):
    return b"\xaa\xaa\x03" + bytes.fromhex(oui) + struct.pack("!H", pid) + payload


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_udp(src, dst, sport, dport, data):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


# ---- LLDP
def tlv(t, v):
    return struct.pack("!H", t << 9 | len(v)) + v


def org(oui, sub, v):
    return tlv(127, bytes.fromhex(oui) + bytes([sub]) + v)


def lldp(tlvs):
    f = bytes.fromhex("0180c200000e") + SRC + b"\x88\xcc" + b"".join(tlvs)
    return f + bytes(max(0, 60 - len(f)))


OID_BER = bytes.fromhex("2b060104010901 8404".replace(" ", ""))  # 1.3.6.1.4.1.9.1.516
mgmt4 = bytes([5, 1]) + ip4("192.0.2.1") + bytes([2]) + struct.pack("!I", 3) + bytes([len(OID_BER)]) + OID_BER
v6 = bytes.fromhex("20010db8000000000000000000000001")
mgmt6 = bytes([17, 2]) + v6 + bytes([1]) + struct.pack("!I", 0) + bytes([0])
lldp_full = lldp([
    tlv(1, bytes([5, 1]) + ip4("192.0.2.1")),
    tlv(2, bytes([3]) + SRC),
    tlv(3, struct.pack("!H", 120)),
    tlv(4, b"ge-0/0/1"),
    tlv(5, b"edge-sw1"),
    tlv(6, b"netcap test switch"),
    tlv(7, struct.pack("!HH", 0x0034, 0x0010)),
    tlv(8, mgmt4),
    tlv(8, mgmt6),
    org("0080c2", 1, struct.pack("!H", 10)),
    org("0080c2", 3, struct.pack("!HB", 10, 5) + b"voice"),
    org("00120f", 1, bytes([0x03]) + struct.pack("!HH", 0x6c01, 30)),
    org("00120f", 4, struct.pack("!H", 1522)),
    org("0012bb", 5, b"hw-1.0"), org("0012bb", 6, b"fw-2.1"), org("0012bb", 7, b"sw-3.2"),
    org("0012bb", 8, b"SN12345"), org("0012bb", 9, b"ExampleCo"), org("0012bb", 10, b"Phone-9"),
    org("0012bb", 11, b"asset-42"),
    tlv(9, b"\x01\x02"),
    tlv(0, b""),
])
lldp_bad = lldp([
    tlv(2, bytes([7]) + b"p1"),
    tlv(1, bytes([4]) + SRC),
    tlv(3, struct.pack("!H", 60)),
    tlv(7, struct.pack("!H", 0x0004)),
    tlv(127, bytes.fromhex("0080c2")),
    tlv(8, bytes([0, 1, 0, 0, 0, 0, 0, 0])),
])
lldp_cut = lldp([
    tlv(1, bytes([7]) + b"\xff\xfe-local"),
    tlv(2, bytes([5]) + b"eth0"),
    tlv(3, struct.pack("!H", 0)),
    struct.pack("!H", 5 << 9 | 100) + b"short",
])


# ---- CDP
def ctlv(t, v):
    return struct.pack("!HH", t, 4 + len(v)) + v


def cdp(tlvs, version=2, dot1q=None, pad=0):
    body = bytes([version, 180]) + struct.pack("!H", 0xbeef) + b"".join(tlvs)
    llc = snap("00000c", 0x2000, body)
    dst = bytes.fromhex("01000ccccccc")
    if dot1q is None:
        f = dst + SRC + struct.pack("!H", len(llc)) + llc
    else:
        f = dst + SRC + struct.pack("!HHH", 0x8100, dot1q, len(llc)) + llc
    return f + bytes(max(0, pad - len(f)))


def addrs(entries):
    out = struct.pack("!I", len(entries))
    for kind, a in entries:
        if kind == 4:
            out += bytes([1, 1, 0xcc]) + struct.pack("!H", 4) + ip4(a)
        else:
            out += bytes([2, 8]) + bytes.fromhex("aaaa0300000086dd") + struct.pack("!H", 16) + a
    return out


hello = (bytes.fromhex("00000c") + struct.pack("!H", 0x0112) + ip4("0.0.0.0") + ip4("255.255.255.255")
         + bytes([1, 2, 0x21, 0xff]) + bytes(6) + SRC + bytes([0xff]) + struct.pack("!H", 1))
ew_fixed = (b"E" * 20 + struct.pack("!II", 1, 77) + b"WS-C3750E-24PD\0\0" + struct.pack("!H", 2)
            + b"HW1" + b"FOC1234X0AB" + bytes(8))
ew_tlvs = (struct.pack("!II", 7, 6) + b"access" + struct.pack("!II", 8, 4) + b"corp"
           + struct.pack("!II", 9, 5) + b"sw-01"
           + struct.pack("!II", 23, 14) + bytes.fromhex("0001") + struct.pack("!H", 43440)
           + ip4("192.0.2.9") + bytes.fromhex("0000") + bytes.fromhex("00000000"))
energywise = ew_fixed[:68] + struct.pack("!HH", len(ew_tlvs), 4) + ew_tlvs
cdp_full = cdp([
    ctlv(0x01, b"edge-sw1.example.org"),
    ctlv(0x02, addrs([(4, "192.0.2.1"), (6, v6)])),
    ctlv(0x03, b"GigabitEthernet1/0/1"),
    ctlv(0x04, struct.pack("!I", 0x89)),
    ctlv(0x05, b"Cisco IOS Software, Version 15.2(4)E"),
    ctlv(0x06, b"cisco WS-C3750E-24PD"),
    ctlv(0x07, ip4("10.0.0.0") + bytes([8]) + ip4("192.168.1.0") + bytes([24])),
    ctlv(0x08, hello),
    ctlv(0x09, b"CORP"),
    ctlv(0x0a, struct.pack("!H", 1)),
    ctlv(0x0b, bytes([0])),
    ctlv(0x0e, bytes([1]) + struct.pack("!H", 100)),
    ctlv(0x0f, bytes([1]) + struct.pack("!H", 0)),
    ctlv(0x10, struct.pack("!H", 6300)),
    ctlv(0x11, struct.pack("!I", 1500)),
    ctlv(0x12, bytes([1])),
    ctlv(0x13, bytes([5])),
    ctlv(0x14, b"edge-sw1"),
    ctlv(0x15, bytes([6, len(OID_BER)]) + OID_BER),
    ctlv(0x16, addrs([(4, "192.0.2.1")])),
    ctlv(0x17, bytes([0]) + b"Room 101"),
    ctlv(0x19, struct.pack("!HHII", 5, 1, 15400, 7000)),
    ctlv(0x1a, struct.pack("!HHII", 5, 1, 0, 30000)),
    ctlv(0x1d, energywise),
    ctlv(0x1f, bytes([0x0d])),
    ctlv(0x18, b"ext-port"),
])
cdp_bad = cdp([ctlv(0x01, b"bad"), ctlv(0x0a, bytes([1])), struct.pack("!HH", 0x03, 2), b"xx"])
cdp_v3 = cdp([ctlv(0x01, b"v3")], version=3, dot1q=20, pad=64)

stp = bytes.fromhex("000000000080000000000000010000000080000000000000018001000014000200" + "0f00")
packets = [
    dot3(bytes.fromhex("0180c2000000"), b"\x42\x42\x03" + stp),
    dot3(BCAST, b"\x00\x01\xaf\x81\x01\x00"),
    dot3(bytes.fromhex("030000000001"), b"\xf0\xf0\x00\x00" + b"NetBIOS data"),
    dot3(bytes.fromhex("030000000001"), b"\xf0\xf1\x01\x01"),
    dot3(BCAST, b"\xff\xff\x00\x1e\x00\x04" + bytes(24)),
    dot3(BCAST, snap("000000", 0x0806, bytes.fromhex("0001080006040001") + SRC + ip4("192.0.2.1")
                     + bytes(6) + ip4("192.0.2.2"))),
    dot3(bytes.fromhex("020000000b01"), snap("0000f8", 0x0800,
                                            ipv4_udp("192.0.2.1", "192.0.2.2", 5000, 6000, b"hi"))),
    dot3(BCAST, snap("00a0c6", 0x0001, b"vendor")),
    dot3(bytes.fromhex("01000ccccccc"), snap("00000c", 0x2003, bytes(20))),
    dot3(BCAST, b"\xaa\xaa"),
    lldp_full,
    lldp_bad,
    lldp_cut,
    cdp_full,
    cdp_bad,
    cdp_v3,
]
out = sys.argv[1] if len(sys.argv) > 1 else "l2-edge.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1700000300 + i, 250000 * (i % 4), len(p), len(p)))
        f.write(p)
