/*
 * summary: fuzz target: IP fragment reassembly (src/stream/ip_defrag.c)
 *          against a naive model.
 *
 * Input: 3 bytes of configuration, then 6 bytes per fragment:
 *   config: [0] max_datagrams 1 + (b & 7); [1] max_frags 1 + (b & 63);
 *           [2] budget cap b * 512 bytes (0: no cap); timeout 100 ms.
 *   fragment:
 *     [0] bits 0-1 id, bit 2 IPv6, bit 3 second source, bit 4 MF, bit 5 cut
 *         (snaplen), bit 6 which of two byte patterns (overlaps then agree
 *         or conflict), bit 7 call nc_defrag_expire after it;
 *     [1] [2] offset = (b1 | (b2 & 0x1f) << 8) * 8 + (b2 >> 5) (so up to
 *         65535, aligned when b2 < 32);
 *     [3] length: b < 248 ? b : (b - 247) * 8192 (up to 65536);
 *     [4] time step: < 240 ms forward; 240-249 seconds back; 250 INT64_MAX;
 *         251 INT64_MIN; 252 10 s forward; else none;
 *     [5] wirelen = length + b.
 * Sixteen keys (4 ids x 2 versions x 2 sources), so datagrams collide,
 * complete, time out and get evicted. Each fragment's bytes are a fixed
 * function of (position, pattern), in a malloc of exactly its length.
 *
 * The model keeps, per key, the fragments (but duplicates) fed since that
 * key's last report and, at each report, rebuilds the datagram naively (a byte map, first copy
 * wins, exact duplicates skipped) and requires the report to match: length
 * (end of the first last fragment, or bytes held when given up), every
 * byte, n_frags, wirebytes, first/last ts, overlap, conflict. A fragment
 * that makes its datagram give up (cut, oversize, too many, memcap) counts
 * in that report without bytes; a timeout found while adding a fragment
 * reports the datagram without it. After each add the datagram must not be
 * complete in the model (no missed completion), a duplicate must be one in
 * the model and counted, the budget must stay under
 * its cap, and at the end: budget.used == 0 after nc_defrag_free, and
 * fragments == sum of reported n_frags + duplicates.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "stream/ip_defrag.h"

enum {
    NKEYS = 16,
    MAX_FRAGS_IN = 1024, /* fragments read from one input */
    CFG_BYTES = 3,
    REC_BYTES = 6,
};
#define TIMEOUT_NS (100LL * 1000000LL)

struct mfrag {
    uint8_t key;
    bool live, more, seed;
    uint32_t off, len, wirelen;
    int64_t ts;
};

struct model {
    struct mfrag fr[MAX_FRAGS_IN];
    size_t n;
    /* the fragment being added, and whether a report has included it */
    const struct mfrag *cur;
    bool cur_reported;
    uint64_t reported_frags;
    struct nc_defrag_stats st;
    struct nc_budget budget;
    /* naive rebuild */
    uint8_t bytes[NC_DEFRAG_MAX_PAYLOAD];
    bool covered[NC_DEFRAG_MAX_PAYLOAD];
};

static uint8_t pat(uint32_t pos, bool seed)
{
    return (uint8_t)(pos * 131u + (pos >> 8) + (seed ? 0x5bu : 0u));
}

static uint32_t key_id(uint8_t key)
{
    return 0xabcd0000u | (key & 3u);
}

static void key_addrs(uint8_t key, uint8_t *ver, uint8_t src[16], uint8_t dst[16])
{
    memset(src, 0, 16);
    memset(dst, 0, 16);
    bool v6 = key & 4;
    uint8_t alt = (uint8_t)(1 + ((key >> 3) & 1));
    *ver = v6 ? 6 : 4;
    if (v6) {
        src[0] = dst[0] = 0xfe;
        src[1] = dst[1] = 0x80;
        src[15] = alt;
        dst[15] = 9;
    } else {
        src[0] = dst[0] = 10;
        src[3] = alt;
        dst[3] = 9;
    }
}

static uint8_t key_of_report(const struct nc_defrag_datagram *dg)
{
    uint8_t ver, src[16], dst[16];
    for (uint8_t k = 0; k < NKEYS; k++) {
        key_addrs(k, &ver, src, dst);
        if (dg->ver == ver && dg->id == key_id(k) && dg->proto == 17 &&
                memcmp(dg->src, src, 16) == 0 && memcmp(dg->dst, dst, 16) == 0) {
            return k;
        }
    }
    fuzz_fail("defrag: report for a key never fed");
}

struct rebuilt {
    bool has_end;
    uint32_t end, held, n_frags;
    uint64_t wirebytes;
    int64_t first_ts, last_ts;
    bool overlap, conflict;
};

static void count_only(struct rebuilt *r, const struct mfrag *g)
{
    if (r->n_frags == 0) {
        r->first_ts = g->ts;
    }
    r->n_frags++;
    r->wirebytes += g->wirelen;
    r->last_ts = g->ts;
}

/* Adds g to the naive rebuild of key k (first copy wins); false when g is
 * an exact duplicate of one of the first `before` fragments (skipped). */
static bool apply(
        struct model *m, struct rebuilt *r, const struct mfrag *g, uint8_t k, size_t before)
{
    bool any = false, all = true, differ = false;
    for (uint32_t p = g->off; p < g->off + g->len; p++) {
        if (m->covered[p]) {
            any = true;
            differ = differ || m->bytes[p] != pat(p, g->seed);
        } else {
            all = false;
        }
    }
    if (all && !differ) {
        for (size_t j = 0; j < before; j++) {
            const struct mfrag *h = &m->fr[j];
            if (h->live && h->key == k && h->off == g->off && h->len == g->len) {
                return false;
            }
        }
    }
    count_only(r, g);
    r->overlap = r->overlap || any;
    r->conflict = r->conflict || differ;
    for (uint32_t p = g->off; p < g->off + g->len; p++) {
        if (!m->covered[p]) {
            m->covered[p] = true;
            m->bytes[p] = pat(p, g->seed);
            r->held++;
        }
    }
    if (!g->more && !r->has_end) {
        r->has_end = true;
        r->end = g->off + g->len;
    }
    return true;
}

/* Naive rebuild of key k from its live fragments (never duplicates). */
static struct rebuilt rebuild(struct model *m, uint8_t k)
{
    struct rebuilt r;
    memset(&r, 0, sizeof(r));
    memset(m->covered, 0, sizeof(m->covered));
    for (size_t i = 0; i < m->n; i++) {
        const struct mfrag *g = &m->fr[i];
        if (g->live && g->key == k && !apply(m, &r, g, k, i)) {
            fuzz_fail("defrag: model kept a duplicate");
        }
    }
    return r;
}

static bool complete_in_model(const struct model *m, const struct rebuilt *r)
{
    if (!r->has_end) {
        return false;
    }
    for (uint32_t p = 0; p < r->end; p++) {
        if (!m->covered[p]) {
            return false;
        }
    }
    return true;
}

static void check_report(struct model *m, const struct nc_defrag_datagram *dg, bool done)
{
    uint8_t k = key_of_report(dg);
    /* the fragment being added is part of this report unless the report
     * is about an older datagram (timeout) or another key (eviction) */
    bool with_cur = m->cur && !m->cur_reported && m->cur->key == k &&
                    dg->reason != NC_DEFRAG_TIMEOUT && dg->reason != NC_DEFRAG_EVICTED;
    if (with_cur) {
        m->cur_reported = true;
    }
    struct rebuilt r = rebuild(m, k);
    if (with_cur) {
        if (!done) {
            count_only(&r, m->cur); /* counted, never stored */
        } else if (!apply(m, &r, m->cur, k, m->n)) {
            fuzz_fail("defrag: a duplicate completed a datagram");
        }
    }
    if (dg->n_frags != r.n_frags || dg->wirebytes != r.wirebytes) {
        fuzz_fail("defrag: n_frags or wirebytes differ from the model");
    }
    if (dg->n_frags && (dg->first_ts != r.first_ts || dg->last_ts != r.last_ts)) {
        fuzz_fail("defrag: first/last ts differ from the model");
    }
    if (dg->overlap != r.overlap || dg->conflict != r.conflict) {
        fuzz_fail("defrag: overlap/conflict differ from the model");
    }
    if (dg->oversize != (dg->reason == NC_DEFRAG_OVERSIZE) ||
            dg->cut != (dg->reason == NC_DEFRAG_CUT)) {
        fuzz_fail("defrag: oversize/cut flags do not match the reason");
    }
    if (done) {
        if (dg->reason != NC_DEFRAG_COMPLETE || !dg->data) {
            fuzz_fail("defrag: done without data");
        }
        if (!complete_in_model(m, &r) || dg->len != r.end) {
            fuzz_fail("defrag: completed datagram's length is not the model's");
        }
        for (uint32_t p = 0; p < r.end; p++) {
            if (dg->data[p] != m->bytes[p]) {
                fuzz_fail("defrag: reassembled bytes differ (first copy must win)");
            }
        }
    } else {
        if (dg->reason == NC_DEFRAG_COMPLETE || dg->data) {
            fuzz_fail("defrag: expired datagram with data");
        }
        if (dg->len != r.held) {
            fuzz_fail("defrag: given-up length is not the bytes held");
        }
        if (dg->n_frags == 0) {
            fuzz_fail("defrag: empty datagram reported");
        }
    }
    for (size_t i = 0; i < m->n; i++) {
        if (m->fr[i].key == k) {
            m->fr[i].live = false;
        }
    }
    m->reported_frags += dg->n_frags;
}

static void on_done(void *ctx, const struct nc_defrag_datagram *dg)
{
    check_report(ctx, dg, true);
}

static void on_expire(void *ctx, const struct nc_defrag_datagram *dg)
{
    check_report(ctx, dg, false);
}

static int64_t step(int64_t ts, uint8_t b)
{
    const int64_t ms = 1000000, s = 1000000000;
    if (b < 240) {
        return ts > INT64_MAX - b * ms ? INT64_MAX : ts + b * ms;
    }
    if (b < 250) {
        int64_t back = (b - 239) * s;
        return ts < INT64_MIN + back ? INT64_MIN : ts - back;
    }
    switch (b) {
        case 250:
            return INT64_MAX;
        case 251:
            return INT64_MIN;
        case 252:
            return ts > INT64_MAX - 10 * s ? INT64_MAX : ts + 10 * s;
        default:
            return ts;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m;
    if (size < CFG_BYTES) {
        return 0;
    }
    uint8_t *in = fuzz_dup(data, size);
    m.n = 0;
    m.cur = NULL;
    m.cur_reported = false;
    m.reported_frags = 0;
    memset(&m.st, 0, sizeof(m.st));
    struct nc_defrag_cfg cfg = { 1u + (in[0] & 7u), 1u + (in[1] & 63u), TIMEOUT_NS };
    uint64_t cap = (uint64_t)in[2] * 512;
    nc_budget_init(&m.budget, cap);
    struct nc_defrag *t = nc_defrag_new(&cfg, &m.budget, &m.st, on_done, on_expire, &m);
    if (!t) {
        fuzz_fail("defrag: nc_defrag_new failed");
    }
    int64_t ts = 1700000000LL * 1000000000LL;
    for (size_t pos = CFG_BYTES; pos + REC_BYTES <= size && m.n + 1 < MAX_FRAGS_IN;
            pos += REC_BYTES) {
        const uint8_t *r = in + pos;
        struct mfrag g;
        memset(&g, 0, sizeof(g));
        g.key = (uint8_t)(r[0] & 15);
        g.more = r[0] & 0x10;
        bool cut = r[0] & 0x20;
        g.seed = r[0] & 0x40;
        g.off = (uint32_t)(r[1] | (r[2] & 0x1f) << 8) * 8 + (uint32_t)(r[2] >> 5);
        g.len = r[3] < 248 ? r[3] : (uint32_t)(r[3] - 247) * 8192;
        ts = step(ts, r[4]);
        g.ts = ts;
        g.wirelen = g.len + r[5];

        uint8_t *bytes = malloc(g.len ? g.len : 1);
        if (!bytes) {
            fuzz_fail("defrag: out of memory");
        }
        for (uint32_t i = 0; i < g.len; i++) {
            bytes[i] = pat(g.off + i, g.seed);
        }
        struct nc_defrag_frag f;
        memset(&f, 0, sizeof(f));
        key_addrs(g.key, &f.ver, f.src, f.dst);
        f.proto = 17;
        f.id = key_id(g.key);
        f.offset = g.off;
        f.more = g.more;
        f.data = bytes;
        f.len = g.len;
        f.cut = cut;
        f.ts = g.ts;
        f.wirelen = g.wirelen;

        m.cur = &g;
        m.cur_reported = false;
        uint64_t dups = m.st.duplicates;
        nc_defrag_add(t, &f);
        m.cur = NULL;
        free(bytes);
        bool dup = false;
        if (!m.cur_reported) {
            if (cut || (uint64_t)g.off + g.len > NC_DEFRAG_MAX_PAYLOAD) {
                fuzz_fail("defrag: cut or oversize fragment not reported at once");
            }
            struct rebuilt rb = rebuild(&m, g.key);
            dup = !apply(&m, &rb, &g, g.key, m.n);
            if (!dup) {
                g.live = true;
                m.fr[m.n++] = g;
            }
            if (complete_in_model(&m, &rb)) {
                fuzz_fail("defrag: datagram complete in the model but not reported");
            }
        }
        if (m.st.duplicates - dups != (dup ? 1u : 0u)) {
            fuzz_fail("defrag: duplicate count differs from the model");
        }
        if (cap && m.budget.used > cap) {
            fuzz_fail("defrag: budget over its cap");
        }
        if (r[0] & 0x80) {
            nc_defrag_expire(t, ts);
        }
    }
    nc_defrag_free(t);
    if (m.budget.used != 0) {
        fuzz_fail("defrag: budget not refunded after nc_defrag_free");
    }
    if (m.st.fragments != m.reported_frags + m.st.duplicates) {
        fuzz_fail("defrag: fragments not all accounted for");
    }
    if (m.st.completed + m.st.incomplete == 0 && m.st.fragments != m.st.duplicates) {
        fuzz_fail("defrag: fragments but no report");
    }
    free(in);
    return 0;
}
