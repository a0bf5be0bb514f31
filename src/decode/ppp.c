/*
 * summary: PPP header (link types 9 and 50, EtherType 0x880b inside PPTP
 *          GRE and PPPoE sessions) -> PPP records; hands on by PPP protocol.
 * spec:    RFC 1661 2 (protocol field, its compression); RFC 1662 3.1
 *          (HDLC-like framing: address 0xff, control 0x03); RFC 1547 4.3.1
 *          (Cisco HDLC framing, which link type 50 may hold);
 *          https://www.tcpdump.org/linktypes/LINKTYPE_PPP.html.
 *
 *   +----------+----------+----------------+------------
 *   | addr 0xff| ctrl 0x03| protocol (1|2) | information
 *   +----------+----------+----------------+------------
 *     (both optional: address and control field compression)
 *
 *   Cisco HDLC (link type 50 only):
 *   +-----------+----------+----------------+------------
 *   | 0x0f|0x8f | 0x00     | EtherType (2)  | payload
 *   +-----------+----------+----------------+------------
 *
 * Decisions:
 * - 0xff 0x03 at the start are address and control; without them the
 *   protocol field comes first (address and control field compression).
 * - A protocol field whose first octet is odd is one octet long (protocol
 *   field compression); otherwise two. A two-octet value whose low octet is
 *   even is malformed (RFC 1661: all protocols are odd).
 * - On link type 50, 0x0f or 0x8f first is Cisco HDLC: the next 16 bits
 *   after the control octet are an EtherType (recorded as protocol).
 * - PPP is not a tunnel; inside PPTP the GRE decoder entered one already.
 */
#include "decode/decoder.h"

enum {
    PPP_DLT = 9,
    PPP_DLT_HDLC = 50,
    PPP_ETHERTYPE = 0x880b,
    PPP_ADDR = 0xff,
    PPP_CTRL = 0x03,
    CHDLC_UNICAST = 0x0f,
    CHDLC_MULTICAST = 0x8f,
};

static int ppp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    bool on_hdlc_dlt = pkt->next_id == PPP_DLT_HDLC; /* EtherType 0x880b otherwise */
    uint8_t b0 = nc_rd_peek(r, 0), b1 = nc_rd_peek(r, 1);
    if (nc_rd_left(r) < 2) {
        nc_rd_fail(r, NC_ETRUNC);
        return NC_ETRUNC;
    }
    uint8_t addr = 0, ctrl = 0;
    bool cisco = false;
    if (b0 == PPP_ADDR && b1 == PPP_CTRL) {
        addr = b0;
        ctrl = b1;
        nc_rd_skip(r, 2);
    } else if (on_hdlc_dlt && (b0 == CHDLC_UNICAST || b0 == CHDLC_MULTICAST)) {
        addr = b0;
        ctrl = b1;
        cisco = true;
        nc_rd_skip(r, 2);
    }
    uint16_t proto = nc_rd_u8(r);
    if (cisco || !(proto & 1)) {
        proto = (uint16_t)(proto << 8 | nc_rd_u8(r));
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__PPP *rec = nc_pkt_record(pkt, NC_REC_PPP);
    if (rec) {
        rec->address = addr;
        rec->control = ctrl;
        rec->protocol = proto;
    }
    if (!cisco && !(proto & 1)) {
        return NC_EMALFORMED;
    }
    if (nc_rd_left(r) > 0) {
        pkt->next_ns = cisco ? NC_NS_ETHERTYPE : NC_NS_PPP;
        pkt->next_id = proto;
    }
    return NC_OK;
}

static const struct nc_claim ppp_claims[] = {
    { NC_NS_DLT, PPP_DLT }, { NC_NS_DLT, PPP_DLT_HDLC },
    { NC_NS_ETHERTYPE, PPP_ETHERTYPE }, /* PPTP (GRE), PPPoE session payload */
};
const struct nc_decoder nc_decoder_ppp = {
    .name = "ppp",
    .display = "PPP",
    .layer = NC_LAYER_LINK,
    .claims = ppp_claims,
    .n_claims = NC_ARRAY_LEN(ppp_claims),
    .decode = ppp_decode,
};
