/*
 * summary: time and duration formatting and parsing (see timefmt.h).
 *
 * Calendar conversion is done on day numbers with 400-year eras (146097
 * days each), shifted so that years start on March 1st: the leap day is
 * then the last day of a year and month lengths follow a linear pattern.
 * All divisions are floor divisions, so dates before 1970 (negative
 * nanoseconds) work the same way as later ones.
 */
#include "record/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    NS_PER_SEC = 1000000000,
    SEC_PER_DAY = 86400,
};

/* Floor division and the matching non-negative remainder. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t nc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                          /* [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */
    return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

void nc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

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

/* Seconds since the epoch (floor) and the nanoseconds within that second. */
static void split_ns(int64_t ns, int64_t *sec, int64_t *frac)
{
    /* Quotient and remainder, not sec * 1e9: that product overflows for the
     * earliest times (INT64_MIN is -9223372037 s + 145224192 ns). */
    *sec = ns / NS_PER_SEC;
    *frac = ns % NS_PER_SEC;
    if (*frac < 0) {
        *frac += NS_PER_SEC;
        *sec -= 1;
    }
}

static void format_rfc3339(char *buf, size_t n, int64_t ns, bool local)
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
    int64_t days = floor_div(s, SEC_PER_DAY);
    int64_t sod = s - days * SEC_PER_DAY;
    int64_t y;
    unsigned mo, d;
    nc_civil_from_days(days, &y, &mo, &d);
    char zone[16] = "Z";
    if (local) {
        long a = off < 0 ? -off : off;
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
    }
    snprintf(buf, n, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lld%s", (long long)y, mo, d,
            (long long)(sod / 3600), (long long)(sod / 60 % 60), (long long)(sod % 60),
            (long long)frac, zone);
}

char *nc_time_str(char buf[NC_TIME_TEXT_MAX], int64_t ns, enum nc_time_mode mode)
{
    switch (mode) {
        case NC_TIME_UTC:
        case NC_TIME_LOCAL:
            format_rfc3339(buf, NC_TIME_TEXT_MAX, ns, mode == NC_TIME_LOCAL);
            break;
        case NC_TIME_UNIX: {
            /* Sign and magnitude, so that -1 ns is "-0.000000001". */
            uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
            snprintf(buf, NC_TIME_TEXT_MAX, "%s%llu.%09llu", ns < 0 ? "-" : "",
                    (unsigned long long)(u / NS_PER_SEC), (unsigned long long)(u % NS_PER_SEC));
            break;
        }
        case NC_TIME_NS:
        default:
            snprintf(buf, NC_TIME_TEXT_MAX, "%lld", (long long)ns);
            break;
    }
    return buf;
}

int nc_time_format(struct nc_dbuf *o, int64_t ns, enum nc_time_mode mode)
{
    char buf[NC_TIME_TEXT_MAX];
    return nc_dbuf_puts(o, nc_time_str(buf, ns, mode));
}

/* Appends "<whole>[.<frac>]<unit>" with frac's trailing zeros dropped;
 * frac has `digits` digits. */
static size_t put_scaled(
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
    int r = snprintf(w, n, "%llu%s%s", (unsigned long long)whole, f, unit);
    return r < 0 ? 0 : NC_MIN((size_t)r, n > 0 ? n - 1 : 0);
}

char *nc_duration_str(char buf[NC_TIME_TEXT_MAX], int64_t ns)
{
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    char *w = buf;
    size_t n = NC_TIME_TEXT_MAX;
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
    } else if (u < (uint64_t)NS_PER_SEC) {
        put_scaled(w, n, u / 1000000, u % 1000000, 6, "ms");
    } else {
        uint64_t sec = u / NS_PER_SEC, frac = u % NS_PER_SEC;
        uint64_t h = sec / 3600, mi = sec / 60 % 60, s = sec % 60;
        size_t k = 0;
        if (h > 0) {
            k += (size_t)snprintf(w, n, "%lluh", (unsigned long long)h);
        }
        if (h > 0 || mi > 0) {
            k += (size_t)snprintf(w + k, n - k, "%llum", (unsigned long long)mi);
        }
        put_scaled(w + k, n - k, s, frac, 9, "s");
    }
    return buf;
}

/* ---------------------------------------------------------------- parsing */

struct scan {
    const char *p, *end;
};

/* Exactly k digits. */
static bool digits(struct scan *s, int k, int64_t *v)
{
    int64_t x = 0;
    for (int i = 0; i < k; i++) {
        if (s->p == s->end || *s->p < '0' || *s->p > '9') {
            return false;
        }
        x = x * 10 + (*s->p++ - '0');
    }
    *v = x;
    return true;
}

static bool lit(struct scan *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, int64_t m)
{
    static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* seconds * 1e9 + frac (0 <= frac < 1e9), false on overflow. A negative
 * time borrows one second first, so that the earliest time (-9223372037 s
 * + 145224192 ns) is reached without an intermediate overflow. */
static bool to_ns(int64_t sec, int64_t frac, int64_t *ns)
{
    if (sec < 0 && frac > 0) {
        sec += 1;
        frac -= NS_PER_SEC;
    }
    int64_t v;
    if (__builtin_mul_overflow(sec, (int64_t)NS_PER_SEC, &v) ||
            __builtin_add_overflow(v, frac, &v)) {
        return false;
    }
    *ns = v;
    return true;
}

static int parse_rfc3339(const char *str, size_t n, int64_t *ns, const char **why)
{
    struct scan s = { str, str + n };
    int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    *why = "not a time (want RFC 3339 like 2011-03-18T19:06:08Z, Unix seconds or ns)";
    if (!digits(&s, 4, &y) || !lit(&s, '-') || !digits(&s, 2, &mo) || !lit(&s, '-') ||
            !digits(&s, 2, &d)) {
        return NC_EARG;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) {
        *why = "no such date";
        return NC_EARG;
    }
    if (s.p < s.end) {
        if (!(lit(&s, 'T') || lit(&s, 't') || lit(&s, ' ')) || !digits(&s, 2, &h) ||
                !lit(&s, ':') || !digits(&s, 2, &mi) || !lit(&s, ':') || !digits(&s, 2, &sec)) {
            return NC_EARG;
        }
        if (h > 23 || mi > 59 || sec > 59) {
            /* Unix time is leap-free: 23:59:60 has no number of its own. */
            *why = "no such time of day (hours 0-23, minutes and seconds 0-59)";
            return NC_EARG;
        }
        if (lit(&s, '.') || lit(&s, ',')) {
            int k = 0;
            while (s.p < s.end && *s.p >= '0' && *s.p <= '9') {
                if (++k > 9) {
                    *why = "more than 9 fractional digits";
                    return NC_EARG;
                }
                frac = frac * 10 + (*s.p++ - '0');
            }
            if (k == 0) {
                return NC_EARG;
            }
            for (; k < 9; k++) {
                frac *= 10;
            }
        }
        if (lit(&s, 'Z') || lit(&s, 'z')) {
            off = 0;
        } else if (s.p < s.end && (*s.p == '+' || *s.p == '-')) {
            int sign = *s.p++ == '-' ? -1 : 1;
            int64_t oh, om;
            if (!digits(&s, 2, &oh) || !lit(&s, ':') || !digits(&s, 2, &om) || oh > 23 || om > 59) {
                *why = "bad zone offset (want Z or +hh:mm)";
                return NC_EARG;
            }
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (s.p != s.end) {
        return NC_EARG;
    }
    int64_t secs = nc_days_from_civil(y, (unsigned)mo, (unsigned)d) * SEC_PER_DAY + h * 3600 +
                   mi * 60 + sec - off;
    if (!to_ns(secs, frac, ns)) {
        *why = "out of range (times are between 1677-09-21 and 2262-04-11)";
        return NC_EARG;
    }
    return NC_OK;
}

/* [-]digits[.digits]: integer part and up to 9 fractional digits (scaled
 * to ns). *had_dot tells whether a '.' was present. */
static bool parse_decimal(struct scan *s, bool *neg, uint64_t *whole, int64_t *frac, bool *had_dot)
{
    *neg = lit(s, '-');
    if (!*neg) {
        (void)lit(s, '+');
    }
    uint64_t w = 0;
    int nd = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        if (w > (UINT64_MAX - 9) / 10) {
            return false;
        }
        w = w * 10 + (uint64_t)(*s->p++ - '0');
        nd++;
    }
    int64_t f = 0;
    int k = 0;
    *had_dot = lit(s, '.');
    if (*had_dot) {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            if (k < 9) {
                f = f * 10 + (*s->p - '0');
                k++;
            }
            s->p++;
            nd++;
        }
    }
    for (; k < 9; k++) {
        f *= 10;
    }
    *whole = w;
    *frac = f;
    return nd > 0;
}

int nc_time_parse(const char *str, size_t n, int64_t *ns, const char **why)
{
    if (n >= 10 && str[4] == '-') {
        return parse_rfc3339(str, n, ns, why);
    }
    struct scan s = { str, str + n };
    bool neg, dot;
    uint64_t w;
    int64_t f;
    *why = "not a time (want RFC 3339 like 2011-03-18T19:06:08Z, Unix seconds or ns)";
    if (!parse_decimal(&s, &neg, &w, &f, &dot)) {
        return NC_EARG;
    }
    size_t rest = (size_t)(s.end - s.p);
    bool unit_ns = rest == 2 && memcmp(s.p, "ns", 2) == 0;
    bool unit_s = rest == 1 && *s.p == 's';
    if (rest != 0 && !unit_ns && !unit_s) {
        return NC_EARG;
    }
    *why = "out of range (times are between 1677-09-21 and 2262-04-11)";
    if (unit_ns || (!unit_s && !dot && w >= 1000000000000ULL)) {
        if (dot) {
            *why = "nanoseconds must be a whole number";
            return NC_EARG;
        }
        if (w > (uint64_t)INT64_MAX + neg) {
            return NC_EARG;
        }
        *ns = neg ? (int64_t)((uint64_t)0 - w) : (int64_t)w;
        return NC_OK;
    }
    if (w > (uint64_t)INT64_MAX / NS_PER_SEC + 1) {
        return NC_EARG;
    }
    int64_t sec = (int64_t)w;
    if (neg) {
        /* -1.5 s is -2 s + 0.5 s in the (sec, frac) split of to_ns. */
        sec = -sec - (f != 0);
        f = f != 0 ? NS_PER_SEC - f : 0;
    }
    return to_ns(sec, f, ns) ? NC_OK : NC_EARG;
}

int nc_duration_parse(const char *str, size_t n, int64_t *ns, const char **why)
{
    static const struct {
        const char *unit;
        int64_t scale;
    } units[] = {
        /* longer units first, so "ms" is not read as "m" followed by junk */
        { "ns", 1 },
        { "us", 1000 },
        { "\xc2\xb5s", 1000 },
        { "ms", 1000000 },
        { "s", NS_PER_SEC },
        { "m", 60LL * NS_PER_SEC },
        { "h", 3600LL * NS_PER_SEC },
    };
    struct scan s = { str, str + n };
    *why = "not a duration (want ns, or e.g. 1.5s, 200ms, 1h30m)";
    bool neg = lit(&s, '-');
    int64_t total = 0;
    bool any = false;
    while (s.p < s.end) {
        bool ign, dot;
        uint64_t w;
        int64_t f;
        if (!parse_decimal(&s, &ign, &w, &f, &dot) || ign) {
            return NC_EARG;
        }
        int64_t scale = 0;
        for (size_t i = 0; i < NC_ARRAY_LEN(units); i++) {
            size_t ul = strlen(units[i].unit);
            if ((size_t)(s.end - s.p) >= ul && memcmp(s.p, units[i].unit, ul) == 0 &&
                    !(ul == 1 && units[i].unit[0] == 'm' && s.end - s.p > 1 && s.p[1] == 's')) {
                scale = units[i].scale;
                s.p += ul;
                break;
            }
        }
        if (scale == 0) {
            if (s.p != s.end || any || dot) {
                return NC_EARG;
            }
            scale = 1; /* a bare integer is nanoseconds */
        }
        /* f is the fraction in units of 1e-9; f * (scale / 1000) stays below
         * 2^63 even for hours (1e9 * 3.6e9). Fractions of a ns are dropped. */
        int64_t part;
        if (w > (uint64_t)INT64_MAX || __builtin_mul_overflow((int64_t)w, scale, &part) ||
                __builtin_add_overflow(part, f * (scale / 1000) / 1000000, &part) ||
                __builtin_add_overflow(total, part, &total)) {
            *why = "duration out of range";
            return NC_EARG;
        }
        any = true;
    }
    if (!any) {
        return NC_EARG;
    }
    *ns = neg ? -total : total;
    return NC_OK;
}
