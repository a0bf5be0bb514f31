#!/usr/bin/env python3
"""Crafts record files for tests/util/run.sh, from plain (uncompressed) ones.

A record file is varint-delimited protobuf messages: a Header, then records
(src/record/encode.h). This script parses only that framing and the top-level
fields of a message, which is all the damage below needs.

  craft.py offsets FILE              offsets of the header and each record, one a line
  craft.py cut FILE OUT K            OUT ends in the middle of record K
  craft.py badtag FILE OUT K         record K's first tag gets wire type 7 (invalid)
  craft.py garbage FILE OUT          the header, then garbage instead of records
  craft.py headeronly FILE OUT       the header alone (a file without records)
  craft.py header FILE OUT F=V ...   header field F set to V (int, or 's:text')
  craft.py setvar FILE OUT K F V     record K's varint field F set to V
  craft.py swap FILE OUT K           records K and K+1 swapped
  craft.py netcap-go OUT TYPE [nocreated] [plain]
                                     a Netcap (Go) file: its Header (Created=1 string,
                                     InputSource=2, Type=3, Version=4, ContainsPayloads=5),
                                     then 3 records; gzip'd unless 'plain'
"""
import gzip
import sys


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def get_varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def frames(data):
    """[(offset, message bytes)] for the header and every record."""
    out, i = [], 0
    while i < len(data):
        start = i
        n, i = get_varint(data, i)
        out.append((start, data[i:i + n]))
        i += n
    return out


def join(msgs):
    return b"".join(varint(len(m)) + m for m in msgs)


def fields(msg):
    """[(field, wire, raw value bytes or int)] of the top-level fields."""
    out, i = [], 0
    while i < len(msg):
        key, i = get_varint(msg, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = get_varint(msg, i)
        elif w == 2:
            n, i = get_varint(msg, i)
            v, i = msg[i:i + n], i + n
        elif w == 1:
            v, i = msg[i:i + 8], i + 8
        elif w == 5:
            v, i = msg[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % w)
        out.append((f, w, v))
    return out


def encode(flds):
    out = bytearray()
    for f, w, v in sorted(flds, key=lambda x: x[0]):
        out += varint(f << 3 | w)
        if w == 0:
            out += varint(v)
        elif w == 2:
            out += varint(len(v)) + v
        else:
            out += v
    return bytes(out)


def setfield(msg, f, value):
    flds = [x for x in fields(msg) if x[0] != f]
    if isinstance(value, str) and value.startswith("s:"):
        flds.append((f, 2, value[2:].encode()))
    else:
        flds.append((f, 0, int(value)))
    return encode(flds)


def main(a):
    cmd = a[0]
    if cmd == "netcap-go":
        out, typ = a[1], int(a[2])
        flds = [] if "nocreated" in a else [(1, 2, b"2020-01-02 15:04:05.123456 +0000 UTC")]
        flds += [(2, 2, b"traffic.pcap"), (3, 0, typ), (4, 2, b"v0.5.13")]
        if "nocreated" not in a:
            flds.append((5, 0, 1))
        rec = encode([(1, 2, b"1578000000.123456"), (2, 0, 7)])
        data = join([encode(flds), rec, rec, rec])
        open(out, "wb").write(data if "plain" in a else gzip.compress(data))
        return
    data = open(a[1], "rb").read()
    fr = frames(data)
    msgs = [m for _, m in fr]
    if cmd == "offsets":
        for off, _ in fr:
            print(off)
        return
    out = a[2]
    if cmd == "cut":
        k = int(a[3])
        off, m = fr[k]
        end = off + len(varint(len(m))) + len(m) // 2
        res = data[:end]
    elif cmd == "badtag":
        k = int(a[3])
        m = bytearray(msgs[k])
        m[0] = (m[0] & 0xF8) | 7
        msgs[k] = bytes(m)
        res = join(msgs)
    elif cmd == "garbage":
        res = join(msgs[:1]) + b"\xff" * 11 + b"garbage"
    elif cmd == "headeronly":
        res = join(msgs[:1])
    elif cmd == "header":
        h = msgs[0]
        for kv in a[3:]:
            f, v = kv.split("=", 1)
            h = setfield(h, int(f), v)
        msgs[0] = h
        res = join(msgs)
    elif cmd == "setvar":
        k, f, v = int(a[3]), int(a[4]), int(a[5])
        msgs[k] = setfield(msgs[k], f, v)
        res = join(msgs)
    elif cmd == "swap":
        k = int(a[3])
        msgs[k], msgs[k + 1] = msgs[k + 1], msgs[k]
        res = join(msgs)
    else:
        raise SystemExit("unknown command " + cmd)
    open(out, "wb").write(res)


if __name__ == "__main__":
    main(sys.argv[1:])
