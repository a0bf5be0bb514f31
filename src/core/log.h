/*
 * summary: logging to stderr with a level prefix. Never called per packet.
 */
#ifndef NC_CORE_LOG_H
#define NC_CORE_LOG_H

#include "core/common.h"

void nc_log_error(const char *fmt, ...) NC_PRINTF(1, 2);
void nc_log_warn(const char *fmt, ...) NC_PRINTF(1, 2);
void nc_log_info(const char *fmt, ...) NC_PRINTF(1, 2);
/* Quiet mode drops info and warn lines (errors are always printed). */
void nc_log_set_quiet(bool quiet);

#endif
