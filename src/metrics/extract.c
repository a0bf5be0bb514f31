/*
 * summary: per-record-type metric extractors (see extract.h).
 *
 * Every counter lives at a fixed index of a slot: the families below are
 * laid out one after the other, each with a fixed, small set of label
 * values (the last one "other"), so cardinality is bounded by this table.
 * Adding an extractor: a family here, an entry in extractors[], a line in
 * docs/METRICS.md.
 */
#include "metrics/extract.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "record/enums.h"

_Thread_local struct nc_mx_acc *nc_mx_current;

/* ------------------------------------------------------------ families */

enum fam_id {
    F_DNS_QUERIES,
    F_DNS_RESPONSES,
    F_TCP_FLAGS,
    F_TLS_CLIENT,
    F_TLS_SERVER,
    F_HTTP_REQUESTS,
    F_HTTP_RESPONSES,
    F_CONN_CLOSED,
    F_CONN_BYTES,
    F_CONN_PACKETS,
    F_ARP,
    F_COUNT,
};

static const char *const v_qtype[] = { "A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV",
    "HTTPS", "ANY", "other" };
static const int qtype_num[] = { 1, 2, 5, 6, 12, 15, 16, 28, 33, 65, 255 };
/* rcodes 0..15 are named through the enums registry at scrape time */
static const char *const v_rcode[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
    "12", "13", "14", "15", "other" };
static const char *const v_flag[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr",
    "ns" };
static const char *const v_tls[] = { "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3",
    "other" };
static const char *const v_method[] = { "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH",
    "CONNECT", "TRACE", "other" };
static const char *const v_class[] = { "1xx", "2xx", "3xx", "4xx", "5xx", "none", "other" };
static const char *const v_reason[] = { "fin", "rst", "timeout", "evicted", "eof", "other" };
static const char *const v_arp[] = { "request", "reply", "other" };

struct fam {
    const char *name;
    const char *help;
    const char *label; /* NULL: one sample without labels */
    const char *const *values;
    size_t n;
};

static const struct fam fams[F_COUNT] = {
    [F_DNS_QUERIES] = { "netcap_dns_queries_total",
            "DNS queries (qr=0) by the type of their first question.", "qtype", v_qtype,
            NC_ARRAY_LEN(v_qtype) },
    [F_DNS_RESPONSES] = { "netcap_dns_responses_total", "DNS responses (qr=1) by response code.",
            "rcode", v_rcode, NC_ARRAY_LEN(v_rcode) },
    [F_TCP_FLAGS] = { "netcap_tcp_flags_total", "TCP segments with the flag set, per flag.", "flag",
            v_flag, NC_ARRAY_LEN(v_flag) },
    [F_TLS_CLIENT] = { "netcap_tls_client_hellos_total",
            "TLS ClientHellos by the highest version offered.", "version", v_tls,
            NC_ARRAY_LEN(v_tls) },
    [F_TLS_SERVER] = { "netcap_tls_server_hellos_total",
            "TLS ServerHellos by the version selected.", "version", v_tls, NC_ARRAY_LEN(v_tls) },
    [F_HTTP_REQUESTS] = { "netcap_http_requests_total", "HTTP exchanges by request method.",
            "method", v_method, NC_ARRAY_LEN(v_method) },
    [F_HTTP_RESPONSES] = { "netcap_http_responses_total",
            "HTTP exchanges by response status class (none: no response seen).", "class", v_class,
            NC_ARRAY_LEN(v_class) },
    [F_CONN_CLOSED] = { "netcap_connections_closed_total",
            "Connection records written, by end reason.", "reason", v_reason,
            NC_ARRAY_LEN(v_reason) },
    [F_CONN_BYTES] = { "netcap_connection_bytes_total",
            "Wire bytes of the connections written (both directions).", NULL, NULL, 1 },
    [F_CONN_PACKETS] = { "netcap_connection_packets_total",
            "Packets of the connections written (both directions).", NULL, NULL, 1 },
    [F_ARP] = { "netcap_arp_total", "ARP packets by operation.", "op", v_arp, NC_ARRAY_LEN(v_arp) },
};

enum {
    N_COUNTERS = 12 + 17 + 9 + 6 + 6 + 10 + 7 + 6 + 1 + 1 + 3,
};

static size_t base_of(enum fam_id f)
{
    size_t b = 0;
    for (size_t i = 0; i < (size_t)f; i++) {
        b += fams[i].n;
    }
    return b;
}

/* ---------------------------------------------------------------- slots */

struct ip_entry {
    char ip[48];
    _Atomic uint64_t n;
};

struct ip_table {
    struct ip_entry *e;     /* insertion order; [0, used) published */
    _Atomic size_t used;    /* release by the writer, acquire by the scraper */
    uint32_t *idx;          /* open addressing: entry + 1, 0 empty (writer only) */
    size_t mask;            /* idx size - 1 */
    _Atomic uint64_t other; /* addresses past the cap */
};

struct nc_mx_acc {
    _Atomic uint64_t c[N_COUNTERS];
    _Atomic uint64_t records[NC_REC_COUNT];
    size_t base[F_COUNT];
    unsigned per_ip;
    struct ip_table ipt;
};

struct nc_mx_records {
    unsigned per_ip;
    struct nc_mx_acc slot[NC_MX_SLOTS];
};

/* One writer per slot: a plain load and store, no locked instruction. */
static inline void bump(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(
            c, atomic_load_explicit(c, memory_order_relaxed) + v, memory_order_relaxed);
}

static inline uint64_t get(const _Atomic uint64_t *c)
{
    return atomic_load_explicit((_Atomic uint64_t *)(uintptr_t)c, memory_order_relaxed);
}

static void count(struct nc_mx_acc *a, enum fam_id f, size_t v)
{
    if (v >= fams[f].n) {
        v = fams[f].n - 1;
    }
    bump(&a->c[a->base[f] + v], 1);
}

/* ----------------------------------------------------------- extractors */

static size_t str_index(const char *s, const char *const *vals, size_t n)
{
    for (size_t i = 0; s && i + 1 < n; i++) {
        if (strcmp(s, vals[i]) == 0) {
            return i;
        }
    }
    return n - 1;
}

static void x_dns(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__DNS *d = (const Netcap__DNS *)m;
    if (d->qr) {
        count(a, F_DNS_RESPONSES, d->response_code >= 0 ? (size_t)d->response_code : SIZE_MAX);
        return;
    }
    size_t v = NC_ARRAY_LEN(qtype_num);
    if (d->n_questions && d->questions[0]) {
        for (size_t i = 0; i < NC_ARRAY_LEN(qtype_num); i++) {
            if (qtype_num[i] == d->questions[0]->type) {
                v = i;
            }
        }
    }
    count(a, F_DNS_QUERIES, v);
}

static void x_tcp(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__TCP *t = (const Netcap__TCP *)m;
    const protobuf_c_boolean f[] = { t->fin, t->syn, t->rst, t->psh, t->ack, t->urg, t->ece, t->cwr,
        t->ns };
    for (size_t i = 0; i < NC_ARRAY_LEN(f); i++) {
        if (f[i]) {
            count(a, F_TCP_FLAGS, i);
        }
    }
}

static size_t tls_index(int v)
{
    return v >= 0x0300 && v <= 0x0304 ? (size_t)(v - 0x0300) : SIZE_MAX;
}

static void x_tls_client(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__TLSClientHello *h = (const Netcap__TLSClientHello *)m;
    int best = h->handshake_version;
    if (h->n_supported_versions) {
        best = 0;
        for (size_t i = 0; i < h->n_supported_versions; i++) {
            int v = h->supported_versions[i];
            if ((v & 0x0f0f) != 0x0a0a && v > best) { /* GREASE values are 0x?a?a */
                best = v;
            }
        }
    }
    count(a, F_TLS_CLIENT, tls_index(best));
}

static void x_tls_server(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__TLSServerHello *h = (const Netcap__TLSServerHello *)m;
    count(a, F_TLS_SERVER, tls_index(h->supported_version ? h->supported_version : h->version));
}

static void x_http(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__HTTP *h = (const Netcap__HTTP *)m;
    count(a, F_HTTP_REQUESTS, str_index(h->method, v_method, NC_ARRAY_LEN(v_method)));
    int s = h->status_code;
    count(a, F_HTTP_RESPONSES, s == 0 ? 5 : s >= 100 && s <= 599 ? (size_t)(s / 100 - 1) : 6);
}

static void x_conn(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__Connection *c = (const Netcap__Connection *)m;
    count(a, F_CONN_CLOSED, str_index(c->end_reason, v_reason, NC_ARRAY_LEN(v_reason)));
    bump(&a->c[a->base[F_CONN_BYTES]], c->total_size > 0 ? (uint64_t)c->total_size : 0);
    bump(&a->c[a->base[F_CONN_PACKETS]], c->num_packets > 0 ? (uint64_t)c->num_packets : 0);
}

static void x_arp(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    const Netcap__ARP *r = (const Netcap__ARP *)m;
    count(a, F_ARP, r->operation == 1 ? 0 : r->operation == 2 ? 1 : 2);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    }
    return h;
}

static void count_ip(struct nc_mx_acc *a, const char *ip)
{
    struct ip_table *t = &a->ipt;
    if (!ip || !*ip || !t->idx) {
        return;
    }
    size_t used = atomic_load_explicit(&t->used, memory_order_relaxed);
    for (size_t i = (size_t)hash_str(ip) & t->mask;; i = (i + 1) & t->mask) {
        uint32_t k = t->idx[i];
        if (k == 0) {
            if (used == a->per_ip) {
                bump(&t->other, 1);
                return;
            }
            struct ip_entry *e = &t->e[used];
            snprintf(e->ip, sizeof(e->ip), "%s", ip);
            atomic_store_explicit(&e->n, 1, memory_order_relaxed);
            t->idx[i] = (uint32_t)used + 1;
            atomic_store_explicit(&t->used, used + 1, memory_order_release);
            return;
        }
        if (strcmp(t->e[k - 1].ip, ip) == 0) {
            bump(&t->e[k - 1].n, 1);
            return;
        }
    }
}

static void x_ipv4(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    count_ip(a, ((const Netcap__IPv4 *)m)->src_ip);
}

static void x_ipv6(struct nc_mx_acc *a, const ProtobufCMessage *m)
{
    count_ip(a, ((const Netcap__IPv6 *)m)->src_ip);
}

typedef void x_fn(struct nc_mx_acc *a, const ProtobufCMessage *m);

static x_fn *const extractors[NC_REC_COUNT] = {
    [NC_REC_DNS] = x_dns,
    [NC_REC_TCP] = x_tcp,
    [NC_REC_TLSClientHello] = x_tls_client,
    [NC_REC_TLSServerHello] = x_tls_server,
    [NC_REC_HTTP] = x_http,
    [NC_REC_Connection] = x_conn,
    [NC_REC_ARP] = x_arp,
};

void nc_mx_extract(struct nc_mx_acc *a, enum nc_rec_type t, const ProtobufCMessage *m)
{
    if ((size_t)t >= NC_REC_COUNT) {
        return;
    }
    bump(&a->records[t], 1);
    if (extractors[t]) {
        extractors[t](a, m);
    }
    if (a->per_ip && (t == NC_REC_IPv4 || t == NC_REC_IPv6)) {
        (t == NC_REC_IPv4 ? x_ipv4 : x_ipv6)(a, m);
    }
}

/* ------------------------------------------------------------ lifecycle */

struct nc_mx_records *nc_mx_records_new(unsigned per_ip)
{
    if (per_ip > NC_MX_PER_IP_MAX) {
        per_ip = NC_MX_PER_IP_MAX;
    }
    struct nc_mx_records *x = nc_calloc(1, sizeof(*x));
    if (!x) {
        return NULL;
    }
    x->per_ip = per_ip;
    if (base_of(F_COUNT) != N_COUNTERS) { /* the table and N_COUNTERS disagree */
        nc_free(x);
        return NULL;
    }
    size_t isz = 16;
    while (isz < 2 * (size_t)per_ip) {
        isz *= 2;
    }
    for (size_t s = 0; s < NC_MX_SLOTS; s++) {
        struct nc_mx_acc *a = &x->slot[s];
        for (size_t f = 0; f < F_COUNT; f++) {
            a->base[f] = base_of((enum fam_id)f);
        }
        a->per_ip = per_ip;
        if (per_ip) {
            a->ipt.e = nc_calloc(per_ip, sizeof(*a->ipt.e));
            a->ipt.idx = nc_calloc(isz, sizeof(*a->ipt.idx));
            a->ipt.mask = isz - 1;
            if (!a->ipt.e || !a->ipt.idx) {
                nc_mx_records_free(x);
                return NULL;
            }
        }
    }
    return x;
}

void nc_mx_records_free(struct nc_mx_records *x)
{
    if (!x) {
        return;
    }
    for (size_t s = 0; s < NC_MX_SLOTS; s++) {
        nc_free(x->slot[s].ipt.e);
        nc_free(x->slot[s].ipt.idx);
    }
    nc_free(x);
}

struct nc_mx_acc *nc_mx_records_slot(struct nc_mx_records *x, unsigned i)
{
    return x && i < NC_MX_SLOTS ? &x->slot[i] : NULL;
}

uint64_t nc_mx_records_count(const struct nc_mx_records *x, enum nc_rec_type t)
{
    uint64_t sum = 0;
    for (size_t s = 0; s < NC_MX_SLOTS; s++) {
        sum += get(&x->slot[s].records[t]);
    }
    return sum;
}

/* -------------------------------------------------------------- scrape */

static const char *rcode_label(size_t i, char buf[NC_ENUM_BUF])
{
    static const struct nc_enum *e;
    static bool looked;
    if (!looked) { /* scrapes are serialised by the registry */
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
                &netcap__dns__descriptor, "response_code");
        e = f ? nc_enum_find(&netcap__dns__descriptor, f) : NULL;
        looked = true;
    }
    const char *n = e && i < 16 ? nc_enum_name(e, (int64_t)i, NULL, buf) : NULL;
    return n ? n : v_rcode[i];
}

struct ip_sum {
    const char *ip;
    uint64_t n;
};

static int cmp_ip(const void *a, const void *b)
{
    return strcmp(((const struct ip_sum *)a)->ip, ((const struct ip_sum *)b)->ip);
}

static int cmp_count(const void *a, const void *b)
{
    const struct ip_sum *x = a, *y = b;
    if (x->n != y->n) {
        return x->n > y->n ? -1 : 1;
    }
    return strcmp(x->ip, y->ip);
}

static int collect_ips(struct nc_mx_records *x, struct nc_mx_emit *e)
{
    size_t total = 0;
    size_t used[NC_MX_SLOTS];
    uint64_t other = 0;
    for (size_t s = 0; s < NC_MX_SLOTS; s++) {
        used[s] = atomic_load_explicit(&x->slot[s].ipt.used, memory_order_acquire);
        total += used[s];
        other += get(&x->slot[s].ipt.other);
    }
    struct ip_sum *v = nc_calloc(total ? total : 1, sizeof(*v));
    if (!v) {
        return NC_ENOMEM;
    }
    size_t n = 0;
    for (size_t s = 0; s < NC_MX_SLOTS; s++) {
        for (size_t i = 0; i < used[s]; i++) {
            v[n++] = (struct ip_sum){ x->slot[s].ipt.e[i].ip, get(&x->slot[s].ipt.e[i].n) };
        }
    }
    qsort(v, n, sizeof(*v), cmp_ip);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && strcmp(v[m - 1].ip, v[i].ip) == 0) {
            v[m - 1].n += v[i].n;
        } else {
            v[m++] = v[i];
        }
    }
    qsort(v, m, sizeof(*v), cmp_count);
    for (size_t i = x->per_ip; i < m; i++) {
        other += v[i].n;
    }
    m = NC_MIN(m, (size_t)x->per_ip);
    qsort(v, m, sizeof(*v), cmp_ip);
    (void)nc_mx_family(e, "netcap_ip_src_packets_total", NC_MX_COUNTER,
            "IPv4 and IPv6 headers by source address (-per-ip N: the N most frequent, the rest "
            "as other).");
    for (size_t i = 0; i < m; i++) {
        (void)nc_mx_sample_u64(e, v[i].n, "ip", v[i].ip, NULL);
    }
    (void)nc_mx_sample_u64(e, other, "ip", "other", NULL);
    nc_free(v);
    return NC_OK;
}

int nc_mx_records_collect(void *ctx, struct nc_mx_emit *e)
{
    struct nc_mx_records *x = ctx;
    for (size_t f = 0; f < F_COUNT; f++) {
        const struct fam *fm = &fams[f];
        (void)nc_mx_family(e, fm->name, NC_MX_COUNTER, fm->help);
        size_t base = base_of((enum fam_id)f);
        for (size_t i = 0; i < fm->n; i++) {
            uint64_t sum = 0;
            for (size_t s = 0; s < NC_MX_SLOTS; s++) {
                sum += get(&x->slot[s].c[base + i]);
            }
            if (!fm->label) {
                (void)nc_mx_sample_u64(e, sum, NULL);
                continue;
            }
            char buf[NC_ENUM_BUF];
            const char *lv = f == F_DNS_RESPONSES ? rcode_label(i, buf) : fm->values[i];
            (void)nc_mx_sample_u64(e, sum, fm->label, lv, NULL);
        }
    }
    return x->per_ip ? collect_ips(x, e) : NC_OK;
}
