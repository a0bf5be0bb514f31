/*
 * summary: growable byte buffer with a hard cap.
 */
#include "core/dbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

void nc_dbuf_init(struct nc_dbuf *b, size_t cap)
{
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void nc_dbuf_fini(struct nc_dbuf *b)
{
    if (!b) {
        return;
    }
    nc_free(b->p);
    b->p = NULL;
    b->len = b->alloc = 0;
}

int nc_dbuf_reserve(struct nc_dbuf *b, size_t n)
{
    if (n <= b->alloc - b->len) {
        return NC_OK;
    }
    if (n > b->cap - b->len) {
        return NC_ELIMIT;
    }
    size_t want = b->len + n;
    size_t grow = b->alloc ? b->alloc : 256;
    while (grow < want) {
        grow = grow > b->cap / 2 ? b->cap : grow * 2;
    }
    if (grow > b->cap) {
        grow = b->cap; /* small caps: never allocate (or accept) more than cap */
    }
    uint8_t *p = nc_realloc(b->p, grow);
    if (!p) {
        return NC_ENOMEM;
    }
    b->p = p;
    b->alloc = grow;
    return NC_OK;
}

int nc_dbuf_append(struct nc_dbuf *b, const void *p, size_t n)
{
    int rc = nc_dbuf_reserve(b, n);
    if (rc != NC_OK) {
        return rc;
    }
    if (n) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
    return NC_OK;
}

int nc_dbuf_putc(struct nc_dbuf *b, char c)
{
    int rc = nc_dbuf_reserve(b, 1);
    if (rc != NC_OK) {
        return rc;
    }
    b->p[b->len++] = (uint8_t)c;
    return NC_OK;
}

int nc_dbuf_puts(struct nc_dbuf *b, const char *s)
{
    return nc_dbuf_append(b, s, strlen(s));
}

int nc_dbuf_printf(struct nc_dbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NC_EARG;
    }
    if ((size_t)n < sizeof(tmp)) {
        return nc_dbuf_append(b, tmp, (size_t)n);
    }
    int rc = nc_dbuf_reserve(b, (size_t)n + 1);
    if (rc != NC_OK) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return NC_OK;
}
