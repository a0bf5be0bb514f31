/*
 * summary: the dump -summary view: record count, time span, and the most
 *          frequent values of chosen fields ("top talkers").
 *
 * Values are counted by their display text (the table's text: names for
 * named numbers, the whole cell for nested and repeated fields), cut to
 * NC_SUMMARY_KEY_MAX bytes. Memory is bounded: at most NC_SUMMARY_MAX_VALUES
 * distinct values and NC_SUMMARY_MAX_BYTES of their text over all fields.
 * Once a cap is hit, values not yet seen are no longer counted (their
 * records are reported as "not counted"), so counts of values seen before
 * stay exact and the top list is marked approximate.
 *
 * Usage:
 *     nc_summary_init(&s, refl, time_field, k);    refl: one column per field
 *     for each record: nc_summary_add(s, msg);
 *     nc_summary_print(s, time_mode, &out);
 *     nc_summary_free(s);
 */
#ifndef NC_RECORD_SUMMARY_H
#define NC_RECORD_SUMMARY_H

#include "core/common.h"
#include "core/dbuf.h"
#include "record/reflect.h"
#include "core/timefmt.h"

enum {
    NC_SUMMARY_MAX_VALUES = 1 << 20,         /* distinct values, all fields together */
    NC_SUMMARY_MAX_BYTES = 64 * 1024 * 1024, /* their text, all fields together */
    NC_SUMMARY_KEY_MAX = 1024,               /* a longer value is cut (and ends in "…") */
    NC_SUMMARY_MAX_FIELDS = 64,
};

struct nc_summary;

/* refl renders the fields to count (its columns; it is used, not owned,
 * and must outlive s); time_field is the record's time or NULL; k the
 * number of top values to print per field. NC_OK, NC_EARG (too many
 * fields), NC_ENOMEM. */
NC_WARN_UNUSED int nc_summary_init(struct nc_summary **out, struct nc_refl *refl,
        const ProtobufCFieldDescriptor *time_field, size_t k);

/* Counts one record. NC_OK, or a rendering error (NC_ENOMEM, NC_ELIMIT). */
NC_WARN_UNUSED int nc_summary_add(struct nc_summary *s, const ProtobufCMessage *m);

/* Appends the report. */
NC_WARN_UNUSED int nc_summary_print(
        const struct nc_summary *s, enum nc_time_mode mode, struct nc_dbuf *out);

void nc_summary_free(struct nc_summary *s);

#endif
