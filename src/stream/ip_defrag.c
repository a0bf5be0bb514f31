/*
 * summary: IPv4/IPv6 fragment reassembly (see ip_defrag.h for the policy).
 *
 * Layout: each pending datagram is one struct dg (nc_malloc), found through
 * a power-of-two array of bucket chains keyed by a fixed-seed hash of
 * (ver, proto, src, dst, id), and linked into one list in arrival order of
 * its first fragment (timeouts, eviction of the oldest, flush).
 *
 * Per datagram:
 *   - buf: the payload, contiguous from offset 0, grown as needed (at most
 *     NC_DEFRAG_MAX_PAYLOAD bytes);
 *   - iv: the byte ranges received, sorted, disjoint and not adjacent
 *     (merged), so "no hole" is iv[0] == [0, end);
 *   - fr: (offset, length) of each fragment kept, to tell an exact
 *     duplicate from an overlap that happens to repeat the same bytes.
 * Every byte of these is charged to the budget before it is allocated and
 * refunded when freed (d->charged).
 *
 * A fragment is classified before anything changes (duplicate, caps,
 * allocation), so a refusal leaves the datagram as it was and it is given
 * up whole. Callbacks run after the datagram has left the table.
 */
#include "stream/ip_defrag.h"

#include <string.h>

#include "core/hash.h"
#include "core/mem.h"

enum {
    MIN_BUCKETS = 16,
    MAX_BUCKETS = 1 << 18,
    MIN_BUF = 256, /* first payload allocation when the end is not known */
};

/* 48 bytes, no padding: compared with memcmp */
struct dg_key {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t ver, proto, pad[2];
    uint64_t zone;
};
_Static_assert(sizeof(struct dg_key) == 48, "defrag key must have no padding");

struct range {
    uint32_t start, end; /* [start, end) */
};

struct dg {
    struct dg_key key;
    uint64_t hash;
    struct dg *hnext;       /* bucket chain */
    struct dg *prev, *next; /* arrival list */
    int64_t born;           /* table clock when the first fragment came */
    int64_t first_ts, last_ts;
    uint64_t wirebytes;
    bool has_link;
    uint8_t link[NC_DEFRAG_LINK];
    uint64_t charged; /* budget bytes held by this datagram */
    uint8_t *buf;
    uint32_t buf_cap;
    struct range *iv; /* received bytes */
    uint32_t n_iv, iv_cap;
    struct range *fr; /* fragments kept (offset, offset + len) */
    uint32_t n_fr, fr_cap;
    uint32_t n_frags;
    uint32_t end;  /* valid when has_end */
    uint32_t held; /* distinct bytes received */
    bool has_end, overlap, conflict;
};

struct nc_defrag {
    struct dg **buckets;
    uint64_t mask;
    struct dg *head, *tail; /* arrival order of first fragments */
    uint32_t n_pending;
    uint32_t max_datagrams, max_frags;
    int64_t timeout, now;
    struct nc_budget *budget;
    struct nc_budget own_budget; /* when the caller gave none: no cap */
    struct nc_defrag_stats *st;
    struct nc_defrag_stats own_stats; /* when the caller gave none */
    nc_defrag_fn *done, *expire;
    void *ctx;
};

/* Fixed seed: flooding one chain is bounded by max_datagrams anyway. */
static uint64_t key_hash(const struct dg_key *k)
{
    uint64_t h = 0x6a09e667f3bcc909ULL ^ ((uint64_t)k->id << 16 | (uint64_t)k->proto << 8 | k->ver);
    h = nc_mix64(h ^ nc_load64(k->src));
    h = nc_mix64(h ^ nc_load64(k->src + 8));
    h = nc_mix64(h ^ nc_load64(k->dst));
    h = nc_mix64(h ^ nc_load64(k->dst + 8));
    if (k->zone) {
        h = nc_mix64(h ^ k->zone);
    }
    return h;
}

static void make_key(const struct nc_defrag_frag *f, struct dg_key *k)
{
    memset(k, 0, sizeof(*k));
    memcpy(k->src, f->src, 16);
    memcpy(k->dst, f->dst, 16);
    k->id = f->id;
    k->zone = f->zone;
    k->ver = f->ver;
    k->proto = f->proto;
}

/* ------------------------------------------------------------ table */

struct nc_defrag *nc_defrag_new(const struct nc_defrag_cfg *cfg, struct nc_budget *budget,
        struct nc_defrag_stats *stats, nc_defrag_fn *done, nc_defrag_fn *expire, void *ctx)
{
    struct nc_defrag *t = nc_calloc(1, sizeof(*t));
    if (!t) {
        return NULL;
    }
    t->max_datagrams = cfg && cfg->max_datagrams ? cfg->max_datagrams : NC_DEFRAG_DEF_DATAGRAMS;
    t->max_frags = cfg && cfg->max_frags ? cfg->max_frags : NC_DEFRAG_DEF_FRAGS;
    t->timeout = cfg && cfg->timeout_ns > 0 ? cfg->timeout_ns : NC_DEFRAG_DEF_TIMEOUT_NS;
    uint64_t nb = MIN_BUCKETS;
    while (nb < (uint64_t)t->max_datagrams && nb < MAX_BUCKETS) {
        nb *= 2;
    }
    t->buckets = nc_calloc(nb, sizeof(*t->buckets));
    if (!t->buckets) {
        nc_free(t);
        return NULL;
    }
    t->mask = nb - 1;
    t->now = INT64_MIN;
    nc_budget_init(&t->own_budget, 0);
    t->budget = budget ? budget : &t->own_budget;
    t->st = stats ? stats : &t->own_stats;
    t->done = done;
    t->expire = expire;
    t->ctx = ctx;
    return t;
}

void nc_defrag_free(struct nc_defrag *t)
{
    if (!t) {
        return;
    }
    nc_defrag_flush(t);
    nc_free(t->buckets);
    nc_free(t);
}

static void dg_free(struct nc_defrag *t, struct dg *d)
{
    nc_free(d->buf);
    nc_free(d->iv);
    nc_free(d->fr);
    nc_budget_give(t->budget, d->charged);
    nc_free(d);
}

static struct dg *lookup(struct nc_defrag *t, const struct dg_key *k, uint64_t h)
{
    for (struct dg *d = t->buckets[h & t->mask]; d; d = d->hnext) {
        if (d->hash == h && memcmp(&d->key, k, sizeof(*k)) == 0) {
            return d;
        }
    }
    return NULL;
}

/* Takes d out of the bucket chain and the arrival list. */
static void unlink_dg(struct nc_defrag *t, struct dg *d)
{
    struct dg **pp = &t->buckets[d->hash & t->mask];
    while (*pp != d) {
        pp = &(*pp)->hnext;
    }
    *pp = d->hnext;
    if (d->prev) {
        d->prev->next = d->next;
    } else {
        t->head = d->next;
    }
    if (d->next) {
        d->next->prev = d->prev;
    } else {
        t->tail = d->prev;
    }
    t->n_pending--;
}

static void fill_report(struct nc_defrag_datagram *r, const struct dg_key *k)
{
    memset(r, 0, sizeof(*r));
    r->ver = k->ver;
    r->proto = k->proto;
    r->id = k->id;
    r->zone = k->zone;
    memcpy(r->src, k->src, 16);
    memcpy(r->dst, k->dst, 16);
}

static void report_expire(struct nc_defrag *t, struct nc_defrag_datagram *r, uint8_t reason)
{
    r->reason = reason;
    r->oversize = reason == NC_DEFRAG_OVERSIZE;
    r->cut = reason == NC_DEFRAG_CUT;
    t->st->incomplete++;
    if (t->expire) {
        t->expire(t->ctx, r);
    }
}

/* Counts f into d's report (the fragment that makes it give up). */
static void count_frag(struct dg *d, const struct nc_defrag_frag *f)
{
    d->n_frags++;
    d->wirebytes += f->wirelen;
    d->last_ts = f->ts;
}

/* The report of a pending datagram (len and data are the caller's). */
static void report_of(struct nc_defrag_datagram *r, const struct dg *d)
{
    fill_report(r, &d->key);
    r->n_frags = d->n_frags;
    r->wirebytes = d->wirebytes;
    r->first_ts = d->first_ts;
    r->last_ts = d->last_ts;
    r->overlap = d->overlap;
    r->conflict = d->conflict;
    r->has_link = d->has_link;
    memcpy(r->link, d->link, sizeof(r->link));
}

/* Gives d up: out of the table, expire callback, freed. */
static void give_up(struct nc_defrag *t, struct dg *d, uint8_t reason)
{
    unlink_dg(t, d);
    struct nc_defrag_datagram r;
    report_of(&r, d);
    r.len = d->held;
    report_expire(t, &r, reason);
    dg_free(t, d);
}

/* A fragment that gives up a datagram: with the pending one if any, else
 * alone (nothing of it is kept). */
static void give_up_with(
        struct nc_defrag *t, struct dg *d, const struct nc_defrag_frag *f, uint8_t reason)
{
    if (d) {
        count_frag(d, f);
        give_up(t, d, reason);
        return;
    }
    struct dg_key k;
    make_key(f, &k);
    struct nc_defrag_datagram r;
    fill_report(&r, &k);
    r.n_frags = 1;
    r.wirebytes = f->wirelen;
    r.first_ts = r.last_ts = f->ts;
    if (f->link) {
        r.has_link = true;
        memcpy(r.link, f->link, sizeof(r.link));
    }
    report_expire(t, &r, reason);
}

static void complete(struct nc_defrag *t, struct dg *d)
{
    static const uint8_t empty[1];
    unlink_dg(t, d);
    struct nc_defrag_datagram r;
    report_of(&r, d);
    r.data = d->buf ? d->buf : empty;
    r.len = d->end;
    r.reason = NC_DEFRAG_COMPLETE;
    t->st->completed++;
    if (t->done) {
        t->done(t->ctx, &r);
    }
    dg_free(t, d);
}

/* A new pending datagram for f's key (oldest dropped when full); NULL
 * (counted, f reported) when the budget or the allocator refuses. */
static struct dg *create(
        struct nc_defrag *t, const struct nc_defrag_frag *f, const struct dg_key *k, uint64_t h)
{
    if (t->n_pending >= t->max_datagrams && t->head) {
        t->st->table_full++;
        give_up(t, t->head, NC_DEFRAG_EVICTED);
    }
    struct dg *d = NULL;
    if (nc_budget_take(t->budget, sizeof(*d))) {
        d = nc_calloc(1, sizeof(*d));
        if (!d) {
            nc_budget_give(t->budget, sizeof(*d));
        }
    }
    if (!d) {
        t->st->memcap++;
        give_up_with(t, NULL, f, NC_DEFRAG_MEMCAP);
        return NULL;
    }
    d->key = *k;
    d->hash = h;
    d->charged = sizeof(*d);
    d->born = t->now;
    d->first_ts = d->last_ts = f->ts;
    if (f->link) {
        d->has_link = true;
        memcpy(d->link, f->link, sizeof(d->link));
    }
    struct dg **b = &t->buckets[h & t->mask];
    d->hnext = *b;
    *b = d;
    d->prev = t->tail;
    if (t->tail) {
        t->tail->next = d;
    } else {
        t->head = d;
    }
    t->tail = d;
    t->n_pending++;
    return d;
}

/* Grows an allocation of *cap elements of size sz to at least need,
 * charging the difference first. False when refused (nothing changed). */
static bool grow(struct nc_defrag *t, struct dg *d, void **p, uint32_t *cap, uint32_t need,
        uint32_t want, size_t sz)
{
    if (*cap >= need) {
        return true;
    }
    if (want < need) {
        want = need;
    }
    uint64_t more = (uint64_t)(want - *cap) * sz;
    if (!nc_budget_take(t->budget, more)) {
        return false;
    }
    void *q = nc_realloc(*p, (size_t)want * sz);
    if (!q) {
        nc_budget_give(t->budget, more);
        return false;
    }
    *p = q;
    *cap = want;
    d->charged += more;
    return true;
}

static uint32_t double_cap(uint32_t cap, uint32_t min, uint32_t max)
{
    uint64_t c = cap ? (uint64_t)cap * 2 : min;
    return (uint32_t)NC_MIN(c, (uint64_t)max);
}

/* What a fragment [a, b) finds among the bytes already held. */
struct scan {
    bool overlap;   /* shares bytes with what is held */
    bool differ;    /* some shared byte differs */
    uint32_t fresh; /* bytes not held yet */
};

static struct scan scan_frag(const struct dg *d, uint32_t a, uint32_t b, const uint8_t *p)
{
    struct scan s = { false, false, 0 };
    uint32_t pos = a;
    for (uint32_t i = 0; i < d->n_iv && d->iv[i].start < b; i++) {
        const struct range *r = &d->iv[i];
        if (r->end <= a) {
            continue;
        }
        uint32_t lo = NC_MAX(a, r->start), hi = NC_MIN(b, r->end);
        s.overlap = true;
        if (!s.differ && memcmp(d->buf + lo, p + (lo - a), hi - lo) != 0) {
            s.differ = true;
        }
        if (r->start > pos) {
            s.fresh += r->start - pos;
        }
        pos = NC_MAX(pos, r->end);
    }
    if (pos < b) {
        s.fresh += b - pos;
    }
    return s;
}

/* Copies the bytes of [a, b) not held yet and merges [a, b) into iv
 * (capacity for one more range already ensured). */
static void store_frag(struct dg *d, uint32_t a, uint32_t b, const uint8_t *p)
{
    uint32_t pos = a, i = 0;
    while (i < d->n_iv && d->iv[i].end < a) {
        i++;
    }
    uint32_t lo = i; /* first range touching or after [a, b) */
    for (; i < d->n_iv && d->iv[i].start <= b; i++) {
        if (d->iv[i].start > pos) {
            memcpy(d->buf + pos, p + (pos - a), d->iv[i].start - pos);
        }
        pos = NC_MAX(pos, d->iv[i].end);
    }
    if (pos < b) {
        memcpy(d->buf + pos, p + (pos - a), b - pos);
    }
    uint32_t hi = i; /* ranges [lo, hi) merge with [a, b) */
    struct range m = { a, b };
    if (hi > lo) {
        m.start = NC_MIN(a, d->iv[lo].start);
        m.end = NC_MAX(b, d->iv[hi - 1].end);
    }
    uint32_t removed = hi - lo;
    if (removed == 0) {
        memmove(&d->iv[lo + 1], &d->iv[lo], (d->n_iv - lo) * sizeof(*d->iv));
        d->n_iv++;
    } else if (removed > 1) {
        memmove(&d->iv[lo + 1], &d->iv[hi], (d->n_iv - hi) * sizeof(*d->iv));
        d->n_iv -= removed - 1;
    }
    d->iv[lo] = m;
}

static bool is_duplicate(const struct dg *d, uint32_t a, uint32_t b)
{
    for (uint32_t i = 0; i < d->n_fr; i++) {
        if (d->fr[i].start == a && d->fr[i].end == b) {
            return true;
        }
    }
    return false;
}

void nc_defrag_add(struct nc_defrag *t, const struct nc_defrag_frag *f)
{
    t->st->fragments++;
    if (f->ts > t->now) {
        t->now = f->ts;
    }
    struct dg_key k;
    make_key(f, &k);
    uint64_t h = key_hash(&k);
    struct dg *d = lookup(t, &k, h);
    if (d && nc_sat_sub(t->now, d->born) > t->timeout) {
        t->st->timeouts++;
        give_up(t, d, NC_DEFRAG_TIMEOUT);
        d = NULL;
    }
    if (f->cut) {
        t->st->cut++;
        give_up_with(t, d, f, NC_DEFRAG_CUT);
        return;
    }
    if (f->len > NC_DEFRAG_MAX_PAYLOAD || f->offset > NC_DEFRAG_MAX_PAYLOAD - f->len) {
        t->st->oversize++;
        give_up_with(t, d, f, NC_DEFRAG_OVERSIZE);
        return;
    }
    uint32_t a = f->offset, b = (uint32_t)(f->offset + f->len);
    struct scan s = { false, false, b - a };
    if (d) {
        if (a < b) {
            s = scan_frag(d, a, b, f->data);
        }
        if (s.fresh == 0 && !s.differ && is_duplicate(d, a, b)) {
            t->st->duplicates++;
            return;
        }
    } else {
        d = create(t, f, &k, h);
        if (!d) {
            return;
        }
    }
    if (d->n_frags >= t->max_frags) {
        t->st->too_many++;
        give_up_with(t, d, f, NC_DEFRAG_TOO_MANY);
        return;
    }
    /* room first, so that a refusal leaves d as it was */
    uint32_t want_buf = double_cap(d->buf_cap, MIN_BUF, NC_DEFRAG_MAX_PAYLOAD);
    if (d->has_end && b <= d->end) {
        want_buf = d->end;
    } else if (!f->more) {
        want_buf = b;
    }
    bool room = grow(t, d, (void **)&d->fr, &d->fr_cap, d->n_fr + 1,
                        double_cap(d->fr_cap, 4, UINT32_MAX), sizeof(*d->fr)) &&
                (a == b || grow(t, d, (void **)&d->iv, &d->iv_cap, d->n_iv + 1,
                                   double_cap(d->iv_cap, 4, UINT32_MAX), sizeof(*d->iv))) &&
                (s.fresh == 0 || grow(t, d, (void **)&d->buf, &d->buf_cap, b, want_buf, 1));
    if (!room) {
        t->st->memcap++;
        give_up_with(t, d, f, NC_DEFRAG_MEMCAP);
        return;
    }

    bool bad = f->more && f->len % 8 != 0;
    if (!f->more) {
        if (!d->has_end) {
            d->has_end = true;
            d->end = b;
            /* bytes held beyond the end just declared */
            bad = bad || (d->n_iv && d->iv[d->n_iv - 1].end > b);
        } else if (d->end != b) {
            bad = true;
        }
    } else if (d->has_end && b > d->end) {
        bad = true;
    }
    if (bad) {
        t->st->bad++;
    }
    if (s.overlap) {
        d->overlap = true;
        t->st->overlaps++;
        if (s.differ) {
            d->conflict = true;
            t->st->conflicts++;
        }
    }
    if (a < b) {
        store_frag(d, a, b, f->data);
    }
    d->held += s.fresh;
    d->fr[d->n_fr++] = (struct range){ a, b };
    count_frag(d, f);
    if (d->has_end && (d->end == 0 || (d->n_iv && d->iv[0].start == 0 && d->iv[0].end >= d->end))) {
        complete(t, d);
    }
}

void nc_defrag_expire(struct nc_defrag *t, int64_t now)
{
    if (now > t->now) {
        t->now = now;
    }
    while (t->head && nc_sat_sub(t->now, t->head->born) > t->timeout) {
        t->st->timeouts++;
        give_up(t, t->head, NC_DEFRAG_TIMEOUT);
    }
}

void nc_defrag_flush(struct nc_defrag *t)
{
    while (t->head) {
        give_up(t, t->head, NC_DEFRAG_FLUSHED);
    }
}
