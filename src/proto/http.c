/*
 * summary: HTTP/1.0 and HTTP/1.1 over reassembled TCP (both directions) ->
 *          one HTTP record per request/response exchange.
 * spec:    RFC 9112 (message syntax; body length 6.3; chunked 7.1; obs-fold
 *          5.2), RFC 9110 (semantics), RFC 6265 (cookies; dates 5.1.1),
 *          WHATWG MIME Sniffing (loosely, see sniff()).
 *
 * Each direction is a sequence of messages: a head (start line and header
 * fields, up to the empty line) and a body framed by RFC 9112 6.3:
 * Transfer-Encoding chunked (trailers kept), Content-Length, or, for a
 * response without either, everything until the connection closes.
 * Responses to HEAD, 1xx, 204 and 304 have no body. A 101 ends the parsing
 * of the flow (NC_PARSE_DONE: what follows is not HTTP). A 2xx to CONNECT
 * opens a tunnel: the stream stage probes what follows in both directions
 * again (nc_stream_handoff), so TLS through a proxy gives its hellos; the
 * client's bytes after a CONNECT are not parsed as HTTP until its answer
 * came (they stay held for the tunnel's parser). Interim 1xx responses
 * (100 Continue) are skipped.
 *
 * Pairing: a request is queued (at most HTTP_MAX_PENDING per flow; the
 * oldest is written unanswered when the queue overflows) once its head is
 * complete; each final response pairs with the oldest queued request
 * (pipelining), and the exchange is written when the response ends. At
 * close, the response in progress is written, then the queued requests,
 * oldest first. A response that finds the queue empty is written alone.
 * So records come in request order.
 *
 * Memory: heads wait in the stream stage's buffer until complete (at most
 * HTTP_MAX_HEAD bytes); bodies are consumed as they arrive, and only their
 * first bytes are kept (HTTP_SNIFF for sniffing, HTTP_FORM_KEEP for form
 * bodies, HTTP_PAYLOAD_KEEP with -payload). What a queued or running
 * message keeps (a copy of its head, the first body bytes) is charged to
 * the shard's budget; when the budget refuses, the message is written at
 * once with what is known (a request unanswered, a response without its
 * body figures) and parsing goes on.
 *
 * Timestamps: a request's time is that of the packet completing its head
 * (the record's timestamp); a response's is that of its first byte
 * (res_timestamp); done_after is measured to the packet holding its last
 * byte (or the close, for a body read until close).
 *
 * Gaps (missing bytes): inside a body of known length (Content-Length or
 * the data of a chunk) the framing survives: the missing bytes are counted
 * (missed_bytes) and parsing goes on. Anywhere else (a head, chunk framing,
 * between messages), the message in progress is written as it stands and
 * the direction resynchronises: bytes are skipped up to the next line that
 * is a complete request line (client) or status line (server). A response
 * head lost this way is assumed to answer the oldest queued request, which
 * is written unanswered, so that later responses pair correctly. A
 * malformed start line, an oversized head or bad chunk framing resync the
 * same way. Skipping more than HTTP_RESYNC_MAX bytes in a row switches the
 * parser off (NC_PARSE_ERROR).
 */
#include "proto/parser.h"

#define ZLIB_CONST
#include <string.h>
#include <zlib.h>

#include "core/rd.h"

enum {
    HTTP_MAX_HEAD = 32 * 1024,       /* start line + fields: above server defaults (8-16 KiB) */
    HTTP_MAX_BUFFER = 256 * 1024,    /* held per direction: a head plus one delivered chunk */
    HTTP_MAX_START_LINE = 16 * 1024, /* longer "lines" are not start lines (resync, probe) */
    HTTP_MAX_METHOD = 32,            /* longest method token accepted */
    HTTP_MAX_FIELDS = 256,           /* header lines looked at per message */
    HTTP_MAX_REC_FIELDS = 64,        /* name/value pairs (and names) in a record */
    HTTP_MAX_PARAMS = 64,            /* query and form parameters in a record */
    HTTP_MAX_COOKIES = 64,           /* request cookies in a record (and Set-Cookie) */
    HTTP_MAX_PENDING = 16,           /* queued requests per flow (pipelining depth) */
    HTTP_MAX_CHUNK_LINE = 4096,      /* chunk-size line with extensions */
    HTTP_SNIFF = 512,                /* body bytes looked at by the sniffer */
    HTTP_FORM_KEEP = 4096,           /* form body bytes kept for parameters */
    HTTP_PAYLOAD_KEEP = 64 * 1024,   /* body bytes kept for request_body/response_body */
    HTTP_INFLATE_OUT = 4096,         /* decoded bytes for sniffing (no decompression bombs) */
    HTTP_RESYNC_MAX = 1024 * 1024,   /* bytes skipped in a row before giving up */
    HTTP_PROBE_LONG = 128,           /* a known method and this many plausible bytes: HTTP */
    HTTP_SMALL_VALUE = 256,          /* framing field values looked at */
    HTTP_NEED = -3,                  /* internal: wait for more bytes */
};

enum http_enc {
    ENC_NONE = 0,
    ENC_GZIP,
    ENC_DEFLATE,
    ENC_OTHER,
};

/* A message kept between feeds: a queued request or the running response. */
struct http_msg {
    uint8_t *head; /* start line and fields, through the last field's "\n" */
    size_t head_len;
    uint8_t *trl; /* chunked trailer fields, same layout without start line */
    size_t trl_len;
    uint8_t *keep; /* first body bytes (after de-chunking) */
    size_t keep_len, keep_cap, keep_max;
    int64_t ts;         /* request: head complete; response: first byte */
    int64_t end_ts;     /* response: last byte */
    uint64_t missed_at; /* bytes missing (both directions) when it started */
    uint64_t body_len;  /* body bytes seen */
    int64_t declared;   /* Content-Length, -1 absent or invalid */
    uint8_t enc;        /* enum http_enc of Content-Encoding */
    bool is_head, is_connect;
    bool borrowed; /* on the stack, head in the record arena: nothing to free */
};

enum http_st {
    ST_START = 0,  /* a head (after optional empty lines) */
    ST_BODY,       /* remain bytes of Content-Length body */
    ST_CHUNK_SIZE, /* chunk-size line */
    ST_CHUNK_DATA, /* remain bytes of chunk data */
    ST_CHUNK_END,  /* CRLF after chunk data */
    ST_TRAILER,    /* trailer fields and the empty line */
    ST_CLOSE,      /* response body until the connection closes */
    ST_RESYNC,     /* skipping to the next start line */
};

struct http_dir {
    enum http_st st;
    uint64_t remain;
    struct http_msg *cur; /* message whose body is read; NULL: not kept */
    bool started;         /* first byte of the next head seen */
    bool line_start;      /* ST_RESYNC: at the start of a line */
    int64_t first_ts;
    uint64_t missed_at;
    uint64_t skipped; /* bytes skipped since the last good head */
    size_t scan;      /* held bytes already searched for the end of a head or line */
    bool line_ok;     /* the held head's start line was checked */
};

struct http_state {
    struct http_dir d[2];
    struct http_msg *pend[HTTP_MAX_PENDING]; /* ring of queued requests */
    size_t pend_head, n_pend;
    struct http_msg *res_req; /* request paired with the running response */
    bool connect_wait;        /* a CONNECT is queued: client bytes wait for its answer */
    bool tunnel;              /* a 2xx answered CONNECT: the rest is another protocol */
};

struct http_framing {
    int64_t clen; /* -1 absent */
    bool clen_bad;
    bool te, chunked;
    uint8_t enc;
    bool form;
};

struct req_line {
    struct nc_span method, target, version;
};

struct status_line {
    struct nc_span version, code, reason;
};

struct http_field {
    struct nc_span name, value;
};

/* ------------------------------------------------------------- helpers */

static char empty_str[1] = ""; /* a record string when the arena is full */

static bool is_tchar(uint8_t c)
{
    /* RFC 9110 5.6.2 token characters */
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Always inline: with a literal, strlen() folds to a constant and most
 * mismatches end at the length test (header names are compared a lot). */
__attribute__((always_inline)) static inline bool span_ieq(struct nc_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower(s.p[i]) != lower((uint8_t)lit[i])) {
            return false;
        }
    }
    return true;
}

static bool span_iprefix(struct nc_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len < n) {
        return false;
    }
    struct nc_span h = { s.p, n };
    return span_ieq(h, lit);
}

static struct nc_span span_trim(struct nc_span s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r' ||
                            s.p[s.len - 1] == '\n')) {
        s.len--;
    }
    return s;
}

/* Split s at the first c: *head is what precedes it, s what follows (empty
 * if c is absent; *found tells). */
static struct nc_span span_split(struct nc_span *s, uint8_t c, bool *found)
{
    struct nc_span head = *s;
    const uint8_t *q = s->len ? memchr(s->p, c, s->len) : NULL;
    if (!q) {
        s->p += s->len;
        s->len = 0;
        if (found) {
            *found = false;
        }
        return head;
    }
    head.len = (size_t)(q - s->p);
    s->len -= head.len + 1;
    s->p = q + 1;
    if (found) {
        *found = true;
    }
    return head;
}

/* Copy a field value into out (capacity cap, NUL-terminated), replacing
 * each obs-fold (CR/LF and the white space around it) with one space;
 * returns the length (truncated to cap - 1). */
static size_t unfold(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            while (i + 1 < n &&
                    (p[i + 1] == '\r' || p[i + 1] == '\n' || p[i + 1] == ' ' || p[i + 1] == '\t')) {
                i++;
            }
            out[o++] = ' ';
        } else {
            out[o++] = (char)p[i];
        }
    }
    if (cap) {
        out[o] = '\0';
    }
    return o;
}

/* Field value as a record string (unfolded, UTF-8 sanitised, arena). */
static char *value_str(struct nc_stream *s, struct nc_span v)
{
    if (!memchr(v.p, '\n', v.len) && !memchr(v.p, '\r', v.len)) {
        return nc_stream_str(s, v.p, v.len);
    }
    char *tmp = nc_stream_alloc(s, v.len + 1);
    if (!tmp) {
        return empty_str;
    }
    size_t n = unfold(v.p, v.len, tmp, v.len + 1);
    return nc_stream_str(s, (const uint8_t *)tmp, n);
}

static uint64_t missed_total(const struct nc_stream *s)
{
    return nc_stream_missed(s, 0) + nc_stream_missed(s, 1);
}

/* ---------------------------------------------------------- start lines */

static const char *const known_methods[] = { "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
    "TRACE", "CONNECT", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
    "SEARCH", "REPORT", "MKCALENDAR", "MKACTIVITY", "CHECKOUT", "MERGE", "SUBSCRIBE", "UNSUBSCRIBE",
    "NOTIFY", "PURGE", "LINK", "UNLINK", "SOURCE", "ACL", "BIND", "REBIND", "UNBIND",
    "VERSION-CONTROL", "BASELINE-CONTROL", "LABEL", "UPDATE", "ORDERPATCH" };

/* 0: p[0..n) is a known method; 1: a strict prefix of one; -1 neither. */
static int known_method(const uint8_t *p, size_t n)
{
    int r = -1;
    for (size_t i = 0; i < NC_ARRAY_LEN(known_methods); i++) {
        size_t l = strlen(known_methods[i]);
        if (n <= l && memcmp(p, known_methods[i], n) == 0) {
            if (n == l) {
                return 0;
            }
            r = 1;
        }
    }
    return r;
}

/* "HTTP/1." DIGIT at p[0..n): YES, MORE (a prefix of it), NO. */
static enum nc_probe check_version(const uint8_t *p, size_t n)
{
    static const char v[] = "HTTP/1.";
    size_t m = NC_MIN(n, sizeof(v) - 1);
    if (memcmp(p, v, m) != 0) {
        return NC_PROBE_NO;
    }
    if (n < sizeof(v)) {
        return NC_PROBE_MORE;
    }
    return is_digit(p[sizeof(v) - 1]) ? NC_PROBE_YES : NC_PROBE_NO;
}

/*
 * request-line = method SP request-target SP HTTP-version CRLF  (RFC 9112 3)
 * Tolerated: runs of spaces, a bare LF. Looks at p[0..n) up to the first
 * "\n": YES (and the parts in *rl), NO, or MORE when n ends before the line
 * does. known: the method must be one of known_methods (content probes).
 */
static enum nc_probe check_request_line(const uint8_t *p, size_t n, bool known, struct req_line *rl)
{
    size_t i = 0;
    while (i < n && is_tchar(p[i])) {
        i++;
    }
    if (i > HTTP_MAX_METHOD || (i == 0 && n > 0)) {
        return NC_PROBE_NO;
    }
    if (known && known_method(p, i) < 0) {
        return NC_PROBE_NO;
    }
    if (i == n) {
        return NC_PROBE_MORE;
    }
    if (p[i] != ' ' || (known && known_method(p, i) != 0)) {
        return NC_PROBE_NO;
    }
    struct nc_span method = { p, i };
    while (i < n && p[i] == ' ') {
        i++;
    }
    size_t t0 = i;
    /* the target: visible bytes (UTF-8 and other 8-bit bytes tolerated) */
    while (i < n && p[i] > 0x20 && p[i] != 0x7f) {
        i++;
    }
    if (i - t0 > HTTP_MAX_START_LINE) {
        return NC_PROBE_NO;
    }
    if (i == n) {
        return NC_PROBE_MORE;
    }
    if (i == t0 || p[i] != ' ') {
        return NC_PROBE_NO;
    }
    struct nc_span target = { p + t0, i - t0 };
    while (i < n && p[i] == ' ') {
        i++;
    }
    enum nc_probe v = check_version(p + i, n - i);
    if (v != NC_PROBE_YES) {
        return v;
    }
    struct nc_span version = { p + i, 8 };
    i += 8;
    while (i < n && (p[i] == ' ' || p[i] == '\r')) {
        i++;
    }
    if (i == n) {
        return NC_PROBE_MORE;
    }
    if (p[i] != '\n') {
        return NC_PROBE_NO;
    }
    if (rl) {
        rl->method = method;
        rl->target = target;
        rl->version = version;
    }
    return NC_PROBE_YES;
}

/*
 * status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 * (RFC 9112 4). Tolerated: a missing SP before an empty reason, bare LF.
 */
static enum nc_probe check_status_line(const uint8_t *p, size_t n, struct status_line *sl)
{
    enum nc_probe v = check_version(p, n);
    if (v != NC_PROBE_YES) {
        return v;
    }
    size_t i = 8;
    for (size_t k = 0; k < 4; k++, i++) {
        if (i == n) {
            return NC_PROBE_MORE;
        }
        if (k == 0 ? p[i] != ' ' : !is_digit(p[i])) {
            return NC_PROBE_NO;
        }
    }
    size_t r0 = i;
    const uint8_t *nl =
            i < n ? memchr(p + i, '\n', NC_MIN(n - i, (size_t)HTTP_MAX_START_LINE)) : NULL;
    if (!nl) {
        return n - i >= HTTP_MAX_START_LINE ? NC_PROBE_NO : NC_PROBE_MORE;
    }
    if (r0 < n && p[r0] != ' ' && p[r0] != '\r' && p[r0] != '\n') {
        return NC_PROBE_NO; /* "HTTP/1.1 2000" */
    }
    if (sl) {
        sl->version.p = p;
        sl->version.len = 8;
        sl->code.p = p + 9;
        sl->code.len = 3;
        struct nc_span reason = { p + r0, (size_t)(nl - (p + r0)) };
        sl->reason = span_trim(reason);
    }
    return NC_PROBE_YES;
}

static enum nc_probe http_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    NC_UNUSED(by_port);
    if (dir == 0) {
        enum nc_probe v = check_request_line(p, n, true, NULL);
        /* a known method and a long plausible target: the line may not fit */
        if (v == NC_PROBE_MORE && n >= HTTP_PROBE_LONG) {
            return NC_PROBE_YES;
        }
        return v;
    }
    return check_status_line(p, n, NULL);
}

/* ------------------------------------------------------------ the head */

/* Length of the head at p[0..n) through its last field line's "\n", with
 * *end set past the empty line that ends it; 0 if not complete. The search
 * starts at from (what earlier calls searched, less 2 bytes of overlap). */
static size_t head_end(const uint8_t *p, size_t n, size_t from, size_t *end)
{
    size_t i = from;
    while (i < n) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        if (!nl) {
            return 0;
        }
        i = (size_t)(nl - p) + 1;
        if (i < n && p[i] == '\n') {
            *end = i + 1;
            return i;
        }
        if (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n') {
            *end = i + 2;
            return i;
        }
    }
    return 0;
}

/* Next header field from r (positioned after the start line): folded
 * continuation lines (obs-fold, RFC 9112 5.2) extend the value, which is
 * then a span over the raw lines (unfold() it for text). Lines without a
 * colon are skipped. false at the end. */
static bool next_field(struct nc_rd *r, struct http_field *f)
{
    while (nc_rd_left(r) > 0) {
        struct nc_span line;
        if (nc_rd_line(r, &line, nc_rd_left(r) + 1) != NC_OK) {
            line = nc_rd_rest(r);
        }
        const uint8_t *colon = line.len ? memchr(line.p, ':', line.len) : NULL;
        if (!colon || line.p[0] == ' ' || line.p[0] == '\t') {
            continue; /* not a field (or a fold without a field before it) */
        }
        struct nc_span name = { line.p, (size_t)(colon - line.p) };
        struct nc_span value = { colon + 1, line.len - name.len - 1 };
        uint8_t c = nc_rd_peek(r, 0);
        while (nc_rd_left(r) > 0 && (c == ' ' || c == '\t')) {
            struct nc_span more;
            if (nc_rd_line(r, &more, nc_rd_left(r) + 1) != NC_OK) {
                more = nc_rd_rest(r);
            }
            value.len = (size_t)(more.p + more.len - value.p);
            c = nc_rd_peek(r, 0);
        }
        f->name = span_trim(name);
        f->value = span_trim(value);
        if (f->name.len) {
            return true;
        }
    }
    return false;
}

/* A reader over the fields of a head (after its start line). */
static struct nc_rd fields_of(const uint8_t *head, size_t len)
{
    struct nc_rd r = nc_rd_make(head, len);
    struct nc_span line;
    if (nc_rd_line(&r, &line, len + 1) != NC_OK) {
        (void)nc_rd_rest(&r);
    }
    return r;
}

/* "12", "12, 12": the length, or -1 if not a valid Content-Length. */
static int64_t parse_clen(struct nc_span v)
{
    int64_t val = -1;
    while (v.len) {
        struct nc_span item = span_trim(span_split(&v, ',', NULL));
        if (item.len == 0 || item.len > 18) {
            return -1; /* 18 digits: no int64 overflow */
        }
        int64_t x = 0;
        for (size_t i = 0; i < item.len; i++) {
            if (!is_digit(item.p[i])) {
                return -1;
            }
            x = x * 10 + (item.p[i] - '0');
        }
        if (val >= 0 && x != val) {
            return -1;
        }
        val = x;
    }
    return val;
}

static uint8_t parse_enc(struct nc_span v)
{
    v = span_trim(v);
    if (v.len == 0 || span_ieq(v, "identity")) {
        return ENC_NONE;
    }
    if (span_ieq(v, "gzip") || span_ieq(v, "x-gzip")) {
        return ENC_GZIP;
    }
    if (span_ieq(v, "deflate")) {
        return ENC_DEFLATE;
    }
    return ENC_OTHER;
}

/* The fields that decide the body's framing (RFC 9112 6.3). */
static void parse_framing(const uint8_t *head, size_t len, struct http_framing *fr)
{
    memset(fr, 0, sizeof(*fr));
    fr->clen = -1;
    struct nc_rd r = fields_of(head, len);
    struct http_field f;
    char buf[HTTP_SMALL_VALUE];
    for (size_t k = 0; k < HTTP_MAX_FIELDS && next_field(&r, &f); k++) {
        bool cl = span_ieq(f.name, "content-length"), te = span_ieq(f.name, "transfer-encoding");
        bool ce = span_ieq(f.name, "content-encoding"), ct = span_ieq(f.name, "content-type");
        if (!cl && !te && !ce && !ct) {
            continue; /* not a framing field: its value is not needed */
        }
        struct nc_span v = { (const uint8_t *)buf, 0 };
        v.len = unfold(f.value.p, f.value.len, buf, sizeof(buf));
        if (cl) {
            int64_t x = parse_clen(v);
            if (x < 0 || (fr->clen >= 0 && fr->clen != x)) {
                fr->clen_bad = true;
            } else {
                fr->clen = x;
            }
        } else if (te) {
            /* chunked must be the final coding (RFC 9112 6.1) */
            struct nc_span last = v;
            bool found = true;
            while (found) {
                struct nc_span item = span_split(&v, ',', &found);
                if (span_trim(item).len) {
                    last = span_trim(item);
                }
            }
            fr->te = true;
            fr->chunked = span_ieq(last, "chunked");
        } else if (ce) {
            fr->enc = parse_enc(v);
        } else if (ct) {
            fr->form = span_iprefix(span_trim(v), "application/x-www-form-urlencoded");
        }
    }
    if (fr->clen_bad) {
        fr->clen = -1;
    }
}

/* ------------------------------------------------------- message memory */

static struct http_msg *msg_new(struct nc_stream *s, const uint8_t *head, size_t len)
{
    struct http_msg *m = nc_stream_malloc(s, sizeof(*m));
    if (!m) {
        return NULL;
    }
    m->head = nc_stream_malloc(s, len);
    if (!m->head) {
        nc_stream_free(s, m, sizeof(*m));
        return NULL;
    }
    memcpy(m->head, head, len);
    m->head_len = len;
    m->declared = -1;
    return m;
}

static void msg_free(struct nc_stream *s, struct http_state *st, struct http_msg *m)
{
    if (!m) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        if (st->d[i].cur == m) {
            st->d[i].cur = NULL;
        }
    }
    if (st->res_req == m) {
        st->res_req = NULL;
    }
    if (m->borrowed) {
        return;
    }
    nc_stream_free(s, m->head, m->head_len);
    nc_stream_free(s, m->trl, m->trl_len);
    nc_stream_free(s, m->keep, m->keep_cap);
    nc_stream_free(s, m, sizeof(*m));
}

/* Body bytes of m: counted, the first keep_max of them kept. */
static void body_data(struct nc_stream *s, struct http_msg *m, const uint8_t *p, size_t n)
{
    if (!m) {
        return;
    }
    m->body_len += n;
    if (m->keep_len >= m->keep_max || n == 0) {
        return;
    }
    size_t take = NC_MIN(n, m->keep_max - m->keep_len);
    if (m->keep_len + take > m->keep_cap) {
        size_t cap = m->keep_cap ? m->keep_cap : HTTP_SNIFF;
        while (cap < m->keep_len + take) {
            cap *= 2;
        }
        cap = NC_MIN(cap, m->keep_max);
        uint8_t *q = nc_stream_malloc(s, cap);
        if (!q) {
            m->keep_max = m->keep_len; /* refused: keep what we have */
            return;
        }
        if (m->keep_len) {
            memcpy(q, m->keep, m->keep_len);
        }
        nc_stream_free(s, m->keep, m->keep_cap);
        m->keep = q;
        m->keep_cap = cap;
    }
    memcpy(m->keep + m->keep_len, p, take);
    m->keep_len += take;
}

/* ------------------------------------------------------------- sniffing */

static bool bytes_ieq(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    struct nc_span s = { p, NC_MIN(n, l) };
    return n >= l && span_ieq(s, lit);
}

/*
 * Content type from the first bytes of a body (at most HTTP_SNIFF):
 *   magic numbers: application/pdf, image/png, image/jpeg, image/gif,
 *   application/zip, application/gzip;
 *   then, after white space and a UTF-8 BOM: text/html (a tag or comment
 *   among <!doctype html, <html, <head, <body, <script, <!--, <title, <div,
 *   <meta, <link, <p>, <br, <table, <a , <iframe, <style), text/xml
 *   (<?xml), application/json (starts with { or [ followed by ", {, [, },
 *   ], a digit, - or a literal), text/css (@charset, @import, @media,
 *   @font-face, or a selector then "{" then "prop:"),
 *   application/javascript (a keyword such as function/var/let/const/
 *   "use strict"/(function/!function, or a JSONP call "name(");
 *   text/plain if no control bytes (other than TAB, LF, FF, CR, ESC)
 *   appear; else application/octet-stream. "" for an empty body.
 */
static const char *sniff(const uint8_t *p, size_t n)
{
    n = NC_MIN(n, (size_t)HTTP_SNIFF);
    if (n == 0) {
        return "";
    }
    static const struct {
        const char *magic;
        size_t len;
        const char *type;
    } magics[] = {
        { "%PDF-", 5, "application/pdf" },
        { "\x89PNG\r\n\x1a\n", 8, "image/png" },
        { "\xff\xd8\xff", 3, "image/jpeg" },
        { "GIF87a", 6, "image/gif" },
        { "GIF89a", 6, "image/gif" },
        { "PK\x03\x04", 4, "application/zip" },
        { "\x1f\x8b", 2, "application/gzip" },
    };
    for (size_t i = 0; i < NC_ARRAY_LEN(magics); i++) {
        if (n >= magics[i].len && memcmp(p, magics[i].magic, magics[i].len) == 0) {
            return magics[i].type;
        }
    }
    bool text = true;
    for (size_t i = 0; i < n; i++) {
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\f' && p[i] != '\r' &&
                    p[i] != 0x1b) ||
                p[i] == 0x7f) {
            text = false;
            break;
        }
    }
    if (!text) {
        return "application/octet-stream";
    }
    size_t i = 0;
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        i = 3;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' || p[i] == '\f')) {
        i++;
    }
    const uint8_t *q = p + i;
    size_t m = n - i;
    if (m == 0) {
        return "text/plain";
    }
    static const char *const html[] = { "<!doctype html", "<html", "<head", "<body", "<script",
        "<!--", "<title", "<div", "<meta", "<link", "<p>", "<br", "<table", "<a ", "<iframe",
        "<style", "<h1" };
    for (size_t k = 0; k < NC_ARRAY_LEN(html); k++) {
        if (bytes_ieq(q, m, html[k])) {
            return "text/html";
        }
    }
    if (bytes_ieq(q, m, "<?xml")) {
        return "text/xml";
    }
    if (q[0] == '{' || q[0] == '[') {
        size_t j = 1;
        while (j < m && (q[j] == ' ' || q[j] == '\t' || q[j] == '\r' || q[j] == '\n')) {
            j++;
        }
        if (j == m || strchr("\"{[]}-0123456789tfn", q[j])) {
            return "application/json";
        }
    }
    static const char *const css[] = { "@charset", "@import", "@media", "@font-face" };
    for (size_t k = 0; k < NC_ARRAY_LEN(css); k++) {
        if (bytes_ieq(q, m, css[k])) {
            return "text/css";
        }
    }
    static const char *const js[] = { "function", "var ", "let ", "const ", "\"use strict\"",
        "'use strict'", "(function", "!function", "window.", "document.", "if(", "if (" };
    for (size_t k = 0; k < NC_ARRAY_LEN(js); k++) {
        if (bytes_ieq(q, m, js[k])) {
            return "application/javascript";
        }
    }
    /* JSONP "name.name(" and CSS "selector {prop:" */
    size_t j = 0;
    while (j < m && (is_tchar(q[j]) || q[j] == '$') && q[j] != '.' && q[j] != '#') {
        j++;
    }
    while (j < m && (is_tchar(q[j]) || q[j] == '$' || q[j] == '.')) {
        j++;
    }
    if (j > 0 && j < m && q[j] == '(' && (q[0] < '0' || q[0] > '9')) {
        return "application/javascript";
    }
    if (q[0] == '.' || q[0] == '#' || q[0] == '*' || (lower(q[0]) >= 'a' && lower(q[0]) <= 'z')) {
        const uint8_t *brace = memchr(q, '{', m);
        if (brace && !memchr(q, ';', (size_t)(brace - q)) && !memchr(q, '<', (size_t)(brace - q)) &&
                !memchr(q, '(', (size_t)(brace - q))) {
            size_t rest = m - (size_t)(brace - q);
            const uint8_t *colon = memchr(brace, ':', rest);
            const uint8_t *close = memchr(brace, '}', rest);
            if (colon && (!close || colon < close)) {
                return "text/css";
            }
        }
    }
    return "text/plain";
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    /* arena memory, released with the record */
    return nc_stream_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    NC_UNUSED(opaque);
    NC_UNUSED(p);
}

/* Decode at most HTTP_INFLATE_OUT bytes of a gzip/zlib (or raw deflate)
 * body into out; returns the length decoded (0 if nothing could be). */
static size_t inflate_some(struct nc_stream *s, const uint8_t *p, size_t n, uint8_t *out, bool raw)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    z.zalloc = z_alloc;
    z.zfree = z_free;
    z.opaque = s;
    if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK) {
        return 0;
    }
    z.next_in = p;
    z.avail_in = (uInt)NC_MIN(n, (size_t)HTTP_PAYLOAD_KEEP);
    z.next_out = out;
    z.avail_out = HTTP_INFLATE_OUT;
    (void)inflate(&z, Z_SYNC_FLUSH); /* partial input: Z_BUF_ERROR/Z_OK expected */
    size_t got = HTTP_INFLATE_OUT - z.avail_out;
    (void)inflateEnd(&z);
    return got;
}

static const char *detect_type(struct nc_stream *s, const struct http_msg *m)
{
    if (m->body_len == 0 || m->keep_len == 0) {
        return "";
    }
    if (m->enc == ENC_GZIP || m->enc == ENC_DEFLATE) {
        uint8_t *out = nc_stream_alloc(s, HTTP_INFLATE_OUT);
        if (out) {
            size_t got = inflate_some(s, m->keep, m->keep_len, out, false);
            if (got == 0 && m->enc == ENC_DEFLATE) {
                got = inflate_some(s, m->keep, m->keep_len, out, true);
            }
            if (got) {
                return sniff(out, got);
            }
        }
    }
    return sniff(m->keep, m->keep_len);
}

/* The sniffed type as a record string. */
static char *detect(struct nc_stream *s, const struct http_msg *m)
{
    const char *t = detect_type(s, m);
    return nc_stream_str(s, (const uint8_t *)t, strlen(t));
}

/* ---------------------------------------------------------- record text */

static int hexval(uint8_t c)
{
    if (is_digit(c)) {
        return c - '0';
    }
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decoded ('+' is a space) record string. */
static char *pct_str(struct nc_stream *s, struct nc_span v)
{
    uint8_t *o = nc_stream_alloc(s, v.len + 1);
    if (!o) {
        return empty_str;
    }
    size_t k = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '%' && v.len - i >= 3) {
            int h = hexval(v.p[i + 1]);
            int l = hexval(v.p[i + 2]);
            if (h >= 0 && l >= 0) {
                o[k++] = (uint8_t)(h << 4 | l);
                i += 2;
                continue;
            }
        }
        o[k++] = v.p[i] == '+' ? ' ' : v.p[i];
    }
    return nc_stream_str(s, o, k);
}

static Netcap__HTTPHeader *new_pair(struct nc_stream *s)
{
    Netcap__HTTPHeader *h = nc_stream_alloc(s, sizeof(*h));
    if (h) {
        netcap__httpheader__init(h);
    }
    return h;
}

static Netcap__HTTPCookie *new_cookie(struct nc_stream *s)
{
    Netcap__HTTPCookie *c = nc_stream_alloc(s, sizeof(*c));
    if (c) {
        netcap__httpcookie__init(c);
    }
    return c;
}

/* Append a header name to a repeated string field (an array of
 * HTTP_MAX_REC_FIELDS, allocated on first use); past it, names are cut. */
static void add_name(struct nc_stream *s, char ***arr, size_t *n, char *name)
{
    if (*n >= HTTP_MAX_REC_FIELDS) {
        return;
    }
    if (!*arr) {
        *arr = nc_stream_alloc(s, HTTP_MAX_REC_FIELDS * sizeof(char *));
    }
    if (*arr) {
        (*arr)[(*n)++] = name;
    }
}

/* Append a pair to a repeated HTTPHeader field (array of cap entries,
 * allocated on first use). */
static bool add_pair(struct nc_stream *s, Netcap__HTTPHeader ***arr, size_t *n, size_t cap,
        char *name, char *value)
{
    if (*n >= cap) {
        return false;
    }
    if (!*arr) {
        *arr = nc_stream_alloc(s, cap * sizeof(**arr));
        if (!*arr) {
            return false;
        }
    }
    Netcap__HTTPHeader *h = new_pair(s);
    if (!h) {
        return false;
    }
    h->name = name;
    h->value = value;
    (*arr)[(*n)++] = h;
    return true;
}

/* a=1&b=2 (query or form body), percent-decoded */
static void add_params(struct nc_stream *s, Netcap__HTTP *r, struct nc_span q)
{
    bool more = true;
    while (more && q.len) {
        struct nc_span item = span_split(&q, '&', &more);
        if (item.len == 0) {
            continue;
        }
        struct nc_span name = span_split(&item, '=', NULL);
        if (!add_pair(s, &r->parameters, &r->n_parameters, HTTP_MAX_PARAMS, pct_str(s, name),
                    pct_str(s, item))) {
            return;
        }
    }
}

static bool add_cookie(
        struct nc_stream *s, Netcap__HTTPCookie ***arr, size_t *n, Netcap__HTTPCookie *c)
{
    if (!c || *n >= HTTP_MAX_COOKIES) {
        return false;
    }
    if (!*arr) {
        *arr = nc_stream_alloc(s, HTTP_MAX_COOKIES * sizeof(**arr));
        if (!*arr) {
            return false;
        }
    }
    (*arr)[(*n)++] = c;
    return true;
}

/* Cookie: a=1; b=2 (RFC 6265 4.2) */
static void add_req_cookies(struct nc_stream *s, Netcap__HTTP *r, struct nc_span v)
{
    bool more = true;
    while (more && v.len) {
        struct nc_span item = span_trim(span_split(&v, ';', &more));
        if (item.len == 0) {
            continue;
        }
        struct nc_span name = span_trim(span_split(&item, '=', NULL));
        Netcap__HTTPCookie *c = new_cookie(s);
        if (!c) {
            return;
        }
        c->name = nc_stream_str(s, name.p, name.len);
        item = span_trim(item);
        c->value = nc_stream_str(s, item.p, item.len);
        if (!add_cookie(s, &r->req_cookies, &r->n_req_cookies, c)) {
            return;
        }
    }
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads up to max digits at p[*i]; -1 if none. */
static int64_t read_num(struct nc_span v, size_t *i, size_t max)
{
    int64_t x = 0;
    size_t k = 0;
    while (*i < v.len && k < max && is_digit(v.p[*i])) {
        x = x * 10 + (v.p[*i] - '0');
        (*i)++;
        k++;
    }
    return k ? x : -1;
}

/*
 * Cookie expiry to Unix seconds: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT"
 * (RFC 9110 5.6.7), also with '-' between the date's parts (the Netscape
 * form "Sun, 06-Nov-94 ..."; two-digit years as RFC 6265 5.1.1). 0 if it
 * does not parse or lies before 1970.
 */
static uint64_t parse_date(struct nc_span v)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    size_t i = 0;
    const uint8_t *comma = memchr(v.p, ',', v.len);
    if (comma) {
        i = (size_t)(comma - v.p) + 1;
    }
    while (i < v.len && v.p[i] == ' ') {
        i++;
    }
    int64_t day = read_num(v, &i, 2);
    if (day < 1 || day > 31 || i >= v.len || (v.p[i] != ' ' && v.p[i] != '-')) {
        return 0;
    }
    i++;
    if (i + 3 > v.len) {
        return 0;
    }
    int64_t mon = 0;
    for (int k = 0; k < 12; k++) {
        if (lower(v.p[i]) == months[3 * k] && lower(v.p[i + 1]) == months[3 * k + 1] &&
                lower(v.p[i + 2]) == months[3 * k + 2]) {
            mon = k + 1;
        }
    }
    i += 3;
    if (mon == 0 || i >= v.len || (v.p[i] != ' ' && v.p[i] != '-')) {
        return 0;
    }
    i++;
    size_t y0 = i;
    int64_t year = read_num(v, &i, 4);
    if (year < 0) {
        return 0;
    }
    if (i - y0 <= 2) {
        year += year < 70 ? 2000 : 1900;
    }
    if (i >= v.len || v.p[i] != ' ') {
        return 0;
    }
    i++;
    int64_t hh = read_num(v, &i, 2);
    int64_t mm = i < v.len && v.p[i] == ':' ? (i++, read_num(v, &i, 2)) : -1;
    int64_t ss = i < v.len && v.p[i] == ':' ? (i++, read_num(v, &i, 2)) : -1;
    if (year < 1970 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) {
        return 0;
    }
    int64_t t = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
    return t > 0 ? (uint64_t)t : 0;
}

/* Set-Cookie: name=value; Path=/; Domain=x; Expires=...; Max-Age=n;
 * Secure; HttpOnly; SameSite=Lax (RFC 6265 4.1, 5.2) */
static void add_res_cookie(struct nc_stream *s, Netcap__HTTP *r, struct nc_span v)
{
    Netcap__HTTPCookie *c = new_cookie(s);
    if (!c) {
        return;
    }
    bool more = true;
    struct nc_span pair = span_trim(span_split(&v, ';', &more));
    struct nc_span name = span_trim(span_split(&pair, '=', NULL));
    pair = span_trim(pair);
    c->name = nc_stream_str(s, name.p, name.len);
    c->value = nc_stream_str(s, pair.p, pair.len);
    while (more && v.len) {
        struct nc_span av = span_trim(span_split(&v, ';', &more));
        struct nc_span an = span_trim(span_split(&av, '=', NULL));
        av = span_trim(av);
        if (span_ieq(an, "path")) {
            c->path = nc_stream_str(s, av.p, av.len);
        } else if (span_ieq(an, "domain")) {
            c->domain = nc_stream_str(s, av.p, av.len);
        } else if (span_ieq(an, "expires")) {
            c->expires = parse_date(av);
        } else if (span_ieq(an, "max-age")) {
            size_t i = av.len && av.p[0] == '-' ? 1 : 0;
            int64_t x = read_num(av, &i, 18);
            if (x >= 0 && i == av.len) {
                x = NC_MIN(x, (int64_t)INT32_MAX);
                c->max_age = (int32_t)(av.p[0] == '-' ? -x : x);
            }
        } else if (span_ieq(an, "secure")) {
            c->secure = true;
        } else if (span_ieq(an, "httponly")) {
            c->http_only = true;
        } else if (span_ieq(an, "samesite")) {
            c->same_site = span_ieq(av, "lax")      ? 1
                           : span_ieq(av, "strict") ? 2
                           : span_ieq(av, "none")   ? 3
                                                    : 0;
        }
    }
    (void)add_cookie(s, &r->res_cookies, &r->n_res_cookies, c);
}

/* ------------------------------------------------------------- records */

static void fill_request(struct nc_stream *s, Netcap__HTTP *r, const struct http_msg *m)
{
    struct req_line rl;
    if (check_request_line(m->head, m->head_len, false, &rl) != NC_PROBE_YES) {
        return; /* cannot happen: the head was checked when it came */
    }
    r->method = nc_stream_str(s, rl.method.p, rl.method.len);
    r->url = nc_stream_str(s, rl.target.p, rl.target.len);
    r->proto = nc_stream_str(s, rl.version.p, rl.version.len);
    struct nc_span query = rl.target;
    struct nc_span nofrag = span_split(&query, '#', NULL);
    query = nofrag;
    bool has_query = false;
    struct nc_span path = span_split(&query, '?', &has_query);
    r->uri_path = nc_stream_str(s, path.p, path.len);
    if (has_query) {
        add_params(s, r, query);
    }
    r->req_declared_length = m->declared;
    r->req_content_length = (int64_t)m->body_len;
    bool form = false;
    struct nc_rd rd = fields_of(m->head, m->head_len);
    struct http_field f;
    for (size_t k = 0; k < HTTP_MAX_FIELDS && next_field(&rd, &f); k++) {
        char *name = nc_stream_str(s, f.name.p, f.name.len);
        char *value = value_str(s, f.value);
        (void)add_pair(
                s, &r->request_header, &r->n_request_header, HTTP_MAX_REC_FIELDS, name, value);
        add_name(s, &r->request_header_names, &r->n_request_header_names, name);
        if (span_ieq(f.name, "host") && !*r->host) {
            r->host = value;
        } else if (span_ieq(f.name, "user-agent") && !*r->user_agent) {
            r->user_agent = value;
        } else if (span_ieq(f.name, "referer") && !*r->referer) {
            r->referer = value;
        } else if (span_ieq(f.name, "content-type") && !*r->content_type) {
            r->content_type = value;
            form = span_iprefix(f.value, "application/x-www-form-urlencoded");
        } else if (span_ieq(f.name, "content-encoding") && !*r->req_content_encoding) {
            r->req_content_encoding = value;
        } else if (span_ieq(f.name, "transfer-encoding") && !*r->req_transfer_encoding) {
            r->req_transfer_encoding = value;
        } else if (span_ieq(f.name, "cookie")) {
            struct nc_span v = { (const uint8_t *)value, strlen(value) };
            add_req_cookies(s, r, v);
        }
    }
    if (!*r->host && span_iprefix(rl.target, "http://")) {
        /* absolute-form (to a proxy): the authority is the host */
        struct nc_span a = { rl.target.p + 7, rl.target.len - 7 };
        struct nc_span host = span_split(&a, '/', NULL);
        r->host = nc_stream_str(s, host.p, host.len);
    }
    if (form && m->enc == ENC_NONE && m->keep_len) {
        struct nc_span body = { m->keep, NC_MIN(m->keep_len, (size_t)HTTP_FORM_KEEP) };
        add_params(s, r, body);
    }
    r->content_type_detected = detect(s, m);
    if (nc_stream_want_payload(s) && m->keep_len) {
        r->request_body.data = m->keep;
        r->request_body.len = m->keep_len;
    }
}

static void fill_fields_res(
        struct nc_stream *s, Netcap__HTTP *r, const uint8_t *p, size_t len, bool trailer)
{
    struct nc_rd rd = trailer ? nc_rd_make(p, len) : fields_of(p, len);
    struct http_field f;
    for (size_t k = 0; k < HTTP_MAX_FIELDS && next_field(&rd, &f); k++) {
        char *name = nc_stream_str(s, f.name.p, f.name.len);
        char *value = value_str(s, f.value);
        (void)add_pair(
                s, &r->response_header, &r->n_response_header, HTTP_MAX_REC_FIELDS, name, value);
        add_name(s, &r->response_header_names, &r->n_response_header_names, name);
        if (trailer) {
            continue;
        }
        if (span_ieq(f.name, "server") && !*r->server_name) {
            r->server_name = value;
        } else if (span_ieq(f.name, "content-type") && !*r->res_content_type) {
            r->res_content_type = value;
        } else if (span_ieq(f.name, "content-encoding") && !*r->res_content_encoding) {
            r->res_content_encoding = value;
        } else if (span_ieq(f.name, "transfer-encoding") && !*r->res_transfer_encoding) {
            r->res_transfer_encoding = value;
        } else if (span_ieq(f.name, "set-cookie")) {
            struct nc_span v = { (const uint8_t *)value, strlen(value) };
            add_res_cookie(s, r, v);
        }
    }
}

static void fill_response(struct nc_stream *s, Netcap__HTTP *r, const struct http_msg *m)
{
    struct status_line sl;
    if (check_status_line(m->head, m->head_len, &sl) != NC_PROBE_YES) {
        return;
    }
    r->res_proto = nc_stream_str(s, sl.version.p, sl.version.len);
    r->status_code = (sl.code.p[0] - '0') * 100 + (sl.code.p[1] - '0') * 10 + (sl.code.p[2] - '0');
    r->status_msg = nc_stream_str(s, sl.reason.p, sl.reason.len);
    r->res_timestamp = m->ts;
    r->res_declared_length = m->declared;
    r->res_content_length = (int64_t)m->body_len;
    fill_fields_res(s, r, m->head, m->head_len, false);
    if (m->trl_len) {
        fill_fields_res(s, r, m->trl, m->trl_len, true);
    }
    r->res_content_type_detected = detect(s, m);
    if (nc_stream_want_payload(s) && m->keep_len) {
        r->response_body.data = m->keep;
        r->response_body.len = m->keep_len;
    }
}

/* Write one record for req and/or res, then free both. */
static void emit_exchange(
        struct nc_stream *s, struct http_state *st, struct http_msg *req, struct http_msg *res)
{
    if (req || res) {
        int64_t ts = req ? req->ts : res->ts;
        Netcap__HTTP *r = nc_stream_record(s, NC_REC_HTTP, 0, ts);
        if (r) {
            r->req_declared_length = -1;
            r->res_declared_length = -1;
            if (req) {
                fill_request(s, r, req);
            }
            if (res) {
                fill_response(s, r, res);
            }
            if (req && res) {
                r->first_byte_after = res->ts - req->ts;
                r->done_after = res->end_ts - req->ts;
            }
            uint64_t at = req ? req->missed_at : res->missed_at;
            uint64_t now = missed_total(s);
            r->missed_bytes = now > at ? (int64_t)(now - at) : 0;
            nc_stream_emit(s, r);
        }
    }
    msg_free(s, st, req);
    msg_free(s, st, res);
}

/* ------------------------------------------------------ request queue */

static struct http_msg *pop_request(struct http_state *st)
{
    if (st->n_pend == 0) {
        return NULL;
    }
    struct http_msg *m = st->pend[st->pend_head];
    st->pend[st->pend_head] = NULL;
    st->pend_head = (st->pend_head + 1) % HTTP_MAX_PENDING;
    st->n_pend--;
    if (m && m->is_connect) {
        st->connect_wait = false;
    }
    return m;
}

static void push_request(struct nc_stream *s, struct http_state *st, struct http_msg *m)
{
    if (st->n_pend == HTTP_MAX_PENDING) {
        emit_exchange(s, st, pop_request(st), NULL); /* oldest, unanswered */
    }
    st->pend[(st->pend_head + st->n_pend) % HTTP_MAX_PENDING] = m;
    st->n_pend++;
}

/* The running response ended (or is given up) at ts: write it. */
static void finish_response(struct nc_stream *s, struct http_state *st, int64_t ts)
{
    struct http_dir *d = &st->d[1];
    if (d->cur) {
        d->cur->end_ts = ts;
        emit_exchange(s, st, st->res_req, d->cur);
    }
    st->res_req = NULL;
    d->cur = NULL;
    d->st = ST_START;
}

static void body_end(struct nc_stream *s, struct http_state *st, int dir, int64_t ts)
{
    if (dir == 1) {
        finish_response(s, st, ts);
    } else {
        st->d[0].cur = NULL;
        st->d[0].st = ST_START;
    }
}

/* Lose sync in dir: write the response in progress, skip to a start line. */
static void enter_resync(
        struct nc_stream *s, struct http_state *st, int dir, bool line_start, int64_t ts)
{
    struct http_dir *d = &st->d[dir];
    if (dir == 1) {
        finish_response(s, st, ts);
    }
    d->cur = NULL;
    d->st = ST_RESYNC;
    d->line_start = line_start;
    d->started = false;
    d->remain = 0;
    d->scan = 0;
}

/* --------------------------------------------------------------- heads */

static long on_request(
        struct nc_stream *s, struct http_state *st, const uint8_t *p, size_t len, int64_t ts)
{
    struct http_dir *d = &st->d[0];
    struct req_line rl;
    (void)check_request_line(p, len, false, &rl);
    struct http_framing fr;
    parse_framing(p, len, &fr);
    struct http_msg tmp;
    struct http_msg *m = msg_new(s, p, len);
    if (!m) {
        memset(&tmp, 0, sizeof(tmp));
        tmp.head = nc_stream_alloc(s, len); /* scratch, released with the record */
        if (tmp.head) {
            memcpy(tmp.head, p, len);
            tmp.head_len = len;
        }
        tmp.borrowed = true;
        m = &tmp;
    }
    m->ts = ts;
    m->missed_at = d->missed_at;
    m->declared = fr.clen;
    m->enc = fr.enc;
    m->is_head = span_ieq(rl.method, "HEAD");
    m->is_connect = span_ieq(rl.method, "CONNECT");
    m->keep_max = nc_stream_want_payload(s) ? HTTP_PAYLOAD_KEEP
                  : fr.form                 ? HTTP_FORM_KEEP
                                            : HTTP_SNIFF;
    d->started = false;
    d->skipped = 0;
    d->st = ST_START;
    d->cur = NULL;
    if (m == &tmp) {
        emit_exchange(s, st, m, NULL); /* refused: written now, unanswered */
    } else {
        push_request(s, st, m);
        d->cur = m;
        st->connect_wait = st->connect_wait || m->is_connect;
    }
    if (fr.clen_bad || (fr.te && !fr.chunked)) {
        /* the body's length is unknown (RFC 9112 6.3 (4), (6)): find the next request */
        enter_resync(s, st, 0, true, ts);
    } else if (fr.chunked) {
        d->st = ST_CHUNK_SIZE;
    } else if (fr.clen > 0) {
        d->st = ST_BODY;
        d->remain = (uint64_t)fr.clen;
    } else {
        d->cur = NULL;
    }
    return 0;
}

static long on_response(
        struct nc_stream *s, struct http_state *st, const uint8_t *p, size_t len, int64_t ts)
{
    struct http_dir *d = &st->d[1];
    struct status_line sl;
    (void)check_status_line(p, len, &sl);
    int code = (sl.code.p[0] - '0') * 100 + (sl.code.p[1] - '0') * 10 + (sl.code.p[2] - '0');
    d->skipped = 0;
    d->st = ST_START;
    if (code >= 100 && code < 200 && code != 101) {
        d->started = false; /* interim (100 Continue): the final response follows */
        return 0;
    }
    struct http_framing fr;
    parse_framing(p, len, &fr);
    struct http_msg *req = pop_request(st);
    bool to_head = req && req->is_head;
    bool to_connect = req && req->is_connect;
    struct http_msg tmp;
    struct http_msg *m = msg_new(s, p, len);
    if (!m) {
        memset(&tmp, 0, sizeof(tmp));
        tmp.head = nc_stream_alloc(s, len); /* scratch, released with the record */
        if (tmp.head) {
            memcpy(tmp.head, p, len);
            tmp.head_len = len;
        }
        tmp.borrowed = true;
        m = &tmp;
    }
    m->ts = d->first_ts;
    m->end_ts = ts;
    m->missed_at = d->missed_at;
    m->declared = fr.clen;
    m->enc = fr.enc;
    m->keep_max = nc_stream_want_payload(s) ? HTTP_PAYLOAD_KEEP : HTTP_SNIFF;
    d->started = false;
    st->res_req = req;
    d->cur = m;
    if (m == &tmp) {
        emit_exchange(s, st, req, m); /* refused: written now, body not followed */
        d->cur = NULL;
        st->res_req = NULL;
    }
    if (to_connect && code >= 200 && code < 300) {
        /* a tunnel (RFC 9110 9.3.6): what follows, both ways, is probed
         * again (TLS through a proxy, most often) */
        finish_response(s, st, ts);
        st->tunnel = true;
        nc_stream_handoff(s);
        return 0;
    }
    if (code == 101) {
        finish_response(s, st, ts);
        return NC_PARSE_DONE; /* another protocol follows */
    }
    if (to_head || code < 200 || code == 204 || code == 304) {
        finish_response(s, st, ts);
    } else if (fr.te) {
        d->st = fr.chunked ? ST_CHUNK_SIZE : ST_CLOSE;
    } else if (fr.clen > 0) {
        d->st = ST_BODY;
        d->remain = (uint64_t)fr.clen;
    } else if (fr.clen == 0) {
        finish_response(s, st, ts);
    } else {
        d->st = ST_CLOSE;
    }
    return 0;
}

static long on_start(
        struct nc_stream *s, struct http_state *st, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    struct http_dir *d = &st->d[dir];
    size_t k = 0;
    while (k < n && (p[k] == '\r' || p[k] == '\n')) {
        k++; /* empty lines before a start line are ignored (RFC 9112 2.2) */
    }
    if (k) {
        return (long)k;
    }
    if (!d->started) {
        d->started = true;
        d->first_ts = ts;
        d->missed_at = missed_total(s);
        d->scan = 0;
        d->line_ok = false;
    }
    /* The start line first, so that garbage is not waited for. A head
     * arriving in small pieces is offered again with each piece: the start
     * line is checked again only when a line end came, and the search for
     * the head's end resumes where it stopped (no quadratic rescans). */
    size_t lim = NC_MIN(n, (size_t)HTTP_MAX_HEAD);
    size_t from = NC_MIN(d->scan, lim);
    enum nc_probe v = NC_PROBE_MORE;
    if (!d->line_ok &&
            (from < 64 || n >= HTTP_MAX_START_LINE || memchr(p + from, '\n', lim - from))) {
        v = dir == 0 ? check_request_line(p, n, false, NULL) : check_status_line(p, n, NULL);
        if (v == NC_PROBE_NO) {
            enter_resync(s, st, dir, false, ts);
            return 0;
        }
        d->line_ok = v == NC_PROBE_YES;
    }
    size_t end = 0;
    size_t len = head_end(p, lim, from >= 2 ? from - 2 : 0, &end);
    if (len == 0) {
        if (n >= HTTP_MAX_HEAD) {
            enter_resync(s, st, dir, false, ts); /* oversized head */
            return 0;
        }
        d->scan = lim;
        return HTTP_NEED;
    }
    d->scan = 0;
    v = dir == 0 ? check_request_line(p, len, false, NULL) : check_status_line(p, len, NULL);
    if (v != NC_PROBE_YES) {
        enter_resync(s, st, dir, false, ts);
        return 0;
    }
    long r = dir == 0 ? on_request(s, st, p, len, ts) : on_response(s, st, p, len, ts);
    return r < 0 ? r : (long)end;
}

/* Where "HTTP/1." (or, at the end, a prefix of it) starts in p[0..n); n if
 * nowhere. */
static size_t find_version(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const uint8_t *h = memchr(p + i, 'H', n - i);
        if (!h) {
            return n;
        }
        i = (size_t)(h - p);
        if (check_version(p + i, n - i) != NC_PROBE_NO) {
            return i;
        }
        i++;
    }
    return n;
}

/* Skip to the next start line: a status line anywhere (a body of unknown
 * length may end without a line break), a request line at a line start. */
static long on_resync(
        struct nc_stream *s, struct http_state *st, int dir, const uint8_t *p, size_t n)
{
    NC_UNUSED(s);
    struct http_dir *d = &st->d[dir];
    size_t i = 0;
    bool wait = false;
    if (d->scan && n < HTTP_MAX_START_LINE &&
            !memchr(p + NC_MIN(d->scan, n), '\n', n - NC_MIN(d->scan, n))) {
        return HTTP_NEED; /* the candidate at 0 still has no line end */
    }
    d->scan = 0;
    while (i < n) {
        if (dir == 1) {
            i += find_version(p + i, n - i);
            if (i == n) {
                break;
            }
        } else if (!d->line_start) {
            const uint8_t *nl = memchr(p + i, '\n', n - i);
            if (!nl) {
                i = n;
                break;
            }
            i = (size_t)(nl - p) + 1;
            d->line_start = true;
            continue;
        }
        enum nc_probe v = dir == 0 ? check_request_line(p + i, n - i, false, NULL)
                                   : check_status_line(p + i, n - i, NULL);
        if (v == NC_PROBE_YES) {
            d->st = ST_START;
            break;
        }
        if (v == NC_PROBE_MORE) {
            wait = true;
            break;
        }
        if (dir == 1) {
            i++;
        } else {
            d->line_start = false;
        }
    }
    d->skipped += i;
    if (d->skipped > HTTP_RESYNC_MAX) {
        return NC_PARSE_ERROR; /* this is not (or no longer) HTTP */
    }
    if (i == 0 && wait) {
        d->scan = n;
        return HTTP_NEED;
    }
    return (long)i;
}

/* ---------------------------------------------------------------- feed */

static long on_chunk_size(
        struct nc_stream *s, struct http_state *st, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    struct http_dir *d = &st->d[dir];
    size_t lim = NC_MIN(n, (size_t)HTTP_MAX_CHUNK_LINE);
    size_t from = NC_MIN(d->scan, lim);
    const uint8_t *nl = memchr(p + from, '\n', lim - from);
    if (!nl) {
        if (n >= HTTP_MAX_CHUNK_LINE) {
            enter_resync(s, st, dir, false, ts);
            return 0;
        }
        d->scan = lim;
        return HTTP_NEED;
    }
    d->scan = 0;
    /* chunk-size [ BWS ; chunk-ext ] CRLF (RFC 9112 7.1) */
    size_t len = (size_t)(nl - p);
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t')) {
        i++;
    }
    uint64_t size = 0;
    size_t digits = 0;
    while (i < len && hexval(p[i]) >= 0) {
        if (digits == 15) {
            enter_resync(s, st, dir, false, ts); /* 2^60: no real body, and no overflow */
            return 0;
        }
        size = size << 4 | (uint64_t)hexval(p[i]);
        digits++;
        i++;
    }
    if (digits == 0 || (i < len && p[i] != ';' && p[i] != ' ' && p[i] != '\t' && p[i] != '\r')) {
        enter_resync(s, st, dir, false, ts);
        return 0;
    }
    if (size == 0) {
        d->st = ST_TRAILER;
    } else {
        d->st = ST_CHUNK_DATA;
        d->remain = size;
    }
    return (long)(len + 1);
}

static long on_trailer(
        struct nc_stream *s, struct http_state *st, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    struct http_dir *d = &st->d[dir];
    if (p[0] == '\n') {
        body_end(s, st, dir, ts);
        return 1;
    }
    if (p[0] == '\r') {
        if (n < 2) {
            return HTTP_NEED;
        }
        if (p[1] == '\n') {
            body_end(s, st, dir, ts);
            return 2;
        }
    }
    size_t lim = NC_MIN(n, (size_t)HTTP_MAX_HEAD);
    size_t from = NC_MIN(d->scan, lim);
    size_t end = 0;
    size_t len = head_end(p, lim, from >= 2 ? from - 2 : 0, &end);
    if (len == 0) {
        if (n >= HTTP_MAX_HEAD) {
            enter_resync(s, st, dir, false, ts);
            return 0;
        }
        d->scan = lim;
        return HTTP_NEED;
    }
    d->scan = 0;
    struct http_msg *m = d->cur;
    if (m && !m->trl) {
        m->trl = nc_stream_malloc(s, len);
        if (m->trl) {
            memcpy(m->trl, p, len);
            m->trl_len = len;
        }
    }
    body_end(s, st, dir, ts);
    return (long)end;
}

static long http_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    struct http_state *st = state;
    dir &= 1;
    struct http_dir *d = &st->d[dir];
    size_t off = 0;
    while (off < n && !st->tunnel) {
        if (dir == 0 && st->connect_wait && d->st == ST_START) {
            break; /* after CONNECT: HTTP again, or a tunnel? the answer tells */
        }
        const uint8_t *q = p + off;
        size_t left = n - off;
        long r = 0;
        switch (d->st) {
            case ST_START:
                r = on_start(s, st, dir, q, left, ts);
                break;
            case ST_RESYNC:
                r = on_resync(s, st, dir, q, left);
                break;
            case ST_BODY:
            case ST_CHUNK_DATA: {
                size_t take = (size_t)NC_MIN((uint64_t)left, d->remain);
                body_data(s, d->cur, q, take);
                d->remain -= take;
                if (d->remain == 0) {
                    if (d->st == ST_BODY) {
                        body_end(s, st, dir, ts);
                    } else {
                        d->st = ST_CHUNK_END;
                    }
                }
                r = (long)take;
                break;
            }
            case ST_CHUNK_END:
                if (q[0] == '\n') {
                    r = 1;
                } else if (q[0] == '\r' && left < 2) {
                    r = HTTP_NEED;
                } else if (q[0] == '\r' && q[1] == '\n') {
                    r = 2;
                } else {
                    enter_resync(s, st, dir, false, ts);
                    break;
                }
                if (r > 0) {
                    d->st = ST_CHUNK_SIZE;
                }
                break;
            case ST_CHUNK_SIZE:
                r = on_chunk_size(s, st, dir, q, left, ts);
                break;
            case ST_TRAILER:
                r = on_trailer(s, st, dir, q, left, ts);
                break;
            case ST_CLOSE:
                body_data(s, d->cur, q, left);
                if (d->cur) {
                    d->cur->end_ts = ts;
                }
                r = (long)left;
                break;
        }
        if (r == HTTP_NEED) {
            break;
        }
        if (r < 0) {
            return r;
        }
        off += (size_t)r;
    }
    return (long)off;
}

static int http_gap(struct nc_stream *s, void *state, int dir, uint64_t n, int64_t ts)
{
    struct http_state *st = state;
    dir &= 1;
    struct http_dir *d = &st->d[dir];
    if ((d->st == ST_BODY || d->st == ST_CHUNK_DATA) && n <= d->remain) {
        /* inside a body of known length: the framing survives */
        d->remain -= n;
        if (d->remain == 0) {
            if (d->st == ST_BODY) {
                body_end(s, st, dir, ts);
            } else {
                d->st = ST_CHUNK_END;
            }
        }
        return 0;
    }
    if (d->st == ST_CLOSE) {
        return 0; /* counted by missed_bytes; the body goes on to the close */
    }
    bool lost_head = d->st == ST_START;
    enter_resync(s, st, dir, true, ts);
    if (dir == 1 && lost_head && st->n_pend) {
        /* a response head was lost: it answered the oldest request */
        emit_exchange(s, st, pop_request(st), NULL);
    }
    return 0;
}

static void http_close(struct nc_stream *s, void *state, int64_t ts)
{
    struct http_state *st = state;
    finish_response(s, st, ts);
    while (st->n_pend) {
        emit_exchange(s, st, pop_request(st), NULL);
    }
}

static const uint16_t http_ports[] = { 80, 8080, 8000, 8008, 8888, 3128, 81, 591 };
static const enum nc_rec_type http_records[] = { NC_REC_HTTP };

const struct nc_parser nc_parser_http = {
    .name = "http",
    .display = "HTTP",
    .ports = http_ports,
    .n_ports = NC_ARRAY_LEN(http_ports),
    .records = http_records,
    .n_records = NC_ARRAY_LEN(http_records),
    .probe = http_probe,
    .state_size = sizeof(struct http_state),
    .max_buffer = HTTP_MAX_BUFFER,
    .feed = http_feed,
    .gap = http_gap,
    .close = http_close,
};
