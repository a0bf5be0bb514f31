/*
 * summary: Address Resolution Protocol packet -> ARP records.
 * spec:    RFC 826; RFC 5227 (probes); hardware and protocol types from IANA.
 *
 *   +-------------+-------------+---------+---------+-------------+
 *   | hw type (2) | proto (2)   | hlen(1) | plen(1) | opcode (2)  |
 *   +-------------+-------------+---------+---------+-------------+
 *   | sender hw (hlen) | sender proto (plen) | target hw (hlen) | target proto (plen)
 *   +---------------------------------------------------------------------------
 *
 * The sizes are taken as declared (Ethernet/IPv4 is 6/4, but InfiniBand uses
 * 20-byte hardware addresses and ARP over IPv6-sized protocol addresses
 * exists); each is a byte, so an address can never exceed 255 bytes.
 * Anything after the target protocol address is link padding and ignored.
 */
#include "decode/decoder.h"

enum {
    ARP_IP4_LEN = 4,
    ARP_IP6_LEN = 16,
};

/* Protocol address as text: dotted quad for 4 bytes, RFC 5952 for 16,
 * lowercase hex otherwise ("" when empty). a covers exactly the address. */
static char *format_proto_addr(struct nc_pkt *pkt, struct nc_rd *a)
{
    size_t n = nc_rd_left(a);
    if (n == ARP_IP4_LEN) {
        uint8_t ip[ARP_IP4_LEN];
        nc_rd_copy(a, ip, sizeof(ip));
        return nc_pkt_ip4(pkt, ip);
    }
    if (n == ARP_IP6_LEN) {
        uint8_t ip[ARP_IP6_LEN];
        nc_rd_copy(a, ip, sizeof(ip));
        return nc_pkt_ip6(pkt, ip);
    }
    static const char hexdig[] = "0123456789abcdef";
    char *s = nc_pkt_alloc(pkt, 2 * n + 1);
    if (!s) {
        static char empty[1] = "";
        return empty;
    }
    for (size_t i = 0; i < n; i++) { /* n <= 255: one size byte */
        uint8_t b = nc_rd_u8(a);
        s[2 * i] = hexdig[b >> 4];
        s[2 * i + 1] = hexdig[b & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static char *format_hw_addr(struct nc_pkt *pkt, struct nc_rd *a)
{
    struct nc_span s = nc_rd_rest(a);
    return nc_pkt_hwaddr(pkt, s.p, s.len);
}

static int arp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t hw_type = nc_rd_be16(r);
    uint16_t proto = nc_rd_be16(r);
    uint8_t hw_len = nc_rd_u8(r);
    uint8_t proto_len = nc_rd_u8(r);
    uint16_t op = nc_rd_be16(r);
    /* each address in its own window: formatting can never read past it */
    struct nc_rd sha = nc_rd_sub(r, hw_len);
    struct nc_rd spa = nc_rd_sub(r, proto_len);
    struct nc_rd tha = nc_rd_sub(r, hw_len);
    struct nc_rd tpa = nc_rd_sub(r, proto_len);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__ARP *rec = nc_pkt_record(pkt, NC_REC_ARP);
    if (rec) {
        rec->addr_type = hw_type;
        rec->protocol = proto;
        rec->hw_address_size = hw_len;
        rec->protocol_address_size = proto_len;
        rec->operation = op;
        rec->src_hw_address = format_hw_addr(pkt, &sha);
        rec->src_protocol_address = format_proto_addr(pkt, &spa);
        rec->dst_hw_address = format_hw_addr(pkt, &tha);
        rec->dst_protocol_address = format_proto_addr(pkt, &tpa);
    }
    return NC_OK;
}

static const struct nc_claim arp_claims[] = { { NC_NS_ETHERTYPE, 0x0806 } };
const struct nc_decoder nc_decoder_arp = {
    .name = "arp",
    .display = "ARP",
    .layer = NC_LAYER_LINK,
    .claims = arp_claims,
    .n_claims = NC_ARRAY_LEN(arp_claims),
    .decode = arp_decode,
};
