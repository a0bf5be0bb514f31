/*
 * summary: IPv4 header -> IPv4 records; sets the IP context and names the transport.
 * spec:    RFC 791 3.1; RFC 6864 (ID field); option numbers from IANA.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |Flags|      Fragment Offset    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Destination Address                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options (IHL*4 - 20)       |    Padding    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Field semantics follow gopacket (the reference's decoder): flags is the
 * 3-bit field, frag_offset the raw 13-bit value (units of 8 bytes), options
 * include EOL and NOP as one-byte entries, and padding is whatever follows
 * EOL up to the header length.
 *
 * The window handed on is cut to the total length (trailing Ethernet
 * padding is not payload) but may be shorter when the capture was cut
 * (snaplen): the transport decoders then see what there is. A total length
 * of 0 is what TCP segmentation offload leaves in captures taken on the
 * sender; like gopacket we then take the captured length.
 */
#include "decode/decoder.h"

enum {
    IPV4_MIN_HDR = 20,
    IPV4_MAX_OPTIONS = 40, /* options area is at most 60 - 20 bytes, one byte per NOP */
    IPV4_OPT_EOL = 0,
    IPV4_OPT_NOP = 1,
    IPV4_MAX_LEN = 65535,
};

/* Parse the options area o (exactly IHL*4 - 20 bytes) into rec, if any.
 * Returns NC_EMALFORMED when an option's length is impossible (< 2, or past
 * the header); options before it are kept. */
static int parse_options(struct nc_pkt *pkt, struct nc_rd *o, Netcap__IPv4 *rec)
{
    Netcap__IPv4Option **opts = NULL;
    Netcap__IPv4Option *store = NULL;
    if (rec && nc_rd_left(o) > 0) {
        /* worst case one option per byte; the area is at most 40 bytes */
        size_t max = NC_MIN(nc_rd_left(o), (size_t)IPV4_MAX_OPTIONS);
        opts = nc_pkt_alloc(pkt, max * sizeof(*opts));
        store = nc_pkt_alloc(pkt, max * sizeof(*store));
        if (!opts || !store) {
            opts = NULL;
            store = NULL;
        }
    }
    size_t n = 0;
    int rc = NC_OK;
    for (size_t i = 0; i < IPV4_MAX_OPTIONS && nc_rd_left(o) > 0; i++) {
        uint8_t type = nc_rd_u8(o);
        uint8_t len = 1;
        struct nc_span data = { NULL, 0 };
        if (type != IPV4_OPT_EOL && type != IPV4_OPT_NOP) {
            len = nc_rd_u8(o);
            /* the length counts type and length bytes and must fit the header */
            if (!nc_rd_ok(o) || len < 2 || (size_t)len - 2 > nc_rd_left(o)) {
                rc = NC_EMALFORMED;
                break;
            }
            data = nc_rd_span(o, (size_t)len - 2);
        }
        if (opts) {
            Netcap__IPv4Option *opt = &store[n];
            netcap__ipv4_option__init(opt);
            opt->option_type = type;
            opt->option_length = len;
            opt->option_data = nc_bytes(data);
            opts[n++] = opt;
        }
        if (type == IPV4_OPT_EOL) {
            if (rec) {
                rec->padding = nc_bytes(nc_rd_rest(o));
            }
            break;
        }
    }
    if (rec && opts) {
        rec->options = opts;
        rec->n_options = n;
    }
    return rc;
}

static int ipv4_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    /* read the fixed header from a copy: r is re-windowed once the lengths are checked */
    struct nc_rd h = *r;
    uint8_t vihl = nc_rd_u8(&h);
    uint8_t tos = nc_rd_u8(&h);
    uint16_t total = nc_rd_be16(&h);
    uint16_t id = nc_rd_be16(&h);
    uint16_t flags_frag = nc_rd_be16(&h);
    uint8_t ttl = nc_rd_u8(&h);
    uint8_t proto = nc_rd_u8(&h);
    uint16_t csum = nc_rd_be16(&h);
    uint8_t src[4], dst[4];
    nc_rd_copy(&h, src, sizeof(src));
    nc_rd_copy(&h, dst, sizeof(dst));
    if (!nc_rd_ok(&h)) {
        nc_rd_fail(r, h.err);
        return h.err;
    }
    unsigned version = vihl >> 4;
    size_t hdr_len = (size_t)(vihl & 0x0f) * 4;
    if (version != 4 || hdr_len < IPV4_MIN_HDR) {
        return NC_EMALFORMED;
    }
    size_t avail = nc_rd_left(r);
    size_t len = total;
    if (len == 0) {
        len = NC_MIN(avail, (size_t)IPV4_MAX_LEN); /* TSO, see above */
    }
    if (len < hdr_len) {
        /* a header longer than the packet claims to be; with TSO's 0 the
         * capture simply ended inside the header */
        return total == 0 ? NC_ETRUNC : NC_EMALFORMED;
    }
    struct nc_rd ip = nc_rd_sub(r, NC_MIN(len, avail));
    nc_rd_skip(&ip, IPV4_MIN_HDR);
    struct nc_rd o = nc_rd_sub(&ip, hdr_len - IPV4_MIN_HDR);
    if (!nc_rd_ok(&ip)) {
        return ip.err; /* options cut off by the capture */
    }
    *r = ip; /* from here on r is the payload window: header consumed, padding cut */

    uint8_t flags = (uint8_t)(flags_frag >> 13);
    uint16_t frag_off = flags_frag & 0x1fff;
    nc_pkt_set_ip(pkt, 4, src, dst);
    pkt->ctx.ip_proto = proto;
    pkt->ctx.ip_left = (uint32_t)(len - hdr_len);
    pkt->ctx.ip_len = (uint32_t)len;
    if (frag_off != 0 || (flags & 0x1)) { /* MF is the low bit of the 3-bit flags */
        pkt->ctx.is_fragment = true;
        pkt->ctx.frag_first = frag_off == 0;
        pkt->ctx.frag_id = id;
        pkt->ctx.frag_offset = (uint32_t)frag_off * 8;
        pkt->ctx.frag_more = (flags & 0x1) != 0;
        pkt->ctx.frag_data = nc_rd_ptr(r);
        pkt->ctx.frag_len = (uint32_t)nc_rd_left(r);
        pkt->ctx.frag_cut = nc_rd_left(r) < len - hdr_len;
    }

    Netcap__IPv4 *rec = nc_pkt_record(pkt, NC_REC_IPv4);
    if (rec) {
        rec->version = (int32_t)version;
        rec->ihl = vihl & 0x0f;
        rec->tos = tos;
        rec->length = (int32_t)len;
        rec->id = id;
        rec->flags = flags;
        rec->frag_offset = frag_off;
        rec->ttl = ttl;
        rec->protocol = proto;
        rec->checksum = csum;
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, NULL);
    }
    int rc = parse_options(pkt, &o, rec);
    if (rc != NC_OK) {
        return rc; /* hosts discard such headers (Linux ip_options_compile); the record stays */
    }
    /* A fragment's payload is decoded once its datagram is reassembled
     * (src/stream/ip_defrag.c, run by the packet's shard). */
    if (!pkt->ctx.is_fragment) {
        pkt->next_ns = NC_NS_IPPROTO;
        pkt->next_id = proto;
    }
    return NC_OK;
}

static const struct nc_claim ipv4_claims[] = {
    { NC_NS_ETHERTYPE, 0x0800 },
    { NC_NS_IPPROTO, 4 },  /* IPv4 in IP (RFC 2003): a tunnel, see nc_pkt_set_ip */
    { NC_NS_PPP, 0x0021 }, /* RFC 1332 */
    { NC_NS_DLT, 228 },    /* LINKTYPE_IPV4 */
};
const struct nc_decoder nc_decoder_ipv4 = {
    .name = "ipv4",
    .display = "IPv4",
    .layer = NC_LAYER_NETWORK,
    .claims = ipv4_claims,
    .n_claims = NC_ARRAY_LEN(ipv4_claims),
    .decode = ipv4_decode,
};
