/*
 * summary: IPsec ESP -> IPSecESP records (over IP protocol 50 and in UDP 4500).
 * spec:    RFC 4303 2 (packet format); RFC 3948 2.1-2.3 (UDP encapsulation,
 *          non-ESP marker, NAT keepalive).
 *
 *    0                   1                   2                   3
 *   +---------------------------------------------------------------+
 *   |               Security Parameters Index (SPI)                 |
 *   +---------------------------------------------------------------+
 *   |                      Sequence Number                          |
 *   +---------------------------------------------------------------+
 *   |  IV, Payload Data, Padding, Pad Length, Next Header, ICV ...  |
 *   |  (encrypted: not decoded)                                     |
 *
 * Over UDP, port 4500 carries both ESP and IKE: an IKE message starts with
 * the 4-byte non-ESP marker (zeros, where ESP would have its SPI, and SPI 0
 * is reserved), and a NAT keepalive is the single byte 0xFF. Both are
 * declined, so another decoder may take them; anything else is ESP.
 *
 * length is the ESP size the headers declare (the IP payload, or the UDP
 * payload when encapsulated), so a snaplen does not shrink it, and
 * len_encrypted is length - 8 (what follows SPI and sequence number). The
 * Connection names ESP as its transport over IP and as its application
 * protocol in UDP; the encrypted payload ends decoding.
 */
#include "decode/decoder.h"

enum {
    ESP_IPPROTO = 50,
    ESP_UDP_PORT = 4500, /* RFC 3948 */
    ESP_HDR_LEN = 8,     /* SPI and sequence number */
    ESP_MARKER_LEN = 4,  /* the non-ESP marker of IKE over UDP 4500 */
    ESP_KEEPALIVE = 0xff,
    UDP_IPPROTO = 17,
};

static int ipsecesp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_pkt_ctx *c = &pkt->ctx;
    bool in_udp = c->ip_proto == UDP_IPPROTO && c->has_ports;
    if (in_udp) {
        static const uint8_t marker[ESP_MARKER_LEN] = { 0, 0, 0, 0 };
        if (nc_rd_left(r) == 1 && nc_rd_peek(r, 0) == ESP_KEEPALIVE) {
            return NC_DECLINE; /* NAT keepalive (RFC 3948 2.2) */
        }
        if (nc_rd_has_prefix(r, marker, sizeof(marker))) {
            return NC_DECLINE; /* IKE behind the non-ESP marker (RFC 3948 2.2) */
        }
    }
    uint32_t spi = nc_rd_be32(r);
    uint32_t seq = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    /* declared ESP size: the UDP payload, or what the IP header declares */
    size_t declared = in_udp ? c->l4_payload : c->ip_left;
    if (declared < ESP_HDR_LEN) {
        declared = ESP_HDR_LEN + nc_rd_left(r); /* a header that disagrees: the capture */
    }
    if (in_udp) {
        c->proto[NC_LAYER_APP] = "ESP";
    } else {
        c->ip_proto = ESP_IPPROTO;
        c->l4_payload = nc_pkt_ip_after(pkt, ESP_HDR_LEN);
        c->proto[NC_LAYER_TRANSPORT] = "ESP";
    }
    Netcap__IPSecESP *rec = nc_pkt_record(pkt, NC_REC_IPSecESP);
    if (rec) {
        rec->spi = spi;
        rec->sequence_number = seq;
        rec->length = (int32_t)NC_MIN(declared, (size_t)INT32_MAX);
        rec->len_encrypted = rec->length - ESP_HDR_LEN;
        rec->udp_encapsulated = in_udp;
    }
    nc_rd_rest(r); /* encrypted: nothing more to decode */
    return NC_OK;
}

static const struct nc_claim ipsecesp_claims[] = {
    { NC_NS_IPPROTO, ESP_IPPROTO },
    { NC_NS_UDP_PORT, ESP_UDP_PORT },
};
const struct nc_decoder nc_decoder_ipsecesp = {
    .name = "ipsecesp",
    .display = "IPSecESP",
    .layer = NC_LAYER_NONE, /* named by hand: transport over IP, application in UDP */
    .claims = ipsecesp_claims,
    .n_claims = NC_ARRAY_LEN(ipsecesp_claims),
    .decode = ipsecesp_decode,
};
