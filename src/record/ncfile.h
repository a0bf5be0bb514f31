/*
 * summary: reader for record files (.ncap, .ncap.zst, .ncap.gz, or stdin).
 *
 * The compression is detected from the first bytes, never from the name:
 * zstd (28 b5 2f fd, or a skippable frame 5? 2a 4d 18), gzip (1f 8b), else
 * plain. Concatenated zstd frames and gzip members are one stream. The
 * stream is a varint-delimited netcap.Header followed by records of the
 * type the header names (see record/encode.h).
 *
 * Memory is bounded whatever the input: fixed input and decompression
 * buffers, a record window that grows to at most NC_RECORD_MAX plus one
 * chunk, and an allocation budget (NC_NCFILE_UNPACK_MAX) for unpacking one
 * record. A decompression bomb costs time, not memory.
 *
 * Errors come with a one-line message in errbuf, without the file name
 * (the caller prefixes it). Record errors name the record by its 1-based
 * index after the header: "record 4: truncated (file ends inside the
 * record)"; records 1..3 were delivered before it.
 */
#ifndef NC_RECORD_NCFILE_H
#define NC_RECORD_NCFILE_H

#include "core/common.h"
#include "record/record.h"

enum {
    NC_NCFILE_HEADER_MAX = 64 * 1024,         /* a Header is a few hundred bytes */
    NC_NCFILE_UNPACK_MAX = 256 * 1024 * 1024, /* heap for one unpacked record */
};

enum nc_ncfile_comp {
    NC_NCFILE_PLAIN,
    NC_NCFILE_ZSTD,
    NC_NCFILE_GZIP,
};

struct nc_ncfile;

/* Opens path ("-" is stdin), detects the compression, reads the header and
 * resolves its record type. On error *out is NULL and errbuf says why:
 * "cannot open: No such file or directory", "not a netcap record file
 * (...)", "header names unknown record type 99", ... Returns NC_OK,
 * NC_EIO (open/read), NC_EMALFORMED (not a record file / corrupt header),
 * NC_EUNSUPP (unknown type) or NC_ENOMEM. Call nc_record_init() first. */
NC_WARN_UNUSED int nc_ncfile_open(
        struct nc_ncfile **out, const char *path, char errbuf[NC_ERRBUF_SIZE]);

/* Closes the file (not stdin) and frees everything; NULL is fine. */
void nc_ncfile_close(struct nc_ncfile *f);

const Netcap__Header *nc_ncfile_header(const struct nc_ncfile *f);
enum nc_rec_type nc_ncfile_type(const struct nc_ncfile *f);
const ProtobufCMessageDescriptor *nc_ncfile_desc(const struct nc_ncfile *f);
enum nc_ncfile_comp nc_ncfile_comp(const struct nc_ncfile *f);

/* Reads the next record. NC_OK with *msg set: a record, owned by the
 * reader and valid until the next call or close. NC_OK with *msg NULL: the
 * clean end of the file. Otherwise an error (NC_ETRUNC, NC_EMALFORMED,
 * NC_ELIMIT, NC_EIO, NC_ENOMEM) with errbuf naming the record index; the
 * reader then stays failed and returns the same code. */
NC_WARN_UNUSED int nc_ncfile_next(
        struct nc_ncfile *f, const ProtobufCMessage **msg, char errbuf[NC_ERRBUF_SIZE]);

/* Records delivered so far. */
uint64_t nc_ncfile_count(const struct nc_ncfile *f);

/* Offsets in the uncompressed stream (the file itself when plain); the
 * header's length prefix is at 0. record_offset: where the record last
 * returned, or the one that failed, starts (its length prefix).
 * stream_offset: bytes consumed so far; after the clean end, the size of
 * the uncompressed stream. */
uint64_t nc_ncfile_record_offset(const struct nc_ncfile *f);
uint64_t nc_ncfile_stream_offset(const struct nc_ncfile *f);

/* The packed bytes of the record last returned, without its length
 * prefix, valid until the next nc_ncfile_next (copying records losslessly,
 * unknown fields included). {NULL, 0} after an error or the end. */
void nc_ncfile_raw(const struct nc_ncfile *f, const uint8_t **p, size_t *len);

/* Lowers (or raises) the unpack budget of later records from
 * NC_NCFILE_UNPACK_MAX: for tests and memory-tight callers. */
void nc_ncfile_set_unpack_cap(struct nc_ncfile *f, size_t cap);

#endif
