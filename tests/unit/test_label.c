/*
 * summary: tests for label/ (netcap label): eve.json alerts through the
 *          bounded JSON parser (valid, IPv6, hostile lines), fast.log lines,
 *          attack-map rows (CIDR, port ranges, any, quoting), the overlap
 *          check, and the index: both directions, tolerance edges, CIDR
 *          and port-range matching, first-match order, line caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "label/lbl.h"

#define NS 1000000000LL
/* 2013-03-07T21:42:07Z */
#define T0 (1362692527LL * NS)

static char why[LBL_ERRLEN];

static int eve(struct lbl_set *s, const char *line)
{
    return lbl_parse_eve(s, line, strlen(line), why);
}

static const char alert4[] =
        "{\"timestamp\":\"2013-03-07T21:42:07.000000+0000\",\"flow_id\":7,\"event_type\":"
        "\"alert\",\"src_ip\":\"10.0.0.1\",\"src_port\":1234,\"dest_ip\":\"10.0.0.2\","
        "\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
        "\"signature_id\":2001,\"rev\":4,\"signature\":\"ET X \\\"q\\\" \\u00e9\\ud83d\\ude00\","
        "\"category\":\"Misc\",\"severity\":2,\"metadata\":{\"a\":[1,2,{\"b\":null}]}},"
        "\"payload\":\"AAAA\",\"stream\":0,\"x\":[true,false,-1.5e3]}";

static void test_eve_valid(void **state)
{
    (void)state;
    struct lbl_set s;
    lbl_set_init(&s);
    assert_int_equal(eve(&s, alert4), 1);
    assert_int_equal(s.n, 1);
    const struct lbl_rule *r = &s.v[0];
    assert_true(r->start == T0 && r->end == T0);
    assert_int_equal(r->src.fam, 4);
    assert_int_equal(r->src.bits, 32);
    assert_int_equal(r->sp_lo, 1234);
    assert_int_equal(r->sp_hi, 1234);
    assert_int_equal(r->dp_lo, 80);
    assert_int_equal(r->proto, 6);
    assert_int_equal(r->severity, 2);
    assert_string_equal(lbl_text(&s, r->label), "ET X \"q\" \xc3\xa9\xf0\x9f\x98\x80");
    assert_string_equal(lbl_text(&s, r->category), "Misc");
    assert_string_equal(lbl_text(&s, r->rule), "1:2001:4");
    /* IPv6, ICMP without ports, label from the category */
    s.eve_label = LBL_FROM_CATEGORY;
    assert_int_equal(eve(&s, "{\"timestamp\":\"2013-03-07T21:42:07.5+01:00\",\"event_type\":"
                             "\"alert\",\"src_ip\":\"2001:db8::1\",\"dest_ip\":\"2001:db8::2\","
                             "\"proto\":\"IPv6-ICMP\",\"alert\":{\"signature_id\":5,"
                             "\"signature\":\"ping\",\"category\":\"Recon\"}}"),
            1);
    r = &s.v[1];
    assert_int_equal(r->src.fam, 6);
    assert_int_equal(r->proto, 58);
    assert_int_equal(r->sp_lo, 0);
    assert_int_equal(r->sp_hi, 65535);
    assert_int_equal(r->severity, -1);
    assert_true(r->start == T0 - 3600 * NS + NS / 2);
    assert_string_equal(lbl_text(&s, r->label), "Recon");
    /* labels are interned */
    assert_int_equal(eve(&s, alert4), 1);
    assert_int_equal(s.v[2].category, s.v[0].category);
    /* not alerts */
    assert_int_equal(eve(&s, "{\"event_type\":\"flow\",\"src_ip\":\"1.2.3.4\"}"), 0);
    assert_int_equal(eve(&s, "   "), 0);
    lbl_set_fini(&s);
}

static void test_eve_hostile(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{",
        "{bad json",
        "[1,2]",
        "{\"a\":1} x",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00x\"}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":tru}",
        "{\"a\":\"tab\there\"}",
        /* alerts lacking something */
        "{\"event_type\":\"alert\",\"src_ip\":\"1.2.3.4\",\"dest_ip\":\"1.2.3.5\","
        "\"alert\":{\"signature_id\":1,\"signature\":\"x\"}}",
        "{\"event_type\":\"alert\",\"timestamp\":\"2013-03-07T21:42:07Z\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"::1\",\"alert\":{\"signature_id\":1,\"signature\":\"x\"}}",
        "{\"event_type\":\"alert\",\"timestamp\":\"2013-03-07T21:42:07Z\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"1.2.3.5\",\"src_port\":70000,\"dest_port\":1,"
        "\"alert\":{\"signature_id\":1,\"signature\":\"x\"}}",
        "{\"event_type\":\"alert\",\"timestamp\":\"2013-03-07T21:42:07Z\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"1.2.3.5\",\"alert\":{\"signature\":\"x\"}}",
        "{\"event_type\":\"alert\",\"timestamp\":\"yesterday\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"1.2.3.5\",\"alert\":{\"signature_id\":1,\"signature\":\"x\"}}",
    };
    struct lbl_set s;
    lbl_set_init(&s);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        assert_int_equal(eve(&s, bad[i]), -1);
        assert_true(why[0] != '\0');
    }
    /* nesting deeper than the cap */
    char deep[200];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < 60; i++) {
        deep[n++] = '[';
    }
    for (int i = 0; i < 60; i++) {
        deep[n++] = ']';
    }
    deep[n++] = '}';
    assert_int_equal(lbl_parse_eve(&s, deep, n, why), -1);
    assert_non_null(strstr(why, "deeper"));
    /* a signature longer than LBL_TEXT_MAX */
    char *big = malloc(3000);
    int k = snprintf(big, 3000,
            "{\"event_type\":\"alert\",\"timestamp\":\"2013-03-07T21:42:07Z\",\"src_ip\":"
            "\"1.2.3.4\",\"dest_ip\":\"1.2.3.5\",\"alert\":{\"signature_id\":1,\"signature\":\"");
    memset(big + k, 'A', 2000);
    memcpy(big + k + 2000, "\"}}", 4);
    assert_int_equal(eve(&s, big), -1);
    free(big);
    assert_int_equal(s.n, 0);
    lbl_set_fini(&s);
}

static void test_fastlog(void **state)
{
    (void)state;
    struct lbl_set s;
    lbl_set_init(&s);
    const char *l = "03/07/2013-21:42:07.250000  [**] [1:2001219:20] ET SCAN Potential SSH Scan "
                    "[**] [Classification: Attempted Information Leak] [Priority: 2] {TCP} "
                    "10.0.0.1:1234 -> 10.0.0.2:22";
    assert_int_equal(lbl_parse_fastlog(&s, l, strlen(l), why), 1);
    const struct lbl_rule *r = &s.v[0];
    assert_true(r->start == T0 + NS / 4);
    assert_string_equal(lbl_text(&s, r->label), "ET SCAN Potential SSH Scan");
    assert_string_equal(lbl_text(&s, r->category), "Attempted Information Leak");
    assert_string_equal(lbl_text(&s, r->rule), "1:2001219:20");
    assert_int_equal(r->severity, 2);
    assert_int_equal(r->dp_lo, 22);
    l = "03/07/2013-21:42:07.000000  [**] [1:1:1] v6 [**] [Priority: 1] {UDP} "
        "2001:0db8:0000:0000:0000:0000:0000:0001:53 -> [2001:db8::2]:5353";
    assert_int_equal(lbl_parse_fastlog(&s, l, strlen(l), why), 1);
    assert_int_equal(s.v[1].src.fam, 6);
    assert_int_equal(s.v[1].sp_lo, 53);
    assert_int_equal(s.v[1].dp_lo, 5353);
    l = "03/07/2013-21:42:07.000000  [**] [1:1:1] ping [**] {ICMP} 10.0.0.1:8 -> 10.0.0.2:0";
    assert_int_equal(lbl_parse_fastlog(&s, l, strlen(l), why), 1);
    assert_int_equal(s.v[2].sp_hi, 65535); /* ICMP: type/code are not ports */
    static const char *const bad[] = {
        "hello",
        "03/07/2013-21:42:07.0 no markers",
        "13/45/2013-21:42:07.000000  [**] [1:1:1] x [**] {TCP} 1.2.3.4:1 -> 1.2.3.5:2",
        "03/07/2013-21:42:07.000000  [**] [1:1:1] x [**] {TCP} 1.2.3.4:1 -> ::1:2",
        "03/07/2013-21:42:07.000000  [**] [1:1:1] x [**] {TCP} 1.2.3.4:1 1.2.3.5:2",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(lbl_parse_fastlog(&s, bad[i], strlen(bad[i]), why), -1);
    }
    assert_int_equal(lbl_parse_fastlog(&s, "# comment", 9, why), 0);
    lbl_set_fini(&s);
}

static int map(struct lbl_set *s, struct lbl_map_hdr *h, const char *line)
{
    return lbl_parse_map(s, h, line, strlen(line), why);
}

static void test_map(void **state)
{
    (void)state;
    struct lbl_set s;
    lbl_set_init(&s);
    struct lbl_map_hdr h;
    memset(&h, 0, sizeof(h));
    assert_int_equal(map(&s, &h, "# comment"), 0);
    assert_int_equal(map(&s, &h, "start,end,src,dst,sport,dport,proto,label,category,extra"), 0);
    assert_true(h.seen);
    assert_int_equal(map(&s, &h,
                             "2013-03-07T21:42:00Z,1362692530,10.0.0.0/8,192.168.1.7,any,"
                             "1000-2000,tcp,\"DoS, Hulk\",DoS,whatever"),
            1);
    const struct lbl_rule *r = &s.v[0];
    assert_true(r->start == T0 - 7 * NS && r->end == 1362692530LL * NS);
    assert_int_equal(r->src.bits, 8);
    assert_int_equal(r->dp_lo, 1000);
    assert_int_equal(r->dp_hi, 2000);
    assert_int_equal(r->sp_lo, 0);
    assert_string_equal(lbl_text(&s, r->label), "DoS, Hulk");
    assert_int_equal(map(&s, &h, "1362692527,1362692528,2001:db8::/32,*,,,,\"x \"\"y\"\"\",,"), 1);
    assert_int_equal(s.v[1].dst.fam, 0);
    assert_int_equal(s.v[1].proto, -1);
    assert_string_equal(lbl_text(&s, s.v[1].label), "x \"y\"");
    static const char *const bad[] = {
        "1,2,10.0.0.1,10.0.0.2,any,any,tcp,x,y",         /* 9 cells */
        "2,1,10.0.0.1,10.0.0.2,any,any,tcp,x,y,z",       /* end before start */
        "1,2,10.0.0.1/33,10.0.0.2,any,any,tcp,x,y,z",    /* prefix */
        "1,2,10.0.0.1,::1,any,any,tcp,x,y,z",            /* mixed families */
        "1,2,10.0.0.1,10.0.0.2,2000-1000,any,tcp,x,y,z", /* range */
        "1,2,10.0.0.1,10.0.0.2,any,70000,tcp,x,y,z",     /* port */
        "1,2,10.0.0.1,10.0.0.2,any,any,bogus,x,y,z",     /* protocol */
        "1,2,10.0.0.1,10.0.0.2,any,any,tcp,,y,z",        /* empty label */
        "x,2,10.0.0.1,10.0.0.2,any,any,tcp,x,y,z",       /* time */
        "1,2,10.0.0.1,10.0.0.2,any,any,tcp,\"x,y,z",     /* unterminated quote */
        "1,2,10.0.0.1,10.0.0.2,any,any,tcp,\"x\"y,y,z",  /* text after quote */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        assert_int_equal(map(&s, &h, bad[i]), -1);
        assert_true(why[0] != '\0');
    }
    struct lbl_map_hdr h2;
    memset(&h2, 0, sizeof(h2));
    assert_int_equal(map(&s, &h2, "start,end,src,label"), -1);
    assert_non_null(strstr(why, "dst"));
    lbl_set_fini(&s);
}

static void test_overlaps(void **state)
{
    (void)state;
    struct lbl_set s;
    lbl_set_init(&s);
    struct lbl_map_hdr h;
    memset(&h, 0, sizeof(h));
    assert_int_equal(map(&s, &h, "start,end,src,dst,dport,label"), 0);
    assert_int_equal(map(&s, &h, "100,200,10.0.0.1,10.0.0.2,80,A"), 1);
    assert_int_equal(map(&s, &h, "150,200,10.0.0.0/31,10.0.0.2,80,A"), 1); /* same label */
    assert_int_equal(map(&s, &h, "150,250,10.0.0.0/31,10.0.0.2,81,B"), 1); /* port apart */
    assert_int_equal(map(&s, &h, "201,300,10.0.0.1,10.0.0.2,80,C"), 1);    /* time apart */
    assert_int_equal(map(&s, &h, "199,300,10.0.0.2,10.0.0.1,any,D"), 1);   /* reversed */
    assert_int_equal(map(&s, &h, "0,1000,11.0.0.0/8,any,any,E"), 1);       /* elsewhere */
    for (size_t i = 0; i < s.n; i++) {
        s.v[i].line = (uint32_t)i + 2;
    }
    const char *names[] = { "m.csv" };
    assert_int_equal(lbl_check_overlaps(&s, names, true, NULL, 0, why), NC_EMALFORMED);
    assert_non_null(strstr(why, "line 6"));
    assert_int_equal(lbl_check_overlaps(&s, names, false, NULL, 0, why), NC_OK);
    assert_int_equal(s.overlaps, 1);
    assert_true(s.v[4].dropped);
    for (size_t i = 0; i < 6; i++) {
        assert_true(i == 4 || !s.v[i].dropped);
    }
    lbl_set_fini(&s);
}

static struct lbl_query q4(
        const char *a, const char *b, int sp, int dp, int proto, int64_t t0, int64_t t1)
{
    struct lbl_query q;
    memset(&q, 0, sizeof(q));
    struct lbl_addr x, y;
    assert_true(lbl_parse_addr(a, strlen(a), &x));
    assert_true(lbl_parse_addr(b, strlen(b), &y));
    q.fam = x.fam;
    memcpy(q.a, x.a, 16);
    memcpy(q.b, y.a, 16);
    q.sport = sp;
    q.dport = dp;
    q.proto = proto;
    q.t0 = t0;
    q.t1 = t1;
    return q;
}

static void test_index(void **state)
{
    (void)state;
    struct lbl_set s;
    lbl_set_init(&s);
    struct lbl_map_hdr h;
    memset(&h, 0, sizeof(h));
    assert_int_equal(map(&s, &h, "start,end,src,dst,sport,dport,proto,label"), 0);
    assert_int_equal(map(&s, &h, "100,100,10.0.0.1,10.0.0.2,1234,80,tcp,A"), 1);           /* 0 */
    assert_int_equal(map(&s, &h, "90,95,10.0.0.1,10.0.0.2,any,80,tcp,B"), 1);              /* 1 */
    assert_int_equal(map(&s, &h, "50,60,10.1.0.0/16,192.168.0.0/24,any,1-1024,any,C"), 1); /* 2 */
    assert_int_equal(map(&s, &h, "50,60,2001:db8::/32,2001:db8::5,any,any,udp,D"), 1);     /* 3 */
    assert_int_equal(map(&s, &h, "70,80,any,10.9.9.9,any,any,any,E"), 1);                  /* 4 */
    struct lbl_index *ix;
    assert_int_equal(lbl_index_build(&ix, &s, 0), NC_OK);
    uint32_t ids[8];
    /* exact time, both directions, ports swapped with the addresses */
    struct lbl_query q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 100 * NS, 100 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    assert_int_equal(ids[0], 0);
    q = q4("10.0.0.2", "10.0.0.1", 80, 1234, 6, 100 * NS, 100 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    /* reversed addresses but ports not swapped: no */
    q = q4("10.0.0.2", "10.0.0.1", 1234, 80, 6, 100 * NS, 100 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    /* wrong protocol, unknown protocol, unknown ports */
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 17, 100 * NS, 100 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    q = q4("10.0.0.1", "10.0.0.2", -1, -1, -1, 100 * NS, 100 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    /* a span covering both windows: first by start time */
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 90 * NS, 100 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 0);
    /* time edges: 1 ns outside without tolerance */
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 100 * NS + 1, 101 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 96 * NS, 100 * NS - 1);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    /* CIDR both ways and port ranges */
    q = q4("192.168.0.77", "10.1.200.3", 443, 5555, 6, 60 * NS, 61 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    assert_int_equal(ids[0], 2);
    q = q4("192.168.0.77", "10.1.200.3", 1025, 5555, 6, 60 * NS, 61 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    q = q4("192.168.1.77", "10.1.200.3", 443, 5555, 6, 60 * NS, 61 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    /* IPv6 and a v4 query never meeting a v6 rule */
    q = q4("2001:db8::5", "2001:db8:ffff::1", 53, 9999, 17, 55 * NS, 55 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    assert_int_equal(ids[0], 3);
    /* any */
    q = q4("8.8.8.8", "10.9.9.9", 1, 2, 6, 75 * NS, 75 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    q = q4("10.9.9.9", "8.8.8.8", 1, 2, 6, 75 * NS, 75 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    q = q4("2001:db8::9", "10.9.9.9", 1, 2, 6, 75 * NS, 75 * NS);
    q.fam = 6;
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    lbl_index_free(ix);
    /* tolerance edges: 1 s exactly reaches, 1 ns more does not */
    assert_int_equal(lbl_index_build(&ix, &s, NS), NC_OK);
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 101 * NS, 102 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 101 * NS + 1, 102 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 80 * NS, 89 * NS);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 1);
    q = q4("10.0.0.1", "10.0.0.2", 1234, 80, 6, 80 * NS, 89 * NS - 1);
    assert_int_equal(lbl_index_match(ix, &q, ids, 8), 0);
    lbl_index_free(ix);
    lbl_set_fini(&s);
}

static void test_many_and_cap(void **state)
{
    (void)state;
    struct lbl_set s;
    lbl_set_init(&s);
    struct lbl_map_hdr h;
    memset(&h, 0, sizeof(h));
    assert_int_equal(map(&s, &h, "start,end,src,dst,label"), 0);
    char line[128];
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof(line), "%d,%d,10.0.0.1,10.0.0.2,L%d", 1000 - i, 1000 - i, i % 3);
        assert_int_equal(map(&s, &h, line), 1);
    }
    struct lbl_index *ix;
    assert_int_equal(lbl_index_build(&ix, &s, 0), NC_OK);
    uint32_t ids[4];
    struct lbl_query q = q4("10.0.0.2", "10.0.0.1", 1, 2, 6, 0, 2000 * NS);
    /* 100 match, 4 kept, and the first by time is among them */
    assert_int_equal(lbl_index_match(ix, &q, ids, 4), 100);
    assert_int_equal(ids[0], 99);
    lbl_index_free(ix);
    lbl_set_fini(&s);
}

static void test_load(void **state)
{
    (void)state;
    /* a stream of lines: good, malformed, over-long, not UTF-8, NUL, CRLF */
    size_t cap = LBL_LINE_MAX + 4096;
    char *buf = malloc(cap);
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "\xef\xbb\xbf%s\r\n{bad\n", alert4);
    buf[n++] = '{';
    memset(buf + n, ' ', LBL_LINE_MAX + 10);
    n += LBL_LINE_MAX + 10;
    buf[n++] = '}';
    buf[n++] = '\n';
    n += (size_t)snprintf(buf + n, cap - n, "{\"a\":\"\xff\"}\n");
    memcpy(buf + n, "{\"a\":\0}\n", 8);
    n += 8;
    n += (size_t)snprintf(buf + n, cap - n, "%s", alert4); /* no final newline */
    FILE *f = fmemopen(buf, n, "rb");
    struct lbl_set s;
    lbl_set_init(&s);
    struct lbl_load_stats st;
    assert_int_equal(lbl_load(&s, LBL_EVE, f, "e.json", 0, false, NULL, 0, &st, why), NC_OK);
    assert_int_equal(st.lines, 6);
    assert_int_equal(st.rules, 2);
    assert_int_equal(st.malformed, 3);
    assert_int_equal(st.too_long, 1);
    assert_int_equal(s.v[1].line, 6);
    rewind(f);
    lbl_set_fini(&s);
    lbl_set_init(&s);
    assert_int_equal(lbl_load(&s, LBL_EVE, f, "e.json", 0, true, NULL, 0, &st, why), NC_EMALFORMED);
    assert_non_null(strstr(why, "e.json line 2"));
    fclose(f);
    lbl_set_fini(&s);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eve_valid),
        cmocka_unit_test(test_eve_hostile),
        cmocka_unit_test(test_fastlog),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_many_and_cap),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
