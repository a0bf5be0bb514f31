/*
 * summary: Linux "cooked" capture header v2 (LINKTYPE_LINUX_SLL2) -> next EtherType.
 * spec:    https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html
 *
 *   +-------------+-------------+-----------------+-------------+-------------+
 *   | protocol(2) | reserved(2) | if index (4)    | ARPHRD (2)  | pkt type(1) |
 *   +-------------+-------------+-----------------+-------------+-------------+
 *   | addr len(1) | link-layer address (8)        |
 *   +-------------+-------------------------------+
 *
 * Same meaning as v1 (see sll.c), fields reordered, plus the interface index.
 * No record: the schema has none for this header.
 */
#include "decode/decoder.h"
#include "decode/sll_int.h"

static int sll2_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t addr[SLL_ADDR_LEN];
    uint16_t proto = nc_rd_be16(r);
    nc_rd_skip(r, 2); /* reserved, must be zero; not checked (not ours to police) */
    nc_rd_skip(r, 4); /* interface index */
    uint16_t hatype = nc_rd_be16(r);
    nc_rd_skip(r, 1); /* packet type */
    uint8_t addr_len = nc_rd_u8(r);
    nc_rd_copy(r, addr, sizeof(addr));
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    nc_sll_finish(pkt, hatype, addr_len, addr, proto);
    return NC_OK;
}

static const struct nc_claim sll2_claims[] = { { NC_NS_DLT, 276 /* LINKTYPE_LINUX_SLL2 */ } };
const struct nc_decoder nc_decoder_sll2 = {
    .name = "sll2",
    .display = "LinuxSLL2",
    .layer = NC_LAYER_LINK,
    .claims = sll2_claims,
    .n_claims = NC_ARRAY_LEN(sll2_claims),
    .decode = sll2_decode,
};
