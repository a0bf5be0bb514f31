/*
 * summary: the connection table: bidirectional flows keyed by 5-tuple,
 *          written as Connection records when they end.
 *
 * One table per logical shard (src/pipeline/shard.c): it is used by one
 * thread at a time and sees its shard's packets in capture order, so which
 * connections are written, and in what order, is the same whatever the
 * number of workers. TCP connections also feed their stream (reassembly
 * and parsers) when a stream environment is set. A connection is written:
 *   - when it closes (FIN seen both ways, or RST), after a short linger in
 *     capture time so that the final ACK still counts (end_reason fin/rst);
 *   - when it has been idle longer than the timeout (capture time) (timeout);
 *   - when the table is full and it is the least recently active (evicted);
 *   - at end of input, in order of first packet (eof).
 * Memory is bounded by max_flows: flows live in one preallocated pool.
 */
#ifndef NC_FLOW_FLOW_H
#define NC_FLOW_FLOW_H

#include "core/common.h"
#include "core/dbuf.h"
#include "decode/pkt.h"
#include "flow/features.h"

struct nc_stream_env;

enum {
    NC_FLOW_DEFAULT_MAX = 1 << 20, /* about 300 MiB of pool at most, touched lazily */
};
#define NC_FLOW_DEFAULT_TIMEOUT_NS (300LL * 1000000000LL) /* 5 min, as Zeek's TCP inactivity */
#define NC_FLOW_LINGER_NS          (2LL * 1000000000LL)   /* after FIN/FIN or RST */

/* A normalised 5-tuple: endpoint a is the smaller (address, port) unless
 * the flow is a one-way ICMP message. 40 bytes, no hidden padding, so that
 * it compares as five 64-bit words. */
struct nc_flow_key {
    uint8_t a[16], b[16];
    uint16_t pa, pb;
    uint8_t proto, ver;
    uint8_t pad[2];
    uint64_t zone; /* VLAN ids and tunnel identity (0: neither), see nc_pkt_zone */
};

/* Everything the table needs to know about one packet; computed by the
 * decoding workers (in parallel) from the packet context. */
enum {
    NC_COMMUNITY_ID_LEN = 32
}; /* "1:" + 28 base64 characters + NUL, rounded */

struct nc_flow_pkt {
    bool valid; /* false: not an IP packet, no connection */
    uint8_t ver, proto;
    bool has_ports;
    uint8_t src_ip[16], dst_ip[16];
    uint16_t src_port, dst_port;   /* TCP/UDP ports, or ICMP type and code */
    uint16_t key_sport, key_dport; /* ports as used in the key (ICMP: community-id mapping) */
    bool one_way;                  /* ICMP message without a counterpart: never normalised */
    bool has_mac, has_dst_mac;
    uint8_t src_mac[6], dst_mac[6];
    uint16_t tcp_flags, tcp_window;
    uint32_t wirelen, payload;
    uint32_t ip_len; /* IP total length of the innermost header (ConnectionFeatures) */
    int64_t ts;
    uint32_t count; /* packets it stands for: 1, or the fragments of a reassembled datagram */
    uint32_t tcp_seq, tcp_ack;
    const uint8_t *data; /* TCP payload as captured, for reassembly */
    uint32_t caplen;
    bool is_fragment, frag_first; /* IP fragment (goes to reassembly, not to the table) */
    bool frag_more, frag_cut;
    uint32_t frag_id, frag_offset, frag_len;
    const uint8_t *frag_data;
    uint32_t shard;         /* logical shard: a symmetric hash of the address pair */
    struct nc_flow_key key; /* normalised */
    bool pkt_is_a;          /* the packet's source is endpoint a of the key */
    uint64_t hash;          /* of key */
    const char *proto_name[NC_LAYER_COUNT];
    uint64_t zone;        /* from the packet context */
    uint8_t tunnel_depth; /* tunnels around the innermost IP header */
    /* their carrier's Community ID, copied: the packet arena is reset
     * before the shard stage reads this */
    char tunnel_parent[NC_COMMUNITY_ID_LEN];
};

/* Fill fp from a decoded packet. */
void nc_flow_pkt_from_ctx(struct nc_flow_pkt *fp, const struct nc_pkt *pkt);
/* Fill fp from the carrier of the packet's outermost tunnel; false if the
 * packet was not tunnelled (then only fp->valid is set, to false). */
bool nc_flow_pkt_from_carrier(struct nc_flow_pkt *fp, const struct nc_pkt *pkt);
/* Recompute key and hash after changing addresses, protocol or ports. */
void nc_flow_pkt_rekey(struct nc_flow_pkt *fp);
/* The logical shard (0..n_shards-1) of an address pair: symmetric, so both
 * directions and every fragment of a datagram land in the same shard. */
uint32_t nc_flow_shard(const struct nc_flow_pkt *fp, uint32_t n_shards);

struct nc_flow_stats {
    uint64_t created;
    uint64_t written;
    uint64_t closed; /* fin / rst */
    uint64_t timeouts;
    uint64_t evicted; /* written early because the table was full */
    uint64_t peak;    /* most flows in the table at once */
};

struct nc_flow_table;

/* A finished connection as plain data: cheap to copy out of the table, so
 * that building and encoding the Connection record can happen in a worker
 * thread (nc_flow_conn_record). [0] is client->server, [1] the reverse. */
struct nc_flow_conn {
    uint8_t ver, proto;
    bool one_way, has_c_mac, has_s_mac;
    uint8_t c_ip[16], s_ip[16];
    uint16_t c_port, s_port;
    uint8_t key_a[16], key_b[16]; /* normalised key, for the Community ID */
    uint16_t key_pa, key_pb;
    uint8_t c_mac[6], s_mac[6];
    uint64_t hash, first_index;
    int64_t first_ts, last_ts;
    uint64_t pkts[2], bytes[2], payload[2];
    uint32_t flags[9]; /* FIN SYN RST PSH ACK URG ECE CWR NS */
    uint64_t win_sum, win_n;
    const char *proto_name[NC_LAYER_COUNT];
    const char *end_reason;
    uint64_t missed_bytes;
    uint32_t conflicts;
    bool eof; /* written at end of input (tag it with first_index) */
    /* the flow's features (NULL unless set_features): valid during emit only */
    const struct nc_feat *feat;
    uint8_t tunnel_depth;
    char tunnel_parent[NC_COMMUNITY_ID_LEN];
};

/* Text storage for the strings of one Connection record. */
struct nc_flow_conn_text {
    char c_ip[NC_IP_STRLEN], s_ip[NC_IP_STRLEN];
    char c_mac[NC_MAC_STRLEN], s_mac[NC_MAC_STRLEN];
    char cid[40], uid[16];
    char tunnel_parent[NC_COMMUNITY_ID_LEN];
};

/* Fill rec (initialised here) from c; its strings point into txt. */
void nc_flow_conn_record(
        const struct nc_flow_conn *c, Netcap__Connection *rec, struct nc_flow_conn_text *txt);

/* Receives each finished connection. */
typedef void nc_flow_emit_fn(void *ctx, const struct nc_flow_conn *conn);

struct nc_flow_table *nc_flow_table_new(
        size_t max_flows, int64_t timeout_ns, nc_flow_emit_fn *emit, void *emit_ctx);
/* Seed of the bucket hash (against hash flooding): set once per run before
 * any packet is decoded; it changes nothing in the output. */
void nc_flow_set_seed(uint64_t seed);
/* Reassemble TCP connections and run stream parsers in env (NULL: off). */
void nc_flow_table_set_streams(struct nc_flow_table *t, struct nc_stream_env *env);
/* Keep ConnectionFeatures state (a side pool of max_flows entries, from
 * the counted allocator); NC_ENOMEM if it does not fit. cfg must outlive t. */
NC_WARN_UNUSED int nc_flow_table_set_features(
        struct nc_flow_table *t, const struct nc_feat_cfg *cfg);
/* Capture time reached now without a packet here: expire what is due. */
void nc_flow_table_advance(struct nc_flow_table *t, int64_t now);
void nc_flow_table_free(struct nc_flow_table *t);
/* Memory one tracked flow costs (pool entry and buckets), for budgeting;
 * with features (cfg not NULL) its side-pool entry too. */
size_t nc_flow_table_bytes_per_flow(const struct nc_feat_cfg *cfg);
/* Account one packet (in capture order). index is the packet's number. */
void nc_flow_table_update(struct nc_flow_table *t, const struct nc_flow_pkt *fp, uint64_t index);
/* Write every remaining connection, in order of their first packet. */
void nc_flow_table_flush(struct nc_flow_table *t);
/* The same in steps: the connections whose first packet number is below
 * limit; and the first packet number of the next one (UINT64_MAX: none).
 * No packet may come after the first call. */
void nc_flow_table_flush_upto(struct nc_flow_table *t, uint64_t limit);
uint64_t nc_flow_table_next_first(struct nc_flow_table *t);
const struct nc_flow_stats *nc_flow_table_stats(const struct nc_flow_table *t);
/* Longest bucket chain (tests of the seeded hash). */
size_t nc_flow_table_longest_chain(const struct nc_flow_table *t);

/* Community ID v1 (seed 0) of a 5-tuple as "1:<base64>"; out >= NC_COMMUNITY_ID_LEN. */
void nc_community_id(char *out, size_t out_len, uint8_t ver, uint8_t proto, const uint8_t *src,
        const uint8_t *dst, uint16_t sport, uint16_t dport, bool one_way);
/* Release the cached hash algorithm (at exit, for leak checkers). */
void nc_community_id_fini(void);

/* Hints that a packet with this key hash comes soon, to hide cache misses:
 * first the bucket (far ahead), then the flow it points to (nearer). */
void nc_flow_table_prefetch_bucket(const struct nc_flow_table *t, uint64_t hash);
void nc_flow_table_prefetch_flow(const struct nc_flow_table *t, uint64_t hash);

#endif
