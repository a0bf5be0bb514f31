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

struct nc_arena_block;

struct nc_arena {
    struct nc_arena_block *head; /* block being carved */
    struct nc_arena_block *free; /* reusable blocks */
    size_t used_total;           /* bytes in all blocks in use */
    size_t cap;                  /* upper bound on used_total */
    uint64_t n_limit;            /* allocations refused by the cap */
};

void nc_arena_init(struct nc_arena *a, size_t cap);
void nc_arena_fini(struct nc_arena *a);
void nc_arena_reset(struct nc_arena *a);
/* Zeroed, 16-byte aligned memory, or NULL (cap hit or out of memory). */
void *nc_arena_alloc(struct nc_arena *a, size_t n);
/* The same without zeroing, for buffers the caller fills completely
 * (formatted strings). */
void *nc_arena_alloc_raw(struct nc_arena *a, size_t n);
/* A NUL-terminated copy of n bytes. */
char *nc_arena_strndup(struct nc_arena *a, const void *p, size_t n);

#endif
