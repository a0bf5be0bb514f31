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
 * Memory must stay bounded whatever the input (ncfile.h): run with
 * -rss_limit_mb=2048 (make fuzz-smoke does); a decompression bomb may cost
 * time but never more memory.
 */
#include "common.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/ncfile.h"

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
        for (;;) {
            const ProtobufCMessage *m = NULL;
            if (nc_ncfile_next(f, &m, errbuf) != NC_OK || !m) {
                break;
            }
            fuzz_check_render(m);
            if (!has_unknown(m, 0)) {
                fuzz_check_encode(m);
            }
        }
    }
    nc_ncfile_close(f);
    close(fd);
    return 0;
}
