/*
 * summary: fuzz target: the HTTP/1.x stream parser (src/proto/http.c)
 *          through the stream test harness, both directions.
 *
 * Input: one option byte, then chunks as fuzz_stream_chunks (common.h)
 * reads them. Option bit 0x80 gives the stream a small budget (1 KiB + 64 *
 * (byte & 0x7f)), so that refused allocations (degraded records) are
 * reached; otherwise the budget is unlimited.
 */
#include "common.h"

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
    fuzz_stream_chunks(s, data + 1, size - 1, 0, "HTTP");
    return 0;
}
