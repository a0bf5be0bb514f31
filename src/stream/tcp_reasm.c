/*
 * summary: TCP reassembly of one direction (see tcp_reasm.h for the policy).
 *
 * State: next_seq (the next byte the consumer expects) and a sorted list of
 * held out-of-order copies, each starting strictly after next_seq and none
 * overlapping another. Bytes before next_seq are history: delivered, or
 * given up in a gap.
 *
 * The common case (the next segment in order, nothing held, no FIN yet, no
 * depth limit near) is a handful of comparisons, one fingerprint and one
 * callback on the caller's buffer: no copy, no allocation. Everything else
 * goes through segment_slow(), which walks the new segment from its first
 * byte not yet received (cur) to its end:
 *   - at next_seq: deliver from the caller's buffer up to the first held
 *     segment, then every held segment that became contiguous (comparing
 *     it with the new bytes it overlaps: first copy wins);
 *   - inside a held segment: compare, skip;
 *   - in a hole ahead of next_seq: copy the piece up to the next held
 *     segment into a new held segment; if the cap or the budget refuses,
 *     force progress (declare a gap up to the first held segment, or up to
 *     cur if none is before it, and deliver what became contiguous) and try
 *     again. Every forced step frees a held segment or makes cur deliverable,
 *     so the walk ends.
 */
#include "stream/tcp_reasm.h"

#include <string.h>

#include "core/mem.h"
#include "decode/pkt.h"

struct nc_reasm_seg {
    struct nc_reasm_seg *next;
    uint32_t seq;   /* first byte */
    uint32_t len;   /* bytes held (a FIN may trim it below alloc) */
    uint32_t alloc; /* bytes allocated in data; charge = sizeof(node) + alloc */
    uint8_t data[];
};

/* Serial-number comparison: a before b. */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

enum {
    FP_SAMPLE = 64, /* fingerprint: bytes hashed at the start, middle and end */
};

static uint64_t fp_mix(uint64_t h, const uint8_t *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, p + i, n - i);
        h = (h ^ w) * k;
    }
    return h;
}

/* Fingerprint of a delivered segment: every byte of a short one; of a long
 * one the first, middle and last FP_SAMPLE bytes, so that the cost per
 * segment is fixed (every delivered segment is fingerprinted). A
 * retransmission that differs only elsewhere goes unnoticed. */
static uint64_t fp_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    if (n <= 3 * FP_SAMPLE) {
        h = fp_mix(h, p, n);
    } else {
        h = fp_mix(h, p, FP_SAMPLE);
        h = fp_mix(h, p + n / 2 - FP_SAMPLE / 2, FP_SAMPLE);
        h = fp_mix(h, p + n - FP_SAMPLE, FP_SAMPLE);
    }
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdu;
    return h ^ (h >> 29);
}

static uint64_t seg_charge(const struct nc_reasm_seg *s)
{
    return sizeof(*s) + (uint64_t)s->alloc;
}

static void seg_free(struct nc_reasm_dir *d, struct nc_budget *budget, struct nc_reasm_seg *s)
{
    d->held -= s->len;
    d->nsegs--;
    if (budget) {
        nc_budget_give(budget, seg_charge(s));
    }
    nc_free(s);
}

/* Unlink the first held segment (the caller frees it). */
static struct nc_reasm_seg *pop_head(struct nc_reasm_dir *d)
{
    struct nc_reasm_seg *s = d->segs;
    d->segs = s->next;
    if (!d->segs) {
        d->tail = NULL;
    }
    return s;
}

void nc_reasm_init(struct nc_reasm_dir *d)
{
    memset(d, 0, sizeof(*d));
}

void nc_reasm_free(struct nc_reasm_dir *d, struct nc_budget *budget)
{
    while (d->segs) {
        seg_free(d, budget, pop_head(d));
    }
    d->held = 0;
    d->nsegs = 0;
}

/* Hand n bytes starting at next_seq to the consumer, preceded by gap
 * missing bytes, and advance next_seq past them before the callback (so
 * the consumer may read d->next_seq - n as the chunk's sequence number).
 * Truncates at cfg->depth and marks the direction; the caller frees what
 * is held once it stops walking. */
static void emit(struct nc_reasm_dir *d, const struct nc_reasm_env *env, const uint8_t *p,
        uint32_t n, uint64_t gap, int64_t ts)
{
    uint32_t seq = d->next_seq;
    bool reached = false;
    uint64_t depth = env->cfg->depth;
    if (depth && n >= depth - d->delivered) {
        n = (uint32_t)(depth - d->delivered);
        reached = true;
    }
    d->next_seq += n;
    if (gap) {
        env->stats->gaps++;
        env->stats->gap_bytes += gap;
        d->missed_bytes += gap;
    }
    env->deliver(env->ctx, p, n, gap, ts);
    d->delivered += n;
    env->stats->delivered += n;
    if (n) {
        struct nc_reasm_recent *r = &d->recent[d->recent_next];
        r->seq = seq;
        r->len = n;
        r->hash = fp_hash(p, n);
        d->recent_next = (uint8_t)((d->recent_next + 1) % NC_REASM_RECENT);
    }
    if (reached) {
        d->depth_reached = true;
        env->stats->depth_hit++;
    }
}

/* Deliver the held segments that are contiguous with next_seq. The bytes
 * of the current segment [s, e) that they overlap are compared first. */
static bool deliver_held(struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t s,
        uint32_t e, const uint8_t *data, uint64_t gap, int64_t ts)
{
    bool conflict = false;
    struct nc_reasm_seg *h;
    while (!d->depth_reached && (h = d->segs) != NULL && h->seq == d->next_seq) {
        if (data && seq_lt(h->seq, e) && !seq_lt(h->seq, s)) {
            uint32_t oe = seq_min(h->seq + h->len, e);
            if (memcmp(h->data, data + (uint32_t)(h->seq - s), oe - h->seq) != 0) {
                conflict = true;
            }
        }
        pop_head(d);
        emit(d, env, h->data, h->len, gap, ts);
        gap = 0;
        seg_free(d, env->budget, h);
    }
    return conflict;
}

enum hold_verdict {
    HOLD_OK,
    HOLD_CONN_BUF,
    HOLD_MEMCAP,
};

/* Copy [seq, seq+n) into a new held segment linked at *link. */
static enum hold_verdict hold(struct nc_reasm_dir *d, const struct nc_reasm_env *env,
        struct nc_reasm_seg **link, uint32_t seq, const uint8_t *p, uint32_t n)
{
    uint32_t cap = env->cfg->conn_buf;
    if (d->held > cap || n > cap - d->held || d->nsegs >= NC_REASM_MAX_HELD) {
        return HOLD_CONN_BUF;
    }
    uint64_t charge = sizeof(struct nc_reasm_seg) + (uint64_t)n;
    if (env->budget && !nc_budget_take(env->budget, charge)) {
        return HOLD_MEMCAP;
    }
    struct nc_reasm_seg *s = nc_malloc(sizeof(*s) + n);
    if (!s) {
        if (env->budget) {
            nc_budget_give(env->budget, charge);
        }
        return HOLD_MEMCAP;
    }
    s->seq = seq;
    s->len = n;
    s->alloc = n;
    memcpy(s->data, p, n);
    s->next = *link;
    *link = s;
    if (!s->next) {
        d->tail = s;
    }
    d->held += n;
    d->nsegs++;
    return HOLD_OK;
}

/* The first FIN fixes the end: held bytes at or after it are dropped. */
static void set_fin(struct nc_reasm_dir *d, struct nc_budget *budget, uint32_t fin_seq)
{
    if (d->fin || seq_lt(fin_seq, d->next_seq)) {
        return;
    }
    d->fin = true;
    d->fin_seq = fin_seq;
    struct nc_reasm_seg **link = &d->segs;
    struct nc_reasm_seg *last = NULL;
    while (*link) {
        struct nc_reasm_seg *s = *link;
        if (!seq_lt(s->seq, fin_seq)) {
            *link = s->next;
            seg_free(d, budget, s);
            continue;
        }
        if (seq_lt(fin_seq, s->seq + s->len)) {
            uint32_t keep = fin_seq - s->seq;
            d->held -= s->len - keep;
            s->len = keep;
        }
        last = s;
        link = &s->next;
    }
    d->tail = last;
}

/* Does [s, s+n) repeat a recently delivered segment with other bytes? */
static bool recent_conflict(const struct nc_reasm_dir *d, uint32_t s, const uint8_t *p, uint32_t n)
{
    for (size_t i = 0; i < NC_REASM_RECENT; i++) {
        const struct nc_reasm_recent *r = &d->recent[i];
        if (r->len == n && r->seq == s) {
            return r->hash != fp_hash(p, n);
        }
    }
    return false;
}

/* Walk [s, s+n) as described at the top. */
static void walk(struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t s,
        const uint8_t *data, uint32_t n, int64_t ts)
{
    struct nc_reasm_stats *st = env->stats;
    uint32_t e = s + n;
    uint32_t cur = s;
    bool old = false, fresh = false, conflict = false, held = false;
    if (seq_lt(s, d->next_seq)) {
        old = true;
        if (!seq_lt(d->next_seq, e)) {
            /* nothing new: a retransmission */
            st->retransmitted++;
            if (recent_conflict(d, s, data, n)) {
                st->conflicts++;
                d->conflicts++;
            }
            return;
        }
        cur = d->next_seq;
    }
    struct nc_reasm_seg **link = &d->segs; /* first held segment that may reach cur */
    uint64_t gap = 0;                      /* declared before cur, not yet reported */
    while (seq_lt(cur, e) && !d->depth_reached) {
        if (cur == d->next_seq) {
            /* in order: from the caller's buffer up to the first held segment
             * (which starts after next_seq, so lim > cur) */
            struct nc_reasm_seg *h = d->segs;
            uint32_t lim = h && seq_lt(h->seq, e) ? h->seq : e;
            emit(d, env, data + (uint32_t)(cur - s), lim - cur, gap, ts);
            gap = 0;
            fresh = true;
            cur = lim;
            if (d->segs && d->segs->seq == d->next_seq && seq_lt(cur, e)) {
                old = true; /* the held segment overlaps us */
            }
            conflict |= deliver_held(d, env, s, e, data, 0, ts);
            if (seq_lt(cur, d->next_seq)) {
                cur = seq_min(d->next_seq, e);
            }
            link = &d->segs;
            continue;
        }
        /* ahead of next_seq: skip held segments that end at or before cur */
        if (d->tail && !seq_lt(cur, d->tail->seq + d->tail->len)) {
            link = &d->tail->next;
        }
        struct nc_reasm_seg *h;
        while ((h = *link) != NULL && !seq_lt(cur, h->seq + h->len)) {
            link = &h->next;
        }
        if (h && !seq_lt(cur, h->seq)) {
            /* already held: first copy wins */
            uint32_t oe = seq_min(h->seq + h->len, e);
            if (memcmp(h->data + (uint32_t)(cur - h->seq), data + (uint32_t)(cur - s), oe - cur)) {
                conflict = true;
            }
            old = true;
            cur = oe;
            continue;
        }
        uint32_t pe = h && seq_lt(h->seq, e) ? h->seq : e;
        enum hold_verdict v = hold(d, env, link, cur, data + (uint32_t)(cur - s), pe - cur);
        if (v == HOLD_OK) {
            held = fresh = true;
            link = &(*link)->next;
            cur = pe;
            continue;
        }
        /* refused: force progress */
        if (v == HOLD_CONN_BUF) {
            st->conn_buf_hit++;
        } else {
            st->memcap_hit++;
        }
        struct nc_reasm_seg *first = d->segs;
        if (first && seq_lt(first->seq, cur)) {
            /* give up on the hole before the first held segment; the chain
             * delivered ends before cur, its overlap with us was compared */
            gap = (uint32_t)(first->seq - d->next_seq);
            d->next_seq = first->seq;
            deliver_held(d, env, s, e, NULL, gap, ts);
            gap = 0;
        } else {
            /* nothing held before cur: give up on the hole before it; the
             * next turn delivers from cur with the gap */
            gap = (uint32_t)(cur - d->next_seq);
            d->next_seq = cur;
        }
        link = &d->segs;
    }
    if (old) {
        if (fresh) {
            st->overlaps++;
        } else {
            st->retransmitted++;
        }
    }
    if (held) {
        st->out_of_order++;
    }
    if (conflict) {
        st->conflicts++;
        d->conflicts++;
    }
    if (d->depth_reached) {
        nc_reasm_free(d, env->budget);
    }
}

static void segment_slow(struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t seq,
        uint16_t flags, const uint8_t *data, uint32_t n, int64_t ts)
{
    uint32_t s = seq;
    if (flags & NC_TCP_SYN) {
        s = seq + 1;
        if (!d->started || (!d->segs && d->delivered == 0 && d->missed_bytes == 0 && !d->fin)) {
            d->started = true;
            d->midstream = false;
            d->next_seq = s;
        }
    } else if (!d->started) {
        d->started = true;
        d->midstream = true;
        env->stats->midstream++;
        d->next_seq = s;
    }
    int32_t rel = (int32_t)(s - d->next_seq);
    if (rel >= 0 && (uint32_t)rel >= NC_REASM_WINDOW) {
        env->stats->out_of_window++;
        return;
    }
    uint32_t e = s + n;
    if (flags & NC_TCP_FIN) {
        set_fin(d, env->budget, e);
    }
    if (d->fin && seq_lt(d->fin_seq, e)) {
        e = seq_lt(d->fin_seq, s) ? s : d->fin_seq; /* data beyond the FIN is ignored */
    }
    if (e != s) {
        walk(d, env, s, data, e - s, ts);
    }
}

void nc_reasm_segment(struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t seq,
        uint16_t flags, const uint8_t *data, size_t len, int64_t ts)
{
    if (!data) {
        len = 0;
    }
    if (len == 0 && !(flags & (NC_TCP_SYN | NC_TCP_FIN))) {
        return; /* a pure ACK */
    }
    env->stats->segments++;
    if (d->closed || d->depth_reached || (flags & NC_TCP_RST)) {
        return;
    }
    uint32_t n = len > NC_REASM_MAX_SEG ? NC_REASM_MAX_SEG : (uint32_t)len;
    uint64_t depth = env->cfg->depth;
    if (NC_LIKELY(seq == d->next_seq && d->started && !d->segs && !d->fin &&
                  !(flags & (NC_TCP_SYN | NC_TCP_FIN)) &&
                  (depth == 0 || n < depth - d->delivered))) {
        emit(d, env, data, n, 0, ts);
        return;
    }
    segment_slow(d, env, seq, flags, data, n, ts);
}

void nc_reasm_acked(
        struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t ack, int64_t ts)
{
    if (d->closed || d->depth_reached || !d->started || !d->segs || !seq_lt(d->next_seq, ack) ||
            (uint32_t)(ack - d->next_seq) > NC_REASM_WINDOW) {
        return;
    }
    struct nc_reasm_seg *h;
    while (!d->depth_reached && (h = d->segs) != NULL && seq_lt(h->seq, ack)) {
        uint64_t gap = (uint32_t)(h->seq - d->next_seq);
        d->next_seq = h->seq;
        deliver_held(d, env, 0, 0, NULL, gap, ts);
    }
}

void nc_reasm_close(struct nc_reasm_dir *d, const struct nc_reasm_env *env, int64_t ts)
{
    if (d->closed) {
        return;
    }
    d->closed = true;
    struct nc_reasm_seg *h;
    while (!d->depth_reached && (h = d->segs) != NULL) {
        uint64_t gap = (uint32_t)(h->seq - d->next_seq);
        d->next_seq = h->seq;
        deliver_held(d, env, 0, 0, NULL, gap, ts);
    }
    if (!d->depth_reached && d->started && d->fin && seq_lt(d->next_seq, d->fin_seq)) {
        uint64_t gap = (uint32_t)(d->fin_seq - d->next_seq);
        d->next_seq = d->fin_seq;
        emit(d, env, NULL, 0, gap, ts);
    }
    nc_reasm_free(d, env->budget);
}
