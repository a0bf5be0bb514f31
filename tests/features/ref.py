"""Independent reference for ConnectionFeatures (docs/FEATURES.md), python3 stdlib only.

Input: the corpus's tshark per-frame table (oracle/tshark/frames.tsv: frame time,
length, addresses, ports, TCP flags) and, for the three fields it lacks (IP total
length, transport payload length, TCP window), the capture itself, read by the
small pcap/pcapng reader below (Ethernet and 802.1Q only). Frames are joined by
number and checked against each other (frame length, addresses, ports).

Only TCP and UDP flows over plain IPv4/IPv6 are computed: frames with more than
one IP header (tunnels, ICMP errors quoting a packet) or with IP fragments are
not flows here; such a capture must not be used (compare.py refuses it).
"""

import math
import struct

LINGER_NS = 2 * 10**9
TIMEOUT_NS = 300 * 10**9
SUBFLOW_GAP_NS = 10**9
BULK_GAP_NS = 10**9
BULK_MIN = 4
PAY_EDGES = [0, 1, 64, 128, 256, 512, 1024, 1500]
IAT_EDGES = [0, 10**4, 10**5, 10**6, 10**7, 10**8, 10**9, 10**10]
FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"]


# ----------------------------------------------------------------- input

def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            v = line.rstrip("\n").split("\t")
            v += [""] * (len(head) - len(v))
            rows.append(dict(zip(head, v)))
    return rows


def ns_of(epoch):
    s, _, frac = epoch.partition(".")
    return int(s) * 10**9 + int((frac + "000000000")[:9])


def read_frames(path):
    """Raw frames of a pcap or pcapng file: list of (wirelen, bytes)."""
    data = open(path, "rb").read()
    out = []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        link = struct.unpack(e + "I", data[20:24])[0]
        off = 24
        while off + 16 <= len(data):
            _, _, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
            out.append((link, orig, data[off + 16:off + 16 + incl]))
            off += 16 + incl
        return out
    if magic == b"\x0a\x0d\x0d\x0a":
        e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        links = []
        off = 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12:
                break
            body = data[off + 8:off + blen - 4]
            if btype == 0x0A0D0D0A:
                links = []
            elif btype == 1:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6:
                ifc, _, _, incl, orig = struct.unpack(e + "IIIII", body[:20])
                out.append((links[ifc], orig, body[20:20 + incl]))
            elif btype == 3:
                orig = struct.unpack(e + "I", body[:4])[0]
                out.append((links[0], orig, body[4:4 + min(orig, len(body) - 4)]))
            off += blen
        return out
    raise ValueError("not a pcap or pcapng file: " + path)


def l3_facts(link, frame):
    """(ip_len, payload, tcp_window, fragment) of an Ethernet frame, or None."""
    if link != 1 or len(frame) < 14:
        return None
    et = struct.unpack(">H", frame[12:14])[0]
    p = 14
    while et in (0x8100, 0x88A8) and len(frame) >= p + 4:
        et = struct.unpack(">H", frame[p + 2:p + 4])[0]
        p += 4
    ip = frame[p:]
    if et == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        ip_len = struct.unpack(">H", ip[2:4])[0]
        frag = struct.unpack(">H", ip[6:8])[0] & 0x3FFF
        proto = ip[9]
        l4 = ip[ihl:]
        after = ip_len - ihl
    elif et == 0x86DD and len(ip) >= 40:
        ip_len = 40 + struct.unpack(">H", ip[4:6])[0]
        frag = ip[6] == 44
        proto = ip[6]
        l4 = ip[40:]
        after = ip_len - 40
    else:
        return None
    win = None
    if proto == 6 and len(l4) >= 16:
        pay = max(0, after - (l4[12] >> 4) * 4)
        win = struct.unpack(">H", l4[14:16])[0]
    elif proto == 17 and len(l4) >= 8:
        pay = max(0, min(struct.unpack(">H", l4[4:6])[0] - 8, after - 8))
    else:
        pay = None
    return ip_len, pay, win, bool(frag)


def packets(case_dir, capture):
    """Per frame: dict with t, src, dst, sport, dport, proto, flags, ip_len, payload, win.
    Non-flow frames have proto None (they still move capture time)."""
    rows = read_tsv(case_dir + "/oracle/tshark/frames.tsv")
    raw = read_frames(capture)
    if len(raw) != len(rows):
        raise ValueError("frames.tsv has %d frames, the capture %d" % (len(rows), len(raw)))
    out = []
    for r, (link, orig, data) in zip(rows, raw):
        if int(r["frame.len"]) != orig:
            raise ValueError("frame %s: length %s in tshark, %d in the file" % (r["frame.number"], r["frame.len"], orig))
        p = {"t": ns_of(r["frame.time_epoch"]), "proto": None, "n": int(r["frame.number"])}
        out.append(p)
        src = r["ip.src"] or r["ipv6.src"]
        dst = r["ip.dst"] or r["ipv6.dst"]
        if not src or "," in src or "," in r["ip.proto"] or "," in r["ipv6.nxt"]:
            continue
        if r["tcp.srcport"]:
            proto, sp, dp = 6, r["tcp.srcport"], r["tcp.dstport"]
        elif r["udp.srcport"]:
            proto, sp, dp = 17, r["udp.srcport"], r["udp.dstport"]
        else:
            continue
        if "," in sp:
            continue
        facts = l3_facts(link, data)
        if facts is None or facts[1] is None:
            continue
        ip_len, pay, win, frag = facts
        if frag:
            raise ValueError("frame %s is an IP fragment: not supported here" % r["frame.number"])
        p.update(src=src, dst=dst, sport=int(sp), dport=int(dp), proto=proto,
                 flags=int(r["tcp.flags"], 16) if proto == 6 else 0,
                 ip_len=ip_len, payload=min(pay, ip_len), win=win)
    return out


# ----------------------------------------------------------------- flows

def split_flows(pkts):
    """Connections as netcap's table makes them (docs/ARCHITECTURE.md): FIN both
    ways or RST closes, 2 s linger in capture time, SYN on a closing flow starts
    a new one, 5 min idle timeout. Capture time is the running maximum over all
    frames. Returns flows in no particular order."""
    live, done = {}, []
    now = None
    for p in pkts:
        if now is None or p["t"] > now:
            now = p["t"]
            for k in list(live):
                f = live[k]
                if (f["close_t"] is not None and f["close_t"] <= now - LINGER_NS) or \
                        (f["close_t"] is None and f["last_ts"] <= now - TIMEOUT_NS):
                    done.append(live.pop(k))
        if p["proto"] is None:
            continue
        a, b = (p["src"], p["sport"]), (p["dst"], p["dport"])
        k = (p["proto"],) + tuple(sorted([a, b]))
        f = live.get(k)
        syn_only = p["proto"] == 6 and (p["flags"] & 0x12) == 0x02
        if f is not None and f["close_t"] is not None and syn_only:
            done.append(live.pop(k))
            f = None
        if f is not None and f["close_t"] is None and p["t"] - f["last_ts"] > TIMEOUT_NS:
            done.append(live.pop(k))
            f = None
        if f is None:
            synack = p["proto"] == 6 and (p["flags"] & 0x12) == 0x12
            client = b if synack else a
            f = live[k] = {"client": client, "server": a if synack else b, "proto": p["proto"],
                           "pkts": [], "fin": set(), "close_t": None, "last_ts": p["t"]}
        d = 0 if a == f["client"] else 1
        f["pkts"].append((p, d))
        f["last_ts"] = max(f["last_ts"], p["t"])
        if f["close_t"] is None:
            if p["flags"] & 1:
                f["fin"].add(d)
            if p["flags"] & 4 or len(f["fin"]) == 2:
                f["close_t"] = p["t"]
    return done + list(live.values())


# -------------------------------------------------------------- features

def stats(xs):
    """min, max, mean, sample std (two-pass, exact sums)."""
    if not xs:
        return 0, 0, 0.0, 0.0
    n = len(xs)
    mean = math.fsum(xs) / n
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1)) if n > 1 else 0.0
    return min(xs), max(xs), mean, std


def put(out, name, xs):
    out[name + "_min"], out[name + "_max"], out[name + "_mean"], out[name + "_std"] = stats(xs)


def bin_of(x, edges):
    b = 0
    while b + 1 < len(edges) and x >= edges[b + 1]:
        b += 1
    return b


def features(flow, activity_ns=5 * 10**9, seq_n=10):
    pk = flow["pkts"]
    # effective times: never before the previous packet of the flow
    times = []
    for p, _ in pk:
        times.append(p["t"] if not times else max(p["t"], times[-1]))
    dirs = [d for _, d in pk]
    lens = [p["ip_len"] for p, _ in pk]
    pays = [p["payload"] for p, _ in pk]
    o = {"timestamp_first": pk[0][0]["t"], "timestamp_last": max(p["t"] for p, _ in pk)}
    o["duration"] = o["timestamp_last"] - o["timestamp_first"]
    for d, w in ((0, "fwd"), (1, "bwd")):
        idx = [i for i in range(len(pk)) if dirs[i] == d]
        o[w + "_packets"] = len(idx)
        o[w + "_bytes"] = sum(lens[i] for i in idx)
        o[w + "_payload_bytes"] = sum(pays[i] for i in idx)
        o[w + "_header_bytes"] = o[w + "_bytes"] - o[w + "_payload_bytes"]
        put(o, w + "_pkt_len", [lens[i] for i in idx])
        put(o, w + "_payload_len", [pays[i] for i in idx])
        put(o, w + "_iat", [times[j] - times[i] for i, j in zip(idx, idx[1:])])
        for b, name in enumerate(FLAGS):
            o["%s_%s" % (w, name)] = sum(1 for i in idx if pk[i][0]["flags"] >> b & 1)
        tcp = [i for i in idx if pk[i][0]["proto"] == 6]
        o[w + "_init_win"] = pk[tcp[0]][0]["win"] if tcp else -1
    put(o, "pkt_len", lens)
    put(o, "payload_len", pays)
    gaps = [b - a for a, b in zip(times, times[1:])]
    put(o, "iat", gaps)

    # bulks: list the payload packets, cut runs where the way changes or a gap > 1 s
    for d, w in ((0, "fwd"), (1, "bwd")):
        cnt = pk_n = by = dur = 0
        run = []
        for i in range(len(pk)):
            if pays[i] == 0:
                continue
            if dirs[i] != d:
                run = []
                continue
            if run and times[i] - times[run[-1]] > BULK_GAP_NS:
                run = []
            run.append(i)
            if len(run) == BULK_MIN:
                cnt += 1
                pk_n += BULK_MIN
                by += sum(pays[j] for j in run)
                dur += times[i] - times[run[0]]
            elif len(run) > BULK_MIN:
                pk_n += 1
                by += pays[i]
                dur += times[i] - times[run[-2]]
        o[w + "_bulk_count"], o[w + "_bulk_packets"] = cnt, pk_n
        o[w + "_bulk_bytes"], o[w + "_bulk_duration"] = by, dur

    sub = 1 + sum(1 for g in gaps if g > SUBFLOW_GAP_NS)
    o["subflow_count"] = sub
    for w in ("fwd", "bwd"):
        o["subflow_%s_packets" % w] = o[w + "_packets"] / sub
        o["subflow_%s_bytes" % w] = o[w + "_bytes"] / sub

    # active periods: maximal runs without a gap over the timeout
    active, idle, start = [], [], times[0]
    for i, g in enumerate(gaps):
        if g > activity_ns:
            active.append(times[i] - start)
            idle.append(g)
            start = times[i + 1]
    active.append(times[-1] - start)
    o["activity_timeout"] = activity_ns
    o["active_count"], o["idle_count"] = len(active), len(idle)
    put(o, "active", active)
    put(o, "idle", idle)

    pb, ib = [0] * 8, [0] * 8
    for x in pays:
        pb[bin_of(x, PAY_EDGES)] += 1
    for g in gaps:
        ib[bin_of(g, IAT_EDGES)] += 1
    o["payload_len_bins"], o["iat_bins"] = pb, ib
    o["first_pkt_lens"] = [min(x, 65535) for x in lens[:seq_n]]
    o["first_pkt_dirs"] = dirs[:seq_n]

    syn = synack = ack = None
    if flow["proto"] == 6:
        for i, (p, d) in enumerate(pk):
            s, a = p["flags"] & 2, p["flags"] & 16
            if synack is None:
                if d == 0 and s and not a:
                    syn = times[i]
                elif d == 1 and s and a:
                    synack = times[i]
            elif ack is None and d == 0 and a and not s:
                ack = times[i]
    o["tcp_rtt_syn_synack"] = synack - syn if syn is not None and synack is not None else -1
    o["tcp_rtt_synack_ack"] = ack - synack if synack is not None and ack is not None else -1
    o["tcp_rtt"] = (o["tcp_rtt_syn_synack"] + o["tcp_rtt_synack_ack"]
                    if o["tcp_rtt_syn_synack"] >= 0 and o["tcp_rtt_synack_ack"] >= 0 else -1)
    return o
