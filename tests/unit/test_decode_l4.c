/*
 * Unit tests for the transport decoders: tcp, udp, icmp4, icmp6 and the
 * ICMPv6 message decoders (echo, router/neighbour discovery).
 *
 * Most tests drive the decoders directly through their descriptors, with
 * the packet context set up as an IP decoder would leave it; the e2e tests
 * at the end run whole Ethernet frames through nc_decode_packet(). Every
 * input is copied into a heap block of exactly its size so that ASan sees
 * a one-byte over-read.
 */
#include "decode_harness.h"

#include "core/str.h"

static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_dst[4] = { 198, 51, 100, 7 };
/* fe80::1 and ff02::1 */
static const uint8_t ip6_src[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_dst[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

/* A fresh packet whose context is what an IP decoder of version ver (4 or
 * 6) for protocol proto would leave behind; ver 0: no IP context yet. */
static struct nc_pkt *fresh_pkt(struct dh_fx *f, uint8_t ver, uint8_t proto)
{
    return dh_fresh_ip(f, ver, ver == 6 ? ip6_src : ip4_src, ver == 6 ? ip6_dst : ip4_dst, proto);
}

/* ------------------------------------------------------------------ TCP */

/* 10.x SYN 49152 -> 80, seq 0x01020304, win 64240, options:
 * MSS 1460, SACK permitted, timestamps 0x11223344/0, NOP, window scale 7 */
/* clang-format off */
static const uint8_t tcp_syn[] = {
    0xc0, 0x00, 0x00, 0x50,                         /* ports 49152 -> 80 */
    0x01, 0x02, 0x03, 0x04,                         /* seq */
    0x00, 0x00, 0x00, 0x00,                         /* ack */
    0xa0, 0x02, 0xfa, 0xf0,                         /* doff 10, SYN, win 64240 */
    0xbe, 0xef, 0x00, 0x00,                         /* checksum, urgent */
    0x02, 0x04, 0x05, 0xb4,                         /* MSS 1460 */
    0x04, 0x02,                                     /* SACK permitted */
    0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, /* timestamps */
    0x01,                                           /* NOP */
    0x03, 0x03, 0x07,                               /* window scale 7 */
};
/* clang-format on */

static void test_tcp_syn_with_options(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, tcp_syn, sizeof(tcp_syn));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);

    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->timestamp, 1700000000123456789);
    assert_string_equal(t->src_ip, "192.0.2.1");
    assert_string_equal(t->dst_ip, "198.51.100.7");
    assert_int_equal(t->src_port, 49152);
    assert_int_equal(t->dst_port, 80);
    assert_int_equal(t->sequence_number, 0x01020304);
    assert_int_equal(t->ack_number, 0);
    assert_int_equal(t->data_offset, 10);
    assert_true(t->syn);
    assert_false(t->fin || t->rst || t->psh || t->ack || t->urg || t->ece || t->cwr || t->ns);
    assert_int_equal(t->window, 64240);
    assert_int_equal(t->checksum, 0xbeef);
    assert_int_equal(t->urgent, 0);
    assert_int_equal(t->payload_size, 0);
    assert_int_equal(t->padding.len, 0);

    assert_int_equal(t->n_options, 5);
    static const uint8_t mss[] = { 0x05, 0xb4 };
    static const uint8_t ts[] = { 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0 };
    static const uint8_t ws[] = { 0x07 };
    assert_int_equal(t->options[0]->option_type, 2);
    assert_int_equal(t->options[0]->option_length, 4);
    dh_assert_bytes(t->options[0]->option_data, mss, sizeof(mss));
    assert_int_equal(t->options[1]->option_type, 4);
    assert_int_equal(t->options[1]->option_length, 2);
    assert_int_equal(t->options[1]->option_data.len, 0);
    assert_int_equal(t->options[2]->option_type, 8);
    assert_int_equal(t->options[2]->option_length, 10);
    dh_assert_bytes(t->options[2]->option_data, ts, sizeof(ts));
    assert_int_equal(t->options[3]->option_type, 1);
    assert_int_equal(t->options[3]->option_length, 1);
    assert_int_equal(t->options[4]->option_type, 3);
    assert_int_equal(t->options[4]->option_length, 3);
    dh_assert_bytes(t->options[4]->option_data, ws, sizeof(ws));

    /* context for the flow table; no payload, so no next layer */
    assert_true(pkt->ctx.has_ports);
    assert_int_equal(pkt->ctx.src_port, 49152);
    assert_int_equal(pkt->ctx.dst_port, 80);
    assert_int_equal(pkt->ctx.tcp_flags, NC_TCP_SYN);
    assert_int_equal(pkt->ctx.tcp_window, 64240);
    assert_int_equal(pkt->ctx.l4_payload, 0);
    assert_int_equal(pkt->ctx.ip_proto, 6);
    assert_int_equal(pkt->next_ns, NC_NS_NONE);
    assert_false(pkt->has_alt);
}

/* ACK|PSH 80 -> 49152 with NOP, NOP, SACK one block, then 5 bytes "hello" */
/* clang-format off */
static const uint8_t tcp_sack_payload[] = {
    0x00, 0x50, 0xc0, 0x00,             /* ports 80 -> 49152 */
    0xff, 0xff, 0xff, 0xff,             /* seq */
    0x80, 0x00, 0x00, 0x01,             /* ack */
    0x80, 0x18, 0x01, 0x00,             /* doff 8, ACK|PSH, win 256 */
    0x12, 0x34, 0x00, 0x07,             /* checksum, urgent 7 */
    0x01, 0x01,                         /* NOP NOP */
    0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 9, /* SACK 1..9 */
    'h', 'e', 'l', 'l', 'o',
};
/* clang-format on */
enum {
    TCP_SACK_HDR = 32,
};

static void test_tcp_sack_and_payload_dispatch(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    f->opts.entropy = true;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, tcp_sack_payload, sizeof(tcp_sack_payload));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);

    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->sequence_number, 0xffffffffu);
    assert_int_equal(t->ack_number, 0x80000001u);
    assert_true(t->ack);
    assert_true(t->psh);
    assert_false(t->syn);
    assert_int_equal(t->urgent, 7);
    assert_int_equal(t->n_options, 3);
    static const uint8_t sack[] = { 0, 0, 0, 1, 0, 0, 0, 9 };
    assert_int_equal(t->options[2]->option_type, 5);
    assert_int_equal(t->options[2]->option_length, 10);
    dh_assert_bytes(t->options[2]->option_data, sack, sizeof(sack));
    assert_int_equal(t->payload_size, 5);
    dh_assert_bytes(t->payload, (const uint8_t *)"hello", 5);
    double h = nc_entropy((const uint8_t *)"hello", 5);
    assert_true(t->payload_entropy > 1.9 && t->payload_entropy == h);

    assert_int_equal(pkt->ctx.tcp_flags, NC_TCP_ACK | NC_TCP_PSH);
    assert_int_equal(pkt->ctx.l4_payload, 5);
    /* the reader is left at the payload for the application decoder */
    assert_int_equal(r.off, TCP_SACK_HDR);
    assert_int_equal(nc_rd_left(&r), 5);
    assert_int_equal(pkt->next_ns, NC_NS_TCP_PORT);
    assert_int_equal(pkt->next_id, 49152);
    assert_int_equal(pkt->next_id_alt, 80);
    assert_true(pkt->has_alt);
}

static void test_tcp_payload_and_entropy_off(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, tcp_sack_payload, sizeof(tcp_sack_payload));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->payload_size, 5);
    assert_int_equal(t->payload.len, 0);
    assert_null(t->payload.data);
    assert_true(t->payload_entropy == 0.0);

    /* payload without entropy and the other way round */
    f->opts.payload = true;
    pkt = fresh_pkt(f, 4, 6);
    r = dh_reader(f, tcp_sack_payload, sizeof(tcp_sack_payload));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->payload.len, 5);
    assert_true(t->payload_entropy == 0.0);

    f->opts.payload = false;
    f->opts.entropy = true;
    pkt = fresh_pkt(f, 4, 6);
    r = dh_reader(f, tcp_sack_payload, sizeof(tcp_sack_payload));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->payload.len, 0);
    assert_true(t->payload_entropy > 0.0);
}

static void test_tcp_all_nine_flags(void **state)
{
    struct dh_fx *f = *state;
    uint8_t seg[20] = { 0 };
    seg[12] = 0x51; /* doff 5, reserved 0, NS */
    seg[13] = 0xff; /* CWR ECE URG ACK PSH RST SYN FIN */
    struct nc_pkt *pkt = fresh_pkt(f, 6, 6);
    struct nc_rd r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_string_equal(t->src_ip, "fe80::1");
    assert_true(t->fin && t->syn && t->rst && t->psh && t->ack && t->urg && t->ece && t->cwr);
    assert_true(t->ns);
    assert_int_equal(t->n_options, 0);
    assert_int_equal(pkt->ctx.tcp_flags, 0x1ff);

    /* reserved bits alone set no flag */
    seg[12] = 0x5e;
    seg[13] = 0x00;
    pkt = fresh_pkt(f, 4, 6);
    r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    t = dh_need(pkt, NC_REC_TCP, 0);
    assert_false(t->ns || t->fin || t->syn);
    assert_int_equal(pkt->ctx.tcp_flags, 0);
}

/* MSS, EOL, then three bytes of padding up to the data offset, then payload */
/* clang-format off */
static const uint8_t tcp_eol[] = {
    0x04, 0xd2, 0x16, 0x2e,         /* ports 1234 -> 5678 */
    0, 0, 0, 1, 0, 0, 0, 2,         /* seq, ack */
    0x70, 0x10, 0x00, 0x10,         /* doff 7, ACK, win 16 */
    0x00, 0x00, 0x00, 0x00,         /* checksum, urgent */
    0x02, 0x04, 0x02, 0x18,         /* MSS 536 */
    0x00,                           /* EOL */
    0x00, 0xaa, 0x00,               /* padding (anything goes after EOL) */
    'x',
};
/* clang-format on */

static void test_tcp_eol_then_padding(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, tcp_eol, sizeof(tcp_eol));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->data_offset, 7);
    assert_int_equal(t->n_options, 2);
    assert_int_equal(t->options[0]->option_type, 2);
    assert_int_equal(t->options[1]->option_type, 0);
    assert_int_equal(t->options[1]->option_length, 1);
    assert_int_equal(t->options[1]->option_data.len, 0);
    static const uint8_t pad[] = { 0x00, 0xaa, 0x00 };
    dh_assert_bytes(t->padding, pad, sizeof(pad));
    assert_int_equal(t->payload_size, 1);
    assert_int_equal(nc_rd_left(&r), 1);
    assert_int_equal(pkt->next_ns, NC_NS_TCP_PORT);
    assert_int_equal(pkt->next_id, 5678);
    assert_int_equal(pkt->next_id_alt, 1234);
}

static void test_tcp_data_offset_below_5_is_malformed(void **state)
{
    struct dh_fx *f = *state;
    for (uint8_t doff = 0; doff < 5; doff++) {
        uint8_t seg[24] = { 0 };
        seg[1] = 1;
        seg[3] = 2;
        seg[12] = (uint8_t)(doff << 4);
        seg[13] = 0x02;
        struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
        struct nc_rd r = dh_reader(f, seg, sizeof(seg));
        assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_EMALFORMED);
        assert_int_equal(pkt->n_recs, 0);
        assert_false(pkt->ctx.has_ports);
        assert_int_equal(pkt->next_ns, NC_NS_NONE);
    }
}

static void test_tcp_bad_option_lengths(void **state)
{
    struct dh_fx *f = *state;
    /* doff 6: NOP, then kind 2 with length 1 (< 2), then two bytes; payload */
    uint8_t seg[25] = { 0 };
    seg[12] = 0x60;
    seg[13] = 0x18;
    seg[20] = 0x01;
    seg[21] = 0x02;
    seg[22] = 0x01;
    seg[24] = 'p';
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_EMALFORMED);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_non_null(t); /* the header itself is kept */
    assert_int_equal(t->n_options, 1);
    assert_int_equal(t->options[0]->option_type, 1);
    assert_int_equal(t->payload_size, 1);
    assert_true(pkt->ctx.has_ports);
    assert_int_equal(pkt->next_ns, NC_NS_NONE); /* payload not handed on */

    /* an option longer than the option space */
    seg[21] = 0x08;
    seg[22] = 0x0a;
    pkt = fresh_pkt(f, 4, 6);
    r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_EMALFORMED);
    t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->n_options, 1);

    /* a kind byte as the last option byte, with no room for its length */
    seg[20] = 0x01;
    seg[21] = 0x01;
    seg[22] = 0x01;
    seg[23] = 0x02;
    pkt = fresh_pkt(f, 4, 6);
    r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_EMALFORMED);
    t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->n_options, 3);
}

static void test_tcp_forty_nops_fill_the_option_space(void **state)
{
    struct dh_fx *f = *state;
    uint8_t seg[60];
    memset(seg, 0x01, sizeof(seg));
    memset(seg, 0, 20);
    seg[12] = 0xf0; /* doff 15: 40 option bytes */
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_int_equal(t->n_options, 40);
    assert_int_equal(t->options[39]->option_type, 1);
}

static void test_tcp_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    f->opts.entropy = true;
    for (size_t n = 0; n <= sizeof(tcp_sack_payload); n++) {
        struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
        struct nc_rd r = dh_reader(f, tcp_sack_payload, n);
        int rc = dh_run_decoder(pkt, NC_DEC_tcp, &r);
        if (n < TCP_SACK_HDR) {
            assert_int_equal(rc, NC_ETRUNC);
            assert_null(dh_rec_nth(pkt, NC_REC_TCP, 0));
            assert_int_equal(pkt->next_ns, NC_NS_NONE);
            /* options cut off: no record, but the flow still gets its ports */
            assert_int_equal(pkt->ctx.has_ports, n >= 20);
            if (n >= 20) {
                assert_int_equal(pkt->ctx.dst_port, 49152);
                assert_int_equal(pkt->ctx.tcp_flags, NC_TCP_ACK | NC_TCP_PSH);
                assert_int_equal(pkt->ctx.l4_payload, 0);
            }
        } else {
            assert_int_equal(rc, NC_OK);
            Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
            assert_int_equal(t->payload_size, n - TCP_SACK_HDR);
            assert_int_equal(t->payload.len, n - TCP_SACK_HDR);
            assert_int_equal(pkt->next_ns, n > TCP_SACK_HDR ? NC_NS_TCP_PORT : NC_NS_NONE);
        }
    }
    for (size_t n = 0; n <= sizeof(tcp_syn); n++) {
        struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
        struct nc_rd r = dh_reader(f, tcp_syn, n);
        int rc = dh_run_decoder(pkt, NC_DEC_tcp, &r);
        assert_int_equal(rc, n < sizeof(tcp_syn) ? NC_ETRUNC : NC_OK);
    }
}

static void test_tcp_unwanted_record_still_decodes(void **state)
{
    struct dh_fx *f = *state;
    f->opts.want[NC_REC_TCP] = false;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 6);
    struct nc_rd r = dh_reader(f, tcp_sack_payload, sizeof(tcp_sack_payload));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_OK);
    assert_int_equal(pkt->n_recs, 0);
    assert_true(pkt->ctx.has_ports);
    assert_int_equal(pkt->ctx.dst_port, 49152);
    assert_int_equal(pkt->ctx.tcp_flags, NC_TCP_ACK | NC_TCP_PSH);
    assert_int_equal(pkt->ctx.l4_payload, 5);
    assert_int_equal(pkt->next_ns, NC_NS_TCP_PORT);
    assert_int_equal(nc_rd_left(&r), 5);

    /* option verdicts do not depend on the selection */
    uint8_t seg[24] = { 0 };
    seg[12] = 0x60;
    seg[20] = 0x03;
    seg[21] = 0x00;
    pkt = fresh_pkt(f, 4, 6);
    r = dh_reader(f, seg, sizeof(seg));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_tcp, &r), NC_EMALFORMED);
}

/* ------------------------------------------------------------------ UDP */

/* 53 -> 33000, length 13, "abcde" */
/* clang-format off */
static const uint8_t udp_dgram[] = {
    0x00, 0x35, 0x80, 0xe8, 0x00, 0x0d, 0xca, 0xfe, 'a', 'b', 'c', 'd', 'e',
};
/* clang-format on */

static void test_udp_datagram(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    f->opts.entropy = true;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 17);
    struct nc_rd r = dh_reader(f, udp_dgram, sizeof(udp_dgram));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_udp, &r), NC_OK);
    Netcap__UDP *u = dh_need(pkt, NC_REC_UDP, 0);
    assert_int_equal(u->timestamp, 1700000000123456789);
    assert_string_equal(u->src_ip, "192.0.2.1");
    assert_int_equal(u->src_port, 53);
    assert_int_equal(u->dst_port, 33000);
    assert_int_equal(u->length, 13);
    assert_int_equal(u->checksum, 0xcafe);
    assert_int_equal(u->payload_size, 5);
    dh_assert_bytes(u->payload, (const uint8_t *)"abcde", 5);
    assert_true(u->payload_entropy > 2.3); /* log2(5) */

    assert_true(pkt->ctx.has_ports);
    assert_int_equal(pkt->ctx.src_port, 53);
    assert_int_equal(pkt->ctx.dst_port, 33000);
    assert_int_equal(pkt->ctx.l4_payload, 5);
    assert_int_equal(pkt->ctx.ip_proto, 17);
    assert_int_equal(pkt->next_ns, NC_NS_UDP_PORT);
    assert_int_equal(pkt->next_id, 33000);
    assert_int_equal(pkt->next_id_alt, 53);
    assert_true(pkt->has_alt);
    assert_int_equal(nc_rd_left(&r), 5);
    assert_int_equal(nc_rd_u8(&r), 'a');
}

static void test_udp_length_shrinks_window(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    /* length 10: two payload bytes, the rest is link-layer padding */
    uint8_t d[sizeof(udp_dgram)];
    memcpy(d, udp_dgram, sizeof(d));
    d[5] = 10;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 17);
    struct nc_rd r = dh_reader(f, d, sizeof(d));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_udp, &r), NC_OK);
    Netcap__UDP *u = dh_need(pkt, NC_REC_UDP, 0);
    assert_int_equal(u->length, 10);
    assert_int_equal(u->payload_size, 2);
    dh_assert_bytes(u->payload, (const uint8_t *)"ab", 2);
    assert_int_equal(pkt->ctx.l4_payload, 2);
    assert_int_equal(nc_rd_left(&r), 2);
    nc_rd_skip(&r, 3); /* the next layer cannot see beyond the UDP length */
    assert_int_equal(r.err, NC_ETRUNC);

    /* length 8: no payload, no next layer */
    d[5] = 8;
    pkt = fresh_pkt(f, 4, 17);
    r = dh_reader(f, d, sizeof(d));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_udp, &r), NC_OK);
    u = dh_need(pkt, NC_REC_UDP, 0);
    assert_int_equal(u->payload_size, 0);
    assert_int_equal(u->payload.len, 0);
    assert_int_equal(pkt->next_ns, NC_NS_NONE);
    assert_true(pkt->ctx.has_ports);
}

static void test_udp_length_beyond_capture(void **state)
{
    struct dh_fx *f = *state;
    uint8_t d[sizeof(udp_dgram)];
    memcpy(d, udp_dgram, sizeof(d));
    d[4] = 0x05; /* length 1293: the capture holds only 5 payload bytes */
    struct nc_pkt *pkt = fresh_pkt(f, 6, 17);
    struct nc_rd r = dh_reader(f, d, sizeof(d));
    pkt->ctx.ip_left = 1293; /* the IP header declared the whole datagram (snaplen cut it) */
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_udp, &r), NC_OK);
    Netcap__UDP *u = dh_need(pkt, NC_REC_UDP, 0);
    assert_int_equal(u->length, 1293);
    assert_int_equal(u->payload_size, 5);
    assert_int_equal(pkt->ctx.l4_payload, 1285); /* what the header says was sent */
    assert_int_equal(nc_rd_left(&r), 5);
}

static void test_udp_length_below_8_is_malformed(void **state)
{
    struct dh_fx *f = *state;
    for (uint8_t len = 0; len < 8; len++) {
        uint8_t d[sizeof(udp_dgram)];
        memcpy(d, udp_dgram, sizeof(d));
        d[5] = len;
        struct nc_pkt *pkt = fresh_pkt(f, 4, 17);
        struct nc_rd r = dh_reader(f, d, sizeof(d));
        assert_int_equal(dh_run_decoder(pkt, NC_DEC_udp, &r), NC_EMALFORMED);
        assert_int_equal(pkt->n_recs, 0);
        assert_int_equal(pkt->next_ns, NC_NS_NONE);
    }
}

static void test_udp_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    f->opts.entropy = true;
    for (size_t n = 0; n <= sizeof(udp_dgram); n++) {
        struct nc_pkt *pkt = fresh_pkt(f, 4, 17);
        struct nc_rd r = dh_reader(f, udp_dgram, n);
        int rc = dh_run_decoder(pkt, NC_DEC_udp, &r);
        if (n < 8) {
            assert_int_equal(rc, NC_ETRUNC);
            assert_null(dh_rec_nth(pkt, NC_REC_UDP, 0));
            assert_false(pkt->ctx.has_ports);
        } else {
            assert_int_equal(rc, NC_OK);
            Netcap__UDP *u = dh_need(pkt, NC_REC_UDP, 0);
            assert_int_equal(u->payload_size, n - 8);
            assert_int_equal(u->payload.len, n - 8);
        }
    }
}

static void test_udp_unwanted_record_still_decodes(void **state)
{
    struct dh_fx *f = *state;
    f->opts.want[NC_REC_UDP] = false;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 17);
    struct nc_rd r = dh_reader(f, udp_dgram, sizeof(udp_dgram));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_udp, &r), NC_OK);
    assert_int_equal(pkt->n_recs, 0);
    assert_true(pkt->ctx.has_ports);
    assert_int_equal(pkt->next_ns, NC_NS_UDP_PORT);
    assert_int_equal(pkt->next_id, 33000);
}

/* --------------------------------------------------------------- ICMPv4 */

/* echo request id 0x1234 seq 7, 4 data bytes */
/* clang-format off */
static const uint8_t icmp4_echo[] = {
    0x08, 0x00, 0xf7, 0xff, 0x12, 0x34, 0x00, 0x07, 'p', 'i', 'n', 'g',
};
/* clang-format on */

static void test_icmp4_echo(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 1);
    struct nc_rd r = dh_reader(f, icmp4_echo, sizeof(icmp4_echo));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_icmp4, &r), NC_OK);
    Netcap__ICMPv4 *m = dh_need(pkt, NC_REC_ICMPv4, 0);
    assert_int_equal(m->timestamp, 1700000000123456789);
    assert_string_equal(m->dst_ip, "198.51.100.7");
    assert_int_equal(m->type_code, 0x0800);
    assert_int_equal(m->type, 8);
    assert_int_equal(m->code, 0);
    assert_int_equal(m->checksum, 0xf7ff);
    assert_int_equal(m->id, 0x1234);
    assert_int_equal(m->sequence_number, 7);
    assert_true(pkt->ctx.has_icmp);
    assert_int_equal(pkt->ctx.icmp_type, 8);
    assert_int_equal(pkt->ctx.icmp_code, 0);
    assert_int_equal(pkt->ctx.l4_payload, 4);
    assert_false(pkt->ctx.has_ports);
    assert_int_equal(pkt->next_ns, NC_NS_NONE);
}

static void test_icmp4_id_seq_only_for_query_types(void **state)
{
    struct dh_fx *f = *state;
    /* port unreachable: the second word is unused, then the quoted datagram */
    /* clang-format off */
    static const uint8_t unreach[] = {
        0x03, 0x03, 0x12, 0x34, 0xaa, 0xbb, 0xcc, 0xdd, /* header, junk in "unused" */
        0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    };
    /* clang-format on */
    struct nc_pkt *pkt = fresh_pkt(f, 4, 1);
    struct nc_rd r = dh_reader(f, unreach, sizeof(unreach));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_icmp4, &r), NC_OK);
    Netcap__ICMPv4 *m = dh_need(pkt, NC_REC_ICMPv4, 0);
    assert_int_equal(m->type_code, 0x0303);
    assert_int_equal(m->code, 3);
    assert_int_equal(m->id, 0);
    assert_int_equal(m->sequence_number, 0);
    assert_int_equal(pkt->ctx.icmp_code, 3);
    assert_int_equal(pkt->ctx.l4_payload, 20);
    assert_int_equal(pkt->next_ns, NC_NS_NONE); /* quoted packet not decoded */
    assert_int_equal(pkt->n_recs, 1);

    /* timestamp (13), information (15) and address mask (17) carry them */
    static const uint8_t query_types[] = { 0, 13, 14, 15, 16, 17, 18 };
    for (size_t i = 0; i < NC_ARRAY_LEN(query_types); i++) {
        uint8_t msg[20] = { query_types[i], 0, 0, 0, 0xab, 0xcd, 0x00, 0x02 };
        pkt = fresh_pkt(f, 4, 1);
        r = dh_reader(f, msg, sizeof(msg));
        assert_int_equal(dh_run_decoder(pkt, NC_DEC_icmp4, &r), NC_OK);
        m = dh_need(pkt, NC_REC_ICMPv4, 0);
        assert_int_equal(m->id, 0xabcd);
        assert_int_equal(m->sequence_number, 2);
    }
}

static void test_icmp4_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    for (size_t n = 0; n <= sizeof(icmp4_echo); n++) {
        struct nc_pkt *pkt = fresh_pkt(f, 4, 1);
        struct nc_rd r = dh_reader(f, icmp4_echo, n);
        int rc = dh_run_decoder(pkt, NC_DEC_icmp4, &r);
        if (n < 8) {
            assert_int_equal(rc, NC_ETRUNC);
            assert_int_equal(pkt->n_recs, 0);
            assert_false(pkt->ctx.has_icmp);
        } else {
            assert_int_equal(rc, NC_OK);
            assert_int_equal(pkt->ctx.l4_payload, n - 8);
        }
    }
}

static void test_icmp4_unwanted_record_still_sets_context(void **state)
{
    struct dh_fx *f = *state;
    f->opts.want[NC_REC_ICMPv4] = false;
    struct nc_pkt *pkt = fresh_pkt(f, 4, 1);
    struct nc_rd r = dh_reader(f, icmp4_echo, sizeof(icmp4_echo));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_icmp4, &r), NC_OK);
    assert_int_equal(pkt->n_recs, 0);
    assert_true(pkt->ctx.has_icmp);
    assert_int_equal(pkt->ctx.icmp_type, 8);
}

/* --------------------------------------------------------------- ICMPv6 */

/* Run icmp6 and then the message decoder it names, as the dispatch loop
 * would. Returns the first non-OK verdict. */
static int run_icmp6(struct nc_pkt *pkt, struct nc_rd *r)
{
    int rc = dh_run_decoder(pkt, NC_DEC_icmp6, r);
    if (rc != NC_OK || pkt->next_ns != NC_NS_ICMP6_TYPE) {
        return rc;
    }
    enum nc_decoder_id id;
    switch (pkt->next_id) {
        case 128:
        case 129:
            id = NC_DEC_icmp6echo;
            break;
        case 133:
            id = NC_DEC_icmp6rs;
            break;
        case 134:
            id = NC_DEC_icmp6ra;
            break;
        case 135:
            id = NC_DEC_icmp6ns;
            break;
        case 136:
            id = NC_DEC_icmp6na;
            break;
        default:
            return rc;
    }
    pkt->next_ns = NC_NS_NONE;
    return dh_run_decoder(pkt, id, r);
}

/* clang-format off */
static const uint8_t icmp6_echo_reply[] = {
    0x81, 0x00, 0x5e, 0x11, /* echo reply, checksum */
    0x00, 0x2a, 0x01, 0x00, /* id 42, seq 256 */
    'd', 'a', 't', 'a', 'x',
};
/* clang-format on */

static void test_icmp6_header_and_dispatch(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, icmp6_echo_reply, sizeof(icmp6_echo_reply));
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_icmp6, &r), NC_OK);
    Netcap__ICMPv6 *m = dh_need(pkt, NC_REC_ICMPv6, 0);
    assert_string_equal(m->src_ip, "fe80::1");
    assert_string_equal(m->dst_ip, "ff02::1");
    assert_int_equal(m->type_code, 0x8100);
    assert_int_equal(m->type, 129);
    assert_int_equal(m->code, 0);
    assert_int_equal(m->checksum, 0x5e11);
    assert_true(pkt->ctx.has_icmp);
    assert_int_equal(pkt->ctx.icmp_type, 129);
    assert_int_equal(pkt->ctx.l4_payload, 5);
    assert_int_equal(pkt->ctx.ip_proto, 58);
    assert_int_equal(pkt->next_ns, NC_NS_ICMP6_TYPE);
    assert_int_equal(pkt->next_id, 129);
    assert_int_equal(r.off, 4);
}

static void test_icmp6_echo_request_and_reply(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, icmp6_echo_reply, sizeof(icmp6_echo_reply));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    Netcap__ICMPv6Echo *e = dh_need(pkt, NC_REC_ICMPv6Echo, 0);
    assert_int_equal(e->timestamp, 1700000000123456789);
    assert_string_equal(e->src_ip, "fe80::1");
    assert_int_equal(e->id, 42);
    assert_int_equal(e->sequence_number, 256);
    assert_true(e->is_reply);
    assert_int_equal(pkt->n_recs, 2);
    assert_int_equal(pkt->next_ns, NC_NS_NONE);

    uint8_t req[sizeof(icmp6_echo_reply)];
    memcpy(req, icmp6_echo_reply, sizeof(req));
    req[0] = 128;
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, req, sizeof(req));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    e = dh_need(pkt, NC_REC_ICMPv6Echo, 0);
    assert_false(e->is_reply);
    assert_int_equal(e->id, 42);
}

/* NS for 2001:db8::1234 with a source link-layer address option */
/* clang-format off */
static const uint8_t icmp6_ns[] = {
    0x87, 0x00, 0x12, 0x34,                               /* type 135 */
    0x00, 0x00, 0x00, 0x00,                               /* reserved */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34,
    0x01, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,       /* SLLA */
};
/* clang-format on */

static void test_icmp6_neighbor_solicitation(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, icmp6_ns, sizeof(icmp6_ns));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    Netcap__ICMPv6NeighborSolicitation *ns = dh_need(pkt, NC_REC_ICMPv6NeighborSolicitation, 0);
    assert_string_equal(ns->src_ip, "fe80::1");
    assert_string_equal(ns->target_address, "2001:db8::1234");
    assert_int_equal(ns->n_options, 1);
    static const uint8_t mac[] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
    assert_int_equal(ns->options[0]->type, 1);
    dh_assert_bytes(ns->options[0]->data, mac, sizeof(mac));
    assert_int_equal(pkt->ctx.icmp_type, 135);
    assert_int_equal(pkt->ctx.l4_payload, 24);
}

/* NA for fe80::1, R|S|O, target link-layer address option */
/* clang-format off */
static const uint8_t icmp6_na[] = {
    0x88, 0x00, 0x00, 0x00,                               /* type 136 */
    0xe0, 0x00, 0x00, 0x00,                               /* R S O */
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x02, 0x01, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,       /* TLLA */
};
/* clang-format on */

static void test_icmp6_neighbor_advertisement(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, icmp6_na, sizeof(icmp6_na));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    Netcap__ICMPv6NeighborAdvertisement *na = dh_need(pkt, NC_REC_ICMPv6NeighborAdvertisement, 0);
    assert_int_equal(na->flags, 0xe0);
    assert_string_equal(na->target_address, "fe80::1");
    assert_int_equal(na->n_options, 1);
    static const uint8_t mac[] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
    assert_int_equal(na->options[0]->type, 2);
    dh_assert_bytes(na->options[0]->data, mac, sizeof(mac));

    /* S only, no options */
    uint8_t s_only[24];
    memcpy(s_only, icmp6_na, sizeof(s_only));
    s_only[4] = 0x40;
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, s_only, sizeof(s_only));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    na = dh_need(pkt, NC_REC_ICMPv6NeighborAdvertisement, 0);
    assert_int_equal(na->flags, 0x40);
    assert_int_equal(na->n_options, 0);
}

/* clang-format off */
static const uint8_t icmp6_rs[] = {
    0x85, 0x00, 0xab, 0xcd,                         /* type 133 */
    0x00, 0x00, 0x00, 0x00,                         /* reserved */
    0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* SLLA */
};
/* clang-format on */

static void test_icmp6_router_solicitation(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, icmp6_rs, sizeof(icmp6_rs));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    Netcap__ICMPv6RouterSolicitation *rs = dh_need(pkt, NC_REC_ICMPv6RouterSolicitation, 0);
    assert_string_equal(rs->dst_ip, "ff02::1");
    assert_int_equal(rs->n_options, 1);
    assert_int_equal(rs->options[0]->type, 1);
    assert_int_equal(rs->options[0]->data.len, 6);

    /* no options at all */
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, icmp6_rs, 8);
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    rs = dh_need(pkt, NC_REC_ICMPv6RouterSolicitation, 0);
    assert_int_equal(rs->n_options, 0);
    assert_null(rs->options);
}

/* RA: hop limit 64, M|O, lifetime 1800, reachable 30000, retrans 1000;
 * options SLLA, MTU 1500, prefix information 2001:db8::/64 */
/* clang-format off */
static const uint8_t icmp6_ra[] = {
    0x86, 0x00, 0x00, 0x00,                         /* type 134 */
    0x40, 0xc0, 0x07, 0x08,                         /* hop limit, flags, lifetime */
    0x00, 0x00, 0x75, 0x30,                         /* reachable time */
    0x00, 0x00, 0x03, 0xe8,                         /* retrans timer */
    0x01, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x01, 0x01, /* SLLA */
    0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, /* MTU */
    0x03, 0x04, 0x40, 0xc0,                         /* prefix info: /64, L|A */
    0x00, 0x27, 0x8d, 0x00, 0x00, 0x09, 0x3a, 0x80, /* valid, preferred */
    0x00, 0x00, 0x00, 0x00,                         /* reserved */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

static void test_icmp6_router_advertisement(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, icmp6_ra, sizeof(icmp6_ra));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    Netcap__ICMPv6RouterAdvertisement *ra = dh_need(pkt, NC_REC_ICMPv6RouterAdvertisement, 0);
    assert_int_equal(ra->hop_limit, 64);
    assert_int_equal(ra->flags, 0xc0);
    assert_int_equal(ra->router_lifetime, 1800);
    assert_int_equal(ra->reachable_time, 30000);
    assert_int_equal(ra->retrans_timer, 1000);
    assert_int_equal(ra->n_options, 3);
    assert_int_equal(ra->options[0]->type, 1);
    assert_int_equal(ra->options[0]->data.len, 6);
    static const uint8_t mtu[] = { 0, 0, 0, 0, 0x05, 0xdc };
    assert_int_equal(ra->options[1]->type, 5);
    dh_assert_bytes(ra->options[1]->data, mtu, sizeof(mtu));
    assert_int_equal(ra->options[2]->type, 3);
    assert_int_equal(ra->options[2]->data.len, 30);
    assert_int_equal(ra->options[2]->data.data[0], 0x40);
}

static void test_icmp6_option_length_zero_is_malformed(void **state)
{
    struct dh_fx *f = *state;
    uint8_t ra[sizeof(icmp6_ra)];
    memcpy(ra, icmp6_ra, sizeof(ra));
    ra[25] = 0; /* the MTU option claims length 0 */
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, ra, sizeof(ra));
    assert_int_equal(run_icmp6(pkt, &r), NC_EMALFORMED);
    Netcap__ICMPv6RouterAdvertisement *rec = dh_need(pkt, NC_REC_ICMPv6RouterAdvertisement, 0);
    assert_int_equal(rec->n_options, 1); /* the option before it is kept */

    /* the same verdict when the record is not wanted */
    f->opts.want[NC_REC_ICMPv6RouterAdvertisement] = false;
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, ra, sizeof(ra));
    assert_int_equal(run_icmp6(pkt, &r), NC_EMALFORMED);
    assert_null(dh_rec_nth(pkt, NC_REC_ICMPv6RouterAdvertisement, 0));
    assert_non_null(dh_rec_nth(pkt, NC_REC_ICMPv6, 0));

    /* first option of an NS, NA and RS */
    uint8_t ns[sizeof(icmp6_ns)];
    memcpy(ns, icmp6_ns, sizeof(ns));
    ns[25] = 0;
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, ns, sizeof(ns));
    assert_int_equal(run_icmp6(pkt, &r), NC_EMALFORMED);
    Netcap__ICMPv6NeighborSolicitation *nsr = dh_need(pkt, NC_REC_ICMPv6NeighborSolicitation, 0);
    assert_int_equal(nsr->n_options, 0);
    uint8_t na[sizeof(icmp6_na)];
    memcpy(na, icmp6_na, sizeof(na));
    na[25] = 0;
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, na, sizeof(na));
    assert_int_equal(run_icmp6(pkt, &r), NC_EMALFORMED);
    uint8_t rs[sizeof(icmp6_rs)];
    memcpy(rs, icmp6_rs, sizeof(rs));
    rs[9] = 0;
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, rs, sizeof(rs));
    assert_int_equal(run_icmp6(pkt, &r), NC_EMALFORMED);
}

static void test_icmp6_option_past_window_is_truncated(void **state)
{
    struct dh_fx *f = *state;
    uint8_t rs[sizeof(icmp6_rs)];
    memcpy(rs, icmp6_rs, sizeof(rs));
    rs[9] = 2; /* claims 16 bytes, 8 are there */
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, rs, sizeof(rs));
    assert_int_equal(run_icmp6(pkt, &r), NC_ETRUNC);
    Netcap__ICMPv6RouterSolicitation *rec = dh_need(pkt, NC_REC_ICMPv6RouterSolicitation, 0);
    assert_int_equal(rec->n_options, 0);
}

static void test_icmp6_option_count_is_capped(void **state)
{
    struct dh_fx *f = *state;
    enum {
        N_OPTS = 70,
    };
    uint8_t msg[8 + N_OPTS * 8];
    memset(msg, 0, sizeof(msg));
    msg[0] = 133;
    for (size_t i = 0; i < N_OPTS; i++) {
        msg[8 + i * 8] = 1;
        msg[8 + i * 8 + 1] = 1;
    }
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, msg, sizeof(msg));
    assert_int_equal(run_icmp6(pkt, &r), NC_ELIMIT);
    Netcap__ICMPv6RouterSolicitation *rec = dh_need(pkt, NC_REC_ICMPv6RouterSolicitation, 0);
    assert_int_equal(rec->n_options, 64);

    /* exactly at the cap is fine */
    pkt = fresh_pkt(f, 6, 58);
    r = dh_reader(f, msg, 8 + 64 * 8);
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    rec = dh_need(pkt, NC_REC_ICMPv6RouterSolicitation, 0);
    assert_int_equal(rec->n_options, 64);
}

/* Every prefix of each message: the fixed part must be there for a
 * message record; options are kept up to the last complete one. */
static void check_icmp6_prefixes(struct dh_fx *f, const uint8_t *msg, size_t n, size_t fixed,
        enum nc_rec_type t, bool has_options)
{
    for (size_t len = 0; len <= n; len++) {
        struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
        struct nc_rd r = dh_reader(f, msg, len);
        int rc = run_icmp6(pkt, &r);
        if (len < 4) {
            assert_int_equal(rc, NC_ETRUNC);
            assert_int_equal(pkt->n_recs, 0);
            assert_false(pkt->ctx.has_icmp);
            continue;
        }
        assert_non_null(dh_rec_nth(pkt, NC_REC_ICMPv6, 0));
        assert_true(pkt->ctx.has_icmp);
        if (len < fixed) {
            assert_int_equal(rc, NC_ETRUNC);
            assert_null(dh_rec_nth(pkt, t, 0));
            continue;
        }
        void *rec = dh_need(pkt, t, 0);
        if (!has_options) {
            assert_int_equal(rc, NC_OK); /* echo data is opaque */
            continue;
        }
        /* one-unit options: complete ones are kept, a partial one is ETRUNC */
        assert_int_equal(rc, (len - fixed) % 8 == 0 ? NC_OK : NC_ETRUNC);
        size_t got = 0;
        switch (t) {
            case NC_REC_ICMPv6NeighborSolicitation:
                got = ((Netcap__ICMPv6NeighborSolicitation *)rec)->n_options;
                break;
            case NC_REC_ICMPv6NeighborAdvertisement:
                got = ((Netcap__ICMPv6NeighborAdvertisement *)rec)->n_options;
                break;
            case NC_REC_ICMPv6RouterSolicitation:
                got = ((Netcap__ICMPv6RouterSolicitation *)rec)->n_options;
                break;
            default:
                fail();
        }
        assert_int_equal(got, (len - fixed) / 8);
    }
}

static void test_icmp6_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    check_icmp6_prefixes(
            f, icmp6_echo_reply, sizeof(icmp6_echo_reply), 8, NC_REC_ICMPv6Echo, false);
    check_icmp6_prefixes(
            f, icmp6_ns, sizeof(icmp6_ns), 24, NC_REC_ICMPv6NeighborSolicitation, true);
    check_icmp6_prefixes(
            f, icmp6_na, sizeof(icmp6_na), 24, NC_REC_ICMPv6NeighborAdvertisement, true);
    check_icmp6_prefixes(f, icmp6_rs, sizeof(icmp6_rs), 8, NC_REC_ICMPv6RouterSolicitation, true);
    /* RA options are 1, 1 and 4 units: only 24, 32 and 64 are boundaries */
    for (size_t len = 0; len <= sizeof(icmp6_ra); len++) {
        struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
        struct nc_rd r = dh_reader(f, icmp6_ra, len);
        int rc = run_icmp6(pkt, &r);
        if (len < 16) {
            assert_int_equal(rc, NC_ETRUNC);
            assert_null(dh_rec_nth(pkt, NC_REC_ICMPv6RouterAdvertisement, 0));
            continue;
        }
        Netcap__ICMPv6RouterAdvertisement *ra = dh_need(pkt, NC_REC_ICMPv6RouterAdvertisement, 0);
        bool boundary = len == 16 || len == 24 || len == 32 || len == 64;
        assert_int_equal(rc, boundary ? NC_OK : NC_ETRUNC);
        size_t want = len >= 64 ? 3 : len >= 32 ? 2 : len >= 24 ? 1 : 0;
        assert_int_equal(ra->n_options, want);
    }
}

static void test_icmp6_unclaimed_type_stops_after_header(void **state)
{
    struct dh_fx *f = *state;
    /* packet too big: type 2, MTU 1280, then the quoted packet */
    static const uint8_t ptb[] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x60, 0 };
    struct nc_pkt *pkt = fresh_pkt(f, 6, 58);
    struct nc_rd r = dh_reader(f, ptb, sizeof(ptb));
    assert_int_equal(run_icmp6(pkt, &r), NC_OK);
    assert_int_equal(pkt->n_recs, 1);
    assert_int_equal(pkt->next_ns, NC_NS_ICMP6_TYPE);
    assert_int_equal(pkt->next_id, 2);
    assert_int_equal(pkt->ctx.l4_payload, 2);
}

/* ----------------------------------------------- end to end (Ethernet, IP) */

enum {
    FRAME_MAX = 256,
    ETH_LEN = 14,
    IP4_LEN = 20,
    IP6_LEN = 40,
};

/* Ethernet + IP (TTL 64, hop limit 255) + l4[0..n); returns the frame
 * length. frame4() adds pad bytes of link padding that the IP length
 * excludes. */
static const struct dh_addr addr4 = {
    .eth = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x08, 0x00 },
    .src = ip4_src,
    .dst = ip4_dst,
    .ttl = 64,
};
static const struct dh_addr addr6 = {
    .eth = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x86, 0xdd },
    .src = ip6_src,
    .dst = ip6_dst,
    .ttl = 255,
};

static size_t frame4(uint8_t *out, uint8_t proto, const uint8_t *l4, size_t n, size_t pad)
{
    return dh_eth_ip4(out, FRAME_MAX, &addr4, proto, l4, n, pad);
}

static size_t frame6(uint8_t *out, uint8_t next, const uint8_t *l4, size_t n)
{
    return dh_eth_ip6(out, FRAME_MAX, &addr6, next, l4, n);
}

static void test_e2e_ipv4_tcp(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t n = frame4(frame, 6, tcp_syn, sizeof(tcp_syn), 0);
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    assert_int_equal(pkt->n_recs, 3);
    assert_int_equal(pkt->rec_type[0], NC_REC_Ethernet);
    assert_int_equal(pkt->rec_type[1], NC_REC_IPv4);
    assert_int_equal(pkt->rec_type[2], NC_REC_TCP);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_string_equal(t->src_ip, "192.0.2.1");
    assert_string_equal(t->dst_ip, "198.51.100.7");
    assert_int_equal(t->src_port, 49152);
    assert_int_equal(t->dst_port, 80);
    assert_true(t->syn);
    assert_int_equal(t->n_options, 5);
    /* the IP record gets the ports of the layer above it */
    Netcap__IPv4 *ip = dh_need(pkt, NC_REC_IPv4, 0);
    assert_int_equal(ip->src_port, 49152);
    assert_int_equal(ip->dst_port, 80);
    assert_int_equal(pkt->ctx.ip_proto, 6);
    assert_int_equal(pkt->ctx.tcp_flags, NC_TCP_SYN);
    assert_string_equal(pkt->ctx.proto[NC_LAYER_TRANSPORT], "TCP");
    assert_int_equal(f->stats.layers[NC_DEC_tcp], 1);
}

static void test_e2e_udp_link_padding_and_source_port_dispatch(void **state)
{
    struct dh_fx *f = *state;
    /* 53 -> 40000 (so the DNS decoder is found through the source port),
     * a DNS response header with no records; the frame is padded to 60 */
    /* clang-format off */
    static const uint8_t udp[] = {
        0x00, 0x35, 0x9c, 0x40, 0x00, 0x14, 0x00, 0x00, /* UDP, length 20 */
        0x12, 0x34, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, /* DNS header */
    };
    /* clang-format on */
    uint8_t frame[FRAME_MAX];
    size_t n = frame4(frame, 17, udp, sizeof(udp), 6);
    assert_int_equal(n, 60);
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__UDP *u = dh_need(pkt, NC_REC_UDP, 0);
    assert_int_equal(u->src_port, 53);
    assert_int_equal(u->dst_port, 40000);
    assert_int_equal(u->length, 20);
    assert_int_equal(u->payload_size, 12);
    assert_int_equal(pkt->ctx.l4_payload, 12);
    assert_int_equal(f->stats.layers[NC_DEC_dns], 1);
    assert_string_equal(pkt->ctx.proto[NC_LAYER_TRANSPORT], "UDP");
    Netcap__IPv4 *ip = dh_need(pkt, NC_REC_IPv4, 0);
    assert_int_equal(ip->src_port, 53);
}

static void test_e2e_ipv4_icmp_echo(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t n = frame4(frame, 1, icmp4_echo, sizeof(icmp4_echo), 0);
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__ICMPv4 *m = dh_need(pkt, NC_REC_ICMPv4, 0);
    assert_string_equal(m->src_ip, "192.0.2.1");
    assert_int_equal(m->id, 0x1234);
    assert_int_equal(m->sequence_number, 7);
    assert_true(pkt->ctx.has_icmp);
    assert_false(pkt->ctx.has_ports);
    assert_int_equal(pkt->ctx.l4_payload, 4);
    assert_string_equal(pkt->ctx.proto[NC_LAYER_TRANSPORT], "ICMPv4");
}

static void test_e2e_ipv6_icmp6_neighbor_discovery(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t n = frame6(frame, 58, icmp6_ns, sizeof(icmp6_ns));
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    assert_int_equal(pkt->n_recs, 4);
    assert_int_equal(pkt->rec_type[2], NC_REC_ICMPv6);
    assert_int_equal(pkt->rec_type[3], NC_REC_ICMPv6NeighborSolicitation);
    Netcap__ICMPv6NeighborSolicitation *ns = dh_need(pkt, NC_REC_ICMPv6NeighborSolicitation, 0);
    assert_string_equal(ns->src_ip, "fe80::1");
    assert_string_equal(ns->target_address, "2001:db8::1234");
    assert_int_equal(ns->n_options, 1);
    assert_string_equal(pkt->ctx.proto[NC_LAYER_TRANSPORT], "ICMPv6");

    n = frame6(frame, 58, icmp6_ra, sizeof(icmp6_ra));
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__ICMPv6RouterAdvertisement *ra = dh_need(pkt, NC_REC_ICMPv6RouterAdvertisement, 0);
    assert_int_equal(ra->n_options, 3);

    n = frame6(frame, 58, icmp6_echo_reply, sizeof(icmp6_echo_reply));
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__ICMPv6Echo *e = dh_need(pkt, NC_REC_ICMPv6Echo, 0);
    assert_true(e->is_reply);
    assert_int_equal(e->id, 42);
}

static void test_e2e_ipv6_tcp_and_udp(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    size_t n = frame6(frame, 6, tcp_sack_payload, sizeof(tcp_sack_payload));
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
    assert_string_equal(t->src_ip, "fe80::1");
    assert_int_equal(t->payload_size, 5);
    Netcap__IPv6 *ip = dh_need(pkt, NC_REC_IPv6, 0);
    assert_int_equal(ip->src_port, 80);
    assert_int_equal(ip->dst_port, 49152);

    n = frame6(frame, 17, udp_dgram, sizeof(udp_dgram));
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__UDP *u = dh_need(pkt, NC_REC_UDP, 0);
    assert_string_equal(u->dst_ip, "ff02::1");
    assert_int_equal(u->payload_size, 5);
}

/* A snaplen cutting the frame anywhere: records up to the cut, no crash,
 * the transport verdict counted. */
static void test_e2e_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    f->opts.entropy = true;
    uint8_t frame[FRAME_MAX];
    size_t n = frame4(frame, 6, tcp_sack_payload, sizeof(tcp_sack_payload), 0);
    size_t tcp_at = ETH_LEN + IP4_LEN;
    for (size_t cap = 0; cap <= n; cap++) {
        memset(&f->stats, 0, sizeof(f->stats));
        struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, cap, n);
        bool has_tcp = dh_rec_nth(pkt, NC_REC_TCP, 0) != NULL;
        assert_int_equal(has_tcp, cap >= tcp_at + TCP_SACK_HDR);
        if (cap >= tcp_at && cap < tcp_at + TCP_SACK_HDR) {
            assert_int_equal(f->stats.bad[NC_DEC_tcp][NC_ETRUNC], 1);
        }
        if (has_tcp) {
            Netcap__TCP *t = dh_need(pkt, NC_REC_TCP, 0);
            assert_int_equal(t->payload_size, cap - tcp_at - TCP_SACK_HDR);
        }
    }
    size_t m = frame6(frame, 58, icmp6_ra, sizeof(icmp6_ra));
    for (size_t cap = 0; cap <= m; cap++) {
        struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, cap, m);
        assert_int_equal(dh_rec_nth(pkt, NC_REC_ICMPv6RouterAdvertisement, 0) != NULL,
                cap >= ETH_LEN + IP6_LEN + 16);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tcp_syn_with_options, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_sack_and_payload_dispatch, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_payload_and_entropy_off, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_all_nine_flags, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_eol_then_padding, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_tcp_data_offset_below_5_is_malformed, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_bad_option_lengths, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_tcp_forty_nops_fill_the_option_space, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_tcp_unwanted_record_still_decodes, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_udp_datagram, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_udp_length_shrinks_window, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_udp_length_beyond_capture, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_udp_length_below_8_is_malformed, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_udp_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_udp_unwanted_record_still_decodes, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp4_echo, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp4_id_seq_only_for_query_types, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp4_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp4_unwanted_record_still_sets_context, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_header_and_dispatch, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_echo_request_and_reply, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_neighbor_solicitation, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_neighbor_advertisement, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_router_solicitation, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_router_advertisement, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp6_option_length_zero_is_malformed, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp6_option_past_window_is_truncated, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_icmp6_option_count_is_capped, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp6_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_icmp6_unclaimed_type_stops_after_header, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_e2e_ipv4_tcp, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_e2e_udp_link_padding_and_source_port_dispatch, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_e2e_ipv4_icmp_echo, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_e2e_ipv6_icmp6_neighbor_discovery, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_e2e_ipv6_tcp_and_udp, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_e2e_truncated_at_every_length, dh_setup, dh_teardown),
    };
    return cmocka_run_group_tests(tests, dh_group_setup, NULL);
}
