/*
 * summary: netcap util: tools for record files (check, stats, convert) and
 *          for capture times (time). This file holds the subcommand table,
 *          argument handling shared by them, and `util check`.
 */
#include "cmd/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "record/ncscan.h"

struct sub {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static const struct sub subs[] = {
    { "check", nc_util_check, "validate record files: framing, header, every record, times" },
    { "stats", nc_util_stats, "per file: records, time span, size and uncompressed size" },
    { "convert", nc_util_convert, "rewrite a record file as proto, CSV or JSON, recompressed" },
    { "time", nc_util_time, "convert times: ns since the epoch, Unix seconds, RFC 3339" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: netcap util <subcommand> [flags] [arguments]   "
                 "(netcap util <subcommand> -h for its flags)\n\n"
                 "Tools for netcap record files (.ncap, .ncap.zst, .ncap.gz) and capture times.\n\n"
                 "subcommands:\n");
    for (size_t i = 0; i < NC_ARRAY_LEN(subs); i++) {
        fprintf(out, "  %-9s %s\n", subs[i].name, subs[i].help);
    }
    fprintf(out, "\nexamples:\n"
                 "  netcap util check records/\n"
                 "  netcap util stats -json records/DNS.ncap.zst\n"
                 "  netcap util convert -read DNS.ncap.zst -out DNS.ncap.gz\n"
                 "  netcap util time 1700000000123456789\n");
}

int nc_cmd_util(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return NC_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return NC_EXIT_OK;
    }
    for (size_t i = 0; i < NC_ARRAY_LEN(subs); i++) {
        if (strcmp(subs[i].name, name) == 0) {
            nc_record_init();
            return subs[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr,
            "netcap util: unknown subcommand '%s' (check, stats, convert, time; see "
            "netcap util -h)\n",
            name);
    return NC_EXIT_USAGE;
}

/* ------------------------------------------------------------ arguments */

static bool is_flag(const char *a, bool values_may_be_negative)
{
    if (a[0] != '-' || a[1] == '\0') {
        return false;
    }
    if (values_may_be_negative && ((a[1] >= '0' && a[1] <= '9') || a[1] == '.')) {
        return false;
    }
    return true;
}

void nc_util_split_args(int argc, char **argv, bool values_may_be_negative, char **fargv,
        int *fargc, char **pargv, int *pargc)
{
    *fargc = 1;
    *pargc = 0;
    fargv[0] = argv[0];
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        if (!flags_done && strcmp(argv[i], "--") == 0) {
            flags_done = true;
        } else if (!flags_done && is_flag(argv[i], values_may_be_negative)) {
            fargv[(*fargc)++] = argv[i];
        } else {
            pargv[(*pargc)++] = argv[i];
        }
    }
}

static int files_add(struct nc_util_files *l, const char *path, size_t n, const char *err)
{
    if (l->n == NC_UTIL_MAX_FILES) {
        return NC_ELIMIT;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct nc_util_file *v = nc_realloc(l->v, cap * sizeof(*v));
        if (!v) {
            return NC_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    char *p = nc_malloc(n + 1);
    if (!p) {
        return NC_ENOMEM;
    }
    memcpy(p, path, n);
    p[n] = '\0';
    l->v[l->n++] = (struct nc_util_file){ p, err };
    return NC_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The names capture writes for proto files (.partial ones are unfinished). */
static bool record_file_name(const char *name)
{
    return ends_with(name, ".ncap") || ends_with(name, ".ncap.zst") || ends_with(name, ".ncap.gz");
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const struct nc_util_file *)a)->path, ((const struct nc_util_file *)b)->path);
}

static int add_dir(struct nc_util_files *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return files_add(l, dir, strlen(dir), "cannot read the directory");
    }
    size_t first = l->n;
    int rc = NC_OK;
    char path[4096];
    for (struct dirent *e = readdir(d); e && rc == NC_OK; e = readdir(d)) {
        if (!record_file_name(e->d_name)) {
            continue;
        }
        int n = snprintf(
                path, sizeof(path), "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        struct stat st;
        if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        rc = files_add(l, path, (size_t)n, NULL);
    }
    closedir(d);
    if (rc == NC_OK && l->n == first) {
        return files_add(l, dir, strlen(dir),
                "no record files (*.ncap, *.ncap.zst, *.ncap.gz) in this directory");
    }
    qsort(l->v + first, l->n - first, sizeof(*l->v), cmp_path);
    return rc;
}

int nc_util_files_collect(struct nc_util_files *l, int argc, char **argv)
{
    int rc = NC_OK;
    for (int i = 0; i < argc && rc == NC_OK; i++) {
        struct stat st;
        if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = add_dir(l, argv[i]);
        } else {
            rc = files_add(l, argv[i], strlen(argv[i]), NULL);
        }
    }
    return rc;
}

void nc_util_files_free(struct nc_util_files *l)
{
    for (size_t i = 0; i < l->n; i++) {
        nc_free(l->v[i].path);
    }
    nc_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* ---------------------------------------------------------------- check */

static const char check_synopsis[] =
        "Validate record files: netcap util check [flags] FILE|DIR...\n"
        "A directory means its *.ncap, *.ncap.zst and *.ncap.gz files. Each file is\n"
        "read the way netcap dump reads it, to the end: the compression framing\n"
        "(every zstd frame and gzip member complete), the header (a netcap header,\n"
        "this netcap's schema version, type_name matching the type), every record's\n"
        "length and protobuf decoding as the header's type, and what a type promises\n"
        "about its times (a Connection's timestamp_last is not before its\n"
        "timestamp_first; duration is their difference). Records are in packet order\n"
        "and a capture's clock may step back, so times may decrease from one record\n"
        "to the next unless -ordered is given.\n"
        "\n"
        "Output, one line per file, then a summary line:\n"
        "  OK <file>: N records, <type>, schema vN\n"
        "  BAD <file>: record #K at offset O: <what is wrong>\n"
        "K counts records from 1 after the header (the records before it are good);\n"
        "O is the byte offset of record K in the uncompressed stream (the file itself\n"
        "for .ncap). A file that is not a record file, or whose header is wrong, gets\n"
        "BAD <file>: <what is wrong>.\n"
        "\n"
        "Exit status: 0 every file is good, 1 bad flags, 2 a file is bad or missing.\n"
        "\n"
        "example:\n"
        "  netcap util check records/ old/DNS.ncap.gz";

static void print_bad(FILE *out, const char *path, const struct nc_scan *s)
{
    if (!s->opened || s->bad_record == 0) {
        fprintf(out, "BAD %s: %s\n", path, s->why);
    } else {
        fprintf(out, "BAD %s: record #%llu at offset %llu: %s\n", path,
                (unsigned long long)s->bad_record, (unsigned long long)s->bad_offset, s->why);
    }
}

int nc_util_check(int argc, char **argv)
{
    bool quiet = false;
    struct nc_scan_opts so = { 0 };
    const struct nc_flag flags[] = {
        { "ordered", NC_FLAG_BOOL, &so.ordered, NULL,
                "also require times that never decrease from record to record", 0, 0 },
        { "quiet", NC_FLAG_BOOL, &quiet, NULL, "print only BAD lines and the summary", 0, 0 },
    };
    char **fargv = nc_calloc((size_t)argc + 1, sizeof(char *));
    char **pargv = nc_calloc((size_t)argc + 1, sizeof(char *));
    struct nc_util_files files = { 0 };
    int fargc = 0, pargc = 0, rc = NC_EXIT_FAILURE;
    if (!fargv || !pargv) {
        fprintf(stderr, "netcap util check: out of memory\n");
        goto out;
    }
    nc_util_split_args(argc, argv, false, fargv, &fargc, pargv, &pargc);
    rc = nc_flags_parse("util check", check_synopsis, flags, NC_ARRAY_LEN(flags), fargc, fargv);
    if (rc != NC_EXIT_OK) {
        rc = rc < 0 ? NC_EXIT_OK : rc;
        goto out;
    }
    if (pargc == 0) {
        fprintf(stderr, "netcap util check: name at least one FILE or DIR (see netcap util "
                        "check -h)\n");
        rc = NC_EXIT_USAGE;
        goto out;
    }
    if (nc_util_files_collect(&files, pargc, pargv) != NC_OK) {
        fprintf(stderr, "netcap util check: too many files or out of memory\n");
        rc = NC_EXIT_FAILURE;
        goto out;
    }
    size_t good = 0;
    for (size_t i = 0; i < files.n; i++) {
        const struct nc_util_file *uf = &files.v[i];
        struct nc_scan s;
        if (uf->err) {
            printf("BAD %s: %s\n", uf->path, uf->err);
            continue;
        }
        if (nc_scan_file(uf->path, &so, &s) != NC_OK) {
            print_bad(stdout, uf->path, &s);
            continue;
        }
        good++;
        if (!quiet) {
            printf("OK %s: %llu record%s, %s, schema v%u", uf->path, (unsigned long long)s.records,
                    s.records == 1 ? "" : "s", nc_rec_info(s.type)->name, s.schema_version);
            if (s.unknown > 0) {
                printf(" (%llu with fields this netcap does not know: written by a newer one?)",
                        (unsigned long long)s.unknown);
            }
            printf("\n");
        }
    }
    printf("checked %zu file%s: %zu good, %zu bad\n", files.n, files.n == 1 ? "" : "s", good,
            files.n - good);
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
