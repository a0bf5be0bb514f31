/*
 * summary: flow features for machine learning (ConnectionFeatures records),
 *          computed incrementally per connection; see docs/FEATURES.md.
 *
 * The state of one connection is a struct nc_feat followed by the sizes of
 * its first N packets (N = cfg.seq_n, at most NC_FEAT_SEQ_MAX): constant
 * memory per flow. The flow table keeps these in a side pool, allocated only
 * when ConnectionFeatures records are wanted (flow.c). Times are integer
 * nanoseconds; means and deviations are doubles updated in packet order
 * (Welford), so the same packets give the same bits.
 */
#ifndef NC_FLOW_FEATURES_H
#define NC_FLOW_FEATURES_H

#include "core/common.h"
#include "record/record.h"

enum {
    NC_FEAT_SEQ_DEFAULT = 10, /* first packets recorded (-features-seq) */
    NC_FEAT_SEQ_MAX = 64,
    NC_FEAT_BINS = 8,     /* payload-length and inter-arrival histograms */
    NC_FEAT_BULK_MIN = 4, /* payload packets one way that make a bulk (CICFlowMeter) */
    NC_FEAT_N_FLAGS = 8,  /* FIN SYN RST PSH ACK URG ECE CWR */
};
#define NC_FEAT_ACTIVITY_DEFAULT_NS (5LL * 1000000000LL) /* -activity-timeout, as CICFlowMeter */
#define NC_FEAT_SUBFLOW_GAP_NS      (1LL * 1000000000LL) /* a longer gap starts a subflow */
#define NC_FEAT_BULK_GAP_NS         (1LL * 1000000000LL) /* a longer gap ends a bulk run */
#define NC_FEAT_UNSET               INT64_MIN

struct nc_feat_cfg {
    uint32_t seq_n;           /* first packets recorded, 0..NC_FEAT_SEQ_MAX */
    int64_t activity_timeout; /* ns; a longer gap ends an active period */
};

/* Count, min, max, mean and sum of squared deviations (Welford). */
struct nc_wstat {
    uint64_t n;
    int64_t min, max;
    double mean, m2;
};

void nc_wstat_add(struct nc_wstat *s, int64_t x);
/* The statistics of the union of two samples (Chan et al.), a then b. */
void nc_wstat_merge(struct nc_wstat *out, const struct nc_wstat *a, const struct nc_wstat *b);
/* Sample standard deviation (n - 1); 0 below two values. */
double nc_wstat_std(const struct nc_wstat *s);

/* One direction's bulk tracking (CICFlowMeter's definition, docs/FEATURES.md). */
struct nc_feat_bulk {
    int64_t run_start, run_last;
    uint64_t run_bytes;
    uint64_t count, pkts, bytes;
    int64_t duration;
    uint32_t run_pkts;
    uint32_t pad;
};

/* The features of one connection; [0] forward (client to server), [1] backward. */
struct nc_feat {
    struct nc_wstat len[2], pay[2]; /* IP total length, transport payload */
    struct nc_wstat iat, iat_dir[2];
    struct nc_wstat active, idle;
    int64_t last_t, last_dir_t[2]; /* effective times (non-decreasing) */
    int64_t act_start;
    int64_t syn_t, synack_t, ack_t; /* handshake (NC_FEAT_UNSET: not seen) */
    uint64_t bytes[2], payload[2];
    uint64_t subflows;
    struct nc_feat_bulk bulk[2];
    uint32_t flags[2][NC_FEAT_N_FLAGS];
    uint32_t pay_bins[NC_FEAT_BINS], iat_bins[NC_FEAT_BINS];
    int32_t init_win[2]; /* -1: no TCP packet that way yet */
    uint64_t seq_dirs;   /* bit i: direction of packet i */
    uint8_t n_seq;
    uint8_t pad[7];
    uint16_t seq_len[]; /* cfg.seq_n entries */
};

/* What the features need of one packet. */
struct nc_feat_pkt {
    int64_t ts;
    uint32_t ip_len;  /* IP total length (header, extensions, payload) */
    uint32_t payload; /* transport payload */
    uint16_t tcp_flags, tcp_window;
    bool tcp; /* a TCP header was seen (flags, window valid) */
    int dir;  /* 0 forward, 1 backward */
};

/* Bytes of one flow's state (a multiple of 8). */
size_t nc_feat_bytes(const struct nc_feat_cfg *cfg);
void nc_feat_init(struct nc_feat *f);
void nc_feat_packet(struct nc_feat *f, const struct nc_feat_cfg *cfg, const struct nc_feat_pkt *p);

/* Bin of a payload length / an inter-arrival time (docs/FEATURES.md). */
unsigned nc_feat_pay_bin(uint32_t len);
unsigned nc_feat_iat_bin(int64_t ns);

/* Storage for the repeated fields of one record. */
struct nc_feat_text {
    int64_t pay_bins[NC_FEAT_BINS], iat_bins[NC_FEAT_BINS];
    int32_t lens[NC_FEAT_SEQ_MAX], dirs[NC_FEAT_SEQ_MAX];
};

/* Fill the feature fields of rec (initialised here); the caller fills the
 * connection's identity (uid, addresses, ports, end reason, tunnel). */
void nc_feat_record(const struct nc_feat *f, const struct nc_feat_cfg *cfg, int64_t first_ts,
        int64_t last_ts, Netcap__ConnectionFeatures *rec, struct nc_feat_text *txt);

#endif
