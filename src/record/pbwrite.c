/*
 * summary: the protobuf encoder of records.
 *
 * Why not protobuf_c_message_pack(): it walks every message twice (size,
 * then pack) through fully generic code, and was a third of the capture
 * time. The encoders here are generated at build time from the schema's
 * descriptors (scripts/gen-encoders.c -> build/gen/encoders.inc): one
 * straight-line function per message type with the field offsets and tags
 * as constants, so the CPU predicts every branch. Each nested message (and
 * the record's own length prefix) gets a one-byte length slot, widened
 * with a memmove in the rare case the body is 128 bytes or longer. The
 * output is byte-identical to protobuf-c's (same field order, proto3 zero
 * values skipped, packed repeated scalars); tests/unit/test_encode.c checks
 * that on every record type.
 */
#include "record/encode.h"

#include <stdlib.h>
#include <string.h>

#include "record/record.h"

struct enc {
    uint8_t *p;
    size_t len, cap;
    bool overflow;
};

static inline bool room(struct enc *e, size_t n)
{
    if (NC_UNLIKELY(n > e->cap - e->len)) {
        e->overflow = true;
        return false;
    }
    return true;
}

static inline void put_varint(struct enc *e, uint64_t v)
{
    if (!room(e, NC_VARINT_MAX)) {
        return;
    }
    uint8_t *o = e->p + e->len;
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    e->len = (size_t)(o - e->p);
}

static inline void put_bytes(struct enc *e, const void *p, size_t n)
{
    if (!room(e, n)) {
        return;
    }
    if (n) {
        memcpy(e->p + e->len, p, n);
    }
    e->len += n;
}

static inline void put_le32(struct enc *e, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put_bytes(e, b, 4);
}

static inline void put_le64(struct enc *e, uint64_t v)
{
    put_le32(e, (uint32_t)v);
    put_le32(e, (uint32_t)(v >> 32));
}

/* Start a length-delimited body: one byte reserved for its length. */
static inline size_t open_len(struct enc *e)
{
    if (!room(e, 1)) {
        return e->len;
    }
    e->len++;
    return e->len;
}

/* The rare case of close_len: a body of 128 bytes or more needs a longer
 * length, so the body moves up. */
static void close_len_wide(struct enc *e, size_t start, size_t body)
{
    uint8_t v[NC_VARINT_MAX];
    size_t vl = nc_varint_put(v, body);
    if (!room(e, vl - 1)) {
        return;
    }
    memmove(e->p + start - 1 + vl, e->p + start, body);
    memcpy(e->p + start - 1, v, vl);
    e->len += vl - 1;
}

/* Finish a body started at `start` (just after its 1-byte length slot). */
static inline void close_len(struct enc *e, size_t start)
{
    if (e->overflow) {
        return;
    }
    size_t body = e->len - start;
    if (NC_LIKELY(body < 0x80)) {
        e->p[start - 1] = (uint8_t)body;
        return;
    }
    close_len_wide(e, start, body);
}

static inline void put_tag(struct enc *e, const char *tag, size_t n)
{
    if (NC_LIKELY(n == 1 && room(e, 1))) {
        e->p[e->len++] = (uint8_t)tag[0];
        return;
    }
    put_bytes(e, tag, n);
}

__attribute__((unused)) static inline void put_u8(struct enc *e, unsigned v)
{
    if (room(e, 1)) {
        e->p[e->len++] = (uint8_t)v;
    }
}

/* fixed32/sfixed32/float and their 64-bit kin: little-endian on the wire.
 * Marked unused: the generated encoders call only the widths the schema has
 * (none of 32 bits today), and clang warns about unused static inlines. */
__attribute__((unused)) static inline void put_raw32(struct enc *e, const void *v)
{
    uint32_t x;
    memcpy(&x, v, 4);
    put_le32(e, x);
}

__attribute__((unused)) static inline void put_raw64(struct enc *e, const void *v)
{
    uint64_t x;
    memcpy(&x, v, 8);
    put_le64(e, x);
}

static inline void put_str(struct enc *e, const char *s)
{
    size_t n = strlen(s);
    put_varint(e, n);
    put_bytes(e, s, n);
}

/*
 * Unchecked writers at a cursor, for the generated encoders' runs of
 * scalars: the run's worst case was checked with room() first.
 */
static inline uint8_t *w_varint(uint8_t *o, uint64_t v)
{
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

static inline uint8_t *w_tag(uint8_t *o, const char *tag, size_t n)
{
    if (n == 1) {
        *o = (uint8_t)tag[0];
    } else {
        memcpy(o, tag, n);
    }
    return o + n;
}

static inline uint8_t *w_le32(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)v;
    o[1] = (uint8_t)(v >> 8);
    o[2] = (uint8_t)(v >> 16);
    o[3] = (uint8_t)(v >> 24);
    return o + 4;
}

__attribute__((unused)) static inline uint8_t *w_raw32(uint8_t *o, const void *v)
{
    uint32_t x;
    memcpy(&x, v, 4);
    return w_le32(o, x);
}

__attribute__((unused)) static inline uint8_t *w_raw64(uint8_t *o, const void *v)
{
    uint64_t x;
    memcpy(&x, v, 8);
    o = w_le32(o, (uint32_t)x);
    return w_le32(o, (uint32_t)(x >> 32));
}

/* Tag, length and bytes of a string or bytes field, one room check. */
static inline void put_tagged_bytes(
        struct enc *e, const char *tag, size_t tl, const void *p, size_t n)
{
    if (!room(e, tl + NC_VARINT_MAX) || !room(e, tl + NC_VARINT_MAX + n)) {
        return;
    }
    uint8_t *o = w_tag(e->p + e->len, tag, tl);
    o = w_varint(o, n);
    if (n) {
        memcpy(o, p, n);
    }
    e->len = (size_t)(o + n - e->p);
}

static inline void put_tagged_str(struct enc *e, const char *tag, size_t tl, const char *s)
{
    put_tagged_bytes(e, tag, tl, s, strlen(s));
}

enum {
    PB_MAX_DEPTH = 32, /* our schema nests 4 deep; bounds any recursive type */
};

#include "encoders.inc"

typedef void gen_fn(struct enc *e, const uint8_t *m, int depth);

/* Encode with fn into b, growing b as needed. */
static int encode_with(struct nc_dbuf *b, gen_fn *fn, const ProtobufCMessage *m)
{
    size_t want = 256;
    for (;;) {
        if (want > b->alloc - b->len) { /* else room already (the usual case) */
            int rc = nc_dbuf_reserve(b, want);
            if (rc != NC_OK) {
                return rc;
            }
        }
        struct enc e = { b->p, b->len, b->alloc, false };
        size_t start = open_len(&e);
        fn(&e, (const uint8_t *)m, 0);
        close_len(&e, start);
        if (!e.overflow) {
            b->len = e.len;
            return NC_OK;
        }
        /* too small: retry with twice the room (rare: big DNS or payload records) */
        if (want > b->cap) {
            return NC_ELIMIT;
        }
        want = (b->alloc - b->len) * 2 + 256;
    }
}

int nc_encode_record(struct nc_dbuf *b, enum nc_rec_type t, const ProtobufCMessage *m)
{
    return encode_with(b, gen_by_rec[t], m);
}

int nc_encode_delimited(struct nc_dbuf *b, const ProtobufCMessage *m)
{
    if (m->descriptor == &netcap__header__descriptor) {
        return encode_with(b, GEN_ENC_HEADER, m);
    }
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        if (nc_rec_info((enum nc_rec_type)t)->desc == m->descriptor) {
            return encode_with(b, gen_by_rec[t], m);
        }
    }
    return nc_encode_delimited_ref(b, m); /* a nested message type on its own */
}
