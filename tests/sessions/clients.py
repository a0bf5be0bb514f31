#!/usr/bin/env python3
"""Clients for the sessions suite that curl, openssl and dig cannot play.

    clients.py http-pipeline PORT LOG   4 requests in one segment, one connection
    clients.py http-split PORT LOG      a POST whose head and body are cut over 3 segments
    clients.py http-rst PORT LOG        a GET, then the connection reset (SO_LINGER 0)
    clients.py http-idle PORT LOG       a GET, then the connection left open (60 s)
    clients.py tls PORT SNI LOG MODE    a TLS handshake through memory BIOs, its
                                        ClientHello (~2.5 KB: many ALPN names) sent
                                        as MODE says: "segments" cut over three TCP
                                        segments (one cut inside the record header),
                                        "records" split into two TLS records
    clients.py dns-tcp PORT LOG         DNS over TCP: a length cut in two and sent
                                        apart from its message, two queries in one
                                        segment, a response the server splits
    clients.py dns-udp PORT LOG NAME TYPE  one query over UDP (when dig is missing)

Each appends one line per exchange to LOG, what the client itself saw:
    http LOCALPORT METHOD TARGET STATUS BODYBYTES
    tls LOCALPORT VERSION CIPHER ALPN
    dns LOCALPORT ID NAME TYPE RCODE ANCOUNT
"""
import random
import socket
import ssl
import struct
import sys
import time


def log(path, *fields):
    with open(path, "a") as f:
        f.write(" ".join(str(x) for x in fields) + "\n")


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Buffered reads of HTTP responses from a socket."""

    def __init__(self, sock):
        self.sock, self.buf, self.eof = sock, b"", False

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
        self.buf += data
        return bool(data)

    def line(self):
        while b"\r\n" not in self.buf:
            if not self.fill():
                raise EOFError("connection closed in a head")
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def take(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise EOFError("connection closed in a body")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self, method):
        """(status, body bytes after de-chunking); 1xx are skipped."""
        while True:
            status = int(self.line().split()[1])
            headers = {}
            while True:
                ln = self.line()
                if not ln:
                    break
                k, v = ln.split(b":", 1)
                headers[k.strip().lower()] = v.strip()
            if not 100 <= status < 200:
                break
        if method == "HEAD" or status in (204, 304):
            return status, 0
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            total = 0
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    return status, total
                total += len(self.take(size))
                self.take(2)
        if b"content-length" in headers:
            return status, len(self.take(int(headers[b"content-length"])))
        while self.fill():
            pass
        n, self.buf = len(self.buf), b""
        return status, n


def http_pipeline(port, path):
    s = connect(port)
    lport = s.getsockname()[1]
    reqs = [("GET", "/page?pipe=1&k=v"), ("HEAD", "/page?pipe=2"), ("GET", "/notmodified"),
            ("GET", "/chunked?pipe=4")]
    data = b"".join(b"%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: sessions-pipeline/1\r\n\r\n"
                    % (m.encode(), t.encode(), port) for m, t in reqs)
    s.sendall(data)  # one write: all four requests in one segment
    rd = Reader(s)
    for m, t in reqs:
        status, n = rd.response(m)
        log(path, "http", lport, m, t, status, n)
    s.close()


def http_split(port, path):
    s = connect(port)
    lport = s.getsockname()[1]
    body = b"alpha=1&beta=two&gamma=%C3%A9"
    head = (b"POST /submit?split=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: sessions-split/1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n"
            % (port, len(body)))
    cut = head.index(b"Content-Length") + 9
    for part in (head[:cut], head[cut:] + body[:7], body[7:]):
        s.sendall(part)
        time.sleep(0.03)
    status, n = Reader(s).response("POST")
    log(path, "http", lport, "POST", "/submit?split=1", status, n)
    s.close()


def http_idle(port, path):
    """A GET answered, then the connection left open (still open when the
    captures stop: the suite kills this client afterwards)."""
    s = connect(port)
    lport = s.getsockname()[1]
    s.sendall(b"GET /page?idle=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: sessions-idle/1\r\n\r\n" % port)
    status, n = Reader(s).response("GET")
    log(path, "http", lport, "GET", "/page?idle=1", status, n)
    time.sleep(60)


def http_rst(port, path):
    s = connect(port)
    lport = s.getsockname()[1]
    s.sendall(b"GET /page?rst=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: sessions-rst/1\r\n\r\n" % port)
    status, n = Reader(s).response("GET")
    log(path, "http", lport, "GET", "/page?rst=1", status, n)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST instead of FIN


def tls(port, sni, path, mode):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # 60 ALPN names of 40 bytes: a ClientHello of about 2.8 KB (netcap
    # keeps 64 names: TLS_MAX_ALPN)
    ctx.set_alpn_protocols(["http/1.1"] + ["sessions-suite-protocol-name-number-%04d" % i for i in range(60)])
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=sni)
    s = connect(port)
    lport = s.getsockname()[1]
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    if mode == "records":
        # the handshake message in two records (RFC 8446 5.1 allows it)
        msg = hello[5:]
        cut = len(msg) // 3
        hello = b"".join(hello[:3] + struct.pack("!H", len(p)) + p for p in (msg[:cut], msg[cut:]))
        s.sendall(hello)
    else:
        for part in (hello[:3], hello[3:1000], hello[1000:]):
            s.sendall(part)
            time.sleep(0.03)
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            pending = out.read()
            if pending:
                s.sendall(pending)
            data = s.recv(65536)
            if not data:
                raise EOFError("server closed during the handshake")
            inc.write(data)
    pending = out.read()
    if pending:
        s.sendall(pending)
    log(path, "tls", sni, obj.version(), obj.cipher()[0], obj.selected_alpn_protocol() or "-")
    try:
        obj.unwrap()
    except ssl.SSLError:
        pass
    pending = out.read()
    if pending:
        s.sendall(pending)
    s.close()


def dns_query(qid, name, qtype):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack("!HH", qtype, 1)


def dns_parse_head(msg):
    qid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    return qid, flags & 0xF, an


def dns_tcp(port, path):
    s = connect(port)
    lport = s.getsockname()[1]
    qs = [(random.randrange(65536), "www.sessions.test", 1), (random.randrange(65536), "txt.sessions.test", 16),
          (random.randrange(65536), "alias.sessions.test", 1), (random.randrange(65536), "split.sessions.test", 1)]
    framed = [struct.pack("!H", len(m)) + m for m in (dns_query(*q) for q in qs)]
    # the length in two segments, then its message
    s.sendall(framed[0][:1])
    time.sleep(0.03)
    s.sendall(framed[0][1:2])
    time.sleep(0.03)
    s.sendall(framed[0][2:])
    # two messages in one segment, then the one the server answers in two
    time.sleep(0.03)
    s.sendall(framed[1] + framed[2])
    time.sleep(0.03)
    s.sendall(framed[3])
    buf = b""
    got = []
    while len(got) < len(qs):
        data = s.recv(65536)
        if not data:
            break
        buf += data
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
            n = struct.unpack("!H", buf[:2])[0]
            got.append(buf[2:2 + n])
            buf = buf[2 + n:]
    for (qid, name, qtype), msg in zip(qs, got):
        rid, rcode, an = dns_parse_head(msg)
        log(path, "dns", lport, rid, name, qtype, rcode, an)
    s.close()


def dns_udp(port, path, name, qtype):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect(("127.0.0.1", port))
    qid = random.randrange(65536)
    s.send(dns_query(qid, name, qtype))
    rid, rcode, an = dns_parse_head(s.recv(65535))
    log(path, "dns", s.getsockname()[1], rid, name, qtype, rcode, an)


def main():
    cmd, port, a = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if cmd == "http-pipeline":
        http_pipeline(port, a[0])
    elif cmd == "http-split":
        http_split(port, a[0])
    elif cmd == "http-rst":
        http_rst(port, a[0])
    elif cmd == "http-idle":
        http_idle(port, a[0])
    elif cmd == "tls":
        tls(port, a[0], a[1], a[2])
    elif cmd == "dns-tcp":
        dns_tcp(port, a[0])
    elif cmd == "dns-udp":
        dns_udp(port, a[0], a[1], {"A": 1, "AAAA": 28, "TXT": 16, "CNAME": 5}[a[2]])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
