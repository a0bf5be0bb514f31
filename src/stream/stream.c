/*
 * summary: the stream stage (see stream.h): reassembly of both directions,
 *          parser choice, the feed loop with bounded buffering, and the
 *          record helpers parsers call (parser.h).
 */
#include "stream/stream.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"

static const struct nc_parser *const parsers[NC_PARSER_COUNT] = {
#define NC_PARSER(n) [NC_PARSER_##n] = &nc_parser_##n,
#include "proto/parsers.def"
#undef NC_PARSER
};

const struct nc_parser *nc_parser_by_id(enum nc_parser_id id)
{
    return (size_t)id < NC_PARSER_COUNT ? parsers[id] : NULL;
}

enum stream_state {
    S_PROBING = 0,
    S_ATTACHED,
    S_OFF, /* nothing more wanted */
};

/* Bytes kept for a direction: probe bytes, or what the parser did not
 * consume yet. Grows up to the parser's max_buffer (charged to the budget). */
struct hold {
    uint8_t *p;
    size_t len, alloc;
};

struct nc_stream {
    struct nc_stream_env *env;
    struct nc_stream_id id;
    char uid[24];
    char c_ip[NC_IP_STRLEN], s_ip[NC_IP_STRLEN];
    char c_mac[NC_MAC_STRLEN], s_mac[NC_MAC_STRLEN];
    char tunnel_parent[32];
    enum stream_state state;
    int parser;      /* attached parser id, -1 none */
    const char *app; /* display name of the first parser attached */
    bool handoff;    /* the parser called nc_stream_handoff() in this feed */
    void *pstate;
    uint32_t declined; /* bitmask of parsers that said no (NC_PARSER_COUNT <= 32) */
    struct nc_reasm_dir dir[2];
    struct hold hold[2];
    uint64_t missed[2];
    int dir_now; /* direction whose bytes are being delivered */
    /* record under construction */
    void *rec;
    enum nc_rec_type rec_type;
};

_Static_assert(NC_PARSER_COUNT <= 32, "declined mask is 32 bits");

/* ------------------------------------------------------------- env setup */

void nc_stream_env_parsers(struct nc_stream_env *env)
{
    for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
        const struct nc_parser *p = parsers[i];
        env->parser_on[i] = false;
        for (size_t r = 0; r < p->n_records; r++) {
            if (env->opts->want[p->records[r]]) {
                env->parser_on[i] = true;
            }
        }
    }
}

void nc_stream_stats_add(struct nc_stream_stats *d, const struct nc_stream_stats *s)
{
    d->streams += s->streams;
    for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
        d->attached[i] += s->attached[i];
        d->errors[i] += s->errors[i];
        d->overflow[i] += s->overflow[i];
        d->gap_off[i] += s->gap_off[i];
    }
    d->unidentified += s->unidentified;
    d->refused += s->refused;
    nc_counters_add((uint64_t *)(void *)&d->reasm, (const uint64_t *)(const void *)&s->reasm,
            sizeof(s->reasm) / sizeof(uint64_t));
}

/* ------------------------------------------------------------ hold bufs */

static void hold_free(struct nc_stream *s, struct hold *h)
{
    if (h->p) {
        nc_free(h->p);
        nc_budget_give(s->env->budget, h->alloc);
    }
    memset(h, 0, sizeof(*h));
}

/* Append n bytes, growing within cap; false if over cap or refused. */
static bool hold_append(struct nc_stream *s, struct hold *h, const uint8_t *p, size_t n, size_t cap)
{
    if (n > cap || h->len > cap - n) {
        return false;
    }
    if (h->len + n > h->alloc) {
        size_t na = h->alloc ? h->alloc : 256;
        while (na < h->len + n) {
            na *= 2;
        }
        if (na > cap) {
            na = cap;
        }
        if (!nc_budget_take(s->env->budget, na - h->alloc)) {
            return false;
        }
        uint8_t *q = nc_realloc(h->p, na);
        if (!q) {
            nc_budget_give(s->env->budget, na - h->alloc);
            return false;
        }
        h->p = q;
        h->alloc = na;
    }
    memcpy(h->p + h->len, p, n);
    h->len += n;
    return true;
}

static void hold_consume(struct hold *h, size_t n)
{
    if (n >= h->len) {
        h->len = 0;
        return;
    }
    memmove(h->p, h->p + n, h->len - n);
    h->len -= n;
}

/* --------------------------------------------------------------- parser */

static void detach(struct nc_stream *s, int64_t ts)
{
    if (s->state == S_ATTACHED) {
        const struct nc_parser *p = parsers[s->parser];
        s->state = S_OFF;
        p->close(s, s->pstate, ts);
        if (s->pstate) {
            nc_free(s->pstate);
            nc_budget_give(s->env->budget, p->state_size);
            s->pstate = NULL;
        }
    }
    s->state = S_OFF;
    hold_free(s, &s->hold[0]);
    hold_free(s, &s->hold[1]);
    nc_reasm_free(&s->dir[0], s->env->budget);
    nc_reasm_free(&s->dir[1], s->env->budget);
}

static bool attach(struct nc_stream *s, int id)
{
    const struct nc_parser *p = parsers[id];
    void *st = NULL;
    if (p->state_size) {
        if (!nc_budget_take(s->env->budget, p->state_size)) {
            return false;
        }
        st = nc_calloc(1, p->state_size);
        if (!st) {
            nc_budget_give(s->env->budget, p->state_size);
            return false;
        }
    }
    s->parser = id;
    s->pstate = st;
    s->state = S_ATTACHED;
    if (!s->app) {
        s->app = p->display;
    }
    if (s->env->stats) {
        s->env->stats->attached[id]++;
    }
    return true;
}

static void probe(struct nc_stream *s, int d, int64_t ts);

/* The parser handed the connection on (nc_stream_handoff) after consuming
 * used of the n bytes at p (p is the hold of direction d when that was in
 * use): close it and probe what is left of both directions. */
static void handoff(struct nc_stream *s, int d, const uint8_t *p, size_t n, size_t used, int64_t ts)
{
    const struct nc_parser *pr = parsers[s->parser];
    struct hold *h = &s->hold[d];
    s->handoff = false;
    bool kept = true;
    if (h->len) {
        hold_consume(h, used);
    } else if (used < n) {
        kept = hold_append(s, h, p + used, n - used, NC_MAX(pr->max_buffer, NC_STREAM_PROBE_MAX));
    }
    s->state = S_PROBING;
    pr->close(s, s->pstate, ts);
    if (s->pstate) {
        nc_free(s->pstate);
        nc_budget_give(s->env->budget, pr->state_size);
        s->pstate = NULL;
    }
    s->parser = -1;
    s->declined = 0;
    if (!kept) {
        if (s->env->stats) {
            s->env->stats->refused++;
        }
        detach(s, ts);
        return;
    }
    /* a probe that sees NC_STREAM_PROBE_MAX bytes or more decides, so a
     * direction left undecided holds fewer, as deliver() expects */
    for (int k = 0; k < 2 && s->state == S_PROBING; k++) {
        int dd = k ? !d : d;
        if (s->hold[dd].len) {
            probe(s, dd, ts);
        }
    }
}

/* Offer what direction d holds to the parser (and then n more bytes at p,
 * which are not copied unless the parser leaves some unconsumed). */
static void feed(struct nc_stream *s, int d, const uint8_t *p, size_t n, int64_t ts)
{
    const struct nc_parser *pr = parsers[s->parser];
    struct hold *h = &s->hold[d];
    s->dir_now = d;
    if (h->len) {
        if (!hold_append(s, h, p, n, pr->max_buffer)) {
            if (s->env->stats) {
                s->env->stats->overflow[s->parser]++;
            }
            detach(s, ts);
            return;
        }
        p = h->p;
        n = h->len;
    }
    long r = pr->feed(s, s->pstate, d, p, n, ts);
    if (s->state != S_ATTACHED) {
        return; /* the parser's own record helpers hit a fatal cap */
    }
    if (r == NC_PARSE_ERROR) {
        if (s->env->stats) {
            s->env->stats->errors[s->parser]++;
        }
        s->handoff = false;
        detach(s, ts);
        return;
    }
    if (r == NC_PARSE_DONE) {
        s->handoff = false;
        detach(s, ts);
        return;
    }
    size_t used = r < 0 ? 0 : (size_t)r > n ? n : (size_t)r;
    if (s->handoff) {
        handoff(s, d, p, n, used, ts);
        return;
    }
    if (h->len) {
        hold_consume(h, used);
    } else if (used < n) {
        if (!hold_append(s, h, p + used, n - used, pr->max_buffer)) {
            if (s->env->stats) {
                s->env->stats->overflow[s->parser]++;
            }
            detach(s, ts);
        }
    }
}

static void parser_gap(struct nc_stream *s, int d, uint64_t n, int64_t ts)
{
    const struct nc_parser *pr = parsers[s->parser];
    s->hold[d].len = 0;
    int r = pr->gap ? pr->gap(s, s->pstate, d, n, ts) : NC_PARSE_ERROR;
    if (r == NC_PARSE_ERROR) {
        if (s->env->stats) {
            s->env->stats->gap_off[s->parser]++;
        }
        detach(s, ts);
    } else if (r == NC_PARSE_DONE) {
        detach(s, ts);
    }
}

static bool port_claims(const struct nc_parser *p, uint16_t port)
{
    for (size_t i = 0; i < p->n_ports; i++) {
        if (p->ports[i] == port) {
            return true;
        }
    }
    return false;
}

/* Ask the parsers about the bytes held for direction d. */
static void probe(struct nc_stream *s, int d, int64_t ts)
{
    const uint8_t *p = s->hold[d].p;
    size_t n = s->hold[d].len;
    bool undecided = false;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < (int)NC_PARSER_COUNT; i++) {
            const struct nc_parser *pr = parsers[i];
            if (!s->env->parser_on[i] || (s->declined & (1u << i))) {
                continue;
            }
            /* the client's port too: a capture that starts with the
             * server's bytes makes the server the client */
            bool by_port = port_claims(pr, s->id.s_port) || port_claims(pr, s->id.c_port);
            if (by_port != (pass == 0)) {
                continue;
            }
            enum nc_probe v = pr->probe(p, n, d, by_port);
            if (v == NC_PROBE_YES) {
                if (!attach(s, i)) {
                    if (s->env->stats) {
                        s->env->stats->refused++;
                    }
                    detach(s, ts);
                    return;
                }
                /* the probed direction first, then what the other one holds */
                struct hold mine = s->hold[d];
                struct hold other = s->hold[!d];
                memset(&s->hold[d], 0, sizeof(s->hold[d]));
                memset(&s->hold[!d], 0, sizeof(s->hold[!d]));
                if (mine.len) {
                    feed(s, d, mine.p, mine.len, ts);
                }
                if (other.len && s->state == S_ATTACHED && s->parser == i) {
                    feed(s, !d, other.p, other.len, ts);
                }
                hold_free(s, &mine);
                hold_free(s, &other);
                return;
            }
            if (v == NC_PROBE_MORE && n < NC_STREAM_PROBE_MAX) {
                undecided = true;
            } else if (v == NC_PROBE_NO || n >= NC_STREAM_PROBE_MAX) {
                s->declined |= 1u << i;
            }
        }
    }
    if (!undecided) {
        bool any = false;
        for (int i = 0; i < (int)NC_PARSER_COUNT; i++) {
            if (s->env->parser_on[i] && !(s->declined & (1u << i))) {
                any = true;
            }
        }
        if (!any) {
            if (s->env->stats) {
                s->env->stats->unidentified++;
            }
            detach(s, ts);
        }
    }
}

/* Reassembled bytes of one direction (the reassembler's callback). */
static void deliver(void *ctx, const uint8_t *p, size_t n, uint64_t gap, int64_t ts)
{
    struct nc_stream *s = ctx;
    int d = s->dir_now;
    if (gap) {
        s->missed[d] += gap;
    }
    if (s->state == S_OFF) {
        return;
    }
    if (s->state == S_PROBING) {
        if (gap) {
            /* cannot probe across a hole: start over after it */
            hold_free(s, &s->hold[d]);
        }
        if (n == 0) {
            return;
        }
        size_t take = NC_MIN(n, (size_t)NC_STREAM_PROBE_MAX - s->hold[d].len);
        if (!hold_append(s, &s->hold[d], p, take, NC_STREAM_PROBE_MAX)) {
            if (s->env->stats) {
                s->env->stats->refused++;
            }
            detach(s, ts);
            return;
        }
        probe(s, d, ts);
        if (s->state == S_ATTACHED && take < n) {
            feed(s, d, p + take, n - take, ts);
        }
        return;
    }
    if (gap) {
        parser_gap(s, d, gap, ts);
        if (s->state != S_ATTACHED) {
            return;
        }
    }
    if (n) {
        feed(s, d, p, n, ts);
    }
}

/* ------------------------------------------------------------ lifecycle */

struct nc_stream *nc_stream_new(struct nc_stream_env *env, const struct nc_stream_id *id)
{
    bool any = false;
    for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
        any = any || env->parser_on[i];
    }
    if (!any) {
        return NULL;
    }
    if (!nc_budget_take(env->budget, sizeof(struct nc_stream))) {
        if (env->stats) {
            env->stats->refused++;
        }
        return NULL;
    }
    struct nc_stream *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        nc_budget_give(env->budget, sizeof(struct nc_stream));
        if (env->stats) {
            env->stats->refused++;
        }
        return NULL;
    }
    s->env = env;
    s->id = *id;
    snprintf(s->uid, sizeof(s->uid), "%s", id->uid ? id->uid : "");
    s->id.uid = s->uid;
    snprintf(s->tunnel_parent, sizeof(s->tunnel_parent), "%s",
            id->tunnel_parent ? id->tunnel_parent : "");
    s->id.tunnel_parent = s->tunnel_parent;
    nc_fmt_ip(s->c_ip, id->ver, id->c_ip);
    nc_fmt_ip(s->s_ip, id->ver, id->s_ip);
    if (id->has_c_mac) {
        nc_fmt_mac(s->c_mac, id->c_mac);
    }
    if (id->has_s_mac) {
        nc_fmt_mac(s->s_mac, id->s_mac);
    }
    s->parser = -1;
    nc_reasm_init(&s->dir[0]);
    nc_reasm_init(&s->dir[1]);
    if (env->stats) {
        env->stats->streams++;
    }
    return s;
}

void nc_stream_segment(struct nc_stream *s, int dir, uint32_t seq, uint32_t ack, uint16_t flags,
        const uint8_t *data, size_t len, int64_t ts)
{
    if (s->state == S_OFF) {
        return;
    }
    struct nc_reasm_env re = { &s->env->reasm, s->env->budget,
        s->env->stats ? &s->env->stats->reasm : NULL, deliver, s };
    struct nc_reasm_stats scratch;
    if (!re.stats) {
        memset(&scratch, 0, sizeof(scratch));
        re.stats = &scratch;
    }
    if ((flags & NC_TCP_ACK) && s->dir[!dir].segs) {
        /* what this side acknowledged of the other one: lost holes there */
        s->dir_now = !dir;
        nc_reasm_acked(&s->dir[!dir], &re, ack, ts);
        if (s->state == S_OFF) {
            return;
        }
    }
    s->dir_now = dir;
    nc_reasm_segment(&s->dir[dir], &re, seq, flags, data, len, ts);
}

bool nc_stream_active(const struct nc_stream *s)
{
    return s->state != S_OFF;
}

const char *nc_stream_app(const struct nc_stream *s)
{
    return s->app;
}

uint64_t nc_stream_conflicts(const struct nc_stream *s)
{
    return s->dir[0].conflicts + s->dir[1].conflicts;
}

void nc_stream_close(struct nc_stream *s, int64_t ts, struct nc_stream_result *res)
{
    if (!s) {
        return;
    }
    if (s->state != S_OFF) {
        struct nc_reasm_stats scratch;
        memset(&scratch, 0, sizeof(scratch));
        struct nc_reasm_env re = { &s->env->reasm, s->env->budget,
            s->env->stats ? &s->env->stats->reasm : &scratch, deliver, s };
        for (int d = 0; d < 2; d++) {
            s->dir_now = d;
            nc_reasm_close(&s->dir[d], &re, ts);
        }
    }
    detach(s, ts);
    if (res) {
        res->missed_bytes = s->missed[0] + s->missed[1];
        res->conflicts = nc_stream_conflicts(s);
        res->app = nc_stream_app(s);
    }
    struct nc_budget *b = s->env->budget;
    nc_free(s);
    nc_budget_give(b, sizeof(struct nc_stream));
}

/* ------------------------------------------------ helpers for parsers */

void *nc_stream_alloc(struct nc_stream *s, size_t n)
{
    return nc_arena_alloc(s->env->arena, n);
}

struct nc_arena *nc_stream_arena(struct nc_stream *s)
{
    return s->env->arena;
}

static char empty_str[1] = "";

char *nc_stream_str(struct nc_stream *s, const uint8_t *p, size_t n)
{
    if (nc_utf8_valid(p, n)) {
        char *r = nc_arena_strndup(s->env->arena, p, n);
        return r ? r : empty_str;
    }
    char *r = nc_arena_alloc(s->env->arena, 3 * n + 1);
    if (!r) {
        return empty_str;
    }
    nc_utf8_sanitize(r, p, n);
    return r;
}

char *nc_stream_strf(struct nc_stream *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return empty_str;
    }
    char *r = nc_arena_alloc(s->env->arena, (size_t)n + 1);
    if (!r) {
        return empty_str;
    }
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return r;
}

void *nc_stream_malloc(struct nc_stream *s, size_t n)
{
    if (!nc_budget_take(s->env->budget, n)) {
        return NULL;
    }
    void *p = nc_calloc(1, n);
    if (!p) {
        nc_budget_give(s->env->budget, n);
    }
    return p;
}

void nc_stream_free(struct nc_stream *s, void *p, size_t n)
{
    if (p) {
        nc_free(p);
        nc_budget_give(s->env->budget, n);
    }
}

uint16_t nc_stream_server_port(const struct nc_stream *s)
{
    return s->id.s_port;
}

uint16_t nc_stream_client_port(const struct nc_stream *s)
{
    return s->id.c_port;
}

void nc_stream_dir_off(struct nc_stream *s, bool gap)
{
    if (s->env->stats && s->parser >= 0) {
        if (gap) {
            s->env->stats->gap_off[s->parser]++;
        } else {
            s->env->stats->errors[s->parser]++;
        }
    }
}

uint64_t nc_stream_missed(const struct nc_stream *s, int dir)
{
    return s->missed[dir & 1];
}

bool nc_stream_want_payload(const struct nc_stream *s)
{
    return s->env->opts->payload;
}

void nc_stream_handoff(struct nc_stream *s)
{
    s->handoff = true;
}

void *nc_stream_record(struct nc_stream *s, enum nc_rec_type t, int dir, int64_t ts)
{
    if (!s->env->opts->want[t] || s->env->discard) {
        return NULL;
    }
    if (s->rec) {
        nc_arena_reset(s->env->arena); /* an earlier record was never emitted */
        s->rec = NULL;
    }
    const struct nc_rec_info *ri = nc_rec_info(t);
    uint8_t *m = nc_arena_alloc_raw(s->env->arena, ri->desc->sizeof_message); /* init overwrites */
    if (!m) {
        s->env->out->lost++;
        return NULL;
    }
    protobuf_c_message_init(ri->desc, m);
    bool from_client = dir == 0;
    if (ri->off_timestamp >= 0) {
        *(int64_t *)(void *)(m + ri->off_timestamp) = ts;
    }
    if (ri->off_src_ip >= 0 && ri->off_dst_ip >= 0) {
        *(const char **)(void *)(m + ri->off_src_ip) = from_client ? s->c_ip : s->s_ip;
        *(const char **)(void *)(m + ri->off_dst_ip) = from_client ? s->s_ip : s->c_ip;
    }
    if (ri->off_src_port >= 0 && ri->off_dst_port >= 0) {
        *(int32_t *)(void *)(m + ri->off_src_port) = from_client ? s->id.c_port : s->id.s_port;
        *(int32_t *)(void *)(m + ri->off_dst_port) = from_client ? s->id.s_port : s->id.c_port;
    }
    if (ri->off_src_mac >= 0 && ri->off_dst_mac >= 0) {
        *(const char **)(void *)(m + ri->off_src_mac) = from_client ? s->c_mac : s->s_mac;
        *(const char **)(void *)(m + ri->off_dst_mac) = from_client ? s->s_mac : s->c_mac;
    }
    if (ri->off_uid >= 0) {
        *(const char **)(void *)(m + ri->off_uid) = s->uid;
    }
    if (s->id.tunnel_depth) {
        if (ri->off_tunnel_depth >= 0) {
            int32_t d = s->id.tunnel_depth;
            memcpy(m + ri->off_tunnel_depth, &d, sizeof(d));
        }
        if (ri->off_tunnel_parent >= 0) {
            *(const char **)(void *)(m + ri->off_tunnel_parent) = s->tunnel_parent;
        }
    }
    s->rec = m;
    s->rec_type = t;
    return m;
}

void nc_stream_emit(struct nc_stream *s, void *rec)
{
    if (!rec || rec != s->rec) {
        return;
    }
    (void)nc_recout_add(s->env->out, s->rec_type, s->env->index, (const ProtobufCMessage *)rec);
    s->rec = NULL;
    nc_arena_reset(s->env->arena);
}

/* ------------------------------------------------------- test harness */

struct test_env {
    struct nc_stream_env env;
    struct nc_recout out;
    struct nc_arena arena;
    struct nc_decode_opts opts;
    struct nc_budget budget;
    struct nc_stream_stats stats;
    struct nc_dbuf json;
    bool closed;
    bool probing; /* every parser, chosen by the probes */
};

static struct test_env *test_env(const struct nc_stream *s)
{
    return (struct test_env *)(void *)s->env;
}

struct nc_stream *nc_stream_test_new(const struct nc_parser *p, uint64_t budget_cap)
{
    nc_record_init();
    struct test_env *te = nc_calloc(1, sizeof(*te));
    if (!te) {
        return NULL;
    }
    nc_recout_init(&te->out, NC_FORMAT_JSON, 256u << 20);
    nc_arena_init(&te->arena, 4u << 20);
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        te->opts.want[t] = true;
    }
    te->opts.payload = true;
    nc_budget_init(&te->budget, budget_cap);
    nc_dbuf_init(&te->json, 256u << 20);
    te->env.out = &te->out;
    te->env.arena = &te->arena;
    te->env.opts = &te->opts;
    te->env.budget = &te->budget;
    te->env.stats = &te->stats;
    te->env.reasm.depth = 0;
    te->env.reasm.conn_buf = 1u << 20;
    te->probing = p == NULL;
    for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
        te->env.parser_on[i] = p == NULL || parsers[i] == p;
    }
    struct nc_stream_id id;
    memset(&id, 0, sizeof(id));
    id.ver = 4;
    const uint8_t c[4] = { 192, 0, 2, 1 }, sv[4] = { 198, 51, 100, 2 };
    memcpy(id.c_ip, c, 4);
    memcpy(id.s_ip, sv, 4);
    id.c_port = 40000;
    id.s_port = p && p->n_ports ? p->ports[0] : 1;
    id.uid = "Ctest";
    struct nc_stream *s = nc_stream_new(&te->env, &id);
    if (!s) {
        nc_recout_fini(&te->out);
        nc_arena_fini(&te->arena);
        nc_dbuf_fini(&te->json);
        nc_free(te);
        return NULL;
    }
    for (int i = 0; i < (int)NC_PARSER_COUNT; i++) {
        if (parsers[i] == p && !attach(s, i)) {
            detach(s, 0);
        }
    }
    return s;
}

bool nc_stream_test_feed(struct nc_stream *s, int dir, const void *p, size_t n, int64_t ts)
{
    bool probing = test_env(s)->probing;
    if ((s->state == S_ATTACHED || (probing && s->state == S_PROBING)) && n) {
        s->dir_now = dir & 1;
        deliver(s, p, n, 0, ts); /* as reassembled bytes: probed, then fed */
    }
    return s->state == S_ATTACHED || (probing && s->state == S_PROBING);
}

bool nc_stream_test_gap(struct nc_stream *s, int dir, uint64_t n, int64_t ts)
{
    s->missed[dir & 1] += n;
    if (s->state == S_ATTACHED) {
        parser_gap(s, dir & 1, n, ts);
    }
    return s->state == S_ATTACHED;
}

void nc_stream_test_close(struct nc_stream *s, int64_t ts)
{
    struct test_env *te = test_env(s);
    if (!te->closed) {
        te->closed = true;
        detach(s, ts);
    }
}

const char *nc_stream_test_json(const struct nc_stream *s)
{
    struct test_env *te = test_env(s);
    /* records of every type, type by type, in the order written */
    nc_dbuf_reset(&te->json);
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        const struct nc_recout_list *l = &te->out.list[t];
        if (l->buf.len && nc_dbuf_append(&te->json, l->buf.p, l->buf.len) != NC_OK) {
            break;
        }
    }
    if (nc_dbuf_putc(&te->json, '\0') != NC_OK) {
        return "";
    }
    return (const char *)te->json.p;
}

uint64_t nc_stream_test_count(const struct nc_stream *s, enum nc_rec_type t)
{
    return test_env(s)->out.list[t].n;
}

const struct nc_stream_stats *nc_stream_test_stats(const struct nc_stream *s)
{
    return &test_env(s)->stats;
}

uint64_t nc_stream_test_budget_used(const struct nc_stream *s)
{
    /* the stream's own struct stays charged until nc_stream_test_free */
    uint64_t u = test_env(s)->budget.used;
    return u >= sizeof(struct nc_stream) ? u - sizeof(struct nc_stream) : u;
}

void nc_stream_test_free(struct nc_stream *s)
{
    if (!s) {
        return;
    }
    struct test_env *te = test_env(s);
    nc_stream_test_close(s, 0);
    nc_free(s);
    nc_recout_fini(&te->out);
    nc_arena_fini(&te->arena);
    nc_dbuf_fini(&te->json);
    nc_free(te);
}
