/*
 * summary: STUB ICMPv6NeighborAdvertisement decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp6na_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp6na_claims[] = { 136 };
const struct nc_decoder nc_decoder_icmp6na = {
    .name = "icmp6na",
    .display = "ICMPv6NeighborAdvertisement",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_ICMP6_TYPE,
    .claims = icmp6na_claims,
    .n_claims = NC_ARRAY_LEN(icmp6na_claims),
    .decode = icmp6na_decode,
};
