/*
 * Unit tests for the routing and IPsec decoders: igmp, ipsecah, ipsecesp,
 * ospf (v2 and v3, every packet type and LSA kind) and vrrp (v2 and v3).
 *
 * Messages are built with a small byte writer, so each test says what it
 * sends field by field. Most tests run a decoder directly with the packet
 * context an IP decoder would leave; the e2e tests run whole Ethernet
 * frames through nc_decode_packet() (AH handing its payload on, ESP in UDP
 * and its declines, truncation at every length). Every input is copied into
 * a heap block of exactly its size so that ASan sees a one-byte over-read.
 */
#include "decode_harness.h"

#include "core/str.h"

enum {
    BUF_MAX = 4096,
    FRAME_MAX = 4200,
    ETH_LEN = 14,
    IP4_LEN = 20,
    IP6_LEN = 40,
    UDP_LEN = 8,
    OSPF_V2_LSU_COUNT_LO = 26, /* low half of the 32-bit LSA count of a v2 LS update */
};

static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_dst[4] = { 224, 0, 0, 5 };
static const uint8_t ip6_src[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_dst[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 };

static struct nc_pkt *fresh_pkt(struct dh_fx *f, uint8_t ver, uint8_t proto)
{
    return dh_fresh_ip(f, ver, ver == 6 ? ip6_src : ip4_src, ver == 6 ? ip6_dst : ip4_dst, proto);
}

/* Decode msg[0..n) with decoder id in a fresh IPv4 (ver 4) or IPv6 context. */
static int decode_msg(struct dh_fx *f, enum nc_decoder_id id, uint8_t ver, uint8_t proto,
        const uint8_t *msg, size_t n)
{
    struct nc_pkt *pkt = fresh_pkt(f, ver, proto);
    struct nc_rd r = dh_reader(f, msg, n);
    return dh_run_decoder(pkt, id, &r);
}

/* ------------------------------------------------------------ byte writer */

struct buf {
    uint8_t b[BUF_MAX];
    size_t n;
};

static void put8(struct buf *w, uint32_t v)
{
    assert_true(w->n < BUF_MAX);
    w->b[w->n++] = (uint8_t)v;
}

static void put16(struct buf *w, uint32_t v)
{
    put8(w, v >> 8);
    put8(w, v);
}

static void put24(struct buf *w, uint32_t v)
{
    put8(w, v >> 16);
    put16(w, v);
}

static void put32(struct buf *w, uint32_t v)
{
    put16(w, v >> 16);
    put16(w, v);
}

static void putn(struct buf *w, const void *p, size_t n)
{
    assert_true(w->n + n <= BUF_MAX);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void patch16(struct buf *w, size_t at, size_t v)
{
    w->b[at] = (uint8_t)(v >> 8);
    w->b[at + 1] = (uint8_t)v;
}

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* ------------------------------------------------------------------ frames */

/* Ethernet (to 01:00:5e:00:00:05, or 33:33:00:00:00:05 for IPv6) + IP with
 * TTL or hop limit 1 + l4[0..n); returns the frame length. */
static const struct dh_addr addr4 = {
    .eth = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x05, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x08, 0x00 },
    .src = ip4_src,
    .dst = ip4_dst,
    .ttl = 1,
};
static const struct dh_addr addr6 = {
    .eth = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x86, 0xdd },
    .src = ip6_src,
    .dst = ip6_dst,
    .ttl = 1,
};

static size_t frame4(uint8_t *out, uint8_t proto, const uint8_t *l4, size_t n)
{
    return dh_eth_ip4(out, FRAME_MAX, &addr4, proto, l4, n, 0);
}

static size_t frame6(uint8_t *out, uint8_t next, const uint8_t *l4, size_t n)
{
    return dh_eth_ip6(out, FRAME_MAX, &addr6, next, l4, n);
}

/* Ethernet + IPv4 + UDP sport -> dport + payload. */
static size_t frame_udp(uint8_t *out, uint16_t sport, uint16_t dport, const uint8_t *p, size_t n)
{
    struct buf u = { .n = 0 };
    put16(&u, sport);
    put16(&u, dport);
    put16(&u, (uint32_t)(UDP_LEN + n));
    put16(&u, 0);
    putn(&u, p, n);
    return frame4(out, 17, u.b, u.n);
}

/* ------------------------------------------------------------------- IGMP */

static void test_igmp_v1_v2(void **state)
{
    struct dh_fx *f = *state;
    /* v1 query: 8 bytes, max response code 0 */
    static const uint8_t v1q[] = { 0x11, 0x00, 0xee, 0xff, 0, 0, 0, 0 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, v1q, sizeof(v1q)), NC_OK);
    Netcap__IGMP *g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 1);
    assert_int_equal(g->type, 0x11);
    assert_int_equal(g->max_response_code, 0);
    assert_int_equal(g->max_response_time, 0);
    assert_int_equal(g->checksum, 0xeeff);
    assert_string_equal(g->group_address, "0.0.0.0");
    assert_string_equal(g->src_ip, "192.0.2.1");
    assert_string_equal(g->dst_ip, "224.0.0.5");
    assert_int_equal(g->timestamp, 1700000000123456789);
    assert_int_equal(f->pkt.ctx.ip_proto, 2);

    /* v2 group-specific query: code 10 = 1 s */
    static const uint8_t v2q[] = { 0x11, 0x0a, 0x0c, 0xf1, 225, 1, 1, 3 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, v2q, sizeof(v2q)), NC_OK);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 2);
    assert_int_equal(g->max_response_code, 10);
    assert_int_equal(g->max_response_time, 1000);
    assert_string_equal(g->group_address, "225.1.1.3");
    assert_int_equal(g->n_source_addresses, 0);
    assert_int_equal(g->n_group_records, 0);

    static const uint8_t v1r[] = { 0x12, 0x00, 0x01, 0x02, 239, 1, 2, 3 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, v1r, sizeof(v1r)), NC_OK);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 1);
    assert_int_equal(g->type, 0x12);
    assert_string_equal(g->group_address, "239.1.2.3");

    static const uint8_t v2r[] = { 0x16, 0x00, 0xfa, 0x04, 239, 255, 255, 250 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, v2r, sizeof(v2r)), NC_OK);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 2);
    assert_int_equal(g->type, 0x16);
    assert_int_equal(g->max_response_time, 0);
    assert_string_equal(g->group_address, "239.255.255.250");

    static const uint8_t leave[] = { 0x17, 0x00, 0x00, 0x01, 225, 1, 1, 4 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, leave, sizeof(leave)), NC_OK);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 2);
    assert_int_equal(g->type, 0x17);
    assert_string_equal(g->group_address, "225.1.1.4");

    /* another type (DVMRP): type and checksum, version 0 */
    static const uint8_t dvmrp[] = { 0x13, 0x05, 0xab, 0xcd, 1, 2, 3, 4 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, dvmrp, sizeof(dvmrp)), NC_OK);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 0);
    assert_int_equal(g->type, 0x13);
    assert_int_equal(g->checksum, 0xabcd);
    assert_string_equal(g->group_address, "");
}

static void test_igmp_v3_query_with_sources(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    put8(&w, 0x11);
    put8(&w, 0x8a); /* exponential: (0xa | 0x10) << 3 = 208 tenths */
    put16(&w, 0x1234);
    put32(&w, IP(232, 1, 2, 3));
    put8(&w, 0x0a); /* S = 1, QRV = 2 */
    put8(&w, 0x90); /* QQIC: (0 | 0x10) << 4 = 256 s */
    put16(&w, 2);
    put32(&w, IP(10, 0, 0, 1));
    put32(&w, IP(10, 0, 0, 2));
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, w.b, w.n), NC_OK);
    Netcap__IGMP *g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 3);
    assert_int_equal(g->type, 0x11);
    assert_int_equal(g->max_response_code, 0x8a);
    assert_int_equal(g->max_response_time, 20800);
    assert_int_equal(g->checksum, 0x1234);
    assert_string_equal(g->group_address, "232.1.2.3");
    assert_true(g->supress_router_processing);
    assert_int_equal(g->robustness_value, 2);
    assert_int_equal(g->interval_time, 256);
    assert_int_equal(g->number_of_sources, 2);
    assert_int_equal(g->n_source_addresses, 2);
    assert_string_equal(g->source_addresses[0], "10.0.0.1");
    assert_string_equal(g->source_addresses[1], "10.0.0.2");

    /* a 12-byte query is v3 whatever its code; QQIC below 128 is the value */
    static const uint8_t q[] = { 0x11, 0x64, 0, 0, 0, 0, 0, 0, 0x02, 0x7d, 0, 0 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, q, sizeof(q)), NC_OK);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 3);
    assert_int_equal(g->max_response_time, 10000);
    assert_false(g->supress_router_processing);
    assert_int_equal(g->robustness_value, 2);
    assert_int_equal(g->interval_time, 125);
    assert_int_equal(g->n_source_addresses, 0);
}

static void test_igmp_v3_report(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t aux[4] = { 0xde, 0xad, 0xbe, 0xef };
    struct buf w = { .n = 0 };
    put8(&w, 0x22);
    put8(&w, 0);
    put16(&w, 0x5566);
    put16(&w, 0);
    put16(&w, 2);
    put8(&w, 1); /* MODE_IS_INCLUDE, 2 sources */
    put8(&w, 0);
    put16(&w, 2);
    put32(&w, IP(232, 1, 2, 3));
    put32(&w, IP(10, 0, 0, 1));
    put32(&w, IP(10, 0, 0, 2));
    put8(&w, 4); /* CHANGE_TO_EXCLUDE, no sources, one word of aux data */
    put8(&w, 1);
    put16(&w, 0);
    put32(&w, IP(239, 1, 1, 1));
    putn(&w, aux, sizeof(aux));
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, w.b, w.n), NC_OK);
    Netcap__IGMP *g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->version, 3);
    assert_int_equal(g->type, 0x22);
    assert_int_equal(g->checksum, 0x5566);
    assert_int_equal(g->max_response_code, 0);
    assert_int_equal(g->max_response_time, 0);
    assert_string_equal(g->group_address, "");
    assert_int_equal(g->number_of_group_records, 2);
    assert_int_equal(g->n_group_records, 2);
    Netcap__IGMPv3GroupRecord *a = g->group_records[0];
    assert_int_equal(a->type, 1);
    assert_int_equal(a->aux_data_len, 0);
    assert_int_equal(a->number_of_sources, 2);
    assert_string_equal(a->multicast_address, "232.1.2.3");
    assert_int_equal(a->n_source_addresses, 2);
    assert_string_equal(a->source_addresses[0], "10.0.0.1");
    assert_string_equal(a->source_addresses[1], "10.0.0.2");
    Netcap__IGMPv3GroupRecord *b = g->group_records[1];
    assert_int_equal(b->type, 4);
    assert_int_equal(b->aux_data_len, 1);
    assert_int_equal(b->number_of_sources, 0);
    assert_string_equal(b->multicast_address, "239.1.1.1");
    assert_int_equal(b->n_source_addresses, 0);

    /* a group record count larger than the message: the first one is kept */
    patch16(&w, 6, 3);
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, w.b, w.n), NC_ETRUNC);
    g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->number_of_group_records, 3);
    assert_int_equal(g->n_group_records, 2);
}

static void test_igmp_source_cap(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    put8(&w, 0x11);
    put8(&w, 100);
    put16(&w, 0);
    put32(&w, 0);
    put16(&w, 0x027d);
    put16(&w, 300);
    for (uint32_t i = 0; i < 300; i++) {
        put32(&w, IP(10, 1, i >> 8, i));
    }
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, w.b, w.n), NC_ELIMIT);
    Netcap__IGMP *g = dh_need(&f->pkt, NC_REC_IGMP, 0);
    assert_int_equal(g->number_of_sources, 300);
    assert_int_equal(g->n_source_addresses, 256);
    assert_string_equal(g->source_addresses[255], "10.1.0.255");
}

/* ------------------------------------------------------------------ IPsec */

static void test_ah_hands_payload_on(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t icv[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    struct buf w = { .n = 0 };
    put8(&w, 1); /* next header: ICMP */
    put8(&w, 4); /* (4 + 2) * 4 = 24 bytes of AH */
    put16(&w, 0);
    put32(&w, 0x604816f6);
    put32(&w, 7);
    putn(&w, icv, sizeof(icv));
    /* ICMP echo request id 5 seq 1 */
    put8(&w, 8);
    put8(&w, 0);
    put16(&w, 0xabcd);
    put16(&w, 5);
    put16(&w, 1);
    uint8_t frame[FRAME_MAX];
    size_t n = frame4(frame, 51, w.b, w.n);
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__IPSecAH *ah = dh_need(pkt, NC_REC_IPSecAH, 0);
    assert_int_equal(ah->next_header, 1);
    assert_int_equal(ah->payload_len, 4);
    assert_int_equal(ah->reserved, 0);
    assert_int_equal(ah->spi, 0x604816f6);
    assert_int_equal(ah->sequence_number, 7);
    dh_assert_bytes(ah->authentication_data, icv, sizeof(icv));
    assert_string_equal(ah->src_ip, "192.0.2.1");
    assert_string_equal(ah->dst_ip, "224.0.0.5");
    Netcap__ICMPv4 *icmp = dh_need(pkt, NC_REC_ICMPv4, 0);
    assert_int_equal(icmp->type, 8);
    assert_int_equal(icmp->id, 5);
    assert_int_equal(icmp->sequence_number, 1);
    assert_string_equal(icmp->src_ip, "192.0.2.1");
    assert_int_equal(pkt->ctx.ip_proto, 1);
    assert_string_equal(pkt->ctx.proto[NC_LAYER_TRANSPORT], "ICMPv4");

    /* a length below the fixed 12 bytes is malformed */
    static const uint8_t bad[] = { 6, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 };
    assert_int_equal(decode_msg(f, NC_DEC_ipsecah, 4, 51, bad, sizeof(bad)), NC_EMALFORMED);
    assert_null(dh_rec_nth(&f->pkt, NC_REC_IPSecAH, 0));
}

static void test_esp_over_ip(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    put32(&w, 0x12345678);
    put32(&w, 9);
    for (int i = 0; i < 20; i++) {
        put8(&w, (uint32_t)(0x40 + i));
    }
    assert_int_equal(decode_msg(f, NC_DEC_ipsecesp, 4, 50, w.b, w.n), NC_OK);
    Netcap__IPSecESP *e = dh_need(&f->pkt, NC_REC_IPSecESP, 0);
    assert_int_equal(e->spi, 0x12345678);
    assert_int_equal(e->sequence_number, 9);
    assert_int_equal(e->length, 28);
    assert_int_equal(e->len_encrypted, 20);
    assert_false(e->udp_encapsulated);
    assert_int_equal(e->src_port, 0);
    assert_int_equal(e->dst_port, 0);
    assert_string_equal(e->src_ip, "192.0.2.1");
    assert_string_equal(f->pkt.ctx.proto[NC_LAYER_TRANSPORT], "ESP");
    assert_int_equal(f->pkt.ctx.l4_payload, 20);
    assert_int_equal(f->pkt.next_ns, NC_NS_NONE);

    /* the declared length counts when the capture was cut */
    struct nc_pkt *pkt = fresh_pkt(f, 4, 50);
    struct nc_rd r = dh_reader(f, w.b, 12);
    pkt->ctx.ip_left = 1400;
    assert_int_equal(dh_run_decoder(pkt, NC_DEC_ipsecesp, &r), NC_OK);
    e = dh_need(pkt, NC_REC_IPSecESP, 0);
    assert_int_equal(e->length, 1400);
    assert_int_equal(e->len_encrypted, 1392);
}

static void test_esp_in_udp_and_declines(void **state)
{
    struct dh_fx *f = *state;
    uint8_t frame[FRAME_MAX];
    struct buf w = { .n = 0 };
    put32(&w, 0x04888fe4);
    put32(&w, 1);
    for (int i = 0; i < 16; i++) {
        put8(&w, 0xa5);
    }
    /* to the server: destination port 4500 */
    size_t n = frame_udp(frame, 14500, 4500, w.b, w.n);
    struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    Netcap__IPSecESP *e = dh_need(pkt, NC_REC_IPSecESP, 0);
    assert_int_equal(e->spi, 0x04888fe4);
    assert_int_equal(e->sequence_number, 1);
    assert_int_equal(e->length, 24);
    assert_int_equal(e->len_encrypted, 16);
    assert_true(e->udp_encapsulated);
    assert_int_equal(e->src_port, 14500);
    assert_int_equal(e->dst_port, 4500);
    assert_string_equal(pkt->ctx.proto[NC_LAYER_TRANSPORT], "UDP");
    assert_string_equal(pkt->ctx.proto[NC_LAYER_APP], "ESP");
    /* from the server: found by the source port */
    n = frame_udp(frame, 4500, 14500, w.b, w.n);
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    e = dh_need(pkt, NC_REC_IPSecESP, 0);
    assert_int_equal(e->src_port, 4500);
    assert_int_equal(e->dst_port, 14500);

    /* IKE behind the non-ESP marker: declined, no record, not bad */
    memset(&f->stats, 0, sizeof(f->stats));
    static const uint8_t ike[] = { 0, 0, 0, 0, 0x1c, 0x18, 0x69, 0xf6, 0xd2, 0x9b, 0xa0, 0xcc, 0, 0,
        0, 0, 0, 0, 0, 0, 0x2e, 0x20, 0x23, 0x08 };
    n = frame_udp(frame, 14500, 4500, ike, sizeof(ike));
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    assert_null(dh_rec_nth(pkt, NC_REC_IPSecESP, 0));
    assert_non_null(dh_rec_nth(pkt, NC_REC_UDP, 0));
    assert_int_equal(f->stats.declined[NC_DEC_ipsecesp], 1);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_ipsecesp), 0);
    assert_null(pkt->ctx.proto[NC_LAYER_APP]);

    /* NAT keepalive: one 0xff byte */
    static const uint8_t ka[] = { 0xff };
    n = frame_udp(frame, 14500, 4500, ka, sizeof(ka));
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    assert_null(dh_rec_nth(pkt, NC_REC_IPSecESP, 0));
    assert_int_equal(f->stats.declined[NC_DEC_ipsecesp], 2);
    assert_int_equal(dh_bad(&f->stats, NC_DEC_ipsecesp), 0);

    /* a short datagram that is neither: truncated ESP */
    static const uint8_t shortp[] = { 1, 2, 3, 4, 5 };
    n = frame_udp(frame, 14500, 4500, shortp, sizeof(shortp));
    pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, n, n);
    assert_null(dh_rec_nth(pkt, NC_REC_IPSecESP, 0));
    assert_int_equal(f->stats.bad[NC_DEC_ipsecesp][NC_ETRUNC], 1);
}

/* ------------------------------------------------------------------- VRRP */

static void test_vrrp_v2(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    put8(&w, 0x21);
    put8(&w, 42);
    put8(&w, 191);
    put8(&w, 2);
    put8(&w, 1); /* simple text password */
    put8(&w, 10);
    put16(&w, 0xf11f);
    put32(&w, IP(10, 4, 42, 1));
    put32(&w, IP(10, 4, 42, 2));
    putn(&w, "abcdefgh", 8);
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 4, 112, w.b, w.n), NC_OK);
    Netcap__VRRPv2 *v = dh_need(&f->pkt, NC_REC_VRRPv2, 0);
    assert_int_equal(v->version, 2);
    assert_int_equal(v->type, 1);
    assert_int_equal(v->virtual_rtr_id, 42);
    assert_int_equal(v->priority, 191);
    assert_int_equal(v->count_ip_addr, 2);
    assert_int_equal(v->auth_type, 1);
    assert_int_equal(v->adver_int, 10);
    assert_int_equal(v->adver_int_cs, 1000);
    assert_int_equal(v->checksum, 0xf11f);
    assert_int_equal(v->n_ip_address, 2);
    assert_string_equal(v->ip_address[0], "10.4.42.1");
    assert_string_equal(v->ip_address[1], "10.4.42.2");
    assert_string_equal(v->auth_password, "abcdefgh");
    assert_string_equal(v->src_ip, "192.0.2.1");

    /* a shorter password is padded with NULs: the text stops at the first */
    memcpy(w.b + w.n - 8, "pw\0\0x\0\0\0", 8);
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 4, 112, w.b, w.n), NC_OK);
    v = dh_need(&f->pkt, NC_REC_VRRPv2, 0);
    assert_string_equal(v->auth_password, "pw");

    /* without authentication the 8 bytes are not kept */
    w.b[4] = 0;
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 4, 112, w.b, w.n), NC_OK);
    v = dh_need(&f->pkt, NC_REC_VRRPv2, 0);
    assert_int_equal(v->auth_type, 0);
    assert_string_equal(v->auth_password, "");

    /* version 4: unsupported, no record */
    w.b[0] = 0x41;
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 4, 112, w.b, w.n), NC_EUNSUPP);
    assert_null(dh_rec_nth(&f->pkt, NC_REC_VRRPv2, 0));
}

static void test_vrrp_v3(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    put8(&w, 0x31);
    put8(&w, 44);
    put8(&w, 100);
    put8(&w, 1);
    put16(&w, 0xf064); /* reserved bits set, 12-bit interval 100 cs */
    put16(&w, 0xb3c6);
    put32(&w, IP(10, 4, 44, 100));
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 4, 112, w.b, w.n), NC_OK);
    Netcap__VRRPv2 *v = dh_need(&f->pkt, NC_REC_VRRPv2, 0);
    assert_int_equal(v->version, 3);
    assert_int_equal(v->type, 1);
    assert_int_equal(v->virtual_rtr_id, 44);
    assert_int_equal(v->priority, 100);
    assert_int_equal(v->count_ip_addr, 1);
    assert_int_equal(v->auth_type, 0);
    assert_int_equal(v->adver_int, 100);
    assert_int_equal(v->adver_int_cs, 100);
    assert_int_equal(v->checksum, 0xb3c6);
    assert_int_equal(v->n_ip_address, 1);
    assert_string_equal(v->ip_address[0], "10.4.44.100");
    assert_string_equal(v->auth_password, "");

    /* over IPv6: 16-byte addresses */
    static const uint8_t a1[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0x5e, 0xff, 0xfe, 0,
        0x02, 0x2d };
    static const uint8_t a2[16] = { 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd };
    struct buf x = { .n = 0 };
    put8(&x, 0x31);
    put8(&x, 45);
    put8(&x, 191);
    put8(&x, 2);
    put16(&x, 1000);
    put16(&x, 0);
    putn(&x, a1, 16);
    putn(&x, a2, 16);
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 6, 112, x.b, x.n), NC_OK);
    v = dh_need(&f->pkt, NC_REC_VRRPv2, 0);
    assert_int_equal(v->version, 3);
    assert_int_equal(v->adver_int, 1000);
    assert_int_equal(v->adver_int_cs, 1000);
    assert_int_equal(v->n_ip_address, 2);
    assert_string_equal(v->ip_address[0], "fe80::200:5eff:fe00:22d");
    assert_string_equal(v->ip_address[1], "2001::abcd");
    assert_string_equal(v->src_ip, "fe80::1");

    /* one address short: truncated, the record keeps the first */
    assert_int_equal(decode_msg(f, NC_DEC_vrrp, 6, 112, x.b, x.n - 1), NC_ETRUNC);
    v = dh_need(&f->pkt, NC_REC_VRRPv2, 0);
    assert_int_equal(v->n_ip_address, 1);
}

/* ------------------------------------------------------------------- OSPF */

/* OSPF common header; the length is patched by ospf_end(). */
static void ospf_v2_hdr(struct buf *w, uint8_t type)
{
    put8(w, 2);
    put8(w, type);
    put16(w, 0);
    put32(w, IP(192, 168, 255, 11));
    put32(w, IP(0, 0, 0, 1));
    put16(w, 0xbeef);
    put16(w, 2); /* cryptographic */
    put32(w, 0x00000110);
    put32(w, 0x5a83413f);
}

static void ospf_v3_hdr(struct buf *w, uint8_t type)
{
    put8(w, 3);
    put8(w, type);
    put16(w, 0);
    put32(w, IP(1, 1, 1, 1));
    put32(w, IP(0, 0, 0, 1));
    put16(w, 0xcafe);
    put8(w, 7); /* instance */
    put8(w, 0);
}

static void ospf_end(struct buf *w)
{
    patch16(w, 2, w->n);
}

/* An LSA header (v2: options + 8-bit type; v3: 16-bit type); returns its
 * offset for lsa_end(). */
static size_t lsa_hdr(struct buf *w, int ver, uint16_t type, uint32_t lsid, uint32_t adv)
{
    size_t at = w->n;
    put16(w, 17); /* age */
    if (ver == 2) {
        put8(w, 0x22);
        put8(w, type);
    } else {
        put16(w, type);
    }
    put32(w, lsid);
    put32(w, adv);
    put32(w, 0x80000002);
    put16(w, 0x1234);
    put16(w, 20);
    return at;
}

static void lsa_end(struct buf *w, size_t at)
{
    patch16(w, at + 18, w->n - at);
}

static void assert_lsa_header(
        const Netcap__LSAheader *h, int ver, int type, uint32_t lsid, uint32_t adv, int len)
{
    assert_non_null(h);
    assert_int_equal(h->ls_age, 17);
    assert_int_equal(h->ls_type, type);
    assert_int_equal(h->link_state_id, lsid);
    assert_int_equal(h->adv_router, adv);
    assert_int_equal(h->ls_sequence_number, 0x80000002);
    assert_int_equal(h->ls_checksum, 0x1234);
    assert_int_equal(h->length, len);
    assert_int_equal(h->ls_options, ver == 2 ? 0x22 : 0);
}

static void test_ospf_v2_hello(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    ospf_v2_hdr(&w, 1);
    put32(&w, IP(255, 255, 255, 0));
    put16(&w, 10);
    put8(&w, 0x12);
    put8(&w, 1);
    put32(&w, 40);
    put32(&w, IP(192, 168, 121, 4));
    put32(&w, IP(192, 168, 121, 5));
    put32(&w, IP(192, 168, 255, 14));
    put32(&w, IP(192, 168, 255, 15));
    ospf_end(&w);
    static const uint8_t md5[16] = { 0 }; /* digest after the packet: not OSPF's body */
    putn(&w, md5, sizeof(md5));
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_OK);
    Netcap__OSPFv2 *o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_null(dh_rec_nth(&f->pkt, NC_REC_OSPFv3, 0));
    assert_int_equal(o->version, 2);
    assert_int_equal(o->type, 1);
    assert_int_equal(o->packet_length, 52);
    assert_int_equal(o->router_id, IP(192, 168, 255, 11));
    assert_string_equal(o->router_id_str, "192.168.255.11");
    assert_int_equal(o->area_id, 1);
    assert_string_equal(o->area_id_str, "0.0.0.1");
    assert_int_equal(o->checksum, 0xbeef);
    assert_int_equal(o->au_type, 2);
    assert_int_equal(o->authentication, 0x000001105a83413fLL);
    assert_string_equal(o->src_ip, "192.0.2.1");
    Netcap__HelloPkgV2 *h = o->hello_v2;
    assert_non_null(h);
    assert_int_equal(h->network_mask, IP(255, 255, 255, 0));
    assert_int_equal(h->hello_interval, 10);
    assert_int_equal(h->options, 0x12);
    assert_int_equal(h->rtr_priority, 1);
    assert_int_equal(h->router_dead_interval, 40);
    assert_int_equal(h->designated_router_id, IP(192, 168, 121, 4));
    assert_int_equal(h->backup_designated_router_id, IP(192, 168, 121, 5));
    assert_int_equal(h->interface_id, 0);
    assert_int_equal(h->n_neighbor_id, 2);
    assert_int_equal(h->neighbor_id[0], IP(192, 168, 255, 14));
    assert_int_equal(h->neighbor_id[1], IP(192, 168, 255, 15));
    assert_null(o->db_desc);
    assert_null(o->lsu);
    assert_int_equal(o->n_lsr, 0);
    assert_int_equal(o->n_lsas, 0);
}

static void test_ospf_v2_dd_lsr_ack(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    ospf_v2_hdr(&w, 2);
    put16(&w, 1500);
    put8(&w, 0x52);
    put8(&w, 0x07);
    put32(&w, 0x1bfb);
    size_t a = lsa_hdr(&w, 2, 1, IP(192, 168, 255, 11), IP(192, 168, 255, 11));
    patch16(&w, a + 18, 60);
    lsa_hdr(&w, 2, 5, IP(192, 168, 124, 0), IP(192, 168, 255, 11));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_OK);
    Netcap__OSPFv2 *o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->type, 2);
    Netcap__DbDescPkg *d = o->db_desc;
    assert_non_null(d);
    assert_int_equal(d->interface_mtu, 1500);
    assert_int_equal(d->options, 0x52);
    assert_int_equal(d->flags, 7);
    assert_int_equal(d->dd_sequence_number, 0x1bfb);
    assert_int_equal(d->n_lsa_info, 2);
    assert_lsa_header(d->lsa_info[0], 2, 1, IP(192, 168, 255, 11), IP(192, 168, 255, 11), 60);
    assert_lsa_header(d->lsa_info[1], 2, 5, IP(192, 168, 124, 0), IP(192, 168, 255, 11), 20);

    /* LS request: two entries of 12 bytes */
    w.n = 0;
    ospf_v2_hdr(&w, 3);
    put32(&w, 1);
    put32(&w, IP(192, 168, 255, 11));
    put32(&w, IP(192, 168, 255, 11));
    put32(&w, 2);
    put32(&w, IP(192, 168, 121, 4));
    put32(&w, IP(192, 168, 255, 14));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_OK);
    o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->type, 3);
    assert_int_equal(o->n_lsr, 2);
    assert_int_equal(o->lsr[0]->ls_type, 1);
    assert_int_equal(o->lsr[0]->link_state_id, IP(192, 168, 255, 11));
    assert_int_equal(o->lsr[0]->adv_router, IP(192, 168, 255, 11));
    assert_int_equal(o->lsr[1]->ls_type, 2);
    assert_int_equal(o->lsr[1]->link_state_id, IP(192, 168, 121, 4));
    assert_int_equal(o->lsr[1]->adv_router, IP(192, 168, 255, 14));

    /* LS acknowledgment: headers only */
    w.n = 0;
    ospf_v2_hdr(&w, 5);
    lsa_hdr(&w, 2, 2, IP(192, 168, 121, 4), IP(192, 168, 255, 14));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_OK);
    o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->type, 5);
    assert_int_equal(o->n_lsas, 1);
    assert_lsa_header(o->lsas[0], 2, 2, IP(192, 168, 121, 4), IP(192, 168, 255, 14), 20);

    /* a trailing partial header: truncated, the whole ones kept */
    w.n -= 4;
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_ETRUNC);
}

static void test_ospf_v2_every_lsa(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    ospf_v2_hdr(&w, 4);
    put32(&w, 7);
    /* 1 router: one stub link with a TOS entry, one transit link */
    size_t a = lsa_hdr(&w, 2, 1, IP(10, 0, 0, 1), IP(10, 0, 0, 1));
    put8(&w, 0x03); /* E, B */
    put8(&w, 0);
    put16(&w, 2);
    put32(&w, IP(10, 1, 0, 0));
    put32(&w, IP(255, 255, 0, 0));
    put8(&w, 3);
    put8(&w, 1);
    put16(&w, 12);
    put32(&w, 0x08000005); /* TOS 8 metric 5: skipped */
    put32(&w, IP(10, 2, 0, 4));
    put32(&w, IP(10, 2, 0, 42));
    put8(&w, 2);
    put8(&w, 0);
    put16(&w, 1);
    lsa_end(&w, a);
    /* 2 network */
    a = lsa_hdr(&w, 2, 2, IP(10, 2, 0, 4), IP(10, 0, 0, 2));
    put32(&w, IP(255, 255, 255, 0));
    put32(&w, IP(10, 0, 0, 1));
    put32(&w, IP(10, 0, 0, 2));
    lsa_end(&w, a);
    /* 3 summary network, 4 summary ASBR */
    a = lsa_hdr(&w, 2, 3, IP(10, 9, 0, 0), IP(10, 0, 0, 3));
    put32(&w, IP(255, 255, 0, 0));
    put32(&w, 74);
    lsa_end(&w, a);
    a = lsa_hdr(&w, 2, 4, IP(10, 0, 0, 9), IP(10, 0, 0, 3));
    put32(&w, 0);
    put32(&w, 0x00010203);
    lsa_end(&w, a);
    /* 5 AS-external (E set, forwarding address, tag), 7 NSSA (E clear) */
    a = lsa_hdr(&w, 2, 5, IP(192, 168, 124, 0), IP(10, 0, 0, 1));
    put32(&w, IP(255, 255, 255, 0));
    put32(&w, 0x80000014);
    put32(&w, IP(10, 2, 0, 9));
    put32(&w, 4);
    lsa_end(&w, a);
    a = lsa_hdr(&w, 2, 7, IP(172, 16, 0, 0), IP(10, 0, 0, 1));
    put32(&w, IP(255, 240, 0, 0));
    put32(&w, 0x00000064);
    put32(&w, 0);
    put32(&w, 0);
    lsa_end(&w, a);
    /* 10 opaque: raw */
    a = lsa_hdr(&w, 2, 10, IP(1, 0, 0, 0), IP(10, 0, 0, 1));
    put32(&w, 0x00010004);
    put32(&w, 0xdeadbeef);
    lsa_end(&w, a);
    ospf_end(&w);

    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_OK);
    Netcap__OSPFv2 *o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->type, 4);
    Netcap__LSUpdate *u = o->lsu;
    assert_non_null(u);
    assert_int_equal(u->num_of_lsas, 7);
    assert_int_equal(u->n_lsas, 7);

    Netcap__LSA *l = u->lsas[0];
    assert_lsa_header(l->header, 2, 1, IP(10, 0, 0, 1), IP(10, 0, 0, 1), 52);
    Netcap__RouterLSAV2 *rl = l->router_lsa_v2;
    assert_non_null(rl);
    assert_int_equal(rl->flags, 3);
    assert_int_equal(rl->links, 2);
    assert_int_equal(rl->n_routers, 2);
    assert_int_equal(rl->routers[0]->type, 3);
    assert_int_equal(rl->routers[0]->link_id, IP(10, 1, 0, 0));
    assert_int_equal(rl->routers[0]->link_data, IP(255, 255, 0, 0));
    assert_int_equal(rl->routers[0]->metric, 12);
    assert_int_equal(rl->routers[0]->num_tos, 1);
    assert_int_equal(rl->routers[1]->type, 2);
    assert_int_equal(rl->routers[1]->link_id, IP(10, 2, 0, 4));
    assert_int_equal(rl->routers[1]->link_data, IP(10, 2, 0, 42));
    assert_int_equal(rl->routers[1]->metric, 1);
    assert_int_equal(rl->routers[1]->num_tos, 0);

    l = u->lsas[1];
    assert_lsa_header(l->header, 2, 2, IP(10, 2, 0, 4), IP(10, 0, 0, 2), 32);
    assert_non_null(l->network_lsa);
    assert_int_equal(l->network_lsa->network_mask, IP(255, 255, 255, 0));
    assert_int_equal(l->network_lsa->options, 0);
    assert_int_equal(l->network_lsa->n_attached_router, 2);
    assert_int_equal(l->network_lsa->attached_router[0], IP(10, 0, 0, 1));
    assert_int_equal(l->network_lsa->attached_router[1], IP(10, 0, 0, 2));

    l = u->lsas[2];
    assert_int_equal(l->header->ls_type, 3);
    assert_non_null(l->summary_lsa_v2);
    assert_int_equal(l->summary_lsa_v2->network_mask, IP(255, 255, 0, 0));
    assert_int_equal(l->summary_lsa_v2->metric, 74);
    l = u->lsas[3];
    assert_int_equal(l->header->ls_type, 4);
    assert_non_null(l->summary_lsa_v2);
    assert_int_equal(l->summary_lsa_v2->network_mask, 0);
    assert_int_equal(l->summary_lsa_v2->metric, 0x010203);

    l = u->lsas[4];
    assert_lsa_header(l->header, 2, 5, IP(192, 168, 124, 0), IP(10, 0, 0, 1), 36);
    Netcap__ASExternalLSAV2 *x = l->ase_lsa_v2;
    assert_non_null(x);
    assert_int_equal(x->network_mask, IP(255, 255, 255, 0));
    assert_int_equal(x->external_bit, 1);
    assert_int_equal(x->metric, 20);
    assert_int_equal(x->forwarding_address, IP(10, 2, 0, 9));
    assert_int_equal(x->external_route_tag, 4);
    l = u->lsas[5];
    assert_int_equal(l->header->ls_type, 7);
    x = l->ase_lsa_v2;
    assert_non_null(x);
    assert_int_equal(x->network_mask, IP(255, 240, 0, 0));
    assert_int_equal(x->external_bit, 0);
    assert_int_equal(x->metric, 100);

    l = u->lsas[6];
    assert_int_equal(l->header->ls_type, 10);
    static const uint8_t opaque[] = { 0, 1, 0, 4, 0xde, 0xad, 0xbe, 0xef };
    dh_assert_bytes(l->body, opaque, sizeof(opaque));
    assert_null(l->router_lsa_v2);
    assert_null(l->ase_lsa_v2);

    /* more LSAs announced than present: truncated, the seven kept */
    patch16(&w, OSPF_V2_LSU_COUNT_LO, 9);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_ETRUNC);
    o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->lsu->num_of_lsas, 9);
    assert_int_equal(o->lsu->n_lsas, 7);

    /* an LSA length below its header: malformed, earlier LSAs kept */
    patch16(&w, OSPF_V2_LSU_COUNT_LO, 7);
    patch16(&w, 24 + 4 + 52 + 18, 8);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_EMALFORMED);
    o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->lsu->n_lsas, 2);
    assert_non_null(o->lsu->lsas[0]->router_lsa_v2);
}

static void test_ospf_v3_hello_dd_lsr(void **state)
{
    struct dh_fx *f = *state;
    struct buf w = { .n = 0 };
    ospf_v3_hdr(&w, 1);
    put32(&w, 5);
    put8(&w, 1);
    put24(&w, 0x000013);
    put16(&w, 10);
    put16(&w, 40);
    put32(&w, IP(1, 1, 1, 1));
    put32(&w, IP(2, 2, 2, 2));
    put32(&w, IP(2, 2, 2, 2));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, w.b, w.n), NC_OK);
    Netcap__OSPFv3 *o = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    assert_null(dh_rec_nth(&f->pkt, NC_REC_OSPFv2, 0));
    assert_int_equal(o->version, 3);
    assert_int_equal(o->type, 1);
    assert_int_equal(o->packet_length, 40);
    assert_int_equal(o->router_id, IP(1, 1, 1, 1));
    assert_string_equal(o->router_id_str, "1.1.1.1");
    assert_int_equal(o->area_id, 1);
    assert_string_equal(o->area_id_str, "0.0.0.1");
    assert_int_equal(o->checksum, 0xcafe);
    assert_int_equal(o->instance, 7);
    assert_int_equal(o->reserved, 0);
    assert_string_equal(o->src_ip, "fe80::1");
    assert_string_equal(o->dst_ip, "ff02::5");
    Netcap__HelloPkg *h = o->hello;
    assert_non_null(h);
    assert_int_equal(h->interface_id, 5);
    assert_int_equal(h->rtr_priority, 1);
    assert_int_equal(h->options, 0x13);
    assert_int_equal(h->hello_interval, 10);
    assert_int_equal(h->router_dead_interval, 40);
    assert_int_equal(h->designated_router_id, IP(1, 1, 1, 1));
    assert_int_equal(h->backup_designated_router_id, IP(2, 2, 2, 2));
    assert_int_equal(h->n_neighbor_id, 1);
    assert_int_equal(h->neighbor_id[0], IP(2, 2, 2, 2));

    w.n = 0;
    ospf_v3_hdr(&w, 2);
    put8(&w, 0);
    put24(&w, 0x13);
    put16(&w, 1500);
    put8(&w, 0);
    put8(&w, 0x05);
    put32(&w, 0x1d46);
    lsa_hdr(&w, 3, 0x2003, 3, IP(1, 1, 1, 1));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, w.b, w.n), NC_OK);
    o = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    Netcap__DbDescPkg *d = o->db_desc;
    assert_non_null(d);
    assert_int_equal(d->options, 0x13);
    assert_int_equal(d->interface_mtu, 1500);
    assert_int_equal(d->flags, 5);
    assert_int_equal(d->dd_sequence_number, 0x1d46);
    assert_int_equal(d->n_lsa_info, 1);
    assert_lsa_header(d->lsa_info[0], 3, 0x2003, 3, IP(1, 1, 1, 1), 20);

    w.n = 0;
    ospf_v3_hdr(&w, 3);
    put16(&w, 0);
    put16(&w, 0x2001);
    put32(&w, 0);
    put32(&w, IP(1, 1, 1, 1));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, w.b, w.n), NC_OK);
    o = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    assert_int_equal(o->n_lsr, 1);
    assert_int_equal(o->lsr[0]->ls_type, 0x2001);
    assert_int_equal(o->lsr[0]->link_state_id, 0);
    assert_int_equal(o->lsr[0]->adv_router, IP(1, 1, 1, 1));

    w.n = 0;
    ospf_v3_hdr(&w, 5);
    lsa_hdr(&w, 3, 0x0008, 5, IP(2, 2, 2, 2));
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, w.b, w.n), NC_OK);
    o = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    assert_int_equal(o->n_lsas, 1);
    assert_lsa_header(o->lsas[0], 3, 8, 5, IP(2, 2, 2, 2), 20);
}

static void put_prefix(struct buf *w, uint8_t len, uint8_t opts, uint16_t x, const uint8_t *addr)
{
    put8(w, len);
    put8(w, opts);
    put16(w, x);
    putn(w, addr, ((size_t)len + 31) / 32 * 4);
}

static void test_ospf_v3_every_lsa(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t p64[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x12 };
    static const uint8_t p48[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x34 };
    static const uint8_t lla[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
    static const uint8_t fwd[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };
    struct buf w = { .n = 0 };
    ospf_v3_hdr(&w, 4);
    put32(&w, 9);
    /* 0x2001 router: one transit interface */
    size_t a = lsa_hdr(&w, 3, 0x2001, 0, IP(2, 2, 2, 2));
    put8(&w, 0x01);
    put24(&w, 0x33);
    put8(&w, 2);
    put8(&w, 0);
    put16(&w, 10);
    put32(&w, 5);
    put32(&w, 6);
    put32(&w, IP(1, 1, 1, 1));
    lsa_end(&w, a);
    /* 0x2002 network */
    a = lsa_hdr(&w, 3, 0x2002, 5, IP(1, 1, 1, 1));
    put32(&w, 0x33);
    put32(&w, IP(1, 1, 1, 1));
    put32(&w, IP(2, 2, 2, 2));
    lsa_end(&w, a);
    /* 0x2003 inter-area prefix */
    a = lsa_hdr(&w, 3, 0x2003, 3, IP(1, 1, 1, 1));
    put32(&w, 74);
    put_prefix(&w, 64, 0, 0, p64);
    lsa_end(&w, a);
    /* 0x2004 inter-area router */
    a = lsa_hdr(&w, 3, 0x2004, 9, IP(1, 1, 1, 1));
    put32(&w, 0x13);
    put32(&w, 30);
    put32(&w, IP(9, 9, 9, 9));
    lsa_end(&w, a);
    /* 0x4005 AS-external: E, F, T, referenced type */
    a = lsa_hdr(&w, 3, 0x4005, 1, IP(1, 1, 1, 1));
    put8(&w, 0x07);
    put24(&w, 20);
    put_prefix(&w, 48, 0x02, 0x2001, p48);
    putn(&w, fwd, 16);
    put32(&w, 0x11223344);
    put32(&w, 0x55);
    lsa_end(&w, a);
    /* 0x2007 NSSA, no optional fields */
    a = lsa_hdr(&w, 3, 0x2007, 2, IP(1, 1, 1, 1));
    put8(&w, 0);
    put24(&w, 1);
    put_prefix(&w, 0, 0, 0, p48);
    lsa_end(&w, a);
    /* 0x0008 link with one prefix */
    a = lsa_hdr(&w, 3, 0x0008, 5, IP(2, 2, 2, 2));
    put8(&w, 1);
    put24(&w, 0x33);
    putn(&w, lla, 16);
    put32(&w, 1);
    put_prefix(&w, 64, 0, 0, p64);
    lsa_end(&w, a);
    /* 0x2009 intra-area prefix referring to the network-LSA */
    a = lsa_hdr(&w, 3, 0x2009, 0x1400, IP(1, 1, 1, 1));
    put16(&w, 2);
    put16(&w, 0x2002);
    put32(&w, 5);
    put32(&w, IP(1, 1, 1, 1));
    put_prefix(&w, 64, 0, 10, p64);
    put_prefix(&w, 48, 0, 20, p48);
    lsa_end(&w, a);
    /* 0x200a unknown: raw */
    a = lsa_hdr(&w, 3, 0x200a, 0, IP(1, 1, 1, 1));
    put32(&w, 0xabcdef01);
    lsa_end(&w, a);
    ospf_end(&w);

    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, w.b, w.n), NC_OK);
    Netcap__OSPFv3 *o = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    Netcap__LSUpdate *u = o->lsu;
    assert_non_null(u);
    assert_int_equal(u->num_of_lsas, 9);
    assert_int_equal(u->n_lsas, 9);

    Netcap__LSA *l = u->lsas[0];
    assert_lsa_header(l->header, 3, 0x2001, 0, IP(2, 2, 2, 2), 40);
    Netcap__RouterLSA *rl = l->router_lsa;
    assert_non_null(rl);
    assert_int_equal(rl->flags, 1);
    assert_int_equal(rl->options, 0x33);
    assert_int_equal(rl->n_routers, 1);
    assert_int_equal(rl->routers[0]->type, 2);
    assert_int_equal(rl->routers[0]->metric, 10);
    assert_int_equal(rl->routers[0]->interface_id, 5);
    assert_int_equal(rl->routers[0]->neighbor_interface_id, 6);
    assert_int_equal(rl->routers[0]->neighbor_router_id, IP(1, 1, 1, 1));

    l = u->lsas[1];
    assert_non_null(l->network_lsa);
    assert_int_equal(l->network_lsa->options, 0x33);
    assert_int_equal(l->network_lsa->network_mask, 0);
    assert_int_equal(l->network_lsa->n_attached_router, 2);
    assert_int_equal(l->network_lsa->attached_router[1], IP(2, 2, 2, 2));

    l = u->lsas[2];
    Netcap__InterAreaPrefixLSA *iap = l->inter_area_prefix_lsa;
    assert_non_null(iap);
    assert_int_equal(iap->metric, 74);
    assert_int_equal(iap->prefix_length, 64);
    assert_int_equal(iap->prefix_options, 0);
    dh_assert_bytes(iap->address_prefix, p64, 8);
    assert_string_equal(iap->prefix, "2001:db8:0:12::/64");

    l = u->lsas[3];
    Netcap__InterAreaRouterLSA *iar = l->inter_area_router_lsa;
    assert_non_null(iar);
    assert_int_equal(iar->options, 0x13);
    assert_int_equal(iar->metric, 30);
    assert_int_equal(iar->destination_router_id, IP(9, 9, 9, 9));

    l = u->lsas[4];
    assert_int_equal(l->header->ls_type, 0x4005);
    Netcap__ASExternalLSA *x = l->ase_lsa;
    assert_non_null(x);
    assert_int_equal(x->flags, 7);
    assert_int_equal(x->metric, 20);
    assert_int_equal(x->prefix_length, 48);
    assert_int_equal(x->prefix_options, 2);
    assert_int_equal(x->ref_ls_type, 0x2001);
    dh_assert_bytes(x->address_prefix, p48, 8);
    assert_string_equal(x->prefix, "2001:db8:34::/48");
    assert_string_equal(x->forwarding_address, "2001:db8::9");
    assert_int_equal(x->external_route_tag, 0x11223344);
    assert_int_equal(x->ref_link_state_id, 0x55);

    l = u->lsas[5];
    assert_int_equal(l->header->ls_type, 0x2007);
    x = l->ase_lsa;
    assert_non_null(x);
    assert_int_equal(x->flags, 0);
    assert_int_equal(x->metric, 1);
    assert_int_equal(x->prefix_length, 0);
    assert_int_equal(x->address_prefix.len, 0);
    assert_string_equal(x->prefix, "::/0");
    assert_string_equal(x->forwarding_address, "");
    assert_int_equal(x->external_route_tag, 0);
    assert_int_equal(x->ref_link_state_id, 0);

    l = u->lsas[6];
    Netcap__LinkLSA *ll = l->link_lsa;
    assert_non_null(ll);
    assert_int_equal(ll->rtr_priority, 1);
    assert_int_equal(ll->options, 0x33);
    assert_string_equal(ll->link_local_address, "fe80::2");
    assert_int_equal(ll->num_of_prefixes, 1);
    assert_int_equal(ll->n_prefixes, 1);
    assert_int_equal(ll->prefixes[0]->prefix_length, 64);
    assert_int_equal(ll->prefixes[0]->metric, 0);
    assert_string_equal(ll->prefixes[0]->prefix, "2001:db8:0:12::/64");

    l = u->lsas[7];
    Netcap__IntraAreaPrefixLSA *ia = l->intra_area_prefix_lsa;
    assert_non_null(ia);
    assert_int_equal(ia->num_of_prefixes, 2);
    assert_int_equal(ia->ref_ls_type, 0x2002);
    assert_int_equal(ia->ref_link_state_id, 5);
    assert_int_equal(ia->ref_adv_router, IP(1, 1, 1, 1));
    assert_int_equal(ia->n_prefixes, 2);
    assert_int_equal(ia->prefixes[0]->metric, 10);
    assert_string_equal(ia->prefixes[0]->prefix, "2001:db8:0:12::/64");
    dh_assert_bytes(ia->prefixes[0]->address_prefix, p64, 8);
    assert_int_equal(ia->prefixes[1]->prefix_length, 48);
    assert_int_equal(ia->prefixes[1]->metric, 20);
    assert_string_equal(ia->prefixes[1]->prefix, "2001:db8:34::/48");

    l = u->lsas[8];
    static const uint8_t raw[] = { 0xab, 0xcd, 0xef, 0x01 };
    dh_assert_bytes(l->body, raw, sizeof(raw));
    assert_null(l->router_lsa);

    /* a prefix longer than 128 bits: malformed, the next LSA still decoded */
    size_t iap_len_at = 16 + 4 + 40 + 32 + 20 + 4; /* prefix length octet of LSA 3 */
    assert_int_equal(w.b[iap_len_at], 64);
    w.b[iap_len_at] = 129;
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, w.b, w.n), NC_EMALFORMED);
    o = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    assert_int_equal(o->lsu->n_lsas, 9);
    assert_non_null(o->lsu->lsas[3]->inter_area_router_lsa);
}

static void test_ospf_caps_and_versions(void **state)
{
    struct dh_fx *f = *state;
    /* 300 neighbours: 256 kept */
    struct buf w = { .n = 0 };
    ospf_v2_hdr(&w, 1);
    put32(&w, 0);
    put16(&w, 10);
    put8(&w, 0);
    put8(&w, 1);
    put32(&w, 40);
    put32(&w, 0);
    put32(&w, 0);
    for (uint32_t i = 0; i < 300; i++) {
        put32(&w, i + 1);
    }
    ospf_end(&w);
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, w.b, w.n), NC_ELIMIT);
    Netcap__OSPFv2 *o = dh_need(&f->pkt, NC_REC_OSPFv2, 0);
    assert_int_equal(o->hello_v2->n_neighbor_id, 256);
    assert_int_equal(o->hello_v2->neighbor_id[255], 256);

    /* version 4: unsupported, no record; length below the header: malformed */
    static const uint8_t v4[24] = { 4, 1, 0, 24 };
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, v4, sizeof(v4)), NC_EUNSUPP);
    assert_int_equal(f->pkt.n_recs, 0);
    static const uint8_t shortlen[24] = { 2, 1, 0, 20 };
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, shortlen, sizeof(shortlen)), NC_EMALFORMED);
    /* an unknown packet type: the header is recorded */
    static const uint8_t t9[16] = { 3, 9, 0, 16, 1, 1, 1, 1 };
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 6, 89, t9, sizeof(t9)), NC_EUNSUPP);
    Netcap__OSPFv3 *o3 = dh_need(&f->pkt, NC_REC_OSPFv3, 0);
    assert_int_equal(o3->type, 9);
    assert_int_equal(o3->router_id, IP(1, 1, 1, 1));
}

/* ----------------------------------------------------------- truncation */

/* Cut a frame carrying msg at every length: no crash, and a cut inside the
 * first `need` bytes of the message is counted as bad for decoder id. */
static void cut_everywhere(struct dh_fx *f, uint8_t ipver, uint8_t proto, const uint8_t *msg,
        size_t n, size_t need, enum nc_decoder_id id, enum nc_rec_type t)
{
    uint8_t frame[FRAME_MAX];
    size_t len = ipver == 4 ? frame4(frame, proto, msg, n) : frame6(frame, proto, msg, n);
    size_t start = len - n;
    for (size_t cap = 0; cap <= len; cap++) {
        memset(&f->stats, 0, sizeof(f->stats));
        struct nc_pkt *pkt = dh_frame(f, DH_LINKTYPE_ETHERNET, frame, cap, len);
        if (cap >= start && cap < start + need) {
            assert_true(dh_bad(&f->stats, id) >= 1);
        }
        if (cap == len) {
            assert_int_equal(dh_bad(&f->stats, id), 0);
            assert_non_null(dh_rec_nth(pkt, t, 0));
        }
    }
}

static void test_truncated_at_every_length(void **state)
{
    struct dh_fx *f = *state;
    f->opts.payload = true;
    f->opts.entropy = true;
    struct buf w = { .n = 0 };

    /* IGMPv3 report with sources and aux data */
    put8(&w, 0x22);
    put8(&w, 0);
    put16(&w, 0);
    put16(&w, 0);
    put16(&w, 2);
    put8(&w, 1);
    put8(&w, 1);
    put16(&w, 1);
    put32(&w, IP(232, 1, 2, 3));
    put32(&w, IP(10, 0, 0, 1));
    put32(&w, 0);
    put8(&w, 2);
    put8(&w, 0);
    put16(&w, 0);
    put32(&w, IP(239, 1, 1, 1));
    cut_everywhere(f, 4, 2, w.b, w.n, w.n, NC_DEC_igmp, NC_REC_IGMP);
    /* IGMPv3 query with a source */
    w.n = 0;
    put32(&w, 0x11640000);
    put32(&w, 0);
    put32(&w, 0x027d0001);
    put32(&w, IP(10, 0, 0, 1));
    cut_everywhere(f, 4, 2, w.b, w.n, w.n, NC_DEC_igmp, NC_REC_IGMP);

    /* AH around ICMP: the cut is AH's inside AH, ICMP's inside ICMP */
    w.n = 0;
    put32(&w, 0x01040000);
    put32(&w, 0x11);
    put32(&w, 1);
    put32(&w, 0xa);
    put32(&w, 0xb);
    put32(&w, 0xc);
    put32(&w, 0x0800abcd);
    put32(&w, 0x00050001);
    cut_everywhere(f, 4, 51, w.b, w.n, 24, NC_DEC_ipsecah, NC_REC_IPSecAH);
    cut_everywhere(f, 4, 51, w.b, w.n, 0, NC_DEC_icmp4, NC_REC_ICMPv4);

    /* ESP: the 8-byte header; the encrypted rest is not parsed */
    w.n = 0;
    put32(&w, 0x12345678);
    put32(&w, 1);
    put32(&w, 0xfeedface);
    cut_everywhere(f, 4, 50, w.b, w.n, 8, NC_DEC_ipsecesp, NC_REC_IPSecESP);

    /* VRRPv2 and VRRPv3 over IPv6 */
    w.n = 0;
    put32(&w, 0x212abf02);
    put32(&w, 0x010a0000);
    put32(&w, IP(10, 4, 42, 1));
    put32(&w, IP(10, 4, 42, 2));
    putn(&w, "abcdefgh", 8);
    cut_everywhere(f, 4, 112, w.b, w.n, w.n, NC_DEC_vrrp, NC_REC_VRRPv2);
    w.n = 0;
    put32(&w, 0x312dbf01);
    put32(&w, 0x03e80000);
    putn(&w, ip6_src, 16);
    cut_everywhere(f, 6, 112, w.b, w.n, w.n, NC_DEC_vrrp, NC_REC_VRRPv2);

    /* OSPFv2 LS update with router, network and external LSAs */
    w.n = 0;
    ospf_v2_hdr(&w, 4);
    put32(&w, 3);
    size_t a = lsa_hdr(&w, 2, 1, 1, 1);
    put32(&w, 0x02000001);
    put32(&w, IP(10, 1, 0, 0));
    put32(&w, IP(255, 255, 0, 0));
    put32(&w, 0x0300000c);
    lsa_end(&w, a);
    a = lsa_hdr(&w, 2, 2, 2, 2);
    put32(&w, IP(255, 255, 255, 0));
    put32(&w, 1);
    lsa_end(&w, a);
    a = lsa_hdr(&w, 2, 5, 3, 3);
    put32(&w, 0);
    put32(&w, 0x80000001);
    put32(&w, 0);
    put32(&w, 4);
    lsa_end(&w, a);
    ospf_end(&w);
    cut_everywhere(f, 4, 89, w.b, w.n, w.n, NC_DEC_ospf, NC_REC_OSPFv2);

    /* OSPFv3 LS update with link and intra-area-prefix LSAs */
    static const uint8_t p64[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x12 };
    w.n = 0;
    ospf_v3_hdr(&w, 4);
    put32(&w, 2);
    a = lsa_hdr(&w, 3, 0x0008, 5, 2);
    put32(&w, 0x01000033);
    putn(&w, ip6_src, 16);
    put32(&w, 1);
    put_prefix(&w, 64, 0, 0, p64);
    lsa_end(&w, a);
    a = lsa_hdr(&w, 3, 0x2009, 0, 1);
    put32(&w, 0x00012001);
    put32(&w, 0);
    put32(&w, 1);
    put_prefix(&w, 64, 0, 10, p64);
    lsa_end(&w, a);
    ospf_end(&w);
    cut_everywhere(f, 6, 89, w.b, w.n, w.n, NC_DEC_ospf, NC_REC_OSPFv3);
}

/* Records not wanted: the same verdicts, and the context still set. */
static void test_unwanted_records_still_decode(void **state)
{
    struct dh_fx *f = *state;
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        f->opts.want[i] = false;
    }
    static const uint8_t v2r[] = { 0x16, 0x00, 0xfa, 0x04, 239, 255, 255, 250 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, v2r, sizeof(v2r)), NC_OK);
    assert_int_equal(f->pkt.n_recs, 0);
    static const uint8_t trunc[] = { 0x22, 0, 0, 0, 0, 1, 1, 0 };
    assert_int_equal(decode_msg(f, NC_DEC_igmp, 4, 2, trunc, sizeof(trunc)), NC_ETRUNC);
    static const uint8_t ospf_short[] = { 2, 1, 0, 60, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0xff, 0xff };
    assert_int_equal(decode_msg(f, NC_DEC_ospf, 4, 89, ospf_short, sizeof(ospf_short)), NC_ETRUNC);
    assert_int_equal(f->pkt.n_recs, 0);
    static const uint8_t esp[] = { 0, 0, 0, 1, 0, 0, 0, 2 };
    assert_int_equal(decode_msg(f, NC_DEC_ipsecesp, 4, 50, esp, sizeof(esp)), NC_OK);
    assert_string_equal(f->pkt.ctx.proto[NC_LAYER_TRANSPORT], "ESP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_igmp_v1_v2, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_igmp_v3_query_with_sources, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_igmp_v3_report, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_igmp_source_cap, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ah_hands_payload_on, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_esp_over_ip, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_esp_in_udp_and_declines, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_vrrp_v2, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_vrrp_v3, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ospf_v2_hello, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ospf_v2_dd_lsr_ack, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ospf_v2_every_lsa, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ospf_v3_hello_dd_lsr, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ospf_v3_every_lsa, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_ospf_caps_and_versions, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_truncated_at_every_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_unwanted_records_still_decode, dh_setup, dh_teardown),
    };
    return cmocka_run_group_tests(tests, dh_group_setup, NULL);
}
