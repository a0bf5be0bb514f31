/*
 * summary: STUB TCP decoder (to be written).
 */
#include "decode/decoder.h"

static int tcp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t tcp_claims[] = { 6 };
const struct nc_decoder nc_decoder_tcp = {
    .name = "tcp",
    .display = "TCP",
    .layer = NC_LAYER_TRANSPORT,
    .ns = NC_NS_IPPROTO,
    .claims = tcp_claims,
    .n_claims = NC_ARRAY_LEN(tcp_claims),
    .decode = tcp_decode,
};
