/*
 * summary: the feed loop shared by the stream parsers of message protocols
 *          whose messages a header frames (Modbus/TCP, ENIP, SIP, Diameter
 *          over TCP): cut each direction into messages and hand each whole
 *          one to its decoder (src/decode/appmsg.h).
 *
 * The frame function reads a message's length from its start (appmsg.h:
 * > 0 length, 0 bad header, -1 more bytes needed). A message is decoded
 * once all of it is there, with the time of the packet that completed it;
 * several in one delivery are decoded in order; one split over segments
 * waits in the stream stage's buffer. A bad header or a length over
 * max_msg means the direction's framing is lost (or never was): that
 * direction is given up, counted (nc_stream_dir_off()), and what it sends
 * later is skipped; so is a direction with a gap, since a length-framed
 * stream cannot be resynchronised safely. The flow is detached once both
 * directions are given up. A message the connection's end cuts is not
 * written.
 */
#ifndef NC_PROTO_FRAMED_H
#define NC_PROTO_FRAMED_H

#include "decode/appmsg.h"
#include "proto/parser.h"

enum {
    NC_FRAMED_SLACK = 64 * 1024, /* max_buffer beyond max_msg: one delivery held with a message */
};

struct nc_framed {
    long (*frame)(const uint8_t *p, size_t n);
    int (*msg)(struct nc_app_out *o, const uint8_t *p, size_t n);
    size_t max_msg;  /* bytes of one message, header included */
    bool crlf_pings; /* CR and LF between messages are skipped (SIP keep-alives, RFC 5626 4.4.1) */
};

/* Per-flow state of such a parser (its state_size). */
struct nc_framed_state {
    bool off[2]; /* direction given up */
};

long nc_framed_feed(const struct nc_framed *f, struct nc_stream *s, struct nc_framed_state *st,
        int dir, const uint8_t *p, size_t n, int64_t ts);
int nc_framed_gap(struct nc_stream *s, void *state, int dir, uint64_t n, int64_t ts);
void nc_framed_close(struct nc_stream *s, void *state, int64_t ts);

#endif
