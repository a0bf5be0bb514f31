/*
 * summary: Linux "cooked" capture header v1 (LINKTYPE_LINUX_SLL) -> next EtherType.
 * spec:    https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 *
 *   +-------------+-------------+-------------+-----------------------+-------------+
 *   | pkt type(2) | ARPHRD (2)  | addr len(2) | link-layer address (8)| protocol (2)|
 *   +-------------+-------------+-------------+-----------------------+-------------+
 *
 * The address is the sender's (for every packet type, outgoing included), so
 * a 6-byte address becomes the context's source MAC; there is no destination.
 * The schema has no record for this header, so it only fills the context and
 * dispatches. Protocol values below 0x0600 are Linux pseudo-protocols
 * (ETH_P_802_3, ETH_P_802_2, CAN...), not EtherTypes, and are not followed.
 */
#include "decode/decoder.h"

#include <string.h>

enum {
    SLL_ADDR_LEN = 8,         /* the address field is always 8 bytes, padded */
    SLL_MIN_TYPE = 0x0600,    /* below: Linux pseudo-protocol, not an EtherType */
    SLL_ARPHRD_NETLINK = 824, /* protocol field is then a netlink family */
};

static int sll_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t addr[SLL_ADDR_LEN];
    nc_rd_skip(r, 2); /* packet type: host, broadcast, multicast, other host, outgoing */
    uint16_t hatype = nc_rd_be16(r);
    uint16_t addr_len = nc_rd_be16(r);
    nc_rd_copy(r, addr, sizeof(addr));
    uint16_t proto = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    if (addr_len == 6 && !c->has_mac) {
        memcpy(c->src_mac, addr, 6);
        memset(c->dst_mac, 0, sizeof(c->dst_mac));
        c->has_mac = true; /* the sender's address only: no destination MAC */
    }
    if (proto >= SLL_MIN_TYPE && hatype != SLL_ARPHRD_NETLINK) {
        pkt->next_ns = NC_NS_ETHERTYPE;
        pkt->next_id = proto;
    }
    return NC_OK;
}

static const uint16_t sll_claims[] = { 113 /* LINKTYPE_LINUX_SLL */ };
const struct nc_decoder nc_decoder_sll = {
    .name = "sll",
    .display = "LinuxSLL",
    .layer = NC_LAYER_LINK,
    .ns = NC_NS_DLT,
    .claims = sll_claims,
    .n_claims = NC_ARRAY_LEN(sll_claims),
    .decode = sll_decode,
};
