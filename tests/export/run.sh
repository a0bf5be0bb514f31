#!/bin/sh
# netcap export: Prometheus metrics over HTTP. Servers listen on 127.0.0.1
# (export on a port it picks, prometheus on a free one), work in $tmp, and
# are stopped by pid.
#   - file mode with -linger: promtool check metrics passes; the counts equal
#     capture's summary and what dump reads (records per type, DNS rcodes,
#     connection end reasons, HTTP classes and methods, TCP SYNs); the record
#     files equal capture's byte for byte (metrics never change records)
#   - a real prometheus scrapes it every second; /api/v1/query returns the counts
#   - replay of the record directory gives the same counts
#   - -per-ip N caps the address labels at N plus "other"
#   - hostile HTTP (huge URL, wrong methods, garbage, 300 connections, a
#     slow client) neither crashes nor wedges it
#   - live capture on lo (skipped without permission); bad flags
#   - agent -metrics (live on lo, a nats-server started here): broker down:
#     broker_up 0, batches wait in the spool, none acknowledged; broker
#     started: broker_up 1, the spool drains, every sealed batch
#     acknowledged, failed attempts counted as resends; promtool clean
# Uses a mix of corpus captures (skipped without ../shared/corpus).
set -u
suite=export
. "$(dirname "$0")/../lib.sh"
require_netcap

pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cmp_py="$here/compare.py"

# wait_for FILE PATTERN SECONDS: poll until FILE has a line matching PATTERN
wait_for() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# start_export NAME ARGS...: runs netcap export on 127.0.0.1:0 in the
# background; sets pid and port (empty if it did not come up)
start_export() {
    name=$1
    shift
    "$NETCAP" export -listen 127.0.0.1:0 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    pid=$!
    pids="$pids $pid"
    port=""
    if wait_for "$tmp/$name.err" "serving http://" 10; then
        port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$tmp/$name.err")
    fi
}

stop() { # stop PID: SIGTERM, wait; st gets the exit status
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    st=$?
}

scrape() { # scrape PORT FILE [PATH]
    curl -s -S --max-time 5 -o "$2" "http://127.0.0.1:$1${3:-/metrics}"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if ! command -v curl > /dev/null; then
    skp all "curl is missing (scripts/bootstrap.sh installs it)"; summary; exit $?
fi

# -------------------------------------------------------------- bad flags
st=0
"$NETCAP" export -replay "$tmp" -listen nonsense > /dev/null 2> "$tmp/bad.err" || st=$?
[ "$st" = 1 ] && ok "-listen nonsense: exit 1" || bad listen "exit $st: $(cat "$tmp/bad.err")"
st=0
"$NETCAP" export -replay "$tmp" -listen 127.0.0.1:99999 > /dev/null 2> "$tmp/bad.err" || st=$?
[ "$st" = 1 ] && ok "-listen port out of range: exit 1" || bad listen-range "exit $st: $(cat "$tmp/bad.err")"
st=0
"$NETCAP" export -replay "$tmp" -linger forever > /dev/null 2> "$tmp/bad.err" || st=$?
[ "$st" = 1 ] && ok "-linger forever: exit 1" || bad linger "exit $st"

if [ -z "$CORPUS" ]; then
    skp corpus "no ../shared/corpus"; summary; exit $?
fi
mix="$tmp/mix.pcap"
mergecap -a -w "$mix" "$CORPUS/zeek-wikipedia/zeek-wikipedia.pcap" \
    "$CORPUS/arkime-dns-udp/arkime-dns-udp.pcap" "$CORPUS/arkime-dns-tcp/arkime-dns-tcp.pcap" \
    "$CORPUS/zeek-http-get/zeek-http-get.pcap" "$CORPUS/zeek-tls12/zeek-tls12.pcap" \
    "$CORPUS/ndpi-443-firefox/ndpi-443-firefox.pcap" 2> "$tmp/merge.err" || {
    bad mix "mergecap: $(cat "$tmp/merge.err")"; summary; exit 1; }

# reference: plain capture
"$NETCAP" capture -read "$mix" -out "$tmp/ref" -workers 2 2> "$tmp/ref.err" ||
    bad capture "$(cat "$tmp/ref.err")"

# ------------------------------------------------------- file mode + linger
start_export file -read "$mix" -out "$tmp/exp" -workers 2 -linger 120s
file_pid=$pid
file_port=$port
if [ -z "$port" ]; then
    bad file-mode "export did not come up: $(head -c 500 "$tmp/file.err")"
else
    if wait_for "$tmp/file.err" "input done" 20; then
        scrape "$port" "$tmp/file.prom" || bad file-scrape "curl failed"
        if out=$(promtool check metrics < "$tmp/file.prom" 2>&1); then
            ok "promtool check metrics: clean"
        else
            bad promtool "$out"
        fi
        out=$(python3 "$cmp_py" summary "$tmp/file.prom" "$tmp/file.err") &&
            ok "file mode equals export's summary: $out" || bad file-summary "$out"
        out=$(python3 "$cmp_py" summary "$tmp/file.prom" "$tmp/ref.err") &&
            ok "file mode equals capture's summary: $out" || bad capture-summary "$out"
        out=$(python3 "$cmp_py" dump "$tmp/file.prom" "$NETCAP" "$tmp/ref" 2>&1) &&
            ok "file mode equals dump: $out" || bad dump-counts "$out"
        v=$(python3 "$cmp_py" value "$tmp/file.prom" netcap_capture_running)
        [ "$v" = 0 ] && ok "netcap_capture_running 0 after the end" || bad running "got $v"
        diffs=""
        for f in "$tmp/ref"/*; do
            cmp -s "$f" "$tmp/exp/$(basename "$f")" || diffs="$diffs $(basename "$f")"
        done
        n_ref=$(ls "$tmp/ref" | wc -l)
        n_exp=$(ls "$tmp/exp" | wc -l)
        [ -z "$diffs" ] && [ "$n_ref" = "$n_exp" ] &&
            ok "export -out writes the same $n_ref files as capture, byte for byte" ||
            bad identical "differ:$diffs ($n_ref vs $n_exp files)"
    else
        bad file-mode "no 'input done' within 20 s: $(tail -c 500 "$tmp/file.err")"
    fi
fi

if [ -n "$file_port" ]; then
    st=0
    "$NETCAP" export -replay "$tmp/ref" -listen "127.0.0.1:$file_port" > /dev/null 2> "$tmp/inuse.err" || st=$?
    [ "$st" = 2 ] && ok "-listen on a port in use: exit 2" || bad in-use "exit $st: $(cat "$tmp/inuse.err")"
fi

# --------------------------------------------------- prometheus scrapes it
if ! command -v prometheus > /dev/null; then
    skp prometheus "prometheus is missing (scripts/bootstrap.sh installs it)"
elif [ -n "$file_port" ] && [ -f "$tmp/file.prom" ]; then
    pport=$(free_port)
    mkdir -p "$tmp/prom"
    cat > "$tmp/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: netcap
    static_configs:
      - targets: ['127.0.0.1:$file_port']
EOF
    prometheus --config.file="$tmp/prom/prometheus.yml" --storage.tsdb.path="$tmp/prom/data" \
        --web.listen-address="127.0.0.1:$pport" --log.level=warn > "$tmp/prom.log" 2>&1 &
    prom_pid=$!
    pids="$pids $prom_pid"
    want=$(python3 "$cmp_py" value "$tmp/file.prom" netcap_records_total type=DNS)
    want_nx=$(python3 "$cmp_py" value "$tmp/file.prom" netcap_dns_responses_total rcode=NOERROR)
    got=""
    i=0
    while [ $i -lt 60 ]; do # 30 s at most; usually 2-4 s
        got=$(curl -s --max-time 2 "http://127.0.0.1:$pport/api/v1/query" \
            --data-urlencode 'query=netcap_records_total{type="DNS",job="netcap"}' 2>/dev/null |
            python3 -c 'import json,sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")' 2>/dev/null)
        [ -n "$got" ] && break
        sleep 0.5
        i=$((i + 1))
    done
    got_nx=$(curl -s --max-time 2 "http://127.0.0.1:$pport/api/v1/query" \
        --data-urlencode 'query=sum(netcap_dns_responses_total{rcode="NOERROR"})' |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")')
    if [ -n "$got" ] && [ "$got" = "$want" ] && [ "$got_nx" = "$want_nx" ]; then
        ok "prometheus scraped export: DNS records $got, NOERROR responses $got_nx (after $((i / 2)) s)"
    else
        bad prometheus "query gave '$got' and '$got_nx', expected $want and $want_nx: $(tail -c 300 "$tmp/prom.log")"
    fi
    # every query of the Grafana dashboard parses and runs
    out=$(python3 - "$pport" "$root/contrib/grafana/netcap.json" <<'PY'
import json, sys, urllib.parse, urllib.request
port, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
bad, n = [], 0
for p in d["panels"]:
    for t in p["targets"]:
        q = t["expr"].replace("$instance", ".*").replace("$__rate_interval", "1m")
        url = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))
        try:
            r = json.load(urllib.request.urlopen(url, timeout=5))
            ok = r.get("status") == "success"
        except Exception as e:
            ok = False
        n += 1
        if not ok:
            bad.append(q)
print("%d queries" % n if not bad else "failed: %s" % bad)
sys.exit(1 if bad else 0)
PY
    ) && ok "Grafana dashboard: $out run on prometheus" || bad dashboard "$out"
    kill "$prom_pid" 2>/dev/null
    wait "$prom_pid" 2>/dev/null
fi
if [ -n "$file_pid" ]; then
    stop "$file_pid"
    [ "$st" = 0 ] && ok "file mode: SIGTERM during -linger ends it, exit 0" || bad file-exit "exit $st"
fi

# ----------------------------------------------------------------- replay
start_export replay -replay "$tmp/ref"
replay_pid=$pid
if [ -z "$port" ]; then
    bad replay "export -replay did not come up: $(head -c 500 "$tmp/replay.err")"
elif ! wait_for "$tmp/replay.err" "record files read" 20; then
    bad replay "no end of replay within 20 s"
else
    replay_port=$port
    scrape "$port" "$tmp/replay.prom"
    out=$(python3 "$cmp_py" same "$tmp/replay.prom" "$tmp/file.prom" netcap_records_total \
        netcap_dns_responses_total netcap_dns_queries_total netcap_tcp_flags_total \
        netcap_connections_closed_total netcap_http_responses_total \
        netcap_tls_client_hellos_total netcap_tls_server_hellos_total 2>&1) &&
        ok "replay equals file mode: $out" || bad replay-counts "$out"
    promtool check metrics < "$tmp/replay.prom" > "$tmp/replay.promtool" 2>&1 &&
        ok "promtool: replay output clean" || bad replay-promtool "$(cat "$tmp/replay.promtool")"

    # --------------------------------------------------------- hostile HTTP
    code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
    long=$(python3 -c 'print("a" * 100000)')
    c=$(code "http://127.0.0.1:$port/$long")
    case $c in 414 | 431 | 400 | 000) ok "100 KB URL refused ($c)" ;; *) bad huge-url "got $c" ;; esac
    allm=""
    for m in POST PUT DELETE OPTIONS PATCH TRACE; do
        c=$(code -X "$m" --data-binary 'x=1' "http://127.0.0.1:$port/metrics")
        allm="$allm $m:$c"
    done
    if echo "$allm" | grep -qE ':(2[0-9][0-9]|000|5[0-9][0-9])'; then
        bad methods "$allm"
    else
        ok "wrong methods refused:$allm"
    fi
    c=$(code "http://127.0.0.1:$port/nothing")
    [ "$c" = 404 ] && ok "unknown path: 404" || bad not-found "got $c"
    c=$(code -X HEAD -I "http://127.0.0.1:$port/metrics")
    [ "$c" = 200 ] && ok "HEAD /metrics: 200" || bad head "got $c"
    python3 - "$port" > "$tmp/hostile.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
# 300 connections at once (the server caps them), garbage, a slow client,
# a huge header, then everything closed
for i in range(300):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        held.append(s)
    except OSError:
        pass
for s in held[:20]:
    try:
        s.sendall(b"\x00\xff garbage \r\n\r\n" * 10)
    except OSError:
        pass
for s in held[20:40]:
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finished
    except OSError:
        pass
for s in held[40:50]:
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nX-Big: " + b"b" * 200000 + b"\r\n\r\n")
    except OSError:
        pass
time.sleep(0.5)
for s in held:
    s.close()
print("opened", len(held))
PY
    sleep 0.5
    if kill -0 "$pid" 2>/dev/null && scrape "$port" "$tmp/after.prom" &&
        grep -q '^netcap_records_total{type="DNS"}' "$tmp/after.prom"; then
        ok "alive and serving after 300 connections, garbage, slow and huge requests ($(cat "$tmp/hostile.out"))"
    else
        bad hostile "server gone or not answering: $(tail -c 300 "$tmp/replay.err")"
    fi
    stop "$replay_pid"
    [ "$st" = 0 ] && ok "replay: SIGTERM, exit 0" || bad replay-exit "exit $st"
fi

# ----------------------------------------------------------------- per-ip
start_export perip -read "$mix" -per-ip 3 -linger 60s
if [ -n "$port" ] && wait_for "$tmp/perip.err" "input done" 20; then
    scrape "$port" "$tmp/perip.prom"
    n=$(grep -c '^netcap_ip_src_packets_total{' "$tmp/perip.prom")
    sum=$(awk '/^netcap_ip_src_packets_total\{/ {s += $2} END {print s}' "$tmp/perip.prom")
    ips=$(awk '/^netcap_records_total\{type="IPv(4|6)"\}/ {s += $2} END {print s}' "$tmp/perip.prom")
    if [ "$n" = 4 ] && [ "$sum" = "$ips" ] && grep -q 'ip="other"' "$tmp/perip.prom"; then
        ok "-per-ip 3: 3 addresses and other, summing to the $ips IP records"
    else
        bad per-ip "$n series, sum $sum, IP records $ips"
    fi
    grep -q '^netcap_ip_src_packets_total' "$tmp/file.prom" 2>/dev/null &&
        bad no-per-ip "address labels without -per-ip" || ok "no address labels without -per-ip"
    kill "$pid"; wait "$pid" 2>/dev/null
else
    bad per-ip "did not come up or finish"
fi

# -------------------------------------------------------------------- live
start_export live -iface lo -bpf "udp port 53" -workers 2
if [ -z "$port" ]; then
    if grep -qiE "permission|not permitted|CAP_NET_RAW|root" "$tmp/live.err"; then
        skp live "no permission for live capture"
    else
        bad live "did not come up: $(head -c 300 "$tmp/live.err")"
    fi
else
    python3 - <<'PY'
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    q = struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0) + b"\x07example\x04test\x00\x00\x01\x00\x01"
    s.sendto(q, ("127.0.0.1", 53))
    time.sleep(0.01)
PY
    got=0
    i=0
    while [ $i -lt 40 ]; do # live batches are cut after 1 s
        scrape "$port" "$tmp/live.prom" 2>/dev/null
        got=$(python3 "$cmp_py" value "$tmp/live.prom" netcap_dns_queries_total qtype=A 2>/dev/null)
        [ "$got" = 20 ] && break
        sleep 0.25
        i=$((i + 1))
    done
    run=$(python3 "$cmp_py" value "$tmp/live.prom" netcap_capture_running)
    if [ "$got" = 20 ] && [ "$run" = 1 ]; then
        ok "live: 20 DNS queries counted while capturing"
    else
        bad live "queries $got, running $run"
    fi
    stop "$pid"
    [ "$st" = 0 ] && ok "live: SIGTERM, exit 0" || bad live-exit "exit $st"
fi

# ------------------------------------------------------- agent -metrics
# A live agent (its run does not end by itself, so the values can be
# watched change) with the broker down at first, then started.
agent_metrics() {
    if ! command -v nats-server > /dev/null 2>&1; then
        skp agent-metrics "nats-server not installed"; return
    fi
    k="$tmp/agent-keys"
    "$NETCAP" collect -gen-keypair "$k" > /dev/null &&
        "$NETCAP" agent -gen-keypair "$k" -sensor mx > /dev/null ||
        { bad agent-metrics "cannot make keys"; return; }
    np=$(free_port)
    mp=$(free_port)
    "$NETCAP" agent -iface lo -bpf "udp port 5399" -sensor mx -key "$k/mx.key" \
        -collector-pub "$k/collector.pub" -nats "nats://127.0.0.1:$np" -spool "$tmp/mx-spool" \
        -metrics "127.0.0.1:$mp" -drain-timeout 10 > /dev/null 2> "$tmp/mx.err" &
    apid=$!
    pids="$pids $apid"
    if ! wait_for "$tmp/mx.err" "serving http://" 10; then
        if grep -qiE "permission|not permitted|CAP_NET_RAW|root" "$tmp/mx.err"; then
            skp agent-metrics "no permission for live capture"
        else
            bad agent-metrics "agent did not serve metrics: $(head -c 300 "$tmp/mx.err")"
        fi
        stop "$apid"; return
    fi
    python3 - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b"netcap agent metrics %d" % i, ("127.0.0.1", 5399))
    time.sleep(0.01)
PY
    v() { python3 "$cmp_py" value "$1" "$2" ${3:-} 2>/dev/null | sed 's/\.0$//'; }
    # broker down: the batches (cut every second) wait in the spool
    i=0
    while [ $i -lt 40 ]; do
        scrape "$mp" "$tmp/mx1.prom" 2>/dev/null
        [ "$(v "$tmp/mx1.prom" netcap_agent_spool_batches)" -ge 1 ] 2>/dev/null &&
            [ "$(v "$tmp/mx1.prom" netcap_agent_resends_total)" -ge 1 ] 2>/dev/null && break
        sleep 0.25
        i=$((i + 1))
    done
    up1=$(v "$tmp/mx1.prom" netcap_agent_broker_up)
    sp1=$(v "$tmp/mx1.prom" netcap_agent_spool_batches)
    by1=$(v "$tmp/mx1.prom" netcap_agent_spool_bytes)
    ack1=$(v "$tmp/mx1.prom" netcap_agent_batches_total result=acknowledged)
    rs1=$(v "$tmp/mx1.prom" netcap_agent_resends_total)
    mode=$(grep -c '^netcap_build_info{.*mode="agent"' "$tmp/mx1.prom")
    pk1=$(v "$tmp/mx1.prom" netcap_packets_total)
    if [ "$up1" = 0 ] && [ "${sp1:-0}" -ge 1 ] && [ "${by1:-0}" -gt 0 ] && [ "$ack1" = 0 ] &&
        [ "${rs1:-0}" -ge 1 ] && [ "$mode" = 1 ] && [ "${pk1:-0}" -ge 20 ]; then
        ok "agent-metrics: broker down: broker_up 0, $sp1 batches ($by1 bytes) spooled, none acknowledged, $rs1 resends; capture metrics too ($pk1 packets)"
    else
        bad agent-metrics-down "up $up1 spool $sp1/$by1 acked $ack1 resends $rs1 mode $mode packets $pk1"
    fi
    if out=$(promtool check metrics < "$tmp/mx1.prom" 2>&1); then
        ok "agent-metrics: promtool check metrics: clean"
    else
        bad agent-metrics-promtool "$out"
    fi
    # the broker comes up: the spool drains, every sealed batch acknowledged
    mkdir -p "$tmp/mx-js"
    nats-server -a 127.0.0.1 -p "$np" -js -sd "$tmp/mx-js" > "$tmp/mx-nats.log" 2>&1 &
    npid=$!
    pids="$pids $npid"
    i=0
    while [ $i -lt 60 ]; do
        scrape "$mp" "$tmp/mx2.prom" 2>/dev/null
        sealed=$(v "$tmp/mx2.prom" netcap_agent_batches_total result=sealed)
        [ "$(v "$tmp/mx2.prom" netcap_agent_broker_up)" = 1 ] &&
            [ "$(v "$tmp/mx2.prom" netcap_agent_spool_batches)" = 0 ] &&
            [ "$(v "$tmp/mx2.prom" netcap_agent_batches_total result=acknowledged)" = "$sealed" ] && break
        sleep 0.25
        i=$((i + 1))
    done
    ack2=$(v "$tmp/mx2.prom" netcap_agent_batches_total result=acknowledged)
    lc=$(v "$tmp/mx2.prom" netcap_agent_batch_latency_seconds_count)
    p99=$(v "$tmp/mx2.prom" netcap_agent_batch_latency_seconds quantile=0.99)
    if [ "$(v "$tmp/mx2.prom" netcap_agent_broker_up)" = 1 ] &&
        [ "$(v "$tmp/mx2.prom" netcap_agent_spool_batches)" = 0 ] &&
        [ "$(v "$tmp/mx2.prom" netcap_agent_spool_bytes)" = 0 ] &&
        [ -n "$sealed" ] && [ "$ack2" = "$sealed" ] && [ "$lc" = "$ack2" ] &&
        python3 -c "import sys; sys.exit(not float(sys.argv[1]) > 0)" "${p99:-0}"; then
        ok "agent-metrics: broker up: broker_up 1, spool empty, $ack2 of $sealed batches acknowledged, latency p99 ${p99}s over $lc"
    else
        bad agent-metrics-up "up $(v "$tmp/mx2.prom" netcap_agent_broker_up) spool $(v "$tmp/mx2.prom" netcap_agent_spool_batches) acked $ack2 of $sealed, latency count $lc p99 $p99"
    fi
    promtool check metrics < "$tmp/mx2.prom" > /dev/null 2>&1 || bad agent-metrics-promtool2 "second scrape"
    stop "$apid"
    [ "$st" = 0 ] && ok "agent-metrics: SIGTERM, exit 0" || bad agent-metrics-exit "exit $st: $(tail -2 "$tmp/mx.err")"
    stop "$npid"
}
agent_metrics

summary
