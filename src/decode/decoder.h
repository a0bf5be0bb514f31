/*
 * summary: the decoder registry (link, network and transport layers and the
 *          single-packet application protocols).
 *
 * One descriptor per file, one line per decoder in decoders.def. A decoder
 * claims (namespace, id) pairs, in as many namespaces as it is reached from:
 * IPv4 is EtherType 0x0800, IP protocol 4 (IP in IP), PPP protocol 0x0021
 * and link type 228. The dispatch loop looks the next layer up in dense
 * tables built at start-up. A decoder found by a guess (a port) may decline
 * with NC_DECLINE after checking the content; dispatch then tries the other
 * candidate (the source port) and otherwise stops, counting nothing as
 * malformed.
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

/* Returned by a decoder that was found by a guess and whose content says
 * otherwise. It must decline before it builds a record or changes the
 * packet context; dispatch restores the window. Not an enum nc_err value
 * (never counted as malformed). */
enum {
    NC_DECLINE = -1
};

/* One (namespace, id) pair a decoder serves. */
struct nc_claim {
    enum nc_ns ns;
    uint32_t id; /* < 65536 */
};
struct nc_decoder {
    const char *name;              /* "ipv4": stats label, unique */
    const char *display;           /* "IPv4": protocol name in Connection records */
    enum nc_layer layer;           /* which Connection *_proto field it names */
    const struct nc_claim *claims; /* where this decoder is reached from */
    size_t n_claims;               /* explicit count: id 0 is valid (IPv6 hop-by-hop) */
    /* tunnel decoders: the layer at which they name the carrier flow's
     * Connection ("GRE" as transport, "VXLAN" as application); their own
     * layer is NONE, so the inner connection does not take their name */
    enum nc_layer carrier_layer;
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
    /* ids nobody claims, per namespace where that is news (link types,
     * EtherTypes, IP protocols, PPP protocols...; not ports): the first 8
     * distinct ids with their counts, and a count of the rest */
    uint64_t unknown[NC_NS_COUNT][8];
    uint32_t unknown_id[NC_NS_COUNT][8];
    uint64_t unknown_other[NC_NS_COUNT];
    uint64_t declined[NC_DEC_COUNT]; /* "not mine" after a guess (not malformed) */
    uint64_t depth_limit;            /* NC_MAX_LAYERS hit */
    uint64_t rec_limit;              /* NC_MAX_PKT_RECS or arena cap hit */
    uint64_t encode_limit;           /* record could not be buffered */
};

/* Build lookup tables; NC_EARG (with a message) on a duplicate claim. */
NC_WARN_UNUSED int nc_decode_init(char errbuf[NC_ERRBUF_SIZE]);
const struct nc_decoder *nc_decoder_by_id(enum nc_decoder_id id);
/* The namespace's name in the summary ("EtherType"); NULL for namespaces
 * whose unknown ids are not reported (ports). */
const char *nc_ns_unknown_label(enum nc_ns ns);
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
