/*
 * summary: the stream parser registry: application protocols carried over
 *          reassembled TCP streams (TLS hellos, HTTP/1.x, DNS over TCP, ...).
 *
 * One descriptor per file in src/proto/, one line each in parsers.def. The
 * stream stage (src/stream/stream.c) reassembles each TCP connection, picks
 * a parser by port and by content (probe), and feeds it the bytes of both
 * directions in order as (direction, bytes) chunks, with gaps reported
 * explicitly. A parser:
 *   - keeps bounded state: state_size bytes that the stream stage allocates
 *     (zeroed) when it attaches, plus memory from nc_stream_malloc(), which
 *     is charged to the shard's budget and may be refused;
 *   - may ask for more bytes: feed() returns how many it consumed; the rest
 *     is kept (up to max_buffer bytes per direction) and offered again,
 *     followed by the next bytes. Over max_buffer, the parser is switched
 *     off for the flow and counted;
 *   - builds records with nc_stream_record()/nc_stream_emit(): the record's
 *     timestamp, endpoints (src/dst ip and port), uid are filled from the
 *     connection, so every stream record joins its Connection;
 *   - returns NC_PARSE_ERROR on a protocol violation (switched off for the
 *     flow, counted per parser), NC_PARSE_DONE when it has nothing more to
 *     learn from the flow (detached: the flow's bytes are then no longer
 *     reassembled, which is what makes TLS cheap);
 *   - calls nc_stream_handoff() when another protocol follows its own on
 *     the same connection (HTTP: a tunnel opened by CONNECT): the parser is
 *     closed once this feed returns, and what it did not consume, in both
 *     directions, is probed afresh as at the start of a connection.
 * Direction 0 is client -> server (the side that sent the SYN, or the
 * first packet), 1 is server -> client.
 */
#ifndef NC_PROTO_PARSER_H
#define NC_PROTO_PARSER_H

#include "core/common.h"
#include "record/record.h"

enum {
    NC_PARSE_ERROR = -1, /* protocol violation: switch this parser off for the flow */
    NC_PARSE_DONE = -2,  /* nothing more wanted from this flow */
};

enum nc_probe {
    NC_PROBE_NO = 0,   /* not this protocol */
    NC_PROBE_YES = 1,  /* this protocol */
    NC_PROBE_MORE = 2, /* cannot tell yet: call again with more bytes */
};

struct nc_stream; /* one connection as parsers see it (src/stream/stream.h) */

struct nc_parser {
    const char *name;      /* "tls": stats label, unique */
    const char *display;   /* "TLS": Connection.application_proto */
    const uint16_t *ports; /* server ports that suggest it (probe still asked) */
    size_t n_ports;
    const enum nc_rec_type *records; /* types it writes: attached only if one is wanted */
    size_t n_records;
    /* Decide from the first bytes of a direction (dir) whether this is the
     * protocol. by_port: the connection's server port (or client port:
     * the capture began with the server's bytes) is one of ports (a
     * parser may accept weaker evidence then, or need none: DNS over TCP).
     * Must not keep pointers to p. */
    enum nc_probe (*probe)(const uint8_t *p, size_t n, int dir, bool by_port);
    size_t state_size; /* bytes of per-flow state, zeroed at attach */
    size_t max_buffer; /* unconsumed bytes the stream stage keeps per direction */
    /* In-order bytes of direction dir, ts the capture time of the packet
     * that made them available. Returns bytes consumed (0..n), or
     * NC_PARSE_ERROR / NC_PARSE_DONE. */
    long (*feed)(struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts);
    /* n bytes of direction dir are missing before the next feed (the
     * stream stage has already dropped what it kept for that direction).
     * Return 0 to go on (resynchronise), NC_PARSE_ERROR to be switched off,
     * NC_PARSE_DONE to detach. NULL: every gap switches the parser off. */
    int (*gap)(struct nc_stream *s, void *state, int dir, uint64_t n, int64_t ts);
    /* End of the connection or detach: write what is pending (an
     * unanswered request, say) and free what nc_stream_malloc() gave.
     * Always called exactly once after a successful attach. */
    void (*close)(struct nc_stream *s, void *state, int64_t ts);
};

#define NC_PARSER(n) extern const struct nc_parser nc_parser_##n;
#include "proto/parsers.def"
#undef NC_PARSER

enum nc_parser_id {
#define NC_PARSER(n) NC_PARSER_##n,
#include "proto/parsers.def"
#undef NC_PARSER
    NC_PARSER_COUNT,
};

const struct nc_parser *nc_parser_by_id(enum nc_parser_id id);

/* ------------------------------------------------ what parsers may call */

/* Start a record of type t about this connection, sent in direction dir
 * (0: src = client, 1: src = server) at time ts: zeroed, initialised,
 * with timestamp, src_ip/dst_ip, src_port/dst_port and uid filled where the
 * type has them. Memory lives in a scratch arena until nc_stream_emit().
 * NULL when the type is not wanted (or a cap was hit, counted). */
void *nc_stream_record(struct nc_stream *s, enum nc_rec_type t, int dir, int64_t ts);
/* Write the record started by nc_stream_record(). */
void nc_stream_emit(struct nc_stream *s, void *rec);
/* Scratch memory for the record being built (strings, repeated fields);
 * freed after nc_stream_emit(). NULL-safe helpers return "" on failure. */
void *nc_stream_alloc(struct nc_stream *s, size_t n);
char *nc_stream_str(struct nc_stream *s, const uint8_t *p, size_t n); /* UTF-8 sanitised copy */
char *nc_stream_strf(struct nc_stream *s, const char *fmt, ...) NC_PRINTF(2, 3);
/* The scratch arena itself, for helpers that take one (nc_dns_parse). */
struct nc_arena *nc_stream_arena(struct nc_stream *s);
/* Long-lived memory for parser state, charged to the shard's budget.
 * NULL when refused (the parser should degrade or return NC_PARSE_ERROR). */
void *nc_stream_malloc(struct nc_stream *s, size_t n);
void nc_stream_free(struct nc_stream *s, void *p, size_t n);
/* Server port of the connection (what chose the parser, by port). */
uint16_t nc_stream_server_port(const struct nc_stream *s);
/* Client port (the server's, when the capture began with the server's
 * bytes: a parser claiming either port is asked by port). */
uint16_t nc_stream_client_port(const struct nc_stream *s);
/* A parser that gives up one direction (its framing there is lost: a bad
 * header, an oversized message, a gap) and goes on with the other says so:
 * counted as a switch-off (gap: at a gap, else a protocol error). It
 * consumes what that direction delivers from then on, and returns
 * NC_PARSE_DONE once both are given up. */
void nc_stream_dir_off(struct nc_stream *s, bool gap);
/* Bytes missing in direction dir so far (reassembly gaps). */
uint64_t nc_stream_missed(const struct nc_stream *s, int dir);
/* The options the user gave (payload bytes, entropy). */
bool nc_stream_want_payload(const struct nc_stream *s);
/* Called from feed(): the bytes after those this feed consumes belong to
 * another protocol (a tunnel). When feed returns (a count, not an error),
 * the parser is closed and the unconsumed bytes of both directions, then
 * the bytes that follow, are offered to the probes again. The connection's
 * application_proto stays the first parser's. */
void nc_stream_handoff(struct nc_stream *s);

/* -------------------------------- test harness (unit tests and fuzzers) */

/* A stand-alone stream for feeding one parser by hand: records go, as JSON
 * Lines, into a buffer that nc_stream_test_json() returns. All record
 * types are wanted. Budget cap in bytes (0: none). p NULL: every parser,
 * chosen by probing the first bytes as the stream stage does (server port
 * 1: no parser claims it). */
struct nc_stream *nc_stream_test_new(const struct nc_parser *p, uint64_t budget_cap);
/* Feed bytes as the stream stage would (buffering what the parser did not
 * consume). Returns false once the parser is switched off or detached (p
 * NULL: once no parser is attached or still probing). */
bool nc_stream_test_feed(struct nc_stream *s, int dir, const void *p, size_t n, int64_t ts);
bool nc_stream_test_gap(struct nc_stream *s, int dir, uint64_t n, int64_t ts);
/* Close (calls the parser's close once); records so far, NUL-terminated. */
void nc_stream_test_close(struct nc_stream *s, int64_t ts);
const char *nc_stream_test_json(const struct nc_stream *s);
/* Records of each type written so far. */
uint64_t nc_stream_test_count(const struct nc_stream *s, enum nc_rec_type t);
/* Budget bytes still charged (0 after close if the parser freed all). */
uint64_t nc_stream_test_budget_used(const struct nc_stream *s);
void nc_stream_test_free(struct nc_stream *s);

#endif
