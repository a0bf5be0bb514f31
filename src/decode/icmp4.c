/*
 * summary: ICMPv4 header -> ICMPv4 records.
 * spec:    RFC 792 (messages, identifier/sequence of echo, timestamp and
 *          information messages); RFC 950 (address mask request/reply).
 *
 *    0                   1                   2                   3
 *   +---------------+---------------+-------------------------------+
 *   |     Type      |     Code      |          Checksum             |
 *   +---------------+---------------+-------------------------------+
 *   |   Identifier (query types)    | Sequence Number (query types) |
 *   +-------------------------------+-------------------------------+
 *   |     Data ...
 *
 * The second word is "rest of header": identifier and sequence number for
 * the query/reply types below, unused, a gateway address, a pointer or an
 * MTU otherwise. Error messages quote the offending datagram after the
 * header; it is not decoded (it would re-enter IP decoding with addresses
 * that are not this packet's).
 */
#include "decode/decoder.h"

enum {
    ICMP4_HDR_LEN = 8, /* type, code, checksum, rest of header */
    ICMP4_IPPROTO = 1,
};

/* Types whose second header word is identifier + sequence number. */
static bool has_id_seq(uint8_t type)
{
    switch (type) {
        case 0:  /* echo reply */
        case 8:  /* echo request */
        case 13: /* timestamp */
        case 14: /* timestamp reply */
        case 15: /* information request */
        case 16: /* information reply */
        case 17: /* address mask request (RFC 950) */
        case 18: /* address mask reply (RFC 950) */
            return true;
        default:
            return false;
    }
}

static int icmp4_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t type = nc_rd_u8(r);
    uint8_t code = nc_rd_u8(r);
    uint16_t checksum = nc_rd_be16(r);
    uint16_t id = nc_rd_be16(r);
    uint16_t seq = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    c->ip_proto = ICMP4_IPPROTO;
    c->has_icmp = true;
    c->icmp_type = type;
    c->icmp_code = code;
    /* as the IP header declares it: a snaplen does not shrink it */
    c->l4_payload = nc_pkt_ip_after(pkt, 8);

    Netcap__ICMPv4 *rec = nc_pkt_record(pkt, NC_REC_ICMPv4);
    if (rec) {
        rec->type_code = (int32_t)type << 8 | code;
        rec->type = type;
        rec->code = code;
        rec->checksum = checksum;
        if (has_id_seq(type)) {
            rec->id = id;
            rec->sequence_number = seq;
        }
    }
    /* no next layer: echo data is opaque, quoted datagrams are not ours */
    return NC_OK;
}

static const struct nc_claim icmp4_claims[] = { { NC_NS_IPPROTO, ICMP4_IPPROTO } };
const struct nc_decoder nc_decoder_icmp4 = {
    .name = "icmp4",
    .display = "ICMPv4",
    .layer = NC_LAYER_TRANSPORT,
    .claims = icmp4_claims,
    .n_claims = NC_ARRAY_LEN(icmp4_claims),
    .decode = icmp4_decode,
};
