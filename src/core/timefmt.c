/*
 * summary: time parsing and formatting with exact integer arithmetic.
 *
 * Calendar dates use the proleptic Gregorian calendar counted in 400-year
 * eras (146097 days each, which repeat exactly), with the year starting in
 * March so that the leap day is the last day of a year: then the day of the
 * year follows from the month by one linear formula.
 */
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>

enum {
    NS_PER_S = 1000000000,
    S_PER_DAY = 86400,
    DAYS_PER_ERA = 146097,
    DAYS_0000_03_01_TO_EPOCH = 719468, /* from 0000-03-01 to 1970-01-01 */
    SECONDS_MAX_DIGITS = 10,           /* a bare integer longer than this is ns */
};

/* Floor division and modulo (C's / truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365, from March */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
    return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_EPOCH;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += DAYS_0000_03_01_TO_EPOCH;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153; /* 0 = March */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* ns -> whole seconds (floored) and the 0..999999999 ns after them. */
static void split_ns(int64_t ns, int64_t *secs, int64_t *frac)
{
    /* From the truncated quotient and remainder: floored seconds times 1e9
     * would overflow for INT64_MIN. */
    *secs = ns / NS_PER_S;
    *frac = ns % NS_PER_S;
    if (*frac < 0) {
        *frac += NS_PER_S;
        *secs -= 1;
    }
}

void nc_time_rfc3339(int64_t ns, char out[NC_TIME_BUF])
{
    int64_t secs, frac;
    split_ns(ns, &secs, &frac);
    int64_t days = floor_div(secs, S_PER_DAY);
    int64_t sod = secs - days * S_PER_DAY;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, NC_TIME_BUF, "%04lld-%02d-%02dT%02d:%02d:%02d.%09lldZ", (long long)y, m, d,
            (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long long)frac);
}

/* Sign and magnitude, so that INT64_MIN prints without overflow. */
static void fixed9(int64_t ns, const char *unit, char out[NC_TIME_BUF])
{
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    snprintf(out, NC_TIME_BUF, "%s%llu.%09llu%s", ns < 0 ? "-" : "",
            (unsigned long long)(mag / NS_PER_S), (unsigned long long)(mag % NS_PER_S), unit);
}

void nc_time_seconds(int64_t ns, char out[NC_TIME_BUF])
{
    fixed9(ns, "", out);
}

void nc_time_duration(int64_t ns, char out[NC_TIME_BUF])
{
    fixed9(ns, "s", out);
}

/* ---------------------------------------------------------------- parsing */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits at *p; advances. */
static bool digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit((*p)[i])) {
            return false;
        }
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

/* Fraction digits after '.': the first nine as ns, the rest dropped. At
 * least one digit is required. */
static bool fraction(const char **p, int64_t *frac)
{
    const char *s = *p;
    int64_t f = 0;
    int n = 0;
    while (is_digit(*s)) {
        if (n < 9) {
            f = f * 10 + (*s - '0');
        }
        n++;
        s++;
    }
    if (n == 0) {
        return false;
    }
    for (int i = n; i < 9; i++) {
        f *= 10;
    }
    *p = s;
    *frac = f;
    return true;
}

/* secs * 1e9 + frac (0 <= frac < 1e9) without overflow. Below the epoch the
 * fraction is taken from the next second up, so that the earliest instant,
 * INT64_MIN ns, is reachable: its floored seconds times 1e9 would overflow. */
static int combine(int64_t secs, int64_t frac, int64_t *ns, const char **why)
{
    int64_t x;
    if (secs < 0 && frac > 0) {
        secs += 1;
        frac -= NS_PER_S;
    }
    if (__builtin_mul_overflow(secs, (int64_t)NS_PER_S, &x) ||
            __builtin_add_overflow(x, frac, &x)) {
        *why = "outside the range of int64 nanoseconds (1677-09-21 to 2262-04-11)";
        return NC_ELIMIT;
    }
    *ns = x;
    return NC_OK;
}

static int parse_rfc3339(const char *s, int64_t *ns, const char **why)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int64_t frac = 0, offset = 0;
    *why = "not an RFC 3339 time (like 2023-11-14T22:13:20.5Z or 2023-11-14T23:13:20+01:00)";
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
            !digits(&s, 2, &d)) {
        return NC_EMALFORMED;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
        *why = "no such date";
        return NC_EMALFORMED;
    }
    if (*s != '\0') {
        if (*s != 'T' && *s != 't' && *s != ' ') {
            return NC_EMALFORMED;
        }
        s++;
        if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
                !digits(&s, 2, &sec)) {
            return NC_EMALFORMED;
        }
        if (*s == '.' || *s == ',') {
            s++;
            if (!fraction(&s, &frac)) {
                return NC_EMALFORMED;
            }
        }
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1, oh, om;
            if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om)) {
                return NC_EMALFORMED;
            }
            if (oh > 23 || om > 59) {
                *why = "no such UTC offset (hours 00-23, minutes 00-59)";
                return NC_EMALFORMED;
            }
            offset = sign * (oh * 3600 + om * 60);
        } else {
            *why = "RFC 3339 time lacks its zone (Z or an offset like +01:00)";
            return NC_EMALFORMED;
        }
        if (*s != '\0') {
            return NC_EMALFORMED;
        }
        if (h > 23 || mi > 59 || sec > 59) {
            *why = sec == 60 && h <= 23 && mi <= 59 ? "a leap second (:60) has no Unix time"
                                                    : "no such time of day";
            return NC_EMALFORMED;
        }
    }
    int64_t secs = days_from_civil(y, mo, d) * S_PER_DAY + h * 3600 + mi * 60 + sec - offset;
    return combine(secs, frac, ns, why);
}

/* [-+]digits[.digits][s|ns] */
static int parse_number(const char *s, int64_t *ns, enum nc_time_form *form, const char **why)
{
    *why = "not a time (give ns since the epoch, Unix seconds like 1700000000.5, or "
           "RFC 3339 like 2023-11-14T22:13:20Z)";
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') {
        s++;
    }
    uint64_t whole = 0;
    int n = 0;
    bool big = false;
    while (is_digit(*s)) {
        unsigned dg = (unsigned)(*s - '0');
        if (whole > (UINT64_MAX - dg) / 10) {
            big = true;
        } else {
            whole = whole * 10 + dg;
        }
        n++;
        s++;
    }
    int64_t frac = 0;
    bool dot = *s == '.';
    if (dot) {
        s++;
        if (!fraction(&s, &frac)) {
            if (n == 0) {
                return NC_EMALFORMED;
            }
            frac = 0; /* "5." */
        }
    } else if (n == 0) {
        return NC_EMALFORMED;
    }
    bool sec;
    if (strcmp(s, "ns") == 0) {
        if (dot) {
            *why = "nanoseconds take no fraction";
            return NC_EMALFORMED;
        }
        sec = false;
    } else if (strcmp(s, "s") == 0) {
        sec = true;
    } else if (*s == '\0') {
        sec = dot || n <= SECONDS_MAX_DIGITS;
    } else {
        return NC_EMALFORMED;
    }
    *form = sec ? NC_TIME_SECONDS : NC_TIME_NS;
    const char *range = "outside the range of int64 nanoseconds (1677-09-21 to 2262-04-11)";
    /* Magnitude up to 2^63 (INT64_MIN's) in unsigned arithmetic, then sign. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag = whole;
    if (big || (sec && (mag > limit / NS_PER_S || mag * NS_PER_S > limit - (uint64_t)frac)) ||
            (!sec && mag > limit)) {
        *why = range;
        return NC_ELIMIT;
    }
    if (sec) {
        mag = mag * NS_PER_S + (uint64_t)frac;
    }
    *ns = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return NC_OK;
}

int nc_time_parse_form(const char *s, int64_t *ns, enum nc_time_form *form, const char **why)
{
    char buf[128];
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) {
        n--;
    }
    if (n == 0 || n >= sizeof(buf)) {
        *why = n == 0 ? "empty value" : "too long to be a time";
        return NC_EMALFORMED;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* Four digits and a '-' start a date; a number never has '-' there. */
    if (n >= 5 && is_digit(buf[0]) && is_digit(buf[1]) && is_digit(buf[2]) && is_digit(buf[3]) &&
            buf[4] == '-') {
        *form = NC_TIME_RFC3339;
        return parse_rfc3339(buf, ns, why);
    }
    return parse_number(buf, ns, form, why);
}
