/*
 * Unit tests of the parts of `netcap util` that are pure functions: the
 * Netcap (Go) header detection (src/record/ncgo.c) on our own headers and on
 * Netcap-shaped ones. The time parser and formatters that util time and
 * util stats use are tested in test_timefmt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dbuf.h"
#include "record/encode.h"
#include "record/ncgo.h"
#include "record/record.h"

/* ---------------------------------------------------------- Netcap (Go) */

static size_t pb_varint(uint8_t *p, uint64_t v)
{
    return nc_varint_put(p, v);
}

static size_t pb_str(uint8_t *p, unsigned field, const char *s)
{
    size_t n = pb_varint(p, field << 3 | 2);
    n += pb_varint(p + n, strlen(s));
    memcpy(p + n, s, strlen(s));
    return n + strlen(s);
}

static size_t pb_num(uint8_t *p, unsigned field, uint64_t v)
{
    size_t n = pb_varint(p, field << 3);
    return n + pb_varint(p + n, v);
}

static void test_netcap_go_headers_are_recognised(void **state)
{
    (void)state;
    uint8_t h[256];
    char msg[NC_ERRBUF_SIZE] = "";
    size_t n = pb_str(h, 1, "2020-01-02 15:04:05 +0000 UTC");
    n += pb_str(h + n, 2, "in.pcap");
    n += pb_num(h + n, 3, 17);
    n += pb_str(h + n, 4, "v0.5.13");
    n += pb_num(h + n, 5, 1);
    assert_true(nc_ncgo_header(h, n, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "Netcap, the Go tool (v0.5.13, input \"in.pcap\")"));
    assert_non_null(strstr(msg, "netcap capture"));
    /* only Version betrays it (Created empty, ContainsPayloads false) */
    n = pb_str(h, 2, "x\x1b[2J");
    n += pb_num(h + n, 3, 41);
    n += pb_str(h + n, 4, "v0.6.0");
    assert_true(nc_ncgo_header(h, n, msg, sizeof(msg)));
    assert_null(strchr(msg, '\x1b')); /* control bytes never reach the terminal */
    /* a Netcap-like header that also has our fields is ours */
    n += pb_num(h + n, 6, 1);
    assert_false(nc_ncgo_header(h, n, msg, sizeof(msg)));
    /* malformed bytes are not a Netcap header (the caller reports them) */
    static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };
    assert_false(nc_ncgo_header(junk, sizeof(junk), msg, sizeof(msg)));
    assert_false(nc_ncgo_header(h, 0, msg, sizeof(msg)));
}

static void test_our_headers_are_not_netcap_go(void **state)
{
    (void)state;
    nc_record_init();
    static char version[] = "v1.2.3", source[] = "in.pcap", name[] = "DNS", opts[] = "-payload";
    Netcap__Header hdr = NETCAP__HEADER__INIT;
    hdr.version = version; /* even a Version like Netcap's */
    hdr.input_source = source;
    hdr.type = NETCAP__TYPE__NC_DNS;
    hdr.type_name = name;
    hdr.schema_version = NC_SCHEMA_VERSION;
    hdr.options = opts;
    for (int created = 0; created < 2; created++) {
        hdr.created = created ? 1700000000000000000LL : 0;
        struct nc_dbuf b;
        nc_dbuf_init(&b, 1 << 20);
        assert_int_equal(nc_encode_delimited(&b, &hdr.base), NC_OK);
        uint64_t len;
        size_t used;
        assert_int_equal(nc_varint_get(b.p, b.len, &len, &used), NC_OK);
        char msg[NC_ERRBUF_SIZE] = "untouched";
        assert_false(nc_ncgo_header(b.p + used, (size_t)len, msg, sizeof(msg)));
        assert_string_equal(msg, "untouched");
        nc_dbuf_fini(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netcap_go_headers_are_recognised),
        cmocka_unit_test(test_our_headers_are_not_netcap_go),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
