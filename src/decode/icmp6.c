/*
 * summary: ICMPv6 common header -> ICMPv6 records; dispatches on the type.
 * spec:    RFC 4443 2.1 (message format).
 *
 *    0                   1                   2                   3
 *   +---------------+---------------+-------------------------------+
 *   |     Type      |     Code      |          Checksum             |
 *   +---------------+---------------+-------------------------------+
 *   |                         Message Body                          |
 *
 * The message body is decoded by the decoder that claims the type in
 * NC_NS_ICMP6_TYPE (echo, router and neighbour discovery); it starts right
 * after the 4 bytes above, where this decoder leaves the reader.
 */
#include "decode/decoder.h"
#include "decode/icmp6_int.h"

enum {
    ICMP6_HDR_LEN = 4,     /* type, code, checksum */
    ICMP6_PAYLOAD_OFF = 8, /* payload counted after the first body word, as ICMPv4 */
    ICMP6_IPPROTO = 58,
};

static int icmp6_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t type = nc_rd_u8(r);
    uint8_t code = nc_rd_u8(r);
    uint16_t checksum = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    c->ip_proto = ICMP6_IPPROTO;
    c->has_icmp = true;
    c->icmp_type = type;
    c->icmp_code = code;
    /* Every ICMPv6 message has at least one body word (identifier and
     * sequence, reserved, MTU or pointer); what follows it is the payload,
     * so that echo data counts the same way as for ICMPv4. */
    c->l4_payload = nc_pkt_ip_after(pkt, ICMP6_PAYLOAD_OFF);

    Netcap__ICMPv6 *rec = nc_pkt_record(pkt, NC_REC_ICMPv6);
    if (rec) {
        rec->type_code = (int32_t)type << 8 | code;
        rec->type = type;
        rec->code = code;
        rec->checksum = checksum;
    }
    pkt->next_ns = NC_NS_ICMP6_TYPE;
    pkt->next_id = type;
    return NC_OK;
}

/* See icmp6_int.h. */
int nc_icmp6_nd_options(
        struct nc_pkt *pkt, struct nc_rd *r, Netcap__ICMPv6Option ***opts, size_t *n_opts)
{
    /* every option takes at least one unit, so this bounds what can be stored */
    size_t cap = NC_MIN(nc_rd_left(r) / ND_OPT_UNIT, (size_t)ND_MAX_OPTS);
    Netcap__ICMPv6Option **v = NULL;
    if (opts && cap > 0) {
        v = nc_pkt_alloc(pkt, cap * sizeof(*v));
    }
    size_t n = 0;
    size_t n_stored = 0;
    int rc = NC_OK;
    while (nc_rd_left(r) > 0) {
        if (n == ND_MAX_OPTS) {
            rc = NC_ELIMIT;
            break;
        }
        uint8_t type = nc_rd_u8(r);
        uint8_t units = nc_rd_u8(r);
        if (!nc_rd_ok(r)) {
            rc = r->err;
            break;
        }
        if (units == 0) {
            rc = NC_EMALFORMED;
            break;
        }
        struct nc_span data = nc_rd_span(r, (size_t)units * ND_OPT_UNIT - 2);
        if (!nc_rd_ok(r)) {
            rc = r->err;
            break;
        }
        n++;
        if (v && n_stored < cap) {
            Netcap__ICMPv6Option *o = nc_pkt_alloc(pkt, sizeof(*o));
            if (o) {
                netcap__icmpv6_option__init(o);
                o->type = type;
                o->data = nc_bytes(data);
                v[n_stored++] = o;
            }
        }
    }
    if (opts) {
        *opts = v;
        *n_opts = n_stored;
    }
    return rc;
}

static const struct nc_claim icmp6_claims[] = { { NC_NS_IPPROTO, ICMP6_IPPROTO } };
const struct nc_decoder nc_decoder_icmp6 = {
    .name = "icmp6",
    .display = "ICMPv6",
    .layer = NC_LAYER_TRANSPORT,
    .claims = icmp6_claims,
    .n_claims = NC_ARRAY_LEN(icmp6_claims),
    .decode = icmp6_decode,
};
