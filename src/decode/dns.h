/*
 * summary: the DNS message parser, for decoders and stream parsers alike.
 */
#ifndef NC_DECODE_DNS_H
#define NC_DECODE_DNS_H

#include "core/arena.h"
#include "core/common.h"
#include "record/record.h"

/* Parse one DNS message (p, n: without the TCP length prefix) into rec
 * (initialised by the caller; NULL: parse for the verdict only), with
 * strings and lists in arena. Returns the verdict (NC_OK, NC_ETRUNC,
 * NC_EMALFORMED, NC_ELIMIT); what was parsed before a bad part is kept. */
int nc_dns_parse(Netcap__DNS *rec, struct nc_arena *arena, const uint8_t *p, size_t n, bool tcp);

#endif
