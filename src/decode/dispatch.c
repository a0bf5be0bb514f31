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
#include <string.h>

static const struct nc_decoder *const decoders[NC_DEC_COUNT] = {
#define NC_DECODER(n) [NC_DEC_##n] = &nc_decoder_##n,
#include "decode/decoders.def"
#undef NC_DECODER
};

/* 0: no decoder; otherwise decoder id + 1. */
static uint8_t lookup[NC_NS_COUNT][65536];

int nc_decode_init(char errbuf[NC_ERRBUF_SIZE])
{
    memset(lookup, 0, sizeof(lookup));
    for (size_t i = 0; i < NC_DEC_COUNT; i++) {
        const struct nc_decoder *d = decoders[i];
        for (size_t c = 0; c < d->n_claims; c++) {
            uint8_t *slot = &lookup[d->ns][d->claims[c]];
            if (*slot) {
                snprintf(errbuf, NC_ERRBUF_SIZE, "decoders %s and %s both claim id %u",
                        decoders[*slot - 1]->name, d->name, d->claims[c]);
                return NC_EARG;
            }
            *slot = (uint8_t)(i + 1);
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

static void count_unknown_dlt(struct nc_decode_stats *st, uint32_t dlt, uint64_t n)
{
    for (size_t i = 0; i < NC_ARRAY_LEN(st->unknown_dlt); i++) {
        if (st->unknown_dlt[i] && st->unknown_dlt_id[i] == dlt) {
            st->unknown_dlt[i] += n;
            return;
        }
        if (st->unknown_dlt[i] == 0) {
            st->unknown_dlt_id[i] = dlt;
            st->unknown_dlt[i] = n;
            return;
        }
    }
    st->unknown_dlt_other += n;
}

static void fill_ports(struct nc_pkt *pkt)
{
    if (!pkt->ctx.has_ports) {
        return;
    }
    for (size_t i = 0; i < pkt->n_recs; i++) {
        const struct nc_rec_info *ri = nc_rec_info(pkt->rec_type[i]);
        uint8_t *m = (uint8_t *)pkt->recs[i];
        if (ri->off_src_port >= 0 && ri->off_dst_port >= 0) {
            int32_t *sp = (int32_t *)(void *)(m + ri->off_src_port);
            int32_t *dp = (int32_t *)(void *)(m + ri->off_dst_port);
            if (*sp == 0 && *dp == 0) {
                *sp = pkt->ctx.src_port;
                *dp = pkt->ctx.dst_port;
            }
        }
    }
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
        uint8_t slot = 0;
        if (pkt->next_id < 65536) {
            slot = lookup[pkt->next_ns][pkt->next_id];
        }
        if (!slot && pkt->has_alt && pkt->next_id_alt < 65536) {
            slot = lookup[pkt->next_ns][pkt->next_id_alt];
        }
        if (!slot) {
            if (pkt->next_ns == NC_NS_DLT) {
                count_unknown_dlt(st, pkt->dlt, 1);
            }
            break;
        }
        const struct nc_decoder *d = decoders[slot - 1];
        pkt->next_ns = NC_NS_NONE;
        pkt->has_alt = false;
        st->layers[slot - 1]++;
        int rc = d->decode(pkt, &r);
        if (rc != NC_OK) {
            if (rc > 0 && rc <= NC_EARG) {
                st->bad[slot - 1][rc]++;
            }
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
    pkt->rec_type[pkt->n_recs] = t;
    pkt->recs[pkt->n_recs] = (ProtobufCMessage *)(void *)m;
    pkt->n_recs++;
    return m;
}

void nc_pkt_set_ip(struct nc_pkt *pkt, uint8_t ver, const uint8_t *src, const uint8_t *dst)
{
    struct nc_pkt_ctx *c = &pkt->ctx;
    size_t n = ver == 4 ? 4 : 16;
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
    for (size_t i = 0; i < NC_ARRAY_LEN(src->unknown_dlt); i++) {
        if (src->unknown_dlt[i]) {
            count_unknown_dlt(dst, src->unknown_dlt_id[i], src->unknown_dlt[i]);
        }
    }
    dst->unknown_dlt_other += src->unknown_dlt_other;
    dst->depth_limit += src->depth_limit;
    dst->rec_limit += src->rec_limit;
    dst->encode_limit += src->encode_limit;
}
