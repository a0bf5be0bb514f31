/*
 * summary: a record collector: records of any type encoded in the output
 *          format, one buffer per type, each record tagged with the number
 *          of the packet that caused it.
 *
 * Every producer of records (the per-batch decoder, each shard's stateful
 * stage, a stream parser under test) writes into one of these. The tags let
 * the pipeline merge the records of several collectors per type in packet
 * order (ties: collector order), so files do not depend on which thread
 * produced what. A collector belongs to one thread at a time (the text
 * encoders keep scratch buffers).
 */
#ifndef NC_RECORD_RECOUT_H
#define NC_RECORD_RECOUT_H

#include "core/common.h"
#include "core/dbuf.h"
#include "record/record.h"
#include "record/reflect.h"

enum nc_format {
    NC_FORMAT_PROTO = 0, /* length-delimited protobuf */
    NC_FORMAT_CSV,
    NC_FORMAT_JSON, /* JSON Lines */
};

struct nc_recout_tag {
    uint64_t index; /* packet number that caused the record */
    uint32_t end;   /* offset just past the record in the type's buffer */
};

struct nc_recout_list {
    struct nc_dbuf buf;
    struct nc_recout_tag *tags;
    size_t n, cap;
};

struct nc_recout {
    enum nc_format format;
    size_t buf_cap;
    struct nc_recout_list list[NC_REC_COUNT];
    struct nc_refl *refl[NC_REC_COUNT]; /* csv/json: set up on first use */
    uint64_t lost;                      /* records refused at a buffer or memory cap */
};

void nc_recout_init(struct nc_recout *o, enum nc_format f, size_t buf_cap);
void nc_recout_fini(struct nc_recout *o);
/* Forget the records (keeps the buffers for reuse). */
void nc_recout_reset(struct nc_recout *o);
/* Encode m (of type t) and tag it; on a cap the record is lost and
 * counted (o->lost), and NC_ELIMIT/NC_ENOMEM returned. */
int nc_recout_add(
        struct nc_recout *o, enum nc_rec_type t, uint64_t index, const ProtobufCMessage *m);
/* Encode m in format f into b (no tag): CSV row, JSON line or delimited
 * protobuf. refl: the type's renderer for text formats (may be NULL for
 * proto). On failure b is left as it was. */
int nc_recout_encode(
        struct nc_recout *o, enum nc_rec_type t, const ProtobufCMessage *m, struct nc_dbuf *b);
/* The CSV header row of type t (text formats), through o's renderer. */
int nc_recout_csv_header(struct nc_recout *o, enum nc_rec_type t, struct nc_dbuf *b);

#endif
