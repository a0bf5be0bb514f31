/*
 * summary: netcap collect: a durable JetStream pull consumer that opens the
 *          agents' sealed batches and writes the record files `capture`
 *          would have written, -out DIR/<sensor>/<Type>.ncap.zst.
 *
 * Every message is untrusted. It is size-capped, its envelope parsed by the
 * bounded decoder, its sender looked up in the allow-list, opened with
 * crypto_box (authenticated), and its inner batch id compared with the
 * subject and the allow-listed sensor name. Batches are applied in groups:
 * frames appended to their files, every touched file fsync'ed (and the
 * directory of a new file), then the state file (per sensor and file: run,
 * last sequence applied, a window of the 4096 before it (sensor/seqwin.h), file size)
 * written atomically, and only then the messages acknowledged. After a
 * crash, a file longer than its recorded size is cut back to it and the
 * unacknowledged batches come again; a batch already applied is dropped as
 * a duplicate, so nothing is written twice. Files end on a frame boundary
 * between groups, so SIGINT and SIGTERM leave every file valid.
 */
#include "cmd/cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>
#include <sodium.h>

#include "core/log.h"
#include "core/mem.h"
#include "output/nats.h"
#include "record/record.h"
#include "sensor/envelope.h"
#include "sensor/seqwin.h"

enum {
    MAX_ENTRIES = 1 << 16, /* (sensor, file) pairs tracked */
    MAX_ALLOW = 1 << 14,   /* allow-listed agent keys */
    LOG_FIRST = 10,        /* rejections logged per reason, then every LOG_EVERY-th */
    LOG_EVERY = 1000,
};

enum verdict {
    V_APPLY,
    V_DUP,
    V_STALE,
    V_OVERSIZE,
    V_MALFORMED,
    V_UNKNOWN,
    V_AUTH,
    V_MISMATCH,
    V_FULL,
    V_COUNT,
};

static const char *const verdict_name[V_COUNT] = {
    "applied",
    "duplicates (redelivered or replayed)",
    "stale (an older run than the file's)",
    "oversize",
    "malformed envelope or batch",
    "unknown sender key",
    "failed authentication or decryption",
    "relabelled (subject or sensor does not match the sealed batch id)",
    "state table full",
};

struct allow {
    char sensor[NC_SENSOR_MAX + 1];
    uint8_t pk[NC_KEY_BYTES];
};

struct entry {
    char sensor[NC_SENSOR_MAX + 1];
    char name[NC_BATCH_NAME_MAX + 1];
    uint64_t run, size;
    struct nc_seqwin win; /* the batches of run applied */
    int fd;               /* open during a group */
    bool new_file;        /* created in this group: fsync the directory */
};

struct collector {
    const char *out;
    struct allow *allow;
    size_t n_allow;
    struct entry *ent;
    size_t n_ent;
    uint8_t sk[NC_KEY_BYTES];
    uint8_t *plain;
    long long max_msg;
    uint64_t count[V_COUNT];
    bool dirty;
    bool state_found; /* a state file existed at start */
    /* test hook NETCAP_COLLECT_CRASH=data:N or state:N: SIGKILL itself in
     * the N-th group that applies something, after its files are fsync'ed
     * and before the state is saved (data), or after the state is saved
     * and before the acks (state) */
    int crash_at; /* 0: off; 1: data; 2: state */
    long crash_group, groups;
};

static volatile sig_atomic_t stop_flag;

static void crash_hook_init(struct collector *c)
{
    const char *v = getenv("NETCAP_COLLECT_CRASH");
    if (!v || !*v) {
        return;
    }
    char *end = NULL;
    if (strncmp(v, "data:", 5) == 0) {
        c->crash_at = 1;
    } else if (strncmp(v, "state:", 6) == 0) {
        c->crash_at = 2;
    } else {
        return;
    }
    c->crash_group = strtol(strchr(v, ':') + 1, &end, 10);
    if (!end || *end || c->crash_group < 1) {
        c->crash_at = 0;
    }
}

static void crash_hook(const struct collector *c, int point)
{
    if (c->crash_at == point && c->groups == c->crash_group) {
        fprintf(stderr, "netcap collect: NETCAP_COLLECT_CRASH: SIGKILL in group %ld\n", c->groups);
        raise(SIGKILL);
    }
}

static void on_signal(int sig)
{
    NC_UNUSED(sig);
    stop_flag = 1;
}

/* ------------------------------------------------------------ allow-list */

static int allow_add(struct collector *c, const char *sensor, const char *path)
{
    char err[NC_ERRBUF_SIZE];
    if (!nc_sensor_name_ok(sensor)) {
        fprintf(stderr, "netcap collect: %s: '%s' is not a sensor name\n", path, sensor);
        return NC_EARG;
    }
    if (c->n_allow == MAX_ALLOW) {
        fprintf(stderr, "netcap collect: more than %d allowed keys\n", MAX_ALLOW);
        return NC_ELIMIT;
    }
    struct allow *a = &c->allow[c->n_allow];
    snprintf(a->sensor, sizeof(a->sensor), "%s", sensor);
    if (nc_key_load(path, false, a->pk, err) != NC_OK) {
        fprintf(stderr, "netcap collect: %s\n", err);
        return NC_EARG;
    }
    c->n_allow++;
    return NC_OK;
}

/* A directory of <sensor>.pub files, or one <sensor>.pub file. */
static int allow_load(struct collector *c, const char *path)
{
    c->allow = nc_calloc(MAX_ALLOW, sizeof(*c->allow));
    if (!c->allow) {
        return NC_ENOMEM;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "netcap collect: -allow %s: %s\n", path, strerror(errno));
        return NC_EIO;
    }
    if (!S_ISDIR(sb.st_mode)) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        char sensor[NC_SENSOR_MAX + 8];
        snprintf(sensor, sizeof(sensor), "%s", base);
        char *dot = strstr(sensor, ".pub");
        if (!dot || dot[4] != '\0') {
            fprintf(stderr, "netcap collect: -allow %s: want <sensor>.pub or a directory\n", path);
            return NC_EARG;
        }
        *dot = '\0';
        return allow_add(c, sensor, path);
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "netcap collect: -allow %s: %s\n", path, strerror(errno));
        return NC_EIO;
    }
    struct dirent *de;
    int rc = NC_OK;
    while (rc == NC_OK && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n <= 4 || n > NC_SENSOR_MAX + 4 || strcmp(de->d_name + n - 4, ".pub") != 0) {
            continue;
        }
        char sensor[NC_SENSOR_MAX + 8], file[4400];
        snprintf(sensor, sizeof(sensor), "%.*s", (int)(n - 4), de->d_name);
        snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
        rc = allow_add(c, sensor, file);
    }
    closedir(d);
    if (rc == NC_OK && c->n_allow == 0) {
        fprintf(stderr, "netcap collect: -allow %s: no <sensor>.pub files\n", path);
        rc = NC_EARG;
    }
    return rc;
}

static const struct allow *allow_find(const struct collector *c, const uint8_t *pk)
{
    for (size_t i = 0; i < c->n_allow; i++) {
        if (sodium_memcmp(c->allow[i].pk, pk, NC_KEY_BYTES) == 0) {
            return &c->allow[i];
        }
    }
    return NULL;
}

/* ----------------------------------------------------------------- state */

static struct entry *entry_find(struct collector *c, const char *sensor, const char *name, bool add)
{
    for (size_t i = 0; i < c->n_ent; i++) {
        if (strcmp(c->ent[i].sensor, sensor) == 0 && strcmp(c->ent[i].name, name) == 0) {
            return &c->ent[i];
        }
    }
    if (!add || c->n_ent == MAX_ENTRIES) {
        return NULL;
    }
    struct entry *e = &c->ent[c->n_ent++];
    memset(e, 0, sizeof(*e));
    snprintf(e->sensor, sizeof(e->sensor), "%s", sensor);
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->fd = -1;
    return e;
}

static void state_path(const struct collector *c, char *out, size_t n, const char *ext)
{
    snprintf(out, n, "%s/.netcap-collect.state%s", c->out, ext);
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return NC_EIO;
    }
    int rc = fsync(fd) == 0 ? NC_OK : NC_EIO;
    close(fd);
    return rc;
}

/* Lines "sensor name run last mask size" (hex numbers; the mask is the
 * window of sensor/seqwin.h), written by us;
 * read with checks all the same. */
static int state_load(struct collector *c)
{
    char path[4400];
    state_path(c, path, sizeof(path), "");
    FILE *f = fopen(path, "r");
    if (!f) {
        return errno == ENOENT ? NC_OK : NC_EIO;
    }
    c->state_found = true;
    char line[NC_SENSOR_MAX + NC_BATCH_NAME_MAX + 3 * 17 + NC_SEQWIN_HEX + 16];
    int rc = NC_OK;
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL, *tok[6];
        size_t n = 0;
        for (char *t = strtok_r(line, " \n", &save); t && n < 6; t = strtok_r(NULL, " \n", &save)) {
            tok[n++] = t;
        }
        uint64_t v[4] = { 0, 0, 0, 0 };
        struct nc_seqwin win;
        bool ok = n == 6 && nc_sensor_name_ok(tok[0]) && nc_batch_name_ok(tok[1], NULL);
        for (size_t i = 0; ok && i < 4; i++) {
            if (i == 2) {
                continue; /* the window, below */
            }
            char *end = NULL;
            errno = 0;
            v[i] = strtoull(tok[2 + i], &end, 16);
            ok = errno == 0 && *end == '\0';
        }
        ok = ok && nc_seqwin_parse(&win, v[1], tok[4]);
        struct entry *e = ok ? entry_find(c, tok[0], tok[1], true) : NULL;
        if (!e) {
            fprintf(stderr, "netcap collect: %s: bad line, ignoring the state file\n", path);
            c->n_ent = 0;
            rc = NC_EMALFORMED;
            break;
        }
        e->run = v[0];
        e->size = v[3];
        e->win = win;
    }
    fclose(f);
    return rc == NC_EMALFORMED ? NC_OK : rc;
}

static int state_save(struct collector *c)
{
    char path[4400], tmp[4400];
    state_path(c, path, sizeof(path), "");
    state_path(c, tmp, sizeof(tmp), ".tmp");
    FILE *f = fopen(tmp, "w");
    if (!f) {
        return NC_EIO;
    }
    for (size_t i = 0; i < c->n_ent; i++) {
        const struct entry *e = &c->ent[i];
        if (e->win.any) {
            char hex[NC_SEQWIN_HEX + 1];
            nc_seqwin_format(&e->win, hex);
            fprintf(f, "%s %s %llx %llx %s %llx\n", e->sensor, e->name, (unsigned long long)e->run,
                    (unsigned long long)e->win.last, hex, (unsigned long long)e->size);
        }
    }
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0 || fsync_dir(c->out) != NC_OK) {
        return NC_EIO;
    }
    return NC_OK;
}

/* ----------------------------------------------------------------- files */

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return NC_EIO;
        }
        p += w;
        n -= (size_t)w;
    }
    return NC_OK;
}

/* Opens e's file for appending at its recorded size. A new run of the
 * sensor moves the previous run's file to DIR/<sensor>/run-<run>/. */
static int entry_open(struct collector *c, struct entry *e, uint64_t run)
{
    char dir[4400], path[4600];
    snprintf(dir, sizeof(dir), "%s/%s", c->out, e->sensor);
    if (mkdir(dir, 0755) == 0) {
        if (fsync_dir(c->out) != NC_OK) {
            return NC_EIO;
        }
    } else if (errno != EEXIST) {
        nc_log_error("cannot create %s: %s", dir, strerror(errno));
        return NC_EIO;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, e->name);
    if (e->win.any && run != e->run) {
        char old[4500], moved[4700];
        snprintf(old, sizeof(old), "%s/run-%016llx", dir, (unsigned long long)e->run);
        snprintf(moved, sizeof(moved), "%s/%s", old, e->name);
        if ((mkdir(old, 0755) != 0 && errno != EEXIST) ||
                (rename(path, moved) != 0 && errno != ENOENT) || fsync_dir(dir) != NC_OK) {
            nc_log_error("cannot move %s aside for a new run: %s", path, strerror(errno));
            return NC_EIO;
        }
        nc_seqwin_reset(&e->win);
        e->size = 0;
    }
    struct stat pre;
    if (!e->win.any && !c->state_found && stat(path, &pre) == 0 && pre.st_size > 0) {
        /* no state file at start, so not ours (state lost): keep it aside.
         * With a state file, a file it does not list was begun by a group
         * that never committed: it is cut back to nothing below. */
        char aside[4800];
        snprintf(aside, sizeof(aside), "%s.orphan-%lld", path, (long long)time(NULL));
        nc_log_warn("%s is not in the state file: moved to %s", path, aside);
        if (rename(path, aside) != 0) {
            return NC_EIO;
        }
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        nc_log_error("cannot open %s: %s", path, strerror(errno));
        return NC_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return NC_EIO;
    }
    uint64_t size = (uint64_t)sb.st_size;
    uint64_t want = e->win.any ? e->size : 0;
    if (size > want) {
        /* a group that was written but not recorded (crash): it comes again */
        if (ftruncate(fd, (off_t)want) != 0) {
            close(fd);
            return NC_EIO;
        }
    } else if (size < want) {
        nc_log_warn("%s is shorter than recorded (%llu < %llu bytes): appending after it", path,
                (unsigned long long)size, (unsigned long long)want);
        e->size = size;
    }
    if (lseek(fd, 0, SEEK_END) < 0) {
        close(fd);
        return NC_EIO;
    }
    e->new_file = size == 0;
    e->fd = fd;
    return NC_OK;
}

/* --------------------------------------------------------------- batches */

static void log_reject(struct collector *c, enum verdict v, const char *subject, const char *who)
{
    uint64_t n = c->count[v];
    if (n <= LOG_FIRST || n % LOG_EVERY == 0) {
        nc_log_warn("rejected a batch on %.120s (claims sensor %s): %s (%llu so far)", subject, who,
                verdict_name[v], (unsigned long long)n);
    }
}

/* The sensor a subject names (netcap.<sensor>.<Type>), for logging. */
static void subject_sensor(const char *subject, char *out, size_t n)
{
    snprintf(out, n, "?");
    if (strncmp(subject, "netcap.", 7) != 0) {
        return;
    }
    const char *s = subject + 7, *dot = strchr(s, '.');
    size_t len = dot ? (size_t)(dot - s) : strlen(s);
    char tmp[NC_SENSOR_MAX + 1];
    if (len == 0 || len > NC_SENSOR_MAX) {
        return;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (nc_sensor_name_ok(tmp)) {
        snprintf(out, n, "%s", tmp);
    }
}

static enum verdict process(struct collector *c, natsMsg *m, int *host_err)
{
    const char *subject = natsMsg_GetSubject(m);
    const uint8_t *data = (const uint8_t *)natsMsg_GetData(m);
    int len = natsMsg_GetDataLength(m);
    char claimed[NC_SENSOR_MAX + 1];
    subject_sensor(subject ? subject : "", claimed, sizeof(claimed));
    enum verdict v;
    struct nc_env env;
    struct nc_batch b;
    size_t plain_len = 0;
    const struct allow *who = NULL;
    if (len < 0 || (long long)len > c->max_msg) {
        v = V_OVERSIZE;
    } else if (nc_env_parse(data, (size_t)len, &env) != NC_OK) {
        v = V_MALFORMED;
    } else if (!(who = allow_find(c, env.sender))) {
        v = V_UNKNOWN;
    } else if (nc_env_open(&env, c->sk, c->plain, NC_ENV_MAX, &plain_len) != NC_OK) {
        v = V_AUTH;
    } else if (nc_batch_decode(c->plain, plain_len, &b) != NC_OK) {
        v = V_MALFORMED;
    } else {
        char want[NC_SPOOL_SUBJECT_MAX + 1], type[NC_BATCH_NAME_MAX + 1];
        nc_batch_type(b.name, type, sizeof(type));
        snprintf(want, sizeof(want), "netcap.%s.%s", b.sensor, type);
        if (strcmp(b.sensor, who->sensor) != 0 || !subject || strcmp(subject, want) != 0) {
            v = V_MISMATCH;
        } else {
            struct entry *e = entry_find(c, b.sensor, b.name, true);
            if (!e) {
                v = V_FULL;
            } else if (e->win.any && b.run < e->run) {
                v = V_STALE;
            } else if (e->win.any && b.run == e->run && nc_seqwin_seen(&e->win, b.seq)) {
                v = V_DUP;
            } else {
                v = V_APPLY;
                int rc = NC_OK;
                if (e->fd < 0 || b.run != e->run) {
                    if (e->fd >= 0 && b.run != e->run) {
                        /* a new run within this group: finish the old file first */
                        rc = fsync(e->fd) == 0 ? NC_OK : NC_EIO;
                        close(e->fd);
                        e->fd = -1;
                    }
                    if (rc == NC_OK) {
                        rc = entry_open(c, e, b.run);
                    }
                }
                if (rc == NC_OK && (!e->win.any || e->size == 0) && b.hdr_len) {
                    rc = write_all(e->fd, b.hdr, b.hdr_len);
                    e->size += b.hdr_len;
                }
                if (rc == NC_OK) {
                    rc = write_all(e->fd, b.data, b.data_len);
                    e->size += b.data_len;
                }
                if (rc != NC_OK) {
                    *host_err = rc;
                    nc_log_error(
                            "cannot write %s/%s/%s: %s", c->out, b.sensor, b.name, strerror(errno));
                    return v;
                }
                e->run = b.run;
                nc_seqwin_mark(&e->win, b.seq);
                c->dirty = true;
            }
        }
    }
    c->count[v]++;
    if (v >= V_OVERSIZE) {
        log_reject(c, v, subject ? subject : "?", who ? who->sensor : claimed);
    }
    return v;
}

/* Makes the group durable: files, new directories' entries, state. */
static int commit(struct collector *c)
{
    int rc = NC_OK;
    for (size_t i = 0; i < c->n_ent; i++) {
        struct entry *e = &c->ent[i];
        if (e->fd < 0) {
            continue;
        }
        if (fsync(e->fd) != 0) {
            rc = NC_EIO;
        }
        close(e->fd);
        e->fd = -1;
        if (e->new_file) {
            char dir[4400];
            snprintf(dir, sizeof(dir), "%s/%s", c->out, e->sensor);
            if (fsync_dir(dir) != NC_OK) {
                rc = NC_EIO;
            }
            e->new_file = false;
        }
    }
    if (rc == NC_OK && c->dirty) {
        c->groups++;
        crash_hook(c, 1);
        rc = state_save(c);
        c->dirty = false;
    }
    return rc;
}

/* Batches a killed collector had taken but not acknowledged come back only
 * when the consumer's ack wait runs out; any newer batch fetched before
 * then would be applied ahead of them, and they would land out of order
 * (or, more than NC_SEQWIN batches behind, be dropped as too old). So when the
 * durable consumer has messages delivered and not acknowledged, wait out
 * one ack wait before the first fetch: redeliveries come before new
 * messages. (With other collectors sharing the consumer this only delays
 * the start.) */
static void wait_redeliveries(jsCtx *js, const char *stream, const char *consumer)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    if (js_GetConsumerInfo(&ci, js, stream, consumer, NULL, &jerr) != NATS_OK || !ci) {
        return;
    }
    int64_t pending = ci->NumAckPending;
    int64_t wait_ms = ci->Config ? ci->Config->AckWait / 1000000 : 0;
    jsConsumerInfo_Destroy(ci);
    if (pending <= 0 || wait_ms <= 0) {
        return;
    }
    nc_log_info("%lld batches delivered before and not acknowledged: waiting %lld ms for their "
                "redelivery",
            (long long)pending, (long long)(wait_ms + 500));
    for (int64_t slept = 0; slept < wait_ms + 500 && !stop_flag; slept += 100) {
        struct timespec ts = { 0, 100000000L };
        nanosleep(&ts, NULL);
    }
}

static void print_counts(const struct collector *c)
{
    fprintf(stderr, "netcap collect:");
    for (size_t v = 0; v < V_COUNT; v++) {
        fprintf(stderr, "%s %llu %s", v ? "," : "", (unsigned long long)c->count[v],
                verdict_name[v]);
    }
    fprintf(stderr, "\n");
}

int nc_cmd_collect(int argc, char **argv)
{
    const char *nats_url = "nats://127.0.0.1:4222", *stream = "NETCAP";
    const char *consumer = "netcap-collect", *out = NULL, *key_path = NULL, *allow_path = NULL;
    const char *creds = NULL, *nkey = NULL, *tls_ca = NULL, *tls_cert = NULL, *tls_key = NULL;
    const char *gen_keypair = NULL;
    long long batch = 64, exit_idle = 0, replicas = 1, max_msg = NC_ENV_MAX, ack_wait = 30;
    bool quiet = false;
    const struct nc_flag flags[] = {
        { "nats", NC_FLAG_STR, &nats_url, "URL",
                "NATS server(s), comma-separated (nats://127.0.0.1:4222)", 0, 0 },
        { "stream", NC_FLAG_STR, &stream, "NAME", "JetStream stream, created if absent (NETCAP)", 0,
                0 },
        { "replicas", NC_FLAG_INT, &replicas, "N", "replicas when the stream is created (1)", 1,
                5 },
        { "consumer", NC_FLAG_STR, &consumer, "NAME",
                "durable consumer; collectors sharing one share the work (netcap-collect)", 0, 0 },
        { "creds", NC_FLAG_STR, &creds, "FILE", "NATS user credentials file (mode 0600)", 0, 0 },
        { "nkey", NC_FLAG_STR, &nkey, "FILE", "NATS user nkey seed file (mode 0600)", 0, 0 },
        { "tls-ca", NC_FLAG_STR, &tls_ca, "FILE", "TLS to the broker, trusting these CAs", 0, 0 },
        { "tls-cert", NC_FLAG_STR, &tls_cert, "FILE", "TLS client certificate", 0, 0 },
        { "tls-key", NC_FLAG_STR, &tls_key, "FILE", "TLS client key (mode 0600)", 0, 0 },
        { "key", NC_FLAG_STR, &key_path, "FILE", "the collector's secret key (mode 0600)", 0, 0 },
        { "allow", NC_FLAG_STR, &allow_path, "DIR|FILE",
                "agents' public keys: <sensor>.pub files (a directory) or one file", 0, 0 },
        { "out", NC_FLAG_STR, &out, "DIR", "record files go to DIR/<sensor>/", 0, 0 },
        { "batch", NC_FLAG_INT, &batch, "N", "messages fetched and committed at once (64)", 1,
                4096 },
        { "ack-wait", NC_FLAG_INT, &ack_wait, "S",
                "ack wait of the durable consumer when it is created (30)", 1, 3600 },
        { "max-msg", NC_FLAG_INT, &max_msg, "BYTES", "larger messages are rejected (16 MiB)", 64,
                NC_ENV_MAX },
        { "exit-idle", NC_FLAG_INT, &exit_idle, "S",
                "exit after S seconds without a message (0: run until signalled)", 0, 86400 },
        { "gen-keypair", NC_FLAG_STR, &gen_keypair, "DIR",
                "write DIR/collector.key and DIR/collector.pub and exit", 0, 0 },
        { "quiet", NC_FLAG_BOOL, &quiet, NULL, "no summary", 0, 0 },
    };
    static const char synopsis[] =
            "Consume the agents' sealed batches from NATS JetStream (durable pull\n"
            "consumer, explicit acks) and write the record files `netcap capture`\n"
            "would have written, one directory per sensor. A batch is acknowledged\n"
            "only once it is on disk (fsync); duplicates are dropped by batch id;\n"
            "batches from unknown keys or that fail authentication are rejected,\n"
            "counted and logged. See docs/SENSORS.md.\n\n"
            "examples:\n"
            "  netcap collect -gen-keypair /etc/netcap\n"
            "  netcap collect -nats nats://broker:4222 -key /etc/netcap/collector.key \\\n"
            "      -allow /etc/netcap/agents -out /srv/netcap";
    int prc = nc_flags_parse("collect", synopsis, flags, NC_ARRAY_LEN(flags), argc, argv);
    if (prc < 0) {
        return NC_EXIT_OK;
    }
    if (prc != NC_EXIT_OK) {
        return prc;
    }
    nc_record_init();
    char err[NC_ERRBUF_SIZE];
    if (nc_sodium_init() != NC_OK) {
        fprintf(stderr, "netcap collect: libsodium failed to initialise\n");
        return NC_EXIT_FAILURE;
    }
    if (gen_keypair) {
        if (nc_key_generate(gen_keypair, "collector", err) != NC_OK) {
            fprintf(stderr, "netcap collect: -gen-keypair: %s\n", err);
            return NC_EXIT_FAILURE;
        }
        printf("%s/collector.key (secret, 0600) and %s/collector.pub written; give "
               "collector.pub to the agents (-collector-pub)\n",
                gen_keypair, gen_keypair);
        return NC_EXIT_OK;
    }
    if (!out || !key_path || !allow_path) {
        fprintf(stderr, "netcap collect: -out DIR, -key FILE and -allow DIR are required\n");
        return NC_EXIT_USAGE;
    }
    struct collector c;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.max_msg = max_msg;
    int exit_code = NC_EXIT_FAILURE;
    struct nc_nats_conn *conn = NULL;
    natsSubscription *sub = NULL;
    if (nc_key_load(key_path, true, c.sk, err) != NC_OK) {
        fprintf(stderr, "netcap collect: %s\n", err);
        goto done;
    }
    if (allow_load(&c, allow_path) != NC_OK) {
        goto done;
    }
    c.ent = nc_calloc(MAX_ENTRIES, sizeof(*c.ent));
    c.plain = nc_malloc(NC_ENV_MAX);
    if (!c.ent || !c.plain) {
        fprintf(stderr, "netcap collect: out of memory\n");
        goto done;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "netcap collect: cannot create %s: %s\n", out, strerror(errno));
        goto done;
    }
    if (state_load(&c) != NC_OK) {
        fprintf(stderr, "netcap collect: cannot read the state in %s\n", out);
        goto done;
    }
    /* an empty state file at once: after a crash before the first commit,
     * the files that group began are then known to be ours (cut back) */
    if (!c.state_found && state_save(&c) != NC_OK) {
        fprintf(stderr, "netcap collect: cannot write the state in %s\n", out);
        goto done;
    }
    crash_hook_init(&c);
    struct nc_nats_opts no = {
        .url = nats_url,
        .name = "netcap-collect",
        .creds = creds,
        .nkey = nkey,
        .tls_ca = tls_ca,
        .tls_cert = tls_cert,
        .tls_key = tls_key,
        .stream = stream,
        .replicas = (int)replicas,
        .retry = true,
    };
    if (nc_nats_connect(&conn, &no, err) != NC_OK) {
        fprintf(stderr, "netcap collect: %s\n", err);
        goto done;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    jsCtx *js = nc_nats_js(conn);
    /* the broker may still be starting: keep trying (with -exit-idle, that
     * long at most: a broker that refuses us must not hold a script) */
    bool warned = false, failed = false;
    time_t t_sub = time(NULL);
    while (!stop_flag) {
        int rc = nc_nats_ensure_stream(conn, err);
        jsErrCode jerr = 0;
        natsStatus s = NATS_ERR;
        if (rc == NC_OK) {
            jsSubOptions so;
            jsSubOptions_Init(&so);
            so.Stream = stream;
            so.Config.Durable = consumer;
            so.Config.AckPolicy = js_AckExplicit;
            so.Config.AckWait = ack_wait * 1000000000LL;
            so.Config.MaxAckPending = 4096;
            so.Config.MaxDeliver = -1;
            s = js_PullSubscribe(&sub, js, "netcap.>", consumer, NULL, &so, &jerr);
            if (s != NATS_OK) {
                snprintf(err, sizeof(err), "pull subscribe: %s (%d)", natsStatus_GetText(s),
                        (int)jerr);
            }
        }
        if (s == NATS_OK) {
            break;
        }
        if (exit_idle && time(NULL) - t_sub >= exit_idle) {
            nc_log_error("%s: not subscribed after %lld s (-exit-idle): giving up", err,
                    (long long)(time(NULL) - t_sub));
            failed = true;
            break;
        }
        if (!warned) {
            nc_log_warn("%s: retrying", err);
            warned = true;
        }
        struct timespec ts = { 0, 500000000L };
        nanosleep(&ts, NULL);
    }
    if (sub) {
        wait_redeliveries(js, stream, consumer);
    }
    time_t last_msg = time(NULL);
    while (!stop_flag && sub) {
        natsMsgList list = { NULL, 0 };
        jsErrCode jerr = 0;
        natsStatus s = natsSubscription_Fetch(&list, sub, (int)batch, 500, &jerr);
        if (s != NATS_OK && list.Count == 0) {
            if (exit_idle && time(NULL) - last_msg >= exit_idle) {
                break;
            }
            if (s != NATS_TIMEOUT) {
                struct timespec ts = { 0, 200000000L };
                nanosleep(&ts, NULL);
            }
            continue;
        }
        last_msg = time(NULL);
        enum verdict *vs = nc_calloc((size_t)list.Count, sizeof(*vs));
        int host_err = NC_OK;
        int done_n = 0;
        for (int i = 0; vs && i < list.Count && host_err == NC_OK; i++) {
            vs[i] = process(&c, list.Msgs[i], &host_err);
            done_n = i + 1;
        }
        if (!vs || host_err != NC_OK || commit(&c) != NC_OK) {
            /* nothing of this group is acknowledged: it comes again */
            nc_log_error("cannot make batches durable in %s; stopping", out);
            nc_free(vs);
            natsMsgList_Destroy(&list);
            failed = true;
            break;
        }
        crash_hook(&c, 2);
        for (int i = 0; i < done_n; i++) {
            if (vs[i] <= V_STALE) {
                natsMsg_Ack(list.Msgs[i], NULL);
            } else {
                natsMsg_Term(list.Msgs[i], NULL); /* never redelivered */
            }
        }
        nc_free(vs);
        natsMsgList_Destroy(&list);
    }
    exit_code = failed ? NC_EXIT_FAILURE : NC_EXIT_OK;
    if (!quiet) {
        print_counts(&c);
    }

done:
    if (sub) {
        natsSubscription_Destroy(sub);
    }
    nc_nats_close(conn);
    nc_nats_shutdown();
    sodium_memzero(c.sk, sizeof(c.sk));
    if (c.ent) {
        for (size_t i = 0; i < c.n_ent; i++) {
            if (c.ent[i].fd >= 0) {
                close(c.ent[i].fd);
            }
        }
    }
    nc_free(c.ent);
    nc_free(c.allow);
    nc_free(c.plain);
    return exit_code;
}
