/*
 * summary: Cisco Discovery Protocol packet -> CiscoDiscovery (header and
 *          TLVs raw) and CiscoDiscoveryInfo (the TLVs decoded), one of each
 *          per packet.
 * spec:    none published in full; Cisco's "CDP frame format" notes, and
 *          the dissectors of Wireshark (packet-cdp.c), tcpdump (print-cdp.c)
 *          and lldpd (cdp.c) for the TLVs Cisco never documented.
 *
 *   +-----------+-----------+----------------+--------------------------
 *   | version   | TTL (s)   | checksum (2)   | TLVs
 *   +-----------+-----------+----------------+--------------------------
 *   TLV: type (2), length (2, counting these 4 bytes), value (length - 4)
 *
 * Reached through SNAP: OUI 00-00-0c, protocol 0x2000 (NC_NS_SNAP_CISCO),
 * and as GRE protocol type 0x2000 (NC_NS_ETHERTYPE).
 * TLV values, by type:
 *   0x01 device id, 0x03 port id, 0x05 software version, 0x06 platform,
 *   0x09 VTP domain, 0x14 system name: text
 *   0x02 addresses, 0x16 management addresses: count (4), then entries of
 *        protocol type (1: NLPID, 2: 802.2), protocol length, protocol
 *        (NLPID 0xcc: IPv4; 802.2 SNAP ending in EtherType 0x0800 or 0x86dd),
 *        address length (2), address
 *   0x04 capabilities (4, bits), 0x07 IP prefixes (5 each: address, length),
 *   0x08 cluster hello (32), 0x0a native VLAN (2), 0x0b duplex (1),
 *   0x0e/0x0f voice VLAN reply/query (id 1, VLAN 2), 0x10 power (2, mW),
 *   0x11 MTU (4), 0x12 extended trust (1), 0x13 untrusted CoS (1),
 *   0x15 system OID, 0x17 location (type 1, text), 0x19/0x1a power
 *   requested/available (id 2, management id 2, values 4 each, mW),
 *   0x1d EnergyWise (72 bytes, then sub-TLVs type 4, length 4),
 *   0x1f spare pair PoE (1)
 * Other types, and known ones too short for their format, are kept raw
 * in Info.unknown (the latter also counted as malformed). The checksum is
 * recorded, not verified (Cisco's odd-length variant differs from RFC 1071).
 */
#include "decode/decoder.h"

#include "decode/disc_int.h"

enum {
    CDP_MAX_TLVS = 256,    /* 1500 bytes / 4-byte empty TLVs = 375; real packets carry < 30 */
    CDP_MAX_ADDRS = 64,    /* addresses per TLV kept; the count field is 32 bits */
    CDP_MAX_PREFIXES = 64, /* IP prefix entries kept */
    CDP_MAX_POWER = 64,    /* power values kept per dialogue */
    CDP_MAX_EW_TLVS = 64,  /* EnergyWise sub-TLVs looked at */
    CDP_TLV_HDR = 4,
    CDP_HELLO_LEN = 32,
    CDP_EW_FIXED = 72, /* EnergyWise fields before its sub-TLVs */
    CDP_NLPID = 1,     /* address protocol types */
    CDP_8022 = 2,
    CDP_NLPID_IP = 0xcc,
};

enum cdp_tlv_type {
    CDP_DEVICE_ID = 0x01,
    CDP_ADDRESSES = 0x02,
    CDP_PORT_ID = 0x03,
    CDP_CAPABILITIES = 0x04,
    CDP_VERSION = 0x05,
    CDP_PLATFORM = 0x06,
    CDP_IP_PREFIX = 0x07,
    CDP_HELLO = 0x08,
    CDP_VTP_DOMAIN = 0x09,
    CDP_NATIVE_VLAN = 0x0a,
    CDP_DUPLEX = 0x0b,
    CDP_VLAN_REPLY = 0x0e,
    CDP_VLAN_QUERY = 0x0f,
    CDP_POWER = 0x10,
    CDP_MTU = 0x11,
    CDP_TRUST = 0x12,
    CDP_UNTRUSTED_COS = 0x13,
    CDP_SYS_NAME = 0x14,
    CDP_SYS_OID = 0x15,
    CDP_MGMT_ADDRESSES = 0x16,
    CDP_LOCATION = 0x17,
    CDP_POWER_REQUESTED = 0x19,
    CDP_POWER_AVAILABLE = 0x1a,
    CDP_ENERGYWISE = 0x1d,
    CDP_SPARE_PAIR = 0x1f,
};

enum {
    EW_ROLE = 7, /* EnergyWise sub-TLV types */
    EW_DOMAIN = 8,
    EW_NAME = 9,
    EW_REPLY_TO = 23,
};

struct cdp_tlv {
    uint16_t type;
    uint16_t len; /* as sent: value + 4 */
    struct nc_span v;
};

/* Splits the TLV area. A length below 4 cannot advance: malformed. */
static int cdp_split(struct nc_rd *r, struct cdp_tlv *t, size_t *n)
{
    *n = 0;
    while (nc_rd_left(r) > 0) {
        uint16_t type = nc_rd_be16(r);
        uint16_t len = nc_rd_be16(r);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        if (len < CDP_TLV_HDR) {
            return NC_EMALFORMED;
        }
        struct nc_span v = nc_rd_span(r, len - CDP_TLV_HDR);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        if (*n == CDP_MAX_TLVS) {
            return NC_ELIMIT;
        }
        t[*n].type = type;
        t[*n].len = len;
        t[*n].v = v;
        (*n)++;
    }
    return NC_OK;
}

static void cdp_values(struct nc_pkt *pkt, const struct cdp_tlv *t, size_t n, const bool *pick,
        Netcap__CiscoDiscoveryValue ***out, size_t *n_out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += pick == NULL || pick[i];
    }
    if (k == 0) {
        return;
    }
    Netcap__CiscoDiscoveryValue **v = nc_pkt_alloc(pkt, k * sizeof(*v));
    Netcap__CiscoDiscoveryValue *store = nc_pkt_alloc(pkt, k * sizeof(*store));
    if (!v || !store) {
        return;
    }
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (pick == NULL || pick[i]) {
            netcap__cisco_discovery_value__init(&store[k]);
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

/* One address entry as text: IPv4 or IPv6 when the protocol says so,
 * lowercase hex of the address otherwise. */
static char *cdp_address_text(
        struct nc_pkt *pkt, unsigned ptype, struct nc_span proto, struct nc_span addr)
{
    struct nc_rd p = nc_rd_make(proto.p, proto.len);
    unsigned family = 0;
    if (ptype == CDP_NLPID && proto.len == 1 && nc_rd_u8(&p) == CDP_NLPID_IP) {
        family = 1;
    } else if (ptype == CDP_8022 && proto.len >= 2) {
        nc_rd_skip(&p, proto.len - 2); /* LLC/SNAP header ending in an EtherType */
        uint16_t et = nc_rd_be16(&p);
        family = et == 0x0800 ? 1 : et == 0x86dd ? 2 : 0;
    }
    return nc_disc_addr(pkt, family, addr);
}

/* Address list (TLVs 0x02, 0x16). With out NULL only checks; entries
 * before a malformed one are kept. */
static int cdp_addresses(struct nc_pkt *pkt, struct nc_span v, char ***out, size_t *n_out)
{
    struct nc_rd r = nc_rd_make(v.p, v.len);
    uint32_t count = nc_rd_be32(&r);
    if (!nc_rd_ok(&r)) {
        return NC_EMALFORMED;
    }
    size_t keep = count < CDP_MAX_ADDRS ? count : CDP_MAX_ADDRS;
    char **list = out && keep ? nc_pkt_alloc(pkt, keep * sizeof(*list)) : NULL;
    size_t n = 0;
    int rc = count > CDP_MAX_ADDRS ? NC_ELIMIT : NC_OK;
    /* each entry takes 4 bytes at least, so the data bounds the loop, not count */
    for (uint32_t i = 0; i < count; i++) {
        uint8_t ptype = nc_rd_u8(&r);
        uint8_t plen = nc_rd_u8(&r);
        struct nc_span proto = nc_rd_span(&r, plen);
        uint16_t alen = nc_rd_be16(&r);
        struct nc_span addr = nc_rd_span(&r, alen);
        if (!nc_rd_ok(&r)) {
            rc = NC_EMALFORMED;
            break;
        }
        if (list && n < keep) {
            list[n++] = cdp_address_text(pkt, ptype, proto, addr);
        }
    }
    if (list && n) {
        *out = list;
        *n_out = n;
    }
    return rc;
}

static Netcap__CDPPowerDialogue *cdp_power(struct nc_pkt *pkt, struct nc_rd *r, bool want)
{
    uint16_t id = nc_rd_be16(r);
    uint16_t mgmt = nc_rd_be16(r);
    if (!nc_rd_ok(r) || !want) {
        return NULL;
    }
    Netcap__CDPPowerDialogue *d = nc_pkt_alloc(pkt, sizeof(*d));
    if (!d) {
        return NULL;
    }
    netcap__cdppower_dialogue__init(d);
    d->id = id;
    d->mgmt_id = mgmt;
    size_t k = nc_rd_left(r) / 4;
    k = k < CDP_MAX_POWER ? k : CDP_MAX_POWER;
    d->values = k ? nc_pkt_alloc(pkt, k * sizeof(*d->values)) : NULL;
    if (d->values) {
        for (size_t i = 0; i < k; i++) {
            d->values[i] = nc_rd_be32(r);
        }
        d->n_values = k;
    }
    return d;
}

/* TLV 0x1d: fixed part, then sub-TLVs (type 4, length 4, value). */
static int cdp_energywise(struct nc_pkt *pkt, struct nc_span v, Netcap__CDPEnergyWise *e)
{
    struct nc_rd r = nc_rd_make(v.p, v.len);
    struct nc_span enc = nc_rd_span(&r, 20);
    uint32_t unk1 = nc_rd_be32(&r);
    uint32_t seq = nc_rd_be32(&r);
    struct nc_span model = nc_rd_span(&r, 16);
    uint16_t unk2 = nc_rd_be16(&r);
    struct nc_span hwid = nc_rd_span(&r, 3);
    struct nc_span serial = nc_rd_span(&r, 11);
    struct nc_span unk3 = nc_rd_span(&r, 8);
    nc_rd_skip(&r, 4); /* sub-TLV area length and count: the area itself is the bound */
    if (!nc_rd_ok(&r)) {
        return NC_EMALFORMED;
    }
    if (e) {
        e->encrypted_data = nc_bytes(enc);
        e->unknown1 = unk1;
        e->sequence_number = seq;
        e->model_number = nc_pkt_str(pkt, model.p, model.len);
        e->unknown2 = unk2;
        e->hardware_id = nc_pkt_str(pkt, hwid.p, hwid.len);
        e->serial_num = nc_pkt_str(pkt, serial.p, serial.len);
        e->unknown3 = nc_bytes(unk3);
    }
    for (size_t i = 0; i < CDP_MAX_EW_TLVS && nc_rd_left(&r) > 0; i++) {
        uint32_t type = nc_rd_be32(&r);
        uint32_t len = nc_rd_be32(&r);
        struct nc_rd s = nc_rd_sub(&r, len);
        if (!nc_rd_ok(&r)) {
            return NC_EMALFORMED;
        }
        if (!e) {
            continue;
        }
        struct nc_span all = { nc_rd_ptr(&s), nc_rd_left(&s) };
        switch (type) {
            case EW_ROLE:
                e->role = nc_pkt_str(pkt, all.p, all.len);
                break;
            case EW_DOMAIN:
                e->domain = nc_pkt_str(pkt, all.p, all.len);
                break;
            case EW_NAME:
                e->name = nc_pkt_str(pkt, all.p, all.len);
                break;
            case EW_REPLY_TO:
                if (all.len >= 14) {
                    e->reply_unknown1 = nc_bytes(nc_rd_span(&s, 2));
                    e->reply_port = nc_bytes(nc_rd_span(&s, 2));
                    e->reply_address = nc_bytes(nc_rd_span(&s, 4));
                    e->reply_unknown2 = nc_bytes(nc_rd_span(&s, 2));
                    e->reply_unknown3 = nc_bytes(nc_rd_span(&s, 4));
                }
                break;
            default:
                break;
        }
    }
    return NC_OK;
}

static Netcap__CDPHello *cdp_hello(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_span oui = nc_rd_span(r, 3);
    uint16_t proto = nc_rd_be16(r);
    uint8_t master[4], unk1[4], commander[6], sw[6];
    nc_rd_copy(r, master, 4);
    nc_rd_copy(r, unk1, 4);
    uint8_t version = nc_rd_u8(r);
    uint8_t sub = nc_rd_u8(r);
    uint8_t status = nc_rd_u8(r);
    uint8_t unk2 = nc_rd_u8(r);
    nc_rd_copy(r, commander, 6);
    nc_rd_copy(r, sw, 6);
    uint8_t unk3 = nc_rd_u8(r);
    uint16_t vlan = nc_rd_be16(r);
    Netcap__CDPHello *h = nc_rd_ok(r) ? nc_pkt_alloc(pkt, sizeof(*h)) : NULL;
    if (!h) {
        return NULL;
    }
    netcap__cdphello__init(h);
    h->oui = nc_bytes(oui);
    h->protocol_id = proto;
    h->cluster_master = nc_pkt_ip4(pkt, master);
    h->unknown1 = nc_pkt_ip4(pkt, unk1);
    h->version = version;
    h->sub_version = sub;
    h->status = status;
    h->unknown2 = unk2;
    h->cluster_commander = nc_pkt_mac(pkt, commander);
    h->switch_mac = nc_pkt_mac(pkt, sw);
    h->unknown3 = unk3;
    h->management_vlan = vlan;
    return h;
}

/* One TLV into info (NULL: only check it). Returns its verdict. */
static int cdp_tlv_info(struct nc_pkt *pkt, const struct cdp_tlv *t,
        Netcap__CiscoDiscoveryInfo *info, bool *unknown)
{
    struct nc_rd r = nc_rd_make(t->v.p, t->v.len);
    size_t len = t->v.len;
    *unknown = false;
    switch ((enum cdp_tlv_type)t->type) {
        case CDP_DEVICE_ID:
        case CDP_PORT_ID:
        case CDP_VERSION:
        case CDP_PLATFORM:
        case CDP_VTP_DOMAIN:
        case CDP_SYS_NAME: {
            if (!info) {
                return NC_OK;
            }
            char *s = nc_pkt_str(pkt, t->v.p, len);
            char **slot = t->type == CDP_DEVICE_ID    ? &info->device_id
                          : t->type == CDP_PORT_ID    ? &info->port_id
                          : t->type == CDP_VERSION    ? &info->version
                          : t->type == CDP_PLATFORM   ? &info->platform
                          : t->type == CDP_VTP_DOMAIN ? &info->vtp_domain
                                                      : &info->sys_name;
            *slot = s;
            return NC_OK;
        }
        case CDP_ADDRESSES:
            return cdp_addresses(
                    pkt, t->v, info ? &info->addresses : NULL, info ? &info->n_addresses : NULL);
        case CDP_MGMT_ADDRESSES:
            return cdp_addresses(pkt, t->v, info ? &info->mgmt_addresses : NULL,
                    info ? &info->n_mgmt_addresses : NULL);
        case CDP_CAPABILITIES: {
            uint32_t bits = nc_rd_be32(&r);
            if (!nc_rd_ok(&r)) {
                break;
            }
            Netcap__CDPCapabilities *c = info ? nc_pkt_alloc(pkt, sizeof(*c)) : NULL;
            if (c) {
                netcap__cdpcapabilities__init(c);
                c->l3_router = (bits & 0x001) != 0;
                c->tb_bridge = (bits & 0x002) != 0;
                c->sp_bridge = (bits & 0x004) != 0;
                c->l2_switch = (bits & 0x008) != 0;
                c->is_host = (bits & 0x010) != 0;
                c->igmp_filter = (bits & 0x020) != 0;
                c->l1_repeater = (bits & 0x040) != 0;
                c->is_phone = (bits & 0x080) != 0;
                c->remotely_managed = (bits & 0x100) != 0;
                c->bits = bits;
                info->capabilities = c;
            }
            return NC_OK;
        }
        case CDP_IP_PREFIX: {
            if (len % 5 != 0) {
                break;
            }
            size_t k = len / 5 < CDP_MAX_PREFIXES ? len / 5 : CDP_MAX_PREFIXES;
            Netcap__IPNet **list = info && k ? nc_pkt_alloc(pkt, k * sizeof(*list)) : NULL;
            Netcap__IPNet *store = list ? nc_pkt_alloc(pkt, k * sizeof(*store)) : NULL;
            for (size_t i = 0; store && i < k; i++) {
                uint8_t ip[4];
                nc_rd_copy(&r, ip, 4);
                uint8_t plen = nc_rd_u8(&r);
                uint32_t mask = plen == 0 ? 0 : plen >= 32 ? UINT32_MAX : ~(UINT32_MAX >> plen);
                uint8_t m[4] = { (uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8),
                    (uint8_t)mask };
                netcap__ipnet__init(&store[i]);
                store[i].ip = nc_pkt_ip4(pkt, ip);
                store[i].ip_mask = nc_pkt_ip4(pkt, m);
                store[i].prefix_length = plen;
                list[i] = &store[i];
                info->ip_prefixes = list;
                info->n_ip_prefixes = i + 1;
            }
            return len / 5 > CDP_MAX_PREFIXES ? NC_ELIMIT : NC_OK;
        }
        case CDP_HELLO:
            if (len < CDP_HELLO_LEN) {
                break;
            }
            if (info) {
                info->cdp_hello = cdp_hello(pkt, &r);
            }
            return NC_OK;
        case CDP_NATIVE_VLAN:
        case CDP_POWER: {
            uint16_t v = nc_rd_be16(&r);
            if (!nc_rd_ok(&r)) {
                break;
            }
            if (info) {
                *(t->type == CDP_NATIVE_VLAN ? &info->native_vlan : &info->power_consumption) = v;
            }
            return NC_OK;
        }
        case CDP_DUPLEX:
        case CDP_TRUST:
        case CDP_UNTRUSTED_COS: {
            uint8_t v = nc_rd_u8(&r);
            if (!nc_rd_ok(&r)) {
                break;
            }
            if (info && t->type == CDP_DUPLEX) {
                info->full_duplex = v == 1;
            } else if (info) {
                *(t->type == CDP_TRUST ? &info->extended_trust : &info->untrusted_cos) = v;
            }
            return NC_OK;
        }
        case CDP_VLAN_REPLY:
        case CDP_VLAN_QUERY: {
            uint8_t id = nc_rd_u8(&r);
            uint16_t vlan = nc_rd_be16(&r);
            if (!nc_rd_ok(&r)) {
                break;
            }
            Netcap__CDPVLANDialogue *d = info ? nc_pkt_alloc(pkt, sizeof(*d)) : NULL;
            if (d) {
                netcap__cdpvlandialogue__init(d);
                d->id = id;
                d->vlan = vlan;
                *(t->type == CDP_VLAN_REPLY ? &info->vlan_reply : &info->vlan_query) = d;
            }
            return NC_OK;
        }
        case CDP_MTU: {
            uint32_t mtu = nc_rd_be32(&r);
            if (!nc_rd_ok(&r)) {
                break;
            }
            if (info) {
                info->mtu = mtu;
            }
            return NC_OK;
        }
        case CDP_SYS_OID:
            if (info) {
                info->sys_oid = nc_disc_oid(pkt, t->v);
            }
            return NC_OK;
        case CDP_LOCATION: {
            uint8_t type = nc_rd_u8(&r);
            struct nc_span loc = nc_rd_rest(&r);
            if (!nc_rd_ok(&r) || loc.len == 0) {
                break;
            }
            Netcap__CDPLocation *l = info ? nc_pkt_alloc(pkt, sizeof(*l)) : NULL;
            if (l) {
                netcap__cdplocation__init(l);
                l->type = type;
                l->location = nc_pkt_str(pkt, loc.p, loc.len);
                info->location = l;
            }
            return NC_OK;
        }
        case CDP_POWER_REQUESTED:
        case CDP_POWER_AVAILABLE: {
            if (len < 4) {
                break;
            }
            Netcap__CDPPowerDialogue *d = cdp_power(pkt, &r, info != NULL);
            if (d) {
                *(t->type == CDP_POWER_REQUESTED ? &info->power_request : &info->power_available) =
                        d;
            }
            return len / 4 - 1 > CDP_MAX_POWER ? NC_ELIMIT : NC_OK;
        }
        case CDP_ENERGYWISE: {
            Netcap__CDPEnergyWise *e = info ? nc_pkt_alloc(pkt, sizeof(*e)) : NULL;
            if (e) {
                netcap__cdpenergy_wise__init(e);
            }
            int rc = cdp_energywise(pkt, t->v, e);
            if (rc != NC_OK) {
                break;
            }
            if (e) {
                info->energy_wise = e;
            }
            return NC_OK;
        }
        case CDP_SPARE_PAIR: {
            uint8_t v = nc_rd_u8(&r);
            if (!nc_rd_ok(&r)) {
                break;
            }
            Netcap__CDPSparePairPoE *s = info ? nc_pkt_alloc(pkt, sizeof(*s)) : NULL;
            if (s) {
                netcap__cdpspare_pair_po_e__init(s);
                s->pse_four_wire = (v & 0x01) != 0;
                s->pd_arch_shared = (v & 0x02) != 0;
                s->pd_request_on = (v & 0x04) != 0;
                s->pse_on = (v & 0x08) != 0;
                info->spare_pair_poe = s;
            }
            return NC_OK;
        }
        default:
            *unknown = true;
            return NC_OK;
    }
    *unknown = true; /* too short for its format: kept raw */
    return NC_EMALFORMED;
}

static int cdp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t version = nc_rd_u8(r);
    uint8_t ttl = nc_rd_u8(r);
    uint16_t checksum = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct cdp_tlv t[CDP_MAX_TLVS];
    size_t n;
    int rc = cdp_split(r, t, &n);
    if (rc == NC_OK && version != 1 && version != 2) {
        rc = NC_EUNSUPP; /* recorded anyway: the SNAP id says CDP */
    }
    Netcap__CiscoDiscovery *rec = nc_pkt_record(pkt, NC_REC_CiscoDiscovery);
    if (rec) {
        rec->version = version;
        rec->ttl = ttl;
        rec->checksum = checksum;
        cdp_values(pkt, t, n, NULL, &rec->values, &rec->n_values);
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    Netcap__CiscoDiscoveryInfo *info = nc_pkt_record(pkt, NC_REC_CiscoDiscoveryInfo);
    bool unknown[CDP_MAX_TLVS];
    for (size_t i = 0; i < n; i++) {
        int trc = cdp_tlv_info(pkt, &t[i], info, &unknown[i]);
        if (rc == NC_OK) {
            rc = trc;
        }
    }
    if (info) {
        cdp_values(pkt, t, n, unknown, &info->unknown, &info->n_unknown);
        nc_disc_macs(pkt, &info->src_mac, &info->dst_mac);
    }
    return rc;
}

/* CDP over GRE (Cisco tunnels) carries protocol type 0x2000, looked up as
 * an EtherType: Wireshark and gopacket claim it there too */
static const struct nc_claim cdp_claims[] = { { NC_NS_SNAP_CISCO, 0x2000 },
    { NC_NS_ETHERTYPE, 0x2000 } };
const struct nc_decoder nc_decoder_cdp = {
    .name = "cdp",
    .display = "CDP",
    .layer = NC_LAYER_NONE,
    .claims = cdp_claims,
    .n_claims = NC_ARRAY_LEN(cdp_claims),
    .decode = cdp_decode,
};
