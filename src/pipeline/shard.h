/*
 * summary: one logical shard of the stateful stage: the connections, IP
 *          fragment reassembly and TCP streams of the address pairs that
 *          hash to it.
 *
 * There are NC_SHARDS shards whatever the number of threads. A packet's
 * shard is a symmetric hash of its IP address pair, so both directions of
 * a connection and every fragment of a datagram meet in one shard. A shard
 * is run for one batch at a time, over its packets in input order, by
 * whichever worker is free; batch b of a shard never starts before batch
 * b - 1 of it has finished. Every limit (flows, stream memory, fragment
 * memory) is a fixed share per shard, and capture time advances at fixed
 * points (each packet, the end of each batch), so what a shard writes
 * depends on the input alone.
 */
#ifndef NC_PIPELINE_SHARD_H
#define NC_PIPELINE_SHARD_H

#include "core/arena.h"
#include "core/budget.h"
#include "core/common.h"
#include "decode/decoder.h"
#include "flow/flow.h"
#include "record/recout.h"
#include "stream/ip_defrag.h"
#include "stream/stream.h"

enum {
    NC_SHARDS = 64,
};

struct nc_shard_cfg {
    const struct nc_decode_opts *opts;
    bool want_conn;
    bool want_features;      /* ConnectionFeatures records */
    struct nc_feat_cfg feat; /* ...their parameters */
    size_t max_flows;        /* per shard */
    int64_t conn_timeout_ns;
    uint64_t stream_budget; /* bytes per shard */
    struct nc_reasm_cfg reasm;
    struct nc_defrag_cfg defrag;
    uint64_t defrag_budget; /* bytes per shard */
};

struct nc_shard {
    uint32_t id;
    const struct nc_shard_cfg *cfg;
    struct nc_flow_table *flows;
    struct nc_defrag *defrag;
    struct nc_budget stream_budget, defrag_budget;
    struct nc_stream_env senv;
    struct nc_stream_stats sstats;
    struct nc_defrag_stats dstats;
    struct nc_decode_stats dec; /* decoding of reassembled datagrams */
    struct nc_arena arena;      /* records of reassembled datagrams */
    struct nc_arena stream_arena;
    struct nc_recout *out; /* collector of the batch being run */
    uint64_t index;        /* packet being processed (record tags) */
    uint64_t conn_lost;
    bool defrag_flushed;
};

NC_WARN_UNUSED int nc_shard_init(struct nc_shard *sh, uint32_t id, const struct nc_shard_cfg *cfg);
void nc_shard_fini(struct nc_shard *sh);

/* Run the shard over its packets of one batch. fps: the batch's flow
 * facts, fps[i] of packet i and fps[carrier_base + i] of its tunnel carrier;
 * pos[0..n): this shard's entries of fps, in packet order; now[i]:
 * capture time reached at packet i (running maximum over the input);
 * first_index: number of fps[0] in the input. Afterwards time advances to
 * end_now, tagged with last_index. */
void nc_shard_run(struct nc_shard *sh, struct nc_recout *out, const struct nc_flow_pkt *fps,
        uint32_t carrier_base, const uint32_t *pos, size_t n, const int64_t *now,
        uint64_t first_index, int64_t end_now, uint64_t last_index);
/* End of input, in rounds: the first gives up incomplete datagrams (their
 * fragments join connections); each round writes the connections whose
 * first packet number is below upto, tagged with that number. */
void nc_shard_flush(struct nc_shard *sh, struct nc_recout *out, uint64_t last_index, uint64_t upto);
/* First packet number of the next connection to flush (UINT64_MAX: none). */
uint64_t nc_shard_next_flush(struct nc_shard *sh);

#endif
