/*
 * summary: Geneve header with its options (UDP 6081) -> Geneve records;
 *          hands on the payload by protocol type.
 * spec:    RFC 8926 3.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Variable-Length Options                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   option:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Option Class         |      Type     |R|R|R| Length  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            Variable-Length Option Data (Length * 4)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Decisions:
 * - Found by port: a version other than 0 is declined (RFC 8926: a
 *   receiver must drop it), as is a header shorter than 8 bytes.
 * - Option lengths follow the RFC (5 bits, the 3 bits above them are
 *   reserved; gopacket takes 4 and 4). An option that overruns the options
 *   area is malformed; the options before it are kept. At most
 *   GENEVE_MAX_OPTIONS are recorded (the area is at most 252 bytes, 63
 *   empty options).
 * - Protocol type 0x6558 is Ethernet: nc_pkt_tunnel() with the VNI, then
 *   the frame. Other types are EtherTypes; IP payloads enter the tunnel
 *   with the VNI as well (so the VNI separates inner flows).
 */
#include "decode/decoder.h"

enum {
    GENEVE_HDR_LEN = 8,
    GENEVE_MAX_OPTIONS = 64,
    GENEVE_OPT_HDR = 4,
    GENEVE_ETH_TEB = 0x6558,
};

static int parse_options(struct nc_pkt *pkt, struct nc_rd *o, Netcap__Geneve *rec)
{
    Netcap__GeneveOption **list = NULL;
    Netcap__GeneveOption *store = NULL;
    if (rec && nc_rd_left(o) > 0) {
        list = nc_pkt_alloc(pkt, GENEVE_MAX_OPTIONS * sizeof(*list));
        store = nc_pkt_alloc(pkt, GENEVE_MAX_OPTIONS * sizeof(*store));
        if (!list || !store) {
            list = NULL;
            store = NULL;
        }
    }
    size_t n = 0;
    int rc = NC_OK;
    for (size_t i = 0; i < GENEVE_MAX_OPTIONS && nc_rd_left(o) > 0; i++) {
        uint16_t cls = nc_rd_be16(o);
        uint8_t type = nc_rd_u8(o);
        uint8_t fl = nc_rd_u8(o);
        size_t dlen = (size_t)(fl & 0x1f) * 4;
        struct nc_span data = nc_rd_span(o, dlen);
        if (!nc_rd_ok(o)) {
            rc = NC_EMALFORMED; /* overruns the options area */
            break;
        }
        if (list) {
            Netcap__GeneveOption *e = &store[n];
            netcap__geneve_option__init(e);
            e->class_ = cls;
            e->type = type;
            e->flags = fl >> 5;
            e->length = (int32_t)(dlen + GENEVE_OPT_HDR);
            e->data = nc_bytes(data);
            list[n++] = e;
        }
    }
    if (rec && list) {
        rec->options = list;
        rec->n_options = n;
    }
    return rc;
}

static int geneve_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t b0 = nc_rd_u8(r);
    uint8_t b1 = nc_rd_u8(r);
    uint16_t proto = nc_rd_be16(r);
    uint32_t vni = nc_rd_be24(r);
    (void)nc_rd_u8(r); /* reserved */
    if (!nc_rd_ok(r) || (b0 >> 6) != 0) {
        return NC_DECLINE; /* not Geneve version 0 */
    }
    size_t opt_len = (size_t)(b0 & 0x3f) * 4;
    struct nc_rd o = nc_rd_sub(r, opt_len);
    if (!nc_rd_ok(r)) {
        return r->err; /* options cut by the capture */
    }
    Netcap__Geneve *rec = nc_pkt_record(pkt, NC_REC_Geneve);
    if (rec) {
        rec->version = b0 >> 6;
        rec->options_length = (int32_t)opt_len;
        rec->oam_packet = (b1 & 0x80) != 0;
        rec->critical_option = (b1 & 0x40) != 0;
        rec->protocol = proto;
        rec->vni = vni;
    }
    int rc = parse_options(pkt, &o, rec);
    if (rc != NC_OK) {
        return rc;
    }
    if (nc_rd_left(r) == 0) {
        return NC_OK;
    }
    nc_pkt_tunnel(pkt, vni);
    if (proto == GENEVE_ETH_TEB) {
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_ETHERNET;
    } else {
        pkt->next_ns = NC_NS_ETHERTYPE;
        pkt->next_id = proto;
    }
    return NC_OK;
}

static const struct nc_claim geneve_claims[] = { { NC_NS_UDP_PORT, 6081 } };
const struct nc_decoder nc_decoder_geneve = {
    .name = "geneve",
    .display = "Geneve",
    .layer = NC_LAYER_NONE,
    .carrier_layer = NC_LAYER_APP,
    .claims = geneve_claims,
    .n_claims = NC_ARRAY_LEN(geneve_claims),
    .decode = geneve_decode,
};
