#!/usr/bin/env python3
"""Checks for tests/export/run.sh. Each mode prints what differs and exits 1,
or prints a one-line summary and exits 0.

  compare.py summary SCRAPE CAPTURE_STDERR   records per type, packets, bytes
                                             equal the capture summary
  compare.py dump SCRAPE NETCAP DIR          records per type, DNS rcodes,
                                             connection end reasons, HTTP
                                             classes and methods, TCP SYNs
                                             equal what `netcap dump` reads
  compare.py same SCRAPE_A SCRAPE_B FAMILY.. the families are equal
  compare.py value SCRAPE NAME [k=v ...]     prints one sample's value
"""
import csv
import io
import re
import subprocess
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(path):
    """{name: {frozenset(labels): value}}"""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                raise SystemExit("unparsable line: %r" % line)
            labels = frozenset(LABEL.findall(m.group(2) or ""))
            out.setdefault(m.group(1), {})[labels] = float(m.group(3))
    return out


def by(metrics, name, label):
    """{label value: value} of a family with one label, zeros left out."""
    return {dict(k)[label]: v for k, v in metrics.get(name, {}).items() if v}


def one(metrics, name):
    return metrics.get(name, {}).get(frozenset(), None)


def dump_rows(netcap, path, fmt="-csv"):
    p = subprocess.run([netcap, "dump", "-read", path, fmt], capture_output=True, text=True,
                       check=True)
    if fmt == "-json":
        return p.stdout.count("\n")
    return list(csv.DictReader(io.StringIO(p.stdout)))


def check(errors, what, got, want):
    if got != want:
        errors.append("%s: metrics %r, expected %r" % (what, got, want))


def summary(scrape, err):
    m = parse(scrape)
    want = {}
    packets = bytes_ = None
    in_records = False
    for line in open(err, encoding="utf-8"):
        g = re.match(r'^netcap: .*: (\d+) packets \((\d+) bytes\)', line)
        if g:
            packets, bytes_ = float(g.group(1)), float(g.group(2))
        if line.startswith("  records written:"):
            in_records = True
            continue
        if in_records:
            g = re.match(r'^    (\S+)\s+(\d+)$', line)
            if g:
                want[g.group(1)] = float(g.group(2))
                continue
            in_records = False
    errors = []
    check(errors, "records per type", by(m, "netcap_records_total", "type"), want)
    check(errors, "packets", one(m, "netcap_packets_total"), packets)
    check(errors, "bytes", one(m, "netcap_bytes_total"), bytes_)
    return errors, "%d types, %d records, %d packets" % (len(want), sum(want.values()), packets or 0)


def dump(scrape, netcap, d):
    import os
    m = parse(scrape)
    errors = []
    want = {}
    for f in sorted(os.listdir(d)):
        if f.endswith(".ncap.zst"):
            want[f[:-len(".ncap.zst")]] = float(dump_rows(netcap, os.path.join(d, f), "-json"))
    check(errors, "records per type (dump -json lines)", by(m, "netcap_records_total", "type"),
          {k: v for k, v in want.items() if v})
    extra = ""
    if "DNS" in want:
        rc, qt = {}, {}
        for r in dump_rows(netcap, os.path.join(d, "DNS.ncap.zst")):
            if r["qr"] == "true":
                n = r["response_code_name"] if int(r["response_code"]) < 16 else "other"
                rc[n] = rc.get(n, 0) + 1
        check(errors, "DNS rcodes (dump -csv)", by(m, "netcap_dns_responses_total", "rcode"),
              {k: float(v) for k, v in rc.items()})
        extra += " rcodes %s" % sorted(rc.items())
    if "Connection" in want:
        er = {}
        for r in dump_rows(netcap, os.path.join(d, "Connection.ncap.zst")):
            er[r["end_reason"]] = er.get(r["end_reason"], 0) + 1
        check(errors, "connection end reasons",
              by(m, "netcap_connections_closed_total", "reason"),
              {k: float(v) for k, v in er.items()})
        extra += " ends %s" % sorted(er.items())
    if "HTTP" in want:
        cl, me = {}, {}
        for r in dump_rows(netcap, os.path.join(d, "HTTP.ncap.zst")):
            s = int(r["status_code"])
            c = "none" if s == 0 else "%dxx" % (s // 100) if 100 <= s <= 599 else "other"
            cl[c] = cl.get(c, 0) + 1
            me[r["method"]] = me.get(r["method"], 0) + 1
        check(errors, "HTTP classes", by(m, "netcap_http_responses_total", "class"),
              {k: float(v) for k, v in cl.items()})
        check(errors, "HTTP methods", by(m, "netcap_http_requests_total", "method"),
              {k: float(v) for k, v in me.items()})
        extra += " http %s" % sorted(cl.items())
    if "TCP" in want:
        syn = sum(1 for r in dump_rows(netcap, os.path.join(d, "TCP.ncap.zst"))
                  if r["syn"] == "true")
        check(errors, "TCP SYN", by(m, "netcap_tcp_flags_total", "flag").get("syn", 0.0),
              float(syn))
        extra += " syn %d" % syn
    return errors, "%d files;%s" % (len(want), extra)


def same(a, b, families):
    ma, mb = parse(a), parse(b)
    errors = []
    for f in families:
        x = {k: v for k, v in ma.get(f, {}).items() if v}
        y = {k: v for k, v in mb.get(f, {}).items() if v}
        if x != y:
            errors.append("%s differs: %r vs %r" % (f, sorted(x.items()), sorted(y.items())))
    return errors, "%d families equal" % len(families)


def main():
    mode = sys.argv[1]
    if mode == "value":
        m = parse(sys.argv[2])
        want = frozenset(tuple(a.split("=", 1)) for a in sys.argv[4:])
        v = m.get(sys.argv[3], {}).get(want)
        print("missing" if v is None else "%g" % v)
        return 0
    if mode == "summary":
        errors, msg = summary(sys.argv[2], sys.argv[3])
    elif mode == "dump":
        errors, msg = dump(sys.argv[2], sys.argv[3], sys.argv[4])
    elif mode == "same":
        errors, msg = same(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        raise SystemExit("unknown mode " + mode)
    for e in errors:
        print(e)
    if not errors:
        print(msg)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
