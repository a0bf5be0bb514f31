/*
 * summary: SNAP header (LLC SAP 0xaa) -> SNAP records; the payload goes on
 *          by organisation and protocol id.
 * spec:    IEEE Std 802-2014 9.3 (SNAP); RFC 1042 (OUI 00-00-00: the
 *          protocol id is an EtherType); IEEE 802.1H-1997 (OUI 00-00-f8,
 *          bridge tunnel, also an EtherType).
 *
 *   +---------------------+---------------+---------
 *   | OUI (3)             | protocol (2)  | payload
 *   +---------------------+---------------+---------
 *
 * What a protocol id means depends on the organisation that assigned it,
 * so the next layer is looked up in a namespace chosen by the OUI:
 *   - 00-00-00 and 00-00-f8: NC_NS_ETHERTYPE. IPv4 and ARP over 802.11
 *     and FDDI, and EAPOL over 802.11 (0x888e), arrive this way.
 *   - an organisation whose protocols we decode has a namespace of its own
 *     in which the protocol id is the id: NC_NS_SNAP_CISCO (00-00-0c; CDP
 *     0x2000) and NC_NS_SNAP_NORTEL (00-00-81; SONMP 0x01a1, 0x01a2).
 *     Decoders claim ids there as anywhere else, and the ids nobody
 *     claims (Cisco's VTP 0x2003, DTP 0x2004, PVST+ 0x010b...) are counted
 *     per organisation in the capture summary.
 *   - any other OUI: nothing follows; the SNAP record names OUI and id.
 * One namespace per organisation rather than one pseudo-id per (OUI, id)
 * pair: the ids stay the numbers on the wire, no second table has to be
 * kept in step with the decoders' claims, and an organisation's unknown
 * ids can be counted. Another organisation costs a namespace in
 * decode/pkt.h, a row below and a summary label in dispatch.c.
 */
#include "decode/decoder.h"

static const struct {
    uint32_t oui;
    enum nc_ns ns;
} snap_orgs[] = {
    { 0x000000, NC_NS_ETHERTYPE },   /* RFC 1042 */
    { 0x0000f8, NC_NS_ETHERTYPE },   /* IEEE 802.1H bridge tunnel */
    { 0x00000c, NC_NS_SNAP_CISCO },  /* Cisco */
    { 0x000081, NC_NS_SNAP_NORTEL }, /* Nortel (SynOptics) */
};

static int snap_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_rd o = nc_rd_sub(r, 3);
    uint16_t type = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_span oui = { nc_rd_ptr(&o), 3 };
    uint32_t org = nc_rd_be24(&o);
    Netcap__SNAP *rec = nc_pkt_record(pkt, NC_REC_SNAP);
    if (rec) {
        rec->organizational_code = nc_bytes(oui);
        rec->type = type;
    }
    for (size_t i = 0; i < NC_ARRAY_LEN(snap_orgs); i++) {
        if (snap_orgs[i].oui == org) {
            pkt->next_ns = snap_orgs[i].ns;
            pkt->next_id = type;
            break;
        }
    }
    return NC_OK;
}

static const struct nc_claim snap_claims[] = { { NC_NS_LLC_SAP, 0xaa } };
const struct nc_decoder nc_decoder_snap = {
    .name = "snap",
    .display = "SNAP",
    .layer = NC_LAYER_NONE, /* the frame's link (Ethernet, 802.11) names the connection's */
    .claims = snap_claims,
    .n_claims = NC_ARRAY_LEN(snap_claims),
    .decode = snap_decode,
};
