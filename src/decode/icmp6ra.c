/*
 * summary: STUB ICMPv6RouterAdvertisement decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp6ra_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp6ra_claims[] = { 134 };
const struct nc_decoder nc_decoder_icmp6ra = {
    .name = "icmp6ra",
    .display = "ICMPv6RouterAdvertisement",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_ICMP6_TYPE,
    .claims = icmp6ra_claims,
    .n_claims = NC_ARRAY_LEN(icmp6ra_claims),
    .decode = icmp6ra_decode,
};
