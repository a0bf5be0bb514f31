/*
 * summary: IPv6 fixed header -> IPv6 records; sets the IP context and names the next header.
 * spec:    RFC 8200 3; RFC 2675 (jumbograms).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version| Traffic Class |           Flow Label                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Source Address (16)                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Destination Address (16)                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The window handed on is cut to the payload length (Ethernet padding is
 * not payload) but may be shorter when the capture was cut. A payload
 * length of 0 means a jumbogram (the real length is in a hop-by-hop
 * option) or a sender-side capture of a segmentation-offloaded packet; in
 * both cases the captured bytes are the best measure and are used as is.
 * Extension headers are separate decoders (ipv6hop.c, ipv6frag.c,
 * ipv6ext.c) chained through the next-header namespace.
 */
#include "decode/decoder.h"

enum {
    IPV6_HDR_LEN = 40,
};

static int ipv6_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    /* read the fixed header from a copy: r is re-windowed once the length is known */
    struct nc_rd h = *r;
    uint32_t vtf = nc_rd_be32(&h);
    uint16_t plen = nc_rd_be16(&h);
    uint8_t next = nc_rd_u8(&h);
    uint8_t hop_limit = nc_rd_u8(&h);
    uint8_t src[16], dst[16];
    nc_rd_copy(&h, src, sizeof(src));
    nc_rd_copy(&h, dst, sizeof(dst));
    if (!nc_rd_ok(&h)) {
        nc_rd_fail(r, h.err);
        return h.err;
    }
    unsigned version = vtf >> 28;
    if (version != 6) {
        return NC_EMALFORMED;
    }
    size_t avail = nc_rd_left(r);
    size_t len = plen == 0 ? avail : NC_MIN(IPV6_HDR_LEN + (size_t)plen, avail);
    struct nc_rd ip = nc_rd_sub(r, len);
    nc_rd_skip(&ip, IPV6_HDR_LEN); /* cannot fail: h read these bytes */
    *r = ip;

    nc_pkt_set_ip(pkt, 6, src, dst);
    pkt->ctx.ip_proto = next;
    pkt->ctx.ip_left = plen == 0 ? (uint32_t)nc_rd_left(r) : plen;
    pkt->ctx.ip_len = IPV6_HDR_LEN + pkt->ctx.ip_left;

    Netcap__IPv6 *rec = nc_pkt_record(pkt, NC_REC_IPv6);
    if (rec) {
        rec->version = (int32_t)version;
        rec->traffic_class = (int32_t)(vtf >> 20 & 0xff);
        rec->flow_label = vtf & 0xfffff;
        rec->length = plen;
        rec->next_header = next;
        rec->hop_limit = hop_limit;
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, NULL);
    }
    pkt->next_ns = NC_NS_IPPROTO;
    pkt->next_id = next;
    return NC_OK;
}

static const struct nc_claim ipv6_claims[] = {
    { NC_NS_ETHERTYPE, 0x86dd }, { NC_NS_IPPROTO, 41 }, /* IPv6 in IP (RFC 4213, 6in4 and 6in6) */
    { NC_NS_PPP, 0x0057 },                              /* RFC 5072 */
    { NC_NS_DLT, 229 },                                 /* LINKTYPE_IPV6 */
};
const struct nc_decoder nc_decoder_ipv6 = {
    .name = "ipv6",
    .display = "IPv6",
    .layer = NC_LAYER_NETWORK,
    .claims = ipv6_claims,
    .n_claims = NC_ARRAY_LEN(ipv6_claims),
    .decode = ipv6_decode,
};
