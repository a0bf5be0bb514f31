/*
 * summary: FDDI MAC frame header (LINKTYPE_FDDI) -> FDDI records; LLC
 *          frames hand on their information field as LLC.
 * spec:    ANSI X3.139-1987 (FDDI MAC) 7.3; https://www.tcpdump.org/linktypes.html
 *          (LINKTYPE_FDDI 10: "FDDI, as specified by ANSI INCITS 239-1994").
 *
 *   +--------+-------------------+-------------------+--------------- - -
 *   | FC (1) | destination (6)   | source (6)        | INFO (LLC: DSAP SSAP control ...)
 *   +--------+-------------------+-------------------+--------------- - -
 *   FC = C L F F Z Z Z Z: C synchronous, L 48-bit addresses, FF frame format
 *   (01 LLC), ZZZZ control bits (for asynchronous LLC frames: 0rrr, rrr the
 *   priority).
 *
 * The capture holds no preamble, starting delimiter, FCS or ending
 * delimiter: the frame starts with FC.
 *
 * Decisions:
 * - Addresses are taken as the capture holds them. Linux hands libpcap
 *   canonical (Ethernet) bit order, and tcpdump on Linux prints them
 *   unchanged; captures from systems that kept FDDI's native (reversed) bit
 *   order are not detectable from the bytes and would show reversed bits.
 * - Addresses are always 6 octets, as libpcap's filters and tcpdump assume
 *   for this link type (16-bit addresses, L = 0, are not in use on it).
 * - Only LLC frames (FF = 01) hand their payload on; SMT, MAC and token
 *   frames stop here.
 */
#include "decode/decoder.h"

enum {
    FDDI_MAC_LEN = 6,
    FDDI_FC_SYNC = 0x80, /* C: synchronous class */
    FDDI_FF_SHIFT = 4,   /* FF: frame format bits 5-4 */
    FDDI_FF_LLC = 1,
    FDDI_PRIORITY_MASK = 0x07, /* asynchronous LLC priority */
};

static int fddi_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t fc = nc_rd_u8(r);
    uint8_t dst[FDDI_MAC_LEN], src[FDDI_MAC_LEN];
    nc_rd_copy(r, dst, FDDI_MAC_LEN);
    nc_rd_copy(r, src, FDDI_MAC_LEN);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    if (!c->has_mac) {
        memcpy(c->src_mac, src, FDDI_MAC_LEN);
        memcpy(c->dst_mac, dst, FDDI_MAC_LEN);
        c->has_mac = true;
        c->has_dst_mac = true;
    }
    unsigned format = (fc >> FDDI_FF_SHIFT) & 0x3;
    Netcap__FDDI *rec = nc_pkt_record(pkt, NC_REC_FDDI);
    if (rec) {
        rec->frame_control = fc;
        if (format == FDDI_FF_LLC && !(fc & FDDI_FC_SYNC)) {
            rec->priority = fc & FDDI_PRIORITY_MASK;
        }
        rec->src_mac = nc_pkt_mac(pkt, src);
        rec->dst_mac = nc_pkt_mac(pkt, dst);
        rec->synchronous = (fc & FDDI_FC_SYNC) != 0;
        rec->frame_format = (int32_t)format;
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, NULL);
    }
    if (format == FDDI_FF_LLC && nc_rd_left(r) > 0) {
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_LLC;
    }
    return NC_OK;
}

static const struct nc_claim fddi_claims[] = { { NC_NS_DLT, 10 /* LINKTYPE_FDDI */ } };
const struct nc_decoder nc_decoder_fddi = {
    .name = "fddi",
    .display = "FDDI",
    .layer = NC_LAYER_LINK,
    .claims = fddi_claims,
    .n_claims = NC_ARRAY_LEN(fddi_claims),
    .decode = fddi_decode,
};
