/*
 * summary: helpers shared by the link-layer discovery and 802.1X decoders
 *          (lldp.c, cdp.c, nortel.c, ctp.c, eapol.c, eapolkey.c, eap.c);
 *          the functions are defined in lldp.c.
 */
#ifndef NC_DECODE_DISC_INT_H
#define NC_DECODE_DISC_INT_H

#include "decode/pkt.h"

/* The frame's MAC addresses (the outermost pair, as the Ethernet record
 * has them) into a record's src_mac/dst_mac; left "" when the link has
 * none (Linux cooked captures have no destination). */
static inline void nc_disc_macs(struct nc_pkt *pkt, char **src, char **dst)
{
    if (pkt->ctx.has_mac) {
        *src = nc_pkt_mac(pkt, pkt->ctx.src_mac);
    }
    if (pkt->ctx.has_dst_mac) {
        *dst = nc_pkt_mac(pkt, pkt->ctx.dst_mac);
    }
}

/* s as lowercase hex without separators ("" when empty). */
char *nc_disc_hex(struct nc_pkt *pkt, struct nc_span s);

/* An object identifier as dotted text ("1.3.6.1.4.1.9"): s holds the BER
 * contents octets (X.690 8.19), or a whole BER value (tag 0x06, a short
 * length, the contents), as LLDP and CDP senders differ. Anything that is
 * not a well-formed OID (a subidentifier over 64 bits, a last octet with
 * the continuation bit) comes back as hex; "" when s is empty. */
char *nc_disc_oid(struct nc_pkt *pkt, struct nc_span s);

/* An address of an IANA address family (1 IPv4, 2 IPv6, 6 IEEE 802) as
 * text; lowercase hex when the family or the length is another. */
char *nc_disc_addr(struct nc_pkt *pkt, unsigned family, struct nc_span a);

#endif
