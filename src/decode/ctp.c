/*
 * summary: Ethernet Configuration Testing Protocol (loopback) -> EthernetCTP
 *          records, and EthernetCTPReply for the Reply message that ends the
 *          frame's chain of messages.
 * spec:    "The Ethernet, Version 2.0" (DEC, Intel, Xerox, 1982) section 8,
 *          Configuration Testing Protocol; tcpdump's print-loopback.c reads it
 *          the same way. Every field is little-endian.
 *
 *   +---------------+---------------------------------------------------
 *   | skipCount (2) | messages...
 *   +---------------+---------------------------------------------------
 *   Forward Data (function 2): function (2), forward address (6)
 *   Reply        (function 1): function (2), receipt number (2), data...
 *
 * A station that sends a loopback test lists the stations the frame is to
 * visit as Forward Data messages and ends the list with a Reply; each
 * station that forwards it adds 8 to skipCount, which therefore points at
 * the message the receiving station must act on (EthernetCTP.function;
 * 0 when skipCount does not land on the start of a message, which tcpdump
 * calls bogus). The chain is read from its first message, as Wireshark does, so the record lists
 * every forwarding address and the Reply wherever skipCount points. The Reply's data runs to the
 * end of the frame (CTP has no length; it includes any Ethernet padding).
 */
#include "decode/decoder.h"

#include "decode/disc_int.h"

enum {
    CTP_REPLY = 1,
    CTP_FORWARD = 2,
    CTP_FORWARD_LEN = 8,    /* function + address */
    CTP_MAX_FORWARDS = 190, /* a 1500-byte frame holds 187 Forward Data messages */
};

static int ctp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t skip = nc_rd_le16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    /* count the Forward Data messages first, to size the address list */
    struct nc_rd w = *r;
    size_t n_fwd = 0;
    while (nc_rd_left(&w) >= CTP_FORWARD_LEN && nc_rd_le16(&w) == CTP_FORWARD) {
        nc_rd_skip(&w, 6);
        n_fwd++;
    }
    Netcap__EthernetCTP *rec = nc_pkt_record(pkt, NC_REC_EthernetCTP);
    if (rec) {
        rec->skip_count = skip;
        /* the relevant message, if skipCount lands on the start of one */
        if (skip % CTP_FORWARD_LEN == 0 && skip / CTP_FORWARD_LEN <= n_fwd) {
            struct nc_rd cur = nc_rd_at(r, r->off + skip);
            uint16_t function = nc_rd_le16(&cur);
            rec->function = nc_rd_ok(&cur) ? function : 0;
        }
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    if (rec && n_fwd) {
        size_t keep = n_fwd < CTP_MAX_FORWARDS ? n_fwd : CTP_MAX_FORWARDS;
        rec->forward_addresses = nc_pkt_alloc(pkt, keep * sizeof(*rec->forward_addresses));
        if (rec->forward_addresses) {
            struct nc_rd a = *r;
            for (size_t i = 0; i < keep; i++) {
                uint8_t mac[6];
                nc_rd_skip(&a, 2);
                nc_rd_copy(&a, mac, sizeof(mac));
                rec->forward_addresses[i] = nc_pkt_mac(pkt, mac);
            }
            rec->n_forward_addresses = keep;
        }
    }
    nc_rd_skip(r, n_fwd * CTP_FORWARD_LEN);
    uint16_t last = nc_rd_le16(r);
    if (!nc_rd_ok(r)) {
        return r->err; /* the chain has no Reply: cut by the capture */
    }
    if (last == CTP_FORWARD) {
        return NC_ETRUNC; /* a Forward Data message cut short */
    }
    if (last != CTP_REPLY) {
        return NC_EUNSUPP; /* tcpdump: "invalid" function */
    }
    uint16_t receipt = nc_rd_le16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__EthernetCTPReply *reply = nc_pkt_record(pkt, NC_REC_EthernetCTPReply);
    if (reply) {
        reply->function = last;
        reply->receipt_number = receipt;
        reply->data = nc_bytes(nc_rd_rest(r));
    }
    return n_fwd > CTP_MAX_FORWARDS ? NC_ELIMIT : NC_OK;
}

static const struct nc_claim ctp_claims[] = { { NC_NS_ETHERTYPE, 0x9000 } };
const struct nc_decoder nc_decoder_ctp = {
    .name = "ctp",
    .display = "CTP",
    .layer = NC_LAYER_NONE,
    .claims = ctp_claims,
    .n_claims = NC_ARRAY_LEN(ctp_claims),
    .decode = ctp_decode,
};
