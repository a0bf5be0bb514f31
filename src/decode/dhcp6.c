/*
 * summary: DHCPv6 messages over UDP 546/547 -> DHCPv6 records.
 * spec:    RFC 8415 8 (client/server messages), 9 (relay messages), 21
 *          (options); RFC 3646 (23, 24 DNS), RFC 3319 (21, 22 SIP),
 *          RFC 4704 (39 client FQDN), RFC 4075 (31 SNTP).
 *
 *   client/server:                       relay (12 RELAY-FORW, 13 RELAY-REPL):
 *   +----------+-----------------------+ +----------+-----------+
 *   | msg-type |  transaction-id (24)  | | msg-type | hop-count |
 *   +----------+-----------------------+ +----------+-----------+
 *   |              options             | | link-address (128)   |
 *   +----------------------------------+ | peer-address (128)   |
 *                                        | options              |
 *   option: | option-code (16) | option-len (16) | data ... |
 *
 * Recognition: a known message type (1-37) and, when only one of the ports
 * is 546/547, a complete header; else NC_DECLINE. With both ports
 * 546/547 a cut header is NC_ETRUNC. An option past the end is NC_ETRUNC
 * (the options before it are kept); more than DHCP6_MAX_OPTS is NC_ELIMIT.
 *
 * Option data as text (DHCPv6Option.data): 6 (ORO) the codes in decimal
 * joined by ","; 8 (elapsed time) and 7 (preference) in decimal; 12, 22,
 * 23, 31, 40, 48 and 88 (lists of IPv6 addresses) as addresses joined by
 * ","; 21, 24 and 29 (domain lists) and 39's name as dotted names joined
 * by ","; 13 (status) as "code message"; everything else (DUIDs, IA_NA,
 * vendor classes, ...) and any of these with a length that does not fit:
 * lowercase hex. The fingerprint is the ORO's list. Relay messages keep
 * their own options; relayed_msg_type is the first octet of option 9 (the
 * relayed message), which is not decoded further.
 */
#include "decode/app_int.h"
#include "decode/decoder.h"

enum {
    DHCP6_PORT_CLIENT = 546,
    DHCP6_PORT_SERVER = 547,
    DHCP6_HDR_LEN = 4,
    DHCP6_RELAY_HDR_LEN = 34,
    DHCP6_MAX_OPTS = 128, /* real messages carry < 20 */
    DHCP6_LIST_TEXT = 2048,
    DHCP6_MAX_TYPE = 37,
    DHCP6_RELAY_FORW = 12,
    DHCP6_RELAY_REPL = 13,
};

enum {
    OPT6_CLIENTID = 1,
    OPT6_SERVERID = 2,
    OPT6_ORO = 6,
    OPT6_PREFERENCE = 7,
    OPT6_ELAPSED = 8,
    OPT6_RELAY_MSG = 9,
    OPT6_STATUS = 13,
    OPT6_FQDN = 39,
};

static const char *const msg_names[DHCP6_MAX_TYPE + 1] = {
    [1] = "SOLICIT",
    [2] = "ADVERTISE",
    [3] = "REQUEST",
    [4] = "CONFIRM",
    [5] = "RENEW",
    [6] = "REBIND",
    [7] = "REPLY",
    [8] = "RELEASE",
    [9] = "DECLINE",
    [10] = "RECONFIGURE",
    [11] = "INFORMATION-REQUEST",
    [12] = "RELAY-FORW",
    [13] = "RELAY-REPL",
    [14] = "LEASEQUERY",
    [15] = "LEASEQUERY-REPLY",
    [16] = "LEASEQUERY-DONE",
    [17] = "LEASEQUERY-DATA",
    [18] = "RECONFIGURE-REQUEST",
    [19] = "RECONFIGURE-REPLY",
    [20] = "DHCPV4-QUERY",
    [21] = "DHCPV4-RESPONSE",
    [22] = "ACTIVELEASEQUERY",
    [23] = "STARTTLS",
    [24] = "BNDUPD",
    [25] = "BNDREPLY",
    [26] = "POOLREQ",
    [27] = "POOLRESP",
    [28] = "UPDREQ",
    [29] = "UPDREQALL",
    [30] = "UPDDONE",
    [31] = "CONNECT",
    [32] = "CONNECTREPLY",
    [33] = "DISCONNECT",
    [34] = "STATE",
    [35] = "CONTACT",
    [36] = "ADDR-REG-INFORM",
    [37] = "ADDR-REG-REPLY",
};

static bool is_port(uint16_t p)
{
    return p == DHCP6_PORT_CLIENT || p == DHCP6_PORT_SERVER;
}

static char *addr6_list(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    struct app_buf b =
            app_buf_new(pkt, NC_MIN(n / 16 * NC_IP6_STRLEN + 1, (size_t)DHCP6_LIST_TEXT));
    for (size_t i = 0; i + 16 <= n; i += 16) {
        char ip[NC_IP6_STRLEN];
        size_t l = nc_fmt_ip6(ip, p + i);
        if (i > 0) {
            app_buf_put(&b, ",", 1);
        }
        app_buf_put(&b, ip, l);
    }
    return app_buf_str(&b);
}

static char *code16_list(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    struct app_buf b = app_buf_new(pkt, NC_MIN(n / 2 * 6 + 1, (size_t)DHCP6_LIST_TEXT));
    for (size_t i = 0; i + 2 <= n; i += 2) {
        if (i > 0) {
            app_buf_put(&b, ",", 1);
        }
        app_buf_uint(&b, (unsigned)p[i] << 8 | p[i + 1]);
    }
    return app_buf_str(&b);
}

static char *opt6_text(struct nc_pkt *pkt, uint16_t code, const uint8_t *p, size_t n)
{
    bool ok = true;
    char *s = NULL;
    switch (code) {
        case OPT6_ORO:
            if (n % 2 == 0) {
                return code16_list(pkt, p, n);
            }
            break;
        case OPT6_PREFERENCE:
        case OPT6_ELAPSED:
            if (n == (code == OPT6_ELAPSED ? 2u : 1u)) {
                struct app_buf b = app_buf_new(pkt, 8);
                app_buf_uint(&b, n == 2 ? (unsigned)p[0] << 8 | p[1] : p[0]);
                return app_buf_str(&b);
            }
            break;
        case 12:
        case 22:
        case 23:
        case 31:
        case 40:
        case 48:
        case 88:
            if (n > 0 && n % 16 == 0) {
                return addr6_list(pkt, p, n);
            }
            break;
        case 21:
        case 24:
        case 29:
            s = app_names(pkt, p, n, &ok);
            if (ok) {
                return s;
            }
            break;
        case OPT6_FQDN:
            if (n >= 1) {
                s = app_names(pkt, p + 1, n - 1, &ok);
                if (ok) {
                    return s;
                }
            }
            break;
        case OPT6_STATUS:
            if (n >= 2) {
                struct app_buf b = app_buf_new(pkt, 8 + 3 * (n - 2) + 1);
                app_buf_uint(&b, (unsigned)p[0] << 8 | p[1]);
                app_buf_put(&b, " ", 1);
                char *msg = nc_pkt_str(pkt, p + 2, n - 2);
                app_buf_puts(&b, msg);
                return app_buf_str(&b);
            }
            break;
        default:
            break;
    }
    return app_hex(pkt, p, n);
}

static int dhcp6_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    bool sure = is_port(pkt->ctx.src_port) && is_port(pkt->ctx.dst_port);
    uint8_t type = nc_rd_peek(r, 0);
    if (nc_rd_left(r) == 0 || type == 0 || type > DHCP6_MAX_TYPE) {
        return NC_DECLINE;
    }
    bool relay = type == DHCP6_RELAY_FORW || type == DHCP6_RELAY_REPL;
    size_t hdr = relay ? DHCP6_RELAY_HDR_LEN : DHCP6_HDR_LEN;
    if (nc_rd_left(r) < hdr) {
        return sure ? NC_ETRUNC : NC_DECLINE;
    }
    nc_rd_skip(r, 1);
    uint8_t hops = 0;
    uint32_t xid = 0;
    struct nc_span link = { NULL, 0 }, peer = { NULL, 0 };
    if (relay) {
        hops = nc_rd_u8(r);
        link = nc_rd_span(r, 16);
        peer = nc_rd_span(r, 16);
    } else {
        xid = nc_rd_be24(r);
    }
    Netcap__DHCPv6 *rec = nc_pkt_record(pkt, NC_REC_DHCPv6);
    Netcap__DHCPv6Option **opts = NULL;
    size_t n_opts = 0;
    if (rec) {
        rec->msg_type = type;
        rec->msg_type_name = (char *)(uintptr_t)msg_names[type];
        rec->transaction_id = xid;
        if (relay) {
            rec->hop_count = hops;
            rec->link_addr = nc_pkt_ip6(pkt, link.p);
            rec->peer_addr = nc_pkt_ip6(pkt, peer.p);
        }
        opts = nc_pkt_alloc(pkt, DHCP6_MAX_OPTS * sizeof(*opts));
    }
    int err = NC_OK;
    size_t seen = 0;
    while (nc_rd_left(r) > 0) {
        uint16_t code = nc_rd_be16(r);
        uint16_t len = nc_rd_be16(r);
        struct nc_span d = nc_rd_span(r, len);
        if (!nc_rd_ok(r)) {
            err = r->err;
            break;
        }
        if (++seen > DHCP6_MAX_OPTS) {
            err = NC_ELIMIT;
            break;
        }
        if (!rec) {
            continue;
        }
        switch (code) {
            case OPT6_CLIENTID:
                rec->client_duid = nc_bytes(d);
                break;
            case OPT6_SERVERID:
                rec->server_duid = nc_bytes(d);
                break;
            case OPT6_ORO:
                rec->fingerprint = code16_list(pkt, d.p, d.len);
                break;
            case OPT6_RELAY_MSG:
                if (d.len > 0) {
                    rec->relayed_msg_type = d.p[0];
                }
                break;
            default:
                break;
        }
        Netcap__DHCPv6Option *o = opts ? nc_pkt_alloc(pkt, sizeof(*o)) : NULL;
        if (o) {
            netcap__dhcpv6_option__init(o);
            o->code = code;
            o->length = len;
            o->data = opt6_text(pkt, code, d.p, d.len);
            opts[n_opts++] = o;
        }
    }
    if (rec && opts) {
        rec->options = opts;
        rec->n_options = n_opts;
    }
    return err;
}

static const struct nc_claim dhcp6_claims[] = {
    { NC_NS_UDP_PORT, DHCP6_PORT_CLIENT },
    { NC_NS_UDP_PORT, DHCP6_PORT_SERVER },
};
const struct nc_decoder nc_decoder_dhcp6 = {
    .name = "dhcp6",
    .display = "DHCPv6",
    .layer = NC_LAYER_APP,
    .claims = dhcp6_claims,
    .n_claims = NC_ARRAY_LEN(dhcp6_claims),
    .decode = dhcp6_decode,
};
