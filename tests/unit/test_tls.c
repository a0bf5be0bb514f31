/*
 * summary: unit tests of the TLS hello parser (src/proto/tls.c) through the
 *          stream test harness.
 *
 * Real hellos (tests/unit/data/tls/hellos.inc, cut out of the corpus
 * captures with tests/tools/pcap_streams.py) are checked against the
 * corpus oracles: tshark's tls.tsv (ja3, ja3_full, ja3s, ja3s_full, SNI,
 * cipher suites, ALPN), nDPI (JA3C, JA3S, JA4, supported versions) and
 * Arkime (ja3s of an SSL 2.0 compatible handshake). JA4/JA4S of the
 * openssl capture were computed by hand (below and docs/JA4.md). Then:
 * byte-by-byte feeding, hellos re-framed over several records, a
 * HelloRetryRequest exchange, GREASE and ALPN edge cases on built hellos,
 * garbage, truncation, gaps and memory budgets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/parser.h"

#include "data/tls/hellos.inc"

enum {
    TS0 = 1000,
    TS1 = 2000,
};

/* ------------------------------------------------------------ helpers */

/* Feed a copy of exactly n bytes (ASan sees reads past the end). */
static bool feed(struct nc_stream *s, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, p, n);
    bool r = nc_stream_test_feed(s, dir, c, n, ts);
    free(c);
    return r;
}

static struct nc_stream *new_stream(void)
{
    struct nc_stream *s = nc_stream_test_new(&nc_parser_tls, 0);
    assert_non_null(s);
    return s;
}

/* Close, check that the parser gave back all its memory, and return a
 * malloc'd copy of the records as JSON lines. */
static char *finish(struct nc_stream *s)
{
    nc_stream_test_close(s, 9999);
    assert_int_equal(nc_stream_test_budget_used(s), 0);
    char *j = strdup(nc_stream_test_json(s));
    assert_non_null(j);
    nc_stream_test_free(s);
    return j;
}

static char line_buf[65536];
static char value_buf[65536];

/* The n-th JSON line (0-based) containing marker, or NULL. */
static const char *rec_line(const char *json, const char *marker, int n)
{
    const char *p = json;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        assert_true(len < sizeof(line_buf));
        memcpy(line_buf, p, len);
        line_buf[len] = '\0';
        if (strstr(line_buf, marker) && n-- == 0) {
            return line_buf;
        }
        p += len + (e ? 1 : 0);
    }
    return NULL;
}

/* ClientHello lines carry "handshake_type", ServerHello lines "ja3s". */
static const char *ch_line(const char *json, int n)
{
    const char *l = rec_line(json, "\"handshake_type\":", n);
    assert_non_null(l);
    return l;
}

static const char *sh_line(const char *json, int n)
{
    const char *l = rec_line(json, "\"ja3s\":", n);
    assert_non_null(l);
    return l;
}

/* The value of a top-level field: a string without its quotes, or the raw
 * text of a number, bool or array. */
static const char *field(const char *line, const char *name)
{
    char key[64];
    snprintf(key, sizeof(key), "\"%s\":", name);
    const char *p = strstr(line, key);
    assert_non_null(p);
    p += strlen(key);
    size_t n = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) {
                value_buf[n++] = *p++;
            }
            value_buf[n++] = *p;
        }
    } else {
        int depth = 0;
        for (; *p && !(depth == 0 && (*p == ',' || *p == '}')); p++) {
            depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
            value_buf[n++] = *p;
        }
    }
    value_buf[n] = '\0';
    return value_buf;
}

static size_t count_items(const char *array)
{
    if (strcmp(array, "[]") == 0) {
        return 0;
    }
    size_t n = 1;
    for (const char *p = array; *p; p++) {
        n += *p == ',';
    }
    return n;
}

/* Both hellos of a connection, each side fed whole. */
static char *run_pair(const uint8_t *ch, size_t nch, const uint8_t *sh, size_t nsh)
{
    struct nc_stream *s = new_stream();
    assert_true(feed(s, 0, ch, nch, TS0));
    /* the ServerHello ends the parser's interest in the flow */
    assert_false(feed(s, 1, sh, nsh, TS1));
    return finish(s);
}

#define RUN_PAIR(name) run_pair(name##_ch, sizeof(name##_ch), name##_sh, sizeof(name##_sh))

/* --------------------------------------------------- corpus + oracles */

/* zeek-tls12: TLS 1.2, 80 ciphers, no SNI. tshark tls.tsv frames 4, 5. */
static void test_zeek_tls12(void **state)
{
    (void)state;
    char *j = RUN_PAIR(zeek);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "bd9c99b3a0f752c3ab8b052a79e9de3e");
    assert_string_equal(field(l, "ja3_string"),
            "771,49200-49196-49192-49188-49172-49162-49186-49185-163-159-107-106-57-56-136-135-"
            "49202-49198-49194-49190-49167-49157-157-61-53-132-49170-49160-49180-49179-22-19-"
            "49165-49155-10-49199-49195-49191-49187-49171-49161-49183-49182-162-158-103-64-51-50-"
            "154-153-69-68-49201-49197-49193-49189-49166-49156-156-60-47-150-65-7-49169-49159-"
            "49164-49154-5-4-21-18-9-20-17-8-6-3-255,11-10-35-13-15,14-13-25-11-12-24-9-10-22-"
            "23-8-6-7-20-21-4-5-18-19-1-2-3-15-16-17,0-1-2");
    assert_string_equal(field(l, "cipher_suites"),
            "[49200,49196,49192,49188,49172,49162,49186,49185,163,159,107,106,57,56,136,135,"
            "49202,49198,49194,49190,49167,49157,157,61,53,132,49170,49160,49180,49179,22,19,"
            "49165,49155,10,49199,49195,49191,49187,49171,49161,49183,49182,162,158,103,64,51,"
            "50,154,153,69,68,49201,49197,49193,49189,49166,49156,156,60,47,150,65,7,49169,"
            "49159,49164,49154,5,4,21,18,9,20,17,8,6,3,255]");
    assert_string_equal(field(l, "sni"), "");
    assert_string_equal(field(l, "alpns"), "[]");
    /* the hello's own framing */
    assert_string_equal(field(l, "timestamp"), "1000");
    assert_string_equal(field(l, "type"), "22");
    assert_string_equal(field(l, "version"), "769");
    assert_string_equal(field(l, "message_len"), "317");
    assert_string_equal(field(l, "handshake_type"), "1");
    assert_string_equal(field(l, "handshake_len"), "313");
    assert_string_equal(field(l, "handshake_version"), "771");
    assert_string_equal(field(l, "session_id_len"), "0");
    assert_string_equal(field(l, "cipher_suite_len"), "160");
    assert_string_equal(field(l, "extension_len"), "111");
    assert_string_equal(field(l, "compress_methods"), "[1,0]");
    assert_string_equal(field(l, "extensions"), "[11,10,35,13,15]");
    assert_string_equal(field(l, "supported_points"), "[0,1,2]");
    assert_string_equal(field(l, "ocsp"), "false");
    assert_string_equal(field(l, "src_port"), "40000");
    assert_string_equal(field(l, "dst_port"), "443");
    assert_string_equal(field(l, "uid"), "Ctest");

    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "c253ec3ad88e42f8da4032682892f9a0");
    assert_string_equal(field(l, "ja3s_string"), "771,4,65281");
    assert_string_equal(field(l, "cipher_suite"), "4");
    assert_string_equal(field(l, "secure_renegotiation_supported"), "true");
    assert_string_equal(field(l, "timestamp"), "2000");
    assert_string_equal(field(l, "src_port"), "443"); /* sent by the server */
    assert_string_equal(field(l, "dst_port"), "40000");
    assert_string_equal(field(l, "record_version"), "771");
    free(j);
}

/* ndpi-443-firefox: TLS 1.3 offered, SNI, ALPN. tshark frames 4, 6; nDPI
 * JA3C, JA3S, JA4, "TLS Supported Versions: TLSv1.3;TLSv1.2;TLSv1.1;TLSv1". */
static void test_firefox(void **state)
{
    (void)state;
    char *j = RUN_PAIR(firefox);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "b20b44b18b853ef29ab773e921b03422");
    assert_string_equal(field(l, "ja3_string"),
            "771,4865-4867-4866-49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-51-57-"
            "47-53-10,0-23-65281-10-11-35-16-5-51-43-13-45-28-21,29-23-24-25-256-257,0");
    assert_string_equal(field(l, "cipher_suites"),
            "[4865,4867,4866,49195,49199,52393,52392,49196,49200,49162,49161,49171,49172,51,57,"
            "47,53,10]");
    assert_string_equal(field(l, "sni"), "www.ntop.org");
    assert_string_equal(field(l, "alpns"), "[\"h2\",\"http/1.1\"]");
    assert_string_equal(field(l, "supported_versions"), "[772,771,770,769]");
    assert_string_equal(field(l, "ocsp"), "true");
    assert_string_equal(field(l, "ja4"), "t13d1814h2_29a2cd9e9f10_d267a5f792d4");
    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "3653a20186a5b490426131a611e01992");
    assert_string_equal(field(l, "ja3s_string"), "771,52392,65281-0-11-35-16-23");
    assert_string_equal(field(l, "alpn_protocol"), "h2");
    assert_string_equal(field(l, "ticket_supported"), "true");
    assert_string_equal(field(l, "ems"), "true");
    assert_string_equal(field(l, "supported_version"), "0");
    free(j);
}

/* ndpi-ja3-many-ciphers: 350 cipher suites. tshark ja3; nDPI JA3S. */
static void test_many_ciphers(void **state)
{
    (void)state;
    char *j = RUN_PAIR(many);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "b2498734f22ddc9be05c39837ac8ac54");
    assert_int_equal(count_items(field(l, "cipher_suites")), 350);
    /* JA4 caps the counts at 99; tshark has no SNI and no ALPN */
    assert_int_equal(strncmp(field(l, "ja4"), "t12i990300_", 11), 0);
    assert_string_equal(field(l, "sni"), "");
    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "9d456958a9e86bb0d503543beaf1a65b");
    assert_string_equal(field(l, "ja3s_string"), "771,69,65281");
    free(j);
}

/* ndpi-tls-verylong-cert: tshark ja3/ja3s, SNI, ALPN http/1.1. nDPI prints
 * JA4 t12d6707ht_2955a3196ffa_c83f907a73d3: same b and c, but its ALPN
 * pair takes the first two characters; FoxIO's definition takes the first
 * and the last ("h1"). */
static void test_verylong_cert(void **state)
{
    (void)state;
    char *j = RUN_PAIR(longcert);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "2a26b1a62e40d25d4de3babc9d532f30");
    assert_string_equal(field(l, "sni"), "feodotracker.abuse.ch");
    assert_string_equal(field(l, "alpns"), "[\"http/1.1\"]");
    assert_int_equal(count_items(field(l, "cipher_suites")), 67);
    assert_string_equal(field(l, "ja4"), "t12d6707h1_2955a3196ffa_c83f907a73d3");
    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "ae53107a2e47ea20c72ac44821a728bf");
    assert_string_equal(field(l, "ja3s_string"), "771,49199,65281-0-11-16");
    assert_string_equal(field(l, "alpn_protocol"), "http/1.1");
    free(j);
}

/* ndpi-vxlan (inner TCP): a TLS 1.3 handshake. tshark ja3/ja3s, SNI; nDPI
 * JA4 and supported versions. */
static void test_tls13_facebook(void **state)
{
    (void)state;
    char *j = RUN_PAIR(fb);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "40adfd923eb82b89d8836ba37a19bca1");
    assert_string_equal(field(l, "sni"), "www.facebook.com");
    assert_string_equal(field(l, "supported_versions"), "[772,771,770,769]");
    assert_string_equal(field(l, "ja4"), "t13d311000_e8f1e7e78f70_5ac7197df9d2");
    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "475c9302dc42b2751db9edcac3b74891");
    assert_string_equal(field(l, "ja3s_string"), "771,4867,43-51");
    assert_string_equal(field(l, "supported_version"), "772");
    assert_string_equal(field(l, "selected_group"), "29");
    /* JA4S: 13 from supported_versions, 2 extensions, no ALPN; c =
     * sha256("002b,0033")[:12] */
    assert_string_equal(field(l, "ja4s"), "t130200_1303_a56c5b993250");
    free(j);
}

/* arkime-https2-301: SSL 2.0 compatible ClientHello, then a TLS 1.0
 * ServerHello. Arkime: ja3s 280ca4511bfaa384b2e931c058e8816e "769,5,65281";
 * tshark: no ja3 for the SSL 2.0 hello (and we compute none). */
static void test_sslv2_hello(void **state)
{
    (void)state;
    assert_int_equal(nc_parser_tls.probe(ssl2_ch, sizeof(ssl2_ch), 0, true), NC_PROBE_YES);
    char *j = RUN_PAIR(ssl2);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "type"), "0");
    assert_string_equal(field(l, "version"), "2");
    assert_string_equal(field(l, "handshake_version"), "769");
    assert_string_equal(field(l, "ja3"), "");
    assert_string_equal(field(l, "ja4"), "");
    assert_true(count_items(field(l, "cipher_suites")) > 0);
    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "280ca4511bfaa384b2e931c058e8816e");
    assert_string_equal(field(l, "ja3s_string"), "769,5,65281");
    assert_string_equal(field(l, "version"), "769");
    free(j);
}

/* ndpi-1kxun: the SNI is an IP literal. tshark ja3, nDPI JA3C/JA3S and JA4
 * t12i370400_07a749158664_e64f6000bf4d: nDPI writes 'i' for an IP literal,
 * FoxIO's definition 'd' whenever the server_name extension is present. */
static void test_sni_ip_literal(void **state)
{
    (void)state;
    char *j = RUN_PAIR(kxun);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "618ee2509ef52bf0b8216e1564eea909");
    assert_string_equal(field(l, "sni"), "192.168.115.75");
    assert_string_equal(field(l, "ja4"), "t12d370400_07a749158664_e64f6000bf4d");
    l = sh_line(j, 0);
    assert_string_equal(field(l, "ja3s"), "573a9f3f80037fb40d481e2054def5bb");
    free(j);
}

/*
 * openssl 3.0 with a HelloRetryRequest (client key share X25519, server
 * only P-256). Both ClientHellos (the second after the client's
 * ChangeCipherSpec), the HRR and the ServerHello are recorded; the parser
 * stays attached until the real ServerHello.
 *
 * JA4 by hand: 't', supported_versions 0304,0303,0302,0301 -> "13", SNI
 * "example.test" -> 'd', 31 ciphers, 11 extensions (0,11,10,35,16,22,23,13,
 * 43,45,51), first ALPN "h2" -> "h2": t13d3111h2.
 *   b = sha256("002f,0033,0035,0039,003c,003d,0067,006b,009c,009d,009e,009f,
 *       00ff,1301,1302,1303,c009,c00a,c013,c014,c023,c024,c027,c028,c02b,
 *       c02c,c02f,c030,cca8,cca9,ccaa")[:12] = e8f1e7e78f70
 *   c = sha256("000a,000b,000d,0016,0017,0023,002b,002d,0033_0403,0503,0603,
 *       0807,0808,0809,080a,080b,0804,0805,0806,0401,0501,0601,0303,0301,0302,
 *       0402,0502,0602")[:12] = 1f22a2ca17c4
 * JA4S: supported_version 0304 -> "13", 2 extensions (002b, 0033), no ALPN,
 * cipher 1302, sha256("002b,0033")[:12] = a56c5b993250.
 * JA3S: md5("771,4866,43-51") = 15af977ce25de452b96affa2addb1036.
 */
static void test_hello_retry_request(void **state)
{
    (void)state;
    struct nc_stream *s = new_stream();
    /* CH1 (320 bytes) */
    assert_true(feed(s, 0, hrr_c2s, 320, 1));
    /* HRR + CCS (99 bytes): still attached */
    assert_true(feed(s, 1, hrr_s2c, 99, 2));
    /* CCS + CH2 */
    assert_true(feed(s, 0, hrr_c2s + 320, sizeof(hrr_c2s) - 320, 3));
    /* ServerHello: done */
    assert_false(feed(s, 1, hrr_s2c + 99, sizeof(hrr_s2c) - 99, 4));
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSClientHello), 2);
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSServerHello), 2);
    char *j = finish(s);
    for (int i = 0; i < 2; i++) {
        const char *l = ch_line(j, i);
        assert_string_equal(field(l, "timestamp"), i == 0 ? "1" : "3");
        assert_string_equal(field(l, "sni"), "example.test");
        assert_string_equal(field(l, "ja3"), "dd15eb17954b601f37ebb2c800a3e556");
        assert_string_equal(field(l, "ja4"), "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4");
        assert_string_equal(field(l, "ja4_r"),
                "t13d3111h2_002f,0033,0035,0039,003c,003d,0067,006b,009c,009d,009e,009f,00ff,"
                "1301,1302,1303,c009,c00a,c013,c014,c023,c024,c027,c028,c02b,c02c,c02f,c030,cca8,"
                "cca9,ccaa_000a,000b,000d,0016,0017,0023,002b,002d,0033_0403,0503,0603,0807,0808,"
                "0809,080a,080b,0804,0805,0806,0401,0501,0601,0303,0301,0302,0402,0502,0602");
        l = sh_line(j, i);
        assert_string_equal(field(l, "timestamp"), i == 0 ? "2" : "4");
        assert_string_equal(field(l, "ja3s"), "15af977ce25de452b96affa2addb1036");
        assert_string_equal(field(l, "ja3s_string"), "771,4866,43-51");
        assert_string_equal(field(l, "ja4s"), "t130200_1302_a56c5b993250");
        assert_string_equal(field(l, "supported_version"), "772");
        assert_string_equal(field(l, "selected_group"), "23");
    }
    /* the HRR's random is the RFC 8446 constant */
    assert_int_equal(
            strncmp(field(sh_line(j, 0), "random"), "cf21ad74e59a6111be1d8c021e65b891", 32), 0);
    free(j);
}

/* ------------------------------------------------- framing variations */

/* Everything but the given field (to compare records fed differently). */
static char *without(const char *json, const char *name)
{
    char *r = strdup(json);
    assert_non_null(r);
    char key[64];
    snprintf(key, sizeof(key), "\"%s\":", name);
    char *p;
    while ((p = strstr(r, key)) != NULL) {
        char *e = p + strlen(key);
        while (*e && *e != ',' && *e != '}') {
            e++;
        }
        if (*e == ',') {
            e++;
        }
        memmove(p, e, strlen(e) + 1);
    }
    return r;
}

static char *run_whole(const uint8_t *p, size_t n)
{
    struct nc_stream *s = new_stream();
    assert_true(feed(s, 0, p, n, TS0));
    return finish(s);
}

static void test_byte_by_byte(void **state)
{
    (void)state;
    const struct {
        const uint8_t *p;
        size_t n;
    } hellos[] = {
        { zeek_ch, sizeof(zeek_ch) },
        { firefox_ch, sizeof(firefox_ch) },
        { many_ch, sizeof(many_ch) },
        { ssl2_ch, sizeof(ssl2_ch) },
    };
    for (size_t h = 0; h < NC_ARRAY_LEN(hellos); h++) {
        char *whole = run_whole(hellos[h].p, hellos[h].n);
        struct nc_stream *s = new_stream();
        for (size_t i = 0; i < hellos[h].n; i++) {
            /* the record's time is that of the byte that completed it */
            int64_t ts = i + 1 == hellos[h].n ? TS0 : 1;
            assert_true(feed(s, 0, hellos[h].p + i, 1, ts));
        }
        char *bytes = finish(s);
        assert_string_equal(bytes, whole);
        assert_true(strlen(whole) > 0);
        free(whole);
        free(bytes);
    }
}

/* The ClientHello of hello (one record) re-framed into records whose
 * fragments end at the given cut points of the handshake message. */
static size_t reframe(const uint8_t *rec, size_t n, const size_t *cuts, size_t ncuts, uint8_t *out)
{
    const uint8_t *msg = rec + 5;
    size_t mlen = n - 5, o = 0, from = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : mlen;
        out[o++] = 0x16;
        out[o++] = rec[1];
        out[o++] = rec[2];
        out[o++] = (uint8_t)((to - from) >> 8);
        out[o++] = (uint8_t)(to - from);
        memcpy(out + o, msg + from, to - from);
        o += to - from;
        from = to;
    }
    return o;
}

static void test_split_records(void **state)
{
    (void)state;
    char *whole = run_whole(firefox_ch, sizeof(firefox_ch));
    char *ref = without(whole, "message_len");
    static const size_t cut_sets[][3] = {
        { 1, 0, 0 },   /* inside the handshake header */
        { 4, 0, 0 },   /* right after it */
        { 100, 0, 0 }, /* inside the cipher list */
        { 511, 0, 0 }, /* one byte left */
        { 2, 3, 300 }, /* header over three records, then the body in two */
    };
    static const size_t n_cuts[] = { 1, 1, 1, 1, 3 };
    uint8_t buf[sizeof(firefox_ch) + 5 * 4];
    for (size_t t = 0; t < NC_ARRAY_LEN(n_cuts); t++) {
        size_t n = reframe(firefox_ch, sizeof(firefox_ch), cut_sets[t], n_cuts[t], buf);
        /* whole, and also byte by byte */
        for (int bytewise = 0; bytewise < 2; bytewise++) {
            struct nc_stream *s = new_stream();
            if (bytewise) {
                for (size_t i = 0; i < n; i++) {
                    assert_true(feed(s, 0, buf + i, 1, TS0));
                }
            } else {
                assert_true(feed(s, 0, buf, n, TS0));
            }
            char *j = finish(s);
            char *got = without(j, "message_len");
            assert_string_equal(got, ref);
            /* message_len is the length of the record the hello began in */
            char want[32];
            snprintf(want, sizeof(want), "%zu", cut_sets[t][0]);
            assert_string_equal(field(ch_line(j, 0), "message_len"), want);
            free(got);
            free(j);
        }
    }
    free(ref);
    free(whole);
}

/* A record with several handshake messages: HelloRequest + another message +
 * ClientHello from the client; ServerHello + a Certificate from the server. */
static void test_several_messages_per_record(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t mlen = sizeof(zeek_ch) - 5;
    memcpy(buf, zeek_ch, 5);
    /* HelloRequest, then a message to skip whose body looks like a header */
    const uint8_t before[14] = { 0, 0, 0, 0, 4, 0, 0, 6, 1, 0, 0, 2, 0xff, 0xff };
    memcpy(buf + 5, before, sizeof(before));
    memcpy(buf + 5 + sizeof(before), zeek_ch + 5, mlen);
    buf[3] = (uint8_t)((mlen + sizeof(before)) >> 8);
    buf[4] = (uint8_t)(mlen + sizeof(before));
    uint8_t sbuf[256];
    size_t slen = sizeof(zeek_sh) - 5;
    memcpy(sbuf, zeek_sh, sizeof(zeek_sh));
    const uint8_t cert[8] = { 11, 0, 0, 4, 0, 0, 0, 0 };
    memcpy(sbuf + sizeof(zeek_sh), cert, sizeof(cert));
    sbuf[3] = (uint8_t)((slen + 8) >> 8);
    sbuf[4] = (uint8_t)(slen + 8);
    char *j = run_pair(buf, 5 + sizeof(before) + mlen, sbuf, sizeof(zeek_sh) + 8);
    assert_string_equal(field(ch_line(j, 0), "ja3"), "bd9c99b3a0f752c3ab8b052a79e9de3e");
    assert_string_equal(field(sh_line(j, 0), "ja3s"), "c253ec3ad88e42f8da4032682892f9a0");
    free(j);
}

/* ------------------------------------------------------- built hellos */

struct builder {
    uint8_t b[2048];
    size_t n;
};

static void put8(struct builder *w, unsigned v)
{
    w->b[w->n++] = (uint8_t)v;
}

static void put16(struct builder *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v & 0xff);
}

static void put_bytes(struct builder *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

/* Patch a big-endian length of `bytes` bytes at `at` to cover up to now. */
static void patch(struct builder *w, size_t at, int bytes)
{
    size_t len = w->n - at - (size_t)bytes;
    for (int i = bytes - 1; i >= 0; i--) {
        w->b[at + (size_t)i] = (uint8_t)len;
        len >>= 8;
    }
}

enum {
    B_SNI = 1,
    B_SIGALGS = 2,
    B_EARLY = 4,
    B_NO_EXT = 8,
};

/* A ClientHello record: GREASE cipher 0a0a, ciphers 1301 1302 c02b;
 * extensions 1a1a (GREASE), 0000 "a.example" (B_SNI), 000a [2a2a 001d
 * 0017], 000b [0], 0010 [alpn], 002b [3a3a 0304 0303], 002a (B_EARLY),
 * 000d [0403 0804] (B_SIGALGS). alpn: length-prefixed protocol list bytes,
 * or NULL for no ALPN extension. */
static size_t build_ch(uint8_t *out, unsigned flags, const uint8_t *alpn, size_t alpn_len)
{
    struct builder w = { { 0 }, 0 };
    put8(&w, 0x16);
    put16(&w, 0x0301);
    put16(&w, 0);
    put8(&w, 1);
    put8(&w, 0);
    put16(&w, 0);
    put16(&w, 0x0303);
    for (int i = 0; i < 32; i++) {
        put8(&w, 0x11);
    }
    put8(&w, 0);
    const uint16_t ciphers[] = { 0x0a0a, 0x1301, 0x1302, 0xc02b };
    put16(&w, (unsigned)sizeof(ciphers));
    for (size_t i = 0; i < NC_ARRAY_LEN(ciphers); i++) {
        put16(&w, ciphers[i]);
    }
    put8(&w, 1);
    put8(&w, 0);
    if (!(flags & B_NO_EXT)) {
        size_t ext = w.n;
        put16(&w, 0);
        put16(&w, 0x1a1a);
        put16(&w, 0);
        if (flags & B_SNI) {
            put16(&w, 0);
            put16(&w, 14);
            put16(&w, 12);
            put8(&w, 0);
            put16(&w, 9);
            put_bytes(&w, "a.example", 9);
        }
        put16(&w, 10);
        put16(&w, 8);
        put16(&w, 6);
        put16(&w, 0x2a2a);
        put16(&w, 0x001d);
        put16(&w, 0x0017);
        put16(&w, 11);
        put16(&w, 2);
        put8(&w, 1);
        put8(&w, 0);
        if (alpn) {
            put16(&w, 16);
            put16(&w, (unsigned)alpn_len + 2);
            put16(&w, (unsigned)alpn_len);
            put_bytes(&w, alpn, alpn_len);
        }
        put16(&w, 43);
        put16(&w, 7);
        put8(&w, 6);
        put16(&w, 0x3a3a);
        put16(&w, 0x0304);
        put16(&w, 0x0303);
        if (flags & B_EARLY) {
            put16(&w, 42);
            put16(&w, 0);
        }
        if (flags & B_SIGALGS) {
            put16(&w, 13);
            put16(&w, 6);
            put16(&w, 4);
            put16(&w, 0x0403);
            put16(&w, 0x0804);
        }
        patch(&w, ext, 2);
    }
    patch(&w, 6, 3);
    patch(&w, 3, 2);
    memcpy(out, w.b, w.n);
    return w.n;
}

static const uint8_t alpn_h2[] = { 2, 'h', '2' };

/* GREASE is left out of every fingerprint but kept in the lists.
 *   JA3 string "771,4865-4866-49195,0-10-11-16-43-42-13,29-23,0"
 *     md5 = 1aea067d190061748b5711e7a3e805c7
 *   JA4: supported_versions max non-GREASE 0304 -> 13; SNI -> d; 3 ciphers;
 *     7 extensions; h2. b = sha256("1301,1302,c02b")[:12] = 5559582ccdc4,
 *     c = sha256("000a,000b,000d,002a,002b_0403,0804")[:12] = b825e9642ff2 */
static void test_grease(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = build_ch(buf, B_SNI | B_SIGALGS | B_EARLY, alpn_h2, sizeof(alpn_h2));
    char *j = run_whole(buf, n);
    const char *l = ch_line(j, 0);
    assert_string_equal(field(l, "cipher_suites"), "[2570,4865,4866,49195]");
    assert_string_equal(field(l, "extensions"), "[6682,0,10,11,16,43,42,13]");
    assert_string_equal(field(l, "supported_groups"), "[10794,29,23]");
    assert_string_equal(field(l, "supported_versions"), "[14906,772,771]");
    assert_string_equal(field(l, "ja3_string"), "771,4865-4866-49195,0-10-11-16-43-42-13,29-23,0");
    assert_string_equal(field(l, "ja3"), "1aea067d190061748b5711e7a3e805c7");
    assert_string_equal(field(l, "ja4"), "t13d0307h2_5559582ccdc4_b825e9642ff2");
    assert_string_equal(
            field(l, "ja4_r"), "t13d0307h2_1301,1302,c02b_000a,000b,000d,002a,002b_0403,0804");
    free(j);

    /* no signature algorithms: no '_' in c; no SNI: 'i'
     * md5("771,4865-4866-49195,10-11-16-43-42,29-23,0")
     *   = 139b7919df2a3ca740f678677b233cf8
     * c = sha256("000a,000b,002a,002b")[:12] = 14461ef101e2 */
    n = build_ch(buf, B_EARLY, alpn_h2, sizeof(alpn_h2));
    j = run_whole(buf, n);
    l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3"), "139b7919df2a3ca740f678677b233cf8");
    assert_string_equal(field(l, "ja4"), "t13i0305h2_5559582ccdc4_14461ef101e2");
    assert_string_equal(field(l, "ja4_r"), "t13i0305h2_1301,1302,c02b_000a,000b,002a,002b");
    free(j);

    /* no extensions at all: legacy version, empty lists, zeros for c
     * md5("771,4865-4866-49195,,,") = acf38ea214eb7fbf93f03d953275602f */
    n = build_ch(buf, B_NO_EXT, NULL, 0);
    j = run_whole(buf, n);
    l = ch_line(j, 0);
    assert_string_equal(field(l, "ja3_string"), "771,4865-4866-49195,,,");
    assert_string_equal(field(l, "ja3"), "acf38ea214eb7fbf93f03d953275602f");
    assert_string_equal(field(l, "ja4"), "t12i030000_5559582ccdc4_000000000000");
    assert_string_equal(field(l, "extension_len"), "0");
    free(j);
}

/* JA4.md "ALPN Extension Value": first and last character; if either is
 * not ASCII alphanumeric, first and last hex digit of the value. (FoxIO's
 * python and rust tools print "99" for non-ASCII; we follow the text.) */
static void test_alpn_chars(void **state)
{
    (void)state;
    static const struct {
        uint8_t list[12];
        size_t n;
        const char *pair;
    } cases[] = {
        { { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' }, 9, "h1" }, { { 1, 'x' }, 2, "xx" },
        { { 2, 0xab, 0xcd }, 3, "ad" }, { { 1, 0xab }, 2, "ab" }, { { 2, 0x30, 0xab }, 3, "3b" },
        { { 2, 0x61, 0x20 }, 3, "60" }, { { 4, 0x30, 0xab, 0xcd, 0x31 }, 5, "01" },
        { { 0 }, 1, "00" }, /* empty first value */
    };
    for (size_t i = 0; i < NC_ARRAY_LEN(cases); i++) {
        uint8_t buf[512];
        size_t n = build_ch(buf, B_SNI | B_SIGALGS, cases[i].list, cases[i].n);
        char *j = run_whole(buf, n);
        char want[16];
        snprintf(want, sizeof(want), "t13d0306%s", cases[i].pair);
        assert_int_equal(strncmp(field(ch_line(j, 0), "ja4"), want, 10), 0);
        free(j);
    }
}

/* Application data from the client ends the parser, unless the client
 * offered 0-RTT early data (then the ServerHello may still come). */
static void test_early_data(void **state)
{
    (void)state;
    static const uint8_t appdata[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb };
    uint8_t buf[512];
    size_t n = build_ch(buf, B_SNI | B_EARLY, alpn_h2, sizeof(alpn_h2));
    struct nc_stream *s = new_stream();
    assert_true(feed(s, 0, buf, n, TS0));
    assert_true(feed(s, 0, appdata, sizeof(appdata), TS0));
    assert_false(feed(s, 1, fb_sh, sizeof(fb_sh), TS1));
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSServerHello), 1);
    free(finish(s));

    n = build_ch(buf, B_SNI, alpn_h2, sizeof(alpn_h2));
    s = new_stream();
    assert_true(feed(s, 0, buf, n, TS0));
    assert_false(feed(s, 0, appdata, sizeof(appdata), TS0));
    free(finish(s));

    /* the server's application data always ends it */
    s = new_stream();
    assert_true(feed(s, 0, buf, n, TS0));
    assert_false(feed(s, 1, appdata, sizeof(appdata), TS1));
    free(finish(s));
}

/* ---------------------------------------------------- bad input, limits */

static void test_probe(void **state)
{
    (void)state;
    const struct nc_parser *p = &nc_parser_tls;
    assert_int_equal(p->probe(firefox_ch, sizeof(firefox_ch), 0, false), NC_PROBE_YES);
    assert_int_equal(p->probe(firefox_ch, sizeof(firefox_ch), 0, true), NC_PROBE_YES);
    assert_int_equal(p->probe(firefox_sh, sizeof(firefox_sh), 1, false), NC_PROBE_YES);
    assert_int_equal(p->probe(firefox_ch, 3, 0, true), NC_PROBE_MORE);
    assert_int_equal(p->probe(firefox_ch, 5, 0, true), NC_PROBE_MORE);
    assert_int_equal(p->probe(firefox_ch, 6, 0, true), NC_PROBE_YES);
    assert_int_equal(p->probe(firefox_ch, 6, 0, false), NC_PROBE_MORE);
    /* a ServerHello from the client side, a ClientHello from the server */
    assert_int_equal(p->probe(firefox_sh, sizeof(firefox_sh), 0, true), NC_PROBE_NO);
    assert_int_equal(p->probe(firefox_ch, sizeof(firefox_ch), 1, true), NC_PROBE_NO);
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    assert_int_equal(p->probe(http, sizeof(http) - 1, 0, true), NC_PROBE_NO);
    static const uint8_t bad_version[] = { 0x16, 0x04, 0x01, 0x00, 0x10, 0x01 };
    assert_int_equal(p->probe(bad_version, sizeof(bad_version), 0, true), NC_PROBE_NO);
    static const uint8_t too_long[] = { 0x16, 0x03, 0x01, 0xff, 0xff, 0x01 };
    assert_int_equal(p->probe(too_long, sizeof(too_long), 0, true), NC_PROBE_NO);
    assert_int_equal(p->probe(ssl2_ch, 5, 0, false), NC_PROBE_YES);
    assert_int_equal(p->probe(ssl2_ch, 5, 1, false), NC_PROBE_NO);
}

static void test_garbage(void **state)
{
    (void)state;
    /* not TLS framing: switched off, nothing written */
    static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    struct nc_stream *s = new_stream();
    assert_false(feed(s, 0, http, sizeof(http) - 1, TS0));
    char *j = finish(s);
    assert_string_equal(j, "");
    free(j);

    /* a hello whose declared length exceeds TLS_HELLO_MAX */
    static const uint8_t huge[] = { 0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x02, 0x00, 0x00, 0x03,
        0x03, 0x00, 0x00 };
    s = new_stream();
    assert_false(feed(s, 0, huge, sizeof(huge), TS0));
    free(finish(s));

    /* a hello too short for its fixed fields */
    static const uint8_t short_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04,
        0x03, 0x03, 0x00, 0x00 };
    s = new_stream();
    assert_false(feed(s, 0, short_hello, sizeof(short_hello), TS0));
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSClientHello), 0);
    free(finish(s));

    /* pseudo-random bytes after a valid hello, on both sides */
    uint8_t noise[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(noise); i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (uint8_t)(x >> 16);
    }
    for (size_t cut = 0; cut < 64; cut++) {
        s = new_stream();
        (void)feed(s, 0, firefox_ch, sizeof(firefox_ch), TS0);
        (void)feed(s, 0, noise + cut, sizeof(noise) - cut, TS0);
        (void)feed(s, 1, noise, cut * 13, TS1);
        free(finish(s));
    }

    /* every prefix of every hello: no record unless complete, no crash */
    const struct {
        const uint8_t *p;
        size_t n;
    } hellos[] = {
        { zeek_ch, sizeof(zeek_ch) },
        { ssl2_ch, sizeof(ssl2_ch) },
        { hrr_c2s, sizeof(hrr_c2s) },
    };
    for (size_t h = 0; h < NC_ARRAY_LEN(hellos); h++) {
        for (size_t n = 0; n < hellos[h].n; n++) {
            s = new_stream();
            (void)feed(s, 0, hellos[h].p, n, TS0);
            (void)feed(s, 1, hellos[h].p, n, TS0);
            free(finish(s));
        }
    }
}

/* A truncated hello: the parser waits (still attached), writes nothing at
 * close and frees its buffer. */
static void test_truncated(void **state)
{
    (void)state;
    struct nc_stream *s = new_stream();
    assert_true(feed(s, 0, zeek_ch, sizeof(zeek_ch) - 1, TS0));
    char *j = finish(s);
    assert_string_equal(j, "");
    free(j);

    /* the hello's first record of two: buffered in the parser */
    uint8_t buf[sizeof(firefox_ch) + 5];
    const size_t cut[1] = { 300 };
    size_t n = reframe(firefox_ch, sizeof(firefox_ch), cut, 1, buf);
    s = new_stream();
    assert_true(feed(s, 0, buf, 305, TS0));
    assert_true(nc_stream_test_budget_used(s) > 0);
    assert_true(feed(s, 0, buf + 305, n - 305 - 1, TS0));
    j = finish(s); /* checks the budget is back to 0 */
    assert_string_equal(j, "");
    free(j);
}

/* Gaps: a gap on the client side does not stop the ServerHello; one on the
 * server side after the ClientHello ends the parser. */
static void test_gaps(void **state)
{
    (void)state;
    struct nc_stream *s = new_stream();
    assert_true(nc_stream_test_gap(s, 0, 100, TS0));
    assert_true(feed(s, 0, zeek_ch + 7, 20, TS0)); /* ignored after the gap */
    assert_false(feed(s, 1, zeek_sh, sizeof(zeek_sh), TS1));
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSServerHello), 1);
    free(finish(s));

    s = new_stream();
    assert_true(feed(s, 0, zeek_ch, sizeof(zeek_ch), TS0));
    assert_false(nc_stream_test_gap(s, 1, 100, TS1));
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSClientHello), 1);
    free(finish(s));
}

/* Every memory budget from none to plenty: records or a clean refusal,
 * never a leak. */
static void test_budget(void **state)
{
    (void)state;
    uint8_t buf[sizeof(firefox_ch) + 5];
    const size_t cut[1] = { 200 };
    size_t n = reframe(firefox_ch, sizeof(firefox_ch), cut, 1, buf);
    for (uint64_t cap = 64; cap < 8192; cap += 48) {
        struct nc_stream *s = nc_stream_test_new(&nc_parser_tls, cap);
        if (!s) {
            continue;
        }
        for (size_t i = 0; i < n; i += 97) {
            (void)feed(s, 0, buf + i, NC_MIN((size_t)97, n - i), TS0);
        }
        (void)feed(s, 1, firefox_sh, sizeof(firefox_sh), TS1);
        nc_stream_test_close(s, 0);
        assert_int_equal(nc_stream_test_budget_used(s), 0);
        nc_stream_test_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeek_tls12),
        cmocka_unit_test(test_firefox),
        cmocka_unit_test(test_many_ciphers),
        cmocka_unit_test(test_verylong_cert),
        cmocka_unit_test(test_tls13_facebook),
        cmocka_unit_test(test_sslv2_hello),
        cmocka_unit_test(test_sni_ip_literal),
        cmocka_unit_test(test_hello_retry_request),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_split_records),
        cmocka_unit_test(test_several_messages_per_record),
        cmocka_unit_test(test_grease),
        cmocka_unit_test(test_alpn_chars),
        cmocka_unit_test(test_early_data),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
