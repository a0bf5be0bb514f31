/*
 * summary: bump allocator for per-packet memory (tcpdump's nd_malloc/nd_free_all).
 *
 * Records under construction (strings, repeated fields, nested messages) live
 * here until the packet's records are encoded; then nc_arena_reset() frees
 * everything at once. Blocks are kept for reuse; the total is capped.
 */
#ifndef NC_CORE_ARENA_H
#define NC_CORE_ARENA_H

#include "core/common.h"

#include <string.h>

struct nc_arena_block;

struct nc_arena {
    uint8_t *cur, *end;          /* free bytes of the block being carved */
    struct nc_arena_block *head; /* block being carved */
    struct nc_arena_block *free; /* reusable blocks */
    size_t used_total;           /* bytes in all blocks in use */
    size_t cap;                  /* upper bound on used_total */
    uint64_t n_limit;            /* allocations refused by the cap */
};

void nc_arena_init(struct nc_arena *a, size_t cap);
void nc_arena_fini(struct nc_arena *a);
void nc_arena_reset(struct nc_arena *a);
/* n rounded up to 16 (at least 16) from a new block: the slow path of
 * nc_arena_alloc_raw. */
void *nc_arena_take_slow(struct nc_arena *a, size_t n);

/* 16-byte aligned memory, not zeroed, for buffers the caller fills
 * completely (formatted strings), or NULL (cap hit or out of memory).
 * Inline: a packet makes a dozen of these. */
static inline void *nc_arena_alloc_raw(struct nc_arena *a, size_t n)
{
    size_t r = (n + 15) & ~(size_t)15;
    if (NC_LIKELY(r - 1 < (uintptr_t)a->end - (uintptr_t)a->cur)) { /* r in 16..room */
        void *p = a->cur;
        a->cur += r;
        return p;
    }
    return nc_arena_take_slow(a, n);
}

/* The same, zeroed. */
static inline void *nc_arena_alloc(struct nc_arena *a, size_t n)
{
    void *p = nc_arena_alloc_raw(a, n);
    if (p) {
        memset(p, 0, n);
    }
    return p;
}
/* A NUL-terminated copy of n bytes. */
char *nc_arena_strndup(struct nc_arena *a, const void *p, size_t n);

#endif
