/*
 * summary: Linux "cooked" capture header v1 (LINKTYPE_LINUX_SLL) -> next EtherType.
 * spec:    https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 *
 *   +-------------+-------------+-------------+-----------------------+-------------+
 *   | pkt type(2) | ARPHRD (2)  | addr len(2) | link-layer address (8)| protocol (2)|
 *   +-------------+-------------+-------------+-----------------------+-------------+
 *
 * The address is the sender's (for every packet type, outgoing included), so
 * a 6-byte address becomes the context's source MAC; there is no destination.
 * The schema has no record for this header, so it only fills the context and
 * dispatches. Protocol values below 0x0600 are Linux pseudo-protocols
 * (ETH_P_802_3, ETH_P_802_2, CAN...), not EtherTypes, and are not followed.
 */
#include "decode/decoder.h"
#include "decode/sll_int.h"

static int sll_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t addr[SLL_ADDR_LEN];
    nc_rd_skip(r, 2); /* packet type: host, broadcast, multicast, other host, outgoing */
    uint16_t hatype = nc_rd_be16(r);
    uint16_t addr_len = nc_rd_be16(r);
    nc_rd_copy(r, addr, sizeof(addr));
    uint16_t proto = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    nc_sll_finish(pkt, hatype, addr_len, addr, proto);
    return NC_OK;
}

static const struct nc_claim sll_claims[] = { { NC_NS_DLT, 113 /* LINKTYPE_LINUX_SLL */ } };
const struct nc_decoder nc_decoder_sll = {
    .name = "sll",
    .display = "LinuxSLL",
    .layer = NC_LAYER_LINK,
    .claims = sll_claims,
    .n_claims = NC_ARRAY_LEN(sll_claims),
    .decode = sll_decode,
};
