/*
 * Unit tests for SCTP and the industrial / telecom decoders: sctp, modbus,
 * enip (ENIP, CIP, CIP I/O) and diameter.
 *
 * The decoders are driven through their descriptors with the packet context
 * an IP (and transport) decoder would leave; inputs are copied into heap
 * blocks of exactly their size so that ASan sees a one-byte over-read, and
 * every crafted message is also decoded cut at every length.
 */
#include "decode_harness.h"

#include "decode/appmsg.h"

static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_dst[4] = { 198, 51, 100, 7 };

/* A packet after IPv4 and a transport header with these ports. */
static struct nc_pkt *fresh_pkt(struct dh_fx *f, uint8_t proto, uint16_t sport, uint16_t dport)
{
    struct nc_pkt *pkt = dh_fresh_ip(f, 4, ip4_src, ip4_dst, proto);
    if (sport || dport) {
        pkt->ctx.has_ports = true;
        pkt->ctx.src_port = sport;
        pkt->ctx.dst_port = dport;
    }
    return pkt;
}

/* Run decoder id as if found by found_by (its next_id). */
static int run(struct nc_pkt *pkt, enum nc_decoder_id id, uint32_t found_by, struct nc_rd *r)
{
    pkt->next_id = found_by;
    return dh_run_decoder(pkt, id, r);
}

/* p, which must not be NULL (abort() tells the compiler so). */
static void *must(void *p)
{
    if (!p) {
        fail_msg("unexpected NULL");
        abort();
    }
    return p;
}

/* Decode msg cut at every length 0..n-1: never crashes; a result other
 * than OK/DECLINE/ETRUNC/EMALFORMED/ELIMIT is a bug. */
static void every_cut(struct dh_fx *f, enum nc_decoder_id id, uint8_t proto, uint16_t sp,
        uint16_t dp, const uint8_t *msg, size_t n)
{
    for (size_t cut = 0; cut < n; cut++) {
        struct nc_pkt *pkt = fresh_pkt(f, proto, sp, dp);
        struct nc_rd r = dh_reader(f, msg, cut);
        int rc = run(pkt, id, dp, &r);
        assert_true(rc == NC_OK || rc == NC_DECLINE || rc == NC_ETRUNC || rc == NC_EMALFORMED ||
                    rc == NC_ELIMIT);
    }
}

/* ------------------------------------------------------------------ SCTP */

/* INIT, then DATA (B|E, PPID 46) carrying a Diameter DWR */
static const uint8_t sctp_pkt[] = {
    0x0f,
    0x1c,
    0x0f,
    0x1c, /* ports 3868 -> 3868 */
    0x11,
    0x22,
    0x33,
    0x44, /* vtag */
    0xaa,
    0xbb,
    0xcc,
    0xdd, /* checksum */
    0x01,
    0x00,
    0x00,
    0x0a, /* INIT, len 10 (pads to 12) */
    0xde,
    0xad,
    0xbe,
    0xef,
    0x01,
    0x02,
    0x00,
    0x00,
    0x00,
    0x03,
    0x00,
    0x30, /* DATA, flags B|E, len 16 + 32 */
    0x00,
    0x00,
    0x00,
    0x07, /* TSN 7 */
    0x00,
    0x01,
    0x00,
    0x02, /* stream 1, seq 2 */
    0x00,
    0x00,
    0x00,
    0x2e, /* PPID 46 */
    /* Diameter DWR: 20-byte header + Origin-State-Id (Unsigned32) */
    0x01,
    0x00,
    0x00,
    0x20,
    0x80,
    0x00,
    0x01,
    0x18,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x09,
    0x00,
    0x00,
    0x00,
    0x0a,
    0x00,
    0x00,
    0x01,
    0x16,
    0x40,
    0x00,
    0x00,
    0x0c,
    0x00,
    0x00,
    0x00,
    0x05,
};

static void test_sctp_chunks_and_handoff(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 0, 0, 0);
    struct nc_rd r = dh_reader(f, sctp_pkt, sizeof(sctp_pkt));
    assert_int_equal(run(pkt, NC_DEC_sctp, 132, &r), NC_OK);
    assert_true(pkt->ctx.has_ports);
    assert_int_equal(pkt->ctx.ip_proto, 132);
    assert_int_equal(pkt->ctx.src_port, 3868);
    Netcap__SCTP *s = dh_need(pkt, NC_REC_SCTP, 0);
    assert_non_null(s);
    assert_int_equal(s->verification_tag, 0x11223344);
    assert_int_equal(s->checksum, 0xaabbccdd);
    assert_int_equal(s->n_chunks, 2);
    assert_int_equal(s->num_chunks, 2);
    assert_int_equal(s->chunks[0]->type, 1);
    assert_int_equal(s->chunks[0]->initiate_tag, 0xdeadbeef);
    assert_int_equal(s->chunks[1]->type, 0);
    assert_int_equal(s->chunks[1]->tsn, 7);
    assert_int_equal(s->chunks[1]->stream_id, 1);
    assert_int_equal(s->chunks[1]->stream_sequence_number, 2);
    assert_int_equal(s->chunks[1]->ppid, 46);
    assert_int_equal(s->chunks[1]->data_length, 32);
    assert_int_equal(s->n_ppids, 1);
    /* the user data goes on to SCTP port 3868 */
    assert_int_equal(pkt->next_ns, NC_NS_SCTP_PORT);
    assert_int_equal(pkt->next_id, 3868);
    assert_int_equal(nc_rd_left(&r), 32);
    assert_int_equal(run(pkt, NC_DEC_diameter, 3868, &r), NC_OK);
    Netcap__Diameter *d = dh_need(pkt, NC_REC_Diameter, 0);
    assert_non_null(d);
    assert_int_equal(d->command_code, 280);
    assert_string_equal(d->command_name, "Device-Watchdog");
    assert_string_equal(d->transport, "sctp");
    assert_int_equal(d->n_avps, 1);
    assert_string_equal(d->avps[0]->attribute_name, "Origin-State-Id");
    assert_string_equal(d->avps[0]->decoded_value, "5");
    every_cut(f, NC_DEC_sctp, 0, 0, 0, sctp_pkt, sizeof(sctp_pkt));
}

static void test_sctp_bad_chunk_length(void **state)
{
    struct dh_fx *f = *state;
    uint8_t p[16];
    memcpy(p, sctp_pkt, 12);
    const uint8_t bad[4] = { 0x03, 0x00, 0x00, 0x02 }; /* length 2 < 4 */
    memcpy(p + 12, bad, 4);
    struct nc_pkt *pkt = fresh_pkt(f, 0, 0, 0);
    struct nc_rd r = dh_reader(f, p, sizeof(p));
    assert_int_equal(run(pkt, NC_DEC_sctp, 132, &r), NC_EMALFORMED);
    Netcap__SCTP *s = dh_need(pkt, NC_REC_SCTP, 0);
    assert_non_null(s); /* the header record stands */
    assert_int_equal(pkt->next_ns, NC_NS_NONE);
}

static void test_sctp_chunk_cap(void **state)
{
    struct dh_fx *f = *state;
    uint8_t p[12 + 40 * 4];
    memcpy(p, sctp_pkt, 12);
    for (size_t i = 0; i < 40; i++) {
        const uint8_t hb[4] = { 0x0e, 0x00, 0x00, 0x04 }; /* SHUTDOWN COMPLETE */
        memcpy(p + 12 + 4 * i, hb, 4);
    }
    struct nc_pkt *pkt = fresh_pkt(f, 0, 0, 0);
    struct nc_rd r = dh_reader(f, p, sizeof(p));
    assert_int_equal(run(pkt, NC_DEC_sctp, 132, &r), NC_ELIMIT);
    Netcap__SCTP *s = dh_need(pkt, NC_REC_SCTP, 0);
    assert_int_equal(s->n_chunks, 32);
    assert_int_equal(s->num_chunks, 40);
}

/* ---------------------------------------------------------------- Modbus */

static const uint8_t modbus_two[] = {
    0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x0a, 0x03, 0x00, 0x05, 0x00, 0x02, /* read holding */
    0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x0b, 0x81, 0x02,                   /* exception 2 */
};

/* Modbus is TCP only: its stream parser (test_tcpapps.c) frames the ADUs;
 * here the message decoder, each ADU on its own, on the packet path. */
static int modbus_adus(struct nc_pkt *pkt, const uint8_t *p, size_t n)
{
    struct nc_app_out o = { .pkt = pkt, .src_port = pkt->ctx.src_port, .transport = "tcp" };
    int rc = NC_OK;
    size_t off = 0;
    while (off < n && rc == NC_OK) {
        long len = nc_modbus_frame(p + off, n - off);
        if (len == 0) {
            return NC_EMALFORMED;
        }
        size_t take = len < 0 ? n - off : NC_MIN((size_t)len, n - off);
        rc = nc_modbus_adu(&o, p + off, take);
        off += take;
    }
    return rc;
}

static void test_modbus_two_adus(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 502, 40000);
    struct nc_rd r = dh_reader(f, modbus_two, sizeof(modbus_two));
    assert_int_equal(modbus_adus(pkt, nc_rd_ptr(&r), nc_rd_left(&r)), NC_OK);
    assert_int_equal(dh_count_recs(pkt, NC_REC_Modbus), 2);
    Netcap__Modbus *a = dh_need(pkt, NC_REC_Modbus, 0);
    Netcap__Modbus *b = dh_need(pkt, NC_REC_Modbus, 1);
    assert_int_equal(a->transaction_id, 1);
    assert_int_equal(a->unit_id, 10);
    assert_int_equal(a->function_code, 3);
    assert_string_equal(a->function_name, "READ_HOLDING_REGISTERS");
    assert_false(a->exception);
    assert_true(a->response);
    assert_int_equal(a->payload.len, 4);
    assert_int_equal(b->transaction_id, 2);
    assert_true(b->exception);
    assert_int_equal(b->function_code, 1);
    assert_int_equal(b->exception_code, 2);
    for (size_t cut = 0; cut < sizeof(modbus_two); cut++) {
        pkt = fresh_pkt(f, 6, 40000, 502);
        r = dh_reader(f, modbus_two, cut);
        int rc = modbus_adus(pkt, nc_rd_ptr(&r), nc_rd_left(&r));
        assert_true(rc == NC_OK || rc == NC_ETRUNC);
    }
}

static void test_modbus_bad_headers(void **state)
{
    NC_UNUSED(state);
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    static const uint8_t badlen[] = { 0, 1, 0, 0, 0x01, 0x00, 0x0a, 0x03 }; /* length 256 */
    static const uint8_t shortlen[] = { 0, 1, 0, 0, 0x00, 0x01, 0x0a, 0x03 };
    assert_int_equal(nc_modbus_frame(http, sizeof(http) - 1), 0);
    assert_int_equal(nc_modbus_frame(badlen, sizeof(badlen)), 0);
    assert_int_equal(nc_modbus_frame(shortlen, sizeof(shortlen)), 0);
    assert_int_equal(nc_modbus_frame(modbus_two, 7), -1);
    assert_int_equal(nc_modbus_frame(modbus_two, 8), 12);
}

static void test_modbus_truncated_adu(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t cut[] = { 0, 7, 0, 0, 0x00, 0x10, 0x01, 0x10, 0x00, 0x01 };
    struct nc_pkt *pkt = fresh_pkt(f, 6, 40000, 502);
    struct nc_rd r = dh_reader(f, cut, sizeof(cut));
    assert_int_equal(modbus_adus(pkt, nc_rd_ptr(&r), nc_rd_left(&r)), NC_ETRUNC);
    Netcap__Modbus *m = dh_need(pkt, NC_REC_Modbus, 0);
    assert_non_null(m);
    assert_int_equal(m->function_code, 16);
    assert_false(m->response);
}

/* ------------------------------------------------------------ ENIP / CIP */

static const uint8_t enip_list_identity_resp[] = {
    0x63,
    0x00,
    0x33,
    0x00,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xc1,
    0xde,
    0xbe,
    0xd1,
    0,
    0,
    0,
    0,
    0x01,
    0x00,
    0x0c,
    0x00,
    0x2d,
    0x00,
    0x01,
    0x00,
    0x00,
    0x02,
    0xaf,
    0x12,
    0x0a,
    0x01,
    0x01,
    0xa4,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x01,
    0x00,
    0x0c,
    0x00,
    0x3a,
    0x00,
    0x04,
    0x03,
    0x30,
    0x00,
    0x8e,
    0x4d,
    0x52,
    0x00,
    0x0b,
    '1',
    '7',
    '5',
    '6',
    '-',
    'E',
    'N',
    'B',
    'T',
    '/',
    'A',
    0x03,
};

static void test_enip_list_identity(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 44818, 31304);
    struct nc_rd r = dh_reader(f, enip_list_identity_resp, sizeof(enip_list_identity_resp));
    assert_int_equal(run(pkt, NC_DEC_enip, 44818, &r), NC_OK);
    Netcap__ENIP *e = dh_need(pkt, NC_REC_ENIP, 0);
    assert_non_null(e);
    assert_int_equal(e->command, 0x63);
    assert_string_equal(e->command_name, "ListIdentity");
    assert_true(e->response);
    assert_int_equal(e->length, 51);
    Netcap__ENIPCommandSpecificData *csd = must(e->command_specific);
    Netcap__ENIPIdentity *id = must(csd->identity);
    assert_non_null(id);
    assert_int_equal(id->vendor_id, 1);
    assert_int_equal(id->device_type, 12);
    assert_int_equal(id->product_code, 58);
    assert_string_equal(id->revision, "4.3");
    assert_int_equal(id->serial_number, 0x00524d8e);
    assert_string_equal(id->product_name, "1756-ENBT/A");
    assert_string_equal(id->socket_address, "10.1.1.164");
    assert_int_equal(id->socket_port, 44818);
    every_cut(f, NC_DEC_enip, 6, 31304, 44818, enip_list_identity_resp,
            sizeof(enip_list_identity_resp));
}

/* SendRRData: Multiple Service Packet to the Message Router with two
 * Get_Attribute_Single requests; then a SendUnitData reply with status */
static const uint8_t enip_rr_msp[] = {
    0x6f, 0x00, 0x2c, 0x00, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0x0a, 0x00,                         /* interface handle, timeout */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00,             /* 2 items: null address */
    0xb2, 0x00, 0x1c, 0x00,                         /* unconnected data, 28 bytes */
    0x0a, 0x02, 0x20, 0x02, 0x24, 0x01,             /* MSP -> class 2 instance 1 */
    0x02, 0x00, 0x06, 0x00, 0x0e, 0x00,             /* 2 services at 6 and 14 */
    0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07, /* GAS class 1 inst 1 attr 7 */
    0x0e, 0x03, 0x21, 0x00, 0x72, 0x01, 0x24, 0x05, /* GAS class 0x172 inst 5 */
    /* second encapsulation message: SendUnitData, reply */
    0x70, 0x00, 0x1c, 0x00, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00,             /* handle, timeout, 2 items */
    0xa1, 0x00, 0x04, 0x00, 0x78, 0x56, 0x34, 0x12, /* connected address 0x12345678 */
    0xb1, 0x00, 0x08, 0x00, 0x05, 0x00,             /* connected data, sequence 5 */
    0xcc, 0x00, 0x05, 0x01, 0x34, 0x12,             /* reply 0x4c, status 5, 1 word */
};

static void test_enip_cip_msp_and_connected(void **state)
{
    struct dh_fx *f = *state;
    struct nc_pkt *pkt = fresh_pkt(f, 6, 50000, 44818);
    struct nc_rd r = dh_reader(f, enip_rr_msp, sizeof(enip_rr_msp));
    assert_int_equal(run(pkt, NC_DEC_enip, 44818, &r), NC_OK);
    assert_int_equal(dh_count_recs(pkt, NC_REC_ENIP), 2);
    assert_int_equal(dh_count_recs(pkt, NC_REC_CIP), 2);
    Netcap__ENIP *e = dh_need(pkt, NC_REC_ENIP, 0);
    assert_int_equal(e->session_handle, 0x04030201);
    assert_int_equal(e->command_specific->n_items, 2);
    assert_int_equal(e->command_specific->timeout, 10);
    Netcap__CIP *c = dh_need(pkt, NC_REC_CIP, 0);
    assert_false(c->response);
    assert_int_equal(c->service_id, 0x0a);
    assert_string_equal(c->service_name, "Multiple_Service_Packet");
    assert_true(c->has_class);
    assert_int_equal(c->class_id, 2);
    assert_int_equal(c->instance_id, 1);
    assert_int_equal(c->n_embedded, 2);
    assert_int_equal(c->embedded[0]->service_id, 0x0e);
    assert_int_equal(c->embedded[0]->class_id, 1);
    assert_int_equal(c->embedded[0]->attribute_id, 7);
    assert_int_equal(c->embedded[1]->class_id, 0x172);
    assert_int_equal(c->embedded[1]->instance_id, 5);
    Netcap__CIP *rep = dh_need(pkt, NC_REC_CIP, 1);
    assert_true(rep->response);
    assert_int_equal(rep->service_id, 0x4c);
    assert_int_equal(rep->status, 5);
    assert_int_equal(rep->n_additional_status, 1);
    assert_int_equal(rep->additional_status[0], 0x1234);
    assert_int_equal(rep->connection_id, 0x12345678);
    assert_int_equal(rep->sequence_count, 5);
    assert_int_equal(rep->enip_command, 0x70);
    every_cut(f, NC_DEC_enip, 6, 50000, 44818, enip_rr_msp, sizeof(enip_rr_msp));
}

static void test_enip_declines_and_io(void **state)
{
    struct dh_fx *f = *state;
    uint8_t bad[24] = { 0x99, 0x00 }; /* command 0x99 is not defined */
    struct nc_pkt *pkt = fresh_pkt(f, 6, 50000, 44818);
    struct nc_rd r = dh_reader(f, bad, sizeof(bad));
    assert_int_equal(run(pkt, NC_DEC_enip, 44818, &r), NC_DECLINE);
    assert_int_equal(pkt->n_recs, 0);
    /* CIP I/O */
    static const uint8_t io[] = {
        0x02,
        0x00,
        0x02,
        0x80,
        0x08,
        0x00,
        0x78,
        0x7b,
        0x3a,
        0x00,
        0xe8,
        0xcb,
        0x5e,
        0x04,
        0xb1,
        0x00,
        0x04,
        0x00,
        0x03,
        0x00,
        0xfd,
        0xff,
    };
    pkt = fresh_pkt(f, 17, 2222, 2222);
    r = dh_reader(f, io, sizeof(io));
    assert_int_equal(run(pkt, NC_DEC_cip, 2222, &r), NC_OK);
    Netcap__CIP *c = dh_need(pkt, NC_REC_CIP, 0);
    assert_non_null(c);
    assert_true(c->io);
    assert_int_equal(c->connection_id, 0x003a7b78);
    assert_int_equal(c->sequence_count, 3);
    assert_int_equal(c->data.len, 2);
    /* a 2222 datagram that does not fill its CPF exactly is declined */
    for (size_t cut = 0; cut < sizeof(io); cut++) {
        pkt = fresh_pkt(f, 17, 2222, 2222);
        r = dh_reader(f, io, cut);
        assert_int_equal(run(pkt, NC_DEC_cip, 2222, &r), NC_DECLINE);
    }
}

/* -------------------------------------------------------------- Diameter */

static void test_diameter_two_messages_and_formats(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t m[] = {
        /* CEA, 20 + 16 (Host-IP-Address) + 12 (Result-Code) + 20 (vendor AVP) */
        0x01,
        0x00,
        0x00,
        0x44,
        0x40,
        0x00,
        0x01,
        0x01,
        0,
        0,
        0,
        0,
        0xaa,
        0xbb,
        0xcc,
        0xdd,
        0,
        0,
        0,
        1,
        0x00,
        0x00,
        0x01,
        0x01,
        0x40,
        0x00,
        0x00,
        0x0e,
        0x00,
        0x01,
        10,
        0,
        0,
        1,
        0,
        0,
        0x00,
        0x00,
        0x01,
        0x0c,
        0x40,
        0x00,
        0x00,
        0x0c,
        0x00,
        0x00,
        0x07,
        0xd1,
        0x00,
        0x00,
        0x05,
        0x7f,
        0xc0,
        0x00,
        0x00,
        0x13,
        0x00,
        0x00,
        0x28,
        0xaf,
        'a',
        'b',
        'c',
        'd',
        'e',
        'f',
        'g',
        0,
        /* DWA, header only */
        0x01,
        0x00,
        0x00,
        0x14,
        0x00,
        0x00,
        0x01,
        0x18,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        2,
        0,
        0,
        0,
        2,
    };
    struct nc_pkt *pkt = fresh_pkt(f, 132, 3868, 40000);
    struct nc_rd r = dh_reader(f, m, sizeof(m));
    assert_int_equal(run(pkt, NC_DEC_diameter, 3868, &r), NC_OK);
    assert_int_equal(dh_count_recs(pkt, NC_REC_Diameter), 2);
    Netcap__Diameter *d = dh_need(pkt, NC_REC_Diameter, 0);
    assert_false(d->request);
    assert_int_equal(d->hop_by_hop_id, 0xaabbccdd);
    assert_int_equal(d->n_avps, 3);
    assert_string_equal(d->avps[0]->decoded_value, "10.0.0.1");
    assert_int_equal(d->avps[0]->padding, 2);
    assert_string_equal(d->avps[1]->attribute_name, "Result-Code");
    assert_string_equal(d->avps[1]->decoded_value, "2001");
    assert_int_equal(d->avps[2]->vendor_code, 10415);
    assert_string_equal(d->avps[2]->vendor_name, "3GPP");
    assert_string_equal(d->avps[2]->vendor_id, "10415");
    assert_int_equal(d->avps[2]->header_len, 12);
    assert_int_equal(d->avps[2]->value_len, 7);
    assert_string_equal(d->avps[2]->attribute_name, "");
    Netcap__Diameter *w = dh_need(pkt, NC_REC_Diameter, 1);
    assert_int_equal(w->command_code, 280);
    assert_string_equal(w->transport, "sctp");
    every_cut(f, NC_DEC_diameter, 132, 40000, 3868, m, sizeof(m));
}

static void test_diameter_declines(void **state)
{
    struct dh_fx *f = *state;
    static const uint8_t v2[20] = { 0x02, 0x00, 0x00, 0x14 };
    static const uint8_t odd[20] = { 0x01, 0x00, 0x00, 0x15 };
    static const uint8_t rsvd[20] = { 0x01, 0x00, 0x00, 0x14, 0x01 };
    const uint8_t *in[] = { v2, odd, rsvd };
    for (size_t i = 0; i < NC_ARRAY_LEN(in); i++) {
        struct nc_pkt *pkt = fresh_pkt(f, 6, 40000, 3868);
        struct nc_rd r = dh_reader(f, in[i], 20);
        assert_int_equal(run(pkt, NC_DEC_diameter, 3868, &r), NC_DECLINE);
        assert_int_equal(pkt->n_recs, 0);
    }
}

/* Proxy-Info (Grouped) nested depth times around a Proxy-State. */
static size_t nested_grouped(uint8_t *p, size_t depth)
{
    size_t inner = 12; /* Proxy-State (33), 4-byte value */
    size_t len = inner + 8 * depth;
    size_t o = 0;
    for (size_t i = 0; i < depth; i++) {
        size_t l = len - 8 * i;
        const uint8_t h[8] = { 0, 0, 0x01, 0x1c, 0x40, 0, (uint8_t)(l >> 8), (uint8_t)l };
        memcpy(p + o, h, 8);
        o += 8;
    }
    const uint8_t ps[12] = { 0, 0, 0, 33, 0x40, 0, 0, 12, 1, 2, 3, 4 };
    memcpy(p + o, ps, 12);
    return o + 12;
}

static void test_diameter_grouped_depth_cap(void **state)
{
    struct dh_fx *f = *state;
    uint8_t m[20 + 8 * 10 + 12];
    for (size_t depth = 1; depth <= 10; depth++) {
        size_t n = 20 + nested_grouped(m + 20, depth);
        const uint8_t h[20] = { 1, 0, 0, (uint8_t)n, 0x80, 0, 0x01, 0x02 };
        memcpy(m, h, 20);
        struct nc_pkt *pkt = fresh_pkt(f, 6, 40000, 3868);
        struct nc_rd r = dh_reader(f, m, n);
        int rc = run(pkt, NC_DEC_diameter, 3868, &r);
        Netcap__Diameter *d = dh_need(pkt, NC_REC_Diameter, 0);
        assert_non_null(d);
        /* walk down: at most 4 levels of AVPs (3 Grouped levels expanded) */
        Netcap__AVP *a = must(d->avps[0]);
        size_t levels = 1;
        while (a->n_avps == 1) {
            a = must(a->avps[0]);
            levels++;
        }
        if (depth < 4) {
            assert_int_equal(rc, NC_OK);
            assert_int_equal(levels, depth + 1);
            assert_string_equal(a->attribute_name, "Proxy-State");
        } else {
            assert_int_equal(rc, NC_ELIMIT);
            assert_int_equal(levels, 4);
            assert_string_equal(a->attribute_format, "Grouped");
            assert_true(a->value_len > 0);
        }
    }
}

static void test_diameter_avp_count_cap(void **state)
{
    struct dh_fx *f = *state;
    enum {
        N = 200
    };
    static uint8_t m[20 + N * 12];
    const uint8_t h[20] = { 1, 0, (uint8_t)(sizeof(m) >> 8), (uint8_t)sizeof(m), 0x80, 0, 0x01,
        0x18 };
    memcpy(m, h, 20);
    for (size_t i = 0; i < N; i++) {
        const uint8_t a[12] = { 0, 0, 0x01, 0x16, 0x40, 0, 0, 12, 0, 0, 0, (uint8_t)i };
        memcpy(m + 20 + 12 * i, a, 12);
    }
    struct nc_pkt *pkt = fresh_pkt(f, 6, 40000, 3868);
    struct nc_rd r = dh_reader(f, m, sizeof(m));
    assert_int_equal(run(pkt, NC_DEC_diameter, 3868, &r), NC_ELIMIT);
    Netcap__Diameter *d = dh_need(pkt, NC_REC_Diameter, 0);
    assert_int_equal(d->n_avps, 128);
}

/* Records are not wanted: same verdicts, no records, no crash. */
static void test_unwanted_types(void **state)
{
    struct dh_fx *f = *state;
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        f->opts.want[i] = false;
    }
    struct nc_pkt *pkt = fresh_pkt(f, 6, 50000, 44818);
    struct nc_rd r = dh_reader(f, enip_rr_msp, sizeof(enip_rr_msp));
    assert_int_equal(run(pkt, NC_DEC_enip, 44818, &r), NC_OK);
    pkt = fresh_pkt(f, 0, 0, 0);
    r = dh_reader(f, sctp_pkt, sizeof(sctp_pkt));
    assert_int_equal(run(pkt, NC_DEC_sctp, 132, &r), NC_OK);
    assert_int_equal(run(pkt, NC_DEC_diameter, 3868, &r), NC_OK);
    assert_int_equal(pkt->n_recs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sctp_chunks_and_handoff, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_sctp_bad_chunk_length, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_sctp_chunk_cap, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_modbus_two_adus, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_modbus_bad_headers, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_modbus_truncated_adu, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_enip_list_identity, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_enip_cip_msp_and_connected, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_enip_declines_and_io, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(
                test_diameter_two_messages_and_formats, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_diameter_declines, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_diameter_grouped_depth_cap, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_diameter_avp_count_cap, dh_setup, dh_teardown),
        cmocka_unit_test_setup_teardown(test_unwanted_types, dh_setup, dh_teardown),
    };
    return cmocka_run_group_tests(tests, dh_group_setup, NULL);
}
