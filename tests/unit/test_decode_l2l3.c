/*
 * Unit tests for the link and network layer decoders: sll, sll2, null,
 * rawip, dot1q, arp, ipv4, ipv6, ipv6hop, ipv6frag, ipv6ext.
 *
 * Each test feeds a crafted frame through nc_decode_packet() exactly as a
 * worker would, then checks the records and counters. Every frame is copied
 * into a heap buffer of exactly its length first, so ASan reports a
 * one-byte over-read. Transport decoders may or may not exist yet, so
 * dispatch is checked through stats.layers[] (attempts), never through
 * their records.
 */
#define DH_STATIC_FIXTURE
#include "decode_harness.h"
#include "flow/flow.h"

enum {
    DLT_NULL0 = 0,
    DLT_EN10MB = 1,
    DLT_RAW_OPENBSD = 12,
    DLT_RAW_BSD = 14,
    DLT_RAW = 101,
    DLT_LOOP = 108,
    DLT_SLL = 113,
    DLT_IPV4 = 228,
    DLT_IPV6 = 229,
    DLT_SLL2 = 276,
};

/* ---- frames ---------------------------------------------------------- */

/* byte arrays are laid out by header field, not by clang-format */
/* clang-format off */

/* Ethernet ff:ff:ff:ff:ff:ff <- 00:11:22:33:44:55, ARP who-has 192.168.1.1
 * tell 192.168.1.10 (request), padded to 60 bytes. */
static const uint8_t eth_arp[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,
    0x00, 0x01,                         /* hw type Ethernet */
    0x08, 0x00,                         /* proto IPv4 */
    0x06, 0x04,                         /* sizes 6 / 4 */
    0x00, 0x01,                         /* request */
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender hw */
    0xc0, 0xa8, 0x01, 0x0a,             /* sender 192.168.1.10 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target hw */
    0xc0, 0xa8, 0x01, 0x01,             /* target 192.168.1.1 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* Ethernet padding */
};

/* Ethernet, IPv4 10.0.0.1 -> 10.0.0.2, TOS 0x10, len 40, id 0x1c46, DF,
 * TTL 64, TCP, checksum 0xb1e6; TCP 1024 -> 80 SYN; 6 bytes of Ethernet
 * padding (not IP payload). */
static const uint8_t eth_ipv4_tcp[] = {
    0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00,
    0x45, 0x10, 0x00, 0x28, /* v4, IHL 5, TOS 0x10, total 40 */
    0x1c, 0x46, 0x40, 0x00, /* id 0x1c46, DF, offset 0 */
    0x40, 0x06, 0xb1, 0xe6, /* TTL 64, TCP, checksum */
    0x0a, 0x00, 0x00, 0x01, /* 10.0.0.1 */
    0x0a, 0x00, 0x00, 0x02, /* 10.0.0.2 */
    0x04, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, /* TCP SYN */
    0xee, 0xee, 0xee, 0xee, 0xee, 0xee,             /* Ethernet padding */
};

/* Raw IPv4 192.0.2.1 -> 192.0.2.2, IHL 8 (12 option bytes): NOP, record
 * route (type 7, len 7, pointer 4, one empty slot), EOL, 3 padding bytes;
 * UDP, total 40; 8 bytes of payload after the header. */
static const uint8_t raw_ipv4_opts[] = {
    0x48, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
    0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
    0x01,                                     /* NOP */
    0x07, 0x07, 0x04, 0x00, 0x00, 0x00, 0x00, /* RR: len 7, ptr 4, 0.0.0.0 */
    0x00,                                     /* EOL */
    0xaa, 0xbb, 0xcc,                         /* padding after EOL */
    0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, /* UDP 12345 -> 53, len 8 */
};

/* Raw IPv4 fragment: 192.0.2.1 -> 192.0.2.2, UDP, offset 185 (1480
 * bytes), MF clear, total 28: 8 bytes of the middle of a datagram. */
static const uint8_t raw_ipv4_frag_later[] = {
    0x45, 0x00, 0x00, 0x1c, 0xbe, 0xef, 0x00, 0xb9, 0x40, 0x11, 0x00, 0x00,
    0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

/* Same datagram, first fragment: offset 0, MF set, UDP 12345 -> 53. */
static const uint8_t raw_ipv4_frag_first[] = {
    0x45, 0x00, 0x00, 0x1c, 0xbe, 0xef, 0x20, 0x00, 0x40, 0x11, 0x00, 0x00,
    0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
    0x30, 0x39, 0x00, 0x35, 0x05, 0xc0, 0x00, 0x00,
};

/* Ethernet, IPv6 2001:db8::1 -> 2001:db8::2, traffic class 0xb8, flow label
 * 0x12345, payload 8, next header UDP (17), hop limit 64; UDP header;
 * 4 trailing bytes that are not IPv6 payload. */
static const uint8_t eth_ipv6_udp[] = {
    0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd,
    0x6b, 0x81, 0x23, 0x45, /* v6, TC 0xb8, flow 0x12345 */
    0x00, 0x08, 0x11, 0x40, /* plen 8, UDP, hop limit 64 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, /* UDP 12345 -> 53 */
    0xee, 0xee, 0xee, 0xee,                         /* padding */
};

/* Raw IPv6 fe80::1 -> ff02::16, plen 36, hop limit 1, next header
 * hop-by-hop (0): next 58 (ICMPv6), Hdr Ext Len 0 (8 bytes), options
 * router alert (type 5, len 2, value 0 = MLD) and PadN (type 1, len 0);
 * then a 28-byte ICMPv6 MLDv2 report (one record for ff02::fb). */
static const uint8_t raw_ipv6_hbh[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01,
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16,
    0x3a, 0x00,             /* HBH: next ICMPv6, 8 bytes */
    0x05, 0x02, 0x00, 0x00, /* router alert, MLD */
    0x01, 0x00,             /* PadN, no data */
    0x8f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* ICMPv6 143 MLDv2 report, 1 record */
    0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb,
};

/* Raw IPv6 2001:db8::1 -> 2001:db8::2, plen 0 (jumbogram), next header
 * hop-by-hop: next UDP, Hdr Ext Len 0, jumbo payload option (type 0xc2,
 * len 4, value 65552); then a UDP header and 8 bytes of data (only 24
 * bytes follow the IPv6 header: the capture is all we use). */
static const uint8_t raw_ipv6_jumbo[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    0x11, 0x00,                         /* HBH: next UDP, 8 bytes */
    0xc2, 0x04, 0x00, 0x01, 0x00, 0x10, /* jumbo payload length 65552 */
    0x30, 0x39, 0x00, 0x35, 0x00, 0x00, 0x00, 0x00, /* UDP (length 0: jumbo) */
    1, 2, 3, 4, 5, 6, 7, 8,
};

/* Raw IPv6 2001:db8::1 -> 2001:db8::2, plen 24, next header fragment (44):
 * next UDP, reserved1 0x5a, offset 0, res2 0b11, M set, id 0xdeadbeef;
 * then the UDP header and 8 bytes. */
static const uint8_t raw_ipv6_frag_first[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x2c, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    0x11, 0x5a, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef, /* frag: off 0, res2 3, M */
    0x30, 0x39, 0x00, 0x35, 0x00, 0x18, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
};

/* Same, a later fragment: offset 181 (1448 bytes), M clear, reserved 0. */
static const uint8_t raw_ipv6_frag_later[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x2c, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    0x11, 0x00, 0x05, 0xa8, 0xde, 0xad, 0xbe, 0xef, /* frag: off 181, M clear */
    1, 2, 3, 4, 5, 6, 7, 8,
};

/* Raw IPv6, plen 40: routing header (43; next 60, len 0 = 8 bytes, type 0
 * segments left 0), destination options (60; next UDP, len 1 = 16 bytes of
 * PadN), UDP header + 8 bytes. */
static const uint8_t raw_ipv6_ext[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x2b, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    0x3c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* routing: next dest opts */
    0x11, 0x01, 0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* dest opts, PadN 12 */
    0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
};

/* Ethernet, 802.1Q tag PCP 5, DEI 1, VID 100 -> IPv4 (then the IPv4/TCP
 * packet of eth_ipv4_tcp, no padding). */
static const uint8_t eth_vlan_ipv4[] = {
    0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x81, 0x00,
    0xb0, 0x64, 0x08, 0x00, /* TCI: PCP 5, DEI 1, VID 100; type IPv4 */
    0x45, 0x10, 0x00, 0x28, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0xb1, 0xe6,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Ethernet, 802.1ad S-tag (0x88a8) VID 10 PCP 3 -> C-tag (0x8100) VID 200
 * -> ARP reply 10.1.1.1 is-at 02:00:00:00:00:01. */
static const uint8_t eth_qinq_arp[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xa8,
    0x60, 0x0a, 0x81, 0x00, /* S-tag: PCP 3, VID 10; next 802.1Q */
    0x00, 0xc8, 0x08, 0x06, /* C-tag: VID 200; next ARP */
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x01, 0x01, 0x01,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x01, 0x01, 0x02,
};

/* Linux cooked v1: incoming unicast (0), ARPHRD_ETHER (1), address length 6,
 * address 00:0c:29:aa:bb:cc + 2 pad bytes, protocol ARP; then an ARP
 * request (6/4) 10.0.0.5 asking for 10.0.0.1. */
static const uint8_t sll_arp[] = {
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
    0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc, 0x00, 0x00,
    0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
    0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc, 0x0a, 0x00, 0x00, 0x05,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
};

/* Linux cooked v2: protocol IPv4, reserved 0, ifindex 2, ARPHRD_ETHER,
 * outgoing (4), address length 6, 00:0c:29:11:22:33 + 2 pad bytes; then
 * the IPv4/TCP packet of eth_ipv4_tcp. */
static const uint8_t sll2_ipv4[] = {
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x04, 0x06,
    0x00, 0x0c, 0x29, 0x11, 0x22, 0x33, 0x00, 0x00,
    0x45, 0x10, 0x00, 0x28, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0xb1, 0xe6,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* A minimal IPv4 packet (20-byte header, protocol 253 = experimental, so no
 * decoder follows), 10.0.0.1 -> 10.0.0.2, 4 payload bytes. */
#define IPV4_MIN_PKT                                                                      \
    0x45, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x40, 0xfd, 0x00, 0x00, 0x0a, 0x00,   \
            0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0xde, 0xad, 0xbe, 0xef

/* A minimal IPv6 packet, :: -> ::1, next header 59 (no next header), plen 4,
 * 4 payload bytes. */
#define IPV6_MIN_PKT                                                                      \
    0x60, 0x00, 0x00, 0x00, 0x00, 0x04, 0x3b, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   \
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xde, 0xad, 0xbe,  \
            0xef

/* clang-format on */

/* ---- link layer ------------------------------------------------------ */

static void test_arp_request_over_ethernet(void **state)
{
    (void)state;
    run(DLT_EN10MB, eth_arp, sizeof(eth_arp));
    assert_int_equal(bad_total(), 0);
    Netcap__ARP *a = need(NC_REC_ARP, 0);
    assert_int_equal(a->timestamp, DH_STATIC_TS);
    assert_int_equal(a->addr_type, 1);
    assert_int_equal(a->protocol, 0x0800);
    assert_int_equal(a->hw_address_size, 6);
    assert_int_equal(a->protocol_address_size, 4);
    assert_int_equal(a->operation, 1);
    assert_string_equal(a->src_hw_address, "00:11:22:33:44:55");
    assert_string_equal(a->src_protocol_address, "192.168.1.10");
    assert_string_equal(a->dst_hw_address, "00:00:00:00:00:00");
    assert_string_equal(a->dst_protocol_address, "192.168.1.1");
    assert_string_equal(fx.pkt.ctx.proto[NC_LAYER_LINK], "ARP");
}

static void test_arp_odd_address_sizes(void **state)
{
    (void)state;
    /* ARP with 8-byte hardware and 16-byte protocol addresses (IPv6
     * 2001:db8::a / ::b), then one with 3-byte hardware and 2-byte protocol
     * addresses (printed as hex), then one with empty addresses. */
    /* clang-format off */
    static const uint8_t big[] = {
        0x00, 0x06, 0x86, 0xdd, 0x08, 0x10, 0x00, 0x02,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
        0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
    };
    static const uint8_t small[] = {
        0x00, 0x07, 0x12, 0x34, 0x03, 0x02, 0x00, 0x09,
        0xaa, 0xbb, 0xcc, 0x0f, 0xe1,
        0x01, 0x02, 0x03, 0x00, 0x00,
    };
    /* clang-format on */
    static const uint8_t empty[] = { 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01 };
    uint8_t buf[128];

    /* SLL header (protocol ARP, no address) so the ARP starts the payload */
    static const uint8_t sll_hdr[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06 };
    memcpy(buf, sll_hdr, sizeof(sll_hdr));
    memcpy(buf + sizeof(sll_hdr), big, sizeof(big));
    run(DLT_SLL, buf, sizeof(sll_hdr) + sizeof(big));
    Netcap__ARP *a = need(NC_REC_ARP, 0);
    assert_int_equal(a->hw_address_size, 8);
    assert_int_equal(a->protocol_address_size, 16);
    assert_string_equal(a->src_hw_address, "01:02:03:04:05:06:07:08");
    assert_string_equal(a->src_protocol_address, "2001:db8::a");
    assert_string_equal(a->dst_hw_address, "a1:a2:a3:a4:a5:a6:a7:a8");
    assert_string_equal(a->dst_protocol_address, "2001:db8::b");

    memcpy(buf + sizeof(sll_hdr), small, sizeof(small));
    run(DLT_SLL, buf, sizeof(sll_hdr) + sizeof(small));
    a = need(NC_REC_ARP, 0);
    assert_int_equal(a->addr_type, 7);
    assert_int_equal(a->protocol, 0x1234);
    assert_int_equal(a->operation, 9);
    assert_string_equal(a->src_hw_address, "aa:bb:cc");
    assert_string_equal(a->src_protocol_address, "0fe1");
    assert_string_equal(a->dst_hw_address, "01:02:03");
    assert_string_equal(a->dst_protocol_address, "0000");

    memcpy(buf + sizeof(sll_hdr), empty, sizeof(empty));
    run(DLT_SLL, buf, sizeof(sll_hdr) + sizeof(empty));
    a = need(NC_REC_ARP, 0);
    assert_string_equal(a->src_hw_address, "");
    assert_string_equal(a->src_protocol_address, "");
    assert_int_equal(bad_total(), 0);
}

static void test_dot1q_single_tag(void **state)
{
    (void)state;
    run(DLT_EN10MB, eth_vlan_ipv4, sizeof(eth_vlan_ipv4));
    assert_int_equal(bad_total(), 0);
    Netcap__Dot1Q *q = need(NC_REC_Dot1Q, 0);
    assert_int_equal(q->timestamp, DH_STATIC_TS);
    assert_int_equal(q->priority, 5);
    assert_true(q->drop_eligible);
    assert_int_equal(q->vlan_id, 100);
    assert_int_equal(q->type, 0x0800);
    assert_int_equal(q->tpid, 0x8100);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_string_equal(ip->src_ip, "10.0.0.1");
    assert_int_equal(ip->payload_size, 20);
}

static void test_dot1q_qinq_chains(void **state)
{
    (void)state;
    run(DLT_EN10MB, eth_qinq_arp, sizeof(eth_qinq_arp));
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_Dot1Q), 2);
    Netcap__Dot1Q *outer = need(NC_REC_Dot1Q, 0);
    Netcap__Dot1Q *inner = need(NC_REC_Dot1Q, 1);
    assert_int_equal(outer->tpid, 0x88a8);
    assert_int_equal(outer->priority, 3);
    assert_false(outer->drop_eligible);
    assert_int_equal(outer->vlan_id, 10);
    assert_int_equal(outer->type, 0x8100);
    assert_int_equal(inner->tpid, 0x8100);
    assert_int_equal(inner->priority, 0);
    assert_int_equal(inner->vlan_id, 200);
    assert_int_equal(inner->type, 0x0806);
    Netcap__ARP *a = need(NC_REC_ARP, 0);
    assert_int_equal(a->operation, 2);
    assert_string_equal(a->src_protocol_address, "10.1.1.1");
    assert_int_equal(fx.stats.layers[NC_DEC_dot1q], 2);
}

static void test_dot1q_9100_and_length_type_stop(void **state)
{
    (void)state;
    /* Ethernet, legacy QinQ TPID 0x9100, VID 4095, then an 802.3 length
     * (0x0030) instead of an EtherType: LLC follows, then SNAP naming IPv4,
     * which the capture cut off (counted as truncated). */
    /* clang-format off */
    static const uint8_t f[] = {
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x91, 0x00,
        0x0f, 0xff, 0x00, 0x30, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00,
    };
    /* clang-format on */
    run(DLT_EN10MB, f, sizeof(f));
    Netcap__Dot1Q *q = need(NC_REC_Dot1Q, 0);
    assert_int_equal(q->tpid, 0x9100);
    assert_int_equal(q->vlan_id, 4095);
    assert_int_equal(q->type, 0x30);
    assert_int_equal(((Netcap__LLC *)need(NC_REC_LLC, 0))->dsap, 0xaa);
    assert_int_equal(((Netcap__SNAP *)need(NC_REC_SNAP, 0))->type, 0x0800);
    assert_int_equal(fx.stats.layers[NC_DEC_ipv4], 1);
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_ETRUNC], 1);
    assert_int_equal(bad_total(), 1);
}

static void test_sll_arp_fills_source_mac(void **state)
{
    (void)state;
    run(DLT_SLL, sll_arp, sizeof(sll_arp));
    assert_int_equal(bad_total(), 0);
    assert_true(fx.pkt.ctx.has_mac);
    static const uint8_t mac[6] = { 0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc };
    static const uint8_t zero[6] = { 0 };
    assert_memory_equal(fx.pkt.ctx.src_mac, mac, 6);
    assert_memory_equal(fx.pkt.ctx.dst_mac, zero, 6);
    Netcap__ARP *a = need(NC_REC_ARP, 0);
    assert_string_equal(a->src_hw_address, "00:0c:29:aa:bb:cc");
    assert_string_equal(a->src_protocol_address, "10.0.0.5");
    assert_int_equal(fx.stats.layers[NC_DEC_sll], 1);
}

static void test_sll_special_protocols(void **state)
{
    (void)state;
    /* protocol 0x0004 (ETH_P_802_2): LLC follows, not an EtherType; and a
     * netlink capture (ARPHRD_NETLINK 824) whose protocol 0x0800 is really
     * a netlink family. Neither dispatches. Address length 4 leaves the MAC. */
    static const uint8_t llc[] = { 0, 0, 0, 1, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0, 0x00, 0x04, 0x42, 0x42,
        0x03 };
    static const uint8_t netlink[] = { 0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,
        0x45, 0, 0, 20 };
    run(DLT_SLL, llc, sizeof(llc));
    assert_int_equal(bad_total(), 0);
    assert_false(fx.pkt.ctx.has_mac);
    assert_int_equal(fx.pkt.n_recs, 0);
    run(DLT_SLL, netlink, sizeof(netlink));
    assert_int_equal(bad_total(), 0);
    assert_int_equal(fx.stats.layers[NC_DEC_ipv4], 0);
}

static void test_sll2_ipv4(void **state)
{
    (void)state;
    run(DLT_SLL2, sll2_ipv4, sizeof(sll2_ipv4));
    assert_int_equal(fx.stats.bad[NC_DEC_sll2][NC_ETRUNC], 0);
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_ETRUNC], 0);
    static const uint8_t mac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    assert_true(fx.pkt.ctx.has_mac);
    assert_memory_equal(fx.pkt.ctx.src_mac, mac, 6);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_string_equal(ip->dst_ip, "10.0.0.2");
    assert_int_equal(ip->protocol, 6);
    assert_int_equal(fx.stats.layers[NC_DEC_tcp], 1);
    assert_string_equal(fx.pkt.ctx.proto[NC_LAYER_LINK], "LinuxSLL2");
}

static void test_null_both_byte_orders_and_loop(void **state)
{
    (void)state;
    struct {
        uint32_t dlt;
        uint8_t af[4];
        bool v6;
        bool decodes;
    } cases[] = {
        { DLT_NULL0, { 2, 0, 0, 0 }, false, true },  /* AF_INET, little-endian host */
        { DLT_NULL0, { 0, 0, 0, 2 }, false, true },  /* AF_INET, big-endian host */
        { DLT_NULL0, { 24, 0, 0, 0 }, true, true },  /* AF_INET6 NetBSD/OpenBSD, LE */
        { DLT_NULL0, { 0, 0, 0, 28 }, true, true },  /* AF_INET6 FreeBSD, BE */
        { DLT_NULL0, { 30, 0, 0, 0 }, true, true },  /* AF_INET6 Darwin, LE */
        { DLT_NULL0, { 10, 0, 0, 0 }, true, true },  /* AF_INET6 Linux, LE */
        { DLT_NULL0, { 7, 0, 0, 0 }, false, false }, /* AF_IMPLINK: not followed */
        { DLT_LOOP, { 0, 0, 0, 2 }, false, true },   /* LOOP: big-endian AF_INET */
        { DLT_LOOP, { 0, 0, 0, 24 }, true, true },   /* LOOP: big-endian AF_INET6 */
        { DLT_LOOP, { 2, 0, 0, 0 }, false, false },  /* LOOP is never little-endian */
    };
    static const uint8_t v4[] = { IPV4_MIN_PKT };
    static const uint8_t v6[] = { IPV6_MIN_PKT };
    for (size_t i = 0; i < NC_ARRAY_LEN(cases); i++) {
        uint8_t buf[4 + sizeof(v6)];
        const uint8_t *ip = cases[i].v6 ? v6 : v4;
        size_t ip_len = cases[i].v6 ? sizeof(v6) : sizeof(v4);
        memcpy(buf, cases[i].af, 4);
        memcpy(buf + 4, ip, ip_len);
        run(cases[i].dlt, buf, 4 + ip_len);
        assert_int_equal(bad_total(), 0);
        assert_int_equal(fx.stats.layers[NC_DEC_null], 1);
        size_t n4 = count_recs(NC_REC_IPv4), n6 = count_recs(NC_REC_IPv6);
        if (!cases[i].decodes) {
            assert_int_equal(n4 + n6, 0);
        } else if (cases[i].v6) {
            assert_int_equal(n6, 1);
            Netcap__IPv6 *r6 = need(NC_REC_IPv6, 0);
            assert_string_equal(r6->dst_ip, "::1");
        } else {
            assert_int_equal(n4, 1);
            Netcap__IPv4 *r4 = need(NC_REC_IPv4, 0);
            assert_string_equal(r4->src_ip, "10.0.0.1");
            assert_int_equal(r4->payload_size, 4);
        }
    }
}

static void test_rawip_dispatches_by_version(void **state)
{
    (void)state;
    static const uint8_t v4[] = { IPV4_MIN_PKT };
    static const uint8_t v6[] = { IPV6_MIN_PKT };
    static const uint32_t dlts[] = { DLT_RAW_OPENBSD, DLT_RAW_BSD, DLT_RAW };
    for (size_t i = 0; i < NC_ARRAY_LEN(dlts); i++) {
        run(dlts[i], v4, sizeof(v4));
        assert_int_equal(bad_total(), 0);
        assert_int_equal(count_recs(NC_REC_IPv4), 1);
        run(dlts[i], v6, sizeof(v6));
        assert_int_equal(bad_total(), 0);
        assert_int_equal(count_recs(NC_REC_IPv6), 1);
        Netcap__IPv6 *r6 = need(NC_REC_IPv6, 0);
        assert_int_equal(r6->payload_size, 4);
        assert_int_equal(r6->next_header, 59);
    }
    /* the one-version link types go straight to their IP decoder, which
     * refuses the other version */
    run(DLT_IPV4, v4, sizeof(v4));
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_IPv4), 1);
    run(DLT_IPV6, v6, sizeof(v6));
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_IPv6), 1);
    run(DLT_IPV4, v6, sizeof(v6));
    assert_int_equal(bad_total(), 1);
    assert_int_equal(count_recs(NC_REC_IPv6), 0);
    /* version 5 is neither */
    static const uint8_t v5[] = { 0x50, 0, 0, 20 };
    run(DLT_RAW, v5, sizeof(v5));
    assert_int_equal(fx.stats.bad[NC_DEC_rawip][NC_EMALFORMED], 1);
    assert_int_equal(fx.pkt.n_recs, 0);
    /* empty frame */
    run(DLT_RAW, v5, 0);
    assert_int_equal(fx.stats.bad[NC_DEC_rawip][NC_ETRUNC], 1);
}

/* ---- IPv4 ------------------------------------------------------------ */

static void test_ipv4_fields_and_padding_trimmed(void **state)
{
    (void)state;
    run(DLT_EN10MB, eth_ipv4_tcp, sizeof(eth_ipv4_tcp));
    assert_int_equal(
            fx.stats.bad[NC_DEC_ipv4][NC_ETRUNC] + fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 0);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->timestamp, DH_STATIC_TS);
    assert_int_equal(ip->version, 4);
    assert_int_equal(ip->ihl, 5);
    assert_int_equal(ip->tos, 0x10);
    assert_int_equal(ip->length, 40);
    assert_int_equal(ip->id, 0x1c46);
    assert_int_equal(ip->flags, 2); /* DF */
    assert_int_equal(ip->fragment_offset, 0);
    assert_int_equal(ip->ttl, 64);
    assert_int_equal(ip->protocol, 6);
    assert_int_equal(ip->checksum, 0xb1e6);
    assert_string_equal(ip->src_ip, "10.0.0.1");
    assert_string_equal(ip->dst_ip, "10.0.0.2");
    assert_int_equal(ip->n_options, 0);
    assert_int_equal(ip->padding.len, 0);
    assert_int_equal(ip->payload_size, 20);  /* the 6 padding bytes are not payload */
    assert_true(ip->payload_entropy == 0.0); /* not asked for */
    assert_int_equal(fx.pkt.ctx.ip_ver, 4);
    assert_int_equal(fx.pkt.ctx.ip_proto, 6);
    static const uint8_t src[4] = { 10, 0, 0, 1 };
    assert_memory_equal(fx.pkt.ctx.src_ip, src, 4);
    assert_string_equal(fx.pkt.ctx.proto[NC_LAYER_NETWORK], "IPv4");
    assert_int_equal(fx.stats.layers[NC_DEC_tcp], 1);
}

static void test_ipv4_entropy_when_asked(void **state)
{
    (void)state;
    fx.opts.entropy = true;
    /* IPV4_MIN_PKT payload de ad be ef: four distinct bytes = 2 bits/byte */
    static const uint8_t v4[] = { IPV4_MIN_PKT };
    run(DLT_RAW, v4, sizeof(v4));
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_true(ip->payload_entropy > 1.999 && ip->payload_entropy < 2.001);
}

static void test_ipv4_options_and_padding(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv4_opts, sizeof(raw_ipv4_opts));
    assert_int_equal(
            fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED] + fx.stats.bad[NC_DEC_ipv4][NC_ETRUNC], 0);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->ihl, 8);
    assert_int_equal(ip->n_options, 3);
    assert_int_equal(ip->options[0]->option_type, 1);
    assert_int_equal(ip->options[0]->option_length, 1);
    assert_int_equal(ip->options[0]->option_data.len, 0);
    assert_int_equal(ip->options[1]->option_type, 7);
    assert_int_equal(ip->options[1]->option_length, 7);
    static const uint8_t rr[] = { 0x04, 0, 0, 0, 0 };
    dh_assert_bytes(ip->options[1]->option_data, rr, sizeof(rr));
    assert_int_equal(ip->options[2]->option_type, 0);
    assert_int_equal(ip->options[2]->option_length, 1);
    static const uint8_t pad[] = { 0xaa, 0xbb, 0xcc };
    dh_assert_bytes(ip->padding, pad, sizeof(pad));
    assert_int_equal(ip->payload_size, 8);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);
}

static void test_ipv4_bad_option_length_is_malformed(void **state)
{
    (void)state;
    /* IHL 6: NOP, then an option of type 0x44 (timestamp) with length 1
     * (< 2: impossible). The record keeps the NOP; no transport follows. */
    /* clang-format off */
    static const uint8_t f[] = {
        0x46, 0x00, 0x00, 0x18, 0, 0, 0, 0, 0x40, 0x11, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x01, 0x44, 0x01, 0x00,
    };
    /* clang-format on */
    run(DLT_RAW, f, sizeof(f));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 1);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->n_options, 1);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);

    /* option length 6 with only 3 bytes left in the header */
    /* clang-format off */
    static const uint8_t g[] = {
        0x46, 0x00, 0x00, 0x18, 0, 0, 0, 0, 0x40, 0x11, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x01, 0x83, 0x06, 0x00,
    };
    /* clang-format on */
    run(DLT_RAW, g, sizeof(g));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 1);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);
}

static void test_ipv4_bad_ihl_version_and_length(void **state)
{
    (void)state;
    /* IHL 4 */
    static const uint8_t ihl4[] = { 0x44, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0,
        2, 0, 0, 0, 0 };
    run(DLT_RAW, ihl4, sizeof(ihl4));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 1);
    assert_int_equal(count_recs(NC_REC_IPv4), 0);
    /* version 6 nibble under an IPv4 EtherType (Ethernet 0x0800) */
    uint8_t eth[60];
    memcpy(eth, eth_ipv4_tcp, sizeof(eth));
    eth[14] = 0x65;
    run(DLT_EN10MB, eth, sizeof(eth));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 1);
    /* total length 19 < 20-byte header */
    static const uint8_t short_total[] = { 0x45, 0, 0, 19, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1,
        10, 0, 0, 2 };
    run(DLT_RAW, short_total, sizeof(short_total));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 1);
    /* IHL 15 (60 bytes) but total length 40 */
    uint8_t ihl15[60] = { 0x4f, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
    run(DLT_RAW, ihl15, sizeof(ihl15));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_EMALFORMED], 1);
}

static void test_ipv4_snaplen_shorter_than_total(void **state)
{
    (void)state;
    /* the eth_ipv4_tcp frame cut after 10 of the 20 TCP bytes (snaplen 44):
     * IPv4 still decodes, payload is what was captured */
    run(DLT_EN10MB, eth_ipv4_tcp, 44);
    assert_int_equal(fx.stats.bad[NC_DEC_ipv4][NC_ETRUNC], 0);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->length, 40);
    assert_int_equal(ip->payload_size, 10);
    assert_int_equal(fx.stats.layers[NC_DEC_tcp], 1);
}

static void test_ipv4_total_length_zero_tso(void **state)
{
    (void)state;
    /* total length 0 (segmentation offload on the capturing host): the
     * captured 24 bytes are taken as the packet */
    static const uint8_t f[] = { 0x45, 0x00, 0x00, 0x00, 0, 0, 0x40, 0, 0x40, 0xfd, 0, 0, 10, 0, 0,
        1, 10, 0, 0, 2, 1, 2, 3, 4 };
    run(DLT_RAW, f, sizeof(f));
    assert_int_equal(bad_total(), 0);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->length, 24);
    assert_int_equal(ip->payload_size, 4);
}

static void test_ipv4_later_fragment_does_not_dispatch(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv4_frag_later, sizeof(raw_ipv4_frag_later));
    assert_int_equal(bad_total(), 0);
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->flags, 0);
    assert_int_equal(ip->fragment_offset, 185);
    assert_int_equal(ip->id, 0xbeef);
    assert_int_equal(ip->payload_size, 8);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);
    assert_int_equal(fx.pkt.ctx.ip_proto, 17);
    assert_false(fx.pkt.ctx.has_ports);
}

/* A first fragment is held for reassembly (by the shard), not decoded
 * further: its payload and place in the datagram are in the context. */
static void test_ipv4_first_fragment_held(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv4_frag_first, sizeof(raw_ipv4_frag_first));
    Netcap__IPv4 *ip = need(NC_REC_IPv4, 0);
    assert_int_equal(ip->flags, 1); /* MF */
    assert_int_equal(ip->fragment_offset, 0);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);
    assert_true(fx.pkt.ctx.is_fragment);
    assert_true(fx.pkt.ctx.frag_first);
    assert_true(fx.pkt.ctx.frag_more);
    assert_int_equal(fx.pkt.ctx.frag_offset, 0);
    assert_int_equal(fx.pkt.ctx.frag_len, (uint32_t)ip->payload_size);
    assert_non_null(fx.pkt.ctx.frag_data);
    assert_false(fx.pkt.ctx.frag_cut);
}

/* ---- IPv6 ------------------------------------------------------------ */

static void test_ipv6_fields_and_padding_trimmed(void **state)
{
    (void)state;
    run(DLT_EN10MB, eth_ipv6_udp, sizeof(eth_ipv6_udp));
    assert_int_equal(
            fx.stats.bad[NC_DEC_ipv6][NC_ETRUNC] + fx.stats.bad[NC_DEC_ipv6][NC_EMALFORMED], 0);
    Netcap__IPv6 *ip = need(NC_REC_IPv6, 0);
    assert_int_equal(ip->timestamp, DH_STATIC_TS);
    assert_int_equal(ip->version, 6);
    assert_int_equal(ip->traffic_class, 0xb8);
    assert_int_equal(ip->flow_label, 0x12345);
    assert_int_equal(ip->length, 8);
    assert_int_equal(ip->next_header, 17);
    assert_int_equal(ip->hop_limit, 64);
    assert_string_equal(ip->src_ip, "2001:db8::1");
    assert_string_equal(ip->dst_ip, "2001:db8::2");
    assert_int_equal(ip->payload_size, 8); /* padding excluded */
    assert_null(ip->hop_by_hop);
    assert_int_equal(fx.pkt.ctx.ip_ver, 6);
    assert_int_equal(fx.pkt.ctx.ip_proto, 17);
    assert_string_equal(fx.pkt.ctx.proto[NC_LAYER_NETWORK], "IPv6");
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);
}

static void test_ipv6_bad_version(void **state)
{
    (void)state;
    uint8_t f[sizeof(eth_ipv6_udp)];
    memcpy(f, eth_ipv6_udp, sizeof(f));
    f[14] = 0x4b; /* version 4 under EtherType 0x86dd */
    run(DLT_EN10MB, f, sizeof(f));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6][NC_EMALFORMED], 1);
    assert_int_equal(count_recs(NC_REC_IPv6), 0);
}

static void test_ipv6_snaplen_shorter_than_payload(void **state)
{
    (void)state;
    /* cut 4 bytes into the UDP header */
    run(DLT_EN10MB, eth_ipv6_udp, 14 + 40 + 4);
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6][NC_ETRUNC], 0);
    Netcap__IPv6 *ip = need(NC_REC_IPv6, 0);
    assert_int_equal(ip->length, 8);
    assert_int_equal(ip->payload_size, 4);
}

static void test_ipv6_hop_by_hop_options(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv6_hbh, sizeof(raw_ipv6_hbh));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6hop][NC_EMALFORMED], 0);
    Netcap__IPv6HopByHop *h = need(NC_REC_IPv6HopByHop, 0);
    assert_int_equal(h->timestamp, DH_STATIC_TS);
    assert_string_equal(h->src_ip, "fe80::1");
    assert_string_equal(h->dst_ip, "ff02::16");
    assert_int_equal(h->next_header, 58);
    assert_int_equal(h->n_options, 2);
    assert_int_equal(h->options[0]->option_type, 5);
    assert_int_equal(h->options[0]->option_length, 2);
    assert_int_equal(h->options[0]->actual_length, 4);
    static const uint8_t ra[] = { 0, 0 };
    dh_assert_bytes(h->options[0]->option_data, ra, sizeof(ra));
    assert_non_null(h->options[0]->option_alignment);
    assert_int_equal(h->options[0]->option_alignment->one, 0);
    assert_int_equal(h->options[0]->option_alignment->two, 0);
    assert_int_equal(h->options[1]->option_type, 1);
    assert_int_equal(h->options[1]->option_length, 0);
    assert_int_equal(h->options[1]->actual_length, 2);
    assert_int_equal(h->options[1]->option_data.len, 0);
    /* the IPv6 record carries the same message */
    Netcap__IPv6 *ip = need(NC_REC_IPv6, 0);
    assert_int_equal(ip->next_header, 0);
    assert_int_equal(ip->payload_size, 36);
    assert_non_null(ip->hop_by_hop);
    assert_ptr_not_equal(ip->hop_by_hop, h);
    assert_int_equal(ip->hop_by_hop->n_options, 2);
    assert_int_equal(ip->hop_by_hop->next_header, 58);
    assert_int_equal(ip->hop_by_hop->options[0]->option_type, 5);
    assert_int_equal(fx.pkt.ctx.ip_proto, 58);
    assert_int_equal(fx.stats.layers[NC_DEC_ipv6hop], 1);
}

static void test_ipv6_hop_by_hop_pad1_and_jumbo(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv6_jumbo, sizeof(raw_ipv6_jumbo));
    assert_int_equal(
            fx.stats.bad[NC_DEC_ipv6][NC_ETRUNC] + fx.stats.bad[NC_DEC_ipv6hop][NC_ETRUNC], 0);
    Netcap__IPv6 *ip = need(NC_REC_IPv6, 0);
    assert_int_equal(ip->length, 0);
    assert_int_equal(ip->payload_size, 24); /* everything captured after the header */
    Netcap__IPv6HopByHop *h = need(NC_REC_IPv6HopByHop, 0);
    assert_int_equal(h->n_options, 1);
    assert_int_equal(h->options[0]->option_type, 0xc2);
    assert_int_equal(h->options[0]->option_length, 4);
    assert_int_equal(h->options[0]->actual_length, 6);
    static const uint8_t jl[] = { 0x00, 0x01, 0x00, 0x10 };
    dh_assert_bytes(h->options[0]->option_data, jl, sizeof(jl));
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);

    /* hop-by-hop of Pad1 x6: six one-byte options, actual_length 1 */
    uint8_t f[sizeof(raw_ipv6_jumbo)];
    memcpy(f, raw_ipv6_jumbo, sizeof(f));
    memset(f + 42, 0, 6);
    run(DLT_RAW, f, sizeof(f));
    h = need(NC_REC_IPv6HopByHop, 0);
    assert_int_equal(h->n_options, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(h->options[i]->option_type, 0);
        assert_int_equal(h->options[i]->option_length, 0);
        assert_int_equal(h->options[i]->actual_length, 1);
    }
}

static void test_ipv6_hop_by_hop_overrun_is_malformed(void **state)
{
    (void)state;
    /* router alert claims 5 data bytes; only 4 are left in the 8-byte header */
    uint8_t f[sizeof(raw_ipv6_hbh)];
    memcpy(f, raw_ipv6_hbh, sizeof(f));
    f[43] = 0x05;
    run(DLT_RAW, f, sizeof(f));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6hop][NC_EMALFORMED], 1);
    Netcap__IPv6HopByHop *h = need(NC_REC_IPv6HopByHop, 0);
    assert_int_equal(h->n_options, 0);
    assert_int_equal(fx.stats.layers[NC_DEC_icmp6], 0);
}

static void test_ipv6_hop_by_hop_record_choices(void **state)
{
    (void)state;
    /* only IPv6 wanted: the nested copy is still built */
    dh_want_all(&fx.opts, false);
    fx.opts.want[NC_REC_IPv6] = true;
    run(DLT_RAW, raw_ipv6_hbh, sizeof(raw_ipv6_hbh));
    assert_int_equal(fx.pkt.n_recs, 1);
    Netcap__IPv6 *ip = need(NC_REC_IPv6, 0);
    assert_non_null(ip->hop_by_hop);
    assert_int_equal(ip->hop_by_hop->n_options, 2);
    assert_int_equal(ip->hop_by_hop->next_header, 58);
    assert_int_equal(ip->hop_by_hop->timestamp, DH_STATIC_TS);
    assert_string_equal(ip->hop_by_hop->src_ip, "fe80::1");

    /* only the hop-by-hop record wanted */
    dh_want_all(&fx.opts, false);
    fx.opts.want[NC_REC_IPv6HopByHop] = true;
    run(DLT_RAW, raw_ipv6_hbh, sizeof(raw_ipv6_hbh));
    assert_int_equal(fx.pkt.n_recs, 1);
    Netcap__IPv6HopByHop *h = need(NC_REC_IPv6HopByHop, 0);
    assert_int_equal(h->n_options, 2);
    assert_string_equal(h->dst_ip, "ff02::16");
}

static void test_ipv6_fragment_first_held(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv6_frag_first, sizeof(raw_ipv6_frag_first));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6frag][NC_ETRUNC], 0);
    Netcap__IPv6Fragment *fr = need(NC_REC_IPv6Fragment, 0);
    assert_int_equal(fr->timestamp, DH_STATIC_TS);
    assert_string_equal(fr->src_ip, "2001:db8::1");
    assert_int_equal(fr->next_header, 17);
    assert_int_equal(fr->reserved1, 0x5a);
    assert_int_equal(fr->fragment_offset, 0);
    assert_int_equal(fr->reserved2, 3);
    assert_true(fr->more_fragments);
    assert_int_equal(fr->id, 0xdeadbeef);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0); /* decoded once reassembled */
    assert_true(fx.pkt.ctx.is_fragment && fx.pkt.ctx.frag_more);
    assert_int_equal(fx.pkt.ctx.frag_id, 0xdeadbeef);
    assert_non_null(fx.pkt.ctx.frag_data);
}

static void test_ipv6_fragment_later_does_not_dispatch(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv6_frag_later, sizeof(raw_ipv6_frag_later));
    assert_int_equal(bad_total(), 0);
    Netcap__IPv6Fragment *fr = need(NC_REC_IPv6Fragment, 0);
    assert_int_equal(fr->fragment_offset, 181);
    assert_int_equal(fr->reserved2, 0);
    assert_false(fr->more_fragments);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);
    assert_int_equal(fx.pkt.ctx.ip_proto, 17);
    assert_false(fx.pkt.ctx.has_ports);
}

static void test_ipv6_routing_and_dstopts_are_skipped(void **state)
{
    (void)state;
    run(DLT_RAW, raw_ipv6_ext, sizeof(raw_ipv6_ext));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6ext][NC_ETRUNC], 0);
    assert_int_equal(fx.stats.layers[NC_DEC_ipv6ext], 2);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);
    assert_int_equal(fx.pkt.ctx.ip_proto, 17);
    Netcap__IPv6 *ip = need(NC_REC_IPv6, 0);
    assert_int_equal(ip->next_header, 43);
    assert_int_equal(ip->payload_size, 40);
    /* destination options header claims 4 units (40 bytes); 32 are left */
    uint8_t f[sizeof(raw_ipv6_ext)];
    memcpy(f, raw_ipv6_ext, sizeof(f));
    f[49] = 4;
    run(DLT_RAW, f, sizeof(f));
    assert_int_equal(fx.stats.bad[NC_DEC_ipv6ext][NC_ETRUNC], 1);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);
}

/* ---- not wanted, still decoded --------------------------------------- */

/* ---- encapsulation ---------------------------------------------------- */

/* IPv4 in IPv4 (protocol 4) carrying UDP 4000 -> 4001: the inner header
 * enters a tunnel by itself. Each IPv4 record keeps its own layer's ports,
 * inner records carry the tunnel depth and the carrier's Community ID, and
 * the flow zone separates the inner flow from the same addresses outside. */
static void test_ip_in_ip_is_a_tunnel(void **state)
{
    (void)state;
    /* clang-format off */
    static const uint8_t p[] = {
        0x45, 0, 0, 52, 0, 1, 0, 0, 64, 4, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x45, 0, 0, 32, 0, 2, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2,
        0x0f, 0xa0, 0x0f, 0xa1, 0, 12, 0, 0, 0xde, 0xad, 0xbe, 0xef,
    };
    /* clang-format on */
    run(DLT_IPV4, p, sizeof(p));
    assert_int_equal(bad_total(), 0);
    assert_int_equal(count_recs(NC_REC_IPv4), 2);
    Netcap__IPv4 *outer = need(NC_REC_IPv4, 0), *inner = need(NC_REC_IPv4, 1);
    assert_string_equal(outer->src_ip, "10.0.0.1");
    assert_int_equal(outer->protocol, 4);
    assert_int_equal(outer->src_port, 0); /* not the inner UDP ports */
    assert_int_equal(outer->dst_port, 0);
    assert_int_equal(outer->tunnel_depth, 0);
    assert_string_equal(outer->tunnel_parent, "");
    assert_string_equal(inner->src_ip, "192.0.2.1");
    assert_int_equal(inner->src_port, 4000);
    assert_int_equal(inner->dst_port, 4001);
    assert_int_equal(inner->tunnel_depth, 1);
    char cid[NC_COMMUNITY_ID_LEN];
    static const uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 };
    nc_community_id(cid, sizeof(cid), 4, 4, a, b, 0, 0, false);
    assert_string_equal(inner->tunnel_parent, cid);
    Netcap__UDP *u = need(NC_REC_UDP, 0);
    assert_int_equal(u->tunnel_depth, 1);
    assert_string_equal(u->tunnel_parent, cid);
    assert_string_equal(u->src_ip, "192.0.2.1");
    uint64_t zone = fx.pkt.ctx.zone;
    assert_true(zone != 0);
    /* the carrier flow (10.0.0.1 -> 10.0.0.2, protocol 4) gets its own
     * Connection, outside the tunnel's zone */
    struct nc_flow_pkt cf;
    assert_true(nc_flow_pkt_from_carrier(&cf, &fx.pkt));
    assert_int_equal(cf.proto, 4);
    assert_int_equal(cf.ver, 4);
    assert_memory_equal(cf.src_ip, a, 4);
    assert_int_equal(cf.zone, 0);
    assert_false(cf.has_ports);
    assert_int_equal(cf.payload, 32);
    /* the inner packet alone: same addresses and ports, no zone */
    run(DLT_IPV4, p + 20, sizeof(p) - 20);
    assert_int_equal(fx.pkt.ctx.zone, 0);
    assert_int_equal(fx.pkt.ctx.tunnel_depth, 0);
    assert_false(nc_flow_pkt_from_carrier(&cf, &fx.pkt));
    assert_int_equal(((Netcap__UDP *)need(NC_REC_UDP, 0))->tunnel_depth, 0);
}

/* Ids nobody claims are counted per namespace (EtherType, IP protocol),
 * undecoded ports are not. */
static void test_unknown_ids_are_counted(void **state)
{
    (void)state;
    /* clang-format off */
    static const uint8_t eth[] = {
        2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5, 1, 2, 3, 4,
    };
    /* clang-format on */
    run(DLT_EN10MB, eth, sizeof(eth));
    assert_int_equal(fx.stats.unknown[NC_NS_ETHERTYPE][0], 1);
    assert_int_equal(fx.stats.unknown_id[NC_NS_ETHERTYPE][0], 0x88b5);
    static const uint8_t v4[] = { IPV4_MIN_PKT };
    run(DLT_IPV4, v4, sizeof(v4));
    assert_int_equal(fx.stats.unknown[NC_NS_IPPROTO][0], 1);
    assert_int_equal(fx.stats.unknown_id[NC_NS_IPPROTO][0], 253);
    assert_int_equal(fx.stats.unknown[NC_NS_ETHERTYPE][0], 0);
    assert_null(nc_ns_unknown_label(NC_NS_UDP_PORT));
    assert_string_equal(nc_ns_unknown_label(NC_NS_ETHERTYPE), "EtherType");
}

static void test_unwanted_records_still_decode(void **state)
{
    (void)state;
    dh_want_all(&fx.opts, false);
    run(DLT_EN10MB, eth_vlan_ipv4, sizeof(eth_vlan_ipv4));
    assert_int_equal(fx.pkt.n_recs, 0);
    assert_int_equal(fx.pkt.ctx.ip_ver, 4);
    assert_string_equal(fx.pkt.ctx.src_ip_str, "10.0.0.1");
    assert_int_equal(fx.stats.layers[NC_DEC_tcp], 1);
    run(DLT_RAW, raw_ipv4_opts, sizeof(raw_ipv4_opts));
    assert_int_equal(fx.pkt.n_recs, 0);
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);
    run(DLT_RAW, raw_ipv6_ext, sizeof(raw_ipv6_ext));
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);
    run(DLT_RAW, raw_ipv6_jumbo, sizeof(raw_ipv6_jumbo));
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 1);
    run(DLT_RAW, raw_ipv6_frag_first, sizeof(raw_ipv6_frag_first));
    assert_int_equal(fx.stats.layers[NC_DEC_udp], 0);
    run(DLT_SLL, sll_arp, sizeof(sll_arp));
    assert_true(fx.pkt.ctx.has_mac);
    assert_int_equal(fx.stats.layers[NC_DEC_arp], 1);
    assert_int_equal(fx.pkt.n_recs, 0);
}

/* ---- truncation at every length -------------------------------------- */

struct trunc_case {
    const char *name;
    uint32_t dlt;
    const uint8_t *data;
    size_t len;
    /* header spans [start, end) of one decoder: every cut inside is ETRUNC there */
    enum nc_decoder_id dec;
    size_t start, end;
};

static void test_truncated_headers_at_every_length(void **state)
{
    (void)state;
    static const uint8_t v4[] = { IPV4_MIN_PKT };
    uint8_t null_v4[4 + sizeof(v4)] = { 2, 0, 0, 0 };
    memcpy(null_v4 + 4, v4, sizeof(v4));
    const struct trunc_case cases[] = {
        { "sll", DLT_SLL, sll_arp, sizeof(sll_arp), NC_DEC_sll, 0, 16 },
        { "arp/sll", DLT_SLL, sll_arp, sizeof(sll_arp), NC_DEC_arp, 16, 44 },
        { "sll2", DLT_SLL2, sll2_ipv4, sizeof(sll2_ipv4), NC_DEC_sll2, 0, 20 },
        { "null", DLT_NULL0, null_v4, sizeof(null_v4), NC_DEC_null, 0, 4 },
        { "arp/eth", DLT_EN10MB, eth_arp, sizeof(eth_arp), NC_DEC_arp, 14, 42 },
        { "dot1q", DLT_EN10MB, eth_vlan_ipv4, sizeof(eth_vlan_ipv4), NC_DEC_dot1q, 14, 18 },
        { "dot1q inner", DLT_EN10MB, eth_qinq_arp, sizeof(eth_qinq_arp), NC_DEC_dot1q, 18, 22 },
        { "ipv4/vlan", DLT_EN10MB, eth_vlan_ipv4, sizeof(eth_vlan_ipv4), NC_DEC_ipv4, 18, 38 },
        { "ipv4 options", DLT_RAW, raw_ipv4_opts, sizeof(raw_ipv4_opts), NC_DEC_ipv4, 1, 32 },
        { "ipv6", DLT_EN10MB, eth_ipv6_udp, sizeof(eth_ipv6_udp), NC_DEC_ipv6, 14, 54 },
        { "ipv6hop", DLT_RAW, raw_ipv6_hbh, sizeof(raw_ipv6_hbh), NC_DEC_ipv6hop, 40, 48 },
        { "ipv6frag", DLT_RAW, raw_ipv6_frag_first, sizeof(raw_ipv6_frag_first), NC_DEC_ipv6frag,
                40, 48 },
        { "ipv6ext rt", DLT_RAW, raw_ipv6_ext, sizeof(raw_ipv6_ext), NC_DEC_ipv6ext, 40, 48 },
    };
    for (size_t c = 0; c < NC_ARRAY_LEN(cases); c++) {
        const struct trunc_case *tc = &cases[c];
        for (size_t cut = 0; cut < tc->len; cut++) {
            run(tc->dlt, tc->data, cut);
            if (cut >= tc->start && cut < tc->end) {
                if (fx.stats.bad[tc->dec][NC_ETRUNC] != 1) {
                    fail_msg("%s cut at %zu: ETRUNC not counted", tc->name, cut);
                }
            }
        }
    }
    /* and every decoder survives every prefix of every frame under every
     * link type (garbage in: no crash, no over-read under ASan) */
    const struct {
        const uint8_t *p;
        size_t n;
    } frames[] = {
        { eth_arp, sizeof(eth_arp) },
        { eth_ipv4_tcp, sizeof(eth_ipv4_tcp) },
        { raw_ipv4_opts, sizeof(raw_ipv4_opts) },
        { eth_ipv6_udp, sizeof(eth_ipv6_udp) },
        { raw_ipv6_hbh, sizeof(raw_ipv6_hbh) },
        { raw_ipv6_jumbo, sizeof(raw_ipv6_jumbo) },
        { raw_ipv6_frag_first, sizeof(raw_ipv6_frag_first) },
        { raw_ipv6_ext, sizeof(raw_ipv6_ext) },
        { eth_vlan_ipv4, sizeof(eth_vlan_ipv4) },
        { eth_qinq_arp, sizeof(eth_qinq_arp) },
        { sll_arp, sizeof(sll_arp) },
        { sll2_ipv4, sizeof(sll2_ipv4) },
    };
    static const uint32_t dlts[] = { DLT_NULL0, DLT_EN10MB, DLT_RAW, DLT_LOOP, DLT_SLL, DLT_SLL2 };
    for (size_t f = 0; f < NC_ARRAY_LEN(frames); f++) {
        for (size_t d = 0; d < NC_ARRAY_LEN(dlts); d++) {
            for (size_t cut = 0; cut <= frames[f].n; cut++) {
                run(dlts[d], frames[f].p, cut);
                assert_true(fx.stats.packets == 1);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_arp_request_over_ethernet, dh_test_setup_static),
        cmocka_unit_test_setup(test_arp_odd_address_sizes, dh_test_setup_static),
        cmocka_unit_test_setup(test_dot1q_single_tag, dh_test_setup_static),
        cmocka_unit_test_setup(test_dot1q_qinq_chains, dh_test_setup_static),
        cmocka_unit_test_setup(test_dot1q_9100_and_length_type_stop, dh_test_setup_static),
        cmocka_unit_test_setup(test_sll_arp_fills_source_mac, dh_test_setup_static),
        cmocka_unit_test_setup(test_sll_special_protocols, dh_test_setup_static),
        cmocka_unit_test_setup(test_sll2_ipv4, dh_test_setup_static),
        cmocka_unit_test_setup(test_null_both_byte_orders_and_loop, dh_test_setup_static),
        cmocka_unit_test_setup(test_rawip_dispatches_by_version, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_fields_and_padding_trimmed, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_entropy_when_asked, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_options_and_padding, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_bad_option_length_is_malformed, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_bad_ihl_version_and_length, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_snaplen_shorter_than_total, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_total_length_zero_tso, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_later_fragment_does_not_dispatch, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv4_first_fragment_held, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_fields_and_padding_trimmed, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_bad_version, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_snaplen_shorter_than_payload, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_hop_by_hop_options, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_hop_by_hop_pad1_and_jumbo, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_hop_by_hop_overrun_is_malformed, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_hop_by_hop_record_choices, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_fragment_first_held, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_fragment_later_does_not_dispatch, dh_test_setup_static),
        cmocka_unit_test_setup(test_ipv6_routing_and_dstopts_are_skipped, dh_test_setup_static),
        cmocka_unit_test_setup(test_unwanted_records_still_decode, dh_test_setup_static),
        cmocka_unit_test_setup(test_ip_in_ip_is_a_tunnel, dh_test_setup_static),
        cmocka_unit_test_setup(test_unknown_ids_are_counted, dh_test_setup_static),
        cmocka_unit_test_setup(test_truncated_headers_at_every_length, dh_test_setup_static),
    };
    return cmocka_run_group_tests(tests, dh_group_setup_static, dh_group_teardown_static);
}
