/*
 * summary: ICMPv6 router advertisement -> ICMPv6RouterAdvertisement records.
 * spec:    RFC 4861 4.2 (message), 4.6 (options); RFC 5175 (flag bits).
 *
 *   +---------------+-+-+-----------+-------------------------------+
 *   | Cur Hop Limit |M|O|  flags    |       Router Lifetime         |
 *   +---------------+-+-+-----------+-------------------------------+
 *   |                        Reachable Time                         |
 *   +---------------------------------------------------------------+
 *   |                         Retrans Timer                         |
 *   +---------------------------------------------------------------+
 *   |   Options ...
 *
 * flags is the whole octet (M = 0x80, O = 0x40, then H, Prf, P...). The
 * reader starts after the ICMPv6 common header (the icmp6 decoder).
 */
#include "decode/decoder.h"
#include "decode/icmp6_int.h"

static int icmp6ra_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t hop_limit = nc_rd_u8(r);
    uint8_t flags = nc_rd_u8(r);
    uint16_t lifetime = nc_rd_be16(r);
    uint32_t reachable = nc_rd_be32(r);
    uint32_t retrans = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ICMPv6RouterAdvertisement *rec = nc_pkt_record(pkt, NC_REC_ICMPv6RouterAdvertisement);
    if (!rec) {
        return nc_icmp6_nd_options(pkt, r, NULL, NULL);
    }
    rec->hop_limit = hop_limit;
    rec->flags = flags;
    rec->router_lifetime = lifetime;
    rec->reachable_time = reachable;
    rec->retrans_timer = retrans;
    return nc_icmp6_nd_options(pkt, r, &rec->options, &rec->n_options);
}

static const struct nc_claim icmp6ra_claims[] = { { NC_NS_ICMP6_TYPE, 134 } };
const struct nc_decoder nc_decoder_icmp6ra = {
    .name = "icmp6ra",
    .display = "ICMPv6RouterAdvertisement",
    .layer = NC_LAYER_NONE,
    .claims = icmp6ra_claims,
    .n_claims = NC_ARRAY_LEN(icmp6ra_claims),
    .decode = icmp6ra_decode,
};
