/*
 * summary: the agent's on-disk queue of sealed batches waiting for a
 *          JetStream acknowledgement.
 *
 * Every batch is written here first (one file per batch, written as
 * .tmp and renamed, so a file is whole or absent), and removed only when
 * the broker has acknowledged it. Files are named by a sequence number that
 * keeps growing across runs, so a spool left by a crash is resent first, in
 * order, on the next start. Past max_bytes a new batch is dropped and
 * counted. A lock file keeps two agents off one spool.
 *
 * Thread-safe: the committer puts, the publisher peeks and pops.
 */
#ifndef NC_SENSOR_SPOOL_H
#define NC_SENSOR_SPOOL_H

#include "core/common.h"
#include "core/dbuf.h"

enum {
    NC_SPOOL_SUBJECT_MAX = 255,
    NC_SPOOL_ID_MAX = 255,
};

struct nc_spool;

struct nc_spool_entry {
    uint64_t seq;
    char subject[NC_SPOOL_SUBJECT_MAX + 1];
    char id[NC_SPOOL_ID_MAX + 1];
    struct nc_dbuf payload; /* nc_dbuf_init'ed by the caller (cap >= NC_ENV_MAX) */
};

struct nc_spool_stats {
    uint64_t pending, bytes; /* now */
    uint64_t put, dropped, dropped_bytes, acked, recovered;
};

/* Opens (creates) dir, locks it, and indexes the batches left in it. */
NC_WARN_UNUSED int nc_spool_open(
        struct nc_spool **out, const char *dir, uint64_t max_bytes, char err[NC_ERRBUF_SIZE]);
void nc_spool_close(struct nc_spool *sp);

/* Appends a batch. NC_ELIMIT: over max_bytes, dropped and counted;
 * NC_EIO: the disk refused it (also counted as dropped). */
NC_WARN_UNUSED int nc_spool_put(
        struct nc_spool *sp, const char *subject, const char *id, const uint8_t *p, size_t n);

/* Loads the oldest batch into e, waiting up to timeout_ms for one.
 * NC_OK, NC_EAGAIN (none), or NC_EMALFORMED (an unreadable file: it is
 * moved aside as *.bad and counted as dropped; call again). */
NC_WARN_UNUSED int nc_spool_peek(struct nc_spool *sp, int timeout_ms, struct nc_spool_entry *e);

/* Removes the oldest batch (after its acknowledgement); returns when it
 * was put (CLOCK_MONOTONIC ns), 0 for a batch of an earlier run. */
int64_t nc_spool_pop(struct nc_spool *sp);

/* Wakes a waiting nc_spool_peek. */
void nc_spool_wake(struct nc_spool *sp);

void nc_spool_get_stats(struct nc_spool *sp, struct nc_spool_stats *st);

#endif
