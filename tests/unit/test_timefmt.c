/*
 * summary: tests for core/timefmt.c, the one time module of dump and util:
 *          RFC 3339 / Unix / ns / local formatting, the parser and the forms
 *          it detects, durations both ways, and the calendar, checked
 *          against the C library for every day of the int64 range and by
 *          round trips.
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

#include "core/timefmt.h"

static const char *fmt(int64_t ns, enum nc_time_mode m)
{
    static char buf[NC_TIME_BUF];
    return nc_time_str(buf, ns, m);
}

/* Parses s, which must be a time of the given form. */
static int64_t parse_ok(const char *s, enum nc_time_form want_form)
{
    int64_t ns = 0;
    enum nc_time_form form;
    const char *why = NULL;
    if (nc_time_parse(s, strlen(s), &ns, &form, &why) != NC_OK) {
        fail_msg("'%s' did not parse: %s", s, why);
    }
    assert_int_equal(form, want_form);
    return ns;
}

static int64_t parse(const char *s)
{
    int64_t ns = 0;
    const char *why = NULL;
    if (nc_time_parse(s, strlen(s), &ns, NULL, &why) != NC_OK) {
        fail_msg("'%s' did not parse: %s", s, why);
    }
    return ns;
}

/* s must be refused with want_rc and a reason containing want_why. */
static void parse_bad(const char *s, int want_rc, const char *want_why)
{
    int64_t ns = 0;
    const char *why = NULL;
    int rc = nc_time_parse(s, strlen(s), &ns, NULL, &why);
    if (rc != want_rc) {
        fail_msg("'%.40s': rc %d (want %d), %lld", s, rc, want_rc, (long long)ns);
    }
    assert_non_null(why);
    if (!strstr(why, want_why)) {
        fail_msg("'%.40s': '%s' does not say '%s'", s, why, want_why);
    }
}

/* ------------------------------------------------------------- formatting */

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
    /* leap days: 2000 is a leap year (divisible by 400), 2100 is not */
    assert_string_equal(fmt(951782400000000000LL, NC_TIME_UTC), "2000-02-29T00:00:00.000000000Z");
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
    assert_string_equal(fmt(999999999, NC_TIME_UNIX), "0.999999999");
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
    assert_true(nc_time_mode_parse("ns", &m) && m == NC_TIME_NS);
    assert_false(nc_time_mode_parse("UTC ", &m));
}

/* ----------------------------------------------------------------- parsing */

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(parse("2011-03-18T19:06:08.892037Z"), 1300475168892037000LL);
    assert_int_equal(parse("2011-03-18t19:06:08.892037z"), 1300475168892037000LL);
    assert_int_equal(parse("2011-03-18 20:06:08.892037+01:00"), 1300475168892037000LL);
    assert_int_equal(parse("1970-01-01"), 0);
    assert_int_equal(parse("1969-12-31T23:59:59.999999999Z"), -1);
    assert_int_equal(parse("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
    assert_int_equal(parse("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
    /* digits past the ninth are accepted only as zeros: whole ns */
    assert_int_equal(parse("2011-03-18T19:06:08.8920370000000Z"), 1300475168892037000LL);
    /* numbers: '.' and 's' mean seconds, "ns" nanoseconds */
    assert_int_equal(parse("1300475168"), 1300475168000000000LL);
    assert_int_equal(parse("1300475168.5"), 1300475168500000000LL);
    assert_int_equal(parse("1300475168892037000"), 1300475168892037000LL);
    assert_int_equal(parse("5ns"), 5);
    assert_int_equal(parse("5s"), 5000000000LL);
    assert_int_equal(parse("-1.5"), -1500000000LL);
    assert_int_equal(parse("-9223372036854775808"), INT64_MIN);
    /* the length given is the value: bytes after it are not read */
    int64_t v = 0;
    const char *why = NULL;
    assert_int_equal(nc_time_parse("1300475168junk", 10, &v, NULL, &why), NC_OK);
    assert_int_equal(v, 1300475168000000000LL);
}

static void test_detects_forms(void **state)
{
    (void)state;
    /* a bare integer: at most 10 digits seconds, else ns */
    assert_int_equal(parse_ok("1700000000", NC_TIME_FORM_SECONDS), 1700000000000000000LL);
    assert_int_equal(parse_ok("9223372036", NC_TIME_FORM_SECONDS), 9223372036000000000LL);
    assert_int_equal(parse_ok("-9223372036", NC_TIME_FORM_SECONDS), -9223372036000000000LL);
    assert_int_equal(parse_ok("0", NC_TIME_FORM_SECONDS), 0);
    assert_int_equal(parse_ok("10000000000", NC_TIME_FORM_NS), 10000000000LL);
    assert_int_equal(parse_ok("999999999999", NC_TIME_FORM_NS), 999999999999LL);
    assert_int_equal(parse_ok("00000000001", NC_TIME_FORM_NS), 1); /* digits as written */
    assert_int_equal(parse_ok("  42s\n", NC_TIME_FORM_SECONDS), 42000000000LL);
    assert_int_equal(parse_ok("+.5", NC_TIME_FORM_SECONDS), 500000000);
    assert_int_equal(parse_ok("5.", NC_TIME_FORM_SECONDS), 5000000000LL);
    assert_int_equal(parse_ok("-0.000000001", NC_TIME_FORM_SECONDS), -1);
    assert_int_equal(parse_ok("-0.0000000010", NC_TIME_FORM_SECONDS), -1);
    assert_int_equal(parse_ok("17ns", NC_TIME_FORM_NS), 17);
    assert_int_equal(
            parse_ok("2023-11-14T22:13:20.5Z", NC_TIME_FORM_RFC3339), 1700000000500000000LL);
    assert_int_equal(
            parse_ok("2023-11-14 22:13:20,5z", NC_TIME_FORM_RFC3339), 1700000000500000000LL);
    assert_int_equal(
            parse_ok("2023-11-15T03:43:20+05:30", NC_TIME_FORM_RFC3339), 1700000000LL * 1000000000);
    assert_int_equal(
            parse_ok("2023-11-14T22:13:20-00:00", NC_TIME_FORM_RFC3339), 1700000000LL * 1000000000);
    assert_int_equal(parse_ok("1970-01-01", NC_TIME_FORM_RFC3339), 0);
}

static void test_refuses_non_times(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "   ", "abc", "yesterday", "1e9", "0x10", "--1", "1.5ns",
        "12 34", "1.2.3", ".", "-", "s", "ns", "2023-13-01T00:00:00Z", "2011-13-01", "2023-00-10",
        "2023-04-31", "2023-02-29", "2011-02-29T00:00:00Z", "1900-02-29", "2023-11-14T24:00:00Z",
        "2023-11-14T23:60:00Z", "2023-11-14T23:59:60Z", "2016-12-31T23:59:60Z",
        "2023-11-14T22:13:20", "2011-03-18T19:06:08", "2023-11-14T22:13:20+0100",
        "2023-11-14T22:13:20+01:60", "2023-11-14T22:13:20.Z", "2023-11-14T22:13Z", "2023-1-14",
        "02023-11-14", "2023-11-14T22:13:20Zjunk", "2023-11-14X22:13:20Z",
        "2011-03-18T19:06:08.1234567891Z", "-0.0000000019", "1.0000000001s", "1300475168.5ns" };
    for (size_t i = 0; i < NC_ARRAY_LEN(bad); i++) {
        int64_t ns;
        const char *why = NULL;
        if (nc_time_parse(bad[i], strlen(bad[i]), &ns, NULL, &why) != NC_EMALFORMED) {
            fail_msg("'%s' was accepted or gave the wrong error", bad[i]);
        }
        assert_non_null(why);
    }
    /* the reasons */
    parse_bad("", NC_EMALFORMED, "empty");
    parse_bad("2023-11-14T22:13:20", NC_EMALFORMED, "lacks its zone");
    parse_bad("2023-11-14 22:13:20.5", NC_EMALFORMED, "lacks its zone");
    parse_bad("2016-12-31T23:59:60Z", NC_EMALFORMED, "leap second");
    parse_bad("2023-11-14T24:00:00Z", NC_EMALFORMED, "no such time of day");
    parse_bad("2023-02-29", NC_EMALFORMED, "no such date");
    parse_bad("2023-11-14T22:13:20+24:00", NC_EMALFORMED, "no such UTC offset");
    parse_bad("2023-11-14T22:13:20.1234567891Z", NC_EMALFORMED, "finer than a nanosecond");
    parse_bad("-0.0000000019", NC_EMALFORMED, "finer than a nanosecond");
    parse_bad("5.5ns", NC_EMALFORMED, "no fraction");
    parse_bad("12abc", NC_EMALFORMED, "not a time");
    /* out of range */
    char longv[300];
    memset(longv, '1', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    parse_bad(longv, NC_ELIMIT, "outside the range");
    memset(longv, 'x', sizeof(longv) - 1);
    parse_bad(longv, NC_EMALFORMED, "not a time");
    parse_bad("9223372036854775808", NC_ELIMIT, "outside the range");
    parse_bad("-9223372036854775809", NC_ELIMIT, "outside the range");
    parse_bad("99999999999999999999999", NC_ELIMIT, "outside the range");
    parse_bad("9223372037", NC_ELIMIT, "outside the range"); /* seconds past 2262 */
    parse_bad("9223372037s", NC_ELIMIT, "outside the range");
    parse_bad("9223372036.854775808", NC_ELIMIT, "outside the range");
    parse_bad("-9223372036.854775809", NC_ELIMIT, "outside the range");
    parse_bad("2262-04-11T23:47:16.854775808Z", NC_ELIMIT, "outside the range");
    parse_bad("1677-09-21T00:12:43.145224191Z", NC_ELIMIT, "outside the range");
    parse_bad("9999-12-31T23:59:59Z", NC_ELIMIT, "outside the range"); /* past int64 ns */
    parse_bad("0000-01-01T00:00:00Z", NC_ELIMIT, "outside the range");
}

/* Every day's midnight and a second before it, 1677..2262, against gmtime_r. */
static void test_calendar_matches_libc(void **state)
{
    (void)state;
    if (sizeof(time_t) < 8) {
        skip();
    }
    const int64_t first = -106751 * 86400LL, last = 106750 * 86400LL;
    char ref[64];
    for (int64_t s = first; s <= last; s += 86400) {
        for (int k = 0; k < 2; k++) {
            int64_t t = s + (k ? 86399 : 0);
            time_t tt = (time_t)t;
            struct tm tm;
            assert_non_null(gmtime_r(&tt, &tm));
            strftime(ref, sizeof(ref), "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
            const char *mine = fmt(t * 1000000000, NC_TIME_UTC);
            if (strcmp(mine, ref) != 0) {
                fail_msg("%lld s: %s, libc %s", (long long)t, mine, ref);
            }
            assert_int_equal(parse_ok(mine, NC_TIME_FORM_RFC3339), t * 1000000000);
        }
    }
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

/* Formatting then parsing gives the value back, in every text form. */
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
        assert_int_equal(parse_ok(fmt(v, NC_TIME_UTC), NC_TIME_FORM_RFC3339), v);
        assert_int_equal(parse_ok(fmt(v, NC_TIME_LOCAL), NC_TIME_FORM_RFC3339), v);
        assert_int_equal(parse_ok(fmt(v, NC_TIME_UNIX), NC_TIME_FORM_SECONDS), v);
        snprintf(b, sizeof(b), "%sns", fmt(v, NC_TIME_NS));
        assert_int_equal(parse_ok(b, NC_TIME_FORM_NS), v);
        int64_t d = 0;
        const char *why = NULL;
        nc_duration_str(b, v);
        if (nc_duration_parse(b, strlen(b), &d, &why) != NC_OK && v != INT64_MIN) {
            fail_msg("duration '%s' of %lld: %s", b, (long long)v, why);
        }
        assert_true(v == INT64_MIN || d == v);
    }
}

/* --------------------------------------------------------------- durations */

static void test_duration(void **state)
{
    (void)state;
    char b[NC_TIME_BUF];
    assert_string_equal(nc_duration_str(b, 0), "0s");
    assert_string_equal(nc_duration_str(b, 250), "250ns");
    assert_string_equal(nc_duration_str(b, 1500), "1.5\xc2\xb5s");
    assert_string_equal(nc_duration_str(b, 211628000), "211.628ms");
    assert_string_equal(nc_duration_str(b, 467000000), "467ms");
    assert_string_equal(nc_duration_str(b, 1234567000), "1.234567s");
    assert_string_equal(nc_duration_str(b, 3723500000000LL), "1h2m3.5s");
    assert_string_equal(nc_duration_str(b, 3723000000001LL), "1h2m3.000000001s");
    assert_string_equal(nc_duration_str(b, 60000000000LL), "1m0s");
    assert_string_equal(nc_duration_str(b, -1500000000LL), "-1.5s");
    assert_string_equal(nc_duration_str(b, INT64_MAX), "2562047h47m16.854775807s");
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
    assert_int_equal(nc_duration_parse("1.5\xc2\xb5s", 6, &v, &why), NC_OK);
    assert_int_equal(v, 1500);
    assert_int_equal(nc_duration_parse("0.000000001h", 12, &v, &why), NC_OK);
    assert_int_equal(v, 3600);
    assert_int_equal(nc_duration_parse("-42", 3, &v, &why), NC_OK);
    assert_int_equal(v, -42);
    assert_int_equal(nc_duration_parse(" 2m ", 4, &v, &why), NC_OK);
    assert_int_equal(v, 120000000000LL);
    assert_int_equal(nc_duration_parse("1.5", 3, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("3x", 2, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("", 0, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("-", 1, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("s", 1, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("1s5", 3, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("1.5ns", 5, &v, &why), NC_EMALFORMED);
    assert_non_null(strstr(why, "no fraction"));
    /* whole ns only: 0.0000001 µs is a tenth of a ns */
    assert_int_equal(nc_duration_parse("1.0001us", 8, &v, &why), NC_EMALFORMED);
    assert_non_null(strstr(why, "finer than a nanosecond"));
    assert_int_equal(nc_duration_parse("1.0000000001s", 13, &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_parse("99999999999h", 12, &v, &why), NC_ELIMIT);
    assert_int_equal(nc_duration_parse("9223372036854775808", 19, &v, &why), NC_ELIMIT);
}

/* Command-line durations: a bare number is seconds, negatives refused. */
static void test_duration_flag(void **state)
{
    NC_UNUSED(state);
    int64_t v;
    const char *why;
    assert_int_equal(nc_duration_flag_parse("300", &v, &why), NC_OK);
    assert_int_equal(v, 300000000000LL);
    assert_int_equal(nc_duration_flag_parse("0.5", &v, &why), NC_OK);
    assert_int_equal(v, 500000000LL);
    assert_int_equal(nc_duration_flag_parse("5m", &v, &why), NC_OK);
    assert_int_equal(v, 300000000000LL);
    assert_int_equal(nc_duration_flag_parse("1h30m", &v, &why), NC_OK);
    assert_int_equal(v, 5400000000000LL);
    assert_int_equal(nc_duration_flag_parse("250ms", &v, &why), NC_OK);
    assert_int_equal(v, 250000000LL);
    assert_int_equal(nc_duration_flag_parse("-5s", &v, &why), NC_EMALFORMED);
    assert_non_null(strstr(why, "negative"));
    assert_int_equal(nc_duration_flag_parse("abc", &v, &why), NC_EMALFORMED);
    assert_non_null(strstr(why, "seconds"));
    assert_int_equal(nc_duration_flag_parse("", &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_flag_parse("1..5", &v, &why), NC_EMALFORMED);
    assert_int_equal(nc_duration_flag_parse("99999999999999", &v, &why), NC_ELIMIT);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_utc),
        cmocka_unit_test(test_format_other),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_detects_forms),
        cmocka_unit_test(test_refuses_non_times),
        cmocka_unit_test(test_calendar_matches_libc),
        cmocka_unit_test(test_civil_roundtrip),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_duration_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
