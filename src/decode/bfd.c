/*
 * summary: BFD control packets over UDP 3784 (single hop) and 4784
 *          (multihop) -> BFD records.
 * spec:    RFC 5880 4.1-4.4 (packet, authentication), RFC 5881 (single
 *          hop, port 3784), RFC 5883 (multihop, port 4784).
 *
 *    0                   1                   2                   3
 *   +-----+---------+---+-+-+-+-+-+-+---------------+---------------+
 *   |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 *   +-----+---------+---+-+-+-+-+-+-+---------------+---------------+
 *   |                       My Discriminator                        |
 *   |                      Your Discriminator                       |
 *   |                    Desired Min TX Interval                    |
 *   |                   Required Min RX Interval                    |
 *   |                 Required Min Echo RX Interval                 |  24 octets
 *   +---------------+---------------+---------------+---------------+
 *   |   Auth Type   |   Auth Len    |  Auth Key ID  | Password /    |
 *   |   (types 2-5:) Reserved (1) | Sequence Number (4) | digest    |
 *
 * Recognition: version 1 and a Length of at least 24, else NC_DECLINE. A
 * Length beyond the datagram is NC_ETRUNC (the record keeps what fits);
 * the A bit with a Length that leaves no room for the auth section, or an
 * Auth Len that does not fit its type, is NC_EMALFORMED. Intervals are in
 * microseconds as on the wire. The echo port 3785 carries whatever the
 * sender chose (RFC 5880 6.4) and is not claimed.
 *
 * Authentication (RFC 5880 4.2-4.4): type 1 simple password: key id, then
 * the password (1-16 octets) in data, and as text in password; types 2/3 keyed / meticulous keyed
 * MD5 and 4/5 SHA-1: key id, a reserved octet, the sequence number, then
 * the digest (16 / 20 octets) in data. Other types: data is everything
 * after the key id.
 */
#include "decode/decoder.h"

enum {
    BFD_PORT_SINGLE = 3784,
    BFD_PORT_MULTI = 4784,
    BFD_HDR_LEN = 24,
    BFD_VERSION = 1,
    BFD_AUTH_MIN = 3, /* type, length, key id */
    BFD_AUTH_SIMPLE = 1,
    BFD_AUTH_SEQ_HDR = 8, /* type, length, key id, reserved, sequence (4) */
    BFD_PASSWORD_MAX = 16,
    BFD_MD5_LEN = 16,
    BFD_SHA1_LEN = 20,
};

static const char *const state_names[4] = { "AdminDown", "Down", "Init", "Up" };

static int auth_section(struct nc_pkt *pkt, struct nc_rd *r, Netcap__BFD *rec)
{
    uint8_t type = nc_rd_u8(r);
    uint8_t len = nc_rd_u8(r);
    if (!nc_rd_ok(r)) {
        return NC_EMALFORMED; /* Length leaves no room for the section */
    }
    if (len < BFD_AUTH_MIN || len - 2u > nc_rd_left(r)) {
        return NC_EMALFORMED;
    }
    struct nc_rd a = nc_rd_sub(r, len - 2u);
    uint8_t key_id = nc_rd_u8(&a);
    uint32_t seq = 0;
    int err = NC_OK;
    size_t want = 0;
    switch (type) {
        case BFD_AUTH_SIMPLE:
            if (len - BFD_AUTH_MIN < 1 || len - BFD_AUTH_MIN > BFD_PASSWORD_MAX) {
                err = NC_EMALFORMED;
            }
            break;
        case 2:
        case 3:
        case 4:
        case 5:
            want = BFD_AUTH_SEQ_HDR + (type <= 3 ? BFD_MD5_LEN : BFD_SHA1_LEN);
            if (len != want) {
                err = NC_EMALFORMED;
            }
            nc_rd_skip(&a, 1);
            seq = nc_rd_be32(&a);
            break;
        default:
            break;
    }
    struct nc_span data = nc_rd_rest(&a);
    Netcap__BFDAuthHeader *h = rec ? nc_pkt_alloc(pkt, sizeof(*h)) : NULL;
    if (h) {
        netcap__bfdauth_header__init(h);
        h->auth_type = type;
        h->length = len;
        h->key_id = key_id;
        h->sequence_number = seq;
        h->data = nc_bytes(data);
        if (type == BFD_AUTH_SIMPLE) {
            h->password = nc_pkt_str(pkt, data.p, data.len);
        }
        rec->auth_header = h;
    }
    return err;
}

static int bfd_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t b0 = nc_rd_peek(r, 0);
    uint8_t length = nc_rd_peek(r, 3);
    if (nc_rd_left(r) < 4 || b0 >> 5 != BFD_VERSION || length < BFD_HDR_LEN) {
        return NC_DECLINE;
    }
    uint8_t b1;
    uint8_t mult;
    nc_rd_skip(r, 1);
    b1 = nc_rd_u8(r);
    mult = nc_rd_u8(r);
    nc_rd_skip(r, 1);
    uint32_t my = nc_rd_be32(r);
    uint32_t your = nc_rd_be32(r);
    uint32_t tx = nc_rd_be32(r);
    uint32_t rx = nc_rd_be32(r);
    uint32_t echo = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__BFD *rec = nc_pkt_record(pkt, NC_REC_BFD);
    if (rec) {
        rec->version = b0 >> 5;
        rec->diagnostic = b0 & 0x1f;
        rec->state = b1 >> 6;
        rec->state_name = (char *)(uintptr_t)state_names[b1 >> 6];
        rec->poll = (b1 & 0x20) != 0;
        rec->final = (b1 & 0x10) != 0;
        rec->control_plane_independent = (b1 & 0x08) != 0;
        rec->auth_present = (b1 & 0x04) != 0;
        rec->demand = (b1 & 0x02) != 0;
        rec->multipoint = (b1 & 0x01) != 0;
        rec->detect_multiplier = mult;
        rec->length = length;
        rec->my_discriminator = my;
        rec->your_discriminator = your;
        rec->desired_min_tx_interval = tx;
        rec->required_min_rx_interval = rx;
        rec->required_min_echo_rx_interval = echo;
        rec->multihop =
                pkt->ctx.dst_port == BFD_PORT_MULTI ||
                (pkt->ctx.dst_port != BFD_PORT_SINGLE && pkt->ctx.src_port == BFD_PORT_MULTI);
    }
    /* the auth section lies within Length; a Length past the datagram is a cut */
    size_t rest = (size_t)length - BFD_HDR_LEN;
    bool cut = rest > nc_rd_left(r);
    struct nc_rd body = nc_rd_sub(r, NC_MIN(rest, nc_rd_left(r)));
    nc_rd_rest(r);
    int err = NC_OK;
    if (b1 & 0x04) {
        err = auth_section(pkt, &body, rec);
    }
    if (cut) {
        return NC_ETRUNC;
    }
    return err;
}

static const struct nc_claim bfd_claims[] = {
    { NC_NS_UDP_PORT, BFD_PORT_SINGLE },
    { NC_NS_UDP_PORT, BFD_PORT_MULTI },
};
const struct nc_decoder nc_decoder_bfd = {
    .name = "bfd",
    .display = "BFD",
    .layer = NC_LAYER_APP,
    .claims = bfd_claims,
    .n_claims = NC_ARRAY_LEN(bfd_claims),
    .decode = bfd_decode,
};
