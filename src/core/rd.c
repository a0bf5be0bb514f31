/*
 * summary: out-of-line parts of the bounds-checked reader.
 */
#include "core/rd.h"

struct nc_rd nc_rd_at(const struct nc_rd *msg, size_t off)
{
    struct nc_rd r = { msg->base, msg->len, 0, NC_OK };
    if (off > msg->len) {
        r.err = NC_EMALFORMED;
        r.off = r.len;
    } else {
        r.off = off;
    }
    return r;
}

bool nc_rd_expect(struct nc_rd *r, const void *s, size_t n)
{
    if (!nc_rd_need(r, n)) {
        return false;
    }
    if (memcmp(r->base + r->off, s, n) != 0) {
        nc_rd_fail(r, NC_EMALFORMED);
        return false;
    }
    r->off += n;
    return true;
}

int nc_rd_line(struct nc_rd *r, struct nc_span *line, size_t max)
{
    if (r->err != NC_OK) {
        return r->err;
    }
    size_t left = r->len - r->off;
    size_t scan = left < max ? left : max;
    const uint8_t *p = r->base + r->off;
    const uint8_t *nl = memchr(p, '\n', scan);
    if (!nl) {
        return left < max ? NC_EAGAIN : NC_ELIMIT;
    }
    size_t n = (size_t)(nl - p);
    line->p = p;
    line->len = (n > 0 && p[n - 1] == '\r') ? n - 1 : n;
    r->off += n + 1;
    return NC_OK;
}
