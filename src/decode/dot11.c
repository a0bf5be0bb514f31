/*
 * summary: IEEE 802.11 MAC header (LINKTYPE_IEEE802_11, or after radiotap)
 *          -> Dot11 records; data frame bodies handed on as LLC.
 * spec:    IEEE 802.11-2016 9.2 (frame formats), 9.2.4.1 (frame control),
 *          9.2.4.5 (QoS Control), 9.2.4.6 (HT Control), 9.3.1 (control
 *          frames), 9.3.2 (data frames), 9.3.3 (management frames).
 *
 *   +------+------+--------+--------+--------+--------+---------+--------+-----+------+----------
 *   | FC(2)| dur 2| addr1 6| addr2 6| addr3 6| seq (2)| addr4 6 | QoS (2)| HTC (4)     | body | FCS
 * (4)
 *   +------+------+--------+--------+--------+--------+---------+--------+-----+------+----------
 *   management: FC dur addr1 addr2 addr3 seq [HTC if order]
 *   control:    FC dur addr1 [addr2]  (ACK, CTS: addr1 only; control wrapper:
 *               addr1, carried FC (2), HTC (4), then the carried frame's rest)
 *   data:       FC dur addr1 addr2 addr3 seq [addr4 if to+from DS] [QoS] [HTC if QoS and order]
 *
 * Frame control octet 1: protocol version (2 bits), type (2), subtype (4);
 * octet 2 the flags. Multi-octet fields are little-endian.
 *
 * Decisions:
 * - Source and destination (record and packet context) follow the DS
 *   bits: SA/DA where the frame has them (data and management), else the
 *   transmitter (addr2) and receiver (addr1). ACK and CTS have only a
 *   receiver: the context keeps no source, so it stays unset.
 * - The FCS is there when the layer below said so (ctx.link_fcs, from
 *   radiotap flags) and the capture was not cut by the snaplen (otherwise
 *   the last four captured octets are not the FCS). It is left out of the
 *   body, stored, and checked (CRC-32).
 * - Data frames with a body that are not protected and not A-MSDUs hand
 *   the body on as LLC. Protected frames are not decrypted; A-MSDU
 *   subframes and mesh control fields are not decoded. Null-function
 *   frames (subtype bit 2) carry no body.
 * - Extension frames (type 3, DMG/S1G beacons) get FC, duration and addr1.
 */
#include "decode/decoder.h"

enum {
    D11_TYPE_MGMT = 0,
    D11_TYPE_CTRL = 1,
    D11_TYPE_DATA = 2,
    D11_TYPE_EXT = 3,
    D11_TO_DS = 0x01,
    D11_FROM_DS = 0x02,
    D11_PROTECTED = 0x40,
    D11_ORDER = 0x80,
    D11_SUB_QOS = 0x8,    /* data subtype bit: QoS Control present */
    D11_SUB_NODATA = 0x4, /* data subtype bit: null function, no body */
    D11_CTRL_WRAPPER = 7, /* control subtype: carried FC and HT Control follow addr1 */
    D11_CTRL_EXT = 6,     /* control frame extension: format by its own subtype */
    D11_CTRL_PSPOLL = 10, /* addr1 is the BSSID */
    D11_CTRL_CTS = 12,    /* addr1 only */
    D11_CTRL_ACK = 13,    /* addr1 only */
    D11_CTRL_CFEND = 14,  /* and 15 (CF-End + CF-Ack): addr2 is the BSSID */
    D11_QOS_AMSDU = 0x80, /* QoS Control: body is an A-MSDU */
    D11_FCS_LEN = 4,
    D11_MAC_LEN = 6,
    D11_ASEL_INDICATION = 14, /* HT variant MAI value announcing ASEL */
};

/* CRC-32 (IEEE 802.3 polynomial, reflected) one nibble at a time: a
 * 16-entry table, no state to initialise across worker threads. */
static const uint32_t crc_nibble[16] = {
    0x00000000,
    0x1db71064,
    0x3b6e20c8,
    0x26d930ac,
    0x76dc4190,
    0x6b6b51f4,
    0x4db26158,
    0x5005713c,
    0xedb88320,
    0xf00f9344,
    0xd6d6a3e8,
    0xcb61b38c,
    0x9b64c2b0,
    0x86d3d2d4,
    0xa00ae278,
    0xbdbdf21c,
};

static uint32_t crc32_ieee(struct nc_rd r)
{
    uint32_t c = 0xffffffffu;
    while (nc_rd_left(&r) > 0) {
        c ^= nc_rd_u8(&r);
        c = (c >> 4) ^ crc_nibble[c & 0x0f];
        c = (c >> 4) ^ crc_nibble[c & 0x0f];
    }
    return c ^ 0xffffffffu;
}

static Netcap__Dot11QOS *qos_record(struct nc_pkt *pkt, uint16_t q)
{
    Netcap__Dot11QOS *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (m) {
        netcap__dot11_qos__init(m);
        m->tid = q & 0x0f;
        m->eosp = (q & 0x10) != 0;
        m->ack_policy = (q >> 5) & 0x3;
        m->amsdu_present = (q & D11_QOS_AMSDU) != 0;
        m->txop = q >> 8;
    }
    return m;
}

/* HT variant: B1-B15 link adaptation control, then calibration, CSI, NDP. */
static Netcap__Dot11HTControlHT *htc_ht(struct nc_pkt *pkt, uint32_t v)
{
    Netcap__Dot11HTControlHT *ht = nc_pkt_alloc(pkt, sizeof(*ht));
    Netcap__Dot11LinkAdapationControl *lac = nc_pkt_alloc(pkt, sizeof(*lac));
    if (!ht || !lac) {
        return NULL;
    }
    netcap__dot11_htcontrol_ht__init(ht);
    netcap__dot11_link_adapation_control__init(lac);
    lac->trq = ((v >> 1) & 1) != 0;
    unsigned mai = (v >> 2) & 0xf;
    lac->mfsi = (int32_t)((v >> 6) & 0x7);
    unsigned mfb = (v >> 9) & 0x7f;
    if (mai == D11_ASEL_INDICATION) {
        Netcap__Dot11ASEL *asel = nc_pkt_alloc(pkt, sizeof(*asel));
        if (asel) {
            netcap__dot11_asel__init(asel);
            asel->command = (int32_t)(mfb & 0x7);
            asel->data = (int32_t)((mfb >> 3) & 0xf);
            lac->asel = asel;
        }
    } else {
        lac->mrq = (mai & 1) != 0;
        lac->msi = (int32_t)((mai >> 1) & 0x7);
        lac->mfb = (int32_t)mfb;
    }
    ht->link_adapation_control = lac;
    ht->calibration_position = (int32_t)((v >> 16) & 0x3);
    ht->calibration_sequence = (int32_t)((v >> 18) & 0x3);
    ht->csi_steering = (int32_t)((v >> 22) & 0x3);
    ht->ndp_announcement = ((v >> 24) & 1) != 0;
    ht->dei = ((v >> 29) & 1) != 0;
    return ht;
}

/* VHT variant: B2 MRQ, B3-B5 MSI or compressed MSI + STBC, B6-B8 MFSI or
 * GID-L, B9-B23 MFB, B24-B26 GID-H, B27 coding type, B28 FB Tx type, B29
 * unsolicited MFB. */
static Netcap__Dot11HTControlVHT *htc_vht(struct nc_pkt *pkt, uint32_t v)
{
    Netcap__Dot11HTControlVHT *vht = nc_pkt_alloc(pkt, sizeof(*vht));
    Netcap__Dot11HTControlMFB *mfb = nc_pkt_alloc(pkt, sizeof(*mfb));
    if (!vht || !mfb) {
        return NULL;
    }
    netcap__dot11_htcontrol_vht__init(vht);
    netcap__dot11_htcontrol_mfb__init(mfb);
    vht->mrq = ((v >> 2) & 1) != 0;
    vht->unsolicited_mfb = ((v >> 29) & 1) != 0;
    if (vht->unsolicited_mfb) {
        vht->compressed_msi = (int32_t)((v >> 3) & 0x3);
        vht->stbc_indication = ((v >> 5) & 1) != 0;
        vht->gid = (int32_t)(((v >> 6) & 0x7) | (((v >> 24) & 0x7) << 3));
    } else {
        vht->msi = (int32_t)((v >> 3) & 0x7);
        vht->mfsi = (int32_t)((v >> 6) & 0x7);
    }
    mfb->num_sts = (int32_t)((v >> 9) & 0x7);
    mfb->vhtmcs = (int32_t)((v >> 12) & 0xf);
    mfb->bw = (int32_t)((v >> 16) & 0x3);
    mfb->snr = (int32_t)((v >> 18) & 0x3f);
    vht->mfb = mfb;
    vht->coding_type = ((v >> 27) & 1) != 0;
    vht->fb_tx_beamformed = ((v >> 28) & 1) != 0;
    return vht;
}

static Netcap__Dot11HTControl *htc_record(struct nc_pkt *pkt, uint32_t v)
{
    Netcap__Dot11HTControl *m = nc_pkt_alloc(pkt, sizeof(*m));
    if (!m) {
        return NULL;
    }
    netcap__dot11_htcontrol__init(m);
    m->raw = v;
    m->ac_constraint = ((v >> 30) & 1) != 0;
    m->rdg_more_ppdu = ((v >> 31) & 1) != 0;
    if (!(v & 1)) {
        m->ht = htc_ht(pkt, v);
    } else if (!(v & 2)) {
        m->vht = htc_vht(pkt, v);
    } else {
        m->he = true;
    }
    return m;
}

/* The parsed header, before any record is made. */
struct d11_hdr {
    uint8_t fc0, fc1;
    unsigned type, subtype;
    uint16_t duration;
    uint8_t addr[4][D11_MAC_LEN];
    unsigned n_addr; /* addresses present (1..4, addr4 only with both DS bits) */
    bool has_seq, has_qos, has_htc;
    uint16_t seq, qos;
    uint32_t htc;
};

static void d11_parse(struct nc_rd *r, struct d11_hdr *h)
{
    h->fc0 = nc_rd_u8(r);
    h->fc1 = nc_rd_u8(r);
    h->duration = nc_rd_le16(r);
    h->type = (h->fc0 >> 2) & 0x3;
    h->subtype = h->fc0 >> 4;
    nc_rd_copy(r, h->addr[0], D11_MAC_LEN);
    h->n_addr = 1;
    switch (h->type) {
        case D11_TYPE_MGMT:
        case D11_TYPE_DATA:
            nc_rd_copy(r, h->addr[1], D11_MAC_LEN);
            nc_rd_copy(r, h->addr[2], D11_MAC_LEN);
            h->n_addr = 3;
            h->has_seq = true;
            h->seq = nc_rd_le16(r);
            if (h->type == D11_TYPE_DATA &&
                    (h->fc1 & (D11_TO_DS | D11_FROM_DS)) == (D11_TO_DS | D11_FROM_DS)) {
                nc_rd_copy(r, h->addr[3], D11_MAC_LEN);
                h->n_addr = 4;
            }
            if (h->type == D11_TYPE_DATA && (h->subtype & D11_SUB_QOS)) {
                h->has_qos = true;
                h->qos = nc_rd_le16(r);
            }
            /* +HTC: management frames, and QoS data (in non-QoS data the bit
             * still means "strictly ordered") */
            if ((h->fc1 & D11_ORDER) && (h->type == D11_TYPE_MGMT || h->has_qos)) {
                h->has_htc = true;
                h->htc = nc_rd_le32(r);
            }
            break;
        case D11_TYPE_CTRL:
            if (h->subtype == D11_CTRL_WRAPPER) {
                nc_rd_skip(r, 2); /* carried frame control */
                h->has_htc = true;
                h->htc = nc_rd_le32(r);
            } else if (h->subtype != D11_CTRL_CTS && h->subtype != D11_CTRL_ACK &&
                       h->subtype != D11_CTRL_EXT && h->subtype > 1) {
                nc_rd_copy(r, h->addr[1], D11_MAC_LEN);
                h->n_addr = 2;
            }
            break;
        default:
            break; /* extension frames: addr1 only */
    }
}

/* SA, DA and BSSID by type and DS bits (802.11-2016 Table 9-26); NULL
 * where the frame has none. */
static void d11_roles(
        const struct d11_hdr *h, const uint8_t **sa, const uint8_t **da, const uint8_t **bssid)
{
    *da = h->addr[0];
    *sa = h->n_addr >= 2 ? h->addr[1] : NULL;
    *bssid = NULL;
    if (h->type == D11_TYPE_MGMT) {
        *bssid = h->addr[2];
    } else if (h->type == D11_TYPE_DATA) {
        switch (h->fc1 & (D11_TO_DS | D11_FROM_DS)) {
            case 0:
                *bssid = h->addr[2];
                break;
            case D11_TO_DS:
                *bssid = h->addr[0];
                *da = h->addr[2];
                break;
            case D11_FROM_DS:
                *bssid = h->addr[1];
                *sa = h->addr[2];
                break;
            default: /* WDS / mesh: RA TA DA SA */
                *da = h->addr[2];
                *sa = h->addr[3];
                break;
        }
    } else if (h->type == D11_TYPE_CTRL) {
        if (h->subtype == D11_CTRL_PSPOLL) {
            *bssid = h->addr[0];
        } else if (h->subtype >= D11_CTRL_CFEND && h->n_addr >= 2) {
            *bssid = h->addr[1];
        }
    }
}

static int dot11_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    /* the FCS, when the layer below says it is there and the snaplen left it */
    uint8_t fcs_len = pkt->ctx.link_fcs;
    pkt->ctx.link_fcs = 0;
    bool has_fcs =
            fcs_len == D11_FCS_LEN && pkt->caplen >= pkt->wirelen && nc_rd_left(r) >= D11_FCS_LEN;
    uint32_t fcs = 0;
    bool fcs_valid = false;
    if (has_fcs) {
        struct nc_rd frame = nc_rd_sub(r, nc_rd_left(r) - D11_FCS_LEN);
        fcs = nc_rd_le32(r);
        fcs_valid = crc32_ieee(frame) == fcs;
        *r = frame;
    }
    struct d11_hdr h;
    memset(&h, 0, sizeof(h));
    size_t start = r->off;
    d11_parse(r, &h);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    const uint8_t *sa, *da, *bssid;
    d11_roles(&h, &sa, &da, &bssid);
    struct nc_pkt_ctx *c = &pkt->ctx;
    if (!c->has_mac && sa) {
        memcpy(c->src_mac, sa, D11_MAC_LEN);
        memcpy(c->dst_mac, da, D11_MAC_LEN);
        c->has_mac = true;
        c->has_dst_mac = true;
    }
    Netcap__Dot11 *rec = nc_pkt_record(pkt, NC_REC_Dot11);
    if (rec) {
        rec->type = (int32_t)h.type;
        rec->subtype = (int32_t)h.subtype;
        rec->proto = h.fc0 & 0x3;
        rec->flags = h.fc1;
        rec->duration_id = h.duration;
        char **slots[4] = { &rec->address1, &rec->address2, &rec->address3, &rec->address4 };
        for (unsigned i = 0; i < h.n_addr; i++) {
            *slots[i] = nc_pkt_mac(pkt, h.addr[i]);
        }
        if (h.has_seq) {
            rec->sequence_number = h.seq >> 4;
            rec->fragment_number = h.seq & 0x0f;
        }
        rec->has_fcs = has_fcs;
        rec->checksum = fcs;
        rec->fcs_valid = fcs_valid;
        if (h.has_qos) {
            rec->qos = qos_record(pkt, h.qos);
        }
        if (h.has_htc) {
            rec->ht_control = htc_record(pkt, h.htc);
        }
        rec->dst_mac = nc_pkt_mac(pkt, da);
        if (sa) {
            rec->src_mac = nc_pkt_mac(pkt, sa);
        }
        if (bssid) {
            rec->bssid = nc_pkt_mac(pkt, bssid);
        }
        rec->header_length = (int32_t)(r->off - start);
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, NULL);
    }
    if (h.type == D11_TYPE_DATA && !(h.subtype & D11_SUB_NODATA) && !(h.fc1 & D11_PROTECTED) &&
            !(h.has_qos && (h.qos & D11_QOS_AMSDU)) && nc_rd_left(r) > 0) {
        pkt->next_ns = NC_NS_LINK;
        pkt->next_id = NC_LINK_LLC;
    }
    return NC_OK;
}

static const struct nc_claim dot11_claims[] = { { NC_NS_DLT, 105 /* LINKTYPE_IEEE802_11 */ } };
const struct nc_decoder nc_decoder_dot11 = {
    .name = "dot11",
    .display = "802.11",
    .layer = NC_LAYER_LINK,
    .claims = dot11_claims,
    .n_claims = NC_ARRAY_LEN(dot11_claims),
    .decode = dot11_decode,
};
