/*
 * summary: LLDP data unit -> LinkLayerDiscovery (the mandatory TLVs, the
 *          others raw) and LinkLayerDiscoveryInfo (the optional TLVs
 *          decoded), one of each per frame.
 * spec:    IEEE 802.1AB-2016 8 (LLDPDU and TLV formats), Annex D (IEEE 802.1
 *          organizationally specific TLVs), Annex E (IEEE 802.3); ANSI/TIA-1057
 *          10.2.6 (LLDP-MED inventory); IANA address family numbers;
 *          X.690 8.19 (object identifiers).
 *
 *   TLV    +-----------+-------------+----------------------
 *          | type (7b) | length (9b) | value (length bytes)
 *          +-----------+-------------+----------------------
 *   LLDPDU Chassis ID (1), Port ID (2), Time To Live (3), optional TLVs,
 *          End Of LLDPDU (0, optional since 802.1AB-2016)
 *
 * Chassis ID, Port ID and TTL are taken from the first TLV of each type,
 * wherever it is; if they are missing or out of order the records are
 * still written and the frame is counted as malformed. Every other TLV
 * (End excluded) is in LinkLayerDiscovery.values. The Info record decodes
 * types 4-8 and the organisation TLVs users ask about (802.1 port VLAN and
 * VLAN names, 802.3 MAC/PHY and maximum frame size, LLDP-MED inventory),
 * keeping every organisation TLV raw in org_tlvs too; types 9-126, and
 * known TLVs too short for their format, are in Info.unknown. Bytes after
 * End (Ethernet padding) are ignored.
 *
 * The helpers of disc_int.h live here too (hex, object identifiers,
 * addresses by IANA family).
 */
#include "decode/decoder.h"

#include <stdio.h>

#include "decode/disc_int.h"

enum {
    LLDP_MAX_TLVS = 256, /* a 1500-byte frame holds 750 empty TLVs; real LLDPDUs carry < 40 */
    LLDP_TLV_END = 0,
    LLDP_TLV_CHASSIS = 1,
    LLDP_TLV_PORT = 2,
    LLDP_TLV_TTL = 3,
    LLDP_TLV_PORT_DESC = 4,
    LLDP_TLV_SYS_NAME = 5,
    LLDP_TLV_SYS_DESC = 6,
    LLDP_TLV_SYS_CAP = 7,
    LLDP_TLV_MGMT = 8,
    LLDP_TLV_ORG = 127,
    LLDP_CHASSIS_MAC = 4, /* 8.5.2.2 chassis ID subtypes */
    LLDP_CHASSIS_ADDR = 5,
    LLDP_PORT_MAC = 3, /* 8.5.3.2 port ID subtypes */
    LLDP_PORT_ADDR = 4,
    LLDP_OUI_8021 = 0x0080c2,
    LLDP_OUI_8023 = 0x00120f,
    LLDP_OUI_MED = 0x0012bb,
    LLDP_8021_PVID = 1,
    LLDP_8021_VLAN_NAME = 3,
    LLDP_8023_MAC_PHY = 1,
    LLDP_8023_MAX_FRAME = 4,
    LLDP_MED_HW_REV = 5, /* TIA-1057 inventory subtypes 5 (hardware revision) to 11 (asset id) */
    LLDP_MED_ASSET_ID = 11,
    OID_MAX_ARCS = 128, /* an LLDP OID string is at most 128 octets, one arc each at least */
    BER_OID_TAG = 0x06,
    IANA_AF_IPV4 = 1,
    IANA_AF_IPV6 = 2,
    IANA_AF_802 = 6,
};

struct lldp_tlv {
    uint8_t type;
    uint16_t len;
    struct nc_span v;
};

/* ---- helpers shared through disc_int.h ------------------------------ */

static char empty[1] = "";

char *nc_disc_hex(struct nc_pkt *pkt, struct nc_span s)
{
    static const char digits[] = "0123456789abcdef";
    char *out = s.len ? nc_pkt_alloc(pkt, 2 * s.len + 1) : NULL;
    if (!out) {
        return empty;
    }
    struct nc_rd r = nc_rd_make(s.p, s.len);
    for (size_t i = 0; i < s.len; i++) {
        uint8_t b = nc_rd_u8(&r);
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    out[2 * s.len] = '\0';
    return out;
}

char *nc_disc_oid(struct nc_pkt *pkt, struct nc_span s)
{
    struct nc_rd r = nc_rd_make(s.p, s.len);
    if (s.len >= 2 && nc_rd_peek(&r, 0) == BER_OID_TAG && (size_t)nc_rd_peek(&r, 1) == s.len - 2) {
        nc_rd_skip(&r, 2); /* a whole BER value: tag and short length */
    }
    if (nc_rd_left(&r) == 0) {
        return s.len ? nc_disc_hex(pkt, s) : empty;
    }
    /* at most one arc per octet, 20 digits and a dot each, plus the split first arc */
    size_t cap = (nc_rd_left(&r) + 1) * 21 + 1;
    char *out = nc_pkt_alloc(pkt, cap);
    if (!out) {
        return empty;
    }
    size_t len = 0;
    bool first = true;
    while (nc_rd_left(&r) > 0) {
        uint64_t v = 0;
        uint8_t b;
        do {
            if (v >> 57) {
                return nc_disc_hex(pkt, s); /* over 64 bits */
            }
            b = nc_rd_u8(&r);
            v = v << 7 | (b & 0x7f);
        } while ((b & 0x80) && nc_rd_left(&r) > 0);
        if (b & 0x80) {
            return nc_disc_hex(pkt, s); /* ends inside a subidentifier */
        }
        int w;
        if (first) {
            unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2; /* X.690 8.19.4 */
            w = snprintf(out + len, cap - len, "%u.%llu", top, (unsigned long long)(v - 40u * top));
            first = false;
        } else {
            w = snprintf(out + len, cap - len, ".%llu", (unsigned long long)v);
        }
        if (w < 0 || (size_t)w >= cap - len) {
            return nc_disc_hex(pkt, s); /* cannot happen: cap covers 20 digits per octet */
        }
        len += (size_t)w;
    }
    return out;
}

char *nc_disc_addr(struct nc_pkt *pkt, unsigned family, struct nc_span a)
{
    struct nc_rd r = nc_rd_make(a.p, a.len);
    if (family == IANA_AF_IPV4 && a.len == 4) {
        uint8_t ip[4];
        nc_rd_copy(&r, ip, sizeof(ip));
        return nc_pkt_ip4(pkt, ip);
    }
    if (family == IANA_AF_IPV6 && a.len == 16) {
        uint8_t ip[16];
        nc_rd_copy(&r, ip, sizeof(ip));
        return nc_pkt_ip6(pkt, ip);
    }
    if (family == IANA_AF_802 && a.len == 6) {
        uint8_t mac[6];
        nc_rd_copy(&r, mac, sizeof(mac));
        return nc_pkt_mac(pkt, mac);
    }
    return nc_disc_hex(pkt, a);
}

/* ---- TLVs ------------------------------------------------------------ */

/* Splits the LLDPDU into TLVs up to End or the end of the window. */
static int lldp_split(struct nc_rd *r, struct lldp_tlv *t, size_t *n)
{
    *n = 0;
    while (nc_rd_left(r) > 0) {
        uint16_t h = nc_rd_be16(r);
        uint16_t len = h & 0x1ff;
        struct nc_span v = nc_rd_span(r, len);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        uint8_t type = (uint8_t)(h >> 9);
        if (type == LLDP_TLV_END) {
            return NC_OK;
        }
        if (*n == LLDP_MAX_TLVS) {
            return NC_ELIMIT;
        }
        t[*n].type = type;
        t[*n].len = len;
        t[*n].v = v;
        (*n)++;
    }
    return NC_OK;
}

static int first_of(const struct lldp_tlv *t, size_t n, uint8_t type)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].type == type) {
            return (int)i;
        }
    }
    return -1;
}

/* The TLVs whose pick[] is set, as repeated LinkLayerDiscoveryValue. */
static void tlv_values(struct nc_pkt *pkt, const struct lldp_tlv *t, size_t n, const bool *pick,
        Netcap__LinkLayerDiscoveryValue ***out, size_t *n_out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += pick[i];
    }
    if (k == 0) {
        return;
    }
    Netcap__LinkLayerDiscoveryValue **v = nc_pkt_alloc(pkt, k * sizeof(*v));
    Netcap__LinkLayerDiscoveryValue *store = nc_pkt_alloc(pkt, k * sizeof(*store));
    if (!v || !store) {
        return;
    }
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (pick[i]) {
            netcap__link_layer_discovery_value__init(&store[k]);
            store[k].type = t[i].type;
            store[k].length = t[i].len;
            store[k].value = nc_bytes(t[i].v);
            v[k] = &store[k];
            k++;
        }
    }
    *out = v;
    *n_out = k;
}

/* Chassis or port id text: MAC for mac_sub, "network address" (family
 * octet, address) for addr_sub, sanitised text otherwise. */
static char *id_text(struct nc_pkt *pkt, unsigned subtype, struct nc_span id, unsigned mac_sub,
        unsigned addr_sub)
{
    if (subtype == mac_sub) {
        return nc_pkt_hwaddr(pkt, id.p, id.len);
    }
    if (subtype == addr_sub && id.len >= 1) {
        struct nc_rd r = nc_rd_make(id.p, id.len);
        unsigned family = nc_rd_u8(&r);
        return nc_disc_addr(pkt, family, nc_rd_rest(&r));
    }
    return nc_pkt_str(pkt, id.p, id.len);
}

/* Chassis ID / Port ID value: subtype octet, then 1-255 octets of id. */
static int read_id(const struct lldp_tlv *t, unsigned *subtype, struct nc_span *id)
{
    struct nc_rd r = nc_rd_make(t->v.p, t->v.len);
    *subtype = nc_rd_u8(&r);
    *id = nc_rd_rest(&r);
    return t->len >= 2 ? NC_OK : NC_EMALFORMED;
}

static Netcap__LLDPCapabilities *caps(struct nc_pkt *pkt, uint16_t bits)
{
    Netcap__LLDPCapabilities *c = nc_pkt_alloc(pkt, sizeof(*c));
    if (!c) {
        return NULL;
    }
    netcap__lldpcapabilities__init(c);
    c->other = (bits & 0x0001) != 0;
    c->repeater = (bits & 0x0002) != 0;
    c->bridge = (bits & 0x0004) != 0;
    c->wlanap = (bits & 0x0008) != 0;
    c->router = (bits & 0x0010) != 0;
    c->phone = (bits & 0x0020) != 0;
    c->doc_sis = (bits & 0x0040) != 0;
    c->station_only = (bits & 0x0080) != 0;
    c->cvlan = (bits & 0x0100) != 0;
    c->svlan = (bits & 0x0200) != 0;
    c->tmpr = (bits & 0x0400) != 0;
    c->bits = bits;
    return c;
}

/* 8.5.9 Management Address: address string length (subtype + address,
 * 2-32), subtype, address, interface numbering subtype, interface number
 * (4), OID string length, OID. With m NULL only checks. */
static int mgmt_address(struct nc_pkt *pkt, struct nc_span v, Netcap__LLDPMgmtAddress *m)
{
    struct nc_rd r = nc_rd_make(v.p, v.len);
    uint8_t alen = nc_rd_u8(&r);
    struct nc_rd a = nc_rd_sub(&r, alen);
    uint8_t if_sub = nc_rd_u8(&r);
    uint32_t if_num = nc_rd_be32(&r);
    uint8_t olen = nc_rd_u8(&r);
    struct nc_span oid = nc_rd_span(&r, olen);
    if (!nc_rd_ok(&r) || alen < 2) {
        return NC_EMALFORMED;
    }
    if (m) {
        uint8_t family = nc_rd_u8(&a);
        struct nc_span addr = nc_rd_rest(&a);
        m->subtype = family;
        m->address = nc_bytes(addr);
        m->address_text = nc_disc_addr(pkt, family, addr);
        m->interface_subtype = if_sub;
        m->interface_number = if_num;
        m->oid = nc_disc_oid(pkt, oid);
    }
    return NC_OK;
}

/* One organisation TLV's decoded fields (the raw TLV is in org_tlvs). With
 * info NULL only checks. Returns NC_EMALFORMED for a value too short for
 * its subtype. */
static int org_fields(struct nc_pkt *pkt, uint32_t oui, unsigned sub, struct nc_span s,
        Netcap__LinkLayerDiscoveryInfo *info, size_t vlan_cap)
{
    struct nc_rd r = nc_rd_make(s.p, s.len);
    if (oui == LLDP_OUI_8021 && sub == LLDP_8021_PVID) {
        uint16_t pvid = nc_rd_be16(&r);
        if (!nc_rd_ok(&r)) {
            return NC_EMALFORMED;
        }
        if (info && info->port_vlan_id == 0) {
            info->port_vlan_id = pvid;
        }
    } else if (oui == LLDP_OUI_8021 && sub == LLDP_8021_VLAN_NAME) {
        uint16_t vid = nc_rd_be16(&r);
        uint8_t nlen = nc_rd_u8(&r);
        struct nc_span name = nc_rd_span(&r, nlen);
        if (!nc_rd_ok(&r)) {
            return NC_EMALFORMED;
        }
        Netcap__LLDPVLANName *vn = info && info->vlan_names ? nc_pkt_alloc(pkt, sizeof(*vn)) : NULL;
        if (vn) {
            netcap__lldpvlanname__init(vn);
            vn->vlan_id = vid;
            vn->name = nc_pkt_str(pkt, name.p, name.len);
            if (info->n_vlan_names < vlan_cap) {
                info->vlan_names[info->n_vlan_names++] = vn;
            }
        }
    } else if (oui == LLDP_OUI_8023 && sub == LLDP_8023_MAC_PHY) {
        uint8_t an = nc_rd_u8(&r);
        uint16_t pmd = nc_rd_be16(&r);
        uint16_t mau = nc_rd_be16(&r);
        if (!nc_rd_ok(&r)) {
            return NC_EMALFORMED;
        }
        Netcap__LLDPMACPHY *mp = info && !info->mac_phy ? nc_pkt_alloc(pkt, sizeof(*mp)) : NULL;
        if (mp) {
            netcap__lldpmacphy__init(mp);
            mp->autoneg_supported = (an & 0x01) != 0;
            mp->autoneg_enabled = (an & 0x02) != 0;
            mp->pmd_autoneg_capability = pmd;
            mp->mau_type = mau;
            info->mac_phy = mp;
        }
    } else if (oui == LLDP_OUI_8023 && sub == LLDP_8023_MAX_FRAME) {
        uint16_t mfs = nc_rd_be16(&r);
        if (!nc_rd_ok(&r)) {
            return NC_EMALFORMED;
        }
        if (info && info->max_frame_size == 0) {
            info->max_frame_size = mfs;
        }
    } else if (oui == LLDP_OUI_MED && sub >= LLDP_MED_HW_REV && sub <= LLDP_MED_ASSET_ID && info) {
        if (!info->inventory) {
            info->inventory = nc_pkt_alloc(pkt, sizeof(*info->inventory));
            if (!info->inventory) {
                return NC_OK;
            }
            netcap__lldpinventory__init(info->inventory);
        }
        Netcap__LLDPInventory *inv = info->inventory;
        char *text = nc_pkt_str(pkt, s.p, s.len);
        char **slots[] = { &inv->hardware_revision, &inv->firmware_revision,
            &inv->software_revision, &inv->serial_number, &inv->manufacturer, &inv->model,
            &inv->asset_id };
        *slots[sub - LLDP_MED_HW_REV] = text;
    }
    return NC_OK;
}

static size_t count_org(const struct lldp_tlv *t, size_t n, uint32_t want_oui, unsigned want_sub)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].type == LLDP_TLV_ORG && t[i].len >= 4) {
            struct nc_rd r = nc_rd_make(t[i].v.p, t[i].v.len);
            uint32_t oui = nc_rd_be24(&r);
            k += want_oui == 0 || (oui == want_oui && nc_rd_u8(&r) == want_sub);
        }
    }
    return k;
}

/* The optional TLVs into info (NULL: only check them). Returns the first
 * verdict; every TLV is looked at either way. */
static int lldp_info(struct nc_pkt *pkt, const struct lldp_tlv *t, size_t n,
        Netcap__LinkLayerDiscoveryInfo *info)
{
    int rc = NC_OK;
    bool unknown[LLDP_MAX_TLVS] = { false };
    size_t n_org = count_org(t, n, 0, 0);
    size_t n_mgmt = 0;
    for (size_t i = 0; i < n; i++) {
        n_mgmt += t[i].type == LLDP_TLV_MGMT;
    }
    size_t n_vlan = count_org(t, n, LLDP_OUI_8021, LLDP_8021_VLAN_NAME);
    Netcap__LLDPOrgSpecificTLV *orgs = NULL;
    Netcap__LLDPMgmtAddress *mgmts = NULL;
    if (info) {
        if (n_org) {
            orgs = nc_pkt_alloc(pkt, n_org * sizeof(*orgs));
            info->org_tlvs = nc_pkt_alloc(pkt, n_org * sizeof(*info->org_tlvs));
        }
        if (n_mgmt) {
            mgmts = nc_pkt_alloc(pkt, n_mgmt * sizeof(*mgmts));
            info->mgmt_addresses = nc_pkt_alloc(pkt, n_mgmt * sizeof(*info->mgmt_addresses));
        }
        if (n_vlan) {
            info->vlan_names = nc_pkt_alloc(pkt, n_vlan * sizeof(*info->vlan_names));
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct lldp_tlv *v = &t[i];
        struct nc_rd r = nc_rd_make(v->v.p, v->v.len);
        int trc = NC_OK;
        switch (v->type) {
            case LLDP_TLV_CHASSIS:
            case LLDP_TLV_PORT:
            case LLDP_TLV_TTL:
                break; /* LinkLayerDiscovery's */
            case LLDP_TLV_PORT_DESC:
                if (info) {
                    info->port_description = nc_pkt_str(pkt, v->v.p, v->v.len);
                }
                break;
            case LLDP_TLV_SYS_NAME:
                if (info) {
                    info->sys_name = nc_pkt_str(pkt, v->v.p, v->v.len);
                }
                break;
            case LLDP_TLV_SYS_DESC:
                if (info) {
                    info->sys_description = nc_pkt_str(pkt, v->v.p, v->v.len);
                }
                break;
            case LLDP_TLV_SYS_CAP: {
                uint16_t sys = nc_rd_be16(&r);
                uint16_t en = nc_rd_be16(&r);
                if (!nc_rd_ok(&r)) {
                    trc = NC_EMALFORMED;
                } else if (info) {
                    Netcap__LLDPSysCapabilities *sc = nc_pkt_alloc(pkt, sizeof(*sc));
                    if (sc) {
                        netcap__lldpsys_capabilities__init(sc);
                        sc->system_cap = caps(pkt, sys);
                        sc->enabled_cap = caps(pkt, en);
                        info->sys_capabilities = sc;
                    }
                }
                break;
            }
            case LLDP_TLV_MGMT: {
                Netcap__LLDPMgmtAddress *m = NULL;
                if (mgmts && info->mgmt_addresses) {
                    m = &mgmts[info->n_mgmt_addresses];
                    netcap__lldpmgmt_address__init(m);
                }
                trc = mgmt_address(pkt, v->v, m);
                if (trc == NC_OK && m) {
                    info->mgmt_addresses[info->n_mgmt_addresses++] = m;
                }
                break;
            }
            case LLDP_TLV_ORG: {
                uint32_t oui = nc_rd_be24(&r);
                uint8_t sub = nc_rd_u8(&r);
                struct nc_span rest = nc_rd_rest(&r);
                if (!nc_rd_ok(&r)) {
                    trc = NC_EMALFORMED;
                    break;
                }
                if (orgs && info->org_tlvs) {
                    Netcap__LLDPOrgSpecificTLV *o = &orgs[info->n_org_tlvs];
                    netcap__lldporg_specific_tlv__init(o);
                    o->oui = oui;
                    o->sub_type = sub;
                    o->info = nc_bytes(rest);
                    info->org_tlvs[info->n_org_tlvs++] = o;
                }
                trc = org_fields(pkt, oui, sub, rest, info, n_vlan);
                break;
            }
            default:
                unknown[i] = true;
                break;
        }
        if (trc != NC_OK) {
            unknown[i] = true; /* kept raw where the decoded form could not be */
            if (rc == NC_OK) {
                rc = trc;
            }
        }
    }
    if (info) {
        if (info->n_mgmt_addresses) {
            info->mgmt_address = info->mgmt_addresses[0];
        }
        tlv_values(pkt, t, n, unknown, &info->unknown, &info->n_unknown);
    }
    return rc;
}

static int lldp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct lldp_tlv t[LLDP_MAX_TLVS];
    size_t n;
    int rc = lldp_split(r, t, &n);
    if (rc != NC_OK && n == 0) {
        return rc;
    }
    int ic = first_of(t, n, LLDP_TLV_CHASSIS);
    int ip = first_of(t, n, LLDP_TLV_PORT);
    int it = first_of(t, n, LLDP_TLV_TTL);
    /* 8.2: the three come first, in this order */
    int mrc = ic == 0 && ip == 1 && it == 2 ? NC_OK : NC_EMALFORMED;
    unsigned c_sub = 0, p_sub = 0;
    struct nc_span c_id = { NULL, 0 }, p_id = { NULL, 0 };
    uint16_t ttl = 0;
    if (ic >= 0 && read_id(&t[ic], &c_sub, &c_id) != NC_OK) {
        mrc = NC_EMALFORMED;
    }
    if (ip >= 0 && read_id(&t[ip], &p_sub, &p_id) != NC_OK) {
        mrc = NC_EMALFORMED;
    }
    if (it >= 0) {
        struct nc_rd tr = nc_rd_make(t[it].v.p, t[it].v.len);
        ttl = nc_rd_be16(&tr);
        if (!nc_rd_ok(&tr)) {
            mrc = NC_EMALFORMED;
        }
    }
    Netcap__LinkLayerDiscovery *rec = nc_pkt_record(pkt, NC_REC_LinkLayerDiscovery);
    if (rec) {
        if (ic >= 0) {
            Netcap__LLDPChassisID *c = nc_pkt_alloc(pkt, sizeof(*c));
            if (c) {
                netcap__lldpchassis_id__init(c);
                c->subtype = (int32_t)c_sub;
                c->id = nc_bytes(c_id);
                c->text = id_text(pkt, c_sub, c_id, LLDP_CHASSIS_MAC, LLDP_CHASSIS_ADDR);
                rec->chassis_id = c;
            }
        }
        if (ip >= 0) {
            Netcap__LLDPPortID *p = nc_pkt_alloc(pkt, sizeof(*p));
            if (p) {
                netcap__lldpport_id__init(p);
                p->subtype = (int32_t)p_sub;
                p->id = nc_bytes(p_id);
                p->text = id_text(pkt, p_sub, p_id, LLDP_PORT_MAC, LLDP_PORT_ADDR);
                rec->port_id = p;
            }
        }
        rec->ttl = ttl;
        bool pick[LLDP_MAX_TLVS];
        for (size_t i = 0; i < n; i++) {
            pick[i] = (int)i != ic && (int)i != ip && (int)i != it;
        }
        tlv_values(pkt, t, n, pick, &rec->values, &rec->n_values);
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    Netcap__LinkLayerDiscoveryInfo *info = nc_pkt_record(pkt, NC_REC_LinkLayerDiscoveryInfo);
    if (info) {
        nc_disc_macs(pkt, &info->src_mac, &info->dst_mac);
    }
    int irc = lldp_info(pkt, t, n, info);
    /* the first problem in frame order: the split, then the mandatory three, then the rest */
    if (rc == NC_OK) {
        rc = mrc != NC_OK ? mrc : irc;
    }
    return rc;
}

static const struct nc_claim lldp_claims[] = { { NC_NS_ETHERTYPE, 0x88cc } };
const struct nc_decoder nc_decoder_lldp = {
    .name = "lldp",
    .display = "LLDP",
    .layer = NC_LAYER_NONE,
    .claims = lldp_claims,
    .n_claims = NC_ARRAY_LEN(lldp_claims),
    .decode = lldp_decode,
};
