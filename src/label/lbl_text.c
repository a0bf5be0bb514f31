/*
 * summary: the rule set of netcap label: string pool, the bounded line
 *          reader, fast.log and attack-map lines, addresses, ports,
 *          protocols and times as alert files write them, and the overlap
 *          check of attack maps. Formats: docs/LABEL.md.
 */
#include "label/lbl.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/hash.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timefmt.h"

enum {
    CHUNK = 64 * 1024,                   /* read() size of the line reader */
    OVERLAP_MAX_CMP = 200 * 1000 * 1000, /* pairs the overlap check compares at most */
};

void lbl_set_init(struct lbl_set *s)
{
    memset(s, 0, sizeof(*s));
}

void lbl_set_fini(struct lbl_set *s)
{
    nc_free(s->v);
    nc_free(s->pool);
    nc_free(s->pool_hash);
    memset(s, 0, sizeof(*s));
}

static uint64_t text_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = nc_mix64(h ^ nc_load64((const uint8_t *)p + i));
    }
    uint64_t t = 0;
    memcpy(&t, p + i, n - i);
    return nc_mix64(h ^ t);
}

static int pool_rehash(struct lbl_set *s, size_t cap)
{
    uint32_t *h = nc_calloc(cap, sizeof(*h));
    if (!h) {
        return NC_ENOMEM;
    }
    for (size_t i = 0; i < s->pool_hash_cap; i++) {
        uint32_t off = s->pool_hash[i];
        if (off == 0) {
            continue;
        }
        const char *t = s->pool + off;
        size_t j = text_hash(t, strlen(t)) & (cap - 1);
        while (h[j] != 0) {
            j = (j + 1) & (cap - 1);
        }
        h[j] = off;
    }
    nc_free(s->pool_hash);
    s->pool_hash = h;
    s->pool_hash_cap = cap;
    return NC_OK;
}

int lbl_intern(struct lbl_set *s, const char *p, size_t n, uint32_t *off)
{
    *off = 0;
    if (n == 0) {
        return NC_OK;
    }
    if (n > LBL_TEXT_MAX || memchr(p, '\0', n)) {
        return NC_EARG;
    }
    if (!s->pool) {
        s->pool = nc_malloc(4096);
        if (!s->pool) {
            return NC_ENOMEM;
        }
        s->pool[0] = '\0';
        s->pool_len = 1;
        s->pool_cap = 4096;
    }
    if ((s->pool_count + 1) * 2 > s->pool_hash_cap) {
        int rc = pool_rehash(s, s->pool_hash_cap ? s->pool_hash_cap * 2 : 256);
        if (rc != NC_OK) {
            return rc;
        }
    }
    size_t mask = s->pool_hash_cap - 1, j = text_hash(p, n) & mask;
    for (; s->pool_hash[j] != 0; j = (j + 1) & mask) {
        const char *t = s->pool + s->pool_hash[j];
        if (strncmp(t, p, n) == 0 && t[n] == '\0') {
            *off = s->pool_hash[j];
            return NC_OK;
        }
    }
    if (s->pool_len + n + 1 > LBL_POOL_MAX) {
        return NC_ELIMIT;
    }
    if (s->pool_len + n + 1 > s->pool_cap) {
        size_t cap = s->pool_cap;
        while (cap < s->pool_len + n + 1) {
            cap *= 2;
        }
        char *np = nc_realloc(s->pool, cap);
        if (!np) {
            return NC_ENOMEM;
        }
        s->pool = np;
        s->pool_cap = cap;
    }
    memcpy(s->pool + s->pool_len, p, n);
    s->pool[s->pool_len + n] = '\0';
    *off = (uint32_t)s->pool_len;
    s->pool_len += n + 1;
    s->pool_hash[j] = *off;
    s->pool_count++;
    return NC_OK;
}

int lbl_add(struct lbl_set *s, const struct lbl_rule *r)
{
    if (s->n == LBL_RULES_MAX) {
        return NC_ELIMIT;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct lbl_rule *v = nc_realloc(s->v, cap * sizeof(*v));
        if (!v) {
            return NC_ENOMEM;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *r;
    return NC_OK;
}

/* ------------------------------------------------------------ small texts */

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) {
        (*n)--;
    }
}

static bool word_eq(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n != k) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != w[i]) {
            return false;
        }
    }
    return true;
}

static bool is_any(const char *s, size_t n)
{
    return n == 0 || word_eq(s, n, "*") || word_eq(s, n, "any");
}

/* Decimal number of at most max; the whole text. */
static bool parse_uint(const char *s, size_t n, uint32_t max, uint32_t *v)
{
    if (n == 0 || n > 10) {
        return false;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    if (x > max) {
        return false;
    }
    *v = (uint32_t)x;
    return true;
}

bool lbl_parse_addr(const char *s, size_t n, struct lbl_addr *out)
{
    trim(&s, &n);
    memset(out, 0, sizeof(*out));
    if (is_any(s, n)) {
        return true;
    }
    char buf[64];
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (alen == 0 || alen >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    unsigned max;
    if (inet_pton(AF_INET, buf, out->a) == 1) {
        out->fam = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, out->a) == 1) {
        out->fam = 6;
        max = 128;
    } else {
        return false;
    }
    uint32_t bits = max;
    if (slash && !parse_uint(slash + 1, n - alen - 1, max, &bits)) {
        return false;
    }
    out->bits = (uint8_t)bits;
    for (unsigned i = bits; i < 128; i++) {
        out->a[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    }
    return true;
}

bool lbl_parse_ports(const char *s, size_t n, uint16_t *lo, uint16_t *hi)
{
    trim(&s, &n);
    *lo = 0;
    *hi = 65535;
    if (is_any(s, n)) {
        return true;
    }
    const char *dash = memchr(s, '-', n);
    uint32_t a, b;
    if (!dash) {
        if (!parse_uint(s, n, 65535, &a)) {
            return false;
        }
        b = a;
    } else {
        size_t k = (size_t)(dash - s);
        const char *r = dash + 1;
        size_t rn = n - k - 1;
        trim(&r, &rn);
        const char *l = s;
        trim(&l, &k);
        if (!parse_uint(l, k, 65535, &a) || !parse_uint(r, rn, 65535, &b) || b < a) {
            return false;
        }
    }
    *lo = (uint16_t)a;
    *hi = (uint16_t)b;
    return true;
}

bool lbl_parse_proto(const char *s, size_t n, int16_t *proto)
{
    static const struct {
        const char *name;
        int16_t num;
    } names[] = {
        { "icmp", 1 },
        { "igmp", 2 },
        { "tcp", 6 },
        { "udp", 17 },
        { "gre", 47 },
        { "esp", 50 },
        { "ah", 51 },
        { "icmpv6", 58 },
        { "ipv6-icmp", 58 },
        { "icmp6", 58 },
        { "sctp", 132 },
    };
    trim(&s, &n);
    *proto = -1;
    if (is_any(s, n)) {
        return true;
    }
    for (size_t i = 0; i < NC_ARRAY_LEN(names); i++) {
        if (word_eq(s, n, names[i].name)) {
            *proto = names[i].num;
            return true;
        }
    }
    uint32_t v;
    if (!parse_uint(s, n, 255, &v)) {
        return false;
    }
    *proto = (int16_t)v;
    return true;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

bool lbl_parse_time(const char *s, size_t n, int64_t *ns)
{
    trim(&s, &n);
    char buf[64];
    if (n == 0 || n >= sizeof(buf) - 1) {
        return false;
    }
    memcpy(buf, s, n);
    /* Suricata writes offsets as +0000: make them +00:00 */
    if (n >= 16 && buf[4] == '-' && (buf[n - 5] == '+' || buf[n - 5] == '-') &&
            digits(buf + n - 4, 4)) {
        buf[n + 1] = '\0';
        buf[n] = buf[n - 1];
        buf[n - 1] = buf[n - 2];
        buf[n - 2] = ':';
        n++;
    }
    buf[n] = '\0';
    const char *why;
    return nc_time_parse(buf, n, ns, NULL, &why) == NC_OK;
}

static void set_why(char why[LBL_ERRLEN], const char *fmt, ...) NC_PRINTF(2, 3);
static void set_why(char why[LBL_ERRLEN], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, LBL_ERRLEN, fmt, ap);
    va_end(ap);
}

/* Adds r after interning its texts; -1 with why on failure. */
static int add_rule(struct lbl_set *s, struct lbl_rule *r, const char *label, size_t label_n,
        const char *cat, size_t cat_n, const char *rule, size_t rule_n, char why[LBL_ERRLEN])
{
    if (label_n > LBL_TEXT_MAX || cat_n > LBL_TEXT_MAX || rule_n > LBL_TEXT_MAX) {
        set_why(why, "a text field is longer than %d bytes", LBL_TEXT_MAX);
        return -1;
    }
    int rc = lbl_intern(s, label, label_n, &r->label);
    if (rc == NC_OK) {
        rc = lbl_intern(s, cat, cat_n, &r->category);
    }
    if (rc == NC_OK) {
        rc = lbl_intern(s, rule, rule_n, &r->rule);
    }
    if (rc == NC_OK) {
        rc = lbl_add(s, r);
    }
    if (rc != NC_OK) {
        set_why(why, "%s", rc == NC_ELIMIT ? "too many rules or texts" : nc_strerror(rc));
        return rc == NC_ELIMIT ? -2 : rc == NC_EARG ? -1 : -3;
    }
    return 1;
}

/* ------------------------------------------------------------ fast.log */

/* "[**] [1:2001219:20] ET SCAN ... [**] [Classification: X] [Priority: 2] {TCP}
 * 1.2.3.4:1234 -> 5.6.7.8:22", after "MM/DD/YYYY-HH:MM:SS.uuuuuu". */
static const char *find(const char *p, const char *end, const char *needle)
{
    size_t k = strlen(needle);
    for (; p + k <= end; p++) {
        if (memcmp(p, needle, k) == 0) {
            return p;
        }
    }
    return NULL;
}

/* "addr:port" with the port after the last colon; IPv6 may be bracketed. */
static bool host_port(const char *s, size_t n, struct lbl_addr *a, uint16_t *port, bool *has_port)
{
    trim(&s, &n);
    const char *colon = NULL;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == ':') {
            colon = s + i - 1;
            break;
        }
    }
    *has_port = false;
    if (colon && digits(colon + 1, (size_t)(s + n - colon - 1)) && colon + 1 < s + n) {
        size_t hn = (size_t)(colon - s);
        const char *h = s;
        if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
            h++;
            hn -= 2;
        }
        uint32_t v;
        if (hn > 0 && lbl_parse_addr(h, hn, a) && a->fam != 0 &&
                parse_uint(colon + 1, (size_t)(s + n - colon - 1), 65535, &v)) {
            *port = (uint16_t)v;
            *has_port = true;
            return true;
        }
    }
    return lbl_parse_addr(s, n, a) && a->fam != 0 && !memchr(s, '/', n);
}

int lbl_parse_fastlog(struct lbl_set *s, const char *line, size_t n, char why[LBL_ERRLEN])
{
    const char *end = line + n;
    const char *p = line;
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    if (p == end || *p == '#') {
        return 0;
    }
    /* 07/07/2017-11:59:50.123456 */
    if (end - p < 19 || p[2] != '/' || p[5] != '/' || p[10] != '-') {
        set_why(why, "no MM/DD/YYYY-HH:MM:SS time at the start");
        return -1;
    }
    const char *ts_end = p;
    while (ts_end < end && *ts_end != ' ') {
        ts_end++;
    }
    char tb[64];
    size_t tn = (size_t)(ts_end - p);
    if (tn < 19 || tn > 40) {
        set_why(why, "bad time");
        return -1;
    }
    int w = snprintf(
            tb, sizeof(tb), "%.4s-%.2s-%.2sT%.*sZ", p + 6, p, p + 3, (int)(tn - 11), p + 11);
    struct lbl_rule r;
    memset(&r, 0, sizeof(r));
    r.kind = LBL_FASTLOG;
    r.severity = -1;
    if (w <= 0 || !digits(p, 2) || !digits(p + 3, 2) || !digits(p + 6, 4) ||
            !lbl_parse_time(tb, (size_t)w, &r.start)) {
        set_why(why, "bad time '%.*s'", (int)tn, p);
        return -1;
    }
    r.end = r.start;
    const char *a = find(ts_end, end, "[**]");
    const char *sid = a ? find(a + 4, end, "[") : NULL;
    const char *sid_end = sid ? find(sid, end, "]") : NULL;
    const char *b = sid_end ? find(sid_end, end, "[**]") : NULL;
    if (!b) {
        set_why(why, "no '[**] [gid:sid:rev] signature [**]'");
        return -1;
    }
    const char *rule = sid + 1;
    size_t rule_n = (size_t)(sid_end - rule);
    const char *sig = sid_end + 1;
    size_t sig_n = (size_t)(b - sig);
    trim(&sig, &sig_n);
    const char *cat = NULL;
    size_t cat_n = 0;
    const char *c = find(b, end, "[Classification: ");
    if (c) {
        cat = c + 17;
        const char *ce = find(cat, end, "]");
        if (!ce) {
            set_why(why, "unterminated [Classification: ...]");
            return -1;
        }
        cat_n = (size_t)(ce - cat);
    }
    const char *pr = find(b, end, "[Priority: ");
    if (pr) {
        const char *pe = find(pr, end, "]");
        uint32_t v;
        if (!pe || !parse_uint(pr + 11, (size_t)(pe - pr - 11), 255, &v)) {
            set_why(why, "bad [Priority: N]");
            return -1;
        }
        r.severity = (int32_t)v;
    }
    const char *br = find(b, end, "{");
    const char *bre = br ? find(br, end, "}") : NULL;
    const char *arrow = bre ? find(bre, end, " -> ") : NULL;
    if (!arrow) {
        set_why(why, "no '{PROTO} src -> dst'");
        return -1;
    }
    if (!lbl_parse_proto(br + 1, (size_t)(bre - br - 1), &r.proto)) {
        r.proto = -1; /* an unknown protocol name: not checked */
    }
    uint16_t sp = 0, dp = 0;
    bool hs, hd;
    if (!host_port(bre + 1, (size_t)(arrow - bre - 1), &r.src, &sp, &hs) ||
            !host_port(arrow + 4, (size_t)(end - arrow - 4), &r.dst, &dp, &hd) ||
            r.src.fam != r.dst.fam) {
        set_why(why, "bad addresses in 'src -> dst'");
        return -1;
    }
    bool ports = hs && hd && (r.proto == 6 || r.proto == 17 || r.proto == 132);
    r.sp_lo = ports ? sp : 0;
    r.sp_hi = ports ? sp : 65535;
    r.dp_lo = ports ? dp : 0;
    r.dp_hi = ports ? dp : 65535;
    const char *label = s->eve_label == LBL_FROM_CATEGORY && cat_n > 0 ? cat : sig;
    size_t label_n = s->eve_label == LBL_FROM_CATEGORY && cat_n > 0 ? cat_n : sig_n;
    if (label_n == 0) {
        set_why(why, "empty signature");
        return -1;
    }
    return add_rule(s, &r, label, label_n, cat, cat_n, rule, rule_n, why);
}

/* ------------------------------------------------------------ attack maps */

enum map_field {
    MF_START,
    MF_END,
    MF_SRC,
    MF_DST,
    MF_SPORT,
    MF_DPORT,
    MF_PROTO,
    MF_LABEL,
    MF_CATEGORY,
    MF_SEVERITY,
    MF_ID,
    MF_COUNT
};

static const char *const map_names[MF_COUNT][4] = {
    [MF_START] = { "start", "start_time", "begin", NULL },
    [MF_END] = { "end", "end_time", "stop", NULL },
    [MF_SRC] = { "src", "src_ip", "source", NULL },
    [MF_DST] = { "dst", "dst_ip", "destination", NULL },
    [MF_SPORT] = { "sport", "src_port", NULL, NULL },
    [MF_DPORT] = { "dport", "dst_port", NULL, NULL },
    [MF_PROTO] = { "proto", "protocol", NULL, NULL },
    [MF_LABEL] = { "label", NULL, NULL, NULL },
    [MF_CATEGORY] = { "category", NULL, NULL, NULL },
    [MF_SEVERITY] = { "severity", NULL, NULL, NULL },
    [MF_ID] = { "id", "rule", NULL, NULL },
};

struct cell {
    const char *p;
    size_t n;
};

/* Splits an RFC 4180 line into cells; quoted cells are unquoted into tmp
 * (same size as the line). Returns the number of cells, or -1. */
static int split_csv(
        const char *line, size_t n, char *tmp, struct cell *cells, size_t max, char why[LBL_ERRLEN])
{
    size_t k = 0, i = 0, t = 0;
    for (;;) {
        if (k == max) {
            set_why(why, "more than %zu cells", max);
            return -1;
        }
        if (i < n && line[i] == '"') {
            i++;
            size_t start = t;
            for (;;) {
                if (i == n) {
                    set_why(why, "unterminated quoted cell %zu", k + 1);
                    return -1;
                }
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        tmp[t++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                tmp[t++] = line[i++];
            }
            cells[k].p = tmp + start;
            cells[k].n = t - start;
            if (i < n && line[i] != ',') {
                set_why(why, "text after the closing quote of cell %zu", k + 1);
                return -1;
            }
        } else {
            size_t start = i;
            while (i < n && line[i] != ',') {
                if (line[i] == '"') {
                    set_why(why, "a quote inside unquoted cell %zu", k + 1);
                    return -1;
                }
                i++;
            }
            cells[k].p = line + start;
            cells[k].n = i - start;
        }
        k++;
        if (i == n) {
            return (int)k;
        }
        i++; /* the comma */
    }
}

static int map_header(struct lbl_map_hdr *h, const struct cell *c, int nc, char why[LBL_ERRLEN])
{
    bool have[MF_COUNT] = { false };
    h->n = (size_t)nc;
    for (int i = 0; i < nc; i++) {
        const char *p = c[i].p;
        size_t n = c[i].n;
        trim(&p, &n);
        h->col[i] = -1;
        for (int f = 0; f < MF_COUNT && h->col[i] < 0; f++) {
            for (int a = 0; a < 4 && map_names[f][a]; a++) {
                if (word_eq(p, n, map_names[f][a])) {
                    if (have[f]) {
                        set_why(why, "header names '%s' twice", map_names[f][0]);
                        return -1;
                    }
                    h->col[i] = f;
                    have[f] = true;
                    break;
                }
            }
        }
    }
    static const int required[] = { MF_START, MF_END, MF_SRC, MF_DST, MF_LABEL };
    for (size_t i = 0; i < NC_ARRAY_LEN(required); i++) {
        if (!have[required[i]]) {
            set_why(why, "header lacks the column '%s' (needs start,end,src,dst,label)",
                    map_names[required[i]][0]);
            return -1;
        }
    }
    h->seen = true;
    return 0;
}

int lbl_parse_map(
        struct lbl_set *s, struct lbl_map_hdr *h, const char *line, size_t n, char why[LBL_ERRLEN])
{
    const char *q = line;
    size_t qn = n;
    trim(&q, &qn);
    if (qn == 0 || q[0] == '#') {
        return 0;
    }
    char *tmp = nc_malloc(n + 1);
    if (!tmp) {
        set_why(why, "out of memory");
        return -3;
    }
    struct cell c[LBL_MAP_COLS];
    int nc = split_csv(line, n, tmp, c, LBL_MAP_COLS, why);
    int ret = -1;
    if (nc < 0) {
        goto out;
    }
    if (!h->seen) {
        ret = map_header(h, c, nc, why);
        goto out;
    }
    if ((size_t)nc != h->n) {
        set_why(why, "%d cells, the header has %zu", nc, h->n);
        goto out;
    }
    struct lbl_rule r;
    memset(&r, 0, sizeof(r));
    r.kind = LBL_MAP;
    r.severity = -1;
    r.sp_hi = r.dp_hi = 65535;
    r.proto = -1;
    struct cell f[MF_COUNT];
    memset(f, 0, sizeof(f));
    for (int i = 0; i < nc; i++) {
        if (h->col[i] >= 0) {
            f[h->col[i]] = c[i];
            trim(&f[h->col[i]].p, &f[h->col[i]].n);
        }
    }
    if (!lbl_parse_time(f[MF_START].p, f[MF_START].n, &r.start)) {
        set_why(why, "bad start time '%.*s'", (int)NC_MIN(f[MF_START].n, 64), f[MF_START].p);
        goto out;
    }
    if (!lbl_parse_time(f[MF_END].p, f[MF_END].n, &r.end)) {
        set_why(why, "bad end time '%.*s'", (int)NC_MIN(f[MF_END].n, 64), f[MF_END].p);
        goto out;
    }
    if (r.end < r.start) {
        set_why(why, "end is before start");
        goto out;
    }
    if (!lbl_parse_addr(f[MF_SRC].p, f[MF_SRC].n, &r.src)) {
        set_why(why, "bad src '%.*s'", (int)NC_MIN(f[MF_SRC].n, 64), f[MF_SRC].p);
        goto out;
    }
    if (!lbl_parse_addr(f[MF_DST].p, f[MF_DST].n, &r.dst)) {
        set_why(why, "bad dst '%.*s'", (int)NC_MIN(f[MF_DST].n, 64), f[MF_DST].p);
        goto out;
    }
    if (r.src.fam && r.dst.fam && r.src.fam != r.dst.fam) {
        set_why(why, "src and dst are of different IP versions");
        goto out;
    }
    if (!lbl_parse_ports(f[MF_SPORT].p, f[MF_SPORT].n, &r.sp_lo, &r.sp_hi) ||
            !lbl_parse_ports(f[MF_DPORT].p, f[MF_DPORT].n, &r.dp_lo, &r.dp_hi)) {
        set_why(why, "bad port (want N, LO-HI or any)");
        goto out;
    }
    if (!lbl_parse_proto(f[MF_PROTO].p, f[MF_PROTO].n, &r.proto)) {
        set_why(why, "bad protocol '%.*s'", (int)NC_MIN(f[MF_PROTO].n, 64), f[MF_PROTO].p);
        goto out;
    }
    if (f[MF_SEVERITY].n > 0) {
        uint32_t v;
        if (!parse_uint(f[MF_SEVERITY].p, f[MF_SEVERITY].n, 1000000, &v)) {
            set_why(why, "bad severity (want a whole number)");
            goto out;
        }
        r.severity = (int32_t)v;
    }
    if (f[MF_LABEL].n == 0) {
        set_why(why, "empty label");
        goto out;
    }
    ret = add_rule(s, &r, f[MF_LABEL].p, f[MF_LABEL].n, f[MF_CATEGORY].p, f[MF_CATEGORY].n,
            f[MF_ID].p, f[MF_ID].n, why);
out:
    nc_free(tmp);
    return ret;
}

/* ------------------------------------------------------------ loading */

struct reader {
    FILE *f;
    char chunk[CHUNK];
    size_t pos, len;
    bool eof;
    int err;
};

/* Next line into line (without \n and a final \r). 1: a line (too_long
 * when it did not fit: then line holds nothing useful), 0: the end. */
static int next_line(struct reader *r, struct nc_dbuf *line, bool *too_long)
{
    nc_dbuf_reset(line);
    *too_long = false;
    bool any = false;
    for (;;) {
        if (r->pos == r->len) {
            if (r->eof) {
                return any ? 1 : 0;
            }
            r->len = fread(r->chunk, 1, sizeof(r->chunk), r->f);
            r->pos = 0;
            if (r->len < sizeof(r->chunk)) {
                r->eof = true;
                if (ferror(r->f)) {
                    r->err = NC_EIO;
                }
            }
            continue;
        }
        any = true;
        const char *p = r->chunk + r->pos;
        const char *nl = memchr(p, '\n', r->len - r->pos);
        size_t take = nl ? (size_t)(nl - p) : r->len - r->pos;
        if (!*too_long && nc_dbuf_append(line, p, take) != NC_OK) {
            *too_long = true;
            nc_dbuf_reset(line);
        }
        r->pos += take + (nl ? 1 : 0);
        if (nl) {
            break;
        }
    }
    if (line->len > 0 && line->p[line->len - 1] == '\r') {
        line->len--;
    }
    return 1;
}

static const char *kind_name(enum lbl_kind k)
{
    return k == LBL_EVE ? "eve.json" : k == LBL_FASTLOG ? "fast.log" : "attack map";
}

int lbl_load(struct lbl_set *s, enum lbl_kind kind, FILE *f, const char *name, uint16_t file_id,
        bool strict, FILE *err, unsigned report, struct lbl_load_stats *st, char why[LBL_ERRLEN])
{
    memset(st, 0, sizeof(*st));
    why[0] = '\0';
    struct reader *r = nc_calloc(1, sizeof(*r));
    if (!r) {
        return NC_ENOMEM;
    }
    r->f = f;
    struct nc_dbuf line;
    nc_dbuf_init(&line, LBL_LINE_MAX);
    struct lbl_map_hdr hdr;
    memset(&hdr, 0, sizeof(hdr));
    int rc = NC_OK;
    bool too_long;
    char msg[LBL_ERRLEN];
    while (next_line(r, &line, &too_long) == 1) {
        st->lines++;
        const char *p = line.p ? (const char *)line.p : ""; /* an empty line has no buffer */
        size_t n = line.len;
        if (st->lines == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3; /* a UTF-8 byte order mark */
            n -= 3;
        }
        int res;
        uint64_t *counter = &st->malformed;
        if (too_long) {
            res = -1;
            counter = &st->too_long;
            snprintf(msg, sizeof(msg), "line longer than %d bytes", LBL_LINE_MAX);
        } else if (n > 0 && memchr(p, '\0', n)) {
            res = -1;
            snprintf(msg, sizeof(msg), "NUL byte (not a text file, or UTF-16?)");
        } else if (!nc_utf8_valid((const uint8_t *)p, n)) {
            res = -1;
            snprintf(msg, sizeof(msg), "not valid UTF-8");
        } else if (kind == LBL_EVE) {
            res = lbl_parse_eve(s, p, n, msg);
        } else if (kind == LBL_FASTLOG) {
            res = lbl_parse_fastlog(s, p, n, msg);
        } else {
            res = lbl_parse_map(s, &hdr, p, n, msg);
        }
        if (res == 1) {
            s->v[s->n - 1].line = (uint32_t)NC_MIN(st->lines, UINT32_MAX);
            s->v[s->n - 1].file = file_id;
            st->rules++;
            continue;
        }
        if (res == 0) {
            st->ignored++;
            continue;
        }
        if (res == -3) {
            rc = NC_ENOMEM;
            break;
        }
        if (res == -2) {
            counter = &st->over_cap;
        }
        (*counter)++;
        uint64_t bad = st->malformed + st->too_long + st->over_cap;
        if (strict) {
            snprintf(why, LBL_ERRLEN, "%s line %llu: %s", name, (unsigned long long)st->lines, msg);
            rc = NC_EMALFORMED;
            break;
        }
        if (err && bad <= report) {
            fprintf(err, "netcap label: %s (%s) line %llu: %s; line skipped\n", name,
                    kind_name(kind), (unsigned long long)st->lines, msg);
        }
    }
    if (rc == NC_OK && r->err != NC_OK) {
        snprintf(why, LBL_ERRLEN, "%s: read error", name);
        rc = NC_EIO;
    }
    if (rc == NC_OK && kind == LBL_MAP && !hdr.seen && st->lines > st->ignored) {
        snprintf(why, LBL_ERRLEN, "%s: no header row", name);
        rc = NC_EMALFORMED;
    }
    nc_dbuf_fini(&line);
    nc_free(r);
    return rc;
}

/* ------------------------------------------------------------ overlaps */

static bool addr_meet(const struct lbl_addr *x, const struct lbl_addr *y)
{
    if (x->fam == 0 || y->fam == 0) {
        return true;
    }
    if (x->fam != y->fam) {
        return false;
    }
    unsigned bits = NC_MIN(x->bits, y->bits);
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(x->a, y->a, full) != 0) {
        return false;
    }
    uint8_t mask = (uint8_t)(0xff00u >> rest);
    return rest == 0 || (x->a[full] & mask) == (y->a[full] & mask);
}

static bool range_meet(uint16_t alo, uint16_t ahi, uint16_t blo, uint16_t bhi)
{
    return alo <= bhi && blo <= ahi;
}

static bool rules_meet(const struct lbl_rule *x, const struct lbl_rule *y)
{
    if (x->proto >= 0 && y->proto >= 0 && x->proto != y->proto) {
        return false;
    }
    bool fwd = addr_meet(&x->src, &y->src) && addr_meet(&x->dst, &y->dst) &&
               range_meet(x->sp_lo, x->sp_hi, y->sp_lo, y->sp_hi) &&
               range_meet(x->dp_lo, x->dp_hi, y->dp_lo, y->dp_hi);
    bool rev = addr_meet(&x->src, &y->dst) && addr_meet(&x->dst, &y->src) &&
               range_meet(x->sp_lo, x->sp_hi, y->dp_lo, y->dp_hi) &&
               range_meet(x->dp_lo, x->dp_hi, y->sp_lo, y->sp_hi);
    return fwd || rev;
}

static const struct lbl_rule *sort_rules;
static int by_start(const void *a, const void *b)
{
    const struct lbl_rule *x = &sort_rules[*(const uint32_t *)a];
    const struct lbl_rule *y = &sort_rules[*(const uint32_t *)b];
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

int lbl_check_overlaps(struct lbl_set *s, const char *const *names, bool strict, FILE *err,
        unsigned report, char why[LBL_ERRLEN])
{
    why[0] = '\0';
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++) {
        m += s->v[i].kind == LBL_MAP;
    }
    if (m < 2) {
        return NC_OK;
    }
    uint32_t *ord = nc_malloc(m * sizeof(*ord));
    if (!ord) {
        return NC_ENOMEM;
    }
    m = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].kind == LBL_MAP) {
            ord[m++] = (uint32_t)i;
        }
    }
    sort_rules = s->v;
    qsort(ord, m, sizeof(*ord), by_start);
    uint64_t cmp = 0;
    int rc = NC_OK;
    /* rows are compared with the earlier rows still open at their start;
     * the later row of a conflicting pair (by file order) is dropped */
    for (size_t i = 1; i < m && rc == NC_OK && cmp < OVERLAP_MAX_CMP; i++) {
        struct lbl_rule *y = &s->v[ord[i]];
        for (size_t j = i; j-- > 0 && cmp < OVERLAP_MAX_CMP;) {
            struct lbl_rule *x = &s->v[ord[j]];
            cmp++;
            if (x->dropped || x->end < y->start || x->label == y->label || !rules_meet(x, y)) {
                continue;
            }
            struct lbl_rule *late = ord[j] > ord[i] ? x : y, *early = late == x ? y : x;
            char msg[LBL_ERRLEN];
            snprintf(msg, sizeof(msg),
                    "%s line %u: window overlaps %s line %u with a different label ('%s' vs '%s')",
                    names[late->file], late->line, names[early->file], early->line,
                    lbl_text(s, late->label), lbl_text(s, early->label));
            if (strict) {
                snprintf(why, LBL_ERRLEN, "%s", msg);
                rc = NC_EMALFORMED;
                break;
            }
            late->dropped = true;
            s->overlaps++;
            if (err && s->overlaps <= report) {
                fprintf(err, "netcap label: %s; line skipped\n", msg);
            }
            if (late == y) {
                break;
            }
        }
    }
    if (rc == NC_OK && cmp >= OVERLAP_MAX_CMP && err) {
        fprintf(err, "netcap label: overlap check stopped after %d comparisons\n", OVERLAP_MAX_CMP);
    }
    nc_free(ord);
    return rc;
}
