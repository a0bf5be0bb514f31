/*
 * summary: sealed batches between `netcap agent` and `netcap collect`, and
 *          the key files they use.
 *
 * A batch is one compressed frame of one record type (exactly what the
 * committer appends to a file) plus the file's header frame, named by a
 * batch id: sensor, run, file name (the type) and frame sequence number.
 * It travels as an envelope the broker cannot read or alter:
 *
 *   envelope  = "NCB" version(1) | sender public key (32) | nonce (24) |
 *               crypto_box_easy(plaintext, nonce, collector pk, sender sk)
 *   plaintext = version(1) | sensor_len(1) sensor | run(8, BE) | seq(8, BE) |
 *               name_len(1) name | hdr_len(4, BE) hdr | data_len(4, BE) data
 *
 * The batch id is inside the box, so a message moved to another subject or
 * given another message id is detected by comparing. Everything read from
 * the broker goes through the bounded reader (core/rd.h) and the caps
 * below; decoding never allocates.
 *
 * Keys are X25519 (crypto_box) pairs, stored as one line of hex:
 * NAME.key (secret, mode 0600) and NAME.pub.
 */
#ifndef NC_SENSOR_ENVELOPE_H
#define NC_SENSOR_ENVELOPE_H

#include "core/common.h"
#include "core/dbuf.h"

enum {
    NC_ENV_VERSION = 1,
    NC_KEY_BYTES = 32,
    NC_NONCE_BYTES = 24,
    NC_MAC_BYTES = 16,
    NC_ENV_OVERHEAD = 4 + NC_KEY_BYTES + NC_NONCE_BYTES + NC_MAC_BYTES,
    NC_SENSOR_MAX = 64,           /* sensor name: [A-Za-z0-9_-], 1..64 */
    NC_BATCH_NAME_MAX = 96,       /* file name: <Type>.ncap.zst ... */
    NC_BATCH_HDR_MAX = 64 * 1024, /* the header frame */
    NC_ENV_MAX = 16 << 20,        /* a whole envelope (the broker's max_payload must allow it) */
};

struct nc_batch {
    char sensor[NC_SENSOR_MAX + 1];
    uint64_t run;
    uint64_t seq;
    char name[NC_BATCH_NAME_MAX + 1]; /* file name; the type is the part before the first '.' */
    const uint8_t *hdr;               /* header frame (may be empty: JSON) */
    size_t hdr_len;
    const uint8_t *data; /* the frame */
    size_t data_len;
};

/* Outer part of an envelope, pointing into the message. */
struct nc_env {
    const uint8_t *sender; /* NC_KEY_BYTES */
    const uint8_t *nonce;  /* NC_NONCE_BYTES */
    const uint8_t *box;
    size_t box_len;
};

/* libsodium: call once before anything below; NC_OK or NC_EIO. */
NC_WARN_UNUSED int nc_sodium_init(void);

/* true if s is a valid sensor name. */
bool nc_sensor_name_ok(const char *s);
/* true if s is a file name a batch may carry: "<Type>.<ext>" with a known
 * record type, only [A-Za-z0-9.], no "..". *type gets the record type. */
bool nc_batch_name_ok(const char *s, int *type);

/* Type name (the part of name before the first '.') into out. */
void nc_batch_type(const char *name, char *out, size_t n);

/* "<sensor>.<run, 16 hex>.<Type>.<seq>": the JetStream message id. */
void nc_batch_id(const struct nc_batch *b, char *out, size_t n);

/* Appends the sealed envelope of b to out. */
NC_WARN_UNUSED int nc_env_seal(const struct nc_batch *b, const uint8_t collector_pk[NC_KEY_BYTES],
        const uint8_t sender_pk[NC_KEY_BYTES], const uint8_t sender_sk[NC_KEY_BYTES],
        struct nc_dbuf *out);

/* Splits a message into its outer parts: NC_OK, or NC_EMALFORMED (bad
 * magic/version, too short) / NC_ELIMIT (over NC_ENV_MAX). */
NC_WARN_UNUSED int nc_env_parse(const uint8_t *msg, size_t n, struct nc_env *env);

/* Opens env->box with the sender key (from the allow-list) into
 * plain[0 .. box_len - NC_MAC_BYTES); cap is plain's size. NC_OK or
 * NC_EMALFORMED (authentication failed: wrong key, altered bytes). */
NC_WARN_UNUSED int nc_env_open(const struct nc_env *env, const uint8_t collector_sk[NC_KEY_BYTES],
        uint8_t *plain, size_t cap, size_t *plain_len);

/* Decodes a plaintext into b (pointers into plain). NC_OK, NC_ETRUNC,
 * NC_EMALFORMED or NC_ELIMIT; b is valid only on NC_OK. */
NC_WARN_UNUSED int nc_batch_decode(const uint8_t *plain, size_t n, struct nc_batch *b);

/* ---------------------------------------------------------------- keys */

/* Writes dir/name.key (0600, created exclusively) and dir/name.pub. */
NC_WARN_UNUSED int nc_key_generate(const char *dir, const char *name, char err[NC_ERRBUF_SIZE]);

/* Refuses a secret file that is not a regular file or that the group or
 * others may read or write ("chmod 600 FILE"). */
NC_WARN_UNUSED int nc_secret_file_check(const char *path, char err[NC_ERRBUF_SIZE]);

/* Reads a key file (one line of 64 hex digits). Secret files pass
 * nc_secret_file_check first. */
NC_WARN_UNUSED int nc_key_load(
        const char *path, bool secret, uint8_t key[NC_KEY_BYTES], char err[NC_ERRBUF_SIZE]);

/* Hex of a key, 64 digits and a NUL. */
void nc_key_hex(const uint8_t key[NC_KEY_BYTES], char out[2 * NC_KEY_BYTES + 1]);

/* ----------------------------------------------------------- NATS nkeys */

/* Writes an NATS user nkey seed file (0600) and puts the public key
 * ("U...") in pub: for brokers configured with nkey users. */
NC_WARN_UNUSED int nc_nkey_generate(const char *path, char pub[64], char err[NC_ERRBUF_SIZE]);
/* The public key ("U...") of the user seed ("SU...") in a seed file. */
NC_WARN_UNUSED int nc_nkey_public(const char *path, char pub[64], char err[NC_ERRBUF_SIZE]);

#endif
