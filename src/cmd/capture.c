/*
 * summary: netcap capture: packets from a file or an interface -> record files.
 */
#include "cmd/cmd.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/source.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/timefmt.h"
#include "decode/decoder.h"
#include "flow/flow.h"
#include "pipeline/pipeline.h"

static volatile sig_atomic_t stop_flag;
static struct nc_source *live_src;

/* The signal that stopped the run (0: none); it picks the exit status of an
 * interrupted file read, 128 + the signal number as a shell reports it. */
static void on_signal(int sig)
{
    stop_flag = sig;
    if (live_src) {
        nc_source_break(live_src); /* pcap_breakloop is async-signal-safe */
    }
}

/* Apply a comma-separated list of record names to want[] (value v). */
static bool apply_list(const char *list, bool *want, bool v, const char *flag)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        if (!*tok) {
            continue;
        }
        enum nc_rec_type t = nc_rec_by_name(tok);
        if (t == NC_REC_NONE) {
            fprintf(stderr, "netcap capture: %s: unknown record type '%s'; valid types: %s\n", flag,
                    tok, nc_rec_names());
            return false;
        }
        want[t] = v;
    }
    return true;
}

static int mkdir_p(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    size_t n = strlen(buf);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                snprintf(
                        err, errlen, "cannot create output directory %s: %s", buf, strerror(errno));
                return -1;
            }
            buf[i] = c;
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "output path %s is not a directory", path);
        return -1;
    }
    /* prove we can create files there (root passes access(), so really try) */
    char probe[4200];
    snprintf(probe, sizeof(probe), "%s/.netcap-write-test.%ld", path, (long)getpid());
    FILE *f = fopen(probe, "w");
    if (!f) {
        snprintf(err, errlen, "output directory %s is not writable: %s", path, strerror(errno));
        return -1;
    }
    fclose(f);
    unlink(probe);
    return 0;
}

/* ------------------------------------------------ record files of an earlier run
 * A second capture into the same -out replaces the files of the types it
 * writes and leaves the others: a directory then mixes two runs. The names a
 * capture can write are found before the run and judged after it. */
enum {
    N_FMT = 3,  /* enum nc_format: proto, csv, json */
    N_COMP = 3, /* enum nc_compress: zstd, gzip, none */
};

struct earlier {
    bool seen[NC_REC_COUNT][N_FMT][N_COMP][2]; /* [..][1]: the .partial of a killed run */
    size_t n;
};

static bool earlier_match(const char *name, size_t *t, size_t *f, size_t *c, size_t *partial)
{
    const char *dot = strchr(name, '.');
    if (!dot || (size_t)(dot - name) >= 128) {
        return false;
    }
    char type[128];
    memcpy(type, name, (size_t)(dot - name));
    type[dot - name] = '\0';
    enum nc_rec_type rt = nc_rec_by_name(type);
    if (rt == NC_REC_NONE) {
        return false;
    }
    for (size_t fi = 0; fi < N_FMT; fi++) {
        for (size_t ci = 0; ci < N_COMP; ci++) {
            char want[256];
            nc_output_name(want, sizeof(want), type, (enum nc_format)fi, (enum nc_compress)ci);
            size_t wl = strlen(want);
            if (strncmp(name, want, wl) != 0) {
                continue;
            }
            if (name[wl] == '\0' || strcmp(name + wl, ".partial") == 0) {
                *t = (size_t)rt;
                *f = fi;
                *c = ci;
                *partial = name[wl] != '\0';
                return true;
            }
        }
    }
    return false;
}

static void earlier_scan(const char *dir, struct earlier *e)
{
    memset(e, 0, sizeof(*e));
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t t, f, c, partial;
        if (earlier_match(de->d_name, &t, &f, &c, &partial)) {
            e->seen[t][f][c][partial] = true;
            e->n++;
        }
    }
    closedir(d);
}

static void earlier_name(char *out, size_t n, size_t t, size_t f, size_t c, size_t partial)
{
    char base[256];
    nc_output_name(base, sizeof(base), nc_rec_info((enum nc_rec_type)t)->name, (enum nc_format)f,
            (enum nc_compress)c);
    snprintf(out, n, "%s%s", base, partial ? ".partial" : "");
}

/* One line: how many files of an earlier run this one replaced and how many
 * it left (stale types, other formats or compressions, .partial files). */
static void earlier_report(const char *dir, const struct earlier *e,
        const struct nc_pipeline_cfg *cfg, const struct nc_run_stats *st)
{
    if (e->n == 0) {
        return;
    }
    size_t replaced = 0, left = 0;
    char ex_replaced[300] = "", ex_left[300] = "";
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        for (size_t f = 0; f < N_FMT; f++) {
            for (size_t c = 0; c < N_COMP; c++) {
                for (size_t p = 0; p < 2; p++) {
                    if (!e->seen[t][f][c][p]) {
                        continue;
                    }
                    char name[300], path[4400];
                    earlier_name(name, sizeof(name), t, f, c, p);
                    snprintf(path, sizeof(path), "%s/%s", dir, name);
                    struct stat sb;
                    bool mine = st->written[t] && f == (size_t)cfg->format &&
                                c == (size_t)cfg->compress;
                    if (mine || stat(path, &sb) != 0) {
                        if (!replaced++) {
                            snprintf(ex_replaced, sizeof(ex_replaced), "%s", name);
                        }
                    } else if (!left++) {
                        snprintf(ex_left, sizeof(ex_left), "%s", name);
                    }
                }
            }
        }
    }
    char a[400] = "", b[400] = "";
    if (replaced) {
        snprintf(a, sizeof(a), "%zu replaced (e.g. %s)", replaced, ex_replaced);
    }
    if (left) {
        snprintf(b, sizeof(b), "%s%zu left that this capture did not write (e.g. %s)",
                replaced ? ", " : "", left, ex_left);
    }
    fprintf(stderr,
            "netcap capture: warning: %s held %zu record file%s of an earlier run: %s%s; use an "
            "empty -out directory for each run\n",
            dir, replaced + left, replaced + left == 1 ? "" : "s", a, b);
}

/* What stopped the reading early, if anything: one phrase with the packet
 * number and byte offset, for the summary and the final error line. */
static bool input_cut(const struct nc_run_stats *st, const char *errbuf, char *out, size_t n)
{
    if (st->truncated_file) {
        snprintf(out, n, "input truncated after packet %llu (byte offset %llu)",
                (unsigned long long)st->input_packets, (unsigned long long)st->input_offset);
        return true;
    }
    if (st->read_error) {
        snprintf(out, n, "input unreadable after packet %llu (byte offset %llu): %s",
                (unsigned long long)st->input_packets, (unsigned long long)st->input_offset,
                errbuf);
        return true;
    }
    if (st->interrupted) {
        snprintf(out, n, "interrupted by %s after packet %llu (byte offset %llu)",
                stop_flag == SIGTERM ? "SIGTERM" : "SIGINT", (unsigned long long)st->input_packets,
                (unsigned long long)st->input_offset);
        return true;
    }
    return false;
}

static void print_summary(
        const struct nc_run_stats *st, const char *src, bool live, const char *cut)
{
    double rate = st->seconds > 0 ? (double)st->packets / st->seconds : 0;
    fprintf(stderr, "netcap: %s: %llu packets (%llu bytes) in %.2f s, %.0f packets/s\n", src,
            (unsigned long long)st->packets, (unsigned long long)st->bytes, st->seconds, rate);
    if (cut) {
        fprintf(stderr, "  %s: the files hold the records of the packets before it\n", cut);
    } else if (live && stop_flag) {
        fprintf(stderr, "  stopped by %s\n", stop_flag == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    double cpu = st->cpu_main + st->cpu_workers;
    if (cpu > 0) {
        fprintf(stderr,
                "  CPU: %.2f s in the workers, %.2f s reading and writing (serial fraction "
                "%.1f%%)\n",
                st->cpu_workers, st->cpu_main, 100.0 * st->cpu_main / cpu);
    }
    if (st->filtered) {
        fprintf(stderr, "  not matching -bpf (skipped): %llu packets\n",
                (unsigned long long)st->filtered);
    }
    if (live && st->drops) {
        fprintf(stderr, "  dropped by the kernel or interface: %llu packets\n",
                (unsigned long long)st->drops);
    }
    fprintf(stderr, "  records written:\n");
    uint64_t total = 0;
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        if (st->records[t]) {
            fprintf(stderr, "    %-30s %12llu\n", nc_rec_info((enum nc_rec_type)t)->name,
                    (unsigned long long)st->records[t]);
            total += st->records[t];
        }
    }
    if (total == 0) {
        fprintf(stderr, "    (none)\n");
    }
    bool any_bad = false;
    for (size_t d = 0; d < NC_DEC_COUNT; d++) {
        uint64_t sum = 0;
        for (size_t e = 1; e <= NC_EARG; e++) {
            sum += st->dec.bad[d][e];
        }
        if (sum == 0) {
            continue;
        }
        if (!any_bad) {
            fprintf(stderr, "  malformed or truncated headers, per decoder:\n");
            any_bad = true;
        }
        fprintf(stderr, "    %-12s", nc_decoder_by_id((enum nc_decoder_id)d)->name);
        for (size_t e = 1; e <= NC_EARG; e++) {
            if (st->dec.bad[d][e]) {
                fprintf(stderr, " %llu %s", (unsigned long long)st->dec.bad[d][e],
                        nc_strerror((int)e));
            }
        }
        fprintf(stderr, "\n");
    }
    for (size_t ns = 0; ns < NC_NS_COUNT; ns++) {
        const char *label = nc_ns_unknown_label((enum nc_ns)ns);
        if (!label || (!st->dec.unknown[ns][0] && !st->dec.unknown_other[ns])) {
            continue;
        }
        /* link types and IP protocols are decimal by custom, the rest hex */
        bool dec = ns == NC_NS_DLT || ns == NC_NS_IPPROTO;
        fprintf(stderr, "  %s not decoded (packets):", label);
        for (size_t i = 0; i < NC_ARRAY_LEN(st->dec.unknown[0]) && st->dec.unknown[ns][i]; i++) {
            fprintf(stderr, dec ? " %u (%llu)" : " 0x%04x (%llu)", st->dec.unknown_id[ns][i],
                    (unsigned long long)st->dec.unknown[ns][i]);
        }
        if (st->dec.unknown_other[ns]) {
            fprintf(stderr, " others (%llu)", (unsigned long long)st->dec.unknown_other[ns]);
        }
        fprintf(stderr, "\n");
    }
    if (st->dec.depth_limit) {
        fprintf(stderr, "  encapsulation deeper than %d layers (cut): %llu packets\n",
                NC_MAX_LAYERS, (unsigned long long)st->dec.depth_limit);
    }
    if (st->dec.rec_limit || st->dec.encode_limit || st->conn_dropped) {
        fprintf(stderr, "  records dropped at a memory cap: %llu (connections: %llu)\n",
                (unsigned long long)(st->dec.rec_limit + st->dec.encode_limit + st->conn_dropped),
                (unsigned long long)st->conn_dropped);
    }
    if (nc_mem_refused()) {
        fprintf(stderr, "  allocations refused at -max-memory: %llu (peak %.1f MiB in use)\n",
                (unsigned long long)nc_mem_refused(), (double)nc_mem_peak() / 1048576.0);
    }
    const struct nc_defrag_stats *df = &st->defrag;
    if (df->fragments) {
        fprintf(stderr,
                "  IP fragments: %llu seen; %llu datagrams reassembled, %llu incomplete (%llu "
                "timed "
                "out)\n",
                (unsigned long long)df->fragments, (unsigned long long)df->completed,
                (unsigned long long)df->incomplete, (unsigned long long)df->timeouts);
        if (df->overlaps || df->conflicts || df->oversize || df->duplicates || df->bad) {
            fprintf(stderr,
                    "    overlapping %llu (different bytes %llu), duplicates %llu, oversize (Ping "
                    "of Death) %llu, inconsistent %llu\n",
                    (unsigned long long)df->overlaps, (unsigned long long)df->conflicts,
                    (unsigned long long)df->duplicates, (unsigned long long)df->oversize,
                    (unsigned long long)df->bad);
        }
        if (df->too_many || df->table_full || df->memcap || df->cut) {
            fprintf(stderr,
                    "    dropped at a cap: %llu too many fragments, %llu table full, %llu memory, "
                    "%llu cut by the snaplen\n",
                    (unsigned long long)df->too_many, (unsigned long long)df->table_full,
                    (unsigned long long)df->memcap, (unsigned long long)df->cut);
        }
    }
    const struct nc_stream_stats *ss = &st->stream;
    if (ss->streams) {
        fprintf(stderr, "  TCP streams: %llu reassembled, %llu bytes delivered;",
                (unsigned long long)ss->streams, (unsigned long long)ss->reasm.delivered);
        for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
            if (ss->attached[i]) {
                fprintf(stderr, " %s %llu,", nc_parser_by_id((enum nc_parser_id)i)->name,
                        (unsigned long long)ss->attached[i]);
            }
        }
        fprintf(stderr, " unidentified %llu\n", (unsigned long long)ss->unidentified);
        const struct nc_reasm_stats *rs = &ss->reasm;
        if (rs->gaps || rs->conflicts || rs->out_of_order || rs->midstream) {
            fprintf(stderr,
                    "    gaps %llu (%llu bytes), out of order %llu, retransmitted %llu, overlaps "
                    "%llu (conflicting %llu), picked up mid-stream %llu\n",
                    (unsigned long long)rs->gaps, (unsigned long long)rs->gap_bytes,
                    (unsigned long long)rs->out_of_order, (unsigned long long)rs->retransmitted,
                    (unsigned long long)rs->overlaps, (unsigned long long)rs->conflicts,
                    (unsigned long long)rs->midstream);
        }
        if (rs->depth_hit || rs->conn_buf_hit || rs->memcap_hit || ss->refused ||
                rs->out_of_window) {
            fprintf(stderr,
                    "    limits: -stream-depth %llu, -stream-buffer %llu, -stream-memcap %llu "
                    "(streams refused %llu), beyond the window %llu\n",
                    (unsigned long long)rs->depth_hit, (unsigned long long)rs->conn_buf_hit,
                    (unsigned long long)rs->memcap_hit, (unsigned long long)ss->refused,
                    (unsigned long long)rs->out_of_window);
        }
        for (size_t i = 0; i < NC_PARSER_COUNT; i++) {
            if (ss->errors[i] || ss->overflow[i] || ss->gap_off[i]) {
                fprintf(stderr,
                        "    %s switched off: %llu protocol errors, %llu over its buffer, %llu "
                        "at a gap\n",
                        nc_parser_by_id((enum nc_parser_id)i)->name,
                        (unsigned long long)ss->errors[i], (unsigned long long)ss->overflow[i],
                        (unsigned long long)ss->gap_off[i]);
            }
        }
    }
    if (st->lost) {
        fprintf(stderr, "  records lost at a buffer or memory cap: %llu\n",
                (unsigned long long)st->lost);
    }
    fprintf(stderr,
            "  connections: %llu written (%llu closed, %llu idle timeout, %llu evicted "
            "early at -max-flows), at most %llu at once (sum of the shards' peaks)\n",
            (unsigned long long)st->flow.written, (unsigned long long)st->flow.closed,
            (unsigned long long)st->flow.timeouts, (unsigned long long)st->flow.evicted,
            (unsigned long long)st->flow.peak);
}

int nc_cmd_capture(int argc, char **argv)
{
    return nc_capture_run(argc, argv, NULL);
}

int nc_capture_run(int argc, char **argv, const struct nc_capture_hooks *h)
{
    const char *read_path = NULL, *iface = NULL, *bpf = NULL, *out_dir = NULL;
    /* compress: NULL until given; the default depends on -format */
    const char *compress = NULL, *format = "proto", *include = NULL, *exclude = NULL;
    const char *timeout_s = "5m", *activity_s = "5s";
    long long features_seq = NC_FEAT_SEQ_DEFAULT;
    bool features = false;
    long long workers = 0, snaplen = 262144, max_flows = NC_FLOW_DEFAULT_MAX, level = 0;
    long long max_memory = 1024, stream_depth = 1 << 20, stream_memcap = 256, stream_buffer = 256;
    bool promisc = true, payload = false, entropy = false, quiet = false;
    /* the effective -max-flows default: what fits in a quarter of the
     * default -max-memory (see below), stated in -h as it is */
    char max_flows_help[200];
    snprintf(max_flows_help, sizeof(max_flows_help),
            "connections tracked at once; past it the oldest idle is written (1048576, lowered "
            "to fit a quarter of -max-memory: %llu with its default, fewer with -features)",
            (unsigned long long)NC_MIN((uint64_t)max_flows,
                    ((uint64_t)max_memory << 20) / 4 / nc_flow_table_bytes_per_flow(NULL)));
    char memcap_help[200];
    snprintf(memcap_help, sizeof(memcap_help),
            "memory for TCP reassembly and stream parsers in all (256, at most an eighth of "
            "-max-memory: %lld with its default)",
            NC_MIN(stream_memcap, max_memory / 8));
    const struct nc_flag flags[] = {
        { "read", NC_FLAG_STR, &read_path, "FILE", "read packets from a pcap or pcapng file", 0,
                0 },
        { "iface", NC_FLAG_STR, &iface, "NAME", "capture live from a network interface", 0, 0 },
        { "promisc", NC_FLAG_BOOL, &promisc, NULL,
                "live: promiscuous mode (default true; -promisc=false to turn off)", 0, 0 },
        { "snaplen", NC_FLAG_INT, &snaplen, "BYTES", "live: bytes kept per packet (262144)", 64,
                262144 },
        { "bpf", NC_FLAG_STR, &bpf, "EXPR", "BPF filter for files and live traffic alike", 0, 0 },
        { "out", NC_FLAG_STR, &out_dir, "DIR", "output directory, created if missing (.)", 0, 0 },
        { "workers", NC_FLAG_INT, &workers, "N",
                "decoding threads (number of cores, at most 64; fewer if -max-memory is too "
                "small for them)",
                1, 64 },
        { "compress", NC_FLAG_STR, &compress, "KIND",
                "zstd, gzip or none (zstd for proto; none for csv and json)", 0, 0 },
        { "level", NC_FLAG_INT, &level, "N", "compression level: zstd 1-19 (1), gzip 1-9 (6)", 0,
                19 },
        { "format", NC_FLAG_STR, &format, "FMT", "proto, csv or json (proto)", 0, 0 },
        { "include", NC_FLAG_STR, &include, "TYPES",
                "only these record types (comma list); each gets a file, the header alone if it "
                "has no records",
                0, 0 },
        { "exclude", NC_FLAG_STR, &exclude, "TYPES", "all but these record types", 0, 0 },
        { "payload", NC_FLAG_BOOL, &payload, NULL, "store payload bytes in TCP/UDP records", 0, 0 },
        { "entropy", NC_FLAG_BOOL, &entropy, NULL, "compute payload entropy (costs time)", 0, 0 },
        { "conn-timeout", NC_FLAG_STR, &timeout_s, "DUR",
                "write a connection idle this long in capture time (5m; e.g. 30s, 2m)", 0, 0 },
        { "features", NC_FLAG_BOOL, &features, NULL,
                "also write ConnectionFeatures (flow features for ML, docs/FEATURES.md); "
                "only written when named in -include or with this flag",
                0, 0 },
        { "features-seq", NC_FLAG_INT, &features_seq, "N",
                "ConnectionFeatures: sizes and directions of the first N packets (10)", 0,
                NC_FEAT_SEQ_MAX },
        { "activity-timeout", NC_FLAG_STR, &activity_s, "DUR",
                "ConnectionFeatures: a gap longer than this ends an active period (5s)", 0, 0 },
        { "max-flows", NC_FLAG_INT, &max_flows, "N", max_flows_help, 1, 1 << 30 },
        { "max-memory", NC_FLAG_INT, &max_memory, "MIB",
                "cap on netcap's own memory (1024; 0: none): connections get a quarter, streams "
                "at most an eighth, fragments a sixteenth",
                0, 1 << 20 },
        { "stream-depth", NC_FLAG_INT, &stream_depth, "BYTES",
                "TCP bytes reassembled per direction, 0: all (1048576)", 0, INT64_MAX },
        { "stream-memcap", NC_FLAG_INT, &stream_memcap, "MIB", memcap_help, 1, 1 << 20 },
        { "stream-buffer", NC_FLAG_INT, &stream_buffer, "KIB",
                "out-of-order bytes held per direction of a connection (256)", 1, 1 << 20 },
        { "quiet", NC_FLAG_BOOL, &quiet, NULL,
                "no progress line and no summary (errors and warnings still print)", 0, 0 },
    };
    static const char synopsis[] =
            "Decode packets into audit records, one file per record type in -out:\n"
            "  -format proto (default)  <Type>.ncap.zst; -compress gzip: .ncap.gz, none: .ncap\n"
            "  -format csv              <Type>.csv (header row, then one row per record);\n"
            "                           -compress zstd: .csv.zst, gzip: .csv.gz\n"
            "  -format json             <Type>.json (JSON Lines); .json.zst, .json.gz likewise\n"
            "A type gets a file when it has records, or when -include names it (then\n"
            "the header alone: the Header record, the CSV header row, an empty JSON file).\n"
            "Files of an earlier run in -out are replaced or left; a warning counts them.\n"
            "IP fragments are reassembled; TCP connections are reassembled for the\n"
            "stream parsers (TLS hellos with JA3/JA4, HTTP, DNS over TCP), chosen by\n"
            "port and by content. Files are byte-identical whatever -workers is, limits\n"
            "included (set SOURCE_DATE_EPOCH to fix the header's creation time too).\n\n"
            "examples:\n"
            "  netcap capture -read traffic.pcap -out records\n"
            "  netcap capture -read tls.pcap -include TLSClientHello,TLSServerHello -out tls\n"
            "  netcap capture -iface eth0 -bpf 'udp port 53' -include DNS -out dns\n\n"
            "exit status:\n"
            "  0    done; also a live capture stopped by SIGINT or SIGTERM (the normal way)\n"
            "  1    bad flag or argument\n"
            "  2    input or output error: a capture that is missing, unreadable, corrupt or\n"
            "       truncated (the records of the packets before the fault are written and\n"
            "       the summary says \"input truncated after packet N (byte offset O)\"), or a\n"
            "       write error (no file is then left half-written)\n"
            "  130  a file read interrupted by SIGINT (143: SIGTERM): the files are complete\n"
            "       with the records of the packets read so far; the summary says\n"
            "       \"interrupted by SIGINT after packet N (byte offset O)\"";
    /* netcap export and agent: their own flags after capture's */
    struct nc_flag all[NC_ARRAY_LEN(flags) + 32];
    size_t n_all = NC_ARRAY_LEN(flags);
    memcpy(all, flags, sizeof(flags));
    for (size_t i = 0; h && i < h->n_flags && n_all < NC_ARRAY_LEN(all); i++) {
        all[n_all++] = h->flags[i];
    }
    int prc = nc_flags_parse(
            h ? h->cmd : "capture", h ? h->synopsis : synopsis, all, n_all, argc, argv);
    if (prc < 0) {
        nc_record_init();
        printf("\nrecord types (for -include/-exclude):\n  %s\n", nc_rec_names());
        return NC_EXIT_OK;
    }
    if (prc != NC_EXIT_OK) {
        return prc;
    }
    nc_record_init();
    char errbuf[NC_ERRBUF_SIZE];
    if (nc_decode_init(errbuf) != NC_OK) {
        fprintf(stderr, "netcap capture: %s\n", errbuf);
        return NC_EXIT_FAILURE;
    }
    if (h && h->before) {
        int src = h->before(read_path != NULL || iface != NULL);
        if (src >= 0) {
            return src;
        }
    }
    if ((read_path == NULL) == (iface == NULL)) {
        fprintf(stderr, "netcap capture: give exactly one of -read FILE or -iface NAME (see -h)\n");
        return NC_EXIT_USAGE;
    }
    struct nc_decode_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.payload = payload;
    opts.entropy = entropy;
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        opts.want[t] = include == NULL;
    }
    /* ConnectionFeatures costs memory per flow and work per packet: only
     * when asked for by name or with -features */
    opts.want[NC_REC_ConnectionFeatures] = features;
    bool named[NC_REC_COUNT] = { false };
    if (include && !apply_list(include, named, true, "-include")) {
        return NC_EXIT_USAGE;
    }
    for (size_t t = 0; t < NC_REC_COUNT && include; t++) {
        opts.want[t] = opts.want[t] || named[t];
    }
    if (exclude && !apply_list(exclude, opts.want, false, "-exclude")) {
        return NC_EXIT_USAGE;
    }
    /* a type asked for by name gets its file even without records */
    bool always[NC_REC_COUNT];
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        always[t] = named[t] && opts.want[t];
    }
    struct nc_pipeline_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    if (compress && nc_compress_parse(compress, &cfg.compress) != NC_OK) {
        fprintf(stderr, "netcap capture: -compress: unknown kind '%s' (zstd, gzip or none)\n",
                compress);
        return NC_EXIT_USAGE;
    }
    if (strcmp(format, "proto") == 0) {
        cfg.format = NC_FORMAT_PROTO;
    } else if (strcmp(format, "csv") == 0) {
        cfg.format = NC_FORMAT_CSV;
    } else if (strcmp(format, "json") == 0) {
        cfg.format = NC_FORMAT_JSON;
    } else {
        fprintf(stderr, "netcap capture: -format: unknown format '%s' (proto, csv or json)\n",
                format);
        return NC_EXIT_USAGE;
    }
    if (!compress) {
        /* CSV and JSON are for reading as text (read_csv("DNS.csv")): plain
         * unless -compress asks; proto files are for netcap: zstd */
        cfg.compress = cfg.format == NC_FORMAT_PROTO ? NC_COMPRESS_ZSTD : NC_COMPRESS_NONE;
    }
    if (cfg.compress == NC_COMPRESS_GZIP && level > 9) {
        /* zlib refuses it, and only when the first frame is compressed */
        fprintf(stderr, "netcap capture: -level %lld: gzip levels are 1 to 9\n", level);
        return NC_EXIT_USAGE;
    }
    const char *why = NULL;
    if (nc_duration_flag_parse(timeout_s, &cfg.conn_timeout_ns, &why) != NC_OK ||
            (cfg.conn_timeout_ns <= 0 && (why = "must be more than 0"))) {
        fprintf(stderr, "netcap capture: -conn-timeout: '%s': %s\n", timeout_s, why);
        return NC_EXIT_USAGE;
    }
    struct nc_feat_cfg feat = { (uint32_t)features_seq, 0 };
    if (nc_duration_flag_parse(activity_s, &feat.activity_timeout, &why) != NC_OK ||
            (feat.activity_timeout <= 0 && (why = "must be more than 0"))) {
        fprintf(stderr, "netcap capture: -activity-timeout: '%s': %s\n", activity_s, why);
        return NC_EXIT_USAGE;
    }
    bool workers_given = workers != 0;
    if (workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        workers = n > 0 ? n : 1;
        if (workers > 64) {
            workers = 64;
        }
    }
    /* the input first: a missing file must not leave an empty directory */
    struct nc_source *src =
            read_path ? nc_source_open_file(read_path, bpf, errbuf)
                      : nc_source_open_live(iface, (int)snaplen, promisc, bpf, errbuf);
    if (!src) {
        fprintf(stderr, "netcap capture: %s\n", errbuf);
        return strstr(errbuf, "-bpf") ? NC_EXIT_USAGE : NC_EXIT_FAILURE;
    }
    char err[4400];
    /* no record files: export without -out, or the agent (frames go to its sink) */
    bool no_files = (out_dir == NULL && h && h->files_optional) || (h && h->sink);
    if (out_dir == NULL) {
        out_dir = ".";
    }
    if (!no_files && mkdir_p(out_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "netcap capture: %s\n", err);
        nc_source_close(src);
        return NC_EXIT_FAILURE;
    }
    /* files: link types not understood are reported per packet in the summary */
    if (nc_source_is_live(src) && !nc_decode_dlt_known(nc_source_dlt(src)) && !quiet) {
        nc_log_warn("%s: link type %u (%s) is not understood: no records but counts",
                read_path ? read_path : iface, nc_source_dlt(src), "see pcap-linktype(7)");
    }
    bool want_feat = opts.want[NC_REC_ConnectionFeatures];
    char feat_opts[128] = "";
    if (want_feat) {
        snprintf(feat_opts, sizeof(feat_opts), " -features-seq %lld -activity-timeout %s",
                features_seq, activity_s);
    }
    char options[2048];
    snprintf(options, sizeof(options),
            "%s%s%s%s%s%s%s%s%s-conn-timeout %s -max-flows %lld -max-memory %lld -stream-depth "
            "%lld -stream-memcap %lld -stream-buffer %lld%s",
            include ? "-include " : "", include ? include : "", exclude ? " -exclude " : "",
            exclude ? exclude : "", payload ? " -payload" : "", entropy ? " -entropy" : "",
            bpf ? " -bpf " : "", bpf ? bpf : "",
            (include || exclude || payload || entropy || bpf) ? " " : "", timeout_s, max_flows,
            max_memory, stream_depth, stream_memcap, stream_buffer, feat_opts);
    char source_name[4200];
    snprintf(source_name, sizeof(source_name), "%s%s",
            read_path ? "" : "iface:", read_path ? read_path : iface);
    int64_t created = (int64_t)time(NULL) * 1000000000LL;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        /* seconds that fit in int64 nanoseconds: about year 1677 to 2262 */
        if (errno || *end || v > INT64_MAX / 1000000000LL || v < INT64_MIN / 1000000000LL) {
            fprintf(stderr,
                    "netcap capture: SOURCE_DATE_EPOCH=%s is not a number of seconds between "
                    "%lld and %lld; ignored\n",
                    sde, (long long)(INT64_MIN / 1000000000LL),
                    (long long)(INT64_MAX / 1000000000LL));
        } else {
            created = (int64_t)v * 1000000000LL;
        }
    }
    uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
    (void)getentropy(&seed, sizeof(seed));
    nc_flow_set_seed(seed);
    cfg.opts = &opts;
    cfg.always = always;
    cfg.want_conn = opts.want[NC_REC_Connection];
    cfg.want_features = want_feat;
    cfg.feat = feat;
    const struct nc_feat_cfg *fc = want_feat ? &feat : NULL;
    cfg.level = (int)level;
    cfg.out_dir = out_dir;
    cfg.sink = h && h->sink ? h->sink : no_files ? &nc_writer_null : &nc_writer_file;
    cfg.max_flows = (size_t)max_flows;
    cfg.stream_depth = (uint64_t)stream_depth;
    cfg.stream_memcap = (uint64_t)stream_memcap << 20;
    cfg.stream_buffer = (uint32_t)stream_buffer << 10;
    cfg.defrag_memcap = 64u << 20;
    cfg.live = iface != NULL;
    if (max_memory > 0) {
        /* Fixed shares of the cap, whatever -workers is, so that limits
         * (and the files) do not depend on the thread count: connections a
         * quarter, streams at most an eighth, fragments a sixteenth. The
         * batches in flight and the workers' buffers live in the rest;
         * when they do not fit, fewer workers run (the files are the same). */
        uint64_t cap = (uint64_t)max_memory << 20;
        uint64_t flows_fit = cap / 4 / nc_flow_table_bytes_per_flow(fc);
        if ((uint64_t)max_flows > flows_fit) {
            cfg.max_flows = (size_t)flows_fit;
        }
        cfg.stream_memcap = NC_MIN(cfg.stream_memcap, cap / 8);
        cfg.defrag_memcap = NC_MIN(cfg.defrag_memcap, cap / 16);
        uint64_t state = (uint64_t)cfg.max_flows * nc_flow_table_bytes_per_flow(fc) +
                         cfg.stream_memcap + cfg.defrag_memcap;
        uint64_t rest = cap > state ? cap - state : 0;
        long long fit = workers;
        while (fit > 1 && nc_pipeline_fixed_bytes((unsigned)fit) > rest) {
            fit--;
        }
        if (nc_pipeline_fixed_bytes((unsigned)fit) > rest || flows_fit < 1024) {
            fprintf(stderr,
                    "netcap capture: -max-memory %lld MiB is too small (give at least %llu)\n",
                    max_memory,
                    (unsigned long long)((nc_pipeline_fixed_bytes(1) + 8 * state / 7) >> 20) + 64);
            nc_source_close(src);
            return NC_EXIT_USAGE;
        }
        if (fit < workers) {
            /* the files are the same with fewer workers: say so and go on */
            if (workers_given && !quiet) {
                nc_log_warn("-max-memory %lld MiB leaves room for %lld workers, not %lld: running "
                            "%lld (raise -max-memory for more)",
                        max_memory, fit, workers, fit);
            }
            workers = fit;
        }
        nc_mem_set_cap(cap);
    }
    cfg.workers = (unsigned)workers;
    cfg.source_name = source_name;
    cfg.options = options;
    cfg.created_ns = created;
    cfg.progress = !quiet && isatty(STDERR_FILENO);
    if (h && h->start) {
        int hrc = h->start(h->ctx, &cfg);
        if (hrc != NC_EXIT_OK) {
            nc_source_close(src);
            /* what `before` started (the agent) is wound down */
            return h->finish ? h->finish(hrc, false) : hrc;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    live_src = src;

    struct nc_run_stats *st = nc_calloc(1, sizeof(*st));
    if (!st) {
        nc_source_close(src);
        fprintf(stderr, "netcap capture: out of memory\n");
        return NC_EXIT_FAILURE;
    }
    /* export without -out writes no files: nothing to compare */
    struct earlier *earlier = no_files ? NULL : nc_calloc(1, sizeof(*earlier));
    if (earlier) {
        earlier_scan(out_dir, earlier); /* judged after the run: earlier_report */
    }
    int rc = nc_pipeline_run(&cfg, src, &stop_flag, st, errbuf);
    live_src = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int exit_code = NC_EXIT_OK;
    const char *input = read_path ? read_path : iface;
    if (rc != NC_OK) {
        fprintf(stderr, "netcap capture: %s\n", errbuf);
        exit_code = NC_EXIT_FAILURE;
    } else {
        if (earlier) {
            earlier_report(out_dir, earlier, &cfg, st);
        }
        char cut[NC_ERRBUF_SIZE + 128];
        bool was_cut = !cfg.live && input_cut(st, errbuf, cut, sizeof(cut));
        if (!quiet) {
            print_summary(st, source_name, iface != NULL, was_cut ? cut : NULL);
        }
        /* the last line says why the status is not 0, -quiet or not */
        if (st->read_error) {
            fprintf(stderr,
                    "netcap capture: %s: %s; the %llu packets before it were processed and "
                    "their records written\n",
                    input, errbuf, (unsigned long long)st->packets);
            exit_code = NC_EXIT_FAILURE;
        } else if (st->truncated_file) {
            /* an input error like a corrupt one (status 2, as dump gives a
             * truncated record file): a script must not take it for complete */
            fprintf(stderr,
                    "netcap capture: %s: %s: it ends inside a packet; the records of the "
                    "packets before it are written\n",
                    input, cut);
            exit_code = NC_EXIT_FAILURE;
        } else if (st->interrupted && !cfg.live) {
            /* a file read cut short is not a complete result: 128 + signal,
             * as a shell reports a process a signal ended; live capture is
             * stopped this way normally and stays 0 */
            fprintf(stderr,
                    "netcap capture: %s: %s; the files are complete with the records of the "
                    "packets read so far\n",
                    input, cut);
            exit_code = NC_EXIT_SIGNAL_BASE + (stop_flag == SIGTERM ? SIGTERM : SIGINT);
        }
    }
    nc_free(earlier);
    nc_free(st);
    nc_source_close(src);
    nc_community_id_fini();
    if (h && h->finish) {
        exit_code = h->finish(exit_code, stop_flag != 0);
    }
    return exit_code;
}
