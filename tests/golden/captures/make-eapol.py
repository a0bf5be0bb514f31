#!/usr/bin/env python3
"""Writes eapol.pcap: IEEE 802.1X EAPOL frames on Ethernet, above all the
EAPOL-Key descriptors of WPA2/WPA (IEEE 802.11-2016 12.7.2), which the
corpus has only inside 802.11 frames (cs-80211-wpaauth) or in the old RC4
form (tcpdump-eapon1). Nonces, MICs and key data are made-up bytes (SHA-256
of a label), not a real handshake.

Hand-made, deterministic, no dependencies:  python3 make-eapol.py [OUT]
 authenticator 02:00:00:00:01:01, supplicant 02:00:00:00:02:02, EAPOL v2
  1-4  WPA2 4-way handshake (descriptor 2, version 2 HMAC-SHA1/AES):
       M1 (ack, PMKID KDE), M2 (MIC, RSNE), M3 (ack, MIC, install, secure,
       encrypted key data), M4 (MIC, secure, no key data)
  5-6  group key handshake: M1 (ack, MIC, secure, encrypted), M2
  7    WPA (descriptor 254, version 1) M1
  8    WPA group M1 with key index 1 (bits 4-5)
  9    AKM-defined version 0 with a 24-byte MIC (Suite B 192-bit) M2
  10   MIC failure report (request, error, secure, MIC)
  11   M3 whose key data length (56) runs past the EAPOL body (20 bytes)
  12   key descriptor type 3 (not defined)
  13   EAPOL-Start v3 to 01:80:c2:00:00:03, 14 EAPOL-Logoff
  15   pre-authentication (EtherType 0x88c7): EAP Response/Identity
       "alice@example.org"
  16   EAP Request/Identity, 17 EAP-TLS Start, 18 EAP Success, 19 EAP Failure
  20   EAP length 3 (below the header: malformed)
  21   EAP length 40 in a 10-byte EAPOL body (truncated)
  22   EAPOL type 5 (MKA) with a body (no decoder: counted)
  23   EAPOL body length 100 in a 60-byte frame (truncated)
  24   EAPOL-Start behind an 802.1Q tag (VLAN 10)
Classic pcap, microseconds, Ethernet, snaplen 65535.
"""
import hashlib
import struct
import sys

AP = bytes.fromhex("020000000101")
STA = bytes.fromhex("020000000202")
PAE = bytes.fromhex("0180c2000003")


def blob(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (label, i)).encode()).digest()
        i += 1
    return out[:n]


def eth(dst, src, etype, body, pad=True):
    f = dst + src + struct.pack("!H", etype) + body
    if pad:
        f += bytes(max(0, 60 - len(f)))
    return f


def eapol(ptype, body, version=2, length=None):
    if length is None:
        length = len(body)
    return struct.pack("!BBH", version, ptype, length) + body


def key(desc, ki, keylen, replay, nonce, mic, kdata, kdl=None, rsc=b"\0" * 8, iv=b"\0" * 16):
    if kdl is None:
        kdl = len(kdata)
    return (struct.pack("!BHHQ", desc, ki, keylen, replay) + nonce + iv + rsc + bytes(8) + mic
            + struct.pack("!H", kdl) + kdata)


def eap(code, ident, typ=None, data=b"", length=None):
    body = b"" if typ is None else bytes([typ]) + data
    if length is None:
        length = 4 + len(body)
    return struct.pack("!BBH", code, ident, length) + body


anonce = blob("anonce", 32)
snonce = blob("snonce", 32)
pmkid_kde = bytes.fromhex("dd14000fac04") + blob("pmkid", 16)
rsne = bytes.fromhex("30140100000fac040100000fac040100000fac020000")
zero_nonce = bytes(32)

frames = [
    (AP, STA, key(2, 0x008A, 16, 1, anonce, bytes(16), pmkid_kde)),
    (STA, AP, key(2, 0x010A, 0, 1, snonce, blob("mic2", 16), rsne)),
    (AP, STA, key(2, 0x13CA, 16, 2, anonce, blob("mic3", 16), blob("gtk3", 56),
                  rsc=bytes.fromhex("0500000000000000"))),
    (STA, AP, key(2, 0x030A, 0, 2, zero_nonce, blob("mic4", 16), b"")),
    (AP, STA, key(2, 0x1382, 16, 3, zero_nonce, blob("gmic1", 16), blob("gtk", 40),
                  rsc=bytes.fromhex("2a01000000000000"))),
    (STA, AP, key(2, 0x0302, 0, 3, zero_nonce, blob("gmic2", 16), b"")),
    (AP, STA, key(254, 0x0089, 32, 1, anonce, bytes(16), b"")),
    (AP, STA, key(254, 0x0391, 32, 4, zero_nonce, blob("wgmic", 16), blob("wgtk", 32),
                  iv=blob("wiv", 16))),
    (STA, AP, key(2, 0x0108, 0, 1, snonce, blob("mic24", 24), rsne)),
    (STA, AP, key(2, 0x0F02, 0, 5, zero_nonce, blob("micf", 16), b"")),
    (AP, STA, key(2, 0x13CA, 16, 2, anonce, blob("mic3", 16), blob("gtk3", 20), kdl=56)),
    (AP, STA, bytes([3]) + bytes(40)),
]
packets = []
for src, dst, body in frames:
    packets.append(eth(dst, src, 0x888E, eapol(3, body)))
packets += [
    eth(PAE, STA, 0x888E, eapol(1, b"", version=3)),
    eth(AP, STA, 0x888E, eapol(2, b"")),
    eth(AP, STA, 0x88C7, eapol(0, eap(2, 7, 1, b"alice@example.org"))),
    eth(STA, AP, 0x888E, eapol(0, eap(1, 8, 1))),
    eth(STA, AP, 0x888E, eapol(0, eap(1, 9, 13, b"\x20"))),
    eth(STA, AP, 0x888E, eapol(0, eap(3, 9))),
    eth(STA, AP, 0x888E, eapol(0, eap(4, 10))),
    eth(STA, AP, 0x888E, eapol(0, eap(1, 11, length=3))),
    eth(STA, AP, 0x888E, eapol(0, eap(2, 12, 1, b"bob", length=40)[:10])),
    eth(PAE, STA, 0x888E, eapol(5, blob("mka", 24), version=3)),
    eth(STA, AP, 0x888E, eapol(0, eap(1, 13, 1), length=100)),
    eth(PAE, STA, 0x8100, struct.pack("!HH", 10, 0x888E) + eapol(1, b"")),
]
out = sys.argv[1] if len(sys.argv) > 1 else "eapol.pcap"
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1700000200 + i, 250000 * (i % 4), len(p), len(p)))
        f.write(p)
