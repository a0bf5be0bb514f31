/*
 * Unit tests of the address formatters (src/core/str.c) against the C
 * library: nc_fmt_ip4/ip6 against inet_ntop, nc_fmt_mac/hwaddr against
 * snprintf("%02x"), every octet value in every position; nc_utf8_valid
 * against a byte-by-byte reference.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/str.h"

/* a fixed xorshift, so failures reproduce */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static void check_ip4(const uint8_t ip[4])
{
    char want[INET_ADDRSTRLEN], got[NC_IP4_STRLEN];
    assert_non_null(inet_ntop(AF_INET, ip, want, sizeof(want)));
    size_t n = nc_fmt_ip4(got, ip);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

static void test_ip4_matches_inet_ntop(void **state)
{
    (void)state;
    for (unsigned pos = 0; pos < 4; pos++) {
        for (unsigned v = 0; v < 256; v++) {
            uint8_t ip[4] = { 1, 22, 133, 255 };
            ip[pos] = (uint8_t)v;
            check_ip4(ip);
        }
    }
    for (int i = 0; i < 100000; i++) {
        uint32_t r = rnd();
        uint8_t ip[4] = { (uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24) };
        check_ip4(ip);
    }
}

static void check_ip6(const uint8_t ip[16])
{
    char want[INET6_ADDRSTRLEN], got[NC_IP6_STRLEN];
    assert_non_null(inet_ntop(AF_INET6, ip, want, sizeof(want)));
    size_t n = nc_fmt_ip6(got, ip);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

static void test_ip6_matches_inet_ntop(void **state)
{
    (void)state;
    for (int i = 0; i < 100000; i++) {
        uint8_t ip[16];
        /* words zero, small or random, so zero runs of every length occur */
        for (int w = 0; w < 8; w++) {
            uint32_t r = rnd();
            unsigned kind = r & 3;
            unsigned v = kind == 0 ? 0 : kind == 1 ? (r >> 8) & 0xff : (r >> 8) & 0xffff;
            ip[2 * w] = (uint8_t)(v >> 8);
            ip[2 * w + 1] = (uint8_t)v;
        }
        check_ip6(ip);
        /* IPv4-mapped and IPv4-compatible forms of the same tail */
        memset(ip, 0, 10);
        ip[10] = ip[11] = 0xff;
        check_ip6(ip);
        ip[10] = ip[11] = 0;
        check_ip6(ip);
    }
}

static void test_mac_and_hwaddr_match_snprintf(void **state)
{
    (void)state;
    for (unsigned pos = 0; pos < 6; pos++) {
        for (unsigned v = 0; v < 256; v++) {
            uint8_t mac[6] = { 0x00, 0x1b, 0xa9, 0xf0, 0x0f, 0xff };
            mac[pos] = (uint8_t)v;
            char want[32], got[NC_MAC_STRLEN];
            snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                    mac[3], mac[4], mac[5]);
            assert_int_equal(nc_fmt_mac(got, mac), 17);
            assert_string_equal(got, want);
            char hw[3 * 6];
            assert_int_equal(nc_fmt_hwaddr(hw, mac, 6), 17);
            assert_string_equal(hw, want);
        }
    }
    uint8_t p[8] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04 };
    char hw[3 * 8];
    assert_int_equal(nc_fmt_hwaddr(hw, p, 0), 0);
    assert_string_equal(hw, "");
    assert_int_equal(nc_fmt_hwaddr(hw, p, 1), 2);
    assert_string_equal(hw, "de");
    assert_int_equal(nc_fmt_hwaddr(hw, p, 8), 23);
    assert_string_equal(hw, "de:ad:be:ef:01:02:03:04");
}

/* Reference UTF-8 check, byte by byte (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static bool ref_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2, cp = c & 0x1fu, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3, cp = c & 0x0fu, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len) {
            return false;
        }
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (p[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += len;
    }
    return true;
}

/* Mostly-ASCII text with multi-byte sequences (valid, cut or broken) at
 * every offset, so the 8-bytes-at-a-time ASCII path meets them everywhere. */
static void test_utf8_valid_matches_reference(void **state)
{
    (void)state;
    static const char *const seqs[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3",
        "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\xff", "\x80" };
    uint8_t buf[64];
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = rnd() % sizeof(buf);
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)(0x20 + rnd() % 0x5f);
        }
        for (unsigned k = rnd() % 3; k > 0 && n > 0; k--) {
            const char *q = seqs[rnd() % NC_ARRAY_LEN(seqs)];
            size_t at = rnd() % n, l = strlen(q);
            memcpy(buf + at, q, NC_MIN(l, n - at));
        }
        assert_int_equal(nc_utf8_valid(buf, n), ref_utf8_valid(buf, n));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip4_matches_inet_ntop),
        cmocka_unit_test(test_ip6_matches_inet_ntop),
        cmocka_unit_test(test_mac_and_hwaddr_match_snprintf),
        cmocka_unit_test(test_utf8_valid_matches_reference),
    };
    return cmocka_run_group_tests_name("str", tests, NULL, NULL);
}
