/*
 * summary: TLS handshake parser: the ClientHello and ServerHello of each
 *          connection, with JA3/JA3S and JA4/JA4S -> TLSClientHello,
 *          TLSServerHello records.
 * spec:    RFC 8446 4.1.2-4.1.4, 4.2 (hellos, extensions, HelloRetryRequest),
 *          5.1 (record layer); RFC 5246 6.2, 7.4.1; RFC 6066, 7301, 7627,
 *          6962, 5746, 8701 (GREASE); SSL 2.0 compatible ClientHello
 *          (RFC 5246 E.2); JA3 (github.com/salesforce/ja3, python/ja3.py),
 *          JA4/JA4S (github.com/FoxIO-LLC/ja4, technical_details/JA4.md,
 *          python/ja4.py); see docs/JA4.md.
 *
 * Each direction is a sequence of | type (1) | version (2) | length (2) |
 * fragment | records. Handshake fragments are reassembled into messages: a
 * hello that fits in its record is parsed in place; one spanning records is
 * copied into a buffer of exactly its size (nc_stream_malloc, charged to the
 * budget, freed when done or in close). Other handshake messages
 * (certificates...) are skipped without buffering. A record that has not
 * fully arrived is left unconsumed (the stream stage keeps it: max_buffer is
 * one record). The parser detaches (NC_PARSE_DONE) after the ServerHello,
 * on the server's first application data, on the client's application data
 * (unless it offered 0-RTT and the ServerHello is still to come), or on
 * ChangeCipherSpec both ways; after a HelloRetryRequest it waits for the
 * second ClientHello and the real ServerHello.
 *
 * Fingerprints (GREASE values, 0x?a?a with equal bytes, are left out of
 * all of them; the records' lists keep the wire values):
 *   JA3   "legacy_version,ciphers,extensions,groups,point_formats", decimal,
 *         '-' joined, in wire order; the version is the hello's
 *         legacy_version (never supported_versions, never the record
 *         version); groups from the last supported_groups (10) extension,
 *         point formats from the last ec_point_formats (11); MD5, lowercase.
 *   JA3S  "legacy_version,cipher,extensions", same rules.
 *   JA4   a_b_c. a = 't' + version + ('d' if the server_name extension is
 *         present, else 'i') + 2-digit cipher count + 2-digit extension
 *         count (SNI and ALPN included; both capped at 99) + ALPN pair.
 *         version: highest supported_versions value if that extension is
 *         there, else legacy_version: 0304 "13", 0303 "12", 0302 "11",
 *         0301 "10", 0300 "s3", 0002 "s2", feff "d1", fefd "d2", fefc "d3",
 *         anything else "00". ALPN pair: first and last character of the
 *         first ALPN value ("00" if no ALPN, no value or an empty one; a
 *         single character is both); if either is not ASCII alphanumeric,
 *         the first and last characters of the value's lowercase hex instead.
 *         b = first 12 hex of SHA-256 over the sorted 4-hex-digit cipher
 *         list joined by ','; c = the same over the sorted extension list
 *         without 0000 and 0010, then, if signature_algorithms (13) lists
 *         any, '_' and those values in wire order. An empty list gives
 *         "000000000000" instead of a hash. JA4_r is a_<ciphers>_<c input>.
 *   JA4S  't' + version (supported_versions if present, else legacy) +
 *         2-digit extension count + ALPN pair of the chosen protocol, '_',
 *         the cipher in 4 hex digits, '_', the first 12 hex of SHA-256 over
 *         the extensions in wire order joined by ',' ("000000000000" if none).
 * Lists longer than TLS_MAX_LIST are cut to their first TLS_MAX_LIST values
 * (records and fingerprints alike), deterministically.
 */
#include "proto/parser.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/rd.h"

enum {
    TLS_REC_HDR = 5,
    TLS_REC_MAX = 16384 + 2048, /* RFC 5246 6.2.3: TLSCiphertext.length limit */
    TLS_HELLO_MAX = 65536,      /* a hello body beyond this is refused (NC_PARSE_ERROR) */
    TLS_SSL2_MAX = 16384,       /* SSL 2.0 ClientHello record cap */
    TLS_MAX_LIST = 1024,        /* values kept per list (ciphers, extensions, groups...) */
    TLS_MAX_ALPN = 64,          /* ALPN / NPN names kept */
    TLS_MAX_SCT = 64,           /* SCTs kept */
    TLS_FP_HEX = 12,            /* JA4 hash prefix */
};

enum {
    CT_CCS = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPDATA = 23,
    CT_HEARTBEAT = 24,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
};

enum {
    EXT_SERVER_NAME = 0,
    EXT_STATUS_REQUEST = 5,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_EC_POINT_FORMATS = 11,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_SCT = 18,
    EXT_EMS = 23,
    EXT_SESSION_TICKET = 35,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_COOKIE = 44,
    EXT_KEY_SHARE = 51,
    EXT_NPN = 13172,
    EXT_RENEGOTIATION_INFO = 0xff01,
};

/* RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest
 * (SHA-256 of "HelloRetryRequest"). */
static const uint8_t hrr_random[32] = { 0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d,
    0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e,
    0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c };

struct tls_dir {
    uint8_t hdr[4];       /* handshake header being collected */
    uint8_t hdr_n;        /* bytes of hdr collected */
    uint32_t skip;        /* body bytes of an ignored handshake message still to come */
    uint8_t *msg;         /* hello body spanning records (nc_stream_malloc) */
    uint32_t msg_len;     /* its length (the allocation size) */
    uint32_t msg_have;    /* bytes of it collected */
    uint16_t rec_version; /* record that carried the start of the current message */
    uint16_t rec_len;
    bool started; /* a record was seen (the SSL 2.0 hello can only come first) */
    bool ccs;     /* ChangeCipherSpec seen: later handshake records are encrypted */
    bool lost;    /* a gap: this direction is ignored from now on */
};

struct tls_state {
    struct tls_dir d[2];
    bool hrr;              /* a HelloRetryRequest was seen */
    bool early_data;       /* the last ClientHello offered 0-RTT data */
    uint8_t client_hellos; /* ClientHellos parsed (saturating) */
};

/* ------------------------------------------------------------- values */

static bool is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

struct u16list {
    uint16_t v[TLS_MAX_LIST];
    uint32_t n;
};

/* Append v unless the list is full (cut deterministically at the cap). */
static void list_add(struct u16list *l, uint16_t v)
{
    if (l->n < TLS_MAX_LIST) {
        l->v[l->n++] = v;
    }
}

/* A u16 list filling the reader (odd trailing byte ignored). */
static void read_u16s(struct nc_rd *r, struct u16list *l)
{
    l->n = 0;
    while (nc_rd_left(r) >= 2) {
        list_add(l, nc_rd_be16(r));
    }
}

/* ALPN / NPN protocol names: | len (1) | name | ..., filling the reader. */
static uint32_t read_names(struct nc_rd *r, struct nc_span *out, uint32_t max)
{
    uint32_t n = 0;
    while (nc_rd_left(r) > 0) {
        uint8_t len = nc_rd_u8(r);
        struct nc_span name = nc_rd_span(r, len);
        if (!nc_rd_ok(r)) {
            break;
        }
        if (n < max) {
            out[n++] = name;
        }
    }
    return n;
}

/* ------------------------------------------------------------- hellos */

struct client_hello {
    uint16_t version;
    struct nc_span random, session_id;
    uint32_t cipher_len; /* bytes */
    bool has_ext_block;
    uint32_t ext_len; /* bytes */
    struct u16list ciphers, exts, groups, sigalgs, versions;
    uint8_t points[255], comp[255];
    uint32_t n_points, n_comp;
    bool has_sni, ocsp, early_data;
    struct nc_span sni;
    struct nc_span alpn[TLS_MAX_ALPN];
    uint32_t n_alpn;
};

struct server_hello {
    uint16_t version;
    struct nc_span random, session_id;
    uint16_t cipher;
    uint8_t comp;
    struct u16list exts;
    bool npn, ocsp, ticket, reneg, ems, psk, has_alpn;
    struct nc_span reneg_data, alpn, cookie;
    struct nc_span npn_names[TLS_MAX_ALPN];
    uint32_t n_npn;
    struct nc_span scts[TLS_MAX_SCT];
    uint32_t n_scts;
    uint16_t selected_version, selected_identity, selected_group;
};

static void client_ext(struct client_hello *ch, uint16_t type, struct nc_rd *x)
{
    switch (type) {
        case EXT_SERVER_NAME: {
            /* RFC 6066 3: | list len (2) | type (1) | len (2) | name | ... */
            ch->has_sni = true;
            struct nc_rd list = nc_rd_sub(x, nc_rd_be16(x));
            while (nc_rd_left(&list) >= 3) {
                uint8_t nt = nc_rd_u8(&list);
                struct nc_span name = nc_rd_span(&list, nc_rd_be16(&list));
                if (nc_rd_ok(&list) && nt == 0) {
                    ch->sni = name;
                    break;
                }
            }
            break;
        }
        case EXT_STATUS_REQUEST:
            ch->ocsp = true;
            break;
        case EXT_SUPPORTED_GROUPS: {
            struct nc_rd l = nc_rd_sub(x, nc_rd_be16(x));
            read_u16s(&l, &ch->groups);
            break;
        }
        case EXT_EC_POINT_FORMATS: {
            struct nc_rd l = nc_rd_sub(x, nc_rd_u8(x));
            ch->n_points = 0;
            while (nc_rd_left(&l) > 0) {
                ch->points[ch->n_points++] = nc_rd_u8(&l);
            }
            break;
        }
        case EXT_SIGNATURE_ALGORITHMS: {
            struct nc_rd l = nc_rd_sub(x, nc_rd_be16(x));
            read_u16s(&l, &ch->sigalgs);
            break;
        }
        case EXT_ALPN: {
            struct nc_rd l = nc_rd_sub(x, nc_rd_be16(x));
            ch->n_alpn = read_names(&l, ch->alpn, TLS_MAX_ALPN);
            break;
        }
        case EXT_EARLY_DATA:
            ch->early_data = true;
            break;
        case EXT_SUPPORTED_VERSIONS: {
            struct nc_rd l = nc_rd_sub(x, nc_rd_u8(x));
            read_u16s(&l, &ch->versions);
            break;
        }
        default:
            break;
    }
}

/*
 * struct {
 *     ProtocolVersion legacy_version;             2
 *     Random random;                              32
 *     opaque legacy_session_id<0..32>;            1 + n
 *     CipherSuite cipher_suites<2..2^16-2>;       2 + n
 *     opaque legacy_compression_methods<1..2^8-1>; 1 + n
 *     Extension extensions<8..2^16-1>;            2 + n (absent in old hellos)
 * } ClientHello;
 * Returns false if the fixed structure does not fit the message; bad
 * contents inside one extension only lose that extension's values.
 */
static bool parse_client_hello(struct client_hello *ch, const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    ch->version = nc_rd_be16(&r);
    ch->random = nc_rd_span(&r, 32);
    ch->session_id = nc_rd_span(&r, nc_rd_u8(&r));
    ch->cipher_len = nc_rd_be16(&r);
    struct nc_rd cs = nc_rd_sub(&r, ch->cipher_len);
    read_u16s(&cs, &ch->ciphers);
    struct nc_rd cm = nc_rd_sub(&r, nc_rd_u8(&r));
    while (nc_rd_left(&cm) > 0) {
        ch->comp[ch->n_comp++] = nc_rd_u8(&cm);
    }
    if (!nc_rd_ok(&r)) {
        return false;
    }
    if (nc_rd_left(&r) == 0) {
        return true; /* no extensions (SSL 3.0 style) */
    }
    ch->has_ext_block = true;
    ch->ext_len = nc_rd_be16(&r);
    struct nc_rd ext = nc_rd_sub(&r, ch->ext_len);
    if (!nc_rd_ok(&r)) {
        return false; /* the extensions overrun the message */
    }
    while (nc_rd_left(&ext) >= 4) {
        uint16_t type = nc_rd_be16(&ext);
        struct nc_rd x = nc_rd_sub(&ext, nc_rd_be16(&ext));
        if (!nc_rd_ok(&ext)) {
            break; /* truncated last extension: not listed */
        }
        list_add(&ch->exts, type);
        client_ext(ch, type, &x);
    }
    return true;
}

static void server_ext(struct server_hello *sh, uint16_t type, struct nc_rd *x)
{
    switch (type) {
        case EXT_STATUS_REQUEST:
            sh->ocsp = true;
            break;
        case EXT_ALPN: {
            struct nc_rd l = nc_rd_sub(x, nc_rd_be16(x));
            struct nc_span one[1];
            if (read_names(&l, one, 1) > 0) {
                sh->has_alpn = true;
                sh->alpn = one[0];
            }
            break;
        }
        case EXT_SCT: {
            /* RFC 6962 3.3: | list len (2) | len (2) | sct | ... */
            struct nc_rd l = nc_rd_sub(x, nc_rd_be16(x));
            while (nc_rd_left(&l) >= 2) {
                struct nc_span sct = nc_rd_span(&l, nc_rd_be16(&l));
                if (!nc_rd_ok(&l)) {
                    break;
                }
                if (sh->n_scts < TLS_MAX_SCT) {
                    sh->scts[sh->n_scts++] = sct;
                }
            }
            break;
        }
        case EXT_EMS:
            sh->ems = true;
            break;
        case EXT_SESSION_TICKET:
            sh->ticket = true;
            break;
        case EXT_PRE_SHARED_KEY:
            sh->selected_identity = nc_rd_be16(x);
            sh->psk = nc_rd_ok(x);
            break;
        case EXT_SUPPORTED_VERSIONS:
            sh->selected_version = nc_rd_be16(x);
            break;
        case EXT_COOKIE:
            sh->cookie = nc_rd_span(x, nc_rd_be16(x));
            break;
        case EXT_KEY_SHARE:
            /* ServerHello: KeyShareEntry; HelloRetryRequest: the group alone */
            sh->selected_group = nc_rd_be16(x);
            break;
        case EXT_NPN:
            sh->npn = true;
            sh->n_npn = read_names(x, sh->npn_names, TLS_MAX_ALPN);
            break;
        case EXT_RENEGOTIATION_INFO:
            /* RFC 5746 3.2: | len (1) | renegotiated_connection | */
            sh->reneg = true;
            sh->reneg_data = nc_rd_span(x, nc_rd_u8(x));
            break;
        default:
            break;
    }
}

/*
 * struct {
 *     ProtocolVersion legacy_version;             2
 *     Random random;                              32
 *     opaque legacy_session_id_echo<0..32>;       1 + n
 *     CipherSuite cipher_suite;                   2
 *     uint8 legacy_compression_method;            1
 *     Extension extensions<6..2^16-1>;            2 + n (optional before 1.3)
 * } ServerHello;
 */
static bool parse_server_hello(struct server_hello *sh, const uint8_t *p, size_t n, bool *hrr)
{
    struct nc_rd r = nc_rd_make(p, n);
    sh->version = nc_rd_be16(&r);
    sh->random = nc_rd_span(&r, 32);
    sh->session_id = nc_rd_span(&r, nc_rd_u8(&r));
    sh->cipher = nc_rd_be16(&r);
    sh->comp = nc_rd_u8(&r);
    if (!nc_rd_ok(&r)) {
        return false;
    }
    *hrr = memcmp(sh->random.p, hrr_random, sizeof(hrr_random)) == 0;
    if (nc_rd_left(&r) == 0) {
        return true;
    }
    struct nc_rd ext = nc_rd_sub(&r, nc_rd_be16(&r));
    if (!nc_rd_ok(&r)) {
        return false;
    }
    while (nc_rd_left(&ext) >= 4) {
        uint16_t type = nc_rd_be16(&ext);
        struct nc_rd x = nc_rd_sub(&ext, nc_rd_be16(&ext));
        if (!nc_rd_ok(&ext)) {
            break;
        }
        list_add(&sh->exts, type);
        server_ext(sh, type, &x);
    }
    return true;
}

/* ------------------------------------------------------- fingerprints */

/* A string being built in the record's scratch arena; cap is exact. */
struct sb {
    char *p;
    size_t len, cap;
};

static bool sb_init(struct nc_stream *s, struct sb *b, size_t cap)
{
    b->p = nc_stream_alloc(s, cap + 1);
    b->len = 0;
    b->cap = b->p ? cap : 0;
    if (b->p) {
        b->p[0] = '\0';
    }
    return b->p != NULL;
}

static void sb_putc(struct sb *b, char c)
{
    if (b->len < b->cap) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
    }
}

static void sb_dec(struct sb *b, unsigned v)
{
    char t[12];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        sb_putc(b, t[--n]);
    }
}

static const char hexdig[] = "0123456789abcdef";

static void sb_hex4(struct sb *b, uint16_t v)
{
    sb_putc(b, hexdig[v >> 12]);
    sb_putc(b, hexdig[(v >> 8) & 15]);
    sb_putc(b, hexdig[(v >> 4) & 15]);
    sb_putc(b, hexdig[v & 15]);
}

/* Non-GREASE values of l, '-' joined, decimal (JA3). */
static void sb_ja3_list(struct sb *b, const uint16_t *v, size_t n)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (is_grease(v[i])) {
            continue;
        }
        if (!first) {
            sb_putc(b, '-');
        }
        sb_dec(b, v[i]);
        first = false;
    }
}

static void sb_hex_list(struct sb *b, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) {
            sb_putc(b, ',');
        }
        sb_hex4(b, v[i]);
    }
}

/* Lowercase hex of a digest of p (MD5 or SHA-256), first hex_len chars;
 * "" if the digest fails. out holds hex_len + 1. */
static void digest_hex(const EVP_MD *md, const char *p, size_t n, char *out, size_t hex_len)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    out[0] = '\0';
    if (EVP_Digest(p, n, d, &dl, md, NULL) != 1 || hex_len > 2 * (size_t)dl) {
        return;
    }
    for (size_t i = 0; i < hex_len; i++) {
        out[i] = hexdig[(i & 1) ? d[i / 2] & 15 : d[i / 2] >> 4];
    }
    out[hex_len] = '\0';
}

static char *md5_hex(struct nc_stream *s, const struct sb *b)
{
    char *h = nc_stream_alloc(s, 33);
    if (!h) {
        return NULL;
    }
    digest_hex(EVP_md5(), b->p, b->len, h, 32);
    return h;
}

/* JA4 b/c part: 12 hex of SHA-256, or zeros for an empty input. */
static void ja4_hash(const struct sb *b, char out[TLS_FP_HEX + 1])
{
    if (b->len == 0) {
        memcpy(out, "000000000000", TLS_FP_HEX + 1);
        return;
    }
    digest_hex(EVP_sha256(), b->p, b->len, out, TLS_FP_HEX);
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
        case 0x0304:
            return "13";
        case 0x0303:
            return "12";
        case 0x0302:
            return "11";
        case 0x0301:
            return "10";
        case 0x0300:
            return "s3";
        case 0x0002:
            return "s2";
        case 0xfeff:
            return "d1";
        case 0xfefd:
            return "d2";
        case 0xfefc:
            return "d3";
        default:
            return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4 ALPN pair of one protocol name (JA4.md "ALPN Extension Value"). */
static void ja4_alpn(const struct nc_span *a, char out[3])
{
    out[0] = out[1] = '0';
    out[2] = '\0';
    if (!a || a->len == 0) {
        return;
    }
    uint8_t first = a->p[0], last = a->p[a->len - 1];
    if (is_alnum(first) && is_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hexdig[first >> 4];
        out[1] = hexdig[last & 15];
    }
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Non-GREASE values of l copied to out (sorted if asked); returns the count. */
static uint32_t clean_list(const struct u16list *l, uint16_t *out, bool sort, bool drop_sni_alpn)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        uint16_t v = l->v[i];
        if (is_grease(v) || (drop_sni_alpn && (v == EXT_SERVER_NAME || v == EXT_ALPN))) {
            continue;
        }
        out[n++] = v;
    }
    if (sort && n > 1) {
        qsort(out, n, sizeof(*out), cmp_u16);
    }
    return n;
}

static uint16_t max_version(const struct u16list *l, bool *found)
{
    uint16_t best = 0;
    *found = false;
    for (uint32_t i = 0; i < l->n; i++) {
        if (!is_grease(l->v[i]) && (!*found || l->v[i] > best)) {
            best = l->v[i];
            *found = true;
        }
    }
    return best;
}

static void client_fingerprints(struct nc_stream *s, Netcap__TLSClientHello *rec,
        const struct client_hello *ch, uint16_t *tmp)
{
    /* JA3 */
    struct sb b;
    size_t cap = 6 * ((size_t)ch->ciphers.n + ch->exts.n + ch->groups.n + ch->n_points) + 16;
    if (!sb_init(s, &b, cap)) {
        return;
    }
    sb_dec(&b, ch->version);
    sb_putc(&b, ',');
    sb_ja3_list(&b, ch->ciphers.v, ch->ciphers.n);
    sb_putc(&b, ',');
    sb_ja3_list(&b, ch->exts.v, ch->exts.n);
    sb_putc(&b, ',');
    sb_ja3_list(&b, ch->groups.v, ch->groups.n);
    sb_putc(&b, ',');
    for (uint32_t i = 0; i < ch->n_points; i++) {
        if (i) {
            sb_putc(&b, '-');
        }
        sb_dec(&b, ch->points[i]);
    }
    rec->ja3_string = b.p;
    char *h = md5_hex(s, &b);
    if (h) {
        rec->ja3 = h;
    }

    /* JA4 a */
    bool has_sv;
    uint16_t ver = max_version(&ch->versions, &has_sv);
    if (!has_sv) {
        ver = ch->version;
    }
    uint32_t nc = clean_list(&ch->ciphers, tmp, false, false);
    uint32_t ne = clean_list(&ch->exts, tmp, false, false);
    char alpn[3];
    ja4_alpn(ch->n_alpn ? &ch->alpn[0] : NULL, alpn);
    char a[16];
    int an = snprintf(a, sizeof(a), "t%s%c%02u%02u%s", ja4_version(ver), ch->has_sni ? 'd' : 'i',
            NC_MIN(nc, 99u), NC_MIN(ne, 99u), alpn);
    if (an != 10) {
        return;
    }

    /* JA4 b: sorted ciphers */
    struct sb bc;
    if (!sb_init(s, &bc, 5 * (size_t)ch->ciphers.n + 1)) {
        return;
    }
    nc = clean_list(&ch->ciphers, tmp, true, false);
    sb_hex_list(&bc, tmp, nc);

    /* JA4 c: sorted extensions without SNI and ALPN, '_', signature algorithms */
    struct sb bx;
    if (!sb_init(s, &bx, 5 * ((size_t)ch->exts.n + ch->sigalgs.n) + 2)) {
        return;
    }
    ne = clean_list(&ch->exts, tmp, true, true);
    sb_hex_list(&bx, tmp, ne);
    uint32_t ns = clean_list(&ch->sigalgs, tmp, false, false);
    if (ns) {
        sb_putc(&bx, '_');
        sb_hex_list(&bx, tmp, ns);
    }
    char hb[TLS_FP_HEX + 1], hc[TLS_FP_HEX + 1];
    ja4_hash(&bc, hb);
    /* an empty extension list is "000000000000" even with signature algorithms */
    if (ne == 0) {
        memcpy(hc, "000000000000", TLS_FP_HEX + 1);
    } else {
        ja4_hash(&bx, hc);
    }
    rec->ja4 = nc_stream_strf(s, "%s_%s_%s", a, hb, hc);
    rec->ja4_r = nc_stream_strf(s, "%s_%s_%s", a, bc.p, bx.p);
}

static void server_fingerprints(
        struct nc_stream *s, Netcap__TLSServerHello *rec, const struct server_hello *sh)
{
    struct sb b;
    if (!sb_init(s, &b, 6 * (size_t)sh->exts.n + 16)) {
        return;
    }
    sb_dec(&b, sh->version);
    sb_putc(&b, ',');
    sb_dec(&b, sh->cipher);
    sb_putc(&b, ',');
    sb_ja3_list(&b, sh->exts.v, sh->exts.n);
    rec->ja3s_string = b.p;
    char *h = md5_hex(s, &b);
    if (h) {
        rec->ja3s = h;
    }

    uint16_t ver = sh->selected_version ? sh->selected_version : sh->version;
    uint32_t ne = 0;
    struct sb bx;
    if (!sb_init(s, &bx, 5 * (size_t)sh->exts.n + 1)) {
        return;
    }
    for (uint32_t i = 0; i < sh->exts.n; i++) {
        if (is_grease(sh->exts.v[i])) {
            continue;
        }
        if (ne++) {
            sb_putc(&bx, ',');
        }
        sb_hex4(&bx, sh->exts.v[i]);
    }
    char alpn[3], hx[TLS_FP_HEX + 1];
    ja4_alpn(sh->has_alpn ? &sh->alpn : NULL, alpn);
    ja4_hash(&bx, hx);
    rec->ja4s = nc_stream_strf(
            s, "t%s%02u%s_%04x_%s", ja4_version(ver), NC_MIN(ne, 99u), alpn, sh->cipher, hx);
}

/* ------------------------------------------------------------ records */

/* A repeated int32 field from n values that are 8 or 16 bits wide (v16
 * NULL: v8). */
static int32_t *ints_of(
        struct nc_stream *s, const uint8_t *v8, const uint16_t *v16, size_t n, size_t *out_n)
{
    *out_n = 0;
    if (n == 0) {
        return NULL;
    }
    int32_t *a = nc_stream_alloc(s, n * sizeof(*a));
    if (!a) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = v16 ? v16[i] : v8[i];
    }
    *out_n = n;
    return a;
}

static int32_t *ints_u16(struct nc_stream *s, const uint16_t *v, size_t n, size_t *out_n)
{
    return ints_of(s, NULL, v, n, out_n);
}

static int32_t *ints_u8(struct nc_stream *s, const uint8_t *v, size_t n, size_t *out_n)
{
    return ints_of(s, v, NULL, n, out_n);
}

static char **names(struct nc_stream *s, const struct nc_span *v, size_t n, size_t *out_n)
{
    *out_n = 0;
    if (n == 0) {
        return NULL;
    }
    char **a = nc_stream_alloc(s, n * sizeof(*a));
    if (!a) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = nc_stream_str(s, v[i].p, v[i].len);
    }
    *out_n = n;
    return a;
}

static ProtobufCBinaryData bin(struct nc_span sp)
{
    ProtobufCBinaryData d = { sp.len, (uint8_t *)(uintptr_t)sp.p };
    return d;
}

struct hs_ctx {
    struct nc_stream *s;
    struct tls_state *st;
    int dir;
    int64_t ts;
    uint16_t rec_version, rec_len;
};

static void emit_client_hello(const struct hs_ctx *c, const struct client_hello *ch, size_t len)
{
    Netcap__TLSClientHello *rec = nc_stream_record(c->s, NC_REC_TLSClientHello, c->dir, c->ts);
    if (!rec) {
        return;
    }
    struct nc_stream *s = c->s;
    rec->type = CT_HANDSHAKE;
    rec->version = c->rec_version;
    rec->message_len = c->rec_len;
    rec->handshake_type = HS_CLIENT_HELLO;
    rec->handshake_len = (uint32_t)len;
    rec->handshake_version = ch->version;
    rec->random = bin(ch->random);
    rec->session_id_len = (uint32_t)ch->session_id.len;
    rec->session_id = bin(ch->session_id);
    rec->cipher_suite_len = (int32_t)ch->cipher_len;
    rec->extension_len = (int32_t)ch->ext_len;
    if (ch->sni.p) {
        rec->sni = nc_stream_str(s, ch->sni.p, ch->sni.len);
    }
    rec->ocsp = ch->ocsp;
    rec->cipher_suites = ints_u16(s, ch->ciphers.v, ch->ciphers.n, &rec->n_cipher_suites);
    rec->compress_methods = ints_u8(s, ch->comp, ch->n_comp, &rec->n_compress_methods);
    rec->signature_algs = ints_u16(s, ch->sigalgs.v, ch->sigalgs.n, &rec->n_signature_algs);
    rec->supported_groups = ints_u16(s, ch->groups.v, ch->groups.n, &rec->n_supported_groups);
    rec->supported_points = ints_u8(s, ch->points, ch->n_points, &rec->n_supported_points);
    rec->alpns = names(s, ch->alpn, ch->n_alpn, &rec->n_alpns);
    rec->extensions = ints_u16(s, ch->exts.v, ch->exts.n, &rec->n_extensions);
    rec->supported_versions =
            ints_u16(s, ch->versions.v, ch->versions.n, &rec->n_supported_versions);
    uint16_t *tmp = nc_stream_alloc(s, TLS_MAX_LIST * sizeof(uint16_t));
    if (tmp) {
        client_fingerprints(s, rec, ch, tmp);
    }
    nc_stream_emit(s, rec);
}

static void emit_server_hello(const struct hs_ctx *c, const struct server_hello *sh)
{
    Netcap__TLSServerHello *rec = nc_stream_record(c->s, NC_REC_TLSServerHello, c->dir, c->ts);
    if (!rec) {
        return;
    }
    struct nc_stream *s = c->s;
    rec->version = sh->version;
    rec->random = bin(sh->random);
    rec->session_id = bin(sh->session_id);
    rec->cipher_suite = sh->cipher;
    rec->compression_method = sh->comp;
    rec->next_proto_neg = sh->npn;
    rec->next_protos = names(s, sh->npn_names, sh->n_npn, &rec->n_next_protos);
    rec->ocsp_stapling = sh->ocsp;
    rec->ticket_supported = sh->ticket;
    rec->secure_renegotiation_supported = sh->reneg;
    rec->secure_renegotiation = bin(sh->reneg_data);
    if (sh->has_alpn) {
        rec->alpn_protocol = nc_stream_str(s, sh->alpn.p, sh->alpn.len);
    }
    rec->ems = sh->ems;
    if (sh->n_scts) {
        rec->scts = nc_stream_alloc(s, sh->n_scts * sizeof(*rec->scts));
        if (rec->scts) {
            for (uint32_t i = 0; i < sh->n_scts; i++) {
                rec->scts[i] = bin(sh->scts[i]);
            }
            rec->n_scts = sh->n_scts;
        }
    }
    rec->supported_version = sh->selected_version;
    rec->selected_identity_present = sh->psk;
    rec->selected_identity = sh->selected_identity;
    rec->cookie = bin(sh->cookie);
    rec->selected_group = sh->selected_group;
    rec->extensions = ints_u16(s, sh->exts.v, sh->exts.n, &rec->n_extensions);
    rec->record_version = c->rec_version;
    server_fingerprints(s, rec, sh);
    nc_stream_emit(s, rec);
}

/* One complete handshake message body (type 1 or 2). Returns 0 to go on,
 * NC_PARSE_ERROR for a malformed hello, NC_PARSE_DONE after the
 * ServerHello. */
static int hello(const struct hs_ctx *c, uint8_t type, const uint8_t *p, size_t n)
{
    struct tls_state *st = c->st;
    if (type == HS_CLIENT_HELLO) {
        struct client_hello ch;
        memset(&ch, 0, sizeof(ch));
        if (!parse_client_hello(&ch, p, n)) {
            return NC_PARSE_ERROR;
        }
        st->early_data = ch.early_data;
        if (st->client_hellos < UINT8_MAX) {
            st->client_hellos++;
        }
        emit_client_hello(c, &ch, n);
        return 0;
    }
    struct server_hello sh;
    memset(&sh, 0, sizeof(sh));
    bool hrr = false;
    if (!parse_server_hello(&sh, p, n, &hrr)) {
        return NC_PARSE_ERROR;
    }
    emit_server_hello(c, &sh);
    if (hrr && !st->hrr) {
        st->hrr = true; /* a second ClientHello follows, then the ServerHello */
        return 0;
    }
    return NC_PARSE_DONE;
}

static void drop_msg(struct nc_stream *s, struct tls_dir *d)
{
    if (d->msg) {
        nc_stream_free(s, d->msg, d->msg_len);
        d->msg = NULL;
    }
    d->msg_len = d->msg_have = 0;
}

/* The fragment of one handshake record: collect headers, skip what is not
 * a hello, parse hellos in place or after buffering them across records. */
static int handshake(struct hs_ctx *c, struct tls_dir *d, struct nc_rd *r)
{
    while (nc_rd_left(r) > 0) {
        if (d->skip) {
            size_t k = NC_MIN((size_t)d->skip, nc_rd_left(r));
            nc_rd_skip(r, k);
            d->skip -= (uint32_t)k;
            continue;
        }
        if (d->msg) {
            size_t k = NC_MIN((size_t)(d->msg_len - d->msg_have), nc_rd_left(r));
            (void)nc_rd_copy(r, d->msg + d->msg_have, k);
            d->msg_have += (uint32_t)k;
            if (d->msg_have < d->msg_len) {
                continue;
            }
            c->rec_version = d->rec_version;
            c->rec_len = d->rec_len;
            int rc = hello(c, d->hdr[0], d->msg, d->msg_len);
            drop_msg(c->s, d);
            d->hdr_n = 0;
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        if (d->hdr_n == 0) {
            d->rec_version = c->rec_version;
            d->rec_len = c->rec_len;
        }
        while (d->hdr_n < 4 && nc_rd_left(r) > 0) {
            d->hdr[d->hdr_n++] = nc_rd_u8(r);
        }
        if (d->hdr_n < 4) {
            break;
        }
        uint8_t type = d->hdr[0];
        uint32_t len = (uint32_t)d->hdr[1] << 16 | (uint32_t)d->hdr[2] << 8 | d->hdr[3];
        if (type != HS_CLIENT_HELLO && type != HS_SERVER_HELLO) {
            d->skip = len; /* certificates & co: not needed, never buffered */
            d->hdr_n = 0;
            continue;
        }
        if (len > TLS_HELLO_MAX) {
            return NC_PARSE_ERROR; /* no hello is that large: refuse to buffer it */
        }
        if (nc_rd_left(r) >= len) {
            struct nc_span body = nc_rd_span(r, len);
            c->rec_version = d->rec_version;
            c->rec_len = d->rec_len;
            d->hdr_n = 0;
            int rc = hello(c, type, body.p, body.len);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        /* the hello continues in the next record(s) */
        d->msg = nc_stream_malloc(c->s, len);
        if (!d->msg) {
            return NC_PARSE_ERROR; /* budget refused: give up on the flow */
        }
        d->msg_len = len;
        d->msg_have = 0;
    }
    return 0;
}

/* ------------------------------------------------------------ SSL 2.0 */

/*
 * SSL 2.0 compatible ClientHello (RFC 5246 E.2):
 *   | 1 len_hi (high bit set) | len_lo | msg_type (1) | version (2) |
 *   | cipher_spec_length (2) | session_id_length (2) | challenge_length (2) |
 *   | cipher_specs (3 each) | session_id | challenge |
 * Recorded with type 0, record version 2 and the 24-bit cipher specs; no
 * fingerprints (JA3 and JA4 define none for it).
 */
static long ssl2_hello(
        struct nc_stream *s, struct tls_state *st, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    struct nc_rd r = nc_rd_make(p, n);
    size_t len = (size_t)(nc_rd_be16(&r) & 0x7fff);
    if (!nc_rd_ok(&r)) {
        return 0;
    }
    if (len < 9 || len > TLS_SSL2_MAX) {
        return NC_PARSE_ERROR;
    }
    if (nc_rd_left(&r) < len) {
        return 0; /* wait for the whole record */
    }
    struct nc_rd m = nc_rd_sub(&r, len);
    uint8_t type = nc_rd_u8(&m);
    uint16_t version = nc_rd_be16(&m);
    uint16_t cs_len = nc_rd_be16(&m), sid_len = nc_rd_be16(&m), ch_len = nc_rd_be16(&m);
    struct nc_rd cs = nc_rd_sub(&m, cs_len);
    struct nc_span sid = nc_rd_span(&m, sid_len);
    struct nc_span challenge = nc_rd_span(&m, ch_len);
    if (!nc_rd_ok(&m) || type != HS_CLIENT_HELLO) {
        return NC_PARSE_ERROR;
    }
    if (st->client_hellos < UINT8_MAX) {
        st->client_hellos++;
    }
    Netcap__TLSClientHello *rec = nc_stream_record(s, NC_REC_TLSClientHello, dir, ts);
    if (rec) {
        rec->type = 0;
        rec->version = 2;
        rec->message_len = (int32_t)len;
        rec->handshake_type = HS_CLIENT_HELLO;
        rec->handshake_len = (uint32_t)len - 1;
        rec->handshake_version = version;
        rec->random = bin(challenge);
        rec->session_id_len = sid_len;
        rec->session_id = bin(sid);
        rec->cipher_suite_len = cs_len;
        size_t nspec = NC_MIN((size_t)cs_len / 3, (size_t)TLS_MAX_LIST);
        rec->cipher_suites = nspec ? nc_stream_alloc(s, nspec * sizeof(int32_t)) : NULL;
        if (rec->cipher_suites) {
            for (size_t i = 0; i < nspec; i++) {
                rec->cipher_suites[i] = (int32_t)nc_rd_be24(&cs);
            }
            rec->n_cipher_suites = nspec;
        }
        nc_stream_emit(s, rec);
    }
    return (long)(2 + len);
}

/* --------------------------------------------------------------- glue */

static bool plausible_version(uint8_t major, uint8_t minor)
{
    return major == 3 && minor <= 4;
}

static enum nc_probe tls_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    if (n < 1) {
        return NC_PROBE_MORE;
    }
    /* SSL 2.0 compatible ClientHello (client side only) */
    if ((p[0] & 0x80) && dir == 0) {
        if (n < 5) {
            return NC_PROBE_MORE;
        }
        size_t len = (size_t)(p[0] & 0x7f) << 8 | p[1];
        bool ok = len >= 9 && len <= TLS_SSL2_MAX && p[2] == HS_CLIENT_HELLO &&
                  ((p[3] == 3 && p[4] <= 4) || (p[3] == 0 && p[4] == 2));
        return ok ? NC_PROBE_YES : NC_PROBE_NO;
    }
    if (p[0] != CT_HANDSHAKE) {
        return NC_PROBE_NO;
    }
    if (n < TLS_REC_HDR) {
        return NC_PROBE_MORE;
    }
    size_t len = (size_t)p[3] << 8 | p[4];
    if (!plausible_version(p[1], p[2]) || len == 0 || len > TLS_REC_MAX) {
        return NC_PROBE_NO;
    }
    /* the handshake type: 1 from the client, 2 from the server */
    if (n < 6) {
        return NC_PROBE_MORE;
    }
    if (p[5] != (dir == 0 ? HS_CLIENT_HELLO : HS_SERVER_HELLO)) {
        return NC_PROBE_NO;
    }
    if (by_port) {
        return NC_PROBE_YES;
    }
    /* by content alone: the hello's own version must look like TLS too */
    if (len < 6 || n < 11) {
        return len < 6 ? NC_PROBE_NO : NC_PROBE_MORE;
    }
    return plausible_version(p[9], p[10]) ? NC_PROBE_YES : NC_PROBE_NO;
}

/* Does a handshake record after ChangeCipherSpec start with a plaintext
 * hello? The second ClientHello after a HelloRetryRequest that was not
 * captured (RFC 8446 D.4) would otherwise be taken for an encrypted
 * Finished; that one matching | 1 or 2 | len (3) fitting | 03 0x | is a
 * 1 in 2^30 coincidence. */
static bool plain_hello(const struct nc_rd *frag)
{
    uint8_t type = nc_rd_peek(frag, 0);
    size_t len = (size_t)nc_rd_peek(frag, 1) << 16 | (size_t)nc_rd_peek(frag, 2) << 8 |
                 nc_rd_peek(frag, 3);
    return nc_rd_left(frag) >= 6 && (type == HS_CLIENT_HELLO || type == HS_SERVER_HELLO) &&
           len + 4 >= nc_rd_left(frag) && len <= TLS_HELLO_MAX &&
           plausible_version(nc_rd_peek(frag, 4), nc_rd_peek(frag, 5));
}

static long tls_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    struct tls_state *st = state;
    struct tls_dir *d = &st->d[dir & 1];
    if (d->lost) {
        return (long)n;
    }
    size_t off = 0;
    if (!d->started && n > 0 && (p[0] & 0x80)) {
        long r = ssl2_hello(s, st, dir, p, n, ts);
        if (r <= 0) {
            return r;
        }
        off = (size_t)r;
        d->started = true;
    }
    struct hs_ctx c = { s, st, dir & 1, ts, 0, 0 };
    struct nc_rd r = nc_rd_make(p, n);
    nc_rd_skip(&r, off);
    while (nc_rd_left(&r) >= TLS_REC_HDR) {
        uint8_t type = nc_rd_peek(&r, 0);
        uint8_t major = nc_rd_peek(&r, 1);
        size_t len = (size_t)nc_rd_peek(&r, 3) << 8 | nc_rd_peek(&r, 4);
        /* framing sanity: anything else is not TLS (or we lost sync) */
        if (type < CT_CCS || type > CT_HEARTBEAT || major != 3 || len > TLS_REC_MAX) {
            return NC_PARSE_ERROR;
        }
        if (nc_rd_left(&r) - TLS_REC_HDR < len) {
            break; /* wait for the rest of the record */
        }
        nc_rd_skip(&r, 1);
        uint16_t version = nc_rd_be16(&r);
        nc_rd_skip(&r, 2);
        struct nc_rd frag = nc_rd_sub(&r, len);
        d->started = true;
        int rc = 0;
        switch (type) {
            case CT_HANDSHAKE:
                /* after ChangeCipherSpec handshake records are encrypted,
                 * except the hellos that follow a HelloRetryRequest
                 * (RFC 8446 D.4 middlebox compatibility) */
                if (d->ccs && !st->hrr && !d->msg) {
                    if (!plain_hello(&frag)) {
                        break;
                    }
                    d->skip = 0; /* a new hello: forget what came before */
                    d->hdr_n = 0;
                }
                c.rec_version = version;
                c.rec_len = (uint16_t)len;
                rc = handshake(&c, d, &frag);
                break;
            case CT_CCS:
                d->ccs = true;
                if (st->d[0].ccs && st->d[1].ccs && !st->hrr) {
                    rc = NC_PARSE_DONE;
                }
                break;
            case CT_APPDATA:
                /* encrypted from here on; only 0-RTT data from the client
                 * may come before the ServerHello */
                if (dir != 0 || !st->early_data) {
                    rc = NC_PARSE_DONE;
                }
                break;
            default: /* alerts, heartbeats */
                break;
        }
        if (rc != 0) {
            return rc;
        }
    }
    return (long)r.off;
}

static int tls_gap(struct nc_stream *s, void *state, int dir, uint64_t n, int64_t ts)
{
    NC_UNUSED(n);
    NC_UNUSED(ts);
    struct tls_state *st = state;
    struct tls_dir *d = &st->d[dir & 1];
    /* the framing of this direction is lost; the other one may still give
     * its hello (a lost server side leaves nothing to learn) */
    drop_msg(s, d);
    d->lost = true;
    if (st->d[0].lost && st->d[1].lost) {
        return NC_PARSE_DONE;
    }
    /* without the server side only a ClientHello still to come is of use */
    return st->d[1].lost && st->client_hellos > 0 ? NC_PARSE_DONE : 0;
}

static void tls_close(struct nc_stream *s, void *state, int64_t ts)
{
    NC_UNUSED(ts);
    struct tls_state *st = state;
    drop_msg(s, &st->d[0]);
    drop_msg(s, &st->d[1]);
}

static const uint16_t tls_ports[] = { 443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061,
    8443, 4433, 3269 };
static const enum nc_rec_type tls_records[] = { NC_REC_TLSClientHello, NC_REC_TLSServerHello };

const struct nc_parser nc_parser_tls = {
    .name = "tls",
    .display = "TLS",
    .ports = tls_ports,
    .n_ports = NC_ARRAY_LEN(tls_ports),
    .records = tls_records,
    .n_records = NC_ARRAY_LEN(tls_records),
    .probe = tls_probe,
    .state_size = sizeof(struct tls_state),
    .max_buffer = TLS_REC_HDR + TLS_REC_MAX,
    .feed = tls_feed,
    .gap = tls_gap,
    .close = tls_close,
};
