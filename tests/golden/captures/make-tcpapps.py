#!/usr/bin/env python3
"""Writes tcpapps.pcap: Modbus/TCP, EtherNet/IP, SIP over TCP and Diameter
over TCP messages that only a reassembled stream decodes right (the stream
parsers src/proto/{modbus,enip,sip,diameter}_tcp.c). Hand-made,
deterministic, no dependencies:
    python3 make-tcpapps.py [OUT]
  1. Modbus on 502: a request split 3 + 9 bytes, its response, two requests
     in one segment, a retransmitted segment (read once);
  2. Modbus picked up mid-stream, the server's bytes first (no handshake):
     found by the client-side port 502, responses from 502;
  3. ENIP on 44818: RegisterSession and its reply, a SendRRData whose CIP
     request is split over three segments, the reply retransmitted;
  4. SIP over TCP on 5060: an INVITE whose SDP body is split, 100 Trying
     and 200 OK in one segment, a CRLFCRLF keep-alive, then an ACK;
  5. Diameter on 3868: a CER split inside its header, the CEA, a DWR and
     DWA in one segment each, the DWR retransmitted;
  6. Diameter on 3869 (no parser claims it): found by content.
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


class Conn:
    """One TCP connection: sequence numbers kept per side."""

    def __init__(self, cap, cli, srv, sp, dp, ic=1000, isv=5000, handshake=True):
        self.c, self.cli, self.srv, self.sp, self.dp = cap, cli, srv, sp, dp
        self.seq = [ic + 1, isv + 1]
        if handshake:
            cap.add(cli, srv, sp, dp, ic, 0, 0x02)
            cap.add(srv, cli, dp, sp, isv, ic + 1, 0x12)
            cap.add(cli, srv, sp, dp, ic + 1, isv + 1, 0x10)

    def send(self, d, data, advance=True, seq=None):
        s = self.seq[d] if seq is None else seq
        if d == 0:
            self.c.add(self.cli, self.srv, self.sp, self.dp, s, self.seq[1], 0x18, data)
        else:
            self.c.add(self.srv, self.cli, self.dp, self.sp, s, self.seq[0], 0x18, data)
        if advance:
            self.seq[d] += len(data)
        return s

    def close(self):
        self.c.add(self.cli, self.srv, self.sp, self.dp, self.seq[0], self.seq[1], 0x11)
        self.c.add(self.srv, self.cli, self.dp, self.sp, self.seq[1], self.seq[0] + 1, 0x11)
        self.c.add(self.cli, self.srv, self.sp, self.dp, self.seq[0] + 1, self.seq[1] + 1, 0x10)


def mbap(tid, unit, pdu):
    return struct.pack("!HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def enip(cmd, session, data, ctx=b"\x01\x02\x03\x04\x05\x06\x07\x08"):
    return struct.pack("<HHII", cmd, len(data), session, 0) + ctx + struct.pack("<I", 0) + data


def rr_data(cip):
    items = struct.pack("<HHH", 2, 0, 0) + struct.pack("<HH", 0xB2, len(cip)) + cip
    return struct.pack("<IH", 0, 10) + items


def avp(code, data, flags=0x40):
    n = 8 + len(data)
    return struct.pack("!IB", code, flags) + n.to_bytes(3, "big") + data + b"\0" * ((4 - n % 4) % 4)


def diameter(code, request, hbh, avps=b"", app=0):
    n = 20 + len(avps)
    return (b"\x01" + n.to_bytes(3, "big") + bytes([0x80 if request else 0]) + code.to_bytes(3, "big")
            + struct.pack("!III", app, hbh, hbh + 0x1000) + avps)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tcpapps.pcap"
    c = Cap()
    a, b = [192, 0, 2, 10], [198, 51, 100, 20]

    # 1. Modbus
    m = Conn(c, a, b, 40001, 502)
    req1 = mbap(1, 10, b"\x03\x00\x05\x00\x02")
    m.send(0, req1[:3])
    m.send(0, req1[3:])
    m.send(1, mbap(1, 10, b"\x03\x04\x00\x2a\x00\x2b"))
    two = mbap(2, 10, b"\x06\x00\x07\x12\x34") + mbap(3, 10, b"\x01\x00\x00\x00\x08")
    s = m.send(0, two)
    m.send(0, two, advance=False, seq=s)  # retransmitted
    m.send(1, mbap(2, 10, b"\x06\x00\x07\x12\x34") + mbap(3, 10, b"\x81\x02"))
    m.close()

    # 2. Modbus mid-stream, the server's bytes first
    m2 = Conn(c, a, b, 40002, 502, handshake=False)
    m2.send(1, mbap(7, 1, b"\x04\x02\x00\x01"))
    m2.send(0, mbap(8, 1, b"\x04\x00\x00\x00\x01"))
    m2.send(1, mbap(8, 1, b"\x04\x02\x00\x02"))

    # 3. ENIP
    e = Conn(c, a, b, 40003, 44818)
    e.send(0, enip(0x65, 0, b"\x01\x00\x00\x00"))
    e.send(1, enip(0x65, 0x12345678, b"\x01\x00\x00\x00"))
    cip_req = b"\x0e\x03\x20\x01\x24\x01\x30\x07"  # Get_Attribute_Single 1/1/7
    msg = enip(0x6F, 0x12345678, rr_data(cip_req))
    e.send(0, msg[:20])
    e.send(0, msg[20:38])
    e.send(0, msg[38:])
    cip_rep = b"\x8e\x00\x00\x00" + b"\x05PLC-1"
    rep = enip(0x6F, 0x12345678, rr_data(cip_rep))
    s = e.send(1, rep)
    e.send(1, rep, advance=False, seq=s)  # retransmitted
    e.close()

    # 4. SIP over TCP
    sdp = b"v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    invite = (b"INVITE sip:bob@example.com SIP/2.0\r\n"
              b"Via: SIP/2.0/TCP 192.0.2.10:40004;branch=z9hG4bKtcp1\r\n"
              b"From: <sip:alice@example.com>;tag=a1\r\n"
              b"To: <sip:bob@example.com>\r\n"
              b"Call-ID: tcp-call-1@192.0.2.10\r\n"
              b"CSeq: 1 INVITE\r\n"
              b"Contact: <sip:alice@192.0.2.10:40004;transport=tcp>\r\n"
              b"Content-Type: application/sdp\r\n"
              b"Content-Length: " + str(len(sdp)).encode() + b"\r\n\r\n" + sdp)
    def resp(code, reason, body=b""):
        return (b"SIP/2.0 " + code + b" " + reason + b"\r\n"
                b"Via: SIP/2.0/TCP 192.0.2.10:40004;branch=z9hG4bKtcp1\r\n"
                b"From: <sip:alice@example.com>;tag=a1\r\n"
                b"To: <sip:bob@example.com>;tag=b1\r\n"
                b"Call-ID: tcp-call-1@192.0.2.10\r\n"
                b"CSeq: 1 INVITE\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    ack = (b"ACK sip:bob@example.com SIP/2.0\r\n"
           b"Via: SIP/2.0/TCP 192.0.2.10:40004;branch=z9hG4bKtcp2\r\n"
           b"From: <sip:alice@example.com>;tag=a1\r\n"
           b"To: <sip:bob@example.com>;tag=b1\r\n"
           b"Call-ID: tcp-call-1@192.0.2.10\r\n"
           b"CSeq: 1 ACK\r\n"
           b"l: 0\r\n\r\n")
    sp = Conn(c, a, b, 40004, 5060)
    cut = len(invite) - 20
    sp.send(0, invite[:cut])
    sp.send(0, invite[cut:])
    sp.send(1, resp(b"100", b"Trying") + resp(b"200", b"OK", sdp))
    sp.send(0, b"\r\n\r\n")
    sp.send(0, ack)
    sp.close()

    # 5. Diameter on 3868
    origin = avp(264, b"client.example.com") + avp(296, b"example.com")
    cer = diameter(257, True, 0x100, origin + avp(257, b"\x00\x01\xc0\x00\x02\x0a")
                   + avp(266, struct.pack("!I", 0)) + avp(269, b"netcap-test"))
    cea = diameter(257, False, 0x100, avp(268, struct.pack("!I", 2001))
                   + avp(264, b"server.example.com") + avp(296, b"example.com"))
    d = Conn(c, a, b, 40005, 3868)
    d.send(0, cer[:10])
    d.send(0, cer[10:])
    d.send(1, cea)
    dwr = diameter(280, True, 0x101, origin)
    s = d.send(0, dwr)
    d.send(0, dwr, advance=False, seq=s)  # retransmitted
    srv = avp(264, b"server.example.com") + avp(296, b"example.com")
    d.send(1, diameter(280, False, 0x101, avp(268, struct.pack("!I", 2001)) + srv))
    d.close()

    # 6. Diameter on 3869, found by content
    d2 = Conn(c, a, b, 40006, 3869)
    d2.send(0, diameter(280, True, 0x200, origin))
    d2.send(1, diameter(280, False, 0x200, avp(268, struct.pack("!I", 2001)) + srv))
    d2.close()

    c.write(out)


if __name__ == "__main__":
    main()
