/*
 * summary: fuzz target: what `netcap collect` does with a message from the
 *          broker before anything is written: the envelope split
 *          (nc_env_parse), opening (nc_env_open, with a fixed collector key:
 *          almost always an authentication failure, which must be clean),
 *          and the batch decoder (nc_batch_decode) on the bytes as if they
 *          were an opened plaintext. The first byte picks the path.
 *
 * Oracle: a batch that decodes has a valid sensor and file name, its
 * header and data lie inside the input, and sealing it again and opening
 * that gives the same batch back.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/dbuf.h"
#include "record/record.h"
#include "sensor/envelope.h"

static uint8_t apk[32], ask[32], cpk[32], csk[32];
static uint8_t *plain;

static void init(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    fuzz_init();
    if (nc_sodium_init() != NC_OK) {
        abort();
    }
    /* fixed keys: reproducible runs */
    uint8_t seed[32];
    memset(seed, 1, sizeof(seed));
    crypto_box_seed_keypair(apk, ask, seed);
    memset(seed, 2, sizeof(seed));
    crypto_box_seed_keypair(cpk, csk, seed);
    plain = malloc(NC_ENV_MAX);
    if (!plain) {
        abort();
    }
}

static void check_batch(const struct nc_batch *b, const uint8_t *p, size_t n)
{
    if (!nc_sensor_name_ok(b->sensor) || !nc_batch_name_ok(b->name, NULL)) {
        abort();
    }
    if (b->data_len == 0 || b->data < p || b->data + b->data_len > p + n ||
            (b->hdr_len && (b->hdr < p || b->hdr + b->hdr_len > p + n))) {
        abort();
    }
    /* seal it again and open it: the same batch */
    struct nc_dbuf e;
    nc_dbuf_init(&e, NC_ENV_MAX);
    if (nc_env_seal(b, cpk, apk, ask, &e) != NC_OK) {
        abort();
    }
    struct nc_env env;
    size_t pl = 0;
    uint8_t *again = malloc(e.len);
    struct nc_batch o;
    if (!again || nc_env_parse(e.p, e.len, &env) != NC_OK ||
            nc_env_open(&env, csk, again, e.len, &pl) != NC_OK ||
            nc_batch_decode(again, pl, &o) != NC_OK) {
        abort();
    }
    if (strcmp(o.sensor, b->sensor) != 0 || strcmp(o.name, b->name) != 0 || o.run != b->run ||
            o.seq != b->seq || o.hdr_len != b->hdr_len || o.data_len != b->data_len ||
            memcmp(o.data, b->data, b->data_len) != 0 ||
            (b->hdr_len && memcmp(o.hdr, b->hdr, b->hdr_len) != 0)) {
        abort();
    }
    free(again);
    nc_dbuf_fini(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size < 1) {
        return 0;
    }
    uint8_t *copy = fuzz_dup(data + 1, size - 1);
    size_t n = size - 1;
    struct nc_batch b;
    if (data[0] & 1) {
        if (nc_batch_decode(copy, n, &b) == NC_OK) {
            check_batch(&b, copy, n);
        }
    } else {
        struct nc_env env;
        size_t pl = 0;
        if (nc_env_parse(copy, n, &env) == NC_OK) {
            if (env.box_len < 16 || env.box + env.box_len != copy + n) {
                abort();
            }
            if (nc_env_open(&env, csk, plain, NC_ENV_MAX, &pl) == NC_OK &&
                    nc_batch_decode(plain, pl, &b) == NC_OK) {
                check_batch(&b, plain, pl);
            }
        }
    }
    free(copy);
    return 0;
}
