/*
 * summary: names of enum nc_err values.
 */
#include "core/common.h"

const char *nc_strerror(int err)
{
    switch (err) {
        case NC_OK:
            return "ok";
        case NC_EAGAIN:
            return "need more data";
        case NC_ETRUNC:
            return "truncated";
        case NC_EMALFORMED:
            return "malformed";
        case NC_ELIMIT:
            return "limit reached";
        case NC_EUNSUPP:
            return "unsupported";
        case NC_ENOMEM:
            return "out of memory";
        case NC_EIO:
            return "input/output error";
        case NC_EARG:
            return "invalid argument";
        default:
            return "unknown error";
    }
}
