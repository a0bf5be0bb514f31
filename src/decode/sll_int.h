/*
 * summary: what the two Linux "cooked" headers (sll.c, sll2.c) share once
 *          their fields are read: the sender's MAC and the dispatch.
 */
#ifndef NC_DECODE_SLL_INT_H
#define NC_DECODE_SLL_INT_H

#include <string.h>

#include "decode/pkt.h"

enum {
    SLL_ADDR_LEN = 8,         /* the address field is always 8 bytes, padded */
    SLL_MIN_TYPE = 0x0600,    /* below: Linux pseudo-protocol, not an EtherType */
    SLL_ARPHRD_NETLINK = 824, /* protocol field is then a netlink family */
};

/* The address is the sender's (for every packet type, outgoing included),
 * so a 6-byte one becomes the context's source MAC; there is no
 * destination. Protocol values below 0x0600 (ETH_P_802_3, CAN...) and
 * netlink families are not followed. */
static inline void nc_sll_finish(struct nc_pkt *pkt, uint16_t hatype, unsigned addr_len,
        const uint8_t addr[SLL_ADDR_LEN], uint16_t proto)
{
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
}

#endif
