/*
 * summary: the stream stage: one TCP connection's reassembly (both
 *          directions) and the parser chosen for it.
 *
 * The shard that owns a connection creates its struct nc_stream with the
 * connection's first TCP packet, passes every segment of it in capture
 * order, and closes it when the connection ends. Bytes are reassembled
 * (tcp_reasm.h) only while a parser is attached or still being chosen:
 * once every parser has declined, or the attached one is done or switched
 * off, the stream becomes inactive and the shard frees it (the Connection
 * keeps the figures).
 *
 * Choosing a parser: those claiming the server port are probed first with
 * the first bytes of a direction, then every parser by content alone. A
 * probe that cannot tell yet is asked again with more bytes, up to
 * NC_STREAM_PROBE_MAX bytes per direction.
 */
#ifndef NC_STREAM_STREAM_H
#define NC_STREAM_STREAM_H

#include "core/arena.h"
#include "core/budget.h"
#include "core/common.h"
#include "decode/pkt.h"
#include "proto/parser.h"
#include "record/recout.h"
#include "stream/tcp_reasm.h"

enum {
    NC_STREAM_PROBE_MAX = 256, /* bytes per direction a parser may look at before deciding */
};

struct nc_stream_stats {
    uint64_t streams;                   /* TCP connections given a stream */
    uint64_t attached[NC_PARSER_COUNT]; /* parser chosen */
    uint64_t errors[NC_PARSER_COUNT];   /* switched off on a protocol error (or one direction:
                                           nc_stream_dir_off) */
    uint64_t overflow[NC_PARSER_COUNT]; /* switched off: more than max_buffer unconsumed */
    uint64_t gap_off[NC_PARSER_COUNT];  /* switched off by a gap (or one direction) */
    uint64_t unidentified;              /* no parser recognised the stream */
    uint64_t refused;                   /* no stream: the budget refused */
    struct nc_reasm_stats reasm;
};

/* What every stream of a shard shares. The shard sets index before each
 * packet, so records are tagged with the packet that caused them. */
struct nc_stream_env {
    struct nc_recout *out;
    uint64_t index;
    struct nc_arena *arena; /* scratch for records under construction */
    const struct nc_decode_opts *opts;
    struct nc_budget *budget; /* stream state, held segments, parser memory */
    struct nc_reasm_cfg reasm;
    struct nc_stream_stats *stats;
    bool parser_on[NC_PARSER_COUNT]; /* parsers whose records are wanted */
    bool discard;                    /* tearing down after an error: no records */
};

struct nc_stream;

/* Identity of the connection, client first. */
struct nc_stream_id {
    uint8_t ver;
    uint8_t c_ip[16], s_ip[16];
    uint16_t c_port, s_port;
    const char *uid; /* copied */
    bool has_c_mac, has_s_mac;
    uint8_t c_mac[6], s_mac[6];
    uint8_t tunnel_depth;      /* of the connection (0: not tunnelled) */
    const char *tunnel_parent; /* copied */
};

/* NULL when the budget refuses (counted) or no parser could want it. */
struct nc_stream *nc_stream_new(struct nc_stream_env *env, const struct nc_stream_id *id);
/* One TCP segment; dir 0 is client -> server. ack (with NC_TCP_ACK in
 * flags) tells which of the other direction's bytes the sender has. */
void nc_stream_segment(struct nc_stream *s, int dir, uint32_t seq, uint32_t ack, uint16_t flags,
        const uint8_t *data, size_t len, int64_t ts);
/* Still reassembling? false once no parser wants more (free it then). */
bool nc_stream_active(const struct nc_stream *s);
/* Name of the attached parser's protocol ("TLS"), or NULL. */
const char *nc_stream_app(const struct nc_stream *s);
/* What a stream leaves to its Connection. */
struct nc_stream_result {
    uint64_t missed_bytes; /* both directions */
    uint64_t conflicts;
    const char *app; /* parser's protocol name, or NULL */
};

/* End of the connection: remaining bytes delivered with gaps, parser
 * closed, everything freed and refunded. s is invalid afterwards; res
 * (may be NULL) gets the final figures. */
void nc_stream_close(struct nc_stream *s, int64_t ts, struct nc_stream_result *res);
/* Conflicting overlaps seen (both directions). */
uint64_t nc_stream_conflicts(const struct nc_stream *s);

/* Build the parser-on table from the wanted record types. */
void nc_stream_env_parsers(struct nc_stream_env *env);
void nc_stream_stats_add(struct nc_stream_stats *dst, const struct nc_stream_stats *src);
/* Test harness (parser.h): the counters of a stream made by nc_stream_test_new(). */
const struct nc_stream_stats *nc_stream_test_stats(const struct nc_stream *s);

#endif
