#!/bin/bash
# Regenerates examples/loopback.pcap: a small capture of real traffic between
# real clients and servers on this machine's loopback interface (127.0.0.1 and
# ::1). Everything in it is our own traffic; see examples/README.md.
#
# usage (as root, on Debian/Ubuntu):  scripts/make-example-pcap.sh [OUT]
#   OUT defaults to examples/loopback.pcap (relative to the repository root).
#
# What it does: installs the tools it needs with apt-get when missing, starts
# dnsmasq (DNS, UDP+TCP port 53), two python3 http.server instances (port 8000
# on 127.0.0.1 and on ::1) and a one-shot socat TCP server (port 7777), starts
# `tcpdump -i lo` with a filter limited to those ports plus ICMP/ICMPv6 echo,
# runs dig, curl, socat and ping against them, then stops everything it
# started (by PID) and prints a summary. Timestamps, ports and IDs differ from
# run to run, so the output is not byte-identical to the committed file.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:-examples/loopback.pcap}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-example-pcap: must run as root (tcpdump on lo, dnsmasq on port 53)" >&2
    exit 1
fi

# ---- tools --------------------------------------------------------------
need=()
command -v tcpdump  >/dev/null || need+=(tcpdump)
command -v dnsmasq  >/dev/null || need+=(dnsmasq-base)
command -v dig      >/dev/null || need+=(dnsutils)
command -v curl     >/dev/null || need+=(curl)
command -v socat    >/dev/null || need+=(socat)
command -v ping     >/dev/null || need+=(iputils-ping)
command -v ss       >/dev/null || need+=(iproute2)
command -v capinfos >/dev/null || need+=(tshark)
[ -x /usr/bin/python3 ]        || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    echo "make-example-pcap: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
PY=/usr/bin/python3

# ---- ports ----------------------------------------------------------------
port_busy() { # proto(t|u) port
    ss -Hln"$1" "sport = :$2" | grep -q .
}
DNS_PORT=53
if port_busy u 53 || port_busy t 53; then
    # netcap's DNS decoder claims UDP 53, 5353 and 5355 only.
    DNS_PORT=5355
    echo "make-example-pcap: port 53 is taken, using $DNS_PORT for DNS (DNS over TCP will not be decoded as DNS)" >&2
fi
HTTP_PORT=8000
TCP_PORT=7777      # plain TCP session with a clean FIN close
REFUSED_PORT=7778  # nothing listens here: SYN answered by RST
for p in "u $DNS_PORT" "t $DNS_PORT" "t $HTTP_PORT" "t $TCP_PORT" "t $REFUSED_PORT"; do
    # shellcheck disable=SC2086
    if port_busy $p; then
        echo "make-example-pcap: port ${p#* } ($p) is already in use; stop its user first" >&2
        exit 1
    fi
done

# ---- cleanup ----------------------------------------------------------------
WORK=$(mktemp -d /tmp/netcap-example.XXXXXX)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_listen() { # proto(t|u) port [what]
    local _
    for _ in $(seq 1 100); do
        port_busy "$1" "$2" && return 0
        sleep 0.05
    done
    echo "make-example-pcap: ${3:-server} did not start listening on port $2" >&2
    exit 1
}

# ---- servers ------------------------------------------------------------
# DNS: dnsmasq in the foreground, no upstream servers, only local records.
# example.test is --local, so unknown names in it get NXDOMAIN.
dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --no-poll --bind-interfaces --listen-address=127.0.0.1,::1 \
    --port="$DNS_PORT" --pid-file="$WORK/dnsmasq.pid" --user=root \
    --log-facility=- --log-queries --local-ttl=300 \
    --local=/example.test/ \
    --host-record=www.example.test,192.0.2.10,2001:db8::10 \
    --host-record=mail.example.test,192.0.2.25 \
    --mx-host=example.test,mail.example.test,10 \
    --txt-record=example.test,"v=spf1 mx -all" \
    --cname=web.example.test,www.example.test \
    >"$WORK/dnsmasq.log" 2>&1 &
pids+=($!)

# HTTP: small document root, one server on 127.0.0.1 and one on ::1.
mkdir -p "$WORK/www"
printf 'Hello from netcap example capture.\n' >"$WORK/www/hello.txt"
printf '{"name":"netcap","example":true}\n' >"$WORK/www/data.json"
"$PY" -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$WORK/www" \
    >"$WORK/http4.log" 2>&1 &
pids+=($!)
"$PY" -m http.server "$HTTP_PORT" --bind ::1 --directory "$WORK/www" \
    >"$WORK/http6.log" 2>&1 &
pids+=($!)

# Plain TCP: one connection; the server sends a greeting, reads a line,
# answers it and closes.
cat >"$WORK/greet.sh" <<'EOF'
#!/bin/sh
printf 'HELLO netcap-example\r\n'
IFS= read -r line
printf 'YOU SAID: %s\r\nBYE\r\n' "$line"
EOF
chmod +x "$WORK/greet.sh"
socat TCP4-LISTEN:"$TCP_PORT",bind=127.0.0.1,reuseaddr EXEC:"$WORK/greet.sh" \
    >"$WORK/socat.log" 2>&1 &
pids+=($!)

wait_listen u "$DNS_PORT" dnsmasq
wait_listen t "$DNS_PORT" dnsmasq
wait_listen t "$HTTP_PORT" http.server
wait_listen t "$TCP_PORT" socat
sleep 0.3

# ---- capture ----------------------------------------------------------------
FILTER="udp port $DNS_PORT or tcp port $DNS_PORT or tcp port $HTTP_PORT"
FILTER="$FILTER or tcp port $TCP_PORT or tcp port $REFUSED_PORT"
FILTER="$FILTER or (icmp and (icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply))"
FILTER="$FILTER or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))"
tcpdump -i lo -s 65535 --immediate-mode -U -Z root -w "$WORK/capture.pcap" "$FILTER" \
    2>"$WORK/tcpdump.log" &
TCPDUMP=$!
pids+=("$TCPDUMP")
for _ in $(seq 1 100); do
    grep -q 'listening on' "$WORK/tcpdump.log" && break
    sleep 0.05
done
grep -q 'listening on' "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; exit 1; }
sleep 0.5

step() { echo "== $*"; }
DIG=(dig -p "$DNS_PORT" +tries=1 +time=3)

# (1) DNS over UDP
step "DNS over UDP"
"${DIG[@]}" @127.0.0.1 www.example.test A    +short
"${DIG[@]}" @127.0.0.1 www.example.test AAAA +short
"${DIG[@]}" @127.0.0.1 example.test MX       +short
"${DIG[@]}" @127.0.0.1 example.test TXT      +short
"${DIG[@]}" @127.0.0.1 web.example.test CNAME +short
"${DIG[@]}" @127.0.0.1 -x 192.0.2.10         +short
"${DIG[@]}" @127.0.0.1 nothing.example.test A | grep -E 'status:' || true
"${DIG[@]}" @::1 mail.example.test A         +short
sleep 0.3

# (2) DNS over TCP
step "DNS over TCP"
"${DIG[@]}" +tcp @127.0.0.1 www.example.test A +short
"${DIG[@]}" +tcp @127.0.0.1 example.test MX    +short
sleep 0.3

# (3) HTTP
step "HTTP"
CURL=(curl -sS --noproxy '*' -o /dev/null -w '%{http_code} %{url_effective}\n')
"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/hello.txt"
"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/data.json"
"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/missing.html"
"${CURL[@]}" "http://[::1]:$HTTP_PORT/hello.txt"
sleep 0.3

# (4) plain TCP session with a clean close, then a refused connection
step "plain TCP"
# The client waits for the greeting, sends one line and keeps its side open
# until the server has answered and closed (server FIN first, then client FIN).
{ sleep 0.1; printf 'ping from client\r\n'; sleep 0.5; } |
    socat -t 2 - TCP4:127.0.0.1:"$TCP_PORT"
if socat -u /dev/null TCP4:127.0.0.1:"$REFUSED_PORT" 2>/dev/null; then
    echo "make-example-pcap: port $REFUSED_PORT unexpectedly accepted" >&2
else
    echo "connection to 127.0.0.1:$REFUSED_PORT refused (expected)"
fi
sleep 0.3

# (5) ICMP echo
step "ICMP echo"
ping -c 2 -i 0.2 127.0.0.1 | tail -2 | head -1
ping -6 -c 2 -i 0.2 ::1 | tail -2 | head -1
# libpcap hands packets over in blocks; give it time to deliver the last ones.
sleep 1.5

# ---- stop -------------------------------------------------------------------
kill -INT "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null || true
grep -E "captured|dropped" "$WORK/tcpdump.log" || true

mkdir -p "$(dirname "$OUT")"
cp "$WORK/capture.pcap" "$OUT"
chmod 0644 "$OUT"
# cleanup (trap) stops dnsmasq, the HTTP servers and socat.

step "result"
capinfos -t -E -c -s "$OUT"
