/*
 * summary: the record file framing: varint length, then the packed message.
 *
 * A record file (.ncap, .ncap.zst, .ncap.gz) is, after decompression, a
 * sequence of length-delimited protobuf messages: one Header, then records
 * of the header's type. Compressed files are a series of independent zstd
 * frames or gzip members; their concatenation is the stream.
 */
#ifndef NC_RECORD_ENCODE_H
#define NC_RECORD_ENCODE_H

#include "core/common.h"
#include "core/dbuf.h"

#include <protobuf-c/protobuf-c.h>

#include "record/record.h"

enum {
    NC_VARINT_MAX = 10,
    NC_RECORD_MAX = 64 * 1024 * 1024, /* largest record a reader accepts (a packet is <= 256 KiB) */
};

/* Append one length-delimited record of type t; NC_ELIMIT/NC_ENOMEM from
 * the buffer. The fast path: the encoder is picked by type. */
NC_WARN_UNUSED int nc_encode_record(
        struct nc_dbuf *b, enum nc_rec_type t, const ProtobufCMessage *m);

/* Append any schema message (Header, a record) length-delimited. */
NC_WARN_UNUSED int nc_encode_delimited(struct nc_dbuf *b, const ProtobufCMessage *m);

/* The same through protobuf_c_message_pack (slower; for tests). */
NC_WARN_UNUSED int nc_encode_delimited_ref(struct nc_dbuf *b, const ProtobufCMessage *m);

/* Write v as a varint into out (>= NC_VARINT_MAX bytes); returns its length. */
size_t nc_varint_put(uint8_t *out, uint64_t v);

/* Decode a varint from p[0..n): NC_OK and *used set, NC_EAGAIN if p ends
 * inside it, NC_EMALFORMED if longer than 10 bytes. */
int nc_varint_get(const uint8_t *p, size_t n, uint64_t *v, size_t *used);

#endif
