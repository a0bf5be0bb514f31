/*
 * summary: logging to stderr.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static bool quiet;

void nc_log_set_quiet(bool q)
{
    quiet = q;
}

static void vlog(const char *prefix, const char *fmt, va_list ap) NC_PRINTF(2, 0);

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    fprintf(stderr, "netcap: %s%s\n", prefix, line);
}

void nc_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error: ", fmt, ap);
    va_end(ap);
}

void nc_log_warn(const char *fmt, ...)
{
    if (quiet) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vlog("warning: ", fmt, ap);
    va_end(ap);
}

void nc_log_info(const char *fmt, ...)
{
    if (quiet) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}
