/*
 * summary: record file reader: compression detection, streaming zstd/gzip
 *          decompression, header, and bounded record framing.
 *
 * Data path: fd -> in[] (IN_CHUNK raw bytes) -> decompressor -> win (the
 * decompressed window) -> varint length + message -> protobuf-c unpack.
 * win holds the unread tail of the stream; it is compacted before each
 * fill and grows only as far as one record needs (at most NC_RECORD_MAX
 * plus a chunk), so no input size or compression ratio can make it larger.
 */
#include "record/ncfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "core/dbuf.h"
#include "core/mem.h"
#include "record/encode.h"
#include "record/ncgo.h"

enum {
    IN_CHUNK = 128 * 1024,  /* raw bytes per read(2) */
    OUT_CHUNK = 128 * 1024, /* smallest decompression step into the window */
    WIN_CAP = NC_RECORD_MAX + NC_VARINT_MAX + OUT_CHUNK,
    HEADER_UNPACK_MAX = 4 * 1024 * 1024, /* heap for the unpacked header */
    ZSTD_WINDOW_LOG_MAX = 27, /* zstd's default cap (128 MiB window), stated explicitly */
};

/* protobuf-c allocator with a byte budget per unpack: a small record that
 * declares millions of empty nested messages must not take gigabytes. */
struct budget {
    size_t used;
    size_t cap;
    bool hit;
};

struct nc_ncfile {
    int fd;
    bool own_fd;
    enum nc_ncfile_comp comp;

    uint8_t *in; /* raw input: in[in_pos..in_len) not yet consumed */
    size_t in_len, in_pos;
    bool in_eof;

    ZSTD_DStream *zs;
    bool zs_open; /* inside a zstd frame (it needs more input or output) */
    z_stream z;
    bool z_ready; /* inflateInit2 done */
    bool z_open;  /* inside a gzip member */

    struct nc_dbuf win; /* decompressed bytes; win.p[win_pos..win.len) unread */
    size_t win_pos;
    uint64_t win_base;  /* stream offset of win.p[0]: bytes dropped by compaction */
    uint64_t rec_off;   /* stream offset of the last record read or failed */
    const uint8_t *raw; /* packed bytes of the last record returned (in win) */
    size_t raw_len;
    bool src_done; /* the decompressed stream ended cleanly */
    int pending;   /* error found after good output: reported by the next fill */
    bool byte_err; /* the last error came from reading/decompressing, not framing */

    struct budget hbud, rbud;
    ProtobufCAllocator halloc, ralloc;
    Netcap__Header *hdr;
    enum nc_rec_type type;
    const ProtobufCMessageDescriptor *desc;
    ProtobufCMessage *msg;
    uint64_t count;

    int failed;               /* sticky error of nc_ncfile_next */
    char err[NC_ERRBUF_SIZE]; /* its message */
    char why[NC_ERRBUF_SIZE]; /* detail from the byte layer */
};

static void *budget_alloc(void *data, size_t n)
{
    struct budget *b = data;
    if (n > b->cap - b->used) {
        b->hit = true;
        return NULL;
    }
    b->used += n;
    return nc_malloc(n);
}

static void budget_free(void *data, void *p)
{
    NC_UNUSED(data);
    nc_free(p);
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    NC_UNUSED(opaque);
    return nc_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    NC_UNUSED(opaque);
    nc_free(p);
}

/* ------------------------------------------------------------ byte layer */

/* Appends whatever one read(2) returns to in[]; sets in_eof at the end. */
static int read_in(struct nc_ncfile *f)
{
    if (f->in_pos == f->in_len) {
        f->in_pos = f->in_len = 0;
    }
    for (;;) {
        ssize_t n = read(f->fd, f->in + f->in_len, IN_CHUNK - f->in_len);
        if (n > 0) {
            f->in_len += (size_t)n;
            return NC_OK;
        }
        if (n == 0) {
            f->in_eof = true;
            return NC_OK;
        }
        if (errno != EINTR) {
            snprintf(f->why, sizeof(f->why), "read error: %s", strerror(errno));
            return NC_EIO;
        }
    }
}

static size_t in_avail(const struct nc_ncfile *f)
{
    return f->in_len - f->in_pos;
}

static int fill_plain(struct nc_ncfile *f, uint8_t *dst, size_t room, size_t *got)
{
    *got = 0;
    while (*got == 0) {
        if (in_avail(f) == 0) {
            if (f->in_eof) {
                f->src_done = true;
                return NC_OK;
            }
            int rc = read_in(f);
            if (rc != NC_OK) {
                return rc;
            }
            continue;
        }
        size_t n = NC_MIN(room, in_avail(f));
        memcpy(dst, f->in + f->in_pos, n);
        f->in_pos += n;
        *got = n;
    }
    return NC_OK;
}

/* ZSTD_decompressStream reads concatenated frames on its own; zs_open
 * tells a clean end (between frames) from a truncated frame. */
static int fill_zstd(struct nc_ncfile *f, uint8_t *dst, size_t room, size_t *got)
{
    ZSTD_outBuffer ob = { dst, room, 0 };
    int rc = NC_OK;
    while (ob.pos < ob.size && rc == NC_OK) {
        if (in_avail(f) == 0 && !f->in_eof) {
            if (ob.pos > 0) {
                break; /* deliver what we have before blocking on more input */
            }
            rc = read_in(f);
            continue;
        }
        if (in_avail(f) == 0 && !f->zs_open) {
            f->src_done = true; /* end of input between frames */
            break;
        }
        ZSTD_inBuffer ib = { f->in, f->in_len, f->in_pos };
        size_t before = ob.pos;
        size_t ret = ZSTD_decompressStream(f->zs, &ob, &ib);
        f->in_pos = ib.pos;
        if (ZSTD_isError(ret)) {
            snprintf(f->why, sizeof(f->why), "corrupt zstd data (%s)", ZSTD_getErrorName(ret));
            rc = NC_EMALFORMED;
            break;
        }
        f->zs_open = ret != 0;
        if (in_avail(f) == 0 && f->in_eof && f->zs_open && ob.pos == before) {
            snprintf(
                    f->why, sizeof(f->why), "truncated (compressed data ends inside a zstd frame)");
            rc = NC_ETRUNC;
        }
    }
    *got = ob.pos; /* also on error: the bytes before the damage count */
    return rc;
}

/* inflate stops at the end of each gzip member; a following member starts
 * after inflateReset, so concatenated members read as one stream. */
static int fill_gzip(struct nc_ncfile *f, uint8_t *dst, size_t room, size_t *got)
{
    size_t done = 0;
    int rc = NC_OK;
    while (done < room && rc == NC_OK) {
        if (in_avail(f) == 0 && !f->in_eof) {
            if (done > 0) {
                break;
            }
            rc = read_in(f);
            continue;
        }
        if (in_avail(f) == 0) {
            if (f->z_open) {
                snprintf(f->why, sizeof(f->why),
                        "truncated (compressed data ends inside a gzip member)");
                rc = NC_ETRUNC;
                break;
            }
            f->src_done = true;
            break;
        }
        if (!f->z_open) {
            if (inflateReset(&f->z) != Z_OK) {
                snprintf(f->why, sizeof(f->why), "gzip: cannot reset the decompressor");
                rc = NC_EIO;
                break;
            }
            f->z_open = true;
        }
        size_t out_room = NC_MIN(room - done, (size_t)UINT32_MAX);
        f->z.next_in = f->in + f->in_pos;
        f->z.avail_in = (uInt)in_avail(f);
        f->z.next_out = dst + done;
        f->z.avail_out = (uInt)out_room;
        int zr = inflate(&f->z, Z_NO_FLUSH);
        f->in_pos = f->in_len - f->z.avail_in;
        done += out_room - f->z.avail_out;
        if (zr == Z_STREAM_END) {
            f->z_open = false;
        } else if (zr == Z_MEM_ERROR) {
            snprintf(f->why, sizeof(f->why), "out of memory");
            rc = NC_ENOMEM;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            snprintf(f->why, sizeof(f->why), "corrupt gzip data (%s)",
                    f->z.msg ? f->z.msg : "inflate failed");
            rc = NC_EMALFORMED;
        }
    }
    *got = done; /* also on error: the bytes before the damage count */
    return rc;
}

/* Produces at least one more byte into the window unless the stream ended
 * (then src_done is set). want is how many more bytes the caller needs. */
static int fill(struct nc_ncfile *f, size_t want)
{
    if (f->pending != NC_OK) {
        f->byte_err = true;
        return f->pending; /* why still holds its message */
    }
    if (f->win_pos > 0) {
        f->win_base += f->win_pos;
        memmove(f->win.p, f->win.p + f->win_pos, f->win.len - f->win_pos);
        f->win.len -= f->win_pos;
        f->win_pos = 0;
    }
    want = NC_MAX(want, (size_t)OUT_CHUNK);
    int rc = nc_dbuf_reserve(&f->win, want);
    if (rc != NC_OK) {
        snprintf(f->why, sizeof(f->why), "%s", nc_strerror(rc));
        return rc;
    }
    uint8_t *dst = f->win.p + f->win.len;
    size_t got = 0;
    switch (f->comp) {
        case NC_NCFILE_ZSTD:
            rc = fill_zstd(f, dst, want, &got);
            break;
        case NC_NCFILE_GZIP:
            rc = fill_gzip(f, dst, want, &got);
            break;
        default:
            rc = fill_plain(f, dst, want, &got);
            break;
    }
    f->win.len += got;
    if (rc != NC_OK && got > 0) {
        /* Deliver the bytes decoded before the damage (they may complete
         * records) and report the error when more is needed. */
        f->pending = rc;
        return NC_OK;
    }
    f->byte_err = rc != NC_OK;
    return rc;
}

static size_t win_avail(const struct nc_ncfile *f)
{
    return f->win.len - f->win_pos;
}

/* Makes n unread bytes available; *ok is false if the stream ends first. */
static int need(struct nc_ncfile *f, size_t n, bool *ok)
{
    while (win_avail(f) < n && !f->src_done) {
        int rc = fill(f, n - win_avail(f));
        if (rc != NC_OK) {
            return rc;
        }
    }
    *ok = win_avail(f) >= n;
    return NC_OK;
}

/* One length-delimited frame of at most max bytes: NC_OK with *p and *len, or
 * NC_OK with *at_end when the stream ends cleanly before it. The frame is
 * consumed; *p is valid until the next fill. Errors leave text in why. */
static int read_frame(struct nc_ncfile *f, size_t max, const uint8_t **p, size_t *len, bool *at_end)
{
    *at_end = false;
    uint64_t v = 0;
    size_t used = 0;
    size_t k = 1;
    for (;;) {
        bool ok;
        int rc = need(f, k, &ok);
        if (rc != NC_OK) {
            return rc;
        }
        if (!ok) {
            if (win_avail(f) == 0) {
                *at_end = true;
                return NC_OK;
            }
            snprintf(f->why, sizeof(f->why), "truncated (file ends inside the length prefix)");
            return NC_ETRUNC;
        }
        rc = nc_varint_get(f->win.p + f->win_pos, win_avail(f), &v, &used);
        if (rc == NC_OK) {
            break;
        }
        if (rc != NC_EAGAIN) {
            snprintf(f->why, sizeof(f->why), "malformed length prefix (longer than %d bytes)",
                    NC_VARINT_MAX);
            return NC_EMALFORMED;
        }
        k = win_avail(f) + 1;
    }
    /* Check before use: the length becomes an allocation size. */
    if (v > max) {
        snprintf(f->why, sizeof(f->why), "length %llu exceeds the limit (%zu bytes)",
                (unsigned long long)v, max);
        return NC_ELIMIT;
    }
    bool ok;
    int rc = need(f, used + (size_t)v, &ok);
    if (rc != NC_OK) {
        return rc;
    }
    if (!ok) {
        snprintf(f->why, sizeof(f->why),
                "truncated (file ends inside the record: %zu of %llu bytes present)",
                win_avail(f) - used, (unsigned long long)v);
        return NC_ETRUNC;
    }
    *p = f->win.p + f->win_pos + used;
    *len = (size_t)v;
    f->win_pos += used + (size_t)v;
    return NC_OK;
}

/* ------------------------------------------------------------ open/header */

static bool is_pcap_magic(const uint8_t *p, size_t n)
{
    static const uint8_t magics[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, /* pcap, little-endian, microseconds */
        { 0xa1, 0xb2, 0xc3, 0xd4 }, /* pcap, big-endian */
        { 0x4d, 0x3c, 0xb2, 0xa1 }, /* pcap, little-endian, nanoseconds */
        { 0xa1, 0xb2, 0x3c, 0x4d }, /* pcap, big-endian, nanoseconds */
        { 0x0a, 0x0d, 0x0d, 0x0a }, /* pcapng section header block */
    };
    if (n < 4) {
        return false;
    }
    for (size_t i = 0; i < NC_ARRAY_LEN(magics); i++) {
        if (memcmp(p, magics[i], 4) == 0) {
            return true;
        }
    }
    return false;
}

static enum nc_ncfile_comp detect(const uint8_t *p, size_t n)
{
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
        return NC_NCFILE_ZSTD;
    }
    /* zstd skippable frame: magic 0x184D2A50..0x184D2A5F, little-endian. */
    if (n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18) {
        return NC_NCFILE_ZSTD;
    }
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        return NC_NCFILE_GZIP;
    }
    return NC_NCFILE_PLAIN;
}

static int start_decoder(struct nc_ncfile *f)
{
    if (f->comp == NC_NCFILE_ZSTD) {
        f->zs = ZSTD_createDStream();
        if (!f->zs) {
            return NC_ENOMEM;
        }
        size_t ret = ZSTD_initDStream(f->zs);
        if (!ZSTD_isError(ret)) {
            ret = ZSTD_DCtx_setParameter(f->zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
        }
        return ZSTD_isError(ret) ? NC_ENOMEM : NC_OK;
    }
    if (f->comp == NC_NCFILE_GZIP) {
        f->z.zalloc = z_alloc;
        f->z.zfree = z_free;
        f->z.opaque = NULL;
        /* 16 + MAX_WBITS: expect and check a gzip header and trailer. */
        if (inflateInit2(&f->z, 16 + MAX_WBITS) != Z_OK) {
            return NC_ENOMEM;
        }
        f->z_ready = true;
    }
    return NC_OK;
}

static const char *comp_name(enum nc_ncfile_comp c)
{
    switch (c) {
        case NC_NCFILE_ZSTD:
            return "zstd ";
        case NC_NCFILE_GZIP:
            return "gzip ";
        default:
            return "";
    }
}

/* Reads and checks the header. Any failure here means "this is not a
 * record file" unless the bytes looked like one up to the type check. */
static int read_header(struct nc_ncfile *f, char errbuf[NC_ERRBUF_SIZE])
{
    bool ok;
    int rc = need(f, 4, &ok);
    if (rc != NC_OK) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s", f->why);
        return rc;
    }
    if (win_avail(f) == 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "empty %sfile: not a netcap record file",
                comp_name(f->comp));
        return NC_EMALFORMED;
    }
    if (is_pcap_magic(f->win.p + f->win_pos, win_avail(f))) {
        snprintf(errbuf, NC_ERRBUF_SIZE,
                "not a netcap record file (it is a pcap/pcapng capture: "
                "use netcap capture -read FILE)");
        return NC_EMALFORMED;
    }
    const uint8_t *p = NULL;
    size_t len = 0;
    bool at_end = false;
    f->byte_err = false;
    rc = read_frame(f, NC_NCFILE_HEADER_MAX, &p, &len, &at_end);
    if (rc != NC_OK && f->byte_err) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s", f->why); /* I/O or decompression */
        return rc;
    }
    if (rc != NC_OK || at_end) {
        /* The framing of the first message is wrong: a length prefix that
         * overruns the file or the header cap. Garbage looks like that. */
        snprintf(errbuf, NC_ERRBUF_SIZE, "not a netcap record file (no valid header)");
        return NC_EMALFORMED;
    }
    if (nc_ncgo_header(p, len, errbuf, NC_ERRBUF_SIZE)) {
        return NC_EUNSUPP; /* Netcap's own Header: refused by name, see ncgo.h */
    }
    f->hbud.used = 0;
    f->hdr = netcap__header__unpack(&f->halloc, len, p);
    if (!f->hdr) {
        snprintf(errbuf, NC_ERRBUF_SIZE,
                "not a netcap record file (the first message is not a netcap.Header)");
        return f->hbud.hit ? NC_ELIMIT : NC_EMALFORMED;
    }
    int type = (int)f->hdr->type;
    if (type <= 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE,
                "not a netcap record file (the header names no record type)");
        return NC_EMALFORMED;
    }
    f->type = nc_rec_by_number((uint32_t)type);
    if (f->type == NC_REC_NONE) {
        const char *tn = f->hdr->type_name ? f->hdr->type_name : "";
        snprintf(errbuf, NC_ERRBUF_SIZE,
                "the header names record type %d%s%.40s%s, which this netcap does not know "
                "(a newer schema?)",
                type, *tn ? " (\"" : "", tn, *tn ? "\")" : "");
        return NC_EUNSUPP;
    }
    f->desc = nc_rec_info(f->type)->desc;
    return NC_OK;
}

int nc_ncfile_open(struct nc_ncfile **out, const char *path, char errbuf[NC_ERRBUF_SIZE])
{
    *out = NULL;
    errbuf[0] = '\0';
    struct nc_ncfile *f = nc_calloc(1, sizeof(*f));
    if (!f) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    f->fd = -1;
    f->type = NC_REC_NONE;
    nc_dbuf_init(&f->win, WIN_CAP);
    f->hbud.cap = HEADER_UNPACK_MAX;
    f->rbud.cap = NC_NCFILE_UNPACK_MAX;
    f->halloc = (ProtobufCAllocator){ budget_alloc, budget_free, &f->hbud };
    f->ralloc = (ProtobufCAllocator){ budget_alloc, budget_free, &f->rbud };
    int rc = NC_OK;
    f->in = nc_malloc(IN_CHUNK);
    if (!f->in) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        rc = NC_ENOMEM;
        goto fail;
    }
    if (strcmp(path, "-") == 0) {
        f->fd = STDIN_FILENO;
    } else {
        f->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (f->fd < 0) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "cannot open: %s", strerror(errno));
            rc = NC_EIO;
            goto fail;
        }
        f->own_fd = true;
        struct stat st;
        if (fstat(f->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "is a directory, not a record file");
            rc = NC_EIO;
            goto fail;
        }
    }
    /* Sniff the magic: a pipe may deliver fewer than 4 bytes per read. */
    while (f->in_len < 4 && !f->in_eof) {
        rc = read_in(f);
        if (rc != NC_OK) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s", f->why);
            goto fail;
        }
    }
    f->comp = detect(f->in, f->in_len);
    rc = start_decoder(f);
    if (rc != NC_OK) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot start the decompressor: %s", nc_strerror(rc));
        goto fail;
    }
    rc = read_header(f, errbuf);
    if (rc != NC_OK) {
        goto fail;
    }
    *out = f;
    return NC_OK;
fail:
    nc_ncfile_close(f);
    return rc;
}

void nc_ncfile_close(struct nc_ncfile *f)
{
    if (!f) {
        return;
    }
    protobuf_c_message_free_unpacked(f->msg, &f->ralloc);
    if (f->hdr) {
        netcap__header__free_unpacked(f->hdr, &f->halloc);
    }
    ZSTD_freeDStream(f->zs);
    if (f->z_ready) {
        inflateEnd(&f->z);
    }
    if (f->own_fd && f->fd >= 0) {
        close(f->fd);
    }
    nc_free(f->in);
    nc_dbuf_fini(&f->win);
    nc_free(f);
}

const Netcap__Header *nc_ncfile_header(const struct nc_ncfile *f)
{
    return f->hdr;
}

enum nc_rec_type nc_ncfile_type(const struct nc_ncfile *f)
{
    return f->type;
}

const ProtobufCMessageDescriptor *nc_ncfile_desc(const struct nc_ncfile *f)
{
    return f->desc;
}

enum nc_ncfile_comp nc_ncfile_comp(const struct nc_ncfile *f)
{
    return f->comp;
}

uint64_t nc_ncfile_count(const struct nc_ncfile *f)
{
    return f->count;
}

uint64_t nc_ncfile_record_offset(const struct nc_ncfile *f)
{
    return f->rec_off;
}

uint64_t nc_ncfile_stream_offset(const struct nc_ncfile *f)
{
    return f->win_base + f->win_pos;
}

void nc_ncfile_raw(const struct nc_ncfile *f, const uint8_t **p, size_t *len)
{
    *p = f->raw;
    *len = f->raw_len;
}

void nc_ncfile_set_unpack_cap(struct nc_ncfile *f, size_t cap)
{
    f->rbud.cap = cap;
}

int nc_ncfile_next(struct nc_ncfile *f, const ProtobufCMessage **msg, char errbuf[NC_ERRBUF_SIZE])
{
    *msg = NULL;
    if (f->failed != NC_OK) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s", f->err);
        return f->failed;
    }
    protobuf_c_message_free_unpacked(f->msg, &f->ralloc);
    f->msg = NULL;
    unsigned long long idx = (unsigned long long)f->count + 1;
    f->rec_off = f->win_base + f->win_pos;
    f->raw = NULL;
    f->raw_len = 0;
    const uint8_t *p = NULL;
    size_t len = 0;
    bool at_end = false;
    int rc = read_frame(f, NC_RECORD_MAX, &p, &len, &at_end);
    if (rc == NC_OK && at_end) {
        return NC_OK;
    }
    if (rc == NC_OK) {
        f->rbud.used = 0;
        f->rbud.hit = false;
        f->msg = protobuf_c_message_unpack(f->desc, &f->ralloc, len, p);
        if (!f->msg && f->rbud.hit) {
            snprintf(f->why, sizeof(f->why), "needs more than %zu bytes of memory to unpack",
                    f->rbud.cap);
            rc = NC_ELIMIT;
        } else if (!f->msg) {
            snprintf(f->why, sizeof(f->why), "not a valid %s message (%zu bytes)",
                    nc_rec_info(f->type)->name, len);
            rc = NC_EMALFORMED;
        }
    }
    if (rc != NC_OK) {
        f->failed = rc;
        snprintf(f->err, sizeof(f->err), "record %llu: %.200s", idx, f->why);
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s", f->err);
        return rc;
    }
    f->count++;
    f->raw = p;
    f->raw_len = len;
    *msg = f->msg;
    return NC_OK;
}
