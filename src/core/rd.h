/*
 * summary: the bounds-checked reader. Untrusted bytes are read only through it.
 *
 * A struct nc_rd is a window [base, base+len) with a read offset. Every read
 * first reserves its bytes; a read past the window poisons the reader (sticky
 * error, offset moved to the end) and returns 0, so a run of field reads is
 * checked once at the end with nc_rd_ok(). Sub-readers (nc_rd_sub) bound
 * nested length fields: the child can never read beyond its own length.
 */
#ifndef NC_CORE_RD_H
#define NC_CORE_RD_H

#include "core/common.h"

#include <string.h>

struct nc_rd {
    const uint8_t *base; /* window start; bytes outside [base, base+len) are never touched */
    size_t len;          /* window size */
    size_t off;          /* read position; invariant: off <= len */
    int err;             /* NC_OK or the first error; sticky */
};

/* A borrowed view of bytes; valid as long as the memory it points into. */
struct nc_span {
    const uint8_t *p;
    size_t len;
};

static inline struct nc_rd nc_rd_make(const uint8_t *p, size_t n)
{
    struct nc_rd r = { p, p ? n : 0, 0, NC_OK };
    return r;
}

static inline size_t nc_rd_left(const struct nc_rd *r)
{
    return r->len - r->off;
}

static inline bool nc_rd_ok(const struct nc_rd *r)
{
    return r->err == NC_OK;
}

/* Current position as a pointer (for spans); never dereferenced here. */
static inline const uint8_t *nc_rd_ptr(const struct nc_rd *r)
{
    return r->base + r->off;
}

/* Record an error (the first one sticks) and move to the end. */
static inline void nc_rd_fail(struct nc_rd *r, int err)
{
    if (r->err == NC_OK) {
        r->err = err;
    }
    r->off = r->len;
}

/* Reserve n bytes or poison the reader. Offset arithmetic only: no pointer
 * comparisons, no overflow (len - off cannot underflow given the invariant). */
static inline bool nc_rd_need(struct nc_rd *r, size_t n)
{
    if (r->err != NC_OK || n > r->len - r->off) {
        nc_rd_fail(r, NC_ETRUNC);
        return false;
    }
    return true;
}

static inline uint8_t nc_rd_u8(struct nc_rd *r)
{
    if (!nc_rd_need(r, 1)) {
        return 0;
    }
    return r->base[r->off++];
}

static inline uint16_t nc_rd_be16(struct nc_rd *r)
{
    if (!nc_rd_need(r, 2)) {
        return 0;
    }
    const uint8_t *p = r->base + r->off;
    r->off += 2;
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t nc_rd_be24(struct nc_rd *r)
{
    if (!nc_rd_need(r, 3)) {
        return 0;
    }
    const uint8_t *p = r->base + r->off;
    r->off += 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t nc_rd_be32(struct nc_rd *r)
{
    if (!nc_rd_need(r, 4)) {
        return 0;
    }
    const uint8_t *p = r->base + r->off;
    r->off += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t nc_rd_be64(struct nc_rd *r)
{
    uint64_t hi = nc_rd_be32(r);
    uint64_t lo = nc_rd_be32(r);
    return hi << 32 | lo;
}

static inline uint16_t nc_rd_le16(struct nc_rd *r)
{
    if (!nc_rd_need(r, 2)) {
        return 0;
    }
    const uint8_t *p = r->base + r->off;
    r->off += 2;
    return (uint16_t)((unsigned)p[1] << 8 | p[0]);
}

static inline uint32_t nc_rd_le32(struct nc_rd *r)
{
    if (!nc_rd_need(r, 4)) {
        return 0;
    }
    const uint8_t *p = r->base + r->off;
    r->off += 4;
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t nc_rd_le64(struct nc_rd *r)
{
    uint64_t lo = nc_rd_le32(r);
    uint64_t hi = nc_rd_le32(r);
    return hi << 32 | lo;
}

static inline void nc_rd_skip(struct nc_rd *r, size_t n)
{
    if (nc_rd_need(r, n)) {
        r->off += n;
    }
}

/* Zero-copy view of the next n bytes; {NULL, 0} and poisoned if short. */
static inline struct nc_span nc_rd_span(struct nc_rd *r, size_t n)
{
    struct nc_span s = { NULL, 0 };
    if (nc_rd_need(r, n)) {
        s.p = r->base + r->off;
        s.len = n;
        r->off += n;
    }
    return s;
}

/* Everything that is left, as a span (never fails). */
static inline struct nc_span nc_rd_rest(struct nc_rd *r)
{
    struct nc_span s = { r->base + r->off, r->len - r->off };
    r->off = r->len;
    return s;
}

/* Copy n bytes out; dst is zeroed if the reader is short. */
static inline bool nc_rd_copy(struct nc_rd *r, void *dst, size_t n)
{
    if (!nc_rd_need(r, n)) {
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, r->base + r->off, n);
    r->off += n;
    return true;
}

/* Child window over the next n bytes; the parent advances past them. If n
 * exceeds what is left, both parent and child are poisoned. */
static inline struct nc_rd nc_rd_sub(struct nc_rd *r, size_t n)
{
    struct nc_rd c = { r->base + r->off, 0, 0, NC_OK };
    if (!nc_rd_need(r, n)) {
        c.err = r->err;
        return c;
    }
    c.len = n;
    r->off += n;
    return c;
}

/* A fresh reader over the same window, positioned at absolute offset off
 * (DNS compression pointers). Poisoned if off is outside the window. */
struct nc_rd nc_rd_at(const struct nc_rd *msg, size_t off);

/* Peek at the byte at relative position i without moving; 0 if outside. */
static inline uint8_t nc_rd_peek(const struct nc_rd *r, size_t i)
{
    if (r->err != NC_OK || i >= r->len - r->off) {
        return 0;
    }
    return r->base[r->off + i];
}

/* Does the window continue with the n bytes at s? Never moves the reader. */
static inline bool nc_rd_has_prefix(const struct nc_rd *r, const void *s, size_t n)
{
    return r->err == NC_OK && n <= r->len - r->off && memcmp(r->base + r->off, s, n) == 0;
}

/* Expect the literal s at the read position; consume it or poison (MALFORMED). */
bool nc_rd_expect(struct nc_rd *r, const void *s, size_t n);

/* Next line ending in "\n" (a preceding "\r" is dropped from *line).
 * NC_EAGAIN: no terminator within the window (reader unchanged, not poisoned).
 * NC_ELIMIT: no terminator within max bytes (reader unchanged). */
int nc_rd_line(struct nc_rd *r, struct nc_span *line, size_t max);

#endif
