/*
 * summary: STUB RawIP decoder (to be written).
 */
#include "decode/decoder.h"

static int rawip_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t rawip_claims[] = { 12, 14, 101, 228, 229 };
const struct nc_decoder nc_decoder_rawip = {
    .name = "rawip",
    .display = "RawIP",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_DLT,
    .claims = rawip_claims,
    .n_claims = NC_ARRAY_LEN(rawip_claims),
    .decode = rawip_decode,
};
