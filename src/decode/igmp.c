/*
 * summary: IGMP v1, v2 and v3 messages -> IGMP records.
 * spec:    RFC 1112 appendix I (v1); RFC 2236 2 (v2); RFC 3376 4 (v3
 *          query and report), 4.1.1 and 4.1.7 (exponential codes), 7.1
 *          (telling the versions apart).
 *
 *   v1/v2 (8 bytes)                        v3 query (12 + 4 * N bytes)
 *   +--------+--------+--------+--------+  +--------+--------+-----------------+
 *   |  Type  |MaxResp |    Checksum     |  |  0x11  |MaxRespC|    Checksum     |
 *   +--------+--------+--------+--------+  +--------+--------+-----------------+
 *   |          Group Address            |  |          Group Address           |
 *   +-----------------------------------+  +------+-+---+----+-----------------+
 *                                          | Resv |S|QRV|QQIC|  Number (N)     |
 *   v3 report                              +------+-+---+----+-----------------+
 *   +--------+--------+--------+--------+  |       Source Address [1..N]      |
 *   |  0x22  |Reserved|    Checksum     |  +----------------------------------+
 *   +--------+--------+--------+--------+
 *   |    Reserved     | Number of Group Records (M) |
 *   +-----------------+---------------------------------+
 *   | Group Record [1..M]: type, aux data len (words),  |
 *   | number of sources, multicast address, sources,    |
 *   | auxiliary data                                    |
 *
 * The version is what RFC 3376 7.1 says a router concludes: a query of 8
 * bytes is v1 if its max response code is 0, else v2; a query of 12 bytes
 * or more is v3; types 0x12, 0x16/0x17 and 0x22 are v1, v2 and v3. The
 * query length is the IP payload length the IP header declares, so a
 * snaplen cut does not turn a v3 query into a v2 one. Other types (DVMRP,
 * mtrace, multicast router discovery) get a record with type and checksum
 * and version 0.
 *
 * max_response_time is in milliseconds: v2 counts tenths of a second, v3
 * the same once the exponential form (codes >= 128) is expanded, v1 has
 * none. interval_time is the v3 QQIC expanded, in seconds. Sources and
 * group records beyond IGMP_MAX_LIST are not kept (NC_ELIMIT, counted);
 * the counts as on the wire stay in the record.
 */
#include "decode/decoder.h"

enum {
    IGMP_IPPROTO = 2,
    IGMP_V3_QUERY_LEN = 12, /* v3 query without sources */
    IGMP_MAX_LIST = 256,    /* sources or group records kept per list */
    IGMP_QUERY = 0x11,
    IGMP_V1_REPORT = 0x12,
    IGMP_V2_REPORT = 0x16,
    IGMP_V2_LEAVE = 0x17,
    IGMP_V3_REPORT = 0x22,
    IGMP_GROUP_REC_HDR = 8, /* type, aux len, number of sources, address */
};

/* RFC 3376 4.1.1 / 4.1.7: codes below 128 are the value, others a
 * floating-point form 1|exp(3)|mant(4): (mant | 0x10) << (exp + 3). */
static uint32_t igmp_expand(uint8_t code)
{
    if (code < 128) {
        return code;
    }
    uint32_t exp = (code >> 4) & 0x7;
    uint32_t mant = code & 0xf;
    return (mant | 0x10) << (exp + 3);
}

/* Read n IPv4 addresses into a string list (at most IGMP_MAX_LIST kept, the
 * rest skipped). NC_ELIMIT when some were not kept. */
static int igmp_addrs(
        struct nc_pkt *pkt, struct nc_rd *r, size_t n, bool keep, char ***out, size_t *n_out)
{
    size_t k = NC_MIN(n, (size_t)IGMP_MAX_LIST);
    char **v = NULL;
    if (keep && k > 0 && nc_rd_left(r) >= k * 4) {
        v = nc_pkt_alloc(pkt, k * sizeof(*v));
    }
    for (size_t i = 0; i < k; i++) {
        uint8_t a[4];
        if (!nc_rd_copy(r, a, sizeof(a))) {
            break;
        }
        if (v) {
            v[i] = nc_pkt_ip4(pkt, a);
        }
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (v) {
        *out = v;
        *n_out = k;
    }
    if (n > k) {
        nc_rd_skip(r, (n - k) * 4);
        return nc_rd_ok(r) ? NC_ELIMIT : r->err;
    }
    return NC_OK;
}

static int igmp_v3_report(struct nc_pkt *pkt, struct nc_rd *r, Netcap__IGMP *rec)
{
    nc_rd_skip(r, 2); /* reserved */
    uint16_t ngroups = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (rec) {
        rec->number_of_group_records = ngroups;
    }
    size_t k = NC_MIN((size_t)ngroups, (size_t)IGMP_MAX_LIST);
    Netcap__IGMPv3GroupRecord **v = NULL;
    if (rec && k > 0 && nc_rd_left(r) >= k * IGMP_GROUP_REC_HDR) {
        v = nc_pkt_alloc(pkt, k * sizeof(*v));
    }
    int rc = NC_OK;
    size_t i = 0;
    for (; i < k; i++) {
        uint8_t type = nc_rd_u8(r);
        uint8_t aux = nc_rd_u8(r);
        uint16_t nsrc = nc_rd_be16(r);
        uint8_t group[4];
        nc_rd_copy(r, group, sizeof(group));
        if (!nc_rd_ok(r)) {
            rc = r->err;
            break;
        }
        Netcap__IGMPv3GroupRecord *g = v ? nc_pkt_alloc(pkt, sizeof(*g)) : NULL;
        if (g) {
            netcap__igmpv3_group_record__init(g);
            g->type = type;
            g->aux_data_len = aux;
            g->number_of_sources = nsrc;
            g->multicast_address = nc_pkt_ip4(pkt, group);
        }
        int src_rc = igmp_addrs(pkt, r, nsrc, g != NULL, g ? &g->source_addresses : NULL,
                g ? &g->n_source_addresses : NULL);
        if (src_rc == NC_OK) {
            nc_rd_skip(r, (size_t)aux * 4);
            src_rc = r->err;
        }
        if (g && (src_rc == NC_OK || src_rc == NC_ELIMIT)) {
            v[rec->n_group_records++] = g;
        }
        if (src_rc != NC_OK) {
            rc = src_rc;
            if (src_rc != NC_ELIMIT) {
                break;
            }
        }
    }
    if (v && rec) {
        rec->group_records = v;
    }
    if (rc == NC_OK && ngroups > k) {
        rc = NC_ELIMIT;
    }
    return rc;
}

static int igmp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    /* the message length the IP header declares (snaplen-proof) */
    size_t msg_len = pkt->ctx.ip_left ? pkt->ctx.ip_left : nc_rd_left(r);
    uint8_t type = nc_rd_u8(r);
    uint8_t code = nc_rd_u8(r);
    uint16_t checksum = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    /* l4_payload stays 0: the whole message is decoded, none of it is payload */
    c->ip_proto = IGMP_IPPROTO;

    int version = 0;
    switch (type) {
        case IGMP_QUERY:
            version = msg_len >= IGMP_V3_QUERY_LEN ? 3 : code == 0 ? 1 : 2;
            break;
        case IGMP_V1_REPORT:
            version = 1;
            break;
        case IGMP_V2_REPORT:
        case IGMP_V2_LEAVE:
            version = 2;
            break;
        case IGMP_V3_REPORT:
            version = 3;
            break;
        default:
            break;
    }

    Netcap__IGMP *rec = nc_pkt_record(pkt, NC_REC_IGMP);
    if (rec) {
        rec->type = type;
        rec->checksum = checksum;
        rec->version = version;
        rec->max_response_code = type == IGMP_V3_REPORT ? 0 : code;
        if (version == 2 || (version == 3 && type == IGMP_QUERY)) {
            uint32_t tenths = version == 3 ? igmp_expand(code) : code;
            rec->max_response_time = (uint64_t)tenths * 100;
        }
    }
    if (type == IGMP_V3_REPORT) {
        return igmp_v3_report(pkt, r, rec);
    }
    if (version == 0) {
        return NC_OK; /* not ours to decode further */
    }
    uint8_t group[4];
    if (!nc_rd_copy(r, group, sizeof(group))) {
        return r->err;
    }
    if (rec) {
        rec->group_address = nc_pkt_ip4(pkt, group);
    }
    if (version != 3) {
        return NC_OK;
    }
    uint8_t sqrv = nc_rd_u8(r);
    uint8_t qqic = nc_rd_u8(r);
    uint16_t nsrc = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (rec) {
        rec->supress_router_processing = (sqrv & 0x08) != 0;
        rec->robustness_value = sqrv & 0x07;
        rec->interval_time = igmp_expand(qqic);
        rec->number_of_sources = nsrc;
    }
    return igmp_addrs(pkt, r, nsrc, rec != NULL, rec ? &rec->source_addresses : NULL,
            rec ? &rec->n_source_addresses : NULL);
}

static const struct nc_claim igmp_claims[] = { { NC_NS_IPPROTO, IGMP_IPPROTO } };
const struct nc_decoder nc_decoder_igmp = {
    .name = "igmp",
    .display = "IGMP",
    .layer = NC_LAYER_TRANSPORT,
    .claims = igmp_claims,
    .n_claims = NC_ARRAY_LEN(igmp_claims),
    .decode = igmp_decode,
};
