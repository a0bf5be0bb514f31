/*
 * summary: Modbus/TCP on port 502: the ADUs of both directions of the
 *          reassembled stream -> Modbus records (src/decode/modbus.c).
 *
 * Framing: the MBAP header's length (unit id + PDU, 2..254) gives the ADU's
 * size, 6 + length (framed.h). The framing proves little on its own, so
 * the parser is found by port only (server or client port 502).
 */
#include "proto/framed.h"

static enum nc_probe modbus_tcp_probe(const uint8_t *p, size_t n, int dir, bool by_port)
{
    NC_UNUSED(dir);
    if (!by_port) {
        return NC_PROBE_NO;
    }
    long len = nc_modbus_frame(p, n);
    return len < 0 ? NC_PROBE_MORE : len > 0 ? NC_PROBE_YES : NC_PROBE_NO;
}

static const struct nc_framed modbus_framing = {
    .frame = nc_modbus_frame,
    .msg = nc_modbus_adu,
    .max_msg = NC_MODBUS_MAX_ADU,
};

static long modbus_tcp_feed(
        struct nc_stream *s, void *state, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    return nc_framed_feed(&modbus_framing, s, state, dir, p, n, ts);
}

static const uint16_t modbus_tcp_ports[] = { NC_MODBUS_PORT };
static const enum nc_rec_type modbus_tcp_records[] = { NC_REC_Modbus };

const struct nc_parser nc_parser_modbus_tcp = {
    .name = "modbus_tcp",
    .display = "Modbus",
    .ports = modbus_tcp_ports,
    .n_ports = NC_ARRAY_LEN(modbus_tcp_ports),
    .records = modbus_tcp_records,
    .n_records = NC_ARRAY_LEN(modbus_tcp_records),
    .probe = modbus_tcp_probe,
    .state_size = sizeof(struct nc_framed_state),
    .max_buffer = NC_MODBUS_MAX_ADU + NC_FRAMED_SLACK,
    .feed = modbus_tcp_feed,
    .gap = nc_framed_gap,
    .close = nc_framed_close,
};
