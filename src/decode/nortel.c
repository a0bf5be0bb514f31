/*
 * summary: Nortel Discovery Protocol (SynOptics Network Management Protocol,
 *          SONMP) hello -> NortelDiscovery records.
 * spec:    none published; the format as lldpd (src/daemon/protocols/sonmp.c)
 *          and Wireshark (packet-ndp.c) implement it.
 *
 *   +----------------+-----------------+---------+-----------+-------+-------+
 *   | IP address (4) | segment id (3)  | chassis | backplane | state | links |
 *   +----------------+-----------------+---------+-----------+-------+-------+
 *
 * Reached through SNAP: OUI 00-00-81, protocol 0x01a2 (hello, sent to
 * 01:00:81:00:01:00) or 0x01a1 (the same PDU for "flatnet", to
 * 01:00:81:00:01:01). The segment id names the sending port (lldpd: slot
 * and port in the last two bytes); state is 1 topology changed, 2
 * heartbeat (unchanged), 3 new. Anything after the 11 bytes is frame padding.
 */
#include "decode/decoder.h"

#include "decode/disc_int.h"

static int nortel_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t ip[4];
    nc_rd_copy(r, ip, sizeof(ip));
    struct nc_span seg = nc_rd_span(r, 3);
    uint8_t chassis = nc_rd_u8(r);
    uint8_t backplane = nc_rd_u8(r);
    uint8_t state = nc_rd_u8(r);
    uint8_t links = nc_rd_u8(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    Netcap__NortelDiscovery *rec = nc_pkt_record(pkt, NC_REC_NortelDiscovery);
    if (rec) {
        rec->ip_address = nc_pkt_ip4(pkt, ip);
        rec->segment_id = nc_bytes(seg);
        rec->chassis = chassis;
        rec->backplane = backplane;
        rec->state = state;
        rec->num_links = links;
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    return NC_OK;
}

static const struct nc_claim nortel_claims[] = { { NC_NS_SNAP_NORTEL, 0x01a1 },
    { NC_NS_SNAP_NORTEL, 0x01a2 } };
const struct nc_decoder nc_decoder_nortel = {
    .name = "nortel",
    .display = "NDP",
    .layer = NC_LAYER_NONE,
    .claims = nortel_claims,
    .n_claims = NC_ARRAY_LEN(nortel_claims),
    .decode = nortel_decode,
};
