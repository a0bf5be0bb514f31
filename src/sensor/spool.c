/*
 * summary: the agent's spool: one file per sealed batch, oldest first.
 *
 * File: "NCS1" | u32 subject_len | subject | u32 id_len | id | u32 n | payload
 * (big-endian lengths), named %020llu.nb by its sequence number.
 */
#include "sensor/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/rd.h"
#include "sensor/envelope.h"

struct item {
    uint64_t seq;
    uint64_t size;
    int64_t t_put; /* CLOCK_MONOTONIC ns at put; 0 for a batch of an earlier run */
};

struct nc_spool {
    char *dir;
    int lock_fd;
    uint64_t max_bytes;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct item *q; /* ring of pending batches, oldest at head */
    size_t head, n, cap;
    uint64_t next_seq;
    struct nc_spool_stats st;
};

static void path_of(const struct nc_spool *sp, uint64_t seq, const char *ext, char *out, size_t n)
{
    snprintf(out, n, "%s/%020llu%s", sp->dir, (unsigned long long)seq, ext);
}

static int push(struct nc_spool *sp, uint64_t seq, uint64_t size, int64_t t_put)
{
    if (sp->n == sp->cap) {
        size_t nc = sp->cap ? sp->cap * 2 : 256;
        struct item *q = nc_calloc(nc, sizeof(*q));
        if (!q) {
            return NC_ENOMEM;
        }
        for (size_t i = 0; i < sp->n; i++) {
            q[i] = sp->q[(sp->head + i) % sp->cap];
        }
        nc_free(sp->q);
        sp->q = q;
        sp->cap = nc;
        sp->head = 0;
    }
    sp->q[(sp->head + sp->n) % sp->cap] = (struct item){ seq, size, t_put };
    sp->n++;
    sp->st.pending = sp->n;
    sp->st.bytes += size;
    return NC_OK;
}

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Index the batches a previous run left (and remove its .tmp files). */
static int scan(struct nc_spool *sp, char err[NC_ERRBUF_SIZE])
{
    DIR *d = opendir(sp->dir);
    if (!d) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot read spool %s: %s", sp->dir, strerror(errno));
        return NC_EIO;
    }
    struct dirent *de;
    int rc = NC_OK;
    while (rc == NC_OK && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", sp->dir, name);
        if (len > 4 && strcmp(name + len - 4, ".tmp") == 0) {
            unlink(path); /* a batch being written when the agent died */
            continue;
        }
        if (len != 23 || strcmp(name + 20, ".nb") != 0) {
            continue;
        }
        char *end = NULL;
        errno = 0;
        unsigned long long seq = strtoull(name, &end, 10);
        if (errno || end != name + 20) {
            continue;
        }
        struct stat sb;
        if (stat(path, &sb) != 0) {
            continue;
        }
        rc = push(sp, seq, (uint64_t)sb.st_size, 0);
        if (seq >= sp->next_seq) {
            sp->next_seq = seq + 1;
        }
    }
    closedir(d);
    if (rc != NC_OK) {
        snprintf(err, NC_ERRBUF_SIZE, "out of memory indexing the spool");
        return rc;
    }
    /* files were pushed in directory order: sort the (unwrapped) ring */
    if (sp->n > 1) {
        qsort(sp->q, sp->n, sizeof(*sp->q), cmp_item);
    }
    sp->st.recovered = sp->n;
    return NC_OK;
}

int nc_spool_open(
        struct nc_spool **out, const char *dir, uint64_t max_bytes, char err[NC_ERRBUF_SIZE])
{
    *out = NULL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, NC_ERRBUF_SIZE, "cannot create spool %s: %s", dir, strerror(errno));
        return NC_EIO;
    }
    struct nc_spool *sp = nc_calloc(1, sizeof(*sp));
    if (!sp || !(sp->dir = nc_strdup(dir))) {
        nc_free(sp);
        snprintf(err, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    sp->max_bytes = max_bytes;
    sp->next_seq = 1;
    char lock[4200];
    snprintf(lock, sizeof(lock), "%s/.lock", dir);
    sp->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (sp->lock_fd < 0 || flock(sp->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, NC_ERRBUF_SIZE, "spool %s: %s", dir,
                sp->lock_fd < 0 ? strerror(errno) : "in use by another agent");
        if (sp->lock_fd >= 0) {
            close(sp->lock_fd);
        }
        nc_free(sp->dir);
        nc_free(sp);
        return NC_EIO;
    }
    pthread_mutex_init(&sp->mu, NULL);
    pthread_cond_init(&sp->cv, NULL);
    int rc = scan(sp, err);
    if (rc != NC_OK) {
        nc_spool_close(sp);
        return rc;
    }
    *out = sp;
    return NC_OK;
}

void nc_spool_close(struct nc_spool *sp)
{
    if (!sp) {
        return;
    }
    close(sp->lock_fd);
    pthread_mutex_destroy(&sp->mu);
    pthread_cond_destroy(&sp->cv);
    nc_free(sp->q);
    nc_free(sp->dir);
    nc_free(sp);
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        b += w;
        n -= (size_t)w;
    }
    return true;
}

int nc_spool_put(
        struct nc_spool *sp, const char *subject, const char *id, const uint8_t *p, size_t n)
{
    size_t sl = strlen(subject), il = strlen(id);
    uint64_t size = 4 + 4 + sl + 4 + il + 4 + n;
    pthread_mutex_lock(&sp->mu);
    if (sl > NC_SPOOL_SUBJECT_MAX || il > NC_SPOOL_ID_MAX || n > NC_ENV_MAX ||
            sp->st.bytes + size > sp->max_bytes) {
        sp->st.dropped++;
        sp->st.dropped_bytes += n;
        pthread_mutex_unlock(&sp->mu);
        return NC_ELIMIT;
    }
    uint64_t seq = sp->next_seq++;
    pthread_mutex_unlock(&sp->mu);

    char tmp[4400], path[4400];
    path_of(sp, seq, ".tmp", tmp, sizeof(tmp));
    path_of(sp, seq, ".nb", path, sizeof(path));
    uint8_t h[8];
    memcpy(h, "NCS1", 4);
    be32(h + 4, (uint32_t)sl);
    uint8_t l[4];
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write_all(fd, h, 8) && write_all(fd, subject, sl);
    be32(l, (uint32_t)il);
    ok = ok && write_all(fd, l, 4) && write_all(fd, id, il);
    be32(l, (uint32_t)n);
    ok = ok && write_all(fd, l, 4) && write_all(fd, p, n);
    if (fd >= 0 && close(fd) != 0) {
        ok = false;
    }
    ok = ok && rename(tmp, path) == 0;
    pthread_mutex_lock(&sp->mu);
    int rc = NC_OK;
    if (!ok) {
        unlink(tmp);
        sp->st.dropped++;
        sp->st.dropped_bytes += n;
        rc = NC_EIO;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rc = push(sp, seq, size, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
        if (rc == NC_OK) {
            sp->st.put++;
            pthread_cond_broadcast(&sp->cv);
        }
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* Reads a spool file into e (bounded: our own file, but a disk can lie). */
static int load(const char *path, struct nc_spool_entry *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NC_EMALFORMED;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || sb.st_size < 16 ||
            (uint64_t)sb.st_size > (uint64_t)NC_ENV_MAX + 1024) {
        close(fd);
        return NC_EMALFORMED;
    }
    size_t size = (size_t)sb.st_size;
    nc_dbuf_reset(&e->payload);
    int rc = nc_dbuf_reserve(&e->payload, size);
    if (rc != NC_OK) {
        close(fd);
        return rc;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, e->payload.p + got, size - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    if (got != size) {
        return NC_EMALFORMED;
    }
    struct nc_rd r = nc_rd_make(e->payload.p, size);
    uint8_t m[4];
    if (!nc_rd_copy(&r, m, 4) || memcmp(m, "NCS1", 4) != 0) {
        return NC_EMALFORMED;
    }
    uint32_t sl = nc_rd_be32(&r);
    if (sl > NC_SPOOL_SUBJECT_MAX || !nc_rd_copy(&r, e->subject, sl)) {
        return NC_EMALFORMED;
    }
    e->subject[sl] = '\0';
    uint32_t il = nc_rd_be32(&r);
    if (il > NC_SPOOL_ID_MAX || !nc_rd_copy(&r, e->id, il)) {
        return NC_EMALFORMED;
    }
    e->id[il] = '\0';
    uint32_t n = nc_rd_be32(&r);
    if (!nc_rd_ok(&r) || nc_rd_left(&r) != n || n == 0) {
        return NC_EMALFORMED;
    }
    /* move the payload to the front of the buffer */
    size_t off = size - n;
    memmove(e->payload.p, e->payload.p + off, n);
    e->payload.len = n;
    return NC_OK;
}

int nc_spool_peek(struct nc_spool *sp, int timeout_ms, struct nc_spool_entry *e)
{
    pthread_mutex_lock(&sp->mu);
    if (sp->n == 0 && timeout_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&sp->cv, &sp->mu, &ts);
    }
    if (sp->n == 0) {
        pthread_mutex_unlock(&sp->mu);
        return NC_EAGAIN;
    }
    struct item it = sp->q[sp->head];
    pthread_mutex_unlock(&sp->mu);
    char path[4400];
    path_of(sp, it.seq, ".nb", path, sizeof(path));
    int rc = load(path, e);
    if (rc == NC_EMALFORMED) {
        char bad[4400];
        path_of(sp, it.seq, ".bad", bad, sizeof(bad));
        if (rename(path, bad) != 0) {
            unlink(path);
        }
        pthread_mutex_lock(&sp->mu);
        sp->head = (sp->head + 1) % sp->cap;
        sp->n--;
        sp->st.pending = sp->n;
        sp->st.bytes -= it.size;
        sp->st.dropped++;
        pthread_mutex_unlock(&sp->mu);
        return NC_EMALFORMED;
    }
    e->seq = it.seq;
    return rc;
}

int64_t nc_spool_pop(struct nc_spool *sp)
{
    pthread_mutex_lock(&sp->mu);
    if (sp->n == 0) {
        pthread_mutex_unlock(&sp->mu);
        return 0;
    }
    struct item it = sp->q[sp->head];
    sp->head = (sp->head + 1) % sp->cap;
    sp->n--;
    sp->st.pending = sp->n;
    sp->st.bytes -= it.size;
    sp->st.acked++;
    pthread_mutex_unlock(&sp->mu);
    char path[4400];
    path_of(sp, it.seq, ".nb", path, sizeof(path));
    unlink(path);
    return it.t_put;
}

void nc_spool_wake(struct nc_spool *sp)
{
    pthread_mutex_lock(&sp->mu);
    pthread_cond_broadcast(&sp->cv);
    pthread_mutex_unlock(&sp->mu);
}

void nc_spool_get_stats(struct nc_spool *sp, struct nc_spool_stats *st)
{
    pthread_mutex_lock(&sp->mu);
    *st = sp->st;
    pthread_mutex_unlock(&sp->mu);
}
