/*
 * Unit tests of IP fragment reassembly (src/stream/ip_defrag.c): orders,
 * duplicates, the overlap policy (first copy wins, conflicts flagged),
 * Teardrop and Ping of Death, every cap (age in capture time, pending
 * datagrams, fragments per datagram, budget), flush order, and random
 * datagrams cut and shuffled at random (seeded) that must come back whole.
 * Every test ends with the budget back at 0 and every fragment accounted
 * for (fragments == sum of n_frags reported + duplicates).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem.h"
#include "stream/ip_defrag.h"

#define SEC 1000000000LL

/* ------------------------------------------------------------ collector */

struct report {
    bool done;
    uint8_t ver, proto, reason;
    uint32_t id;
    uint8_t src[16], dst[16];
    uint8_t *data; /* copy (done only) */
    size_t len;
    uint32_t n_frags;
    uint64_t wirebytes;
    int64_t first_ts, last_ts;
    bool overlap, conflict, oversize, cut;
};

struct env {
    struct nc_defrag *t;
    struct nc_budget budget;
    struct nc_defrag_stats st;
    size_t n;
    struct report r[256];
    uint64_t frags_reported;
};

static void record(struct env *e, const struct nc_defrag_datagram *dg, bool done)
{
    assert_true(e->n < NC_ARRAY_LEN(e->r));
    struct report *r = &e->r[e->n++];
    memset(r, 0, sizeof(*r));
    r->done = done;
    r->ver = dg->ver;
    r->proto = dg->proto;
    r->reason = dg->reason;
    r->id = dg->id;
    memcpy(r->src, dg->src, 16);
    memcpy(r->dst, dg->dst, 16);
    r->len = dg->len;
    if (done) {
        assert_non_null(dg->data);
        r->data = malloc(dg->len ? dg->len : 1);
        assert_non_null(r->data);
        memcpy(r->data, dg->data, dg->len);
    } else {
        assert_null(dg->data);
    }
    r->n_frags = dg->n_frags;
    r->wirebytes = dg->wirebytes;
    r->first_ts = dg->first_ts;
    r->last_ts = dg->last_ts;
    r->overlap = dg->overlap;
    r->conflict = dg->conflict;
    r->oversize = dg->oversize;
    r->cut = dg->cut;
    e->frags_reported += dg->n_frags;
}

static void on_done(void *ctx, const struct nc_defrag_datagram *dg)
{
    record(ctx, dg, true);
}

static void on_expire(void *ctx, const struct nc_defrag_datagram *dg)
{
    record(ctx, dg, false);
}

static void env_init(
        struct env *e, uint32_t max_dg, uint32_t max_frags, int64_t timeout, uint64_t budget_cap)
{
    memset(e, 0, sizeof(*e));
    nc_budget_init(&e->budget, budget_cap);
    struct nc_defrag_cfg cfg = { max_dg, max_frags, timeout };
    e->t = nc_defrag_new(&cfg, &e->budget, &e->st, on_done, on_expire, e);
    assert_non_null(e->t);
}

static void env_clear(struct env *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->r[i].data);
        e->r[i].data = NULL;
    }
    e->n = 0;
}

/* Frees the table (flushing), then checks the invariants of every test. */
static void env_fini(struct env *e)
{
    nc_defrag_free(e->t);
    e->t = NULL;
    assert_int_equal(e->budget.used, 0);
    assert_int_equal(e->st.fragments, e->frags_reported + e->st.duplicates);
    assert_int_equal(e->st.completed + e->st.incomplete, e->n);
    env_clear(e);
}

/* ------------------------------------------------------------ fragments */

static uint8_t payload[65536];

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + seed);
    }
}

static struct nc_defrag_frag frag(uint8_t ver, uint32_t id, uint8_t src_last, uint32_t off,
        const uint8_t *data, size_t len, bool more, int64_t ts)
{
    struct nc_defrag_frag f;
    memset(&f, 0, sizeof(f));
    f.ver = ver;
    f.proto = 17;
    f.id = id;
    if (ver == 4) {
        f.src[0] = 192;
        f.src[1] = 0;
        f.src[2] = 2;
        f.src[3] = src_last;
        f.dst[0] = 198;
        f.dst[1] = 51;
        f.dst[2] = 100;
        f.dst[3] = 1;
    } else {
        f.src[0] = 0x20;
        f.src[1] = 0x01;
        f.src[2] = 0x0d;
        f.src[3] = 0xb8;
        f.src[15] = src_last;
        f.dst[0] = 0x20;
        f.dst[1] = 0x01;
        f.dst[2] = 0x0d;
        f.dst[3] = 0xb8;
        f.dst[15] = 0x53;
    }
    f.offset = off;
    f.more = more;
    f.data = data;
    f.len = len;
    f.ts = ts;
    f.wirelen = (uint32_t)len + (ver == 4 ? 34 : 62);
    return f;
}

/* Fragment i of a datagram of n bytes cut into pieces of size piece. */
static struct nc_defrag_frag piece_of(uint8_t ver, uint32_t id, uint8_t src_last, const uint8_t *p,
        size_t n, size_t piece, size_t i, int64_t ts)
{
    size_t off = i * piece;
    size_t len = NC_MIN(piece, n - off);
    return frag(ver, id, src_last, (uint32_t)off, p + off, len, off + len < n, ts);
}

static size_t n_pieces(size_t n, size_t piece)
{
    return (n + piece - 1) / piece;
}

static void add(struct env *e, struct nc_defrag_frag f)
{
    nc_defrag_add(e->t, &f);
}

static void assert_done_with(const struct report *r, const uint8_t *p, size_t n)
{
    assert_true(r->done);
    assert_int_equal(r->reason, NC_DEFRAG_COMPLETE);
    assert_int_equal(r->len, n);
    assert_memory_equal(r->data, p, n);
}

/* ------------------------------------------------------------ orders */

static void in_order_or_reverse(uint8_t ver, bool reverse)
{
    struct env e;
    env_init(&e, 16, 16, 30 * SEC, 0);
    const size_t n = 4000, piece = ver == 4 ? 1480 : 1232;
    fill_pattern(payload, n, ver);
    size_t k = n_pieces(n, piece);
    uint64_t wire = 0;
    for (size_t j = 0; j < k; j++) {
        size_t i = reverse ? k - 1 - j : j;
        struct nc_defrag_frag f = piece_of(ver, 0x1234, 1, payload, n, piece, i, 100 + (int64_t)j);
        wire += f.wirelen;
        assert_int_equal(e.n, 0);
        nc_defrag_add(e.t, &f);
    }
    assert_int_equal(e.n, 1);
    const struct report *r = &e.r[0];
    assert_done_with(r, payload, n);
    assert_int_equal(r->ver, ver);
    assert_int_equal(r->proto, 17);
    assert_int_equal(r->id, 0x1234);
    assert_int_equal(r->n_frags, k);
    assert_int_equal(r->wirebytes, wire);
    assert_int_equal(r->first_ts, 100);
    assert_int_equal(r->last_ts, 100 + (int64_t)k - 1);
    assert_false(r->overlap);
    assert_false(r->conflict);
    if (ver == 6) {
        assert_int_equal(r->src[15], 1);
        assert_int_equal(r->dst[0], 0x20);
    } else {
        assert_int_equal(r->src[3], 1);
        assert_int_equal(r->src[4], 0);
    }
    assert_int_equal(e.st.completed, 1);
    assert_int_equal(e.st.incomplete, 0);
    assert_int_equal(e.st.bad, 0);
    assert_int_equal(e.st.overlaps, 0);
    assert_true(e.budget.peak > n); /* the buffer was charged */
    assert_int_equal(e.budget.used, 0);
    env_fini(&e);
    assert_int_equal(e.st.incomplete, 0); /* nothing was left pending */
}

static void test_ipv4_in_order(void **state)
{
    NC_UNUSED(state);
    in_order_or_reverse(4, false);
}

static void test_ipv4_reverse(void **state)
{
    NC_UNUSED(state);
    in_order_or_reverse(4, true);
}

static void test_ipv6_in_order(void **state)
{
    NC_UNUSED(state);
    in_order_or_reverse(6, false);
}

static void test_ipv6_reverse(void **state)
{
    NC_UNUSED(state);
    in_order_or_reverse(6, true);
}

/* A DNS answer of 3238 bytes over IPv6 at 1280 MTU: 3 fragments, all 6 orders. */
static void test_dns_sized_every_order(void **state)
{
    NC_UNUSED(state);
    static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 },
        { 2, 0, 1 }, { 2, 1, 0 } };
    const size_t n = 3238, piece = 1232;
    assert_int_equal(n_pieces(n, piece), 3);
    for (int v = 0; v < 2; v++) {
        uint8_t ver = v ? 6 : 4;
        for (int o = 0; o < 6; o++) {
            struct env e;
            env_init(&e, 4, 8, 30 * SEC, 0);
            fill_pattern(payload, n, (uint32_t)o);
            for (int j = 0; j < 3; j++) {
                add(&e, piece_of(ver, 77, 9, payload, n, piece, (size_t)orders[o][j], j));
                assert_int_equal(e.n, j == 2 ? 1 : 0);
            }
            assert_done_with(&e.r[0], payload, n);
            assert_int_equal(e.r[0].n_frags, 3);
            assert_int_equal(e.r[0].first_ts, 0);
            assert_int_equal(e.r[0].last_ts, 2);
            env_fini(&e);
        }
    }
}

/* ------------------------------------------------------------ overlaps */

static void test_exact_duplicates_are_ignored(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 0);
    const size_t n = 3000, piece = 1000;
    fill_pattern(payload, n, 3);
    add(&e, piece_of(4, 1, 1, payload, n, piece, 0, 1));
    add(&e, piece_of(4, 1, 1, payload, n, piece, 0, 2)); /* duplicate of the first */
    add(&e, piece_of(4, 1, 1, payload, n, piece, 1, 3));
    add(&e, piece_of(4, 1, 1, payload, n, piece, 0, 4)); /* again */
    add(&e, piece_of(4, 1, 1, payload, n, piece, 1, 5));
    add(&e, piece_of(4, 1, 1, payload, n, piece, 2, 6));
    assert_int_equal(e.n, 1);
    assert_done_with(&e.r[0], payload, n);
    assert_int_equal(e.r[0].n_frags, 3);
    assert_int_equal(e.r[0].last_ts, 6);
    assert_false(e.r[0].overlap);
    assert_false(e.r[0].conflict);
    assert_int_equal(e.st.duplicates, 3);
    assert_int_equal(e.st.overlaps, 0);
    assert_int_equal(e.st.conflicts, 0);
    /* a duplicate after completion starts a new datagram (reported at the end) */
    add(&e, piece_of(4, 1, 1, payload, n, piece, 2, 7));
    assert_int_equal(e.n, 1);
    env_fini(&e);
}

static void test_overlap_with_same_bytes(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 0);
    fill_pattern(payload, 48, 5);
    add(&e, frag(4, 2, 1, 0, payload, 24, true, 1));
    add(&e, frag(4, 2, 1, 16, payload + 16, 16, true, 2)); /* [16,32): 8 old, 8 new */
    add(&e, frag(4, 2, 1, 8, payload + 8, 8, true, 3));    /* inside the first, same bytes */
    add(&e, frag(4, 2, 1, 32, payload + 32, 16, false, 4));
    assert_int_equal(e.n, 1);
    assert_done_with(&e.r[0], payload, 48);
    assert_true(e.r[0].overlap);
    assert_false(e.r[0].conflict);
    assert_int_equal(e.r[0].n_frags, 4); /* overlaps are not duplicates */
    assert_int_equal(e.st.overlaps, 2);
    assert_int_equal(e.st.conflicts, 0);
    assert_int_equal(e.st.duplicates, 0);
    env_fini(&e);
}

static void test_overlap_with_different_bytes_first_copy_wins(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 0);
    uint8_t a[24], b[24], c[8];
    memset(a, 0xaa, sizeof(a));
    memset(b, 0xbb, sizeof(b));
    memset(c, 0xcc, sizeof(c));
    add(&e, frag(4, 3, 1, 8, b, 24, true, 1));  /* [8,32) first */
    add(&e, frag(4, 3, 1, 0, a, 24, true, 2));  /* [0,24): [8,24) differ */
    add(&e, frag(4, 3, 1, 8, c, 8, true, 3));   /* [8,16) again, differ again */
    add(&e, frag(4, 3, 1, 32, c, 8, false, 4)); /* [32,40) end */
    assert_int_equal(e.n, 1);
    const struct report *r = &e.r[0];
    assert_true(r->done);
    assert_int_equal(r->len, 40);
    for (size_t i = 0; i < 40; i++) {
        uint8_t want = i < 8 ? 0xaa : i < 32 ? 0xbb : 0xcc;
        assert_int_equal(r->data[i], want);
    }
    assert_true(r->overlap);
    assert_true(r->conflict);
    assert_int_equal(r->n_frags, 4);
    assert_int_equal(e.st.overlaps, 2);
    assert_int_equal(e.st.conflicts, 2);
    env_fini(&e);
}

/* Same offset and length, different bytes: not a duplicate but a conflict. */
static void test_same_place_different_bytes_is_a_conflict(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 0);
    uint8_t a[16], b[16];
    memset(a, 1, sizeof(a));
    memset(b, 2, sizeof(b));
    add(&e, frag(6, 4, 1, 0, a, 16, true, 1));
    add(&e, frag(6, 4, 1, 0, b, 16, true, 2));
    add(&e, frag(6, 4, 1, 16, b, 16, false, 3));
    assert_int_equal(e.n, 1);
    assert_true(e.r[0].conflict);
    assert_int_equal(e.r[0].data[0], 1);
    assert_int_equal(e.r[0].data[15], 1);
    assert_int_equal(e.r[0].data[16], 2);
    assert_int_equal(e.st.duplicates, 0);
    assert_int_equal(e.st.conflicts, 1);
    env_fini(&e);
}

/* Teardrop: the last fragment lies inside the first, ending before it. */
static void test_teardrop(void **state)
{
    NC_UNUSED(state);
    for (int order = 0; order < 2; order++) {
        struct env e;
        env_init(&e, 4, 8, 30 * SEC, 0);
        uint8_t first[36], second[4];
        memset(first, 0x11, sizeof(first));
        memset(second, 0x22, sizeof(second));
        struct nc_defrag_frag f1 = frag(4, 5, 1, 0, first, 36, true, 1);
        struct nc_defrag_frag f2 = frag(4, 5, 1, 24, second, 4, false, 2);
        if (order == 0) {
            nc_defrag_add(e.t, &f1);
            nc_defrag_add(e.t, &f2);
        } else {
            nc_defrag_add(e.t, &f2);
            nc_defrag_add(e.t, &f1);
        }
        assert_int_equal(e.n, 1);
        const struct report *r = &e.r[0];
        assert_true(r->done);
        assert_int_equal(r->len, 28); /* the end the last fragment declared */
        assert_true(r->overlap);
        assert_true(r->conflict);
        for (size_t i = 0; i < 28; i++) {
            /* first copy wins: [24,28) is whichever came first */
            uint8_t want = i < 24 || order == 0 ? 0x11 : 0x22;
            assert_int_equal(r->data[i], want);
        }
        /* bad counts fragments: 36 bytes with MF; the end below bytes held */
        assert_int_equal(e.st.bad, order == 0 ? 2 : 1);
        assert_int_equal(e.st.overlaps, 1);
        env_fini(&e);
    }
}

/* ------------------------------------------------------------ oversize, cut, bad */

static void test_ping_of_death(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 64, 30 * SEC, 0);
    fill_pattern(payload, 1480, 1);
    add(&e, frag(4, 6, 1, 0, payload, 1480, true, 1));
    add(&e, frag(4, 6, 1, 1480, payload, 1480, true, 2));
    add(&e, frag(4, 6, 1, 65528, payload, 100, false, 3)); /* 65528 + 100 > 65535 */
    assert_int_equal(e.n, 1);
    const struct report *r = &e.r[0];
    assert_false(r->done);
    assert_true(r->oversize);
    assert_int_equal(r->reason, NC_DEFRAG_OVERSIZE);
    assert_int_equal(r->n_frags, 3);
    assert_int_equal(r->wirebytes, 1514 + 1514 + 134);
    assert_int_equal(r->len, 2960); /* bytes that had been held */
    assert_int_equal(e.st.oversize, 1);
    assert_int_equal(e.st.completed, 0);
    assert_int_equal(e.st.incomplete, 1);
    assert_int_equal(e.budget.used, 0); /* nothing kept */
    /* alone: reported alone, nothing buffered */
    add(&e, frag(4, 7, 1, 65528, payload, 8, false, 4));
    assert_int_equal(e.n, 2);
    assert_true(e.r[1].oversize);
    assert_int_equal(e.r[1].n_frags, 1);
    assert_int_equal(e.r[1].id, 7);
    assert_int_equal(e.budget.used, 0);
    /* exactly 65535 is fine */
    add(&e, frag(4, 8, 1, 65528, payload, 7, false, 5));
    assert_int_equal(e.n, 2);
    assert_int_equal(e.st.oversize, 2);
    env_fini(&e);
    assert_int_equal(e.st.incomplete, 3);
}

static void test_cut_fragment_gives_up_at_once(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 0);
    fill_pattern(payload, 3000, 1);
    add(&e, piece_of(4, 9, 1, payload, 3000, 1480, 0, 1));
    struct nc_defrag_frag f = piece_of(4, 9, 1, payload, 3000, 1480, 1, 2);
    f.len = 200; /* snaplen */
    f.cut = true;
    nc_defrag_add(e.t, &f);
    assert_int_equal(e.n, 1);
    assert_false(e.r[0].done);
    assert_true(e.r[0].cut);
    assert_int_equal(e.r[0].reason, NC_DEFRAG_CUT);
    assert_int_equal(e.r[0].n_frags, 2);
    assert_int_equal(e.st.cut, 1);
    assert_int_equal(e.budget.used, 0);
    /* the rest forms a new datagram that never completes */
    add(&e, piece_of(4, 9, 1, payload, 3000, 1480, 2, 3));
    assert_int_equal(e.n, 1);
    env_fini(&e);
    assert_int_equal(e.st.incomplete, 2);
}

static void test_bad_lengths_and_two_ends(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 0);
    fill_pattern(payload, 100, 2);
    /* MF with 13 bytes: counted bad, still used */
    add(&e, frag(4, 10, 1, 0, payload, 13, true, 1));
    assert_int_equal(e.st.bad, 1);
    add(&e, frag(4, 10, 1, 64, payload + 64, 16, false, 2)); /* end 80 */
    add(&e, frag(4, 10, 1, 64, payload + 64, 24, false, 3)); /* second end 88: bad, first kept */
    assert_int_equal(e.st.bad, 2);
    assert_int_equal(e.st.overlaps, 1);
    add(&e, frag(4, 10, 1, 13, payload + 13, 51, true, 4)); /* 51 bytes with MF: bad */
    assert_int_equal(e.st.bad, 3);
    assert_int_equal(e.n, 1);
    assert_done_with(&e.r[0], payload, 80);
    assert_int_equal(e.r[0].n_frags, 4);
    assert_true(e.r[0].overlap);
    assert_false(e.r[0].conflict);
    env_fini(&e);
}

/* ------------------------------------------------------------ caps */

static void test_timeout_in_capture_time(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 8, 8, 2 * SEC, 0);
    fill_pattern(payload, 3000, 1);
    struct nc_defrag_frag f0 = piece_of(4, 11, 1, payload, 3000, 1000, 0, 10 * SEC);
    struct nc_defrag_frag f2 = piece_of(4, 11, 1, payload, 3000, 1000, 2, 11 * SEC);
    nc_defrag_add(e.t, &f0);
    nc_defrag_add(e.t, &f2);
    add(&e, piece_of(4, 12, 1, payload, 3000, 1000, 1, 11 * SEC)); /* younger */
    nc_defrag_expire(e.t, 12 * SEC);
    assert_int_equal(e.n, 0);
    nc_defrag_expire(e.t, 12 * SEC + 1); /* first is 2 s + 1 ns old */
    assert_int_equal(e.n, 1);
    const struct report *r = &e.r[0];
    assert_false(r->done);
    assert_int_equal(r->reason, NC_DEFRAG_TIMEOUT);
    assert_int_equal(r->id, 11);
    assert_int_equal(r->n_frags, 2);
    assert_int_equal(r->wirebytes, f0.wirelen + f2.wirelen);
    assert_int_equal(r->first_ts, 10 * SEC);
    assert_int_equal(r->last_ts, 11 * SEC);
    assert_int_equal(r->len, 2000);
    assert_int_equal(e.st.timeouts, 1);
    /* time never goes back: an older 'now' expires nothing more */
    nc_defrag_expire(e.t, 0);
    assert_int_equal(e.n, 1);
    /* a late fragment of an expired-by-age datagram starts a new one,
     * even without an expire call in between */
    add(&e, piece_of(4, 12, 1, payload, 3000, 1000, 0, 20 * SEC));
    assert_int_equal(e.n, 2);
    assert_int_equal(e.r[1].id, 12);
    assert_int_equal(e.r[1].reason, NC_DEFRAG_TIMEOUT);
    assert_int_equal(e.r[1].n_frags, 1);
    env_fini(&e);
    assert_int_equal(e.st.timeouts, 2);
}

static void test_timeout_saturates(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 8, 8, INT64_MAX, 0);
    fill_pattern(payload, 16, 1);
    add(&e, frag(4, 1, 1, 0, payload, 8, true, INT64_MIN));
    nc_defrag_expire(e.t, INT64_MAX); /* INT64_MAX - INT64_MIN saturates to INT64_MAX */
    assert_int_equal(e.n, 0);
    env_fini(&e);

    env_init(&e, 8, 8, 1, 0);
    add(&e, frag(4, 1, 1, 0, payload, 8, true, INT64_MIN));
    add(&e, frag(4, 2, 1, 0, payload, 8, true, INT64_MAX));
    nc_defrag_expire(e.t, INT64_MAX);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.r[0].id, 1);
    nc_defrag_expire(e.t, INT64_MIN);
    assert_int_equal(e.n, 1);
    env_fini(&e);
}

static void test_table_full_drops_the_oldest(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 2, 8, 30 * SEC, 0);
    fill_pattern(payload, 64, 1);
    add(&e, frag(4, 21, 1, 0, payload, 32, true, 1));
    add(&e, frag(4, 22, 1, 0, payload, 32, true, 2));
    add(&e, frag(4, 21, 1, 32, payload + 32, 8, true, 3)); /* activity does not refresh */
    add(&e, frag(4, 23, 1, 0, payload, 32, true, 4));
    assert_int_equal(e.n, 1);
    assert_int_equal(e.r[0].id, 21);
    assert_int_equal(e.r[0].reason, NC_DEFRAG_EVICTED);
    assert_int_equal(e.r[0].n_frags, 2);
    assert_int_equal(e.st.table_full, 1);
    add(&e, frag(4, 23, 1, 32, payload + 32, 32, false, 5));
    add(&e, frag(4, 22, 1, 32, payload + 32, 32, false, 6));
    assert_int_equal(e.n, 3);
    assert_int_equal(e.r[1].id, 23);
    assert_done_with(&e.r[1], payload, 64);
    assert_int_equal(e.r[2].id, 22);
    assert_done_with(&e.r[2], payload, 64);
    env_fini(&e);
}

static void test_too_many_fragments(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 4, 3, 30 * SEC, 0);
    fill_pattern(payload, 64, 1);
    for (uint32_t i = 0; i < 3; i++) {
        add(&e, frag(4, 31, 1, i * 8, payload + i * 8, 8, true, i));
    }
    assert_int_equal(e.n, 0);
    add(&e, frag(4, 31, 1, 0, payload, 8, true, 9)); /* duplicate: not counted */
    assert_int_equal(e.n, 0);
    add(&e, frag(4, 31, 1, 24, payload + 24, 8, true, 10));
    assert_int_equal(e.n, 1);
    assert_int_equal(e.r[0].reason, NC_DEFRAG_TOO_MANY);
    assert_int_equal(e.r[0].n_frags, 4);
    assert_int_equal(e.r[0].last_ts, 10);
    assert_int_equal(e.st.too_many, 1);
    assert_int_equal(e.budget.used, 0);
    /* exactly max_frags completes */
    for (uint32_t i = 0; i < 3; i++) {
        add(&e, frag(4, 32, 1, i * 8, payload + i * 8, 8, i < 2, i));
    }
    assert_int_equal(e.n, 2);
    assert_done_with(&e.r[1], payload, 24);
    env_fini(&e);
}

/* Every budget from 0 up: each run either completes or gives up (memcap)
 * and always refunds everything. */
static void test_budget_exhaustion(void **state)
{
    NC_UNUSED(state);
    const size_t n = 3238, piece = 1232;
    fill_pattern(payload, n, 4);
    bool saw_memcap = false, saw_done = false;
    for (uint64_t cap = 1; cap < 12000; cap += 97) {
        struct env e;
        env_init(&e, 4, 8, 30 * SEC, cap);
        for (size_t i = 3; i-- > 0;) {
            add(&e, piece_of(4, 41, 1, payload, n, piece, i, (int64_t)i));
            assert_true(e.budget.used <= cap);
        }
        add(&e, frag(4, 42, 1, 0, payload, 8, true, 5)); /* left pending */
        assert_true(e.budget.used <= cap);
        for (size_t i = 0; i < e.n; i++) {
            if (e.r[i].done) {
                saw_done = true;
                assert_done_with(&e.r[i], payload, n);
            } else if (e.r[i].reason == NC_DEFRAG_MEMCAP) {
                saw_memcap = true;
                assert_true(e.st.memcap > 0);
                assert_true(e.budget.refused > 0);
            }
        }
        env_fini(&e);
    }
    assert_true(saw_memcap);
    assert_true(saw_done);

    /* with a budget too small for even the state, each fragment is reported alone */
    struct env e;
    env_init(&e, 4, 8, 30 * SEC, 8);
    add(&e, frag(4, 43, 1, 0, payload, 8, true, 1));
    add(&e, frag(4, 43, 1, 8, payload, 8, false, 2));
    assert_int_equal(e.n, 2);
    assert_int_equal(e.r[0].reason, NC_DEFRAG_MEMCAP);
    assert_int_equal(e.r[1].n_frags, 1);
    assert_int_equal(e.st.memcap, 2);
    env_fini(&e);
}

/* The allocator refusing (global cap in core/mem.c) is handled like the
 * budget refusing: counted as memcap, nothing leaks, every byte refunded. */
static void test_allocation_failure(void **state)
{
    NC_UNUSED(state);
    const size_t n = 3238, piece = 1232;
    fill_pattern(payload, n, 6);
    uint64_t base = nc_mem_in_use();
    bool saw_null = false, saw_memcap = false, saw_done = false;
    for (uint64_t extra = 0; extra < 40000; extra += 61) {
        struct env e;
        memset(&e, 0, sizeof(e));
        nc_budget_init(&e.budget, 0);
        struct nc_defrag_cfg cfg = { 4, 8, 30 * SEC };
        nc_mem_set_cap(base + extra);
        e.t = nc_defrag_new(&cfg, &e.budget, &e.st, on_done, on_expire, &e);
        if (!e.t) {
            saw_null = true;
            nc_mem_set_cap(0);
            assert_int_equal(nc_mem_in_use(), base);
            continue;
        }
        for (size_t i = 3; i-- > 0;) {
            add(&e, piece_of(6, 61, 1, payload, n, piece, i, (int64_t)i));
        }
        for (size_t i = 0; i < e.n; i++) {
            if (e.r[i].done) {
                saw_done = true;
                assert_done_with(&e.r[i], payload, n);
            } else {
                assert_int_equal(e.r[i].reason, NC_DEFRAG_MEMCAP);
                saw_memcap = true;
            }
        }
        env_fini(&e);
        nc_mem_set_cap(0);
        assert_int_equal(nc_mem_in_use(), base);
    }
    assert_true(saw_null);
    assert_true(saw_memcap);
    assert_true(saw_done);
}

static void test_same_id_different_source_kept_apart(void **state)
{
    NC_UNUSED(state);
    static uint8_t other[4000];
    struct env e;
    env_init(&e, 8, 8, 30 * SEC, 0);
    const size_t n = 4000, piece = 1480;
    fill_pattern(payload, n, 1);
    fill_pattern(other, n, 99);
    for (size_t i = 0; i < 3; i++) {
        add(&e, piece_of(4, 50, 1, payload, n, piece, i, (int64_t)i));
        add(&e, piece_of(4, 50, 2, other, n, piece, 2 - i, (int64_t)i));
    }
    /* and another protocol and another version with the same id */
    struct nc_defrag_frag f = frag(4, 50, 1, 0, payload, 8, true, 9);
    f.proto = 6;
    nc_defrag_add(e.t, &f);
    add(&e, frag(6, 50, 1, 0, payload, 8, true, 9));
    assert_int_equal(e.n, 2);
    assert_int_equal(e.r[0].src[3], 1);
    assert_done_with(&e.r[0], payload, n);
    assert_int_equal(e.r[1].src[3], 2);
    assert_done_with(&e.r[1], other, n);
    assert_false(e.r[0].overlap || e.r[1].overlap);
    env_fini(&e);
    assert_int_equal(e.st.incomplete, 2);
}

static void test_flush_oldest_first(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 8, 8, 30 * SEC, 0);
    fill_pattern(payload, 64, 1);
    static const uint32_t ids[] = { 5, 3, 9, 1 };
    for (size_t i = 0; i < NC_ARRAY_LEN(ids); i++) {
        add(&e, frag(4, ids[i], 1, 8, payload, 8, true, 100 - (int64_t)i)); /* ts backwards */
    }
    add(&e, frag(4, 3, 1, 0, payload, 8, true, 200));
    nc_defrag_flush(e.t);
    assert_int_equal(e.n, 4);
    for (size_t i = 0; i < NC_ARRAY_LEN(ids); i++) {
        assert_int_equal(e.r[i].id, ids[i]);
        assert_int_equal(e.r[i].reason, NC_DEFRAG_FLUSHED);
        assert_false(e.r[i].done);
    }
    assert_int_equal(e.r[1].n_frags, 2);
    assert_int_equal(e.budget.used, 0);
    /* the table still works after a flush; free flushes too */
    add(&e, frag(4, 7, 1, 0, payload, 8, true, 300));
    add(&e, frag(4, 8, 1, 0, payload, 8, true, 301));
    assert_int_equal(e.n, 4);
    env_fini(&e);
    assert_int_equal(e.st.incomplete, 6);
}

static void test_free_reports_pending(void **state)
{
    NC_UNUSED(state);
    struct env e;
    env_init(&e, 8, 8, 30 * SEC, 0);
    fill_pattern(payload, 64, 1);
    add(&e, frag(6, 1, 1, 0, payload, 8, true, 1));
    add(&e, frag(6, 2, 1, 8, payload, 8, false, 2));
    nc_defrag_free(e.t);
    e.t = NULL;
    assert_int_equal(e.n, 2);
    assert_int_equal(e.r[0].id, 1);
    assert_int_equal(e.r[1].id, 2);
    assert_int_equal(e.r[1].len, 8);
    assert_int_equal(e.budget.used, 0);
    env_clear(&e);
}

/* ------------------------------------------------------------ random */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

struct rfrag {
    uint32_t dg, off, len;
    bool more;
};

/* Random datagrams (sizes up to 65535, random 8-byte-multiple cuts, some
 * duplicated, some overlapping with the same bytes) interleaved and
 * shuffled: each must complete with its original bytes. A duplicate or
 * overlap that comes after its datagram completed starts a new one, which
 * is flushed at the end or, made only of original bytes, completes with
 * them too. */
static void test_random_shuffles_reassemble(void **state)
{
    NC_UNUSED(state);
    enum {
        NDG = 6,
        MAXF = 256
    };
    static uint8_t data[NDG][65535];
    static struct rfrag fr[NDG * MAXF * 2];
    rng_state = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 150; round++) {
        struct env e;
        env_init(&e, NDG, MAXF * 2, 30 * SEC, 0);
        size_t nf = 0, len[NDG];
        for (uint32_t d = 0; d < NDG; d++) {
            len[d] = round % 10 == 0 ? 65535 - rnd_below(8)
                                     : 1 + rnd_below(round % 3 ? 5000 : 65535);
            for (size_t i = 0; i < len[d]; i++) {
                data[d][i] = (uint8_t)rnd();
            }
            size_t off = 0, minp = (len[d] / 64 + 8) & ~(size_t)7; /* <= 64 pieces */
            while (off < len[d]) {
                size_t piece = minp + 8 * rnd_below(round % 2 ? 200 : 20);
                size_t l = NC_MIN(piece, len[d] - off);
                fr[nf++] = (struct rfrag){ d, (uint32_t)off, (uint32_t)l, off + l < len[d] };
                if (rnd_below(8) == 0) { /* duplicate */
                    fr[nf] = fr[nf - 1];
                    nf++;
                }
                if (rnd_below(8) == 0 && off + l < len[d]) { /* overlap, same bytes */
                    size_t o = off + 8 * rnd_below(l / 8 + 1);
                    size_t ol = 8 * (1 + rnd_below(64)); /* not inside NC_MIN */
                    ol = NC_MIN(ol, len[d] - o);
                    fr[nf++] = (struct rfrag){ d, (uint32_t)o, (uint32_t)ol, o + ol < len[d] };
                }
                off += l;
            }
            assert_true(nf < NC_ARRAY_LEN(fr) - 2 * MAXF);
        }
        for (size_t i = nf; i > 1; i--) { /* Fisher-Yates */
            size_t j = rnd_below(i);
            struct rfrag tmp = fr[i - 1];
            fr[i - 1] = fr[j];
            fr[j] = tmp;
        }
        for (size_t i = 0; i < nf; i++) {
            const struct rfrag *r = &fr[i];
            add(&e, frag(r->dg % 2 ? 6 : 4, 1000 + r->dg, 1, r->off, data[r->dg] + r->off, r->len,
                            r->more, (int64_t)i));
        }
        bool seen[NDG] = { false };
        for (size_t i = 0; i < e.n; i++) {
            uint32_t d = e.r[i].id - 1000;
            assert_true(d < NDG);
            assert_true(e.r[i].done);
            seen[d] = true;
            assert_done_with(&e.r[i], data[d], len[d]);
            assert_false(e.r[i].conflict);
        }
        for (uint32_t d = 0; d < NDG; d++) {
            assert_true(seen[d]);
        }
        assert_int_equal(e.st.bad, 0);
        assert_int_equal(e.st.conflicts, 0);
        env_fini(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_in_order),
        cmocka_unit_test(test_ipv4_reverse),
        cmocka_unit_test(test_ipv6_in_order),
        cmocka_unit_test(test_ipv6_reverse),
        cmocka_unit_test(test_dns_sized_every_order),
        cmocka_unit_test(test_exact_duplicates_are_ignored),
        cmocka_unit_test(test_overlap_with_same_bytes),
        cmocka_unit_test(test_overlap_with_different_bytes_first_copy_wins),
        cmocka_unit_test(test_same_place_different_bytes_is_a_conflict),
        cmocka_unit_test(test_teardrop),
        cmocka_unit_test(test_ping_of_death),
        cmocka_unit_test(test_cut_fragment_gives_up_at_once),
        cmocka_unit_test(test_bad_lengths_and_two_ends),
        cmocka_unit_test(test_timeout_in_capture_time),
        cmocka_unit_test(test_timeout_saturates),
        cmocka_unit_test(test_table_full_drops_the_oldest),
        cmocka_unit_test(test_too_many_fragments),
        cmocka_unit_test(test_budget_exhaustion),
        cmocka_unit_test(test_allocation_failure),
        cmocka_unit_test(test_same_id_different_source_kept_apart),
        cmocka_unit_test(test_flush_oldest_first),
        cmocka_unit_test(test_free_reports_pending),
        cmocka_unit_test(test_random_shuffles_reassemble),
    };
    return cmocka_run_group_tests_name("ip_defrag", tests, NULL, NULL);
}
