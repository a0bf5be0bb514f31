/*
 * summary: netcap dump: print a record file as a table, CSV, TSV or JSON Lines.
 *
 * All formatting comes from record/reflect.c (descriptor-driven); this file
 * only chooses the view, lays out the table and handles errors. Output is
 * collected in a buffer and written with fwrite in large pieces.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/dbuf.h"
#include "core/mem.h"
#include "record/filter.h"
#include "record/ncfile.h"
#include "record/record.h"
#include "record/reflect.h"
#include "record/summary.h"

enum {
    OUT_FLUSH = 256 * 1024,                 /* write the output buffer once it holds this much */
    OUT_CAP = OUT_FLUSH + NC_REFL_CELL_MAX, /* one row beyond the flush mark */
    SAMPLE_ROWS = 100,                      /* table: rows that decide the column widths */
    SAMPLE_BYTES = 16 * 1024 * 1024,        /* table: ...or fewer, if they are this large */
    COL_MAX_WIDTH = 40,                     /* table: widest column; longer values end in "…" */
    COL_GAP = 2,                            /* table: spaces between columns */
};

static const char synopsis[] =
        "Print the records of a netcap record file (.ncap, .ncap.zst, .ncap.gz;\n"
        "the compression is detected from the content; -read - reads stdin).\n"
        "\n"
        "Views:\n"
        "  (default)  an aligned table: one header line with the field names, then one\n"
        "             line per record. Column widths come from the first 100 records;\n"
        "             a value wider than its column, or than 40 characters, is cut and\n"
        "             ends in \"…\". When stdout is a terminal (or COLUMNS is set) and the\n"
        "             table would be wider than it, each record is instead printed as a\n"
        "             block of \"field: value\" lines, with nothing cut.\n"
        "  -csv       RFC 4180 CSV with a header row (-sep sets the separator)\n"
        "  -tsv       the same, tab-separated\n"
        "  -json      JSON Lines: one object per record\n"
        "Nested messages in table/CSV cells look like (a-b-c) (see -struct-begin,\n"
        "-struct-end, -struct-sep), repeated fields like x|y (-list-sep), bytes are\n"
        "lowercase hex.\n"
        "\n"
        "Readable records: the table prints times as UTC RFC 3339 and durations as\n"
        "1.5s (-time changes every view), and names for numbers (DNS type AAAA, rcode\n"
        "NXDOMAIN, IP protocol TCP, EtherType IPv4, ICMP types); CSV/TSV/JSON keep the\n"
        "numbers and add a <field>_name column after each named field.\n"
        "Filters (-where, -begin, -end) come before -n; -summary counts instead of\n"
        "printing. Examples:\n"
        "  netcap dump -read DNS.ncap.zst -where 'response_code=NXDOMAIN'\n"
        "  netcap dump -read Connection.ncap.zst -where 'src_ip=10.0.0.0/8 and dst_port<1024'\n"
        "  netcap dump -read HTTP.ncap.zst -begin 2011-03-18T19:00:00Z -end 2011-03-18T20:00:00Z\n"
        "  netcap dump -read Connection.ncap.zst -summary -top src_ip,dst_port -k 5\n"
        "  netcap dump -read DNS.ncap.zst -csv -time unix -select timestamp,id,response_code_name\n"
        "Full rules: docs/OUTPUT.md.\n"
        "\n"
        "Exit status: 0 ok, 1 bad flags, 2 the file is missing, unreadable, not a\n"
        "record file, corrupt or truncated (the records before the damage are printed\n"
        "first); as netcap capture gives 2 for such a capture.";

struct opts {
    const char *read;
    bool csv, tsv, json;
    const char *sep;
    const char *select;
    bool fields, header;
    const char *struct_begin, *struct_end, *struct_sep, *list_sep;
    long long max;
    const char *time; /* -time MODE */
    bool utc;         /* Netcap's -utc: -time utc */
    bool no_names;
    enum nc_time_mode time_mode;
    const char *where;
    const char *begin, *end; /* -begin/-end TIME */
    int64_t begin_ns, end_ns;
    bool summary;
    struct nc_strlist top; /* -top F1,F2 (repeatable) */
    long long k;
};

struct out {
    struct nc_dbuf b;
    bool closed; /* the reader went away (EPIPE): stop quietly */
};

/* Writes the buffer to stdout. NC_OK, NC_EIO with a message printed, or
 * NC_OK with o->closed set when stdout is a closed pipe. */
static int out_flush(struct out *o)
{
    if (o->closed) {
        nc_dbuf_reset(&o->b);
        return NC_OK;
    }
    if (o->b.len > 0 && fwrite(o->b.p, 1, o->b.len, stdout) != o->b.len) {
        goto fail;
    }
    nc_dbuf_reset(&o->b);
    return NC_OK;
fail:
    nc_dbuf_reset(&o->b);
    if (errno == EPIPE) {
        o->closed = true;
        return NC_OK;
    }
    fprintf(stderr, "netcap dump: write error: %s\n", strerror(errno));
    return NC_EIO;
}

static int out_maybe_flush(struct out *o)
{
    return o->b.len >= OUT_FLUSH ? out_flush(o) : NC_OK;
}

static int out_finish(struct out *o)
{
    int rc = out_flush(o);
    if (rc != NC_OK || o->closed) {
        return rc;
    }
    if (fflush(stdout) != 0) {
        if (errno == EPIPE) {
            o->closed = true;
            return NC_OK;
        }
        fprintf(stderr, "netcap dump: write error: %s\n", strerror(errno));
        return NC_EIO;
    }
    return NC_OK;
}

/* ------------------------------------------------------------ table view */

/* Display width: code points (the text is valid UTF-8, control characters
 * already escaped). East Asian wide characters count as one; good enough. */
static size_t text_width(const uint8_t *p, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        w += (p[i] & 0xc0) != 0x80;
    }
    return w;
}

/* Byte length of the first `cols` code points of p[0..n). */
static size_t text_prefix(const uint8_t *p, size_t n, size_t cols)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            if (w == cols) {
                return i;
            }
            w++;
        }
    }
    return n;
}

static int pad(struct nc_dbuf *o, size_t n)
{
    if (n == 0) {
        return NC_OK; /* o->p may still be NULL */
    }
    int rc = nc_dbuf_reserve(o, n);
    if (rc == NC_OK) {
        memset(o->p + o->len, ' ', n);
        o->len += n;
    }
    return rc;
}

/* One cell, cut to width w (with "…") and padded unless it is the last. */
static int put_cell(struct nc_dbuf *o, const uint8_t *p, size_t n, size_t w, bool right, bool last)
{
    size_t tw = text_width(p, n);
    int rc = NC_OK;
    if (tw > w) {
        size_t keep = w > 0 ? w - 1 : 0;
        rc = nc_dbuf_append(o, p, text_prefix(p, n, keep));
        if (rc == NC_OK && w > 0) {
            rc = nc_dbuf_puts(o, "\xe2\x80\xa6"); /* U+2026 HORIZONTAL ELLIPSIS */
        }
        return rc;
    }
    if (right) {
        rc = pad(o, w - tw);
    }
    if (rc == NC_OK) {
        rc = nc_dbuf_append(o, p, n);
    }
    if (rc == NC_OK && !right && !last) {
        rc = pad(o, w - tw);
    }
    return rc;
}

/* "<indent>name:   value\n" with values aligned after the widest name
 * (name_width); no trailing blanks when the value is empty. */
static int put_block_line(struct nc_dbuf *o, const char *indent, const char *name,
        size_t name_width, const uint8_t *p, size_t n)
{
    int rc = nc_dbuf_printf(o, "%s%s:", indent, name);
    if (rc == NC_OK && n > 0) {
        rc = pad(o, name_width - NC_MIN(strlen(name), name_width) + 1);
        if (rc == NC_OK) {
            rc = nc_dbuf_append(o, p, n);
        }
    }
    return rc == NC_OK ? nc_dbuf_putc(o, '\n') : rc;
}

struct table {
    struct nc_refl *refl;
    size_t n_cols;
    size_t *width;
    bool *right;
    size_t term_width;     /* 0: unknown/unlimited */
    bool blocks;           /* "field: value" blocks instead of a table */
    size_t name_width;     /* blocks: widest field name */
    struct nc_dbuf sample; /* cell text of the first rows */
    size_t *cell_end;      /* sample: end offset of each cell, row-major */
    size_t n_rows;
    struct nc_dbuf cell; /* scratch for one cell after the sample */
    uint64_t row_no;     /* blocks: record number */
};

static size_t terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return ws.ws_col;
    }
    const char *c = getenv("COLUMNS");
    if (c && *c) {
        char *end = NULL;
        unsigned long v = strtoul(c, &end, 10);
        if (end && *end == '\0' && v > 0 && v < 100000) {
            return v;
        }
    }
    return 0;
}

static int table_init(struct table *t, struct nc_refl *refl)
{
    memset(t, 0, sizeof(*t));
    t->refl = refl;
    t->n_cols = refl->n_cols;
    nc_dbuf_init(&t->sample, SAMPLE_BYTES);
    nc_dbuf_init(&t->cell, NC_REFL_CELL_MAX);
    size_t n = NC_MAX(t->n_cols, (size_t)1);
    t->width = nc_calloc(n, sizeof(*t->width));
    t->right = nc_calloc(n, sizeof(*t->right));
    t->cell_end = nc_calloc(n * SAMPLE_ROWS, sizeof(*t->cell_end));
    if (!t->width || !t->right || !t->cell_end) {
        return NC_ENOMEM;
    }
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *name = nc_refl_col_name(refl, c);
        t->width[c] = NC_MIN(strlen(name), (size_t)COL_MAX_WIDTH);
        t->right[c] = nc_refl_col_is_number(refl, c);
        t->name_width = NC_MAX(t->name_width, strlen(name));
    }
    t->term_width = terminal_width();
    return NC_OK;
}

static void table_fini(struct table *t)
{
    nc_free(t->width);
    nc_free(t->right);
    nc_free(t->cell_end);
    nc_dbuf_fini(&t->sample);
    nc_dbuf_fini(&t->cell);
}

/* Adds a record to the sample. *full is set (and nothing added) when the
 * sample has no room for it. */
static int table_sample(struct table *t, const ProtobufCMessage *m, bool *full)
{
    *full = t->n_rows == SAMPLE_ROWS;
    if (*full) {
        return NC_OK;
    }
    size_t row_start = t->sample.len;
    for (size_t c = 0; c < t->n_cols; c++) {
        int rc = nc_refl_text(t->refl, m, c, &t->sample);
        if (rc == NC_ELIMIT) {
            t->sample.len = row_start;
            *full = true;
            return NC_OK;
        }
        if (rc != NC_OK) {
            return rc;
        }
        t->cell_end[t->n_rows * t->n_cols + c] = t->sample.len;
    }
    t->n_rows++;
    return NC_OK;
}

static void sample_cell(const struct table *t, size_t row, size_t col, const uint8_t **p, size_t *n)
{
    size_t i = row * t->n_cols + col;
    size_t start = i == 0 ? 0 : t->cell_end[i - 1];
    *p = t->sample.p + start;
    *n = t->cell_end[i] - start;
}

/* Fixes the widths from the sample and picks table or blocks. */
static void table_layout(struct table *t)
{
    size_t total = 0;
    for (size_t c = 0; c < t->n_cols; c++) {
        for (size_t r = 0; r < t->n_rows; r++) {
            const uint8_t *p;
            size_t n;
            sample_cell(t, r, c, &p, &n);
            t->width[c] = NC_MAX(t->width[c], NC_MIN(text_width(p, n), (size_t)COL_MAX_WIDTH));
        }
        total += t->width[c] + (c > 0 ? COL_GAP : 0);
    }
    t->blocks = t->term_width > 0 && total > t->term_width;
}

static int table_header(struct table *t, struct nc_dbuf *o)
{
    if (t->blocks) {
        return NC_OK;
    }
    int rc = NC_OK;
    for (size_t c = 0; c < t->n_cols && rc == NC_OK; c++) {
        if (c > 0) {
            rc = pad(o, COL_GAP);
        }
        const char *name = nc_refl_col_name(t->refl, c);
        if (rc == NC_OK) {
            rc = put_cell(o, (const uint8_t *)name, strlen(name), t->width[c], t->right[c],
                    c + 1 == t->n_cols);
        }
    }
    return rc == NC_OK ? nc_dbuf_putc(o, '\n') : rc;
}

/* Cell c of the row being printed: from the sample (row < n_rows) or
 * rendered now from m into the scratch buffer. */
static int row_cell(struct table *t, const ProtobufCMessage *m, size_t row, size_t c,
        const uint8_t **p, size_t *n)
{
    if (!m) {
        sample_cell(t, row, c, p, n);
        return NC_OK;
    }
    nc_dbuf_reset(&t->cell);
    int rc = nc_refl_text(t->refl, m, c, &t->cell);
    *p = t->cell.p;
    *n = t->cell.len;
    return rc;
}

static int table_row(struct table *t, const ProtobufCMessage *m, size_t row, struct nc_dbuf *o)
{
    int rc = NC_OK;
    t->row_no++;
    if (t->blocks) {
        rc = nc_dbuf_printf(o, "record %llu\n", (unsigned long long)t->row_no);
    }
    for (size_t c = 0; c < t->n_cols && rc == NC_OK; c++) {
        const uint8_t *p = NULL;
        size_t n = 0;
        rc = row_cell(t, m, row, c, &p, &n);
        if (rc != NC_OK) {
            break;
        }
        if (t->blocks) {
            rc = put_block_line(o, "  ", nc_refl_col_name(t->refl, c), t->name_width, p, n);
            continue;
        }
        if (c > 0) {
            rc = pad(o, COL_GAP);
        }
        if (rc == NC_OK) {
            rc = put_cell(o, p, n, t->width[c], t->right[c], c + 1 == t->n_cols);
        }
    }
    if (rc == NC_OK && !t->blocks) {
        rc = nc_dbuf_putc(o, '\n');
    }
    return rc;
}

/* Prints the header and the sampled rows. */
static int table_flush_sample(struct table *t, struct out *o)
{
    table_layout(t);
    int rc = table_header(t, &o->b);
    for (size_t r = 0; r < t->n_rows && rc == NC_OK; r++) {
        rc = table_row(t, NULL, r, &o->b);
        if (rc == NC_OK) {
            rc = out_maybe_flush(o);
        }
    }
    nc_dbuf_fini(&t->sample);
    return rc;
}

/* ---------------------------------------------------------- -header, -fields */

static int print_header(const struct nc_ncfile *f, const struct opts *op, struct nc_dbuf *o)
{
    const Netcap__Header *h = nc_ncfile_header(f);
    struct nc_refl r;
    struct nc_refl_opts ro = { .sep = op->sep };
    int rc = nc_refl_init(&r, &netcap__header__descriptor, &ro);
    if (rc == NC_OK && op->json) {
        rc = nc_refl_json(&r, &h->base, o);
    } else if (rc == NC_OK && (op->csv || op->tsv)) {
        rc = nc_refl_csv_header(&r, o);
        if (rc == NC_OK) {
            rc = nc_refl_csv_row(&r, &h->base, o);
        }
    } else if (rc == NC_OK) {
        size_t w = 0;
        for (size_t c = 0; c < r.n_cols; c++) {
            w = NC_MAX(w, strlen(nc_refl_col_name(&r, c)));
        }
        struct nc_dbuf val;
        nc_dbuf_init(&val, NC_REFL_CELL_MAX);
        for (size_t c = 0; c < r.n_cols && rc == NC_OK; c++) {
            const char *name = nc_refl_col_name(&r, c);
            nc_dbuf_reset(&val);
            rc = nc_refl_text(&r, &h->base, c, &val);
            if (rc == NC_OK && strcmp(name, "created") == 0 && h->created > 0) {
                time_t secs = (time_t)(h->created / 1000000000);
                struct tm tm;
                char when[64];
                if (gmtime_r(&secs, &tm) &&
                        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm) > 0) {
                    rc = nc_dbuf_printf(
                            &val, " (%s.%09lldZ)", when, (long long)(h->created % 1000000000));
                }
            }
            if (rc == NC_OK) {
                rc = put_block_line(o, "", name, w, val.p, val.len);
            }
        }
        static const char *const comp[] = { "none", "zstd", "gzip" };
        const char *cn = comp[nc_ncfile_comp(f)];
        if (rc == NC_OK) {
            rc = put_block_line(o, "", "compression", w, (const uint8_t *)cn, strlen(cn));
        }
        nc_dbuf_fini(&val);
    }
    nc_refl_fini(&r);
    return rc;
}

/* ------------------------------------------------------------------- main */

static int usage_error(const char *msg)
{
    fprintf(stderr, "netcap dump: %s (see netcap dump -h)\n", msg);
    return NC_EXIT_USAGE;
}

static int check_opts(struct opts *op)
{
    if (!op->read) {
        return usage_error("-read FILE is required (use -read - for stdin)");
    }
    if (op->max < 0) {
        return usage_error("-n must be 0 (all) or more");
    }
    if (op->csv + op->tsv + op->json > 1) {
        return usage_error("choose one of -csv, -tsv and -json");
    }
    if (op->top.n > 0 && !op->summary) {
        return usage_error("-top goes with -summary");
    }
    if (op->summary && (op->csv || op->tsv || op->json || op->sep || op->select)) {
        return usage_error("-summary is a view of its own: pick its fields with -top, not "
                           "-select, -csv, -tsv or -json");
    }
    if (op->sep) {
        if (op->tsv || op->json) {
            return usage_error("-sep applies to -csv only");
        }
        if (op->sep[0] == '\0' || strpbrk(op->sep, "\"\r\n")) {
            return usage_error("-sep must be non-empty and contain no double quote, CR or LF");
        }
        op->csv = true;
    }
    if (op->tsv) {
        op->sep = "\t";
        op->csv = true; /* TSV is CSV with a tab */
    }
    /* People read the table; programs read CSV and JSON, which keep the
     * integers unless asked otherwise. */
    op->time_mode = op->csv || op->json ? NC_TIME_NS : NC_TIME_UTC;
    if (op->utc) {
        if (op->time && strcmp(op->time, "utc") != 0) {
            return usage_error("-utc is -time utc: give one of them");
        }
        op->time_mode = NC_TIME_UTC;
    }
    if (op->time && !nc_time_mode_parse(op->time, &op->time_mode)) {
        return usage_error("-time takes utc, local, unix or ns");
    }
    op->begin_ns = INT64_MIN;
    op->end_ns = INT64_MAX;
    const char *why = NULL;
    if (op->begin &&
            nc_time_parse(op->begin, strlen(op->begin), &op->begin_ns, NULL, &why) != NC_OK) {
        fprintf(stderr, "netcap dump: -begin '%s': %s (see netcap dump -h)\n", op->begin, why);
        return NC_EXIT_USAGE;
    }
    if (op->end && nc_time_parse(op->end, strlen(op->end), &op->end_ns, NULL, &why) != NC_OK) {
        fprintf(stderr, "netcap dump: -end '%s': %s (see netcap dump -h)\n", op->end, why);
        return NC_EXIT_USAGE;
    }
    return NC_EXIT_OK;
}

/* Everything one run owns, so that every exit path frees it all. */
struct run {
    struct nc_ncfile *f;
    struct nc_summary *summary;
    struct nc_refl top_refl; /* -summary: renders the -top fields */
    bool top_ready;
    struct nc_filter *where;
    const ProtobufCFieldDescriptor *time_field; /* -begin/-end: the record's time */
    struct nc_refl refl;
    bool refl_ready;
    struct table table;
    bool table_ready;
    struct out out;
};

static int read_error(struct run *r, const char *path, const char *msg)
{
    if (out_finish(&r->out) != NC_OK) {
        return NC_EXIT_FAILURE;
    }
    fprintf(stderr, "netcap dump: %s: %s\n", path, msg);
    return NC_EXIT_FAILURE;
}

static int render_error(struct run *r, const char *path, int rc)
{
    char msg[NC_ERRBUF_SIZE];
    snprintf(msg, sizeof(msg), "record %llu: cannot print it: %s",
            (unsigned long long)nc_ncfile_count(r->f), nc_strerror(rc));
    return read_error(r, path, msg);
}

/* -begin/-end, then -where. */
static bool wanted(const struct run *r, const struct opts *op, const ProtobufCMessage *m)
{
    if (r->time_field) {
        int64_t t = nc_filter_time_of(r->time_field, m);
        if ((op->begin && t < op->begin_ns) || (op->end && t >= op->end_ns)) {
            return false;
        }
    }
    return !r->where || nc_filter_match(r->where, m);
}

/* -summary: counts the wanted records, then prints the report. */
static int summarize(struct run *r, const struct opts *op)
{
    const char *path = op->read;
    char errbuf[NC_ERRBUF_SIZE];
    uint64_t limit = op->max > 0 ? (uint64_t)op->max : UINT64_MAX;
    uint64_t seen = 0;
    int rc = NC_OK;
    while (seen < limit) {
        const ProtobufCMessage *m = NULL;
        rc = nc_ncfile_next(r->f, &m, errbuf);
        if (rc != NC_OK) {
            break;
        }
        if (!m) {
            break;
        }
        if (!wanted(r, op, m)) {
            continue;
        }
        seen++;
        int src = nc_summary_add(r->summary, m);
        if (src != NC_OK) {
            return render_error(r, path, src);
        }
    }
    /* The records before damage are summarised, as dump prints them. */
    int prc = nc_summary_print(r->summary, op->time_mode, &r->out.b);
    if (prc != NC_OK) {
        return render_error(r, path, prc);
    }
    if (rc != NC_OK) {
        return read_error(r, path, errbuf);
    }
    return out_finish(&r->out) == NC_OK ? NC_EXIT_OK : NC_EXIT_FAILURE;
}

/* Joins the -top values into one -select list for the summary's refl. */
static int setup_summary(struct run *r, const struct opts *op)
{
    const ProtobufCMessageDescriptor *desc = nc_ncfile_desc(r->f);
    struct nc_refl_opts ro = {
        .time = op->time_mode,
        .human = !op->no_names,
        .durations = true,
    };
    int rc = nc_refl_init(&r->top_refl, desc, &ro);
    r->top_ready = true;
    if (rc == NC_OK && op->top.n > 0) {
        struct nc_dbuf list;
        nc_dbuf_init(&list, 1024 * 1024);
        for (size_t i = 0; i < op->top.n && rc == NC_OK; i++) {
            rc = i > 0 ? nc_dbuf_putc(&list, ',') : NC_OK;
            if (rc == NC_OK) {
                rc = nc_dbuf_puts(&list, op->top.v[i]);
            }
        }
        if (rc == NC_OK) {
            rc = nc_dbuf_putc(&list, '\0');
        }
        char sel_err[NC_REFL_ERRBUF_SIZE];
        if (rc == NC_OK) {
            rc = nc_refl_select(&r->top_refl, (const char *)list.p, sel_err, sizeof(sel_err));
            if (rc == NC_EARG) {
                fprintf(stderr, "netcap dump: -top: %s\n", sel_err);
            }
        }
        nc_dbuf_fini(&list);
        if (rc == NC_EARG) {
            return NC_EXIT_USAGE;
        }
    } else if (rc == NC_OK) {
        r->top_refl.n_cols = 0; /* count and time span only */
    }
    if (rc == NC_OK) {
        rc = nc_summary_init(&r->summary, &r->top_refl, nc_filter_time_field(desc), (size_t)op->k);
        if (rc == NC_EARG) {
            fprintf(stderr, "netcap dump: -top: more than %d fields\n", NC_SUMMARY_MAX_FIELDS);
            return NC_EXIT_USAGE;
        }
    }
    if (rc != NC_OK) {
        fprintf(stderr, "netcap dump: %s\n", nc_strerror(rc));
        return NC_EXIT_FAILURE;
    }
    return summarize(r, op);
}

static int dump_records(struct run *r, const struct opts *op)
{
    const char *path = op->read;
    char errbuf[NC_ERRBUF_SIZE];
    bool table = !op->csv && !op->json;
    bool sampling = table;
    int rc = NC_OK;
    if (table) {
        rc = table_init(&r->table, &r->refl);
        r->table_ready = true;
    } else if (op->csv) {
        rc = nc_refl_csv_header(&r->refl, &r->out.b);
    }
    if (rc != NC_OK) {
        return render_error(r, path, rc);
    }
    uint64_t limit = op->max > 0 ? (uint64_t)op->max : UINT64_MAX;
    uint64_t shown = 0;
    while (shown < limit && !r->out.closed) {
        const ProtobufCMessage *m = NULL;
        rc = nc_ncfile_next(r->f, &m, errbuf);
        if (rc != NC_OK) {
            if (sampling) {
                int frc = table_flush_sample(&r->table, &r->out);
                if (frc != NC_OK) {
                    return render_error(r, path, frc);
                }
            }
            return read_error(r, path, errbuf);
        }
        if (!m) {
            break;
        }
        if (!wanted(r, op, m)) {
            continue;
        }
        shown++;
        size_t mark = r->out.b.len;
        if (sampling) {
            bool full = false;
            rc = table_sample(&r->table, m, &full);
            if (rc == NC_OK && !full) {
                continue;
            }
            sampling = false;
            if (rc == NC_OK) {
                rc = table_flush_sample(&r->table, &r->out);
            }
            mark = r->out.b.len;
        }
        if (rc == NC_OK) {
            if (table) {
                rc = table_row(&r->table, m, 0, &r->out.b);
            } else if (op->json) {
                rc = nc_refl_json(&r->refl, m, &r->out.b);
            } else {
                rc = nc_refl_csv_row(&r->refl, m, &r->out.b);
            }
        }
        if (rc != NC_OK) {
            r->out.b.len = mark; /* drop the partial row */
            return render_error(r, path, rc);
        }
        if (out_maybe_flush(&r->out) != NC_OK) {
            return NC_EXIT_FAILURE;
        }
    }
    if (sampling) {
        rc = table_flush_sample(&r->table, &r->out);
        if (rc != NC_OK) {
            return render_error(r, path, rc);
        }
    }
    return out_finish(&r->out) == NC_OK ? NC_EXIT_OK : NC_EXIT_FAILURE;
}

static int run_dump(struct run *r, const struct opts *op)
{
    char errbuf[NC_ERRBUF_SIZE];
    int rc = nc_ncfile_open(&r->f, op->read, errbuf);
    if (rc != NC_OK) {
        fprintf(stderr, "netcap dump: %s: %s\n", op->read, errbuf);
        return NC_EXIT_FAILURE;
    }
    if (op->header || op->fields) {
        rc = op->header ? print_header(r->f, op, &r->out.b) : NC_OK;
        if (rc == NC_OK && op->fields) {
            rc = nc_refl_fields(nc_ncfile_desc(r->f), &r->out.b);
        }
        if (rc != NC_OK) {
            fprintf(stderr, "netcap dump: %s\n", nc_strerror(rc));
            return NC_EXIT_FAILURE;
        }
        return out_finish(&r->out) == NC_OK ? NC_EXIT_OK : NC_EXIT_FAILURE;
    }
    struct nc_refl_opts ro = {
        .sep = op->sep,
        .begin = op->struct_begin,
        .end = op->struct_end,
        .struct_sep = op->struct_sep,
        .list_sep = op->list_sep,
        .time = op->time_mode,
        .human = !op->csv && !op->json && !op->no_names,
        .durations = !op->csv && !op->json,
        .name_cols = (op->csv || op->json) && !op->no_names,
    };
    rc = nc_refl_init(&r->refl, nc_ncfile_desc(r->f), &ro);
    r->refl_ready = true;
    if (rc != NC_OK) {
        fprintf(stderr, "netcap dump: %s\n", nc_strerror(rc));
        return rc == NC_EARG ? NC_EXIT_USAGE : NC_EXIT_FAILURE;
    }
    const ProtobufCMessageDescriptor *desc = nc_ncfile_desc(r->f);
    if (op->begin || op->end) {
        r->time_field = nc_filter_time_field(desc);
        if (!r->time_field) {
            fprintf(stderr, "netcap dump: -begin/-end: %s records have no timestamp\n",
                    desc->short_name);
            return NC_EXIT_USAGE;
        }
    }
    if (op->where) {
        char w_err[NC_FILTER_ERRBUF_SIZE];
        rc = nc_filter_parse(&r->where, desc, op->where, w_err, sizeof(w_err));
        if (rc != NC_OK) {
            fprintf(stderr, "netcap dump: -where: %s\n", w_err);
            return rc == NC_EARG ? NC_EXIT_USAGE : NC_EXIT_FAILURE;
        }
    }
    if (op->summary) {
        return setup_summary(r, op);
    }
    if (op->select) {
        char sel_err[NC_REFL_ERRBUF_SIZE];
        rc = nc_refl_select(&r->refl, op->select, sel_err, sizeof(sel_err));
        if (rc != NC_OK) {
            fprintf(stderr, "netcap dump: -select: %s\n", sel_err);
            return rc == NC_EARG ? NC_EXIT_USAGE : NC_EXIT_FAILURE;
        }
    }
    return dump_records(r, op);
}

int nc_cmd_dump(int argc, char **argv)
{
    struct opts op = { .k = 10 };
    const struct nc_flag flags[] = {
        { "read", NC_FLAG_STR, &op.read, "FILE", "record file to read; - is stdin", 0, 0 },
        { "csv", NC_FLAG_BOOL, &op.csv, NULL, "print CSV (with a header row)", 0, 0 },
        { "tsv", NC_FLAG_BOOL, &op.tsv, NULL, "print TSV (tab-separated, quoted like CSV)", 0, 0 },
        { "json", NC_FLAG_BOOL, &op.json, NULL, "print JSON Lines", 0, 0 },
        { "sep", NC_FLAG_STR, &op.sep, "STR", "CSV column separator (default ,; implies -csv)", 0,
                0 },
        { "select", NC_FLAG_STR, &op.select, "F1,F2",
                "print only these top-level fields, in this order", 0, 0 },
        { "fields", NC_FLAG_BOOL, &op.fields, NULL,
                "list the fields of the file's record type and exit", 0, 0 },
        { "header", NC_FLAG_BOOL, &op.header, NULL,
                "print the file header (version, source, type...) and exit", 0, 0 },
        { "time", NC_FLAG_STR, &op.time, "MODE",
                "how times print in every view: utc (RFC 3339, the table's default),\n"
                "                         local (RFC 3339 with the TZ offset), unix (seconds with "
                "9\n"
                "                         decimals) or ns (the integer, the CSV/TSV/JSON "
                "default);\n"
                "                         e.g. -csv -time utc",
                0, 0 },
        { "utc", NC_FLAG_BOOL, &op.utc, NULL, "same as -time utc (Netcap's flag)", 0, 0 },
        { "no-names", NC_FLAG_BOOL, &op.no_names, NULL,
                "numbers only: no names in the table (AAAA, TCP, NXDOMAIN) and no\n"
                "                         <field>_name columns in CSV/TSV/JSON",
                0, 0 },
        { "struct-begin", NC_FLAG_STR, &op.struct_begin, "STR",
                "opens a nested message in a cell (default ()", 0, 0 },
        { "struct-end", NC_FLAG_STR, &op.struct_end, "STR", "closes a nested message (default ))",
                0, 0 },
        { "struct-sep", NC_FLAG_STR, &op.struct_sep, "STR",
                "separates the fields of a nested message (default -)", 0, 0 },
        { "list-sep", NC_FLAG_STR, &op.list_sep, "STR",
                "separates the elements of a repeated field (default |)", 0, 0 },
        { "where", NC_FLAG_STR, &op.where, "EXPR",
                "print only records that match EXPR: comparisons of top-level\n"
                "                         fields (= != < > <= >=, ~ substring, ~/regex/) joined by "
                "and,\n"
                "                         or, not and ( ); addresses match CIDRs, times take RFC "
                "3339,\n"
                "                         numbers with names take the name. e.g.\n"
                "                         -where 'src_ip=10.0.0.0/8 and (dst_port=53 or "
                "dst_port>=1024)'\n"
                "                         -where 'host~example or url~/\\.php$/'   -where "
                "'type=AAAA'",
                0, 0 },
        { "begin", NC_FLAG_STR, &op.begin, "TIME",
                "only records at or after TIME (the record's timestamp): RFC 3339\n"
                "                         with its zone, Unix seconds (at most 10 digits) or ns,\n"
                "                         e.g. -begin 2011-03-18T19:06:08Z",
                0, 0 },
        { "end", NC_FLAG_STR, &op.end, "TIME", "only records before TIME, e.g. -end 1300475200.5",
                0, 0 },
        { "summary", NC_FLAG_BOOL, &op.summary, NULL,
                "print a summary instead of the records: count, first and last\n"
                "                         time, span, and with -top the most frequent values, "
                "e.g.\n"
                "                         -read Connection.ncap.zst -summary -top src_ip,dst_port",
                0, 0 },
        { "top", NC_FLAG_STRLIST, &op.top, "F1,F2",
                "-summary: fields whose most frequent values to list (repeatable)", 0, 0 },
        { "k", NC_FLAG_INT, &op.k, "N", "-summary: values listed per -top field (default 10)", 1,
                1000000 },
        { "n", NC_FLAG_INT, &op.max, "N",
                "print at most N records (0: all), counted after\n"
                "                         -where, -begin and -end",
                0, INT64_MAX },
    };
    int rc = nc_flags_parse("dump", synopsis, flags, NC_ARRAY_LEN(flags), argc, argv);
    if (rc < 0) {
        return NC_EXIT_OK;
    }
    if (rc != NC_EXIT_OK) {
        return rc;
    }
    rc = check_opts(&op);
    if (rc != NC_EXIT_OK) {
        return rc;
    }
    /* A closed pipe (| head) becomes EPIPE from fwrite, handled quietly. */
    signal(SIGPIPE, SIG_IGN);
    nc_record_init();

    struct run r;
    memset(&r, 0, sizeof(r));
    nc_dbuf_init(&r.out.b, OUT_CAP);
    rc = run_dump(&r, &op);
    if (r.table_ready) {
        table_fini(&r.table);
    }
    if (r.refl_ready) {
        nc_refl_fini(&r.refl);
    }
    nc_filter_free(r.where);
    nc_summary_free(r.summary);
    if (r.top_ready) {
        nc_refl_fini(&r.top_refl);
    }
    nc_ncfile_close(r.f);
    nc_dbuf_fini(&r.out.b);
    return rc;
}
