/*
 * summary: the subcommands of the netcap binary and the shared flag parser.
 */
#ifndef NC_CMD_CMD_H
#define NC_CMD_CMD_H

#include "core/common.h"
#include "output/writer.h"

/* Exit codes of every command. */
enum {
    NC_EXIT_OK = 0,
    NC_EXIT_USAGE = 1,   /* bad flag or argument */
    NC_EXIT_FAILURE = 2, /* runtime failure: I/O, corrupt or truncated input, out of memory */
    /* capture: a file read stopped by a signal exits 128 + its number (130
     * SIGINT, 143 SIGTERM), as a shell reports a process the signal ended */
    NC_EXIT_SIGNAL_BASE = 128,
};

int nc_cmd_capture(int argc, char **argv);
int nc_cmd_export(int argc, char **argv);
int nc_cmd_dump(int argc, char **argv);
int nc_cmd_util(int argc, char **argv);
int nc_cmd_label(int argc, char **argv);
int nc_cmd_agent(int argc, char **argv);
int nc_cmd_collect(int argc, char **argv);

/* Flag parsing shared by all commands: "-name", "--name", "-name=value",
 * "--name value". A flag table entry of kind BOOL takes no value. */
enum nc_flag_kind {
    NC_FLAG_BOOL,
    NC_FLAG_STR,
    NC_FLAG_INT,
    NC_FLAG_STRLIST, /* repeatable; dst is a struct nc_strlist */
};

enum {
    NC_STRLIST_MAX = 64
};

/* The values of a repeatable flag, in order. */
struct nc_strlist {
    const char *v[NC_STRLIST_MAX];
    size_t n;
};

struct nc_flag {
    const char *name;
    enum nc_flag_kind kind;
    void *dst;       /* bool *, const char **, long long * or struct nc_strlist * */
    const char *arg; /* value placeholder in help, e.g. "FILE" */
    const char *help;
    long long min, max; /* for INT */
};

struct nc_pipeline_cfg;
/* How another command (export, agent) runs a capture: its name for help and
 * messages, extra flags listed after capture's, and hooks: export's start is
 * called once the flags are checked and the source is open, before any
 * packet is read; the agent's before/finish wrap the run, and its sink
 * replaces the record files. */
struct nc_capture_hooks {
    const char *cmd;
    const char *synopsis;
    const struct nc_flag *flags;
    size_t n_flags;      /* at most 32 */
    bool files_optional; /* export: without -out, no record files are written */
    /* agent: where the frames go instead of files (NULL: files) */
    const struct nc_writer_ops *sink;
    /* export: set cfg->observe and cfg->metrics, start serving; a non-zero
     * return ends the command with that exit code */
    int (*start)(void *ctx, struct nc_pipeline_cfg *cfg);
    void *ctx;
    /* agent: after the flags, before the input is opened (has_input: -read
     * or -iface given); a return >= 0 ends the command with that status */
    int (*before)(bool has_input);
    /* agent: after the run; returns the exit status */
    int (*finish)(int exit_code, bool stopped);
};
int nc_capture_run(int argc, char **argv, const struct nc_capture_hooks *h);

/* export.c's capture metrics, carried by another capture command (agent
 * -metrics): new, then nc_exporter_start as the capture start hook
 * (registers the capture metrics and serves them on listen), then the
 * command's own collectors; free stops serving. cmd names the command in
 * messages and in netcap_build_info's mode label. */
struct nc_exporter;
struct nc_mx_emit;
struct nc_exporter *nc_exporter_new(const char *cmd, const char *listen);
int nc_exporter_start(void *ctx, struct nc_pipeline_cfg *cfg);
NC_WARN_UNUSED int nc_exporter_add_collector(
        struct nc_exporter *x, int (*fn)(void *ctx, struct nc_mx_emit *e), void *ctx);
void nc_exporter_free(struct nc_exporter *x);

/* Parses argv[1..argc) into the table. Returns NC_EXIT_OK, NC_EXIT_USAGE
 * (after printing an error naming the flag), or -1 when -h/--help was given
 * (help printed to stdout). Positional arguments are refused. */
int nc_flags_parse(const char *cmd, const char *synopsis, const struct nc_flag *flags,
        size_t n_flags, int argc, char **argv);

void nc_flags_usage(
        const char *cmd, const char *synopsis, const struct nc_flag *flags, size_t n_flags);

#endif
