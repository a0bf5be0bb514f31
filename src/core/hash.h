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

/* A hash of two 16-byte addresses that does not depend on their order
 * (sum and xor of each one's hash): both directions of a flow, and every
 * fragment of a datagram, get the same value. */
static inline uint64_t nc_hash_addr_pair(const uint8_t a[16], const uint8_t b[16])
{
    uint64_t ha = nc_mix64(nc_load64(a) ^ nc_mix64(nc_load64(a + 8)));
    uint64_t hb = nc_mix64(nc_load64(b) ^ nc_mix64(nc_load64(b + 8)));
    return (ha + hb) ^ (ha ^ hb) << 1;
}

#endif
