/*
 * summary: the stateful stage of one shard (see shard.h): fragments into
 *          datagrams, packets into connections, TCP segments into streams.
 */
#include "pipeline/shard.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

enum {
    SHARD_ARENA_CAP = 4 << 20, /* records of one reassembled datagram */
};

/* A finished connection: its record, tagged with the packet that ended it,
 * or at end of input with its first packet (so the file lists them in
 * first-packet order across shards). */
static void conn_emit(void *ctx, const struct nc_flow_conn *c)
{
    struct nc_shard *sh = ctx;
    bool want_feat = sh->cfg->want_features && c->feat;
    if (!sh->cfg->want_conn && !want_feat) {
        return;
    }
    Netcap__Connection rec;
    struct nc_flow_conn_text txt;
    nc_flow_conn_record(c, &rec, &txt);
    uint64_t tag = c->eof ? c->first_index : sh->index;
    if (sh->cfg->want_conn && nc_recout_add(sh->out, NC_REC_Connection, tag, &rec.base) != NC_OK) {
        sh->conn_lost++;
    }
    if (want_feat) {
        /* the same tag as the Connection: written exactly when it is */
        Netcap__ConnectionFeatures fr;
        struct nc_feat_text ft;
        nc_feat_record(c->feat, &sh->cfg->feat, c->first_ts, c->last_ts, &fr, &ft);
        fr.uid = rec.uid;
        fr.src_ip = rec.src_ip;
        fr.src_port = rec.src_port;
        fr.dst_ip = rec.dst_ip;
        fr.dst_port = rec.dst_port;
        fr.ip_protocol = rec.ip_protocol;
        fr.end_reason = rec.end_reason;
        fr.tunnel_depth = rec.tunnel_depth;
        fr.tunnel_parent = rec.tunnel_parent;
        if (nc_recout_add(sh->out, NC_REC_ConnectionFeatures, tag, &fr.base) != NC_OK) {
            sh->conn_lost++;
        }
    }
}

/* IP total length of a reassembled datagram: its payload and the base
 * header (options and extension headers are not kept by reassembly). */
static uint32_t datagram_ip_len(const struct nc_defrag_datagram *dg)
{
    uint64_t n = (uint64_t)dg->len + (dg->ver == 4 ? 20u : 40u);
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Link-layer facts of a datagram, kept from its first fragment. */
struct link_facts {
    uint8_t src_mac[6], dst_mac[6];
    bool has_mac, has_dst_mac;
    uint8_t tunnel_depth;
    const char *link_proto, *net_proto;
    char tunnel_parent[NC_COMMUNITY_ID_LEN];
};
_Static_assert(sizeof(struct link_facts) <= NC_DEFRAG_LINK, "link facts fit the defrag blob");

/* The flow facts of a datagram: addresses from the fragments, link facts
 * from its first fragment. */
static void datagram_facts(
        struct nc_flow_pkt *fp, const struct nc_defrag_datagram *dg, struct link_facts *lf)
{
    fp->valid = true;
    fp->ver = dg->ver;
    fp->proto = dg->proto;
    memcpy(fp->src_ip, dg->src, 16);
    memcpy(fp->dst_ip, dg->dst, 16);
    fp->count = dg->n_frags;
    fp->wirelen = dg->wirebytes > UINT32_MAX ? UINT32_MAX : (uint32_t)dg->wirebytes;
    fp->ts = dg->last_ts;
    fp->zone = dg->zone;
    memset(lf, 0, sizeof(*lf));
    if (dg->has_link) {
        memcpy(lf, dg->link, sizeof(*lf));
        fp->tunnel_depth = lf->tunnel_depth;
        memcpy(fp->tunnel_parent, lf->tunnel_parent, sizeof(fp->tunnel_parent));
        fp->has_mac = lf->has_mac;
        fp->has_dst_mac = lf->has_dst_mac;
        memcpy(fp->src_mac, lf->src_mac, 6);
        memcpy(fp->dst_mac, lf->dst_mac, 6);
        fp->proto_name[NC_LAYER_LINK] = lf->link_proto;
        fp->proto_name[NC_LAYER_NETWORK] = lf->net_proto;
    }
}

/* A reassembled datagram is decoded as one packet from its transport
 * header on; its records are tagged with the packet that completed it. */
static void datagram_done(void *ctx, const struct nc_defrag_datagram *dg)
{
    struct nc_shard *sh = ctx;
    struct nc_pkt pkt;
    memset(&pkt, 0, offsetof(struct nc_pkt, rec_type));
    pkt.ts = dg->last_ts;
    pkt.wirelen = dg->wirebytes > UINT32_MAX ? UINT32_MAX : (uint32_t)dg->wirebytes;
    pkt.caplen = (uint32_t)dg->len;
    pkt.data = dg->data;
    pkt.arena = &sh->arena;
    pkt.opts = sh->cfg->opts;
    pkt.stats = &sh->dec;
    nc_pkt_set_ip(&pkt, dg->ver, dg->src, dg->dst);
    pkt.ctx.ip_proto = dg->proto;
    pkt.ctx.zone = dg->zone;
    struct nc_flow_pkt facts;
    memset(&facts, 0, sizeof(facts));
    struct link_facts lf;
    datagram_facts(&facts, dg, &lf);
    if (lf.tunnel_depth) {
        /* the tunnel the fragments came through, for the records' fields */
        pkt.ctx.tunnel_depth = lf.tunnel_depth;
        pkt.ctx.tunnel_parent = lf.tunnel_parent;
    }
    pkt.ctx.ip_fragments = (uint16_t)(dg->n_frags > UINT16_MAX ? UINT16_MAX : dg->n_frags);
    pkt.ctx.ip_frag_overlap = dg->overlap;
    nc_decode_payload(&pkt, NC_NS_IPPROTO, dg->proto, dg->data, dg->len);
    for (size_t r = 0; r < pkt.n_recs; r++) {
        if (nc_recout_add(sh->out, pkt.rec_type[r], sh->index, pkt.recs[r]) != NC_OK) {
            sh->dec.encode_limit++;
        }
    }
    struct nc_flow_pkt fp;
    nc_flow_pkt_from_ctx(&fp, &pkt);
    fp.count = facts.count;
    fp.wirelen = facts.wirelen;
    fp.ip_len = datagram_ip_len(dg);
    fp.tunnel_depth = facts.tunnel_depth;
    memcpy(fp.tunnel_parent, facts.tunnel_parent, sizeof(fp.tunnel_parent));
    fp.has_mac = facts.has_mac;
    fp.has_dst_mac = facts.has_dst_mac;
    memcpy(fp.src_mac, facts.src_mac, 6);
    memcpy(fp.dst_mac, facts.dst_mac, 6);
    for (int l = NC_LAYER_LINK; l <= NC_LAYER_NETWORK; l++) {
        if (!fp.proto_name[l]) {
            fp.proto_name[l] = facts.proto_name[l];
        }
    }
    nc_flow_table_update(sh->flows, &fp, sh->index);
    nc_arena_reset(&sh->arena);
}

/* A datagram given up: its fragments still count, in a connection without
 * ports (the transport header may never have arrived). */
static void datagram_lost(void *ctx, const struct nc_defrag_datagram *dg)
{
    struct nc_shard *sh = ctx;
    if (dg->n_frags == 0 || !sh->out) {
        return;
    }
    struct nc_flow_pkt fp;
    memset(&fp, 0, sizeof(fp));
    struct link_facts lf;
    datagram_facts(&fp, dg, &lf);
    fp.payload = (uint32_t)dg->len; /* bytes that arrived */
    fp.ip_len = datagram_ip_len(dg);
    nc_flow_pkt_rekey(&fp);
    nc_flow_table_update(sh->flows, &fp, sh->index);
}

int nc_shard_init(struct nc_shard *sh, uint32_t id, const struct nc_shard_cfg *cfg)
{
    memset(sh, 0, sizeof(*sh));
    sh->id = id;
    sh->cfg = cfg;
    nc_arena_init(&sh->arena, SHARD_ARENA_CAP);
    nc_arena_init(&sh->stream_arena, SHARD_ARENA_CAP);
    nc_budget_init(&sh->stream_budget, cfg->stream_budget);
    nc_budget_init(&sh->defrag_budget, cfg->defrag_budget);
    sh->flows = nc_flow_table_new(cfg->max_flows, cfg->conn_timeout_ns, conn_emit, sh);
    sh->defrag = nc_defrag_new(
            &cfg->defrag, &sh->defrag_budget, &sh->dstats, datagram_done, datagram_lost, sh);
    if (!sh->flows || !sh->defrag) {
        return NC_ENOMEM;
    }
    if (cfg->want_features && nc_flow_table_set_features(sh->flows, &cfg->feat) != NC_OK) {
        return NC_ENOMEM;
    }
    sh->senv.arena = &sh->stream_arena;
    sh->senv.opts = cfg->opts;
    sh->senv.budget = &sh->stream_budget;
    sh->senv.reasm = cfg->reasm;
    sh->senv.stats = &sh->sstats;
    nc_stream_env_parsers(&sh->senv);
    nc_flow_table_set_streams(sh->flows, &sh->senv);
    return NC_OK;
}

void nc_shard_fini(struct nc_shard *sh)
{
    if (sh->defrag) {
        /* nothing may reach the flow table any more */
        struct nc_defrag *d = sh->defrag;
        sh->defrag = NULL;
        sh->out = NULL;
        nc_defrag_free(d);
    }
    nc_flow_table_free(sh->flows);
    sh->flows = NULL;
    nc_arena_fini(&sh->arena);
    nc_arena_fini(&sh->stream_arena);
}

static void set_out(struct nc_shard *sh, struct nc_recout *out)
{
    sh->out = out;
    sh->senv.out = out;
}

static void set_index(struct nc_shard *sh, uint64_t index)
{
    sh->index = index;
    sh->senv.index = index;
}

static void fragment(struct nc_shard *sh, const struct nc_flow_pkt *fp)
{
    struct nc_defrag_frag f;
    memset(&f, 0, sizeof(f));
    f.ver = fp->ver;
    f.proto = fp->proto;
    f.id = fp->frag_id;
    f.zone = fp->zone;
    memcpy(f.src, fp->src_ip, 16);
    memcpy(f.dst, fp->dst_ip, 16);
    f.offset = fp->frag_offset;
    f.more = fp->frag_more;
    f.data = fp->frag_data;
    f.len = fp->frag_len;
    f.cut = fp->frag_cut;
    f.ts = fp->ts;
    f.wirelen = fp->wirelen;
    struct link_facts lf;
    memset(&lf, 0, sizeof(lf));
    memcpy(lf.src_mac, fp->src_mac, 6);
    memcpy(lf.dst_mac, fp->dst_mac, 6);
    lf.has_mac = fp->has_mac;
    lf.has_dst_mac = fp->has_dst_mac;
    lf.tunnel_depth = fp->tunnel_depth;
    if (fp->tunnel_depth) {
        memcpy(lf.tunnel_parent, fp->tunnel_parent, sizeof(lf.tunnel_parent));
    }
    lf.link_proto = fp->proto_name[NC_LAYER_LINK];
    lf.net_proto = fp->proto_name[NC_LAYER_NETWORK];
    uint8_t blob[NC_DEFRAG_LINK];
    memset(blob, 0, sizeof(blob));
    memcpy(blob, &lf, sizeof(lf));
    f.link = blob;
    nc_defrag_add(sh->defrag, &f);
}

void nc_shard_run(struct nc_shard *sh, struct nc_recout *out, const struct nc_flow_pkt *fps,
        uint32_t carrier_base, const uint32_t *pos, size_t n, const int64_t *now,
        uint64_t first_index, int64_t end_now, uint64_t last_index)
{
    /* prefetch distances: buckets far ahead, then the flows they point to
     * (the table is too big for the cache; this hides most misses) */
    enum {
        AHEAD_BUCKET = 16,
        AHEAD_FLOW = 8
    };
    set_out(sh, out);
    for (size_t j = 0; j < n; j++) {
        if (j + AHEAD_BUCKET < n && fps[pos[j + AHEAD_BUCKET]].valid) {
            nc_flow_table_prefetch_bucket(sh->flows, fps[pos[j + AHEAD_BUCKET]].hash);
        }
        if (j + AHEAD_FLOW < n && fps[pos[j + AHEAD_FLOW]].valid) {
            nc_flow_table_prefetch_flow(sh->flows, fps[pos[j + AHEAD_FLOW]].hash);
        }
        const struct nc_flow_pkt *fp = &fps[pos[j]];
        uint32_t i = pos[j] >= carrier_base ? pos[j] - carrier_base : pos[j]; /* the packet */
        set_index(sh, first_index + i);
        nc_defrag_expire(sh->defrag, now[i]);
        nc_flow_table_advance(sh->flows, now[i]);
        if (fp->is_fragment) {
            fragment(sh, fp);
        } else {
            nc_flow_table_update(sh->flows, fp, first_index + i);
        }
    }
    set_index(sh, last_index);
    nc_defrag_expire(sh->defrag, end_now);
    nc_flow_table_advance(sh->flows, end_now);
    set_out(sh, NULL);
}

void nc_shard_flush(struct nc_shard *sh, struct nc_recout *out, uint64_t last_index, uint64_t upto)
{
    set_out(sh, out);
    set_index(sh, last_index);
    if (!sh->defrag_flushed) {
        sh->defrag_flushed = true;
        nc_defrag_flush(sh->defrag);
    }
    nc_flow_table_flush_upto(sh->flows, upto);
    set_out(sh, NULL);
}

uint64_t nc_shard_next_flush(struct nc_shard *sh)
{
    return nc_flow_table_next_first(sh->flows);
}
