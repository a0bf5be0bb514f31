/*
 * summary: counted allocation with fault injection.
 *
 * All heap memory goes through these so that (1) the bytes in use are known
 * (for the global memory cap and the summary) and (2) NC_FAULT_ALLOC=N makes
 * the Nth allocation fail, to test every out-of-memory path. They return
 * NULL on failure and never abort.
 */
#ifndef NC_CORE_MEM_H
#define NC_CORE_MEM_H

#include "core/common.h"

void *nc_malloc(size_t n);
void *nc_calloc(size_t count, size_t size);
void *nc_realloc(void *p, size_t n);
void nc_free(void *p);
char *nc_strdup(const char *s);

/* Reads NC_FAULT_ALLOC from the environment (call once at start-up). */
void nc_mem_init(void);
/* Number of allocations made so far (for torture runs). */
uint64_t nc_mem_allocs(void);
/* Global cap on the bytes in use through these functions (0: none). */
void nc_mem_set_cap(uint64_t bytes);
uint64_t nc_mem_in_use(void);
uint64_t nc_mem_peak(void);
/* Allocations refused because they would have crossed the cap. */
uint64_t nc_mem_refused(void);

#endif
