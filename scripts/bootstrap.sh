#!/bin/sh
# Installs the Debian packages netcap needs to build and test.
# As root it runs apt-get; otherwise it prints the command to run.
#   scripts/bootstrap.sh          build + test dependencies
#   scripts/bootstrap.sh --bench  also the tools the benchmark uses
set -eu
pkgs="build-essential pkg-config libpcap-dev libprotobuf-c-dev protobuf-c-compiler
libzstd-dev zstd zlib1g-dev libssl-dev libcmocka-dev clang libclang-rt-14-dev clang-format python3
wireshark-common python3-protobuf python3-zstandard python3-pandas groff-base
libmicrohttpd-dev prometheus curl libnats-dev libsodium-dev nats-server
tshark tcpdump openssl bind9-dnsutils"
# wireshark-common: editcap and mergecap, which the hostile and determinism suites use
# python3-protobuf, python3-zstandard, python3-pandas: the Python module
# (python/netcap) and its suite, and the label suite (pandas loads its CSV); groff-base (groff): the install
# suite renders the man pages
# libmicrohttpd-dev: netcap export's HTTP server; prometheus: promtool and the
# server the export suite scrapes with; curl: that suite's HTTP client
# libnats-dev, libsodium-dev: netcap agent/collect (NATS JetStream, sealed batches);
# nats-server: the broker the sensors suite starts; openssl: that suite's
# throw-away CA and certificates, and the Ed25519 signatures of its JWTs
# tshark, tcpdump, openssl, bind9-dnsutils (dig): the sessions suite runs real
# clients and servers on loopback (openssl s_server/s_client, dig), records
# them with tcpdump beside netcap's live capture, and checks netcap's records
# against tshark's decoding of that pcap
if [ "${1:-}" = "--bench" ]; then
    pkgs="$pkgs tcpreplay time"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "netcap needs these Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "bootstrap: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
# wireshark-common asks whether non-root users may capture: answer no
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get install -y -qq --no-install-recommends $missing >/dev/null
