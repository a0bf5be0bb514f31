/*
 * summary: the capture pipeline (see pipeline.h for the design).
 *
 * Threads: the caller reads packets into batches and commits finished
 * batches in order (it writes frames and nothing else); N workers run the
 * tasks of the batches in flight:
 *   DECODE(b)    every packet of batch b, statelessly: packet records,
 *                the flow facts of each packet and its shard;
 *   SHARD(b, s)  the stateful stage of shard s over its packets of b
 *                (connections, fragments, streams); runs only after
 *                SHARD(b - 1, s), so each shard sees its packets in order;
 *   MERGE(b)     per record type, the records of DECODE(b) and of every
 *                SHARD(b, s) merged by packet number (ties: decode first,
 *                then shard order), then compressed into one frame.
 * All shared state (the ring of batches, the ready queue, per-shard
 * progress) is guarded by one mutex; a task's data is owned by the worker
 * running it. Because batch boundaries, shard assignment, the order within
 * each shard and the merge order depend only on the input, every file is
 * the same bytes for any number of workers.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "pipeline/pipeline.h"

#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/dbuf.h"
#include "core/mem.h"
#include "core/version.h"
#include "metrics/extract.h"
#include "pipeline/shard.h"
#include "record/encode.h"
#include "record/reflect.h"

enum {
    BATCH_PKTS = 4096,     /* packets per batch: fixed, so output is deterministic */
    BATCH_BYTES = 8 << 20, /* ...or fewer when their bytes reach this */
    DATA_CAP = 64 << 20,   /* batch buffer: BATCH_BYTES + read chunk + largest block */
    ARENA_CAP = 4 << 20,   /* per-packet record memory; a packet needs a few KiB */
    OUT_CAP = 1u << 30,    /* per-type encoded bytes in one batch */
    MAX_WORKERS = 64,
    FLUSH_SPAN = 8192,   /* end of input: packet numbers whose connections one round writes */
    BATCH_MEM = 9 << 20, /* what a batch in flight costs, for budgeting: packets and records */
};

enum batch_state {
    B_FREE = 0,
    B_READY, /* filled, waiting for DECODE */
    B_DECODING,
    B_STATEFUL, /* decoded; SHARD tasks run */
    B_MERGING,
    B_DONE, /* frames ready for the committer */
};

/* A shard's counters as of a batch, for cfg->observe (netcap export). */
struct shard_live {
    struct nc_flow_stats flow;
    struct nc_stream_stats stream;
    struct nc_defrag_stats defrag;
    uint64_t conn_lost, stream_refused, defrag_refused;
};

struct batch {
    enum batch_state state;
    uint64_t seq;
    uint64_t first_index; /* number of the first packet in the input */
    bool final;           /* end of input: the shards flush instead */
    uint64_t flush_upto;  /* ...the connections that began before this packet */
    size_t n;
    struct nc_src_pkt *pkts;
    struct nc_dbuf data;
    const uint8_t *base; /* packet bytes: base[pkts[i].off] */
    int64_t *now;        /* capture time reached at each packet (running max) */
    int64_t end_now;
    struct nc_flow_pkt *flows;
    uint32_t *pos;                       /* packet positions grouped by shard */
    uint32_t shard_start[NC_SHARDS + 1]; /* shard s: pos[shard_start[s] .. shard_start[s+1]) */
    uint32_t shards_left;
    struct nc_recout out;                  /* DECODE's records */
    struct nc_recout shard_out[NC_SHARDS]; /* each SHARD's records */
    struct nc_dbuf frame[NC_REC_COUNT];
    uint64_t count[NC_REC_COUNT];
    uint64_t lost; /* records refused at a cap */
    struct nc_decode_stats stats;
    int err;                 /* host error in a task (out of memory) */
    struct shard_live *live; /* [NC_SHARDS] when cfg->observe */
};

struct worker {
    pthread_t thread;
    struct pipeline *pl;
    double cpu; /* seconds of CPU this thread used (RUSAGE_THREAD) */
    struct nc_arena arena;
    struct nc_compressor comp;
    struct nc_dbuf scratch; /* merge output */
    bool started;
};

struct out_file {
    struct nc_writer w;
    bool open;
};

/* A SHARD task ready to run. */
struct task {
    struct batch *b;
    uint32_t shard;
};

struct pipeline {
    const struct nc_pipeline_cfg *cfg;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a task became ready, or shutdown */
    pthread_cond_t done_cv; /* a batch became DONE */
    bool shutdown;
    size_t ring_n;
    struct batch *ring;
    uint64_t next_decode; /* next seq a worker decodes */
    uint64_t next_merge;  /* merges are taken in order (no reason not to) */
    struct task *ready;   /* FIFO of SHARD tasks: ring_n * NC_SHARDS slots */
    size_t ready_head, ready_n, ready_cap;
    uint64_t shard_next[NC_SHARDS]; /* next batch seq each shard runs */
    struct nc_shard *shards;
    struct nc_shard_cfg shard_cfg;
    struct worker *workers;
    /* committer */
    struct nc_compressor seq_comp;
    struct nc_recout hdr; /* CSV header rows */
    struct out_file files[NC_REC_COUNT];
    struct nc_run_stats *st;
    struct nc_run_stats *snap; /* cfg->observe: st plus the shards' live counters */
    char *errbuf;
};

/* What a file starts with: a Header record (proto), the column names
 * (csv), nothing (json). */
static int encode_file_header(struct pipeline *pl, enum nc_rec_type t, struct nc_dbuf *b)
{
    const struct nc_pipeline_cfg *cfg = pl->cfg;
    const struct nc_rec_info *ri = nc_rec_info(t);
    if (cfg->format == NC_FORMAT_CSV) {
        return nc_recout_csv_header(&pl->hdr, t, b);
    }
    if (cfg->format == NC_FORMAT_JSON) {
        return NC_OK;
    }
    Netcap__Header h;
    protobuf_c_message_init(&netcap__header__descriptor, &h);
    h.created = cfg->created_ns;
    h.input_source = (char *)(uintptr_t)(cfg->source_name ? cfg->source_name : "");
    h.type = (Netcap__Type)ri->number;
    h.type_name = (char *)(uintptr_t)ri->name;
    h.version = (char *)(uintptr_t)nc_version();
    h.options = (char *)(uintptr_t)(cfg->options ? cfg->options : "");
    h.schema_version = NC_SCHEMA_VERSION;
    return nc_encode_delimited(b, &h.base);
}

/* Batches in flight: enough that every worker finds a task while the
 * committer writes; the output does not depend on it. */
static size_t ring_size(unsigned workers)
{
    return (size_t)workers + 3;
}

size_t nc_pipeline_fixed_bytes(unsigned workers)
{
    /* per batch in flight: packet data (BATCH_BYTES plus a read chunk),
     * the encoded records and their frames; per worker: its arena and
     * merge buffer; plus slack for compressor contexts and the shards'
     * scratch arenas */
    return ring_size(workers) * (size_t)BATCH_MEM + workers * (size_t)(1 << 20) +
           (size_t)(16 << 20) + (size_t)NC_SHARDS * 2 * (64 << 10);
}

/* ----------------------------------------------------------- output files */

void nc_output_name(
        char *out, size_t n, const char *type_name, enum nc_format f, enum nc_compress c)
{
    const char *ext = f == NC_FORMAT_CSV ? ".csv" : f == NC_FORMAT_JSON ? ".json" : ".ncap";
    snprintf(out, n, "%s%s%s", type_name, ext, nc_compress_suffix(c));
}

static int write_frame_to(struct pipeline *pl, enum nc_rec_type t, const uint8_t *p, size_t n)
{
    const struct nc_pipeline_cfg *cfg = pl->cfg;
    struct out_file *of = &pl->files[t];
    if (!of->open) {
        const struct nc_rec_info *ri = nc_rec_info(t);
        char name[256], path[4096];
        nc_output_name(name, sizeof(name), ri->name, cfg->format, cfg->compress);
        snprintf(path, sizeof(path), "%s/%s", cfg->out_dir, name);
        of->w.ops = cfg->sink;
        int rc = of->w.ops->open(&of->w, path, pl->errbuf);
        if (rc != NC_OK) {
            return rc;
        }
        of->open = true;
        /* the file header, as its own frame */
        struct nc_dbuf hb, hf;
        nc_dbuf_init(&hb, 1 << 20);
        nc_dbuf_init(&hf, 1 << 20);
        rc = encode_file_header(pl, t, &hb);
        if (rc == NC_OK && hb.len) {
            rc = nc_compress_frame(&pl->seq_comp, hb.p, hb.len, &hf);
        }
        if (rc == NC_OK && hf.len) {
            rc = of->w.ops->write(&of->w, hf.p, hf.len);
        }
        nc_dbuf_fini(&hb);
        nc_dbuf_fini(&hf);
        if (rc != NC_OK) {
            snprintf(pl->errbuf, NC_ERRBUF_SIZE, "cannot write %s: %s", path, nc_strerror(rc));
            return rc;
        }
    }
    int rc = of->w.ops->write(&of->w, p, n);
    if (rc != NC_OK) {
        snprintf(pl->errbuf, NC_ERRBUF_SIZE, "cannot write %s records: %s (disk full?)",
                nc_rec_info(t)->name, nc_strerror(rc));
    }
    return rc;
}

/* Header-only files for the types asked for by name (-include) that have
 * no records, so that read_csv("DNS.csv") or dump finds the file it was
 * promised. Depends on the flags only, so every -workers writes the same. */
static int write_empty_files(struct pipeline *pl)
{
    const struct nc_pipeline_cfg *cfg = pl->cfg;
    if (!cfg->always) {
        return NC_OK;
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        if (!cfg->always[t] || pl->files[t].open) {
            continue;
        }
        int rc = write_frame_to(pl, (enum nc_rec_type)t, NULL, 0);
        if (rc == NC_OK && pl->files[t].w.bytes == 0 && cfg->compress != NC_COMPRESS_NONE) {
            /* JSON has no header: one empty frame keeps the .zst/.gz valid */
            struct nc_dbuf f;
            nc_dbuf_init(&f, 1 << 16);
            rc = nc_compress_frame(&pl->seq_comp, (const uint8_t *)"", 0, &f);
            if (rc == NC_OK) {
                rc = write_frame_to(pl, (enum nc_rec_type)t, f.p, f.len);
            }
            nc_dbuf_fini(&f);
        }
        if (rc != NC_OK) {
            return rc;
        }
    }
    return NC_OK;
}

static int close_files(struct pipeline *pl, bool ok)
{
    int result = NC_OK;
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        struct out_file *of = &pl->files[t];
        if (!of->open) {
            continue;
        }
        of->open = false;
        if (ok && result == NC_OK) {
            int rc = of->w.ops->close(&of->w, pl->errbuf);
            if (rc != NC_OK) {
                result = rc;
            } else {
                pl->st->written[t] = true;
            }
        } else {
            of->w.ops->abort(&of->w);
        }
    }
    return result;
}

/* ------------------------------------------------------------------ tasks */

/* DECODE: every packet, statelessly; then group positions by shard. */
static void task_decode(struct worker *w, struct batch *b)
{
    const struct nc_pipeline_cfg *cfg = w->pl->cfg;
    memset(&b->stats, 0, sizeof(b->stats));
    nc_recout_reset(&b->out);
    b->err = NC_OK;
    uint32_t counts[NC_SHARDS + 1];
    memset(counts, 0, sizeof(counts));
    struct nc_pkt pkt;
    for (size_t i = 0; i < b->n; i++) {
        const struct nc_src_pkt *bp = &b->pkts[i];
        memset(&pkt, 0, offsetof(struct nc_pkt, rec_type));
        pkt.ts = bp->ts;
        pkt.caplen = bp->caplen;
        pkt.wirelen = bp->wirelen;
        pkt.dlt = bp->dlt;
        pkt.data = b->base + bp->off;
        pkt.arena = &w->arena;
        pkt.opts = cfg->opts;
        pkt.stats = &b->stats;
        nc_decode_packet(&pkt);
        struct nc_flow_pkt *fp = &b->flows[i];
        nc_flow_pkt_from_ctx(fp, &pkt);
        fp->shard = fp->valid ? nc_flow_shard(fp, NC_SHARDS) : NC_SHARDS;
        counts[fp->shard]++;
        /* a tunnelled packet also counts in its carrier's connection */
        struct nc_flow_pkt *cp = &b->flows[BATCH_PKTS + i];
        cp->shard = nc_flow_pkt_from_carrier(cp, &pkt) ? nc_flow_shard(cp, NC_SHARDS) : NC_SHARDS;
        counts[cp->shard]++;
        for (size_t r = 0; r < pkt.n_recs; r++) {
            if (nc_recout_add(&b->out, pkt.rec_type[r], b->first_index + i, pkt.recs[r]) != NC_OK) {
                b->stats.encode_limit++; /* buffer cap or memory cap: lost, and counted */
            }
        }
        nc_arena_reset(&w->arena);
    }
    /* counting sort: each shard's packets, in input order */
    uint32_t at = 0;
    for (size_t s = 0; s < NC_SHARDS; s++) {
        b->shard_start[s] = at;
        at += counts[s];
    }
    b->shard_start[NC_SHARDS] = at;
    uint32_t fill[NC_SHARDS];
    memcpy(fill, b->shard_start, sizeof(fill));
    for (size_t i = 0; i < b->n; i++) {
        uint32_t s = b->flows[i].shard;
        if (s < NC_SHARDS) {
            b->pos[fill[s]++] = (uint32_t)i;
        }
        s = b->flows[BATCH_PKTS + i].shard;
        if (s < NC_SHARDS) {
            b->pos[fill[s]++] = (uint32_t)(BATCH_PKTS + i);
        }
    }
}

/* The shard's counters as of this batch (the worker owns the shard now). */
static void shard_snapshot(struct batch *b, const struct nc_shard *sh, uint32_t s)
{
    struct shard_live *l = &b->live[s];
    if (sh->flows) {
        l->flow = *nc_flow_table_stats(sh->flows);
    }
    l->stream = sh->sstats;
    l->defrag = sh->dstats;
    l->conn_lost = sh->conn_lost;
    l->stream_refused = sh->stream_budget.refused;
    l->defrag_refused = sh->defrag_budget.refused;
}

static void task_shard(struct pipeline *pl, struct batch *b, uint32_t s)
{
    struct nc_recout *out = &b->shard_out[s];
    nc_recout_reset(out);
    struct nc_shard *sh = &pl->shards[s];
    if (b->final) {
        nc_shard_flush(sh, out, b->first_index ? b->first_index - 1 : 0, b->flush_upto);
    } else {
        uint32_t lo = b->shard_start[s], hi = b->shard_start[s + 1];
        uint64_t last = b->first_index + (b->n ? b->n - 1 : 0);
        nc_shard_run(sh, out, b->flows, BATCH_PKTS, b->pos + lo, hi - lo, b->now, b->first_index,
                b->end_now, last);
    }
    if (b->live) {
        shard_snapshot(b, sh, s);
    }
}

/* One source of records for a type during the merge. */
struct src {
    const struct nc_recout_list *l;
    size_t i;
};

/* Records of type t from every collector of b, in packet order, into out
 * (task_merge compresses a sole collector's buffer without this copy). */
static int merge_type(struct batch *b, enum nc_rec_type t, struct nc_dbuf *out, uint64_t *count)
{
    struct src srcs[NC_SHARDS + 1];
    size_t n_src = 0;
    if (b->out.list[t].n) {
        srcs[n_src++] = (struct src){ &b->out.list[t], 0 };
    }
    for (size_t s = 0; s < NC_SHARDS; s++) {
        if (b->shard_out[s].list[t].n) {
            srcs[n_src++] = (struct src){ &b->shard_out[s].list[t], 0 };
        }
    }
    for (;;) {
        size_t best = SIZE_MAX;
        uint64_t best_idx = UINT64_MAX;
        for (size_t k = 0; k < n_src; k++) {
            if (srcs[k].i < srcs[k].l->n && srcs[k].l->tags[srcs[k].i].index < best_idx) {
                best_idx = srcs[k].l->tags[srcs[k].i].index;
                best = k;
            }
        }
        if (best == SIZE_MAX) {
            return NC_OK;
        }
        /* take the whole run of this source up to the next source's head */
        struct src *sr = &srcs[best];
        uint64_t limit = UINT64_MAX;
        for (size_t k = 0; k < n_src; k++) {
            if (k != best && srcs[k].i < srcs[k].l->n) {
                uint64_t h = srcs[k].l->tags[srcs[k].i].index;
                /* ties go to the earlier source */
                uint64_t lim = k < best ? h : h + 1;
                limit = lim < limit ? lim : limit;
            }
        }
        size_t j = sr->i;
        while (j < sr->l->n && sr->l->tags[j].index < limit) {
            j++;
        }
        size_t from = sr->i ? sr->l->tags[sr->i - 1].end : 0;
        size_t to = sr->l->tags[j - 1].end;
        int rc = nc_dbuf_append(out, sr->l->buf.p + from, to - from);
        if (rc != NC_OK) {
            return rc;
        }
        *count += j - sr->i;
        sr->i = j;
    }
}

/* The only collector of b holding records of type t, or NULL if none or
 * several do (then they must be merged). *n_src gets how many. */
static const struct nc_recout_list *sole_source(struct batch *b, enum nc_rec_type t, size_t *n_src)
{
    const struct nc_recout_list *one = NULL;
    size_t n = 0;
    if (b->out.list[t].n) {
        one = &b->out.list[t];
        n++;
    }
    for (size_t s = 0; s < NC_SHARDS && n < 2; s++) {
        if (b->shard_out[s].list[t].n) {
            one = &b->shard_out[s].list[t];
            n++;
        }
    }
    *n_src = n;
    return n == 1 ? one : NULL;
}

static void task_merge(struct worker *w, struct batch *b)
{
    const struct nc_pipeline_cfg *cfg = w->pl->cfg;
    b->lost = b->out.lost;
    for (size_t s = 0; s < NC_SHARDS; s++) {
        b->lost += b->shard_out[s].lost;
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_reset(&b->frame[t]);
        b->count[t] = 0;
        size_t n_src;
        const struct nc_recout_list *one = sole_source(b, (enum nc_rec_type)t, &n_src);
        if (n_src == 0) {
            continue;
        }
        const uint8_t *p;
        size_t len;
        int rc = NC_OK;
        if (one) {
            /* the common case (packet-level types, Connection from one
             * shard): no copy, compress straight from the collector */
            p = one->buf.p;
            len = one->buf.len;
            b->count[t] = one->n;
        } else {
            nc_dbuf_reset(&w->scratch);
            rc = merge_type(b, (enum nc_rec_type)t, &w->scratch, &b->count[t]);
            p = w->scratch.p;
            len = w->scratch.len;
        }
        if (rc == NC_OK && len) {
            if (cfg->compress == NC_COMPRESS_NONE) {
                rc = nc_dbuf_append(&b->frame[t], p, len);
            } else {
                rc = nc_compress_frame(&w->comp, p, len, &b->frame[t]);
            }
        }
        if (rc != NC_OK) {
            b->err = rc;
            return;
        }
    }
}

/* CPU time of the calling thread, for the serial fraction in the summary. */
static double thread_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0) {
        return 0;
    }
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* -------------------------------------------------------------- scheduling */

static void push_ready(struct pipeline *pl, struct batch *b, uint32_t s)
{
    size_t slot = (pl->ready_head + pl->ready_n) % pl->ready_cap;
    pl->ready[slot] = (struct task){ b, s };
    pl->ready_n++;
}

static struct batch *batch_of_seq(struct pipeline *pl, uint64_t seq)
{
    struct batch *b = &pl->ring[seq % pl->ring_n];
    return b->seq == seq && b->state != B_FREE ? b : NULL;
}

/* DECODE(b) finished (mutex held): the shards whose previous batch is done
 * can run b now. */
static void decoded(struct pipeline *pl, struct batch *b)
{
    b->state = B_STATEFUL;
    b->shards_left = NC_SHARDS;
    for (uint32_t s = 0; s < NC_SHARDS; s++) {
        if (pl->shard_next[s] == b->seq) {
            push_ready(pl, b, s);
        }
    }
}

/* SHARD(b, s) finished (mutex held). */
static void shard_done(struct pipeline *pl, struct batch *b, uint32_t s)
{
    pl->shard_next[s] = b->seq + 1;
    struct batch *nb = batch_of_seq(pl, b->seq + 1);
    if (nb && nb->state == B_STATEFUL) {
        push_ready(pl, nb, s);
    }
    b->shards_left--;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pipeline *pl = w->pl;
    /* netcap export: this worker's slot for the per-record extractors */
    nc_mx_current = nc_mx_records_slot(pl->cfg->metrics, (unsigned)(w - pl->workers));
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        if (pl->shutdown) {
            break;
        }
        /* oldest work first, so batches leave the ring soon */
        struct batch *m = batch_of_seq(pl, pl->next_merge);
        if (m && m->state == B_STATEFUL && m->shards_left == 0) {
            m->state = B_MERGING;
            pl->next_merge++;
            pthread_mutex_unlock(&pl->mu);
            task_merge(w, m);
            pthread_mutex_lock(&pl->mu);
            m->state = B_DONE;
            pthread_cond_broadcast(&pl->done_cv);
            pthread_cond_broadcast(&pl->work_cv);
            continue;
        }
        if (pl->ready_n) {
            struct task t = pl->ready[pl->ready_head];
            pl->ready_head = (pl->ready_head + 1) % pl->ready_cap;
            pl->ready_n--;
            pthread_mutex_unlock(&pl->mu);
            task_shard(pl, t.b, t.shard);
            pthread_mutex_lock(&pl->mu);
            shard_done(pl, t.b, t.shard);
            pthread_cond_broadcast(&pl->work_cv);
            continue;
        }
        struct batch *d = batch_of_seq(pl, pl->next_decode);
        if (d && d->state == B_READY) {
            d->state = B_DECODING;
            pl->next_decode++;
            pthread_mutex_unlock(&pl->mu);
            if (!d->final) {
                task_decode(w, d);
            } else {
                nc_recout_reset(&d->out);
                memset(&d->stats, 0, sizeof(d->stats));
                d->err = NC_OK;
            }
            pthread_mutex_lock(&pl->mu);
            decoded(pl, d);
            pthread_cond_broadcast(&pl->work_cv);
            continue;
        }
        pthread_cond_wait(&pl->work_cv, &pl->mu);
    }
    pthread_mutex_unlock(&pl->mu);
    nc_mx_current = NULL;
    w->cpu = thread_cpu();
    return NULL;
}

/* -------------------------------------------------------------- committer */

/* cfg->observe: the totals so far and the shards' counters as of b. */
static void observe_batch(struct pipeline *pl, const struct batch *b)
{
    struct nc_run_stats *sn = pl->snap;
    *sn = *pl->st;
    for (size_t s = 0; s < NC_SHARDS; s++) {
        const struct shard_live *l = &b->live[s];
        sn->flow.created += l->flow.created;
        sn->flow.written += l->flow.written;
        sn->flow.closed += l->flow.closed;
        sn->flow.timeouts += l->flow.timeouts;
        sn->flow.evicted += l->flow.evicted;
        sn->flow.peak += l->flow.peak;
        nc_stream_stats_add(&sn->stream, &l->stream);
        nc_counters_add((uint64_t *)(void *)&sn->defrag, (const uint64_t *)(const void *)&l->defrag,
                sizeof(l->defrag) / sizeof(uint64_t));
        sn->conn_dropped += l->conn_lost;
        sn->stream_budget_refused += l->stream_refused;
        sn->defrag_budget_refused += l->defrag_refused;
    }
    pl->cfg->observe(pl->cfg->observe_ctx, sn, false);
}

static int commit_batch(struct pipeline *pl, struct batch *b)
{
    if (b->err != NC_OK) {
        snprintf(pl->errbuf, NC_ERRBUF_SIZE, "worker: %s", nc_strerror(b->err));
        return b->err;
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        if (b->frame[t].len == 0) {
            continue;
        }
        int rc = write_frame_to(pl, (enum nc_rec_type)t, b->frame[t].p, b->frame[t].len);
        if (rc != NC_OK) {
            return rc;
        }
        pl->st->records[t] += b->count[t];
    }
    pl->st->lost += b->lost;
    nc_decode_stats_add(&pl->st->dec, &b->stats);
    if (b->live) {
        observe_batch(pl, b);
    }
    if (pl->cfg->live) {
        for (size_t t = 0; t < NC_REC_COUNT; t++) {
            struct out_file *of = &pl->files[t];
            if (of->open && of->w.ops->flush) {
                (void)of->w.ops->flush(&of->w);
            }
        }
    }
    return NC_OK;
}

/* ------------------------------------------------------------------ setup */

static void batch_fini(struct batch *b)
{
    nc_free(b->pkts);
    nc_free(b->flows);
    nc_free(b->now);
    nc_free(b->pos);
    nc_dbuf_fini(&b->data);
    nc_recout_fini(&b->out);
    for (size_t s = 0; s < NC_SHARDS; s++) {
        nc_recout_fini(&b->shard_out[s]);
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_fini(&b->frame[t]);
    }
    nc_free(b->live);
}

static int batch_init(struct batch *b, enum nc_format f, bool live)
{
    memset(b, 0, sizeof(*b));
    nc_dbuf_init(&b->data, DATA_CAP);
    nc_recout_init(&b->out, f, OUT_CAP);
    for (size_t s = 0; s < NC_SHARDS; s++) {
        nc_recout_init(&b->shard_out[s], f, OUT_CAP);
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_init(&b->frame[t], OUT_CAP);
    }
    b->pkts = nc_calloc(BATCH_PKTS, sizeof(*b->pkts));
    /* [i]: packet i's flow; [BATCH_PKTS + i]: its tunnel carrier's, if any */
    b->flows = nc_calloc(2 * BATCH_PKTS, sizeof(*b->flows));
    b->now = nc_calloc(BATCH_PKTS, sizeof(*b->now));
    b->pos = nc_calloc(2 * BATCH_PKTS, sizeof(*b->pos));
    b->live = live ? nc_calloc(NC_SHARDS, sizeof(*b->live)) : NULL;
    if (!b->pkts || !b->flows || !b->now || !b->pos || (live && !b->live)) {
        return NC_ENOMEM;
    }
    return NC_OK;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_line(struct pipeline *pl, struct nc_source *src, double t0, bool final)
{
    uint64_t pos, size;
    nc_source_progress(src, &pos, &size);
    double dt = now_sec() - t0;
    double rate = dt > 0 ? (double)pl->st->packets / dt : 0;
    if (size) {
        fprintf(stderr, "\r  %llu packets  %.0f packets/s  %.1f%% of the file  ",
                (unsigned long long)pl->st->packets, rate, 100.0 * (double)pos / (double)size);
    } else {
        fprintf(stderr, "\r  %llu packets  %.0f packets/s  ", (unsigned long long)pl->st->packets,
                rate);
    }
    if (final) {
        fprintf(stderr, "\r%*s\r", 70, "");
    }
}

/* Fill b from the source; capture time reached at each packet is the
 * running maximum of the timestamps so far (*clock carries it over).
 * Returns the source's status. */
static int fill_batch(struct pipeline *pl, struct batch *b, struct nc_source *src,
        volatile sig_atomic_t *stop, int64_t *clock)
{
    struct nc_src_batch sb = { &b->data, NULL, b->pkts, 0, BATCH_PKTS, BATCH_BYTES };
    int rc = nc_source_fill(src, &sb, stop);
    b->n = sb.n;
    b->base = sb.base;
    int64_t c = *clock;
    for (size_t i = 0; i < b->n; i++) {
        pl->st->bytes += b->pkts[i].wirelen;
        if (b->pkts[i].ts > c) {
            c = b->pkts[i].ts;
        }
        b->now[i] = c;
    }
    *clock = c;
    b->end_now = c;
    pl->st->packets += b->n;
    return rc;
}

/* Commit the oldest batch in flight (waiting for it if asked to); false
 * when it is not done yet and wait is false. *rc gets the result. */
static bool commit_oldest(struct pipeline *pl, uint64_t *commit, bool wait, int *rc)
{
    struct batch *c = &pl->ring[*commit % pl->ring_n];
    pthread_mutex_lock(&pl->mu);
    while (wait && c->state != B_DONE) {
        pthread_cond_wait(&pl->done_cv, &pl->mu);
    }
    bool done = c->state == B_DONE;
    pthread_mutex_unlock(&pl->mu);
    if (!done) {
        return false;
    }
    *rc = commit_batch(pl, c);
    pthread_mutex_lock(&pl->mu);
    c->state = B_FREE;
    pthread_mutex_unlock(&pl->mu);
    (*commit)++;
    return true;
}

static void submit(struct pipeline *pl, struct batch *b, uint64_t seq, uint64_t index)
{
    pthread_mutex_lock(&pl->mu);
    b->seq = seq;
    b->first_index = index;
    b->state = B_READY;
    pthread_cond_broadcast(&pl->work_cv);
    pthread_mutex_unlock(&pl->mu);
}

static void sum_shard_stats(struct pipeline *pl)
{
    struct nc_run_stats *st = pl->st;
    for (size_t s = 0; s < NC_SHARDS; s++) {
        struct nc_shard *sh = &pl->shards[s];
        if (sh->flows) {
            const struct nc_flow_stats *fs = nc_flow_table_stats(sh->flows);
            st->flow.created += fs->created;
            st->flow.written += fs->written;
            st->flow.closed += fs->closed;
            st->flow.timeouts += fs->timeouts;
            st->flow.evicted += fs->evicted;
            st->flow.peak += fs->peak;
        }
        nc_decode_stats_add(&st->dec, &sh->dec);
        nc_stream_stats_add(&st->stream, &sh->sstats);
        nc_counters_add((uint64_t *)(void *)&st->defrag,
                (const uint64_t *)(const void *)&sh->dstats, sizeof(sh->dstats) / sizeof(uint64_t));
        st->conn_dropped += sh->conn_lost;
        st->stream_budget_refused += sh->stream_budget.refused;
        st->defrag_budget_refused += sh->defrag_budget.refused;
        if (sh->stream_budget.peak > st->stream_peak) {
            st->stream_peak = sh->stream_budget.peak;
        }
    }
}

int nc_pipeline_run(const struct nc_pipeline_cfg *cfg, struct nc_source *src,
        volatile sig_atomic_t *stop, struct nc_run_stats *st, char errbuf[NC_ERRBUF_SIZE])
{
    struct pipeline pl;
    memset(&pl, 0, sizeof(pl));
    memset(st, 0, sizeof(*st));
    pl.cfg = cfg;
    pl.st = st;
    pl.errbuf = errbuf;
    nc_recout_init(&pl.hdr, cfg->format, 1 << 20);
    unsigned nw = cfg->workers < 1 ? 1 : cfg->workers > MAX_WORKERS ? MAX_WORKERS : cfg->workers;
    pl.ring_n = ring_size(nw);
    int rc = NC_OK;
    double t0 = now_sec(), last_progress = t0;
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.work_cv, NULL);
    pthread_cond_init(&pl.done_cv, NULL);

    pl.shard_cfg.opts = cfg->opts;
    pl.shard_cfg.want_conn = cfg->want_conn;
    pl.shard_cfg.want_features = cfg->want_features;
    pl.shard_cfg.feat = cfg->feat;
    pl.shard_cfg.max_flows = (cfg->max_flows + NC_SHARDS - 1) / NC_SHARDS;
    pl.shard_cfg.conn_timeout_ns = cfg->conn_timeout_ns;
    pl.shard_cfg.stream_budget = cfg->stream_memcap / NC_SHARDS;
    pl.shard_cfg.reasm.depth = cfg->stream_depth;
    pl.shard_cfg.reasm.conn_buf = cfg->stream_buffer;
    pl.shard_cfg.defrag.max_datagrams = NC_DEFRAG_DATAGRAMS / NC_SHARDS;
    pl.shard_cfg.defrag.max_frags = NC_DEFRAG_FRAGS;
    pl.shard_cfg.defrag.timeout_ns = NC_DEFRAG_TIMEOUT_NS;
    pl.shard_cfg.defrag_budget = cfg->defrag_memcap / NC_SHARDS;

    pl.ring = nc_calloc(pl.ring_n, sizeof(*pl.ring));
    pl.workers = nc_calloc(nw, sizeof(*pl.workers));
    pl.shards = nc_calloc(NC_SHARDS, sizeof(*pl.shards));
    pl.ready_cap = pl.ring_n * NC_SHARDS;
    pl.ready = nc_calloc(pl.ready_cap, sizeof(*pl.ready));
    pl.snap = cfg->observe ? nc_calloc(1, sizeof(*pl.snap)) : NULL;
    if (!pl.ring || !pl.workers || !pl.shards || !pl.ready || (cfg->observe && !pl.snap) ||
            nc_compressor_init(&pl.seq_comp, cfg->compress, cfg->level) != NC_OK) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory setting up %u workers", nw);
        rc = NC_ENOMEM;
        goto out;
    }
    for (uint32_t s = 0; s < NC_SHARDS; s++) {
        if (nc_shard_init(&pl.shards[s], s, &pl.shard_cfg) != NC_OK) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory for the connection tables");
            rc = NC_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < pl.ring_n; i++) {
        if (batch_init(&pl.ring[i], cfg->format, cfg->observe != NULL) != NC_OK) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory for packet batches");
            rc = NC_ENOMEM;
            goto out;
        }
    }
    /* SIGINT and SIGTERM go to this (reading) thread only: a read() blocked
     * on a pipe then returns EINTR and the stop is seen at once */
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old_mask);
    for (unsigned i = 0; i < nw; i++) {
        struct worker *w = &pl.workers[i];
        w->pl = &pl;
        nc_arena_init(&w->arena, ARENA_CAP);
        nc_dbuf_init(&w->scratch, OUT_CAP);
        if (nc_compressor_init(&w->comp, cfg->compress, cfg->level) != NC_OK ||
                pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "cannot start worker %u", i);
            rc = NC_ENOMEM;
            pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
            goto out;
        }
        w->started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

    uint64_t seq = 0, commit = 0, index = 0;
    int64_t clock = INT64_MIN;
    bool eof = false, read_err = false;
    while (!eof) {
        struct batch *b = &pl.ring[seq % pl.ring_n];
        while (seq - commit >= pl.ring_n) {
            commit_oldest(&pl, &commit, true, &rc);
            if (rc != NC_OK) {
                goto out;
            }
        }
        int src_rc = fill_batch(&pl, b, src, stop, &clock);
        if (cfg->observe && cfg->live) {
            st->drops = nc_source_drops(src); /* shown by the next observe_batch */
        }
        if (src_rc == NC_SRC_ERROR) {
            /* the packets before the error are processed; then the run fails */
            read_err = true;
            eof = true;
        }
        if (src_rc == NC_SRC_TRUNCATED) {
            st->truncated_file = 1;
        }
        if (src_rc == NC_SRC_EOF || src_rc == NC_SRC_TRUNCATED) {
            eof = true;
        } else if (!eof && stop && *stop) {
            /* a signal ended the input early: the packets read so far are
             * processed to the end and the files completed, as at EOF */
            st->interrupted = 1;
            eof = true;
        }
        if (b->n > 0) {
            b->final = false;
            submit(&pl, b, seq, index);
            index += b->n;
            seq++;
        }
        /* commit whatever is finished without waiting */
        while (commit < seq && commit_oldest(&pl, &commit, false, &rc)) {
            if (rc != NC_OK) {
                goto out;
            }
        }
        if (cfg->progress) {
            double t = now_sec();
            if (t - last_progress >= 0.5) {
                progress_line(&pl, src, t0, false);
                last_progress = t;
            }
        }
    }
    /* End of input: batches without packets in which the shards write
     * what they still hold, in rounds of FLUSH_SPAN packet numbers (at most
     * that many connections began in a span), so memory stays bounded. The
     * first round only gives up incomplete datagrams. Between rounds every
     * task is done, so this thread may read the shards. */
    uint64_t upto = 0;
    for (;;) {
        while (commit < seq) {
            commit_oldest(&pl, &commit, true, &rc);
            if (rc != NC_OK) {
                goto out;
            }
        }
        struct batch *b = &pl.ring[seq % pl.ring_n];
        b->n = 0;
        b->final = true;
        b->flush_upto = upto;
        submit(&pl, b, seq, index);
        seq++;
        if (upto == UINT64_MAX) {
            break;
        }
        while (commit < seq) {
            commit_oldest(&pl, &commit, true, &rc);
            if (rc != NC_OK) {
                goto out;
            }
        }
        uint64_t next = UINT64_MAX;
        for (size_t s = 0; s < NC_SHARDS; s++) {
            uint64_t f = nc_shard_next_flush(&pl.shards[s]);
            next = f < next ? f : next;
        }
        upto = next >= UINT64_MAX - FLUSH_SPAN ? UINT64_MAX : next + FLUSH_SPAN;
        if (next == UINT64_MAX) {
            break;
        }
    }
    while (commit < seq) {
        commit_oldest(&pl, &commit, true, &rc);
        if (rc != NC_OK) {
            goto out;
        }
    }
    rc = write_empty_files(&pl);
    if (rc != NC_OK) {
        goto out;
    }
    if (read_err) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s", nc_source_error(src));
        st->read_error = 1;
    }

out:
    if (cfg->progress) {
        progress_line(&pl, src, t0, true);
    }
    pthread_mutex_lock(&pl.mu);
    pl.shutdown = true;
    pthread_cond_broadcast(&pl.work_cv);
    pthread_mutex_unlock(&pl.mu);
    if (pl.workers) {
        for (unsigned i = 0; i < nw; i++) {
            struct worker *w = &pl.workers[i];
            if (w->started) {
                pthread_join(w->thread, NULL);
                st->cpu_workers += w->cpu;
            }
            nc_arena_fini(&w->arena);
            nc_dbuf_fini(&w->scratch);
            nc_compressor_fini(&w->comp);
        }
    }
    int crc = close_files(&pl, rc == NC_OK);
    if (rc == NC_OK) {
        rc = crc;
    }
    if (pl.shards) {
        sum_shard_stats(&pl);
        for (size_t s = 0; s < NC_SHARDS; s++) {
            nc_shard_fini(&pl.shards[s]);
        }
    }
    if (pl.ring) {
        for (size_t i = 0; i < pl.ring_n; i++) {
            batch_fini(&pl.ring[i]);
        }
    }
    nc_free(pl.ring);
    nc_free(pl.workers);
    nc_free(pl.shards);
    nc_free(pl.ready);
    nc_free(pl.snap);
    nc_compressor_fini(&pl.seq_comp);
    nc_recout_fini(&pl.hdr);
    pthread_mutex_destroy(&pl.mu);
    pthread_cond_destroy(&pl.work_cv);
    pthread_cond_destroy(&pl.done_cv);
    nc_source_position(src, &st->input_packets, &st->input_offset);
    st->drops = nc_source_drops(src);
    st->filtered = nc_source_filtered(src);
    st->seconds = now_sec() - t0;
    st->cpu_main = thread_cpu();
    if (cfg->observe) {
        cfg->observe(cfg->observe_ctx, st, true);
    }
    return rc;
}
