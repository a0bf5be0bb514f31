/*
 * summary: Ethernet II / IEEE 802.3 frame header -> Ethernet records.
 * spec:    IEEE 802.3 clause 3; EtherType values from IANA.
 *
 *   +-------------------+-------------------+-----------+---------
 *   | destination (6)   | source (6)        | type (2)  | payload
 *   +-------------------+-------------------+-----------+---------
 *
 * A type field below 0x0600 is an 802.3 length; the payload is then LLC,
 * handed on as NC_LINK_LLC.
 */
#include "decode/decoder.h"

enum {
    ETH_HDR_LEN = 14,
    ETH_MIN_TYPE = 0x0600, /* below: 802.3 length field, not an EtherType */
};

static int ethernet_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t dst[6], src[6];
    nc_rd_copy(r, dst, 6);
    nc_rd_copy(r, src, 6);
    uint16_t type = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    /* the outermost MACs describe the hop this capture saw */
    if (!c->has_mac) {
        memcpy(c->src_mac, src, 6);
        memcpy(c->dst_mac, dst, 6);
        c->has_mac = true;
        c->has_dst_mac = true;
    }
    Netcap__Ethernet *rec = nc_pkt_record(pkt, NC_REC_Ethernet);
    if (rec) {
        rec->src_mac = nc_pkt_mac(pkt, src);
        rec->dst_mac = nc_pkt_mac(pkt, dst);
        rec->ethernet_type = type;
        if (type < ETH_MIN_TYPE) {
            rec->length = type;
        }
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, NULL);
    }
    if (type >= ETH_MIN_TYPE) {
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

static const struct nc_claim ethernet_claims[] = {
    { NC_NS_DLT, 1 /* LINKTYPE_ETHERNET */ },
    { NC_NS_LINK, NC_LINK_ETHERNET }, /* inside VXLAN, Geneve, ERSPAN, GRE bridging */
};
const struct nc_decoder nc_decoder_ethernet = {
    .name = "ethernet",
    .display = "Ethernet",
    .layer = NC_LAYER_LINK,
    .claims = ethernet_claims,
    .n_claims = NC_ARRAY_LEN(ethernet_claims),
    .decode = ethernet_decode,
};
