/*
 * summary: DHCPv4 and BOOTP messages over UDP 67/68 -> DHCPv4 records.
 * spec:    RFC 2131 (DHCP), RFC 951 (BOOTP), RFC 2132 (options, 52 overload),
 *          RFC 4702 (81 client FQDN), RFC 6842 (61 in replies).
 *
 *    0                   1                   2                   3
 *   +---------------+---------------+---------------+---------------+
 *   |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 *   +---------------+---------------+---------------+---------------+
 *   |                            xid (4)                            |
 *   +-------------------------------+-------------------------------+
 *   |           secs (2)            |           flags (2)           |
 *   +-------------------------------+-------------------------------+
 *   | ciaddr (4) | yiaddr (4) | siaddr (4) | giaddr (4)             |
 *   | chaddr (16) | sname (64) | file (128)                          |  236 octets
 *   +---------------------------------------------------------------+
 *   | magic cookie 99.130.83.99 (4) | options: | code | len | data |  |
 *   +---------------------------------------------------------------+
 *
 * Recognition. The decoder is found by a port, so it checks the content
 * first and declines (NC_DECLINE) what is not BOOTP: op must be 1 or 2 and
 * hlen at most 16. When both ports are 67/68 the message is taken even
 * without the cookie (plain BOOTP: a record with no options, msg_type 0,
 * msg_type_name "BOOTP"; NC_ETRUNC when the capture ends before the 4
 * octets where the cookie would be) and a short one is truncated; with
 * only one such port a missing cookie or a short message is a wrong guess.
 *
 * Options. Pad (0) and end (255) are not listed; end stops the area. With
 * option 52 (overload) the options continue in file (value 1 or 3), then
 * sname (2 or 3), as RFC 2131 4.1 orders them, and server_name / file are
 * then left empty. An option running past its area is NC_ETRUNC; the
 * options before it are kept. More than DHCP_MAX_OPTS options: NC_ELIMIT.
 *
 * Option data as text (DHCPOption.data), one rule per option code:
 *   - text options (12 host name, 14, 15 domain, 17, 18, 40, 47, 56
 *     message, 60 vendor class, 62, 64, 66 TFTP server, 67 boot file, 100,
 *     101, 114 captive portal URI): the text, trailing NULs dropped,
 *     UTF-8 sanitised;
 *   - address options (1, 3..11, 16, 28, 32, 41, 42, 44, 45, 48..50, 54,
 *     65, 68..76, 118), length a multiple of 4: dotted quads joined by ",";
 *   - 51, 58, 59 (seconds, 4 octets), 57 and 26 (2 octets), 23 (1 octet)
 *     and 53 (message type): decimal;
 *   - 55 (parameter request list): the codes in decimal joined by ",";
 *   - everything else, and any of the above with a length that does not
 *     fit: lowercase hex.
 * The fingerprint is option 55's list, as fingerbank and Zeek print it.
 *
 * sname and file are NUL-terminated text in the protocol: stored up to the
 * first NUL as text. client_id (61) stays raw bytes (hex in the output).
 */
#include "decode/app_int.h"
#include "decode/decoder.h"

enum {
    DHCP_PORT_SERVER = 67,
    DHCP_PORT_CLIENT = 68,
    DHCP_FIXED_LEN = 236, /* op .. file */
    DHCP_COOKIE_LEN = 4,
    DHCP_CHADDR_LEN = 16,
    DHCP_SNAME_LEN = 64,
    DHCP_FILE_LEN = 128,
    DHCP_MAX_OPTS = 128,   /* a 1500-byte packet holds ~630 two-octet options; real ones < 40 */
    DHCP_LIST_TEXT = 1024, /* text of one address or code list (a 255-octet option: < 1024) */
};

enum {
    OPT_PAD = 0,
    OPT_SUBNET_MASK = 1,
    OPT_ROUTER = 3,
    OPT_HOSTNAME = 12,
    OPT_DOMAIN = 15,
    OPT_REQUESTED_IP = 50,
    OPT_LEASE_TIME = 51,
    OPT_OVERLOAD = 52,
    OPT_MSG_TYPE = 53,
    OPT_SERVER_ID = 54,
    OPT_PARAM_LIST = 55,
    OPT_MESSAGE = 56,
    OPT_VENDOR_CLASS = 60,
    OPT_CLIENT_ID = 61,
    OPT_CLIENT_FQDN = 81,
    OPT_END = 255,
};

static const uint8_t dhcp_cookie[DHCP_COOKIE_LEN] = { 99, 130, 83, 99 };

static const char *const msg_type_names[] = {
    [1] = "DISCOVER",
    [2] = "OFFER",
    [3] = "REQUEST",
    [4] = "DECLINE",
    [5] = "ACK",
    [6] = "NAK",
    [7] = "RELEASE",
    [8] = "INFORM",
    [9] = "FORCERENEW",        /* RFC 3203 */
    [10] = "LEASEQUERY",       /* RFC 4388 */
    [11] = "LEASEUNASSIGNED",  /* RFC 4388 */
    [12] = "LEASEUNKNOWN",     /* RFC 4388 */
    [13] = "LEASEACTIVE",      /* RFC 4388 */
    [14] = "BULKLEASEQUERY",   /* RFC 6926 */
    [15] = "LEASEQUERYDONE",   /* RFC 6926 */
    [16] = "ACTIVELEASEQUERY", /* RFC 7724 */
    [17] = "LEASEQUERYSTATUS", /* RFC 7724 */
    [18] = "TLS",              /* RFC 7724 */
};

static char name_bootp[] = "BOOTP";
static char name_unknown[] = "UNKNOWN";

static char *msg_type_name(int t)
{
    if (t > 0 && (size_t)t < NC_ARRAY_LEN(msg_type_names) && msg_type_names[t]) {
        return (char *)(uintptr_t)msg_type_names[t];
    }
    return name_unknown;
}

enum opt_kind {
    K_HEX = 0,
    K_TEXT,
    K_ADDRS,
    K_U8,
    K_U16,
    K_U32,
    K_CODES,
};

static enum opt_kind opt_kind(uint8_t code)
{
    switch (code) {
        case 12:
        case 14:
        case 15:
        case 17:
        case 18:
        case 40:
        case 47:
        case 56:
        case 60:
        case 62:
        case 64:
        case 66:
        case 67:
        case 100:
        case 101:
        case 114:
            return K_TEXT;
        case 1:
        case 3:
        case 4:
        case 5:
        case 6:
        case 7:
        case 8:
        case 9:
        case 10:
        case 11:
        case 16:
        case 28:
        case 32:
        case 41:
        case 42:
        case 44:
        case 45:
        case 48:
        case 49:
        case 50:
        case 54:
        case 65:
        case 68:
        case 69:
        case 70:
        case 71:
        case 72:
        case 73:
        case 74:
        case 75:
        case 76:
        case 118:
            return K_ADDRS;
        case 23:
        case 53:
            return K_U8;
        case 26:
        case 57:
            return K_U16;
        case 51:
        case 58:
        case 59:
            return K_U32;
        case 55:
            return K_CODES;
        default:
            return K_HEX;
    }
}

/* Dotted quads of p[0..n) (n a multiple of 4, > 0) joined by ",". */
static char *addr_list(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    struct app_buf b = app_buf_new(pkt, NC_MIN(n * 4 + 1, (size_t)DHCP_LIST_TEXT));
    for (size_t i = 0; i + 4 <= n; i += 4) {
        char ip[NC_IP4_STRLEN];
        size_t l = nc_fmt_ip4(ip, p + i);
        if (i > 0) {
            app_buf_put(&b, ",", 1);
        }
        app_buf_put(&b, ip, l);
    }
    return app_buf_str(&b);
}

static char *code_list(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    struct app_buf b = app_buf_new(pkt, NC_MIN(n * 4 + 1, (size_t)DHCP_LIST_TEXT));
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            app_buf_put(&b, ",", 1);
        }
        app_buf_uint(&b, p[i]);
    }
    return app_buf_str(&b);
}

static uint32_t be_n(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* DHCPOption.data by the rule of the file comment. */
static char *opt_text(struct nc_pkt *pkt, uint8_t code, const uint8_t *p, size_t n)
{
    switch (opt_kind(code)) {
        case K_TEXT:
            return app_text(pkt, p, n);
        case K_ADDRS:
            if (n > 0 && n % 4 == 0) {
                return addr_list(pkt, p, n);
            }
            break;
        case K_U8:
        case K_U16:
        case K_U32: {
            size_t want = opt_kind(code) == K_U8 ? 1 : opt_kind(code) == K_U16 ? 2 : 4;
            if (n == want) {
                struct app_buf b = app_buf_new(pkt, 12);
                app_buf_uint(&b, be_n(p, n));
                return app_buf_str(&b);
            }
            break;
        }
        case K_CODES:
            return code_list(pkt, p, n);
        case K_HEX:
            break;
    }
    return app_hex(pkt, p, n);
}

/* What the option walk collects besides the list. */
struct dhcp_walk {
    struct nc_pkt *pkt;
    Netcap__DHCPv4 *rec;       /* NULL: validate only */
    Netcap__DHCPOption **opts; /* DHCP_MAX_OPTS slots, or NULL */
    size_t n_opts;
    size_t n_seen;
    uint8_t overload; /* option 52's value */
    bool ended;       /* end option seen */
};

/* The client FQDN option's name (RFC 4702 2): | flags | rcode1 | rcode2 |
 * name |; flag E (0x04) says wire-format labels, otherwise ASCII. */
static char *fqdn_text(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    if (n < 3) {
        return NULL;
    }
    if (p[0] & 0x04) {
        bool ok;
        char *s = app_names(pkt, p + 3, n - 3, &ok);
        return ok ? s : NULL;
    }
    return app_text(pkt, p + 3, n - 3);
}

static void note_option(struct dhcp_walk *w, uint8_t code, struct nc_span d)
{
    Netcap__DHCPv4 *rec = w->rec;
    struct nc_pkt *pkt = w->pkt;
    if (code == OPT_OVERLOAD && d.len == 1) {
        w->overload = d.p[0];
    }
    if (!rec) {
        return;
    }
    switch (code) {
        case OPT_MSG_TYPE:
            if (d.len == 1) {
                rec->msg_type = d.p[0];
                rec->msg_type_name = msg_type_name(d.p[0]);
            }
            break;
        case OPT_REQUESTED_IP:
            if (d.len == 4) {
                rec->requested_ip = nc_pkt_ip4(pkt, d.p);
            }
            break;
        case OPT_SERVER_ID:
            if (d.len == 4) {
                rec->server_id = nc_pkt_ip4(pkt, d.p);
            }
            break;
        case OPT_SUBNET_MASK:
            if (d.len == 4) {
                rec->subnet_mask = nc_pkt_ip4(pkt, d.p);
            }
            break;
        case OPT_ROUTER:
            if (d.len >= 4) {
                rec->router = nc_pkt_ip4(pkt, d.p);
            }
            break;
        case OPT_LEASE_TIME:
            if (d.len == 4) {
                rec->lease_time = be_n(d.p, 4);
            }
            break;
        case OPT_HOSTNAME:
            rec->hostname = app_text(pkt, d.p, d.len);
            break;
        case OPT_DOMAIN:
            rec->domain = app_text(pkt, d.p, d.len);
            break;
        case OPT_MESSAGE:
            rec->message = app_text(pkt, d.p, d.len);
            break;
        case OPT_VENDOR_CLASS:
            rec->vendor_class = app_text(pkt, d.p, d.len);
            break;
        case OPT_CLIENT_ID:
            rec->client_id = nc_bytes(d);
            break;
        case OPT_PARAM_LIST:
            rec->fingerprint = code_list(pkt, d.p, d.len);
            break;
        case OPT_CLIENT_FQDN: {
            char *s = fqdn_text(pkt, d.p, d.len);
            if (s) {
                rec->client_fqdn = s;
            }
            break;
        }
        case OPT_OVERLOAD:
            rec->overload = true;
            break;
        default:
            break;
    }
    if (w->opts && w->n_opts < DHCP_MAX_OPTS) {
        Netcap__DHCPOption *o = nc_pkt_alloc(pkt, sizeof(*o));
        if (o) {
            netcap__dhcpoption__init(o);
            o->type = code;
            o->length = (int32_t)d.len;
            o->data = opt_text(pkt, code, d.p, d.len);
            w->opts[w->n_opts++] = o;
        }
    }
}

/*
 * One option area (options field, file or sname), up to its end option or
 * its end. Returns NC_OK, NC_ETRUNC (an option past the area) or NC_ELIMIT.
 */
static int walk_area(struct dhcp_walk *w, struct nc_rd r)
{
    while (nc_rd_left(&r) > 0 && !w->ended) {
        uint8_t code = nc_rd_u8(&r);
        if (code == OPT_PAD) {
            continue;
        }
        if (code == OPT_END) {
            w->ended = true;
            break;
        }
        uint8_t len = nc_rd_u8(&r);
        struct nc_span d = nc_rd_span(&r, len);
        if (!nc_rd_ok(&r)) {
            return r.err;
        }
        if (++w->n_seen > DHCP_MAX_OPTS) {
            return NC_ELIMIT;
        }
        note_option(w, code, d);
    }
    return NC_OK;
}

static bool is_dhcp_port(uint16_t p)
{
    return p == DHCP_PORT_SERVER || p == DHCP_PORT_CLIENT;
}

static int dhcp4_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    /* recognition, before anything is built */
    bool sure = is_dhcp_port(pkt->ctx.src_port) && is_dhcp_port(pkt->ctx.dst_port);
    uint8_t op = nc_rd_peek(r, 0);
    uint8_t hlen = nc_rd_peek(r, 2);
    if (nc_rd_left(r) < 3 && !sure) {
        return NC_DECLINE;
    }
    if (nc_rd_left(r) >= 1 && op != 1 && op != 2) {
        return NC_DECLINE;
    }
    if (nc_rd_left(r) >= 3 && hlen > DHCP_CHADDR_LEN) {
        return NC_DECLINE;
    }
    struct nc_rd look = *r;
    nc_rd_skip(&look, DHCP_FIXED_LEN);
    bool cookie = nc_rd_has_prefix(&look, dhcp_cookie, DHCP_COOKIE_LEN);
    if (!sure && !cookie) {
        return NC_DECLINE; /* too short for the cookie, or no cookie */
    }

    struct nc_rd h = *r;
    op = nc_rd_u8(&h);
    uint8_t htype = nc_rd_u8(&h);
    hlen = nc_rd_u8(&h);
    uint8_t hops = nc_rd_u8(&h);
    uint32_t xid = nc_rd_be32(&h);
    uint16_t secs = nc_rd_be16(&h);
    uint16_t flags = nc_rd_be16(&h);
    struct nc_span ci = nc_rd_span(&h, 4);
    struct nc_span yi = nc_rd_span(&h, 4);
    struct nc_span si = nc_rd_span(&h, 4);
    struct nc_span gi = nc_rd_span(&h, 4);
    struct nc_span ch = nc_rd_span(&h, DHCP_CHADDR_LEN);
    struct nc_rd sname = nc_rd_sub(&h, DHCP_SNAME_LEN);
    struct nc_rd file = nc_rd_sub(&h, DHCP_FILE_LEN);
    if (!nc_rd_ok(&h)) {
        return NC_ETRUNC; /* sure by the ports, cut by the capture */
    }
    *r = h;
    nc_rd_skip(r, cookie ? DHCP_COOKIE_LEN : 0);

    Netcap__DHCPv4 *rec = nc_pkt_record(pkt, NC_REC_DHCPv4);
    if (rec) {
        rec->operation = op;
        rec->hardware_type = htype;
        rec->hardware_len = hlen;
        rec->hardware_opts = hops;
        rec->xid = xid;
        rec->secs = secs;
        rec->flags = flags;
        rec->client_ip = nc_pkt_ip4(pkt, ci.p);
        rec->your_client_ip = nc_pkt_ip4(pkt, yi.p);
        rec->next_server_ip = nc_pkt_ip4(pkt, si.p);
        rec->relay_agent_ip = nc_pkt_ip4(pkt, gi.p);
        rec->client_hw_addr = hlen ? nc_pkt_hwaddr(pkt, ch.p, hlen) : rec->client_hw_addr;
        rec->cookie = cookie;
        rec->msg_type_name = name_bootp;
    }
    if (!cookie) {
        if (rec) {
            rec->server_name = app_cstr(pkt, sname.base, DHCP_SNAME_LEN);
            rec->file = app_cstr(pkt, file.base, DHCP_FILE_LEN);
        }
        /* BOOTP: the vendor area is not DHCP options; fewer than 4 octets
         * of it cannot tell BOOTP from a cut DHCP message */
        return nc_rd_left(r) < DHCP_COOKIE_LEN ? NC_ETRUNC : NC_OK;
    }

    struct dhcp_walk w = { pkt, rec, NULL, 0, 0, 0, false };
    if (rec) {
        w.opts = nc_pkt_alloc(pkt, DHCP_MAX_OPTS * sizeof(*w.opts));
    }
    int err = walk_area(&w, *r);
    nc_rd_rest(r);
    /* RFC 2131 4.1: options, then file, then sname; each area has its own end */
    uint8_t ov = w.overload;
    if (err == NC_OK && (ov == 1 || ov == 3)) {
        w.ended = false;
        err = walk_area(&w, file);
    }
    if (err == NC_OK && (ov == 2 || ov == 3)) {
        w.ended = false;
        err = walk_area(&w, sname);
    }
    if (rec) {
        if (ov != 1 && ov != 3) {
            rec->file = app_cstr(pkt, file.base, DHCP_FILE_LEN);
        }
        if (ov != 2 && ov != 3) {
            rec->server_name = app_cstr(pkt, sname.base, DHCP_SNAME_LEN);
        }
        if (w.opts) {
            rec->options = w.opts;
            rec->n_options = w.n_opts;
        }
    }
    return err;
}

static const struct nc_claim dhcp4_claims[] = {
    { NC_NS_UDP_PORT, DHCP_PORT_SERVER },
    { NC_NS_UDP_PORT, DHCP_PORT_CLIENT },
};
const struct nc_decoder nc_decoder_dhcp4 = {
    .name = "dhcp4",
    .display = "DHCPv4",
    .layer = NC_LAYER_APP,
    .claims = dhcp4_claims,
    .n_claims = NC_ARRAY_LEN(dhcp4_claims),
    .decode = dhcp4_decode,
};
