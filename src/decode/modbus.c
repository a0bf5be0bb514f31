/*
 * summary: one Modbus/TCP ADU -> a Modbus record (the stream parser
 *          src/proto/modbus_tcp.c frames them on TCP port 502).
 * spec:    MODBUS Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3 (MBAP
 *          header); MODBUS Application Protocol Specification V1.1b3, 4.1
 *          (PDU), 6 (function codes), 7 (exception responses).
 *
 *    0                   1                   2                   3
 *   +-------------------------------+-------------------------------+
 *   |        Transaction Id         |     Protocol Id (0)           |
 *   +-------------------------------+---------------+---------------+
 *   |  Length (unit id + PDU)       |    Unit Id    | Function Code |
 *   +-------------------------------+---------------+---------------+
 *   |   Data (Length - 2) ...          function code | 0x80: exception,
 *                                                      data[0] is its code
 *
 * Decisions:
 *   - A protocol id other than 0, or a length outside 2..254 (a PDU is at
 *     most 253 bytes), is not a valid MBAP header: nc_modbus_frame() says
 *     0 and the stream parser stops reading that direction (port 502
 *     carries other traffic too, and the parser's probe asks the same).
 *   - Each ADU gives a record. nc_modbus_adu() given less than the whole
 *     ADU makes a record of the bytes present and says NC_ETRUNC; the
 *     stream parser hands it whole ADUs only (one that the connection's
 *     end cuts is not written).
 *   - response is "sent from port 502" (Modbus has no direction bit; Zeek
 *     likewise takes the originator's messages as requests).
 *   - payload always holds the PDU data after the function code (at most
 *     252 bytes): it is the protocol's content, not an optional capture.
 */
#include "decode/appmsg.h"

enum {
    MBAP_LEN = 7,         /* transaction, protocol, length, unit id */
    MODBUS_MIN_LEN = 2,   /* unit id + function code */
    MODBUS_MAX_LEN = 254, /* unit id + 253-byte PDU */
    MODBUS_EXCEPTION = 0x80,
};

static const char *const fn_names[] = {
    [1] = "READ_COILS",
    [2] = "READ_DISCRETE_INPUTS",
    [3] = "READ_HOLDING_REGISTERS",
    [4] = "READ_INPUT_REGISTERS",
    [5] = "WRITE_SINGLE_COIL",
    [6] = "WRITE_SINGLE_REGISTER",
    [7] = "READ_EXCEPTION_STATUS",
    [8] = "DIAGNOSTICS",
    [11] = "GET_COMM_EVENT_COUNTER",
    [12] = "GET_COMM_EVENT_LOG",
    [15] = "WRITE_MULTIPLE_COILS",
    [16] = "WRITE_MULTIPLE_REGISTERS",
    [17] = "REPORT_SLAVE_ID",
    [20] = "READ_FILE_RECORD",
    [21] = "WRITE_FILE_RECORD",
    [22] = "MASK_WRITE_REGISTER",
    [23] = "READ_WRITE_MULTIPLE_REGISTERS",
    [24] = "READ_FIFO_QUEUE",
    [43] = "ENCAP_INTERFACE_TRANSPORT",
};

static char *fn_name(uint8_t fc)
{
    const char *s = fc < NC_ARRAY_LEN(fn_names) ? fn_names[fc] : NULL;
    return (char *)(uintptr_t)(s ? s : "");
}

/* Is the MBAP header at r's position plausible? (does not move r) */
static bool mbap_ok(const struct nc_rd *r)
{
    if (nc_rd_left(r) < MBAP_LEN + 1) {
        return false;
    }
    uint16_t proto = (uint16_t)(nc_rd_peek(r, 2) << 8 | nc_rd_peek(r, 3));
    uint16_t len = (uint16_t)(nc_rd_peek(r, 4) << 8 | nc_rd_peek(r, 5));
    return proto == 0 && len >= MODBUS_MIN_LEN && len <= MODBUS_MAX_LEN;
}

long nc_modbus_frame(const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    if (n < MBAP_LEN + 1) {
        return -1;
    }
    if (!mbap_ok(&r)) {
        return 0;
    }
    return 6 + (long)(nc_rd_peek(&r, 4) << 8 | nc_rd_peek(&r, 5));
}

int nc_modbus_adu(struct nc_app_out *o, const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    if (!mbap_ok(&r)) {
        return n < MBAP_LEN + 1 ? NC_ETRUNC : NC_EMALFORMED;
    }
    uint16_t tid = nc_rd_be16(&r);
    uint16_t proto = nc_rd_be16(&r);
    uint16_t len = nc_rd_be16(&r);
    size_t have = NC_MIN((size_t)len, nc_rd_left(&r));
    struct nc_rd adu = nc_rd_sub(&r, have);
    uint8_t unit = nc_rd_u8(&adu);
    uint8_t fc = nc_rd_u8(&adu);
    struct nc_span data = nc_rd_rest(&adu);
    Netcap__Modbus *rec = nc_app_record(o, NC_REC_Modbus);
    if (rec) {
        rec->transaction_id = tid;
        rec->protocol_id = proto;
        rec->length = len;
        rec->unit_id = unit;
        rec->exception = (fc & MODBUS_EXCEPTION) != 0;
        rec->function_code = fc & (uint8_t)~MODBUS_EXCEPTION;
        rec->function_name = fn_name((uint8_t)rec->function_code);
        if (rec->exception && data.len > 0) {
            rec->exception_code = data.p[0];
        }
        rec->payload = nc_app_bytes(data);
        rec->response = o->src_port == NC_MODBUS_PORT;
        nc_app_emit(o, rec);
    }
    return have < len ? NC_ETRUNC : NC_OK;
}
