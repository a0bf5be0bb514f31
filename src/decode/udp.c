/*
 * summary: UDP datagram header -> UDP records; dispatches the payload by port.
 * spec:    RFC 768.
 *
 *    0                   1                   2                   3
 *   +-------------------------------+-------------------------------+
 *   |          Source Port          |       Destination Port        |
 *   +-------------------------------+-------------------------------+
 *   |            Length             |           Checksum            |
 *   +-------------------------------+-------------------------------+
 *   |   Payload (Length - 8) ...
 *
 * Length counts the header. When it is below the window (Ethernet padding,
 * or an IP length that disagrees) the window is cut to it; when it is above
 * (snaplen, or a lying length) the captured bytes are all there is. A
 * length below 8 is malformed; that includes 0, which only an IPv6
 * jumbogram (RFC 2675) may send, and which we do not support.
 */
#include "decode/decoder.h"

enum {
    UDP_HDR_LEN = 8,
    UDP_IPPROTO = 17,
};

static int udp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t sport = nc_rd_be16(r);
    uint16_t dport = nc_rd_be16(r);
    uint16_t len = nc_rd_be16(r);
    uint16_t checksum = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (len < UDP_HDR_LEN) {
        return NC_EMALFORMED;
    }
    size_t claimed = (size_t)len - UDP_HDR_LEN;
    if (claimed < nc_rd_left(r)) {
        /* the next layer sees exactly the UDP payload (cannot fail: it fits) */
        *r = nc_rd_sub(r, claimed);
    }

    struct nc_pkt_ctx *c = &pkt->ctx;
    c->ip_proto = UDP_IPPROTO;
    c->has_ports = true;
    c->src_port = sport;
    c->dst_port = dport;
    /* from the headers: counts what was sent even when the capture is cut;
     * the UDP length describes the whole datagram, of which a first
     * fragment carries only part (the rest arrives in later fragments) */
    c->l4_payload = (uint32_t)NC_MIN(claimed, (size_t)nc_pkt_ip_after(pkt, UDP_HDR_LEN));

    Netcap__UDP *rec = nc_pkt_record(pkt, NC_REC_UDP);
    if (rec) {
        rec->src_port = sport;
        rec->dst_port = dport;
        rec->length = len;
        rec->checksum = checksum;
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, &rec->payload);
    }
    if (nc_rd_left(r) > 0) {
        nc_pkt_next_port(pkt, NC_NS_UDP_PORT, dport, sport);
    }
    return NC_OK;
}

static const struct nc_claim udp_claims[] = { { NC_NS_IPPROTO, UDP_IPPROTO } };
const struct nc_decoder nc_decoder_udp = {
    .name = "udp",
    .display = "UDP",
    .layer = NC_LAYER_TRANSPORT,
    .claims = udp_claims,
    .n_claims = NC_ARRAY_LEN(udp_claims),
    .decode = udp_decode,
};
