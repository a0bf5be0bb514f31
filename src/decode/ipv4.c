/*
 * summary: STUB IPv4 decoder (to be written).
 */
#include "decode/decoder.h"

static int ipv4_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t ipv4_claims[] = { 0x0800 };
const struct nc_decoder nc_decoder_ipv4 = {
    .name = "ipv4",
    .display = "IPv4",
    .layer = NC_LAYER_NETWORK,
    .ns = NC_NS_ETHERTYPE,
    .claims = ipv4_claims,
    .n_claims = NC_ARRAY_LEN(ipv4_claims),
    .decode = ipv4_decode,
};
