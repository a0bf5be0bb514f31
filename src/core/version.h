/*
 * summary: the netcap version ("git describe" of the build).
 */
#ifndef NC_CORE_VERSION_H
#define NC_CORE_VERSION_H

const char *nc_version(void);

#endif
