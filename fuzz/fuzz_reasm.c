/*
 * summary: fuzz target: TCP reassembly (src/stream/tcp_reasm.c) driven by a
 *          schedule of segments, checked against a first-copy-wins model.
 *
 * Input: a 5-byte header, then 5-byte segment records.
 *   header[0]  bit 0: conflict mode (segments may carry other bytes than
 *              the true stream); bits 1-2: cfg->conn_buf (0, 64, 1024,
 *              1 MiB); bits 3-4: budget cap (none, 200, 2000, 20000);
 *              bits 5-6: cfg->depth (none, 50, 1000, 5000); bit 7: ISN
 *              near the wrap (0xFFFFFFFF - header[1] * 64) instead of
 *              header[1..4]
 *   record     off (2 bytes LE, offset = off % 12288 - 256 from ISN + 1),
 *              len, flags, salt:
 *              flags bit 0 FIN, 1 SYN, 2 RST; bit 3: len = len * 16 +
 *              salt % 16; bit 4: 1 GiB and more ahead (out of window);
 *              bit 5: about 2 GiB behind (both ignored until the first
 *              callback: they would move the start); bit 6: (conflict mode) some
 *              bytes XORed with salt; bit 7: not a segment but
 *              nc_reasm_close (len % 4 == 0), nc_reasm_free (1), or a
 *              pure ACK.
 * A segment's bytes are the true stream at their offset, truth(offset), a
 * fixed function, unless corrupted; each is a malloc of exactly its size.
 * Budget, caps and schedule are small so every limit is reachable.
 *
 * Checks (fuzz_fail aborts): every delivered byte equals the first copy
 * received at its offset (the model records the bytes at or after the
 * start of every segment that is not RST, in arrival order, and forgets
 * what nc_reasm_free drops) and, outside conflict mode, the true
 * stream byte, and conflicts stay 0; each callback starts where the last
 * ended plus its gap; n == 0 only at close with a gap; delivered + gap
 * bytes never reach past the highest byte seen (segment end or FIN);
 * counters agree with the callbacks; held bytes within conn_buf, budget
 * within its cap; depth never exceeded; after close nothing is held, the
 * budget is back to 0 and no memory is left allocated.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "stream/tcp_reasm.h"

enum {
    OFF_MIN = -256 - 1, /* a SYN at -257 */
    OFF_SPAN = 12288 + 4096 + 512,
};

struct model {
    int16_t first[OFF_SPAN]; /* first byte received at offset - OFF_MIN; -1 none */
    int64_t start;           /* offset of the stream's first byte */
    int64_t seen_end;        /* highest segment end or FIN offset */
    bool conflict_mode;
};

struct sink {
    struct nc_reasm_dir *d;
    struct model *m;
    uint32_t isn;
    bool started;   /* a callback happened: end is valid */
    int64_t end;    /* offset just past the last callback */
    uint64_t bytes; /* sum of n */
    uint64_t gaps;  /* sum of gap */
    bool closing;
};

static uint8_t truth(int64_t off)
{
    uint32_t x = (uint32_t)off * 0x9E3779B1u;
    return (uint8_t)(x >> 24 ^ x >> 11);
}

static void on_deliver(void *ctx, const uint8_t *p, size_t n, uint64_t gap, int64_t ts)
{
    struct sink *k = ctx;
    (void)ts;
    if (n == 0 && (gap == 0 || !k->closing)) {
        fuzz_fail("reasm: empty callback without a gap, or outside close");
    }
    if (n && !p) {
        fuzz_fail("reasm: NULL bytes");
    }
    /* the chunk's sequence number is next_seq - n (tcp_reasm.h) */
    int64_t at = (int32_t)(k->d->next_seq - (uint32_t)n - (k->isn + 1));
    if (gap > OFF_SPAN || at - (int64_t)gap < OFF_MIN || at + (int64_t)n > OFF_MIN + OFF_SPAN) {
        fuzz_fail("reasm: delivered outside anything sent");
    }
    if (k->started && at - (int64_t)gap != k->end) {
        fuzz_fail("reasm: callback does not continue where the last one ended");
    }
    k->started = true;
    for (size_t i = 0; i < n; i++) {
        int64_t o = at + (int64_t)i;
        int16_t f = k->m->first[o - OFF_MIN];
        if (f < 0) {
            fuzz_fail("reasm: delivered a byte never received");
        }
        if (p[i] != (uint8_t)f) {
            fuzz_fail("reasm: delivered byte is not the first copy");
        }
        if (!k->m->conflict_mode && p[i] != truth(o)) {
            fuzz_fail("reasm: delivered byte differs from the true stream");
        }
    }
    k->end = at + (int64_t)n;
    if (k->end > k->m->seen_end) {
        fuzz_fail("reasm: delivered + gap bytes beyond the highest byte seen");
    }
    k->bytes += n;
    k->gaps += gap;
}

static void check_state(
        const struct nc_reasm_dir *d, const struct nc_reasm_env *env, const struct sink *k)
{
    const struct nc_reasm_stats *st = env->stats;
    if (st->delivered != k->bytes || d->delivered != k->bytes) {
        fuzz_fail("reasm: delivered counters disagree with the callbacks");
    }
    if (st->gap_bytes != k->gaps || d->missed_bytes != k->gaps) {
        fuzz_fail("reasm: gap counters disagree with the callbacks");
    }
    if (d->held > env->cfg->conn_buf || d->nsegs > NC_REASM_MAX_HELD) {
        fuzz_fail("reasm: held beyond the per-direction cap");
    }
    if (env->budget->cap && env->budget->used > env->budget->cap) {
        fuzz_fail("reasm: budget beyond its cap");
    }
    if (env->cfg->depth && d->delivered > env->cfg->depth) {
        fuzz_fail("reasm: delivered beyond depth");
    }
    if (!k->m->conflict_mode && st->conflicts) {
        fuzz_fail("reasm: conflict reported on identical copies");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t conn_bufs[4] = { 0, 64, 1024, 1u << 20 };
    static const uint64_t budgets[4] = { 0, 200, 2000, 20000 };
    static const uint64_t depths[4] = { 0, 50, 1000, 5000 };
    if (size < 5) {
        return 0;
    }
    uint64_t mem_before = nc_mem_in_use();
    uint8_t mode = data[0];
    uint32_t isn = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
                   (uint32_t)data[4] << 24;
    if (mode & 0x80) {
        isn = 0xFFFFFFFFu - (uint32_t)data[1] * 64;
    }
    struct model *m = malloc(sizeof(*m));
    if (!m) {
        return 0;
    }
    memset(m->first, 0xff, sizeof(m->first));
    m->seen_end = OFF_MIN;
    m->start = OFF_MIN;
    m->conflict_mode = mode & 1;

    struct nc_reasm_cfg cfg = { .depth = depths[(mode >> 5) & 3],
        .conn_buf = conn_bufs[(mode >> 1) & 3] };
    struct nc_budget budget;
    nc_budget_init(&budget, budgets[(mode >> 3) & 3]);
    struct nc_reasm_stats st;
    memset(&st, 0, sizeof(st));
    struct nc_reasm_dir d;
    nc_reasm_init(&d);
    struct sink k = { .d = &d, .m = m, .isn = isn };
    struct nc_reasm_env env = { &cfg, &budget, &st, on_deliver, &k };

    int64_t ts = 0;
    for (size_t i = 5; i + 5 <= size; i += 5) {
        const uint8_t *r = data + i;
        int64_t off = (int64_t)((uint32_t)r[0] | (uint32_t)r[1] << 8) % 12288 - 256;
        uint8_t flags = r[3], salt = r[4];
        size_t len = r[2];
        ts++;
        if (flags & 0x80) {
            if (r[2] % 4 == 0) {
                k.closing = true;
                nc_reasm_close(&d, &env, ts);
                k.closing = false;
            } else if (r[2] % 4 == 1) {
                /* held bytes are forgotten: later copies are first copies */
                nc_reasm_free(&d, &budget);
                int64_t from = k.started ? k.end : m->start;
                for (int64_t o = from; o < OFF_MIN + OFF_SPAN; o++) {
                    m->first[o - OFF_MIN] = -1;
                }
            } else {
                nc_reasm_segment(&d, &env, isn + 1 + (uint32_t)off, 0x10, NULL, 0, ts);
            }
            check_state(&d, &env, &k);
            continue;
        }
        if (flags & 0x08) {
            len = len * 16 + salt % 16;
        }
        uint16_t tcp = (uint16_t)(flags & 7); /* FIN, SYN, RST as NC_TCP_* */
        int64_t s = off + ((tcp & 2) ? 1 : 0);
        uint32_t seq = isn + 1 + (uint32_t)off;
        /* far segments only once the stream is anchored: a first segment (or
         * a SYN before any data) would move the start there */
        bool far = false;
        if (k.started && (flags & 0x10)) {
            seq += 0x40010000u + ((uint32_t)salt << 16);
            far = true;
        } else if (k.started && (flags & 0x20)) {
            seq -= 0x7FFF0000u;
            far = true;
        }
        uint8_t *buf = len ? malloc(len) : NULL;
        if (len && !buf) {
            break;
        }
        for (size_t j = 0; j < len; j++) {
            buf[j] = truth(s + (int64_t)j);
            if (m->conflict_mode && (flags & 0x40) && (j + salt) % 3 == 0) {
                buf[j] ^= salt | 1;
            }
        }
        if (!far && !(tcp & 4) && (len || (tcp & 3))) {
            /* the model: the first segment fixes the start, and so does a
             * SYN while nothing was delivered, held, missed or FINed (the
             * stream then forgets everything); the first copy of every
             * byte at or after the start; the highest byte (or FIN) seen */
            if (!d.started || ((tcp & 2) && !d.segs && !d.delivered && !d.missed_bytes && !d.fin)) {
                m->start = s;
                memset(m->first, 0xff, sizeof(m->first));
            }
            for (size_t j = 0; j < len; j++) {
                int16_t *f = &m->first[s + (int64_t)j - OFF_MIN];
                if (*f < 0 && s + (int64_t)j >= m->start) {
                    *f = buf[j];
                }
            }
            if ((len || (tcp & 1)) && s + (int64_t)len > m->seen_end) {
                m->seen_end = s + (int64_t)len;
            }
        }
        nc_reasm_segment(&d, &env, seq, tcp, buf, len, ts);
        free(buf);
        check_state(&d, &env, &k);
    }
    k.closing = true;
    nc_reasm_close(&d, &env, ts + 1);
    check_state(&d, &env, &k);
    if (d.segs || d.held || d.nsegs || budget.used != 0) {
        fuzz_fail("reasm: something still held after close");
    }
    nc_reasm_close(&d, &env, ts + 2); /* idempotent */
    check_state(&d, &env, &k);
    if (nc_mem_in_use() != mem_before) {
        fuzz_fail("reasm: memory left allocated after close");
    }
    free(m);
    return 0;
}
