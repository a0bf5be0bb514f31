/*
 * Unit tests for the link-layer discovery and 802.1X decoders: llc, snap,
 * lldp, cdp, nortel, ctp, eapol, eap, eapolkey (and the helpers of
 * disc_int.h).
 *
 * Frames are written as hex strings, one header field or TLV per string
 * with its readable form in a comment, and fed through nc_decode_packet()
 * as a worker would, from an exact-size heap copy (ASan sees a one-byte
 * over-read). Every frame is also replayed cut at every length, with all
 * record types wanted and with none: no crash, and the same verdicts
 * either way (what is wanted never changes what is counted).
 */
#include <stdio.h>

#define DH_STATIC_FIXTURE
#include "decode_harness.h"
#include "decode/disc_int.h"

enum {
    DLT_EN10MB = 1,
};

static uint8_t buf[4096];
static size_t buf_len;

static int test_setup(void **state)
{
    dh_test_setup_static(state);
    buf_len = 0;
    return 0;
}

/* Append hex digits (spaces ignored) to buf. */
static void hex(const char *h)
{
    int hi = -1;
    for (; *h; h++) {
        int v = *h >= '0' && *h <= '9' ? *h - '0' : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (v < 0) {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            assert_true(buf_len < sizeof(buf));
            buf[buf_len++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
}

static void pad_to(size_t n)
{
    while (buf_len < n) {
        buf[buf_len++] = 0;
    }
}

static void run_hex(void)
{
    run(DLT_EN10MB, buf, buf_len);
}

static uint64_t bad(enum nc_decoder_id d, int err)
{
    return fx.stats.bad[d][err];
}

static void assert_hex(ProtobufCBinaryData b, const char *want)
{
    char s[1024];
    assert_true(b.len * 2 < sizeof(s));
    for (size_t i = 0; i < b.len; i++) {
        snprintf(s + 2 * i, 3, "%02x", b.data[i]);
    }
    s[2 * b.len] = '\0';
    assert_string_equal(s, want);
}

/* Cut the frame in buf at every length, with every record type wanted and
 * with none: no crash, and the same counters. */
static void sweep_truncations(void)
{
    uint8_t copy[sizeof(buf)];
    size_t n = buf_len;
    memcpy(copy, buf, n);
    for (size_t cut = 0; cut <= n; cut++) {
        dh_want_all(&fx.opts, true);
        run(DLT_EN10MB, copy, cut);
        uint64_t with[NC_DEC_COUNT][NC_EARG + 1];
        memcpy(with, fx.stats.bad, sizeof(with));
        uint64_t layers[NC_DEC_COUNT];
        memcpy(layers, fx.stats.layers, sizeof(layers));
        dh_want_all(&fx.opts, false);
        run(DLT_EN10MB, copy, cut);
        assert_int_equal(fx.pkt.n_recs, 0);
        assert_memory_equal(with, fx.stats.bad, sizeof(with));
        assert_memory_equal(layers, fx.stats.layers, sizeof(layers));
    }
    dh_want_all(&fx.opts, true);
    memcpy(buf, copy, n);
    buf_len = n;
}

/* clang-format off */
#define ETH_DOT3(len) "ffffffffffff 020000000a01 " len /* broadcast <- 02:00:00:00:0a:01, 802.3 length */
#define LLC_SNAP      "aaaa03"                         /* DSAP/SSAP SNAP, UI */
/* clang-format on */

/* ---- LLC and SNAP ---------------------------------------------------- */

static void test_llc_snap_rfc1042_arp(void **state)
{
    (void)state;
    hex(ETH_DOT3("0024") LLC_SNAP "000000 0806");                            /* SNAP OUI 0, ARP */
    hex("0001 0800 06 04 0001 020000000a01 c0000201 000000000000 c0000202"); /* who-has .2 */
    pad_to(60);
    run_hex();
    Netcap__LLC *llc = need(NC_REC_LLC, 0);
    assert_int_equal(llc->dsap, 0xaa);
    assert_int_equal(llc->ssap, 0xaa);
    assert_false(llc->ig);
    assert_false(llc->cr);
    assert_int_equal(llc->control, 3);
    Netcap__SNAP *snap = need(NC_REC_SNAP, 0);
    assert_hex(snap->organizational_code, "000000");
    assert_int_equal(snap->type, 0x0806);
    Netcap__ARP *arp = need(NC_REC_ARP, 0);
    assert_string_equal(arp->dst_protocol_address, "192.0.2.2");
    assert_int_equal(bad_total(), 0);
    sweep_truncations();
}

static void test_llc_raw_ipx_is_declined(void **state)
{
    (void)state;
    hex(ETH_DOT3("001e") "ffff 001e 00 04"); /* IPX checksum 0xffff, length 30 */
    pad_to(60);
    run_hex();
    assert_null(rec_nth(NC_REC_LLC, 0));
    assert_int_equal(fx.stats.declined[NC_DEC_llc], 1);
    assert_int_equal(bad_total(), 0);
}

static void test_llc_formats_and_sap_dispatch(void **state)
{
    (void)state;
    /* XID response (SSAP C/R set, control 0xaf): LLC's own PDU, not handed on */
    hex(ETH_DOT3("0006") "00 01 af 810100");
    pad_to(60);
    run_hex();
    Netcap__LLC *llc = need(NC_REC_LLC, 0);
    assert_true(llc->cr);
    assert_int_equal(llc->control, 0xaf);
    assert_int_equal(fx.stats.unknown[NC_NS_LLC_SAP][0], 0);
    /* I-format NetBIOS: two control bytes, handed on under SAP 0xf0 (unclaimed) */
    buf_len = 0;
    hex(ETH_DOT3("0008") "f0 f0 0204 61626364");
    pad_to(60);
    run_hex();
    llc = need(NC_REC_LLC, 0);
    assert_int_equal(llc->control, 0x0204);
    assert_int_equal(fx.stats.unknown_id[NC_NS_LLC_SAP][0], 0xf0);
    /* S-format RR: no information field, nothing handed on */
    buf_len = 0;
    hex(ETH_DOT3("0004") "f0 f1 0101");
    pad_to(60);
    run_hex();
    assert_int_equal(((Netcap__LLC *)need(NC_REC_LLC, 0))->control, 0x0101);
    assert_int_equal(fx.stats.unknown[NC_NS_LLC_SAP][0], 0);
    /* a group DSAP 0x43 (STP with I/G) and SSAP 0x42: the same SAP, handed on */
    buf_len = 0;
    hex(ETH_DOT3("0004") "43 42 03 00");
    pad_to(60);
    run_hex();
    llc = need(NC_REC_LLC, 0);
    assert_true(llc->ig);
    assert_int_equal(llc->dsap, 0x42);
    assert_int_equal(fx.stats.unknown_id[NC_NS_LLC_SAP][0], 0x42);
    /* cut after the SAPs */
    buf_len = 0;
    hex(ETH_DOT3("0002") "aaaa");
    pad_to(60);
    run_hex();
    assert_int_equal(bad(NC_DEC_llc, NC_ETRUNC), 1);
}

static void test_snap_organisations(void **state)
{
    (void)state;
    /* Cisco VTP 0x2003: counted per organisation */
    hex(ETH_DOT3("000a") LLC_SNAP "00000c 2003 0000");
    pad_to(60);
    run_hex();
    assert_int_equal(fx.stats.unknown_id[NC_NS_SNAP_CISCO][0], 0x2003);
    /* unknown OUI: nothing follows, nothing counted */
    buf_len = 0;
    hex(ETH_DOT3("000a") LLC_SNAP "00a0c6 0001 0000");
    pad_to(60);
    run_hex();
    need(NC_REC_SNAP, 0);
    for (size_t ns = 0; ns < NC_NS_COUNT; ns++) {
        assert_int_equal(fx.stats.unknown[ns][0], 0);
    }
    /* 802.1H bridge tunnel: the type is an EtherType (EAPOL-Start here) */
    buf_len = 0;
    hex(ETH_DOT3("000c") LLC_SNAP "0000f8 888e 02010000");
    pad_to(60);
    run_hex();
    Netcap__EAPOL *e = need(NC_REC_EAPOL, 0);
    assert_int_equal(e->type, 1);
    /* 802.1Q with an 802.3 length keeps the padding out of LLC's payload */
    buf_len = 0;
    hex("01000ccccccc 020000000a01 8100 0014 0012" LLC_SNAP "00000c 2000"); /* VLAN 20, len 18 */
    hex("02b4 0000 0001 0006 7633"); /* CDPv2, TTL 180; Device-ID "v3" */
    pad_to(64);
    run_hex();
    Netcap__CiscoDiscovery *cdp = need(NC_REC_CiscoDiscovery, 0);
    assert_int_equal(cdp->n_values, 1);
    assert_int_equal(bad_total(), 0);
}

/* ---- LLDP ------------------------------------------------------------ */

/* 01:80:c2:00:00:0e <- 02:00:00:00:0a:01, LLDP: every decoded TLV (see
 * tests/golden/captures/make-l2-edge.py, frame 11). */
static const char lldp_full[] =
        "0180c200000e 020000000a01 88cc"
        "0206 05 01 c0000201"   /* chassis id: network address, IPv4 192.0.2.1 */
        "0407 03 020000000a01"  /* port id: MAC */
        "0602 0078"             /* TTL 120 */
        "0808 67652d302f302f31" /* port description "ge-0/0/1" */
        "0a08 656467652d737731" /* system name "edge-sw1" */
        "0c03 6e6574"           /* system description "net" */
        "0e04 0034 0010"        /* capabilities: bridge, router, phone; enabled router */
        "1015 05 01 c0000201 02 00000003 09 2b06010401090184 04"     /* mgmt IPv4, ifIndex 3, OID */
        "1018 11 02 20010db8000000000000000000000001 01 00000000 00" /* mgmt IPv6, no OID */
        "fe06 0080c2 01 000a"                                        /* 802.1 PVID 10 */
        "fe0c 0080c2 03 000a 05 766f696365" /* 802.1 VLAN name 10 "voice" */
        "fe09 00120f 01 03 6c01 001e"       /* 802.3 MAC/PHY */
        "fe06 00120f 04 05f2"               /* 802.3 max frame 1522 */
        "fe0a 0012bb 05 68772d312e30"       /* LLDP-MED hardware revision "hw-1.0" */
        "fe0a 0012bb 0b 61737365742d"       /* LLDP-MED asset id "asset-" */
        "1202 0102"                         /* reserved type 9 */
        "0000";                             /* End */

static void test_lldp_all_tlvs(void **state)
{
    (void)state;
    hex(lldp_full);
    hex("0000000000000000"); /* padding after End */
    run_hex();
    assert_int_equal(bad_total(), 0);
    Netcap__LinkLayerDiscovery *l = need(NC_REC_LinkLayerDiscovery, 0);
    assert_int_equal(l->chassis_id->subtype, 5);
    assert_string_equal(l->chassis_id->text, "192.0.2.1");
    assert_int_equal(l->port_id->subtype, 3);
    assert_string_equal(l->port_id->text, "02:00:00:00:0a:01");
    assert_int_equal(l->ttl, 120);
    assert_int_equal(l->n_values, 13); /* everything after TTL, End excluded */
    assert_string_equal(l->src_mac, "02:00:00:00:0a:01");
    assert_string_equal(l->dst_mac, "01:80:c2:00:00:0e");
    Netcap__LinkLayerDiscoveryInfo *i = need(NC_REC_LinkLayerDiscoveryInfo, 0);
    assert_string_equal(i->port_description, "ge-0/0/1");
    assert_string_equal(i->sys_name, "edge-sw1");
    assert_string_equal(i->sys_description, "net");
    assert_true(i->sys_capabilities->system_cap->phone);
    assert_true(i->sys_capabilities->enabled_cap->router);
    assert_false(i->sys_capabilities->enabled_cap->bridge);
    assert_int_equal(i->n_mgmt_addresses, 2);
    assert_ptr_equal(i->mgmt_address, i->mgmt_addresses[0]);
    assert_string_equal(i->mgmt_address->address_text, "192.0.2.1");
    assert_int_equal(i->mgmt_address->interface_number, 3);
    assert_string_equal(i->mgmt_address->oid, "1.3.6.1.4.1.9.1.516");
    assert_string_equal(i->mgmt_addresses[1]->address_text, "2001:db8::1");
    assert_string_equal(i->mgmt_addresses[1]->oid, "");
    assert_int_equal(i->n_org_tlvs, 6);
    assert_int_equal(i->org_tlvs[0]->oui, 0x0080c2);
    assert_int_equal(i->port_vlan_id, 10);
    assert_int_equal(i->n_vlan_names, 1);
    assert_string_equal(i->vlan_names[0]->name, "voice");
    assert_int_equal(i->mac_phy->mau_type, 30);
    assert_int_equal(i->mac_phy->pmd_autoneg_capability, 0x6c01);
    assert_int_equal(i->max_frame_size, 1522);
    assert_string_equal(i->inventory->hardware_revision, "hw-1.0");
    assert_string_equal(i->inventory->asset_id, "asset-");
    assert_int_equal(i->n_unknown, 1);
    assert_int_equal(i->unknown[0]->type, 9);
    sweep_truncations();
}

static void test_lldp_malformed_kept(void **state)
{
    (void)state;
    hex("0180c200000e 020000000a01 88cc");
    hex("0403 07 7031");            /* port id first: out of order */
    hex("0207 04 020000000a01");    /* chassis id */
    hex("0602 003c");               /* TTL 60 */
    hex("0e02 0004");               /* capabilities: 2 bytes, too short */
    hex("fe03 0080c2");             /* organisation TLV without subtype */
    hex("1008 00 01 000000000000"); /* management address string length 0 */
    run_hex();
    assert_int_equal(bad(NC_DEC_lldp, NC_EMALFORMED), 1);
    Netcap__LinkLayerDiscovery *l = need(NC_REC_LinkLayerDiscovery, 0);
    assert_string_equal(l->chassis_id->text, "02:00:00:00:0a:01");
    assert_string_equal(l->port_id->text, "p1");
    assert_int_equal(l->ttl, 60);
    Netcap__LinkLayerDiscoveryInfo *i = need(NC_REC_LinkLayerDiscoveryInfo, 0);
    assert_null(i->sys_capabilities);
    assert_int_equal(i->n_org_tlvs, 0);
    assert_int_equal(i->n_mgmt_addresses, 0);
    assert_int_equal(i->n_unknown, 3); /* the three that could not be decoded, raw */
    sweep_truncations();
}

static void test_lldp_tlv_cap(void **state)
{
    (void)state;
    hex("0180c200000e 020000000a01 88cc 0207 04 020000000a01 0403 07 7031 0602 003c");
    for (int k = 0; k < 300; k++) {
        hex("1200"); /* empty TLVs of reserved type 9 */
    }
    run_hex();
    assert_int_equal(bad(NC_DEC_lldp, NC_ELIMIT), 1);
    Netcap__LinkLayerDiscovery *l = need(NC_REC_LinkLayerDiscovery, 0);
    assert_int_equal(l->n_values, 256 - 3);
}

static void test_lldp_helpers(void **state)
{
    (void)state;
    run(DLT_EN10MB, (const uint8_t *)"", 0); /* a packet context for the arena helpers */
    struct {
        const char *ber;
        const char *text;
    } oids[] = {
        { "2b0601", "1.3.6.1" },
        { "06032b0601", "1.3.6.1" }, /* a whole BER value */
        { "8837", "2.999" },         /* first arc over 80 */
        { "2b86", "2b86" },          /* ends inside a subidentifier: hex */
        { "2bffffffffffffffffff7f", "2bffffffffffffffffff7f" }, /* over 64 bits */
        { "0600", "0600" },                                     /* BER value with no contents */
        { "", "" },
    };
    for (size_t k = 0; k < NC_ARRAY_LEN(oids); k++) {
        buf_len = 0;
        hex(oids[k].ber);
        struct nc_span s = { buf, buf_len };
        assert_string_equal(nc_disc_oid(&fx.pkt, s), oids[k].text);
    }
    buf_len = 0;
    hex("0a0b0c0d0e");
    struct nc_span s5 = { buf, 5 };
    assert_string_equal(nc_disc_addr(&fx.pkt, 1, s5), "0a0b0c0d0e"); /* IPv4 of 5 bytes: hex */
    struct nc_span s4 = { buf, 4 };
    assert_string_equal(nc_disc_addr(&fx.pkt, 1, s4), "10.11.12.13");
    assert_string_equal(nc_disc_addr(&fx.pkt, 9, s4), "0a0b0c0d");
}

/* ---- CDP ------------------------------------------------------------- */

static void test_cdp_fields(void **state)
{
    (void)state;
    hex("01000ccccccc 020000000a01 0000" LLC_SNAP "00000c 2000"); /* length patched below */
    size_t start = buf_len;
    hex("02 b4 beef");                                                   /* CDPv2, TTL 180 */
    hex("0001 0006 5331");                                               /* device id "S1" */
    hex("0002 002d 00000002 01 01 cc 0004 c0000201"                      /* addresses: IPv4 */
        "02 08 aaaa0300000086dd 0010 20010db8000000000000000000000001"); /* and IPv6 */
    hex("0004 0008 00000089");                                           /* router, switch, phone */
    hex("0007 000e 0a000000 08 c0a80100 18");                            /* 10/8, 192.168.1/24 */
    hex("000b 0005 00");                                                 /* duplex half */
    hex("000e 0007 01 0064");                                            /* voice VLAN reply 100 */
    hex("0015 000f 0609 2b0601040109018404");                            /* sys OID (BER) */
    hex("0017 000d 00 526f6f6d20313031");                                /* location "Room 101" */
    hex("0019 0010 0005 0001 00003c28 00001b58");                        /* power requested */
    hex("001f 0005 0d");                                                 /* spare pair */
    hex("0018 0008 61626364");                                           /* undecoded 0x18 */
    size_t len = buf_len - start + 8;
    buf[12] = (uint8_t)(len >> 8);
    buf[13] = (uint8_t)len;
    run_hex();
    assert_int_equal(bad_total(), 0);
    Netcap__CiscoDiscovery *c = need(NC_REC_CiscoDiscovery, 0);
    assert_int_equal(c->version, 2);
    assert_int_equal(c->ttl, 180);
    assert_int_equal(c->checksum, 0xbeef);
    assert_int_equal(c->n_values, 11);
    assert_int_equal(c->values[0]->length, 6);
    Netcap__CiscoDiscoveryInfo *i = need(NC_REC_CiscoDiscoveryInfo, 0);
    assert_string_equal(i->device_id, "S1");
    assert_int_equal(i->n_addresses, 2);
    assert_string_equal(i->addresses[0], "192.0.2.1");
    assert_string_equal(i->addresses[1], "2001:db8::1");
    assert_true(i->capabilities->l3_router);
    assert_true(i->capabilities->is_phone);
    assert_int_equal(i->n_ip_prefixes, 2);
    assert_string_equal(i->ip_prefixes[1]->ip_mask, "255.255.255.0");
    assert_false(i->full_duplex);
    assert_int_equal(i->vlan_reply->vlan, 100);
    assert_string_equal(i->sys_oid, "1.3.6.1.4.1.9.1.516");
    assert_string_equal(i->location->location, "Room 101");
    assert_int_equal(i->power_request->n_values, 2);
    assert_int_equal(i->power_request->values[0], 15400);
    assert_true(i->spare_pair_poe->pse_on);
    assert_int_equal(i->n_unknown, 1);
    assert_int_equal(i->unknown[0]->type, 0x18);
    sweep_truncations();
}

static void test_cdp_malformed(void **state)
{
    (void)state;
    /* an address count of 2^32-1 with one entry's bytes: bounded by the data */
    hex(ETH_DOT3("0026") LLC_SNAP "00000c 2000 02 b4 0000");
    hex("0002 0011 ffffffff 01 01 cc 0004 c0000201");
    hex("000a 0005 01"); /* native VLAN: 1 byte */
    hex("0003 0002");    /* TLV length 2: cannot advance */
    run_hex();
    assert_int_equal(bad(NC_DEC_cdp, NC_EMALFORMED), 1);
    Netcap__CiscoDiscoveryInfo *i = need(NC_REC_CiscoDiscoveryInfo, 0);
    assert_int_equal(i->n_addresses, 1);
    assert_int_equal(i->native_vlan, 0);
    assert_int_equal(i->n_unknown, 1); /* the short native VLAN, raw */
    assert_int_equal(((Netcap__CiscoDiscovery *)need(NC_REC_CiscoDiscovery, 0))->n_values, 2);
    sweep_truncations();
    /* EnergyWise with a sub-TLV longer than the rest */
    buf_len = 0;
    hex(ETH_DOT3("0060") LLC_SNAP "00000c 2000 02 b4 0000 001d 0054");
    pad_to(14 + 8 + 4 + 4 + 72);
    hex("00000007 000000ff 61"); /* role, length 255, 1 byte */
    run_hex();
    assert_int_equal(bad(NC_DEC_cdp, NC_EMALFORMED), 1);
    assert_null(((Netcap__CiscoDiscoveryInfo *)need(NC_REC_CiscoDiscoveryInfo, 0))->energy_wise);
}

/* ---- Nortel, CTP ----------------------------------------------------- */

static void test_nortel(void **state)
{
    (void)state;
    hex("010081000100 0000815a0b0c 0013" LLC_SNAP "000081 01a2");
    hex("c000020a 000005 01 0c 03 01"); /* 192.0.2.10, segment 00-00-05, ... */
    pad_to(60);
    run_hex();
    Netcap__NortelDiscovery *n = need(NC_REC_NortelDiscovery, 0);
    assert_string_equal(n->ip_address, "192.0.2.10");
    assert_hex(n->segment_id, "000005");
    assert_int_equal(n->backplane, 12);
    assert_int_equal(n->state, 3);
    assert_string_equal(n->src_mac, "00:00:81:5a:0b:0c");
    assert_int_equal(bad_total(), 0);
    sweep_truncations();
}

static void test_ctp_chain(void **state)
{
    (void)state;
    /* two hops, forwarded once (skipCount 8): Forward 0a, Forward 0b, Reply 3 */
    hex("cf0000000000 02000000000a 9000 0800");
    hex("0200 02000000000a 0200 02000000000b 0100 0300 6461746121");
    run_hex();
    Netcap__EthernetCTP *c = need(NC_REC_EthernetCTP, 0);
    assert_int_equal(c->skip_count, 8);
    assert_int_equal(c->function, 2);
    assert_int_equal(c->n_forward_addresses, 2);
    assert_string_equal(c->forward_addresses[1], "02:00:00:00:00:0b");
    Netcap__EthernetCTPReply *r = need(NC_REC_EthernetCTPReply, 0);
    assert_int_equal(r->receipt_number, 3);
    assert_hex(r->data, "6461746121");
    assert_int_equal(bad_total(), 0);
    sweep_truncations();
    /* skipCount 3 lands inside a message: no relevant function */
    buf_len = 0;
    hex("02000000000a 02000000000a 9000 0300 0100 0400 00000000");
    run_hex();
    assert_int_equal(((Netcap__EthernetCTP *)need(NC_REC_EthernetCTP, 0))->function, 0);
    need(NC_REC_EthernetCTPReply, 0);
    /* an unknown function ends the chain */
    buf_len = 0;
    hex("02000000000a 02000000000a 9000 0000 0700 00000000");
    run_hex();
    assert_int_equal(bad(NC_DEC_ctp, NC_EUNSUPP), 1);
    assert_null(rec_nth(NC_REC_EthernetCTPReply, 0));
}

/* ---- EAPOL, EAP, EAPOL-Key ------------------------------------------- */

#define ETH_EAPOL "020000000202 020000000101 888e" /* supplicant <- authenticator */

static void test_eapol_eap_identity_and_padding(void **state)
{
    (void)state;
    hex(ETH_EAPOL "01 00 000a");     /* EAPOL v1, EAP packet, body 10 */
    hex("02 07 000a 01 616c696365"); /* Response, id 7, len 10, Identity "alice" */
    pad_to(60);                      /* Ethernet padding: not EAP's */
    run_hex();
    Netcap__EAPOL *e = need(NC_REC_EAPOL, 0);
    assert_int_equal(e->length, 10);
    Netcap__EAP *eap = need(NC_REC_EAP, 0);
    assert_int_equal(eap->code, 2);
    assert_int_equal(eap->id, 7);
    assert_int_equal(eap->type, 1);
    assert_string_equal(eap->identity, "alice");
    assert_hex(eap->type_data, "616c696365");
    assert_int_equal(bad_total(), 0);
    sweep_truncations();
    /* EAP length 3: malformed; length past the body: truncated, data kept */
    buf_len = 0;
    hex(ETH_EAPOL "02 00 0004 01 0b 0003");
    pad_to(60);
    run_hex();
    assert_int_equal(bad(NC_DEC_eap, NC_EMALFORMED), 1);
    buf_len = 0;
    hex(ETH_EAPOL "02 00 0008 02 0c 0028 01 626f62");
    pad_to(60);
    run_hex();
    assert_int_equal(bad(NC_DEC_eap, NC_ETRUNC), 1);
    assert_string_equal(((Netcap__EAP *)need(NC_REC_EAP, 0))->identity, "bob");
    /* EAPOL body longer than the frame: not handed on */
    buf_len = 0;
    hex(ETH_EAPOL "02 00 0064 01 0d 0005 01");
    run_hex();
    assert_int_equal(bad(NC_DEC_eapol, NC_ETRUNC), 1);
    assert_null(rec_nth(NC_REC_EAP, 0));
    /* Success carries no type */
    buf_len = 0;
    hex(ETH_EAPOL "02 00 0004 03 09 0004");
    pad_to(60);
    run_hex();
    assert_int_equal(((Netcap__EAP *)need(NC_REC_EAP, 0))->type, 0);
    assert_int_equal(bad_total(), 0);
}

/* An RSN EAPOL-Key body: key info, key length, replay counter, nonce byte
 * (repeated), RSC, MIC of mic_len bytes, key data. */
static void key_frame(const char *ki, const char *nonce_byte, const char *rsc, size_t mic_len,
        const char *kdata_hex, size_t kdata_len)
{
    buf_len = 0;
    size_t body = 95 + mic_len - 16 + kdata_len;
    char hdr[64];
    snprintf(hdr, sizeof(hdr), "02 03 %04zx 02", body); /* EAPOL v2 key, descriptor 2 */
    hex(ETH_EAPOL);
    hex(hdr);
    hex(ki);
    hex("0010 0000000000000001"); /* key length 16, replay counter 1 */
    for (int k = 0; k < 32; k++) {
        hex(nonce_byte);
    }
    hex("00000000000000000000000000000000"); /* IV */
    hex(rsc);
    hex("0000000000000000"); /* reserved */
    for (size_t k = 0; k < mic_len; k++) {
        hex("ee");
    }
    char kdl[8];
    snprintf(kdl, sizeof(kdl), "%04zx", kdata_len);
    hex(kdl);
    hex(kdata_hex);
}

static void test_eapolkey_4way(void **state)
{
    (void)state;
    static const struct {
        const char *ki, *nonce;
        size_t kdl;
        int32_t msg;
    } msgs[] = {
        { "008a", "aa", 22, 1 }, /* ack */
        { "010a", "bb", 22, 2 }, /* MIC, RSNE */
        { "13ca", "aa", 22, 3 }, /* ack, MIC, install, secure, encrypted */
        { "030a", "00", 0, 4 },  /* MIC, secure */
        { "1382", "00", 22, 1 }, /* group: ack, MIC, secure, encrypted */
        { "0302", "00", 0, 2 },  /* group: MIC, secure */
        { "0f02", "00", 0, 0 },  /* request, error */
    };
    static const char kd22[] = "30140100000fac040100000fac040100000fac020000";
    for (size_t k = 0; k < NC_ARRAY_LEN(msgs); k++) {
        key_frame(msgs[k].ki, msgs[k].nonce, "0500000000000000", 16, msgs[k].kdl ? kd22 : "",
                msgs[k].kdl);
        run_hex();
        Netcap__EAPOLKey *key = need(NC_REC_EAPOLKey, 0);
        assert_int_equal(key->handshake_message, msgs[k].msg);
        assert_int_equal(key->key_data_length, (int32_t)msgs[k].kdl);
        assert_int_equal(key->mic.len, 16);
        assert_int_equal(key->rsc, 5); /* little-endian */
        assert_int_equal(key->replay_counter, 1);
        assert_int_equal(bad_total(), 0);
    }
    Netcap__EAPOLKey *key = need(NC_REC_EAPOLKey, 0);
    assert_true(key->request);
    assert_true(key->mic_error);
    assert_int_equal(key->key_descriptor_version, 2);
    key_frame("13ca", "aa", "0000000000000000", 16, kd22, 22);
    sweep_truncations();
}

static void test_eapolkey_mic_sizes_and_rc4(void **state)
{
    (void)state;
    /* AKM-defined version 0, Suite B: a 24-byte MIC, found by the key data length */
    key_frame("0108", "bb", "0000000000000000", 24, "dd00", 2);
    run_hex();
    Netcap__EAPOLKey *key = need(NC_REC_EAPOLKey, 0);
    assert_int_equal(key->mic.len, 24);
    assert_hex(key->encrypted_key_data, "dd00");
    assert_int_equal(bad_total(), 0);
    /* key data length past the body: truncated, what is there kept */
    key_frame("13ca", "aa", "0000000000000000", 16, "0102", 2);
    buf[buf_len - 3] = 0x38; /* key data length 56 */
    run_hex();
    assert_int_equal(bad(NC_DEC_eapolkey, NC_ETRUNC), 1);
    key = need(NC_REC_EAPOLKey, 0);
    assert_int_equal(key->key_data_length, 56);
    assert_int_equal(key->encrypted_key_data.len, 2);
    /* RC4 descriptor (802.1X-2001), tcpdump-eapon1 frame 25 */
    buf_len = 0;
    hex(ETH_EAPOL "01 03 0039 01 000d 0000406055 11009b");
    hex("6aba18850f27ac38ae1aca8253858f26 02"); /* key IV, key index 2 (broadcast) */
    hex("5d11315d47c77d8547a020d8cb9d4943");    /* key signature */
    hex("9af1d153d2ba5ccf63c3a226b8");          /* key (13 bytes) */
    run_hex();
    key = need(NC_REC_EAPOLKey, 0);
    assert_int_equal(key->key_descriptor_type, 1);
    assert_int_equal(key->key_length, 13);
    assert_int_equal(key->key_index, 2);
    assert_int_equal(key->key_type, 0);
    assert_int_equal(key->key_data_length, 13);
    assert_true(key->has_encrypted_key_data);
    assert_hex(key->mic, "5d11315d47c77d8547a020d8cb9d4943");
    assert_int_equal(key->handshake_message, 0);
    assert_int_equal(bad_total(), 0);
    sweep_truncations();
    /* undefined descriptor type */
    buf_len = 0;
    hex(ETH_EAPOL "02 03 0005 03 00000000");
    pad_to(60);
    run_hex();
    assert_int_equal(bad(NC_DEC_eapolkey, NC_EUNSUPP), 1);
    assert_int_equal(((Netcap__EAPOLKey *)need(NC_REC_EAPOLKey, 0))->key_descriptor_type, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_llc_snap_rfc1042_arp, test_setup),
        cmocka_unit_test_setup(test_llc_raw_ipx_is_declined, test_setup),
        cmocka_unit_test_setup(test_llc_formats_and_sap_dispatch, test_setup),
        cmocka_unit_test_setup(test_snap_organisations, test_setup),
        cmocka_unit_test_setup(test_lldp_all_tlvs, test_setup),
        cmocka_unit_test_setup(test_lldp_malformed_kept, test_setup),
        cmocka_unit_test_setup(test_lldp_tlv_cap, test_setup),
        cmocka_unit_test_setup(test_lldp_helpers, test_setup),
        cmocka_unit_test_setup(test_cdp_fields, test_setup),
        cmocka_unit_test_setup(test_cdp_malformed, test_setup),
        cmocka_unit_test_setup(test_nortel, test_setup),
        cmocka_unit_test_setup(test_ctp_chain, test_setup),
        cmocka_unit_test_setup(test_eapol_eap_identity_and_padding, test_setup),
        cmocka_unit_test_setup(test_eapolkey_4way, test_setup),
        cmocka_unit_test_setup(test_eapolkey_mic_sizes_and_rc4, test_setup),
    };
    return cmocka_run_group_tests(tests, dh_group_setup_static, dh_group_teardown_static);
}
