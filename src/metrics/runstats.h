/*
 * summary: the capture pipeline's statistics (struct nc_run_stats, what
 *          `netcap capture` prints in its summary) as Prometheus families.
 *
 * The committing thread hands a copy of the totals after every batch
 * (nc_mx_runstats_update, an nc_pipeline_observe_fn); a scrape renders the
 * latest copy under a mutex. After the end the copy holds exactly the
 * totals of the summary.
 */
#ifndef NC_METRICS_RUNSTATS_H
#define NC_METRICS_RUNSTATS_H

#include "metrics/registry.h"
#include "pipeline/pipeline.h"

struct nc_mx_runstats;

struct nc_mx_runstats *nc_mx_runstats_new(void);
void nc_mx_runstats_free(struct nc_mx_runstats *r);
/* nc_pipeline_observe_fn: ctx is the struct nc_mx_runstats. */
void nc_mx_runstats_update(void *ctx, const struct nc_run_stats *st, bool final);
/* Has the final update arrived? */
bool nc_mx_runstats_done(struct nc_mx_runstats *r);
/* Collector (registry.h). */
int nc_mx_runstats_collect(void *ctx, struct nc_mx_emit *e);

#endif
