#!/usr/bin/env python3
"""Authoritative DNS responder for the sessions suite (127.0.0.1 only).

    dns_server.py PORT READYFILE

Answers over UDP and TCP (RFC 1035 4.2, RFC 7766: several messages on one
connection, answered in order) on 127.0.0.1:PORT for the zone
sessions.test; writes READYFILE once both sockets listen.

    www.sessions.test     A 192.0.2.1, A 192.0.2.2, AAAA 2001:db8::1
    alias.sessions.test   CNAME www.sessions.test (the A/AAAA records follow)
    txt.sessions.test     TXT "hello world" "second string", TXT "v=spf1 -all"
    big.sessions.test     40 TXT records (~2.7 KB): over UDP the answer is
                          truncated (TC=1, no records), over TCP it is whole
    split.sessions.test   A 192.0.2.9; over TCP the first byte of the length
                          and the rest are written in two segments
    mx.sessions.test      MX 10 mail.sessions.test, MX 20 backup.sessions.test
    _sip._tcp.sessions.test  SRV 10 60 5060 sip.sessions.test
    9.2.0.192.in-addr.arpa   PTR www.sessions.test (the only name outside the zone answered)
    drop.sessions.test    no answer over UDP (the query stays unanswered)
    other name in zone    NXDOMAIN with the SOA in the authority section
    name outside the zone REFUSED

Names in answers are compressed (pointers into the question and into the
CNAME's RDATA). A query with an OPT record gets one back (EDNS0, 1232).
"""
import os
import socket
import struct
import sys
import threading
import time

ZONE = "sessions.test"
A = {"www": ["192.0.2.1", "192.0.2.2"], "split": ["192.0.2.9"]}
AAAA = {"www": ["2001:db8::1"]}
TXT = {"txt": [[b"hello world", b"second string"], [b"v=spf1 -all"]],
       "big": [[b"record %02d " % i + b"z" * 50] for i in range(40)]}
CNAME = {"alias": "www"}
MX = {"mx": [(10, "mail"), (20, "backup")]}
SRV = {"_sip._tcp": [(10, 60, 5060, "sip")]}
PTR_NAME = "9.2.0.192.in-addr.arpa"
TTL = 300


def read_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def rr(owner, rtype, rdata, ttl=TTL):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def answer(query, udp):
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", query[:12])
    name, off = read_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    edns = ar > 0  # the clients here send OPT as their only additional record
    rd = flags & 0x0100
    lname = name.lower()
    rcode, answers, authority, tc = 0, [], [], False
    sub = lname[:-len(ZONE) - 1] if lname.endswith("." + ZONE) else None
    qptr = struct.pack("!H", 0xC00C)
    zone_ptr = struct.pack("!H", 0xC000 | (12 + len(name) - len(ZONE)))
    soa = rr(zone_ptr, 6, b"\x02ns" + zone_ptr + b"\x0ahostmaster" + zone_ptr +
             struct.pack("!IIIII", 2024010101, 3600, 600, 86400, 60), 60)
    if lname == PTR_NAME:
        if qtype == 12:
            answers.append(rr(qptr, 12, b"\x03www\x08sessions\x04test\x00"))
    elif lname != ZONE and sub is None:
        rcode = 5
    elif sub is None or sub not in set(A) | set(AAAA) | set(TXT) | set(CNAME) | set(MX) | set(SRV):
        if lname != ZONE:
            rcode = 3
        authority.append(soa)
    else:
        owner = qptr
        if sub in CNAME:
            # owner: the question name; RDATA "www" + pointer to the zone
            target = CNAME[sub]
            cname_at = 12 + len(question) + 12  # RDATA offset of this record
            answers.append(rr(qptr, 5, bytes([len(target)]) + target.encode() + zone_ptr))
            owner = struct.pack("!H", 0xC000 | cname_at)
            sub = target
        if qtype == 1:
            answers += [rr(owner, 1, socket.inet_aton(ip)) for ip in A.get(sub, [])]
        elif qtype == 28:
            answers += [rr(owner, 28, socket.inet_pton(socket.AF_INET6, ip)) for ip in AAAA.get(sub, [])]
        elif qtype == 16:
            for strings in TXT.get(sub, []):
                answers.append(rr(owner, 16, b"".join(bytes([len(s)]) + s for s in strings)))
        elif qtype == 15:
            for pref, host in MX.get(sub, []):
                answers.append(rr(owner, 15, struct.pack("!H", pref) + bytes([len(host)]) + host.encode() +
                                  zone_ptr))
        elif qtype == 33:
            for prio, weight, port, host in SRV.get(sub, []):
                # RFC 2782: the target is not compressed
                answers.append(rr(owner, 33, struct.pack("!HHH", prio, weight, port) + bytes([len(host)]) +
                                  host.encode() + b"\x08sessions\x04test\x00"))
        if not answers:
            authority.append(soa)  # NODATA
    additional = []
    if edns:
        additional.append(b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0))
    resp_flags = 0x8000 | 0x0400 | rd | rcode  # QR, AA
    body = question + b"".join(answers) + b"".join(authority) + b"".join(additional)
    limit = 1232 if edns else 512
    if udp and 12 + len(body) > limit:
        tc = True
        answers, authority = [], []
        body = question + b"".join(additional)
    if tc:
        resp_flags |= 0x0200
    head = struct.pack("!HHHHHH", qid, resp_flags, 1, len(answers), len(authority), len(additional))
    return head + body, lname


def serve_udp(sock):
    while True:
        data, peer = sock.recvfrom(65535)
        try:
            out, name = answer(data, True)
        except Exception:
            continue
        if name == "drop." + ZONE:
            continue
        sock.sendto(out, peer)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def serve_tcp_conn(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with conn:
        while True:
            hdr = recv_exact(conn, 2)
            if hdr is None:
                return
            msg = recv_exact(conn, struct.unpack("!H", hdr)[0])
            if msg is None:
                return
            try:
                out, name = answer(msg, False)
            except Exception:
                return
            framed = struct.pack("!H", len(out)) + out
            if name.startswith("split."):
                # one byte of the length, then the rest
                conn.sendall(framed[:1])
                time.sleep(0.05)
                conn.sendall(framed[1:])
            else:
                conn.sendall(framed)


def serve_tcp(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn,), daemon=True).start()


def main():
    port = int(sys.argv[1])
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", port))
    t.listen(16)
    threading.Thread(target=serve_udp, args=(u,), daemon=True).start()
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    serve_tcp(t)


if __name__ == "__main__":
    main()
