/*
 * summary: STUB LinuxSLL decoder (to be written).
 */
#include "decode/decoder.h"

static int sll_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t sll_claims[] = { 113 };
const struct nc_decoder nc_decoder_sll = {
    .name = "sll",
    .display = "LinuxSLL",
    .layer = NC_LAYER_LINK,
    .ns = NC_NS_DLT,
    .claims = sll_claims,
    .n_claims = NC_ARRAY_LEN(sll_claims),
    .decode = sll_decode,
};
