/*
 * summary: EtherNet/IP over TCP (port 44818): the encapsulation messages of
 *          both directions of the reassembled stream -> ENIP records and the
 *          CIP records of their data items (src/decode/enip.c).
 *
 * Framing: the 24-byte encapsulation header's 16-bit length gives the
 * message's size, 24 + length (framed.h); a command the specification does
 * not define loses the framing. Found by port (server or client port
 * 44818), or by content on any port: a header with options 0 that is a
 * RegisterSession with its 4 bytes of data, or a SendRRData/SendUnitData
 * with a session, interface handle 0 and a Common Packet Format that starts
 * with an address item.
 */
#include "proto/framed.h"

#include "core/rd.h"

enum {
    ENIP_TCP_MAX_MSG = NC_ENIP_HDR_LEN + 65535, /* the 16-bit length is the cap */
    CMD_REGISTER_SESSION = 0x0065,
};

static enum nc_probe enip_tcp_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    NC_UNUSED(dir);
    int v = nc_enip_plausible(p, n);
    if (v != 1) {
        return v == 2 ? NC_PROBE_MORE : NC_PROBE_NO;
    }
    if (by_port) {
        return NC_PROBE_YES;
    }
    struct nc_rd r = nc_rd_make(p, n);
    uint16_t cmd = nc_rd_le16(&r);
    nc_rd_skip(&r, 2);
    uint32_t session = nc_rd_le32(&r);
    uint32_t status = nc_rd_le32(&r);
    if (status != 0) {
        return NC_PROBE_NO;
    }
    /* nc_enip_plausible() checked the data commands' item list */
    return cmd == CMD_REGISTER_SESSION || session != 0 ? NC_PROBE_YES : NC_PROBE_NO;
}

static const struct nc_framed enip_framing = {
    .frame = nc_enip_frame,
    .msg = nc_enip_msg,
    .max_msg = ENIP_TCP_MAX_MSG,
};

static long enip_tcp_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    return nc_framed_feed(&enip_framing, s, state, dir, p, n, ts);
}

static const uint16_t enip_tcp_ports[] = { NC_ENIP_PORT };
static const enum nc_rec_type enip_tcp_records[] = { NC_REC_ENIP, NC_REC_CIP };

const struct nc_parser nc_parser_enip_tcp = {
    .name = "enip_tcp",
    .display = "ENIP",
    .ports = enip_tcp_ports,
    .n_ports = NC_ARRAY_LEN(enip_tcp_ports),
    .records = enip_tcp_records,
    .n_records = NC_ARRAY_LEN(enip_tcp_records),
    .probe = enip_tcp_probe,
    .state_size = sizeof(struct nc_framed_state),
    .max_buffer = ENIP_TCP_MAX_MSG + NC_FRAMED_SLACK,
    .feed = enip_tcp_feed,
    .gap = nc_framed_gap,
    .close = nc_framed_close,
};
