/*
 * summary: fuzz target: a record file scanned the way `netcap util check`
 *          and `util stats` scan it (record/ncscan.c), plain or with
 *          -ordered chosen by the input's last byte.
 *
 * The reader underneath is fuzzed by fuzz_dump; this target covers what
 * the scan adds: the header checks, the time fields read by descriptor
 * offset, the Connection span promise, the record offsets, and the
 * Netcap (Go) header detection, which runs on every header. The result
 * must be self-consistent: a bad file names a reason, and a record index
 * never beyond the records found good plus one.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/ncscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    uint8_t *copy = fuzz_dup(data, size);
    char path[64];
    int fd = fuzz_memfd(copy, size, path, sizeof(path));
    free(copy);

    struct nc_scan_opts o = { .ordered = size > 0 && (data[size - 1] & 1) };
    struct nc_scan s;
    int rc = nc_scan_file(path, &o, &s);
    if (rc == NC_OK) {
        if (s.bad || s.type == NC_REC_NONE || s.stream_size == 0) {
            abort();
        }
        if (s.have_time && s.t_min > s.t_max) {
            abort();
        }
    } else {
        if (!s.bad || s.why[0] == '\0' || s.bad_record > s.records + 1) {
            abort();
        }
        if (s.bad_record > 0 && s.bad_offset >= (uint64_t)1 << 62) {
            abort();
        }
    }
    close(fd);
    return 0;
}
