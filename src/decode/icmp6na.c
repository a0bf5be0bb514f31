/*
 * summary: ICMPv6 neighbour advertisement -> ICMPv6NeighborAdvertisement records.
 * spec:    RFC 4861 4.4 (message), 4.6 (options).
 *
 *   +-+-+-+---------------------------------------------------------+
 *   |R|S|O|                     Reserved                            |
 *   +-+-+-+---------------------------------------------------------+
 *   |                     Target Address (16)                       |
 *   +---------------------------------------------------------------+
 *   |   Options ...
 *
 * The record's flags are the whole first octet (R = 0x80, S = 0x40,
 * O = 0x20; the low bits are reserved and kept as sent). The reader starts
 * after the ICMPv6 common header (the icmp6 decoder).
 */
#include "decode/decoder.h"
#include "decode/icmp6_int.h"

static int icmp6na_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t target[16];
    uint8_t flags = nc_rd_u8(r);
    nc_rd_skip(r, 3); /* rest of the reserved word */
    nc_rd_copy(r, target, sizeof(target));
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ICMPv6NeighborAdvertisement *rec =
            nc_pkt_record(pkt, NC_REC_ICMPv6NeighborAdvertisement);
    if (!rec) {
        return nc_icmp6_nd_options(pkt, r, NULL, NULL);
    }
    rec->flags = flags;
    rec->target_address = nc_pkt_ip6(pkt, target);
    return nc_icmp6_nd_options(pkt, r, &rec->options, &rec->n_options);
}

static const struct nc_claim icmp6na_claims[] = { { NC_NS_ICMP6_TYPE, 136 } };
const struct nc_decoder nc_decoder_icmp6na = {
    .name = "icmp6na",
    .display = "ICMPv6NeighborAdvertisement",
    .layer = NC_LAYER_NONE,
    .claims = icmp6na_claims,
    .n_claims = NC_ARRAY_LEN(icmp6na_claims),
    .decode = icmp6na_decode,
};
