/*
 * summary: netcap label: record files (or a pcap, captured first) plus
 *          Suricata alerts (eve.json, fast.log) or attack maps (CSV) in,
 *          one labelled CSV per record type that carries addresses out.
 *
 * Each CSV row is what `netcap dump -csv` prints for the record, followed
 * by nc_label, nc_category, nc_severity, nc_rule and nc_matches. Matching
 * (label/lbl_match.c) looks at both addresses in both directions, ports
 * and the IP protocol where the record has them, and time: the record's
 * time, or its span (timestamp_first..timestamp_last), against the alert
 * time or map window, widened by -tolerance. Rules and policies:
 * docs/LABEL.md.
 */
#include "cmd/cmd.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/util.h"
#include "core/dbuf.h"
#include "core/mem.h"
#include "label/lbl.h"
#include "record/filter.h"
#include "record/ncfile.h"
#include "record/record.h"
#include "record/reflect.h"
#include "core/timefmt.h"

enum {
    MATCH_CAP = 256,                        /* matches listed per row (all are counted) */
    REPORT = 10,                            /* bad lines / collisions printed per kind */
    OUT_FLUSH = 1024 * 1024,                /* write the row buffer at this size */
    OUT_CAP = OUT_FLUSH + NC_REFL_CELL_MAX, /* one row beyond the flush mark */
};

static const char synopsis[] =
        "Label records with ground truth: Suricata alerts (eve.json, fast.log) or\n"
        "attack maps (CSV: time window, addresses or CIDRs, ports, protocol, label).\n"
        "Writes one CSV per record type that carries addresses into -out:\n"
        "<Type>.csv, Connection first: the columns of netcap dump -csv, then\n"
        "nc_label, nc_category, nc_severity, nc_rule, nc_matches. Rows that match\n"
        "nothing are labelled benign (-benign). A record matches a rule when its\n"
        "addresses are the rule's in either direction, its ports and IP protocol\n"
        "fit (where the record has them), and its time or span\n"
        "(timestamp_first..timestamp_last) meets the alert time or map window\n"
        "widened by -tolerance. Format and rules: docs/LABEL.md.\n"
        "\n"
        "Bad alert or map lines are skipped and counted (the first 10 named with\n"
        "their line numbers); a map row whose window overlaps an earlier row with a\n"
        "different label is skipped too. A row matching rules with different labels\n"
        "is a collision, counted in the summary. -strict makes all of these fatal.\n"
        "\n"
        "Exit status: 0 ok, 1 bad flags, 2 unreadable input, or -strict and a bad\n"
        "line, overlap or collision.\n"
        "\n"
        "examples:\n"
        "  netcap capture -read day.pcap -out records\n"
        "  netcap label -in records -eve eve.json -out labelled\n"
        "  netcap label -read day.pcap -map attacks.csv -out labelled -mode all";

struct opts {
    const char *in, *read, *records, *out, *types, *mode, *tolerance, *benign, *eve_label, *time;
    struct nc_strlist eve, fastlog, map;
    bool strict, quiet, all;
    long long workers;
    int64_t tol;
    enum nc_time_mode time_mode;
};

struct type_stats {
    const char *name;
    uint64_t rows, labelled, benign, no_addr, collisions;
};

struct run {
    struct opts *o;
    struct lbl_set set;
    struct lbl_index *ix;
    const char *names[3 * NC_STRLIST_MAX];
    uint8_t *hit; /* per rule: matched some row */
    struct type_stats ts[NC_REC_COUNT];
    size_t n_ts;
    uint64_t collisions;
    struct nc_dbuf summary;
    struct nc_dbuf buf;
    uint32_t ids[MATCH_CAP];
};

/* Appends a line to the summary (bounded; a full summary drops lines). */
static void note(struct nc_dbuf *s, const char *fmt, ...) NC_PRINTF(2, 3);
static void note(struct nc_dbuf *s, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (nc_dbuf_puts(s, line) != NC_OK) {
        return; /* past the cap of the summary */
    }
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "netcap label: %s%s%s (see netcap label -h)\n", msg, arg ? ": " : "",
            arg ? arg : "");
    return NC_EXIT_USAGE;
}

/* ------------------------------------------------------------ rules */

static int load_rules(struct run *r)
{
    const struct {
        const struct nc_strlist *l;
        enum lbl_kind kind;
    } src[] = { { &r->o->eve, LBL_EVE }, { &r->o->fastlog, LBL_FASTLOG }, { &r->o->map, LBL_MAP } };
    uint16_t id = 0;
    for (size_t k = 0; k < NC_ARRAY_LEN(src); k++) {
        for (size_t i = 0; i < src[k].l->n; i++, id++) {
            const char *path = src[k].l->v[i];
            r->names[id] = path;
            FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
            if (!f) {
                fprintf(stderr, "netcap label: %s: cannot open: %s\n", path, strerror(errno));
                return NC_EXIT_FAILURE;
            }
            struct lbl_load_stats st;
            char why[LBL_ERRLEN];
            int rc = lbl_load(
                    &r->set, src[k].kind, f, path, id, r->o->strict, stderr, REPORT, &st, why);
            if (f != stdin) {
                fclose(f);
            }
            if (rc != NC_OK) {
                fprintf(stderr, "netcap label: %s\n", why[0] ? why : nc_strerror(rc));
                return NC_EXIT_FAILURE;
            }
            note(&r->summary,
                    "%s: %llu lines, %llu rules, %llu other lines (not alerts, comments, "
                    "header), %llu malformed, %llu too long, %llu over the cap\n",
                    path, (unsigned long long)st.lines, (unsigned long long)st.rules,
                    (unsigned long long)st.ignored, (unsigned long long)st.malformed,
                    (unsigned long long)st.too_long, (unsigned long long)st.over_cap);
        }
    }
    char why[LBL_ERRLEN];
    int rc = lbl_check_overlaps(&r->set, r->names, r->o->strict, stderr, REPORT, why);
    if (rc != NC_OK) {
        fprintf(stderr, "netcap label: %s\n", why[0] ? why : nc_strerror(rc));
        return NC_EXIT_FAILURE;
    }
    if (r->set.overlaps) {
        note(&r->summary,
                "map rows skipped: %llu (window overlaps an earlier row with another label)\n",
                (unsigned long long)r->set.overlaps);
    }
    r->hit = nc_calloc(r->set.n ? r->set.n : 1, 1);
    if (!r->hit || lbl_index_build(&r->ix, &r->set, r->o->tol) != NC_OK) {
        fprintf(stderr, "netcap label: out of memory\n");
        return NC_EXIT_FAILURE;
    }
    return NC_EXIT_OK;
}

/* ------------------------------------------------------------ records */

static const char *str_at(const ProtobufCMessage *m, int off)
{
    if (off < 0) {
        return NULL;
    }
    const char *s;
    memcpy(&s, (const uint8_t *)m + off, sizeof(s));
    return s;
}

static int32_t int_at(const ProtobufCMessage *m, int off)
{
    int32_t v = -1;
    if (off >= 0) {
        memcpy(&v, (const uint8_t *)m + off, sizeof(v));
    }
    return v;
}

/* How one record type is read: offsets found once per file. */
struct shape {
    const struct nc_rec_info *info;
    const ProtobufCFieldDescriptor *t0, *t1;
    int off_proto;  /* int32 ip_protocol */
    int off_tproto; /* string transport_proto */
    int type_proto; /* the protocol the type itself implies, or -1 */
};

static int field_off(const ProtobufCMessageDescriptor *d, const char *name, ProtobufCType t)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
    return f && f->type == t && f->label != PROTOBUF_C_LABEL_REPEATED ? (int)f->offset : -1;
}

static void shape_init(struct shape *s, enum nc_rec_type t)
{
    static const struct {
        const char *type;
        int proto;
    } implied[] = {
        { "TCP", 6 },
        { "UDP", 17 },
        { "SCTP", 132 },
        { "ICMPv4", 1 },
        { "ICMPv6", 58 },
        { "ICMPv6Echo", 58 },
        { "ICMPv6NeighborSolicitation", 58 },
        { "ICMPv6NeighborAdvertisement", 58 },
        { "ICMPv6RouterSolicitation", 58 },
        { "ICMPv6RouterAdvertisement", 58 },
        { "IGMP", 2 },
        { "GRE", 47 },
        { "IPSecESP", 50 },
        { "IPSecAH", 51 },
        { "OSPFv2", 89 },
        { "OSPFv3", 89 },
        { "VRRPv2", 112 },
    };
    memset(s, 0, sizeof(*s));
    s->info = nc_rec_info(t);
    const ProtobufCMessageDescriptor *d = s->info->desc;
    s->t0 = nc_filter_time_field(d);
    s->t1 = NULL;
    static const char *const last[] = { "timestamp_last", "timestamp_end" };
    for (size_t i = 0; i < NC_ARRAY_LEN(last) && !s->t1; i++) {
        const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field_by_name(d, last[i]);
        if (f && f->label != PROTOBUF_C_LABEL_REPEATED && nc_field_kind(f) == NC_FIELD_TIME) {
            s->t1 = f;
        }
    }
    s->off_proto = field_off(d, "ip_protocol", PROTOBUF_C_TYPE_INT32);
    s->off_tproto = field_off(d, "transport_proto", PROTOBUF_C_TYPE_STRING);
    s->type_proto = -1;
    for (size_t i = 0; i < NC_ARRAY_LEN(implied); i++) {
        if (strcmp(implied[i].type, s->info->name) == 0) {
            s->type_proto = implied[i].proto;
        }
    }
}

static bool parse_ip(const char *s, uint8_t *fam, uint8_t a[16])
{
    memset(a, 0, 16);
    if (!s || !*s) {
        return false;
    }
    if (inet_pton(AF_INET, s, a) == 1) {
        *fam = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, a) == 1) {
        *fam = 6;
        return true;
    }
    return false;
}

/* The query of record m; false when it has no usable address pair. */
static bool query_of(const struct shape *s, const ProtobufCMessage *m, struct lbl_query *q)
{
    uint8_t fa = 0, fb = 0;
    if (!parse_ip(str_at(m, s->info->off_src_ip), &fa, q->a) ||
            !parse_ip(str_at(m, s->info->off_dst_ip), &fb, q->b) || fa != fb) {
        return false;
    }
    q->fam = fa;
    q->sport = s->info->off_src_port >= 0 ? int_at(m, s->info->off_src_port) : -1;
    q->dport = s->info->off_dst_port >= 0 ? int_at(m, s->info->off_dst_port) : -1;
    q->proto = s->type_proto;
    if (s->off_proto >= 0) {
        int32_t p = int_at(m, s->off_proto);
        q->proto = p > 0 ? p : -1;
    } else if (s->off_tproto >= 0) {
        const char *t = str_at(m, s->off_tproto);
        int16_t p = -1;
        if (t && *t && lbl_parse_proto(t, strlen(t), &p)) {
            q->proto = p;
        }
    }
    if (!s->t0) {
        q->t0 = INT64_MIN;
        q->t1 = INT64_MAX;
    } else {
        q->t0 = nc_filter_time_of(s->t0, m);
        q->t1 = s->t1 ? nc_filter_time_of(s->t1, m) : q->t0;
        if (q->t1 < q->t0) {
            q->t1 = q->t0;
        }
    }
    return true;
}

/* One CSV cell with RFC 4180 quoting. */
static int put_cell(struct nc_dbuf *o, const char *s)
{
    int rc = nc_dbuf_putc(o, ',');
    if (strpbrk(s, ",\"\r\n") == NULL) {
        return rc == NC_OK ? nc_dbuf_puts(o, s) : rc;
    }
    if (rc == NC_OK) {
        rc = nc_dbuf_putc(o, '"');
    }
    for (; *s && rc == NC_OK; s++) {
        rc = *s == '"' ? nc_dbuf_puts(o, "\"\"") : nc_dbuf_putc(o, *s);
    }
    return rc == NC_OK ? nc_dbuf_putc(o, '"') : rc;
}

/* The label cells of one row: first match, or every distinct
 * (label, category, severity, rule) joined by '|'. */
static int label_cells(struct run *r, size_t total, size_t kept, struct nc_dbuf *o)
{
    const struct lbl_set *s = &r->set;
    if (total == 0) {
        int rc = put_cell(o, r->o->benign);
        return rc == NC_OK ? nc_dbuf_puts(o, ",,,,0") : rc;
    }
    size_t n = r->o->all ? kept : 1;
    /* distinct entries, in match order */
    uint32_t uniq[MATCH_CAP];
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lbl_rule *x = &s->v[r->ids[i]];
        bool dup = false;
        for (size_t j = 0; j < u && !dup; j++) {
            const struct lbl_rule *y = &s->v[uniq[j]];
            dup = x->label == y->label && x->category == y->category &&
                  x->severity == y->severity && x->rule == y->rule;
        }
        if (!dup) {
            uniq[u++] = r->ids[i];
        }
    }
    struct nc_dbuf cell;
    nc_dbuf_init(&cell, (size_t)MATCH_CAP * (LBL_TEXT_MAX + 1) + 64);
    int rc = NC_OK;
    for (int col = 0; col < 4 && rc == NC_OK; col++) {
        nc_dbuf_reset(&cell);
        for (size_t i = 0; i < u && rc == NC_OK; i++) {
            const struct lbl_rule *x = &s->v[uniq[i]];
            if (i > 0) {
                rc = nc_dbuf_putc(&cell, '|');
            }
            if (rc != NC_OK) {
                break;
            }
            if (col == 0) {
                rc = nc_dbuf_puts(&cell, lbl_text(s, x->label));
            } else if (col == 1) {
                rc = nc_dbuf_puts(&cell, lbl_text(s, x->category));
            } else if (col == 2) {
                rc = x->severity >= 0 ? nc_dbuf_printf(&cell, "%d", x->severity) : NC_OK;
            } else {
                rc = nc_dbuf_puts(&cell, lbl_text(s, x->rule));
            }
        }
        if (rc == NC_OK) {
            rc = nc_dbuf_putc(&cell, '\0');
        }
        if (rc == NC_OK) {
            rc = put_cell(o, (const char *)cell.p);
        }
    }
    nc_dbuf_fini(&cell);
    return rc == NC_OK ? nc_dbuf_printf(o, ",%zu", total) : rc;
}

static void note_collision(struct run *r, struct type_stats *ts, uint64_t row,
        const ProtobufCMessage *m, const struct shape *sh, size_t kept)
{
    ts->collisions++;
    r->collisions++;
    if (r->collisions > REPORT) {
        return;
    }
    const struct lbl_set *s = &r->set;
    const struct lbl_rule *a = &s->v[r->ids[0]];
    const struct lbl_rule *b = a;
    for (size_t i = 1; i < kept && b == a; i++) {
        if (s->v[r->ids[i]].label != a->label) {
            b = &s->v[r->ids[i]];
        }
    }
    note(&r->summary, "collision: %s row %llu (%s -> %s): '%s' (%s line %u) vs '%s' (%s line %u)\n",
            ts->name, (unsigned long long)row, str_at(m, sh->info->off_src_ip),
            str_at(m, sh->info->off_dst_ip), lbl_text(s, a->label), r->names[a->file], a->line,
            lbl_text(s, b->label), r->names[b->file], b->line);
}

static int flush(FILE *f, struct nc_dbuf *b, const char *path)
{
    if (b->len > 0 && fwrite(b->p, 1, b->len, f) != b->len) {
        fprintf(stderr, "netcap label: %s: write error: %s\n", path, strerror(errno));
        return NC_EIO;
    }
    nc_dbuf_reset(b);
    return NC_OK;
}

/* Labels one record file into out/<Type>.csv. */
static int label_file(struct run *r, const char *in, enum nc_rec_type type)
{
    struct type_stats *ts = &r->ts[r->n_ts++];
    ts->name = nc_rec_info(type)->name;
    char errbuf[NC_ERRBUF_SIZE];
    struct nc_ncfile *f = NULL;
    if (nc_ncfile_open(&f, in, errbuf) != NC_OK) {
        fprintf(stderr, "netcap label: %s: %s\n", in, errbuf);
        return NC_EXIT_FAILURE;
    }
    struct shape sh;
    shape_init(&sh, type);
    char path[4096], part[4200];
    snprintf(path, sizeof(path), "%s/%s.csv", r->o->out, ts->name);
    snprintf(part, sizeof(part), "%s.partial", path);
    FILE *out = fopen(part, "wb");
    if (!out) {
        fprintf(stderr, "netcap label: %s: cannot create: %s\n", part, strerror(errno));
        nc_ncfile_close(f);
        return NC_EXIT_FAILURE;
    }
    struct nc_refl refl;
    struct nc_refl_opts ro = { .name_cols = true, .time = r->o->time_mode };
    int rc = nc_refl_init(&refl, sh.info->desc, &ro);
    struct nc_dbuf *b = &r->buf;
    nc_dbuf_reset(b);
    if (rc == NC_OK) {
        rc = nc_refl_csv_header(&refl, b);
    }
    if (rc == NC_OK) {
        b->len--; /* the newline */
        rc = nc_dbuf_puts(b, ",nc_label,nc_category,nc_severity,nc_rule,nc_matches\n");
    }
    int exit_rc = NC_EXIT_OK;
    while (rc == NC_OK) {
        const ProtobufCMessage *m = NULL;
        rc = nc_ncfile_next(f, &m, errbuf);
        if (rc != NC_OK) {
            fprintf(stderr, "netcap label: %s: %s\n", in, errbuf);
            break;
        }
        if (!m) {
            break;
        }
        ts->rows++;
        size_t mark = b->len;
        rc = nc_refl_csv_row(&refl, m, b);
        if (rc != NC_OK) {
            b->len = mark;
            fprintf(stderr, "netcap label: %s: record %llu: cannot render it: %s\n", in,
                    (unsigned long long)ts->rows, nc_strerror(rc));
            break;
        }
        b->len--; /* the newline */
        struct lbl_query q;
        size_t total = 0, kept = 0;
        if (query_of(&sh, m, &q)) {
            total = lbl_index_match(r->ix, &q, r->ids, MATCH_CAP);
            kept = NC_MIN(total, (size_t)MATCH_CAP);
        } else {
            ts->no_addr++;
        }
        if (total == 0) {
            ts->benign++;
        } else {
            ts->labelled++;
            bool collide = false;
            for (size_t i = 0; i < kept; i++) {
                r->hit[r->ids[i]] = 1;
                collide |= r->set.v[r->ids[i]].label != r->set.v[r->ids[0]].label;
            }
            if (collide) {
                note_collision(r, ts, ts->rows, m, &sh, kept);
                if (r->o->strict) {
                    fprintf(stderr,
                            "netcap label: %s row %llu matches rules with different labels "
                            "(-strict)\n",
                            ts->name, (unsigned long long)ts->rows);
                    exit_rc = NC_EXIT_FAILURE;
                    break;
                }
            }
        }
        rc = label_cells(r, total, kept, b);
        if (rc == NC_OK) {
            rc = nc_dbuf_putc(b, '\n');
        }
        if (rc == NC_OK && b->len >= OUT_FLUSH) {
            rc = flush(out, b, part);
        }
    }
    if (rc == NC_OK && exit_rc == NC_EXIT_OK) {
        rc = flush(out, b, part);
    }
    nc_refl_fini(&refl);
    nc_ncfile_close(f);
    bool closed = fclose(out) == 0;
    if (rc != NC_OK || exit_rc != NC_EXIT_OK || !closed) {
        unlink(part);
        return NC_EXIT_FAILURE;
    }
    if (rename(part, path) != 0) {
        fprintf(stderr, "netcap label: %s: cannot rename: %s\n", part, strerror(errno));
        unlink(part);
        return NC_EXIT_FAILURE;
    }
    return NC_EXIT_OK;
}

struct pick {
    char *path;
    enum nc_rec_type type;
    int rank;
};

static int pick_cmp(const void *a, const void *b)
{
    const struct pick *x = a, *y = b;
    if (x->rank != y->rank) {
        return x->rank - y->rank;
    }
    return strcmp(nc_rec_info(x->type)->name, nc_rec_info(y->type)->name);
}

static bool type_wanted(const char *list, const char *name)
{
    if (!list) {
        return true;
    }
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && strncasecmp(p, name, n) == 0) {
            return true;
        }
        p += k + (e ? 1 : 0);
    }
    return false;
}

static int label_dir(struct run *r, const char *dir)
{
    struct nc_util_files l;
    memset(&l, 0, sizeof(l));
    char *argv[1] = { (char *)(uintptr_t)dir };
    if (nc_util_files_collect(&l, 1, argv) != NC_OK) {
        fprintf(stderr, "netcap label: out of memory\n");
        nc_util_files_free(&l);
        return NC_EXIT_FAILURE;
    }
    struct pick *p = nc_calloc(l.n ? l.n : 1, sizeof(*p));
    size_t np = 0;
    int rc = p ? NC_EXIT_OK : NC_EXIT_FAILURE;
    for (size_t i = 0; i < l.n && rc == NC_EXIT_OK; i++) {
        if (l.v[i].err) {
            fprintf(stderr, "netcap label: %s: %s\n", l.v[i].path, l.v[i].err);
            rc = NC_EXIT_FAILURE;
            break;
        }
        char errbuf[NC_ERRBUF_SIZE];
        struct nc_ncfile *f = NULL;
        if (nc_ncfile_open(&f, l.v[i].path, errbuf) != NC_OK) {
            fprintf(stderr, "netcap label: %s: %s\n", l.v[i].path, errbuf);
            rc = NC_EXIT_FAILURE;
            break;
        }
        enum nc_rec_type t = nc_ncfile_type(f);
        nc_ncfile_close(f);
        const struct nc_rec_info *info = nc_rec_info(t);
        if (info->off_src_ip < 0 || info->off_dst_ip < 0 || !type_wanted(r->o->types, info->name)) {
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < np; j++) {
            dup |= p[j].type == t;
        }
        if (dup) {
            fprintf(stderr, "netcap label: %s: a second file of type %s; skipped\n", l.v[i].path,
                    info->name);
            continue;
        }
        p[np].path = l.v[i].path;
        p[np].type = t;
        p[np].rank = strcmp(info->name, "Connection") == 0           ? 0
                     : strcmp(info->name, "ConnectionFeatures") == 0 ? 1
                                                                     : 2;
        np++;
    }
    if (rc == NC_EXIT_OK && np == 0) {
        fprintf(stderr, "netcap label: %s: no record files with addresses\n", dir);
        rc = NC_EXIT_FAILURE;
    }
    if (rc == NC_EXIT_OK) {
        qsort(p, np, sizeof(*p), pick_cmp);
    }
    for (size_t i = 0; i < np && rc == NC_EXIT_OK; i++) {
        rc = label_file(r, p[i].path, p[i].type);
    }
    nc_free(p);
    nc_util_files_free(&l);
    return rc;
}

/* ------------------------------------------------------------ pcap */

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int capture_first(const struct opts *o, const char *dir)
{
    char workers[32];
    snprintf(workers, sizeof(workers), "%lld", o->workers);
    char *argv[] = { (char *)(uintptr_t) "capture", (char *)(uintptr_t) "-read",
        (char *)(uintptr_t)o->read, (char *)(uintptr_t) "-out", (char *)(uintptr_t)dir,
        (char *)(uintptr_t) "-quiet", (char *)(uintptr_t) "-workers", workers };
    int argc = o->workers > 0 ? 8 : 6;
    int rc = nc_cmd_capture(argc, argv);
    if (rc != NC_EXIT_OK) {
        fprintf(stderr, "netcap label: capturing %s failed\n", o->read);
    }
    return rc;
}

/* ------------------------------------------------------------ main */

static void print_summary(struct run *r)
{
    uint64_t hit = 0, live = 0;
    for (size_t i = 0; i < r->set.n; i++) {
        live += !r->set.v[i].dropped;
        hit += r->hit[i];
    }
    struct nc_dbuf *s = &r->summary;
    note(s, "rules: %llu in use, %llu matched some record, %llu matched none\n",
            (unsigned long long)live, (unsigned long long)hit, (unsigned long long)(live - hit));
    for (size_t i = 0; i < r->n_ts; i++) {
        const struct type_stats *t = &r->ts[i];
        note(s,
                "%s: %llu rows, %llu labelled, %llu %s (%llu without an address pair), "
                "%llu collisions\n",
                t->name, (unsigned long long)t->rows, (unsigned long long)t->labelled,
                (unsigned long long)t->benign, r->o->benign, (unsigned long long)t->no_addr,
                (unsigned long long)t->collisions);
    }
    note(s, "collisions: %llu%s\n", (unsigned long long)r->collisions,
            r->collisions > REPORT ? " (the first 10 listed above)" : "");
    char path[4096];
    snprintf(path, sizeof(path), "%s/label-summary.txt", r->o->out);
    FILE *f = fopen(path, "wb");
    if (f) {
        if (s->len) {
            (void)fwrite(s->p, 1, s->len, f);
        }
        fclose(f);
    }
    if (!r->o->quiet && s->len) {
        fwrite(s->p, 1, s->len, stderr);
    }
}

static int check_opts(struct opts *o)
{
    if ((o->in == NULL) == (o->read == NULL)) {
        return usage_error("give exactly one of -in DIR (records) or -read PCAP", NULL);
    }
    if (o->records && !o->read) {
        return usage_error("-records DIR goes with -read PCAP", NULL);
    }
    if (!o->out) {
        return usage_error("-out DIR is required", NULL);
    }
    if (o->eve.n + o->fastlog.n + o->map.n == 0) {
        return usage_error("give at least one -eve, -fastlog or -map file", NULL);
    }
    if (strcmp(o->mode, "first") == 0) {
        o->all = false;
    } else if (strcmp(o->mode, "all") == 0) {
        o->all = true;
    } else {
        return usage_error("-mode must be first or all", o->mode);
    }
    const char *why;
    if (nc_duration_parse(o->tolerance, strlen(o->tolerance), &o->tol, &why) != NC_OK ||
            o->tol < 0) {
        return usage_error("-tolerance must be a duration like 1s, 500ms or 0", o->tolerance);
    }
    if (!*o->benign || strpbrk(o->benign, "\r\n")) {
        return usage_error("-benign must be a non-empty single-line text", NULL);
    }
    if (o->time && !nc_time_mode_parse(o->time, &o->time_mode)) {
        return usage_error("-time must be ns, unix, utc or local", o->time);
    }
    return NC_EXIT_OK;
}

int nc_cmd_label(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof(o));
    o.mode = "first";
    o.tolerance = "1s";
    o.benign = "benign";
    o.eve_label = "signature";
    const struct nc_flag flags[] = {
        { "in", NC_FLAG_STR, &o.in, "DIR", "record files from netcap capture", 0, 0 },
        { "read", NC_FLAG_STR, &o.read, "PCAP",
                "a pcap/pcapng file: captured first (to a temporary directory), then labelled", 0,
                0 },
        { "records", NC_FLAG_STR, &o.records, "DIR", "with -read: keep the record files here", 0,
                0 },
        { "workers", NC_FLAG_INT, &o.workers, "N", "with -read: capture threads", 1, 64 },
        { "eve", NC_FLAG_STRLIST, &o.eve, "FILE", "Suricata eve.json (repeatable; - is stdin)", 0,
                0 },
        { "fastlog", NC_FLAG_STRLIST, &o.fastlog, "FILE", "Suricata fast.log (repeatable)", 0, 0 },
        { "map", NC_FLAG_STRLIST, &o.map, "FILE", "attack map CSV (repeatable; docs/LABEL.md)", 0,
                0 },
        { "out", NC_FLAG_STR, &o.out, "DIR", "where <Type>.csv go (created if missing)", 0, 0 },
        { "types", NC_FLAG_STR, &o.types, "LIST", "only these record types (comma list)", 0, 0 },
        { "mode", NC_FLAG_STR, &o.mode, "MODE",
                "first: the earliest matching rule; all: every distinct match, joined by |", 0, 0 },
        { "tolerance", NC_FLAG_STR, &o.tolerance, "DUR",
                "widen alert times and map windows by this much (1s)", 0, 0 },
        { "strict", NC_FLAG_BOOL, &o.strict, NULL,
                "fail on a bad line, an overlapping map row or a collision", 0, 0 },
        { "benign", NC_FLAG_STR, &o.benign, "TEXT", "label of rows matching nothing (benign)", 0,
                0 },
        { "eve-label", NC_FLAG_STR, &o.eve_label, "FIELD",
                "alerts: label from signature (default) or category", 0, 0 },
        { "time", NC_FLAG_STR, &o.time, "MODE", "time columns: ns (default), unix, utc, local", 0,
                0 },
        { "quiet", NC_FLAG_BOOL, &o.quiet, NULL, "no summary on stderr", 0, 0 },
    };
    int rc = nc_flags_parse("label", synopsis, flags, NC_ARRAY_LEN(flags), argc, argv);
    if (rc != NC_EXIT_OK) {
        return rc < 0 ? NC_EXIT_OK : rc;
    }
    rc = check_opts(&o);
    if (rc != NC_EXIT_OK) {
        return rc;
    }
    struct run *r = nc_calloc(1, sizeof(*r));
    if (!r) {
        fprintf(stderr, "netcap label: out of memory\n");
        return NC_EXIT_FAILURE;
    }
    r->o = &o;
    lbl_set_init(&r->set);
    if (strcmp(o.eve_label, "category") == 0) {
        r->set.eve_label = LBL_FROM_CATEGORY;
    } else if (strcmp(o.eve_label, "signature") != 0) {
        nc_free(r);
        return usage_error("-eve-label must be signature or category", o.eve_label);
    }
    nc_dbuf_init(&r->summary, 1024 * 1024);
    nc_dbuf_init(&r->buf, OUT_CAP);
    nc_record_init();
    char tmpdir[4096] = "";
    const char *dir = o.in;
    rc = load_rules(r);
    if (rc == NC_EXIT_OK && mkdir(o.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "netcap label: %s: cannot create: %s\n", o.out, strerror(errno));
        rc = NC_EXIT_FAILURE;
    }
    if (rc == NC_EXIT_OK && o.read) {
        if (o.records) {
            dir = o.records;
        } else {
            const char *t = getenv("TMPDIR");
            snprintf(tmpdir, sizeof(tmpdir), "%s/netcap-label.XXXXXX", t && *t ? t : "/tmp");
            if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "netcap label: cannot create a temporary directory: %s\n",
                        strerror(errno));
                tmpdir[0] = '\0';
                rc = NC_EXIT_FAILURE;
            }
            dir = tmpdir;
        }
        if (rc == NC_EXIT_OK) {
            rc = capture_first(&o, dir);
        }
    }
    if (rc == NC_EXIT_OK) {
        rc = label_dir(r, dir);
    }
    if (rc == NC_EXIT_OK || r->n_ts > 0) {
        print_summary(r);
    }
    if (tmpdir[0]) {
        remove_tree(tmpdir);
    }
    lbl_index_free(r->ix);
    lbl_set_fini(&r->set);
    nc_free(r->hit);
    nc_dbuf_fini(&r->summary);
    nc_dbuf_fini(&r->buf);
    nc_free(r);
    return rc;
}
