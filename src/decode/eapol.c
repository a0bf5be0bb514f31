/*
 * summary: EAPOL (EAP over LANs) header -> EAPOL records; the body goes on
 *          by packet type.
 * spec:    IEEE 802.1X-2020 11.3 (EAPOL PDU format), 11.3.2 (packet types).
 *
 *   +-------------+-------------+--------------------+-------------------
 *   | version (1) | type (1)    | body length (2)    | body
 *   +-------------+-------------+--------------------+-------------------
 *   types: 0 EAP packet, 1 Start, 2 Logoff, 3 Key, 4 ASF alert, 5 MKA,
 *          6-8 announcements
 *
 * EtherType 0x888e, also over 802.11 behind LLC/SNAP, and 0x88c7 (IEEE
 * 802.11 RSN pre-authentication, the same PDUs). The body is handed on in
 * NC_NS_EAPOL under the packet type (EAP claims 0, EAPOL-Key 3) with the
 * window cut to the body length, so Ethernet padding never reaches it.
 * Types without a body (Start, Logoff) end here; a body of a type nobody
 * decodes is counted in the capture summary. A body the capture cut
 * short is not handed on.
 */
#include "decode/decoder.h"

#include "decode/disc_int.h"

static int eapol_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t version = nc_rd_u8(r);
    uint8_t type = nc_rd_u8(r);
    uint16_t len = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__EAPOL *rec = nc_pkt_record(pkt, NC_REC_EAPOL);
    if (rec) {
        rec->version = version;
        rec->type = type;
        rec->length = len;
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    if (len == 0) {
        return NC_OK;
    }
    *r = nc_rd_sub(r, len);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    pkt->next_ns = NC_NS_EAPOL;
    pkt->next_id = type;
    return NC_OK;
}

static const struct nc_claim eapol_claims[] = { { NC_NS_ETHERTYPE, 0x888e },
    { NC_NS_ETHERTYPE, 0x88c7 } };
const struct nc_decoder nc_decoder_eapol = {
    .name = "eapol",
    .display = "EAPOL",
    .layer = NC_LAYER_NONE,
    .claims = eapol_claims,
    .n_claims = NC_ARRAY_LEN(eapol_claims),
    .decode = eapol_decode,
};
