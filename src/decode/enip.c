/*
 * summary: EtherNet/IP encapsulation messages -> ENIP records, the CIP
 *          messages in their data items -> CIP records: UDP 44818 here, TCP
 *          44818 by the stream parser src/proto/enip_tcp.c (nc_enip_msg()
 *          for both; CIP I/O on UDP 2222 is cip.c).
 * spec:    ODVA CIP Networks Library Vol. 2 (EtherNet/IP) 2-3 (encapsulation
 *          header), 2-4 (commands), 2-6 (Common Packet Format); Vol. 1 (CIP)
 *          2-4 (message router request/response), C-1 (EPATH segments),
 *          A-4.2 (Multiple Service Packet), 3-5.5.2 (Unconnected Send), 5-2
 *          (Identity object attributes). All fields little-endian, except the
 *          socket address in items, which is big-endian (sockaddr_in).
 *
 *   Encapsulation header (24 bytes), then `length` bytes of command data:
 *   +-------------------------------+-------------------------------+
 *   |           Command             |            Length             |
 *   +-------------------------------+-------------------------------+
 *   |                        Session Handle                         |
 *   |                            Status                             |
 *   |                    Sender Context (8 bytes)                   |
 *   |                            Options                            |
 *   +---------------------------------------------------------------+
 *   SendRRData/SendUnitData data: Interface Handle (4) | Timeout (2) | CPF
 *   CPF: Item Count (2) | { Type Id (2) | Length (2) | Data } ...
 *   CIP request:  Service (1) | Path Size in words (1) | EPATH | Data
 *   CIP reply:    Service|0x80 (1) | 0 (1) | General Status (1) |
 *                 Additional Status Size in words (1) | Additional Status | Data
 *
 * Decisions:
 *   - UDP, found by port: fewer than 24 bytes or a command that the
 *     specification does not define is NC_DECLINE; every encapsulation
 *     message of the datagram gives an ENIP record, up to ENIP_MAX_MSGS. On
 *     TCP the stream parser frames the messages (nc_enip_frame()). A
 *     message cut short gives a record with what is there and NC_ETRUNC.
 *   - The ENIP record of a message is written before the CIP records of
 *     its data items.
 *   - Every connected (0x00b1) or unconnected (0x00b2) data item of
 *     SendRRData/SendUnitData gives a CIP record. The services inside a
 *     Multiple Service Packet (request and reply) and the message request of
 *     an Unconnected Send are parsed one level deep into CIP.embedded, up to
 *     CIP_MAX_EMBEDDED; a container inside them keeps its raw data.
 *   - Replies carry no path, so their class/instance are 0 (tshark fills
 *     them in by matching the request; we do not keep state across packets).
 *   - EPATH: 8/16/32-bit logical class, instance, attribute segments and the
 *     ANSI extended symbolic segment are read; parsing of a path stops at the
 *     first other segment (member, connection point, port), which is not an
 *     error.
 *   - response is "sent from port 44818" for ENIP (no direction bit); CIP
 *     has the reply bit.
 */
#include "decode/appmsg.h"
#include "decode/decoder.h"

#include <stdio.h>

enum {
    ENIP_PORT = 44818,
    ENIP_HDR_LEN = 24,
    ENIP_MAX_MSGS = 16,    /* per datagram; a ~1460-byte one holds 60 bare headers */
    ENIP_MAX_ITEMS = 16,   /* CPF items listed; real messages have 1-4 */
    CIP_MAX_EMBEDDED = 64, /* services of a Multiple Service Packet kept */
    CIP_REPLY = 0x80,
    LIST_SERVICES_NAME = 16,

    CMD_NOP = 0x0000,
    CMD_LIST_SERVICES = 0x0004,
    CMD_LIST_IDENTITY = 0x0063,
    CMD_LIST_INTERFACES = 0x0064,
    CMD_REGISTER_SESSION = 0x0065,
    CMD_UNREGISTER_SESSION = 0x0066,
    CMD_SEND_RR_DATA = 0x006f,
    CMD_SEND_UNIT_DATA = 0x0070,
    CMD_INDICATE_STATUS = 0x0072,
    CMD_CANCEL = 0x0073,

    ITEM_NULL_ADDR = 0x0000,
    ITEM_IDENTITY = 0x000c,
    ITEM_CONN_ADDR = 0x00a1,
    ITEM_CONN_DATA = 0x00b1,
    ITEM_UNCONN_DATA = 0x00b2,
    ITEM_SERVICES = 0x0100,
    ITEM_SEQ_ADDR = 0x8002,

    SVC_MULTIPLE = 0x0a,
    SVC_UNCONN_SEND = 0x52,
    CLASS_CONN_MGR = 0x06,
};

static char *cstr(const char *s)
{
    return (char *)(uintptr_t)s;
}

static const char *command_name(uint16_t cmd)
{
    switch (cmd) {
        case CMD_NOP:
            return "NOP";
        case CMD_LIST_SERVICES:
            return "ListServices";
        case CMD_LIST_IDENTITY:
            return "ListIdentity";
        case CMD_LIST_INTERFACES:
            return "ListInterfaces";
        case CMD_REGISTER_SESSION:
            return "RegisterSession";
        case CMD_UNREGISTER_SESSION:
            return "UnRegisterSession";
        case CMD_SEND_RR_DATA:
            return "SendRRData";
        case CMD_SEND_UNIT_DATA:
            return "SendUnitData";
        case CMD_INDICATE_STATUS:
            return "IndicateStatus";
        case CMD_CANCEL:
            return "Cancel";
        default:
            return NULL;
    }
}

/* Common services (Vol. 1 A-3); class-specific ones (>= 0x4b) only for
 * the Connection Manager, whose codes are fixed by the specification. */
static const char *service_name(uint8_t svc, bool has_class, uint32_t class_id)
{
    static const char *const common[] = {
        [0x01] = "Get_Attributes_All",
        [0x02] = "Set_Attributes_All",
        [0x03] = "Get_Attribute_List",
        [0x04] = "Set_Attribute_List",
        [0x05] = "Reset",
        [0x06] = "Start",
        [0x07] = "Stop",
        [0x08] = "Create",
        [0x09] = "Delete",
        [0x0a] = "Multiple_Service_Packet",
        [0x0d] = "Apply_Attributes",
        [0x0e] = "Get_Attribute_Single",
        [0x10] = "Set_Attribute_Single",
        [0x11] = "Find_Next_Object_Instance",
        [0x14] = "Error_Response",
        [0x15] = "Restore",
        [0x16] = "Save",
        [0x17] = "No_Operation",
        [0x18] = "Get_Member",
        [0x19] = "Set_Member",
        [0x1a] = "Insert_Member",
        [0x1b] = "Remove_Member",
        [0x1c] = "GroupSync",
    };
    if (svc < NC_ARRAY_LEN(common) && common[svc]) {
        return common[svc];
    }
    if (has_class && class_id == CLASS_CONN_MGR) {
        switch (svc) {
            case 0x4e:
                return "Forward_Close";
            case 0x52:
                return "Unconnected_Send";
            case 0x54:
                return "Forward_Open";
            case 0x5a:
                return "Get_Connection_Owner";
            case 0x5b:
                return "Large_Forward_Open";
            default:
                break;
        }
    }
    return "";
}

/* One CIP message, parsed. */
struct cip_msg {
    bool response;
    uint8_t service;
    bool has_class;
    uint32_t class_id, instance_id, attribute_id;
    struct nc_span symbol;
    uint8_t status;
    struct nc_span addl; /* additional status words, raw */
    struct nc_span data;
};

/* Read the logical and symbolic segments of an EPATH (see the file comment). */
static void parse_path(struct nc_rd *p, struct cip_msg *m)
{
    while (nc_rd_left(p) > 0) {
        uint8_t seg = nc_rd_u8(p);
        uint8_t kind = seg & 0xfc;
        uint32_t v = 0;
        if (seg == 0x91) {
            uint8_t len = nc_rd_u8(p);
            m->symbol = nc_rd_span(p, len);
            nc_rd_skip(p, len & 1u);
            if (!nc_rd_ok(p)) {
                m->symbol.len = 0;
                return;
            }
            continue;
        }
        if (kind != 0x20 && kind != 0x24 && kind != 0x30) {
            return; /* member, connection point, port, data... */
        }
        switch (seg & 0x03) {
            case 0:
                v = nc_rd_u8(p);
                break;
            case 1:
                nc_rd_skip(p, 1);
                v = nc_rd_le16(p);
                break;
            case 2:
                nc_rd_skip(p, 1);
                v = nc_rd_le32(p);
                break;
            default:
                return; /* reserved format */
        }
        if (!nc_rd_ok(p)) {
            return;
        }
        if (kind == 0x20) {
            m->class_id = v;
            m->has_class = true;
        } else if (kind == 0x24) {
            m->instance_id = v;
        } else {
            m->attribute_id = v;
        }
    }
}

/* Parse a CIP message that fills r exactly. */
static int parse_cip(struct nc_rd *r, struct cip_msg *m)
{
    memset(m, 0, sizeof(*m));
    uint8_t svc = nc_rd_u8(r);
    if (!nc_rd_ok(r)) {
        return NC_ETRUNC;
    }
    m->response = (svc & CIP_REPLY) != 0;
    m->service = svc & (uint8_t)~CIP_REPLY;
    if (m->response) {
        nc_rd_skip(r, 1);
        m->status = nc_rd_u8(r);
        uint8_t words = nc_rd_u8(r);
        m->addl = nc_rd_span(r, (size_t)words * 2);
    } else {
        uint8_t words = nc_rd_u8(r);
        struct nc_rd path = nc_rd_sub(r, (size_t)words * 2);
        if (nc_rd_ok(r)) {
            parse_path(&path, m);
        }
    }
    if (!nc_rd_ok(r)) {
        return NC_ETRUNC;
    }
    m->data = nc_rd_rest(r);
    return NC_OK;
}

static uint32_t *addl_words(struct nc_app_out *o, struct nc_span s, size_t *n)
{
    *n = 0;
    if (s.len < 2) {
        return NULL;
    }
    uint32_t *v = nc_app_alloc(o, s.len / 2 * sizeof(*v));
    if (!v) {
        return NULL;
    }
    struct nc_rd r = nc_rd_make(s.p, s.len);
    while (nc_rd_left(&r) >= 2) {
        v[(*n)++] = nc_rd_le16(&r);
    }
    return v;
}

static Netcap__CIPService *embedded_rec(struct nc_app_out *o, const struct cip_msg *m)
{
    Netcap__CIPService *e = nc_app_alloc(o, sizeof(*e));
    if (!e) {
        return NULL;
    }
    netcap__cipservice__init(e);
    e->response = m->response;
    e->service_id = m->service;
    e->has_class = m->has_class;
    e->class_id = m->class_id;
    e->instance_id = m->instance_id;
    e->attribute_id = m->attribute_id;
    e->symbol = m->symbol.len ? nc_app_str(o, m->symbol.p, m->symbol.len) : cstr("");
    e->status = m->status;
    e->additional_status = addl_words(o, m->addl, &e->n_additional_status);
    e->data = nc_app_bytes(m->data);
    return e;
}

/* The services inside m (Multiple Service Packet, Unconnected Send), one
 * level deep, into rec->embedded (when rec is set). */
static int parse_embedded(struct nc_app_out *o, const struct cip_msg *m, Netcap__CIP *rec)
{
    Netcap__CIPService **v = NULL;
    size_t n = 0;
    int rc = NC_OK;
    struct nc_rd d = nc_rd_make(m->data.p, m->data.len);
    if (m->service == SVC_UNCONN_SEND && !m->response && m->has_class &&
            m->class_id == CLASS_CONN_MGR) {
        nc_rd_skip(&d, 2); /* priority/tick time, timeout ticks */
        uint16_t size = nc_rd_le16(&d);
        struct nc_rd req = nc_rd_sub(&d, size);
        if (!nc_rd_ok(&d)) {
            return NC_ETRUNC;
        }
        struct cip_msg e;
        rc = parse_cip(&req, &e);
        if (rc == NC_OK && rec) {
            v = nc_app_alloc(o, sizeof(*v));
            if (v && (v[0] = embedded_rec(o, &e)) != NULL) {
                n = 1;
            }
        }
    } else if (m->service == SVC_MULTIPLE && (m->response || (m->has_class && m->class_id == 2))) {
        /* Message Router (class 2); a reply's data has the same layout */
        uint16_t count = nc_rd_le16(&d);
        if (!nc_rd_ok(&d)) {
            return NC_ETRUNC;
        }
        size_t keep = NC_MIN((size_t)count, (size_t)CIP_MAX_EMBEDDED);
        if (rec && keep) {
            v = nc_app_alloc(o, keep * sizeof(*v));
        }
        for (size_t i = 0; i < count; i++) {
            if (i == CIP_MAX_EMBEDDED) {
                rc = NC_ELIMIT;
                break;
            }
            struct nc_rd ofs = nc_rd_make(m->data.p, m->data.len);
            nc_rd_skip(&ofs, 2 + 2 * i);
            uint16_t start = nc_rd_le16(&ofs);
            uint16_t end =
                    i + 1 < count ? nc_rd_le16(&ofs) : (uint16_t)NC_MIN(m->data.len, 0xffffu);
            if (!nc_rd_ok(&ofs)) {
                rc = NC_ETRUNC;
                break;
            }
            if (start >= end || end > m->data.len) {
                rc = end > m->data.len ? NC_ETRUNC : NC_EMALFORMED;
                break;
            }
            struct nc_rd one = nc_rd_make(m->data.p + start, (size_t)(end - start));
            struct cip_msg e;
            rc = parse_cip(&one, &e);
            if (rc != NC_OK) {
                break;
            }
            if (v && n < keep) {
                Netcap__CIPService *er = embedded_rec(o, &e);
                if (er) {
                    v[n++] = er;
                }
            }
        }
    }
    if (rec) {
        rec->embedded = v;
        rec->n_embedded = n;
    }
    return rc;
}

/* One CIP record for the message in item data; conn/seq from the CPF. */
static int cip_record(struct nc_app_out *o, struct nc_span item, uint16_t enip_cmd,
        uint32_t session, uint32_t conn_id, int32_t seq)
{
    struct nc_rd r = nc_rd_make(item.p, item.len);
    struct cip_msg m;
    int rc = parse_cip(&r, &m);
    if (rc != NC_OK) {
        return rc;
    }
    Netcap__CIP *rec = nc_app_record(o, NC_REC_CIP);
    if (rec) {
        rec->response = m.response;
        rec->service_id = m.service;
        rec->has_class = m.has_class;
        rec->class_id = m.class_id;
        rec->instance_id = m.instance_id;
        rec->attribute_id = m.attribute_id;
        rec->symbol = m.symbol.len ? nc_app_str(o, m.symbol.p, m.symbol.len) : cstr("");
        rec->status = m.status;
        rec->additional_status = addl_words(o, m.addl, &rec->n_additional_status);
        rec->data = nc_app_bytes(m.data);
        rec->service_name = cstr(m.response ? service_name(m.service, false, 0)
                                            : service_name(m.service, m.has_class, m.class_id));
        rec->connection_id = conn_id;
        rec->sequence_count = seq;
        rec->enip_command = enip_cmd;
        rec->session_handle = session;
    }
    rc = parse_embedded(o, &m, rec);
    nc_app_emit(o, rec);
    return rc;
}

static char *socket_addr(struct nc_app_out *o, const uint8_t ip[4])
{
    return nc_app_ip4(o, ip);
}

/* ListIdentity item 0x000c. */
static Netcap__ENIPIdentity *parse_identity(struct nc_app_out *o, struct nc_span s)
{
    struct nc_rd r = nc_rd_make(s.p, s.len);
    Netcap__ENIPIdentity *id = nc_app_alloc(o, sizeof(*id));
    if (!id) {
        return NULL;
    }
    netcap__enipidentity__init(id);
    id->encap_version = nc_rd_le16(&r);
    nc_rd_skip(&r, 2); /* sin_family (big-endian AF_INET) */
    id->socket_port = nc_rd_be16(&r);
    uint8_t ip[4];
    nc_rd_copy(&r, ip, sizeof(ip));
    nc_rd_skip(&r, 8); /* sin_zero */
    id->vendor_id = nc_rd_le16(&r);
    id->device_type = nc_rd_le16(&r);
    id->product_code = nc_rd_le16(&r);
    uint8_t major = nc_rd_u8(&r);
    uint8_t minor = nc_rd_u8(&r);
    id->status = nc_rd_le16(&r);
    id->serial_number = nc_rd_le32(&r);
    uint8_t name_len = nc_rd_u8(&r);
    struct nc_span name = nc_rd_span(&r, name_len);
    id->state = nc_rd_u8(&r);
    if (!nc_rd_ok(&r)) {
        return NULL; /* an item this short is not an identity */
    }
    id->socket_address = socket_addr(o, ip);
    char *rev = nc_app_alloc(o, 8);
    if (rev) {
        snprintf(rev, 8, "%u.%u", major, minor);
        id->revision = rev;
    }
    id->product_name = nc_app_str(o, name.p, name.len);
    return id;
}

/* CPF: item count and items. With csd set, fills its items (and identity,
 * services); with cip set, makes a CIP record of each data item of a data
 * command. (Two passes: the ENIP record is written before its CIP ones.) */
static int parse_cpf(struct nc_app_out *o, struct nc_rd *r, Netcap__ENIPCommandSpecificData *csd,
        uint16_t cmd, uint32_t session, bool cip)
{
    uint16_t count = nc_rd_le16(r);
    if (!nc_rd_ok(r)) {
        return NC_ETRUNC;
    }
    Netcap__ENIPItem **v = NULL;
    size_t keep = NC_MIN((size_t)count, (size_t)ENIP_MAX_ITEMS);
    if (csd) {
        csd->item_count = count;
        if (keep) {
            v = nc_app_alloc(o, keep * sizeof(*v));
        }
    }
    uint32_t conn_id = 0;
    int rc = NC_OK;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == ENIP_MAX_ITEMS) {
            rc = NC_ELIMIT;
            break;
        }
        uint16_t type = nc_rd_le16(r);
        uint16_t len = nc_rd_le16(r);
        struct nc_span data = nc_rd_span(r, len);
        if (!nc_rd_ok(r)) {
            rc = NC_ETRUNC;
            break;
        }
        struct nc_rd d = nc_rd_make(data.p, data.len);
        Netcap__ENIPItem *it = NULL;
        if (v && n < keep && (it = nc_app_alloc(o, sizeof(*it))) != NULL) {
            netcap__enipitem__init(it);
            it->type_id = type;
            it->length = len;
            it->data = nc_app_bytes(data);
            v[n++] = it;
        }
        if (type == ITEM_CONN_ADDR || type == ITEM_SEQ_ADDR) {
            conn_id = nc_rd_le32(&d);
            uint32_t seq = nc_rd_le32(&d);
            if (it) {
                it->connection_id = conn_id;
                it->sequence_number = type == ITEM_SEQ_ADDR ? seq : 0;
            }
        } else if (type == ITEM_IDENTITY && csd && !csd->identity) {
            csd->identity = parse_identity(o, data);
        } else if (type == ITEM_SERVICES && csd) {
            csd->protocol_version = nc_rd_le16(&d);
            csd->capability_flags = nc_rd_le16(&d);
            struct nc_span name = nc_rd_span(&d, LIST_SERVICES_NAME);
            if (nc_rd_ok(&d)) {
                size_t l = 0;
                while (l < name.len && name.p[l]) {
                    l++;
                }
                csd->service_name = nc_app_str(o, name.p, l);
            }
        } else if (cip && (type == ITEM_CONN_DATA || type == ITEM_UNCONN_DATA) &&
                   (cmd == CMD_SEND_RR_DATA || cmd == CMD_SEND_UNIT_DATA)) {
            int32_t seq = -1;
            if (type == ITEM_CONN_DATA) {
                seq = nc_rd_le16(&d);
            }
            struct nc_span msg = nc_rd_rest(&d);
            if (nc_rd_ok(&d) && msg.len > 0) {
                int crc = cip_record(o, msg, cmd, session, conn_id, seq);
                if (crc != NC_OK && rc == NC_OK) {
                    rc = crc;
                }
            }
        }
    }
    if (csd) {
        csd->items = v;
        csd->n_items = n;
    }
    return rc;
}

long nc_enip_frame(const uint8_t *p, size_t n)
{
    if (n < ENIP_HDR_LEN) {
        return -1;
    }
    struct nc_rd r = nc_rd_make(p, n);
    uint16_t cmd = nc_rd_le16(&r);
    uint16_t len = nc_rd_le16(&r);
    return command_name(cmd) ? ENIP_HDR_LEN + (long)len : 0;
}

int nc_enip_plausible(const uint8_t *p, size_t n)
{
    struct nc_rd r = nc_rd_make(p, n);
    uint16_t cmd = nc_rd_le16(&r);
    uint16_t len = nc_rd_le16(&r);
    nc_rd_skip(&r, 16); /* session, status, sender context */
    uint32_t options = nc_rd_le32(&r);
    if (!nc_rd_ok(&r)) {
        return 2;
    }
    if (!command_name(cmd) || options != 0) {
        return 0;
    }
    if (cmd == CMD_REGISTER_SESSION || cmd == CMD_UNREGISTER_SESSION) {
        return len == (cmd == CMD_REGISTER_SESSION ? 4 : 0);
    }
    if (cmd != CMD_SEND_RR_DATA && cmd != CMD_SEND_UNIT_DATA) {
        return 1; /* NOP, List* requests (bare headers) and replies */
    }
    /* interface handle 0 (CIP), timeout, 1..ENIP_MAX_ITEMS items, the
     * first an address item */
    uint32_t ifh = nc_rd_le32(&r);
    nc_rd_skip(&r, 2);
    uint16_t count = nc_rd_le16(&r);
    uint16_t first = nc_rd_le16(&r);
    if (!nc_rd_ok(&r)) {
        return len < 10 ? 0 : 2;
    }
    return len >= 10 && ifh == 0 && count >= 1 && count <= ENIP_MAX_ITEMS &&
           (first == ITEM_NULL_ADDR || first == ITEM_CONN_ADDR || first == ITEM_SEQ_ADDR);
}

int nc_enip_msg(struct nc_app_out *o, const uint8_t *p, size_t n)
{
    struct nc_rd hr = nc_rd_make(p, n);
    uint16_t cmd = nc_rd_le16(&hr);
    uint16_t len = nc_rd_le16(&hr);
    uint32_t session = nc_rd_le32(&hr);
    uint32_t status = nc_rd_le32(&hr);
    struct nc_span ctxt = nc_rd_span(&hr, 8);
    uint32_t options = nc_rd_le32(&hr);
    if (!nc_rd_ok(&hr)) {
        return NC_ETRUNC;
    }
    const char *name = command_name(cmd);
    if (!name) {
        return NC_EMALFORMED;
    }
    size_t have = NC_MIN((size_t)len, nc_rd_left(&hr));
    struct nc_span raw = { nc_rd_ptr(&hr), have };
    bool data_cmd = cmd == CMD_SEND_RR_DATA || cmd == CMD_SEND_UNIT_DATA;
    bool list_cmd =
            cmd == CMD_LIST_IDENTITY || cmd == CMD_LIST_SERVICES || cmd == CMD_LIST_INTERFACES;
    Netcap__ENIP *rec = nc_app_record(o, NC_REC_ENIP);
    Netcap__ENIPCommandSpecificData *csd = NULL;
    if (rec) {
        rec->command = cmd;
        rec->length = len;
        rec->session_handle = session;
        rec->status = status;
        rec->sender_context = nc_app_bytes(ctxt);
        rec->options = options;
        rec->command_name = cstr(name);
        rec->response = o->src_port == ENIP_PORT;
        csd = nc_app_alloc(o, sizeof(*csd));
        if (csd) {
            netcap__enipcommand_specific_data__init(csd);
            csd->cmd = cmd;
            csd->data = nc_app_bytes(raw);
            rec->command_specific = csd;
        }
    }
    /* pass 1: the ENIP record's command-specific data; pass 2 (data
     * commands): a CIP record per data item, after the ENIP record */
    int rc = NC_OK;
    for (int pass = 1; pass <= 2; pass++) {
        if (pass == 2 && !data_cmd) {
            break;
        }
        struct nc_rd body = nc_rd_make(raw.p, raw.len);
        Netcap__ENIPCommandSpecificData *c = pass == 1 ? csd : NULL;
        int brc = NC_OK;
        if (cmd == CMD_REGISTER_SESSION) {
            if (c && have >= 4) {
                c->protocol_version = nc_rd_le16(&body);
                c->option_flags = nc_rd_le16(&body);
            }
        } else if (data_cmd) {
            uint32_t ifh = nc_rd_le32(&body);
            uint16_t timeout = nc_rd_le16(&body);
            if (!nc_rd_ok(&body)) {
                brc = NC_ETRUNC;
            } else {
                if (c) {
                    c->interface_handle = ifh;
                    c->timeout = timeout;
                }
                brc = parse_cpf(o, &body, c, cmd, session, pass == 2);
            }
        } else if (list_cmd && have > 0) {
            brc = parse_cpf(o, &body, c, cmd, session, false);
        }
        if (pass == 1) {
            nc_app_emit(o, rec);
        }
        rc = brc;
    }
    if (rc == NC_OK && have < len) {
        rc = NC_ETRUNC;
    }
    return rc;
}

/* UDP 44818 (TCP is the stream parser src/proto/enip_tcp.c): every
 * encapsulation message of the datagram, up to ENIP_MAX_MSGS. */
static int enip_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    if (nc_rd_left(r) < ENIP_HDR_LEN ||
            !command_name((uint16_t)(nc_rd_peek(r, 0) | nc_rd_peek(r, 1) << 8))) {
        return NC_DECLINE;
    }
    struct nc_app_out o = { .pkt = pkt, .src_port = pkt->ctx.src_port, .transport = "udp" };
    int rc = NC_OK;
    for (size_t m = 0; nc_rd_left(r) > 0 && rc == NC_OK; m++) {
        if (m == ENIP_MAX_MSGS) {
            rc = NC_ELIMIT;
            break;
        }
        long len = nc_enip_frame(nc_rd_ptr(r), nc_rd_left(r));
        if (len == 0) {
            rc = NC_EMALFORMED;
            break;
        }
        size_t have = len < 0 ? nc_rd_left(r) : NC_MIN((size_t)len, nc_rd_left(r));
        struct nc_span msg = nc_rd_span(r, have);
        rc = nc_enip_msg(&o, msg.p, msg.len);
    }
    pkt->ctx.proto[NC_LAYER_APP] = "ENIP";
    return rc;
}

static const struct nc_claim enip_claims[] = {
    { NC_NS_UDP_PORT, ENIP_PORT },
};
const struct nc_decoder nc_decoder_enip = {
    .name = "enip",
    .display = "ENIP",
    .layer = NC_LAYER_APP,
    .claims = enip_claims,
    .n_claims = NC_ARRAY_LEN(enip_claims),
    .decode = enip_decode,
};
