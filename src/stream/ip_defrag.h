/*
 * summary: IPv4 and IPv6 fragment reassembly: fragments in, whole datagrams
 *          out, with caps on fragments, bytes and age.
 *
 * A datagram is identified by (version, protocol, source, destination,
 * identification). Fragments may arrive in any order. When the last hole
 * is filled the reassembled IP payload (everything after the IPv4 header,
 * or after the IPv6 fragment header, starting at fragment offset 0) is
 * handed back to the caller, which decodes it as one packet.
 *
 * Overlap policy ("first copy wins"): bytes already received keep their
 * value; a fragment contributes only the bytes not yet covered. An exact
 * duplicate (same offset, length and bytes) is a retransmission and
 * ignored. Any other overlap marks the datagram (overlap = true, counted);
 * an overlap whose bytes differ from the first copy also marks it
 * (conflict = true, counted): the Teardrop family. RFC 5722 tells IPv6
 * hosts to drop such datagrams; we keep and flag them, because a monitor
 * should show what an attacker sent.
 *
 * Oversize datagrams (offset + length beyond 65535 bytes of IP payload:
 * Ping of Death) are flagged and dropped, never buffered past the cap.
 *
 * Caps, each counted when hit: datagrams pending (cfg->max_datagrams; the
 * oldest is dropped as incomplete), fragments per datagram
 * (cfg->max_frags), age (cfg->timeout_ns, in capture time), and bytes
 * held, charged to a budget. A datagram that never completes is reported
 * through the expire callback (so its fragments still count somewhere)
 * and counted as incomplete.
 *
 * One table belongs to one shard and sees its fragments in capture order:
 * not thread-safe, and deterministic.
 *
 * Details where the above leaves room (ip_defrag.c):
 *   - Accounting: every fragment passed in ends up in exactly one report
 *     (done or expire) or is counted as a duplicate, so
 *     stats->fragments == sum of n_frags + stats->duplicates. A fragment that
 *     makes a datagram give up (cut, oversize, too many, memcap) is part of
 *     that datagram's report; when no datagram was pending, it is reported
 *     alone (n_frags 1).
 *   - n_frags counts every fragment but exact duplicates, also those that
 *     only overlapped and added no byte. cfg->max_frags caps that count:
 *     the fragment that would exceed it gives the datagram up.
 *   - Fragments with MF set whose length is not a multiple of 8 are counted
 *     as bad and still used (stacks differ here). A second, different end
 *     (MF clear), and bytes beyond the known end, are counted as bad; the
 *     first end stays and bytes past it are not delivered. stats->bad
 *     counts fragments (once each, whatever the number of reasons).
 *   - A cut fragment (snaplen) can never give a correct datagram: the
 *     pending datagram is given up at once (cut = true, stats->cut), and
 *     later fragments of the same id start a new one. Oversize likewise.
 *   - Given-up reports: data NULL, len = distinct payload bytes held.
 *   - Age is measured on a clock that never goes back: the largest
 *     timestamp seen by nc_defrag_add/nc_defrag_expire. A datagram is older
 *     than the timeout when clock - (clock when its first fragment came)
 *     > timeout_ns. A fragment for a datagram that is already too old gives
 *     that one up (timeout) and starts a new one, so results do not depend
 *     on how often nc_defrag_expire is called.
 *   - The budget is charged for each pending datagram's memory (its state,
 *     fragment list and payload buffer), before it is allocated; the table's
 *     fixed part (the bucket array, sized from cfg->max_datagrams) is not.
 */
#ifndef NC_STREAM_IP_DEFRAG_H
#define NC_STREAM_IP_DEFRAG_H

#include "core/budget.h"
#include "core/common.h"

enum {
    NC_DEFRAG_MAX_PAYLOAD = 65535, /* IPv4 total length cap; IPv6 payload length cap */
    NC_DEFRAG_LINK = 72,           /* opaque caller bytes kept from a datagram's first fragment */
    /* defaults taken for cfg members that are 0 (timeout: <= 0) */
    NC_DEFRAG_DEF_DATAGRAMS = 1024,
    NC_DEFRAG_DEF_FRAGS = 128, /* 65535 bytes in 576-byte packets need 119 */
};
#define NC_DEFRAG_DEF_TIMEOUT_NS (30LL * 1000000000LL) /* as Linux ipfrag_time */

struct nc_defrag_cfg {
    uint32_t max_datagrams; /* pending datagrams at once */
    uint32_t max_frags;     /* fragments per datagram */
    int64_t timeout_ns;     /* age of a pending datagram, capture time */
};

/* Why a datagram was reported (struct nc_defrag_datagram.reason). */
enum nc_defrag_reason {
    NC_DEFRAG_COMPLETE = 0, /* done callback */
    NC_DEFRAG_TIMEOUT,      /* older than cfg->timeout_ns */
    NC_DEFRAG_EVICTED,      /* oldest when cfg->max_datagrams was hit */
    NC_DEFRAG_OVERSIZE,     /* a fragment beyond 65535 bytes */
    NC_DEFRAG_CUT,          /* a fragment cut by the snaplen */
    NC_DEFRAG_TOO_MANY,     /* cfg->max_frags hit */
    NC_DEFRAG_MEMCAP,       /* budget (or allocation) refused */
    NC_DEFRAG_FLUSHED,      /* nc_defrag_flush / nc_defrag_free */
};

struct nc_defrag_stats {
    uint64_t fragments;  /* fragments seen */
    uint64_t completed;  /* datagrams reassembled */
    uint64_t incomplete; /* datagrams given up: timeout, eviction, end of input */
    uint64_t duplicates; /* exact duplicate fragments ignored */
    uint64_t overlaps;   /* fragments overlapping earlier ones */
    uint64_t conflicts;  /* overlaps with different bytes */
    uint64_t oversize;   /* beyond 65535 bytes (Ping of Death): datagram dropped */
    uint64_t too_many;   /* cfg->max_frags hit: datagram dropped */
    uint64_t table_full; /* cfg->max_datagrams hit: oldest pending dropped */
    uint64_t memcap;     /* budget refused: datagram dropped */
    uint64_t bad;        /* inconsistent: length not a multiple of 8 before the end, two ends */
    uint64_t cut;        /* cut by the snaplen: datagram dropped */
    uint64_t timeouts;   /* given up: older than cfg->timeout_ns */
};

/* One fragment, as the decoders saw it. */
struct nc_defrag_frag {
    uint8_t ver;     /* 4 or 6 */
    uint8_t proto;   /* protocol of the payload (IPv6: the fragment header's next header) */
    uint32_t id;     /* IPv4 identification or IPv6 fragment identification */
    uint64_t zone;   /* VLAN/tunnel zone (part of the datagram's identity) */
    uint8_t src[16]; /* IPv4 in the first 4 bytes, rest zero */
    uint8_t dst[16];
    uint32_t offset;     /* bytes (the header's offset * 8) */
    bool more;           /* MF flag */
    const uint8_t *data; /* fragment payload as captured */
    size_t len;          /* its length (what the IP header declares, if captured whole) */
    bool cut;            /* the capture holds less than the IP header declared (snaplen) */
    int64_t ts;
    uint32_t wirelen; /* of the packet carrying it, for flow accounting */
    const void *link; /* NC_DEFRAG_LINK bytes the caller wants back with the datagram (or NULL) */
};

/* A datagram, complete or given up. Valid during the callback only. */
struct nc_defrag_datagram {
    uint8_t ver, proto;
    uint32_t id;
    uint64_t zone;
    uint8_t src[16], dst[16];
    const uint8_t *data; /* complete: the whole payload; given up: NULL */
    size_t len;
    uint32_t n_frags;   /* fragments that contributed (duplicates not counted) */
    uint64_t wirebytes; /* sum of wirelen of those fragments */
    int64_t first_ts, last_ts;
    bool overlap, conflict;
    bool oversize;  /* given up because it was too large */
    bool cut;       /* given up because a fragment was cut by the snaplen */
    uint8_t reason; /* enum nc_defrag_reason */
    bool has_link;
    uint8_t link[NC_DEFRAG_LINK]; /* from the first fragment that arrived */
};

/* Called with the datagram already out of the table; must not call back
 * into the table (nc_defrag_add, _expire, _flush, _free). */
typedef void nc_defrag_fn(void *ctx, const struct nc_defrag_datagram *dg);

struct nc_defrag;

/* NULL when out of memory. budget and stats may be NULL (no cap, not
 * counted); so may done and expire. done: called for each completed datagram;
 * expire: called for each datagram given up (timeout, cap, oversize, end). */
struct nc_defrag *nc_defrag_new(const struct nc_defrag_cfg *cfg, struct nc_budget *budget,
        struct nc_defrag_stats *stats, nc_defrag_fn *done, nc_defrag_fn *expire, void *ctx);
/* Gives up every pending datagram (expire callback), then frees. */
void nc_defrag_free(struct nc_defrag *t);
/* Add one fragment (capture order). May call done/expire before returning. */
void nc_defrag_add(struct nc_defrag *t, const struct nc_defrag_frag *f);
/* Capture time moved to now: give up datagrams older than the timeout. */
void nc_defrag_expire(struct nc_defrag *t, int64_t now);
/* Give up every pending datagram, oldest first (end of input). */
void nc_defrag_flush(struct nc_defrag *t);

#endif
