/*
 * summary: STUB ICMPv6RouterSolicitation decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp6rs_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp6rs_claims[] = { 133 };
const struct nc_decoder nc_decoder_icmp6rs = {
    .name = "icmp6rs",
    .display = "ICMPv6RouterSolicitation",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_ICMP6_TYPE,
    .claims = icmp6rs_claims,
    .n_claims = NC_ARRAY_LEN(icmp6rs_claims),
    .decode = icmp6rs_decode,
};
