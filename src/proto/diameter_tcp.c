/*
 * summary: Diameter over TCP (port 3868): the messages of both directions
 *          of the reassembled stream -> Diameter records
 *          (src/decode/diameter.c).
 *
 * Framing: the 20-byte header's 24-bit message length (framed.h). A header
 * that is not version 1 with a length that is a multiple of 4, or a length
 * over DIAM_TCP_MAX_MSG, loses the framing. Found by port (server or client
 * port 3868), or by content on any port: a valid header with a command
 * code of the base protocol or Credit-Control and a plausible first AVP.
 */
#include "proto/framed.h"

enum {
    DIAM_TCP_MAX_MSG = 128 * 1024,            /* the 24-bit length would allow 16 MiB */
    DIAM_PROBE_LEN = NC_DIAMETER_HDR_LEN + 8, /* header and the first AVP's */
};

static enum nc_probe diameter_tcp_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    NC_UNUSED(dir);
    long len = nc_diameter_frame(p, n);
    if (len <= 0 || len > DIAM_TCP_MAX_MSG) {
        return len < 0 ? NC_PROBE_MORE : NC_PROBE_NO;
    }
    if (by_port) {
        return NC_PROBE_YES;
    }
    if (n < DIAM_PROBE_LEN && len > NC_DIAMETER_HDR_LEN) {
        return NC_PROBE_MORE;
    }
    return nc_diameter_plausible(p, n) ? NC_PROBE_YES : NC_PROBE_NO;
}

static const struct nc_framed diameter_framing = {
    .frame = nc_diameter_frame,
    .msg = nc_diameter_msg,
    .max_msg = DIAM_TCP_MAX_MSG,
};

static long diameter_tcp_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    return nc_framed_feed(&diameter_framing, s, state, dir, p, n, ts);
}

static const uint16_t diameter_tcp_ports[] = { NC_DIAMETER_PORT };
static const enum nc_rec_type diameter_tcp_records[] = { NC_REC_Diameter };

const struct nc_parser nc_parser_diameter_tcp = {
    .name = "diameter_tcp",
    .display = "Diameter",
    .ports = diameter_tcp_ports,
    .n_ports = NC_ARRAY_LEN(diameter_tcp_ports),
    .records = diameter_tcp_records,
    .n_records = NC_ARRAY_LEN(diameter_tcp_records),
    .probe = diameter_tcp_probe,
    .state_size = sizeof(struct nc_framed_state),
    .max_buffer = DIAM_TCP_MAX_MSG + NC_FRAMED_SLACK,
    .feed = diameter_tcp_feed,
    .gap = nc_framed_gap,
    .close = nc_framed_close,
};
