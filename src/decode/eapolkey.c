/*
 * summary: EAPOL-Key descriptor (EAPOL packet type 3) -> EAPOLKey records.
 * spec:    IEEE 802.11-2016 12.7.2 (EAPOL-Key frames, descriptor 2; WPA's
 *          descriptor 254 has the same layout), 12.7.6 (4-way handshake),
 *          12.7.7 (group key handshake); IEEE 802.1X-2004 7.6 (descriptor 1,
 *          RC4).
 *
 *   IEEE 802.11 (2) and WPA (254):
 *   type (1) | key information (2) | key length (2) | replay counter (8)
 *   | nonce (32) | IV (16) | RSC (8) | reserved / WPA key id (8)
 *   | MIC (16, see below) | key data length (2) | key data
 *
 *   key information bits: 0-2 descriptor version, 3 key type (1 pairwise),
 *   4-5 key index (WPA), 6 install, 7 ack, 8 MIC, 9 secure, 10 error,
 *   11 request, 12 encrypted key data, 13 SMK message
 *
 *   RC4 (1): type (1) | key length (2) | replay counter (8) | key IV (16)
 *   | key index (1: bit 7 unicast, bits 0-6 index) | key signature (16)
 *   | key (the rest; absent when the key comes from the EAP method)
 *
 * The MIC is 16 bytes for descriptor versions 1-3, but its size depends on
 * the AKM when the version is 0 (24 for the Suite B 192-bit AKM, none for
 * FILS), which the frame does not name: the size whose key data length
 * matches the bytes that follow is taken (16, then 24, then 0), else 16.
 * The RSC is little-endian (a packet number, least significant octet
 * first); the other numbers are big-endian.
 *
 * The RC4 descriptor is mapped onto the same fields: the key signature is
 * `mic`, the key IV `iv`, the unicast flag `key_type` (1), the key
 * `encrypted_key_data` (RC4-encrypted; has_encrypted_key_data when
 * present) and its size `key_data_length`.
 *
 * handshake_message tells the messages of the 4-way handshake apart
 * (pairwise keys): 1 ack without MIC, 3 ack with install, and without ack
 * 2 when key data is present (the supplicant's RSNE), 4 when not. Group
 * key handshake: 1 with ack, 2 without. Requests and RC4 descriptors: 0.
 */
#include "decode/decoder.h"

#include "decode/disc_int.h"

enum {
    KEY_DESC_RC4 = 1,
    KEY_DESC_80211 = 2,
    KEY_DESC_WPA = 254,
    KEY_NONCE_LEN = 32,
    KEY_IV_LEN = 16,
    KEY_MIC_LEN = 16, /* descriptor versions 1-3 */
    KEY_MIC_LEN_SUITE_B_192 = 24,
    KI_VERSION = 0x0007,
    KI_PAIRWISE = 0x0008,
    KI_INDEX = 0x0030,
    KI_INSTALL = 0x0040,
    KI_ACK = 0x0080,
    KI_MIC = 0x0100,
    KI_SECURE = 0x0200,
    KI_ERROR = 0x0400,
    KI_REQUEST = 0x0800,
    KI_ENCRYPTED = 0x1000,
    KI_SMK = 0x2000,
    RC4_UNICAST = 0x80,
};

/* The MIC size whose key data length field matches the rest (see top). */
static size_t mic_len(const struct nc_rd *r)
{
    static const size_t sizes[] = { KEY_MIC_LEN, KEY_MIC_LEN_SUITE_B_192, 0 };
    for (size_t i = 0; i < NC_ARRAY_LEN(sizes); i++) {
        struct nc_rd t = *r;
        nc_rd_skip(&t, sizes[i]);
        uint16_t kdl = nc_rd_be16(&t);
        if (nc_rd_ok(&t) && kdl == nc_rd_left(&t)) {
            return sizes[i];
        }
    }
    return KEY_MIC_LEN;
}

static int32_t handshake_message(uint16_t ki, uint16_t kdl)
{
    if (ki & KI_REQUEST) {
        return 0;
    }
    if (ki & KI_PAIRWISE) {
        if (ki & KI_ACK) {
            return ki & KI_INSTALL ? 3 : (ki & KI_MIC ? 0 : 1);
        }
        if (!(ki & KI_MIC)) {
            return 0;
        }
        return kdl > 0 ? 2 : 4;
    }
    if (ki & KI_ACK) {
        return ki & KI_MIC ? 1 : 0;
    }
    return ki & KI_MIC ? 2 : 0;
}

static int rc4_key(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t key_len = nc_rd_be16(r);
    uint64_t replay = nc_rd_be64(r);
    struct nc_span iv = nc_rd_span(r, KEY_IV_LEN);
    uint8_t index = nc_rd_u8(r);
    struct nc_span sig = nc_rd_span(r, KEY_MIC_LEN);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_span key = nc_rd_rest(r);
    Netcap__EAPOLKey *rec = nc_pkt_record(pkt, NC_REC_EAPOLKey);
    if (rec) {
        rec->key_descriptor_type = KEY_DESC_RC4;
        rec->key_length = key_len;
        rec->replay_counter = replay;
        rec->iv = nc_bytes(iv);
        rec->key_type = (index & RC4_UNICAST) != 0;
        rec->key_index = index & ~RC4_UNICAST;
        rec->mic = nc_bytes(sig);
        rec->encrypted_key_data = nc_bytes(key);
        rec->key_data_length = (int32_t)key.len;
        rec->has_encrypted_key_data = key.len > 0;
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    return NC_OK;
}

static int eapolkey_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t desc = nc_rd_u8(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (desc == KEY_DESC_RC4) {
        return rc4_key(pkt, r);
    }
    if (desc != KEY_DESC_80211 && desc != KEY_DESC_WPA) {
        Netcap__EAPOLKey *rec = nc_pkt_record(pkt, NC_REC_EAPOLKey);
        if (rec) {
            rec->key_descriptor_type = desc;
            nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
        }
        return NC_EUNSUPP;
    }
    uint16_t ki = nc_rd_be16(r);
    uint16_t key_len = nc_rd_be16(r);
    uint64_t replay = nc_rd_be64(r);
    struct nc_span nonce = nc_rd_span(r, KEY_NONCE_LEN);
    struct nc_span iv = nc_rd_span(r, KEY_IV_LEN);
    uint64_t rsc = nc_rd_le64(r);
    uint64_t id = nc_rd_be64(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_span mic = nc_rd_span(r, mic_len(r));
    uint16_t kdl = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    int rc = NC_OK;
    size_t have = nc_rd_left(r);
    if (kdl > have) {
        rc = NC_ETRUNC; /* keep the key data that is there */
    }
    struct nc_span data = nc_rd_span(r, kdl < have ? kdl : have);
    Netcap__EAPOLKey *rec = nc_pkt_record(pkt, NC_REC_EAPOLKey);
    if (rec) {
        rec->key_descriptor_type = desc;
        rec->key_information = ki;
        rec->key_descriptor_version = ki & KI_VERSION;
        rec->key_type = (ki & KI_PAIRWISE) != 0;
        rec->key_index = (ki & KI_INDEX) >> 4;
        rec->install = (ki & KI_INSTALL) != 0;
        rec->key_ack = (ki & KI_ACK) != 0;
        rec->key_mic = (ki & KI_MIC) != 0;
        rec->secure = (ki & KI_SECURE) != 0;
        rec->mic_error = (ki & KI_ERROR) != 0;
        rec->request = (ki & KI_REQUEST) != 0;
        rec->has_encrypted_key_data = (ki & KI_ENCRYPTED) != 0;
        rec->smk_message = (ki & KI_SMK) != 0;
        rec->key_length = key_len;
        rec->replay_counter = replay;
        rec->nonce = nc_bytes(nonce);
        rec->iv = nc_bytes(iv);
        rec->rsc = rsc;
        rec->id = id;
        rec->mic = nc_bytes(mic);
        rec->key_data_length = kdl;
        rec->encrypted_key_data = nc_bytes(data);
        rec->handshake_message = handshake_message(ki, kdl);
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    return rc;
}

static const struct nc_claim eapolkey_claims[] = { { NC_NS_EAPOL, 3 } };
const struct nc_decoder nc_decoder_eapolkey = {
    .name = "eapolkey",
    .display = "EAPOLKey",
    .layer = NC_LAYER_NONE,
    .claims = eapolkey_claims,
    .n_claims = NC_ARRAY_LEN(eapolkey_claims),
    .decode = eapolkey_decode,
};
