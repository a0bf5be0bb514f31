/*
 * summary: TCP reassembly of one direction of one connection: segments in
 *          any order in, contiguous bytes out, gaps reported, never glued.
 *
 * Sequence numbers are compared with wrap-safe 32-bit arithmetic
 * (serial-number style: a is before b when (int32_t)(a - b) < 0); the byte
 * count delivered is kept in 64 bits, so streams longer than 4 GiB wrap
 * correctly.
 *
 * Overlap policy ("first copy wins"): a byte, once received, keeps its
 * value. A later segment that covers bytes already held (buffered out of
 * order) or already delivered only contributes its new bytes. Where the
 * earlier bytes are still known they are compared: held out-of-order
 * bytes exactly, and delivered bytes through a fingerprint of the last few
 * delivered segments (same start and length, different content); a
 * difference counts as a conflicting overlap (stats->conflicts and
 * d->conflicts) and the first copy stays.
 *
 * Mid-stream pickup: without a SYN, the first segment seen fixes the
 * start (d->midstream set). A SYN sets the start to its seq + 1.
 *
 * Gaps: bytes that never arrive are reported to the consumer as a gap of N
 * bytes before the next delivered chunk, and added to d->missed_bytes.
 * A gap is declared when the out-of-order buffer would exceed the per
 * direction cap (cfg->conn_buf) or the budget refuses, and at close.
 *
 * Limits, each counted in struct nc_reasm_stats when hit:
 *   - cfg->depth: bytes delivered per direction (0 = no cap); past it the
 *     direction stops delivering and holding (d->depth_reached);
 *   - cfg->conn_buf: out-of-order bytes held per direction, and at most
 *     NC_REASM_MAX_HELD held segments (so that a flood of tiny segments
 *     cannot make insertion quadratic); both count as conn_buf_hit;
 *   - the budget (shared by a shard's connections): every held segment is
 *     charged (its bytes plus its node) before the copy is allocated, and
 *     refunded when freed. A refusal by the global cap (nc_malloc returning
 *     NULL) counts as memcap_hit too.
 * Hitting the buffer cap or the budget never drops bytes silently: a gap is
 * declared from the next expected byte up to the first held segment (or up
 * to the new segment, if none is held before it), what became contiguous is
 * delivered, and the new segment is tried again.
 *
 * Choices where the sequence space is ambiguous:
 *   - A segment starting more than NC_REASM_WINDOW (1 GiB, the largest
 *     window TCP window scaling allows) after the next expected byte cannot
 *     be data a receiver would accept: it is dropped (out_of_window), its
 *     FIN too, and nothing is buffered. It does not resynchronise the
 *     stream: a resync on one stray (or forged) packet would turn all the
 *     real data after it into "old" data. The price: after a capture loss
 *     of more than 1 GiB in one direction, that direction delivers nothing
 *     more (visible as out_of_window). Segments behind the next expected
 *     byte (up to 2^31) are old: only their bytes at or after it count.
 *     Beyond 2^31 behind, serial arithmetic sees them as ahead (inherent to
 *     32-bit sequence numbers; PAWS is the real stack's answer): 2 to 3 GiB
 *     behind they fall in the dropped range, 3 to 4 GiB behind they look
 *     like data less than 1 GiB ahead and are held.
 *   - Bytes behind the next expected byte count as received, whether they
 *     were delivered or given up in a gap: a segment made only of them is
 *     "retransmitted", one that also brings new bytes is an "overlap" (so
 *     is a segment overlapping held bytes). Each segment counts once, in at
 *     most one of the two, and conflicts at most once.
 *   - A RST segment contributes nothing (its payload, if any, is a
 *     diagnostic per RFC 1122 4.2.2.12, not stream data; its SYN/FIN bits
 *     are ignored too); the caller closes the direction.
 *   - SYN: the first SYN sets the start to seq + 1. A later SYN resets the
 *     start only while nothing has been delivered, held, missed or FINed
 *     (a retried handshake with a new ISN); otherwise its payload is
 *     processed at seq + 1 like any segment and the stream is kept.
 *   - FIN: the first FIN not behind the next expected byte fixes fin_seq;
 *     bytes at or after it are ignored (held ones are trimmed and refunded).
 *   - Pure ACKs (no payload, no SYN/FIN) are ignored and do not start the
 *     direction. Segments after nc_reasm_close() are ignored.
 *   - A payload longer than NC_REASM_MAX_SEG is cut to it (as a snaplen
 *     cut would be); no capture gets near it.
 */
#ifndef NC_STREAM_TCP_REASM_H
#define NC_STREAM_TCP_REASM_H

#include "core/budget.h"
#include "core/common.h"

struct nc_reasm_cfg {
    uint64_t depth;    /* bytes delivered per direction; 0 = unlimited */
    uint32_t conn_buf; /* out-of-order bytes held per direction */
};

struct nc_reasm_stats {
    uint64_t segments;      /* segments with payload (or SYN/FIN) seen */
    uint64_t delivered;     /* bytes handed to the consumer */
    uint64_t out_of_order;  /* segments that had to be held */
    uint64_t retransmitted; /* segments entirely made of bytes already received */
    uint64_t overlaps;      /* segments partly covering bytes already received */
    uint64_t conflicts;     /* overlaps whose bytes differed from the first copy */
    uint64_t gaps;          /* gaps reported */
    uint64_t gap_bytes;     /* bytes in those gaps */
    uint64_t depth_hit;     /* directions that reached cfg->depth */
    uint64_t conn_buf_hit;  /* times the per-direction buffer cap forced a gap */
    uint64_t memcap_hit;    /* times the budget refused and forced a gap */
    uint64_t midstream;     /* directions picked up without a SYN */
    uint64_t out_of_window; /* segments dropped: more than NC_REASM_WINDOW ahead */
};

/* Receives bytes in order. gap: bytes missing immediately before p (0 when
 * contiguous). n may be 0 when only a gap is reported (at close). ts: time
 * of the packet that made these bytes deliverable. During the call,
 * d->next_seq is already past the chunk: its sequence number is
 * d->next_seq - n. */
typedef void nc_reasm_deliver_fn(void *ctx, const uint8_t *p, size_t n, uint64_t gap, int64_t ts);

struct nc_reasm_seg; /* a held out-of-order segment (tcp_reasm.c) */

/* Fingerprint of a recently delivered segment, for conflict detection. */
struct nc_reasm_recent {
    uint32_t seq, len;
    uint64_t hash;
};

enum {
    NC_REASM_RECENT = 4,
};

#define NC_REASM_WINDOW   (1u << 30) /* furthest ahead of next_seq a segment may start */
#define NC_REASM_MAX_SEG  (1u << 30) /* longest payload taken from one segment */
#define NC_REASM_MAX_HELD 1024u      /* held segments per direction */

/* One direction. Zero-initialised by nc_reasm_init(); embeddable. */
struct nc_reasm_dir {
    bool started;       /* start sequence known (SYN or first segment) */
    bool midstream;     /* started without a SYN */
    bool fin;           /* FIN seen (fin_seq valid) */
    bool closed;        /* nc_reasm_close() ran */
    bool depth_reached; /* cfg->depth reached: nothing more delivered */
    uint32_t next_seq;  /* next byte expected */
    uint32_t fin_seq;   /* sequence number of the FIN */
    uint64_t delivered; /* bytes delivered (64-bit: survives wrap) */
    uint64_t missed_bytes;
    uint64_t conflicts;
    uint32_t held;             /* bytes held out of order now */
    uint32_t nsegs;            /* segments held now */
    struct nc_reasm_seg *segs; /* held segments, in sequence order, not overlapping,
                                  each starting after next_seq */
    struct nc_reasm_seg *tail; /* last of segs (appending is the common case) */
    struct nc_reasm_recent recent[NC_REASM_RECENT];
    uint8_t recent_next;
};

/* Everything one call needs besides the direction itself. */
struct nc_reasm_env {
    const struct nc_reasm_cfg *cfg;
    struct nc_budget *budget;
    struct nc_reasm_stats *stats;
    nc_reasm_deliver_fn *deliver;
    void *ctx;
};

void nc_reasm_init(struct nc_reasm_dir *d);

/* One segment of this direction, in capture order. flags: NC_TCP_* bits
 * (SYN sets the start, FIN marks the end). data/len: the TCP payload as
 * captured (len may be less than on the wire if the snaplen cut it: the
 * caller passes what it has and the missing tail becomes a gap later).
 * Delivers every byte that became contiguous. */
void nc_reasm_segment(struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t seq,
        uint16_t flags, const uint8_t *data, size_t len, int64_t ts);

/* The peer acknowledged this direction's bytes up to ack (exclusive): a
 * hole before ack that held bytes wait behind was received by the host, so
 * the capture lost it. Declare those gaps now (not at close) and deliver
 * the held bytes, as Zeek does: a parser then pairs a response with the
 * request after the hole. Holes without held bytes after them wait. */
void nc_reasm_acked(
        struct nc_reasm_dir *d, const struct nc_reasm_env *env, uint32_t ack, int64_t ts);

/* End of the direction (FIN/RST, idle timeout, eviction or end of input):
 * delivers the held segments with their gaps reported, frees them, and
 * refunds the budget. Idempotent. */
void nc_reasm_close(struct nc_reasm_dir *d, const struct nc_reasm_env *env, int64_t ts);

/* Free held segments without delivering (error paths). Idempotent. */
void nc_reasm_free(struct nc_reasm_dir *d, struct nc_budget *budget);

#endif
