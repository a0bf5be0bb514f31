/*
 * summary: IPv6 Hop-by-Hop Options header -> IPv6HopByHop records (and the
 *          hop_by_hop field of the packet's IPv6 record).
 * spec:    RFC 8200 4.3 (header), 4.2 (option TLVs); RFC 2675 (jumbo payload).
 *
 *   +---------------+---------------+-------------------------------+
 *   |  Next Header  |  Hdr Ext Len  |  options ...                  |
 *   +---------------+---------------+-------------------------------+
 *   |  ... (Hdr Ext Len + 1) * 8 bytes in all                       |
 *   +---------------------------------------------------------------+
 *
 *   option:  +-----------+------------+------------------+
 *            | type (1)  | length (1) | data (length)    |    Pad1: type 0 alone
 *            +-----------+------------+------------------+
 *
 * Options are listed as gopacket decodes them, padding included: Pad1 has
 * option_length 0 and actual_length 1; others actual_length = length + 2.
 * gopacket fills option_alignment only when serialising, never when
 * decoding, so the reference writes zeros there and so do we.
 */
#include "decode/decoder.h"

enum {
    IPV6HOP_UNIT = 8,           /* Hdr Ext Len counts 8-octet units after the first 8 */
    IPV6HOP_MAX_OPTIONS = 2046, /* (255 + 1) * 8 - 2 option bytes, one per Pad1: no more fit */
    IPV6HOP_PAD1 = 0,
};

/* One pass over the options area o (a copy: each pass starts afresh).
 * Counts the options in *n and, when out is non-NULL (room for the count of
 * a previous pass), fills them. NC_EMALFORMED when an option runs past the
 * header; *n then counts the options before it. */
static int walk_options(struct nc_rd o, Netcap__IPv6HopByHopOption *out,
        Netcap__IPv6HopByHopOptionAlignment *align, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < IPV6HOP_MAX_OPTIONS && nc_rd_left(&o) > 0; i++) {
        uint8_t type = nc_rd_u8(&o);
        uint8_t len = 0;
        struct nc_span data = { NULL, 0 };
        if (type != IPV6HOP_PAD1) {
            len = nc_rd_u8(&o);
            data = nc_rd_span(&o, len);
            if (!nc_rd_ok(&o)) {
                return NC_EMALFORMED; /* length field points past the header */
            }
        }
        if (out) {
            Netcap__IPv6HopByHopOption *opt = &out[*n];
            netcap__ipv6_hop_by_hop_option__init(opt);
            opt->option_type = type;
            opt->option_length = len;
            opt->actual_length = type == IPV6HOP_PAD1 ? 1 : len + 2;
            opt->option_data = nc_bytes(data);
            opt->option_alignment = align;
        }
        (*n)++;
    }
    return NC_OK;
}

/* The IPv6 record of the header this one extends: the last one built, if
 * the innermost IP layer is IPv6 and its hop-by-hop slot is still free. */
static Netcap__IPv6 *owning_ipv6_record(struct nc_pkt *pkt)
{
    if (pkt->ctx.ip_ver != 6) {
        return NULL;
    }
    for (size_t i = pkt->n_recs; i > 0; i--) {
        if (pkt->rec_type[i - 1] == NC_REC_IPv6) {
            Netcap__IPv6 *ip6 = (Netcap__IPv6 *)(void *)pkt->recs[i - 1];
            return ip6->hop_by_hop ? NULL : ip6;
        }
    }
    return NULL;
}

/* Build the options array in the arena; false if the arena is exhausted. */
static bool build_options(struct nc_pkt *pkt, struct nc_rd o, size_t n, Netcap__IPv6HopByHop *msg)
{
    Netcap__IPv6HopByHopOption **ptrs = nc_pkt_alloc(pkt, n * sizeof(*ptrs));
    Netcap__IPv6HopByHopOption *store = nc_pkt_alloc(pkt, n * sizeof(*store));
    /* one all-zero alignment shared by every option (see above) */
    Netcap__IPv6HopByHopOptionAlignment *align = nc_pkt_alloc(pkt, sizeof(*align));
    if (!ptrs || !store || !align) {
        return false;
    }
    netcap__ipv6_hop_by_hop_option_alignment__init(align);
    size_t filled = 0;
    int rc = walk_options(o, store, align, &filled);
    NC_UNUSED(rc); /* same bytes as the counting pass: same verdict, same count */
    for (size_t i = 0; i < filled; i++) {
        ptrs[i] = &store[i];
    }
    msg->options = ptrs;
    msg->n_options = filled;
    return true;
}

static int ipv6hop_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t next = nc_rd_u8(r);
    uint8_t units = nc_rd_u8(r);
    struct nc_rd o = nc_rd_sub(r, ((size_t)units + 1) * IPV6HOP_UNIT - 2);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    pkt->ctx.ip_proto = next;
    pkt->ctx.ip_left = nc_pkt_ip_after(pkt, ((size_t)units + 1) * IPV6HOP_UNIT);
    size_t n = 0;
    int rc = walk_options(o, NULL, NULL, &n);

    /* One message, then placed twice: as its own record and inside the IPv6
     * record, either of which may be unwanted. */
    bool want = nc_pkt_wants(pkt, NC_REC_IPv6HopByHop);
    Netcap__IPv6 *ip6 = owning_ipv6_record(pkt);
    if (want || ip6) {
        Netcap__IPv6HopByHop msg;
        netcap__ipv6_hop_by_hop__init(&msg); /* the INIT macro trips -Wcast-qual */
        msg.timestamp = pkt->ts;
        msg.next_header = next;
        if (pkt->ctx.ip_ver) {
            msg.src_ip = (char *)(uintptr_t)pkt->ctx.src_ip_str;
            msg.dst_ip = (char *)(uintptr_t)pkt->ctx.dst_ip_str;
        }
        if (n > 0 && !build_options(pkt, o, n, &msg)) {
            msg.n_options = 0; /* arena cap: counted by nc_pkt_alloc; record without options */
        }
        Netcap__IPv6HopByHop *rec = want ? nc_pkt_record(pkt, NC_REC_IPv6HopByHop) : NULL;
        if (rec) {
            *rec = msg;
        }
        if (ip6) {
            Netcap__IPv6HopByHop *copy = nc_pkt_alloc(pkt, sizeof(*copy));
            if (copy) {
                *copy = msg;
                ip6->hop_by_hop = copy;
            }
        }
    }
    if (rc != NC_OK) {
        return rc; /* an option overran its header: receivers discard the packet, so we stop */
    }
    pkt->next_ns = NC_NS_IPPROTO;
    pkt->next_id = next;
    return NC_OK;
}

static const struct nc_claim ipv6hop_claims[] = { { NC_NS_IPPROTO, 0 } };
const struct nc_decoder nc_decoder_ipv6hop = {
    .name = "ipv6hop",
    .display = "IPv6HopByHop",
    .layer = NC_LAYER_NONE,
    .claims = ipv6hop_claims,
    .n_claims = NC_ARRAY_LEN(ipv6hop_claims),
    .decode = ipv6hop_decode,
};
