/*
 * summary: STUB netcap capture (being written).
 */
#include "cmd/cmd.h"

int nc_cmd_capture(int argc, char **argv)
{
    NC_UNUSED(argc);
    NC_UNUSED(argv);
    return NC_EXIT_FAILURE;
}
