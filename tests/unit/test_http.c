/*
 * summary: unit tests of the HTTP/1.x stream parser (src/proto/http.c)
 *          through the stream test harness (proto/parser.h).
 *
 * Each test feeds both directions of a connection as the stream stage
 * would (every chunk copied into a heap buffer of its exact size, so that
 * ASan sees a read past its end), closes, and checks the JSON Lines of the
 * HTTP records and that every budget byte came back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "proto/parser.h"

#include "data/tls/hellos.inc"

static struct nc_stream *open_stream(void)
{
    struct nc_stream *s = nc_stream_test_new(&nc_parser_http, 0);
    assert_non_null(s);
    return s;
}

static bool feed_n(struct nc_stream *s, int dir, const void *p, size_t n, int64_t ts)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, p, n);
    bool ok = nc_stream_test_feed(s, dir, copy, n, ts);
    free(copy);
    return ok;
}

static bool feed(struct nc_stream *s, int dir, const char *str, int64_t ts)
{
    return feed_n(s, dir, str, strlen(str), ts);
}

/* Close, check the budget, and return a copy of the records (free it). */
static char *finish(struct nc_stream *s, int64_t ts)
{
    nc_stream_test_close(s, ts);
    assert_int_equal(nc_stream_test_budget_used(s), 0);
    char *json = strdup(nc_stream_test_json(s));
    assert_non_null(json);
    nc_stream_test_free(s);
    return json;
}

static size_t n_lines(const char *json)
{
    size_t n = 0;
    for (const char *p = json; *p; p++) {
        n += *p == '\n';
    }
    return n;
}

/* Line i (0-based) of json, in a static buffer. */
static const char *line(const char *json, size_t i)
{
    static char buf[1 << 20];
    const char *p = json;
    for (size_t k = 0; k < i && p; k++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    assert_non_null(p);
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    assert_true(n < sizeof(buf));
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

#define assert_has(l, sub)                                                                         \
    do {                                                                                           \
        if (!strstr((l), (sub))) {                                                                 \
            print_error("missing %s in %s\n", (sub), (l));                                         \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#define assert_hasnt(l, sub)                                                                       \
    do {                                                                                           \
        if (strstr((l), (sub))) {                                                                  \
            print_error("unexpected %s in %s\n", (sub), (l));                                      \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static const char get1[] = "GET /index.html?q=a+b&lang=en HTTP/1.1\r\n"
                           "Host: example.com\r\n"
                           "User-Agent: test/1.0\r\n"
                           "Referer: http://example.com/\r\n"
                           "Accept: */*\r\n"
                           "\r\n";
static const char res1[] = "HTTP/1.1 200 OK\r\n"
                           "Server: nginx/1.2\r\n"
                           "Content-Type: text/html; charset=utf-8\r\n"
                           "Content-Length: 26\r\n"
                           "\r\n"
                           "<html><body>hi</body></html>";

static void test_simple_get(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    /* Content-Length 26 covers "<html><body>hi</body></ht" */
    assert_true(feed(s, 0, get1, 1000));
    assert_true(feed_n(s, 1, res1, strlen(res1) - 2, 3000));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 1);
    char *json = finish(s, 9000);
    assert_int_equal(n_lines(json), 1);
    const char *l = line(json, 0);
    assert_has(l, "\"timestamp\":1000,");
    assert_has(l, "\"method\":\"GET\"");
    assert_has(l, "\"host\":\"example.com\"");
    assert_has(l, "\"url\":\"/index.html?q=a+b&lang=en\"");
    assert_has(l, "\"uri_path\":\"/index.html\"");
    assert_has(l, "\"proto\":\"HTTP/1.1\"");
    assert_has(l, "\"user_agent\":\"test/1.0\"");
    assert_has(l, "\"referer\":\"http://example.com/\"");
    assert_has(l, "\"status_code\":200");
    assert_has(l, "\"status_msg\":\"OK\"");
    assert_has(l, "\"res_proto\":\"HTTP/1.1\"");
    assert_has(l, "\"server_name\":\"nginx/1.2\"");
    assert_has(l, "\"res_content_type\":\"text/html; charset=utf-8\"");
    assert_has(l, "\"res_content_type_detected\":\"text/html\"");
    assert_has(l, "\"res_declared_length\":26");
    assert_has(l, "\"res_content_length\":26");
    assert_has(l, "\"req_declared_length\":-1");
    assert_has(l, "\"req_content_length\":0");
    assert_has(l, "\"res_timestamp\":3000");
    assert_has(l, "\"first_byte_after\":2000");
    assert_has(l, "\"done_after\":2000");
    assert_has(l, "\"parameters\":[{\"name\":\"q\",\"value\":\"a b\"},"
                  "{\"name\":\"lang\",\"value\":\"en\"}]");
    assert_has(l, "\"request_header_names\":[\"Host\",\"User-Agent\",\"Referer\",\"Accept\"]");
    assert_has(l, "\"response_header_names\":[\"Server\",\"Content-Type\",\"Content-Length\"]");
    assert_has(l, "{\"name\":\"Accept\",\"value\":\"*/*\"}");
    assert_has(l, "\"src_ip\":\"192.0.2.1\"");
    assert_has(l, "\"dst_port\":80");
    assert_has(l, "\"missed_bytes\":0");
    free(json);
}

static void test_keep_alive(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    for (int i = 0; i < 3; i++) {
        char rq[128], rs[128];
        snprintf(rq, sizeof(rq), "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
        snprintf(rs, sizeof(rs), "HTTP/1.1 20%d OK\r\nContent-Length: 3\r\n\r\nab%d", i, i);
        assert_true(feed(s, 0, rq, 1000 * (i + 1)));
        assert_true(feed(s, 1, rs, 1000 * (i + 1) + 500));
        assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), (uint64_t)i + 1);
    }
    char *json = finish(s, 9000);
    assert_int_equal(n_lines(json), 3);
    assert_has(line(json, 0), "\"timestamp\":1000,");
    assert_has(line(json, 0), "\"url\":\"/0\"");
    assert_has(line(json, 0), "\"status_code\":200");
    assert_has(line(json, 1), "\"timestamp\":2000,");
    assert_has(line(json, 1), "\"url\":\"/1\"");
    assert_has(line(json, 1), "\"status_code\":201");
    assert_has(line(json, 2), "\"timestamp\":3000,");
    assert_has(line(json, 2), "\"url\":\"/2\"");
    assert_has(line(json, 2), "\"status_code\":202");
    assert_has(line(json, 2), "\"first_byte_after\":500");
    assert_has(line(json, 2), "\"res_content_type_detected\":\"text/plain\"");
    free(json);
}

static void test_pipelined(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0,
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n",
            100));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 0);
    /* the HEAD response declares a length but carries no body */
    assert_true(feed(s, 1,
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nA!"
            "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
            "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nC",
            200));
    char *json = finish(s, 300);
    assert_int_equal(n_lines(json), 3);
    assert_has(line(json, 0), "\"url\":\"/a\"");
    assert_has(line(json, 0), "\"res_content_length\":2");
    assert_has(line(json, 1), "\"method\":\"HEAD\"");
    assert_has(line(json, 1), "\"res_declared_length\":5000");
    assert_has(line(json, 1), "\"res_content_length\":0");
    assert_has(line(json, 2), "\"url\":\"/c\"");
    assert_has(line(json, 2), "\"status_code\":404");
    assert_has(line(json, 2), "\"status_msg\":\"Not Found\"");
    free(json);
}

static void test_chunked_trailer(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n", 10));
    assert_true(feed(s, 1,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
            "5;ext=1\r\n{\"a\":\r\n",
            20));
    assert_true(feed(s, 1, "A\r\n1234567890\r\n0\r\nX-Sum: 42\r\n\r\n", 30));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 1);
    /* the framing held: the next exchange parses */
    assert_true(feed(s, 0, "GET /d HTTP/1.1\r\nHost: h\r\n\r\n", 40));
    assert_true(feed(s, 1, "HTTP/1.1 204 No Content\r\n\r\n", 50));
    char *json = finish(s, 60);
    assert_int_equal(n_lines(json), 2);
    const char *l = line(json, 0);
    assert_has(l, "\"res_content_length\":15");
    assert_has(l, "\"res_transfer_encoding\":\"chunked\"");
    assert_has(l, "\"res_content_type_detected\":\"application/json\"");
    assert_has(l, "{\"name\":\"X-Sum\",\"value\":\"42\"}");
    assert_has(l, "\"done_after\":20");
    assert_has(line(json, 1), "\"url\":\"/d\"");
    assert_has(line(json, 1), "\"status_code\":204");
    free(json);
}

static size_t gzip_bytes(const char *in, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)strlen(in);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static void test_gzip_html(void **state)
{
    NC_UNUSED(state);
    static char html[8192];
    size_t o =
            (size_t)snprintf(html, sizeof(html), "<!DOCTYPE html>\n<html><head><title>t</title>");
    for (int i = 0; o + 64 < sizeof(html); i++) {
        o += (size_t)snprintf(html + o, sizeof(html) - o, "<p>paragraph %d</p>\n", i * 7919);
    }
    static uint8_t gz[16384];
    size_t gn = gzip_bytes(html, gz, sizeof(gz));
    assert_true(gn > 600); /* more than the parser keeps for sniffing */
    char head[256];
    snprintf(head, sizeof(head),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
            "Content-Length: %zu\r\n\r\n",
            gn);
    struct nc_stream *s = nc_stream_test_new(&nc_parser_http, 0);
    assert_non_null(s);
    assert_true(feed(s, 0, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n", 1));
    assert_true(feed(s, 1, head, 2));
    for (size_t i = 0; i < gn; i += 100) {
        assert_true(feed_n(s, 1, gz + i, NC_MIN((size_t)100, gn - i), 3));
    }
    char *json = finish(s, 4);
    assert_int_equal(n_lines(json), 1);
    const char *l = line(json, 0);
    assert_has(l, "\"res_content_encoding\":\"gzip\"");
    assert_has(l, "\"res_content_type_detected\":\"text/html\"");
    char want[64];
    snprintf(want, sizeof(want), "\"res_content_length\":%zu,", gn);
    assert_has(l, want);
    free(json);
    /* without Content-Encoding the same bytes are a gzip file */
    s = open_stream();
    snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n", gn);
    assert_true(feed(s, 1, head, 2));
    assert_true(feed_n(s, 1, gz, gn, 3));
    json = finish(s, 4);
    assert_has(json, "\"res_content_type_detected\":\"application/gzip\"");
    free(json);
}

static void test_post_form(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    const char body[] = "user=al%20ice&pass=s3cr%3Dt&empty=&flag";
    char rq[512];
    snprintf(rq, sizeof(rq),
            "POST /login?next=%%2Fhome HTTP/1.1\r\nHost: h\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n",
            strlen(body));
    assert_true(feed(s, 0, rq, 5));
    assert_true(feed_n(s, 0, body, 10, 6));
    assert_true(feed(s, 0, body + 10, 7));
    assert_true(
            feed(s, 1, "HTTP/1.1 302 Found\r\nLocation: /home\r\nContent-Length: 0\r\n\r\n", 8));
    char *json = finish(s, 9);
    assert_int_equal(n_lines(json), 1);
    const char *l = line(json, 0);
    assert_has(l, "\"method\":\"POST\"");
    assert_has(l, "\"content_type\":\"application/x-www-form-urlencoded\"");
    assert_has(l, "\"parameters\":[{\"name\":\"next\",\"value\":\"/home\"},"
                  "{\"name\":\"user\",\"value\":\"al ice\"},"
                  "{\"name\":\"pass\",\"value\":\"s3cr=t\"},"
                  "{\"name\":\"empty\",\"value\":\"\"},"
                  "{\"name\":\"flag\",\"value\":\"\"}]");
    assert_has(l, "\"req_content_length\":39");
    assert_has(l, "\"req_declared_length\":39");
    assert_has(l, "\"content_type_detected\":\"text/plain\"");
    assert_has(l, "\"status_code\":302");
    assert_has(l, "\"timestamp\":5,");
    free(json);
}

static void test_cookies(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "GET / HTTP/1.1\r\nCookie: a=1; b = two ;c\r\n\r\n", 1));
    assert_true(feed(s, 1,
            "HTTP/1.1 200 OK\r\n"
            "Set-Cookie: sid=xyz; Path=/app; Domain=.example.com; "
            "Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=3600; Secure; HttpOnly; "
            "SameSite=Lax\r\n"
            "Set-Cookie: old=1; expires=Thu, 01-Jan-70 00:00:01 GMT; samesite=None\r\n"
            "Set-Cookie: bad=2; Expires=yesterday; Max-Age=-5; SameSite=Strict\r\n"
            "Content-Length: 0\r\n\r\n",
            2));
    char *json = finish(s, 3);
    const char *l = line(json, 0);
    assert_has(l, "\"req_cookies\":[{\"name\":\"a\",\"value\":\"1\"");
    assert_has(l, "{\"name\":\"b\",\"value\":\"two\"");
    assert_has(l, "{\"name\":\"c\",\"value\":\"\"");
    assert_has(l,
            "{\"name\":\"sid\",\"value\":\"xyz\",\"path\":\"/app\",\"domain\":\".example.com\","
            "\"expires\":1445412480,\"max_age\":3600,\"secure\":true,\"http_only\":true,"
            "\"same_site\":1}");
    assert_has(l, "{\"name\":\"old\",\"value\":\"1\",\"path\":\"\",\"domain\":\"\",\"expires\":1,"
                  "\"max_age\":0,\"secure\":false,\"http_only\":false,\"same_site\":3}");
    assert_has(l, "{\"name\":\"bad\",\"value\":\"2\",\"path\":\"\",\"domain\":\"\",\"expires\":0,"
                  "\"max_age\":-5,\"secure\":false,\"http_only\":false,\"same_site\":2}");
    free(json);
}

static void test_head_304(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n", 1));
    assert_true(feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 123456\r\n\r\n", 2));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 1);
    assert_true(feed(s, 0, "GET /x HTTP/1.1\r\nIf-None-Match: \"e\"\r\n\r\n", 3));
    assert_true(feed(
            s, 1, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: \"e\"\r\n\r\n", 4));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 2);
    assert_true(feed(s, 0, "GET /y HTTP/1.1\r\n\r\n", 5));
    assert_true(feed(
            s, 1, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz", 6));
    char *json = finish(s, 7);
    assert_int_equal(n_lines(json), 3);
    assert_has(line(json, 0), "\"method\":\"HEAD\"");
    assert_has(line(json, 0), "\"res_content_length\":0");
    assert_has(line(json, 0), "\"res_declared_length\":123456");
    assert_has(line(json, 1), "\"status_code\":304");
    assert_has(line(json, 1), "\"res_content_length\":0");
    assert_has(line(json, 2), "\"url\":\"/y\"");
    assert_has(line(json, 2), "\"status_code\":200");
    assert_has(line(json, 2), "\"res_content_length\":1");
    free(json);
}

static void test_unanswered(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 10));
    assert_true(feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 20));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 1);
    char *json = finish(s, 30);
    assert_int_equal(n_lines(json), 2);
    assert_has(line(json, 1), "\"url\":\"/2\"");
    assert_has(line(json, 1), "\"timestamp\":10,");
    assert_has(line(json, 1), "\"status_code\":0");
    assert_has(line(json, 1), "\"res_timestamp\":0");
    assert_has(line(json, 1), "\"res_declared_length\":-1");
    free(json);
}

static void test_response_only(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 1, "HTTP/1.0 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope", 77));
    char *json = finish(s, 99);
    assert_int_equal(n_lines(json), 1);
    const char *l = line(json, 0);
    assert_has(l, "\"timestamp\":77,");
    assert_has(l, "\"res_timestamp\":77");
    assert_has(l, "\"method\":\"\"");
    assert_has(l, "\"status_code\":403");
    assert_has(l, "\"res_proto\":\"HTTP/1.0\"");
    assert_has(l, "\"src_ip\":\"192.0.2.1\""); /* src is the client even so */
    free(json);
}

static void test_until_close(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "GET /stream HTTP/1.0\r\n\r\n", 100));
    assert_true(
            feed(s, 1, "HTTP/1.0 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n", 200));
    assert_true(feed(s, 1, "more bytes", 300));
    /* looks like a status line, but it is body */
    assert_true(feed(s, 1, "\r\nHTTP/1.1 200 OK\r\n\r\n", 400));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 0);
    char *json = finish(s, 500);
    assert_int_equal(n_lines(json), 1);
    const char *l = line(json, 0);
    assert_has(l, "\"res_content_type_detected\":\"image/png\"");
    assert_has(l, "\"res_content_length\":39");
    assert_has(l, "\"done_after\":400");
    free(json);
}

static void test_fifo_overflow(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    for (int i = 0; i < 20; i++) {
        char rq[64];
        snprintf(rq, sizeof(rq), "GET /%d HTTP/1.1\r\n\r\n", i);
        assert_true(feed(s, 0, rq, i));
    }
    /* 16 queued: the 4 oldest were written unanswered */
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 4);
    assert_true(feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 100));
    char *json = finish(s, 200);
    assert_int_equal(n_lines(json), 20);
    for (size_t i = 0; i < 20; i++) {
        char want[32];
        snprintf(want, sizeof(want), "\"url\":\"/%zu\"", i);
        assert_has(line(json, i), want);
    }
    assert_has(line(json, 3), "\"status_code\":0");
    assert_has(line(json, 4), "\"status_code\":200");
    assert_has(line(json, 5), "\"status_code\":0");
    free(json);
}

static void test_connect_upgrade(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 1));
    assert_false(feed(s, 1, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", 2));
    char *json = finish(s, 3);
    assert_int_equal(n_lines(json), 1);
    assert_has(json, "\"method\":\"CONNECT\"");
    assert_has(json, "\"url\":\"example.com:443\"");
    free(json);

    s = open_stream();
    assert_true(
            feed(s, 0, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 1));
    assert_true(feed(s, 0, "GET /2 HTTP/1.1\r\n\r\n", 1));
    assert_false(feed(
            s, 1, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05", 2));
    json = finish(s, 3);
    assert_int_equal(n_lines(json), 2);
    assert_has(line(json, 0), "\"status_code\":101");
    assert_has(line(json, 1), "\"url\":\"/2\"");
    free(json);
}

/* Through a proxy: after a 2xx to CONNECT the tunnel's bytes are probed
 * again, so TLS inside gives its hellos (RFC 9110 9.3.6). The client's
 * ClientHello may come before the answer: it waits, it is not HTTP. */
static void test_connect_tunnel_tls(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = nc_stream_test_new(NULL, 0);
    assert_non_null(s);
    assert_true(feed(s, 0, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 1));
    assert_true(feed_n(s, 0, zeek_ch, 100, 2)); /* early, and cut: the rest follows */
    assert_true(feed(s, 1, "HTTP/1.1 200 Connection established\r\n\r\n", 3));
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 1);
    assert_true(feed_n(s, 0, zeek_ch + 100, sizeof(zeek_ch) - 100, 4));
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSClientHello), 1);
    feed_n(s, 1, zeek_sh, sizeof(zeek_sh), 5);
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSServerHello), 1);
    char *json = finish(s, 6);
    assert_has(json, "\"method\":\"CONNECT\"");
    assert_has(json, "\"status_code\":200");
    assert_has(json, "\"ja3\":");
    assert_has(json, "\"ja3s\":");
    free(json);

    /* refused (407): the client's next request is HTTP again; in one
     * segment with the answer, the tunnel's first bytes are probed too */
    s = nc_stream_test_new(NULL, 0);
    assert_non_null(s);
    assert_true(feed(s, 0, "CONNECT example.com:443 HTTP/1.1\r\n\r\n", 1));
    assert_true(feed(
            s, 1, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", 2));
    assert_true(feed(s, 0,
            "CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n", 3));
    static const char ok[] = "HTTP/1.1 200 OK\r\n\r\n";
    uint8_t both[sizeof(ok) - 1 + sizeof(zeek_sh)];
    memcpy(both, ok, sizeof(ok) - 1);
    memcpy(both + sizeof(ok) - 1, zeek_sh, sizeof(zeek_sh));
    feed_n(s, 1, both, sizeof(both), 4); /* TLS then has nothing more to learn */
    assert_int_equal(nc_stream_test_count(s, NC_REC_HTTP), 2);
    assert_int_equal(nc_stream_test_count(s, NC_REC_TLSServerHello), 1);
    json = finish(s, 5);
    assert_has(json, "\"status_code\":407");
    assert_has(json, "\"status_code\":200");
    free(json);
}

static void test_gap_in_body(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, "GET /a HTTP/1.1\r\n\r\n", 1));
    assert_true(feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 2));
    assert_true(nc_stream_test_gap(s, 1, 50, 3));
    assert_true(feed_n(s, 1, "0123456789012345678901234567890123456789", 40, 4));
    assert_true(feed(s, 0, "GET /b HTTP/1.1\r\n\r\n", 5));
    assert_true(feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 6));
    char *json = finish(s, 7);
    assert_int_equal(n_lines(json), 2);
    assert_has(line(json, 0), "\"res_content_length\":50");
    assert_has(line(json, 0), "\"missed_bytes\":50");
    assert_has(line(json, 1), "\"url\":\"/b\"");
    assert_has(line(json, 1), "\"status_code\":200");
    assert_has(line(json, 1), "\"missed_bytes\":0");
    free(json);
}

static void test_gap_in_head(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(
            feed(s, 0, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n", 1));
    assert_true(feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Le", 2));
    /* the rest of response /a and most of /b are lost */
    assert_true(nc_stream_test_gap(s, 1, 70, 3));
    assert_true(
            feed(s, 1, "ength: 3\r\n\r\nabcHTTP/1.1 201 Third\r\nContent-Length: 0\r\n\r\n", 4));
    char *json = finish(s, 5);
    assert_int_equal(n_lines(json), 3);
    assert_has(line(json, 0), "\"url\":\"/a\"");
    assert_has(line(json, 0), "\"status_code\":0");
    assert_has(line(json, 0), "\"missed_bytes\":70");
    assert_has(line(json, 1), "\"url\":\"/b\"");
    assert_has(line(json, 1), "\"status_code\":201"); /* the resync cannot know /b's was lost */
    assert_has(line(json, 2), "\"url\":\"/c\"");
    free(json);

    /* a gap between messages: the lost response answered the oldest request */
    s = open_stream();
    assert_true(feed(s, 0, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", 1));
    assert_true(nc_stream_test_gap(s, 1, 40, 2));
    assert_true(feed(s, 1, "HTTP/1.1 202 B\r\nContent-Length: 0\r\n\r\n", 3));
    json = finish(s, 4);
    assert_int_equal(n_lines(json), 2);
    assert_has(line(json, 0), "\"url\":\"/a\"");
    assert_has(line(json, 0), "\"status_code\":0");
    assert_has(line(json, 1), "\"url\":\"/b\"");
    assert_has(line(json, 1), "\"status_code\":202");
    free(json);
}

static void test_folding_and_limits(void **state)
{
    NC_UNUSED(state);
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0,
            "\r\nGET http://proxy.example/p?x=1#frag HTTP/1.0\r\n"
            "X-Long: part one\r\n\tpart two\r\n"
            "NoColonLine\r\n"
            "User-Agent: ua\r\n\r\n",
            1));
    static char big[40000];
    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "X-Big: ", 7);
    assert_true(feed(s, 0, "GET /huge HTTP/1.1\r\n", 2));
    /* an oversized head is skipped, the next request is found */
    assert_true(feed(s, 0, big, 3));
    assert_true(feed(s, 0, "\r\n\r\nGET /after HTTP/1.1\r\n\r\n", 4));
    char *json = finish(s, 5);
    assert_int_equal(n_lines(json), 2);
    const char *l = line(json, 0);
    assert_has(l, "{\"name\":\"X-Long\",\"value\":\"part one part two\"}");
    assert_has(l, "\"host\":\"proxy.example\"");
    assert_has(l, "\"uri_path\":\"http://proxy.example/p\"");
    assert_has(l, "\"parameters\":[{\"name\":\"x\",\"value\":\"1\"}]");
    assert_has(l, "\"user_agent\":\"ua\"");
    assert_has(l, "\"proto\":\"HTTP/1.0\"");
    assert_hasnt(l, "NoColonLine");
    assert_has(line(json, 1), "\"url\":\"/after\"");
    free(json);
}

static void test_probe(void **state)
{
    NC_UNUSED(state);
    const struct nc_parser *p = &nc_parser_http;
    const char *yes0[] = { "GET / HTTP/1.1\r\n", "POST /x HTTP/1.0\n", "PROPFIND /d HTTP/1.1\r\n" };
    for (size_t i = 0; i < NC_ARRAY_LEN(yes0); i++) {
        assert_int_equal(
                p->probe((const uint8_t *)yes0[i], strlen(yes0[i]), 0, false), NC_PROBE_YES);
    }
    const char *more0[] = { "", "G", "GE", "GET", "GET ", "GET /", "GET / HTTP/1.",
        "GET / HTTP/1.1" };
    for (size_t i = 0; i < NC_ARRAY_LEN(more0); i++) {
        assert_int_equal(
                p->probe((const uint8_t *)more0[i], strlen(more0[i]), 0, true), NC_PROBE_MORE);
    }
    const char *no0[] = { "\x16\x03\x01", "GETX / HTTP/1.1\r\n", "FOO / HTTP/1.1\r\n",
        "GET / RTSP/1.0\r\n", "OPTIONS rtsp://x RTSP/1.0\r\n", "GET /\r\n", "SSH-2.0-x\r\n" };
    for (size_t i = 0; i < NC_ARRAY_LEN(no0); i++) {
        assert_int_equal(p->probe((const uint8_t *)no0[i], strlen(no0[i]), 0, true), NC_PROBE_NO);
    }
    char longreq[300] = "GET /";
    memset(longreq + 5, 'a', sizeof(longreq) - 6);
    assert_int_equal(p->probe((const uint8_t *)longreq, 256, 0, false), NC_PROBE_YES);
    assert_int_equal(p->probe((const uint8_t *)"HTTP/1.1 200 OK\r\n", 17, 1, false), NC_PROBE_YES);
    assert_int_equal(p->probe((const uint8_t *)"HTTP/1.", 7, 1, false), NC_PROBE_MORE);
    assert_int_equal(p->probe((const uint8_t *)"HTTP/2 200", 10, 1, false), NC_PROBE_NO);
    assert_int_equal(p->probe((const uint8_t *)"SSH-2.0", 7, 1, false), NC_PROBE_NO);
}

/* the same exchanges cut at every point give the same records */
static void test_split_points(void **state)
{
    NC_UNUSED(state);
    const char *req =
            "POST /f?a=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n3\r\nb=2\r\n0\r\n\r\n"
            "GET /g HTTP/1.1\r\nCookie: k=v\r\n\r\n";
    const char *res =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<htm\r\n2\r\nl>\r\n"
            "0\r\nT: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
            "Set-Cookie: z=1; Path=/\r\n\r\nhello";
    struct nc_stream *s = open_stream();
    assert_true(feed(s, 0, req, 1));
    assert_true(feed(s, 1, res, 2));
    char *ref = finish(s, 3);
    assert_int_equal(n_lines(ref), 2);
    assert_has(line(ref, 0),
            "\"parameters\":[{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"b\",\"value\":\"2\"}]");
    assert_has(line(ref, 0), "\"res_content_type_detected\":\"text/html\"");
    size_t rn = strlen(req), sn = strlen(res);
    for (size_t cut = 1; cut < rn + sn; cut++) {
        s = open_stream();
        /* request bytes up to cut (in two pieces), then response in two pieces */
        size_t c0 = NC_MIN(cut, rn);
        feed_n(s, 0, req, c0, 1);
        feed_n(s, 0, req + c0, rn - c0, 1);
        size_t c1 = cut > rn ? cut - rn : sn / 2;
        feed_n(s, 1, res, c1, 2);
        feed_n(s, 1, res + c1, sn - c1, 2);
        char *json = finish(s, 3);
        assert_string_equal(json, ref);
        free(json);
    }
    /* byte by byte */
    s = open_stream();
    for (size_t i = 0; i < rn; i++) {
        feed_n(s, 0, req + i, 1, 1);
    }
    for (size_t i = 0; i < sn; i++) {
        feed_n(s, 1, res + i, 1, 2);
    }
    char *json = finish(s, 3);
    assert_string_equal(json, ref);
    free(json);
    free(ref);
}

/* a large head (and a long chunk line) in 1-byte pieces: parsed, and in
 * linear time (each piece does not rescan what was held) */
static void test_slow_head(void **state)
{
    NC_UNUSED(state);
    static char rq[24000];
    size_t o = (size_t)snprintf(rq, sizeof(rq), "GET /%0*d HTTP/1.1\r\nX-Pad: ", 8000, 7);
    memset(rq + o, 'p', sizeof(rq) - o - 4);
    memcpy(rq + sizeof(rq) - 4, "\r\n\r\n", 4);
    static char rs[4000]; /* a chunk line under HTTP_MAX_CHUNK_LINE */
    o = (size_t)snprintf(rs, sizeof(rs), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    memset(rs + o, 'e', sizeof(rs) - o - 10);
    memcpy(rs + sizeof(rs) - 10, "\r\nx\r\n0\r\n\r\n", 10);
    struct nc_stream *s = open_stream();
    for (size_t i = 0; i < sizeof(rq); i++) {
        assert_true(nc_stream_test_feed(s, 0, rq + i, 1, 1));
    }
    for (size_t i = 0; i < sizeof(rs); i++) {
        assert_true(nc_stream_test_feed(s, 1, rs + i, 1, 2));
    }
    char *json = finish(s, 3);
    assert_int_equal(n_lines(json), 1);
    assert_has(json, "\"status_code\":200");
    assert_has(json, "\"res_content_length\":1");
    assert_has(json, "{\"name\":\"X-Pad\",\"value\":\"pppp");
    free(json);
}

static uint32_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_garbage(void **state)
{
    NC_UNUSED(state);
    static const char *const pieces[] = { "GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n",
        "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n", "\r\n", "ffffffffffffffff\r\n",
        "5\r\n", "Content-Encoding: gzip\r\n", "\x1f\x8b\x08", "Set-Cookie: a=b; Expires=x\r\n",
        "\n", " folded\r\n", "HEAD /x HTTP/1.0\r\n", "0\r\n\r\n", "\x00\xff", "%zz&=&" };
    for (uint32_t seed = 1; seed <= 300; seed++) {
        rng_state = seed;
        struct nc_stream *s = open_stream();
        for (int k = 0; k < 60; k++) {
            uint8_t buf[256];
            size_t n = 0;
            if (rnd() % 3 == 0) {
                n = rnd() % sizeof(buf);
                for (size_t i = 0; i < n; i++) {
                    buf[i] = (uint8_t)rnd();
                }
            } else {
                const char *pc = pieces[rnd() % NC_ARRAY_LEN(pieces)];
                n = strlen(pc) ? strlen(pc) : 1;
                memcpy(buf, pc, n);
            }
            int dir = (int)(rnd() & 1);
            if (rnd() % 17 == 0) {
                nc_stream_test_gap(s, dir, rnd() % 100 + 1, k);
            } else {
                feed_n(s, dir, buf, n, k);
            }
        }
        free(finish(s, 1000));
    }
}

static void test_budget(void **state)
{
    NC_UNUSED(state);
    /* memory refused at every point: what was seen is still written
     * (degraded records), nothing leaks, every budget byte comes back */
    int degraded = 0;
    for (uint64_t cap = 250; cap < 12000; cap += 125) {
        struct nc_stream *s = nc_stream_test_new(&nc_parser_http, cap);
        if (!s) {
            continue;
        }
        bool ok = feed(s, 0, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\n\r\n", 1);
        ok = feed(s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n", 2) && ok;
        static char body[600];
        memset(body, 'x', sizeof(body));
        ok = feed_n(s, 1, body, sizeof(body), 3) && ok;
        ok = feed(s, 1,
                     "HTTP/1.1 201 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nA: "
                     "b\r\n\r\n",
                     4) &&
             ok;
        char *json = finish(s, 5);
        if (ok) {
            assert_has(json, "\"url\":\"/a\"");
            assert_has(json, "\"url\":\"/b\"");
            assert_has(json, "\"status_code\":200");
            assert_has(json, "\"status_code\":201");
            degraded += n_lines(json) > 2;
        }
        free(json);
    }
    assert_true(degraded > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_chunked_trailer),
        cmocka_unit_test(test_gzip_html),
        cmocka_unit_test(test_post_form),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_head_304),
        cmocka_unit_test(test_unanswered),
        cmocka_unit_test(test_response_only),
        cmocka_unit_test(test_until_close),
        cmocka_unit_test(test_fifo_overflow),
        cmocka_unit_test(test_connect_upgrade),
        cmocka_unit_test(test_connect_tunnel_tls),
        cmocka_unit_test(test_gap_in_body),
        cmocka_unit_test(test_gap_in_head),
        cmocka_unit_test(test_folding_and_limits),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_split_points),
        cmocka_unit_test(test_slow_head),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
