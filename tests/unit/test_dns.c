/*
 * summary: unit tests of the DNS decoders (src/decode/dns.c), UDP and TCP.
 *
 * Each test hands a crafted payload to the decoder directly (the window a
 * UDP or TCP decoder would pass on) and checks the verdict and the record.
 * Every record is also checked and packed by protobuf-c, and each payload
 * is copied into a heap buffer of its exact size, so that ASan sees any
 * read past its end.
 */
#include "decode_harness.h"

/* arena, options, counters, packet, and the payload of the last run() */
static struct dh_fx fx;

static int setup(void **state)
{
    NC_UNUSED(state);
    assert_int_equal(dh_init_decoders(), 0);
    dh_fx_init(&fx, 64u << 20, 0);
    return 0;
}

static int teardown(void **state)
{
    NC_UNUSED(state);
    dh_fx_fini(&fx);
    return 0;
}

/* Check one record with protobuf-c and pack it (catches bad pointers and
 * uninitialised nested messages). */
static void check_packs(const ProtobufCMessage *msg)
{
    assert_true(protobuf_c_message_check(msg));
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(n + 1);
    assert_non_null(buf);
    assert_int_equal(protobuf_c_message_pack(msg, buf), n);
    free(buf);
}

/* Decode p[0..n) with decoder id, using arena a; returns the verdict. */
static int run_in(enum nc_decoder_id id, const uint8_t *p, size_t n, struct nc_arena *a)
{
    dh_zero_stats(&fx);
    struct nc_pkt *pkt = dh_fresh(&fx);
    nc_arena_reset(a);
    pkt->arena = a;
    struct nc_rd r = dh_reader(&fx, p, n);
    int rc = dh_run_decoder(pkt, id, &r);
    for (size_t i = 0; i < pkt->n_recs; i++) {
        assert_int_equal(pkt->rec_type[i], NC_REC_DNS);
        check_packs(pkt->recs[i]);
    }
    return rc;
}

static int run(enum nc_decoder_id id, const uint8_t *p, size_t n)
{
    return run_in(id, p, n, &fx.arena);
}

static Netcap__DNS *rec_at(size_t i)
{
    assert_true(i < fx.pkt.n_recs);
    return (Netcap__DNS *)(void *)fx.pkt.recs[i];
}

/* A simple query: www.example.com A IN, RD set. */
/* clang-format off */
static const uint8_t query_www[] = {
    0x12, 0x34, /* id 0x1234 */
    0x01, 0x00, /* flags: RD */
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* qd 1, an 0, ns 0, ar 0 */
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01, /* A IN */
};
/* clang-format on */

/*
 * A response with one RR of each decoded type, compression everywhere.
 * Offsets (decimal) on the left; "->N" is a pointer to offset N. Checked
 * against tshark 4.0, which decodes it to the same values.
 */
/* clang-format off */
static const uint8_t resp_all[] = {
    /*   0 */ 0xbe, 0xef, 0x81, 0x80, /* id 0xbeef; QR RD RA, rcode 0 */
    /*   4 */ 0x00, 0x01, 0x00, 0x09, 0x00, 0x01, 0x00, 0x01, /* qd 1 an 9 ns 1 ar 1 */
    /*  12 */ 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, /* example.com */
    /*  25 */ 0x00, 0xff, 0x00, 0x01, /* ANY IN */
    /* answer 1  example.com A IN 300 93.184.216.34 */
    /*  29 */ 0xc0, 12, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
    /*  41 */ 93, 184, 216, 34,
    /* answer 2  example.com AAAA IN 300 2606:2800:220:1:248:1893:25c8:1946 */
    /*  45 */ 0xc0, 12, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,
    /*  57 */ 0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01, 0x02, 0x48, 0x18, 0x93, 0x25, 0xc8,
    0x19, 0x46,
    /* answer 3  www.example.com CNAME IN 3600 example.com */
    /*  73 */ 3, 'w', 'w', 'w', 0xc0, 12, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
    0x00, 0x02,
    /*  89 */ 0xc0, 12,
    /* answer 4  example.com MX IN 3600 10 mail.example.com ("mail" at 105) */
    /*  91 */ 0xc0, 12, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x09,
    /* 103 */ 0x00, 0x0a, 4, 'm', 'a', 'i', 'l', 0xc0, 12,
    /* answer 5  example.com SOA IN 3600 ns1.example.com ("ns1" at 124)
     *           hostmaster.example.com 2024010101 7200 3600 1209600 300 */
    /* 112 */ 0xc0, 12, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x27,
    /* 124 */ 3, 'n', 's', '1', 0xc0, 12,
    /* 130 */ 10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 12,
    /* 143 */ 0x78, 0xa3, 0xf1, 0x75, 0x00, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x0e, 0x10,
    /* 155 */ 0x00, 0x12, 0x75, 0x00, 0x00, 0x00, 0x01, 0x2c,
    /* answer 6  _sip._tcp.example.com SRV IN 3600 10 60 5060 sip.example.com */
    /* 163 */ 4, '_', 's', 'i', 'p', 4, '_', 't', 'c', 'p', 0xc0, 12,
    /* 175 */ 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x0c,
    /* 185 */ 0x00, 0x0a, 0x00, 0x3c, 0x13, 0xc4, 3, 's', 'i', 'p', 0xc0, 12,
    /* answer 7  example.com TXT IN 3600 "v=spf1 -all" "" "hello" */
    /* 197 */ 0xc0, 12, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x13,
    /* 209 */ 11, 'v', '=', 's', 'p', 'f', '1', ' ', '-', 'a', 'l', 'l', 0, 5, 'h', 'e', 'l',
    'l', 'o',
    /* answer 8  34.216.184.93.in-addr.arpa PTR IN 3600 example.com */
    /* 228 */ 2, '3', '4', 3, '2', '1', '6', 3, '1', '8', '4', 2, '9', '3', 7, 'i', 'n', '-',
    'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0,
    /* 256 */ 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x02, 0xc0, 12,
    /* answer 9  ->105 (mail ->12) A IN 3600 192.0.2.1: two pointer hops */
    /* 268 */ 0xc0, 105, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
    /* 280 */ 192, 0, 2, 1,
    /* authority  example.com NS IN 172800 ->124 (ns1.example.com) */
    /* 284 */ 0xc0, 12, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0xa3, 0x00, 0x00, 0x02, 0xc0, 124,
    /* additional  <root> OPT udp-size 4096, ttl 0, no options */
    /* 298 */ 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 309 */
};
/* clang-format on */

static void test_query(void **state)
{
    NC_UNUSED(state);
    assert_int_equal(run(NC_DEC_dns, query_www, sizeof(query_www)), NC_OK);
    assert_int_equal(fx.pkt.n_recs, 1);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->id, 0x1234);
    assert_false(d->qr);
    assert_int_equal(d->op_code, 0);
    assert_false(d->aa);
    assert_false(d->tc);
    assert_true(d->rd);
    assert_false(d->ra);
    assert_int_equal(d->z, 0);
    assert_int_equal(d->response_code, 0);
    assert_int_equal(d->qd_count, 1);
    assert_int_equal(d->an_count, 0);
    assert_int_equal(d->n_questions, 1);
    assert_string_equal(d->questions[0]->name, "www.example.com");
    assert_int_equal(d->questions[0]->type, 1);
    assert_int_equal(d->questions[0]->class_, 1);
    assert_int_equal(d->n_answers, 0);
    assert_int_equal(d->n_authorities, 0);
    assert_int_equal(d->n_additionals, 0);
    assert_string_equal(d->transport, "udp");
    /* the filter columns copy the first question; no answer, no address */
    assert_string_equal(d->query_name, "www.example.com");
    assert_int_equal(d->query_type, 1);
    assert_string_equal(d->answer_ip, "");
}

/* All header bits: id 0xffff; QR, opcode 5 (UPDATE), AA TC RD RA, Z 7, rcode 3. */
static void test_header_flags(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t msg[] = {
        0xff, 0xff, 0xaf, 0xf3, /* 1 0101 1 1 1 | 1 111 0011 */
        0, 0, 0, 0, 0, 0, 0, 0, /* no entries */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_OK);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->id, 0xffff);
    assert_true(d->qr);
    assert_int_equal(d->op_code, 5);
    assert_true(d->aa);
    assert_true(d->tc);
    assert_true(d->rd);
    assert_true(d->ra);
    assert_int_equal(d->z, 7);
    assert_int_equal(d->response_code, 3);
    assert_null(d->questions);
    assert_string_equal(d->query_name, "");
    assert_int_equal(d->query_type, 0);
    assert_string_equal(d->answer_ip, "");
}

static void test_response_all_types(void **state)
{
    NC_UNUSED(state);
    assert_int_equal(sizeof(resp_all), 309);
    assert_int_equal(run(NC_DEC_dns, resp_all, sizeof(resp_all)), NC_OK);
    assert_int_equal(fx.pkt.n_recs, 1);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->id, 0xbeef);
    assert_true(d->qr);
    assert_true(d->rd);
    assert_true(d->ra);
    assert_int_equal(d->an_count, 9);
    assert_int_equal(d->n_questions, 1);
    assert_string_equal(d->questions[0]->name, "example.com");
    assert_int_equal(d->questions[0]->type, 255);
    assert_int_equal(d->n_answers, 9);
    assert_int_equal(d->n_authorities, 1);
    assert_int_equal(d->n_additionals, 1);
    assert_string_equal(d->query_name, "example.com");
    assert_int_equal(d->query_type, 255);
    assert_string_equal(d->answer_ip, "93.184.216.34");

    Netcap__DNSResourceRecord **an = d->answers;
    assert_string_equal(an[0]->name, "example.com");
    assert_int_equal(an[0]->type, 1);
    assert_int_equal(an[0]->class_, 1);
    assert_int_equal(an[0]->ttl, 300);
    assert_int_equal(an[0]->data_length, 4);
    assert_int_equal(an[0]->data.len, 4);
    assert_memory_equal(an[0]->data.data, resp_all + 41, 4);
    assert_string_equal(an[0]->ip, "93.184.216.34");

    assert_int_equal(an[1]->type, 28);
    assert_string_equal(an[1]->ip, "2606:2800:220:1:248:1893:25c8:1946");

    assert_string_equal(an[2]->name, "www.example.com");
    assert_int_equal(an[2]->type, 5);
    assert_int_equal(an[2]->ttl, 3600);
    assert_string_equal(an[2]->cname, "example.com");
    assert_int_equal(an[2]->data_length, 2);

    assert_non_null(an[3]->mx);
    assert_int_equal(an[3]->mx->preference, 10);
    assert_string_equal(an[3]->mx->exchange, "mail.example.com");

    Netcap__DNSSOA *soa = an[4]->soa;
    assert_non_null(soa);
    assert_string_equal(soa->mname, "ns1.example.com");
    assert_string_equal(soa->rname, "hostmaster.example.com");
    assert_int_equal(soa->serial, 2024010101u);
    assert_int_equal(soa->refresh, 7200);
    assert_int_equal(soa->retry, 3600);
    assert_int_equal(soa->expire, 1209600);
    assert_int_equal(soa->minimum, 300);

    assert_string_equal(an[5]->name, "_sip._tcp.example.com");
    assert_non_null(an[5]->srv);
    assert_int_equal(an[5]->srv->priority, 10);
    assert_int_equal(an[5]->srv->weight, 60);
    assert_int_equal(an[5]->srv->port, 5060);
    assert_string_equal(an[5]->srv->target, "sip.example.com");

    assert_int_equal(an[6]->n_txts, 3);
    assert_string_equal(an[6]->txts[0], "v=spf1 -all");
    assert_string_equal(an[6]->txts[1], "");
    assert_string_equal(an[6]->txts[2], "hello");

    assert_string_equal(an[7]->name, "34.216.184.93.in-addr.arpa");
    assert_string_equal(an[7]->ptr, "example.com");

    assert_string_equal(an[8]->name, "mail.example.com");
    assert_string_equal(an[8]->ip, "192.0.2.1");

    /* typed fields of other types stay empty */
    assert_string_equal(an[2]->ip, "");
    assert_null(an[0]->soa);
    assert_int_equal(an[0]->n_txts, 0);

    Netcap__DNSResourceRecord *ns = d->authorities[0];
    assert_int_equal(ns->type, 2);
    assert_int_equal(ns->ttl, 172800);
    assert_string_equal(ns->ns, "ns1.example.com");

    Netcap__DNSResourceRecord *opt = d->additionals[0];
    assert_string_equal(opt->name, ".");
    assert_int_equal(opt->type, 41);
    assert_int_equal(opt->class_, 4096);
    assert_int_equal(opt->data_length, 0);
    assert_int_equal(opt->data.len, 0);
}

/* DNS records not wanted: same verdicts, no record. */
static void test_not_wanted(void **state)
{
    NC_UNUSED(state);
    fx.opts.want[NC_REC_DNS] = false;
    assert_int_equal(run(NC_DEC_dns, resp_all, sizeof(resp_all)), NC_OK);
    assert_int_equal(fx.pkt.n_recs, 0);
    assert_int_equal(run(NC_DEC_dns, resp_all, sizeof(resp_all) - 1), NC_ETRUNC);
    assert_int_equal(fx.pkt.n_recs, 0);
    fx.opts.want[NC_REC_DNS] = true;
}

/* Every prefix of a real-looking response: no crash, no over-read (ASan),
 * ETRUNC, a record from 12 bytes on, and what was parsed only grows. */
static void test_truncation_every_length(void **state)
{
    NC_UNUSED(state);
    size_t prev = 0;
    for (size_t n = 0; n < sizeof(resp_all); n++) {
        assert_int_equal(run(NC_DEC_dns, resp_all, n), NC_ETRUNC);
        if (n < 12) {
            assert_int_equal(fx.pkt.n_recs, 0);
            continue;
        }
        assert_int_equal(fx.pkt.n_recs, 1);
        Netcap__DNS *d = rec_at(0);
        assert_int_equal(d->an_count, 9); /* counts as in the header */
        size_t got = d->n_questions + d->n_answers + d->n_authorities + d->n_additionals;
        assert_true(got >= prev);
        assert_true(got <= 12); /* 1 question + 9 + 1 + 1 RRs */
        prev = got;
    }
    assert_int_equal(prev, 12 - 1); /* all but the last RR */
}

/* Counts far larger than the data: stops at the end, keeps what parsed. */
static void test_counts_larger_than_data(void **state)
{
    NC_UNUSED(state);
    uint8_t msg[sizeof(query_www)];
    memcpy(msg, query_www, sizeof(msg));
    memset(msg + 4, 0xff, 8); /* qd = an = ns = ar = 65535 */
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_ETRUNC);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->qd_count, 65535);
    assert_int_equal(d->ar_count, 65535);
    assert_int_equal(d->n_questions, 1);
    assert_string_equal(d->questions[0]->name, "www.example.com");
    assert_int_equal(d->n_answers, 0);

    /* one answer promised, RDLENGTH past the end */
    /* clang-format off */
    static const uint8_t rdlen_past[] = {
        0x00, 0x01, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, /* an 1 */
        0, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x08, /* <root> A IN 0, rdlen 8 */
        1, 2, 3, 4, /* only 4 */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, rdlen_past, sizeof(rdlen_past)), NC_ETRUNC);
    assert_int_equal(rec_at(0)->n_answers, 0);
}

/* A header cut short: no record. */
static void test_short_header(void **state)
{
    NC_UNUSED(state);
    assert_int_equal(run(NC_DEC_dns, query_www, 11), NC_ETRUNC);
    assert_int_equal(fx.pkt.n_recs, 0);
    assert_int_equal(run(NC_DEC_dns, query_www, 0), NC_ETRUNC);
    assert_int_equal(fx.pkt.n_recs, 0);
}

/* Pointer loops can only be built from pointers that go forward at some
 * step; they end as EMALFORMED right away (no hang, no hop cap needed). */
static void test_pointer_loop(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t self[] = {
        0x00, 0x02, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, /* qd 1 */
        /* 12 */ 0xc0, 12, 0x00, 0x01, 0x00, 0x01, /* name ->12 (itself) A IN */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, self, sizeof(self)), NC_EMALFORMED);
    assert_int_equal(fx.pkt.n_recs, 1);
    assert_int_equal(rec_at(0)->n_questions, 0);

    /* clang-format off */
    static const uint8_t pair[] = {
        0x00, 0x03, 0x81, 0x80, 0, 0, 0, 2, 0, 0, 0, 0, /* an 2 */
        /* 12 */ 0, 0xff, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x04, /* <root> type 65280 */
        /* 23 */ 0xc0, 25, 0xc0, 23, /* RDATA: ->25 at 23, ->23 at 25 */
        /* 27 */ 0xc0, 23, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x04, 10, 0, 0, 1,
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, pair, sizeof(pair)), NC_EMALFORMED);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->n_answers, 1); /* the first RR is fine */
    assert_int_equal(d->answers[0]->type, 65280);
    assert_int_equal(d->answers[0]->data.len, 4);
}

/* A chain of n backward pointers at offsets 24, 26, ..., each to the one
 * before, ending at a root label at 23; answer 2's name points at the
 * last. The name is "." after n + 1 hops. */
static size_t build_chain(uint8_t *buf, size_t n)
{
    /* clang-format off */
    static const uint8_t head[] = {
        0x00, 0x04, 0x81, 0x80, 0, 0, 0, 2, 0, 0, 0, 0, /* an 2 */
        0, 0xff, 0x00, 0x00, 0x01, 0, 0, 0, 0, /* <root> type 65280 IN 0 */
    };
    /* clang-format on */
    size_t o = sizeof(head);
    memcpy(buf, head, o);
    size_t rdlen = 1 + 2 * n;
    buf[o++] = (uint8_t)(rdlen >> 8);
    buf[o++] = (uint8_t)rdlen;
    buf[o++] = 0; /* 23: root */
    for (size_t i = 0; i < n; i++) {
        size_t target = i == 0 ? 23 : o - 2;
        buf[o++] = (uint8_t)(0xc0 | target >> 8);
        buf[o++] = (uint8_t)target;
    }
    size_t last = o - 2;
    static const uint8_t tail[] = { 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x04, 10, 0, 0, 1 };
    buf[o++] = (uint8_t)(0xc0 | last >> 8);
    buf[o++] = (uint8_t)last;
    memcpy(buf + o, tail, sizeof(tail));
    return o + sizeof(tail);
}

static void test_pointer_hop_cap(void **state)
{
    NC_UNUSED(state);
    uint8_t buf[256];
    size_t n = build_chain(buf, 15); /* 16 hops: allowed */
    assert_int_equal(run(NC_DEC_dns, buf, n), NC_OK);
    assert_int_equal(rec_at(0)->n_answers, 2);
    assert_string_equal(rec_at(0)->answers[1]->name, ".");
    n = build_chain(buf, 16); /* 17 hops */
    assert_int_equal(run(NC_DEC_dns, buf, n), NC_ELIMIT);
    assert_int_equal(rec_at(0)->n_answers, 1);
    n = build_chain(buf, 100);
    assert_int_equal(run(NC_DEC_dns, buf, n), NC_ELIMIT);
}

static void test_forward_pointer(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t fwd[] = {
        0x00, 0x05, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, /* qd 1 */
        /* 12 */ 3, 'w', 'w', 'w', 0xc0, 22, /* www ->22 (forward) */
        /* 18 */ 0x00, 0x01, 0x00, 0x01,
        /* 22 */ 3, 'c', 'o', 'm', 0,
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, fwd, sizeof(fwd)), NC_EMALFORMED);
    assert_int_equal(rec_at(0)->n_questions, 0);

    /* clang-format off */
    static const uint8_t outside[] = {
        0x00, 0x06, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, /* qd 1 */
        /* 12 */ 0xff, 0xff, 0x00, 0x01, 0x00, 0x01, /* ->16383 */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, outside, sizeof(outside)), NC_EMALFORMED);

    /* a pointer cut in half */
    static const uint8_t half[] = { 0x00, 0x06, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0 };
    assert_int_equal(run(NC_DEC_dns, half, sizeof(half)), NC_ETRUNC);
}

/* Escaping (see the file comment of dns.c). Labels: "a.b" (dot inside),
 * "\", " ", 0xff, "e-acute" in UTF-8, "-_", 0x01 0x7f, C1 control U+0085,
 * 0xc3 'x' (broken sequence), overlong 0xc0 0x80, surrogate ed a0 80,
 * U+1F600 in UTF-8, a 3-octet sequence cut by the label end. */
static void test_name_escaping(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t msg[] = {
        0x00, 0x07, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0, /* qd 2 */
        3, 'a', '.', 'b', 1, '\\', 1, ' ', 1, 0xff, 2, 0xc3, 0xa9, 2, '-', '_',
        2, 0x01, 0x7f, 2, 0xc2, 0x85, 2, 0xc3, 'x', 2, 0xc0, 0x80, 3, 0xed, 0xa0, 0x80,
        4, 0xf0, 0x9f, 0x98, 0x80, 2, 0xe2, 0x82, 0,
        0x00, 0x10, 0x00, 0x01, /* TXT IN */
        0, 0x00, 0x02, 0x00, 0x01, /* <root> NS IN */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_OK);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->n_questions, 2);
    assert_string_equal(d->questions[0]->name,
            "a\\.b.\\\\. .\\255.\xc3\xa9.-_.\\001\\127.\\194\\133.\\195x.\\192\\128."
            "\\237\\160\\128.\xf0\x9f\x98\x80.\\226\\130");
    assert_true(
            nc_utf8_valid((const uint8_t *)d->questions[0]->name, strlen(d->questions[0]->name)));
    assert_string_equal(d->questions[1]->name, ".");
}

/* Text, never hex: TXT strings that are not UTF-8 or hold a NUL become
 * U+FFFD where they are not text, the rest is copied; a CNAME chain's
 * target is a name; answer_ip is the first address after the CNAME. */
static void test_text_fields(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t msg[] = {
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0, /* qd 1, an 3 */
        3, 'w', 'e', 'b', 7, 'h', 'e', 'l', 'd', 'o', 'u', 't', 4, 't', 'e', 's', 't', 0,
        0x00, 0x01, 0x00, 0x01, /* web.heldout.test A IN */
        0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x06, /* CNAME */
        3, 'c', 'd', 'n', 0xc0, 0x10, /* cdn.heldout.test */
        0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x0d, /* TXT */
        5, 'a', 0x00, 'b', 0xff, 0xc3, /* a NUL b, then 0xff and a cut sequence */
        6, 'k', '=', 0xc3, 0xa9, ' ', '"',
        0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04, 192, 0, 2, 7, /* A */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_OK);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->n_answers, 3);
    assert_string_equal(d->answers[0]->cname, "cdn.heldout.test");
    assert_int_equal(d->answers[1]->n_txts, 2);
    assert_string_equal(d->answers[1]->txts[0], "a\xef\xbf\xbd"
                                                "b\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(d->answers[1]->txts[1], "k=\xc3\xa9 \"");
    assert_int_equal(d->answers[1]->data.len, 13); /* the exact octets stay in data */
    assert_string_equal(d->answers[2]->name, "cdn.heldout.test");
    assert_string_equal(d->answers[2]->ip, "192.0.2.7");
    assert_string_equal(d->query_name, "web.heldout.test");
    assert_int_equal(d->query_type, 1);
    assert_string_equal(d->answer_ip, "192.0.2.7");
}

/* Longest legal name (255 octets) and one octet more; extended labels. */
static void test_name_limits(void **state)
{
    NC_UNUSED(state);
    uint8_t msg[12 + 300 + 4];
    memset(msg, 0, 12);
    msg[5] = 1; /* qd 1 */
    size_t o = 12;
    /* 3 x 63 + 1 x 61: 3 * 64 + 62 + 1 = 255 octets */
    for (size_t l = 0; l < 4; l++) {
        size_t len = l < 3 ? 63 : 61;
        msg[o++] = (uint8_t)len;
        memset(msg + o, 'a' + (int)l, len);
        o += len;
    }
    msg[o++] = 0;
    assert_int_equal(o - 12, 255);
    static const uint8_t a_in[] = { 0x00, 0x01, 0x00, 0x01 };
    memcpy(msg + o, a_in, 4);
    assert_int_equal(run(NC_DEC_dns, msg, o + 4), NC_OK);
    assert_int_equal(strlen(rec_at(0)->questions[0]->name), 63 * 3 + 61 + 3);

    /* one more octet in the last label: 256 */
    msg[12 + 3 * 64] = 62;
    memmove(msg + 12 + 3 * 64 + 1 + 1, msg + 12 + 3 * 64 + 1, 61 + 1 + 4);
    msg[12 + 3 * 64 + 1] = 'x';
    assert_int_equal(run(NC_DEC_dns, msg, o + 5), NC_EMALFORMED);
    assert_int_equal(rec_at(0)->n_questions, 0);

    /* clang-format off */
    static const uint8_t ext[] = {
        0x00, 0x08, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, /* qd 1 */
        0x41, 0x01, 0xff, 0, 0x00, 0x01, 0x00, 0x01, /* 0x41: RFC 2673 bit-string label */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, ext, sizeof(ext)), NC_EUNSUPP);
    /* clang-format off */
    static const uint8_t resv[] = {
        0x00, 0x08, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, /* qd 1 */
        0x80, 0, 0x00, 0x01, 0x00, 0x01, /* 0x80: reserved */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, resv, sizeof(resv)), NC_EUNSUPP);
}

/* RDATA that does not match its type: the RR is kept raw, parsing goes on,
 * the verdict is EMALFORMED. */
static void test_bad_rdata(void **state)
{
    NC_UNUSED(state);
    /* clang-format off */
    static const uint8_t msg[] = {
        0x00, 0x09, 0x81, 0x80, 0, 0, 0, 5, 0, 0, 0, 0, /* an 5 */
        0, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x05, 1, 2, 3, 4, 5, /* A, 5 octets */
        0, 0x00, 0x05, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x03, 1, 'x', 0, /* CNAME x */
        0, 0x00, 0x05, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x04, 1, 'x', 0, 9, /* + 1 octet */
        0, 0x00, 0x06, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x03, 0, 0, 0, /* SOA too short */
        0, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x03, 5, 'a', 'b', /* TXT past RDATA */
    };
    /* clang-format on */
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_EMALFORMED);
    Netcap__DNS *d = rec_at(0);
    assert_int_equal(d->n_answers, 5);
    assert_string_equal(d->answers[0]->ip, "");
    assert_int_equal(d->answers[0]->data.len, 5);
    assert_string_equal(d->answers[1]->cname, "x");
    assert_string_equal(d->answers[2]->cname, "");
    assert_null(d->answers[3]->soa);
    assert_int_equal(d->answers[4]->n_txts, 0);
    assert_int_equal(d->answers[4]->data.len, 3);
}

/* More RRs than DNS_MAX_RR: the first 256 are kept, ELIMIT. */
static void test_rr_cap(void **state)
{
    NC_UNUSED(state);
    enum {
        N = 300
    };
    static uint8_t msg[12 + N * 11];
    memset(msg, 0, sizeof(msg));
    msg[2] = 0x81;
    msg[6] = N >> 8;
    msg[7] = N & 0xff;
    for (size_t i = 0; i < N; i++) {
        uint8_t *rr = msg + 12 + i * 11; /* <root> type 65280 class 1, rdlen 0 */
        rr[1] = 0xff;
        rr[4] = 1;
    }
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_ELIMIT);
    assert_int_equal(rec_at(0)->an_count, N);
    assert_int_equal(rec_at(0)->n_answers, 256);
}

/* TXT with 300 empty strings: 256 kept, ELIMIT; the RR is still there. */
static void test_txt_cap(void **state)
{
    NC_UNUSED(state);
    static uint8_t msg[12 + 11 + 300];
    memset(msg, 0, sizeof(msg));
    msg[7] = 1; /* an 1 */
    static const uint8_t rr[] = { 0, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 0, 300 >> 8, 300 & 0xff };
    memcpy(msg + 12, rr, sizeof(rr));
    assert_int_equal(run(NC_DEC_dns, msg, sizeof(msg)), NC_ELIMIT);
    assert_int_equal(rec_at(0)->n_answers, 1);
    assert_int_equal(rec_at(0)->answers[0]->n_txts, 256);
}

/* A tiny arena: allocations fail part-way, the verdict does not change and
 * whatever was built still packs. */
static void test_arena_exhausted(void **state)
{
    NC_UNUSED(state);
    for (size_t cap = 0; cap <= 4096; cap += 64) {
        struct nc_arena small;
        nc_arena_init(&small, cap);
        assert_int_equal(run_in(NC_DEC_dns, resp_all, sizeof(resp_all), &small), NC_OK);
        nc_arena_fini(&small);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_header_flags),
        cmocka_unit_test(test_response_all_types),
        cmocka_unit_test(test_not_wanted),
        cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_counts_larger_than_data),
        cmocka_unit_test(test_short_header),
        cmocka_unit_test(test_pointer_loop),
        cmocka_unit_test(test_pointer_hop_cap),
        cmocka_unit_test(test_forward_pointer),
        cmocka_unit_test(test_name_escaping),
        cmocka_unit_test(test_name_limits),
        cmocka_unit_test(test_text_fields),
        cmocka_unit_test(test_bad_rdata),
        cmocka_unit_test(test_rr_cap),
        cmocka_unit_test(test_txt_cap),
        cmocka_unit_test(test_arena_exhausted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
