/*
 * summary: Teredo (IPv6 in UDP 3544) -> Teredo records; hands on the IPv6
 *          packet, optionally after authentication and origin indication.
 * spec:    RFC 4380 5.1.1 (packet formats).
 *
 *   authentication (optional, first):
 *   +--------+--------+--------+--------+
 *   |  0x00  |  0x01  | ID-len | AU-len |
 *   +--------+--------+--------+--------+
 *   | client identifier (ID-len)        |
 *   | authentication value (AU-len)     |
 *   | nonce (8)                         |
 *   | confirmation (1) |
 *   +------------------+
 *   origin indication (optional):
 *   +--------+--------+-----------------+
 *   |  0x00  |  0x00  | origin port     |   port and address are
 *   +--------+--------+-----------------+   sent XORed with all ones
 *   |  origin IPv4 address              |
 *   +-----------------------------------+
 *   then an IPv6 packet (a "bubble" is one with no payload)
 *
 * Decisions:
 * - Found by port: whatever follows the optional headers must look like an
 *   IPv6 header (version 6, 40 bytes at least), or the datagram is
 *   declined before anything is recorded.
 * - The tunnel is entered here (nc_pkt_tunnel), not by the inner IPv6
 *   header, so the carrier flow's Connection names Teredo.
 */
#include "decode/decoder.h"

enum {
    TEREDO_PORT = 3544,
    TEREDO_NONCE_LEN = 8,
    IPV6_HDR_LEN = 40,
    ETHERTYPE_IPV6 = 0x86dd,
};

struct teredo_hdr {
    bool has_auth, has_origin;
    struct nc_span client_id, auth_value, nonce;
    uint8_t confirmation;
    uint16_t origin_port;
    uint8_t origin_ip[4];
};

/* Read the optional headers; false if r is not a Teredo packet. */
static bool parse(struct nc_rd *r, struct teredo_hdr *h)
{
    if (nc_rd_peek(r, 0) == 0x00 && nc_rd_peek(r, 1) == 0x01 && nc_rd_left(r) >= 4) {
        nc_rd_skip(r, 2);
        uint8_t id_len = nc_rd_u8(r);
        uint8_t au_len = nc_rd_u8(r);
        h->client_id = nc_rd_span(r, id_len);
        h->auth_value = nc_rd_span(r, au_len);
        h->nonce = nc_rd_span(r, TEREDO_NONCE_LEN);
        h->confirmation = nc_rd_u8(r);
        h->has_auth = true;
    }
    if (nc_rd_peek(r, 0) == 0x00 && nc_rd_peek(r, 1) == 0x00 && nc_rd_left(r) >= 8) {
        nc_rd_skip(r, 2);
        h->origin_port = (uint16_t)~nc_rd_be16(r);
        nc_rd_copy(r, h->origin_ip, 4);
        for (size_t i = 0; i < 4; i++) {
            h->origin_ip[i] = (uint8_t)~h->origin_ip[i];
        }
        h->has_origin = true;
    }
    return nc_rd_ok(r) && nc_rd_left(r) >= IPV6_HDR_LEN && (nc_rd_peek(r, 0) >> 4) == 6;
}

static int teredo_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct teredo_hdr h;
    memset(&h, 0, sizeof(h));
    struct nc_rd t = *r;
    if (!parse(&t, &h)) {
        return NC_DECLINE;
    }
    *r = t;
    Netcap__Teredo *rec = nc_pkt_record(pkt, NC_REC_Teredo);
    if (rec) {
        rec->has_auth = h.has_auth;
        if (h.has_auth) {
            rec->client_id = nc_bytes(h.client_id);
            rec->auth_value = nc_bytes(h.auth_value);
            rec->nonce = nc_bytes(h.nonce);
            rec->confirmation = h.confirmation;
        }
        rec->has_origin = h.has_origin;
        if (h.has_origin) {
            rec->origin_port = h.origin_port;
            rec->origin_ip = nc_pkt_ip4(pkt, h.origin_ip);
        }
    }
    /* entered here rather than by the inner IPv6 header, so that the
     * carrier's Connection is named "Teredo" (carrier_layer) */
    nc_pkt_tunnel(pkt, 0);
    pkt->next_ns = NC_NS_ETHERTYPE;
    pkt->next_id = ETHERTYPE_IPV6;
    return NC_OK;
}

static const struct nc_claim teredo_claims[] = { { NC_NS_UDP_PORT, TEREDO_PORT } };
const struct nc_decoder nc_decoder_teredo = {
    .name = "teredo",
    .display = "Teredo",
    .layer = NC_LAYER_NONE,
    .carrier_layer = NC_LAYER_APP,
    .claims = teredo_claims,
    .n_claims = NC_ARRAY_LEN(teredo_claims),
    .decode = teredo_decode,
};
