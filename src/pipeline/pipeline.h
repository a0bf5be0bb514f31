/*
 * summary: the capture pipeline: source -> batches -> workers (decode,
 *          per-shard state, merge) -> committer (record files).
 *
 * The reader (calling thread) cuts the input into batches of a fixed number
 * of packets. Workers decode whole batches in parallel, run the stateful
 * stage (connections, IP fragment and TCP reassembly, stream parsers) per
 * (batch, logical shard) with each shard's batches in order, and merge each
 * batch's records per type in packet order into one compressed frame. The
 * caller appends the frames to the record files in batch order. Batch
 * boundaries, shards and merge order depend only on the input, and every
 * limit is a fixed budget per shard, so the files are byte-identical
 * whatever the number of workers.
 */
#ifndef NC_PIPELINE_PIPELINE_H
#define NC_PIPELINE_PIPELINE_H

#include <signal.h>

#include "capture/source.h"
#include "core/common.h"
#include "decode/decoder.h"
#include "flow/flow.h"
#include "output/compress.h"
#include "output/writer.h"
#include "record/recout.h"
#include "stream/ip_defrag.h"
#include "stream/stream.h"

enum {
    NC_DEFRAG_DATAGRAMS = 8192, /* pending fragmented datagrams, split across the shards */
    NC_DEFRAG_FRAGS = 128,      /* fragments per datagram */
};
#define NC_DEFRAG_TIMEOUT_NS (30LL * 1000000000LL) /* as Linux ipfrag_time */

struct nc_run_stats;
struct nc_mx_records;
/* netcap export: called on the committing thread after every batch with
 * the totals so far (plus the shards' connection, stream and fragment
 * counters as of that batch), and once more at the end (final: the same
 * totals the summary prints). */
typedef void nc_pipeline_observe_fn(void *ctx, const struct nc_run_stats *st, bool final);

struct nc_pipeline_cfg {
    unsigned workers; /* decoding threads, >= 1 */
    const struct nc_decode_opts *opts;
    bool want_conn;          /* write Connection records */
    bool want_features;      /* write ConnectionFeatures records */
    struct nc_feat_cfg feat; /* ...with these parameters */
    enum nc_format format;
    enum nc_compress compress;
    int level; /* compression level, 0 = default */
    const char *out_dir;
    const struct nc_writer_ops *sink; /* nc_writer_file, nc_writer_null */
    size_t max_flows;                 /* in all; each shard gets an equal share */
    int64_t conn_timeout_ns;
    uint64_t stream_memcap; /* bytes for TCP streams in all, split across shards */
    uint64_t stream_depth;  /* bytes reassembled per direction (0: no cap) */
    uint32_t stream_buffer; /* out-of-order bytes held per direction */
    uint64_t defrag_memcap; /* bytes for IP fragments in all, split across shards */
    bool live;              /* flush files after every batch */
    /* Types named in -include: their file is written even without records
     * (the header alone), so a reader finds a file for every type it asked
     * for. NULL: only types with records get a file. */
    const bool *always;
    /* Header fields */
    const char *source_name;
    const char *options;
    int64_t created_ns;
    bool progress; /* progress line on stderr */
    /* netcap export (NULL otherwise); never changes the records */
    nc_pipeline_observe_fn *observe;
    void *observe_ctx;
    struct nc_mx_records *metrics; /* worker i counts records in slot i */
};

struct nc_run_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t records[NC_REC_COUNT];
    struct nc_decode_stats dec;
    struct nc_flow_stats flow;
    uint64_t truncated_file; /* 1 if the capture ended mid-packet */
    uint64_t read_error;     /* 1 if the capture is corrupt (message in errbuf) */
    uint64_t interrupted;    /* 1 if *stop ended the reading before the end of the input */
    uint64_t input_packets;  /* files: packets in the input up to where reading ended */
    uint64_t input_offset;   /* ...and that byte offset (truncated: where the cut packet starts) */
    bool written[NC_REC_COUNT]; /* a file of this type was completed */
    uint64_t drops;             /* live: dropped by kernel */
    uint64_t filtered;          /* rejected by the -bpf filter (files) */
    uint64_t conn_dropped;      /* connections lost at the memory cap */
    uint64_t lost;              /* records lost at a buffer or memory cap */
    struct nc_stream_stats stream;
    struct nc_defrag_stats defrag;
    uint64_t stream_budget_refused, defrag_budget_refused;
    uint64_t stream_peak; /* most stream bytes one shard held */
    double seconds;
    double cpu_main;    /* CPU seconds of the reading and committing thread */
    double cpu_workers; /* CPU seconds of all workers */
};

/* Runs to the end of the source or until *stop becomes non-zero.
 * Returns NC_OK or a host error with errbuf set; on error no record file
 * is left behind (only complete files are ever renamed into place).
 * A corrupt capture is not a host error: the packets before the corruption
 * are processed, the files completed, st->read_error set and errbuf says why. */
NC_WARN_UNUSED int nc_pipeline_run(const struct nc_pipeline_cfg *cfg, struct nc_source *src,
        volatile sig_atomic_t *stop, struct nc_run_stats *out, char errbuf[NC_ERRBUF_SIZE]);

/* Memory the pipeline needs whatever the input (batches in flight, worker
 * buffers), for budgeting -max-memory. */
size_t nc_pipeline_fixed_bytes(unsigned workers);

/* File name of a record type's output: "DNS.ncap.zst", "DNS.csv.gz", ... */
void nc_output_name(
        char *out, size_t n, const char *type_name, enum nc_format f, enum nc_compress c);

#endif
