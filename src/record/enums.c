/*
 * summary: the registry of field names for numbers (see enums.h): IANA
 *          mnemonics for DNS, IP protocols, EtherTypes, ICMP, ARP, TLS.
 *
 * Tables are sparse (value, name) lists searched linearly: they are short,
 * and the views that use them print far more text per value than a scan
 * costs. Names follow the usual spelling of each registry (DNS and IANA
 * protocol keywords as in the RFCs, ICMP types in CamelCase as gopacket and
 * the Go Netcap print them).
 */
#include "record/enums.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netcap.pb-c.h"

struct pair {
    int32_t v;
    const char *n;
};

static const char *lookup(const struct pair *t, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].v == v) {
            return t[i].n;
        }
    }
    return NULL;
}

#define TABLE_FN(fn, table)                                                                        \
    static const char *fn(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])           \
    {                                                                                              \
        NC_UNUSED(msg);                                                                            \
        NC_UNUSED(buf);                                                                            \
        return lookup(table, NC_ARRAY_LEN(table), v);                                              \
    }

/* ------------------------------------------------------------------ tables */

static const struct pair ip_protos[] = {
    { 0, "HOPOPT" },
    { 1, "ICMP" },
    { 2, "IGMP" },
    { 4, "IPv4" },
    { 6, "TCP" },
    { 8, "EGP" },
    { 9, "IGP" },
    { 17, "UDP" },
    { 27, "RDP" },
    { 33, "DCCP" },
    { 41, "IPv6" },
    { 43, "IPv6-Route" },
    { 44, "IPv6-Frag" },
    { 46, "RSVP" },
    { 47, "GRE" },
    { 50, "ESP" },
    { 51, "AH" },
    { 58, "ICMPv6" },
    { 59, "IPv6-NoNxt" },
    { 60, "IPv6-Opts" },
    { 88, "EIGRP" },
    { 89, "OSPF" },
    { 97, "ETHERIP" },
    { 98, "ENCAP" },
    { 103, "PIM" },
    { 108, "IPComp" },
    { 112, "VRRP" },
    { 115, "L2TP" },
    { 132, "SCTP" },
    { 135, "Mobility" },
    { 136, "UDPLite" },
    { 137, "MPLS-in-IP" },
    { 139, "HIP" },
    { 140, "Shim6" },
    { 143, "Ethernet" },
};
TABLE_FN(ip_proto_name, ip_protos)

static const struct pair ethertypes[] = {
    { 0x0800, "IPv4" },
    { 0x0806, "ARP" },
    { 0x0842, "WoL" },
    { 0x22f3, "TRILL" },
    { 0x6558, "TEB" },
    { 0x8035, "RARP" },
    { 0x809b, "AppleTalk" },
    { 0x80f3, "AARP" },
    { 0x8100, "802.1Q" },
    { 0x8137, "IPX" },
    { 0x86dd, "IPv6" },
    { 0x8808, "FlowControl" },
    { 0x8809, "SlowProtocols" },
    { 0x8847, "MPLS" },
    { 0x8848, "MPLS-multicast" },
    { 0x8863, "PPPoE-Discovery" },
    { 0x8864, "PPPoE-Session" },
    { 0x886f, "MSNLB" },
    { 0x888e, "EAPOL" },
    { 0x8892, "PROFINET" },
    { 0x88a4, "EtherCAT" },
    { 0x88a8, "802.1ad" },
    { 0x88b5, "Experimental1" },
    { 0x88b6, "Experimental2" },
    { 0x88cc, "LLDP" },
    { 0x88e5, "MACsec" },
    { 0x88e7, "802.1ah" },
    { 0x88f7, "PTP" },
    { 0x8902, "CFM" },
    { 0x8906, "FCoE" },
    { 0x8914, "FIP" },
    { 0x893a, "IEEE1905" },
    { 0x9000, "Loopback" },
    { 0x9100, "QinQ" },
};
TABLE_FN(ethertype_name, ethertypes)

static const struct pair arp_ops[] = {
    { 1, "request" },
    { 2, "reply" },
    { 3, "rarp-request" },
    { 4, "rarp-reply" },
    { 8, "inarp-request" },
    { 9, "inarp-reply" },
};
TABLE_FN(arp_op_name, arp_ops)

static const struct pair arp_hw[] = {
    { 1, "Ethernet" },
    { 6, "IEEE802" },
    { 15, "FrameRelay" },
    { 16, "ATM" },
    { 24, "IEEE1394" },
    { 32, "InfiniBand" },
};
TABLE_FN(arp_hw_name, arp_hw)

static const struct pair dns_types[] = {
    { 1, "A" },
    { 2, "NS" },
    { 3, "MD" },
    { 4, "MF" },
    { 5, "CNAME" },
    { 6, "SOA" },
    { 7, "MB" },
    { 8, "MG" },
    { 9, "MR" },
    { 10, "NULL" },
    { 11, "WKS" },
    { 12, "PTR" },
    { 13, "HINFO" },
    { 14, "MINFO" },
    { 15, "MX" },
    { 16, "TXT" },
    { 17, "RP" },
    { 18, "AFSDB" },
    { 24, "SIG" },
    { 25, "KEY" },
    { 28, "AAAA" },
    { 29, "LOC" },
    { 30, "NXT" },
    { 33, "SRV" },
    { 35, "NAPTR" },
    { 36, "KX" },
    { 37, "CERT" },
    { 38, "A6" },
    { 39, "DNAME" },
    { 41, "OPT" },
    { 42, "APL" },
    { 43, "DS" },
    { 44, "SSHFP" },
    { 45, "IPSECKEY" },
    { 46, "RRSIG" },
    { 47, "NSEC" },
    { 48, "DNSKEY" },
    { 49, "DHCID" },
    { 50, "NSEC3" },
    { 51, "NSEC3PARAM" },
    { 52, "TLSA" },
    { 53, "SMIMEA" },
    { 55, "HIP" },
    { 59, "CDS" },
    { 60, "CDNSKEY" },
    { 61, "OPENPGPKEY" },
    { 62, "CSYNC" },
    { 63, "ZONEMD" },
    { 64, "SVCB" },
    { 65, "HTTPS" },
    { 99, "SPF" },
    { 108, "EUI48" },
    { 109, "EUI64" },
    { 249, "TKEY" },
    { 250, "TSIG" },
    { 251, "IXFR" },
    { 252, "AXFR" },
    { 253, "MAILB" },
    { 254, "MAILA" },
    { 255, "ANY" },
    { 256, "URI" },
    { 257, "CAA" },
    { 32768, "TA" },
    { 32769, "DLV" },
};

/* RFC 3597 section 5: a type without a mnemonic is written TYPEnnn. */
static const char *dns_type_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(msg);
    const char *n = lookup(dns_types, NC_ARRAY_LEN(dns_types), v);
    if (n || v < 0 || v > 65535) {
        return n;
    }
    snprintf(buf, NC_ENUM_BUF, "TYPE%lld", (long long)v);
    return buf;
}

/* DNS.query_type: as dns_type_name, but 0 means "no question", not TYPE0. */
static const char *dns_query_type_name(
        int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    return v == 0 ? NULL : dns_type_name(v, msg, buf);
}

static const struct pair dns_classes[] = {
    { 1, "IN" },
    { 3, "CH" },
    { 4, "HS" },
    { 254, "NONE" },
    { 255, "ANY" },
};

/* mDNS (RFC 6762) uses the top bit of the class as the cache-flush /
 * unicast-response bit: 0x8001 is "IN" with that bit, written "IN|QU". */
static const char *dns_class_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(msg);
    if (v < 0 || v > 65535) {
        return NULL;
    }
    const char *n = lookup(dns_classes, NC_ARRAY_LEN(dns_classes), v & 0x7fff);
    if (n && (v & 0x8000)) {
        snprintf(buf, NC_ENUM_BUF, "%s|QU", n);
        return buf;
    }
    if (n) {
        return n;
    }
    snprintf(buf, NC_ENUM_BUF, "CLASS%lld", (long long)v);
    return buf;
}

static const struct pair dns_rcodes[] = {
    { 0, "NOERROR" },
    { 1, "FORMERR" },
    { 2, "SERVFAIL" },
    { 3, "NXDOMAIN" },
    { 4, "NOTIMP" },
    { 5, "REFUSED" },
    { 6, "YXDOMAIN" },
    { 7, "YXRRSET" },
    { 8, "NXRRSET" },
    { 9, "NOTAUTH" },
    { 10, "NOTZONE" },
    { 11, "DSOTYPENI" },
    { 16, "BADVERS" },
};
TABLE_FN(dns_rcode_name, dns_rcodes)

static const struct pair dns_opcodes[] = {
    { 0, "QUERY" },
    { 1, "IQUERY" },
    { 2, "STATUS" },
    { 4, "NOTIFY" },
    { 5, "UPDATE" },
    { 6, "DSO" },
};
TABLE_FN(dns_opcode_name, dns_opcodes)

static const struct pair icmp4_types[] = {
    { 0, "EchoReply" },
    { 3, "DestinationUnreachable" },
    { 4, "SourceQuench" },
    { 5, "Redirect" },
    { 8, "EchoRequest" },
    { 9, "RouterAdvertisement" },
    { 10, "RouterSolicitation" },
    { 11, "TimeExceeded" },
    { 12, "ParameterProblem" },
    { 13, "TimestampRequest" },
    { 14, "TimestampReply" },
    { 15, "InfoRequest" },
    { 16, "InfoReply" },
    { 17, "AddressMaskRequest" },
    { 18, "AddressMaskReply" },
};
TABLE_FN(icmp4_type_name, icmp4_types)

static const struct pair icmp4_unreach[] = {
    { 0, "Net" },
    { 1, "Host" },
    { 2, "Protocol" },
    { 3, "Port" },
    { 4, "FragmentationNeeded" },
    { 5, "SourceRoutingFailed" },
    { 6, "NetUnknown" },
    { 7, "HostUnknown" },
    { 8, "SourceIsolated" },
    { 9, "NetAdminProhibited" },
    { 10, "HostAdminProhibited" },
    { 11, "NetTOS" },
    { 12, "HostTOS" },
    { 13, "CommAdminProhibited" },
    { 14, "HostPrecedence" },
    { 15, "PrecedenceCutoff" },
};
static const struct pair icmp4_redirect[] = {
    { 0, "Net" },
    { 1, "Host" },
    { 2, "TOSNet" },
    { 3, "TOSHost" },
};
static const struct pair icmp4_exceeded[] = {
    { 0, "TTLExceeded" },
    { 1, "FragmentReassemblyTimeExceeded" },
};
static const struct pair icmp4_param[] = {
    { 0, "PointerIndicatesError" },
    { 1, "MissingOption" },
    { 2, "BadLength" },
};

static const struct pair icmp6_types[] = {
    { 1, "DestinationUnreachable" },
    { 2, "PacketTooBig" },
    { 3, "TimeExceeded" },
    { 4, "ParameterProblem" },
    { 128, "EchoRequest" },
    { 129, "EchoReply" },
    { 130, "MLDQuery" },
    { 131, "MLDv1Report" },
    { 132, "MLDv1Done" },
    { 133, "RouterSolicitation" },
    { 134, "RouterAdvertisement" },
    { 135, "NeighborSolicitation" },
    { 136, "NeighborAdvertisement" },
    { 137, "Redirect" },
    { 138, "RouterRenumbering" },
    { 139, "NodeInfoQuery" },
    { 140, "NodeInfoResponse" },
    { 141, "InverseNDSolicitation" },
    { 142, "InverseNDAdvertisement" },
    { 143, "MLDv2Report" },
    { 151, "MulticastRouterAdvertisement" },
    { 152, "MulticastRouterSolicitation" },
    { 153, "MulticastRouterTermination" },
    { 155, "RPL" },
};
TABLE_FN(icmp6_type_name, icmp6_types)

static const struct pair icmp6_unreach[] = {
    { 0, "NoRouteToDst" },
    { 1, "AdminProhibited" },
    { 2, "BeyondScopeOfSrc" },
    { 3, "AddressUnreachable" },
    { 4, "PortUnreachable" },
    { 5, "SrcAddressFailedPolicy" },
    { 6, "RejectRouteToDst" },
    { 7, "SourceRoutingHeaderError" },
};
static const struct pair icmp6_exceeded[] = {
    { 0, "HopLimitExceeded" },
    { 1, "FragmentReassemblyTimeExceeded" },
};
static const struct pair icmp6_param[] = {
    { 0, "ErroneousHeaderField" },
    { 1, "UnrecognizedNextHeader" },
    { 2, "UnrecognizedIPv6Option" },
};

static const struct pair ndp_options[] = {
    { 1, "SourceLinkLayerAddress" },
    { 2, "TargetLinkLayerAddress" },
    { 3, "PrefixInformation" },
    { 4, "RedirectedHeader" },
    { 5, "MTU" },
    { 14, "Nonce" },
    { 24, "RouteInformation" },
    { 25, "RDNSS" },
    { 31, "DNSSL" },
};
TABLE_FN(ndp_option_name, ndp_options)

static const struct pair tls_versions[] = {
    { 0x0300, "SSL3.0" },
    { 0x0301, "TLS1.0" },
    { 0x0302, "TLS1.1" },
    { 0x0303, "TLS1.2" },
    { 0x0304, "TLS1.3" },
};
TABLE_FN(tls_version_name, tls_versions)

static const struct pair same_sites[] = {
    { 1, "Lax" },
    { 2, "Strict" },
    { 3, "None" },
};
TABLE_FN(same_site_name, same_sites)

/* --------------------------------------------------- names from the message */

/* The int value of the message's field `name`, if it has one. */
static bool sibling(const ProtobufCMessage *msg, const char *name, int64_t *v)
{
    if (!msg || !msg->descriptor) {
        return false;
    }
    const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    return f && f->label != PROTOBUF_C_LABEL_REPEATED &&
           nc_enum_read_int(f, (const uint8_t *)msg + f->offset, v);
}

/* ICMP codes mean something only for a given type. */
static const char *icmp4_code_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(buf);
    int64_t type;
    if (!sibling(msg, "type", &type)) {
        return NULL;
    }
    switch (type) {
        case 3:
            return lookup(icmp4_unreach, NC_ARRAY_LEN(icmp4_unreach), v);
        case 5:
            return lookup(icmp4_redirect, NC_ARRAY_LEN(icmp4_redirect), v);
        case 11:
            return lookup(icmp4_exceeded, NC_ARRAY_LEN(icmp4_exceeded), v);
        case 12:
            return lookup(icmp4_param, NC_ARRAY_LEN(icmp4_param), v);
        default:
            return NULL;
    }
}

static const char *icmp6_code_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(buf);
    int64_t type;
    if (!sibling(msg, "type", &type)) {
        return NULL;
    }
    switch (type) {
        case 1:
            return lookup(icmp6_unreach, NC_ARRAY_LEN(icmp6_unreach), v);
        case 3:
            return lookup(icmp6_exceeded, NC_ARRAY_LEN(icmp6_exceeded), v);
        case 4:
            return lookup(icmp6_param, NC_ARRAY_LEN(icmp6_param), v);
        default:
            return NULL;
    }
}

/* Flag sets: the set bits' names joined by "|", high bit first; bits
 * without a name are left out. NULL when no named bit is set. */
struct bit {
    uint32_t mask;
    const char *n;
};

static const char *bits_name(const struct bit *b, size_t nb, int64_t v, char buf[NC_ENUM_BUF])
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nb; i++) {
        if ((v & b[i].mask) == 0) {
            continue;
        }
        int k = snprintf(buf + len, NC_ENUM_BUF - len, "%s%s", len ? "|" : "", b[i].n);
        if (k < 0 || (size_t)k >= NC_ENUM_BUF - len) {
            break;
        }
        len += (size_t)k;
    }
    return len ? buf : NULL;
}

/* IPv4 flags as gopacket stores them: the 3 bits after the header's
 * identification field, reserved ("evil") bit highest. */
static const char *ipv4_flags_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(msg);
    static const struct bit b[] = { { 4, "EVIL" }, { 2, "DF" }, { 1, "MF" } };
    return bits_name(b, NC_ARRAY_LEN(b), v, buf);
}

/* RFC 4861 4.4: Router, Solicited, Override in the top bits of the octet. */
static const char *na_flags_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(msg);
    static const struct bit b[] = { { 0x80, "R" }, { 0x40, "S" }, { 0x20, "O" } };
    return bits_name(b, NC_ARRAY_LEN(b), v, buf);
}

/* RFC 4861 4.2, RFC 3775 7.1, RFC 4389: Managed, Other, Home agent, Proxy. */
static const char *ra_flags_name(int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    NC_UNUSED(msg);
    static const struct bit b[] = { { 0x80, "M" }, { 0x40, "O" }, { 0x20, "H" }, { 0x04, "P" } };
    return bits_name(b, NC_ARRAY_LEN(b), v, buf);
}

/* ---------------------------------------------------------------- registry */

/* One line per named field. max bounds the reverse lookup (typing a name in
 * -where); 0 where names depend on another field or are flag sets. */
static const struct nc_enum registry[] = {
    { &netcap__ethernet__descriptor, "ethernet_type", ethertype_name, 65535 },
    { &netcap__dot1_q__descriptor, "type", ethertype_name, 65535 },
    { &netcap__dot1_q__descriptor, "tpid", ethertype_name, 65535 },
    { &netcap__arp__descriptor, "operation", arp_op_name, 65535 },
    { &netcap__arp__descriptor, "addr_type", arp_hw_name, 65535 },
    { &netcap__arp__descriptor, "protocol", ethertype_name, 65535 },
    { &netcap__ipv4__descriptor, "protocol", ip_proto_name, 255 },
    { &netcap__ipv4__descriptor, "flags", ipv4_flags_name, 0 },
    { &netcap__ipv6__descriptor, "next_header", ip_proto_name, 255 },
    { &netcap__ipv6_hop_by_hop__descriptor, "next_header", ip_proto_name, 255 },
    { &netcap__ipv6_fragment__descriptor, "next_header", ip_proto_name, 255 },
    { &netcap__icmpv4__descriptor, "type", icmp4_type_name, 255 },
    { &netcap__icmpv4__descriptor, "code", icmp4_code_name, 0 },
    { &netcap__icmpv6__descriptor, "type", icmp6_type_name, 255 },
    { &netcap__icmpv6__descriptor, "code", icmp6_code_name, 0 },
    { &netcap__icmpv6_option__descriptor, "type", ndp_option_name, 255 },
    { &netcap__icmpv6_neighbor_advertisement__descriptor, "flags", na_flags_name, 0 },
    { &netcap__icmpv6_router_advertisement__descriptor, "flags", ra_flags_name, 0 },
    { &netcap__dns__descriptor, "response_code", dns_rcode_name, 4095 },
    { &netcap__dns__descriptor, "op_code", dns_opcode_name, 15 },
    { &netcap__dns__descriptor, "query_type", dns_query_type_name, 65535 },
    { &netcap__dnsquestion__descriptor, "type", dns_type_name, 65535 },
    { &netcap__dnsquestion__descriptor, "class", dns_class_name, 65535 },
    { &netcap__dnsresource_record__descriptor, "type", dns_type_name, 65535 },
    { &netcap__dnsresource_record__descriptor, "class", dns_class_name, 65535 },
    { &netcap__connection__descriptor, "ip_protocol", ip_proto_name, 255 },
    { &netcap__tlsclient_hello__descriptor, "version", tls_version_name, 65535 },
    { &netcap__tlsclient_hello__descriptor, "handshake_version", tls_version_name, 65535 },
    { &netcap__tlsclient_hello__descriptor, "supported_versions", tls_version_name, 65535 },
    { &netcap__tlsserver_hello__descriptor, "version", tls_version_name, 65535 },
    { &netcap__tlsserver_hello__descriptor, "supported_version", tls_version_name, 65535 },
    { &netcap__tlsserver_hello__descriptor, "record_version", tls_version_name, 65535 },
    { &netcap__httpcookie__descriptor, "same_site", same_site_name, 3 },
};

const struct nc_enum *nc_enum_find(
        const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f)
{
    for (size_t i = 0; i < NC_ARRAY_LEN(registry); i++) {
        if (registry[i].desc == d && strcmp(registry[i].field, f->name) == 0) {
            return &registry[i];
        }
    }
    return NULL;
}

const char *nc_enum_name(
        const struct nc_enum *e, int64_t v, const ProtobufCMessage *msg, char buf[NC_ENUM_BUF])
{
    return e ? e->name(v, msg, buf) : NULL;
}

bool nc_enum_value(const struct nc_enum *e, const char *s, size_t n, int64_t *v)
{
    if (!e || n == 0 || n >= NC_ENUM_BUF) {
        return false;
    }
    char buf[NC_ENUM_BUF];
    for (int64_t x = 0; x <= e->max; x++) {
        const char *name = e->name(x, NULL, buf);
        if (name && strlen(name) == n && strncasecmp(name, s, n) == 0) {
            *v = x;
            return true;
        }
    }
    return false;
}

bool nc_enum_read_int(const ProtobufCFieldDescriptor *f, const void *p, int64_t *v)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32: {
            int32_t x;
            memcpy(&x, p, sizeof(x));
            *v = x;
            return true;
        }
        case PROTOBUF_C_TYPE_ENUM: {
            int x;
            memcpy(&x, p, sizeof(x));
            *v = x;
            return true;
        }
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32: {
            uint32_t x;
            memcpy(&x, p, sizeof(x));
            *v = x;
            return true;
        }
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64: /* only small values are named */
        case PROTOBUF_C_TYPE_FIXED64: {
            int64_t x;
            memcpy(&x, p, sizeof(x));
            *v = x;
            return true;
        }
        default:
            return false;
    }
}
