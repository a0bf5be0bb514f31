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
set -u
suite=sensors
. "$(dirname "$0")/../lib.sh"
require_netcap

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
for s in s1 s2 s3 big crash down sec; do
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

summary
