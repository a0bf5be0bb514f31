/*
 * The packet-decode harness shared by the decoder unit tests: a fixture
 * (arena, options, counters, packet and an exact-size heap copy of the
 * bytes under test, so that ASan reports a one-byte over-read), ways to
 * decode through it (a whole frame through nc_decode_packet(), or a
 * decoder run directly in the context an IP decoder would leave), and
 * lookups and checks on what a packet left behind.
 *
 * Everything is static inline: each test binary compiles the header on its
 * own and keeps only what it uses. It includes <cmocka.h> (and the system
 * headers cmocka needs) itself.
 *
 * Two ways to hold the fixture:
 *  - one per test on the heap: dh_setup() / dh_teardown() as cmocka
 *    setup and teardown, the test gets a struct dh_fx * in *state;
 *  - one per file, static: #define DH_STATIC_FIXTURE before the include
 *    gives the fixture fx, the cmocka callbacks dh_group_setup_static(),
 *    dh_group_teardown_static() and dh_test_setup_static(), and short
 *    helpers on fx: run(), run_wire(), rec_nth(), need(), count_recs(),
 *    bad_total().
 */
#ifndef NC_TEST_DECODE_HARNESS_H
#define NC_TEST_DECODE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "decode/decoder.h"
#include "decode/pkt.h"
#include "record/record.h"

#define DH_FN __attribute__((unused)) static inline

/* The timestamp of every packet of a per-test (heap) fixture. */
#define DH_TS INT64_C(1700000000123456789)

/* LINKTYPE_ETHERNET, the link type of most frames under test */
enum {
    DH_LINKTYPE_ETHERNET = 1
};

struct dh_fx {
    struct nc_arena arena;
    struct nc_decode_opts opts;
    struct nc_decode_stats stats;
    struct nc_pkt pkt;
    uint8_t *buf; /* exact-size copy of the bytes under test */
    int64_t ts;   /* the timestamp every packet gets */
};

/* ------------------------------------------------------------ set-up */

/* Register the record types and the decoders (once per test binary). */
DH_FN int dh_init_decoders(void)
{
    char errbuf[NC_ERRBUF_SIZE];
    nc_record_init();
    return nc_decode_init(errbuf) == NC_OK ? 0 : -1;
}

/* Want every record type (on) or none. */
DH_FN void dh_want_all(struct nc_decode_opts *o, bool on)
{
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        o->want[i] = on;
    }
}

/* A zeroed fixture with an arena of arena_cap bytes and every record type wanted. */
DH_FN void dh_fx_init(struct dh_fx *f, size_t arena_cap, int64_t ts)
{
    memset(f, 0, sizeof(*f));
    nc_arena_init(&f->arena, arena_cap);
    dh_want_all(&f->opts, true);
    f->ts = ts;
}

DH_FN void dh_fx_fini(struct dh_fx *f)
{
    free(f->buf);
    f->buf = NULL;
    nc_arena_fini(&f->arena);
}

/* cmocka group setup: the decoders only (per-test fixtures come from dh_setup). */
DH_FN int dh_group_setup(void **state)
{
    (void)state;
    return dh_init_decoders();
}

/* cmocka test setup: a fresh heap fixture in *state (1 MiB arena, DH_TS). */
DH_FN int dh_setup(void **state)
{
    struct dh_fx *f = malloc(sizeof(*f));
    if (!f) {
        return -1;
    }
    dh_fx_init(f, 1u << 20, DH_TS);
    *state = f;
    return 0;
}

DH_FN int dh_teardown(void **state)
{
    struct dh_fx *f = *state;
    dh_fx_fini(f);
    free(f);
    return 0;
}

/* ----------------------------------------------------------- decoding */

/* Replace f->buf by an exact-size heap copy of data[0..len). */
DH_FN uint8_t *dh_copy(struct dh_fx *f, const uint8_t *data, size_t len)
{
    free(f->buf);
    f->buf = malloc(len ? len : 1);
    assert_non_null(f->buf);
    if (len) {
        memcpy(f->buf, data, len);
    }
    return f->buf;
}

DH_FN void dh_zero_stats(struct dh_fx *f)
{
    memset(&f->stats, 0, sizeof(f->stats));
}

/* An empty packet at f->ts on the fixture's arena (reset), options and
 * counters (which are kept: a test may add up several packets). */
DH_FN struct nc_pkt *dh_fresh(struct dh_fx *f)
{
    nc_arena_reset(&f->arena);
    memset(&f->pkt, 0, sizeof(f->pkt));
    f->pkt.ts = f->ts;
    f->pkt.arena = &f->arena;
    f->pkt.opts = &f->opts;
    f->pkt.stats = &f->stats;
    return &f->pkt;
}

/* A fresh packet whose context is what an IP decoder of version ver (4 or
 * 6; 0: no IP context) from src to dst for protocol proto would leave. */
DH_FN struct nc_pkt *dh_fresh_ip(
        struct dh_fx *f, uint8_t ver, const uint8_t *src, const uint8_t *dst, uint8_t proto)
{
    struct nc_pkt *pkt = dh_fresh(f);
    if (ver) {
        nc_pkt_set_ip(pkt, ver, src, dst);
    }
    pkt->ctx.ip_proto = proto;
    return pkt;
}

/* A reader over an exact-size heap copy of p[0..n); with an IP context,
 * the IP decoder declares exactly these bytes as its payload. */
DH_FN struct nc_rd dh_reader(struct dh_fx *f, const uint8_t *p, size_t n)
{
    dh_copy(f, p, n);
    if (f->pkt.ctx.ip_ver) {
        f->pkt.ctx.ip_left = (uint32_t)n;
    }
    return nc_rd_make(f->buf, n);
}

/* Run decoder id on r directly; its verdict. */
DH_FN int dh_run_decoder(struct nc_pkt *pkt, enum nc_decoder_id id, struct nc_rd *r)
{
    const struct nc_decoder *d = nc_decoder_by_id(id);
    assert_non_null(d);
    return d->decode(pkt, r);
}

/* Decode caplen bytes of data (wirelen on the wire) as one packet of link
 * type dlt through nc_decode_packet(), as a worker would. The counters are
 * kept, as by dh_fresh(); dh_zero_stats() clears them. */
DH_FN struct nc_pkt *dh_frame(
        struct dh_fx *f, uint32_t dlt, const uint8_t *data, size_t caplen, size_t wirelen)
{
    dh_copy(f, data, caplen);
    struct nc_pkt *pkt = dh_fresh(f);
    pkt->caplen = (uint32_t)caplen;
    pkt->wirelen = (uint32_t)wirelen;
    pkt->dlt = dlt;
    pkt->data = f->buf;
    nc_decode_packet(pkt);
    return pkt;
}

/* ------------------------------------------------------ frame writers */

enum {
    DH_ETH_LEN = 14,
    DH_IP4_LEN = 20,
    DH_IP6_LEN = 40
};

/* How dh_eth_ip4() and dh_eth_ip6() address a frame. */
struct dh_addr {
    uint8_t eth[DH_ETH_LEN]; /* the Ethernet header: destination, source, EtherType */
    const uint8_t *src;      /* IP source and destination: 4 or 16 octets */
    const uint8_t *dst;
    uint8_t ttl; /* TTL or hop limit */
};

/* Ethernet + IPv4 (no options, checksum 0) + l4[0..n) + pad octets of
 * link padding that the IP length excludes, written to out (cap octets,
 * zeroed first). Returns the frame length. */
DH_FN size_t dh_eth_ip4(uint8_t *out, size_t cap, const struct dh_addr *a, uint8_t proto,
        const uint8_t *l4, size_t n, size_t pad)
{
    size_t total = DH_IP4_LEN + n;
    assert_true(DH_ETH_LEN + total + pad <= cap);
    memset(out, 0, cap);
    memcpy(out, a->eth, DH_ETH_LEN);
    uint8_t *ip = out + DH_ETH_LEN;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    ip[8] = a->ttl;
    ip[9] = proto;
    memcpy(ip + 12, a->src, 4);
    memcpy(ip + 16, a->dst, 4);
    if (n) {
        memcpy(ip + DH_IP4_LEN, l4, n);
    }
    return DH_ETH_LEN + total + pad;
}

/* Ethernet + IPv6 (no extension headers, next header next) + l4[0..n),
 * written to out (cap octets, zeroed first). Returns the frame length. */
DH_FN size_t dh_eth_ip6(uint8_t *out, size_t cap, const struct dh_addr *a, uint8_t next,
        const uint8_t *l4, size_t n)
{
    assert_true(DH_ETH_LEN + DH_IP6_LEN + n <= cap);
    memset(out, 0, cap);
    memcpy(out, a->eth, DH_ETH_LEN);
    uint8_t *ip = out + DH_ETH_LEN;
    ip[0] = 0x60;
    ip[4] = (uint8_t)(n >> 8);
    ip[5] = (uint8_t)n;
    ip[6] = next;
    ip[7] = a->ttl;
    memcpy(ip + 8, a->src, 16);
    memcpy(ip + 24, a->dst, 16);
    if (n) {
        memcpy(ip + DH_IP6_LEN, l4, n);
    }
    return DH_ETH_LEN + DH_IP6_LEN + n;
}

/* ------------------------------------------------------------- checks */

/* The k-th record (0-based) of type t in the packet, or NULL. */
DH_FN void *dh_rec_nth(const struct nc_pkt *pkt, enum nc_rec_type t, size_t k)
{
    for (size_t i = 0; i < pkt->n_recs; i++) {
        if (pkt->rec_type[i] == t) {
            if (k == 0) {
                return pkt->recs[i];
            }
            k--;
        }
    }
    return NULL;
}

/* Like dh_rec_nth(), but a missing record fails the test. */
__attribute__((returns_nonnull)) DH_FN void *dh_need(
        const struct nc_pkt *pkt, enum nc_rec_type t, size_t k)
{
    void *r = dh_rec_nth(pkt, t, k);
    if (!r) {
        fail_msg("no %s record #%zu", nc_rec_info(t)->name, k);
        abort(); /* not reached: fail_msg leaves the test */
    }
    return r;
}

DH_FN size_t dh_count_recs(const struct nc_pkt *pkt, enum nc_rec_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < pkt->n_recs; i++) {
        n += pkt->rec_type[i] == t;
    }
    return n;
}

/* Verdicts (errors of every kind) counted for decoder d. */
DH_FN uint64_t dh_bad(const struct nc_decode_stats *s, enum nc_decoder_id d)
{
    uint64_t n = 0;
    for (size_t e = 0; e <= NC_EARG; e++) {
        n += s->bad[d][e];
    }
    return n;
}

/* Verdicts counted for the n decoders of ids; ids NULL: for every decoder.
 * A file whose frames are only meant to be valid for its own decoders
 * passes their list (test_wifiusb.c). */
DH_FN uint64_t dh_bad_total(
        const struct nc_decode_stats *s, const enum nc_decoder_id *ids, size_t n)
{
    uint64_t sum = 0;
    if (!ids) {
        for (size_t d = 0; d < NC_DEC_COUNT; d++) {
            sum += dh_bad(s, (enum nc_decoder_id)d);
        }
        return sum;
    }
    for (size_t i = 0; i < n; i++) {
        sum += dh_bad(s, ids[i]);
    }
    return sum;
}

DH_FN void dh_assert_bytes(ProtobufCBinaryData b, const void *want, size_t len)
{
    assert_int_equal(b.len, len);
    if (len) {
        assert_memory_equal(b.data, want, len);
    }
}

/* --------------------------------------------- one static fixture a file */

#ifdef DH_STATIC_FIXTURE

/* The timestamp of every packet of the static fixture. */
#define DH_STATIC_TS INT64_C(1600000000123456789)

static struct dh_fx fx;

DH_FN int dh_group_setup_static(void **state)
{
    (void)state;
    if (dh_init_decoders() != 0) {
        return -1;
    }
    dh_fx_init(&fx, 4u << 20, DH_STATIC_TS);
    return 0;
}

DH_FN int dh_group_teardown_static(void **state)
{
    (void)state;
    dh_fx_fini(&fx);
    return 0;
}

/* cmocka test setup: every record type wanted, no entropy, no payload. */
DH_FN int dh_test_setup_static(void **state)
{
    (void)state;
    dh_want_all(&fx.opts, true);
    fx.opts.entropy = false;
    fx.opts.payload = false;
    return 0;
}

/* Decode len bytes of data as one packet of link type dlt, wire length
 * wire (0: len), with the counters zeroed first. */
DH_FN void run_wire(uint32_t dlt, const uint8_t *data, size_t len, size_t wire)
{
    dh_zero_stats(&fx);
    dh_frame(&fx, dlt, data, len, wire ? wire : len);
}

DH_FN void run(uint32_t dlt, const uint8_t *data, size_t len)
{
    run_wire(dlt, data, len, 0);
}

DH_FN void *rec_nth(enum nc_rec_type t, size_t k)
{
    return dh_rec_nth(&fx.pkt, t, k);
}

__attribute__((returns_nonnull)) DH_FN void *need(enum nc_rec_type t, size_t k)
{
    return dh_need(&fx.pkt, t, k);
}

DH_FN size_t count_recs(enum nc_rec_type t)
{
    return dh_count_recs(&fx.pkt, t);
}

/* Verdicts of every decoder on the last packet. */
DH_FN uint64_t bad_total(void)
{
    return dh_bad_total(&fx.stats, NULL, 0);
}

#endif /* DH_STATIC_FIXTURE */

#endif /* NC_TEST_DECODE_HARNESS_H */
