/*
 * summary: fuzz target: the stream parsers of Modbus/TCP, EtherNet/IP, SIP
 *          and Diameter over TCP (src/proto/{modbus,enip,sip,diameter}_tcp.c
 *          and framed.c, with the message decoders of src/decode/appmsg.h)
 *          through the stream test harness, both directions.
 *
 * Input: one option byte, then chunks as fuzz_stream_chunks (common.h)
 * reads them, with h & 0x40 feeding a chunk one byte at a time. Option
 * bits 0-1 pick the parser (Modbus, ENIP, SIP, Diameter); bit 0x80 gives
 * the stream a small budget (1 KiB + 64 * (bits 2-6)), so that refused
 * allocations are reached; otherwise the budget is unlimited.
 */
#include "common.h"

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
    fuzz_stream_chunks(s, data + 1, size - 1, 0x40, "TCP application");
    return 0;
}
