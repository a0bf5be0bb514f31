/*
 * summary: STUB ICMPv6NeighborSolicitation decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp6ns_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp6ns_claims[] = { 135 };
const struct nc_decoder nc_decoder_icmp6ns = {
    .name = "icmp6ns",
    .display = "ICMPv6NeighborSolicitation",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_ICMP6_TYPE,
    .claims = icmp6ns_claims,
    .n_claims = NC_ARRAY_LEN(icmp6ns_claims),
    .decode = icmp6ns_decode,
};
