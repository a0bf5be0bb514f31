/*
 * summary: Cisco MetaData (EtherType 0x8909, the security group tag header)
 *          -> no record; skipped to hand on the frame or packet it carries.
 * spec:    Cisco TrustSec inline tagging (no public RFC); the layout is that
 *          of Wireshark's and tcpdump's decoders.
 *
 *   after Ethernet:                      inside GRE (type field first):
 *   +-----+-----+-------+-----+------+   +------+-----+-----+-------+-----+
 *   | ver | len | opt   | SGT | type |   | type | ver | len | opt   | SGT |
 *   | (1) | (1) | (2)   | (2) | (2)  |   | (2)  | (1) | (1) | (2)   | (2) |
 *   +-----+-----+-------+-----+------+   +------+-----+-----+-------+-----+
 *
 * Decisions:
 * - The two layouts are told apart by the first octet: version 1 starts
 *   the Ethernet layout; an EtherType (>= 0x0600) starts the GRE one.
 * - len counts 4-byte options (1: the SGT option); each is skipped.
 * - No record type (none in the catalogue); what it carries is decoded.
 */
#include "decode/decoder.h"

enum {
    CMD_VERSION = 1,
    CMD_OPT_LEN = 4,
    CMD_MIN_TYPE = 0x0600,
};

static int cmd_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t type;
    if (nc_rd_peek(r, 0) == CMD_VERSION) {
        (void)nc_rd_u8(r);
        uint8_t n = nc_rd_u8(r);
        nc_rd_skip(r, (size_t)n * CMD_OPT_LEN);
        type = nc_rd_be16(r);
    } else {
        type = nc_rd_be16(r);
        uint8_t ver = nc_rd_u8(r);
        uint8_t n = nc_rd_u8(r);
        nc_rd_skip(r, (size_t)n * CMD_OPT_LEN);
        if (nc_rd_ok(r) && ver != CMD_VERSION) {
            return NC_EMALFORMED;
        }
    }
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    if (type < CMD_MIN_TYPE) {
        return NC_EMALFORMED;
    }
    if (nc_rd_left(r) > 0) {
        pkt->next_ns = NC_NS_ETHERTYPE;
        pkt->next_id = type;
    }
    return NC_OK;
}

static const struct nc_claim cmd_claims[] = { { NC_NS_ETHERTYPE, 0x8909 } };
const struct nc_decoder nc_decoder_cmd = {
    .name = "cmd",
    .display = "CiscoMetaData",
    .layer = NC_LAYER_NONE,
    .claims = cmd_claims,
    .n_claims = NC_ARRAY_LEN(cmd_claims),
    .decode = cmd_decode,
};
