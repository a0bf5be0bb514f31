/*
 * summary: STUB IPv6Ext decoder (to be written).
 */
#include "decode/decoder.h"

static int ipv6ext_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t ipv6ext_claims[] = { 43, 60 };
const struct nc_decoder nc_decoder_ipv6ext = {
    .name = "ipv6ext",
    .display = "IPv6Ext",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_IPPROTO,
    .claims = ipv6ext_claims,
    .n_claims = NC_ARRAY_LEN(ipv6ext_claims),
    .decode = ipv6ext_decode,
};
