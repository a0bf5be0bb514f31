/*
 * summary: -where expressions (grammar in filter.h): a recursive-descent
 *          parser into a node array, and a matcher that reads fields with
 *          memcpy through the protobuf-c descriptors.
 *
 * Each comparison is typed when it is parsed (the field's type decides how
 * the value is read), so a typo in a value is reported with its column
 * before any record is read, and matching never parses text.
 */
#include "record/filter.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dbuf.h"
#include "core/mem.h"
#include "record/enums.h"
#include "record/reflect.h"
#include "core/timefmt.h"

enum node_kind {
    N_AND,
    N_OR,
    N_NOT,
    N_CMP
};

enum op {
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_GT,
    OP_LE,
    OP_GE,
    OP_MATCH,
    OP_NMATCH
};

/* How a comparison reads the field and what its value is. */
enum vkind {
    V_INT,    /* signed integer types, enums (also times, durations, names) */
    V_UINT,   /* uint64 / fixed64 */
    V_DOUBLE, /* float, double */
    V_BOOL,
    V_STR,   /* string: = != < > <= >= by bytes, ~ substring */
    V_REGEX, /* string ~ /re/ */
    V_CIDR,  /* string holding an address, = != prefix match */
    V_BYTES, /* bytes: = != exact, ~ contains */
    V_NAME,  /* <field>_name: the name as text (V_STR rules) */
    V_NAME_REGEX,
};

struct cmp {
    const ProtobufCFieldDescriptor *f;
    const struct nc_enum *names; /* V_NAME*: the field's names */
    enum op op;
    enum vkind kind;
    int64_t i;
    uint64_t u;
    double d;
    bool b;
    char *s; /* V_STR, V_NAME, V_BYTES (raw bytes, length n) */
    size_t n;
    regex_t re;
    bool re_ok;
    int family;      /* V_CIDR: AF_INET or AF_INET6 */
    uint8_t net[16]; /* V_CIDR: network, host bits cleared */
    unsigned bits;   /* V_CIDR: prefix length */
};

struct node {
    enum node_kind kind;
    int a, b; /* children (AND, OR: both; NOT: a) */
    struct cmp c;
};

struct nc_filter {
    const ProtobufCMessageDescriptor *desc;
    struct node *nodes;
    size_t n_nodes, cap;
    int root;
};

/* ------------------------------------------------------------------ lexer */

enum tok {
    T_END,
    T_LPAREN,
    T_RPAREN,
    T_AND,
    T_OR,
    T_NOT,
    T_WORD, /* field name or bare value */
    T_OP,
};

struct parser {
    const char *src;
    size_t len, pos;
    enum tok t; /* current token */
    size_t t_start, t_len;
    const ProtobufCMessageDescriptor *desc;
    struct nc_filter *f;
    char *err;
    size_t err_len;
    bool failed;
};

static void fail_at(struct parser *p, size_t at, size_t n, const char *fmt, ...) NC_PRINTF(4, 5);

/* "column N 'TOKEN': <message>": one line, pointing at the bad part. */
static void fail_at(struct parser *p, size_t at, size_t n, const char *fmt, ...)
{
    if (p->failed) {
        return;
    }
    p->failed = true;
    char msg[NC_FILTER_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (at >= p->len) {
        snprintf(p->err, p->err_len, "column %zu (the end): %s", p->len + 1, msg);
        return;
    }
    int shown = (int)NC_MIN(n ? n : 1, (size_t)80);
    snprintf(p->err, p->err_len, "column %zu '%.*s': %s", at + 1, shown, p->src + at, msg);
}

static bool word_char(char c)
{
    return c != '\0' && !isspace((unsigned char)c) && c != '(' && c != ')';
}

static bool word_is(const struct parser *p, const char *kw)
{
    size_t n = strlen(kw);
    return p->t_len == n && strncasecmp(p->src + p->t_start, kw, n) == 0;
}

/* Reads the next token. In a word, stops at an operator character too when
 * `field` is set (so "src_ip=1.2.3.4" splits after the name). */
static void next(struct parser *p, bool field)
{
    while (p->pos < p->len && isspace((unsigned char)p->src[p->pos])) {
        p->pos++;
    }
    p->t_start = p->pos;
    if (p->pos >= p->len) {
        p->t = T_END;
        p->t_len = 0;
        return;
    }
    const char *s = p->src + p->pos;
    size_t rest = p->len - p->pos;
    if (*s == '(' || *s == ')') {
        p->t = *s == '(' ? T_LPAREN : T_RPAREN;
        p->t_len = 1;
        p->pos++;
        return;
    }
    if (rest >= 2 && (memcmp(s, "&&", 2) == 0 || memcmp(s, "||", 2) == 0)) {
        p->t = *s == '&' ? T_AND : T_OR;
        p->t_len = 2;
        p->pos += 2;
        return;
    }
    if (*s == '!' && (rest == 1 || (s[1] != '=' && s[1] != '~'))) {
        p->t = T_NOT;
        p->t_len = 1;
        p->pos++;
        return;
    }
    if (field && strchr("=!<>~", *s)) {
        size_t n = 1;
        if (rest >= 2 && s[1] == '=' && strchr("=!<>", *s)) {
            n = 2;
        } else if (rest >= 2 && *s == '!' && s[1] == '~') {
            n = 2;
        }
        p->t = T_OP;
        p->t_len = n;
        p->pos += n;
        return;
    }
    size_t n = 0;
    while (n < rest && word_char(s[n]) && !(field && strchr("=!<>~", s[n]))) {
        n++;
    }
    p->t = T_WORD;
    p->t_len = n;
    p->pos += n;
    if (word_is(p, "and")) {
        p->t = T_AND;
    } else if (word_is(p, "or")) {
        p->t = T_OR;
    } else if (word_is(p, "not")) {
        p->t = T_NOT;
    }
}

/* ------------------------------------------------------------------ values */

static bool is_signed_int(ProtobufCType t)
{
    return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
           t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_INT64 ||
           t == PROTOBUF_C_TYPE_SINT64 || t == PROTOBUF_C_TYPE_SFIXED64 ||
           t == PROTOBUF_C_TYPE_UINT32 || t == PROTOBUF_C_TYPE_FIXED32 || t == PROTOBUF_C_TYPE_ENUM;
}

static const char *op_text(enum op op)
{
    static const char *const t[] = { "=", "!=", "<", ">", "<=", ">=", "~", "!~" };
    return t[op];
}

/* Address or CIDR ("10.0.0.0/8", "2001:db8::1", "::/0"). */
static bool parse_cidr(const char *s, struct cmp *c)
{
    char buf[64];
    size_t n = strlen(s);
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (alen == 0 || alen >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    unsigned max;
    memset(c->net, 0, sizeof(c->net));
    if (inet_pton(AF_INET, buf, c->net) == 1) {
        c->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, c->net) == 1) {
        c->family = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    c->bits = max;
    if (slash) {
        const char *d = slash + 1;
        if (*d < '0' || *d > '9' || strlen(d) > 3) {
            return false;
        }
        unsigned v = 0;
        for (; *d; d++) {
            if (*d < '0' || *d > '9') {
                return false;
            }
            v = v * 10 + (unsigned)(*d - '0');
        }
        if (v > max) {
            return false;
        }
        c->bits = v;
    }
    for (unsigned i = c->bits; i < max; i++) {
        c->net[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    }
    return true;
}

static bool cidr_match(const struct cmp *c, const char *s)
{
    uint8_t a[16];
    if (!s || inet_pton(c->family, s, a) != 1) {
        return false;
    }
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(a, c->net, full) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a[full] & mask) == c->net[full];
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads the value token (quoted, /regex/ or bare) into a new string. */
static char *read_value(struct parser *p, bool regex_ok, bool *is_regex, size_t *at)
{
    while (p->pos < p->len && isspace((unsigned char)p->src[p->pos])) {
        p->pos++;
    }
    *at = p->pos;
    *is_regex = false;
    const char *s = p->src + p->pos;
    size_t rest = p->len - p->pos;
    char *out = nc_malloc(rest + 1);
    if (!out) {
        return NULL;
    }
    size_t n = 0;
    if (rest > 0 && (*s == '"' || (*s == '/' && regex_ok))) {
        char close = *s;
        *is_regex = close == '/';
        size_t i = 1;
        for (; i < rest && s[i] != close; i++) {
            if (s[i] == '\\' && i + 1 < rest && (s[i + 1] == close || close == '"')) {
                i++; /* \" in a string, \/ in a regex; other regex escapes stay */
            }
            out[n++] = s[i];
        }
        if (i >= rest) {
            fail_at(p, *at, 1, "unterminated %s", close == '"' ? "string" : "regex");
            nc_free(out);
            return NULL;
        }
        p->pos += i + 1;
    } else {
        while (n < rest && word_char(s[n])) {
            out[n] = s[n];
            n++;
        }
        p->pos += n;
        if (n == 0) {
            fail_at(p, *at, 1, "expected a value");
            nc_free(out);
            return NULL;
        }
    }
    out[n] = '\0';
    return out;
}

/* Fills c's value from text v per the field type. false after fail_at. */
static bool typed_value(struct parser *p, struct cmp *c, char *v, bool is_regex, size_t at)
{
    const ProtobufCFieldDescriptor *f = c->f;
    size_t vn = strlen(v);
    bool ordered = c->op != OP_EQ && c->op != OP_NE;
    bool match = c->op == OP_MATCH || c->op == OP_NMATCH;
    const char *why = NULL;
    if (c->names) { /* <field>_name: text */
        c->kind = is_regex ? V_NAME_REGEX : V_NAME;
    } else if (f->type == PROTOBUF_C_TYPE_STRING) {
        c->kind = is_regex ? V_REGEX : V_STR;
        if (!match && !ordered && parse_cidr(v, c)) {
            c->kind = V_CIDR;
        }
    } else if (match && f->type != PROTOBUF_C_TYPE_BYTES) {
        fail_at(p, at, vn, "%s applies to text and bytes fields; '%s' is not one", op_text(c->op),
                f->name);
        return false;
    } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
        if (is_regex || (ordered && !match)) {
            fail_at(p, at, vn, "bytes fields take = != ~ and hex, e.g. %s~0d0a", f->name);
            return false;
        }
        c->kind = V_BYTES;
        if (vn % 2 != 0) {
            fail_at(p, at, vn, "odd number of hex digits");
            return false;
        }
        for (size_t i = 0; i < vn; i += 2) {
            int hi = hexval(v[i]), lo = hexval(v[i + 1]);
            if (hi < 0 || lo < 0) {
                fail_at(p, at, vn, "not hex");
                return false;
            }
            v[i / 2] = (char)(hi << 4 | lo);
        }
        c->n = vn / 2;
    } else if (f->type == PROTOBUF_C_TYPE_BOOL) {
        c->kind = V_BOOL;
        if (ordered) {
            fail_at(p, at, vn, "'%s' is true or false: use = or !=", f->name);
            return false;
        }
        if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) {
            c->b = true;
        } else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0) {
            c->b = false;
        } else {
            fail_at(p, at, vn, "'%s' is true or false", f->name);
            return false;
        }
    } else if (f->type == PROTOBUF_C_TYPE_FLOAT || f->type == PROTOBUF_C_TYPE_DOUBLE) {
        c->kind = V_DOUBLE;
        char *end = NULL;
        c->d = strtod(v, &end);
        if (end == v || *end != '\0') {
            fail_at(p, at, vn, "not a number");
            return false;
        }
    } else if (f->type == PROTOBUF_C_TYPE_UINT64 || f->type == PROTOBUF_C_TYPE_FIXED64) {
        c->kind = V_UINT;
        char *end = NULL;
        errno = 0;
        c->u = strtoull(v, &end, 0);
        if (errno || end == v || *end != '\0' || v[0] == '-') {
            fail_at(p, at, vn, "not a whole number (0..18446744073709551615)");
            return false;
        }
    } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        fail_at(p, at, vn, "'%s' is a nested message: only top-level fields compare", f->name);
        return false;
    } else if (is_signed_int(f->type)) {
        c->kind = V_INT;
        enum nc_field_kind k = nc_field_kind(f);
        char *end = NULL;
        errno = 0;
        long long x = strtoll(v, &end, 0);
        bool plain = !errno && end != v && *end == '\0';
        if (k == NC_FIELD_TIME) {
            if (nc_time_parse(v, vn, &c->i, NULL, &why) != NC_OK) {
                fail_at(p, at, vn, "%s", why);
                return false;
            }
        } else if (k == NC_FIELD_DURATION) {
            if (nc_duration_parse(v, vn, &c->i, &why) != NC_OK) {
                fail_at(p, at, vn, "%s", why);
                return false;
            }
        } else if (plain) {
            c->i = x;
        } else if (f->type == PROTOBUF_C_TYPE_ENUM && f->descriptor &&
                   protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, v)) {
            c->i = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, v)->value;
        } else if (nc_enum_value(nc_enum_find(p->desc, f), v, vn, &c->i)) {
            /* a name: type=AAAA */
        } else {
            fail_at(p, at, vn, "'%s' is a number%s", f->name,
                    nc_enum_find(p->desc, f) ? " or a known name" : "");
            return false;
        }
    } else {
        fail_at(p, at, vn, "cannot compare field '%s'", f->name);
        return false;
    }
    if (c->kind == V_REGEX || c->kind == V_NAME_REGEX) {
        int rc = regcomp(&c->re, v, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char e[256];
            regerror(rc, &c->re, e, sizeof(e));
            fail_at(p, at, vn, "bad regex: %s", e);
            return false;
        }
        c->re_ok = true;
    } else if (c->kind == V_STR || c->kind == V_NAME || c->kind == V_BYTES) {
        if (c->kind != V_BYTES) {
            c->n = vn;
        }
        c->s = v;
        return true; /* keeps v */
    }
    nc_free(v);
    return true;
}

/* ------------------------------------------------------------------ parser */

static int new_node(struct parser *p, enum node_kind k, int a, int b)
{
    struct nc_filter *f = p->f;
    if (f->n_nodes >= f->cap) {
        fail_at(p, p->t_start, p->t_len, "expression too long (more than %d parts)",
                NC_FILTER_MAX_NODES);
        return -1;
    }
    struct node *n = &f->nodes[f->n_nodes];
    memset(n, 0, sizeof(*n));
    n->kind = k;
    n->a = a;
    n->b = b;
    return (int)f->n_nodes++;
}

static void unknown_field(struct parser *p, size_t at, size_t n)
{
    struct nc_dbuf names;
    nc_dbuf_init(&names, NC_FILTER_ERRBUF_SIZE / 2);
    if (nc_refl_field_names(p->desc, &names) != NC_OK || nc_dbuf_putc(&names, '\0') != NC_OK) {
        nc_dbuf_reset(&names);
    }
    fail_at(p, at, n, "unknown field (fields of %s: %s; named fields also have <field>_name)",
            p->desc->short_name, names.len ? (const char *)names.p : "?");
    nc_dbuf_fini(&names);
}

static int parse_or(struct parser *p, unsigned depth);

static int parse_cmp(struct parser *p)
{
    if (p->t != T_WORD) {
        fail_at(p, p->t_start, p->t_len, "expected a field name");
        return -1;
    }
    size_t f_at = p->t_start, f_len = p->t_len;
    const char *name = p->src + f_at;
    char fname[256];
    if (f_len >= sizeof(fname)) {
        unknown_field(p, f_at, f_len);
        return -1;
    }
    memcpy(fname, name, f_len);
    fname[f_len] = '\0';
    struct cmp c;
    memset(&c, 0, sizeof(c));
    c.f = protobuf_c_message_descriptor_get_field_by_name(p->desc, fname);
    if (!c.f && f_len > 5 && strcmp(fname + f_len - 5, "_name") == 0) {
        fname[f_len - 5] = '\0';
        c.f = protobuf_c_message_descriptor_get_field_by_name(p->desc, fname);
        c.names = c.f ? nc_enum_find(p->desc, c.f) : NULL;
        if (!c.names || c.f->label == PROTOBUF_C_LABEL_REPEATED) {
            c.f = NULL;
        }
    }
    if (!c.f) {
        unknown_field(p, f_at, f_len);
        return -1;
    }
    next(p, true);
    if (p->t != T_OP) {
        fail_at(p, p->t_start, p->t_len, "expected =, !=, <, >, <=, >=, ~ or !~ after '%s'", fname);
        return -1;
    }
    static const struct {
        const char *t;
        enum op op;
    } ops[] = {
        { "=", OP_EQ },
        { "==", OP_EQ },
        { "!=", OP_NE },
        { "<", OP_LT },
        { ">", OP_GT },
        { "<=", OP_LE },
        { ">=", OP_GE },
        { "~", OP_MATCH },
        { "!~", OP_NMATCH },
    };
    bool found = false;
    for (size_t i = 0; i < NC_ARRAY_LEN(ops); i++) {
        if (strlen(ops[i].t) == p->t_len && memcmp(ops[i].t, p->src + p->t_start, p->t_len) == 0) {
            c.op = ops[i].op;
            found = true;
        }
    }
    if (!found) {
        fail_at(p, p->t_start, p->t_len, "unknown operator");
        return -1;
    }
    bool is_regex;
    size_t v_at;
    char *v = read_value(p, c.op == OP_MATCH || c.op == OP_NMATCH, &is_regex, &v_at);
    if (!v) {
        if (!p->failed) {
            fail_at(p, v_at, 1, "out of memory");
        }
        return -1;
    }
    int id = new_node(p, N_CMP, -1, -1);
    if (id < 0) {
        nc_free(v);
        return -1;
    }
    bool ok = typed_value(p, &c, v, is_regex, v_at);
    p->f->nodes[id].c = c; /* freed with the filter, even half-made */
    if (!ok) {
        if (!c.s) {
            nc_free(v);
        }
        return -1;
    }
    next(p, false);
    return id;
}

static int parse_unary(struct parser *p, unsigned depth)
{
    if (depth > NC_FILTER_MAX_DEPTH) {
        fail_at(p, p->t_start, p->t_len, "nested too deeply (more than %d levels)",
                NC_FILTER_MAX_DEPTH);
        return -1;
    }
    if (p->t == T_NOT) {
        next(p, true);
        int a = parse_unary(p, depth + 1);
        return a < 0 ? -1 : new_node(p, N_NOT, a, -1);
    }
    if (p->t == T_LPAREN) {
        size_t open = p->t_start;
        next(p, true);
        int a = parse_or(p, depth + 1);
        if (a < 0) {
            return -1;
        }
        if (p->t != T_RPAREN) {
            fail_at(p, p->t_start, p->t_len, "expected ')' to close the '(' of column %zu",
                    open + 1);
            return -1;
        }
        next(p, false);
        return a;
    }
    return parse_cmp(p);
}

static int parse_and(struct parser *p, unsigned depth)
{
    int a = parse_unary(p, depth);
    while (a >= 0 && p->t == T_AND) {
        next(p, true);
        int b = parse_unary(p, depth);
        a = b < 0 ? -1 : new_node(p, N_AND, a, b);
    }
    return a;
}

static int parse_or(struct parser *p, unsigned depth)
{
    int a = parse_and(p, depth);
    while (a >= 0 && p->t == T_OR) {
        next(p, true);
        int b = parse_and(p, depth);
        a = b < 0 ? -1 : new_node(p, N_OR, a, b);
    }
    return a;
}

int nc_filter_parse(struct nc_filter **out, const ProtobufCMessageDescriptor *d, const char *expr,
        char *errbuf, size_t errbuf_len)
{
    *out = NULL;
    size_t len = strlen(expr);
    if (len > NC_FILTER_MAX_LEN) {
        snprintf(errbuf, errbuf_len, "expression longer than %d characters", NC_FILTER_MAX_LEN);
        return NC_EARG;
    }
    struct nc_filter *f = nc_calloc(1, sizeof(*f));
    /* Every node takes at least one character of the expression. */
    if (f) {
        f->cap = NC_MIN(len + 1, (size_t)NC_FILTER_MAX_NODES);
        f->nodes = nc_calloc(f->cap, sizeof(*f->nodes));
    }
    if (!f || !f->nodes) {
        nc_filter_free(f);
        snprintf(errbuf, errbuf_len, "out of memory");
        return NC_ENOMEM;
    }
    f->desc = d;
    struct parser p = {
        .src = expr, .len = len, .desc = d, .f = f, .err = errbuf, .err_len = errbuf_len
    };
    next(&p, true);
    if (p.t == T_END) {
        fail_at(&p, 0, 0, "empty expression");
    }
    int root = p.failed ? -1 : parse_or(&p, 0);
    if (root >= 0 && p.t != T_END) {
        fail_at(&p, p.t_start, p.t_len,
                p.t == T_RPAREN ? "')' without '('" : "expected 'and', 'or' or the end");
    }
    if (p.failed || root < 0) {
        if (!p.failed) {
            snprintf(errbuf, errbuf_len, "out of memory");
        }
        nc_filter_free(f);
        return NC_EARG;
    }
    f->root = root;
    *out = f;
    return NC_OK;
}

void nc_filter_free(struct nc_filter *f)
{
    if (!f) {
        return;
    }
    for (size_t i = 0; f->nodes && i < f->n_nodes; i++) {
        struct cmp *c = &f->nodes[i].c;
        if (c->re_ok) {
            regfree(&c->re);
        }
        nc_free(c->s);
    }
    nc_free(f->nodes);
    nc_free(f);
}

/* ----------------------------------------------------------------- matcher */

static int order(int c, enum op op)
{
    switch (op) {
        case OP_EQ:
            return c == 0;
        case OP_NE:
            return c != 0;
        case OP_LT:
            return c < 0;
        case OP_GT:
            return c > 0;
        case OP_LE:
            return c <= 0;
        case OP_GE:
            return c >= 0;
        default:
            return 0;
    }
}

#define CMP3(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

static bool memmem_ok(const uint8_t *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0) {
        return true;
    }
    for (size_t i = 0; i + nn <= hn; i++) {
        if (memcmp(h + i, n, nn) == 0) {
            return true;
        }
    }
    return false;
}

static bool text_match(const struct cmp *c, const char *s, bool regex)
{
    if (!s) {
        s = "";
    }
    if (regex) {
        return regexec(&c->re, s, 0, NULL, 0) == 0;
    }
    if (c->op == OP_MATCH) {
        return strstr(s, c->s) != NULL;
    }
    return order(CMP3(strcmp(s, c->s), 0), c->op);
}

/* The positive comparison (= for !=, ~ for !~) of one value at p. */
static bool match_value(const struct cmp *c, const ProtobufCMessage *m, const uint8_t *p)
{
    enum op op = c->op == OP_NE ? OP_EQ : c->op == OP_NMATCH ? OP_MATCH : c->op;
    switch (c->kind) {
        case V_INT: {
            int64_t v = 0;
            (void)nc_enum_read_int(c->f, p, &v);
            return order(CMP3(v, c->i), op);
        }
        case V_UINT: {
            uint64_t v;
            memcpy(&v, p, sizeof(v));
            return order(CMP3(v, c->u), op);
        }
        case V_DOUBLE: {
            double v;
            if (c->f->type == PROTOBUF_C_TYPE_FLOAT) {
                float x;
                memcpy(&x, p, sizeof(x));
                v = x;
            } else {
                memcpy(&v, p, sizeof(v));
            }
            return order(CMP3(v, c->d), op);
        }
        case V_BOOL: {
            protobuf_c_boolean v;
            memcpy(&v, p, sizeof(v));
            return (v != 0) == c->b;
        }
        case V_STR:
        case V_REGEX:
        case V_CIDR: {
            const char *s;
            memcpy(&s, p, sizeof(s));
            if (c->kind == V_CIDR) {
                return cidr_match(c, s);
            }
            struct cmp tmp = *c;
            tmp.op = op;
            return text_match(&tmp, s, c->kind == V_REGEX);
        }
        case V_BYTES: {
            ProtobufCBinaryData b;
            memcpy(&b, p, sizeof(b));
            size_t n = b.data ? b.len : 0;
            if (op == OP_MATCH) {
                return memmem_ok(b.data, n, c->s, c->n);
            }
            return n == c->n && (n == 0 || memcmp(b.data, c->s, n) == 0);
        }
        case V_NAME:
        case V_NAME_REGEX: {
            int64_t v;
            char buf[NC_ENUM_BUF];
            const char *s = NULL;
            if (nc_enum_read_int(c->f, p, &v)) {
                s = nc_enum_name(c->names, v, m, buf);
            }
            struct cmp tmp = *c;
            tmp.op = op;
            return text_match(&tmp, s, c->kind == V_NAME_REGEX);
        }
        default:
            return false;
    }
}

static bool match_cmp(const struct cmp *c, const ProtobufCMessage *m)
{
    const uint8_t *base = (const uint8_t *)m;
    const ProtobufCFieldDescriptor *f = c->f;
    bool hit = false;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t n;
        const uint8_t *arr;
        memcpy(&n, base + f->quantifier_offset, sizeof(n));
        memcpy(&arr, base + f->offset, sizeof(arr));
        size_t esz = 0;
        switch (f->type) {
            case PROTOBUF_C_TYPE_INT64:
            case PROTOBUF_C_TYPE_SINT64:
            case PROTOBUF_C_TYPE_SFIXED64:
            case PROTOBUF_C_TYPE_UINT64:
            case PROTOBUF_C_TYPE_FIXED64:
            case PROTOBUF_C_TYPE_DOUBLE:
                esz = 8;
                break;
            case PROTOBUF_C_TYPE_STRING:
                esz = sizeof(char *);
                break;
            case PROTOBUF_C_TYPE_BYTES:
                esz = sizeof(ProtobufCBinaryData);
                break;
            case PROTOBUF_C_TYPE_BOOL:
                esz = sizeof(protobuf_c_boolean);
                break;
            case PROTOBUF_C_TYPE_ENUM:
                esz = sizeof(int);
                break;
            default:
                esz = 4;
                break;
        }
        for (size_t i = 0; arr && i < n && !hit; i++) {
            hit = match_value(c, m, arr + i * esz);
        }
    } else if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0) {
        uint32_t which;
        memcpy(&which, base + f->quantifier_offset, sizeof(which));
        hit = which == f->id && match_value(c, m, base + f->offset);
    } else {
        hit = match_value(c, m, base + f->offset);
    }
    return c->op == OP_NE || c->op == OP_NMATCH ? !hit : hit;
}

static bool eval(const struct nc_filter *f, int i, const ProtobufCMessage *m)
{
    const struct node *n = &f->nodes[i];
    switch (n->kind) {
        case N_AND:
            return eval(f, n->a, m) && eval(f, n->b, m);
        case N_OR:
            return eval(f, n->a, m) || eval(f, n->b, m);
        case N_NOT:
            return !eval(f, n->a, m);
        case N_CMP:
        default:
            return match_cmp(&n->c, m);
    }
}

bool nc_filter_match(const struct nc_filter *f, const ProtobufCMessage *m)
{
    if (!f || !m || m->descriptor != f->desc) {
        return false;
    }
    return eval(f, f->root, m);
}

const ProtobufCFieldDescriptor *nc_filter_time_field(const ProtobufCMessageDescriptor *d)
{
    static const char *const preferred[] = { "timestamp", "timestamp_first" };
    for (size_t i = 0; i < NC_ARRAY_LEN(preferred); i++) {
        const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field_by_name(d, preferred[i]);
        if (f && f->label != PROTOBUF_C_LABEL_REPEATED && nc_field_kind(f) == NC_FIELD_TIME) {
            return f;
        }
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        if (d->fields[i].label != PROTOBUF_C_LABEL_REPEATED &&
                nc_field_kind(&d->fields[i]) == NC_FIELD_TIME) {
            return &d->fields[i];
        }
    }
    return NULL;
}

int64_t nc_filter_time_of(const ProtobufCFieldDescriptor *f, const ProtobufCMessage *m)
{
    int64_t v = 0;
    (void)nc_enum_read_int(f, (const uint8_t *)m + f->offset, &v);
    return v;
}
