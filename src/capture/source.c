/*
 * summary: packet sources through libpcap (files: pcap and pcapng; live).
 *
 * Timestamps are read at nanosecond precision whatever the file stores.
 */
#include "capture/source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"

enum {
    LIVE_TIMEOUT_MS = 200, /* read timeout: lets SIGINT and partial batches through */
};

struct nc_source {
    pcap_t *p;
    bool live;
    uint64_t size;
    char err[PCAP_ERRBUF_SIZE + 64];
};

static int apply_bpf(struct nc_source *s, const char *bpf, char errbuf[NC_ERRBUF_SIZE])
{
    if (!bpf || !*bpf) {
        return NC_OK;
    }
    struct bpf_program prog;
    if (pcap_compile(s->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "bad -bpf filter '%s': %s", bpf, pcap_geterr(s->p));
        return NC_EARG;
    }
    int rc = pcap_setfilter(s->p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot apply -bpf filter: %s", pcap_geterr(s->p));
        return NC_EARG;
    }
    return NC_OK;
}

struct nc_source *nc_source_open_file(const char *path, const char *bpf,
        char errbuf[NC_ERRBUF_SIZE])
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(sb.st_mode)) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "%s: is a directory, not a capture file", path);
        return NULL;
    }
    struct nc_source *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    char perr[PCAP_ERRBUF_SIZE];
    s->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!s->p) {
        /* libpcap says "unknown file format" for anything that is not a capture */
        if (strstr(perr, "unknown file format") || strstr(perr, "truncated dump file")) {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s: not a pcap or pcapng capture file (%s)", path,
                    perr);
        } else {
            snprintf(errbuf, NC_ERRBUF_SIZE, "%s: %s", path, perr);
        }
        nc_free(s);
        return NULL;
    }
    s->size = (uint64_t)sb.st_size;
    if (apply_bpf(s, bpf, errbuf) != NC_OK) {
        nc_source_close(s);
        return NULL;
    }
    return s;
}

struct nc_source *nc_source_open_live(const char *iface, int snaplen, bool promisc,
        const char *bpf, char errbuf[NC_ERRBUF_SIZE])
{
    struct nc_source *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    char perr[PCAP_ERRBUF_SIZE];
    s->p = pcap_create(iface, perr);
    if (!s->p) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "interface %s: %s", iface, perr);
        nc_free(s);
        return NULL;
    }
    s->live = true;
    pcap_set_snaplen(s->p, snaplen);
    pcap_set_promisc(s->p, promisc ? 1 : 0);
    pcap_set_timeout(s->p, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(s->p, 32 << 20);
    pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(s->p);
    if (rc < 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "interface %s: %s%s", iface, pcap_geterr(s->p),
                rc == PCAP_ERROR_PERM_DENIED ? " (live capture needs root or CAP_NET_RAW)" : "");
        nc_source_close(s);
        return NULL;
    }
    if (apply_bpf(s, bpf, errbuf) != NC_OK) {
        nc_source_close(s);
        return NULL;
    }
    return s;
}

int nc_source_next(struct nc_source *s, struct nc_source_pkt *pkt)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(s->p, &h, &data);
    if (rc == 1) {
        bool nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
        pkt->ts = (int64_t)h->ts.tv_sec * 1000000000LL +
                (int64_t)h->ts.tv_usec * (nano ? 1 : 1000);
        pkt->caplen = h->caplen;
        pkt->wirelen = h->len;
        pkt->data = data;
        return NC_SRC_PACKET;
    }
    if (rc == 0) {
        return NC_SRC_TIMEOUT;
    }
    if (rc == PCAP_ERROR_BREAK) {
        return NC_SRC_EOF;
    }
    snprintf(s->err, sizeof(s->err), "%s", pcap_geterr(s->p));
    if (!s->live && strstr(s->err, "truncated")) {
        return NC_SRC_TRUNCATED;
    }
    return NC_SRC_ERROR;
}

uint32_t nc_source_dlt(const struct nc_source *s)
{
    /* pcap_datalink returns the LINKTYPE_ mapped to a DLT_; files carry LINKTYPE_ values,
     * which is what our decoders claim */
    int dlt = pcap_datalink((pcap_t *)(uintptr_t)s->p);
    switch (dlt) {
#ifdef DLT_RAW
        case DLT_RAW:
            return 101; /* LINKTYPE_RAW; DLT_RAW is 12 or 14 depending on platform */
#endif
        default:
            return (uint32_t)dlt;
    }
}

const char *nc_source_dlt_name(const struct nc_source *s)
{
    const char *n = pcap_datalink_val_to_name(pcap_datalink((pcap_t *)(uintptr_t)s->p));
    return n ? n : "unknown";
}

void nc_source_progress(const struct nc_source *s, uint64_t *pos, uint64_t *size)
{
    *pos = 0;
    *size = 0;
    if (s->live) {
        return;
    }
    FILE *f = pcap_file((pcap_t *)(uintptr_t)s->p);
    if (f) {
        long off = ftell(f);
        if (off > 0) {
            *pos = (uint64_t)off;
        }
    }
    *size = s->size;
}

void nc_source_break(struct nc_source *s)
{
    if (s && s->p) {
        pcap_breakloop(s->p);
    }
}

const char *nc_source_error(const struct nc_source *s)
{
    return s->err;
}

uint64_t nc_source_drops(struct nc_source *s)
{
    struct pcap_stat st;
    if (!s->live || pcap_stats(s->p, &st) != 0) {
        return 0;
    }
    return (uint64_t)st.ps_drop + st.ps_ifdrop;
}

bool nc_source_is_live(const struct nc_source *s)
{
    return s->live;
}

void nc_source_close(struct nc_source *s)
{
    if (!s) {
        return;
    }
    if (s->p) {
        pcap_close(s->p);
    }
    nc_free(s);
}
