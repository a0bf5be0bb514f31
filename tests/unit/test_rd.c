/*
 * Unit tests of the bounds-checked reader (src/core/rd.[ch]): every read
 * either stays inside the window or poisons the reader; errors are sticky
 * and keep their first cause; sub-readers cannot see past their length.
 * Each test buffer is malloc'ed at its exact size so ASan catches a
 * one-byte over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rd.h"

static uint8_t *exact(const void *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    if (n) {
        memcpy(b, p, n);
    }
    return b;
}

static void test_fixed_width_reads_are_big_and_little_endian(void **state)
{
    (void)state;
    static const uint8_t src[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
    uint8_t *b = exact(src, sizeof(src));
    struct nc_rd r = nc_rd_make(b, sizeof(src));
    assert_int_equal(nc_rd_u8(&r), 0x01);
    assert_int_equal(nc_rd_be16(&r), 0x0203);
    assert_int_equal(nc_rd_be24(&r), 0x040506);
    assert_int_equal(nc_rd_le16(&r), 0x0807);
    assert_true(nc_rd_ok(&r));
    assert_int_equal(nc_rd_left(&r), 0);
    r = nc_rd_make(b, sizeof(src));
    assert_true(nc_rd_be64(&r) == 0x0102030405060708ULL);
    r = nc_rd_make(b, sizeof(src));
    assert_true(nc_rd_le64(&r) == 0x0807060504030201ULL);
    r = nc_rd_make(b, sizeof(src));
    assert_int_equal(nc_rd_be32(&r), 0x01020304);
    assert_int_equal(nc_rd_le32(&r), 0x08070605);
    free(b);
}

/* Each fixed read at every offset near the end: never past the window. */
static void test_short_reads_poison_and_return_zero(void **state)
{
    (void)state;
    static const uint8_t src[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    for (size_t n = 0; n <= sizeof(src); n++) {
        uint8_t *b = exact(src, n);
        struct nc_rd r = nc_rd_make(b, n);
        uint64_t v = nc_rd_be64(&r);
        if (n < 8) {
            assert_true(v == 0 || !nc_rd_ok(&r));
            assert_int_equal(r.err, NC_ETRUNC);
            assert_int_equal(nc_rd_left(&r), 0);
            /* sticky: later reads fail too, even ones that would fit */
            r.off = 0;
            assert_int_equal(nc_rd_u8(&r), 0);
            assert_int_equal(r.err, NC_ETRUNC);
        }
        r = nc_rd_make(b, n);
        uint32_t w = nc_rd_be32(&r);
        assert_int_equal(nc_rd_ok(&r), n >= 4);
        if (n < 4) {
            assert_int_equal(w, 0);
        }
        r = nc_rd_make(b, n);
        (void)nc_rd_le16(&r);
        assert_int_equal(nc_rd_ok(&r), n >= 2);
        r = nc_rd_make(b, n);
        (void)nc_rd_be24(&r);
        assert_int_equal(nc_rd_ok(&r), n >= 3);
        free(b);
    }
}

static void test_first_error_is_kept(void **state)
{
    (void)state;
    static const uint8_t src[] = { 'X', 'Y' };
    uint8_t *b = exact(src, 2);
    struct nc_rd r = nc_rd_make(b, 2);
    assert_false(nc_rd_expect(&r, "AB", 2));
    assert_int_equal(r.err, NC_EMALFORMED);
    (void)nc_rd_be32(&r);
    assert_int_equal(r.err, NC_EMALFORMED);
    r = nc_rd_make(b, 2);
    assert_true(nc_rd_expect(&r, "XY", 2));
    assert_false(nc_rd_expect(&r, "Z", 1));
    assert_int_equal(r.err, NC_ETRUNC);
    free(b);
}

static void test_sub_reader_is_bounded(void **state)
{
    (void)state;
    static const uint8_t src[] = { 3, 'a', 'b', 'c', 0x7f };
    uint8_t *b = exact(src, sizeof(src));
    struct nc_rd r = nc_rd_make(b, sizeof(src));
    uint8_t n = nc_rd_u8(&r);
    struct nc_rd sub = nc_rd_sub(&r, n);
    assert_true(nc_rd_ok(&r));
    assert_int_equal(nc_rd_left(&sub), 3);
    struct nc_span s = nc_rd_span(&sub, 3);
    assert_memory_equal(s.p, "abc", 3);
    (void)nc_rd_u8(&sub); /* past the child's end: child poisoned... */
    assert_false(nc_rd_ok(&sub));
    assert_true(nc_rd_ok(&r)); /* ...parent untouched */
    assert_int_equal(nc_rd_u8(&r), 0x7f);
    /* a length beyond what is left poisons both */
    r = nc_rd_make(b, sizeof(src));
    struct nc_rd big = nc_rd_sub(&r, 100);
    assert_false(nc_rd_ok(&r));
    assert_false(nc_rd_ok(&big));
    assert_int_equal(nc_rd_left(&big), 0);
    free(b);
}

static void test_span_copy_skip_rest_and_peek(void **state)
{
    (void)state;
    static const uint8_t src[] = { 1, 2, 3, 4 };
    uint8_t *b = exact(src, 4);
    struct nc_rd r = nc_rd_make(b, 4);
    assert_int_equal(nc_rd_peek(&r, 3), 4);
    assert_int_equal(nc_rd_peek(&r, 4), 0);
    nc_rd_skip(&r, 1);
    uint8_t out[2];
    assert_true(nc_rd_copy(&r, out, 2));
    assert_int_equal(out[0], 2);
    struct nc_span rest = nc_rd_rest(&r);
    assert_int_equal(rest.len, 1);
    assert_true(nc_rd_ok(&r));
    uint8_t big[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
    assert_false(nc_rd_copy(&r, big, 8));
    assert_int_equal(big[0], 0); /* zeroed on failure */
    struct nc_span none = nc_rd_span(&r, 1);
    assert_null(none.p);
    assert_false(nc_rd_has_prefix(&r, "", 0));
    nc_rd_skip(&r, 1);
    free(b);
    /* empty and NULL windows */
    struct nc_rd z = nc_rd_make(NULL, 10);
    assert_int_equal(nc_rd_left(&z), 0);
    assert_int_equal(nc_rd_u8(&z), 0);
    assert_false(nc_rd_ok(&z));
}

static void test_at_positions_inside_the_window_only(void **state)
{
    (void)state;
    static const uint8_t src[] = { 0xaa, 0xbb, 0xcc };
    uint8_t *b = exact(src, 3);
    struct nc_rd msg = nc_rd_make(b, 3);
    struct nc_rd a = nc_rd_at(&msg, 2);
    assert_int_equal(nc_rd_u8(&a), 0xcc);
    a = nc_rd_at(&msg, 3);
    assert_true(nc_rd_ok(&a));
    assert_int_equal(nc_rd_u8(&a), 0);
    a = nc_rd_at(&msg, 4);
    assert_int_equal(a.err, NC_EMALFORMED);
    free(b);
}

static void test_lines_need_a_terminator_within_max(void **state)
{
    (void)state;
    static const char src[] = "SSH-2.0-x\r\nsecond\nno-end";
    uint8_t *b = exact(src, sizeof(src) - 1);
    struct nc_rd r = nc_rd_make(b, sizeof(src) - 1);
    struct nc_span line;
    assert_int_equal(nc_rd_line(&r, &line, 64), NC_OK);
    assert_int_equal(line.len, 9);
    assert_memory_equal(line.p, "SSH-2.0-x", 9);
    assert_int_equal(nc_rd_line(&r, &line, 64), NC_OK);
    assert_int_equal(line.len, 6);
    size_t off = r.off;
    assert_int_equal(nc_rd_line(&r, &line, 64), NC_EAGAIN);
    assert_int_equal(r.off, off); /* look-ahead: unchanged, not poisoned */
    assert_true(nc_rd_ok(&r));
    assert_int_equal(nc_rd_line(&r, &line, 3), NC_ELIMIT);
    assert_true(nc_rd_ok(&r));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_width_reads_are_big_and_little_endian),
        cmocka_unit_test(test_short_reads_poison_and_return_zero),
        cmocka_unit_test(test_first_error_is_kept),
        cmocka_unit_test(test_sub_reader_is_bounded),
        cmocka_unit_test(test_span_copy_skip_rest_and_peek),
        cmocka_unit_test(test_at_positions_inside_the_window_only),
        cmocka_unit_test(test_lines_need_a_terminator_within_max),
    };
    return cmocka_run_group_tests_name("rd", tests, NULL, NULL);
}
