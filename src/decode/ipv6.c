/*
 * summary: STUB IPv6 decoder (to be written).
 */
#include "decode/decoder.h"

static int ipv6_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t ipv6_claims[] = { 0x86dd };
const struct nc_decoder nc_decoder_ipv6 = {
    .name = "ipv6",
    .display = "IPv6",
    .layer = NC_LAYER_NETWORK,
    .ns = NC_NS_ETHERTYPE,
    .claims = ipv6_claims,
    .n_claims = NC_ARRAY_LEN(ipv6_claims),
    .decode = ipv6_decode,
};
