/*
 * summary: STUB netcap dump (to be written).
 */
#include "cmd/cmd.h"

int nc_cmd_dump(int argc, char **argv)
{
    NC_UNUSED(argc);
    NC_UNUSED(argv);
    return NC_EXIT_FAILURE;
}
