/*
 * summary: counted allocation with a global cap and fault injection
 *          (curl torture, SQLite faultsim, Suricata memcaps).
 *
 * Bytes in use are tracked with malloc_usable_size(), so no header is added
 * to any block. With a cap set (nc_mem_set_cap), an allocation that would
 * cross it fails like an out-of-memory one, and is counted: the callers'
 * out-of-memory paths (drop a record and count it, refuse a flow, stop with
 * an error) are the same code, tested by the fault injection.
 */
#include "core/mem.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t n_allocs;
static _Atomic uint64_t in_use;  /* bytes */
static _Atomic uint64_t peak;    /* bytes */
static _Atomic uint64_t refused; /* allocations refused at the cap */
static uint64_t cap;             /* 0: none */
static uint64_t fail_at;         /* 0: never fail */

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

void nc_mem_set_cap(uint64_t bytes)
{
    cap = bytes;
}

uint64_t nc_mem_allocs(void)
{
    return atomic_load(&n_allocs);
}

uint64_t nc_mem_in_use(void)
{
    return atomic_load(&in_use);
}

uint64_t nc_mem_peak(void)
{
    return atomic_load(&peak);
}

uint64_t nc_mem_refused(void)
{
    return atomic_load(&refused);
}

static bool should_fail(size_t want)
{
    uint64_t n = atomic_fetch_add(&n_allocs, 1) + 1;
    if (fail_at != 0 && n == fail_at) {
        return true;
    }
    if (cap && atomic_load(&in_use) + want > cap) {
        atomic_fetch_add(&refused, 1);
        return true;
    }
    return false;
}

static void *account(void *p)
{
    if (p) {
        uint64_t n = malloc_usable_size(p);
        uint64_t now = atomic_fetch_add(&in_use, n) + n;
        uint64_t old = atomic_load(&peak);
        while (now > old && !atomic_compare_exchange_weak(&peak, &old, now)) {
        }
    }
    return p;
}

void *nc_malloc(size_t n)
{
    if (should_fail(n)) {
        return NULL;
    }
    return account(malloc(n ? n : 1));
}

void *nc_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        return NULL;
    }
    if (should_fail(count * size)) {
        return NULL;
    }
    return account(calloc(count ? count : 1, size ? size : 1));
}

void *nc_realloc(void *p, size_t n)
{
    size_t old = p ? malloc_usable_size(p) : 0;
    if (should_fail(n > old ? n - old : 0)) {
        return NULL;
    }
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        return NULL;
    }
    atomic_fetch_sub(&in_use, old);
    return account(q);
}

void nc_free(void *p)
{
    if (p) {
        atomic_fetch_sub(&in_use, malloc_usable_size(p));
        free(p);
    }
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
