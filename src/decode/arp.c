/*
 * summary: STUB ARP decoder (to be written).
 */
#include "decode/decoder.h"

static int arp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t arp_claims[] = { 0x0806 };
const struct nc_decoder nc_decoder_arp = {
    .name = "arp",
    .display = "ARP",
    .layer = NC_LAYER_LINK,
    .ns = NC_NS_ETHERTYPE,
    .claims = arp_claims,
    .n_claims = NC_ARRAY_LEN(arp_claims),
    .decode = arp_decode,
};
