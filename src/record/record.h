/*
 * summary: the record registry, generated from schema/netcap.proto.
 *
 * enum nc_rec_type has one value per record type (NC_REC_<Name>), in the
 * order of the schema's `enum Type`. The table maps each to its name, its
 * number in the schema and its protobuf-c descriptor, plus the offsets of
 * the "context" fields that the decoder pipeline fills generically
 * (timestamp, src_ip, dst_ip, src_port, dst_port, uid, ip_fragments,
 * ip_frag_overlap, tunnel_depth, tunnel_parent).
 */
#ifndef NC_RECORD_RECORD_H
#define NC_RECORD_RECORD_H

#include "core/common.h"

#include <protobuf-c/protobuf-c.h>

#include "netcap.pb-c.h"

enum {
    /* bumped when a field changes meaning, type or name (docs/SCHEMA.md).
     * 2: DNS names and TXT strings as text, one name per idea
     * (sequence_number, id, ...), DNS filter columns. */
    NC_SCHEMA_VERSION = 2,
};

enum nc_rec_type {
#define NC_RECORD(name, num, desc) NC_REC_##name,
#include "records.def"
#undef NC_RECORD
    NC_REC_COUNT,
    NC_REC_NONE = NC_REC_COUNT,
};

struct nc_rec_info {
    const char *name; /* "DNS": file name, -include key, Header.type_name */
    uint32_t number;  /* value in the schema's enum Type (Header.type) */
    const ProtobufCMessageDescriptor *desc;
    int off_timestamp; /* byte offsets into the C struct, -1 if absent */
    int off_src_ip;
    int off_dst_ip;
    int off_src_port;
    int off_dst_port;
    int off_src_mac;
    int off_dst_mac;
    int off_uid;             /* string uid: the Connection a stream record belongs to */
    int off_ip_fragments;    /* int32: fragments of a reassembled IP datagram */
    int off_ip_frag_overlap; /* bool: its fragments overlapped */
    int off_tunnel_depth;    /* int32: tunnels around the layer the record describes */
    int off_tunnel_parent;   /* string: Community ID of the flow that carries the tunnel */
};

/* Fills the offsets; call once before any other function here. */
void nc_record_init(void);
const struct nc_rec_info *nc_rec_info(enum nc_rec_type t);
/* Case-insensitive; NC_REC_NONE if unknown. */
enum nc_rec_type nc_rec_by_name(const char *name);
/* By schema number (Header.type); NC_REC_NONE if unknown. */
enum nc_rec_type nc_rec_by_number(uint32_t number);
/* All names, comma-separated, for error messages and help. */
const char *nc_rec_names(void);

#endif
