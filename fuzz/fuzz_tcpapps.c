/*
 * summary: fuzz target: the stream parsers of Modbus/TCP, EtherNet/IP, SIP
 *          and Diameter over TCP (src/proto/{modbus,enip,sip,diameter}_tcp.c
 *          and framed.c, with the message decoders of src/decode/appmsg.h)
 *          through the stream test harness, both directions.
 *
 * Input: one option byte, then chunks as in fuzz_http. Option bits 0-1 pick
 * the parser (Modbus, ENIP, SIP, Diameter); bit 0x80 gives the stream a
 * small budget (1 KiB + 64 * (bits 2-6)), so that refused allocations are
 * reached; otherwise the budget is unlimited. Each chunk is a header byte h
 * and:
 *   (h & 0x0e) == 0x0e: a gap of (next byte + 1) * (h >> 4 | 1) bytes in
 *                       direction h & 1;
 *   else:               next byte = length n, then n data bytes for
 *                       direction h & 1 (fewer if the input ends); with
 *                       h & 0x40 the chunk is fed one byte at a time.
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
    static const struct nc_parser *const parsers[] = {
        &nc_parser_modbus_tcp,
        &nc_parser_enip_tcp,
        &nc_parser_sip_tcp,
        &nc_parser_diameter_tcp,
    };
    const struct nc_parser *p = parsers[data[0] & 3];
    uint64_t cap = data[0] & 0x80 ? 1024 + 64 * (uint64_t)(data[0] >> 2 & 0x1f) : 0;
    struct nc_stream *s = nc_stream_test_new(p, cap);
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
        if (h & 0x40) {
            for (size_t i = 0; i < n; i++) {
                (void)nc_stream_test_feed(s, dir, copy + i, 1, ts);
            }
        } else {
            (void)nc_stream_test_feed(s, dir, copy, n, ts);
        }
        free(copy);
        off += n;
    }
    nc_stream_test_close(s, ts + 1);
    if (nc_stream_test_budget_used(s) != 0) {
        fuzz_fail("TCP application parser left budget charged after close");
    }
    const char *json = nc_stream_test_json(s);
    size_t len = strlen(json);
    if (len && (json[0] != '{' || json[len - 1] != '\n')) {
        fuzz_fail("TCP application records are not JSON Lines");
    }
    nc_stream_test_free(s);
    return 0;
}
