/*
 * summary: IEEE 802.2 LLC header -> LLC records; the payload goes on by SAP.
 * spec:    IEEE 802.2-1998 3.2 (LLC PDU format), 5.2 (control field formats);
 *          SAP values from the IEEE registry.
 *
 *   +--------+--------+------------------+---------------
 *   | DSAP   | SSAP   | control (1 or 2) | information
 *   +--------+--------+------------------+---------------
 *   DSAP bit 0: I/G (group SAP); SSAP bit 0: C/R (response)
 *
 * The control field is one byte in U format (low bits 11: UI 0x03, XID,
 * TEST...) and two in I format (low bit 0) and S format (low bits 01).
 *
 * Reached from NC_NS_LINK / NC_LINK_LLC: 802.3 length frames (also behind
 * an 802.1Q tag), 802.11 data, FDDI. The information field is handed on in
 * NC_NS_LLC_SAP under the SAP when DSAP and SSAP name the same one (0xaa
 * SNAP, 0x42 STP, 0xfe OSI, 0xf0 NetBIOS, 0xe0 IPX) and the PDU carries
 * that protocol's data (UI or I format). XID and TEST carry LLC's own
 * fields, S-format PDUs none, and two different SAPs name no protocol.
 *
 * Novell's "raw 802.3" frames put IPX right after the length field; its
 * checksum, always 0xffff there, sits where DSAP and SSAP would be. That
 * is not LLC, so this decoder declines it (no record, nothing counted as
 * malformed).
 */
#include "decode/decoder.h"

enum {
    LLC_SAP_MASK = 0xfe,      /* bit 0 is I/G (DSAP) or C/R (SSAP), not part of the SAP */
    LLC_U_FORMAT = 0x03,      /* control low bits 11: unnumbered, one byte */
    LLC_UI = 0x03,            /* unnumbered information (P/F bit 0x10 aside) */
    LLC_PF_BIT = 0x10,        /* poll/final bit of a U-format control byte */
    LLC_I_FORMAT_MASK = 0x01, /* low bit 0: information transfer, two bytes */
    LLC_RAW_IPX = 0xff,       /* Novell raw 802.3: IPX checksum 0xffff */
};

static int llc_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    if (nc_rd_left(r) >= 2 && nc_rd_peek(r, 0) == LLC_RAW_IPX && nc_rd_peek(r, 1) == LLC_RAW_IPX) {
        return NC_DECLINE;
    }
    uint8_t dsap = nc_rd_u8(r);
    uint8_t ssap = nc_rd_u8(r);
    uint8_t c1 = nc_rd_u8(r);
    uint32_t control = c1;
    bool u_format = (c1 & LLC_U_FORMAT) == LLC_U_FORMAT;
    if (!u_format) {
        control = (uint32_t)c1 << 8 | nc_rd_u8(r);
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__LLC *rec = nc_pkt_record(pkt, NC_REC_LLC);
    if (rec) {
        rec->dsap = dsap & LLC_SAP_MASK;
        rec->ig = (dsap & 1) != 0;
        rec->ssap = ssap & LLC_SAP_MASK;
        rec->cr = (ssap & 1) != 0;
        rec->control = (int32_t)control;
    }
    bool carries_data = u_format ? (c1 & ~LLC_PF_BIT) == LLC_UI : (c1 & LLC_I_FORMAT_MASK) == 0;
    if (carries_data && (dsap & LLC_SAP_MASK) == (ssap & LLC_SAP_MASK)) {
        pkt->next_ns = NC_NS_LLC_SAP;
        pkt->next_id = dsap & LLC_SAP_MASK;
    }
    return NC_OK;
}

static const struct nc_claim llc_claims[] = { { NC_NS_LINK, NC_LINK_LLC } };
const struct nc_decoder nc_decoder_llc = {
    .name = "llc",
    .display = "LLC",
    .layer = NC_LAYER_NONE, /* the frame's link (Ethernet, 802.11) names the connection's */
    .claims = llc_claims,
    .n_claims = NC_ARRAY_LEN(llc_claims),
    .decode = llc_decode,
};
