/*
 * summary: IEEE 802.1Q VLAN tag (and 802.1ad / legacy QinQ outer tags) -> Dot1Q records.
 * spec:    IEEE 802.1Q-2018 9.6 (tag format); 802.1ad S-tag TPID 0x88a8;
 *          0x9100 is the pre-standard QinQ TPID some switches still send.
 *
 *   TPID (2, already read as the previous EtherType)
 *   +-----+---+--------------+-------------+---------
 *   | PCP | D | VID (12)     | type (2)    | payload
 *   | (3) | E |              |             |
 *   +-----+---+--------------+-------------+---------
 *
 * Stacked tags need no loop: each tag's type names the next decoder, which
 * is this one again for an inner tag, bounded by the dispatch depth cap.
 */
#include "decode/decoder.h"

enum {
    DOT1Q_MIN_TYPE = 0x0600, /* below: 802.3 length field (LLC follows), not an EtherType */
};

static int dot1q_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    /* The dispatcher leaves the id it looked up in next_id: that is the TPID
     * which selected us (0x8100, 0x88a8 or 0x9100). */
    uint32_t tpid = pkt->next_id;
    uint16_t tci = nc_rd_be16(r);
    uint16_t type = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__Dot1Q *rec = nc_pkt_record(pkt, NC_REC_Dot1Q);
    if (rec) {
        rec->priority = tci >> 13;
        rec->drop_eligible = (tci & 0x1000) != 0;
        rec->vlan_id = tci & 0x0fff;
        rec->type = type;
        rec->tpid = (int32_t)tpid;
    }
    if ((tci & 0x0fff) != 0) {
        /* VLAN 0 is a priority tag, not a network; others separate flows */
        nc_pkt_zone(pkt, tci & 0x0fff);
    }
    if (type >= DOT1Q_MIN_TYPE) {
        pkt->next_ns = NC_NS_ETHERTYPE;
        pkt->next_id = type;
    } else {
        /* 802.3 length: the payload is LLC; cut the padding the length excludes */
        if (type < nc_rd_left(r)) {
            *r = nc_rd_sub(r, type);
        }
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_LLC;
    }
    return NC_OK;
}

static const struct nc_claim dot1q_claims[] = { { NC_NS_ETHERTYPE, 0x8100 },
    { NC_NS_ETHERTYPE, 0x88a8 }, { NC_NS_ETHERTYPE, 0x9100 } };
const struct nc_decoder nc_decoder_dot1q = {
    .name = "dot1q",
    .display = "Dot1Q",
    .layer = NC_LAYER_LINK,
    .claims = dot1q_claims,
    .n_claims = NC_ARRAY_LEN(dot1q_claims),
    .decode = dot1q_decode,
};
