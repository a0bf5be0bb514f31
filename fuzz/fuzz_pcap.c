/*
 * summary: fuzz target: a whole capture file (pcap or pcapng) through the
 *          capture pipeline, as `netcap capture -read` runs it.
 *
 * The input is written to a memfd and opened by its /proc/self/fd path with
 * nc_source_open_file (the reader under test does its own read() calls).
 * One worker, every record type including Connection, the null sink (it
 * never touches out_dir). The output format follows the input size
 * (size % 3: proto, CSV, JSON), so all three encoders of the workers run
 * without taking a byte away from the file. A small flow table makes
 * eviction reachable with small inputs.
 */
#include "common.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow/flow.h"
#include "pipeline/pipeline.h"

enum {
    MAX_FLOWS = 64,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool registered;
    fuzz_init();
    if (!registered) {
        atexit(nc_community_id_fini); /* as netcap capture does at the end */
        registered = true;
    }
    uint8_t *copy = fuzz_dup(data, size);
    char path[64];
    int fd = fuzz_memfd(copy, size, path, sizeof(path));
    free(copy);

    struct nc_decode_opts opts;
    memset(&opts, 0, sizeof(opts));
    for (size_t t = 0; t < NC_REC_COUNT; t++) {
        opts.want[t] = true;
    }
    opts.payload = true;
    opts.entropy = true;

    static const enum nc_format formats[] = { NC_FORMAT_PROTO, NC_FORMAT_CSV, NC_FORMAT_JSON };
    struct nc_pipeline_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.workers = 1;
    cfg.opts = &opts;
    cfg.want_conn = true;
    cfg.format = formats[size % NC_ARRAY_LEN(formats)];
    cfg.compress = NC_COMPRESS_NONE;
    cfg.out_dir = "/nonexistent"; /* the null sink ignores it */
    cfg.sink = &nc_writer_null;
    cfg.max_flows = MAX_FLOWS;
    cfg.conn_timeout_ns = NC_FLOW_DEFAULT_TIMEOUT_NS;
    cfg.source_name = "fuzz";
    cfg.options = "";
    cfg.created_ns = 0;

    char errbuf[NC_ERRBUF_SIZE];
    struct nc_source *src = nc_source_open_file(path, NULL, errbuf);
    if (src) {
        static volatile sig_atomic_t stop;
        struct nc_run_stats *st = calloc(1, sizeof(*st));
        if (!st) {
            fuzz_fail("out of memory");
        }
        int rc = nc_pipeline_run(&cfg, src, &stop, st, errbuf);
        if (rc != NC_OK) {
            /* with the null sink there is no host error to expect */
            fuzz_fail(errbuf);
        }
        free(st);
        nc_source_close(src);
    }
    close(fd);
    return 0;
}
