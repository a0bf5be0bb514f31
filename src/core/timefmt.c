/*
 * summary: time and duration formatting and parsing (rules in timefmt.h).
 *
 * Calendar dates use the proleptic Gregorian calendar counted in 400-year
 * eras (146097 days each, which repeat exactly), with the year starting in
 * March so that the leap day is the last day of a year: then the day of the
 * year follows from the month by one linear formula. All divisions are floor
 * divisions, so dates before 1970 (negative nanoseconds) work the same way
 * as later ones.
 */
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    NS_PER_S = 1000000000,
    S_PER_DAY = 86400,
    DAYS_PER_ERA = 146097,
    DAYS_0000_03_01_TO_EPOCH = 719468, /* from 0000-03-01 to 1970-01-01 */
    SECONDS_MAX_DIGITS = 10,           /* a bare integer longer than this is ns */
};

static const char range_why[] = "outside the range of int64 nanoseconds (1677-09-21 to 2262-04-11)";
static const char finer_why[] =
        "finer than a nanosecond (times and durations are whole ns: at most 9 fraction "
        "digits)";

/* Floor division (C's / truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t nc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                          /* 0..399 */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0..146096 */
    return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_EPOCH;
}

void nc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153; /* 0 = March */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t month_days(int64_t y, int64_t m)
{
    static const int64_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* --------------------------------------------------------------- output */

bool nc_time_mode_parse(const char *s, enum nc_time_mode *mode)
{
    static const struct {
        const char *name;
        enum nc_time_mode mode;
    } modes[] = {
        { "utc", NC_TIME_UTC },
        { "local", NC_TIME_LOCAL },
        { "unix", NC_TIME_UNIX },
        { "ns", NC_TIME_NS },
    };
    for (size_t i = 0; i < NC_ARRAY_LEN(modes); i++) {
        if (strcmp(s, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return true;
        }
    }
    return false;
}

/* Seconds since the epoch (floored) and the 0..999999999 ns after them. */
static void split_ns(int64_t ns, int64_t *sec, int64_t *frac)
{
    /* From the truncated quotient and remainder: floored seconds times 1e9
     * would overflow for INT64_MIN (-9223372037 s + 145224192 ns). */
    *sec = ns / NS_PER_S;
    *frac = ns % NS_PER_S;
    if (*frac < 0) {
        *frac += NS_PER_S;
        *sec -= 1;
    }
}

static void format_rfc3339(char buf[NC_TIME_BUF], int64_t ns, bool local)
{
    int64_t sec, frac;
    split_ns(ns, &sec, &frac);
    long off = 0;
    if (local) {
        time_t t = (time_t)sec;
        struct tm tm;
        if (localtime_r(&t, &tm)) {
            off = tm.tm_gmtoff;
        }
    }
    int64_t s = sec + off;
    int64_t days = floor_div(s, S_PER_DAY);
    int64_t sod = s - days * S_PER_DAY;
    int64_t y;
    unsigned mo, d;
    nc_civil_from_days(days, &y, &mo, &d);
    char zone[16] = "Z";
    if (local) {
        long a = off < 0 ? -off : off;
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
    }
    snprintf(buf, NC_TIME_BUF, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lld%s", (long long)y, mo,
            d, (long long)(sod / 3600), (long long)(sod / 60 % 60), (long long)(sod % 60),
            (long long)frac, zone);
}

char *nc_time_str(char buf[NC_TIME_BUF], int64_t ns, enum nc_time_mode mode)
{
    switch (mode) {
        case NC_TIME_UTC:
        case NC_TIME_LOCAL:
            format_rfc3339(buf, ns, mode == NC_TIME_LOCAL);
            break;
        case NC_TIME_UNIX: {
            /* Sign and magnitude, so that -1 ns is "-0.000000001" and
             * INT64_MIN prints without overflow. */
            uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
            snprintf(buf, NC_TIME_BUF, "%s%llu.%09llu", ns < 0 ? "-" : "",
                    (unsigned long long)(u / NS_PER_S), (unsigned long long)(u % NS_PER_S));
            break;
        }
        case NC_TIME_NS:
        default:
            snprintf(buf, NC_TIME_BUF, "%lld", (long long)ns);
            break;
    }
    return buf;
}

/* Writes "<whole>[.<frac>]<unit>" with frac's trailing zeros dropped; frac
 * has `digits` digits. */
static void put_scaled(
        char *w, size_t n, uint64_t whole, uint64_t frac, int digits, const char *unit)
{
    char f[16] = "";
    if (frac != 0) {
        snprintf(f, sizeof(f), ".%0*llu", digits, (unsigned long long)frac);
        size_t k = strlen(f);
        while (k > 1 && f[k - 1] == '0') {
            f[--k] = '\0';
        }
    }
    snprintf(w, n, "%llu%s%s", (unsigned long long)whole, f, unit);
}

char *nc_duration_str(char buf[NC_TIME_BUF], int64_t ns)
{
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    char *w = buf;
    size_t n = NC_TIME_BUF;
    if (ns < 0) {
        *w++ = '-';
        n--;
    }
    if (u == 0) {
        snprintf(w, n, "0s");
    } else if (u < 1000) {
        put_scaled(w, n, u, 0, 0, "ns");
    } else if (u < 1000000) {
        put_scaled(w, n, u / 1000, u % 1000, 3, "\xc2\xb5s"); /* µs */
    } else if (u < (uint64_t)NS_PER_S) {
        put_scaled(w, n, u / 1000000, u % 1000000, 6, "ms");
    } else {
        uint64_t sec = u / NS_PER_S, frac = u % NS_PER_S;
        uint64_t h = sec / 3600, mi = sec / 60 % 60, s = sec % 60;
        int k = 0;
        if (h > 0) {
            k += snprintf(w, n, "%lluh", (unsigned long long)h);
        }
        if (h > 0 || mi > 0) {
            k += snprintf(w + k, n - (size_t)k, "%llum", (unsigned long long)mi);
        }
        put_scaled(w + k, n - (size_t)k, s, frac, 9, "s");
    }
    return buf;
}

/* -------------------------------------------------------------- parsing */

struct scan {
    const char *p, *end;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The n bytes at s without the blanks around them. */
static struct scan trimmed(const char *s, size_t n)
{
    struct scan sc = { s, s + n };
    while (sc.p < sc.end && is_blank(*sc.p)) {
        sc.p++;
    }
    while (sc.end > sc.p && is_blank(sc.end[-1])) {
        sc.end--;
    }
    return sc;
}

static bool at_end(const struct scan *s)
{
    return s->p == s->end;
}

static bool lit(struct scan *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* Exactly k digits. */
static bool digits(struct scan *s, int k, int64_t *v)
{
    int64_t x = 0;
    for (int i = 0; i < k; i++) {
        if (at_end(s) || !is_digit(*s->p)) {
            return false;
        }
        x = x * 10 + (*s->p++ - '0');
    }
    *v = x;
    return true;
}

/* Digits of a whole part: their value (saturating: *big on overflow) and
 * how many there were (counted up to 100). */
static int whole_digits(struct scan *s, uint64_t *whole, bool *big)
{
    uint64_t w = 0;
    int n = 0;
    *big = false;
    while (!at_end(s) && is_digit(*s->p)) {
        unsigned dg = (unsigned)(*s->p++ - '0');
        if (w > (UINT64_MAX - dg) / 10) {
            *big = true;
        } else {
            w = w * 10 + dg;
        }
        n += n < 100;
    }
    *whole = w;
    return n;
}

/* Fraction digits after the point as billionths (the first nine digits,
 * scaled up). Returns how many digits there were (up to 10), or -1 when a
 * digit after the ninth is not 0: finer than a nanosecond. */
static int fraction(struct scan *s, int64_t *frac)
{
    int64_t f = 0;
    int k = 0;
    bool finer = false;
    while (!at_end(s) && is_digit(*s->p)) {
        if (k < 9) {
            f = f * 10 + (*s->p - '0');
        } else if (*s->p != '0') {
            finer = true;
        }
        k += k < 10;
        s->p++;
    }
    for (int i = k; i < 9; i++) {
        f *= 10;
    }
    *frac = f;
    return finer ? -1 : k;
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
        *why = range_why;
        return NC_ELIMIT;
    }
    *ns = x;
    return NC_OK;
}

static int parse_rfc3339(struct scan *s, int64_t *ns, const char **why)
{
    int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    *why = "not an RFC 3339 time (like 2023-11-14T22:13:20.5Z or 2023-11-14T23:13:20+01:00)";
    if (!digits(s, 4, &y) || !lit(s, '-') || !digits(s, 2, &mo) || !lit(s, '-') ||
            !digits(s, 2, &d)) {
        return NC_EMALFORMED;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) {
        *why = "no such date";
        return NC_EMALFORMED;
    }
    if (!at_end(s)) {
        if (!(lit(s, 'T') || lit(s, 't') || lit(s, ' ')) || !digits(s, 2, &h) || !lit(s, ':') ||
                !digits(s, 2, &mi) || !lit(s, ':') || !digits(s, 2, &sec)) {
            return NC_EMALFORMED;
        }
        if (lit(s, '.') || lit(s, ',')) {
            int k = fraction(s, &frac);
            if (k == 0) {
                return NC_EMALFORMED;
            }
            if (k < 0) {
                *why = finer_why;
                return NC_EMALFORMED;
            }
        }
        if (lit(s, 'Z') || lit(s, 'z')) {
            off = 0;
        } else if (!at_end(s) && (*s->p == '+' || *s->p == '-')) {
            int64_t sign = *s->p++ == '-' ? -1 : 1, oh, om;
            if (!digits(s, 2, &oh) || !lit(s, ':') || !digits(s, 2, &om)) {
                return NC_EMALFORMED;
            }
            if (oh > 23 || om > 59) {
                *why = "no such UTC offset (hours 00-23, minutes 00-59)";
                return NC_EMALFORMED;
            }
            off = sign * (oh * 3600 + om * 60);
        } else if (at_end(s)) {
            *why = "RFC 3339 time lacks its zone (Z or an offset like +01:00; netcap does not "
                   "guess it)";
            return NC_EMALFORMED;
        }
        if (!at_end(s)) {
            return NC_EMALFORMED;
        }
        if (h > 23 || mi > 59 || sec > 59) {
            *why = sec == 60 && h <= 23 && mi <= 59 ? "a leap second (:60) has no Unix time"
                                                    : "no such time of day";
            return NC_EMALFORMED;
        }
    }
    int64_t secs = nc_days_from_civil(y, (unsigned)mo, (unsigned)d) * S_PER_DAY + h * 3600 +
                   mi * 60 + sec - off;
    return combine(secs, frac, ns, why);
}

/* [-+]digits[.digits][s|ns] */
static int parse_number(struct scan *s, int64_t *ns, enum nc_time_form *form, const char **why)
{
    *why = "not a time (give ns since the epoch, Unix seconds like 1700000000.5, or "
           "RFC 3339 like 2023-11-14T22:13:20Z)";
    bool neg = lit(s, '-');
    if (!neg) {
        (void)lit(s, '+');
    }
    uint64_t whole;
    bool big;
    int n = whole_digits(s, &whole, &big);
    int64_t frac = 0;
    bool dot = lit(s, '.');
    if (dot) {
        int k = fraction(s, &frac);
        if (k < 0) {
            *why = finer_why;
            return NC_EMALFORMED;
        }
        if (k == 0 && n == 0) {
            return NC_EMALFORMED;
        }
    } else if (n == 0) {
        return NC_EMALFORMED;
    }
    size_t rest = (size_t)(s->end - s->p);
    bool sec;
    if (rest == 2 && memcmp(s->p, "ns", 2) == 0) {
        if (dot) {
            *why = "nanoseconds take no fraction";
            return NC_EMALFORMED;
        }
        sec = false;
    } else if (rest == 1 && *s->p == 's') {
        sec = true;
    } else if (rest == 0) {
        sec = dot || n <= SECONDS_MAX_DIGITS;
    } else {
        return NC_EMALFORMED;
    }
    *form = sec ? NC_TIME_FORM_SECONDS : NC_TIME_FORM_NS;
    /* Magnitude up to 2^63 (INT64_MIN's) in unsigned arithmetic, then sign. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag = whole;
    if (big || (sec && (mag > limit / NS_PER_S || mag * NS_PER_S > limit - (uint64_t)frac)) ||
            (!sec && mag > limit)) {
        *why = range_why;
        return NC_ELIMIT;
    }
    if (sec) {
        mag = mag * NS_PER_S + (uint64_t)frac;
    }
    *ns = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return NC_OK;
}

int nc_time_parse(const char *str, size_t n, int64_t *ns, enum nc_time_form *form, const char **why)
{
    enum nc_time_form ignored;
    if (!form) {
        form = &ignored;
    }
    struct scan s = trimmed(str, n);
    if (at_end(&s)) {
        *why = "empty value";
        return NC_EMALFORMED;
    }
    /* Four digits and a '-' start a date; a number never has '-' there. */
    if (s.end - s.p >= 5 && is_digit(s.p[0]) && is_digit(s.p[1]) && is_digit(s.p[2]) &&
            is_digit(s.p[3]) && s.p[4] == '-') {
        *form = NC_TIME_FORM_RFC3339;
        return parse_rfc3339(&s, ns, why);
    }
    return parse_number(&s, ns, form, why);
}

int nc_duration_parse(const char *str, size_t n, int64_t *ns, const char **why)
{
    static const struct {
        const char *unit;
        int64_t scale;
    } units[] = {
        /* two-letter units first, so "ms" is not read as "m" and then "s" */
        { "ns", 1 },
        { "us", 1000 },
        { "\xc2\xb5s", 1000 },
        { "ms", 1000000 },
        { "s", NS_PER_S },
        { "m", 60LL * NS_PER_S },
        { "h", 3600LL * NS_PER_S },
    };
    struct scan s = trimmed(str, n);
    *why = "not a duration (give ns, or numbers with units like 1.5s, 200ms, 1h30m)";
    bool neg = lit(&s, '-');
    if (!neg) {
        (void)lit(&s, '+');
    }
    int64_t total = 0;
    bool any = false;
    while (!at_end(&s)) {
        uint64_t w;
        bool big;
        int nd = whole_digits(&s, &w, &big);
        int64_t f = 0;
        bool dot = lit(&s, '.');
        if (dot) {
            int k = fraction(&s, &f);
            if (k < 0) {
                *why = finer_why;
                return NC_EMALFORMED;
            }
            nd += k;
        }
        if (nd == 0) {
            return NC_EMALFORMED;
        }
        int64_t scale = 0;
        for (size_t i = 0; i < NC_ARRAY_LEN(units); i++) {
            size_t ul = strlen(units[i].unit);
            if ((size_t)(s.end - s.p) >= ul && memcmp(s.p, units[i].unit, ul) == 0) {
                scale = units[i].scale;
                s.p += ul;
                break;
            }
        }
        if (scale == 0) {
            if (!at_end(&s) || any || dot) {
                return NC_EMALFORMED;
            }
            scale = 1; /* a bare integer is nanoseconds */
        }
        /* f is the fraction in billionths of the unit; f * (scale / 1000)
         * stays below 2^63 even for hours (1e9 * 3.6e9), and is a whole
         * number of ns when it divides by 1e6. */
        int64_t fns = 0;
        if (f != 0) {
            if (scale == 1 || f * (scale / 1000) % 1000000 != 0) {
                *why = scale == 1 ? "nanoseconds take no fraction" : finer_why;
                return NC_EMALFORMED;
            }
            fns = f * (scale / 1000) / 1000000;
        }
        int64_t part;
        if (big || w > (uint64_t)INT64_MAX || __builtin_mul_overflow((int64_t)w, scale, &part) ||
                __builtin_add_overflow(part, fns, &part) ||
                __builtin_add_overflow(total, part, &total)) {
            *why = "duration out of range (int64 ns: about 292 years)";
            return NC_ELIMIT;
        }
        any = true;
    }
    if (!any) {
        return NC_EMALFORMED;
    }
    *ns = neg ? -total : total;
    return NC_OK;
}

int nc_duration_flag_parse(const char *str, int64_t *ns, const char **why)
{
    size_t n = strlen(str);
    bool bare = n > 0 && n < 64;
    for (size_t i = 0; i < n && bare; i++) {
        bare = is_digit(str[i]) || str[i] == '.';
    }
    char buf[72];
    if (bare) {
        snprintf(buf, sizeof(buf), "%ss", str); /* seconds */
        str = buf;
        n++;
    }
    int rc = nc_duration_parse(str, n, ns, why);
    if (rc == NC_EMALFORMED && *why && strncmp(*why, "not a duration", 14) == 0) {
        *why = "not a duration (seconds, or numbers with units like 30s, 200ms, 1h30m)";
    }
    if (rc == NC_OK && *ns < 0) {
        *why = "a negative duration";
        return NC_EMALFORMED;
    }
    return rc;
}
