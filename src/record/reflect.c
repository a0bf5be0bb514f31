/*
 * summary: descriptor-driven rendering of any schema message as CSV/TSV
 *          cells, JSON Lines objects and display text (table views).
 *
 * One walker (put_message -> put_field -> put_value) serves every record
 * type and every format; the format only changes how a leaf value is
 * written. The rules below are also in docs/OUTPUT.md; change both together.
 *
 * Values (the same in every format unless stated):
 *   integer types   decimal: "-12", "4294967295". JSON: a number (int64 and
 *                   uint64 too, no quotes).
 *   double, float   the shortest of "%.15g", "%.16g", "%.17g" ("%.6g".."%.9g"
 *                   for float) that reads back as the same value, in the C
 *                   locale: "0.1", "7.998", "1e+20", "-0". NaN and
 *                   infinities: CSV/text "NaN", "+Inf", "-Inf"; JSON null.
 *   bool            true / false
 *   enum            the value's name in the schema ("NC_DNS"); a number the
 *                   schema does not know is written as the number.
 *   string          the text. Bytes that are not valid UTF-8 are replaced
 *                   by U+FFFD, one per byte, so all output is valid UTF-8.
 *   bytes           lowercase hex, two digits per byte, no separators:
 *                   "00abff"; empty bytes are "". JSON: the same hex as a
 *                   string.
 *
 * CSV / TSV cells (one cell per selected top-level field):
 *   nested message  begin + its fields (every field, schema order, each by
 *                   these same rules) joined by struct-sep + end. Defaults
 *                   "(", ")", "-": "(1-2-)". Deeper messages nest the same
 *                   way: "(a-(1-2))". An absent (unset) message is "".
 *   repeated field  the elements joined by list-sep (default "|"): "1|2|3",
 *                   "(a.com-1-1)|(b.org-28-1)". No elements: "".
 *   quoting         RFC 4180: a cell (header cells too) is enclosed in
 *                   double quotes when it contains any byte of the column
 *                   separator, a double quote, CR or LF; a double quote
 *                   inside is written twice. Nothing else is escaped. TSV
 *                   is the same with a tab as separator.
 *   Since every top-level field is exactly one cell, the header and every
 *   row have the same number of cells whatever the message holds.
 *   The nested/repeated separators are not escaped inside a cell: a cell
 *   like "(a-b-c)" is for reading and for simple splitting, and -json is
 *   the lossless format.
 *
 * JSON Lines (RFC 8259): one object per message and line. Keys are the
 * proto field names, in schema order (or -select order); nested messages
 * are objects with all their fields (an absent one is null); repeated
 * fields are arrays. Strings escape '"', '\' and the control characters
 * U+0000..U+001F (\b \f \n \r \t, otherwise \u00XX); everything else is
 * written as UTF-8.
 *
 * Display text (table and "field: value" views): the CSV cell text without
 * quoting, with control characters (and DEL) shown as \n, \r, \t or \xNN so
 * that a value never spans lines.
 *
 * Speed: values are written straight into the caller's struct nc_dbuf
 * (escapes reserve room once per chunk, integers avoid printf); CSV cells go
 * through one reused scratch buffer so that the quoting decision can see the
 * whole cell. There is no allocation per field or per row.
 */
#include "record/reflect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

enum mode {
    MODE_CSV,  /* cell text, quoted later as a whole */
    MODE_TEXT, /* display text: control characters escaped */
    MODE_JSON,
};

enum {
    STR_CHUNK = 4096, /* input bytes escaped per buffer reservation */
    ESC_MAX = 6,      /* longest output for one input byte: JSON \u00XX */
};

static const char hex_digits[] = "0123456789abcdef";

static int put_message(struct nc_refl *r, struct nc_dbuf *o, const ProtobufCMessageDescriptor *d,
        const ProtobufCMessage *msg, enum mode m, unsigned depth);
static int put_string(struct nc_dbuf *o, const uint8_t *s, size_t n, enum mode m);

/* ------------------------------------------------------------- leaf values */

static int put_mem(struct nc_dbuf *o, const char *s, size_t n)
{
    return nc_dbuf_append(o, s, n);
}

static int put_rstr(struct nc_dbuf *o, struct nc_refl_str s)
{
    return nc_dbuf_append(o, s.p, s.len);
}

static int put_u64(struct nc_dbuf *o, uint64_t v)
{
    char tmp[20]; /* UINT64_MAX has 20 digits */
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return put_mem(o, tmp + i, sizeof(tmp) - i);
}

static int put_i64(struct nc_dbuf *o, int64_t v)
{
    if (v >= 0) {
        return put_u64(o, (uint64_t)v);
    }
    int rc = nc_dbuf_putc(o, '-');
    if (rc != NC_OK) {
        return rc;
    }
    /* Negate in unsigned arithmetic: -INT64_MIN overflows int64_t. */
    return put_u64(o, (uint64_t)0 - (uint64_t)v);
}

static int put_nonfinite(struct nc_dbuf *o, double v, enum mode m)
{
    if (m == MODE_JSON) {
        return put_mem(o, "null", 4);
    }
    if (isnan(v)) {
        return put_mem(o, "NaN", 3);
    }
    return v > 0 ? put_mem(o, "+Inf", 4) : put_mem(o, "-Inf", 4);
}

/* Shortest of a few fixed precisions that round-trips: deterministic
 * (glibc printf rounds correctly) and short for typical values. */
static int put_double(struct nc_dbuf *o, double v, enum mode m)
{
    if (!isfinite(v)) {
        return put_nonfinite(o, v, m);
    }
    char tmp[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v) {
            break;
        }
    }
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return NC_EARG;
    }
    return put_mem(o, tmp, (size_t)n);
}

static int put_float(struct nc_dbuf *o, float v, enum mode m)
{
    if (!isfinite(v)) {
        return put_nonfinite(o, (double)v, m);
    }
    char tmp[40];
    int n = 0;
    for (int prec = 6; prec <= 9; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)v);
        if (prec == 9 || strtof(tmp, NULL) == v) {
            break;
        }
    }
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return NC_EARG;
    }
    return put_mem(o, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at p[0..n), or 0 if the bytes there
 * are not one (overlong forms, surrogates and > U+10FFFF are invalid;
 * RFC 3629 section 4). Only called for p[0] >= 0x80. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t k;
    uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        k = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        if (c == 0xe0) {
            lo = 0xa0; /* overlong */
        } else if (c == 0xed) {
            hi = 0x9f; /* surrogates */
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        if (c == 0xf0) {
            lo = 0x90; /* overlong */
        } else if (c == 0xf4) {
            hi = 0x8f; /* > U+10FFFF */
        }
    } else {
        return 0;
    }
    if (n < k || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return k;
}

/* Writes the escape for ASCII byte c (mode-specific) or the byte itself. */
static uint8_t *put_ascii(uint8_t *w, uint8_t c, enum mode m)
{
    bool is_ctl = c < 0x20 || (c == 0x7f && m == MODE_TEXT);
    if (m == MODE_JSON && (c == '"' || c == '\\')) {
        *w++ = '\\';
        *w++ = c;
        return w;
    }
    if (!is_ctl || m == MODE_CSV) {
        *w++ = c;
        return w;
    }
    char e = 0;
    switch (c) {
        case '\n':
            e = 'n';
            break;
        case '\r':
            e = 'r';
            break;
        case '\t':
            e = 't';
            break;
        case '\b':
            e = m == MODE_JSON ? 'b' : 0;
            break;
        case '\f':
            e = m == MODE_JSON ? 'f' : 0;
            break;
        default:
            break;
    }
    *w++ = '\\';
    if (e) {
        *w++ = (uint8_t)e;
        return w;
    }
    if (m == MODE_JSON) {
        memcpy(w, "u00", 3);
        w += 3;
    } else {
        *w++ = 'x';
    }
    *w++ = (uint8_t)hex_digits[c >> 4];
    *w++ = (uint8_t)hex_digits[c & 0xf];
    return w;
}

/* A string value: UTF-8 sanitised, escaped per mode (JSON adds quotes). */
static int put_string(struct nc_dbuf *o, const uint8_t *s, size_t n, enum mode m)
{
    int rc;
    if (m == MODE_JSON) {
        rc = nc_dbuf_putc(o, '"');
        if (rc != NC_OK) {
            return rc;
        }
    }
    size_t i = 0;
    while (i < n) {
        size_t chunk = NC_MIN(n - i, (size_t)STR_CHUNK);
        /* A multi-byte sequence may run 3 bytes past the chunk. */
        rc = nc_dbuf_reserve(o, ESC_MAX * (chunk + 3));
        if (rc != NC_OK) {
            return rc;
        }
        uint8_t *w = o->p + o->len;
        size_t stop = i + chunk;
        while (i < stop) {
            uint8_t c = s[i];
            if (c < 0x80) {
                w = put_ascii(w, c, m);
                i++;
                continue;
            }
            size_t k = utf8_seq(s + i, n - i);
            if (k == 0) {
                memcpy(w, "\xef\xbf\xbd", 3); /* U+FFFD for one invalid byte */
                w += 3;
                i++;
            } else {
                memcpy(w, s + i, k);
                w += k;
                i += k;
            }
        }
        o->len = (size_t)(w - o->p);
    }
    if (m == MODE_JSON) {
        return nc_dbuf_putc(o, '"');
    }
    return NC_OK;
}

static int put_hex(struct nc_dbuf *o, const uint8_t *p, size_t n, enum mode m)
{
    size_t quotes = m == MODE_JSON ? 2 : 0;
    if (n == 0 && quotes == 0) {
        return NC_OK; /* nothing to write (and the buffer may not exist yet) */
    }
    if (n > (SIZE_MAX - quotes) / 2) {
        return NC_ELIMIT;
    }
    int rc = nc_dbuf_reserve(o, 2 * n + quotes);
    if (rc != NC_OK) {
        return rc;
    }
    uint8_t *w = o->p + o->len;
    if (quotes) {
        *w++ = '"';
    }
    for (size_t i = 0; i < n; i++) {
        *w++ = (uint8_t)hex_digits[p[i] >> 4];
        *w++ = (uint8_t)hex_digits[p[i] & 0xf];
    }
    if (quotes) {
        *w++ = '"';
    }
    o->len = (size_t)(w - o->p);
    return NC_OK;
}

/* -------------------------------------------------------- the walker itself */

/* Storage size of one element of a repeated field of type t. */
static size_t elem_size(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
            return sizeof(int32_t);
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
            return sizeof(int64_t);
        case PROTOBUF_C_TYPE_FLOAT:
            return sizeof(float);
        case PROTOBUF_C_TYPE_DOUBLE:
            return sizeof(double);
        case PROTOBUF_C_TYPE_BOOL:
            return sizeof(protobuf_c_boolean);
        case PROTOBUF_C_TYPE_ENUM:
            return sizeof(int);
        case PROTOBUF_C_TYPE_STRING:
            return sizeof(char *);
        case PROTOBUF_C_TYPE_BYTES:
            return sizeof(ProtobufCBinaryData);
        case PROTOBUF_C_TYPE_MESSAGE:
            return sizeof(ProtobufCMessage *);
        default:
            return 0;
    }
}

/* The readable form of an integer value, if the options ask for one: a
 * time (any mode but ns), a duration or a name (human views, not JSON).
 * NC_OK with *done false leaves the value to the plain number. */
static int put_readable(struct nc_refl *r, struct nc_dbuf *o, const ProtobufCMessageDescriptor *d,
        const ProtobufCFieldDescriptor *f, const ProtobufCMessage *msg, const uint8_t *p,
        enum mode m, bool *done)
{
    *done = false;
    int64_t v;
    if (!nc_enum_read_int(f, p, &v) || f->type == PROTOBUF_C_TYPE_ENUM) {
        return NC_OK;
    }
    char buf[(int)NC_TIME_BUF > (int)NC_ENUM_BUF ? (int)NC_TIME_BUF : (int)NC_ENUM_BUF];
    const char *text = NULL;
    bool quote = m == MODE_JSON;
    enum nc_field_kind k = nc_field_kind(f);
    if (k == NC_FIELD_TIME && r->time != NC_TIME_NS) {
        text = nc_time_str(buf, v, r->time);
        quote = quote && r->time != NC_TIME_UNIX; /* a JSON number */
    } else if (m == MODE_JSON) {
        return NC_OK;
    } else if (k == NC_FIELD_DURATION) {
        if (!r->durations) {
            return NC_OK;
        }
        text = nc_duration_str(buf, v);
    } else if (r->human) {
        text = nc_enum_name(nc_enum_find(d, f), v, msg, buf);
    }
    if (!text) {
        return NC_OK;
    }
    *done = true;
    if (quote) {
        return put_string(o, (const uint8_t *)text, strlen(text), m);
    }
    return nc_dbuf_puts(o, text);
}

/* One value of field f of message d stored at p (the field itself, or one
 * element of a repeated field); msg is the message that holds it. Values
 * are read with memcpy: no alignment assumptions. */
static int put_value(struct nc_refl *r, struct nc_dbuf *o, const ProtobufCMessageDescriptor *d,
        const ProtobufCFieldDescriptor *f, const ProtobufCMessage *msg, const uint8_t *p,
        enum mode m, unsigned depth)
{
    if (r->time != NC_TIME_NS || r->human || r->durations) {
        bool done;
        int rc = put_readable(r, o, d, f, msg, p, m, &done);
        if (rc != NC_OK || done) {
            return rc;
        }
    }
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32: {
            int32_t v;
            memcpy(&v, p, sizeof(v));
            return put_i64(o, v);
        }
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64: {
            int64_t v;
            memcpy(&v, p, sizeof(v));
            return put_i64(o, v);
        }
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32: {
            uint32_t v;
            memcpy(&v, p, sizeof(v));
            return put_u64(o, v);
        }
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64: {
            uint64_t v;
            memcpy(&v, p, sizeof(v));
            return put_u64(o, v);
        }
        case PROTOBUF_C_TYPE_FLOAT: {
            float v;
            memcpy(&v, p, sizeof(v));
            return put_float(o, v, m);
        }
        case PROTOBUF_C_TYPE_DOUBLE: {
            double v;
            memcpy(&v, p, sizeof(v));
            return put_double(o, v, m);
        }
        case PROTOBUF_C_TYPE_BOOL: {
            protobuf_c_boolean v;
            memcpy(&v, p, sizeof(v));
            return v ? put_mem(o, "true", 4) : put_mem(o, "false", 5);
        }
        case PROTOBUF_C_TYPE_ENUM: {
            int v;
            memcpy(&v, p, sizeof(v));
            const ProtobufCEnumDescriptor *ed = f->descriptor;
            const ProtobufCEnumValue *ev = ed ? protobuf_c_enum_descriptor_get_value(ed, v) : NULL;
            if (!ev) {
                return put_i64(o, v);
            }
            return put_string(o, (const uint8_t *)ev->name, strlen(ev->name), m);
        }
        case PROTOBUF_C_TYPE_STRING: {
            const char *s;
            memcpy(&s, p, sizeof(s));
            if (!s) {
                s = "";
            }
            return put_string(o, (const uint8_t *)s, strlen(s), m);
        }
        case PROTOBUF_C_TYPE_BYTES: {
            ProtobufCBinaryData v;
            memcpy(&v, p, sizeof(v));
            return put_hex(o, v.data, v.data ? v.len : 0, m);
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *sub;
            memcpy(&sub, p, sizeof(sub));
            return put_message(r, o, f->descriptor, sub, m, depth + 1);
        }
        default:
            return NC_EARG;
    }
}

/* False for a oneof member that is not the active one, a proto2/proto3
 * "optional" scalar whose has_ flag is clear, and an unset message. */
static bool field_present(const ProtobufCFieldDescriptor *f, const uint8_t *base)
{
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t which;
        memcpy(&which, base + f->quantifier_offset, sizeof(which));
        if (which != f->id) {
            return false;
        }
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset != 0 &&
               f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING) {
        protobuf_c_boolean has;
        memcpy(&has, base + f->quantifier_offset, sizeof(has));
        if (!has) {
            return false;
        }
    }
    if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->label != PROTOBUF_C_LABEL_REPEATED) {
        const void *sub;
        memcpy(&sub, base + f->offset, sizeof(sub));
        return sub != NULL;
    }
    return true;
}

/* Field f of the message at base (of type d): a value, a list, or "absent". */
static int put_field(struct nc_refl *r, struct nc_dbuf *o, const ProtobufCMessageDescriptor *d,
        const ProtobufCFieldDescriptor *f, const uint8_t *base, enum mode m, unsigned depth)
{
    const ProtobufCMessage *msg = (const ProtobufCMessage *)(const void *)base;
    if (!field_present(f, base)) {
        return m == MODE_JSON ? put_mem(o, "null", 4) : NC_OK;
    }
    if (f->label != PROTOBUF_C_LABEL_REPEATED) {
        return put_value(r, o, d, f, msg, base + f->offset, m, depth);
    }
    size_t n;
    const uint8_t *arr;
    memcpy(&n, base + f->quantifier_offset, sizeof(n));
    memcpy(&arr, base + f->offset, sizeof(arr));
    size_t esz = elem_size(f->type);
    if (!arr || esz == 0) {
        n = 0;
    }
    int rc = NC_OK;
    if (m == MODE_JSON) {
        rc = nc_dbuf_putc(o, '[');
    }
    for (size_t i = 0; i < n && rc == NC_OK; i++) {
        if (i > 0) {
            rc = m == MODE_JSON ? nc_dbuf_putc(o, ',') : put_rstr(o, r->list_sep);
            if (rc != NC_OK) {
                break;
            }
        }
        rc = put_value(r, o, d, f, msg, arr + i * esz, m, depth);
    }
    if (rc == NC_OK && m == MODE_JSON) {
        rc = nc_dbuf_putc(o, ']');
    }
    return rc;
}

/* Column c of msg: the field, or the name of its value ("" / null when the
 * value has none). */
static int put_col(struct nc_refl *r, struct nc_dbuf *o, const struct nc_refl_col *c,
        const ProtobufCMessage *msg, enum mode m)
{
    const uint8_t *base = (const uint8_t *)msg;
    if (!c->name) {
        return put_field(r, o, r->desc, c->f, base, m, 0);
    }
    int64_t v;
    char buf[NC_ENUM_BUF];
    const char *text = NULL;
    if (field_present(c->f, base) && nc_enum_read_int(c->f, base + c->f->offset, &v)) {
        text = nc_enum_name(c->names, v, msg, buf);
    }
    if (!text) {
        return m == MODE_JSON ? put_mem(o, "null", 4) : NC_OK;
    }
    return put_string(o, (const uint8_t *)text, strlen(text), m);
}

static int put_json_key(struct nc_dbuf *o, const char *name)
{
    /* Field names are proto identifiers ([A-Za-z0-9_]): no escaping. */
    size_t n = strlen(name);
    int rc = nc_dbuf_reserve(o, n + 3);
    if (rc != NC_OK) {
        return rc;
    }
    o->p[o->len++] = '"';
    memcpy(o->p + o->len, name, n);
    o->len += n;
    o->p[o->len++] = '"';
    o->p[o->len++] = ':';
    return NC_OK;
}

static int put_message(struct nc_refl *r, struct nc_dbuf *o, const ProtobufCMessageDescriptor *d,
        const ProtobufCMessage *msg, enum mode m, unsigned depth)
{
    if (!msg || !d) {
        return m == MODE_JSON ? put_mem(o, "null", 4) : NC_OK;
    }
    if (depth > NC_REFL_MAX_DEPTH) {
        return NC_ELIMIT; /* only a recursive schema can get here */
    }
    const uint8_t *base = (const uint8_t *)msg;
    int rc = m == MODE_JSON ? nc_dbuf_putc(o, '{') : put_rstr(o, r->begin);
    for (unsigned i = 0; i < d->n_fields && rc == NC_OK; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (m == MODE_JSON) {
            if (i > 0) {
                rc = nc_dbuf_putc(o, ',');
            }
            if (rc == NC_OK) {
                rc = put_json_key(o, f->name);
            }
        } else if (i > 0) {
            rc = put_rstr(o, r->struct_sep);
        }
        if (rc == NC_OK) {
            rc = put_field(r, o, d, f, base, m, depth);
        }
    }
    if (rc == NC_OK) {
        rc = m == MODE_JSON ? nc_dbuf_putc(o, '}') : put_rstr(o, r->end);
    }
    return rc;
}

/* ------------------------------------------------------------------- CSV */

/* Appends the cell, quoted per RFC 4180 if it needs to be. */
static int put_csv_cell(const struct nc_refl *r, struct nc_dbuf *o, const uint8_t *s, size_t n)
{
    size_t n_quotes = 0;
    bool quote = false;
    for (size_t i = 0; i < n; i++) {
        if (r->quote_byte[s[i]]) {
            quote = true;
            n_quotes += s[i] == '"';
        }
    }
    if (!quote) {
        return nc_dbuf_append(o, s, n);
    }
    if (n > SIZE_MAX - n_quotes - 2) {
        return NC_ELIMIT;
    }
    int rc = nc_dbuf_reserve(o, n + n_quotes + 2);
    if (rc != NC_OK) {
        return rc;
    }
    uint8_t *w = o->p + o->len;
    *w++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            *w++ = '"';
        }
        *w++ = s[i];
    }
    *w++ = '"';
    o->len = (size_t)(w - o->p);
    return NC_OK;
}

/* Appends the "<f>_name" column of field f to cols[*n] if f has names, is
 * single, and the message has no field of that name already. */
static int add_name_col(
        struct nc_refl *r, struct nc_refl_col *cols, size_t *n, const ProtobufCFieldDescriptor *f)
{
    const struct nc_enum *e = nc_enum_find(r->desc, f);
    if (!e || f->label == PROTOBUF_C_LABEL_REPEATED) {
        return NC_OK;
    }
    size_t len = strlen(f->name);
    char *name = nc_malloc(len + sizeof("_name"));
    if (!name) {
        return NC_ENOMEM;
    }
    memcpy(name, f->name, len);
    memcpy(name + len, "_name", sizeof("_name"));
    if (protobuf_c_message_descriptor_get_field_by_name(r->desc, name)) {
        nc_free(name);
        return NC_OK;
    }
    cols[(*n)++] = (struct nc_refl_col){ f, e, name };
    return NC_OK;
}

static void set_str(struct nc_refl_str *dst, const char *s, const char *def)
{
    dst->p = s ? s : def;
    dst->len = strlen(dst->p);
}

int nc_refl_init(
        struct nc_refl *r, const ProtobufCMessageDescriptor *desc, const struct nc_refl_opts *opts)
{
    memset(r, 0, sizeof(*r));
    nc_dbuf_init(&r->cell, NC_REFL_CELL_MAX);
    r->desc = desc;
    struct nc_refl_opts none = { 0 };
    if (!opts) {
        opts = &none;
    }
    set_str(&r->sep, opts->sep, ",");
    set_str(&r->begin, opts->begin, "(");
    set_str(&r->end, opts->end, ")");
    set_str(&r->struct_sep, opts->struct_sep, "-");
    set_str(&r->list_sep, opts->list_sep, "|");
    /* A separator with a quote or line break could not be protected by
     * quoting, and an empty one would merge cells. */
    if (r->sep.len == 0 || strpbrk(r->sep.p, "\"\r\n")) {
        return NC_EARG;
    }
    for (size_t i = 0; i < r->sep.len; i++) {
        r->quote_byte[(uint8_t)r->sep.p[i]] = true;
    }
    r->quote_byte['"'] = true;
    r->quote_byte['\r'] = true;
    r->quote_byte['\n'] = true;
    r->time = opts->time;
    r->human = opts->human;
    r->durations = opts->durations;
    r->name_cols = opts->name_cols;
    /* Room for a name column after every field. */
    r->cols = nc_calloc(2 * (size_t)NC_MAX(desc->n_fields, 1u), sizeof(*r->cols));
    if (!r->cols) {
        return NC_ENOMEM;
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        r->cols[r->n_cols++] = (struct nc_refl_col){ f, nc_enum_find(desc, f), NULL };
        if (r->name_cols) {
            int rc = add_name_col(r, r->cols, &r->n_cols, f);
            if (rc != NC_OK) {
                return rc;
            }
        }
    }
    return NC_OK;
}

static void free_cols(struct nc_refl_col *cols, size_t n)
{
    for (size_t i = 0; cols && i < n; i++) {
        nc_free(cols[i].name);
    }
    nc_free(cols);
}

void nc_refl_fini(struct nc_refl *r)
{
    if (!r) {
        return;
    }
    free_cols(r->cols, r->n_cols);
    r->cols = NULL;
    r->n_cols = 0;
    nc_dbuf_fini(&r->cell);
}

int nc_refl_field_names(const ProtobufCMessageDescriptor *desc, struct nc_dbuf *out)
{
    int rc = NC_OK;
    for (unsigned i = 0; i < desc->n_fields && rc == NC_OK; i++) {
        if (i > 0) {
            rc = put_mem(out, ", ", 2);
        }
        if (rc == NC_OK) {
            rc = nc_dbuf_puts(out, desc->fields[i].name);
        }
    }
    return rc;
}

/* "SrcIP" and "src_ip" compare equal: case and underscores are ignored, so
 * that the CamelCase names of the Go Netcap also select our fields. */
static bool loose_equal(const char *a, size_t a_len, const char *b)
{
    size_t i = 0;
    for (;;) {
        while (i < a_len && a[i] == '_') {
            i++;
        }
        while (*b == '_') {
            b++;
        }
        if (i == a_len || *b == '\0') {
            return i == a_len && *b == '\0';
        }
        char x = a[i], y = *b;
        if (x >= 'A' && x <= 'Z') {
            x = (char)(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = (char)(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
        i++;
        b++;
    }
}

/* Exact name first; otherwise a unique loose match. */
static const ProtobufCFieldDescriptor *find_field(
        const ProtobufCMessageDescriptor *d, const char *name, size_t len)
{
    for (unsigned i = 0; i < d->n_fields; i++) {
        const char *fn = d->fields[i].name;
        if (strlen(fn) == len && memcmp(fn, name, len) == 0) {
            return &d->fields[i];
        }
    }
    const ProtobufCFieldDescriptor *hit = NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        if (loose_equal(name, len, d->fields[i].name)) {
            if (hit) {
                return NULL; /* ambiguous */
            }
            hit = &d->fields[i];
        }
    }
    return hit;
}

static void select_error(const struct nc_refl *r, char *errbuf, size_t errbuf_len, const char *what,
        const char *name, size_t len)
{
    struct nc_dbuf names;
    nc_dbuf_init(&names, errbuf_len);
    if (nc_refl_field_names(r->desc, &names) != NC_OK || nc_dbuf_putc(&names, '\0') != NC_OK) {
        nc_dbuf_reset(&names);
    }
    int n = (int)NC_MIN(len, (size_t)200);
    snprintf(errbuf, errbuf_len, "%s '%.*s' (fields of %s: %s)", what, n, name, r->desc->short_name,
            names.len ? (const char *)names.p : "?");
    nc_dbuf_fini(&names);
}

int nc_refl_select(struct nc_refl *r, const char *list, char *errbuf, size_t errbuf_len)
{
    size_t n_items = 1;
    for (const char *s = list; *s; s++) {
        n_items += *s == ',';
    }
    if (n_items > NC_REFL_MAX_COLS) {
        snprintf(errbuf, errbuf_len, "too many fields (more than %d)", NC_REFL_MAX_COLS);
        return NC_EARG;
    }
    struct nc_refl_col *cols = nc_calloc(n_items, sizeof(*cols));
    if (!cols) {
        snprintf(errbuf, errbuf_len, "out of memory");
        return NC_ENOMEM;
    }
    size_t n = 0;
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        const char *name = s;
        while (len > 0 && (*name == ' ' || *name == '\t')) {
            name++;
            len--;
        }
        while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t')) {
            len--;
        }
        if (len == 0) {
            select_error(r, errbuf, errbuf_len, "empty field name in", list, strlen(list));
            free_cols(cols, n);
            return NC_EARG;
        }
        const ProtobufCFieldDescriptor *f = find_field(r->desc, name, len);
        size_t before = n;
        int rc = NC_OK;
        if (f) {
            cols[n++] = (struct nc_refl_col){ f, nc_enum_find(r->desc, f), NULL };
        } else if (len > 5 && memcmp(name + len - 5, "_name", 5) == 0 &&
                   (f = find_field(r->desc, name, len - 5)) != NULL) {
            rc = add_name_col(r, cols, &n, f);
        }
        if (rc != NC_OK || n == before) {
            select_error(r, errbuf, errbuf_len, "unknown field", name, len);
            free_cols(cols, n);
            return rc != NC_OK ? rc : NC_EARG;
        }
        if (!comma) {
            break;
        }
        s = comma + 1;
    }
    free_cols(r->cols, r->n_cols);
    r->cols = cols;
    r->n_cols = n;
    return NC_OK;
}

const char *nc_refl_col_name(const struct nc_refl *r, size_t col)
{
    if (col >= r->n_cols) {
        return "";
    }
    return r->cols[col].name ? r->cols[col].name : r->cols[col].f->name;
}

bool nc_refl_col_is_number(const struct nc_refl *r, size_t col)
{
    if (col >= r->n_cols || r->cols[col].name ||
            r->cols[col].f->label == PROTOBUF_C_LABEL_REPEATED) {
        return false;
    }
    const ProtobufCFieldDescriptor *f = r->cols[col].f;
    if (r->human && r->cols[col].names) {
        return false; /* shows names */
    }
    if (r->time != NC_TIME_NS && r->time != NC_TIME_UNIX && nc_field_kind(f) == NC_FIELD_TIME) {
        return false;
    }
    switch (f->type) {
        case PROTOBUF_C_TYPE_BOOL:
        case PROTOBUF_C_TYPE_ENUM:
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_BYTES:
        case PROTOBUF_C_TYPE_MESSAGE:
            return false;
        default:
            return true;
    }
}

int nc_refl_csv_header(struct nc_refl *r, struct nc_dbuf *out)
{
    int rc = NC_OK;
    for (size_t c = 0; c < r->n_cols && rc == NC_OK; c++) {
        if (c > 0) {
            rc = put_rstr(out, r->sep);
        }
        if (rc == NC_OK) {
            const char *name = nc_refl_col_name(r, c);
            rc = put_csv_cell(r, out, (const uint8_t *)name, strlen(name));
        }
    }
    return rc == NC_OK ? nc_dbuf_putc(out, '\n') : rc;
}

int nc_refl_csv_row(struct nc_refl *r, const ProtobufCMessage *m, struct nc_dbuf *out)
{
    if (!m || m->descriptor != r->desc) {
        return NC_EARG;
    }
    int rc = NC_OK;
    for (size_t c = 0; c < r->n_cols && rc == NC_OK; c++) {
        if (c > 0) {
            rc = put_rstr(out, r->sep);
            if (rc != NC_OK) {
                break;
            }
        }
        nc_dbuf_reset(&r->cell);
        rc = put_col(r, &r->cell, &r->cols[c], m, MODE_CSV);
        if (rc == NC_OK) {
            rc = put_csv_cell(r, out, r->cell.p, r->cell.len);
        }
    }
    return rc == NC_OK ? nc_dbuf_putc(out, '\n') : rc;
}

int nc_refl_json(struct nc_refl *r, const ProtobufCMessage *m, struct nc_dbuf *out)
{
    if (!m || m->descriptor != r->desc) {
        return NC_EARG;
    }
    int rc = nc_dbuf_putc(out, '{');
    for (size_t c = 0; c < r->n_cols && rc == NC_OK; c++) {
        if (c > 0) {
            rc = nc_dbuf_putc(out, ',');
        }
        if (rc == NC_OK) {
            rc = put_json_key(out, nc_refl_col_name(r, c));
        }
        if (rc == NC_OK) {
            rc = put_col(r, out, &r->cols[c], m, MODE_JSON);
        }
    }
    if (rc == NC_OK) {
        rc = put_mem(out, "}\n", 2);
    }
    return rc;
}

int nc_refl_text(struct nc_refl *r, const ProtobufCMessage *m, size_t col, struct nc_dbuf *out)
{
    if (!m || m->descriptor != r->desc || col >= r->n_cols) {
        return NC_EARG;
    }
    return put_col(r, out, &r->cols[col], m, MODE_TEXT);
}

/* ------------------------------------------------------------------ -fields */

static const char *type_name(const ProtobufCFieldDescriptor *f)
{
    static const char *const names[] = {
        [PROTOBUF_C_TYPE_INT32] = "int32",
        [PROTOBUF_C_TYPE_SINT32] = "sint32",
        [PROTOBUF_C_TYPE_SFIXED32] = "sfixed32",
        [PROTOBUF_C_TYPE_INT64] = "int64",
        [PROTOBUF_C_TYPE_SINT64] = "sint64",
        [PROTOBUF_C_TYPE_SFIXED64] = "sfixed64",
        [PROTOBUF_C_TYPE_UINT32] = "uint32",
        [PROTOBUF_C_TYPE_FIXED32] = "fixed32",
        [PROTOBUF_C_TYPE_UINT64] = "uint64",
        [PROTOBUF_C_TYPE_FIXED64] = "fixed64",
        [PROTOBUF_C_TYPE_FLOAT] = "float",
        [PROTOBUF_C_TYPE_DOUBLE] = "double",
        [PROTOBUF_C_TYPE_BOOL] = "bool",
        [PROTOBUF_C_TYPE_STRING] = "string",
        [PROTOBUF_C_TYPE_BYTES] = "bytes",
    };
    if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->descriptor) {
        return ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name;
    }
    if (f->type == PROTOBUF_C_TYPE_ENUM && f->descriptor) {
        return ((const ProtobufCEnumDescriptor *)f->descriptor)->short_name;
    }
    if ((size_t)f->type < NC_ARRAY_LEN(names) && names[f->type]) {
        return names[f->type];
    }
    return "?";
}

/* Expands nested messages, except one already being expanded higher up
 * (a recursive schema would otherwise print NC_REFL_MAX_DEPTH levels). */
static bool should_expand(const ProtobufCFieldDescriptor *f,
        const ProtobufCMessageDescriptor *const *path, unsigned depth)
{
    if (f->type != PROTOBUF_C_TYPE_MESSAGE || !f->descriptor || depth + 1 >= NC_REFL_MAX_DEPTH) {
        return false;
    }
    for (unsigned i = 0; i <= depth; i++) {
        if (path[i] == f->descriptor) {
            return false;
        }
    }
    return true;
}

/* Pass 1 (out == NULL): widest "indent + name". Pass 2: print. */
static int list_fields(const ProtobufCMessageDescriptor *d, const ProtobufCMessageDescriptor **path,
        unsigned depth, size_t *width, struct nc_dbuf *out)
{
    path[depth] = d;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t left = 2 * (size_t)depth + strlen(f->name);
        if (!out) {
            *width = NC_MAX(*width, left);
        } else {
            bool rep = f->label == PROTOBUF_C_LABEL_REPEATED;
            int rc = nc_dbuf_printf(out, "%*s%-*s  %s%s\n", (int)(2 * depth), "",
                    (int)(*width - 2 * depth), f->name, rep ? "repeated " : "", type_name(f));
            if (rc != NC_OK) {
                return rc;
            }
        }
        if (should_expand(f, path, depth)) {
            int rc = list_fields(f->descriptor, path, depth + 1, width, out);
            if (rc != NC_OK) {
                return rc;
            }
        }
    }
    return NC_OK;
}

int nc_refl_fields(const ProtobufCMessageDescriptor *desc, struct nc_dbuf *out)
{
    const ProtobufCMessageDescriptor *path[NC_REFL_MAX_DEPTH];
    size_t width = 0;
    int rc = list_fields(desc, path, 0, &width, NULL);
    if (rc != NC_OK) {
        return rc;
    }
    return list_fields(desc, path, 0, &width, out);
}

/* ------------------------------------------------------ times, durations */

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool has_suffix(const char *s, const char *x)
{
    size_t n = strlen(s), k = strlen(x);
    return n >= k && strcmp(s + n - k, x) == 0;
}

enum nc_field_kind nc_field_kind(const ProtobufCFieldDescriptor *f)
{
    if (f->type != PROTOBUF_C_TYPE_INT64 && f->type != PROTOBUF_C_TYPE_SINT64 &&
            f->type != PROTOBUF_C_TYPE_SFIXED64) {
        return NC_FIELD_PLAIN;
    }
    const char *n = f->name;
    if (strcmp(n, "timestamp") == 0 || has_prefix(n, "timestamp_") || has_suffix(n, "_timestamp") ||
            strcmp(n, "created") == 0) {
        return NC_FIELD_TIME;
    }
    if (strcmp(n, "duration") == 0 || has_prefix(n, "duration_") || has_suffix(n, "_duration") ||
            has_suffix(n, "_after")) {
        return NC_FIELD_DURATION;
    }
    return NC_FIELD_PLAIN;
}
