/*
 * summary: the rule index of netcap label: rules grouped by shape (the
 *          families and prefix lengths of their two addresses), a hash map
 *          from (shape, masked src, masked dst) to the shape's rules for
 *          that pair sorted by start time, with a running maximum of their
 *          end times for interval lookups.
 *
 * A lookup masks the record's addresses once per shape and direction (an
 * alert file has one or two shapes: /32-/32 and /128-/128), finds the
 * bucket, binary-searches the last rule starting before the record's end
 * (plus the tolerance) and walks back while the running maximum of ends
 * still reaches the record's start (minus the tolerance). Ports and the
 * protocol are checked per candidate.
 */
#include "label/lbl.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"

struct shape {
    uint8_t sfam, sbits, dfam, dbits;
};

struct bucket {
    uint32_t shape;
    uint32_t first, count; /* entries [first, first + count) */
    uint8_t skey[16], dkey[16];
};

struct lbl_index {
    const struct lbl_set *s;
    int64_t tol;
    struct shape *shapes;
    size_t n_shapes;
    uint32_t *ids;   /* rule indexes, by (shape, src, dst, start, index) */
    int64_t *maxend; /* running maximum of end within each bucket */
    size_t n;
    struct bucket *b;
    size_t n_b;
    uint32_t *table; /* bucket index + 1; 0 empty */
    size_t tcap;
};

static uint64_t key_hash(uint32_t shape, const uint8_t *s, const uint8_t *d)
{
    uint64_t h = nc_mix64(shape + 0x9e3779b97f4a7c15ULL);
    h = nc_mix64(h ^ nc_load64(s));
    h = nc_mix64(h ^ nc_load64(s + 8));
    h = nc_mix64(h ^ nc_load64(d));
    return nc_mix64(h ^ nc_load64(d + 8));
}

static uint32_t shape_of(struct lbl_index *ix, const struct lbl_rule *r, size_t *cap, bool *oom)
{
    struct shape sh = { r->src.fam, r->src.bits, r->dst.fam, r->dst.bits };
    for (size_t i = ix->n_shapes; i-- > 0;) {
        if (memcmp(&ix->shapes[i], &sh, sizeof(sh)) == 0) {
            return (uint32_t)i;
        }
    }
    if (ix->n_shapes == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct shape *v = nc_realloc(ix->shapes, nc * sizeof(*v));
        if (!v) {
            *oom = true;
            return 0;
        }
        ix->shapes = v;
        *cap = nc;
    }
    ix->shapes[ix->n_shapes] = sh;
    return (uint32_t)ix->n_shapes++;
}

/* qsort context: one index is built at a time */
static const struct lbl_rule *g_rules;
static const uint32_t *g_shape;

static int entry_cmp(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (g_shape[i] != g_shape[j]) {
        return g_shape[i] < g_shape[j] ? -1 : 1;
    }
    const struct lbl_rule *x = &g_rules[i], *y = &g_rules[j];
    int c = memcmp(x->src.a, y->src.a, 16);
    if (c == 0) {
        c = memcmp(x->dst.a, y->dst.a, 16);
    }
    if (c != 0) {
        return c;
    }
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return i < j ? -1 : i > j ? 1 : 0;
}

void lbl_index_free(struct lbl_index *ix)
{
    if (!ix) {
        return;
    }
    nc_free(ix->shapes);
    nc_free(ix->ids);
    nc_free(ix->maxend);
    nc_free(ix->b);
    nc_free(ix->table);
    nc_free(ix);
}

int lbl_index_build(struct lbl_index **out, const struct lbl_set *s, int64_t tol)
{
    *out = NULL;
    struct lbl_index *ix = nc_calloc(1, sizeof(*ix));
    if (!ix) {
        return NC_ENOMEM;
    }
    ix->s = s;
    ix->tol = tol < 0 ? 0 : tol;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        n += !s->v[i].dropped;
    }
    uint32_t *shape = nc_malloc((s->n ? s->n : 1) * sizeof(*shape));
    ix->ids = nc_malloc((n ? n : 1) * sizeof(*ix->ids));
    ix->maxend = nc_malloc((n ? n : 1) * sizeof(*ix->maxend));
    ix->b = nc_malloc((n ? n : 1) * sizeof(*ix->b));
    size_t tcap = 16;
    while (tcap < 2 * n) {
        tcap *= 2;
    }
    ix->table = nc_calloc(tcap, sizeof(*ix->table));
    ix->tcap = tcap;
    bool oom = !shape || !ix->ids || !ix->maxend || !ix->b || !ix->table;
    size_t shape_cap = 0;
    for (size_t i = 0; i < s->n && !oom; i++) {
        if (!s->v[i].dropped) {
            shape[i] = shape_of(ix, &s->v[i], &shape_cap, &oom);
            ix->ids[ix->n++] = (uint32_t)i;
        }
    }
    if (oom) {
        nc_free(shape);
        lbl_index_free(ix);
        return NC_ENOMEM;
    }
    g_rules = s->v;
    g_shape = shape;
    qsort(ix->ids, ix->n, sizeof(*ix->ids), entry_cmp);
    for (size_t i = 0; i < ix->n;) {
        const struct lbl_rule *r = &s->v[ix->ids[i]];
        struct bucket *bk = &ix->b[ix->n_b];
        bk->shape = shape[ix->ids[i]];
        memcpy(bk->skey, r->src.a, 16);
        memcpy(bk->dkey, r->dst.a, 16);
        bk->first = (uint32_t)i;
        int64_t m = INT64_MIN;
        size_t j = i;
        for (; j < ix->n; j++) {
            const struct lbl_rule *q = &s->v[ix->ids[j]];
            if (shape[ix->ids[j]] != bk->shape || memcmp(q->src.a, bk->skey, 16) != 0 ||
                    memcmp(q->dst.a, bk->dkey, 16) != 0) {
                break;
            }
            m = NC_MAX(m, q->end);
            ix->maxend[j] = m;
        }
        bk->count = (uint32_t)(j - i);
        size_t h = key_hash(bk->shape, bk->skey, bk->dkey) & (tcap - 1);
        while (ix->table[h] != 0) {
            h = (h + 1) & (tcap - 1);
        }
        ix->table[h] = (uint32_t)(ix->n_b + 1);
        ix->n_b++;
        i = j;
    }
    nc_free(shape);
    *out = ix;
    return NC_OK;
}

static void mask(uint8_t out[16], const uint8_t in[16], uint8_t fam, uint8_t bits)
{
    memset(out, 0, 16);
    if (fam == 0) {
        return;
    }
    unsigned full = bits / 8u, rest = bits % 8u;
    memcpy(out, in, full);
    if (rest) {
        out[full] = (uint8_t)(in[full] & (0xff00u >> rest));
    }
}

static const struct bucket *find(
        const struct lbl_index *ix, uint32_t shape, const uint8_t *sk, const uint8_t *dk)
{
    size_t h = key_hash(shape, sk, dk) & (ix->tcap - 1);
    for (; ix->table[h] != 0; h = (h + 1) & (ix->tcap - 1)) {
        const struct bucket *b = &ix->b[ix->table[h] - 1];
        if (b->shape == shape && memcmp(b->skey, sk, 16) == 0 && memcmp(b->dkey, dk, 16) == 0) {
            return b;
        }
    }
    return NULL;
}

static bool in_range(int32_t v, uint16_t lo, uint16_t hi)
{
    return v < 0 || (v >= lo && v <= hi);
}

static bool prefix_has(const struct lbl_addr *p, uint8_t fam, const uint8_t *a)
{
    if (p->fam == 0) {
        return true;
    }
    if (p->fam != fam) {
        return false;
    }
    uint8_t m[16];
    mask(m, a, p->fam, p->bits);
    return memcmp(m, p->a, 16) == 0;
}

/* Everything but time, in one direction (rev: the rule's src is q's dst). */
static bool rule_fits(const struct lbl_rule *r, const struct lbl_query *q, bool rev)
{
    if (r->proto >= 0 && q->proto >= 0 && r->proto != q->proto) {
        return false;
    }
    const uint8_t *x = rev ? q->b : q->a, *y = rev ? q->a : q->b;
    int32_t xp = rev ? q->dport : q->sport, yp = rev ? q->sport : q->dport;
    return prefix_has(&r->src, q->fam, x) && prefix_has(&r->dst, q->fam, y) &&
           in_range(xp, r->sp_lo, r->sp_hi) && in_range(yp, r->dp_lo, r->dp_hi);
}

static int64_t sat_add(int64_t a, int64_t b)
{
    return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b;
}

static const struct lbl_rule *cmp_rules;
static int match_cmp(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const struct lbl_rule *x = &cmp_rules[i], *y = &cmp_rules[j];
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return i < j ? -1 : i > j ? 1 : 0;
}

static bool before(const struct lbl_rule *v, uint32_t i, uint32_t j)
{
    return v[i].start < v[j].start || (v[i].start == v[j].start && i < j);
}

size_t lbl_index_match(
        const struct lbl_index *ix, const struct lbl_query *q, uint32_t *out, size_t cap)
{
    if (ix->n == 0 || (q->fam != 4 && q->fam != 6)) {
        return 0;
    }
    const struct lbl_rule *v = ix->s->v;
    int64_t lo = nc_sat_sub(q->t0, ix->tol), hi = sat_add(q->t1, ix->tol);
    size_t total = 0, kept = 0;
    uint32_t best = 0;
    for (uint32_t si = 0; si < ix->n_shapes; si++) {
        const struct shape *sh = &ix->shapes[si];
        if ((sh->sfam && sh->sfam != q->fam) || (sh->dfam && sh->dfam != q->fam)) {
            continue;
        }
        for (int dir = 0; dir < 2; dir++) {
            bool rev = dir == 1;
            uint8_t sk[16], dk[16];
            mask(sk, rev ? q->b : q->a, sh->sfam, sh->sbits);
            mask(dk, rev ? q->a : q->b, sh->dfam, sh->dbits);
            const struct bucket *b = find(ix, si, sk, dk);
            if (!b) {
                continue;
            }
            /* the first entry starting after hi */
            size_t l = b->first, r = (size_t)b->first + b->count;
            while (l < r) {
                size_t m = l + (r - l) / 2;
                if (v[ix->ids[m]].start <= hi) {
                    l = m + 1;
                } else {
                    r = m;
                }
            }
            for (size_t e = l; e-- > b->first && ix->maxend[e] >= lo;) {
                uint32_t id = ix->ids[e];
                const struct lbl_rule *rr = &v[id];
                if (rr->end < lo || !rule_fits(rr, q, rev)) {
                    continue;
                }
                if (rev && rule_fits(rr, q, false)) {
                    continue; /* found in the forward direction already */
                }
                if (total == 0 || before(v, id, best)) {
                    best = id;
                }
                total++;
                if (kept < cap) {
                    out[kept++] = id;
                }
            }
        }
    }
    if (kept == 0) {
        return total;
    }
    bool have_best = false;
    for (size_t i = 0; i < kept && !have_best; i++) {
        have_best = out[i] == best;
    }
    if (!have_best) {
        out[kept - 1] = best;
    }
    cmp_rules = v;
    qsort(out, kept, sizeof(*out), match_cmp);
    return total;
}
