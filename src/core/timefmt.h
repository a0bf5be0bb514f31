/*
 * summary: capture times as text: nanoseconds since the Unix epoch (the
 *          int64 of every record), Unix seconds with a fraction, RFC 3339.
 *
 * Exact integer arithmetic throughout (no double, no libc time zone), so
 * every int64 value, 1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z, converts both ways without loss.
 */
#ifndef NC_CORE_TIMEFMT_H
#define NC_CORE_TIMEFMT_H

#include "core/common.h"

enum {
    NC_TIME_BUF = 48, /* room for any output of the formatters below */
};

enum nc_time_form {
    NC_TIME_NS,      /* 1700000000123456789 or 17ns */
    NC_TIME_SECONDS, /* 1700000000.123456789, -1.5, 1700000000 or 5s */
    NC_TIME_RFC3339, /* 2023-11-14T22:13:20.123456789Z, ...+01:00, or a date */
};

/* Parses s and detects its form:
 *  - RFC 3339 date-time: YYYY-MM-DD, 'T' (or 't' or a space), hh:mm:ss, an
 *    optional fraction (digits past nanoseconds are dropped), then 'Z' or
 *    an offset +hh:mm / -hh:mm. A bare date YYYY-MM-DD means its midnight
 *    UTC. Second 60 (a leap second) has no Unix time and is refused.
 *  - a number with a '.' or an 's' suffix: Unix seconds (digits past
 *    nanoseconds are dropped, toward zero);
 *  - a number with an "ns" suffix: nanoseconds;
 *  - a bare integer: seconds if it has at most 10 digits (before 2286),
 *    else nanoseconds.
 * Surrounding blanks are ignored. Returns NC_OK, NC_EMALFORMED (not a
 * time) or NC_ELIMIT (outside the int64 nanosecond range), with *why a
 * static reason on error. */
NC_WARN_UNUSED int nc_time_parse_form(
        const char *s, int64_t *ns, enum nc_time_form *form, const char **why);

/* "2023-11-14T22:13:20.123456789Z": UTC, always nine fraction digits. */
void nc_time_rfc3339(int64_t ns, char out[NC_TIME_BUF]);

/* "1700000000.123456789", "-1.500000000": always nine fraction digits. */
void nc_time_seconds(int64_t ns, char out[NC_TIME_BUF]);

/* A duration as seconds: "3723.000000001s", "-0.500000000s". */
void nc_time_duration(int64_t ns, char out[NC_TIME_BUF]);

#endif
