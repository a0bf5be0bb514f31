/*
 * summary: Netcap (Go) header detection: a walk over the top-level fields
 *          of the first message, through the bounds-checked reader.
 */
#include "record/ncgo.h"

#include <stdio.h>

#include "core/rd.h"

enum {
    WIRE_VARINT = 0,
    WIRE_I64 = 1,
    WIRE_LEN = 2,
    WIRE_I32 = 5,
    SHOW_MAX = 48, /* bytes of Version / InputSource quoted in the message */
};

/* A protobuf varint (at most 10 bytes); poisons the reader if malformed. */
static uint64_t rd_varint(struct nc_rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        uint8_t b = nc_rd_u8(r);
        if (!nc_rd_ok(r)) {
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            return v;
        }
    }
    nc_rd_fail(r, NC_EMALFORMED);
    return 0;
}

/* Copies printable ASCII of s into out (NUL-terminated), '?' for the rest:
 * the text comes from an untrusted file and goes to a terminal. */
static void show(struct nc_span s, char *out, size_t out_len)
{
    size_t n = NC_MIN(s.len, NC_MIN((size_t)SHOW_MAX, out_len - 1));
    for (size_t i = 0; i < n; i++) {
        out[i] = s.p[i] >= 0x20 && s.p[i] < 0x7f ? (char)s.p[i] : '?';
    }
    out[n] = '\0';
}

static bool version_like(struct nc_span v)
{
    return v.len >= 2 && v.p[0] == 'v' && v.p[1] >= '0' && v.p[1] <= '9';
}

bool nc_ncgo_header(const uint8_t *p, size_t n, char *msg, size_t msg_len)
{
    struct nc_rd r = nc_rd_make(p, n);
    bool created_str = false, payload_bool = false, ours = false;
    struct nc_span version = { NULL, 0 }, source = { NULL, 0 };
    while (nc_rd_left(&r) > 0 && nc_rd_ok(&r)) {
        uint64_t key = rd_varint(&r);
        uint64_t field = key >> 3;
        unsigned wire = (unsigned)(key & 7);
        struct nc_span s = { NULL, 0 };
        switch (wire) {
            case WIRE_VARINT:
                rd_varint(&r);
                break;
            case WIRE_I64:
                nc_rd_skip(&r, 8);
                break;
            case WIRE_I32:
                nc_rd_skip(&r, 4);
                break;
            case WIRE_LEN: {
                uint64_t len = rd_varint(&r);
                s = nc_rd_span(&r, len > n ? n + 1 : (size_t)len); /* too long: poisons */
                break;
            }
            default:
                nc_rd_fail(&r, NC_EMALFORMED); /* groups never appear in either header */
                break;
        }
        if (!nc_rd_ok(&r)) {
            break;
        }
        if (field == 6 || field == 7) {
            ours = true; /* schema_version, type_name: only our Header has them */
        } else if (field == 1 && wire == WIRE_LEN) {
            created_str = true;
        } else if (field == 5 && wire == WIRE_VARINT) {
            payload_bool = true;
        } else if (field == 4 && wire == WIRE_LEN) {
            version = s;
        } else if (field == 2 && wire == WIRE_LEN) {
            source = s;
        }
    }
    if (!nc_rd_ok(&r) || ours || !(created_str || payload_bool || version_like(version))) {
        return false;
    }
    char ver[SHOW_MAX + 1], src[SHOW_MAX + 1];
    show(version, ver, sizeof(ver));
    show(source, src, sizeof(src));
    snprintf(msg, msg_len,
            "a record file of Netcap, the Go tool (%s%s%s%s), which this netcap does not read: "
            "re-run netcap capture -read on the pcap to make netcap record files",
            ver[0] ? ver : "version unknown", src[0] ? ", input \"" : "", src, src[0] ? "\"" : "");
    return true;
}
