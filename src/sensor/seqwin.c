/*
 * summary: the collector's window of applied batches (seqwin.h).
 */
#include "sensor/seqwin.h"

#include <stdio.h>
#include <string.h>

void nc_seqwin_reset(struct nc_seqwin *w)
{
    memset(w, 0, sizeof(*w));
}

bool nc_seqwin_seen(const struct nc_seqwin *w, uint64_t seq)
{
    if (!w->any || seq > w->last) {
        return false;
    }
    if (seq == w->last) {
        return true;
    }
    uint64_t d = w->last - seq;
    return d > NC_SEQWIN || (w->mask[(d - 1) / 64] >> ((d - 1) % 64) & 1);
}

/* Moves every bit up by d; bits beyond the window fall off. */
static void shift_up(uint64_t m[NC_SEQWIN_WORDS], uint64_t d)
{
    if (d >= NC_SEQWIN) {
        memset(m, 0, NC_SEQWIN_WORDS * sizeof(*m));
        return;
    }
    size_t words = (size_t)(d / 64), bits = (size_t)(d % 64);
    for (size_t i = NC_SEQWIN_WORDS; i-- > 0;) {
        uint64_t hi = i >= words ? m[i - words] : 0;
        uint64_t lo = i >= words + 1 ? m[i - words - 1] : 0;
        m[i] = bits ? (hi << bits) | (lo >> (64 - bits)) : hi;
    }
}

void nc_seqwin_mark(struct nc_seqwin *w, uint64_t seq)
{
    if (!w->any) {
        nc_seqwin_reset(w);
        w->any = true;
        w->last = seq;
        return;
    }
    uint64_t bit;
    if (seq > w->last) {
        /* the window moves up by d: the old last becomes bit d - 1 */
        uint64_t d = seq - w->last;
        shift_up(w->mask, d);
        w->last = seq;
        if (d > NC_SEQWIN) {
            return;
        }
        bit = d - 1;
    } else if (seq == w->last || w->last - seq > NC_SEQWIN) {
        return;
    } else {
        bit = w->last - seq - 1;
    }
    w->mask[bit / 64] |= (uint64_t)1 << (bit % 64);
}

void nc_seqwin_format(const struct nc_seqwin *w, char out[NC_SEQWIN_HEX + 1])
{
    char *p = out;
    for (size_t i = NC_SEQWIN_WORDS; i-- > 0;) {
        snprintf(p, 17, "%016llx", (unsigned long long)w->mask[i]);
        p += 16;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool nc_seqwin_parse(struct nc_seqwin *w, uint64_t last, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NC_SEQWIN_HEX) {
        return false;
    }
    nc_seqwin_reset(w);
    for (size_t i = 0; i < n; i++) { /* digit i from the right: bits 4i..4i+3 */
        int v = hexval(s[n - 1 - i]);
        if (v < 0) {
            nc_seqwin_reset(w);
            return false;
        }
        w->mask[i / 16] |= (uint64_t)v << (4 * (i % 16));
    }
    w->any = true;
    w->last = last;
    return true;
}
