#!/usr/bin/env python3
"""Cut capture files into fuzz seeds (used by scripts/seed-corpus.sh).

    seed-frames.py DECODE_DIR DNS_DIR PCAP_DIR CAPTURE...

DECODE_DIR gets one file per distinct frame (up to MAX_FRAME bytes) whose
link type fuzz_decode knows: a selector byte (the index of the link type in
fuzz/fuzz_decode.c's table) followed by the captured bytes. DNS_DIR gets
the payloads of UDP datagrams and TCP segments to or from ports 53, 5353
and 5355 (the raw input of fuzz_dns). PCAP_DIR gets the head of each
capture: the file up to the end of its HEAD_PACKETS-th packet, or fewer
packets if that would exceed HEAD_MAX bytes (whole captures are too big
to be good seeds). Files are named by their SHA-1, so
reruns add nothing twice. Reads pcap (either byte order, micro or nano) and pcapng; anything
else is skipped with a note on stderr. Standard library only.
"""
import hashlib
import os
import struct
import sys

# fuzz/fuzz_decode.c: static const uint32_t dlts[] = { 1, 113, 276, 101, 0, 108, 228, 229, 12 };
DLT_INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 0: 4, 108: 5, 228: 6, 229: 7, 12: 8}
DNS_PORTS = {53, 5353, 5355}
MAX_FRAMES_PER_FILE = 300
MAX_FRAME = 4096
HEAD_PACKETS = 8
HEAD_MAX = 8192


def packets(data, path):
    """Yields (linktype, frame bytes, offset after the packet) for every
    packet of a pcap/pcapng file."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        yield from pcap_packets(data, '<')
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        yield from pcap_packets(data, '>')
    elif magic == b'\x0a\x0d\x0d\x0a':
        yield from pcapng_packets(data)
    else:
        print(f'seed-frames: {path}: not pcap/pcapng, skipped', file=sys.stderr)


def pcap_packets(data, e):
    linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        if caplen > len(data) - off:
            return
        yield linktype, data[off:off + caplen], off + caplen
        off += caplen


def pcapng_packets(data):
    e = '<'
    ifaces = []
    off = 0
    while off + 12 <= len(data):
        btype = struct.unpack(e + 'I', data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            ifaces = []
        blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            ifaces.append(struct.unpack(e + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen, _ = struct.unpack(e + 'IIIII', body[:20])
            if iface < len(ifaces) and caplen <= len(body) - 20:
                yield ifaces[iface], body[20:20 + caplen], off + blen
        elif btype == 3 and len(body) >= 4 and ifaces:
            origlen = struct.unpack(e + 'I', body[:4])[0]
            yield ifaces[0], body[4:4 + min(origlen, len(body) - 4)], off + blen
        off += blen


def ip_payload(b):
    """(protocol, payload) of an IPv4/IPv6 packet, or None."""
    if len(b) < 1:
        return None
    ver = b[0] >> 4
    if ver == 4 and len(b) >= 20:
        ihl = (b[0] & 0xf) * 4
        frag = struct.unpack('>H', b[6:8])[0] & 0x1fff
        total = struct.unpack('>H', b[2:4])[0]
        if frag or ihl < 20:
            return None
        return b[9], b[ihl:max(ihl, min(total, len(b)))]
    if ver == 6 and len(b) >= 40:
        nh, off = b[6], 40
        while nh in (0, 43, 60) and off + 8 <= len(b):
            nh, off = b[off], off + (b[off + 1] + 1) * 8
        if nh == 44:
            return None
        return nh, b[off:]
    return None


def link_payload(dlt, f):
    """The network-layer bytes of a frame, or None."""
    if dlt == 1 and len(f) >= 14:
        et, off = struct.unpack('>H', f[12:14])[0], 14
        while et in (0x8100, 0x88a8, 0x9100) and off + 4 <= len(f):
            et, off = struct.unpack('>H', f[off + 2:off + 4])[0], off + 4
        return f[off:] if et in (0x0800, 0x86dd) else None
    if dlt == 113 and len(f) >= 16:
        return f[16:]
    if dlt == 276 and len(f) >= 20:
        return f[20:]
    if dlt in (0, 108) and len(f) >= 4:
        return f[4:]
    if dlt in (12, 101, 228, 229):
        return f
    return None


def dns_payload(dlt, f):
    net = link_payload(dlt, f)
    if net is None:
        return None
    r = ip_payload(net)
    if r is None:
        return None
    proto, l4 = r
    if proto == 17 and len(l4) >= 8:
        sp, dp = struct.unpack('>HH', l4[:4])
        if sp in DNS_PORTS or dp in DNS_PORTS:
            return l4[8:]
    if proto == 6 and len(l4) >= 20:
        sp, dp = struct.unpack('>HH', l4[:4])
        doff = (l4[12] >> 4) * 4
        if (sp == 53 or dp == 53) and len(l4) > doff >= 20:
            return l4[doff:]
    return None


def save(d, blob):
    name = os.path.join(d, hashlib.sha1(blob).hexdigest())
    if not os.path.exists(name):
        with open(name, 'wb') as f:
            f.write(blob)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    decode_dir, dns_dir, pcap_dir = sys.argv[1:4]
    for d in (decode_dir, dns_dir, pcap_dir):
        os.makedirs(d, exist_ok=True)
    for path in sys.argv[4:]:
        seen = set()
        with open(path, 'rb') as f:
            data = f.read()
        try:
            n, head, head_done = 0, 0, False
            for dlt, frame, end in packets(data, path):
                n += 1
                if not head_done:
                    if end <= HEAD_MAX:
                        head = end
                    if n == HEAD_PACKETS or end > HEAD_MAX:
                        head_done = True
                        if 0 < head < len(data):
                            save(pcap_dir, data[:head])
                if (dlt in DLT_INDEX and len(seen) < MAX_FRAMES_PER_FILE and
                        len(frame) <= MAX_FRAME):
                    blob = bytes([DLT_INDEX[dlt]]) + frame
                    h = hashlib.sha1(blob).digest()
                    if h not in seen:
                        seen.add(h)
                        save(decode_dir, blob)
                dns = dns_payload(dlt, frame)
                if dns:
                    save(dns_dir, dns)
        except (struct.error, IndexError) as ex:
            print(f'seed-frames: {path}: {ex}, rest skipped', file=sys.stderr)


if __name__ == '__main__':
    main()
