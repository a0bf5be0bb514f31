/*
 * summary: STUB ICMPv6Echo decoder (to be written).
 */
#include "decode/decoder.h"

static int icmp6echo_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t icmp6echo_claims[] = { 128, 129 };
const struct nc_decoder nc_decoder_icmp6echo = {
    .name = "icmp6echo",
    .display = "ICMPv6Echo",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_ICMP6_TYPE,
    .claims = icmp6echo_claims,
    .n_claims = NC_ARRAY_LEN(icmp6echo_claims),
    .decode = icmp6echo_decode,
};
