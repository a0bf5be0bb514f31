/*
 * summary: netcap util stats: records, time span and sizes of record files,
 *          as an aligned table or JSON Lines, with a total.
 */
#include "cmd/util.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "record/ncscan.h"

static const char stats_synopsis[] =
        "Figures of record files: netcap util stats [flags] FILE|DIR...\n"
        "A directory means its *.ncap, *.ncap.zst and *.ncap.gz files. Per file: the\n"
        "number of records, the earliest and latest record time (RFC 3339 UTC with\n"
        "ns; a Connection spans timestamp_first..timestamp_last), the duration\n"
        "between them (like 1h2m3.5s), the file size and the size of the uncompressed record "
        "stream\n"
        "(header included); then a total line. Files are read to the end and\n"
        "validated like util check: a bad file is reported on stderr and left out\n"
        "of the total.\n"
        "\n"
        "-json prints JSON Lines instead: one object per file, with the keys file,\n"
        "type, records, first, last (ns, null without records), first_time,\n"
        "last_time (RFC 3339), duration_ns, size, uncompressed; then the total, an\n"
        "object with file null and files (the number of good files).\n"
        "\n"
        "Exit status: 0 ok, 1 bad flags, 2 a file is bad or missing.\n"
        "\n"
        "examples:\n"
        "  netcap util stats records/\n"
        "  netcap util stats -json records/DNS.ncap.zst";

struct figures {
    uint64_t records, size, uncompressed;
    bool have_time;
    int64_t t_min, t_max;
};

static void add(struct figures *tot, const struct figures *f)
{
    tot->records += f->records;
    tot->size += f->size;
    tot->uncompressed += f->uncompressed;
    if (f->have_time) {
        tot->t_min = tot->have_time ? NC_MIN(tot->t_min, f->t_min) : f->t_min;
        tot->t_max = tot->have_time ? NC_MAX(tot->t_max, f->t_max) : f->t_max;
        tot->have_time = true;
    }
}

/* A JSON string of a file name: printable ASCII and valid UTF-8 as is,
 * other bytes as U+FFFD, quotes, backslashes and controls escaped. */
static void json_str(const char *s)
{
    size_t n = strlen(s);
    bool utf8 = nc_utf8_valid((const uint8_t *)s, n);
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            printf("\\u%04x", c);
        } else if (c >= 0x80 && !utf8) {
            fputs("\xef\xbf\xbd", stdout);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

static void print_json(const char *file, const char *type, size_t files, const struct figures *f)
{
    fputs("{\"file\":", stdout);
    if (file) {
        json_str(file);
        printf(",\"type\":\"%s\"", type);
    } else {
        printf("null,\"files\":%zu", files);
    }
    printf(",\"records\":%llu", (unsigned long long)f->records);
    if (f->have_time) {
        char a[NC_TIME_BUF], b[NC_TIME_BUF];
        nc_time_str(a, f->t_min, NC_TIME_UTC);
        nc_time_str(b, f->t_max, NC_TIME_UTC);
        printf(",\"first\":%lld,\"last\":%lld,\"first_time\":\"%s\",\"last_time\":\"%s\","
               "\"duration_ns\":%lld",
                (long long)f->t_min, (long long)f->t_max, a, b,
                (long long)nc_sat_sub(f->t_max, f->t_min));
    } else {
        fputs(",\"first\":null,\"last\":null,\"first_time\":null,\"last_time\":null,"
              "\"duration_ns\":null",
                stdout);
    }
    printf(",\"size\":%llu,\"uncompressed\":%llu}\n", (unsigned long long)f->size,
            (unsigned long long)f->uncompressed);
}

/* Fixed columns: the widest value of each fits (times are 30 characters,
 * a duration at most 24: "2562047h47m16.854775807s"); the file name comes last, so long names do
 * not push the columns apart. */
static void print_row(const char *file, const char *type, const struct figures *f)
{
    char a[NC_TIME_BUF] = "-", b[NC_TIME_BUF] = "-", d[NC_TIME_BUF] = "-";
    if (f->have_time) {
        nc_time_str(a, f->t_min, NC_TIME_UTC);
        nc_time_str(b, f->t_max, NC_TIME_UTC);
        nc_duration_str(d, nc_sat_sub(f->t_max, f->t_min));
    }
    printf("%10llu  %-30s  %-30s  %24s  %12llu  %12llu  %-27s  %s\n",
            (unsigned long long)f->records, a, b, d, (unsigned long long)f->size,
            (unsigned long long)f->uncompressed, type, file);
}

int nc_util_stats(int argc, char **argv)
{
    bool json = false;
    const struct nc_flag flags[] = {
        { "json", NC_FLAG_BOOL, &json, NULL, "print JSON Lines (keys above)", 0, 0 },
    };
    char **fargv = nc_calloc((size_t)argc + 1, sizeof(char *));
    char **pargv = nc_calloc((size_t)argc + 1, sizeof(char *));
    struct nc_util_files files = { 0 };
    int fargc = 0, pargc = 0, rc = NC_EXIT_FAILURE;
    if (!fargv || !pargv) {
        fprintf(stderr, "netcap util stats: out of memory\n");
        goto out;
    }
    nc_util_split_args(argc, argv, false, fargv, &fargc, pargv, &pargc);
    rc = nc_flags_parse("util stats", stats_synopsis, flags, NC_ARRAY_LEN(flags), fargc, fargv);
    if (rc != NC_EXIT_OK) {
        rc = rc < 0 ? NC_EXIT_OK : rc;
        goto out;
    }
    if (pargc == 0) {
        fprintf(stderr, "netcap util stats: name at least one FILE or DIR (see netcap util "
                        "stats -h)\n");
        rc = NC_EXIT_USAGE;
        goto out;
    }
    if (nc_util_files_collect(&files, pargc, pargv) != NC_OK) {
        fprintf(stderr, "netcap util stats: too many files or out of memory\n");
        rc = NC_EXIT_FAILURE;
        goto out;
    }
    if (!json) {
        printf("%10s  %-30s  %-30s  %24s  %12s  %12s  %-27s  %s\n", "records", "first", "last",
                "duration", "size", "uncompressed", "type", "file");
    }
    struct figures tot = { 0 };
    size_t good = 0;
    for (size_t i = 0; i < files.n; i++) {
        const struct nc_util_file *uf = &files.v[i];
        struct nc_scan s;
        if (uf->err) {
            fprintf(stderr, "netcap util stats: %s: %s\n", uf->path, uf->err);
            continue;
        }
        if (nc_scan_file(uf->path, NULL, &s) != NC_OK) {
            if (!s.opened || s.bad_record == 0) {
                fprintf(stderr, "netcap util stats: %s: %s\n", uf->path, s.why);
            } else {
                fprintf(stderr, "netcap util stats: %s: record #%llu at offset %llu: %s\n",
                        uf->path, (unsigned long long)s.bad_record,
                        (unsigned long long)s.bad_offset, s.why);
            }
            continue;
        }
        struct figures f = { s.records, s.file_size, s.stream_size, s.have_time, s.t_min, s.t_max };
        const char *type = nc_rec_info(s.type)->name;
        if (json) {
            print_json(uf->path, type, 0, &f);
        } else {
            print_row(uf->path, type, &f);
        }
        add(&tot, &f);
        good++;
    }
    if (json) {
        print_json(NULL, NULL, good, &tot);
    } else {
        char label[64];
        snprintf(label, sizeof(label), "(%zu file%s)", good, good == 1 ? "" : "s");
        print_row(label, "total", &tot);
    }
    rc = good == files.n ? NC_EXIT_OK : NC_EXIT_FAILURE;
out:
    if (fflush(stdout) != 0) {
        rc = NC_EXIT_FAILURE;
    }
    nc_util_files_free(&files);
    nc_free(fargv);
    nc_free(pargv);
    return rc;
}
