/*
 * Unit tests for the tunnel and encapsulation decoders: gre, erspan, vxlan,
 * geneve, mpls, ppp, pppoe, teredo, cmd, and IP in IP (4in4, 6in4, 4in6).
 *
 * Frames are built field by field with a small writer (lengths patched at
 * the end), copied into a heap buffer of exactly their length and fed
 * through nc_decode_packet() as a worker would; records, tunnel fields and
 * counters are checked. Every frame is also cut at every length.
 */
#define DH_STATIC_FIXTURE
#include "decode_harness.h"
#include "flow/flow.h"

enum {
    DLT_EN10MB = 1,
    DLT_PPP = 9,
    DLT_PPP_HDLC = 50,
    DLT_RAW = 101,
    FRAME_MAX = 2048,
};

/* ---- frame writer ----------------------------------------------------- */

struct fb {
    uint8_t d[FRAME_MAX];
    size_t n;
};

static void u8(struct fb *b, unsigned v)
{
    assert_true(b->n < FRAME_MAX);
    b->d[b->n++] = (uint8_t)v;
}
static void u16(struct fb *b, unsigned v)
{
    u8(b, v >> 8);
    u8(b, v & 0xff);
}
static void u32(struct fb *b, uint32_t v)
{
    u16(b, v >> 16);
    u16(b, v & 0xffff);
}
static void bytes(struct fb *b, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        u8(b, ((const uint8_t *)p)[i]);
    }
}
static void put16_at(struct fb *b, size_t off, size_t v)
{
    b->d[off] = (uint8_t)(v >> 8);
    b->d[off + 1] = (uint8_t)v;
}

static void eth(struct fb *b, unsigned type)
{
    static const uint8_t macs[12] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00,
        0x53, 0x01 };
    bytes(b, macs, sizeof(macs));
    u16(b, type);
}

/* IPv4 header with total length patched by ip4_end(); a.b.c.d as one u32 */
static size_t ip4(struct fb *b, unsigned proto, uint32_t src, uint32_t dst)
{
    size_t at = b->n;
    u8(b, 0x45);
    u8(b, 0);
    u16(b, 0);
    u16(b, 0x1234);
    u16(b, 0);
    u8(b, 64);
    u8(b, proto);
    u16(b, 0);
    u32(b, src);
    u32(b, dst);
    return at;
}
static void ip4_end(struct fb *b, size_t at)
{
    put16_at(b, at + 2, b->n - at);
}

static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static size_t ip6(struct fb *b, unsigned nxt, const uint8_t *src, const uint8_t *dst)
{
    size_t at = b->n;
    u32(b, 0x60000000);
    u16(b, 0);
    u8(b, nxt);
    u8(b, 64);
    bytes(b, src, 16);
    bytes(b, dst, 16);
    return at;
}
static void ip6_end(struct fb *b, size_t at)
{
    put16_at(b, at + 4, b->n - at - 40);
}

static size_t udp(struct fb *b, unsigned sport, unsigned dport)
{
    size_t at = b->n;
    u16(b, sport);
    u16(b, dport);
    u16(b, 0);
    u16(b, 0);
    return at;
}
static void udp_end(struct fb *b, size_t at)
{
    put16_at(b, at + 4, b->n - at);
}

static void tcp_syn(struct fb *b, unsigned sport, unsigned dport, bool ack)
{
    u16(b, sport);
    u16(b, dport);
    u32(b, 1000);
    u32(b, ack ? 2000 : 0);
    u8(b, 0x50);
    u8(b, ack ? 0x12 : 0x02);
    u16(b, 8192);
    u32(b, 0);
}

static void icmp_echo(struct fb *b)
{
    u8(b, 8);
    u8(b, 0);
    u16(b, 0);
    u16(b, 0x77);
    u16(b, 1);
    u32(b, 0xabcdabcd);
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Ethernet / IPv4 1.1.1.1 -> 2.2.2.2 / GRE(key 0x28, seq 7, proto) / IPv4
 * 10.0.0.1 -> 10.0.0.2 ICMP echo */
static void build_gre_ip(struct fb *b)
{
    memset(b, 0, sizeof(*b));
    eth(b, 0x0800);
    size_t o = ip4(b, 47, IP(1, 1, 1, 1), IP(2, 2, 2, 2));
    u8(b, 0x30); /* K S */
    u8(b, 0x00);
    u16(b, 0x0800);
    u32(b, 0x28);
    u32(b, 7);
    size_t i = ip4(b, 1, IP(10, 0, 0, 1), IP(10, 0, 0, 2));
    icmp_echo(b);
    ip4_end(b, i);
    ip4_end(b, o);
}

static void assert_tunnelled(const char *parent, int32_t depth, int32_t want)
{
    assert_int_equal(depth, want);
    if (want) {
        assert_non_null(parent);
        assert_true(strncmp(parent, "1:", 2) == 0);
    } else {
        assert_true(parent == NULL || parent[0] == '\0');
    }
}

/* ---- GRE -------------------------------------------------------------- */

static void test_gre_key_seq_carries_ip(void **state)
{
    (void)state;
    struct fb b;
    build_gre_ip(&b);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__GRE *g = need(NC_REC_GRE, 0);
    assert_true(g->key_present);
    assert_true(g->sequence_number_present);
    assert_false(g->checksum_present);
    assert_false(g->routing_present);
    assert_int_equal(g->version, 0);
    assert_int_equal(g->protocol, 0x0800);
    assert_int_equal(g->key, 0x28);
    assert_int_equal(g->sequence_number, 7);
    assert_int_equal(g->payload_size, 32);
    assert_string_equal(g->src_ip, "1.1.1.1");
    assert_tunnelled(g->tunnel_parent, g->tunnel_depth, 0);
    Netcap__IPv4 *outer = need(NC_REC_IPv4, 0), *inner = need(NC_REC_IPv4, 1);
    assert_string_equal(outer->src_ip, "1.1.1.1");
    assert_tunnelled(outer->tunnel_parent, outer->tunnel_depth, 0);
    assert_string_equal(inner->src_ip, "10.0.0.1");
    assert_tunnelled(inner->tunnel_parent, inner->tunnel_depth, 1);
    Netcap__ICMPv4 *ic = need(NC_REC_ICMPv4, 0);
    assert_tunnelled(ic->tunnel_parent, ic->tunnel_depth, 1);
    assert_string_equal(ic->tunnel_parent, inner->tunnel_parent);
    /* the flow is the inner one, in a zone */
    assert_int_equal(fx.pkt.ctx.tunnel_depth, 1);
    assert_int_not_equal(fx.pkt.ctx.zone, 0);
}

static void test_gre_key_separates_flows(void **state)
{
    (void)state;
    struct fb b;
    build_gre_ip(&b);
    run(DLT_EN10MB, b.d, b.n);
    uint64_t z1 = fx.pkt.ctx.zone;
    b.d[14 + 20 + 7] = 0x29; /* key 0x29 */
    run(DLT_EN10MB, b.d, b.n);
    assert_int_not_equal(z1, fx.pkt.ctx.zone);
}

static void test_gre_routing_checksum(void **state)
{
    (void)state;
    struct fb b = { .n = 0 };
    eth(&b, 0x0800);
    size_t o = ip4(&b, 47, IP(1, 1, 1, 1), IP(2, 2, 2, 2));
    u8(&b, 0xc8 | 0x02); /* C R, strict source route, recursion 2 */
    u8(&b, 0x00);
    u16(&b, 0x0800);
    u16(&b, 0xbeef); /* checksum */
    u16(&b, 4);      /* offset */
    u16(&b, 0x0800); /* SRE: IPv4, offset 0, length 4 */
    u8(&b, 0);
    u8(&b, 4);
    u32(&b, IP(9, 9, 9, 9));
    u16(&b, 0xfffe); /* SRE: AS, length 2 */
    u8(&b, 0);
    u8(&b, 2);
    u16(&b, 64512);
    u32(&b, 0); /* terminator */
    size_t i = ip4(&b, 1, IP(10, 0, 0, 1), IP(10, 0, 0, 2));
    icmp_echo(&b);
    ip4_end(&b, i);
    ip4_end(&b, o);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__GRE *g = need(NC_REC_GRE, 0);
    assert_true(g->checksum_present);
    assert_true(g->routing_present);
    assert_true(g->strict_source_route);
    assert_int_equal(g->recursion_control, 2);
    assert_int_equal(g->checksum, 0xbeef);
    assert_int_equal(g->offset, 4);
    assert_int_equal(g->n_routing, 2);
    assert_int_equal(g->routing[0]->address_family, 0x0800);
    assert_int_equal(g->routing[0]->sre_length, 4);
    assert_int_equal(g->routing[0]->routing_information.len, 4);
    assert_int_equal(g->routing[1]->address_family, 0xfffe);
    assert_int_equal(count_recs(NC_REC_ICMPv4), 1);

    /* more entries than GRE_MAX_SRE: malformed, nothing handed on */
    struct fb m = { .n = 0 };
    eth(&m, 0x0800);
    o = ip4(&m, 47, IP(1, 1, 1, 1), IP(2, 2, 2, 2));
    u8(&m, 0x40);
    u8(&m, 0);
    u16(&m, 0x0800);
    u32(&m, 0);
    for (int k = 0; k < 20; k++) {
        u16(&m, 0x0800);
        u8(&m, 0);
        u8(&m, 0); /* AF 0x0800 with length 0 is not the terminator */
    }
    ip4_end(&m, o);
    run(DLT_EN10MB, m.d, m.n);
    assert_int_equal(
            fx.stats.bad[NC_DEC_gre][NC_EMALFORMED] + fx.stats.bad[NC_DEC_gre][NC_ETRUNC], 1);

    /* version 2: malformed */
    build_gre_ip(&b);
    b.d[14 + 20 + 1] = 0x02;
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.bad[NC_DEC_gre][NC_EMALFORMED], 1);
}

/* Ethernet / IPv4 / GRE v1 (PPTP) / PPP / IPv4 / UDP 40000 -> 9999 */
static void build_pptp(struct fb *b, bool ack)
{
    memset(b, 0, sizeof(*b));
    eth(b, 0x0800);
    size_t o = ip4(b, 47, IP(16, 0, 0, 200), IP(192, 52, 166, 154));
    u8(b, 0x30);
    u8(b, ack ? 0x81 : 0x01);
    u16(b, 0x880b);
    size_t key = b->n;
    u16(b, 0); /* payload length, patched */
    u16(b, 6016);
    u32(b, 430001);
    if (ack) {
        u32(b, 539254);
    }
    size_t start = b->n;
    u8(b, 0xff);
    u8(b, 0x03);
    u16(b, 0x0021);
    size_t i = ip4(b, 17, IP(172, 16, 44, 3), IP(8, 8, 8, 8));
    size_t u = udp(b, 40000, 9999);
    u32(b, 0x12340100);
    udp_end(b, u);
    ip4_end(b, i);
    put16_at(b, key, b->n - start);
    ip4_end(b, o);
}

static void test_gre_v1_pptp(void **state)
{
    (void)state;
    struct fb b;
    build_pptp(&b, true);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__GRE *g = need(NC_REC_GRE, 0);
    assert_int_equal(g->version, 1);
    assert_true(g->ack_number_present);
    assert_int_equal(g->flags, 0x81 >> 3);
    assert_int_equal(g->call_id, 6016);
    assert_int_equal(g->payload_length, 4 + 20 + 12);
    assert_int_equal(g->sequence_number, 430001);
    assert_int_equal(g->ack_number, 539254);
    Netcap__PPP *p = need(NC_REC_PPP, 0);
    assert_int_equal(p->address, 0xff);
    assert_int_equal(p->control, 0x03);
    assert_int_equal(p->protocol, 0x0021);
    assert_tunnelled(p->tunnel_parent, p->tunnel_depth, 1);
    Netcap__UDP *u = need(NC_REC_UDP, 0);
    assert_int_equal(u->dst_port, 9999);
    assert_tunnelled(u->tunnel_parent, u->tunnel_depth, 1);
    /* version 1 keys hold the peer's call id: not in the zone, so both
     * directions (different call ids) share one zone */
    uint64_t z = fx.pkt.ctx.zone;
    build_pptp(&b, false);
    b.d[14 + 20 + 6] = 0x00; /* call id 17 */
    b.d[14 + 20 + 7] = 0x11;
    run(DLT_EN10MB, b.d, b.n);
    assert_false(((Netcap__GRE *)need(NC_REC_GRE, 0))->ack_number_present);
    assert_int_equal(z, fx.pkt.ctx.zone);
}

/* GRE 0x6558 and ERSPAN I/II/III all carry an Ethernet frame */
static void build_gre_eth(struct fb *b, unsigned proto, bool seq, const uint8_t *hdr, size_t hlen)
{
    memset(b, 0, sizeof(*b));
    eth(b, 0x0800);
    size_t o = ip4(b, 47, IP(2, 2, 2, 2), IP(1, 1, 1, 1));
    u8(b, seq ? 0x10 : 0x00);
    u8(b, 0);
    u16(b, proto);
    if (seq) {
        u32(b, 1796);
    }
    bytes(b, hdr, hlen);
    eth(b, 0x0800);
    size_t i = ip4(b, 1, IP(23, 0, 0, 2), IP(23, 0, 0, 3));
    icmp_echo(b);
    ip4_end(b, i);
    ip4_end(b, o);
}

static void assert_inner_eth(void)
{
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_Ethernet), 2);
    Netcap__Ethernet *e0 = need(NC_REC_Ethernet, 0), *e1 = need(NC_REC_Ethernet, 1);
    assert_tunnelled(e0->tunnel_parent, e0->tunnel_depth, 0);
    assert_tunnelled(e1->tunnel_parent, e1->tunnel_depth, 1);
    Netcap__IPv4 *in = need(NC_REC_IPv4, 1);
    assert_string_equal(in->src_ip, "23.0.0.2");
    assert_tunnelled(in->tunnel_parent, in->tunnel_depth, 1);
    assert_int_equal(fx.pkt.ctx.tunnel_depth, 1);
}

static void test_gre_bridging_and_erspan(void **state)
{
    (void)state;
    struct fb b;
    build_gre_eth(&b, 0x6558, false, NULL, 0);
    run(DLT_EN10MB, b.d, b.n);
    assert_inner_eth();
    assert_int_equal(count_recs(NC_REC_ERSPAN), 0);

    /* type I: 0x88be without a sequence number, no header */
    build_gre_eth(&b, 0x88be, false, NULL, 0);
    run(DLT_EN10MB, b.d, b.n);
    assert_inner_eth();
    assert_int_equal(count_recs(NC_REC_ERSPAN), 0);

    /* type II: ver 1, VLAN 23, COS 5, En 1, T, session 100, index 0x12345 */
    static const uint8_t e2[] = { 0x10, 0x17, 0xac, 0x64, 0x00, 0x01, 0x23, 0x45 };
    build_gre_eth(&b, 0x88be, true, e2, sizeof(e2));
    run(DLT_EN10MB, b.d, b.n);
    assert_inner_eth();
    Netcap__ERSPAN *s = need(NC_REC_ERSPAN, 0);
    assert_int_equal(s->version, 1);
    assert_int_equal(s->vlan, 23);
    assert_int_equal(s->cos, 5);
    assert_int_equal(s->encap_type, 1);
    assert_true(s->truncated);
    assert_int_equal(s->session_id, 100);
    assert_int_equal(s->index, 0x12345);
    assert_string_equal(s->src_ip, "2.2.2.2");
    uint64_t z100 = fx.pkt.ctx.zone;
    struct fb b2;
    static const uint8_t e2b[] = { 0x10, 0x17, 0xac, 0x65, 0x00, 0x01, 0x23, 0x45 };
    build_gre_eth(&b2, 0x88be, true, e2b, sizeof(e2b));
    run(DLT_EN10MB, b2.d, b2.n);
    assert_int_not_equal(z100, fx.pkt.ctx.zone); /* session 101: another zone */

    /* type III with the platform subheader: ver 2, VLAN 5, session 7,
     * timestamp, SGT 0x0abc, P, FT 0, hw id 3, D, gra 2, O */
    static const uint8_t e3[] = { 0x20, 0x05, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44, 0x0a, 0xbc,
        0x80 | 0x00, (3 << 4) | 0x08 | (2 << 1) | 1, 0x0c, 1, 2, 3, 4, 5, 6, 7 };
    build_gre_eth(&b, 0x22eb, true, e3, sizeof(e3));
    run(DLT_EN10MB, b.d, b.n);
    assert_inner_eth();
    s = need(NC_REC_ERSPAN, 0);
    assert_int_equal(s->version, 2);
    assert_int_equal(s->vlan, 5);
    assert_int_equal(s->session_id, 7);
    assert_int_equal(s->hw_timestamp, 0x11223344);
    assert_int_equal(s->sgt, 0x0abc);
    assert_true(s->frame_type_flag);
    assert_int_equal(s->frame_type, 0);
    assert_int_equal(s->hw_id, 3);
    assert_true(s->direction);
    assert_int_equal(s->granularity, 2);
    assert_true(s->has_platform);
    assert_int_equal(s->platform_id, 3);
    assert_int_equal(s->platform_info.len, 8);

    /* version that disagrees with the type: malformed */
    build_gre_eth(&b, 0x22eb, true, e2, sizeof(e2));
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.bad[NC_DEC_erspan][NC_EMALFORMED], 1);
}

/* ---- VXLAN ------------------------------------------------------------ */

static void build_vxlan(
        struct fb *b, uint8_t f0, uint8_t f1, unsigned policy, uint32_t vni, uint8_t last)
{
    memset(b, 0, sizeof(*b));
    eth(b, 0x0800);
    size_t o = ip4(b, 17, IP(192, 168, 56, 11), IP(192, 168, 56, 12));
    size_t u = udp(b, 39924, 4789);
    u8(b, f0);
    u8(b, f1);
    u16(b, policy);
    u8(b, vni >> 16);
    u16(b, vni & 0xffff);
    u8(b, last);
    eth(b, 0x0800);
    size_t i = ip4(b, 6, IP(10, 0, 0, 1), IP(10, 0, 0, 2));
    tcp_syn(b, 1000, 80, false);
    ip4_end(b, i);
    udp_end(b, u);
    ip4_end(b, o);
}

static void test_vxlan_gbp_and_ports(void **state)
{
    (void)state;
    struct fb b;
    build_vxlan(&b, 0x88, 0x48, 0x1234, 5000, 0);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__VXLAN *v = need(NC_REC_VXLAN, 0);
    assert_true(v->valid_id_flag);
    assert_int_equal(v->vni, 5000);
    assert_int_equal(v->flags, 0x88);
    assert_true(v->gbp_extension);
    assert_true(v->gbp_dont_learn);
    assert_true(v->gbp_applied);
    assert_int_equal(v->gbp_group_policy_id, 0x1234);
    assert_int_equal(v->src_port, 39924);
    assert_int_equal(v->dst_port, 4789);
    assert_tunnelled(v->tunnel_parent, v->tunnel_depth, 0);
    /* the outer IPv4 record has the carrier's ports, the inner the inner's */
    Netcap__IPv4 *outer = need(NC_REC_IPv4, 0), *inner = need(NC_REC_IPv4, 1);
    assert_int_equal(outer->src_port, 39924);
    assert_int_equal(outer->dst_port, 4789);
    assert_int_equal(inner->src_port, 1000);
    assert_int_equal(inner->dst_port, 80);
    assert_tunnelled(inner->tunnel_parent, inner->tunnel_depth, 1);
    Netcap__TCP *t = need(NC_REC_TCP, 0);
    assert_tunnelled(t->tunnel_parent, t->tunnel_depth, 1);
    Netcap__UDP *u = need(NC_REC_UDP, 0);
    assert_tunnelled(u->tunnel_parent, u->tunnel_depth, 0);
    assert_string_equal(fx.pkt.ctx.proto[NC_LAYER_TRANSPORT], "TCP");

    /* without G: plain VXLAN, the policy bits are ignored */
    build_vxlan(&b, 0x08, 0xff, 0xffff, 1, 0);
    run(DLT_EN10MB, b.d, b.n);
    v = need(NC_REC_VXLAN, 0);
    assert_false(v->gbp_extension);
    assert_int_equal(v->gbp_group_policy_id, 0);
}

static void test_vxlan_declines(void **state)
{
    (void)state;
    struct fb b;
    const struct {
        uint8_t f0, f1, last;
    } bad[] = {
        { 0x00, 0, 0 },    /* no I bit */
        { 0x0c, 0, 0 },    /* reserved bit */
        { 0x08, 0, 1 },    /* reserved last octet */
        { 0x88, 0x01, 0 }, /* GBP reserved bit */
    };
    for (size_t k = 0; k < NC_ARRAY_LEN(bad); k++) {
        build_vxlan(&b, bad[k].f0, bad[k].f1, 0, 7, bad[k].last);
        run(DLT_EN10MB, b.d, b.n);
        assert_int_equal(count_recs(NC_REC_VXLAN), 0);
        assert_int_equal(fx.stats.declined[NC_DEC_vxlan], 1);
        assert_int_equal(count_recs(NC_REC_UDP), 1);
        assert_int_equal(count_recs(NC_REC_IPv4), 1);
        assert_int_equal(bad_total(), 0);
        assert_int_equal(fx.pkt.ctx.tunnel_depth, 0);
    }
}

static void test_vxlan_arp_stays_in_carrier_flow(void **state)
{
    (void)state;
    struct fb b = { .n = 0 };
    eth(&b, 0x0800);
    size_t o = ip4(&b, 17, IP(192, 168, 56, 11), IP(192, 168, 56, 12));
    size_t u = udp(&b, 39924, 4789);
    u32(&b, 0x08000000);
    u32(&b, 123 << 8);
    eth(&b, 0x0806);
    static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
    bytes(&b, arp, sizeof(arp));
    udp_end(&b, u);
    ip4_end(&b, o);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(count_recs(NC_REC_ARP), 1);
    Netcap__ARP *a = need(NC_REC_ARP, 0);
    assert_tunnelled(a->tunnel_parent, a->tunnel_depth, 1);
    struct nc_flow_pkt fp;
    nc_flow_pkt_from_ctx(&fp, &fx.pkt);
    assert_true(fp.valid);
    assert_int_equal(fp.tunnel_depth, 0);
    assert_int_equal(fp.zone, 0);
    assert_int_equal(fp.src_port, 39924);
}

/* ---- Geneve ----------------------------------------------------------- */

static void build_geneve(struct fb *b, unsigned ver, unsigned proto, bool bad_opt)
{
    memset(b, 0, sizeof(*b));
    eth(b, 0x0800);
    size_t o = ip4(b, 17, IP(20, 0, 0, 1), IP(20, 0, 0, 2));
    size_t u = udp(b, 50901, 6081);
    u8(b, (ver << 6) | 4); /* 16 bytes of options */
    u8(b, 0xc0);           /* O C */
    u16(b, proto);
    u8(b, 0x0c);
    u16(b, 0x012e); /* VNI 0xc012e */
    u8(b, 0);
    u16(b, 0x0100); /* class 0x100, type 0x81 (critical), flags 5, 1 word */
    u8(b, 0x81);
    u8(b, (5 << 5) | (bad_opt ? 4 : 1));
    u32(b, 0x31323334);
    u16(b, 0x0000); /* class 0, type 0, no data */
    u8(b, 0);
    u8(b, 0);
    u32(b, 0); /* a third: class 0, type 0, no data */
    if (proto == 0x6558) {
        eth(b, 0x0800);
    }
    size_t i = ip4(b, 1, IP(30, 0, 0, 1), IP(30, 0, 0, 2));
    icmp_echo(b);
    ip4_end(b, i);
    udp_end(b, u);
    ip4_end(b, o);
}

static void test_geneve_options_and_payloads(void **state)
{
    (void)state;
    struct fb b;
    build_geneve(&b, 0, 0x6558, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__Geneve *g = need(NC_REC_Geneve, 0);
    assert_int_equal(g->version, 0);
    assert_int_equal(g->options_length, 16);
    assert_true(g->oam_packet);
    assert_true(g->critical_option);
    assert_int_equal(g->protocol, 0x6558);
    assert_int_equal(g->vni, 0xc012e);
    assert_int_equal(g->n_options, 3);
    assert_int_equal(g->options[0]->class_, 0x100);
    assert_int_equal(g->options[0]->type, 0x81);
    assert_int_equal(g->options[0]->flags, 5);
    assert_int_equal(g->options[0]->length, 8);
    assert_int_equal(g->options[0]->data.len, 4);
    assert_int_equal(g->options[1]->length, 4);
    assert_int_equal(g->src_port, 50901);
    assert_int_equal(count_recs(NC_REC_Ethernet), 2);
    Netcap__ICMPv4 *ic = need(NC_REC_ICMPv4, 0);
    assert_tunnelled(ic->tunnel_parent, ic->tunnel_depth, 1);

    /* IPv4 directly (protocol 0x0800): no inner Ethernet */
    build_geneve(&b, 0, 0x0800, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_Ethernet), 1);
    assert_int_equal(((Netcap__IPv4 *)need(NC_REC_IPv4, 1))->tunnel_depth, 1);
    assert_int_equal(fx.pkt.ctx.tunnel_depth, 1);

    /* version 1: declined; an option past the area: malformed */
    build_geneve(&b, 1, 0x6558, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.declined[NC_DEC_geneve], 1);
    assert_int_equal(count_recs(NC_REC_Geneve), 0);
    build_geneve(&b, 0, 0x6558, true);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.bad[NC_DEC_geneve][NC_EMALFORMED], 1);
    assert_int_equal(count_recs(NC_REC_Geneve), 1);
}

/* ---- MPLS ------------------------------------------------------------- */

static void build_mpls(struct fb *b, unsigned labels, unsigned first_nibble, bool reply)
{
    memset(b, 0, sizeof(*b));
    eth(b, labels ? 0x8847 : 0x0800);
    for (unsigned k = 0; k < labels; k++) {
        uint32_t e = (uint32_t)(254 + k) << 12 | (uint32_t)(k & 7) << 9 | (64 - k);
        if (k + 1 == labels) {
            e |= 0x100;
        }
        u32(b, e);
    }
    if (first_nibble == 0) {
        u32(b, 0); /* pseudowire control word */
        eth(b, 0x0800);
        return;
    }
    size_t i = reply ? ip4(b, 6, IP(65, 0, 0, 2), IP(65, 0, 0, 1))
                     : ip4(b, 6, IP(65, 0, 0, 1), IP(65, 0, 0, 2));
    tcp_syn(b, reply ? 80 : 40000, reply ? 40000 : 80, reply);
    ip4_end(b, i);
}

static void test_mpls_stack(void **state)
{
    (void)state;
    struct fb b;
    build_mpls(&b, 2, 4, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_MPLS), 2);
    Netcap__MPLS *m0 = need(NC_REC_MPLS, 0), *m1 = need(NC_REC_MPLS, 1);
    assert_int_equal(m0->label, 254);
    assert_int_equal(m0->traffic_class, 0);
    assert_false(m0->stack_bottom);
    assert_int_equal(m0->ttl, 64);
    assert_int_equal(m0->stack_index, 0);
    assert_int_equal(m1->label, 255);
    assert_int_equal(m1->traffic_class, 1);
    assert_true(m1->stack_bottom);
    assert_int_equal(m1->ttl, 63);
    assert_int_equal(m1->stack_index, 1);
    assert_int_equal(m1->payload_kind, 4);
    /* not a tunnel */
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_tunnelled(ip->tunnel_parent, ip->tunnel_depth, 0);
    assert_int_equal(fx.pkt.ctx.zone, 0);

    /* pseudowire: counted as an unknown link payload kind */
    build_mpls(&b, 1, 0, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    assert_int_equal(((Netcap__MPLS *)need(NC_REC_MPLS, 0))->payload_kind, 0);
    assert_int_equal(fx.stats.unknown_id[NC_NS_LINK][0], NC_LINK_MPLS_PW);
    assert_int_equal(fx.stats.unknown[NC_NS_LINK][0], 1);

    /* 17 entries: malformed after 16 records */
    build_mpls(&b, 17, 4, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.bad[NC_DEC_mpls][NC_EMALFORMED], 1);
    assert_int_equal(count_recs(NC_REC_MPLS), 16);
}

static void test_mpls_request_plain_reply_one_connection(void **state)
{
    (void)state;
    struct fb b;
    struct nc_flow_pkt req, rep;
    build_mpls(&b, 2, 4, false);
    run(DLT_EN10MB, b.d, b.n);
    nc_flow_pkt_from_ctx(&req, &fx.pkt);
    build_mpls(&b, 0, 4, true);
    run(DLT_EN10MB, b.d, b.n);
    nc_flow_pkt_from_ctx(&rep, &fx.pkt);
    assert_true(req.valid && rep.valid);
    assert_memory_equal(&req.key, &rep.key, sizeof(req.key));
    assert_true(req.hash == rep.hash);
    assert_true(req.pkt_is_a != rep.pkt_is_a);
    assert_int_equal(nc_flow_shard(&req, 64), nc_flow_shard(&rep, 64));
}

/* ---- PPP, PPPoE ------------------------------------------------------- */

static void test_ppp_link_types(void **state)
{
    (void)state;
    struct fb b = { .n = 0 };
    u8(&b, 0xff);
    u8(&b, 0x03);
    u16(&b, 0x0281); /* MPLS over PPP */
    u32(&b, 100704u << 12 | 0x100 | 1);
    size_t i = ip4(&b, 17, IP(12, 4, 4, 4), IP(12, 1, 1, 1));
    size_t u = udp(&b, 42315, 33435);
    u32(&b, 0);
    udp_end(&b, u);
    ip4_end(&b, i);
    run(DLT_PPP, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__PPP *p = need(NC_REC_PPP, 0);
    assert_int_equal(p->protocol, 0x0281);
    assert_int_equal(((Netcap__MPLS *)need(NC_REC_MPLS, 0))->label, 100704);
    assert_int_equal(((Netcap__UDP *)need(NC_REC_UDP, 0))->dst_port, 33435);

    /* address/control and protocol field compressed: 0x21 alone */
    struct fb c = { .n = 0 };
    u8(&c, 0x21);
    i = ip4(&c, 17, IP(1, 2, 3, 4), IP(5, 6, 7, 8));
    u = udp(&c, 1, 2);
    udp_end(&c, u);
    ip4_end(&c, i);
    run(DLT_PPP, c.d, c.n);
    assert_int_equal(bad_total(), 0);
    p = need(NC_REC_PPP, 0);
    assert_int_equal(p->address, 0);
    assert_int_equal(p->protocol, 0x21);
    assert_int_equal(count_recs(NC_REC_IPv4), 1);

    /* Cisco HDLC on link type 50 */
    struct fb h = { .n = 0 };
    u8(&h, 0x0f);
    u8(&h, 0x00);
    u16(&h, 0x0800);
    i = ip4(&h, 17, IP(1, 2, 3, 4), IP(5, 6, 7, 8));
    u = udp(&h, 1, 2);
    udp_end(&h, u);
    ip4_end(&h, i);
    run(DLT_PPP_HDLC, h.d, h.n);
    assert_int_equal(bad_total(), 0);
    assert_int_equal(((Netcap__PPP *)need(NC_REC_PPP, 0))->protocol, 0x0800);
    assert_int_equal(count_recs(NC_REC_IPv4), 1);
    /* an even protocol number (0x0020) is malformed */
    h.d[0] = 0x00;
    h.d[1] = 0x20;
    run(DLT_PPP, h.d, h.n);
    assert_int_equal(fx.stats.bad[NC_DEC_ppp][NC_EMALFORMED], 1);
}

static void test_pppoe_discovery_and_session(void **state)
{
    (void)state;
    struct fb b = { .n = 0 };
    eth(&b, 0x8863);
    u8(&b, 0x11);
    u8(&b, 0x07); /* PADO */
    u16(&b, 0);
    size_t len = b.n;
    u16(&b, 0);
    size_t start = b.n;
    u16(&b, 0x0101); /* Service-Name "" */
    u16(&b, 0);
    u16(&b, 0x0103); /* Host-Uniq */
    u16(&b, 4);
    u32(&b, 0x64138518);
    u16(&b, 0x0102); /* AC-Name "BRAS" */
    u16(&b, 4);
    bytes(&b, "BRAS", 4);
    put16_at(&b, len, b.n - start);
    u32(&b, 0xeeeeeeee); /* Ethernet padding */
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__PPPoE *p = need(NC_REC_PPPoE, 0);
    assert_true(p->discovery);
    assert_int_equal(p->version, 1);
    assert_int_equal(p->type, 1);
    assert_int_equal(p->code, 0x07);
    assert_int_equal(p->n_tags, 3);
    assert_int_equal(p->tags[1]->type, 0x0103);
    assert_int_equal(p->tags[1]->length, 4);
    assert_string_equal(p->ac_name, "BRAS");
    assert_string_equal(p->service_name, "");

    /* a tag past the length: malformed, earlier tags kept */
    put16_at(&b, len, 4 + 4 + 2);
    b.n = start + 10;
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.bad[NC_DEC_pppoe][NC_EMALFORMED], 1);
    assert_int_equal(((Netcap__PPPoE *)need(NC_REC_PPPoE, 0))->n_tags, 1);

    struct fb s = { .n = 0 };
    eth(&s, 0x8864);
    u8(&s, 0x11);
    u8(&s, 0);
    u16(&s, 0x11);
    len = s.n;
    u16(&s, 0);
    start = s.n;
    u16(&s, 0x0057);
    size_t i = ip6(&s, 17, v6a, v6b);
    size_t u = udp(&s, 546, 547);
    udp_end(&s, u);
    ip6_end(&s, i);
    put16_at(&s, len, s.n - start);
    run(DLT_EN10MB, s.d, s.n);
    assert_int_equal(bad_total(), 0);
    p = need(NC_REC_PPPoE, 0);
    assert_false(p->discovery);
    assert_int_equal(p->session_id, 0x11);
    assert_int_equal(((Netcap__PPP *)need(NC_REC_PPP, 0))->protocol, 0x0057);
    Netcap__UDP *ur = need(NC_REC_UDP, 0);
    assert_int_equal(ur->dst_port, 547);
    assert_tunnelled(ur->tunnel_parent, ur->tunnel_depth, 0);
}

/* ---- Teredo ----------------------------------------------------------- */

static void build_teredo(struct fb *b, bool auth, bool origin, bool v6)
{
    memset(b, 0, sizeof(*b));
    eth(b, 0x0800);
    size_t o = ip4(b, 17, IP(203, 0, 113, 7), IP(192, 0, 2, 10));
    size_t u = udp(b, 3544, 40000);
    if (auth) {
        u16(b, 0x0001);
        u8(b, 2);
        u8(b, 1);
        bytes(b, "cl", 2);
        u8(b, 0xaa);
        u32(b, 0x01020304);
        u32(b, 0x05060708);
        u8(b, 3);
    }
    if (origin) {
        u16(b, 0);
        u16(b, 3544 ^ 0xffff);
        u32(b, ~IP(203, 0, 113, 7));
    }
    if (v6) {
        size_t i = ip6(b, 58, v6a, v6b);
        u8(b, 128);
        u8(b, 0);
        u16(b, 0);
        u32(b, 0x12340001);
        ip6_end(b, i);
    } else {
        bytes(b, "GET / HTTP/1.1\r\nHost: example\r\n\r\n0123456789", 42);
    }
    udp_end(b, u);
    ip4_end(b, o);
}

static void test_teredo(void **state)
{
    (void)state;
    struct fb b;
    build_teredo(&b, true, true, true);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(bad_total(), 0);
    Netcap__Teredo *t = need(NC_REC_Teredo, 0);
    assert_true(t->has_auth);
    assert_int_equal(t->client_id.len, 2);
    assert_int_equal(t->auth_value.len, 1);
    assert_int_equal(t->nonce.len, 8);
    assert_int_equal(t->confirmation, 3);
    assert_true(t->has_origin);
    assert_int_equal(t->origin_port, 3544);
    assert_string_equal(t->origin_ip, "203.0.113.7");
    assert_int_equal(t->src_port, 3544);
    Netcap__ICMPv6Echo *e = need(NC_REC_ICMPv6Echo, 0);
    assert_tunnelled(e->tunnel_parent, e->tunnel_depth, 1);
    assert_int_equal(fx.pkt.ctx.ip_ver, 6);

    build_teredo(&b, false, false, true);
    run(DLT_EN10MB, b.d, b.n);
    t = need(NC_REC_Teredo, 0);
    assert_false(t->has_auth);
    assert_false(t->has_origin);
    assert_int_equal(count_recs(NC_REC_IPv6), 1);

    build_teredo(&b, false, true, false);
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.declined[NC_DEC_teredo], 1);
    assert_int_equal(count_recs(NC_REC_Teredo), 0);
    assert_int_equal(count_recs(NC_REC_IPv6), 0);
    assert_int_equal(bad_total(), 0);
}

/* ---- IP in IP ----------------------------------------------------------- */

static void test_ip_in_ip(void **state)
{
    (void)state;
    /* 4in4, 6in4 (41), 4in6 (4), 6in6 (41) */
    for (int k = 0; k < 4; k++) {
        struct fb b = { .n = 0 };
        bool outer6 = k >= 2, inner6 = k == 1 || k == 3;
        eth(&b, outer6 ? 0x86dd : 0x0800);
        unsigned proto = inner6 ? 41 : 4;
        size_t o =
                outer6 ? ip6(&b, proto, v6a, v6b) : ip4(&b, proto, IP(1, 1, 1, 1), IP(2, 2, 2, 2));
        size_t i = inner6 ? ip6(&b, 17, v6b, v6a) : ip4(&b, 17, IP(10, 0, 0, 1), IP(10, 0, 0, 2));
        size_t u = udp(&b, 1234, 5678);
        u32(&b, 0);
        udp_end(&b, u);
        if (inner6) {
            ip6_end(&b, i);
        } else {
            ip4_end(&b, i);
        }
        if (outer6) {
            ip6_end(&b, o);
        } else {
            ip4_end(&b, o);
        }
        run(DLT_EN10MB, b.d, b.n);
        assert_int_equal(bad_total(), 0);
        Netcap__UDP *ur = need(NC_REC_UDP, 0);
        assert_tunnelled(ur->tunnel_parent, ur->tunnel_depth, 1);
        assert_int_equal(fx.pkt.ctx.tunnel_depth, 1);
        if (!outer6) {
            Netcap__IPv4 *out = need(NC_REC_IPv4, 0);
            assert_int_equal(out->src_port, 0); /* no transport header of its own */
            assert_tunnelled(out->tunnel_parent, out->tunnel_depth, 0);
        } else {
            Netcap__IPv6 *out = need(NC_REC_IPv6, 0);
            assert_int_equal(out->src_port, 0);
            assert_tunnelled(out->tunnel_parent, out->tunnel_depth, 0);
        }
    }
}

/* ---- nesting bombs ------------------------------------------------------ */

static void test_nesting_bombs(void **state)
{
    (void)state;
    /* GRE in IP in GRE in IP ... 60 deep */
    struct fb b = { .n = 0 };
    eth(&b, 0x0800);
    size_t offs[64];
    size_t n = 0;
    for (; n < 60; n++) {
        offs[n] = ip4(&b, 47, IP(1, 1, 1, (uint32_t)n), IP(2, 2, 2, 2));
        u8(&b, 0x20);
        u8(&b, 0);
        u16(&b, 0x0800);
        u32(&b, (uint32_t)n);
    }
    while (n-- > 0) {
        ip4_end(&b, offs[n]);
    }
    run(DLT_EN10MB, b.d, b.n);
    assert_int_equal(fx.stats.depth_limit, 1);
    assert_true(fx.pkt.n_recs <= NC_MAX_PKT_RECS);
    assert_true(fx.stats.layers[NC_DEC_gre] <= NC_MAX_LAYERS);

    /* bridged Ethernet in GRE, again and again */
    struct fb e = { .n = 0 };
    for (int k = 0; k < 40; k++) {
        eth(&e, 0x0800);
        ip4(&e, 47, IP(1, 1, 1, 1), IP(2, 2, 2, 2));
        u32(&e, 0x00006558);
    }
    run(DLT_EN10MB, e.d, e.n);
    assert_int_equal(fx.stats.depth_limit, 1);

    /* MPLS in GRE in IP... with full label stacks */
    struct fb m = { .n = 0 };
    eth(&m, 0x0800);
    for (int k = 0; k < 20; k++) {
        ip4(&m, 47, IP(1, 1, 1, 1), IP(2, 2, 2, 2));
        u32(&m, 0x00008847);
        for (int l = 0; l < 16; l++) {
            u32(&m, (uint32_t)l << 12 | (l == 15 ? 0x100u : 0) | 64);
        }
    }
    run(DLT_EN10MB, m.d, m.n);
    assert_true(fx.stats.depth_limit + fx.stats.rec_limit > 0);
}

/* ---- truncation ---------------------------------------------------------- */

struct trunc_case {
    const char *name;
    uint32_t dlt;
    struct fb *fb;
    enum nc_decoder_id dec;
    size_t start, end; /* cuts in [start, end) are ETRUNC (or declined) for dec */
    bool declines;
};

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    static struct fb gre, pptp, erspan3, vx, gen, mpls, pppoe, teredo;
    build_gre_ip(&gre);
    build_pptp(&pptp, true);
    static const uint8_t e3[] = { 0x20, 0x05, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44, 0x0a, 0xbc, 0x80,
        0x01, 0x0c, 1, 2, 3, 4, 5, 6, 7 };
    build_gre_eth(&erspan3, 0x22eb, true, e3, sizeof(e3));
    build_vxlan(&vx, 0x08, 0, 0, 9, 0);
    build_geneve(&gen, 0, 0x6558, false);
    build_mpls(&mpls, 3, 4, false);
    build_teredo(&teredo, true, true, true);
    memset(&pppoe, 0, sizeof(pppoe));
    eth(&pppoe, 0x8864);
    u32(&pppoe, 0x11000011);
    u16(&pppoe, 0x0030);
    u16(&pppoe, 0xc021);
    for (int k = 0; k < 44; k++) {
        u8(&pppoe, 0);
    }
    const struct trunc_case cases[] = {
        { "gre", DLT_EN10MB, &gre, NC_DEC_gre, 34, 46, false },
        { "gre v1", DLT_EN10MB, &pptp, NC_DEC_gre, 34, 50, false },
        { "ppp/gre", DLT_EN10MB, &pptp, NC_DEC_ppp, 51, 54, false },
        { "erspan3", DLT_EN10MB, &erspan3, NC_DEC_erspan, 43, 62, false },
        { "vxlan", DLT_EN10MB, &vx, NC_DEC_vxlan, 43, 50, true },
        { "geneve short", DLT_EN10MB, &gen, NC_DEC_geneve, 43, 50, true },
        { "geneve", DLT_EN10MB, &gen, NC_DEC_geneve, 50, 66, false },
        { "mpls", DLT_EN10MB, &mpls, NC_DEC_mpls, 14, 26, false },
        { "pppoe", DLT_EN10MB, &pppoe, NC_DEC_pppoe, 14, 20, false },
    };
    for (size_t c = 0; c < NC_ARRAY_LEN(cases); c++) {
        const struct trunc_case *tc = &cases[c];
        for (size_t cut = 0; cut <= tc->fb->n; cut++) {
            run(tc->dlt, tc->fb->d, cut);
            assert_int_equal(fx.stats.packets, 1);
            if (cut >= tc->start && cut < tc->end) {
                uint64_t got = tc->declines ? fx.stats.declined[tc->dec]
                                            : fx.stats.bad[tc->dec][NC_ETRUNC];
                if (got != 1) {
                    fail_msg("%s cut at %zu: ETRUNC/decline not counted", tc->name, cut);
                }
            }
        }
    }
    /* every prefix of every frame under every link type: no crash, no over-read */
    struct fb *all[] = { &gre, &pptp, &erspan3, &vx, &gen, &mpls, &pppoe, &teredo };
    static const uint32_t dlts[] = { DLT_EN10MB, DLT_PPP, DLT_PPP_HDLC, DLT_RAW };
    for (size_t f = 0; f < NC_ARRAY_LEN(all); f++) {
        for (size_t d = 0; d < NC_ARRAY_LEN(dlts); d++) {
            for (size_t cut = 0; cut <= all[f]->n; cut++) {
                run(dlts[d], all[f]->d, cut);
                assert_int_equal(fx.stats.packets, 1);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gre_key_seq_carries_ip, dh_test_setup_static),
        cmocka_unit_test_setup(test_gre_key_separates_flows, dh_test_setup_static),
        cmocka_unit_test_setup(test_gre_routing_checksum, dh_test_setup_static),
        cmocka_unit_test_setup(test_gre_v1_pptp, dh_test_setup_static),
        cmocka_unit_test_setup(test_gre_bridging_and_erspan, dh_test_setup_static),
        cmocka_unit_test_setup(test_vxlan_gbp_and_ports, dh_test_setup_static),
        cmocka_unit_test_setup(test_vxlan_declines, dh_test_setup_static),
        cmocka_unit_test_setup(test_vxlan_arp_stays_in_carrier_flow, dh_test_setup_static),
        cmocka_unit_test_setup(test_geneve_options_and_payloads, dh_test_setup_static),
        cmocka_unit_test_setup(test_mpls_stack, dh_test_setup_static),
        cmocka_unit_test_setup(test_mpls_request_plain_reply_one_connection, dh_test_setup_static),
        cmocka_unit_test_setup(test_ppp_link_types, dh_test_setup_static),
        cmocka_unit_test_setup(test_pppoe_discovery_and_session, dh_test_setup_static),
        cmocka_unit_test_setup(test_teredo, dh_test_setup_static),
        cmocka_unit_test_setup(test_ip_in_ip, dh_test_setup_static),
        cmocka_unit_test_setup(test_nesting_bombs, dh_test_setup_static),
        cmocka_unit_test_setup(test_truncated_at_every_length, dh_test_setup_static),
    };
    return cmocka_run_group_tests(tests, dh_group_setup_static, dh_group_teardown_static);
}
