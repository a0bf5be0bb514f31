/*
 * summary: tests for record/timefmt.c: RFC 3339 / Unix / ns formatting and
 *          parsing of times, durations, and which fields are times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "record/timefmt.h"

static const char *fmt(int64_t ns, enum nc_time_mode m)
{
    static char buf[NC_TIME_TEXT_MAX];
    return nc_time_str(buf, ns, m);
}

static int64_t parse(const char *s)
{
    int64_t v = 0;
    const char *why = NULL;
    if (nc_time_parse(s, strlen(s), &v, &why) != NC_OK) {
        fail_msg("'%s' did not parse: %s", s, why);
    }
    return v;
}

static void parse_fails(const char *s)
{
    int64_t v = 0;
    const char *why = NULL;
    if (nc_time_parse(s, strlen(s), &v, &why) != NC_EARG) {
        fail_msg("'%s' parsed as %lld", s, (long long)v);
    }
    assert_non_null(why);
}

static void test_format_utc(void **state)
{
    (void)state;
    assert_string_equal(fmt(1300475168892037000LL, NC_TIME_UTC), "2011-03-18T19:06:08.892037000Z");
    assert_string_equal(fmt(0, NC_TIME_UTC), "1970-01-01T00:00:00.000000000Z");
    /* negative: one ns before the epoch, and before the first leap day */
    assert_string_equal(fmt(-1, NC_TIME_UTC), "1969-12-31T23:59:59.999999999Z");
    assert_string_equal(
            fmt(-1000000000LL * 86400 * 365, NC_TIME_UTC), "1969-01-01T00:00:00.000000000Z");
    /* the ends of int64 */
    assert_string_equal(fmt(INT64_MAX, NC_TIME_UTC), "2262-04-11T23:47:16.854775807Z");
    assert_string_equal(fmt(INT64_MIN, NC_TIME_UTC), "1677-09-21T00:12:43.145224192Z");
    /* leap days: 2000 is a leap year, 2100 is not */
    assert_string_equal(
            fmt(parse("2000-02-29T12:00:00Z"), NC_TIME_UTC), "2000-02-29T12:00:00.000000000Z");
    assert_string_equal(fmt(parse("2100-02-28T23:59:59Z") + 1000000000LL, NC_TIME_UTC),
            "2100-03-01T00:00:00.000000000Z");
}

static void test_format_other(void **state)
{
    (void)state;
    assert_string_equal(fmt(1300475168892037000LL, NC_TIME_UNIX), "1300475168.892037000");
    assert_string_equal(fmt(-1, NC_TIME_UNIX), "-0.000000001");
    assert_string_equal(fmt(-1500000000LL, NC_TIME_UNIX), "-1.500000000");
    assert_string_equal(fmt(INT64_MIN, NC_TIME_UNIX), "-9223372036.854775808");
    assert_string_equal(fmt(-5, NC_TIME_NS), "-5");
    assert_string_equal(fmt(INT64_MIN, NC_TIME_NS), "-9223372036854775808");
    setenv("TZ", "UTC", 1);
    tzset();
    assert_string_equal(fmt(0, NC_TIME_LOCAL), "1970-01-01T00:00:00.000000000+00:00");
    setenv("TZ", "XST-5:30", 1); /* POSIX TZ: 5:30 east of UTC, no DST */
    tzset();
    assert_string_equal(fmt(0, NC_TIME_LOCAL), "1970-01-01T05:30:00.000000000+05:30");
    setenv("TZ", "UTC", 1);
    tzset();
    enum nc_time_mode m;
    assert_true(nc_time_mode_parse("local", &m) && m == NC_TIME_LOCAL);
    assert_false(nc_time_mode_parse("UTC ", &m));
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(parse("2011-03-18T19:06:08.892037Z"), 1300475168892037000LL);
    assert_int_equal(parse("2011-03-18t19:06:08.892037z"), 1300475168892037000LL);
    assert_int_equal(parse("2011-03-18 20:06:08.892037+01:00"), 1300475168892037000LL);
    assert_int_equal(parse("2011-03-18T19:06:08"), 1300475168000000000LL);
    assert_int_equal(parse("1970-01-01"), 0);
    assert_int_equal(parse("1969-12-31T23:59:59.999999999Z"), -1);
    assert_int_equal(parse("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
    assert_int_equal(parse("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
    /* numbers: seconds below 10^12, ns above; '.' and 's' mean seconds */
    assert_int_equal(parse("1300475168"), 1300475168000000000LL);
    assert_int_equal(parse("1300475168.5"), 1300475168500000000LL);
    assert_int_equal(parse("1300475168892037000"), 1300475168892037000LL);
    assert_int_equal(parse("5ns"), 5);
    assert_int_equal(parse("5s"), 5000000000LL);
    assert_int_equal(parse("-1.5"), -1500000000LL);
    assert_int_equal(parse("-9223372036854775808"), INT64_MIN);
    /* out of range and malformed */
    parse_fails("9999-12-31T23:59:59Z"); /* year 9999 is past int64 ns */
    parse_fails("2262-04-11T23:47:16.854775808Z");
    parse_fails("1677-09-21T00:12:43.145224191Z");
    parse_fails("2011-02-29T00:00:00Z"); /* not a leap year */
    parse_fails("2011-13-01");
    parse_fails("2011-03-18T24:00:00Z");
    parse_fails("2016-12-31T23:59:60Z"); /* leap second: Unix time has none */
    parse_fails("2011-03-18T19:06:08.1234567891Z");
    parse_fails("2011-03-18T19:06:08+0100");
    parse_fails("");
    parse_fails("yesterday");
    parse_fails("1.5ns");
    parse_fails("9223372036854775808");
    parse_fails("9223372037s");
}

static void test_duration(void **state)
{
    (void)state;
    char b[NC_TIME_TEXT_MAX];
    assert_string_equal(nc_duration_str(b, 0), "0s");
    assert_string_equal(nc_duration_str(b, 250), "250ns");
    assert_string_equal(nc_duration_str(b, 1500), "1.5\xc2\xb5s");
    assert_string_equal(nc_duration_str(b, 211628000), "211.628ms");
    assert_string_equal(nc_duration_str(b, 1234567000), "1.234567s");
    assert_string_equal(nc_duration_str(b, 3723500000000LL), "1h2m3.5s");
    assert_string_equal(nc_duration_str(b, 60000000000LL), "1m0s");
    assert_string_equal(nc_duration_str(b, -1500000000LL), "-1.5s");
    assert_string_equal(nc_duration_str(b, INT64_MIN), "-2562047h47m16.854775808s");
    int64_t v;
    const char *why;
    assert_int_equal(nc_duration_parse("1.5s", 4, &v, &why), NC_OK);
    assert_int_equal(v, 1500000000LL);
    assert_int_equal(nc_duration_parse("1h30m", 5, &v, &why), NC_OK);
    assert_int_equal(v, 5400000000000LL);
    assert_int_equal(nc_duration_parse("200ms", 5, &v, &why), NC_OK);
    assert_int_equal(v, 200000000);
    assert_int_equal(nc_duration_parse("1.5us", 5, &v, &why), NC_OK);
    assert_int_equal(v, 1500);
    assert_int_equal(nc_duration_parse("-42", 3, &v, &why), NC_OK);
    assert_int_equal(v, -42);
    assert_int_equal(nc_duration_parse("1.5", 3, &v, &why), NC_EARG);
    assert_int_equal(nc_duration_parse("3x", 2, &v, &why), NC_EARG);
    assert_int_equal(nc_duration_parse("99999999999h", 12, &v, &why), NC_EARG);
}

static void test_civil_roundtrip(void **state)
{
    (void)state;
    /* Every day from 1677 to 2262 maps to a date and back. */
    for (int64_t d = -106752; d <= 106751; d++) {
        int64_t y;
        unsigned m, dd;
        nc_civil_from_days(d, &y, &m, &dd);
        assert_true(m >= 1 && m <= 12 && dd >= 1 && dd <= 31);
        assert_int_equal(nc_days_from_civil(y, m, dd), d);
    }
    assert_int_equal(nc_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(nc_days_from_civil(0, 3, 1), -719468);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_utc),
        cmocka_unit_test(test_format_other),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_civil_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
