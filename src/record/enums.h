/*
 * summary: names for numeric protocol fields (DNS type AAAA, rcode
 *          NXDOMAIN, IP protocol TCP, EtherType IPv4, ICMP types...).
 *
 * The schema keeps numbers (they are what the wire carries, and what
 * tools compare); the views meant for people show names, and CSV/JSON add a
 * <field>_name column next to each named top-level field. All names live
 * in one registry (enums.c): an entry is (message descriptor, field name)
 * -> naming function, so a new decoder adds its fields with one line there.
 *
 * A naming function returns a static string, or one it wrote into buf
 * (flag sets like "DF|MF", "TYPE65280" for DNS types without a mnemonic),
 * or NULL when the value has no name. It may look at the whole message
 * (ICMP codes depend on the type).
 */
#ifndef NC_RECORD_ENUMS_H
#define NC_RECORD_ENUMS_H

#include <protobuf-c/protobuf-c.h>

#include "core/common.h"

enum {
    NC_ENUM_BUF = 64, /* room for a composed name */
};

typedef const char *(*nc_enum_fn)(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF]);

struct nc_enum {
    const ProtobufCMessageDescriptor *desc; /* the message holding the field */
    const char *field;
    nc_enum_fn name;
    int64_t max; /* a name maps back to a value in 0..max; 0: names cannot be typed */
};

/* The entry for field f of message d, or NULL. */
const struct nc_enum *nc_enum_find(
        const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f);

/* The name of v, or NULL (no name). msg is the message holding the field. */
const char *nc_enum_name(
        const struct nc_enum *e, int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF]);

/* The value whose name is s[0..n), case-insensitively; false if none (or
 * the entry's names depend on other fields). */
bool nc_enum_value(const struct nc_enum *e, const char *s, size_t n, int64_t *v);

/* The integer value of a scalar integer field at p (int32/64, uint32/64,
 * enum); false for other types. */
bool nc_enum_read_int(const ProtobufCFieldDescriptor *f, const void *p, int64_t *v);

#endif
