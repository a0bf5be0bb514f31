/*
 * summary: SIP over TCP (port 5060; 5061 is TLS and not parsed): the
 *          messages of both directions of the reassembled stream -> SIP
 *          records (src/decode/sip.c).
 *
 * Framing (RFC 3261 18.3): a message is its head, through the empty line,
 * and then Content-Length bytes of body (none without the header, which
 * TCP requires). CR and LF between messages are keep-alives (RFC 5626
 * 4.4.1) and skipped. A start line that is not SIP, a head over
 * SIP_TCP_MAX_HEAD bytes, a bad Content-Length or a message over
 * SIP_TCP_MAX_MSG bytes loses the framing (framed.h). Found by port, or by
 * content on any port: a SIP request or status line.
 */
#include "proto/framed.h"

enum {
    SIP_TCP_MAX_HEAD = 16 * 1024, /* start line and headers */
    SIP_TCP_MAX_MSG = 64 * 1024,  /* head and body: a UDP datagram's limit */
};

static enum nc_probe sip_tcp_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    NC_UNUSED(dir);
    NC_UNUSED(by_port);
    int v = nc_sip_start(p, n);
    return v == 1 ? NC_PROBE_YES : v == 2 ? NC_PROBE_MORE : NC_PROBE_NO;
}

static long sip_tcp_frame(const uint8_t *p, size_t n)
{
    return nc_sip_frame(p, n, SIP_TCP_MAX_HEAD);
}

static const struct nc_framed sip_framing = {
    .frame = sip_tcp_frame,
    .msg = nc_sip_msg,
    .max_msg = SIP_TCP_MAX_MSG,
    .crlf_pings = true,
};

static long sip_tcp_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    return nc_framed_feed(&sip_framing, s, state, dir, p, n, ts);
}

static const uint16_t sip_tcp_ports[] = { NC_SIP_PORT };
static const enum nc_rec_type sip_tcp_records[] = { NC_REC_SIP };

const struct nc_parser nc_parser_sip_tcp = {
    .name = "sip_tcp",
    .display = "SIP",
    .ports = sip_tcp_ports,
    .n_ports = NC_ARRAY_LEN(sip_tcp_ports),
    .records = sip_tcp_records,
    .n_records = NC_ARRAY_LEN(sip_tcp_records),
    .probe = sip_tcp_probe,
    .state_size = sizeof(struct nc_framed_state),
    .max_buffer = SIP_TCP_MAX_MSG + NC_FRAMED_SLACK,
    .feed = sip_tcp_feed,
    .gap = nc_framed_gap,
    .close = nc_framed_close,
};
