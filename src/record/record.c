/*
 * summary: the record registry: names, schema numbers, descriptors, context offsets.
 */
#include "record/record.h"

#include <string.h>
#include <strings.h>

static struct nc_rec_info infos[NC_REC_COUNT] = {
#define NC_RECORD(n, num, d) { #n, num, &d, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 },
#include "records.def"
#undef NC_RECORD
};

static char names_buf[2048];

static int field_off(const ProtobufCMessageDescriptor *d, const char *name, ProtobufCType want)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
    if (!f || f->type != want || f->label == PROTOBUF_C_LABEL_REPEATED) {
        return -1;
    }
    return (int)f->offset;
}

void nc_record_init(void)
{
    size_t o = 0;
    names_buf[0] = '\0';
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        struct nc_rec_info *r = &infos[i];
        r->off_timestamp = field_off(r->desc, "timestamp", PROTOBUF_C_TYPE_INT64);
        r->off_src_ip = field_off(r->desc, "src_ip", PROTOBUF_C_TYPE_STRING);
        r->off_dst_ip = field_off(r->desc, "dst_ip", PROTOBUF_C_TYPE_STRING);
        r->off_src_port = field_off(r->desc, "src_port", PROTOBUF_C_TYPE_INT32);
        r->off_dst_port = field_off(r->desc, "dst_port", PROTOBUF_C_TYPE_INT32);
        r->off_src_mac = field_off(r->desc, "src_mac", PROTOBUF_C_TYPE_STRING);
        r->off_dst_mac = field_off(r->desc, "dst_mac", PROTOBUF_C_TYPE_STRING);
        r->off_uid = field_off(r->desc, "uid", PROTOBUF_C_TYPE_STRING);
        r->off_ip_fragments = field_off(r->desc, "ip_fragments", PROTOBUF_C_TYPE_INT32);
        r->off_ip_frag_overlap = field_off(r->desc, "ip_frag_overlap", PROTOBUF_C_TYPE_BOOL);
        r->off_tunnel_depth = field_off(r->desc, "tunnel_depth", PROTOBUF_C_TYPE_INT32);
        r->off_tunnel_parent = field_off(r->desc, "tunnel_parent", PROTOBUF_C_TYPE_STRING);
        size_t n = strlen(r->name);
        if (o + n + 3 < sizeof(names_buf)) {
            if (o) {
                memcpy(names_buf + o, ", ", 2);
                o += 2;
            }
            memcpy(names_buf + o, r->name, n + 1);
            o += n;
        }
    }
}

const struct nc_rec_info *nc_rec_info(enum nc_rec_type t)
{
    return (size_t)t < NC_REC_COUNT ? &infos[t] : NULL;
}

enum nc_rec_type nc_rec_by_name(const char *name)
{
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        if (strcasecmp(infos[i].name, name) == 0) {
            return (enum nc_rec_type)i;
        }
    }
    return NC_REC_NONE;
}

enum nc_rec_type nc_rec_by_number(uint32_t number)
{
    for (size_t i = 0; i < NC_REC_COUNT; i++) {
        if (infos[i].number == number) {
            return (enum nc_rec_type)i;
        }
    }
    return NC_REC_NONE;
}

const char *nc_rec_names(void)
{
    return names_buf;
}
