/*
 * summary: bump allocator for per-packet memory.
 */
#include "core/arena.h"

#include <string.h>

#include "core/mem.h"

enum {
    ARENA_BLOCK = 64 * 1024, /* typical packet needs far less; big ones get their own block */
};

struct nc_arena_block {
    struct nc_arena_block *next;
    size_t size; /* usable bytes in data[] */
    _Alignas(16) uint8_t data[];
};

void nc_arena_init(struct nc_arena *a, size_t cap)
{
    memset(a, 0, sizeof(*a));
    a->cap = cap;
}

static void free_list(struct nc_arena_block *b)
{
    while (b) {
        struct nc_arena_block *n = b->next;
        nc_free(b);
        b = n;
    }
}

void nc_arena_fini(struct nc_arena *a)
{
    if (!a) {
        return;
    }
    free_list(a->head);
    free_list(a->free);
    a->head = a->free = NULL;
    a->cur = a->end = NULL;
}

void nc_arena_reset(struct nc_arena *a)
{
    struct nc_arena_block *b = a->head;
    while (b) {
        struct nc_arena_block *n = b->next;
        if (b->size == ARENA_BLOCK) {
            b->next = a->free;
            a->free = b;
        } else {
            nc_free(b); /* oversized: do not hoard */
        }
        b = n;
    }
    a->head = NULL;
    a->cur = a->end = NULL;
    a->used_total = 0;
}

void *nc_arena_take_slow(struct nc_arena *a, size_t n)
{
    if (n > SIZE_MAX - 15) {
        a->n_limit++;
        return NULL;
    }
    n = (n + 15) & ~(size_t)15;
    if (n == 0) {
        n = 16;
    }
    if ((uintptr_t)a->end - (uintptr_t)a->cur >= n) { /* n == 0 asked for, room left */
        void *p = a->cur;
        a->cur += n;
        return p;
    }
    if (n > a->cap - NC_MIN(a->cap, a->used_total)) {
        a->n_limit++;
        return NULL;
    }
    struct nc_arena_block *b;
    if (n <= ARENA_BLOCK && a->free) {
        b = a->free;
        a->free = b->next;
    } else {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = nc_malloc(sizeof(*b) + size);
        if (!b) {
            return NULL;
        }
        b->size = size;
    }
    b->next = a->head;
    a->head = b;
    a->used_total += b->size;
    a->cur = b->data + n;
    a->end = b->data + b->size;
    return b->data;
}

char *nc_arena_strndup(struct nc_arena *a, const void *p, size_t n)
{
    char *s = nc_arena_alloc_raw(a, n + 1);
    if (s) {
        if (n) {
            memcpy(s, p, n);
        }
        s[n] = '\0';
    }
    return s;
}
