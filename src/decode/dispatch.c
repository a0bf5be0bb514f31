/*
 * summary: the decoder registry and the per-packet dispatch loop.
 *
 * nc_decode_init() turns the claims of every decoder into dense lookup
 * tables (one per namespace, indexed by the 16-bit id), refusing duplicate
 * claims. nc_decode_packet() then walks the layers with a table lookup per
 * layer and a hard cap on depth. Record creation helpers live here too,
 * because they fill the generic context fields of every record type.
 */
#include "decode/decoder.h"

#include <stdio.h>

#include "core/hash.h"
#include "flow/flow.h"
#include <string.h>

static const struct nc_decoder *const decoders[NC_DEC_COUNT] = {
#define NC_DECODER(n) [NC_DEC_##n] = &nc_decoder_##n,
#include "decode/decoders.def"
#undef NC_DECODER
};

/* 0: no decoder; otherwise decoder id + 1. 16 bits, so the registry can
 * grow to 65534 decoders; the build fails before a slot could wrap. */
typedef uint16_t slot_t;
_Static_assert(NC_DEC_COUNT < UINT16_MAX, "decoder slots are 16-bit");
static slot_t lookup[NC_NS_COUNT][65536];

int nc_decode_init(char errbuf[NC_ERRBUF_SIZE])
{
    memset(lookup, 0, sizeof(lookup));
    for (size_t i = 0; i < NC_DEC_COUNT; i++) {
        const struct nc_decoder *d = decoders[i];
        for (size_t c = 0; c < d->n_claims; c++) {
            const struct nc_claim *cl = &d->claims[c];
            if ((unsigned)cl->ns >= NC_NS_COUNT || cl->ns == NC_NS_NONE || cl->id > 0xffff) {
                snprintf(errbuf, NC_ERRBUF_SIZE,
                        "decoder %s claims namespace %d id %u, out of range", d->name, (int)cl->ns,
                        cl->id);
                return NC_EARG;
            }
            slot_t *slot = &lookup[cl->ns][cl->id];
            if (*slot) {
                snprintf(errbuf, NC_ERRBUF_SIZE,
                        "decoders %s and %s both claim id %u in namespace %d",
                        decoders[*slot - 1]->name, d->name, cl->id, (int)cl->ns);
                return NC_EARG;
            }
            *slot = (slot_t)(i + 1);
        }
    }
    return NC_OK;
}

const struct nc_decoder *nc_decoder_by_id(enum nc_decoder_id id)
{
    return (size_t)id < NC_DEC_COUNT ? decoders[id] : NULL;
}

bool nc_decode_dlt_known(uint32_t dlt)
{
    return dlt < 65536 && lookup[NC_NS_DLT][dlt] != 0;
}

const char *nc_ns_unknown_label(enum nc_ns ns)
{
    switch (ns) {
        case NC_NS_DLT:
            return "link type";
        case NC_NS_ETHERTYPE:
            return "EtherType";
        case NC_NS_IPPROTO:
            return "IP protocol";
        case NC_NS_PPP:
            return "PPP protocol";
        case NC_NS_LINK:
            return "link payload kind";
        case NC_NS_LLC_SAP:
            return "LLC SAP";
        case NC_NS_SNAP_CISCO:
            return "Cisco SNAP protocol";
        case NC_NS_SNAP_NORTEL:
            return "Nortel SNAP protocol";
        case NC_NS_EAPOL:
            return "EAPOL packet type";
        default:
            return NULL; /* ports, ICMPv6 types: undecoded payload is normal */
    }
}

static void count_unknown(struct nc_decode_stats *st, enum nc_ns ns, uint32_t id, uint64_t n)
{
    uint64_t *cnt = st->unknown[ns];
    uint32_t *ids = st->unknown_id[ns];
    for (size_t i = 0; i < NC_ARRAY_LEN(st->unknown[0]); i++) {
        if (cnt[i] && ids[i] == id) {
            cnt[i] += n;
            return;
        }
        if (cnt[i] == 0) {
            ids[i] = id;
            cnt[i] = n;
            return;
        }
    }
    st->unknown_other[ns] += n;
}

/* The ports of the transport header above the current IP header go to
 * ports[ip_depth]: records keep the ports of their own IP layer, so an
 * outer IPv4 record of a tunnelled packet gets the carrier's ports (or
 * none), not the inner connection's. */
static void save_ports(struct nc_pkt_ctx *c)
{
    c->ports[c->ip_depth].src = c->src_port;
    c->ports[c->ip_depth].dst = c->dst_port;
    c->ports[c->ip_depth].set = c->has_ports;
}

static void fill_ports(struct nc_pkt *pkt)
{
    struct nc_pkt_ctx *c = &pkt->ctx;
    save_ports(c);
    for (size_t i = 0; i < pkt->n_recs; i++) {
        uint8_t d = pkt->rec_ip_depth[i];
        if (!c->ports[d].set) {
            continue;
        }
        const struct nc_rec_info *ri = nc_rec_info(pkt->rec_type[i]);
        uint8_t *m = (uint8_t *)pkt->recs[i];
        if (ri->off_src_port >= 0 && ri->off_dst_port >= 0) {
            int32_t *sp = (int32_t *)(void *)(m + ri->off_src_port);
            int32_t *dp = (int32_t *)(void *)(m + ri->off_dst_port);
            if (*sp == 0 && *dp == 0) {
                *sp = c->ports[d].src;
                *dp = c->ports[d].dst;
            }
        }
    }
}

static slot_t find_slot(enum nc_ns ns, uint32_t id)
{
    return id < 65536 ? lookup[ns][id] : 0;
}

static void decode_layers(struct nc_pkt *pkt, struct nc_rd r)
{
    struct nc_decode_stats *st = pkt->stats;
    size_t depth = 0;
    while (pkt->next_ns != NC_NS_NONE) {
        if (depth++ >= NC_MAX_LAYERS) {
            st->depth_limit++;
            break;
        }
        enum nc_ns ns = pkt->next_ns;
        /* candidates: the id, then the alternative (source port) */
        slot_t cand[2] = { find_slot(ns, pkt->next_id), 0 };
        if (pkt->has_alt) {
            cand[1] = find_slot(ns, pkt->next_id_alt);
        }
        pkt->next_ns = NC_NS_NONE;
        pkt->has_alt = false;
        if (!cand[0] && !cand[1]) {
            if (nc_ns_unknown_label(ns)) {
                count_unknown(st, ns, ns == NC_NS_DLT ? pkt->dlt : pkt->next_id, 1);
            }
            break;
        }
        int rc = NC_DECLINE;
        const struct nc_decoder *d = NULL;
        uint8_t tunnels_before = pkt->ctx.tunnel_depth;
        for (size_t k = 0; k < 2 && rc == NC_DECLINE; k++) {
            if (!cand[k] || (k == 1 && cand[1] == cand[0])) {
                continue;
            }
            d = decoders[cand[k] - 1];
            if (k == 1) {
                pkt->next_id = pkt->next_id_alt; /* the id the decoder was found by */
            }
            struct nc_rd saved = r;
            st->layers[cand[k] - 1]++;
            rc = d->decode(pkt, &r);
            if (rc == NC_DECLINE) {
                st->layers[cand[k] - 1]--;
                st->declined[cand[k] - 1]++;
                r = saved;
                pkt->next_ns = NC_NS_NONE;
                pkt->has_alt = false;
            } else if (rc != NC_OK && rc > 0 && rc <= NC_EARG) {
                st->bad[cand[k] - 1][rc]++;
            }
        }
        if (rc == NC_DECLINE) {
            break; /* nobody's: the payload stays undecoded, which is not an error */
        }
        if (rc != NC_OK) {
            /* a transport header whose ports were read (options cut by the
             * snaplen, say) still names the connection's transport */
            if (d->layer == NC_LAYER_TRANSPORT && (pkt->ctx.has_ports || pkt->ctx.has_icmp)) {
                pkt->ctx.proto[d->layer] = d->display;
            }
            break;
        }
        if (d->layer != NC_LAYER_NONE) {
            pkt->ctx.proto[d->layer] = d->display;
        }
        /* the decoder that entered the outermost tunnel names its carrier */
        struct nc_pkt_carrier *k = &pkt->ctx.carrier;
        if (d->carrier_layer != NC_LAYER_NONE && tunnels_before == 0 && pkt->ctx.tunnel_depth > 0 &&
                k->valid && !k->proto_name[d->carrier_layer]) {
            k->proto_name[d->carrier_layer] = d->display;
        }
    }
    fill_ports(pkt);
}

void nc_decode_packet(struct nc_pkt *pkt)
{
    pkt->stats->packets++;
    pkt->next_ns = NC_NS_DLT;
    pkt->next_id = pkt->dlt;
    pkt->has_alt = false;
    decode_layers(pkt, nc_rd_make(pkt->data, pkt->caplen));
}

void nc_decode_payload(struct nc_pkt *pkt, enum nc_ns ns, uint32_t id, const uint8_t *p, size_t n)
{
    pkt->next_ns = ns;
    pkt->next_id = id;
    pkt->has_alt = false;
    pkt->ctx.ip_left = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    decode_layers(pkt, nc_rd_make(p, n));
}

void *nc_pkt_alloc(struct nc_pkt *pkt, size_t n)
{
    void *p = nc_arena_alloc(pkt->arena, n);
    if (!p) {
        pkt->stats->rec_limit++;
    }
    return p;
}

void *nc_pkt_record(struct nc_pkt *pkt, enum nc_rec_type t)
{
    if (!pkt->opts->want[t]) {
        return NULL;
    }
    if (pkt->n_recs >= NC_MAX_PKT_RECS) {
        pkt->stats->rec_limit++;
        return NULL;
    }
    const struct nc_rec_info *ri = nc_rec_info(t);
    /* not zeroed: message_init overwrites the whole struct */
    uint8_t *m = nc_arena_alloc_raw(pkt->arena, ri->desc->sizeof_message);
    if (!m) {
        pkt->stats->rec_limit++;
        return NULL;
    }
    protobuf_c_message_init(ri->desc, m);
    if (ri->off_timestamp >= 0) {
        *(int64_t *)(void *)(m + ri->off_timestamp) = pkt->ts;
    }
    if (pkt->ctx.ip_fragments) {
        if (ri->off_ip_fragments >= 0) {
            int32_t n = pkt->ctx.ip_fragments;
            memcpy(m + ri->off_ip_fragments, &n, sizeof(n));
        }
        if (ri->off_ip_frag_overlap >= 0) {
            protobuf_c_boolean o = pkt->ctx.ip_frag_overlap;
            memcpy(m + ri->off_ip_frag_overlap, &o, sizeof(o));
        }
    }
    if (pkt->ctx.ip_ver && ri->off_src_ip >= 0 && ri->off_dst_ip >= 0) {
        *(const char **)(void *)(m + ri->off_src_ip) = pkt->ctx.src_ip_str;
        *(const char **)(void *)(m + ri->off_dst_ip) = pkt->ctx.dst_ip_str;
    }
    if (pkt->ctx.tunnel_depth) {
        if (ri->off_tunnel_depth >= 0) {
            int32_t d = pkt->ctx.tunnel_depth;
            memcpy(m + ri->off_tunnel_depth, &d, sizeof(d));
        }
        if (ri->off_tunnel_parent >= 0) {
            *(const char **)(void *)(m + ri->off_tunnel_parent) = pkt->ctx.tunnel_parent;
        }
    }
    pkt->rec_ip_depth[pkt->n_recs] = pkt->ctx.ip_depth;
    pkt->rec_type[pkt->n_recs] = t;
    pkt->recs[pkt->n_recs] = (ProtobufCMessage *)(void *)m;
    pkt->n_recs++;
    return m;
}

void nc_pkt_set_ip(struct nc_pkt *pkt, uint8_t ver, const uint8_t *src, const uint8_t *dst)
{
    struct nc_pkt_ctx *c = &pkt->ctx;
    size_t n = ver == 4 ? 4 : 16;
    if (c->ip_ver) {
        /* IP inside IP: the outer header's ports stay with its records */
        if (!c->tunnel_open) {
            nc_pkt_tunnel(pkt, 0);
        }
        save_ports(c);
        /* the carrier's transport (UDP of VXLAN, Teredo) and application
         * are not the inner packet's */
        c->proto[NC_LAYER_TRANSPORT] = NULL;
        c->proto[NC_LAYER_APP] = NULL;
        if (c->ip_depth + 1 < NC_MAX_LAYERS) {
            c->ip_depth++;
        }
    } else if (c->ip_depth == 0) {
        c->ip_depth = 1;
    }
    c->tunnel_open = false;
    c->ip_ver = ver;
    memset(c->src_ip, 0, sizeof(c->src_ip));
    memset(c->dst_ip, 0, sizeof(c->dst_ip));
    memcpy(c->src_ip, src, n);
    memcpy(c->dst_ip, dst, n);
    /* ports belong to the layer above this IP header */
    c->has_ports = false;
    c->has_icmp = false;
    c->src_port = c->dst_port = 0;
    c->tcp_flags = 0;
    c->tcp_window = 0;
    c->l4_payload = 0;
    c->ip_left = 0;
    c->ip_len = 0;
    c->is_fragment = false;
    c->frag_first = false;
    c->frag_id = 0;
    c->frag_offset = 0;
    c->frag_more = false;
    c->frag_cut = false;
    c->frag_data = NULL;
    c->frag_len = 0;
    c->tcp_seq = 0;
    c->tcp_ack = 0;
    c->l4_data = NULL;
    c->l4_caplen = 0;
    if (ver == 4) {
        c->src_ip_str = nc_pkt_ip4(pkt, src);
        c->dst_ip_str = nc_pkt_ip4(pkt, dst);
    } else {
        c->src_ip_str = nc_pkt_ip6(pkt, src);
        c->dst_ip_str = nc_pkt_ip6(pkt, dst);
    }
}

void nc_pkt_tunnel(struct nc_pkt *pkt, uint32_t id)
{
    struct nc_pkt_ctx *c = &pkt->ctx;
    if (c->tunnel_depth == 0 && c->ip_ver) {
        struct nc_pkt_carrier *k = &c->carrier;
        k->valid = true;
        k->ver = c->ip_ver;
        k->proto = c->ip_proto;
        k->has_ports = c->has_ports;
        k->src_port = c->src_port;
        k->dst_port = c->dst_port;
        k->tcp_flags = c->tcp_flags;
        k->tcp_window = c->tcp_window;
        k->payload = c->has_ports ? c->l4_payload : c->ip_left;
        k->ip_len = c->ip_len;
        k->zone = c->zone;
        memcpy(k->src_ip, c->src_ip, 16);
        memcpy(k->dst_ip, c->dst_ip, 16);
        memcpy(k->proto_name, c->proto, sizeof(k->proto_name));
    }
    c->carrier_depth = c->tunnel_depth;
    c->carrier_parent = c->tunnel_parent;
    c->carrier_zone = c->zone;
    if (c->tunnel_depth < UINT8_MAX) {
        c->tunnel_depth++;
    }
    c->tunnel_open = true;
    if (!c->ip_ver) {
        /* a carrier without IP (cannot happen with today's decoders) */
        c->tunnel_parent = "";
        nc_pkt_zone(pkt, id);
        return;
    }
    char *cid = nc_arena_alloc_raw(pkt->arena, NC_COMMUNITY_ID_LEN);
    if (cid) {
        uint16_t sp = c->has_ports ? c->src_port : 0, dp = c->has_ports ? c->dst_port : 0;
        nc_community_id(cid, NC_COMMUNITY_ID_LEN, c->ip_ver, c->ip_proto, c->src_ip, c->dst_ip, sp,
                dp, false);
    }
    c->tunnel_parent = cid ? cid : "";
    /* the zone depends on the tunnel's endpoints, not on the carrier's
     * ports (VXLAN and Geneve pick a source port per inner flow and
     * direction), so both directions of an inner flow share it */
    nc_pkt_zone(pkt, nc_hash_addr_pair(c->src_ip, c->dst_ip) + c->ip_proto);
    nc_pkt_zone(pkt, id);
}

void nc_pkt_payload(const struct nc_pkt *pkt, const struct nc_rd *r, int32_t *size, double *entropy,
        ProtobufCBinaryData *bytes)
{
    size_t n = nc_rd_left(r);
    *size = (int32_t)n;
    if (pkt->opts->entropy) {
        *entropy = nc_entropy(nc_rd_ptr(r), n);
    }
    if (bytes && pkt->opts->payload && n > 0) {
        bytes->len = n;
        bytes->data = (uint8_t *)(uintptr_t)nc_rd_ptr(r);
    }
}

void nc_pkt_next_port(struct nc_pkt *pkt, enum nc_ns ns, uint16_t dport, uint16_t sport)
{
    pkt->next_ns = ns;
    pkt->next_id = dport;
    pkt->next_id_alt = sport;
    pkt->has_alt = true;
}

static char empty_str[1] = "";

char *nc_pkt_str(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    if (nc_utf8_valid(p, n)) {
        char *s = nc_arena_strndup(pkt->arena, p, n);
        return s ? s : empty_str;
    }
    char *s = nc_arena_alloc(pkt->arena, 3 * n + 1);
    if (!s) {
        pkt->stats->rec_limit++;
        return empty_str;
    }
    nc_utf8_sanitize(s, p, n);
    return s;
}

char *nc_pkt_mac(struct nc_pkt *pkt, const uint8_t mac[6])
{
    char *s = nc_arena_alloc_raw(pkt->arena, NC_MAC_STRLEN);
    if (!s) {
        return empty_str;
    }
    nc_fmt_mac(s, mac);
    return s;
}

char *nc_pkt_hwaddr(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    char *s = nc_arena_alloc_raw(pkt->arena, 3 * n + 1);
    if (!s) {
        return empty_str;
    }
    nc_fmt_hwaddr(s, p, n);
    return s;
}

char *nc_pkt_ip4(struct nc_pkt *pkt, const uint8_t ip[4])
{
    char *s = nc_arena_alloc_raw(pkt->arena, NC_IP4_STRLEN);
    if (!s) {
        return empty_str;
    }
    nc_fmt_ip4(s, ip);
    return s;
}

char *nc_pkt_ip6(struct nc_pkt *pkt, const uint8_t ip[16])
{
    char *s = nc_arena_alloc_raw(pkt->arena, NC_IP6_STRLEN);
    if (!s) {
        return empty_str;
    }
    nc_fmt_ip6(s, ip);
    return s;
}

void nc_decode_stats_add(struct nc_decode_stats *dst, const struct nc_decode_stats *src)
{
    dst->packets += src->packets;
    for (size_t i = 0; i < NC_DEC_COUNT; i++) {
        dst->layers[i] += src->layers[i];
        for (size_t e = 0; e <= NC_EARG; e++) {
            dst->bad[i][e] += src->bad[i][e];
        }
    }
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        dst->records[i] += src->records[i];
    }
    for (size_t ns = 0; ns < NC_NS_COUNT; ns++) {
        for (size_t i = 0; i < NC_ARRAY_LEN(src->unknown[0]); i++) {
            if (src->unknown[ns][i]) {
                count_unknown(dst, (enum nc_ns)ns, src->unknown_id[ns][i], src->unknown[ns][i]);
            }
        }
        dst->unknown_other[ns] += src->unknown_other[ns];
    }
    for (size_t i = 0; i < NC_DEC_COUNT; i++) {
        dst->declined[i] += src->declined[i];
    }
    dst->depth_limit += src->depth_limit;
    dst->rec_limit += src->rec_limit;
    dst->encode_limit += src->encode_limit;
}
