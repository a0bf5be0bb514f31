/*
 * summary: fuzz target: one frame through every decoder, then every record
 *          through every output format.
 *
 * Input: | sel (1 byte) | frame ... |
 *   the low 7 bits of sel, modulo the table size, pick the link type
 *   (Ethernet, Linux SLL, SLL2, raw IP, BSD null, OpenBSD loop, raw IPv4,
 *   raw IPv6, raw, FDDI, 802.11, radiotap, usbmon 48 and 64, USBPcap, PPP,
 *   PPP in HDLC framing); bit 7 of sel marks the
 *   frame as cut by a snaplen (wirelen = caplen + 1000), so the decoders'
 *   "IP length beyond the capture" paths run too.
 * Every record type is wanted, with payload and entropy. Each record is
 * encoded (fast and reference encoder, identical bytes, unpacks and packs
 * back the same) and rendered as CSV, JSON and display text, all checked
 * (fuzz/common.c).
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "decode/decoder.h"

enum {
    ARENA_CAP = 4 * 1024 * 1024, /* the pipeline's per-packet arena cap */
};

/* The link types with a decoder (see src/decode/{ethernet,sll,sll2,rawip,null,fddi,dot11,
 * radiotap,usbmon,usbpcap,ppp}.c). */
static const uint32_t dlts[] = { 1, 113, 276, 101, 0, 108, 228, 229, 12, 10, 105, 127, 189, 220,
    249, 9, 50 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    fuzz_init();
    uint8_t sel = data[0];
    uint8_t *frame = fuzz_dup(data + 1, size - 1);
    uint32_t caplen = (uint32_t)(size - 1);

    static struct nc_decode_stats st;
    memset(&st, 0, sizeof(st));
    struct nc_arena arena;
    nc_arena_init(&arena, ARENA_CAP);

    struct nc_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.ts = 1700000000123456789LL;
    pkt.caplen = caplen;
    pkt.wirelen = (sel & 0x80) ? caplen + 1000 : caplen;
    pkt.dlt = dlts[(sel & 0x7f) % NC_ARRAY_LEN(dlts)];
    pkt.data = frame;
    pkt.arena = &arena;
    pkt.opts = fuzz_all_records();
    pkt.stats = &st;
    nc_decode_packet(&pkt);

    for (size_t i = 0; i < pkt.n_recs; i++) {
        fuzz_check_encode(pkt.recs[i]);
        fuzz_check_render(pkt.recs[i]);
    }
    nc_arena_fini(&arena);
    free(frame);
    return 0;
}
