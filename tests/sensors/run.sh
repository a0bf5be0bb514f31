#!/bin/sh
# netcap agent -> NATS JetStream -> netcap collect (docs/SENSORS.md).
# Each broker is a nats-server on 127.0.0.1 with a free port and a temp
# directory, stopped by its pid. Cases:
#   happy     corpus captures through agent and collector decode to exactly
#             what `capture` writes (dump -csv of every type)
#   faults    collector SIGKILLed mid-run and restarted (at a random point,
#             and at fixed points through NETCAP_COLLECT_CRASH: data written
#             and fsync'ed but no state; state saved but no acks); broker
#             down for the
#             first part of a run (spool fills, then drains); agent SIGKILLed
#             and restarted (the spool resent); each: nothing lost or doubled
#   spool cap past -spool-max batches are dropped and counted
#   security  sealed to the wrong key, unknown sender, tampered, replayed,
#             relabelled, random bytes, oversize: rejected and counted, never
#             written; loose key permissions refused; a broker with nkey auth
#             refuses a client without credentials and accepts the agent's
#   cluster   3 nodes, an R3 stream: the stream leader SIGKILLed while the
#             agent sends, the collector's node SIGKILLed while it consumes,
#             both restarted: nothing lost or doubled
#   share     two collectors on one durable consumer: each batch applied by
#             exactly one, their records together are what capture writes
#   signals   collector SIGINT and SIGTERM mid-run: exit 0, files valid,
#             nothing unacknowledged; the restart completes the set
#   tls       TLS and mutual TLS to the broker (throw-away CA); plain and
#             certificate-less clients refused; a loose client key refused
#   creds     an operator-mode broker (JWTs made here) and -creds
set -u
suite=sensors
. "$(dirname "$0")/../lib.sh"
require_netcap
t_start=$(date +%s)

if ! command -v nats-server > /dev/null 2>&1; then
    skp sensors "nats-server not installed (apt-get install nats-server)"
    summary
    exit $?
fi
if [ -z "$CORPUS" ]; then
    skp sensors "no corpus (../shared/corpus)"
    summary
    exit $?
fi

pids=""
cleanup() {
    for p in $pids; do kill "$p" 2> /dev/null; done
    for p in $pids; do wait "$p" 2> /dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_broker NAME PORT [extra config lines]: $tmp/NAME.pid
start_broker() {
    name=$1 port=$2
    mkdir -p "$tmp/$name.js"
    {
        echo "listen: 127.0.0.1:$port"
        echo "max_payload: 20MB"
        echo "jetstream { store_dir: \"$tmp/$name.js\" }"
        [ $# -gt 2 ] && printf '%s\n' "$3"
    } > "$tmp/$name.conf"
    nats-server -c "$tmp/$name.conf" > "$tmp/$name.log" 2>&1 &
    echo $! > "$tmp/$name.pid"
    pids="$pids $!"
    for _ in $(seq 1 50); do
        grep -q "Server is ready" "$tmp/$name.log" && return 0
        sleep 0.1
    done
    echo "broker $name did not start: $(tail -3 "$tmp/$name.log")"
    return 1
}

stop_broker() {
    p=$(cat "$tmp/$1.pid")
    kill "$p" 2> /dev/null
    wait "$p" 2> /dev/null
}

keys="$tmp/keys"
"$NETCAP" collect -gen-keypair "$keys" > /dev/null || { bad keys "collect -gen-keypair"; summary; exit 1; }
for s in s1 s2 s3 big crash down sec clu shr sig tls jwt; do
    "$NETCAP" agent -gen-keypair "$keys" -sensor $s > /dev/null || bad keys "agent -gen-keypair $s"
done
mkdir -p "$tmp/allow"
cp "$keys"/*.pub "$tmp/allow/" && rm "$tmp/allow/collector.pub"

# agent URL SENSOR SPOOL [flags...]
agent() {
    _u=$1 _s=$2 _sp=$3
    shift 3
    "$NETCAP" agent -sensor "$_s" -key "$keys/$_s.key" -collector-pub "$keys/collector.pub" \
        -nats "$_u" -spool "$_sp" -workers 2 "$@"
}
# agent_bg: the same in the background, $! being netcap itself (for kill -9)
agent_bg() {
    _u=$1 _s=$2 _sp=$3
    shift 3
    (exec "$NETCAP" agent -sensor "$_s" -key "$keys/$_s.key" -collector-pub "$keys/collector.pub" \
        -nats "$_u" -spool "$_sp" -workers 2 "$@") &
}
# collect URL OUT [flags...]: runs until idle for a second
collect() {
    _u=$1 _o=$2
    shift 2
    "$NETCAP" collect -nats "$_u" -key "$keys/collector.key" -allow "$tmp/allow" -out "$_o" \
        -exit-idle 1 "$@"
}

# same_records CAPDIR OUTDIR: every type decodes to the same CSV, no more files
same_records() {
    for f in "$1"/*; do
        b=$(basename "$f")
        [ -f "$2/$b" ] || { echo "missing $b"; return 1; }
        "$NETCAP" dump -read "$f" -csv > "$tmp/a.csv" 2>&1
        "$NETCAP" dump -read "$2/$b" -csv > "$tmp/b.csv" 2>&1
        cmp -s "$tmp/a.csv" "$tmp/b.csv" || {
            echo "$b differs: $(wc -l < "$tmp/a.csv") vs $(wc -l < "$tmp/b.csv") lines"
            return 1
        }
    done
    n1=$(ls "$1" | wc -l)
    n2=$(ls "$2" | grep -v '^run-' | wc -l)
    [ "$n1" = "$n2" ] || { echo "$n2 files, capture wrote $n1"; return 1; }
    "$NETCAP" util check "$2"/*.zst > "$tmp/check.out" 2>&1 || {
        echo "util check: $(grep -v '^OK' "$tmp/check.out" | head -3)"
        return 1
    }
}

capture_ref() {
    "$NETCAP" capture -read "$1" -out "$2" -quiet -workers 2 2> /dev/null
}

# jsz WHAT ARG MONPORT...: what the nodes' monitoring ports say, asking
# each node (a killed one does not answer) and believing the leader:
#   meta -       the JetStream meta leader's name
#   leader -     the name of the node leading the stream NETCAP
#   msgs -       the stream's message count
#   cleader C    the name of the node leading consumer C
#   pending C    C's batches not delivered plus delivered and not acknowledged
#   unacked C    C's batches delivered and not acknowledged
#   waiting C    C's pull requests waiting for messages
#   conn NAME    the name of the node a client connection NAME is on
jsz() {
    python3 - "$@" << 'PY'
import json, sys, urllib.request
what, arg, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
def get(port, path):
    try:
        url = "http://127.0.0.1:%s/%s" % (port, path)
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.load(r)
    except Exception:
        return None
out = ""
for port in ports:
    v = get(port, "varz")
    if v is None:
        continue
    me = v.get("server_name", "")
    if what == "conn":
        c = get(port, "connz?limit=1000") or {}
        if arg in [x.get("name") for x in c.get("connections", [])]:
            out = me
            break
        continue
    d = get(port, "jsz?streams=true&consumers=true") or {}
    if what == "meta":
        out = d.get("meta_cluster", {}).get("leader", "") or out
        continue
    for a in d.get("account_details", []):
        for s in a.get("stream_detail", []) or []:
            if s.get("name") != "NETCAP":
                continue
            lead = s.get("cluster", {}).get("leader", me)
            if what == "leader":
                out = lead
            elif what == "msgs" and lead == me:
                out = s.get("state", {}).get("messages", 0)
            for c in s.get("consumer_detail", []) or []:
                if c.get("name") != arg:
                    continue
                cl = c.get("cluster", {}).get("leader", me)
                if what == "cleader":
                    out = cl
                elif what == "pending" and cl == me:
                    out = c.get("num_pending", 0) + c.get("num_ack_pending", 0)
                elif what == "unacked" and cl == me:
                    out = c.get("num_ack_pending", 0)
                elif what == "waiting" and cl == me:
                    out = c.get("num_waiting", 0)
print(out)
PY
}
# wait_consumed C MONPORT...: until consumer C has nothing pending (60 s at most)
wait_consumed() {
    _c=$1
    shift
    for _ in $(seq 1 120); do
        [ "$(jsz pending "$_c" "$@")" = 0 ] && return 0
        sleep 0.5
    done
    return 1
}

# a capture of many batches: one corpus file appended 12 times (about 20k packets)
big="$tmp/big.pcap"
one="$CORPUS/ndpi-1kxun/ndpi-1kxun.pcap"
set --
for _ in $(seq 1 12); do set -- "$@" "$one"; done
if ! mergecap -a -F pcap -w "$big" "$@" 2> /dev/null; then
    big="$one"
fi
capture_ref "$big" "$tmp/ref-big"

# --------------------------------------------------------------- happy path
port=$(free_port)
url="nats://127.0.0.1:$port"
if start_broker b1 "$port"; then
    ok=1
    for pair in "s1 zeek-http-get" "s2 arkime-dns-udp" "s3 ndpi-1kxun"; do
        set -- $pair
        pcap=$(ls "$CORPUS/$2"/*.pcap* | head -1)
        capture_ref "$pcap" "$tmp/ref-$1"
        agent "$url" "$1" "$tmp/spool-$1" -read "$pcap" -quiet 2> "$tmp/agent-$1.err" ||
            { bad "happy-$1" "agent failed: $(tail -2 "$tmp/agent-$1.err")"; ok=0; }
    done
    collect "$url" "$tmp/out1" 2> "$tmp/collect1.err" || bad happy "collect failed: $(tail -2 "$tmp/collect1.err")"
    for s in s1 s2 s3; do
        if why=$(same_records "$tmp/ref-$s" "$tmp/out1/$s"); then
            ok "happy-$s: collected files decode to what capture writes"
        else
            bad "happy-$s" "$why"
        fi
    done
    # a restarted collector with the same durable consumer gets nothing again
    collect "$url" "$tmp/out1" 2> "$tmp/collect1b.err"
    if grep -q " 0 applied" "$tmp/collect1b.err" && same_records "$tmp/ref-s1" "$tmp/out1/s1" > /dev/null; then
        ok "happy-restart: a second collector run applies nothing twice"
    else
        bad happy-restart "$(tail -1 "$tmp/collect1b.err")"
    fi
    # a second consumer name keeps its own full copy
    collect "$url" "$tmp/out1c" -consumer copy2 2> /dev/null
    if same_records "$tmp/ref-s3" "$tmp/out1c/s3" > /dev/null; then
        ok "happy-copy: a second durable consumer gets a full copy"
    else
        bad happy-copy "second consumer's files differ"
    fi

    # ------------------------------------------------ collector SIGKILL
    # Batches the killed collector had taken come back after the consumer's
    # ack wait (-ack-wait 2 here, 30 s by default); the restarted collector
    # waits that out before its first fetch so they come first, in order.
    agent "$url" big "$tmp/spool-big" -read "$big" -quiet 2> "$tmp/agent-big.err" ||
        bad kill-collector "agent failed: $(tail -2 "$tmp/agent-big.err")"
    "$NETCAP" collect -nats "$url" -key "$keys/collector.key" -allow "$tmp/allow" \
        -out "$tmp/out2" -batch 1 -ack-wait 2 -consumer kill 2> "$tmp/collect2a.err" &
    cp=$!
    pids="$pids $cp"
    # kill once it has written something but not everything
    for _ in $(seq 1 500); do
        [ -s "$tmp/out2/.netcap-collect.state" ] && break
        sleep 0.02
    done
    sleep 0.1
    kill -9 $cp 2> /dev/null
    wait $cp 2> /dev/null
    before=$(cat "$tmp/out2/.netcap-collect.state" 2> /dev/null | wc -l)
    collect "$url" "$tmp/out2" -ack-wait 2 -consumer kill 2> "$tmp/collect2b.err"
    applied2=$(sed -n 's/.*: \([0-9]*\) applied.*/\1/p' "$tmp/collect2b.err")
    if [ "$before" -gt 0 ] && [ "${applied2:-0}" -gt 0 ] && why=$(same_records "$tmp/ref-big" "$tmp/out2/big"); then
        ok "kill-collector: SIGKILL mid-run (files of $before types begun; $applied2 batches applied after the restart), nothing lost or doubled"
    else
        bad kill-collector "${why:-} (before: $before, after: ${applied2:-?})"
    fi

    # ---------------------------- collector SIGKILLed at a fixed point (hook)
    # data: the 5th group's frames are written and fsync'ed, the state is
    # not saved: the restart cuts the file back and applies the batch again.
    # state: the state is saved, the acks are not sent: the redelivered
    # batch is dropped as a duplicate.
    for point in data state; do
        why=""
        o="$tmp/out-crash-$point"
        NETCAP_COLLECT_CRASH=$point:5 "$NETCAP" collect -nats "$url" -key "$keys/collector.key" \
            -allow "$tmp/allow" -out "$o" -batch 1 -ack-wait 2 -consumer crash-$point \
            2> "$tmp/crash-$point.err"
        st=$?
        # files longer than the state records (or not in it) after the crash
        longer=$(python3 - "$o" << 'PY'
import os, sys
o = sys.argv[1]
rec = {}
for line in open(os.path.join(o, ".netcap-collect.state")):
    f = line.split()
    rec[(f[0], f[1])] = int(f[5], 16)
n = 0
for s in os.listdir(o):
    d = os.path.join(o, s)
    if os.path.isdir(d):
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.path.getsize(p) > rec.get((s, name), 0):
                n += 1
print(n)
PY
)
        collect "$url" "$o" -ack-wait 2 -consumer crash-$point 2> "$tmp/crash-$point-b.err"
        dups=$(sed -n 's/.*, \([0-9]*\) duplicates.*/\1/p' "$tmp/crash-$point-b.err")
        if [ "$st" != 137 ] || ! grep -q "SIGKILL in group 5" "$tmp/crash-$point.err"; then
            why="the hook did not fire (status $st)"
        elif [ "$point" = data ] && [ "$longer" != 1 ]; then
            why="$longer files longer than recorded after the crash, want 1"
        elif [ "$point" = state ] && { [ "$longer" != 0 ] || [ "${dups:-0}" -lt 1 ]; }; then
            why="$longer files longer than recorded, ${dups:-?} duplicates after the restart"
        else
            why=$(same_records "$tmp/ref-big" "$o/big") || true
        fi
        if [ -z "$why" ]; then
            ok "kill-collector-$point: SIGKILL after the $point step of group 5; restart: nothing lost or doubled ($dups duplicates dropped)"
        else
            bad "kill-collector-$point" "$why"
        fi
    done
    stop_broker b1
else
    bad broker "cannot start nats-server"
fi

# ------------------------------------------- broker down, then up: spool drains
port=$(free_port)
url="nats://127.0.0.1:$port"
agent_bg "$url" down "$tmp/spool-down" -read "$big" -drain-timeout 60 2> "$tmp/agent-down.err"
ap=$!
pids="$pids $ap"
sleep 2
spooled=$(ls "$tmp/spool-down" | grep -c '\.nb$')
start_broker b2 "$port"
wait $ap
st=$?
collect "$url" "$tmp/out3" 2> "$tmp/collect3.err"
if [ "$st" = 0 ] && [ "$spooled" -gt 0 ] && [ -z "$(ls "$tmp/spool-down" | grep '\.nb$')" ] &&
    why=$(same_records "$tmp/ref-big" "$tmp/out3/down"); then
    ok "broker-down: $spooled batches spooled while the broker was down, then sent in order; nothing lost or doubled"
else
    bad broker-down "status $st, $spooled spooled, ${why:-}: $(tail -2 "$tmp/agent-down.err")"
fi
stop_broker b2

# ------------------------------------------- agent SIGKILL: the spool is resent
port=$(free_port)
url="nats://127.0.0.1:$port"
agent_bg "$url" crash "$tmp/spool-crash" -read "$big" -drain-timeout 60 2> "$tmp/agent-crash.err"
ap=$!
pids="$pids $ap"
for _ in $(seq 1 100); do
    grep -q "records written" "$tmp/agent-crash.err" && break
    sleep 0.1
done
kill -9 $ap
wait $ap 2> /dev/null
left=$(ls "$tmp/spool-crash" | grep -c '\.nb$')
start_broker b3 "$port"
# no input: send the spool and exit
agent "$url" crash "$tmp/spool-crash" 2> "$tmp/agent-crash2.err"
st=$?
collect "$url" "$tmp/out4" 2> "$tmp/collect4.err"
if [ "$st" = 0 ] && [ "$left" -gt 0 ] && why=$(same_records "$tmp/ref-big" "$tmp/out4/crash"); then
    ok "kill-agent: SIGKILL with $left batches spooled; resent on restart; nothing lost or doubled"
else
    bad kill-agent "status $st, $left left, ${why:-}: $(tail -2 "$tmp/agent-crash2.err")"
fi

# ------------------------------------------------------------- spool cap
port2=$(free_port)
mergecap -a -F pcap -w "$tmp/bigger.pcap" "$big" "$big" "$big" 2> /dev/null || cp "$big" "$tmp/bigger.pcap"
agent "nats://127.0.0.1:$port2" s1 "$tmp/spool-cap" -read "$tmp/bigger.pcap" -spool-max 1 -drain-timeout 0 \
    2> "$tmp/agent-cap.err"
dropped=$(sed -n 's/.*, \([0-9]*\) dropped (spool full).*/\1/p' "$tmp/agent-cap.err")
kept=$(du -sk --apparent-size "$tmp/spool-cap" | cut -f1)
if [ "${dropped:-0}" -gt 0 ] && [ "$kept" -le 1040 ]; then
    ok "spool-cap: broker unreachable, -spool-max 1 MiB: $dropped batches dropped and counted, spool ${kept} KiB"
else
    bad spool-cap "dropped ${dropped:-?}, spool ${kept} KiB: $(tail -2 "$tmp/agent-cap.err")"
fi

# -------------------------------------------------------------- security
# raw publisher: python speaking the NATS text protocol (no client library)
pub_raw() { # URL-PORT SUBJECT FILE
    python3 - "$@" << 'PY'
import socket, sys
port, subj, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
f.readline()  # INFO
s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n')
s.sendall(b"PUB %s %d\r\n" % (subj.encode(), len(data)) + data + b"\r\nPING\r\n")
line = f.readline()
if not line.startswith(b"PONG"):
    print(line.decode(errors="replace").strip()); sys.exit(1)
PY
}
# spool_payload SPOOLFILE OUT: the sealed envelope inside a spool file
spool_payload() {
    python3 - "$1" "$2" << 'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"NCS1"
o = 4
n = struct.unpack(">I", d[o:o+4])[0]; subj = d[o+4:o+4+n].decode(); o += 4 + n
n = struct.unpack(">I", d[o:o+4])[0]; o += 4 + n
n = struct.unpack(">I", d[o:o+4])[0]; o += 4
open(sys.argv[2], "wb").write(d[o:o+n])
print(subj)
PY
}
# sealed batches of sensor sec, kept before they are sent
agent "nats://127.0.0.1:$port2" sec "$tmp/spool-sec" -read "$CORPUS/arkime-dns-udp/arkime-dns-udp.pcap" \
    -drain-timeout 0 -quiet 2> /dev/null
first=$(ls "$tmp/spool-sec"/*.nb | head -1)
vsubj=$(spool_payload "$first" "$tmp/valid.bin")
# now send them for real (drain mode)
agent "$url" sec "$tmp/spool-sec" 2> /dev/null
python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[len(d)//2] ^= 1
open(sys.argv[2], "wb").write(bytes(d))' "$tmp/valid.bin" "$tmp/tampered.bin"
head -c 3000 /dev/urandom > "$tmp/random.bin"
head -c 200000 /dev/urandom > "$tmp/oversize.bin"
pub_raw "$port" "$vsubj" "$tmp/valid.bin"            # replayed
pub_raw "$port" "$vsubj" "$tmp/tampered.bin"         # tampered
pub_raw "$port" netcap.s1.DNS "$tmp/valid.bin"        # relabelled
pub_raw "$port" netcap.sec.DNS "$tmp/random.bin"      # random bytes
pub_raw "$port" netcap.sec.DNS "$tmp/oversize.bin"    # oversize
# sealed to the wrong collector key; and a sender not on the allow-list
"$NETCAP" collect -gen-keypair "$tmp/wrong" > /dev/null
"$NETCAP" agent -sensor s2 -key "$keys/s2.key" -collector-pub "$tmp/wrong/collector.pub" \
    -nats "$url" -spool "$tmp/spool-wrong" -read "$CORPUS/arkime-dns-udp/arkime-dns-udp.pcap" -quiet 2> /dev/null
"$NETCAP" agent -gen-keypair "$tmp/stranger" -sensor s3 > /dev/null
"$NETCAP" agent -sensor s3 -key "$tmp/stranger/s3.key" -collector-pub "$keys/collector.pub" \
    -nats "$url" -spool "$tmp/spool-stranger" -read "$CORPUS/arkime-dns-udp/arkime-dns-udp.pcap" -quiet 2> /dev/null
capture_ref "$CORPUS/arkime-dns-udp/arkime-dns-udp.pcap" "$tmp/ref-sec"
collect "$url" "$tmp/out5" -max-msg 100000 2> "$tmp/collect5.err"
c5=$(tail -1 "$tmp/collect5.err")
check_count() { # NAME PATTERN
    n=$(echo "$c5" | sed -n "s/.* \([0-9]*\) $2.*/\1/p")
    if [ "${n:-0}" -ge 1 ]; then ok "security-$1: rejected and counted ($n)"; else bad "security-$1" "$c5"; fi
}
check_count replay "duplicates"
check_count tampered-or-wrong-key "failed authentication"
check_count unknown-sender "unknown sender"
check_count relabelled "relabelled"
check_count random-bytes "malformed"
check_count oversize "oversize"
if grep -q "claims sensor" "$tmp/collect5.err" && [ ! -d "$tmp/out5/s2" ] && [ ! -d "$tmp/out5/s3" ] &&
    [ ! -d "$tmp/out5/s1" ] && why=$(same_records "$tmp/ref-sec" "$tmp/out5/sec"); then
    ok "security-files: rejected batches logged with their sensor, never written; the real ones exactly once"
else
    bad security-files "${why:-} dirs: $(ls "$tmp/out5")"
fi
stop_broker b3

# loose permissions on secrets are refused, with a clear message
cp "$keys/s1.key" "$tmp/loose.key"
chmod 644 "$tmp/loose.key"
if ! "$NETCAP" agent -sensor s1 -key "$tmp/loose.key" -collector-pub "$keys/collector.pub" \
    -spool "$tmp/spool-loose" -read "$one" 2> "$tmp/loose.err" && grep -q "chmod 600" "$tmp/loose.err"; then
    ok "perms: a group/world-readable key is refused ($(head -c 80 "$tmp/loose.err")...)"
else
    bad perms "$(cat "$tmp/loose.err")"
fi

# broker with nkey auth: refused without credentials, accepted with the agent's
pubk=$("$NETCAP" agent -gen-nkey "$tmp/agent.nk")
port=$(free_port)
url="nats://127.0.0.1:$port"
if start_broker b4 "$port" "authorization {
  users = [
    { nkey: $pubk }
  ]
}"; then
    if out=$(pub_raw "$port" netcap.s1.DNS "$tmp/valid.bin" 2>&1); then
        bad auth-refused "a client without credentials could publish"
    else
        ok "auth-refused: no credentials: $(echo "$out" | tail -1 | head -c 60)"
    fi
    agent "$url" s1 "$tmp/spool-auth" -nkey "$tmp/agent.nk" -read "$CORPUS/zeek-http-get"/*.pcap* \
        -quiet -drain-timeout 10 2> "$tmp/agent-auth.err"
    st=$?
    collect "$url" "$tmp/out6" -nkey "$tmp/agent.nk" 2> /dev/null
    if [ "$st" = 0 ] && same_records "$tmp/ref-s1" "$tmp/out6/s1" > /dev/null; then
        ok "auth-nkey: agent and collector authenticate with an nkey seed file"
    else
        bad auth-nkey "status $st: $(tail -2 "$tmp/agent-auth.err")"
    fi
    stop_broker b4
fi


# ------------------------------------------ 3-node cluster, nodes SIGKILLed
# Three nats-servers with routes between them, each its own store, an R3
# stream (-replicas 3), agent and collectors given all three URLs. The agent
# reads the big capture through a FIFO in two parts: once the first part's
# batches are acknowledged, the node leading the stream is SIGKILLed; the
# second part goes to the two left (a new leader is elected), and the node
# is restarted with its config and store while the agent still sends. Then
# a collector (-batch 1) is stopped (SIGSTOP) after its first group, the
# node it is connected to is SIGKILLed, the collector resumed and the node
# restarted. Nothing lost or doubled.
# start_node I: node nI (client port cpI, route port rpI, monitor port mpI)
start_node() {
    _i=$1
    eval "_c=\$cp$_i _r=\$rp$_i _m=\$mp$_i"
    mkdir -p "$tmp/n$_i.js"
    cat > "$tmp/n$_i.conf" << CONF
server_name: n$_i
listen: 127.0.0.1:$_c
http: 127.0.0.1:$_m
max_payload: 20MB
jetstream { store_dir: "$tmp/n$_i.js" }
cluster {
  name: nc
  listen: 127.0.0.1:$_r
  routes: [nats-route://127.0.0.1:$rp1, nats-route://127.0.0.1:$rp2, nats-route://127.0.0.1:$rp3]
}
CONF
    [ -f "$tmp/n$_i.log" ] && mv "$tmp/n$_i.log" "$tmp/n$_i.log.old"
    nats-server -c "$tmp/n$_i.conf" > "$tmp/n$_i.log" 2>&1 &
    echo $! > "$tmp/n$_i.pid"
    pids="$pids $!"
    for _ in $(seq 1 50); do
        grep -q "Server is ready" "$tmp/n$_i.log" && return 0
        sleep 0.1
    done
    echo "node n$_i did not start: $(tail -3 "$tmp/n$_i.log")"
    return 1
}
cluster_ok=1
for i in 1 2 3; do
    eval "cp$i=$(free_port) rp$i=$(free_port) mp$i=$(free_port)"
done
curls="nats://127.0.0.1:$cp1,nats://127.0.0.1:$cp2,nats://127.0.0.1:$cp3"
mons="$mp1 $mp2 $mp3"
for i in 1 2 3; do
    start_node $i || cluster_ok=0
done
meta=""
for _ in $(seq 1 100); do
    meta=$(jsz meta - $mons)
    [ -n "$meta" ] && break
    sleep 0.1
done
[ -n "$meta" ] || cluster_ok=0
if [ "$cluster_ok" = 1 ]; then
    cl_t0=$(date +%s)
    # the big capture through a FIFO: its first 14000 packets (of 20676)
    # slowly, so that the first batch of 4096 is decoded and committed
    # before a read returns, then nothing until $tmp/cl.go exists, then the
    # rest
    mkfifo "$tmp/cl.fifo"
    python3 - "$big" "$tmp/cl.fifo" "$tmp/cl.go" << 'PY' &
import os, struct, sys, time
d = open(sys.argv[1], "rb").read()
end = ">" if d[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d") else "<"
offs, o = [], 24
while o + 16 <= len(d):
    offs.append(o)
    o += 16 + struct.unpack(end + "I", d[o + 8:o + 12])[0]
offs.append(len(d))
cut = min(14000, len(offs) * 2 // 3)
out = open(sys.argv[2], "wb")
out.write(d[:24])
for i in range(0, cut, 2000):
    out.write(d[offs[i]:offs[min(i + 2000, cut)]])
    out.flush()
    time.sleep(0.1)
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
out.write(d[offs[cut]:])
out.close()
PY
    feeder=$!
    pids="$pids $feeder"
    agent_bg "$curls" clu "$tmp/spool-clu" -replicas 3 -read "$tmp/cl.fifo" -drain-timeout 60 \
        2> "$tmp/agent-clu.err"
    ap=$!
    pids="$pids $ap"
    # the first part's batches acknowledged (the count stable for 0.5 s)
    prev=-1 before=0
    for _ in $(seq 1 40); do
        before=$(jsz msgs - $mons)
        [ "${before:-0}" -gt 0 ] && [ "$before" = "$prev" ] && break
        prev=$before
        sleep 0.5
    done
    lead=$(jsz leader - $mons)
    k=${lead#n}
    case "$k" in 1 | 2 | 3) ;; *) k=1 ;; esac
    aconn=$(jsz conn clu $mons)
    kill -9 "$(cat "$tmp/n$k.pid")"
    wait "$(cat "$tmp/n$k.pid")" 2> /dev/null
    echo "  cluster: ${before:-0} batches acknowledged; n$k, the stream leader, SIGKILLed (the agent was connected to ${aconn:-?})"
    touch "$tmp/cl.go"
    # restarted while the agent still sends (the rest waits for a new leader)
    sleep 1
    start_node "$k" || cluster_ok=0
    wait $ap
    st=$?
    kill $feeder 2> /dev/null
    wait $feeder 2> /dev/null
    acked=$(sed -n 's/.* \([0-9]*\) acknowledged by the broker.*/\1/p' "$tmp/agent-clu.err")
    failed=$(sed -n 's/.*, \([0-9]*\) publish attempts failed.*/\1/p' "$tmp/agent-clu.err")
    echo "  cluster: n$k restarted; agent status $st, ${acked:-?} batches acknowledged in all, $((${acked:-0} - ${before:-0})) after the kill (${failed:-?} attempts failed and were retried); the stream holds $(jsz msgs - $mons)"
    # the collector: stopped after its first group, its node killed, resumed;
    # SIGTERM once its consumer has nothing pending (or after 60 s)
    "$NETCAP" collect -nats "$curls" -key "$keys/collector.key" -allow "$tmp/allow" \
        -out "$tmp/out-clu" -batch 1 -ack-wait 2 2> "$tmp/collect-clu.err" &
    cp=$!
    pids="$pids $cp"
    for _ in $(seq 1 500); do
        [ -s "$tmp/out-clu/.netcap-collect.state" ] && break
        sleep 0.02
    done
    kill -STOP $cp
    cconn=$(jsz conn netcap-collect $mons)
    kc=${cconn#n}
    case "$kc" in 1 | 2 | 3) ;; *) kc=$(( (k % 3) + 1 )) ;; esac
    clead=$(jsz cleader netcap-collect $mons)
    begun=$(wc -l < "$tmp/out-clu/.netcap-collect.state")
    left=$(jsz pending netcap-collect $mons)
    kill -9 "$(cat "$tmp/n$kc.pid")"
    wait "$(cat "$tmp/n$kc.pid")" 2> /dev/null
    kill -CONT $cp
    echo "  cluster: collector stopped after its first group ($begun files begun, ${left:-?} batches not yet acknowledged); n$kc, its node, SIGKILLed (the consumer leader was $clead); collector resumed"
    sleep 1
    start_node "$kc" || cluster_ok=0
    t1=$(date +%s)
    wait_consumed netcap-collect $mons || cluster_ok=0
    echo "  cluster: n$kc restarted; the consumer had nothing pending $(( $(date +%s) - t1 )) s later"
    kill -TERM $cp
    wait $cp
    cst=$?
    echo "  cluster: collector status $cst: $(tail -1 "$tmp/collect-clu.err" | cut -d, -f1-2)"
    if [ "$cluster_ok" = 1 ] && [ "$st" = 0 ] && [ "$cst" = 0 ] && [ "${before:-0}" -gt 0 ] &&
        [ "${acked:-0}" -gt "$before" ] && [ "${left:-0}" -gt 0 ] &&
        why=$(same_records "$tmp/ref-big" "$tmp/out-clu/clu"); then
        ok "cluster: R3 on 3 nodes; stream leader n$k SIGKILLed after $before of $acked batches, restarted; the collector's node n$kc SIGKILLed mid-run, restarted; nothing lost or doubled ($(( $(date +%s) - cl_t0 )) s)"
    else
        bad cluster "nodes ok: $cluster_ok, agent status $st, collector status $cst, $before of ${acked:-?} before the kill, ${left:-?} left for the collector; ${why:-}: $(tail -2 "$tmp/agent-clu.err")"
    fi
    for i in 1 2 3; do stop_broker n$i; done
else
    bad cluster "the 3-node cluster did not start (meta leader: ${meta:-none})"
fi

# ------------------------------------ two collectors sharing one consumer
# Both subscribe (same -consumer, each its own -out) before the agent sends,
# so neither waits out an ack wait; they are stopped (SIGTERM) once the
# consumer has nothing pending. Every batch is applied by exactly one of
# them: the applied counts add up to the batches the agent sealed, and the
# records of each type in both directories together are, as a multiset
# (sorted CSV lines), the records `capture` writes.
port=$(free_port)
mport=$(free_port)
url="nats://127.0.0.1:$port"
if start_broker b5 "$port" "http: 127.0.0.1:$mport"; then
    for x in a b; do
        "$NETCAP" collect -nats "$url" -key "$keys/collector.key" -allow "$tmp/allow" \
            -out "$tmp/out-sh$x" -consumer shared -batch 2 2> "$tmp/collect-sh$x.err" &
        eval "sh_$x=\$!"
        pids="$pids $!"
    done
    # both subscribed: the consumer has two pull requests waiting (or 5 s
    # passed)
    for _ in $(seq 1 50); do
        [ "$(jsz waiting shared "$mport")" = 2 ] && break
        sleep 0.1
    done
    agent "$url" shr "$tmp/spool-shr" -read "$big" -quiet 2> "$tmp/agent-shr.err"
    sst=$?
    sealed=$(sed -n 's/.*: \([0-9]*\) batches sealed.*/\1/p' "$tmp/agent-shr.err")
    why=""
    wait_consumed shared "$mport" || why=" batches still pending after 60 s;"
    cst=0
    for x in a b; do
        eval "p=\$sh_$x"
        kill -TERM "$p"
        wait "$p" || cst=$?
    done
    na=$(sed -n 's/.*: \([0-9]*\) applied.*/\1/p' "$tmp/collect-sha.err")
    nb=$(sed -n 's/.*: \([0-9]*\) applied.*/\1/p' "$tmp/collect-shb.err")
    da=$(sed -n 's/.*, \([0-9]*\) duplicates.*/\1/p' "$tmp/collect-sha.err")
    db=$(sed -n 's/.*, \([0-9]*\) duplicates.*/\1/p' "$tmp/collect-shb.err")
    dups=$(( ${da:-0} + ${db:-0} ))
    for f in "$tmp/ref-big"/*; do
        b=$(basename "$f")
        "$NETCAP" dump -read "$f" -csv > "$tmp/sh-ref.csv"
        : > "$tmp/sh-out.csv"
        for x in a b; do
            g="$tmp/out-sh$x/shr/$b"
            [ -f "$g" ] || continue
            "$NETCAP" util check "$g" > /dev/null 2>&1 || why="$why $x/$b fails util check;"
            # without the header line (each file has one)
            "$NETCAP" dump -read "$g" -csv | tail -n +2 >> "$tmp/sh-out.csv"
        done
        tail -n +2 "$tmp/sh-ref.csv" | sort > "$tmp/sh-ref.sorted"
        sort "$tmp/sh-out.csv" > "$tmp/sh-out.sorted"
        cmp -s "$tmp/sh-ref.sorted" "$tmp/sh-out.sorted" ||
            why="$why $b: $(wc -l < "$tmp/sh-out.sorted") records, capture wrote $(wc -l < "$tmp/sh-ref.sorted");"
    done
    nfiles=$(ls "$tmp"/out-sha/shr "$tmp"/out-shb/shr 2> /dev/null | grep -c 'ncap')
    echo "  share: $sealed batches sealed; collector a applied ${na:-?}, b ${nb:-?}; ${dups:-?} duplicates; $nfiles files in both"
    if [ "$sst" = 0 ] && [ "$cst" = 0 ] && [ -z "$why" ] && [ -n "$sealed" ] &&
        [ "$(( ${na:-0} + ${nb:-0} ))" = "$sealed" ] && [ "$dups" = 0 ]; then
        ok "share: two collectors on one consumer: each batch applied by exactly one ($na + $nb = $sealed), their records together are what capture writes"
    else
        bad share "agent $sst, collectors $cst, applied ${na:-?} + ${nb:-?} of ${sealed:-?}, ${dups:-?} duplicates;$why"
    fi
    if [ "${na:-0}" -gt 0 ] && [ "${nb:-0}" -gt 0 ]; then
        ok "share-split: both collectors got work ($na and $nb batches)"
    else
        skp share-split "one collector got every batch ($na and $nb); timing, not an error"
    fi
    stop_broker b5
else
    bad share "cannot start nats-server"
fi

# --------------------------------------------- collector SIGINT and SIGTERM
# A collector on the big capture's batches with -batch 1 is signalled once
# it has committed some: it finishes the group in hand, acknowledges it and
# exits 0 (a signal is how a collector is stopped) with every file valid
# (util check) and nothing left delivered and unacknowledged; a restarted
# collector completes the set, nothing lost or doubled.
port=$(free_port)
mport=$(free_port)
url="nats://127.0.0.1:$port"
if start_broker b6 "$port" "http: 127.0.0.1:$mport"; then
    agent "$url" sig "$tmp/spool-sig" -read "$big" -quiet 2> "$tmp/agent-sig.err" ||
        bad signals "agent failed: $(tail -2 "$tmp/agent-sig.err")"
    total=$(sed -n 's/.*: \([0-9]*\) batches sealed.*/\1/p' "$tmp/agent-sig.err")
    for sig in INT TERM; do
        o="$tmp/out-sig$sig"
        "$NETCAP" collect -nats "$url" -key "$keys/collector.key" -allow "$tmp/allow" \
            -out "$o" -batch 1 -consumer "sig$sig" 2> "$tmp/collect-sig$sig.err" &
        cp=$!
        pids="$pids $cp"
        for _ in $(seq 1 500); do
            [ -s "$o/.netcap-collect.state" ] && break
            sleep 0.02
        done
        kill -$sig $cp
        wait $cp
        st=$?
        n1=$(sed -n 's/.*: \([0-9]*\) applied.*/\1/p' "$tmp/collect-sig$sig.err")
        unacked=$(jsz unacked "sig$sig" "$mport")
        checked=$("$NETCAP" util check "$o"/sig/*.zst 2>&1)
        cst=$?
        collect "$url" "$o" -consumer "sig$sig" 2> "$tmp/collect-sig$sig-b.err"
        n2=$(sed -n 's/.*: \([0-9]*\) applied.*/\1/p' "$tmp/collect-sig$sig-b.err")
        d2=$(sed -n 's/.*, \([0-9]*\) duplicates.*/\1/p' "$tmp/collect-sig$sig-b.err")
        if [ "$st" = 0 ] && [ "${n1:-0}" -gt 0 ] && [ "${n1:-0}" -lt "${total:-0}" ] &&
            [ "$cst" = 0 ] && [ "$unacked" = 0 ] && [ "$(( n1 + ${n2:-0} ))" = "$total" ] &&
            why=$(same_records "$tmp/ref-big" "$o/sig"); then
            ok "collect-SIG$sig: exit 0 after $n1 of $total batches, files valid, nothing unacknowledged; restart applied ${n2} more (${d2:-?} duplicates), nothing lost or doubled"
        else
            bad "collect-SIG$sig" "status $st, $n1 then ${n2:-?} of $total applied, ${unacked:-?} unacknowledged, util check $cst ${why:-}: $(echo "$checked" | grep -v '^OK' | head -2)"
        fi
    done
    stop_broker b6
else
    bad signals "cannot start nats-server"
fi

# ---------------------------------------------------------- TLS to the broker
# A throw-away CA, a server certificate for IP 127.0.0.1 and a client
# certificate (openssl; keys 0600). One broker with TLS: agent and
# collector with -tls-ca; one with mutual TLS (verify: true): with
# -tls-cert/-tls-key as well, and without them refused. A plain client is
# refused by both; a client key readable by others is refused by netcap.
if command -v openssl > /dev/null 2>&1; then
    pki="$tmp/pki"
    mkdir -p "$pki"
    (
        umask 077
        cd "$pki" || exit 1
        ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=netcap-test-ca &&
            printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext &&
            printf 'extendedKeyUsage=clientAuth\n' > client.ext &&
            for n in server client; do
                openssl req $ec -keyout $n.key -out $n.csr -subj /CN=netcap-test-$n &&
                    openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
                        -out $n.pem -days 2 -extfile $n.ext || exit 1
            done
    ) > "$tmp/pki.log" 2>&1 || bad tls "openssl: $(tail -2 "$tmp/pki.log")"
    small=$(ls "$CORPUS/zeek-http-get"/*.pcap* | head -1)
    capture_ref "$small" "$tmp/ref-small"
    tls_conf="tls {
  cert_file: \"$pki/server.pem\"
  key_file: \"$pki/server.key\"
  ca_file: \"$pki/ca.pem\""
    port=$(free_port)
    url="nats://127.0.0.1:$port"
    if start_broker b7 "$port" "$tls_conf
}"; then
        agent "$url" tls "$tmp/spool-tls" -tls-ca "$pki/ca.pem" -read "$small" -quiet \
            -drain-timeout 10 2> "$tmp/agent-tls.err"
        st=$?
        collect "$url" "$tmp/out-tls" -tls-ca "$pki/ca.pem" 2> "$tmp/collect-tls.err"
        if [ "$st" = 0 ] && grep -q " 0 left in the spool" "$tmp/agent-tls.err" &&
            why=$(same_records "$tmp/ref-small" "$tmp/out-tls/tls"); then
            ok "tls: agent and collector over TLS (-tls-ca) decode to what capture writes"
        else
            bad tls "status $st ${why:-}: $(tail -2 "$tmp/agent-tls.err") $(tail -1 "$tmp/collect-tls.err")"
        fi
        if out=$(pub_raw "$port" netcap.tls.DNS "$tmp/valid.bin" 2>&1); then
            bad tls-plain "a plain client could publish to a TLS broker"
        else
            out=$(echo "$out" | tail -1 | head -c 60)
            ok "tls-plain: a plain NATS client is refused (${out:-connection closed})"
        fi
        stop_broker b7
    else
        bad tls "cannot start nats-server with TLS"
    fi
    port=$(free_port)
    url="nats://127.0.0.1:$port"
    if start_broker b8 "$port" "$tls_conf
  verify: true
}"; then
        mtls="-tls-ca $pki/ca.pem -tls-cert $pki/client.pem -tls-key $pki/client.key"
        agent "$url" tls "$tmp/spool-mtls" $mtls -read "$small" -quiet -drain-timeout 10 \
            2> "$tmp/agent-mtls.err"
        st=$?
        collect "$url" "$tmp/out-mtls" $mtls 2> "$tmp/collect-mtls.err"
        if [ "$st" = 0 ] && grep -q " 0 left in the spool" "$tmp/agent-mtls.err" &&
            why=$(same_records "$tmp/ref-small" "$tmp/out-mtls/tls"); then
            ok "tls-mutual: agent and collector with a client certificate (verify: true) decode to what capture writes"
        else
            bad tls-mutual "status $st ${why:-}: $(tail -2 "$tmp/agent-mtls.err") $(tail -1 "$tmp/collect-mtls.err")"
        fi
        # without a client certificate, or without TLS: nothing acknowledged
        for how in nocert plain; do
            case $how in
                nocert) set -- -tls-ca "$pki/ca.pem" ;;
                plain) set -- ;;
            esac
            agent "$url" tls "$tmp/spool-$how" "$@" -read "$small" -quiet -drain-timeout 2 \
                2> "$tmp/agent-$how.err"
            n=$(sed -n 's/.* \([0-9]*\) acknowledged by the broker.*/\1/p' "$tmp/agent-$how.err")
            left=$(ls "$tmp/spool-$how" | grep -c '\.nb$')
            if [ "${n:-x}" = 0 ] && [ "$left" -gt 0 ]; then
                ok "tls-mutual-$how: refused, $left batches kept in the spool ($(grep warning "$tmp/agent-$how.err" | head -1 | cut -c1-150)...)"
            else
                bad "tls-mutual-$how" "$(tail -2 "$tmp/agent-$how.err")"
            fi
        done
        if out=$(pub_raw "$port" netcap.tls.DNS "$tmp/valid.bin" 2>&1); then
            bad tls-mutual-raw "a plain client could publish to a TLS broker"
        else
            out=$(echo "$out" | tail -1 | head -c 60)
            ok "tls-mutual-raw: a plain NATS client is refused (${out:-connection closed})"
        fi
        cp "$pki/client.key" "$tmp/loose-tls.key"
        chmod 644 "$tmp/loose-tls.key"
        if ! agent "$url" tls "$tmp/spool-loose-tls" -tls-ca "$pki/ca.pem" -tls-cert "$pki/client.pem" \
            -tls-key "$tmp/loose-tls.key" -read "$small" -quiet 2> "$tmp/loose-tls.err" &&
            grep -q "chmod 600" "$tmp/loose-tls.err"; then
            ok "tls-key-perms: a client key with mode 0644 is refused ($(head -c 90 "$tmp/loose-tls.err")...)"
        else
            bad tls-key-perms "$(cat "$tmp/loose-tls.err")"
        fi
        stop_broker b8
    else
        bad tls-mutual "cannot start nats-server with mutual TLS"
    fi
else
    skp tls "openssl not installed"
fi

# ---------------------------------------- -creds: operator mode, JWT + seed
# A broker in operator mode (operator, system and netcap accounts, memory
# resolver; JetStream enabled by the account's limits) and a user
# credentials file, all made here: nkeys (base32 of prefix, ed25519 key,
# CRC16) and JWTs signed with openssl's Ed25519. The agent and collector
# with -creds are accepted; without, refused; a creds file readable by
# others is refused by netcap.
jwt="$tmp/jwt"
mkdir -p "$jwt"
if ! command -v openssl > /dev/null 2>&1; then
    skp creds "openssl not installed"
elif (umask 077 && python3 - "$jwt" << 'PY'
import base64, hashlib, json, os, subprocess, sys, time
d = sys.argv[1]
def crc16(b):  # XMODEM
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else c << 1
            c &= 0xFFFF
    return c
def b32(b):
    return base64.b32encode(b).decode().rstrip("=")
def nkey(raw):
    return b32(raw + crc16(raw).to_bytes(2, "little"))
def b64(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")
def openssl(*args):
    subprocess.run(("openssl",) + args, check=True, capture_output=True)
def keypair(name, prefix):
    seed = os.urandom(32)
    der, pem = os.path.join(d, name + ".der"), os.path.join(d, name + ".pem")
    open(der, "wb").write(bytes.fromhex("302e020100300506032b657004220420") + seed)
    openssl("pkey", "-inform", "DER", "-in", der, "-out", pem)
    openssl("pkey", "-in", pem, "-pubout", "-outform", "DER", "-out", der)
    pub = open(der, "rb").read()[-32:]
    os.remove(der)
    return (pem, nkey(bytes([prefix]) + pub),
            nkey(bytes([(18 << 3) | (prefix >> 5), (prefix & 31) << 3]) + seed))
def jwt(pem, iss, sub, name, nats):
    claims = {"iat": int(time.time()), "iss": iss, "name": name, "sub": sub, "nats": nats}
    claims["jti"] = b32(hashlib.sha256(json.dumps(claims, sort_keys=True).encode()).digest())
    body = b64(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode()) + "." + \
        b64(json.dumps(claims).encode())
    # openssl 3.0 signs Ed25519 (one-shot) only from a file to a file
    m, s = os.path.join(d, "msg"), os.path.join(d, "sig")
    open(m, "w").write(body)
    openssl("pkeyutl", "-sign", "-inkey", pem, "-rawin", "-in", m, "-out", s)
    sig = open(s, "rb").read()
    os.remove(m)
    os.remove(s)
    return body + "." + b64(sig)
opem, opub, _ = keypair("operator", 14 << 3)
apem, apub, _ = keypair("account", 0)
spem, spub, _ = keypair("system", 0)
upem, upub, useed = keypair("user", 20 << 3)
unlimited = {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
             "wildcards": True, "conn": -1, "leaf": -1,
             "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1}
ojwt = jwt(opem, opub, opub, "netcap-test", {"type": "operator", "version": 2})
ajwt = jwt(opem, opub, apub, "netcap", {"limits": unlimited, "type": "account", "version": 2})
sjwt = jwt(opem, opub, spub, "SYS", {"type": "account", "version": 2})
ujwt = jwt(apem, apub, upub, "netcap-user", {"pub": {}, "sub": {}, "subs": -1, "data": -1,
                                              "payload": -1, "type": "user", "version": 2})
for p in (opem, apem, spem, upem):
    os.remove(p)
open(os.path.join(d, "operator.jwt"), "w").write(ojwt + "\n")
open(os.path.join(d, "server.conf"), "w").write(
    'operator: "%s"\nsystem_account: %s\nresolver: MEMORY\nresolver_preload: {\n'
    '  %s: "%s"\n  %s: "%s"\n}\n' % (os.path.join(d, "operator.jwt"), spub, apub, ajwt, spub, sjwt))
open(os.path.join(d, "user.creds"), "w").write(
    "-----BEGIN NATS USER JWT-----\n%s\n------END NATS USER JWT------\n\n"
    "-----BEGIN USER NKEY SEED-----\n%s\n------END USER NKEY SEED------\n" % (ujwt, useed))
PY
) > "$tmp/jwt.log" 2>&1; then
    small=$(ls "$CORPUS/zeek-http-get"/*.pcap* | head -1)
    [ -d "$tmp/ref-small" ] || capture_ref "$small" "$tmp/ref-small"
    port=$(free_port)
    url="nats://127.0.0.1:$port"
    if start_broker b9 "$port" "$(cat "$jwt/server.conf")"; then
        agent "$url" jwt "$tmp/spool-jwt" -creds "$jwt/user.creds" -read "$small" -quiet \
            -drain-timeout 10 2> "$tmp/agent-jwt.err"
        st=$?
        collect "$url" "$tmp/out-jwt" -creds "$jwt/user.creds" 2> "$tmp/collect-jwt.err"
        if [ "$st" = 0 ] && grep -q " 0 left in the spool" "$tmp/agent-jwt.err" &&
            why=$(same_records "$tmp/ref-small" "$tmp/out-jwt/jwt"); then
            ok "creds: operator-mode broker; agent and collector with -creds (user JWT + seed) decode to what capture writes"
        else
            bad creds "status $st ${why:-}: $(tail -2 "$tmp/agent-jwt.err") $(tail -1 "$tmp/collect-jwt.err")"
        fi
        agent "$url" jwt "$tmp/spool-jwt2" -read "$small" -quiet -drain-timeout 2 2> "$tmp/agent-jwt2.err"
        n=$(sed -n 's/.* \([0-9]*\) acknowledged by the broker.*/\1/p' "$tmp/agent-jwt2.err")
        collect "$url" "$tmp/out-jwt2" 2> "$tmp/collect-jwt2.err"
        cst=$?
        if [ "${n:-x}" = 0 ] && grep -q "Authorization Violation" "$tmp/agent-jwt2.err" &&
            [ "$cst" = 2 ] && grep -q "Authorization Violation" "$tmp/collect-jwt2.err"; then
            ok "creds-refused: without -creds: Authorization Violation; the agent keeps its batches, the collector gives up after -exit-idle (status 2)"
        else
            bad creds-refused "collector status $cst: $(tail -2 "$tmp/agent-jwt2.err") $(tail -1 "$tmp/collect-jwt2.err")"
        fi
        cp "$jwt/user.creds" "$tmp/loose.creds"
        chmod 644 "$tmp/loose.creds"
        if ! agent "$url" jwt "$tmp/spool-jwt3" -creds "$tmp/loose.creds" -read "$small" -quiet \
            2> "$tmp/loose-creds.err" && grep -q "chmod 600" "$tmp/loose-creds.err"; then
            ok "creds-perms: a creds file with mode 0644 is refused"
        else
            bad creds-perms "$(cat "$tmp/loose-creds.err")"
        fi
        stop_broker b9
    else
        bad creds "nats-server in operator mode did not start: $(grep -E 'FTL|ERR' "$tmp/b9.log" | head -2)"
    fi
else
    bad creds "cannot make the JWTs: $(tail -2 "$tmp/jwt.log")"
fi

echo "sensors: $(( $(date +%s) - t_start )) s"
summary
