/*
 * summary: shared fuzz helpers: input copies, memfds, and the record
 *          oracles (encoding round trip, CSV/JSON/text rules).
 */
#define _GNU_SOURCE /* memfd_create */
#include "common.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/dbuf.h"
#include "core/mem.h"
#include "decode/decoder.h"
#include "proto/parser.h"
#include "record/encode.h"
#include "record/record.h"
#include "record/reflect.h"

enum {
    ENCODE_CAP = 256 * 1024 * 1024, /* one encoded record (a file record is <= 64 MiB) */
    RENDER_CAP = 256 * 1024 * 1024, /* one rendered row; bigger rows are not checked */
    JSON_MAX_DEPTH = 64,            /* the schema nests 4 levels */
    REFL_CACHE = 64,                /* record types + Header */
};

_Noreturn void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz: %s\n", what);
    fflush(stderr);
    abort();
}

const struct nc_decode_opts *fuzz_all_records(void)
{
    static struct nc_decode_opts opts;
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        opts.want[t] = true;
    }
    opts.payload = true;
    opts.entropy = true;
    return &opts;
}

void fuzz_init(void)
{
    static bool done;
    if (done) {
        return;
    }
    char errbuf[NC_ERRBUF_SIZE];
    nc_mem_init();
    nc_record_init();
    if (nc_decode_init(errbuf) != NC_OK) {
        fuzz_fail(errbuf);
    }
    done = true;
}

uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size);
    if (!p && size == 0) {
        p = malloc(1); /* a libc that returns NULL for 0 bytes */
    }
    if (!p) {
        fuzz_fail("out of memory copying the input");
    }
    if (size > 0) {
        memcpy(p, data, size);
    }
    return p;
}

int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t path_len)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0) {
        fuzz_fail("memfd_create failed");
    }
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            fuzz_fail("write to memfd failed");
        }
        off += (size_t)n;
    }
    snprintf(path, path_len, "/proc/self/fd/%d", fd);
    return fd;
}

/* ------------------------------------------------------------ encoding */

void fuzz_check_encode(const ProtobufCMessage *m)
{
    struct nc_dbuf fast, ref;
    nc_dbuf_init(&fast, ENCODE_CAP);
    nc_dbuf_init(&ref, ENCODE_CAP);
    int rc_fast = nc_encode_delimited(&fast, m);
    int rc_ref = nc_encode_delimited_ref(&ref, m);
    if (rc_fast != rc_ref) {
        fuzz_fail("nc_encode_delimited and the reference encoder disagree on the result");
    }
    if (rc_fast != NC_OK) {
        if (rc_fast != NC_ELIMIT) {
            fuzz_fail("nc_encode_delimited failed (not a cap)");
        }
        goto out;
    }
    if (fast.len != ref.len || memcmp(fast.p, ref.p, fast.len) != 0) {
        fuzz_fail("nc_encode_delimited bytes differ from protobuf_c_message_pack");
    }
    uint64_t len = 0;
    size_t used = 0;
    if (nc_varint_get(fast.p, fast.len, &len, &used) != NC_OK || used + len != fast.len) {
        fuzz_fail("encoded record: bad length prefix");
    }
    ProtobufCMessage *back =
            protobuf_c_message_unpack(m->descriptor, NULL, (size_t)len, fast.p + used);
    if (!back) {
        fuzz_fail("encoded record does not unpack with protobuf_c_message_unpack");
    }
    size_t n = protobuf_c_message_get_packed_size(back);
    if (n != len) {
        fuzz_fail("unpacked record packs to a different size");
    }
    uint8_t *again = malloc(n ? n : 1);
    if (!again) {
        fuzz_fail("out of memory");
    }
    if (protobuf_c_message_pack(back, again) != n || memcmp(again, fast.p + used, n) != 0) {
        fuzz_fail("unpacked record packs to different bytes");
    }
    free(again);
    protobuf_c_message_free_unpacked(back, NULL);
out:
    nc_dbuf_fini(&fast);
    nc_dbuf_fini(&ref);
}

/* ------------------------------------------------------ output checkers */

/* RFC 3629: well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF). */
static bool utf8_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            k = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 3;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 4;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return false;
        }
        if (n - i < k || p[i + 1] < lo || p[i + 1] > hi) {
            return false;
        }
        for (size_t j = 2; j < k; j++) {
            if ((p[i + j] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += k;
    }
    return true;
}

/* One CSV line (RFC 4180, separator ','): exactly want cells, ending in a
 * single "\n" at the end of the buffer. */
static bool csv_line_ok(const uint8_t *p, size_t n, size_t want)
{
    size_t i = 0, cells = 0;
    for (;;) {
        cells++;
        if (i < n && p[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) {
                    return false; /* unterminated quote */
                }
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
        } else {
            while (i < n && p[i] != ',' && p[i] != '\n') {
                if (p[i] == '"' || p[i] == '\r') {
                    return false; /* would have needed quoting */
                }
                i++;
            }
        }
        if (i >= n) {
            return false; /* no line end */
        }
        if (p[i] == '\n') {
            return i + 1 == n && cells == want;
        }
        if (p[i] != ',') {
            return false; /* text after a closing quote */
        }
        i++;
    }
}

/* A small RFC 8259 parser: accepts exactly one JSON value. */
struct json {
    const uint8_t *p;
    size_t n, i;
};

static void json_ws(struct json *j)
{
    while (j->i < j->n &&
            (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' || j->p[j->i] == '\r')) {
        j->i++;
    }
}

static bool json_lit(struct json *j, const char *lit)
{
    size_t k = strlen(lit);
    if (j->n - j->i < k || memcmp(j->p + j->i, lit, k) != 0) {
        return false;
    }
    j->i += k;
    return true;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool json_digits(struct json *j)
{
    size_t start = j->i;
    while (j->i < j->n && is_digit(j->p[j->i])) {
        j->i++;
    }
    return j->i > start;
}

static bool json_number(struct json *j)
{
    if (j->i < j->n && j->p[j->i] == '-') {
        j->i++;
    }
    if (j->i < j->n && j->p[j->i] == '0') {
        j->i++;
    } else if (!json_digits(j)) {
        return false;
    }
    if (j->i < j->n && j->p[j->i] == '.') {
        j->i++;
        if (!json_digits(j)) {
            return false;
        }
    }
    if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-')) {
            j->i++;
        }
        if (!json_digits(j)) {
            return false;
        }
    }
    return true;
}

static bool json_string(struct json *j)
{
    if (j->i >= j->n || j->p[j->i] != '"') {
        return false;
    }
    j->i++;
    while (j->i < j->n) {
        uint8_t c = j->p[j->i++];
        if (c == '"') {
            return true;
        }
        if (c < 0x20) {
            return false; /* control characters must be escaped */
        }
        if (c != '\\') {
            continue;
        }
        if (j->i >= j->n) {
            return false;
        }
        c = j->p[j->i++];
        if (c == 'u') {
            for (int k = 0; k < 4; k++) {
                if (j->i >= j->n || !strchr("0123456789abcdefABCDEF", j->p[j->i]) ||
                        j->p[j->i] == 0) {
                    return false;
                }
                j->i++;
            }
        } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
            return false;
        }
    }
    return false;
}

static bool json_value(struct json *j, unsigned depth)
{
    if (depth > JSON_MAX_DEPTH) {
        return false;
    }
    json_ws(j);
    if (j->i >= j->n) {
        return false;
    }
    uint8_t c = j->p[j->i];
    if (c == '{' || c == '[') {
        uint8_t close = c == '{' ? '}' : ']';
        j->i++;
        json_ws(j);
        if (j->i < j->n && j->p[j->i] == close) {
            j->i++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                json_ws(j);
                if (!json_string(j)) {
                    return false;
                }
                json_ws(j);
                if (j->i >= j->n || j->p[j->i] != ':') {
                    return false;
                }
                j->i++;
            }
            if (!json_value(j, depth + 1)) {
                return false;
            }
            json_ws(j);
            if (j->i >= j->n) {
                return false;
            }
            if (j->p[j->i] == close) {
                j->i++;
                return true;
            }
            if (j->p[j->i] != ',') {
                return false;
            }
            j->i++;
        }
    }
    if (c == '"') {
        return json_string(j);
    }
    if (c == 't') {
        return json_lit(j, "true");
    }
    if (c == 'f') {
        return json_lit(j, "false");
    }
    if (c == 'n') {
        return json_lit(j, "null");
    }
    return json_number(j);
}

/* One JSON Lines line: an object, then "\n" at the very end. */
static bool json_line_ok(const uint8_t *p, size_t n)
{
    if (n < 3 || p[0] != '{' || p[n - 1] != '\n') {
        return false;
    }
    struct json j = { p, n - 1, 0 };
    if (!json_value(&j, 0)) {
        return false;
    }
    return j.i == n - 1; /* no whitespace is written between values either */
}

/* ------------------------------------------------------------ rendering */

struct refl_slot {
    const ProtobufCMessageDescriptor *desc;
    struct nc_refl r;
};

static struct refl_slot refls[REFL_CACHE];

/* One struct nc_refl per message type, kept for the process (reachable, so
 * not a leak for LeakSanitizer). */
static struct nc_refl *refl_for(const ProtobufCMessageDescriptor *d)
{
    for (size_t i = 0; i < REFL_CACHE; i++) {
        if (refls[i].desc == d) {
            return &refls[i].r;
        }
        if (refls[i].desc == NULL) {
            if (nc_refl_init(&refls[i].r, d, NULL) != NC_OK) {
                fuzz_fail("nc_refl_init failed");
            }
            refls[i].desc = d;
            return &refls[i].r;
        }
    }
    fuzz_fail("more message types than REFL_CACHE");
}

static void check_rc(int rc, const char *what)
{
    if (rc != NC_OK && rc != NC_ELIMIT) {
        fprintf(stderr, "fuzz: %s: %s\n", what, nc_strerror(rc));
        fuzz_fail("rendering failed");
    }
}

void fuzz_check_render(const ProtobufCMessage *m)
{
    struct nc_refl *r = refl_for(m->descriptor);
    struct nc_dbuf out;
    nc_dbuf_init(&out, RENDER_CAP);

    int rc = nc_refl_csv_header(r, &out);
    check_rc(rc, "csv header");
    if (rc == NC_OK && !csv_line_ok(out.p, out.len, r->n_cols)) {
        fuzz_fail("CSV header is not one line of n_cols cells");
    }
    nc_dbuf_reset(&out);

    rc = nc_refl_csv_row(r, m, &out);
    check_rc(rc, "csv row");
    if (rc == NC_OK) {
        if (!utf8_ok(out.p, out.len)) {
            fuzz_fail("CSV row is not valid UTF-8");
        }
        if (!csv_line_ok(out.p, out.len, r->n_cols)) {
            fuzz_fail("CSV row is not one RFC 4180 line of n_cols cells");
        }
    }
    nc_dbuf_reset(&out);

    rc = nc_refl_json(r, m, &out);
    check_rc(rc, "json");
    if (rc == NC_OK) {
        if (!utf8_ok(out.p, out.len)) {
            fuzz_fail("JSON line is not valid UTF-8");
        }
        if (!json_line_ok(out.p, out.len)) {
            fuzz_fail("JSON line is not one RFC 8259 object and a newline");
        }
    }

    for (size_t c = 0; c < r->n_cols; c++) {
        nc_dbuf_reset(&out);
        rc = nc_refl_text(r, m, c, &out);
        check_rc(rc, "text");
        if (rc != NC_OK) {
            continue;
        }
        if (!utf8_ok(out.p, out.len)) {
            fuzz_fail("display text is not valid UTF-8");
        }
        for (size_t i = 0; i < out.len; i++) {
            if (out.p[i] < 0x20 || out.p[i] == 0x7f) {
                fuzz_fail("display text holds a control character");
            }
        }
    }
    nc_dbuf_fini(&out);
}

void fuzz_stream_chunks(
        struct nc_stream *s, const uint8_t *data, size_t size, uint8_t bytewise, const char *what)
{
    char why[160];
    size_t off = 0;
    int64_t ts = 1700000000000000000LL;
    while (off + 2 <= size) {
        uint8_t h = data[off];
        size_t n = data[off + 1];
        off += 2;
        int dir = h & 1;
        ts += 1000;
        if ((h & 0x0e) == 0x0e) {
            (void)nc_stream_test_gap(s, dir, (uint64_t)(n + 1) * (uint64_t)(h >> 4 | 1), ts);
            continue;
        }
        n = n < size - off ? n : size - off;
        uint8_t *copy = fuzz_dup(data + off, n);
        if (h & bytewise) {
            for (size_t i = 0; i < n; i++) {
                (void)nc_stream_test_feed(s, dir, copy + i, 1, ts);
            }
        } else {
            (void)nc_stream_test_feed(s, dir, copy, n, ts);
        }
        free(copy);
        off += n;
    }
    nc_stream_test_close(s, ts + 1);
    if (nc_stream_test_budget_used(s) != 0) {
        snprintf(why, sizeof(why), "%s parser left budget charged after close", what);
        fuzz_fail(why);
    }
    const char *json = nc_stream_test_json(s);
    size_t len = strlen(json);
    if (len && (json[0] != '{' || json[len - 1] != '\n')) {
        snprintf(why, sizeof(why), "%s records are not JSON Lines", what);
        fuzz_fail(why);
    }
    nc_stream_test_free(s);
}
