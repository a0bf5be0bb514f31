/*
 * Unit tests of the connection table (src/flow/): bidirectional matching,
 * client detection, close / timeout / eviction policy in capture time,
 * end-of-input order, and Community ID v1 against the reference values in
 * Zeek's baselines (corpus cases zeek-cid-tcp, -udp, -icmp).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow.h"

#define SEC 1000000000LL

struct seen {
    size_t n;
    struct {
        char src[64], dst[64], reason[16], cid[40];
        int sport, dport;
        int64_t pkts, c2s, s2c, bytes_c2s, first;
        int syn, fin, rst, ack;
    } c[64];
};

static void collect(void *ctx, const struct nc_flow_conn *fc)
{
    struct seen *s = ctx;
    Netcap__Connection rec;
    struct nc_flow_conn_text txt;
    nc_flow_conn_record(fc, &rec, &txt);
    const Netcap__Connection *c = &rec;
    assert_true(s->n < 64);
    size_t i = s->n++;
    snprintf(s->c[i].src, sizeof(s->c[i].src), "%s", c->src_ip);
    snprintf(s->c[i].dst, sizeof(s->c[i].dst), "%s", c->dst_ip);
    snprintf(s->c[i].reason, sizeof(s->c[i].reason), "%s", c->end_reason);
    snprintf(s->c[i].cid, sizeof(s->c[i].cid), "%s", c->community_id);
    s->c[i].sport = c->src_port;
    s->c[i].dport = c->dst_port;
    s->c[i].pkts = c->num_packets;
    s->c[i].c2s = c->packets_client_to_server;
    s->c[i].s2c = c->packets_server_to_client;
    s->c[i].bytes_c2s = c->bytes_client_to_server;
    s->c[i].first = c->timestamp_first;
    s->c[i].syn = c->num_syn_flags;
    s->c[i].fin = c->num_fin_flags;
    s->c[i].rst = c->num_rst_flags;
    s->c[i].ack = c->num_ack_flags;
}

/* Build a packet context the way the decoders would, then the flow facts. */
static struct nc_flow_pkt mk(uint8_t proto, const char *src, const char *dst, uint16_t sp,
        uint16_t dp, uint16_t flags, int64_t ts)
{
    struct nc_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.ts = ts;
    pkt.wirelen = 100;
    pkt.ctx.ip_ver = 4;
    pkt.ctx.ip_proto = proto;
    unsigned a[4], b[4];
    assert_int_equal(sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]), 4);
    assert_int_equal(sscanf(dst, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]), 4);
    for (int i = 0; i < 4; i++) {
        pkt.ctx.src_ip[i] = (uint8_t)a[i];
        pkt.ctx.dst_ip[i] = (uint8_t)b[i];
    }
    if (proto == 1) {
        pkt.ctx.has_icmp = true;
        pkt.ctx.icmp_type = (uint8_t)sp;
        pkt.ctx.icmp_code = (uint8_t)dp;
    } else {
        pkt.ctx.has_ports = true;
        pkt.ctx.src_port = sp;
        pkt.ctx.dst_port = dp;
        pkt.ctx.tcp_flags = flags;
    }
    struct nc_flow_pkt fp;
    nc_flow_pkt_from_ctx(&fp, &pkt);
    return fp;
}

static void feed(struct nc_flow_table *t, struct nc_flow_pkt fp, uint64_t *idx)
{
    nc_flow_table_update(t, &fp, (*idx)++);
}

static void test_both_directions_are_one_connection(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 60 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(17, "10.0.0.1", "10.0.0.2", 5000, 53, 0, 1 * SEC), &i);
    feed(t, mk(17, "10.0.0.2", "10.0.0.1", 53, 5000, 0, 2 * SEC), &i);
    feed(t, mk(17, "10.0.0.2", "10.0.0.1", 53, 5000, 0, 3 * SEC), &i);
    nc_flow_table_flush(t);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].src, "10.0.0.1");
    assert_int_equal(s.c[0].sport, 5000);
    assert_int_equal(s.c[0].c2s, 1);
    assert_int_equal(s.c[0].s2c, 2);
    assert_int_equal(s.c[0].bytes_c2s, 100);
    assert_string_equal(s.c[0].reason, "eof");
    nc_flow_table_free(t);
}

static void test_synack_first_makes_the_receiver_the_client(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 60 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(6, "10.0.0.2", "10.0.0.1", 80, 40000, NC_TCP_SYN | NC_TCP_ACK, SEC), &i);
    feed(t, mk(6, "10.0.0.1", "10.0.0.2", 40000, 80, NC_TCP_ACK, SEC), &i);
    nc_flow_table_flush(t);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].src, "10.0.0.1");
    assert_int_equal(s.c[0].dport, 80);
    assert_int_equal(s.c[0].c2s, 1);
    assert_int_equal(s.c[0].s2c, 1);
    nc_flow_table_free(t);
}

static void test_fin_both_ways_closes_after_linger_with_last_ack(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 300 * SEC, collect, &s);
    uint64_t i = 0;
    const char *c = "192.168.1.1", *v = "192.168.1.2";
    feed(t, mk(6, c, v, 1234, 80, NC_TCP_SYN, 10 * SEC), &i);
    feed(t, mk(6, v, c, 80, 1234, NC_TCP_SYN | NC_TCP_ACK, 10 * SEC), &i);
    feed(t, mk(6, c, v, 1234, 80, NC_TCP_ACK, 10 * SEC), &i);
    feed(t, mk(6, c, v, 1234, 80, NC_TCP_FIN | NC_TCP_ACK, 11 * SEC), &i);
    feed(t, mk(6, v, c, 80, 1234, NC_TCP_FIN | NC_TCP_ACK, 11 * SEC), &i);
    feed(t, mk(6, c, v, 1234, 80, NC_TCP_ACK, 11 * SEC), &i); /* final ACK counts */
    assert_int_equal(s.n, 0);
    /* an unrelated packet later in capture time lets the linger run out */
    feed(t, mk(17, "1.1.1.1", "2.2.2.2", 1, 2, 0, 20 * SEC), &i);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].reason, "fin");
    assert_int_equal(s.c[0].pkts, 6);
    assert_int_equal(s.c[0].syn, 2);
    assert_int_equal(s.c[0].fin, 2);
    assert_int_equal(s.c[0].ack, 5);
    assert_int_equal(nc_flow_table_stats(t)->closed, 1);
    nc_flow_table_flush(t);
    nc_flow_table_free(t);
}

static void test_rst_closes_and_new_syn_starts_a_new_connection(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 300 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(6, "10.1.1.1", "10.1.1.2", 999, 22, NC_TCP_SYN, SEC), &i);
    feed(t, mk(6, "10.1.1.2", "10.1.1.1", 22, 999, NC_TCP_RST | NC_TCP_ACK, SEC), &i);
    feed(t, mk(6, "10.1.1.1", "10.1.1.2", 999, 22, NC_TCP_SYN, SEC + 1000), &i);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].reason, "rst");
    assert_int_equal(s.c[0].rst, 1);
    nc_flow_table_flush(t);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.c[1].pkts, 1);
    nc_flow_table_free(t);
}

static void test_idle_timeout_is_capture_time(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 30 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(17, "10.0.0.1", "10.0.0.9", 1, 2, 0, 100 * SEC), &i);
    feed(t, mk(17, "10.0.0.3", "10.0.0.9", 1, 2, 0, 120 * SEC), &i);
    assert_int_equal(s.n, 0);
    feed(t, mk(17, "10.0.0.4", "10.0.0.9", 1, 2, 0, 131 * SEC), &i);
    assert_int_equal(s.n, 1); /* idle 31 s > 30 s */
    assert_string_equal(s.c[0].src, "10.0.0.1");
    assert_string_equal(s.c[0].reason, "timeout");
    /* a packet from the past does not move time backwards */
    feed(t, mk(17, "10.0.0.5", "10.0.0.9", 1, 2, 0, 1 * SEC), &i);
    assert_int_equal(s.n, 1);
    /* ...but a flow seen again after more than the timeout by its own clock
     * ends and a new one starts, even while time runs behind the maximum */
    feed(t, mk(17, "10.0.0.5", "10.0.0.9", 1, 2, 0, 40 * SEC), &i);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.c[1].src, "10.0.0.5");
    assert_string_equal(s.c[1].reason, "timeout");
    nc_flow_table_flush(t);
    nc_flow_table_free(t);
}

static void test_full_table_evicts_least_recently_active(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(3, 300 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(17, "10.0.0.1", "10.0.0.9", 1, 2, 0, 1 * SEC), &i);
    feed(t, mk(17, "10.0.0.2", "10.0.0.9", 1, 2, 0, 2 * SEC), &i);
    feed(t, mk(17, "10.0.0.3", "10.0.0.9", 1, 2, 0, 3 * SEC), &i);
    feed(t, mk(17, "10.0.0.1", "10.0.0.9", 1, 2, 0, 4 * SEC), &i); /* .1 active again */
    feed(t, mk(17, "10.0.0.4", "10.0.0.9", 1, 2, 0, 5 * SEC), &i);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].src, "10.0.0.2");
    assert_string_equal(s.c[0].reason, "evicted");
    const struct nc_flow_stats *st = nc_flow_table_stats(t);
    assert_int_equal(st->evicted, 1);
    assert_int_equal(st->peak, 3);
    /* thousands more flows: the table never holds more than 3 */
    for (int k = 0; k < 2000; k++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "10.9.%d.%d", k / 250, k % 250);
        struct nc_flow_pkt fp = mk(17, ip, "10.0.0.9", 7, 8, 0, 6 * SEC);
        nc_flow_table_update(t, &fp, i++);
        if (s.n == 64) {
            s.n = 0;
        }
    }
    assert_int_equal(nc_flow_table_stats(t)->peak, 3);
    nc_flow_table_free(t);
}

static void test_end_of_input_in_first_packet_order(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 300 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(17, "10.0.0.3", "10.0.0.9", 1, 2, 0, 1 * SEC), &i);
    feed(t, mk(17, "10.0.0.1", "10.0.0.9", 1, 2, 0, 2 * SEC), &i);
    feed(t, mk(17, "10.0.0.2", "10.0.0.9", 1, 2, 0, 3 * SEC), &i);
    feed(t, mk(17, "10.0.0.3", "10.0.0.9", 1, 2, 0, 4 * SEC), &i);
    nc_flow_table_flush(t);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.c[0].src, "10.0.0.3");
    assert_string_equal(s.c[1].src, "10.0.0.1");
    assert_string_equal(s.c[2].src, "10.0.0.2");
    nc_flow_table_free(t);
}

/* A reassembled datagram stands for all its fragments. */
static void test_datagram_counts_its_fragments(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 300 * SEC, collect, &s);
    uint64_t i = 0;
    struct nc_flow_pkt dg = mk(17, "10.0.0.1", "10.0.0.2", 5353, 53, 0, SEC);
    dg.count = 3;
    dg.wirelen = 3000;
    feed(t, dg, &i);
    feed(t, mk(17, "10.0.0.2", "10.0.0.1", 53, 5353, 0, SEC + 1), &i);
    nc_flow_table_flush(t);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.c[0].pkts, 4);
    assert_int_equal(s.c[0].c2s, 3);
    assert_int_equal(s.c[0].bytes_c2s, 3000);
    nc_flow_table_free(t);
}

/* Hash flooding: keys crafted to share a bucket under one seed spread out
 * under another, and the uid does not depend on the seed. */
static void test_seeded_buckets_resist_flooding(void **state)
{
    (void)state;
    enum {
        N = 200
    };
    static struct nc_flow_pkt crafted[N];
    nc_flow_set_seed(0);
    size_t n = 0;
    for (uint32_t k = 0; n < N && k < 50000000; k++) {
        char dst[32];
        snprintf(dst, sizeof(dst), "10.%u.%u.%u", k >> 16 & 255, k >> 8 & 255, k & 255);
        struct nc_flow_pkt fp = mk(17, "192.0.2.1", dst, 1000, 53, 0, SEC);
        if ((fp.hash & 1023) == 7) {
            crafted[n++] = fp;
        }
    }
    assert_int_equal(n, N);
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(512, 300 * SEC, NULL, &s);
    for (size_t i = 0; i < N; i++) {
        nc_flow_table_update(t, &crafted[i], i);
    }
    assert_true(nc_flow_table_longest_chain(t) >= N); /* all in one chain */
    nc_flow_table_free(t);
    nc_flow_set_seed(0x5eed5eed12345678ULL);
    t = nc_flow_table_new(512, 300 * SEC, NULL, &s);
    for (size_t i = 0; i < N; i++) {
        nc_flow_pkt_rekey(&crafted[i]);
        nc_flow_table_update(t, &crafted[i], i);
    }
    assert_true(nc_flow_table_longest_chain(t) < 12);
    nc_flow_table_free(t);
    nc_flow_set_seed(0);
}

/* Reference values: Zeek's community_id baselines in the corpus. */
static void test_community_id_matches_zeek(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct nc_flow_table *t = nc_flow_table_new(16, 300 * SEC, collect, &s);
    uint64_t i = 0;
    feed(t, mk(6, "128.232.110.120", "66.35.250.204", 34855, 80, NC_TCP_SYN, SEC), &i);
    feed(t, mk(17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, SEC), &i);
    feed(t, mk(1, "192.168.0.89", "192.168.0.1", 8, 0, 0, SEC), &i);
    feed(t, mk(1, "192.168.0.1", "192.168.0.89", 0, 0, 0, SEC), &i); /* the echo reply */
    nc_flow_table_flush(t);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.c[0].cid, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    assert_string_equal(s.c[1].cid, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
    assert_string_equal(s.c[2].cid, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    assert_int_equal(s.c[2].pkts, 2);
    nc_flow_table_free(t);
    nc_community_id_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_directions_are_one_connection),
        cmocka_unit_test(test_synack_first_makes_the_receiver_the_client),
        cmocka_unit_test(test_fin_both_ways_closes_after_linger_with_last_ack),
        cmocka_unit_test(test_rst_closes_and_new_syn_starts_a_new_connection),
        cmocka_unit_test(test_idle_timeout_is_capture_time),
        cmocka_unit_test(test_full_table_evicts_least_recently_active),
        cmocka_unit_test(test_end_of_input_in_first_packet_order),
        cmocka_unit_test(test_datagram_counts_its_fragments),
        cmocka_unit_test(test_seeded_buckets_resist_flooding),
        cmocka_unit_test(test_community_id_matches_zeek),
    };
    return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
