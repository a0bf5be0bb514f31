/*
 * summary: a fixed memory budget that one owner draws on (a shard's flow
 *          state, say), independent of every other thread.
 *
 * The global cap in mem.h is shared by all threads, so whether an
 * allocation crosses it depends on timing. Stateful limits must not: a
 * budget belongs to one logical shard, is charged and refunded only by the
 * thread processing that shard's packets in input order, and so refuses at
 * exactly the same point whatever the number of threads. Callers charge a
 * budget before they allocate (through nc_malloc) and refund it when they
 * free. Not thread-safe by design.
 */
#ifndef NC_CORE_BUDGET_H
#define NC_CORE_BUDGET_H

#include "core/common.h"

struct nc_budget {
    uint64_t cap;     /* bytes; 0 = unlimited */
    uint64_t used;    /* bytes charged now */
    uint64_t peak;    /* most bytes charged at once */
    uint64_t refused; /* charges refused because they would cross cap */
};

static inline void nc_budget_init(struct nc_budget *b, uint64_t cap)
{
    b->cap = cap;
    b->used = b->peak = b->refused = 0;
}

/* Charge n bytes; false (counted) if that would cross the cap. */
static inline bool nc_budget_take(struct nc_budget *b, uint64_t n)
{
    if (b->cap && (n > b->cap || b->used > b->cap - n)) {
        b->refused++;
        return false;
    }
    b->used += n;
    if (b->used > b->peak) {
        b->peak = b->used;
    }
    return true;
}

static inline void nc_budget_give(struct nc_budget *b, uint64_t n)
{
    b->used = n > b->used ? 0 : b->used - n;
}

#endif
