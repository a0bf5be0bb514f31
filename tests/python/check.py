"""Checks of the netcap Python module against `netcap dump -json`.

    python3 tests/python/check.py NETCAP TMPDIR CASE_PCAP...

Prints one line per check: "PASS name", "FAIL name: why" or "SKIP name: why"
(tests/python/run.sh counts them). Each capture is turned into records with
NETCAP; every record file written is read with netcap.read and compared,
record by record and value by value, with dump -json -no-names.
"""

import gzip
import json
import math
import os
import re
import struct
import subprocess
import sys

NETCAP, TMP = sys.argv[1], sys.argv[2]
CASES = sys.argv[3:]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

import netcap  # noqa: E402
from netcap import reader  # noqa: E402

try:
    import pandas as pd  # noqa: E402
    import netcap.dataframe  # noqa: E402
except ImportError:
    pd = None
try:
    import zstandard  # noqa: E402
except ImportError:
    zstandard = None


def say(verdict, name, why=""):
    print("%s %s%s" % (verdict, name, ": " + why if why else ""), flush=True)


def normalise(v):
    """A read() value as JSON has it: NaN and infinities are null."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dict):
        return {k: normalise(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalise(x) for x in v]
    return v


def diff(a, b, where=""):
    """The first difference between a read() value a and a JSON value b, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return "%s: fields %s, dump has %s" % (where or "record", list(a), list(b))
        for k in a:
            d = diff(a[k], b[k], where + "." + k if where else k)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "%s: %d elements, dump has %d" % (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (where, i))
            if d:
                return d
        return None
    if type(a) is not type(b) and not (isinstance(a, float) and isinstance(b, int)):
        return "%s: %r (%s), dump has %r (%s)" % (where, a, type(a).__name__, b, type(b).__name__)
    if a != b:
        return "%s: %r, dump has %r" % (where, a, b)
    return None


def dump_json(path):
    r = subprocess.run([NETCAP, "dump", "-read", path, "-json", "-no-names"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("dump failed: %s" % r.stderr.decode(errors="replace").strip())
    return [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]


def compare(path, name):
    want = dump_json(path)
    got = [normalise(d) for d in netcap.read(path)]
    if len(got) != len(want):
        return say("FAIL", name, "%d records, dump -json has %d" % (len(got), len(want)))
    for i, (a, b) in enumerate(zip(got, want)):
        d = diff(a, b)
        if d:
            return say("FAIL", name, "record %d: %s" % (i + 1, d))
    return len(got)


def check_frame(df, path, name, t):
    want = netcap.dataframe.dtypes(t)
    have = {c: str(df[c].dtype) for c in df.columns}
    if list(have) != list(want):
        return "columns %s, schema has %s" % (list(have), list(want))
    for c in want:
        if have[c] != want[c]:
            return "column %s is %s, want %s" % (c, have[c], want[c])
    # the values: times and durations are the record's ns, the rest as read()
    recs = list(netcap.read(path))
    if len(df) != len(recs):
        return "%d rows, %d records" % (len(df), len(recs))
    for c, dt in want.items():
        col = df[c]
        if dt.startswith("datetime64") or dt.startswith("timedelta64"):
            vals = col.array.asi8.tolist() if hasattr(col.array, "asi8") else col.astype("int64").tolist()
        else:
            vals = col.tolist()
        for i, (v, r) in enumerate(zip(vals, recs)):
            x = r[c]
            same = v == x or (isinstance(x, float) and math.isnan(x) and math.isnan(v))
            if not same:
                return "row %d column %s: %r, read() has %r" % (i, c, v, x)
    return None


def capture(pcap, out):
    r = subprocess.run([NETCAP, "capture", "-read", pcap, "-out", out, "-quiet", "-workers", "1"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stderr.decode(errors="replace")


# ---------------------------------------------------------------- corpus
types_seen = set()
total = 0
frames_checked = 0
for pcap in CASES:
    case = os.path.basename(os.path.dirname(pcap))
    out = os.path.join(TMP, "rec-" + case)
    rc, err = capture(pcap, out)
    if rc != 0 or not os.path.isdir(out):
        say("SKIP", "corpus %s" % case, "netcap capture failed (%d): %s" % (rc, err.strip()[:200]))
        continue
    present = netcap.files(out)
    bad = False
    for t, path in present.items():
        try:
            n = compare(path, "read %s/%s" % (case, t))
        except Exception as e:  # a reader error is a failure, with its message
            say("FAIL", "read %s/%s" % (case, t), "%s: %s" % (type(e).__name__, e))
            n = None
        if n is None:
            bad = True
            continue
        total += n
        types_seen.add(t)
        if pd is not None:
            try:
                why = check_frame(netcap.to_dataframe(path), path, case, t)
            except Exception as e:
                why = "%s: %s" % (type(e).__name__, e)
            frames_checked += 1
            if why:
                say("FAIL", "dataframe %s/%s" % (case, t), why)
                bad = True
    if not bad:
        say("PASS", "corpus %s: %d types (%s) equal dump -json%s" % (
            case, len(present), ",".join(present), ", DataFrames checked" if pd is not None else ""))
say("PASS" if total else "FAIL", "corpus: %d records of %d types compared" % (total, len(types_seen)),
    "" if total else "nothing compared")

# ---------------------------------------------------------------- dtypes
if pd is None:
    say("SKIP", "dtypes", "python3-pandas is not installed")
else:
    src = os.path.join(ROOT, "examples", "loopback.pcap")
    out = os.path.join(TMP, "rec-loopback")
    capture(src, out)
    frames = netcap.to_dataframe(out)
    c = frames.get("Connection")
    want = {"timestamp_first": "datetime64[ns, UTC]", "timestamp_last": "datetime64[ns, UTC]",
            "duration": "timedelta64[ns]", "src_ip": "object", "src_port": "int32",
            "total_size": "int64", "ip_protocol": "int32"}
    d = netcap.to_dataframe(out, "DNS")
    want_dns = {"timestamp": "datetime64[ns, UTC]", "qr": "bool", "id": "int32",
                "questions": "object", "response_code": "int32"}
    problems = []
    if c is None:
        problems.append("no Connection records")
    else:
        problems += ["Connection.%s is %s, want %s" % (k, c[k].dtype, v) for k, v in want.items() if str(c[k].dtype) != v]
        first = c["timestamp_first"].iloc[0]
        if first.tzname() != "UTC" or first.value != next(netcap.read(out, "Connection"))["timestamp_first"]:
            problems.append("timestamp_first %r is not the record's ns in UTC" % first)
    problems += ["DNS.%s is %s, want %s" % (k, d[k].dtype, v) for k, v in want_dns.items() if str(d[k].dtype) != v]
    if not isinstance(d["questions"].iloc[0], list) or not isinstance(d["questions"].iloc[0][0], dict):
        problems.append("DNS.questions cells are not lists of dicts")
    if d.attrs.get("netcap_type") != "DNS":
        problems.append("attrs netcap_type %r" % d.attrs.get("netcap_type"))
    # every integer width of the schema maps to its numpy type
    sch = netcap.schema.schema()
    widths = {}
    for full, fields in sch.fields.items():
        for f in fields:
            widths.setdefault((f.kind, f.bits, f.repeated, f.role), (full, f.name))
    for (kind, bits, rep, role), (full, fname) in widths.items():
        if full.split(".")[-1] not in sch.by_name:
            continue
        dt = netcap.dataframe.dtypes(full.split(".")[-1])[fname]
        if kind == netcap.schema.K_UINT and not rep and dt != "uint%d" % bits:
            problems.append("%s.%s (uint%d) maps to %s" % (full, fname, bits, dt))
    if problems:
        say("FAIL", "dtypes", "; ".join(problems))
    else:
        say("PASS", "dtypes: times datetime64[ns, UTC], durations timedelta64[ns], exact integer widths, bool, object for text/nested/repeated")
    # an empty file still has its columns and dtypes
    empty = os.path.join(TMP, "Empty.ncap")
    with open(os.path.join(out, "DNS.ncap.zst"), "rb") as f:
        whole = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True).read() if zstandard else None
    if whole is not None:
        n, shift, hdr_len = 0, 0, 0
        while True:  # the header's varint length prefix
            b = whole[hdr_len]
            hdr_len += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        hdr_len += n
        with open(empty, "wb") as f:
            f.write(whole[:hdr_len])
        e = netcap.to_dataframe(empty)
        if len(e) == 0 and str(e["timestamp"].dtype) == "datetime64[ns, UTC]" and list(e.columns) == list(d.columns):
            say("PASS", "dtypes of a file without records")
        else:
            say("FAIL", "dtypes of a file without records", "%d rows, %s" % (len(e), dict(e.dtypes)))

# ---------------------------------------------------------------- many frames


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


src = os.path.join(ROOT, "examples", "loopback.pcap")
out = os.path.join(TMP, "rec-frames")
capture(src, out)
tcp = os.path.join(out, "TCP.ncap.zst")
plain = subprocess.run(["zstd", "-dcq", tcp], stdout=subprocess.PIPE, check=True).stdout
# split the stream into its messages, then write one zstd frame per message
msgs, pos = [], 0
while pos < len(plain):
    n, shift = 0, 0
    while True:
        b = plain[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    msgs.append(plain[pos - len(varint(n)):pos + n])
    pos += n
records = len(msgs) - 1
multi = os.path.join(TMP, "TCP-frames.ncap.zst")
multi_gz = os.path.join(TMP, "TCP-members.ncap.gz")
if zstandard is not None:
    cctx = zstandard.ZstdCompressor(level=1)
    with open(multi, "wb") as f:
        for m in msgs:
            f.write(cctx.compress(m))
else:
    with open(multi, "wb") as f:
        for m in msgs:
            f.write(subprocess.run(["zstd", "-q", "-c"], input=m, stdout=subprocess.PIPE, check=True).stdout)
with open(multi_gz, "wb") as f:
    for m in msgs:
        f.write(gzip.compress(m))
want = len(dump_json(multi))
got = sum(1 for _ in netcap.read(multi))
got_gz = sum(1 for _ in netcap.read(multi_gz))
if records > 1 and want == records and got == records and got_gz == records:
    say("PASS", "many frames: %d zstd frames and %d gzip members give all %d records" % (len(msgs), len(msgs), records))
else:
    say("FAIL", "many frames", "%d records written; dump %d, read %d (zstd), %d (gzip)" % (records, want, got, got_gz))
if zstandard is not None:
    with open(multi, "rb") as f:
        first = zstandard.ZstdDecompressor().decompressobj().decompress(f.read())
    if first == msgs[0]:
        say("PASS", "the pitfall is real: a one-frame decompress gives the header alone (docs/OUTPUT.md)")
    else:
        say("FAIL", "pitfall", "one-frame decompress gave %d bytes, the header is %d" % (len(first), len(msgs[0])))
# the zstd command instead of the zstandard module
saved = reader.zstandard
reader.zstandard = None
try:
    got_cli = sum(1 for _ in netcap.read(multi))
    cmp_cli = compare(tcp, "read without zstandard")
finally:
    reader.zstandard = saved
if got_cli == records and cmp_cli is not None:
    say("PASS", "without the zstandard module (zstd -dc): all %d records, values equal dump -json" % records)
elif cmp_cli is not None:
    say("FAIL", "without the zstandard module", "%d of %d records" % (got_cli, records))
# netcap capture's own files hold several frames: the header's and the batches'
big = [p for p in CASES if os.path.getsize(p) > 1000000]
if big:
    out = os.path.join(TMP, "rec-big")
    capture(big[0], out)
    path = max((os.path.join(out, f) for f in os.listdir(out)), key=os.path.getsize)
    data = open(path, "rb").read()
    nframes = data.count(b"\x28\xb5\x2f\xfd")
    n = sum(1 for _ in netcap.read(path))
    want = len(dump_json(path))
    if n == want and nframes > 2:
        say("PASS", "a capture's file of about %d frames (%s): all %d records" % (nframes, os.path.basename(path), n))
    else:
        say("FAIL", "a capture's multi-frame file", "%d frames, read %d records, dump %d" % (nframes, n, want))

# ---------------------------------------------------------------- refusals


def refused(name, data, expect):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    try:
        n = sum(1 for _ in netcap.read(path))
    except netcap.NetcapError as e:
        if re.search(expect, str(e)):
            say("PASS", "refuses %s: %s" % (name, e))
        else:
            say("FAIL", "refuses %s" % name, "message %r lacks %r" % (str(e), expect))
        return
    except Exception as e:
        say("FAIL", "refuses %s" % name, "%s instead of NetcapError: %s" % (type(e).__name__, e))
        return
    say("FAIL", "refuses %s" % name, "read %d records without an error" % n)


def message(fields):
    """A protobuf message from (number, value) pairs: int -> varint, bytes -> length-delimited."""
    out = b""
    for num, v in fields:
        if isinstance(v, int):
            out += varint(num << 3) + varint(v)
        else:
            out += varint(num << 3 | 2) + varint(len(v)) + v
    return out


def header_bytes(type_, schema_version, type_name):
    return message([(1, 1), (3, type_), (4, b"test"), (6, schema_version), (7, type_name)])


garbage = bytes((i * 131 + 7) % 256 for i in range(4096))
refused("garbage", garbage, r"not a netcap record file")
refused("empty", b"", r"empty file")
with open(os.path.join(ROOT, "examples", "loopback.pcap"), "rb") as f:
    refused("a pcap", f.read(4096), r"pcap/pcapng capture")
h = header_bytes(50, 99, b"DNS")
refused("a newer schema", varint(len(h)) + h, r"schema v99 is newer than this reader's \(v1\)")
h = header_bytes(9999, 1, b"Future")
refused("an unknown type", varint(len(h)) + h, r'record type 9999 \("Future"\).*newer schema')
goheader = message([(1, b"2020-01-01 00:00:00"), (2, b"x.pcap"), (3, 7), (4, b"v0.5.13")])
refused("a Netcap (Go) file", varint(len(goheader)) + goheader, r"not a netcap record file")
trunc = msgs[0] + msgs[1] + msgs[2][: len(msgs[2]) // 2]
refused("a truncated file", trunc, r"record 2: truncated \(file ends inside the record")
with open(tcp, "rb") as f:
    refused("bad zstd", f.read()[:200] + b"\xff" * 64, r"corrupt zstd data|truncated")
try:
    list(netcap.read(out))
    say("FAIL", "a directory without a type", "no error")
except netcap.NetcapError as e:
    say("PASS", "a directory without a type says which: %s" % e) if "name the record type" in str(e) else say("FAIL", "directory", str(e))

# ---------------------------------------------------------------- module facts
m = re.search(r"NC_SCHEMA_VERSION\s*=\s*(\d+)", open(os.path.join(ROOT, "src", "record", "record.h")).read())
if m and int(m.group(1)) == netcap.SCHEMA_VERSION:
    say("PASS", "SCHEMA_VERSION %d is src/record/record.h's" % netcap.SCHEMA_VERSION)
else:
    say("FAIL", "SCHEMA_VERSION", "module %d, record.h %s" % (netcap.SCHEMA_VERSION, m and m.group(1)))
help_types = re.search(r"record types \(for -include/-exclude\):\s*\n\s*(.*)",
                       subprocess.run([NETCAP, "capture", "-h"], stdout=subprocess.PIPE).stdout.decode()).group(1)
if [t.strip() for t in help_types.split(",")] == netcap.record_types():
    say("PASS", "record_types() are capture -h's %d types" % len(netcap.record_types()))
else:
    say("FAIL", "record_types()", "%s vs capture -h %s" % (netcap.record_types(), help_types))
h = netcap.header(tcp)
if h["type_name"] == "TCP" and h["schema_version"] == netcap.SCHEMA_VERSION and list(h)[:3] == ["created", "input_source", "type"]:
    say("PASS", "header(): %s" % ", ".join("%s=%r" % kv for kv in h.items() if kv[0] in ("type", "type_name", "schema_version")))
else:
    say("FAIL", "header()", repr(h))
