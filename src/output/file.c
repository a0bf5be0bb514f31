/*
 * summary: the file sink. Bytes go to "<path>.partial", which is renamed to
 *          <path> only when closed cleanly, so a file with the final name is
 *          always complete; an aborted run leaves no half-written file.
 */
#include "output/writer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"

struct file_sink {
    FILE *f;
    char *path;
    char *tmp;
};

static int file_open(struct nc_writer *w, const char *target, char errbuf[NC_ERRBUF_SIZE])
{
    struct file_sink *s = nc_calloc(1, sizeof(*s));
    size_t n = strlen(target);
    if (!s) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    s->path = nc_strdup(target);
    s->tmp = nc_malloc(n + sizeof(".partial"));
    if (!s->path || !s->tmp) {
        nc_free(s->path);
        nc_free(s->tmp);
        nc_free(s);
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NC_ENOMEM;
    }
    memcpy(s->tmp, target, n);
    memcpy(s->tmp + n, ".partial", sizeof(".partial"));
    s->f = fopen(s->tmp, "wb");
    if (!s->f) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot create %s: %s", s->tmp, strerror(errno));
        nc_free(s->path);
        nc_free(s->tmp);
        nc_free(s);
        return NC_EIO;
    }
    setvbuf(s->f, NULL, _IOFBF, 1 << 20);
    w->impl = s;
    w->bytes = 0;
    return NC_OK;
}

static int file_write(struct nc_writer *w, const void *p, size_t n)
{
    struct file_sink *s = w->impl;
    if (n && fwrite(p, 1, n, s->f) != n) {
        return NC_EIO;
    }
    w->bytes += n;
    return NC_OK;
}

static int file_flush(struct nc_writer *w)
{
    struct file_sink *s = w->impl;
    return fflush(s->f) == 0 ? NC_OK : NC_EIO;
}

static void file_release(struct nc_writer *w)
{
    struct file_sink *s = w->impl;
    nc_free(s->path);
    nc_free(s->tmp);
    nc_free(s);
    w->impl = NULL;
}

static int file_close(struct nc_writer *w, char errbuf[NC_ERRBUF_SIZE])
{
    struct file_sink *s = w->impl;
    int rc = NC_OK;
    if (fclose(s->f) != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot write %s: %s", s->tmp, strerror(errno));
        unlink(s->tmp);
        rc = NC_EIO;
    } else if (rename(s->tmp, s->path) != 0) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot rename %s: %s", s->tmp, strerror(errno));
        unlink(s->tmp);
        rc = NC_EIO;
    }
    file_release(w);
    return rc;
}

static void file_abort(struct nc_writer *w)
{
    struct file_sink *s = w->impl;
    if (!s) {
        return;
    }
    fclose(s->f);
    unlink(s->tmp);
    file_release(w);
}

const struct nc_writer_ops nc_writer_file = {
    .name = "file",
    .open = file_open,
    .write = file_write,
    .close = file_close,
    .abort = file_abort,
    .flush = file_flush,
};

static int null_open(struct nc_writer *w, const char *target, char errbuf[NC_ERRBUF_SIZE])
{
    NC_UNUSED(target);
    NC_UNUSED(errbuf);
    w->impl = NULL;
    w->bytes = 0;
    return NC_OK;
}

static int null_write(struct nc_writer *w, const void *p, size_t n)
{
    NC_UNUSED(p);
    w->bytes += n;
    return NC_OK;
}

static int null_close(struct nc_writer *w, char errbuf[NC_ERRBUF_SIZE])
{
    NC_UNUSED(w);
    NC_UNUSED(errbuf);
    return NC_OK;
}

static void null_abort(struct nc_writer *w)
{
    NC_UNUSED(w);
}

const struct nc_writer_ops nc_writer_null = {
    .name = "null",
    .open = null_open,
    .write = null_write,
    .close = null_close,
    .abort = null_abort,
};
