/*
 * summary: CIP I/O datagrams (UDP 2222, implicit messaging) -> CIP records.
 * spec:    ODVA CIP Networks Library Vol. 2 (EtherNet/IP) 2-6 (Common Packet
 *          Format), 3-2.2 (class 0/1 I/O over UDP); all fields little-endian.
 *
 *   +---------------+---------------------------------------------+
 *   | Item Count (2)| { Type Id (2) | Length (2) | Data } ...       |
 *   +---------------+---------------------------------------------+
 *   0x8002 sequenced address: Connection Id (4) | Sequence Number (4)
 *   0x00b1 connected data:    CIP Sequence Count (2) | I/O data
 *
 * Decisions:
 *   - Found by port: the datagram must parse as 1..CIP_IO_MAX_ITEMS items
 *     filling it exactly, the first an address item, or the decoder
 *     declines (no encapsulation header to check).
 *   - Each connected data item gives a CIP record with io set, the
 *     connection id of the address item before it, the 16-bit sequence
 *     count (first two bytes; -1 if the item is shorter) and the rest as
 *     data. The run/idle header some connections put first is left in data:
 *     whether it is there is part of the connection's configuration, which
 *     a single datagram does not show.
 */
#include "decode/decoder.h"

enum {
    CIP_IO_PORT = 2222,
    CIP_IO_MAX_ITEMS = 16, /* real datagrams have 2 */
    ITEM_NULL_ADDR = 0x0000,
    ITEM_CONN_ADDR = 0x00a1,
    ITEM_CONN_DATA = 0x00b1,
    ITEM_SEQ_ADDR = 0x8002,
};

/* Is r a CPF of 1..CIP_IO_MAX_ITEMS items that fills it exactly and
 * starts with an address item? (does not move r) */
static bool io_cpf_ok(const struct nc_rd *r)
{
    struct nc_rd c = *r;
    uint16_t count = nc_rd_le16(&c);
    uint16_t first = nc_rd_le16(&c);
    if (!nc_rd_ok(&c) || count == 0 || count > CIP_IO_MAX_ITEMS ||
            (first != ITEM_SEQ_ADDR && first != ITEM_CONN_ADDR && first != ITEM_NULL_ADDR)) {
        return false;
    }
    c = *r;
    nc_rd_skip(&c, 2);
    for (uint16_t i = 0; i < count; i++) {
        nc_rd_skip(&c, 2);
        uint16_t len = nc_rd_le16(&c);
        nc_rd_skip(&c, len);
    }
    return nc_rd_ok(&c) && nc_rd_left(&c) == 0;
}

static int cip_io_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    if (!io_cpf_ok(r)) {
        return NC_DECLINE;
    }
    uint16_t count = nc_rd_le16(r);
    uint32_t conn_id = 0;
    for (uint16_t i = 0; i < count; i++) {
        uint16_t type = nc_rd_le16(r);
        uint16_t len = nc_rd_le16(r);
        struct nc_rd d = nc_rd_sub(r, len);
        if (type == ITEM_SEQ_ADDR || type == ITEM_CONN_ADDR) {
            conn_id = nc_rd_le32(&d);
        } else if (type == ITEM_CONN_DATA) {
            Netcap__CIP *rec = nc_pkt_record(pkt, NC_REC_CIP);
            if (rec) {
                rec->io = true;
                rec->connection_id = conn_id;
                rec->sequence_count = len >= 2 ? nc_rd_le16(&d) : -1;
                rec->data = nc_bytes(nc_rd_rest(&d));
                rec->service_name = (char *)(uintptr_t) "";
            }
        }
    }
    return NC_OK;
}

static const struct nc_claim cip_claims[] = { { NC_NS_UDP_PORT, CIP_IO_PORT } };
const struct nc_decoder nc_decoder_cip = {
    .name = "cip",
    .display = "CIP",
    .layer = NC_LAYER_APP,
    .claims = cip_claims,
    .n_claims = NC_ARRAY_LEN(cip_claims),
    .decode = cip_io_decode,
};
