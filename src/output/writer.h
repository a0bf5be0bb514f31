/*
 * summary: sinks for record streams, behind one ops table (libpcap style).
 *
 * A writer receives ready-made bytes (compressed frames of encoded records)
 * for one record type and puts them somewhere: a file today; a socket or a
 * NATS subject later. The pipeline never knows which.
 */
#ifndef NC_OUTPUT_WRITER_H
#define NC_OUTPUT_WRITER_H

#include "core/common.h"

struct nc_writer;

struct nc_writer_ops {
    const char *name;
    /* Open the sink for target (a path for "file"); errbuf gets a message. */
    int (*open)(struct nc_writer *w, const char *target, char errbuf[NC_ERRBUF_SIZE]);
    int (*write)(struct nc_writer *w, const void *p, size_t n);
    /* Make everything written durable and visible; frees nothing. */
    int (*close)(struct nc_writer *w, char errbuf[NC_ERRBUF_SIZE]);
    /* Drop a sink that failed or must not appear (no half-written files). */
    void (*abort)(struct nc_writer *w);
    /* Hand what is buffered to the system (live capture: records survive a
     * crash of netcap). May be NULL. */
    int (*flush)(struct nc_writer *w);
};

struct nc_writer {
    const struct nc_writer_ops *ops;
    void *impl;
    uint64_t bytes; /* written so far */
};

extern const struct nc_writer_ops nc_writer_file; /* PATH.partial, renamed on close */
extern const struct nc_writer_ops nc_writer_null; /* discards (benchmarks) */

#endif
