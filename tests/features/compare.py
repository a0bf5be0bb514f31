#!/usr/bin/env python3
"""Differential test of ConnectionFeatures: netcap's records against ref.py,
an independent implementation over tshark's per-frame fields (see ref.py).

For each case: netcap capture -include ConnectionFeatures, dump -json; every
TCP/UDP record is matched to a reference flow by client, server, protocol and
first timestamp, and every feature compared (integers exactly, doubles within a
relative 1e-9). A flow on one side only fails the case (that is also the check
that no one-packet "appendix" flows follow a connection's FIN or RST).

usage: compare.py --netcap BIN --corpus DIR [--case NAME]... [-v]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref  # noqa: E402

# TCP and UDP over plain Ethernet IPv4/IPv6, no fragments, no tunnels:
# FIN and RST endings (ndpi-443-firefox: FIN, then RSTs in the linger),
# retransmissions (zeek-ssh-basic 13, ndpi-1kxun 47, ndpi-synscan 9, as tshark's
# tcp.analysis counts them), a SYN scan (one- and two-packet flows), IPv6, UDP
CASES = [
    "zeek-http-get", "ndpi-synscan", "zeek-ssh-basic", "ndpi-443-firefox",
    "zeek-cid-udp", "arkime-dns-udp", "ndpi-1kxun", "zeek-wikipedia",
    "zeek-smtp", "ndpi-ftp", "zeek-ftp-ipv6", "ndpi-pop3",
]
REL = 1e-9


def capture_of(corpus, case):
    for ext in ("pcap", "pcapng", "cap"):
        p = os.path.join(corpus, case, case + "." + ext)
        if os.path.exists(p):
            return p
    return None


def netcap_records(netcap, cap, tmp, extra):
    out = os.path.join(tmp, "out")
    subprocess.run([netcap, "capture", "-read", cap, "-out", out, "-quiet", "-workers", "1",
                    "-include", "ConnectionFeatures"] + extra, check=True)
    dump = subprocess.run([netcap, "dump", "-read", os.path.join(out, "ConnectionFeatures.ncap.zst"),
                           "-json"], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in dump.splitlines() if line.strip()]


def same(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and \
            all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= REL * max(1.0, abs(a), abs(b))
    return a == b


def run_case(args, case, tmp):
    cap = capture_of(args.corpus, case)
    if cap is None or not os.path.exists(os.path.join(args.corpus, case, "oracle/tshark/frames.tsv")):
        return "SKIP", "capture or frames.tsv missing", 0, 0, 0
    flows = ref.split_flows(ref.packets(os.path.join(args.corpus, case), cap))
    want = {}
    for f in flows:
        o = ref.features(f)
        key = (f["client"][0], f["client"][1], f["server"][0], f["server"][1], f["proto"],
               o["timestamp_first"])
        want[key] = o
    recs = [r for r in netcap_records(args.netcap, cap, tmp, []) if r.get("ip_protocol") in (6, 17)]
    problems = []
    n_feat = n_ok = 0
    seen = set()
    for r in recs:
        key = (r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"], r["ip_protocol"],
               r["timestamp_first"])
        o = want.get(key)
        if o is None:
            problems.append("netcap flow %s not in the reference (%d packets)" %
                            (key, r["fwd_packets"] + r["bwd_packets"]))
            continue
        seen.add(key)
        for name, v in o.items():
            n_feat += 1
            got = r.get(name, [] if isinstance(v, list) else 0)
            if same(got, v):
                n_ok += 1
            else:
                problems.append("%s:%s -> %s:%s %s: netcap %r, reference %r" %
                                (key[0], key[1], key[2], key[3], name, got, v))
    for key in want:
        if key not in seen:
            problems.append("reference flow %s not written by netcap" % (key,))
    verdict = "FAIL" if problems else "PASS"
    return verdict, problems, len(recs), n_feat, n_ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netcap", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--case", action="append")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    npass = nfail = nskip = 0
    tot_flows = tot_feat = tot_ok = 0
    for case in args.case or CASES:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                verdict, problems, nf, nfeat, nok = run_case(args, case, tmp)
            except (ValueError, subprocess.CalledProcessError, OSError) as e:
                verdict, problems, nf, nfeat, nok = "FAIL", [str(e)], 0, 0, 0
        tot_flows += nf
        tot_feat += nfeat
        tot_ok += nok
        if verdict == "SKIP":
            nskip += 1
            print("SKIP %s: %s" % (case, problems))
        elif verdict == "PASS":
            npass += 1
            print("PASS %s (%d flows, %d/%d feature values equal)" % (case, nf, nok, nfeat))
        else:
            nfail += 1
            print("FAIL %s: %d problems (%d flows, %d/%d feature values equal)" %
                  (case, len(problems), nf, nok, nfeat))
            for p in problems[: (len(problems) if args.v else 10)]:
                print("    " + p)
    print("features: %d flows, %d/%d feature values equal" % (tot_flows, tot_ok, tot_feat))
    print("features: %d passed, %d failed, %d skipped" % (npass, nfail, nskip))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
