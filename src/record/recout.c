/*
 * summary: record collectors (see recout.h).
 */
#include "record/recout.h"

#include <string.h>

#include "core/mem.h"
#include "metrics/extract.h"
#include "record/encode.h"

void nc_recout_init(struct nc_recout *o, enum nc_format f, size_t buf_cap)
{
    memset(o, 0, sizeof(*o));
    o->format = f;
    o->buf_cap = buf_cap;
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_init(&o->list[t].buf, buf_cap);
    }
}

void nc_recout_fini(struct nc_recout *o)
{
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_fini(&o->list[t].buf);
        nc_free(o->list[t].tags);
        o->list[t].tags = NULL;
        if (o->refl[t]) {
            nc_refl_fini(o->refl[t]);
            nc_free(o->refl[t]);
            o->refl[t] = NULL;
        }
    }
}

void nc_recout_reset(struct nc_recout *o)
{
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        nc_dbuf_reset(&o->list[t].buf);
        o->list[t].n = 0;
    }
    o->lost = 0;
}

static int get_refl(struct nc_recout *o, enum nc_rec_type t, struct nc_refl **out)
{
    if (!o->refl[t]) {
        struct nc_refl *r = nc_calloc(1, sizeof(*r));
        if (!r) {
            return NC_ENOMEM;
        }
        int rc = nc_refl_init(r, nc_rec_info(t)->desc, NULL);
        if (rc != NC_OK) {
            nc_refl_fini(r);
            nc_free(r);
            return rc;
        }
        o->refl[t] = r;
    }
    *out = o->refl[t];
    return NC_OK;
}

int nc_recout_encode(
        struct nc_recout *o, enum nc_rec_type t, const ProtobufCMessage *m, struct nc_dbuf *b)
{
    if (o->format == NC_FORMAT_PROTO) {
        return nc_encode_record(b, t, m);
    }
    struct nc_refl *r;
    int rc = get_refl(o, t, &r);
    if (rc != NC_OK) {
        return rc;
    }
    size_t before = b->len;
    rc = o->format == NC_FORMAT_CSV ? nc_refl_csv_row(r, m, b) : nc_refl_json(r, m, b);
    if (rc != NC_OK) {
        b->len = before; /* a partial text row is cut off */
    }
    return rc;
}

int nc_recout_csv_header(struct nc_recout *o, enum nc_rec_type t, struct nc_dbuf *b)
{
    struct nc_refl *r;
    int rc = get_refl(o, t, &r);
    return rc == NC_OK ? nc_refl_csv_header(r, b) : rc;
}

int nc_recout_add(
        struct nc_recout *o, enum nc_rec_type t, uint64_t index, const ProtobufCMessage *m)
{
    struct nc_recout_list *l = &o->list[t];
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct nc_recout_tag *nt = nc_realloc(l->tags, cap * sizeof(*nt));
        if (!nt) {
            o->lost++;
            return NC_ENOMEM;
        }
        l->tags = nt;
        l->cap = cap;
    }
    size_t before = l->buf.len;
    int rc = nc_recout_encode(o, t, m, &l->buf);
    if (rc == NC_OK && l->buf.len > UINT32_MAX) {
        l->buf.len = before;
        rc = NC_ELIMIT;
    }
    if (rc != NC_OK) {
        o->lost++;
        return rc;
    }
    l->tags[l->n].index = index;
    l->tags[l->n].end = (uint32_t)l->buf.len;
    l->n++;
    nc_mx_on_record(t, m); /* netcap export: per-type metric extractors */
    return NC_OK;
}
