/*
 * summary: recognises record files of Netcap, the Go tool netcap follows,
 *          so that readers can refuse them by name.
 *
 * Netcap writes the same framing (varint-delimited protobuf, gzip'd or
 * plain, files named like DNS.ncap.gz) but its Header is another message:
 * Created = 1 (string), InputSource = 2 (string), Type = 3 (enum, other
 * numbers), Version = 4 (string, "v0.x.y"), ContainsPayloads = 5 (bool).
 * Ours has created = 1 as int64, options = 5 as a string, and always
 * schema_version = 6 and type_name = 7. Read as ours, a Netcap header
 * either fails to unpack (wire types differ) or, when Created is empty,
 * names a wrong record type; both mislead, hence this check first.
 */
#ifndef NC_RECORD_NCGO_H
#define NC_RECORD_NCGO_H

#include "core/common.h"

/* True if the first message of a record file, p[0..n), is a Netcap (Go)
 * Header: no field 6 or 7, and at least one trait only Netcap has (Created
 * as a string, ContainsPayloads as a varint, a Version like "v0.5.2").
 * Then msg gets a one-line message that names the file's origin and says
 * what to do; msg is untouched otherwise. */
bool nc_ncgo_header(const uint8_t *p, size_t n, char *msg, size_t msg_len);

#endif
