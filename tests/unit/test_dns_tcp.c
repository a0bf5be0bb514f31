/*
 * Unit tests of the DNS-over-TCP stream parser (src/proto/dns_tcp.c)
 * through the stream harness: length framing over a reassembled stream,
 * messages split anywhere, several messages per chunk, gaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/parser.h"

/* clang-format off */
static const uint8_t two_msgs[] = {
    0x00, 33, /* length 33: query www.example.com A, id 0x1234 */
    0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01,
    0x00, 28, /* length 28: query ns.example NS, id 0x1235 */
    0x12, 0x35, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    2, 'n', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
    0x00, 0x02, 0x00, 0x01,
};
/* clang-format on */

static struct nc_stream *fresh(void)
{
    struct nc_stream *s = nc_stream_test_new(&nc_parser_dns_tcp, 1 << 20);
    assert_non_null(s);
    return s;
}

static void test_two_messages_one_chunk(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = fresh();
    assert_true(nc_stream_test_feed(s, 0, two_msgs, sizeof(two_msgs), 1000));
    assert_int_equal(nc_stream_test_count(s, NC_REC_DNS), 2);
    const char *j = nc_stream_test_json(s);
    assert_non_null(strstr(j, "\"id\":4660"));
    assert_non_null(strstr(j, "\"id\":4661"));
    assert_non_null(strstr(j, "www.example.com"));
    assert_non_null(strstr(j, "\"transport\":\"tcp\""));
    /* the client's message: src is the client, joined to its connection */
    assert_non_null(strstr(j, "\"src_ip\":\"192.0.2.1\""));
    assert_non_null(strstr(j, "\"dst_port\":53"));
    assert_non_null(strstr(j, "\"uid\":\"Ctest\""));
    nc_stream_test_close(s, 2000);
    assert_int_equal(nc_stream_test_budget_used(s), 0);
    nc_stream_test_free(s);
}

/* Every split point, and one byte at a time, give the same records. */
static void test_split_anywhere(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *ref = fresh();
    assert_true(nc_stream_test_feed(ref, 1, two_msgs, sizeof(two_msgs), 5));
    char *want = strdup(nc_stream_test_json(ref));
    nc_stream_test_free(ref);
    for (size_t cut = 1; cut < sizeof(two_msgs); cut++) {
        struct nc_stream *s = fresh();
        assert_true(nc_stream_test_feed(s, 1, two_msgs, cut, 5));
        /* nothing before a message is complete */
        assert_int_equal(nc_stream_test_count(s, NC_REC_DNS), cut >= 35 ? 1 : 0);
        assert_true(nc_stream_test_feed(s, 1, two_msgs + cut, sizeof(two_msgs) - cut, 5));
        assert_string_equal(nc_stream_test_json(s), want);
        nc_stream_test_free(s);
    }
    struct nc_stream *s = fresh();
    for (size_t i = 0; i < sizeof(two_msgs); i++) {
        assert_true(nc_stream_test_feed(s, 1, two_msgs + i, 1, 5));
    }
    assert_string_equal(nc_stream_test_json(s), want);
    /* the response direction: src is the server */
    assert_non_null(strstr(want, "\"src_ip\":\"198.51.100.2\""));
    nc_stream_test_free(s);
    free(want);
}

/* A gap loses the framing: the parser is switched off, nothing invented. */
static void test_gap_switches_off(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = fresh();
    assert_true(nc_stream_test_feed(s, 0, two_msgs, 20, 1));
    assert_false(nc_stream_test_gap(s, 0, 100, 2));
    assert_false(nc_stream_test_feed(s, 0, two_msgs + 35, sizeof(two_msgs) - 35, 3));
    assert_int_equal(nc_stream_test_count(s, NC_REC_DNS), 0);
    nc_stream_test_close(s, 4);
    assert_int_equal(nc_stream_test_budget_used(s), 0);
    nc_stream_test_free(s);
}

/* A malformed message inside a good frame still gives its record, and the
 * stream goes on with the next frame. */
static void test_malformed_inside_frame(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t bad[] = {
        0x00, 14, 0x00, 0x05, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12,
    };
    /* clang-format on */
    struct nc_stream *s = fresh();
    assert_true(nc_stream_test_feed(s, 0, bad, sizeof(bad), 1));
    assert_true(nc_stream_test_feed(s, 0, two_msgs, sizeof(two_msgs), 1));
    assert_int_equal(nc_stream_test_count(s, NC_REC_DNS), 3);
    nc_stream_test_free(s);
}

/* Probing: port 53 and a plausible length only. */
static void test_probe(void **state)
{
    NC_UNUSED(state);
    const struct nc_parser *p = &nc_parser_dns_tcp;
    assert_int_equal(p->probe(two_msgs, 1, 0, true), NC_PROBE_MORE);
    assert_int_equal(p->probe(two_msgs, 2, 0, true), NC_PROBE_YES);
    assert_int_equal(p->probe(two_msgs, sizeof(two_msgs), 0, false), NC_PROBE_NO);
    static const uint8_t tiny[] = { 0, 3, 1, 2, 3 };
    assert_int_equal(p->probe(tiny, sizeof(tiny), 0, true), NC_PROBE_NO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_messages_one_chunk),
        cmocka_unit_test(test_split_anywhere),
        cmocka_unit_test(test_gap_switches_off),
        cmocka_unit_test(test_malformed_inside_frame),
        cmocka_unit_test(test_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
