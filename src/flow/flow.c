/*
 * summary: the connection table (see flow.h for the policy).
 *
 * Layout: a preallocated pool of struct flow, a power-of-two bucket array of
 * chain heads (indexes into the pool, 0 = empty, so pool slot 0 is unused),
 * and two intrusive lists in capture-time order: `active` (least recently
 * active first, for idle timeouts and eviction) and `closing` (flows that saw
 * FIN both ways or RST, oldest close first). Timestamps are capture time;
 * "now" is the largest timestamp seen, so out-of-order packets cannot move
 * time backwards.
 */
#include "flow/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"
#include "core/str.h"
#include "stream/stream.h"

#define flow_key nc_flow_key

_Static_assert(sizeof(struct nc_flow_key) == 48, "flow key must be 6 words, no padding");

struct flow {
    struct flow_key key;
    uint64_t hash;       /* keyed with the run seed: bucket position */
    uint64_t uid_hash;   /* unkeyed: the uid */
    uint32_t hnext;      /* bucket chain */
    uint32_t prev, next; /* active or closing list */
    bool closing, client_is_a, one_way;
    bool fin_a, fin_b; /* FIN seen from endpoint a / b */
    const char *end_reason;
    uint64_t first_index;
    int64_t first_ts, last_ts, close_ts;
    uint64_t pkts[2], bytes[2], payload[2]; /* [0] client->server, [1] server->client */
    uint32_t flags[9];                      /* FIN SYN RST PSH ACK URG ECE CWR NS */
    uint64_t win_sum, win_n;
    uint16_t c_port, s_port; /* client/server ports (ICMP: first type/code) */
    uint8_t c_ip[16], s_ip[16];
    uint8_t c_mac[6], s_mac[6];
    bool has_c_mac, has_s_mac;
    bool stream_done; /* TCP: reassembly finished or never wanted */
    uint8_t syn_seen; /* bit d: a SYN of direction d came before the stream existed */
    uint32_t syn_seq[2];
    struct nc_stream *stream;
    uint64_t missed_bytes;
    uint32_t conflicts;
    const char *proto_name[NC_LAYER_COUNT];
    uint8_t tunnel_depth;                    /* of the first packet */
    char tunnel_parent[NC_COMMUNITY_ID_LEN]; /* Community ID of its carrier flow */
};

struct flow_list {
    uint32_t head, tail;
};

struct nc_flow_table {
    struct flow *pool; /* max + 1 entries; index 0 unused */
    uint32_t max;
    uint32_t n_used;
    uint32_t free_head;  /* chain through hnext */
    uint32_t next_fresh; /* pool slots never used yet start here */
    uint32_t *buckets;
    uint64_t mask;
    struct flow_list active, closing;
    int64_t timeout, now;
    nc_flow_emit_fn *emit;
    void *emit_ctx;
    struct nc_flow_stats st;
    struct nc_stream_env *streams; /* NULL: no reassembly */
    bool flushing;                 /* end of input: records in first-packet order */
    struct flow **order;           /* ...the flows left, sorted by first packet */
    size_t n_order, next_order;
    /* ConnectionFeatures: one entry of feat_stride bytes per pool slot */
    uint8_t *feat;
    size_t feat_stride;
    const struct nc_feat_cfg *feat_cfg;
};

static inline struct nc_feat *flow_feat(const struct nc_flow_table *t, uint32_t i)
{
    return (struct nc_feat *)(void *)(t->feat + (size_t)i * t->feat_stride);
}

/* ------------------------------------------------------------ key helpers */

/* Community ID v1 port equivalents for ICMP: request/reply pairs map to the
 * same key; other messages are one-way and keep (type, code). */
static void icmp_ports(
        uint8_t ver, uint8_t type, uint8_t code, uint16_t *sp, uint16_t *dp, bool *one_way)
{
    static const uint8_t v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
        { 16, 15 }, { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 } };
    static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 },
        { 135, 136 }, { 136, 135 }, { 130, 131 }, { 131, 130 }, { 139, 140 }, { 140, 139 },
        { 144, 145 }, { 145, 144 } };
    const uint8_t(*tab)[2] = ver == 4 ? v4 : v6;
    size_t n = ver == 4 ? NC_ARRAY_LEN(v4) : NC_ARRAY_LEN(v6);
    *sp = type;
    for (size_t i = 0; i < n; i++) {
        if (tab[i][0] == type) {
            *dp = tab[i][1];
            *one_way = false;
            return;
        }
    }
    *dp = code;
    *one_way = true;
}

/* Bucket positions use a hash keyed with a per-run seed, so crafted keys
 * cannot pile into one chain (hash flooding); the uid uses the same
 * function with seed 0, so it stays the same from run to run. */
static uint64_t run_seed;

void nc_flow_set_seed(uint64_t seed)
{
    run_seed = seed;
}

static uint64_t key_hash(const struct flow_key *k, uint64_t seed)
{
    uint64_t h = (seed ? nc_mix64(0x9e3779b97f4a7c15ULL ^ seed) : 0x9e3779b97f4a7c15ULL) ^
                 ((uint64_t)k->proto << 8 | k->ver);
    h = nc_mix64(h ^ nc_load64(k->a));
    h = nc_mix64(h ^ nc_load64(k->a + 8));
    h = nc_mix64(h ^ nc_load64(k->b));
    h = nc_mix64(h ^ nc_load64(k->b + 8));
    h = nc_mix64(h ^ ((uint64_t)k->pa << 16 | k->pb));
    if (k->zone) {
        /* only then: a flow outside VLANs and tunnels keeps the uid it had */
        h = nc_mix64(h ^ k->zone);
    }
    return h;
}

/* Normalised key; *pkt_is_a tells whether the packet's source is endpoint a. */
static void make_key(const struct nc_flow_pkt *fp, struct flow_key *k, bool *pkt_is_a)
{
    memset(k, 0, sizeof(*k));
    k->zone = fp->zone;
    k->proto = fp->proto;
    k->ver = fp->ver;
    size_t alen = fp->ver == 4 ? 4 : 16;
    int c = memcmp(fp->src_ip, fp->dst_ip, alen);
    bool swap = !fp->one_way && (c > 0 || (c == 0 && fp->key_sport > fp->key_dport));
    if (swap) {
        memcpy(k->a, fp->dst_ip, alen);
        memcpy(k->b, fp->src_ip, alen);
        k->pa = fp->key_dport;
        k->pb = fp->key_sport;
    } else {
        memcpy(k->a, fp->src_ip, alen);
        memcpy(k->b, fp->dst_ip, alen);
        k->pa = fp->key_sport;
        k->pb = fp->key_dport;
    }
    *pkt_is_a = !swap;
}

/* The outermost tunnel holds no IP header (ARP in VXLAN, a cut inner
 * header): the packet counts in its carrier's flow, which is then the
 * packet's own flow. */
static bool in_outer_carrier(const struct nc_pkt_ctx *c)
{
    return c->carrier.valid && c->tunnel_open && c->carrier_depth == 0;
}

/* The link addresses of the packet (the outermost frame's). */
static void copy_macs(struct nc_flow_pkt *fp, const struct nc_pkt_ctx *c)
{
    if (c->has_mac) {
        fp->has_mac = true;
        fp->has_dst_mac = c->has_dst_mac;
        memcpy(fp->src_mac, c->src_mac, 6);
        memcpy(fp->dst_mac, c->dst_mac, 6);
    }
}

void nc_flow_pkt_from_ctx(struct nc_flow_pkt *fp, const struct nc_pkt *pkt)
{
    const struct nc_pkt_ctx *c = &pkt->ctx;
    memset(fp, 0, sizeof(*fp));
    fp->ts = pkt->ts;
    fp->wirelen = pkt->wirelen;
    if (c->ip_ver != 4 && c->ip_ver != 6) {
        return;
    }
    fp->valid = true;
    fp->ver = c->ip_ver;
    fp->proto = c->ip_proto;
    memcpy(fp->src_ip, c->src_ip, 16);
    memcpy(fp->dst_ip, c->dst_ip, 16);
    if (c->has_ports) {
        fp->has_ports = true;
        fp->src_port = fp->key_sport = c->src_port;
        fp->dst_port = fp->key_dport = c->dst_port;
        fp->tcp_flags = c->tcp_flags;
        fp->tcp_window = c->tcp_window;
    } else if (c->has_icmp) {
        fp->src_port = c->icmp_type;
        fp->dst_port = c->icmp_code;
        icmp_ports(c->ip_ver, c->icmp_type, c->icmp_code, &fp->key_sport, &fp->key_dport,
                &fp->one_way);
    }
    fp->payload = c->l4_payload;
    fp->ip_len = c->ip_len;
    fp->count = 1;
    if (c->ip_proto == 6 && c->has_ports) {
        fp->tcp_seq = c->tcp_seq;
        fp->tcp_ack = c->tcp_ack;
        fp->data = c->l4_data;
        fp->caplen = c->l4_caplen;
    }
    if (c->is_fragment) {
        fp->is_fragment = true;
        fp->frag_first = c->frag_first;
        fp->frag_id = c->frag_id;
        fp->frag_offset = c->frag_offset;
        fp->frag_more = c->frag_more;
        fp->frag_cut = c->frag_cut;
        fp->frag_data = c->frag_data;
        fp->frag_len = c->frag_len;
        fp->payload = c->ip_left;
    }
    copy_macs(fp, c);
    /* a tunnel without an inner IP header: the packet counts in its
     * carrier's flow (zone, depth, parent below) under the carrier's names
     * (not the inner frame's link layer; VXLAN as the application, as for
     * the carrier's other packets) */
    memcpy(fp->proto_name, in_outer_carrier(c) ? c->carrier.proto_name : c->proto,
            sizeof(fp->proto_name));
    fp->zone = c->tunnel_open ? c->carrier_zone : c->zone;
    fp->tunnel_depth = c->tunnel_open ? c->carrier_depth : c->tunnel_depth;
    const char *parent = c->tunnel_open ? c->carrier_parent : c->tunnel_parent;
    if (fp->tunnel_depth && parent) {
        snprintf(fp->tunnel_parent, sizeof(fp->tunnel_parent), "%s", parent);
    }
    make_key(fp, &fp->key, &fp->pkt_is_a);
    fp->hash = key_hash(&fp->key, run_seed);
}

bool nc_flow_pkt_from_carrier(struct nc_flow_pkt *fp, const struct nc_pkt *pkt)
{
    const struct nc_pkt_ctx *c = &pkt->ctx;
    const struct nc_pkt_carrier *k = &c->carrier;
    if (!k->valid || in_outer_carrier(c)) {
        /* not tunnelled, or the packet's own flow already is the carrier's
         * (the usual case: only valid is set, the rest is not read) */
        fp->valid = false;
        return false;
    }
    memset(fp, 0, sizeof(*fp));
    fp->ts = pkt->ts;
    fp->wirelen = pkt->wirelen;
    fp->valid = true;
    fp->ver = k->ver;
    fp->proto = k->proto;
    memcpy(fp->src_ip, k->src_ip, 16);
    memcpy(fp->dst_ip, k->dst_ip, 16);
    if (k->has_ports) {
        fp->has_ports = true;
        fp->src_port = fp->key_sport = k->src_port;
        fp->dst_port = fp->key_dport = k->dst_port;
        fp->tcp_flags = k->tcp_flags;
        fp->tcp_window = k->tcp_window;
    }
    fp->payload = k->payload;
    fp->ip_len = k->ip_len;
    fp->count = 1;
    /* no tcp_seq/data: a tunnel over TCP is counted, not reassembled */
    copy_macs(fp, c);
    memcpy(fp->proto_name, k->proto_name, sizeof(fp->proto_name));
    fp->zone = k->zone;
    make_key(fp, &fp->key, &fp->pkt_is_a);
    fp->hash = key_hash(&fp->key, run_seed);
    return true;
}

uint32_t nc_flow_shard(const struct nc_flow_pkt *fp, uint32_t n_shards)
{
    uint64_t h = nc_mix64(nc_hash_addr_pair(fp->src_ip, fp->dst_ip) ^ fp->ver ^ fp->zone);
    return (uint32_t)(h % n_shards);
}

void nc_flow_pkt_rekey(struct nc_flow_pkt *fp)
{
    make_key(fp, &fp->key, &fp->pkt_is_a);
    fp->hash = key_hash(&fp->key, run_seed);
}

/* ------------------------------------------------------------------ lists */

static void list_remove(struct nc_flow_table *t, struct flow_list *l, uint32_t i)
{
    struct flow *f = &t->pool[i];
    if (f->prev) {
        t->pool[f->prev].next = f->next;
    } else {
        l->head = f->next;
    }
    if (f->next) {
        t->pool[f->next].prev = f->prev;
    } else {
        l->tail = f->prev;
    }
    f->prev = f->next = 0;
}

static void list_append(struct nc_flow_table *t, struct flow_list *l, uint32_t i)
{
    struct flow *f = &t->pool[i];
    f->prev = l->tail;
    f->next = 0;
    if (l->tail) {
        t->pool[l->tail].next = i;
    } else {
        l->head = i;
    }
    l->tail = i;
}

/* ------------------------------------------------------------------ table */

struct nc_flow_table *nc_flow_table_new(
        size_t max_flows, int64_t timeout_ns, nc_flow_emit_fn *emit, void *emit_ctx)
{
    if (max_flows < 1 || max_flows > (1u << 30)) {
        return NULL;
    }
    struct nc_flow_table *t = nc_calloc(1, sizeof(*t));
    if (!t) {
        return NULL;
    }
    t->max = (uint32_t)max_flows;
    uint64_t nb = 1024;
    while (nb < 2 * (uint64_t)max_flows && nb < (1ULL << 31)) {
        nb *= 2;
    }
    t->mask = nb - 1;
    /* calloc: pages are only touched as flows are created */
    t->pool = nc_calloc(max_flows + 1, sizeof(struct flow));
    t->buckets = nc_calloc(nb, sizeof(uint32_t));
    if (!t->pool || !t->buckets) {
        nc_flow_table_free(t);
        return NULL;
    }
    t->next_fresh = 1;
    t->timeout = timeout_ns;
    t->now = INT64_MIN;
    t->emit = emit;
    t->emit_ctx = emit_ctx;
    return t;
}

size_t nc_flow_table_bytes_per_flow(const struct nc_feat_cfg *cfg)
{
    return sizeof(struct flow) + 2 * sizeof(uint32_t) + (cfg ? nc_feat_bytes(cfg) : 0);
}

int nc_flow_table_set_features(struct nc_flow_table *t, const struct nc_feat_cfg *cfg)
{
    t->feat_stride = nc_feat_bytes(cfg);
    /* calloc: pages are only touched as flows are created */
    t->feat = nc_calloc((size_t)t->max + 1, t->feat_stride);
    if (!t->feat) {
        return NC_ENOMEM;
    }
    t->feat_cfg = cfg;
    return NC_OK;
}

void nc_flow_table_free(struct nc_flow_table *t)
{
    if (!t) {
        return;
    }
    if (t->streams) {
        /* a run cut short (an error) leaves streams open: free them
         * without writing what they hold (the output may be gone) */
        t->streams->discard = true;
        for (uint32_t i = 1; i < t->next_fresh && t->pool; i++) {
            if (t->pool[i].stream) {
                nc_stream_close(t->pool[i].stream, t->now, NULL);
                t->pool[i].stream = NULL;
            }
        }
    }
    nc_free(t->pool);
    nc_free(t->buckets);
    nc_free(t->order);
    nc_free(t->feat);
    nc_free(t);
}

const struct nc_flow_stats *nc_flow_table_stats(const struct nc_flow_table *t)
{
    return &t->st;
}

static char *or_empty(const char *s)
{
    return (char *)(uintptr_t)(s ? s : "");
}

/* Stable id: the key and the first packet's number, hashed, in base32. */
static void make_uid(char out[16], uint64_t hash, uint64_t first_index)
{
    static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
    uint64_t h = nc_mix64(hash ^ nc_mix64(first_index + 1));
    out[0] = 'C';
    for (int i = 1; i < 14; i++) {
        out[i] = b32[h & 31];
        h >>= 5;
    }
    out[14] = '\0';
}

void nc_flow_conn_record(
        const struct nc_flow_conn *f, Netcap__Connection *c, struct nc_flow_conn_text *txt)
{
    nc_fmt_ip(txt->c_ip, f->ver, f->c_ip);
    nc_fmt_ip(txt->s_ip, f->ver, f->s_ip);
    txt->c_mac[0] = txt->s_mac[0] = '\0';
    if (f->has_c_mac) {
        nc_fmt_mac(txt->c_mac, f->c_mac);
    }
    if (f->has_s_mac) {
        nc_fmt_mac(txt->s_mac, f->s_mac);
    }
    /* from the key, whose ports are the ICMP equivalents; the hash orders itself */
    nc_community_id(txt->cid, sizeof(txt->cid), f->ver, f->proto, f->key_a, f->key_b, f->key_pa,
            f->key_pb, f->one_way);
    make_uid(txt->uid, f->hash, f->first_index);

    protobuf_c_message_init(&netcap__connection__descriptor, c);
    c->timestamp_first = f->first_ts;
    c->timestamp_last = f->last_ts;
    c->duration = nc_sat_sub(f->last_ts, f->first_ts);
    c->link_proto = or_empty(f->proto_name[NC_LAYER_LINK]);
    c->network_proto = or_empty(f->proto_name[NC_LAYER_NETWORK]);
    c->transport_proto = or_empty(f->proto_name[NC_LAYER_TRANSPORT]);
    c->application_proto = or_empty(f->proto_name[NC_LAYER_APP]);
    c->src_mac = txt->c_mac;
    c->dst_mac = txt->s_mac;
    c->src_ip = txt->c_ip;
    c->dst_ip = txt->s_ip;
    c->src_port = f->c_port;
    c->dst_port = f->s_port;
    c->tunnel_depth = f->tunnel_depth;
    memcpy(txt->tunnel_parent, f->tunnel_parent, sizeof(txt->tunnel_parent));
    c->tunnel_parent = txt->tunnel_parent;
    c->num_packets = (int64_t)(f->pkts[0] + f->pkts[1]);
    c->total_size = (int64_t)(f->bytes[0] + f->bytes[1]);
    c->app_payload_size = (int64_t)(f->payload[0] + f->payload[1]);
    c->bytes_client_to_server = (int64_t)f->bytes[0];
    c->bytes_server_to_client = (int64_t)f->bytes[1];
    c->packets_client_to_server = (int64_t)f->pkts[0];
    c->packets_server_to_client = (int64_t)f->pkts[1];
    c->payload_client_to_server = (int64_t)f->payload[0];
    c->payload_server_to_client = (int64_t)f->payload[1];
    c->num_fin_flags = (int32_t)f->flags[0];
    c->num_syn_flags = (int32_t)f->flags[1];
    c->num_rst_flags = (int32_t)f->flags[2];
    c->num_psh_flags = (int32_t)f->flags[3];
    c->num_ack_flags = (int32_t)f->flags[4];
    c->num_urg_flags = (int32_t)f->flags[5];
    c->num_ece_flags = (int32_t)f->flags[6];
    c->num_cwr_flags = (int32_t)f->flags[7];
    c->num_ns_flags = (int32_t)f->flags[8];
    c->mean_window_size = f->win_n ? (int32_t)(f->win_sum / f->win_n) : 0;
    c->uid = txt->uid;
    c->community_id = txt->cid;
    c->ip_protocol = f->proto;
    c->end_reason = or_empty(f->end_reason);
    c->missed_bytes = (int64_t)f->missed_bytes;
    c->overlap_conflicts = (int32_t)f->conflicts;
}

static void emit_flow(struct nc_flow_table *t, struct flow *f, const char *reason)
{
    struct nc_flow_conn c;
    c.ver = f->key.ver;
    c.proto = f->key.proto;
    c.one_way = f->one_way;
    c.has_c_mac = f->has_c_mac;
    c.has_s_mac = f->has_s_mac;
    memcpy(c.c_ip, f->c_ip, 16);
    memcpy(c.s_ip, f->s_ip, 16);
    c.c_port = f->c_port;
    c.s_port = f->s_port;
    memcpy(c.key_a, f->key.a, 16);
    memcpy(c.key_b, f->key.b, 16);
    c.key_pa = f->key.pa;
    c.key_pb = f->key.pb;
    memcpy(c.c_mac, f->c_mac, 6);
    memcpy(c.s_mac, f->s_mac, 6);
    c.hash = f->uid_hash;
    c.first_index = f->first_index;
    c.first_ts = f->first_ts;
    c.last_ts = f->last_ts;
    memcpy(c.pkts, f->pkts, sizeof(c.pkts));
    memcpy(c.bytes, f->bytes, sizeof(c.bytes));
    memcpy(c.payload, f->payload, sizeof(c.payload));
    memcpy(c.flags, f->flags, sizeof(c.flags));
    c.win_sum = f->win_sum;
    c.win_n = f->win_n;
    memcpy(c.proto_name, f->proto_name, sizeof(c.proto_name));
    c.end_reason = reason;
    c.missed_bytes = f->missed_bytes;
    c.conflicts = f->conflicts;
    c.eof = t->flushing;
    c.feat = t->feat ? flow_feat(t, (uint32_t)(f - t->pool)) : NULL;
    c.tunnel_depth = f->tunnel_depth;
    memcpy(c.tunnel_parent, f->tunnel_parent, sizeof(c.tunnel_parent));
    if (t->emit) {
        t->emit(t->emit_ctx, &c);
    }
    t->st.written++;
}

static void unlink_bucket(struct nc_flow_table *t, uint32_t i)
{
    struct flow *f = &t->pool[i];
    uint32_t *pp = &t->buckets[f->hash & t->mask];
    while (*pp && *pp != i) {
        pp = &t->pool[*pp].hnext;
    }
    if (*pp == i) {
        *pp = f->hnext;
    }
}

/* Reassembly of this flow is over: keep the figures, free the stream. */
static void stream_end(struct nc_flow_table *t, struct flow *f, int64_t ts)
{
    if (!f->stream) {
        return;
    }
    struct nc_stream_result res;
    nc_stream_close(f->stream, ts, &res);
    f->stream = NULL;
    f->stream_done = true;
    f->missed_bytes = res.missed_bytes;
    f->conflicts = (uint32_t)res.conflicts;
    if (res.app) {
        f->proto_name[NC_LAYER_APP] = res.app;
    }
    NC_UNUSED(t);
}

/* Write the flow and return its slot to the free list. */
static void finish(struct nc_flow_table *t, uint32_t i, const char *reason)
{
    struct flow *f = &t->pool[i];
    if (f->stream) {
        if (t->flushing && t->streams) {
            t->streams->index = f->first_index; /* records at the end: in first-packet order */
        }
        stream_end(t, f, f->last_ts);
    }
    emit_flow(t, f, f->end_reason ? f->end_reason : reason);
    list_remove(t, f->closing ? &t->closing : &t->active, i);
    unlink_bucket(t, i);
    f->hnext = t->free_head;
    t->free_head = i;
    t->n_used--;
}

static void expire(struct nc_flow_table *t)
{
    while (t->closing.head &&
            t->pool[t->closing.head].close_ts <= nc_sat_sub(t->now, NC_FLOW_LINGER_NS)) {
        finish(t, t->closing.head, "fin");
        t->st.closed++;
    }
    while (t->active.head && t->pool[t->active.head].last_ts <= nc_sat_sub(t->now, t->timeout)) {
        finish(t, t->active.head, "timeout");
        t->st.timeouts++;
    }
}

static uint32_t alloc_slot(struct nc_flow_table *t)
{
    if (t->n_used >= t->max) {
        /* full: the least recently active flow goes first, then closing ones */
        uint32_t victim = t->active.head ? t->active.head : t->closing.head;
        finish(t, victim, "evicted");
        t->st.evicted++;
    }
    uint32_t i;
    if (t->free_head) {
        i = t->free_head;
        t->free_head = t->pool[i].hnext;
    } else {
        i = t->next_fresh++;
    }
    t->n_used++;
    if (t->n_used > t->st.peak) {
        t->st.peak = t->n_used;
    }
    return i;
}

size_t nc_flow_table_longest_chain(const struct nc_flow_table *t)
{
    size_t best = 0;
    for (uint64_t b = 0; b <= t->mask; b++) {
        size_t n = 0;
        for (uint32_t i = t->buckets[b]; i; i = t->pool[i].hnext) {
            n++;
        }
        best = n > best ? n : best;
    }
    return best;
}

void nc_flow_table_prefetch_bucket(const struct nc_flow_table *t, uint64_t hash)
{
    __builtin_prefetch(&t->buckets[hash & t->mask]);
}

void nc_flow_table_prefetch_flow(const struct nc_flow_table *t, uint64_t hash)
{
    uint32_t i = t->buckets[hash & t->mask];
    if (i) {
        __builtin_prefetch(&t->pool[i]);
    }
}

static inline bool key_eq(const struct flow_key *x, const struct flow_key *y)
{
    uint64_t a[5], b[5];
    memcpy(a, x, sizeof(a));
    memcpy(b, y, sizeof(b));
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0;
}

/* Each side's MAC from the first packet that shows it: the sender's from
 * any link layer, the receiver's only where the frame names it (Linux
 * cooked captures carry the sender's address alone). */
static void learn_macs(struct flow *f, const struct nc_flow_pkt *fp, int dir)
{
    if (!fp->has_mac) {
        return;
    }
    uint8_t *sender = dir == 0 ? f->c_mac : f->s_mac;
    uint8_t *receiver = dir == 0 ? f->s_mac : f->c_mac;
    bool *has_sender = dir == 0 ? &f->has_c_mac : &f->has_s_mac;
    bool *has_receiver = dir == 0 ? &f->has_s_mac : &f->has_c_mac;
    if (!*has_sender) {
        memcpy(sender, fp->src_mac, 6);
        *has_sender = true;
    }
    if (!*has_receiver && fp->has_dst_mac) {
        memcpy(receiver, fp->dst_mac, 6);
        *has_receiver = true;
    }
}

static uint32_t find(struct nc_flow_table *t, const struct flow_key *k, uint64_t hash)
{
    uint32_t i = t->buckets[hash & t->mask];
    while (i) {
        struct flow *f = &t->pool[i];
        if (f->hash == hash && key_eq(&f->key, k)) {
            return i;
        }
        i = f->hnext;
    }
    return 0;
}

static uint32_t create(struct nc_flow_table *t, const struct nc_flow_pkt *fp,
        const struct flow_key *k, bool pkt_is_a, uint64_t index)
{
    uint32_t i = alloc_slot(t);
    struct flow *f = &t->pool[i];
    memset(f, 0, sizeof(*f));
    f->key = *k;
    f->hash = fp->hash;
    f->uid_hash = key_hash(k, 0);
    f->one_way = fp->one_way;
    f->first_index = index;
    f->first_ts = f->last_ts = fp->ts;
    f->tunnel_depth = fp->tunnel_depth;
    if (fp->tunnel_depth) {
        memcpy(f->tunnel_parent, fp->tunnel_parent, sizeof(f->tunnel_parent));
    }
    /* the sender of the first packet is the client, unless it answers a SYN */
    bool synack = fp->proto == 6 && fp->has_ports &&
                  (fp->tcp_flags & (NC_TCP_SYN | NC_TCP_ACK)) == (NC_TCP_SYN | NC_TCP_ACK);
    bool pkt_is_client = !synack;
    f->client_is_a = pkt_is_client ? pkt_is_a : !pkt_is_a;
    size_t alen = fp->ver == 4 ? 4 : 16;
    const uint8_t *cip = pkt_is_client ? fp->src_ip : fp->dst_ip;
    const uint8_t *sip = pkt_is_client ? fp->dst_ip : fp->src_ip;
    memcpy(f->c_ip, cip, alen);
    memcpy(f->s_ip, sip, alen);
    f->c_port = pkt_is_client ? fp->src_port : fp->dst_port;
    f->s_port = pkt_is_client ? fp->dst_port : fp->src_port;

    uint32_t *b = &t->buckets[fp->hash & t->mask];
    f->hnext = *b;
    *b = i;
    list_append(t, &t->active, i);
    if (t->feat) {
        nc_feat_init(flow_feat(t, i));
    }
    t->st.created++;
    return i;
}

void nc_flow_table_set_streams(struct nc_flow_table *t, struct nc_stream_env *env)
{
    t->streams = env;
}

void nc_flow_table_advance(struct nc_flow_table *t, int64_t now)
{
    if (now > t->now) {
        t->now = now;
        expire(t);
    }
}

/* Hand a TCP segment to the flow's stream (created with its first segment). */
static void stream_segment(
        struct nc_flow_table *t, struct flow *f, const struct nc_flow_pkt *fp, int dir)
{
    if (!f->stream && fp->caplen == 0) {
        /* no bytes yet: a stream costs memory, so only remember where
         * each direction starts (SYN-only flows, scans, never get one) */
        if (fp->tcp_flags & NC_TCP_SYN) {
            f->syn_seen |= (uint8_t)(1u << dir);
            f->syn_seq[dir] = fp->tcp_seq;
        }
        return;
    }
    if (!f->stream) {
        struct nc_stream_id id;
        char uid[16];
        make_uid(uid, f->uid_hash, f->first_index);
        id.ver = f->key.ver;
        memcpy(id.c_ip, f->c_ip, 16);
        memcpy(id.s_ip, f->s_ip, 16);
        id.c_port = f->c_port;
        id.s_port = f->s_port;
        id.uid = uid;
        id.has_c_mac = f->has_c_mac;
        id.has_s_mac = f->has_s_mac;
        memcpy(id.c_mac, f->c_mac, 6);
        memcpy(id.s_mac, f->s_mac, 6);
        id.tunnel_depth = f->tunnel_depth;
        id.tunnel_parent = f->tunnel_parent;
        f->stream = nc_stream_new(t->streams, &id);
        if (!f->stream) {
            f->stream_done = true;
            return;
        }
        for (int d = 0; d < 2; d++) {
            if (f->syn_seen & (1u << d)) {
                nc_stream_segment(f->stream, d, f->syn_seq[d], 0, NC_TCP_SYN, NULL, 0, fp->ts);
            }
        }
    }
    nc_stream_segment(
            f->stream, dir, fp->tcp_seq, fp->tcp_ack, fp->tcp_flags, fp->data, fp->caplen, fp->ts);
    /* the figures (protocol, missed bytes, conflicts) are taken once, when
     * the stream ends: always before the connection is written */
    if (!nc_stream_active(f->stream)) {
        stream_end(t, f, fp->ts);
    }
}

void nc_flow_table_update(struct nc_flow_table *t, const struct nc_flow_pkt *fp, uint64_t index)
{
    if (fp->ts > t->now) {
        t->now = fp->ts;
        expire(t);
    }
    if (!fp->valid) {
        return;
    }
    const struct flow_key *k = &fp->key;
    bool pkt_is_a = fp->pkt_is_a;
    uint32_t i = find(t, k, fp->hash);
    bool syn_only = fp->proto == 6 && fp->has_ports &&
                    (fp->tcp_flags & (NC_TCP_SYN | NC_TCP_ACK)) == NC_TCP_SYN;
    if (i && t->pool[i].closing && syn_only) {
        /* a new connection reuses the 5-tuple of one that just closed */
        finish(t, i, "fin");
        t->st.closed++;
        i = 0;
    }
    if (i && !t->pool[i].closing && nc_sat_sub(fp->ts, t->pool[i].last_ts) > t->timeout) {
        /* idle too long by its own clock: when capture time has gone
         * backwards the sweep in expire() has not seen it yet */
        finish(t, i, "timeout");
        t->st.timeouts++;
        i = 0;
    }
    if (!i) {
        i = create(t, fp, k, pkt_is_a, index);
    }
    struct flow *f = &t->pool[i];
    int dir = (pkt_is_a == f->client_is_a) ? 0 : 1;
    learn_macs(f, fp, dir);
    f->pkts[dir] += fp->count ? fp->count : 1;
    f->bytes[dir] += fp->wirelen;
    f->payload[dir] += fp->payload;
    if (fp->ts > f->last_ts) {
        f->last_ts = fp->ts;
    }
    for (int b = 0; b < 9; b++) {
        if (fp->tcp_flags & (1u << b)) {
            f->flags[b]++;
        }
    }
    bool tcp = fp->proto == 6 && fp->has_ports;
    if (tcp) {
        f->win_sum += fp->tcp_window;
        f->win_n++;
    }
    if (t->feat) {
        struct nc_feat_pkt p = { .ts = fp->ts,
            .ip_len = fp->ip_len,
            .payload = fp->payload,
            .tcp_flags = fp->tcp_flags,
            .tcp_window = fp->tcp_window,
            .tcp = tcp,
            .dir = dir };
        nc_feat_packet(flow_feat(t, i), t->feat_cfg, &p);
    }
    for (int l = 0; l < NC_LAYER_COUNT; l++) {
        if (fp->proto_name[l]) {
            f->proto_name[l] = fp->proto_name[l];
        }
    }
    if (t->streams && !f->stream_done && fp->proto == 6 && fp->has_ports) {
        stream_segment(t, f, fp, dir);
    }
    if (f->closing) {
        return; /* stays in the closing list; its linger runs from the close */
    }
    if (fp->tcp_flags & NC_TCP_FIN) {
        if (pkt_is_a) {
            f->fin_a = true;
        } else {
            f->fin_b = true;
        }
    }
    bool rst = (fp->tcp_flags & NC_TCP_RST) != 0;
    if (rst || (f->fin_a && f->fin_b)) {
        stream_end(t, f, fp->ts); /* what is held is delivered now, gaps reported */
        f->closing = true;
        f->close_ts = fp->ts;
        f->end_reason = rst ? "rst" : "fin";
        list_remove(t, &t->active, i);
        list_append(t, &t->closing, i);
        return;
    }
    /* most recently active goes last */
    if (t->active.tail != i) {
        list_remove(t, &t->active, i);
        list_append(t, &t->active, i);
    }
}

static int by_first_index(const void *a, const void *b)
{
    const struct flow *fa = *(const struct flow *const *)a;
    const struct flow *fb = *(const struct flow *const *)b;
    return (fa->first_index > fb->first_index) - (fa->first_index < fb->first_index);
}

/* End of input: every remaining flow, sorted once by first packet. */
static void flush_prepare(struct nc_flow_table *t)
{
    if (t->flushing) {
        return;
    }
    t->flushing = true;
    if (t->n_used == 0) {
        return;
    }
    struct flow **all = nc_malloc((size_t)t->n_used * sizeof(*all));
    if (!all) {
        return; /* written oldest activity first instead (flush_upto) */
    }
    size_t n = 0;
    for (uint32_t l = 0; l < 2; l++) {
        const struct flow_list *list = l ? &t->closing : &t->active;
        for (uint32_t i = list->head; i; i = t->pool[i].next) {
            all[n++] = &t->pool[i];
        }
    }
    qsort(all, n, sizeof(*all), by_first_index);
    t->order = all;
    t->n_order = n;
    t->next_order = 0;
}

void nc_flow_table_flush_upto(struct nc_flow_table *t, uint64_t limit)
{
    flush_prepare(t);
    if (t->order) {
        while (t->next_order < t->n_order && t->order[t->next_order]->first_index < limit) {
            finish(t, (uint32_t)(t->order[t->next_order++] - t->pool), "eof");
        }
        if (t->next_order == t->n_order) {
            nc_free(t->order);
            t->order = NULL;
        }
        return;
    }
    /* out of memory for the sort: still write everything */
    while (t->closing.head) {
        finish(t, t->closing.head, "eof");
    }
    while (t->active.head) {
        finish(t, t->active.head, "eof");
    }
}

uint64_t nc_flow_table_next_first(struct nc_flow_table *t)
{
    flush_prepare(t);
    if (t->order) {
        return t->next_order < t->n_order ? t->order[t->next_order]->first_index : UINT64_MAX;
    }
    return t->n_used ? 0 : UINT64_MAX;
}

void nc_flow_table_flush(struct nc_flow_table *t)
{
    nc_flow_table_flush_upto(t, UINT64_MAX);
}
