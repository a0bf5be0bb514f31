/*
 * summary: small hashing helpers shared by the tables keyed by addresses
 *          (connections, fragments, shards).
 */
#ifndef NC_CORE_HASH_H
#define NC_CORE_HASH_H

#include <string.h>

#include "core/common.h"

/* The murmur3 64-bit finaliser: every input bit reaches every output bit. */
static inline uint64_t nc_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* 8 bytes at p, unaligned, in host order. */
static inline uint64_t nc_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

#endif
