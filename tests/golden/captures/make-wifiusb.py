#!/usr/bin/env python3
"""Writes three captures of link types the test corpus lacks or shows only
in part, each built from its specification:

  fddi.pcap      LINKTYPE_FDDI (10), ANSI X3.139 frames: FC, destination,
                 source (as Linux stores them: canonical bit order), then
                 1. asynchronous LLC, priority 0, SNAP + IPv4/UDP
                 2. asynchronous LLC, priority 4 (FC 0x54), plain LLC (STP SAPs)
                 3. synchronous LLC (FC 0xd0)
                 4. SMT frame (FC 0x41): not handed on
                 5. a frame cut after 9 octets (truncated, counted)
  usbmon48.pcap  LINKTYPE_USB_LINUX (189), the 48-octet usbmon header:
                 1. control submission with a setup packet (GET_DESCRIPTOR)
                 2. its completion with 18 data octets
                 3. interrupt IN completion, 8 octets, endpoint 0x81
                 4. isochronous submission (error count 0, 2 descriptors)
                 5. a header cut at 40 octets (truncated)
  radiotap.pcap  LINKTYPE_IEEE802_11_RADIOTAP (127), radiotap + 802.11:
                 1. TSFT (aligned to 8 after two present words), flags with
                    FCS, rate, channel, dBm signal/noise, a second radiotap
                    namespace (per-chain signal and antenna), then a vendor
                    namespace whose 5 data octets are skipped; a QoS data
                    frame with both DS bits (4 addresses), +HTC (HT variant)
                    and an LLC/SNAP IPv4 body; correct FCS
                 2. minimal radiotap (no fields), RTS
                 3. control wrapper carrying a VHT-variant HT Control field
                 4. beacon with the order bit (HE-variant HT Control)
                 5. PS-Poll (addr1 = BSSID)
                 6. protected data frame from the DS (not handed on)
                 7. null-function data frame to the DS (no body)
                 8. QoS data, A-MSDU (not handed on)
                 9. FCS announced but wrong (fcs_valid false)
                10. FCS announced but the frame is cut by the snaplen (no FCS)
                11. radiotap whose it_len runs past the capture (truncated)

Hand-made, deterministic, no dependencies:  python3 make-wifiusb.py [DIR]
Classic pcap, microseconds, little-endian, snaplen 65535.
"""
import os
import struct
import sys
import zlib


def pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, fr in enumerate(frames):
            data, wire = fr if isinstance(fr, tuple) else (fr, len(fr))
            f.write(struct.pack("<IIII", 1700000000 + i, 1000 * i, len(data), wire))
            f.write(data)


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


# ---------------------------------------------------------------- FDDI

def ipv4_udp():
    payload = b"fddi"
    udp = struct.pack("!HHHH", 1234, 53, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    hdr = hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:]
    return hdr + udp


def fddi_frames():
    d1, s1 = mac("08:00:2b:11:22:33"), mac("08:00:2b:44:55:66")
    snap = bytes([0xAA, 0xAA, 0x03, 0, 0, 0]) + struct.pack("!H", 0x0800)
    return [
        bytes([0x50]) + d1 + s1 + snap + ipv4_udp(),
        bytes([0x54]) + mac("01:80:c2:00:00:00") + s1 + bytes([0x42, 0x42, 0x03]) + bytes(35),
        bytes([0xD0]) + d1 + s1 + bytes([0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x06]),
        bytes([0x41]) + mac("80:01:43:00:80:08") + s1 + bytes(32),
        bytes([0x50]) + d1 + s1[:2],
    ]


# ---------------------------------------------------------------- usbmon

def usbmon48(urb, ev, xfer, ep, dev, bus, setup_flag, data_flag, sec, usec, status, length, len_cap, s):
    return struct.pack("<QBBBBHBBqiiII8s", urb, ord(ev), xfer, ep, dev, bus, setup_flag, data_flag,
                       sec, usec, status, length, len_cap, s)


def usbmon_frames():
    setup = bytes([0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00])
    desc = bytes.fromhex("120100020000004067452301000101020301")
    return [
        usbmon48(0xFFFF88800A0B0C00, "S", 2, 0x80, 5, 1, 0, ord("<"), 1700000000, 1, -115, 18, 0, setup),
        usbmon48(0xFFFF88800A0B0C00, "C", 2, 0x80, 5, 1, ord("-"), 0, 1700000001, 2, 0, 18, 18, bytes(8)) + desc,
        usbmon48(0xFFFF88800A0B0D00, "C", 1, 0x81, 5, 1, ord("-"), 0, 1700000002, 3, 0, 8, 8, bytes(8))
        + bytes([0, 0, 0x04, 0, 0, 0, 0, 0]),
        usbmon48(0xFFFF88800A0B0E00, "S", 0, 0x02, 6, 2, ord("-"), 0, 1700000003, 4, -115, 64, 64,
                 struct.pack("<ii", 0, 2)) + bytes(range(64)),
        usbmon48(0xFFFF88800A0B0F00, "S", 3, 0x01, 6, 2, ord("-"), 0, 1700000004, 5, -115, 4, 4, bytes(8))[:40],
    ]


# ---------------------------------------------------------------- radiotap + 802.11

def rt(words, fields):
    """radiotap header: present words, then fields already laid out with
    their padding (offsets counted from the header start)."""
    body = b"".join(struct.pack("<I", w) for w in words) + fields
    return struct.pack("<BBH", 0, 0, 4 + len(body)) + body


def fcs(frame):
    return struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)


A = mac("02:00:00:00:00:0a")
B = mac("02:00:00:00:00:0b")
C = mac("02:00:00:00:00:0c")
D = mac("02:00:00:00:00:0d")
BSS = mac("02:00:00:00:00:bb")
SNAP_IP = bytes([0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00])


def fc(type_, subtype, flags):
    return bytes([(subtype << 4) | (type_ << 2), flags])


def radiotap_frames():
    out = []
    # 1: words: w0 = TSFT|flags|rate|channel|dBm signal|dBm noise|RT-NS|ext,
    #    w1 (radiotap again) = dBm signal|antenna|vendor-NS|ext, w2 (vendor) = bit 0
    w0 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6) | (1 << 29) | (1 << 31)
    w1 = (1 << 5) | (1 << 11) | (1 << 30) | (1 << 31)
    w2 = 1
    # header 4 + 3 words = 16: TSFT at 16 (aligned), flags 24, rate 25, channel 26,
    # signal 30, noise 31; second namespace: signal 32, antenna 33; vendor NS at 34
    # (aligned to 2): OUI, sub namespace, skip length 5; vendor data 40..44
    fields = (struct.pack("<QBBHHbb", 123456789, 0x10, 12, 5180, 0x0140, -42, -95)
              + struct.pack("<bB", -44, 1)
              + bytes([0x00, 0x11, 0x22, 0x01]) + struct.pack("<H", 5) + b"VDATA")
    hdr = rt([w0, w1, w2], fields)
    mac_hdr = (fc(2, 8, 0x03 | 0x80) + struct.pack("<H", 44) + A + B + C + struct.pack("<H", 0x1230) + D
               + struct.pack("<H", 0x0025) + struct.pack("<I", 0x40000000 | (3 << 16) | (1 << 1) | (5 << 2)))
    frame = mac_hdr + SNAP_IP + ipv4_udp()
    out.append(hdr + frame + fcs(frame))
    # 2: minimal radiotap, RTS
    out.append(rt([0], b"") + fc(1, 11, 0) + struct.pack("<H", 500) + A + B)
    # 3: control wrapper: addr1, carried FC (CTS), VHT HT Control: B0 VHT, MRQ,
    #    MSI 3, MFSI 5, MFB num_sts 1 mcs 7 bw 2 snr 9, coding 1
    vht = 1 | (1 << 2) | (3 << 3) | (5 << 6) | (1 << 9) | (7 << 12) | (2 << 16) | (9 << 18) | (1 << 27)
    out.append(rt([0], b"") + fc(1, 7, 0) + struct.pack("<H", 0) + A + fc(1, 12, 0)
               + struct.pack("<I", vht))
    # 4: beacon with +HTC (HE variant), flags field says FCS
    bcn = (fc(0, 8, 0x80) + struct.pack("<H", 0) + mac("ff:ff:ff:ff:ff:ff") + BSS + BSS
           + struct.pack("<H", 0x0100) + struct.pack("<I", 0x3 | 0x80000000)
           + struct.pack("<QHH", 1, 100, 0x0401) + bytes([0, 4]) + b"test")
    out.append(rt([1 << 1], bytes([0x10])) + bcn + fcs(bcn))
    # 5: PS-Poll: duration field is the AID
    out.append(rt([0], b"") + fc(1, 10, 0) + struct.pack("<H", 0xC001) + BSS + B)
    # 6: protected data from the DS
    out.append(rt([0], b"") + fc(2, 0, 0x02 | 0x40) + struct.pack("<H", 0) + A + BSS + C
               + struct.pack("<H", 0x0010) + bytes(range(24)))
    # 7: null function to the DS, power management
    out.append(rt([0], b"") + fc(2, 4, 0x01 | 0x10) + struct.pack("<H", 0) + BSS + B + BSS
               + struct.pack("<H", 0x0020))
    # 8: QoS data, A-MSDU present, from the DS
    out.append(rt([0], b"") + fc(2, 8, 0x02) + struct.pack("<H", 0) + A + BSS + C
               + struct.pack("<H", 0x0030) + struct.pack("<H", 0x0080 | 0x0020 | 5) + bytes(30))
    # 9: FCS announced, wrong
    d = fc(2, 0, 0x01) + struct.pack("<H", 0) + BSS + B + C + struct.pack("<H", 0x0040) + SNAP_IP + ipv4_udp()
    out.append(rt([1 << 1], bytes([0x10])) + d + b"\xde\xad\xbe\xef")
    # 10: FCS announced, cut by the snaplen (wire length 20 more)
    full = rt([1 << 1], bytes([0x10])) + d + fcs(d)
    out.append((full[:-20], len(full)))
    # 11: it_len past the end
    out.append(struct.pack("<BBHI", 0, 0, 64, 0) + bytes(8))
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    pcap(os.path.join(outdir, "fddi.pcap"), 10, fddi_frames())
    pcap(os.path.join(outdir, "usbmon48.pcap"), 189, usbmon_frames())
    pcap(os.path.join(outdir, "radiotap.pcap"), 127, radiotap_frames())


if __name__ == "__main__":
    main()
