/*
 * summary: packet sources: pcap/pcapng files (our own reader) and live
 *          interfaces (libpcap), both delivering whole batches of packets.
 *
 * Files are read with large read() calls straight into the batch buffer and
 * parsed in place: one copy, no per-packet stdio call. Batches
 * end after max_pkts packets or once max_bytes of packet data are in, so
 * their boundaries depend on the input only (the pipeline's determinism
 * rests on that).
 */
#ifndef NC_CAPTURE_SOURCE_H
#define NC_CAPTURE_SOURCE_H

#include <signal.h>

#include "core/common.h"
#include "core/dbuf.h"

enum {
    NC_MAX_CAPLEN = 262144, /* libpcap's MAXIMUM_SNAPLEN: a bigger record is corruption */
};

struct nc_source;

/* One packet of a batch; its bytes are base[off .. off + caplen). */
struct nc_src_pkt {
    int64_t ts; /* ns since epoch */
    uint32_t caplen, wirelen;
    uint32_t dlt; /* LINKTYPE_ value (pcapng: per interface) */
    size_t off;
};

struct nc_src_batch {
    struct nc_dbuf *data; /* buffer for packet bytes when they must be copied */
    const uint8_t *base;  /* out: packet i's bytes are base[pkts[i].off ...] */
    struct nc_src_pkt *pkts;
    size_t n; /* packets filled */
    size_t max_pkts;
    size_t max_bytes; /* stop once data holds this much */
};

enum nc_source_rc {
    NC_SRC_PACKET = 1,     /* batch filled; more may follow */
    NC_SRC_EOF = 0,        /* end of input (the batch may hold the last packets) */
    NC_SRC_TIMEOUT = 2,    /* live: read timeout; the batch may hold packets */
    NC_SRC_ERROR = -1,     /* see nc_source_error(); the batch holds the packets before it */
    NC_SRC_TRUNCATED = -2, /* file ends inside a packet: everything before it is in */
};

/* Open a capture file (pcap, either byte order, micro or nano; pcapng with
 * any number of interfaces and link types) or "-" for standard input. The
 * BPF filter (may be NULL) applies to files and live traffic alike. */
struct nc_source *nc_source_open_file(
        const char *path, const char *bpf, char errbuf[NC_ERRBUF_SIZE]);
struct nc_source *nc_source_open_live(
        const char *iface, int snaplen, bool promisc, const char *bpf, char errbuf[NC_ERRBUF_SIZE]);
/* Reset b (n = 0, data emptied) and fill it. */
int nc_source_fill(struct nc_source *s, struct nc_src_batch *b, volatile sig_atomic_t *stop);
/* Link type of the first interface (files) or of the interface (live). */
uint32_t nc_source_dlt(const struct nc_source *s);
/* Progress through a file: bytes read and total size (0 if unknown/live). */
void nc_source_progress(const struct nc_source *s, uint64_t *pos, uint64_t *size);
/* Ask a live capture to stop (async-signal-safe). */
void nc_source_break(struct nc_source *s);
/* Files: packets in the input so far (those -bpf skipped included) and the
 * byte offset reading reached: after NC_SRC_TRUNCATED, the offset where the
 * cut packet starts. Zero for live capture. */
void nc_source_position(const struct nc_source *s, uint64_t *packets, uint64_t *offset);
const char *nc_source_error(const struct nc_source *s);
/* Packets dropped by the kernel / interface (live only). */
uint64_t nc_source_drops(struct nc_source *s);
/* Packets rejected by the BPF filter. */
uint64_t nc_source_filtered(const struct nc_source *s);
bool nc_source_is_live(const struct nc_source *s);
void nc_source_close(struct nc_source *s);

#endif
