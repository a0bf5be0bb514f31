/*
 * summary: STUB IPv6Fragment decoder (to be written).
 */
#include "decode/decoder.h"

static int ipv6frag_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t ipv6frag_claims[] = { 44 };
const struct nc_decoder nc_decoder_ipv6frag = {
    .name = "ipv6frag",
    .display = "IPv6Fragment",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_IPPROTO,
    .claims = ipv6frag_claims,
    .n_claims = NC_ARRAY_LEN(ipv6frag_claims),
    .decode = ipv6frag_decode,
};
