/*
 * summary: a fast protobuf encoder driven by protobuf-c descriptors.
 *
 * Why not protobuf_c_message_pack(): it walks every message twice (size,
 * then pack) through fully generic code, and was a third of the capture
 * time. This encoder walks once: each nested message (and the record's own
 * length prefix) gets a one-byte length slot, which is widened with a
 * memmove in the rare case the body is 128 bytes or longer. The output is
 * byte-identical to protobuf-c's (same field order, proto3 zero values
 * skipped the same way, packed repeated scalars); tests/unit/test_encode.c
 * checks that on every record type.
 */
#include "record/encode.h"

#include <string.h>

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

enum {
    WT_VARINT = 0,
    WT_64 = 1,
    WT_LEN = 2,
    WT_32 = 5,
};

static inline void put_tag(struct enc *e, uint32_t id, unsigned wt)
{
    put_varint(e, (uint64_t)id << 3 | wt);
}

static unsigned wire_type(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_FLOAT:
            return WT_32;
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_DOUBLE:
            return WT_64;
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_BYTES:
        case PROTOBUF_C_TYPE_MESSAGE:
            return WT_LEN;
        default:
            return WT_VARINT;
    }
}

static size_t elem_size(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_DOUBLE:
            return 8;
        case PROTOBUF_C_TYPE_BOOL:
            return sizeof(protobuf_c_boolean);
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_MESSAGE:
            return sizeof(void *);
        case PROTOBUF_C_TYPE_BYTES:
            return sizeof(ProtobufCBinaryData);
        default:
            return 4;
    }
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

/* Finish a body started at `start` (just after its 1-byte length slot). */
static void close_len(struct enc *e, size_t start)
{
    if (e->overflow) {
        return;
    }
    size_t body = e->len - start;
    if (body < 0x80) {
        e->p[start - 1] = (uint8_t)body;
        return;
    }
    uint8_t v[NC_VARINT_MAX];
    size_t vl = nc_varint_put(v, body);
    if (!room(e, vl - 1)) {
        return;
    }
    memmove(e->p + start - 1 + vl, e->p + start, body);
    memcpy(e->p + start - 1, v, vl);
    e->len += vl - 1;
}

static void encode_message(struct enc *e, const ProtobufCMessage *m, int depth);

/* One scalar value (not its tag). */
static void put_value(struct enc *e, ProtobufCType t, const void *v, int depth)
{
    switch (t) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_ENUM:
            /* negative int32 is sign-extended to 64 bits, as the spec says */
            put_varint(e, (uint64_t)(int64_t) * (const int32_t *)v);
            break;
        case PROTOBUF_C_TYPE_SINT32: {
            int32_t x = *(const int32_t *)v;
            put_varint(e, (uint32_t)((uint32_t)x << 1) ^ (uint32_t)(x >> 31));
            break;
        }
        case PROTOBUF_C_TYPE_UINT32:
            put_varint(e, *(const uint32_t *)v);
            break;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
            put_varint(e, *(const uint64_t *)v);
            break;
        case PROTOBUF_C_TYPE_SINT64: {
            int64_t x = *(const int64_t *)v;
            put_varint(e, ((uint64_t)x << 1) ^ (uint64_t)(x >> 63));
            break;
        }
        case PROTOBUF_C_TYPE_BOOL:
            put_varint(e, *(const protobuf_c_boolean *)v ? 1 : 0);
            break;
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FLOAT: {
            uint32_t x;
            memcpy(&x, v, 4);
            put_le32(e, x);
            break;
        }
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_DOUBLE: {
            uint64_t x;
            memcpy(&x, v, 8);
            put_le64(e, x);
            break;
        }
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(char *const *)v;
            size_t n = s ? strlen(s) : 0;
            put_varint(e, n);
            put_bytes(e, s, n);
            break;
        }
        case PROTOBUF_C_TYPE_BYTES: {
            const ProtobufCBinaryData *b = v;
            put_varint(e, b->len);
            put_bytes(e, b->data, b->len);
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *)v;
            size_t start = open_len(e);
            if (sub) {
                encode_message(e, sub, depth + 1);
            }
            close_len(e, start);
            break;
        }
        default:
            break;
    }
}

/* proto3 (LABEL_NONE) fields are skipped when zero, as protobuf-c does. */
static bool is_zeroish(ProtobufCType t, const void *v)
{
    switch (t) {
        case PROTOBUF_C_TYPE_BOOL:
            return *(const protobuf_c_boolean *)v == 0;
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_ENUM:
            return *(const uint32_t *)v == 0;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED64:
            return *(const uint64_t *)v == 0;
        case PROTOBUF_C_TYPE_FLOAT:
            return *(const float *)v == 0;
        case PROTOBUF_C_TYPE_DOUBLE:
            return *(const double *)v == 0;
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(char *const *)v;
            return !s || !*s;
        }
        case PROTOBUF_C_TYPE_BYTES:
            return ((const ProtobufCBinaryData *)v)->len == 0;
        case PROTOBUF_C_TYPE_MESSAGE:
            return *(void *const *)v == NULL;
        default:
            return true;
    }
}

enum {
    PB_MAX_DEPTH = 32, /* our schema nests 3 deep; a cycle can't loop forever */
};

static void encode_message(struct enc *e, const ProtobufCMessage *m, int depth)
{
    if (depth > PB_MAX_DEPTH) {
        e->overflow = true;
        return;
    }
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const uint8_t *base = (const uint8_t *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const void *member = base + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(const void *)(base + f->quantifier_offset);
            if (n == 0) {
                continue;
            }
            const uint8_t *arr = *(const uint8_t *const *)member;
            size_t es = elem_size(f->type);
            if (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) {
                put_tag(e, f->id, WT_LEN);
                size_t start = open_len(e);
                for (size_t k = 0; k < n; k++) {
                    put_value(e, f->type, arr + k * es, depth);
                }
                close_len(e, start);
            } else {
                unsigned wt = wire_type(f->type);
                for (size_t k = 0; k < n; k++) {
                    put_tag(e, f->id, wt);
                    put_value(e, f->type, arr + k * es, depth);
                }
            }
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_NONE && is_zeroish(f->type, member)) {
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
                f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING) {
            if (!*(const protobuf_c_boolean *)(const void *)(base + f->quantifier_offset)) {
                continue;
            }
        }
        if ((f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING) &&
                *(void *const *)member == NULL) {
            continue;
        }
        put_tag(e, f->id, wire_type(f->type));
        put_value(e, f->type, member, depth);
    }
}

int nc_encode_delimited(struct nc_dbuf *b, const ProtobufCMessage *m)
{
    size_t want = 256;
    for (;;) {
        int rc = nc_dbuf_reserve(b, want);
        if (rc != NC_OK) {
            return rc;
        }
        struct enc e = { b->p, b->len, b->alloc, false };
        size_t start = open_len(&e);
        encode_message(&e, m, 0);
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
