/*
 * summary: raw IP link types (no link header) -> IPv4 or IPv6 by version nibble.
 * spec:    https://www.tcpdump.org/linktypes/LINKTYPE_RAW.html (12 on OpenBSD
 *          is DLT_RAW, 14 DLT_RAW on other BSDs, 101 LINKTYPE_RAW). The
 *          one-version types 228 (LINKTYPE_IPV4) and 229 (LINKTYPE_IPV6)
 *          are claimed by the IP decoders themselves.
 *
 * Also serves carriers that hold "an IP packet" without saying which
 * version (NC_LINK_IP). Nothing is consumed: the IP decoder reads the same
 * bytes.
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

static const struct nc_claim rawip_claims[] = {
    { NC_NS_DLT, 12 }, { NC_NS_DLT, 14 }, { NC_NS_DLT, 101 },
    { NC_NS_LINK, NC_LINK_IP }, /* Teredo, MPLS: IP of either version */
};
const struct nc_decoder nc_decoder_rawip = {
    .name = "rawip",
    .display = "RawIP",
    .layer = NC_LAYER_NONE,
    .claims = rawip_claims,
    .n_claims = NC_ARRAY_LEN(rawip_claims),
    .decode = rawip_decode,
};
