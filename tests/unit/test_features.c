/*
 * Unit tests of the flow features (src/flow/features.c): Welford and the
 * merge of two samples against a naive two-pass computation, active and
 * idle periods, the histogram bins, the first-N sequence, the handshake RTT
 * and bulks (definitions: docs/FEATURES.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow/features.h"

#define MS  1000000LL
#define SEC 1000000000LL

static void naive(const int64_t *x, size_t n, double *mean, double *std)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        s += (double)x[i];
    }
    *mean = n ? s / (double)n : 0;
    double q = 0;
    for (size_t i = 0; i < n; i++) {
        q += ((double)x[i] - *mean) * ((double)x[i] - *mean);
    }
    *std = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

static void close_to(double a, double b)
{
    double tol = 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
    if (fabs(a - b) > tol) {
        fail_msg("%.17g != %.17g", a, b);
    }
}

static void check_seq(const int64_t *x, size_t n)
{
    struct nc_wstat w;
    memset(&w, 0, sizeof(w));
    for (size_t i = 0; i < n; i++) {
        nc_wstat_add(&w, x[i]);
    }
    double mean, std;
    naive(x, n, &mean, &std);
    assert_int_equal(w.n, n);
    close_to(w.mean, mean);
    close_to(nc_wstat_std(&w), std);
    /* split anywhere and merge: the same statistics */
    for (size_t k = 0; k <= n; k++) {
        struct nc_wstat a, b, m;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        for (size_t i = 0; i < n; i++) {
            nc_wstat_add(i < k ? &a : &b, x[i]);
        }
        nc_wstat_merge(&m, &a, &b);
        assert_int_equal(m.n, n);
        if (n) {
            assert_int_equal(m.min, w.min);
            assert_int_equal(m.max, w.max);
        }
        close_to(m.mean, mean);
        close_to(nc_wstat_std(&m), std);
    }
}

static void test_welford(void **state)
{
    (void)state;
    static const int64_t empty[1] = { 0 };
    static const int64_t one[] = { 1500 };
    static const int64_t two[] = { 40, 1500 };
    static const int64_t same[] = { 52, 52, 52, 52, 52 };
    static const int64_t mixed[] = { 60, 1500, 52, 52, 1500, 1500, 715, 52, 40, 0, 9000 };
    /* large offset, small spread: where the naive sum of squares loses */
    static const int64_t offset[] = { 1000000000001, 1000000000003, 1000000000002, 1000000000005,
        1000000000004 };
    check_seq(empty, 0);
    check_seq(one, 1);
    check_seq(two, 2);
    check_seq(same, NC_ARRAY_LEN(same));
    check_seq(mixed, NC_ARRAY_LEN(mixed));
    int64_t ramp[1000];
    for (int i = 0; i < 1000; i++) {
        ramp[i] = (int64_t)i * i % 977;
    }
    check_seq(ramp, 1000);
    struct nc_wstat w;
    memset(&w, 0, sizeof(w));
    for (size_t i = 0; i < NC_ARRAY_LEN(offset); i++) {
        nc_wstat_add(&w, offset[i]);
    }
    close_to(w.mean, 1000000000003.0);
    close_to(nc_wstat_std(&w), sqrt(2.5)); /* deviations -2..2: m2 = 10, / 4 */
    /* constant: exactly 0, never a tiny negative under the root */
    memset(&w, 0, sizeof(w));
    for (int i = 0; i < 100; i++) {
        nc_wstat_add(&w, 1234567);
    }
    assert_true(nc_wstat_std(&w) == 0.0);
}

/* A flow's state, sized for seq_n packets. */
struct flow_buf {
    struct nc_feat_cfg cfg;
    struct nc_feat *f;
};

static void fb_init(struct flow_buf *b, uint32_t seq_n, int64_t activity)
{
    b->cfg.seq_n = seq_n;
    b->cfg.activity_timeout = activity;
    b->f = calloc(1, nc_feat_bytes(&b->cfg));
    assert_non_null(b->f);
    nc_feat_init(b->f);
}

static void pkt(
        struct flow_buf *b, int64_t ts, int dir, uint32_t ip_len, uint32_t payload, uint16_t flags)
{
    struct nc_feat_pkt p = { .ts = ts,
        .ip_len = ip_len,
        .payload = payload,
        .tcp_flags = flags,
        .tcp_window = (uint16_t)(1000 + dir),
        .tcp = true,
        .dir = dir };
    nc_feat_packet(b->f, &b->cfg, &p);
}

static void record(struct flow_buf *b, int64_t first, int64_t last, Netcap__ConnectionFeatures *r,
        struct nc_feat_text *t)
{
    nc_feat_record(b->f, &b->cfg, first, last, r, t);
}

static void test_active_idle(void **state)
{
    (void)state;
    struct flow_buf b;
    fb_init(&b, 10, 5 * SEC);
    static const int64_t ts[] = { 0, 1 * SEC, 2 * SEC, 10 * SEC, 11 * SEC, 30 * SEC };
    for (size_t i = 0; i < NC_ARRAY_LEN(ts); i++) {
        pkt(&b, ts[i], (int)(i & 1), 40, 0, 0x10);
    }
    Netcap__ConnectionFeatures r;
    struct nc_feat_text t;
    record(&b, 0, 30 * SEC, &r, &t);
    /* active: [0, 2 s], [10 s, 11 s], [30 s] */
    assert_int_equal(r.active_count, 3);
    assert_int_equal(r.active_min, 0);
    assert_int_equal(r.active_max, 2 * SEC);
    close_to(r.active_mean, 1.0 * SEC);
    close_to(r.active_std, 1.0 * SEC);
    /* idle: 8 s and 19 s */
    assert_int_equal(r.idle_count, 2);
    assert_int_equal(r.idle_min, 8 * SEC);
    assert_int_equal(r.idle_max, 19 * SEC);
    close_to(r.idle_mean, 13.5 * SEC);
    assert_int_equal(r.activity_timeout, 5 * SEC);
    /* subflows: gaps over 1 s (8 s and 19 s; exactly 1 s is not) */
    assert_int_equal(r.subflow_count, 3);
    close_to(r.subflow_fwd_packets, 1.0);
    /* a gap exactly at the timeout does not end the period */
    struct flow_buf c;
    fb_init(&c, 0, 5 * SEC);
    pkt(&c, 0, 0, 40, 0, 0);
    pkt(&c, 5 * SEC, 0, 40, 0, 0);
    record(&c, 0, 5 * SEC, &r, &t);
    assert_int_equal(r.active_count, 1);
    assert_int_equal(r.active_max, 5 * SEC);
    assert_int_equal(r.idle_count, 0);
    free(b.f);
    free(c.f);
}

static void test_bins(void **state)
{
    (void)state;
    static const struct {
        uint32_t len;
        unsigned bin;
    } pay[] = { { 0, 0 }, { 1, 1 }, { 63, 1 }, { 64, 2 }, { 127, 2 }, { 128, 3 }, { 255, 3 },
        { 256, 4 }, { 511, 4 }, { 512, 5 }, { 1023, 5 }, { 1024, 6 }, { 1499, 6 }, { 1500, 7 },
        { 65535, 7 } };
    for (size_t i = 0; i < NC_ARRAY_LEN(pay); i++) {
        assert_int_equal(nc_feat_pay_bin(pay[i].len), pay[i].bin);
    }
    static const struct {
        int64_t ns;
        unsigned bin;
    } iat[] = { { 0, 0 }, { 9999, 0 }, { 10000, 1 }, { 99999, 1 }, { 100000, 2 }, { MS, 3 },
        { 10 * MS, 4 }, { 100 * MS, 5 }, { SEC - 1, 5 }, { SEC, 6 }, { 10 * SEC - 1, 6 },
        { 10 * SEC, 7 }, { 3600 * SEC, 7 } };
    for (size_t i = 0; i < NC_ARRAY_LEN(iat); i++) {
        assert_int_equal(nc_feat_iat_bin(iat[i].ns), iat[i].bin);
    }
    struct flow_buf b;
    fb_init(&b, 0, 5 * SEC);
    pkt(&b, 0, 0, 40, 0, 0);
    pkt(&b, 50000, 1, 1540, 1500, 0);
    pkt(&b, 50000 + 2 * SEC, 0, 140, 100, 0);
    Netcap__ConnectionFeatures r;
    struct nc_feat_text t;
    record(&b, 0, 50000 + 2 * SEC, &r, &t);
    assert_int_equal(r.n_payload_len_bins, 8);
    static const int64_t want_pay[8] = { 1, 0, 1, 0, 0, 0, 0, 1 }; /* 0, 100, 1500 */
    static const int64_t want_iat[8] = { 0, 1, 0, 0, 0, 0, 1, 0 };
    assert_memory_equal(r.payload_len_bins, want_pay, sizeof(want_pay));
    assert_memory_equal(r.iat_bins, want_iat, sizeof(want_iat));
    assert_int_equal(r.n_first_pkt_lens, 0);
    free(b.f);
}

static void test_first_n(void **state)
{
    (void)state;
    struct flow_buf b;
    fb_init(&b, 3, 5 * SEC);
    assert_int_equal(nc_feat_bytes(&b.cfg) % 8, 0);
    for (int i = 0; i < 5; i++) {
        pkt(&b, i * MS, i == 1 || i == 2, (uint32_t)(100 + i), 0, 0);
    }
    Netcap__ConnectionFeatures r;
    struct nc_feat_text t;
    record(&b, 0, 4 * MS, &r, &t);
    assert_int_equal(r.n_first_pkt_lens, 3);
    assert_int_equal(r.n_first_pkt_dirs, 3);
    assert_int_equal(r.first_pkt_lens[0], 100);
    assert_int_equal(r.first_pkt_lens[2], 102);
    assert_int_equal(r.first_pkt_dirs[0], 0);
    assert_int_equal(r.first_pkt_dirs[1], 1);
    assert_int_equal(r.first_pkt_dirs[2], 1);
    free(b.f);
    /* the cap: 64 even when more is asked; lengths over 65535 saturate */
    struct flow_buf c;
    fb_init(&c, 1000, 5 * SEC);
    assert_int_equal(nc_feat_bytes(&c.cfg), nc_feat_bytes(&(struct nc_feat_cfg){ 64, 0 }));
    for (int i = 0; i < 100; i++) {
        pkt(&c, i, i % 2, i == 63 ? 70000 : 40, 0, 0);
    }
    record(&c, 0, 99, &r, &t);
    assert_int_equal(r.n_first_pkt_lens, NC_FEAT_SEQ_MAX);
    assert_int_equal(r.first_pkt_lens[63], 65535);
    assert_int_equal(r.first_pkt_dirs[63], 1);
    free(c.f);
}

static void test_rtt(void **state)
{
    (void)state;
    struct flow_buf b;
    fb_init(&b, 10, 5 * SEC);
    pkt(&b, 0, 0, 60, 0, 0x02);                  /* SYN */
    pkt(&b, 1 * SEC, 0, 60, 0, 0x02);            /* SYN again: the RTT runs from here */
    pkt(&b, 1 * SEC + 100 * MS, 1, 60, 0, 0x12); /* SYN+ACK */
    pkt(&b, 1 * SEC + 120 * MS, 1, 60, 0, 0x12); /* again: ignored */
    pkt(&b, 1 * SEC + 150 * MS, 0, 52, 0, 0x10); /* ACK */
    pkt(&b, 1 * SEC + 170 * MS, 0, 52, 0, 0x10);
    Netcap__ConnectionFeatures r;
    struct nc_feat_text t;
    record(&b, 0, 1 * SEC + 170 * MS, &r, &t);
    assert_int_equal(r.tcp_rtt_syn_synack, 100 * MS);
    assert_int_equal(r.tcp_rtt_synack_ack, 50 * MS);
    assert_int_equal(r.tcp_rtt, 150 * MS);
    assert_int_equal(r.fwd_syn, 2);
    assert_int_equal(r.bwd_syn, 2);
    assert_int_equal(r.bwd_ack, 2);
    assert_int_equal(r.fwd_init_win, 1000);
    assert_int_equal(r.bwd_init_win, 1001);
    free(b.f);
    /* picked up after the SYN: only the second half */
    struct flow_buf c;
    fb_init(&c, 10, 5 * SEC);
    pkt(&c, 0, 1, 60, 0, 0x12);
    pkt(&c, 30 * MS, 0, 52, 0, 0x10);
    record(&c, 0, 30 * MS, &r, &t);
    assert_int_equal(r.tcp_rtt_syn_synack, -1);
    assert_int_equal(r.tcp_rtt_synack_ack, 30 * MS);
    assert_int_equal(r.tcp_rtt, -1);
    free(c.f);
    /* UDP: no window, no RTT */
    struct flow_buf u;
    fb_init(&u, 10, 5 * SEC);
    struct nc_feat_pkt p = { .ts = 0, .ip_len = 60, .payload = 32, .dir = 0 };
    nc_feat_packet(u.f, &u.cfg, &p);
    record(&u, 0, 0, &r, &t);
    assert_int_equal(r.fwd_init_win, -1);
    assert_int_equal(r.bwd_init_win, -1);
    assert_int_equal(r.tcp_rtt, -1);
    assert_int_equal(r.fwd_header_bytes, 28);
    free(u.f);
}

static void test_bulk_and_order(void **state)
{
    (void)state;
    struct flow_buf b;
    fb_init(&b, 10, 5 * SEC);
    /* forward: 5 payload packets, a pure ACK back in between (does not
     * break the run), then a payload packet back (breaks it), then 3 more
     * forward (too few for a second bulk) */
    int64_t t0 = 0;
    for (int i = 0; i < 5; i++) {
        pkt(&b, t0 + i * MS, 0, 1040, 1000, 0x10);
        if (i == 2) {
            pkt(&b, t0 + i * MS + 1, 1, 52, 0, 0x10);
        }
    }
    pkt(&b, 10 * MS, 1, 152, 100, 0x18);
    for (int i = 0; i < 3; i++) {
        pkt(&b, 20 * MS + i * MS, 0, 540, 500, 0x10);
    }
    /* a packet stamped before its predecessor takes its time: IAT 0 */
    pkt(&b, 21 * MS, 1, 52, 0, 0x10);
    Netcap__ConnectionFeatures r;
    struct nc_feat_text t;
    record(&b, 0, 22 * MS, &r, &t);
    assert_int_equal(r.fwd_bulk_count, 1);
    assert_int_equal(r.fwd_bulk_packets, 5);
    assert_int_equal(r.fwd_bulk_bytes, 5000);
    assert_int_equal(r.fwd_bulk_duration, 4 * MS);
    assert_int_equal(r.bwd_bulk_count, 0);
    assert_int_equal(r.iat_min, 0);
    assert_int_equal(r.fwd_packets, 8);
    assert_int_equal(r.bwd_packets, 3);
    assert_int_equal(r.fwd_bytes, 5 * 1040 + 3 * 540);
    assert_int_equal(r.fwd_payload_bytes, 6500);
    assert_int_equal(r.fwd_header_bytes, 8 * 40);
    assert_int_equal(r.fwd_psh, 0);
    assert_int_equal(r.bwd_psh, 1);
    assert_int_equal(r.pkt_len_min, 52);
    assert_int_equal(r.pkt_len_max, 1040);
    free(b.f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_welford),
        cmocka_unit_test(test_active_idle),
        cmocka_unit_test(test_bins),
        cmocka_unit_test(test_first_n),
        cmocka_unit_test(test_rtt),
        cmocka_unit_test(test_bulk_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
