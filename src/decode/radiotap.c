/*
 * summary: radiotap capture header (LINKTYPE_IEEE802_11_RADIOTAP) -> RadioTap
 *          records, then the 802.11 frame.
 * spec:    https://www.radiotap.org (header, alignment, extended presence
 *          masks, namespaces; the defined fields' sizes and alignments).
 *
 *   +---------+---------+-------------------+---------------------+--------
 *   | ver (1) | pad (1) | it_len (2, LE)    | it_present (4, LE)  | [more present words]
 *   +---------+---------+-------------------+---------------------+--------
 *   | fields, each aligned to its natural size from the header start ... | 802.11 frame
 *   +--------------------------------------------------------------------+--------
 *
 * Everything is little-endian. Bit 31 of a present word says another word
 * follows; bit 29 resets to the radiotap namespace and bit 30 switches to a
 * vendor namespace, whose 6-octet field (OUI, sub namespace, skip length)
 * is followed by skip-length octets of vendor data that we skip whole.
 *
 * Decisions:
 * - Field values are read from the first radiotap namespace only (the
 *   words before the first namespace switch): later radiotap namespaces
 *   repeat antenna signal and antenna per receive chain, and the combined
 *   value is the first one. Their sizes still move the offset, so a
 *   vendor namespace after them is found.
 * - A present bit whose size we do not know (the TLV bit 28, future
 *   fields) ends field parsing, marked fields_incomplete; so does a field
 *   that runs past it_len. Neither is malformed: it_len alone says where
 *   the 802.11 frame starts.
 * - At most RT_MAX_WORDS present words; more is malformed (a chain of
 *   bit-31 words cannot end before it_len otherwise).
 * - Flags bit 0x10 (FCS at end) is passed on in ctx.link_fcs: the 802.11
 *   decoder keeps those 4 octets out of the body and stores them.
 */
#include "decode/decoder.h"

enum {
    RT_HDR_LEN = 8,     /* version, pad, length, first present word */
    RT_MAX_WORDS = 16,  /* present words; 512 bits is far beyond any defined field */
    RT_MAX_FIELDS = 32, /* known radiotap fields (bits 0..28 plus reserved) */
    RT_BIT_TSFT = 0,
    RT_BIT_FLAGS = 1,
    RT_BIT_RATE = 2,
    RT_BIT_CHANNEL = 3,
    RT_BIT_FHSS = 4,
    RT_BIT_DBM_SIGNAL = 5,
    RT_BIT_DBM_NOISE = 6,
    RT_BIT_LOCK_QUALITY = 7,
    RT_BIT_TX_ATT = 8,
    RT_BIT_DB_TX_ATT = 9,
    RT_BIT_DBM_TX_POWER = 10,
    RT_BIT_ANTENNA = 11,
    RT_BIT_DB_SIGNAL = 12,
    RT_BIT_DB_NOISE = 13,
    RT_BIT_RX_FLAGS = 14,
    RT_BIT_TX_FLAGS = 15,
    RT_BIT_MCS = 19,
    RT_BIT_AMPDU = 20,
    RT_BIT_VHT = 21,
    RT_BIT_RT_NS = 29,     /* next word: radiotap namespace again */
    RT_BIT_VENDOR_NS = 30, /* next word: vendor namespace */
    RT_BIT_EXT = 31,       /* another present word follows */
    RT_VENDOR_NS_LEN = 6,  /* OUI (3), sub namespace (1), skip length (2) */
    RT_FLAG_FCS = 0x10,    /* flags: the frame ends with the 4-octet FCS */
    RT_FCS_LEN = 4,
};

/* Size and alignment of the radiotap namespace's fields, by bit; size 0:
 * unknown (stops parsing). From the radiotap.org field pages. */
static const struct {
    uint8_t size, align;
} rt_fields[RT_MAX_FIELDS] = {
    [0] = { 8, 8 },   /* TSFT */
    [1] = { 1, 1 },   /* flags */
    [2] = { 1, 1 },   /* rate */
    [3] = { 4, 2 },   /* channel: frequency, flags */
    [4] = { 2, 1 },   /* FHSS: hop set, pattern */
    [5] = { 1, 1 },   /* dBm antenna signal */
    [6] = { 1, 1 },   /* dBm antenna noise */
    [7] = { 2, 2 },   /* lock quality */
    [8] = { 2, 2 },   /* TX attenuation */
    [9] = { 2, 2 },   /* dB TX attenuation */
    [10] = { 1, 1 },  /* dBm TX power */
    [11] = { 1, 1 },  /* antenna */
    [12] = { 1, 1 },  /* dB antenna signal */
    [13] = { 1, 1 },  /* dB antenna noise */
    [14] = { 2, 2 },  /* RX flags */
    [15] = { 2, 2 },  /* TX flags */
    [16] = { 1, 1 },  /* RTS retries */
    [17] = { 1, 1 },  /* data retries */
    [18] = { 8, 4 },  /* XChannel: flags (4), frequency (2), channel, max power */
    [19] = { 3, 1 },  /* MCS: known, flags, index */
    [20] = { 8, 4 },  /* A-MPDU status: reference (4), flags (2), delimiter CRC, reserved */
    [21] = { 12, 2 }, /* VHT */
    [22] = { 12, 8 }, /* timestamp: value (8), accuracy (2), unit/position, flags */
    [23] = { 12, 2 }, /* HE */
    [24] = { 12, 2 }, /* HE-MU */
    [25] = { 6, 2 },  /* HE-MU-other-user */
    [26] = { 1, 1 },  /* 0-length PSDU */
    [27] = { 4, 2 },  /* L-SIG */
    /* 28: TLVs (variable, runs to the end): unknown here */
};

/* Store the value of field bit b (first radiotap namespace) read from f. */
static void rt_store(Netcap__RadioTap *rec, unsigned b, struct nc_rd *f)
{
    switch (b) {
        case RT_BIT_TSFT:
            rec->tsft = nc_rd_le64(f);
            break;
        case RT_BIT_FLAGS:
            rec->flags = nc_rd_u8(f);
            break;
        case RT_BIT_RATE:
            rec->rate = nc_rd_u8(f);
            break;
        case RT_BIT_CHANNEL:
            rec->channel_frequency = nc_rd_le16(f);
            rec->channel_flags = nc_rd_le16(f);
            break;
        case RT_BIT_FHSS:
            rec->fhss_hop_set = nc_rd_u8(f);
            rec->fhss_hop_pattern = nc_rd_u8(f);
            break;
        case RT_BIT_DBM_SIGNAL:
            rec->dbm_antenna_signal = (int8_t)nc_rd_u8(f);
            break;
        case RT_BIT_DBM_NOISE:
            rec->dbm_antenna_noise = (int8_t)nc_rd_u8(f);
            break;
        case RT_BIT_LOCK_QUALITY:
            rec->lock_quality = nc_rd_le16(f);
            break;
        case RT_BIT_TX_ATT:
            rec->tx_attenuation = nc_rd_le16(f);
            break;
        case RT_BIT_DB_TX_ATT:
            rec->db_tx_attenuation = nc_rd_le16(f);
            break;
        case RT_BIT_DBM_TX_POWER:
            rec->dbm_tx_power = (int8_t)nc_rd_u8(f);
            break;
        case RT_BIT_ANTENNA:
            rec->antenna = nc_rd_u8(f);
            break;
        case RT_BIT_DB_SIGNAL:
            rec->db_antenna_signal = nc_rd_u8(f);
            break;
        case RT_BIT_DB_NOISE:
            rec->db_antenna_noise = nc_rd_u8(f);
            break;
        case RT_BIT_RX_FLAGS:
            rec->rx_flags = nc_rd_le16(f);
            break;
        case RT_BIT_TX_FLAGS:
            rec->tx_flags = nc_rd_le16(f);
            break;
        case RT_BIT_MCS:
            rec->mcs_known = nc_rd_u8(f);
            rec->mcs_flags = nc_rd_u8(f);
            rec->mcs_index = nc_rd_u8(f);
            break;
        case RT_BIT_AMPDU:
            rec->ampdu_reference = nc_rd_le32(f);
            rec->ampdu_flags = nc_rd_le16(f);
            break;
        case RT_BIT_VHT:
            rec->vht_known = nc_rd_le16(f);
            rec->vht_flags = nc_rd_u8(f);
            rec->vht_bandwidth = nc_rd_u8(f);
            rec->vht_mcs_nss = nc_bytes(nc_rd_span(f, 4));
            break;
        default:
            break; /* known size, not stored */
    }
}

/* Walk the present words and the fields of h (the whole header, it_len
 * octets); words[] holds n present words. Returns false when parsing
 * stopped early (unknown field size, field past the end). rec may be NULL:
 * the walk still finds the flags octet (*flags). */
static bool rt_fields_walk(
        Netcap__RadioTap *rec, struct nc_rd *h, const uint32_t *words, size_t n, uint8_t *flags)
{
    bool radiotap_ns = true; /* current namespace: radiotap, or a vendor's (skipped) */
    bool first_ns = true;    /* still in the first radiotap namespace */
    size_t ns_word = 0;      /* word index within the current radiotap namespace */
    for (size_t w = 0; w < n; w++) {
        uint32_t word = words[w];
        for (unsigned b = 0; b < RT_BIT_RT_NS; b++) {
            if (!(word & (UINT32_C(1) << b)) || !radiotap_ns) {
                continue; /* vendor fields live in the skipped vendor data */
            }
            if (ns_word != 0 || rt_fields[b].size == 0) {
                return false; /* bit 32 and up, or unknown: size not known */
            }
            size_t a = rt_fields[b].align;
            size_t pad = (a - h->off % a) % a;
            nc_rd_skip(h, pad);
            struct nc_rd f = nc_rd_sub(h, rt_fields[b].size);
            if (!nc_rd_ok(h)) {
                return false;
            }
            if (first_ns && b == RT_BIT_FLAGS) {
                *flags = nc_rd_peek(&f, 0);
            }
            if (first_ns && rec) {
                rt_store(rec, b, &f);
            }
        }
        if (word & (UINT32_C(1) << RT_BIT_VENDOR_NS)) {
            /* the vendor namespace field, then its data, skipped whole */
            nc_rd_skip(h, (2 - h->off % 2) % 2);
            nc_rd_skip(h, 4);
            uint16_t skip = nc_rd_le16(h);
            nc_rd_skip(h, skip);
            if (!nc_rd_ok(h)) {
                return false;
            }
            radiotap_ns = false;
            first_ns = false;
            ns_word = 0;
        } else if (word & (UINT32_C(1) << RT_BIT_RT_NS)) {
            radiotap_ns = true;
            first_ns = false;
            ns_word = 0;
        } else {
            ns_word++;
        }
    }
    return true;
}

static int radiotap_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_rd p = *r;
    uint8_t version = nc_rd_u8(&p);
    nc_rd_skip(&p, 1);
    uint16_t it_len = nc_rd_le16(&p);
    if (!nc_rd_ok(&p)) {
        return p.err;
    }
    if (it_len < RT_HDR_LEN) {
        return NC_EMALFORMED;
    }
    if (it_len > nc_rd_left(r)) {
        return NC_ETRUNC;
    }
    struct nc_rd h = nc_rd_sub(r, it_len); /* r: the 802.11 frame from here */
    nc_rd_skip(&h, 4);
    uint32_t words[RT_MAX_WORDS];
    size_t n = 0;
    for (;;) {
        uint32_t w = nc_rd_le32(&h);
        if (!nc_rd_ok(&h)) {
            return NC_EMALFORMED; /* present words run past it_len */
        }
        if (n == RT_MAX_WORDS) {
            return NC_EMALFORMED;
        }
        words[n++] = w;
        if (!(w & (UINT32_C(1) << RT_BIT_EXT))) {
            break;
        }
    }
    Netcap__RadioTap *rec = nc_pkt_record(pkt, NC_REC_RadioTap);
    if (rec) {
        rec->version = version;
        rec->length = it_len;
        rec->present = words[0];
        if (n > 1) {
            uint32_t *ext = nc_pkt_alloc(pkt, (n - 1) * sizeof(*ext));
            if (ext) {
                memcpy(ext, words + 1, (n - 1) * sizeof(*ext));
                rec->present_ext = ext;
                rec->n_present_ext = n - 1;
            }
        }
    }
    uint8_t flags = 0;
    bool complete = rt_fields_walk(rec, &h, words, n, &flags);
    if (rec) {
        rec->fields_incomplete = !complete;
    }
    pkt->ctx.link_fcs = (flags & RT_FLAG_FCS) ? RT_FCS_LEN : 0;
    pkt->next_ns = NC_NS_DLT;
    pkt->next_id = 105; /* LINKTYPE_IEEE802_11: the dot11 decoder */
    return NC_OK;
}

static const struct nc_claim radiotap_claims[] = { { NC_NS_DLT,
        127 /* LINKTYPE_IEEE802_11_RADIOTAP */ } };
const struct nc_decoder nc_decoder_radiotap = {
    .name = "radiotap",
    .display = "RadioTap",
    .layer = NC_LAYER_LINK,
    .claims = radiotap_claims,
    .n_claims = NC_ARRAY_LEN(radiotap_claims),
    .decode = radiotap_decode,
};
