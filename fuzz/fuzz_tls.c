/*
 * summary: fuzz target: the TLS stream parser (src/proto/tls.c) through the
 *          stream test harness, both directions.
 *
 * Input: | split (2, big endian) | seed (1) | bytes |. The bytes are the
 * client's stream up to split (modulo their length) and the server's after
 * it; both are fed in chunks whose sizes and interleaving come from a small
 * generator seeded with seed (seed 0: each side whole, client first), and
 * a gap is reported now and then (seed bit 7). The seeds in
 * fuzz/corpus/fuzz_tls are real hellos framed that way. Checked: no crash
 * or sanitizer report, the JSON written is valid UTF-8, and after close the
 * parser has given back every byte of its memory budget.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "proto/parser.h"

static uint32_t next(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size < 3) {
        return 0;
    }
    uint8_t *copy = fuzz_dup(data + 3, size - 3);
    size_t n = size - 3;
    size_t split = n ? ((size_t)data[0] << 8 | data[1]) % (n + 1) : 0;
    uint8_t seed = data[2];
    uint32_t x = seed;
    /* half of the runs with a memory cap, so refusals are reached too */
    uint64_t cap = (seed & 0x40) ? 512u + 64u * (seed & 0x3f) : 0;

    struct nc_stream *s = nc_stream_test_new(&nc_parser_tls, cap);
    if (!s) {
        free(copy);
        return 0;
    }
    const uint8_t *side[2] = { copy, copy + split };
    size_t left[2] = { split, n - split };
    int64_t ts = 1;
    bool alive = true;
    while (alive && (left[0] || left[1])) {
        int d = left[0] == 0 ? 1 : left[1] == 0 ? 0 : seed == 0 ? 0 : (int)(next(&x) & 1);
        size_t k = left[d];
        if (seed != 0) {
            size_t max = (size_t)1 << (next(&x) % 12);
            size_t want = 1 + next(&x) % max; /* not inside NC_MIN: evaluated twice */
            k = NC_MIN(k, want);
        }
        if ((seed & 0x80) && next(&x) % 64 == 0) {
            uint64_t gap = 1 + next(&x) % 100;
            alive = nc_stream_test_gap(s, d, gap, ts);
            if (!alive) {
                break;
            }
        }
        alive = nc_stream_test_feed(s, d, side[d], k, ts++);
        side[d] += k;
        left[d] -= k;
    }
    nc_stream_test_close(s, ts);
    const char *json = nc_stream_test_json(s);
    if (!nc_utf8_valid((const uint8_t *)json, strlen(json))) {
        fuzz_fail("TLS records: JSON is not valid UTF-8");
    }
    if (nc_stream_test_budget_used(s) != 0) {
        fuzz_fail("TLS parser: memory budget not given back after close");
    }
    nc_stream_test_free(s);
    free(copy);
    return 0;
}
