/*
 * summary: ICMPv6 echo request/reply body -> ICMPv6Echo records.
 * spec:    RFC 4443 4.1 (echo request, type 128), 4.2 (echo reply, type 129).
 *
 *   +-------------------------------+-------------------------------+
 *   |          Identifier           |        Sequence Number        |
 *   +-------------------------------+-------------------------------+
 *   |     Data ...
 *
 * The reader starts after the common header (the icmp6 decoder). The data
 * is opaque and not decoded further.
 */
#include "decode/decoder.h"

enum {
    ICMP6_ECHO_REQUEST = 128,
    ICMP6_ECHO_REPLY = 129,
};

static int icmp6echo_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t id = nc_rd_be16(r);
    uint16_t seq = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ICMPv6Echo *rec = nc_pkt_record(pkt, NC_REC_ICMPv6Echo);
    if (rec) {
        rec->id = id;
        rec->sequence_number = seq;
        rec->is_reply = pkt->ctx.icmp_type == ICMP6_ECHO_REPLY;
    }
    return NC_OK;
}

static const struct nc_claim icmp6echo_claims[] = { { NC_NS_ICMP6_TYPE, ICMP6_ECHO_REQUEST },
    { NC_NS_ICMP6_TYPE, ICMP6_ECHO_REPLY } };
const struct nc_decoder nc_decoder_icmp6echo = {
    .name = "icmp6echo",
    .display = "ICMPv6Echo",
    .layer = NC_LAYER_NONE,
    .claims = icmp6echo_claims,
    .n_claims = NC_ARRAY_LEN(icmp6echo_claims),
    .decode = icmp6echo_decode,
};
