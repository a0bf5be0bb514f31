/*
 * summary: the capture pipeline (see pipeline.h for the design).
 *
 * Threads: the caller reads packets into batches and commits finished
 * batches in order; N workers decode, encode and compress batches. The
 * only shared state is the ring of batches, guarded by one mutex; each
 * batch is owned by exactly one thread at a time (its state says which).
 */
#include "pipeline/pipeline.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/dbuf.h"
#include "core/mem.h"
#include "core/version.h"
#include "record/encode.h"
#include "record/reflect.h"

enum {
    BATCH_PKTS = 4096,     /* packets per batch: fixed, so output is deterministic */
    BATCH_BYTES = 8 << 20, /* ...or fewer when their bytes reach this */
    DATA_CAP = 64 << 20,   /* batch buffer: BATCH_BYTES + read chunk + largest block */
    ARENA_CAP = 4 << 20,   /* per-packet record memory; a packet needs a few KiB */
    OUT_CAP = 1u << 30,    /* per-type encoded bytes in one batch */
    CONN_CHUNK = 2048,     /* connections per Connection frame (cut deterministically) */
    MAX_WORKERS = 64,
};

enum batch_state {
    B_FREE = 0,
    B_READY, /* filled, waiting for a worker */
    B_BUSY,  /* a worker is decoding it */
    B_DONE,  /* decoded, waiting for the sequencer */
};

struct batch {
    enum batch_state state;
    uint64_t seq;
    uint64_t first_index; /* number of the first packet in the input */
    size_t n;
    struct nc_src_pkt *pkts;
    struct nc_dbuf data;
    const uint8_t *base; /* packet bytes: base[pkts[i].off] */
    /* finished connections handed to this batch's worker to encode, in
     * chunks; each chunk becomes one frame of the Connection file */
    struct nc_flow_conn *conns;
    size_t n_conns, cap_conns;
    size_t *chunk_end;
    size_t n_chunks, cap_chunks;
    struct nc_dbuf conn_frames;
    uint64_t conn_count;
    struct nc_flow_pkt *flows;
    struct nc_dbuf enc[NC_REC_COUNT];
    struct nc_dbuf frame[NC_REC_COUNT];
    uint64_t count[NC_REC_COUNT];
    struct nc_decode_stats stats; /* this batch's counters, summed by the sequencer */
    int err;                      /* host error in the worker (out of memory) */
};

/* Turns records into bytes in the chosen -format; one per thread, because
 * the text renderers keep scratch buffers. */
struct encoder {
    enum nc_format format;
    struct nc_refl refl[NC_REC_COUNT]; /* csv/json: set up on first use */
    bool refl_ready[NC_REC_COUNT];
};

struct worker {
    pthread_t thread;
    struct pipeline *pl;
    struct nc_arena arena;
    struct nc_compressor comp;
    struct encoder enc;
    bool started;
};

struct out_file {
    struct nc_writer w;
    bool open;
};

struct pipeline {
    const struct nc_pipeline_cfg *cfg;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a batch became READY, or shutdown */
    pthread_cond_t done_cv; /* a batch became DONE */
    bool shutdown;
    size_t ring_n;
    struct batch *ring;
    uint64_t next_take; /* next seq a worker takes */
    struct worker *workers;
    /* sequencer */
    struct nc_flow_table *flows;
    struct nc_compressor seq_comp;
    struct encoder seq_enc;
    /* finished connections not yet handed to a worker; cuts[] are chunk ends */
    struct nc_flow_conn *conns;
    size_t n_conns, cap_conns;
    size_t *cuts;
    size_t n_cuts, cap_cuts;
    int conn_err;
    bool flushing; /* end of input: connections are written as chunks fill */
    struct out_file files[NC_REC_COUNT];
    struct nc_run_stats *st;
    char *errbuf;
};

/* ---------------------------------------------------------------- encoder */

static void encoder_init(struct encoder *e, enum nc_format f)
{
    memset(e, 0, sizeof(*e));
    e->format = f;
}

static void encoder_fini(struct encoder *e)
{
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        if (e->refl_ready[t]) {
            nc_refl_fini(&e->refl[t]);
        }
    }
}

static int encoder_refl(struct encoder *e, enum nc_rec_type t, struct nc_refl **out)
{
    if (!e->refl_ready[t]) {
        int rc = nc_refl_init(&e->refl[t], nc_rec_info(t)->desc, NULL);
        if (rc != NC_OK) {
            nc_refl_fini(&e->refl[t]);
            return rc;
        }
        e->refl_ready[t] = true;
    }
    *out = &e->refl[t];
    return NC_OK;
}

/* Append one record in the output format. On failure the buffer is left
 * as it was (a partial text row is cut off). */
static int encode_record(
        struct encoder *e, enum nc_rec_type t, const ProtobufCMessage *m, struct nc_dbuf *b)
{
    if (e->format == NC_FORMAT_PROTO) {
        return nc_encode_record(b, t, m);
    }
    struct nc_refl *r;
    int rc = encoder_refl(e, t, &r);
    if (rc != NC_OK) {
        return rc;
    }
    size_t before = b->len;
    rc = e->format == NC_FORMAT_CSV ? nc_refl_csv_row(r, m, b) : nc_refl_json(r, m, b);
    if (rc != NC_OK) {
        b->len = before;
    }
    return rc;
}

/* What a file starts with: a Header record (proto), the column names
 * (csv), nothing (json). */
static int encode_file_header(struct pipeline *pl, enum nc_rec_type t, struct nc_dbuf *b)
{
    const struct nc_pipeline_cfg *cfg = pl->cfg;
    const struct nc_rec_info *ri = nc_rec_info(t);
    if (cfg->format == NC_FORMAT_CSV) {
        struct nc_refl *r;
        int rc = encoder_refl(&pl->seq_enc, t, &r);
        return rc == NC_OK ? nc_refl_csv_header(r, b) : rc;
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

size_t nc_pipeline_fixed_bytes(unsigned workers)
{
    /* per batch: packet data (BATCH_BYTES plus a read chunk), the encoded
     * records and their frames; per worker: its arena; plus slack for
     * compressor contexts and the connection chunks */
    size_t ring = 2 * (size_t)workers + 2;
    return ring * (size_t)(16 << 20) + workers * (size_t)ARENA_CAP + (size_t)(16 << 20);
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
            }
        } else {
            of->w.ops->abort(&of->w);
        }
    }
    return result;
}

/* Encode and compress connection chunks into frames (worker or, at the
 * end, the sequencer). scratch is an empty buffer to encode into. */
static int encode_conn_chunks(struct encoder *e, struct nc_compressor *comp,
        const struct nc_flow_conn *conns, const size_t *ends, size_t n_chunks,
        struct nc_dbuf *scratch, struct nc_dbuf *frames, uint64_t *count)
{
    size_t begin = 0;
    for (size_t c = 0; c < n_chunks; c++) {
        nc_dbuf_reset(scratch);
        for (size_t i = begin; i < ends[c]; i++) {
            Netcap__Connection rec;
            struct nc_flow_conn_text txt;
            nc_flow_conn_record(&conns[i], &rec, &txt);
            int rc = encode_record(e, NC_REC_Connection, &rec.base, scratch);
            if (rc != NC_OK) {
                return rc;
            }
            (*count)++;
        }
        begin = ends[c];
        if (scratch->len == 0) {
            continue;
        }
        int rc = nc_compress_frame(comp, scratch->p, scratch->len, frames);
        if (rc != NC_OK) {
            return rc;
        }
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- workers */

static void decode_batch(struct worker *w, struct batch *b)
{
    const struct nc_pipeline_cfg *cfg = w->pl->cfg;
    memset(&b->stats, 0, sizeof(b->stats));
    memset(b->count, 0, sizeof(b->count));
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_reset(&b->enc[t]);
        nc_dbuf_reset(&b->frame[t]);
    }
    b->err = NC_OK;
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
        nc_flow_pkt_from_ctx(&b->flows[i], &pkt);
        for (size_t r = 0; r < pkt.n_recs; r++) {
            enum nc_rec_type t = pkt.rec_type[r];
            int rc = encode_record(&w->enc, t, pkt.recs[r], &b->enc[t]);
            if (rc == NC_OK) {
                b->count[t]++;
            } else {
                /* buffer cap or memory cap: this record is lost, and counted */
                b->stats.encode_limit++;
            }
        }
        nc_arena_reset(&w->arena);
    }
    nc_dbuf_reset(&b->conn_frames);
    b->conn_count = 0;
    if (b->n_chunks) {
        int rc = encode_conn_chunks(&w->enc, &w->comp, b->conns, b->chunk_end, b->n_chunks,
                &b->enc[NC_REC_Connection], &b->conn_frames, &b->conn_count);
        if (rc != NC_OK) {
            b->err = rc;
        }
        nc_dbuf_reset(&b->enc[NC_REC_Connection]);
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        if (b->enc[t].len == 0) {
            continue;
        }
        if (cfg->compress == NC_COMPRESS_NONE) {
            struct nc_dbuf tmp = b->frame[t];
            b->frame[t] = b->enc[t];
            b->enc[t] = tmp;
            continue;
        }
        int rc = nc_compress_frame(&w->comp, b->enc[t].p, b->enc[t].len, &b->frame[t]);
        if (rc != NC_OK) {
            b->err = rc;
        }
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pipeline *pl = w->pl;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        struct batch *b = &pl->ring[pl->next_take % pl->ring_n];
        while (!pl->shutdown && !(b->state == B_READY && b->seq == pl->next_take)) {
            pthread_cond_wait(&pl->work_cv, &pl->mu);
            b = &pl->ring[pl->next_take % pl->ring_n];
        }
        if (pl->shutdown) {
            break;
        }
        b->state = B_BUSY;
        pl->next_take++;
        pthread_mutex_unlock(&pl->mu);
        decode_batch(w, b);
        pthread_mutex_lock(&pl->mu);
        b->state = B_DONE;
        pthread_cond_broadcast(&pl->done_cv);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* -------------------------------------------------------------- sequencer */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return NC_OK;
    }
    size_t n = *cap ? *cap * 2 : 256;
    while (n < need) {
        n *= 2;
    }
    void *q = nc_realloc(*p, n * size);
    if (!q) {
        return NC_ENOMEM;
    }
    *p = q;
    *cap = n;
    return NC_OK;
}

static int drain_conns(struct pipeline *pl);
static int maybe_cut(struct pipeline *pl, bool final);

static void conn_emit(void *ctx, const struct nc_flow_conn *c)
{
    struct pipeline *pl = ctx;
    if (!pl->cfg->want_conn || pl->conn_err != NC_OK) {
        return;
    }
    int rc = grow((void **)&pl->conns, &pl->cap_conns, pl->n_conns + 1, sizeof(*pl->conns));
    if (rc != NC_OK) {
        pl->st->conn_dropped++; /* memory cap: this connection is lost, and counted */
        return;
    }
    pl->conns[pl->n_conns++] = *c;
    if (pl->flushing) {
        /* end of input: write in chunks as they fill (same cut points as
         * maybe_cut would choose, so the output does not change) */
        rc = maybe_cut(pl, false);
        if (rc == NC_OK) {
            rc = drain_conns(pl);
        }
        if (rc != NC_OK) {
            pl->conn_err = rc;
        }
    }
}

/* Cut a chunk once enough connections wait: at batch commits only, so the
 * chunk boundaries (and the file's frames) do not depend on timing. */
static int maybe_cut(struct pipeline *pl, bool final)
{
    size_t last = pl->n_cuts ? pl->cuts[pl->n_cuts - 1] : 0;
    size_t waiting = pl->n_conns - last;
    if (waiting == 0 || (!final && waiting < CONN_CHUNK)) {
        return NC_OK;
    }
    int rc = grow((void **)&pl->cuts, &pl->cap_cuts, pl->n_cuts + 1, sizeof(*pl->cuts));
    if (rc != NC_OK) {
        return rc;
    }
    pl->cuts[pl->n_cuts++] = pl->n_conns;
    return NC_OK;
}

/* Give the cut chunks to a batch about to be decoded. */
static int hand_over_conns(struct pipeline *pl, struct batch *b)
{
    b->n_conns = 0;
    b->n_chunks = 0;
    if (pl->n_cuts == 0) {
        return NC_OK;
    }
    size_t upto = pl->cuts[pl->n_cuts - 1];
    int rc = grow((void **)&b->conns, &b->cap_conns, upto, sizeof(*b->conns));
    if (rc == NC_OK) {
        rc = grow((void **)&b->chunk_end, &b->cap_chunks, pl->n_cuts, sizeof(*b->chunk_end));
    }
    if (rc != NC_OK) {
        return rc;
    }
    memcpy(b->conns, pl->conns, upto * sizeof(*b->conns));
    memcpy(b->chunk_end, pl->cuts, pl->n_cuts * sizeof(*b->chunk_end));
    b->n_conns = upto;
    b->n_chunks = pl->n_cuts;
    memmove(pl->conns, pl->conns + upto, (pl->n_conns - upto) * sizeof(*pl->conns));
    pl->n_conns -= upto;
    pl->n_cuts = 0;
    return NC_OK;
}

static int commit_batch(struct pipeline *pl, struct batch *b)
{
    if (b->err != NC_OK) {
        snprintf(pl->errbuf, NC_ERRBUF_SIZE, "decoding worker: %s", nc_strerror(b->err));
        return b->err;
    }
    /* prefetch distances: buckets far ahead, then the flows they point to */
    enum {
        AHEAD_BUCKET = 16,
        AHEAD_FLOW = 8
    };
    for (size_t i = 0; i < b->n; i++) {
        if (i + AHEAD_BUCKET < b->n && b->flows[i + AHEAD_BUCKET].valid) {
            nc_flow_table_prefetch_bucket(pl->flows, b->flows[i + AHEAD_BUCKET].hash);
        }
        if (i + AHEAD_FLOW < b->n && b->flows[i + AHEAD_FLOW].valid) {
            nc_flow_table_prefetch_flow(pl->flows, b->flows[i + AHEAD_FLOW].hash);
        }
        nc_flow_table_update(pl->flows, &b->flows[i], b->first_index + i);
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
    if (b->conn_frames.len) {
        int rc = write_frame_to(pl, NC_REC_Connection, b->conn_frames.p, b->conn_frames.len);
        if (rc != NC_OK) {
            return rc;
        }
    }
    pl->st->records[NC_REC_Connection] += b->conn_count;
    nc_decode_stats_add(&pl->st->dec, &b->stats);
    if (pl->conn_err == NC_OK) {
        pl->conn_err = maybe_cut(pl, false);
    }
    if (pl->conn_err != NC_OK) {
        snprintf(pl->errbuf, NC_ERRBUF_SIZE, "cannot keep finished connections: %s",
                nc_strerror(pl->conn_err));
        return pl->conn_err;
    }
    return NC_OK;
}

/* End of input: the sequencer encodes what is left itself. */
/* The sequencer encodes and writes every cut chunk itself (end of input). */
static int drain_conns(struct pipeline *pl)
{
    if (pl->n_cuts == 0) {
        return NC_OK;
    }
    struct nc_dbuf scratch, frames;
    nc_dbuf_init(&scratch, OUT_CAP);
    nc_dbuf_init(&frames, OUT_CAP);
    uint64_t count = 0;
    int rc = encode_conn_chunks(&pl->seq_enc, &pl->seq_comp, pl->conns, pl->cuts, pl->n_cuts,
            &scratch, &frames, &count);
    if (rc == NC_OK && frames.len) {
        rc = write_frame_to(pl, NC_REC_Connection, frames.p, frames.len);
    } else if (rc != NC_OK) {
        snprintf(pl->errbuf, NC_ERRBUF_SIZE, "cannot encode connections: %s", nc_strerror(rc));
    }
    pl->st->records[NC_REC_Connection] += count;
    size_t upto = pl->cuts[pl->n_cuts - 1];
    memmove(pl->conns, pl->conns + upto, (pl->n_conns - upto) * sizeof(*pl->conns));
    pl->n_conns -= upto;
    pl->n_cuts = 0;
    nc_dbuf_fini(&scratch);
    nc_dbuf_fini(&frames);
    return rc;
}

/* End of input: the table is flushed in chunks (see conn_emit), so memory
 * does not grow with the number of connections still open. */
static int finish_conns(struct pipeline *pl)
{
    pl->flushing = true;
    nc_flow_table_flush(pl->flows);
    int rc = pl->conn_err;
    if (rc == NC_OK) {
        rc = maybe_cut(pl, true);
    }
    if (rc == NC_OK) {
        rc = drain_conns(pl);
    } else {
        snprintf(pl->errbuf, NC_ERRBUF_SIZE, "cannot keep finished connections: %s",
                nc_strerror(rc));
    }
    return rc;
}

/* ------------------------------------------------------------------ setup */

static void batch_fini(struct batch *b)
{
    nc_free(b->pkts);
    nc_free(b->flows);
    nc_free(b->conns);
    nc_free(b->chunk_end);
    nc_dbuf_fini(&b->conn_frames);
    nc_dbuf_fini(&b->data);
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_fini(&b->enc[t]);
        nc_dbuf_fini(&b->frame[t]);
    }
}

static int batch_init(struct batch *b)
{
    memset(b, 0, sizeof(*b));
    nc_dbuf_init(&b->data, DATA_CAP);
    nc_dbuf_init(&b->conn_frames, OUT_CAP);
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_init(&b->enc[t], OUT_CAP);
        nc_dbuf_init(&b->frame[t], OUT_CAP);
    }
    b->pkts = nc_calloc(BATCH_PKTS, sizeof(*b->pkts));
    b->flows = nc_calloc(BATCH_PKTS, sizeof(*b->flows));
    if (!b->pkts || !b->flows) {
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

/* Fill b from the source. Returns the source's status. */
static int fill_batch(
        struct pipeline *pl, struct batch *b, struct nc_source *src, volatile sig_atomic_t *stop)
{
    struct nc_src_batch sb = { &b->data, NULL, b->pkts, 0, BATCH_PKTS, BATCH_BYTES };
    int rc = nc_source_fill(src, &sb, stop);
    b->n = sb.n;
    b->base = sb.base;
    for (size_t i = 0; i < b->n; i++) {
        pl->st->bytes += b->pkts[i].wirelen;
    }
    pl->st->packets += b->n;
    return rc;
}

static void wait_done(struct pipeline *pl, struct batch *b)
{
    pthread_mutex_lock(&pl->mu);
    while (b->state != B_DONE) {
        pthread_cond_wait(&pl->done_cv, &pl->mu);
    }
    pthread_mutex_unlock(&pl->mu);
}

static bool is_done(struct pipeline *pl, struct batch *b)
{
    pthread_mutex_lock(&pl->mu);
    bool d = b->state == B_DONE;
    pthread_mutex_unlock(&pl->mu);
    return d;
}

/* Commit the oldest batch in flight (waiting for its worker if asked to);
 * false when it is not done yet and wait is false. *rc gets the result. */
static bool commit_oldest(struct pipeline *pl, uint64_t *commit, bool wait, int *rc)
{
    struct batch *c = &pl->ring[*commit % pl->ring_n];
    if (wait) {
        wait_done(pl, c);
    } else if (!is_done(pl, c)) {
        return false;
    }
    *rc = commit_batch(pl, c);
    c->state = B_FREE;
    (*commit)++;
    return true;
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
    encoder_init(&pl.seq_enc, cfg->format);
    unsigned nw = cfg->workers < 1 ? 1 : cfg->workers > MAX_WORKERS ? MAX_WORKERS : cfg->workers;
    pl.ring_n = 2 * (size_t)nw + 2;
    int rc = NC_OK;
    double t0 = now_sec(), last_progress = t0;
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.work_cv, NULL);
    pthread_cond_init(&pl.done_cv, NULL);

    pl.ring = nc_calloc(pl.ring_n, sizeof(*pl.ring));
    pl.workers = nc_calloc(nw, sizeof(*pl.workers));
    pl.flows = nc_flow_table_new(cfg->max_flows, cfg->conn_timeout_ns, conn_emit, &pl);
    if (!pl.ring || !pl.workers || !pl.flows ||
            nc_compressor_init(&pl.seq_comp, cfg->compress, cfg->level) != NC_OK) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory setting up %u workers", nw);
        rc = NC_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < pl.ring_n; i++) {
        if (batch_init(&pl.ring[i]) != NC_OK) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory for packet batches");
            rc = NC_ENOMEM;
            goto out;
        }
    }
    for (unsigned i = 0; i < nw; i++) {
        struct worker *w = &pl.workers[i];
        w->pl = &pl;
        nc_arena_init(&w->arena, ARENA_CAP);
        encoder_init(&w->enc, cfg->format);
        if (nc_compressor_init(&w->comp, cfg->compress, cfg->level) != NC_OK ||
                pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "cannot start decoding worker %u", i);
            rc = NC_ENOMEM;
            goto out;
        }
        w->started = true;
    }

    uint64_t seq = 0, commit = 0, index = 0;
    bool eof = false, read_err = false;
    while (!eof) {
        struct batch *b = &pl.ring[seq % pl.ring_n];
        while (seq - commit >= pl.ring_n) {
            commit_oldest(&pl, &commit, true, &rc);
            if (rc != NC_OK) {
                goto out;
            }
        }
        int src_rc = fill_batch(&pl, b, src, stop);
        if (src_rc == NC_SRC_ERROR) {
            /* the packets before the error are processed; then the run fails */
            read_err = true;
            eof = true;
        }
        if (src_rc == NC_SRC_TRUNCATED) {
            st->truncated_file = 1;
        }
        if (src_rc == NC_SRC_EOF || src_rc == NC_SRC_TRUNCATED || (stop && *stop)) {
            eof = true;
        }
        if (b->n > 0) {
            rc = hand_over_conns(&pl, b);
            if (rc != NC_OK) {
                snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory handing over connections");
                goto out;
            }
            b->seq = seq;
            b->first_index = index;
            index += b->n;
            pthread_mutex_lock(&pl.mu);
            b->state = B_READY;
            pthread_cond_broadcast(&pl.work_cv);
            pthread_mutex_unlock(&pl.mu);
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
    while (commit < seq) {
        commit_oldest(&pl, &commit, true, &rc);
        if (rc != NC_OK) {
            goto out;
        }
    }
    rc = finish_conns(&pl);
    if (rc == NC_OK && read_err) {
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
            }
            nc_arena_fini(&w->arena);
            encoder_fini(&w->enc);
            nc_compressor_fini(&w->comp);
        }
    }
    int crc = close_files(&pl, rc == NC_OK);
    if (rc == NC_OK) {
        rc = crc;
    }
    if (pl.flows) {
        st->flow = *nc_flow_table_stats(pl.flows);
        nc_flow_table_free(pl.flows);
    }
    if (pl.ring) {
        for (size_t i = 0; i < pl.ring_n; i++) {
            batch_fini(&pl.ring[i]);
        }
    }
    nc_free(pl.ring);
    nc_free(pl.workers);
    nc_compressor_fini(&pl.seq_comp);
    encoder_fini(&pl.seq_enc);
    nc_free(pl.conns);
    nc_free(pl.cuts);
    pthread_mutex_destroy(&pl.mu);
    pthread_cond_destroy(&pl.work_cv);
    pthread_cond_destroy(&pl.done_cv);
    st->drops = nc_source_drops(src);
    st->filtered = nc_source_filtered(src);
    st->seconds = now_sec() - t0;
    return rc;
}
