/*
 * summary: a fast protobuf encoder driven by protobuf-c descriptors.
 *
 * Why not protobuf_c_message_pack(): it walks every message twice (size,
 * then pack) through fully generic code, and was a third of the capture
 * time. This encoder walks once, from a "plan" per message type compiled
 * from its descriptor at start-up (field offsets, pre-encoded tags, one
 * small kind code per field), so the hot loop is a switch per set field.
 * Each nested message (and the record's own length prefix) gets a one-byte
 * length slot, which is widened with a memmove in the rare case the body
 * is 128 bytes or longer. The output is byte-identical to protobuf-c's
 * (same field order, proto3 zero values skipped the same way, packed
 * repeated scalars); tests/unit/test_encode.c checks that on every record
 * type.
 */
#include "record/encode.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
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

enum {
    WT_VARINT = 0,
    WT_64 = 1,
    WT_LEN = 2,
    WT_32 = 5,
};

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

/* ------------------------------------------------------------------ plans */

enum kind {
    K_INT32,  /* int32, enum: sign-extended varint */
    K_UINT32,
    K_SINT32,
    K_VARINT64, /* int64, uint64 */
    K_SINT64,
    K_BOOL,
    K_FIXED32, /* fixed32, sfixed32, float */
    K_FIXED64, /* fixed64, sfixed64, double */
    K_DOUBLE,  /* like FIXED64 but zero test is floating-point (-0.0 is zero) */
    K_FLOAT,
    K_STRING,
    K_BYTES,
    K_MESSAGE,
};

struct plan;

struct field_plan {
    uint32_t offset, qoffset;
    uint8_t tag[6];
    uint8_t tag_len;
    uint8_t kind;
    bool repeated, packed, proto3, has_flag;
    uint8_t elem_size;
    const struct plan *sub; /* K_MESSAGE */
    ProtobufCType type;
};

struct plan {
    const ProtobufCMessageDescriptor *desc;
    unsigned n;
    struct field_plan *f;
};

enum {
    PLAN_MAX = 256, /* message types; our schema has about 40 */
};

static struct plan plans[PLAN_MAX];
static size_t n_plans;
static bool plans_failed;
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

static const struct plan *plan_find(const ProtobufCMessageDescriptor *d)
{
    for (size_t i = 0; i < n_plans; i++) {
        if (plans[i].desc == d) {
            return &plans[i];
        }
    }
    return NULL;
}

static enum kind kind_of(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_ENUM:
            return K_INT32;
        case PROTOBUF_C_TYPE_UINT32:
            return K_UINT32;
        case PROTOBUF_C_TYPE_SINT32:
            return K_SINT32;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
            return K_VARINT64;
        case PROTOBUF_C_TYPE_SINT64:
            return K_SINT64;
        case PROTOBUF_C_TYPE_BOOL:
            return K_BOOL;
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
            return K_FIXED32;
        case PROTOBUF_C_TYPE_FLOAT:
            return K_FLOAT;
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED64:
            return K_FIXED64;
        case PROTOBUF_C_TYPE_DOUBLE:
            return K_DOUBLE;
        case PROTOBUF_C_TYPE_STRING:
            return K_STRING;
        case PROTOBUF_C_TYPE_BYTES:
            return K_BYTES;
        case PROTOBUF_C_TYPE_MESSAGE:
        default:
            return K_MESSAGE;
    }
}

static unsigned wire_type(ProtobufCType t);
static size_t elem_size(ProtobufCType t);

/* Compile the plan for d and (recursively) its nested message types. */
static const struct plan *plan_build(const ProtobufCMessageDescriptor *d, int depth)
{
    const struct plan *have = plan_find(d);
    if (have) {
        return have;
    }
    if (n_plans >= PLAN_MAX || depth > 32) {
        plans_failed = true;
        return NULL;
    }
    struct plan *p = &plans[n_plans++];
    p->desc = d;
    p->n = d->n_fields;
    p->f = nc_calloc(d->n_fields ? d->n_fields : 1, sizeof(*p->f));
    if (!p->f) {
        plans_failed = true;
        return NULL;
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[i];
        struct field_plan *fp = &p->f[i];
        fp->offset = fd->offset;
        fp->qoffset = fd->quantifier_offset;
        fp->type = fd->type;
        fp->kind = (uint8_t)kind_of(fd->type);
        fp->repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
        fp->packed = fp->repeated && (fd->flags & PROTOBUF_C_FIELD_FLAG_PACKED);
        fp->proto3 = fd->label == PROTOBUF_C_LABEL_NONE;
        fp->has_flag = fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
                fd->type != PROTOBUF_C_TYPE_MESSAGE && fd->type != PROTOBUF_C_TYPE_STRING;
        fp->elem_size = (uint8_t)elem_size(fd->type);
        uint64_t tag = (uint64_t)fd->id << 3 | (fp->packed ? 2u : wire_type(fd->type));
        fp->tag_len = (uint8_t)nc_varint_put(fp->tag, tag);
        if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
            fp->sub = plan_build(fd->descriptor, depth + 1);
        }
    }
    return p;
}

static void plans_init(void)
{
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        plan_build(nc_rec_info((enum nc_rec_type)t)->desc, 0);
    }
    plan_build(&netcap__header__descriptor, 0);
}

static void encode_plan(struct enc *e, const struct plan *p, const uint8_t *base, int depth);

enum {
    PB_MAX_DEPTH = 32, /* our schema nests 3 deep; a cycle can't loop forever */
};

static inline void put_tagbytes(struct enc *e, const struct field_plan *f)
{
    if (NC_LIKELY(f->tag_len == 1 && room(e, 1))) {
        e->p[e->len++] = f->tag[0];
        return;
    }
    put_bytes(e, f->tag, f->tag_len);
}

/* One value of field f at v (not its tag). */
static inline void put_plan_value(struct enc *e, const struct field_plan *f, const void *v,
        int depth)
{
    switch (f->kind) {
        case K_INT32:
            put_varint(e, (uint64_t)(int64_t) * (const int32_t *)v);
            break;
        case K_UINT32:
            put_varint(e, *(const uint32_t *)v);
            break;
        case K_SINT32: {
            int32_t x = *(const int32_t *)v;
            put_varint(e, (uint32_t)((uint32_t)x << 1) ^ (uint32_t)(x >> 31));
            break;
        }
        case K_VARINT64:
            put_varint(e, *(const uint64_t *)v);
            break;
        case K_SINT64: {
            int64_t x = *(const int64_t *)v;
            put_varint(e, ((uint64_t)x << 1) ^ (uint64_t)(x >> 63));
            break;
        }
        case K_BOOL:
            if (room(e, 1)) {
                e->p[e->len++] = *(const protobuf_c_boolean *)v ? 1 : 0;
            }
            break;
        case K_FIXED32:
        case K_FLOAT: {
            uint32_t x;
            memcpy(&x, v, 4);
            put_le32(e, x);
            break;
        }
        case K_FIXED64:
        case K_DOUBLE: {
            uint64_t x;
            memcpy(&x, v, 8);
            put_le64(e, x);
            break;
        }
        case K_STRING: {
            const char *s = *(char *const *)v;
            size_t n = s ? strlen(s) : 0;
            put_varint(e, n);
            put_bytes(e, s, n);
            break;
        }
        case K_BYTES: {
            const ProtobufCBinaryData *b = v;
            put_varint(e, b->len);
            put_bytes(e, b->data, b->len);
            break;
        }
        case K_MESSAGE:
        default: {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *)v;
            size_t start = open_len(e);
            if (sub && f->sub) {
                encode_plan(e, f->sub, (const uint8_t *)sub, depth + 1);
            }
            close_len(e, start);
            break;
        }
    }
}

/* proto3 (no label) fields are skipped when zero, as protobuf-c does. */
static inline bool plan_zeroish(const struct field_plan *f, const void *v)
{
    switch (f->kind) {
        case K_BOOL:
            return *(const protobuf_c_boolean *)v == 0;
        case K_INT32:
        case K_UINT32:
        case K_SINT32:
        case K_FIXED32:
            return *(const uint32_t *)v == 0;
        case K_VARINT64:
        case K_SINT64:
        case K_FIXED64:
            return *(const uint64_t *)v == 0;
        case K_FLOAT:
            return *(const float *)v == 0;
        case K_DOUBLE:
            return *(const double *)v == 0;
        case K_STRING: {
            const char *s = *(char *const *)v;
            return !s || !*s;
        }
        case K_BYTES:
            return ((const ProtobufCBinaryData *)v)->len == 0;
        case K_MESSAGE:
        default:
            return *(void *const *)v == NULL;
    }
}

static void encode_plan(struct enc *e, const struct plan *p, const uint8_t *base, int depth)
{
    if (depth > PB_MAX_DEPTH) {
        e->overflow = true;
        return;
    }
    for (unsigned i = 0; i < p->n; i++) {
        const struct field_plan *f = &p->f[i];
        const void *member = base + f->offset;
        if (f->repeated) {
            size_t n = *(const size_t *)(const void *)(base + f->qoffset);
            if (n == 0) {
                continue;
            }
            const uint8_t *arr = *(const uint8_t *const *)member;
            if (f->packed) {
                put_tagbytes(e, f);
                size_t start = open_len(e);
                for (size_t k = 0; k < n; k++) {
                    put_plan_value(e, f, arr + k * f->elem_size, depth);
                }
                close_len(e, start);
            } else {
                for (size_t k = 0; k < n; k++) {
                    put_tagbytes(e, f);
                    put_plan_value(e, f, arr + k * f->elem_size, depth);
                }
            }
            continue;
        }
        if (f->proto3) {
            if (plan_zeroish(f, member)) {
                continue;
            }
        } else if (f->has_flag) {
            if (!*(const protobuf_c_boolean *)(const void *)(base + f->qoffset)) {
                continue;
            }
        } else if ((f->kind == K_MESSAGE || f->kind == K_STRING) && !*(void *const *)member) {
            continue;
        }
        put_tagbytes(e, f);
        put_plan_value(e, f, member, depth);
    }
}

int nc_encode_delimited(struct nc_dbuf *b, const ProtobufCMessage *m)
{
    pthread_once(&plans_once, plans_init);
    const struct plan *p = plan_find(m->descriptor);
    if (!p || plans_failed) {
        /* a message outside the schema's registry, or no memory for plans */
        return nc_encode_delimited_ref(b, m);
    }
    size_t want = 256;
    for (;;) {
        int rc = nc_dbuf_reserve(b, want);
        if (rc != NC_OK) {
            return rc;
        }
        struct enc e = { b->p, b->len, b->alloc, false };
        size_t start = open_len(&e);
        encode_plan(&e, p, (const uint8_t *)m, 0);
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
