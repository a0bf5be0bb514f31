/*
 * summary: the NATS JetStream sink (agent): frames -> sealed batches ->
 *          spool -> publisher thread -> JetStream, and the connection
 *          setup shared with the collector.
 */
#include "output/nats.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>
#include <sodium.h>

#include "core/dbuf.h"
#include "core/log.h"
#include "core/mem.h"

struct nc_nats_conn {
    natsConnection *nc;
    jsCtx *js;
    const struct nc_nats_opts *opts;
    bool stream_ok;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* With a connected callback, a connect that must retry returns at once
 * and the library keeps trying in the background. */
static void on_connected(natsConnection *nc, void *closure)
{
    NC_UNUSED(nc);
    NC_UNUSED(closure);
}

static void nats_err(char err[NC_ERRBUF_SIZE], const char *what, natsStatus s)
{
    const char *last = nats_GetLastError(NULL);
    snprintf(err, NC_ERRBUF_SIZE, "%s: %s%s%s", what, natsStatus_GetText(s), last ? ": " : "",
            last ? last : "");
}

/* natsOptions_SetURL takes one URL: "nats://a:4222,nats://b:4222" would be
 * one unparsable server, tried for ever in the background. A list goes to
 * natsOptions_SetServers, one entry per comma (spaces around them trimmed). */
static natsStatus set_servers(natsOptions *opts, const char *url)
{
    if (!strchr(url, ',')) {
        return natsOptions_SetURL(opts, url);
    }
    char *copy = nc_strdup(url);
    const char *list[NC_NATS_SERVERS_MAX];
    int n = 0;
    natsStatus s = copy ? NATS_OK : NATS_NO_MEMORY;
    char *save = NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; s == NATS_OK && t;
            t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ' || *t == '\t') {
            t++;
        }
        size_t len = strlen(t);
        while (len && (t[len - 1] == ' ' || t[len - 1] == '\t')) {
            t[--len] = '\0';
        }
        if (!len) {
            continue;
        }
        if (n == NC_NATS_SERVERS_MAX) {
            s = NATS_INVALID_ARG;
            break;
        }
        list[n++] = t;
    }
    if (s == NATS_OK && n == 0) {
        s = NATS_INVALID_ARG;
    }
    if (s == NATS_OK) {
        s = natsOptions_SetServers(opts, list, n); /* copies the strings */
    }
    nc_free(copy);
    return s;
}

int nc_nats_connect(
        struct nc_nats_conn **out, const struct nc_nats_opts *o, char err[NC_ERRBUF_SIZE])
{
    *out = NULL;
    const char *secrets[] = { o->creds, o->nkey, o->tls_key };
    for (size_t i = 0; i < NC_ARRAY_LEN(secrets); i++) {
        if (secrets[i] && nc_secret_file_check(secrets[i], err) != NC_OK) {
            return NC_EARG;
        }
    }
    if (o->creds && o->nkey) {
        snprintf(err, NC_ERRBUF_SIZE, "give one of -creds and -nkey");
        return NC_EARG;
    }
    char nkey_pub[64];
    if (o->nkey && nc_nkey_public(o->nkey, nkey_pub, err) != NC_OK) {
        return NC_EARG;
    }
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) {
        s = set_servers(opts, o->url);
        if (s == NATS_INVALID_ARG) {
            snprintf(err, NC_ERRBUF_SIZE, "-nats '%s': want 1 to %d comma-separated URLs", o->url,
                    NC_NATS_SERVERS_MAX);
            natsOptions_Destroy(opts);
            return NC_EARG;
        }
    }
    if (s == NATS_OK && o->name) {
        s = natsOptions_SetName(opts, o->name);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetMaxReconnect(opts, -1);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetReconnectWait(opts, 250);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetTimeout(opts, 2000);
    }
    if (s == NATS_OK && o->creds) {
        s = natsOptions_SetUserCredentialsFromFiles(opts, o->creds, NULL);
    }
    if (s == NATS_OK && o->nkey) {
        s = natsOptions_SetNKeyFromSeed(opts, nkey_pub, o->nkey);
    }
    if (s == NATS_OK && (o->tls_ca || o->tls_cert)) {
        s = natsOptions_SetSecure(opts, true);
        if (s == NATS_OK && o->tls_ca) {
            s = natsOptions_LoadCATrustedCertificates(opts, o->tls_ca);
        }
        if (s == NATS_OK && o->tls_cert) {
            s = natsOptions_LoadCertificatesChain(opts, o->tls_cert, o->tls_key);
        }
    }
    if (s != NATS_OK) {
        nats_err(err, "NATS options", s);
        natsOptions_Destroy(opts);
        return NC_EARG;
    }
    struct nc_nats_conn *c = nc_calloc(1, sizeof(*c));
    if (!c) {
        natsOptions_Destroy(opts);
        snprintf(err, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    c->opts = o;
    /* One attempt first, so that a broker which refuses us (TLS, no
     * credentials) or is down is reported once, with the library's reason;
     * then, with retry, the library keeps trying in the background. */
    s = natsConnection_Connect(&c->nc, opts);
    if (s != NATS_OK && o->retry) {
        char why[NC_ERRBUF_SIZE];
        nats_err(why, o->url, s);
        nc_log_warn("%s; retrying in the background", why);
        s = natsOptions_SetRetryOnFailedConnect(opts, true, on_connected, NULL);
        if (s == NATS_OK) {
            s = natsConnection_Connect(&c->nc, opts);
        }
        if (s == NATS_NOT_YET_CONNECTED) {
            s = NATS_OK;
        }
    }
    natsOptions_Destroy(opts);
    if (s == NATS_OK) {
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = 5000;
        s = natsConnection_JetStream(&c->js, c->nc, &jo);
    }
    if (s != NATS_OK) {
        nats_err(err, o->url, s);
        nc_nats_close(c);
        return NC_EIO;
    }
    *out = c;
    return NC_OK;
}

void nc_nats_close(struct nc_nats_conn *c)
{
    if (!c) {
        return;
    }
    if (c->js) {
        jsCtx_Destroy(c->js);
    }
    if (c->nc) {
        natsConnection_Close(c->nc);
        natsConnection_Destroy(c->nc);
    }
    nc_free(c);
}

void *nc_nats_js(struct nc_nats_conn *c)
{
    return c->js;
}

void *nc_nats_nc(struct nc_nats_conn *c)
{
    return c->nc;
}

void nc_nats_shutdown(void)
{
    nats_CloseAndWait(2000);
}

int nc_nats_ensure_stream(struct nc_nats_conn *c, char err[NC_ERRBUF_SIZE])
{
    if (c->stream_ok) {
        return NC_OK;
    }
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, c->js, c->opts->stream, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        c->stream_ok = true;
        return NC_OK;
    }
    if (s != NATS_NOT_FOUND) {
        nats_err(err, "JetStream stream info", s);
        return NC_EIO;
    }
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char *subjects[] = { "netcap.>" };
    sc.Name = c->opts->stream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = c->opts->replicas > 0 ? c->opts->replicas : 1;
    sc.Duplicates = 10LL * 60 * 1000000000LL; /* dedup window: 10 minutes */
    sc.MaxMsgSize = NC_ENV_MAX;
    s = js_AddStream(&si, c->js, &sc, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        c->stream_ok = true;
        return NC_OK;
    }
    /* another agent or the collector may have created it meanwhile */
    if (js_GetStreamInfo(&si, c->js, c->opts->stream, NULL, &jerr) == NATS_OK) {
        jsStreamInfo_Destroy(si);
        c->stream_ok = true;
        return NC_OK;
    }
    nats_err(err, "JetStream add stream", s);
    return NC_EIO;
}

/* ------------------------------------------------------------- the agent */

enum {
    LAT_SAMPLES = 1 << 16,
};

struct agent {
    struct nc_agent_cfg cfg;
    struct nc_nats_conn *conn;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    bool quit;
    struct nc_agent_stats st; /* guarded by mu */
    double *lat;              /* ms, this run's batches */
    size_t n_lat;
    struct nc_dbuf seal; /* committer's buffer */
};

static struct agent *agent; /* one per process: the writer has no context argument */
/* guards `agent` against a metrics scrape while nc_agent_stop frees it;
 * `agent_final` keeps what a scrape after the stop reports */
static pthread_mutex_t agent_live_mu = PTHREAD_MUTEX_INITIALIZER;
static struct nc_agent_live agent_final;

struct nats_sink {
    char name[NC_BATCH_NAME_MAX + 1];
    char type[NC_BATCH_NAME_MAX + 1];
    bool want_header, have_header;
    struct nc_dbuf hdr;
    uint64_t seq;
};

static int sink_open(struct nc_writer *w, const char *target, char errbuf[NC_ERRBUF_SIZE])
{
    if (!agent) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "NATS sink used without an agent");
        return NC_EARG;
    }
    struct nats_sink *s = nc_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    snprintf(s->name, sizeof(s->name), "%s", base);
    if (!nc_batch_name_ok(s->name, NULL)) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "NATS sink: bad batch name %s", s->name);
        nc_free(s);
        return NC_EARG;
    }
    nc_batch_type(s->name, s->type, sizeof(s->type));
    /* JSON files have no header; proto and CSV files start with one frame */
    s->want_header = strstr(s->name, ".json") == NULL;
    nc_dbuf_init(&s->hdr, NC_BATCH_HDR_MAX);
    w->impl = s;
    w->bytes = 0;
    return NC_OK;
}

static int sink_write(struct nc_writer *w, const void *p, size_t n)
{
    struct nats_sink *s = w->impl;
    struct agent *a = agent;
    if (s->want_header && !s->have_header) {
        s->have_header = true;
        int rc = nc_dbuf_append(&s->hdr, p, n);
        if (rc == NC_OK) {
            w->bytes += n;
        }
        return rc;
    }
    struct nc_batch b;
    memset(&b, 0, sizeof(b));
    snprintf(b.sensor, sizeof(b.sensor), "%s", a->cfg.sensor);
    snprintf(b.name, sizeof(b.name), "%s", s->name);
    b.run = a->cfg.run;
    b.seq = s->seq++;
    b.hdr = s->hdr.p;
    b.hdr_len = s->hdr.len;
    b.data = p;
    b.data_len = n;
    nc_dbuf_reset(&a->seal);
    int rc = nc_env_seal(&b, a->cfg.collector_pk, a->cfg.pk, a->cfg.sk, &a->seal);
    if (rc == NC_ELIMIT) {
        /* a frame beyond NC_ENV_MAX: lost, counted, capture goes on */
        pthread_mutex_lock(&a->mu);
        a->st.oversize++;
        pthread_mutex_unlock(&a->mu);
        nc_log_warn("%s batch %llu: %zu bytes, more than one message may carry: dropped", s->type,
                (unsigned long long)b.seq, n);
        return NC_OK;
    }
    if (rc != NC_OK) {
        return rc;
    }
    char subject[NC_SPOOL_SUBJECT_MAX + 1], id[NC_SPOOL_ID_MAX + 1];
    snprintf(subject, sizeof(subject), "netcap.%s.%s", a->cfg.sensor, s->type);
    nc_batch_id(&b, id, sizeof(id));
    rc = nc_spool_put(a->cfg.spool, subject, id, a->seal.p, a->seal.len);
    pthread_mutex_lock(&a->mu);
    a->st.batches++;
    a->st.bytes += a->seal.len;
    pthread_mutex_unlock(&a->mu);
    /* a full or failing spool drops the batch (counted there): capture goes on */
    w->bytes += n;
    return NC_OK;
}

static int sink_close(struct nc_writer *w, char errbuf[NC_ERRBUF_SIZE])
{
    NC_UNUSED(errbuf);
    struct nats_sink *s = w->impl;
    nc_dbuf_fini(&s->hdr);
    nc_free(s);
    w->impl = NULL;
    return NC_OK;
}

static void sink_abort(struct nc_writer *w)
{
    char e[NC_ERRBUF_SIZE];
    if (w->impl) {
        (void)sink_close(w, e);
    }
}

const struct nc_writer_ops nc_writer_nats = {
    .name = "nats",
    .open = sink_open,
    .write = sink_write,
    .close = sink_close,
    .abort = sink_abort,
    .flush = NULL,
};

static bool agent_quit(struct agent *a)
{
    pthread_mutex_lock(&a->mu);
    bool q = a->quit;
    pthread_mutex_unlock(&a->mu);
    return q;
}

static void *publisher_main(void *arg)
{
    struct agent *a = arg;
    struct nc_spool_entry e;
    memset(&e, 0, sizeof(e));
    nc_dbuf_init(&e.payload, (size_t)NC_ENV_MAX + 1024);
    int backoff_ms = 100;
    char err[NC_ERRBUF_SIZE];
    bool warned = false;
    while (!agent_quit(a)) {
        int rc = nc_spool_peek(a->cfg.spool, 200, &e);
        if (rc == NC_EAGAIN || rc == NC_EMALFORMED) {
            continue;
        }
        if (rc != NC_OK) {
            struct timespec ts = { 0, 100000000L };
            nanosleep(&ts, NULL);
            continue;
        }
        natsStatus s = NATS_OK;
        if (nc_nats_ensure_stream(a->conn, err) != NC_OK) {
            s = NATS_ERR;
        } else {
            jsPubOptions po;
            jsPubOptions_Init(&po);
            po.MsgId = e.id;
            po.MaxWait = 3000;
            jsPubAck *ack = NULL;
            jsErrCode jerr = 0;
            s = js_Publish(
                    &ack, a->conn->js, e.subject, e.payload.p, (int)e.payload.len, &po, &jerr);
            if (ack) {
                jsPubAck_Destroy(ack);
            }
            if (s != NATS_OK) {
                nats_err(err, "publish", s);
            }
        }
        if (s == NATS_OK) {
            int64_t t_put = nc_spool_pop(a->cfg.spool);
            pthread_mutex_lock(&a->mu);
            a->st.published++;
            if (t_put) {
                double ms = (double)(mono_ns() - t_put) / 1e6;
                a->st.lat_sum_ms += ms;
                a->st.lat_count++;
                if (a->n_lat < LAT_SAMPLES) {
                    a->lat[a->n_lat++] = ms;
                }
            }
            pthread_mutex_unlock(&a->mu);
            if (warned) {
                nc_log_info("broker reachable again: sending the spool");
                warned = false;
            }
            backoff_ms = 100;
            continue;
        }
        pthread_mutex_lock(&a->mu);
        a->st.publish_errors++;
        pthread_mutex_unlock(&a->mu);
        if (!warned) {
            nc_log_warn("%s; batches stay in the spool until the broker acknowledges them", err);
            warned = true;
        }
        /* wait before the next attempt, waking for quit */
        for (int slept = 0; slept < backoff_ms && !agent_quit(a); slept += 50) {
            struct timespec ts = { 0, 50000000L };
            nanosleep(&ts, NULL);
        }
        backoff_ms = backoff_ms * 2 > 2000 ? 2000 : backoff_ms * 2;
    }
    nc_dbuf_fini(&e.payload);
    return NULL;
}

int nc_agent_start(const struct nc_agent_cfg *cfg, char err[NC_ERRBUF_SIZE])
{
    if (agent) {
        snprintf(err, NC_ERRBUF_SIZE, "agent already started");
        return NC_EARG;
    }
    struct agent *a = nc_calloc(1, sizeof(*a));
    if (!a || !(a->lat = nc_calloc(LAT_SAMPLES, sizeof(*a->lat)))) {
        nc_free(a);
        snprintf(err, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    a->cfg = *cfg;
    nc_dbuf_init(&a->seal, (size_t)NC_ENV_MAX + 1024);
    pthread_mutex_init(&a->mu, NULL);
    struct nc_spool_stats ss;
    nc_spool_get_stats(cfg->spool, &ss);
    a->st.recovered = ss.recovered;
    int rc = nc_nats_connect(&a->conn, &a->cfg.nats, err);
    if (rc == NC_OK && pthread_create(&a->thread, NULL, publisher_main, a) != 0) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot start the publisher thread");
        rc = NC_ENOMEM;
    }
    if (rc != NC_OK) {
        nc_nats_close(a->conn);
        nc_dbuf_fini(&a->seal);
        pthread_mutex_destroy(&a->mu);
        nc_free(a->lat);
        nc_free(a);
        return rc;
    }
    a->started = true;
    pthread_mutex_lock(&agent_live_mu);
    agent = a;
    pthread_mutex_unlock(&agent_live_mu);
    return NC_OK;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

void nc_agent_stop(int drain_ms, volatile const int *stop, struct nc_agent_stats *st)
{
    struct agent *a = agent;
    memset(st, 0, sizeof(*st));
    if (!a) {
        return;
    }
    int64_t deadline = mono_ns() + (int64_t)drain_ms * 1000000LL;
    for (;;) {
        struct nc_spool_stats ss;
        nc_spool_get_stats(a->cfg.spool, &ss);
        if (ss.pending == 0 || mono_ns() >= deadline || (stop && *stop)) {
            break;
        }
        struct timespec ts = { 0, 20000000L };
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&a->mu);
    a->quit = true;
    pthread_mutex_unlock(&a->mu);
    nc_spool_wake(a->cfg.spool);
    pthread_join(a->thread, NULL);
    struct nc_spool_stats ss;
    nc_spool_get_stats(a->cfg.spool, &ss);
    *st = a->st;
    st->dropped = ss.dropped;
    st->pending = ss.pending;
    if (a->n_lat) {
        qsort(a->lat, a->n_lat, sizeof(*a->lat), cmp_double);
        st->lat_p50_ms = a->lat[a->n_lat / 2];
        st->lat_p99_ms = a->lat[(a->n_lat * 99) / 100];
    }
    pthread_mutex_lock(&agent_live_mu);
    memset(&agent_final, 0, sizeof(agent_final));
    agent_final.st = *st;
    agent_final.spool_batches = ss.pending;
    agent_final.spool_bytes = ss.bytes;
    agent = NULL;
    pthread_mutex_unlock(&agent_live_mu);
    nc_nats_close(a->conn);
    nc_dbuf_fini(&a->seal);
    pthread_mutex_destroy(&a->mu);
    nc_free(a->lat);
    nc_free(a);
}

void nc_agent_get_live(struct nc_agent_live *out)
{
    pthread_mutex_lock(&agent_live_mu);
    struct agent *a = agent;
    if (!a) {
        *out = agent_final;
        pthread_mutex_unlock(&agent_live_mu);
        return;
    }
    memset(out, 0, sizeof(*out));
    out->running = true;
    double *lat = NULL;
    size_t n_lat = 0;
    pthread_mutex_lock(&a->mu);
    out->st = a->st;
    if (a->n_lat && (lat = nc_malloc(a->n_lat * sizeof(*lat))) != NULL) {
        n_lat = a->n_lat;
        memcpy(lat, a->lat, n_lat * sizeof(*lat));
    }
    pthread_mutex_unlock(&a->mu);
    if (n_lat) {
        qsort(lat, n_lat, sizeof(*lat), cmp_double);
        out->st.lat_p50_ms = lat[n_lat / 2];
        out->st.lat_p99_ms = lat[(n_lat * 99) / 100];
    }
    nc_free(lat);
    struct nc_spool_stats ss;
    nc_spool_get_stats(a->cfg.spool, &ss);
    out->st.dropped = ss.dropped;
    out->st.pending = ss.pending;
    out->spool_batches = ss.pending;
    out->spool_bytes = ss.bytes;
    natsConnection *nc = a->conn ? nc_nats_nc(a->conn) : NULL;
    out->broker_connected = nc && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
    pthread_mutex_unlock(&agent_live_mu);
}
