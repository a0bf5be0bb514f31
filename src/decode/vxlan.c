/*
 * summary: VXLAN header (UDP 4789, and 8472, the Linux default) -> VXLAN
 *          records; hands on the inner Ethernet frame.
 * spec:    RFC 7348 5; group based policy: draft-smith-vxlan-group-policy-05.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|  Group Policy ID (G) / Rsvd  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Decisions:
 * - Found by port, so the header is checked before anything is recorded:
 *   the I bit must be set, the reserved bits of the first octet and the
 *   last octet zero, and (with G) the reserved bits around D and A zero.
 *   Without G the second and third octets are reserved; RFC 7348 tells
 *   receivers to ignore them, and so do we. Anything else is declined.
 * - The inner frame is a tunnel payload: nc_pkt_tunnel() with the VNI.
 */
#include "decode/decoder.h"

enum {
    VXLAN_HDR_LEN = 8,
    VXLAN_FLAG_G = 0x80,
    VXLAN_FLAG_I = 0x08,
    VXLAN_RSVD0 = 0x77,     /* first octet: all but G and I */
    VXLAN_GBP_D = 0x40,     /* second octet, with G */
    VXLAN_GBP_A = 0x08,     /* second octet, with G */
    VXLAN_GBP_RSVD1 = 0xb7, /* second octet: all but D and A */
};

static int vxlan_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t flags = nc_rd_u8(r);
    uint8_t b1 = nc_rd_u8(r);
    uint16_t policy = nc_rd_be16(r);
    uint32_t vni = nc_rd_be24(r);
    uint8_t rsvd = nc_rd_u8(r);
    if (!nc_rd_ok(r)) {
        return NC_DECLINE; /* too short to be VXLAN: someone else's datagram */
    }
    bool gbp = (flags & VXLAN_FLAG_G) != 0;
    if (!(flags & VXLAN_FLAG_I) || (flags & VXLAN_RSVD0) || rsvd != 0 ||
            (gbp && (b1 & VXLAN_GBP_RSVD1))) {
        return NC_DECLINE;
    }
    Netcap__VXLAN *rec = nc_pkt_record(pkt, NC_REC_VXLAN);
    if (rec) {
        rec->valid_id_flag = true;
        rec->vni = vni;
        rec->flags = flags;
        rec->gbp_extension = gbp;
        if (gbp) {
            rec->gbp_dont_learn = (b1 & VXLAN_GBP_D) != 0;
            rec->gbp_applied = (b1 & VXLAN_GBP_A) != 0;
            rec->gbp_group_policy_id = policy;
        }
    }
    if (nc_rd_left(r) > 0) {
        nc_pkt_tunnel(pkt, vni);
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_ETHERNET;
    }
    return NC_OK;
}

static const struct nc_claim vxlan_claims[] = {
    { NC_NS_UDP_PORT, 4789 }, /* IANA */
    { NC_NS_UDP_PORT, 8472 }, /* Linux kernel default before the IANA port */
};
const struct nc_decoder nc_decoder_vxlan = {
    .name = "vxlan",
    .display = "VXLAN",
    .layer = NC_LAYER_NONE,
    .carrier_layer = NC_LAYER_APP,
    .claims = vxlan_claims,
    .n_claims = NC_ARRAY_LEN(vxlan_claims),
    .decode = vxlan_decode,
};
