/*
 * summary: build-time generator of straight-line protobuf encoders.
 *
 * Reads the protobuf-c descriptors of every record type (records.def) and of
 * Header, and prints C code (build/gen/encoders.inc, included by
 * src/record/pbwrite.c) with one function per message type: a fixed
 * sequence of "if set: tag, value" steps with the field offsets and
 * pre-encoded tags as constants. The schema stays the single source: this
 * tool knows nothing of any message, it only walks descriptors. The
 * generated encoders write exactly the bytes protobuf-c writes (checked by
 * tests/unit/test_encode.c).
 *
 * usage: gen-encoders > encoders.inc      (built and run by the Makefile)
 */
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "netcap.pb-c.h"

enum {
    MAX_MSGS = 256,
};

static const ProtobufCMessageDescriptor *roots[] = {
#define NC_RECORD(name, num, desc) &desc,
#include "records.def"
#undef NC_RECORD
};

static const ProtobufCMessageDescriptor *msgs[MAX_MSGS];
static size_t n_msgs;

static size_t msg_index(const ProtobufCMessageDescriptor *d)
{
    for (size_t i = 0; i < n_msgs; i++) {
        if (msgs[i] == d) {
            return i;
        }
    }
    if (n_msgs == MAX_MSGS) {
        fprintf(stderr, "gen-encoders: more than %d message types\n", MAX_MSGS);
        exit(1);
    }
    msgs[n_msgs] = d;
    return n_msgs++;
}

/* Collect d and every message type it nests, depth first. */
static void collect(const ProtobufCMessageDescriptor *d)
{
    size_t before = n_msgs;
    size_t i = msg_index(d);
    if (i < before) {
        return; /* seen */
    }
    for (unsigned f = 0; f < d->n_fields; f++) {
        /* A oneof member's value is valid only when the case field names
         * it; the straight-line encoder would write every member, heap
         * garbage included. Refuse rather than emit wrong bytes. */
        if (d->fields[f].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            fprintf(stderr,
                    "gen-encoders: %s.%s is in a oneof, which the generated encoders do not "
                    "support; use plain optional fields\n",
                    d->name, d->fields[f].name);
            exit(1);
        }
        if (d->fields[f].type == PROTOBUF_C_TYPE_MESSAGE) {
            collect(d->fields[f].descriptor);
        }
    }
}

static unsigned wire_type(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_FLOAT:
            return 5;
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_DOUBLE:
            return 1;
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_BYTES:
        case PROTOBUF_C_TYPE_MESSAGE:
            return 2;
        default:
            return 0;
    }
}

/* The tag as a C string literal of escaped bytes, and its length. */
static size_t tag_literal(char *out, unsigned id, unsigned wt)
{
    unsigned long long v = (unsigned long long)id << 3 | wt;
    size_t n = 0, o = 0;
    do {
        unsigned b = (unsigned)(v & 0x7f);
        v >>= 7;
        if (v) {
            b |= 0x80;
        }
        o += (size_t)snprintf(out + o, 8, "\\x%02x", b);
        n++;
    } while (v);
    return n;
}

/* C type and the expression that encodes value `v` of field type t. */
static const char *ctype(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_ENUM:
            return "int32_t";
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
            return "uint32_t";
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
            return "int64_t";
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
            return "uint64_t";
        case PROTOBUF_C_TYPE_FLOAT:
            return "float";
        case PROTOBUF_C_TYPE_DOUBLE:
            return "double";
        case PROTOBUF_C_TYPE_BOOL:
            return "protobuf_c_boolean";
        case PROTOBUF_C_TYPE_STRING:
            return "const char *";
        case PROTOBUF_C_TYPE_BYTES:
            return "ProtobufCBinaryData";
        case PROTOBUF_C_TYPE_MESSAGE:
        default:
            return "const uint8_t *";
    }
}

/* A singular scalar: its tag and value have a fixed upper bound on the
 * wire, so a run of them needs one room check (see gen_message). */
static bool is_scalar(const ProtobufCFieldDescriptor *f)
{
    return f->label == PROTOBUF_C_LABEL_NONE && f->type != PROTOBUF_C_TYPE_STRING &&
           f->type != PROTOBUF_C_TYPE_BYTES && f->type != PROTOBUF_C_TYPE_MESSAGE;
}

/* Most bytes a scalar value of type t takes on the wire. */
static size_t value_bound(ProtobufCType t)
{
    switch (t) {
        case PROTOBUF_C_TYPE_BOOL:
            return 1;
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_UINT32:
            return 5;
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FLOAT:
            return 4;
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_DOUBLE:
            return 8;
        default:
            return 10; /* int32 and enums are sign-extended to 64 bits */
    }
}

/* Statement writing scalar v (not its tag) at cursor o, unchecked. */
static void w_value(const ProtobufCFieldDescriptor *f, const char *v)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_ENUM:
            printf("o = w_varint(o, (uint64_t)(int64_t)%s);", v);
            break;
        case PROTOBUF_C_TYPE_SINT32:
            printf("o = w_varint(o, ((uint32_t)%s << 1) ^ (uint32_t)(%s >> 31));", v, v);
            break;
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_UINT64:
            printf("o = w_varint(o, %s);", v);
            break;
        case PROTOBUF_C_TYPE_INT64:
            printf("o = w_varint(o, (uint64_t)%s);", v);
            break;
        case PROTOBUF_C_TYPE_SINT64:
            printf("o = w_varint(o, ((uint64_t)%s << 1) ^ (uint64_t)(%s >> 63));", v, v);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            printf("*o++ = (uint8_t)(%s ? 1 : 0);", v);
            break;
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FLOAT:
            printf("o = w_raw32(o, &%s);", v);
            break;
        default: /* FIXED64, SFIXED64, DOUBLE */
            printf("o = w_raw64(o, &%s);", v);
            break;
    }
}

/* Statement writing value v (not its tag). */
static void put_value(const ProtobufCFieldDescriptor *f, const char *v)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_ENUM:
            printf("put_varint(e, (uint64_t)(int64_t)%s);", v);
            break;
        case PROTOBUF_C_TYPE_SINT32:
            printf("put_varint(e, ((uint32_t)%s << 1) ^ (uint32_t)(%s >> 31));", v, v);
            break;
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_UINT64:
            printf("put_varint(e, %s);", v);
            break;
        case PROTOBUF_C_TYPE_INT64:
            printf("put_varint(e, (uint64_t)%s);", v);
            break;
        case PROTOBUF_C_TYPE_SINT64:
            printf("put_varint(e, ((uint64_t)%s << 1) ^ (uint64_t)(%s >> 63));", v, v);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            printf("put_u8(e, %s ? 1 : 0);", v);
            break;
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FLOAT:
            printf("put_raw32(e, &%s);", v);
            break;
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_DOUBLE:
            printf("put_raw64(e, &%s);", v);
            break;
        case PROTOBUF_C_TYPE_STRING:
            printf("put_str(e, %s);", v);
            break;
        case PROTOBUF_C_TYPE_BYTES:
            printf("put_varint(e, %s.len); put_bytes(e, %s.data, %s.len);", v, v, v);
            break;
        case PROTOBUF_C_TYPE_MESSAGE:
        default:
            printf("{ size_t st = open_len(e); if (%s) { enc_%zu(e, %s, depth + 1); } "
                   "close_len(e, st); }",
                    v, msg_index(f->descriptor), v);
            break;
    }
}

/* Condition under which a proto3 singular field is written. */
static void present(const ProtobufCFieldDescriptor *f, const char *v)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_STRING:
            printf("%s && %s[0]", v, v);
            break;
        case PROTOBUF_C_TYPE_BYTES:
            printf("%s.len", v);
            break;
        case PROTOBUF_C_TYPE_MESSAGE:
            printf("%s", v);
            break;
        default:
            printf("%s != 0", v);
            break;
    }
}

static void gen_message(size_t idx)
{
    const ProtobufCMessageDescriptor *d = msgs[idx];
    printf("\n/* %s */\nstatic void enc_%zu(struct enc *e, const uint8_t *m, int depth)\n{\n",
            d->name, idx);
    printf("    if (depth > PB_MAX_DEPTH) {\n        e->overflow = true;\n        return;\n    "
           "}\n");
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        char tag[64];
        if (is_scalar(f)) {
            /* a run of scalars: one room check for the run's worst case,
             * then unchecked writes through a local cursor */
            unsigned j = i;
            size_t bound = 0;
            for (; j < d->n_fields && is_scalar(&d->fields[j]); j++) {
                bound += tag_literal(tag, d->fields[j].id, wire_type(d->fields[j].type)) +
                         value_bound(d->fields[j].type);
            }
            printf("    if (!room(e, %zu)) {\n        return;\n    }\n", bound);
            printf("    {\n        uint8_t *o = e->p + e->len;\n");
            for (; i < j; i++) {
                f = &d->fields[i];
                size_t tl = tag_literal(tag, f->id, wire_type(f->type));
                printf("        { /* %s */\n", f->name);
                printf("            %s v;\n            memcpy(&v, m + %u, sizeof(v));\n",
                        ctype(f->type), f->offset);
                printf("            if (");
                present(f, "v");
                printf(") {\n                o = w_tag(o, \"%s\", %zu);\n                ", tag,
                        tl);
                w_value(f, "v");
                printf("\n            }\n        }\n");
            }
            printf("        e->len = (size_t)(o - e->p);\n    }\n");
            i--; /* the loop's i++ */
            continue;
        }
        bool packed =
                f->label == PROTOBUF_C_LABEL_REPEATED && (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED);
        size_t tl = tag_literal(tag, f->id, packed ? 2 : wire_type(f->type));
        const char *ct = ctype(f->type);
        printf("    { /* %s */\n", f->name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            printf("        size_t n;\n        memcpy(&n, m + %u, sizeof(n));\n",
                    f->quantifier_offset);
            printf("        const uint8_t *arr;\n        memcpy(&arr, m + %u, sizeof(arr));\n",
                    f->offset);
            printf("        if (n) {\n");
            if (packed) {
                printf("            put_tag(e, \"%s\", %zu);\n", tag, tl);
                printf("            size_t st = open_len(e);\n");
            }
            printf("            for (size_t k = 0; k < n; k++) {\n");
            printf("                %s v;\n                memcpy(&v, arr + k * sizeof(v), "
                   "sizeof(v));\n",
                    ct);
            if (!packed) {
                printf("                put_tag(e, \"%s\", %zu);\n", tag, tl);
            }
            printf("                ");
            put_value(f, "v");
            printf("\n            }\n");
            if (packed) {
                printf("            close_len(e, st);\n");
            }
            printf("        }\n");
        } else if (f->label == PROTOBUF_C_LABEL_NONE) {
            printf("        %s v;\n        memcpy(&v, m + %u, sizeof(v));\n", ct, f->offset);
            printf("        if (");
            present(f, "v");
            printf(") {\n            ");
            if (f->type == PROTOBUF_C_TYPE_STRING) {
                printf("put_tagged_str(e, \"%s\", %zu, v);", tag, tl);
            } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
                printf("put_tagged_bytes(e, \"%s\", %zu, v.data, v.len);", tag, tl);
            } else {
                printf("put_tag(e, \"%s\", %zu);\n            ", tag, tl);
                put_value(f, "v");
            }
            printf("\n        }\n");
        } else {
            /* proto2 labels do not occur in our proto3 schema */
            fprintf(stderr, "gen-encoders: %s.%s: only proto3 fields are supported\n", d->name,
                    f->name);
            exit(1);
        }
        printf("    }\n");
    }
    printf("}\n");
}

int main(void)
{
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        collect(roots[i]);
    }
    collect(&netcap__header__descriptor);
    printf("/* generated by scripts/gen-encoders.c from the schema's descriptors: do not edit "
           "*/\n");
    for (size_t i = 0; i < n_msgs; i++) {
        printf("static void enc_%zu(struct enc *e, const uint8_t *m, int depth);\n", i);
    }
    for (size_t i = 0; i < n_msgs; i++) {
        gen_message(i);
    }
    printf("\n/* encoder of each record type, in records.def order */\n");
    printf("static void (*const gen_by_rec[])(struct enc *, const uint8_t *, int) = {\n");
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        printf("    enc_%zu,\n", msg_index(roots[i]));
    }
    printf("};\n");
    printf("#define GEN_ENC_HEADER enc_%zu\n", msg_index(&netcap__header__descriptor));
    return 0;
}
