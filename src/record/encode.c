/*
 * summary: length-delimited protobuf encoding of records.
 */
#include "record/encode.h"

size_t nc_varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int nc_varint_get(const uint8_t *p, size_t n, uint64_t *v, size_t *used)
{
    uint64_t x = 0;
    for (size_t i = 0; i < NC_VARINT_MAX; i++) {
        if (i >= n) {
            return NC_EAGAIN;
        }
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            *used = i + 1;
            return NC_OK;
        }
    }
    return NC_EMALFORMED;
}

/* Reference implementation with protobuf-c, kept for tests (test_encode.c
 * proves nc_encode_delimited() writes the same bytes). */
int nc_encode_delimited_ref(struct nc_dbuf *b, const ProtobufCMessage *m)
{
    size_t len = protobuf_c_message_get_packed_size(m);
    int rc = nc_dbuf_reserve(b, len + NC_VARINT_MAX);
    if (rc != NC_OK) {
        return rc;
    }
    b->len += nc_varint_put(b->p + b->len, len);
    b->len += protobuf_c_message_pack(m, b->p + b->len);
    return NC_OK;
}
