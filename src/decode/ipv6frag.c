/*
 * summary: IPv6 Fragment extension header -> IPv6Fragment records.
 * spec:    RFC 8200 4.5.
 *
 *   +---------------+---------------+-------------------------+-----+-+
 *   |  Next Header  |   Reserved    |      Fragment Offset    |Res  |M|
 *   +---------------+---------------+-------------------------+-----+-+
 *   |                         Identification                          |
 *   +-----------------------------------------------------------------+
 *
 * A fragment's payload is decoded once its datagram is reassembled (the
 * shard's src/stream/ip_defrag.c); an "atomic" fragment (offset 0, M
 * clear) is a whole packet and dispatched at once.
 * Field semantics follow gopacket: fragment_offset in 8-byte units,
 * reserved2 the two bits between offset and M.
 */
#include "decode/decoder.h"

static int ipv6frag_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t next = nc_rd_u8(r);
    uint8_t reserved1 = nc_rd_u8(r);
    uint16_t off_flags = nc_rd_be16(r);
    uint32_t ident = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    uint16_t offset = off_flags >> 3;
    pkt->ctx.ip_proto = next;
    pkt->ctx.ip_left = nc_pkt_ip_after(pkt, 8);
    if (offset != 0 || (off_flags & 0x1)) {
        pkt->ctx.is_fragment = true;
        pkt->ctx.frag_first = offset == 0;
        pkt->ctx.frag_id = ident;
        pkt->ctx.frag_offset = (uint32_t)offset * 8;
        pkt->ctx.frag_more = (off_flags & 0x1) != 0;
        pkt->ctx.frag_data = nc_rd_ptr(r);
        pkt->ctx.frag_len = (uint32_t)nc_rd_left(r);
        pkt->ctx.frag_cut = nc_rd_left(r) < pkt->ctx.ip_left;
    }
    Netcap__IPv6Fragment *rec = nc_pkt_record(pkt, NC_REC_IPv6Fragment);
    if (rec) {
        rec->next_header = next;
        rec->reserved1 = reserved1;
        rec->fragment_offset = offset;
        rec->reserved2 = off_flags >> 1 & 0x3;
        rec->more_fragments = (off_flags & 0x1) != 0;
        rec->id = ident;
    }
    if (!pkt->ctx.is_fragment) { /* atomic fragment: a whole packet */
        pkt->next_ns = NC_NS_IPPROTO;
        pkt->next_id = next;
    }
    return NC_OK;
}

static const struct nc_claim ipv6frag_claims[] = { { NC_NS_IPPROTO, 44 } };
const struct nc_decoder nc_decoder_ipv6frag = {
    .name = "ipv6frag",
    .display = "IPv6Fragment",
    .layer = NC_LAYER_NONE,
    .claims = ipv6frag_claims,
    .n_claims = NC_ARRAY_LEN(ipv6frag_claims),
    .decode = ipv6frag_decode,
};
