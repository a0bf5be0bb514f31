/*
 * summary: STUB ICMPv4 decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp4_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp4_claims[] = { 1 };
const struct nc_decoder nc_decoder_icmp4 = {
    .name = "icmp4",
    .display = "ICMPv4",
    .layer = NC_LAYER_TRANSPORT,
    .ns = NC_NS_IPPROTO,
    .claims = icmp4_claims,
    .n_claims = NC_ARRAY_LEN(icmp4_claims),
    .decode = icmp4_decode,
};
