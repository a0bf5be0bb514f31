/*
 * summary: validate and measure one record file (see ncscan.h).
 */
#include "record/ncscan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Where a type keeps its times: offsets into the C struct, -1 if absent. */
struct times {
    int lo;       /* "timestamp", or "timestamp_first" */
    int hi;       /* "timestamp_last", or lo */
    int first;    /* "timestamp_first" and "timestamp_last": a span that */
    int last;     /*   must not run backwards */
    int duration; /* "duration": last - first */
};

static int int64_field(const ProtobufCMessageDescriptor *d, const char *name)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
    if (!f || f->type != PROTOBUF_C_TYPE_INT64 || f->label == PROTOBUF_C_LABEL_REPEATED) {
        return -1;
    }
    return (int)f->offset;
}

static struct times times_of(const ProtobufCMessageDescriptor *d)
{
    struct times t;
    t.first = int64_field(d, "timestamp_first");
    t.last = int64_field(d, "timestamp_last");
    t.duration = int64_field(d, "duration");
    t.lo = int64_field(d, "timestamp");
    if (t.lo < 0) {
        t.lo = t.first;
    }
    t.hi = t.last >= 0 ? t.last : t.lo;
    return t;
}

static int64_t get64(const ProtobufCMessage *m, int off)
{
    int64_t v;
    memcpy(&v, (const uint8_t *)m + off, sizeof(v));
    return v;
}

/* Records the first problem; returns rc. */
static int fail(struct nc_scan *s, int rc, uint64_t rec, uint64_t off, const char *fmt, ...)
        NC_PRINTF(5, 6);

static int fail(struct nc_scan *s, int rc, uint64_t rec, uint64_t off, const char *fmt, ...)
{
    s->bad = true;
    s->bad_rc = rc;
    s->bad_record = rec;
    s->bad_offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof(s->why), fmt, ap);
    va_end(ap);
    return rc;
}

/* The header's promises beyond what the reader checks. */
static int check_header(struct nc_scan *s, const Netcap__Header *h)
{
    const char *want = nc_rec_info(s->type)->name;
    const char *tn = h->type_name ? h->type_name : "";
    if (h->schema_version == 0) {
        return fail(s, NC_EMALFORMED, 0, 0, "header: no schema_version");
    }
    if (h->schema_version > NC_SCHEMA_VERSION) {
        return fail(s, NC_EUNSUPP, 0, 0,
                "header: schema v%u is newer than this netcap's (v%d): use a newer netcap",
                h->schema_version, NC_SCHEMA_VERSION);
    }
    if (h->schema_version != NC_SCHEMA_VERSION) {
        return fail(s, NC_EUNSUPP, 0, 0, "header: schema v%u, this netcap reads v%d",
                h->schema_version, NC_SCHEMA_VERSION);
    }
    if (strcmp(tn, want) != 0) {
        return fail(s, NC_EMALFORMED, 0, 0,
                "header: type %d is %s but type_name says \"%.40s\" (wrong header type)",
                (int)h->type, want, tn);
    }
    return NC_OK;
}

/* What one record promises about its times; NC_OK or a failure. */
static int check_times(struct nc_scan *s, const struct times *t, const ProtobufCMessage *m,
        const struct nc_scan_opts *o, int64_t *prev, uint64_t idx, uint64_t off)
{
    if (t->first >= 0 && t->last >= 0) {
        int64_t a = get64(m, t->first), b = get64(m, t->last);
        if (b < a) {
            return fail(s, NC_EMALFORMED, idx, off,
                    "timestamp_last %lld is before timestamp_first %lld", (long long)b,
                    (long long)a);
        }
        if (t->duration >= 0 && get64(m, t->duration) != nc_sat_sub(b, a)) {
            return fail(s, NC_EMALFORMED, idx, off,
                    "duration %lld is not timestamp_last - timestamp_first (%lld)",
                    (long long)get64(m, t->duration), (long long)nc_sat_sub(b, a));
        }
    }
    if (t->lo < 0) {
        return NC_OK;
    }
    int64_t lo = get64(m, t->lo), hi = get64(m, t->hi);
    if (o && o->ordered && s->records > 0 && lo < *prev) {
        return fail(s, NC_EMALFORMED, idx, off,
                "time %lld is before the previous record's (%lld) (-ordered)", (long long)lo,
                (long long)*prev);
    }
    *prev = lo;
    if (!s->have_time) {
        s->t_min = lo;
        s->t_max = hi;
        s->have_time = true;
    }
    s->t_min = NC_MIN(s->t_min, lo);
    s->t_max = NC_MAX(s->t_max, NC_MAX(lo, hi));
    return NC_OK;
}

/* Records of our own schema never carry unknown fields; these do when a
 * newer netcap wrote them, or when damage turned a tag into another. */
static bool has_unknown(const ProtobufCMessage *m)
{
    return m->n_unknown_fields > 0;
}

static int scan_records(struct nc_scan *s, struct nc_ncfile *f, const struct nc_scan_opts *o)
{
    struct times t = times_of(nc_ncfile_desc(f));
    int64_t prev = INT64_MIN;
    char errbuf[NC_ERRBUF_SIZE];
    for (;;) {
        const ProtobufCMessage *m = NULL;
        int rc = nc_ncfile_next(f, &m, errbuf);
        uint64_t idx = nc_ncfile_count(f) + (rc != NC_OK);
        uint64_t off = nc_ncfile_record_offset(f);
        if (rc != NC_OK) {
            /* The reader says "record K: why"; K and the offset go apart. */
            char prefix[48];
            int pn = snprintf(prefix, sizeof(prefix), "record %llu: ", (unsigned long long)idx);
            const char *why = errbuf;
            if (pn > 0 && strncmp(errbuf, prefix, (size_t)pn) == 0) {
                why += pn;
            }
            return fail(s, rc, idx, off, "%s", why);
        }
        if (!m) {
            s->stream_size = nc_ncfile_stream_offset(f);
            return NC_OK;
        }
        rc = check_times(s, &t, m, o, &prev, idx, off);
        if (rc != NC_OK) {
            return rc;
        }
        s->unknown += has_unknown(m);
        s->records++;
    }
}

int nc_scan_file(const char *path, const struct nc_scan_opts *opts, struct nc_scan *s)
{
    memset(s, 0, sizeof(*s));
    s->type = NC_REC_NONE;
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        s->file_size = (uint64_t)st.st_size;
    }
    struct nc_ncfile *f = NULL;
    char errbuf[NC_ERRBUF_SIZE];
    int rc = nc_ncfile_open(&f, path, errbuf);
    if (rc != NC_OK) {
        return fail(s, rc, 0, 0, "%s", errbuf);
    }
    s->opened = true;
    s->type = nc_ncfile_type(f);
    s->comp = nc_ncfile_comp(f);
    s->schema_version = nc_ncfile_header(f)->schema_version;
    rc = check_header(s, nc_ncfile_header(f));
    if (rc == NC_OK) {
        rc = scan_records(s, f, opts);
    }
    nc_ncfile_close(f);
    return rc;
}
