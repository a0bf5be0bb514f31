/*
 * summary: shared parts of `netcap util` (src/cmd/util*.c): argument
 *          splitting and the list of record files named on the command line.
 */
#ifndef NC_CMD_UTIL_H
#define NC_CMD_UTIL_H

#include "cmd/cmd.h"

enum {
    NC_UTIL_MAX_FILES = 1 << 20, /* files one command accepts (directories expanded) */
};

/* Splits argv[1..argc) into flags (to fargv[1..*fargc), fargv[0] = argv[0],
 * ready for nc_flags_parse) and positional arguments (pargv[0..*pargc)).
 * A flag starts with '-' and is more than "-"; "--" ends the flags. With
 * values_may_be_negative, "-1.5" or "-.5" is a value, not a flag. Every
 * flag of the util commands that use this is a bool (no value to skip).
 * The arrays hold argc entries. */
void nc_util_split_args(int argc, char **argv, bool values_may_be_negative, char **fargv,
        int *fargc, char **pargv, int *pargc);

/* The record files named by the arguments: files as given, directories as
 * their *.ncap, *.ncap.zst and *.ncap.gz entries in name order. An argument
 * that yields no file (an unreadable or empty directory) is an entry with
 * err set. */
struct nc_util_file {
    char *path;
    const char *err; /* static text, or NULL */
};

struct nc_util_files {
    struct nc_util_file *v;
    size_t n, cap;
};

NC_WARN_UNUSED int nc_util_files_collect(struct nc_util_files *l, int argc, char **argv);
void nc_util_files_free(struct nc_util_files *l);

int nc_util_check(int argc, char **argv);
int nc_util_stats(int argc, char **argv);
int nc_util_convert(int argc, char **argv);
int nc_util_time(int argc, char **argv);

#endif
