/*
 * summary: Diameter messages -> Diameter records with their AVPs: SCTP
 *          DATA chunks (port 3868) here, TCP 3868 by the stream parser
 *          src/proto/diameter_tcp.c (nc_diameter_msg() for both).
 * spec:    RFC 6733 3 (header), 4.1 (AVP header), 4.2-4.3 (basic and derived
 *          formats), 4.5 (base protocol AVPs), 3.1 (command codes);
 *          RFC 4006 (Credit-Control command and AVPs).
 *
 *    0                   1                   2                   3
 *   +---------------+-----------------------------------------------+
 *   |    Version    |                 Message Length                |
 *   +---------------+-----------------------------------------------+
 *   | Command Flags |                  Command Code                 |
 *   +---------------+-----------------------------------------------+
 *   |                         Application-ID                        |
 *   |                      Hop-by-Hop Identifier                    |
 *   |                      End-to-End Identifier                    |
 *   +---------------------------------------------------------------+
 *   |  AVPs ...
 *
 *   AVP: | Code (4) | V M P r r r r r | Length (3) | [Vendor-ID (4)] | Data | pad to 4 |
 *
 * Decisions:
 *   - A header must have version 1, a length that is a multiple of 4 and
 *     at least 20, and the reserved flag bits clear (nc_diameter_frame()):
 *     on SCTP, found by port, the decoder declines otherwise; on TCP the
 *     stream parser stops reading that direction.
 *   - Each chunk is decoded on its own: every message in it gives a
 *     record, up to DIAM_MAX_MSGS. A message cut by the end of the bytes
 *     gives a record with the complete AVPs and the cut one (value as far as
 *     present) and NC_ETRUNC.
 *   - AVPs: at most DIAM_MAX_AVPS per message counting members of Grouped
 *     AVPs; Grouped AVPs are expanded DIAM_MAX_DEPTH levels deep (deeper ones
 *     keep their raw value). Either cap gives NC_ELIMIT. An AVP length below
 *     its header is NC_EMALFORMED and ends the list; a Grouped AVP whose
 *     members do not parse keeps its raw value and the members before.
 *   - Names and formats come from a table of the base protocol's AVPs (RFC
 *     6733 4.5, 8.x) and a few Credit-Control ones, for vendor id 0 only.
 *     decoded_value: UTF8String/DiameterIdentity/DiameterURI as text (UTF-8
 *     sanitised), Unsigned32/Enumerated/Integer32/Unsigned64/Integer64 in
 *     decimal, Address as an IP address, Time as "YYYY-MM-DDTHH:MM:SSZ".
 *     OctetString and unknown AVPs have only the raw value.
 */
#include "decode/appmsg.h"
#include "decode/decoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

enum {
    DIAM_PORT = 3868,
    DIAM_HDR_LEN = 20,
    DIAM_VERSION = 1,
    DIAM_AVP_HDR = 8,
    DIAM_AVP_VHDR = 12,
    DIAM_FLAG_R = 0x80,
    DIAM_FLAGS_RSVD = 0x0f,
    DIAM_AVP_V = 0x80,
    DIAM_MAX_MSGS = 8,   /* per DATA chunk */
    DIAM_MAX_AVPS = 128, /* per message, Grouped members included; a CER has ~15 */
    DIAM_MAX_DEPTH = 4,  /* Grouped nesting expanded; real messages use 2-3 */
    DIAM_TEXT_MAX = 48,  /* decimal numbers, addresses, times */
};

enum fmt {
    F_NONE = 0,
    F_OCTETS,
    F_UTF8,
    F_IDENT,
    F_URI,
    F_U32,
    F_I32,
    F_U64,
    F_ENUM,
    F_ADDR,
    F_TIME,
    F_GROUPED,
};

static const char *const fmt_names[] = {
    [F_NONE] = "",
    [F_OCTETS] = "OctetString",
    [F_UTF8] = "UTF8String",
    [F_IDENT] = "DiamIdent",
    [F_URI] = "DiamURI",
    [F_U32] = "Unsigned32",
    [F_I32] = "Integer32",
    [F_U64] = "Unsigned64",
    [F_ENUM] = "Enumerated",
    [F_ADDR] = "Address",
    [F_TIME] = "Time",
    [F_GROUPED] = "Grouped",
};

struct avp_def {
    uint32_t code;
    const char *name;
    enum fmt fmt;
};

/* vendor id 0; sorted by code */
static const struct avp_def avp_defs[] = {
    { 1, "User-Name", F_UTF8 },
    { 25, "Class", F_OCTETS },
    { 27, "Session-Timeout", F_U32 },
    { 33, "Proxy-State", F_OCTETS },
    { 44, "Accounting-Session-Id", F_OCTETS },
    { 50, "Acct-Multi-Session-Id", F_UTF8 },
    { 55, "Event-Timestamp", F_TIME },
    { 85, "Acct-Interim-Interval", F_U32 },
    { 257, "Host-IP-Address", F_ADDR },
    { 258, "Auth-Application-Id", F_U32 },
    { 259, "Acct-Application-Id", F_U32 },
    { 260, "Vendor-Specific-Application-Id", F_GROUPED },
    { 261, "Redirect-Host-Usage", F_ENUM },
    { 262, "Redirect-Max-Cache-Time", F_U32 },
    { 263, "Session-Id", F_UTF8 },
    { 264, "Origin-Host", F_IDENT },
    { 265, "Supported-Vendor-Id", F_U32 },
    { 266, "Vendor-Id", F_U32 },
    { 267, "Firmware-Revision", F_U32 },
    { 268, "Result-Code", F_U32 },
    { 269, "Product-Name", F_UTF8 },
    { 270, "Session-Binding", F_U32 },
    { 271, "Session-Server-Failover", F_ENUM },
    { 272, "Multi-Round-Time-Out", F_U32 },
    { 273, "Disconnect-Cause", F_ENUM },
    { 274, "Auth-Request-Type", F_ENUM },
    { 276, "Auth-Grace-Period", F_U32 },
    { 277, "Auth-Session-State", F_ENUM },
    { 278, "Origin-State-Id", F_U32 },
    { 279, "Failed-AVP", F_GROUPED },
    { 280, "Proxy-Host", F_IDENT },
    { 281, "Error-Message", F_UTF8 },
    { 282, "Route-Record", F_IDENT },
    { 283, "Destination-Realm", F_IDENT },
    { 284, "Proxy-Info", F_GROUPED },
    { 285, "Re-Auth-Request-Type", F_ENUM },
    { 287, "Accounting-Sub-Session-Id", F_U64 },
    { 291, "Authorization-Lifetime", F_U32 },
    { 292, "Redirect-Host", F_URI },
    { 293, "Destination-Host", F_IDENT },
    { 294, "Error-Reporting-Host", F_IDENT },
    { 295, "Termination-Cause", F_ENUM },
    { 296, "Origin-Realm", F_IDENT },
    { 297, "Experimental-Result", F_GROUPED },
    { 298, "Experimental-Result-Code", F_U32 },
    { 299, "Inband-Security-Id", F_U32 },
    { 415, "CC-Request-Number", F_U32 },
    { 416, "CC-Request-Type", F_ENUM },
    { 443, "Subscription-Id", F_GROUPED },
    { 444, "Subscription-Id-Data", F_UTF8 },
    { 450, "Subscription-Id-Type", F_ENUM },
    { 480, "Accounting-Record-Type", F_ENUM },
    { 483, "Accounting-Realtime-Required", F_ENUM },
    { 485, "Accounting-Record-Number", F_U32 },
};

static const struct {
    uint32_t code;
    const char *name;
} cmd_names[] = {
    { 257, "Capabilities-Exchange" },
    { 258, "Re-Auth" },
    { 271, "Accounting" },
    { 272, "Credit-Control" },
    { 274, "Abort-Session" },
    { 275, "Session-Termination" },
    { 280, "Device-Watchdog" },
    { 282, "Disconnect-Peer" },
};

static const struct {
    uint32_t id;
    const char *name;
} vendor_names[] = {
    { 5535, "3GPP2" },
    { 10415, "3GPP" },
    { 13019, "ETSI" },
};

static const struct avp_def *find_avp(uint32_t vendor, uint32_t code)
{
    if (vendor != 0) {
        return NULL;
    }
    size_t lo = 0, hi = NC_ARRAY_LEN(avp_defs);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (avp_defs[mid].code == code) {
            return &avp_defs[mid];
        }
        if (avp_defs[mid].code < code) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static char *cstr(const char *s)
{
    return (char *)(uintptr_t)s;
}

static char *cmd_name(uint32_t code)
{
    for (size_t i = 0; i < NC_ARRAY_LEN(cmd_names); i++) {
        if (cmd_names[i].code == code) {
            return cstr(cmd_names[i].name);
        }
    }
    return cstr("");
}

static char *vendor_name(uint32_t id)
{
    for (size_t i = 0; i < NC_ARRAY_LEN(vendor_names); i++) {
        if (vendor_names[i].id == id) {
            return cstr(vendor_names[i].name);
        }
    }
    return cstr("");
}

/* One message being parsed. */
struct diam {
    struct nc_app_out *o;
    bool build;  /* a record exists: store what is parsed */
    size_t avps; /* AVPs seen in this message */
    int err;     /* first problem (the verdict) */
};

static void note(struct diam *d, int err)
{
    if (d->err == NC_OK) {
        d->err = err;
    }
}

static char *text(struct nc_app_out *o, const char *fmt, ...) NC_PRINTF(2, 3);

static char *text(struct nc_app_out *o, const char *fmt, ...)
{
    char *s = nc_app_alloc(o, DIAM_TEXT_MAX);
    if (!s) {
        return cstr("");
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, DIAM_TEXT_MAX, fmt, ap);
    va_end(ap);
    return s;
}

static char *decode_value(struct nc_app_out *o, enum fmt f, struct nc_span v)
{
    struct nc_rd r = nc_rd_make(v.p, v.len);
    switch (f) {
        case F_UTF8:
        case F_IDENT:
        case F_URI:
            return nc_app_str(o, v.p, v.len);
        case F_U32:
        case F_ENUM:
            return v.len == 4 ? text(o, "%u", nc_rd_be32(&r)) : cstr("");
        case F_I32:
            return v.len == 4 ? text(o, "%d", (int32_t)nc_rd_be32(&r)) : cstr("");
        case F_U64:
            return v.len == 8 ? text(o, "%llu", (unsigned long long)nc_rd_be64(&r)) : cstr("");
        case F_ADDR: {
            uint16_t family = nc_rd_be16(&r);
            if (family == 1 && v.len == 6) {
                return nc_app_ip4(o, nc_rd_ptr(&r));
            }
            if (family == 2 && v.len == 18) {
                return nc_app_ip6(o, nc_rd_ptr(&r));
            }
            return cstr("");
        }
        case F_TIME: {
            if (v.len != 4) {
                return cstr("");
            }
            /* NTP seconds since 1900; RFC 6733 4.3.1: values with the top bit
             * clear are past the 2036 wrap */
            uint32_t ntp = nc_rd_be32(&r);
            int64_t secs = (int64_t)ntp - 2208988800LL + ((ntp & 0x80000000u) ? 0 : (1LL << 32));
            time_t t = (time_t)secs;
            struct tm tm;
            if (!gmtime_r(&t, &tm)) {
                return cstr("");
            }
            return text(o, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        default:
            return cstr("");
    }
}

/* Parse the AVPs in r (exactly a message body or a Grouped value) into
 * *out / *n_out (when building). depth counts Grouped levels above. */
static void parse_avps(
        struct diam *d, struct nc_rd *r, unsigned depth, Netcap__AVP ***out, size_t *n_out)
{
    struct nc_app_out *o = d->o;
    Netcap__AVP **v = NULL;
    size_t cap = 0;
    if (d->build && d->avps < DIAM_MAX_AVPS) {
        cap = NC_MIN(DIAM_MAX_AVPS - d->avps, nc_rd_left(r) / DIAM_AVP_HDR + 1);
        v = nc_app_alloc(o, cap * sizeof(*v));
    }
    size_t n = 0;
    while (nc_rd_left(r) > 0) {
        if (d->avps == DIAM_MAX_AVPS) {
            note(d, NC_ELIMIT);
            break;
        }
        uint32_t code = nc_rd_be32(r);
        uint8_t flags = nc_rd_u8(r);
        uint32_t len = nc_rd_be24(r);
        uint32_t vendor = 0;
        size_t hdr = DIAM_AVP_HDR;
        if (flags & DIAM_AVP_V) {
            vendor = nc_rd_be32(r);
            hdr = DIAM_AVP_VHDR;
        }
        if (!nc_rd_ok(r)) {
            note(d, NC_ETRUNC);
            break;
        }
        if (len < hdr) {
            note(d, NC_EMALFORMED);
            break;
        }
        size_t want = len - hdr;
        size_t have = NC_MIN(want, nc_rd_left(r));
        struct nc_rd val = nc_rd_sub(r, have);
        struct nc_span value = { nc_rd_ptr(&val), have };
        size_t pad = (4 - (len & 3u)) & 3u;
        size_t pad_have = NC_MIN(pad, nc_rd_left(r));
        nc_rd_skip(r, pad_have);
        d->avps++;
        const struct avp_def *def = find_avp(vendor, code);
        Netcap__AVP *a = NULL;
        if (v && n < cap) {
            a = nc_app_alloc(o, sizeof(*a));
            if (a) {
                netcap__avp__init(a);
                a->attribute_code = code;
                a->attribute_name = cstr(def ? def->name : "");
                a->attribute_format = cstr(fmt_names[def ? def->fmt : F_NONE]);
                a->flags = flags;
                a->header_len = (uint32_t)hdr;
                a->len = len;
                a->vendor_code = vendor;
                a->vendor_name = vendor_name(vendor);
                a->vendor_id = (flags & DIAM_AVP_V) ? text(o, "%u", vendor) : cstr("");
                a->padding = (uint32_t)pad_have;
                a->value = nc_app_bytes(value);
                a->value_len = (uint32_t)have;
                if (def && def->fmt != F_GROUPED && have == want) {
                    a->decoded_value = decode_value(o, def->fmt, value);
                }
                v[n++] = a;
            }
        }
        if (def && def->fmt == F_GROUPED && have == want) {
            if (depth + 1 >= DIAM_MAX_DEPTH) {
                note(d, NC_ELIMIT);
            } else {
                Netcap__AVP **kids = NULL;
                size_t n_kids = 0;
                parse_avps(d, &val, depth + 1, a ? &kids : NULL, &n_kids);
                if (a) {
                    a->avps = kids;
                    a->n_avps = n_kids;
                }
            }
        }
        if (have < want) {
            note(d, NC_ETRUNC);
            break;
        }
    }
    if (out) {
        *out = v;
        *n_out = n;
    }
}

/* Is the header at r's position a Diameter header? (does not move r) */
static bool header_ok(const struct nc_rd *r)
{
    if (nc_rd_left(r) < DIAM_HDR_LEN) {
        return false;
    }
    uint32_t len =
            (uint32_t)nc_rd_peek(r, 1) << 16 | (uint32_t)nc_rd_peek(r, 2) << 8 | nc_rd_peek(r, 3);
    return nc_rd_peek(r, 0) == DIAM_VERSION && len >= DIAM_HDR_LEN && (len & 3u) == 0 &&
           (nc_rd_peek(r, 4) & DIAM_FLAGS_RSVD) == 0;
}

long nc_diameter_frame(const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    if (n < DIAM_HDR_LEN) {
        return -1;
    }
    if (!header_ok(&r)) {
        return 0;
    }
    nc_rd_skip(&r, 1);
    return (long)nc_rd_be24(&r);
}

bool nc_diameter_plausible(const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    if (!header_ok(&r)) {
        return false;
    }
    nc_rd_skip(&r, 1);
    uint32_t len = nc_rd_be24(&r);
    nc_rd_skip(&r, 1);
    uint32_t code = nc_rd_be24(&r);
    if (cmd_name(code)[0] == '\0') {
        return false;
    }
    if (len == DIAM_HDR_LEN) {
        return true;
    }
    /* the first AVP: reserved flag bits clear, a length that holds its
     * header and fits in the message */
    nc_rd_skip(&r, 12 + 4); /* application, hop-by-hop, end-to-end; AVP code */
    uint8_t flags = nc_rd_u8(&r);
    uint32_t alen = nc_rd_be24(&r);
    return nc_rd_ok(&r) && len >= DIAM_HDR_LEN + DIAM_AVP_HDR && (flags & 0x1f) == 0 &&
           alen >= DIAM_AVP_HDR && alen <= len - DIAM_HDR_LEN;
}

int nc_diameter_msg(struct nc_app_out *o, const uint8_t *p, size_t n)
{
    struct nc_rd rd = nc_rd_make(p, n);
    struct nc_rd *r = &rd;
    if (!header_ok(r)) {
        return n < DIAM_HDR_LEN ? NC_ETRUNC : NC_EMALFORMED;
    }
    uint8_t version = nc_rd_u8(r);
    uint32_t len = nc_rd_be24(r);
    uint8_t flags = nc_rd_u8(r);
    uint32_t code = nc_rd_be24(r);
    uint32_t app = nc_rd_be32(r);
    uint32_t hbh = nc_rd_be32(r);
    uint32_t e2e = nc_rd_be32(r);
    size_t want = len - DIAM_HDR_LEN;
    size_t have = NC_MIN(want, nc_rd_left(r));
    struct nc_rd body = nc_rd_sub(r, have);
    Netcap__Diameter *rec = nc_app_record(o, NC_REC_Diameter);
    struct diam d = { o, rec != NULL, 0, NC_OK };
    if (rec) {
        rec->version = version;
        rec->flags = flags;
        rec->message_len = len;
        rec->command_code = code;
        rec->application_id = app;
        rec->hop_by_hop_id = hbh;
        rec->end_to_end_id = e2e;
        rec->request = (flags & DIAM_FLAG_R) != 0;
        rec->command_name = cmd_name(code);
        rec->transport = cstr(o->transport);
    }
    Netcap__AVP **avps = NULL;
    size_t n_avps = 0;
    parse_avps(&d, &body, 0, rec ? &avps : NULL, &n_avps);
    if (rec) {
        rec->avps = avps;
        rec->n_avps = n_avps;
        nc_app_emit(o, rec);
    }
    return d.err == NC_OK && have < want ? NC_ETRUNC : d.err;
}

/* SCTP 3868: every message of the DATA chunk, up to DIAM_MAX_MSGS (TCP is
 * the stream parser src/proto/diameter_tcp.c). */
static int diameter_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    if (!header_ok(r)) {
        return NC_DECLINE;
    }
    struct nc_app_out o = { .pkt = pkt, .src_port = pkt->ctx.src_port, .transport = "sctp" };
    int rc = NC_OK;
    for (size_t m = 0; nc_rd_left(r) > 0 && rc == NC_OK; m++) {
        if (m == DIAM_MAX_MSGS) {
            rc = NC_ELIMIT;
            break;
        }
        if (!header_ok(r)) {
            rc = nc_rd_left(r) < DIAM_HDR_LEN ? NC_ETRUNC : NC_EMALFORMED;
            break;
        }
        long len = nc_diameter_frame(nc_rd_ptr(r), nc_rd_left(r));
        struct nc_span msg = nc_rd_span(r, NC_MIN((size_t)len, nc_rd_left(r)));
        rc = nc_diameter_msg(&o, msg.p, msg.len);
    }
    pkt->ctx.proto[NC_LAYER_APP] = "Diameter";
    return rc;
}

static const struct nc_claim diameter_claims[] = {
    { NC_NS_SCTP_PORT, DIAM_PORT },
};
const struct nc_decoder nc_decoder_diameter = {
    .name = "diameter",
    .display = "Diameter",
    .layer = NC_LAYER_APP,
    .claims = diameter_claims,
    .n_claims = NC_ARRAY_LEN(diameter_claims),
    .decode = diameter_decode,
};
