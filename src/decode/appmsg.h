/*
 * summary: the message decoders of the application protocols that are seen
 *          both in single datagrams (decoders) and in reassembled TCP
 *          streams (stream parsers): Modbus/TCP, EtherNet/IP with CIP, SIP
 *          and Diameter. One function per message, called by both paths.
 *
 * A struct nc_app_out says where a message's records go: into the packet's
 * record list (pkt set: UDP, SCTP) or out of the stream one by one (s set:
 * TCP, src/proto/<x>_tcp.c). The decoders build a record with
 * nc_app_record(), fill it with memory from nc_app_alloc()/nc_app_str(),
 * and finish it with nc_app_emit() before they start the next one (the
 * stream path holds one record at a time). Framing (where a message ends
 * in a stream, how many a datagram holds) is the caller's; the *_frame()
 * functions read a header for it.
 */
#ifndef NC_DECODE_APPMSG_H
#define NC_DECODE_APPMSG_H

#include "core/common.h"
#include "core/rd.h"
#include "decode/pkt.h"

struct nc_stream;

struct nc_app_out {
    struct nc_pkt *pkt;    /* packet path (NULL on the stream path) */
    struct nc_stream *s;   /* stream path */
    int dir;               /* stream path: 0 client -> server, 1 server -> client */
    int64_t ts;            /* stream path: time of the packet completing the message */
    uint16_t src_port;     /* the message's source port (both paths) */
    const char *transport; /* "tcp", "udp", "sctp" */
};

/* Start a record of type t (NULL: not wanted, or a cap was hit, counted). */
void *nc_app_record(struct nc_app_out *o, enum nc_rec_type t);
/* Finish it: written at once on the stream path; NULL-safe. */
void nc_app_emit(struct nc_app_out *o, void *rec);
/* Memory and text for the record being built ("" / NULL when refused). */
void *nc_app_alloc(struct nc_app_out *o, size_t n);
char *nc_app_str(struct nc_app_out *o, const uint8_t *p, size_t n); /* UTF-8 sanitised copy */
char *nc_app_ip4(struct nc_app_out *o, const uint8_t ip[4]);
char *nc_app_ip6(struct nc_app_out *o, const uint8_t ip[16]);

/* A protobuf bytes value that borrows s (valid until the record is written). */
static inline ProtobufCBinaryData nc_app_bytes(struct nc_span s)
{
    ProtobufCBinaryData b = { s.len, (uint8_t *)(uintptr_t)s.p };
    return b;
}

/* The *_frame() functions look at the start of a message, p[0..n):
 * > 0: the message's length in bytes (header included); 0: not a valid
 * header (the stream has lost its framing); -1: fewer bytes than the
 * header needs. */

/* Modbus/TCP (modbus.c) */
enum {
    NC_MODBUS_PORT = 502,
    NC_MODBUS_MAX_ADU = 6 + 254, /* MBAP (without the unit id) + unit id + 253-byte PDU */
};
long nc_modbus_frame(const uint8_t *p, size_t n);
/* One ADU from its MBAP header: p[0..n) is what there is of it (n may be
 * less than its length: a record with what is there and NC_ETRUNC). */
int nc_modbus_adu(struct nc_app_out *o, const uint8_t *p, size_t n);

/* EtherNet/IP (enip.c) */
enum {
    NC_ENIP_PORT = 44818,
    NC_ENIP_HDR_LEN = 24,
};
long nc_enip_frame(const uint8_t *p, size_t n);
/* One encapsulation message (ENIP record, then a CIP record per data
 * item); n may be less than its length (NC_ETRUNC). */
int nc_enip_msg(struct nc_app_out *o, const uint8_t *p, size_t n);
/* Could p[0..n) start an ENIP stream? Stricter than nc_enip_frame(), for
 * finding the protocol by content: 1 yes, 0 no, 2 cannot tell yet. */
int nc_enip_plausible(const uint8_t *p, size_t n);

/* SIP (sip.c) */
enum {
    NC_SIP_PORT = 5060,
};
/* One message in p[0..n) (from its start line; a cut one gives NC_ETRUNC).
 * -1 (NC_DECLINE), and no record, when the first line is not SIP. */
int nc_sip_msg(struct nc_app_out *o, const uint8_t *p, size_t n);
/* Length of the message at p: its head through the empty line plus the
 * Content-Length body (0 without the header). -1: the head is not complete
 * yet (and max_head not reached); 0: not a SIP start line, a head longer
 * than max_head, or a bad Content-Length. */
long nc_sip_frame(const uint8_t *p, size_t n, size_t max_head);
/* Is p[0..n) the start of a SIP request or status line? NC_PROBE-like:
 * 1 yes, 0 no, 2 cannot tell yet. */
int nc_sip_start(const uint8_t *p, size_t n);

/* Diameter (diameter.c) */
enum {
    NC_DIAMETER_PORT = 3868,
    NC_DIAMETER_HDR_LEN = 20,
};
long nc_diameter_frame(const uint8_t *p, size_t n);
/* Could p[0..n) (n >= NC_DIAMETER_HDR_LEN + 8 unless the message is a bare
 * header) start a Diameter stream? A valid header with a known command
 * code and a plausible first AVP header: for finding it by content. */
bool nc_diameter_plausible(const uint8_t *p, size_t n);
/* One message from its header; n may be less than its length (NC_ETRUNC). */
int nc_diameter_msg(struct nc_app_out *o, const uint8_t *p, size_t n);

#endif
