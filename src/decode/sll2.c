/*
 * summary: STUB LinuxSLL2 decoder (to be written).
 */
#include "decode/decoder.h"

static int sll2_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t sll2_claims[] = { 276 };
const struct nc_decoder nc_decoder_sll2 = {
    .name = "sll2",
    .display = "LinuxSLL2",
    .layer = NC_LAYER_LINK,
    .ns = NC_NS_DLT,
    .claims = sll2_claims,
    .n_claims = NC_ARRAY_LEN(sll2_claims),
    .decode = sll2_decode,
};
