/*
 * summary: LCM (Lightweight Communications and Marshalling) datagrams over
 *          UDP 7667 -> LCM records, short and fragmented messages.
 * spec:    LCM UDP multicast protocol (lcm-proj.github.io,
 *          "UDP Multicast Protocol"): big-endian fields, magic numbers
 *          "LC02" and "LC03", channel names of at most 63 octets.
 *
 *   short message:
 *   +---------------------------------------------------------------+
 *   |                  magic 0x4c433032 "LC02" (32)                 |
 *   |                      sequence number (32)                     |
 *   |  channel name, NUL-terminated  |  message (rest of datagram)  |
 *   +---------------------------------------------------------------+
 *
 *   fragment:
 *   +---------------------------------------------------------------+
 *   |                  magic 0x4c433033 "LC03" (32)                 |
 *   |                      sequence number (32)                     |
 *   |                 payload size: whole message (32)              |
 *   |                   fragment offset in it (32)                  |
 *   |  fragment number (16)         |  number of fragments (16)     |
 *   |  fragment 0 only: channel name, NUL-terminated | data ...     |
 *   +---------------------------------------------------------------+
 *
 * Recognition: the magic, else NC_DECLINE. A channel name without its NUL
 * within 64 octets is NC_EMALFORMED, without it before the end of a
 * shorter datagram NC_ETRUNC (the record keeps what was read). A fragment
 * whose number is not below the count, or whose data ends past the payload
 * size, is NC_EMALFORMED. Fragments are not reassembled: each datagram is
 * one record (sequence_number ties the fragments of a message together).
 * payload_size is the message size the datagram announces (a short
 * message: the bytes after the channel name); data_size the message bytes
 * this datagram carries, as captured.
 */
#include "decode/decoder.h"

#include <string.h>

enum {
    LCM_PORT = 7667,
    LCM_MAGIC_SHORT = 0x4c433032,
    LCM_MAGIC_FRAG = 0x4c433033,
    LCM_CHANNEL_MAX = 63, /* octets of a channel name, NUL not included */
};

/* The channel name at r: its text in *name; r moves past the NUL. */
static int read_channel(struct nc_pkt *pkt, struct nc_rd *r, char **name, bool build)
{
    size_t scan = NC_MIN(nc_rd_left(r), (size_t)LCM_CHANNEL_MAX + 1);
    struct nc_rd look = *r;
    const uint8_t *p = nc_rd_span(&look, scan).p;
    const uint8_t *z = scan ? memchr(p, 0, scan) : NULL;
    size_t n = z ? (size_t)(z - p) : scan;
    if (build) {
        *name = nc_pkt_str(pkt, p, NC_MIN(n, (size_t)LCM_CHANNEL_MAX));
    }
    if (!z) {
        nc_rd_rest(r);
        return scan > LCM_CHANNEL_MAX ? NC_EMALFORMED : NC_ETRUNC;
    }
    nc_rd_skip(r, n + 1);
    return NC_OK;
}

static int lcm_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_rd look = *r;
    uint32_t magic = nc_rd_be32(&look);
    if (!nc_rd_ok(&look) || (magic != LCM_MAGIC_SHORT && magic != LCM_MAGIC_FRAG)) {
        return NC_DECLINE;
    }
    nc_rd_skip(r, 4);
    uint32_t seq = nc_rd_be32(r);
    uint32_t size = 0, offset = 0;
    uint16_t frag_no = 0, n_frags = 0;
    bool frag = magic == LCM_MAGIC_FRAG;
    if (frag) {
        size = nc_rd_be32(r);
        offset = nc_rd_be32(r);
        frag_no = nc_rd_be16(r);
        n_frags = nc_rd_be16(r);
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__LCM *rec = nc_pkt_record(pkt, NC_REC_LCM);
    int err = NC_OK;
    char *channel = NULL;
    if (!frag || frag_no == 0) {
        err = read_channel(pkt, r, &channel, rec != NULL);
    }
    size_t data = nc_rd_left(r);
    nc_rd_rest(r);
    if (err == NC_OK && frag && (frag_no >= n_frags || (uint64_t)offset + data > (uint64_t)size)) {
        err = NC_EMALFORMED;
    }
    if (rec) {
        rec->magic = magic;
        rec->sequence_number = seq;
        rec->fragmented = frag;
        rec->payload_size = frag ? (int32_t)NC_MIN(size, (uint32_t)INT32_MAX) : (int32_t)data;
        rec->fragment_offset = (int32_t)NC_MIN(offset, (uint32_t)INT32_MAX);
        rec->fragment_number = frag_no;
        rec->total_fragments = n_frags;
        rec->data_size = (int32_t)data;
        if (channel) {
            rec->channel_name = channel;
        }
    }
    return err;
}

static const struct nc_claim lcm_claims[] = { { NC_NS_UDP_PORT, LCM_PORT } };
const struct nc_decoder nc_decoder_lcm = {
    .name = "lcm",
    .display = "LCM",
    .layer = NC_LAYER_APP,
    .claims = lcm_claims,
    .n_claims = NC_ARRAY_LEN(lcm_claims),
    .decode = lcm_decode,
};
