/*
 * summary: ground truth for netcap label: rules read from Suricata eve.json
 *          and fast.log alerts and from attack maps (CSV), and an index
 *          that finds the rules matching a record's addresses, ports,
 *          protocol and time.
 *
 * A rule is one alert or one map row, in one shape: a time window, a
 * source and a destination prefix (an alert's addresses are full-length
 * prefixes; "any" is family 0, length 0), port ranges, a protocol and its
 * texts (label, category, rule id), interned in the set's string pool.
 * Formats and policies: docs/LABEL.md.
 *
 * Untrusted input is read only through lbl_load(): lines are capped at
 * LBL_LINE_MAX bytes, text fields at LBL_TEXT_MAX, rules per set at
 * LBL_RULES_MAX; everything else is counted as a skipped line with its
 * line number, never a crash. The JSON parser (lbl_json.c) is our own:
 * bounded, non-allocating, depth-capped.
 */
#ifndef NC_LABEL_LBL_H
#define NC_LABEL_LBL_H

#include <stdio.h>

#include "core/common.h"

enum {
    LBL_LINE_MAX = 1024 * 1024,       /* bytes in one input line; longer lines are skipped */
    LBL_TEXT_MAX = 1024,              /* bytes in one text field (label, signature, ...) */
    LBL_RULES_MAX = 16 * 1024 * 1024, /* rules in one set */
    LBL_POOL_MAX = 256 * 1024 * 1024, /* bytes of distinct texts */
    LBL_JSON_DEPTH = 32,              /* nesting of an eve.json line */
    LBL_MAP_COLS = 64,                /* cells in one attack-map row */
    LBL_ERRLEN = 256,                 /* one error message */
};

enum lbl_kind {
    LBL_EVE,
    LBL_FASTLOG,
    LBL_MAP,
};

/* eve.json: which alert text becomes the label (docs/LABEL.md). */
enum lbl_eve_label {
    LBL_FROM_SIGNATURE,
    LBL_FROM_CATEGORY,
};

struct lbl_addr {
    uint8_t fam;  /* 0 any, 4, 6 */
    uint8_t bits; /* prefix length; bits past it are zero */
    uint8_t a[16];
};

struct lbl_rule {
    int64_t start, end; /* ns, inclusive; an alert: start == end */
    struct lbl_addr src, dst;
    uint16_t sp_lo, sp_hi, dp_lo, dp_hi; /* 0..65535 is any */
    int16_t proto;                       /* IP protocol number, -1 any */
    int32_t severity;                    /* -1 none */
    uint32_t label, category, rule;      /* string pool offsets (0 is "") */
    uint32_t line;                       /* line number in its file */
    uint16_t file;                       /* index of its file (lbl_load's file_id) */
    uint8_t kind;                        /* enum lbl_kind */
    bool dropped;                        /* removed by the overlap check */
};

/* Counters of one lbl_load(). */
struct lbl_load_stats {
    uint64_t lines;     /* lines read (blank and comment lines included) */
    uint64_t rules;     /* rules added */
    uint64_t ignored;   /* not alerts (other eve event types), blank, comments */
    uint64_t malformed; /* skipped: bad syntax, bad field, bad encoding */
    uint64_t too_long;  /* skipped: longer than LBL_LINE_MAX */
    uint64_t over_cap;  /* skipped: the set is full */
};

struct lbl_set {
    struct lbl_rule *v;
    size_t n, cap;
    char *pool; /* NUL-terminated texts; offset 0 is "" */
    size_t pool_len, pool_cap;
    uint32_t *pool_hash; /* open addressing over pool offsets, for interning */
    size_t pool_hash_cap, pool_count;
    enum lbl_eve_label eve_label;
    uint64_t overlaps; /* map rows dropped by lbl_check_overlaps */
};

void lbl_set_init(struct lbl_set *s);
void lbl_set_fini(struct lbl_set *s);
static inline const char *lbl_text(const struct lbl_set *s, uint32_t off)
{
    return s->pool ? s->pool + off : "";
}

/* Reads every line of f (named name in messages) as kind into s. A bad
 * line is skipped and counted; its message ("eve.json line 7: malformed
 * JSON: ... ") goes to err (if not NULL) for the first `report` bad lines.
 * With strict the first bad line stops the load: NC_EMALFORMED, with the
 * message in why. NC_OK otherwise; NC_ENOMEM; NC_EIO (read error, in why). */
NC_WARN_UNUSED int lbl_load(struct lbl_set *s, enum lbl_kind kind, FILE *f, const char *name,
        uint16_t file_id, bool strict, FILE *err, unsigned report, struct lbl_load_stats *st,
        char why[LBL_ERRLEN]);

/* Line parsers, for lbl_load and the tests. Each returns 1 (a rule added),
 * 0 (a line that holds no rule: another event type, a comment) or -1 with
 * a reason in why. line is NUL-free and n bytes long (no newline). */
struct lbl_map_hdr {
    int col[LBL_MAP_COLS]; /* column index -> field (enum in lbl_text.c), -1 unknown */
    size_t n;
    bool seen;
};
int lbl_parse_eve(struct lbl_set *s, const char *line, size_t n, char why[LBL_ERRLEN]);
int lbl_parse_fastlog(struct lbl_set *s, const char *line, size_t n, char why[LBL_ERRLEN]);
int lbl_parse_map(
        struct lbl_set *s, struct lbl_map_hdr *h, const char *line, size_t n, char why[LBL_ERRLEN]);

/* Texts shared by the parsers. */
bool lbl_parse_addr(const char *s, size_t n, struct lbl_addr *out);        /* addr, CIDR, any, * */
bool lbl_parse_ports(const char *s, size_t n, uint16_t *lo, uint16_t *hi); /* 80, 1-1024, any */
bool lbl_parse_proto(const char *s, size_t n, int16_t *proto);             /* tcp, 6, any ... */
/* RFC 3339 (also Suricata's +0000 offsets) or epoch seconds / ns. */
bool lbl_parse_time(const char *s, size_t n, int64_t *ns);
/* Interns text (n bytes, valid UTF-8 checked by the caller); 0 for "". */
NC_WARN_UNUSED int lbl_intern(struct lbl_set *s, const char *p, size_t n, uint32_t *off);
/* Adds r (fields already set). NC_OK, NC_ELIMIT (LBL_RULES_MAX), NC_ENOMEM. */
NC_WARN_UNUSED int lbl_add(struct lbl_set *s, const struct lbl_rule *r);

/* Map rows whose windows, addresses, ports and protocols intersect those
 * of an earlier row with a different label: each is reported (line numbers
 * of both) and dropped, or with strict the first fails (NC_EMALFORMED,
 * message in why). names[i] names file i. */
NC_WARN_UNUSED int lbl_check_overlaps(struct lbl_set *s, const char *const *names, bool strict,
        FILE *err, unsigned report, char why[LBL_ERRLEN]);

/* ------------------------------------------------------------ matching */

struct lbl_index;

/* One record: both addresses of one family, ports (-1 unknown: not
 * checked), protocol (-1 unknown: not checked), time span [t0, t1]. */
struct lbl_query {
    uint8_t fam;
    uint8_t a[16], b[16]; /* src, dst */
    int32_t sport, dport;
    int32_t proto;
    int64_t t0, t1;
};

/* Indexes the rules of s that are not dropped; s must outlive it. */
NC_WARN_UNUSED int lbl_index_build(struct lbl_index **out, const struct lbl_set *s, int64_t tol);
void lbl_index_free(struct lbl_index *ix);

/* The rules matching q in either direction (widened by tol), sorted by
 * start time, then by rule index; each once. Writes up to cap rule
 * indexes to out and returns how many match in all. */
size_t lbl_index_match(
        const struct lbl_index *ix, const struct lbl_query *q, uint32_t *out, size_t cap);

#endif
