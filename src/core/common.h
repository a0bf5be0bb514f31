/*
 * summary: definitions every module uses: fixed-width types, small macros, errors.
 */
#ifndef NC_CORE_COMMON_H
#define NC_CORE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NC_UNUSED(x)    ((void)(x))
#define NC_LIKELY(x)    __builtin_expect(!!(x), 1)
#define NC_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define NC_WARN_UNUSED  __attribute__((warn_unused_result))
#define NC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define NC_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define NC_MAX(a, b)    ((a) > (b) ? (a) : (b))
#define NC_ERRBUF_SIZE  1024

/* Every fallible function returns one of these. Data verdicts (ETRUNC,
 * EMALFORMED, ELIMIT, EUNSUPP) are counted; host errors stop a command. */
enum nc_err {
    NC_OK = 0,
    NC_EAGAIN,     /* stream parser needs more bytes */
    NC_ETRUNC,     /* input ended inside a structure (snaplen, window) */
    NC_EMALFORMED, /* violates the spec: impossible length, bad version */
    NC_ELIMIT,     /* a configured or named cap was hit */
    NC_EUNSUPP,    /* valid but not handled */
    NC_ENOMEM,
    NC_EIO,
    NC_EARG, /* bad argument or configuration */
};

const char *nc_strerror(int err);

/* a - b, saturated instead of overflowing (capture timestamps can be any
 * value). */
static inline int64_t nc_sat_sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b) {
        return INT64_MAX;
    }
    if (b > 0 && a < INT64_MIN + b) {
        return INT64_MIN;
    }
    return a - b;
}

/* dst[i] += src[i] for n counters (stats structs made only of uint64_t). */
static inline void nc_counters_add(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] += src[i];
    }
}

#endif
