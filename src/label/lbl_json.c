/*
 * summary: Suricata eve.json alert lines for netcap label, read by a small
 *          bounded JSON parser of our own.
 *
 * The whole line is checked against RFC 8259 (one object, nothing after
 * it, nesting at most LBL_JSON_DEPTH, strings valid UTF-8 after escapes,
 * no lone surrogates) while the fields an alert needs are picked up:
 * event_type, timestamp, src_ip, src_port, dest_ip, dest_port, proto, and
 * alert.{signature, signature_id, gid, rev, category, severity}. Nothing
 * is allocated: texts are unescaped into fixed buffers of LBL_TEXT_MAX
 * bytes, and a longer text that we need makes the line malformed.
 */
#include "label/lbl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum fld {
    F_NONE = -1,
    F_EVENT_TYPE,
    F_TIMESTAMP,
    F_SRC_IP,
    F_SRC_PORT,
    F_DEST_IP,
    F_DEST_PORT,
    F_PROTO,
    F_SIGNATURE,
    F_SIGNATURE_ID,
    F_GID,
    F_REV,
    F_CATEGORY,
    F_SEVERITY,
    F_ALERT, /* the object "alert" itself */
    F_COUNT
};

struct text {
    char p[LBL_TEXT_MAX];
    size_t n;
    bool set;
    bool is_num; /* a JSON number rather than a string */
};

struct jp {
    const char *p, *end, *start;
    char *why;
    struct text f[F_COUNT];
};

static bool fail(struct jp *j, const char *fmt, ...) NC_PRINTF(2, 3);
static bool fail(struct jp *j, const char *fmt, ...)
{
    if (j->why[0] == '\0') {
        char m[LBL_ERRLEN / 2];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m, sizeof(m), fmt, ap);
        va_end(ap);
        snprintf(j->why, LBL_ERRLEN, "malformed JSON at column %zu: %s",
                (size_t)(j->p - j->start) + 1, m);
    }
    return false;
}

static void ws(struct jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
        j->p++;
    }
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* Appends one byte to out (if out); false when full. */
static bool put(struct text *out, char c)
{
    if (!out) {
        return true;
    }
    if (out->n == sizeof(out->p)) {
        return false;
    }
    out->p[out->n++] = c;
    return true;
}

static bool put_cp(struct text *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    for (size_t i = 0; i < n; i++) {
        if (!put(out, b[i])) {
            return false;
        }
    }
    return true;
}

/* A string at j->p (the opening quote); unescaped into out if not NULL.
 * The line was checked as UTF-8 before, so raw bytes are copied as is. */
static bool string(struct jp *j, struct text *out)
{
    j->p++;
    if (out) {
        out->n = 0;
        out->set = true;
        out->is_num = false;
    }
    while (j->p < j->end) {
        char c = *j->p;
        if (c == '"') {
            j->p++;
            return true;
        }
        if ((unsigned char)c < 0x20) {
            return fail(j, "control character in a string");
        }
        if (c != '\\') {
            if (!put(out, c)) {
                return fail(j, "text longer than %d bytes", LBL_TEXT_MAX);
            }
            j->p++;
            continue;
        }
        if (j->end - j->p < 2) {
            return fail(j, "unterminated escape");
        }
        char e = j->p[1];
        j->p += 2;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k) {
            if (!put(out, to[k - from])) {
                return fail(j, "text longer than %d bytes", LBL_TEXT_MAX);
            }
            continue;
        }
        if (e != 'u' || j->end - j->p < 4) {
            return fail(j, "bad escape");
        }
        int v = hex4(j->p);
        if (v < 0) {
            return fail(j, "bad \\u escape");
        }
        j->p += 4;
        uint32_t cp = (uint32_t)v;
        if (cp >= 0xdc00 && cp <= 0xdfff) {
            return fail(j, "lone low surrogate");
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            int lo = j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' ? hex4(j->p + 2) : -1;
            if (lo < 0xdc00 || lo > 0xdfff) {
                return fail(j, "lone high surrogate");
            }
            j->p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
        }
        if (cp == 0) {
            return fail(j, "\\u0000 in a string");
        }
        if (!put_cp(out, cp)) {
            return fail(j, "text longer than %d bytes", LBL_TEXT_MAX);
        }
    }
    return fail(j, "unterminated string");
}

static bool number(struct jp *j, struct text *out)
{
    const char *s = j->p;
    if (j->p < j->end && *j->p == '-') {
        j->p++;
    }
    if (j->p == j->end || *j->p < '0' || *j->p > '9') {
        return fail(j, "bad number");
    }
    if (*j->p == '0') {
        j->p++;
    } else {
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (j->p == j->end || *j->p < '0' || *j->p > '9') {
            return fail(j, "bad number");
        }
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) {
            j->p++;
        }
        if (j->p == j->end || *j->p < '0' || *j->p > '9') {
            return fail(j, "bad number");
        }
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }
    if (out) {
        size_t n = (size_t)(j->p - s);
        if (n > sizeof(out->p)) {
            return fail(j, "number too long");
        }
        memcpy(out->p, s, n);
        out->n = n;
        out->set = true;
        out->is_num = true;
    }
    return true;
}

static enum fld field_of(int parent, const char *k, size_t n)
{
    static const struct {
        int parent;
        const char *name;
        enum fld f;
    } t[] = {
        { F_NONE, "event_type", F_EVENT_TYPE },
        { F_NONE, "timestamp", F_TIMESTAMP },
        { F_NONE, "src_ip", F_SRC_IP },
        { F_NONE, "src_port", F_SRC_PORT },
        { F_NONE, "dest_ip", F_DEST_IP },
        { F_NONE, "dest_port", F_DEST_PORT },
        { F_NONE, "proto", F_PROTO },
        { F_NONE, "alert", F_ALERT },
        { F_ALERT, "signature", F_SIGNATURE },
        { F_ALERT, "signature_id", F_SIGNATURE_ID },
        { F_ALERT, "gid", F_GID },
        { F_ALERT, "rev", F_REV },
        { F_ALERT, "category", F_CATEGORY },
        { F_ALERT, "severity", F_SEVERITY },
    };
    for (size_t i = 0; i < NC_ARRAY_LEN(t); i++) {
        if (t[i].parent == parent && strlen(t[i].name) == n && memcmp(t[i].name, k, n) == 0) {
            return t[i].f;
        }
    }
    return F_NONE;
}

/* A value; ctx is the field it is (F_NONE: not wanted, F_ALERT: the alert
 * object), top tells the outermost object. */
static bool value(struct jp *j, unsigned depth, enum fld ctx, bool top)
{
    ws(j);
    if (j->p == j->end) {
        return fail(j, "value expected");
    }
    if (depth > LBL_JSON_DEPTH) {
        return fail(j, "nested deeper than %d", LBL_JSON_DEPTH);
    }
    char c = *j->p;
    struct text *out = ctx != F_NONE && ctx != F_ALERT ? &j->f[ctx] : NULL;
    if (c == '"') {
        return string(j, out);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        return number(j, out);
    }
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        j->p++;
        ws(j);
        if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
            j->p++;
            return true;
        }
        for (;;) {
            enum fld sub = F_NONE;
            if (obj) {
                ws(j);
                if (j->p == j->end || *j->p != '"') {
                    return fail(j, "key expected");
                }
                const char *k = j->p + 1;
                if (!string(j, NULL)) {
                    return false;
                }
                size_t kn = (size_t)(j->p - 1 - k);
                if (top) {
                    sub = field_of(F_NONE, k, kn);
                } else if (ctx == F_ALERT) {
                    sub = field_of(F_ALERT, k, kn);
                }
                ws(j);
                if (j->p == j->end || *j->p != ':') {
                    return fail(j, "':' expected");
                }
                j->p++;
            }
            if (!value(j, depth + 1, sub, false)) {
                return false;
            }
            ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
                j->p++;
                return true;
            }
            return fail(j, "',' or '%c' expected", obj ? '}' : ']');
        }
    }
    static const char *const lits[] = { "true", "false", "null" };
    for (size_t i = 0; i < NC_ARRAY_LEN(lits); i++) {
        size_t n = strlen(lits[i]);
        if ((size_t)(j->end - j->p) >= n && memcmp(j->p, lits[i], n) == 0) {
            j->p += n;
            if (out) {
                out->set = false; /* null or a boolean: as if absent */
            }
            return true;
        }
    }
    return fail(j, "unexpected '%c'", c >= 0x20 && c < 0x7f ? c : '?');
}

static bool num_of(const struct text *t, uint32_t max, uint32_t *v)
{
    if (!t->set || t->n == 0 || t->n > 10) {
        return false;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->p[i] < '0' || t->p[i] > '9') {
            return false;
        }
        x = x * 10 + (uint64_t)(t->p[i] - '0');
    }
    if (x > max) {
        return false;
    }
    *v = (uint32_t)x;
    return true;
}

int lbl_parse_eve(struct lbl_set *s, const char *line, size_t n, char why[LBL_ERRLEN])
{
    struct jp *j = NULL;
    const char *p = line, *end = line + n;
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    if (p == end) {
        return 0;
    }
    /* about 14 KiB of buffers: one per thread rather than on the stack */
    static _Thread_local struct jp jb;
    j = &jb;
    memset(j->f, 0, sizeof(j->f));
    j->p = p;
    j->start = line;
    j->end = end;
    j->why = why;
    why[0] = '\0';
    if (*p != '{') {
        fail(j, "a line must be one JSON object");
        return -1;
    }
    if (!value(j, 1, F_NONE, true)) {
        return -1;
    }
    ws(j);
    if (j->p != j->end) {
        fail(j, "text after the object");
        return -1;
    }
    const struct text *et = &j->f[F_EVENT_TYPE];
    if (!et->set || et->is_num || et->n != 5 || memcmp(et->p, "alert", 5) != 0) {
        return 0; /* flow, dns, stats, ...: not an alert */
    }
    struct lbl_rule r;
    memset(&r, 0, sizeof(r));
    r.kind = LBL_EVE;
    r.severity = -1;
    const struct text *t = &j->f[F_TIMESTAMP];
    if (!t->set || t->is_num || !lbl_parse_time(t->p, t->n, &r.start)) {
        snprintf(why, LBL_ERRLEN, "alert without a valid timestamp");
        return -1;
    }
    r.end = r.start;
    const struct text *si = &j->f[F_SRC_IP], *di = &j->f[F_DEST_IP];
    if (!si->set || !di->set || si->is_num || di->is_num || !lbl_parse_addr(si->p, si->n, &r.src) ||
            !lbl_parse_addr(di->p, di->n, &r.dst) || r.src.fam == 0 || r.dst.fam == 0 ||
            r.src.fam != r.dst.fam || memchr(si->p, '/', si->n) || memchr(di->p, '/', di->n)) {
        snprintf(why, LBL_ERRLEN, "alert without valid src_ip and dest_ip");
        return -1;
    }
    r.proto = -1;
    const struct text *pr = &j->f[F_PROTO];
    if (pr->set) {
        uint32_t v;
        if (pr->is_num ? num_of(pr, 255, &v) : false) {
            r.proto = (int16_t)v;
        } else if (!pr->is_num && !lbl_parse_proto(pr->p, pr->n, &r.proto)) {
            r.proto = -1; /* a name we do not know: not checked */
        }
    }
    r.sp_hi = r.dp_hi = 65535;
    uint32_t sp, dp;
    bool hs = j->f[F_SRC_PORT].set, hd = j->f[F_DEST_PORT].set;
    if ((hs && !num_of(&j->f[F_SRC_PORT], 65535, &sp)) ||
            (hd && !num_of(&j->f[F_DEST_PORT], 65535, &dp))) {
        snprintf(why, LBL_ERRLEN, "bad src_port or dest_port");
        return -1;
    }
    if (hs && hd) {
        r.sp_lo = r.sp_hi = (uint16_t)sp;
        r.dp_lo = r.dp_hi = (uint16_t)dp;
    }
    const struct text *sig = &j->f[F_SIGNATURE], *cat = &j->f[F_CATEGORY];
    uint32_t sid, gid = 1, rev = 0, sev;
    if (!sig->set || sig->is_num || sig->n == 0 ||
            !num_of(&j->f[F_SIGNATURE_ID], UINT32_MAX, &sid)) {
        snprintf(why, LBL_ERRLEN, "alert without alert.signature and alert.signature_id");
        return -1;
    }
    if (j->f[F_GID].set && !num_of(&j->f[F_GID], UINT32_MAX, &gid)) {
        gid = 1;
    }
    if (j->f[F_REV].set && !num_of(&j->f[F_REV], UINT32_MAX, &rev)) {
        rev = 0;
    }
    if (j->f[F_SEVERITY].set && num_of(&j->f[F_SEVERITY], 1000000, &sev)) {
        r.severity = (int32_t)sev;
    }
    char rule[40];
    int rn = snprintf(rule, sizeof(rule), "%u:%u:%u", gid, sid, rev);
    bool from_cat = s->eve_label == LBL_FROM_CATEGORY && cat->set && !cat->is_num && cat->n > 0;
    const struct text *label = from_cat ? cat : sig;
    size_t cat_n = cat->set && !cat->is_num ? cat->n : 0;
    int rc = lbl_intern(s, label->p, label->n, &r.label);
    if (rc == NC_OK) {
        rc = lbl_intern(s, cat->p, cat_n, &r.category);
    }
    if (rc == NC_OK) {
        rc = lbl_intern(s, rule, (size_t)rn, &r.rule);
    }
    if (rc == NC_OK) {
        rc = lbl_add(s, &r);
    }
    if (rc != NC_OK) {
        snprintf(why, LBL_ERRLEN, "%s",
                rc == NC_ELIMIT ? "too many rules or texts" : nc_strerror(rc));
        return rc == NC_ELIMIT ? -2 : rc == NC_EARG ? -1 : -3;
    }
    return 1;
}
