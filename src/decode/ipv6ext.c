/*
 * summary: IPv6 Routing and Destination Options headers: skipped, next header dispatched.
 * spec:    RFC 8200 4.4 (Routing), 4.6 (Destination Options).
 *
 *   +---------------+---------------+-------------------------------+
 *   |  Next Header  |  Hdr Ext Len  |  type-specific data ...       |
 *   +---------------+---------------+-------------------------------+
 *   |  ... (Hdr Ext Len + 1) * 8 bytes in all                       |
 *   +---------------------------------------------------------------+
 *
 * The schema has no record for these headers. A chain of them needs no
 * loop here: each names the next decoder, bounded by the dispatch depth cap.
 */
#include "decode/decoder.h"

enum {
    IPV6EXT_UNIT = 8, /* Hdr Ext Len counts 8-octet units after the first 8 */
};

static int ipv6ext_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t next = nc_rd_u8(r);
    uint8_t units = nc_rd_u8(r);
    nc_rd_skip(r, ((size_t)units + 1) * IPV6EXT_UNIT - 2);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    pkt->ctx.ip_proto = next;
    pkt->ctx.ip_left = nc_pkt_ip_after(pkt, ((size_t)units + 1) * IPV6EXT_UNIT);
    pkt->next_ns = NC_NS_IPPROTO;
    pkt->next_id = next;
    return NC_OK;
}

static const struct nc_claim ipv6ext_claims[] = { { NC_NS_IPPROTO, 43 /* Routing */ },
    { NC_NS_IPPROTO, 60 /* Destination Options */ } };
const struct nc_decoder nc_decoder_ipv6ext = {
    .name = "ipv6ext",
    .display = "IPv6Ext",
    .layer = NC_LAYER_NONE,
    .claims = ipv6ext_claims,
    .n_claims = NC_ARRAY_LEN(ipv6ext_claims),
    .decode = ipv6ext_decode,
};
