/*
 * summary: growable byte buffer with a hard cap (curl's "toobig").
 */
#ifndef NC_CORE_DBUF_H
#define NC_CORE_DBUF_H

#include "core/common.h"

struct nc_dbuf {
    uint8_t *p;
    size_t len; /* bytes used */
    size_t alloc;
    size_t cap; /* never grows beyond this; appends past it return NC_ELIMIT */
};

void nc_dbuf_init(struct nc_dbuf *b, size_t cap);
void nc_dbuf_fini(struct nc_dbuf *b);
static inline void nc_dbuf_reset(struct nc_dbuf *b)
{
    b->len = 0;
}
/* Make room for n more bytes: NC_OK, NC_ELIMIT (cap) or NC_ENOMEM. */
NC_WARN_UNUSED int nc_dbuf_reserve(struct nc_dbuf *b, size_t n);
NC_WARN_UNUSED int nc_dbuf_append(struct nc_dbuf *b, const void *p, size_t n);
NC_WARN_UNUSED int nc_dbuf_putc(struct nc_dbuf *b, char c);
NC_WARN_UNUSED int nc_dbuf_puts(struct nc_dbuf *b, const char *s);
NC_WARN_UNUSED int nc_dbuf_printf(struct nc_dbuf *b, const char *fmt, ...) NC_PRINTF(2, 3);

#endif
