/*
 * summary: BSD loopback encapsulation (DLT_NULL, LINKTYPE_LOOP) -> next EtherType.
 * spec:    https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html,
 *          https://www.tcpdump.org/linktypes/LINKTYPE_LOOP.html
 *
 *   +---------------------------+---------
 *   | address family (4)        | IPv4 / IPv6 packet
 *   +---------------------------+---------
 *
 * DLT_NULL stores the family in the byte order of the machine that captured,
 * which a pcap file does not record reliably (the file may have been
 * rewritten), so both orders are tried; LOOP (OpenBSD) is always big-endian.
 * The families are tiny numbers, so no value is valid in both orders.
 * Unknown families end decoding quietly, as an unknown EtherType does.
 */
#include "decode/decoder.h"

enum {
    NULL_DLT_LOOP = 108,
    NULL_ETHERTYPE_IPV4 = 0x0800,
    NULL_ETHERTYPE_IPV6 = 0x86dd,
};

/* Map an address family to the EtherType of the packet it carries; 0 if not IP.
 * AF_INET6 differs between systems: Linux 10, NetBSD/OpenBSD/BSD/OS 24,
 * FreeBSD 28, Darwin 30 (the values libpcap lists for LINKTYPE_NULL). */
static uint16_t family_to_ethertype(uint32_t af)
{
    switch (af) {
        case 2:
            return NULL_ETHERTYPE_IPV4;
        case 10:
        case 24:
        case 28:
        case 30:
            return NULL_ETHERTYPE_IPV6;
        default:
            return 0;
    }
}

static int null_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint32_t af = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    uint16_t type = family_to_ethertype(af);
    if (type == 0 && pkt->dlt != NULL_DLT_LOOP) {
        uint32_t swapped = (af >> 24) | (af >> 8 & 0xff00u) | (af << 8 & 0xff0000u) | (af << 24);
        type = family_to_ethertype(swapped);
    }
    if (type != 0) {
        pkt->next_ns = NC_NS_ETHERTYPE;
        pkt->next_id = type;
    }
    return NC_OK;
}

static const struct nc_claim null_claims[] = { { NC_NS_DLT, 0 /* DLT_NULL */ },
    { NC_NS_DLT, NULL_DLT_LOOP /* LINKTYPE_LOOP */ } };
const struct nc_decoder nc_decoder_null = {
    .name = "null",
    .display = "Null",
    .layer = NC_LAYER_LINK,
    .claims = null_claims,
    .n_claims = NC_ARRAY_LEN(null_claims),
    .decode = null_decode,
};
