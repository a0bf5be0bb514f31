/*
 * Unit tests of sealed batches (sensor/envelope.c): a batch round-trips;
 * a wrong recipient key, a wrong sender key and any flipped byte fail
 * authentication; every truncation of a plaintext is refused; names that
 * could escape a directory are refused; key files refuse loose modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/dbuf.h"
#include "record/record.h"
#include "sensor/envelope.h"
#include "sensor/seqwin.h"

static uint8_t apk[32], ask[32], cpk[32], csk[32];

static int setup(void **state)
{
    (void)state;
    nc_record_init();
    assert_int_equal(nc_sodium_init(), NC_OK);
    crypto_box_keypair(apk, ask);
    crypto_box_keypair(cpk, csk);
    return 0;
}

static void make_batch(struct nc_batch *b, const uint8_t *data, size_t n)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->sensor, sizeof(b->sensor), "honeypot-1");
    snprintf(b->name, sizeof(b->name), "DNS.ncap.zst");
    b->run = 0x0123456789abcdefULL;
    b->seq = 42;
    b->hdr = (const uint8_t *)"HDR";
    b->hdr_len = 3;
    b->data = data;
    b->data_len = n;
}

static int open_all(const uint8_t *msg, size_t n, const uint8_t *sk, struct nc_batch *out,
        uint8_t *plain, size_t cap)
{
    struct nc_env env;
    int rc = nc_env_parse(msg, n, &env);
    if (rc != NC_OK) {
        return rc;
    }
    size_t pl = 0;
    rc = nc_env_open(&env, sk, plain, cap, &pl);
    if (rc != NC_OK) {
        return rc;
    }
    return nc_batch_decode(plain, pl, out);
}

static void test_roundtrip(void **state)
{
    (void)state;
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7);
    }
    struct nc_batch b, o;
    make_batch(&b, data, sizeof(data));
    struct nc_dbuf e;
    nc_dbuf_init(&e, NC_ENV_MAX);
    assert_int_equal(nc_env_seal(&b, cpk, apk, ask, &e), NC_OK);
    assert_int_equal(e.len, NC_ENV_OVERHEAD + 2 + 10 + 16 + 1 + 12 + 4 + 3 + 4 + 1000);
    static uint8_t plain[NC_ENV_MAX];
    assert_int_equal(open_all(e.p, e.len, csk, &o, plain, sizeof(plain)), NC_OK);
    assert_string_equal(o.sensor, "honeypot-1");
    assert_string_equal(o.name, "DNS.ncap.zst");
    assert_true(o.run == b.run && o.seq == 42);
    assert_int_equal(o.hdr_len, 3);
    assert_memory_equal(o.hdr, "HDR", 3);
    assert_int_equal(o.data_len, 1000);
    assert_memory_equal(o.data, data, 1000);
    struct nc_env env;
    assert_int_equal(nc_env_parse(e.p, e.len, &env), NC_OK);
    assert_memory_equal(env.sender, apk, 32);
    char id[200];
    nc_batch_id(&o, id, sizeof(id));
    assert_string_equal(id, "honeypot-1.0123456789abcdef.DNS.42");

    /* two seals of one batch differ (fresh nonce) */
    struct nc_dbuf e2;
    nc_dbuf_init(&e2, NC_ENV_MAX);
    assert_int_equal(nc_env_seal(&b, cpk, apk, ask, &e2), NC_OK);
    assert_int_equal(e.len, e2.len);
    assert_memory_not_equal(e.p, e2.p, e.len);

    /* the wrong collector key */
    uint8_t xpk[32], xsk[32];
    crypto_box_keypair(xpk, xsk);
    assert_int_equal(open_all(e.p, e.len, xsk, &o, plain, sizeof(plain)), NC_EMALFORMED);
    /* a sender key swapped in the envelope (claiming another sensor) */
    memcpy(e2.p + 4, xpk, 32);
    assert_int_equal(open_all(e2.p, e2.len, csk, &o, plain, sizeof(plain)), NC_EMALFORMED);
    /* every flipped byte after the magic fails */
    for (size_t i = 4; i < e.len; i += 13) {
        e.p[i] ^= 0x40;
        assert_int_not_equal(open_all(e.p, e.len, csk, &o, plain, sizeof(plain)), NC_OK);
        e.p[i] ^= 0x40;
    }
    /* every truncation fails */
    for (size_t n = 0; n < e.len; n += 7) {
        assert_int_not_equal(open_all(e.p, n, csk, &o, plain, sizeof(plain)), NC_OK);
    }
    /* a plaintext buffer too small is refused, not overrun */
    assert_int_equal(open_all(e.p, e.len, csk, &o, plain, 100), NC_ELIMIT);
    nc_dbuf_fini(&e);
    nc_dbuf_fini(&e2);
}

static void test_plaintext_bounds(void **state)
{
    (void)state;
    /* hand-built plaintexts: lengths beyond the buffer, empty data, bad names */
    uint8_t p[128];
    struct nc_batch o;
    size_t n = 0;
    p[n++] = 1;
    p[n++] = 2;
    memcpy(p + n, "s1", 2);
    n += 2;
    memset(p + n, 0, 16);
    n += 16;
    p[n++] = 8;
    memcpy(p + n, "DNS.ncap", 8);
    n += 8;
    size_t at_hdr = n;
    memcpy(p + n, "\0\0\0\0\0\0\0\1Z", 9);
    n += 9;
    assert_int_equal(nc_batch_decode(p, n, &o), NC_OK);
    for (size_t k = 0; k < n; k++) {
        assert_int_not_equal(nc_batch_decode(p, k, &o), NC_OK);
    }
    /* trailing byte */
    assert_int_equal(nc_batch_decode(p, n + 1, &o), NC_EMALFORMED);
    /* data length beyond the plaintext */
    p[at_hdr + 7] = 2;
    assert_int_equal(nc_batch_decode(p, n, &o), NC_ETRUNC);
    p[at_hdr + 7] = 1;
    /* header over the cap */
    p[at_hdr + 1] = 0x10;
    assert_int_equal(nc_batch_decode(p, n, &o), NC_ELIMIT);
    p[at_hdr + 1] = 0;
    /* names */
    assert_false(nc_batch_name_ok("../DNS.ncap", NULL));
    assert_false(nc_batch_name_ok("DNS/x.ncap", NULL));
    assert_false(nc_batch_name_ok("DNS..ncap", NULL));
    assert_false(nc_batch_name_ok("NoSuchType.ncap", NULL));
    assert_false(nc_batch_name_ok("DNS", NULL));
    assert_true(nc_batch_name_ok("Connection.ncap.zst", NULL));
    assert_false(nc_sensor_name_ok("a.b"));
    assert_false(nc_sensor_name_ok("a/b"));
    assert_false(nc_sensor_name_ok(""));
    assert_true(nc_sensor_name_ok("plant-7_A"));
}

static void test_key_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/netcap-keys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[NC_ERRBUF_SIZE], path[256], pub[256];
    assert_int_equal(nc_key_generate(dir, "agent", err), NC_OK);
    /* never overwritten */
    assert_int_equal(nc_key_generate(dir, "agent", err), NC_EIO);
    snprintf(path, sizeof(path), "%s/agent.key", dir);
    snprintf(pub, sizeof(pub), "%s/agent.pub", dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    uint8_t sk[32], pk[32], check[32];
    assert_int_equal(nc_key_load(path, true, sk, err), NC_OK);
    assert_int_equal(nc_key_load(pub, false, pk, err), NC_OK);
    crypto_scalarmult_base(check, sk);
    assert_memory_equal(check, pk, 32);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(nc_key_load(path, true, sk, err), NC_EARG);
    assert_non_null(strstr(err, "chmod 600"));
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(nc_key_load(path, true, sk, err), NC_EARG);
    /* not a key */
    assert_int_equal(nc_key_load(pub, false, pk, err), NC_OK);
    FILE *f = fopen(pub, "w");
    assert_non_null(f);
    fputs("zz\n", f);
    fclose(f);
    assert_int_equal(nc_key_load(pub, false, pk, err), NC_EMALFORMED);
    /* nkeys: the public key derived from the seed file is the one printed */
    char npath[256], p1[64], p2[64];
    snprintf(npath, sizeof(npath), "%s/user.nk", dir);
    assert_int_equal(nc_nkey_generate(npath, p1, err), NC_OK);
    assert_int_equal(p1[0], 'U');
    assert_int_equal(strlen(p1), 56);
    assert_int_equal(nc_nkey_public(npath, p2, err), NC_OK);
    assert_string_equal(p1, p2);
    unlink(path);
    unlink(pub);
    unlink(npath);
    rmdir(dir);
}

/* The collector's window: a batch redelivered late (newer ones applied
 * meanwhile) is new until applied, then a duplicate; beyond NC_SEQWIN it
 * cannot be told and counts as seen; the text form round-trips, and a
 * 16-digit window (a 64-batch state file) still reads. */
static void test_seqwin(void **state)
{
    NC_UNUSED(state);
    struct nc_seqwin w, r;
    nc_seqwin_reset(&w);
    assert_false(nc_seqwin_seen(&w, 0));
    nc_seqwin_mark(&w, 0);
    assert_true(nc_seqwin_seen(&w, 0));
    /* batch 1 lost on its way; 2..3000 applied */
    for (uint64_t s = 2; s <= 3000; s++) {
        assert_false(nc_seqwin_seen(&w, s));
        nc_seqwin_mark(&w, s);
    }
    assert_false(nc_seqwin_seen(&w, 1)); /* 2999 behind: still new */
    assert_true(nc_seqwin_seen(&w, 0));
    assert_true(nc_seqwin_seen(&w, 2));
    assert_true(nc_seqwin_seen(&w, 1500));
    assert_true(nc_seqwin_seen(&w, 3000));
    assert_false(nc_seqwin_seen(&w, 3001));
    nc_seqwin_mark(&w, 1);
    assert_true(nc_seqwin_seen(&w, 1)); /* now a replay */
    /* round trip through the state file's text */
    char hex[NC_SEQWIN_HEX + 1];
    nc_seqwin_format(&w, hex);
    assert_int_equal(strlen(hex), NC_SEQWIN_HEX);
    assert_true(nc_seqwin_parse(&r, w.last, hex));
    for (uint64_t s = 0; s <= 3010; s++) {
        assert_int_equal(nc_seqwin_seen(&r, s), nc_seqwin_seen(&w, s));
    }
    /* a jump past the window forgets everything below */
    nc_seqwin_mark(&w, 3000 + NC_SEQWIN + 5);
    assert_true(nc_seqwin_seen(&w, 3004)); /* too old to tell: a duplicate */
    assert_false(nc_seqwin_seen(&w, 3000 + NC_SEQWIN + 4));
    assert_false(nc_seqwin_seen(&w, 3000 + 5)); /* NC_SEQWIN behind, never applied: new */
    /* shifts by every distance within a word and across words */
    for (uint64_t d = 1; d < 200; d++) {
        nc_seqwin_reset(&w);
        nc_seqwin_mark(&w, 100);
        nc_seqwin_mark(&w, 99);
        nc_seqwin_mark(&w, 100 + d);
        assert_true(nc_seqwin_seen(&w, 99));
        assert_true(nc_seqwin_seen(&w, 100));
        assert_false(nc_seqwin_seen(&w, 98));
        if (d > 1) {
            assert_false(nc_seqwin_seen(&w, 101));
        }
    }
    /* an old 64-batch window: bit 0 (last - 1) and bit 63 (last - 64) */
    assert_true(nc_seqwin_parse(&r, 1000, "8000000000000001"));
    assert_true(nc_seqwin_seen(&r, 999));
    assert_true(nc_seqwin_seen(&r, 936));
    assert_false(nc_seqwin_seen(&r, 998));
    assert_false(nc_seqwin_seen(&r, 935));
    assert_false(nc_seqwin_parse(&r, 1, ""));
    assert_false(nc_seqwin_parse(&r, 1, "12g4"));
    char big[NC_SEQWIN_HEX + 3];
    memset(big, '0', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_false(nc_seqwin_parse(&r, 1, big));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_plaintext_bounds),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_seqwin),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
