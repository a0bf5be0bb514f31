/*
 * Unit tests of TCP reassembly (src/stream/tcp_reasm.c).
 *
 * A sink rebuilds the delivered stream by offset (each callback: skip the
 * gap, then write the bytes), marking every offset as delivered or gap. A
 * reference model keeps, per stream offset, the first byte value received
 * (first copy wins). The checks: every delivered byte equals the model's
 * first copy; without caps, the gaps are exactly the offsets never
 * received and the stream covers everything received (or up to the FIN).
 * Hand-written cases cover each rule of tcp_reasm.h; random schedules
 * (seeded, deterministic) compare the two byte for byte.
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
#include "decode/pkt.h"
#include "stream/tcp_reasm.h"

#define CAP 65536 /* stream offsets tracked by the sink and the model */

enum {
    M_NONE = 0,
    M_DATA = 1,
    M_GAP = 2,
};

struct sink {
    uint8_t out[CAP];
    uint8_t mark[CAP];
    uint64_t pos; /* stream offset of the next byte */
    size_t calls;
    size_t zero_calls; /* n == 0 (a gap alone) */
    const uint8_t *last_p;
    uint64_t last_gap;
    size_t last_n;
    int64_t last_ts;
};

static void sink_deliver(void *ctx, const uint8_t *p, size_t n, uint64_t gap, int64_t ts)
{
    struct sink *k = ctx;
    k->calls++;
    k->last_p = p;
    k->last_gap = gap;
    k->last_n = n;
    k->last_ts = ts;
    if (n == 0) {
        k->zero_calls++;
        assert_true(gap > 0); /* an empty callback only reports a gap */
    }
    assert_true(k->pos + gap + n <= CAP);
    for (uint64_t i = 0; i < gap; i++) {
        k->mark[k->pos + i] = M_GAP;
    }
    k->pos += gap;
    if (n) {
        assert_non_null(p);
        memcpy(k->out + k->pos, p, n);
        memset(k->mark + k->pos, M_DATA, n);
    }
    k->pos += n;
}

struct model {
    int16_t byte[CAP]; /* -1: never received */
    int64_t base;      /* offset (from isn) of stream offset 0; INT64_MIN: not started */
    uint64_t end;      /* highest stream offset received + 1 */
    bool fin;
    uint64_t fin_off;
};

static void model_init(struct model *m)
{
    for (size_t i = 0; i < CAP; i++) {
        m->byte[i] = -1;
    }
    m->base = INT64_MIN;
    m->end = 0;
    m->fin = false;
    m->fin_off = 0;
}

/* A segment at offset off (relative to isn + 1: a SYN is at -1). */
static void model_seg(struct model *m, int64_t off, uint16_t flags, const uint8_t *p, size_t n)
{
    if (flags & NC_TCP_RST) {
        return;
    }
    if (n == 0 && !(flags & (NC_TCP_SYN | NC_TCP_FIN))) {
        return;
    }
    int64_t s = off + ((flags & NC_TCP_SYN) ? 1 : 0);
    if (m->base == INT64_MIN) {
        m->base = s;
    }
    if ((flags & NC_TCP_FIN) && !m->fin && s + (int64_t)n >= m->base) {
        m->fin = true;
        m->fin_off = (uint64_t)(s + (int64_t)n - m->base);
    }
    for (size_t i = 0; i < n; i++) {
        int64_t o = s + (int64_t)i - m->base;
        if (o < 0 || (m->fin && (uint64_t)o >= m->fin_off)) {
            continue;
        }
        assert_true(o < CAP);
        if (m->byte[o] < 0) {
            m->byte[o] = p[i];
        }
        if ((uint64_t)o + 1 > m->end) {
            m->end = (uint64_t)o + 1;
        }
    }
}

struct rig {
    struct nc_reasm_cfg cfg;
    struct nc_budget budget;
    struct nc_reasm_stats st;
    struct nc_reasm_env env;
    struct nc_reasm_dir d;
    struct sink *k;
    struct model *m;
    uint32_t isn;
};

static struct rig *rig_new(uint32_t isn, uint64_t depth, uint32_t conn_buf, uint64_t budget)
{
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    r->k = calloc(1, sizeof(*r->k));
    r->m = malloc(sizeof(*r->m));
    assert_non_null(r->k);
    assert_non_null(r->m);
    model_init(r->m);
    r->cfg.depth = depth;
    r->cfg.conn_buf = conn_buf;
    nc_budget_init(&r->budget, budget);
    r->env.cfg = &r->cfg;
    r->env.budget = &r->budget;
    r->env.stats = &r->st;
    r->env.deliver = sink_deliver;
    r->env.ctx = r->k;
    r->isn = isn;
    nc_reasm_init(&r->d);
    return r;
}

static void rig_free(struct rig *r)
{
    nc_reasm_free(&r->d, &r->budget);
    assert_int_equal(r->budget.used, 0);
    free(r->k);
    free(r->m);
    free(r);
}

/* Segment at stream offset off (0 = first data byte after the SYN). */
static void seg(struct rig *r, int64_t off, uint16_t flags, const void *p, size_t n)
{
    uint32_t seq = r->isn + 1 + (uint32_t)off;
    model_seg(r->m, off, flags, p, n);
    nc_reasm_segment(&r->d, &r->env, seq, flags, p, n, 1000 + (int64_t)r->k->calls);
}

static void segs(struct rig *r, int64_t off, uint16_t flags, const char *s)
{
    seg(r, off, flags, s, strlen(s));
}

static void rig_close(struct rig *r)
{
    nc_reasm_close(&r->d, &r->env, 99);
    assert_true(r->d.closed);
    assert_null(r->d.segs);
    assert_int_equal(r->d.held, 0);
    assert_int_equal(r->budget.used, 0);
}

/* Delivered bytes equal the model's first copy; stats agree with the sink.
 * strict: no cap applied, so gaps are exactly the bytes never received and
 * the stream reaches everything received (or the FIN). */
static void check(struct rig *r, bool strict)
{
    struct sink *k = r->k;
    struct model *m = r->m;
    uint64_t data = 0, gap = 0;
    for (uint64_t o = 0; o < k->pos; o++) {
        if (k->mark[o] == M_DATA) {
            data++;
            if (m->byte[o] < 0 || k->out[o] != (uint8_t)m->byte[o]) {
                fail_msg("offset %llu: delivered 0x%02x, model %d", (unsigned long long)o,
                        k->out[o], m->byte[o]);
            }
        } else {
            assert_int_equal(k->mark[o], M_GAP);
            gap++;
            if (strict && m->byte[o] >= 0) {
                fail_msg("offset %llu: received but reported in a gap", (unsigned long long)o);
            }
        }
    }
    assert_int_equal(r->st.delivered, data);
    assert_int_equal(r->d.delivered, data);
    assert_int_equal(r->st.gap_bytes, gap);
    assert_int_equal(r->d.missed_bytes, gap);
    uint64_t top = m->fin && m->fin_off > m->end ? m->fin_off : m->end;
    assert_true(k->pos <= top);
    if (strict) {
        assert_int_equal(k->pos, top);
    }
}

static const char *const TEXT = "The quick brown fox jumps over the lazy dog. 0123456789";

/* ------------------------------------------------------------- cases */

static void test_in_order_zero_copy_no_allocation(void **state)
{
    (void)state;
    struct rig *r = rig_new(1000, 0, 1 << 20, 1 << 20);
    uint64_t allocs = nc_mem_allocs();
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    const char *a = "hello ", *b = "world", *c = "!";
    segs(r, 0, NC_TCP_ACK, a);
    assert_ptr_equal(r->k->last_p, a); /* straight from the caller's buffer */
    seg(r, 6, NC_TCP_ACK, NULL, 0);    /* a pure ACK: nothing */
    segs(r, 6, NC_TCP_ACK | NC_TCP_PSH, b);
    assert_ptr_equal(r->k->last_p, b);
    segs(r, 11, NC_TCP_ACK | NC_TCP_FIN, c);
    assert_ptr_equal(r->k->last_p, c);
    assert_int_equal(nc_mem_allocs(), allocs);
    assert_int_equal(r->budget.peak, 0);
    rig_close(r);
    assert_int_equal(r->k->calls, 3);
    assert_memory_equal(r->k->out, "hello world!", 12);
    assert_int_equal(r->st.segments, 4);
    assert_int_equal(r->st.delivered, 12);
    assert_int_equal(r->st.out_of_order + r->st.retransmitted + r->st.overlaps, 0);
    assert_int_equal(r->st.gaps + r->st.midstream + r->st.conflicts, 0);
    assert_true(r->d.fin);
    assert_int_equal(r->d.fin_seq, 1000 + 1 + 12);
    check(r, true);
    /* idempotent */
    nc_reasm_close(&r->d, &r->env, 100);
    assert_int_equal(r->k->calls, 3);
    /* ignored after close */
    segs(r, 12, 0, "more");
    assert_int_equal(r->k->calls, 3);
    rig_free(r);
}

static void test_reordering(void **state)
{
    (void)state;
    struct rig *r = rig_new(5, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 20, 0, TEXT + 20, 10);
    seg(r, 10, 0, TEXT + 10, 10);
    assert_int_equal(r->k->calls, 0);
    assert_int_equal(r->d.held, 20);
    assert_int_equal(r->d.nsegs, 2);
    assert_true(r->budget.used >= 20);
    seg(r, 40, 0, TEXT + 40, 5);
    seg(r, 0, 0, TEXT, 10);
    /* 0..30 delivered: the caller's segment then the two held ones */
    assert_int_equal(r->k->calls, 3);
    assert_int_equal(r->k->pos, 30);
    assert_int_equal(r->d.held, 5);
    seg(r, 30, 0, TEXT + 30, 10);
    assert_int_equal(r->k->pos, 45);
    assert_int_equal(r->d.held, 0);
    assert_int_equal(r->budget.used, 0);
    assert_memory_equal(r->k->out, TEXT, 45);
    assert_int_equal(r->st.out_of_order, 3);
    assert_int_equal(r->st.gaps, 0);
    rig_close(r);
    check(r, true);
    rig_free(r);
}

/* The peer's ACK passes a hole with bytes held behind it: the capture lost
 * those bytes, so the gap is declared then (not at close) and the held
 * bytes delivered; a hole with nothing held after it waits; an ACK far
 * beyond the window is ignored. */
static void test_ack_declares_lost_holes(void **state)
{
    (void)state;
    struct rig *r = rig_new(0xFFFFFF00u, 0, 1 << 20, 1 << 20); /* the ack wraps too */
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    seg(r, 20, 0, TEXT + 20, 10); /* 10..20 lost */
    assert_int_equal(r->k->pos, 10);
    nc_reasm_acked(&r->d, &r->env, r->isn + 1 + 15, 5); /* ack inside the hole: not past it */
    assert_int_equal(r->k->pos, 10);
    nc_reasm_acked(&r->d, &r->env, r->isn + 1 + 0x50000000u, 5); /* far beyond: ignored */
    assert_int_equal(r->k->pos, 10);
    nc_reasm_acked(&r->d, &r->env, r->isn + 1 + 25, 5); /* past the hole */
    assert_int_equal(r->k->pos, 30);
    assert_int_equal(r->d.missed_bytes, 10);
    assert_int_equal(r->d.held, 0);
    assert_int_equal(r->budget.used, 0);
    nc_reasm_acked(&r->d, &r->env, r->isn + 1 + 40, 5); /* nothing held: waits */
    assert_int_equal(r->k->pos, 30);
    seg(r, 30, 0, TEXT + 30, 10);
    assert_int_equal(r->k->pos, 40);
    assert_memory_equal(r->k->out + 20, TEXT + 20, 20);
    rig_close(r);
    check(r, true);
    rig_free(r);
}

static void test_retransmission_identical(void **state)
{
    (void)state;
    struct rig *r = rig_new(77, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    seg(r, 0, 0, TEXT, 10);          /* delivered already */
    seg(r, 20, 0, TEXT + 20, 10);    /* held */
    seg(r, 20, 0, TEXT + 20, 10);    /* held already */
    seg(r, 22, 0, TEXT + 22, 5);     /* inside the held one */
    seg(r, -1, NC_TCP_SYN, NULL, 0); /* the SYN again: no bytes, not counted */
    seg(r, 5, 0, TEXT + 5, 10);      /* half old, half new */
    assert_int_equal(r->st.retransmitted, 3);
    assert_int_equal(r->st.overlaps, 1);
    assert_int_equal(r->st.conflicts, 0);
    assert_int_equal(r->st.out_of_order, 1);
    assert_int_equal(r->k->pos, 15);
    seg(r, 10, 0, TEXT + 10, 15); /* fills the hole, overlaps the held one */
    assert_int_equal(r->st.overlaps, 2);
    assert_int_equal(r->st.conflicts, 0);
    assert_int_equal(r->k->pos, 30);
    assert_memory_equal(r->k->out, TEXT, 30);
    rig_close(r);
    check(r, true);
    rig_free(r);
}

static void test_overlap_with_different_data(void **state)
{
    (void)state;
    struct rig *r = rig_new(0x12345678, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    /* held bytes compared exactly */
    segs(r, 10, 0, "AAAAAAAAAA"); /* 10..20 held */
    segs(r, 15, 0, "BBBBBBBBBB"); /* 15..25: 20..25 new */
    assert_int_equal(r->st.overlaps, 1);
    assert_int_equal(r->st.conflicts, 1);
    assert_int_equal(r->d.conflicts, 1);
    segs(r, 12, 0, "AAA"); /* same bytes: no conflict */
    assert_int_equal(r->st.retransmitted, 1);
    assert_int_equal(r->st.conflicts, 1);
    /* an in-order segment that runs into held bytes */
    segs(r, 0, 0, "xxxxxxxxxxCCCCCCCCCCCCCCCCCCCC"); /* 0..30 */
    assert_int_equal(r->st.conflicts, 2);
    assert_int_equal(r->st.overlaps, 2);
    assert_int_equal(r->k->pos, 30);
    assert_memory_equal(r->k->out, "xxxxxxxxxxAAAAAAAAAABBBBBCCCCC", 30);
    /* delivered bytes through the fingerprints */
    segs(r, 30, 0, "0123456789");
    segs(r, 30, 0, "0123456789"); /* identical */
    assert_int_equal(r->st.conflicts, 2);
    segs(r, 30, 0, "0123456780"); /* same start and length, other bytes */
    assert_int_equal(r->st.conflicts, 3);
    assert_int_equal(r->d.conflicts, 3);
    assert_memory_equal(r->k->out + 30, "0123456789", 10);
    rig_close(r);
    check(r, true);
    rig_free(r);
}

static void test_sequence_wrap(void **state)
{
    (void)state;
    struct rig *r = rig_new(0xFFFFFFF0u, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 30, NC_TCP_FIN, TEXT + 30, 10); /* seq 0x0000000f: after the wrap */
    seg(r, 10, 0, TEXT + 10, 10);          /* crosses zero */
    seg(r, 0, 0, TEXT, 10);                /* before the wrap */
    assert_int_equal(r->k->pos, 20);
    seg(r, 20, 0, TEXT + 20, 10);
    assert_int_equal(r->k->pos, 40);
    assert_memory_equal(r->k->out, TEXT, 40);
    assert_int_equal(r->d.next_seq, (uint32_t)(0xFFFFFFF0u + 1 + 40));
    assert_int_equal(r->d.fin_seq, (uint32_t)(0xFFFFFFF0u + 1 + 40));
    seg(r, 5, 0, TEXT + 5, 10); /* old, across the wrap */
    assert_int_equal(r->st.retransmitted, 1);
    rig_close(r);
    assert_int_equal(r->st.gaps, 0);
    check(r, true);
    rig_free(r);

    /* a longer stream across zero, neighbours swapped */
    r = rig_new(0xFFFFFF00u, 0, 1 << 20, 1 << 20);
    static uint8_t big[60000];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7);
    }
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    /* pairs swapped: 1000..2000 before 0..1000, and so on */
    for (int64_t off = 0; off + 2000 <= 60000; off += 2000) {
        seg(r, off + 1000, 0, big + off + 1000, 1000);
        seg(r, off, 0, big + off, 1000);
    }
    rig_close(r);
    assert_int_equal(r->k->pos, 60000);
    assert_memory_equal(r->k->out, big, 60000);
    check(r, true);
    rig_free(r);
}

static void test_rst_mid_stream_then_close(void **state)
{
    (void)state;
    struct rig *r = rig_new(400, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    seg(r, 20, 0, TEXT + 20, 5);
    seg(r, 30, 0, TEXT + 30, 5);
    segs(r, 10, NC_TCP_RST | NC_TCP_ACK, "ZZZZZZZZZZ"); /* payload ignored */
    assert_int_equal(r->k->pos, 10);
    nc_reasm_close(&r->d, &r->env, 555);
    /* held data delivered, each after its gap */
    assert_int_equal(r->k->calls, 3);
    assert_int_equal(r->k->last_ts, 555);
    assert_int_equal(r->k->pos, 35);
    assert_int_equal(r->st.gaps, 2);
    assert_int_equal(r->st.gap_bytes, 15);
    assert_int_equal(r->k->mark[10], M_GAP);
    assert_int_equal(r->k->mark[25], M_GAP);
    assert_memory_equal(r->k->out + 20, TEXT + 20, 5);
    assert_memory_equal(r->k->out + 30, TEXT + 30, 5);
    assert_int_equal(r->budget.used, 0);
    check(r, true);
    rig_free(r);
}

static void test_midstream_pickup(void **state)
{
    (void)state;
    struct rig *r = rig_new(0x7FFFFFF0u, 0, 1 << 20, 1 << 20);
    seg(r, 100, 0, TEXT + 10, 10); /* no SYN: this fixes the start */
    assert_true(r->d.midstream);
    assert_int_equal(r->st.midstream, 1);
    assert_int_equal(r->k->pos, 10);
    seg(r, 90, 0, TEXT, 10); /* before the start: old */
    assert_int_equal(r->st.retransmitted, 1);
    seg(r, -1, NC_TCP_SYN, NULL, 0); /* a late SYN does not reset */
    assert_int_equal(r->d.next_seq, 0x7FFFFFF0u + 1 + 110);
    seg(r, 95, 0, TEXT + 5, 20); /* half old */
    assert_int_equal(r->k->pos, 15);
    rig_close(r);
    assert_memory_equal(r->k->out, TEXT + 10, 15);
    check(r, true);
    rig_free(r);

    /* a SYN after data with another ISN does not reset the stream either */
    r = rig_new(1000, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    segs(r, 0, 0, "abc");
    nc_reasm_segment(&r->d, &r->env, 500000, NC_TCP_SYN, NULL, 0, 1);
    segs(r, 3, 0, "def");
    assert_int_equal(r->k->pos, 6);
    assert_memory_equal(r->k->out, "abcdef", 6);
    rig_close(r);
    rig_free(r);

    /* before any data, a SYN with a new ISN restarts (a retried handshake) */
    r = rig_new(1000, 0, 1 << 20, 1 << 20);
    nc_reasm_segment(&r->d, &r->env, 7, NC_TCP_SYN, NULL, 0, 1);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    segs(r, 0, 0, "abc");
    assert_int_equal(r->k->pos, 3);
    assert_int_equal(r->st.midstream, 0);
    rig_close(r);
    rig_free(r);
}

static void test_gap_at_close_with_fin(void **state)
{
    (void)state;
    struct rig *r = rig_new(9, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    seg(r, 20, NC_TCP_FIN, TEXT + 20, 10); /* 10..20 never comes */
    seg(r, 28, 0, TEXT + 28, 10);          /* beyond the FIN: 28..30 only */
    seg(r, 35, 0, TEXT + 35, 10);          /* wholly beyond: ignored */
    assert_int_equal(r->d.held, 10);
    rig_close(r);
    assert_int_equal(r->k->pos, 30);
    assert_int_equal(r->st.gaps, 1);
    assert_int_equal(r->st.gap_bytes, 10);
    check(r, true);
    rig_free(r);

    /* the FIN alone, after a hole: a trailing gap with n = 0 */
    r = rig_new(9, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    seg(r, 25, NC_TCP_FIN | NC_TCP_ACK, NULL, 0);
    seg(r, 30, 0, TEXT, 5); /* beyond the FIN */
    rig_close(r);
    assert_int_equal(r->k->zero_calls, 1);
    assert_int_equal(r->k->last_n, 0);
    assert_int_equal(r->k->last_gap, 15);
    assert_int_equal(r->k->pos, 25);
    check(r, true);
    rig_free(r);

    /* a FIN held first trims held data that lies beyond it */
    r = rig_new(9, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 10, 0, TEXT + 10, 20); /* 10..30 held */
    seg(r, 40, 0, TEXT + 40, 5);  /* 40..45 held */
    seg(r, 15, NC_TCP_FIN, TEXT + 15, 5);
    assert_int_equal(r->d.held, 10);
    assert_int_equal(r->d.nsegs, 1);
    assert_int_equal(r->m->fin_off, 20);
    rig_close(r);
    assert_int_equal(r->k->pos, 20);
    assert_int_equal(r->st.gap_bytes, 10);
    /* the model keeps the bytes received before the FIN, the sink does not
     * see them: check without the "every byte received" rule */
    check(r, false);
    rig_free(r);
}

static void test_first_fin_wins(void **state)
{
    (void)state;
    struct rig *r = rig_new(9, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    seg(r, 5, NC_TCP_FIN, NULL, 0); /* behind the delivered bytes: ignored */
    assert_false(r->d.fin);
    seg(r, 20, NC_TCP_FIN, NULL, 0);
    seg(r, 30, NC_TCP_FIN, NULL, 0); /* a second FIN does not move the end */
    assert_int_equal(r->d.fin_seq, 9 + 1 + 20);
    seg(r, 10, 0, TEXT + 10, 15); /* cut at the FIN */
    assert_int_equal(r->k->pos, 20);
    rig_close(r);
    assert_int_equal(r->k->pos, 20);
    assert_int_equal(r->st.gaps, 0);
    rig_free(r);
}

static void test_depth_cap(void **state)
{
    (void)state;
    struct rig *r = rig_new(3, 10, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 4);
    seg(r, 4, 0, TEXT + 4, 4);
    seg(r, 8, 0, TEXT + 8, 4); /* cut to 2 */
    assert_int_equal(r->k->pos, 10);
    assert_int_equal(r->k->last_n, 2);
    assert_true(r->d.depth_reached);
    assert_int_equal(r->st.depth_hit, 1);
    seg(r, 12, 0, TEXT + 12, 4);
    seg(r, 30, 0, TEXT + 30, 4);
    assert_int_equal(r->k->calls, 3);
    assert_int_equal(r->d.held, 0);
    rig_close(r);
    assert_int_equal(r->k->calls, 3);
    assert_int_equal(r->st.depth_hit, 1);
    assert_int_equal(r->st.delivered, 10);
    assert_memory_equal(r->k->out, TEXT, 10);
    check(r, false);
    rig_free(r);

    /* depth reached while delivering held segments frees the rest */
    r = rig_new(3, 15, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 10, 0, TEXT + 10, 10);
    seg(r, 20, 0, TEXT + 20, 10);
    seg(r, 40, 0, TEXT + 40, 10);
    assert_true(r->budget.used > 0);
    seg(r, 0, 0, TEXT, 10);
    assert_true(r->d.depth_reached);
    assert_int_equal(r->k->pos, 15);
    assert_int_equal(r->budget.used, 0);
    assert_int_equal(r->d.held, 0);
    assert_int_equal(r->st.depth_hit, 1);
    rig_close(r);
    check(r, false);
    rig_free(r);

    /* exactly the depth in one segment, and the fast path up to it */
    r = rig_new(3, 8, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 4);
    seg(r, 4, 0, TEXT + 4, 4);
    assert_true(r->d.depth_reached);
    assert_int_equal(r->k->last_n, 4);
    rig_close(r);
    rig_free(r);
}

static void test_conn_buf_cap_forces_gap(void **state)
{
    (void)state;
    struct rig *r = rig_new(1, 0, 12, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 5);
    seg(r, 10, 0, TEXT + 10, 5); /* held: 5 */
    seg(r, 20, 0, TEXT + 20, 5); /* held: 10 */
    assert_int_equal(r->k->pos, 5);
    seg(r, 30, 0, TEXT + 30, 5); /* would be 15 > 12: gap 5..10, deliver 10..15 */
    assert_int_equal(r->st.conn_buf_hit, 1);
    assert_int_equal(r->st.gaps, 1);
    assert_int_equal(r->st.gap_bytes, 5);
    assert_int_equal(r->k->pos, 15);
    assert_int_equal(r->d.held, 10); /* 20..25 and 30..35 */
    /* a segment larger than the whole buffer: gaps until it is in order */
    seg(r, 40, 0, TEXT + 40, 15);
    assert_int_equal(r->st.conn_buf_hit, 4);
    assert_int_equal(r->k->pos, 55);
    assert_int_equal(r->d.held, 0);
    assert_int_equal(r->budget.used, 0);
    rig_close(r);
    check(r, false);
    /* nothing received was lost without a gap over it */
    for (uint64_t o = 0; o < 55; o++) {
        if (r->m->byte[o] >= 0) {
            assert_int_not_equal(r->k->mark[o], M_NONE);
        }
    }
    rig_free(r);

    /* conn_buf = 0: nothing is ever held */
    r = rig_new(1, 0, 0, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 10, 0, TEXT + 10, 5);
    assert_int_equal(r->k->pos, 15);
    assert_int_equal(r->st.conn_buf_hit, 1);
    seg(r, 5, 0, TEXT + 5, 5); /* too late: inside the gap */
    assert_int_equal(r->k->pos, 15);
    rig_close(r);
    check(r, false);
    rig_free(r);
}

static void test_budget_exhaustion_forces_gap(void **state)
{
    (void)state;
    /* room for two held segments of 10 bytes and their nodes, not three */
    const uint64_t node = 64;
    struct rig *r = rig_new(1, 0, 1 << 20, 0);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 10, 0, TEXT + 10, 10);
    uint64_t one = r->budget.used;
    assert_true(one >= 10 && one <= 10 + node);
    nc_reasm_free(&r->d, &r->budget);
    assert_int_equal(r->budget.used, 0);
    rig_free(r);

    r = rig_new(1, 0, 1 << 20, 2 * one + one / 2);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 10, 0, TEXT + 10, 10);
    seg(r, 30, 0, TEXT + 30, 10);
    assert_int_equal(r->budget.used, 2 * one);
    seg(r, 50, 0, TEXT + 50, 5); /* refused: gap 0..10, deliver 10..20 */
    assert_int_equal(r->st.memcap_hit, 1);
    assert_int_equal(r->budget.refused, 1);
    assert_int_equal(r->k->pos, 20);
    assert_int_equal(r->st.gap_bytes, 10);
    assert_true(r->budget.used <= r->budget.cap);
    seg(r, 20, 0, TEXT + 20, 10); /* in order: 20..40 */
    assert_int_equal(r->k->pos, 40);
    rig_close(r);
    assert_int_equal(r->k->pos, 55);
    assert_int_equal(r->st.gap_bytes, 20);
    assert_int_equal(r->budget.used, 0);
    assert_true(r->budget.peak <= r->budget.cap);
    check(r, false);
    rig_free(r);

    /* a budget of nothing: every out-of-order segment forces a gap */
    r = rig_new(1, 0, 1 << 20, 1);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    for (int64_t off = 50; off >= 0; off -= 10) {
        seg(r, off, 0, TEXT + off, 5);
    }
    assert_int_equal(r->st.memcap_hit, 1);
    assert_int_equal(r->k->pos, 55);
    rig_close(r);
    assert_int_equal(r->budget.used, 0);
    check(r, false);
    rig_free(r);
}

static void test_global_cap_refusal_forces_gap(void **state)
{
    (void)state;
    struct rig *r = rig_new(1, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    nc_mem_set_cap(nc_mem_in_use() + 1); /* nc_malloc refuses from now on */
    uint64_t refused = nc_mem_refused();
    seg(r, 10, 0, TEXT + 10, 10);
    nc_mem_set_cap(0);
    assert_int_equal(nc_mem_refused(), refused + 1);
    assert_int_equal(r->st.memcap_hit, 1);
    assert_int_equal(r->budget.used, 0); /* the charge was refunded */
    assert_int_equal(r->k->pos, 20);
    assert_int_equal(r->st.gap_bytes, 10);
    rig_close(r);
    check(r, false);
    rig_free(r);
}

static void test_far_ahead_and_very_old(void **state)
{
    (void)state;
    struct rig *r = rig_new(0, 0, 1 << 20, 1 << 20);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    seg(r, 0, 0, TEXT, 10);
    uint64_t allocs = nc_mem_allocs();
    /* 1 GiB ahead: out of window, not held */
    nc_reasm_segment(&r->d, &r->env, r->d.next_seq + NC_REASM_WINDOW, NC_TCP_FIN,
            (const uint8_t *)TEXT, 10, 1);
    assert_int_equal(r->st.out_of_window, 1);
    assert_false(r->d.fin);
    nc_reasm_segment(&r->d, &r->env, r->d.next_seq + 0x7FFFFFFFu, 0, (const uint8_t *)TEXT, 10, 1);
    assert_int_equal(r->st.out_of_window, 2);
    /* just inside the window: held */
    nc_reasm_segment(
            &r->d, &r->env, r->d.next_seq + NC_REASM_WINDOW - 1, 0, (const uint8_t *)TEXT, 10, 1);
    assert_int_equal(r->d.nsegs, 1);
    nc_reasm_free(&r->d, &r->budget);
    /* far behind (up to 2^31): old, counted as retransmitted, not held */
    nc_reasm_segment(&r->d, &r->env, r->d.next_seq - 0x80000000u, 0, (const uint8_t *)TEXT, 10, 1);
    nc_reasm_segment(&r->d, &r->env, r->d.next_seq - 0x40000000u, 0, (const uint8_t *)TEXT, 10, 1);
    assert_int_equal(r->st.retransmitted, 2);
    assert_int_equal(r->d.nsegs, 0);
    assert_int_equal(nc_mem_allocs(), allocs + 1);
    assert_int_equal(r->k->pos, 10);
    rig_close(r);
    assert_int_equal(r->k->pos, 10);
    rig_free(r);
}

static void test_many_tiny_segments_are_capped(void **state)
{
    (void)state;
    static uint8_t big[3 * NC_REASM_MAX_HELD];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 13 + 1);
    }
    struct rig *r = rig_new(1, 0, 1 << 20, 0);
    seg(r, -1, NC_TCP_SYN, NULL, 0);
    /* one byte of every two, backwards (each insertion at the front) */
    for (int64_t off = (int64_t)sizeof(big) - 1; off >= 1; off -= 2) {
        seg(r, off, 0, big + off, 1);
        assert_true(r->d.nsegs <= NC_REASM_MAX_HELD);
    }
    assert_true(r->st.conn_buf_hit > 0);
    rig_close(r);
    check(r, false);
    rig_free(r);
}

/* --------------------------------------------------- random schedules */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return n ? (uint32_t)(z % n) : 0;
}

struct rseg {
    int64_t off;
    uint32_t len;
    uint16_t flags;
    uint8_t buf[256];
};

/* One schedule: a true stream, segments cut from it in an order with local
 * swaps, duplicates, overlaps, drops and (conflict mode) other bytes. */
static void run_schedule(uint64_t seed, bool caps)
{
    rng_state = seed;
    static uint8_t truth[4096];
    static struct rseg sched[400];
    uint32_t len = 1 + rnd(3000);
    for (uint32_t i = 0; i < len; i++) {
        truth[i] = (uint8_t)rnd(256);
    }
    uint32_t isn;
    switch (rnd(3)) {
        case 0:
            isn = 0xFFFFFFFFu - rnd(4000); /* the stream crosses zero */
            break;
        case 1:
            isn = 0x7FFFFFFFu - rnd(4000);
            break;
        default:
            isn = (uint32_t)rnd(0xFFFFFFFFu);
    }
    bool syn = rnd(2);
    bool fin = rnd(2);
    bool conflicting = rnd(3) == 0;
    size_t n = 0;
    if (syn) {
        sched[n++] = (struct rseg){ .off = -1, .len = 0, .flags = NC_TCP_SYN };
    }
    size_t first_data = n;
    for (uint32_t off = 0; off < len && n < NC_ARRAY_LEN(sched) - 4;) {
        uint32_t l = 1 + rnd(200);
        if (off + l > len) {
            l = len - off;
        }
        struct rseg *g = &sched[n++];
        g->off = off;
        g->len = l;
        g->flags = NC_TCP_ACK;
        if (rnd(8) == 0) { /* overlap backwards */
            uint32_t back = rnd(40);
            g->off = (int64_t)off - back;
            g->len = l + back;
            if (g->len > 256) {
                g->len = 256;
            }
        }
        off += l;
    }
    for (size_t i = first_data; i < n; i++) {
        struct rseg *g = &sched[i];
        for (uint32_t j = 0; j < g->len; j++) {
            int64_t o = g->off + j;
            g->buf[j] = o >= 0 && o < len ? truth[o] : (uint8_t) ~(o & 0xff);
            if (conflicting && rnd(50) == 0) {
                g->buf[j] ^= (uint8_t)(1 + rnd(255));
            }
        }
        if (fin && g->off + g->len >= len) {
            g->flags |= NC_TCP_FIN;
        }
    }
    /* duplicates, drops, swaps (the SYN stays first) */
    size_t dups = rnd(10);
    for (size_t i = 0; i < dups && n < NC_ARRAY_LEN(sched) && n > first_data; i++) {
        sched[n] = sched[first_data + rnd((uint32_t)(n - first_data))];
        if (conflicting && sched[n].len && rnd(2)) {
            sched[n].buf[rnd(sched[n].len)] ^= 0x55;
        }
        n++;
    }
    size_t drops = rnd(4);
    for (size_t i = 0; i < drops && n > first_data + 1; i++) {
        size_t at = first_data + rnd((uint32_t)(n - first_data));
        memmove(&sched[at], &sched[at + 1], (n - at - 1) * sizeof(sched[0]));
        n--;
    }
    size_t swaps = rnd((uint32_t)(n * 2 + 1));
    uint32_t reach = 1 + rnd(20);
    for (size_t i = 0; i < swaps && n > first_data + 1; i++) {
        size_t a = first_data + rnd((uint32_t)(n - first_data));
        size_t b = a + rnd(reach);
        if (b >= n) {
            b = n - 1;
        }
        struct rseg t = sched[a];
        sched[a] = sched[b];
        sched[b] = t;
    }
    uint64_t depth = 0;
    uint32_t conn_buf = 1u << 30;
    uint64_t budget = 0;
    if (caps) {
        depth = rnd(3) ? 0 : 1 + rnd(len + 100);
        conn_buf = rnd(1200);
        budget = rnd(2) ? 0 : rnd(2500);
    }
    struct rig *r = rig_new(isn, depth, conn_buf, budget);
    for (size_t i = 0; i < n; i++) {
        struct rseg *g = &sched[i];
        seg(r, g->off, g->flags, g->len ? g->buf : NULL, g->len);
        assert_true(r->d.held <= conn_buf);
        assert_true(!budget || r->budget.used <= budget);
        if (rnd(50) == 0) {
            /* a RST with payload in the middle: ignored */
            uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
            seg(r, rnd(len), NC_TCP_RST, junk, sizeof(junk));
        }
    }
    rig_close(r);
    if (caps) {
        check(r, false);
        /* no received byte disappears without a gap over it, unless the
         * depth stopped the direction */
        if (!r->d.depth_reached) {
            for (uint64_t o = 0; o < r->m->end; o++) {
                if (r->m->byte[o] >= 0) {
                    assert_int_not_equal(r->k->mark[o], M_NONE);
                }
            }
        }
    } else {
        check(r, true);
        assert_int_equal(r->st.gaps == 0, r->st.gap_bytes == 0);
        assert_int_equal(r->st.conn_buf_hit + r->st.memcap_hit + r->st.depth_hit, 0);
    }
    if (!conflicting) {
        assert_int_equal(r->st.conflicts, 0);
    }
    assert_int_equal(r->st.midstream, syn ? 0 : 1);
    rig_free(r);
}

static void test_random_schedules_match_the_model(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        run_schedule(seed, false);
    }
}

static void test_random_schedules_with_caps(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        run_schedule(seed * 7919, true);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_zero_copy_no_allocation),
        cmocka_unit_test(test_reordering),
        cmocka_unit_test(test_ack_declares_lost_holes),
        cmocka_unit_test(test_retransmission_identical),
        cmocka_unit_test(test_overlap_with_different_data),
        cmocka_unit_test(test_sequence_wrap),
        cmocka_unit_test(test_rst_mid_stream_then_close),
        cmocka_unit_test(test_midstream_pickup),
        cmocka_unit_test(test_gap_at_close_with_fin),
        cmocka_unit_test(test_first_fin_wins),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_conn_buf_cap_forces_gap),
        cmocka_unit_test(test_budget_exhaustion_forces_gap),
        cmocka_unit_test(test_global_cap_refusal_forces_gap),
        cmocka_unit_test(test_far_ahead_and_very_old),
        cmocka_unit_test(test_many_tiny_segments_are_capped),
        cmocka_unit_test(test_random_schedules_match_the_model),
        cmocka_unit_test(test_random_schedules_with_caps),
    };
    return cmocka_run_group_tests_name("tcp_reasm", tests, NULL, NULL);
}
