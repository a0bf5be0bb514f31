/*
 * summary: DNS messages over UDP and TCP -> DNS records.
 * spec:    RFC 1035 4.1 (message), 3.3 and 3.4.1 (RDATA of A, NS, CNAME, PTR,
 *          MX, SOA, TXT), 2.3.4 (size limits); RFC 3596 (AAAA); RFC 2782 (SRV);
 *          RFC 7766 8 (TCP framing); RFC 4343 2.1 (escaped label octets).
 *
 * nc_decoder_dns reads UDP payloads (one message each); nc_dns_parse()
 * serves the DNS-over-TCP stream parser (src/proto/dns_tcp.c), which
 * undoes the 2-byte length framing of the reassembled stream.
 *
 * Names are rendered as text:
 *   - labels joined with '.', no trailing dot; the root name is "." (tshark
 *     prints "<Root>", Go netcap ""); "." is unambiguous because a '.'
 *     inside a label is escaped;
 *   - '.' and '\' inside a label become "\." and "\\"; C0 controls,
 *     DEL and every octet that is not part of a well-formed UTF-8 sequence
 *     (or that encodes a C1 control, U+0080..U+009F) become "\DDD", three
 *     decimal digits (RFC 4343 2.1, as dig prints them); everything else,
 *     space and UTF-8 characters included, is copied as it is, as tshark
 *     shows it (LLMNR and mDNS carry host names such as "Bob's MacBook" or
 *     names in Chinese characters, in UTF-8).
 *   The text is therefore valid UTF-8 without control characters, and the
 *   wire labels can be recovered from it. Owner and question names, ns,
 *   cname, ptr, soa.mname/rname, srv.target and mx.exchange carry names in
 *   this form. txts carry the character-strings as text, UTF-8 sanitised
 *   (nc_utf8_sanitize, as nc_pkt_str: an invalid octet or a NUL becomes
 *   U+FFFD); the exact octets stay in the RR's raw data.
 *
 * Filter columns: query_name and query_type copy the first question,
 * answer_ip the first A/AAAA address of the answer section, so that
 * `dump -where query_name=...` needs no nested field.
 *
 * Class and TTL are stored raw: for mDNS the class includes the QU /
 * cache-flush bit, for the EDNS0 OPT pseudo-RR (RFC 6891) they are the UDP
 * payload size and the extended rcode/version/flags. response_code is the
 * 4-bit header RCODE.
 *
 * Verdicts and records. A message shorter than its 12-byte header gives no
 * record and NC_ETRUNC. Otherwise a record is built with the header and
 * every question and RR that was completely framed, and the first problem
 * is returned (and so counted), the record being written all the same:
 *   NC_ETRUNC      a section ends outside the message (counts larger than
 *                  the data, RDLENGTH past the end, snaplen);
 *   NC_EMALFORMED  a bad name (forward or looping pointer, too long) or
 *                  RDATA that does not match its type;
 *   NC_ELIMIT      DNS_MAX_PTR_HOPS, DNS_MAX_RR or DNS_MAX_TXT hit;
 *   NC_EUNSUPP     an extended label type (0x40 / 0x80 bits).
 * A bad name in the question or in an RR owner name ends parsing (the next
 * field cannot be found). A problem inside RDATA does not: RDLENGTH frames
 * the RR, so the RR is kept with its raw data and without the typed field,
 * and parsing goes on. The message is parsed the same way when DNS records
 * are not wanted, so verdicts do not depend on -include / -exclude.
 */
#include "decode/decoder.h"
#include "decode/dns.h"

#include <string.h>

enum {
    DNS_MAX_RR = 256,     /* per section; caps memory; only zone transfers send more */
    DNS_MAX_TXT = 256,    /* character-strings kept per TXT RR; a 4096-bit DKIM key needs 3 */
    DNS_MAX_NAME = 255,   /* RFC 1035 2.3.4: octets of a name on the wire, length octets included */
    DNS_MAX_LABELS = 127, /* the most one-octet labels DNS_MAX_NAME octets can hold */
    DNS_MAX_PTR_HOPS = 16, /* compression pointers followed per name; real names need 1-3 */
    DNS_NAME_TEXT_CAP = 4 * DNS_MAX_NAME, /* all label octets as "\DDD", dots, NUL: < 4 * 254 */
    DNS_MIN_QUESTION = 5,                 /* root name + QTYPE + QCLASS */
    DNS_MIN_RR = 11,                      /* root name + TYPE, CLASS, TTL, RDLENGTH */
};

enum {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33,
};

/* A name rendered as text (see the file comment); always NUL-terminated. */
struct dns_name {
    char text[DNS_NAME_TEXT_CAP];
    size_t len;
};

/* One message being parsed. */
struct dns_msg {
    struct nc_arena *arena;
    uint64_t *limit;    /* counts allocations refused by the arena cap */
    struct nc_rd whole; /* the whole message: compression pointers resolve in it */
    bool build;         /* the record exists: store what is parsed */
    int err;            /* first problem seen (the verdict) */
};

static void *msg_alloc(struct dns_msg *m, size_t n)
{
    void *p = nc_arena_alloc(m->arena, n);
    if (!p && m->limit) {
        (*m->limit)++;
    }
    return p;
}

static char *msg_ip(struct dns_msg *m, int ver, const uint8_t *ip)
{
    char *s = msg_alloc(m, NC_IP_STRLEN);
    if (!s) {
        return (char *)(uintptr_t) "";
    }
    nc_fmt_ip(s, (uint8_t)ver, ip);
    return s;
}

static char transport_udp[] = "udp";
static char transport_tcp[] = "tcp";

static void note_err(struct dns_msg *m, int err)
{
    if (m->err == NC_OK) {
        m->err = err;
    }
}

/* ------------------------------------------------------------------ names */

static bool text_put(struct dns_name *n, char ch)
{
    /* cannot trigger given DNS_MAX_NAME; kept so no write can pass the buffer */
    if (n->len + 1 >= sizeof(n->text)) {
        return false;
    }
    n->text[n->len++] = ch;
    return true;
}

static bool put_escaped(struct dns_name *n, uint8_t b)
{
    return text_put(n, '\\') && text_put(n, (char)('0' + b / 100)) &&
           text_put(n, (char)('0' + b / 10 % 10)) && text_put(n, (char)('0' + b % 10));
}

/* Length of the UTF-8 character that starts with b and continues at lab's
 * position, if it is well-formed and not a C1 control; else 0. */
static size_t utf8_char_len(const struct nc_rd *lab, uint8_t b)
{
    size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    uint8_t seq[4] = { b, 0, 0, 0 };
    if (len == 0 || len - 1 > nc_rd_left(lab)) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        seq[i] = nc_rd_peek(lab, i - 1);
    }
    if (!nc_utf8_valid(seq, len) || (b == 0xc2 && seq[1] < 0xa0)) {
        return 0;
    }
    return len;
}

/* Append one label (read from lab) in the form of the file comment. */
static bool put_label(struct dns_name *n, struct nc_rd *lab)
{
    if (n->len > 0 && !text_put(n, '.')) {
        return false;
    }
    while (nc_rd_left(lab) > 0) {
        uint8_t b = nc_rd_u8(lab);
        bool ok;
        if (b == '.' || b == '\\') {
            ok = text_put(n, '\\') && text_put(n, (char)b);
        } else if (b >= 0x20 && b < 0x7f) {
            ok = text_put(n, (char)b);
        } else if (b < 0x80) {
            ok = put_escaped(n, b); /* C0 control or DEL */
        } else {
            size_t len = utf8_char_len(lab, b);
            ok = len > 0 ? text_put(n, (char)b) : put_escaped(n, b);
            for (size_t i = 1; ok && i < len; i++) {
                ok = text_put(n, (char)nc_rd_u8(lab));
            }
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

/*
 * Read a possibly compressed name at r's position into out.
 *
 *   label:    | len (1) 00xxxxxx | len octets |   ... until len == 0
 *   pointer:  | 11 + 14-bit offset from the message start (2) |
 *
 * r may be the message reader or an RDATA sub-reader; win_off is the
 * offset of r's window in the message, so that the name's start can be
 * compared with pointer targets. Labels never extend past r's window;
 * after a pointer they are read from the whole message. r advances past
 * the name as it appears at its position (up to and including the first
 * pointer). Every pointer must land strictly before the start of the label
 * run it ends (the name's start, then the previous target): offsets
 * decrease at every jump, so loops are impossible; DNS_MAX_PTR_HOPS bounds
 * the work further. On error r is poisoned with the returned code.
 */
static int read_name(
        const struct nc_rd *whole, size_t win_off, struct nc_rd *r, struct dns_name *out)
{
    struct nc_rd jump;
    struct nc_rd *cur = r;
    size_t limit = win_off + r->off;
    size_t wire = 1; /* the root octet */
    size_t n_labels = 0;
    size_t hops = 0;
    int err = NC_OK;
    out->len = 0;
    for (;;) {
        uint8_t len = nc_rd_u8(cur);
        if (!nc_rd_ok(cur)) {
            err = cur->err;
            break;
        }
        if ((len & 0xc0) == 0xc0) {
            size_t target = (size_t)(len & 0x3f) << 8 | nc_rd_u8(cur);
            if (!nc_rd_ok(cur)) {
                err = cur->err;
                break;
            }
            if (target >= limit) { /* forward or looping pointer */
                err = NC_EMALFORMED;
                break;
            }
            if (++hops > DNS_MAX_PTR_HOPS) {
                err = NC_ELIMIT;
                break;
            }
            limit = target;
            jump = nc_rd_at(whole, target);
            cur = &jump;
            continue;
        }
        if (len & 0xc0) { /* 0x40: RFC 6891 extended label (none defined); 0x80: reserved */
            err = NC_EUNSUPP;
            break;
        }
        if (len == 0) {
            break;
        }
        wire += (size_t)len + 1;
        n_labels++;
        if (wire > DNS_MAX_NAME || n_labels > DNS_MAX_LABELS) {
            err = NC_EMALFORMED;
            break;
        }
        struct nc_rd lab = nc_rd_sub(cur, len);
        if (!nc_rd_ok(cur)) {
            err = cur->err;
            break;
        }
        if (!put_label(out, &lab)) {
            err = NC_EMALFORMED;
            break;
        }
    }
    if (err != NC_OK) {
        nc_rd_fail(r, err);
        out->len = 0;
        out->text[0] = '\0';
        return err;
    }
    if (out->len == 0) {
        out->text[out->len++] = '.';
    }
    out->text[out->len] = '\0';
    return NC_OK;
}

/* Arena copy of a name's text, or NULL (arena cap: counted by nc_pkt_alloc). */
static char *name_str(struct dns_msg *m, const struct dns_name *n)
{
    if (!m->build) {
        return NULL;
    }
    char *s = msg_alloc(m, n->len + 1);
    if (s) {
        memcpy(s, n->text, n->len + 1);
    }
    return s;
}

static void set_str(char **field, char *s)
{
    if (s) {
        *field = s;
    }
}

/* Zeroed, initialised message of the given type in the arena, or NULL. */
static void *new_msg(struct dns_msg *m, const ProtobufCMessageDescriptor *desc)
{
    if (!m->build) {
        return NULL;
    }
    void *p = msg_alloc(m, desc->sizeof_message);
    if (p) {
        protobuf_c_message_init(desc, p);
    }
    return p;
}

/* Array of n pointers in the arena, or NULL (also for n == 0). */
static void *new_ptrs(struct dns_msg *m, size_t n)
{
    if (!m->build || n == 0) {
        return NULL;
    }
    return msg_alloc(m, n * sizeof(void *));
}

/* ------------------------------------------------------------------ RDATA */

/*
 * Arena text of one TXT character-string, or NULL (arena cap). Octets that
 * are not UTF-8 become U+FFFD, as nc_pkt_str() makes them; so does a NUL,
 * which a protobuf string cannot hold (it would cut the text short).
 * Capacity: each octet becomes at most the 3 octets of U+FFFD.
 */
static char *txt_str(struct dns_msg *m, struct nc_span s)
{
    char *out = msg_alloc(m, 3 * s.len + 1);
    if (!out) {
        return NULL;
    }
    size_t o = 0, i = 0;
    while (i < s.len) {
        const uint8_t *z = memchr(s.p + i, 0, s.len - i);
        size_t run = z ? (size_t)(z - (s.p + i)) : s.len - i;
        o += nc_utf8_sanitize(out + o, s.p + i, run);
        i += run;
        if (z) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

/*
 * TXT RDATA: one or more <character-string>s, each | len (1) | len octets |.
 * Each becomes text (txt_str); binary strings are therefore not kept
 * exactly, but the raw RDATA is in data.
 */
static int parse_txt(struct dns_msg *m, struct nc_rd *rd, Netcap__DNSResourceRecord *rr)
{
    struct nc_rd scan = *rd;
    size_t n = 0;
    while (nc_rd_left(&scan) > 0) {
        nc_rd_skip(&scan, nc_rd_u8(&scan));
        n++;
    }
    if (!nc_rd_ok(&scan)) {
        return scan.err;
    }
    size_t n_keep = NC_MIN(n, (size_t)DNS_MAX_TXT);
    char **txts = NULL;
    if (m->build && n_keep > 0) {
        txts = msg_alloc(m, n_keep * sizeof(*txts));
    }
    for (size_t i = 0; i < n_keep && txts; i++) {
        txts[i] = txt_str(m, nc_rd_span(rd, nc_rd_u8(rd)));
        if (!txts[i]) {
            txts = NULL; /* arena cap: no strings rather than a list with holes */
        }
    }
    nc_rd_rest(rd); /* strings past DNS_MAX_TXT: validated above, not kept */
    if (rr && txts) {
        rr->txts = txts;
        rr->n_txts = n_keep;
    }
    return n > n_keep ? NC_ELIMIT : NC_OK;
}

/*
 * The verdict for RDATA whose typed fields were read with rd: it must have
 * been read exactly. The RR is framed by RDLENGTH, so running out inside it
 * means RDLENGTH does not fit the type (EMALFORMED), not that the capture
 * ended early.
 */
static int rdata_end(int err, const struct nc_rd *rd)
{
    if (err == NC_OK && !nc_rd_ok(rd)) {
        err = rd->err;
    }
    if (err == NC_OK && nc_rd_left(rd) > 0) {
        err = NC_EMALFORMED; /* octets after the typed fields */
    }
    return err == NC_ETRUNC ? NC_EMALFORMED : err;
}

/*
 * Decode the RDATA of the types we know into rr's typed fields (rr may be
 * NULL: validate only). rd is the RDATA window, rd_off its offset in the
 * message. Returns a verdict for this RDATA; the typed field is set only
 * when it is NC_OK (TXT: also NC_ELIMIT, with the strings kept). The
 * caller keeps the RR either way.
 *
 *   A      | address (4) |            AAAA | address (16) |
 *   NS, CNAME, PTR  | name |          MX   | preference (2) | exchange |
 *   SOA    | mname | rname | serial | refresh | retry | expire | minimum (4 each) |
 *   SRV    | priority (2) | weight (2) | port (2) | target |
 *   TXT    | len (1) | string | ... |
 */
static int parse_rdata(struct dns_msg *m, uint16_t type, size_t rd_off, struct nc_rd *rd,
        Netcap__DNSResourceRecord *rr)
{
    const struct nc_rd *whole = &m->whole;
    struct dns_name n1, n2;
    int err;
    switch (type) {
        case DNS_TYPE_A:
        case DNS_TYPE_AAAA: {
            size_t alen = type == DNS_TYPE_A ? 4 : 16;
            uint8_t ip[16];
            err = nc_rd_left(rd) == alen ? NC_OK : NC_EMALFORMED;
            if (err == NC_OK) {
                nc_rd_copy(rd, ip, alen);
                err = rdata_end(err, rd);
            }
            if (err == NC_OK && rr) {
                rr->ip = msg_ip(m, type == DNS_TYPE_A ? 4 : 6, ip);
            }
            return err;
        }
        case DNS_TYPE_NS:
        case DNS_TYPE_CNAME:
        case DNS_TYPE_PTR:
            err = rdata_end(read_name(whole, rd_off, rd, &n1), rd);
            if (err == NC_OK && rr) {
                if (type == DNS_TYPE_NS) {
                    set_str(&rr->ns, name_str(m, &n1));
                } else if (type == DNS_TYPE_CNAME) {
                    set_str(&rr->cname, name_str(m, &n1));
                } else {
                    set_str(&rr->ptr, name_str(m, &n1));
                }
            }
            return err;
        case DNS_TYPE_MX: {
            uint16_t pref = nc_rd_be16(rd);
            err = rdata_end(read_name(whole, rd_off, rd, &n1), rd);
            Netcap__DNSMX *mx = err == NC_OK && rr ? new_msg(m, &netcap__dnsmx__descriptor) : NULL;
            if (mx) {
                mx->preference = pref;
                set_str(&mx->exchange, name_str(m, &n1));
                rr->mx = mx;
            }
            return err;
        }
        case DNS_TYPE_SOA: {
            err = read_name(whole, rd_off, rd, &n1);
            if (err == NC_OK) {
                err = read_name(whole, rd_off, rd, &n2);
            }
            uint32_t serial = nc_rd_be32(rd);
            uint32_t refresh = nc_rd_be32(rd);
            uint32_t retry = nc_rd_be32(rd);
            uint32_t expire = nc_rd_be32(rd);
            uint32_t minimum = nc_rd_be32(rd);
            err = rdata_end(err, rd);
            Netcap__DNSSOA *soa =
                    err == NC_OK && rr ? new_msg(m, &netcap__dnssoa__descriptor) : NULL;
            if (soa) {
                set_str(&soa->mname, name_str(m, &n1));
                set_str(&soa->rname, name_str(m, &n2));
                soa->serial = serial;
                soa->refresh = refresh;
                soa->retry = retry;
                soa->expire = expire;
                soa->minimum = minimum;
                rr->soa = soa;
            }
            return err;
        }
        case DNS_TYPE_SRV: {
            uint16_t prio = nc_rd_be16(rd);
            uint16_t weight = nc_rd_be16(rd);
            uint16_t port = nc_rd_be16(rd);
            err = rdata_end(read_name(whole, rd_off, rd, &n1), rd);
            Netcap__DNSSRV *srv =
                    err == NC_OK && rr ? new_msg(m, &netcap__dnssrv__descriptor) : NULL;
            if (srv) {
                srv->priority = prio;
                srv->weight = weight;
                srv->port = port;
                set_str(&srv->target, name_str(m, &n1));
                rr->srv = srv;
            }
            return err;
        }
        case DNS_TYPE_TXT:
            return rdata_end(parse_txt(m, rd, rr), rd);
        default:
            return NC_OK; /* raw data only */
    }
}

/* ------------------------------------------------------------- sections */

/*
 *   question: | QNAME | QTYPE (2) | QCLASS (2) |
 *   RR:       | NAME | TYPE (2) | CLASS (2) | TTL (4) | RDLENGTH (2) | RDATA |
 *
 * Each parses one entry at r into *out (NULL: validate only) and returns
 * a hard verdict: anything but NC_OK ends the message. RDATA problems are
 * noted in m->err instead.
 */
static int parse_question(struct dns_msg *m, struct nc_rd *r, Netcap__DNSQuestion *q)
{
    struct dns_name name;
    int err = read_name(&m->whole, 0, r, &name);
    uint16_t type = nc_rd_be16(r);
    uint16_t klass = nc_rd_be16(r);
    if (err != NC_OK || !nc_rd_ok(r)) {
        return err != NC_OK ? err : r->err;
    }
    if (q) {
        set_str(&q->name, name_str(m, &name));
        q->type = type;
        q->class_ = klass;
    }
    return NC_OK;
}

static int parse_rr(struct dns_msg *m, struct nc_rd *r, Netcap__DNSResourceRecord *rr)
{
    struct dns_name name;
    int err = read_name(&m->whole, 0, r, &name);
    uint16_t type = nc_rd_be16(r);
    uint16_t klass = nc_rd_be16(r);
    uint32_t ttl = nc_rd_be32(r);
    uint16_t rdlen = nc_rd_be16(r);
    size_t rd_off = r->off;
    struct nc_rd rd = nc_rd_sub(r, rdlen); /* RDATA never reads past RDLENGTH */
    if (err != NC_OK || !nc_rd_ok(r)) {
        return err != NC_OK ? err : r->err;
    }
    if (rr) {
        set_str(&rr->name, name_str(m, &name));
        rr->type = type;
        rr->class_ = klass;
        rr->ttl = ttl;
        rr->data_length = rdlen;
        struct nc_rd all = rd;
        rr->data = nc_bytes(nc_rd_rest(&all));
    }
    int rd_err = parse_rdata(m, type, rd_off, &rd, rr);
    if (rd_err != NC_OK) {
        note_err(m, rd_err);
    }
    return NC_OK;
}

/* Entries a section can hold at most: the count, DNS_MAX_RR and what is left. */
static size_t section_cap(uint16_t count, const struct nc_rd *r, size_t min_len)
{
    return NC_MIN(NC_MIN((size_t)count, (size_t)DNS_MAX_RR), nc_rd_left(r) / min_len);
}

static int parse_questions(struct dns_msg *m, struct nc_rd *r, uint16_t count, size_t *n_out,
        Netcap__DNSQuestion ***out)
{
    size_t n_alloc = section_cap(count, r, DNS_MIN_QUESTION);
    Netcap__DNSQuestion **qs = new_ptrs(m, n_alloc);
    size_t n = NC_MIN((size_t)count, (size_t)DNS_MAX_RR);
    *out = qs;
    for (size_t i = 0; i < n; i++) {
        Netcap__DNSQuestion *q = NULL;
        if (qs && i < n_alloc) {
            q = new_msg(m, &netcap__dnsquestion__descriptor);
        }
        int err = parse_question(m, r, q);
        if (err != NC_OK) {
            return err;
        }
        if (q) {
            qs[(*n_out)++] = q;
        }
    }
    return count > DNS_MAX_RR ? NC_ELIMIT : NC_OK;
}

static int parse_section(struct dns_msg *m, struct nc_rd *r, uint16_t count, size_t *n_out,
        Netcap__DNSResourceRecord ***out)
{
    size_t n_alloc = section_cap(count, r, DNS_MIN_RR);
    Netcap__DNSResourceRecord **rrs = new_ptrs(m, n_alloc);
    size_t n = NC_MIN((size_t)count, (size_t)DNS_MAX_RR);
    *out = rrs;
    for (size_t i = 0; i < n; i++) {
        Netcap__DNSResourceRecord *rr = NULL;
        if (rrs && i < n_alloc) {
            rr = new_msg(m, &netcap__dnsresource_record__descriptor);
        }
        int err = parse_rr(m, r, rr);
        if (err != NC_OK) {
            return err;
        }
        if (rr) {
            rrs[(*n_out)++] = rr;
        }
    }
    return count > DNS_MAX_RR ? NC_ELIMIT : NC_OK;
}

/*
 * The top-level copies analysts filter on (-where query_name=...): the
 * first question and the first address among the answers. They point at
 * the strings already in the arena, so they cost no allocation.
 */
static void set_filter_fields(Netcap__DNS *rec)
{
    if (rec->n_questions > 0) {
        rec->query_name = rec->questions[0]->name;
        rec->query_type = rec->questions[0]->type;
    }
    for (size_t i = 0; i < rec->n_answers; i++) {
        const char *ip = rec->answers[i]->ip;
        if (ip && ip[0] != '\0') {
            rec->answer_ip = rec->answers[i]->ip;
            break;
        }
    }
}

/*
 * One message; *win is exactly its bytes. Builds the record (when wanted)
 * and returns the verdict described in the file comment.
 *
 *                                   1  1  1  1  1  1
 *     0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |            QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT |   (2 octets each)
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   | question | answer | authority | additional    |
 */
static int parse_into(Netcap__DNS *rec, struct nc_arena *arena, uint64_t *limit,
        const struct nc_rd *win, char *transport)
{
    struct nc_rd r = *win;
    uint16_t id = nc_rd_be16(&r);
    uint16_t flags = nc_rd_be16(&r);
    uint16_t qd = nc_rd_be16(&r);
    uint16_t an = nc_rd_be16(&r);
    uint16_t ns = nc_rd_be16(&r);
    uint16_t ar = nc_rd_be16(&r);
    if (!nc_rd_ok(&r)) {
        return r.err;
    }
    struct dns_msg m = { arena, limit, *win, rec != NULL, NC_OK };
    if (rec) {
        rec->id = id;
        rec->qr = (flags & 0x8000) != 0;
        rec->op_code = flags >> 11 & 0xf;
        rec->aa = (flags & 0x0400) != 0;
        rec->tc = (flags & 0x0200) != 0;
        rec->rd = (flags & 0x0100) != 0;
        rec->ra = (flags & 0x0080) != 0;
        rec->z = flags >> 4 & 0x7;
        rec->response_code = flags & 0xf;
        rec->qd_count = qd;
        rec->an_count = an;
        rec->ns_count = ns;
        rec->ar_count = ar;
        rec->transport = transport;
    }
    /* sections are parsed in order until the first hard verdict; what was
     * parsed before it is kept */
    size_t n_qs = 0;
    Netcap__DNSQuestion **qs = NULL;
    const uint16_t counts[3] = { an, ns, ar };
    size_t n_rrs[3] = { 0, 0, 0 };
    Netcap__DNSResourceRecord **rrs[3] = { NULL, NULL, NULL };
    int err = parse_questions(&m, &r, qd, &n_qs, &qs);
    for (size_t s = 0; s < 3 && err == NC_OK; s++) {
        err = parse_section(&m, &r, counts[s], &n_rrs[s], &rrs[s]);
    }
    if (rec) {
        rec->n_questions = n_qs;
        rec->questions = qs;
        rec->n_answers = n_rrs[0];
        rec->answers = rrs[0];
        rec->n_authorities = n_rrs[1];
        rec->authorities = rrs[1];
        rec->n_additionals = n_rrs[2];
        rec->additionals = rrs[2];
        set_filter_fields(rec);
    }
    /* octets after the last section are ignored (padding, trailers) */
    if (err != NC_OK) {
        note_err(&m, err);
    }
    return m.err;
}

/* A DNS record from the packet (NULL when not wanted: still parsed for the verdict). */
static int parse_message(struct nc_pkt *pkt, const struct nc_rd *win, char *transport)
{
    struct nc_rd hdr = *win;
    nc_rd_skip(&hdr, 12);
    if (!nc_rd_ok(&hdr)) {
        return hdr.err;
    }
    Netcap__DNS *rec = nc_pkt_record(pkt, NC_REC_DNS);
    return parse_into(rec, pkt->arena, &pkt->stats->rec_limit, win, transport);
}

int nc_dns_parse(Netcap__DNS *rec, struct nc_arena *arena, const uint8_t *p, size_t n, bool tcp)
{
    struct nc_rd win = nc_rd_make(p, n);
    return parse_into(rec, arena, NULL, &win, tcp ? transport_tcp : transport_udp);
}

/* ------------------------------------------------------------ decoders */

/* UDP: the payload is one message (RFC 1035 4.2.1). */
static int dns_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_rd win = nc_rd_sub(r, nc_rd_left(r));
    return parse_message(pkt, &win, transport_udp);
}

static const struct nc_claim dns_claims[] = { { NC_NS_UDP_PORT, 53 },
    { NC_NS_UDP_PORT, 5353 /* mDNS */ }, { NC_NS_UDP_PORT, 5355 /* LLMNR */ } };
const struct nc_decoder nc_decoder_dns = {
    .name = "dns",
    .display = "DNS",
    .layer = NC_LAYER_APP,
    .claims = dns_claims,
    .n_claims = NC_ARRAY_LEN(dns_claims),
    .decode = dns_decode,
};
