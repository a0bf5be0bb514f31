/*
 * summary: counting for dump -summary (see summary.h): one open-addressing
 *          hash table of value texts per field, with global caps.
 */
#include "record/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"
#include "record/filter.h"

struct entry {
    uint64_t hash;
    uint64_t count;
    uint32_t off, len; /* the text in the field's key buffer; count 0: empty slot */
};

struct field {
    struct entry *slots;
    size_t n_slots, n_used; /* n_slots: a power of two, or 0 */
    struct nc_dbuf keys;
    uint64_t not_counted; /* records whose value was new after a cap */
};

struct nc_summary {
    struct nc_refl *refl;
    const ProtobufCFieldDescriptor *time_field;
    size_t k;
    uint64_t records;
    int64_t first, last;
    struct field *fields;
    size_t n_fields;
    size_t values, bytes; /* totals against the caps */
    bool capped;
    struct nc_dbuf cell; /* scratch for one value's text */
};

int nc_summary_init(struct nc_summary **out, struct nc_refl *refl,
        const ProtobufCFieldDescriptor *time_field, size_t k)
{
    *out = NULL;
    if (refl->n_cols > NC_SUMMARY_MAX_FIELDS) {
        return NC_EARG;
    }
    struct nc_summary *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        return NC_ENOMEM;
    }
    s->refl = refl;
    s->time_field = time_field;
    s->k = k;
    s->first = INT64_MAX;
    s->last = INT64_MIN;
    s->n_fields = refl->n_cols;
    nc_dbuf_init(&s->cell, NC_REFL_CELL_MAX);
    s->fields = nc_calloc(NC_MAX(s->n_fields, (size_t)1), sizeof(*s->fields));
    if (!s->fields) {
        nc_summary_free(s);
        return NC_ENOMEM;
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        /* The global byte cap is checked before each insert; the buffer
         * cap only keeps offsets within 32 bits. */
        nc_dbuf_init(&s->fields[i].keys, NC_SUMMARY_MAX_BYTES);
    }
    *out = s;
    return NC_OK;
}

void nc_summary_free(struct nc_summary *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; s->fields && i < s->n_fields; i++) {
        nc_free(s->fields[i].slots);
        nc_dbuf_fini(&s->fields[i].keys);
    }
    nc_free(s->fields);
    nc_dbuf_fini(&s->cell);
    nc_free(s);
}

static uint64_t hash_text(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then a full mix */
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return nc_mix64(h ^ n);
}

/* Doubles the table (or makes the first one). false when out of memory. */
static bool grow(struct field *f)
{
    size_t n = f->n_slots ? 2 * f->n_slots : 64;
    struct entry *slots = nc_calloc(n, sizeof(*slots));
    if (!slots) {
        return false;
    }
    for (size_t i = 0; i < f->n_slots; i++) {
        const struct entry *e = &f->slots[i];
        if (e->count == 0) {
            continue;
        }
        size_t j = (size_t)e->hash & (n - 1);
        while (slots[j].count != 0) {
            j = (j + 1) & (n - 1);
        }
        slots[j] = *e;
    }
    nc_free(f->slots);
    f->slots = slots;
    f->n_slots = n;
    return true;
}

/* Length of p[0..n) cut to at most max bytes at a UTF-8 boundary. */
static size_t cut_utf8(const uint8_t *p, size_t n, size_t max)
{
    if (n <= max) {
        return n;
    }
    size_t k = max;
    while (k > 0 && (p[k] & 0xc0) == 0x80) {
        k--;
    }
    return k;
}

static int count_value(struct nc_summary *s, struct field *f, const uint8_t *p, size_t n)
{
    uint64_t h = hash_text(p, n);
    if (f->n_slots > 0) {
        for (size_t j = (size_t)h & (f->n_slots - 1);; j = (j + 1) & (f->n_slots - 1)) {
            struct entry *e = &f->slots[j];
            if (e->count == 0) {
                break;
            }
            if (e->hash == h && e->len == n && (n == 0 || memcmp(f->keys.p + e->off, p, n) == 0)) {
                e->count++;
                return NC_OK;
            }
        }
    }
    /* A new value: is there room? */
    if (s->values >= NC_SUMMARY_MAX_VALUES || s->bytes + n > NC_SUMMARY_MAX_BYTES) {
        s->capped = true;
        f->not_counted++;
        return NC_OK;
    }
    if ((f->n_used + 1) * 2 > f->n_slots && !grow(f)) {
        return NC_ENOMEM;
    }
    size_t off = f->keys.len;
    if (n > 0) {
        int rc = nc_dbuf_append(&f->keys, p, n);
        if (rc != NC_OK) {
            return rc;
        }
    }
    size_t j = (size_t)h & (f->n_slots - 1);
    while (f->slots[j].count != 0) {
        j = (j + 1) & (f->n_slots - 1);
    }
    f->slots[j] = (struct entry){ h, 1, (uint32_t)off, (uint32_t)n };
    f->n_used++;
    s->values++;
    s->bytes += n;
    return NC_OK;
}

int nc_summary_add(struct nc_summary *s, const ProtobufCMessage *m)
{
    s->records++;
    if (s->time_field) {
        int64_t t = nc_filter_time_of(s->time_field, m);
        s->first = NC_MIN(s->first, t);
        s->last = NC_MAX(s->last, t);
    }
    for (size_t c = 0; c < s->n_fields; c++) {
        nc_dbuf_reset(&s->cell);
        int rc = nc_refl_text(s->refl, m, c, &s->cell);
        if (rc != NC_OK) {
            return rc;
        }
        size_t n = cut_utf8(s->cell.p, s->cell.len, NC_SUMMARY_KEY_MAX);
        if (n < s->cell.len) {
            s->cell.len = n;
            rc = nc_dbuf_puts(&s->cell, "\xe2\x80\xa6"); /* … marks the cut */
            if (rc != NC_OK) {
                return rc;
            }
        }
        rc = count_value(s, &s->fields[c], s->cell.p, s->cell.len);
        if (rc != NC_OK) {
            return rc;
        }
    }
    return NC_OK;
}

/* -------------------------------------------------------------- printing */

/* qsort has no context argument in C11; print_field sets this first
 * (dump is single-threaded). */
static const uint8_t *g_sort_keys;

/* Most frequent first; ties by text, so the output is deterministic. */
static int by_count(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    size_t n = NC_MIN(x->len, y->len);
    int c = n ? memcmp(g_sort_keys + x->off, g_sort_keys + y->off, n) : 0;
    if (c != 0) {
        return c;
    }
    return x->len < y->len ? -1 : x->len > y->len;
}

static int print_field(const struct nc_summary *s, size_t c, struct nc_dbuf *o)
{
    const struct field *f = &s->fields[c];
    int rc = nc_dbuf_printf(o, "\n%s: %s%zu distinct value%s\n", nc_refl_col_name(s->refl, c),
            f->not_counted ? "at least " : "", f->n_used, f->n_used == 1 ? "" : "s");
    if (rc != NC_OK || f->n_used == 0) {
        return rc;
    }
    struct entry *all = nc_malloc(f->n_used * sizeof(*all));
    if (!all) {
        return NC_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < f->n_slots; i++) {
        if (f->slots[i].count != 0) {
            all[n++] = f->slots[i];
        }
    }
    g_sort_keys = f->keys.p;
    qsort(all, n, sizeof(*all), by_count);
    size_t show = NC_MIN(n, s->k);
    char num[24];
    int w = snprintf(num, sizeof(num), "%llu", (unsigned long long)(show ? all[0].count : 0));
    w = NC_MAX(w, 5);
    rc = nc_dbuf_printf(o, "  %*s   share  value\n", w, "count");
    for (size_t i = 0; i < show && rc == NC_OK; i++) {
        double share = s->records ? 100.0 * (double)all[i].count / (double)s->records : 0;
        rc = nc_dbuf_printf(o, "  %*llu  %5.1f%%  ", w, (unsigned long long)all[i].count, share);
        if (rc == NC_OK && all[i].len == 0) {
            rc = nc_dbuf_puts(o, "(empty)");
        } else if (rc == NC_OK) {
            rc = nc_dbuf_append(o, f->keys.p + all[i].off, all[i].len);
        }
        if (rc == NC_OK) {
            rc = nc_dbuf_putc(o, '\n');
        }
    }
    if (rc == NC_OK && n > show) {
        uint64_t rest = 0;
        for (size_t i = show; i < n; i++) {
            rest += all[i].count;
        }
        rc = nc_dbuf_printf(o, "  %*llu  %5.1f%%  (%zu other value%s)\n", w,
                (unsigned long long)rest,
                s->records ? 100.0 * (double)rest / (double)s->records : 0.0, n - show,
                n - show == 1 ? "" : "s");
    }
    if (rc == NC_OK && f->not_counted) {
        rc = nc_dbuf_printf(o, "  %*llu  %5.1f%%  (not counted: new values after the cap)\n", w,
                (unsigned long long)f->not_counted,
                100.0 * (double)f->not_counted / (double)s->records);
    }
    nc_free(all);
    return rc;
}

int nc_summary_print(const struct nc_summary *s, enum nc_time_mode mode, struct nc_dbuf *o)
{
    int rc = nc_dbuf_printf(o, "records   %llu\n", (unsigned long long)s->records);
    if (rc == NC_OK && s->time_field && s->records > 0) {
        char a[NC_TIME_BUF], b[NC_TIME_BUF], d[NC_TIME_BUF];
        /* The span is exact for any pair of int64 times: compute it in
         * unsigned arithmetic and print up to INT64_MAX. */
        uint64_t span = (uint64_t)s->last - (uint64_t)s->first;
        rc = nc_dbuf_printf(o, "first     %s\nlast      %s\nspan      %s\n",
                nc_time_str(a, s->first, mode), nc_time_str(b, s->last, mode),
                nc_duration_str(d, span > INT64_MAX ? INT64_MAX : (int64_t)span));
    }
    if (rc == NC_OK && s->capped) {
        rc = nc_dbuf_printf(o,
                "note      the cap of %d distinct values (or %d MiB of their text) was hit:\n"
                "          values first seen after it were not counted, so the tops are\n"
                "          approximate\n",
                NC_SUMMARY_MAX_VALUES, NC_SUMMARY_MAX_BYTES / (1024 * 1024));
    }
    for (size_t c = 0; c < s->n_fields && rc == NC_OK; c++) {
        rc = print_field(s, c, o);
    }
    return rc;
}
