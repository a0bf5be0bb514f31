/*
 * summary: capture statistics as Prometheus families (see runstats.h).
 */
#include "metrics/runstats.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "proto/parser.h"
#include "record/record.h"

struct nc_mx_runstats {
    pthread_mutex_t mu;
    bool done;
    struct timespec t0;
    struct nc_run_stats st; /* the latest copy */
};

struct nc_mx_runstats *nc_mx_runstats_new(void)
{
    struct nc_mx_runstats *r = nc_calloc(1, sizeof(*r));
    if (r) {
        pthread_mutex_init(&r->mu, NULL);
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
    }
    return r;
}

void nc_mx_runstats_free(struct nc_mx_runstats *r)
{
    if (r) {
        pthread_mutex_destroy(&r->mu);
        nc_free(r);
    }
}

void nc_mx_runstats_update(void *ctx, const struct nc_run_stats *st, bool final)
{
    struct nc_mx_runstats *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->st = *st;
    r->done = r->done || final;
    pthread_mutex_unlock(&r->mu);
}

bool nc_mx_runstats_done(struct nc_mx_runstats *r)
{
    pthread_mutex_lock(&r->mu);
    bool d = r->done;
    pthread_mutex_unlock(&r->mu);
    return d;
}

/* Short label values for enum nc_err verdicts. */
static const char *verdict(size_t e)
{
    switch (e) {
        case NC_ETRUNC:
            return "truncated";
        case NC_EMALFORMED:
            return "malformed";
        case NC_ELIMIT:
            return "limit";
        case NC_EUNSUPP:
            return "unsupported";
        case NC_ENOMEM:
            return "nomem";
        case NC_EIO:
            return "io";
        case NC_EARG:
            return "arg";
        default:
            return "other";
    }
}

static void counter(struct nc_mx_emit *e, const char *name, const char *help, uint64_t v)
{
    (void)nc_mx_family(e, name, NC_MX_COUNTER, help);
    (void)nc_mx_sample_u64(e, v, NULL);
}

static void gauge(struct nc_mx_emit *e, const char *name, const char *help, double v)
{
    (void)nc_mx_family(e, name, NC_MX_GAUGE, help);
    (void)nc_mx_sample_f64(e, v, NULL);
}

static void limits(struct nc_mx_emit *e, const struct nc_run_stats *st)
{
    const struct nc_reasm_stats *rs = &st->stream.reasm;
    const struct nc_defrag_stats *df = &st->defrag;
    const struct {
        const char *name;
        uint64_t v;
    } l[] = {
        { "max_layers", st->dec.depth_limit },
        { "packet_records", st->dec.rec_limit },
        { "record_buffer", st->dec.encode_limit },
        { "records_lost", st->lost },
        { "max_flows", st->flow.evicted },
        { "connections_lost", st->conn_dropped },
        { "max_memory", nc_mem_refused() },
        { "stream_depth", rs->depth_hit },
        { "stream_buffer", rs->conn_buf_hit },
        { "stream_memcap", rs->memcap_hit },
        { "streams_refused", st->stream.refused },
        { "stream_window", rs->out_of_window },
        { "defrag_table_full", df->table_full },
        { "defrag_too_many", df->too_many },
        { "defrag_memcap", df->memcap },
        { "defrag_oversize", df->oversize },
    };
    (void)nc_mx_family(e, "netcap_limit_hits_total", NC_MX_COUNTER,
            "Times a cap was hit, per limit (see docs/METRICS.md): data past it is dropped and "
            "counted.");
    for (size_t i = 0; i < NC_ARRAY_LEN(l); i++) {
        (void)nc_mx_sample_u64(e, l[i].v, "limit", l[i].name, NULL);
    }
}

static void decoders(struct nc_mx_emit *e, const struct nc_run_stats *st)
{
    (void)nc_mx_family(e, "netcap_decode_errors_total", NC_MX_COUNTER,
            "Headers a decoder refused, per decoder and verdict (only those that occurred).");
    for (size_t d = 0; d < NC_DEC_COUNT; d++) {
        for (size_t v = NC_ETRUNC; v <= NC_EARG; v++) {
            if (st->dec.bad[d][v]) {
                (void)nc_mx_sample_u64(e, st->dec.bad[d][v], "decoder",
                        nc_decoder_by_id((enum nc_decoder_id)d)->name, "verdict", verdict(v), NULL);
            }
        }
    }
    (void)nc_mx_family(e, "netcap_decode_layers_total", NC_MX_COUNTER,
            "Headers decoded (attempted), per decoder (only decoders that ran).");
    for (size_t d = 0; d < NC_DEC_COUNT; d++) {
        if (st->dec.layers[d]) {
            (void)nc_mx_sample_u64(e, st->dec.layers[d], "decoder",
                    nc_decoder_by_id((enum nc_decoder_id)d)->name, NULL);
        }
    }
}

static void streams(struct nc_mx_emit *e, const struct nc_run_stats *st)
{
    const struct nc_stream_stats *ss = &st->stream;
    counter(e, "netcap_tcp_streams_total", "TCP connections reassembled for the stream parsers.",
            ss->streams);
    counter(e, "netcap_tcp_stream_bytes_total", "TCP payload bytes delivered to stream parsers.",
            ss->reasm.delivered);
    counter(e, "netcap_tcp_stream_gap_bytes_total",
            "TCP payload bytes missing in reassembled streams.", ss->reasm.gap_bytes);
    (void)nc_mx_family(e, "netcap_stream_parsers_total", NC_MX_COUNTER,
            "Stream parser events per parser: attached to a stream, or switched off (error, "
            "overflow, gap).");
    for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
        const char *p = nc_parser_by_id((enum nc_parser_id)i)->name;
        (void)nc_mx_sample_u64(e, ss->attached[i], "parser", p, "event", "attached", NULL);
        (void)nc_mx_sample_u64(e, ss->errors[i], "parser", p, "event", "error", NULL);
        (void)nc_mx_sample_u64(e, ss->overflow[i], "parser", p, "event", "overflow", NULL);
        (void)nc_mx_sample_u64(e, ss->gap_off[i], "parser", p, "event", "gap", NULL);
    }
    counter(e, "netcap_ip_fragments_total", "IP fragments seen.", st->defrag.fragments);
    counter(e, "netcap_ip_datagrams_reassembled_total", "IP datagrams reassembled from fragments.",
            st->defrag.completed);
    counter(e, "netcap_ip_datagrams_incomplete_total",
            "Fragmented IP datagrams given up (timeout, eviction, end of input).",
            st->defrag.incomplete);
}

int nc_mx_runstats_collect(void *ctx, struct nc_mx_emit *e)
{
    struct nc_mx_runstats *r = ctx;
    pthread_mutex_lock(&r->mu);
    const struct nc_run_stats *st = &r->st;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double up = (double)(now.tv_sec - r->t0.tv_sec) + (double)(now.tv_nsec - r->t0.tv_nsec) / 1e9;
    gauge(e, "netcap_capture_running", "1 while packets are read, 0 once the input has ended.",
            r->done ? 0 : 1);
    gauge(e, "netcap_capture_elapsed_seconds",
            "Seconds since the capture started (frozen at its end).", r->done ? st->seconds : up);
    counter(e, "netcap_packets_total", "Packets read from the source.", st->packets);
    counter(e, "netcap_bytes_total", "Wire bytes of the packets read.", st->bytes);
    counter(e, "netcap_packets_dropped_total",
            "Packets the kernel or interface dropped (live capture).", st->drops);
    counter(e, "netcap_packets_filtered_total", "Packets of a file not matching -bpf.",
            st->filtered);
    (void)nc_mx_family(e, "netcap_records_total", NC_MX_COUNTER,
            "Records written, per record type (as in the capture summary).");
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        (void)nc_mx_sample_u64(
                e, st->records[t], "type", nc_rec_info((enum nc_rec_type)t)->name, NULL);
    }
    decoders(e, st);
    counter(e, "netcap_connections_created_total", "Connections tracked.", st->flow.created);
    gauge(e, "netcap_connections_open", "Connections tracked and not yet written.",
            (double)(st->flow.created > st->flow.written ? st->flow.created - st->flow.written
                                                         : 0));
    gauge(e, "netcap_connections_peak",
            "Most connections tracked at once (sum of the shards' peaks).", (double)st->flow.peak);
    limits(e, st);
    gauge(e, "netcap_memory_peak_bytes", "Most memory netcap held at once (its own allocations).",
            (double)nc_mem_peak());
    streams(e, st);
    if (r->done) {
        (void)nc_mx_family(e, "netcap_cpu_seconds_total", NC_MX_COUNTER,
                "CPU seconds of the capture, per thread kind (at the end).");
        (void)nc_mx_sample_f64(e, st->cpu_workers, "thread", "workers", NULL);
        (void)nc_mx_sample_f64(e, st->cpu_main, "thread", "main", NULL);
    }
    pthread_mutex_unlock(&r->mu);
    return NC_OK;
}
