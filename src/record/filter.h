/*
 * summary: record filters for netcap dump -where: comparisons of top-level
 *          fields joined by and / or / not, checked against the descriptor.
 *
 * Grammar (docs/OUTPUT.md, "Filters"):
 *     expr    = and { ("or" | "||") and }
 *     and     = unary { ("and" | "&&") unary }
 *     unary   = ("not" | "!") unary | "(" expr ")" | FIELD OP VALUE
 *     OP      = "=" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "~" | "!~"
 *     VALUE   = bare word (up to a blank or ")") | "quoted \" string" | /regex/
 * A field is a top-level field of the record type, or <field>_name for a
 * named one (enums.h). How VALUE is read depends on the field: integers
 * (or a name, type=AAAA), times (RFC 3339, Unix seconds, ns), durations
 * (1.5s, 200ms, ns), floats, true/false, text (= exact, < > by bytes, ~
 * substring, ~/re/ POSIX extended regex), addresses (= and != match a CIDR:
 * src_ip=10.0.0.0/8, dst_ip=2001:db8::/32), bytes (hex). A repeated field
 * matches when any element does; != and !~ are the negations of = and ~.
 *
 * Everything is decided at parse time; matching allocates nothing. Caps:
 * NC_FILTER_MAX_LEN characters, NC_FILTER_MAX_NODES nodes, nesting depth
 * NC_FILTER_MAX_DEPTH.
 */
#ifndef NC_RECORD_FILTER_H
#define NC_RECORD_FILTER_H

#include <protobuf-c/protobuf-c.h>

#include "core/common.h"

enum {
    NC_FILTER_MAX_LEN = 64 * 1024,
    NC_FILTER_MAX_NODES = 4096,
    NC_FILTER_MAX_DEPTH = 64,
    NC_FILTER_ERRBUF_SIZE = 4096, /* room to list the fields of a record type */
};

struct nc_filter;

/* Compiles expr for messages of type d. NC_OK; NC_EARG with a one-line
 * message in errbuf that names the column and the bad token ("column 8
 * 'srcip': unknown field (fields of Connection: ...)"); NC_ENOMEM. */
NC_WARN_UNUSED int nc_filter_parse(struct nc_filter **out, const ProtobufCMessageDescriptor *d,
        const char *expr, char *errbuf, size_t errbuf_len);

/* True if m (of the type given at parse time) passes. */
bool nc_filter_match(const struct nc_filter *f, const ProtobufCMessage *m);

void nc_filter_free(struct nc_filter *f);

/* The record's timestamp for -begin/-end: the top-level time field named
 * timestamp, else timestamp_first, else the first time field; NULL if the
 * type has none. */
const ProtobufCFieldDescriptor *nc_filter_time_field(const ProtobufCMessageDescriptor *d);

/* The int64 value of time field f in m (0 if absent). */
int64_t nc_filter_time_of(const ProtobufCFieldDescriptor *f, const ProtobufCMessage *m);

#endif
