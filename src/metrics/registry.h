/*
 * summary: Prometheus metrics: a small registry of counters and gauges and
 *          the text exposition format (version 0.0.4).
 *
 * Two ways to publish a value:
 *   - a metric the registry owns: nc_mx_counter()/nc_mx_gauge() return a
 *     handle, nc_mx_set()/nc_mx_add() update it from any thread (atomics, no
 *     lock). For values kept by one part of the program (an agent's spool
 *     size, resends, broker state: see docs/METRICS.md);
 *   - a collector: a function called at scrape time that emits whole
 *     families through struct nc_mx_emit (the capture statistics, the
 *     per-record extractors).
 * A scrape (nc_mx_render) runs the registry's metrics and every collector,
 * then writes the families sorted by name, each one HELP line, one TYPE
 * line, then its samples in the order they were emitted. Names and label
 * names are checked (a bad one is refused, never written); label values and
 * HELP text are escaped as the format demands. Everything is capped: 256
 * registered metrics, 32 collectors, 1024 families and 4 MiB of text per
 * scrape, 8 labels per sample.
 */
#ifndef NC_METRICS_REGISTRY_H
#define NC_METRICS_REGISTRY_H

#include <stdatomic.h>

#include "core/common.h"
#include "core/dbuf.h"

enum {
    NC_MX_MAX_METRICS = 256,
    NC_MX_MAX_COLLECTORS = 32,
    NC_MX_MAX_FAMILIES = 1024,
    NC_MX_MAX_LABELS = 8,
    NC_MX_TEXT_MAX = 4 << 20,
};

enum nc_mx_kind {
    NC_MX_COUNTER,
    NC_MX_GAUGE,
    NC_MX_SUMMARY, /* samples labelled quantile, then nc_mx_summary_end */
};

struct nc_mx_registry;
struct nc_mx_metric;
struct nc_mx_emit;

/* Emits families and samples at scrape time; returns NC_OK or an error
 * (the scrape then fails with 500). */
typedef int nc_mx_collect_fn(void *ctx, struct nc_mx_emit *e);

struct nc_mx_registry *nc_mx_registry_new(void);
void nc_mx_registry_free(struct nc_mx_registry *r);

/* A metric owned by the registry. name: [a-zA-Z_:][a-zA-Z0-9_:]*, counters
 * end in _total; labels: NULL or "k1", "v1", "k2", "v2", ..., NULL (fixed
 * for the metric's life; copied). Several metrics may share a name (same
 * kind and help) with different labels: they form one family. NULL when
 * the name or a label name is invalid, the kind or help differs from an
 * earlier metric of that name, or the registry is full. Thread-safe. */
struct nc_mx_metric *nc_mx_counter(
        struct nc_mx_registry *r, const char *name, const char *help, const char *const *labels);
struct nc_mx_metric *nc_mx_gauge(
        struct nc_mx_registry *r, const char *name, const char *help, const char *const *labels);
/* Update from any thread, lock-free. A NULL handle is ignored, so callers
 * need not check registration. Counters should only grow. */
void nc_mx_set(struct nc_mx_metric *m, double v);
void nc_mx_add(struct nc_mx_metric *m, double v);
double nc_mx_value(const struct nc_mx_metric *m);

/* Add a collector, run at every scrape in the order added. Thread-safe. */
NC_WARN_UNUSED int nc_mx_add_collector(struct nc_mx_registry *r, nc_mx_collect_fn *fn, void *ctx);

/* One scrape: the exposition text into out (reset first). NC_OK, or
 * NC_ELIMIT/NC_ENOMEM/a collector's error. Thread-safe (scrapes are
 * serialised). */
NC_WARN_UNUSED int nc_mx_render(struct nc_mx_registry *r, struct nc_dbuf *out);

/* ---- for collectors ---- */

/* Start a family: later samples belong to it until the next family. A
 * name already emitted in this scrape, or an invalid one, is refused
 * (NC_EARG) and its samples are dropped. */
int nc_mx_family(struct nc_mx_emit *e, const char *name, enum nc_mx_kind kind, const char *help);
/* A sample of the current family: value, then label pairs "k", "v", ...
 * ended by NULL (at most NC_MX_MAX_LABELS pairs). */
int nc_mx_sample_u64(struct nc_mx_emit *e, uint64_t v, ...);
int nc_mx_sample_f64(struct nc_mx_emit *e, double v, ...);
/* Same with the labels as an array of 2 * n strings. */
/* Ends a summary family: <name>_sum and <name>_count (no labels). */
int nc_mx_summary_end(struct nc_mx_emit *e, double sum, uint64_t count);
int nc_mx_sample_labels(struct nc_mx_emit *e, const char *value, const char *const *kv, size_t n);

/* Checks and escaping, exposed for tests. */
bool nc_mx_valid_name(const char *s);
bool nc_mx_valid_label(const char *s);
/* Label value: \ " and newline escaped. HELP: \ and newline escaped. */
int nc_mx_escape_label(struct nc_dbuf *b, const char *s);
int nc_mx_escape_help(struct nc_dbuf *b, const char *s);
/* A float as Prometheus writes it: integers without exponent up to 2^53,
 * NaN, +Inf, -Inf. buf >= 32 bytes. */
void nc_mx_format_f64(char *buf, size_t n, double v);

#endif
