/*
 * summary: packet sources: pcap/pcapng files and live interfaces, via libpcap.
 */
#ifndef NC_CAPTURE_SOURCE_H
#define NC_CAPTURE_SOURCE_H

#include "core/common.h"

struct nc_source;

struct nc_source_pkt {
    int64_t ts; /* ns since epoch */
    uint32_t caplen, wirelen;
    const uint8_t *data; /* valid until the next call */
};

enum nc_source_rc {
    NC_SRC_PACKET = 1,
    NC_SRC_EOF = 0,
    NC_SRC_TIMEOUT = 2, /* live: nothing arrived within the read timeout */
    NC_SRC_ERROR = -1,
    NC_SRC_TRUNCATED = -2, /* file ends inside a packet: everything before it was read */
};

/* Open a capture file (pcap either byte order, micro or nano; pcapng). The
 * BPF filter (may be NULL) applies to files and live traffic alike. */
struct nc_source *nc_source_open_file(const char *path, const char *bpf,
        char errbuf[NC_ERRBUF_SIZE]);
struct nc_source *nc_source_open_live(const char *iface, int snaplen, bool promisc,
        const char *bpf, char errbuf[NC_ERRBUF_SIZE]);
int nc_source_next(struct nc_source *s, struct nc_source_pkt *pkt);
uint32_t nc_source_dlt(const struct nc_source *s);
const char *nc_source_dlt_name(const struct nc_source *s);
/* Progress through a file: bytes read and total size (0 if unknown/live). */
void nc_source_progress(const struct nc_source *s, uint64_t *pos, uint64_t *size);
/* Ask a live capture to stop (async-signal-safe). */
void nc_source_break(struct nc_source *s);
/* Last error text. */
const char *nc_source_error(const struct nc_source *s);
/* Packets dropped by the kernel / interface (live only). */
uint64_t nc_source_drops(struct nc_source *s);
bool nc_source_is_live(const struct nc_source *s);
void nc_source_close(struct nc_source *s);

#endif
