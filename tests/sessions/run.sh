#!/bin/sh
# Real clients against real servers on loopback, captured live: netcap's
# records are checked field by field against an independent decoder
# (tshark, on the pcap that tcpdump writes at the same time) and against
# what the clients themselves report.
#   HTTP/1.1   Python server (tests/sessions/http_server.py); curl (keep-alive,
#              HEAD, POST with and without 100-continue, chunked, gzip, 204,
#              304, 301, 404, close-delimited, cookies, User-Agent, Referer)
#              and Python clients (pipelining, a request cut over segments,
#              a connection reset)
#   TLS        openssl s_server; curl --tlsv1.3 and --tlsv1.2 (SNI, ALPN),
#              openssl s_client -tls1_2/-tls1_3, a Python client whose
#              ~2.5 KB ClientHello is cut over TCP segments or TLS records
#   DNS        Python responder on 127.0.0.1:53 (UDP and TCP); dig (UDP,
#              +tcp, a truncated answer retried over TCP), a Python client
#              (length and message apart, two queries in one segment)
# Checks (tests/sessions/check.py): HTTP, TLS (JA3/JA3S against tshark,
# JA4/JA4S recomputed from tshark's fields, version and cipher against the
# clients), DNS, Connection (one per TCP/UDP conversation, client, packets,
# bytes, flags, end reason), and the live records against those of
# `netcap capture -read` on the tcpdump pcap.
# Needs root or CAP_NET_RAW, and tshark, tcpdump, openssl, curl (dig is
# optional: Python queries instead); skips with the reason otherwise.
# Nothing leaves 127.0.0.1; every server and capture is stopped by its pid.
set -u
suite=sessions
. "$(dirname "$0")/../lib.sh"
require_netcap

pids=""
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    # SESSIONS_KEEP=DIR: keep the captures, records and logs there
    if [ -n "${SESSIONS_KEEP:-}" ]; then
        rm -rf "$SESSIONS_KEEP" && cp -r "$tmp" "$SESSIONS_KEEP"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

missing=""
for t in tshark tcpdump openssl curl python3; do
    command -v "$t" > /dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
    skp sessions "missing:$missing (scripts/bootstrap.sh installs them)"
    summary
    exit $?
fi
if [ "$(id -u)" != 0 ] && ! grep -q "^CapEff:.*[1-9a-f]" /proc/self/status 2> /dev/null; then
    skp sessions "not root and no capabilities: live capture on lo needs CAP_NET_RAW"
    summary
    exit $?
fi
start_t=$(date +%s)
py="python3"
logs="$tmp/clients.log" # one line per exchange, as the clients saw it
: > "$logs"

# wait_file FILE: until FILE exists (5 s at most)
wait_file() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$1" ]
}

# ---- servers
$py "$here/http_server.py" "$tmp/http.port" "$tmp/tls.port" &
pids="$pids $!"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=test -days 1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1
# X25519 and P-256 only: a client that offers a P-384 key share gets a
# HelloRetryRequest
openssl s_server -accept 127.0.0.1:0 -cert "$tmp/cert.pem" -key "$tmp/key.pem" -www \
    -alpn http/1.1 -groups X25519:P-256 > "$tmp/s_server.out" 2>&1 < /dev/null &
pids="$pids $!"
dns=1
# DNS must be on port 53: netcap decodes DNS by that port (UDP and TCP)
if ! $py -c 'import socket,sys
for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, t); s.bind(("127.0.0.1", 53)); s.close()' 2> /dev/null; then
    dns=0
    skp sessions-dns "127.0.0.1:53 is in use"
else
    $py "$here/dns_server.py" 53 "$tmp/dns.ready" &
    pids="$pids $!"
fi
if ! wait_file "$tmp/http.port"; then
    bad sessions "the HTTP server did not start"
    summary
    exit 1
fi
hport=$(cat "$tmp/http.port")
i=0
while ! grep -q "^ACCEPT" "$tmp/s_server.out" && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
tport=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$tmp/s_server.out")
echo "$tport" > "$tmp/tls.port" # the one port the HTTP server's CONNECT reaches
if [ -z "$tport" ]; then
    bad sessions "openssl s_server did not start: $(head -c 300 "$tmp/s_server.out")"
    summary
    exit 1
fi
if [ $dns = 1 ] && ! wait_file "$tmp/dns.ready"; then
    dns=0
    bad sessions-dns "the DNS server did not start"
fi
# a port nobody listens on: a refused connection (SYN, RST)
closed=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
filter="host 127.0.0.1 and (tcp port $hport or tcp port $tport or tcp port $closed"
[ $dns = 1 ] && filter="$filter or port 53"
filter="$filter)"

# ---- captures
"$NETCAP" capture -iface lo -bpf "$filter" -out "$tmp/live" -workers 2 \
    > "$tmp/capture.out" 2> "$tmp/capture.err" &
cpid=$!
# immediate mode (nothing held back at SIGINT) takes one ring slot per
# packet, each as large as the snap length on lo (MTU 65536): a 64 MiB
# buffer (-B, KiB) holds bursts of a thousand packets without a drop
tcpdump -i lo --immediate-mode -B 65536 --time-stamp-precision=nano -U -n -w "$tmp/lo.pcap" "$filter" > /dev/null 2> "$tmp/tcpdump.err" &
tpid=$!
pids="$pids $cpid $tpid"
i=0
while ! grep -q "listening on" "$tmp/tcpdump.err" && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
sleep 1
if ! kill -0 "$cpid" 2> /dev/null; then
    if grep -qiE "permission|not permitted|CAP_NET_RAW|root" "$tmp/capture.err"; then
        skp sessions "no permission for live capture: $(head -c 200 "$tmp/capture.err")"
        summary
        exit $?
    fi
    bad sessions "netcap capture exited early: $(head -c 300 "$tmp/capture.err")"
    summary
    exit 1
fi
if ! kill -0 "$tpid" 2> /dev/null; then
    bad sessions "tcpdump exited early: $(head -c 300 "$tmp/tcpdump.err")"
    summary
    exit 1
fi

# ---- HTTP/1.1 sessions
h="http://127.0.0.1:$hport"
w='http %{local_port} %{method} %{url_effective} %{http_code} %{size_download}\n'
printf 'payload line\n%.0s' $(seq 1 8) > "$tmp/small.body"
head -c 3000 /dev/zero | tr '\0' 'p' > "$tmp/large.body"
c() { curl -s --max-time 10 -w "$w" "$@" >> "$logs" 2>> "$tmp/curl.err"; }
# keep-alive: four requests on one connection
c -o /dev/null "$h/page?a=1&b=2" -o /dev/null "$h/page/two?q=hello%20world&empty=" \
    -o /dev/null "$h/missing" -o /dev/null "$h/old"
# HEAD, then a GET on the same connection (the HEAD response has a
# Content-Length and no body)
c -I -o /dev/null "$h/page?head=1" --next -s -w "$w" -o /dev/null "$h/page?after-head=1"
# POSTs: a small body, and one large enough for Expect: 100-continue
c -o /dev/null --data-binary @"$tmp/small.body" -H 'Content-Type: application/octet-stream' \
    "$h/submit?kind=small"
c -o /dev/null --data-binary @"$tmp/large.body" -H 'Expect: 100-continue' "$h/submit?kind=large"
# chunked and gzip (no --compressed: the body is counted as sent)
c -o /dev/null "$h/chunked?x=1" -o /dev/null "$h/gzip"
# User-Agent, Referer, cookies both ways
c -o /dev/null -A 'Mozilla/5.0 (sessions suite) netcap-test/1.0' -e 'http://referrer.test/from?x=1' \
    -b 'session=s1; lang=en' "$h/cookie?c=1"
# 204 and 304 (with a Content-Length) have no body; then a close-delimited body
c -o /dev/null "$h/nocontent" -o /dev/null "$h/notmodified" -o /dev/null "$h/page?after-304=1" \
    -o /dev/null "$h/close"
# HEAD of a chunked resource, then a GET on the same connection
c -I -o /dev/null "$h/chunked?head=1" --next -s -w "$w" -o /dev/null "$h/page?after-head-chunked=1"
# a chunked request body, a form, HTTP/1.0, a large download
c -o /dev/null -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/small.body" "$h/submit?kind=chunked"
c -o /dev/null -d 'name=netcap&kind=form%20post&empty=' "$h/submit?kind=form"
c --http1.0 -o /dev/null "$h/page?v=1.0"
c -o /dev/null "$h/large"
curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$closed/" # refused
# Content-Length and chunked at once; 103 Early Hints; absolute-form (as to a proxy)
c -o /dev/null "$h/both" -o /dev/null "$h/early"
c -o /dev/null -x "http://127.0.0.1:$hport" "http://proxied.sessions.test/page?absolute=1"
# a response cut by a reset from the server (curl: 1000 of 5000 bytes)
c -o /dev/null "$h/abort" || true
# a connection still open when the captures stop (end reason eof)
$py "$here/clients.py" http-idle "$hport" "$logs" 2>> "$tmp/clients.err" &
idle=$!
pids="$pids $idle"
$py "$here/clients.py" http-pipeline "$hport" "$logs" 2>> "$tmp/clients.err"
$py "$here/clients.py" http-split "$hport" "$logs" 2>> "$tmp/clients.err"
$py "$here/clients.py" http-rst "$hport" "$logs" 2>> "$tmp/clients.err"

# ---- TLS sessions: every connection has its own SNI (the clients' reports
# are matched to the records by it); each client connects twice
tls_curl() { # NAME VERSION-FLAGS...
    n=$1
    shift
    curl -s -k --max-time 10 -o /dev/null -v "$@" --resolve "$n.sessions.test:$tport:127.0.0.1" \
        "https://$n.sessions.test:$tport/" 2> "$tmp/curl-$n.err" || true
    v=$(sed -n 's/.*SSL connection using \([^ ]*\) \/ \([^ ]*\).*/\1 \2/p' "$tmp/curl-$n.err" | head -n 1)
    a=$(sed -n 's/.*ALPN: server accepted \([^ ]*\).*/\1/p' "$tmp/curl-$n.err" | head -n 1)
    echo "tls $n.sessions.test ${v:-? ?} ${a:--}" >> "$logs"
}
tls_sclient() { # NAME FLAGS...
    n=$1
    shift
    printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -connect "127.0.0.1:$tport" -servername "$n.sessions.test" \
        "$@" -brief -ign_eof > "$tmp/sc.out" 2>&1
    cat "$tmp/sc.out" >> "$tmp/sc-$n.out"
    v=$(sed -n 's/^Protocol version: *//p' "$tmp/sc.out" | head -n 1)
    ci=$(sed -n 's/^Ciphersuite: *//p' "$tmp/sc.out" | head -n 1)
    echo "tls $n.sessions.test ${v:-?} ${ci:-?} -" >> "$logs"
}
tls_curl curl13a --tlsv1.3
tls_curl curl13b --tlsv1.3
tls_curl curl12a --tlsv1.2 --tls-max 1.2 --http1.1
tls_curl curl12b --tlsv1.2 --tls-max 1.2 --http1.1
tls_sclient sc13a -tls1_3
tls_sclient sc13b -tls1_3
tls_sclient sc12a -tls1_2
tls_sclient sc12b -tls1_2
# a HelloRetryRequest: two ClientHellos and two ServerHellos on one connection
tls_sclient hrr -tls1_3 -groups P-384:X25519
# resumption: TLS 1.3 PSK, TLS 1.2 session ticket (same SNI both times)
tls_sclient res13 -tls1_3 -sess_out "$tmp/s13.sess"
tls_sclient res13 -tls1_3 -sess_in "$tmp/s13.sess"
tls_sclient res12 -tls1_2 -sess_out "$tmp/s12.sess"
tls_sclient res12 -tls1_2 -sess_in "$tmp/s12.sess"
# through the HTTP server as a proxy: CONNECT, then TLS inside the tunnel
curl -s -k --max-time 10 -o /dev/null -v -p -x "http://127.0.0.1:$hport" --http1.1 \
    -w 'http %{local_port} CONNECT tunnel.sessions.test:'"$tport"' %{http_connect} 0\n' \
    "https://tunnel.sessions.test:$tport/" >> "$logs" 2> "$tmp/curl-tunnel.err" || true
v=$(sed -n 's/.*SSL connection using \([^ ]*\) \/ \([^ ]*\).*/\1 \2/p' "$tmp/curl-tunnel.err" | head -n 1)
echo "tls tunnel.sessions.test ${v:-? ?} -" >> "$logs"
$py "$here/clients.py" tls "$tport" pysega.sessions.test "$logs" segments 2>> "$tmp/clients.err"
$py "$here/clients.py" tls "$tport" pysegb.sessions.test "$logs" segments 2>> "$tmp/clients.err"
$py "$here/clients.py" tls "$tport" pyrec.sessions.test "$logs" records 2>> "$tmp/clients.err"

# ---- DNS sessions
if [ $dns = 1 ]; then
    if command -v dig > /dev/null 2>&1; then
        d() { dig @127.0.0.1 -p 53 +tries=1 +time=3 "$@" > "$tmp/dig.out" 2>&1
            # dns - ID NAME TYPE STATUS ANSWERS
            sed -n 's/.*status: \([A-Z]*\), id: \([0-9]*\).*/\1 \2/p; s/.*ANSWER: \([0-9]*\),.*/\1/p' "$tmp/dig.out" |
                paste -d ' ' - - | while read -r st id an; do
                echo "dns - $id $1 $2 $st $an" >> "$logs"
            done
        }
        d www.sessions.test A
        d www.sessions.test AAAA
        d alias.sessions.test A
        d txt.sessions.test TXT
        d nx.sessions.test A
        d www.sessions.test TXT
        d outside.example A
        d www.sessions.test A +tcp
        d mx.sessions.test MX
        d _sip._tcp.sessions.test SRV
        d 9.2.0.192.in-addr.arpa PTR +tcp
        d big.sessions.test TXT # truncated over UDP, then over TCP
        dig @127.0.0.1 -p 53 +tries=1 +time=1 drop.sessions.test A > /dev/null 2>&1 # unanswered
    else
        skp sessions-dig "dig missing (bind9-dnsutils): Python UDP queries instead"
        for q in "www.sessions.test A" "www.sessions.test AAAA" "alias.sessions.test A" \
            "txt.sessions.test TXT" "nx.sessions.test A"; do
            # shellcheck disable=SC2086
            $py "$here/clients.py" dns-udp 53 "$logs" $q 2>> "$tmp/clients.err"
        done
    fi
    $py "$here/clients.py" dns-tcp 53 "$logs" 2>> "$tmp/clients.err"
fi

# ---- stop the captures (the live capture writes its last batch on SIGINT)
sleep 1.5
kill -INT "$cpid" "$tpid"
kill "$idle" 2> /dev/null
wait "$cpid"
cst=$?
wait "$tpid"
if [ $cst != 0 ]; then
    bad sessions "netcap capture exit status $cst: $(head -c 300 "$tmp/capture.err")"
fi
# a packet lost by either capture voids the comparisons: say so first
tdrops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$tmp/tcpdump.err")
if [ "${tdrops:-0}" != 0 ]; then
    bad sessions-capture "tcpdump dropped $tdrops packets (the pcap misses them)"
fi
if grep -q "dropped by the kernel" "$tmp/capture.err"; then
    bad sessions-capture "netcap: $(grep "dropped by the kernel" "$tmp/capture.err")"
fi
"$NETCAP" capture -read "$tmp/lo.pcap" -out "$tmp/file" -workers 2 -quiet 2> "$tmp/read.err" ||
    bad sessions "netcap capture -read of the tcpdump pcap failed: $(head -c 300 "$tmp/read.err")"
[ -s "$tmp/clients.err" ] && echo "client errors: $(head -c 500 "$tmp/clients.err")"
for f in capture.err read.err; do
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$tmp/$f"; then
        bad sessions-sanitizer "report in netcap's $f:"
        sed -n '1,15s/^/    /p' "$tmp/$f"
    fi
done

# ---- checks
$py "$here/check.py" --netcap "$NETCAP" --live "$tmp/live" --file "$tmp/file" --pcap "$tmp/lo.pcap" \
    --clients "$logs" --http-port "$hport" --tls-port "$tport" --closed-port "$closed" --dns $dns > "$tmp/check.out" 2>&1
st=$?
while IFS='	' read -r verdict name why; do
    case $verdict in
    ok) ok "$name" ;;
    bad) bad "$name" "$why" ;;
    skip) skp "$name" "$why" ;;
    *) echo "$verdict${name:+ $name}${why:+ $why}" ;;
    esac
done < "$tmp/check.out"
[ $st = 0 ] || grep -q "^bad" "$tmp/check.out" || bad sessions "check.py failed (status $st)"
echo "sessions: run time $(($(date +%s) - start_t)) s"
summary
