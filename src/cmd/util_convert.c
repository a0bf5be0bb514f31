/*
 * summary: netcap util convert: one record file rewritten in another format
 *          (proto, CSV, JSON Lines) and/or compression (zstd, gzip, none).
 *
 * Proto to proto copies each record's packed bytes as read (nothing is
 * re-encoded, so fields a newer netcap wrote survive), after the header
 * encoded again unchanged. CSV and JSON are exactly what `netcap dump -csv`
 * and `-json` print (record/reflect.c, default separators). Output goes in
 * frames of about FRAME_BYTES, each an independent zstd frame or gzip
 * member like capture writes, to OUT.partial, renamed to OUT when complete:
 * a failed conversion leaves no OUT behind.
 */
#include "cmd/util.h"

#include <stdio.h>
#include <string.h>

#include "core/dbuf.h"
#include "output/compress.h"
#include "output/writer.h"
#include "record/encode.h"
#include "record/ncfile.h"
#include "record/reflect.h"

enum {
    FRAME_BYTES = 1024 * 1024, /* uncompressed bytes per frame (capture's batches are similar) */
    BUF_CAP = FRAME_BYTES + NC_REFL_CELL_MAX + NC_RECORD_MAX, /* a frame plus one row or record */
};

enum format {
    FMT_PROTO,
    FMT_CSV,
    FMT_JSON
};

static const char convert_synopsis[] =
        "Rewrite a record file: netcap util convert -read IN -out OUT [flags]\n"
        "  -format proto   a record file again (the default unless OUT's name says\n"
        "                  .csv or .json); records are copied byte for byte, so the\n"
        "                  result reads the same with netcap dump and util check\n"
        "  -format csv     what netcap dump -csv prints, into a file\n"
        "  -format json    what netcap dump -json prints (JSON Lines)\n"
        "-compress defaults to what OUT's name ends in: .zst zstd, .gz gzip, else\n"
        "none. OUT is written as OUT.partial and renamed when complete. A damaged\n"
        "input stops the conversion with the reader's message and no OUT.\n"
        "\n"
        "Exit status: 0 ok, 1 bad flags, 2 the input is missing or bad, or OUT\n"
        "cannot be written.\n"
        "\n"
        "examples:\n"
        "  netcap util convert -read DNS.ncap.zst -out DNS.ncap.gz\n"
        "  netcap util convert -read DNS.ncap.zst -out DNS.csv\n"
        "  netcap util convert -read DNS.ncap.gz -out DNS.json.zst -format json";

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Everything one conversion owns, so one exit path frees it all. */
struct conv {
    struct nc_ncfile *in;
    struct nc_writer w;
    bool w_open;
    struct nc_compressor comp;
    bool comp_ready;
    struct nc_refl refl;
    bool refl_ready;
    struct nc_dbuf buf, zbuf;
    const char *out;
    char err[NC_ERRBUF_SIZE];
};

/* Writes buf as one frame (or as is, uncompressed) and empties it. */
static int flush_frame(struct conv *c)
{
    if (c->buf.len == 0) {
        return NC_OK;
    }
    const uint8_t *p = c->buf.p;
    size_t n = c->buf.len;
    int rc = NC_OK;
    if (c->comp.kind != NC_COMPRESS_NONE) {
        nc_dbuf_reset(&c->zbuf);
        rc = nc_compress_frame(&c->comp, p, n, &c->zbuf);
        p = c->zbuf.p;
        n = c->zbuf.len;
    }
    if (rc == NC_OK) {
        rc = c->w.ops->write(&c->w, p, n);
    }
    if (rc != NC_OK) {
        snprintf(c->err, sizeof(c->err), "%s: cannot write: %s", c->out, nc_strerror(rc));
    }
    nc_dbuf_reset(&c->buf);
    return rc;
}

static int put_record(struct conv *c, enum format fmt, const ProtobufCMessage *m)
{
    int rc;
    if (fmt == FMT_PROTO) {
        const uint8_t *p;
        size_t n;
        nc_ncfile_raw(c->in, &p, &n);
        uint8_t pre[NC_VARINT_MAX];
        rc = nc_dbuf_append(&c->buf, pre, nc_varint_put(pre, n));
        if (rc == NC_OK && n > 0) {
            rc = nc_dbuf_append(&c->buf, p, n);
        }
    } else if (fmt == FMT_CSV) {
        rc = nc_refl_csv_row(&c->refl, m, &c->buf);
    } else {
        rc = nc_refl_json(&c->refl, m, &c->buf);
    }
    if (rc != NC_OK) {
        snprintf(c->err, sizeof(c->err), "record %llu: cannot convert it: %s",
                (unsigned long long)nc_ncfile_count(c->in), nc_strerror(rc));
    }
    return rc;
}

static int convert(struct conv *c, const char *in_path, enum format fmt)
{
    int rc = nc_ncfile_open(&c->in, in_path, c->err);
    if (rc != NC_OK) {
        char why[NC_ERRBUF_SIZE];
        snprintf(why, sizeof(why), "%s", c->err);
        snprintf(c->err, sizeof(c->err), "%s: %s", in_path, why);
        return rc;
    }
    if (fmt == FMT_PROTO) {
        rc = nc_encode_delimited(&c->buf, &nc_ncfile_header(c->in)->base);
    } else {
        /* dump -csv and -json add a <field>_name column after each named field */
        const struct nc_refl_opts ro = { .name_cols = true };
        rc = nc_refl_init(&c->refl, nc_ncfile_desc(c->in), &ro);
        c->refl_ready = true;
        if (rc == NC_OK && fmt == FMT_CSV) {
            rc = nc_refl_csv_header(&c->refl, &c->buf);
        }
    }
    if (rc != NC_OK) {
        snprintf(c->err, sizeof(c->err), "cannot start: %s", nc_strerror(rc));
        return rc;
    }
    rc = c->w.ops->open(&c->w, c->out, c->err);
    if (rc != NC_OK) {
        return rc;
    }
    c->w_open = true;
    char errbuf[NC_ERRBUF_SIZE];
    for (;;) {
        const ProtobufCMessage *m = NULL;
        rc = nc_ncfile_next(c->in, &m, errbuf);
        if (rc != NC_OK) {
            snprintf(c->err, sizeof(c->err), "%s: %s", in_path, errbuf);
            return rc;
        }
        if (!m) {
            break;
        }
        rc = put_record(c, fmt, m);
        if (rc == NC_OK && c->buf.len >= FRAME_BYTES) {
            rc = flush_frame(c);
        }
        if (rc != NC_OK) {
            return rc;
        }
    }
    rc = flush_frame(c);
    if (rc != NC_OK) {
        return rc;
    }
    c->w_open = false;
    return c->w.ops->close(&c->w, c->err);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "netcap util convert: %s%s%s (see netcap util convert -h)\n", msg,
            arg ? ": " : "", arg ? arg : "");
    return NC_EXIT_USAGE;
}

int nc_util_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *format = NULL, *compress = NULL;
    long long level = 0;
    const struct nc_flag flags[] = {
        { "read", NC_FLAG_STR, &in, "IN", "record file to read; - is stdin", 0, 0 },
        { "out", NC_FLAG_STR, &out, "OUT", "file to write", 0, 0 },
        { "format", NC_FLAG_STR, &format, "FMT", "proto, csv or json (from OUT's name)", 0, 0 },
        { "compress", NC_FLAG_STR, &compress, "KIND",
                "zstd, gzip or none (from OUT's name: .zst, .gz, else none)", 0, 0 },
        { "level", NC_FLAG_INT, &level, "N", "compression level (zstd 1, gzip 6)", 0, 19 },
    };
    int rc = nc_flags_parse(
            "util convert", convert_synopsis, flags, NC_ARRAY_LEN(flags), argc, argv);
    if (rc != NC_EXIT_OK) {
        return rc < 0 ? NC_EXIT_OK : rc;
    }
    if (!in || !out) {
        return usage_error("-read IN and -out OUT are both required", NULL);
    }
    enum format fmt = FMT_PROTO;
    if (format) {
        if (strcmp(format, "csv") == 0) {
            fmt = FMT_CSV;
        } else if (strcmp(format, "json") == 0) {
            fmt = FMT_JSON;
        } else if (strcmp(format, "proto") != 0) {
            return usage_error("-format must be proto, csv or json", format);
        }
    } else if (strstr(out, ".csv")) {
        fmt = FMT_CSV;
    } else if (strstr(out, ".json")) {
        fmt = FMT_JSON;
    }
    enum nc_compress kind = NC_COMPRESS_NONE;
    if (compress) {
        if (nc_compress_parse(compress, &kind) != NC_OK) {
            return usage_error("-compress must be zstd, gzip or none", compress);
        }
    } else if (ends_with(out, ".zst")) {
        kind = NC_COMPRESS_ZSTD;
    } else if (ends_with(out, ".gz")) {
        kind = NC_COMPRESS_GZIP;
    }
    if (level > 9 && kind == NC_COMPRESS_GZIP) {
        return usage_error("-level for gzip is 1..9", NULL);
    }

    struct conv c;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.w.ops = &nc_writer_file;
    nc_dbuf_init(&c.buf, BUF_CAP);
    nc_dbuf_init(&c.zbuf, BUF_CAP + BUF_CAP / 8);
    rc = nc_compressor_init(&c.comp, kind, (int)level);
    c.comp_ready = rc == NC_OK;
    if (rc != NC_OK) {
        snprintf(c.err, sizeof(c.err), "cannot start the compressor: %s", nc_strerror(rc));
    } else {
        rc = convert(&c, in, fmt);
    }
    if (rc != NC_OK) {
        fprintf(stderr, "netcap util convert: %s\n", c.err);
    }
    if (c.w_open) {
        c.w.ops->abort(&c.w);
    }
    if (c.refl_ready) {
        nc_refl_fini(&c.refl);
    }
    if (c.comp_ready) {
        nc_compressor_fini(&c.comp);
    }
    nc_ncfile_close(c.in);
    nc_dbuf_fini(&c.buf);
    nc_dbuf_fini(&c.zbuf);
    return rc == NC_OK ? NC_EXIT_OK : NC_EXIT_FAILURE;
}
