#include "cmd/util.h"
int nc_util_stats(int argc, char **argv) { NC_UNUSED(argc); NC_UNUSED(argv); return 1; }
