/*
 * summary: STUB UDP decoder (to be written).
 */
#include "decode/decoder.h"

static int udp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t udp_claims[] = { 17 };
const struct nc_decoder nc_decoder_udp = {
    .name = "udp",
    .display = "UDP",
    .layer = NC_LAYER_TRANSPORT,
    .ns = NC_NS_IPPROTO,
    .claims = udp_claims,
    .n_claims = NC_ARRAY_LEN(udp_claims),
    .decode = udp_decode,
};
