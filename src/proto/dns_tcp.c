/*
 * summary: DNS over TCP (RFC 1035 4.2.2, RFC 7766 8): every message of the
 *          reassembled stream, in both directions -> DNS records.
 *
 * The stream is a sequence of | length (2) | message |. A message split
 * over segments (or a length split from its message) is waited for: the
 * stream stage keeps the unconsumed bytes (max_buffer covers the largest
 * message). A gap loses the framing, so the parser is switched off (the
 * stream stage counts it).
 */
#include "proto/parser.h"

#include "decode/dns.h"

enum {
    DNS_TCP_MAX_MSG = 65535,
};

static enum nc_probe dns_tcp_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    NC_UNUSED(dir);
    /* the framing proves nothing on its own: port 53 only */
    if (!by_port) {
        return NC_PROBE_NO;
    }
    if (n < 2) {
        return NC_PROBE_MORE;
    }
    size_t len = (size_t)p[0] << 8 | p[1];
    return len >= 12 ? NC_PROBE_YES : NC_PROBE_NO;
}

static long dns_tcp_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    NC_UNUSED(state);
    size_t off = 0;
    while (n - off >= 2) {
        size_t len = (size_t)p[off] << 8 | p[off + 1];
        if (n - off - 2 < len) {
            break; /* wait for the rest of the message */
        }
        Netcap__DNS *rec = nc_stream_record(s, NC_REC_DNS, dir, ts);
        if (rec) {
            (void)nc_dns_parse(rec, nc_stream_arena(s), p + off + 2, len, true);
            nc_stream_emit(s, rec);
        }
        off += 2 + len;
    }
    return (long)off;
}

static void dns_tcp_close(struct nc_stream *s, void *state, int64_t ts)
{
    NC_UNUSED(s);
    NC_UNUSED(state);
    NC_UNUSED(ts);
}

static const uint16_t dns_tcp_ports[] = { 53 };
static const enum nc_rec_type dns_tcp_records[] = { NC_REC_DNS };

const struct nc_parser nc_parser_dns_tcp = {
    .name = "dns_tcp",
    .display = "DNS",
    .ports = dns_tcp_ports,
    .n_ports = NC_ARRAY_LEN(dns_tcp_ports),
    .records = dns_tcp_records,
    .n_records = NC_ARRAY_LEN(dns_tcp_records),
    .probe = dns_tcp_probe,
    .state_size = 0,
    .max_buffer = DNS_TCP_MAX_MSG + 2,
    .feed = dns_tcp_feed,
    .gap = NULL,
    .close = dns_tcp_close,
};
