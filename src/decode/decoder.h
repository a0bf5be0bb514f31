/*
 * summary: the decoder registry (link, network and transport layers and the
 *          single-packet application protocols).
 *
 * One descriptor per file, one line per decoder in decoders.def. A decoder
 * claims ids in one namespace (EtherTypes, IP protocols, ports...); the
 * dispatch loop looks the next layer up in dense tables built at start-up.
 */
#ifndef NC_DECODE_DECODER_H
#define NC_DECODE_DECODER_H

#include "core/common.h"
#include "core/rd.h"
#include "decode/pkt.h"

/* Decode one layer. On entry pkt->next_id still holds the id this decoder
 * was found by (dot1q reads its TPID from it) and *r is the window that starts with this layer's
 * header; on NC_OK it must be the next layer's window (the decoder may also
 * shrink it, e.g. to the IP total length) and pkt->next_ns/next_id name the
 * next layer (NC_NS_NONE: stop). Any other return is a data verdict that
 * is counted for this decoder and ends decoding of the packet; records
 * already built are still written. */
typedef int nc_decode_fn(struct nc_pkt *pkt, struct nc_rd *r);

struct nc_decoder {
    const char *name;       /* "ipv4": stats label, unique */
    const char *display;    /* "IPv4": protocol name in Connection records */
    enum nc_layer layer;    /* which Connection *_proto field it names */
    enum nc_ns ns;          /* namespace of claims */
    const uint16_t *claims; /* ids this decoder handles in ns */
    size_t n_claims;        /* explicit count: id 0 is valid (IPv6 hop-by-hop) */
    nc_decode_fn *decode;
};

#define NC_DECODER(n) extern const struct nc_decoder nc_decoder_##n;
#include "decode/decoders.def"
#undef NC_DECODER

enum nc_decoder_id {
#define NC_DECODER(n) NC_DEC_##n,
#include "decode/decoders.def"
#undef NC_DECODER
    NC_DEC_COUNT,
};

/* Per-worker counters; summed at the end (sums are independent of order). */
struct nc_decode_stats {
    uint64_t packets;
    uint64_t layers[NC_DEC_COUNT];           /* headers decoded (attempted) */
    uint64_t bad[NC_DEC_COUNT][NC_EARG + 1]; /* verdicts by enum nc_err */
    uint64_t records[NC_REC_COUNT];
    uint64_t unknown_dlt[8]; /* first 8 distinct unknown link types */
    uint32_t unknown_dlt_id[8];
    uint64_t unknown_dlt_other;
    uint64_t depth_limit;  /* NC_MAX_LAYERS hit */
    uint64_t rec_limit;    /* NC_MAX_PKT_RECS or arena cap hit */
    uint64_t encode_limit; /* record could not be buffered */
};

/* Build lookup tables; NC_EARG (with a message) on a duplicate claim. */
NC_WARN_UNUSED int nc_decode_init(char errbuf[NC_ERRBUF_SIZE]);
const struct nc_decoder *nc_decoder_by_id(enum nc_decoder_id id);
/* Is there a decoder for this link type? (capture warns early if not) */
bool nc_decode_dlt_known(uint32_t dlt);

/* Run all decoders over pkt (data, caplen, wirelen, ts, dlt, arena, opts,
 * stats set by the caller). Records end up in pkt->recs. */
void nc_decode_packet(struct nc_pkt *pkt);
/* Decode p[0..n) as the layer that (ns, id) names, in the context pkt
 * already holds (a reassembled IP datagram: addresses set, payload from
 * the transport header on). Records join pkt->recs; stats->packets is not
 * counted again. */
void nc_decode_payload(struct nc_pkt *pkt, enum nc_ns ns, uint32_t id, const uint8_t *p, size_t n);

void nc_decode_stats_add(struct nc_decode_stats *dst, const struct nc_decode_stats *src);

#endif
