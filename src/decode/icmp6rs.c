/*
 * summary: ICMPv6 router solicitation -> ICMPv6RouterSolicitation records.
 * spec:    RFC 4861 4.1 (message), 4.6 (options).
 *
 *   +---------------------------------------------------------------+
 *   |                           Reserved                            |
 *   +---------------------------------------------------------------+
 *   |   Options ...
 *
 * The reader starts after the ICMPv6 common header (the icmp6 decoder).
 */
#include "decode/decoder.h"
#include "decode/icmp6_int.h"

static int icmp6rs_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    nc_rd_skip(r, 4); /* reserved */
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ICMPv6RouterSolicitation *rec = nc_pkt_record(pkt, NC_REC_ICMPv6RouterSolicitation);
    if (!rec) {
        return nc_icmp6_nd_options(pkt, r, NULL, NULL);
    }
    return nc_icmp6_nd_options(pkt, r, &rec->options, &rec->n_options);
}

static const struct nc_claim icmp6rs_claims[] = { { NC_NS_ICMP6_TYPE, 133 } };
const struct nc_decoder nc_decoder_icmp6rs = {
    .name = "icmp6rs",
    .display = "ICMPv6RouterSolicitation",
    .layer = NC_LAYER_NONE,
    .claims = icmp6rs_claims,
    .n_claims = NC_ARRAY_LEN(icmp6rs_claims),
    .decode = icmp6rs_decode,
};
