/*
 * summary: one-shot compression of a buffer into one independent frame.
 *
 * Record files are a concatenation of independent zstd frames or gzip
 * members, so each decoding worker compresses its own batch in parallel and
 * the file is the frames in batch order: the bytes do not depend on which
 * worker compressed what. zstd -d, gzip -d and Go's gzip reader all read
 * such files as one stream.
 */
#ifndef NC_OUTPUT_COMPRESS_H
#define NC_OUTPUT_COMPRESS_H

#include "core/common.h"
#include "core/dbuf.h"

enum nc_compress {
    NC_COMPRESS_NONE = 0,
    NC_COMPRESS_ZSTD,
    NC_COMPRESS_GZIP,
};

struct nc_compressor {
    enum nc_compress kind;
    int level;
    void *zstd_ctx; /* ZSTD_CCtx, reused across frames */
};

/* level 0 picks the default (zstd 1, gzip 6). */
NC_WARN_UNUSED int nc_compressor_init(struct nc_compressor *c, enum nc_compress kind, int level);
void nc_compressor_fini(struct nc_compressor *c);
/* Append the frame for p[0..n) to out (n > 0). */
NC_WARN_UNUSED int nc_compress_frame(
        struct nc_compressor *c, const uint8_t *p, size_t n, struct nc_dbuf *out);
/* File name suffix: "", ".zst", ".gz". */
const char *nc_compress_suffix(enum nc_compress kind);
/* Parse "zstd", "gzip", "none"; NC_EARG if unknown. */
int nc_compress_parse(const char *s, enum nc_compress *kind);

#endif
