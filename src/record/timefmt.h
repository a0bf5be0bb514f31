/*
 * summary: capture times and durations as people read them (RFC 3339,
 *          Unix seconds, "1.5s") and back, for the dump views and filters.
 *
 * Record times are int64 nanoseconds since the Unix epoch, so every value
 * lies between 1677-09-21T00:12:43.145224192Z and
 * 2262-04-11T23:47:16.854775807Z. The calendar arithmetic is our own and
 * leap-free (Unix time has no leap seconds), so UTC output never depends on
 * the C library; only NC_TIME_LOCAL asks it for the zone offset.
 *
 * Which fields are times and durations: nc_field_kind (record/reflect.h).
 */
#ifndef NC_RECORD_TIMEFMT_H
#define NC_RECORD_TIMEFMT_H

#include "core/common.h"
#include "core/dbuf.h"

enum nc_time_mode {
    NC_TIME_NS = 0, /* the integer: 1300475168892037000 */
    NC_TIME_UTC,    /* 2011-03-18T19:06:08.892037000Z */
    NC_TIME_LOCAL,  /* 2011-03-18T20:06:08.892037000+01:00 (TZ) */
    NC_TIME_UNIX,   /* 1300475168.892037000 */
};

enum {
    NC_TIME_TEXT_MAX = 40, /* longest formatted time or duration, with NUL */
};

/* "utc", "local", "unix", "ns" -> mode. false for anything else. */
bool nc_time_mode_parse(const char *s, enum nc_time_mode *mode);

/* Appends ns in the given mode. NC_OK, NC_ENOMEM or NC_ELIMIT. */
NC_WARN_UNUSED int nc_time_format(struct nc_dbuf *o, int64_t ns, enum nc_time_mode mode);

/* The same into a fixed buffer (always NUL-terminated); returns buf. */
char *nc_time_str(char buf[NC_TIME_TEXT_MAX], int64_t ns, enum nc_time_mode mode);

/* Go-style duration: "0s", "250ns", "1.5µs", "12.345ms", "1.234567s",
 * "1h2m3.5s"; trailing zeros of the fraction are dropped. */
char *nc_duration_str(char buf[NC_TIME_TEXT_MAX], int64_t ns);

/* Parses a point in time: RFC 3339 ("2011-03-18T19:06:08.892Z", offset
 * +hh:mm, "t"/"z"/" " accepted; without an offset UTC; a bare date is its
 * midnight UTC), or a number: with a '.' or an "s" suffix Unix seconds,
 * with "ns" nanoseconds, an integer without a suffix is seconds when its
 * magnitude is below 10^12 and nanoseconds otherwise. NC_OK, or NC_EARG
 * with *why set to a static reason (bad syntax, out of range). */
NC_WARN_UNUSED int nc_time_parse(const char *s, size_t n, int64_t *ns, const char **why);

/* Parses a duration: an integer (ns) or a sequence of number+unit pairs,
 * units ns, us, µs, ms, s, m, h ("1h30m", "1.5s", "-200ms"). */
NC_WARN_UNUSED int nc_duration_parse(const char *s, size_t n, int64_t *ns, const char **why);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t nc_days_from_civil(int64_t y, unsigned m, unsigned d);
void nc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
