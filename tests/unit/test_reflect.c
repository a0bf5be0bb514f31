/*
 * summary: tests for record/reflect.c (CSV, JSON, text rendering of any
 *          message) and record/ncfile.c (record file reader).
 *
 * With NC_TEST_OUT=DIR set, the binary instead writes the sample record
 * files that tests/dump/run.sh feeds to `netcap dump`, and exits.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "core/dbuf.h"
#include "core/mem.h"
#include "record/encode.h"
#include "record/ncfile.h"
#include "record/record.h"
#include "record/reflect.h"

/* ------------------------------------------------------------- helpers */

/* Strings for message fields (char *, not const): freed by pool_free(). */
static void *pool[65536];
static size_t n_pool;

static void *palloc(size_t n)
{
    assert_true(n_pool < NC_ARRAY_LEN(pool));
    void *p = calloc(1, n ? n : 1);
    assert_non_null(p);
    pool[n_pool++] = p;
    return p;
}

static char *S(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = palloc(n);
    memcpy(p, s, n);
    return p;
}

static ProtobufCBinaryData B(const void *p, size_t n)
{
    ProtobufCBinaryData b = { n, palloc(n) };
    memcpy(b.data, p, n);
    return b;
}

/* Frees what was allocated after mark (n_pool at that time). */
static void pool_release(size_t mark)
{
    while (n_pool > mark) {
        free(pool[--n_pool]);
    }
}

static void pool_free(void)
{
    pool_release(0);
}

static int teardown(void **state)
{
    (void)state;
    pool_free();
    return 0;
}

/* Renders with the given format into a NUL-terminated string (static). */
enum fmt {
    F_CSV,
    F_JSON,
    F_HEADER,
};

static char *render(struct nc_refl *r, const ProtobufCMessage *m, enum fmt f)
{
    static char text[1 << 20];
    struct nc_dbuf b;
    nc_dbuf_init(&b, sizeof(text) - 1);
    int rc;
    if (f == F_CSV) {
        rc = nc_refl_csv_row(r, m, &b);
    } else if (f == F_JSON) {
        rc = nc_refl_json(r, m, &b);
    } else {
        rc = nc_refl_csv_header(r, &b);
    }
    assert_int_equal(rc, NC_OK);
    if (b.len > 0) {
        memcpy(text, b.p, b.len);
    }
    text[b.len] = '\0';
    nc_dbuf_fini(&b);
    return text;
}

/* Display text of one column. */
static char *text_of(struct nc_refl *r, const ProtobufCMessage *m, size_t col)
{
    static char text[1 << 16];
    struct nc_dbuf b;
    nc_dbuf_init(&b, sizeof(text) - 1);
    assert_int_equal(nc_refl_text(r, m, col, &b), NC_OK);
    if (b.len > 0) {
        memcpy(text, b.p, b.len);
    }
    text[b.len] = '\0';
    nc_dbuf_fini(&b);
    return text;
}

/* Cell col (0-based) of a one-record CSV text, unquoted per RFC 4180. */
static char *csv_cell(const char *s, const char *sep, size_t col)
{
    static char cell[1 << 16];
    size_t seplen = strlen(sep);
    size_t c = 0, o = 0;
    bool quoted = false;
    for (size_t i = 0;;) {
        if (!quoted && (s[i] == '\n' || s[i] == '\0')) {
            break;
        }
        if (!quoted && strncmp(s + i, sep, seplen) == 0) {
            if (c == col) {
                break;
            }
            c++;
            i += seplen;
            continue;
        }
        if (s[i] == '"') {
            if (quoted && s[i + 1] == '"') {
                if (c == col) {
                    cell[o++] = '"';
                }
                i += 2;
                continue;
            }
            quoted = !quoted;
            i++;
            continue;
        }
        assert_true(s[i] != '\0'); /* unterminated quote */
        if (c == col) {
            cell[o++] = s[i];
        }
        i++;
    }
    cell[o] = '\0';
    return cell;
}

/* Number of cells in one CSV record (RFC 4180; the record may contain
 * quoted line breaks). Fails on malformed quoting or trailing garbage. */
static size_t csv_count(const char *s, const char *sep)
{
    size_t seplen = strlen(sep);
    size_t n = 1;
    size_t i = 0;
    for (;;) {
        if (s[i] == '"') {
            i++;
            for (;;) {
                assert_true(s[i] != '\0');
                if (s[i] == '"' && s[i + 1] == '"') {
                    i += 2;
                } else if (s[i] == '"') {
                    i++;
                    break;
                } else {
                    i++;
                }
            }
            /* after a closing quote: separator or end of record */
            assert_true(strncmp(s + i, sep, seplen) == 0 || s[i] == '\n');
        }
        if (s[i] == '\n') {
            assert_int_equal(s[i + 1], '\0');
            return n;
        }
        assert_true(s[i] != '\0');
        if (strncmp(s + i, sep, seplen) == 0) {
            n++;
            i += seplen;
            continue;
        }
        assert_true(s[i] != '"'); /* a quote inside an unquoted cell */
        i++;
    }
}

/* Minimal RFC 8259 validator: returns the position after one value. */
static const char *json_value(const char *s);

static const char *json_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    return s;
}

static const char *json_string(const char *s)
{
    assert_int_equal(*s, '"');
    s++;
    for (;;) {
        unsigned char c = (unsigned char)*s;
        assert_true(c >= 0x20); /* raw control characters are invalid */
        if (c == '"') {
            return s + 1;
        }
        if (c == '\\') {
            s++;
            if (*s == 'u') {
                for (int i = 1; i <= 4; i++) {
                    assert_non_null(strchr("0123456789abcdefABCDEF", s[i]));
                }
                s += 5;
            } else {
                assert_non_null(strchr("\"\\/bfnrt", *s));
                s++;
            }
            continue;
        }
        s++;
    }
}

static const char *json_number(const char *s)
{
    const char *start = s;
    if (*s == '-') {
        s++;
    }
    assert_true(*s >= '0' && *s <= '9');
    if (*s == '0') {
        s++;
    } else {
        while (*s >= '0' && *s <= '9') {
            s++;
        }
    }
    if (*s == '.') {
        s++;
        assert_true(*s >= '0' && *s <= '9');
        while (*s >= '0' && *s <= '9') {
            s++;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') {
            s++;
        }
        assert_true(*s >= '0' && *s <= '9');
        while (*s >= '0' && *s <= '9') {
            s++;
        }
    }
    assert_true(s > start);
    return s;
}

static const char *json_value(const char *s)
{
    s = json_ws(s);
    if (*s == '{' || *s == '[') {
        char close = *s == '{' ? '}' : ']';
        bool obj = *s == '{';
        s = json_ws(s + 1);
        if (*s == close) {
            return s + 1;
        }
        for (;;) {
            if (obj) {
                s = json_string(json_ws(s));
                s = json_ws(s);
                assert_int_equal(*s, ':');
                s++;
            }
            s = json_ws(json_value(s));
            if (*s == ',') {
                s++;
                continue;
            }
            assert_int_equal(*s, close);
            return s + 1;
        }
    }
    if (*s == '"') {
        return json_string(s);
    }
    if (strncmp(s, "true", 4) == 0) {
        return s + 4;
    }
    if (strncmp(s, "false", 5) == 0) {
        return s + 5;
    }
    if (strncmp(s, "null", 4) == 0) {
        return s + 4;
    }
    return json_number(s);
}

static void assert_json_line(const char *s)
{
    assert_int_equal(*s, '{');
    const char *end = json_value(s);
    assert_string_equal(end, "\n");
}

/* ---------------------------------------------------- sample messages */

static Netcap__DNSQuestion *question(const char *name, int32_t type)
{
    Netcap__DNSQuestion *q = palloc(sizeof(*q));
    netcap__dnsquestion__init(q);
    q->name = S(name);
    q->type = type;
    q->class_ = 1;
    return q;
}

/* A DNS record with two questions, an answer with SOA and TXTs. */
static Netcap__DNS *rich_dns(int32_t id)
{
    Netcap__DNS *d = palloc(sizeof(*d));
    netcap__dns__init(d);
    d->timestamp = 1700000000000000000LL + id;
    d->id = id;
    d->qr = 1;
    d->rd = 1;
    d->n_questions = 2;
    d->questions = palloc(2 * sizeof(*d->questions));
    d->questions[0] = question("a.com", 1);
    d->questions[1] = question("b.org", 28);
    Netcap__DNSResourceRecord *a = palloc(sizeof(*a));
    netcap__dnsresource_record__init(a);
    a->name = S("a.com");
    a->type = 1;
    a->class_ = 1;
    a->ttl = 300;
    a->ip = S("1.2.3.4");
    a->data = B("\x01\x02\x03\x04", 4);
    a->soa = palloc(sizeof(*a->soa));
    netcap__dnssoa__init(a->soa);
    a->soa->mname = B("ns", 2);
    a->soa->serial = 7;
    a->n_txts = 2;
    a->txts = palloc(2 * sizeof(*a->txts));
    a->txts[0] = B("hi", 2);
    a->txts[1] = B("\x00", 1);
    d->n_answers = 1;
    d->answers = palloc(sizeof(*d->answers));
    d->answers[0] = a;
    d->src_ip = S("10.0.0.1");
    d->dst_ip = S("10.0.0.2");
    d->src_port = 5353;
    d->dst_port = 53;
    d->transport = S("udp");
    return d;
}

/* Sets every field of m (and of nested messages, to depth 3) to a value
 * that stresses the output: strings with separators, quotes, newlines and
 * non-ASCII; bytes; 2 elements in every repeated field. */
static void fill_value(const ProtobufCFieldDescriptor *f, uint8_t *p, unsigned depth);

static void fill_message(ProtobufCMessage *m, unsigned depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    uint8_t *base = (uint8_t *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            fill_value(f, base + f->offset, depth);
            continue;
        }
        size_t esz;
        switch (f->type) {
            case PROTOBUF_C_TYPE_INT32:
            case PROTOBUF_C_TYPE_UINT32:
            case PROTOBUF_C_TYPE_BOOL:
            case PROTOBUF_C_TYPE_ENUM:
                esz = 4;
                break;
            case PROTOBUF_C_TYPE_INT64:
            case PROTOBUF_C_TYPE_DOUBLE:
                esz = 8;
                break;
            case PROTOBUF_C_TYPE_BYTES:
                esz = sizeof(ProtobufCBinaryData);
                break;
            default:
                esz = sizeof(void *);
                break;
        }
        uint8_t *arr = palloc(2 * esz);
        fill_value(f, arr, depth);
        fill_value(f, arr + esz, depth);
        size_t n = 2;
        memcpy(base + f->quantifier_offset, &n, sizeof(n));
        memcpy(base + f->offset, &arr, sizeof(arr));
    }
}

static void fill_value(const ProtobufCFieldDescriptor *f, uint8_t *p, unsigned depth)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32: {
            int32_t v = -2147483647 - 1;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_INT64: {
            int64_t v = INT64_MIN;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_UINT32: {
            uint32_t v = UINT32_MAX;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_UINT64: {
            uint64_t v = UINT64_MAX;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_DOUBLE: {
            double v = 1.0 / 3.0;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_BOOL: {
            protobuf_c_boolean v = 1;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_ENUM: {
            int v = 50;
            memcpy(p, &v, sizeof(v));
            break;
        }
        case PROTOBUF_C_TYPE_STRING: {
            char *s = S("a,b;c\t\"q\"\r\n(x-y)|z \xc3\xa9\x01");
            memcpy(p, &s, sizeof(s));
            break;
        }
        case PROTOBUF_C_TYPE_BYTES: {
            ProtobufCBinaryData b = B("\x00,\"\n\xff", 5);
            memcpy(p, &b, sizeof(b));
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessageDescriptor *sd = f->descriptor;
            ProtobufCMessage *sub = palloc(sd->sizeof_message);
            protobuf_c_message_init(sd, sub);
            if (depth < 3) {
                fill_message(sub, depth + 1);
            }
            memcpy(p, &sub, sizeof(sub));
            break;
        }
        default:
            fail_msg("field %s: type %d not in the schema yet: extend fill_value", f->name,
                    (int)f->type);
    }
}

/* ------------------------------------------------------ reflect: cells */

static void test_csv_scalars_and_quoting(void **state)
{
    (void)state;
    Netcap__DNS d;
    netcap__dns__init(&d);
    d.timestamp = -1;
    d.id = 7;
    d.qr = 1;
    d.src_ip = S("a,b");
    d.dst_ip = S("say \"hi\"");
    d.transport = S("line1\nline2");
    struct nc_refl r;
    assert_int_equal(nc_refl_init(&r, &netcap__dns__descriptor, NULL), NC_OK);
    const char *row = render(&r, &d.base, F_CSV);
    assert_string_equal(row, "-1,7,true,0,false,false,false,false,0,0,0,0,0,0,,,,,\"a,b\","
                             "\"say \"\"hi\"\"\",0,0,\"line1\nline2\",0,false,,0,\n");
    assert_int_equal(csv_count(row, ","), 28);
    assert_string_equal(csv_cell(row, ",", 19), "say \"hi\"");
    const char *hdr = render(&r, NULL, F_HEADER);
    assert_true(strncmp(hdr, "timestamp,id,qr,op_code,", 24) == 0);
    assert_int_equal(csv_count(hdr, ","), 28);
    nc_refl_fini(&r);
}

static void test_csv_custom_separator_quotes_only_when_needed(void **state)
{
    (void)state;
    Netcap__UDP u;
    netcap__udp__init(&u);
    u.src_ip = S("x,y");
    u.dst_ip = S("p;q");
    struct nc_refl r;
    struct nc_refl_opts o = { .sep = ";" };
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, &o), NC_OK);
    assert_int_equal(nc_refl_select(&r, "src_ip,dst_ip", NULL, 0), NC_OK);
    assert_string_equal(render(&r, &u.base, F_CSV), "x,y;\"p;q\"\n");
    nc_refl_fini(&r);

    /* TSV: tabs and line breaks quoted, commas not */
    o.sep = "\t";
    u.src_ip = S("a\tb");
    u.dst_ip = S("c,d");
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, &o), NC_OK);
    assert_int_equal(nc_refl_select(&r, "src_ip,dst_ip", NULL, 0), NC_OK);
    assert_string_equal(render(&r, &u.base, F_CSV), "\"a\tb\"\tc,d\n");
    nc_refl_fini(&r);

    /* a separator that makes field names need quoting: header quoted too */
    o.sep = "_";
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, &o), NC_OK);
    assert_int_equal(nc_refl_select(&r, "timestamp,src_ip", NULL, 0), NC_OK);
    assert_string_equal(render(&r, NULL, F_HEADER), "timestamp_\"src_ip\"\n");
    nc_refl_fini(&r);

    /* separators that cannot be quoted around are refused */
    o.sep = "a\"b";
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, &o), NC_EARG);
    nc_refl_fini(&r);
    o.sep = "";
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, &o), NC_EARG);
    nc_refl_fini(&r);
    o.sep = "\n";
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, &o), NC_EARG);
    nc_refl_fini(&r);
}

static void test_nested_message_cell(void **state)
{
    (void)state;
    Netcap__IPv6HopByHopOptionAlignment al;
    netcap__ipv6_hop_by_hop_option_alignment__init(&al);
    al.one = 1;
    al.two = 2;
    Netcap__IPv6HopByHopOption opt;
    netcap__ipv6_hop_by_hop_option__init(&opt);
    opt.option_type = 5;
    opt.option_length = 2;
    opt.actual_length = 2;
    opt.option_data = B("\xab\x01", 2);
    opt.option_alignment = &al;
    Netcap__IPv6HopByHopOption opt2;
    netcap__ipv6_hop_by_hop_option__init(&opt2);
    Netcap__IPv6HopByHopOption *opts[2] = { &opt, &opt2 };
    Netcap__IPv6HopByHop hbh;
    netcap__ipv6_hop_by_hop__init(&hbh);
    hbh.timestamp = 9;
    hbh.n_options = 2;
    hbh.options = opts;
    hbh.src_ip = S("::1");
    hbh.next_header = 6;
    Netcap__IPv6 ip;
    netcap__ipv6__init(&ip);
    ip.hop_by_hop = &hbh;

    struct nc_refl r;
    assert_int_equal(nc_refl_init(&r, &netcap__ipv6__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "hop_by_hop", NULL, 0), NC_OK);
    /* absent nested message in opt2.option_alignment: empty inside parens */
    assert_string_equal(
            render(&r, &ip.base, F_CSV), "(9-(5-2-2-ab01-(1-2))|(0-0-0--)-::1--6-0-)\n");
    assert_string_equal(text_of(&r, &ip.base, 0), "(9-(5-2-2-ab01-(1-2))|(0-0-0--)-::1--6-0-)");
    assert_string_equal(render(&r, &ip.base, F_JSON),
            "{\"hop_by_hop\":{\"timestamp\":9,\"options\":["
            "{\"option_type\":5,\"option_length\":2,\"actual_length\":2,\"option_data\":\"ab01\","
            "\"option_alignment\":{\"one\":1,\"two\":2}},"
            "{\"option_type\":0,\"option_length\":0,\"actual_length\":0,\"option_data\":\"\","
            "\"option_alignment\":null}],"
            "\"src_ip\":\"::1\",\"dst_ip\":\"\",\"next_header\":6,\"tunnel_depth\":0,\"tunnel_"
            "parent\":\"\"}}\n");
    nc_refl_fini(&r);

    /* custom begin/end/struct-sep/list-sep */
    struct nc_refl_opts o = { .begin = "[", .end = "]", .struct_sep = ";", .list_sep = " + " };
    assert_int_equal(nc_refl_init(&r, &netcap__ipv6__descriptor, &o), NC_OK);
    assert_int_equal(nc_refl_select(&r, "hop_by_hop", NULL, 0), NC_OK);
    assert_string_equal(
            render(&r, &ip.base, F_CSV), "[9;[5;2;2;ab01;[1;2]] + [0;0;0;;];::1;;6;0;]\n");
    nc_refl_fini(&r);

    /* absent top-level message: empty cell, JSON null */
    ip.hop_by_hop = NULL;
    assert_int_equal(nc_refl_init(&r, &netcap__ipv6__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "hop_by_hop,version", NULL, 0), NC_OK);
    assert_string_equal(render(&r, &ip.base, F_CSV), ",0\n");
    assert_string_equal(render(&r, &ip.base, F_JSON), "{\"hop_by_hop\":null,\"version\":0}\n");
    nc_refl_fini(&r);
}

static void test_repeated_cells(void **state)
{
    (void)state;
    Netcap__DNS *d = rich_dns(1);
    struct nc_refl r;
    assert_int_equal(nc_refl_init(&r, &netcap__dns__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "questions,answers,authorities", NULL, 0), NC_OK);
    const char *row = render(&r, &d->base, F_CSV);
    assert_string_equal(row,
            "(a.com-1-1)|(b.org-28-1),"
            "(a.com-1-1-300-0-01020304-1.2.3.4----(6e73--7-0-0-0-0)---6869|00),\n");
    assert_int_equal(csv_count(row, ","), 3);
    const char *js = render(&r, &d->base, F_JSON);
    assert_json_line(js);
    assert_non_null(strstr(js, "\"questions\":[{\"name\":\"a.com\",\"type\":1,\"class\":1},"
                               "{\"name\":\"b.org\",\"type\":28,\"class\":1}]"));
    assert_non_null(strstr(js, "\"txts\":[\"6869\",\"00\"]"));
    assert_non_null(strstr(js, "\"authorities\":[]"));
    assert_non_null(strstr(js, "\"srv\":null"));
    nc_refl_fini(&r);
}

static void test_json_escapes_and_utf8(void **state)
{
    (void)state;
    Netcap__UDP u;
    netcap__udp__init(&u);
    /* control chars, quote, backslash, é (valid UTF-8), DEL, an invalid
     * byte 0xff, a truncated sequence e2 82, a surrogate ed a0 80, and
     * an overlong c0 af */
    u.src_ip = S("\x01\b\f\n\r\t\x1f\"\\\xc3\xa9\x7f\xff\xe2\x82"
                 "A\xed\xa0\x80\xc0\xaf\xf0\x9f\x98\x80");
    u.payload = B("\x00\xab\xff", 3);
    u.payload_entropy = 0.1;
    struct nc_refl r;
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "src_ip,payload,payload_entropy", NULL, 0), NC_OK);
    const char *js = render(&r, &u.base, F_JSON);
    assert_string_equal(js,
            "{\"src_ip\":\"\\u0001\\b\\f\\n\\r\\t\\u001f\\\"\\\\\xc3\xa9\x7f"
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x98\x80\","
            "\"payload\":\"00abff\",\"payload_entropy\":0.1}\n");
    assert_json_line(js);
    /* CSV: raw bytes, but invalid UTF-8 replaced; cell quoted (quote, LF) */
    const char *row = render(&r, &u.base, F_CSV);
    assert_string_equal(row, "\"\x01\b\f\n\r\t\x1f\"\"\\\xc3\xa9\x7f\xef\xbf\xbd\xef\xbf\xbd"
                             "\xef\xbf\xbd"
                             "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "\xf0\x9f\x98\x80\",00abff,0.1\n");
    /* display text: control characters visible, one line */
    assert_string_equal(text_of(&r, &u.base, 0),
            "\\x01\\x08\\x0c\\n\\r\\t\\x1f\"\\\xc3\xa9\\x7f\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x98\x80");
    nc_refl_fini(&r);
}

static void test_numbers_bools_enums(void **state)
{
    (void)state;
    struct nc_refl r;
    Netcap__UDP u;
    netcap__udp__init(&u);
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "payload_entropy", NULL, 0), NC_OK);
    static const struct {
        double v;
        const char *csv, *json;
    } cases[] = {
        { 0.1, "0.1", "0.1" },
        { 1.0 / 3.0, "0.3333333333333333", "0.3333333333333333" },
        { 7.5, "7.5", "7.5" },
        { 0, "0", "0" },
        { -0.0, "-0", "-0" },
        { 1e300, "1e+300", "1e+300" },
        { 5e-324, "4.94065645841247e-324", "4.94065645841247e-324" },
        { 123456789012345678.0, "1.2345678901234568e+17", "1.2345678901234568e+17" },
        { NAN, "NaN", "null" },
        { INFINITY, "+Inf", "null" },
        { -INFINITY, "-Inf", "null" },
    };
    for (size_t i = 0; i < NC_ARRAY_LEN(cases); i++) {
        u.payload_entropy = cases[i].v;
        char want[128];
        snprintf(want, sizeof(want), "%s\n", cases[i].csv);
        assert_string_equal(render(&r, &u.base, F_CSV), want);
        snprintf(want, sizeof(want), "{\"payload_entropy\":%s}\n", cases[i].json);
        assert_string_equal(render(&r, &u.base, F_JSON), want);
        if (isfinite(cases[i].v)) {
            assert_true(strtod(cases[i].csv, NULL) == cases[i].v); /* round trip */
        }
    }
    nc_refl_fini(&r);

    /* integer extremes, bools, enum names (and an unknown enum value) */
    Netcap__Header h;
    netcap__header__init(&h);
    h.created = INT64_MIN;
    h.type = NETCAP__TYPE__NC_DNS;
    h.schema_version = UINT32_MAX;
    assert_int_equal(nc_refl_init(&r, &netcap__header__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "created,type,schema_version", NULL, 0), NC_OK);
    assert_string_equal(render(&r, &h.base, F_CSV), "-9223372036854775808,NC_DNS,4294967295\n");
    assert_string_equal(render(&r, &h.base, F_JSON), "{\"created\":-9223372036854775808,\"type\":"
                                                     "\"NC_DNS\",\"schema_version\":4294967295}\n");
    h.type = (Netcap__Type)77;
    assert_string_equal(render(&r, &h.base, F_CSV), "-9223372036854775808,77,4294967295\n");
    assert_string_equal(render(&r, &h.base, F_JSON),
            "{\"created\":-9223372036854775808,\"type\":77,\"schema_version\":4294967295}\n");
    nc_refl_fini(&r);

    Netcap__TCP t;
    netcap__tcp__init(&t);
    t.syn = 1;
    t.seq_num = 4000000000u;
    assert_int_equal(nc_refl_init(&r, &netcap__tcp__descriptor, NULL), NC_OK);
    assert_int_equal(nc_refl_select(&r, "syn,fin,seq_num,payload", NULL, 0), NC_OK);
    assert_string_equal(render(&r, &t.base, F_CSV), "true,false,4000000000,\n");
    assert_string_equal(render(&r, &t.base, F_JSON),
            "{\"syn\":true,\"fin\":false,\"seq_num\":4000000000,\"payload\":\"\"}\n");
    assert_true(nc_refl_col_is_number(&r, 2));
    assert_false(nc_refl_col_is_number(&r, 0));
    assert_false(nc_refl_col_is_number(&r, 3));
    nc_refl_fini(&r);
}

/* Header and rows have the same cell count for every record type, empty
 * or with every field set to hostile content; JSON is valid for both. */
static void test_every_type_has_consistent_columns(void **state)
{
    (void)state;
    nc_record_init();
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        const struct nc_rec_info *info = nc_rec_info((enum nc_rec_type)t);
        const ProtobufCMessageDescriptor *d = info->desc;
        static const char *const seps[] = { ",", "\t", ";", "||" };
        for (size_t s = 0; s < NC_ARRAY_LEN(seps); s++) {
            struct nc_refl r;
            struct nc_refl_opts o = { .sep = seps[s] };
            assert_int_equal(nc_refl_init(&r, d, &o), NC_OK);
            size_t n_hdr = csv_count(render(&r, NULL, F_HEADER), seps[s]);
            assert_int_equal(n_hdr, d->n_fields);

            ProtobufCMessage *empty = palloc(d->sizeof_message);
            protobuf_c_message_init(d, empty);
            ProtobufCMessage *full = palloc(d->sizeof_message);
            protobuf_c_message_init(d, full);
            fill_message(full, 0);

            const ProtobufCMessage *ms[2] = { empty, full };
            for (size_t k = 0; k < 2; k++) {
                const char *row = render(&r, ms[k], F_CSV);
                if (csv_count(row, seps[s]) != n_hdr) {
                    fail_msg("%s sep '%s' msg %zu: %zu cells, header %zu: %s", info->name, seps[s],
                            k, csv_count(row, seps[s]), n_hdr, row);
                }
                assert_json_line(render(&r, ms[k], F_JSON));
                for (size_t c = 0; c < r.n_cols; c++) {
                    assert_null(strchr(text_of(&r, ms[k], c), '\n'));
                }
            }
            /* packed and unpacked again, the full message renders the same */
            size_t len = protobuf_c_message_get_packed_size(full);
            uint8_t *buf = palloc(len);
            protobuf_c_message_pack(full, buf);
            ProtobufCMessage *back = protobuf_c_message_unpack(d, NULL, len, buf);
            assert_non_null(back);
            char *a = S(render(&r, full, F_JSON));
            assert_string_equal(render(&r, back, F_JSON), a);
            protobuf_c_message_free_unpacked(back, NULL);
            nc_refl_fini(&r);
        }
        pool_free();
    }
}

static void test_select_orders_and_validates(void **state)
{
    (void)state;
    Netcap__DNS *d = rich_dns(3);
    struct nc_refl r;
    assert_int_equal(nc_refl_init(&r, &netcap__dns__descriptor, NULL), NC_OK);
    char err[NC_REFL_ERRBUF_SIZE];
    assert_int_equal(nc_refl_select(&r, "dst_port, src_ip ,id,id", err, sizeof(err)), NC_OK);
    assert_int_equal(r.n_cols, 4);
    assert_string_equal(render(&r, NULL, F_HEADER), "dst_port,src_ip,id,id\n");
    assert_string_equal(render(&r, &d->base, F_CSV), "53,10.0.0.1,3,3\n");
    assert_string_equal(render(&r, &d->base, F_JSON),
            "{\"dst_port\":53,\"src_ip\":\"10.0.0.1\",\"id\":3,\"id\":3}\n");
    /* Netcap's Go names (CamelCase) select the same fields */
    assert_int_equal(nc_refl_select(&r, "SrcIP,Timestamp,ResponseCode", err, sizeof(err)), NC_OK);
    assert_string_equal(render(&r, NULL, F_HEADER), "src_ip,timestamp,response_code\n");

    assert_int_equal(nc_refl_select(&r, "id,nosuchfield", err, sizeof(err)), NC_EARG);
    assert_non_null(strstr(err, "unknown field 'nosuchfield'"));
    assert_non_null(strstr(err, "DNS"));
    assert_non_null(strstr(err, "timestamp, id, qr"));
    assert_non_null(strstr(err, "transport"));
    /* the previous selection is kept after an error */
    assert_string_equal(render(&r, NULL, F_HEADER), "src_ip,timestamp,response_code\n");
    assert_int_equal(nc_refl_select(&r, "id,,qr", err, sizeof(err)), NC_EARG);
    assert_non_null(strstr(err, "empty field name"));
    assert_int_equal(nc_refl_select(&r, "", err, sizeof(err)), NC_EARG);
    /* nested paths are not top-level fields */
    assert_int_equal(nc_refl_select(&r, "questions.name", err, sizeof(err)), NC_EARG);
    nc_refl_fini(&r);
}

static void test_fields_listing(void **state)
{
    (void)state;
    struct nc_dbuf b;
    nc_dbuf_init(&b, 1 << 20);
    assert_int_equal(nc_refl_fields(&netcap__dns__descriptor, &b), NC_OK);
    assert_int_equal(nc_dbuf_putc(&b, '\0'), NC_OK);
    const char *s = (const char *)b.p;
    assert_true(strncmp(s, "timestamp ", 10) == 0);
    assert_non_null(strstr(s, "\nquestions "));
    assert_non_null(strstr(s, "repeated DNSQuestion\n  name "));
    assert_non_null(strstr(s, "\n    serial "));    /* answers.soa.serial: two levels */
    assert_non_null(strstr(s, "repeated bytes\n")); /* txts */
    nc_dbuf_fini(&b);
    nc_dbuf_init(&b, 1 << 20);
    assert_int_equal(nc_refl_fields(&netcap__header__descriptor, &b), NC_OK);
    assert_int_equal(nc_dbuf_putc(&b, '\0'), NC_OK);
    assert_non_null(strstr((const char *)b.p, "type            Type\n"));
    nc_dbuf_fini(&b);
}

static void test_output_cap_is_reported(void **state)
{
    (void)state;
    Netcap__UDP u;
    netcap__udp__init(&u);
    u.payload.len = 300;
    u.payload.data = palloc(300);
    struct nc_refl r;
    assert_int_equal(nc_refl_init(&r, &netcap__udp__descriptor, NULL), NC_OK);
    struct nc_dbuf b;
    nc_dbuf_init(&b, 512); /* 600 hex digits do not fit */
    assert_int_equal(nc_refl_json(&r, &u.base, &b), NC_ELIMIT);
    nc_dbuf_fini(&b);
    /* a message of another type is refused */
    Netcap__TCP t;
    netcap__tcp__init(&t);
    nc_dbuf_init(&b, 4096);
    assert_int_equal(nc_refl_csv_row(&r, &t.base, &b), NC_EARG);
    nc_dbuf_fini(&b);
    nc_refl_fini(&r);
}

/* ------------------------------------------------------------ file layer */

static char tmpdir[256];

static int setup_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/nc_test_reflect.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        return -1;
    }
    return 0;
}

static char *tpath(const char *name)
{
    static char p[512];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void put_header(struct nc_dbuf *b, int type, const char *name)
{
    Netcap__Header h;
    netcap__header__init(&h);
    h.created = 1700000000123456789LL;
    h.input_source = S("test.pcap");
    h.type = (Netcap__Type)type;
    h.version = S("test");
    h.options = S("-opt");
    h.schema_version = NC_SCHEMA_VERSION;
    h.type_name = S(name);
    assert_int_equal(nc_encode_delimited(b, &h.base), NC_OK);
}

/* A DNS stream: header + n records with id 1..n, every third one rich.
 * Returns the offset where each record starts in *offs (if not NULL). */
static void dns_stream(struct nc_dbuf *b, size_t n, size_t *offs)
{
    nc_dbuf_init(b, 1u << 30);
    put_header(b, NETCAP__TYPE__NC_DNS, "DNS");
    for (size_t i = 0; i < n; i++) {
        if (offs) {
            offs[i] = b->len;
        }
        size_t mark = n_pool;
        Netcap__DNS *d;
        if (i % 3 == 2) {
            d = rich_dns((int32_t)(i + 1));
        } else {
            d = palloc(sizeof(*d));
            netcap__dns__init(d);
            d->id = (int32_t)(i + 1);
            d->timestamp = 1700000000000000000LL + (int64_t)i;
            d->src_ip = S("192.168.0.1");
            d->transport = S("udp");
        }
        assert_int_equal(nc_encode_delimited(b, &d->base), NC_OK);
        pool_release(mark);
    }
}

/* zstd: the stream cut into n_frames pieces at arbitrary byte positions
 * (not record boundaries), each compressed as an independent frame. */
static void zstd_frames(const uint8_t *p, size_t n, size_t n_frames, struct nc_dbuf *out)
{
    nc_dbuf_init(out, 1u << 30);
    size_t step = n / n_frames + 1;
    for (size_t off = 0; off < n; off += step) {
        size_t len = NC_MIN(step, n - off);
        size_t bound = ZSTD_compressBound(len);
        assert_int_equal(nc_dbuf_reserve(out, bound), NC_OK);
        size_t z = ZSTD_compress(out->p + out->len, bound, p + off, len, 3);
        assert_false(ZSTD_isError(z));
        out->len += z;
    }
}

/* gzip: the same, one member per piece. */
static void gzip_members(const uint8_t *p, size_t n, size_t n_members, struct nc_dbuf *out)
{
    nc_dbuf_init(out, 1u << 30);
    size_t step = n / n_members + 1;
    for (size_t off = 0; off < n; off += step) {
        size_t len = NC_MIN(step, n - off);
        z_stream z;
        memset(&z, 0, sizeof(z));
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        size_t bound = deflateBound(&z, (uLong)len) + 64;
        assert_int_equal(nc_dbuf_reserve(out, bound), NC_OK);
        z.next_in = (Bytef *)(uintptr_t)(p + off);
        z.avail_in = (uInt)len;
        z.next_out = out->p + out->len;
        z.avail_out = (uInt)bound;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        out->len += bound - z.avail_out;
        deflateEnd(&z);
    }
}

/* Reads path to the end: returns the records delivered, and the final rc
 * and message. Checks that ids count up from 1. */
static uint64_t read_all(const char *path, int *rc_out, char *err)
{
    struct nc_ncfile *f = NULL;
    err[0] = '\0';
    int rc = nc_ncfile_open(&f, path, err);
    if (rc != NC_OK) {
        assert_null(f);
        *rc_out = rc;
        return 0;
    }
    assert_int_equal(nc_ncfile_type(f), NC_REC_DNS);
    uint64_t n = 0;
    for (;;) {
        const ProtobufCMessage *m = NULL;
        rc = nc_ncfile_next(f, &m, err);
        if (rc != NC_OK || !m) {
            break;
        }
        n++;
        const Netcap__DNS *d = (const Netcap__DNS *)(const void *)m;
        assert_int_equal(d->id, (int32_t)n);
    }
    assert_int_equal(nc_ncfile_count(f), n);
    if (rc != NC_OK) {
        /* sticky: the same error again */
        const ProtobufCMessage *m = NULL;
        char again[NC_ERRBUF_SIZE];
        assert_int_equal(nc_ncfile_next(f, &m, again), rc);
        assert_string_equal(again, err);
    }
    nc_ncfile_close(f);
    *rc_out = rc;
    return n;
}

static void test_reader_plain_zstd_gzip_multiframe(void **state)
{
    (void)state;
    nc_record_init();
    struct nc_dbuf s, z1, z5, g1, g4;
    dns_stream(&s, 1000, NULL);
    zstd_frames(s.p, s.len, 1, &z1);
    zstd_frames(s.p, s.len, 5, &z5);
    gzip_members(s.p, s.len, 1, &g1);
    gzip_members(s.p, s.len, 4, &g4);
    write_file(tpath("a.ncap"), s.p, s.len);
    write_file(tpath("a.ncap.zst"), z1.p, z1.len);
    write_file(tpath("a5.ncap.zst"), z5.p, z5.len);
    write_file(tpath("a.ncap.gz"), g1.p, g1.len);
    write_file(tpath("a4.ncap.gz"), g4.p, g4.len);
    /* detection is by content: a misleading name does not matter */
    write_file(tpath("gz-named.ncap"), g4.p, g4.len);
    static const char *const names[] = { "a.ncap", "a.ncap.zst", "a5.ncap.zst", "a.ncap.gz",
        "a4.ncap.gz", "gz-named.ncap" };
    static const enum nc_ncfile_comp comps[] = { NC_NCFILE_PLAIN, NC_NCFILE_ZSTD, NC_NCFILE_ZSTD,
        NC_NCFILE_GZIP, NC_NCFILE_GZIP, NC_NCFILE_GZIP };
    for (size_t i = 0; i < NC_ARRAY_LEN(names); i++) {
        int rc;
        char err[NC_ERRBUF_SIZE];
        uint64_t n = read_all(tpath(names[i]), &rc, err);
        if (rc != NC_OK || n != 1000) {
            fail_msg("%s: %llu records, rc %d: %s", names[i], (unsigned long long)n, rc, err);
        }
        struct nc_ncfile *f;
        assert_int_equal(nc_ncfile_open(&f, tpath(names[i]), err), NC_OK);
        assert_int_equal(nc_ncfile_comp(f), comps[i]);
        const Netcap__Header *h = nc_ncfile_header(f);
        assert_string_equal(h->input_source, "test.pcap");
        assert_int_equal(h->created, 1700000000123456789LL);
        assert_ptr_equal(nc_ncfile_desc(f), &netcap__dns__descriptor);
        nc_ncfile_close(f);
    }
    nc_dbuf_fini(&s);
    nc_dbuf_fini(&z1);
    nc_dbuf_fini(&z5);
    nc_dbuf_fini(&g1);
    nc_dbuf_fini(&g4);
}

/* Records larger than the decompression chunk, across frame boundaries. */
static void test_reader_large_records(void **state)
{
    (void)state;
    nc_record_init();
    struct nc_dbuf s;
    nc_dbuf_init(&s, 1u << 30);
    put_header(&s, NETCAP__TYPE__NC_UDP, "UDP");
    static const size_t sizes[] = { 0, 1, 300000, 127, 128, 1000000, 65536 };
    uint8_t *payload = palloc(1000000);
    for (size_t i = 0; i < 1000000; i++) {
        payload[i] = (uint8_t)(i * 7);
    }
    for (size_t i = 0; i < NC_ARRAY_LEN(sizes); i++) {
        Netcap__UDP u;
        netcap__udp__init(&u);
        u.length = (int32_t)i;
        u.payload.len = sizes[i];
        u.payload.data = payload;
        assert_int_equal(nc_encode_delimited(&s, &u.base), NC_OK);
    }
    struct nc_dbuf z, g;
    zstd_frames(s.p, s.len, 3, &z);
    gzip_members(s.p, s.len, 3, &g);
    write_file(tpath("u.ncap"), s.p, s.len);
    write_file(tpath("u.ncap.zst"), z.p, z.len);
    write_file(tpath("u.ncap.gz"), g.p, g.len);
    static const char *const names[] = { "u.ncap", "u.ncap.zst", "u.ncap.gz" };
    for (size_t k = 0; k < NC_ARRAY_LEN(names); k++) {
        struct nc_ncfile *f;
        char err[NC_ERRBUF_SIZE];
        assert_int_equal(nc_ncfile_open(&f, tpath(names[k]), err), NC_OK);
        assert_int_equal(nc_ncfile_type(f), NC_REC_UDP);
        for (size_t i = 0; i < NC_ARRAY_LEN(sizes); i++) {
            const ProtobufCMessage *m;
            assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
            assert_non_null(m);
            const Netcap__UDP *u = (const Netcap__UDP *)(const void *)m;
            assert_int_equal(u->length, (int32_t)i);
            assert_int_equal(u->payload.len, sizes[i]);
            assert_true(sizes[i] == 0 || memcmp(u->payload.data, payload, sizes[i]) == 0);
        }
        const ProtobufCMessage *m = (const ProtobufCMessage *)1;
        assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
        assert_null(m);
        nc_ncfile_close(f);
    }
    nc_dbuf_fini(&s);
    nc_dbuf_fini(&z);
    nc_dbuf_fini(&g);
}

static void expect(const char *name, uint64_t want_n, int want_rc, const char *want_msg)
{
    int rc;
    char err[NC_ERRBUF_SIZE];
    uint64_t n = read_all(tpath(name), &rc, err);
    if (n != want_n || rc != want_rc || !strstr(err, want_msg)) {
        fail_msg("%s: got %llu records, rc %d, \"%s\"; want %llu, %d, \"%s\"", name,
                (unsigned long long)n, rc, err, (unsigned long long)want_n, want_rc, want_msg);
    }
}

static void test_reader_truncation_names_the_record(void **state)
{
    (void)state;
    nc_record_init();
    size_t offs[5];
    struct nc_dbuf s;
    dns_stream(&s, 5, offs);
    /* inside record 4 (after its length prefix) */
    write_file(tpath("t1.ncap"), s.p, offs[3] + 3);
    expect("t1.ncap", 3, NC_ETRUNC, "record 4: truncated (file ends inside the record");
    /* exactly at a record boundary: a clean (shorter) file */
    write_file(tpath("t2.ncap"), s.p, offs[3]);
    expect("t2.ncap", 3, NC_OK, "");
    nc_dbuf_fini(&s);
    /* inside a two-byte length prefix: record 3 is longer than 127 bytes */
    dns_stream(&s, 2, NULL);
    size_t off3 = s.len;
    Netcap__DNS big;
    netcap__dns__init(&big);
    big.id = 3;
    char name[201];
    memset(name, 'x', 200);
    name[200] = '\0';
    big.src_ip = S(name);
    assert_int_equal(nc_encode_delimited(&s, &big.base), NC_OK);
    assert_true(s.p[off3] & 0x80);
    write_file(tpath("t3.ncap"), s.p, off3 + 1);
    expect("t3.ncap", 2, NC_ETRUNC, "record 3: truncated (file ends inside the length prefix)");
    write_file(tpath("t3b.ncap"), s.p, s.len);
    expect("t3b.ncap", 3, NC_OK, "");
    /* inside the header */
    write_file(tpath("t4.ncap"), s.p, 10);
    expect("t4.ncap", 0, NC_EMALFORMED, "not a netcap record file");
    nc_dbuf_fini(&s);
    /* compressed files cut short: a longer stream in several frames, so
     * that the frames before the cut deliver their records */
    dns_stream(&s, 60, NULL);
    struct nc_dbuf z, g;
    zstd_frames(s.p, s.len, 6, &z);
    gzip_members(s.p, s.len, 1, &g);
    write_file(tpath("t5.ncap.zst"), z.p, z.len - 5);
    write_file(tpath("t6.ncap.gz"), g.p, g.len - 5); /* trailer cut: all data present */
    expect("t6.ncap.gz", 60, NC_ETRUNC, "record 61: truncated (compressed data ends inside a gzip");
    write_file(tpath("t7.ncap.gz"), g.p, g.len / 2);
    static const char *const cut[] = { "t5.ncap.zst", "t7.ncap.gz" };
    for (size_t i = 0; i < NC_ARRAY_LEN(cut); i++) {
        int rc;
        char err[NC_ERRBUF_SIZE];
        uint64_t n = read_all(tpath(cut[i]), &rc, err);
        assert_int_equal(rc, NC_ETRUNC);
        assert_true(n > 0 && n < 60);
        char want[64];
        snprintf(want, sizeof(want), "record %llu: truncated", (unsigned long long)n + 1);
        if (!strstr(err, want)) {
            fail_msg("%s: \"%s\", want \"%s\"", cut[i], err, want);
        }
    }
    nc_dbuf_fini(&s);
    nc_dbuf_fini(&z);
    nc_dbuf_fini(&g);
}

static void test_reader_bad_records(void **state)
{
    (void)state;
    nc_record_init();
    struct nc_dbuf s;
    uint8_t v[NC_VARINT_MAX];

    /* huge length prefix after 2 good records */
    dns_stream(&s, 2, NULL);
    size_t k = nc_varint_put(v, 4000000000u);
    assert_int_equal(nc_dbuf_append(&s, v, k), NC_OK);
    assert_int_equal(nc_dbuf_append(&s, "xxxx", 4), NC_OK);
    write_file(tpath("b1.ncap"), s.p, s.len);
    expect("b1.ncap", 2, NC_ELIMIT, "record 3: length 4000000000 exceeds the limit");
    nc_dbuf_fini(&s);

    /* one more than the limit */
    dns_stream(&s, 0, NULL);
    k = nc_varint_put(v, (uint64_t)NC_RECORD_MAX + 1);
    assert_int_equal(nc_dbuf_append(&s, v, k), NC_OK);
    write_file(tpath("b2.ncap"), s.p, s.len);
    expect("b2.ncap", 0, NC_ELIMIT, "record 1: length 67108865 exceeds the limit");
    nc_dbuf_fini(&s);

    /* a length prefix longer than 10 bytes */
    dns_stream(&s, 1, NULL);
    assert_int_equal(
            nc_dbuf_append(&s, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12), NC_OK);
    write_file(tpath("b3.ncap"), s.p, s.len);
    expect("b3.ncap", 1, NC_EMALFORMED, "record 2: malformed length prefix");
    nc_dbuf_fini(&s);

    /* bytes that are not a DNS message (field 1, wire type 7 = invalid) */
    dns_stream(&s, 4, NULL);
    assert_int_equal(nc_dbuf_append(&s, "\x03\x0f\xff\xff", 4), NC_OK);
    write_file(tpath("b4.ncap"), s.p, s.len);
    expect("b4.ncap", 4, NC_EMALFORMED, "record 5: not a valid DNS message");
    nc_dbuf_fini(&s);

    /* a zero-length record is a valid, empty message */
    dns_stream(&s, 1, NULL);
    assert_int_equal(nc_dbuf_putc(&s, 0), NC_OK);
    write_file(tpath("b5.ncap"), s.p, s.len);
    struct nc_ncfile *f;
    char err[NC_ERRBUF_SIZE];
    assert_int_equal(nc_ncfile_open(&f, tpath("b5.ncap"), err), NC_OK);
    const ProtobufCMessage *m;
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
    assert_non_null(m);
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
    assert_non_null(m);
    assert_int_equal(((const Netcap__DNS *)(const void *)m)->id, 0);
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
    assert_null(m);
    nc_ncfile_close(f);
    nc_dbuf_fini(&s);

    /* trailing garbage after a complete gzip member */
    struct nc_dbuf g;
    dns_stream(&s, 3, NULL);
    gzip_members(s.p, s.len, 1, &g);
    assert_int_equal(nc_dbuf_append(&g, "garbage!", 8), NC_OK);
    write_file(tpath("b6.ncap.gz"), g.p, g.len);
    expect("b6.ncap.gz", 3, NC_EMALFORMED, "record 4: corrupt gzip data");
    nc_dbuf_fini(&g);
    /* ...and after a zstd frame */
    zstd_frames(s.p, s.len, 1, &g);
    assert_int_equal(nc_dbuf_append(&g, "garbage!", 8), NC_OK);
    write_file(tpath("b7.ncap.zst"), g.p, g.len);
    expect("b7.ncap.zst", 3, NC_EMALFORMED, "record 4: corrupt zstd data");
    nc_dbuf_fini(&g);
    nc_dbuf_fini(&s);
}

/* A small record that unpacks into a lot of memory hits the budget. */
static void test_reader_unpack_budget(void **state)
{
    (void)state;
    nc_record_init();
    struct nc_dbuf s, rec;
    dns_stream(&s, 1, NULL);
    nc_dbuf_init(&rec, 1 << 20);
    for (int i = 0; i < 20000; i++) {
        /* field 16 (answers), wire type 2, length 0: an empty answer */
        assert_int_equal(nc_dbuf_append(&rec, "\x82\x01\x00", 3), NC_OK);
    }
    uint8_t v[NC_VARINT_MAX];
    size_t k = nc_varint_put(v, rec.len);
    assert_int_equal(nc_dbuf_append(&s, v, k), NC_OK);
    assert_int_equal(nc_dbuf_append(&s, rec.p, rec.len), NC_OK);
    write_file(tpath("budget.ncap"), s.p, s.len);
    struct nc_ncfile *f;
    char err[NC_ERRBUF_SIZE];
    assert_int_equal(nc_ncfile_open(&f, tpath("budget.ncap"), err), NC_OK);
    nc_ncfile_set_unpack_cap(f, 100000);
    const ProtobufCMessage *m;
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
    assert_non_null(m);
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_ELIMIT);
    assert_non_null(strstr(err, "record 2: needs more than 100000 bytes"));
    nc_ncfile_close(f);
    /* with the default budget the record is fine */
    assert_int_equal(nc_ncfile_open(&f, tpath("budget.ncap"), err), NC_OK);
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
    assert_int_equal(nc_ncfile_next(f, &m, err), NC_OK);
    assert_int_equal(((const Netcap__DNS *)(const void *)m)->n_answers, 20000);
    nc_ncfile_close(f);
    nc_dbuf_fini(&rec);
    nc_dbuf_fini(&s);
}

static void expect_open_error(const char *name, int want_rc, const char *want_msg)
{
    struct nc_ncfile *f = (struct nc_ncfile *)1;
    char err[NC_ERRBUF_SIZE];
    int rc = nc_ncfile_open(&f, tpath(name), err);
    if (rc != want_rc || !strstr(err, want_msg)) {
        fail_msg("%s: rc %d \"%s\"; want %d \"%s\"", name, rc, err, want_rc, want_msg);
    }
    assert_null(f);
}

static const uint8_t pcap_bytes[] = {
    /* pcap global header: magic a1b2c3d4 (LE), v2.4, snaplen 65535, DLT 1 */
    0xd4,
    0xc3,
    0xb2,
    0xa1,
    0x02,
    0x00,
    0x04,
    0x00,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    /* one record header: ts, caplen 14, len 14; then 14 bytes of Ethernet */
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    14,
    0,
    0,
    0,
    14,
    0,
    0,
    0,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0x02,
    0,
    0,
    0,
    0,
    1,
    0x08,
    0x06,
};

static void test_reader_rejects_other_files(void **state)
{
    (void)state;
    nc_record_init();
    write_file(tpath("empty"), "", 0);
    expect_open_error("empty", NC_EMALFORMED, "empty file");
    write_file(tpath("text"), "hello, this is not a record file\n", 33);
    expect_open_error("text", NC_EMALFORMED, "not a netcap record file");
    write_file(tpath("c.pcap"), pcap_bytes, sizeof(pcap_bytes));
    expect_open_error("c.pcap", NC_EMALFORMED, "not a netcap record file (it is a pcap");
    /* a gzip-compressed pcap is recognised after decompression */
    struct nc_dbuf g;
    gzip_members(pcap_bytes, sizeof(pcap_bytes), 1, &g);
    write_file(tpath("c.pcap.gz"), g.p, g.len);
    expect_open_error("c.pcap.gz", NC_EMALFORMED, "it is a pcap");
    nc_dbuf_fini(&g);
    /* right magic, wrong content */
    write_file(tpath("z"), "\x28\xb5\x2f\xfd garbage garbage", 20);
    expect_open_error("z", NC_EMALFORMED, "corrupt zstd data");
    write_file(tpath("g"), "\x1f\x8b garbage garbage garbage", 25);
    expect_open_error("g", NC_EMALFORMED, "corrupt gzip data");
    write_file(tpath("g2"), "\x1f\x8b", 2);
    expect_open_error("g2", NC_ETRUNC, "truncated");
    /* empty after decompression */
    struct nc_dbuf z;
    zstd_frames((const uint8_t *)"", 0, 1, &z);
    assert_true(z.len == 0);
    nc_dbuf_fini(&z);
    nc_dbuf_init(&z, 1 << 16);
    assert_int_equal(nc_dbuf_reserve(&z, 64), NC_OK);
    z.len = ZSTD_compress(z.p, 64, "", 0, 1);
    write_file(tpath("empty.zst"), z.p, z.len);
    expect_open_error("empty.zst", NC_EMALFORMED, "empty zstd file");
    nc_dbuf_fini(&z);
    /* header without a type, and with a type this build does not know */
    struct nc_dbuf s;
    nc_dbuf_init(&s, 1 << 16);
    put_header(&s, 0, "");
    write_file(tpath("h0"), s.p, s.len);
    expect_open_error("h0", NC_EMALFORMED, "the header names no record type");
    nc_dbuf_reset(&s);
    put_header(&s, 99, "Future");
    write_file(tpath("h99"), s.p, s.len);
    expect_open_error("h99", NC_EUNSUPP, "record type 99 (\"Future\")");
    nc_dbuf_fini(&s);
    /* a header length beyond the header cap */
    write_file(tpath("hbig"), "\xff\xff\x7f", 3);
    expect_open_error("hbig", NC_EMALFORMED, "not a netcap record file");
    /* missing file, directory */
    expect_open_error("does-not-exist", NC_EIO, "cannot open: No such file or directory");
    assert_int_equal(mkdir(tpath("dir"), 0755), 0);
    expect_open_error("dir", NC_EIO, "is a directory");
}

/* ------------------------------------------ samples for tests/dump/run.sh */

static int write_sample(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
        fprintf(stderr, "test_reflect: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* The cmocka assertions in the helpers work outside a test too (they
 * abort on failure), which is fine for this developer mode. */
static int write_samples(const char *dir)
{
    nc_record_init();
    int bad = 0;
    size_t offs[8];
    struct nc_dbuf s, z, g, many;
    dns_stream(&s, 5, offs);
    bad |= write_sample(dir, "dns.ncap", s.p, s.len);
    zstd_frames(s.p, s.len, 3, &z);
    bad |= write_sample(dir, "dns.ncap.zst", z.p, z.len);
    gzip_members(s.p, s.len, 2, &g);
    bad |= write_sample(dir, "dns.ncap.gz", g.p, g.len);
    bad |= write_sample(dir, "trunc.ncap", s.p, offs[3] + 3); /* inside record 4 */
    bad |= write_sample(dir, "header-only.ncap", s.p, offs[0]);
    nc_dbuf_fini(&z);
    nc_dbuf_fini(&g);
    nc_dbuf_reset(&s);
    put_header(&s, NETCAP__TYPE__NC_DNS, "DNS");
    Netcap__DNS *d = rich_dns(1);
    assert_int_equal(nc_encode_delimited(&s, &d->base), NC_OK);
    uint8_t v[NC_VARINT_MAX];
    size_t k = nc_varint_put(v, 4000000000u);
    assert_int_equal(nc_dbuf_append(&s, v, k), NC_OK);
    bad |= write_sample(dir, "huge.ncap", s.p, s.len);
    nc_dbuf_fini(&s);
    bad |= write_sample(dir, "garbage.ncap", "hello, this is not a record file\n", 33);
    bad |= write_sample(dir, "capture.pcap", pcap_bytes, sizeof(pcap_bytes));
    dns_stream(&many, 200000, NULL);
    zstd_frames(many.p, many.len, 4, &z);
    bad |= write_sample(dir, "many.ncap.zst", z.p, z.len);
    nc_dbuf_fini(&z);
    nc_dbuf_fini(&many);
    pool_free();
    return bad;
}

static void test_field_kind(void **state)
{
    (void)state;
    ProtobufCFieldDescriptor f = { 0 };
    f.type = PROTOBUF_C_TYPE_INT64;
    const char *times[] = { "timestamp", "timestamp_first", "res_timestamp", "created" };
    for (size_t i = 0; i < 4; i++) {
        f.name = times[i];
        assert_int_equal(nc_field_kind(&f), NC_FIELD_TIME);
    }
    const char *durs[] = { "duration", "done_after", "first_byte_after" };
    for (size_t i = 0; i < 3; i++) {
        f.name = durs[i];
        assert_int_equal(nc_field_kind(&f), NC_FIELD_DURATION);
    }
    f.name = "timestamps_seen";
    assert_int_equal(nc_field_kind(&f), NC_FIELD_PLAIN);
    f.name = "timestamp";
    f.type = PROTOBUF_C_TYPE_UINT64; /* e.g. cookie expiry in seconds */
    assert_int_equal(nc_field_kind(&f), NC_FIELD_PLAIN);
}

int main(void)
{
    const char *out = getenv("NC_TEST_OUT");
    if (out && *out) {
        return write_samples(out);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_kind),
        cmocka_unit_test_teardown(test_csv_scalars_and_quoting, teardown),
        cmocka_unit_test_teardown(test_csv_custom_separator_quotes_only_when_needed, teardown),
        cmocka_unit_test_teardown(test_nested_message_cell, teardown),
        cmocka_unit_test_teardown(test_repeated_cells, teardown),
        cmocka_unit_test_teardown(test_json_escapes_and_utf8, teardown),
        cmocka_unit_test_teardown(test_numbers_bools_enums, teardown),
        cmocka_unit_test_teardown(test_every_type_has_consistent_columns, teardown),
        cmocka_unit_test_teardown(test_select_orders_and_validates, teardown),
        cmocka_unit_test_teardown(test_fields_listing, teardown),
        cmocka_unit_test_teardown(test_output_cap_is_reported, teardown),
        cmocka_unit_test_teardown(test_reader_plain_zstd_gzip_multiframe, teardown),
        cmocka_unit_test_teardown(test_reader_large_records, teardown),
        cmocka_unit_test_teardown(test_reader_truncation_names_the_record, teardown),
        cmocka_unit_test_teardown(test_reader_bad_records, teardown),
        cmocka_unit_test_teardown(test_reader_unpack_budget, teardown),
        cmocka_unit_test_teardown(test_reader_rejects_other_files, teardown),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
