/*
 * summary: the netcap binary: a table of subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "core/version.h"

struct nc_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static int cmd_version(int argc, char **argv)
{
    NC_UNUSED(argc);
    NC_UNUSED(argv);
    printf("netcap %s\n", nc_version());
    return NC_EXIT_OK;
}

static const struct nc_cmd cmds[] = {
    { "capture", nc_cmd_capture, "read a pcap/pcapng file or an interface, write audit records" },
    { "export", nc_cmd_export,
            "serve Prometheus metrics: live, from a file, or from record files" },
    { "dump", nc_cmd_dump, "print a record file as a table, CSV, TSV or JSON" },
    { "util", nc_cmd_util, "record files: check, stats, convert; time conversion" },
    { "version", cmd_version, "print the version" },
};

static void usage(FILE *out)
{
    fprintf(out, "netcap: turn network traffic into typed audit records\n\n"
                 "usage: netcap <command> [flags]      (netcap <command> -h for its flags)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < NC_ARRAY_LEN(cmds); i++) {
        fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].help);
    }
    fprintf(out, "\nexample:\n  netcap capture -read traffic.pcap -out records\n"
                 "  netcap dump -read records/DNS.ncap.zst\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return NC_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return NC_EXIT_OK;
    }
    if (strcmp(name, "-version") == 0 || strcmp(name, "--version") == 0) {
        return cmd_version(0, NULL);
    }
    for (size_t i = 0; i < NC_ARRAY_LEN(cmds); i++) {
        if (strcmp(cmds[i].name, name) == 0) {
            nc_mem_init(); /* NC_FAULT_ALLOC=N: the Nth allocation fails (tests) */
            int rc = cmds[i].run(argc - 1, argv + 1);
            if (getenv("NC_ALLOC_REPORT")) {
                fprintf(stderr, "netcap: %llu allocations\n", (unsigned long long)nc_mem_allocs());
            }
            return rc;
        }
    }
    fprintf(stderr, "netcap: unknown command '%s' (see netcap -h)\n", name);
    return NC_EXIT_USAGE;
}
