/*
 * summary: ICMPv6 neighbour solicitation -> ICMPv6NeighborSolicitation records.
 * spec:    RFC 4861 4.3 (message), 4.6 (options).
 *
 *   +---------------------------------------------------------------+
 *   |                           Reserved                            |
 *   +---------------------------------------------------------------+
 *   |                     Target Address (16)                       |
 *   +---------------------------------------------------------------+
 *   |   Options ...
 *
 * The reader starts after the ICMPv6 common header (the icmp6 decoder).
 */
#include "decode/decoder.h"
#include "decode/icmp6_int.h"

static int icmp6ns_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t target[16];
    nc_rd_skip(r, 4); /* reserved */
    nc_rd_copy(r, target, sizeof(target));
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ICMPv6NeighborSolicitation *rec = nc_pkt_record(pkt, NC_REC_ICMPv6NeighborSolicitation);
    if (!rec) {
        return nc_icmp6_nd_options(pkt, r, NULL, NULL);
    }
    rec->target_address = nc_pkt_ip6(pkt, target);
    return nc_icmp6_nd_options(pkt, r, &rec->options, &rec->n_options);
}

static const struct nc_claim icmp6ns_claims[] = { { NC_NS_ICMP6_TYPE, 135 } };
const struct nc_decoder nc_decoder_icmp6ns = {
    .name = "icmp6ns",
    .display = "ICMPv6NeighborSolicitation",
    .layer = NC_LAYER_NONE,
    .claims = icmp6ns_claims,
    .n_claims = NC_ARRAY_LEN(icmp6ns_claims),
    .decode = icmp6ns_decode,
};
