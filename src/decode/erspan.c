/*
 * summary: ERSPAN type II and III headers (inside GRE) -> ERSPAN records;
 *          hands on the mirrored frame.
 * spec:    draft-foschiano-erspan-03 (types I, II, III).
 *
 *   type II (GRE protocol 0x88be with a sequence number), 8 bytes:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Ver  |          VLAN         | COS | En|T|    Session ID     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Reserved         |                  Index                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   type III (GRE protocol 0x22eb), 12 bytes, + 8 when O is set:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          Timestamp                            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Platf ID |     Platform Specific Info (58 bits, optional)    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Decisions:
 * - The version field must agree with the protocol type (1 for 0x88be, 2
 *   for 0x22eb); otherwise the header is malformed. Type I has no header
 *   and is handled in gre.c.
 * - The mirrored frame is a tunnel payload: nc_pkt_tunnel() with the
 *   session id, so frames of different sessions never share a Connection.
 * - Type III frame type 0 is Ethernet, 2 is IP (by version nibble); other
 *   frame types are not handed on.
 */
#include "decode/decoder.h"

enum {
    ERSPAN_II_TYPE = 0x88be,
    ERSPAN_III_TYPE = 0x22eb,
    ERSPAN_II_VER = 1,
    ERSPAN_III_VER = 2,
    ERSPAN_PLATFORM_LEN = 8,
    ERSPAN_FT_ETHERNET = 0,
    ERSPAN_FT_IP = 2,
};

static int erspan_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    bool type3 = pkt->next_id == ERSPAN_III_TYPE;
    uint16_t w0 = nc_rd_be16(r);
    uint16_t w1 = nc_rd_be16(r);
    uint32_t w2 = nc_rd_be32(r);
    uint32_t w3 = type3 ? nc_rd_be32(r) : 0;
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    unsigned version = w0 >> 12;
    if (version != (type3 ? ERSPAN_III_VER : ERSPAN_II_VER)) {
        return NC_EMALFORMED;
    }
    bool has_platform = type3 && (w3 & 0x1) != 0;
    struct nc_span platform = { NULL, 0 };
    if (has_platform) {
        platform = nc_rd_span(r, ERSPAN_PLATFORM_LEN);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
    }
    unsigned frame_type = (w3 >> 10) & 0x1f;
    uint32_t session = w1 & 0x03ff;
    Netcap__ERSPAN *rec = nc_pkt_record(pkt, NC_REC_ERSPAN);
    if (rec) {
        rec->version = (int32_t)version;
        rec->vlan = w0 & 0x0fff;
        rec->cos = w1 >> 13;
        rec->encap_type = (w1 >> 11) & 0x3;
        rec->truncated = (w1 & 0x0400) != 0;
        rec->session_id = (int32_t)session;
        if (type3) {
            rec->hw_timestamp = w2;
            rec->sgt = (int32_t)(w3 >> 16);
            rec->frame_type_flag = (w3 & 0x8000) != 0;
            rec->frame_type = (int32_t)frame_type;
            rec->hw_id = (int32_t)((w3 >> 4) & 0x3f);
            rec->direction = (w3 & 0x8) != 0;
            rec->granularity = (int32_t)((w3 >> 1) & 0x3);
            rec->has_platform = has_platform;
            if (has_platform) {
                rec->platform_id = platform.p[0] >> 2;
                rec->platform_info = nc_bytes(platform);
            }
        } else {
            rec->index = (int32_t)(w2 & 0x000fffff);
        }
    }
    if (nc_rd_left(r) == 0) {
        return NC_OK;
    }
    nc_pkt_tunnel(pkt, session);
    if (type3 && frame_type == ERSPAN_FT_IP) {
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_IP;
    } else if (!type3 || frame_type == ERSPAN_FT_ETHERNET) {
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_ETHERNET;
    }
    return NC_OK;
}

static const struct nc_claim erspan_claims[] = {
    { NC_NS_ETHERTYPE, ERSPAN_II_TYPE },
    { NC_NS_ETHERTYPE, ERSPAN_III_TYPE },
};
const struct nc_decoder nc_decoder_erspan = {
    .name = "erspan",
    .display = "ERSPAN",
    .layer = NC_LAYER_NONE,
    .carrier_layer = NC_LAYER_APP,
    .claims = erspan_claims,
    .n_claims = NC_ARRAY_LEN(erspan_claims),
    .decode = erspan_decode,
};
