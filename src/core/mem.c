/*
 * summary: counted allocation with fault injection (curl torture, SQLite faultsim).
 */
#include "core/mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t n_allocs;
static uint64_t fail_at; /* 0: never fail */

void nc_mem_init(void)
{
    const char *s = getenv("NC_FAULT_ALLOC");
    if (s && *s) {
        char *end = NULL;
        unsigned long long v = strtoull(s, &end, 10);
        if (end && *end == '\0') {
            fail_at = v;
        }
    }
}

uint64_t nc_mem_allocs(void)
{
    return atomic_load(&n_allocs);
}

static bool should_fail(void)
{
    uint64_t n = atomic_fetch_add(&n_allocs, 1) + 1;
    return fail_at != 0 && n == fail_at;
}

void *nc_malloc(size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return malloc(n ? n : 1);
}

void *nc_calloc(size_t count, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return calloc(count ? count : 1, size ? size : 1);
}

void *nc_realloc(void *p, size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return realloc(p, n ? n : 1);
}

void nc_free(void *p)
{
    free(p);
}

char *nc_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = nc_malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}
