/*
 * summary: capture times and durations as text and back: RFC 3339, Unix
 *          seconds, nanoseconds, "1.5s"; one set of rules for every command
 *          (dump's views, -where, -begin/-end, -summary; util stats, time).
 *
 * A time is int64 nanoseconds since the Unix epoch (the value of every record
 * time field), so every time lies between 1677-09-21T00:12:43.145224192Z and
 * 2262-04-11T23:47:16.854775807Z, and every one converts both ways without
 * loss. Exact integer arithmetic throughout (no double). The calendar is our
 * own, proleptic Gregorian and leap-second free as Unix time is, so UTC
 * output never depends on the C library; only NC_TIME_LOCAL asks it for the
 * zone offset.
 *
 * Reading a time (nc_time_parse; docs/OUTPUT.md, "Times"):
 *  - RFC 3339: YYYY-MM-DD, 'T' (or 't' or a space), hh:mm:ss, an optional
 *    fraction ('.' or ','), then 'Z' (or 'z') or an offset +hh:mm / -hh:mm.
 *    A date-time WITHOUT 'Z' or an offset is refused ("lacks its zone"): a
 *    forensic tool does not guess the zone. A bare date YYYY-MM-DD is its
 *    midnight UTC. Second 60 (a leap second) has no Unix time: refused.
 *  - a number with a '.' or an "s" suffix: Unix seconds ("1300475168.5",
 *    "-1.5", "5.", "+.5", "60s");
 *  - a number with an "ns" suffix: nanoseconds, no fraction ("17ns");
 *  - a bare integer: seconds when it has at most 10 digits, else
 *    nanoseconds. Every representable time has at most 10 digits as
 *    seconds; 10 digits of nanoseconds would be the first 10 s of 1970.
 *  - values are whole nanoseconds: a fraction finer than 1 ns (a nonzero
 *    digit after the ninth) is refused, never rounded or dropped.
 *  - blanks around the value are ignored.
 * Errors: NC_EMALFORMED (not a time), NC_ELIMIT (outside the int64 range),
 * with *why a static reason.
 *
 * Durations (nc_duration_str, nc_duration_parse) are int64 nanoseconds and
 * print in the style of Go's time.Duration: "0s", "250ns", "1.5µs",
 * "211.628ms", "1.234567s", "1h2m3.5s".
 */
#ifndef NC_CORE_TIMEFMT_H
#define NC_CORE_TIMEFMT_H

#include "core/common.h"

enum {
    NC_TIME_BUF = 48, /* room for any output of the formatters below, with NUL */
};

/* How a time prints. */
enum nc_time_mode {
    NC_TIME_NS = 0, /* the integer: 1300475168892037000 */
    NC_TIME_UTC,    /* 2011-03-18T19:06:08.892037000Z */
    NC_TIME_LOCAL,  /* 2011-03-18T20:06:08.892037000+01:00 (TZ) */
    NC_TIME_UNIX,   /* 1300475168.892037000, always nine fraction digits */
};

/* The form nc_time_parse found. */
enum nc_time_form {
    NC_TIME_FORM_NS,      /* 1700000000123456789 or 17ns */
    NC_TIME_FORM_SECONDS, /* 1700000000.123456789, -1.5, 1700000000 or 5s */
    NC_TIME_FORM_RFC3339, /* 2023-11-14T22:13:20.123456789Z, ...+01:00, or a date */
};

/* "utc", "local", "unix", "ns" -> mode. false for anything else. */
bool nc_time_mode_parse(const char *s, enum nc_time_mode *mode);

/* ns in the given mode into buf (always NUL-terminated); returns buf.
 * NC_TIME_UTC and NC_TIME_LOCAL always have nine fraction digits. */
char *nc_time_str(char buf[NC_TIME_BUF], int64_t ns, enum nc_time_mode mode);

/* Go-style duration (above); trailing zeros of the fraction are dropped.
 * At most 25 characters ("-2562047h47m16.854775808s"). Returns buf. */
char *nc_duration_str(char buf[NC_TIME_BUF], int64_t ns);

/* Parses the n bytes at s as a time by the rules above. *form (if form is
 * not NULL) tells which form it was. */
NC_WARN_UNUSED int nc_time_parse(
        const char *s, size_t n, int64_t *ns, enum nc_time_form *form, const char **why);

/* Parses a duration: an integer (ns) or a sequence of number+unit pairs,
 * units ns, us, µs, ms, s, m, h ("1h30m", "1.5s", "-200ms"), optionally
 * signed as a whole. Whole nanoseconds only, as for times. NC_OK,
 * NC_EMALFORMED or NC_ELIMIT with *why. */
NC_WARN_UNUSED int nc_duration_parse(const char *s, size_t n, int64_t *ns, const char **why);

/* A duration given on the command line (-conn-timeout, -linger, ...): as
 * nc_duration_parse, but a bare number is seconds ("300", "0.5") and a
 * negative one is refused. */
NC_WARN_UNUSED int nc_duration_flag_parse(const char *s, int64_t *ns, const char **why);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t nc_days_from_civil(int64_t y, unsigned m, unsigned d);
void nc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
