/*
 * summary: fuzz target: the DNS decoders alone, on the raw input.
 *
 * The input is one UDP payload for nc_decoder_dns (port 53: a single
 * message, IPv4 and IPv6 contexts so both address formats reach the
 * records) and, separately, a reassembled TCP stream for the DNS-over-TCP
 * stream parser (2-byte-length-prefixed messages), fed in uneven chunks to
 * both directions through the stream harness. Every DNS record is encoded and
 * rendered with the checks of fuzz/common.c, so the deep nesting of DNS
 * records (questions, RRs, SOA, SRV, TXT lists) goes through every format.
 * Going straight to the decoder skips the lower layers that fuzz_decode
 * spends most of its inputs on.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/rd.h"
#include "decode/decoder.h"
#include "proto/parser.h"

enum {
    ARENA_CAP = 4 * 1024 * 1024, /* the pipeline's per-packet arena cap */
};

static void run_one(enum nc_decoder_id id, uint8_t ip_ver, const uint8_t *p, size_t n)
{
    static const uint8_t src4[4] = { 192, 0, 2, 1 }, dst4[4] = { 198, 51, 100, 53 };
    static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x35, [15] = 0x53 };
    static struct nc_decode_stats st;
    memset(&st, 0, sizeof(st));

    struct nc_arena arena;
    nc_arena_init(&arena, ARENA_CAP);
    struct nc_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.ts = 1700000000000000000LL;
    pkt.caplen = (uint32_t)n;
    pkt.wirelen = (uint32_t)n;
    pkt.dlt = 101;
    pkt.data = p;
    pkt.arena = &arena;
    pkt.opts = fuzz_all_records();
    pkt.stats = &st;
    if (ip_ver == 4) {
        nc_pkt_set_ip(&pkt, 4, src4, dst4);
    } else {
        nc_pkt_set_ip(&pkt, 6, src6, dst6);
    }
    /* what the transport decoder leaves behind */
    pkt.ctx.ip_proto = 17;
    pkt.ctx.has_ports = true;
    pkt.ctx.src_port = 12345;
    pkt.ctx.dst_port = 53;
    pkt.ctx.l4_payload = (uint32_t)n;

    const struct nc_decoder *d = nc_decoder_by_id(id);
    struct nc_rd r = nc_rd_make(p, n);
    int rc = d->decode(&pkt, &r);
    if (rc < NC_OK || rc > NC_EARG) {
        fuzz_fail("DNS decoder returned a value outside enum nc_err");
    }
    for (size_t i = 0; i < pkt.n_recs; i++) {
        fuzz_check_encode(pkt.recs[i]);
        fuzz_check_render(pkt.recs[i]);
    }
    nc_arena_fini(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    uint8_t *copy = fuzz_dup(data, size);
    run_one(NC_DEC_dns, 4, copy, size);
    run_one(NC_DEC_dns, 6, copy, size);
    /* the stream parser: chunks of 1..64 bytes, direction from the input */
    struct nc_stream *s = nc_stream_test_new(&nc_parser_dns_tcp, 1 << 20);
    if (!s) {
        fuzz_fail("stream harness: out of memory");
    }
    size_t off = 0;
    while (off < size) {
        size_t n = 1 + (copy[off] & 63);
        n = n > size - off ? size - off : n;
        nc_stream_test_feed(s, copy[off] >> 7, copy + off, n, 1);
        off += n;
    }
    nc_stream_test_close(s, 2);
    if (nc_stream_test_budget_used(s) != 0) {
        fuzz_fail("DNS over TCP: budget not refunded after close");
    }
    nc_stream_test_free(s);
    free(copy);
    return 0;
}
