# Shared by the suites: sourced by tests/<suite>/run.sh right after it sets
# `suite=<name>`. Provides the conventions of tests/run-all.sh:
#   here, root       the suite's directory and the repository root
#   NETCAP           the binary under test (default build/netcap)
#   CORPUS, HOSTILE  ../shared/corpus and ../shared/hostile when present and
#                    not set by the caller (set them empty to skip those cases)
#   tmp              a scratch directory, removed on exit
#   ok NAME / bad NAME WHY / skp NAME WHY   count and print a verdict
#   summary          prints "<suite>: N passed, M failed, K skipped"; its
#                    status is non-zero if anything failed
#   require_netcap   ends the suite (failed) if NETCAP is not executable
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NETCAP=${NETCAP:-$root/build/netcap}
if [ -z "${CORPUS+set}" ]; then
    CORPUS=""
    [ -d "$root/../shared/corpus" ] && CORPUS=$(cd "$root/../shared/corpus" && pwd)
fi
if [ -z "${HOSTILE+set}" ]; then
    HOSTILE=""
    [ -d "$root/../shared/hostile" ] && HOSTILE=$(cd "$root/../shared/hostile" && pwd)
fi
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=0
pass=0; fail=0; skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netcap-$suite.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ok()  { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skp() { skip=$((skip + 1)); echo "SKIP $1: $2"; }

summary() {
    echo "$suite: $pass passed, $fail failed, $skip skipped"
    [ "$fail" = 0 ]
}

require_netcap() {
    if [ ! -x "$NETCAP" ]; then
        bad binary "NETCAP=$NETCAP is not an executable"
        summary
        exit 1
    fi
}
