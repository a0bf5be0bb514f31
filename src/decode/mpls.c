/*
 * summary: MPLS label stack -> one MPLS record per label stack entry; hands
 *          on the payload after the bottom of the stack.
 * spec:    RFC 3032 2.1 (label stack encoding); RFC 5462 (TC field);
 *          RFC 4385 (pseudowire control word: first nibble 0).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Label                  | TC  |S|       TTL     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ... entries until S (bottom of stack) is set, then the payload
 *
 * Decisions:
 * - One record per entry (as gopacket's one layer per entry), with its
 *   position in the stack; the whole stack is read here in one loop of at
 *   most MPLS_MAX_LABELS entries (more is malformed), so deep stacks do
 *   not use up the dispatch's layer budget.
 * - The payload kind is not in the stack: after the bottom entry, a first
 *   nibble of 4 or 6 is IP (NC_LINK_IP). Anything else (0: a pseudowire
 *   control word, then often Ethernet) is handed on as NC_LINK_MPLS_PW,
 *   which no decoder claims, so it is counted in the summary as an unknown
 *   link payload kind and left undecoded.
 * - MPLS is not a tunnel: there is no IP carrier. The labels do not enter
 *   the flow zone either, so a labelled request and an unlabelled reply
 *   are one Connection.
 */
#include "decode/decoder.h"

enum {
    MPLS_MAX_LABELS = 16,
    MPLS_ETH_UNICAST = 0x8847,
    MPLS_ETH_MULTICAST = 0x8848,
    MPLS_PPP_UNICAST = 0x0281, /* RFC 3032 4.3 */
    MPLS_PPP_MULTICAST = 0x0283,
};

static int mpls_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    for (size_t i = 0;; i++) {
        if (i >= MPLS_MAX_LABELS) {
            return NC_EMALFORMED;
        }
        uint32_t e = nc_rd_be32(r);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
        bool bottom = (e & 0x100) != 0;
        unsigned nibble = (unsigned)nc_rd_peek(r, 0) >> 4;
        Netcap__MPLS *rec = nc_pkt_record(pkt, NC_REC_MPLS);
        if (rec) {
            rec->label = (int32_t)(e >> 12);
            rec->traffic_class = (int32_t)((e >> 9) & 0x7);
            rec->stack_bottom = bottom;
            rec->ttl = (int32_t)(e & 0xff);
            rec->stack_index = (int32_t)i;
            if (bottom && nc_rd_left(r) > 0) {
                rec->payload_kind = (int32_t)nibble;
            }
        }
        if (bottom) {
            if (nc_rd_left(r) > 0) {
                pkt->next_ns = NC_NS_LINK;
                pkt->next_id = nibble == 4 || nibble == 6 ? NC_LINK_IP : NC_LINK_MPLS_PW;
            }
            return NC_OK;
        }
    }
}

static const struct nc_claim mpls_claims[] = {
    { NC_NS_ETHERTYPE, MPLS_ETH_UNICAST },
    { NC_NS_ETHERTYPE, MPLS_ETH_MULTICAST },
    { NC_NS_PPP, MPLS_PPP_UNICAST },
    { NC_NS_PPP, MPLS_PPP_MULTICAST },
};
const struct nc_decoder nc_decoder_mpls = {
    .name = "mpls",
    .display = "MPLS",
    .layer = NC_LAYER_NONE,
    .claims = mpls_claims,
    .n_claims = NC_ARRAY_LEN(mpls_claims),
    .decode = mpls_decode,
};
