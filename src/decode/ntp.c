/*
 * summary: NTP packets over UDP 123 -> NTP records (modes 1-5; control
 *          messages of mode 6 and ntpd's private mode 7 by their headers).
 * spec:    RFC 5905 7.3 (packet), RFC 7822 (extension fields and MAC),
 *          RFC 9327 (mode 6 control messages), ntpd's ntp_request.h (mode 7).
 *
 *    0                   1                   2                   3
 *   +---+-----+-----+---------------+---------------+---------------+
 *   |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
 *   +---+-----+-----+---------------+---------------+---------------+
 *   |       Root Delay (32), Root Dispersion (32): 16.16 seconds     |
 *   |       Reference ID (32)                                        |
 *   |       Reference, Origin, Receive, Transmit Timestamps (64 each)|
 *   +---------------------------------------------------------------+  48 octets
 *   |  extension fields | Type (16) | Length (16) | value ... |      |
 *   |  MAC: | Key Identifier (32) | digest (16 or 20) |             |
 *
 *   mode 6: | LI VN 6 | R E M Opcode | Sequence (16) | Status (16) |
 *           | Association ID (16) | Offset (16) | Count (16) | Data |
 *   mode 7: | R M VN 7 | A Sequence(7) | Implementation | Request code |
 *           | Err (4) Items (12) | MBZ (4) Item size (12) | Data |
 *
 * Recognition: a version of 1-4 and a mode other than 0, else NC_DECLINE
 * (port 123 carries other things too). A message shorter than its mode's
 * header gives no record and NC_ETRUNC.
 *
 * Timestamps stay in the NTP 64-bit format (32.32 seconds since 1900); the
 * *_unix_ns fields convert them assuming era 0 (1900-2036, as Zeek does),
 * 0 where the NTP value is 0. The reference id is also given as text:
 * stratum 0 (kiss code) and 1 (reference clock) as ASCII up to the first
 * NUL, otherwise as a dotted quad (an IPv4 address, or the first octets of
 * an IPv6 address's MD5 hash).
 *
 * After the header (modes 1-5): a remainder of exactly 4, 20 or 24 octets is
 * a MAC (key id, then a 16-octet MD5 or 20-octet SHA-1 digest; 4 is a
 * crypto-NAK); otherwise RFC 7822 extension fields (length a multiple of 4
 * and at least 16) are counted until only such a MAC is left.
 * extension_bytes holds everything after the header except the MAC. Octets
 * that frame as neither stay in extension_bytes, uncounted.
 */
#include "decode/decoder.h"

enum {
    NTP_PORT = 123,
    NTP_HDR_LEN = 48,
    NTP_CTL_HDR_LEN = 12,
    NTP_PRIV_HDR_LEN = 8,
    NTP_EXT_MIN = 16,     /* RFC 7822 3: smallest extension field */
    NTP_MAX_EXT = 64,     /* extension fields walked; a 64 KiB datagram holds 4096 */
    NTP_MAC_NAK = 4,      /* key id 0 alone (crypto-NAK) */
    NTP_MAC_MD5 = 4 + 16, /* key id + MD5 digest */
    NTP_MAC_SHA1 = 4 + 20,
    NTP_MODE_CONTROL = 6,
    NTP_MODE_PRIVATE = 7,
};

static const int64_t ntp_unix_offset = 2208988800LL; /* seconds from 1900 to 1970 */

static int64_t ntp_unix_ns(uint64_t t)
{
    if (t == 0) {
        return 0;
    }
    int64_t sec = (int64_t)(t >> 32) - ntp_unix_offset;
    uint64_t frac_ns = ((t & 0xffffffffu) * 1000000000ull) >> 32;
    return sec * 1000000000LL + (int64_t)frac_ns;
}

static bool is_mac_len(size_t n)
{
    return n == NTP_MAC_NAK || n == NTP_MAC_MD5 || n == NTP_MAC_SHA1;
}

static char *refid_text(struct nc_pkt *pkt, uint8_t stratum, const uint8_t id[4])
{
    if (stratum <= 1) {
        size_t n = 0;
        while (n < 4 && id[n] != 0) {
            n++;
        }
        return nc_pkt_str(pkt, id, n);
    }
    return nc_pkt_ip4(pkt, id);
}

/* Mode 6: RFC 9327 2. */
static int decode_control(struct nc_pkt *pkt, struct nc_rd *r, Netcap__NTP *rec)
{
    nc_rd_skip(r, 1);
    uint8_t b1 = nc_rd_u8(r);
    uint16_t seq = nc_rd_be16(r);
    uint16_t status = nc_rd_be16(r);
    uint16_t assoc = nc_rd_be16(r);
    uint16_t offset = nc_rd_be16(r);
    uint16_t count = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    size_t have = NC_MIN((size_t)count, nc_rd_left(r));
    struct nc_span data = nc_rd_span(r, have);
    nc_rd_rest(r); /* padding and authenticator */
    Netcap__NTPControl *c = rec ? nc_pkt_alloc(pkt, sizeof(*c)) : NULL;
    if (c) {
        netcap__ntpcontrol__init(c);
        c->response = (b1 & 0x80) != 0;
        c->error = (b1 & 0x40) != 0;
        c->more = (b1 & 0x20) != 0;
        c->opcode = b1 & 0x1f;
        c->sequence_number = seq;
        c->status = status;
        c->association_id = assoc;
        c->offset = offset;
        c->count = count;
        c->data = nc_bytes(data);
        rec->control = c;
    }
    return have < count ? NC_ETRUNC : NC_OK;
}

/* Mode 7: ntpd's struct req_pkt / resp_pkt header. */
static int decode_private(struct nc_pkt *pkt, struct nc_rd *r, Netcap__NTP *rec, uint8_t b0)
{
    nc_rd_skip(r, 1);
    uint8_t b1 = nc_rd_u8(r);
    uint8_t impl = nc_rd_u8(r);
    uint8_t req = nc_rd_u8(r);
    uint16_t err_items = nc_rd_be16(r);
    uint16_t size = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_span data = nc_rd_rest(r);
    Netcap__NTPPrivate *p = rec ? nc_pkt_alloc(pkt, sizeof(*p)) : NULL;
    if (p) {
        netcap__ntpprivate__init(p);
        p->response = (b0 & 0x80) != 0;
        p->more = (b0 & 0x40) != 0;
        p->auth = (b1 & 0x80) != 0;
        p->sequence_number = b1 & 0x7f;
        p->implementation = impl;
        p->request_code = req;
        p->error = err_items >> 12;
        p->n_items = err_items & 0xfff;
        p->item_size = size & 0xfff;
        p->data = nc_bytes(data);
        rec->private_mode = p;
    }
    return NC_OK;
}

/* Extension fields and MAC after the 48-octet header (file comment). */
static int decode_tail(struct nc_rd *r, Netcap__NTP *rec)
{
    struct nc_rd all = *r;
    size_t ext_len = 0;
    int n_ext = 0;
    int err = NC_OK;
    while (nc_rd_left(r) > 0 && !is_mac_len(nc_rd_left(r))) {
        if (nc_rd_left(r) < NTP_EXT_MIN) {
            break;
        }
        struct nc_rd look = *r;
        nc_rd_skip(&look, 2);
        uint16_t len = nc_rd_be16(&look);
        if (len < NTP_EXT_MIN || len % 4 != 0 || len > nc_rd_left(r)) {
            break;
        }
        if (n_ext >= NTP_MAX_EXT) {
            err = NC_ELIMIT;
            break;
        }
        nc_rd_skip(r, len);
        ext_len += len;
        n_ext++;
    }
    struct nc_span mac = { NULL, 0 };
    uint32_t key_id = 0;
    if (is_mac_len(nc_rd_left(r))) {
        key_id = nc_rd_be32(r);
        mac = nc_rd_rest(r);
    } else {
        ext_len += nc_rd_left(r); /* unframed octets: kept, not counted */
        nc_rd_rest(r);
    }
    if (rec) {
        rec->extension_bytes = nc_bytes(nc_rd_span(&all, ext_len));
        rec->num_extensions = n_ext;
        rec->key_id = key_id;
        rec->mac = nc_bytes(mac);
    }
    return err;
}

static int ntp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t b0 = nc_rd_peek(r, 0);
    int version = b0 >> 3 & 7;
    int mode = b0 & 7;
    if (nc_rd_left(r) == 0 || version < 1 || version > 4 || mode == 0) {
        return NC_DECLINE;
    }
    size_t need = mode == NTP_MODE_CONTROL   ? NTP_CTL_HDR_LEN
                  : mode == NTP_MODE_PRIVATE ? NTP_PRIV_HDR_LEN
                                             : NTP_HDR_LEN;
    if (nc_rd_left(r) < need) {
        nc_rd_fail(r, NC_ETRUNC);
        return NC_ETRUNC;
    }
    Netcap__NTP *rec = nc_pkt_record(pkt, NC_REC_NTP);
    if (rec) {
        rec->leap_indicator = b0 >> 6;
        rec->version = version;
        rec->mode = mode;
    }
    if (mode == NTP_MODE_CONTROL) {
        return decode_control(pkt, r, rec);
    }
    if (mode == NTP_MODE_PRIVATE) {
        return decode_private(pkt, r, rec, b0);
    }
    nc_rd_skip(r, 1);
    uint8_t stratum = nc_rd_u8(r);
    int8_t poll = (int8_t)nc_rd_u8(r);
    int8_t precision = (int8_t)nc_rd_u8(r);
    uint32_t delay = nc_rd_be32(r);
    uint32_t disp = nc_rd_be32(r);
    struct nc_span refid = nc_rd_span(r, 4);
    uint64_t ref = nc_rd_be64(r);
    uint64_t org = nc_rd_be64(r);
    uint64_t rcv = nc_rd_be64(r);
    uint64_t xmt = nc_rd_be64(r);
    if (!nc_rd_ok(r)) {
        return r->err; /* cannot happen: the length was checked */
    }
    if (rec) {
        rec->stratum = stratum;
        rec->poll = poll;
        rec->precision = precision;
        rec->root_delay = delay;
        rec->root_dispersion = disp;
        rec->reference_id = (uint32_t)refid.p[0] << 24 | (uint32_t)refid.p[1] << 16 |
                            (uint32_t)refid.p[2] << 8 | refid.p[3];
        rec->reference_id_text = refid_text(pkt, stratum, refid.p);
        rec->reference_timestamp = ref;
        rec->origin_timestamp = org;
        rec->receive_timestamp = rcv;
        rec->transmit_timestamp = xmt;
        rec->reference_unix_ns = ntp_unix_ns(ref);
        rec->origin_unix_ns = ntp_unix_ns(org);
        rec->receive_unix_ns = ntp_unix_ns(rcv);
        rec->transmit_unix_ns = ntp_unix_ns(xmt);
    }
    return decode_tail(r, rec);
}

static const struct nc_claim ntp_claims[] = { { NC_NS_UDP_PORT, NTP_PORT } };
const struct nc_decoder nc_decoder_ntp = {
    .name = "ntp",
    .display = "NTP",
    .layer = NC_LAYER_APP,
    .claims = ntp_claims,
    .n_claims = NC_ARRAY_LEN(ntp_claims),
    .decode = ntp_decode,
};
