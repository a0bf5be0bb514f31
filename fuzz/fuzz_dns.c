/*
 * summary: fuzz target: the DNS decoders alone, on the raw input.
 *
 * The input is one UDP payload for nc_decoder_dns (port 53: a single
 * message) and, separately, one TCP segment payload for nc_decoder_dnstcp
 * (2-byte-length-prefixed messages). Each runs with an IP context set by
 * nc_pkt_set_ip (IPv4 for UDP, IPv6 for TCP, so both address formats reach
 * the records) and ports 12345 -> 53. Every DNS record is then encoded and
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
    pkt.ctx.ip_proto = id == NC_DEC_dns ? 17 : 6;
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
    run_one(NC_DEC_dnstcp, 6, copy, size);
    free(copy);
    return 0;
}
