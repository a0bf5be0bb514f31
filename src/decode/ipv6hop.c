/*
 * summary: STUB IPv6HopByHop decoder (to be written).
 */
#include "decode/decoder.h"

static int ipv6hop_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t ipv6hop_claims[] = { 0 };
const struct nc_decoder nc_decoder_ipv6hop = {
    .name = "ipv6hop",
    .display = "IPv6HopByHop",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_IPPROTO,
    .claims = ipv6hop_claims,
    .n_claims = NC_ARRAY_LEN(ipv6hop_claims),
    .decode = ipv6hop_decode,
};
