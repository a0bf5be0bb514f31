/*
 * summary: VRRP advertisements, versions 2 and 3 -> VRRPv2 records.
 * spec:    RFC 3768 5.1 (VRRPv2); RFC 5798 5.1-5.2 (VRRPv3, IPv4 and IPv6).
 *
 *   VRRPv2                                  VRRPv3
 *   +-------+-------+-------+-------+       +-------+-------+-------+-------+
 *   |Ver|Typ| VRID  | Prio  |Count  |       |Ver|Typ| VRID  | Prio  |Count  |
 *   +-------+-------+-------+-------+       +-------+-------+-------+-------+
 *   |AuthTyp|AdvInt |   Checksum    |       |Rsv|MaxAdverInt|   Checksum    |
 *   +-------+-------+---------------+       +---+-----------+---------------+
 *   |  IPv4 Address (1..Count)      |       | IPvX Address (1..Count)       |
 *   +-------------------------------+       +-------------------------------+
 *   |  Authentication Data (8)      |
 *   +-------------------------------+
 *
 * One record type for both versions (decision): an advertisement says the
 * same things in both (router id, priority, addresses, interval), users
 * follow one virtual router across a migration from v2 to v3 in one file,
 * and `version` tells them apart. v3 drops the authentication fields (they
 * stay 0 / empty) and turns the 8-bit interval in seconds into a 12-bit
 * one in centiseconds: adver_int is the wire value of its version, and
 * adver_int_cs the interval in centiseconds for both. v3 over IPv6 carries
 * 16-byte addresses (the IP version of the packet says which); v2 is IPv4
 * only, as RFC 3768 defines it. A v2 simple text password (auth type 1) is
 * kept as text, up to its first NUL (RFC 3768 pads it with zeros).
 *
 * Count is a byte, so at most 255 addresses; the addresses must fit in the
 * message (NC_ETRUNC otherwise, with the record and the addresses read so
 * far). A version other than 2 or 3 is unsupported (NC_EUNSUPP, no record).
 */
#include "decode/decoder.h"

#include <string.h>

enum {
    VRRP_IPPROTO = 112,
    VRRP_AUTH_LEN = 8,    /* v2 authentication data */
    VRRP_MAX_ADDRS = 255, /* Count is one octet */
    VRRP_V3_INT_MASK = 0x0fff,
};

static int vrrp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t vt = nc_rd_u8(r);
    uint8_t vrid = nc_rd_u8(r);
    uint8_t prio = nc_rd_u8(r);
    uint8_t count = nc_rd_u8(r);
    uint16_t word = nc_rd_be16(r);
    uint16_t checksum = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    unsigned version = vt >> 4;
    if (version != 2 && version != 3) {
        return NC_EUNSUPP;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    c->ip_proto = VRRP_IPPROTO;
    size_t alen = (version == 3 && c->ip_ver == 6) ? 16 : 4;

    Netcap__VRRPv2 *rec = nc_pkt_record(pkt, NC_REC_VRRPv2);
    if (rec) {
        rec->version = (int32_t)version;
        rec->type = vt & 0x0f;
        rec->virtual_rtr_id = vrid;
        rec->priority = prio;
        rec->count_ip_addr = count;
        rec->checksum = checksum;
        if (version == 2) {
            rec->auth_type = word >> 8;
            rec->adver_int = word & 0xff;
            rec->adver_int_cs = rec->adver_int * 100;
        } else {
            rec->adver_int = word & VRRP_V3_INT_MASK;
            rec->adver_int_cs = rec->adver_int;
        }
    }
    char **v = NULL;
    if (rec && count > 0) {
        v = nc_pkt_alloc(pkt, (size_t)count * sizeof(*v));
    }
    for (size_t i = 0; i < count && i < VRRP_MAX_ADDRS; i++) {
        uint8_t a[16];
        if (!nc_rd_copy(r, a, alen)) {
            return r->err;
        }
        if (v) {
            v[i] = alen == 4 ? nc_pkt_ip4(pkt, a) : nc_pkt_ip6(pkt, a);
            rec->ip_address = v;
            rec->n_ip_address = i + 1;
        }
    }
    if (version == 2) {
        struct nc_span auth = nc_rd_span(r, VRRP_AUTH_LEN);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        /* only a simple text password is data worth keeping; an AH type
         * (2, deprecated) or none leaves these bytes meaningless */
        if (rec && rec->auth_type == 1) {
            const uint8_t *nul = memchr(auth.p, 0, auth.len);
            rec->auth_password = nc_pkt_str(pkt, auth.p, nul ? (size_t)(nul - auth.p) : auth.len);
        }
    }
    return NC_OK;
}

static const struct nc_claim vrrp_claims[] = { { NC_NS_IPPROTO, VRRP_IPPROTO } };
const struct nc_decoder nc_decoder_vrrp = {
    .name = "vrrp",
    .display = "VRRP",
    .layer = NC_LAYER_TRANSPORT,
    .claims = vrrp_claims,
    .n_claims = NC_ARRAY_LEN(vrrp_claims),
    .decode = vrrp_decode,
};
