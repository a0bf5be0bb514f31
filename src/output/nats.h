/*
 * summary: the NATS JetStream sink of `netcap agent`, and the connection
 *          setup `netcap collect` shares.
 *
 * nc_writer_nats sits behind struct nc_writer_ops like the file sink: the
 * pipeline opens it per record type with the path a file would have had
 * and writes the same frames. The first write of a type is its header frame
 * (none for JSON), kept and carried in every batch; each later write is one
 * batch: sealed (sensor/envelope.h) and put in the spool (sensor/spool.h).
 * A publisher thread sends the spool in order to JetStream, subject
 * netcap.<sensor>.<Type>, message id = batch id, and removes a batch only
 * when the broker acknowledged it. The broker may be down: the spool grows
 * to its cap, then new batches are dropped and counted.
 */
#ifndef NC_OUTPUT_NATS_H
#define NC_OUTPUT_NATS_H

#include "core/common.h"
#include "output/writer.h"
#include "sensor/envelope.h"
#include "sensor/spool.h"

enum {
    NC_NATS_SERVERS_MAX = 32, /* URLs in one -nats list */
};

/* How to reach the broker (agent and collector alike). */
struct nc_nats_opts {
    const char *url;    /* nats://host:port, comma-separated for a cluster */
    const char *name;   /* connection name the server shows */
    const char *creds;  /* user credentials file (JWT + seed), secret */
    const char *nkey;   /* user nkey seed file, secret */
    const char *tls_ca; /* CA certificates: TLS to the broker */
    const char *tls_cert, *tls_key;
    const char *stream; /* JetStream stream name */
    int replicas;       /* when the stream is created */
    bool retry;         /* keep trying when the broker is down at start */
};

struct nc_nats_conn;

/* Connects (checking secret files' permissions first). With opts->retry a
 * broker that is down is not an error: the library keeps trying. */
NC_WARN_UNUSED int nc_nats_connect(
        struct nc_nats_conn **out, const struct nc_nats_opts *opts, char err[NC_ERRBUF_SIZE]);
void nc_nats_close(struct nc_nats_conn *c);
/* The JetStream context (jsCtx *) and connection (natsConnection *). */
void *nc_nats_js(struct nc_nats_conn *c);
void *nc_nats_nc(struct nc_nats_conn *c);
/* Creates the stream (subjects netcap.>) if it does not exist. */
NC_WARN_UNUSED int nc_nats_ensure_stream(struct nc_nats_conn *c, char err[NC_ERRBUF_SIZE]);
/* Releases the library's global state (at exit; leak checkers). */
void nc_nats_shutdown(void);

/* ------------------------------------------------------------- the agent */

struct nc_agent_cfg {
    struct nc_nats_opts nats;
    const char *sensor;
    uint64_t run; /* this run's id (start time in ns) */
    uint8_t collector_pk[NC_KEY_BYTES];
    uint8_t pk[NC_KEY_BYTES], sk[NC_KEY_BYTES];
    struct nc_spool *spool;
};

struct nc_agent_stats {
    uint64_t batches, bytes;       /* sealed and spooled by this run */
    uint64_t published;            /* acknowledged by the broker */
    uint64_t publish_errors;       /* attempts that failed (retried) */
    uint64_t dropped;              /* spool full or unwritable */
    uint64_t oversize;             /* a frame too big for one message (dropped) */
    uint64_t recovered;            /* batches found in the spool at start */
    uint64_t pending;              /* left in the spool at exit */
    double lat_p50_ms, lat_p99_ms; /* spooled -> acknowledged, this run's batches */
    double lat_sum_ms;             /* of all this run's acknowledged batches */
    uint64_t lat_count;
};

/* Starts the publisher. The writer uses cfg until nc_agent_stop. */
NC_WARN_UNUSED int nc_agent_start(const struct nc_agent_cfg *cfg, char err[NC_ERRBUF_SIZE]);
/* Waits until the spool is empty, at most drain_ms (or until *stop), then
 * stops the publisher; what is left stays spooled for the next start. */
void nc_agent_stop(int drain_ms, volatile const int *stop, struct nc_agent_stats *st);

/* The agent's figures as they are now, for metrics, from any thread: the
 * counters so far (no latencies), the spool, and whether the connection to
 * the broker is up. After nc_agent_stop: its final figures. */
struct nc_agent_live {
    struct nc_agent_stats st;
    uint64_t spool_batches, spool_bytes;
    bool running, broker_connected;
};
void nc_agent_get_live(struct nc_agent_live *out);

extern const struct nc_writer_ops nc_writer_nats;

#endif
