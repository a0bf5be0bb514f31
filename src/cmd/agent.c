/*
 * summary: netcap agent: capture (live or files) whose record frames go,
 *          sealed to the collector's key, through a disk spool to a NATS
 *          JetStream stream (see output/nats.h, docs/SENSORS.md).
 */
#include "cmd/cmd.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"
#include "metrics/registry.h"
#include "output/nats.h"
#include "sensor/envelope.h"
#include "sensor/spool.h"

static const char *nats_url = "nats://127.0.0.1:4222", *sensor, *stream = "NETCAP";
static const char *creds, *nkey, *tls_ca, *tls_cert, *tls_key;
static const char *key_path, *collector_pub, *spool_dir = "netcap-spool";
static const char *gen_keypair, *gen_nkey, *metrics_addr;
static struct nc_exporter *exporter; /* -metrics */
static long long spool_max = 1024, drain_timeout = 30, replicas = 1;
static struct nc_spool *spool;
static volatile sig_atomic_t drain_stop;

static void on_drain_signal(int sig)
{
    NC_UNUSED(sig);
    drain_stop = 1;
}

static void print_stats(const struct nc_agent_stats *st)
{
    fprintf(stderr,
            "netcap agent: %llu batches sealed (%llu bytes), %llu acknowledged by the broker "
            "(%llu from an earlier run's spool), %llu publish attempts failed, %llu dropped "
            "(spool full), %llu too big, %llu left in the spool\n",
            (unsigned long long)st->batches, (unsigned long long)st->bytes,
            (unsigned long long)st->published, (unsigned long long)st->recovered,
            (unsigned long long)st->publish_errors, (unsigned long long)st->dropped,
            (unsigned long long)st->oversize, (unsigned long long)st->pending);
    if (st->lat_p50_ms > 0) {
        fprintf(stderr, "  batch latency, spooled to acknowledged: p50 %.2f ms, p99 %.2f ms\n",
                st->lat_p50_ms, st->lat_p99_ms);
    }
    if (st->pending) {
        fprintf(stderr, "  the %llu batches left are sent first on the next start\n",
                (unsigned long long)st->pending);
    }
}

/* The agent's own metrics (docs/METRICS.md, "Agent"), next to capture's. */
static int agent_collect(void *ctx, struct nc_mx_emit *e)
{
    NC_UNUSED(ctx);
    struct nc_agent_live l;
    nc_agent_get_live(&l);
    (void)nc_mx_family(e, "netcap_agent_spool_bytes", NC_MX_GAUGE,
            "Bytes of sealed batches waiting in the spool for the broker's acknowledgement.");
    (void)nc_mx_sample_u64(e, l.spool_bytes, NULL);
    (void)nc_mx_family(e, "netcap_agent_spool_batches", NC_MX_GAUGE,
            "Sealed batches waiting in the spool for the broker's acknowledgement.");
    (void)nc_mx_sample_u64(e, l.spool_batches, NULL);
    (void)nc_mx_family(e, "netcap_agent_batches_total", NC_MX_COUNTER,
            "Batches by outcome: sealed into the spool, acknowledged by the broker, dropped "
            "(spool full or unwritable), oversize (a frame too big for one message).");
    (void)nc_mx_sample_u64(e, l.st.batches, "result", "sealed", NULL);
    (void)nc_mx_sample_u64(e, l.st.published, "result", "acknowledged", NULL);
    (void)nc_mx_sample_u64(e, l.st.dropped, "result", "dropped", NULL);
    (void)nc_mx_sample_u64(e, l.st.oversize, "result", "oversize", NULL);
    (void)nc_mx_family(e, "netcap_agent_sealed_bytes_total", NC_MX_COUNTER,
            "Bytes of sealed batches put in the spool by this run.");
    (void)nc_mx_sample_u64(e, l.st.bytes, NULL);
    (void)nc_mx_family(e, "netcap_agent_recovered_batches", NC_MX_GAUGE,
            "Batches an earlier run left in the spool, found at start (sent first).");
    (void)nc_mx_sample_u64(e, l.st.recovered, NULL);
    (void)nc_mx_family(e, "netcap_agent_resends_total", NC_MX_COUNTER,
            "Publish attempts that failed (broker down, no acknowledgement in time); the "
            "batch stays in the spool and is sent again.");
    (void)nc_mx_sample_u64(e, l.st.publish_errors, NULL);
    (void)nc_mx_family(e, "netcap_agent_broker_up", NC_MX_GAUGE,
            "1 while the connection to the NATS broker is up, 0 otherwise.");
    (void)nc_mx_sample_u64(e, l.broker_connected ? 1 : 0, NULL);
    (void)nc_mx_family(e, "netcap_agent_batch_latency_seconds", NC_MX_SUMMARY,
            "Time from spooling a batch to the broker's acknowledgement, this run's batches "
            "(quantiles over the first 65536).");
    (void)nc_mx_sample_f64(e, l.st.lat_p50_ms / 1e3, "quantile", "0.5", NULL);
    (void)nc_mx_sample_f64(e, l.st.lat_p99_ms / 1e3, "quantile", "0.99", NULL);
    (void)nc_mx_summary_end(e, l.st.lat_sum_ms / 1e3, l.st.lat_count);
    return NC_OK;
}

/* capture start hook: with -metrics, serve capture's metrics and the agent's */
static int start_metrics(void *ctx, struct nc_pipeline_cfg *cfg)
{
    NC_UNUSED(ctx);
    if (!metrics_addr) {
        return NC_EXIT_OK;
    }
    exporter = nc_exporter_new("agent", metrics_addr);
    if (!exporter) {
        fprintf(stderr, "netcap agent: out of memory\n");
        return NC_EXIT_FAILURE;
    }
    int rc = nc_exporter_start(exporter, cfg);
    if (rc == NC_EXIT_OK && nc_exporter_add_collector(exporter, agent_collect, NULL) != NC_OK) {
        fprintf(stderr, "netcap agent: out of memory\n");
        rc = NC_EXIT_FAILURE;
    }
    return rc;
}

/* Drains the spool for up to ms (or until *stop), prints the figures and
 * releases the publisher, the metrics server, the spool and the library. */
static void wind_down(long long ms, volatile const int *stop, struct nc_agent_stats *st)
{
    nc_agent_stop((int)ms, stop, st);
    print_stats(st);
    nc_exporter_free(exporter); /* serves until here: a scrape sees the drain */
    exporter = NULL;
    nc_spool_close(spool);
    spool = NULL;
    nc_nats_shutdown();
}

static int finish(int exit_code, bool stopped)
{
    struct nc_agent_stats st;
    /* after a signal, drain briefly; the rest stays spooled */
    long long ms = drain_timeout * 1000;
    if (stopped && ms > 3000) {
        ms = 3000;
    }
    wind_down(ms, NULL, &st);
    return exit_code;
}

static int start(bool has_input)
{
    char err[NC_ERRBUF_SIZE];
    if (nc_sodium_init() != NC_OK) {
        fprintf(stderr, "netcap agent: libsodium failed to initialise\n");
        return NC_EXIT_FAILURE;
    }
    if (gen_keypair) {
        const char *name = sensor ? sensor : "agent";
        if (!nc_sensor_name_ok(name) || nc_key_generate(gen_keypair, name, err) != NC_OK) {
            fprintf(stderr, "netcap agent: -gen-keypair: %s\n",
                    nc_sensor_name_ok(name) ? err : "bad -sensor name");
            return NC_EXIT_FAILURE;
        }
        printf("%s/%s.key (secret, 0600) and %s/%s.pub written; copy %s.pub to the collector's "
               "-allow directory\n",
                gen_keypair, name, gen_keypair, name, name);
        return NC_EXIT_OK;
    }
    if (gen_nkey) {
        char pub[64];
        if (nc_nkey_generate(gen_nkey, pub, err) != NC_OK) {
            fprintf(stderr, "netcap agent: -gen-nkey: %s\n", err);
            return NC_EXIT_FAILURE;
        }
        printf("%s\n", pub);
        return NC_EXIT_OK;
    }
    if (!sensor || !nc_sensor_name_ok(sensor)) {
        fprintf(stderr, "netcap agent: -sensor NAME is required (1-64 of A-Z a-z 0-9 _ -)\n");
        return NC_EXIT_USAGE;
    }
    if (!key_path || !collector_pub) {
        fprintf(stderr, "netcap agent: -key FILE (this agent's secret key) and -collector-pub "
                        "FILE are required (keys: netcap agent -gen-keypair DIR)\n");
        return NC_EXIT_USAGE;
    }
    struct nc_agent_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    if (nc_key_load(key_path, true, cfg.sk, err) != NC_OK ||
            nc_key_load(collector_pub, false, cfg.collector_pk, err) != NC_OK) {
        fprintf(stderr, "netcap agent: %s\n", err);
        return NC_EXIT_FAILURE;
    }
    crypto_scalarmult_base(cfg.pk, cfg.sk);
    cfg.nats.url = nats_url;
    cfg.nats.name = sensor;
    cfg.nats.creds = creds;
    cfg.nats.nkey = nkey;
    cfg.nats.tls_ca = tls_ca;
    cfg.nats.tls_cert = tls_cert;
    cfg.nats.tls_key = tls_key;
    cfg.nats.stream = stream;
    cfg.nats.replicas = (int)replicas;
    cfg.nats.retry = true;
    cfg.sensor = sensor;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cfg.run = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    if (nc_spool_open(&spool, spool_dir, (uint64_t)spool_max << 20, err) != NC_OK) {
        fprintf(stderr, "netcap agent: %s\n", err);
        return NC_EXIT_FAILURE;
    }
    cfg.spool = spool;
    if (nc_agent_start(&cfg, err) != NC_OK) {
        fprintf(stderr, "netcap agent: %s\n", err);
        nc_spool_close(spool);
        spool = NULL;
        return NC_EXIT_FAILURE;
    }
    sodium_memzero(cfg.sk, sizeof(cfg.sk));
    if (has_input) {
        return -1; /* capture now */
    }
    /* no input: send what the spool holds and stop */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_drain_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct nc_agent_stats st;
    wind_down(drain_timeout * 1000, &drain_stop, &st);
    return st.pending ? NC_EXIT_FAILURE : NC_EXIT_OK;
}

int nc_cmd_agent(int argc, char **argv)
{
    static const struct nc_flag flags[] = {
        { "nats", NC_FLAG_STR, &nats_url, "URL",
                "NATS server(s), comma-separated (nats://127.0.0.1:4222)", 0, 0 },
        { "sensor", NC_FLAG_STR, &sensor, "NAME", "this sensor's name (subjects netcap.NAME.*)", 0,
                0 },
        { "stream", NC_FLAG_STR, &stream, "NAME", "JetStream stream, created if absent (NETCAP)", 0,
                0 },
        { "replicas", NC_FLAG_INT, &replicas, "N", "replicas when the stream is created (1)", 1,
                5 },
        { "creds", NC_FLAG_STR, &creds, "FILE", "NATS user credentials file (mode 0600)", 0, 0 },
        { "nkey", NC_FLAG_STR, &nkey, "FILE", "NATS user nkey seed file (mode 0600)", 0, 0 },
        { "tls-ca", NC_FLAG_STR, &tls_ca, "FILE", "TLS to the broker, trusting these CAs", 0, 0 },
        { "tls-cert", NC_FLAG_STR, &tls_cert, "FILE", "TLS client certificate", 0, 0 },
        { "tls-key", NC_FLAG_STR, &tls_key, "FILE", "TLS client key (mode 0600)", 0, 0 },
        { "key", NC_FLAG_STR, &key_path, "FILE", "this agent's secret key (mode 0600)", 0, 0 },
        { "collector-pub", NC_FLAG_STR, &collector_pub, "FILE",
                "the collector's public key: batches are sealed to it", 0, 0 },
        { "spool", NC_FLAG_STR, &spool_dir, "DIR",
                "batches wait here until acknowledged (netcap-spool)", 0, 0 },
        { "spool-max", NC_FLAG_INT, &spool_max, "MIB",
                "spool cap; past it new batches are dropped and counted (1024)", 1, 1 << 24 },
        { "drain-timeout", NC_FLAG_INT, &drain_timeout, "S",
                "at the end, wait this long for the spool to empty (30)", 0, 86400 },
        { "metrics", NC_FLAG_STR, &metrics_addr, "ADDR",
                "serve Prometheus metrics while capturing: capture's and the agent's spool, "
                "resends and broker state (HOST:PORT; docs/METRICS.md)",
                0, 0 },
        { "gen-keypair", NC_FLAG_STR, &gen_keypair, "DIR",
                "write DIR/<sensor>.key and .pub (an agent key pair) and exit", 0, 0 },
        { "gen-nkey", NC_FLAG_STR, &gen_nkey, "FILE",
                "write a NATS user nkey seed to FILE, print its public key, exit", 0, 0 },
    };
    static const char synopsis[] =
            "Capture like `netcap capture`, but each record frame is sealed to the\n"
            "collector's public key and sent to NATS JetStream (subject\n"
            "netcap.<sensor>.<Type>), through a disk spool that keeps batches until\n"
            "the broker acknowledges them. Without -read or -iface: send the spool\n"
            "and exit. See docs/SENSORS.md.\n\n"
            "examples:\n"
            "  netcap agent -gen-keypair /etc/netcap -sensor hp1\n"
            "  netcap agent -iface eth0 -sensor hp1 -key /etc/netcap/hp1.key \\\n"
            "      -collector-pub /etc/netcap/collector.pub -nats nats://broker:4222 \\\n"
            "      -nkey /etc/netcap/hp1.nk -tls-ca /etc/netcap/ca.pem -spool /var/lib/netcap";
    const struct nc_capture_hooks hooks = {
        .cmd = "agent",
        .synopsis = synopsis,
        .flags = flags,
        .n_flags = NC_ARRAY_LEN(flags),
        .sink = &nc_writer_nats,
        .start = start_metrics,
        .before = start,
        .finish = finish,
    };
    return nc_capture_run(argc, argv, &hooks);
}
