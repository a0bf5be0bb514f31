#!/usr/bin/env python3
"""Synthetic captures for the determinism suite (stdlib only).

  gen.py udp-flows N OUT.pcap   N one-packet UDP flows (distinct sources)
  gen.py streams N OUT.pcap     N TCP connections carrying HTTP exchanges and
                                TLS ClientHellos, their segments reordered,
                                duplicated, overlapped (some with different
                                bytes) and sometimes lost, interleaved across
                                connections; plus IPv4 datagrams in shuffled
                                fragments. Seeded: the same bytes every run.
"""
import random
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def eth(ip):
    return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + ip


def tcp(sp, dp, seq, ack, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                       65535, 0, 0) + data


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts_us, fr in frames:
            f.write(struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(fr), len(fr)))
            f.write(fr)


def udp_flows(n):
    dst = bytes([198, 51, 100, 53])
    for i in range(n):
        src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        udp = struct.pack("!HHHH", 1024 + i % 60000, 9999, 8 + 4, 0) + b"ping"
        yield 1700000000000000 + i * 10, eth(ipv4(src, dst, 17, udp))


def client_hello(sni):
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    alpn = b"\x02h2\x08http/1.1"
    ext_alpn = struct.pack("!HHH", 16, len(alpn) + 2, len(alpn)) + alpn
    groups = struct.pack("!HHH4H", 10, 10, 8, 0x0a0a, 29, 23, 24)
    exts = ext_sni + ext_alpn + groups + struct.pack("!HHB", 11, 2, 1) + b"\x00"
    ciphers = struct.pack("!6H", 0x1a1a, 0x1301, 0x1302, 0xc02b, 0xc02f, 0x009c)
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", len(ciphers)) + ciphers
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def streams(n, rnd):
    frames = []
    t = 1700000000000000
    for c in range(n):
        cli = bytes([10, 1, (c >> 8) & 255, c & 255])
        srv = bytes([198, 51, 100, 80 + c % 3])
        sp = 20000 + c
        isn_c = rnd.randrange(1 << 32)
        isn_s = rnd.randrange(1 << 32)
        tls = c % 4 == 3
        dp = 443 if tls else 80
        if tls:
            req = client_hello(b"host%d.example" % c)
            resp = b""
        else:
            req = b"".join(b"GET /item/%d?q=%d HTTP/1.1\r\nHost: h%d.example\r\nUser-Agent: gen/1.0\r\n\r\n"
                           % (k, c, c) for k in range(1 + c % 3))
            body = b"x" * (200 + 37 * c % 900)
            resp = b"".join(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                            % (len(body), body) for k in range(1 + c % 3))
        pkts = [(cli, srv, sp, dp, isn_c, 0, 0x02, b""), (srv, cli, dp, sp, isn_s, isn_c + 1, 0x12, b""),
                (cli, srv, sp, dp, isn_c + 1, isn_s + 1, 0x10, b"")]

        def segs(data, src, dst, s, d, isn, ack):
            out, off = [], 0
            while off < len(data):
                n_ = rnd.randint(1, 300)
                out.append((src, dst, s, d, isn + 1 + off, ack, 0x18, data[off:off + n_]))
                off += n_
            return out
        cs = segs(req, cli, srv, sp, dp, isn_c, isn_s + 1)
        ss = segs(resp, srv, cli, dp, sp, isn_s, isn_c + 1 + len(req))
        mangled = []
        for seg in cs + ss:
            r = rnd.random()
            if r < 0.05 and len(seg[7]) > 2:
                continue  # lost: a gap
            mangled.append(seg)
            if r < 0.15:
                mangled.append(seg)  # retransmitted
            elif r < 0.2 and len(seg[7]) > 4:
                d = bytearray(seg[7])
                d[len(d) // 2] ^= 0xFF  # overlap with different bytes
                mangled.append(seg[:7] + (bytes(d),))
        for i in range(len(mangled) - 1):
            if rnd.random() < 0.2:
                mangled[i], mangled[i + 1] = mangled[i + 1], mangled[i]
        fin = [(cli, srv, sp, dp, isn_c + 1 + len(req), isn_s + 1 + len(resp), 0x11, b""),
               (srv, cli, dp, sp, isn_s + 1 + len(resp), isn_c + 2 + len(req), 0x11, b""),
               (cli, srv, sp, dp, isn_c + 2 + len(req), isn_s + 2 + len(resp), 0x10, b"")]
        conn = pkts + mangled + (fin if c % 5 else [])
        frames.append(conn)
    # interleave connections
    out = []
    while any(frames):
        live = [f for f in frames if f]
        f = rnd.choice(live)
        s = f.pop(0)
        t += rnd.randint(10, 3000)
        out.append((t, eth(ipv4(s[0], s[1], 6, tcp(s[2], s[3], s[4], s[5], s[6], s[7])))))
    # fragmented UDP datagrams (DNS-sized), fragments shuffled
    for k in range(n // 4 + 1):
        src, dst = bytes([10, 2, 0, k & 255]), bytes([198, 51, 100, 53])
        payload = struct.pack("!HHHH", 5300 + k, 53, 8 + 2400, 0) + bytes(rnd.randrange(256) for _ in range(2400))
        pieces = [payload[i:i + 600] for i in range(0, len(payload), 600)]
        fr = []
        for i, p in enumerate(pieces):
            more = 0x2000 if i < len(pieces) - 1 else 0
            fr.append(eth(ipv4(src, dst, 17, p, ident=1000 + k, frag=more | (i * 600 // 8))))
        rnd.shuffle(fr)
        for f in fr:
            t += rnd.randint(10, 500)
            out.append((t, f))
    return out


def main():
    mode, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "udp-flows":
        write_pcap(path, udp_flows(n))
    elif mode == "streams":
        write_pcap(path, streams(n, random.Random(20261201)))
    else:
        sys.exit("gen.py: unknown mode " + mode)


if __name__ == "__main__":
    main()
