/*
 * summary: netcap util time: one time in three forms (ns since the epoch,
 *          Unix seconds, RFC 3339 UTC), from arguments or stdin lines.
 */
#include "cmd/util.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/timefmt.h"

enum {
    LINE_MAX_BYTES = 4096, /* a longer stdin line is refused, not split */
};

static const char time_synopsis[] =
        "Convert times: netcap util time [VALUE...]   (no VALUE: one per line on stdin)\n"
        "Each VALUE may be\n"
        "  nanoseconds since the Unix epoch, as in records   1700000000123456789, 17ns\n"
        "  Unix seconds, with a fraction or not              1700000000.5, -1.25, 60s\n"
        "  RFC 3339 with its zone (Z or an offset)           2023-11-14T22:13:20.5Z,\n"
        "                                                    2023-11-14T23:13:20+01:00\n"
        "A bare integer of at most 10 digits is seconds, a longer one nanoseconds;\n"
        "the suffixes s and ns decide. A date-time without its zone is refused (no\n"
        "guessing); a bare date is its midnight UTC. Times are whole nanoseconds: a\n"
        "nonzero digit past the ninth of a fraction is refused, never rounded.\n"
        "For each value one line shows the three forms: nanoseconds, seconds (9\n"
        "fraction digits), RFC 3339 UTC with ns.\n"
        "Values outside int64 nanoseconds (1677-09-21 .. 2262-04-11) are refused.\n"
        "\n"
        "Exit status: 0 ok, 1 bad flags or a value that is not a time.\n"
        "\n"
        "examples:\n"
        "  netcap util time 1700000000123456789 2023-11-14T22:13:20Z\n"
        "  netcap dump -read DNS.ncap.zst -csv -select timestamp | tail -n +2 | netcap util time";

/* Prints the three forms of one value; false (with a message) if it is not a time. */
static bool convert_one(const char *v)
{
    int64_t ns = 0;
    const char *why = NULL;
    if (nc_time_parse(v, strlen(v), &ns, NULL, &why) != NC_OK) {
        fprintf(stderr, "netcap util time: '%.80s': %s\n", v, why);
        return false;
    }
    char secs[NC_TIME_BUF], rfc[NC_TIME_BUF];
    printf("%lld  %s  %s\n", (long long)ns, nc_time_str(secs, ns, NC_TIME_UNIX),
            nc_time_str(rfc, ns, NC_TIME_UTC));
    return true;
}

/* Lines of stdin, blank ones skipped; a line longer than LINE_MAX_BYTES is
 * an error (its rest is skipped). */
static bool convert_stdin(void)
{
    char line[LINE_MAX_BYTES + 2];
    bool ok = true;
    while (fgets(line, sizeof(line), stdin)) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] != '\n' && !feof(stdin)) {
            fprintf(stderr, "netcap util time: a line longer than %d bytes is not a time\n",
                    LINE_MAX_BYTES);
            ok = false;
            int c;
            while ((c = getchar()) != EOF && c != '\n') {
            }
            continue;
        }
        if (strspn(line, " \t\r\n") == n) {
            continue;
        }
        ok &= convert_one(line);
    }
    return ok;
}

int nc_util_time(int argc, char **argv)
{
    char **fargv = nc_calloc((size_t)argc + 1, sizeof(char *));
    char **pargv = nc_calloc((size_t)argc + 1, sizeof(char *));
    int fargc = 0, pargc = 0, rc = NC_EXIT_FAILURE;
    if (!fargv || !pargv) {
        fprintf(stderr, "netcap util time: out of memory\n");
        goto out;
    }
    nc_util_split_args(argc, argv, true, fargv, &fargc, pargv, &pargc);
    rc = nc_flags_parse("util time", time_synopsis, NULL, 0, fargc, fargv);
    if (rc != NC_EXIT_OK) {
        rc = rc < 0 ? NC_EXIT_OK : rc;
        goto out;
    }
    bool ok = true;
    if (pargc == 0) {
        ok = convert_stdin();
    }
    for (int i = 0; i < pargc; i++) {
        ok &= convert_one(pargv[i]);
    }
    rc = ok ? NC_EXIT_OK : NC_EXIT_USAGE;
out:
    if (fflush(stdout) != 0) {
        rc = NC_EXIT_FAILURE;
    }
    nc_free(fargv);
    nc_free(pargv);
    return rc;
}
