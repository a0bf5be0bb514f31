/*
 * summary: generic output of any schema message (CSV/TSV, JSON Lines, table
 *          cells), driven by protobuf-c descriptors at run time.
 *
 * One walker renders every record type; nobody writes per-record output code
 * (STYLE.md section 9). The cell and value rules are documented at the top of
 * reflect.c and in docs/OUTPUT.md.
 *
 * Usage:
 *     struct nc_refl r;
 *     rc = nc_refl_init(&r, desc, &opts);          (opts may be NULL: defaults)
 *     rc = nc_refl_select(&r, "ts,src_ip", errbuf, sizeof(errbuf));  (optional)
 *     rc = nc_refl_csv_header(&r, &out);
 *     for each message: rc = nc_refl_csv_row(&r, msg, &out);  (or _json, _text)
 *     nc_refl_fini(&r);
 *
 * Every output function appends to a struct nc_dbuf and returns NC_OK,
 * NC_ENOMEM, or NC_ELIMIT when the buffer's cap (or NC_REFL_MAX_DEPTH) is
 * hit; on error the buffer holds a partial row which the caller discards by
 * restoring its previous length. No function allocates per field: the only
 * allocations are the column array (at init/select) and the growth of the
 * scratch cell buffer, which is reused for every cell. Because of that
 * buffer a struct nc_refl belongs to one thread at a time (one per worker);
 * descriptors are read-only and may be shared.
 */
#ifndef NC_RECORD_REFLECT_H
#define NC_RECORD_REFLECT_H

#include "core/common.h"
#include "core/dbuf.h"
#include "record/enums.h"
#include "core/timefmt.h"

#include <protobuf-c/protobuf-c.h>

enum {
    NC_REFL_MAX_DEPTH = 32,               /* nesting limit; the schema has 4 levels */
    NC_REFL_CELL_MAX = 256 * 1024 * 1024, /* one rendered cell; bounds the scratch buffer */
    NC_REFL_MAX_COLS = 4096,              /* -select items; more than any message has */
    NC_REFL_ERRBUF_SIZE = 4096,           /* room to list every field of a message */
};

/* Which int64 fields hold times and durations (docs/OUTPUT.md, "Times"),
 * from the field's name and type. Times (Unix ns): signed 64-bit integer
 * fields named timestamp, timestamp_*, *_timestamp or created. Durations
 * (ns): named duration, duration_*, *_duration or *_after (HTTP's
 * done_after, first_byte_after). Every view, -where and -begin/-end use it. */
enum nc_field_kind {
    NC_FIELD_PLAIN = 0,
    NC_FIELD_TIME,
    NC_FIELD_DURATION,
};

enum nc_field_kind nc_field_kind(const ProtobufCFieldDescriptor *f);

/* Separators. A NULL member takes its default (shown). They are copied by
 * reference: the strings must outlive the struct nc_refl. */
struct nc_refl_opts {
    const char *sep;        /* "," between CSV columns ("\t" for TSV) */
    const char *begin;      /* "(" opens a nested message in a cell */
    const char *end;        /* ")" closes it */
    const char *struct_sep; /* "-" between the fields of a nested message */
    const char *list_sep;   /* "|" between the elements of a repeated field */
    enum nc_time_mode time; /* time fields (timefmt.h); default NC_TIME_NS: the integer */
    bool human;             /* views for people: names instead of numbers (enums.h), at
                             * every depth; ignored for JSON */
    bool durations;         /* duration fields as "1.5s"; ignored for JSON */
    bool name_cols;         /* after each named top-level field, a <field>_name column */
};

struct nc_refl_str {
    const char *p;
    size_t len;
};

/* One output column: a top-level field, or the name of its value. */
struct nc_refl_col {
    const ProtobufCFieldDescriptor *f;
    const struct nc_enum *names; /* naming entry of f, or NULL */
    char *name;                  /* "<field>_name", owned; NULL for a value column */
};

struct nc_refl {
    const ProtobufCMessageDescriptor *desc;
    struct nc_refl_col *cols; /* selected columns, in order */
    size_t n_cols;
    enum nc_time_mode time;
    bool human, durations, name_cols;
    struct nc_refl_str sep, begin, end, struct_sep, list_sep;
    bool quote_byte[256]; /* CSV: a cell containing one of these bytes is quoted */
    struct nc_dbuf cell;  /* scratch: one CSV cell before quoting */
};

/* Prepares r for messages of type desc, with all top-level fields as
 * columns in schema order. NC_EARG if sep is empty or contains '"', CR or
 * LF (it could not be quoted around); NC_ENOMEM. nc_refl_fini() is safe
 * after any result. */
NC_WARN_UNUSED int nc_refl_init(
        struct nc_refl *r, const ProtobufCMessageDescriptor *desc, const struct nc_refl_opts *opts);
void nc_refl_fini(struct nc_refl *r);

/* Replaces the columns with the comma-separated top-level field names in
 * list, in the user's order (spaces around names are ignored; a name may
 * repeat). "<field>_name" selects the name column of a named field. NC_EARG with a message in
 * errbuf naming the bad item and listing the valid fields; NC_ENOMEM. */
NC_WARN_UNUSED int nc_refl_select(
        struct nc_refl *r, const char *list, char *errbuf, size_t errbuf_len);

/* Column metadata for the table renderer. */
const char *nc_refl_col_name(const struct nc_refl *r, size_t col);
/* True for a single (not repeated) integer or floating-point column that
 * prints as a number (not a name, not an RFC 3339 time). */
bool nc_refl_col_is_number(const struct nc_refl *r, size_t col);

/* CSV/TSV: the header row and one row per message, each ending in "\n".
 * Both always have exactly r->n_cols cells. */
NC_WARN_UNUSED int nc_refl_csv_header(struct nc_refl *r, struct nc_dbuf *out);
NC_WARN_UNUSED int nc_refl_csv_row(
        struct nc_refl *r, const ProtobufCMessage *m, struct nc_dbuf *out);

/* JSON Lines: one object with the selected fields, ending in "\n". */
NC_WARN_UNUSED int nc_refl_json(struct nc_refl *r, const ProtobufCMessage *m, struct nc_dbuf *out);

/* The display text of column col of m (no newline, no quoting) for the
 * table and "field: value" views: like a CSV cell, but control characters
 * are shown as \n, \r, \t or \xNN so one value stays on one line. */
NC_WARN_UNUSED int nc_refl_text(
        struct nc_refl *r, const ProtobufCMessage *m, size_t col, struct nc_dbuf *out);

/* Lists the fields of desc, one per line: name, then the type ("int64",
 * "repeated DNSQuestion", ...); the fields of nested messages follow their
 * parent, indented by two spaces per level. */
NC_WARN_UNUSED int nc_refl_fields(const ProtobufCMessageDescriptor *desc, struct nc_dbuf *out);

/* Appends the names of desc's top-level fields joined by ", ". */
NC_WARN_UNUSED int nc_refl_field_names(const ProtobufCMessageDescriptor *desc, struct nc_dbuf *out);

#endif
