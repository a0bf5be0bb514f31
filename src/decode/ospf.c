/*
 * summary: OSPF packets -> OSPFv2 records (version 2) and OSPFv3 records
 *          (version 3), with every packet type and LSA kind.
 * spec:    RFC 2328 A.3 (v2 packets), A.4 (v2 LSAs), RFC 3101 (NSSA-LSA,
 *          type 7); RFC 5340 A.3 (v3 packets), A.4 (v3 LSAs and prefixes);
 *          RFC 5250 (opaque LSAs 9-11, kept raw).
 *
 *   v2 header (24 bytes)                  v3 header (16 bytes)
 *   +-------+-------+---------------+     +-------+-------+---------------+
 *   |Version| Type  | Packet length |     |Version| Type  | Packet length |
 *   +-------+-------+---------------+     +-------+-------+---------------+
 *   |          Router ID            |     |          Router ID            |
 *   +-------------------------------+     +-------------------------------+
 *   |           Area ID             |     |           Area ID             |
 *   +---------------+---------------+     +---------------+-------+-------+
 *   |   Checksum    |    AuType     |     |   Checksum    | Inst  |   0   |
 *   +---------------+---------------+     +---------------+-------+-------+
 *   |   Authentication (8 bytes)    |
 *   +-------------------------------+
 *
 *   LSA header (20 bytes; v2 has Options + an 8-bit type where v3 has a
 *   16-bit type with the U/S2/S1 scope bits on top of the function code)
 *   +---------------+-------+-------+
 *   |    LS age     |Options| Type  |
 *   +---------------+-------+-------+
 *   | Link State ID | Advertising Router | LS seq | Checksum | Length |
 *
 * One decoder claims IP protocol 89 and branches on the version field (not
 * on the IP version: the header says what it is); 2 gives an OSPFv2
 * record, 3 an OSPFv3 record, anything else NC_EUNSUPP without a record.
 *
 * The body is what Packet length declares after the header. Bytes after it
 * (the v2 cryptographic digest, the LLS block of RFC 5613) are not part of
 * the packet and are left alone. A capture shorter than the declared
 * length is decoded as far as it goes and NC_ETRUNC is returned.
 *
 * Lists (neighbours, LSA headers, requests, LSAs, links, prefixes,
 * attached routers) keep at most OSPF_MAX_LIST entries: a 64 KiB packet
 * could hold 3000 LSA headers, and real ones hold a few dozen. Past the cap
 * the rest is skipped and NC_ELIMIT returned; counts stay as on the wire.
 * Every LSA is framed by its own length (at least its 20-byte header), so
 * a bad body does not lose the next LSA's position; the first problem is
 * the verdict and the record keeps everything decoded.
 *
 * Bodies: v2 router (links without their TOS entries, whose count is kept),
 * network (mask, attached routers), summary 3/4 and AS-external 5 / NSSA 7
 * (the TOS 0 metric; further TOS entries are obsolete since RFC 2328); v3
 * router, network, inter-area prefix and router, AS-external 0x4005 and
 * NSSA 0x2007, link and intra-area prefix, each decoded by the function
 * code (the low 13 bits). Opaque and unknown LSAs keep their raw body.
 * IPv6 prefixes are stored as on the wire (ceil(length / 32) words) and
 * as text ("2001:db8::/64"); a prefix length above 128 is malformed.
 */
#include "decode/decoder.h"

#include <stdio.h>
#include <string.h>

enum {
    OSPF_IPPROTO = 89,
    OSPF_V2_HDR = 24,
    OSPF_V3_HDR = 16,
    OSPF_LSA_HDR = 20,
    OSPF_LSR_LEN = 12, /* both versions: type, link state id, advertising router */
    OSPF_MAX_LIST = 256,
    OSPF_V3_ROUTER_IF = 16, /* one interface of a v3 router-LSA */
    OSPF_V2_TOS = 4,
    OSPF_PREFIX_MAX_BITS = 128,
    OSPF_PREFIX_STRLEN = NC_IP6_STRLEN + 4, /* address, "/128" */
};

enum {
    OSPF_HELLO = 1,
    OSPF_DB_DESC = 2,
    OSPF_LS_REQ = 3,
    OSPF_LS_UPD = 4,
    OSPF_LS_ACK = 5,
};

/* LSA types: v2 type numbers, v3 function codes (type & OSPF_V3_FC_MASK) */
enum {
    LSA_ROUTER = 1,
    LSA_NETWORK = 2,
    LSA_SUMMARY_NET = 3,  /* v3: inter-area-prefix */
    LSA_SUMMARY_ASBR = 4, /* v3: inter-area-router */
    LSA_AS_EXTERNAL = 5,
    LSA_NSSA = 7,
    LSA_V3_LINK = 8,
    LSA_V3_INTRA_PREFIX = 9,
    OSPF_V3_FC_MASK = 0x1fff,
    OSPF_V3_ASE_F = 0x02, /* forwarding address present */
    OSPF_V3_ASE_T = 0x01, /* external route tag present */
};

/* The first problem wins. */
static int first(int rc, int e)
{
    return rc != NC_OK ? rc : e;
}

static char *ip4str(struct nc_pkt *pkt, uint32_t v)
{
    uint8_t a[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    return nc_pkt_ip4(pkt, a);
}

/* How many entries of size sz fit in r, and how many of those are kept. */
static size_t fit(const struct nc_rd *r, size_t sz)
{
    return nc_rd_left(r) / sz;
}

/* A list of 32-bit ids up to the end of r (neighbours, attached routers). */
static int u32_list(struct nc_pkt *pkt, struct nc_rd *r, uint32_t **out, size_t *n_out)
{
    size_t avail = fit(r, 4);
    size_t k = NC_MIN(avail, (size_t)OSPF_MAX_LIST);
    if (k > 0) {
        uint32_t *v = nc_pkt_alloc(pkt, k * sizeof(*v));
        if (!v) {
            return NC_ELIMIT;
        }
        for (size_t i = 0; i < k; i++) {
            v[i] = nc_rd_be32(r);
        }
        *out = v;
        *n_out = k;
    }
    if (avail > k) {
        return NC_ELIMIT;
    }
    return nc_rd_left(r) ? NC_ETRUNC : NC_OK;
}

static int lsa_header(struct nc_pkt *pkt, int ver, struct nc_rd *r, Netcap__LSAheader **out)
{
    uint16_t age = nc_rd_be16(r);
    uint8_t opts = 0;
    uint16_t type;
    if (ver == 2) {
        opts = nc_rd_u8(r);
        type = nc_rd_u8(r);
    } else {
        type = nc_rd_be16(r);
    }
    uint32_t lsid = nc_rd_be32(r);
    uint32_t adv = nc_rd_be32(r);
    uint32_t seq = nc_rd_be32(r);
    uint16_t cksum = nc_rd_be16(r);
    uint16_t len = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__LSAheader *h = nc_pkt_alloc(pkt, sizeof(*h));
    if (!h) {
        return NC_ELIMIT;
    }
    netcap__lsaheader__init(h);
    h->ls_age = age;
    h->ls_type = type;
    h->link_state_id = lsid;
    h->adv_router = adv;
    h->ls_sequence_number = seq;
    h->ls_checksum = cksum;
    h->length = len;
    h->ls_options = opts;
    *out = h;
    return NC_OK;
}

/* LSA headers up to the end of r (database description, LS acknowledgment). */
static int lsa_header_list(
        struct nc_pkt *pkt, int ver, struct nc_rd *r, Netcap__LSAheader ***out, size_t *n_out)
{
    size_t avail = fit(r, OSPF_LSA_HDR);
    size_t k = NC_MIN(avail, (size_t)OSPF_MAX_LIST);
    if (k > 0) {
        Netcap__LSAheader **v = nc_pkt_alloc(pkt, k * sizeof(*v));
        if (!v) {
            return NC_ELIMIT;
        }
        *out = v;
        for (size_t i = 0; i < k; i++) {
            int rc = lsa_header(pkt, ver, r, &v[i]);
            if (rc != NC_OK) {
                return rc;
            }
            *n_out = i + 1;
        }
    }
    if (avail > k) {
        return NC_ELIMIT;
    }
    return nc_rd_left(r) ? NC_ETRUNC : NC_OK;
}

/* An IPv6 prefix (RFC 5340 A.4.1): length, options, a 16-bit field whose
 * meaning depends on the LSA (metric, reserved, referenced LS type), then
 * ceil(length / 32) words of address. */
struct prefix {
    uint8_t len;
    uint8_t opts;
    uint16_t x;
    struct nc_span addr;
    char *text;
};

static char no_text[1] = ""; /* the arena was full */

static int read_prefix(struct nc_pkt *pkt, struct nc_rd *r, struct prefix *p)
{
    p->text = no_text;
    p->len = nc_rd_u8(r);
    p->opts = nc_rd_u8(r);
    p->x = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (p->len > OSPF_PREFIX_MAX_BITS) {
        return NC_EMALFORMED;
    }
    size_t n = ((size_t)p->len + 31) / 32 * 4;
    p->addr = nc_rd_span(r, n);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    uint8_t a[16] = { 0 };
    struct nc_rd ar = nc_rd_make(p->addr.p, p->addr.len);
    nc_rd_copy(&ar, a, n); /* n <= 16 (length checked above) */
    char ip[NC_IP6_STRLEN];
    nc_fmt_ip6(ip, a);
    char *t = nc_pkt_alloc(pkt, OSPF_PREFIX_STRLEN);
    if (t) {
        snprintf(t, OSPF_PREFIX_STRLEN, "%s/%u", ip, (unsigned)p->len);
        p->text = t;
    }
    return NC_OK;
}

/* n prefixes of the link and intra-area-prefix LSAs. */
static int prefix_list(
        struct nc_pkt *pkt, struct nc_rd *r, size_t n, Netcap__LSAPrefix ***out, size_t *n_out)
{
    size_t k = NC_MIN(n, (size_t)OSPF_MAX_LIST);
    Netcap__LSAPrefix **v = NULL;
    /* every prefix takes at least 4 bytes: no allocation beyond what r holds */
    if (k > 0 && k <= fit(r, 4)) {
        v = nc_pkt_alloc(pkt, k * sizeof(*v));
        if (!v) {
            return NC_ELIMIT;
        }
        *out = v;
    }
    for (size_t i = 0; i < k; i++) {
        struct prefix p;
        int rc = read_prefix(pkt, r, &p);
        if (rc != NC_OK) {
            return rc;
        }
        Netcap__LSAPrefix *e = v ? nc_pkt_alloc(pkt, sizeof(*e)) : NULL;
        if (!e) {
            return NC_ELIMIT;
        }
        netcap__lsaprefix__init(e);
        e->prefix_length = p.len;
        e->prefix_options = p.opts;
        e->metric = p.x; /* reserved (0) in link-LSAs */
        e->address_prefix = nc_bytes(p.addr);
        e->prefix = p.text;
        v[i] = e;
        *n_out = i + 1;
    }
    return n > k ? NC_ELIMIT : NC_OK;
}

/* ------------------------------------------------------------ v2 bodies */

static int lsa_v2_router(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__RouterLSAV2 *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__router_lsav2__init(m);
    lsa->router_lsa_v2 = m;
    m->flags = nc_rd_u8(b);
    nc_rd_skip(b, 1);
    uint16_t links = nc_rd_be16(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    m->links = links;
    size_t k = NC_MIN((size_t)links, (size_t)OSPF_MAX_LIST);
    if (k > 0) {
        m->routers = nc_pkt_alloc(pkt, k * sizeof(*m->routers));
        if (!m->routers) {
            return NC_ELIMIT;
        }
    }
    for (size_t i = 0; i < k; i++) {
        uint32_t id = nc_rd_be32(b);
        uint32_t data = nc_rd_be32(b);
        uint8_t type = nc_rd_u8(b);
        uint8_t ntos = nc_rd_u8(b);
        uint16_t metric = nc_rd_be16(b);
        nc_rd_skip(b, (size_t)ntos * OSPF_V2_TOS);
        if (!nc_rd_ok(b)) {
            return b->err;
        }
        Netcap__RouterV2 *l = nc_pkt_alloc(pkt, sizeof(*l));
        if (!l) {
            return NC_ELIMIT;
        }
        netcap__router_v2__init(l);
        l->type = type;
        l->link_id = id;
        l->link_data = data;
        l->metric = metric;
        l->num_tos = ntos;
        m->routers[m->n_routers++] = l;
    }
    return links > k ? NC_ELIMIT : NC_OK;
}

static int lsa_v2_network(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__NetworkLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__network_lsa__init(m);
    lsa->network_lsa = m;
    m->network_mask = nc_rd_be32(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    return u32_list(pkt, b, &m->attached_router, &m->n_attached_router);
}

static int lsa_v2_summary(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__SummaryLSAV2 *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__summary_lsav2__init(m);
    lsa->summary_lsa_v2 = m;
    m->network_mask = nc_rd_be32(b);
    m->metric = nc_rd_be32(b) & 0xffffff; /* a zero octet, then the TOS 0 metric */
    return b->err;
}

static int lsa_v2_external(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__ASExternalLSAV2 *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__asexternal_lsav2__init(m);
    lsa->ase_lsa_v2 = m;
    m->network_mask = nc_rd_be32(b);
    uint32_t w = nc_rd_be32(b);
    m->external_bit = (int32_t)(w >> 31);
    m->metric = w & 0xffffff;
    m->forwarding_address = nc_rd_be32(b);
    m->external_route_tag = nc_rd_be32(b);
    return b->err;
}

/* ------------------------------------------------------------ v3 bodies */

static int lsa_v3_router(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__RouterLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__router_lsa__init(m);
    lsa->router_lsa = m;
    m->flags = nc_rd_u8(b);
    m->options = nc_rd_be24(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    size_t avail = fit(b, OSPF_V3_ROUTER_IF);
    size_t k = NC_MIN(avail, (size_t)OSPF_MAX_LIST);
    if (k > 0) {
        m->routers = nc_pkt_alloc(pkt, k * sizeof(*m->routers));
        if (!m->routers) {
            return NC_ELIMIT;
        }
    }
    for (size_t i = 0; i < k; i++) {
        Netcap__Router *e = nc_pkt_alloc(pkt, sizeof(*e));
        if (!e) {
            return NC_ELIMIT;
        }
        netcap__router__init(e);
        e->type = nc_rd_u8(b);
        nc_rd_skip(b, 1);
        e->metric = nc_rd_be16(b);
        e->interface_id = nc_rd_be32(b);
        e->neighbor_interface_id = nc_rd_be32(b);
        e->neighbor_router_id = nc_rd_be32(b);
        m->routers[m->n_routers++] = e;
    }
    if (avail > k) {
        return NC_ELIMIT;
    }
    return nc_rd_left(b) ? NC_ETRUNC : NC_OK;
}

static int lsa_v3_network(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__NetworkLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__network_lsa__init(m);
    lsa->network_lsa = m;
    m->options = nc_rd_be32(b) & 0xffffff;
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    return u32_list(pkt, b, &m->attached_router, &m->n_attached_router);
}

static int lsa_v3_inter_prefix(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__InterAreaPrefixLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__inter_area_prefix_lsa__init(m);
    lsa->inter_area_prefix_lsa = m;
    m->metric = nc_rd_be32(b) & 0xffffff;
    struct prefix p;
    int rc = read_prefix(pkt, b, &p);
    if (rc != NC_OK) {
        return rc;
    }
    m->prefix_length = p.len;
    m->prefix_options = p.opts;
    m->address_prefix = nc_bytes(p.addr);
    m->prefix = p.text;
    return NC_OK;
}

static int lsa_v3_inter_router(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__InterAreaRouterLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__inter_area_router_lsa__init(m);
    lsa->inter_area_router_lsa = m;
    m->options = nc_rd_be32(b) & 0xffffff;
    m->metric = nc_rd_be32(b) & 0xffffff;
    m->destination_router_id = nc_rd_be32(b);
    return b->err;
}

static int lsa_v3_external(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__ASExternalLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__asexternal_lsa__init(m);
    lsa->ase_lsa = m;
    m->flags = nc_rd_u8(b);
    m->metric = nc_rd_be24(b);
    struct prefix p;
    int rc = read_prefix(pkt, b, &p);
    if (rc != NC_OK) {
        return rc;
    }
    m->prefix_length = p.len;
    m->prefix_options = p.opts;
    m->ref_ls_type = p.x;
    m->address_prefix = nc_bytes(p.addr);
    m->prefix = p.text;
    if (m->flags & OSPF_V3_ASE_F) {
        uint8_t fwd[16];
        nc_rd_copy(b, fwd, sizeof(fwd));
        if (nc_rd_ok(b)) {
            m->forwarding_address = nc_pkt_ip6(pkt, fwd);
        }
    }
    if (m->flags & OSPF_V3_ASE_T) {
        m->external_route_tag = nc_rd_be32(b);
    }
    if (m->ref_ls_type != 0) {
        m->ref_link_state_id = nc_rd_be32(b);
    }
    return b->err;
}

static int lsa_v3_link(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__LinkLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__link_lsa__init(m);
    lsa->link_lsa = m;
    m->rtr_priority = nc_rd_u8(b);
    m->options = nc_rd_be24(b);
    uint8_t lla[16];
    nc_rd_copy(b, lla, sizeof(lla));
    m->num_of_prefixes = nc_rd_be32(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    m->link_local_address = nc_pkt_ip6(pkt, lla);
    return prefix_list(pkt, b, m->num_of_prefixes, &m->prefixes, &m->n_prefixes);
}

static int lsa_v3_intra_prefix(struct nc_pkt *pkt, struct nc_rd *b, Netcap__LSA *lsa)
{
    Netcap__IntraAreaPrefixLSA *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NC_ELIMIT;
    }
    netcap__intra_area_prefix_lsa__init(m);
    lsa->intra_area_prefix_lsa = m;
    m->num_of_prefixes = nc_rd_be16(b);
    m->ref_ls_type = nc_rd_be16(b);
    m->ref_link_state_id = nc_rd_be32(b);
    m->ref_adv_router = nc_rd_be32(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    return prefix_list(pkt, b, (size_t)m->num_of_prefixes, &m->prefixes, &m->n_prefixes);
}

static int lsa_body(struct nc_pkt *pkt, int ver, uint16_t type, struct nc_rd *b, Netcap__LSA *lsa)
{
    if (ver == 2) {
        switch (type) {
            case LSA_ROUTER:
                return lsa_v2_router(pkt, b, lsa);
            case LSA_NETWORK:
                return lsa_v2_network(pkt, b, lsa);
            case LSA_SUMMARY_NET:
            case LSA_SUMMARY_ASBR:
                return lsa_v2_summary(pkt, b, lsa);
            case LSA_AS_EXTERNAL:
            case LSA_NSSA:
                return lsa_v2_external(pkt, b, lsa);
            default:
                break;
        }
    } else {
        switch (type & OSPF_V3_FC_MASK) {
            case LSA_ROUTER:
                return lsa_v3_router(pkt, b, lsa);
            case LSA_NETWORK:
                return lsa_v3_network(pkt, b, lsa);
            case LSA_SUMMARY_NET:
                return lsa_v3_inter_prefix(pkt, b, lsa);
            case LSA_SUMMARY_ASBR:
                return lsa_v3_inter_router(pkt, b, lsa);
            case LSA_AS_EXTERNAL:
            case LSA_NSSA:
                return lsa_v3_external(pkt, b, lsa);
            case LSA_V3_LINK:
                return lsa_v3_link(pkt, b, lsa);
            case LSA_V3_INTRA_PREFIX:
                return lsa_v3_intra_prefix(pkt, b, lsa);
            default:
                break;
        }
    }
    lsa->body = nc_bytes(nc_rd_rest(b)); /* opaque or unknown: raw */
    return NC_OK;
}

/* ----------------------------------------------------------- packet bodies */

/* What a packet body decodes to; copied into the version's record. */
struct ospf_body {
    Netcap__HelloPkgV2 *hello_v2;
    Netcap__HelloPkg *hello;
    Netcap__DbDescPkg *db_desc;
    Netcap__LSReq **lsr;
    size_t n_lsr;
    Netcap__LSUpdate *lsu;
    Netcap__LSAheader **acks;
    size_t n_acks;
};

static int ospf_hello(struct nc_pkt *pkt, int ver, struct nc_rd *b, struct ospf_body *o)
{
    if (ver == 2) {
        Netcap__HelloPkgV2 *h = nc_pkt_alloc(pkt, sizeof(*h));
        if (!h) {
            return NC_ELIMIT;
        }
        netcap__hello_pkg_v2__init(h);
        o->hello_v2 = h;
        h->network_mask = nc_rd_be32(b);
        h->hello_interval = nc_rd_be16(b);
        h->options = nc_rd_u8(b);
        h->rtr_priority = nc_rd_u8(b);
        h->router_dead_interval = nc_rd_be32(b);
        h->designated_router_id = nc_rd_be32(b);
        h->backup_designated_router_id = nc_rd_be32(b);
        if (!nc_rd_ok(b)) {
            return b->err;
        }
        return u32_list(pkt, b, &h->neighbor_id, &h->n_neighbor_id);
    }
    Netcap__HelloPkg *h = nc_pkt_alloc(pkt, sizeof(*h));
    if (!h) {
        return NC_ELIMIT;
    }
    netcap__hello_pkg__init(h);
    o->hello = h;
    h->interface_id = nc_rd_be32(b);
    h->rtr_priority = nc_rd_u8(b);
    h->options = nc_rd_be24(b);
    h->hello_interval = nc_rd_be16(b);
    h->router_dead_interval = nc_rd_be16(b);
    h->designated_router_id = nc_rd_be32(b);
    h->backup_designated_router_id = nc_rd_be32(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    return u32_list(pkt, b, &h->neighbor_id, &h->n_neighbor_id);
}

static int ospf_db_desc(struct nc_pkt *pkt, int ver, struct nc_rd *b, struct ospf_body *o)
{
    Netcap__DbDescPkg *d = nc_pkt_alloc(pkt, sizeof(*d));
    if (!d) {
        return NC_ELIMIT;
    }
    netcap__db_desc_pkg__init(d);
    o->db_desc = d;
    if (ver == 2) {
        d->interface_mtu = nc_rd_be16(b);
        d->options = nc_rd_u8(b);
        d->flags = nc_rd_u8(b);
    } else {
        d->options = nc_rd_be32(b) & 0xffffff; /* a reserved octet, then 24 bits */
        d->interface_mtu = nc_rd_be16(b);
        nc_rd_skip(b, 1);
        d->flags = nc_rd_u8(b);
    }
    d->dd_sequence_number = nc_rd_be32(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    return lsa_header_list(pkt, ver, b, &d->lsa_info, &d->n_lsa_info);
}

static int ospf_ls_req(struct nc_pkt *pkt, int ver, struct nc_rd *b, struct ospf_body *o)
{
    size_t avail = fit(b, OSPF_LSR_LEN);
    size_t k = NC_MIN(avail, (size_t)OSPF_MAX_LIST);
    if (k > 0) {
        o->lsr = nc_pkt_alloc(pkt, k * sizeof(*o->lsr));
        if (!o->lsr) {
            return NC_ELIMIT;
        }
    }
    for (size_t i = 0; i < k; i++) {
        Netcap__LSReq *q = nc_pkt_alloc(pkt, sizeof(*q));
        if (!q) {
            return NC_ELIMIT;
        }
        netcap__lsreq__init(q);
        /* v2: a 32-bit type; v3: 16 reserved bits, then the 16-bit type */
        uint32_t t = nc_rd_be32(b);
        q->ls_type = (int32_t)(ver == 2 ? t : t & 0xffff);
        q->link_state_id = nc_rd_be32(b);
        q->adv_router = nc_rd_be32(b);
        o->lsr[o->n_lsr++] = q;
    }
    if (avail > k) {
        return NC_ELIMIT;
    }
    return nc_rd_left(b) ? NC_ETRUNC : NC_OK;
}

static int ospf_ls_upd(struct nc_pkt *pkt, int ver, struct nc_rd *b, struct ospf_body *o)
{
    Netcap__LSUpdate *u = nc_pkt_alloc(pkt, sizeof(*u));
    if (!u) {
        return NC_ELIMIT;
    }
    netcap__lsupdate__init(u);
    o->lsu = u;
    u->num_of_lsas = nc_rd_be32(b);
    if (!nc_rd_ok(b)) {
        return b->err;
    }
    size_t k = NC_MIN((size_t)u->num_of_lsas, (size_t)OSPF_MAX_LIST);
    k = NC_MIN(k, fit(b, OSPF_LSA_HDR)); /* no more than the body can frame */
    if (k > 0) {
        u->lsas = nc_pkt_alloc(pkt, k * sizeof(*u->lsas));
        if (!u->lsas) {
            return NC_ELIMIT;
        }
    }
    int rc = NC_OK;
    for (size_t i = 0; i < k; i++) {
        Netcap__LSA *lsa = nc_pkt_alloc(pkt, sizeof(*lsa));
        if (!lsa) {
            return NC_ELIMIT;
        }
        netcap__lsa__init(lsa);
        int hrc = lsa_header(pkt, ver, b, &lsa->header);
        if (hrc != NC_OK) {
            return first(rc, hrc);
        }
        u->lsas[u->n_lsas++] = lsa;
        size_t len = (size_t)lsa->header->length;
        if (len < OSPF_LSA_HDR) {
            return first(rc, NC_EMALFORMED); /* the next LSA cannot be found */
        }
        struct nc_rd body = nc_rd_sub(b, NC_MIN(len - OSPF_LSA_HDR, nc_rd_left(b)));
        int brc = lsa_body(pkt, ver, (uint16_t)lsa->header->ls_type, &body, lsa);
        rc = first(rc, brc);
        if (len - OSPF_LSA_HDR > body.len) {
            return first(rc, NC_ETRUNC); /* the LSA runs past the packet */
        }
    }
    if (rc == NC_OK && (size_t)u->num_of_lsas > k) {
        /* more LSAs announced than kept: past the cap, or than the body holds */
        rc = k == OSPF_MAX_LIST ? NC_ELIMIT : NC_ETRUNC;
    }
    return rc;
}

static int ospf_body(struct nc_pkt *pkt, int ver, int type, struct nc_rd *b, struct ospf_body *o)
{
    switch (type) {
        case OSPF_HELLO:
            return ospf_hello(pkt, ver, b, o);
        case OSPF_DB_DESC:
            return ospf_db_desc(pkt, ver, b, o);
        case OSPF_LS_REQ:
            return ospf_ls_req(pkt, ver, b, o);
        case OSPF_LS_UPD:
            return ospf_ls_upd(pkt, ver, b, o);
        case OSPF_LS_ACK:
            return lsa_header_list(pkt, ver, b, &o->acks, &o->n_acks);
        default:
            return NC_EUNSUPP;
    }
}

static int ospf_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t ver = nc_rd_u8(r);
    uint8_t type = nc_rd_u8(r);
    uint16_t len = nc_rd_be16(r);
    uint32_t rid = nc_rd_be32(r);
    uint32_t area = nc_rd_be32(r);
    uint16_t cksum = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (ver != 2 && ver != 3) {
        return NC_EUNSUPP;
    }
    size_t hdr = ver == 2 ? OSPF_V2_HDR : OSPF_V3_HDR;
    uint16_t autype = 0;
    uint64_t auth = 0;
    uint8_t instance = 0, reserved = 0;
    if (ver == 2) {
        autype = nc_rd_be16(r);
        auth = nc_rd_be64(r);
    } else {
        instance = nc_rd_u8(r);
        reserved = nc_rd_u8(r);
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (len < hdr) {
        return NC_EMALFORMED;
    }
    /* l4_payload stays 0: the packet is decoded whole, none of it is payload */
    pkt->ctx.ip_proto = OSPF_IPPROTO;
    size_t blen = (size_t)len - hdr;
    bool cut = blen > nc_rd_left(r);
    struct nc_rd b = nc_rd_sub(r, NC_MIN(blen, nc_rd_left(r)));

    struct ospf_body o;
    memset(&o, 0, sizeof(o));
    int rc = ospf_body(pkt, ver, type, &b, &o);
    if (rc == NC_OK && cut) {
        rc = NC_ETRUNC;
    }
    if (ver == 2) {
        Netcap__OSPFv2 *rec = nc_pkt_record(pkt, NC_REC_OSPFv2);
        if (rec) {
            rec->version = ver;
            rec->type = type;
            rec->packet_length = len;
            rec->router_id = rid;
            rec->area_id = area;
            rec->router_id_str = ip4str(pkt, rid);
            rec->area_id_str = ip4str(pkt, area);
            rec->checksum = cksum;
            rec->au_type = autype;
            rec->authentication = (int64_t)auth;
            rec->hello_v2 = o.hello_v2;
            rec->db_desc = o.db_desc;
            rec->lsr = o.lsr;
            rec->n_lsr = o.n_lsr;
            rec->lsu = o.lsu;
            rec->lsas = o.acks;
            rec->n_lsas = o.n_acks;
        }
    } else {
        Netcap__OSPFv3 *rec = nc_pkt_record(pkt, NC_REC_OSPFv3);
        if (rec) {
            rec->version = ver;
            rec->type = type;
            rec->packet_length = len;
            rec->router_id = rid;
            rec->area_id = area;
            rec->router_id_str = ip4str(pkt, rid);
            rec->area_id_str = ip4str(pkt, area);
            rec->checksum = cksum;
            rec->instance = instance;
            rec->reserved = reserved;
            rec->hello = o.hello;
            rec->db_desc = o.db_desc;
            rec->lsr = o.lsr;
            rec->n_lsr = o.n_lsr;
            rec->lsu = o.lsu;
            rec->lsas = o.acks;
            rec->n_lsas = o.n_acks;
        }
    }
    return rc;
}

static const struct nc_claim ospf_claims[] = { { NC_NS_IPPROTO, OSPF_IPPROTO } };
const struct nc_decoder nc_decoder_ospf = {
    .name = "ospf",
    .display = "OSPF",
    .layer = NC_LAYER_TRANSPORT,
    .claims = ospf_claims,
    .n_claims = NC_ARRAY_LEN(ospf_claims),
    .decode = ospf_decode,
};
