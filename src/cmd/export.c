/*
 * summary: netcap export: Prometheus metrics over HTTP (libmicrohttpd)
 *          while capturing live or from a file, or from record files.
 *
 *   netcap export -iface eth0 [capture flags]         live; until SIGINT/SIGTERM
 *   netcap export -read f.pcap -linger 30s            file; serves 30 s after its end
 *   netcap export -replay records/                    record files; until a signal
 *
 * Capture modes run `netcap capture` (every capture flag works; without
 * -out no record files are written) with an observer on the pipeline and
 * the per-record extractors bound to its workers; the HTTP server is
 * metrics/httpd.c. Metrics: docs/METRICS.md.
 */
#include "cmd/cmd.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/timefmt.h"
#include "core/version.h"
#include "metrics/extract.h"
#include "metrics/httpd.h"
#include "metrics/registry.h"
#include "metrics/runstats.h"
#include "record/ncfile.h"

enum {
    REPLAY_MAX_FILES = 4096, /* record files read from -replay DIR */
};

#define DEFAULT_LISTEN "127.0.0.1:7777"

struct nc_exporter {
    const char *cmd; /* "export", or the command carrying it ("agent") */
    struct nc_mx_registry *reg;
    struct nc_mx_records *recs;
    struct nc_mx_runstats *run;
    struct nc_mx_httpd *httpd;
    const char *listen;
    long long per_ip;
    const char *linger_s;
    int64_t linger_ns;
    bool replay;
    /* replay */
    _Atomic uint64_t files_ok, files_bad;
    _Atomic int replay_done;
};

static volatile sig_atomic_t export_stop;

static void on_stop(int sig)
{
    NC_UNUSED(sig);
    export_stop = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int serve(struct nc_exporter *x)
{
    char err[NC_ERRBUF_SIZE];
    unsigned port = 0;
    x->httpd = nc_mx_httpd_start(x->reg, x->listen, &port, err);
    if (!x->httpd) {
        fprintf(stderr, "netcap %s: %s %s: %s\n", x->cmd,
                strcmp(x->cmd, "export") == 0 ? "-listen" : "-metrics", x->listen, err);
        return strstr(err, "cannot listen") ? NC_EXIT_FAILURE : NC_EXIT_USAGE;
    }
    const char *colon = strrchr(x->listen, ':');
    fprintf(stderr, "netcap %s: serving http://%.*s:%u/metrics\n", x->cmd,
            colon && colon > x->listen ? (int)(colon - x->listen) : 7,
            colon && colon > x->listen ? x->listen : "0.0.0.0", port);
    return NC_EXIT_OK;
}

/* ------------------------------------------------------------- metrics */

static int info_collect(void *ctx, struct nc_mx_emit *e)
{
    struct nc_exporter *x = ctx;
    (void)nc_mx_family(e, "netcap_build_info", NC_MX_GAUGE,
            "Always 1; the labels name the netcap version and the export mode.");
    (void)nc_mx_sample_u64(e, 1, "version", nc_version(), "mode",
            x->replay                      ? "replay"
            : strcmp(x->cmd, "agent") == 0 ? "agent"
                                           : "capture",
            NULL);
    return NC_OK;
}

static int replay_collect(void *ctx, struct nc_mx_emit *e)
{
    struct nc_exporter *x = ctx;
    (void)nc_mx_family(e, "netcap_records_total", NC_MX_COUNTER,
            "Records read from the record files, per record type.");
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        (void)nc_mx_sample_u64(e, nc_mx_records_count(x->recs, (enum nc_rec_type)t), "type",
                nc_rec_info((enum nc_rec_type)t)->name, NULL);
    }
    (void)nc_mx_family(e, "netcap_replay_files_total", NC_MX_COUNTER,
            "Record files read (ok) or refused or cut short (error).");
    (void)nc_mx_sample_u64(e, atomic_load(&x->files_ok), "result", "ok", NULL);
    (void)nc_mx_sample_u64(e, atomic_load(&x->files_bad), "result", "error", NULL);
    (void)nc_mx_family(e, "netcap_replay_running", NC_MX_GAUGE,
            "1 while record files are read, 0 once all are.");
    (void)nc_mx_sample_u64(e, atomic_load(&x->replay_done) ? 0 : 1, NULL);
    return NC_OK;
}

static int setup(struct nc_exporter *x)
{
    x->reg = nc_mx_registry_new();
    x->recs = nc_mx_records_new((unsigned)x->per_ip);
    x->run = x->replay ? NULL : nc_mx_runstats_new();
    if (!x->reg || !x->recs || (!x->replay && !x->run) ||
            nc_mx_add_collector(x->reg, info_collect, x) != NC_OK ||
            nc_mx_add_collector(x->reg, nc_mx_records_collect, x->recs) != NC_OK ||
            nc_mx_add_collector(x->reg, x->replay ? replay_collect : nc_mx_runstats_collect,
                    x->replay ? (void *)x : (void *)x->run) != NC_OK) {
        fprintf(stderr, "netcap %s: out of memory\n", x->cmd);
        return NC_EXIT_FAILURE;
    }
    return NC_EXIT_OK;
}

static void teardown(struct nc_exporter *x)
{
    nc_mx_httpd_stop(x->httpd);
    nc_mx_runstats_free(x->run);
    nc_mx_records_free(x->recs);
    nc_mx_registry_free(x->reg);
}

/* Serve until a signal, or for ns (< 0: until a signal). */
static void linger(int64_t ns)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!export_stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t spent = (int64_t)(now.tv_sec - t0.tv_sec) * 1000000000LL +
                        (int64_t)(now.tv_nsec - t0.tv_nsec);
        if (ns >= 0 && spent >= ns) {
            break;
        }
        struct timespec nap = { 0, 50 * 1000000L };
        nanosleep(&nap, NULL);
    }
}

/* ----------------------------------------------------------- capture */

int nc_exporter_start(void *ctx, struct nc_pipeline_cfg *cfg)
{
    struct nc_exporter *x = ctx;
    const char *why = "";
    if (x->linger_s && nc_duration_flag_parse(x->linger_s, &x->linger_ns, &why) != NC_OK) {
        fprintf(stderr, "netcap %s: -linger: '%s': %s\n", x->cmd, x->linger_s, why);
        return NC_EXIT_USAGE;
    }
    int rc = setup(x);
    if (rc != NC_EXIT_OK) {
        return rc;
    }
    cfg->observe = nc_mx_runstats_update;
    cfg->observe_ctx = x->run;
    cfg->metrics = x->recs;
    return serve(x);
}

static const char capture_synopsis[] =
        "Serve Prometheus metrics over HTTP while capturing (every capture flag works;\n"
        "without -out no record files are written), or from record files with -replay.\n"
        "Metrics and labels: docs/METRICS.md. Default address " DEFAULT_LISTEN ".\n\n"
        "examples:\n"
        "  netcap export -iface eth0 -listen 127.0.0.1:7777\n"
        "  netcap export -read traffic.pcap -linger 30s -out records\n"
        "  netcap export -replay records -listen :7777";

static int run_replay(struct nc_exporter *x, const char *dir, int64_t linger_ns)
{
    int rc = setup(x);
    if (rc == NC_EXIT_OK) {
        rc = serve(x);
    }
    if (rc != NC_EXIT_OK) {
        return rc;
    }
    catch_signals();
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "netcap export: -replay %s: %s\n", dir, strerror(errno));
        return NC_EXIT_FAILURE;
    }
    char **names = nc_calloc(REPLAY_MAX_FILES, sizeof(*names));
    size_t n = 0;
    struct dirent *de;
    while (names && (de = readdir(d)) != NULL) {
        const char *s = de->d_name;
        size_t l = strlen(s);
        bool rec = (l > 5 && strcmp(s + l - 5, ".ncap") == 0) ||
                   (l > 9 && strcmp(s + l - 9, ".ncap.zst") == 0) ||
                   (l > 8 && strcmp(s + l - 8, ".ncap.gz") == 0);
        if (!rec) {
            continue;
        }
        if (n == REPLAY_MAX_FILES) {
            fprintf(stderr, "netcap export: %s: more than %d record files; the rest are skipped\n",
                    dir, REPLAY_MAX_FILES);
            break;
        }
        names[n] = nc_strdup(s);
        if (names[n]) {
            n++;
        }
    }
    closedir(d);
    nc_mx_current = nc_mx_records_slot(x->recs, NC_MX_REPLAY_SLOT);
    char errbuf[NC_ERRBUF_SIZE], path[4352];
    for (size_t i = 0; i < n && !export_stop; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct nc_ncfile *f = NULL;
        int frc = nc_ncfile_open(&f, path, errbuf);
        const ProtobufCMessage *msg = NULL;
        while (frc == NC_OK && !export_stop) {
            frc = nc_ncfile_next(f, &msg, errbuf);
            if (frc != NC_OK || !msg) {
                break;
            }
            nc_mx_on_record(nc_ncfile_type(f), msg);
        }
        if (frc == NC_OK) {
            atomic_fetch_add(&x->files_ok, 1);
        } else {
            atomic_fetch_add(&x->files_bad, 1);
            fprintf(stderr, "netcap export: %s: %s\n", path, errbuf);
        }
        nc_ncfile_close(f);
    }
    nc_mx_current = NULL;
    for (size_t i = 0; i < n; i++) {
        nc_free(names[i]);
    }
    nc_free(names);
    atomic_store(&x->replay_done, 1);
    fprintf(stderr, "netcap export: %s: %llu record files read, %llu refused\n", dir,
            (unsigned long long)atomic_load(&x->files_ok),
            (unsigned long long)atomic_load(&x->files_bad));
    linger(linger_ns);
    return atomic_load(&x->files_bad) ? NC_EXIT_FAILURE : NC_EXIT_OK;
}

/* ------------------------------------------- carried by another command */

struct nc_exporter *nc_exporter_new(const char *cmd, const char *listen)
{
    struct nc_exporter *x = nc_calloc(1, sizeof(*x));
    if (x) {
        x->cmd = cmd;
        x->listen = listen;
    }
    return x;
}

int nc_exporter_add_collector(struct nc_exporter *x, nc_mx_collect_fn *fn, void *ctx)
{
    return x && x->reg ? nc_mx_add_collector(x->reg, fn, ctx) : NC_EARG;
}

void nc_exporter_free(struct nc_exporter *x)
{
    if (x) {
        teardown(x);
        nc_free(x);
    }
}

int nc_cmd_export(int argc, char **argv)
{
    struct nc_exporter x;
    memset(&x, 0, sizeof(x));
    x.cmd = "export";
    x.listen = DEFAULT_LISTEN;
    const char *replay_dir = NULL;
    const struct nc_flag flags[] = {
        { "listen", NC_FLAG_STR, &x.listen, "ADDR",
                "HTTP address, HOST:PORT, [V6]:PORT or :PORT (" DEFAULT_LISTEN ")", 0, 0 },
        { "linger", NC_FLAG_STR, &x.linger_s, "DUR",
                "keep serving this long after the input ends (file: 0; replay: until a signal)", 0,
                0 },
        { "per-ip", NC_FLAG_INT, &x.per_ip, "N",
                "label packets by source address, the N most frequent (0: none; at most 1000)", 0,
                NC_MX_PER_IP_MAX },
        { "replay", NC_FLAG_STR, &replay_dir, "DIR",
                "count the record files of DIR instead of capturing", 0, 0 },
    };
    nc_record_init();
    bool replay = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i] + (argv[i][0] == '-' && argv[i][1] == '-');
        if (strcmp(a, "-replay") == 0 || strncmp(a, "-replay=", 8) == 0) {
            replay = true;
        }
    }
    int rc;
    if (replay) {
        rc = nc_flags_parse("export", capture_synopsis, flags, NC_ARRAY_LEN(flags), argc, argv);
        if (rc < 0) {
            return NC_EXIT_OK;
        }
        if (rc != NC_EXIT_OK) {
            return rc;
        }
        x.linger_ns = -1; /* until a signal */
        const char *why = "";
        if (x.linger_s && nc_duration_flag_parse(x.linger_s, &x.linger_ns, &why) != NC_OK) {
            fprintf(stderr, "netcap export: -linger: '%s': %s\n", x.linger_s, why);
            return NC_EXIT_USAGE;
        }
        x.replay = true;
        rc = run_replay(&x, replay_dir, x.linger_ns);
        teardown(&x);
        return rc;
    }
    /* every flag but -replay joins capture's */
    struct nc_capture_hooks h = {
        .cmd = "export",
        .synopsis = capture_synopsis,
        .flags = flags,
        .n_flags = NC_ARRAY_LEN(flags) - 1,
        .files_optional = true,
        .start = nc_exporter_start,
        .ctx = &x,
    };
    rc = nc_capture_run(argc, argv, &h);
    if (x.httpd && x.linger_ns > 0) {
        catch_signals();
        fprintf(stderr, "netcap export: input done; serving for %.1f s more\n",
                (double)x.linger_ns / 1e9);
        linger(x.linger_ns);
    }
    teardown(&x);
    return rc;
}
