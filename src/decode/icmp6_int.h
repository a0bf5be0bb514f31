/*
 * summary: helpers shared by the ICMPv6 neighbour-discovery decoders
 *          (icmp6ns.c, icmp6na.c, icmp6rs.c, icmp6ra.c); defined in icmp6.c.
 */
#ifndef NC_DECODE_ICMP6_INT_H
#define NC_DECODE_ICMP6_INT_H

#include "decode/pkt.h"

enum {
    ND_OPT_UNIT = 8,  /* RFC 4861 4.6: option lengths count units of 8 octets */
    ND_MAX_OPTS = 64, /* a 1500-byte MTU fits 185 one-unit options; real messages carry a few */
};

/*
 * RFC 4861 4.6 options, up to the end of r:
 *
 *   +---------------+---------------+------------------------------
 *   |     Type      |    Length     |  data (Length * 8 - 2 bytes) ...
 *   +---------------+---------------+------------------------------
 *
 * With opts set, fills *opts and *n_opts (arena memory; data borrows the
 * packet); with opts NULL it only validates, so verdicts do not depend on
 * which records were asked for. Options before an error are kept. Returns
 * NC_EMALFORMED for a length of 0 (RFC 4861 says to discard the packet; it
 * would also never advance), NC_ETRUNC when an option runs past the window
 * and NC_ELIMIT after ND_MAX_OPTS options.
 */
NC_WARN_UNUSED int nc_icmp6_nd_options(
        struct nc_pkt *pkt, struct nc_rd *r, Netcap__ICMPv6Option ***opts, size_t *n_opts);

#endif
