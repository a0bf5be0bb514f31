/*
 * summary: one pass over a record file that validates it and measures it,
 *          for `netcap util check` and `netcap util stats`.
 *
 * The bytes are read by the same reader as `netcap dump` (record/ncfile.c),
 * so check finds exactly what dump would stumble over. On top of the
 * reader's checks (compression framing, varint lengths, protobuf decoding
 * against the header's type) the scan checks what the reader does not:
 *  - the header: schema_version is this netcap's, type_name agrees with
 *    the type number;
 *  - what each record type promises about its times. Packet records are in
 *    packet order, and a capture's clock may step back (merged captures,
 *    NTP), so no type promises records sorted by time; a Connection
 *    promises timestamp_first <= timestamp_last and duration = last - first
 *    (the flow table only moves the last time forward). With
 *    ordered = true the scan also requires times that never decrease.
 * The first problem ends the scan: its record (1-based after the header,
 * 0 for the header) and the offset of that record in the uncompressed
 * stream are reported.
 */
#ifndef NC_RECORD_NCSCAN_H
#define NC_RECORD_NCSCAN_H

#include "core/common.h"
#include "record/ncfile.h"
#include "record/record.h"

struct nc_scan {
    /* what was found, also for a bad file (as far as the scan got) */
    enum nc_rec_type type; /* NC_REC_NONE if the header could not be read */
    uint32_t schema_version;
    enum nc_ncfile_comp comp;
    uint64_t records;     /* good records */
    uint64_t unknown;     /* records with fields this netcap's schema lacks */
    bool have_time;       /* t_min/t_max are set (the type has a time) */
    int64_t t_min, t_max; /* earliest and latest time of the records */
    uint64_t file_size;   /* bytes on disk (0 for a pipe) */
    uint64_t stream_size; /* uncompressed bytes (after the clean end) */
    /* the first problem, if any */
    bool bad;
    bool opened;         /* false: the file could not be opened as a record file */
    uint64_t bad_record; /* 1-based; 0: the header */
    uint64_t bad_offset; /* in the uncompressed stream */
    int bad_rc;          /* NC_E* */
    char why[NC_ERRBUF_SIZE];
};

struct nc_scan_opts {
    bool ordered; /* times must never decrease from one record to the next */
};

/* Scans path ("-" is stdin). Returns NC_OK for a good file, else the
 * error code with s->bad set and s->why saying what is wrong (without the
 * file name, record number or offset, which are in s). Call
 * nc_record_init() first. */
int nc_scan_file(const char *path, const struct nc_scan_opts *opts, struct nc_scan *s);

#endif
