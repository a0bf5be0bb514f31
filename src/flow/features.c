/*
 * summary: flow features for machine learning (see features.h and
 *          docs/FEATURES.md for every definition).
 */
#include "flow/features.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- Welford */

void nc_wstat_add(struct nc_wstat *s, int64_t x)
{
    if (s->n == 0) {
        s->min = s->max = x;
    } else {
        s->min = x < s->min ? x : s->min;
        s->max = x > s->max ? x : s->max;
    }
    s->n++;
    double d = (double)x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * ((double)x - s->mean);
}

void nc_wstat_merge(struct nc_wstat *out, const struct nc_wstat *a, const struct nc_wstat *b)
{
    if (a->n == 0 || b->n == 0) {
        *out = a->n ? *a : *b;
        return;
    }
    struct nc_wstat r;
    r.n = a->n + b->n;
    r.min = a->min < b->min ? a->min : b->min;
    r.max = a->max > b->max ? a->max : b->max;
    double na = (double)a->n, nb = (double)b->n, n = (double)r.n;
    double d = b->mean - a->mean;
    r.mean = a->mean + d * (nb / n);
    r.m2 = a->m2 + b->m2 + d * d * (na * nb / n);
    *out = r;
}

double nc_wstat_std(const struct nc_wstat *s)
{
    if (s->n < 2 || s->m2 <= 0) {
        return 0;
    }
    return sqrt(s->m2 / (double)(s->n - 1));
}

/* ------------------------------------------------------------------- bins */

unsigned nc_feat_pay_bin(uint32_t len)
{
    static const uint32_t edges[NC_FEAT_BINS] = { 0, 1, 64, 128, 256, 512, 1024, 1500 };
    unsigned b = 0;
    while (b + 1 < NC_FEAT_BINS && len >= edges[b + 1]) {
        b++;
    }
    return b;
}

unsigned nc_feat_iat_bin(int64_t ns)
{
    static const int64_t edges[NC_FEAT_BINS] = { 0, 10000, 100000, 1000000, 10000000, 100000000,
        1000000000, 10000000000 };
    unsigned b = 0;
    while (b + 1 < NC_FEAT_BINS && ns >= edges[b + 1]) {
        b++;
    }
    return b;
}

/* ------------------------------------------------------------------ state */

size_t nc_feat_bytes(const struct nc_feat_cfg *cfg)
{
    size_t n = cfg->seq_n > NC_FEAT_SEQ_MAX ? NC_FEAT_SEQ_MAX : cfg->seq_n;
    size_t b = sizeof(struct nc_feat) + n * sizeof(uint16_t);
    return (b + 7) & ~(size_t)7;
}

void nc_feat_init(struct nc_feat *f)
{
    memset(f, 0, sizeof(*f));
    f->syn_t = f->synack_t = f->ack_t = NC_FEAT_UNSET;
    f->init_win[0] = f->init_win[1] = -1;
}

static void sat_inc(uint32_t *c)
{
    if (*c < UINT32_MAX) {
        (*c)++;
    }
}

/* CICFlowMeter's bulk: a run of payload packets one way, none of the other
 * way in between, no gap over 1 s; from its 4th packet on it is a bulk. */
static void bulk_packet(struct nc_feat *f, int d, int64_t t, uint32_t payload)
{
    f->bulk[1 - d].run_pkts = 0; /* the other way's run is broken */
    struct nc_feat_bulk *b = &f->bulk[d];
    if (b->run_pkts == 0 || t - b->run_last > NC_FEAT_BULK_GAP_NS) {
        b->run_start = b->run_last = t;
        b->run_pkts = 1;
        b->run_bytes = payload;
        return;
    }
    b->run_pkts = b->run_pkts < UINT32_MAX ? b->run_pkts + 1 : UINT32_MAX;
    b->run_bytes += payload;
    if (b->run_pkts == NC_FEAT_BULK_MIN) {
        b->count++;
        b->pkts += NC_FEAT_BULK_MIN;
        b->bytes += b->run_bytes;
        b->duration += t - b->run_start;
    } else if (b->run_pkts > NC_FEAT_BULK_MIN) {
        b->pkts++;
        b->bytes += payload;
        b->duration += t - b->run_last;
    }
    b->run_last = t;
}

static void handshake(struct nc_feat *f, int d, int64_t t, uint16_t flags)
{
    bool syn = (flags & 0x02) != 0, ack = (flags & 0x10) != 0;
    if (f->synack_t == NC_FEAT_UNSET) {
        if (d == 0 && syn && !ack) {
            f->syn_t = t; /* the last SYN before the SYN+ACK */
        } else if (d == 1 && syn && ack) {
            f->synack_t = t;
        }
    } else if (f->ack_t == NC_FEAT_UNSET && d == 0 && ack && !syn) {
        f->ack_t = t;
    }
}

void nc_feat_packet(struct nc_feat *f, const struct nc_feat_cfg *cfg, const struct nc_feat_pkt *p)
{
    int d = p->dir ? 1 : 0;
    uint64_t n_before = f->len[0].n + f->len[1].n;
    /* effective time: never before the flow's previous packet */
    int64_t t = n_before && p->ts < f->last_t ? f->last_t : p->ts;
    uint32_t pay = p->payload < p->ip_len ? p->payload : p->ip_len;
    if (p->ip_len == 0) {
        pay = p->payload;
    }
    uint32_t len = p->ip_len ? p->ip_len : pay;

    if (n_before == 0) {
        f->act_start = t;
        f->subflows = 1;
    } else {
        int64_t gap = t - f->last_t;
        nc_wstat_add(&f->iat, gap);
        sat_inc(&f->iat_bins[nc_feat_iat_bin(gap)]);
        if (gap > cfg->activity_timeout) {
            nc_wstat_add(&f->active, f->last_t - f->act_start);
            nc_wstat_add(&f->idle, gap);
            f->act_start = t;
        }
        if (gap > NC_FEAT_SUBFLOW_GAP_NS) {
            f->subflows++;
        }
    }
    if (f->len[d].n) {
        nc_wstat_add(&f->iat_dir[d], t - f->last_dir_t[d]);
    }
    f->last_t = t;
    f->last_dir_t[d] = t;

    nc_wstat_add(&f->len[d], len);
    nc_wstat_add(&f->pay[d], pay);
    f->bytes[d] += len;
    f->payload[d] += pay;
    sat_inc(&f->pay_bins[nc_feat_pay_bin(pay)]);
    if (pay > 0) {
        bulk_packet(f, d, t, pay);
    }
    if (f->n_seq < cfg->seq_n && f->n_seq < NC_FEAT_SEQ_MAX) {
        f->seq_len[f->n_seq] = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
        if (d) {
            f->seq_dirs |= 1ULL << f->n_seq;
        }
        f->n_seq++;
    }
    if (p->tcp) {
        for (unsigned b = 0; b < NC_FEAT_N_FLAGS; b++) {
            if (p->tcp_flags & (1u << b)) {
                sat_inc(&f->flags[d][b]);
            }
        }
        if (f->init_win[d] < 0) {
            f->init_win[d] = p->tcp_window;
        }
        handshake(f, d, t, p->tcp_flags);
    }
}

/* ----------------------------------------------------------------- record */

static int64_t sat64(uint64_t v)
{
    return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int32_t sat32(uint32_t v)
{
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static void put_stat(
        const struct nc_wstat *s, int64_t *min, int64_t *max, double *mean, double *std)
{
    *min = s->n ? s->min : 0;
    *max = s->n ? s->max : 0;
    *mean = s->n ? s->mean : 0;
    *std = nc_wstat_std(s);
}

static int64_t span(int64_t a, int64_t b)
{
    return a == NC_FEAT_UNSET || b == NC_FEAT_UNSET ? -1 : b - a;
}

void nc_feat_record(const struct nc_feat *f, const struct nc_feat_cfg *cfg, int64_t first_ts,
        int64_t last_ts, Netcap__ConnectionFeatures *r, struct nc_feat_text *txt)
{
    protobuf_c_message_init(&netcap__connection_features__descriptor, r);
    r->timestamp_first = first_ts;
    r->timestamp_last = last_ts;
    r->duration = nc_sat_sub(last_ts, first_ts);
    r->fwd_packets = sat64(f->len[0].n);
    r->bwd_packets = sat64(f->len[1].n);
    r->fwd_bytes = sat64(f->bytes[0]);
    r->bwd_bytes = sat64(f->bytes[1]);
    r->fwd_payload_bytes = sat64(f->payload[0]);
    r->bwd_payload_bytes = sat64(f->payload[1]);
    r->fwd_header_bytes = sat64(f->bytes[0] - f->payload[0]);
    r->bwd_header_bytes = sat64(f->bytes[1] - f->payload[1]);

    struct nc_wstat both;
    nc_wstat_merge(&both, &f->len[0], &f->len[1]);
    put_stat(&both, &r->pkt_len_min, &r->pkt_len_max, &r->pkt_len_mean, &r->pkt_len_std);
    put_stat(&f->len[0], &r->fwd_pkt_len_min, &r->fwd_pkt_len_max, &r->fwd_pkt_len_mean,
            &r->fwd_pkt_len_std);
    put_stat(&f->len[1], &r->bwd_pkt_len_min, &r->bwd_pkt_len_max, &r->bwd_pkt_len_mean,
            &r->bwd_pkt_len_std);
    nc_wstat_merge(&both, &f->pay[0], &f->pay[1]);
    put_stat(&both, &r->payload_len_min, &r->payload_len_max, &r->payload_len_mean,
            &r->payload_len_std);
    put_stat(&f->pay[0], &r->fwd_payload_len_min, &r->fwd_payload_len_max, &r->fwd_payload_len_mean,
            &r->fwd_payload_len_std);
    put_stat(&f->pay[1], &r->bwd_payload_len_min, &r->bwd_payload_len_max, &r->bwd_payload_len_mean,
            &r->bwd_payload_len_std);
    put_stat(&f->iat, &r->iat_min, &r->iat_max, &r->iat_mean, &r->iat_std);
    put_stat(&f->iat_dir[0], &r->fwd_iat_min, &r->fwd_iat_max, &r->fwd_iat_mean, &r->fwd_iat_std);
    put_stat(&f->iat_dir[1], &r->bwd_iat_min, &r->bwd_iat_max, &r->bwd_iat_mean, &r->bwd_iat_std);

    int32_t *fl[2][NC_FEAT_N_FLAGS] = {
        { &r->fwd_fin, &r->fwd_syn, &r->fwd_rst, &r->fwd_psh, &r->fwd_ack, &r->fwd_urg, &r->fwd_ece,
                &r->fwd_cwr },
        { &r->bwd_fin, &r->bwd_syn, &r->bwd_rst, &r->bwd_psh, &r->bwd_ack, &r->bwd_urg, &r->bwd_ece,
                &r->bwd_cwr },
    };
    for (int d = 0; d < 2; d++) {
        for (int b = 0; b < NC_FEAT_N_FLAGS; b++) {
            *fl[d][b] = sat32(f->flags[d][b]);
        }
    }
    r->fwd_init_win = f->init_win[0];
    r->bwd_init_win = f->init_win[1];

    r->fwd_bulk_count = sat64(f->bulk[0].count);
    r->fwd_bulk_packets = sat64(f->bulk[0].pkts);
    r->fwd_bulk_bytes = sat64(f->bulk[0].bytes);
    r->fwd_bulk_duration = f->bulk[0].duration;
    r->bwd_bulk_count = sat64(f->bulk[1].count);
    r->bwd_bulk_packets = sat64(f->bulk[1].pkts);
    r->bwd_bulk_bytes = sat64(f->bulk[1].bytes);
    r->bwd_bulk_duration = f->bulk[1].duration;

    r->subflow_count = sat64(f->subflows);
    if (f->subflows) {
        double n = (double)f->subflows;
        r->subflow_fwd_packets = (double)f->len[0].n / n;
        r->subflow_fwd_bytes = (double)f->bytes[0] / n;
        r->subflow_bwd_packets = (double)f->len[1].n / n;
        r->subflow_bwd_bytes = (double)f->bytes[1] / n;
    }

    /* the active period still open ends with the last packet */
    struct nc_wstat active = f->active;
    if (f->len[0].n + f->len[1].n) {
        nc_wstat_add(&active, f->last_t - f->act_start);
    }
    r->activity_timeout = cfg->activity_timeout;
    r->active_count = sat64(active.n);
    put_stat(&active, &r->active_min, &r->active_max, &r->active_mean, &r->active_std);
    r->idle_count = sat64(f->idle.n);
    put_stat(&f->idle, &r->idle_min, &r->idle_max, &r->idle_mean, &r->idle_std);

    for (int b = 0; b < NC_FEAT_BINS; b++) {
        txt->pay_bins[b] = f->pay_bins[b];
        txt->iat_bins[b] = f->iat_bins[b];
    }
    r->n_payload_len_bins = NC_FEAT_BINS;
    r->payload_len_bins = txt->pay_bins;
    r->n_iat_bins = NC_FEAT_BINS;
    r->iat_bins = txt->iat_bins;
    size_t n = f->n_seq;
    for (size_t i = 0; i < n; i++) {
        txt->lens[i] = f->seq_len[i];
        txt->dirs[i] = (int32_t)(f->seq_dirs >> i & 1);
    }
    r->n_first_pkt_lens = n;
    r->first_pkt_lens = txt->lens;
    r->n_first_pkt_dirs = n;
    r->first_pkt_dirs = txt->dirs;

    r->tcp_rtt_syn_synack = span(f->syn_t, f->synack_t);
    r->tcp_rtt_synack_ack = span(f->synack_t, f->ack_t);
    r->tcp_rtt = r->tcp_rtt_syn_synack >= 0 && r->tcp_rtt_synack_ack >= 0
                         ? r->tcp_rtt_syn_synack + r->tcp_rtt_synack_ack
                         : -1;
}
