/*
 * summary: small text builders shared by the single-datagram application
 *          decoders (dhcp4.c, dhcp6.c, sip.c): hex, lists of numbers and
 *          addresses, built in the packet arena.
 *
 * A struct app_buf is a bounded text buffer in the arena: appends past its
 * capacity are dropped (the text is cut, never overrun) and an arena that
 * is full gives "" (counted by nc_pkt_alloc).
 */
#ifndef NC_DECODE_APP_INT_H
#define NC_DECODE_APP_INT_H

#include "decode/pkt.h"

#include <stdio.h>
#include <string.h>

struct app_buf {
    char *s;
    size_t len, cap; /* cap includes the NUL */
};

static inline struct app_buf app_buf_new(struct nc_pkt *pkt, size_t cap)
{
    struct app_buf b = { NULL, 0, 0 };
    b.s = nc_pkt_alloc(pkt, cap);
    if (b.s) {
        b.cap = cap;
        b.s[0] = '\0';
    }
    return b;
}

static inline void app_buf_put(struct app_buf *b, const char *p, size_t n)
{
    if (!b->s || b->len + 1 >= b->cap) {
        return;
    }
    size_t room = b->cap - 1 - b->len;
    n = NC_MIN(n, room);
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static inline void app_buf_puts(struct app_buf *b, const char *s)
{
    app_buf_put(b, s, strlen(s));
}

static inline void app_buf_uint(struct app_buf *b, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
    app_buf_put(b, tmp, (size_t)n);
}

/* The text, or "" when the arena was full. */
static inline char *app_buf_str(struct app_buf *b)
{
    static char empty[1] = "";
    return b->s ? b->s : empty;
}

/* Lowercase hex of p[0..n), no separators. */
static inline char *app_hex(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    struct app_buf b = app_buf_new(pkt, 2 * n + 1);
    for (size_t i = 0; b.s && i < n; i++) {
        b.s[2 * i] = digits[p[i] >> 4];
        b.s[2 * i + 1] = digits[p[i] & 0xf];
    }
    if (b.s) {
        b.s[2 * n] = '\0';
    }
    return app_buf_str(&b);
}

/* Text of p[0..n) with trailing NULs dropped (many stacks send C strings),
 * UTF-8 sanitised. */
static inline char *app_text(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    while (n > 0 && p[n - 1] == 0) {
        n--;
    }
    return nc_pkt_str(pkt, p, n);
}

/* Text of p[0..n) up to its first NUL. */
static inline char *app_cstr(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    const uint8_t *z = memchr(p, 0, n);
    return nc_pkt_str(pkt, p, z ? (size_t)(z - p) : n);
}

enum {
    APP_NAME_MAX = 1024, /* text of one list of uncompressed names (DHCPv6 24, 39; DHCPv4 81) */
};

/*
 * Uncompressed DNS names in wire form (RFC 1035 3.1: | len | label |...| 0 |)
 * as dotted text, names joined by ","; a name cut by the end of the data
 * keeps the labels read. *ok is false when the data is not a sequence of
 * such names (a compression pointer, a label past the end): callers then
 * show hex instead.
 */
static inline char *app_names(struct nc_pkt *pkt, const uint8_t *p, size_t n, bool *ok)
{
    uint8_t tmp[APP_NAME_MAX];
    size_t t = 0, i = 0;
    bool in_name = false;
    *ok = true;
    while (i < n) {
        uint8_t len = p[i++];
        if (len == 0) {
            if (in_name && t < sizeof(tmp)) {
                tmp[t++] = ',';
            }
            in_name = false;
            continue;
        }
        if ((len & 0xc0) || len > n - i) {
            *ok = false;
            return NULL;
        }
        if (in_name && t < sizeof(tmp)) {
            tmp[t++] = '.';
        }
        size_t c = NC_MIN((size_t)len, sizeof(tmp) - t);
        memcpy(tmp + t, p + i, c);
        t += c;
        i += len;
        in_name = true;
    }
    if (t > 0 && tmp[t - 1] == ',') {
        t--;
    }
    return nc_pkt_str(pkt, tmp, t);
}

#endif
