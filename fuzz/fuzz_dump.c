/*
 * summary: fuzz target: a record file (plain, zstd or gzip) read the way
 *          `netcap dump` reads it, every record rendered in every view.
 *
 * The input is written to a memfd and opened by its /proc/self/fd path with
 * nc_ncfile_open; records come from nc_ncfile_next until the end or the
 * first error. The header and each record are rendered as CSV, JSON and
 * display text (the table view) and checked (fuzz/common.c); records
 * without unknown fields also go through the encoding round trip, since
 * the encoders write only known fields.
 *
 * The readable views go over the same records: a -where expression built
 * from the record type's fields (every operator kind: numbers, names,
 * times, CIDRs, regex, bytes) is matched against each record, each record
 * is rendered with times, names and _name columns, and all fields go
 * through the -summary counter, whose report is printed at the end.
 *
 * Memory must stay bounded whatever the input (ncfile.h): run with
 * -rss_limit_mb=2048 (make fuzz-smoke does); a decompression bomb may cost
 * time but never more memory.
 */
#include "common.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dbuf.h"
#include "record/enums.h"
#include "record/filter.h"
#include "record/ncfile.h"
#include "record/reflect.h"
#include "record/summary.h"

enum {
    MAX_RECORDS = 20000, /* per input */
};

/* True if m or a message inside it carries fields the schema lacks. */
static bool has_unknown(const ProtobufCMessage *m, unsigned depth)
{
    if (m->n_unknown_fields > 0 || depth > 32) {
        return true;
    }
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const uint8_t *base = (const uint8_t *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which;
            memcpy(&which, base + f->quantifier_offset, sizeof(which));
            if (which != f->id) {
                continue; /* another member of the union is set */
            }
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n;
            const ProtobufCMessage *const *arr;
            memcpy(&n, base + f->quantifier_offset, sizeof(n));
            memcpy(&arr, base + f->offset, sizeof(arr));
            for (size_t k = 0; arr && k < n; k++) {
                if (arr[k] && has_unknown(arr[k], depth + 1)) {
                    return true;
                }
            }
        } else {
            const ProtobufCMessage *sub;
            memcpy(&sub, base + f->offset, sizeof(sub));
            if (sub && has_unknown(sub, depth + 1)) {
                return true;
            }
        }
    }
    return false;
}

/* A -where expression that touches every comparable top-level field of d,
 * each with the operator kinds its type allows. Must parse. */
static size_t build_expr(const ProtobufCMessageDescriptor *d, struct nc_dbuf *e)
{
    static const char *const joins[] = { " or ", " and not ", " || ", " && ! " };
    size_t n = 0;
    if (nc_dbuf_puts(e, "not (") != NC_OK) {
        fuzz_fail("expression buffer");
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *tmpl = NULL;
        switch (f->type) {
            case PROTOBUF_C_TYPE_STRING:
                tmpl = "(@~/^[0-9a-f]+(\\.|:)/ or @=10.0.0.0/8 or @!=::/0 or @>m)";
                break;
            case PROTOBUF_C_TYPE_BYTES:
                tmpl = "(@~0d0a or @=\"\")";
                break;
            case PROTOBUF_C_TYPE_BOOL:
                tmpl = "@=true";
                break;
            case PROTOBUF_C_TYPE_FLOAT:
            case PROTOBUF_C_TYPE_DOUBLE:
                tmpl = "@<1.5";
                break;
            case PROTOBUF_C_TYPE_MESSAGE:
                break;
            default:
                if (nc_field_kind(f) == NC_FIELD_TIME) {
                    tmpl = "@>=2011-03-18T19:06:08.5+01:00";
                } else if (nc_field_kind(f) == NC_FIELD_DURATION) {
                    tmpl = "@<1.5s";
                } else if (nc_enum_find(d, f) && f->label != PROTOBUF_C_LABEL_REPEATED) {
                    tmpl = "(@>=5 or @_name~/^[A-Z]/ or @_name<M)";
                } else {
                    tmpl = "@>=5";
                }
                break;
        }
        if (!tmpl) {
            continue;
        }
        if (n > 0 && nc_dbuf_puts(e, joins[n % 4]) != NC_OK) {
            fuzz_fail("expression buffer");
        }
        /* '@' in the template stands for the field name */
        for (const char *t = tmpl; *t; t++) {
            int rc = *t == '@' ? nc_dbuf_puts(e, f->name) : nc_dbuf_putc(e, *t);
            if (rc != NC_OK) {
                fuzz_fail("expression buffer");
            }
        }
        n++;
    }
    if (nc_dbuf_puts(e, ")") != NC_OK || nc_dbuf_putc(e, '\0') != NC_OK) {
        fuzz_fail("expression buffer");
    }
    return n;
}

static void check_rc_ok(int rc, const char *what)
{
    if (rc != NC_OK && rc != NC_ELIMIT) {
        fprintf(stderr, "fuzz: %s: %s\n", what, nc_strerror(rc));
        fuzz_fail("readable view failed");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    uint8_t *copy = fuzz_dup(data, size);
    char path[64];
    int fd = fuzz_memfd(copy, size, path, sizeof(path));
    free(copy);

    char errbuf[NC_ERRBUF_SIZE];
    struct nc_ncfile *f = NULL;
    if (nc_ncfile_open(&f, path, errbuf) == NC_OK) {
        const Netcap__Header *h = nc_ncfile_header(f);
        fuzz_check_render(&h->base);
        const ProtobufCMessageDescriptor *d = nc_ncfile_desc(f);
        struct nc_dbuf expr, out;
        nc_dbuf_init(&expr, 1 << 20);
        nc_dbuf_init(&out, 64 * 1024 * 1024);
        struct nc_filter *where = NULL;
        char ferr[NC_FILTER_ERRBUF_SIZE];
        if (build_expr(d, &expr) > 0 &&
                nc_filter_parse(&where, d, (const char *)expr.p, ferr, sizeof(ferr)) != NC_OK) {
            fprintf(stderr, "fuzz: %s: %s\n", (const char *)expr.p, ferr);
            fuzz_fail("generated -where expression did not parse");
        }
        struct nc_refl human, machine;
        struct nc_refl_opts ho = { .time = NC_TIME_UTC, .human = true, .durations = true };
        struct nc_refl_opts mo = { .time = NC_TIME_UNIX, .name_cols = true };
        struct nc_summary *sum = NULL;
        if (nc_refl_init(&human, d, &ho) != NC_OK || nc_refl_init(&machine, d, &mo) != NC_OK ||
                nc_summary_init(&sum, &human, nc_filter_time_field(d), 3) != NC_OK) {
            fuzz_fail("readable views: init failed");
        }
        /* records past the first MAX_RECORDS add time, not coverage: every
         * renderer has seen their kind by then (keeps each run well under
         * libFuzzer's -timeout on a loaded machine) */
        for (size_t n_recs = 0; n_recs < MAX_RECORDS; n_recs++) {
            const ProtobufCMessage *m = NULL;
            if (nc_ncfile_next(f, &m, errbuf) != NC_OK || !m) {
                break;
            }
            fuzz_check_render(m);
            if (!has_unknown(m, 0)) {
                fuzz_check_encode(m);
            }
            if (where) {
                (void)nc_filter_match(where, m);
            }
            check_rc_ok(nc_summary_add(sum, m), "summary");
            nc_dbuf_reset(&out);
            check_rc_ok(nc_refl_csv_row(&machine, m, &out), "csv with names");
            nc_dbuf_reset(&out);
            check_rc_ok(nc_refl_json(&machine, m, &out), "json with names");
            for (size_t c = 0; c < human.n_cols; c++) {
                nc_dbuf_reset(&out);
                check_rc_ok(nc_refl_text(&human, m, c, &out), "human text");
            }
        }
        nc_dbuf_reset(&out);
        check_rc_ok(nc_summary_print(sum, NC_TIME_LOCAL, &out), "summary print");
        nc_summary_free(sum);
        nc_refl_fini(&human);
        nc_refl_fini(&machine);
        nc_filter_free(where);
        nc_dbuf_fini(&expr);
        nc_dbuf_fini(&out);
    }
    nc_ncfile_close(f);
    close(fd);
    return 0;
}
