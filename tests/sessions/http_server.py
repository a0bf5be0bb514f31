#!/usr/bin/env python3
"""HTTP/1.1 origin server for the sessions suite (127.0.0.1 only).

    http_server.py PORTFILE TUNNELFILE

Binds 127.0.0.1 on a free port, writes the port to PORTFILE, and serves
until killed. CONNECT HOST:PORT opens a tunnel to 127.0.0.1:PORT (whatever
HOST says) if PORT is the one written in TUNNELFILE, else 403. Every response is framed by hand so that the suite covers
the framings of RFC 9112 section 6: Content-Length, chunked (with a chunk
extension and a trailer), close-delimited, and the responses that have no
body whatever their headers say (HEAD, 1xx, 204, 304).

    /page...        200 text/plain, Content-Length; body size depends on the target
    /chunked        200 Transfer-Encoding: chunked, three chunks and a trailer
    /gzip           200 Content-Encoding: gzip
    /missing        404
    /old            301 Location: /new
    /cookie         200 with two Set-Cookie headers
    /nocontent      204
    /notmodified    304 with a Content-Length header and no body
    /close          200 without Content-Length, body ends at the close
    /large          200, 300000 bytes (many segments)
    /both           200 with Content-Length and Transfer-Encoding: chunked
    /early          103 Early Hints, then 200
    /abort          200 with Content-Length 5000: 1000 bytes, then a reset
    POST /submit    201, echoes the body length (Content-Length or chunked body)
    CONNECT         200, then bytes are relayed both ways until either side closes
    (Expect: 100-continue is answered with 100 Continue first)
"""
import gzip
import http.server
import os
import select
import socket
import socketserver
import struct
import sys
import time


def body_for(target):
    # deterministic, size depends on the target: lengths differ per request
    n = 64 + (sum(target.encode()) % 900)
    line = ("netcap sessions suite: " + target + "\n").encode()
    return (line * (n // len(line) + 1))[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sessions-suite/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def send(self, code, reason, headers, body, head=False):
        out = ["HTTP/1.1 %d %s" % (code, reason), "Server: sessions-suite/1"]
        out += ["%s: %s" % h for h in headers]
        self.wfile.write(("\r\n".join(out) + "\r\n\r\n").encode())
        if body and not head:
            self.wfile.write(body)
        self.wfile.flush()

    def handle_expect_100(self):
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.wfile.flush()
        return True

    def route(self, head=False):
        path = self.path.split("?", 1)[0]
        if path == "/chunked":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nServer: sessions-suite/1\r\n"
                             b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                             b"Trailer: X-Checksum\r\n\r\n")
            if not head:
                parts = [b"first chunk of the body\n", b"x" * 300, b"last\n"]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(parts[0]), parts[0]))
                self.wfile.flush()
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(parts[1]), parts[1]))
                self.wfile.flush()
                self.wfile.write(b"%X\r\n%s\r\n0\r\nX-Checksum: 42\r\n\r\n" % (len(parts[2]), parts[2]))
            self.wfile.flush()
        elif path == "/both":
            # Transfer-Encoding and Content-Length: chunked wins (RFC 9112 6.3)
            self.wfile.write(b"HTTP/1.1 200 OK\r\nServer: sessions-suite/1\r\nContent-Length: 7\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
            if not head:
                self.wfile.write(b"1e\r\nthirty bytes of chunked body.\r\n0\r\n\r\n")
            self.wfile.flush()
        elif path == "/early":
            # 103 Early Hints (RFC 8297) before the final response
            self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
            self.wfile.flush()
            body = b"after early hints\n"
            self.send(200, "OK", [("Content-Length", len(body)), ("Link", "</style.css>; rel=preload")],
                      body, head)
        elif path == "/abort":
            # a Content-Length of 5000, 1000 bytes, then a reset
            self.wfile.write(b"HTTP/1.1 200 OK\r\nServer: sessions-suite/1\r\nContent-Length: 5000\r\n\r\n")
            self.wfile.write(b"a" * 1000)
            self.wfile.flush()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif path == "/gzip":
            body = gzip.compress(body_for(self.path) * 20, mtime=0)
            self.send(200, "OK", [("Content-Type", "text/plain"), ("Content-Encoding", "gzip"),
                                  ("Content-Length", len(body))], body, head)
        elif path == "/missing":
            body = b"not here\n"
            self.send(404, "Not Found", [("Content-Type", "text/plain"), ("Content-Length", len(body))],
                      body, head)
        elif path == "/old":
            body = b"moved to /new\n"
            self.send(301, "Moved Permanently", [("Location", "/new"), ("Content-Length", len(body))],
                      body, head)
        elif path == "/cookie":
            body = b"cookies set\n"
            self.send(200, "OK", [("Set-Cookie", "sid=abc123; Path=/; HttpOnly"),
                                  ("Set-Cookie", "theme=dark; Max-Age=60"),
                                  ("Content-Length", len(body))], body, head)
        elif path == "/nocontent":
            self.send(204, "No Content", [], b"")
        elif path == "/notmodified":
            # RFC 9110 8.6: a 304 may carry the Content-Length the 200 would have
            self.send(304, "Not Modified", [("ETag", '"v1"'), ("Content-Length", 500)], b"")
        elif path == "/large":
            body = (b"0123456789abcdef" * 18750)[:300000]
            self.send(200, "OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", len(body))], body, head)
        elif path == "/close":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nServer: sessions-suite/1\r\n"
                             b"Content-Type: text/plain\r\nConnection: close\r\n\r\n")
            if not head:
                self.wfile.write(body_for(self.path))
            self.wfile.flush()
            self.close_connection = True
        else:
            body = body_for(self.path)
            self.send(200, "OK", [("Content-Type", "text/plain"), ("Content-Length", len(body))], body,
                      head)

    def do_GET(self):
        self.route()

    def do_CONNECT(self):
        port = int(self.path.rsplit(":", 1)[1])
        with open(self.server.tunnel_file) as f:
            allowed = int(f.read())
        if port != allowed:
            self.send(403, "Forbidden", [("Content-Length", 0)], b"")
            return
        up = socket.create_connection(("127.0.0.1", port))
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True
        down = self.connection
        socks = [down, up]
        while True:
            ready, _, _ = select.select(socks, [], [], 10)
            if not ready:
                break
            done = False
            for r in ready:
                data = r.recv(65536)
                if not data:
                    done = True
                    break
                (up if r is down else down).sendall(data)
            if done:
                break
        up.close()

    def do_HEAD(self):
        self.route(head=True)

    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b"received %d bytes\n" % len(data)
        self.send(201, "Created", [("Content-Type", "text/plain"), ("Content-Length", len(body))], body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that resets its connection is part of the suite


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    srv.tunnel_file = sys.argv[2]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
