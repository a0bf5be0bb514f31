/*
 * Unit tests of the parts of `netcap util` that are pure functions: the
 * time parser and formatters (src/core/timefmt.c), checked against the C
 * library's calendar for every day of the int64 range and by round trips,
 * and the Netcap (Go) header detection (src/record/ncgo.c) on our own
 * headers and on Netcap-shaped ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/dbuf.h"
#include "core/timefmt.h"
#include "record/encode.h"
#include "record/ncgo.h"
#include "record/record.h"

static int64_t parse_ok(const char *s, enum nc_time_form want_form)
{
    int64_t ns = 0;
    enum nc_time_form form;
    const char *why = NULL;
    int rc = nc_time_parse_form(s, &ns, &form, &why);
    if (rc != NC_OK) {
        fail_msg("'%s': %s", s, why);
    }
    assert_int_equal(form, want_form);
    return ns;
}

static void parse_bad(const char *s, int want_rc)
{
    int64_t ns = 0;
    enum nc_time_form form;
    const char *why = NULL;
    assert_int_equal(nc_time_parse_form(s, &ns, &form, &why), want_rc);
    assert_non_null(why);
}

static void test_formats_edges(void **state)
{
    (void)state;
    char b[NC_TIME_BUF];
    nc_time_rfc3339(0, b);
    assert_string_equal(b, "1970-01-01T00:00:00.000000000Z");
    nc_time_rfc3339(-1, b);
    assert_string_equal(b, "1969-12-31T23:59:59.999999999Z");
    nc_time_rfc3339(INT64_MAX, b);
    assert_string_equal(b, "2262-04-11T23:47:16.854775807Z");
    nc_time_rfc3339(INT64_MIN, b);
    assert_string_equal(b, "1677-09-21T00:12:43.145224192Z");
    nc_time_rfc3339(951782400000000000LL, b); /* leap day of a year divisible by 400 */
    assert_string_equal(b, "2000-02-29T00:00:00.000000000Z");
    nc_time_seconds(INT64_MIN, b);
    assert_string_equal(b, "-9223372036.854775808");
    nc_time_seconds(-1500000000, b);
    assert_string_equal(b, "-1.500000000");
    nc_time_seconds(999999999, b);
    assert_string_equal(b, "0.999999999");
    nc_time_duration(3723000000001LL, b);
    assert_string_equal(b, "3723.000000001s");
}

/* Every day's midnight and a second before it, 1677..2262, against gmtime_r. */
static void test_calendar_matches_libc(void **state)
{
    (void)state;
    if (sizeof(time_t) < 8) {
        skip();
    }
    const int64_t first = -106751 * 86400LL, last = 106750 * 86400LL;
    char mine[NC_TIME_BUF], ref[64];
    for (int64_t s = first; s <= last; s += 86400) {
        for (int k = 0; k < 2; k++) {
            int64_t t = s + (k ? 86399 : 0);
            time_t tt = (time_t)t;
            struct tm tm;
            assert_non_null(gmtime_r(&tt, &tm));
            strftime(ref, sizeof(ref), "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
            nc_time_rfc3339(t * 1000000000, mine);
            if (strcmp(mine, ref) != 0) {
                fail_msg("%lld s: %s, libc %s", (long long)t, mine, ref);
            }
            assert_int_equal(parse_ok(mine, NC_TIME_RFC3339), t * 1000000000);
        }
    }
}

/* Formatting then parsing gives the value back, in both text forms. */
static void test_round_trips(void **state)
{
    (void)state;
    static const int64_t edges[] = { 0, 1, -1, 999999999, -999999999, 1000000000, -1000000000,
        INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, 1700000000123456789LL };
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char b[NC_TIME_BUF];
    for (size_t i = 0; i < NC_ARRAY_LEN(edges) + 100000; i++) {
        int64_t v;
        if (i < NC_ARRAY_LEN(edges)) {
            v = edges[i];
        } else {
            x ^= x << 13; /* xorshift: deterministic values over the whole range */
            x ^= x >> 7;
            x ^= x << 17;
            v = (int64_t)x;
        }
        nc_time_rfc3339(v, b);
        assert_int_equal(parse_ok(b, NC_TIME_RFC3339), v);
        nc_time_seconds(v, b);
        assert_int_equal(parse_ok(b, NC_TIME_SECONDS), v);
        snprintf(b, sizeof(b), "%lldns", (long long)v);
        assert_int_equal(parse_ok(b, NC_TIME_NS), v);
    }
}

static void test_detects_forms(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1700000000", NC_TIME_SECONDS), 1700000000000000000LL);
    assert_int_equal(parse_ok("9223372036", NC_TIME_SECONDS), 9223372036000000000LL);
    assert_int_equal(parse_ok("10000000000", NC_TIME_NS), 10000000000LL);
    assert_int_equal(parse_ok("  42s\n", NC_TIME_SECONDS), 42000000000LL);
    assert_int_equal(parse_ok("+.5", NC_TIME_SECONDS), 500000000);
    assert_int_equal(parse_ok("5.", NC_TIME_SECONDS), 5000000000LL);
    assert_int_equal(parse_ok("-0.0000000019", NC_TIME_SECONDS), -1); /* toward zero */
    assert_int_equal(parse_ok("2023-11-14T22:13:20.5Z", NC_TIME_RFC3339), 1700000000500000000LL);
    assert_int_equal(parse_ok("2023-11-14 22:13:20,5z", NC_TIME_RFC3339), 1700000000500000000LL);
    assert_int_equal(
            parse_ok("2023-11-15T03:43:20+05:30", NC_TIME_RFC3339), 1700000000LL * 1000000000);
    assert_int_equal(
            parse_ok("2023-11-14T22:13:20-00:00", NC_TIME_RFC3339), 1700000000LL * 1000000000);
    assert_int_equal(parse_ok("1970-01-01", NC_TIME_RFC3339), 0);
}

static void test_refuses_non_times(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "   ", "abc", "1e9", "0x10", "--1", "1.5ns", "12 34",
        "1.2.3", ".", "-", "s", "ns", "2023-13-01T00:00:00Z", "2023-00-10", "2023-04-31",
        "2023-02-29", "1900-02-29", "2023-11-14T24:00:00Z", "2023-11-14T23:60:00Z",
        "2023-11-14T23:59:60Z", "2023-11-14T22:13:20", "2023-11-14T22:13:20+0100",
        "2023-11-14T22:13:20+01:60", "2023-11-14T22:13:20.Z", "2023-11-14T22:13Z", "2023-1-14",
        "02023-11-14", "2023-11-14T22:13:20Zjunk", "2023-11-14X22:13:20Z" };
    for (size_t i = 0; i < NC_ARRAY_LEN(bad); i++) {
        int64_t ns;
        enum nc_time_form form;
        const char *why = NULL;
        if (nc_time_parse_form(bad[i], &ns, &form, &why) != NC_EMALFORMED) {
            fail_msg("'%s' was accepted or gave the wrong error", bad[i]);
        }
    }
    char longv[300];
    memset(longv, '1', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    parse_bad(longv, NC_EMALFORMED);
    parse_bad("9223372036854775808", NC_ELIMIT);
    parse_bad("-9223372036854775809", NC_ELIMIT);
    parse_bad("99999999999999999999999", NC_ELIMIT);
    parse_bad("9223372037", NC_ELIMIT); /* seconds past 2262 */
    parse_bad("9223372036.854775808", NC_ELIMIT);
    parse_bad("-9223372036.854775809", NC_ELIMIT);
    parse_bad("2262-04-11T23:47:16.854775808Z", NC_ELIMIT);
    parse_bad("1677-09-21T00:12:43.145224191Z", NC_ELIMIT);
    parse_bad("9999-12-31T23:59:59Z", NC_ELIMIT);
    parse_bad("0000-01-01T00:00:00Z", NC_ELIMIT);
}

/* ---------------------------------------------------------- Netcap (Go) */

static size_t pb_varint(uint8_t *p, uint64_t v)
{
    return nc_varint_put(p, v);
}

static size_t pb_str(uint8_t *p, unsigned field, const char *s)
{
    size_t n = pb_varint(p, field << 3 | 2);
    n += pb_varint(p + n, strlen(s));
    memcpy(p + n, s, strlen(s));
    return n + strlen(s);
}

static size_t pb_num(uint8_t *p, unsigned field, uint64_t v)
{
    size_t n = pb_varint(p, field << 3);
    return n + pb_varint(p + n, v);
}

static void test_netcap_go_headers_are_recognised(void **state)
{
    (void)state;
    uint8_t h[256];
    char msg[NC_ERRBUF_SIZE] = "";
    size_t n = pb_str(h, 1, "2020-01-02 15:04:05 +0000 UTC");
    n += pb_str(h + n, 2, "in.pcap");
    n += pb_num(h + n, 3, 17);
    n += pb_str(h + n, 4, "v0.5.13");
    n += pb_num(h + n, 5, 1);
    assert_true(nc_ncgo_header(h, n, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "Netcap, the Go tool (v0.5.13, input \"in.pcap\")"));
    assert_non_null(strstr(msg, "netcap capture"));
    /* only Version betrays it (Created empty, ContainsPayloads false) */
    n = pb_str(h, 2, "x\x1b[2J");
    n += pb_num(h + n, 3, 41);
    n += pb_str(h + n, 4, "v0.6.0");
    assert_true(nc_ncgo_header(h, n, msg, sizeof(msg)));
    assert_null(strchr(msg, '\x1b')); /* control bytes never reach the terminal */
    /* a Netcap-like header that also has our fields is ours */
    n += pb_num(h + n, 6, 1);
    assert_false(nc_ncgo_header(h, n, msg, sizeof(msg)));
    /* malformed bytes are not a Netcap header (the caller reports them) */
    static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };
    assert_false(nc_ncgo_header(junk, sizeof(junk), msg, sizeof(msg)));
    assert_false(nc_ncgo_header(h, 0, msg, sizeof(msg)));
}

static void test_our_headers_are_not_netcap_go(void **state)
{
    (void)state;
    nc_record_init();
    static char version[] = "v1.2.3", source[] = "in.pcap", name[] = "DNS", opts[] = "-payload";
    Netcap__Header hdr = NETCAP__HEADER__INIT;
    hdr.version = version; /* even a Version like Netcap's */
    hdr.input_source = source;
    hdr.type = NETCAP__TYPE__NC_DNS;
    hdr.type_name = name;
    hdr.schema_version = NC_SCHEMA_VERSION;
    hdr.options = opts;
    for (int created = 0; created < 2; created++) {
        hdr.created = created ? 1700000000000000000LL : 0;
        struct nc_dbuf b;
        nc_dbuf_init(&b, 1 << 20);
        assert_int_equal(nc_encode_delimited(&b, &hdr.base), NC_OK);
        uint64_t len;
        size_t used;
        assert_int_equal(nc_varint_get(b.p, b.len, &len, &used), NC_OK);
        char msg[NC_ERRBUF_SIZE] = "untouched";
        assert_false(nc_ncgo_header(b.p + used, (size_t)len, msg, sizeof(msg)));
        assert_string_equal(msg, "untouched");
        nc_dbuf_fini(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_edges),
        cmocka_unit_test(test_calendar_matches_libc),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_detects_forms),
        cmocka_unit_test(test_refuses_non_times),
        cmocka_unit_test(test_netcap_go_headers_are_recognised),
        cmocka_unit_test(test_our_headers_are_not_netcap_go),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
