/*
 * summary: STUB Dot1Q decoder (to be written).
 */
#include "decode/decoder.h"

static int dot1q_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t dot1q_claims[] = { 0x8100, 0x88a8, 0x9100 };
const struct nc_decoder nc_decoder_dot1q = {
    .name = "dot1q",
    .display = "Dot1Q",
    .layer = NC_LAYER_LINK,
    .ns = NC_NS_ETHERTYPE,
    .claims = dot1q_claims,
    .n_claims = NC_ARRAY_LEN(dot1q_claims),
    .decode = dot1q_decode,
};
