/*
 * summary: the version string, from build/gen/version_gen.h (rewritten by make
 *          only when `git describe` changes, so this file alone recompiles).
 */
#include "core/version.h"

#include "version_gen.h"

const char *nc_version(void)
{
    return NC_VERSION_STRING;
}
