/*
 * summary: command-line flags as Netcap users type them (-read) and as GNU
 *          users do (--read, --read=FILE).
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nc_flags_usage(
        const char *cmd, const char *synopsis, const struct nc_flag *flags, size_t n_flags)
{
    printf("usage: netcap %s [flags]\n\n%s\n\nflags (-name and --name both work):\n", cmd,
            synopsis);
    for (size_t i = 0; i < n_flags; i++) {
        const struct nc_flag *f = &flags[i];
        char left[64];
        if (f->kind == NC_FLAG_BOOL) {
            snprintf(left, sizeof(left), "-%s", f->name);
        } else {
            snprintf(left, sizeof(left), "-%s %s", f->name, f->arg ? f->arg : "VALUE");
        }
        printf("  %-22s %s\n", left, f->help);
    }
    printf("  %-22s %s\n", "-h, --help", "show this help");
}

static const struct nc_flag *find(
        const struct nc_flag *flags, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0) {
            return &flags[i];
        }
    }
    return NULL;
}

static int parse_int(const char *cmd, const struct nc_flag *f, const char *v)
{
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || !end || end == v || *end != '\0') {
        fprintf(stderr, "netcap %s: -%s needs a whole number, got '%s'\n", cmd, f->name, v);
        return NC_EXIT_USAGE;
    }
    if (x < f->min || x > f->max) {
        fprintf(stderr, "netcap %s: -%s must be between %lld and %lld, got %lld\n", cmd, f->name,
                f->min, f->max, x);
        return NC_EXIT_USAGE;
    }
    *(long long *)f->dst = x;
    return NC_EXIT_OK;
}

int nc_flags_parse(const char *cmd, const char *synopsis, const struct nc_flag *flags,
        size_t n_flags, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            fprintf(stderr, "netcap %s: unexpected argument '%s' (flags start with -; see -h)\n",
                    cmd, a);
            return NC_EXIT_USAGE;
        }
        const char *name = a + 1;
        if (*name == '-') {
            name++;
        }
        if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0) {
            nc_flags_usage(cmd, synopsis, flags, n_flags);
            return -1;
        }
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct nc_flag *f = find(flags, n_flags, name, len);
        if (!f) {
            fprintf(stderr, "netcap %s: unknown flag '%s' (see netcap %s -h)\n", cmd, a, cmd);
            return NC_EXIT_USAGE;
        }
        if (f->kind == NC_FLAG_BOOL) {
            bool v = true;
            if (eq) {
                if (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0) {
                    v = true;
                } else if (strcmp(eq + 1, "false") == 0 || strcmp(eq + 1, "0") == 0) {
                    v = false;
                } else {
                    fprintf(stderr, "netcap %s: -%s takes true or false, got '%s'\n", cmd, f->name,
                            eq + 1);
                    return NC_EXIT_USAGE;
                }
            }
            *(bool *)f->dst = v;
            continue;
        }
        const char *v = NULL;
        if (eq) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            fprintf(stderr, "netcap %s: -%s needs a value (%s)\n", cmd, f->name,
                    f->arg ? f->arg : "VALUE");
            return NC_EXIT_USAGE;
        }
        if (f->kind == NC_FLAG_STR) {
            *(const char **)f->dst = v;
        } else if (f->kind == NC_FLAG_STRLIST) {
            struct nc_strlist *l = f->dst;
            if (l->n == NC_STRLIST_MAX) {
                fprintf(stderr, "netcap %s: -%s given more than %d times\n", cmd, f->name,
                        NC_STRLIST_MAX);
                return NC_EXIT_USAGE;
            }
            l->v[l->n++] = v;
        } else {
            int rc = parse_int(cmd, f, v);
            if (rc != NC_EXIT_OK) {
                return rc;
            }
        }
    }
    return NC_EXIT_OK;
}
