#!/usr/bin/env python3
"""Writes stream-ports.pcap: TCP streams that only reassembly and content
probing decode right. Hand-made, deterministic, no dependencies:
    python3 make-stream-ports.py [OUT]
  1. HTTP on port 5000 (no parser claims it: found by content), two
     pipelined requests, then two responses, the first response split
     mid-header over two segments;
  2. TLS ClientHello and ServerHello on port 9999 (found by content), the
     ClientHello in three segments that arrive in reverse order;
  3. HTTP on 3128 and TLS on 8443 (the parsers' extra ports);
  4. DNS over TCP on 53: a query whose 2-byte length and message are split
     over three segments, one of them retransmitted;
  5. a connection whose client bytes have a hole (a lost segment): the
     parser sees a gap, the Connection counts missed bytes;
  6. an overlap with different bytes (first copy wins, counted).
IPv4 over Ethernet, checksums not computed (0), classic pcap, microseconds.
"""
import struct
import sys


def ipv4(src, dst, proto, payload, ident=1):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                       bytes(src), bytes(dst)) + payload


def eth(ip):
    return b"\x02\0\0\0\0\x0a" + b"\x02\0\0\0\0\x0b" + b"\x08\x00" + ip


def tcp(sp, dp, seq, ack, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                       65535, 0, 0) + data


def client_hello(sni):
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    alpn = b"\x02h2\x08http/1.1"
    ext_alpn = struct.pack("!HHH", 16, len(alpn) + 2, len(alpn)) + alpn
    groups = struct.pack("!HHH3H", 10, 8, 6, 29, 23, 24)
    sv = struct.pack("!HHB2H", 43, 5, 4, 0x0304, 0x0303)
    sig = struct.pack("!HHH2H", 13, 6, 4, 0x0403, 0x0804)
    exts = ext_sni + ext_alpn + groups + struct.pack("!HHBB", 11, 2, 1, 0) + sv + sig
    ciphers = struct.pack("!5H", 0x1301, 0x1302, 0xc02b, 0xc02f, 0x009c)
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", len(ciphers)) + ciphers
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def server_hello():
    exts = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHHH", 51, 4, 29, 0)
    body = (b"\x03\x03" + bytes(range(100, 132)) + b"\x00" + struct.pack("!H", 0x1301) + b"\x00"
            + struct.pack("!H", len(exts)) + exts)
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


class Cap:
    def __init__(self):
        self.frames = []
        self.t = 1700000000000000

    def add(self, src, dst, sp, dp, seq, ack, flags, data=b""):
        self.t += 1000
        self.frames.append((self.t, eth(ipv4(src, dst, 6, tcp(sp, dp, seq, ack, flags, data)))))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for ts, fr in self.frames:
                f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(fr), len(fr)))
                f.write(fr)


def handshake(c, cli, srv, sp, dp, ic, isv):
    c.add(cli, srv, sp, dp, ic, 0, 0x02)
    c.add(srv, cli, dp, sp, isv, ic + 1, 0x12)
    c.add(cli, srv, sp, dp, ic + 1, isv + 1, 0x10)


def close(c, cli, srv, sp, dp, cs, ss):
    c.add(cli, srv, sp, dp, cs, ss, 0x11)
    c.add(srv, cli, dp, sp, ss, cs + 1, 0x11)
    c.add(cli, srv, sp, dp, cs + 1, ss + 1, 0x10)


def http_conn(c, cli, srv, sp, dp, ic, isv):
    handshake(c, cli, srv, sp, dp, ic, isv)
    req = (b"GET /a?x=1&y=%41 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: make/1\r\n\r\n"
           b"GET /b HTTP/1.1\r\nHost: example.test\r\nCookie: k=v\r\n\r\n")
    c.add(cli, srv, sp, dp, ic + 1, isv + 1, 0x18, req)
    r1 = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 14\r\n\r\n<html>hi</html"[:-1]
    r1 = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html>hi</ht"
    r1 += b"m"
    r2 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nSet-Cookie: s=1; Path=/; HttpOnly\r\n\r\n"
    resp = r1 + r2
    cut = 20
    c.add(srv, cli, dp, sp, isv + 1, ic + 1 + len(req), 0x18, resp[:cut])
    c.add(srv, cli, dp, sp, isv + 1 + cut, ic + 1 + len(req), 0x18, resp[cut:])
    close(c, cli, srv, sp, dp, ic + 1 + len(req), isv + 1 + len(resp))


def tls_conn(c, cli, srv, sp, dp, ic, isv, sni, reverse):
    handshake(c, cli, srv, sp, dp, ic, isv)
    ch = client_hello(sni)
    parts = [(0, ch[:40]), (40, ch[40:90]), (90, ch[90:])]
    for off, p in (reversed(parts) if reverse else parts):
        c.add(cli, srv, sp, dp, ic + 1 + off, isv + 1, 0x18, p)
    sh = server_hello()
    c.add(srv, cli, dp, sp, isv + 1, ic + 1 + len(ch), 0x18, sh)
    close(c, cli, srv, sp, dp, ic + 1 + len(ch), isv + 1 + len(sh))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "stream-ports.pcap"
    c = Cap()
    cli, srv = [192, 0, 2, 10], [198, 51, 100, 20]
    http_conn(c, cli, srv, 40001, 5000, 1000, 900000)
    tls_conn(c, cli, srv, 40002, 9999, 0xFFFFFFF0, 77, b"odd-port.example", True)  # seq wraps
    http_conn(c, cli, srv, 40003, 3128, 5000, 800000)
    tls_conn(c, cli, srv, 40004, 8443, 7000, 88, b"alt-port.example", False)
    # DNS over TCP: query split as [len hi] [len lo + 10 bytes] [rest], middle resent
    q = (struct.pack("!HHHHHH", 0xbeef, 0x0100, 1, 0, 0, 0) + b"\x03www\x07example\x04test\x00"
         + struct.pack("!HH", 1, 1))
    msg = struct.pack("!H", len(q)) + q
    handshake(c, cli, srv, 40005, 53, 300, 400)
    c.add(cli, srv, 40005, 53, 301, 401, 0x18, msg[:1])
    c.add(cli, srv, 40005, 53, 302, 401, 0x18, msg[1:12])
    c.add(cli, srv, 40005, 53, 302, 401, 0x18, msg[1:12])
    c.add(cli, srv, 40005, 53, 313, 401, 0x18, msg[12:])
    close(c, cli, srv, 40005, 53, 301 + len(msg), 401)
    # a hole in the client's bytes: the first request is cut, the second survives
    handshake(c, cli, srv, 40006, 80, 600, 700)
    req1 = b"GET /lost HTTP/1.1\r\nHost: gap.test\r\n\r\n"
    req2 = b"GET /after-gap HTTP/1.1\r\nHost: gap.test\r\n\r\n"
    c.add(cli, srv, 40006, 80, 601, 701, 0x18, req1[:10])
    c.add(cli, srv, 40006, 80, 601 + len(req1), 701, 0x18, req2)  # req1[10:] never seen
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    c.add(srv, cli, 80, 40006, 701, 601 + len(req1) + len(req2), 0x18, resp)
    c.add(srv, cli, 80, 40006, 701, 601 + len(req1) + len(req2), 0x18, resp)
    close(c, cli, srv, 40006, 80, 601 + len(req1) + len(req2), 701 + len(resp))
    # an overlap with different bytes: first copy wins, counted
    handshake(c, cli, srv, 40007, 80, 900, 1900)
    req = b"GET /first HTTP/1.1\r\nHost: overlap.test\r\n\r\n"
    evil = req.replace(b"/first", b"/evil!")
    c.add(cli, srv, 40007, 80, 901 + 5, 1901, 0x18, req[5:])        # out of order first
    c.add(cli, srv, 40007, 80, 901, 1901, 0x18, evil[:12])          # overlaps with other bytes
    close(c, cli, srv, 40007, 80, 901 + len(req), 1901)
    c.write(out)


if __name__ == "__main__":
    main()
