/*
 * Unit tests for the single-datagram application decoders: DHCPv4, DHCPv6,
 * NTP, SIP (UDP and one TCP segment), BFD and LCM.
 *
 * Every test runs whole Ethernet + IPv4 (+ UDP or TCP) frames through
 * nc_decode_packet(), so port dispatch and declining are exercised as in a
 * capture. Every frame is copied into a heap block of exactly its captured
 * size so that ASan sees a one-byte over-read; the truncation tests decode
 * each message cut at every length.
 */
#include "decode_harness.h"

enum {
    FRAME_MAX = 2048,
    ETH_LEN = 14,
    IP4_LEN = 20,
    UDP_LEN = 8,
    TCP_LEN = 20,
    HDRS = ETH_LEN + IP4_LEN + UDP_LEN,
};

/* Ethernet + IPv4 192.0.2.1 -> 198.51.100.7 + UDP sport -> dport + payload. */
static size_t udp_frame(uint8_t *out, uint16_t sport, uint16_t dport, const uint8_t *p, size_t n)
{
    static const uint8_t src[4] = { 192, 0, 2, 1 }, dst[4] = { 198, 51, 100, 7 };
    static const struct dh_addr addr = {
        .eth = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x08,
                0x00 },
        .src = src,
        .dst = dst,
        .ttl = 64,
    };
    uint8_t u[FRAME_MAX] = { 0 };
    assert_true(UDP_LEN + n <= FRAME_MAX);
    u[0] = (uint8_t)(sport >> 8);
    u[1] = (uint8_t)sport;
    u[2] = (uint8_t)(dport >> 8);
    u[3] = (uint8_t)dport;
    u[4] = (uint8_t)((UDP_LEN + n) >> 8);
    u[5] = (uint8_t)(UDP_LEN + n);
    if (n) {
        memcpy(u + UDP_LEN, p, n);
    }
    return dh_eth_ip4(out, FRAME_MAX, &addr, 17, u, UDP_LEN + n, 0);
}

/* The same with a TCP header (ACK|PSH, data offset 5) instead of UDP. */
static size_t tcp_frame(uint8_t *out, uint16_t sport, uint16_t dport, const uint8_t *p, size_t n)
{
    size_t len = udp_frame(out, sport, dport, NULL, 0);
    NC_UNUSED(len);
    size_t ip_total = IP4_LEN + TCP_LEN + n;
    assert_true(ETH_LEN + ip_total <= FRAME_MAX);
    uint8_t *ip = out + ETH_LEN;
    ip[2] = (uint8_t)(ip_total >> 8);
    ip[3] = (uint8_t)ip_total;
    ip[9] = 6;
    uint8_t *t = ip + IP4_LEN;
    memset(t + 4, 0, TCP_LEN - 4);
    t[4] = 0;
    t[7] = 1; /* seq 1 */
    t[12] = 5 << 4;
    t[13] = 0x18;
    t[14] = 0xff;
    memcpy(t + TCP_LEN, p, n);
    return ETH_LEN + ip_total;
}

/* Decode an Ethernet frame (caplen of wirelen bytes), counters zeroed first. */
static struct nc_pkt *decode(struct dh_fx *f, const uint8_t *frame, size_t caplen, size_t wirelen)
{
    dh_zero_stats(f);
    return dh_frame(f, DH_LINKTYPE_ETHERNET, frame, caplen, wirelen);
}

/* Decode p cut at every length after the UDP header: never a crash; a
 * record only from min_rec bytes on; a verdict or a decline for every cut
 * below min_complete (past it the message may end there: options and
 * extension fields frame themselves). */
static void every_length(struct dh_fx *f, uint16_t sport, uint16_t dport, const uint8_t *p,
        size_t n, enum nc_rec_type t, enum nc_decoder_id d, size_t min_rec, size_t min_complete)
{
    uint8_t frame[FRAME_MAX];
    size_t len = udp_frame(frame, sport, dport, p, n);
    for (size_t cap = HDRS; cap <= len; cap++) {
        struct nc_pkt *pkt = decode(f, frame, cap, len);
        size_t got = cap - HDRS;
        bool rec = dh_rec_nth(pkt, t, 0) != NULL;
        if (got >= min_rec) {
            assert_true(rec);
        } else {
            assert_false(rec);
        }
        if (got < min_complete && got > 0) {
            assert_true(dh_bad(&f->stats, d) + f->stats.declined[d] >= 1);
        }
    }
}

/* ----------------------------------------------------------------- DHCPv4 */

/* A DHCP message: the 236-octet header (op 1, Ethernet, xid 0x3d1d, chaddr
 * 00:0b:82:01:fc:42), the cookie unless !cookie, then opts. */
static size_t dhcp_msg(uint8_t *out, bool cookie, const uint8_t *opts, size_t n)
{
    memset(out, 0, 240);
    out[0] = 1;
    out[1] = 1;
    out[2] = 6;
    out[4] = 0x00;
    out[5] = 0x00;
    out[6] = 0x3d;
    out[7] = 0x1d;
    out[10] = 0x80; /* broadcast */
    const uint8_t mac[6] = { 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42 };
    memcpy(out + 28, mac, 6);
    memcpy(out + 44, "srv", 3);       /* sname */
    memcpy(out + 108, "boot.img", 8); /* file */
    size_t len = 236;
    if (cookie) {
        const uint8_t c[4] = { 99, 130, 83, 99 };
        memcpy(out + 236, c, 4);
        len = 240;
    }
    if (n) {
        memcpy(out + len, opts, n);
    }
    return len + n;
}

/* clang-format off */
static const uint8_t dhcp_discover_opts[] = {
    53, 1, 1,                                  /* DISCOVER */
    0,                                         /* pad */
    50, 4, 192, 168, 0, 10,                    /* requested IP */
    12, 5, 'h', 'o', 's', 't', 0,              /* host name with a trailing NUL */
    55, 4, 1, 3, 6, 42,                        /* parameter request list */
    61, 7, 1, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42, /* client id */
    60, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0', /* vendor class */
    81, 7, 0x04, 0, 0, 1, 'a', 1, 'b', /* FQDN, E flag: wire labels "a" "b" (no root) */
    51, 4, 0, 0, 0x0e, 0x10,                   /* lease 3600 */
    54, 4, 192, 168, 0, 1,                     /* server id */
    43, 2, 0xde, 0xad,                         /* vendor specific: hex */
    255, 0, 0, 0,                              /* end, then padding */
};
/* clang-format on */

static void test_dhcp4_discover_fields(void **state)
{
    struct dh_fx *f = *state;
    uint8_t msg[512], frame[FRAME_MAX];
    size_t n = dhcp_msg(msg, true, dhcp_discover_opts, sizeof(dhcp_discover_opts));
    size_t len = udp_frame(frame, 68, 67, msg, n);
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__DHCPv4 *d = dh_need(pkt, NC_REC_DHCPv4, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_dhcp4), 0);
    assert_int_equal(d->operation, 1);
    assert_int_equal(d->xid, 0x3d1d);
    assert_int_equal(d->flags, 0x8000);
    assert_string_equal(d->client_hw_addr, "00:0b:82:01:fc:42");
    assert_string_equal(d->server_name, "srv");
    assert_string_equal(d->file, "boot.img");
    assert_int_equal(d->msg_type, 1);
    assert_string_equal(d->msg_type_name, "DISCOVER");
    assert_string_equal(d->requested_ip, "192.168.0.10");
    assert_string_equal(d->hostname, "host");
    assert_string_equal(d->fingerprint, "1,3,6,42");
    assert_string_equal(d->vendor_class, "MSFT 5.0");
    assert_string_equal(d->client_fqdn, "a.b");
    assert_int_equal(d->lease_time, 3600);
    assert_string_equal(d->server_id, "192.168.0.1");
    assert_int_equal(d->client_id.len, 7);
    assert_true(d->cookie);
    assert_int_equal(d->src_port, 68);
    assert_int_equal(d->dst_port, 67);
    /* pad and end are not listed */
    assert_int_equal(d->n_options, 10);
    assert_int_equal(d->options[0]->type, 53);
    assert_string_equal(d->options[0]->data, "1");
    assert_string_equal(d->options[1]->data, "192.168.0.10");
    assert_string_equal(d->options[2]->data, "host");
    assert_int_equal(d->options[2]->length, 5);
    assert_string_equal(d->options[3]->data, "1,3,6,42");
    assert_string_equal(d->options[4]->data, "01000b8201fc42");
    assert_string_equal(d->options[7]->data, "3600");
    assert_string_equal(d->options[9]->type == 43 ? d->options[9]->data : "", "dead");
    assert_string_equal(pkt->ctx.proto[NC_LAYER_APP], "DHCPv4");
}

static void test_dhcp4_overload_reads_file_and_sname(void **state)
{
    struct dh_fx *f = *state;
    /* clang-format off */
    static const uint8_t opts[] = { 53, 1, 5, 52, 1, 3, 255 };
    /* clang-format on */
    uint8_t msg[512], frame[FRAME_MAX];
    size_t n = dhcp_msg(msg, true, opts, sizeof(opts));
    msg[0] = 2;
    /* file area (108..235): host name, end; sname area (44..107): domain */
    memset(msg + 44, 0, 64 + 128);
    const uint8_t file_opts[] = { 12, 3, 'p', 'c', '1', 255 };
    const uint8_t sname_opts[] = { 15, 3, 'l', 'a', 'n', 0, 0, 255 };
    memcpy(msg + 108, file_opts, sizeof(file_opts));
    memcpy(msg + 44, sname_opts, sizeof(sname_opts));
    size_t len = udp_frame(frame, 67, 68, msg, n);
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__DHCPv4 *d = dh_need(pkt, NC_REC_DHCPv4, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_dhcp4), 0);
    assert_true(d->overload);
    assert_string_equal(d->msg_type_name, "ACK");
    assert_string_equal(d->hostname, "pc1");
    assert_string_equal(d->domain, "lan");
    assert_string_equal(d->server_name, "");
    assert_string_equal(d->file, "");
    assert_int_equal(d->n_options, 4);
    assert_int_equal(d->options[3]->type, 15);
}

static void test_dhcp4_decline_and_bootp(void **state)
{
    struct dh_fx *f = *state;
    uint8_t msg[512], frame[FRAME_MAX];
    /* no cookie, from an ephemeral port: a wrong guess, not malformed */
    size_t n = dhcp_msg(msg, false, NULL, 0);
    size_t len = udp_frame(frame, 40000, 67, msg, n);
    struct nc_pkt *pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_DHCPv4, 0));
    assert_int_equal(f->stats.declined[NC_DEC_dhcp4], 1);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_dhcp4), 0);
    assert_non_null(dh_rec_nth(pkt, NC_REC_UDP, 0));
    /* no cookie between 68 and 67: plain BOOTP */
    len = udp_frame(frame, 68, 67, msg, n);
    pkt = decode(f, frame, len, len);
    Netcap__DHCPv4 *d = dh_need(pkt, NC_REC_DHCPv4, 0);
    assert_false(d->cookie);
    assert_int_equal(d->msg_type, 0);
    assert_string_equal(d->msg_type_name, "BOOTP");
    assert_string_equal(d->file, "boot.img");
    /* a bad op with the cookie: declined */
    n = dhcp_msg(msg, true, dhcp_discover_opts, sizeof(dhcp_discover_opts));
    msg[0] = 7;
    len = udp_frame(frame, 68, 67, msg, n);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_DHCPv4, 0));
    assert_int_equal(f->stats.declined[NC_DEC_dhcp4], 1);
    /* text on port 67 from elsewhere */
    len = udp_frame(frame, 5555, 67, (const uint8_t *)"GET / HTTP/1.0\r\n", 16);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_DHCPv4, 0));
}

static void test_dhcp4_option_past_end_is_truncated(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t opts[] = { 53, 1, 3, 12, 40, 'x' };
    uint8_t msg[512], frame[FRAME_MAX];
    size_t n = dhcp_msg(msg, true, opts, sizeof(opts));
    size_t len = udp_frame(frame, 68, 67, msg, n);
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__DHCPv4 *d = dh_need(pkt, NC_REC_DHCPv4, 0);
    assert_int_equal(f->stats.bad[NC_DEC_dhcp4][NC_ETRUNC], 1);
    assert_int_equal(d->n_options, 1);
    assert_string_equal(d->msg_type_name, "REQUEST");
}

static void test_dhcp4_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    uint8_t msg[512];
    size_t n = dhcp_msg(msg, true, dhcp_discover_opts, sizeof(dhcp_discover_opts));
    /* both ports DHCP: the header (236) is enough for a (BOOTP) record */
    every_length(f, 68, 67, msg, n, NC_REC_DHCPv4, NC_DEC_dhcp4, 236, 240);
    /* one port only: the cookie is needed */
    every_length(f, 40000, 67, msg, n, NC_REC_DHCPv4, NC_DEC_dhcp4, 240, 240);
}

/* ----------------------------------------------------------------- DHCPv6 */

/* clang-format off */
static const uint8_t dhcp6_solicit[] = {
    1, 0x12, 0x34, 0x56,                                 /* SOLICIT, xid */
    0, 1, 0, 10, 0, 3, 0, 1, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42, /* client DUID-LL */
    0, 6, 0, 6, 0, 23, 0, 24, 0, 39,                     /* ORO 23,24,39 */
    0, 8, 0, 2, 0x01, 0x00,                              /* elapsed 256 */
    0, 39, 0, 6, 0x01, 2, 'p', 'c', 0, 0,                /* FQDN "pc" (+ empty label) */
    0, 13, 0, 4, 0, 0, 'o', 'k',                         /* status 0 "ok" */
};
/* clang-format on */

static void test_dhcp6_solicit_fields(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t len = udp_frame(frame, 546, 547, dhcp6_solicit, sizeof(dhcp6_solicit));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__DHCPv6 *d = dh_need(pkt, NC_REC_DHCPv6, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_dhcp6), 0);
    assert_int_equal(d->msg_type, 1);
    assert_string_equal(d->msg_type_name, "SOLICIT");
    assert_int_equal(d->transaction_id, 0x123456);
    assert_string_equal(d->fingerprint, "23,24,39");
    assert_int_equal(d->client_duid.len, 10);
    assert_int_equal(d->n_options, 5);
    assert_string_equal(d->options[0]->data, "00030001000b8201fc42");
    assert_string_equal(d->options[2]->data, "256");
    assert_string_equal(d->options[3]->data, "pc");
    assert_string_equal(d->options[4]->data, "0 ok");
    assert_string_equal(d->link_addr, "");
}

static void test_dhcp6_relay_and_decline(void **state)
{
    struct dh_fx *f = *state;
    uint8_t msg[128], frame[FRAME_MAX];
    memset(msg, 0, sizeof(msg));
    msg[0] = 12; /* RELAY-FORW */
    msg[1] = 1;
    msg[2] = 0x20;
    msg[3] = 0x01;
    msg[17] = 1; /* link 2001::1 */
    msg[18] = 0xfe;
    msg[19] = 0x80;
    msg[33] = 2; /* peer fe80::2 */
    const uint8_t opt9[] = { 0, 9, 0, 4, 1, 0xaa, 0xbb, 0xcc };
    memcpy(msg + 34, opt9, sizeof(opt9));
    size_t len = udp_frame(frame, 547, 547, msg, 34 + sizeof(opt9));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__DHCPv6 *d = dh_need(pkt, NC_REC_DHCPv6, 0);
    assert_int_equal(d->hop_count, 1);
    assert_string_equal(d->link_addr, "2001::1");
    assert_string_equal(d->peer_addr, "fe80::2");
    assert_int_equal(d->relayed_msg_type, 1);
    assert_string_equal(d->msg_type_name, "RELAY-FORW");
    /* type 0 or a short relay header from another port: declined */
    msg[0] = 0;
    len = udp_frame(frame, 40000, 547, msg, 20);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_DHCPv6, 0));
    assert_int_equal(f->stats.declined[NC_DEC_dhcp6], 1);
    msg[0] = 12;
    len = udp_frame(frame, 40000, 547, msg, 20);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_DHCPv6, 0));
    assert_int_equal(f->stats.declined[NC_DEC_dhcp6], 1);
}

static void test_dhcp6_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    every_length(
            f, 546, 547, dhcp6_solicit, sizeof(dhcp6_solicit), NC_REC_DHCPv6, NC_DEC_dhcp6, 4, 4);
}

/* -------------------------------------------------------------------- NTP */

/* clang-format off */
static const uint8_t ntp_server[] = {
    0x24, 2, 8, 0xe8,                 /* LI 0, v4, mode 4; stratum 2, poll 8, precision -24 */
    0, 0, 0, 0x15, 0, 0, 0x09, 0x52,  /* root delay, dispersion */
    0x84, 0xc7, 0x07, 0xc9,           /* ref id 132.199.7.201 */
    0xdd, 0x48, 0x4d, 0x3a, 0x56, 0x76, 0x6d, 0xc0, /* reference */
    0xdd, 0x48, 0x51, 0xf4, 0xed, 0xb1, 0x9f, 0xbc, /* origin */
    0xdd, 0x48, 0x51, 0xf4, 0xee, 0x0f, 0x15, 0x43, /* receive */
    0xdd, 0x47, 0xff, 0xf4, 0xee, 0x11, 0x19, 0xcc, /* transmit */
    0, 0, 0, 7,                       /* MAC: key id 7 */
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};
/* clang-format on */

static void test_ntp_server_with_mac(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t len = udp_frame(frame, 123, 49445, ntp_server, sizeof(ntp_server));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__NTP *n = dh_need(pkt, NC_REC_NTP, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_ntp), 0);
    assert_int_equal(n->version, 4);
    assert_int_equal(n->mode, 4);
    assert_int_equal(n->stratum, 2);
    assert_int_equal(n->poll, 8);
    assert_int_equal(n->precision, -24);
    assert_int_equal(n->root_delay, 0x15);
    assert_int_equal(n->root_dispersion, 0x952);
    assert_int_equal(n->reference_id, 0x84c707c9);
    assert_string_equal(n->reference_id_text, "132.199.7.201");
    assert_int_equal(n->transmit_timestamp, 0xdd47fff4ee1119ccull);
    /* 3712483316.929948437 (tcpdump) - 2208988800 */
    assert_int_equal(n->transmit_unix_ns, 1503494516929948437ll);
    assert_int_equal(n->key_id, 7);
    assert_int_equal(n->mac.len, 16);
    assert_int_equal(n->extension_bytes.len, 0);
    assert_int_equal(n->num_extensions, 0);
}

static void test_ntp_extension_control_private_decline(void **state)
{
    struct dh_fx *f = *state;
    uint8_t msg[256], frame[FRAME_MAX];
    /* client request (mode 3) with one 16-octet extension field, no MAC */
    memset(msg, 0, sizeof(msg));
    msg[0] = 0x23;
    msg[12] = 'G';
    msg[13] = 'P';
    msg[14] = 'S';
    msg[1] = 1;
    msg[49] = 0x04; /* type 0x0004 */
    msg[51] = 16;   /* length 16 */
    size_t len = udp_frame(frame, 123, 123, msg, 64);
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__NTP *n = dh_need(pkt, NC_REC_NTP, 0);
    assert_int_equal(n->num_extensions, 1);
    assert_int_equal(n->extension_bytes.len, 16);
    assert_string_equal(n->reference_id_text, "GPS");
    assert_int_equal(n->origin_unix_ns, 0);
    /* mode 6 read-variables response, count 4 of 2 captured: truncated */
    memset(msg, 0, sizeof(msg));
    msg[0] = 0x16;
    msg[1] = 0x82; /* R, opcode 2 */
    msg[3] = 9;    /* sequence */
    msg[11] = 4;   /* count */
    msg[12] = 'a';
    msg[13] = '=';
    len = udp_frame(frame, 123, 40000, msg, 14);
    pkt = decode(f, frame, len, len);
    n = dh_need(pkt, NC_REC_NTP, 0);
    assert_non_null(n->control);
    assert_true(n->control->response);
    assert_int_equal(n->control->opcode, 2);
    assert_int_equal(n->control->sequence_number, 9);
    assert_int_equal(n->control->data.len, 2);
    assert_int_equal(f->stats.bad[NC_DEC_ntp][NC_ETRUNC], 1);
    /* mode 7 monlist request */
    memset(msg, 0, sizeof(msg));
    msg[0] = 0x17;
    msg[2] = 3;
    msg[3] = 42;
    len = udp_frame(frame, 40000, 123, msg, 48);
    pkt = decode(f, frame, len, len);
    n = dh_need(pkt, NC_REC_NTP, 0);
    assert_non_null(n->private_mode);
    assert_int_equal(n->private_mode->implementation, 3);
    assert_int_equal(n->private_mode->request_code, 42);
    assert_int_equal(n->private_mode->data.len, 40);
    /* version 0 or mode 0: not NTP */
    msg[0] = 0x03;
    len = udp_frame(frame, 40000, 123, msg, 48);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_NTP, 0));
    assert_int_equal(f->stats.declined[NC_DEC_ntp], 1);
    msg[0] = 0x20;
    pkt = decode(f, frame, udp_frame(frame, 40000, 123, msg, 48), len);
    assert_null(dh_rec_nth(pkt, NC_REC_NTP, 0));
}

static void test_ntp_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    every_length(f, 123, 49445, ntp_server, sizeof(ntp_server), NC_REC_NTP, NC_DEC_ntp, 48, 48);
}

/* -------------------------------------------------------------------- SIP */

static const char sip_invite[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
                                 "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n"
                                 "v: SIP/2.0/UDP relay.example.com\r\n"
                                 "Max-Forwards: 70\r\n"
                                 "To: Bob <sip:bob@example.com>\r\n"
                                 "f: Alice <sip:alice@example.com>;tag=1928301774\r\n"
                                 "i: a84b4c76e66710@pc33.example.com\r\n"
                                 "CSeq: 314159 INVITE\r\n"
                                 "Subject: lunch\r\n"
                                 " today\r\n"
                                 "User-Agent: test/1.0\r\n"
                                 "m: <sip:alice@pc33.example.com>\r\n"
                                 "c: application/sdp\r\n"
                                 "l: 4\r\n"
                                 "\r\n"
                                 "v=0\n";

static void test_sip_request_fields(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t len = udp_frame(frame, 5060, 5060, (const uint8_t *)sip_invite, strlen(sip_invite));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__SIP *s = dh_need(pkt, NC_REC_SIP, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_sip), 0);
    assert_false(s->is_response);
    assert_int_equal(s->method, 1);
    assert_string_equal(s->method_name, "INVITE");
    assert_string_equal(s->uri, "sip:bob@example.com");
    assert_string_equal(s->version, "2.0");
    assert_string_equal(s->from, "Alice <sip:alice@example.com>;tag=1928301774");
    assert_string_equal(s->to, "Bob <sip:bob@example.com>");
    assert_string_equal(s->call_id, "a84b4c76e66710@pc33.example.com");
    assert_string_equal(s->cseq, "314159 INVITE");
    assert_string_equal(s->user_agent, "test/1.0");
    assert_string_equal(s->contact, "<sip:alice@pc33.example.com>");
    assert_string_equal(s->content_type, "application/sdp");
    assert_int_equal(s->content_length, 4);
    assert_int_equal(s->body_size, 4);
    assert_int_equal(s->n_via, 2);
    assert_string_equal(s->via[1], "SIP/2.0/UDP relay.example.com");
    assert_int_equal(s->n_headers, 12);
    assert_string_equal(s->headers[7], "Subject: lunch today");
    assert_string_equal(s->transport, "udp");
}

static void test_sip_response_not_tcp_and_decline(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    static const char resp[] = "SIP/2.0 180 Ringing\r\nCSeq: 2 INVITE\r\nCall-ID: x@y\r\n\r\n";
    /* over TCP, SIP is the stream parser's (test_tcpapps.c): no record per segment */
    size_t len = tcp_frame(frame, 5060, 40000, (const uint8_t *)resp, strlen(resp));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_SIP, 0));
    len = udp_frame(frame, 5060, 40000, (const uint8_t *)resp, strlen(resp));
    pkt = decode(f, frame, len, len);
    Netcap__SIP *s = dh_need(pkt, NC_REC_SIP, 0);
    assert_true(s->is_response);
    assert_int_equal(s->response_code, 180);
    assert_string_equal(s->response_status, "Ringing");
    assert_string_equal(s->method_name, "INVITE");
    assert_int_equal(s->method, 1);
    assert_int_equal(s->content_length, -1);
    assert_string_equal(s->transport, "udp");
    assert_int_equal(s->src_port, 5060);
    /* not SIP on 5060: declined, not malformed */
    static const char *const not_sip[] = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "INVITE sip:a SIP/20\r\n\r\n",
        "SIP/2.0 20 OK\r\n\r\n",
        "\x16\x03\x01\x00\x05hello",
        "INVITE\r\n",
    };
    for (size_t i = 0; i < NC_ARRAY_LEN(not_sip); i++) {
        len = udp_frame(frame, 40000, 5060, (const uint8_t *)not_sip[i], strlen(not_sip[i]));
        pkt = decode(f, frame, len, len);
        assert_null(dh_rec_nth(pkt, NC_REC_SIP, 0));
        assert_int_equal(f->stats.declined[NC_DEC_sip], 1);
        assert_int_equal(dh_bad(&f->stats, NC_DEC_sip), 0);
    }
    /* a header line without a colon: malformed, record kept */
    static const char broken[] = "OPTIONS sip:a SIP/2.0\r\nCall-ID: 1\r\nnonsense\r\n\r\n";
    len = udp_frame(frame, 40000, 5060, (const uint8_t *)broken, strlen(broken));
    pkt = decode(f, frame, len, len);
    s = dh_need(pkt, NC_REC_SIP, 0);
    assert_int_equal(s->method, 5);
    assert_string_equal(s->call_id, "1");
    assert_int_equal(f->stats.bad[NC_DEC_sip][NC_EMALFORMED], 1);
}

static void test_sip_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    size_t first_line = strlen("INVITE sip:bob@example.com SIP/2.0");
    every_length(f, 5060, 5060, (const uint8_t *)sip_invite, strlen(sip_invite), NC_REC_SIP,
            NC_DEC_sip, first_line, strlen(sip_invite));
}

/* -------------------------------------------------------------------- BFD */

/* clang-format off */
static const uint8_t bfd_md5[] = {
    0x20, 0x44, 5, 48,               /* v1, diag 0; Down, A; mult 5; length 48 */
    0, 0, 0, 1, 0, 0, 0, 0,          /* discriminators */
    0, 0x0f, 0x42, 0x40, 0, 0x0f, 0x42, 0x40, 0, 0, 0, 0, /* 1 s, 1 s, 0 */
    2, 24, 2, 0, 0, 0, 0, 5,         /* keyed MD5, len 24, key 2, seq 5 */
    1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
};
/* clang-format on */

static void test_bfd_md5_and_password(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX], msg[64];
    size_t len = udp_frame(frame, 1024, 3784, bfd_md5, sizeof(bfd_md5));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__BFD *b = dh_need(pkt, NC_REC_BFD, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_bfd), 0);
    assert_int_equal(b->version, 1);
    assert_int_equal(b->state, 1);
    assert_string_equal(b->state_name, "Down");
    assert_true(b->auth_present);
    assert_false(b->poll);
    assert_int_equal(b->detect_multiplier, 5);
    assert_int_equal(b->my_discriminator, 1);
    assert_int_equal(b->desired_min_tx_interval, 1000000);
    assert_false(b->multihop);
    assert_non_null(b->auth_header);
    assert_int_equal(b->auth_header->auth_type, 2);
    assert_int_equal(b->auth_header->key_id, 2);
    assert_int_equal(b->auth_header->sequence_number, 5);
    assert_int_equal(b->auth_header->data.len, 16);
    assert_string_equal(b->auth_header->password, ""); /* a digest is not text */
    /* simple password "secret", multihop, Up with poll */
    memcpy(msg, bfd_md5, 24);
    msg[1] = 0xe4;
    msg[3] = 24 + 9;
    const uint8_t auth[] = { 1, 9, 7, 's', 'e', 'c', 'r', 'e', 't' };
    memcpy(msg + 24, auth, sizeof(auth));
    len = udp_frame(frame, 49152, 4784, msg, 33);
    pkt = decode(f, frame, len, len);
    b = dh_need(pkt, NC_REC_BFD, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_bfd), 0);
    assert_true(b->multihop);
    assert_true(b->poll);
    assert_string_equal(b->state_name, "Up");
    assert_int_equal(b->auth_header->auth_type, 1);
    assert_int_equal(b->auth_header->key_id, 7);
    assert_memory_equal(b->auth_header->data.data, "secret", 6);
    assert_string_equal(b->auth_header->password, "secret");
    /* an MD5 Auth Len that does not fit the type: malformed */
    memcpy(msg, bfd_md5, sizeof(bfd_md5));
    msg[25] = 20;
    len = udp_frame(frame, 1024, 3784, msg, sizeof(bfd_md5));
    pkt = decode(f, frame, len, len);
    assert_non_null(dh_rec_nth(pkt, NC_REC_BFD, 0));
    assert_int_equal(f->stats.bad[NC_DEC_bfd][NC_EMALFORMED], 1);
    /* version 0, or a length below 24: declined */
    msg[0] = 0x00;
    len = udp_frame(frame, 1024, 3784, msg, sizeof(bfd_md5));
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_BFD, 0));
    assert_int_equal(f->stats.declined[NC_DEC_bfd], 1);
    msg[0] = 0x20;
    msg[3] = 20;
    pkt = decode(f, frame, udp_frame(frame, 1024, 3784, msg, sizeof(bfd_md5)), len);
    assert_null(dh_rec_nth(pkt, NC_REC_BFD, 0));
}

static void test_bfd_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    every_length(
            f, 1024, 3784, bfd_md5, sizeof(bfd_md5), NC_REC_BFD, NC_DEC_bfd, 24, sizeof(bfd_md5));
}

/* -------------------------------------------------------------------- LCM */

/* clang-format off */
static const uint8_t lcm_short[] = {
    'L', 'C', '0', '2', 0, 0, 0, 7, 'P', 'O', 'S', 'E', 0, 1, 2, 3, 4, 5,
};
static const uint8_t lcm_frag0[] = {
    'L', 'C', '0', '3', 0, 0, 0, 8, 0, 0, 0x0b, 0xb8, 0, 0, 0, 0, 0, 0, 0, 3,
    'C', 'A', 'M', 0, 9, 9, 9, 9,
};
/* clang-format on */

static void test_lcm_short_fragment_decline(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX], msg[96];
    size_t len = udp_frame(frame, 40000, 7667, lcm_short, sizeof(lcm_short));
    struct nc_pkt *pkt = decode(f, frame, len, len);
    Netcap__LCM *l = dh_need(pkt, NC_REC_LCM, 0);
    assert_int_equal(l->magic, 0x4c433032);
    assert_int_equal(l->sequence_number, 7);
    assert_string_equal(l->channel_name, "POSE");
    assert_false(l->fragmented);
    assert_int_equal(l->payload_size, 5);
    len = udp_frame(frame, 40000, 7667, lcm_frag0, sizeof(lcm_frag0));
    pkt = decode(f, frame, len, len);
    l = dh_need(pkt, NC_REC_LCM, 0);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_lcm), 0);
    assert_true(l->fragmented);
    assert_int_equal(l->payload_size, 3000);
    assert_int_equal(l->total_fragments, 3);
    assert_string_equal(l->channel_name, "CAM");
    assert_int_equal(l->data_size, 4);
    /* fragment 1: no channel name */
    memcpy(msg, lcm_frag0, 20);
    msg[19] = 3;
    msg[17] = 1;
    msg[15] = 100;
    len = udp_frame(frame, 40000, 7667, msg, 24);
    pkt = decode(f, frame, len, len);
    l = dh_need(pkt, NC_REC_LCM, 0);
    assert_int_equal(l->fragment_number, 1);
    assert_int_equal(l->fragment_offset, 100);
    assert_string_equal(l->channel_name, "");
    assert_int_equal(l->data_size, 4);
    /* a channel name of 64 octets without NUL: malformed */
    memcpy(msg, lcm_short, 8);
    memset(msg + 8, 'a', 64);
    len = udp_frame(frame, 40000, 7667, msg, 72);
    pkt = decode(f, frame, len, len);
    assert_non_null(dh_rec_nth(pkt, NC_REC_LCM, 0));
    assert_int_equal(f->stats.bad[NC_DEC_lcm][NC_EMALFORMED], 1);
    /* no magic */
    len = udp_frame(frame, 40000, 7667, (const uint8_t *)"LC01xxxx", 8);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_LCM, 0));
    assert_int_equal(f->stats.declined[NC_DEC_lcm], 1);
}

static void test_lcm_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    every_length(f, 40000, 7667, lcm_short, sizeof(lcm_short), NC_REC_LCM, NC_DEC_lcm, 8, 13);
    every_length(f, 40000, 7667, lcm_frag0, sizeof(lcm_frag0), NC_REC_LCM, NC_DEC_lcm, 20, 24);
}

/* Records not wanted: the same verdicts, no records. */
static void test_unwanted_types_same_verdicts(void **state)
{
    struct dh_fx *f = *state;
    f->opts.want[NC_REC_DHCPv4] = false;
    f->opts.want[NC_REC_SIP] = false;
    f->opts.want[NC_REC_NTP] = false;
    static const uint8_t opts[] = { 53, 1, 3, 12, 40, 'x' };
    uint8_t msg[512], frame[FRAME_MAX];
    size_t n = dhcp_msg(msg, true, opts, sizeof(opts));
    size_t len = udp_frame(frame, 68, 67, msg, n);
    struct nc_pkt *pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_DHCPv4, 0));
    assert_int_equal(f->stats.bad[NC_DEC_dhcp4][NC_ETRUNC], 1);
    len = udp_frame(frame, 5060, 5060, (const uint8_t *)sip_invite, 60);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_SIP, 0));
    assert_int_equal(f->stats.bad[NC_DEC_sip][NC_ETRUNC], 1);
    len = udp_frame(frame, 123, 123, ntp_server, 60);
    pkt = decode(f, frame, len, len);
    assert_null(dh_rec_nth(pkt, NC_REC_NTP, 0));
    assert_int_equal(dh_bad(&f->stats, NC_DEC_ntp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dhcp4_discover_fields, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_dhcp4_overload_reads_file_and_sname, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_dhcp4_decline_and_bootp, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_dhcp4_option_past_end_is_truncated, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_dhcp4_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_dhcp6_solicit_fields, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_dhcp6_relay_and_decline, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_dhcp6_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ntp_server_with_mac, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_ntp_extension_control_private_decline, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ntp_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_sip_request_fields, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_sip_response_not_tcp_and_decline, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_sip_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_bfd_md5_and_password, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_bfd_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_lcm_short_fragment_decline, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_lcm_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_unwanted_types_same_verdicts, dh_setup, dh_teardown),
    };
    return cmocka_run_group_tests(tests, dh_group_setup, NULL);
}
