/*
 * summary: per-record-type metric extractors (DNS response codes, TCP
 *          flags, TLS versions, HTTP status classes, connection end
 *          reasons, ...) aggregated per thread, summed at scrape time.
 *
 * Records are counted where they are encoded: nc_recout_add() calls
 * nc_mx_on_record() for every record it accepted. The thread's slot is
 * nc_mx_current (thread-local, NULL unless `netcap export` runs): each
 * pipeline worker binds its own slot, replay binds the last one. A slot is
 * written by its thread only (relaxed atomic loads and stores, no lock, no
 * read-modify-write) and read by the scraper, so a scrape sees each
 * counter's value of some recent moment, and the totals once the threads
 * are done. Extractors read a few scalar fields; they never change a record.
 *
 * -per-ip N: the source addresses of IPv4/IPv6 records are counted per
 * address, N addresses per slot at most; at scrape time the N largest of
 * all slots get a label and the rest are summed as ip="other".
 */
#ifndef NC_METRICS_EXTRACT_H
#define NC_METRICS_EXTRACT_H

#include <protobuf-c/protobuf-c.h>

#include "core/common.h"
#include "metrics/registry.h"
#include "record/record.h"

enum {
    NC_MX_SLOTS = 65, /* 64 workers + one for the calling thread */
    NC_MX_REPLAY_SLOT = 64,
    NC_MX_PER_IP_MAX = 1000,
};

struct nc_mx_acc;
struct nc_mx_records;

/* The calling thread's slot, or NULL (then records are not counted). */
extern _Thread_local struct nc_mx_acc *nc_mx_current;

void nc_mx_extract(struct nc_mx_acc *a, enum nc_rec_type t, const ProtobufCMessage *m);

static inline void nc_mx_on_record(enum nc_rec_type t, const ProtobufCMessage *m)
{
    if (nc_mx_current) {
        nc_mx_extract(nc_mx_current, t, m);
    }
}

/* per_ip: 0 (no address labels) .. NC_MX_PER_IP_MAX. NULL when out of memory. */
struct nc_mx_records *nc_mx_records_new(unsigned per_ip);
void nc_mx_records_free(struct nc_mx_records *x);
/* Slot i (< NC_MX_SLOTS), for nc_mx_current. */
struct nc_mx_acc *nc_mx_records_slot(struct nc_mx_records *x, unsigned i);
/* Records of type t counted in all slots. */
uint64_t nc_mx_records_count(const struct nc_mx_records *x, enum nc_rec_type t);
/* Collector (registry.h): the families of the extractors. */
int nc_mx_records_collect(void *ctx, struct nc_mx_emit *e);

#endif
