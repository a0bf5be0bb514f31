#!/usr/bin/env python3
"""Resource limits under attack: floods must not grow memory past the cap,
and every record must still be written.

  SYN flood: N distinct 4-tuples (one SYN each), run with a small
  -max-flows; peak RSS must stay under the budget, every packet must give
  its Ethernet/IPv4/TCP records, every flow a Connection (most of them
  "evicted" early, as counted in the summary), and the same capture with a
  10x larger -max-flows must use more memory (so the cap is what bounds it).
  Fragment flood: N tiny IPv4 fragments (non-first, no transport header),
  all recorded, memory flat.

Prints PASS/FAIL lines and "limits: N passed, M failed, K skipped".
"""
import os
import struct
import subprocess
import sys
import tempfile

NETCAP = os.environ.get("NETCAP", "build/netcap")
SANITIZED = os.environ.get("NC_SANITIZED") == "1"
N_SYN = 60000 if SANITIZED else 300000
N_FRAG = 50000 if SANITIZED else 200000
results = {"pass": 0, "fail": 0, "skip": 0}


def verdict(ok, name, why=""):
    if ok:
        print(f"PASS {name}")
        results["pass"] += 1
    else:
        print(f"FAIL {name}: {why}")
        results["fail"] += 1


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, frag=0, ident=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                      src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def eth(payload):
    return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + payload


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            ts = 1700000000 + i // 1000
            f.write(struct.pack("<IIII", ts, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


def syn_frames(n):
    dst = bytes([198, 51, 100, 1])
    for i in range(n):
        src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        tcp = struct.pack("!HHIIBBHHH", 1024 + i % 60000, 80, i, 0, 5 << 4, 0x02, 65535, 0, 0)
        yield eth(ipv4(src, dst, 6, tcp))


def frag_frames(n):
    src, dst = bytes([10, 9, 9, 9]), bytes([198, 51, 100, 2])
    for i in range(n):
        # non-first fragments (offset 1..8191 units), 8 bytes of data each
        yield eth(ipv4(src, dst, 17, b"\xaa" * 8, frag=0x2000 | (1 + i % 8000), ident=i & 0xFFFF))


def peak_rss(*argv):
    """Run NETCAP argv; return (exit status, peak RSS in KiB, stderr).
    ru_maxrss of children is the maximum over all children so far, so each
    measured run gets its own python process."""
    code = ("import resource,subprocess,sys;"
            "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
            "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)+'\\n');"
            "sys.stderr.write(p.stderr);sys.exit(p.returncode)")
    p = subprocess.run([sys.executable, "-c", code, NETCAP] + list(argv), capture_output=True,
                       text=True)
    return p.returncode, int(p.stdout.strip() or 0), p.stderr


def measured(pcap, out, *extra):
    return peak_rss("capture", "-read", pcap, "-out", out, "-workers", "2", *extra)


def count(path):
    p = subprocess.run([NETCAP, "dump", "-read", path, "-csv"], capture_output=True, text=True)
    if p.returncode != 0:
        return -1
    return max(0, p.stdout.count("\n") - 1)


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def measured_dump(path):
    return peak_rss("dump", "-read", path, "-json")


def bombs(tmp):
    """Hostile record files for dump: a length prefix far beyond the record
    cap, and zstd/gzip decompression bombs (tiny files that expand to a 60 MB
    record of zeros): each must end in an error naming the record, with
    memory bounded by the record cap, not by what the data claims."""
    header = varint(2) + b"\x18\x32"          # Header{type: NC_DNS}
    huge = header + varint(1 << 40) + b"\0" * 16
    path = os.path.join(tmp, "huge.ncap")
    with open(path, "wb") as f:
        f.write(huge)
    rc, kib, err = measured_dump(path)
    verdict(rc == 2 and "record 1" in err and kib < 64 * 1024,
            f"dump: a 1 TiB length prefix is refused (record 1), peak RSS {kib // 1024} MiB",
            f"rc={rc} {err[-200:]}")
    raw = os.path.join(tmp, "bomb.ncap")
    with open(raw, "wb") as f:
        f.write(header + varint(60 << 20))
        f.write(b"\0" * (60 << 20))
    subprocess.run(["zstd", "-q", "-19", "-f", raw, "-o", raw + ".zst"], check=True)
    subprocess.run(["sh", "-c", f"gzip -9 -c {raw} > {raw}.gz"], check=True)
    limit = (400 if SANITIZED else 200) * 1024
    for ext in (".zst", ".gz"):
        size = os.path.getsize(raw + ext)
        rc, kib, err = measured_dump(raw + ext)
        verdict(rc == 2 and "record 1" in err and kib < limit,
                f"dump: {ext[1:]} bomb ({size} bytes -> 60 MiB of zeros) ends in an error "
                f"naming record 1, peak RSS {kib // 1024} MiB", f"rc={rc} kib={kib} {err[-200:]}")


def main():
    tmp = tempfile.mkdtemp()
    bombs(tmp)
    syn = os.path.join(tmp, "syn.pcap")
    write_pcap(syn, syn_frames(N_SYN))
    small, large = 2000, 200000
    rc, kib_small, err = measured(syn, os.path.join(tmp, "s"), "-max-flows", str(small))
    verdict(rc == 0, "syn-flood runs", err[-300:])
    budget_mib = 400 if SANITIZED else 160
    verdict(kib_small < budget_mib * 1024, f"syn-flood peak RSS {kib_small // 1024} MiB "
            f"< {budget_mib} MiB with -max-flows {small}", f"{kib_small // 1024} MiB")
    n_tcp = count(os.path.join(tmp, "s", "TCP.ncap.zst"))
    n_conn = count(os.path.join(tmp, "s", "Connection.ncap.zst"))
    verdict(n_tcp == N_SYN, f"syn-flood: every TCP record written ({n_tcp}/{N_SYN})", str(n_tcp))
    verdict(n_conn == N_SYN, f"syn-flood: every connection written ({n_conn}/{N_SYN})",
            str(n_conn))
    evicted = None
    for line in err.splitlines():
        if "evicted early" in line:
            evicted = int(line.split("(")[1].split()[5]) if "(" in line else None
    # the cap is split evenly over the 64 shards (rounded up)
    held = -(-small // 64) * 64
    verdict(evicted is not None and evicted >= N_SYN - held,
            f"syn-flood: early writes counted in the summary ({evicted})", err[-300:])
    rc, kib_large, err = measured(syn, os.path.join(tmp, "l"), "-max-flows", str(large))
    verdict(rc == 0 and kib_large > kib_small,
            f"syn-flood: the cap is what bounds memory ({kib_small // 1024} MiB at {small} "
            f"flows, {kib_large // 1024} MiB at {large})", f"{kib_small} vs {kib_large}")

    # the global cap alone (no -max-flows): the flow table is sized to fit
    cap = 160
    rc, kib_cap, err = measured(syn, os.path.join(tmp, "m"), "-max-memory", str(cap),
                                "-max-flows", "100000000")
    slack = 200 if SANITIZED else 24  # libc, zstd contexts, code: not counted by the cap
    n_conn = count(os.path.join(tmp, "m", "Connection.ncap.zst"))
    verdict(rc == 0 and kib_cap < (cap + slack) * 1024 and n_conn == N_SYN,
            f"syn-flood under -max-memory {cap}: peak RSS {kib_cap // 1024} MiB, "
            f"{n_conn}/{N_SYN} connections written", err[-300:])
    rc, _, err = measured(syn, os.path.join(tmp, "m2"), "-max-memory", "8")
    verdict(rc == 1 and "too small" in err, "-max-memory below what the pipeline needs: "
            "usage error naming the minimum", err[-200:])

    frag = os.path.join(tmp, "frag.pcap")
    write_pcap(frag, frag_frames(N_FRAG))
    rc, kib, err = measured(frag, os.path.join(tmp, "f"), "-max-flows", str(small))
    n_ip = count(os.path.join(tmp, "f", "IPv4.ncap.zst"))
    verdict(rc == 0 and n_ip == N_FRAG, f"fragment flood: every IPv4 record written ({n_ip})",
            err[-300:])
    verdict(kib < budget_mib * 1024, f"fragment flood peak RSS {kib // 1024} MiB < {budget_mib} MiB",
            str(kib))
    subprocess.run(["rm", "-rf", tmp])
    print(f"limits: {results['pass']} passed, {results['fail']} failed, {results['skip']} skipped")
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
