/*
 * summary: replay saved inputs through a fuzz target without libFuzzer.
 *
 * Linked instead of -fsanitize=fuzzer, so that gcc builds and plain ASan
 * builds run the committed corpus and the crash regressions in `make
 * check`:
 *     build/fuzz/fuzz_decode fuzz/corpus/fuzz_decode fuzz/crashes/fuzz_decode
 * Arguments are files or directories (read recursively, in name order).
 * Each input is read into a malloc of exactly its size, as under libFuzzer.
 * A failed check aborts the process; exit status 1 means an argument could
 * not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

static unsigned long n_inputs;

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "onefile: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        fprintf(stderr, "onefile: out of memory\n");
        return 1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(fp);
                fprintf(stderr, "onefile: out of memory\n");
                return 1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        len += n;
        if (n == 0) {
            break;
        }
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        fprintf(stderr, "onefile: %s: read error\n", path);
        return 1;
    }
    uint8_t *exact = fuzz_dup(buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    n_inputs++;
    return 0;
}

static int name_order(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "onefile: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        return run_file(path);
    }
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, name_order);
    if (n < 0) {
        fprintf(stderr, "onefile: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (name[0] != '.') { /* ".", "..", and hidden files */
            size_t len = strlen(path) + strlen(name) + 2;
            char *sub = malloc(len);
            if (!sub) {
                rc = 1;
            } else {
                snprintf(sub, len, "%s/%s", path, name);
                rc |= run_path(sub);
                free(sub);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        rc |= run_path(argv[i]);
    }
    fprintf(stderr, "%s: %lu inputs replayed\n", argc > 0 ? argv[0] : "onefile", n_inputs);
    return rc;
}
