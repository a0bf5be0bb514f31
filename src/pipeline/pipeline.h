/*
 * summary: the capture pipeline: source -> batches -> decoding workers ->
 *          in-order sequencer (flow table, record files).
 *
 * The reader (calling thread) cuts the input into batches of a fixed number
 * of packets. Workers decode whole batches in parallel: every packet-level
 * record is encoded and compressed into one frame per record type per
 * batch. The sequencer (also the calling thread) takes batches back in
 * their original order, feeds the flow table packet by packet and appends
 * the frames to the record files. Batch boundaries depend only on the
 * input, and every stateful step runs in input order, so the files are
 * byte-identical whatever the number of workers.
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

enum nc_format {
    NC_FORMAT_PROTO = 0,
    NC_FORMAT_CSV,
    NC_FORMAT_JSON,
};

struct nc_pipeline_cfg {
    unsigned workers; /* decoding threads, >= 1 */
    const struct nc_decode_opts *opts;
    bool want_conn; /* write Connection records */
    enum nc_format format;
    enum nc_compress compress;
    int level; /* compression level, 0 = default */
    const char *out_dir;
    const struct nc_writer_ops *sink; /* nc_writer_file, nc_writer_null */
    size_t max_flows;
    int64_t conn_timeout_ns;
    /* Header fields */
    const char *source_name;
    const char *options;
    int64_t created_ns;
    bool progress; /* progress line on stderr */
};

struct nc_run_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t records[NC_REC_COUNT];
    struct nc_decode_stats dec;
    struct nc_flow_stats flow;
    uint64_t truncated_file; /* 1 if the capture ended mid-packet */
    uint64_t read_error;     /* 1 if the capture is corrupt (message in errbuf) */
    uint64_t drops;          /* live: dropped by kernel */
    uint64_t filtered;       /* rejected by the -bpf filter (files) */
    uint64_t conn_dropped;   /* connections lost at the memory cap */
    double seconds;
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
