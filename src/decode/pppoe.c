/*
 * summary: PPPoE header (EtherType 0x8863 discovery, 0x8864 session) ->
 *          PPPoE records with discovery tags; hands a session's payload to PPP.
 * spec:    RFC 2516 4 (packet format), 5 (discovery), appendix A (tags).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  VER  | TYPE  |      CODE     |          SESSION_ID           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            LENGTH             |           payload             ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   discovery tag: TAG_TYPE (2) | TAG_LENGTH (2) | TAG_VALUE
 *
 * Decisions:
 * - LENGTH bounds the payload (Ethernet padding is cut); a capture that
 *   holds less decodes what there is.
 * - Discovery tags: at most PPPOE_MAX_TAGS are recorded and walked; a tag
 *   that overruns the payload is malformed (the tags before it are kept).
 *   End-Of-List (type 0) ends the list. Service-Name and AC-Name are also
 *   copied out as strings (first of each).
 * - A session payload is PPP without address and control (RFC 2516 7):
 *   it is handed on as EtherType 0x880b, which the PPP decoder claims,
 *   so it has a PPP record too. PPPoE is not a tunnel.
 */
#include "decode/decoder.h"

enum {
    PPPOE_DISCOVERY = 0x8863,
    PPPOE_SESSION = 0x8864,
    PPPOE_HDR_LEN = 6,
    PPPOE_MAX_TAGS = 64,
    PPPOE_TAG_EOL = 0x0000,
    PPPOE_TAG_SERVICE_NAME = 0x0101,
    PPPOE_TAG_AC_NAME = 0x0102,
    PPP_ETHERTYPE = 0x880b,
};

static int parse_tags(struct nc_pkt *pkt, struct nc_rd *t, Netcap__PPPoE *rec)
{
    Netcap__PPPoETag **list = NULL;
    Netcap__PPPoETag *store = NULL;
    if (rec && nc_rd_left(t) > 0) {
        list = nc_pkt_alloc(pkt, PPPOE_MAX_TAGS * sizeof(*list));
        store = nc_pkt_alloc(pkt, PPPOE_MAX_TAGS * sizeof(*store));
        if (!list || !store) {
            list = NULL;
            store = NULL;
        }
    }
    size_t n = 0;
    int rc = NC_OK;
    for (size_t i = 0; i < PPPOE_MAX_TAGS && nc_rd_left(t) > 0; i++) {
        uint16_t type = nc_rd_be16(t);
        uint16_t len = nc_rd_be16(t);
        struct nc_span v = nc_rd_span(t, len);
        if (!nc_rd_ok(t)) {
            rc = NC_EMALFORMED;
            break;
        }
        if (rec) {
            if (type == PPPOE_TAG_SERVICE_NAME && rec->service_name[0] == '\0') {
                rec->service_name = nc_pkt_str(pkt, v.p, v.len);
            } else if (type == PPPOE_TAG_AC_NAME && rec->ac_name[0] == '\0') {
                rec->ac_name = nc_pkt_str(pkt, v.p, v.len);
            }
        }
        if (list) {
            Netcap__PPPoETag *e = &store[n];
            netcap__pppo_etag__init(e);
            e->type = type;
            e->length = len;
            e->value = nc_bytes(v);
            list[n++] = e;
        }
        if (type == PPPOE_TAG_EOL) {
            break;
        }
    }
    if (rec && list) {
        rec->tags = list;
        rec->n_tags = n;
    }
    return rc;
}

static int pppoe_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    bool discovery = pkt->next_id == PPPOE_DISCOVERY;
    uint8_t vt = nc_rd_u8(r);
    uint8_t code = nc_rd_u8(r);
    uint16_t session = nc_rd_be16(r);
    uint16_t len = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (len < nc_rd_left(r)) {
        *r = nc_rd_sub(r, len); /* cut the Ethernet padding */
    }
    Netcap__PPPoE *rec = nc_pkt_record(pkt, NC_REC_PPPoE);
    if (rec) {
        rec->version = vt >> 4;
        rec->type = vt & 0x0f;
        rec->code = code;
        rec->session_id = session;
        rec->length = len;
        rec->discovery = discovery;
    }
    if (discovery) {
        struct nc_rd t = *r;
        return parse_tags(pkt, &t, rec);
    }
    if (nc_rd_left(r) > 0) {
        pkt->next_ns = NC_NS_ETHERTYPE;
        pkt->next_id = PPP_ETHERTYPE;
    }
    return NC_OK;
}

static const struct nc_claim pppoe_claims[] = {
    { NC_NS_ETHERTYPE, PPPOE_DISCOVERY },
    { NC_NS_ETHERTYPE, PPPOE_SESSION },
};
const struct nc_decoder nc_decoder_pppoe = {
    .name = "pppoe",
    .display = "PPPoE",
    .layer = NC_LAYER_NONE,
    .claims = pppoe_claims,
    .n_claims = NC_ARRAY_LEN(pppoe_claims),
    .decode = pppoe_decode,
};
