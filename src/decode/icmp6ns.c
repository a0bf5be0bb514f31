/*
 * summary: ICMPv6 neighbour solicitation -> ICMPv6NeighborSolicitation records.
 * spec:    RFC 4861 4.3 (message), 4.6 (options).
 *
 *   +---------------------------------------------------------------+
 *   |                           Reserved                            |
 *   +---------------------------------------------------------------+
 *   |                     Target Address (16)                       |
 *   +---------------------------------------------------------------+
 *   |   Options ...
 *
 * The reader starts after the ICMPv6 common header (the icmp6 decoder).
 */
#include "decode/decoder.h"

enum {
    ND_OPT_UNIT = 8,  /* RFC 4861 4.6: option lengths count units of 8 octets */
    ND_MAX_OPTS = 64, /* a 1500-byte MTU fits 185 one-unit options; real messages carry a few */
};

/*
 * RFC 4861 4.6 options, up to the end of r:
 *
 *   +---------------+---------------+------------------------------
 *   |     Type      |    Length     |  data (Length * 8 - 2 bytes) ...
 *   +---------------+---------------+------------------------------
 *
 * With opts set, fills *opts and *n_opts (arena memory; data borrows the
 * packet); with opts NULL it only validates, so verdicts do not depend on
 * which records were asked for. Options before an error are kept. Returns
 * NC_EMALFORMED for a length of 0 (RFC 4861 says to discard the packet; it
 * would also never advance), NC_ETRUNC when an option runs past the window
 * and NC_ELIMIT after ND_MAX_OPTS options.
 */
static int parse_nd_options(
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

static int icmp6ns_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t target[16];
    nc_rd_skip(r, 4); /* reserved */
    nc_rd_copy(r, target, sizeof(target));
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ICMPv6NeighborSolicitation *rec = nc_pkt_record(pkt, NC_REC_ICMPv6NeighborSolicitation);
    if (!rec) {
        return parse_nd_options(pkt, r, NULL, NULL);
    }
    rec->target_address = nc_pkt_ip6(pkt, target);
    return parse_nd_options(pkt, r, &rec->options, &rec->n_options);
}

static const uint16_t icmp6ns_claims[] = { 135 };
const struct nc_decoder nc_decoder_icmp6ns = {
    .name = "icmp6ns",
    .display = "ICMPv6NeighborSolicitation",
    .layer = NC_LAYER_NONE,
    .ns = NC_NS_ICMP6_TYPE,
    .claims = icmp6ns_claims,
    .n_claims = NC_ARRAY_LEN(icmp6ns_claims),
    .decode = icmp6ns_decode,
};
