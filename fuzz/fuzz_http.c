/*
 * summary: fuzz target: the HTTP/1.x stream parser (src/proto/http.c)
 *          through the stream test harness, both directions.
 *
 * Input: one option byte, then chunks. Option bit 0x80 gives the stream a
 * small budget (1 KiB + 64 * (byte & 0x7f)), so that refused allocations
 * (degraded records) are reached; otherwise the budget is unlimited. Each
 * chunk is a header byte h and:
 *   (h & 0x0e) == 0x0e: a gap of (next byte + 1) * (h >> 4 | 1) bytes in
 *                       direction h & 1;
 *   else:               next byte = length n, then n data bytes for
 *                       direction h & 1 (fewer if the input ends).
 * Every data chunk is copied into a malloc of exactly its size. After the
 * close, every budget byte must have come back and the records must be
 * NUL-terminated JSON Lines (one object per line).
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "proto/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size == 0) {
        return 0;
    }
    uint64_t cap = data[0] & 0x80 ? 1024 + 64 * (uint64_t)(data[0] & 0x7f) : 0;
    struct nc_stream *s = nc_stream_test_new(&nc_parser_http, cap);
    if (!s) {
        return 0;
    }
    size_t off = 1;
    int64_t ts = 1700000000000000000LL;
    while (off + 2 <= size) {
        uint8_t h = data[off];
        size_t n = data[off + 1];
        off += 2;
        int dir = h & 1;
        ts += 1000;
        if ((h & 0x0e) == 0x0e) {
            (void)nc_stream_test_gap(s, dir, (uint64_t)(n + 1) * (uint64_t)(h >> 4 | 1), ts);
            continue;
        }
        n = n < size - off ? n : size - off;
        uint8_t *copy = fuzz_dup(data + off, n);
        (void)nc_stream_test_feed(s, dir, copy, n, ts);
        free(copy);
        off += n;
    }
    nc_stream_test_close(s, ts + 1);
    if (nc_stream_test_budget_used(s) != 0) {
        fuzz_fail("HTTP parser left budget charged after close");
    }
    const char *json = nc_stream_test_json(s);
    size_t len = strlen(json);
    if (len && (json[0] != '{' || json[len - 1] != '\n')) {
        fuzz_fail("HTTP records are not JSON Lines");
    }
    nc_stream_test_free(s);
    return 0;
}
