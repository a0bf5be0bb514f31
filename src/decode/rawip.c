/*
 * summary: raw IP link types (no link header) -> IPv4 or IPv6 by version nibble.
 * spec:    https://www.tcpdump.org/linktypes/LINKTYPE_RAW.html (12 on OpenBSD
 *          is DLT_RAW, 14 DLT_RAW on other BSDs, 101 LINKTYPE_RAW,
 *          228 LINKTYPE_IPV4, 229 LINKTYPE_IPV6).
 *
 * Nothing is consumed: the IP decoder reads the same bytes. The nibble
 * decides even for 228/229, so a mislabelled file still decodes.
 */
#include "decode/decoder.h"

enum {
    RAWIP_ETHERTYPE_IPV4 = 0x0800,
    RAWIP_ETHERTYPE_IPV6 = 0x86dd,
};

static int rawip_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    if (nc_rd_left(r) == 0) {
        nc_rd_fail(r, NC_ETRUNC);
        return NC_ETRUNC;
    }
    unsigned version = (unsigned)nc_rd_peek(r, 0) >> 4;
    switch (version) {
        case 4:
            pkt->next_id = RAWIP_ETHERTYPE_IPV4;
            break;
        case 6:
            pkt->next_id = RAWIP_ETHERTYPE_IPV6;
            break;
        default:
            return NC_EMALFORMED; /* not IP: nothing else can follow */
    }
    pkt->next_ns = NC_NS_ETHERTYPE;
    return NC_OK;
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
