/*
 * summary: IPsec Authentication Header -> IPSecAH records; decodes the payload.
 * spec:    RFC 4302 2 (header format); RFC 4303 for ESP, which is separate.
 *
 *    0                   1                   2                   3
 *   +---------------+---------------+-------------------------------+
 *   |  Next Header  |  Payload Len  |           RESERVED            |
 *   +---------------+---------------+-------------------------------+
 *   |                 Security Parameters Index (SPI)               |
 *   +---------------------------------------------------------------+
 *   |                    Sequence Number Field                      |
 *   +---------------------------------------------------------------+
 *   |                Integrity Check Value-ICV (variable)           |
 *   +---------------------------------------------------------------+
 *
 * Payload Len is the header length in 32-bit words minus 2 (RFC 4302
 * 2.2), so the header is (len + 2) * 4 bytes, at least the 12 fixed bytes:
 * a smaller value is malformed. AH authenticates but does not encrypt, so
 * the payload is handed on by Next Header in the IP protocol namespace:
 * TCP, UDP and ICMP inside AH are decoded as if AH were not there, and
 * their records keep the IP addresses (AH does not change the IP layer).
 * As for IPv6 extension headers, ip_proto and ip_left then describe what
 * follows AH. authentication_data borrows the ICV bytes from the packet.
 */
#include "decode/decoder.h"

enum {
    AH_IPPROTO = 51,
    AH_FIXED_LEN = 12, /* next header, payload len, reserved, SPI, sequence */
    AH_WORD = 4,
};

static int ipsecah_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t next = nc_rd_u8(r);
    uint8_t plen = nc_rd_u8(r);
    uint16_t reserved = nc_rd_be16(r);
    uint32_t spi = nc_rd_be32(r);
    uint32_t seq = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    size_t hdr_len = ((size_t)plen + 2) * AH_WORD;
    if (hdr_len < AH_FIXED_LEN) {
        return NC_EMALFORMED;
    }
    struct nc_span icv = nc_rd_span(r, hdr_len - AH_FIXED_LEN);
    Netcap__IPSecAH *rec = nc_pkt_record(pkt, NC_REC_IPSecAH);
    if (rec) {
        rec->reserved = reserved;
        rec->spi = spi;
        rec->sequence_number = seq;
        rec->next_header = next;
        rec->payload_len = plen;
        rec->authentication_data = nc_bytes(icv);
    }
    if (!nc_rd_ok(r)) {
        return r->err; /* the ICV was cut: the record keeps the fixed fields */
    }
    pkt->ctx.ip_proto = next;
    pkt->ctx.ip_left = nc_pkt_ip_after(pkt, hdr_len);
    pkt->next_ns = NC_NS_IPPROTO;
    pkt->next_id = next;
    return NC_OK;
}

static const struct nc_claim ipsecah_claims[] = { { NC_NS_IPPROTO, AH_IPPROTO } };
const struct nc_decoder nc_decoder_ipsecah = {
    .name = "ipsecah",
    .display = "IPSecAH",
    .layer = NC_LAYER_NONE,
    .claims = ipsecah_claims,
    .n_claims = NC_ARRAY_LEN(ipsecah_claims),
    .decode = ipsecah_decode,
};
