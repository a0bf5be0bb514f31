#include "cmd/util.h"
int nc_util_convert(int argc, char **argv) { NC_UNUSED(argc); NC_UNUSED(argv); return 1; }
