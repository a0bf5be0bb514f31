/*
 * summary: one packet on its way through the decoders, and the helpers that
 *          decoders use to build records.
 *
 * Decoders read headers through a struct nc_rd, update the packet context
 * (addresses, ports, flags: what later layers, records and the flow table
 * need) and, when their record type is wanted, build a record with
 * nc_pkt_record(). Records live in the packet arena until the worker encodes
 * them, right after the last decoder returns.
 */
#ifndef NC_DECODE_PKT_H
#define NC_DECODE_PKT_H

#include "core/common.h"
#include "core/arena.h"
#include "core/rd.h"
#include "core/str.h"
#include "record/record.h"

enum {
    NC_MAX_LAYERS = 16,   /* encapsulation depth cap: stops tunnel bombs; hits are counted */
    NC_MAX_PKT_RECS = 32, /* records per packet; more than the layer cap allows in practice */
};

/* Namespaces in which decoders claim the next layer. */
enum nc_ns {
    NC_NS_NONE = 0,
    NC_NS_DLT,        /* pcap LINKTYPE_* value */
    NC_NS_ETHERTYPE,  /* Ethernet type field */
    NC_NS_IPPROTO,    /* IP protocol / IPv6 next header */
    NC_NS_UDP_PORT,   /* UDP destination, then source port */
    NC_NS_TCP_PORT,   /* TCP destination, then source port */
    NC_NS_ICMP6_TYPE, /* ICMPv6 message type */
    NC_NS_PPP,        /* PPP protocol field (RFC 1661; 0x0021 IPv4, 0x0057 IPv6) */
    NC_NS_LINK,       /* payloads with no type field: NC_LINK_* below */
    NC_NS_SCTP_PORT,  /* SCTP destination, then source port */
    NC_NS_LLC_SAP,    /* IEEE 802.2 SAP when DSAP = SSAP: 0xaa SNAP, 0x42 STP, 0xfe OSI */
    /* SNAP protocol ids of one organisation each (see src/decode/snap.c) */
    NC_NS_SNAP_CISCO,  /* OUI 00-00-0c: 0x2000 CDP */
    NC_NS_SNAP_NORTEL, /* OUI 00-00-81: 0x01a1, 0x01a2 SONMP */
    NC_NS_EAPOL,       /* EAPOL packet type: 0 EAP, 3 EAPOL-Key */
    NC_NS_COUNT,
};

/* Ids in NC_NS_LINK: what a carrier without a type field holds. */
enum nc_link_id {
    NC_LINK_ETHERNET = 1, /* an Ethernet frame (VXLAN, ERSPAN, Geneve with 0x6558) */
    NC_LINK_LLC = 2,      /* IEEE 802.2 LLC (802.3 length frames, FDDI, 802.11 data) */
    NC_LINK_IP = 3,       /* IPv4 or IPv6 by the version nibble (Teredo, MPLS payload) */
    NC_LINK_MPLS_PW =
            4, /* an MPLS pseudowire (control word, Ethernet...): no decoder, so counted */
};

/* Layer a decoder belongs to, for the Connection's protocol-per-layer fields. */
enum nc_layer {
    NC_LAYER_NONE = 0,
    NC_LAYER_LINK,
    NC_LAYER_NETWORK,
    NC_LAYER_TRANSPORT,
    NC_LAYER_APP,
    NC_LAYER_COUNT,
};

/* TCP flag bits as in the header's 9-bit flags field (NS is bit 8). */
enum {
    NC_TCP_FIN = 0x001,
    NC_TCP_SYN = 0x002,
    NC_TCP_RST = 0x004,
    NC_TCP_PSH = 0x008,
    NC_TCP_ACK = 0x010,
    NC_TCP_URG = 0x020,
    NC_TCP_ECE = 0x040,
    NC_TCP_CWR = 0x080,
    NC_TCP_NS = 0x100,
};

/* What the user asked for; shared read-only by all workers. */
struct nc_decode_opts {
    bool want[NC_REC_COUNT]; /* record types to build (-include / -exclude) */
    bool payload;            /* store payload bytes (-payload) */
    bool entropy;            /* compute payload entropy (-entropy) */
};

/* Flow-relevant facts about a packet, filled by the decoders (innermost
 * layers win) and handed to the flow table in packet order. */
struct nc_pkt_ctx {
    uint8_t ip_ver;   /* 0 (no IP), 4 or 6 */
    uint8_t ip_proto; /* innermost transport protocol */
    bool has_ports;   /* TCP/UDP/SCTP header seen (not for non-first fragments) */
    bool has_icmp;    /* icmp_type/icmp_code valid */
    bool has_mac;     /* src_mac is known */
    bool has_dst_mac; /* dst_mac is known too (Ethernet; not Linux cooked) */
    uint8_t icmp_type, icmp_code;
    uint16_t src_port, dst_port;
    uint16_t tcp_flags; /* NC_TCP_* bits, valid if ip_proto == 6 and has_ports */
    uint16_t tcp_window;
    uint32_t l4_payload;      /* transport payload bytes (from headers, not capture) */
    uint32_t ip_left;         /* bytes the IP header says follow the current layer's start */
    uint32_t ip_len;          /* innermost IP total length (IPv6: 40 + payload) */
    bool is_fragment;         /* the innermost IP packet is a fragment (offset or MF set) */
    bool frag_first;          /* ...the one at offset 0 (it carries the transport header) */
    uint32_t frag_id;         /* IPv4 identification or IPv6 fragment identification */
    uint32_t frag_offset;     /* bytes from the start of the datagram's payload */
    bool frag_more;           /* MF: more fragments follow */
    bool frag_cut;            /* the capture holds less than the header declared */
    const uint8_t *frag_data; /* this fragment's payload as captured */
    uint32_t frag_len;
    uint32_t tcp_seq, tcp_ack;      /* valid if ip_proto == 6 and has_ports */
    const uint8_t *l4_data;         /* TCP payload as captured (NULL if none) */
    uint32_t l4_caplen;             /* its captured length (<= l4_payload) */
    uint16_t ip_fragments;          /* the packet is a datagram reassembled from this many */
    bool ip_frag_overlap;           /* ...whose fragments overlapped */
    uint8_t src_ip[16], dst_ip[16]; /* IPv4 in the first 4 bytes */
    uint8_t src_mac[6], dst_mac[6];
    /* bytes of frame check sequence at the end of the current window, as the
     * layer below said (radiotap flags): the link layer that follows keeps
     * them out of its body */
    uint8_t link_fcs;
    /* encapsulation: tunnels entered so far, the Community ID of the flow
     * that carries the innermost one, and a zone (VLAN ids and tunnel
     * identities mixed) that keeps equal inner addresses of different
     * networks apart in the flow table */
    uint8_t tunnel_depth;
    bool tunnel_open;          /* entered, its inner IP header not seen yet */
    const char *tunnel_parent; /* "" outside tunnels */
    uint64_t zone;
    /* the flow that carries the outermost tunnel, as it was when the
     * tunnel was entered: it gets a Connection of its own (Zeek's conn.log
     * has the VXLAN or Teredo UDP flow next to the inner ones) */
    struct nc_pkt_carrier {
        bool valid, has_ports;
        uint8_t ver, proto;
        uint16_t src_port, dst_port;
        uint16_t tcp_flags, tcp_window;
        uint32_t payload; /* transport payload (UDP, TCP) or IP payload bytes */
        uint32_t ip_len;  /* its IP total length */
        uint64_t zone;    /* VLANs outside the tunnel */
        uint8_t src_ip[16], dst_ip[16];
        const char *proto_name[NC_LAYER_COUNT];
    } carrier;
    /* the three above as they were before the last tunnel was entered: a
     * packet whose tunnel holds no IP (ARP in VXLAN) belongs to its carrier */
    uint8_t carrier_depth;
    const char *carrier_parent;
    uint64_t carrier_zone;
    uint8_t ip_depth; /* IP headers seen; ports[k] belong to the k-th */
    struct {
        uint16_t src, dst;
        bool set;
    } ports[NC_MAX_LAYERS];
    const char *proto[NC_LAYER_COUNT]; /* "Ethernet", "IPv4", "TCP", "DNS"; innermost wins */
    const char *src_ip_str;            /* formatted in the arena when the IP layer was decoded */
    const char *dst_ip_str;
};

struct nc_decode_stats;

struct nc_pkt {
    /* input */
    int64_t ts; /* ns since epoch */
    uint32_t caplen;
    uint32_t wirelen;
    uint32_t dlt;
    const uint8_t *data; /* caplen bytes */
    /* dispatch: set by each decoder for the next one */
    enum nc_ns next_ns;
    uint32_t next_id;
    uint32_t next_id_alt; /* tried when next_id has no decoder (source port) */
    bool has_alt;
    /* context and records */
    struct nc_pkt_ctx ctx;
    struct nc_arena *arena;
    const struct nc_decode_opts *opts;
    struct nc_decode_stats *stats;
    size_t n_recs;
    enum nc_rec_type rec_type[NC_MAX_PKT_RECS];
    uint8_t rec_ip_depth[NC_MAX_PKT_RECS]; /* ctx.ip_depth when the record was made */
    ProtobufCMessage *recs[NC_MAX_PKT_RECS];
};

static inline bool nc_pkt_wants(const struct nc_pkt *pkt, enum nc_rec_type t)
{
    return pkt->opts->want[t];
}

/* Start a record of type t: zeroed and initialised in the arena, timestamp
 * and (where the type has them) src_ip/dst_ip filled from the current
 * context; ports are filled after the last layer from the innermost ones
 * unless the decoder set them. NULL if the type is not wanted or the packet
 * hit a cap (counted). */
void *nc_pkt_record(struct nc_pkt *pkt, enum nc_rec_type t);

/* Bytes the innermost IP header declares after n bytes of headers that
 * follow it (extension headers, then the transport header): what a snaplen
 * cut off still counts. */
static inline uint32_t nc_pkt_ip_after(const struct nc_pkt *pkt, size_t n)
{
    return pkt->ctx.ip_left > n ? (uint32_t)(pkt->ctx.ip_left - n) : 0;
}

/* Set the IP context (formats the address strings once for all records).
 * A second IP header in one packet is inside a tunnel: unless a tunnel
 * decoder already said so, this enters one (IP in IP, GRE, Teredo...). */
void nc_pkt_set_ip(struct nc_pkt *pkt, uint8_t ver, const uint8_t *src, const uint8_t *dst);

/* Enter a tunnel whose carrier is the current context (its IP addresses,
 * protocol and ports): records made from here on carry tunnel_depth + 1
 * and the carrier flow's Community ID as tunnel_parent; the flow zone mixes
 * in that flow and id (a VNI, a GRE key; 0 if none), so inner flows of
 * different tunnels never share a Connection. Tunnel decoders that carry
 * Ethernet (VXLAN, Geneve, ERSPAN, GRE bridging) call it before the inner
 * frame; IP found inside IP enters one by itself. */
void nc_pkt_tunnel(struct nc_pkt *pkt, uint32_t id);

/* Mix a VLAN id (or another link-level separator) into the flow zone. */
static inline void nc_pkt_zone(struct nc_pkt *pkt, uint64_t id)
{
    pkt->ctx.zone = (pkt->ctx.zone ^ (0x9e3779b97f4a7c15ull + id)) * 0xff51afd7ed558ccdull;
}

/* Arena helpers for record fields; all return "" / NULL-safe values when the
 * arena is exhausted (the record then carries an empty field). */
char *nc_pkt_str(struct nc_pkt *pkt, const uint8_t *p, size_t n); /* UTF-8 sanitised copy */
char *nc_pkt_mac(struct nc_pkt *pkt, const uint8_t mac[6]);
char *nc_pkt_hwaddr(struct nc_pkt *pkt, const uint8_t *p, size_t n);
char *nc_pkt_ip4(struct nc_pkt *pkt, const uint8_t ip[4]);
char *nc_pkt_ip6(struct nc_pkt *pkt, const uint8_t ip[16]);
void *nc_pkt_alloc(struct nc_pkt *pkt, size_t n);

/* The payload fields of a record: *size = the bytes left in r (which does
 * not move); *entropy only with -entropy; *bytes (may be NULL) only with
 * -payload, borrowing the packet. */
void nc_pkt_payload(const struct nc_pkt *pkt, const struct nc_rd *r, int32_t *size, double *entropy,
        ProtobufCBinaryData *bytes);

/* Hand the rest of the packet to the decoder claiming the destination port
 * in ns, or else the source port. */
void nc_pkt_next_port(struct nc_pkt *pkt, enum nc_ns ns, uint16_t dport, uint16_t sport);

/* A protobuf bytes value that borrows s (valid until the packet is done). */
static inline ProtobufCBinaryData nc_bytes(struct nc_span s)
{
    ProtobufCBinaryData b = { s.len, (uint8_t *)(uintptr_t)s.p };
    return b;
}

#endif
