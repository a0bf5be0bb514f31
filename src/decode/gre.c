/*
 * summary: GRE header (IP protocol 47) -> GRE records; hands the payload on
 *          by its protocol type (an EtherType).
 * spec:    RFC 2784 (GRE) with RFC 2890 (key, sequence number); RFC 1701
 *          (recursion control, strict source route, routing); RFC 2637 4.1
 *          (enhanced GRE, version 1, as PPTP uses it).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Checksum (optional)      |       Offset (optional)       |  C or R
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Key (optional; version 1: payload length | call id)        |  K
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Sequence Number (optional)                    |  S
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Routing (optional, version 0): SREs, last one AF 0 len 0   |  R
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Acknowledgment Number (optional, version 1)            |  A
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   SRE: address family (2) | SRE offset (1) | SRE length (1) | routing information
 *
 * Decisions:
 * - Field semantics follow gopacket where it has them (flags is the second
 *   octet >> 3, recursion control the low 3 bits of the first). Routing is
 *   a list (not gopacket's linked list), at most GRE_MAX_SRE entries; the
 *   terminating empty entry is not listed; more entries are malformed.
 * - Versions other than 0 and 1 are malformed (RFC 2784: discard).
 * - The payload is handed on by protocol type in the EtherType namespace:
 *   IPv4, IPv6, 0x6558 (transparent Ethernet bridging), 0x880b (PPP, PPTP),
 *   0x88be (ERSPAN type II, or type I without a sequence number: then the
 *   payload is Ethernet with no header), 0x22eb (ERSPAN type III), 0x8847
 *   (MPLS). Any other type goes to whoever claims it (CDP, Cisco metadata...)
 *   or is counted as unknown.
 * - Tunnel entry: for every payload but ERSPAN II/III this decoder calls
 *   nc_pkt_tunnel() itself with the key (version 0; 0 when absent), so
 *   inner flows of GRE tunnels with different keys stay apart, and what a
 *   GRE tunnel carries without IP (CDP, bridged frames) is marked as inside. Version 1
 *   uses 0: its key holds the payload length and the *peer's* call id,
 *   which differ per direction. ERSPAN II/III enter the tunnel in erspan.c
 *   (with the session id). A GRE packet with no payload (a keepalive reply)
 *   enters nothing.
 */
#include "decode/decoder.h"

enum {
    GRE_IPPROTO = 47,
    GRE_MAX_SRE = 16,         /* routing entries kept and walked */
    GRE_ETH_TEB = 0x6558,     /* transparent Ethernet bridging */
    GRE_ETH_ERSPAN2 = 0x88be, /* also type I */
    GRE_ETH_ERSPAN3 = 0x22eb,
};

/* Walk the routing entries; keep up to GRE_MAX_SRE in rec. */
static int parse_routing(struct nc_pkt *pkt, struct nc_rd *r, Netcap__GRE *rec)
{
    Netcap__GRERouting **list = NULL;
    Netcap__GRERouting *store = NULL;
    if (rec) {
        list = nc_pkt_alloc(pkt, GRE_MAX_SRE * sizeof(*list));
        store = nc_pkt_alloc(pkt, GRE_MAX_SRE * sizeof(*store));
        if (!list || !store) {
            list = NULL;
            store = NULL;
        }
    }
    size_t n = 0;
    for (;;) {
        uint16_t af = nc_rd_be16(r);
        uint8_t off = nc_rd_u8(r);
        uint8_t len = nc_rd_u8(r);
        struct nc_span info = nc_rd_span(r, len);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        if (af == 0 && len == 0) {
            break; /* the terminating entry */
        }
        if (n >= GRE_MAX_SRE) {
            return NC_EMALFORMED;
        }
        if (list) {
            Netcap__GRERouting *e = &store[n];
            netcap__grerouting__init(e);
            e->address_family = af;
            e->sre_offset = off;
            e->sre_length = len;
            e->routing_information = nc_bytes(info);
            list[n] = e;
        }
        n++;
    }
    if (rec && list) {
        rec->routing = list;
        rec->n_routing = n;
    }
    return NC_OK;
}

static int gre_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t b0 = nc_rd_u8(r);
    uint8_t b1 = nc_rd_u8(r);
    uint16_t proto = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    bool c_bit = (b0 & 0x80) != 0, r_bit = (b0 & 0x40) != 0, k_bit = (b0 & 0x20) != 0;
    bool s_bit = (b0 & 0x10) != 0, ssr = (b0 & 0x08) != 0, a_bit = (b1 & 0x80) != 0;
    unsigned version = b1 & 0x07;
    if (version > 1) {
        return NC_EMALFORMED;
    }
    uint16_t csum = 0, offset = 0;
    uint32_t key = 0, seq = 0, ack = 0;
    if (c_bit || r_bit) {
        csum = nc_rd_be16(r);
        offset = nc_rd_be16(r);
    }
    if (k_bit) {
        key = nc_rd_be32(r);
    }
    if (s_bit) {
        seq = nc_rd_be32(r);
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__GRE *rec = nc_pkt_record(pkt, NC_REC_GRE);
    if (rec) {
        rec->checksum_present = c_bit;
        rec->routing_present = r_bit;
        rec->key_present = k_bit;
        rec->sequence_number_present = s_bit;
        rec->strict_source_route = ssr;
        rec->ack_number_present = a_bit;
        rec->recursion_control = b0 & 0x07;
        rec->flags = b1 >> 3;
        rec->version = (int32_t)version;
        rec->protocol = proto;
        rec->checksum = csum;
        rec->offset = offset;
        rec->key = key;
        rec->sequence_number = seq;
        if (version == 1 && k_bit) {
            rec->payload_length = (int32_t)(key >> 16);
            rec->call_id = (int32_t)(key & 0xffff);
        }
    }
    if (r_bit && version == 0) {
        int rc = parse_routing(pkt, r, rec);
        if (rc != NC_OK) {
            return rc;
        }
    }
    if (a_bit) {
        ack = nc_rd_be32(r);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        if (rec) {
            rec->ack_number = ack;
        }
    }
    if (version == 1 && k_bit && (key >> 16) < nc_rd_left(r)) {
        *r = nc_rd_sub(r, key >> 16); /* the payload length excludes padding */
    }
    if (rec) {
        rec->payload_size = (int32_t)nc_rd_left(r);
    }
    if (nc_rd_left(r) == 0) {
        return NC_OK; /* keepalive reply, or an acknowledgment without data */
    }
    bool erspan = (proto == GRE_ETH_ERSPAN2 && s_bit) || proto == GRE_ETH_ERSPAN3;
    if (!erspan) {
        nc_pkt_tunnel(pkt, version == 0 ? key : 0);
    }
    if (proto == GRE_ETH_TEB || proto == GRE_ETH_ERSPAN2) {
        /* bridged Ethernet, or ERSPAN type I: the frame follows directly
         * (type II, with its sequence number, is handed to erspan.c) */
        if (!erspan) {
            pkt->next_ns = NC_NS_LINK;
            pkt->next_id = NC_LINK_ETHERNET;
            return NC_OK;
        }
    }
    pkt->next_ns = NC_NS_ETHERTYPE;
    pkt->next_id = proto;
    return NC_OK;
}

static const struct nc_claim gre_claims[] = { { NC_NS_IPPROTO, GRE_IPPROTO } };
const struct nc_decoder nc_decoder_gre = {
    .name = "gre",
    .display = "GRE",
    .layer = NC_LAYER_NONE,
    .carrier_layer = NC_LAYER_TRANSPORT,
    .claims = gre_claims,
    .n_claims = NC_ARRAY_LEN(gre_claims),
    .decode = gre_decode,
};
