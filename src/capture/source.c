/*
 * summary: packet sources: our pcap/pcapng file reader and libpcap live capture.
 * spec:    pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
 *          pcapng: draft-ietf-opsawg-pcapng (SHB, IDB, EPB, SPB, obsolete PB).
 *
 * File bytes are read() in chunks straight into the batch buffer and parsed
 * in place through the bounds-checked reader; a record cut by the end of a
 * chunk is completed by the next read, and a record left over when the
 * batch is full is carried into the next batch. All header values are
 * untrusted: lengths are checked against caps before use.
 */
#include "capture/source.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/rd.h"

enum {
    LIVE_TIMEOUT_MS = 200, /* read timeout: lets SIGINT and partial batches through */
    LIVE_BATCH_SEC = 1,    /* a live batch ends after this long */
    LIVE_LINGER_MS = 50,   /* with packets in hand, wait this long for more */
    READ_CHUNK =
            256 << 10, /* bytes per read(): what a full batch leaves over is copied to the next */
    PCAPNG_MAX_BLOCK = 16 << 20, /* bigger blocks are corruption (libpcap caps similarly) */
    PCAPNG_MAX_IF = 256,         /* interfaces per section */
    PCAP_HDR_LEN = 24,
    PCAP_REC_LEN = 16,
};

enum file_kind {
    KIND_PCAP,
    KIND_PCAPNG,
};

struct pcapng_if {
    uint32_t dlt;
    uint64_t units_per_sec; /* timestamp resolution */
    int64_t offset_sec;     /* if_tsoffset */
    struct bpf_program prog;
    bool has_prog;
};

struct nc_source {
    bool live;
    pcap_t *p; /* live capture, or a dead handle for BPF compiling */
    char err[PCAP_ERRBUF_SIZE + 128];
    uint64_t filtered;
    /* files */
    int fd;
    enum file_kind kind;
    uint64_t size, pos; /* bytes consumed from the file */
    bool eof;
    uint8_t *carry; /* bytes read but not yet parsed, between batches */
    size_t carry_len, carry_cap;
    uint64_t n_pkts;             /* packets parsed (for error messages) */
    volatile sig_atomic_t *stop; /* set by a signal: a read() cut by EINTR ends the batch */
    const char *bpf;
    /* pcap */
    bool swap, nano;
    uint32_t dlt;
    struct bpf_program prog;
    bool has_prog;
    /* pcapng */
    bool ng_big; /* section byte order */
    struct pcapng_if ifs[PCAPNG_MAX_IF];
    size_t n_ifs;
};

/* ------------------------------------------------------------------ utils */

static uint32_t rd32(struct nc_rd *r, bool big)
{
    return big ? nc_rd_be32(r) : nc_rd_le32(r);
}

static uint16_t rd16(struct nc_rd *r, bool big)
{
    return big ? nc_rd_be16(r) : nc_rd_le16(r);
}

static int compile_bpf(struct nc_source *s, uint32_t dlt, struct bpf_program *prog, bool *has,
        char *errbuf, size_t errlen)
{
    *has = false;
    if (!s->bpf || !*s->bpf) {
        return NC_OK;
    }
    pcap_t *dead = pcap_open_dead((int)dlt, NC_MAX_CAPLEN);
    if (!dead) {
        snprintf(errbuf, errlen, "out of memory compiling -bpf");
        return NC_ENOMEM;
    }
    if (pcap_compile(dead, prog, s->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(errbuf, errlen, "bad -bpf filter '%s' for link type %u: %s", s->bpf, dlt,
                pcap_geterr(dead));
        pcap_close(dead);
        return NC_EARG;
    }
    pcap_close(dead);
    *has = true;
    return NC_OK;
}

/* Read more file bytes into b->data (up to READ_CHUNK). Returns bytes read,
 * 0 at end of file, -1 on error, -2 when a signal asked to stop (a read()
 * from a pipe that blocks must not keep an interrupted run waiting). */
static ssize_t read_more(struct nc_source *s, struct nc_dbuf *d)
{
    if (s->eof) {
        return 0;
    }
    if (nc_dbuf_reserve(d, READ_CHUNK) != NC_OK) {
        snprintf(s->err, sizeof(s->err), "out of memory for packet data");
        return -1;
    }
    for (;;) {
        ssize_t n = read(s->fd, d->p + d->len, READ_CHUNK);
        if (n < 0 && errno == EINTR) {
            if (s->stop && *s->stop) {
                return -2;
            }
            continue;
        }
        if (n < 0) {
            snprintf(s->err, sizeof(s->err), "read error: %s", strerror(errno));
            return -1;
        }
        if (n == 0) {
            s->eof = true;
        }
        d->len += (size_t)n;
        return n;
    }
}

/* ----------------------------------------------------------- file headers */

static int read_exact_start(struct nc_source *s, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(s->fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return (int)got;
        }
        got += (size_t)r;
    }
    return (int)got;
}

static int parse_pcap_header(struct nc_source *s, const uint8_t *h, char *errbuf, size_t errlen)
{
    struct nc_rd r = nc_rd_make(h, PCAP_HDR_LEN);
    uint32_t magic = nc_rd_le32(&r);
    switch (magic) {
        case 0xa1b2c3d4:
            s->swap = false;
            s->nano = false;
            break;
        case 0xa1b23c4d:
            s->swap = false;
            s->nano = true;
            break;
        case 0xd4c3b2a1:
            s->swap = true;
            s->nano = false;
            break;
        case 0x4d3cb2a1:
            s->swap = true;
            s->nano = true;
            break;
        default:
            snprintf(errbuf, errlen, "unknown pcap magic");
            return NC_EMALFORMED;
    }
    uint16_t major = rd16(&r, s->swap);
    nc_rd_skip(&r, 2 + 4 + 4 + 4); /* minor, thiszone, sigfigs, snaplen */
    uint32_t linktype = rd32(&r, s->swap);
    if (major != 2) {
        snprintf(errbuf, errlen, "unsupported pcap version %u", major);
        return NC_EUNSUPP;
    }
    s->dlt = linktype & 0x03ffffff; /* upper bits: FCS length flags */
    return compile_bpf(s, s->dlt, &s->prog, &s->has_prog, errbuf, errlen);
}

struct nc_source *nc_source_open_file(
        const char *path, const char *bpf, char errbuf[NC_ERRBUF_SIZE])
{
    bool is_stdin = strcmp(path, "-") == 0;
    struct stat sb;
    memset(&sb, 0, sizeof(sb));
    if (!is_stdin) {
        if (stat(path, &sb) != 0) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
            return NULL;
        }
        if (S_ISDIR(sb.st_mode)) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s: is a directory, not a capture file", path);
            return NULL;
        }
    }
    struct nc_source *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    s->bpf = bpf;
    /* a syntax error is a usage error whatever the file holds: check now,
     * not when the first pcapng interface appears */
    if (bpf && *bpf) {
        struct bpf_program prog;
        bool has = false;
        if (compile_bpf(s, 1, &prog, &has, errbuf, NC_ERRBUF_SIZE) != NC_OK) {
            nc_free(s);
            return NULL;
        }
        if (has) {
            pcap_freecode(&prog);
        }
    }
    s->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        nc_free(s);
        return NULL;
    }
    s->size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
#ifdef POSIX_FADV_SEQUENTIAL
    if (!is_stdin) {
        posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
#endif
    uint8_t head[PCAP_HDR_LEN];
    int got = read_exact_start(s, head, 4);
    char why[512] = "";
    if (got < 4) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s: not a pcap or pcapng capture file (%s)", path,
                got == 0 ? "empty" : "too short");
        nc_source_close(s);
        return NULL;
    }
    struct nc_rd mr = nc_rd_make(head, 4);
    uint32_t magic = nc_rd_le32(&mr);
    if (magic == 0x0a0d0d0a) {
        s->kind = KIND_PCAPNG;
        /* the section header block is parsed with the packet blocks */
        s->carry_cap = 4;
        s->carry = nc_malloc(4);
        if (!s->carry) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
            nc_source_close(s);
            return NULL;
        }
        memcpy(s->carry, head, 4);
        s->carry_len = 4;
        return s;
    }
    s->kind = KIND_PCAP;
    if (read_exact_start(s, head + 4, PCAP_HDR_LEN - 4) != PCAP_HDR_LEN - 4) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s: not a pcap or pcapng capture file (%s)", path,
                "header cut short");
        nc_source_close(s);
        return NULL;
    }
    int rc = parse_pcap_header(s, head, why, sizeof(why));
    if (rc != NC_OK) {
        if (rc == NC_EARG) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s", why);
        } else {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s: not a pcap or pcapng capture file (%s)", path,
                    why);
        }
        nc_source_close(s);
        return NULL;
    }
    s->pos = PCAP_HDR_LEN;
    return s;
}

/* --------------------------------------------------------------- parsing */

static bool pass_filter(struct nc_source *s, const struct bpf_program *prog, bool has,
        const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    if (!has) {
        return true;
    }
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof(h));
    h.caplen = caplen;
    h.len = wirelen;
    if (pcap_offline_filter(prog, &h, data)) {
        return true;
    }
    s->filtered++;
    return false;
}

enum parse_rc {
    P_OK = 0, /* one record consumed (maybe not a packet) */
    P_MORE,   /* the record is not complete in the buffer */
    P_BAD,    /* corrupt: s->err set */
};

/* Parse one pcap record at buf[*off]; may add a packet to b. */
static int parse_pcap_record(
        struct nc_source *s, struct nc_src_batch *b, const uint8_t *buf, size_t len, size_t *off)
{
    struct nc_rd r = nc_rd_make(buf + *off, len - *off);
    if (nc_rd_left(&r) < PCAP_REC_LEN) {
        return P_MORE;
    }
    uint32_t sec = rd32(&r, s->swap);
    uint32_t frac = rd32(&r, s->swap);
    uint32_t caplen = rd32(&r, s->swap);
    uint32_t wirelen = rd32(&r, s->swap);
    if (caplen > NC_MAX_CAPLEN) {
        snprintf(s->err, sizeof(s->err),
                "corrupt capture: packet %llu claims %u captured bytes (more than %d)",
                (unsigned long long)s->n_pkts + 1, caplen, NC_MAX_CAPLEN);
        return P_BAD;
    }
    if (nc_rd_left(&r) < caplen) {
        return P_MORE;
    }
    size_t data_off = *off + PCAP_REC_LEN;
    *off = data_off + caplen;
    s->n_pkts++;
    const uint8_t *data = buf + data_off;
    if (!pass_filter(s, &s->prog, s->has_prog, data, caplen, wirelen)) {
        return P_OK;
    }
    struct nc_src_pkt *p = &b->pkts[b->n++];
    p->ts = (int64_t)sec * 1000000000LL + (int64_t)frac * (s->nano ? 1 : 1000);
    p->caplen = caplen;
    p->wirelen = wirelen;
    p->dlt = s->dlt;
    p->off = data_off;
    return P_OK;
}

static void pcapng_reset_ifs(struct nc_source *s)
{
    for (size_t i = 0; i < s->n_ifs; i++) {
        if (s->ifs[i].has_prog) {
            pcap_freecode(&s->ifs[i].prog);
        }
    }
    s->n_ifs = 0;
}

/* Interface description block body (after type and length). */
static int pcapng_idb(struct nc_source *s, struct nc_rd *body)
{
    uint32_t dlt = rd16(body, s->ng_big);
    nc_rd_skip(body, 2 + 4); /* reserved, snaplen */
    if (!nc_rd_ok(body)) {
        snprintf(s->err, sizeof(s->err), "corrupt capture: short interface block");
        return P_BAD;
    }
    if (s->n_ifs >= PCAPNG_MAX_IF) {
        snprintf(s->err, sizeof(s->err), "capture has more than %d interfaces", PCAPNG_MAX_IF);
        return P_BAD;
    }
    struct pcapng_if *ifc = &s->ifs[s->n_ifs];
    memset(ifc, 0, sizeof(*ifc));
    ifc->dlt = dlt;
    ifc->units_per_sec = 1000000;
    /* options: code(2) len(2) value padded to 4 */
    for (int i = 0; i < 64 && nc_rd_left(body) >= 4; i++) {
        uint16_t code = rd16(body, s->ng_big);
        uint16_t len = rd16(body, s->ng_big);
        struct nc_rd v = nc_rd_sub(body, len);
        nc_rd_skip(body, (4u - (len & 3u)) & 3u);
        if (!nc_rd_ok(body) || code == 0) {
            break;
        }
        if (code == 9 && len >= 1) { /* if_tsresol */
            uint8_t res = nc_rd_u8(&v);
            uint64_t units = 1;
            unsigned exp = res & 0x7f;
            if (exp > 18 && !(res & 0x80)) {
                exp = 18; /* beyond ns resolution: clamp; 10^18 still fits */
            }
            if ((res & 0x80) && exp > 62) {
                exp = 62;
            }
            for (unsigned k = 0; k < exp; k++) {
                units *= (res & 0x80) ? 2 : 10;
            }
            ifc->units_per_sec = units;
        } else if (code == 14 && len == 8) { /* if_tsoffset, seconds */
            uint64_t o = s->ng_big ? nc_rd_be64(&v) : nc_rd_le64(&v);
            ifc->offset_sec = (int64_t)o;
        }
    }
    char why[512];
    int rc = compile_bpf(s, dlt, &ifc->prog, &ifc->has_prog, why, sizeof(why));
    if (rc != NC_OK) {
        snprintf(s->err, sizeof(s->err), "%s", why);
        return P_BAD;
    }
    s->n_ifs++;
    return P_OK;
}

static int64_t pcapng_ts(const struct pcapng_if *ifc, uint64_t t)
{
    uint64_t u = ifc->units_per_sec;
    uint64_t sec = t / u, rem = t % u;
    uint64_t ns;
    if (u <= 1000000000ULL) {
        ns = rem * 1000000000ULL / u; /* rem < u <= 1e9: no overflow */
    } else {
        ns = (uint64_t)((long double)rem * 1e9L / (long double)u);
    }
    /* A corrupt block or if_tsoffset can put the time outside int64
     * nanoseconds (sec reaches 2^64 at one unit per second): saturate
     * instead of overflowing. */
    const int64_t max_sec = INT64_MAX / 1000000000LL;
    int64_t s = sec > (uint64_t)max_sec ? max_sec + 1 : (int64_t)sec;
    int64_t o = NC_MAX(NC_MIN(ifc->offset_sec, max_sec + 1), -max_sec - 1);
    s += o; /* both within +-(max_sec + 1): no overflow */
    if (s > max_sec) {
        return INT64_MAX;
    }
    if (s < -max_sec) {
        return INT64_MIN;
    }
    int64_t v = s * 1000000000LL;
    return v > INT64_MAX - (int64_t)ns ? INT64_MAX : v + (int64_t)ns;
}

static int parse_pcapng_block(
        struct nc_source *s, struct nc_src_batch *b, const uint8_t *buf, size_t len, size_t *off)
{
    struct nc_rd r = nc_rd_make(buf + *off, len - *off);
    if (nc_rd_left(&r) < 12) {
        return P_MORE;
    }
    /* the section header's type reads the same in both byte orders; every
     * other block is in the order its section's byte-order magic set */
    uint32_t type = nc_rd_le32(&r);
    if (type != 0x0a0d0d0a && s->ng_big) {
        type = __builtin_bswap32(type);
    }
    if (type == 0x0a0d0d0a) {
        /* section header: the byte-order magic decides how to read the rest */
        struct nc_rd m = r;
        nc_rd_skip(&m, 4);
        uint32_t bom = nc_rd_le32(&m);
        if (bom == 0x1a2b3c4d) {
            s->ng_big = false;
        } else if (bom == 0x4d3c2b1a) {
            s->ng_big = true;
        } else {
            snprintf(s->err, sizeof(s->err), "corrupt capture: bad pcapng byte-order magic");
            return P_BAD;
        }
        pcapng_reset_ifs(s);
    }
    uint32_t blen = rd32(&r, s->ng_big);
    if (blen < 12 || blen % 4 != 0 || blen > PCAPNG_MAX_BLOCK) {
        snprintf(s->err, sizeof(s->err),
                "corrupt capture: pcapng block of %u bytes after packet %llu", blen,
                (unsigned long long)s->n_pkts);
        return P_BAD;
    }
    if (len - *off < blen) {
        return P_MORE;
    }
    struct nc_rd body = nc_rd_sub(&r, blen - 12);
    size_t body_off = *off + 8;
    *off += blen;
    switch (type) {
        case 0x0a0d0d0a:
            return P_OK;
        case 1:
            return pcapng_idb(s, &body);
        case 6:   /* enhanced packet block */
        case 2: { /* obsolete packet block */
            uint32_t ifid = type == 6 ? rd32(&body, s->ng_big) : rd16(&body, s->ng_big);
            if (type == 2) {
                nc_rd_skip(&body, 2); /* drops count */
            }
            uint32_t hi = rd32(&body, s->ng_big);
            uint32_t lo = rd32(&body, s->ng_big);
            uint32_t caplen = rd32(&body, s->ng_big);
            uint32_t wirelen = rd32(&body, s->ng_big);
            size_t data_off = body_off + body.off;
            if (!nc_rd_ok(&body) || caplen > nc_rd_left(&body) || caplen > NC_MAX_CAPLEN ||
                    ifid >= s->n_ifs) {
                snprintf(s->err, sizeof(s->err),
                        "corrupt capture: bad packet block after packet %llu",
                        (unsigned long long)s->n_pkts);
                return P_BAD;
            }
            s->n_pkts++;
            const struct pcapng_if *ifc = &s->ifs[ifid];
            const uint8_t *data = buf + data_off;
            if (!pass_filter(s, &ifc->prog, ifc->has_prog, data, caplen, wirelen)) {
                return P_OK;
            }
            struct nc_src_pkt *p = &b->pkts[b->n++];
            p->ts = pcapng_ts(ifc, (uint64_t)hi << 32 | lo);
            p->caplen = caplen;
            p->wirelen = wirelen;
            p->dlt = ifc->dlt;
            p->off = data_off;
            return P_OK;
        }
        case 3: { /* simple packet block: interface 0, no timestamp */
            uint32_t wirelen = rd32(&body, s->ng_big);
            size_t data_off = body_off + body.off;
            if (!nc_rd_ok(&body) || s->n_ifs == 0) {
                snprintf(s->err, sizeof(s->err), "corrupt capture: bad simple packet block");
                return P_BAD;
            }
            uint32_t caplen = (uint32_t)NC_MIN((size_t)wirelen, nc_rd_left(&body));
            s->n_pkts++;
            const struct pcapng_if *ifc = &s->ifs[0];
            if (!pass_filter(s, &ifc->prog, ifc->has_prog, buf + data_off, caplen, wirelen)) {
                return P_OK;
            }
            struct nc_src_pkt *p = &b->pkts[b->n++];
            p->ts = 0;
            p->caplen = caplen;
            p->wirelen = wirelen;
            p->dlt = ifc->dlt;
            p->off = data_off;
            return P_OK;
        }
        default:
            return P_OK; /* name resolution, statistics, custom blocks: skipped */
    }
}

static int parse_one(
        struct nc_source *s, struct nc_src_batch *b, const uint8_t *buf, size_t len, size_t *off)
{
    if (*off == len) {
        return P_MORE; /* nothing buffered: buf may still be NULL, and NULL + 0 is UB */
    }
    return s->kind == KIND_PCAP ? parse_pcap_record(s, b, buf, len, off)
                                : parse_pcapng_block(s, b, buf, len, off);
}

/* read() chunks into the batch buffer and parse the records in place.
 * (Mapping the file measured slower: page faults and first-touch misses on
 * the reader thread cost more than the kernel's copy.) */
static int fill_file(struct nc_source *s, struct nc_src_batch *b)
{
    struct nc_dbuf *d = b->data;
    /* bytes left over from the previous batch come first */
    if (s->carry_len) {
        if (nc_dbuf_append(d, s->carry, s->carry_len) != NC_OK) {
            snprintf(s->err, sizeof(s->err), "out of memory for packet data");
            return NC_SRC_ERROR;
        }
        s->carry_len = 0;
    }
    size_t off = 0;
    int result = NC_SRC_PACKET;
    while (b->n < b->max_pkts && off < b->max_bytes) {
        int prc = parse_one(s, b, d->p, d->len, &off);
        if (prc == P_OK) {
            continue;
        }
        if (prc == P_BAD) {
            result = NC_SRC_ERROR;
            break;
        }
        /* P_MORE: read another chunk; at end of file leftovers mean truncation */
        ssize_t got = read_more(s, d);
        if (got == -2) {
            break; /* stopped: the batch ends here, the caller sees *stop */
        }
        if (got < 0) {
            result = NC_SRC_ERROR;
            break;
        }
        if (got == 0) {
            result = off < d->len ? NC_SRC_TRUNCATED : NC_SRC_EOF;
            break;
        }
    }
    s->pos += off;
    b->base = d->p;
    /* keep what was read but not parsed for the next batch */
    size_t rest = d->len - off;
    if (result == NC_SRC_PACKET && rest) {
        if (rest > s->carry_cap) {
            uint8_t *c = nc_realloc(s->carry, rest);
            if (!c) {
                snprintf(s->err, sizeof(s->err), "out of memory for packet data");
                return NC_SRC_ERROR;
            }
            s->carry = c;
            s->carry_cap = rest;
        }
        memcpy(s->carry, d->p + off, rest);
        s->carry_len = rest;
    }
    if (result == NC_SRC_PACKET && s->eof && s->carry_len == 0) {
        result = NC_SRC_EOF;
    }
    return result;
}

/* ------------------------------------------------------------------- live */

static int apply_live_bpf(struct nc_source *s, const char *bpf, char errbuf[NC_ERRBUF_SIZE])
{
    if (!bpf || !*bpf) {
        return NC_OK;
    }
    struct bpf_program prog;
    if (pcap_compile(s->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "bad -bpf filter '%s': %s", bpf, pcap_geterr(s->p));
        return NC_EARG;
    }
    int rc = pcap_setfilter(s->p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot apply -bpf filter: %s", pcap_geterr(s->p));
        return NC_EARG;
    }
    return NC_OK;
}

struct nc_source *nc_source_open_live(
        const char *iface, int snaplen, bool promisc, const char *bpf, char errbuf[NC_ERRBUF_SIZE])
{
    struct nc_source *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    s->fd = -1;
    char perr[PCAP_ERRBUF_SIZE];
    s->p = pcap_create(iface, perr);
    if (!s->p) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "interface %s: %s", iface, perr);
        nc_free(s);
        return NULL;
    }
    s->live = true;
    pcap_set_snaplen(s->p, snaplen);
    pcap_set_promisc(s->p, promisc ? 1 : 0);
    pcap_set_timeout(s->p, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(s->p, 32 << 20);
    pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(s->p);
    if (rc < 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "interface %s: %s%s", iface, pcap_geterr(s->p),
                rc == PCAP_ERROR_PERM_DENIED ? " (live capture needs root or CAP_NET_RAW)" : "");
        nc_source_close(s);
        return NULL;
    }
    if (apply_live_bpf(s, bpf, errbuf) != NC_OK) {
        nc_source_close(s);
        return NULL;
    }
    /* non-blocking reads and our own poll(): a blocking read may wait for
     * the next packet however long that takes, holding back a batch */
    if (pcap_setnonblock(s->p, 1, perr) != 0 || pcap_get_selectable_fd(s->p) < 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "interface %s: cannot poll the capture: %s", iface, perr);
        nc_source_close(s);
        return NULL;
    }
    s->dlt = (uint32_t)pcap_datalink(s->p);
    return s;
}

static double mono_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Live batches are also cut after LIVE_BATCH_SEC, so records reach the
 * files while a quiet sensor runs (a file's determinism does not matter
 * live: the input itself is never the same twice). */
static int fill_live(struct nc_source *s, struct nc_src_batch *b, volatile sig_atomic_t *stop)
{
    bool nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
    double t0 = mono_sec();
    while (b->n < b->max_pkts && b->data->len < b->max_bytes) {
        if (stop && *stop) {
            return NC_SRC_EOF;
        }
        if (b->n && mono_sec() - t0 >= LIVE_BATCH_SEC) {
            return NC_SRC_PACKET;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(s->p, &h, &data);
        if (rc == 0) {
            /* nothing now: wait a little for more, then hand over what we
             * have so the committer writes it */
            struct pollfd pfd = { pcap_get_selectable_fd(s->p), POLLIN, 0 };
            int ready = poll(&pfd, 1, b->n ? LIVE_LINGER_MS : LIVE_TIMEOUT_MS);
            if (ready == 0) {
                return NC_SRC_TIMEOUT;
            }
            continue; /* data, or a signal: the loop checks *stop */
        }
        if (rc == PCAP_ERROR_BREAK) {
            return NC_SRC_EOF;
        }
        if (rc != 1) {
            snprintf(s->err, sizeof(s->err), "%s", pcap_geterr(s->p));
            return NC_SRC_ERROR;
        }
        uint32_t caplen = h->caplen > NC_MAX_CAPLEN ? NC_MAX_CAPLEN : h->caplen;
        struct nc_src_pkt *p = &b->pkts[b->n];
        p->ts = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec * (nano ? 1 : 1000);
        p->caplen = caplen;
        p->wirelen = h->len;
        p->dlt = s->dlt;
        p->off = b->data->len;
        if (nc_dbuf_append(b->data, data, caplen) != NC_OK) {
            snprintf(s->err, sizeof(s->err), "out of memory for packet data");
            return NC_SRC_ERROR;
        }
        b->n++;
    }
    return NC_SRC_PACKET;
}

/* ------------------------------------------------------------------ common */

int nc_source_fill(struct nc_source *s, struct nc_src_batch *b, volatile sig_atomic_t *stop)
{
    b->n = 0;
    nc_dbuf_reset(b->data);
    if (s->live) {
        int rc = fill_live(s, b, stop);
        b->base = b->data->p;
        return rc;
    }
    s->stop = stop;
    return fill_file(s, b);
}

uint32_t nc_source_dlt(const struct nc_source *s)
{
    if (!s->live && s->kind == KIND_PCAPNG) {
        return s->n_ifs ? s->ifs[0].dlt : 1;
    }
    return s->dlt;
}

void nc_source_progress(const struct nc_source *s, uint64_t *pos, uint64_t *size)
{
    *pos = s->pos;
    *size = s->live ? 0 : s->size;
}

void nc_source_break(struct nc_source *s)
{
    if (s && s->live && s->p) {
        pcap_breakloop(s->p);
    }
}

void nc_source_position(const struct nc_source *s, uint64_t *packets, uint64_t *offset)
{
    *packets = s->live ? 0 : s->n_pkts;
    *offset = s->live ? 0 : s->pos;
}

const char *nc_source_error(const struct nc_source *s)
{
    return s->err;
}

uint64_t nc_source_drops(struct nc_source *s)
{
    struct pcap_stat st;
    if (!s->live || pcap_stats(s->p, &st) != 0) {
        return 0;
    }
    return (uint64_t)st.ps_drop + st.ps_ifdrop;
}

uint64_t nc_source_filtered(const struct nc_source *s)
{
    return s->filtered;
}

bool nc_source_is_live(const struct nc_source *s)
{
    return s->live;
}

void nc_source_close(struct nc_source *s)
{
    if (!s) {
        return;
    }
    if (s->p) {
        pcap_close(s->p);
    }
    if (!s->live && s->fd > STDIN_FILENO) {
        close(s->fd);
    }
    if (s->has_prog) {
        pcap_freecode(&s->prog);
    }
    pcapng_reset_ifs(s);
    nc_free(s->carry);
    nc_free(s);
}
