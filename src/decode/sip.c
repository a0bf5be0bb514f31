/*
 * summary: one SIP message -> a SIP record: a UDP datagram (port 5060)
 *          here, a message framed in a TCP stream by the stream parser
 *          src/proto/sip_tcp.c (nc_sip_msg() for both).
 * spec:    RFC 3261 7 (message format), 7.3.3 (compact header names),
 *          20 (header fields), 25.1 (grammar: token, Status-Line).
 *
 *   Request-Line:  Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line:   SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *   message-header *( CRLF )  ...  CRLF  [ message-body ]
 *
 * Recognition: the first line (up to SIP_MAX_LINE octets) must be a
 * Request-Line whose method is a token and whose version is "SIP/d.d", or
 * a Status-Line with "SIP/d.d" and a 3-digit code; anything else is
 * NC_DECLINE (port 5060 carries other traffic). Over TCP a message is its
 * head through the empty line plus Content-Length bytes of body (RFC 3261
 * 18.3; nc_sip_frame(), which the stream parser uses).
 *
 * Headers are kept in wire order as "Name: value" (name as sent, value
 * without surrounding white space; folded continuation lines are joined
 * with one space), at most SIP_MAX_HEADERS (then NC_ELIMIT). A message
 * that ends before the empty line, or whose body is shorter than its
 * Content-Length, is NC_ETRUNC, the record keeping what was read. The top-level fields take the
 * first header of their kind, long or compact name, case-insensitively (from: From/f, to: To/t,
 * call_id: Call-ID/i, contact: Contact/m, content_type: Content-Type/c,
 * Content-Length/l, via: every Via/v header, one entry each). method is a
 * number for the RFC 3261/3262/3265/3903/2976/3515/3428/3311 methods (see
 * the schema), 0 otherwise; method_name is the method as sent, or for a
 * response the method of its CSeq. Text is UTF-8 sanitised.
 */
#include "decode/appmsg.h"
#include "decode/decoder.h"

#include <string.h>

enum {
    SIP_MAX_LINE = 4096,  /* octets of one line; a Via or Authorization fits easily */
    SIP_MAX_HEADERS = 64, /* headers kept; real messages have < 30 */
    SIP_MAX_FOLDS = 8,    /* continuation lines joined into one header */
    SIP_MAX_VIA = 16,
};

static const char *const methods[] = {
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "PRACK",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "INFO",
    "REFER",
    "MESSAGE",
    "UPDATE",
};

static char *cstr(const char *s)
{
    return (char *)(uintptr_t)(s ? s : "");
}

static bool is_token_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

static bool span_eq(struct nc_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

static bool span_ieq(struct nc_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s.p[i], b = (uint8_t)lit[i];
        if (a >= 'A' && a <= 'Z') {
            a = (uint8_t)(a + 32);
        }
        if (b >= 'A' && b <= 'Z') {
            b = (uint8_t)(b + 32);
        }
        if (a != b) {
            return false;
        }
    }
    return true;
}

/* "SIP/d.d": the "d.d" part in *ver. */
static bool is_version(struct nc_span s, struct nc_span *ver)
{
    if (s.len != 7 || memcmp(s.p, "SIP/", 4) != 0 || s.p[4] < '0' || s.p[4] > '9' ||
            s.p[5] != '.' || s.p[6] < '0' || s.p[6] > '9') {
        return false;
    }
    ver->p = s.p + 4;
    ver->len = 3;
    return true;
}

static struct nc_span trim(struct nc_span s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t')) {
        s.len--;
    }
    return s;
}

/* Split at the first space: *head before it, *tail after it. */
static bool split_sp(struct nc_span s, struct nc_span *head, struct nc_span *tail)
{
    const uint8_t *sp = s.len ? memchr(s.p, ' ', s.len) : NULL;
    if (!sp) {
        return false;
    }
    head->p = s.p;
    head->len = (size_t)(sp - s.p);
    tail->p = sp + 1;
    tail->len = s.len - head->len - 1;
    return true;
}

struct first_line {
    bool response;
    struct nc_span method, uri, version, reason;
    int code;
};

static bool parse_first(struct nc_span line, struct first_line *f)
{
    struct nc_span a, rest, b, c;
    memset(f, 0, sizeof(*f));
    if (!split_sp(line, &a, &rest)) {
        return false;
    }
    if (is_version(a, &f->version)) {
        /* Status-Line: the reason may be empty, and some stacks omit its space */
        if (!split_sp(rest, &b, &c)) {
            b = rest;
            c.p = rest.p + rest.len;
            c.len = 0;
        }
        if (b.len != 3) {
            return false;
        }
        for (size_t i = 0; i < 3; i++) {
            if (b.p[i] < '0' || b.p[i] > '9') {
                return false;
            }
        }
        f->response = true;
        f->code = (b.p[0] - '0') * 100 + (b.p[1] - '0') * 10 + (b.p[2] - '0');
        f->reason = c;
        return true;
    }
    if (a.len == 0) {
        return false;
    }
    for (size_t i = 0; i < a.len; i++) {
        if (!is_token_char(a.p[i])) {
            return false;
        }
    }
    /* the URI holds no space (RFC 3261 25.1), so the version is the last word */
    const uint8_t *sp = NULL;
    for (size_t i = rest.len; i > 0; i--) {
        if (rest.p[i - 1] == ' ') {
            sp = rest.p + i - 1;
            break;
        }
    }
    if (!sp) {
        return false;
    }
    b.p = rest.p;
    b.len = (size_t)(sp - rest.p);
    c.p = sp + 1;
    c.len = rest.len - b.len - 1;
    if (b.len == 0 || !is_version(c, &f->version)) {
        return false;
    }
    f->method = a;
    f->uri = b;
    return true;
}

static int method_number(struct nc_span m)
{
    for (size_t i = 0; i < NC_ARRAY_LEN(methods); i++) {
        if (span_eq(m, methods[i])) {
            return (int)i + 1;
        }
    }
    return 0;
}

/* One header (name and value) into the record's fields. */
static void note_header(struct nc_app_out *o, Netcap__SIP *rec, struct nc_span name,
        struct nc_span value, char *text)
{
#define FIRST(field, long_name, short_name)                                                        \
    if ((span_ieq(name, long_name) || (short_name && span_ieq(name, short_name))) &&               \
            rec->field[0] == '\0') {                                                               \
        rec->field = text;                                                                         \
        return;                                                                                    \
    }
    FIRST(from, "From", "f");
    FIRST(to, "To", "t");
    FIRST(call_id, "Call-ID", "i");
    FIRST(cseq, "CSeq", NULL);
    FIRST(user_agent, "User-Agent", NULL);
    FIRST(contact, "Contact", "m");
    FIRST(content_type, "Content-Type", "c");
    FIRST(server, "Server", NULL);
#undef FIRST
    if (span_ieq(name, "Via") || span_ieq(name, "v")) {
        if (rec->via && rec->n_via < SIP_MAX_VIA) {
            rec->via[rec->n_via++] = text;
        }
        return;
    }
    NC_UNUSED(o);
    NC_UNUSED(value);
}

/* Content-Length / l: its value, or -1 when the header is another one or
 * not a number of at most 9 digits. */
static int32_t content_length(struct nc_span name, struct nc_span value)
{
    if (!span_ieq(name, "Content-Length") && !span_ieq(name, "l")) {
        return -1;
    }
    int32_t v = 0;
    bool ok = value.len > 0 && value.len <= 9;
    for (size_t i = 0; ok && i < value.len; i++) {
        ok = value.p[i] >= '0' && value.p[i] <= '9';
        v = v * 10 + (value.p[i] - '0');
    }
    return ok ? v : -1;
}

/* The value text of a header whose first line is value and whose folded
 * continuation lines (r positioned after the first line) are joined in. */
static char *header_value(struct nc_app_out *o, struct nc_rd *r, struct nc_span value, int *err)
{
    struct nc_rd look = *r;
    size_t folds = 0;
    struct nc_span more[SIP_MAX_FOLDS];
    while (folds < SIP_MAX_FOLDS) {
        uint8_t c = nc_rd_peek(&look, 0);
        if (nc_rd_left(&look) == 0 || (c != ' ' && c != '\t')) {
            break;
        }
        struct nc_span line;
        int rc = nc_rd_line(&look, &line, SIP_MAX_LINE);
        if (rc != NC_OK) {
            break; /* the caller meets the same line and reports it */
        }
        more[folds++] = trim(line);
        *r = look;
    }
    if (folds == SIP_MAX_FOLDS) {
        *err = NC_ELIMIT;
    }
    if (folds == 0) {
        return nc_app_str(o, value.p, value.len);
    }
    size_t total = value.len;
    for (size_t i = 0; i < folds; i++) {
        total += 1 + more[i].len;
    }
    uint8_t *tmp = nc_app_alloc(o, total);
    if (!tmp) {
        return nc_app_str(o, value.p, value.len);
    }
    size_t k = 0;
    memcpy(tmp, value.p, value.len);
    k += value.len;
    for (size_t i = 0; i < folds; i++) {
        tmp[k++] = ' ';
        memcpy(tmp + k, more[i].p, more[i].len);
        k += more[i].len;
    }
    return nc_app_str(o, tmp, k);
}

int nc_sip_msg(struct nc_app_out *o, const uint8_t *p, size_t n)
{
    struct nc_rd rd = nc_rd_make(p, n);
    struct nc_rd *r = &rd;
    struct nc_rd look = *r;
    struct nc_span line;
    int rc = nc_rd_line(&look, &line, SIP_MAX_LINE);
    if (rc == NC_EAGAIN) {
        line = nc_rd_rest(&look); /* a message of one line, cut */
        if (line.len > 0 && line.p[line.len - 1] == '\r') {
            line.len--;
        }
    } else if (rc != NC_OK) {
        return NC_DECLINE;
    }
    struct first_line f;
    if (!parse_first(line, &f)) {
        return NC_DECLINE;
    }
    *r = look;
    Netcap__SIP *rec = nc_app_record(o, NC_REC_SIP);
    char **headers = NULL;
    if (rec) {
        rec->transport = cstr(o->transport);
        rec->version = nc_app_str(o, f.version.p, f.version.len);
        rec->is_response = f.response;
        if (f.response) {
            rec->response_code = f.code;
            rec->response_status = nc_app_str(o, f.reason.p, f.reason.len);
        } else {
            rec->method = method_number(f.method);
            rec->method_name = nc_app_str(o, f.method.p, f.method.len);
            rec->uri = nc_app_str(o, f.uri.p, f.uri.len);
        }
        headers = nc_app_alloc(o, SIP_MAX_HEADERS * sizeof(*headers));
        rec->via = nc_app_alloc(o, SIP_MAX_VIA * sizeof(*rec->via));
    }
    int err = rc == NC_EAGAIN ? NC_ETRUNC : NC_OK;
    size_t n_headers = 0;
    int32_t clen = -1;
    bool ended = false;
    while (err == NC_OK) {
        rc = nc_rd_line(r, &line, SIP_MAX_LINE);
        if (rc != NC_OK) {
            err = rc == NC_EAGAIN ? NC_ETRUNC : NC_ELIMIT;
            break;
        }
        if (line.len == 0) {
            ended = true;
            break;
        }
        const uint8_t *colon = memchr(line.p, ':', line.len);
        if (!colon) {
            err = NC_EMALFORMED;
            break;
        }
        if (n_headers >= SIP_MAX_HEADERS) {
            err = NC_ELIMIT;
            break;
        }
        n_headers++;
        struct nc_span name = { line.p, (size_t)(colon - line.p) };
        struct nc_span value = { colon + 1, line.len - name.len - 1 };
        name = trim(name);
        value = trim(value);
        char *v = header_value(o, r, value, &err);
        if (clen < 0) {
            clen = content_length(name, value);
        }
        if (!rec) {
            continue;
        }
        note_header(o, rec, name, value, v);
        if (headers) {
            const char *hn = nc_app_str(o, name.p, name.len);
            size_t nl = strlen(hn), vl = strlen(v);
            char *h = nc_app_alloc(o, nl + 2 + vl + 1);
            if (h) {
                memcpy(h, hn, nl);
                memcpy(h + nl, ": ", 2);
                memcpy(h + nl + 2, v, vl);
                h[nl + 2 + vl] = '\0';
            }
            headers[rec->n_headers++] = h ? h : cstr("");
        }
    }
    size_t body = ended ? nc_rd_left(r) : 0;
    nc_rd_rest(r);
    if (err == NC_OK && clen > 0 && body < (size_t)clen) {
        err = NC_ETRUNC; /* the body is cut (snaplen, or a TCP segment boundary) */
    }
    if (rec) {
        rec->content_length = clen;
        rec->headers = headers;
        if (!rec->via) {
            rec->n_via = 0;
        }
        rec->body_size = (int32_t)body;
        if (f.response && rec->cseq[0] != '\0') {
            /* "CSeq: 1 INVITE": the method is the second word */
            const char *sp = strchr(rec->cseq, ' ');
            if (sp) {
                while (*sp == ' ') {
                    sp++;
                }
                rec->method_name = (char *)(uintptr_t)sp;
                struct nc_span m = { (const uint8_t *)sp, strlen(sp) };
                rec->method = method_number(m);
            }
        }
        nc_app_emit(o, rec);
    }
    return err;
}

long nc_sip_frame(const uint8_t *p, size_t n, size_t max_head)
{
    bool cut = n >= max_head; /* no more bytes can complete the head */
    struct nc_rd r = nc_rd_make(p, cut ? max_head : n);
    struct nc_span line;
    int rc = nc_rd_line(&r, &line, SIP_MAX_LINE);
    struct first_line f;
    if (rc != NC_OK || !parse_first(line, &f)) {
        return rc == NC_EAGAIN && !cut ? -1 : 0;
    }
    int32_t clen = -1;
    for (;;) {
        rc = nc_rd_line(&r, &line, SIP_MAX_LINE);
        if (rc != NC_OK) {
            return rc == NC_EAGAIN && !cut ? -1 : 0;
        }
        if (line.len == 0) {
            break;
        }
        const uint8_t *colon = memchr(line.p, ':', line.len);
        if (!colon) {
            continue; /* a folded line, or junk that nc_sip_msg() reports */
        }
        struct nc_span name = { line.p, (size_t)(colon - line.p) };
        struct nc_span value = { colon + 1, line.len - name.len - 1 };
        name = trim(name);
        if (!span_ieq(name, "Content-Length") && !span_ieq(name, "l")) {
            continue;
        }
        int32_t v = content_length(name, trim(value));
        if (v < 0) {
            return 0; /* the body's end is unknown: the framing is lost */
        }
        if (clen < 0) {
            clen = v; /* the first one counts, as in nc_sip_msg() */
        }
    }
    return (long)r.off + (clen > 0 ? (long)clen : 0);
}

int nc_sip_start(const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    struct nc_span line;
    int rc = nc_rd_line(&r, &line, SIP_MAX_LINE);
    struct first_line f;
    if (rc == NC_OK) {
        return parse_first(line, &f) ? 1 : 0;
    }
    if (rc != NC_EAGAIN) {
        return 0;
    }
    /* the line is not complete: is what there is a plausible start? */
    if (n >= 4 && memcmp(p, "SIP/", 4) == 0) {
        return 2;
    }
    size_t i = 0;
    while (i < n && is_token_char(p[i])) {
        i++;
    }
    if (i == n) {
        return 2;
    }
    if (i == 0 || p[i] != ' ') {
        return 0;
    }
    /* a known method and a SIP URI: the request line may be long */
    struct nc_span m = { p, i };
    static const char *const schemes[] = { "sip:", "sips:", "tel:" };
    for (size_t k = 0; method_number(m) > 0 && k < NC_ARRAY_LEN(schemes); k++) {
        size_t l = strlen(schemes[k]);
        if (n - i - 1 >= l && memcmp(p + i + 1, schemes[k], l) == 0) {
            return 1;
        }
    }
    return 2;
}

/* UDP 5060: the datagram is one message (TCP is the stream parser
 * src/proto/sip_tcp.c). */
static int sip_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_app_out o = { .pkt = pkt, .src_port = pkt->ctx.src_port, .transport = "udp" };
    struct nc_span all = nc_rd_rest(r);
    return nc_sip_msg(&o, all.p, all.len);
}

static const struct nc_claim sip_claims[] = {
    { NC_NS_UDP_PORT, NC_SIP_PORT },
};
const struct nc_decoder nc_decoder_sip = {
    .name = "sip",
    .display = "SIP",
    .layer = NC_LAYER_APP,
    .claims = sip_claims,
    .n_claims = NC_ARRAY_LEN(sip_claims),
    .decode = sip_decode,
};
