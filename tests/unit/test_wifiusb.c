/*
 * Unit tests for the 802.11, radiotap, FDDI and USB decoders: dot11,
 * radiotap, fddi, usbmon, usbpcap.
 *
 * Each test feeds a crafted frame through nc_decode_packet() as a worker
 * would and checks every field of the records it makes. Frames are copied
 * into heap buffers of exactly their length, so ASan sees a one-byte
 * over-read. The LLC decoder may or may not exist: hand-on to LLC is
 * checked as "the LLC id was looked up" (counted unknown, or decoded).
 */
#define DH_STATIC_FIXTURE
#include "decode_harness.h"

enum {
    DLT_FDDI = 10,
    DLT_IEEE802_11 = 105,
    DLT_RADIOTAP = 127,
    DLT_USB_LINUX = 189,
    DLT_USB_LINUX_MMAPPED = 220,
    DLT_USBPCAP = 249,
};

/* Verdicts of this file's decoders only: the crafted frame bodies are not
 * meant to be valid LLC/SNAP/IP for the decoders after them. */
static uint64_t bad_own(void)
{
    static const enum nc_decoder_id mine[] = { NC_DEC_radiotap, NC_DEC_dot11, NC_DEC_fddi,
        NC_DEC_usbmon, NC_DEC_usbpcap };
    return dh_bad_total(&fx.stats, mine, NC_ARRAY_LEN(mine));
}

/* Was the LLC id looked up: counted as unknown, or some decoder besides
 * the link ones ran (an LLC decoder, once there is one)? */
static bool reached_llc(void)
{
    for (size_t i = 0; i < 8; i++) {
        if (fx.stats.unknown[NC_NS_LINK][i] && fx.stats.unknown_id[NC_NS_LINK][i] == NC_LINK_LLC) {
            return true;
        }
    }
    for (size_t d = 0; d < NC_DEC_COUNT; d++) {
        if (fx.stats.layers[d] && d != NC_DEC_radiotap && d != NC_DEC_dot11 && d != NC_DEC_fddi) {
            return true;
        }
    }
    return false;
}

/* clang-format off */

/* radiotap (45 octets): 3 present words (radiotap ns with bit 29, radiotap
 * ns again with bit 30, vendor ns); TSFT 123456789 at offset 16 (aligned),
 * flags 0x10 (FCS), rate 12, channel 5180 / 0x0140, signal -42, noise -95;
 * second namespace: signal -44, antenna 1 (not stored); vendor ns 00:11:22
 * sub 1 skip 5 "VDATA". Then QoS data, to and from DS, +HTC: duration 44,
 * A B C, seq 0x123 frag 0, D, QoS 0x0025, HT Control 0x40030016 (HT: TRQ,
 * MAI 5, calibration position 3, AC constraint); LLC/SNAP IPv4 (40
 * octets); FCS 0xa77a40af (correct). */
static const uint8_t rt_wds_qos_htc[] = {
    0x00, 0x00, 0x2d, 0x00, 0x6f, 0x00, 0x00, 0xa0, 0x20, 0x08, 0x00, 0xc0,
    0x01, 0x00, 0x00, 0x00, 0x15, 0xcd, 0x5b, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x10, 0x0c, 0x3c, 0x14, 0x40, 0x01, 0xd6, 0xa1, 0xd4, 0x01, 0x00, 0x11,
    0x22, 0x01, 0x05, 0x00, 0x56, 0x44, 0x41, 0x54, 0x41, 0x88, 0x83, 0x2c,
    0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x30, 0x12, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x0d, 0x25, 0x00, 0x16, 0x00, 0x03, 0x40, 0xaa, 0xaa, 0x03,
    0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00,
    0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00,
    0x02, 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0x66, 0x64, 0x64,
    0x69, 0xaf, 0x40, 0x7a, 0xa7,
};

/* radiotap flags-only (FCS), beacon with the order bit: broadcast, BSSID
 * 02:..:bb twice, seq 16, HT Control 0x80000003 (HE, RDG), 18 octets of
 * body, FCS 0x290c1537. */
static const uint8_t rt_beacon_he[] = {
    0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x10, 0x80, 0x80, 0x00,
    0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
    0xbb, 0x02, 0x00, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x01, 0x03, 0x00, 0x00,
    0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x01,
    0x04, 0x00, 0x04, 0x74, 0x65, 0x73, 0x74, 0x37, 0x15, 0x0c, 0x29,
};

/* radiotap: present flags | channel (bit 1, 3): flags 0 at 8, one pad
 * octet, channel 2437 / 0x00a0 at 10; then an ACK to 02:..:0a. */
static const uint8_t rt_align_ack[] = {
    0x00, 0x00, 0x0e, 0x00, 0x0a, 0x00, 0x00, 0x00,
    0x00, 0xee, 0x85, 0x09, 0xa0, 0x00,
    0xd4, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
};

/* radiotap: two words in one namespace (bit 31, then bit 32): bits 32+
 * have no known size: fields_incomplete, the frame still follows at
 * it_len. Antenna (bit 11) = 3 before it. Then RTS B -> A, duration 500. */
static const uint8_t rt_unknown_bit[] = {
    0x00, 0x00, 0x0e, 0x00, 0x00, 0x08, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00,
    0x03, 0x77,
    0xb4, 0x00, 0xf4, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,
};

/* 802.11 (no radiotap), data from the DS: DA A, BSSID bb, SA C, seq 1
 * frag 2, LLC body of 8 octets. */
static const uint8_t d11_fromds[] = {
    0x08, 0x02, 0x10, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x00, 0x00, 0xbb,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x12, 0x00,
    0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x06,
};

/* 802.11: control wrapper to A carrying CTS, VHT HT Control 0x0826735d */
static const uint8_t d11_wrapper_vht[] = {
    0x74, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xc4, 0x00,
    0x5d, 0x73, 0x26, 0x08,
};

/* 802.11: VHT HT Control with unsolicited MFB: bits 0 (VHT), 3-4
 * compressed MSI 2, 5 STBC, 6-8 GID-L 5, 24-26 GID-H 3, 28 FB Tx, 29
 * unsolicited: 0x33000171 */
static const uint8_t d11_wrapper_vht_unsol[] = {
    0x74, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xc4, 0x00,
    0x71, 0x01, 0x00, 0x33,
};

/* 802.11: management with +HTC, HT variant with MAI 14 (ASEL): ASEL
 * command 5, data 9 (MFB/ASELC = 5 | 9 << 3 = 0x4d at bits 9-15), NDP
 * announcement, CSI/steering 2, DEI: 0x21809a38 */
static const uint8_t d11_mgmt_asel[] = {
    0xd0, 0x80, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,
    0x02, 0x00, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x00,
    0x38, 0x9a, 0x80, 0x21,
};

/* 802.11: protected data to the DS (no hand-on), then a null function */
static const uint8_t d11_protected[] = {
    0x08, 0x41, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0xbb, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

/* FDDI: async LLC priority 0, SNAP IPv4 */
static const uint8_t fddi_snap[] = {
    0x50, 0x08, 0x00, 0x2b, 0x11, 0x22, 0x33, 0x08, 0x00, 0x2b, 0x44, 0x55,
    0x66, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00,
    0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00,
    0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0x00,
    0x00, 0x66, 0x64, 0x64, 0x69,
};

/* usbmon 48: control submission, GET_DESCRIPTOR(device), length 18 */
static const uint8_t usbmon48_setup[] = {
    0x00, 0x0c, 0x0b, 0x0a, 0x80, 0x88, 0xff, 0xff, 0x53, 0x02, 0x80, 0x05,
    0x01, 0x00, 0x00, 0x3c, 0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x8d, 0xff, 0xff, 0xff, 0x12, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00,
};

/* usbmon 64: isochronous IN completion, 2 descriptors of 16 octets, then
 * 4 data octets; interval 1, start frame 7, flags 0x202 */
static const uint8_t usbmon64_iso[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x43, 0x00, 0x83, 0x07,
    0x03, 0x00, 0x2d, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00,
    0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
    0xde, 0xad, 0xbe, 0xef,
};

/* USBPcap: control setup stage from the host: IRP 0x1122, function 0x0b,
 * bus 1, device 3, endpoint 0x80, SET_ADDRESS-like request 0x00 0x05 7 0 0 */
static const uint8_t usbpcap_setup[] = {
    0x1c, 0x00, 0x22, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x0b, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x80, 0x02, 0x08,
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* USBPcap: interrupt IN completion, 4 data octets announced, 6 captured
 * (the extra 2 are not data) */
static const uint8_t usbpcap_intr[] = {
    0x1b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00,
    0x00, 0xc0, 0x09, 0x00, 0x01, 0x02, 0x00, 0x04, 0x00, 0x81, 0x01, 0x04,
    0x00, 0x00, 0x00,
    0x01, 0x02, 0x03, 0x04, 0xff, 0xff,
};

/* clang-format on */

static void test_radiotap_namespaces_and_wds_qos_htc(void **state)
{
    (void)state;
    run(DLT_RADIOTAP, rt_wds_qos_htc, sizeof(rt_wds_qos_htc));
    assert_int_equal(bad_own(), 0);
    Netcap__RadioTap *rt = need(NC_REC_RadioTap, 0);
    assert_int_equal(rt->timestamp, DH_STATIC_TS);
    assert_int_equal(rt->version, 0);
    assert_int_equal(rt->length, 45);
    assert_int_equal(rt->present, 0xa000006f);
    assert_int_equal(rt->n_present_ext, 2);
    assert_int_equal(rt->present_ext[0], 0xc0000820);
    assert_int_equal(rt->present_ext[1], 1);
    assert_int_equal(rt->tsft, 123456789);
    assert_int_equal(rt->flags, 0x10);
    assert_int_equal(rt->rate, 12);
    assert_int_equal(rt->channel_frequency, 5180);
    assert_int_equal(rt->channel_flags, 0x0140);
    assert_int_equal(rt->dbm_antenna_signal, -42); /* the first namespace's, not -44 */
    assert_int_equal(rt->dbm_antenna_noise, -95);
    assert_int_equal(rt->antenna, 0); /* only in the second namespace */
    assert_false(rt->fields_incomplete);

    Netcap__Dot11 *d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->timestamp, DH_STATIC_TS);
    assert_int_equal(d->type, 2);
    assert_int_equal(d->subtype, 8);
    assert_int_equal(d->proto, 0);
    assert_int_equal(d->flags, 0x83);
    assert_int_equal(d->duration_id, 44);
    assert_string_equal(d->address1, "02:00:00:00:00:0a");
    assert_string_equal(d->address2, "02:00:00:00:00:0b");
    assert_string_equal(d->address3, "02:00:00:00:00:0c");
    assert_string_equal(d->address4, "02:00:00:00:00:0d");
    assert_int_equal(d->sequence_number, 0x123);
    assert_int_equal(d->fragment_number, 0);
    assert_true(d->has_fcs);
    assert_true(d->fcs_valid);
    assert_int_equal(d->checksum, 0xa77a40af);
    assert_string_equal(d->src_mac, "02:00:00:00:00:0d");
    assert_string_equal(d->dst_mac, "02:00:00:00:00:0c");
    assert_string_equal(d->bssid, "");
    assert_int_equal(d->header_length, 36);
    assert_int_equal(d->payload_size, 40); /* the FCS is not body */
    assert_non_null(d->qos);
    assert_int_equal(d->qos->tid, 5);
    assert_false(d->qos->eosp);
    assert_int_equal(d->qos->ack_policy, 1);
    assert_int_equal(d->qos->txop, 0);
    assert_false(d->qos->amsdu_present);
    Netcap__Dot11HTControl *h = d->ht_control;
    assert_non_null(h);
    assert_int_equal(h->raw, 0x40030016);
    assert_true(h->ac_constraint);
    assert_false(h->rdg_more_ppdu);
    assert_false(h->he);
    assert_null(h->vht);
    assert_non_null(h->ht);
    assert_int_equal(h->ht->calibration_position, 3);
    assert_int_equal(h->ht->calibration_sequence, 0);
    assert_int_equal(h->ht->csi_steering, 0);
    assert_false(h->ht->ndp_announcement);
    assert_false(h->ht->dei);
    Netcap__Dot11LinkAdapationControl *lac = h->ht->link_adapation_control;
    assert_non_null(lac);
    assert_true(lac->trq);
    assert_true(lac->mrq);
    assert_int_equal(lac->msi, 2);
    assert_int_equal(lac->mfsi, 0);
    assert_int_equal(lac->mfb, 0);
    assert_null(lac->asel);
    /* context: SA and DA of the 4-address frame; the body goes on as LLC */
    assert_true(fx.pkt.ctx.has_mac && fx.pkt.ctx.has_dst_mac);
    assert_int_equal(fx.pkt.ctx.src_mac[5], 0x0d);
    assert_int_equal(fx.pkt.ctx.dst_mac[5], 0x0c);
    assert_string_equal(fx.pkt.ctx.proto[NC_LAYER_LINK], "802.11");
    assert_true(reached_llc());
}

static void test_radiotap_fcs_bad_and_cut(void **state)
{
    (void)state;
    uint8_t buf[sizeof(rt_beacon_he)];
    memcpy(buf, rt_beacon_he, sizeof(buf));
    run(DLT_RADIOTAP, buf, sizeof(buf));
    Netcap__Dot11 *d = need(NC_REC_Dot11, 0);
    assert_true(d->has_fcs);
    assert_true(d->fcs_valid);
    assert_int_equal(d->checksum, 0x290c1537);
    assert_int_equal(d->type, 0);
    assert_int_equal(d->subtype, 8);
    assert_int_equal(d->sequence_number, 16);
    assert_string_equal(d->bssid, "02:00:00:00:00:bb");
    assert_string_equal(d->src_mac, "02:00:00:00:00:bb");
    assert_string_equal(d->dst_mac, "ff:ff:ff:ff:ff:ff");
    assert_int_equal(d->payload_size, 18);
    assert_int_equal(d->header_length, 28);
    assert_non_null(d->ht_control);
    assert_true(d->ht_control->he);
    assert_true(d->ht_control->rdg_more_ppdu);
    assert_null(d->ht_control->ht);
    assert_null(d->ht_control->vht);
    assert_false(reached_llc()); /* management: nothing handed on */
    /* a flipped body octet: FCS kept, not valid */
    buf[sizeof(buf) - 6] ^= 1;
    run(DLT_RADIOTAP, buf, sizeof(buf));
    d = need(NC_REC_Dot11, 0);
    assert_true(d->has_fcs);
    assert_false(d->fcs_valid);
    assert_int_equal(d->payload_size, 18);
    /* cut by the snaplen: the last captured octets are not the FCS */
    run_wire(DLT_RADIOTAP, rt_beacon_he, sizeof(rt_beacon_he) - 6, sizeof(rt_beacon_he));
    d = need(NC_REC_Dot11, 0);
    assert_false(d->has_fcs);
    assert_int_equal(d->checksum, 0);
    assert_int_equal(d->payload_size, 18 + 4 - 6);
}

static void test_radiotap_alignment_and_unknown_bits(void **state)
{
    (void)state;
    run(DLT_RADIOTAP, rt_align_ack, sizeof(rt_align_ack));
    assert_int_equal(bad_own(), 0);
    Netcap__RadioTap *rt = need(NC_REC_RadioTap, 0);
    assert_int_equal(rt->length, 14);
    assert_int_equal(rt->present, 0x0a);
    assert_int_equal(rt->n_present_ext, 0);
    assert_int_equal(rt->flags, 0);
    assert_int_equal(rt->channel_frequency, 2437); /* after one pad octet */
    assert_int_equal(rt->channel_flags, 0x00a0);
    assert_false(rt->fields_incomplete);
    Netcap__Dot11 *d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->type, 1);
    assert_int_equal(d->subtype, 13);
    assert_string_equal(d->address1, "02:00:00:00:00:0a");
    assert_string_equal(d->address2, "");
    assert_string_equal(d->src_mac, "");
    assert_string_equal(d->dst_mac, "02:00:00:00:00:0a");
    assert_int_equal(d->header_length, 10);
    assert_false(d->has_fcs);
    assert_false(fx.pkt.ctx.has_mac); /* an ACK has no transmitter */

    run(DLT_RADIOTAP, rt_unknown_bit, sizeof(rt_unknown_bit));
    assert_int_equal(bad_own(), 0);
    rt = need(NC_REC_RadioTap, 0);
    assert_int_equal(rt->present, 0x80000800);
    assert_int_equal(rt->n_present_ext, 1);
    assert_int_equal(rt->present_ext[0], 1);
    assert_int_equal(rt->antenna, 3);
    assert_true(rt->fields_incomplete);
    d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->subtype, 11); /* RTS */
    assert_int_equal(d->duration_id, 500);
    assert_string_equal(d->src_mac, "02:00:00:00:00:0b");
    assert_string_equal(d->dst_mac, "02:00:00:00:00:0a");
    assert_true(fx.pkt.ctx.has_mac);

    /* a present-word chain longer than the cap (16 words) is malformed */
    uint8_t chain[8 + 17 * 4] = { 0, 0, sizeof(chain), 0 };
    for (size_t i = 0; i < 17; i++) {
        chain[4 + 4 * i + 3] = 0x80;
    }
    run(DLT_RADIOTAP, chain, sizeof(chain));
    assert_int_equal(fx.stats.bad[NC_DEC_radiotap][NC_EMALFORMED], 1);
    assert_int_equal(count_recs(NC_REC_RadioTap), 0);
    /* a chain running past it_len is malformed too; it_len < 8 as well */
    static const uint8_t past[] = { 0, 0, 8, 0, 0, 0, 0, 0x80, 0, 0, 0, 0 };
    run(DLT_RADIOTAP, past, sizeof(past));
    assert_int_equal(fx.stats.bad[NC_DEC_radiotap][NC_EMALFORMED], 1);
    static const uint8_t tiny[] = { 0, 0, 4, 0, 0, 0, 0, 0 };
    run(DLT_RADIOTAP, tiny, sizeof(tiny));
    assert_int_equal(fx.stats.bad[NC_DEC_radiotap][NC_EMALFORMED], 1);
    /* it_len beyond the capture: truncated */
    static const uint8_t longer[] = { 0, 0, 64, 0, 0, 0, 0, 0, 1, 2 };
    run(DLT_RADIOTAP, longer, sizeof(longer));
    assert_int_equal(fx.stats.bad[NC_DEC_radiotap][NC_ETRUNC], 1);
}

static void test_dot11_addresses_by_ds_bits(void **state)
{
    (void)state;
    run(DLT_IEEE802_11, d11_fromds, sizeof(d11_fromds));
    assert_int_equal(bad_own(), 0);
    assert_int_equal(count_recs(NC_REC_RadioTap), 0);
    Netcap__Dot11 *d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->type, 2);
    assert_int_equal(d->subtype, 0);
    assert_int_equal(d->flags, 0x02);
    assert_int_equal(d->duration_id, 0x10);
    assert_int_equal(d->sequence_number, 1);
    assert_int_equal(d->fragment_number, 2);
    assert_string_equal(d->dst_mac, "02:00:00:00:00:0a");
    assert_string_equal(d->bssid, "02:00:00:00:00:bb");
    assert_string_equal(d->src_mac, "02:00:00:00:00:0c");
    assert_string_equal(d->address4, "");
    assert_null(d->qos);
    assert_null(d->ht_control);
    assert_int_equal(d->payload_size, 8);
    assert_false(d->has_fcs);
    assert_int_equal(fx.pkt.ctx.src_mac[5], 0x0c);
    assert_int_equal(fx.pkt.ctx.dst_mac[5], 0x0a);
    assert_true(reached_llc());

    /* to the DS, protected: BSSID, SA, DA; the body is not handed on */
    run(DLT_IEEE802_11, d11_protected, sizeof(d11_protected));
    d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->flags, 0x41);
    assert_string_equal(d->bssid, "02:00:00:00:00:bb");
    assert_string_equal(d->src_mac, "02:00:00:00:00:0b");
    assert_string_equal(d->dst_mac, "02:00:00:00:00:0c");
    assert_int_equal(d->payload_size, 8);
    assert_false(reached_llc());

    /* null function (subtype 4): no body to hand on */
    uint8_t null_fn[24];
    memcpy(null_fn, d11_protected, sizeof(null_fn));
    null_fn[0] = 0x48;
    null_fn[1] = 0x11;
    run(DLT_IEEE802_11, null_fn, sizeof(null_fn));
    d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->subtype, 4);
    assert_int_equal(d->payload_size, 0);
    assert_false(reached_llc());

    /* PS-Poll: addr1 is the BSSID, duration the AID */
    static const uint8_t pspoll[] = { 0xa4, 0x00, 0x01, 0xc0, 2, 0, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0,
        0x0b };
    run(DLT_IEEE802_11, pspoll, sizeof(pspoll));
    d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->duration_id, 0xc001);
    assert_string_equal(d->bssid, "02:00:00:00:00:bb");
    assert_string_equal(d->src_mac, "02:00:00:00:00:0b");
    /* A-MSDU in a QoS data frame: not handed on as LLC */
    static const uint8_t amsdu[] = { 0x88, 0x02, 0, 0, 2, 0, 0, 0, 0, 0x0a, 2, 0, 0, 0, 0, 0xbb, 2,
        0, 0, 0, 0, 0x0c, 0, 0, 0xb5, 0x07, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0 };
    run(DLT_IEEE802_11, amsdu, sizeof(amsdu));
    d = need(NC_REC_Dot11, 0);
    assert_non_null(d->qos);
    assert_true(d->qos->amsdu_present);
    assert_true(d->qos->eosp);
    assert_int_equal(d->qos->ack_policy, 1);
    assert_int_equal(d->qos->tid, 5);
    assert_int_equal(d->qos->txop, 7);
    assert_false(reached_llc());
}

static void test_dot11_ht_control_variants(void **state)
{
    (void)state;
    /* VHT, solicited: MRQ, MSI 3, MFSI 5, MFB (1, 7, 2, 9), coding LDPC */
    run(DLT_IEEE802_11, d11_wrapper_vht, sizeof(d11_wrapper_vht));
    assert_int_equal(bad_own(), 0);
    Netcap__Dot11 *d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->type, 1);
    assert_int_equal(d->subtype, 7);
    assert_string_equal(d->address1, "02:00:00:00:00:0a");
    assert_string_equal(d->address2, "");
    assert_int_equal(d->header_length, 16);
    Netcap__Dot11HTControl *h = d->ht_control;
    assert_non_null(h);
    assert_int_equal(h->raw, 0x0826735d);
    assert_null(h->ht);
    assert_non_null(h->vht);
    assert_true(h->vht->mrq);
    assert_false(h->vht->unsolicited_mfb);
    assert_int_equal(h->vht->msi, 3);
    assert_int_equal(h->vht->mfsi, 5);
    assert_int_equal(h->vht->compressed_msi, 0);
    assert_false(h->vht->stbc_indication);
    assert_int_equal(h->vht->gid, 0);
    assert_int_equal(h->vht->coding_type, 1);
    assert_false(h->vht->fb_tx_beamformed);
    assert_non_null(h->vht->mfb);
    assert_int_equal(h->vht->mfb->num_sts, 1);
    assert_int_equal(h->vht->mfb->vhtmcs, 7);
    assert_int_equal(h->vht->mfb->bw, 2);
    assert_int_equal(h->vht->mfb->snr, 9);
    assert_false(h->ac_constraint);
    assert_false(h->rdg_more_ppdu);

    /* VHT, unsolicited: compressed MSI 2, STBC, GID 5 | 3 << 3 = 29, FB Tx */
    run(DLT_IEEE802_11, d11_wrapper_vht_unsol, sizeof(d11_wrapper_vht_unsol));
    d = need(NC_REC_Dot11, 0);
    h = d->ht_control;
    assert_non_null(h);
    assert_non_null(h->vht);
    assert_true(h->vht->unsolicited_mfb);
    assert_int_equal(h->vht->compressed_msi, 2);
    assert_true(h->vht->stbc_indication);
    assert_int_equal(h->vht->gid, 29);
    assert_int_equal(h->vht->msi, 0);
    assert_int_equal(h->vht->mfsi, 0);
    assert_true(h->vht->fb_tx_beamformed);
    assert_false(h->vht->mrq);

    /* HT with ASEL indication (MAI 14): command 5, data 9; NDP, CSI 2, DEI */
    run(DLT_IEEE802_11, d11_mgmt_asel, sizeof(d11_mgmt_asel));
    d = need(NC_REC_Dot11, 0);
    assert_int_equal(d->type, 0);
    assert_int_equal(d->subtype, 13);
    h = d->ht_control;
    assert_non_null(h);
    assert_non_null(h->ht);
    assert_true(h->ht->ndp_announcement);
    assert_int_equal(h->ht->csi_steering, 2);
    assert_true(h->ht->dei);
    Netcap__Dot11LinkAdapationControl *lac = h->ht->link_adapation_control;
    assert_non_null(lac);
    assert_false(lac->trq);
    assert_false(lac->mrq);
    assert_int_equal(lac->msi, 0);
    assert_int_equal(lac->mfb, 0);
    assert_non_null(lac->asel);
    assert_int_equal(lac->asel->command, 5);
    assert_int_equal(lac->asel->data, 9);
    assert_int_equal(d->header_length, 28);
}

static void test_fddi_llc(void **state)
{
    (void)state;
    run(DLT_FDDI, fddi_snap, sizeof(fddi_snap));
    assert_int_equal(bad_own(), 0);
    Netcap__FDDI *f = need(NC_REC_FDDI, 0);
    assert_int_equal(f->timestamp, DH_STATIC_TS);
    assert_int_equal(f->frame_control, 0x50);
    assert_int_equal(f->priority, 0);
    assert_string_equal(f->dst_mac, "08:00:2b:11:22:33");
    assert_string_equal(f->src_mac, "08:00:2b:44:55:66");
    assert_false(f->synchronous);
    assert_int_equal(f->frame_format, 1);
    assert_int_equal(f->payload_size, (int)sizeof(fddi_snap) - 13);
    assert_true(fx.pkt.ctx.has_mac && fx.pkt.ctx.has_dst_mac);
    assert_true(reached_llc());
    /* priority 4; SMT frames are not handed on and have no priority */
    uint8_t b[sizeof(fddi_snap)];
    memcpy(b, fddi_snap, sizeof(b));
    b[0] = 0x54;
    run(DLT_FDDI, b, sizeof(b));
    f = need(NC_REC_FDDI, 0);
    assert_int_equal(f->priority, 4);
    b[0] = 0x41;
    run(DLT_FDDI, b, sizeof(b));
    f = need(NC_REC_FDDI, 0);
    assert_int_equal(f->frame_format, 0);
    assert_int_equal(f->priority, 0);
    assert_false(reached_llc());
    b[0] = 0xd3;
    run(DLT_FDDI, b, sizeof(b));
    f = need(NC_REC_FDDI, 0);
    assert_true(f->synchronous);
    assert_int_equal(f->priority, 0);
    assert_true(reached_llc());
}

static void test_usbmon_48_setup(void **state)
{
    (void)state;
    run(DLT_USB_LINUX, usbmon48_setup, sizeof(usbmon48_setup));
    assert_int_equal(bad_own(), 0);
    Netcap__USB *u = need(NC_REC_USB, 0);
    assert_int_equal(u->timestamp, DH_STATIC_TS);
    assert_true(u->id == UINT64_C(0xffff88800a0b0c00));
    assert_int_equal(u->event_type, 'S');
    assert_int_equal(u->transfer_type, 2);
    assert_int_equal(u->direction, 0x80);
    assert_int_equal(u->endpoint_number, 0);
    assert_int_equal(u->device_address, 5);
    assert_int_equal(u->bus_id, 1);
    assert_int_equal(u->usbmon_ts_sec, 1700000000);
    assert_int_equal(u->usbmon_ts_usec, 1);
    assert_true(u->setup);
    assert_false(u->data);
    assert_int_equal(u->status, -115);
    assert_int_equal(u->urb_length, 18);
    assert_int_equal(u->urb_data_length, 0);
    assert_int_equal(u->urb_interval, 0);
    assert_int_equal(u->urb_start_frame, 0);
    assert_int_equal(u->urb_copy_of_transfer_flags, 0);
    assert_int_equal(u->iso_num_desc, 0);
    assert_int_equal(u->payload_size, 0);
    assert_int_equal(u->header_length, 48);
    assert_int_equal(u->control_stage, -1);
    Netcap__USBRequestBlockSetup *s = need(NC_REC_USBRequestBlockSetup, 0);
    assert_int_equal(s->timestamp, DH_STATIC_TS);
    assert_int_equal(s->request_type, 0x80);
    assert_int_equal(s->request, 6);
    assert_int_equal(s->value, 0x0100);
    assert_int_equal(s->index, 0);
    assert_int_equal(s->length, 18);
    assert_true(s->id == UINT64_C(0xffff88800a0b0c00));
    /* the same 48 octets as a 64-octet header: truncated, no record */
    run(DLT_USB_LINUX_MMAPPED, usbmon48_setup, sizeof(usbmon48_setup));
    assert_int_equal(fx.stats.bad[NC_DEC_usbmon][NC_ETRUNC], 1);
    assert_int_equal(count_recs(NC_REC_USB), 0);
}

static void test_usbmon_64_iso(void **state)
{
    (void)state;
    fx.opts.payload = true;
    run(DLT_USB_LINUX_MMAPPED, usbmon64_iso, sizeof(usbmon64_iso));
    assert_int_equal(bad_own(), 0);
    Netcap__USB *u = need(NC_REC_USB, 0);
    assert_true(u->id == UINT64_C(0x8877665544332211));
    assert_int_equal(u->event_type, 'C');
    assert_int_equal(u->transfer_type, 0);
    assert_int_equal(u->direction, 0x80);
    assert_int_equal(u->endpoint_number, 3);
    assert_int_equal(u->device_address, 7);
    assert_int_equal(u->bus_id, 3);
    assert_false(u->setup);
    assert_true(u->data);
    assert_int_equal(u->usbmon_ts_sec, 16);
    assert_int_equal(u->usbmon_ts_usec, 32);
    assert_int_equal(u->urb_length, 4);
    assert_int_equal(u->urb_data_length, 4);
    assert_int_equal(u->iso_error_count, 1);
    assert_int_equal(u->iso_num_desc, 2); /* the 64-octet header's ndesc */
    assert_int_equal(u->urb_interval, 1);
    assert_int_equal(u->urb_start_frame, 7);
    assert_int_equal(u->urb_copy_of_transfer_flags, 0x202);
    assert_int_equal(u->header_length, 64);
    assert_int_equal(u->payload_size, 4);
    static const uint8_t want[] = { 0xde, 0xad, 0xbe, 0xef };
    assert_int_equal(u->payload.len, 4);
    assert_memory_equal(u->payload.data, want, 4);
    assert_int_equal(count_recs(NC_REC_USBRequestBlockSetup), 0);
    /* an absurd descriptor count is malformed */
    uint8_t b[sizeof(usbmon64_iso)];
    memcpy(b, usbmon64_iso, sizeof(b));
    b[62] = 0x01; /* ndesc 0x10002 */
    run(DLT_USB_LINUX_MMAPPED, b, sizeof(b));
    assert_int_equal(fx.stats.bad[NC_DEC_usbmon][NC_EMALFORMED], 1);
}

static void test_usbpcap_setup_and_interrupt(void **state)
{
    (void)state;
    run(DLT_USBPCAP, usbpcap_setup, sizeof(usbpcap_setup));
    assert_int_equal(bad_own(), 0);
    Netcap__USB *u = need(NC_REC_USB, 0);
    assert_true(u->id == 0x1122);
    assert_int_equal(u->event_type, 'S');
    assert_int_equal(u->transfer_type, 2);
    assert_int_equal(u->direction, 0x80);
    assert_int_equal(u->endpoint_number, 0);
    assert_int_equal(u->device_address, 3);
    assert_int_equal(u->bus_id, 1);
    assert_true(u->setup);
    assert_false(u->data);
    assert_int_equal(u->status, 0);
    assert_int_equal(u->urb_length, 8);
    assert_int_equal(u->urb_data_length, 8);
    assert_int_equal(u->header_length, 28);
    assert_int_equal(u->usbpcap_function, 0x0b);
    assert_int_equal(u->usbpcap_info, 0);
    assert_int_equal(u->control_stage, 0);
    assert_int_equal(u->payload_size, 8);
    Netcap__USBRequestBlockSetup *s = need(NC_REC_USBRequestBlockSetup, 0);
    assert_int_equal(s->request_type, 0);
    assert_int_equal(s->request, 5);
    assert_int_equal(s->value, 7);
    assert_int_equal(s->index, 0);
    assert_int_equal(s->length, 0);
    assert_true(s->id == 0x1122);

    run(DLT_USBPCAP, usbpcap_intr, sizeof(usbpcap_intr));
    assert_int_equal(bad_own(), 0);
    u = need(NC_REC_USB, 0);
    assert_int_equal(u->event_type, 'C');
    assert_int_equal(u->transfer_type, 1);
    assert_int_equal(u->direction, 0x80);
    assert_int_equal(u->endpoint_number, 1);
    assert_int_equal(u->device_address, 4);
    assert_int_equal(u->bus_id, 2);
    assert_int_equal(u->status, (int32_t)0xc0000005);
    assert_int_equal(u->usbpcap_function, 9);
    assert_int_equal(u->usbpcap_info, 1);
    assert_int_equal(u->control_stage, -1);
    assert_true(u->data);
    assert_false(u->setup);
    assert_int_equal(u->urb_length, 4);
    assert_int_equal(u->urb_data_length, 4);
    assert_int_equal(u->payload_size, 4); /* what dataLength announces */
    assert_int_equal(count_recs(NC_REC_USBRequestBlockSetup), 0);
    /* a header length below 27 is malformed */
    uint8_t b[sizeof(usbpcap_intr)];
    memcpy(b, usbpcap_intr, sizeof(b));
    b[0] = 26;
    run(DLT_USBPCAP, b, sizeof(b));
    assert_int_equal(fx.stats.bad[NC_DEC_usbpcap][NC_EMALFORMED], 1);
}

/* ---- truncation at every length -------------------------------------- */

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    const struct {
        const char *name;
        uint32_t dlt;
        const uint8_t *data;
        size_t len;
        enum nc_decoder_id dec;
        size_t start, end; /* every cut in [start, end) is ETRUNC at dec */
    } cases[] = {
        { "radiotap", DLT_RADIOTAP, rt_wds_qos_htc, sizeof(rt_wds_qos_htc), NC_DEC_radiotap, 0,
                45 },
        { "radiotap align", DLT_RADIOTAP, rt_align_ack, sizeof(rt_align_ack), NC_DEC_radiotap, 0,
                14 },
        { "dot11 ack", DLT_RADIOTAP, rt_align_ack, sizeof(rt_align_ack), NC_DEC_dot11, 14, 24 },
        { "dot11 fromds", DLT_IEEE802_11, d11_fromds, sizeof(d11_fromds), NC_DEC_dot11, 0, 24 },
        { "dot11 wrapper", DLT_IEEE802_11, d11_wrapper_vht, sizeof(d11_wrapper_vht), NC_DEC_dot11,
                0, 16 },
        { "dot11 mgmt htc", DLT_IEEE802_11, d11_mgmt_asel, sizeof(d11_mgmt_asel), NC_DEC_dot11, 0,
                28 },
        { "fddi", DLT_FDDI, fddi_snap, sizeof(fddi_snap), NC_DEC_fddi, 0, 13 },
        { "usbmon48", DLT_USB_LINUX, usbmon48_setup, sizeof(usbmon48_setup), NC_DEC_usbmon, 0, 48 },
        { "usbmon64", DLT_USB_LINUX_MMAPPED, usbmon64_iso, sizeof(usbmon64_iso), NC_DEC_usbmon, 0,
                96 },
        { "usbpcap", DLT_USBPCAP, usbpcap_setup, sizeof(usbpcap_setup), NC_DEC_usbpcap, 0, 28 },
    };
    for (size_t c = 0; c < NC_ARRAY_LEN(cases); c++) {
        for (size_t cut = 0; cut < cases[c].len; cut++) {
            run(cases[c].dlt, cases[c].data, cut);
            assert_int_equal(fx.stats.packets, 1);
            if (cut >= cases[c].start && cut < cases[c].end &&
                    fx.stats.bad[cases[c].dec][NC_ETRUNC] != 1) {
                fail_msg("%s cut at %zu: ETRUNC not counted", cases[c].name, cut);
            }
        }
    }
    /* every frame under every one of these link types, every prefix: no crash */
    const struct {
        const uint8_t *p;
        size_t n;
    } frames[] = {
        { rt_wds_qos_htc, sizeof(rt_wds_qos_htc) },
        { rt_beacon_he, sizeof(rt_beacon_he) },
        { rt_align_ack, sizeof(rt_align_ack) },
        { rt_unknown_bit, sizeof(rt_unknown_bit) },
        { d11_fromds, sizeof(d11_fromds) },
        { d11_mgmt_asel, sizeof(d11_mgmt_asel) },
        { fddi_snap, sizeof(fddi_snap) },
        { usbmon48_setup, sizeof(usbmon48_setup) },
        { usbmon64_iso, sizeof(usbmon64_iso) },
        { usbpcap_setup, sizeof(usbpcap_setup) },
        { usbpcap_intr, sizeof(usbpcap_intr) },
    };
    static const uint32_t dlts[] = { DLT_FDDI, DLT_IEEE802_11, DLT_RADIOTAP, DLT_USB_LINUX,
        DLT_USB_LINUX_MMAPPED, DLT_USBPCAP };
    for (size_t f = 0; f < NC_ARRAY_LEN(frames); f++) {
        for (size_t d = 0; d < NC_ARRAY_LEN(dlts); d++) {
            for (size_t cut = 0; cut <= frames[f].n; cut++) {
                run(dlts[d], frames[f].p, cut);
                assert_int_equal(fx.stats.packets, 1);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_radiotap_namespaces_and_wds_qos_htc, dh_test_setup_static),
        cmocka_unit_test_setup(test_radiotap_fcs_bad_and_cut, dh_test_setup_static),
        cmocka_unit_test_setup(test_radiotap_alignment_and_unknown_bits, dh_test_setup_static),
        cmocka_unit_test_setup(test_dot11_addresses_by_ds_bits, dh_test_setup_static),
        cmocka_unit_test_setup(test_dot11_ht_control_variants, dh_test_setup_static),
        cmocka_unit_test_setup(test_fddi_llc, dh_test_setup_static),
        cmocka_unit_test_setup(test_usbmon_48_setup, dh_test_setup_static),
        cmocka_unit_test_setup(test_usbmon_64_iso, dh_test_setup_static),
        cmocka_unit_test_setup(test_usbpcap_setup_and_interrupt, dh_test_setup_static),
        cmocka_unit_test_setup(test_truncated_at_every_length, dh_test_setup_static),
    };
    return cmocka_run_group_tests(tests, dh_group_setup_static, dh_group_teardown_static);
}
