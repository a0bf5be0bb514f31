/*
 * summary: Prometheus registry and text exposition (see registry.h).
 */
#include "metrics/registry.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

enum {
    NAME_MAX_LEN = 128,
    HELP_MAX_LEN = 512,
    LABELS_MAX_LEN = 512,
};

struct nc_mx_metric {
    char name[NAME_MAX_LEN];
    char help[HELP_MAX_LEN];
    enum nc_mx_kind kind;
    char labels[LABELS_MAX_LEN]; /* k\0v\0k\0v\0 ... */
    size_t n_labels;             /* pairs */
    _Atomic uint64_t bits;       /* the double's bits */
};

struct collector {
    nc_mx_collect_fn *fn;
    void *ctx;
};

struct nc_mx_registry {
    pthread_mutex_t mu;
    struct nc_mx_metric *metrics[NC_MX_MAX_METRICS];
    size_t n_metrics;
    struct collector coll[NC_MX_MAX_COLLECTORS];
    size_t n_coll;
};

struct family {
    char name[NAME_MAX_LEN];
    size_t start, end; /* its text in emit.body */
};

struct nc_mx_emit {
    struct nc_dbuf body;
    struct family *fam;
    size_t n_fam;
    bool open; /* samples go to fam[n_fam - 1] */
    int err;   /* first hard error (buffer cap, memory) */
};

/* ------------------------------------------------------------ checks */

static bool name_char(char c, bool first, bool colon)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        return true;
    }
    if (colon && c == ':') {
        return true;
    }
    return !first && c >= '0' && c <= '9';
}

bool nc_mx_valid_name(const char *s)
{
    if (!s || !*s || strlen(s) >= NAME_MAX_LEN) {
        return false;
    }
    for (size_t i = 0; s[i]; i++) {
        if (!name_char(s[i], i == 0, true)) {
            return false;
        }
    }
    return true;
}

bool nc_mx_valid_label(const char *s)
{
    if (!s || !*s || strlen(s) >= NAME_MAX_LEN || (s[0] == '_' && s[1] == '_')) {
        return false; /* __ is reserved for Prometheus */
    }
    for (size_t i = 0; s[i]; i++) {
        if (!name_char(s[i], i == 0, false)) {
            return false;
        }
    }
    return true;
}

static int escape(struct nc_dbuf *b, const char *s, bool quote)
{
    int rc = NC_OK;
    for (size_t i = 0; s[i] && rc == NC_OK; i++) {
        char c = s[i];
        if (c == '\\') {
            rc = nc_dbuf_puts(b, "\\\\");
        } else if (c == '\n') {
            rc = nc_dbuf_puts(b, "\\n");
        } else if (quote && c == '"') {
            rc = nc_dbuf_puts(b, "\\\"");
        } else {
            rc = nc_dbuf_putc(b, c);
        }
    }
    return rc;
}

int nc_mx_escape_label(struct nc_dbuf *b, const char *s)
{
    return escape(b, s, true);
}

int nc_mx_escape_help(struct nc_dbuf *b, const char *s)
{
    return escape(b, s, false);
}

void nc_mx_format_f64(char *buf, size_t n, double v)
{
    if (isnan(v)) {
        snprintf(buf, n, "NaN");
    } else if (isinf(v)) {
        snprintf(buf, n, v > 0 ? "+Inf" : "-Inf");
    } else if (v == floor(v) && fabs(v) <= 9007199254740992.0) {
        snprintf(buf, n, "%.0f", v);
    } else {
        snprintf(buf, n, "%.17g", v);
    }
}

/* ---------------------------------------------------------- registry */

struct nc_mx_registry *nc_mx_registry_new(void)
{
    struct nc_mx_registry *r = nc_calloc(1, sizeof(*r));
    if (r) {
        pthread_mutex_init(&r->mu, NULL);
    }
    return r;
}

void nc_mx_registry_free(struct nc_mx_registry *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->n_metrics; i++) {
        nc_free(r->metrics[i]);
    }
    pthread_mutex_destroy(&r->mu);
    nc_free(r);
}

static struct nc_mx_metric *add_metric(struct nc_mx_registry *r, const char *name, const char *help,
        const char *const *labels, enum nc_mx_kind kind)
{
    if (!r || !nc_mx_valid_name(name)) {
        return NULL;
    }
    help = help ? help : "";
    struct nc_mx_metric *m = nc_calloc(1, sizeof(*m));
    if (!m) {
        return NULL;
    }
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->help, sizeof(m->help), "%s", help);
    m->kind = kind;
    size_t at = 0;
    for (size_t i = 0; labels && labels[i]; i += 2) {
        const char *k = labels[i], *v = labels[i + 1];
        size_t kl = strlen(k), vl = v ? strlen(v) : 0;
        if (!v || !nc_mx_valid_label(k) || m->n_labels == NC_MX_MAX_LABELS ||
                at + kl + vl + 2 > sizeof(m->labels)) {
            nc_free(m);
            return NULL;
        }
        memcpy(m->labels + at, k, kl + 1);
        at += kl + 1;
        memcpy(m->labels + at, v, vl + 1);
        at += vl + 1;
        m->n_labels++;
    }
    atomic_init(&m->bits, 0);
    pthread_mutex_lock(&r->mu);
    bool ok = r->n_metrics < NC_MX_MAX_METRICS;
    for (size_t i = 0; ok && i < r->n_metrics; i++) {
        const struct nc_mx_metric *o = r->metrics[i];
        if (strcmp(o->name, name) == 0 && (o->kind != kind || strcmp(o->help, m->help) != 0)) {
            ok = false;
        }
    }
    if (ok) {
        r->metrics[r->n_metrics++] = m;
    }
    pthread_mutex_unlock(&r->mu);
    if (!ok) {
        nc_free(m);
        return NULL;
    }
    return m;
}

struct nc_mx_metric *nc_mx_counter(
        struct nc_mx_registry *r, const char *name, const char *help, const char *const *labels)
{
    return add_metric(r, name, help, labels, NC_MX_COUNTER);
}

struct nc_mx_metric *nc_mx_gauge(
        struct nc_mx_registry *r, const char *name, const char *help, const char *const *labels)
{
    return add_metric(r, name, help, labels, NC_MX_GAUGE);
}

static uint64_t to_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

static double from_bits(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

void nc_mx_set(struct nc_mx_metric *m, double v)
{
    if (m) {
        atomic_store_explicit(&m->bits, to_bits(v), memory_order_relaxed);
    }
}

void nc_mx_add(struct nc_mx_metric *m, double v)
{
    if (!m) {
        return;
    }
    uint64_t old = atomic_load_explicit(&m->bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&m->bits, &old, to_bits(from_bits(old) + v),
            memory_order_relaxed, memory_order_relaxed)) {
    }
}

double nc_mx_value(const struct nc_mx_metric *m)
{
    if (!m) {
        return 0;
    }
    return from_bits(
            atomic_load_explicit((_Atomic uint64_t *)(uintptr_t)&m->bits, memory_order_relaxed));
}

int nc_mx_add_collector(struct nc_mx_registry *r, nc_mx_collect_fn *fn, void *ctx)
{
    pthread_mutex_lock(&r->mu);
    int rc = NC_ELIMIT;
    if (r->n_coll < NC_MX_MAX_COLLECTORS) {
        r->coll[r->n_coll++] = (struct collector){ fn, ctx };
        rc = NC_OK;
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* ----------------------------------------------------------- emitting */

static void close_family(struct nc_mx_emit *e)
{
    if (e->open) {
        e->fam[e->n_fam - 1].end = e->body.len;
        e->open = false;
    }
}

static int hard(struct nc_mx_emit *e, int rc)
{
    if (rc != NC_OK && e->err == NC_OK) {
        e->err = rc;
    }
    return rc;
}

int nc_mx_family(struct nc_mx_emit *e, const char *name, enum nc_mx_kind kind, const char *help)
{
    close_family(e);
    if (!nc_mx_valid_name(name)) {
        return NC_EARG;
    }
    for (size_t i = 0; i < e->n_fam; i++) {
        if (strcmp(e->fam[i].name, name) == 0) {
            return NC_EARG;
        }
    }
    if (e->n_fam == NC_MX_MAX_FAMILIES) {
        return hard(e, NC_ELIMIT);
    }
    struct family *f = &e->fam[e->n_fam];
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->start = e->body.len;
    int rc = nc_dbuf_printf(&e->body, "# HELP %s ", name);
    if (rc == NC_OK) {
        rc = nc_mx_escape_help(&e->body, help ? help : "");
    }
    if (rc == NC_OK) {
        rc = nc_dbuf_printf(&e->body, "\n# TYPE %s %s\n", name,
                kind == NC_MX_COUNTER ? "counter"
                : kind == NC_MX_GAUGE ? "gauge"
                                      : "summary");
    }
    if (rc != NC_OK) {
        e->body.len = f->start;
        return hard(e, rc);
    }
    e->n_fam++;
    e->open = true;
    return NC_OK;
}

int nc_mx_sample_labels(struct nc_mx_emit *e, const char *value, const char *const *kv, size_t n)
{
    if (!e->open) {
        return NC_EARG;
    }
    if (n > NC_MX_MAX_LABELS) {
        return NC_EARG;
    }
    for (size_t i = 0; i < n; i++) {
        if (!nc_mx_valid_label(kv[2 * i]) || !kv[2 * i + 1]) {
            return NC_EARG;
        }
    }
    size_t mark = e->body.len;
    int rc = nc_dbuf_puts(&e->body, e->fam[e->n_fam - 1].name);
    for (size_t i = 0; i < n && rc == NC_OK; i++) {
        rc = nc_dbuf_printf(&e->body, "%s%s=\"", i ? "," : "{", kv[2 * i]);
        if (rc == NC_OK) {
            rc = nc_mx_escape_label(&e->body, kv[2 * i + 1]);
        }
        if (rc == NC_OK) {
            rc = nc_dbuf_putc(&e->body, '"');
        }
    }
    if (rc == NC_OK && n) {
        rc = nc_dbuf_putc(&e->body, '}');
    }
    if (rc == NC_OK) {
        rc = nc_dbuf_printf(&e->body, " %s\n", value);
    }
    if (rc != NC_OK) {
        e->body.len = mark;
        return hard(e, rc);
    }
    return NC_OK;
}

int nc_mx_summary_end(struct nc_mx_emit *e, double sum, uint64_t count)
{
    if (!e->open) {
        return NC_EARG;
    }
    char v[64];
    nc_mx_format_f64(v, sizeof(v), sum);
    const char *name = e->fam[e->n_fam - 1].name;
    int rc = nc_dbuf_printf(
            &e->body, "%s_sum %s\n%s_count %llu\n", name, v, name, (unsigned long long)count);
    return rc == NC_OK ? NC_OK : hard(e, rc);
}

static int sample_va(struct nc_mx_emit *e, const char *value, va_list ap)
{
    const char *kv[2 * NC_MX_MAX_LABELS];
    size_t n = 0;
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k) {
            break;
        }
        const char *v = va_arg(ap, const char *);
        if (n == NC_MX_MAX_LABELS) {
            return NC_EARG;
        }
        kv[2 * n] = k;
        kv[2 * n + 1] = v;
        n++;
    }
    return nc_mx_sample_labels(e, value, kv, n);
}

int nc_mx_sample_u64(struct nc_mx_emit *e, uint64_t v, ...)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    va_list ap;
    va_start(ap, v);
    int rc = sample_va(e, buf, ap);
    va_end(ap);
    return rc;
}

int nc_mx_sample_f64(struct nc_mx_emit *e, double v, ...)
{
    char buf[40];
    nc_mx_format_f64(buf, sizeof(buf), v);
    va_list ap;
    va_start(ap, v);
    int rc = sample_va(e, buf, ap);
    va_end(ap);
    return rc;
}

/* ------------------------------------------------------------ render */

/* The registry's own metrics, a family per name in order of first
 * registration (mutex held). */
static int emit_owned(struct nc_mx_registry *r, struct nc_mx_emit *e)
{
    for (size_t i = 0; i < r->n_metrics; i++) {
        const struct nc_mx_metric *m = r->metrics[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(r->metrics[j]->name, m->name) == 0;
        }
        if (seen) {
            continue;
        }
        (void)nc_mx_family(e, m->name, m->kind, m->help);
        for (size_t j = i; j < r->n_metrics; j++) {
            const struct nc_mx_metric *o = r->metrics[j];
            if (strcmp(o->name, m->name) != 0) {
                continue;
            }
            const char *kv[2 * NC_MX_MAX_LABELS];
            const char *p = o->labels;
            for (size_t k = 0; k < 2 * o->n_labels; k++) {
                kv[k] = p;
                p += strlen(p) + 1;
            }
            char val[40];
            nc_mx_format_f64(val, sizeof(val), nc_mx_value(o));
            (void)nc_mx_sample_labels(e, val, kv, o->n_labels);
        }
    }
    return e->err;
}

static int cmp_family(const void *a, const void *b)
{
    return strcmp(((const struct family *)a)->name, ((const struct family *)b)->name);
}

int nc_mx_render(struct nc_mx_registry *r, struct nc_dbuf *out)
{
    nc_dbuf_reset(out);
    struct nc_mx_emit e;
    memset(&e, 0, sizeof(e));
    nc_dbuf_init(&e.body, NC_MX_TEXT_MAX);
    e.fam = nc_calloc(NC_MX_MAX_FAMILIES, sizeof(*e.fam));
    if (!e.fam) {
        nc_dbuf_fini(&e.body);
        return NC_ENOMEM;
    }
    pthread_mutex_lock(&r->mu);
    int rc = emit_owned(r, &e);
    for (size_t i = 0; i < r->n_coll && rc == NC_OK; i++) {
        rc = r->coll[i].fn(r->coll[i].ctx, &e);
        close_family(&e);
        if (rc == NC_OK) {
            rc = e.err;
        }
    }
    pthread_mutex_unlock(&r->mu);
    close_family(&e);
    if (rc == NC_OK) {
        qsort(e.fam, e.n_fam, sizeof(*e.fam), cmp_family);
        for (size_t i = 0; i < e.n_fam && rc == NC_OK; i++) {
            rc = nc_dbuf_append(out, e.body.p + e.fam[i].start, e.fam[i].end - e.fam[i].start);
        }
    }
    nc_free(e.fam);
    nc_dbuf_fini(&e.body);
    return rc;
}
