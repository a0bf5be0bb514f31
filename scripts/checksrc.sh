#!/bin/sh
# Source checks that the compiler does not make (curl's checksrc in spirit):
#  - banned functions in src/ (unbounded or locale/overflow traps);
#  - raw allocation outside src/core/ (everything goes through nc_malloc & co);
#  - basenames unique across src/ (grep, stack traces, objects unambiguous);
#  - no struct casts or indexing of packet pointers in decoders (use nc_rd).
# Prints each finding as file:line: message and exits 1 if there is any.
set -u
cd "$(dirname "$0")/.."
fail=0
report() { echo "$1"; fail=1; }

banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|gets|atoi|atol|atof|sscanf|alloca|bzero)\s*\('
grep -rnE "$banned" src --include='*.c' --include='*.h' | while IFS= read -r l; do
    echo "$l: banned function (use snprintf, nc_dbuf_*, strtol with checks)"; done > /tmp/checksrc.$$
[ -s /tmp/checksrc.$$ ] && { cat /tmp/checksrc.$$; fail=1; }

grep -rnE '\b(malloc|calloc|realloc|free|strdup)\s*\(' src --include='*.c' |
    grep -v '^src/core/' | grep -v 'nc_\(malloc\|calloc\|realloc\|free\|strdup\)' \
    > /tmp/checksrc.$$ || true
if [ -s /tmp/checksrc.$$ ]; then
    sed 's/$/: raw allocation outside src\/core (use nc_malloc, nc_free...)/' /tmp/checksrc.$$; fail=1
fi

dups=$(find src -name '*.c' -o -name '*.h' | xargs -n1 basename | sort | uniq -d | grep -v '^version\.h$')
for d in $dups; do report "src/**/$d: basename used twice (basenames must be unique)"; done

# decoders read packets only through the bounds-checked reader
grep -rnE '\*\s*\((const\s+)?(uint16_t|uint32_t|uint64_t|int16_t|int32_t)\s*\*\)|\b(ntohs|ntohl|htons|htonl)\s*\(' \
    src/decode src/capture --include='*.c' > /tmp/checksrc.$$ || true
if [ -s /tmp/checksrc.$$ ]; then
    sed 's/$/: raw packet access (use nc_rd_*)/' /tmp/checksrc.$$; fail=1
fi
rm -f /tmp/checksrc.$$
[ $fail = 0 ] && echo "checksrc: ok"
exit $fail
