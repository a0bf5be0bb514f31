/*
 * summary: STUB Null decoder (to be written).
 */
#include "decode/decoder.h"

static int null_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t null_claims[] = { 0, 108 };
const struct nc_decoder nc_decoder_null = {
    .name = "null",
    .display = "Null",
    .layer = NC_LAYER_LINK,
    .ns = NC_NS_DLT,
    .claims = null_claims,
    .n_claims = NC_ARRAY_LEN(null_claims),
    .decode = null_decode,
};
