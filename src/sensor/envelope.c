/*
 * summary: sealing and opening batches (libsodium crypto_box), batch ids,
 *          key files with permission checks, NATS nkey seeds.
 */
#include "sensor/envelope.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/rd.h"
#include "record/record.h"

static const uint8_t magic[3] = { 'N', 'C', 'B' };

int nc_sodium_init(void)
{
    return sodium_init() < 0 ? NC_EIO : NC_OK;
}

bool nc_sensor_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NC_SENSOR_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

void nc_batch_type(const char *name, char *out, size_t n)
{
    size_t i = 0;
    while (name[i] && name[i] != '.' && i + 1 < n) {
        out[i] = name[i];
        i++;
    }
    if (n) {
        out[i] = '\0';
    }
}

bool nc_batch_name_ok(const char *s, int *type)
{
    size_t n = strlen(s);
    if (n == 0 || n > NC_BATCH_NAME_MAX || s[0] == '.' || strstr(s, "..") || !strchr(s, '.')) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.';
        if (!ok) {
            return false;
        }
    }
    char t[NC_BATCH_NAME_MAX + 1];
    nc_batch_type(s, t, sizeof(t));
    enum nc_rec_type rt = nc_rec_by_name(t);
    if (rt == NC_REC_NONE) {
        return false;
    }
    if (type) {
        *type = (int)rt;
    }
    return true;
}

void nc_batch_id(const struct nc_batch *b, char *out, size_t n)
{
    char t[NC_BATCH_NAME_MAX + 1];
    nc_batch_type(b->name, t, sizeof(t));
    snprintf(out, n, "%s.%016llx.%s.%llu", b->sensor, (unsigned long long)b->run, t,
            (unsigned long long)b->seq);
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

int nc_env_seal(const struct nc_batch *b, const uint8_t collector_pk[NC_KEY_BYTES],
        const uint8_t sender_pk[NC_KEY_BYTES], const uint8_t sender_sk[NC_KEY_BYTES],
        struct nc_dbuf *out)
{
    size_t sl = strlen(b->sensor), nl = strlen(b->name);
    if (sl == 0 || sl > NC_SENSOR_MAX || nl == 0 || nl > NC_BATCH_NAME_MAX ||
            b->hdr_len > NC_BATCH_HDR_MAX) {
        return NC_EARG;
    }
    size_t plain_len = 1 + 1 + sl + 8 + 8 + 1 + nl + 4 + b->hdr_len + 4 + b->data_len;
    if (plain_len + NC_ENV_OVERHEAD > NC_ENV_MAX) {
        return NC_ELIMIT;
    }
    struct nc_dbuf pl;
    nc_dbuf_init(&pl, plain_len);
    int rc = nc_dbuf_reserve(&pl, plain_len);
    if (rc != NC_OK) {
        nc_dbuf_fini(&pl);
        return rc;
    }
    uint8_t *p = pl.p;
    *p++ = NC_ENV_VERSION;
    *p++ = (uint8_t)sl;
    memcpy(p, b->sensor, sl);
    p += sl;
    put_be(p, b->run, 8);
    p += 8;
    put_be(p, b->seq, 8);
    p += 8;
    *p++ = (uint8_t)nl;
    memcpy(p, b->name, nl);
    p += nl;
    put_be(p, b->hdr_len, 4);
    p += 4;
    if (b->hdr_len) {
        memcpy(p, b->hdr, b->hdr_len);
        p += b->hdr_len;
    }
    put_be(p, b->data_len, 4);
    p += 4;
    if (b->data_len) {
        memcpy(p, b->data, b->data_len);
    }
    size_t env_len = plain_len + NC_ENV_OVERHEAD;
    rc = nc_dbuf_reserve(out, env_len);
    if (rc == NC_OK) {
        uint8_t *e = out->p + out->len;
        memcpy(e, magic, 3);
        e[3] = NC_ENV_VERSION;
        memcpy(e + 4, sender_pk, NC_KEY_BYTES);
        uint8_t *nonce = e + 4 + NC_KEY_BYTES;
        randombytes_buf(nonce, NC_NONCE_BYTES);
        if (crypto_box_easy(
                    nonce + NC_NONCE_BYTES, pl.p, plain_len, nonce, collector_pk, sender_sk) != 0) {
            rc = NC_EARG;
        } else {
            out->len += env_len;
        }
    }
    sodium_memzero(pl.p, plain_len);
    nc_dbuf_fini(&pl);
    return rc;
}

int nc_env_parse(const uint8_t *msg, size_t n, struct nc_env *env)
{
    if (n > NC_ENV_MAX) {
        return NC_ELIMIT;
    }
    struct nc_rd r = nc_rd_make(msg, n);
    uint8_t m[4];
    if (!nc_rd_copy(&r, m, 4) || memcmp(m, magic, 3) != 0 || m[3] != NC_ENV_VERSION) {
        return NC_EMALFORMED;
    }
    env->sender = nc_rd_span(&r, NC_KEY_BYTES).p;
    env->nonce = nc_rd_span(&r, NC_NONCE_BYTES).p;
    struct nc_span box = nc_rd_rest(&r);
    if (!nc_rd_ok(&r) || box.len < NC_MAC_BYTES) {
        return NC_EMALFORMED;
    }
    env->box = box.p;
    env->box_len = box.len;
    return NC_OK;
}

int nc_env_open(const struct nc_env *env, const uint8_t collector_sk[NC_KEY_BYTES], uint8_t *plain,
        size_t cap, size_t *plain_len)
{
    if (env->box_len < NC_MAC_BYTES || env->box_len - NC_MAC_BYTES > cap) {
        return NC_ELIMIT;
    }
    if (crypto_box_open_easy(
                plain, env->box, env->box_len, env->nonce, env->sender, collector_sk) != 0) {
        return NC_EMALFORMED;
    }
    *plain_len = env->box_len - NC_MAC_BYTES;
    return NC_OK;
}

/* A length-prefixed (1 byte) name into out (NUL-terminated), checked by ok. */
static bool rd_name(struct nc_rd *r, char *out, size_t max)
{
    size_t n = nc_rd_u8(r);
    if (!nc_rd_ok(r) || n == 0 || n > max) {
        return false;
    }
    if (!nc_rd_copy(r, out, n)) {
        return false;
    }
    out[n] = '\0';
    return memchr(out, '\0', n) == NULL;
}

int nc_batch_decode(const uint8_t *plain, size_t n, struct nc_batch *b)
{
    memset(b, 0, sizeof(*b));
    struct nc_rd r = nc_rd_make(plain, n);
    if (nc_rd_u8(&r) != NC_ENV_VERSION) {
        return nc_rd_ok(&r) ? NC_EMALFORMED : NC_ETRUNC;
    }
    if (!rd_name(&r, b->sensor, NC_SENSOR_MAX) || !nc_sensor_name_ok(b->sensor)) {
        return nc_rd_ok(&r) ? NC_EMALFORMED : NC_ETRUNC;
    }
    b->run = nc_rd_be64(&r);
    b->seq = nc_rd_be64(&r);
    if (!rd_name(&r, b->name, NC_BATCH_NAME_MAX) || !nc_batch_name_ok(b->name, NULL)) {
        return nc_rd_ok(&r) ? NC_EMALFORMED : NC_ETRUNC;
    }
    uint32_t hl = nc_rd_be32(&r);
    if (nc_rd_ok(&r) && hl > NC_BATCH_HDR_MAX) {
        return NC_ELIMIT;
    }
    struct nc_span h = nc_rd_span(&r, hl);
    uint32_t dl = nc_rd_be32(&r);
    struct nc_span d = nc_rd_span(&r, dl);
    if (!nc_rd_ok(&r)) {
        return NC_ETRUNC;
    }
    if (nc_rd_left(&r) != 0 || dl == 0) {
        return NC_EMALFORMED;
    }
    b->hdr = h.p;
    b->hdr_len = h.len;
    b->data = d.p;
    b->data_len = d.len;
    return NC_OK;
}

/* ---------------------------------------------------------------- keys */

void nc_key_hex(const uint8_t key[NC_KEY_BYTES], char out[2 * NC_KEY_BYTES + 1])
{
    sodium_bin2hex(out, 2 * NC_KEY_BYTES + 1, key, NC_KEY_BYTES);
}

/* Writes text to path with mode, exclusively (an existing key is never
 * overwritten). */
static int write_new_file(const char *path, const char *text, mode_t mode, char err[NC_ERRBUF_SIZE])
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot create %s: %s", path, strerror(errno));
        return NC_EIO;
    }
    size_t n = strlen(text);
    bool ok = fchmod(fd, mode) == 0 && write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0) {
        ok = false;
    }
    if (!ok) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot write %s: %s", path, strerror(errno));
        unlink(path);
        return NC_EIO;
    }
    return NC_OK;
}

int nc_key_generate(const char *dir, const char *name, char err[NC_ERRBUF_SIZE])
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot create %s: %s", dir, strerror(errno));
        return NC_EIO;
    }
    uint8_t pk[NC_KEY_BYTES], sk[NC_KEY_BYTES];
    crypto_box_keypair(pk, sk);
    char hex[2 * NC_KEY_BYTES + 2], path[4096];
    nc_key_hex(sk, hex);
    sodium_memzero(sk, sizeof(sk));
    hex[2 * NC_KEY_BYTES] = '\n';
    hex[2 * NC_KEY_BYTES + 1] = '\0';
    snprintf(path, sizeof(path), "%s/%s.key", dir, name);
    int rc = write_new_file(path, hex, 0600, err);
    sodium_memzero(hex, sizeof(hex));
    if (rc != NC_OK) {
        return rc;
    }
    nc_key_hex(pk, hex);
    hex[2 * NC_KEY_BYTES] = '\n';
    hex[2 * NC_KEY_BYTES + 1] = '\0';
    snprintf(path, sizeof(path), "%s/%s.pub", dir, name);
    return write_new_file(path, hex, 0644, err);
}

int nc_secret_file_check(const char *path, char err[NC_ERRBUF_SIZE])
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, NC_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return NC_EIO;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, NC_ERRBUF_SIZE, "%s: not a regular file", path);
        return NC_EARG;
    }
    if (sb.st_mode & 0077) {
        snprintf(err, NC_ERRBUF_SIZE,
                "%s: secret file is accessible by group or others (mode %04o); refusing it: "
                "chmod 600 %s",
                path, (unsigned)(sb.st_mode & 07777), path);
        return NC_EARG;
    }
    return NC_OK;
}

/* Reads at most cap - 1 bytes of a small file into buf (NUL-terminated). */
static int read_small(const char *path, char *buf, size_t cap, char err[NC_ERRBUF_SIZE])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot open %s: %s", path, strerror(errno));
        return NC_EIO;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            snprintf(err, NC_ERRBUF_SIZE, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            return NC_EIO;
        }
        if (r == 0 || (n += (size_t)r) == cap - 1) {
            break;
        }
    }
    close(fd);
    buf[n] = '\0';
    return NC_OK;
}

int nc_key_load(const char *path, bool secret, uint8_t key[NC_KEY_BYTES], char err[NC_ERRBUF_SIZE])
{
    if (secret) {
        int rc = nc_secret_file_check(path, err);
        if (rc != NC_OK) {
            return rc;
        }
    }
    char buf[256];
    int rc = read_small(path, buf, sizeof(buf), err);
    if (rc != NC_OK) {
        return rc;
    }
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) {
        buf[--n] = '\0';
    }
    size_t got = 0;
    if (n != 2 * NC_KEY_BYTES || sodium_hex2bin(key, NC_KEY_BYTES, buf, n, NULL, &got, NULL) != 0 ||
            got != NC_KEY_BYTES) {
        snprintf(err, NC_ERRBUF_SIZE, "%s: not a netcap key (one line of 64 hex digits)", path);
        rc = NC_EMALFORMED;
    }
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

/* ----------------------------------------------------------- NATS nkeys */

enum {
    NKEY_PREFIX_SEED = 18 << 3,
    NKEY_PREFIX_USER = 20 << 3,
};

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static uint16_t crc16_xmodem(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int k = 0; k < 8; k++) {
            uint16_t shifted = (uint16_t)(crc << 1);
            crc = (crc & 0x8000) ? (uint16_t)(shifted ^ 0x1021u) : shifted;
        }
    }
    return crc;
}

/* base32 (RFC 4648, no padding) of p[0..n) into out (cap bytes). */
static void b32_encode(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 5 && o + 1 < cap) {
            out[o++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0 && o + 1 < cap) {
        out[o++] = b32[(acc << (5 - bits)) & 31];
    }
    out[o] = '\0';
}

static size_t b32_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *q = memchr(b32, s[i], 32);
        if (!q || s[i] == '\0') {
            return 0;
        }
        acc = (acc << 5) | (uint32_t)(q - b32);
        bits += 5;
        if (bits >= 8) {
            if (o == cap) {
                return 0;
            }
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return o;
}

static void nkey_encode_public(const uint8_t pk[32], char pub[64])
{
    uint8_t raw[35];
    raw[0] = NKEY_PREFIX_USER;
    memcpy(raw + 1, pk, 32);
    uint16_t crc = crc16_xmodem(raw, 33);
    raw[33] = (uint8_t)crc;
    raw[34] = (uint8_t)(crc >> 8);
    b32_encode(raw, sizeof(raw), pub, 64);
}

int nc_nkey_generate(const char *path, char pub[64], char err[NC_ERRBUF_SIZE])
{
    uint8_t seed[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    randombytes_buf(seed, sizeof(seed));
    crypto_sign_seed_keypair(pk, sk, seed);
    uint8_t raw[36];
    raw[0] = (uint8_t)(NKEY_PREFIX_SEED | (NKEY_PREFIX_USER >> 5));
    raw[1] = (uint8_t)((NKEY_PREFIX_USER & 31) << 3);
    memcpy(raw + 2, seed, 32);
    uint16_t crc = crc16_xmodem(raw, 34);
    raw[34] = (uint8_t)crc;
    raw[35] = (uint8_t)(crc >> 8);
    char text[80];
    b32_encode(raw, sizeof(raw), text, sizeof(text) - 1);
    size_t n = strlen(text);
    text[n] = '\n';
    text[n + 1] = '\0';
    nkey_encode_public(pk, pub);
    int rc = write_new_file(path, text, 0600, err);
    sodium_memzero(seed, sizeof(seed));
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(text, sizeof(text));
    return rc;
}

int nc_nkey_public(const char *path, char pub[64], char err[NC_ERRBUF_SIZE])
{
    int rc = nc_secret_file_check(path, err);
    if (rc != NC_OK) {
        return rc;
    }
    char buf[4096];
    rc = read_small(path, buf, sizeof(buf), err);
    if (rc != NC_OK) {
        return rc;
    }
    rc = NC_EMALFORMED;
    const char *s = strstr(buf, "SU");
    uint8_t raw[40];
    if (s && strlen(s) >= 58 && b32_decode(s, 58, raw, sizeof(raw)) == 36 &&
            crc16_xmodem(raw, 34) == (uint16_t)(raw[34] | raw[35] << 8) &&
            (raw[0] & 0xf8) == NKEY_PREFIX_SEED) {
        uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
        crypto_sign_seed_keypair(pk, sk, raw + 2);
        nkey_encode_public(pk, pub);
        sodium_memzero(sk, sizeof(sk));
        rc = NC_OK;
    } else {
        snprintf(err, NC_ERRBUF_SIZE, "%s: no NATS user nkey seed (SU...) in it", path);
    }
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(buf, sizeof(buf));
    return rc;
}
