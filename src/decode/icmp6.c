/*
 * summary: STUB ICMPv6 decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp6_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp6_claims[] = { 58 };
const struct nc_decoder nc_decoder_icmp6 = {
    .name = "icmp6",
    .display = "ICMPv6",
    .layer = NC_LAYER_TRANSPORT,
    .ns = NC_NS_IPPROTO,
    .claims = icmp6_claims,
    .n_claims = NC_ARRAY_LEN(icmp6_claims),
    .decode = icmp6_decode,
};
