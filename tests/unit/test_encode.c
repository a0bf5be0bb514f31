/*
 * Unit tests of record encoding: the fast encoder (record/pbwrite.c) must
 * write exactly the bytes protobuf-c writes, for every record decoded from
 * the shipped example capture and for hand-built messages with every kind
 * of field (negative ints, long strings, nested and repeated messages,
 * packed scalars, bytes); varints round-trip; the reader side rejects
 * over-long varints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "core/arena.h"
#include "core/dbuf.h"
#include "decode/decoder.h"
#include "record/encode.h"
#include "record/record.h"

static void assert_same_encoding(const ProtobufCMessage *m)
{
    struct nc_dbuf a, b;
    nc_dbuf_init(&a, 1 << 26);
    nc_dbuf_init(&b, 1 << 26);
    assert_int_equal(nc_encode_delimited(&a, m), NC_OK);
    assert_int_equal(nc_encode_delimited_ref(&b, m), NC_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    /* and it decodes back */
    uint64_t len = 0;
    size_t used = 0;
    assert_int_equal(nc_varint_get(a.p, a.len, &len, &used), NC_OK);
    assert_int_equal(used + len, a.len);
    ProtobufCMessage *back = protobuf_c_message_unpack(m->descriptor, NULL, len, a.p + used);
    assert_non_null(back);
    protobuf_c_message_free_unpacked(back, NULL);
    nc_dbuf_fini(&a);
    nc_dbuf_fini(&b);
}

static void test_varint_roundtrip(void **state)
{
    (void)state;
    const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, UINT64_MAX };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        uint8_t buf[NC_VARINT_MAX];
        size_t n = nc_varint_put(buf, vals[i]);
        uint64_t v = 0;
        size_t used = 0;
        assert_int_equal(nc_varint_get(buf, n, &v, &used), NC_OK);
        assert_int_equal(used, n);
        assert_true(v == vals[i]);
        if (n > 1) {
            assert_int_equal(nc_varint_get(buf, n - 1, &v, &used), NC_EAGAIN);
        }
    }
    uint8_t bad[11];
    memset(bad, 0xff, sizeof(bad));
    uint64_t v;
    size_t used;
    assert_int_equal(nc_varint_get(bad, sizeof(bad), &v, &used), NC_EMALFORMED);
}

static void test_every_field_kind_matches_protobuf_c(void **state)
{
    (void)state;
    /* empty messages of every type */
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        const struct nc_rec_info *ri = nc_rec_info((enum nc_rec_type)t);
        uint8_t mem[4096];
        assert_true(ri->desc->sizeof_message <= sizeof(mem));
        protobuf_c_message_init(ri->desc, mem);
        assert_same_encoding((const ProtobufCMessage *)(void *)mem);
    }
    /* a DNS record with negative ints, nested, repeated and long fields */
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    Netcap__DNSQuestion q1, q2;
    netcap__dnsquestion__init(&q1);
    netcap__dnsquestion__init(&q2);
    q1.name = longname;
    q1.type = 1;
    q1.class_ = -5;
    q2.name = (char *)(uintptr_t) "example.com";
    Netcap__DNSQuestion *qs[] = { &q1, &q2 };
    uint8_t raw[200];
    memset(raw, 0x5a, sizeof(raw));
    char longtxt[201];
    memset(longtxt, 'z', 200);
    longtxt[200] = '\0';
    char *txts[] = { (char *)(uintptr_t) "v=spf1", longtxt }; /* repeated string, one > 127 */
    Netcap__DNSSOA soa;
    netcap__dnssoa__init(&soa);
    soa.serial = 4000000000u;
    Netcap__DNSResourceRecord rr;
    netcap__dnsresource_record__init(&rr);
    rr.name = (char *)(uintptr_t) "x";
    rr.ttl = UINT32_MAX;
    rr.data.len = sizeof(raw);
    rr.data.data = raw;
    rr.soa = &soa;
    rr.n_txts = 2;
    rr.txts = txts;
    Netcap__DNSResourceRecord *rrs[] = { &rr, &rr };
    Netcap__DNS dns;
    netcap__dns__init(&dns);
    dns.timestamp = -1;
    dns.id = 65535;
    dns.qr = 1;
    dns.n_questions = 2;
    dns.questions = qs;
    dns.n_answers = 2;
    dns.answers = rrs;
    dns.src_ip = (char *)(uintptr_t) "";
    dns.dst_ip = (char *)(uintptr_t) "2001:db8::1";
    assert_same_encoding(&dns.base);
    /* repeated bytes, one element longer than 127 */
    uint8_t t1[] = "sct";
    ProtobufCBinaryData scts[] = { { 3, t1 }, { 200, raw } };
    Netcap__TLSServerHello sh;
    netcap__tlsserver_hello__init(&sh);
    sh.n_scts = 2;
    sh.scts = scts;
    assert_same_encoding(&sh.base);
    /* doubles, including negative zero, and a big top-level record */
    Netcap__TCP tcp;
    netcap__tcp__init(&tcp);
    tcp.payload_entropy = -0.0;
    tcp.sequence_number = 0x80000000u;
    static uint8_t big[100000];
    tcp.payload.len = sizeof(big);
    tcp.payload.data = big;
    assert_same_encoding(&tcp.base);
    tcp.payload_entropy = 7.99;
    assert_same_encoding(&tcp.base);
}

/* Every record decoded from the example capture encodes identically. */
static void test_example_capture_records_match_protobuf_c(void **state)
{
    (void)state;
    const char *path = getenv("NC_EXAMPLE_PCAP");
    if (!path) {
        path = "examples/loopback.pcap";
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    if (!p) {
        skip();
    }
    struct nc_decode_opts opts;
    memset(&opts, 0, sizeof(opts));
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        opts.want[t] = true;
    }
    opts.payload = true;
    opts.entropy = true;
    struct nc_decode_stats st;
    memset(&st, 0, sizeof(st));
    struct nc_arena arena;
    nc_arena_init(&arena, 1 << 22);
    struct pcap_pkthdr *h;
    const u_char *data;
    size_t n_recs = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        struct nc_pkt pkt;
        memset(&pkt, 0, sizeof(pkt));
        pkt.ts = (int64_t)h->ts.tv_sec * 1000000000LL;
        pkt.caplen = h->caplen;
        pkt.wirelen = h->len;
        pkt.dlt = (uint32_t)pcap_datalink(p);
        pkt.data = data;
        pkt.arena = &arena;
        pkt.opts = &opts;
        pkt.stats = &st;
        nc_decode_packet(&pkt);
        for (size_t i = 0; i < pkt.n_recs; i++) {
            assert_same_encoding(pkt.recs[i]);
            n_recs++;
        }
        nc_arena_reset(&arena);
    }
    pcap_close(p);
    nc_arena_fini(&arena);
    assert_true(n_recs > 100);
}

int main(void)
{
    char errbuf[NC_ERRBUF_SIZE];
    nc_record_init();
    if (nc_decode_init(errbuf) != NC_OK) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_roundtrip),
        cmocka_unit_test(test_every_field_kind_matches_protobuf_c),
        cmocka_unit_test(test_example_capture_records_match_protobuf_c),
    };
    return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
